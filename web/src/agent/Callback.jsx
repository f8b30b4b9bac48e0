// A held contact that is a callback (GET /api/v1/contacts/{id} carries a
// "callback" member): the number to call as a tel: link, the window, the
// attempts so far and the customer's context (the contact's first message),
// then the outcome of this attempt with an optional note (POST
// /api/v1/callbacks/{id}/outcome). Its answer is said in a role="status":
// reached (go on with the call, then wrap up), retried at a time (the
// contact has left the agent), or missed. An error is shown as an alert
// under the buttons.
import { useState } from 'preact/hooks';
import { OUTCOMES, callbackApi, outcomeResult } from './callbackcalls.js';
import './desk.css';
import { failed, inLanguage } from '../i18n/index.js';

function when(lang, iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function Callback({ t, lang, id, contact, say, onGone, onChanged }) {
  const cb = contact?.callback;
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState('');
  const [gone, setGone] = useState(false);
  const [error, setError] = useState('');
  if (!cb) return null;
  const context = (contact.messages || []).find((m) => m.kind === 'inbound')?.body;
  const record = async (outcome) => {
    setBusy(true);
    setError('');
    try {
      const after = await callbackApi.outcome(cb.id, outcome, note.trim());
      const [key, vars] = outcomeResult(after);
      const said = (t, lang) => t(key, { ...vars, at: when(lang, vars.at) });
      setResult(() => said); // said again in the language the agent switches to
      say(said);
      setNote('');
      if (outcome !== 'reached') setGone(true); // the contact has left the agent
      onChanged();
    } catch (e) {
      setError(() => (t) => failed(t, e)); // said again in the language the agent switches to
    } finally {
      setBusy(false);
    }
  };
  const open = !gone && !['done', 'missed', 'cancelled'].includes(cb.state);
  return (
    <section class="callback" aria-labelledby={`cb-${id}`}>
      <h3 id={`cb-${id}`}>{t('cb.title')}</h3>
      <dl class="fields">
        <dt>{t('cb.phone')}</dt>
        <dd><a href={`tel:${cb.phone}`} class="cb-phone">{cb.phone}</a></dd>
        {cb.name && <><dt>{t('cb.name')}</dt><dd>{cb.name}</dd></>}
        <dt>{t('cb.window')}</dt>
        <dd>{cb.window ? t('cb.window.range', { from: when(lang, cb.window.from), to: when(lang, cb.window.to) })
          : t('cb.window.asap')}</dd>
        <dt>{t('cb.attempts')}</dt>
        <dd data-field="attempts">{t('cb.attempts.value', { n: cb.attempts, max: cb.max_attempts })}</dd>
        <dt>{t('cb.state')}</dt>
        <dd>{t(`cb.state.${cb.state}`)}</dd>
        {context && <><dt>{t('cb.context')}</dt><dd class="cb-context">{context}</dd></>}
      </dl>
      {open && (
        <fieldset class="cb-outcome" disabled={busy}>
          <legend>{t('cb.outcome')}</legend>
          <label for={`cb-note-${id}`}>{t('cb.note')}</label>
          <input id={`cb-note-${id}`} type="text" maxLength="2000" value={note} onInput={(e) => setNote(e.target.value)} />
          <div class="buttons">
            {OUTCOMES.map((o) => (
              <button type="button" class={o === 'reached' ? 'primary' : undefined} onClick={() => record(o)}>
                {t(`cb.outcome.${o}`)}
              </button>
            ))}
          </div>
        </fieldset>
      )}
      <p role="status" class="cb-result">{inLanguage(result, t, lang)}</p>
      <p role="alert" class="error">{inLanguage(error, t)}</p>
      {gone && <button type="button" onClick={() => onGone(id)}>{t('cb.close')}</button>}
    </section>
  );
}
