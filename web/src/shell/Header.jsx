// The top bar of every page: the brand the page works for (with a switch
// for a person of several brands), the language, and sign out. An agent
// holding contacts is told first what leaving the brand does to them
// (Leaving.jsx), and stays unless they choose to go.
import { useRef, useState } from 'preact/hooks';
import { LANGUAGES } from '../i18n/index.js';
import { pagesFor } from '../pages.js';
import { Leaving, holdings } from './Leaving.jsx';

export function BrandSwitch({ t, me, onSwitch }) {
  const tenants = (me.memberships || []).filter((m) => !m.disabled);
  const current = tenants.find((m) => m.tenant_id === me.tenant_id);
  if (tenants.length < 2)
    return <p class="brand">{t('brand.working_for', { brand: current ? current.tenant : '' })}</p>;
  return (
    <p class="brand">
      <label for="brand-switch">{t('brand.label')}</label>{' '}
      <select id="brand-switch" value={me.tenant_id} onChange={(e) => onSwitch(Number(e.target.value), e.target)}>
        {tenants.map((m) => <option value={m.tenant_id}>{m.tenant}</option>)}
      </select>
    </p>
  );
}

export function Header({ t, lang, setLang, me, onLogout, onSwitch }) {
  // {holding, to, go, back}: the warning shown, where leaving goes, the control to come back to
  const [leaving, setLeaving] = useState(null);
  const asking = useRef(false); // a second press while the server is asked asks nothing more
  const brandOf = (id) => (me?.memberships || []).find((m) => m.tenant_id === id)?.tenant || '';
  // a role that takes no contacts (an author, a planner, the platform's admin) holds none: nothing to ask
  const takesContacts = pagesFor(me?.role).some((p) => p.id === 'agent');
  const leave = (to, go, back, undo = () => {}) => {
    if (!takesContacts) return go();
    if (asking.current) return;
    asking.current = true;
    holdings().then((holding) => {
      asking.current = false;
      if (!holding) return go();
      setLeaving({ holding, to, go, back, undo });
    });
  };
  const stay = () => {
    leaving.undo();
    setLeaving(null);
  };
  const go = () => {
    const then = leaving.go;
    setLeaving(null);
    then();
  };
  const logout = (e) => leave(null, onLogout, e.currentTarget);
  // the select shows the brand chosen at once: back to the current one if the agent stays
  const switchTo = (id, select) => leave(brandOf(id), () => onSwitch(id), select,
    () => { select.value = String(me.tenant_id); });
  return (
    <header class="top">
      <span class="logo">{t('app.name')}</span>
      {me && <BrandSwitch t={t} me={me} onSwitch={switchTo} />}
      <span class="spacer" />
      <span class="lang">
        <label for="lang">{t('lang.label')}</label>{' '}
        <select id="lang" value={lang} onChange={(e) => setLang(e.target.value)}>
          {Object.keys(LANGUAGES).map((l) => <option value={l}>{l === 'fr' ? 'Français' : 'English'}</option>)}
        </select>
      </span>
      {me && <span class="who">{me.actor}</span>}
      {me && <button type="button" onClick={logout}>{t('logout')}</button>}
      {leaving && (
        <Leaving t={t} holding={leaving.holding} from={brandOf(me.tenant_id)} to={leaving.to} back={leaving.back}
          onStay={stay} onLeave={go} />
      )}
    </header>
  );
}
