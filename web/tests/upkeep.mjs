// The knowledge's upkeep and training in the browser, called by run.mjs with
// its daemon, browser and helpers. The seed makes real gaps through the API:
// a diagnosis that escalates and is not resolved (a failing tree and a
// failed query) and resolved ones whose words match nothing (thesaurus
// proposals). An author opens the gaps report: the failing tree links to
// the workshop (#workshop/<id>), the failed query is linked to an article
// (checked in the learned links) and starts a draft article (an API error
// shown on its field first; written again, or under an existing item's id,
// it is refused and replaces nothing), an unmatched word gets a synonym; in the
// thesaurus a proposal is refused, an entry added by hand (an API error on
// its field first) and one removed. A trainee plays a scenario, misses an
// answer on purpose and sees the score; a supervisor sees that score in
// everyone's progress and sorts it; a learner picks scenarios named by what
// they train and plays both written ones in French
// and reads no English (the customer's yes, their "I don't know", the
// choices and the path). axe-core judges each view in English and French.
import { bearer } from './bearer.mjs';

const PASSWORD = 'correct horse';

const ARTICLE = { id: 'wifi-restart', kind: 'article', type: 'answer', title: 'Reset the wifi', lang: 'en',
  tags: ['wifi'], body: 'Hold the wifi button for ten seconds.' };
const TREE = {
  id: 'wifi-weak', kind: 'tree', title: 'Weak wifi', lang: 'en', tags: ['wifi', 'signal'], start: 'band', nodes: [
    { id: 'band', type: 'choice', text: 'Which band is the device on?', choices: [
      { value: '24', label: '2.4 GHz', next: 'walls' }, { value: '5', label: '5 GHz', next: 'reset' }] },
    { id: 'walls', type: 'yesno', text: 'Are there thick walls between the box and the device?', yes: 'survey', no: 'reset' },
    { id: 'reset', type: 'article', article: 'wifi-restart' },
    { id: 'survey', type: 'escalate', reason: 'coverage survey' },
  ],
  scenarios: [{ name: 'Thick walls', customer: 'my wifi is weak upstairs', answers: { band: '24', walls: 'yes' } },
    { name: 'Unsure', customer: 'the wifi is slow in the bedroom', answers: { band: '24' } }], // says nothing of walls
};
const UNUSED = { id: 'wifi-channel', kind: 'article', type: 'answer', title: 'Change the wifi channel', lang: 'en',
  tags: ['wifi'], body: 'Pick channel 1, 6 or 11.' };
const FAILED = 'wifi weak upstairs';


// A diagnosis through the API: the query, the answers, the end.
async function diagnose(admin, query, answers, resolved) {
  const s = await admin('POST', '/api/v1/kb/sessions', { query, tree: 'wifi-weak', lang: 'en' });
  for (const answer of answers) await admin('POST', `/api/v1/kb/sessions/${s.id}/answer`, { answer });
  await admin('POST', `/api/v1/kb/sessions/${s.id}/end`, resolved ? { resolved: true } : { resolved: false, feedback: 'escalated' });
}

async function seed(url) {
  const { token } = await bearer(url)('POST', '/api/v1/auth/login', { email: 'admin@a.example', password: PASSWORD });
  const admin = bearer(url, token);
  for (const [email, role] of [['author@a.example', 'author'], ['trainee@a.example', 'agent'], ['coach@a.example', 'supervisor'],
    ['learner@a.example', 'agent']])
    await admin('POST', '/api/v1/users', { email, name: email, password: PASSWORD, role });
  await admin('POST', '/api/v1/kb/import?publish=1', [ARTICLE, UNUSED, TREE].map((x) => JSON.stringify(x)).join('\n') + '\n',
    'application/x-ndjson');
  await diagnose(admin, FAILED, ['24', 'yes'], false); // escalates: a failing tree, a failed query
  await diagnose(admin, 'wifi zorglub', ['5'], true); // resolved: 'zorglub' matched nothing
  await diagnose(admin, 'wifi blorp', ['5'], true);
  return admin;
}

