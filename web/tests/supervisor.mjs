// The supervisor's pages in the browser, called by run.mjs with its daemon,
// browser and helpers: a supervisor made by the test logs in and sees the
// wallboard; a contact put in a queue through the API changes the waiting
// count within 2 seconds; the wall screen toggles; an agent's presence is
// forced and a contact moved from the page; a wallboard opened while an
// agent holds contacts shows them and the time in state, and a click on one
// picks it for a move; the day so far shows its 48
// half hours as a chart and as a table (each half hour's own service
// level, a half hour without one a gap in its line); the summary cut per queue shows
// the contacts put in queues as a chart and a table; from a browser in a
// zone a day away from the tenant's, the summary opens on the tenant's day
// with its half hours in the tenant's zone, and at the turn of a month
// (the browser's clock fixed) the summary and the barometer open on the
// tenant's day and month, not the browser's nor UTC's; axe-core finds no serious or
// critical violation in French and English. Last, with the stream replaced
// by a fake EventSource and the API answering 100 queues and 1,000 agents:
// the summary per agent shows the offers an agent really declined and let
// ring out (through the API, on a queue of its own) as the API counts them;
// the tables hold the rows on screen only (windowed), numbered for screen
// readers, reached by scrolling and by Tab; one second's update is applied
// and its time printed. A planner, who does not supervise, lands on the
// planning page (no agent desktop offered), computes the agents an
// interval needs (the API's figures), plans from a forecast file (a bad
// line named) and downloads the plan and the history.

import { agentRow, applyDigest, applyQueueStats, digestPlace } from '../src/supervisor/live.js';
import { FIRST_ROWS, MARGIN, rowRange, withRow } from '../src/supervisor/window.js';

const QUEUES = 100;
const AGENTS = 1000;
const ROUNDS = 15;

// A fake EventSource the test drives: window.__stream.emit(type, data).
function fakeEventSource() {
  const sources = [];
  window.EventSource = class {
    constructor() { this.listeners = {}; sources.push(this); }
    addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
    close() {}
  };
  window.__stream = {
    emit(type, data) {
      const e = { data: JSON.stringify(data) };
      for (const s of sources) for (const fn of s.listeners[type] || []) fn(e);
    },
  };
}

async function login(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// The refusals a step asks for on purpose ("POST /api/v1/contacts/9/move: 422").
const refusalsAskedFor = new Set();

function watchErrors(page, errors) {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()));
  page.on('response', (r) => {
    const signedOut = r.status() === 401 && new URL(r.url()).pathname === '/api/v1/me'; // before the login
    const said = `${r.request().method()} ${new URL(r.url()).pathname}: ${r.status()}`;
    if (r.status() >= 400 && !signedOut && !refusalsAskedFor.has(said)) errors.push(said);
  });
}

// Synthetic answers for the load test.
function bigStats(round) {
  const queues = [];
  for (let i = 1; i <= QUEUES; i++) {
    queues.push({ queue_id: i, name: `Queue ${i}`, waiting: (i + round) % 17, longest_wait_s: (i * 7 + round) % 300,
      service_level: ((i + round) % 10) / 10, sl_target: 0.8, sl_seconds: 20, answered: i * 3 + round, abandoned: i % 5,
      agents: { available: i % 4, offered: 0, busy: i % 6, wrap_up: 0, paused: 1, offline: 2 } });
  }
  return { at: new Date().toISOString(), queues };
}

// The windowed tables: a few dozen rows in the document, where aria-rowcount
// and aria-rowindex say they stand; scrolling brings others; Tab walks from
// row to row past the first window; the clock ticks the rows shown.
async function windowTest(page) {
  const rendered = () => page.locator('.grid.agents [role="rowgroup"] [data-agent]').count();
  const n = await rendered();
  if (n !== 0) throw new Error(`${n} agents' rows in the document with the queues on screen`);
  await page.locator('.grid.agents').evaluate((el) => el.scrollIntoView());
  await page.locator('[data-agent="1"]').waitFor();
  const shown = await rendered();
  if (shown < 17 || shown > 60) throw new Error(`${shown} agents' rows in the document`);
  const index = await page.locator('[data-agent="1"]').getAttribute('aria-rowindex');
  if (index !== '2') throw new Error(`agent 1 at row ${index}`);
  // far down: the rows there, numbered as in the whole table, the first ones gone
  await page.evaluate(() => window.scrollBy(0, 600 * 41));
  const far = page.locator('.grid.agents [data-agent]').first();
  await page.waitForFunction(() => Number(document.querySelector('.grid.agents [data-agent]')?.getAttribute('aria-rowindex')) > 500);
  const id = Number(await far.getAttribute('data-agent'));
  if (Number(await far.getAttribute('aria-rowindex')) !== id + 1) throw new Error(`agent ${id} at row ${await far.getAttribute('aria-rowindex')}`);
  if (await page.locator('[data-agent="1"]').count()) throw new Error('agent 1 still in the document far below it');
  const box = await page.locator('.grid.agents [role="rowgroup"]').nth(1).boundingBox();
  if (Math.abs(box.height - 41.6 * AGENTS) > AGENTS) throw new Error(`the rows' group is ${box.height} px high`);
  // Tab from agent 1's last control through the next 60 rows' controls (2 each: its form's select and button,
  // nothing held), then back past the first window, with no animation frame between the presses (a busy
  // machine's, or keys faster than frames): the window follows the focus itself
  await page.locator('.grid.agents').evaluate((el) => el.scrollIntoView());
  await page.getByRole('button', { name: 'Force the presence of Agent 1', exact: true }).focus();
  await page.evaluate(() => {
    window.realFrame = window.requestAnimationFrame;
    window.requestAnimationFrame = () => 0;
  });
  for (let i = 0; i < 60 * 2; i++) await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.closest('[data-agent]')?.dataset.agent);
  if (focused !== '61') throw new Error(`Tab reached agent ${focused}, not 61`);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  const back = await page.evaluate(() => document.activeElement?.closest('[data-agent]')?.dataset.agent);
  if (back !== '60') throw new Error(`Shift+Tab reached agent ${back}, not 60`);
  for (let i = 0; i < 50 * 2; i++) await page.keyboard.press('Shift+Tab');
  const top = await page.evaluate(() => document.activeElement?.closest('[data-agent]')?.dataset.agent);
  if (top !== '10') throw new Error(`Shift+Tab reached agent ${top}, not 10`);
  await page.evaluate(() => { window.requestAnimationFrame = window.realFrame; });
  // the focused row stays in the document when the page scrolls away from it, and goes with the focus
  await page.locator('.grid.agents').evaluate((el) => el.scrollIntoView());
  await page.getByRole('button', { name: 'Force the presence of Agent 1', exact: true }).focus();
  await page.evaluate(() => window.scrollBy(0, 300 * 41));
  await page.waitForFunction(() => Number(document.querySelector('.grid.agents [data-agent]:last-child')?.getAttribute('aria-rowindex')) > 300);
  if (await page.evaluate(() => document.activeElement?.closest('[data-agent]')?.dataset.agent) !== '1') throw new Error('the focus left agent 1');
  await page.getByLabel('Contact number').focus();
  await page.locator('[data-agent="1"]').waitFor({ state: 'detached' });
  // the clock ticks the rows shown, with no stream event (the page is left on the agents for the load test)
  await page.locator('.grid.agents').evaluate((el) => el.scrollIntoView());
  const clock = page.locator('[data-agent="5"] [data-since]');
  const before = await clock.textContent();
  await page.waitForFunction((b) => document.querySelector('[data-agent="5"] [data-since]').textContent !== b, before, { timeout: 3000 });
}

