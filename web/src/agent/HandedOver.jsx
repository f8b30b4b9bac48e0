// The contacts this desk handed over (escalated or transferred) since it
// opened, in this tab's session: what became of each, read again on
// demand: its state (waiting in its new queue, taken, resolved with its
// disposition) and the last answer someone else sent the customer. An
// agent whose contact left their tabs at an escalation knew nothing more.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { localSubject } from '../i18n/errors.js';

// The newest answer to the customer written by another person than me.
function answerByOther(contact, me) {
  const sent = (contact.messages || []).filter((m) => m.kind === 'outbound' && m.author_id && m.author_id !== me.user_id);
  return sent.length ? sent[sent.length - 1].body : null;
}

export function HandedOver({ t, me, items }) {
  const [now, setNow] = useState({}); // contact id -> the contact as read last, or null
  const read = () => Promise.all(items.map((h) => api.contact(h.id).then((c) => [h.id, c], () => [h.id, null])))
    .then((pairs) => setNow(Object.fromEntries(pairs)));
  useEffect(() => { read(); }, [items.map((h) => h.id).join(',')]);
  if (!items.length) return null;
  const state = (c) => (['resolved', 'closed'].includes(c.state) && c.disposition
    ? t('handed.done', { state: t(`cstate.${c.state}`), disposition: c.disposition }) : t(`cstate.${c.state}`));
  return (
    <section class="handed" aria-labelledby="handed-title">
      <h2 id="handed-title">{t('handed.title')}</h2>
      <ul>
        {items.map((h) => {
          const c = now[h.id];
          const answer = c && answerByOther(c, me);
          return (
            <li data-contact={h.id}>
              {t('handed.item', { id: h.id, subject: localSubject(h.subject, h.channel) || t('contact.no_subject'), to: h.to })}
              {' · '}{c ? state(c) : c === null ? t('handed.unreadable') : t('loading')}
              {answer && <p class="muted">{t('handed.answer', { text: answer.length > 160 ? `${answer.slice(0, 160)}…` : answer })}</p>}
            </li>
          );
        })}
      </ul>
      <button type="button" onClick={read}>{t('handed.refresh')}</button>
    </section>
  );
}
