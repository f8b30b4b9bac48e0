// The web desktop's benchmark, run by bench/web/run: guichetd of the
// release build on a temporary database, seeded through the API, and
// Debian's Chromium (headless) driven by playwright-core from
// web/node_modules. Each measurement is a function of the shared set-up
// answering its figures; they run in the order of MEASUREMENTS, each
// printing its figures and its references, and the last line is one JSON
// object of every figure. A new figure is a module of this folder and one
// line in MEASUREMENTS.
//
// Environment: GUICHET_BUILD (default build), CHROMIUM (/usr/bin/chromium),
// CONTACTS, AGENTS, QUEUES, SECONDS (set by bench/web/run); ONLY: a comma list
// of the measurements to run (their function names), while developing one.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seed, startDaemon } from './daemon.mjs';
import { offerToScreen } from './offer.mjs';
import { agentScripts } from './scripts.mjs';
import { treeOpen } from './tree.mjs';
import { wallboardUpdate } from './wallboard.mjs';

const MEASUREMENTS = [agentScripts, offerToScreen, wallboardUpdate, treeOpen];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = join(ROOT, 'web');
const BUILD = resolve(ROOT, process.env.GUICHET_BUILD || 'build');
const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
const number = (name, fallback) => Number(process.env[name] || fallback);

const log = (line) => console.log(line);

async function main() {
  // playwright-core is web/'s (the same copy as the browser tests')
  const { chromium } = createRequire(join(WEB, 'package.json'))('playwright-core');
  const options = { contacts: number('CONTACTS', 200), agents: number('AGENTS', 1000), queues: number('QUEUES', 100),
    seconds: number('SECONDS', 20) };
  const dir = mkdtempSync(join(tmpdir(), 'guichet-bench-web-'));
  const daemon = await startDaemon(BUILD, WEB, dir);
  let browser = null;
  try {
    const t0 = Date.now();
    const tenant = await seed(daemon.url, options);
    log(`seeded ${options.queues} queues and ${options.agents} agents through the API in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const args = ['--headless=new'];
    if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
    browser = await chromium.launch({ executablePath: BROWSER, args });
    log(`${browser.version()}, guichetd of ${BUILD}`);
    const figures = {};
    const only = process.env.ONLY ? process.env.ONLY.split(',') : null; // a few, by function name
    for (const measure of MEASUREMENTS.filter((m) => !only || only.includes(m.name)))
      Object.assign(figures, await measure({ browser, url: daemon.url, web: WEB, log, ...options, ...tenant }));
    console.log(JSON.stringify(figures));
  } finally {
    if (browser) await browser.close();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/web: ${e.stack || e}`);
  process.exit(1);
});
