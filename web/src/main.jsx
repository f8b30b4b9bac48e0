// The web desktop's entry: finds whether a session exists (GET /me), then
// shows the login or the person's page, in the language chosen.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api.js';
import { failed, initialLanguage, keepLanguage, translator } from './i18n/index.js';
import { Login } from './login/Login.jsx';
import { Agent } from './agent/Agent.jsx';
import { Header } from './shell/Header.jsx';
import { pagesFor } from './pages.js';
import './style.css';

// A page loaded on first use: its chunk, then the page with the same props.
function Lazy({ load, ...props }) {
  const [Page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { load().then((p) => setPage(() => p), setError); }, [load]);
  if (error) return <p role="alert">{failed(props.t, error)}</p>;
  return Page ? <Page {...props} /> : <p role="status">{props.t('loading')}</p>;
}

function App() {
  const [lang, setLang] = useState(initialLanguage());
  const [me, setMe] = useState(undefined); // undefined: asking; null: signed out
  // the server's refusals' catalogue came after the switch: what was said is said again
  const [catalogues, setCatalogues] = useState(0);
  const t = useMemo(() => translator(lang), [lang, catalogues]);

  useEffect(() => { keepLanguage(lang).then((came) => came && setCatalogues((n) => n + 1)); }, [lang]);
  const refresh = () => api.me().then(setMe, () => setMe(null));
  useEffect(() => { refresh(); }, []);

  const logout = () => api.logout().finally(() => setMe(null));
  const switchTenant = (id) => api.switchTenant(id).then(refresh);
  // a person whose role has other pages than the agent desktop starts on the
  // first of them; the address's #page/route opens another (a link from one
  // page to an item of another, the back button)
  const pages = me ? pagesFor(me.role) : [];
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const sync = () => setHash(location.hash);
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, []);
  const [chosen, ...rest] = hash.replace(/^#/, '').split('/');
  const page = pages.find((p) => p.id === chosen) || pages[0];
  const route = page && page.id === chosen ? rest.map(decodeURIComponent).join('/') : '';
  const setPage = (id) => { location.hash = id; };

  if (me === undefined) return null;
  return (
    <>
      <Header t={t} lang={lang} setLang={setLang} me={me} onLogout={logout} onSwitch={switchTenant} />
      {pages.length > 1 && (
        <nav class="pages" aria-label={t('nav.label')}>
          {pages.map((p) => (
            <button type="button" aria-current={page === p ? 'page' : undefined} onClick={() => setPage(p.id)}>
              {t(`nav.${p.id}`)}
            </button>
          ))}
        </nav>
      )}
      <main id="main">
        {!me ? <Login t={t} onDone={refresh} />
          : page.load ? <Lazy key={`${page.id}-${me.tenant_id}`} load={page.load} t={t} me={me} lang={lang} route={route} />
            : <Agent key={me.tenant_id} t={t} me={me} lang={lang} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app'));
