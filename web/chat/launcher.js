// The web chat's launcher, the one script a brand puts on its site:
//   <script src="https://GUICHETD/chat/v1/KEY/launcher.js" async></script>
// It learns guichetd's origin and the channel's key from its own src, adds a
// labelled button at the bottom right and, on click, an iframe of
// /chat/v1/KEY/frame where the conversation lives. Everything sits in a
// shadow root whose styles are set through the CSSOM (allowed by any CSP),
// so the host page's stylesheets cannot reach it. It talks to the frame by
// postMessage: messages go to guichetd's origin only, and only messages from
// that origin and that iframe are heard. The frame says when the visitor has
// unread messages (shown on the button while closed) and asks for the
// identity in window.guichetChat.customer, which goes to it and nowhere else.
// It speaks the page's language (<html lang>), and follows it when the page
// changes it.
// No framework, no dependency: it must stay small.
(() => {
  const script = document.currentScript
    || [...document.scripts].find((s) => /\/chat\/v1\/[\w-]+\/launcher\.js/.test(s.src));
  const src = script && new URL(script.src, location.href);
  const m = src && /\/chat\/v1\/([\w-]+)\/launcher\.js$/.exec(src.pathname);
  if (!m || window.__guichetChat) return;
  window.__guichetChat = true;
  const origin = src.origin;
  const key = m[1];
  const TEXTS = {
    en: { open: 'Chat with us', close: 'Close the chat', frame: 'Chat', unread: (n) => `${n} unread message${n > 1 ? 's' : ''}` },
    fr: { open: 'Discuter avec nous', close: 'Fermer la discussion', frame: 'Discussion', unread: (n) => `${n} message${n > 1 ? 's' : ''} non lu${n > 1 ? 's' : ''}` },
  };
  const pageLang = () => (/^fr/i.test(document.documentElement.lang || navigator.language || '') ? 'fr' : 'en');
  let lang = pageLang();
  let T = TEXTS[lang];
  const memo = `guichet-chat:${key}`; // in the host's sessionStorage: a conversation is under way, open or not
  const get = (k) => { try { return sessionStorage.getItem(k) || ''; } catch { return ''; } };
  const put = (k, v) => { try { if (v) sessionStorage.setItem(k, v); else sessionStorage.removeItem(k); } catch { /* private mode */ } };
  const remembered = () => get(memo);
  const remember = (v) => put(memo, v);
  // the frame's token and outbox, when its own storage is refused (third-party storage blocked)
  const kept = () => { try { return JSON.parse(get(`${memo}:store`) || 'null'); } catch { return null; } };

  // inline styles, !important: nothing of the host's CSS outranks them
  const css = (el, rules) => {
    for (const [k, v] of Object.entries(rules)) el.style.setProperty(k, v, 'important');
    return el;
  };
  const make = (tag, rules, parent) => parent.appendChild(css(document.createElement(tag), rules));

  const host = css(document.createElement('guichet-chat'), {
    all: 'initial', position: 'fixed', right: '16px', bottom: '16px', 'z-index': '2147483000',
    display: 'flex', 'flex-direction': 'column-reverse', 'align-items': 'flex-end', gap: '8px',
  });
  const root = host.attachShadow({ mode: 'open' });
  try { // the focus ring (a pseudo-class cannot be inline); constructed sheets are outside CSP's style-src
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('button:focus-visible{outline:3px solid #e37400!important;outline-offset:2px!important}');
    root.adoptedStyleSheets = [sheet];
  } catch { /* an old browser: its own focus ring */ }
  const button = make('button', {
    all: 'initial', display: 'flex', 'align-items': 'center', gap: '8px', cursor: 'pointer', 'box-sizing': 'border-box',
    padding: '12px 18px', 'border-radius': '24px', background: '#0b57d0', color: '#fff',
    font: '600 16px/1.2 system-ui, sans-serif', 'box-shadow': '0 2px 8px rgba(0,0,0,.3)',
  }, root);
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  const label = button.appendChild(document.createElement('span'));
  const badge = make('span', {
    all: 'initial', display: 'none', 'min-width': '20px', padding: '2px 6px', 'border-radius': '10px', 'box-sizing': 'border-box',
    background: '#fff', color: '#8a1c00', font: '700 13px/16px system-ui, sans-serif', 'text-align': 'center',
  }, button);
  badge.setAttribute('aria-hidden', 'true');
  // after the button (Tab goes from it into the conversation), shown above it
  const wrap = make('div', { display: 'none', 'flex-direction': 'column', 'align-items': 'flex-end' }, root);

  let frame = null;
  let open = false;
  let unread = 0;
  let active = false; // the frame holds a conversation
  let ready = false; // the frame said so: it has its config
  let wantFocus = false; // opened by the visitor before the frame was ready
  const render = () => {
    label.textContent = open ? T.close : T.open;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', !open && unread ? `${T.open} (${T.unread(unread)})` : label.textContent);
    badge.textContent = String(unread);
    css(badge, { display: !open && unread ? 'inline-block' : 'none' });
    css(wrap, { display: open ? 'flex' : 'none' });
  };
  // only once the frame said it is ready: before, the iframe holds about:blank, of the host's origin
  const post = (msg) => ready && frame.contentWindow && frame.contentWindow.postMessage(msg, origin);
  const hello = () => post({ type: 'guichet:hello', customer: (window.guichetChat || {}).customer || null, lang, stored: kept() });

  function makeFrame() {
    frame = make('iframe', {
      border: '0', 'border-radius': '12px', 'box-shadow': '0 4px 16px rgba(0,0,0,.3)', background: '#fff',
      width: 'min(380px, calc(100vw - 32px))', height: 'min(580px, calc(100vh - 96px))', display: 'block',
    }, wrap);
    frame.title = T.frame;
    frame.id = 'guichet-chat-frame';
    frame.src = `${origin}/chat/v1/${encodeURIComponent(key)}/frame?lang=${lang}`;
    button.setAttribute('aria-controls', frame.id);
  }
  function toggle(to, focus) {
    open = to;
    if (open && !frame) makeFrame();
    if (active) remember(open ? 'open' : 'closed');
    render();
    post({ type: 'guichet:open', open });
    if (open && ready) frame.focus();
    else if (open) wantFocus = true; // once it is ready
    if (focus && !open) button.focus();
  }
  button.addEventListener('click', () => toggle(!open, false));

  window.addEventListener('message', (e) => {
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow) return;
    const d = e.data || {};
    if (d.type === 'guichet:ready') {
      ready = true;
      hello();
      post({ type: 'guichet:open', open });
      if (open && wantFocus) frame.focus();
      wantFocus = false;
    } else if (d.type === 'guichet:unread') {
      unread = Math.max(0, Number(d.n) || 0);
      render();
    } else if (d.type === 'guichet:close') {
      toggle(false, true);
    } else if (d.type === 'guichet:store') {
      const text = JSON.stringify(d.data || {});
      if (text.length < 65536) put(`${memo}:store`, text);
    } else if (d.type === 'guichet:active') { // a conversation under way: the frame comes back after a reload
      active = !!d.on;
      remember(active ? (open ? 'open' : 'closed') : '');
    }
  });

  // the page's language, followed when it changes (a page that switches
  // language without reloading, as the help centre does): the button, the
  // frame's title, and the frame itself, open or not
  new MutationObserver(() => {
    if (pageLang() === lang) return;
    lang = pageLang();
    T = TEXTS[lang];
    render();
    if (frame) frame.title = T.frame;
    post({ type: 'guichet:lang', lang }); // a frame not ready yet gets it in its hello
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });

  const mount = () => {
    document.body.appendChild(host);
    const was = remembered();
    if (was) { active = true; makeFrame(); open = was === 'open'; }
    render();
  };
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
