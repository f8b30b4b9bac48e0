// The web chat in the browser, against guichetd only (run.mjs's daemon and
// browser): no copy of the API, no answer made up by the test. The brand's
// page is served by a tiny server of this test on ANOTHER origin than
// guichetd (http://localhost:PORT; the same server seen as
// http://127.0.0.1:PORT is an origin the channel does not know), with a
// hostile stylesheet (every button hidden) the launcher must survive.
//
// Set up through the API: a chat channel with the host's origin on a queue
// served by an agent (open), another on a queue nobody serves (closed, with
// the offline ways), the tenant's callback queue. The visitor is the built
// widget (web/dist/chat/, served by guichetd under the channel's key); the
// agent is the real desktop, signed in and available.
//
// Checked: the launcher's button, where it belongs, keyboard reachable;
// the brand's identity (a real HMAC-SHA256 of the customer id under the
// channel's secret) makes a verified chat that an anonymous visitor, or one
// with a forged hmac, cannot see; typing both ways; read marks both ways;
// offline, each side writes and every message is there once on both sides
// (the visitor's stream resuming after the last id); the unread count on
// the closed button; a reload on either side keeps the conversation; a page
// of an origin the channel does not list cannot frame it; the end, the
// rating kept on the contact's "chat" object; the tenant's current incident
// above the closed channel's forms, in both languages; the closed forms,
// with guichetd's own 400 at its field, a message left, and a callback that
// the staff then see through GET /api/v1/callbacks; axe-core finds no
// serious or critical violation in English and French on the prechat form,
// the conversation, the ended state, the closed forms and the desktop;
// guichetd's refusals (an address, no mailbox for the transcript) said in
// French on a French page; half a callback window refused at its field, a
// window said as such (no place in line), a second request for a number
// answered with the first one's window; a channel closed because nobody
// serves it, with no calendar, never sends the visitor back to opening
// hours; without a mailbox to answer by email, no message is offered. The focus follows the visitor:
// to the message field after "Start the chat", to the ended heading after
// "End the chat", to the form's first field after "Start a new chat".
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

const TIMEOUT = 10000;
const hmacOf = (secret, id) => createHmac('sha256', secret).update(id).digest('hex');

// The brand's site: /shop?src=<the launcher's URL>&lang=en|fr[&customer=<id>&hmac=<hex>]
function hostPage(src, lang, customer, hmac) {
  const esc = (s) => s.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8"><title>Widget shop</title>
<style>button, iframe { display: none !important; background: red !important; } guichet-chat { display: none !important; }</style>
</head><body><main><h1>Widget shop</h1><p>Our parcels.</p></main>
${customer ? `<script>window.guichetChat = { customer: { id: ${JSON.stringify(customer)}, hmac: ${JSON.stringify(hmac)} } };</script>` : ''}
<script src="${esc(src)}" async></script></body></html>`;
}

async function hostServer() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname !== '/shop') { res.writeHead(404); res.end(); return; }
    // the inline script is the brand's: this page's CSP is its own business
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    const q = (k, re) => (re.test(url.searchParams.get(k) || '') ? url.searchParams.get(k) : null);
    res.end(hostPage(url.searchParams.get('src') || '', q('lang', /^(en|fr)$/) || 'en', q('customer', /^[\w-]{1,40}$/),
      q('hmac', /^[0-9a-f]{1,64}$/) || ''));
  });
  // both stacks when it can: 'localhost' may be ::1 to the browser
  await new Promise((ok, fail) => {
    server.once('error', () => server.listen(0, '127.0.0.1', ok));
    server.listen({ port: 0, host: '::', ipv6Only: false }, ok);
    setTimeout(() => fail(new Error('host server')), 5000);
  });
  const port = server.address().port;
  return { origin: `http://localhost:${port}`, other: `http://127.0.0.1:${port}`, stop: () => new Promise((ok) => server.close(ok)) };
}

const shop = (origin, launcher, lang = 'en', customer = null) =>
  `${origin}/shop?src=${encodeURIComponent(launcher)}&lang=${lang}${customer ? `&customer=${customer.id}&hmac=${customer.hmac}` : ''}`;

async function newPage(browser, errors) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  watch(page, errors);
  return { context, page };
}
// a refused request is judged by its step; anything else said in red is an error (a CSP refusal...)
function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()));
}

const frameOf = (page) => page.frameLocator('iframe#guichet-chat-frame');

