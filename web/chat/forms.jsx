// The web chat's forms before a conversation: the prechat form as the
// channel configures it (name, email, topic, first message), and, when the
// chat is closed, the other ways: leave a message (answered by email) and
// ask for a callback. Each error of the API shows beside its field (the
// API's "field"), the others in one role="alert" paragraph, always in the
// visitor's language (errorText: never the API's English).
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './i18n.js';

// One labelled control with its error, linked by aria-describedby.
export function Field({ id, label, error, children }) {
  const control = { ...children.props, id, 'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': error ? `${id}-error` : undefined };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <children.type {...control} />
      {error && <p id={`${id}-error`} class="error">{error}</p>}
    </div>
  );
}

// When a view replaces the one that held the focus ("Start the chat", "End
// the chat", the agent ending it under the visitor's typing), the focus
// would drop to the top of the page: it goes to target() (an element),
// where the visitor goes on. Only when the frame has the focus (never taken
// from the brand's page) and nothing in the frame holds it already; on:
// false leaves it alone.
export function useTakeFocus(target, on = true) {
  useEffect(() => {
    const lost = !document.activeElement || document.activeElement === document.body;
    if (on && lost && document.hasFocus()) target()?.focus();
  }, []);
}

// A refusal of the form itself, before any request: its text at its field.
class Refusal extends Error {
  constructor(field, text) {
    super(text);
    this.field = field;
  }
}

// submit(fn): runs fn, and sorts its error by field: at the field when the
// form has it (fields), else for the whole form
function useForm(t, fields) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState({});
  const submit = async (e, fn) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors({});
    try {
      await fn();
    } catch (err) {
      const text = err instanceof Refusal ? err.message : errorText(t, err);
      setErrors(fields.includes(err.field) ? { [err.field]: text } : { _: text });
    } finally {
      setBusy(false);
    }
  };
  return { busy, errors, submit };
}

function FormError({ errors }) {
  return <p role="alert" class="error">{errors._ || ''}</p>;
}

// takeFocus: after "Start a new chat", the first field takes the focus
export function Prechat({ t, config, client, onStarted, onClosed, takeFocus }) {
  const pre = config.prechat || {};
  const topics = pre.topics || [];
  const [v, setV] = useState({ name: '', email: '', topic: topics[0] || '', message: '' });
  const { busy, errors, submit } = useForm(t, [...['name', 'email'].filter((k) => pre[k] && pre[k] !== 'off'),
    ...(topics.length ? ['topic'] : []), 'message']);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const go = (e) => submit(e, async () => {
    const body = { message: v.message };
    for (const k of ['name', 'email']) if (pre[k] && pre[k] !== 'off' && v[k].trim()) body[k] = v[k].trim();
    if (topics.length) body.topic = v.topic;
    try {
      const chat = await client.call('POST', '/chats', body);
      onStarted(chat.id, chat.wait, { name: body.name || '', email: body.email || '' });
    } catch (err) {
      // closed meanwhile: what was typed goes to the message left instead
      if (err.status === 409) onClosed(err, { name: body.name || '', email: body.email || '', message: v.message });
      else throw err;
    }
  });
  const wait = config.wait;
  const form = useRef(null);
  useTakeFocus(() => form.current?.querySelector('input, select, textarea'), takeFocus);
  return (
    <form class="form" onSubmit={go} noValidate={false} ref={form}>
      <p>{t('prechat.intro')}</p>
      {wait && wait.expected_s != null && <p class="muted" aria-live="polite">{t('wait.expected', { n: Math.max(1, Math.round(wait.expected_s / 60)) })}</p>}
      {['name', 'email'].filter((k) => pre[k] && pre[k] !== 'off').map((k) => (
        <Field id={`pre-${k}`} label={t(pre[k] === 'required' ? `field.${k}` : `field.${k}.optional`)} error={errors[k]}>
          <input type={k === 'email' ? 'email' : 'text'} autocomplete={k} value={v[k]} onInput={set(k)}
            required={pre[k] === 'required'} maxLength={k === 'email' ? 254 : 100} />
        </Field>
      ))}
      {topics.length > 0 && (
        <Field id="pre-topic" label={t('field.topic')} error={errors.topic}>
          <select value={v.topic} onChange={set('topic')}>{topics.map((x) => <option value={x}>{x}</option>)}</select>
        </Field>
      )}
      <Field id="pre-message" label={t('field.first')} error={errors.message}>
        <textarea rows="3" value={v.message} onInput={set('message')} required maxLength={4000} />
      </Field>
      <FormError errors={errors} />
      <button type="submit" class="primary" disabled={busy}>{t('prechat.start')}</button>
    </form>
  );
}

