// The guided diagnosis beside an open contact: the customer's words search
// the knowledge (trees and articles, their passages highlighted); a tree
// starts a session linked to the contact, walked question by question with
// a way back, down to an outcome whose reply the API has already filled for
// this reader. Sending that reply is one action (an email reply for email
// contacts, a message otherwise) that also ends the session as resolved, so
// the knowledge learns. At any outcome the agent may end the session
// without a reply, resolved or not (saying why): it feeds the learning and
// the gaps; at an escalation the API then escalates the contact to the
// outcome's queue with the path as a note, and the contact leaves the desk. The suggested canned reply and an article's replies
// sit here too; any answer shown can be flagged wrong, outdated or unclear.
// The session listens to the customer's words (the search's, and those the
// agent adds as the call goes on): answers it takes from them show the
// words and can be undone. A session left open on the contact (a reload,
// an escalation by hand) is taken up again where it stood.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { failed } from '../i18n/index.js';
import { localReason } from '../i18n/errors.js';

export const FLAG_REASONS = ['wrong', 'outdated', 'unclear'];

// The snippet with its highlights: the API gives byte offsets in UTF-8.
export function Highlighted({ text, marks }) {
  const bytes = new TextEncoder().encode(text || '');
  const dec = new TextDecoder();
  const parts = [];
  let at = 0;
  for (const [from, to] of marks || []) {
    if (from < at || to > bytes.length || from >= to) continue;
    parts.push(dec.decode(bytes.slice(at, from)));
    parts.push(<mark>{dec.decode(bytes.slice(from, to))}</mark>);
    at = to;
  }
  parts.push(dec.decode(bytes.slice(at)));
  return <span>{parts}</span>;
}

// {{customer.x}} and {{contact.x}} filled from what this reader sees (the
// API has already removed the rest): an unknown value renders empty, as the
// API does for a hidden one.
export function fillReply(text, contact, customer) {
  return String(text || '').replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name) => {
    const [scope, key] = name.split('.', 2);
    let v;
    if (scope === 'customer' && customer) {
      const a = (customer.attributes || {})[key];
      v = customer[key] ?? (a && typeof a === 'object' ? a.value : a);
    } else if (scope === 'contact' && contact) v = contact[key];
    return v === undefined || v === null ? '' : String(v);
  });
}

// A flag on an article or a tree, named by its title (its key until the
// title is known).
function Flag({ t, id, item, title, where, say }) {
  const [reason, setReason] = useState('wrong');
  const named = title || item;
  const flag = () => api.flag(item, reason).then(() => say((t) => t('diag.flagged', { title: named })),
    (e) => say((t) => failed(t, e)));
  return (
    <div class="buttons flag">
      <label for={`flag-${where}-${id}-${item}`}>{t('diag.flag_reason')}</label>
      <select id={`flag-${where}-${id}-${item}`} value={reason} onChange={(e) => setReason(e.target.value)}>
        {FLAG_REASONS.map((r) => <option value={r}>{t(`flag.${r}`)}</option>)}
      </select>
      <button type="button" class="flag-button" onClick={flag}>{t('diag.flag', { title: named })}</button>
    </div>
  );
}

// A choice's label; a yes-or-no question's two in the page's language
// (training words its customer's answers with it too).
export function choiceLabel(t, c) {
  if ((c.value === 'yes' || c.value === 'no') && (!c.label || c.label === c.value)) return t(`diag.${c.value}`);
  return c.label || c.value;
}

// The question being asked, its note for agents, its choices, and back.
function Question({ t, id, session, onAnswer, onBack }) {
  const q = session.question;
  const [value, setValue] = useState('');
  const free = !q.choices || q.choices.length === 0;
  return (
    <fieldset class="question">
      <legend id={`question-${id}`}>{q.text}</legend>
      {q.note && <p class="muted">{q.note}</p>}
      {free ? (
        <form onSubmit={(e) => { e.preventDefault(); value.trim() && onAnswer(value.trim()); }}>
          <label for={`answer-${id}`}>{t('diag.answer')}</label>
          <input id={`answer-${id}`} value={value} onInput={(e) => setValue(e.target.value)} />
          <button type="submit">{t('diag.next')}</button>
        </form>
      ) : (
        <div class="buttons choices">
          {q.choices.map((c) => (
            <button type="button" class="choice" onClick={() => onAnswer(c.value)}>{choiceLabel(t, c)}</button>
          ))}
        </div>
      )}
      <button type="button" onClick={onBack} disabled={!session.path?.length}>{t('diag.back')}</button>
    </fieldset>
  );
}

