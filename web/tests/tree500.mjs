// A diagnostic tree of n nodes (n - 1 questions in a chain, each yes or no
// leading on or to the shared outcome, then that outcome) and the time the
// workshop's editor takes to open it: from the item's answer arriving
// ('tree-open-start') to the outline rendered and checked ('tree-open-end').
// Used by workshop.mjs and by bench/web/run (tree_open_ms):
//   await putTree(author, 'bench-500', 500); const ms = await treeOpenMs(page, 'bench-500');
// with author a bearer client of an author (or any kb writer) and page
// signed in as a writer on the workshop's list.

export function bigTree(id, n) {
  const nodes = [];
  for (let i = 1; i < n; i++) {
    nodes.push({ id: `q${i}`, type: 'yesno', text: `Question ${i}: is step ${i} done?`, customer_text: `Have you done step ${i}?`,
      note: `Step ${i} is in the manual`, yes: i + 1 < n ? `q${i + 1}` : 'end', no: 'end' });
  }
  nodes.push({ id: 'end', type: 'reply', text: 'Thank you, {{customer.first_name}}.' });
  return { id, kind: 'tree', title: `A tree of ${n} nodes`, lang: 'en', start: 'q1', nodes };
}

export async function putTree(client, id, n) {
  return client('PUT', `/api/v1/kb/items/${id}`, bigTree(id, n));
}

// Opens the item from the list (the page shows it) and answers the
// 'tree-open' measure in milliseconds.
export async function treeOpenMs(page, id) {
  await page.evaluate(() => performance.clearMarks() || performance.clearMeasures());
  await page.locator(`tr[data-item="${id}"] button`).click();
  await page.locator('.node[data-node="end"]').waitFor({ state: 'attached' });
  await page.waitForFunction(() => performance.getEntriesByName('tree-open', 'measure').length > 0);
  return page.evaluate(() => performance.getEntriesByName('tree-open', 'measure')[0].duration);
}