// the texts of the frame's log, each message once
async function once(frame, text) {
  await frame.locator('[role="log"] li .body', { hasText: text }).first().waitFor();
  const n = (await frame.locator('[role="log"] li .body').allTextContents()).filter((b) => b === text).length;
  if (n !== 1) throw new Error(`"${text}" shown ${n} times in the widget`);
}

// The focus in the frame is on selector, waited for: it moves after a render.
async function focusOn(frame, selector, what) {
  const el = frame.locator(selector);
  for (let i = 0; i < 50; i += 1) {
    if (await el.evaluate((e) => e === document.activeElement && document.hasFocus()).catch(() => false)) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const at = await frame.locator('body').evaluate(() => `${document.activeElement?.tagName}#${document.activeElement?.id}`);
  throw new Error(`the focus is not on ${what} but on ${at}`);
}

// What the test needs in guichetd, made through the API.
async function streamText(stream) {
  const parts = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

async function setUp(admin, host, password) {
  const me = await admin('GET', '/api/v1/me');
  const skill = await admin('POST', '/api/v1/skills', { name: 'widget-chat' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Widget chat', skill_id: skill.id, channel: 'chat', offer_timeout_s: 60 });
  const agent = await admin('POST', '/api/v1/users', { email: 'widget.agent@a.example', name: 'Wanda Widget', password, role: 'agent' });
  await admin('PUT', `/api/v1/agents/${agent.id}`, { level: 1, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }], capacity: { chat: 2 } });
  const channel = await admin('POST', '/api/v1/channels/chat', { name: 'Widget test chat', queue_id: queue.id, origins: [host.origin],
    prechat: { name: 'optional', email: 'off', topics: [] }, offline: { message: true, callback: true } });
  // closed: its queue's skill is nobody's
  const nobody = await admin('POST', '/api/v1/skills', { name: 'widget-nobody' });
  const empty = await admin('POST', '/api/v1/queues', { name: 'Widget nobody', skill_id: nobody.id, channel: 'chat' });
  const closed = await admin('POST', '/api/v1/channels/chat', { name: 'Widget closed chat', queue_id: empty.id, origins: [host.origin],
    offline: { message: true, callback: true } });
  // closed with the defaults: no offline way
  const bare = await admin('POST', '/api/v1/channels/chat', { name: 'Widget bare chat', queue_id: empty.id, origins: [host.origin] });
  const phones = await admin('POST', '/api/v1/queues', { name: 'Widget callbacks', skill_id: nobody.id, channel: 'phone' });
  await admin('PUT', '/api/v1/callbacks/settings', { queue_id: phones.id, retry_after_s: 900, max_attempts: 3 });
  return { tenant: me.tenant_id, channel, closed, bare, nobody };
}

export async function chatTests({ browser, url, admin, step, accessible, password }) {
  const host = await hostServer();
  const errors = [];
  try {
    const setup = await setUp(admin, host, password);
    await conversation({ browser, url, admin, step, accessible, password }, host, setup, errors);
    // a message left is answered by email: offered only while a mailbox sends the brand's mail
    // (its servers are not reached here)
    const mailQueue = await admin('POST', '/api/v1/queues', { name: 'Widget mail', skill_id: setup.nobody.id, channel: 'email' });
    const mailbox = await admin('POST', '/api/v1/channels/email', { name: 'widget mail', address: 'shop@a.example',
      imap_url: 'imap://127.0.0.1:9/INBOX', username: 'shop', password: 'unused', smtp_url: 'smtp://127.0.0.1:9',
      queue_id: mailQueue.id });
    try {
      await closedChannel({ browser, url, admin, step, accessible }, host, setup, errors);
      await agentGone({ browser, url, admin, step, accessible, password }, host, errors);
    } finally {
      await admin('DELETE', `/api/v1/channels/email/${mailbox.id}`);
    }
    await withoutMailbox({ browser, url, step }, host, setup, errors);
    await step('chat: no script error in the widget or the desktop', async () => {
      if (errors.length) throw new Error(errors.join('\n'));
    });
  } finally {
    await host.stop();
  }
}

async function conversation({ browser, url, admin, step, accessible, password }, host, { channel }, errors) {
  const launcher = `${url}/chat/v1/${channel.key}/launcher.js`;
  const customer = { id: 'ext-42', hmac: hmacOf(channel.secret, 'ext-42') };
  const visitor = await newPage(browser, errors);
  const desk = await newPage(browser, errors);
  const frame = frameOf(visitor.page);
  const { page } = desk;
  const streams = []; // the visitor's stream requests
  visitor.page.on('request', (r) => { if (/\/chats\/\d+\/stream\?/.test(r.url())) streams.push(r.url()); });
  let contactId = 0;
  const panel = () => page.locator(`#panel-${contactId}`);
  const deskOnce = async (text) => {
    await panel().locator('[role="log"] li', { hasText: text }).first().waitFor();
    const n = await panel().locator('[role="log"] li', { hasText: text }).count();
    if (n !== 1) throw new Error(`"${text}" shown ${n} times on the desktop`);
  };
  const bothOnce = async (texts) => { for (const text of texts) { await once(frame, text); await deskOnce(text); } };
  try {
    if (!await step('chat: the launcher\'s button, bottom right despite the host\'s CSS, opens the frame from the keyboard', async () => {
      await page.goto(url);
      await page.getByLabel('Email').fill('widget.agent@a.example');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('radio', { name: 'Available' }).click();
      await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
      await visitor.page.goto(shop(host.origin, launcher, 'en', customer));
      const button = visitor.page.getByRole('button', { name: 'Chat with us' });
      await button.waitFor();
      const box = await button.boundingBox();
      if (!box || box.x + box.width < 1200 || box.y + box.height < 650) throw new Error(`the button is at ${JSON.stringify(box)}`);
      await visitor.page.keyboard.press('Tab');
      if (!(await visitor.page.evaluate(() => document.activeElement?.tagName === 'GUICHET-CHAT'))) throw new Error('Tab does not reach the button');
      await visitor.page.keyboard.press('Enter');
      await frame.getByLabel('Your question').waitFor();
      await visitor.page.waitForFunction(() => document.activeElement?.shadowRoot?.activeElement?.tagName === 'IFRAME');
      if ((await visitor.page.getByRole('button', { name: 'Close the chat' }).getAttribute('aria-expanded')) !== 'true')
        throw new Error('aria-expanded is not true');
      await accessible(visitor.page, 'chat prechat (en)');
    })) return;
    if (!await step('chat: the brand\'s customer starts a verified chat, the agent accepts it on the desktop', async () => {
      await frame.getByLabel('Your name (optional)').fill('Vera');
      await frame.getByLabel('Your question').fill('Where is my parcel?');
      await frame.getByRole('button', { name: 'Start the chat' }).click();
      await once(frame, 'Where is my parcel?');
      await focusOn(frame, '#reply', 'the message field');
      const offer = page.locator('.offer[data-contact]').first();
      await offer.waitFor({ timeout: 30000 });
      contactId = Number(await offer.getAttribute('data-contact'));
      await offer.getByRole('button', { name: 'Accept' }).click();
      await page.getByRole('tab', { name: `#${contactId}` }).waitFor();
      await deskOnce('Where is my parcel?');
      await frame.getByText('You are chatting with Wanda.').waitFor();
      const contact = await admin('GET', `/api/v1/contacts/${contactId}`);
      if (!contact.chat || contact.chat.verified !== true || contact.chat.channel_id !== channel.id)
        throw new Error(`the contact's chat: ${JSON.stringify(contact.chat)}`);
      const who = await admin('GET', `/api/v1/customers/${contact.customer_id}`);
      if (who.external_id !== 'ext-42') throw new Error(`the chat's customer is ${JSON.stringify(who)}`);
    })) return;
    await step('chat: an anonymous visitor, or one with a forged hmac, does not see the verified customer\'s chat', async () => {
      const other = await newPage(browser, errors);
      try {
        for (const who of [null, { id: 'ext-42', hmac: '0'.repeat(64) }]) {
          const p = await other.context.newPage();
          p.setDefaultTimeout(TIMEOUT);
          await p.goto(shop(host.origin, launcher, 'en', who));
          await p.getByRole('button', { name: 'Chat with us' }).click();
          await frameOf(p).getByLabel('Your question').waitFor(); // a new chat to start, not the customer's
          if (await frameOf(p).getByText('Where is my parcel?').count()) throw new Error('the stranger sees the chat');
          await p.close();
        }
      } finally {
        await other.context.close();
      }
    });
    if (!await step('chat: each sees the other typing, then the message, once; read marks both ways', async () => {
      await panel().getByLabel('Reply to the customer').pressSequentially('Hel', { delay: 30 });
      await frame.getByText('Wanda is typing…').waitFor();
      await panel().getByLabel('Reply to the customer').fill('Hello, I am looking.');
      await panel().getByRole('button', { name: 'Send reply', exact: true }).click();
      await once(frame, 'Hello, I am looking.');
      await frame.getByText('Wanda is typing…').waitFor({ state: 'detached' });
      await frame.getByLabel('Your message').pressSequentially('Th', { delay: 30 });
      await panel().getByText('The visitor is typing…').waitFor();
      await frame.getByLabel('Your message').fill('Thank you');
      await frame.getByLabel('Your message').press('Enter');
      await deskOnce('Thank you');
      await panel().getByText('The visitor is typing…').waitFor({ state: 'detached' });
      // the visitor read the agent's message; the agent read the visitor's
      await panel().locator('li.outbound', { hasText: 'Hello, I am looking.' }).locator('.chat-read').waitFor();
      await frame.locator('li.inbound', { hasText: 'Thank you' }).locator('.mark', { hasText: 'Read' }).waitFor();
      await accessible(page, 'chat desktop (en)');
      await page.locator('h3.contact-head', { hasText: 'Chat with Vera' }).waitFor();
      await page.getByLabel('Language').selectOption('fr');
      await panel().getByText('Lu').first().waitFor();
      // the subject guichet gave the chat, in the page's language
      await page.locator('h3.contact-head', { hasText: 'Chat avec Vera' }).waitFor();
      await accessible(page, 'chat desktop (fr)');
      await page.getByLabel('Langue').selectOption('en');
    })) return;
    if (!await step('chat: the visitor offline, both write; back online each message once on both sides, the stream resumed', async () => {
      await visitor.context.setOffline(true);
      await frame.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
      const before = streams.length;
      await panel().getByLabel('Reply to the customer').fill('Found it, it comes tomorrow.');
      await panel().getByRole('button', { name: 'Send reply', exact: true }).click();
      await deskOnce('Found it, it comes tomorrow.');
      await frame.getByLabel('Your message').fill('Great, and the invoice?');
      await frame.getByLabel('Your message').press('Enter');
      await frame.locator('li.pending', { hasText: 'Offline, will send when back' }).waitFor();
      await visitor.page.waitForTimeout(500);
      await visitor.context.setOffline(false);
      await bothOnce(['Found it, it comes tomorrow.', 'Great, and the invoice?']);
      await frame.locator('li.pending').waitFor({ state: 'detached' });
      const stored = await admin('GET', `/api/v1/contacts/${contactId}`);
      const n = stored.messages.filter((m) => m.body === 'Great, and the invoice?').length;
      if (n !== 1) throw new Error(`stored ${n} times`);
      if (!streams.slice(before).some((u) => Number(new URL(u).searchParams.get('after')) > 0))
        throw new Error(`the stream did not resume after the last message: ${streams.slice(before).join(' ')}`);
    })) return;
    if (!await step('chat: closed, the launcher\'s button counts the unread messages', async () => {
      await visitor.page.getByRole('button', { name: 'Close the chat' }).click();
      await panel().getByLabel('Reply to the customer').fill('The invoice is in your account.');
      await panel().getByRole('button', { name: 'Send reply', exact: true }).click();
      await visitor.page.getByRole('button', { name: 'Chat with us (1 unread message)' }).waitFor();
      await visitor.page.getByRole('button', { name: /Chat with us/ }).click();
      await once(frame, 'The invoice is in your account.');
      await visitor.page.getByRole('button', { name: 'Close the chat' }).waitFor();
    })) return;
    if (!await step('chat: a reload on either side keeps the conversation, each message once', async () => {
      await visitor.page.reload();
      await page.reload();
      await bothOnce(['Where is my parcel?', 'Hello, I am looking.', 'Thank you', 'Found it, it comes tomorrow.',
        'Great, and the invoice?', 'The invoice is in your account.']);
      await frame.getByLabel('Your message').fill('Thanks');
      await frame.getByRole('button', { name: 'Send' }).click();
      await bothOnce(['Thanks']);
      await accessible(visitor.page, 'chat conversation (en)');
    })) return;
    if (!await step('chat: the visitor attaches a file, the agent sees and downloads it, the visitor too; an executable named .png is refused', async () => {
      const text = 'parcel receipt 42\n';
      await frame.getByLabel('Attach a file').setInputFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
      await frame.getByRole('button', { name: 'Download receipt.txt' }).waitFor();
      const link = panel().getByRole('link', { name: 'Download receipt.txt' });
      await link.waitFor();
      const [got] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const agentCopy = await streamText(await got.createReadStream());
      if (agentCopy !== text) throw new Error(`the agent downloaded ${JSON.stringify(agentCopy)}`);
      const [mine] = await Promise.all([visitor.page.waitForEvent('download'),
        frame.getByRole('button', { name: 'Download receipt.txt' }).click()]);
      if (mine.suggestedFilename() !== 'receipt.txt' || await streamText(await mine.createReadStream()) !== text)
        throw new Error(`the visitor downloaded ${mine.suggestedFilename()}`);
      await frame.getByLabel('Attach a file').setInputFiles({ name: 'holiday.png', mimeType: 'image/png',
        buffer: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0]) });
      await frame.getByRole('alert').filter({ hasText: 'This type of file cannot be sent here' }).waitFor();
      await accessible(visitor.page, 'chat with a file (en)');
    })) return;
    await step('chat: a page of an origin the channel does not list cannot frame the widget', async () => {
      const other = await visitor.context.newPage(); // unwatched: its CSP refusal is the point
      other.setDefaultTimeout(TIMEOUT);
      const framed = other.waitForResponse((r) => r.url().includes(`/chat/v1/${channel.key}/frame`));
      await other.goto(shop(host.other, launcher));
      await other.getByRole('button', { name: 'Chat with us' }).click();
      const csp = (await (await framed).allHeaders())['content-security-policy'] || '';
      if (!csp.includes(`frame-ancestors 'self' ${host.origin}`)) throw new Error(`the frame's CSP: ${csp}`);
      await other.waitForTimeout(1000);
      for (const f of other.frames())
        if (f !== other.mainFrame() && (await f.locator('#chat *').count().catch(() => 0)) > 0) throw new Error('the frame was let in');
      await other.close();
    });
    await step('chat: the visitor ends the chat, the agent sees it; the transcript\'s refusal at its field; the rating is on the contact', async () => {
      await frame.getByRole('button', { name: 'End the chat' }).click();
      await frame.getByRole('heading', { name: 'How did we do?' }).waitFor();
      await focusOn(frame, '#ended-title', 'the heading "The chat has ended."');
      await panel().getByText('The chat has ended.').waitFor();
      await accessible(visitor.page, 'chat ended (en)');
      // no mailbox sends this tenant's mail: guichetd's 422 shows at the email
      await frame.getByLabel('Your email').fill('vera@example.net');
      const asked = visitor.page.waitForRequest((q) => /\/chats\/\d+\/transcript$/.test(q.url()));
      await frame.getByRole('button', { name: 'Send the transcript' }).click();
      const lang = (await asked).postDataJSON().lang; // the transcript is written in the page's language
      if (lang !== 'en') throw new Error(`the transcript asked in ${lang}`);
      await frame.locator('#transcript-email[aria-invalid="true"]').waitFor();
      await frame.locator('#transcript-email-error').waitFor();
      await frame.getByRole('radio', { name: '5' }).check();
      await frame.getByLabel('Comment (optional)').fill('Fast and kind');
      await frame.getByRole('button', { name: 'Send the rating' }).click();
      await frame.getByText('Thank you for your rating.').waitFor();
      const { chat } = await admin('GET', `/api/v1/contacts/${contactId}`);
      if (!chat?.rating || chat.rating.score !== 5 || chat.rating.comment !== 'Fast and kind' || !chat.ended_at)
        throw new Error(`the contact's chat: ${JSON.stringify(chat)}`);
    });
    await step('chat: in French, the prechat form, the conversation and the ended state have no serious accessibility violation', async () => {
      const fr = await visitor.context.newPage();
      fr.setDefaultTimeout(TIMEOUT);
      watch(fr, errors);
      await fr.goto(shop(host.origin, launcher, 'fr'));
      await fr.getByRole('button', { name: 'Discuter avec nous' }).click();
      const f = frameOf(fr);
      await f.getByLabel('Votre question').waitFor();
      await accessible(fr, 'chat prechat (fr)');
      await f.getByLabel('Votre question').fill('Bonjour');
      await f.getByRole('button', { name: 'Commencer la discussion' }).click();
      await once(f, 'Bonjour');
      await accessible(fr, 'chat conversation (fr)');
      await f.getByRole('button', { name: 'Terminer la discussion' }).click();
      await f.getByRole('button', { name: 'Nouvelle discussion' }).waitFor();
      // no agent answered: no transcript is offered (guichetd would refuse it)
      await f.getByRole('heading', { name: 'Votre avis sur cette discussion' }).waitFor();
      if (await f.getByRole('button', { name: 'Envoyer la transcription' }).count())
        throw new Error('a transcript is offered for a chat no agent answered');
      await accessible(fr, 'chat ended (fr)');
      await f.getByRole('button', { name: 'Nouvelle discussion' }).click();
      await focusOn(f, '#pre-name', 'the new chat\'s first field');
      await fr.close();
    });
  } finally {
    await visitor.context.close();
    await desk.context.close();
  }
}

