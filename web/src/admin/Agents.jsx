// Agents' routing profiles: for a person of the tenant, the skills with
// proficiency (1-10) and tier (1-3), the level, the capacity per channel,
// the most contacts at once and the offers missed before a pause; saved
// whole with PUT /agents/{user}. The list shows who has a profile. A
// profile with no skill, or no capacity on any channel, is allowed (an
// agent set up in two steps) but never offered a contact (every queue
// needs a skill, and a contact a channel with room): the form and the
// list say so.
import { useEffect, useState } from 'preact/hooks';
import { CHANNELS, admin } from './calls.js';
import { Field, FormError, useErrorText, useSubmit } from './form.jsx';

const SKILL_FIELDS = ['skills', 'skill_id', 'proficiency', 'tier'];

function toForm(profile, skills) {
  const have = new Map((profile?.skills || []).map((s) => [s.skill_id, s]));
  return {
    level: String(profile?.level || 1),
    skills: skills.map((s) => ({ skill_id: s.id, on: have.has(s.id), proficiency: String(have.get(s.id)?.proficiency || 5),
      tier: String(have.get(s.id)?.tier || 1) })),
    capacity: Object.fromEntries(CHANNELS.map((c) => [c, String(profile?.capacity?.[c] || 0)])),
    max_total: profile ? String(profile.max_total) : '',
    max_missed: profile ? String(profile.max_missed) : '',
  };
}

// Why a profile can never be offered a contact, or null: 'no_skill',
// 'no_capacity' or 'neither'.
function idle(skills, capacity) {
  const noSkill = !skills.length;
  const noCapacity = !Object.values(capacity).some((n) => Number(n) > 0);
  return noSkill && noCapacity ? 'neither' : noSkill ? 'no_skill' : noCapacity ? 'no_capacity' : null;
}

function toBody(v) {
  const body = { level: Number(v.level), skills: v.skills.filter((s) => s.on)
    .map((s) => ({ skill_id: s.skill_id, proficiency: Number(s.proficiency), tier: Number(s.tier) })), capacity: {} };
  for (const c of CHANNELS) if (v.capacity[c] !== '' && Number(v.capacity[c]) !== 0) body.capacity[c] = Number(v.capacity[c]);
  if (v.max_total !== '') body.max_total = Number(v.max_total);
  if (v.max_missed !== '') body.max_missed = Number(v.max_missed);
  return body;
}

// A group of inputs whose error the API names by one of names.
function Group({ id, legend, err, names, children }) {
  const mine = err && names.includes(err.field);
  const text = useErrorText(err);
  return (
    <fieldset class="group" aria-describedby={mine ? `${id}-err` : undefined}>
      <legend>{legend}</legend>
      {children}
      {mine && <p id={`${id}-err`} class="error" role="alert">{text}</p>}
    </fieldset>
  );
}

