// Escalate or transfer the contact to another queue, or transfer it to
// another agent, with the reason the next person reads first (it becomes a
// note and a journey event). While its phone call is bridged to the
// agent's phone (phonecalls.js), the call goes with it through the call's
// own routes (POST .../call/transfer, /call/escalate): the agent's phone
// is hung up and the caller waits with the music for the next agent.
// The contact leaves this agent's tabs once the API has taken it; a
// refusal shows as an alert under the buttons. Escalating to a level-1 queue
// is refused here, and an offline agent is listed but cannot be chosen (a
// contact would wait for nobody).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { isBridged, phoneApi } from './phonecalls.js';

export function Handover({ t, id, me, contact, call, say, onGone, actionsRef, active }) {
  const [queues, setQueues] = useState([]);
  const [agents, setAgents] = useState([]);
  const [queue, setQueue] = useState('');
  const [agent, setAgent] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    api.queues().then((r) => {
      const same = (r.items || []).filter((q) => !contact || !q.channel || q.channel === contact.channel);
      setQueues(same);
      const l2 = same.find((q) => q.level === 2) || same[0];
      if (l2) setQueue(String(l2.id));
    }, () => setQueues([]));
  }, [id, contact?.channel]);
  useEffect(() => {
    api.agents().then((r) => setAgents((r.items || []).filter((a) => a.user_id !== me?.user_id)), () => setAgents([]));
  }, [id, me?.user_id]);
  const bridged = isBridged(call);

  const go = (verb) => {
    const toAgent = verb === 'transfer' && agent !== '';
    if (!reason.trim()) {
      say(t('handover.reason_needed'));
      document.getElementById(`handover-reason-${id}`)?.focus();
      return undefined;
    }
    // an escalation goes up, to a level-2 queue (the API refuses others)
    if (verb === 'escalate' && queues.find((q) => String(q.id) === queue)?.level !== 2) {
      const text = t('handover.level2_needed');
      setError(text);
      say(text);
      document.getElementById(`handover-queue-${id}`)?.focus();
      return undefined;
    }
    const target = toAgent ? { agent_id: Number(agent) } : { queue_id: Number(queue) };
    const why = reason.trim();
    setError('');
    const request = verb === 'escalate'
      ? (bridged ? phoneApi.escalate : api.escalate)(id, Number(queue), why)
      : (bridged ? phoneApi.transfer : api.transfer)(id, target, why);
    return request.then(() => {
      const q = queues.find((x) => String(x.id) === queue);
      const a = agents.find((x) => String(x.user_id) === agent);
      const to = toAgent ? (a ? a.name : agent) : q ? q.name : queue;
      say(t(bridged ? `handover.call_${verb}d` : `handover.${verb}d`, { id, queue: to }));
      onGone(id);
    }, (e) => {
      const text = t('error.generic', { message: e.message });
      setError(text);
      say(text);
    });
  };
  if (active && actionsRef)
    actionsRef.current.escalate = () => document.getElementById(`handover-reason-${id}`)?.focus();

  return (
    <section class="handover" aria-labelledby={`handover-${id}`}>
      <h4 id={`handover-${id}`}>{t(bridged ? 'handover.call_title' : 'handover.title')}</h4>
      {bridged && <p class="call-hint">{t('handover.call_hint')}</p>}
      <label for={`handover-queue-${id}`}>{t('handover.queue')}</label>
      <select id={`handover-queue-${id}`} value={queue} onChange={(e) => setQueue(e.target.value)}>
        {queues.map((q) => (
          <option value={String(q.id)}>{q.level === 2 ? t('handover.level2', { name: q.name }) : q.name}</option>
        ))}
      </select>
      <label for={`handover-agent-${id}`}>{t('handover.agent')}</label>
      <select id={`handover-agent-${id}`} value={agent} onChange={(e) => setAgent(e.target.value)}>
        <option value="">{t('handover.agent_none')}</option>
        {agents.map((a) => (
          <option value={String(a.user_id)} disabled={a.presence === 'offline'}>{t('handover.agent_option', { name: a.name,
            presence: t(`presence.${a.presence}`) })}</option>
        ))}
      </select>
      <label for={`handover-reason-${id}`}>{t('handover.reason')}</label>
      <textarea id={`handover-reason-${id}`} rows="2" value={reason} onInput={(e) => setReason(e.target.value)} />
      <div class="buttons">
        <button type="button" onClick={() => go('escalate')}>{t('handover.escalate')}</button>
        <button type="button" onClick={() => go('transfer')}>{t('handover.transfer')}</button>
      </div>
      <p role="alert" class="error">{error}</p>
    </section>
  );
}
