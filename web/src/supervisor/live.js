// The wallboard's live model, without any markup: queues from the
// queue_stats the stream sends each second, agents from GET /agents (each
// with its live state) and the routing events. Each row is an immutable object replaced only when
// one of its figures changes, so the keyed, memoised rows of the page
// skip every row a second left alone (100 queues and 1,000 agents a second
// cost a comparison each, not a render each).

const QUEUE_FIELDS = ['name', 'waiting', 'longest_wait_s', 'service_level', 'sl_target', 'sl_seconds',
  'answered', 'abandoned'];
export const AGENT_STATES = ['available', 'offered', 'busy', 'wrap_up', 'paused', 'offline'];

function sameQueue(a, b) {
  if (!a) return false;
  for (const f of QUEUE_FIELDS) if (a[f] !== b[f]) return false;
  for (const s of AGENT_STATES) if ((a.agents || {})[s] !== (b.agents || {})[s]) return false;
  return true;
}

// queues: Map queue_id -> row. Answers the same Map when nothing changed.
export function applyQueueStats(queues, stats) {
  const next = new Map();
  let changed = stats.queues.length !== queues.size;
  for (const q of stats.queues) {
    const old = queues.get(q.queue_id);
    if (sameQueue(old, q)) next.set(q.queue_id, old);
    else { next.set(q.queue_id, q); changed = true; }
  }
  return changed ? next : queues;
}

const ms = (at) => (at ? Date.parse(at) : Date.now());

// One agent's row from GET /agents, with its live state when the routing
// knows it: the state and since when, the contacts it holds.
export function agentRow(a, live) {
  const presence = (live && live.presence) || a.presence || 'offline';
  const holding = live ? (live.contacts || []).filter((c) => c.state === 'assigned').map((c) => c.contact_id) : [];
  return {
    user_id: a.user_id, name: a.name || a.email, presence, reason: a.reason || null,
    state: live ? live.state : presence, since: ms(live && live.state_since ? live.state_since : a.presence_at),
    holding, held: live ? Math.max(holding.length, Object.values(live.holding || {}).reduce((s, n) => s + n, 0)) : 0,
  };
}

// held counts every contact the agent holds; holding lists their ids.
function stateOf(row) {
  if (row.presence !== 'available') return row.presence;
  return row.held > 0 ? 'busy' : 'available';
}

function withState(row, state, at) {
  return row.state === state ? row : { ...row, state, since: ms(at) };
}

// Applies a batch of routing events ([type, data] pairs) to agents (Map
// user_id -> row): the Map is copied at most once per batch, and the same
// Map is answered when no agent changed.
export function applyEvents(agents, batch) {
  let next = agents;
  const set = (row) => {
    if (next === agents) next = new Map(agents);
    next.set(row.user_id, row);
  };
  for (const [type, ev] of batch) applyEvent(next, set, type, ev);
  return next;
}

const LEAVES = ['wrapup_started', 'transferred', 'escalated', 'moved', 'abandoned'];

// The row holding a contact: the event's agent when it holds it, else
// whoever does.
function holderOf(agents, ev) {
  const own = ev.agent_id && agents.get(ev.agent_id);
  if (own && own.holding.includes(ev.contact_id)) return own;
  for (const row of agents.values()) if (row.holding.includes(ev.contact_id)) return row;
  return null;
}

function applyEvent(agents, set, type, ev) {
  const row = ev.agent_id && agents.get(ev.agent_id);
  if (ev.contact_id && LEAVES.includes(type) && type !== 'abandoned') {
    // the contact leaves its holder; one counted at load (no id known) leaves the event's agent
    const holder = holderOf(agents, ev) || (row && row.held > 0 ? row : null);
    if (!holder) return;
    const r = { ...holder, holding: holder.holding.filter((c) => c !== ev.contact_id), held: holder.held - 1 };
    set(withState(r, type === 'wrapup_started' && ev.wrapup_s > 0 ? 'wrap_up' : stateOf(r), ev.at));
    return;
  }
  if (!row) return;
  if (type === 'presence') {
    const r = { ...row, presence: ev.presence, reason: ev.reason || null };
    set(withState(r, stateOf(r), ev.at));
  } else if (type === 'offered' && row.state === 'available') {
    set(withState(row, 'offered', ev.at));
  } else if (['offer_expired', 'offer_withdrawn', 'rejected', 'abandoned'].includes(type) && row.state === 'offered') {
    set(withState(row, stateOf(row), ev.at));
  } else if (type === 'accepted' && !row.holding.includes(ev.contact_id)) {
    set(withState({ ...row, holding: [...row.holding, ev.contact_id], held: row.held + 1 }, 'busy', ev.at));
  } else if (type === 'wrapup_ended') {
    set(withState(row, stateOf(row), ev.at));
  }
}

// Agents by presence: { available: n, ... } over the agents' states.
export function countStates(agents) {
  const counts = Object.fromEntries(AGENT_STATES.map((s) => [s, 0]));
  for (const row of agents.values()) counts[row.state] = (counts[row.state] || 0) + 1;
  return counts;
}

// "1:05" or "1:02:03" for a duration in seconds.
export function duration(s) {
  const v = Math.max(0, Math.floor(s));
  const h = Math.floor(v / 3600);
  const m = Math.floor((v % 3600) / 60);
  const sec = String(v % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
