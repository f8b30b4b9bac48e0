// Where the frame keeps what a reload must find (the visitor's token, the
// outbox): its own sessionStorage when the browser lets a third-party frame
// have one; else (an incognito window, third-party storage blocked) in
// memory, mirrored to the launcher, which keeps it in the host page's
// sessionStorage and hands it back in its hello after a reload. The
// mirror holds only this visitor's token and unsent messages, which the
// host page's own scripts could see typed anyway.
let local = null;
try {
  sessionStorage.getItem('guichet');
  local = sessionStorage;
} catch { /* access denied: the memory and the launcher's mirror */ }
const mem = new Map();

export const store = {
  mirrored: !local,
  onChange: null, // (dump) => void, when mirrored
  get(name, fallback) {
    try { return JSON.parse(local ? local.getItem(name) : mem.get(name) ?? 'null') ?? fallback; } catch { return fallback; }
  },
  set(name, value) {
    const text = value == null ? null : JSON.stringify(value);
    try {
      if (local) { if (text == null) local.removeItem(name); else local.setItem(name, text); }
    } catch { /* full */ }
    if (local) return;
    if (text == null) mem.delete(name); else mem.set(name, text);
    store.onChange?.(Object.fromEntries(mem));
  },
  // what the launcher gave back: strings by name
  load(dump) {
    if (local || !dump || typeof dump !== 'object') return;
    for (const [k, v] of Object.entries(dump)) if (typeof v === 'string' && k.startsWith('guichet.chat.')) mem.set(k, v);
  },
};
