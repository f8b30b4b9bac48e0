// The contact's whole journey, oldest first: its own events, the routing
// (queues, offers made and missed, escalations and transfers with their
// reasons) and the diagnosis sessions with the path walked, so whoever
// receives the contact sees why and what was tried without asking.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { failed } from '../i18n/index.js';

function when(at, lang) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// A step's answer: a yes-or-no question's in the page's language.
function answer(t, s) {
  return s.type === 'yesno' && (s.answer === 'yes' || s.answer === 'no') ? t(`diag.${s.answer}`) : s.answer;
}

// What an item says beyond its kind: a reason, a wait, the path walked.
function Detail({ t, item }) {
  const d = item.data || {};
  const parts = [];
  if (item.queue) parts.push(t('journey.queue', { queue: item.queue }));
  // a contact's states in the page's language (model/contact.c's names as keys)
  const state = (s) => (s ? t(`cstate.${s}`) : '');
  if (item.type === 'state_changed' && d.to) parts.push(t('journey.state', { from: state(d.from), to: state(d.to) }));
  if (item.agent) parts.push(t(item.type === 'offered' ? 'journey.offered_to' : 'journey.agent', { agent: item.agent }));
  if (d.to_queue) parts.push(t('journey.to_queue', { queue: d.to_queue }));
  if (d.waited_ms !== undefined) parts.push(t('journey.waited', { n: Math.round(d.waited_ms / 1000) }));
  if (d.talk_s !== undefined) parts.push(t('journey.talked', { n: d.talk_s }));
  if (d.held_s !== undefined) parts.push(t('journey.held', { n: d.held_s }));
  if (d.disposition) parts.push(t('journey.disposition', { disposition: d.disposition }));
  if (d.tree) parts.push(t('journey.tree', { tree: d.tree }));
  if (d.query) parts.push(t('journey.query', { query: d.query }));
  // the diagnosis' outcome and result in words, not the API's codes ('escalate', true)
  if (d.outcome) parts.push(t('journey.outcome', { outcome: t(`journey.outcome_type.${d.outcome}`) }));
  if (item.type === 'kb_outcome') parts.push(t(d.resolved ? 'journey.kb_resolved' : 'journey.kb_unresolved'));
  const path = Array.isArray(d.path) ? d.path : [];
  return (
    <>
      {parts.length > 0 && <span> · {parts.join(' · ')}</span>}
      {d.reason && <p class="reason">{t('journey.reason', { reason: d.reason })}</p>}
      {path.length > 0 && (
        <ol class="path">
          {path.map((s) => <li>{s.question} → {s.redacted ? t('diag.hidden') : s.label || answer(t, s)}</li>)}
        </ol>
      )}
    </>
  );
}

export function Journey({ t, id, lang, version, actionsRef, active }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => { // a slower earlier read never overwrites a later one
    let current = true;
    api.journey(id).then((j) => { if (current) { setItems(j.items || []); setError(''); } },
      (e) => { if (current) setError(e); });
    return () => { current = false; };
  }, [id, version]);
  if (active && actionsRef)
    actionsRef.current.journey = () => document.getElementById(`journey-${id}`)?.focus();
  return (
    <section class="journey" aria-labelledby={`journey-${id}`}>
      <h4 id={`journey-${id}`} tabindex="-1">{t('journey.title')}</h4>
      {error && <p>{failed(t, error)}</p>}
      {items && (
        <ol class="journey-items">
          {items.map((item) => (
            <li class={`journey-item from-${item.source}`} data-type={item.type}>
              <time datetime={item.at}>{when(item.at, lang)}</time>{' '}
              <strong>{t(`journey.type.${item.type}`)}</strong>
              <Detail t={t} item={item} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
