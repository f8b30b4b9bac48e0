// The hand-over's choice of an agent in the browser, called by run.mjs with
// its daemon, browser and helpers. A desk holding two contacts reads no
// agent list (GET /api/v1/agents, the whole directory) when its tabs open;
// opening the choice in one tab reads it once, and opening it in the other
// tab reads nothing more; opened again after 30 seconds, it is read again.
// An offline colleague is listed but cannot be chosen; the filter finds a
// colleague by name (without minding accents or case), and the contact is
// transferred to them. Alt+2 opens the second tab the moment it appears
// (the keys once read the tabs of the render before). axe-core finds no serious or critical violation on
// the open choice in English and French.

import { bearer } from './bearer.mjs';

const TRANSFER_REASON = 'A question for the billing team';

async function login(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// An agent of the skill, with its presence.
async function colleague(admin, skill, email, name, password, presence) {
  const u = await admin('POST', '/api/v1/users', { email, name, password, role: 'agent' });
  await admin('PUT', `/api/v1/agents/${u.id}`, { level: 1, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }],
    capacity: { chat: 2 } });
  if (presence !== 'offline') await admin('POST', `/api/v1/agents/${u.id}/presence`, { presence });
  return u;
}

export async function handoverTests({ browser, url, admin, step, accessible, password }) {
  const skill = await admin('POST', '/api/v1/skills', { name: 'hand-overs' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Hand-overs', skill_id: skill.id, channel: 'chat' });
  await colleague(admin, skill, 'hana@a.example', 'Hana Hands', password, 'offline');
  // available once Hana holds both contacts (they would go to her otherwise)
  const elodie = await colleague(admin, skill, 'elodie@a.example', 'Élodie Écoute', password, 'offline');
  await colleague(admin, skill, 'oscar@a.example', 'Oscar Offline', password, 'offline');
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    const signedOut = r.status() === 401 && new URL(r.url()).pathname === '/api/v1/me'; // before the login
    if (r.status() >= 400 && !signedOut) errors.push(`${r.request().method()} ${new URL(r.url()).pathname}: ${r.status()}`);
  });
  let agentLists = 0; // the readings of the whole agent directory
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/agents') agentLists += 1;
  });
  const contacts = [];
  let hana = null; // Hana's own calls, as another device of hers
  const panel = (id) => page.locator(`#panel-${id}`);
  const choose = (id) => panel(id).getByRole('button', { name: 'Choose an agent to transfer to', includeHidden: true });
  const agentSelect = (id) => panel(id).getByLabel('Or transfer to an agent');
  // a reading the page would start is seen by then
  const settle = () => page.waitForTimeout(300);
  const reading = () => page.waitForRequest((r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/agents');
  try {
    await step('handover: an offer accepted by Alt+A is said with its tab; Alt+2 opens a tab the moment it appears; a desk holding two contacts reads no agent list until the choice of an agent opens', async () => {
      await login(page, url, 'hana@a.example', password);
      hana = bearer(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'hana@a.example', password })).token);
      await page.getByRole('radio', { name: 'Available' }).click();
      await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
      for (const subject of ['First question', 'Second question']) {
        const c = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject, message: `${subject}?`, queue_id: queue.id });
        contacts.push(c.id);
        const offer = page.locator(`.offer[data-contact="${c.id}"]`);
        if (contacts.length === 1) { // by the keyboard, and said
          await offer.waitFor();
          await page.keyboard.press('Alt+KeyA');
          await page.locator('p.status[role="status"]').getByText(`Contact #${c.id} accepted: tab 1 (Alt+1).`).waitFor();
        } else {
          // taken elsewhere (a phone answered): its tab opens beside the first, still the open one, and
          // Alt+2 pressed the moment it appears opens it (the keys read the tabs of the render before)
          await offer.waitFor();
          await page.evaluate((id) => {
            window.pressedAlt2 = new Promise((ok) => new MutationObserver((_, seen) => {
              if (!document.getElementById(`tab-${id}`)) return;
              seen.disconnect();
              window.dispatchEvent(new KeyboardEvent('keydown', { code: 'Digit2', key: '2', altKey: true, cancelable: true }));
              ok();
            }).observe(document.body, { childList: true, subtree: true }));
          }, c.id);
          await hana('POST', `/api/v1/contacts/${c.id}/accept`);
          await page.evaluate(() => window.pressedAlt2);
          await page.getByRole('tab', { name: `#${c.id}`, selected: true }).waitFor({ timeout: 3000 })
            .catch(() => { throw new Error('Alt+2 did not open the second tab'); });
          await page.keyboard.press('Alt+Digit1');
          await page.getByRole('tab', { name: `#${contacts[0]}`, selected: true }).waitFor();
        }
        await page.getByRole('tab', { name: `#${c.id}` }).waitFor();
      }
      // each tab has read its queues (when it opened, as it read the agents before)
      for (const id of contacts) {
        await page.getByRole('tab', { name: `#${id}` }).click();
        await panel(id).getByLabel('To the queue').locator('option', { hasText: 'Hand-overs' }).waitFor({ state: 'attached' });
      }
      await settle();
      if (agentLists !== 0) throw new Error(`${agentLists} readings of the agents before any choice`);
      for (const id of contacts)
        if ((await choose(id).getAttribute('aria-expanded')) !== 'false') throw new Error('the choice is open');
      await admin('POST', `/api/v1/agents/${elodie.id}/presence`, { presence: 'available' });
    });
    await step('handover: the choice opened in both tabs reads the agents once; an offline agent cannot be chosen', async () => {
      const [first, second] = contacts;
      await page.getByRole('tab', { name: `#${first}` }).click();
      await choose(first).click();
      await agentSelect(first).locator('option', { hasText: 'Élodie Écoute (Available)' }).waitFor({ state: 'attached' });
      if (!(await agentSelect(first).locator('option', { hasText: 'Oscar Offline (Offline)' }).isDisabled()))
        throw new Error('an offline agent can be chosen');
      if (await agentSelect(first).locator('option', { hasText: 'Hana Hands' }).count())
        throw new Error('the agent is offered its own contact');
      await page.getByRole('tab', { name: `#${second}` }).click();
      await choose(second).click();
      await agentSelect(second).locator('option', { hasText: 'Élodie Écoute (Available)' }).waitFor({ state: 'attached' });
      if ((await choose(second).getAttribute('aria-expanded')) !== 'true') throw new Error('the choice is not open');
      await settle();
      if (agentLists !== 1) throw new Error(`${agentLists} readings of the agents for two tabs`);
    });
    await step('handover: the filter finds an agent by name, the contact is transferred to them, and the desk follows it', async () => {
      const id = contacts[1];
      await panel(id).getByLabel('Find an agent by name').fill('elodie');
      await panel(id).getByText('1 agent found.').waitFor();
      const options = await agentSelect(id).locator('option').allTextContents();
      if (options.join('|') !== 'No: to the queue above|Élodie Écoute (Available)') throw new Error(options.join('|'));
      await agentSelect(id).selectOption({ label: 'Élodie Écoute (Available)' });
      await panel(id).getByLabel('Find an agent by name').fill('nobody of that name');
      await panel(id).getByText('No agent has that in their name.').waitFor();
      // the agent chosen stays chosen, and listed, whatever the filter
      if ((await agentSelect(id).inputValue()) !== String(elodie.id)) throw new Error('the choice was lost');
      await accessible(page, 'the choice of an agent (en)');
      await page.getByLabel('Language').selectOption('fr');
      await panel(id).getByText('Aucun conseiller n’a cela dans son nom.').waitFor();
      await panel(id).getByRole('button', { name: 'Choisir un conseiller à qui transférer' }).waitFor();
      await accessible(page, 'the choice of an agent (fr)');
      await page.getByLabel('Langue').selectOption('en');
      await panel(id).getByLabel('Reason (the next person reads it first)', { exact: true }).fill(TRANSFER_REASON);
      await panel(id).getByRole('button', { name: 'Transfer', exact: true }).click();
      await page.getByRole('status').getByText(`Contact #${id} transferred to Élodie Écoute.`).waitFor();
      await page.getByRole('tab', { name: `#${id}` }).waitFor({ state: 'detached' });
      const journey = await admin('GET', `/api/v1/contacts/${id}/journey`);
      const moved = journey.items.filter((e) => e.type === 'transferred');
      if (moved.length !== 1 || moved[0].data.to_agent_id !== elodie.id) throw new Error(JSON.stringify(moved));
      // the desk follows it: handed over to Élodie, then the answer she sent the customer
      const handed = page.locator(`.handed li[data-contact="${id}"]`);
      await handed.getByText(`#${id} Second question → Élodie Écoute`).waitFor();
      await admin('POST', `/api/v1/contacts/${id}/messages`, { direction: 'outbound', body: 'Refund made this morning.' });
      await page.locator('.handed').getByRole('button', { name: 'See where they stand' }).click();
      await handed.getByText('Last answer to the customer: “Refund made this morning.”').waitFor();
      await page.getByLabel('Language').selectOption('fr');
      await page.locator('.handed').getByRole('heading', { name: 'Transmis' }).waitFor();
      await handed.getByText('Dernière réponse au client : « Refund made this morning. »').waitFor();
      await page.getByLabel('Langue').selectOption('en');
    });
    await step('handover: the choice opened again after 30 seconds reads the agents again', async () => {
      const id = contacts[0];
      await page.getByRole('tab', { name: `#${id}` }).click();
      await choose(id).click(); // closed
      await agentSelect(id).waitFor({ state: 'detached' });
      await choose(id).click();
      await agentSelect(id).locator('option', { hasText: 'Élodie Écoute' }).waitFor({ state: 'attached' });
      await settle();
      if (agentLists !== 1) throw new Error(`${agentLists} readings of the agents within 30 seconds`);
      await choose(id).click();
      await page.clock.setFixedTime(Date.now() + 31 * 1000);
      await Promise.all([reading(), choose(id).click()]);
      await agentSelect(id).locator('option', { hasText: 'Élodie Écoute' }).waitFor({ state: 'attached' });
      if (agentLists !== 2) throw new Error(`${agentLists} readings of the agents after 30 seconds`);
    });
    await step('handover: the expert reads an escalated contact\'s level 1 as another agent and its journey in words', async () => {
      // a level 1 and a level 2 queue of their own, a tree that escalates, its two people
      const sk = await admin('POST', '/api/v1/skills', { name: 'paper jams' });
      const l1 = await admin('POST', '/api/v1/queues', { name: 'Jams', skill_id: sk.id, channel: 'chat', offer_timeout_s: 60 });
      const l2 = await admin('POST', '/api/v1/queues', { name: 'Jam experts', skill_id: sk.id, channel: 'chat', level: 2,
        offer_timeout_s: 60 });
      const tree = { id: 'paper-jam', kind: 'tree', title: 'Printer paper jam', lang: 'en', tags: ['printer'], start: 'out',
        nodes: [{ id: 'out', type: 'yesno', text: 'Was the jammed paper taken out?', yes: 'expert', no: 'pull' },
          { id: 'pull', type: 'reply', text: 'Open the back door and pull the paper out.' },
          { id: 'expert', type: 'escalate', reason: 'Jam sensor fault suspected', queue: l2.id }] };
      await admin('POST', '/api/v1/kb/import?publish=1', `${JSON.stringify(tree)}\n`, 'application/x-ndjson');
      const people = {};
      for (const [who, role, level] of [['jo', 'agent', 1], ['jade', 'expert', 2]]) {
        people[who] = await admin('POST', '/api/v1/users', { email: `${who}@a.example`, name: `${who} jams`, password, role });
        await admin('PUT', `/api/v1/agents/${people[who].id}`, { level, skills: [{ skill_id: sk.id, proficiency: 5, tier: 1 }],
          capacity: { chat: 1 } });
      }
      // the level 1 answers, walks the tree to its escalation (the API, as the desk does)
      const jo = bearer(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'jo@a.example', password })).token);
      const c = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Printer jammed', message: 'It jams.',
        queue_id: l1.id });
      await jo('POST', '/api/v1/agents/me/presence', { presence: 'available' });
      await jo('POST', `/api/v1/contacts/${c.id}/accept`);
      await jo('POST', '/api/v1/agents/me/presence', { presence: 'paused', reason: 'break' });
      await jo('POST', `/api/v1/contacts/${c.id}/messages`, { direction: 'outbound', body: 'Did you take the paper out?' });
      const session = await jo('POST', '/api/v1/kb/sessions', { tree: 'paper-jam', lang: 'en', contact_id: c.id });
      await jo('POST', `/api/v1/kb/sessions/${session.id}/answer`, { answer: 'yes' });
      await jo('POST', `/api/v1/kb/sessions/${session.id}/end`, { resolved: false, feedback: 'still jams' });
      await jo('POST', '/api/v1/agents/me/presence', { presence: 'offline' }); // escalated: it holds nothing more
      const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
      const expert = await context.newPage();
      expert.setDefaultTimeout(10000);
      expert.on('pageerror', (e) => errors.push(e.message));
      try {
        await login(expert, url, 'jade@a.example', password);
        await expert.getByRole('radio', { name: 'Available' }).click();
        await expert.locator(`.offer[data-contact="${c.id}"]`).getByRole('button', { name: 'Accept' }).click();
        const mine = expert.locator(`#panel-${c.id}`);
        const said = mine.locator('.msg.outbound', { hasText: 'Did you take the paper out?' }).locator('strong');
        await said.waitFor();
        if ((await said.innerText()) !== 'Agent') throw new Error(`the level 1's answer is labelled ${await said.innerText()}`);
        const journey = mine.locator('.journey-items');
        await journey.getByText('Diagnosis result recorded').waitFor();
        await journey.getByText('not resolved').waitFor();
        await journey.getByText('outcome: an escalation').waitFor();
        await journey.getByText('Was the jammed paper taken out? → Yes').waitFor();
        const escalated = mine.locator('.msg.note', { hasText: 'Jam sensor fault suspected' }).locator('span');
        if ((await escalated.innerText()) !== 'Escalated from Jams to Jam experts: Jam sensor fault suspected')
          throw new Error(`the escalation's note reads ${await escalated.innerText()}`);
        await mine.getByLabel('Reply to the customer').fill('A technician will look at the sensor.');
        await mine.getByRole('button', { name: 'Send reply', exact: true }).click();
        await mine.locator('.msg.outbound', { hasText: 'A technician' }).locator('strong', { hasText: 'You' }).waitFor();
        await expert.getByLabel('Language').selectOption('fr');
        await said.getByText('Conseiller').waitFor();
        await journey.getByText('Résultat du diagnostic enregistré').first().waitFor();
        await journey.getByText('conclusion : une escalade').waitFor();
        await journey.getByText('Was the jammed paper taken out? → Oui').waitFor();
        // guichet's own note in the page's language, the words the tree gave kept as they are
        await escalated.getByText('Escaladé de Jams vers Jam experts : Jam sensor fault suspected').waitFor();
        if (/journey\.|outcome_type/.test(await journey.innerText())) throw new Error(await journey.innerText());
        await expert.getByLabel('Langue').selectOption('en');
        // nothing left for the groups after: wrapped up, the expert offline
        await mine.getByLabel('Disposition').selectOption({ label: 'Information given' });
        await mine.getByRole('button', { name: 'Wrap up' }).click();
        await expert.getByRole('tab', { name: `#${c.id}` }).waitFor({ state: 'detached' });
        await expert.getByRole('radio', { name: 'Offline' }).click();
        await expert.locator('[role="radio"][aria-checked="true"]', { hasText: 'Offline' }).waitFor();
      } finally {
        await context.close();
      }
    });
    await step('handover: an agent of two brands, refused contacts in one, is told in words which brand holds them and the way out', async () => {
      const sk = await admin('POST', '/api/v1/skills', { name: 'two brands' });
      const q = await admin('POST', '/api/v1/queues', { name: 'Two brands', skill_id: sk.id, channel: 'chat', offer_timeout_s: 60 });
      const duo = await admin('POST', '/api/v1/users', { email: 'duo@a.example', name: 'Duo Brands', password, role: 'agent' });
      await admin('PUT', `/api/v1/agents/${duo.id}`, { level: 1, skills: [{ skill_id: sk.id, proficiency: 5, tier: 1 }],
        capacity: { chat: 1 } });
      await admin('POST', '/api/v1/memberships', { email: 'duo@a.example', tenant: 'Brand B', role: 'agent' });
      // Brand B's administrator (the platform admin has no role there) gives Duo a profile there
      await admin('POST', '/api/v1/users', { email: 'boss-b@a.example', name: 'Boss B', password, role: 'planner' });
      await admin('POST', '/api/v1/memberships', { email: 'boss-b@a.example', tenant: 'Brand B', role: 'tenant_admin' });
      const bossB = bearer(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'boss-b@a.example', password,
        tenant: 'Brand B' })).token);
      await bossB('PUT', `/api/v1/agents/${duo.id}`, { level: 1, skills: [], capacity: { chat: 1 } });
      // in Brand A, Duo holds a chat and pauses
      const duoA = bearer(url, (await bearer(url)('POST', '/api/v1/auth/login', { email: 'duo@a.example', password })).token);
      const c = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: 'Held in Brand A', queue_id: q.id });
      await duoA('POST', '/api/v1/agents/me/presence', { presence: 'available' });
      await duoA('POST', `/api/v1/contacts/${c.id}/accept`);
      await duoA('POST', '/api/v1/agents/me/presence', { presence: 'paused', reason: 'break' });
      const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
      const desk = await context.newPage();
      desk.setDefaultTimeout(10000);
      desk.on('pageerror', (e) => errors.push(e.message));
      try {
        await desk.goto(url);
        await desk.getByLabel('Email').fill('duo@a.example');
        await desk.getByLabel('Password').fill(password);
        await desk.getByRole('button', { name: 'Sign in' }).click();
        await desk.getByRole('radio', { name: 'Brand B' }).check();
        await desk.keyboard.press('Enter');
        await desk.getByText('No contact accepted yet.').waitFor();
        const said = desk.locator('p.status[role="status"]');
        await desk.keyboard.press('Alt+KeyV');
        await said.getByText('You are still at work for Brand A (paused): contacts come from one brand at a time. '
          + 'Switch back to Brand A, finish or transfer the contacts you hold there, go offline, then come back here.').waitFor();
        await desk.getByLabel('Language').selectOption('fr');
        // the button, rendered in French (a key pressed at once could meet the English page's handler)
        await desk.getByRole('radio', { name: 'Disponible' }).click();
        await said.getByText('Vous êtes encore au travail pour Brand A (en pause) : les contacts viennent d’une seule '
          + 'marque à la fois.', { exact: false }).waitFor();
        await desk.getByLabel('Langue').selectOption('en');
      } finally {
        await context.close();
        // nothing left for the groups after: the chat wrapped up, Duo offline in both brands
        await duoA('POST', `/api/v1/contacts/${c.id}/wrapup`, { disposition: 'information_given' });
        await duoA('POST', '/api/v1/agents/me/presence', { presence: 'offline' });
      }
    });
    await step('handover: no script error nor failed call on the way', async () => {
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    await context.close();
  }
}