// The outcome: its filled reply (a reply node, or the article's first
// reply), the article's content, or the escalation's reason.
export function outcomeReply(outcome) {
  if (!outcome) return '';
  if (outcome.type === 'reply') return outcome.text || '';
  const replies = outcome.article?.replies || [];
  return replies.length ? replies[0].filled || '' : '';
}

// Ending the session at its outcome: resolved, or not with why. At an
// escalation, either way the API escalates the contact to the outcome's
// queue (named here) with the path as a note, or with no queue leaves the
// note alone (the hand-over's form escalates it).
function End({ t, id, outcome, onEnd, say }) {
  const [why, setWhy] = useState('');
  const [queue, setQueue] = useState('');
  const escalates = outcome.type === 'escalate';
  useEffect(() => {
    if (!escalates || !outcome.queue) return;
    setQueue(`#${outcome.queue}`);
    api.queues().then((r) => {
      const q = (r.items || []).find((x) => x.id === outcome.queue);
      if (q) setQueue(q.name);
    }, () => {});
  }, [escalates, outcome.queue]);
  const notResolved = () => {
    if (!why.trim()) {
      say((t) => t('diag.end_why_needed'));
      document.getElementById(`end-why-${id}`)?.focus();
      return;
    }
    onEnd(false, why.trim(), queue);
  };
  const described = escalates ? `end-note-${id}` : undefined;
  return (
    <fieldset class="end">
      <legend>{t('diag.end_title')}</legend>
      {escalates && (
        <p id={`end-note-${id}`}>{outcome.queue ? t('diag.end_escalates', { queue }) : t('diag.end_notes_path')}</p>
      )}
      <div class="buttons">
        <button type="button" id={`end-resolved-${id}`} aria-describedby={described} onClick={() => onEnd(true, undefined, queue)}>
          {t('diag.end_resolved')}
        </button>
      </div>
      <label for={`end-why-${id}`}>{t('diag.end_why')}</label>
      <input id={`end-why-${id}`} value={why} onInput={(e) => setWhy(e.target.value)} maxLength={4000} />
      <div class="buttons">
        <button type="button" aria-describedby={described} onClick={notResolved}>{t('diag.end_not_resolved')}</button>
      </div>
    </fieldset>
  );
}

function Outcome({ t, id, session, onSend, onEnd, say }) {
  const o = session.outcome || {};
  const reply = outcomeReply(o);
  const article = o.article && !o.article.error ? o.article : null;
  // an outcome without an article flags the tree, whose title the session does not give
  const [treeTitle, setTreeTitle] = useState('');
  useEffect(() => {
    if (!article && session.tree) api.kbItem(session.tree).then((i) => setTreeTitle((i.content || i).title || ''), () => {});
  }, [session.tree, !article]);
  return (
    <div class="outcome" aria-labelledby={`outcome-${id}`} role="group">
      <h5 id={`outcome-${id}`}>{t('diag.outcome')}</h5>
      {o.type === 'escalate' && <p>{t('diag.escalate_outcome', { reason: o.reason || '' })}</p>}
      {article && (
        <div class="article">
          <p><strong>{article.title}</strong></p>
          <p>{article.body}</p>
          {article.steps && <ol>{article.steps.map((s) => <li>{s}</li>)}</ol>}
          {article.internal && <p class="muted">{article.internal}</p>}
        </div>
      )}
      {reply && (
        <>
          <p class="filled-reply" data-testid="outcome-reply">{reply}</p>
          <button type="button" class="primary" onClick={() => onSend(reply, null, true)}>{t('diag.send_outcome')}</button>
        </>
      )}
      {session.state === 'open'
        ? <End t={t} id={id} outcome={o} onEnd={onEnd} say={say} />
        : <p class="ended">{t(session.resolved ? 'diag.ended_resolved' : 'diag.ended_not_resolved')}</p>}
      <Flag t={t} id={id} where="outcome" item={article ? article.id || o.article.id : session.tree}
        title={article ? article.title : treeTitle} say={say} />
    </div>
  );
}

