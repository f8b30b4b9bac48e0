// wallboard_update: the main-thread work a second of real updates costs the
// supervisor's wallboard with Q queues and A agents loaded. Each second, a
// tenth of the agents change presence through the API (forced by the
// admin: paused, ten seconds later available again), and the server sends
// its queue_stats of every queue; the page also ticks each agent's time in
// state. The work is the CPU time of the page's main thread, from
// Chromium's trace (see seconds() below): the events' dispatch, the page's
// batching and render, style, layout and paint, and the ticking clock,
// summed per second. Median and p95 of the seconds. Tracing itself costs a
// little; both pages pay it.
//
// References, in the same run and the same seconds:
// - the wallboard's idle second (before the updates: queue_stats with
//   nothing changed, and the clock);
// - a bare page of the same origin in a browser context of its own (its
//   own renderer), logged in as the same supervisor, holding the same rows
//   (a table of Q queues and A agents, written by a few lines of plain DOM
//   code, rows with content-visibility, as the wallboard's were before its window) and
//   applying the same stream (the changed cells' text only, at once) and
//   the same clock.
//
// Both pages are measured at their top (the queues on screen), or with
// WALLBOARD_AT=agents scrolled to their agents' rows (the wallboard renders
// the rows on screen only: there, the agents' rows are what it updates).
import { writeFileSync } from 'node:fs';
import { PASSWORD, SUPERVISOR, parallel } from './daemon.mjs';
import { login, percentile, round } from './util.mjs';

const IDLE_SECONDS = 5;

// The bare page's wallboard: what the same updates cost in plain DOM.
function plainWallboard({ email, password }) {
  const json = (r) => {
    if (!r.ok) throw new Error(`${r.url}: ${r.status}`);
    return r.json();
  };
  return fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, session: 'cookie' }) }).then(json)
    .then(() => Promise.all([fetch('/api/v1/queues/stats').then(json), fetch('/api/v1/agents').then(json)]))
    .then(([stats, { items }]) => {
      document.head.innerHTML = '<style>tr { content-visibility: auto; contain-intrinsic-size: auto 1.5em }</style>';
      document.body.innerHTML = '';
      const table = (rows, cells) => {
        const t = document.createElement('table');
        const map = new Map();
        for (const [id, values] of rows) {
          const tr = t.insertRow();
          map.set(id, Array.from({ length: cells }, (_, i) => {
            const td = tr.insertCell();
            td.textContent = values[i] ?? '';
            return td;
          }));
        }
        document.body.append(t);
        return map;
      };
      const queueCells = (q) => [q.name, q.waiting, q.longest_wait_s, q.service_level, q.answered, q.abandoned,
        ...Object.values(q.agents || {})];
      const queues = table(stats.queues.map((q) => [q.queue_id, queueCells(q)]), 12);
      const now = Date.now();
      const since = new Map();
      const agents = table(items.map((a) => {
        since.set(a.user_id, now);
        return [a.user_id, [a.name, a.presence, '0:00', '']];
      }), 4);
      const set = (td, v) => {
        const text = String(v ?? '');
        if (td.textContent !== text) td.textContent = text;
      };
      const source = new EventSource('/api/v1/events');
      source.addEventListener('queue_stats', (e) => {
        for (const q of JSON.parse(e.data).queues) {
          const cells = queues.get(q.queue_id);
          if (cells) queueCells(q).forEach((v, i) => set(cells[i], v));
        }
      });
      source.addEventListener('presence', (e) => {
        const ev = JSON.parse(e.data);
        const cells = agents.get(ev.agent_id);
        if (!cells) return;
        set(cells[1], ev.presence);
        since.set(ev.agent_id, Date.now());
      });
      setInterval(() => {
        const t = Date.now();
        for (const [id, cells] of agents) {
          const s = Math.floor((t - since.get(id)) / 1000);
          set(cells[2], `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`);
        }
      }, 1000);
      return new Promise((ok) => source.addEventListener('open', ok));
    });
}

// Chromium's trace of the seconds measured: the main thread of each page's
// renderer (CrRendererMain; each page is in a browser context, so a
// process, of its own), told apart by a performance.mark each page makes.
// Each top-level task's thread time (tdur, CPU time: a task descheduled by
// the other programs of a shared machine does not grow) is summed per
// second from the mark; so are style and layout (UpdateLayoutTree, Layout)
// and the frames' painting (PrePaint, Paint, Layerize), and the frames
// drawn are counted (one Layerize each).
const CATEGORIES = ['toplevel', 'devtools.timeline', 'blink.user_timing'];
const STYLE = new Set(['UpdateLayoutTree', 'Layout']);
const PAINT = new Set(['PrePaint', 'Paint', 'Layerize']);

function perSecond(trace, mark, n) {
  const events = trace.traceEvents || trace;
  const m = events.find((e) => e.name === mark);
  if (!m) throw new Error(`no ${mark} in the trace`);
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === m.pid &&
    e.args.name === 'CrRendererMain');
  const tid = main ? main.tid : m.tid;
  const rows = Array.from({ length: n }, () => ({ cpu: 0, wall: 0, style: 0, paint: 0, frames: 0 }));
  for (const e of events) {
    if (e.pid !== m.pid || e.tid !== tid || e.ph !== 'X') continue;
    const k = Math.floor((e.ts - m.ts) / 1e6);
    if (k < 0 || k >= n) continue;
    const cpu = (e.tdur ?? e.dur ?? 0) / 1000;
    if (e.name === 'ThreadControllerImpl::RunTask') {
      rows[k].cpu += cpu;
      rows[k].wall += (e.dur ?? 0) / 1000;
    } else if (STYLE.has(e.name)) rows[k].style += cpu;
    else if (PAINT.has(e.name)) rows[k].paint += cpu;
    if (e.name === 'Layerize') rows[k].frames += 1; // one a frame drawn
  }
  return rows;
}

