// One accepted contact: the customer's fields as the API gives them (it
// removes what the role may not see), the messages and notes, the reply,
// and the wrap-up with a disposition, chosen among the tenant's codes (or
// typed when it has none); beside them the guided diagnosis and
// the hand-over and the goodwill gestures, and below the contact's whole
// journey; above them its subject, channel and queue. A contact linked to a current incident says so above its
// messages (docs/incidents.md). A phone contact's call with the agent's
// phone shows above them, with its hold (Call.jsx); the hand-over takes
// the call with the contact while it is bridged.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Diagnosis } from './Diagnosis.jsx';
import { Handover } from './Handover.jsx';
import { Journey } from './Journey.jsx';
import { Chat } from './Chat.jsx';
import { Callback } from './Callback.jsx';
import { Call } from './Call.jsx';
import { useCallState } from './phonecalls.js';
import { Delivery } from './Delivery.jsx';
import { Gestures } from './Gestures.jsx';
import { failed } from '../i18n/index.js';
import { localSubject } from '../i18n/errors.js';

// The tenant's disposition codes, read once for every tab of the desk (and
// again in another brand).
const dispositionLists = new Map();
function useDispositions(tenantId) {
  const [list, setList] = useState(null);
  useEffect(() => {
    if (!dispositionLists.has(tenantId))
      dispositionLists.set(tenantId, api.dispositions().then((r) => r.items || [],
        () => { dispositionLists.delete(tenantId); return []; }));
    dispositionLists.get(tenantId).then(setList);
  }, [tenantId]);
  return list;
}

// The disposition: the tenant's codes by their labels, a choice required
// (a default would fill the reports with it); a text when it has none.
// While the codes load (after a reload, the first tab opens at once) the
// choice waits, disabled: a text typed there would not be one of the codes.
function Disposition({ t, id, list, value, onChange }) {
  if (list === null) {
    return (
      <>
        <label for={`disposition-${id}`}>{t('contact.disposition')}</label>
        <select id={`disposition-${id}`} disabled><option>{t('loading')}</option></select>
      </>
    );
  }
  return (
    <>
      <label for={`disposition-${id}`}>{t('contact.disposition')}</label>
      {list.length
        ? <select id={`disposition-${id}`} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('contact.disposition_choose')}</option>
          {list.map((d) => <option value={d.code}>{d.label}</option>)}
        </select>
        : <input id={`disposition-${id}`} maxLength="64" value={value} onInput={(e) => onChange(e.target.value)} />}
    </>
  );
}

function Incidents({ t, contact }) {
  const linked = (contact && contact.incidents) || [];
  if (!linked.length) return null;
  return <p class="incident-note" role="note">{t('contact.incidents', { titles: linked.map((i) => i.title).join(', ') })}</p>;
}

// What the contact is about, by which channel and from which queue: with
// several contacts open at once, the tab's number alone does not say it.
function Heading({ t, id, contact }) {
  if (!contact) return null;
  const about = [t(`channel.${contact.channel}`), contact.queue].filter(Boolean).join(' · ');
  return (
    <h3 class="contact-head" id={`head-${id}`}>
      {t('contact.tab', { id, subject: localSubject(contact.subject, contact.channel) || t('contact.no_subject') })}
      <span class="muted"> · {about}</span>
    </h3>
  );
}

// The customer's own fields by their names in the page's language; the
// attributes the brand defines by their key, as the brand wrote it.
function Customer({ t, customer }) {
  if (!customer) return <p>{t('contact.no_customer')}</p>;
  const rows = [];
  for (const name of ['external_id', 'email', 'phone'])
    if (customer[name]) rows.push([name, t(`customer.${name}`), customer[name]]);
  for (const [name, a] of Object.entries(customer.attributes || {}))
    rows.push([name, <code>{name}</code>, a && typeof a === 'object' ? a.value : a]);
  return (
    <dl class="fields">
      {rows.map(([k, label, v]) => <><dt>{label}</dt><dd data-field={k}>{String(v)}</dd></>)}
    </dl>
  );
}

