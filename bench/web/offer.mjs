// offer_to_screen: from an offer's commit on the server to its element in
// the agent's page. The agent logs in through the page and goes available;
// N contacts are put one at a time in the queue only this agent serves;
// each is abandoned (through the API) once the page shows it, so the next
// can be offered.
//
// Start: the event's "at", which the router sets when it writes the offer,
// in the same transaction, just before the commit (src/daemon/router.c,
// emit): so the figure includes the commit itself. It has milliseconds
// only, so each figure may be up to 1 ms too long. End: in the page, a
// MutationObserver notes Date.now() when an .offer[data-contact] element is
// added (same machine, same clock); also the next animation frame's start,
// the frame that paints it.
//
// Reference, in the same run: a bare page of the same origin in a browser
// context of its own (so a renderer process and a main thread of its own),
// logged in as the same agent, holding an EventSource on the same
// /api/v1/events, notes Date.now() when the raw "offered" event reaches
// its listener. So the figure splits into transport (server, stream,
// browser's network and the event's dispatch) and page (the desktop's own
// handler, render and DOM).
import { AGENT, PASSWORD } from './daemon.mjs';
import { login, percentile, round } from './util.mjs';

// In the agent page, before its scripts: the observer and a way to wait.
function watchOffers() {
  const seen = new Map();
  const waiters = new Map();
  window.__bench = {
    seen,
    // answers once the frame is noted too
    wait: (id) => (seen.get(id)?.frame ? Promise.resolve(seen.get(id)) : new Promise((ok) => waiters.set(id, ok))),
  };
  const note = (el) => {
    const id = Number(el.dataset.contact);
    if (seen.has(id)) return;
    const t = { dom: Date.now(), frame: 0 };
    seen.set(id, t);
    requestAnimationFrame(() => {
      t.frame = Date.now();
      waiters.get(id)?.(t);
      waiters.delete(id);
    });
  };
  new MutationObserver((records) => {
    for (const r of records)
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.matches('.offer[data-contact]')) note(n);
        for (const el of n.querySelectorAll('.offer[data-contact]')) note(el);
      }
  }).observe(document, { childList: true, subtree: true });
}

// In the bare page: the raw stream.
function rawStream({ email, password }) {
  return fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, session: 'cookie' }) }).then((r) => {
    if (!r.ok) throw new Error(`login: ${r.status}`);
    const seen = new Map();
    const waiters = new Map();
    window.__raw = (id) => (seen.has(id) ? Promise.resolve(seen.get(id)) : new Promise((ok) => waiters.set(id, ok)));
    const source = new EventSource('/api/v1/events');
    source.addEventListener('offered', (e) => {
      const now = Date.now();
      const ev = JSON.parse(e.data);
      const t = { raw: now, at: Date.parse(ev.at) };
      seen.set(ev.contact_id, t);
      waiters.get(ev.contact_id)?.(t);
      waiters.delete(ev.contact_id);
    });
    return new Promise((ok) => source.addEventListener('open', ok));
  });
}

const stats = (list) => ({ p50: round(percentile(list, 0.5)), p99: round(percentile(list, 0.99)),
  max: round(Math.max(...list)) });

export async function offerToScreen({ browser, url, admin, queues, contacts, log }) {
  const agentContext = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 720 } });
  const rawContext = await browser.newContext();
  try {
    await agentContext.addInitScript(watchOffers);
    const page = await agentContext.newPage();
    await login(page, url, AGENT, PASSWORD);
    await page.getByRole('heading', { name: 'Presence' }).waitFor();
    await page.getByRole('radio', { name: 'Available' }).click();
    await page.locator('[role="radio"][aria-checked="true"]', { hasText: 'Available' }).waitFor();
    const bare = await rawContext.newPage();
    await bare.goto(`${url}/api/v1/me`); // any page of the origin: a JSON answer, no script of the desktop
    await bare.evaluate(rawStream, { email: AGENT, password: PASSWORD });

    const total = [];
    const frame = [];
    const transport = [];
    const inPage = [];
    for (let i = 0; i < contacts; i++) {
      const c = await admin('POST', '/api/v1/contacts', { channel: 'chat', subject: `Bench ${i + 1}`,
        message: 'Hello, I need help with my order.', queue_id: queues[0].id });
      const seen = await page.evaluate((id) => window.__bench.wait(id), c.id);
      const raw = await bare.evaluate((id) => window.__raw(id), c.id); // its own process: may come after the page
      total.push(seen.dom - raw.at);
      frame.push(seen.frame - raw.at);
      transport.push(raw.raw - raw.at);
      inPage.push(seen.dom - raw.raw);
      await admin('POST', `/api/v1/contacts/${c.id}/abandon`);
      await page.locator(`.offer[data-contact="${c.id}"]`).waitFor({ state: 'detached' });
    }
    const f = { total: stats(total), frame: stats(frame), transport: stats(transport), page: stats(inPage) };
    log(`offer to screen, ${contacts} offers: p50 ${f.total.p50} ms, p99 ${f.total.p99} ms, max ${f.total.max} ms` +
      ` (to the frame that paints it: p50 ${f.frame.p50}, p99 ${f.frame.p99})`);
    log(`  reference, the raw event in a bare page of the same origin: p50 ${f.transport.p50} ms, p99 ${f.transport.p99} ms;` +
      ` the desktop's own part (its element after the raw event): p50 ${f.page.p50} ms, p99 ${f.page.p99} ms`);
    return {
      offer_to_screen_p50_ms: f.total.p50,
      offer_to_screen_p99_ms: f.total.p99,
      offer_to_screen_max_ms: f.total.max,
      offer_to_frame_p99_ms: f.frame.p99,
      offer_raw_event_p99_ms: f.transport.p99,
      offer_page_p99_ms: f.page.p99,
    };
  } finally {
    await agentContext.close();
    await rawContext.close();
  }
}
