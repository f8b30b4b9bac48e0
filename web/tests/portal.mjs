// The self-service portal in a real browser, run by run.mjs on its daemon
// and browser: the tenant's portal is enabled with an incident published;
// a customer (no login) opens /help/{tenant}, sees the incident at the top,
// searches in their own words, starts the guided help, answers, reads the
// article, says it did not solve it, then sends the request to a person
// (a wrong address first: the API's error shows at its field). The agent
// reads the query and the path walked on the contact, in the portal's
// queue. The ways to reach a person are on screen at every step; axe-core
// finds no serious or critical violation in English and French. The
// callback form goes to guichetd (the request then seen through the staff's
// API, the customer's search as its context), and with a chat channel's
// key set, the portal loads the chat's launcher and the frame opens on the
// portal's page (guichetd's own origin: the frame's CSP lets it in). A
// French page says guichetd's refusals (a number, a window, no callback
// queue, an address) in French, never in the API's English. Half a
// callback window is refused at its field (never taken for "as soon as
// possible"), a window is said as such, and a second request for a number
// says the first one. The chat follows the page's language when the
// customer changes it, its frame open or not. On a phone (375 px) nothing
// runs off the screen. "Back to the results" brings the focus to the
// results' heading.
import { bearer } from './bearer.mjs';

const PASSWORD = 'correct horse';
const INCIDENT = 'Heating network outage in Portalville';
const WORDS = 'my boiler gives no heat';
const PILOT = "Is the boiler's pilot light on?";
const ARTICLE = {
  id: 'portal-boiler-refill', kind: 'article', type: 'procedure', title: 'Refill the boiler pressure', lang: 'en',
  tags: ['boiler', 'heating'], body: 'Low pressure stops most boilers.', internal: 'Agents: check the warranty first.',
  steps: ['Find the filling loop under the boiler', 'Open it until the gauge shows 1.5 bar'],
};
const TREE = {
  id: 'portal-boiler-cold', kind: 'tree', title: 'Boiler gives no heat', lang: 'en', tags: ['boiler', 'heating', 'heat'],
  start: 'pilot', nodes: [
    { id: 'pilot', type: 'choice', text: PILOT, choices: [
      { value: 'on', label: 'On', next: 'gauge' }, { value: 'off', label: 'Off', next: 'refill' }] },
    { id: 'gauge', type: 'yesno', text: 'Is the pressure gauge below 1 bar?', yes: 'refill', no: 'refill' },
    { id: 'refill', type: 'article', article: 'portal-boiler-refill' },
  ],
};

