// The workshop's model, pure (no DOM, no API), so that a test or a bench
// can call it: an article or a tree as the editor holds it (each node with
// a key of its own, so that rows keep their identity when nodes move), the
// checks cheap enough to run on each change (the server's, which always
// has the last word, are in src/kb/tree.c and content.c), the errors
// indexed by node and field, the difference of two versions, and one step
// of a tree's walk for the previews.

export const QUESTION_TYPES = ['choice', 'yesno', 'number', 'text'];
export const OUTCOME_TYPES = ['article', 'reply', 'escalate', 'return'];
export const NODE_TYPES = [...QUESTION_TYPES, 'tree', ...OUTCOME_TYPES];
export const ARTICLE_TYPES = ['answer', 'recommendation', 'procedure'];
export const STATES = ['draft', 'review', 'approved', 'published', 'archived'];
// The content's languages by their own names, as a reader of each looks for them.
export const LANG_NAMES = { fr: 'Français', en: 'English' };
const ID = /^[A-Za-z0-9._-]{1,64}$/;

let nextKey = 1;
export const newKey = () => `n${nextKey++}`;

// The editor's form of a content: a tree's nodes carry a key (_k).
export function fromContent(content) {
  const c = structuredClone(content || {});
  if (c.kind === 'tree' || Array.isArray(c.nodes)) {
    c.kind = 'tree';
    c.nodes = (c.nodes || []).map((n) => ({ ...n, _k: newKey() }));
  } else c.kind = 'article';
  return c;
}

export function emptyContent(kind, lang) {
  if (kind === 'tree') {
    const k = newKey();
    return { kind: 'tree', id: '', title: '', lang, start: 'start', nodes: [{ _k: k, id: 'start', type: 'choice', text: '', choices: [] }] };
  }
  return { kind: 'article', id: '', type: 'answer', title: '', lang, body: '' };
}

const blank = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

// What is sent: keys dropped, empty optional fields left out.
export function toContent(c) {
  const out = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'nodes') out.nodes = v.map(cleanNode);
    else if (!blank(v) || ['id', 'title', 'lang', 'kind', 'start'].includes(k)) out[k] = v;
  }
  return out;
}

function cleanNode(n) {
  const out = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === '_k' || v === undefined || (blank(v) && !['id', 'type', 'choices', 'ranges'].includes(k))) continue;
    if (k === 'choices') out.choices = v.map((c) => drop(c, ['when']));
    else if (k === 'ranges') out.ranges = v.map((r) => drop(r, ['min', 'max']));
    else out[k] = v;
  }
  return out;
}

function drop(o, optional) {
  const out = { ...o };
  for (const k of optional) if (blank(out[k])) delete out[k];
  return out;
}

// The fields each node type shows, in order (text fields, then links).
export function nodeFields(type) {
  switch (type) {
    case 'choice': return ['text', 'customer_text', 'note', 'from', 'choices'];
    case 'yesno': return ['text', 'customer_text', 'note', 'from', 'yes', 'no'];
    case 'number': return ['text', 'customer_text', 'note', 'from', 'ranges'];
    case 'text': return ['text', 'customer_text', 'note', 'next'];
    case 'tree': return ['tree', 'next'];
    case 'article': return ['article'];
    case 'reply': return ['text', 'customer_text'];
    case 'escalate': return ['reason', 'queue'];
    default: return [];
  }
}
const REQUIRED = { choice: ['text'], yesno: ['text', 'yes', 'no'], number: ['text'], text: ['text', 'next'],
  tree: ['tree'], article: ['article'], reply: ['text'], escalate: ['reason'], return: [] };
export const LINK_FIELDS = ['yes', 'no', 'next'];

// The nodes a node leads to.
export function successors(n) {
  const out = [];
  for (const c of n.choices || []) out.push(c.next);
  for (const r of n.ranges || []) out.push(r.next);
  for (const f of LINK_FIELDS) if (n[f]) out.push(n[f]);
  return out;
}

// Client-side checks: [{node (its id, "" for the tree), key (its _k), field, code, vars}].
export function validate(c) {
  const errors = [];
  const add = (node, field, code, vars = {}) => errors.push({ node: node ? node.id : '', key: node?._k, field, code, vars });
  if (!ID.test(c.id || '')) add(null, 'id', 'id');
  if (!String(c.title || '').trim()) add(null, 'title', 'required', { field: 'title' });
  if (c.kind !== 'tree') {
    if (!String(c.body || '').trim()) add(null, 'body', 'required', { field: 'body' });
    if (c.type === 'procedure' && !(c.steps || []).length) add(null, 'steps', 'steps');
    (c.replies || []).forEach((r, i) => (!r.name || !r.text) && add(null, 'replies', 'reply', { n: i + 1 }));
    return errors;
  }
  const byId = new Map();
  for (const n of c.nodes) {
    if (!ID.test(n.id || '')) add(n, 'id', 'id');
    else if (byId.has(n.id)) add(n, 'id', 'duplicate');
    else byId.set(n.id, n);
  }
  const link = (n, field, id) => {
    if (!id) add(n, field, 'required', { field });
    else if (!byId.has(id)) add(n, field, 'no_node', { field, id });
  };
  for (const n of c.nodes) {
    for (const f of REQUIRED[n.type] || []) if (!LINK_FIELDS.includes(f) && !String(n[f] || '').trim()) add(n, f, 'required', { field: f });
    for (const f of LINK_FIELDS) if ((REQUIRED[n.type] || []).includes(f) || (n.type === 'tree' && f === 'next' && n.next)) link(n, f, n[f]);
    if (n.type === 'choice') {
      if (!(n.choices || []).length) add(n, 'choices', 'no_choices');
      (n.choices || []).forEach((ch) => { if (!ch.value) add(n, 'choices', 'choice_value'); link(n, 'choices', ch.next); });
    }
    if (n.type === 'number') {
      const r = n.ranges || [];
      if (!r.length) add(n, 'ranges', 'no_ranges');
      r.forEach((x) => link(n, 'ranges', x.next));
      if (r.length && (!blank(r[r.length - 1].min) || !blank(r[r.length - 1].max))) add(n, 'ranges', 'last_range');
    }
  }
  if (!byId.has(c.start)) add(null, 'start', 'no_node', { field: 'start', id: c.start || '' });
  else if (!errors.length) reach(c.nodes, byId, c.start, add);
  return errors;
}

