// The tenant's queues: the list, and one form that creates a queue or edits
// the one chosen, with every field the API takes (docs/api.md, Routing);
// the API's error shows at the field it names. Delete asks first.
import { useEffect, useState } from 'preact/hooks';
import { CHANNELS, QUEUE_DEFAULTS, STRATEGIES, admin } from './calls.js';
import { Field, FormError, useSubmit } from './form.jsx';

const NUMBERS = ['sl_target', 'sl_seconds', 'offer_timeout_s', 'wrapup_s', 'max_wait_s', 'tier_delay_s', 'sticky_s'];
const FIELDS = ['name', 'skill_id', 'channel', 'level', 'strategy', ...NUMBERS, 'overflow_to', 'first_response_s', 'hours'];
const BLANK = { name: '', skill_id: '', channel: 'chat', level: '1', strategy: 'longest_idle', ...QUEUE_DEFAULTS.chat,
  wrapup_s: '0', max_wait_s: '0', tier_delay_s: '0', sticky_s: '0', overflow_to: '', first_response_s: '', hours: '' };

function toForm(q) {
  const v = { ...BLANK };
  for (const k of FIELDS) if (q[k] !== null && q[k] !== undefined) v[k] = typeof q[k] === 'object' ? JSON.stringify(q[k], null, 1) : String(q[k]);
  return v;
}

// The body of the request; a local error {field, message} for what cannot be sent.
function toBody(v, t) {
  const body = { name: v.name, skill_id: Number(v.skill_id), channel: v.channel, level: Number(v.level), strategy: v.strategy };
  for (const k of NUMBERS) if (v[k] !== '') body[k] = Number(v[k]);
  body.overflow_to = v.overflow_to ? Number(v.overflow_to) : null;
  body.first_response_s = v.first_response_s !== '' ? Number(v.first_response_s) : null;
  if (v.hours.trim() === '') body.hours = null;
  else {
    try { body.hours = JSON.parse(v.hours); } catch {
      throw Object.assign(new Error(t('admin.queues.hours_bad')), { field: 'hours' });
    }
  }
  return body;
}

function QueueForm({ t, queue, queues, skills, onDone, onCancel }) {
  const [v, setV] = useState(queue ? toForm(queue) : BLANK);
  const { err, busy, run } = useSubmit();
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  // a queue overflows only to another queue of its channel (the API refuses others)
  const targets = queues.filter((q) => (!queue || q.id !== queue.id) && q.channel === v.channel);
  // a new channel's service level and offer window replace those of the
  // old one that nobody changed (an email answered "80% in 20 s" is not a goal)
  const setChannel = (e) => {
    const channel = e.target.value;
    const keep = queues.some((q) => String(q.id) === String(v.overflow_to) && q.channel === channel);
    const next = { ...v, channel, overflow_to: keep ? v.overflow_to : '' };
    for (const [k, was] of Object.entries(QUEUE_DEFAULTS[v.channel] || {}))
      if (v[k] === was) next[k] = QUEUE_DEFAULTS[channel][k];
    setV(next);
  };
  // a queue chosen for editing: the focus goes to its form
  useEffect(() => { if (queue) document.getElementById('q-name')?.focus(); }, []);
  const submit = (e) => {
    e.preventDefault();
    run(async () => {
      const body = toBody(v, t);
      const q = queue ? await admin.updateQueue(queue.id, body) : await admin.createQueue(body);
      onDone(q, !queue);
    });
  };
  const num = (k, min, step) => (
    <Field id={`q-${k}`} name={k} label={t(`admin.queues.${k}`)} err={err}>
      {(p) => <input {...p} type="number" min={min} step={step || 1} value={v[k]} onInput={set(k)} />}
    </Field>
  );
  return (
    <form class="admin-form wide" onSubmit={submit} aria-labelledby="queue-form-title">
      <h2 id="queue-form-title">{queue ? t('admin.queues.edit_title', { name: queue.name }) : t('admin.queues.create')}</h2>
      <div class="field-grid">
        <Field id="q-name" name="name" label={t('admin.queues.name')} err={err}>
          {(p) => <input {...p} required value={v.name} onInput={set('name')} />}
        </Field>
        <Field id="q-skill_id" name="skill_id" label={t('admin.queues.skill_id')} err={err}
          hint={skills.length ? undefined : t('admin.queues.no_skill')}>
          {(p) => <select {...p} required value={v.skill_id} onChange={set('skill_id')}>
            <option value="">{t('admin.choose')}</option>
            {skills.map((s) => <option value={s.id}>{s.name}</option>)}
          </select>}
        </Field>
        <Field id="q-channel" name="channel" label={t('admin.queues.channel')} err={err}>
          {(p) => <select {...p} value={v.channel} onChange={setChannel}>
            {CHANNELS.map((c) => <option value={c}>{t(`channel.${c}`)}</option>)}
          </select>}
        </Field>
        <Field id="q-level" name="level" label={t('admin.queues.level')} err={err}>
          {(p) => <select {...p} value={v.level} onChange={set('level')}>
            <option value="1">1</option><option value="2">2</option>
          </select>}
        </Field>
        <Field id="q-strategy" name="strategy" label={t('admin.queues.strategy')} err={err}>
          {(p) => <select {...p} value={v.strategy} onChange={set('strategy')}>
            {STRATEGIES.map((s) => <option value={s}>{t(`admin.strategy.${s}`)}</option>)}
          </select>}
        </Field>
        {num('sl_target', 0.01, 0.01)}
        {num('sl_seconds', 1)}
        {num('offer_timeout_s', 0)}
        {num('wrapup_s', 0)}
        {num('max_wait_s', 0)}
        <Field id="q-overflow_to" name="overflow_to" label={t('admin.queues.overflow_to')} err={err}>
          {(p) => <select {...p} value={v.overflow_to} onChange={set('overflow_to')}>
            <option value="">{t('admin.queues.no_overflow')}</option>
            {targets.map((q) => <option value={q.id}>{q.name}</option>)}
          </select>}
        </Field>
        {num('tier_delay_s', 0)}
        {num('sticky_s', 0)}
        <Field id="q-first_response_s" name="first_response_s" label={t('admin.queues.first_response_s')} err={err}
          hint={t('admin.queues.blank_none')}>
          {(p) => <input {...p} type="number" min="1" value={v.first_response_s} onInput={set('first_response_s')} />}
        </Field>
      </div>
      <Field id="q-hours" name="hours" label={t('admin.queues.hours')} err={err} hint={t('admin.queues.hours_hint')}>
        {(p) => <textarea {...p} rows="3" value={v.hours} onInput={set('hours')} />}
      </Field>
      <FormError err={err} fields={FIELDS} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>{queue ? t('admin.save') : t('admin.queues.create_submit')}</button>
        {queue && <button type="button" onClick={onCancel}>{t('admin.cancel')}</button>}
      </div>
    </form>
  );
}

