// The ways to reach a person, shown beside every step of the portal: the
// phone number, the email address, the chat (its launcher loaded only when
// the portal names a chat channel), a callback form when the tenant offers
// callbacks, and a request sent to a person that carries what the customer
// already did (the search, the articles seen, the diagnosis's path). The
// API's refusals show at their field in the page's language (errorText).
import { useEffect, useState } from 'preact/hooks';
import { errorText } from './i18n.js';

// The API's error at the field it names, else for the whole form.
function useErrors() {
  const [errors, setErrors] = useState({});
  const fail = (e, fields, t) => setErrors(fields.includes(e.field) ? { [e.field]: errorText(t, e) } : { form: errorText(t, e) });
  return [errors, setErrors, fail];
}

function Field({ id, label, error, children }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      <p id={`${id}-error`} class="error" role="alert">{error || ''}</p>
    </div>
  );
}

function loadChat(key) {
  const src = `/chat/v1/${encodeURIComponent(key)}/launcher.js`;
  if (document.querySelector(`script[src="${src}"]`)) return;
  const s = document.createElement('script');
  s.src = src;
  s.async = true;
  document.head.appendChild(s);
}

function SendRequest({ t, api, query, seen, session }) {
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [message, setMessage] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors, fail] = useErrors();
  const fields = ['email', 'phone', 'message'];
  const submit = (e) => {
    e.preventDefault();
    if (!email.trim() && !phone.trim()) return setErrors({ email: t('reach.send.need') });
    const reach = { email: email.trim() || undefined, phone: phone.trim() || undefined, message: message.trim() || undefined };
    setBusy(true);
    setErrors({});
    const sent = session ? api.escalateSession(session, reach) : api.escalate(query || undefined, seen, reach);
    sent.then(() => setDone(t('reach.send.done')), (err) => fail(err, fields, t)).finally(() => setBusy(false));
  };
  return (
    <form class="send" onSubmit={submit} aria-labelledby="send-title" noValidate>
      <h3 id="send-title" class="h4">{t('reach.send.title')}</h3>
      <p class="muted">{t('reach.send.known')}</p>
      <Field id="send-email" label={t('reach.send.email')} error={errors.email}>
        <input id="send-email" type="email" autocomplete="email" value={email} maxLength={254}
          aria-describedby="send-email-error" aria-invalid={errors.email ? 'true' : undefined}
          onInput={(e) => setEmail(e.target.value)} />
      </Field>
      <Field id="send-phone" label={t('reach.send.phone')} error={errors.phone}>
        <input id="send-phone" type="tel" autocomplete="tel" value={phone} maxLength={40}
          aria-describedby="send-phone-error" aria-invalid={errors.phone ? 'true' : undefined}
          onInput={(e) => setPhone(e.target.value)} />
      </Field>
      <Field id="send-message" label={t('reach.send.message')} error={errors.message}>
        <textarea id="send-message" rows={3} value={message} maxLength={10000}
          aria-describedby="send-message-error" onInput={(e) => setMessage(e.target.value)} />
      </Field>
      <button type="submit" class="primary" disabled={busy || !!done}>{t('reach.send.submit')}</button>
      <p role="status" class="status">{done}</p>
      <p role="alert" class="error">{errors.form || ''}</p>
    </form>
  );
}

// a window as the customer reads it: "Thursday 5 June, 10:00 – 11:00"
const windowText = (lang, w) => new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long',
  hour: '2-digit', minute: '2-digit' }).formatRange(new Date(w.from), new Date(w.to));

// What the customer is told once the request is taken: its window when it
// has one (no place in line before the window opens), else as soon as
// possible with its place while it waits. A request still open for the
// number is answered instead (existing): that one, its window unchanged.
function callbackDone(t, lang, answer) {
  const kind = answer.existing ? 'existing' : 'done';
  const lead = answer.window ? t(`callback.${kind}.window`, { window: windowText(lang, answer.window) })
    : t(`callback.${kind}.asap`);
  const waits = answer.state === 'waiting' && answer.position != null;
  return waits ? `${lead} ${t('callback.place', { n: answer.position })}` : lead;
}

