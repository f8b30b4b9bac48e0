// The supervisor's goodwill gestures: those waiting for a decision (the
// contact, who recorded it, its value, reason and note), each approved or
// refused with an optional note (the API refuses one's own gesture or one
// above one's limit, said in the status), and the last 30 days per reason
// and per agent.
import { useEffect, useState } from 'preact/hooks';
import { gestureApi, money } from '../agent/gestures.js';
import { failed } from '../i18n/index.js';

function Report({ t, lang, report }) {
  if (!report) return null;
  const table = (rows, key, caption) => (
    <table class="gst-report">
      <caption>{caption}</caption>
      <thead><tr><th scope="col">{key}</th><th scope="col">{t('gst.col.count')}</th>
        <th scope="col">{t('gst.col.approved')}</th><th scope="col">{t('gst.col.pending')}</th>
        <th scope="col">{t('gst.col.refused')}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr><th scope="row">{r.key}</th><td>{r.gestures}</td>
            <td>{money(lang, r.approved_cents, report.currency)} ({r.approved})</td>
            <td>{money(lang, r.pending_cents, report.currency)} ({r.pending})</td><td>{r.refused}</td></tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <section aria-labelledby="gst-report-h">
      <h2 id="gst-report-h">{t('gst.report')}</h2>
      {table(report.by_reason, t('gst.reason'), t('gst.by_reason'))}
      {table(report.by_agent, t('gst.col.agent'), t('gst.by_agent'))}
    </section>
  );
}

// brand: the caller is the brand's own (an outsourcer's supervisor decides
// on pending gestures but does not read the brand's report: 403)
export function Gestures({ t, lang, say, fail, brand = true }) {
  const [pending, setPending] = useState(null);
  const [report, setReport] = useState(null);
  const [notes, setNotes] = useState({});
  const load = () => Promise.all([gestureApi.pending(), brand ? gestureApi.report() : null])
    .then(([p, r]) => { setPending(p.items); setReport(r); }).catch(fail);
  useEffect(() => { load(); }, []);
  const decide = (g, approve) => gestureApi.decide(g.id, approve, (notes[g.id] || '').trim())
    .then(() => { say((tr) => tr(approve ? 'gst.approved' : 'gst.refused', { id: g.id })); load(); })
    .catch((e) => say((tr) => failed(tr, e)));
  return (
    <div class="gst-super">
      <h2>{t('gst.pending')}</h2>
      {pending && pending.length === 0 && <p class="muted">{t('gst.pending.none')}</p>}
      <ul class="gst-pending">
        {(pending || []).map((g) => (
          <li data-gesture={g.id}>
            <p>
              <strong>{money(lang, g.amount_cents, g.currency)}</strong> · {t(`gst.kind.${g.kind}`)} ·{' '}
              {t('gst.on_contact', { id: g.contact_id })} · {g.reason} · {t('gst.by', { who: g.recorded_by })}
              {g.note && <> · <q>{g.note}</q></>}
            </p>
            <label for={`gst-dn-${g.id}`}>{t('gst.decision_note', { id: g.id })}</label>
            <input id={`gst-dn-${g.id}`} type="text" maxLength="1000" value={notes[g.id] || ''}
              onInput={(e) => setNotes({ ...notes, [g.id]: e.target.value })} />
            <div class="buttons">
              <button type="button" class="primary" onClick={() => decide(g, true)}>{t('gst.approve', { id: g.id })}</button>
              <button type="button" onClick={() => decide(g, false)}>{t('gst.refuse', { id: g.id })}</button>
            </div>
          </li>
        ))}
      </ul>
      <Report t={t} lang={lang} report={report} />
    </div>
  );
}
