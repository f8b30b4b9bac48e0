// The agent's call controls with real calls, called by run.mjs with its
// browser and helpers. A guichetd of its own takes SIP on loopback
// (--sip-listen), as tests/integration/test-voice-agent.c starts it; SIPp
// (Debian's sip-tester) is the agent's phone, registering with the
// agent's digest credentials (tests/integration/sipp/register.xml) then
// answering as a user-agent server 5 s after it rings
// (agent_answer_slow.xml), and the caller, who dials the number of the
// support queue and stays on the line until guichet hangs up
// (call_waits.xml); the scenarios are the C tests' folder's.
//
// The agent, available on the desktop, sees the offer, accepts it while
// the phone rings: the tab says Ringing, then Talking with the talk time
// once the phone answers (the API says bridged). Alt+H holds the call (the
// API says held, the timeline has call_held, the journey shows it), Enter
// on the same button resumes it (call_resumed). Held and resumed behind
// the screen's back by the administrator, the tab follows at once: the
// changes come on the agent's live stream, the screen reads nothing. The agent transfers the call to the billing queue: the phone gets
// its BYE (its SIPp ends well), the tab closes, the contact waits in that
// queue (the API's routing) with nobody's phone on it, the caller still on
// the line. A second caller is answered on the phone alone: its tab opens
// by itself, and the agent escalates it to level 2 with the keyboard: the
// phone hung up, the contact escalated, waiting in the experts' queue.
// guichetd stopping hangs up both callers, whose SIPp end well. axe-core
// finds no serious or critical violation on the tab with its call, in
// English and French.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bearer } from './bearer.mjs';
import { freePort } from './ports.mjs';

const SCENARIOS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'integration', 'sipp');
const NUMBER = '+33100000301';
const CALLER = '+33612340001';
const CALLER2 = '+33612340002';
const PHONE_USER = 'phil';
const PHONE_PASSWORD = 'phone-secret-9';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function until(what, fn, ms = 15000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await fn()) return;
  throw new Error(`waited ${ms} ms for ${what}`);
}

