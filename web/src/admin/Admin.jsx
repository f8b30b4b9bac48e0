// The administrator's console (tenant admins): users, skills, queues,
// disposition codes, agents' profiles, the customer import, API tokens and
// the audit log, as
// tabs; a platform admin (GET /me says platform_admin) also sees the
// platform's tab: organisations, tenants, and roles given in other tenants
// (POST /memberships is the platform admin's: docs/security.md). One
// role="status" region says what an action changed, one role="alert" what
// failed outside a form; destructive actions ask in a dialog first.
import { useMemo, useRef, useState } from 'preact/hooks';
import { PageStatus, useConfirm } from './form.jsx';
import { Users } from './Users.jsx';
import { Skills } from './Skills.jsx';
import { Queues } from './Queues.jsx';
import { Dispositions } from './Dispositions.jsx';
import { Agents } from './Agents.jsx';
import { Import } from './Import.jsx';
import { Tokens } from './Tokens.jsx';
import { Audit } from './Audit.jsx';
import { Platform } from './Platform.jsx';
import { Channels } from './Channels.jsx';
import { failed, inLanguage } from '../i18n/index.js';
import './admin.css';

const SECTIONS = { users: Users, skills: Skills, queues: Queues, dispositions: Dispositions, agents: Agents,
  import: Import, tokens: Tokens,
  channels: Channels, audit: Audit, platform: Platform };

export function Admin({ t, me, lang }) {
  const ids = Object.keys(SECTIONS).filter((id) => id !== 'platform' || me.platform_admin);
  const [tab, setTab] = useState('users');
  const [status, setStatus] = useState(''); // what an action changed: a function of t, said again after a switch
  const [alert, setAlert] = useState(''); // a text, or a function of t: a refusal said again after a switch
  const [dialog, confirm] = useConfirm(t);
  const list = useRef(null);
  const say = (said) => { setAlert(''); setStatus(() => said); };
  const fail = (e) => { setStatus(''); setAlert(() => (tr) => failed(tr, e)); };
  const open = (id) => { setTab(id); setStatus(''); setAlert(''); };
  const cleared = useMemo(() => ({ clear() { setStatus(''); setAlert(''); }, lang }), [lang]);
  // arrows, Home and End move between tabs (the ARIA tabs pattern)
  const onKey = (e) => {
    const i = ids.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: ids.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const id = ids[(next + ids.length) % ids.length];
    open(id);
    list.current?.querySelector(`#atab-${id}`)?.focus();
  };
  const Section = SECTIONS[tab];
  return (
    <div class="admin">
      <h1 class="visually-hidden">{t('admin.title')}</h1>
      <div role="tablist" aria-label={t('admin.title')} class="tabs" ref={list} onKeyDown={onKey}>
        {ids.map((id) => (
          <button type="button" role="tab" id={`atab-${id}`} aria-controls={`apanel-${id}`}
            aria-selected={tab === id ? 'true' : 'false'} tabindex={tab === id ? 0 : -1} onClick={() => open(id)}>
            {t(`admin.tab.${id}`)}
          </button>
        ))}
      </div>
      <p role="status" class="status">{inLanguage(status, t)}</p>
      <p role="alert" class="error">{inLanguage(alert, t)}</p>
      <div role="tabpanel" id={`apanel-${tab}`} aria-labelledby={`atab-${tab}`}>
        <PageStatus.Provider value={cleared}>
          <Section key={tab} t={t} lang={lang} me={me} say={say} fail={fail} confirm={confirm} />
        </PageStatus.Provider>
      </div>
      {dialog}
    </div>
  );
}
