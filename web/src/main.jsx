// The web desktop's entry: finds whether a session exists (GET /me), then
// shows the login or the person's page, in the language chosen.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api.js';
import { initialLanguage, keepLanguage, translator } from './i18n/index.js';
import { Login } from './login/Login.jsx';
import { Agent } from './agent/Agent.jsx';
import { Header } from './shell/Header.jsx';
import { Supervisor, SUPERVISOR_ROLES } from './supervisor/Supervisor.jsx';
import './style.css';

function App() {
  const [lang, setLang] = useState(initialLanguage());
  const [me, setMe] = useState(undefined); // undefined: asking; null: signed out
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => keepLanguage(lang), [lang]);
  const refresh = () => api.me().then(setMe, () => setMe(null));
  useEffect(() => { refresh(); }, []);

  const logout = () => api.logout().finally(() => setMe(null));
  const switchTenant = (id) => api.switchTenant(id).then(refresh);
  // supervisors and admins also have the supervisor's pages, and start there
  const [page, setPage] = useState('supervisor');
  const supervises = me && SUPERVISOR_ROLES.includes(me.role);

  if (me === undefined) return null;
  return (
    <>
      <Header t={t} lang={lang} setLang={setLang} me={me} onLogout={logout} onSwitch={switchTenant} />
      {supervises && (
        <nav class="pages" aria-label={t('nav.label')}>
          {['supervisor', 'agent'].map((p) => (
            <button type="button" aria-current={page === p ? 'page' : undefined} onClick={() => setPage(p)}>
              {t(`nav.${p}`)}
            </button>
          ))}
        </nav>
      )}
      <main id="main">
        {!me ? <Login t={t} onDone={refresh} />
          : supervises && page === 'supervisor' ? <Supervisor key={me.tenant_id} t={t} lang={lang} />
            : <Agent key={me.tenant_id} t={t} me={me} lang={lang} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app'));
