// The guided diagnosis, the hand-over and the journey in a real browser,
// run by run.mjs on its daemon and browser. An agent accepts an offered
// contact, types the customer's words, sees an article's canned reply
// filled, walks a tree (and back) to its
// outcome, sends the filled reply in one action (checked through the API),
// flags the article, escalates with a reason; a level-2 expert receives the
// offer, accepts and reads the escalation's reason and the diagnosis path
// in the journey, and starts a session from words that answer its first
// question (the answer shows those words; it is undone, then the customer
// adds words that answer the next one); an outsourced agent (basic customer fields only) walks
// the same tree and never has a personal or confidential value anywhere on
// the page. Without a reply to send, the agent ends a diagnosis from the
// keyboard: at an article, not resolved with why; at an escalation, which
// escalates the contact with the path as a note. axe-core judges each view
// in English and French.
import { bearer } from './bearer.mjs';

const PASSWORD = 'correct horse';
const WORDS = 'my internet connection is down';
const LIGHT = 'What colour is the light on the modem?';
const FILLED = 'Hello Dominique, unplug your modem for thirty seconds, then plug it back in.';
const REASON = 'Red light again after a restart: line fault suspected';
// the customer's values an outsourced agent must never see (personal or confidential)
const SECRETS = ['dominique@example.net', '+33 6 11 22 33 44', 'FR7630001007941234567890185', '1984-07-14'];

const ARTICLE = {
  id: 'modem-restart', kind: 'article', type: 'answer', title: 'Restart the modem', lang: 'en',
  tags: ['internet', 'modem'], body: 'A restart of the modem fixes most connection drops.',
  replies: [{ name: 'confirm', text: 'Hello {{customer.first_name}}, unplug your modem for thirty seconds, then plug it back in.' }],
};
// an article without a canned reply
const LIGHTS = { id: 'modem-lights', kind: 'article', type: 'answer', title: 'Read the modem lights', lang: 'en',
  tags: ['modem'], body: 'Each light of the modem says what works.' };
const LINE = 'Line fault suspected';
// the escalation's queue is the level-2 queue's id, known once it is made
const TREE = (l2) => ({
  id: 'no-connection', kind: 'tree', title: 'No internet connection', lang: 'en', tags: ['internet', 'connection'],
  start: 'light', nodes: [
    { id: 'light', type: 'choice', text: LIGHT, note: 'The light is on the front.', choices: [
      { value: 'green', label: 'Green', next: 'devices' }, { value: 'red', label: 'Red', next: 'restart' }] },
    { id: 'devices', type: 'yesno', text: 'Do the other devices have internet?', yes: 'lights', no: 'line' },
    { id: 'restart', type: 'article', article: 'modem-restart' },
    { id: 'lights', type: 'article', article: 'modem-lights' },
    { id: 'line', type: 'escalate', reason: LINE, queue: l2 },
  ],
});


// Two queues of one skill (level 1 and 2), three people, a customer with
// values of each class, the article and the tree published.
async function seed(url) {
  const { token } = await bearer(url)('POST', '/api/v1/auth/login', { email: 'admin@a.example', password: PASSWORD });
  const admin = bearer(url, token);
  const skill = await admin('POST', '/api/v1/skills', { name: 'internet' });
  const l1 = await admin('POST', '/api/v1/queues', { name: 'Internet', skill_id: skill.id, channel: 'chat', level: 1,
    offer_timeout_s: 60 });
  const l2 = await admin('POST', '/api/v1/queues', { name: 'Internet experts', skill_id: skill.id, channel: 'chat',
    level: 2, offer_timeout_s: 60 });
  const people = {};
  for (const [who, role, level] of [['diag', 'agent', 1], ['expert', 'expert', 2], ['out', 'outsourced_agent', 1]]) {
    const u = await admin('POST', '/api/v1/users', { email: `${who}@a.example`, name: `${who} person`, password: PASSWORD, role });
    await admin('PUT', `/api/v1/agents/${u.id}`, { level, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }],
      capacity: { chat: 1 } });
    people[who] = u;
  }
  await admin('PATCH', '/api/v1/customer-attributes', { attributes: { first_name: 'basic', iban: 'confidential',
    birth_date: 'personal' } });
  const customer = await admin('POST', '/api/v1/customers', { external_id: 'C-DIAG', email: SECRETS[0], phone: SECRETS[1],
    attributes: { first_name: 'Dominique', iban: SECRETS[2], birth_date: SECRETS[3] } });
  await admin('POST', '/api/v1/kb/import?publish=1', [ARTICLE, LIGHTS, TREE(l2.id)].map((x) => JSON.stringify(x)).join('\n') + '\n',
    'application/x-ndjson');
  return { admin, l1, l2, customer, people };
}

