// Escalate or transfer the contact to another queue, with the reason the
// next person reads first (it becomes a note and a journey event). The
// contact leaves this agent's tabs once the API has taken it.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';

export function Handover({ t, id, contact, say, onGone, actionsRef, active }) {
  const [queues, setQueues] = useState([]);
  const [queue, setQueue] = useState('');
  const [reason, setReason] = useState('');
  useEffect(() => {
    api.queues().then((r) => {
      const same = (r.items || []).filter((q) => !contact || !q.channel || q.channel === contact.channel);
      setQueues(same);
      const l2 = same.find((q) => q.level === 2) || same[0];
      if (l2) setQueue(String(l2.id));
    }, () => setQueues([]));
  }, [id, contact?.channel]);

  const go = (verb) => {
    if (!reason.trim()) {
      say(t('handover.reason_needed'));
      document.getElementById(`handover-reason-${id}`)?.focus();
      return undefined;
    }
    const call = verb === 'escalate' ? api.escalate : api.transfer;
    return call(id, Number(queue), reason.trim()).then(() => {
      const q = queues.find((x) => String(x.id) === queue);
      say(t(`handover.${verb}d`, { id, queue: q ? q.name : queue }));
      onGone(id);
    }, (e) => say(t('error.generic', { message: e.message })));
  };
  if (active && actionsRef)
    actionsRef.current.escalate = () => document.getElementById(`handover-reason-${id}`)?.focus();

  return (
    <section class="handover" aria-labelledby={`handover-${id}`}>
      <h4 id={`handover-${id}`}>{t('handover.title')}</h4>
      <label for={`handover-queue-${id}`}>{t('handover.queue')}</label>
      <select id={`handover-queue-${id}`} value={queue} onChange={(e) => setQueue(e.target.value)}>
        {queues.map((q) => (
          <option value={String(q.id)}>{q.level === 2 ? t('handover.level2', { name: q.name }) : q.name}</option>
        ))}
      </select>
      <label for={`handover-reason-${id}`}>{t('handover.reason')}</label>
      <textarea id={`handover-reason-${id}`} rows="2" value={reason} onInput={(e) => setReason(e.target.value)} />
      <div class="buttons">
        <button type="button" onClick={() => go('escalate')}>{t('handover.escalate')}</button>
        <button type="button" onClick={() => go('transfer')}>{t('handover.transfer')}</button>
      </div>
    </section>
  );
}
