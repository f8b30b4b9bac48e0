// The desk of issue 14 in the browser, called by run.mjs with its daemon,
// browser and helpers. An agent of phone and SMS contacts is offered a
// callback made through the API: the contact's tab shows the number as a
// tel: link, the window, the attempts and the customer's context; "No
// answer" with a note records the attempt (the API's callback is scheduled
// again) and says when it will be tried again. Then an SMS comes through a
// generic messaging channel (a signed webhook) whose provider is a fake
// HTTP server of the test: the agent's first reply shows Sent, then
// Delivered once the provider's receipt comes (read again while not
// final); a second reply, which the provider refuses, shows Failed with the
// provider's error. A reply to an email contact goes out by email from the
// brand's one sending mailbox; its server not answering, the agent sees the
// reply queued with the server's error. axe-core finds no serious or critical violation on
// these panels in English and French.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

const SECRET = 'desk14-provider-secret';

async function login(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// A provider that takes the first reply (id P-1) and refuses the others.
function fakeProvider() {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push(body);
      res.setHeader('Content-Type', 'application/json');
      if (seen.length === 1) {
        res.end(JSON.stringify({ id: 'P-1' }));
      } else {
        res.statusCode = 400;
        res.end(JSON.stringify({ message: 'unknown number' }));
      }
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, seen, url: `http://127.0.0.1:${server.address().port}/send` })));
}

// POSTs a body to a channel's webhook, signed as the generic provider signs.
async function hook(url, channel, body) {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', SECRET).update(`${ts}.${raw}`).digest('hex');
  const res = await fetch(`${url}/hooks/v1/messaging/${channel.public_key}`, {
    method: 'POST', body: raw,
    headers: { 'Content-Type': 'application/json', 'X-Guichet-Timestamp': ts, 'X-Guichet-Signature': `sha256=${sig}` },
  });
  if (!res.ok) throw new Error(`webhook: ${res.status} ${await res.text()}`);
  return res.json();
}

async function offerAndAccept(page, contactId) {
  const offer = page.locator(`.offer[data-contact="${contactId}"]`);
  await offer.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('tab', { name: `#${contactId}` }).click();
}