// draft: what the visitor already typed ({name, email, message}: the chat's
// form, the words of a chat nobody came to), so that it is not typed again
function LeaveMessage({ t, client, draft = {} }) {
  const [v, setV] = useState({ name: draft.name || '', email: draft.email || '', message: draft.message || '' });
  const [done, setDone] = useState(false);
  const { busy, errors, submit } = useForm(t, ['name', 'email', 'message']);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  if (done) return <p role="status" class="done">{t('offline.message.done')}</p>;
  const go = (e) => submit(e, async () => {
    const body = { email: v.email.trim(), message: v.message };
    if (v.name.trim()) body.name = v.name.trim();
    await client.call('POST', '/messages', body);
    setDone(true);
  });
  return (
    <form class="form" onSubmit={go} aria-labelledby="leave-title">
      <h2 id="leave-title">{t('offline.message')}</h2>
      <Field id="leave-name" label={t('field.name.optional')} error={errors.name}>
        <input type="text" autocomplete="name" value={v.name} onInput={set('name')} maxLength={100} />
      </Field>
      <Field id="leave-email" label={t('field.email')} error={errors.email}>
        <input type="email" autocomplete="email" value={v.email} onInput={set('email')} required maxLength={254} />
      </Field>
      <Field id="leave-message" label={t('field.message')} error={errors.message}>
        <textarea rows="3" value={v.message} onInput={set('message')} required maxLength={4000} />
      </Field>
      <FormError errors={errors} />
      <button type="submit" class="primary" disabled={busy}>{t('offline.message.send')}</button>
    </form>
  );
}

// datetime-local gives a local time without zone: the browser's zone makes it RFC 3339
const rfc3339 = (local) => (local ? new Date(local).toISOString() : '');

// a window as the visitor reads it: "Thursday 5 June, 10:00 – 11:00"
const windowText = (lang, w) => new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long',
  hour: '2-digit', minute: '2-digit' }).formatRange(new Date(w.from), new Date(w.to));

// What the visitor is told once the request is taken: its window when it
// has one (no place in line before the window opens), else as soon as
// possible with its place while it waits. A request still open for the
// number is answered instead (existing): that one, its window unchanged.
function callbackDone(t, lang, answer) {
  const kind = answer.existing ? 'existing' : 'done';
  const lead = answer.window ? t(`offline.callback.${kind}.window`, { window: windowText(lang, answer.window) })
    : t(`offline.callback.${kind}.asap`);
  const waits = answer.state === 'waiting' && answer.position != null;
  return waits ? `${lead} ${t('offline.callback.place', { n: answer.position })}` : lead;
}

function Callback({ t, lang, config, client, draft = {} }) {
  const [v, setV] = useState({ phone: '', name: draft.name || '', from: '', to: '' });
  const [done, setDone] = useState(null);
  const { busy, errors, submit } = useForm(t, ['phone', 'name', 'window', 'window.from', 'window.to']);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  if (done) return <p role="status" class="done">{callbackDone(t, lang, done)}</p>;
  const go = (e) => submit(e, async () => {
    // half a window is no window: said, never taken for "as soon as possible"
    if (v.from && !v.to) throw new Refusal('window.to', t('offline.callback.window.to'));
    if (v.to && !v.from) throw new Refusal('window.from', t('offline.callback.window.from'));
    if (v.from && Date.parse(v.to) <= Date.parse(v.from)) throw new Refusal('window.to', t('offline.callback.window.order'));
    const body = { phone: v.phone.trim(), source: 'chat' };
    if (v.name.trim()) body.name = v.name.trim();
    if (v.from) body.window = { from: rfc3339(v.from), to: rfc3339(v.to) };
    setDone(await client.call('POST', `/public/v1/tenants/${encodeURIComponent(config.tenant)}/callbacks`, body));
  });
  return (
    <form class="form" onSubmit={go} aria-labelledby="callback-title">
      <h2 id="callback-title">{t('offline.callback')}</h2>
      <Field id="cb-phone" label={t('field.phone')} error={errors.phone}>
        <input type="tel" autocomplete="tel" value={v.phone} onInput={set('phone')} required maxLength={32} />
      </Field>
      <Field id="cb-name" label={t('field.name.optional')} error={errors.name}>
        <input type="text" autocomplete="name" value={v.name} onInput={set('name')} maxLength={100} />
      </Field>
      <fieldset>
        <legend>{t('offline.callback.window')}</legend>
        <Field id="cb-from" label={t('field.from')} error={errors['window.from'] || errors.window}>
          <input type="datetime-local" value={v.from} onInput={set('from')} />
        </Field>
        <Field id="cb-to" label={t('field.to')} error={errors['window.to']}>
          <input type="datetime-local" value={v.to} onInput={set('to')} />
        </Field>
      </fieldset>
      <FormError errors={errors} />
      <button type="submit" class="primary" disabled={busy}>{t('offline.callback.send')}</button>
    </form>
  );
}

// closed: why, as guichetd says: "hours" (outside the brand's opening
// hours) or "agents" (nobody serves the chat now, hours or none): opening
// hours are named only when the brand has them.
// checked: when "Check again" last found it still closed (ms), said in the status
export function Offline({ t, lang, config, ways, closed, checked, draft, client, onRetry }) {
  const w = ways || config.offline || {};
  const why = closed === 'hours' ? 'hours' : 'agents';
  const at = checked ? new Date(checked).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }) : '';
  return (
    <div class="offline">
      <p role="status">{t(`offline.intro.${why}`)}{checked ? ` ${t('offline.checked', { time: at })}` : ''}</p>
      {w.message && <LeaveMessage t={t} client={client} draft={draft} />}
      {w.callback && config.tenant != null && <Callback t={t} lang={lang} config={config} client={client} draft={draft} />}
      {!w.message && !(w.callback && config.tenant != null) && <p>{t(`offline.later.${why}`)}</p>}
      <button type="button" onClick={onRetry}>{t('offline.retry')}</button>
    </div>
  );
}