// The path walked; an answer taken from the customer's words says which
// words, and can be undone (the question is asked again, never inferred
// again in this session).
function Path({ t, id, path, onUndo }) {
  if (!path || path.length === 0) return null;
  const shown = (s) => (s.redacted ? t('diag.hidden') : choiceLabel(t, { value: s.answer, label: s.label }));
  return (
    <>
      <h5 id={`path-${id}`}>{t('diag.path')}</h5>
      <ol class="path" aria-labelledby={`path-${id}`}>
        {path.map((s) => (
          <li class={s.inferred ? 'inferred' : undefined} data-node={s.node}>
            {s.question} → {shown(s)}
            {s.inferred && (
              <>
                {' '}<span class="because muted">{t('diag.inferred', { words: s.because })}</span>
                {onUndo && (
                  <button type="button" class="undo" aria-label={t('diag.undo_label', { answer: shown(s) })}
                    onClick={() => onUndo(s.node)}>{t('diag.undo')}</button>
                )}
              </>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}

// What the customer adds during the call: the session listens to it.
function Heard({ t, id, onHeard }) {
  const [words, setWords] = useState('');
  return (
    <form class="heard" onSubmit={(e) => { e.preventDefault(); words.trim() && onHeard(words.trim()); setWords(''); }}>
      <label for={`heard-${id}`}>{t('diag.heard')}</label>
      <input id={`heard-${id}`} value={words} onInput={(e) => setWords(e.target.value)} />
      <button type="submit">{t('diag.add_heard')}</button>
    </form>
  );
}

// An article found by the search: its text and its canned replies filled.
function Article({ t, id, item, contact, customer, onSend, say }) {
  const c = item.content || item;
  return (
    <div class="article" role="group" aria-label={c.title}>
      <p>{c.body}</p>
      {(c.replies || []).map((r) => {
        const text = fillReply(r.text, contact, customer);
        return (
          <div class="canned">
            <p>{text}</p>
            <button type="button" onClick={() => onSend(text, { article: item.id, reply: r.name })}>
              {t('diag.send_canned', { name: r.name })}
            </button>
          </div>
        );
      })}
      <Flag t={t} id={id} where="article" item={item.id} title={c.title} say={say} />
    </div>
  );
}

export function Diagnosis({ t, id, lang, contact, customer, say, onSent, onStep, onGone, onHanded, actionsRef, active }) {
  const [words, setWords] = useState('');
  // '': the language the customer's words are in, as the API tells (an
  // English customer on a French desk finds the English content), the
  // page's when they do not tell
  const [kbLang, setKbLang] = useState('');
  const [found, setFound] = useState(null);
  const [session, setSession] = useState(null);
  const [opened, setOpened] = useState(null);
  const [suggestion, setSuggestion] = useState(null);
  const fail = (e) => say((t) => failed(t, e));

  useEffect(() => {
    api.suggestion(id).then(setSuggestion, () => setSuggestion(null)); // in the customer's language
  }, [id]);
  // a session still open on the contact comes back where it stood: after a
  // reload, and for whoever receives the contact (the level-2 expert sees
  // the path walked and goes on from it)
  useEffect(() => {
    api.contactDiagnosis(id).then((r) => {
      const open = (r.sessions || []).filter((x) => x.state === 'open' && x.mode === 'agent').pop();
      return open && api.kbSession(open.id).then((s) => {
        setSession((cur) => cur || s);
        if (open.query) setWords((w) => w || open.query);
        if (open.lang) setKbLang(open.lang);
      });
    }).catch(() => {});
  }, [id]);

  const search = () => words.trim() && api.search(words.trim(), kbLang, lang).then((r) => {
    setFound(r);
    say((t) => t('diag.found', { n: r.results.length }));
  }, fail);
  // what the API took from the customer's words is said before the question
  const announce = (s) => {
    const n = s.listened?.length || 0;
    say((t) => `${n ? `${t('diag.listened', { n })} ` : ''}${s.done ? t('diag.done') : s.question.text}`);
  };
  const start = (tree) => api.diagnose({ tree, query: words.trim() || undefined, lang: kbLang || undefined, contact_id: id })
    .then((s) => { setSession(s); onStep(); announce(s); }, fail);
  const step = (p) => p.then((s) => { setSession(s); announce(s); }, fail);
  const answer = (value) => step(api.answer(session.id, value));
  const undo = (node) => step(api.undo(session.id, node));
  const heard = (text) => step(api.heard(session.id, text));
  const back = () => session && !session.done && session.path?.length && step(api.back(session.id));
  // readers get the published content; authors (experts) the item, whose published version is read
  const open = (key) => api.kbItem(key)
    .then((item) => (item.content || !item.published_version ? item : api.kbVersion(key, item.published_version)))
    .then((item) => setOpened({ ...item, id: key }), fail);

  // one action: the reply goes out (email or message); an outcome's reply
  // also ends its session as resolved
  const send = async (text, canned, fromOutcome) => {
    try {
      if (contact?.channel === 'email') await api.emailReply(id, canned || { body: text });
      else await api.reply(id, text);
      if (fromOutcome && session?.state === 'open') {
        const ended = await api.endDiagnosis(session.id, true);
        setSession((s) => ({ ...s, ...(ended || {}), state: ended?.state || 'resolved' }));
      }
      say((t) => t('diag.sent'));
      onSent();
    } catch (e) { fail(e); }
  };

  // the session ended without a reply: resolved, or not with why; at an
  // escalation with a queue the API has escalated the contact, which leaves
  const end = async (resolved, feedback, queue) => {
    const o = session.outcome || {};
    try {
      const ended = await api.endDiagnosis(session.id, resolved, feedback);
      setSession((s) => ({ ...s, ...(ended || {}), state: ended?.state || 'ended', resolved }));
      onStep();
      if (o.type === 'escalate' && o.queue && ended?.not_escalated) {
        // refused (a queue of another channel): the contact stays, to escalate by hand
        say((t) => t('diag.ended_not_escalated', { id, reason: localReason(ended.not_escalated) }));
        onSent();
      } else if (o.type === 'escalate' && o.queue) {
        say((t) => t('diag.ended_escalated', { id, queue }));
        onHanded?.(queue);
        onGone(id);
      } else {
        say((t) => t(resolved ? 'diag.ended_resolved' : 'diag.ended_not_resolved'));
        onSent(); // the contact again: an escalation's path is a note on it
      }
    } catch (e) { fail(e); }
  };

  if (active && actionsRef) {
    Object.assign(actionsRef.current, {
      words: () => document.getElementById(`words-${id}`)?.focus(),
      back,
      // the outcome's reply sent; without one, the way to end the session
      outcome: () => {
        if (!session?.done) return;
        if (session.state === 'open' && outcomeReply(session.outcome)) send(outcomeReply(session.outcome), null, true);
        else document.getElementById(`end-resolved-${id}`)?.focus();
      },
    });
  }

  const sreply = suggestion?.reply;
  return (
    <section class="diagnosis" aria-labelledby={`diag-${id}`}>
      <h4 id={`diag-${id}`}>{t('diag.title')}</h4>
      {sreply?.text && (
        <div class="suggestion" role="group" aria-labelledby={`sugg-${id}`}>
          <h5 id={`sugg-${id}`}>{t('diag.suggested', { article: sreply.article })}</h5>
          <p>{sreply.text}</p>
          {sreply.hidden?.length > 0
            ? <p class="muted" data-testid="suggestion-hidden">{t('diag.suggested_hidden', { names: sreply.hidden.join(', ') })}</p>
            : (
              <button type="button" onClick={() => send(sreply.text, { article: sreply.article, reply: sreply.name })}>
                {t('diag.send_suggested')}
              </button>
            )}
        </div>
      )}
      <form role="search" onSubmit={(e) => { e.preventDefault(); search(); }}>
        <label for={`words-${id}`}>{t('diag.words')}</label>
        <input id={`words-${id}`} type="search" value={words} onInput={(e) => setWords(e.target.value)} />
        <label for={`kblang-${id}`}>{t('diag.kb_lang')}</label>
        <select id={`kblang-${id}`} value={kbLang} onChange={(e) => setKbLang(e.target.value)}>
          <option value="">{t('diag.kb_lang_words')}</option>
          <option value="fr">Français</option>
          <option value="en">English</option>
        </select>
        <button type="submit">{t('diag.search')}</button>
      </form>
      {found && (
        found.results.length === 0 ? <p>{t('diag.nothing')}</p> : (
          <ul class="results" aria-label={t('diag.results')}>
            {found.results.map((r) => (
              <li class={`result ${r.kind}`} data-item={r.id}>
                <strong>{r.title}</strong> <span class="muted">{t(`diag.kind.${r.kind}`)}</span>
                <p class="snippet"><Highlighted text={r.snippet} marks={r.highlights} /></p>
                {r.kind === 'tree'
                  ? <button type="button" onClick={() => start(r.id)}>{t('diag.start', { title: r.title })}</button>
                  : <button type="button" onClick={() => open(r.id)}>{t('diag.open', { title: r.title })}</button>}
                {opened?.id === r.id && (
                  <Article t={t} id={id} item={opened} contact={contact} customer={customer} onSend={send} say={say} />
                )}
              </li>
            ))}
          </ul>
        )
      )}
      {session && (
        <div class="session" data-session={session.id}>
          <Path t={t} id={id} path={session.path} onUndo={session.state === 'open' ? undo : null} />
          {session.done
            ? <Outcome t={t} id={id} session={session} onSend={send} onEnd={end} say={say} />
            : <Question key={`${session.question.tree}/${session.question.node}`} t={t} id={id} session={session}
                onAnswer={answer} onBack={back} />}
          {session.done && session.state === 'open' && session.path?.length > 0 && (
            <button type="button" onClick={() => step(api.back(session.id))}>{t('diag.back')}</button>
          )}
          {!session.done && session.state === 'open' && <Heard t={t} id={id} onHeard={heard} />}
        </div>
      )}
    </section>
  );
}
