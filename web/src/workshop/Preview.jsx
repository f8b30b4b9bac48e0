// The draft as the agent and as the customer will see it, walked here
// without the API (a draft is not what sessions walk): the agent reads each
// question's text with its note and an article's internal part and canned
// replies; the customer reads the customer wording ("customer_text" when
// there is one), never a note, an internal part or a queue (as the public
// API answers, src/daemon/handlers_kb_session.c). Choices' conditions and
// called trees are the API's to judge: every choice shows, a call goes on.
import { useState } from 'preact/hooks';
import { answerNext } from './model.js';

// An answer as the walk's path says it: a choice by its label, yes and no
// in the page's language ('Non', not the value 'no'), as the desk does.
function answerLabel(t, node, v) {
  if (node.type === 'yesno') return t(v === 'yes' ? 'ws.yes' : 'ws.no');
  if (node.type === 'choice') {
    const c = (node.choices || []).find((x) => x.value === v);
    return (c && c.label) || v;
  }
  return v;
}

function ArticleView({ t, a, as }) {
  return (
    <div class="article">
      <h4>{a.title}</h4>
      <p class="pre">{a.body}</p>
      {a.steps?.length > 0 && <ol>{a.steps.map((s) => <li>{s}</li>)}</ol>}
      {as === 'agent' && a.internal && <p class="muted"><strong>{t('ws.internal')}</strong> {a.internal}</p>}
      {as === 'agent' && (a.replies || []).map((r) => <p class="filled-reply"><strong>{r.name}</strong> {r.text}</p>)}
    </div>
  );
}

function Step({ t, node, as, onAnswer }) {
  const [value, setValue] = useState('');
  const text = as === 'customer' ? node.customer_text || node.text : node.text;
  if (node.type === 'article') return <p>{t('ws.preview_article', { id: node.article || '' })}</p>;
  if (node.type === 'reply') return <p class="filled-reply">{text}</p>;
  if (node.type === 'escalate')
    return <p>{as === 'customer' ? t('ws.preview_escalate_customer') : t('ws.preview_escalate', { reason: node.reason || '', queue: node.queue || '-' })}</p>;
  if (node.type === 'return') return <p>{t('ws.preview_return')}</p>;
  if (node.type === 'tree')
    return <><p>{t('ws.preview_call', { tree: node.tree || '' })}</p>
      {node.next && <button type="button" onClick={() => onAnswer('')}>{t('ws.preview_continue')}</button>}</>;
  const choices = node.type === 'choice' ? (node.choices || []).map((c) => [c.value, c.label || c.value])
    : node.type === 'yesno' ? [['yes', t('ws.yes')], ['no', t('ws.no')]] : null;
  return (
    <fieldset class="question">
      <legend>{text}</legend>
      {as === 'agent' && node.note && <p class="muted">{node.note}</p>}
      {choices ? <div class="buttons">{choices.map(([v, l]) => <button type="button" onClick={() => onAnswer(v)}>{l}</button>)}</div> : (
        <form onSubmit={(e) => { e.preventDefault(); onAnswer(value.trim()); }}>
          <label for="pv-answer">{t('diag.answer')}</label>
          <input id="pv-answer" type={node.type === 'number' ? 'number' : 'text'} value={value} onInput={(e) => setValue(e.target.value)} />
          <button type="submit">{t('diag.next')}</button>
        </form>
      )}
    </fieldset>
  );
}

function TreeWalk({ t, content, as }) {
  const byId = new Map(content.nodes.map((n) => [n.id, n]));
  const [path, setPath] = useState([]); // [{id, answer}]
  const [note, setNote] = useState(''); // a catalogue key, said in the page's language
  const current = path.length ? path[path.length - 1].to : content.start;
  const node = byId.get(current);
  const answer = (v) => {
    const to = answerNext(node, v);
    if (!to || !byId.has(to)) { setNote('ws.preview_nowhere'); return; }
    setNote('');
    setPath([...path, { id: node.id, text: as === 'customer' ? node.customer_text || node.text : node.text, answer: answerLabel(t, node, v), to }]);
  };
  return (
    <div class="walk">
      {path.length > 0 && <ol class="path">{path.map((s) => <li>{s.text || s.id} → {s.answer}</li>)}</ol>}
      {node ? <Step key={`${current}-${path.length}`} t={t} node={node} as={as} onAnswer={answer} />
        : <p>{t('ws.preview_no_start')}</p>}
      <p role="status">{note && t(note)}</p>
      <div class="buttons">
        <button type="button" disabled={!path.length} onClick={() => setPath(path.slice(0, -1))}>{t('diag.back')}</button>
        <button type="button" disabled={!path.length} onClick={() => setPath([])}>{t('ws.preview_restart')}</button>
      </div>
    </div>
  );
}

export function Preview({ t, content, as }) {
  return (
    <section class={`preview ${as}`} aria-labelledby="ws-preview-title">
      <h3 id="ws-preview-title">{t(as === 'agent' ? 'ws.preview_agent' : 'ws.preview_customer')}</h3>
      {content.kind === 'tree' ? <TreeWalk t={t} content={content} as={as} /> : <ArticleView t={t} a={content} as={as} />}
    </section>
  );
}
