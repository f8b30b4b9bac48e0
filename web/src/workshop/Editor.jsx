// One article or tree: its fields (a tree as an outline of nodes, or raw
// JSON), checked on each change here and by the API on each save, every
// error shown at its node and field (the first one focused after a save);
// the previews as the agent and as the customer see it; its review steps;
// and the comparison of two versions. performance marks 'tree-open-start'
// (the item's answer arrived) and 'tree-open-end' (the editor rendered and
// checked it) measure 'tree-open' for the benchmark (bench/web/run).
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { kb, canWrite } from './calls.js';
import { ARTICLE_TYPES, addNode, emptyContent, errorIndex, fromContent, keyErrors, moveNode, removeNode,
  toContent, validate, LANG_NAMES } from './model.js';
import { Field, lines, words } from './fields.jsx';
import { TreeOutline } from './TreeOutline.jsx';
import { Review } from './Review.jsx';
import { Preview } from './Preview.jsx';
import { Compare } from './Compare.jsx';
import { Tabs } from './tabs.jsx';

// The fields of the item itself (the tree's or the article's).
function ItemFields({ t, content, isNew, at, set }) {
  const tree = content.kind === 'tree';
  return (
    <div class="item-fields">
      {isNew && <Field id="f-id" label={t('ws.field.id')} value={content.id} errors={at('id')} onInput={(v) => set({ id: v })}
        hint={t('ws.id_hint')} />}
      <Field id="f-title" label={t('ws.item_title')} value={content.title} errors={at('title')} onInput={(v) => set({ title: v })} />
      <div class="field">
        <label for="f-lang">{t('ws.content_lang')}</label>
        <select id="f-lang" value={content.lang} onChange={(e) => set({ lang: e.target.value })}>
          {Object.entries(LANG_NAMES).map(([code, name]) => <option value={code} lang={code}>{name}</option>)}
        </select>
      </div>
      {tree ? <Field id="f-start" label={t('ws.field.start')} value={content.start} errors={at('start')} list="ws-node-ids"
        onInput={(v) => set({ start: v })} /> : (
        <div class="field">
          <label for="f-type">{t('ws.article_type')}</label>
          <select id="f-type" value={content.type || 'answer'} onChange={(e) => set({ type: e.target.value })}>
            {ARTICLE_TYPES.map((ty) => <option value={ty}>{t(`ws.atype.${ty}`)}</option>)}
          </select>
        </div>
      )}
      <Field id="f-tags" label={t('ws.field.tags')} value={(content.tags || []).join(', ')} errors={at('tags')}
        onInput={(v) => set({ tags: words(v) })} />
      <Field id="f-products" label={t('ws.field.products')} value={(content.products || []).join(', ')}
        errors={at('products')} onInput={(v) => set({ products: words(v) })} />
    </div>
  );
}