function Callback({ t, lang, api, query }) {
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [done, setDone] = useState(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors, fail] = useErrors();
  const submit = (e) => {
    e.preventDefault();
    // half a window is no window: said, never taken for "as soon as possible"
    if (from && !to) return setErrors({ to: t('callback.window.to') });
    if (to && !from) return setErrors({ from: t('callback.window.from') });
    if (from && Date.parse(to) <= Date.parse(from)) return setErrors({ to: t('callback.window.order') });
    setErrors({});
    setBusy(true);
    const window = from ? { from: new Date(from).toISOString(), to: new Date(to).toISOString() } : undefined;
    api.callback({ phone: phone.trim(), name: name.trim() || undefined, window, context: query || '' })
      .then(setDone, (err) => fail(err, ['phone', 'name', 'window'], t)).finally(() => setBusy(false));
  };
  const windowError = errors.window || errors.from;
  return (
    <form class="callback" onSubmit={submit} aria-labelledby="callback-title" noValidate>
      <h3 id="callback-title" class="h4">{t('callback.title')}</h3>
      <Field id="cb-phone" label={t('callback.phone')} error={errors.phone}>
        <input id="cb-phone" type="tel" autocomplete="tel" value={phone} maxLength={40} required
          aria-describedby="cb-phone-error" aria-invalid={errors.phone ? 'true' : undefined}
          onInput={(e) => setPhone(e.target.value)} />
      </Field>
      <Field id="cb-name" label={t('callback.name')} error={errors.name}>
        <input id="cb-name" autocomplete="name" value={name} maxLength={200}
          aria-describedby="cb-name-error" aria-invalid={errors.name ? 'true' : undefined}
          onInput={(e) => setName(e.target.value)} />
      </Field>
      <fieldset class="window">
        <legend>{t('callback.window')}</legend>
        <div class="row">
          <Field id="cb-from" label={t('callback.from')} error={windowError}>
            <input id="cb-from" type="datetime-local" value={from} aria-describedby="cb-from-error"
              aria-invalid={windowError ? 'true' : undefined} onInput={(e) => setFrom(e.target.value)} />
          </Field>
          <Field id="cb-to" label={t('callback.to')} error={errors.to}>
            <input id="cb-to" type="datetime-local" value={to} aria-describedby="cb-to-error"
              aria-invalid={errors.to ? 'true' : undefined} onInput={(e) => setTo(e.target.value)} />
          </Field>
        </div>
      </fieldset>
      <button type="submit" disabled={busy || !!done}>{t('callback.submit')}</button>
      <p role="status" class="status">{done ? callbackDone(t, lang, done) : ''}</p>
      <p role="alert" class="error">{errors.form || ''}</p>
    </form>
  );
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// The opening hours of the tenant's calendar, day by day (none: always open).
function Hours({ t, lang, hours, zone }) {
  if (!hours || typeof hours !== 'object') return null;
  const name = (i) => new Date(Date.UTC(2024, 0, 1 + i)).toLocaleDateString(lang, { weekday: 'long', timeZone: 'UTC' });
  return (
    <>
      <h3 class="h4">{t('reach.hours', { zone: zone || 'UTC' })}</h3>
      <dl class="hours">
        {DAYS.map((d, i) => [
          <dt key={`${d}-t`}>{name(i)}</dt>,
          <dd key={`${d}-d`}>{(hours[d] || []).length ? hours[d].join(', ') : t('reach.closed_day')}</dd>,
        ])}
      </dl>
    </>
  );
}

export function Reach({ t, lang, api, contact, query, seen, session }) {
  useEffect(() => { if (contact.chat_key) loadChat(contact.chat_key); }, [contact.chat_key]);
  const tel = contact.phone ? contact.phone.replace(/[^+0-9]/g, '') : '';
  return (
    <aside class="reach" aria-labelledby="reach-title">
      <h2 id="reach-title">{t('reach.title')}</h2>
      <p>{t('reach.intro')}</p>
      <p class="open">{t(contact.open_now ? 'reach.open' : 'reach.closed')}</p>
      <ul class="ways">
        {contact.phone && <li><a href={`tel:${tel}`}>{t('reach.phone', { phone: contact.phone })}</a></li>}
        {contact.email && <li><a href={`mailto:${contact.email}`}>{t('reach.email', { email: contact.email })}</a></li>}
        {contact.chat_key && <li class="chat">{t('reach.chat')}</li>}
      </ul>
      <SendRequest t={t} api={api} query={query} seen={seen} session={session} />
      {contact.callback && <Callback t={t} lang={lang} api={api} query={query} />}
      <Hours t={t} lang={lang} hours={contact.hours} zone={contact.zone} />
    </aside>
  );
}