export async function desk14Tests({ browser, url, admin, step, accessible, password }) {
  const skill = await admin('POST', '/api/v1/skills', { name: 'desk14' });
  const phoneQueue = await admin('POST', '/api/v1/queues', { name: 'Callbacks', skill_id: skill.id, channel: 'phone' });
  const smsQueue = await admin('POST', '/api/v1/queues', { name: 'Texts', skill_id: skill.id, channel: 'sms' });
  const mailQueue = await admin('POST', '/api/v1/queues', { name: 'Mail', skill_id: skill.id, channel: 'email' });
  await admin('PUT', '/api/v1/callbacks/settings', { queue_id: phoneQueue.id, retry_after_s: 600, max_attempts: 3 });
  const agent = await admin('POST', '/api/v1/users', { email: 'desk@a.example', name: 'Dana Desk', password, role: 'agent' });
  await admin('PUT', `/api/v1/agents/${agent.id}`, { level: 1, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }],
    capacity: { phone: 1, sms: 1, email: 1 } });
  const provider = await fakeProvider();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  let callback = null;
  try {
    await step('desk14: the agent sees a callback\'s number, window, attempts and context', async () => {
      await login(page, url, 'desk@a.example', password);
      await page.getByRole('radio', { name: 'Available' }).click();
      await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
      callback = await admin('POST', '/api/v1/callbacks', { phone: '+33 6 12 34 56 78', name: 'Ana',
        context: 'The box blinks red since this morning.' });
      await offerAndAccept(page, callback.contact_id);
      const panel = page.getByRole('region', { name: 'Callback' });
      const link = panel.getByRole('link', { name: '+33612345678' });
      if ((await link.getAttribute('href')) !== 'tel:+33612345678') throw new Error('no tel: link');
      await panel.getByText('As soon as possible').waitFor();
      await panel.getByText('None yet (at most 3)').waitFor();
      await panel.locator('.cb-context', { hasText: 'The box blinks red' }).waitFor();
    });
    await step('desk14: the callback panel has no serious accessibility violation (en, fr); its tab says its number as the language does', async () => {
      await accessible(page, 'callback (en)');
      const id = callback.contact_id;
      await page.locator('p.status', { hasText: `Contact #${id} accepted` }).waitFor();
      await page.locator('h3.contact-head', { hasText: `#${id} Callback` }).waitFor();
      await page.getByRole('tab', { name: new RegExp(`^\\d+\\. #${id}$`) }).waitFor();
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('region', { name: 'Rappel' }).getByRole('button', { name: 'Faux numéro' }).waitFor();
      // what the status said, and the subject guichet gave, in the new language
      await page.locator('p.status', { hasText: `Contact n° ${id} accepté` }).waitFor();
      await page.locator('h3.contact-head', { hasText: `n° ${id} Rappel` }).waitFor();
      await page.getByRole('tab', { name: new RegExp(`^\\d+\\. n° ${id}$`) }).waitFor();
      await accessible(page, 'callback (fr)');
      await page.getByLabel('Langue').selectOption('en');
    });
    await step('desk14: "No answer" with a note is recorded and says when it is tried again', async () => {
      const panel = page.getByRole('region', { name: 'Callback' });
      await panel.getByLabel('Note (optional)').fill('rang ten times');
      await panel.getByRole('button', { name: 'No answer' }).click();
      await panel.getByRole('status').getByText(/will be tried again at/).waitFor();
      // said again in the language the agent switches to
      await page.getByLabel('Language').selectOption('fr');
      await page.locator('.cb-result', { hasText: /^Non joint : le rappel sera retenté le / }).waitFor();
      await page.getByLabel('Langue').selectOption('en');
      const stored = await admin('GET', `/api/v1/callbacks/${callback.id}`);
      if (stored.state !== 'scheduled' || stored.attempts !== 1) throw new Error(`callback is ${stored.state}, ${stored.attempts} attempts`);
      const c = await admin('GET', `/api/v1/contacts/${callback.contact_id}`);
      if (!c.messages.some((m) => m.kind === 'note' && m.body.includes('rang ten times'))) throw new Error('no note');
      await panel.getByRole('button', { name: 'Close this contact' }).click();
      await page.getByRole('tab', { name: `#${callback.contact_id}` }).waitFor({ state: 'detached' });
    });
    await step('desk14: a refusal of a callback\'s outcome is said again in the language the agent switches to', async () => {
      const cb = await admin('POST', '/api/v1/callbacks', { phone: '+33 6 55 44 33 22', context: 'Third request.' });
      await offerAndAccept(page, cb.contact_id);
      const panel = page.getByRole('region', { name: 'Callback' });
      await panel.getByRole('link', { name: '+33655443322' }).waitFor();
      // a supervisor recorded it meanwhile: the agent's panel still offers the outcomes, the server refuses
      await admin('POST', `/api/v1/callbacks/${cb.id}/outcome`, { outcome: 'reached' });
      await panel.getByRole('button', { name: 'Busy' }).click();
      await panel.getByRole('alert').getByText('Something went wrong: the callback is done, not being dialled: accept its offer first',
        { exact: true }).waitFor();
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('region', { name: 'Rappel' }).getByRole('alert')
        .getByText('Le rappel est terminé, pas en cours d’appel : acceptez d’abord son offre.', { exact: true }).waitFor();
      await page.getByLabel('Langue').selectOption('en');
      await panel.getByRole('alert').getByText(/^Something went wrong: the callback is done/).waitFor();
      await page.getByLabel('Disposition').selectOption({ label: 'Information given' });
      await page.getByRole('button', { name: 'Wrap up' }).click();
      await page.getByRole('tab', { name: `#${cb.contact_id}` }).waitFor({ state: 'detached' });
    });
    await step('desk14: "Reached" marks the callback done and the agent goes on with the call', async () => {
      const cb = await admin('POST', '/api/v1/callbacks', { phone: '+33 6 99 88 77 66', context: 'Second request.' });
      await offerAndAccept(page, cb.contact_id);
      const panel = page.getByRole('region', { name: 'Callback' });
      await panel.getByRole('link', { name: '+33699887766' }).waitFor();
      await panel.getByRole('button', { name: 'Reached' }).click();
      await panel.getByRole('status').getByText('Customer reached: go on with the call, then wrap up.').waitFor();
      const stored = await admin('GET', `/api/v1/callbacks/${cb.id}`);
      if (stored.state !== 'done' || stored.outcome !== 'reached') throw new Error(`callback is ${stored.state}`);
      if (await panel.getByRole('button', { name: 'Close this contact' }).count()) throw new Error('the contact is still the agent\'s');
      await page.getByLabel('Disposition').selectOption({ label: 'Information given' });
      await page.getByRole('button', { name: 'Wrap up' }).click();
      await page.getByRole('tab', { name: `#${cb.contact_id}` }).waitFor({ state: 'detached' });
    });
    await step('desk14: a reply to an email contact goes out by email, from the brand\'s mailbox', async () => {
      // the brand's one mailbox that sends (its servers are not reached here: the reply waits in the outbox)
      const mailbox = await admin('POST', '/api/v1/channels/email', { name: 'desk14 mail', address: 'support@a.example',
        imap_url: 'imap://127.0.0.1:9/INBOX', username: 'support', password: 'unused', smtp_url: 'smtp://127.0.0.1:9',
        queue_id: mailQueue.id });
      const customer = await admin('POST', '/api/v1/customers', { external_id: 'D14-MAIL', email: 'erin@example.net' });
      const mail = await admin('POST', '/api/v1/contacts', { channel: 'email', subject: 'Where is my parcel?',
        customer_id: customer.id, message: 'It has been a week.', queue_id: mailQueue.id });
      await offerAndAccept(page, mail.id);
      await page.getByLabel('Reply to the customer').fill('It arrives tomorrow.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.getByRole('status').getByText('Reply emailed to the customer.').waitFor();
      const replies = await admin('GET', `/api/v1/contacts/${mail.id}/email-replies`);
      const items = replies.items || [];
      if (items.length !== 1 || items[0].mailbox_id !== mailbox.id || items[0].to !== 'erin@example.net')
        throw new Error(`the outbox holds ${JSON.stringify(items)}`);
      // its server does not answer: the agent sees the reply wait, and why, before the hours of tries end
      const item = page.getByRole('region', { name: 'Delivery of your replies' }).locator('li', { hasText: 'Email of' });
      await item.locator('.dlv-error').waitFor();
      const tried = (await admin('GET', `/api/v1/contacts/${mail.id}/email-replies`)).items[0];
      if (tried.state !== 'queued' || !tried.last_error) throw new Error(`the reply is ${JSON.stringify(tried)}`);
      await item.locator('.dlv-state', { hasText: /^Queued$/ }).waitFor();
      await item.getByText(`(mail server: ${tried.last_error})`).waitFor();
      await admin('DELETE', `/api/v1/channels/email/${mailbox.id}`);
      await page.getByLabel('Disposition').selectOption({ label: 'Information given' });
      await page.getByRole('button', { name: 'Wrap up' }).click();
      await page.getByRole('tab', { name: `#${mail.id}` }).waitFor({ state: 'detached' });
    });
    let contactId = 0;
    await step('desk14: an SMS reply shows Sent, then Delivered when the receipt comes', async () => {
      const channel = await admin('POST', '/api/v1/channels/messaging', { name: 'desk14 sms', provider: 'generic',
        public_url: url, address: '+15550001111', secret: SECRET, api_url: provider.url, queue_id: smsQueue.id });
      const got = await hook(url, channel, { id: 'in-1', from: '+15551234567', text: 'Is my order shipped?' });
      contactId = got.contact_id;
      await offerAndAccept(page, contactId);
      const panel = page.getByRole('region', { name: 'Delivery of your replies' });
      await panel.getByText('No reply sent yet.').waitFor();
      await page.getByLabel('Reply to the customer').fill('Yes, it left yesterday.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      const item = panel.locator('li', { hasText: 'Yes, it left yesterday.' });
      await item.locator('.dlv-state', { hasText: /^Sent$/ }).waitFor();
      await hook(url, channel, { type: 'receipt', id: 'P-1', status: 'delivered' });
      await item.locator('.dlv-state', { hasText: /^Delivered$/ }).waitFor(); // read again within a few seconds
    });
    await step('desk14: a reply the provider refuses shows Failed with its error', async () => {
      await page.getByLabel('Reply to the customer').fill('And a second one.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      const item = page.getByRole('region', { name: 'Delivery of your replies' }).locator('li', { hasText: 'And a second one.' });
      await item.locator('.dlv-state', { hasText: /^Failed$/ }).waitFor();
      const { items } = await admin('GET', `/api/v1/contacts/${contactId}/messaging`);
      const failed = items.find((m) => m.direction === 'outbound' && m.state === 'failed');
      if (!failed?.last_error) throw new Error('no failed message in the API');
      await item.getByText(`(provider: ${failed.last_error})`).waitFor();
    });
    await step('desk14: the delivery panel has no serious accessibility violation (en, fr)', async () => {
      await accessible(page, 'delivery (en)');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('region', { name: 'Remise de vos réponses' }).getByText('Échec').waitFor();
      await accessible(page, 'delivery (fr)');
      await page.getByLabel('Langue').selectOption('en');
    });
  } finally {
    await context.close();
    provider.server.close();
  }
  await incidentTests({ browser, url, admin, step, accessible, password });
  await channelTests({ browser, url, admin, step, accessible, password });
}

// The console's channels tab, as the tenant admin: a chat channel (an
// origin refused at its field, then the key, the snippet and the secret
// once; a new secret on rotation), an SMS channel and its webhook_url, the
// help centre's settings and the callback settings (a value out of range
// refused at its field).
async function channelTests({ browser, url, admin, step, accessible, password }) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  try {
    await step('desk14: a chat channel is made from the console, with its snippet and its secret shown once', async () => {
      const skill = await admin('POST', '/api/v1/skills', { name: 'site chat' });
      await admin('POST', '/api/v1/queues', { name: 'Site chat', skill_id: skill.id, channel: 'chat' });
      await login(page, url, 'admin@a.example', password);
      await page.getByRole('tab', { name: 'Channels', exact: true }).click();
      await page.getByRole('heading', { name: 'New web chat channel' }).waitFor();
      await page.locator('form:has(#chn-chat-title)').getByLabel('Name', { exact: true }).fill('Site'); // the chat's form (the mailboxes' has a Name too)
      await page.locator('#chat-queue').selectOption({ label: 'Site chat' });
      await page.getByLabel('Sites allowed (origins)').fill('ftp://shop.example');
      await page.getByLabel('Ask the visitor’s email').selectOption('required');
      await page.getByRole('button', { name: 'Create the chat channel' }).click();
      await page.locator('#chat-origins-err').waitFor();
      await page.getByLabel('Sites allowed (origins)').fill('https://shop.example');
      await page.getByRole('button', { name: 'Create the chat channel' }).click();
      await page.getByRole('status').getByText('Channel Site created.').waitFor();
      const secret = await page.locator('#chn-secret').inputValue();
      if (!/^[0-9a-f]{64}$/.test(secret)) throw new Error(`secret ${secret}`);
      const { items } = await admin('GET', '/api/v1/channels/chat');
      const made = items.find((c) => c.name === 'Site');
      if (made?.prechat?.email !== 'required' || made.origins[0] !== 'https://shop.example') throw new Error(JSON.stringify(made));
      const tag = await page.getByLabel('Tag to put in the pages of the site (Site)').inputValue();
      if (tag !== `<script src="${url}/chat/v1/${made.key}/launcher.js" async></script>`) throw new Error(tag);
      await page.getByRole('button', { name: 'New secret (Site)' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'New secret' }).click();
      await page.getByRole('status').getByText('New secret for Site.').waitFor();
      const again = await page.locator('#chn-secret').inputValue();
      if (again === secret || !/^[0-9a-f]{64}$/.test(again)) throw new Error('the secret did not change');
    });
    await step('desk14: an SMS channel is made from the console and shows its webhook address', async () => {
      await page.locator('form:has(#chn-msg-title)').getByLabel('Name', { exact: true }).fill('Texts B');
      await page.getByLabel('Provider', { exact: true }).selectOption('generic');
      await page.getByLabel('Our number or account').fill('+15550002222');
      await page.getByLabel(/^Provider secret/).fill('another secret');
      await page.getByLabel(/^Provider API address/).fill('http://127.0.0.1:9/send');
      await page.getByRole('button', { name: 'Create the channel' }).click();
      await page.getByRole('status').getByText('Channel Texts B created.').waitFor();
      const { items } = await admin('GET', '/api/v1/channels/messaging');
      const made = items.find((c) => c.name === 'Texts B');
      const hook = await page.getByLabel('Webhook address to give the provider (Texts B)').inputValue();
      if (!made || hook !== made.webhook_url || !hook.startsWith(`${url}/hooks/v1/messaging/`)) throw new Error(hook);
    });
    await step('desk14: the chat and SMS channels are edited from the console, the API\'s refusal at its field', async () => {
      await page.getByRole('button', { name: 'Edit (Site)' }).click();
      await page.getByRole('heading', { name: 'Edit the web chat channel Site' }).waitFor();
      if (await page.getByLabel('Sites allowed (origins)').inputValue() !== 'https://shop.example') throw new Error('origins not loaded');
      await page.getByLabel('Sites allowed (origins)').fill('https://shop.example\nhttps://www.shop.example');
      await page.getByLabel('Largest attachment (MB)').fill('30');
      await page.getByLabel('Attachments per chat').fill('4');
      await page.getByLabel('Text files').uncheck();
      await page.getByRole('button', { name: 'Save the changes' }).first().click();
      await page.locator('#chat-fmax-err').waitFor();
      await page.getByLabel('Largest attachment (MB)').fill('2');
      await page.getByRole('button', { name: 'Save the changes' }).first().click();
      await page.getByRole('status').getByText('Channel Site saved.').waitFor();
      await page.getByRole('heading', { name: 'New web chat channel' }).waitFor();
      const chats = (await admin('GET', '/api/v1/channels/chat')).items;
      const site = chats.find((c) => c.name === 'Site');
      if (site.origins.length !== 2 || site.prechat.email !== 'required' || site.attachments.max_bytes !== 2 * 1048576
        || site.attachments.per_chat !== 4 || site.attachments.types.includes('text/plain')) throw new Error(JSON.stringify(site));
      await page.getByRole('button', { name: 'Edit (Texts B)' }).click();
      await page.getByRole('heading', { name: 'Edit the channel Texts B' }).waitFor();
      await page.locator('form:has(#chn-msg-title)').getByLabel('Name', { exact: true }).fill('Texts B2');
      await page.getByLabel('Our number or account').fill('+15550003333');
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await page.getByRole('status').getByText('Channel Texts B2 saved.').waitFor();
      const texts = (await admin('GET', '/api/v1/channels/messaging')).items.find((c) => c.name === 'Texts B2');
      if (!texts || texts.address !== '+15550003333' || texts.provider !== 'generic') throw new Error(JSON.stringify(texts));
    });
    await step('desk14: the help centre and the callback settings are saved from the console', async () => {
      const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
      const link = page.getByRole('link', { name: 'Open the help centre (new tab)' });
      if ((await link.getAttribute('href')) !== `/help/${me.tenant_id}`) throw new Error('no link to the help centre');
      await page.getByLabel('The help centre is open to the public').check();
      await page.getByLabel('Page title').fill('Brand A help');
      await page.getByLabel('Web chat on the page').selectOption({ label: 'Site' });
      await page.getByLabel('Offer the callback form').check();
      await page.getByRole('button', { name: 'Save the help centre' }).click();
      await page.getByRole('status').getByText('Help centre saved.').waitFor();
      const portal = await admin('GET', '/api/v1/portal');
      if (!portal.enabled || portal.title !== 'Brand A help' || !portal.callback || !portal.chat_key) throw new Error(JSON.stringify(portal));
      await page.getByLabel('Seconds before trying again').fill('0');
      await page.getByRole('button', { name: 'Save the callback settings' }).click();
      await page.locator('#cbs-retry-err').waitFor();
      await page.getByLabel('Seconds before trying again').fill('1200');
      await page.getByLabel('Attempts at most').fill('4');
      await page.getByRole('button', { name: 'Save the callback settings' }).click();
      await page.getByRole('status').getByText('Callback settings saved.').waitFor();
      const settings = await admin('GET', '/api/v1/callbacks/settings');
      if (settings.retry_after_s !== 1200 || settings.max_attempts !== 4 || !settings.queue_id) throw new Error(JSON.stringify(settings));
    });
    await step('desk14: the channels tab has no serious accessibility violation (en, fr)', async () => {
      await accessible(page, 'channels (en)');
      await page.getByLabel('Language', { exact: true }).selectOption('fr');
      await page.getByRole('heading', { name: 'Nouveau canal de chat web' }).waitFor();
      await accessible(page, 'channels (fr)');
      await page.getByLabel('Langue', { exact: true }).selectOption('en');
    });
  } finally {
    await context.close();
  }
}

// The supervisor's incidents: the API's field errors at their fields, a
// creation published at once, an unpublished one published from the list,
// end, remove after a confirmation, the ended ones on demand.
async function incidentTests({ browser, url, admin, step, accessible, password }) {
  await admin('POST', '/api/v1/users', { email: 'floor@a.example', name: 'Flo Floor', password, role: 'supervisor' });
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const item = (title) => page.locator('li.inc', { has: page.getByRole('heading', { name: title, exact: true }) });
  try {
    await step('desk14: the supervisor\'s incidents show the API\'s errors at their fields', async () => {
      await login(page, url, 'floor@a.example', password);
      await page.getByRole('tab', { name: 'Wallboard' }).focus(); // the keyboard reaches the tab
      await page.keyboard.press('End'); // the last tab (the callbacks), then back to Incidents
      if ((await page.getByRole('tab', { name: 'Callbacks' }).getAttribute('aria-selected')) !== 'true') throw new Error('End did not open the last tab');
      for (const name of ['Voice of the customer', 'Reasons', 'Gestures', 'Incidents']) {
        await page.keyboard.press('ArrowLeft');
        if ((await page.getByRole('tab', { name }).getAttribute('aria-selected')) !== 'true') throw new Error(`ArrowLeft did not open ${name}`);
      }
      if (!(await page.getByRole('tab', { name: 'Incidents' }).evaluate((e) => e === document.activeElement))) throw new Error('focus');
      await page.getByRole('heading', { name: 'Current incidents and announcements' }).waitFor();
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      const title = page.getByLabel('Title', { exact: true });
      await page.locator('#inc-title-err').waitFor();
      if ((await title.getAttribute('aria-invalid')) !== 'true') throw new Error('title not marked');
      if (!(await title.evaluate((el) => el === document.activeElement))) throw new Error('focus is not on the title');
      await title.fill('Fibre outage');
      await page.getByLabel('Expected end').fill('2020-01-01T10:00');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.locator('#inc-end-err', { hasText: 'expected_end_at' }).waitFor();
    });
    await step('desk14: the supervisor creates, publishes, ends and removes incidents', async () => {
      const later = new Date(Date.now() + 3 * 3600e3);
      const local = new Date(later.getTime() - later.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
      await page.getByLabel('Expected end').fill(local);
      await page.getByLabel('Text for customers').fill('Lines in Lyon are down.');
      await page.getByLabel('Area affected').fill('Lyon');
      await page.getByLabel('Severity').selectOption('critical');
      await page.getByLabel(/^Keywords/).fill('fibre lyon\n\n  panne internet ');
      await page.getByLabel(/^Publish now/).check();
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('status').getByText('"Fibre outage" created.').waitFor();
      await item('Fibre outage').getByText(/Critical · Lyon · Published · expected end/).waitFor();
      const { items } = await admin('GET', '/api/v1/incidents');
      const made = items.find((i) => i.title === 'Fibre outage');
      if (!made?.published || made.severity !== 'critical' || !made.expected_end_at) throw new Error(JSON.stringify(made));
      if (JSON.stringify(made.keywords) !== '["fibre lyon","panne internet"]') throw new Error(JSON.stringify(made.keywords));
      await page.getByLabel('Kind').selectOption('announcement');
      if (await page.getByLabel('Severity').count()) throw new Error('an announcement has no severity');
      if (await page.getByLabel(/^Keywords/).count()) throw new Error('an announcement has no keywords');
      await page.getByLabel('Title', { exact: true }).fill('New opening hours');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await item('New opening hours').getByText('Not published').waitFor();
      await page.getByRole('button', { name: 'Publish "New opening hours"' }).click();
      await page.getByRole('status').getByText('"New opening hours" published.').waitFor();
      await item('New opening hours').getByText(/Published/).waitFor();
      await page.getByRole('button', { name: 'End "Fibre outage"' }).click();
      await page.getByRole('status').getByText('"Fibre outage" ended.').waitFor();
      await item('Fibre outage').waitFor({ state: 'detached' });
      await page.getByLabel('Show the ended ones too').check();
      await item('Fibre outage').getByText(/ended /).waitFor();
      await page.getByRole('button', { name: 'Remove "New opening hours"' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('status').getByText('"New opening hours" removed.').waitFor();
      await item('New opening hours').waitFor({ state: 'detached' });
      const after = await admin('GET', '/api/v1/incidents?all=1');
      if (after.items.some((i) => i.title === 'New opening hours')) throw new Error('not removed');
      if (!after.items.find((i) => i.title === 'Fibre outage')?.ended_at) throw new Error('not ended');
    });
    await step('desk14: the incidents tab has no serious accessibility violation (en, fr)', async () => {
      await accessible(page, 'incidents (en)');
      await page.getByLabel('Language', { exact: true }).selectOption('fr');
      await page.getByRole('heading', { name: 'Tous les incidents et annonces, terminés compris' }).waitFor();
      await accessible(page, 'incidents (fr)');
      await page.getByLabel('Langue', { exact: true }).selectOption('en');
    });
  } finally {
    await context.close();
  }
}
