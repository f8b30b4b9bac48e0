// The web chat's conversation, in the iframe the launcher opens on the
// brand's site (served by guichetd at /chat/v1/{key}/frame). It learns the
// channel from GET .../config, then talks to the launcher by postMessage:
// only with an origin among the channel's origins (or guichetd's own, whose
// portal embeds it), and answers to that
// origin only (it says "ready" to each configured origin: postMessage
// delivers to the one that matches and drops the others). Then: a visitor
// token (sessionStorage: a reload keeps the conversation), the open chat if
// there is one, else the prechat form when open or the offline ways when
// closed (leave a message, ask for a callback), the conversation itself
// (conversation.js), and at the end the transcript and the rating.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { chatClient, ChatError } from './client.js';
import { Conversation } from './conversation.js';
import { store } from './store.js';
import { pickLang, translator } from './i18n.js';
import { ChatView, Ended } from './ChatView.jsx';
import { Offline, Prechat } from './forms.jsx';
import './frame.css';

const key = (/\/chat\/v1\/([\w-]+)\/frame/.exec(location.pathname) || [])[1] || '';
const client = chatClient(key);
const embedded = window.parent !== window;
const HELLO_WAIT_MS = 1500;
const tokenKey = `guichet.chat.token.${key}`;

// The launcher: its origin once it said hello from a configured one.
const parent = { origin: null, open: !embedded, hello: null, listeners: new Set() };
function postParent(msg) {
  if (parent.origin) window.parent.postMessage(msg, parent.origin);
}
function listenParent(origins) {
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || !origins.includes(e.origin)) return; // anyone else is not heard
    if (parent.origin && e.origin !== parent.origin) return;
    const d = e.data || {};
    if (d.type === 'guichet:hello') {
      parent.origin = e.origin;
      parent.hello = d;
    } else if (d.type === 'guichet:open') {
      parent.open = !!d.open;
    } else if (d.type !== 'guichet:lang') return;
    for (const fn of parent.listeners) fn(d);
  });
  for (const o of origins) window.parent.postMessage({ type: 'guichet:ready' }, o);
}
function waitHello() {
  if (!embedded || parent.hello) return Promise.resolve(parent.hello);
  return new Promise((ok) => {
    const fn = (d) => { if (d.type === 'guichet:hello') { parent.listeners.delete(fn); ok(d); } };
    parent.listeners.add(fn);
    setTimeout(() => { parent.listeners.delete(fn); ok(null); }, HELLO_WAIT_MS);
  });
}

// A token for this visitor: the stored one while it lasts and belongs to the
// same customer, else a new one (verified when the brand's hmac is right;
// a wrong one leaves an anonymous visitor, never a dead end).
async function visitorToken(customer) {
  const who = customer ? String(customer.id) : null;
  const kept = store.get(tokenKey, null);
  if (kept && kept.customer === who && Date.parse(kept.expires_at) > Date.now() + 60000) return kept.token;
  let v;
  try {
    v = await client.call('POST', '/visitors', customer ? { customer } : {});
  } catch (e) {
    if (!(e instanceof ChatError) || e.status !== 401 || !customer) throw e;
    return visitorToken(null);
  }
  store.set(tokenKey, { token: v.token, expires_at: v.expires_at, customer: customer ? who : null });
  return v.token;
}

// The tenant's current incidents and announcements (the portal's), above
// whatever the visitor is doing: an informed visitor need not ask.
function Notices({ t, lang, items }) {
  if (!items.length) return null;
  const when = (iso) => new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section class="notices" aria-label={t('incidents.title')}>
      {items.map((i) => (
        <p key={i.id} class={`notice ${i.kind}`}>
          <strong>{t('incident.head', { kind: t(`incident.${i.kind}`) })}</strong>{i.title}
          {i.body && <span class="notice-body"> {i.body}</span>}
          {i.expected_end_at && <span class="muted"> {t('incident.expected', { time: when(i.expected_end_at) })}</span>}
        </p>
      ))}
    </section>
  );
}