// Runs each(k) for k in [0, n), one a second, on a trace of both pages.
async function seconds(browser, pages, n, each) {
  await browser.startTracing(undefined, { categories: CATEGORIES });
  await Promise.all(pages.map((p, i) => p.evaluate((name) => performance.mark(name), `bench-second-${i}`)));
  const start = Date.now();
  for (let k = 0; k < n; k++) {
    await each(k);
    const wait = start + (k + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
  }
  const buffer = await browser.stopTracing();
  if (process.env.TRACE_FILE) writeFileSync(process.env.TRACE_FILE, buffer); // for a look in Perfetto
  const trace = JSON.parse(buffer.toString('utf8'));
  return pages.map((_, i) => perSecond(trace, `bench-second-${i}`, n));
}

const summary = (rows, name) => {
  const list = rows.map((r) => r[name]);
  return { p50: round(percentile(list, 0.5)), p95: round(percentile(list, 0.95)) };
};

export async function wallboardUpdate({ browser, url, admin, queues, agents, seconds: nSeconds, log }) {
  const boardContext = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const plainContext = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const board = await boardContext.newPage();
    const t0 = Date.now();
    await login(board, url, SUPERVISOR, PASSWORD);
    // all the rows loaded (the page renders those on screen: aria-rowcount,
    // a header and the rows, says how many it holds)
    await board.waitForFunction(({ a, q }) => {
      const rows = (what) => Number(document.querySelector(`.grid.${what}`)?.getAttribute('aria-rowcount') || 0) - 1;
      return rows('agents') >= a && rows('queues') >= q;
    }, { a: agents.length, q: queues.length }, { timeout: 300000 });
    log(`wallboard loaded with ${queues.length} queues and ${agents.length} agents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const plain = await plainContext.newPage();
    await plain.goto(`${url}/api/v1/me`);
    await plain.evaluate(plainWallboard, { email: SUPERVISOR, password: PASSWORD });
    if (process.env.WALLBOARD_AT === 'agents') { // both pages scrolled to their agents' rows
      await board.locator('.grid.agents').evaluate((el) => el.scrollIntoView());
      await plain.evaluate(() => document.querySelectorAll('table')[1].scrollIntoView());
      await board.waitForTimeout(500);
      log('  both pages scrolled to their agents (WALLBOARD_AT=agents)');
    }
    const [idle] = await seconds(browser, [board, plain], IDLE_SECONDS, async () => {});
    const presence = (k) => (Math.floor(k / 10) % 2 === 0 ? 'paused' : 'available');
    let changes = 0;
    const [busy, bare] = await seconds(browser, [board, plain], nSeconds, async (k) => {
      const group = agents.filter((_, i) => i % 10 === k % 10);
      await parallel(group.length, 8, (i) => admin('POST', `/api/v1/agents/${group[i]}/presence`,
        presence(k) === 'paused' ? { presence: 'paused', reason: 'break' } : { presence: 'available' }));
      changes += group.length;
    });
    // the last second's changes are on both pages (the board's agents
    // brought on screen: the page renders the rows on screen only)
    const last = agents.filter((_, i) => i % 10 === (nSeconds - 1) % 10)[0];
    const state = presence(nSeconds - 1);
    await board.locator('.grid.agents').evaluate((el) => el.scrollIntoView());
    await board.locator(`[data-agent="${last}"] .state.${state}`).waitFor();
    await plain.waitForFunction(({ id, state }) => [...document.querySelectorAll('tr')]
      .some((tr) => tr.cells[0]?.textContent === `Agent ${id}` && tr.cells[1].textContent === state),
    { id: agents.indexOf(last) + 1, state });

    const task = summary(busy, 'cpu');
    const wall = summary(busy, 'wall');
    const style = summary(busy, 'style');
    const paint = summary(busy, 'paint');
    const frames = summary(busy, 'frames');
    const bareFrames = summary(bare, 'frames');
    const idleTask = summary(idle, 'cpu');
    const bareTask = summary(bare, 'cpu');
    log(`wallboard, ${nSeconds} s of updates (${Math.round(changes / nSeconds)} presence changes a second, queue_stats each second):` +
      ` main-thread work a second p50 ${task.p50} ms, p95 ${task.p95} ms` +
      ` of CPU in ${frames.p50} frames (of which style and layout p50 ${style.p50} ms, paint ${paint.p50} ms; wall time p50 ${wall.p50} ms)`);
    log(`  references: the wallboard idle (${IDLE_SECONDS} s) p50 ${idleTask.p50} ms;` +
      ` the same updates in plain DOM p50 ${bareTask.p50} ms, p95 ${bareTask.p95} ms in ${bareFrames.p50} frames;` +
      ` ratio to plain DOM ${round(task.p50 / bareTask.p50, 2)}`);
    log(`  per second (ms): ${busy.map((r) => r.cpu.toFixed(1)).join(' ')}`);
    return {
      wallboard_update_ms: task.p50,
      wallboard_update_p95_ms: task.p95,
      wallboard_idle_ms: idleTask.p50,
      wallboard_plain_dom_ms: bareTask.p50,
    };
  } finally {
    await boardContext.close();
    await plainContext.close();
  }
}