async function loadTest(browser, url, email, password) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await context.addInitScript(fakeEventSource);
    await page.route('**/api/v1/queues/stats', (r) => r.fulfill({ json: bigStats(0) }));
    const since = new Date().toISOString();
    const live = (presence, reason) => ({ presence, reason, state: presence, state_since: since, holding: {}, contacts: [] });
    await page.route('**/api/v1/agents', (r) => r.fulfill({ json: { seq: 0, items: Array.from({ length: AGENTS }, (_, i) => ({
      user_id: i + 1, name: `Agent ${i + 1}`, presence: 'available', reason: null, presence_at: since,
      live: live('available', null) })) } }));
    await login(page, url, email, password);
    await page.locator(`.grid.agents[aria-rowcount="${AGENTS + 1}"]`).waitFor();
    await page.locator(`[data-queue="1"]`).waitFor();
    await windowTest(page);
    const times = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const stats = bigStats(round);
      // a busy second: one agent in ten changed presence
      const changed = [];
      for (let a = round % 10 + 1; a <= AGENTS; a += 10)
        changed.push({ user_id: a, live: live(round % 2 ? 'paused' : 'available', round % 2 ? 'break' : null) });
      const digest = { seq: round, agents: changed };
      const ms = await page.evaluate(async ({ stats, digest }) => {
        // the page applies a frame's events in its own animation-frame callback:
        // the work is the events' dispatch, then what runs between a callback
        // asked before them and one asked after them
        let before = 0;
        requestAnimationFrame(() => { before = performance.now(); });
        const t0 = performance.now();
        window.__stream.emit('queue_stats', stats);
        window.__stream.emit('agent_states', digest);
        const dispatch = performance.now() - t0;
        return new Promise((ok) => requestAnimationFrame(() => {
          const script = dispatch + performance.now() - before;
          const t1 = performance.now();
          document.body.getBoundingClientRect(); // and the style and layout the frame needs
          ok([script, script + performance.now() - t1]);
        }));
      }, { stats, digest });
      const q = stats.queues[QUEUES - 1]; // the last queue, in the window's margin above the agents
      const shown = await page.locator(`[data-queue="${QUEUES}"] .waiting`).textContent();
      if (shown !== String(q.waiting)) throw new Error(`round ${round}: the page shows ${shown}, not ${q.waiting}`);
      const state = await page.locator(`[data-agent="${changed[0].user_id}"] .state`).getAttribute('class');
      if (!state.includes(changed[0].live.state)) throw new Error(`round ${round}: agent ${changed[0].user_id} is ${state}`);
      times.push(ms);
    }
    // an agent whose state changes now shows 0:00 in the frame that renders it, its clock ticked before or not
    // (its time of change is taken in the page, as it emits: one taken here
    // could be a second old by the time a loaded machine renders it)
    const shown = await page.evaluate(({ digest }) => {
      digest.agents[0].live.state_since = new Date().toISOString();
      window.__stream.emit('agent_states', digest);
      return new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() =>
        ok(document.querySelector('[data-agent="5"] [data-since]').textContent))));
    }, { digest: { seq: ROUNDS + 1, agents: [{ user_id: 5, live: live('busy', null) }] } });
    if (shown !== '0:00') throw new Error(`agent 5 in state for ${shown} after its change`);
    // the least of the rounds: what the work costs, without the other programs of a shared machine
    const least = (i) => Math.min(...times.map((t) => t[i]));
    console.log(`# one second's update of ${QUEUES} queues and ${AGENTS} agents: script ${least(0).toFixed(1)} ms,` +
      ` with style and layout ${least(1).toFixed(1)} ms (rounds: ${times.map((t) => t[1].toFixed(1)).join(', ')})`);
    // the figure is printed, not asserted: on a shared machine a timed test
    // fails for others' load; the 16 ms goal is a benchmark's (bench/web)
    // to check. Here a gross regression still fails (a full re-render of
    // every row measured 28 ms; 10 times the goal is no noise).
    if (least(1) > 160) throw new Error(`${least(1).toFixed(1)} ms per update`);
  } finally {
    await context.close();
  }
}

function expect(what, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
}

// The wallboard's model alone: rows follow the digests, what did not
// change keeps its object (so its row is not rendered again), and a missed
// digest is seen.
function modelTest() {
  const at = '2026-12-01T10:00:00.000Z';
  const live = (state, presence, contacts = []) => ({ presence, state, state_since: at, holding: {},
    contacts: contacts.map((id) => ({ contact_id: id, state: 'assigned' })) });
  const start = new Map([[1, agentRow({ user_id: 1, name: 'A' }, live('available', 'available'))],
    [2, agentRow({ user_id: 2, name: 'B' }, live('busy', 'available', [5]))]]);
  const state = (m) => [...m.values()].map((r) => [r.state, r.held, r.holding]);
  expect('loaded', state(start), [['available', 0, []], ['busy', 1, [5]]]);
  let m = applyDigest(start, { seq: 1, agents: [{ user_id: 1, live: live('busy', 'available', [7, 8]) }] });
  expect('digest', state(m), [['busy', 2, [7, 8]], ['busy', 1, [5]]]);
  if (m.get(2) !== start.get(2)) throw new Error('an unchanged agent got a new row');
  m = applyDigest(m, { seq: 2, agents: [{ user_id: 2, live: { ...live('paused', 'paused'), reason: 'lunch' } }] });
  expect('paused', state(m), [['busy', 2, [7, 8]], ['paused', 0, []]]);
  if (m.get(2).reason !== 'lunch') throw new Error('the reason is lost');
  const same = applyDigest(m, { seq: 3, agents: [{ user_id: 2, live: { ...live('paused', 'paused'), reason: 'lunch' } },
    { user_id: 99, live: live('busy', 'available') }] });
  if (same !== m) throw new Error('no change (and an unknown agent), a new map');
  expect('places', [digestPlace(3, { seq: 2 }), digestPlace(3, { seq: 4 }), digestPlace(3, { seq: 6 })], ['old', 'next', 'gap']);
  const q = (id, waiting) => ({ queue_id: id, name: `Q${id}`, waiting, longest_wait_s: 0, service_level: null, sl_target: 0.8,
    sl_seconds: 20, answered: 0, abandoned: 0, agents: { available: 1 } });
  const q1 = applyQueueStats(new Map(), { queues: [q(1, 0), q(2, 0)] });
  if (applyQueueStats(q1, { queues: [q(1, 0), q(2, 0)] }) !== q1) throw new Error('same stats, a new map');
  const q2 = applyQueueStats(q1, { queues: [q(1, 0), q(2, 3)] });
  const counts = { ...q(2, 3), agents: { available: 0, busy: 1 } }; // not shown on the board: the same row
  if (applyQueueStats(q2, { queues: [q(1, 0), counts] }) !== q2) throw new Error('agents\' counts alone, a new map');
  if (q2.get(1) !== q1.get(1) || q2.get(2).waiting !== 3) throw new Error('queue rows not kept or not changed');
  // the window: rows of 40 px on a 720 px screen, and the margin on each side
  expect('window at the top', rowRange(0, 720, 40, 1000), { first: 0, last: 18 + MARGIN });
  expect('window far above the list', rowRange(-1100, 720, 40, 1000), { first: 0, last: 0 });
  expect('window just above the list', rowRange(-800, 720, 40, 1000), { first: 0, last: MARGIN - 2 });
  expect('window partly on screen', rowRange(-700, 720, 40, 1000), { first: 0, last: 1 + MARGIN });
  expect('window in the middle', rowRange(4020, 720, 40, 1000), { first: 100 - MARGIN, last: 119 + MARGIN });
  expect('window at the end', rowRange(39500, 720, 40, 1000), { first: 987 - MARGIN, last: 1000 });
  expect('window past the end', rowRange(50000, 720, 40, 1000), { first: 1000, last: 1000 });
  expect('window before a measure', rowRange(0, 720, 0, 1000), { first: 0, last: FIRST_ROWS });
  expect('window of a short list', rowRange(0, 720, 40, 3), { first: 0, last: 3 });
  expect('window with the focused row above', withRow({ first: 92, last: 127 }, 3, 1000), { first: 2, last: 127 });
  expect('window with the focused row below', withRow({ first: 92, last: 127 }, 300, 1000), { first: 92, last: 302 });
  expect('window with the focused row in it', withRow({ first: 92, last: 127 }, 100, 1000), { first: 92, last: 127 });
  expect('window with the focused row at its edge', withRow({ first: 92, last: 127 }, 126, 1000), { first: 92, last: 128 });
  expect('window with the focused row first of the list', withRow({ first: 40, last: 70 }, 0, 1000), { first: 0, last: 70 });
  expect('window with the focused row last of the list', withRow({ first: 900, last: 990 }, 999, 1000), { first: 900, last: 1000 });
  expect('window with no focused row', withRow({ first: 92, last: 127 }, null, 1000), { first: 92, last: 127 });
}

