// A tree as a flat outline, one keyed row per node (its id, type, texts,
// and where each answer leads), so that 500 nodes render once and a change
// re-renders only its row: rows skip their update unless their node, their
// errors or their place changed. Links are typed with a shared list of the
// node ids (one <datalist>, not a select of 500 options per link).
import { Component } from 'preact';
import { Field } from './fields.jsx';
import { NODE_TYPES, nodeFields, successors } from './model.js';

const NONE = [];

function Choices({ t, k, node, errors, ops }) {
  const set = (choices) => ops.setNode(k, { choices });
  const list = node.choices || [];
  const edit = (i, patch) => set(list.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <fieldset class="links">
      <legend>{t('ws.choices')}</legend>
      {list.map((c, i) => (
        <div class="link-row">
          <Field id={`f-${k}-choice${i}-value`} label={t('ws.choice_value', { n: i + 1 })} value={c.value}
            onInput={(v) => edit(i, { value: v })} />
          <Field id={`f-${k}-choice${i}-label`} label={t('ws.choice_label', { n: i + 1 })} value={c.label}
            onInput={(v) => edit(i, { label: v })} />
          <Field id={`f-${k}-choice${i}-next`} label={t('ws.leads_to')} value={c.next} list="ws-node-ids"
            onInput={(v) => edit(i, { next: v })} />
          {c.when && <span class="muted">{t('ws.conditions', { when: JSON.stringify(c.when) })}</span>}
          <button type="button" onClick={() => set(list.filter((_, j) => j !== i))}>
            {t('ws.remove_choice', { n: i + 1 })}
          </button>
        </div>
      ))}
      <button type="button" onClick={() => set([...list, { value: '', label: '', next: '' }])}>{t('ws.add_choice')}</button>
      {errors.length > 0 && <p class="error" id={`f-${k}-choices-err`}>{errors.map((e) => e.text).join(' ')}</p>}
    </fieldset>
  );
}

function Ranges({ t, k, node, errors, ops }) {
  const list = node.ranges || [];
  const set = (ranges) => ops.setNode(k, { ranges });
  const num = (v) => (v === '' ? undefined : Number(v));
  const edit = (i, patch) => set(list.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset class="links">
      <legend>{t('ws.ranges')}</legend>
      {list.map((r, i) => (
        <div class="link-row">
          <Field id={`f-${k}-range${i}-min`} label={t('ws.range_min', { n: i + 1 })} type="number" value={r.min}
            onInput={(v) => edit(i, { min: num(v) })} />
          <Field id={`f-${k}-range${i}-max`} label={t('ws.range_max', { n: i + 1 })} type="number" value={r.max}
            onInput={(v) => edit(i, { max: num(v) })} />
          <Field id={`f-${k}-range${i}-next`} label={t('ws.leads_to')} value={r.next} list="ws-node-ids"
            onInput={(v) => edit(i, { next: v })} />
          <button type="button" onClick={() => set(list.filter((_, j) => j !== i))}>{t('ws.remove_range', { n: i + 1 })}</button>
        </div>
      ))}
      <button type="button" onClick={() => set([...list, { next: '' }])}>{t('ws.add_range')}</button>
      {errors.length > 0 && <p class="error" id={`f-${k}-ranges-err`}>{errors.map((e) => e.text).join(' ')}</p>}
    </fieldset>
  );
}

// A node folded to one line (what it asks or does, where it leads): what a
// tree of hundreds of nodes shows until a node is opened or has an error.
function Folded({ t, node, start, ops }) {
  const what = node.text || node.article || node.tree || node.reason || '';
  const to = successors(node).filter(Boolean);
  return (
    <li class={`node folded ${node.type}`} data-node={node.id}>
      <button type="button" class="fold" aria-expanded="false" onClick={() => ops.fold(node._k, true)}>
        {t('ws.unfold', { id: node.id || '?', type: t(`ws.type.${node.type}`) })}
      </button>
      {start && <span class="ws-start"> {t('ws.start_node')}</span>}
      <span class="summary"> {what}</span>
      {to.length > 0 && <span class="muted"> → {to.join(', ')}</span>}
    </li>
  );
}

export class NodeRow extends Component {
  shouldComponentUpdate(p) {
    const q = this.props;
    return p.node !== q.node || p.errors !== q.errors || p.first !== q.first || p.last !== q.last ||
      p.start !== q.start || p.t !== q.t || p.open !== q.open;
  }

