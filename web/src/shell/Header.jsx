// The top bar of every page: the brand the page works for (with a switch
// for a person of several brands), the language, and sign out.
import { LANGUAGES } from '../i18n/index.js';

export function BrandSwitch({ t, me, onSwitch }) {
  const tenants = (me.memberships || []).filter((m) => !m.disabled);
  const current = tenants.find((m) => m.tenant_id === me.tenant_id);
  if (tenants.length < 2)
    return <p class="brand">{t('brand.working_for', { brand: current ? current.tenant : '' })}</p>;
  return (
    <p class="brand">
      <label for="brand-switch">{t('brand.label')}</label>{' '}
      <select id="brand-switch" value={me.tenant_id} onChange={(e) => onSwitch(Number(e.target.value))}>
        {tenants.map((m) => <option value={m.tenant_id}>{m.tenant}</option>)}
      </select>
    </p>
  );
}

export function Header({ t, lang, setLang, me, onLogout, onSwitch }) {
  return (
    <header class="top">
      <span class="logo">{t('app.name')}</span>
      {me && <BrandSwitch t={t} me={me} onSwitch={onSwitch} />}
      <span class="spacer" />
      <span class="lang">
        <label for="lang">{t('lang.label')}</label>{' '}
        <select id="lang" value={lang} onChange={(e) => setLang(e.target.value)}>
          {Object.keys(LANGUAGES).map((l) => <option value={l}>{l === 'fr' ? 'Français' : 'English'}</option>)}
        </select>
      </span>
      {me && <span class="who">{me.actor}</span>}
      {me && <button type="button" onClick={onLogout}>{t('logout')}</button>}
    </header>
  );
}
