// The supervisor's incidents and announcements (docs/portal.md): the
// current ones and, on demand, the ended; a form to create one (kind,
// title, body, area, severity and keywords for an incident, expected end,
// published or not) whose API errors show at the field they name; and on each, publish,
// end and remove (asked first in a dialog). What changed is said through
// the page's role="status" (say), what failed outside the form by fail.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { Field, FormError, useConfirm, useSubmit } from '../admin/form.jsx';
import './incidents.css';

const KINDS = ['incident', 'announcement'];
const SEVERITIES = ['minor', 'major', 'critical'];
const FIELDS = ['kind', 'title', 'body', 'area', 'severity', 'keywords', 'expected_end_at', 'published'];

export const incidentApi = {
  list: (all) => call('GET', `/api/v1/incidents${all ? '?all=1' : ''}`),
  create: (body) => call('POST', '/api/v1/incidents', body),
  update: (id, body) => call('PATCH', `/api/v1/incidents/${id}`, body),
  end: (id) => call('POST', `/api/v1/incidents/${id}/end`),
  remove: (id) => call('DELETE', `/api/v1/incidents/${id}`),
};

function when(lang, iso) {
  return iso ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '';
}

function Create({ t, onCreated }) {
  const empty = { kind: 'incident', title: '', body: '', area: '', severity: 'major', keywords: '', expected_end_at: '',
    published: false };
  const [form, setForm] = useState(empty);
  const { err, busy, run } = useSubmit();
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const submit = (e) => {
    e.preventDefault();
    const body = { kind: form.kind, title: form.title, published: form.published };
    for (const k of ['body', 'area']) if (form[k].trim()) body[k] = form[k];
    if (form.kind === 'incident') body.severity = form.severity;
    // one phrase a line: a contact whose words mention one is linked to the incident
    const keywords = form.keywords.split('\n').map((k) => k.trim()).filter(Boolean);
    if (form.kind === 'incident' && keywords.length) body.keywords = keywords;
    if (form.expected_end_at) body.expected_end_at = new Date(form.expected_end_at).toISOString();
    run(async () => {
      const made = await incidentApi.create(body);
      setForm(empty);
      onCreated(made);
    });
  };
  return (
    <form class="inc-create" onSubmit={submit} aria-labelledby="inc-create-title" noValidate>
      <h2 id="inc-create-title">{t('inc.create')}</h2>
      <Field id="inc-kind" name="kind" label={t('inc.kind')} err={err}>
        {(p) => <select {...p} value={form.kind} onChange={set('kind')}>
          {KINDS.map((k) => <option value={k}>{t(`inc.kind.${k}`)}</option>)}</select>}
      </Field>
      <Field id="inc-title" name="title" label={t('inc.title_field')} err={err}>
        {(p) => <input {...p} type="text" value={form.title} onInput={set('title')} />}
      </Field>
      <Field id="inc-body" name="body" label={t('inc.body')} err={err}>
        {(p) => <textarea {...p} rows="3" value={form.body} onInput={set('body')} />}
      </Field>
      <Field id="inc-area" name="area" label={t('inc.area')} err={err}>
        {(p) => <input {...p} type="text" value={form.area} onInput={set('area')} />}
      </Field>
      {form.kind === 'incident' && (
        <Field id="inc-severity" name="severity" label={t('inc.severity')} err={err}>
          {(p) => <select {...p} value={form.severity} onChange={set('severity')}>
            {SEVERITIES.map((s) => <option value={s}>{t(`inc.severity.${s}`)}</option>)}</select>}
        </Field>
      )}
      {form.kind === 'incident' && (
        <Field id="inc-keywords" name="keywords" label={t('inc.keywords')} err={err}>
          {(p) => <textarea {...p} rows="2" value={form.keywords} onInput={set('keywords')} />}
        </Field>
      )}
      <Field id="inc-end" name="expected_end_at" label={t('inc.expected_end')} err={err}>
        {(p) => <input {...p} type="datetime-local" value={form.expected_end_at} onInput={set('expected_end_at')} />}
      </Field>
      <div class="field inc-check">
        <input id="inc-published" type="checkbox" checked={form.published} onChange={set('published')} />
        <label for="inc-published">{t('inc.publish_now')}</label>
      </div>
      <FormError err={err} fields={FIELDS} />
      <button type="submit" class="primary" disabled={busy}>{t('inc.create_submit')}</button>
    </form>
  );
}

export function Incidents({ t, lang, say, fail }) {
  const [all, setAll] = useState(false);
  const [items, setItems] = useState(null);
  const [dialog, confirm] = useConfirm(t);
  const load = () => incidentApi.list(all).then((r) => setItems(r.items || [])).catch(fail);
  useEffect(() => { load(); }, [all]);
  const act = (fn, text) => fn().then(() => { say(text); return load(); }).catch(fail);
  const publish = (i) => act(() => incidentApi.update(i.id, { published: true }), (tr) => tr('inc.published_msg', { title: i.title }));
  const end = (i) => act(() => incidentApi.end(i.id), (tr) => tr('inc.ended_msg', { title: i.title }));
  const remove = async (i) => {
    if (await confirm(t('inc.remove_confirm', { title: i.title }), t('inc.remove')))
      act(() => incidentApi.remove(i.id), (tr) => tr('inc.removed_msg', { title: i.title }));
  };
  return (
    <div class="incidents">
      <Create t={t} onCreated={(i) => { say((tr) => tr('inc.created_msg', { title: i.title })); load(); }} />
      <section aria-labelledby="inc-list-title" class="inc-list">
        <h2 id="inc-list-title">{all ? t('inc.list_all') : t('inc.list_current')}</h2>
        <div class="inc-check">
          <input id="inc-all" type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          <label for="inc-all">{t('inc.show_ended')}</label>
        </div>
        {items && items.length === 0 && <p class="muted">{t('inc.none')}</p>}
        <ul>
          {(items || []).map((i) => (
            <li data-incident={i.id} class={`inc ${i.kind}${i.ended_at ? ' ended' : ''}`}>
              <h3>{i.title}</h3>
              <p class="inc-meta">
                {t(`inc.kind.${i.kind}`)}
                {i.severity && <> · {t(`inc.severity.${i.severity}`)}</>}
                {i.area && <> · {i.area}</>}
                {' · '}{i.published ? t('inc.state.published') : t('inc.state.draft')}
                {i.ended_at ? <> · {t('inc.ended_at', { at: when(lang, i.ended_at) })}</>
                  : i.expected_end_at && <> · {t('inc.expected_at', { at: when(lang, i.expected_end_at) })}</>}
              </p>
              {i.body && <p class="inc-body">{i.body}</p>}
              {i.keywords && i.keywords.length > 0 && (
                <p class="muted">{t('inc.keywords_list', { list: i.keywords.join(' · ') })}</p>
              )}
              <div class="buttons">
                {!i.published && !i.ended_at && <button type="button" aria-label={t('inc.publish_label', { title: i.title })}
                  onClick={() => publish(i)}>{t('inc.publish')}</button>}
                {!i.ended_at && <button type="button" aria-label={t('inc.end_label', { title: i.title })}
                  onClick={() => end(i)}>{t('inc.end')}</button>}
                <button type="button" class="danger" aria-label={t('inc.remove_label', { title: i.title })}
                  onClick={() => remove(i)}>{t('inc.remove')}</button>
              </div>
            </li>
          ))}
        </ul>
      </section>
      {dialog}
    </div>
  );
}