async function seed(url, admin) {
  const me = await admin('GET', '/api/v1/me');
  const skill = await admin('POST', '/api/v1/skills', { name: 'portal-heating' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Portal heating', skill_id: skill.id, channel: 'chat' });
  await admin('POST', '/api/v1/kb/import?publish=1', [ARTICLE, TREE].map((x) => JSON.stringify(x)).join('\n') + '\n',
    'application/x-ndjson');
  await admin('PUT', '/api/v1/portal', { enabled: true, title: 'Brand A help', lang: 'en', phone: '+33 1 23 45 67 89',
    email: 'help@a.example', callback: true, queue_id: queue.id });
  const phones = await admin('POST', '/api/v1/queues', { name: 'Portal callbacks', skill_id: skill.id, channel: 'phone' });
  await admin('PUT', '/api/v1/callbacks/settings', { queue_id: phones.id, retry_after_s: 900, max_attempts: 3 });
  const chat = await admin('POST', '/api/v1/channels/chat', { name: 'Portal chat', queue_id: queue.id,
    origins: ['https://brand-a.example'], offline: { message: true, callback: false } });
  await admin('POST', '/api/v1/incidents', { kind: 'incident', title: INCIDENT, body: 'Our teams are repairing it.',
    area: 'Portalville', published: true });
  const { token } = await bearer(url)('POST', '/api/v1/auth/login', { email: 'agent@a.example', password: PASSWORD });
  return { tenant: me.tenant_id, queue, chat, agent: bearer(url, token) };
}

export async function portalTests({ browser, url, admin, step, accessible }) {
  const { tenant, queue, chat, agent } = await seed(url, admin);
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()));
  const reach = page.getByRole('complementary', { name: 'Talk to a person' });
  // the ways to reach a person, on screen whatever the step
  async function waysShown(where) {
    for (const name of ['Call us: +33 1 23 45 67 89', 'Write to us: help@a.example'])
      if (!(await reach.getByRole('link', { name }).isVisible())) throw new Error(`${where}: no "${name}"`);
    for (const name of ['Send to a person', 'Ask for a callback'])
      if (!(await reach.getByRole('button', { name }).isVisible())) throw new Error(`${where}: no "${name}"`);
  }
  let contactId = 0;

  await step('the portal shows the current incident at the top and the ways to reach a person (en, axe)', async () => {
    await page.goto(`${url}/help/${tenant}`);
    await page.getByRole('heading', { name: 'Brand A help', level: 1 }).waitFor();
    const incidents = page.getByRole('region', { name: 'Current incidents and announcements' });
    await incidents.getByText(INCIDENT).waitFor();
    const first = await page.evaluate(() => document.querySelector('.portal').firstElementChild.className);
    if (first !== 'incidents') throw new Error(`the first block is ${first}`);
    await waysShown('home');
    await accessible(page, 'portal (en)');
  });
  await step('a search in the customer\'s words leads to the guided help, answered step by step', async () => {
    await page.getByLabel('Describe your problem in your own words').fill(WORDS);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: `Results for “${WORDS}”` }).waitFor();
    await waysShown('results');
    await page.getByRole('button', { name: `Start “${TREE.title}”` }).click();
    await page.getByText(PILOT).waitFor();
    await waysShown('first question');
    await page.getByRole('button', { name: 'On', exact: true }).click();
    await page.getByText('Is the pressure gauge below 1 bar?').waitFor();
    await page.getByRole('button', { name: 'Previous question' }).click();
    await page.getByText(PILOT).waitFor();
    await page.getByRole('button', { name: 'On', exact: true }).click();
    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await page.getByRole('heading', { name: ARTICLE.title }).waitFor();
    if (await page.getByText(ARTICLE.internal).count()) throw new Error('the agents\' part is shown');
    await waysShown('answer');
    await accessible(page, 'portal diagnosis (en)');
  });
  await step('"did this solve it? no" keeps the ways to reach a person in front', async () => {
    await page.getByRole('group', { name: 'Did this solve it?' }).getByRole('button', { name: 'No, not solved' }).click();
    await page.getByRole('status').filter({ hasText: 'Sorry it did not help' }).waitFor();
    await waysShown('not solved');
  });
  await step('"talk to a person" sends the request with the path; the API\'s error shows at its field', async () => {
    await reach.getByLabel('Your email').fill('not an address');
    await reach.getByRole('button', { name: 'Send to a person' }).click();
    const fieldError = reach.locator('#send-email-error');
    await fieldError.filter({ hasText: 'email' }).waitFor();
    await reach.getByLabel('Your email').fill('portal.customer@example.net');
    await reach.getByLabel('Your message').fill('Still cold after refilling.');
    const sent = page.waitForResponse((r) => r.url().endsWith('/escalate') && r.status() === 201);
    await reach.getByRole('button', { name: 'Send to a person' }).click();
    contactId = (await (await sent).json()).contact_id;
    await reach.getByRole('status').filter({ hasText: 'they see what you already tried' }).waitFor();
    if ((await fieldError.textContent()) !== '') throw new Error('the field error stayed');
  });
  await step('"Back to the results" brings the focus to the results\' heading, not to the top of the page', async () => {
    await page.getByRole('region', { name: 'Guided help' }).getByRole('button', { name: 'Back to the results' }).click();
    await page.getByRole('heading', { name: `Results for “${WORDS}”` }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'results-title', null, { timeout: 5000 })
      .catch(async () => { throw new Error(`the focus is on ${await page.evaluate(() => document.activeElement?.tagName)}`); });
    await waysShown('back to the results');
  });
  await step('the agent sees the query, the path and the answers on the contact, in the portal\'s queue', async () => {
    const contact = await agent('GET', `/api/v1/contacts/${contactId}`);
    const note = contact.messages.find((m) => m.kind === 'note')?.body || '';
    for (const want of [WORDS, PILOT, 'On', 'Is the pressure gauge below 1 bar?'])
      if (!note.includes(want)) throw new Error(`the note lacks "${want}": ${note}`);
    if (!contact.messages.some((m) => m.body === 'Still cold after refilling.')) throw new Error('no message');
    if (contact.queue !== queue.name) throw new Error(`in queue ${contact.queue}`);
    if (!contact.customer_id) throw new Error('no customer');
  });
  await step('the callback form goes to guichetd: the staff see the request, the customer\'s search as its context', async () => {
    const form = reach.locator('form.callback');
    await form.getByLabel('Phone number').fill('+33 6 98 76 54 32');
    await form.getByLabel('Your name (optional)').fill('Paula Portal');
    const sent = page.waitForResponse((r) => r.url().endsWith(`/public/v1/tenants/${tenant}/callbacks`));
    await form.getByRole('button', { name: 'Ask for a callback' }).click();
    const res = await sent;
    if (res.status() !== 201) throw new Error(`POST callbacks: ${res.status()} ${await res.text()}`);
    await form.getByRole('status').filter({ hasText: 'we will call you back' }).waitFor();
    const { items } = await admin('GET', '/api/v1/callbacks');
    const cb = items.find((c) => c.phone === '+33698765432');
    if (!cb || cb.source !== 'portal' || cb.name !== 'Paula Portal') throw new Error(`the callbacks: ${JSON.stringify(items)}`);
    const contact = await admin('GET', `/api/v1/contacts/${cb.contact_id}`);
    if (!contact.messages.some((m) => m.body.includes(WORDS))) throw new Error(`the context: ${JSON.stringify(contact.messages)}`);
  });
  await step('the portal in French: the same ways to reach a person, no serious accessibility violation', async () => {
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('complementary', { name: 'Parler à une personne' }).getByRole('link', { name: /Appelez-nous/ }).waitFor();
    await accessible(page, 'portal (fr)');
    const fr = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 720 } });
    const home = await fr.newPage();
    await admin('PUT', '/api/v1/portal', { enabled: true, title: 'Aide de Brand A', phone: '+33 1 23 45 67 89',
      email: 'help@a.example', callback: true, queue_id: queue.id });
    await home.goto(`${url}/help/${tenant}`);
    await home.getByRole('region', { name: 'Incidents et annonces en cours' }).getByText(INCIDENT).waitFor();
    // French puts a space before the colon
    const head = await home.locator('.incident-head').first().textContent();
    if (head !== `Incident (majeur) : ${INCIDENT}`) throw new Error(`the incident's heading: ${head}`);
    await home.getByRole('button', { name: 'Demander un rappel' }).waitFor();
    await accessible(home, 'portal home (fr)');
    await fr.close();
    if (errors.length) throw new Error(errors.join('; '));
  });
  await step('a French page says the API\'s refusals in French: a number, a window, no callback queue, an address', async () => {
    const fr = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 720 } });
    const home = await fr.newPage();
    home.setDefaultTimeout(10000);
    const english = /telephone|window|callback|PUT|api|'email'|address/i;
    const said = async (locator, french) => {
      await locator.filter({ hasText: french }).waitFor();
      const text = await locator.textContent();
      if (english.test(text)) throw new Error(`English on a French page: ${text}`);
    };
    try {
      await home.goto(`${url}/help/${tenant}`);
      const form = home.locator('form.callback');
      await form.getByLabel('Numéro de téléphone').fill('12');
      await form.getByRole('button', { name: 'Demander un rappel' }).click();
      await said(form.locator('#cb-phone-error'), 'Nous ne pouvons pas lire ce numéro');
      // a window beyond the 14 days guichetd takes (the browser's own local time)
      const local = (days, hours) => home.evaluate(([d, h]) => {
        const at = new Date(Date.now() + d * 86400000);
        at.setHours(h, 0, 0, 0);
        return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      }, [days, hours]);
      await form.getByLabel('Numéro de téléphone').fill('+33 6 55 44 33 22');
      await form.getByLabel('De', { exact: true }).fill(await local(20, 10));
      await form.getByLabel('À', { exact: true }).fill(await local(20, 11));
      await form.getByRole('button', { name: 'Demander un rappel' }).click();
      await said(form.locator('#cb-from-error'), 'Nous ne pouvons pas appeler dans ce créneau');
      // callbacks on, but no callback queue: guichetd's 409 names the API; the page does not
      const settings = await admin('GET', '/api/v1/callbacks/settings');
      await admin('PUT', '/api/v1/callbacks/settings', { ...settings, queue_id: null });
      try {
        await form.getByLabel('De', { exact: true }).fill('');
        await form.getByLabel('À', { exact: true }).fill('');
        await form.getByRole('button', { name: 'Demander un rappel' }).click();
        await said(form.getByRole('alert').last(), 'Les rappels ne peuvent pas être demandés pour le moment');
      } finally {
        await admin('PUT', '/api/v1/callbacks/settings', settings);
      }
      const send = home.locator('form.send');
      await send.getByLabel('Votre adresse e-mail').fill('not an address');
      await send.getByRole('button', { name: 'Envoyer à une personne' }).click();
      await said(send.locator('#send-email-error'), 'Cette adresse e-mail n’est pas valide');
      await accessible(home, 'portal refusals (fr)');
    } finally {
      await fr.close();
    }
  });
  await step('the callback form refuses half a window at its field; a window is said as such; a second request says the first', async () => {
    const en = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
    const home = await en.newPage();
    home.setDefaultTimeout(10000);
    let posted = 0;
    home.on('request', (r) => { if (r.url().endsWith(`/public/v1/tenants/${tenant}/callbacks`)) posted += 1; });
    const local = (days, hours) => home.evaluate(([d, h]) => { // the browser's own local time
      const at = new Date(Date.now() + d * 86400000);
      at.setHours(h, 0, 0, 0);
      return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    }, [days, hours]);
    try {
      await home.goto(`${url}/help/${tenant}`);
      const form = home.locator('form.callback');
      const from = form.getByLabel('From', { exact: true });
      const to = form.getByLabel('To', { exact: true });
      const ask = form.getByRole('button', { name: 'Ask for a callback' });
      await form.getByLabel('Phone number').fill('+33 6 98 76 54 32'); // Paula's, asked above, still waiting
      await from.fill(await local(1, 10));
      await ask.click();
      await form.locator('#cb-to-error').filter({ hasText: 'Give the end of the window too' }).waitFor();
      await form.locator('#cb-to[aria-invalid="true"]').waitFor();
      await from.fill('');
      await to.fill(await local(1, 11));
      await ask.click();
      await form.locator('#cb-from-error').filter({ hasText: 'Give the start of the window too' }).waitFor();
      if (posted) throw new Error('half a window was sent');
      // no window: the number's open request answers, as soon as possible
      await to.fill('');
      const again = home.waitForResponse((r) => r.url().endsWith(`/public/v1/tenants/${tenant}/callbacks`));
      await ask.click();
      const first = await (await again).json();
      if (first.existing !== true) throw new Error(`the answer: ${JSON.stringify(first)}`);
      await form.getByRole('status').filter({ hasText: 'A callback to this number was requested already: we will call you back as soon as possible.' }).waitFor();
      // a new number in a window tomorrow: the window said, no place in line
      await home.reload();
      await form.getByLabel('Phone number').fill('+33 6 98 76 54 33');
      await from.fill(await local(1, 10));
      await to.fill(await local(1, 11));
      const sent = home.waitForResponse((r) => r.url().endsWith(`/public/v1/tenants/${tenant}/callbacks`));
      await ask.click();
      const cb = await (await sent).json();
      if (cb.state !== 'scheduled' || cb.position !== null) throw new Error(`the answer: ${JSON.stringify(cb)}`);
      const said = form.getByRole('status').filter({ hasText: 'Thank you: we will call you back in the window you chose' });
      await said.waitFor();
      const text = await said.textContent();
      if (!text.includes('10:00') || !text.includes('11:00') || /in line/.test(text)) throw new Error(`said: ${text}`);
      await accessible(home, 'portal callback window (en)');
    } finally {
      await en.close();
    }
  });
  // a closed chat offers its message form only while a mailbox sends the brand's mail: one of its own here
  // (its servers are not reached), not whatever an earlier group left
  const mailbox = await admin('POST', '/api/v1/channels/email', { name: 'portal mail', address: 'help@a.example',
    imap_url: 'imap://127.0.0.1:9/INBOX', username: 'help', password: 'unused', smtp_url: 'smtp://127.0.0.1:9' });
  try {
  await step('with a chat channel set, the portal loads its launcher and the chat opens on the portal\'s page', async () => {
    await admin('PUT', '/api/v1/portal', { enabled: true, title: 'Brand A help', lang: 'en', phone: '+33 1 23 45 67 89',
      email: 'help@a.example', callback: true, queue_id: queue.id, chat_key: chat.key });
    const en = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
    const home = await en.newPage();
    home.setDefaultTimeout(10000);
    home.on('pageerror', (e) => errors.push(e.message));
    home.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()));
    try {
      const framed = home.waitForResponse((r) => r.url().includes(`/chat/v1/${chat.key}/frame`));
      await home.goto(`${url}/help/${tenant}`);
      await home.getByText('Chat with us: the chat button at the bottom of the page.').waitFor();
      await home.getByRole('button', { name: 'Chat with us' }).click();
      const csp = (await (await framed).allHeaders())['content-security-policy'] || '';
      if (!/frame-ancestors 'self' /.test(csp)) throw new Error(`the frame's CSP: ${csp}`);
      const frame = home.frameLocator('iframe#guichet-chat-frame');
      await frame.getByRole('heading', { name: 'Brand A', exact: true }).waitFor();
      // nobody serves the portal's queue: the chat is closed, its message form shown
      await frame.getByRole('heading', { name: 'Leave a message' }).waitFor();
      // the frame heard the portal's launcher (guichetd's own origin): its close button, and it works
      await frame.getByRole('button', { name: 'Close the chat window' }).click();
      await home.getByRole('button', { name: 'Chat with us' }).waitFor();
      await accessible(home, 'portal with the chat (en)');
    } finally {
      await en.close();
    }
    if (errors.length) throw new Error(errors.join('; '));
  });
  await step('the chat follows the help centre\'s language: the launcher, an open frame, and a frame opened after', async () => {
    const en = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
    const home = await en.newPage();
    home.setDefaultTimeout(10000);
    home.on('pageerror', (e) => errors.push(e.message));
    try {
      await home.goto(`${url}/help/${tenant}`);
      await home.getByRole('button', { name: 'Chat with us' }).click();
      const frame = home.frameLocator('iframe#guichet-chat-frame');
      await frame.getByRole('heading', { name: 'Leave a message' }).waitFor();
      await home.getByLabel('Language').selectOption('fr');
      await frame.getByRole('heading', { name: 'Laisser un message' }).waitFor();
      await home.getByRole('button', { name: 'Fermer la discussion' }).click();
      await home.getByRole('button', { name: 'Discuter avec nous' }).waitFor();
      const title = await home.locator('iframe#guichet-chat-frame').getAttribute('title');
      if (title !== 'Discussion') throw new Error(`the frame's title: ${title}`);
      await accessible(home, 'portal with the chat (fr)');
      // a new page: French chosen before the frame is made
      await home.reload();
      await home.getByLabel('Language').selectOption('fr');
      await home.getByRole('button', { name: 'Discuter avec nous' }).click();
      await frame.getByRole('heading', { name: 'Laisser un message' }).waitFor();
    } finally {
      await en.close();
    }
    if (errors.length) throw new Error(errors.join('; '));
  });
  } finally {
    await admin('DELETE', `/api/v1/channels/email/${mailbox.id}`);
  }
  await step('on a phone (375 px), nothing of the help centre runs off the screen, its callback form\'s window included (en, fr)', async () => {
    const phone = await browser.newContext({ locale: 'en-US', viewport: { width: 375, height: 740 }, hasTouch: true });
    const home = await phone.newPage();
    home.setDefaultTimeout(10000);
    // every element inside the viewport's width, and the page no wider than it
    const offScreen = () => home.evaluate(() => {
      const out = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''}`);
      if (document.documentElement.scrollWidth > innerWidth) out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
      return out;
    });
    try {
      await home.goto(`${url}/help/${tenant}`);
      await home.locator('#cb-to').waitFor();
      let out = await offScreen();
      if (out.length) throw new Error(`off the screen (en): ${out.join(', ')}`);
      await home.getByLabel('Language').selectOption('fr');
      await home.getByRole('button', { name: 'Demander un rappel' }).waitFor();
      out = await offScreen();
      if (out.length) throw new Error(`off the screen (fr): ${out.join(', ')}`);
    } finally {
      await phone.close();
    }
  });
  await context.close();
}