// The closed channel: nobody serves its queue. Its forms in both languages,
// a message left after guichetd refused the first address, a callback.
async function closedChannel({ browser, url, admin, step, accessible }, host, { closed, bare }, errors) {
  const launcher = `${url}/chat/v1/${closed.key}/launcher.js`;
  const { context, page } = await newPage(browser, errors);
  const frame = frameOf(page);
  await step('chat closed: with no calendar and nobody serving, the widget says nobody is available, never "opening hours"', async () => {
    const bareLauncher = `${url}/chat/v1/${bare.key}/launcher.js`;
    for (const [lang, button, said, later] of [
      ['en', 'Chat with us', 'No one is available to chat right now.', 'Please try again in a little while.'],
      ['fr', 'Discuter avec nous', 'Personne n’est disponible pour discuter pour le moment.', 'Réessayez un peu plus tard.']]) {
      await page.goto(shop(host.origin, bareLauncher, lang));
      await page.getByRole('button', { name: button }).click();
      await frame.getByRole('status').filter({ hasText: said }).waitFor();
      await frame.getByText(later).waitFor();
      const text = await frame.locator('.offline').textContent();
      if (/opening hours|heures d’ouverture/.test(text)) throw new Error(`said: ${text}`);
    }
    // "Check again" still finds nobody: the status says it checked, so the button visibly did something
    await frame.getByRole('button', { name: 'Vérifier à nouveau' }).click();
    await frame.getByRole('status').filter({ hasText: /Vérifié à nouveau à \d\d:\d\d\./ }).waitFor();
  });
  // the tenant's current incident, shown above the forms (ended below)
  const incident = await admin('POST', '/api/v1/incidents', { kind: 'incident', title: 'Parcel tracking is down',
    body: 'Deliveries go on; tracking is back tonight.', published: true });
  try {
    await step('chat closed: the message left and the callback forms (en, fr) have no serious accessibility violation', async () => {
      await page.goto(shop(host.origin, launcher, 'fr'));
      await page.getByRole('button', { name: 'Discuter avec nous' }).click();
      await frame.getByRole('heading', { name: 'Laisser un message' }).waitFor();
      await frame.locator('.notice', { hasText: 'Incident en cours : Parcel tracking is down' }).waitFor(); // French: a space before the colon
      await frame.getByRole('heading', { name: 'Être rappelé' }).waitFor();
      await accessible(page, 'chat closed (fr)');
      await page.goto(shop(host.origin, launcher, 'en'));
      await page.getByRole('button', { name: 'Chat with us' }).click();
      await frame.getByRole('heading', { name: 'Leave a message' }).waitFor();
      await frame.getByRole('heading', { name: 'Ask for a callback' }).waitFor();
      await frame.locator('.notice', { hasText: 'Deliveries go on; tracking is back tonight.' }).waitFor();
      await accessible(page, 'chat closed (en)');
    });
    await step('chat closed: guichetd\'s refusal of an address shows at its field, then the message is left', async () => {
      await frame.locator('#leave-email').fill('vera@localhost'); // the browser takes it, guichetd does not
      await frame.locator('#leave-message').fill('Call me tomorrow');
      const refused = page.waitForResponse((r) => r.url().endsWith(`/chat/v1/${closed.key}/messages`));
      await frame.getByRole('button', { name: 'Send the message' }).click();
      const res = await refused;
      const body = await res.json();
      if (res.status() !== 400 || body.error?.field !== 'email') throw new Error(`guichetd said ${res.status()} ${JSON.stringify(body)}`);
      await frame.locator('#leave-email[aria-invalid="true"][aria-describedby="leave-email-error"]').waitFor();
      await frame.locator('#leave-email-error').waitFor();
      await frame.locator('#leave-email').fill('vera@example.net');
      await frame.getByRole('button', { name: 'Send the message' }).click();
      await frame.getByText('Thank you: we will answer by email.').waitFor();
    });
    await step('chat closed: the callback asked in the widget is a callback the staff see', async () => {
      await frame.getByLabel('Your phone number').fill('+33 6 12 34 56 78');
      await frame.getByLabel('Your name (optional)').last().fill('Vera Widget');
      const sent = page.waitForResponse((r) => /\/public\/v1\/tenants\/\d+\/callbacks$/.test(r.url()));
      await frame.getByRole('button', { name: 'Ask for the callback' }).click();
      const res = await sent;
      if (res.status() !== 201) throw new Error(`POST callbacks: ${res.status()} ${await res.text()}`);
      await frame.getByText(/^Thank you: we will call you back as soon as possible\. You are number 1 in line\.$/).waitFor();
      const { items } = await admin('GET', '/api/v1/callbacks');
      const cb = items.find((c) => c.phone === '+33612345678');
      if (!cb || cb.source !== 'chat' || cb.name !== 'Vera Widget') throw new Error(`the callbacks: ${JSON.stringify(items)}`);
    });
    await step('chat closed: in French, guichetd\'s refusal of an address is said in French', async () => {
      await page.goto(shop(host.origin, launcher, 'fr'));
      await page.getByRole('button', { name: 'Discuter avec nous' }).click();
      await frame.locator('#leave-email').fill('vera@localhost');
      await frame.locator('#leave-message').fill('Rappelez-moi demain');
      await frame.getByRole('button', { name: 'Envoyer le message' }).click();
      const refusal = frame.locator('#leave-email-error');
      await refusal.filter({ hasText: 'Cette adresse e-mail n’est pas valide' }).waitFor();
      if (/'email'|address/.test(await refusal.textContent())) throw new Error(`English: ${await refusal.textContent()}`);
    });
    await step('chat closed: half a callback window is refused at its field; a window tomorrow is said, with no place in line', async () => {
      await page.goto(shop(host.origin, launcher, 'en'));
      await page.getByRole('button', { name: 'Chat with us' }).click();
      let posted = 0;
      page.on('request', (r) => { if (/\/public\/v1\/tenants\/\d+\/callbacks$/.test(r.url())) posted += 1; });
      const local = (days, hours) => page.evaluate(([d, h]) => { // the browser's own local time
        const at = new Date(Date.now() + d * 86400000);
        at.setHours(h, 0, 0, 0);
        return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      }, [days, hours]);
      const from = frame.getByLabel('From', { exact: true });
      const to = frame.getByLabel('To', { exact: true });
      const ask = frame.getByRole('button', { name: 'Ask for the callback' });
      await frame.getByLabel('Your phone number').fill('+33 6 11 22 33 44');
      await from.fill(await local(1, 10));
      await ask.click();
      await frame.locator('#cb-to-error').filter({ hasText: 'Give the end of the window too' }).waitFor();
      await frame.locator('#cb-to[aria-invalid="true"]').waitFor();
      await from.fill('');
      await to.fill(await local(1, 11));
      await ask.click();
      await frame.locator('#cb-from-error').filter({ hasText: 'Give the start of the window too' }).waitFor();
      if (posted) throw new Error('half a window was sent');
      await from.fill(await local(1, 10));
      const sent = page.waitForResponse((r) => /\/public\/v1\/tenants\/\d+\/callbacks$/.test(r.url()));
      await ask.click();
      const cb = await (await sent).json();
      if (cb.state !== 'scheduled' || cb.position !== null) throw new Error(`the answer: ${JSON.stringify(cb)}`);
      const said = frame.getByRole('status').filter({ hasText: 'Thank you: we will call you back in the window you chose' });
      await said.waitFor();
      const text = await said.textContent();
      if (!text.includes('10:00') || !text.includes('11:00') || /number \d+ in line/.test(text)) throw new Error(`said: ${text}`);
    });
    await step('chat closed: a second callback for the same number says the first one, its window unchanged', async () => {
      await page.reload();
      await page.getByRole('button', { name: 'Chat with us' }).click();
      await frame.getByLabel('Your phone number').fill('+33 6 11 22 33 44');
      const sent = page.waitForResponse((r) => /\/public\/v1\/tenants\/\d+\/callbacks$/.test(r.url()));
      await frame.getByRole('button', { name: 'Ask for the callback' }).click();
      const cb = await (await sent).json();
      if (cb.existing !== true || !cb.window) throw new Error(`the answer: ${JSON.stringify(cb)}`);
      const said = frame.getByRole('status').filter({ hasText: 'A callback to this number was requested already: we will call you back in its window' });
      await said.waitFor();
      if (!(await said.textContent()).includes('10:00')) throw new Error(`said: ${await said.textContent()}`);
      const { items } = await admin('GET', '/api/v1/callbacks');
      const mine = items.filter((c) => c.phone === '+33611223344');
      if (mine.length !== 1 || mine[0].state !== 'scheduled') throw new Error(`the callbacks: ${JSON.stringify(mine)}`);
    });
  } finally {
    await context.close();
    await admin('POST', `/api/v1/incidents/${incident.id}/end`);
  }
}