// Where a contact stands and what each of the three people hold: said by a
// step whose offer never came, so that a failure on a loaded machine tells why.
async function routingState(s, contactId) {
  const parts = [`contact ${contactId}: ${JSON.stringify(await s.admin('GET', `/api/v1/contacts/${contactId}/routing`))}`];
  for (const [who, u] of Object.entries(s.people)) {
    const a = await s.admin('GET', `/api/v1/agents/${u.id}`);
    parts.push(`${who}: ${a.presence} ${JSON.stringify(a.live)}`);
  }
  return parts.join('\n');
}

// A signed-in page in its own context, with its errors collected.
async function signIn(browser, url, email, errors) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('pageerror', (e) => errors.push(`${email}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(`${email}: ${m.text()}`));
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400 && !(r.status() === 401 && path === '/api/v1/me'))
      errors.push(`${email}: ${r.request().method()} ${path}: ${r.status()}`);
  });
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Presence' }).waitFor();
  await page.getByRole('radio', { name: 'Available' }).click();
  await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
  return { context, page };
}

async function acceptOffer(page, id) {
  await page.locator(`.offer[data-contact="${id}"]`).getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('tab', { name: `#${id}` }).waitFor();
}

async function bothLanguages(page, accessible, what) {
  await accessible(page, `${what} (en)`);
  await page.getByLabel('Language').selectOption('fr');
  await page.getByRole('heading', { name: 'Diagnostic guidé' }).first().waitFor();
  await accessible(page, `${what} (fr)`);
  await page.getByLabel('Langue').selectOption('en');
  await page.getByRole('heading', { name: 'Guided diagnosis' }).first().waitFor();
}

// The words typed: the article found shows its canned reply filled.
async function search(page) {
  await page.keyboard.press('Alt+KeyG');
  await page.keyboard.type(WORDS);
  await page.keyboard.press('Enter');
  const article = page.locator('.result[data-item="modem-restart"]');
  await article.getByRole('button', { name: 'Show the article “Restart the modem”' }).click();
  await article.locator('.canned', { hasText: FILLED }).getByRole('button', { name: 'Send the reply “confirm”' }).waitFor();
}

// The words typed, the tree started and walked to its outcome.
async function walk(page, back) {
  await search(page);
  const tree = page.locator('.result[data-item="no-connection"]');
  await tree.locator('mark').first().waitFor();
  await tree.getByRole('button', { name: 'Start the diagnosis “No internet connection”' }).click();
  const question = page.locator('.question');
  await question.getByText(LIGHT).waitFor();
  if (back) {
    await question.getByRole('button', { name: 'Green' }).click();
    await question.getByText('Do the other devices have internet?').waitFor();
    await question.getByRole('button', { name: 'Yes', exact: true }).waitFor(); // a yes-or-no question's words, translated
    await page.keyboard.press('Alt+KeyB');
    await question.getByText(LIGHT).waitFor();
  }
  await question.getByRole('button', { name: 'Red' }).click();
  await page.locator('.outcome .filled-reply', { hasText: FILLED }).waitFor();
}

export async function diagnosis({ browser, url, step, accessible }) {
  const errors = [];
  const pages = [];
  let s;
  let contactId = 0;
  let agent;
  let expert;
  await step('diagnosis: knowledge, queues and people are set up', async () => { s = await seed(url); });
  if (!s) return;
  try {
    await step('diagnosis: the agent accepts an offered contact', async () => {
      agent = await signIn(browser, url, 'diag@a.example', errors);
      pages.push(agent);
      const c = await s.admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'No internet',
        customer_id: s.customer.id, message: 'My internet connection is down since this morning.', queue_id: s.l1.id });
      contactId = c.id;
      await agent.page.locator(`.offer[data-contact="${contactId}"]`).waitFor();
      await acceptOffer(agent.page, contactId);
      // an agent sees personal data: the outsourced agent's check below looks for real values
      await agent.page.locator('dd[data-field="email"]', { hasText: SECRETS[0] }).waitFor();
    });
    await step('diagnosis: the words find the tree with highlights; it is walked, back, to its filled reply', async () => {
      await walk(agent.page, true);
      const path = await agent.page.locator('.session .path').innerText();
      if (!path.includes(`${LIGHT} → Red`)) throw new Error(`path: ${path}`);
    });
    await step('diagnosis: the views have no serious accessibility violation (en, fr)', async () => {
      await bothLanguages(agent.page, accessible, 'diagnosis outcome');
      await agent.page.keyboard.press('Alt+KeyK');
      const dialog = agent.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      for (const k of ['Alt+G', 'Alt+B', 'Alt+O', 'Alt+L', 'Alt+J']) await dialog.getByText(k, { exact: true }).waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
    });
    await step('diagnosis: the filled reply is sent in one action (Alt+O) and the session ends resolved', async () => {
      await agent.page.keyboard.press('Alt+KeyO');
      await agent.page.getByRole('log').getByText(FILLED).waitFor();
      const stored = await s.admin('GET', `/api/v1/contacts/${contactId}`);
      if (!stored.messages.some((m) => m.kind === 'outbound' && m.body === FILLED)) throw new Error('the reply is not stored');
      const sessions = await s.admin('GET', `/api/v1/contacts/${contactId}/diagnosis`);
      if (!JSON.stringify(sessions).includes('"resolved":true')) throw new Error(`sessions: ${JSON.stringify(sessions)}`);
    });
    await step('diagnosis: the article is flagged outdated in one action', async () => {
      const outcome = agent.page.locator('.outcome');
      await outcome.getByLabel('What is wrong with it').selectOption('outdated');
      // named by its title, not its key
      await outcome.getByRole('button', { name: 'Flag “Restart the modem”' }).click();
      await agent.page.getByRole('status').getByText('“Restart the modem” flagged for its authors.').waitFor();
      const flags = JSON.stringify(await s.admin('GET', '/api/v1/kb/flags'));
      if (!flags.includes('modem-restart') || !flags.includes('outdated')) throw new Error(`flags: ${flags}`);
    });
    await step('diagnosis: the agent escalates with a reason (Alt+L)', async () => {
      await agent.page.keyboard.press('Alt+KeyL');
      await agent.page.keyboard.type(REASON);
      // a level-1 queue is refused before anything is sent
      await agent.page.getByLabel('To the queue').selectOption({ label: 'Internet' });
      await agent.page.getByRole('button', { name: 'Escalate' }).click();
      await agent.page.getByRole('alert').getByText(/^An escalation goes to a level-2 queue/).waitFor();
      if (!(await agent.page.getByLabel('To the queue').evaluate((e) => e === document.activeElement)))
        throw new Error('the focus is not at the queue');
      // the refusal is said again in the language the agent switches to
      await agent.page.getByLabel('Language').selectOption('fr');
      await agent.page.getByRole('alert').getByText(/^Une escalade va vers une file de niveau 2/).waitFor();
      await agent.page.getByLabel('Langue').selectOption('en');
      await agent.page.getByRole('alert').getByText(/^An escalation goes to a level-2 queue/).waitFor();
      // the expert is offline: listed, not to be chosen (the contact would wait for nobody)
      await agent.page.getByRole('button', { name: 'Choose an agent to transfer to' }).click();
      if (!(await agent.page.getByLabel('Or transfer to an agent').locator('option', { hasText: 'expert person (Offline)' }).isDisabled()))
        throw new Error('an offline agent can be chosen');
      await agent.page.getByLabel('To the queue').selectOption({ label: 'Internet experts (level 2)' });
      await agent.page.getByRole('button', { name: 'Escalate' }).click();
      await agent.page.getByRole('status').getByText(`Contact #${contactId} escalated to Internet experts.`).waitFor();
      await agent.page.getByRole('tab', { name: `#${contactId}` }).waitFor({ state: 'detached' });
      const stored = await s.admin('GET', `/api/v1/contacts/${contactId}`);
      if (stored.state !== 'escalated') throw new Error(`the contact is ${stored.state}`);
      await agent.page.getByRole('radio', { name: 'Offline' }).click();
      await agent.page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Offline' }).waitFor();
    });
    await step('diagnosis: the expert receives the escalation and reads why and what was tried', async () => {
      expert = await signIn(browser, url, 'expert@a.example', errors);
      pages.push(expert);
      await expert.page.locator(`.offer[data-contact="${contactId}"]`).waitFor();
      await acceptOffer(expert.page, contactId);
      await expert.page.keyboard.press('Alt+KeyJ');
      const focused = await expert.page.evaluate(() => document.activeElement?.textContent);
      if (focused !== 'Journey') throw new Error(`Alt+J focused ${focused}`);
      const journey = expert.page.locator('.journey');
      await journey.locator('[data-type="escalated"]').getByText(`Reason: ${REASON}`).waitFor();
      await search(expert.page); // an expert, an author too, reads the article's published version
      await journey.locator('[data-type="diagnosis_ended"]').getByText(`${LIGHT} → Red`).waitFor();
      for (const type of ['enqueued', 'offered', 'accepted', 'diagnosis_started'])
        await journey.locator(`[data-type="${type}"]`).first().waitFor();
      await bothLanguages(expert.page, accessible, 'expert with an escalation');
    });
    await step('diagnosis: the customer\'s words answer a question; the answer says which words, and is undone', async () => {
      const page = expert.page;
      await page.getByLabel("Customer's words").fill('the modem light is red');
      await page.getByRole('button', { name: 'Search the knowledge' }).click();
      await page.locator('.result[data-item="no-connection"]')
        .getByRole('button', { name: 'Start the diagnosis “No internet connection”' }).click();
      const path = page.locator('.session .path');
      await path.locator('li.inferred', { hasText: "answered from the customer's words: «red»" }).waitFor();
      await page.locator('.outcome').waitFor(); // red leads straight to the article
      await bothLanguages(page, accessible, 'an answer taken from the customer\'s words');
      await path.getByRole('button', { name: 'Undo the answer “Red”: ask the question' }).click();
      const question = page.locator('.question');
      await question.getByText(LIGHT).waitFor();
      await path.waitFor({ state: 'detached' });
      // asked again, never inferred again: the agent answers, then the customer says more
      await question.getByRole('button', { name: 'Green' }).click();
      await question.getByText('Do the other devices have internet?').waitFor();
      await page.getByLabel('The customer adds').fill('the other devices have no internet either');
      await page.getByRole('button', { name: 'Listen' }).click();
      await path.locator('li.inferred', { hasText: '«devices have no internet»' }).waitFor();
      await page.locator('.outcome').waitFor();
      const stored = await s.admin('GET', `/api/v1/contacts/${contactId}/diagnosis`);
      const last = stored.sessions[stored.sessions.length - 1];
      const steps = last.path.map((p) => `${p.node}=${p.answer}${p.inferred ? '*' : ''}`).join(' ');
      if (steps !== 'light=green devices=no*') throw new Error(`path stored: ${steps}`);
    });
    await step('diagnosis: an outsourced agent never sees a personal or confidential value', async () => {
      const out = await signIn(browser, url, 'out@a.example', errors);
      pages.push(out);
      const c = await s.admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Still no internet',
        customer_id: s.customer.id, message: 'Internet is down again.', queue_id: s.l1.id });
      await out.page.locator(`.offer[data-contact="${c.id}"]`).waitFor();
      await acceptOffer(out.page, c.id);
      await out.page.locator('dd[data-field="first_name"]', { hasText: 'Dominique' }).waitFor();
      await walk(out.page, false);
      await out.page.locator('.journey [data-type="diagnosis_started"]').waitFor();
      const text = await out.page.evaluate(() => document.body.innerText + ' ' +
        [...document.querySelectorAll('input, textarea, select')].map((e) => e.value).join(' '));
      const html = await out.page.content();
      const seen = SECRETS.filter((v) => text.includes(v) || html.includes(v));
      if (seen.length) throw new Error(`the outsourced agent sees ${seen.join(', ')}`);
      await bothLanguages(out.page, accessible, 'outsourced agent with a diagnosis');
    });
    let later = 0;
    // the tree started again from the search's results
    const startAgain = async (page) => {
      await page.locator('.result[data-item="no-connection"]')
        .getByRole('button', { name: 'Start the diagnosis “No internet connection”' }).click();
      await page.locator('.question').getByText(LIGHT).waitFor();
    };
    const focused = (page) => page.evaluate(() => document.activeElement?.textContent || document.activeElement?.id);
    await step('diagnosis: at an article without a reply, the agent ends it not resolved, saying why, by keyboard', async () => {
      const page = agent.page;
      await page.getByRole('radio', { name: 'Available' }).click();
      const c = await s.admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Lights', customer_id: s.customer.id,
        message: 'My internet connection is down and the lights blink.', queue_id: s.l1.id });
      later = c.id;
      await page.locator(`.offer[data-contact="${later}"]`).waitFor();
      await acceptOffer(page, later);
      await search(page);
      await startAgain(page);
      await page.locator('.question').getByRole('button', { name: 'Green' }).click();
      await page.locator('.question').getByRole('button', { name: 'Yes', exact: true }).click();
      const outcome = page.locator('.outcome');
      await outcome.getByText('Read the modem lights', { exact: true }).waitFor();
      if (await outcome.getByRole('button', { name: 'Send this reply' }).count()) throw new Error('a reply to send');
      await page.keyboard.press('Alt+KeyO'); // no reply: the way to end the diagnosis
      if (await focused(page) !== 'Resolved') throw new Error(`Alt+O focused ${await focused(page)}`);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      if (await focused(page) !== 'Not resolved') throw new Error(`Tab focused ${await focused(page)}`);
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('Say why it is not resolved first.').waitFor();
      if (await focused(page) !== `end-why-${later}`) throw new Error('the focus is not at why');
      await page.keyboard.type('The customer needs the lights explained on site');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('Diagnosis ended: not resolved.').waitFor();
      await outcome.locator('.ended', { hasText: 'Diagnosis ended: not resolved.' }).waitFor();
      const { sessions } = await s.admin('GET', `/api/v1/contacts/${later}/diagnosis`);
      const last = sessions[sessions.length - 1];
      if (last.state !== 'ended' || last.resolved !== false || last.feedback !== 'The customer needs the lights explained on site')
        throw new Error(JSON.stringify(last));
    });
    await step('diagnosis: at an escalation, ending it escalates the contact with the path (Alt+O, Enter)', async () => {
      const page = agent.page;
      await startAgain(page);
      await page.locator('.question').getByRole('button', { name: 'Green' }).click();
      await page.locator('.question').getByRole('button', { name: 'No', exact: true }).click();
      const outcome = page.locator('.outcome');
      await outcome.getByText(`This needs an expert: ${LINE}`).waitFor();
      await outcome.getByText('Either way, ending it escalates the contact to Internet experts with the path as a note.').waitFor();
      // no article: the flag is on the tree, named by its title
      await outcome.getByRole('button', { name: 'Flag “No internet connection”' }).waitFor();
      await bothLanguages(page, accessible, 'the end of a diagnosis at an escalation');
      await page.keyboard.press('Alt+KeyO');
      if (await focused(page) !== 'Resolved') throw new Error(`Alt+O focused ${await focused(page)}`);
      await page.keyboard.press('Enter');
      await page.getByRole('status')
        .getByText(`Diagnosis ended: contact #${later} escalated to Internet experts with its path.`).waitFor();
      await page.getByRole('tab', { name: `#${later}` }).waitFor({ state: 'detached' });
      const stored = await s.admin('GET', `/api/v1/contacts/${later}`);
      if (stored.state !== 'escalated') throw new Error(`the contact is ${stored.state}`);
      if (!stored.messages.some((m) => m.body.includes('Diagnosis walked:') && m.body.includes('Do the other devices have internet? → No')))
        throw new Error(`no path in the notes: ${JSON.stringify(stored.messages)}`);
      const routing = await s.admin('GET', `/api/v1/contacts/${later}/routing`);
      if (routing.queue_id !== s.l2.id) throw new Error(JSON.stringify(routing));
      const { sessions } = await s.admin('GET', `/api/v1/contacts/${later}/diagnosis`);
      const last = sessions[sessions.length - 1];
      if (last.state !== 'ended' || last.resolved !== true) throw new Error(JSON.stringify(last));
    });
    await step('diagnosis: a session left open comes back after a reload, and to the expert it is escalated to by hand', async () => {
      const page = agent.page;
      const c = await s.admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Half way', customer_id: s.customer.id,
        message: 'My internet connection is down.', queue_id: s.l1.id });
      await page.locator(`.offer[data-contact="${c.id}"]`).waitFor();
      await acceptOffer(page, c.id);
      await search(page);
      await startAgain(page);
      await page.locator('.question').getByRole('button', { name: 'Green' }).click();
      const next = 'Do the other devices have internet?';
      await page.locator('.question').getByText(next).waitFor();
      await page.reload();
      const panel = page.locator(`#panel-${c.id}`);
      await panel.locator('.question').getByText(next).waitFor();
      await panel.locator('.session .path').getByText(`${LIGHT} → Green`).waitFor();
      if (await panel.getByLabel("Customer's words").inputValue() !== WORDS) throw new Error('the words are lost');
      // escalated by hand half way: the expert (room made for it) goes on from where it stood
      await s.admin('PUT', `/api/v1/agents/${s.people.expert.id}`, { level: 2,
        skills: [{ skill_id: s.l2.skill_id, proficiency: 5, tier: 1 }], capacity: { chat: 3 } });
      await page.keyboard.press('Alt+KeyL');
      await page.keyboard.type('Half way through the diagnosis');
      await panel.getByLabel('To the queue').selectOption({ label: 'Internet experts (level 2)' });
      await panel.getByRole('button', { name: 'Escalate' }).click();
      await page.getByRole('tab', { name: `#${c.id}` }).waitFor({ state: 'detached' });
      await expert.page.locator(`.offer[data-contact="${c.id}"]`).waitFor();
      await acceptOffer(expert.page, c.id);
      await expert.page.getByRole('tab', { name: `#${c.id}` }).click();
      const theirs = expert.page.locator(`#panel-${c.id}`);
      await theirs.locator('.session .path').getByText(`${LIGHT} → Green`).waitFor();
      await theirs.locator('.question').getByRole('button', { name: 'No', exact: true }).click();
      await theirs.locator('.outcome').getByText(`This needs an expert: ${LINE}`).waitFor();
    });
    await step('diagnosis: on a French desk, an English customer\'s words search the English knowledge by themselves', async () => {
      const page = agent.page;
      // the others who have the skill go on a break: the contact is the agent's
      for (const who of ['expert', 'out']) {
        const { token } = await bearer(url)('POST', '/api/v1/auth/login', { email: `${who}@a.example`, password: PASSWORD });
        await bearer(url, token)('POST', '/api/v1/agents/me/presence', { presence: 'paused', reason: 'break' });
      }
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: 'Présence' }).waitFor();
      const c = await s.admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'English', customer_id: s.customer.id,
        message: 'Hello, my internet is down.', queue_id: s.l1.id });
      await page.locator(`.offer[data-contact="${c.id}"]`).getByRole('button', { name: 'Accepter' }).click()
        .catch(async (e) => { throw new Error(`${e.message}\n${await routingState(s, c.id)}`); });
      const panel = page.locator(`#panel-${c.id}`);
      await panel.getByLabel('Les mots du client').fill(WORDS);
      await panel.getByRole('button', { name: 'Chercher dans la base' }).click();
      // the language the words are in, unless the agent chooses one (the page's searched the French content: nothing)
      await panel.locator('.result[data-item="no-connection"]').waitFor();
      await page.getByLabel('Langue').selectOption('en');
      await page.getByRole('heading', { name: 'Presence' }).waitFor();
    });
    await step('diagnosis: no script error nor failed call on these pages', async () => {
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    for (const p of pages) await p.context.close();
  }
}
