// Training's API calls: the published trees, a scenario played as a
// diagnosis session in training mode, and the progress (one's own, or
// everyone's for trainers), built on call() of ../api.js.
import { call } from '../api.js';

export const trainingApi = {
  trees: () => call('GET', '/api/v1/kb/items').then((r) => (r.items || []).filter((i) => i.kind === 'tree' && i.published_version)),
  scenarios: (tree) => call('GET', `/api/v1/kb/training/scenarios?tree=${encodeURIComponent(tree)}`).then((r) => r.scenarios || []),
  start: (tree, scenario) => call('POST', '/api/v1/kb/training', scenario === undefined ? { tree } : { tree, scenario }),
  answer: (n, answer) => call('POST', `/api/v1/kb/sessions/${n}/answer`, { answer }),
  back: (n) => call('POST', `/api/v1/kb/sessions/${n}/back`),
  end: (n) => call('POST', `/api/v1/kb/sessions/${n}/end`, { resolved: true }),
  progress: () => call('GET', '/api/v1/kb/training/progress'),
};

// The roles whose progress view shows everyone (the API answers them all rows).
export const TRAINERS = ['supervisor', 'expert', 'tenant_admin'];

const norm = (s) => String(s ?? '').trim().toLowerCase();

// What was missed: each question answered otherwise than the customer had
// said (said: node → the customer's words at that question, kept while
// playing). A question where the customer did not know (null) is not
// counted. Each miss keeps the values, which the page words in its language.
export function missed(path, said) {
  const out = [];
  for (const step of path || []) {
    if (step.automatic) continue;
    const want = said[`${step.tree}/${step.node}`];
    if (want === undefined || want === null) continue;
    const got = step.label || step.answer;
    if (norm(got) !== norm(want) && norm(step.answer) !== norm(want))
      out.push({ question: step.question, answer: step.answer, label: step.label, said: want });
  }
  return out;
}

// Rows sorted by a column, ascending or descending; ties by person then tree.
export function sortRows(rows, key, dir) {
  const sign = dir === 'descending' ? -1 : 1;
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((a, b) => sign * cmp(a[key] ?? '', b[key] ?? '') || cmp(a.user ?? '', b.user ?? '') ||
    cmp(a.tree, b.tree));
}

// A scenario as the picker names it: its written name, else what it ends
// on (a reply's text without its {{variables}}, an article's title, an
// escalation's reason), shortened; else its number.
export function scenarioName(t, s) {
  if (s.name) return s.name;
  if (!s.ends) return t('training.number', { n: s.number + 1 });
  let text = s.ends.text.replace(/\s*\{\{[^}]*\}\}/g, '').replace(/\s+/g, ' ').trim();
  if (text.length > 60) text = `${text.slice(0, 59).trimEnd()}…`;
  return t(`training.ends.${s.ends.type}`, { text });
}