  render({ t, node, errors, first, last, start, ops, open }) {
    const k = node._k;
    if (!open) return <Folded t={t} node={node} start={start} ops={ops} />;
    const fields = nodeFields(node.type);
    const at = (f) => errors.filter((e) => e.field === f);
    // a choice's or a range's "next" shows with its list; what names no shown field, at the node
    const group = node.type === 'choice' ? 'choices' : node.type === 'number' ? 'ranges' : null;
    const inGroup = (e) => group && (e.field === group || e.field === 'next');
    const general = errors.filter((e) => !inGroup(e) && (!e.field || !(e.field === 'id' || e.field === 'type' || fields.includes(e.field))));
    const name = node.id || '?';
    return (
      <li class={`node ${node.type}${errors.length ? ' bad' : ''}`} data-node={node.id}
        aria-label={t('ws.node_label', { id: name, type: t(`ws.type.${node.type}`) })}>
        <div class="node-head">
          {!errors.length && <button type="button" class="fold" aria-expanded="true" onClick={() => ops.fold(k, false)}>
            {t('ws.fold', { id: node.id || '?' })}</button>}
          <Field id={`f-${k}-id`} label={t('ws.node_id')} value={node.id} errors={at('id')}
            onInput={(v) => ops.setNode(k, { id: v })} />
          <div class="field">
            <label for={`f-${k}-type`}>{t('ws.node_type')}</label>
            <select id={`f-${k}-type`} value={node.type} onChange={(e) => ops.setType(k, e.target.value)}>
              {NODE_TYPES.map((ty) => <option value={ty}>{t(`ws.type.${ty}`)}</option>)}
            </select>
          </div>
          {start && <span class="ws-start">{t('ws.start_node')}</span>}
          <div class="buttons node-buttons">
            <button type="button" disabled={first} onClick={() => ops.move(k, -1)}>{t('ws.move_up', { id: name })}</button>
            <button type="button" disabled={last} onClick={() => ops.move(k, 1)}>{t('ws.move_down', { id: name })}</button>
            <button type="button" onClick={() => ops.add(k)}>{t('ws.add_after', { id: name })}</button>
            <button type="button" onClick={() => ops.remove(k)}>{t('ws.remove', { id: name })}</button>
          </div>
        </div>
        {general.length > 0 && <p class="error" id={`f-${k}-err`} tabindex="-1" data-error>
          {general.map((e) => e.text).join(' ')}</p>}
        <div class="node-fields">
          {fields.map((f) => (f === 'choices' ? <Choices t={t} k={k} node={node} errors={errors.filter(inGroup)} ops={ops} />
            : f === 'ranges' ? <Ranges t={t} k={k} node={node} errors={errors.filter(inGroup)} ops={ops} />
              : <Field id={`f-${k}-${f}`} label={t(`ws.field.${f}`)} value={node[f]} errors={at(f)}
                list={['yes', 'no', 'next'].includes(f) ? 'ws-node-ids' : undefined}
                type={f === 'queue' ? 'number' : 'text'} multiline={['text', 'customer_text'].includes(f)} rows={2}
                onInput={(v) => ops.setNode(k, { [f]: f === 'queue' ? (v === '' ? undefined : Number(v)) : v })} />))}
        </div>
      </li>
    );
  }
}

// Trees up to this many nodes show every node open; larger ones, folded.
const OPEN_UP_TO = 40;

export function TreeOutline({ t, content, errorsByKey, ops, unfolded }) {
  const nodes = content.nodes;
  const small = nodes.length <= OPEN_UP_TO;
  return (
    <section class="outline" aria-labelledby="ws-outline-title">
      <h3 id="ws-outline-title">{t('ws.nodes', { n: nodes.length })}</h3>
      <datalist id="ws-node-ids">{nodes.map((n) => <option key={n._k} value={n.id} />)}</datalist>
      <ol class="nodes">
        {nodes.map((n, i) => (
          <NodeRow key={n._k} t={t} node={n} errors={errorsByKey.get(n._k) || NONE} first={i === 0}
            last={i === nodes.length - 1} start={n.id === content.start} ops={ops}
            open={errorsByKey.has(n._k) || (unfolded.has(n._k) ? unfolded.get(n._k) : small)} />
        ))}
      </ol>
      <div class="buttons">
        <button type="button" onClick={() => ops.add(null)}>{t('ws.add_node')}</button>
      </div>
    </section>
  );
}
