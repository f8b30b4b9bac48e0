// The administrator's console's calls to the API, built on call() of
// ../api.js; the customer import alone sends text/csv, so it has its own
// fetch with the same CSRF header and the same ApiError (whose body also
// carries the import's report when the file is refused whole).
import { ApiError, call } from '../api.js';

const id = (n) => encodeURIComponent(n);

export const admin = {
  users: () => call('GET', '/api/v1/users'),
  createUser: (body) => call('POST', '/api/v1/users', body),
  setRole: (user, role) => call('POST', `/api/v1/users/${id(user)}/role`, { role }),
  disable: (user) => call('POST', `/api/v1/users/${id(user)}/disable`),
  enable: (user) => call('POST', `/api/v1/users/${id(user)}/enable`),
  setPassword: (user, password) => call('POST', `/api/v1/users/${id(user)}/password`, { password }),
  dispositions: () => call('GET', '/api/v1/dispositions'),
  setDispositions: (items) => call('PUT', '/api/v1/dispositions', { items }),
  skills: () => call('GET', '/api/v1/skills'),
  createSkill: (name) => call('POST', '/api/v1/skills', { name }),
  renameSkill: (skill, name) => call('PATCH', `/api/v1/skills/${id(skill)}`, { name }),
  deleteSkill: (skill) => call('DELETE', `/api/v1/skills/${id(skill)}`),
  queues: () => call('GET', '/api/v1/queues'),
  createQueue: (body) => call('POST', '/api/v1/queues', body),
  updateQueue: (queue, body) => call('PATCH', `/api/v1/queues/${id(queue)}`, body),
  deleteQueue: (queue) => call('DELETE', `/api/v1/queues/${id(queue)}`),
  agents: () => call('GET', '/api/v1/agents'),
  setProfile: (user, body) => call('PUT', `/api/v1/agents/${id(user)}`, body),
  tokens: () => call('GET', '/api/v1/api-tokens'),
  createToken: (body) => call('POST', '/api/v1/api-tokens', body),
  revokeToken: (token) => call('DELETE', `/api/v1/api-tokens/${id(token)}`),
  audit: (cursor, limit) => call('GET', `/api/v1/audit?limit=${limit}${cursor ? `&cursor=${id(cursor)}` : ''}`),
  // the platform admin's
  tenants: () => call('GET', '/api/v1/tenants'),
  createTenant: (body) => call('POST', '/api/v1/tenants', body),
  organisations: () => call('GET', '/api/v1/organisations'),
  createOrganisation: (body) => call('POST', '/api/v1/organisations', body),
  grant: (body) => call('POST', '/api/v1/memberships', body),
};

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)guichet_csrf=([^;]+)/);
  return m ? m[1] : '';
}

// POST /customers/import with the file's text: the report
// {inserted, updated, unchanged, rejected: [{line, reason}]}.
export async function importCustomers(text, allOrNothing) {
  const res = await fetch(`/api/v1/customers/import${allOrNothing ? '?mode=all-or-nothing' : ''}`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'text/csv', 'X-CSRF-Token': csrfToken() },
    credentials: 'same-origin',
    body: text,
  });
  const body = await res.text();
  const data = body ? JSON.parse(body) : null;
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    err.report = data && data.report;
    throw err;
  }
  return data;
}

export const ROLES = ['tenant_admin', 'supervisor', 'agent', 'expert', 'outsourced_agent', 'author', 'reviewer', 'planner'];
export const CHANNELS = ['chat', 'phone', 'email', 'sms', 'social', 'web'];
// A new queue's service level and offer window by channel, as the API sets
// them when a request names none (src/model/decode.c, channel_defaults): a
// call or a chat is answered in seconds, a message within the hour.
export const QUEUE_DEFAULTS = {
  phone: { sl_target: '0.8', sl_seconds: '20', offer_timeout_s: '15' },
  chat: { sl_target: '0.8', sl_seconds: '30', offer_timeout_s: '20' },
  email: { sl_target: '0.9', sl_seconds: '3600', offer_timeout_s: '60' },
  sms: { sl_target: '0.8', sl_seconds: '3600', offer_timeout_s: '60' },
  social: { sl_target: '0.8', sl_seconds: '3600', offer_timeout_s: '60' },
  web: { sl_target: '0.9', sl_seconds: '3600', offer_timeout_s: '60' },
};
export const STRATEGIES = ['longest_idle', 'best_skill', 'fewest_handled', 'least_talk', 'round_robin', 'random', 'ring_all'];
