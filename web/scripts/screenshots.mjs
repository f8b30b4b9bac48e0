// The screenshots of docs/screenshots/ (make screenshots): the demo of
// "make run" on a temporary database, served by the real guichetd on a free
// port, and each page taken by Debian's chromium (headless, playwright-core)
// at 1280x720 (the wall screen at 1920x1080), walking the demo's story: the
// agent accepts a contact and starts the guided diagnosis, then escalates it;
// the level-2 expert receives it with its journey; the outsourced agent, who
// works for two brands, chooses one and sees only the basic fields; the
// supervisor watches the wallboard and the day so far. The names are stable,
// so that a regeneration shows in git as changed images only. Each PNG is
// recompressed by optipng when it is installed. They are written to
// docs/screenshots/ only once all of them are taken: a failed run leaves
// the committed ones as they were. The daemon is stopped and the temporary
// folder removed in every case (an error, Ctrl-C).
//
// GUICHET_BUILD: the build folder (default build); CHROMIUM: the browser
// (default /usr/bin/chromium); SCREENSHOTS: where to write (default
// docs/screenshots).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bearer } from '../tests/bearer.mjs';

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(WEB, '..');
const BUILD = resolve(process.env.GUICHET_BUILD || join(ROOT, 'build'));
const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = resolve(process.env.SCREENSHOTS || join(ROOT, 'docs', 'screenshots'));
const PASSWORD = 'guichet-demo';
const TIMEOUT = 15000;
const SMALL = { width: 1280, height: 720 };
const WALL = { width: 1920, height: 1080 };
// the second brand of the outsourced agent (the demo has one): a tenant of
// its own, whose admin, the database's first, is the platform admin
const BRAND_B = 'Northwind Energy';
const PLATFORM = 'platform@northwind.example';
const REASON = 'Red light for more than an hour: line fault suspected';

// --- the daemon and its folder, undone in every case

let dir = null;
let daemon = null;
let running = null; // the guichet command under way, if any
function cleanup() {
  for (const child of [running, daemon]) if (child && child.exitCode === null) child.kill('SIGTERM');
  running = daemon = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));

function run(program, args) {
  return new Promise((ok, fail) => {
    let err = '';
    running = spawn(join(BUILD, program), args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    running.stderr.on('data', (d) => { err += d; });
    running.once('error', fail);
    running.once('exit', (code) => {
      running = null;
      if (code === 0) ok();
      else fail(new Error(`${program} ${args.slice(0, 2).join(' ')}: ${err || `exit ${code}`}`));
    });
  });
}

// The database: the platform's tenant first (its admin is then the platform
// admin, who may grant memberships), then the demo of make run.
async function createDemo(db) {
  await run('guichet', ['admin', 'init', '--db', db, '--tenant', BRAND_B, '--admin-email', PLATFORM,
    '--admin-password', PASSWORD]);
  await run('guichet', ['admin', 'demo', '--db', db, '--kb', join(ROOT, 'data', 'demo', 'kb.jsonl')]);
}

async function startDaemon(db) {
  daemon = spawn(join(BUILD, 'guichetd'), ['--db', db, '--listen', '127.0.0.1:0', '--log', join(dir, 'log'),
    '--threads', '2', '--web-dir', join(WEB, 'dist'), '--secret-key-file', join(dir, 'key')],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: daemon.stdout }).once('line', ok);
    daemon.once('exit', (code) => fail(new Error(`guichetd exited with ${code}`)));
  });
  const port = /:(\d+)\s*$/.exec(line)?.[1];
  if (!line.startsWith('guichetd listening on') || !port) throw new Error(`guichetd said: ${line}`);
  return `http://127.0.0.1:${port}`;
}

const api = (url, method, path, body, token) => bearer(url, token)(method, path, body);

// The outsourced agent of Acme BPO works for the second brand too.
async function secondBrand(url) {
  const { token } = await api(url, 'POST', '/api/v1/auth/login', { email: PLATFORM, password: PASSWORD });
  await api(url, 'POST', '/api/v1/memberships', { email: 'agent@acme-bpo.example', tenant: BRAND_B,
    role: 'outsourced_agent' }, token);
}

// --- the pages

let browser = null;
const taken = [];

async function open(url, viewport = SMALL) {
  // the demo's business hours are in Paris: its times and day are shown there
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris', viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(url);
  await page.getByLabel('Email').waitFor();
  return { context, page };
}

async function signIn(page, email) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function available(page) {
  await page.getByRole('heading', { name: 'Presence' }).waitFor();
  await page.getByRole('radio', { name: 'Available' }).click();
  await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
}

// Accepts the offer of contact id, or the first one offered (of a chat
// when chat is true): its number.
async function accept(page, id, chat = false) {
  const any = chat ? page.locator('.offer', { hasText: 'Chat contact' }) : page.locator('.offer');
  const offer = id ? page.locator(`.offer[data-contact="${id}"]`) : any.first();
  await offer.waitFor({ timeout: 60000 });
  const contact = Number(await offer.getAttribute('data-contact'));
  await offer.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('tab', { name: `#${contact}` }).waitFor();
  return contact;
}

