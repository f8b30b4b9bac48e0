// The language of the page: the browser's first French or English choice,
// or the one the person picked (kept in localStorage). t() fills {names},
// picks plural forms with Intl.PluralRules and formats numbers with
// Intl.NumberFormat; a missing key shows itself, so a test finds it.
import en from './en.js';
import fr from './fr.js';
import { loadErrorCatalogue, translation } from './errors.js';

export const LANGUAGES = { en, fr };
const STORE_KEY = 'guichet.lang';

export function initialLanguage() {
  const kept = globalThis.localStorage?.getItem(STORE_KEY);
  if (kept && LANGUAGES[kept]) return kept;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES[base]) return base;
  }
  return 'en';
}

// Resolves to true once the server's refusals' catalogue for lang has come
// (loadErrorCatalogue).
export function keepLanguage(lang) {
  globalThis.localStorage?.setItem(STORE_KEY, lang);
  document.documentElement.lang = lang;
  return loadErrorCatalogue(lang); // the server's refusals in this language
}

export function translator(lang) {
  const table = LANGUAGES[lang] || en;
  const plurals = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(lang);
  const t = function t(key, vars = {}) {
    let text = table[key] ?? en[key] ?? key;
    if (typeof text === 'object') {
      const n = Number(vars.n ?? 0);
      text = (n === 0 && text.zero) || text[plurals.select(n)] || text.other;
    }
    return text.replace(/\{(\w+)\}/g, (_, name) => {
      const v = vars[name];
      // an identifier (id, contact_id) is written as the server and the errors write it: n° 12345
      if (typeof v === 'number' && (name === 'id' || name.endsWith('_id'))) return String(v);
      return typeof v === 'number' ? numbers.format(v) : v ?? '';
    });
  };
  t.lang = lang; // what failed() says a refusal in
  return t;
}

// What a page keeps to say (a status, a refusal): a text, or a function of
// (t, lang) that says it again in the page's language after a switch.
export function inLanguage(said, t, lang) {
  return typeof said === 'function' ? said(t, lang) : said;
}

// What a failure says: a refusal the page has in its language is a sentence
// of its own (« « body » est obligatoire. »); anything else (the server's
// English, a network failure) inside error.failed, which names it a failure
// (in French, quoted: "Une erreur est survenue : " before a sentence with
// colons of its own read as a stack of them). A refusal of the API is said in
// t's language, whichever the page had when it came: a page that keeps a
// failure as a function of t says it again after a switch.
export function failed(t, e) {
  if (e?.details && t.lang) {
    const said = translation(e.details, t.lang);
    if (said !== undefined) return said;
    if (e.apiMessage) return t('error.failed', { message: e.apiMessage });
  }
  return e && e.sentence ? e.message : t('error.failed', { message: e?.message ?? String(e ?? '') });
}
