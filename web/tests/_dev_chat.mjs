import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { chatTests } from './chat.mjs';
let n = 0;
async function step(name, fn) { n++; try { await fn(); console.log(`ok ${n} - ${name}`); } catch (e) { console.log(`not ok ${n} - ${name}\n# ${String(e.stack || e).split('\n').slice(0, 8).join('\n# ')}`); } }
async function accessible(page, what) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) throw new Error(`${what}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((x) => x.target).join(' ')}`).join('; ')}`);
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', ...(process.getuid() === 0 ? ['--no-sandbox'] : [])] });
const admin = async (m, p) => { throw new Error(`${m} /api/v1/channels/chat: 404 {}`); };
try { await chatTests({ browser, url: 'http://127.0.0.1:1', admin, step, accessible, password: 'x' }); }
finally { await browser.close(); }
