// The API client: every call of the front end goes through here. The
// session is an HttpOnly cookie the browser sends by itself; requests that
// change something carry the CSRF token from the readable cookie
// (guichet_csrf) in X-CSRF-Token. Errors are thrown as ApiError with the
// API's {code, message, field}; the message in the page's language where
// the catalogues translate its template (i18n/errors.js), its numbers
// written as the page writes them.
import { localMessage, translation } from './i18n/errors.js';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(localMessage(e) || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http';
    this.field = e.field;
    this.apiMessage = e.message; // the API's own words (English)
    this.sentence = translation(e) !== undefined; // in the page's language, a sentence of its own (i18n failed())
    this.details = e; // what an answer names beside its message (the brand a presence waits on...)
  }
}

export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)guichet_csrf=([^;]+)/);
  return m ? m[1] : '';
}

export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = res.status === 204 ? '' : await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    err.retryAfter = Number(res.headers.get('Retry-After') || 0);
    throw err;
  }
  return data;
}

export const api = {
  login: (email, password) => call('POST', '/api/v1/auth/login', { email, password, session: 'cookie' }),
  logout: () => call('POST', '/api/v1/auth/logout'),
  switchTenant: (tenantId) => call('POST', '/api/v1/auth/switch', { tenant_id: tenantId }),
  me: () => call('GET', '/api/v1/me'),
  agentMe: () => call('GET', '/api/v1/agents/me'),
  presence: (presence, reason) =>
    call('POST', '/api/v1/agents/me/presence', reason ? { presence, reason } : { presence }),
  accept: (id) => call('POST', `/api/v1/contacts/${id}/accept`),
  reject: (id) => call('POST', `/api/v1/contacts/${id}/reject`),
  contact: (id) => call('GET', `/api/v1/contacts/${id}`),
  customer: (id) => call('GET', `/api/v1/customers/${id}`),
  reply: (id, body) => call('POST', `/api/v1/contacts/${id}/messages`, { direction: 'outbound', body }),
  note: (id, body) => call('POST', `/api/v1/contacts/${id}/notes`, { body }),
  wrapup: (id, disposition) => call('POST', `/api/v1/contacts/${id}/wrapup`, { disposition }),
  dispositions: () => call('GET', '/api/v1/dispositions'),
  // the guided diagnosis, the knowledge and the hand-over
  // lang: the content's; without it, the words' own, else hint's (the page's)
  search: (q, lang, hint) => call('GET', `/api/v1/kb/search?q=${encodeURIComponent(q)}${lang ? `&lang=${lang}` : `&hint=${hint}`}&limit=5`),
  kbItem: (key) => call('GET', `/api/v1/kb/items/${encodeURIComponent(key)}`),
  kbVersion: (key, n) => call('GET', `/api/v1/kb/items/${encodeURIComponent(key)}/versions/${n}`),
  flag: (key, reason, comment) => call('POST', `/api/v1/kb/items/${encodeURIComponent(key)}/flag`, { reason, comment }),
  diagnose: (body) => call('POST', '/api/v1/kb/sessions', body),
  answer: (n, answer) => call('POST', `/api/v1/kb/sessions/${n}/answer`, { answer }),
  back: (n) => call('POST', `/api/v1/kb/sessions/${n}/back`),
  undo: (n, node) => call('POST', `/api/v1/kb/sessions/${n}/undo`, { node }),
  heard: (n, heard) => call('POST', `/api/v1/kb/sessions/${n}/answer`, { heard }),
  kbSession: (n) => call('GET', `/api/v1/kb/sessions/${n}`),
  contactDiagnosis: (id) => call('GET', `/api/v1/contacts/${id}/diagnosis`),
  endDiagnosis: (n, resolved, feedback) => call('POST', `/api/v1/kb/sessions/${n}/end`, { resolved, feedback }),
  suggestion: (id) => call('GET', `/api/v1/contacts/${id}/suggestion`),
  emailReply: (id, body) => call('POST', `/api/v1/contacts/${id}/email-reply`, body),
  queues: () => call('GET', '/api/v1/queues'),
  escalate: (id, queueId, reason) => call('POST', `/api/v1/contacts/${id}/escalate`, { queue_id: queueId, reason }),
  // target: {queue_id} or {agent_id}
  transfer: (id, target, reason) => call('POST', `/api/v1/contacts/${id}/transfer`, { ...target, reason }),
  journey: (id) => call('GET', `/api/v1/contacts/${id}/journey`),
  // the supervisor's pages
  queueStats: () => call('GET', '/api/v1/queues/stats'),
  agents: () => call('GET', '/api/v1/agents'),
  agent: (id) => call('GET', `/api/v1/agents/${id}`),
  forcePresence: (id, presence, reason) =>
    call('POST', `/api/v1/agents/${id}/presence`, reason ? { presence, reason } : { presence }),
  move: (id, queueId) => call('POST', `/api/v1/contacts/${id}/move`, { queue_id: queueId }),
  intervals: (date, queueId) =>
    call('GET', `/api/v1/reports/intervals?date=${encodeURIComponent(date)}${queueId ? `&queue=${queueId}` : ''}`),
  summary: (date, by) =>
    call('GET', `/api/v1/reports/summary?date=${encodeURIComponent(date)}&by=${encodeURIComponent(by)}`),
};

// The live stream: EventSource sends the session cookie (never a token in
// the URL) and resumes by itself with Last-Event-ID; onOpen is called each
// time it opens (what has no id, as a call's state, is not resent).
const AGENT_EVENTS = ['offered', 'offer_expired', 'offer_withdrawn', 'rejected', 'accepted', 'presence',
  'wrapup_started', 'wrapup_ended', 'escalated', 'transferred', 'moved', 'released', 'abandoned', 'call'];
// a supervisor's stream also carries these
// the wallboard's: each second, the queues' figures and the agents that changed
export const WALLBOARD_EVENTS = ['queue_stats', 'agent_states'];

export function events(onEvent, types = AGENT_EVENTS, onOpen = null) {
  const source = new EventSource('/api/v1/events');
  if (onOpen) source.addEventListener('open', onOpen);
  for (const type of types)
    source.addEventListener(type, (e) => onEvent(type, JSON.parse(e.data)));
  return () => source.close();
}
