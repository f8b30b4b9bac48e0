// The self-service portal: the tenant's current incidents at the top, a
// search in the customer's own words, an article or a guided diagnosis in
// customer mode, "did this solve it?" after each answer, and beside every
// step the ways to reach a person (phone, email, chat, callback, a request
// carrying the search, the path and the answers). Never a dead end: the
// ways to reach a person are rendered whatever the step. The API's failures
// are said in the page's language (errorText), never in its English.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { portalApi } from './calls.js';
import { errorText, pickLanguage, translator } from './i18n.js';
import { Reach } from './Reach.jsx';

function Incidents({ t, lang, items }) {
  if (!items.length) return null;
  const when = (iso) => new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section class="incidents" aria-labelledby="incidents-title">
      <h2 id="incidents-title">{t('incidents.title')}</h2>
      <ul>
        {items.map((i) => (
          <li key={i.id} class={`incident ${i.kind} ${i.severity || ''}`}>
            <p class="incident-head">
              <strong>{t('incident.head', { kind: `${t(`incident.${i.kind}`)}${i.severity ? ` (${t(`incident.severity.${i.severity}`)})` : ''}` })}</strong>
              {i.title}
            </p>
            {i.body && <p>{i.body}</p>}
            {i.area && <p class="muted">{t('incident.area', { area: i.area })}</p>}
            {i.expected_end_at && <p class="muted">{t('incident.expected', { time: when(i.expected_end_at) })}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SearchForm({ t, onSearch, busy }) {
  const [q, setQ] = useState('');
  const submit = (e) => { e.preventDefault(); if (q.trim()) onSearch(q.trim()); };
  return (
    <form class="search" role="search" onSubmit={submit}>
      <label for="portal-q">{t('search.label')}</label>
      <div class="row">
        <input id="portal-q" type="search" value={q} maxLength={1000} onInput={(e) => setQ(e.target.value)} />
        <button type="submit" class="primary" disabled={busy}>{t('search.submit')}</button>
      </div>
    </form>
  );
}

function Results({ t, query, results, onOpen }) {
  if (!results.length) return <p>{t('search.none', { q: query })}</p>;
  return (
    <>
      <h2 class="h3" id="results-title" tabIndex={-1}>{t('search.results', { q: query })}</h2>
      <ul class="results">
        {results.map((r) => (
          <li key={r.id} class="result">
            <span class="kind">{t(r.kind === 'tree' ? 'result.tree' : 'result.article')}</span>
            <button type="button" class="link" onClick={() => onOpen(r)}
              aria-label={t(r.kind === 'tree' ? 'result.start' : 'result.open', { title: r.title })}>
              {r.title}
            </button>
            {r.snippet && <p class="snippet muted">{r.snippet}</p>}
          </li>
        ))}
      </ul>
    </>
  );
}

// An article; its title takes the focus when it opens, so a keyboard or
// screen reader user lands on what was opened.
function ArticleBody({ t, article }) {
  const title = useRef(null);
  useEffect(() => title.current?.focus(), [article.id]);
  return (
    <article class="article">
      <h2 class="h3" tabIndex={-1} ref={title}>{article.title}</h2>
      {article.body && <p>{article.body}</p>}
      {Array.isArray(article.steps) && article.steps.length > 0 && (
        <>
          <h3 class="h4">{t('article.steps')}</h3>
          <ol>{article.steps.map((s, i) => <li key={i}>{s}</li>)}</ol>
        </>
      )}
    </article>
  );
}

// "Did this solve it?": answered once; a "no" points at the ways to reach a person.
function Solved({ t, onAnswer }) {
  const [said, setSaid] = useState(null);
  const [error, setError] = useState('');
  const answer = (solved) => onAnswer(solved).then(() => setSaid(solved), (e) => setError(errorText(t, e)));
  return (
    <div class="solved">
      {said === null && (
        <fieldset>
          <legend>{t('solved.question')}</legend>
          <div class="buttons">
            <button type="button" onClick={() => answer(true)}>{t('solved.yes')}</button>
            <button type="button" onClick={() => answer(false)}>{t('solved.no')}</button>
          </div>
        </fieldset>
      )}
      <p role="status" class="status">{said === true ? t('solved.thanks') : said === false ? t('solved.sorry') : ''}</p>
      <p role="alert" class="error">{error}</p>
    </div>
  );
}

function choiceLabel(t, c) {
  if (c.label === c.value && (c.value === 'yes' || c.value === 'no')) return t(`diag.${c.value}`);
  return c.label || c.value;
}

function Question({ t, q, onAnswer, busy }) {
  const [text, setText] = useState('');
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), [q.node]);
  return (
    <div class="question">
      <p class="q-text" tabIndex={-1} ref={heading}>{q.text}</p>
      {q.choices ? (
        <div class="buttons" role="group" aria-label={q.text}>
          {q.choices.map((c) => (
            <button type="button" key={c.value} disabled={busy} onClick={() => onAnswer(c.value)}>{choiceLabel(t, c)}</button>
          ))}
        </div>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (text.trim()) onAnswer(text.trim()).then(() => setText('')); }}>
          <label for="diag-text">{t('diag.your_answer')}</label>
          <div class="row">
            <input id="diag-text" value={text} onInput={(e) => setText(e.target.value)} />
            <button type="submit" disabled={busy}>{t('diag.send')}</button>
          </div>
        </form>
      )}
    </div>
  );
}

function Diagnosis({ t, api, session, setSession, onLeave }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const step = (p) => {
    setBusy(true);
    setError('');
    return p.then((s) => setSession({ ...s, secret: session.secret }), (e) => setError(errorText(t, e)))
      .finally(() => setBusy(false));
  };
  const outcome = session.done ? session.outcome : null;
  return (
    <section class="diagnosis" aria-labelledby="diag-title">
      <h2 id="diag-title" class="h3">{t('diag.title')}</h2>
      {session.path.length > 0 && (
        <>
          <h3 class="h4">{t('diag.answers')}</h3>
          <ol class="path">
            {session.path.map((p, i) => <li key={i}>{p.question} <strong>{choiceLabel(t, { value: p.answer, label: p.label || p.answer })}</strong></li>)}
          </ol>
        </>
      )}
      {!session.done && <Question t={t} q={session.question} busy={busy} onAnswer={(a) => step(api.answer(session, a))} />}
      {outcome?.type === 'article' && outcome.article && <ArticleBody t={t} article={outcome.article} />}
      {outcome?.type === 'reply' && <p class="reply">{outcome.text}</p>}
      {outcome?.type === 'escalate' && <p class="reply">{t('diag.person')}</p>}
      {session.done && outcome?.type !== 'escalate' && (
        <Solved t={t} onAnswer={(solved) => api.end(session, solved).then((s) => setSession({ ...s, secret: session.secret, answered: true }))} />
      )}
      <p role="alert" class="error">{error}</p>
      <div class="buttons">
        {session.path.length > 0 && session.state === 'open' && (
          <button type="button" disabled={busy} onClick={() => step(api.back(session))}>{t('diag.back')}</button>
        )}
        <button type="button" onClick={onLeave}>{t('diag.restart')}</button>
      </div>
    </section>
  );
}

export function Portal({ tenant }) {
  const api = useMemo(() => portalApi(tenant), [tenant]);
  const [info, setInfo] = useState(null);
  const [missing, setMissing] = useState(!tenant);
  const [lang, setLang] = useState(() => pickLanguage(null, navigator.languages));
  const [query, setQuery] = useState('');
  const [results, setResults] = useState(null);
  const [seen, setSeen] = useState([]);
  const [article, setArticle] = useState(null);
  const [session, setSession] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => {
    if (!tenant) return;
    api.portal().then((p) => { setInfo(p); setLang(pickLanguage(p.lang, navigator.languages)); },
      () => setMissing(true));
  }, [api]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = info?.title || t('portal.title');
  }, [lang, info]);

  const kbLang = info?.lang || lang;
  const search = (q) => {
    setBusy(true);
    setError('');
    setArticle(null);
    setSession(null);
    return api.search(q, kbLang).then((r) => { setQuery(q); setResults(r.results || []); },
      (e) => setError(errorText(t, e))).finally(() => setBusy(false));
  };
  const open = (r) => {
    setError('');
    const seenNow = seen.includes(r.id) ? seen : [...seen, r.id].slice(-10);
    if (r.kind === 'tree')
      return api.start(r.id, query, kbLang).then(setSession, (e) => setError(errorText(t, e)));
    return api.article(r.id).then((a) => { setSeen(seenNow); setArticle(a); }, (e) => setError(errorText(t, e)));
  };
  // "Back to the results": the focus goes back with the customer, to the
  // results' heading (or the search field when nothing matched), not to
  // the top of the page with the button that held it
  const back = useRef(false);
  const leave = () => { back.current = true; setArticle(null); setSession(null); };
  useEffect(() => {
    if (!back.current || article || session) return;
    back.current = false;
    (document.getElementById('results-title') || document.getElementById('portal-q'))?.focus();
  }, [article, session]);

  if (missing) return <main class="portal"><h1>{t('portal.title')}</h1><p role="alert">{t('portal.missing')}</p></main>;
  if (!info) return <main class="portal"><p role="status">{t('portal.loading')}</p></main>;
  return (
    <>
      <header class="portal-top">
        <h1>{info.title || t('portal.title')}</h1>
        <label class="lang">
          {t('portal.lang')}{' '}
          <select value={lang} onChange={(e) => setLang(e.target.value)}>
            <option value="fr" lang="fr">Français</option>
            <option value="en" lang="en">English</option>
          </select>
        </label>
      </header>
      <div class="portal">
        <Incidents t={t} lang={lang} items={info.incidents || []} />
        <main class="help" aria-labelledby="search-title">
          <h2 id="search-title">{t('search.title')}</h2>
          <SearchForm t={t} onSearch={search} busy={busy} />
          <p role="status" class="status">{busy ? t('search.searching') : ''}</p>
          <p role="alert" class="error">{error}</p>
          <div aria-live="polite">
            {session ? (
              <Diagnosis t={t} api={api} session={session} setSession={setSession} onLeave={leave} />
            ) : article ? (
              <section class="reading">
                <ArticleBody t={t} article={article} />
                <Solved key={article.id} t={t} onAnswer={(solved) => api.feedback(query, article.id, solved)} />
                <button type="button" onClick={leave}>{t('article.back')}</button>
              </section>
            ) : results ? (
              <Results t={t} query={query} results={results} onOpen={open} />
            ) : null}
          </div>
        </main>
        <Reach t={t} lang={lang} api={api} contact={info.contact} query={query} seen={seen} session={session} />
      </div>
    </>
  );
}