// Every node reached from the start, and able to end in an outcome.
function reach(nodes, byId, start, add) {
  const seen = new Set([start]);
  const todo = [start];
  const into = new Map();
  while (todo.length) {
    const n = byId.get(todo.pop());
    for (const s of successors(n)) {
      if (!into.has(s)) into.set(s, []);
      into.get(s).push(n.id);
      if (!seen.has(s)) { seen.add(s); todo.push(s); }
    }
  }
  const ends = new Set(nodes.filter((n) => OUTCOME_TYPES.includes(n.type) || (n.type === 'tree' && !n.next)).map((n) => n.id));
  const back = [...ends];
  while (back.length) for (const p of into.get(back.pop()) || []) if (!ends.has(p)) { ends.add(p); back.push(p); }
  for (const n of nodes) {
    if (!seen.has(n.id)) add(n, null, 'unreached');
    else if (!ends.has(n.id)) add(n, null, 'no_end');
  }
}

// The server's errors ({node, field, message}) given the keys of their
// nodes: a node named by id, or "#3" for the third when its id is wrong.
export function keyErrors(c, errors) {
  const nodes = c.nodes || [];
  return (errors || []).map((e) => {
    let n = null;
    if (e.node && /^#\d+$/.test(e.node)) n = nodes[Number(e.node.slice(1)) - 1];
    else if (e.node) n = nodes.find((x) => x.id === e.node);
    return { ...e, key: n ? n._k : undefined };
  });
}

// Errors by where they show: "" for the item's own fields, else a node's key.
export function errorIndex(errors) {
  const index = new Map();
  for (const e of errors) {
    const where = e.key || '';
    if (!index.has(where)) index.set(where, []);
    index.get(where).push(e);
  }
  return index;
}

// --- node operations, each a new list ---

export function addNode(nodes, at, type) {
  const used = new Set(nodes.map((n) => n.id));
  let i = nodes.length + 1;
  while (used.has(`node-${i}`)) i++;
  const n = { _k: newKey(), id: `node-${i}`, type };
  if (type === 'choice') n.choices = [];
  if (type === 'number') n.ranges = [{}];
  const out = nodes.slice();
  out.splice(at, 0, n);
  return out;
}

export function moveNode(nodes, from, to) {
  if (to < 0 || to >= nodes.length) return nodes;
  const out = nodes.slice();
  const [n] = out.splice(from, 1);
  out.splice(to, 0, n);
  return out;
}

export const removeNode = (nodes, at) => nodes.filter((_, i) => i !== at);

// --- comparing two versions ---

const show = (v) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

// The fields that differ ([{field, before, after}]) and the nodes added,
// removed or changed ([{id, change, fields}]).
export function diff(a, b) {
  const fields = [];
  const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  for (const k of keys) {
    if (k === 'nodes') continue;
    if (show(a?.[k]) !== show(b?.[k])) fields.push({ field: k, before: show(a?.[k]), after: show(b?.[k]) });
  }
  const nodes = [];
  const an = new Map((a?.nodes || []).map((n) => [n.id, n]));
  const bn = new Map((b?.nodes || []).map((n) => [n.id, n]));
  for (const [id, n] of an) {
    if (!bn.has(id)) nodes.push({ id, change: 'removed', fields: [] });
    else {
      const d = diff({ ...n, _k: undefined }, { ...bn.get(id), _k: undefined }).fields;
      if (d.length) nodes.push({ id, change: 'changed', fields: d });
    }
  }
  for (const [id, n] of bn) if (!an.has(id)) nodes.push({ id, change: 'added', fields: diff({}, { ...n, _k: undefined }).fields });
  return { fields, nodes };
}

// --- one step of a walk, for the previews ---

// The node an answer leads to (null when the answer leads nowhere).
export function answerNext(node, answer) {
  switch (node.type) {
    case 'choice': return (node.choices || []).find((c) => c.value === answer)?.next ?? null;
    case 'yesno': return answer === 'yes' ? node.yes : answer === 'no' ? node.no : null;
    case 'number': {
      const x = Number(answer);
      if (answer === '' || Number.isNaN(x)) return null;
      const r = (node.ranges || []).find((g) => (blank(g.min) || x >= g.min) && (blank(g.max) || x <= g.max));
      return r ? r.next : null;
    }
    case 'text': return answer ? node.next : null;
    case 'tree': return node.next || null;
    default: return null;
  }
}
