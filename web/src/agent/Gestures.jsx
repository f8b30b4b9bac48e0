// A contact's goodwill gestures, beside the diagnosis: those recorded with
// their value, reason and state, and a form to record one (kind, amount in
// the tenant's currency, reason: the contact's by default, and a note for
// the approver). Within the agent's limit it counts at once; above it, it
// waits for a supervisor, and the status says which. The API's errors
// show at their fields.
import { useEffect, useState } from 'preact/hooks';
import { Field, FormError, useSubmit } from '../admin/form.jsx';
import { KINDS, gestureApi, money, parseAmount } from './gestures.js';
import { inLanguage } from '../i18n/index.js';

export function Gestures({ t, lang, id, contact, say }) {
  const [items, setItems] = useState([]);
  const [kind, setKind] = useState('credit');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState('');
  const { err, setErr, busy, run } = useSubmit();
  const load = () => gestureApi.list(id).then((page) => setItems(page.items)).catch(() => {});
  useEffect(() => { load(); }, [id]);

  const record = async (e) => {
    e.preventDefault();
    const cents = parseAmount(amount);
    if (cents === null) {
      setErr({ field: 'amount_cents', message: t('gst.amount.bad') });
      return;
    }
    const body = { kind, amount_cents: cents };
    if (reason.trim()) body.reason = reason.trim();
    if (note.trim()) body.note = note.trim();
    let made = null;
    if (await run(async () => { made = await gestureApi.record(id, body); })) {
      const recorded = made;
      const said = (t, lang) => t(recorded.state === 'approved' ? 'gst.recorded' : 'gst.waiting',
        { amount: money(lang, recorded.amount_cents, recorded.currency) });
      setStatus(() => said); // said again in the language the agent switches to
      say(said);
      setAmount('');
      setNote('');
      load();
    }
  };
  const p = `gst-${id}`;
  return (
    <section class="gestures" aria-labelledby={`${p}-h`}>
      <h3 id={`${p}-h`}>{t('gst.title')}</h3>
      {items.length === 0 ? <p class="muted">{t('gst.none')}</p> : (
        <ul class="gst-list">
          {items.map((g) => (
            <li data-gesture={g.id}>
              {t(`gst.kind.${g.kind}`)} · {money(lang, g.amount_cents, g.currency)} · {g.reason} ·{' '}
              <span class={`gst-state gst-${g.state}`}>{t(`gst.state.${g.state}`)}</span>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={record}>
        <fieldset disabled={busy}>
          <legend>{t('gst.new')}</legend>
          <Field id={`${p}-kind`} name="kind" label={t('gst.kind')} err={err}>
            {(a) => <select {...a} value={kind} onChange={(e) => setKind(e.target.value)}>
              {KINDS.map((k) => <option value={k}>{t(`gst.kind.${k}`)}</option>)}
            </select>}
          </Field>
          <Field id={`${p}-amount`} name="amount_cents" label={t('gst.amount')} err={err}>
            {(a) => <input {...a} inputMode="decimal" value={amount} onInput={(e) => setAmount(e.target.value)} />}
          </Field>
          <Field id={`${p}-reason`} name="reason" label={t('gst.reason')} err={err}>
            {(a) => <input {...a} maxLength="100" value={reason} placeholder={contact?.reason || ''}
              onInput={(e) => setReason(e.target.value)} />}
          </Field>
          <Field id={`${p}-note`} name="note" label={t('gst.note')} err={err}>
            {(a) => <input {...a} maxLength="1000" value={note} onInput={(e) => setNote(e.target.value)} />}
          </Field>
          <FormError err={err} fields={['kind', 'amount_cents', 'reason', 'note']} />
          <button type="submit">{t('gst.record')}</button>
        </fieldset>
      </form>
      <p role="status" class="gst-status">{inLanguage(status, t, lang)}</p>
    </section>
  );
}
