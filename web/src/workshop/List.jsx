// The items of the tenant with their kind, state, language, review-by date
// and open flags; filtered by state and kind (by the API) and by words in
// the title or id (here: drafts are not in the search index).
import { useEffect, useState } from 'preact/hooks';
import { kb, canWrite } from './calls.js';
import { STATES, LANG_NAMES } from './model.js';

export function day(iso) {
  return iso ? String(iso).slice(0, 10) : '';
}

export function List({ t, me, fail, onOpen, onNew }) {
  const [kind, setKind] = useState('');
  const [state, setState] = useState('');
  const [words, setWords] = useState('');
  const [items, setItems] = useState(null);
  useEffect(() => { kb.list(kind, state).then((r) => setItems(r.items), fail); }, [kind, state]);
  const w = words.trim().toLowerCase();
  const shown = (items || []).filter((i) => !w || i.title.toLowerCase().includes(w) || i.id.toLowerCase().includes(w));
  return (
    <section aria-labelledby="ws-list-title">
      <h2 id="ws-list-title">{t('ws.items')}</h2>
      {canWrite(me.role) && (
        <div class="buttons">
          <button type="button" onClick={() => onNew('article')}>{t('ws.new_article')}</button>
          <button type="button" onClick={() => onNew('tree')}>{t('ws.new_tree')}</button>
        </div>
      )}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="ws-kind">{t('ws.kind')}</label>
        <select id="ws-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">{t('ws.all')}</option>
          <option value="article">{t('ws.kind.article')}</option>
          <option value="tree">{t('ws.kind.tree')}</option>
        </select>
        <label for="ws-state">{t('ws.state')}</label>
        <select id="ws-state" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">{t('ws.all')}</option>
          {STATES.map((s) => <option value={s}>{t(`ws.state.${s}`)}</option>)}
        </select>
        <label for="ws-words">{t('ws.search')}</label>
        <input id="ws-words" type="search" value={words} onInput={(e) => setWords(e.target.value)} />
      </form>
      {items === null ? <p role="status">{t('loading')}</p> : (
        <table class="board ws-items">
          <caption>{t('ws.n_items', { n: shown.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('ws.item_title')}</th><th scope="col">{t('ws.kind')}</th>
              <th scope="col">{t('ws.state')}</th><th scope="col">{t('ws.lang')}</th>
              <th scope="col">{t('ws.review_by')}</th><th scope="col">{t('ws.open_flags')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((i) => (
              <tr key={i.id} data-item={i.id}>
                <td><button type="button" class="link" onClick={() => onOpen(i.id)}>{i.title}</button>
                  <span class="muted"> {i.id}</span></td>
                <td>{t(`ws.kind.${i.kind}`)}</td>
                <td><span class={`ws-state ${i.state}`}>{t(`ws.state.${i.state}`)}</span></td>
                <td lang={i.lang}>{LANG_NAMES[i.lang] || i.lang}</td>
                <td>{day(i.review_by)}</td>
                <td class="num">{i.open_flags || ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