function ArticleBody({ t, content, at, set }) {
  const replies = content.replies || [];
  const editReply = (i, patch) => set({ replies: replies.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <div class="article-fields">
      <Field id="f-body" label={t('ws.field.body')} value={content.body} errors={at('body')} multiline rows={6}
        onInput={(v) => set({ body: v })} />
      <Field id="f-steps" label={t('ws.field.steps')} value={(content.steps || []).join('\n')} errors={at('steps')}
        multiline rows={4} hint={t('ws.steps_hint')} onInput={(v) => set({ steps: lines(v) })} />
      <Field id="f-internal" label={t('ws.field.internal')} value={content.internal} errors={at('internal')} multiline
        onInput={(v) => set({ internal: v })} />
      <fieldset class="links">
        <legend>{t('ws.field.replies')}</legend>
        {replies.map((r, i) => (
          <div class="link-row">
            <Field id={`f-reply${i}-name`} label={t('ws.reply_name', { n: i + 1 })} value={r.name}
              onInput={(v) => editReply(i, { name: v })} />
            <Field id={`f-reply${i}-text`} label={t('ws.reply_text', { n: i + 1 })} value={r.text} multiline rows={2}
              onInput={(v) => editReply(i, { text: v })} />
            <button type="button" onClick={() => set({ replies: replies.filter((_, j) => j !== i) })}>
              {t('ws.remove_reply', { n: i + 1 })}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => set({ replies: [...replies, { name: '', text: '' }] })}>{t('ws.add_reply')}</button>
        {at('replies').length > 0 && <p class="error" id="f-replies-err">{at('replies').map((e) => e.text).join(' ')}</p>}
      </fieldset>
    </div>
  );
}

function RawJson({ t, content, onApply }) {
  const [text, setText] = useState(() => JSON.stringify(toContent(content), null, 2));
  const [error, setError] = useState('');
  const apply = () => {
    try {
      const c = JSON.parse(text);
      if (!c || typeof c !== 'object' || Array.isArray(c)) throw new Error(t('ws.json_object'));
      setError('');
      onApply(c);
    } catch (e) { setError(e.message); }
  };
  return (
    <div class="raw">
      <label for="f-json">{t('ws.json')}</label>
      <textarea id="f-json" rows={20} value={text} onInput={(e) => setText(e.target.value)}
        aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'f-json-err' : undefined} />
      {error && <p class="error" id="f-json-err">{error}</p>}
      <button type="button" onClick={apply}>{t('ws.json_apply')}</button>
    </div>
  );
}

// A field by its label where the editor has one ('If no, go to'), else by its name.
function fieldName(t, f) {
  const k = `ws.field.${f}`;
  const v = t(k);
  return v === k ? f : v;
}

// The errors (the server's when it answered, else the checks here) as text,
// with their node's key: said from their code in the page's language (the
// API's message is English), the message only for a code this page does not know.
function describe(t, list) {
  return list.map((e) => {
    const key = `ws.v.${e.code}`;
    const said = e.code ? t(key, { ...e.vars, field: fieldName(t, e.vars?.field ?? e.field) }) : key;
    return { ...e, text: said !== key ? said : e.message };
  });
}

export function Editor({ t, me, lang, itemKey, kind, say, fail, onClose, onCreated }) {
  const [item, setItem] = useState(null);
  const [content, setContent] = useState(() => (itemKey ? null : emptyContent(kind, lang)));
  const [server, setServer] = useState([]); // the API's errors of the last save
  const [tab, setTab] = useState('edit');
  const [busy, setBusy] = useState(false);
  const focusError = useRef(false);
  const measured = useRef(false);
  const root = useRef(null);

  const load = (key) => kb.get(key).then((it) => {
    if (!measured.current) performance.mark('tree-open-start');
    setItem(it);
    setContent(fromContent(it.draft));
  }, fail);
  useEffect(() => { if (itemKey) load(itemKey); }, [itemKey]);

  const checks = useMemo(() => (content ? validate(content) : []), [content]);
  const errors = useMemo(() => describe(t, server.length ? server : checks), [server, checks, t]);
  const byKey = useMemo(() => errorIndex(errors), [errors]);
  const itemErrors = byKey.get('') || [];
  const at = (f) => itemErrors.filter((e) => e.field === f);

  useLayoutEffect(() => {
    if (content && item && !measured.current) {
      measured.current = true;
      performance.mark('tree-open-end');
      performance.measure('tree-open', 'tree-open-start', 'tree-open-end');
    }
    if (focusError.current && root.current) {
      focusError.current = false;
      const bad = root.current.querySelector('[aria-invalid="true"], [data-error]');
      if (bad) { bad.scrollIntoView({ block: 'center' }); bad.focus(); }
    }
  });

  // edits: a node's server errors go with the change that answers them
  const [unfolded, setUnfolded] = useState(() => new Map()); // a node's key: open or not, as the author chose
  const ops = useMemo(() => {
    const nodes = (fn) => setContent((c) => ({ ...c, nodes: fn(c.nodes) }));
    const forget = (k) => setServer((s) => (s.length ? s.filter((e) => e.key !== k) : s));
    const index = (list, k) => list.findIndex((n) => n._k === k);
    return {
      setNode: (k, patch) => { nodes((l) => l.map((n) => (n._k === k ? { ...n, ...patch } : n))); forget(k); },
      setType: (k, type) => {
        nodes((l) => l.map((n) => {
          if (n._k !== k) return n;
          const m = { ...n, type };
          if (type === 'choice' && !m.choices) m.choices = [];
          if (type === 'number' && !m.ranges) m.ranges = [{}];
          return m;
        }));
        forget(k);
      },
      move: (k, d) => nodes((l) => moveNode(l, index(l, k), index(l, k) + d)),
      add: (k) => nodes((l) => {
        const out = addNode(l, k === null ? l.length : index(l, k) + 1, 'choice');
        const added = out.find((n) => !l.includes(n));
        setUnfolded((m) => new Map(m).set(added._k, true));
        return out;
      }),
      remove: (k) => { nodes((l) => removeNode(l, index(l, k))); forget(k); },
      fold: (k, open) => setUnfolded((m) => new Map(m).set(k, open)),
    };
  }, []);
  const set = (patch) => { setContent((c) => ({ ...c, ...patch })); setServer((s) => s.filter((e) => e.key)); };

  const save = async () => {
    const body = toContent(content);
    const key = itemKey || body.id;
    setBusy(true);
    try {
      const saved = itemKey ? await kb.put(itemKey, body) : await kb.create(key || '-', body);
      setServer([]);
      setItem(saved);
      setContent(fromContent(saved.draft));
      say((tr) => tr('ws.saved', { title: saved.title }));
      if (!itemKey) onCreated(saved.id);
    } catch (e) {
      const list = e.errors || (e.field ? [{ field: e.field, message: e.message }] : null);
      if (list) {
        setServer(keyErrors(content, list));
        focusError.current = true;
        setTab('edit');
        say((tr) => tr('ws.not_saved', { n: list.length }));
      } else fail(e);
    } finally { setBusy(false); }
  };

  if (!content) return <p role="status">{t('loading')}</p>;
  const tree = content.kind === 'tree';
  const tabs = [['edit', t('ws.tab.edit')], ['json', t('ws.tab.json')], ['agent', t('ws.tab.agent')],
    ['customer', t('ws.tab.customer')], ...(item ? [['compare', t('ws.tab.compare')]] : [])];
  const title = item ? item.title : t(tree ? 'ws.new_tree' : 'ws.new_article');
  return (
    <section class="editor" ref={root} aria-labelledby="ws-editor-title">
      <div class="editor-head">
        <h2 id="ws-editor-title">{title}</h2>
        {item && <span class={`ws-state ${item.state}`}>{t(`ws.state.${item.state}`)}</span>}
        {item?.published_version > 0 && <span class="muted">{t('ws.published_version', { n: item.published_version })}</span>}
        <span class="spacer" />
        <button type="button" onClick={onClose}>{t('ws.back_to_list')}</button>
      </div>
      {item?.review_comment && (
        <div class="ws-comment" role="note" aria-labelledby="ws-comment-title">
          <h3 id="ws-comment-title">{t('ws.review_comment')}</h3>
          <p>{item.review_comment}</p>
        </div>
      )}
      {server.length > 0 && (
        <div class="error-summary" role="alert">
          <p>{t('ws.server_errors', { n: server.length })}</p>
          <ul>{describe(t, server).map((e) => <li>{e.node ? `${e.node} · ` : ''}{e.field ? t('ws.at_field', { field: fieldName(t, e.field) }) : ''}{e.text}</li>)}</ul>
        </div>
      )}
      <Tabs label={title} tabs={tabs} current={tab} prefix="e" onChoose={setTab} />
      <div role="tabpanel" id={`epanel-${tab}`} aria-labelledby={`etab-${tab}`}>
        {tab === 'edit' && (
          <>
            <ItemFields t={t} content={content} isNew={!itemKey} at={at} set={set} />
            {tree ? <TreeOutline t={t} content={content} errorsByKey={byKey} ops={ops} unfolded={unfolded} />
              : <ArticleBody t={t} content={content} at={at} set={set} />}
            {itemErrors.filter((e) => !['id', 'title', 'start', 'tags', 'products', 'body', 'steps', 'internal', 'replies'].includes(e.field))
              .map((e) => <p class="error" data-error tabindex="-1">{e.field ? `${e.field}: ` : ''}{e.text}</p>)}
            <p class="muted" aria-live="polite">{checks.length ? t('ws.checks', { n: checks.length }) : t('ws.checks_ok')}</p>
          </>
        )}
        {tab === 'json' && <RawJson t={t} content={content} onApply={(c) => { setContent(fromContent(c)); setServer([]); setTab('edit'); }} />}
        {(tab === 'agent' || tab === 'customer') && <Preview t={t} content={content} as={tab} />}
        {tab === 'compare' && item && <Compare t={t} item={item} draft={toContent(content)} fail={fail} />}
      </div>
      {canWrite(me.role) && (
        <div class="buttons save">
          <button type="button" class="primary" disabled={busy} onClick={save}>{t('ws.save')}</button>
        </div>
      )}
      {item && <Review t={t} me={me} item={item} say={say} fail={fail} onChange={(it) => { setItem(it); }} />}
    </section>
  );
}