async function signIn(browser, url, email, errors, landing) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('pageerror', (e) => errors.push(`${email}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(`${email}: ${m.text()}`));
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    const expected = (r.status() === 401 && path === '/api/v1/me') || (r.status() === 404 && path === '/api/v1/agents/me') ||
      (r.status() === 400 && r.request().method() !== 'GET') || // the errors the test provokes on purpose
      (r.status() === 412 && r.request().method() === 'PUT');
    if (r.status() >= 400 && !expected) errors.push(`${email}: ${r.request().method()} ${path}: ${r.status()}`);
  });
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  if (landing) await landing(page);
  return { context, page };
}

async function bothLanguages(page, accessible, what, frText, enText) {
  await accessible(page, `${what} (en)`);
  await page.getByLabel('Language', { exact: true }).selectOption('fr');
  await page.getByText(frText).first().waitFor();
  await accessible(page, `${what} (fr)`);
  await page.getByLabel('Langue', { exact: true }).selectOption('en');
  await page.getByText(enText).first().waitFor();
}

function status(page, text) {
  return page.getByRole('status').filter({ hasText: text }).waitFor();
}

export async function upkeepTests({ browser, url, step, accessible }) {
  const errors = [];
  let admin;
  let author;
  let score = -1;
  await step('upkeep: the seed makes gaps (a failing tree, a failed query, unmatched words)', async () => {
    admin = await seed(url);
    const gaps = await admin('GET', '/api/v1/kb/gaps');
    if (!gaps.trees_failing.some((r) => r.tree === 'wifi-weak')) throw new Error(JSON.stringify(gaps));
    if (!gaps.unmatched_words.some((w) => w.word.startsWith('zorglub'))) throw new Error(JSON.stringify(gaps));
  });
  await step('upkeep: an author sees each gap with its counts, the failing tree linked to the workshop', async () => {
    author = await signIn(browser, url, 'author@a.example', errors, async (p) => { // authors land on the workshop
      await p.locator('nav.pages button[aria-current="page"]', { hasText: 'Knowledge workshop' }).waitFor();
      const offered = (await p.locator('nav.pages button').allTextContents()).join('|'); // never the agent desktop
      if (offered !== 'Knowledge workshop|Knowledge upkeep|Training') throw new Error(`an author is offered ${offered}`);
      await p.locator('nav.pages').getByRole('button', { name: 'Knowledge upkeep' }).click();
      await p.locator('nav.pages button[aria-current="page"]', { hasText: 'Knowledge upkeep' }).waitFor();
    });
    const tree = author.page.locator('tr[data-tree="wifi-weak"]');
    await tree.waitFor();
    const cells = await tree.locator('td').allTextContents();
    if (cells[1] !== '3' || cells[2] !== '1' || cells[3] !== '1' || cells[4] !== '33%') throw new Error(cells.join(' | '));
    const href = await tree.getByRole('link', { name: 'Open “Weak wifi” in the workshop' }).getAttribute('href');
    if (href !== '#workshop/wifi-weak') throw new Error(href);
    await author.page.locator(`li[data-query="${FAILED}"]`).getByText('1 session, 1 failed').waitFor();
    await author.page.locator('li[data-item="wifi-channel"]').getByRole('link', { name: 'Open “Change the wifi channel” in the workshop' })
      .waitFor(); // the article never used
  });
  await step('upkeep: a failed query is linked to an article, and the search learns it', async () => {
    const row = author.page.locator(`li[data-query="${FAILED}"]`);
    await row.getByRole('button', { name: `Link “${FAILED}” to an item` }).click();
    await row.getByLabel('Published item').selectOption({ label: 'Reset the wifi (article)' });
    await row.getByRole('button', { name: 'Link', exact: true }).click();
    await status(author.page, `“${FAILED}” now leads to “Reset the wifi”.`);
    const { links } = await admin('GET', '/api/v1/kb/links?item=wifi-restart');
    if (!links.some((l) => l.term.startsWith('upstair') && l.ok >= 1)) throw new Error(JSON.stringify(links));
  });
  await step('upkeep: a failed query starts a draft article titled with it (the API\'s error on its field first)', async () => {
    const row = author.page.locator(`li[data-query="${FAILED}"]`);
    await row.getByRole('button', { name: `Write an article for “${FAILED}”` }).click();
    if (await row.getByLabel('Title').inputValue() !== FAILED) throw new Error('the title is not the query');
    await row.getByRole('button', { name: 'Save the draft' }).click();
    await row.getByRole('alert').getByText("'body' must be a non-empty string").waitFor();
    if (await row.getByLabel('Text').getAttribute('aria-invalid') !== 'true') throw new Error('the body is not marked invalid');
    await row.getByLabel('Text').fill('Move the box upstairs or add a repeater.');
    await row.getByRole('button', { name: 'Save the draft' }).click();
    await status(author.page, 'Draft “wifi-weak-upstairs” saved');
    const item = await admin('GET', '/api/v1/kb/items/wifi-weak-upstairs');
    if (item.state !== 'draft' || item.title !== FAILED) throw new Error(JSON.stringify(item));
    const href = await row.getByRole('link', { name: 'Open the draft “wifi-weak-upstairs” in the workshop' }).getAttribute('href');
    if (href !== '#workshop/wifi-weak-upstairs') throw new Error(href);
  });
  await step('upkeep: the article written again, or under an existing item\'s id, is refused and replaces nothing', async () => {
    const row = author.page.locator(`li[data-query="${FAILED}"]`);
    await row.getByLabel('Text').fill('Something else entirely.');
    await row.getByRole('button', { name: 'Save the draft' }).click();
    await row.getByRole('alert').getByText('An article or tree “wifi-weak-upstairs” exists already').waitFor();
    if (await row.getByLabel('Article id').getAttribute('aria-invalid') !== 'true') throw new Error('the id is not marked invalid');
    await row.getByLabel('Article id').fill('wifi-restart'); // a published article's
    await row.getByRole('button', { name: 'Save the draft' }).click();
    await row.getByRole('alert').getByText('An article or tree “wifi-restart” exists already').waitFor();
    const drafted = JSON.stringify(await admin('GET', '/api/v1/kb/items/wifi-weak-upstairs'));
    if (!drafted.includes('Move the box upstairs') || drafted.includes('Something else')) throw new Error(drafted);
    const published = await admin('GET', '/api/v1/kb/items/wifi-restart');
    if (published.title !== 'Reset the wifi' || JSON.stringify(published).includes('Something else'))
      throw new Error(JSON.stringify(published));
    await author.page.getByLabel('Language', { exact: true }).selectOption('fr');
    await row.getByRole('alert').getByText('Un article ou un arbre « wifi-restart » existe déjà').waitFor();
    await author.page.getByLabel('Langue', { exact: true }).selectOption('en');
    await row.getByLabel('Article id').fill('wifi-weak-upstairs');
  });
  await step('upkeep: an unmatched word gets a synonym in the thesaurus', async () => {
    const row = author.page.locator('li[data-word^="zorglub"]');
    const word = await row.getAttribute('data-word');
    await row.getByText('in 1 resolved query that led to').waitFor(); // the evidence
    await row.getByLabel(`Synonyms of “${word}” (comma-separated)`).fill('router');
    await row.getByRole('button', { name: `Accept “${word}”` }).click();
    await status(author.page, `“${word}” = router added to the thesaurus.`);
    const th = await admin('GET', '/api/v1/kb/thesaurus');
    if (!th.entries.some((e) => e.word === word && e.phrase === 'router')) throw new Error(JSON.stringify(th));
    await author.page.locator('li[data-word^="zorglub"]').waitFor({ state: 'detached' });
  });
  await step('upkeep: the gaps report has no serious accessibility violation (en, fr)', async () => {
    await bothLanguages(author.page, accessible, 'gaps', 'Recherches en échec', 'Failed queries');
  });
  await step('upkeep: a thesaurus proposal is refused with its evidence shown', async () => {
    await author.page.getByRole('tab', { name: 'Thesaurus' }).click();
    const row = author.page.locator('li[data-word^="blorp"]');
    const word = await row.getAttribute('data-word');
    await row.locator('.muted', { hasText: '“Weak wifi”' }).waitFor(); // the evidence
    await row.getByRole('button', { name: `Refuse “${word}”` }).click();
    await status(author.page, `“${word}” refused`);
    const th = await admin('GET', '/api/v1/kb/thesaurus');
    if (th.proposals.some((p) => p.word === word)) throw new Error(JSON.stringify(th.proposals));
  });
  await step('upkeep: an entry added by hand (the API\'s error on its field first), one removed', async () => {
    const page = author.page;
    await page.getByLabel('Language of the entry').selectOption('en');
    await page.getByLabel('Word or phrase').fill('w'.repeat(201));
    await page.getByLabel('Synonyms (comma-separated)').fill('access point');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('alert').getByText("'word' is one word or phrase").waitFor();
    if (await page.getByLabel('Word or phrase').getAttribute('aria-invalid') !== 'true') throw new Error('word not marked');
    await page.getByLabel('Word or phrase').fill('hotspot');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('li[data-entry="access point=hotspot"]').waitFor();
    await page.getByRole('button', { name: 'Remove “access point” = “hotspot”' }).click();
    await status(page, '“access point” = “hotspot” removed.');
    const th = await admin('GET', '/api/v1/kb/thesaurus');
    if (th.entries.some((e) => e.word === 'hotspot')) throw new Error(JSON.stringify(th.entries));
  });
  await step('upkeep: the thesaurus has no serious accessibility violation (en, fr)', async () => {
    await bothLanguages(author.page, accessible, 'thesaurus', 'Ajouter une entrée', 'Add an entry');
  });
  await step('upkeep: a gap\'s link opens its item in the workshop\'s editor', async () => {
    await author.page.getByRole('tab', { name: 'Gaps' }).click();
    await author.page.locator('tr[data-tree="wifi-weak"]').getByRole('link', { name: 'Open “Weak wifi” in the workshop' }).click();
    await author.page.locator('nav.pages button[aria-current="page"]', { hasText: 'Knowledge workshop' }).waitFor();
    await author.page.locator('#ws-editor-title', { hasText: 'Weak wifi' }).waitFor();
    await author.context.close();
  });

  let trainee;
  await step('training: a trainee plays a scenario, answering as the customer says (but one), and sees the score', async () => {
    trainee = await signIn(browser, url, 'trainee@a.example', errors,
      (p) => p.locator('nav.pages button[aria-current="page"]', { hasText: 'Agent desktop' }).waitFor()); // agents still land on their desktop
    const page = trainee.page;
    await page.getByRole('button', { name: 'Training' }).click();
    await page.getByLabel('Tree').selectOption({ label: 'Weak wifi' });
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('The customer:').waitFor();
    await bothLanguages(page, accessible, 'training question', 'Le client répond', 'The customer answers');
    let first = true;
    for (let i = 0; i < 5 && !(await page.locator('.score').count()); i++) {
      const said = (await page.locator('.says q').textContent()).trim();
      const choices = page.locator('.question button.choice');
      const labels = (await choices.allTextContents()).map((s) => s.trim());
      // the first answer is wrong on purpose; then what the customer said
      const pick = first ? labels.findIndex((l) => l !== said) : Math.max(0, labels.indexOf(said));
      first = false;
      const asked = await page.locator('.question legend').textContent();
      await choices.nth(pick).click();
      await page.waitForFunction((prev) => document.querySelector('.score') ||
        (document.querySelector('.question legend') && document.querySelector('.question legend').textContent !== prev), asked);
    }
    score = Number(await page.locator('.score').getAttribute('data-score'));
    await status(page, `Scenario finished: score ${score} out of 100.`);
    if (!(score >= 0 && score < 100)) throw new Error(`score ${score}`);
    await page.locator('.missed li').first().getByText('Which band is the device on?').waitFor();
  });
  await step('training: the score view has no serious accessibility violation (en, fr)', async () => {
    await bothLanguages(trainee.page, accessible, 'training score', 'Votre résultat', 'Your result');
    await trainee.page.getByRole('tab', { name: 'My progress' }).click();
    await trainee.page.locator('tr[data-tree="wifi-weak"] .best').getByText(String(score), { exact: true }).waitFor();
    await accessible(trainee.page, 'my progress (en)');
    await trainee.context.close();
  });
  await step('training: the trainer sees the trainee\'s score in everyone\'s progress, and sorts it', async () => {
    const coach = await signIn(browser, url, 'coach@a.example', errors);
    const page = coach.page;
    await page.getByRole('button', { name: 'Training' }).click();
    await page.getByRole('tab', { name: 'Everyone’s progress', selected: true }).waitFor();
    const row = page.locator('tr[data-user="trainee@a.example"][data-tree="wifi-weak"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    if (cells[2] !== '1' || cells[4] !== String(score)) throw new Error(cells.join(' | '));
    const best = page.getByRole('columnheader', { name: 'Best score' });
    await best.getByRole('button').click();
    if (await best.getAttribute('aria-sort') !== 'ascending') throw new Error('not sorted ascending');
    await best.getByRole('button').click();
    if (await best.getAttribute('aria-sort') !== 'descending') throw new Error('not sorted descending');
    const scores = (await page.locator('tbody td.best').allTextContents()).map(Number);
    if (scores.some((s, i) => i && s > scores[i - 1])) throw new Error(`not descending: ${scores}`);
    await bothLanguages(page, accessible, 'everyone\'s progress', 'Progression de chacun', 'Everyone’s progress');
    await coach.context.close();
  });
  await step('training: in French, the customer\'s answers, the choices and the path are in French', async () => {
    const learner = await signIn(browser, url, 'learner@a.example', errors);
    const page = learner.page;
    await page.getByLabel('Language', { exact: true }).selectOption('fr');
    await page.locator('nav.pages').getByRole('button', { name: 'Formation' }).click();
    await page.getByLabel('Arbre').selectOption({ label: 'Weak wifi' });
    // the scenarios named by what they train, before any is played: the written ones by their
    // names, the generated ones by the outcome they end on (the article by its title)
    const picker = page.getByLabel('Scénario', { exact: true });
    await picker.locator('option', { hasText: 'Thick walls' }).waitFor({ state: 'attached' });
    const options = (await picker.locator('option').allTextContents()).join(' | ');
    if (options !== 'Au hasard | Thick walls | Unsure | Se termine par l’article « Reset the wifi » | Se termine par une escalade : coverage survey')
      throw new Error(`the scenarios offered: ${options}`);
    await page.getByRole('button', { name: 'Commencer' }).click();
    const customer = page.locator('blockquote.customer');
    await customer.waitFor();
    // both scenarios, each after a different one (so the page shows the one started)
    const who = { 1: 'my wifi is weak upstairs', 2: 'the wifi is slow in the bedroom' };
    const named = { 1: 'Thick walls', 2: 'Unsure' };
    const first = (await customer.textContent()).includes(who[1]) ? 2 : 1;
    for (const n of [first, 3 - first]) {
      await picker.selectOption({ label: named[n] });
      await page.getByRole('button', { name: /^(Commencer|Recommencer)$/ }).click();
      await customer.getByText(who[n]).waitFor();
      if ((await page.locator('.says q').textContent()) !== '2.4 GHz') throw new Error('the band said');
      await page.locator('.question button.choice', { hasText: '2.4 GHz' }).click();
      await page.locator('.question legend', { hasText: 'thick walls' }).waitFor();
      const said = await page.locator('.says q').textContent();
      if (said !== (n === 1 ? 'Oui' : 'Je ne sais pas.')) throw new Error(`scenario ${n}: the customer says ${said}`);
      const choices = await page.locator('.question button.choice').allTextContents();
      if (choices.join('|') !== 'Oui|Non') throw new Error(`the choices: ${choices.join('|')}`);
      await page.locator('.question button.choice', { hasText: n === 1 ? 'Oui' : 'Non' }).click();
      await page.locator('.score').waitFor();
      const path = await page.locator('.result-score ol.path').innerText();
      if (!path.includes(`thick walls between the box and the device? → ${n === 1 ? 'Oui' : 'Non'}`)) throw new Error(path);
      const shown = await page.locator('.scenario').innerText();
      if (/I don.t know|\b(yes|no)\b/.test(shown)) throw new Error(`English on the French page: ${shown}`);
    }
    await accessible(page, 'training in French');
    await learner.context.close();
  });
  await step('upkeep and training: no script error on the way', async () => {
    if (errors.length) throw new Error(errors.join('\n'));
  });
}
