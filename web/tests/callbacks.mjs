// The supervisor's callbacks in the browser, called by run.mjs with its
// daemon, browser and helpers. A brand of its own (Brand C), so that every
// figure is known: its admin sets the callback queue (2 attempts, 1 s
// apart), and through the API an agent misses one callback by two
// unanswered attempts, reaches one, gets a wrong number on a third (the
// supervisor records it) and holds a fourth; three more wait (one in a
// window an hour ahead). The supervisor opens the Callbacks tab with the
// keyboard: the week's figures are the ones counted here by hand (and the
// API's report agrees), the open and missed lists show each callback's
// number, name, window, attempts, state, source and reason. Another span
// shows nothing, a span too long shows the API's refusal. One callback is
// cancelled from the screen with the keyboard, after the confirmation
// (kept first, then confirmed): the API says it is cancelled and the
// figures follow. One cancelled behind the screen's back shows the API's
// refusal. An outsourcer's supervisor serving Brand A sees Brand A's
// open callback and none of Brand C's, but not Brand A's figures (the
// report answers 403), and Brand C's supervisor none of Brand A's. axe-core finds no serious or critical violation on the tab, its
// dialog included, in English and French.
import { bearer } from './bearer.mjs';

const BRAND = 'Brand C';
const OUTSOURCER = 'Ring Back Services';

