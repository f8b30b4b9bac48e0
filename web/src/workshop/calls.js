// The workshop's calls to the knowledge API (docs/api.md, Knowledge), on
// the shared client's call(): the items with their drafts, states and
// versions, the review steps, and the flags on one's items.
import { ApiError, call } from '../api.js';

// As call(), but an error keeps the API's list of errors (each with its
// node and field: a tree's checks, or what a tree to publish names that is
// not published) on the error thrown, as err.errors.
async function withErrors(method, path, content, extra = {}) {
  const csrf = document.cookie.match(/(?:^|;\s*)guichet_csrf=([^;]+)/);
  const headers = { Accept: 'application/json', 'X-CSRF-Token': csrf ? csrf[1] : '', ...extra };
  if (content !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, credentials: 'same-origin', headers, body: content === undefined ? undefined : JSON.stringify(content),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    err.errors = data?.error?.errors || null;
    throw err;
  }
  return data;
}

const item = (key) => `/api/v1/kb/items/${encodeURIComponent(key)}`;
const query = (params) => {
  const q = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return q ? `?${q}` : '';
};

export const kb = {
  list: (kind, state) => call('GET', `/api/v1/kb/items${query({ kind, state })}`),
  get: (key) => call('GET', item(key)),
  version: (key, n) => call('GET', `${item(key)}/versions/${n}`),
  put: (key, content) => withErrors('PUT', item(key), content),
  // a new item only (If-None-Match: *): an id taken answers 412 at the id, never saving over another item
  create: (key, content) => withErrors('PUT', item(key), content, { 'If-None-Match': '*' }),
  submit: (key) => call('POST', `${item(key)}/submit`),
  approve: (key) => call('POST', `${item(key)}/approve`),
  reject: (key, comment) => call('POST', `${item(key)}/reject${query({ comment })}`),
  publish: (key, reviewBy) => withErrors('POST', `${item(key)}/publish${query({ review_by: reviewBy })}`),
  archive: (key) => withErrors('POST', `${item(key)}/archive`),
  flags: (mine) => call('GET', `/api/v1/kb/flags${query({ mine: mine ? 1 : undefined })}`),
  resolve: (id, note) => call('POST', `/api/v1/kb/flags/${id}/resolve${query({ note })}`),
};

// What a role may do here (src/model/role.c: kb write, kb review).
const WRITERS = ['author', 'reviewer', 'expert', 'tenant_admin'];
const REVIEWERS = ['reviewer', 'tenant_admin'];
export const canWrite = (role) => WRITERS.includes(role);
export const canReview = (role) => REVIEWERS.includes(role);