// A day (YYYY-MM-DD) and a time of day (en-US) of an instant in a zone.
function dayIn(zone, at = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(at);
}
function timeIn(zone, at) {
  return new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(at));
}

// The summary and the barometer from a browser in another zone than the
// tenant's: they open on the tenant's day and month (its calendar's zone),
// and the half hours read in the tenant's zone.
async function tenantDayTest(browser, url, email, password, admin, step) {
  await step('the summary opens on the tenant\'s today, its half hours in the tenant\'s zone, in a browser a day away', async () => {
    const { zone } = await admin('GET', '/api/v1/calendar');
    // whichever of the farthest zones is on another day than the tenant now
    const away = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'].find((z) => dayIn(z) !== dayIn(zone));
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 }, timezoneId: away });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10000);
      await login(page, url, email, password);
      await page.getByRole('tab', { name: 'Summary' }).click();
      const date = page.getByLabel('Day', { exact: true });
      await page.waitForFunction(() => document.getElementById('sum-date')?.value);
      const shown = await date.inputValue();
      const browserDay = await page.evaluate(() => new Intl.DateTimeFormat('en-CA').format(new Date()));
      if (shown !== dayIn(zone) || browserDay === shown)
        throw new Error(`opened on ${shown}: the tenant (${zone}) is on ${dayIn(zone)}, the browser (${away}) on ${browserDay}`);
      const report = await page.evaluate((d) => fetch(`/api/v1/reports/summary?date=${d}&by=interval`).then((r) => r.json()), shown);
      if (!report.rows.length) throw new Error('no half hour in the tenant\'s day');
      const first = page.locator('table.summary tbody tr th').first();
      await first.getByText(timeIn(zone, report.rows[0].start), { exact: true }).waitFor();
      if (timeIn(away, report.rows[0].start) === timeIn(zone, report.rows[0].start)) throw new Error('the zones read alike');
      // and the table says in which zone its day and half hours are read
      await page.getByRole('table', { name: `Figures on ${shown} (${zone}) per half hour`, exact: true }).waitFor();
      // first-contact resolution counts contacts with a reason alone, and says so (it read '0 of 0
      // resolved contacts' beside a day of contacts resolved without one)
      const fcr = report.first_contact_resolution;
      await page.locator('p.fcr').waitFor();
      const said = (await page.locator('p.fcr').textContent()).trim();
      const want = fcr.resolved
        ? `First-contact resolution: ${fcr.once_and_done} of the ${fcr.resolved} contacts resolved with a reason were once and done`
        : 'First-contact resolution: no contact resolved with a reason. It counts the contacts given a reason';
      if (!said.startsWith(want)) throw new Error(`first-contact resolution said "${said}", not "${want}..."`);
      // today's figure can still fall while its customers may come back: said, with until when
      if (fcr.resolved && fcr.provisional !== said.includes(' Provisional until ')) {
        throw new Error(`first-contact resolution said "${said}" (provisional: ${fcr.provisional})`);
      }
    } finally {
      await context.close();
    }
  });
  await step('at the turn of a month, the summary and the barometer open on the tenant\'s day and month, not UTC\'s nor the browser\'s', async () => {
    // 22:30 UTC on 30 April is 18:30 in New York and already 00:30 on 1 May in Paris
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 },
      timezoneId: 'America/New_York' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10000);
      await page.clock.setFixedTime(new Date('2026-04-30T22:30:00Z'));
      await page.route('**/api/v1/calendar', (r) => r.fulfill({ json: { zone: 'Europe/Paris', country: 'FR', holidays: [] } }));
      const asked = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (/^\/api\/v1\/reports\/(summary|barometer)$/.test(u.pathname)) asked.push(`${u.pathname.split('/').pop()}${u.search}`);
      });
      await login(page, url, email, password);
      await page.getByRole('tab', { name: 'Summary' }).click();
      await page.getByRole('table', { name: /our contacts beside a published barometer/ }).waitFor();
      const day = await page.getByLabel('Day', { exact: true }).inputValue();
      const month = await page.getByLabel('Month', { exact: true }).inputValue();
      if (day !== '2026-05-01' || month !== '2026-05') throw new Error(`opened on ${day} and ${month}`);
      const wanted = ['summary?date=2026-05-01&by=interval', 'barometer?month=2026-05'];
      if (wanted.some((w) => !asked.includes(w)) || asked.length !== 2) throw new Error(`asked ${asked.join(', ')}`);
    } finally {
      await context.close();
    }
  });
}

