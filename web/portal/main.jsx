// The self-service portal's entry: a public page served by guichetd at
// /help/{tenant}; it reads its tenant from the address.
import { render } from 'preact';
import { Portal } from './Portal.jsx';
import { tenantOfPath } from './calls.js';
import './portal.css';

render(<Portal tenant={tenantOfPath(location.pathname)} />, document.getElementById('portal'));