// The page as it is, once its fonts are in and nothing moves any more; the
// agent desktop's whole height (full), its columns being longer than 720.
async function shot(page, name, full = false) {
  await page.evaluate(() => document.fonts.ready);
  await page.mouse.move(0, 0);
  const path = join(dir, 'shots', `${name}.png`);
  if (full) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: full, animations: 'disabled', caret: 'hide' });
  taken.push(path);
  console.log(`screenshots: ${name}.png`);
}

async function language(page, lang) {
  await page.getByLabel(lang === 'fr' ? 'Language' : 'Langue').selectOption(lang);
}

// The agent: a contact accepted, the guided diagnosis half way (in English,
// then the same in French), then escalated to the experts. Its number.
async function agent(url) {
  const { context, page } = await open(url);
  await shot(page, 'login');
  await signIn(page, 'agent@demo.example');
  await available(page);
  const id = await accept(page, 0, true); // a chat: the experts' queue is on chat
  await page.keyboard.press('Alt+KeyG');
  await page.keyboard.type("Je n'ai plus internet depuis ce matin, le voyant de la box est rouge");
  // the contact's own panel: the demo's agent holds others in their tabs
  const panel = page.locator('[role="tabpanel"]:not([hidden])');
  await panel.getByLabel('The customer writes in').selectOption('fr');
  await panel.getByRole('button', { name: 'Search the knowledge' }).click();
  const tree = page.locator('.result[data-item="no-internet"]');
  await tree.getByRole('button', { name: 'Start the diagnosis “Plus d\'internet”' }).click();
  // the customer said "rouge": the light's colour is filled from their words
  // (shown with its Undo), and the next question asked
  const question = page.locator('.question');
  await question.getByText("Le voyant est-il rouge depuis plus d'une heure ?").waitFor();
  await shot(page, 'agent-diagnosis', true);
  await language(page, 'fr');
  await page.getByRole('heading', { name: 'Diagnostic guidé' }).first().waitFor();
  await shot(page, 'agent-diagnosis-fr', true);
  await language(page, 'en');
  await page.getByRole('heading', { name: 'Guided diagnosis' }).first().waitFor();
  await page.keyboard.press('Alt+KeyL');
  await page.keyboard.type(REASON);
  await panel.getByLabel('To the queue').selectOption({ label: 'Billing experts (level 2)' });
  await panel.getByRole('button', { name: 'Escalate' }).click();
  await page.getByRole('status').getByText(`Contact #${id} escalated to Billing experts.`).waitFor();
  await context.close();
  return id;
}

// The level-2 expert: the escalated contact, its reason and journey.
async function expert(url, id) {
  const { context, page } = await open(url);
  await signIn(page, 'expert@demo.example');
  await available(page);
  await accept(page, id);
  await page.keyboard.press('Alt+KeyJ');
  const escalated = page.locator('[role="tabpanel"]:not([hidden]) .journey [data-type="escalated"]');
  await escalated.getByText(`Reason: ${REASON}`).waitFor();
  await shot(page, 'expert-escalation', true);
  await context.close();
}

