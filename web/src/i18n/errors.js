// The server's error messages in the page's language. An API error carries
// its message's template (the English format string, as gettext keys a
// message by its English text) and the values put in it (docs/api.md,
// "Errors"); a catalogue gives the template in another language, with a
// conversion (%s, %d, %lld, %.1f...) where each value goes, in order, or
// %2$s for the second; a number goes in as the page writes numbers
// (formatValue). A template a catalogue lacks keeps the English message,
// which a page says under "Something went wrong" (i18n failed()); a
// translation is a sentence of its own. web/tests/run.mjs checks that every
// translated template is one the server still says
// (web/scripts/server-messages.mjs), with as many values.
// Each catalogue is a chunk of its own, fetched when the page is in its
// language (keepLanguage): the English desk loads none of it.
//
// An entry is the translated text, or { text, values, nested } where a value
// is English the server writes itself: `values` maps such a value, from a
// closed set (a state, a reason), to the page's words, by its position (1 for
// the first); `nested` lists the positions whose value is itself one of the
// server's messages (an item's error inside "item %zu: %s"), said in the
// page's language when a template of the catalogue matches it.
const LOADERS = { fr: () => import('./errors.fr.js') };
const CATALOGUES = {};

// Loads lang's catalogue once; resolves to true when this call brought it
// (what was said before it came can be said again), false otherwise.
export function loadErrorCatalogue(lang) {
  if (!LOADERS[lang] || CATALOGUES[lang]) return Promise.resolve(false);
  return LOADERS[lang]().then((m) => { CATALOGUES[lang] = m.default; return true; },
    () => false); // none: the English message
}

export const CONVERSION = /%(?:(\d+)\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfFgGaAcsp]|%%/g;

// A value where a numeric conversion (%d, %lld, %zu, %.1f, %g...) takes it,
// in the page's language: "2000" is "2 000" and "2.5" "2,5" in French, with
// the decimals the server wrote. As the server wrote it: a value that is no
// plain number, a zero-padded one (%02d in a time), one in hexadecimal or
// with an exponent, and one the translation calls an identifier ("n° %lld")
// or a position in a field's name ("articles[%zu]"), which the reader types
// back as it is.
const NUMERIC = /^%(?:\d+\$)?([-+ #0']*)(\d*)(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diufFgG]$/;
const PLAIN = /^-?\d+(?:\.(\d+))?$/;
const NAME_BEFORE = /(?:n°|#|\[)\s*$/;

export function formatValue(conversion, value, lang, before = '') {
  const numeric = NUMERIC.exec(conversion);
  const text = String(value ?? '');
  const plain = PLAIN.exec(text);
  if (!numeric || !plain || numeric[1].includes('0') || NAME_BEFORE.test(before) || !lang) return text;
  const decimals = plain[1] ? plain[1].length : 0;
  try {
    return new Intl.NumberFormat(lang, { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
      .format(decimals ? Number(text) : BigInt(text)); // an int64 keeps its every digit
  } catch {
    return text;
  }
}

// A translated template with its values put in (text: the catalogue's).
export function fillTemplate(text, args, lang) {
  return fill(null, text, args, lang);
}

// error: the API's {code, message, template, args}; lang: the page's
// (<html lang>, which the pages keep) unless given. Undefined without a message.
export function localMessage(error, lang = globalThis.document?.documentElement?.lang) {
  return translation(error, lang) ?? error?.message;
}

// The error said in lang, or undefined: then the message is the server's
// English, a phrase in lower case with no final stop; a translation is a
// sentence of its own, which a page says without "Something went wrong". An
// error without a template (a message passed on whole, as "%s") is said by
// the template its text matches, if one does.
export function translation(error, lang = globalThis.document?.documentElement?.lang) {
  const table = CATALOGUES[lang];
  if (!table || !error) return undefined;
  const entry = typeof error.template === 'string' ? table[error.template] : undefined;
  if (entry !== undefined) return fill(table, entry, Array.isArray(error.args) ? error.args : [], lang);
  if (error.template == null && typeof error.message === 'string') return nestedMessage(table, error.message, lang);
  return undefined;
}

// A note guichet wrote on a contact (an escalation, a failed send: SYSTEM_NOTE
// in src/), in the page's language when a template of the catalogue matches
// it; any other text as it is.
export function localNote(text, lang = globalThis.document?.documentElement?.lang) {
  const table = CATALOGUES[lang];
  return (table && typeof text === 'string' && nestedMessage(table, text, lang)) || text;
}

// A refusal said inside a sentence of the page's (why a diagnosis's end did
// not escalate): its words in the page's language, without the field the
// API's message names first ("queue_id: ..."), which says nothing to a person.
export function localReason(text, lang = globalThis.document?.documentElement?.lang) {
  return localNote(text, lang).replace(/^[a-z_]+: /, '');
}

// A contact's subject in the page's language when guichet wrote it ("Callback",
// "Call from ...", "Chat with ...": SYSTEM_NOTE in src/). An email's subject
// is the customer's own words, kept as they are, but for the one guichet
// gives a message left on a closed chat.
export function localSubject(subject, channel, lang = globalThis.document?.documentElement?.lang) {
  if (channel === 'email' && !String(subject).startsWith('Message left on the chat')) return subject;
  return localNote(subject, lang);
}

// For the tests: a catalogue given rather than loaded.
export function useErrorCatalogue(lang, table) { CATALOGUES[lang] = table; }

// entry: a catalogue's text, or { text, values, nested } (above).
function fill(table, entry, args, lang) {
  const text = typeof entry === 'string' ? entry : entry.text;
  const value = (i, conversion, before) => {
    const v = String(args[i] ?? '');
    const words = entry.values?.[i + 1];
    if (words && Object.hasOwn(words, v)) return words[v];
    if (table && entry.nested?.includes(i + 1)) return nestedMessage(table, v, lang) ?? v;
    return formatValue(conversion, v, lang, before);
  };
  let next = 0;
  return text.replace(CONVERSION, (whole, position, offset) => whole === '%%' ? '%'
    : value(position ? Number(position) - 1 : next++, whole, text.slice(Math.max(0, offset - 4), offset)));
}

// A message the server wrote inside another: the catalogue's template it was
// made from, found by matching each template's literal text around its values
// (the template with the most text first).
const PATTERNS = new WeakMap();
function nestedMessage(table, message, lang) {
  let patterns = PATTERNS.get(table);
  if (!patterns) {
    patterns = [];
    for (const template of Object.keys(table)) {
      const literals = template.split(CONVERSION_ONLY);
      if (literals.join('').trim() === '') continue; // "%s" alone would match anything
      const escape = (l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // a value from a closed set matches one of its words only: "%s%s" side by side are told apart
      const words = table[template].values ?? {};
      const group = (i) => (words[i + 1] ? `(${Object.keys(words[i + 1]).map(escape).join('|')})` : '(.*?)');
      const source = literals.map((l, i) => (i ? group(i - 1) : '') + escape(l).replaceAll('%%', '%')).join('');
      patterns.push([new RegExp(`^${source}$`, 's'), template, literals.join('').length]);
    }
    patterns.sort((a, b) => b[2] - a[2]); // the most literal text first: the most particular template
    PATTERNS.set(table, patterns);
  }
  for (const [pattern, template] of patterns) {
    const m = pattern.exec(message);
    if (m) return fill(table, table[template], m.slice(1), lang);
  }
  return undefined;
}
const CONVERSION_ONLY = /%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfFgGaAcsp]/;
