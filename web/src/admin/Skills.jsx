// The tenant's skills: create, rename in place, delete (asked first; the
// API refuses while a queue or an agent uses it, and says so).
import { useEffect, useState } from 'preact/hooks';
import { admin } from './calls.js';
import { Field, FormError, useSubmit } from './form.jsx';

function SkillRow({ t, s, say, fail, confirm, reload }) {
  const [name, setName] = useState(s.name);
  useEffect(() => setName(s.name), [s.name]);
  const rename = (e) => {
    e.preventDefault();
    admin.renameSkill(s.id, name).then(() => { say((tr) => tr('admin.skills.renamed', { name })); reload(); }, fail);
  };
  const remove = async () => {
    if (await confirm(t('admin.skills.delete_ask', { name: s.name }), t('admin.delete')))
      admin.deleteSkill(s.id).then(() => { say((tr) => tr('admin.skills.deleted', { name: s.name })); reload(); }, fail);
  };
  return (
    <li data-skill={s.id}>
      <form class="inline" onSubmit={rename}>
        <input aria-label={t('admin.skills.name_of', { name: s.name })} required value={name}
          onInput={(e) => setName(e.target.value)} />
        <button type="submit" disabled={name === s.name}>{t('admin.skills.rename')}<span class="visually-hidden"> ({s.name})</span></button>
        <button type="button" class="danger" onClick={remove}>{t('admin.delete')}<span class="visually-hidden"> ({s.name})</span></button>
      </form>
    </li>
  );
}

export function Skills({ t, say, fail, confirm }) {
  const [skills, setSkills] = useState(null);
  const [name, setName] = useState('');
  const { err, busy, run } = useSubmit();
  const reload = () => admin.skills().then((r) => setSkills(r.items), fail);
  useEffect(() => { reload(); }, []);
  const create = (e) => {
    e.preventDefault();
    run(async () => { const s = await admin.createSkill(name); setName(''); say((tr) => tr('admin.skills.created', { name: s.name })); reload(); });
  };
  return (
    <section class="admin-section split">
      <form class="admin-form" onSubmit={create}>
        <h2>{t('admin.skills.create')}</h2>
        <Field id="s-name" name="name" label={t('admin.skills.name')} err={err}>
          {(p) => <input {...p} required value={name} onInput={(e) => setName(e.target.value)} />}
        </Field>
        <FormError err={err} fields={['name']} />
        <button type="submit" class="primary" disabled={busy}>{t('admin.skills.create_submit')}</button>
      </form>
      <h2 id="skills-list">{t('admin.skills.list')}</h2>
      {skills && !skills.length && <p>{t('admin.skills.none')}</p>}
      <ul class="admin-list" aria-labelledby="skills-list">
        {(skills || []).map((s) => <SkillRow key={s.id} t={t} s={s} say={say} fail={fail} confirm={confirm} reload={reload} />)}
      </ul>
    </section>
  );
}
