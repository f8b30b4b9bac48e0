// The wallboard's live model, without any markup: queues from the
// queue_stats the stream sends each second, agents from GET /agents (each
// with its live state) and the agents' digest sent with it. Each row is an
// immutable object replaced only when one of the figures the board shows
// changes (a queue's agents' counts are not shown: a row keeps the ones it
// came with), so the keyed, memoised rows of the page skip every row a
// second left alone (100 queues and 1,000 agents a second cost a
// comparison each, not a render each).

const QUEUE_FIELDS = ['name', 'waiting', 'longest_wait_s', 'service_level', 'sl_target', 'sl_seconds',
  'answered', 'abandoned'];
export const AGENT_STATES = ['available', 'offered', 'busy', 'wrap_up', 'paused', 'offline'];

function sameQueue(a, b) {
  if (!a) return false;
  for (const f of QUEUE_FIELDS) if (a[f] !== b[f]) return false;
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

// One agent's row from GET /agents (or a row of the page), with its live
// state when the routing knows it: the state and since when, the contacts
// it holds.
export function agentRow(a, live) {
  const presence = (live && live.presence) || a.presence || 'offline';
  const holding = live ? (live.contacts || []).filter((c) => c.state === 'assigned').map((c) => c.contact_id) : [];
  return {
    user_id: a.user_id, name: a.name || a.email, presence, reason: (live ? live.reason : a.reason) || null,
    state: live ? live.state : presence, since: ms(live && live.state_since ? live.state_since : a.presence_at),
    holding, held: !live ? 0 : live.contacts ? holding.length : Object.values(live.holding || {}).reduce((s, n) => s + n, 0),
    // the contacts it handled today (wrapped up; one handed on counts for the agent that ended it)
    handled: live && live.handled_today !== undefined ? live.handled_today : null,
  };
}

// Applies an agents' digest (the "agent_states" event the stream sends
// each second with queue_stats: the agents that changed since the last,
// each with its live state) to agents (Map user_id -> row): the Map is
// copied at most once, and the same Map is answered when no row changed.
// An agent the page does not know yet is left for the next load.
export function applyDigest(agents, digest) {
  let next = agents;
  for (const { user_id: id, live } of digest.agents) {
    const old = agents.get(id);
    if (!old) continue;
    const row = agentRow(old, live);
    if (sameAgent(old, row)) continue;
    if (next === agents) next = new Map(agents);
    next.set(id, row);
  }
  return next;
}

const AGENT_FIELDS = ['presence', 'reason', 'state', 'since', 'held', 'handled'];

function sameAgent(a, b) {
  for (const f of AGENT_FIELDS) if (a[f] !== b[f]) return false;
  return a.holding.length === b.holding.length && a.holding.every((c, i) => c === b.holding[i]);
}

// Where a page that loaded the agents at number seq stands with a digest:
// 'old' (already in what it loaded), 'next' (to apply), or 'gap' (one was
// missed: load the agents again).
export function digestPlace(seq, digest) {
  if (digest.seq <= seq) return 'old';
  return digest.seq === seq + 1 ? 'next' : 'gap';
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
