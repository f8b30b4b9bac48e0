// API tokens for integrations: create one (its secret shown once, with a
// copy button), the list, revoke (asked first).
import { useEffect, useState } from 'preact/hooks';
import { ROLES, admin } from './calls.js';
import { Field, FormError, formatTime, useSubmit } from './form.jsx';

function NewToken({ t, made, say }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(made.token);
      say((tr) => tr('admin.tokens.copied'));
    } catch {
      const input = document.getElementById('tok-secret');
      input.select();
      say((tr) => tr('admin.tokens.copy_by_hand'));
    }
  };
  return (
    <div class="new-token" role="group" aria-labelledby="tok-once">
      <p id="tok-once"><strong>{t('admin.tokens.once', { name: made.name })}</strong></p>
      <div class="inline">
        <label for="tok-secret" class="visually-hidden">{t('admin.tokens.secret')}</label>
        <input id="tok-secret" readonly size="52" value={made.token} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={copy}>{t('admin.tokens.copy')}</button>
      </div>
    </div>
  );
}

export function Tokens({ t, lang, me, say, fail, confirm }) {
  const [tokens, setTokens] = useState(null);
  const [v, setV] = useState({ name: '', role: 'agent', expires_days: '' });
  const [made, setMade] = useState(null);
  const { err, busy, run } = useSubmit();
  const reload = () => admin.tokens().then((r) => setTokens(r.items), fail);
  useEffect(() => { reload(); }, []);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const create = (e) => {
    e.preventDefault();
    const body = { name: v.name, role: v.role };
    if (v.expires_days !== '') body.expires_days = Number(v.expires_days);
    run(async () => {
      const tok = await admin.createToken(body);
      setMade(tok);
      setV({ name: '', role: 'agent', expires_days: '' });
      say((tr) => tr('admin.tokens.created', { name: tok.name }));
      reload();
      setTimeout(() => document.getElementById('tok-secret')?.focus(), 0);
    });
  };
  const revoke = async (tok) => {
    if (await confirm(t('admin.tokens.revoke_ask', { name: tok.name }), t('admin.tokens.revoke')))
      admin.revokeToken(tok.id).then(() => { say((tr) => tr('admin.tokens.revoked', { name: tok.name })); reload(); }, fail);
  };
  return (
    <section class="admin-section split">
      <form class="admin-form" onSubmit={create}>
        <h2>{t('admin.tokens.create')}</h2>
        <Field id="tok-name" name="name" label={t('admin.tokens.name')} err={err}>
          {(p) => <input {...p} required value={v.name} onInput={set('name')} />}
        </Field>
        <Field id="tok-role" name="role" label={t('admin.tokens.role')} err={err}>
          {(p) => <select {...p} value={v.role} onChange={set('role')}>
            {ROLES.map((r) => <option value={r}>{t(`admin.role.${r}`)}</option>)}
          </select>}
        </Field>
        <Field id="tok-expires" name="expires_days" label={t('admin.tokens.expires_days')} err={err} hint={t('admin.tokens.expires_hint')}>
          {(p) => <input {...p} type="number" min="1" value={v.expires_days} onInput={set('expires_days')} />}
        </Field>
        <FormError err={err} fields={['name', 'role', 'expires_days']} />
        <button type="submit" class="primary" disabled={busy}>{t('admin.tokens.create_submit')}</button>
      </form>
      {made && <NewToken t={t} made={made} say={say} />}
      <table class="board">
        <caption>{t('admin.tokens.list')}</caption>
        <thead><tr>
          <th scope="col">{t('admin.tokens.name')}</th><th scope="col">{t('admin.tokens.role')}</th>
          <th scope="col">{t('admin.tokens.created_at')}</th><th scope="col">{t('admin.tokens.expires_at')}</th>
          <th scope="col">{t('admin.users.state')}</th><th scope="col">{t('admin.actions')}</th>
        </tr></thead>
        <tbody>
          {(tokens || []).map((tok) => (
            <tr data-token={tok.id}>
              <td>{tok.name}</td><td>{t(`admin.role.${tok.role}`)}</td>
              <td>{formatTime(lang, tok.created_at)}</td><td>{formatTime(lang, tok.expires_at) || t('admin.tokens.never')}</td>
              <td>{tok.revoked_at ? t('admin.tokens.revoked_at', { at: formatTime(lang, tok.revoked_at) }) : t('admin.tokens.active')}</td>
              <td>{!tok.revoked_at && <button type="button" class="danger" onClick={() => revoke(tok)}>
                {t('admin.tokens.revoke')}<span class="visually-hidden"> ({tok.name})</span></button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tokens && !tokens.length && <p>{t('admin.tokens.none')}</p>}
    </section>
  );
}