// The outsourced agent: the brand chooser, then a contact with only the
// customer's basic fields.
async function outsourced(url) {
  const { context, page } = await open(url);
  await signIn(page, 'agent@acme-bpo.example');
  await page.getByRole('heading', { name: 'Choose the brand you work for' }).waitFor();
  await shot(page, 'brand-chooser');
  await page.getByRole('radio', { name: 'demo' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await available(page);
  await accept(page);
  await page.locator('[role="tabpanel"]:not([hidden]) dd[data-field="first_name"]').waitFor();
  await shot(page, 'outsourced-agent', true);
  await context.close();
}

// The supervisor: the wallboard, the day so far, and the wall screen.
async function supervisor(url) {
  const { context, page } = await open(url);
  await signIn(page, 'supervisor@demo.example');
  await page.getByRole('heading', { name: 'Wallboard' }).waitFor();
  await page.locator('[data-queue]').first().waitFor();
  await page.locator('[data-agent]').first().waitFor();
  await shot(page, 'wallboard');
  await page.getByRole('tab', { name: 'The day so far' }).click();
  await page.getByRole('img', { name: /Contacts per half hour/ }).waitFor();
  await shot(page, 'day-so-far');
  await page.getByRole('tab', { name: 'Wallboard' }).click();
  await page.setViewportSize(WALL);
  await page.getByRole('button', { name: 'Wall screen' }).click();
  await page.locator('.wallboard.wall').waitFor();
  await page.locator('[data-queue]').first().waitFor();
  await shot(page, 'wall-screen');
  await context.close();
}

// The pages of issue 18: the administrator's console, the knowledge's
// workshop and upkeep (an author), training (an agent, then a supervisor's
// view of everyone's progress).
async function workshopPages(url) {
  let { context, page } = await open(url);
  await signIn(page, 'admin@demo.example');
  await page.locator('nav.pages button[aria-current="page"]', { hasText: 'Administration' }).waitFor();
  await page.getByRole('tab', { name: 'Queues' }).click();
  await page.locator('table').first().waitFor();
  await shot(page, 'admin-queues', true);
  await context.close();
  ({ context, page } = await open(url));
  await signIn(page, 'author@demo.example');
  await page.locator('nav.pages button[aria-current="page"]', { hasText: 'Knowledge workshop' }).waitFor();
  await page.getByRole('tab', { name: 'Articles and trees' }).click();
  await page.locator('tr[data-item]').first().waitFor();
  await shot(page, 'workshop-list', true);
  await page.locator('nav.pages').getByRole('button', { name: 'Knowledge upkeep' }).click();
  await page.getByRole('tab', { name: 'Thesaurus' }).waitFor();
  await shot(page, 'upkeep-gaps', true);
  await context.close();
  ({ context, page } = await open(url));
  await signIn(page, 'supervisor@demo.example');
  await page.getByRole('heading', { name: 'Wallboard' }).waitFor();
  await page.locator('nav.pages').getByRole('button', { name: 'Training' }).click();
  await page.getByRole('tab').first().waitFor();
  await shot(page, 'training', true);
  await context.close();
}

// The customers' side and what the floor does with it: the help centre with
// the outage at its top (no login), the supervisor's summary with the
// accessibility barometer, the incidents, and the console's channels.
async function customerSide(url) {
  const { token } = await api(url, 'POST', '/api/v1/auth/login', { email: 'admin@demo.example', password: PASSWORD });
  const me = await api(url, 'GET', '/api/v1/me', undefined, token);
  let context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris', viewport: SMALL });
  let page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`${url}/help/${me.tenant_id}`);
  await page.getByText('Coupure internet à Lyon').waitFor();
  await shot(page, 'help-centre', true);
  await context.close();
  ({ context, page } = await open(url));
  await signIn(page, 'supervisor@demo.example');
  await page.getByRole('heading', { name: 'Wallboard' }).waitFor();
  await page.getByRole('tab', { name: 'Summary' }).click();
  await page.getByRole('heading', { name: 'Accessibility barometer' }).waitFor();
  await page.locator('table').first().waitFor();
  await shot(page, 'supervisor-summary', true);
  await page.getByRole('tab', { name: 'Incidents' }).click();
  await page.getByText('Coupure internet à Lyon').first().waitFor();
  await shot(page, 'supervisor-incidents', true);
  await context.close();
  ({ context, page } = await open(url));
  await signIn(page, 'admin@demo.example');
  await page.locator('nav.pages button[aria-current="page"]', { hasText: 'Administration' }).waitFor();
  await page.getByRole('tab', { name: 'Channels' }).click();
  await page.getByLabel('Page title').and(page.locator('input')).waitFor();
  if (await page.getByLabel('Page title').inputValue() !== 'Demo help centre') throw new Error('the help centre is not the demo\'s');
  await shot(page, 'admin-channels', true);
  await context.close();
}

// optipng, when installed: the same pixels in fewer bytes.
function optimise() {
  const which = spawnSync('sh', ['-c', 'command -v optipng'], { encoding: 'utf8' });
  if (which.status !== 0) {
    console.log('screenshots: optipng is not installed: the PNGs are as chromium wrote them');
    return;
  }
  const r = spawnSync('optipng', ['-quiet', '-o2', '-strip', 'all', ...taken], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('optipng failed');
}

async function main() {
  for (const [what, path] of [['the browser', BROWSER], ['guichetd', join(BUILD, 'guichetd')],
    ['the web desktop (make web)', join(WEB, 'dist', 'index.html')]])
    if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
  mkdirSync(OUT, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'guichet-shots-'));
  mkdirSync(join(dir, 'shots'));
  const db = join(dir, 'demo.db');
  await createDemo(db);
  const url = await startDaemon(db);
  await secondBrand(url);
  const args = ['--headless=new', '--hide-scrollbars', '--font-render-hinting=none'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox'); // root: CI
  browser = await chromium.launch({ executablePath: BROWSER, args });
  try {
    const id = await agent(url);
    await expert(url, id);
    await outsourced(url);
    await supervisor(url);
    await workshopPages(url);
    await customerSide(url);
  } finally {
    await browser.close();
  }
  optimise();
  for (const path of taken) copyFileSync(path, join(OUT, basename(path)));
  const bytes = taken.reduce((sum, p) => sum + statSync(p).size, 0);
  console.log(`screenshots: ${taken.length} PNGs in ${OUT} (${Math.round(bytes / 1024)} KB)`);
}

main().then(() => process.exit(0), (e) => {
  console.error(`screenshots: ${e.stack || e}`);
  process.exit(1);
});