// One SIPp run of scenario with args, in a folder of its own, its screen
// and errors into a log there: {exited: a promise of its exit status, kill,
// log()}. SIPp dies with this process' group only if killed: every run is
// killed in the group's finally.
function sipp(scenario, args) {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-web-sipp-'));
  const out = openSync(join(dir, 'sipp.log'), 'a');
  const child = spawn('sipp', ['-sf', join(SCENARIOS, scenario), ...args, '-nostdin', '-trace_err'],
    { cwd: dir, stdio: ['ignore', out, out] });
  closeSync(out);
  let status = null;
  const exited = new Promise((ok) => child.once('exit', (code, signal) => { status = code ?? signal; ok(status); }));
  const log = () => {
    let text = '';
    for (const name of ['sipp.log']) {
      try { text += readFileSync(join(dir, name), 'utf8').split('\n').slice(-30).join('\n'); } catch { /* none */ }
    }
    return text;
  };
  return {
    exited,
    running: () => status === null,
    kill: () => { if (status === null) child.kill('SIGKILL'); },
    // its exit status within ms (0: the scenario passed), or an error with its log
    async ended(what, ms = 15000) {
      const code = await Promise.race([exited, sleep(ms).then(() => 'still running')]);
      if (code !== 0) throw new Error(`${what}: SIPp ${scenario} ended with ${code}\n${log()}`);
    },
    clean: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// A catalogue key shown instead of its text (a missing key shows itself).
async function noRawKey(page, where) {
  const text = await page.locator(where).innerText();
  const raw = text.match(/\b(call|handover|contacts|journey|shortcut|astate|presence)\.[a-z_.]+/);
  if (raw) throw new Error(`${where} shows the key ${raw[0]}`);
}

async function login(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// The tenant's queues, its agent with a phone, the number: what the calls need.
async function seed(url, password) {
  const { token } = await bearer(url)('POST', '/api/v1/auth/login', { email: 'admin@a.example', password });
  const admin = bearer(url, token);
  const me = await admin('GET', '/api/v1/me');
  const voice = await admin('POST', '/api/v1/skills', { name: 'voice' });
  const billingSkill = await admin('POST', '/api/v1/skills', { name: 'billing' });
  const expertSkill = await admin('POST', '/api/v1/skills', { name: 'experts' });
  const queue = (name, skill, extra = {}) => admin('POST', '/api/v1/queues', { name, skill_id: skill.id, channel: 'phone',
    offer_timeout_s: 60, wrapup_s: 1, ...extra });
  const support = await queue('Phone support', voice);
  const billing = await queue('Phone billing', billingSkill);
  const experts = await queue('Phone experts', expertSkill, { level: 2 });
  const phil = await admin('POST', '/api/v1/users', { email: 'phil@a.example', name: 'Phil Phone', password, role: 'agent' });
  await admin('PUT', `/api/v1/agents/${phil.id}`, { level: 1, skills: [{ skill_id: voice.id, proficiency: 5, tier: 1 }],
    capacity: { phone: 1 } });
  await admin('PUT', `/api/v1/agents/${phil.id}/sip`, { username: PHONE_USER, password: PHONE_PASSWORD });
  await admin('POST', '/api/v1/channels/voice/numbers', { number: NUMBER, queue_id: support.id });
  const { token: agentToken } = await bearer(url)('POST', '/api/v1/auth/login', { email: 'phil@a.example', password });
  return { admin, agent: bearer(url, agentToken), realm: `t${me.tenant_id}.guichet`, phil, support, billing, experts };
}

// The contact's call events of type, oldest first.
async function callEvents(admin, contact, type) {
  const { items } = await admin('GET', `/api/v1/contacts/${contact}/events?limit=200`);
  return items.filter((e) => e.type === type);
}

export async function callTests({ browser, step, accessible, password, startDaemon }) {
  const runs = [];
  const dir = mkdtempSync(join(tmpdir(), 'guichet-web-calls-'));
  let daemon = null;
  let context = null;
  let s = null;
  let page = null;
  const errors = [];
  let sipPort = 0;
  let phonePort = 0;
  let first = 0;
  let second = 0;
  let phone = null;
  let caller = null;
  let caller2 = null;
  const run = (scenario, args) => {
    const r = sipp(scenario, args);
    runs.push(r);
    return r;
  };
  // the agent's phone registers (its binding: 120 s), then answers one call as a user-agent server
  const phoneAnswers = async () => {
    const reg = run('register.xml', [`127.0.0.1:${sipPort}`, '-key', 'realm', s.realm, '-key', 'user', PHONE_USER,
      '-au', PHONE_USER, '-ap', PHONE_PASSWORD, '-m', '1', '-i', '127.0.0.1', '-p', String(phonePort),
      '-timeout', '20', '-timeout_error', '-t', 'u1']);
    await reg.ended('the phone registering');
    return run('agent_answer_slow.xml', ['-m', '1', '-i', '127.0.0.1', '-p', String(phonePort), '-mp',
      String(await freePort()), '-rtp_echo', '-timeout', '240', '-timeout_error', '-t', 'u1']);
  };
  // a caller dialling the number, who does not echo (the phone does: packets would loop)
  const dial = async (from) => run('call_waits.xml', [`127.0.0.1:${sipPort}`, '-s', NUMBER, '-key', 'caller', from,
    '-m', '1', '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(await freePort()), '-timeout', '240',
    '-timeout_error', '-t', 'u1']);
  const callState = () => page.locator(`#panel-${first} .call-state`);
  try {
    const ready = await step('calls: guichetd takes SIP, the agent has a registered phone and is available', async () => {
      if (spawnSync('sipp', ['-v']).error) throw new Error('sipp is not installed (apt-get install sip-tester)');
      sipPort = await freePort();
      phonePort = await freePort();
      daemon = await startDaemon(dir, ['--sip-listen', `127.0.0.1:${sipPort}`]);
      s = await seed(daemon.url, password);
      context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
      page = await context.newPage();
      page.setDefaultTimeout(15000);
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()));
      // expected: GET /me before the login (401: that is how the page knows)
      page.on('response', (r) => {
        const what = `${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`;
        if (r.status() >= 400 && what !== '401 GET /api/v1/me')
          errors.push(what);
      });
      await login(page, daemon.url, 'phil@a.example', password);
      await page.getByRole('radio', { name: 'Available' }).click();
      await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
      phone = await phoneAnswers();
    });
    if (!ready) return;

    await step('calls: a call offered to the agent rings the phone; accepted on the desktop, the tab says Ringing, then Talking, and its journey the bridge', async () => {
      caller = await dial(CALLER);
      const offer = page.locator('.offer[data-contact]');
      await offer.first().waitFor();
      first = Number(await offer.first().getAttribute('data-contact'));
      await page.getByRole('status').getByText(`New offer: Phone contact #${first}`).waitFor();
      await offer.first().getByRole('button', { name: 'Accept' }).click();
      await page.getByRole('tab', { name: `#${first}` }).waitFor();
      await page.getByRole('heading', { name: 'Phone call' }).waitFor();
      await callState().getByText('Ringing', { exact: true }).waitFor();
      const ringing = await s.agent('GET', `/api/v1/contacts/${first}/call`);
      if (ringing.state !== 'ringing' && ringing.state !== 'bridged') throw new Error(JSON.stringify(ringing));
      // the phone answers 5 s after it rang
      await page.locator(`#panel-${first} .call-state[data-state="bridged"]`).waitFor();
      await callState().getByText('Talking', { exact: true }).waitFor();
      await callState().getByText(/talk time 0:0\d/).waitFor();
      await page.getByRole('status').getByText(`Call #${first}: your phone answered`).waitFor();
      const bridged = await s.agent('GET', `/api/v1/contacts/${first}/call`);
      if (bridged.state !== 'bridged' || bridged.agent_id !== s.phil.id) throw new Error(JSON.stringify(bridged));
      if ((await callEvents(s.admin, first, 'call_bridged')).length !== 1) throw new Error('no call_bridged event');
      // told once it was on the timeline: the journey the tab read again has it
      await page.locator(`#panel-${first} .journey-item[data-type="call_bridged"]`).waitFor();
    });

    await step('calls: the tab with its call has no serious accessibility violation (en, fr)', async () => {
      await noRawKey(page, `#panel-${first}`);
      await accessible(page, 'a call (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Appel téléphonique' }).waitFor();
      await callState().getByText('En conversation', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Mettre en attente' }).waitFor();
      await noRawKey(page, `#panel-${first}`);
      await accessible(page, 'a call (fr)');
      await page.getByLabel('Langue').selectOption('en');
      await page.getByRole('heading', { name: 'Phone call' }).waitFor();
    });

    await step('calls: Alt+H holds the call: the API says held, the timeline and the journey have it', async () => {
      await page.keyboard.press('Alt+KeyH');
      await page.getByRole('status').getByText(`Call #${first} on hold: the caller hears the music.`).waitFor();
      await callState().getByText('On hold', { exact: true }).waitFor();
      await callState().getByText(/on hold for 0:0\d/).waitFor();
      const held = await s.admin('GET', `/api/v1/contacts/${first}/call`);
      if (held.state !== 'held' || held.held_s === undefined) throw new Error(JSON.stringify(held));
      const events = await callEvents(s.admin, first, 'call_held');
      if (events.length !== 1 || events[0].data.agent_id !== s.phil.id) throw new Error(JSON.stringify(events));
      await page.locator(`#panel-${first} .journey-item[data-type="call_held"]`).getByText('Call put on hold').waitFor();
      await noRawKey(page, `#panel-${first}`); // the call's events in the journey too
    });

    await step('calls: Enter on the same button resumes it: talking again, call_resumed on the timeline', async () => {
      const button = page.locator(`#panel-${first} .call button`);
      await button.focus();
      if ((await button.textContent()) !== 'Resume') throw new Error(`the button says ${await button.textContent()}`);
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(`Call #${first} resumed`).waitFor();
      await page.locator(`#panel-${first} .call-state[data-state="bridged"]`).waitFor();
      // the focus stayed on the button, now Hold
      await until('the focused button to say Hold', () => page.evaluate(() => document.activeElement?.textContent === 'Hold'));
      const state = await s.admin('GET', `/api/v1/contacts/${first}/call`);
      if (state.state !== 'bridged') throw new Error(JSON.stringify(state));
      const events = await callEvents(s.admin, first, 'call_resumed');
      if (events.length !== 1 || typeof events[0].data.held_s !== 'number') throw new Error(JSON.stringify(events));
    });

    await step('calls: held behind the screen\'s back, the tab says so at once: pushed on the agent\'s stream, not read again', async () => {
      const reads = [];
      const onRequest = (req) => {
        if (req.method() === 'GET' && req.url().endsWith(`/api/v1/contacts/${first}/call`)) reads.push(req.url());
      };
      page.on('request', onRequest);
      await s.admin('POST', `/api/v1/contacts/${first}/call/hold`);
      await callState().getByText('On hold', { exact: true }).waitFor({ timeout: 3000 });
      await s.admin('POST', `/api/v1/contacts/${first}/call/resume`);
      await page.locator(`#panel-${first} .call-state[data-state="bridged"]`).waitFor({ timeout: 3000 });
      page.off('request', onRequest);
      if (reads.length) throw new Error(`the screen read the call ${reads.length} times instead of being told`);
      await page.locator(`#panel-${first} .call`).getByRole('button', { name: 'Hold', exact: true }).waitFor();
    });

    await step('calls: transferred to another queue, the agent\'s phone is hung up and the contact waits there', async () => {
      const panel = page.locator(`#panel-${first}`);
      await panel.getByRole('heading', { name: 'Transfer or escalate the call' }).waitFor();
      const handover = panel.locator('.handover');
      await handover.getByLabel('To the queue').selectOption({ label: 'Phone billing' });
      await handover.getByLabel('Reason (the next person reads it first)', { exact: true }).fill('a billing question');
      // the call's own route, while the call is bridged
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/contacts\/\d+\/(call\/)?transfer$/.test(r.url())),
        handover.getByRole('button', { name: 'Transfer', exact: true }).click(),
      ]);
      if (!answer.url().endsWith(`/api/v1/contacts/${first}/call/transfer`) || answer.status() !== 200)
        throw new Error(`${answer.url()}: ${answer.status()}`);
      await page.getByRole('status').getByText(`Call #${first} transferred to Phone billing: the caller waits with the music.`).waitFor();
      await page.getByRole('tab', { name: `#${first}` }).waitFor({ state: 'detached' });
      await phone.ended('the agent\'s phone, hung up by the transfer');
      const routing = await s.admin('GET', `/api/v1/contacts/${first}/routing`);
      if (routing.state !== 'waiting' || routing.queue_id !== s.billing.id) throw new Error(JSON.stringify(routing));
      const call = await s.admin('GET', `/api/v1/contacts/${first}/call`);
      if (call.state !== 'none') throw new Error(JSON.stringify(call));
      const moved = await callEvents(s.admin, first, 'call_transferred');
      if (moved.length !== 1 || moved[0].data.from_agent_id !== s.phil.id) throw new Error(JSON.stringify(moved));
      if ((await callEvents(s.admin, first, 'call_ended')).length) throw new Error('the call ended');
      if (!caller.running()) throw new Error('the caller was hung up');
    });

    await step('calls: a call answered on the phone opens its tab by itself; escalated with the keyboard, it waits for level 2', async () => {
      await until('the agent to be free', async () => (await s.agent('GET', '/api/v1/agents/me')).live.state === 'available');
      phone = await phoneAnswers();
      caller2 = await dial(CALLER2);
      // no click: the phone answers after 5 s
      await until('a second contact', async () => {
        const { items } = await s.admin('GET', '/api/v1/contacts?limit=1');
        second = items[0]?.id > first ? items[0].id : 0;
        return second;
      });
      await page.getByRole('tab', { name: `#${second}` }).waitFor({ timeout: 20000 });
      await page.getByRole('status').getByText(`Contact #${second} is yours`).waitFor();
      await page.getByRole('tab', { name: `#${second}` }).click();
      await page.locator(`#panel-${second} .call-state[data-state="bridged"]`).waitFor();
      await page.keyboard.press('Alt+KeyL'); // the hand-over's reason
      await page.keyboard.type('needs an expert');
      await page.keyboard.press('Tab'); // Escalate
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/contacts\/\d+\/(call\/)?escalate$/.test(r.url())),
        page.keyboard.press('Enter'),
      ]);
      if (!answer.url().endsWith(`/api/v1/contacts/${second}/call/escalate`) || answer.status() !== 200)
        throw new Error(`${answer.url()}: ${answer.status()}`);
      await page.getByRole('status').getByText(`Call #${second} escalated to Phone experts: the caller waits with the music.`).waitFor();
      await phone.ended('the agent\'s phone, hung up by the escalation');
      const routing = await s.admin('GET', `/api/v1/contacts/${second}/routing`);
      if (routing.state !== 'waiting' || routing.queue_id !== s.experts.id) throw new Error(JSON.stringify(routing));
      const contact = await s.admin('GET', `/api/v1/contacts/${second}`);
      if (contact.state !== 'escalated') throw new Error(`contact ${second} is ${contact.state}`);
      if ((await callEvents(s.admin, second, 'call_escalated')).length !== 1) throw new Error('no call_escalated event');
      if (!caller2.running()) throw new Error('the second caller was hung up');
    });

    await step('calls: guichetd stopping hangs up the callers still waiting, and no script error or unexpected refusal', async () => {
      await context.close();
      context = null;
      await daemon.stop();
      daemon = null;
      await caller.ended('the first caller');
      await caller2.ended('the second caller');
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    if (context) await context.close();
    if (daemon) await daemon.stop();
    for (const r of runs) r.kill();
    await Promise.all(runs.map((r) => r.exited));
    for (const r of runs) r.clean();
    rmSync(dir, { recursive: true, force: true });
  }
}
