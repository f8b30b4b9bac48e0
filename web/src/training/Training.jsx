// Training on the diagnostic trees. A trainee picks a published tree and
// plays one of its scenarios (named by what it trains: its written name, else
// the outcome it ends on): the customer's words are shown, and at each
// question what the customer answers; the trainee answers as the agent
// would. At the outcome the session ends by itself and the score shows
// (half the answers, half the outcome, as the API computes it) with the
// questions answered otherwise than the customer said. The progress view
// lists, per person and tree, the attempts, average and best score and the
// last play, sortable by each column: trainers (supervisors, experts,
// tenant admins) see everyone, others their own. Everything the page says
// is in its language: the customer's yes or no, the answers and the
// customer who does not know (the API's null).
import { useEffect, useRef, useState } from 'preact/hooks';
import { trainingApi, TRAINERS, missed, scenarioName, sortRows } from './calls.js';
import { choiceLabel } from '../agent/Diagnosis.jsx';
import { failed, inLanguage } from '../i18n/index.js';
import './training.css';

export function Training({ t, me, lang }) {
  const trainer = TRAINERS.includes(me.role);
  const [tab, setTab] = useState(trainer ? 'progress' : 'play');
  const tabs = [['play', t('training.play')], ['progress', trainer ? t('training.everyone') : t('training.mine')]];
  return (
    <div class="training">
      <h1 class="visually-hidden">{t('training.title')}</h1>
      <div role="tablist" aria-label={t('training.title')} class="tabs">
        {tabs.map(([id, label]) => (
          <button type="button" role="tab" id={`ttab-${id}`} aria-controls={`tpanel-${id}`}
            aria-selected={tab === id ? 'true' : 'false'} tabindex={tab === id ? 0 : -1} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`tpanel-${tab}`} aria-labelledby={`ttab-${tab}`}>
        {tab === 'play' ? <Play t={t} /> : <Progress t={t} lang={lang} trainer={trainer} />}
      </div>
    </div>
  );
}

function Play({ t }) {
  const [trees, setTrees] = useState(null);
  const [tree, setTree] = useState('');
  const [scenario, setScenario] = useState('');
  const [lists, setLists] = useState({}); // tree → its scenarios, named for the picker
  const [session, setSession] = useState(null);
  const [said, setSaid] = useState({});
  const [result, setResult] = useState(null);
  const [err, setErr] = useState(null);
  const [status, setStatus] = useState(''); // a function of t: said again after a switch
  const heading = useRef(null);
  useEffect(() => {
    trainingApi.trees().then((list) => { setTrees(list); if (list.length) setTree(list[0].id); },
      (e) => setErr({ message: e.message }));
  }, []);
  useEffect(() => { if (session && heading.current) heading.current.focus(); }, [session && session.path?.length, result]);
  useEffect(() => {
    if (!tree || lists[tree]) return;
    trainingApi.scenarios(tree).then((l) => setLists((m) => ({ ...m, [tree]: l })), () => {}); // the picker then offers "any" alone
  }, [tree]);

  // keeps what the customer says at the question now shown
  const show = (s) => {
    if (s.question && s.customer_says !== undefined)
      setSaid((m) => ({ ...m, [`${s.question.tree}/${s.question.node}`]: s.customer_says }));
    setSession(s);
    if (s.done) return trainingApi.end(s.id).then((ended) => {
      setResult(ended);
      setStatus(() => (tr) => tr('training.scored', { score: ended.score }));
    });
    return null;
  };
  const fail = (e) => setErr({ field: e.field, message: e.message });
  const start = (e) => {
    e.preventDefault();
    setErr(null);
    setResult(null);
    setSaid({});
    setStatus('');
    trainingApi.start(tree, scenario === '' ? undefined : Number(scenario)).then(show).catch(fail);
  };
  const answer = (value) => { setErr(null); trainingApi.answer(session.id, value).then(show).catch(fail); };
  const back = () => { setErr(null); trainingApi.back(session.id).then(show).catch(fail); };
  const list = lists[tree] || [];
  const playing = session && !result;

  if (trees === null) return err ? <p role="alert" class="error">{err.message}</p> : <p>{t('loading')}</p>;
  if (trees.length === 0) return <p>{t('training.no_trees')}</p>;
  return (
    <>
      <form class="inline-form" onSubmit={start}>
        <label for="train-tree">{t('training.tree')}</label>
        <select id="train-tree" value={tree} onChange={(e) => { setTree(e.target.value); setScenario(''); }}
          aria-invalid={err && err.field === 'tree' ? 'true' : undefined}
          aria-describedby={err && err.field === 'tree' ? 'train-error' : undefined}>
          {trees.map((x) => <option value={x.id}>{x.title}</option>)}
        </select>
        <label for="train-scenario">{t('training.scenario')}</label>
        <select id="train-scenario" value={scenario} onChange={(e) => setScenario(e.target.value)}
          aria-invalid={err && err.field === 'scenario' ? 'true' : undefined}
          aria-describedby={err && err.field === 'scenario' ? 'train-error' : undefined}>
          <option value="">{t('training.any')}</option>
          {list.map((x) => <option value={String(x.number)}>{scenarioName(t, x)}</option>)}
        </select>
        <button type="submit" class="primary">{playing ? t('training.restart') : t('training.start')}</button>
      </form>
      <p role="alert" class="error" id="train-error">{err ? err.message : ''}</p>
      <p role="status" class="status">{inLanguage(status, t)}</p>
      {session && (
        <section class="scenario" aria-labelledby="train-heading">
          <h2 id="train-heading" tabindex="-1" ref={heading}>
            {result ? t('training.result') : t('training.step', { n: (session.path?.length || 0) + 1 })}
          </h2>
          <blockquote class="customer">
            <p><span class="who">{t('training.customer')}</span> {session.customer}</p>
          </blockquote>
          {playing && session.question && <Question t={t} session={session} onAnswer={answer} onBack={back} />}
          {result && <Result t={t} result={result} said={said} />}
        </section>
      )}
    </>
  );
}

// The question as the agent sees it, what the customer answers, the choices.
function Question({ t, session, onAnswer, onBack }) {
  const q = session.question;
  const [value, setValue] = useState('');
  const free = !q.choices || q.choices.length === 0;
  return (
    <fieldset class="question">
      <legend>{q.text}</legend>
      {q.note && <p class="muted">{q.note}</p>}
      <p class="says"><span class="who">{t('training.customer_answers')}</span> <q>{says(t, session.customer_says)}</q></p>
      {free ? (
        <form onSubmit={(e) => { e.preventDefault(); value.trim() && onAnswer(value.trim()); }}>
          <label for="train-answer">{t('training.answer')}</label>
          <input id="train-answer" value={value} onInput={(e) => setValue(e.target.value)} />
          <button type="submit">{t('training.next')}</button>
        </form>
      ) : (
        <div class="buttons choices">
          {q.choices.map((c) => <button type="button" class="choice" onClick={() => onAnswer(c.value)}>{choiceLabel(t, c)}</button>)}
        </div>
      )}
      <button type="button" onClick={onBack} disabled={!session.path?.length}>{t('training.back')}</button>
    </fieldset>
  );
}

// What the scenario's customer says: an answer worded as the choices are,
// or that they do not know (null).
function says(t, value) {
  return value === null || value === undefined ? t('training.does_not_know') : choiceLabel(t, { value });
}

function outcomeText(t, o) {
  if (!o) return '';
  if (o.type === 'escalate') return t('training.outcome_escalate', { reason: o.reason || '' });
  if (o.type === 'article') return t('training.outcome_article', { title: o.article?.title || o.article?.id || '' });
  if (o.type === 'reply') return t('training.outcome_reply');
  return o.type;
}

function Result({ t, result, said }) {
  const misses = missed(result.path, said);
  return (
    <div class="result-score">
      <p class="score" data-score={result.score}>{t('training.score', { score: result.score })}</p>
      <p class="muted">{t('training.how')}</p>
      <p>{t('training.outcome', { outcome: outcomeText(t, result.outcome) })}</p>
      <h3 id="train-missed">{t('training.missed', { n: misses.length })}</h3>
      {misses.length === 0 ? <p>{t('training.all_right')}</p> : (
        <ul class="missed" aria-labelledby="train-missed">
          {misses.map((m) => (
            <li>{t('training.miss', { question: m.question, answered: choiceLabel(t, { value: m.answer, label: m.label }),
              said: says(t, m.said) })}</li>
          ))}
        </ul>
      )}
      <h3 id="train-path">{t('training.path')}</h3>
      <ol class="path" aria-labelledby="train-path">
        {(result.path || []).map((s) => <li>{s.question} → {choiceLabel(t, { value: s.answer, label: s.label })}</li>)}
      </ol>
    </div>
  );
}

const COLUMNS = [['user', 'training.person'], ['tree', 'training.tree'], ['sessions', 'training.attempts', true],
  ['average_score', 'training.average', true], ['best_score', 'training.best', true], ['last_at', 'training.last']];

function Progress({ t, lang, trainer }) {
  const [rows, setRows] = useState(null);
  const [err, setErr] = useState('');
  const [sort, setSort] = useState({ key: trainer ? 'user' : 'tree', dir: 'ascending' });
  const [titles, setTitles] = useState({}); // tree id → its title, for the rows
  const load = () => Promise.all([trainingApi.progress(), trainingApi.trees()]).then(([r, trees]) => {
    setRows(r.progress || []);
    setTitles(Object.fromEntries(trees.map((x) => [x.id, x.title])));
    setErr('');
  }, (e) => setErr(failed(t, e)));
  useEffect(() => { load(); }, []);
  const when = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const num = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const columns = COLUMNS.filter(([key]) => trainer || key !== 'user');
  const by = (key) => setSort((s) => ({ key, dir: s.key === key && s.dir === 'ascending' ? 'descending' : 'ascending' }));
  return (
    <>
      <div class="buttons"><button type="button" onClick={load}>{t('training.refresh')}</button></div>
      {err && <p role="alert" class="error">{err}</p>}
      {rows === null ? <p>{t('loading')}</p> : rows.length === 0 ? <p>{t('training.none')}</p> : (
        <table class="board progress">
          <caption>{trainer ? t('training.everyone') : t('training.mine')}</caption>
          <thead><tr>
            {columns.map(([key, label, numeric]) => (
              <th scope="col" class={numeric ? 'num' : undefined} aria-sort={sort.key === key ? sort.dir : undefined}>
                <button type="button" class="link sort" onClick={() => by(key)}>
                  {t(label)}<span aria-hidden="true">{sort.key === key ? (sort.dir === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
          </tr></thead>
          <tbody>
            {sortRows(rows, sort.key, sort.dir).map((r) => (
              <tr data-user={r.user} data-tree={r.tree}>
                {trainer && <td>{r.user}</td>}
                <td>{titles[r.tree] || r.tree} <span class="muted">({r.tree})</span></td>
                <td class="num">{r.sessions}</td>
                <td class="num">{num.format(r.average_score)}</td>
                <td class="num best">{r.best_score}</td>
                <td>{r.last_at ? when.format(new Date(r.last_at)) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