// The only agent serving a chat goes offline while a visitor waits: the
// widget says nobody is there now (not a place in line with nobody coming)
// and offers to leave a message instead, the visitor's words already in it.
async function agentGone({ browser, url, admin, step, accessible, password }, host, errors) {
  const skill = await admin('POST', '/api/v1/skills', { name: 'widget-gone' });
  const queue = await admin('POST', '/api/v1/queues', { name: 'Widget gone', skill_id: skill.id, channel: 'chat' });
  const otto = await admin('POST', '/api/v1/users', { email: 'otto.widget@a.example', name: 'Otto Widget', password, role: 'agent' });
  await admin('PUT', `/api/v1/agents/${otto.id}`, { level: 1, skills: [{ skill_id: skill.id, proficiency: 5, tier: 1 }], capacity: { chat: 1 } });
  const gone = await admin('POST', '/api/v1/channels/chat', { name: 'Widget gone chat', queue_id: queue.id, origins: [host.origin],
    prechat: { name: 'optional', email: 'optional' }, offline: { message: true, callback: false } });
  // paused: he serves the queue (open, an expected wait) but takes nothing
  await admin('POST', `/api/v1/agents/${otto.id}/presence`, { presence: 'paused', reason: 'lunch' });
  const { context, page } = await newPage(browser, errors);
  const frame = frameOf(page);
  try {
    await step('chat: the only agent signs out while the visitor waits; the widget says nobody is there and offers a message, the words, name and email kept', async () => {
      await page.goto(shop(host.origin, `${url}/chat/v1/${gone.key}/launcher.js`, 'en'));
      await page.getByRole('button', { name: 'Chat with us' }).click();
      await frame.locator('#pre-name').fill('Nora Gone');
      await frame.locator('#pre-email').fill('nora.gone@example.com');
      await frame.getByLabel('Your question').fill('My parcel never came');
      await frame.getByRole('button', { name: 'Start the chat' }).click();
      await frame.locator('.state', { hasText: /^You are number 1 in line, about \d+ min\.$/ }).waitFor();
      await admin('POST', `/api/v1/agents/${otto.id}/presence`, { presence: 'offline' });
      await frame.locator('.state', { hasText: 'no one is available to chat right now' }).waitFor();
      await accessible(page, 'chat waiting with nobody (en)');
      await frame.getByRole('button', { name: 'Leave a message instead' }).click();
      await frame.getByRole('heading', { name: 'Leave a message' }).waitFor();
      const kept = await frame.locator('#leave-message').inputValue();
      if (kept !== 'My parcel never came') throw new Error(`the message field holds "${kept}"`);
      // nor who they said they are
      const name = await frame.locator('#leave-name').inputValue();
      const email = await frame.locator('#leave-email').inputValue();
      if (name !== 'Nora Gone' || email !== 'nora.gone@example.com') throw new Error(`the form holds "${name}", "${email}"`);
      // the chat left its queue: a reload finds no chat under way, only the closed channel
      await page.reload();
      await page.getByRole('button', { name: 'Chat with us' }).click();
      await frame.getByRole('status').filter({ hasText: 'No one is available to chat right now.' }).waitFor();
    });
  } finally {
    await context.close();
  }
}

// No mailbox sends the brand's mail: a message left could not be answered,
// so the closed channel offers the callback alone, never "we will answer by
// email".
async function withoutMailbox({ browser, url, step }, host, { closed }, errors) {
  const { context, page } = await newPage(browser, errors);
  const frame = frameOf(page);
  try {
    await step('chat closed: with no mailbox to answer by email, the widget offers the callback, not a message', async () => {
      await page.goto(shop(host.origin, `${url}/chat/v1/${closed.key}/launcher.js`, 'en'));
      await page.getByRole('button', { name: 'Chat with us' }).click();
      await frame.getByRole('heading', { name: 'Ask for a callback' }).waitFor();
      if (await frame.getByRole('heading', { name: 'Leave a message' }).count()) throw new Error('a message is offered that nobody could answer');
    });
  } finally {
    await context.close();
  }
}
