// The knowledge workshop in the browser, called by run.mjs with its
// daemon, browser and helpers. An author writes an article and a tree
// with a mistake, sees the server's error at its node and field (focused),
// fixes it and submits both; a reviewer sends the article back with a
// comment, the author reads it, fixes and submits again; the reviewer
// approves and publishes both (a review-by date on the article); the
// agent's desktop shows the new version; a flag the agent raises reaches
// the author, who fixes the article and resolves the flag with a note.
// axe-core judges each view (list, editor with errors, previews, versions,
// review, flags) in English and French; the tabs answer the arrow keys. Last, a tree of 500 nodes opens in
// the editor and is checked in under 200 ms; its time is printed.
//
// GUICHET_SCREENSHOTS=DIR saves a screenshot of the main views there (docs/screenshots/).
import { join } from 'node:path';
import { putTree, treeOpenMs } from './tree500.mjs';
import { bearer } from './bearer.mjs';

async function shot(page, name) {
  if (process.env.GUICHET_SCREENSHOTS) await page.screenshot({ path: join(process.env.GUICHET_SCREENSHOTS, `workshop-${name}.png`) });
}

const PASSWORD = 'correct horse';
const ARTICLE_ID = 'wifi-reset';
const BODY_1 = 'Hold the reset button of the box.';
const BODY_2 = 'Hold the reset button of the box for ten seconds, until the light blinks.';
const BODY_3 = 'Hold the reset button at the back of the box for ten seconds, until the light blinks.';
const TREE_ID = 'wifi-down';
const FR_TREE_ID = 'box-colour'; // a tree with a mistake only the server finds, written in French
const COMMENT = 'Say how long to hold the button.';


async function seed(url) {
  const { token } = await bearer(url)('POST', '/api/v1/auth/login', { email: 'admin@a.example', password: PASSWORD });
  const admin = bearer(url, token);
  const skill = await admin('POST', '/api/v1/skills', { name: 'wifi' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Wifi', skill_id: skill.id, channel: 'chat', offer_timeout_s: 60 });
  for (const [who, role] of [['writer', 'author'], ['checker', 'reviewer'], ['wifi', 'agent']]) {
    const u = await admin('POST', '/api/v1/users', { email: `${who}@a.example`, name: `${who} person`, password: PASSWORD, role });
    if (role === 'agent')
      await admin('PUT', `/api/v1/agents/${u.id}`, { level: 1, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }], capacity: { chat: 1 } });
  }
  const { token: at } = await bearer(url)('POST', '/api/v1/auth/login', { email: 'writer@a.example', password: PASSWORD });
  const customer = await admin('POST', '/api/v1/customers', { external_id: 'C-WIFI', attributes: { first_name: 'Noa' } });
  return { admin, queue, customer, author: bearer(url, at) };
}

