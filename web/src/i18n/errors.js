// The server's error messages in the page's language. An API error carries
// its message's template (the English format string, as gettext keys a
// message by its English text) and the values put in it (docs/api.md,
// "Errors"); a catalogue gives the template in another language, with a
// conversion (%s, %d, %lld, %.1f...) where each value goes, in order, or
// %2$s for the second. A template a catalogue lacks keeps the English
// message. web/tests/run.mjs checks that every translated template is one the
// server still says (web/scripts/server-messages.mjs), with as many values.
// Each catalogue is a chunk of its own, fetched when the page is in its
// language (keepLanguage): the English desk loads none of it.
const LOADERS = { fr: () => import('./errors.fr.js') };
const CATALOGUES = {};

export function loadErrorCatalogue(lang) {
  if (LOADERS[lang] && !CATALOGUES[lang])
    LOADERS[lang]().then((m) => { CATALOGUES[lang] = m.default; }, () => {}); // none: the English message
}

export const CONVERSION = /%(?:(\d+)\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfFgGaAcsp]|%%/g;

// error: the API's {code, message, template, args}; lang: the page's
// (<html lang>, which the pages keep) unless given.
export function localMessage(error, lang = globalThis.document?.documentElement?.lang) {
  const table = CATALOGUES[lang];
  const text = table && error && typeof error.template === 'string' ? table[error.template] : undefined;
  if (text === undefined) return error?.message;
  const args = Array.isArray(error.args) ? error.args : [];
  let next = 0;
  return text.replace(CONVERSION, (whole, position) =>
    whole === '%%' ? '%' : String(args[position ? Number(position) - 1 : next++] ?? ''));
}
