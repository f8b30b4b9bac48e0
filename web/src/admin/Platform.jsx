// The platform admin's tab: organisations (brands and outsourcers), the
// tenants and the organisation each belongs to (a new one with its first
// administrator, or none), and a role given to a person
// in a tenant (an outsourcer's agent serving a second brand). Only a
// platform admin sees it: these routes are ROUTE_PLATFORM, and giving a role
// in another tenant stays theirs (docs/security.md: tenants are sealed).
import { useEffect, useState } from 'preact/hooks';
import { ROLES, admin } from './calls.js';
import { Field, FormError, useSubmit } from './form.jsx';

function Organisations({ t, orgs, say, reload }) {
  const [v, setV] = useState({ name: '', kind: 'outsourcer' });
  const { err, busy, run } = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    run(async () => { const o = await admin.createOrganisation(v); setV({ ...v, name: '' }); say((tr) => tr('admin.orgs.created', { name: o.name })); reload(); });
  };
  return (
    <div>
      <form class="admin-form" onSubmit={submit}>
        <h2>{t('admin.orgs.create')}</h2>
        <Field id="o-name" name="name" label={t('admin.orgs.name')} err={err}>
          {(p) => <input {...p} required value={v.name} onInput={(e) => setV({ ...v, name: e.target.value })} />}
        </Field>
        <Field id="o-kind" name="kind" label={t('admin.orgs.kind')} err={err}>
          {(p) => <select {...p} value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value })}>
            <option value="brand">{t('admin.orgs.brand')}</option><option value="outsourcer">{t('admin.orgs.outsourcer')}</option>
          </select>}
        </Field>
        <FormError err={err} fields={['name', 'kind']} />
        <button type="submit" class="primary" disabled={busy}>{t('admin.orgs.create_submit')}</button>
      </form>
      <table class="board">
        <caption>{t('admin.orgs.list')}</caption>
        <thead><tr><th scope="col">{t('admin.orgs.name')}</th><th scope="col">{t('admin.orgs.kind')}</th></tr></thead>
        <tbody>{orgs.map((o) => <tr><td>{o.name}</td><td>{t(`admin.orgs.${o.kind}`)}</td></tr>)}</tbody>
      </table>
    </div>
  );
}

function Tenants({ t, tenants, orgs, say, reload }) {
  const empty = { name: '', organisation: '', email: '', admin_name: '', password: '' };
  const [v, setV] = useState(empty);
  const { err, busy, run } = useSubmit();
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  // the first administrator is made with the brand when an email is typed:
  // without one, a new brand had nobody to administer it
  const withAdmin = v.email !== '' || v.admin_name !== '' || v.password !== '';
  const submit = (e) => {
    e.preventDefault();
    const body = { name: v.name };
    if (v.organisation) body.organisation = v.organisation;
    if (withAdmin) body.admin = { email: v.email, name: v.admin_name, password: v.password };
    run(async () => {
      let x;
      try {
        x = await admin.createTenant(body);
      } catch (e) {
        if (e.code === 'email_unavailable') e.message = t('admin.tenants.admin_taken', { email: v.email });
        throw e;
      }
      setV(empty);
      say((tr) => (x.admin ? tr('admin.tenants.created_with_admin', { name: x.name, email: x.admin.email })
        : tr('admin.tenants.created', { name: x.name })));
      reload();
    });
  };
  const fields = ['name', 'organisation', 'admin.email', 'admin.name', 'admin.password'];
  return (
    <div>
      <form class="admin-form" onSubmit={submit}>
        <h2>{t('admin.tenants.create')}</h2>
        <Field id="tn-name" name="name" label={t('admin.tenants.name')} err={err}>
          {(p) => <input {...p} required value={v.name} onInput={set('name')} />}
        </Field>
        <Field id="tn-org" name="organisation" label={t('admin.tenants.organisation')} err={err}>
          {(p) => <select {...p} value={v.organisation} onChange={set('organisation')}>
            <option value="">{t('admin.tenants.own_organisation')}</option>
            {orgs.map((o) => <option value={o.name}>{o.name}</option>)}
          </select>}
        </Field>
        <fieldset class="group" aria-describedby="tn-admin-hint">
          <legend>{t('admin.tenants.admin')}</legend>
          <p class="muted" id="tn-admin-hint">{t('admin.tenants.admin_hint')}</p>
          <Field id="tn-admin-email" name="admin.email" label={t('admin.tenants.admin_email')} err={err}>
            {(p) => <input {...p} type="email" autocomplete="off" required={withAdmin} value={v.email} onInput={set('email')} />}
          </Field>
          <Field id="tn-admin-name" name="admin.name" label={t('admin.tenants.admin_name')} err={err}>
            {(p) => <input {...p} autocomplete="off" required={withAdmin} value={v.admin_name} onInput={set('admin_name')} />}
          </Field>
          <Field id="tn-admin-password" name="admin.password" label={t('admin.tenants.admin_password')} err={err}
            hint={t('admin.tenants.admin_password_hint')}>
            {(p) => <input {...p} type="password" autocomplete="new-password" required={withAdmin} value={v.password}
              onInput={set('password')} />}
          </Field>
        </fieldset>
        <FormError err={err} fields={fields} />
        <button type="submit" class="primary" disabled={busy}>{t('admin.tenants.create_submit')}</button>
      </form>
      <table class="board">
        <caption>{t('admin.tenants.list')}</caption>
        <thead><tr><th scope="col">{t('admin.tenants.name')}</th><th scope="col">{t('admin.tenants.organisation')}</th></tr></thead>
        <tbody>{tenants.map((x) => <tr><td>{x.name}</td><td>{x.organisation}</td></tr>)}</tbody>
      </table>
    </div>
  );
}

