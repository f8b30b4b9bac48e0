// One chat as the visitor lives it, apart from any markup: the live stream,
// the messages by id (so each shows once, however often the stream or an
// answer repeats it), the outbox, the marks, the typing, the wait.
//
// The stream: an EventSource on .../stream?token=; the browser resumes it
// by itself with Last-Event-ID. When it gives up (readyState CLOSED) or the
// network comes back after an outage, it is reopened with ?after= the last
// message id the STREAM gave (never an id from a POST's answer: an agent's
// message written during the outage has a smaller id and must still come).
//
// The outbox: what the visitor writes goes first to the outbox (kept in
// sessionStorage, so a reload keeps it), each with its client_id, and is
// posted in order; a network failure keeps it there ("offline, will send
// when back") until the stream opens again or the browser says online.
// The server answers a repeated client_id with the first message, so a
// message whose answer was lost on the way is never there twice.
import { store } from './store.js';

export function uid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

const TYPING_IDLE_MS = 3000;
const RETRY_MAX_MS = 30000;

export class Conversation {
  constructor(client, id, onChange) {
    this.client = client;
    this.id = id;
    this.onChange = onChange;
    this.messages = new Map();
    this.lastId = 0; // the last message id the stream gave
    this.outboxKey = `guichet.chat.outbox.${client.key}.${id}`;
    this.outbox = store.get(this.outboxKey, []);
    this.online = navigator.onLine !== false;
    this.state = 'waiting';
    this.agent = null;
    this.wait = null;
    this.agentTyping = false;
    this.marks = { delivered: 0, read: 0 }; // the agent's, on the visitor's messages
    this.readPosted = 0;
    this.typingOn = false;
    this.error = null;
    this.retryMs = 1000;
    this.onOnline = () => { this.setOnline(true); this.reopen(); this.flush(); };
    this.onOffline = () => this.setOnline(false);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.open();
    this.flush();
  }

  emit() { this.onChange(this); }

  setOnline(on) {
    if (this.online === on) return;
    this.online = on;
    this.emit();
  }

  open() {
    const source = new EventSource(this.client.streamUrl(this.id, this.lastId));
    this.source = source;
    source.addEventListener('open', () => {
      this.retryMs = 1000;
      this.setOnline(true);
      this.flush();
    });
    source.addEventListener('error', () => {
      if (source !== this.source) return;
      if (source.readyState === EventSource.CLOSED) { // refused or given up: again, from the last id
        this.setOnline(false);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.reopen(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      } else if (navigator.onLine === false) this.setOnline(false);
    });
    const on = (type, fn) => source.addEventListener(type, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch { return; }
      fn(data);
      this.emit();
    });
    on('message', (m) => {
      this.add(m);
      if (m.id > this.lastId) this.lastId = m.id;
      if (m.kind === 'outbound') this.agentTyping = false;
    });
    on('typing', (d) => { if (d.from === 'agent') this.agentTyping = !!d.on; });
    on('mark', (d) => {
      if (d.by !== 'agent') return;
      if (d.state === 'read') this.marks.read = Math.max(this.marks.read, d.up_to);
      this.marks.delivered = Math.max(this.marks.delivered, d.up_to);
    });
    on('wait', (d) => { this.wait = d; });
    on('state', (d) => {
      this.state = d.state;
      if (d.agent) this.agent = d.agent;
      if (d.state !== 'waiting') this.wait = null;
      if (d.state === 'ended') { this.agentTyping = false; this.source.close(); }
    });
  }

  reopen() {
    if (this.closed || this.state === 'ended') return;
    clearTimeout(this.retry);
    this.source?.close();
    this.open();
  }

  add(m) {
    this.messages.set(m.id, { ...this.messages.get(m.id), ...m });
    if (m.client_id) this.drop(m.client_id);
  }

  drop(clientId) {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((x) => x.client_id !== clientId);
    if (this.outbox.length !== before) store.set(this.outboxKey, this.outbox.length ? this.outbox : null);
  }

  // the messages in order, then what waits in the outbox
  list() {
    return [...this.messages.values()].sort((a, b) => a.id - b.id);
  }

  send(body) {
    this.outbox.push({ client_id: uid(), body });
    store.set(this.outboxKey, this.outbox);
    this.typing(false);
    this.emit();
    this.flush();
  }

  async flush() {
    if (this.flushing) { this.again = true; return; }
    this.flushing = true;
    try {
      while (this.outbox.length && !this.closed) {
        const item = this.outbox[0];
        try {
          this.add(await this.client.call('POST', `/chats/${this.id}/messages`, item));
          this.drop(item.client_id); // an answer without client_id
          this.error = null;
        } catch (e) {
          if (!e.status) { this.setOnline(false); break; } // the network: kept for later
          if (e.status === 429) { setTimeout(() => this.flush(), (e.retryAfter || 2) * 1000); break; }
          this.drop(item.client_id); // refused: said, not sent again
          this.error = e;
        }
        this.emit();
      }
    } finally {
      this.flushing = false;
    }
    if (this.again) {
      this.again = false;
      if (this.online) this.flush();
    }
  }

  // a file sent at once (not through the outbox: a file is not kept across
  // reloads); a refusal is said in the visitor's language by the view
  async attach(file) {
    try {
      this.add(await this.client.upload(this.id, file));
      this.fileError = null;
    } catch (e) {
      this.fileError = e.status ? e : { status: 0, code: 'network' };
    }
    this.emit();
  }

  // the agent's messages on screen are read
  markRead() {
    let up = 0;
    for (const m of this.messages.values()) if (m.kind === 'outbound' && m.id > up) up = m.id;
    if (up <= this.readPosted) return;
    const before = this.readPosted;
    this.readPosted = up;
    this.client.call('POST', `/chats/${this.id}/read`, { up_to: up }).catch(() => { this.readPosted = before; });
    this.emit();
  }

  unread() {
    let n = 0;
    for (const m of this.messages.values()) if (m.kind === 'outbound' && m.id > this.readPosted) n += 1;
    return n;
  }

  // on at the first key, off after 3 s without one or when the message goes
  typing(on) {
    clearTimeout(this.typingTimer);
    if (on) this.typingTimer = setTimeout(() => this.typing(false), TYPING_IDLE_MS);
    if (on === this.typingOn) return;
    this.typingOn = on;
    this.client.call('POST', `/chats/${this.id}/typing`, { on }).catch(() => {});
  }

  end() {
    return this.client.call('POST', `/chats/${this.id}/end`).then(() => {
      this.state = 'ended';
      this.source.close();
      this.emit();
    });
  }

  close() {
    this.closed = true;
    clearTimeout(this.retry);
    clearTimeout(this.typingTimer);
    this.source?.close();
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
  }
}
