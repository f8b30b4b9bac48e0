// The tenant's users: the list with each one's role (changed in place),
// disabled or not, a new password; and the form that creates one. An
// outsourcer's site has thousands: a filter by name, email, organisation
// or role finds one, and the list shows the first SHOWN_AT_MOST matching
// (every row is a form: thousands at once froze the page).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ROLES, admin } from './calls.js';
import { Field, FormError, useSubmit } from './form.jsx';
import { folded } from '../text.js';

function CreateUser({ t, onDone }) {
  const blank = { email: '', name: '', password: '', role: 'agent', organisation: '' };
  const [v, setV] = useState(blank);
  const { err, busy, run } = useSubmit();
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    const body = { email: v.email, name: v.name, password: v.password, role: v.role };
    if (v.organisation.trim()) body.organisation = v.organisation.trim();
    run(async () => { const u = await admin.createUser(body); setV(blank); onDone(u); });
  };
  return (
    <form class="admin-form wide" onSubmit={submit}>
      <h2>{t('admin.users.create')}</h2>
      <div class="field-grid">
      <Field id="u-email" name="email" label={t('admin.users.email')} err={err}>
        {(p) => <input {...p} type="email" required autocomplete="off" value={v.email} onInput={set('email')} />}
      </Field>
      <Field id="u-name" name="name" label={t('admin.users.name')} err={err}>
        {(p) => <input {...p} required value={v.name} onInput={set('name')} />}
      </Field>
      <Field id="u-password" name="password" label={t('admin.users.password')} err={err} hint={t('admin.users.password_hint')}>
        {(p) => <input {...p} type="password" required autocomplete="new-password" value={v.password} onInput={set('password')} />}
      </Field>
      <Field id="u-role" name="role" label={t('admin.users.role')} err={err}>
        {(p) => <select {...p} value={v.role} onChange={set('role')}>
          {ROLES.map((r) => <option value={r}>{t(`admin.role.${r}`)}</option>)}
        </select>}
      </Field>
      <Field id="u-org" name="organisation" label={t('admin.users.organisation')} err={err} hint={t('admin.users.organisation_hint')}>
        {(p) => <input {...p} value={v.organisation} onInput={set('organisation')} />}
      </Field>
      </div>
      <FormError err={err} fields={['email', 'name', 'password', 'role', 'organisation']} />
      <div class="buttons"><button type="submit" class="primary" disabled={busy}>{t('admin.users.create_submit')}</button></div>
    </form>
  );
}

function UserRow({ t, u, me, say, fail, confirm, reload }) {
  const [role, setRole] = useState(u.role);
  useEffect(() => setRole(u.role), [u.role]);
  const [password, setPassword] = useState(null); // null: the field is closed
  // the focus goes to the password field when it opens, back to its button when it closes
  const field = useRef(null);
  const opener = useRef(null);
  const opened = password !== null;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    (opened ? field : opener).current?.focus();
  }, [opened]);
  const act = (fn, done) => fn().then(() => { say(done); reload(); }, fail);
  const toggle = async () => {
    if (u.disabled) return act(() => admin.enable(u.id), (tr) => tr('admin.users.enabled', { name: u.name }));
    if (await confirm(t('admin.users.disable_ask', { name: u.name }), t('admin.users.disable')))
      act(() => admin.disable(u.id), (tr) => tr('admin.users.disabled', { name: u.name }));
  };
  const savePassword = (e) => {
    e.preventDefault();
    admin.setPassword(u.id, password).then(() => { setPassword(null); say((tr) => tr('admin.users.password_set', { name: u.name })); }, fail);
  };
  return (
    <tr data-user={u.id}>
      <td>{u.name}</td>
      <td>{u.email}</td>
      <td>{u.organisation}</td>
      <td>
        <span class="inline">
          <select aria-label={t('admin.users.role_of', { name: u.name })} value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => <option value={r}>{t(`admin.role.${r}`)}</option>)}
          </select>
          <button type="button" disabled={role === u.role} onClick={() => act(() => admin.setRole(u.id, role),
            t('admin.users.role_set', { name: u.name, role: t(`admin.role.${role}`) }))}>
            {t('admin.users.role_change')}<span class="visually-hidden"> ({u.name})</span>
          </button>
        </span>
      </td>
      <td>{u.disabled ? t('admin.users.state_disabled') : t('admin.users.state_enabled')}</td>
      <td>
        <div class="inline">
          {u.id !== me.user_id && (
            <button type="button" class={u.disabled ? '' : 'danger'} onClick={toggle}>
              {u.disabled ? t('admin.users.enable') : t('admin.users.disable')}<span class="visually-hidden"> ({u.name})</span>
            </button>
          )}
          {password === null ? (
            <button type="button" ref={opener} onClick={() => setPassword('')}>
              {t('admin.users.reset')}<span class="visually-hidden"> ({u.name})</span>
            </button>
          ) : (
            <form class="inline" onSubmit={savePassword}>
              <input type="password" autocomplete="new-password" required ref={field}
                aria-label={t('admin.users.new_password', { name: u.name })} value={password}
                onInput={(e) => setPassword(e.target.value)} />
              <button type="submit">{t('admin.save')}</button>
              <button type="button" onClick={() => setPassword(null)}>{t('admin.cancel')}</button>
            </form>
          )}
        </div>
      </td>
    </tr>
  );
}

const SHOWN_AT_MOST = 200;

export function Users({ t, me, say, fail, confirm }) {
  const [users, setUsers] = useState(null);
  const [find, setFind] = useState('');
  const reload = () => admin.users().then((r) => setUsers(r.items), fail);
  useEffect(() => { reload(); }, []);
  const wanted = folded(find.trim());
  const matching = useMemo(() => (users || []).filter((u) => !wanted
    || folded(`${u.name} ${u.email} ${u.organisation || ''} ${u.role}`).includes(wanted)), [users, wanted]);
  const shown = matching.slice(0, SHOWN_AT_MOST);
  return (
    <section class="admin-section">
      <CreateUser t={t} onDone={(u) => { say((tr) => tr('admin.users.created', { name: u.name })); reload(); }} />
      <div class="admin-find">
        <label for="users-find">{t('admin.users.find')}</label>
        <input id="users-find" type="search" autocomplete="off" aria-describedby="users-find-hint" value={find}
          onInput={(e) => setFind(e.target.value)} />
        <span id="users-find-hint" class="muted">{t('admin.users.find_hint')}</span>
        <span class="muted" aria-live="polite">
          {users === null ? '' : shown.length < matching.length
            ? t('admin.users.shown', { n: shown.length, of: matching.length })
            : wanted ? t('admin.users.found', { n: matching.length }) : ''}
        </span>
      </div>
      <table class="board">
        <caption>{t('admin.users.list')}</caption>
        <thead><tr>
          <th scope="col">{t('admin.users.name')}</th><th scope="col">{t('admin.users.email')}</th>
          <th scope="col">{t('admin.users.organisation')}</th><th scope="col">{t('admin.users.role')}</th>
          <th scope="col">{t('admin.users.state')}</th><th scope="col">{t('admin.actions')}</th>
        </tr></thead>
        <tbody>
          {shown.map((u) => <UserRow key={u.id} t={t} u={u} me={me} say={say} fail={fail}
            confirm={confirm} reload={reload} />)}
        </tbody>
      </table>
      {users === null && <p role="status">{t('loading')}</p>}
    </section>
  );
}