export function Queues({ t, say, fail, confirm }) {
  const [queues, setQueues] = useState(null);
  const [skills, setSkills] = useState([]);
  const [editing, setEditing] = useState(null);
  const [made, setMade] = useState(0); // queues created here: a new key empties the form
  const reload = () => Promise.all([admin.queues(), admin.skills()])
    .then(([q, s]) => { setQueues(q.items); setSkills(s.items); }, fail);
  useEffect(() => { reload(); }, []);
  const skillName = (id) => skills.find((s) => s.id === id)?.name || `#${id}`;
  const queueName = (id) => (queues || []).find((q) => q.id === id)?.name || `#${id}`;
  const remove = async (q) => {
    if (await confirm(t('admin.queues.delete_ask', { name: q.name }), t('admin.delete')))
      admin.deleteQueue(q.id).then(() => { say((tr) => tr('admin.queues.deleted', { name: q.name })); setEditing(null); reload(); }, fail);
  };
  const done = (q, created) => {
    say((tr) => tr(created ? 'admin.queues.created' : 'admin.queues.saved', { name: q.name }));
    setEditing(null);
    if (created) setMade(made + 1);
    reload();
  };
  return (
    <section class="admin-section">
      {queues && <QueueForm key={editing ? editing.id : `new-${made}`} t={t} queue={editing} queues={queues} skills={skills}
        onDone={done} onCancel={() => setEditing(null)} />}
      <table class="board">
        <caption>{t('admin.queues.list')}</caption>
        <thead><tr>
          <th scope="col">{t('admin.queues.name')}</th><th scope="col">{t('admin.queues.skill_id')}</th>
          <th scope="col">{t('admin.queues.channel')}</th><th scope="col">{t('admin.queues.level')}</th>
          <th scope="col">{t('admin.queues.sl')}</th><th scope="col">{t('admin.queues.offer_timeout_s')}</th>
          <th scope="col">{t('admin.queues.overflow_to')}</th><th scope="col">{t('admin.actions')}</th>
        </tr></thead>
        <tbody>
          {(queues || []).map((q) => (
            <tr data-queue={q.id}>
              <td>{q.name}</td><td>{skillName(q.skill_id)}</td><td>{t(`channel.${q.channel}`)}</td><td>{q.level}</td>
              <td>{t('admin.queues.sl_value', { pct: Math.round(q.sl_target * 100), s: q.sl_seconds })}</td>
              <td>{q.offer_timeout_s}</td>
              <td>{q.overflow_to ? t('admin.queues.overflow_value', { name: queueName(q.overflow_to), s: q.max_wait_s }) : '—'}</td>
              <td><div class="inline">
                <button type="button" onClick={() => setEditing(q)}>{t('admin.edit')}<span class="visually-hidden"> ({q.name})</span></button>
                <button type="button" class="danger" onClick={() => remove(q)}>{t('admin.delete')}<span class="visually-hidden"> ({q.name})</span></button>
              </div></td>
            </tr>
          ))}
        </tbody>
      </table>
      {queues && !queues.length && <p>{t('admin.queues.none')}</p>}
    </section>
  );
}