// An agent of its own queue (1 s to answer an offer) declines a contact,
// then, offered it again, lets it ring out; through the API, as the desk would.
async function declineAndMiss(url, admin, password) {
  const skill = await admin('POST', '/api/v1/skills', { name: 'ringing' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Ringing', skill_id: skill.id, channel: 'chat', offer_timeout_s: 1 });
  const user = await admin('POST', '/api/v1/users', { email: 'dana@a.example', name: 'Dana Decliner', password, role: 'agent' });
  await admin('PUT', `/api/v1/agents/${user.id}`, { skills: [{ skill_id: skill.id, proficiency: 5 }], capacity: { chat: 1 } });
  const call = async (token, method, path, body) => {
    const r = await fetch(`${url}${path}`, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  };
  const { token } = await call(null, 'POST', '/api/v1/auth/login', { email: 'dana@a.example', password });
  const presence = (p) => call(token, 'POST', '/api/v1/agents/me/presence', p === 'paused' ? { presence: p, reason: 'break' } : { presence: p });
  await presence('available');
  const contact = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Ring me', queue_id: queue.id });
  await call(token, 'POST', `/api/v1/contacts/${contact.id}/reject`);
  await presence('paused'); // a decline holds until the agent's state changes: offered again
  await presence('available');
  const missed = async () => (await admin('GET', `/api/v1/reports/summary?from=${new Date(Date.now() - 3600e3).toISOString()}`
    + `&to=${new Date(Date.now() + 3600e3).toISOString()}&by=agent`)).rows.find((r) => r.agent_id === user.id)?.missed;
  for (let i = 0; i < 100 && !(await missed()); i++) await new Promise((ok) => setTimeout(ok, 100));
  if ((await missed()) !== 1) throw new Error('the offer did not ring out');
  await presence('paused');
}

export async function supervisorTests({ browser, url, admin, step, accessible, fits, password }) {
  await step('the wallboard\'s model follows the digests, keeps unchanged rows and sees a missed one', modelTest);
  const email = 'supervisor@a.example';
  const skill = await admin('POST', '/api/v1/skills', { name: 'escalations' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Escalations', skill_id: skill.id, channel: 'chat' });
  await admin('POST', '/api/v1/users', { email, name: 'Sam Supervisor', password, role: 'supervisor' });
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const errors = [];
  watchErrors(page, errors);
  page.setDefaultTimeout(10000);
  const row = page.locator(`[data-queue="${queue.id}"]`);
  let contactId = 0;
  try {
    await step('a supervisor logs in and sees the wallboard', async () => {
      await login(page, url, email, password);
      await page.getByRole('heading', { name: 'Wallboard' }).waitFor();
      await row.locator('.waiting', { hasText: /^0$/ }).waitFor();
      await page.locator('[data-agent]', { hasText: 'Alex Agent' }).waitFor();
    });
    await step('the wallboard says since when and in which zone its queues count the day (en, fr)', async () => {
      const caption = page.locator('#queues-caption', { hasText: /since midnight on / });
      await caption.waitFor();
      const stats = await admin('GET', '/api/v1/queues/stats');
      const text = await caption.innerText(); // the day the API counts (the page's may have turned at midnight since)
      const want = `Queues, live: answered, abandoned and service level since midnight on ${stats.day} (${stats.zone})`;
      if (text !== want && !(text.endsWith(`(${stats.zone})`) && text < want)) throw new Error(`the caption says: ${text}`);
      await page.getByLabel('Language').selectOption('fr');
      await page.locator('#queues-caption', { hasText: `depuis minuit le ${text.split(' on ')[1]}` }).waitFor();
      await page.getByLabel('Langue').selectOption('en');
      await page.getByRole('heading', { name: 'Wallboard' }).waitFor();
    });
    await step('a contact put in a queue through the API shows on the wallboard within 2 seconds', async () => {
      const contact = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Escalate me', queue_id: queue.id });
      contactId = contact.id;
      await row.locator('.waiting', { hasText: /^1$/ }).waitFor({ timeout: 2000 });
    });
    await step('the wall screen toggles', async () => {
      const button = page.getByRole('button', { name: 'Wall screen' });
      await button.click();
      await page.locator('.wallboard.wall').waitFor();
      if ((await button.getAttribute('aria-pressed')) !== 'true') throw new Error('not pressed');
      await accessible(page, 'wall screen (en)');
      await button.click();
      await page.locator('.wallboard:not(.wall)').waitFor();
      if ((await button.getAttribute('aria-pressed')) !== 'false') throw new Error('still pressed');
      // Escape leaves it too where the browser refuses the full screen (there
      // the browser's own Escape has no full screen to leave)
      await page.evaluate(() => {
        window.realFullscreen = Element.prototype.requestFullscreen;
        Element.prototype.requestFullscreen = () => Promise.reject(new TypeError('refused'));
      });
      try {
        await button.click();
        await page.locator('.wallboard.wall').waitFor();
        await page.keyboard.press('Escape');
        await page.locator('.wallboard:not(.wall)').waitFor({ timeout: 2000 });
        if ((await button.getAttribute('aria-pressed')) !== 'false') throw new Error('still pressed after Escape');
      } finally {
        if (await page.locator('.wallboard.wall').count()) await button.click(); // the steps after need the page
        await page.evaluate(() => { Element.prototype.requestFullscreen = window.realFullscreen; });
      }
    });
    await step('on a phone\'s screen the wallboard still names each queue and agent', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await row.waitFor();
        const cut = await page.locator('.grid [role="rowheader"]').evaluateAll((cells) => cells
          .filter((c) => c.clientWidth < Math.min(c.scrollWidth, 80)).map((c) => `${c.textContent} (${c.clientWidth} px)`));
        if (cut.length) throw new Error(`names cut: ${cut.join(', ')}`);
      } finally {
        await page.setViewportSize({ width: 1280, height: 720 });
      }
    });
    await step('on a phone\'s screen every tab of the supervision, its header and its pages fit the screen (en, fr)', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const tabs = page.locator('.supervisor [role="tablist"] [role="tab"]');
      try {
        for (const lang of ['en', 'fr']) {
          if (lang === 'fr') await page.getByLabel('Language').selectOption('fr');
          for (let i = 0; i < await tabs.count(); i++) {
            await tabs.nth(i).click();
            await page.locator('[role="tabpanel"] :is(table, form, h2)').first().waitFor();
            await page.waitForTimeout(300); // its figures, a table's rows
            await fits(page, `supervision ${await tabs.nth(i).textContent()} (${lang})`);
          }
        }
      } finally {
        await page.setViewportSize({ width: 1280, height: 720 });
        await page.locator('#lang').selectOption('en');
        await tabs.first().click();
      }
    });
    await step('the supervisor forces an agent\'s presence and moves a contact', async () => {
      const agentRow = page.locator('[data-agent]', { hasText: 'Alex Agent' });
      await agentRow.getByRole('combobox', { name: 'Force the presence of Alex Agent' }).selectOption('paused');
      await agentRow.getByRole('button', { name: 'Force the presence of Alex Agent' }).click();
      await page.getByRole('status').getByText('Alex Agent is now Paused.').waitFor();
      await agentRow.locator('.state.paused').waitFor();
      await agentRow.getByText('(paused by a supervisor)').waitFor();
      const { items } = await admin('GET', '/api/v1/agents');
      if (items.find((a) => a.name === 'Alex Agent')?.presence !== 'paused') throw new Error('not paused in the store');
      await page.getByLabel('Contact number').fill(String(contactId));
      await page.getByLabel('To the queue').selectOption({ label: 'Billing' });
      await page.getByRole('button', { name: 'Move', exact: true }).click();
      await page.getByRole('status').getByText(`Contact #${contactId} moved to Billing.`).waitFor();
      await row.locator('.waiting', { hasText: /^0$/ }).waitFor({ timeout: 3000 });
      const routing = await admin('GET', `/api/v1/contacts/${contactId}/routing`);
      if (routing.queue_id === queue.id) throw new Error('still in Escalations');
      // the routing engine's refusal, said in the page's language and again after a switch
      const idle = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'In no queue' });
      refusalsAskedFor.add(`POST /api/v1/contacts/${idle.id}/move: 422`);
      await page.getByLabel('Language').selectOption('fr');
      await page.getByLabel('Numéro du contact').fill(String(idle.id));
      await page.getByLabel('Vers la file').selectOption({ label: 'Billing' });
      await page.getByRole('button', { name: 'Déplacer', exact: true }).click();
      await page.getByRole('status').getByText('Le contact n’est dans aucune file.', { exact: true }).waitFor();
      await page.getByLabel('Langue').selectOption('en');
      await page.getByRole('status').getByText(/^Something went wrong: the contact is in no queue$/).waitFor();
    });
    await step('an agent is found on the wallboard by name (case aside) and by state', async () => {
      const every = await page.locator('[data-agent]').count();
      const find = page.getByLabel('Find an agent');
      const state = page.locator('#agent-state');
      await find.fill('ALEX');
      await page.locator('[data-agent]', { hasText: 'Alex Agent' }).waitFor();
      if ((await page.locator('[data-agent]').count()) !== 1) throw new Error('other agents listed');
      await page.getByText(/^1 of \d+ agents$/).waitFor();
      await find.fill('nobody by this name');
      await page.getByText('No agent matches.').waitFor();
      await find.fill('');
      await state.selectOption('paused');
      await page.locator('[data-agent]', { hasText: 'Alex Agent' }).waitFor();
      if ((await page.locator('[data-agent] .state:not(.paused)').count()) !== 0) throw new Error('an agent not paused listed');
      await state.selectOption('');
      await page.locator('[data-agent]').nth(every - 1).waitFor({ timeout: 3000 }).catch(() => {
        throw new Error('the filter stayed');
      }); /* every agent listed again */
    });
    await step('a wallboard opened while an agent holds a contact shows it, and a click picks it for a move', async () => {
      const session = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'agent@a.example', password, tenant: 'Brand A' }) }).then((r) => r.json());
      const alex = (method, path, body) => fetch(url + path, { method, body: body && JSON.stringify(body),
        headers: { Authorization: `Bearer ${session.token}`, ...(body && { 'Content-Type': 'application/json' }) } })
        .then((r) => { if (!r.ok) throw new Error(`${method} ${path}: ${r.status}`); return r.status === 204 ? null : r.json(); });
      const billing = (await admin('GET', '/api/v1/queues')).items.find((q) => q.name === 'Billing');
      await admin('POST', `/api/v1/agents/${session.user_id}/presence`, { presence: 'available' });
      const held = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Hold me', queue_id: billing.id });
      // the contact moved to Billing above waits there too: Alex takes both
      let offered = [];
      for (let i = 0; i < 50 && !offered.some((c) => c.contact_id === held.id); i++) {
        if (i) await new Promise((ok) => setTimeout(ok, 100));
        offered = ((await alex('GET', '/api/v1/agents/me')).live.contacts || []).filter((c) => c.state === 'offered');
      }
      for (const c of offered) await alex('POST', `/api/v1/contacts/${c.contact_id}/accept`);
      await page.reload();
      const agentRow = page.locator('[data-agent]', { hasText: 'Alex Agent' });
      await agentRow.locator('.state.busy').waitFor();
      const seconds = await agentRow.locator('[data-since]').getAttribute('data-since');
      if (!(Number(seconds) <= Date.now() && Number(seconds) > Date.now() - 60000)) throw new Error(`in state since ${seconds}`);
      // Alex's own desktop, opened now: a tab for each contact held, one panel shown
      const desk = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
      try {
        const alexPage = await desk.newPage();
        await login(alexPage, url, 'agent@a.example', password);
        await alexPage.getByRole('radio', { name: 'Brand A' }).check(); // Alex works for two brands
        await alexPage.getByRole('button', { name: 'Continue' }).click();
        for (const c of offered) await alexPage.getByRole('tab', { name: `#${c.contact_id}` }).waitFor();
        const shown = await alexPage.locator('[role="tabpanel"]').evaluateAll((panels) => panels.filter((p) => p.offsetParent !== null).length);
        if (offered.length < 2 || shown !== 1) throw new Error(`${offered.length} tabs, ${shown} panels shown`);
      } finally {
        await desk.close();
      }
      // what Alex handled today, counted as it wraps up (the second's digest, no reload)
      const handled = agentRow.locator('.handled');
      const before = Number(await handled.textContent());
      const ended = offered.find((c) => c.contact_id !== held.id);
      await alex('POST', `/api/v1/contacts/${ended.contact_id}/wrapup`, { disposition: 'information_given' });
      await agentRow.locator('.handled', { hasText: new RegExp(`^${before + 1}$`) }).waitFor({ timeout: 5000 })
        .catch(async () => { throw new Error(`handled today ${await handled.textContent()}, was ${before}`); });
      const { items: live } = await admin('GET', '/api/v1/agents');
      if (live.find((a) => a.name === 'Alex Agent')?.live?.handled_today !== before + 1) throw new Error('not the engine\'s count');
      await agentRow.getByRole('button', { name: `Move contact #${held.id}` }).click();
      if ((await page.getByLabel('Contact number').inputValue()) !== String(held.id)) throw new Error('not picked');
      await page.waitForFunction(() => document.activeElement?.id === 'move-queue', null, { timeout: 2000 })
        .catch(async () => { throw new Error(`focus on ${await page.evaluate(() => document.activeElement?.id)}`); });
    });
    await step('the wallboard has no serious accessibility violation (en, fr)', async () => {
      await accessible(page, 'wallboard (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Tableau mural' }).waitFor();
      await accessible(page, 'wallboard (fr)');
    });
    await step('the day so far shows its half hours as a chart and a table (fr, en), accessible', async () => {
      await page.getByRole('tab', { name: 'La journée jusqu’ici' }).click();
      await page.getByRole('img', { name: /Contacts par demi-heure/ }).waitFor();
      await accessible(page, 'day chart (fr)');
      await page.getByRole('button', { name: 'Afficher en tableau' }).click();
      const rows = page.locator('table.intervals tbody tr');
      await rows.first().waitFor();
      if ((await rows.count()) !== 48) throw new Error(`${await rows.count()} half hours`);
      await accessible(page, 'day table (fr)');
      await page.getByLabel('Langue').selectOption('en');
      await page.getByRole('columnheader', { name: 'Half hour', exact: true }).waitFor();
      await accessible(page, 'day table (en)');
      await page.getByRole('button', { name: 'Show as a table' }).click();
      await page.getByRole('img', { name: /Contacts per half hour/ }).waitFor();
      await accessible(page, 'day chart (en)');
    });
    await step('the day so far: each half hour\'s own service level, and a half hour without one is a gap in its line', async () => {
      await page.locator('.day .legend').getByText('Service level of the half hour', { exact: true }).waitFor();
      // the real answer, with a service level in three half hours only: 19:00, 19:30, then 23:00
      const only = { '19:00': 0.9, '19:30': 0.8, '23:00': 0.7 };
      await page.route('**/api/v1/reports/intervals?*', async (route) => {
        const res = await route.fetch().catch(() => null);
        if (!res) return; // the step ended (unrouted) while this one was on its way
        const body = await res.json();
        for (const r of body.intervals) r.service_level = only[r.time] ?? null;
        await route.fulfill({ response: res, json: body }).catch(() => {});
      });
      try {
        const asTable = page.getByRole('button', { name: 'Show as a table' });
        if (await asTable.getAttribute('aria-pressed') === 'true') await asTable.click(); // the chart
        const day = page.getByLabel('Day', { exact: true });
        await day.fill(await day.inputValue()); // the same day, read again
        // 19:00 to 19:30 a line, 23:00 a dot alone: nothing drawn across the half hours between
        const drawn = () => page.evaluate(() => ({
          lines: [...document.querySelectorAll('svg.chart polyline.sl')].map((l) => l.getAttribute('points')),
          dots: document.querySelectorAll('svg.chart circle.sl').length,
        }));
        // the answer as rewritten (the real one may hold a two-point line too: a run just after midnight)
        await page.waitForFunction(() => {
          const lines = [...document.querySelectorAll('svg.chart polyline.sl')];
          return lines.length === 1 && lines[0].getAttribute('points').split(' ').length === 2 &&
            document.querySelectorAll('svg.chart circle.sl').length === 1;
        }, null, { timeout: 5000 })
          .catch(async () => { throw new Error(`the service level drawn as ${JSON.stringify(await drawn())}`); });
        const { lines, dots } = await drawn();
        if (lines.length !== 1 || dots !== 1) throw new Error(`the service level drawn as ${JSON.stringify(lines)} and ${dots} dots`);
        await asTable.click();
        await page.getByRole('columnheader', { name: 'Service level of the half hour' }).waitFor();
        const cells = await page.locator('table.intervals tr[data-time="21:00"] td').allTextContents();
        if (cells[4] !== '–') throw new Error(`21:00: ${cells.join(' | ')}`);
        await page.getByLabel('Language').selectOption('fr');
        await page.getByRole('columnheader', { name: 'Niveau de service de la demi-heure' }).waitFor();
        await page.locator('.day .legend').getByText('Niveau de service de la demi-heure', { exact: true }).waitFor();
        await page.getByLabel('Langue').selectOption('en');
        await asTable.click();
      } finally {
        await page.unroute('**/api/v1/reports/intervals?*');
      }
    });
    await step('the day so far of one queue: its own figures and forecast, as the API gives them', async () => {
      const queues = (await admin('GET', '/api/v1/queues')).items;
      const one = queues[0];
      const asked = page.waitForRequest((q) => q.url().includes('/api/v1/reports/intervals?') && q.url().includes(`queue=${one.id}`));
      await page.getByLabel('Queue', { exact: true }).selectOption(String(one.id));
      await asked;
      const day = await page.getByLabel('Day', { exact: true }).inputValue();
      const expected = await admin('GET', `/api/v1/reports/intervals?date=${day}&queue=${one.id}`);
      const shown = () => page.evaluate(() => document.querySelector('#chart-desc')?.textContent || '');
      const offered = expected.intervals.reduce((s, r) => s + r.offered, 0);
      await page.waitForFunction((n) => (document.querySelector('#chart-desc')?.textContent || '').includes(String(n)) ||
        (n === 0 && /No contact/.test(document.querySelector('#chart-desc')?.textContent || '')), offered, { timeout: 5000 })
        .catch(async () => { throw new Error(`the chart says ${await shown()}, the queue offered ${offered}`); });
      await accessible(page, 'day of one queue (en)');
      await page.getByLabel('Queue', { exact: true }).selectOption('');
    });
    await step('the day so far says what its forecast and staff needed stand on, or why there is none (en, fr)', async () => {
      const basis = page.locator('.day p.forecast-basis');
      const day = await page.getByLabel('Day', { exact: true }).inputValue();
      const real = await admin('GET', `/api/v1/reports/intervals?date=${day}`);
      await basis.getByText(real.forecast ? /^Forecast: / : 'No forecast: no contact on this weekday in the 4 weeks before.').waitFor();
      // a day with two weeks of history, at its goal: said so
      await page.route('**/api/v1/reports/intervals?*', async (route) => {
        const res = await route.fetch().catch(() => null);
        if (!res) return;
        const body = await res.json();
        body.forecast = { method: 'same weekday mean', weeks: 2, service_level: 0.9, target_s: 15 };
        await route.fulfill({ response: res, json: body }).catch(() => {});
      });
      try {
        const date = page.getByLabel('Day', { exact: true });
        await date.fill(await date.inputValue()); // the same day, read again
        await basis.getByText('Forecast: the mean of the same half hour on the same weekday over the last 2 weeks with contacts; '
          + 'staff needed to answer 90% within 15 seconds.').waitFor();
        await page.getByLabel('Language').selectOption('fr');
        await basis.getByText(/sur les 2 dernières semaines avec des contacts ; effectif requis pour répondre à 90\s%\sen 15 secondes\.$/)
          .waitFor();
        await page.getByLabel('Langue').selectOption('en');
      } finally {
        await page.unroute('**/api/v1/reports/intervals?*');
      }
      const date = page.getByLabel('Day', { exact: true });
      await date.fill(await date.inputValue());
      await basis.getByText(real.forecast ? /^Forecast: / : /^No forecast/).waitFor();
    });
    await step('the summary cuts the day per queue: a chart and the figures, accessible (en, fr)', async () => {
      await page.getByRole('tab', { name: 'Summary' }).click();
      await page.getByLabel('Per', { exact: true }).selectOption('queue');
      await page.getByRole('columnheader', { name: 'Queue' }).waitFor();
      const rows = page.locator('table.summary tbody tr');
      if ((await rows.count()) < 1) throw new Error('no queue in the summary');
      const offered = Number(await page.locator('table.summary tfoot td').first().innerText());
      if (!(offered >= 1)) throw new Error(`${offered} offered in all, after the contacts put in queues`);
      await page.getByRole('img', { name: /Contacts offered and answered/ }).waitFor();
      // after how long the customers who left gave up, beside how many did (the API's and the export's figure)
      const heads = await page.locator('table.summary thead th').allTextContents();
      const at = heads.indexOf('Average wait before abandoning (s)');
      if (at !== heads.indexOf('Abandoned') + 1) throw new Error(`the summary's columns: ${heads.join(' | ')}`);
      const day = await page.getByLabel('Day', { exact: true }).inputValue();
      const api = await page.evaluate((d) => fetch(`/api/v1/reports/summary?date=${d}&by=queue`).then((r) => r.json()), day);
      const wait = api.totals.avg_abandon_wait_s;
      const want = wait === null ? '–' : new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(wait);
      const total = await page.locator('table.summary tfoot td').nth(at - 1).innerText();
      if (total !== want) throw new Error(`total wait before abandoning ${total}, the API's ${wait}`);
      await accessible(page, 'summary (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('columnheader', { name: 'File' }).waitFor();
      // the same word as the day so far's for the same figure (the API's offered)
      await page.getByRole('columnheader', { name: 'Présentés', exact: true }).waitFor();
      await page.getByRole('img', { name: /^Contacts présentés et répondus/ }).waitFor();
      await accessible(page, 'summary (fr)');
      await page.getByLabel('Langue').selectOption('en');
    });
    await step('the summary per agent leaves the queues’ contacts offered and abandoned out of its rows, and says so', async () => {
      await page.getByLabel('Per', { exact: true }).selectOption('agent');
      await page.getByRole('columnheader', { name: 'Agent' }).waitFor();
      const day = await page.getByLabel('Day', { exact: true }).inputValue();
      const api = await page.evaluate((d) => fetch(`/api/v1/reports/summary?date=${d}&by=agent`).then((r) => r.json()), day);
      if (api.rows.length === 0) throw new Error('no agent answered anything in the summary');
      if (api.rows.some((r) => r.offered !== null || r.abandoned !== null)) throw new Error('an agent\'s row has offered or abandoned');
      await page.getByRole('img', { name: /^Contacts answered on/ }).waitFor();
      const offered = await page.locator('table.summary tbody tr td:nth-child(2)').allTextContents();
      const abandoned = await page.locator('table.summary tbody tr td:nth-child(4)').allTextContents();
      if (offered.length !== api.rows.length || [...offered, ...abandoned].some((c) => c !== '–')) {
        throw new Error(`per agent, offered ${offered.join(' ')}, abandoned ${abandoned.join(' ')}`);
      }
      const total = await page.locator('table.summary tfoot td').first().innerText();
      if (total !== String(api.totals.offered)) throw new Error(`total offered ${total}, the API's ${api.totals.offered}`);
      await page.getByLabel('Per', { exact: true }).selectOption('queue');
      await page.getByRole('columnheader', { name: 'Queue' }).waitFor();
    });
    await step('the summary per agent shows the offers an agent declined and let ring out, as the API counts them (en, fr)',
      async () => {
        await declineAndMiss(url, admin, password);
        await page.getByLabel('Per', { exact: true }).selectOption('agent');
        await page.getByRole('columnheader', { name: 'Agent' }).waitFor();
        const day = await page.getByLabel('Day', { exact: true }).inputValue();
        const api = await page.evaluate((d) => fetch(`/api/v1/reports/summary?date=${d}&by=agent`).then((r) => r.json()), day);
        const heads = await page.locator('table.summary thead th').allTextContents();
        const cols = ['Offers declined', 'Offers missed (rang out)'].map((h) => heads.indexOf(h) + 1);
        if (cols.includes(0)) throw new Error(`the summary's columns: ${heads.join(' | ')}`);
        const dana = page.getByRole('row', { name: /^Dana Decliner/ });
        await dana.locator(`td:nth-child(${cols[0]})`, { hasText: /^1$/ }).waitFor();
        await dana.locator(`td:nth-child(${cols[1]})`, { hasText: /^1$/ }).waitFor();
        const shown = async (col, where) => page.locator(`table.summary ${where} td:nth-child(${col})`).allTextContents();
        const want = (rows, key) => rows.map((r) => String(r[key]));
        for (const [i, key] of [[0, 'declined'], [1, 'missed']]) {
          const rows = await shown(cols[i], 'tbody tr');
          if (rows.join(' ') !== want(api.rows, key).join(' ')) throw new Error(`${key} per agent ${rows.join(' ')}, the API's ${want(api.rows, key).join(' ')}`);
          const total = (await shown(cols[i], 'tfoot tr')).join('');
          if (total !== String(api.totals[key])) throw new Error(`${key} in all ${total}, the API's ${api.totals[key]}`);
        }
        await page.getByLabel('Language').selectOption('fr');
        await page.getByRole('columnheader', { name: 'Offres refusées', exact: true }).waitFor();
        await page.getByRole('columnheader', { name: 'Offres manquées (sans réponse)', exact: true }).waitFor();
        await page.getByLabel('Langue').selectOption('en');
        await page.getByLabel('Per', { exact: true }).selectOption('queue');
        await page.getByRole('columnheader', { name: 'Queue' }).waitFor();
      });
    await step('the accessibility barometer shows the month beside the published figures (en, fr)', async () => {
      const table = page.getByRole('table', { name: /our contacts beside a published barometer/ });
      await table.getByRole('row', { name: /Calls answered within 30 s/ }).getByText('56%').waitFor();
      await table.getByRole('row', { name: /Emails answered the same business day/ }).getByText('33%').waitFor();
      const b = await page.evaluate(() => fetch('/api/v1/reports/barometer').then((r) => r.json()));
      const person = b.help_centre.shows_a_way_to_reach_a_person ? 'Yes' : 'No';
      await table.getByRole('row', { name: /a way to reach a person/ }).getByText(person, { exact: true }).waitFor();
      await accessible(page, 'barometer (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('table', { name: /nos contacts à côté/ }).waitFor();
      await accessible(page, 'barometer (fr)');
      await page.getByLabel('Langue').selectOption('en');
    });
    await tenantDayTest(browser, url, email, password, admin, step);
    await step('the reasons tab shows reasons over time, satisfaction and knowledge as the API counts them (en, fr)', async () => {
      // a help centre customer says an article did not solve it: the tab shows the help centre's tables
      if (!(await admin('GET', '/api/v1/portal')).enabled) await admin('PUT', '/api/v1/portal', { enabled: true });
      await admin('POST', '/api/v1/kb/import?publish=1', JSON.stringify({ kind: 'article', id: 'sup-router-reset',
        title: 'Reset the router', lang: 'en', body: 'Hold the reset button for ten seconds.' }) + '\n', 'application/x-ndjson');
      const said = await page.evaluate(async () => {
        const me = await fetch('/api/v1/me').then((x) => x.json());
        const res = await fetch(`/public/v1/tenants/${me.tenant_id}/kb/feedback`, { method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ query: 'reset the router: still broken', item: 'sup-router-reset', solved: false }) });
        return res.status === 200 ? '' : `feedback: ${res.status} ${await res.text()}`;
      });
      if (said) throw new Error(said);
      // a customer who left while waiting: guichet's own disposition, said in the page's language
      const waiting = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Gone',
        queue_id: (await admin('GET', '/api/v1/queues')).items[0].id });
      await admin('POST', `/api/v1/contacts/${waiting.id}/abandon`);
      await page.getByRole('tab', { name: 'Reasons' }).click();
      await page.getByRole('heading', { name: 'Reasons and outcomes, last 30 days' }).waitFor();
      const r = await page.evaluate(() => fetch('/api/v1/reports/reasons').then((x) => x.json()));
      if (r.total > 0) {
        await page.getByRole('img', { name: /Contacts resolved per period/ }).waitFor();
        const rows = page.getByRole('table', { name: 'Contacts resolved per reason' }).locator('tbody tr');
        if ((await rows.count()) !== r.reasons.length) throw new Error(`${await rows.count()} reasons shown, ${r.reasons.length} counted`);
      } else {
        await page.getByText('No contact resolved in these 30 days.').waitFor();
      }
      await page.getByRole('heading', { name: 'Satisfaction' }).waitFor();
      await page.getByRole('heading', { name: 'Knowledge items' }).waitFor();
      const k = await page.evaluate(() => fetch('/api/v1/reports/knowledge').then((x) => x.json()));
      const failing = page.getByRole('table', { name: /In the help centre: items customers said did not solve it/ }).locator('tbody tr');
      await failing.first().waitFor();
      if ((await failing.count()) !== k.self_service_fail_most.length || k.self_service_fail_most.length === 0)
        throw new Error(`${await failing.count()} help centre items shown, ${k.self_service_fail_most.length} counted`);
      const s = await page.evaluate(() => fetch('/api/v1/reports/satisfaction?by=agent').then((x) => x.json()));
      await page.locator('#rsn-sat-by').selectOption('agent');
      if (s.rows.length) {
        await page.getByRole('table', { name: 'Customers’ scores per Agent' }).waitFor();
      } else {
        await page.getByText('No score in these 30 days.').waitFor();
      }
      await page.getByRole('table', { name: 'Contacts resolved per disposition' })
        .getByRole('rowheader', { name: 'Abandoned (left while waiting)' }).waitFor();
      await accessible(page, 'reasons (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Motifs et issues, 30 derniers jours' }).waitFor();
      await page.getByRole('table', { name: 'Contacts résolus par qualification' })
        .getByRole('rowheader', { name: 'Abandonné (parti en attendant)' }).waitFor();
      await accessible(page, 'reasons (fr)');
      await page.getByLabel('Langue').selectOption('en');
    });
    await step('the voice of the customer shows the week\'s topics as the API counts them, and moves by week (en, fr)', async () => {
      await page.getByRole('tab', { name: 'Voice of the customer' }).click();
      await page.getByRole('heading', { name: 'What customers talk about' }).waitFor();
      const v = await page.evaluate(() => fetch('/api/v1/reports/voice').then((x) => x.json()));
      await page.getByText(`Week ${v.week}: ${v.contacts} contacts`).waitFor();
      if (v.contacts > 0) {
        const rows = page.getByRole('table', { name: 'The most frequent topics' }).locator('tbody tr');
        await rows.first().waitFor();
        if ((await rows.count()) !== v.topics.length) throw new Error(`${await rows.count()} topics shown, ${v.topics.length} counted`);
      } else {
        await page.getByText('No contact this week yet.').waitFor();
      }
      if ((await page.getByLabel('Week').inputValue()) !== v.week) throw new Error('the week picker is not on the week shown');
      await accessible(page, 'voice of the customer (en)');
      // the week before, as the API counts it
      const [y, w] = v.week.split('-W').map(Number);
      const before = w > 1 ? `${y}-W${String(w - 1).padStart(2, '0')}` : `${y - 1}-W52`;
      await page.getByLabel('Week').fill(before);
      const p = await page.evaluate((week) => fetch(`/api/v1/reports/voice?week=${week}`).then((x) => x.json()), before);
      await page.getByText(`Week ${p.week}: ${p.contacts} contacts`).waitFor();
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Ce dont parlent les clients' }).waitFor();
      await accessible(page, 'voice of the customer (fr)');
      await page.getByLabel('Langue').selectOption('en');
    });
    await step('one second\'s update of 100 queues and 1,000 agents applied, its time printed', () =>
      loadTest(browser, url, email, password));
    await step('a planner lands on the planning page, offered no page it cannot use: the agents an interval needs, a plan from a forecast file, its history a download (en, fr)', async () => {
      await admin('POST', '/api/v1/users', { email: 'pat@a.example', name: 'Pat Planner', password, role: 'planner' });
      const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
      try {
        const p = await ctx.newPage();
        p.setDefaultTimeout(10000);
        const failed = [];
        p.on('pageerror', (e) => failed.push(e.message));
        p.on('response', (r) => {
          const path = new URL(r.url()).pathname;
          // expected: the session asked before the login; the forecast file with a bad line; a forecast without history
          if (r.status() >= 400 && !(r.status() === 401 && path === '/api/v1/me')
            && !(r.status() === 422 && (path === '/api/v1/wfm/plan' || path === '/api/v1/wfm/forecast')))
            failed.push(`${r.request().method()} ${path}: ${r.status()}`);
        });
        await p.goto(url);
        await p.getByLabel('Email').fill('pat@a.example');
        await p.getByLabel('Password').fill(password);
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('heading', { name: 'Planning', level: 1, exact: true }).waitFor();
        if (await p.locator('nav.pages').count()) throw new Error(`pages offered: ${await p.locator('nav.pages').innerText()}`);
        const href = await p.getByRole('link', { name: 'Yesterday and today so far, per half hour (CSV)' }).getAttribute('href');
        const [status, type, csv] = await p.evaluate((h) => fetch(h).then(async (r) => [r.status, r.headers.get('content-type'), await r.text()]), href);
        if (status !== 200 || !String(type).startsWith('text/csv') || !csv.startsWith('interval_start,calls,aht\n'))
          throw new Error(`${href}: ${status} ${type} ${csv.slice(0, 200)}`);
        // the agents one interval needs, as the API computes them (Erlang C, then with shrinkage, then Erlang A)
        const staff = (body) => p.evaluate((b) => fetch('/api/v1/wfm/staff', { method: 'POST', headers: { 'Content-Type': 'application/json',
          'X-CSRF-Token': document.cookie.match(/guichet_csrf=([^;]+)/)[1] }, body: JSON.stringify(b) }).then((r) => r.json()), body);
        const said = p.locator('.pl-answer');
        const pct = (x) => (x * 100).toLocaleString('en', { maximumFractionDigits: 1 });
        await p.getByLabel('Calls in the interval').fill('100');
        await p.getByLabel('Average handle time (seconds)').fill('300');
        await p.getByRole('button', { name: 'Compute' }).click();
        const c = await staff({ calls: 100, interval: 1800, aht: 300, sl: 0.8, target: 20 });
        await said.getByText(`${c.agents} agents on the phones: ${pct(c.service_level)} % answered within 20 s`).waitFor();
        await p.getByLabel('Shrinkage (%)').fill('30');
        await p.getByRole('button', { name: 'Compute' }).click();
        const sh = await staff({ calls: 100, interval: 1800, aht: 300, sl: 0.8, target: 20, shrinkage: 0.3 });
        await said.getByText(`${sh.agents} agents on the phones (${sh.staff} people to schedule with the shrinkage)`).waitFor();
        // the goal is typed in percent: 100 % is no goal any number of agents meets
        await p.getByLabel('Calls answered within the target (%)').fill('100');
        await p.getByRole('button', { name: 'Compute' }).click();
        await p.getByRole('alert').getByText('The goal: the calls answered within the target are a percentage above 0 and under 100 (80 for 80 %).').waitFor();
        if (await said.textContent() !== '') throw new Error(`an answer beside the error: ${await said.textContent()}`);
        await p.getByLabel('Calls answered within the target (%)').fill('80');
        await p.getByLabel('Customers’ average patience (seconds)').fill('60');
        await p.getByRole('button', { name: 'Compute' }).click();
        const a = await staff({ calls: 100, interval: 1800, aht: 300, sl: 0.8, target: 20, shrinkage: 0.3, patience: 60 });
        await said.getByText(`${pct(a.p_abandon)} % hang up`).waitFor();
        // a plan from a forecast file: a line per half hour, the peak, the table, the download
        const forecast = 'start,calls,aht\n2026-12-07T09:00,40,280\n2026-12-07T09:30,120,300\n2026-12-07T10:00,90,310\n';
        await p.getByLabel('Forecast file (CSV)').setInputFiles({ name: 'forecast.csv', mimeType: 'text/csv', buffer: Buffer.from(forecast) });
        await p.getByRole('button', { name: 'Plan the agents' }).click();
        const peak = await staff({ calls: 120, interval: 1800, aht: 300, sl: 0.8, target: 20, shrinkage: 0.3 });
        await p.getByText(`3 intervals: at most ${peak.agents} agents (at 2026-12-07T09:30)`).waitFor();
        const rows = p.getByRole('region', { name: 'The agents each interval needs' }).locator('tbody tr');
        if (await rows.count() !== 3) throw new Error(`${await rows.count()} rows in the plan`);
        const second = await rows.nth(1).locator('th, td').allTextContents();
        if (second[0] !== '2026-12-07T09:30' || second[3] !== String(peak.agents) || second[4] !== String(peak.staff))
          throw new Error(`the plan's second row: ${second.join(' | ')}`);
        const link = p.getByRole('link', { name: 'Download the plan (CSV)' });
        const [download] = await Promise.all([p.waitForEvent('download'), link.click()]);
        const text = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
        if (!text.startsWith('interval_start,calls,aht,agents,staff,') || text.trim().split('\n').length !== 4) throw new Error(`the plan's CSV: ${text}`);
        // the positions to buy beside 5 people of one's own, as the API counts them
        await p.getByLabel('Your own people scheduled in each interval').fill('5');
        await p.getByLabel('Price of a position for one hour').fill('28');
        await p.getByRole('button', { name: 'Count the positions to buy' }).click();
        const o = await p.evaluate((csv) => fetch('/api/v1/wfm/overflow?interval=1800&sl=0.8&target=20&shrinkage=0.3&inhouse=5&price=28', {
          method: 'POST', headers: { 'Content-Type': 'text/csv', 'X-CSRF-Token': document.cookie.match(/guichet_csrf=([^;]+)/)[1] },
          body: csv }).then((r) => r.json()), forecast);
        await p.getByText(`At most ${o.peak_positions} positions at once;`).waitFor();
        const toBuy = await rows.nth(1).locator('td').last().textContent();
        if (toBuy !== String(o.intervals[1].to_buy) || o.intervals[1].to_buy !== peak.staff - 5) throw new Error(`to buy at 09:30: ${toBuy}, ${JSON.stringify(o.intervals[1])}`);
        // a bad line is named
        await p.getByLabel('Forecast file (CSV)').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv',
          buffer: Buffer.from('start,calls,aht\n2026-12-07T09:00,40,280\n2026-12-07T09:30,lots,300\n') });
        await p.getByRole('button', { name: 'Plan the agents' }).click();
        await p.getByRole('alert').getByText(/^The file, line 3: /).waitFor();
        // a brand whose contacts are all today's has no history to forecast from: said so, in the page's words
        await p.getByRole('button', { name: 'Forecast', exact: true }).click();
        await p.getByRole('alert').getByText('A forecast needs at least two weeks of history: the brand does not have them yet (or read more weeks).').waitFor();
        await accessible(p, 'planning (en)');
        await p.getByLabel('Language').selectOption('fr');
        await p.getByRole('heading', { name: 'Planification', level: 1, exact: true }).waitFor();
        await p.getByLabel('Fichier de prévision (CSV)').setInputFiles({ name: 'forecast.csv', mimeType: 'text/csv', buffer: Buffer.from(forecast) });
        await p.getByRole('button', { name: 'Planifier les conseillers' }).click();
        await p.getByText(`3 intervalles : au plus ${peak.agents} conseillers (à 2026-12-07T09:30)`).waitFor();
        await accessible(p, 'planning (fr)');
        if (failed.length) throw new Error(failed.join('\n'));
      } finally {
        await ctx.close();
      }
    });
    await step('no script error on the supervisor\'s pages', async () => {
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    await context.close();
  }
}
