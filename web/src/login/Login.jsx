// The login page: email and password, then, for a person of several
// brands, the brand to work for (the session is switched to it).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { failed } from '../i18n/index.js';

export function Login({ t, onDone }) {
  const [error, setError] = useState('');
  const [choices, setChoices] = useState(null); // a person of several brands
  const [tenant, setTenant] = useState(0);

  async function submit(e) {
    e.preventDefault();
    const form = new FormData(e.target);
    setError('');
    try {
      const answer = await api.login(form.get('email'), form.get('password'));
      const me = await api.me();
      const tenants = (me.memberships || []).filter((m) => !m.disabled);
      if (tenants.length > 1) {
        setChoices(tenants);
        setTenant(answer.tenant_id);
      } else {
        onDone();
      }
    } catch (err) {
      if (err.status === 429) setError(t('login.busy', { n: err.retryAfter || 1 }));
      else if (err.status === 401) setError(t('login.failed'));
      else setError(failed(t, err));
    }
  }

  async function choose(e) {
    e.preventDefault();
    try {
      const me = await api.me();
      if (me.tenant_id !== tenant) await api.switchTenant(tenant);
      onDone();
    } catch (err) {
      setError(failed(t, err));
    }
  }

  if (choices)
    return (
      <form class="card" onSubmit={choose}>
        <h1>{t('login.choose_tenant')}</h1>
        <fieldset>
          <legend>{t('brand.label')}</legend>
          {choices.map((m) => (
            <label class="choice">
              <input type="radio" name="tenant" value={m.tenant_id} checked={tenant === m.tenant_id}
                onChange={() => setTenant(m.tenant_id)} /> {m.tenant}
            </label>
          ))}
        </fieldset>
        <button type="submit">{t('login.continue')}</button>
        <p role="alert" class="error">{error}</p>
      </form>
    );
  return (
    <form class="card" onSubmit={submit}>
      <h1>{t('login.title')}</h1>
      <label for="email">{t('login.email')}</label>
      <input id="email" name="email" type="email" autocomplete="username" required />
      <label for="password">{t('login.password')}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <button type="submit">{t('login.submit')}</button>
      <p role="alert" class="error">{error}</p>
    </form>
  );
}
