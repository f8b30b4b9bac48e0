// The web chat's visitor API as docs/chat.md describes it (the contract),
// in memory, for chat.mjs: it serves the built launcher and frame
// (web/dist/chat/) and answers the visitor's calls the way guichetd does
// (tokens, a repeated client_id answered with the first message, the stream
// resuming after Last-Event-ID or ?after=, the frame's CSP frame-ancestors).
// The test plays the agent through its methods (say, typing, assign). It
// lets the frame be tested alone, whatever the daemon's state; the whole
// path through guichetd and the agent desktop is chat.mjs's other half.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { randomBytes } from 'node:crypto';

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' };

export async function chatFake({ dist, origins, key = 'fakeKey_0123456789abcdef' }) {
  const visitors = new Map(); // token -> visitor id
  const chats = new Map(); // id -> {id, visitor, state, messages: [], clients: Set, marks, agent}
  let nextId = 1;
  let nextMessage = 1;
  const fake = { key, chats, open: true, posts: [], streams: [], visitors: [] };

  const sse = (res, type, data, id) => res.write(`${id ? `id: ${id}\n` : ''}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  const broadcast = (chat, type, data, id) => { for (const res of chat.clients) sse(res, type, data, id); };
  const addMessage = (chat, m) => {
    const msg = { id: nextMessage++, at: new Date().toISOString(), ...m };
    chat.messages.push(msg);
    broadcast(chat, 'message', msg, msg.id);
    return msg;
  };
  fake.say = (chatId, body) => addMessage(chats.get(chatId), { kind: 'outbound', body, author: chats.get(chatId).agent || 'Alex' });
  fake.typing = (chatId, on) => broadcast(chats.get(chatId), 'typing', { from: 'agent', on });
  fake.assign = (chatId, agent) => {
    const chat = chats.get(chatId);
    chat.state = 'assigned';
    chat.agent = agent;
    broadcast(chat, 'state', { state: 'assigned', agent });
  };
  fake.read = (chatId, upTo) => broadcast(chats.get(chatId), 'mark', { up_to: upTo, state: 'read', by: 'agent' });

  function json(res, status, body, headers = {}) {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }
  const fail = (res, status, code, field) => json(res, status, { error: { code, message: `${code}${field ? `: ${field}` : ''}`, field } });
  function file(res, path, headers = {}) {
    if (!existsSync(path)) return fail(res, 404, 'not_found');
    const ext = path.slice(path.lastIndexOf('.'));
    res.writeHead(200, { 'Content-Type': TYPES[ext] || 'application/octet-stream', 'Cache-Control': 'no-store', ...headers });
    res.end(readFileSync(path));
  }
  const readBody = (req) => new Promise((ok) => {
    let text = '';
    req.on('data', (d) => { text += d; });
    req.on('end', () => { try { ok(text ? JSON.parse(text) : {}); } catch { ok(null); } });
  });

  async function visitorApi(req, res, url, rest) {
    const auth = (req.headers.authorization || '').replace(/^Bearer /, '') || url.searchParams.get('token');
    const visitor = visitors.get(auth);
    if (rest === '/visitors' && req.method === 'POST') {
      const body = await readBody(req);
      fake.visitors.push(body);
      const token = randomBytes(16).toString('hex');
      visitors.set(token, token.slice(0, 8));
      return json(res, 201, { token, verified: !!body?.customer, expires_at: new Date(Date.now() + 86400000).toISOString() });
    }
    if (!visitor) return fail(res, 401, 'unauthorized');
    const mine = (id) => { const c = chats.get(Number(id)); return c && c.visitor === visitor ? c : null; };
    if (rest === '/chats' && req.method === 'GET')
      return json(res, 200, { chats: [...chats.values()].filter((c) => c.visitor === visitor && c.state !== 'ended')
        .map((c) => ({ id: c.id, state: c.state, created_at: c.created_at })) });
    if (rest === '/chats' && req.method === 'POST') {
      const body = await readBody(req);
      if (!fake.open) return json(res, 409, { error: { code: 'closed', message: 'closed' }, offline: { message: true, callback: true } });
      if (!body || !body.message) return fail(res, 400, 'invalid', 'message');
      const chat = { id: nextId++, visitor, state: 'waiting', messages: [], clients: new Set(), created_at: new Date().toISOString() };
      chats.set(chat.id, chat);
      addMessage(chat, { kind: 'inbound', body: body.message });
      return json(res, 201, { id: chat.id, state: 'waiting', wait: { position: 1, expected_s: 60 } });
    }
    if (rest === '/messages' && req.method === 'POST') { // leave a message, when closed
      const body = await readBody(req);
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body?.email || '')) return fail(res, 400, 'invalid', 'email');
      fake.posts.push({ what: 'leave', body });
      return json(res, 201, { id: 999 });
    }
    const m = /^\/chats\/(\d+)\/(\w+)$/.exec(rest);
    const chat = m && mine(m[1]);
    if (!chat) return fail(res, 404, 'not_found');
    if (m[2] === 'stream') {
      const after = Number(req.headers['last-event-id'] || url.searchParams.get('after') || 0);
      fake.streams.push({ after: url.searchParams.get('after'), lastEventId: req.headers['last-event-id'] });
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write('retry: 500\n\n');
      for (const msg of chat.messages) if (msg.id > after) sse(res, 'message', msg, msg.id);
      sse(res, 'state', { state: chat.state, agent: chat.agent });
      if (chat.state === 'waiting') sse(res, 'wait', { position: 1, expected_s: 60 });
      chat.clients.add(res);
      req.on('close', () => chat.clients.delete(res));
      return undefined;
    }
    const body = await readBody(req);
    fake.posts.push({ chat: chat.id, what: m[2], body });
    if (m[2] === 'messages') {
      const first = chat.messages.find((x) => body.client_id && x.client_id === body.client_id);
      if (first) return json(res, 200, first);
      return json(res, 201, addMessage(chat, { kind: 'inbound', body: body.body, client_id: body.client_id }));
    }
    if (m[2] === 'end') { chat.state = 'ended'; broadcast(chat, 'state', { state: 'ended' }); }
    return json(res, ['typing', 'read'].includes(m[2]) ? 204 : 200, ['typing', 'read'].includes(m[2]) ? undefined : {});
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const base = `/chat/v1/${key}`;
    if (url.pathname.startsWith('/assets/')) return file(res, join(dist, normalize(url.pathname).replace(/^\/+/, '')));
    if (!url.pathname.startsWith(base)) return fail(res, 404, 'not_found');
    const rest = url.pathname.slice(base.length);
    if (rest === '/launcher.js') return file(res, join(dist, 'chat', 'launcher.js'));
    if (rest === '/frame') return file(res, join(dist, 'chat', 'frame.html'), { 'Content-Security-Policy': `frame-ancestors ${origins.join(' ')}` });
    if (rest === '/config')
      return json(res, 200, { name: 'Fake Brand', tenant: 1, origins, open: fake.open, wait: null, lang: 'en',
        prechat: { name: 'optional', email: 'off', topics: [] }, offline: { message: true, callback: true } });
    return visitorApi(req, res, url, rest);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  fake.stop = () => new Promise((ok) => { for (const c of chats.values()) for (const r of c.clients) r.destroy(); server.close(ok); });
  return fake;
}
