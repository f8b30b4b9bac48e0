// An SMS or social contact's replies and what became of each (GET
// /api/v1/contacts/{id}/messaging): queued, sending, sent, delivered,
// undelivered or failed with the provider's error; an email contact's
// (GET /api/v1/contacts/{id}/email-replies): queued, sending, sent or
// failed, with the mail server's answer, so that an agent whose reply waits
// for a server that does not answer knows it (the daemon tries again for
// hours before it fails). Read again whenever the
// contact changes (the agent sent a reply: ContactTab reloads it) and every
// few seconds while a reply is not final; the list is a role="status"
// region so a state that changes is said.
import { useEffect, useState } from 'preact/hooks';
import { callbackApi, isEmailFinal, isFinal } from './callbackcalls.js';
import './desk.css';
import { failed } from '../i18n/index.js';

export const DELIVERY_POLL_MS = 3000;

export function isMessaging(contact) {
  return !!contact && (contact.channel === 'sms' || contact.channel === 'social');
}

// When an email reply was written, in the page's language.
function when(lang, iso) {
  return iso ? new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)) : '';
}

export function Delivery({ t, lang, id, contact }) {
  const emailed = contact?.channel === 'email';
  const on = isMessaging(contact) || emailed;
  const [items, setItems] = useState([]);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!on) return undefined;
    let stop = false;
    (emailed ? callbackApi.emailReplies(id) : callbackApi.messaging(id))
      .then((r) => { if (!stop) { setItems(r.items || []); setError(''); } })
      .catch((e) => { if (!stop) setError(failed(t, e)); });
    return () => { stop = true; };
  }, [id, on, contact, tick]);
  // an email's acknowledgements are the mailbox's, not the agents' replies
  const out = emailed ? items.filter((m) => !m.automatic) : items.filter((m) => m.direction === 'outbound');
  const pending = out.some((m) => !(emailed ? isEmailFinal(m.state) : isFinal(m.state)));
  useEffect(() => {
    if (!on || !pending) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), DELIVERY_POLL_MS);
    return () => clearTimeout(timer);
  }, [on, pending, items]);
  if (!on) return null;
  const body = new Map((contact.messages || []).map((m) => [m.id, m.body]));
  return (
    <section class="delivery" aria-labelledby={`delivery-${id}`}>
      <h3 id={`delivery-${id}`}>{t('dlv.title')}</h3>
      {out.length === 0 ? <p class="muted">{t('dlv.none')}</p> : (
        <div role="status"><ol class="dlv-list">
          {out.map((m) => (
            <li data-message={m.message_id} data-state={m.state} class={`dlv ${m.state}`}>
              <span class="dlv-body">{emailed ? t('dlv.email', { at: when(lang, m.created_at) })
                : body.get(m.message_id) || t('dlv.message', { id: m.message_id })}</span>
              {' '}<strong class="dlv-state">{t(`dlv.state.${m.state}`)}</strong>
              {m.last_error && <span class="dlv-error">{' '}
                {t(emailed ? 'dlv.mail_error' : 'dlv.error', { error: m.last_error })}</span>}
              {m.attempts > 1 && <span class="muted">{' '}{t('dlv.attempts', { n: m.attempts })}</span>}
            </li>
          ))}
        </ol></div>
      )}
      <p role="alert" class="error">{error}</p>
    </section>
  );
}
