// The templates of the server's error messages: every format string given to
// reply_error() (its fifth argument), the store's store_errorf() (its
// second), the decoders' decode_fail() and the core operations' ops_fail()
// (their fourth), the routing engine's route_refuse() and engine_error() (their third), and the notes guichet
// writes on contacts (SYSTEM_NOTE()) in src/: one C string literal, or literals glued, or
// `cond ? "a" : "b"`, as the API sends it in an error's `template`. The web pages translate an error by its template
// (src/i18n/errors.js); web/tests/run.mjs checks with this list that every
// translated template is one the server still says, with as many values.
// Run alone, prints them, one JSON string a line.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function cFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cFiles(join(dir, e.name)) : e.name.endsWith('.c') ? [join(dir, e.name)] : []);
}

// A C string literal's value (the escapes the sources use).
function unescape(body) {
  return body.replace(/\\(["'\\?abfnrtv])/g, (_, c) =>
    ({ n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' })[c] ?? c);
}

const LITERALS = /^\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+)/;
function literalAt(text) {
  const m = LITERALS.exec(text);
  if (!m) return null;
  return { value: [...m[1].matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((x) => unescape(x[1])).join(''), length: m[0].length };
}

// The arguments of a call starting after its "(": split at the top level's commas.
function callArguments(text) {
  const args = [];
  let depth = 0, start = 0, i = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  args.push(text.slice(start, i));
  return args;
}

// The templates an argument can be: a literal, or each side of a ?: of literals.
function templatesOf(arg) {
  const whole = literalAt(arg);
  if (whole && arg.slice(whole.length).trim() === '') return [whole.value];
  const q = arg.indexOf('?');
  if (q < 0) return [];
  const rest = arg.slice(q + 1);
  const a = literalAt(rest);
  if (!a) return [];
  const after = rest.slice(a.length).trim();
  if (!after.startsWith(':')) return [];
  const b = literalAt(after.slice(1));
  return b && after.slice(1).slice(b.length).trim() === '' ? [a.value, b.value] : [];
}

// each function's format string: its argument's index
const FORMAT_ARGUMENT = { reply_error: 4, store_errorf: 1, decode_fail: 3, ops_fail: 3, route_refuse: 2, engine_error: 2,
  SYSTEM_NOTE: 0 };

export function serverTemplates() {
  const found = new Set();
  for (const file of cFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(reply_error|store_errorf|decode_fail|ops_fail|route_refuse|engine_error|SYSTEM_NOTE)\(/g)) {
      const at = FORMAT_ARGUMENT[m[1]];
      const args = callArguments(text.slice(m.index + m[0].length));
      if (args.length > at) for (const t of templatesOf(args[at])) found.add(t);
    }
  }
  return found;
}

// The values a template takes, in order: its conversions but "%%".
export function conversions(template) {
  return [...template.matchAll(/%(?:%|[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfFgGaAcsp])/g)]
    .filter((m) => m[0] !== '%%').length;
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  for (const t of [...serverTemplates()].sort()) console.log(JSON.stringify(t));
