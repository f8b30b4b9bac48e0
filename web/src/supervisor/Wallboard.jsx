// The wallboard: per queue what waits and how the day goes, agents by
// state, each agent's state, time in it, the contacts it handled today and
// what it holds; a supervisor moves a contact or forces an agent's
// presence. Both tables are windowed (window.js): only the rows on screen
// and a margin are in the document, laid out as grids with table roles,
// aria-rowcount and aria-rowindex saying where they stand. Rows are keyed
// and memoised (Row skips a render when its row object is the same), the
// tables skip a render when their data did not change, and the seconds in
// state are written straight into their cells, in the frame that applies
// the second's events, so the ticking clock never re-renders a row.
import { Component } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, events, WALLBOARD_EVENTS } from '../api.js';
import { AGENT_STATES, agentRow, applyDigest, applyQueueStats, countStates, digestPlace, duration } from './live.js';
import { useRowWindow } from './window.js';
import { folded } from '../text.js';
import './wallboard.css';

// A row rendered again only when its data, its language or its place changed.
class Row extends Component {
  shouldComponentUpdate(next) {
    return next.row !== this.props.row || next.t !== this.props.t || next.index !== this.props.index;
  }
  render({ row, render, index }) {
    return render(row, index);
  }
}

// A table or form rendered again only when one of its props changed (its
// data, its language, the wall screen): a second that changed agents only
// skips the queues, and the other way round.
class Pure extends Component {
  shouldComponentUpdate(next) {
    for (const k in next) if (next[k] !== this.props[k]) return true;
    return false;
  }
  render({ of: Table, ...props }) {
    return <Table {...props} />;
  }
}

const percents = {};
function percent(lang, v) {
  if (v === null || v === undefined) return '–';
  percents[lang] ||= new Intl.NumberFormat(lang, { style: 'percent' });
  return percents[lang].format(v);
}

function QueueTable({ t, lang, queues, wall, day }) {
  const rows = [...queues.values()];
  const win = useRowWindow(rows.length, wall);
  const render = (q, i) => (
    <div role="row" class="grow queue" key={q.queue_id} data-queue={q.queue_id} aria-rowindex={i + 2}>
      <span role="rowheader">{q.name}</span>
      <span role="cell" class="num waiting">{t('num', { n: q.waiting })}</span>
      <span role="cell" class="num">{duration(q.longest_wait_s)}</span>
      <span role="cell" class="num">
        <span class={q.service_level !== null && q.service_level < q.sl_target ? 'below' : ''}>{percent(lang, q.service_level)}</span>
        <span class="muted"> / {percent(lang, q.sl_target)} {t('super.within', { n: q.sl_seconds })}</span>
      </span>
      <span role="cell" class="num">{t('num', { n: q.answered })}</span>
      <span role="cell" class="num">{t('num', { n: q.abandoned })}</span>
    </div>
  );
  return (
    <div role="table" class="grid queues" aria-labelledby="queues-caption" aria-rowcount={rows.length + 1}>
      {/* the day's counters start at the tenant's midnight, not the reader's: which day, in which zone */}
      <p id="queues-caption" class="caption">{day ? t('super.queues_since', { day: day.split(' ')[0], zone: day.split(' ')[1] })
        : t('super.queues')}</p>
      <div role="rowgroup">
        <div role="row" class="grow queue head" aria-rowindex="1">
          <span role="columnheader">{t('super.queue')}</span>
          <span role="columnheader" class="num">{t('super.waiting')}</span>
          <span role="columnheader" class="num">{t('super.longest_wait')}</span>
          <span role="columnheader" class="num">{t('super.service_level')}</span>
          <span role="columnheader" class="num">{t('super.answered')}</span>
          <span role="columnheader" class="num">{t('super.abandoned')}</span>
        </div>
      </div>
      <div role="rowgroup" ref={win.group} style={win.style}>
        {rows.length === 0 && <div role="row" class="grow"><span role="cell">{t('super.no_queue')}</span></div>}
        {rows.slice(win.first, win.last).map((q, i) =>
          <Row key={q.queue_id} row={q} t={t} render={render} index={win.first + i} />)}
      </div>
    </div>
  );
}

