// The knowledge's upkeep (authors, reviewers, experts, tenant admins): the
// gaps report, each kind in its own list with an action on each row (open
// a failing tree in the workshop, link a failed query to an item or start
// an article from it, answer an unmatched word with a synonym), and the
// tenant's thesaurus (the proposals with their evidence, accepted or
// refused, the entries, one added by hand). Two tabs; one role="status"
// region says what an action changed, and an API error is shown beside the
// field it names.
import { useEffect, useState } from 'preact/hooks';
import { upkeepApi, pairs, proposalsByWord, slug } from './calls.js';
import { failed } from '../i18n/index.js';
import './upkeep.css';

// The error of a form, tied to its field: props for the control, and the message.
function fieldProps(err, field, id) {
  return err && err.field === field ? { 'aria-invalid': 'true', 'aria-describedby': `${id}-error` } : {};
}
function FormError({ err, id }) {
  return <p class="error" role="alert" id={`${id}-error`}>{err ? err.message : ''}</p>;
}
// The id of the control an error names, or the form's own message.
function errorId(err, fields, base) {
  return err && fields.includes(err.field) ? `${base}-${err.field}` : base;
}

export function Upkeep({ t, lang }) {
  const [tab, setTab] = useState('gaps');
  const [status, setStatus] = useState('');
  const [gaps, setGaps] = useState(null);
  const [thesaurus, setThesaurus] = useState(null);
  const [items, setItems] = useState([]);
  const [loadError, setLoadError] = useState('');
  const reload = () => Promise.all([upkeepApi.gaps(), upkeepApi.thesaurus(), upkeepApi.items()]).then(([g, th, it]) => {
    setGaps(g);
    setThesaurus(th);
    setItems((it.items || []).filter((i) => i.published_version));
    setLoadError('');
  }, (e) => setLoadError(failed(t, e)));
  useEffect(() => { reload(); }, []);
  const done = (message) => { setStatus(message); return reload(); };
  const tabs = [['gaps', t('upkeep.gaps')], ['thesaurus', t('upkeep.thesaurus')]];
  return (
    <div class="upkeep">
      <h1 class="visually-hidden">{t('upkeep.title')}</h1>
      <div role="tablist" aria-label={t('upkeep.title')} class="tabs">
        {tabs.map(([id, label]) => (
          <button type="button" role="tab" id={`utab-${id}`} aria-controls={`upanel-${id}`}
            aria-selected={tab === id ? 'true' : 'false'} tabindex={tab === id ? 0 : -1} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <p role="status" class="status">{status}</p>
      {loadError && <p role="alert" class="error">{loadError}</p>}
      <div role="tabpanel" id={`upanel-${tab}`} aria-labelledby={`utab-${tab}`}>
        {!gaps ? <p>{t('loading')}</p>
          : tab === 'gaps' ? <Gaps t={t} lang={lang} gaps={gaps} items={items} done={done} />
            : <Thesaurus t={t} lang={lang} thesaurus={thesaurus} done={done} />}
      </div>
    </div>
  );
}

function Gaps({ t, lang, gaps, items, done }) {
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  const trees = gaps.trees_failing || [];
  const queries = gaps.queries_failing || [];
  const unused = gaps.articles_unused || [];
  const words = proposalsByWord(gaps.unmatched_words);
  return (
    <>
      <p class="muted">{t('upkeep.period')}</p>
      <section aria-labelledby="gaps-trees">
        <h2 id="gaps-trees">{t('upkeep.trees', { n: trees.length })}</h2>
        {trees.length === 0 ? <p>{t('upkeep.none')}</p> : (
          <table class="board upkeep-table" aria-labelledby="gaps-trees">
            <thead><tr>
              <th scope="col">{t('upkeep.tree')}</th><th scope="col" class="num">{t('upkeep.sessions')}</th>
              <th scope="col" class="num">{t('upkeep.escalated')}</th><th scope="col" class="num">{t('upkeep.not_resolved')}</th>
              <th scope="col" class="num">{t('upkeep.failure_rate')}</th><th scope="col">{t('upkeep.action')}</th>
            </tr></thead>
            <tbody>
              {trees.map((r) => (
                <tr data-tree={r.tree}>
                  <td>{r.title} <span class="muted">({r.tree})</span></td>
                  <td class="num">{r.sessions}</td><td class="num">{r.escalated}</td><td class="num">{r.not_resolved}</td>
                  <td class="num">{pct.format(r.failure_rate)}</td>
                  <td><a href={`#workshop/${encodeURIComponent(r.tree)}`}>{t('upkeep.open', { title: r.title })}</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="gaps-queries">
        <h2 id="gaps-queries">{t('upkeep.queries', { n: queries.length })}</h2>
        {queries.length === 0 ? <p>{t('upkeep.none')}</p> : (
          <ul class="gap-rows">
            {queries.map((r, i) => <FailedQuery t={t} lang={lang} row={r} n={i} items={items} done={done} />)}
          </ul>
        )}
      </section>
      <section aria-labelledby="gaps-words">
        <h2 id="gaps-words">{t('upkeep.words', { n: words.length })}</h2>
        {words.length === 0 ? <p>{t('upkeep.none')}</p> : (
          <ul class="gap-rows">
            {words.map((p, i) => <Proposal t={t} p={p} n={`g${i}`} done={done} />)}
          </ul>
        )}
      </section>
      <section aria-labelledby="gaps-unused">
        <h2 id="gaps-unused">{t('upkeep.unused', { n: unused.length })}</h2>
        {unused.length === 0 ? <p>{t('upkeep.none')}</p> : (
          <ul class="gap-rows">
            {unused.map((r) => (
              <li data-item={r.item}>
                {r.title} <span class="muted">({r.item}, {t('upkeep.version', { n: r.published_version })})</span>{' '}
                <a href={`#workshop/${encodeURIComponent(r.item)}`}>{t('upkeep.open', { title: r.title })}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

// A failed query: link it to a published item (taught as a resolution), or
// start a draft article with the query as its title.
function FailedQuery({ t, lang, row, n, items, done }) {
  const [mode, setMode] = useState(null);
  const [item, setItem] = useState('');
  const [id, setId] = useState(slug(row.query));
  const [title, setTitle] = useState(row.query);
  const [body, setBody] = useState('');
  const [failure, setErr] = useState(null);
  // an id taken (412) is said in the page's language, whichever it is now
  const err = failure && failure.taken ? { ...failure, message: t('upkeep.id_taken', { id: failure.taken }) } : failure;
  const [created, setCreated] = useState(null);
  const base = `fq-${n}`;
  const link = (e) => {
    e.preventDefault();
    const it = items.find((x) => x.id === item);
    if (!it) return setErr({ field: 'item', message: t('upkeep.pick_item') });
    upkeepApi.learn(row.query, it.id, it.kind, it.lang).then(() => {
      setErr(null);
      setMode(null);
      done(t('upkeep.linked', { query: row.query, title: it.title }));
    }, (x) => setErr({ field: x.field === 'article' || x.field === 'tree' ? 'item' : x.field, message: x.message }));
  };
  const write = (e) => {
    e.preventDefault();
    upkeepApi.newArticle(id, title, body, lang).then((a) => {
      setErr(null);
      setCreated(a.id);
      done(t('upkeep.drafted', { id: a.id }));
    }, (x) => setErr(x.status === 412 ? { field: 'id', taken: id } // said in the page's language (err)
      : { field: ['title', 'body', 'lang'].includes(x.field) ? x.field : 'id', message: x.message }));
  };
  return (
    <li class="gap-row" data-query={row.query}>
      <p class="gap-head">
        <q>{row.query}</q>{' '}
        <span class="muted">{t('upkeep.query_counts', { n: row.sessions, failed: row.not_resolved })}</span>
      </p>
      <div class="buttons">
        <button type="button" aria-expanded={mode === 'link' ? 'true' : 'false'} aria-controls={`${base}-link`}
          onClick={() => { setErr(null); setMode(mode === 'link' ? null : 'link'); }}>
          {t('upkeep.link', { query: row.query })}
        </button>
        <button type="button" aria-expanded={mode === 'write' ? 'true' : 'false'} aria-controls={`${base}-write`}
          onClick={() => { setErr(null); setMode(mode === 'write' ? null : 'write'); }}>
          {t('upkeep.write', { query: row.query })}
        </button>
      </div>
      {mode === 'link' && (
        <form id={`${base}-link`} class="inline-form" onSubmit={link}>
          <label for={`${base}-item`}>{t('upkeep.item')}</label>
          <select id={`${base}-item`} value={item} onChange={(e) => setItem(e.target.value)}
            {...fieldProps(err, 'item', errorId(err, ['item'], base))}>
            <option value="">{t('upkeep.choose')}</option>
            {items.map((x) => <option value={x.id}>{x.title} ({t(`upkeep.kind_${x.kind}`)})</option>)}
          </select>
          <button type="submit" class="primary">{t('upkeep.link_do')}</button>
          <FormError err={err} id={errorId(err, ['item'], base)} />
        </form>
      )}
      {mode === 'write' && (
        <form id={`${base}-write`} class="inline-form column" onSubmit={write}>
          <label for={`${base}-id`}>{t('upkeep.item_id')}</label>
          <input id={`${base}-id`} value={id} onInput={(e) => setId(e.target.value)} {...fieldProps(err, 'id', `${base}-id`)} />
          {err && err.field === 'id' && <FormError err={err} id={`${base}-id`} />}
          <label for={`${base}-title`}>{t('upkeep.item_title')}</label>
          <input id={`${base}-title`} value={title} onInput={(e) => setTitle(e.target.value)}
            {...fieldProps(err, 'title', `${base}-title`)} />
          {err && err.field === 'title' && <FormError err={err} id={`${base}-title`} />}
          <label for={`${base}-body`}>{t('upkeep.item_body')}</label>
          <textarea id={`${base}-body`} rows="3" value={body} onInput={(e) => setBody(e.target.value)}
            {...fieldProps(err, 'body', `${base}-body`)} />
          {err && err.field === 'body' && <FormError err={err} id={`${base}-body`} />}
          {err && err.field === 'lang' && <FormError err={err} id={`${base}-lang`} />}
          <div class="buttons">
            <button type="submit" class="primary">{t('upkeep.save_draft')}</button>
            {created && <a href={`#workshop/${encodeURIComponent(created)}`}>{t('upkeep.open_draft', { id: created })}</a>}
          </div>
        </form>
      )}
    </li>
  );
}

// A thesaurus proposal (an unmatched word) with its evidence: accepted with
// the synonyms typed, or refused.
function Proposal({ t, p, n, done }) {
  const [value, setValue] = useState('');
  const [err, setErr] = useState(null);
  const base = `prop-${n}`;
  const accept = (e) => {
    e.preventDefault();
    const synonyms = value.split(',').map((s) => s.trim()).filter(Boolean);
    if (synonyms.length === 0) return setErr({ field: 'synonyms', message: t('upkeep.need_synonym') });
    upkeepApi.addSynonyms(p.lang, p.word, synonyms).then(() => {
      setErr(null);
      done(t('upkeep.accepted', { word: p.word, synonyms: synonyms.join(', ') }));
    }, (x) => setErr({ field: x.field || 'synonyms', message: x.message }));
  };
  const refuse = () => upkeepApi.refuseProposal(p.lang, p.word).then(() => {
    setErr(null);
    done(t('upkeep.refused', { word: p.word }));
  }, (x) => setErr({ field: 'synonyms', message: x.message }));
  return (
    <li class="gap-row" data-word={p.word}>
      <p class="gap-head">
        <strong lang={p.lang}>{p.word}</strong>{' '}
        <span class="muted">{t('upkeep.evidence', { n: p.count, titles: p.titles.map((x) => `“${x}”`).join(', '), lang: p.lang.toUpperCase() })}</span>
      </p>
      <form class="inline-form" onSubmit={accept}>
        <label for={`${base}-syn`}>{t('upkeep.synonyms_of', { word: p.word })}</label>
        <input id={`${base}-syn`} value={value} onInput={(e) => setValue(e.target.value)}
          {...fieldProps(err, err && err.field, `${base}-syn`)} />
        <button type="submit" class="primary">{t('upkeep.accept', { word: p.word })}</button>
        <button type="button" onClick={refuse}>{t('upkeep.refuse', { word: p.word })}</button>
        <FormError err={err} id={`${base}-syn`} />
      </form>
    </li>
  );
}

function Thesaurus({ t, lang, thesaurus, done }) {
  const proposals = proposalsByWord(thesaurus.proposals);
  const entries = pairs(thesaurus.entries);
  return (
    <>
      <section aria-labelledby="th-proposals">
        <h2 id="th-proposals">{t('upkeep.proposals', { n: proposals.length })}</h2>
        {proposals.length === 0 ? <p>{t('upkeep.none')}</p> : (
          <ul class="gap-rows">{proposals.map((p, i) => <Proposal t={t} p={p} n={`t${i}`} done={done} />)}</ul>
        )}
      </section>
      <AddEntry t={t} lang={lang} done={done} />
      <section aria-labelledby="th-entries">
        <h2 id="th-entries">{t('upkeep.entries', { n: entries.length })}</h2>
        {entries.length === 0 ? <p>{t('upkeep.none')}</p> : (
          <ul class="gap-rows">
            {entries.map((e) => (
              <li class="entry" data-entry={`${e.word}=${e.phrase}`}>
                <span lang={e.lang}>{e.word} = {e.phrase}</span> <span class="muted">({e.lang.toUpperCase()})</span>{' '}
                <button type="button" onClick={() => upkeepApi.removeSynonym(e.lang, e.word, e.phrase).then(
                  () => done(t('upkeep.removed', { word: e.word, phrase: e.phrase })),
                  (x) => done(failed(t, x)))}>
                  {t('upkeep.remove', { word: e.word, phrase: e.phrase })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

// An entry added by hand: a word and its synonyms (comma-separated), both ways.
function AddEntry({ t, lang, done }) {
  const [entryLang, setEntryLang] = useState(lang === 'fr' ? 'fr' : 'en');
  const [word, setWord] = useState('');
  const [synonyms, setSynonyms] = useState('');
  const [err, setErr] = useState(null);
  const add = (e) => {
    e.preventDefault();
    const list = synonyms.split(',').map((s) => s.trim()).filter(Boolean);
    upkeepApi.addSynonyms(entryLang, word.trim(), list).then(() => {
      setErr(null);
      setWord('');
      setSynonyms('');
      done(t('upkeep.accepted', { word: word.trim(), synonyms: list.join(', ') }));
    }, (x) => setErr({ field: x.field, message: x.message }));
  };
  const id = errorId(err, ['lang', 'word', 'synonyms'], 'add');
  return (
    <section aria-labelledby="th-add">
      <h2 id="th-add">{t('upkeep.add_title')}</h2>
      <form class="inline-form" onSubmit={add}>
        <label for="add-lang">{t('upkeep.entry_lang')}</label>
        <select id="add-lang" value={entryLang} onChange={(e) => setEntryLang(e.target.value)} {...fieldProps(err, 'lang', id)}>
          <option value="fr">{t('upkeep.lang_fr')}</option>
          <option value="en">{t('upkeep.lang_en')}</option>
        </select>
        <label for="add-word">{t('upkeep.word')}</label>
        <input id="add-word" value={word} onInput={(e) => setWord(e.target.value)} {...fieldProps(err, 'word', id)} />
        <label for="add-synonyms">{t('upkeep.synonyms')}</label>
        <input id="add-synonyms" value={synonyms} onInput={(e) => setSynonyms(e.target.value)}
          {...fieldProps(err, 'synonyms', id)} />
        <button type="submit" class="primary">{t('upkeep.add')}</button>
        <FormError err={err} id={id} />
      </form>
    </section>
  );
}
