// The knowledge upkeep's API calls (gaps, thesaurus, learned links, new
// drafts), built on call() of ../api.js so the session and CSRF rules stay
// in one place.
import { folded } from '../text.js';
import { call } from '../api.js';

const q = encodeURIComponent;

export const upkeepApi = {
  gaps: () => call('GET', '/api/v1/kb/gaps'),
  items: () => call('GET', '/api/v1/kb/items'),
  thesaurus: () => call('GET', '/api/v1/kb/thesaurus'),
  addSynonyms: (lang, word, synonyms) => call('POST', '/api/v1/kb/thesaurus', { lang, word, synonyms }),
  removeSynonym: (lang, word, synonym) =>
    call('DELETE', `/api/v1/kb/thesaurus?lang=${q(lang)}&word=${q(word)}&synonym=${q(synonym)}`),
  refuseProposal: (lang, word) => call('DELETE', `/api/v1/kb/thesaurus/proposals?lang=${q(lang)}&word=${q(word)}`),
  // a failed query linked to an item: taught as a past resolution (JSON Lines)
  learn: (query, item, kind, lang) => send('POST', '/api/v1/kb/learn', 'application/x-ndjson',
    `${JSON.stringify({ query, [kind === 'tree' ? 'tree' : 'article']: item, resolved: true, lang })}\n`),
  // a new item only (If-None-Match: *): an id taken answers 412, never replacing a draft
  newArticle: (id, title, body, lang) => send('PUT', `/api/v1/kb/items/${q(id)}`, 'application/json',
    JSON.stringify({ kind: 'article', type: 'answer', title, body, lang }), { 'If-None-Match': '*' }),
};

// call() for the answers whose 400 lists each error ({errors:[{field,
// message}]}): the first one is thrown, so it shows on its field, with the
// answer's status.
async function send(method, path, type, body, extra = {}) {
  const res = await fetch(path, {
    method, credentials: 'same-origin', body,
    headers: { Accept: 'application/json', 'Content-Type': type, 'X-CSRF-Token': csrf(), ...extra },
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data && data.error) || {};
    const first = (e.errors && e.errors[0]) || {};
    const err = new Error(first.message || e.message || `HTTP ${res.status}`);
    err.field = first.field || e.field;
    err.status = res.status;
    throw err;
  }
  return data;
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)guichet_csrf=([^;]+)/);
  return m ? m[1] : '';
}

// An item id from words: lowercase letters and digits joined by '-', at most 64.
export function slug(text) {
  return folded(text)
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '') || 'article';
}

// Proposals come one per word and item: one per word, its evidence the
// items it led to and the number of resolved queries that used it.
export function proposalsByWord(list) {
  const by = new Map();
  for (const p of list || []) {
    const key = `${p.lang}\u0000${p.word}`;
    const w = by.get(key) || { lang: p.lang, word: p.word, count: 0, titles: [] };
    w.count = Math.max(w.count, p.count); // one resolved query counts for its tree and its article
    w.titles.push(p.title);
    by.set(key, w);
  }
  return [...by.values()].sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1));
}

// Entries come both ways (word → phrase and phrase → word): one row per pair.
export function pairs(entries) {
  const seen = new Set();
  const out = [];
  for (const e of entries || []) {
    const [a, b] = e.word < e.phrase ? [e.word, e.phrase] : [e.phrase, e.word];
    const key = `${e.lang}\u0000${a}\u0000${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ lang: e.lang, word: a, phrase: b });
  }
  return out;
}
