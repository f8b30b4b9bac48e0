// Goodwill gestures' calls and amounts (docs/api.md, "Goodwill gestures"):
// values travel in the currency's minor unit (amount_cents); people type
// and read them in units, with a comma or a dot before the cents.
import { call } from '../api.js';

export const KINDS = ['credit', 'gift', 'waiver'];

export const gestureApi = {
  list: (contact) => call('GET', `/api/v1/contacts/${contact}/gestures`),
  record: (contact, body) => call('POST', `/api/v1/contacts/${contact}/gestures`, body),
  pending: () => call('GET', '/api/v1/gestures?state=pending&limit=200'),
  decide: (id, approve, note) => call('POST', `/api/v1/gestures/${id}/${approve ? 'approve' : 'refuse'}`, note ? { note } : {}),
  settings: () => call('GET', '/api/v1/gestures/settings'),
  report: () => call('GET', '/api/v1/reports/gestures'),
};

// "25", "25.5" or "25,50" into 2550; null for anything else.
export function parseAmount(text) {
  const m = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text || '');
  if (!m) return null;
  const cents = Number(m[1]) * 100 + (m[2] ? Number(m[2].padEnd(2, '0')) : 0);
  return cents > 0 ? cents : null;
}

// 2550 in EUR, in lang: "€25.50" / "25,50 €".
export function money(lang, cents, currency) {
  return new Intl.NumberFormat(lang, { style: 'currency', currency: currency || 'EUR' }).format((cents || 0) / 100);
}