export function ContactTab({ t, lang, id, me, active, say, onClosed, onHanded, replyRef, actionsRef }) {
  const [contact, setContact] = useState(null);
  const [customer, setCustomer] = useState(null);
  const [text, setText] = useState('');
  const [disposition, setDisposition] = useState('');
  const dispositions = useDispositions(me?.tenant_id);
  const [version, setVersion] = useState(0); // the journey reloads after each change

  const load = async () => {
    const c = await api.contact(id);
    setContact(c);
    setVersion((v) => v + 1);
    if (c.customer_id) setCustomer(await api.customer(c.customer_id).catch(() => null));
  };
  useEffect(() => { load().catch((e) => say((t) => failed(t, e))); }, [id]);
  const [call, reloadCall] = useCallState(id, contact);
  // the call's changes are on the timeline too
  useEffect(() => { if (call) setVersion((v) => v + 1); }, [call?.state]);

  // true once done (whatever reloading the contact then does: a reply sent
  // is never sent twice); on a failure the agent's text stays where it was.
  // done: what to say, a function of the translator (said again in a new language)
  const act = (fn, done) => fn().then(() => {
    say(done);
    load().catch((e) => say((t) => failed(t, e)));
    return true;
  }, (e) => { say((t) => failed(t, e)); return false; });
  // an email contact's reply goes out by email; the others' through their channel
  const emailed = contact?.channel === 'email';
  const send = () => text.trim() && act(() => (emailed ? api.emailReply(id, { body: text }) : api.reply(id, text)),
    (t) => t(emailed ? 'contact.emailed' : 'contact.sent')).then((ok) => ok && setText(''));
  const note = () => text.trim() && act(() => api.note(id, text), (t) => t('contact.noted')).then((ok) => ok && setText(''));
  const wrapup = () => {
    if (!disposition.trim()) {
      say((t) => t('contact.disposition_needed'));
      document.getElementById(`disposition-${id}`)?.focus();
      return undefined;
    }
    return api.wrapup(id, disposition.trim()).then(() => { say((t) => t('contact.wrapped', { id })); onClosed(id); })
      .catch((e) => say((t) => failed(t, e)));
  };
  if (active) actionsRef.current = { send, wrapup }; // for the shortcuts
  // escalated or transferred from here: the desk follows what becomes of it
  const handed = (to) => onHanded?.({ id, subject: contact?.subject || '', channel: contact?.channel, to });

  return (
    <div role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} hidden={!active} class="contact">
      <Heading t={t} id={id} contact={contact} />
      <section aria-labelledby={`customer-${id}`} class="customer">
        <h3 id={`customer-${id}`}>{t('contact.customer')}</h3>
        <Customer t={t} customer={customer} />
      </section>
      <section aria-labelledby={`messages-${id}`} class="thread">
        <Call t={t} id={id} call={call} reload={reloadCall} say={say} active={active} actionsRef={actionsRef} />
        <Callback t={t} lang={lang} id={id} contact={contact} say={say} onGone={onClosed} onChanged={() => load().catch(() => {})} />
        <Incidents t={t} contact={contact} />
        <h3 id={`messages-${id}`}>{t('contact.messages')}</h3>
        <Chat t={t} id={id} me={me} active={active} contact={contact} text={text} />
        <Delivery t={t} lang={lang} id={id} contact={contact} />
        <label for={`reply-${id}`}>{t('contact.reply')}</label>
        <textarea id={`reply-${id}`} rows="3" value={text} ref={active ? replyRef : undefined}
          onInput={(e) => setText(e.target.value)} />
        <div class="buttons">
          <button type="button" class="primary" onClick={send}>{t('contact.send')}</button>
          <button type="button" onClick={note}>{t('contact.note')}</button>
        </div>
        <Disposition t={t} id={id} list={dispositions} value={disposition} onChange={setDisposition} />
        <button type="button" onClick={wrapup}>{t('contact.wrapup')}</button>
      </section>
      <aside class="assist" aria-label={t('diag.title')}>
        <Diagnosis t={t} id={id} lang={lang} contact={contact} customer={customer} say={say} active={active}
          actionsRef={actionsRef} onSent={() => load().catch(() => {})} onStep={() => setVersion((v) => v + 1)}
          onGone={onClosed} onHanded={handed} />
        <Handover t={t} id={id} me={me} contact={contact} call={call} say={say} onGone={onClosed} onHanded={handed}
          active={active}
          actionsRef={actionsRef} />
        <Gestures t={t} lang={lang} id={id} contact={contact} say={say} />
      </aside>
      <Journey t={t} id={id} lang={lang} version={version} active={active} actionsRef={actionsRef} />
    </div>
  );
}
