// Escalate or transfer the contact to another queue, or transfer it to
// another agent, with the reason the next person reads first (it becomes a
// note and a journey event). While its phone call is bridged to the
// agent's phone (phonecalls.js), the call goes with it through the call's
// own routes (POST .../call/transfer, /call/escalate): the agent's phone
// is hung up and the caller waits with the music for the next agent.
// The contact leaves this agent's tabs once the API has taken it; a
// refusal shows as an alert under the buttons. Escalating to a level-1 queue
// is refused here, and an offline agent is listed but cannot be chosen (a
// contact would wait for nobody). The agents are read only when the agent
// opens the choice of one, with a filter by name: GET /agents is the whole
// directory, served by the daemon's writer, so the tabs of a desk share
// one reading for a while instead of each reading it when it opens.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { isBridged, phoneApi } from './phonecalls.js';
import { folded } from '../text.js';
import { failed, inLanguage } from '../i18n/index.js';

// How long the tabs of a desk share one reading of the agents.
const AGENTS_FRESH_MS = 30 * 1000;
let agentsRead = null; // { tenantId, at, promise }: the last reading

// The tenant's agents: the reading shared by the desk's tabs, or a new one
// when it is older than AGENTS_FRESH_MS, of another brand, or failed.
function readAgents(tenantId) {
  const now = Date.now();
  if (!agentsRead || agentsRead.tenantId !== tenantId || now - agentsRead.at > AGENTS_FRESH_MS) {
    const reading = { tenantId, at: now, promise: api.agents().then((r) => r.items || []) };
    reading.promise.catch(() => { if (agentsRead === reading) agentsRead = null; });
    agentsRead = reading;
  }
  return agentsRead.promise;
}

export function Handover({ t, id, me, contact, call, say, onGone, onHanded, actionsRef, active }) {
  const [queues, setQueues] = useState([]);
  const [agents, setAgents] = useState(null); // null: not read yet
  const [choosing, setChoosing] = useState(false); // the choice of an agent is open
  const [filter, setFilter] = useState('');
  const [queue, setQueue] = useState('');
  const [agent, setAgent] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState(''); // a text, or a function of t: said again in a new language
  const showError = (said) => setError(() => said);
  useEffect(() => {
    api.queues().then((r) => {
      const same = (r.items || []).filter((q) => !contact || !q.channel || q.channel === contact.channel);
      setQueues(same);
      const l2 = same.find((q) => q.level === 2) || same[0];
      if (l2) setQueue(String(l2.id));
    }, () => setQueues([]));
  }, [id, contact?.channel]);
  const bridged = isBridged(call);
  const others = useMemo(() => (agents || []).filter((a) => a.user_id !== me?.user_id), [agents, me?.user_id]);
  const wanted = folded(filter.trim());
  const found = useMemo(() => others.filter((a) => folded(a.name).includes(wanted)), [others, wanted]);
  // the agent chosen stays listed (first) whatever the filter
  const shown = useMemo(() => {
    const chosen = others.find((a) => String(a.user_id) === agent);
    return chosen && !found.includes(chosen) ? [chosen, ...found] : found;
  }, [others, found, agent]);

  const toggleAgents = () => {
    if (choosing) {
      setChoosing(false);
      setAgent(''); // closed, the transfer goes to the queue
      return;
    }
    setChoosing(true);
    readAgents(me?.tenant_id).then(setAgents, (e) => {
      setAgents([]);
      showError((t) => failed(t, e));
    });
  };

  const go = (verb) => {
    const toAgent = verb === 'transfer' && agent !== '';
    if (!reason.trim()) {
      say((t) => t('handover.reason_needed'));
      document.getElementById(`handover-reason-${id}`)?.focus();
      return undefined;
    }
    // an escalation goes up, to a level-2 queue (the API refuses others)
    if (verb === 'escalate' && queues.find((q) => String(q.id) === queue)?.level !== 2) {
      const said = (t) => t('handover.level2_needed');
      showError(said);
      say(said);
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
      const a = others.find((x) => String(x.user_id) === agent);
      const to = toAgent ? (a ? a.name : agent) : q ? q.name : queue;
      say((t) => t(bridged ? `handover.call_${verb}d` : `handover.${verb}d`, { id, queue: to }));
      onHanded?.(to);
      onGone(id);
    }, (e) => {
      const said = (t) => failed(t, e);
      showError(said);
      say(said);
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
      <button type="button" class="agent-toggle" aria-expanded={choosing ? 'true' : 'false'}
        aria-controls={`handover-agents-${id}`} onClick={toggleAgents}>
        {t('handover.agent_choose')}
      </button>
      {choosing && (
        <div id={`handover-agents-${id}`} class="agent-choice" aria-busy={agents === null ? 'true' : 'false'}>
          <label for={`handover-filter-${id}`}>{t('handover.agent_filter')}</label>
          <input id={`handover-filter-${id}`} type="search" value={filter} autocomplete="off"
            onInput={(e) => setFilter(e.target.value)} />
          <label for={`handover-agent-${id}`}>{t('handover.agent')}</label>
          <select id={`handover-agent-${id}`} value={agent} onChange={(e) => setAgent(e.target.value)}>
            <option value="">{t('handover.agent_none')}</option>
            {shown.map((a) => (
              <option key={a.user_id} value={String(a.user_id)} disabled={a.presence === 'offline'}>
                {t('handover.agent_option', { name: a.name, presence: t(`presence.${a.presence}`) })}
              </option>
            ))}
          </select>
          <p class="muted" aria-live="polite">
            {agents === null ? t('handover.agents_reading')
              : wanted ? t('handover.agents_found', { n: found.length }) : ''}
          </p>
        </div>
      )}
      <label for={`handover-reason-${id}`}>{t('handover.reason')}</label>
      <textarea id={`handover-reason-${id}`} rows="2" value={reason} onInput={(e) => setReason(e.target.value)} />
      <div class="buttons">
        <button type="button" onClick={() => go('escalate')}>{t('handover.escalate')}</button>
        <button type="button" onClick={() => go('transfer')}>{t('handover.transfer')}</button>
      </div>
      <p role="alert" class="error">{inLanguage(error, t)}</p>
    </section>
  );
}