async function signIn(browser, url, email, errors) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('pageerror', (e) => errors.push(`${email}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(`${email}: ${m.text()}`));
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    // expected: the session asked before the login; the tree with its mistake; publishing the tree
    // before its article (a past review-by date is refused by the page before it asks); archiving
    // the article the tree leads to; a new article given the first one's id
    const expected = (r.status() === 401 && path === '/api/v1/me') || (r.status() === 412 && path === `/api/v1/kb/items/${ARTICLE_ID}`)
      || (r.status() === 400 && (path === `/api/v1/kb/items/${TREE_ID}`
      || path === `/api/v1/kb/items/${FR_TREE_ID}`
      || path === `/api/v1/kb/items/${TREE_ID}/publish` || path === `/api/v1/kb/items/${ARTICLE_ID}/archive`));
    if (r.status() >= 400 && !expected) errors.push(`${email}: ${r.request().method()} ${path}: ${r.status()}`);
  });
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return { context, page };
}

// axe in English, then in French (waiting for a French text), then back.
async function bothLanguages(page, accessible, what, french, inFrench) {
  await accessible(page, `${what} (en)`);
  await page.getByLabel('Language', { exact: true }).selectOption('fr');
  await page.getByText(french).first().waitFor();
  if (inFrench) await inFrench();
  await accessible(page, `${what} (fr)`);
  await page.getByLabel('Langue', { exact: true }).selectOption('en');
  await page.getByRole('tab', { name: 'Articles and trees' }).waitFor();
}

const node = (page, id) => page.locator(`.node[data-node="${id}"]`);

async function openFromList(page, title) {
  await page.getByRole('tab', { name: 'Articles and trees' }).click();
  if (await page.getByRole('button', { name: 'Back to the list' }).count())
    await page.getByRole('button', { name: 'Back to the list' }).click();
  await page.getByRole('button', { name: title, exact: true }).click();
  await page.getByRole('heading', { name: title, level: 2 }).waitFor();
}

export async function workshopTests({ browser, url, step, accessible }) {
  const errors = [];
  const pages = [];
  let s;
  let author;
  let reviewer;
  try {
    s = await seed(url);
    await step('an author opens the workshop: the list, in English and French', async () => {
      ({ page: author } = await signIn(browser, url, 'writer@a.example', errors));
      pages.push(author);
      await author.getByRole('heading', { name: 'Articles and trees' }).waitFor();
      await bothLanguages(author, accessible, 'workshop list', 'Articles et arbres');
    });
    await step('the author writes an article and saves it as a draft', async () => {
      await author.getByRole('button', { name: 'New article' }).click();
      await author.getByLabel('Identifier').fill(ARTICLE_ID);
      await author.getByLabel('Title', { exact: true }).fill('Reset the wifi box');
      await author.getByLabel('Language of the content').selectOption('en');
      await author.getByLabel('Text', { exact: true }).fill(BODY_1);
      await author.getByLabel('Tags (separated by commas)').fill('wifi, reset');
      await author.getByRole('button', { name: 'Save the draft' }).click();
      await author.getByRole('status').getByText('“Reset the wifi box” saved as a draft.').waitFor();
      await author.getByRole('button', { name: 'Submit for review' }).click();
      await author.getByRole('status').getByText('“Reset the wifi box” is submitted for review.').waitFor();
    });
    await step('a new article given an id already taken is refused at the id, never saved over the other', async () => {
      await author.getByRole('button', { name: 'Back to the list' }).click();
      await author.getByRole('button', { name: 'New article' }).click();
      await author.getByLabel('Identifier').fill(ARTICLE_ID);
      await author.getByLabel('Title', { exact: true }).fill('Another article');
      await author.getByLabel('Language of the content').selectOption('en');
      await author.getByLabel('Text', { exact: true }).fill('Something else.');
      await author.getByRole('button', { name: 'Save the draft' }).click();
      await author.getByText(`an article or tree '${ARTICLE_ID}' exists already: choose another id`).first().waitFor();
      const kept = JSON.stringify(await s.author('GET', `/api/v1/kb/items/${ARTICLE_ID}`));
      if (kept.includes('Another article') || !kept.includes('Reset the wifi box')) throw new Error(`the article became ${kept}`);
    });
    await step('the author writes a tree with a mistake and sees the server\'s error at its node and field', async () => {
      await author.getByRole('button', { name: 'Back to the list' }).click();
      await author.getByRole('button', { name: 'New diagnostic tree' }).click();
      await author.getByLabel('Identifier', { exact: true }).fill(TREE_ID);
      await author.getByLabel('Title', { exact: true }).fill('The wifi is down');
      await author.getByLabel('Language of the content').selectOption('en');
      const start = node(author, 'start');
      await start.getByLabel('Node type').selectOption('yesno');
      await start.getByLabel('Question or text for the agent').fill('Is the light of the box on?');
      await start.getByLabel('Wording for the customer').fill('Is the light of your box on?');
      await start.getByLabel('Note for agents').fill('The light is on the front of the box.');
      await start.getByLabel('If yes, go to').fill('fix');
      await start.getByLabel('If no, go to').fill('resett'); // the mistake
      await start.getByRole('button', { name: 'Add a node after start' }).click();
      const added = author.locator('.node').nth(1);
      await added.getByLabel('Node identifier').fill('fix');
      await node(author, 'fix').getByLabel('Node type').selectOption('article');
      await node(author, 'fix').getByLabel('Article shown').fill(ARTICLE_ID);
      // a node added, moved up, then removed
      await node(author, 'fix').getByRole('button', { name: 'Add a node after fix' }).click();
      await author.getByRole('button', { name: 'Move node-3 up' }).click();
      const order = () => author.locator('.node').evaluateAll((l) => l.map((e) => e.dataset.node).join(' '));
      if (await order() !== 'start node-3 fix') throw new Error(`the order is ${await order()}`);
      await author.getByRole('button', { name: 'Remove node-3' }).click();
      if (await order() !== 'start fix') throw new Error(`after removing: ${await order()}`);
      await author.getByRole('button', { name: 'Save the draft' }).click();
      await author.getByRole('alert').getByText('The server found 1 error:').waitFor();
      const no = node(author, 'start').getByLabel('If no, go to');
      const described = await no.getAttribute('aria-describedby');
      const message = await author.locator(`[id="${described}"]`).textContent();
      if (!message.includes('“If no, go to” names no node: “resett”.')) throw new Error(`the error at the field: ${message}`);
      const summary = await author.getByRole('alert').locator('li').textContent();
      if (summary !== 'start · If no, go to: “If no, go to” names no node: “resett”.') throw new Error(`the summary: ${summary}`);
      if (await no.getAttribute('aria-invalid') !== 'true') throw new Error('the field is not marked invalid');
      const focused = await author.evaluate(() => document.activeElement?.id);
      if (focused !== await no.getAttribute('id')) throw new Error(`the focus is on ${focused}`);
      await shot(author, 'tree-error');
      // the raw JSON, a secondary view: what is sent, and its own errors
      await author.getByRole('tab', { name: 'JSON' }).click();
      const json = author.getByLabel('The content as JSON');
      if (!(await json.inputValue()).includes('"no": "resett"')) throw new Error('the JSON view lacks the draft');
      await json.fill('{"id": ');
      await author.getByRole('button', { name: 'Use this JSON' }).click();
      await author.locator('#f-json-err').waitFor();
      await author.getByRole('tab', { name: 'Edit' }).click();
    });
    await step('the tree editor with its error has no serious accessibility violation (en, fr)', async () => {
      await bothLanguages(author, accessible, 'tree editor with an error', 'Si non, aller à', async () => {
        // the server's error in the page's language, at its field and in the summary (the API words it in English)
        await node(author, 'start').getByText('« Si non, aller à » ne désigne aucun nœud : « resett ».').waitFor();
        await author.getByRole('alert').getByText('start · Si non, aller à : « Si non, aller à » ne désigne aucun nœud : « resett ».').waitFor();
      });
    });
    await step('the previews show the draft as the agent and as the customer see it', async () => {
      // the editor's tabs from the keyboard: Edit, then the arrow keys
      await author.getByRole('tab', { name: 'Edit' }).focus();
      await author.keyboard.press('ArrowRight');
      await author.keyboard.press('ArrowRight');
      const agentTab = author.getByRole('tab', { name: 'As the agent sees it' });
      if (await agentTab.getAttribute('aria-selected') !== 'true' || !(await agentTab.evaluate((e) => e === document.activeElement)))
        throw new Error('the arrow keys do not reach the agent\'s preview');
      await author.getByText('Is the light of the box on?').waitFor();
      await author.getByText('The light is on the front of the box.').waitFor();
      await bothLanguages(author, accessible, 'preview as the agent', 'Aperçu vu par le conseiller');
      await author.getByRole('tab', { name: 'As the customer sees it' }).click();
      await author.getByText('Is the light of your box on?').waitFor();
      if (await author.getByText('The light is on the front of the box.').count()) throw new Error('the customer sees the note');
      await author.getByRole('button', { name: 'Yes' }).click();
      await author.getByText(`Outcome: the article “${ARTICLE_ID}” (as published).`).waitFor();
      // the path says the answer as the customer gave it, not its value ('yes')
      await author.locator('.preview .path li').getByText('Is the light of your box on? → Yes', { exact: true }).waitFor();
      await shot(author, 'preview-customer');
      await bothLanguages(author, accessible, 'preview as the customer', 'Aperçu vu par le client (self-service)');
      await author.getByRole('tab', { name: 'Edit' }).click();
    });
    await step('the author fixes the tree, saves and submits it', async () => {
      await node(author, 'start').getByLabel('If no, go to').fill('fix');
      await author.getByText('No mistake found.').waitFor();
      await author.getByRole('button', { name: 'Save the draft' }).click();
      await author.getByRole('status').getByText('“The wifi is down” saved as a draft.').waitFor();
      await author.getByRole('button', { name: 'Submit for review' }).click();
      await author.getByRole('status').getByText('“The wifi is down” is submitted for review.').waitFor();
    });
    await step('a reviewer sends the article back with a comment; the author reads it, fixes and submits', async () => {
      ({ page: reviewer } = await signIn(browser, url, 'checker@a.example', errors));
      pages.push(reviewer);
      await reviewer.getByLabel('State').selectOption('review');
      // the content's language by its name, as the editor offers it
      const row = reviewer.locator('tr', { has: reviewer.getByRole('button', { name: 'Reset the wifi box', exact: true }) });
      await row.locator('td[lang="en"]', { hasText: 'English' }).waitFor();
      await openFromList(reviewer, 'Reset the wifi box');
      if (await reviewer.getByRole('button', { name: 'Publish' }).count()) throw new Error('publish before approval');
      await reviewer.getByLabel('Comment for the author').fill(COMMENT);
      await shot(reviewer, 'review');
      await bothLanguages(reviewer, accessible, 'review', 'Commentaire pour l’auteur');
      await reviewer.getByRole('button', { name: 'Send back to the author' }).click();
      await reviewer.getByRole('status').getByText('“Reset the wifi box” is sent back to its author.').waitFor();
      await openFromList(author, 'Reset the wifi box');
      await author.getByRole('note').getByText(COMMENT).waitFor();
      if (await author.getByRole('button', { name: 'Approve' }).count()) throw new Error('an author sees Approve');
      await author.getByLabel('Text', { exact: true }).fill(BODY_2);
      await author.getByRole('button', { name: 'Save the draft' }).click();
      await author.getByRole('status').getByText('“Reset the wifi box” saved as a draft.').waitFor();
      await author.getByRole('button', { name: 'Submit for review' }).click();
      await author.getByRole('status').getByText('is submitted for review').waitFor();
    });
    await step('the reviewer approves and publishes the article (with a review-by date), then the tree', async () => {
      // the tree first: it names an article not yet published
      await openFromList(reviewer, 'The wifi is down');
      await reviewer.getByRole('button', { name: 'Approve' }).click();
      await reviewer.getByRole('status').getByText('approved: Approved.').waitFor();
      await reviewer.getByRole('button', { name: 'Publish' }).click();
      // the refusal names what is missing, in the page's language
      await reviewer.getByRole('alert').getByText('Not published: the tree leads to what is not published yet. Publish it first.').waitFor();
      await reviewer.getByRole('alert').getByText(`fix · Article “${ARTICLE_ID}”, not published`).waitFor();
      await reviewer.getByLabel('Language', { exact: true }).selectOption('fr');
      await reviewer.getByRole('alert').getByText(`fix · Article « ${ARTICLE_ID} », non publié`).waitFor();
      await reviewer.getByLabel('Langue', { exact: true }).selectOption('en');
      await openFromList(reviewer, 'Reset the wifi box');
      await reviewer.getByRole('button', { name: 'Approve' }).click();
      await reviewer.getByRole('status').getByText('“Reset the wifi box” approved: Approved.').waitFor();
      await reviewer.getByLabel('Review by').fill('2020-01-01');
      await reviewer.getByRole('button', { name: 'Publish' }).click();
      // at its field, in the page's language (the API's refusal was its English, naming 'review_by')
      const reviewBy = reviewer.getByLabel('Review by');
      await reviewer.locator('#r-review_by-err').getByText('Choose a date after today: the item is to be reviewed in the future.').waitFor();
      if (await reviewBy.getAttribute('aria-invalid') !== 'true') throw new Error('the review-by date is not marked invalid');
      await reviewer.getByLabel('Language', { exact: true }).selectOption('fr');
      await reviewer.locator('#r-review_by-err').getByText('Choisissez une date après aujourd’hui : l’élément doit être revu plus tard.').waitFor();
      await reviewer.getByLabel('Langue', { exact: true }).selectOption('en');
      await reviewer.getByLabel('Review by').fill(`${new Date().getUTCFullYear() + 1}-06-30`);
      await reviewer.getByRole('button', { name: 'Publish' }).click();
      await reviewer.getByRole('status').getByText('“Reset the wifi box” is published.').waitFor();
      await openFromList(reviewer, 'The wifi is down');
      await reviewer.getByRole('button', { name: 'Publish' }).click();
      await reviewer.getByRole('status').getByText('“The wifi is down” is published.').waitFor();
      // the article the tree leads to is not archived from under it: the refusal names the tree and its node
      await openFromList(reviewer, 'Reset the wifi box');
      await reviewer.getByRole('button', { name: 'Archive' }).click();
      await reviewer.getByRole('alert').getByText('Not archived: published trees lead to it. Change or archive them first.').waitFor();
      await reviewer.getByRole('alert').getByText(`The published tree “${TREE_ID}”, at its node fix`).waitFor();
      const item = await s.admin('GET', `/api/v1/kb/items/${ARTICLE_ID}`);
      if (item.state !== 'published' || item.published_version !== 1 || !item.review_by?.startsWith(`${new Date().getUTCFullYear() + 1}-06-30`))
        throw new Error(JSON.stringify(item));
    });
    let agent;
    await step('the agent\'s desktop shows the published version and the agent flags it', async () => {
      ({ page: agent } = await signIn(browser, url, 'wifi@a.example', errors));
      pages.push(agent);
      await agent.getByRole('radio', { name: 'Available' }).click();
      const contact = await s.admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Wifi', customer_id: s.customer.id,
        message: 'My wifi is down.', queue_id: s.queue.id });
      await agent.locator(`.offer[data-contact="${contact.id}"]`).getByRole('button', { name: 'Accept' }).click();
      await agent.getByLabel("Customer's words").fill('reset wifi box');
      await agent.getByRole('button', { name: 'Search the knowledge' }).click();
      const result = agent.locator(`.result[data-item="${ARTICLE_ID}"]`);
      await result.getByRole('button', { name: 'Show the article “Reset the wifi box”' }).click();
      await result.locator('.article').getByText(BODY_2).waitFor();
      await result.getByLabel('What is wrong with it').selectOption('outdated');
      await result.getByRole('button', { name: 'Flag “Reset the wifi box”' }).click();
      await agent.getByRole('status').getByText('“Reset the wifi box” flagged for its authors.').waitFor();
    });
    await step('the versions compare, readable (en, fr)', async () => {
      await openFromList(author, 'Reset the wifi box');
      await author.getByLabel('Text', { exact: true }).fill(BODY_3);
      await author.getByRole('tab', { name: 'Compare versions' }).click();
      const diff = author.locator('table.diff');
      await diff.locator('td.del', { hasText: BODY_2 }).waitFor();
      await diff.locator('td.ins', { hasText: BODY_3 }).waitFor();
      await shot(author, 'compare');
      await bothLanguages(author, accessible, 'compare versions', 'Comparer les versions');
      await author.getByRole('tab', { name: 'Edit' }).click();
      await author.getByRole('button', { name: 'Save the draft' }).click();
      await author.getByRole('status').getByText('saved as a draft').waitFor();
    });
    await step('the flag reaches the author, who opens the item and resolves the flag with a note', async () => {
      await author.getByRole('tab', { name: 'Flags' }).click();
      const flag = author.locator(`.ws-flag[data-item="${ARTICLE_ID}"]`);
      await flag.getByText('Outdated').waitFor();
      await shot(author, 'flags');
      await bothLanguages(author, accessible, 'flags', 'Clore le signalement');
      await author.getByRole('tab', { name: 'Flags' }).click();
      await flag.getByRole('button', { name: 'Open “Reset the wifi box”' }).click();
      await author.getByRole('heading', { name: 'Reset the wifi box', level: 2 }).waitFor();
      await author.getByRole('tab', { name: 'Flags' }).click();
      await flag.getByLabel('Resolution note').fill('Where the button is, and for how long.');
      await flag.getByRole('button', { name: 'Resolve the flag' }).click();
      await author.getByRole('status').getByText('The flag on “Reset the wifi box” is resolved.').waitFor();
      await author.getByText('No open flag.').waitFor();
      const { flags } = await s.admin('GET', '/api/v1/kb/flags?open=0');
      const f = flags.find((x) => x.item === ARTICLE_ID);
      if (!f || !f.resolved_at || f.resolution !== 'Where the button is, and for how long.') throw new Error(JSON.stringify(flags));
    });
    await step('a tree of 500 nodes opens in the editor and is checked (its time printed: bench/web checks the 200 ms goal)', async () => {
      await putTree(s.author, 'tree-500', 500);
      await author.getByRole('tab', { name: 'Articles and trees' }).click();
      await author.getByRole('button', { name: 'Back to the list' }).click();
      await author.getByRole('heading', { name: 'Articles and trees' }).waitFor();
      const ms = await treeOpenMs(author, 'tree-500');
      console.log(`# tree_open_ms: ${ms.toFixed(1)}`);
      await author.getByText('No mistake found.').waitFor();
      // only a gross regression fails here: on a shared machine the 200 ms goal is bench/web's (treeOpen)
      if (ms > 5000) throw new Error(`${ms} ms to open a tree of 500 nodes`);
    });
    await step('a mistake only the server finds is said in the page\'s language (fr)', async () => {
      await author.getByRole('button', { name: 'Back to the list' }).click();
      await author.getByLabel('Language', { exact: true }).selectOption('fr');
      await author.getByRole('button', { name: 'Nouvel arbre de diagnostic' }).click();
      // two choices with one value: the editor's checks do not look, the server does
      const tree = { id: FR_TREE_ID, kind: 'tree', title: 'La couleur du voyant', lang: 'fr', start: 'box', nodes: [
        { id: 'box', type: 'choice', text: 'Quelle est la couleur du voyant ?', choices: [
          { value: 'rouge', label: 'Rouge', next: 'fin' }, { value: 'rouge', label: 'Rouge vif', next: 'fin' }] },
        { id: 'fin', type: 'reply', text: 'Redémarrez la box.' }] };
      await author.getByRole('tab', { name: 'JSON' }).click();
      await author.getByLabel('Le contenu en JSON').fill(JSON.stringify(tree));
      await author.getByRole('button', { name: 'Utiliser ce JSON' }).click();
      await author.getByRole('tab', { name: 'Modifier' }).click();
      await author.getByText('Aucune erreur trouvée.').waitFor();
      await author.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
      await author.getByRole('alert').getByText('Le serveur a trouvé 1 erreur :').waitFor();
      const summary = await author.getByRole('alert').locator('li').textContent();
      if (summary !== 'box · Choix : Deux choix ont la valeur « rouge ».') throw new Error(`the summary: ${summary}`);
      await author.getByLabel('Langue', { exact: true }).selectOption('en');
      await author.getByRole('alert').getByText('box · Choices: Two choices have the value “rouge”.').waitFor();
    });
    await step('no script error on the workshop\'s pages', async () => {
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    for (const p of pages) await p.context().close();
  }
}
