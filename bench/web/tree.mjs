// tree_open_ms: a diagnostic tree of 500 nodes opened in the knowledge
// workshop's editor, from the item's answer arriving to its outline
// rendered and checked (the page's own 'tree-open' measure, see
// web/tests/tree500.mjs); the median of five opens by an author, each from
// the workshop's list. Reference, same page and run: the same item's JSON
// parsed and its 500 questions written as a plain DOM list, laid out.
import { PASSWORD } from './daemon.mjs';
import { login, percentile, round } from './util.mjs';
import { putTree, treeOpenMs } from '../../web/tests/tree500.mjs';

const NODES = 500;
const OPENS = 5;
const AUTHOR = 'author@bench.example';

export async function treeOpen({ browser, url, admin, log }) {
  await admin('POST', '/api/v1/users', { email: AUTHOR, name: 'Ada Author', password: PASSWORD, role: 'author' });
  await putTree(admin, 'bench-500', NODES);
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await login(page, url, AUTHOR, PASSWORD);
    const times = [];
    await page.getByRole('tab', { name: 'Articles and trees' }).click(); // authors land on the workshop
    for (let i = 0; i < OPENS; i++) {
      if (i) await page.getByRole('button', { name: 'Back to the list' }).click();
      await page.locator('tr[data-item="bench-500"]').waitFor();
      times.push(await treeOpenMs(page, 'bench-500'));
    }
    const plain = await page.evaluate(async () => {
      const text = await (await fetch('/api/v1/kb/items/bench-500')).text();
      const t0 = performance.now();
      const item = JSON.parse(text);
      const nodes = (item.draft || item).nodes || [];
      const ol = document.createElement('ol');
      for (const n of nodes) {
        const li = document.createElement('li');
        li.textContent = `${n.id} ${n.text || ''}`;
        ol.append(li);
      }
      document.body.append(ol);
      ol.getBoundingClientRect();
      const ms = performance.now() - t0;
      ol.remove();
      return { ms, n: nodes.length };
    });
    const median = percentile(times, 0.5);
    log(`tree of ${NODES} nodes opened in the workshop's editor, rendered and checked: median ${round(median)} ms` +
      ` (${times.map((t) => round(t)).join(', ')}); reference, its ${plain.n} nodes as a plain DOM list: ${round(plain.ms)} ms`);
    return { tree_open_ms: round(median), tree_plain_dom_ms: round(plain.ms) };
  } finally {
    await context.close();
  }
}
