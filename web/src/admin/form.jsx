// What every form of the console shares: a labelled field that shows the
// API's error when the error names it (aria-invalid, the message tied by
// aria-describedby, focus moved there), the form's own alert for an error
// naming no field of it, and the confirmation asked before anything
// destructive (a modal <dialog>: focus goes to Cancel, Escape cancels, and
// focus returns to the button that asked).
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { localMessage } from '../i18n/errors.js';

// The page's last word, which a new submission clears first: "Skill Billing
// created." must not stay beside the next form's refusal (Admin.jsx gives
// it), and the page's language, in which a refusal is said (again after a switch).
export const PageStatus = createContext({ clear() {}, lang: undefined });

// A form's error in the page's language: the API's refusal from its
// template, anything else (a page's own words for it) as it came.
export function useErrorText(err) {
  const { lang } = useContext(PageStatus);
  if (!err) return '';
  return err.refusal ? localMessage(err.refusal, lang) ?? err.message : err.message;
}

export function Field({ id, name, label, err, children, hint }) {
  const mine = err && err.field === name;
  const text = useErrorText(err);
  const ref = useRef(null);
  useEffect(() => { if (mine) ref.current?.focus(); }, [err]);
  const described = [mine && `${id}-err`, hint && `${id}-hint`].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children({ id, ref, 'aria-invalid': mine ? 'true' : undefined, 'aria-describedby': described })}
      {hint && <span id={`${id}-hint`} class="muted hint">{hint}</span>}
      {mine && <span id={`${id}-err`} class="error" role="alert">{text}</span>}
    </div>
  );
}

// The error of a form when none of its fields shows it.
export function FormError({ err, fields }) {
  const shown = err && !fields.includes(err.field);
  const text = useErrorText(err);
  return <p class="error" role="alert">{shown ? text : ''}</p>;
}

// Runs fn, keeping its error for the form; true when it succeeded.
export function useSubmit() {
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const status = useContext(PageStatus);
  const run = async (fn) => {
    setBusy(true);
    setErr(null);
    status.clear();
    try {
      await fn();
      return true;
    } catch (e) {
      // the API's refusal, unless the page put its own words on it
      const refusal = e.details && e.message === localMessage(e.details) ? e.details : undefined;
      setErr({ field: e.field, message: e.message, refusal });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { err, setErr, busy, run };
}

// [the dialog to render, ask(text, actionLabel, keepLabel?) -> Promise<boolean>];
// keepLabel names the button that changes nothing when "Cancel" would be
// ambiguous (the action itself cancels something).
export function useConfirm(t) {
  const [ask, setAsk] = useState(null);
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (ask && d && !d.open) d.showModal();
  }, [ask]);
  const confirm = (text, label, keep) =>
    new Promise((resolve) => setAsk({ text, label, keep, resolve, opener: document.activeElement }));
  const answer = (yes) => {
    ref.current?.close();
    setAsk(null);
    ask.opener?.focus?.();
    ask.resolve(yes);
  };
  const dialog = ask && (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text"
      onCancel={(e) => { e.preventDefault(); answer(false); }}>
      <h2 id="confirm-title">{t('admin.confirm.title')}</h2>
      <p id="confirm-text">{ask.text}</p>
      <div class="buttons">
        <button type="button" autofocus onClick={() => answer(false)}>{ask.keep || t('admin.cancel')}</button>
        <button type="button" class="danger" onClick={() => answer(true)}>{ask.label}</button>
      </div>
    </dialog>
  );
  return [dialog, confirm];
}

export function formatTime(lang, iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}