async function login(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function apiLogin(url, email, password, tenant) {
  const { token } = await bearer(url)('POST', '/api/v1/auth/login', tenant ? { email, password, tenant } : { email, password });
  return bearer(url, token);
}

// The API's error message of a request that must fail with status.
async function refusal(url, token, method, path, status) {
  const res = await fetch(url + path, { method, headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status}, not ${status}`);
  return (await res.json()).error.message;
}

function watchErrors(page, errors, expected) {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()));
  page.on('response', (r) => {
    const what = `${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`;
    if (r.status() >= 400 && !expected.some((e) => e.test(what))) errors.push(what);
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function until(what, fn, ms = 10000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await fn()) return;
  throw new Error(`waited ${ms} ms for ${what}`);
}

// The agent takes the callback's contact once it is offered: the callback is dialling.
async function take(agent, cb) {
  await until(`the offer of contact ${cb.contact_id}`, async () =>
    ((await agent('GET', '/api/v1/agents/me')).live.contacts || []).some((c) => c.contact_id === cb.contact_id && c.state === 'offered'));
  await agent('POST', `/api/v1/contacts/${cb.contact_id}/accept`);
}

// A brand, its callback queue, a supervisor and an agent; callbacks in every state.
async function seed(url, admin, password) {
  await admin('POST', '/api/v1/tenants', { name: BRAND });
  await admin('POST', '/api/v1/users', { email: 'cleo@c.example', name: 'Cleo Admin', password, role: 'planner' });
  await admin('POST', '/api/v1/memberships', { email: 'cleo@c.example', tenant: BRAND, role: 'tenant_admin' });
  const cleo = await apiLogin(url, 'cleo@c.example', password, BRAND);
  const skill = await cleo('POST', '/api/v1/skills', { name: 'callbacks' });
  const queue = await cleo('POST', '/api/v1/queues', { name: 'Call me back', skill_id: skill.id, channel: 'phone', offer_timeout_s: 120 });
  await cleo('PUT', '/api/v1/callbacks/settings', { queue_id: queue.id, retry_after_s: 1, max_attempts: 2 });
  await cleo('POST', '/api/v1/users', { email: 'carla@c.example', name: 'Carla Supervisor', password, role: 'supervisor' });
  const caleb = await cleo('POST', '/api/v1/users', { email: 'caleb@c.example', name: 'Caleb Caller', password, role: 'agent' });
  await cleo('PUT', `/api/v1/agents/${caleb.id}`, { level: 1, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }], capacity: { phone: 1 } });
  const agent = await apiLogin(url, 'caleb@c.example', password);
  const sup = await apiLogin(url, 'carla@c.example', password);
  const request = (phone, name, extra = {}) => cleo('POST', '/api/v1/callbacks', { phone, ...(name ? { name } : {}), ...extra });
  const outcome = (who, cb, what) => who('POST', `/api/v1/callbacks/${cb.id}/outcome`, { outcome: what });
  const cb = {};

  await agent('POST', '/api/v1/agents/me/presence', { presence: 'available' });
  // missed: both attempts unanswered
  cb.missed = await request('+33 6 10 00 00 01', 'Marc Missed', { context: 'my box blinks' });
  await take(agent, cb.missed);
  await outcome(agent, cb.missed, 'no_answer');
  await take(agent, cb.missed); // back in the queue a second later
  await outcome(agent, cb.missed, 'busy');
  // reached, then wrapped up
  cb.reached = await request('+33 6 10 00 00 02', 'Rita Reached');
  await take(agent, cb.reached);
  await outcome(agent, cb.reached, 'reached');
  await agent('POST', `/api/v1/contacts/${cb.reached.contact_id}/wrapup`, { disposition: 'called_back' });
  // a wrong number, recorded by the supervisor for the agent
  cb.wrong = await request('+33 6 10 00 00 03', null);
  await take(agent, cb.wrong);
  await outcome(sup, cb.wrong, 'wrong_number');
  // held by the agent, who pauses: the others wait
  cb.dialing = await request('+33 6 10 00 00 04', 'Dora Dialing');
  await take(agent, cb.dialing);
  await agent('POST', '/api/v1/agents/me/presence', { presence: 'paused', reason: 'break' });
  cb.waiting = await request('+33 6 10 00 00 05', 'Wanda Waiting');
  cb.cancel = await request('+33 6 10 00 00 06', 'Cyril Cancel');
  const hour = 3600 * 1000;
  const window = { from: new Date(Date.now() + hour).toISOString(), to: new Date(Date.now() + 3 * hour).toISOString() };
  cb.scheduled = await request('+33 6 10 00 00 07', 'Sol Scheduled', { window });
  // each as the API keeps it now
  for (const k of Object.keys(cb)) cb[k] = await sup('GET', `/api/v1/callbacks/${cb[k].id}`);
  const states = Object.fromEntries(Object.entries(cb).map(([k, v]) => [k, v.state]));
  const want = { missed: 'missed', reached: 'done', wrong: 'missed', dialing: 'dialing', waiting: 'waiting', cancel: 'waiting',
    scheduled: 'scheduled' };
  if (JSON.stringify(states) !== JSON.stringify(want)) throw new Error(`seeded states: ${JSON.stringify(states)}`);
  return { cleo, sup, cb };
}

// The report as the page shows it: {figure key: text}.
async function figures(page) {
  const table = page.locator('table.cbs-figures');
  await table.waitFor();
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.figure, tr.querySelector('td').textContent]));
  return Object.fromEntries(rows);
}

async function figuresAre(page, want) {
  let got = null;
  try {
    await until('the figures', async () => JSON.stringify(got = await figures(page)) === JSON.stringify(want), 5000);
  } catch {
    throw new Error(`the page shows ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
  }
}

// The mean time to reach as the page writes it (en).
function duration(s) {
  if (s === null) return '–';
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}

function day(offset) {
  return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10); // the brand has no calendar: UTC
}

export async function callbackTests({ browser, url, admin, step, accessible, password }) {
  let seeded = null;
  let abel = null;
  await step('callbacks: a brand\'s callbacks seeded through the API in every state', async () => {
    seeded = await seed(url, admin, password);
    // Brand A's own callback, in a queue nobody serves, and its outsourcer's supervisor
    const skill = await admin('POST', '/api/v1/skills', { name: 'brand a callbacks' });
    const queue = await admin('POST', '/api/v1/queues', { name: 'A callbacks', skill_id: skill.id, channel: 'phone' });
    abel = await admin('POST', '/api/v1/callbacks', { phone: '+33 1 99 99 99 99', name: 'Abel Brand-A', queue_id: queue.id });
    await admin('POST', '/api/v1/organisations', { name: OUTSOURCER, kind: 'outsourcer' });
    await admin('POST', '/api/v1/users', { email: 'osman@rbs.example', name: 'Osman Outsourced', password, role: 'supervisor',
      organisation: OUTSOURCER });
  });
  if (!seeded) return;
  const { cleo, sup, cb } = seeded;
  // by hand: 7 requested this week; 1 reached; 2 missed (exhausted, wrong number); 4 open
  const reachS = Math.floor((Date.parse(cb.reached.reached_at) - Date.parse(cb.reached.created_at)) / 1000);
  const week = { requested: '7', reached: '1', missed: '2', 'missed.attempts_exhausted': '1', 'missed.window_passed': '0',
    'missed.wrong_number': '1', cancelled: '0', open: '4', ended: '0', mean_to_reach: duration(reachS) };
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  // expected: before the login; the span too long (twice: its From set, then back); the refused cancel
  watchErrors(page, errors, [/^401 GET \/api\/v1\/me$/, /^400 GET \/api\/v1\/reports\/callbacks$/,
    new RegExp(`^422 POST /api/v1/callbacks/${cb.scheduled.id}/cancel$`)]);
  page.setDefaultTimeout(10000);
  const row = (c) => page.locator(`tr[data-callback="${c.id}"]`);
  const open = page.getByRole('table', { name: /still to make/ });
  const missed = page.getByRole('table', { name: /and missed/ });
  try {
    await step('callbacks: the supervisor reaches the tab with the keyboard and sees the week\'s figures, counted by hand', async () => {
      await login(page, url, 'carla@c.example', password);
      await page.getByRole('heading', { name: 'Wallboard' }).waitFor();
      await page.getByRole('tab', { name: 'Wallboard' }).focus();
      await page.keyboard.press('End');
      const tab = page.getByRole('tab', { name: 'Callbacks' });
      if ((await tab.getAttribute('aria-selected')) !== 'true' || !(await tab.evaluate((e) => e === document.activeElement)))
        throw new Error('End did not select and focus the Callbacks tab');
      await page.getByRole('heading', { name: 'Callbacks requested' }).waitFor();
      if ((await page.getByLabel('From').inputValue()) !== day(-6) || (await page.getByLabel('To (included)').inputValue()) !== day(0))
        throw new Error('the span is not the last 7 days');
      await figuresAre(page, week);
      // and the API counts the same
      const r = await sup('GET', `/api/v1/reports/callbacks?from=${day(-6)}&to=${day(1)}`);
      const api = { requested: r.requested, reached: r.reached, missed: r.missed, cancelled: r.cancelled, open: r.open,
        ended: r.ended_without_outcome, mean: r.mean_to_reach_s };
      const hand = { requested: 7, reached: 1, missed: { total: 2, attempts_exhausted: 1, window_passed: 0, wrong_number: 1 },
        cancelled: 0, open: 4, ended: 0, mean: reachS };
      if (JSON.stringify(api) !== JSON.stringify(hand)) throw new Error(`the API counts ${JSON.stringify(api)}`);
    });
    await step('callbacks: the open and missed lists show each callback as the API keeps it', async () => {
      await open.waitFor();
      const ids = await open.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.callback)));
      const wantOpen = [cb.scheduled, cb.cancel, cb.waiting, cb.dialing].map((c) => c.id);
      if (JSON.stringify(ids) !== JSON.stringify(wantOpen)) throw new Error(`open rows ${ids}, not ${wantOpen}`);
      await page.getByText('4 callbacks still to make').waitFor();
      const cells = async (c) => (await row(c).locator('th, td').allInnerTexts()).map((s) => s.trim());
      const wanda = await cells(cb.waiting);
      const expectWanda = [`#${cb.waiting.id}`, '+33610000005', 'Wanda Waiting', 'As soon as possible', '0 of 2', 'Waiting', 'API',
        `Cancel callback #${cb.waiting.id}`];
      if (JSON.stringify(wanda.filter((_, i) => i !== 1)) !== JSON.stringify(expectWanda)) throw new Error(`waiting row: ${wanda}`);
      const dora = await cells(cb.dialing);
      if (dora[6] !== 'Being called' || dora[5] !== '0 of 2' || await row(cb.dialing).getByRole('button').count())
        throw new Error(`dialling row: ${dora}`);
      const sol = await cells(cb.scheduled);
      if (!sol[4].includes(' to ') || !sol[6].startsWith('Scheduled') || !sol[6].includes('next try') || sol[2] !== '+33610000007')
        throw new Error(`scheduled row: ${sol}`);
      // missed, newest first: the wrong number, then the two unanswered attempts
      const mids = await missed.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.callback)));
      if (JSON.stringify(mids) !== JSON.stringify([cb.wrong.id, cb.missed.id])) throw new Error(`missed rows ${mids}`);
      const marc = await cells(cb.missed);
      const expectMarc = [`#${cb.missed.id}`, '+33610000001', 'Marc Missed', 'As soon as possible', '2 of 2', 'Missed', 'API',
        'Every attempt unanswered'];
      if (JSON.stringify(marc.filter((_, i) => i !== 1)) !== JSON.stringify(expectMarc)) throw new Error(`missed row: ${marc}`);
      const wrong = await cells(cb.wrong);
      if (wrong[3] !== '–' || wrong[5] !== '1 of 2' || wrong[8] !== 'Wrong number') throw new Error(`wrong number row: ${wrong}`);
      if (await row(cb.reached).count()) throw new Error(`the reached callback #${cb.reached.id} is listed`);
      if (await page.getByText('+33199999999').count()) throw new Error('Brand A\'s callback shows in Brand C');
    });
    await step('callbacks: another span shows its own figures, a span too long the API\'s refusal', async () => {
      await page.getByLabel('From').fill(day(-20));
      await page.getByLabel('To (included)').fill(day(-10));
      await figuresAre(page, { requested: '0', reached: '0', missed: '0', 'missed.attempts_exhausted': '0', 'missed.window_passed': '0',
        'missed.wrong_number': '0', cancelled: '0', open: '0', ended: '0', mean_to_reach: '–' });
      await page.getByText('No callback requested in this span was missed.').waitFor();
      await page.getByLabel('From').fill(day(-200));
      const message = await refusal(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'carla@c.example', password })).token,
        'GET', `/api/v1/reports/callbacks?from=${day(-200)}&to=${day(-9)}`, 400);
      await page.getByRole('alert').getByText(`This span cannot be shown: ${message}`).waitFor();
      await page.getByLabel('From').fill(day(-6));
      await page.getByLabel('To (included)').fill(day(0));
      await figuresAre(page, week);
      if (await page.getByRole('alert').filter({ hasText: /\S/ }).count()) throw new Error('the refusal stays after a good span');
    });
    await step('callbacks: the tab has no serious accessibility violation (en, fr)', async () => {
      await accessible(page, 'callbacks tab (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Rappels demandés' }).waitFor();
      await page.getByRole('table', { name: /rappels encore à faire/ }).waitFor();
      await row(cb.missed).getByText('Toutes les tentatives sans réponse').waitFor();
      await accessible(page, 'callbacks tab (fr)');
      await page.getByLabel('Langue').selectOption('en');
      await page.getByRole('heading', { name: 'Callbacks requested' }).waitFor();
    });
    await step('callbacks: one is kept, then cancelled from the screen with the keyboard; the API says cancelled', async () => {
      const button = row(cb.cancel).getByRole('button', { name: `Cancel callback #${cb.cancel.id}` });
      await button.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Are you sure?' });
      await dialog.getByText(`Cancel callback #${cb.cancel.id} (+33610000006, Cyril Cancel)?`).waitFor();
      await accessible(page, 'callbacks cancel dialog (en)');
      if (!(await dialog.getByRole('button', { name: 'Keep it' }).evaluate((e) => e === document.activeElement)))
        throw new Error('the focus is not on Keep it');
      await page.keyboard.press('Enter'); // keep it
      await dialog.waitFor({ state: 'detached' });
      if (!(await button.evaluate((e) => e === document.activeElement))) throw new Error('the focus did not come back');
      if ((await sup('GET', `/api/v1/callbacks/${cb.cancel.id}`)).state !== 'waiting') throw new Error('kept, yet changed');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter'); // cancel it
      await page.getByRole('status').getByText(`Callback #${cb.cancel.id} cancelled.`).waitFor();
      await row(cb.cancel).waitFor({ state: 'detached' });
      const stored = await sup('GET', `/api/v1/callbacks/${cb.cancel.id}`);
      if (stored.state !== 'cancelled') throw new Error(`the callback is ${stored.state}`);
      await figuresAre(page, { ...week, cancelled: '1', open: '3' });
      if (!(await page.evaluate(() => document.activeElement?.id)).startsWith('cbs-open-h')) throw new Error('the focus is lost');
    });
    await step('callbacks: a callback cancelled meanwhile shows the API\'s refusal', async () => {
      await cleo('POST', `/api/v1/callbacks/${cb.scheduled.id}/cancel`); // behind the screen's back
      const message = await refusal(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'carla@c.example', password })).token,
        'POST', `/api/v1/callbacks/${cb.scheduled.id}/cancel`, 422);
      await row(cb.scheduled).getByRole('button', { name: `Cancel callback #${cb.scheduled.id}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: `Cancel callback #${cb.scheduled.id}` }).click();
      await page.getByRole('alert').getByText(`Callback #${cb.scheduled.id} was not cancelled: ${message}`).waitFor();
      await row(cb.scheduled).waitFor({ state: 'detached' });
      if ((await page.getByRole('status').first().textContent()).includes('cancelled.')) throw new Error('the last success still shows');
      await figuresAre(page, { ...week, cancelled: '2', open: '2' });
      await accessible(page, 'callbacks with a refusal (en)');
    });
    await step('callbacks: no script error on the tab', async () => {
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    await context.close();
  }
  const other = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  try {
    await step('callbacks: an outsourcer\'s supervisor serving Brand A sees Brand A\'s callback, none of Brand C\'s, nor Brand A\'s figures', async () => {
      const p = await other.newPage();
      const errs = [];
      watchErrors(p, errs, [/^401 GET \/api\/v1\/me$/]);
      p.setDefaultTimeout(10000);
      await login(p, url, 'osman@rbs.example', password);
      await p.getByRole('tab', { name: 'Callbacks' }).click();
      await p.locator(`tr[data-callback="${abel.id}"]`).getByText('+33199999999').waitFor();
      // the brand's figures and missed callbacks are the brand's (the report answers 403)
      if (await p.locator('table.cbs-figures').count()) throw new Error('the brand\'s figures show');
      for (const c of Object.values(cb)) {
        if (await p.locator(`tr[data-callback="${c.id}"]`, { hasText: c.phone }).count()) throw new Error(`Brand C's #${c.id} shows`);
      }
      if (await p.getByText(/\+3361000000\d/).count()) throw new Error('a number of Brand C shows');
      await refusal(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'osman@rbs.example', password })).token,
        'GET', `/api/v1/callbacks/${cb.waiting.id}`, 404);
      await refusal(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'osman@rbs.example', password })).token,
        'GET', `/api/v1/reports/callbacks?from=${day(-6)}&to=${day(1)}`, 403);
      if (errs.length) throw new Error(errs.join('\n'));
    });
  } finally {
    await other.close();
  }
}