// Rendered again only for a new name or language: an agent's row changes
// every time its state does, its form does not.
class ForceState extends Component {
  shouldComponentUpdate(next) {
    return next.row.name !== this.props.row.name || next.t !== this.props.t;
  }
  render(props) {
    return <ForceForm {...props} />;
  }
}

function ForceForm({ t, row, onForce }) {
  const [presence, setPresence] = useState('paused');
  const id = `force-${row.user_id}`;
  return (
    <form class="inline" onSubmit={(e) => { e.preventDefault(); onForce(row.user_id, presence); }}>
      <label for={id} class="visually-hidden">{t('super.force_for', { name: row.name })}</label>
      <select id={id} value={presence} onChange={(e) => setPresence(e.target.value)}>
        {['available', 'paused', 'offline'].map((p) => <option value={p}>{t(`presence.${p}`)}</option>)}
      </select>
      <button type="submit" aria-label={t('super.force_for', { name: row.name })}>{t('super.force')}</button>
    </form>
  );
}

// A pause reason in the page's language when the catalogue has it (the
// reasons are free text: the router's own, an integration's).
function reason(t, r) {
  const key = `reason.${r}`;
  const text = t(key);
  return text === key ? r : text;
}

// The contacts an agent holds, each a button that picks it for a move;
// how many when their numbers are not known.
function Holds({ t, a, onPick }) {
  const rest = a.held - a.holding.length;
  return (
    <>
      {a.holding.map((c, i) => (
        <>
          {i > 0 && ' '}
          <button type="button" class="link" aria-label={t('super.pick', { id: c })} onClick={() => onPick(c)}>#{c}</button>
        </>
      ))}
      {(rest > 0 || a.held === 0) && ` ${t('super.holding', { n: rest })}`}
    </>
  );
}

// Writes the time in state of the agents' rows in the document (the
// window's forty or so): called in the frame that applies a second's events.
// The text node preact rendered is kept (its data changed), so a render of
// the row later still finds it in place.
function tickClocks(table) {
  if (!table) return;
  const now = Date.now();
  for (const el of table.querySelectorAll('[data-since]')) {
    const text = duration((now - Number(el.dataset.since)) / 1000);
    const node = el.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE) {
      if (node.data !== text) node.data = text;
    } else el.textContent = text;
  }
}

// A grid with table roles rather than a <table>, windowed: a thousand
// agents cost the rows on screen. The rows on screen are all the page has,
// so the browser's find cannot reach the others: a filter by name and by
// state finds an agent among thousands.
function AgentTable({ t, agents, onForce, onPick, wall }) {
  const [name, setName] = useState('');
  const [state, setState] = useState('');
  const all = [...agents.values()];
  const wanted = folded(name.trim());
  const rows = wanted || state
    ? all.filter((a) => (!state || a.state === state) && (!wanted || folded(a.name).includes(wanted))) : all;
  const win = useRowWindow(rows.length, wall);
  const render = (a, i) => (
    <div role="row" class="grow" key={a.user_id} data-agent={a.user_id} aria-rowindex={i + 2}>
      <span role="rowheader">{a.name}</span>
      <span role="cell" class="cut" title={a.reason ? reason(t, a.reason) : undefined}>
        <span class={`state ${a.state}`}>{t(`astate.${a.state}`)}</span>{a.reason ? ` (${reason(t, a.reason)})` : ''}</span>
      <span role="cell" class="num"><span data-since={a.since}>{duration((Date.now() - a.since) / 1000)}</span></span>
      <span role="cell" class="num handled">{a.handled ?? ''}</span>
      <span role="cell"><Holds t={t} a={a} onPick={onPick} /></span>
      <span role="cell"><ForceState t={t} row={a} onForce={onForce} /></span>
    </div>
  );
  return (
    <>
    <div class="agent-filter">
      <label for="agent-find">{t('super.find_agent')}</label>
      <input id="agent-find" type="search" autocomplete="off" value={name} onInput={(e) => setName(e.target.value)} />
      <label for="agent-state">{t('super.state')}</label>
      <select id="agent-state" value={state} onChange={(e) => setState(e.target.value)}>
        <option value="">{t('super.all_states')}</option>
        {AGENT_STATES.map((s) => <option value={s}>{t(`astate.${s}`)}</option>)}
      </select>
      <span class="muted" aria-live="polite">{wanted || state ? t('super.agents_shown', { n: rows.length, of: all.length }) : ''}</span>
    </div>
    <div role="table" class="grid agents" aria-labelledby="agents-caption" aria-rowcount={rows.length + 1}>
      <p id="agents-caption" class="caption">{t('super.agents')}</p>
      <div role="rowgroup">
        <div role="row" class="grow head" aria-rowindex="1">
          <span role="columnheader">{t('super.agent')}</span>
          <span role="columnheader">{t('super.state')}</span>
          <span role="columnheader" class="num">{t('super.in_state')}</span>
          <span role="columnheader" class="num">{t('super.handled_today')}</span>
          <span role="columnheader">{t('super.holds')}</span>
          <span role="columnheader">{t('super.force')}</span>
        </div>
      </div>
      <div role="rowgroup" ref={win.group} style={win.style}>
        {rows.length === 0 && <div role="row" class="grow">
          <span role="cell">{t(all.length ? 'super.no_agent_found' : 'super.no_agent')}</span></div>}
        {rows.slice(win.first, win.last).map((a, i) =>
          <Row key={a.user_id} row={a} t={t} render={render} index={win.first + i} />)}
      </div>
    </div>
    </>
  );
}

