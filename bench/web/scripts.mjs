// agent_js_kb: the compressed bytes of script the agent desktop's first load
// fetches, as Chromium received them (the network's response body sizes,
// with the browser's own Accept-Encoding; guichetd serves the .gz beside
// each file): a fresh browser context (empty cache) opens the login page,
// the agent logs in, and every script fetched until the desktop stands is
// counted; the other pages' chunks, loaded on first use, are not.
// Reference: preact and its hooks (the framework the desktop is built on),
// gzipped at level 9 here, from web/node_modules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AGENT, PASSWORD } from './daemon.mjs';
import { login, round } from './util.mjs';

export async function agentScripts({ browser, url, web, log }) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    const scripts = [];
    page.on('requestfinished', async (req) => {
      if (req.resourceType() !== 'script') return;
      const res = await req.response();
      scripts.push((async () => ({ path: new URL(req.url()).pathname, bytes: (await req.sizes()).responseBodySize,
        encoding: (await res.allHeaders())['content-encoding'] || 'identity' }))());
    });
    await login(page, url, AGENT, PASSWORD);
    await page.getByRole('heading', { name: 'Presence' }).waitFor();
    await page.waitForTimeout(1000); // not networkidle: the event stream stays open
    const list = await Promise.all(scripts);
    const bytes = list.reduce((sum, s) => sum + s.bytes, 0);
    const preact = ['preact/dist/preact.module.js', 'preact/hooks/dist/hooks.module.js']
      .reduce((sum, f) => sum + gzipSync(readFileSync(join(web, 'node_modules', f)), { level: 9 }).length, 0);
    log(`agent desktop's first load: ${round(bytes / 1024)} KiB of compressed script` +
      ` (${list.map((s) => `${s.path} ${s.bytes} B ${s.encoding}`).join(', ')});` +
      ` reference, preact and its hooks gzipped: ${round(preact / 1024)} KiB`);
    if (list.some((s) => s.encoding !== 'gzip')) log('  warning: a script came uncompressed');
    return { agent_js_kb: round(bytes / 1024), preact_js_kb: round(preact / 1024) };
  } finally {
    await context.close();
  }
}