function ProfileForm({ t, user, profile, skills, onDone }) {
  const [v, setV] = useState(() => toForm(profile, skills));
  const { err, busy, run } = useSubmit();
  const setSkill = (i, k, value) => setV({ ...v, skills: v.skills.map((s, j) => (j === i ? { ...s, [k]: value } : s)) });
  const submit = (e) => {
    e.preventDefault();
    run(async () => onDone(await admin.setProfile(user.id, toBody(v))));
  };
  const body = toBody(v);
  const why = idle(body.skills, body.capacity);
  return (
    <form class="admin-form wide" onSubmit={submit}>
      <h2>{t('admin.agents.profile_of', { name: user.name })}</h2>
      <Field id="a-level" name="level" label={t('admin.agents.level')} err={err}>
        {(p) => <select {...p} value={v.level} onChange={(e) => setV({ ...v, level: e.target.value })}>
          <option value="1">1</option><option value="2">2</option>
        </select>}
      </Field>
      <Group id="a-skills" legend={t('admin.agents.skills')} err={err} names={SKILL_FIELDS}>
        {!skills.length && <p>{t('admin.skills.none')}</p>}
        <table class="compact">
          <thead><tr><th scope="col">{t('admin.agents.skill')}</th><th scope="col">{t('admin.agents.proficiency')}</th>
            <th scope="col">{t('admin.agents.tier')}</th></tr></thead>
          <tbody>
            {v.skills.map((s, i) => {
              const name = skills[i].name;
              return (
                <tr data-skill={s.skill_id}>
                  <td><label><input type="checkbox" checked={s.on} onChange={(e) => setSkill(i, 'on', e.target.checked)} /> {name}</label></td>
                  <td><input type="number" min="1" max="10" disabled={!s.on} value={s.proficiency}
                    aria-label={t('admin.agents.proficiency_of', { skill: name })} onInput={(e) => setSkill(i, 'proficiency', e.target.value)} /></td>
                  <td><select disabled={!s.on} value={s.tier} aria-label={t('admin.agents.tier_of', { skill: name })}
                    onChange={(e) => setSkill(i, 'tier', e.target.value)}>
                    <option value="1">1</option><option value="2">2</option><option value="3">3</option>
                  </select></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Group>
      <Group id="a-capacity" legend={t('admin.agents.capacity')} err={err} names={['capacity']}>
        <div class="field-grid">
          {CHANNELS.map((c) => (
            <div class="field">
              <label for={`a-cap-${c}`}>{t(`channel.${c}`)}</label>
              <input id={`a-cap-${c}`} type="number" min="0" max="100" value={v.capacity[c]}
                onInput={(e) => setV({ ...v, capacity: { ...v.capacity, [c]: e.target.value } })} />
            </div>
          ))}
        </div>
      </Group>
      <div class="field-grid">
        <Field id="a-max_total" name="max_total" label={t('admin.agents.max_total')} err={err} hint={t('admin.agents.max_total_hint')}>
          {(p) => <input {...p} type="number" min="1" max="100" value={v.max_total} onInput={(e) => setV({ ...v, max_total: e.target.value })} />}
        </Field>
        <Field id="a-max_missed" name="max_missed" label={t('admin.agents.max_missed')} err={err} hint={t('admin.agents.max_missed_hint')}>
          {(p) => <input {...p} type="number" min="1" value={v.max_missed} onInput={(e) => setV({ ...v, max_missed: e.target.value })} />}
        </Field>
      </div>
      <FormError err={err} fields={['level', 'max_total', 'max_missed', 'capacity', ...SKILL_FIELDS]} />
      {why && <p id="a-idle" class="warning">{t(`admin.agents.idle_${why}`, { name: user.name })}</p>}
      <button type="submit" class="primary" disabled={busy} aria-describedby={why ? 'a-idle' : undefined}>{t('admin.agents.save')}</button>
    </form>
  );
}

// the roles that take contacts, as the API's routing profiles allow them
const TAKES_CONTACTS = ['agent', 'expert', 'outsourced_agent', 'supervisor', 'tenant_admin'];

export function Agents({ t, say, fail }) {
  const [data, setData] = useState(null);
  const [chosen, setChosen] = useState('');
  const reload = () => Promise.all([admin.users(), admin.agents(), admin.skills()])
    .then(([u, a, s]) => setData({ users: u.items.filter((x) => !x.disabled && TAKES_CONTACTS.includes(x.role)),
      agents: a.items, skills: s.items }), fail);
  useEffect(() => { reload(); }, []);
  if (!data) return <p role="status">{t('loading')}</p>;
  const user = data.users.find((u) => String(u.id) === chosen);
  const profile = data.agents.find((a) => String(a.user_id) === chosen);
  const skillName = (id) => data.skills.find((s) => s.id === id)?.name || `#${id}`;
  const edit = (id) => { setChosen(String(id)); setTimeout(() => document.getElementById('a-person')?.focus(), 0); };
  return (
    <section class="admin-section">
      <div class="field">
        <label for="a-person">{t('admin.agents.person')}</label>
        <select id="a-person" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value="">{t('admin.choose')}</option>
          {data.users.map((u) => <option value={u.id}>{`${u.name} (${u.email})`}</option>)}
        </select>
      </div>
      {user && <ProfileForm key={chosen} t={t} user={user} profile={profile} skills={data.skills}
        onDone={(a) => {
          const why = idle(a.skills, a.capacity);
          say((tr) => tr(why ? 'admin.agents.saved_idle' : 'admin.agents.saved', { name: user.name }));
          reload();
        }} />}
      <table class="board">
        <caption>{t('admin.agents.list')}</caption>
        <thead><tr>
          <th scope="col">{t('admin.users.name')}</th><th scope="col">{t('admin.agents.level')}</th>
          <th scope="col">{t('admin.agents.skills')}</th><th scope="col">{t('admin.agents.capacity')}</th>
          <th scope="col">{t('admin.agents.max_total')}</th><th scope="col">{t('admin.agents.max_missed')}</th>
          <th scope="col">{t('admin.actions')}</th>
        </tr></thead>
        <tbody>
          {data.agents.map((a) => (
            <tr data-agent={a.user_id}>
              <td>{a.name}{idle(a.skills, a.capacity) && <span class="warning"> ({t('admin.agents.never_offered')})</span>}</td><td>{a.level}</td>
              <td>{a.skills.map((s) => t('admin.agents.skill_value', { skill: skillName(s.skill_id), p: s.proficiency, tier: s.tier })).join(', ')}</td>
              <td>{Object.entries(a.capacity).map(([c, n]) => `${t(`channel.${c}`)} ${n}`).join(', ')}</td>
              <td>{a.max_total}</td><td>{a.max_missed}</td>
              <td><button type="button" onClick={() => edit(a.user_id)}>{t('admin.edit')}<span class="visually-hidden"> ({a.name})</span></button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {!data.agents.length && <p>{t('admin.agents.none')}</p>}
    </section>
  );
}