function Grant({ t, tenants, say }) {
  const [v, setV] = useState({ email: '', tenant: '', role: 'outsourced_agent' });
  const { err, busy, run } = useSubmit();
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      await admin.grant(v);
      say((tr) => tr('admin.grant.done', { email: v.email, tenant: v.tenant, role: tr(`admin.role.${v.role}`) }));
      setV({ ...v, email: '' });
    });
  };
  return (
    <form class="admin-form" onSubmit={submit}>
      <h2>{t('admin.grant.title')}</h2>
      <p class="muted">{t('admin.grant.hint')}</p>
      <Field id="g-email" name="email" label={t('admin.users.email')} err={err}>
        {(p) => <input {...p} type="email" required value={v.email} onInput={set('email')} />}
      </Field>
      <Field id="g-tenant" name="tenant" label={t('admin.grant.tenant')} err={err}>
        {(p) => <select {...p} required value={v.tenant} onChange={set('tenant')}>
          <option value="">{t('admin.choose')}</option>
          {tenants.map((x) => <option value={x.name}>{x.name}</option>)}
        </select>}
      </Field>
      <Field id="g-role" name="role" label={t('admin.users.role')} err={err}>
        {(p) => <select {...p} value={v.role} onChange={set('role')}>
          {ROLES.map((r) => <option value={r}>{t(`admin.role.${r}`)}</option>)}
        </select>}
      </Field>
      <FormError err={err} fields={['email', 'tenant', 'role']} />
      <button type="submit" class="primary" disabled={busy}>{t('admin.grant.submit')}</button>
    </form>
  );
}

export function Platform({ t, say, fail }) {
  const [data, setData] = useState(null);
  const reload = () => Promise.all([admin.organisations(), admin.tenants()])
    .then(([o, x]) => setData({ orgs: o.items, tenants: x.items }), fail);
  useEffect(() => { reload(); }, []);
  if (!data) return <p role="status">{t('loading')}</p>;
  return (
    <section class="admin-section platform">
      <Grant t={t} tenants={data.tenants} say={say} />
      <Tenants t={t} tenants={data.tenants} orgs={data.orgs} say={say} reload={reload} />
      <Organisations t={t} orgs={data.orgs} say={say} reload={reload} />
    </section>
  );
}