function MoveForm({ t, queues, onMove, contact, setContact }) {
  const [queue, setQueue] = useState('');
  const list = [...queues.values()];
  const target = queue || (list[0] && String(list[0].queue_id)) || '';
  return (
    <form class="move" onSubmit={(e) => { e.preventDefault(); onMove(Number(contact), Number(target)); }}>
      <h2>{t('super.move')}</h2>
      <label for="move-contact">{t('super.move_contact')}</label>
      <input id="move-contact" type="number" min="1" required value={contact} onInput={(e) => setContact(e.target.value)} />
      <label for="move-queue">{t('super.move_queue')}</label>
      <select id="move-queue" value={target} onChange={(e) => setQueue(e.target.value)}>
        {list.map((q) => <option value={q.queue_id}>{q.name}</option>)}
      </select>
      <button type="submit">{t('super.move_submit')}</button>
    </form>
  );
}

// The agents with their live state, in one request, and the number of the
// last digest they include.
async function loadAgents() {
  const { items, seq } = await api.agents();
  return { agents: new Map(items.map((a) => [a.user_id, agentRow(a, a.live)])), seq };
}

export function Wallboard({ t, lang, say, fail }) {
  const [queues, setQueues] = useState(new Map());
  const [day, setDay] = useState(''); // "YYYY-MM-DD zone", the day the queues' counters count
  const [agents, setAgents] = useState(new Map());
  const [wall, setWall] = useState(false);
  const root = useRef(null);

  useEffect(() => {
    const counting = (s) => s.day && setDay(`${s.day} ${s.zone}`);
    api.queueStats().then((s) => { setQueues((q) => applyQueueStats(q, s)); counting(s); }, fail);
    // the stream sends, once a second, the queues' figures and the digest
    // of the agents that changed: one render a second, whatever the number
    // of changes. Digests wait while the agents load; one missed (a slow
    // connection gets the latest only) means loading them again.
    let seq = null; // the last digest applied; null while loading
    let waiting = [];
    const load = () => {
      seq = null;
      loadAgents().then((loaded) => {
        let map = loaded.agents;
        seq = loaded.seq;
        const later = waiting;
        waiting = [];
        for (const d of later) {
          const place = digestPlace(seq, d);
          if (place === 'gap') return load();
          if (place === 'next') { map = applyDigest(map, d); seq = d.seq; }
        }
        setAgents(map);
      }, fail);
    };
    load();
    // the clock ticks in the frame of the second's events (queue_stats
    // comes each second); on its own only when they are late
    let timer = 0;
    const tick = () => {
      clearTimeout(timer);
      timer = setTimeout(tick, 1100);
      tickClocks(root.current);
    };
    tick();
    // the two events of a second come in two tasks: applied together, in
    // one animation frame (a hidden page has none: a timer there)
    let stats = null;
    let digests = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      tick();
      if (stats) {
        setQueues((q) => applyQueueStats(q, stats));
        counting(stats);
      }
      stats = null;
      const list = digests;
      digests = [];
      if (seq === null) { waiting.push(...list); return; }
      const next = [];
      for (const d of list) {
        const place = digestPlace(seq, d);
        if (place === 'gap') return load();
        if (place === 'next') { next.push(d); seq = d.seq; }
      }
      if (next.length) setAgents((a) => next.reduce(applyDigest, a));
    };
    const close = events((type, ev) => {
      if (type === 'queue_stats') stats = ev;
      else digests.push(ev);
      if (!scheduled) {
        scheduled = true;
        if (document.hidden) setTimeout(flush, 250);
        else requestAnimationFrame(flush);
      }
    }, WALLBOARD_EVENTS);
    return () => { clearTimeout(timer); close(); };
  }, []);

  useEffect(() => {
    const sync = () => setWall(document.fullscreenElement === root.current);
    document.addEventListener('fullscreenchange', sync);
    return () => document.removeEventListener('fullscreenchange', sync);
  }, []);
  // Escape leaves the wall screen, also where the browser refused the
  // Fullscreen API (its own Escape then has nothing to leave). Listened to
  // from the start, the state read as rendered: an Escape pressed as soon
  // as the wall screen shows is not lost to an effect that has not run yet.
  const wallShown = useRef(false);
  wallShown.current = wall;
  useEffect(() => {
    const onKey = (e) => {
      if (e.key !== 'Escape' || !wallShown.current) return;
      setWall(false);
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  // the Fullscreen API where the browser allows it; the large layout in any case
  const toggleWall = () => {
    const on = !wall;
    setWall(on);
    if (on && root.current.requestFullscreen) root.current.requestFullscreen().catch(() => {});
    else if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
  };

  const counts = useMemo(() => countStates(agents), [agents]);
  // the rows keep the callbacks they were rendered with: stable ones,
  // calling the latest
  const latest = useRef({});
  const force = (userId, presence) => api.forcePresence(userId, presence, presence === 'paused' ? 'supervisor' : undefined)
    .then((a) => {
      const row = agentRow(a, a.live);
      setAgents((m) => new Map(m).set(userId, row));
      say((tr) => tr('super.forced', { name: row.name, state: tr(`presence.${presence}`) }));
    }, fail);
  const [picked, setPicked] = useState('');
  const pick = (id) => {
    setPicked(String(id));
    if (wall) toggleWall();
    requestAnimationFrame(() => document.getElementById('move-queue')?.focus());
  };
  const move = (id, queueId) => api.move(id, queueId)
    .then(() => { const queue = queues.get(queueId)?.name || queueId; say((tr) => tr('super.moved', { id, queue })); }, fail);
  latest.current = { force, pick, move };
  const onForce = useCallback((...a) => latest.current.force(...a), []);
  const onPick = useCallback((...a) => latest.current.pick(...a), []);
  const onMove = useCallback((...a) => latest.current.move(...a), []);

  return (
    <section ref={root} class={`wallboard${wall ? ' wall' : ''}`} aria-labelledby="wallboard-title">
      <div class="board-head">
        <h2 id="wallboard-title">{t('super.wallboard')}</h2>
        <button type="button" aria-pressed={wall ? 'true' : 'false'} onClick={toggleWall}>{t('super.fullscreen')}</button>
      </div>
      <ul class="presence-counts" aria-label={t('super.by_state')}>
        {AGENT_STATES.map((s) => (
          <li data-state={s}><span class="count">{t('num', { n: counts[s] })}</span> {t(`astate.${s}`)}</li>
        ))}
      </ul>
      <Pure of={QueueTable} t={t} lang={lang} queues={queues} wall={wall} day={day} />
      <Pure of={AgentTable} t={t} agents={agents} onForce={onForce} onPick={onPick} wall={wall} />
      {!wall && <Pure of={MoveForm} t={t} queues={queues} onMove={onMove} contact={picked} setContact={setPicked} />}
    </section>
  );
}
