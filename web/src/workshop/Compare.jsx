// Two versions of an item side by side as a readable difference: the
// fields that changed, and the nodes added, removed or changed (field by
// field), computed here from the published versions and the draft.
import { useEffect, useState } from 'preact/hooks';
import { kb } from './calls.js';
import { diff } from './model.js';

export function Compare({ t, item, draft, fail }) {
  const versions = (item.versions || []).map((v) => String(v.version));
  const [a, setA] = useState(versions[versions.length - 1] || 'draft');
  const [b, setB] = useState('draft');
  const [fetched, setContents] = useState({});
  const contents = { ...fetched, draft };
  useEffect(() => {
    for (const v of [a, b]) if (v !== 'draft' && !fetched[v])
      kb.version(item.id, v).then((r) => setContents((c) => ({ ...c, [v]: r.content })), fail);
  }, [a, b]);
  // a field by its label where the editor has one, else by its name
  const name = (f) => { const k = `ws.field.${f}`; const v = t(k); return v === k ? f : v; };
  const label = (v) => (v === 'draft' ? t('ws.draft') : t('ws.version', { n: Number(v) }));
  const pick = (id, value, set, text) => (
    <div class="field">
      <label for={id}>{text}</label>
      <select id={id} value={value} onChange={(e) => set(e.target.value)}>
        {[...versions, 'draft'].map((v) => <option value={v}>{label(v)}</option>)}
      </select>
    </div>
  );
  const ready = contents[a] && contents[b];
  const d = ready ? diff(contents[a], contents[b]) : null;
  return (
    <section class="compare" aria-labelledby="ws-compare-title">
      <h3 id="ws-compare-title">{t('ws.tab.compare')}</h3>
      <div class="filters">{pick('cmp-a', a, setA, t('ws.compare_from'))}{pick('cmp-b', b, setB, t('ws.compare_to'))}</div>
      {!ready ? <p role="status">{t('loading')}</p>
        : d.fields.length === 0 && d.nodes.length === 0 ? <p>{t('ws.same')}</p> : (
          <table class="board diff">
            <caption>{t('ws.diff_caption', { a: label(a), b: label(b) })}</caption>
            <thead><tr><th scope="col">{t('ws.where')}</th><th scope="col">{label(a)}</th><th scope="col">{label(b)}</th></tr></thead>
            <tbody>
              {d.fields.map((f) => <tr><th scope="row">{name(f.field)}</th><td class="del">{f.before}</td><td class="ins">{f.after}</td></tr>)}
              {d.nodes.map((n) => (n.change === 'removed'
                ? <tr><th scope="row">{t('ws.node_removed', { id: n.id })}</th><td class="del">{n.id}</td><td /></tr>
                : n.fields.map((f, i) => (
                  <tr><th scope="row">{i === 0 ? t(n.change === 'added' ? 'ws.node_added' : 'ws.node_changed', { id: n.id }) : ''} {name(f.field)}</th>
                    <td class="del">{f.before}</td><td class="ins">{f.after}</td></tr>))))}
            </tbody>
          </table>
        )}
    </section>
  );
}