function App() {
  const [lang, setLang] = useState(() => pickLang(new URLSearchParams(location.search).get('lang')));
  const t = translator(lang);
  const [config, setConfig] = useState(null);
  const [phase, setPhase] = useState('loading'); // loading | start | offline | chat | ended | broken
  const [offline, setOffline] = useState(null); // the ways offered when closed, and why: {ways, closed}
  const [conv, setConv] = useState(null);
  const [, setTick] = useState(0);
  const [open, setOpen] = useState(parent.open);
  const [renewed, setRenewed] = useState(false); // "Start a new chat" pressed: the form takes the focus
  const started = useRef(false);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('title');
  }, [lang]);

  // who the visitor said they are in the chat's form: a message left later starts with it
  const [visitor, setVisitor] = useState({});
  const follow = (id, wait, who) => {
    if (who) setVisitor(who);
    const c = new Conversation(client, id, () => setTick((n) => n + 1));
    if (wait && !c.wait) c.wait = wait; // until the stream says more
    setConv(c);
    setPhase('chat');
    postParent({ type: 'guichet:active', on: true });
  };

  const boot = async () => {
    const cfg = await client.call('GET', '/config');
    setConfig(cfg);
    listenParent([...(cfg.origins || []), location.origin]); // and guichetd's own pages: the portal
    parent.listeners.add((d) => {
      if (d.type === 'guichet:open') setOpen(d.open);
      if ((d.type === 'guichet:hello' || d.type === 'guichet:lang') && d.lang) setLang(pickLang(d.lang)); // the page's, as it changes
    });
    const hello = await waitHello();
    if (hello) store.load(hello.stored);
    store.onChange = (dump) => postParent({ type: 'guichet:store', data: dump });
    setOpen(parent.open);
    client.token = await visitorToken(hello && hello.customer);
    let chats;
    try {
      chats = await client.call('GET', '/chats');
    } catch (e) {
      if (e.status !== 401) throw e;
      store.set(tokenKey, null); // expired or rotated: a new visitor
      client.token = await visitorToken(hello && hello.customer);
      chats = await client.call('GET', '/chats');
    }
    const live = (chats.chats || []).filter((c) => c.state !== 'ended').sort((a, b) => b.id - a.id)[0];
    if (live) follow(live.id);
    else if (cfg.open) setPhase('start');
    else { setOffline({ ways: cfg.offline, closed: cfg.closed }); setPhase('offline'); }
  };
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    boot().catch((e) => { console.warn('guichet chat:', e.message); setPhase('broken'); });
  }, []);

  // what is on screen is read; the launcher shows the rest as unread
  useEffect(() => {
    if (!conv) return;
    if (open && document.visibilityState === 'visible') conv.markRead();
    postParent({ type: 'guichet:unread', n: conv.unread() });
  });
  useEffect(() => {
    const fn = () => setTick((n) => n + 1);
    document.addEventListener('visibilitychange', fn);
    const esc = (e) => { if (e.key === 'Escape' && embedded) postParent({ type: 'guichet:close' }); };
    window.addEventListener('keydown', esc);
    return () => { document.removeEventListener('visibilitychange', fn); window.removeEventListener('keydown', esc); };
  }, []);

  // waiting while nobody serves the chat: the visitor ends it and leaves a
  // message (their words already written in it) or asks for a callback
  const [draft, setDraft] = useState({});
  const ways = (config && config.offline) || {};
  const leave = ways.message ? 'message' : ways.callback && config.tenant != null ? 'callback' : null;
  const leaveInstead = () => {
    const said = conv.list().filter((m) => m.kind === 'inbound' && !m.attachment).map((m) => m.body).join('\n');
    conv.end().then(() => {
      conv.close();
      setConv(null);
      postParent({ type: 'guichet:active', on: false });
      setDraft({ ...visitor, message: said });
      setOffline({ ways: config.offline, closed: 'agents' });
      setPhase('offline');
    }, (e) => { conv.error = e; setTick((n) => n + 1); });
  };
  const started409 = (e, typed) => {
    if (typed) setDraft(typed);
    setOffline({ ways: e.offline || config.offline, closed: e.closed || config.closed });
    setPhase('offline');
  };
  const again = () => {
    setRenewed(true);
    conv?.close();
    setConv(null);
    postParent({ type: 'guichet:active', on: false });
    client.call('GET', '/config').then((cfg) => {
      setConfig(cfg);
      // still closed: said with the time of this check, so that "Check again" visibly did something
      if (cfg.open) setPhase('start'); else { setOffline({ ways: cfg.offline, closed: cfg.closed, checked: Date.now() }); setPhase('offline'); }
    }, () => setPhase('broken'));
  };

  let body;
  if (phase === 'loading') body = <p role="status">{t('loading')}</p>;
  else if (phase === 'broken') body = <p role="alert">{t('broken')}</p>;
  else if (phase === 'start') body = <Prechat t={t} config={config} client={client} onStarted={follow} onClosed={started409} takeFocus={renewed} />;
  else if (phase === 'offline') body = <Offline t={t} lang={lang} config={config} ways={offline.ways} closed={offline.closed} checked={offline.checked} draft={draft} client={client} onRetry={again} />;
  else if (conv && conv.state === 'ended') body = <Ended t={t} lang={lang} conv={conv} client={client} onAgain={again} />;
  else if (conv) body = <ChatView t={t} lang={lang} conv={conv} limits={config && config.attachments} leave={leave} onLeave={leaveInstead} />;

  const notices = phase !== 'loading' && phase !== 'broken' && config ? config.incidents || [] : [];
  return (
    <div class="chat">
      <header>
        <h1>{config ? config.name : t('title')}</h1>
        {embedded && parent.origin && (
          <button type="button" class="close" aria-label={t('minimize')} onClick={() => postParent({ type: 'guichet:close' })}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </header>
      <main>
        <Notices t={t} lang={lang} items={notices} />
        {body}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('chat'));
