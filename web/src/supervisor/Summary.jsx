// The reports kept current, from GET /reports/summary: a day of the
// tenant's cut per half hour, queue, agent, organisation or channel;
// contacts offered and answered as paired bars per row in SVG (with a
// title and a description), and every figure as a table with the totals
// and first-contact resolution. An outsourcer's supervisor gets its own
// organisation's rows, and is told so; the brand's supervisors see the
// accessibility barometer of the month below (Barometer.jsx). It opens on
// the tenant's today and shows the half hours in the tenant's zone (its
// calendar's, tenantday.js), wherever the supervisor's browser is.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { Barometer } from './Barometer.jsx';
import { tenantZone, timeOfDay, today } from './tenantday.js';

const CUTS = ['interval', 'queue', 'agent', 'organisation', 'channel'];
const W = 960;
const H = 240;
const PAD = { left: 40, right: 10, top: 10, bottom: 24 };

// A date and time in the tenant's zone, in the reader's language.
function when(lang, iso, zone) {
  const style = { dateStyle: 'medium', timeStyle: 'short' };
  try {
    return new Intl.DateTimeFormat(lang, { ...style, timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(lang, style).format(new Date(iso));
  }
}

function rowLabel(by, r, lang, zone) {
  if (by === 'interval') return timeOfDay(lang, r.start, zone);
  if (by === 'channel') return r.channel;
  return r.name || `#${r[`${by}_id`]}`;
}

// Whether the rows have contacts offered: a cut per agent or organisation,
// and an outsourcer's figures, have none (a queue's, not an agent's: null).
const withOffered = (report) => report.rows.some((r) => r.offered !== null);

function Chart({ t, lang, zone, report, date }) {
  const rows = report.rows;
  const paired = withOffered(report);
  const top = Math.max(1, ...rows.map((r) => Math.max(r.offered ?? 0, r.answered)));
  const w = (W - PAD.left - PAD.right) / Math.max(1, rows.length);
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
  const every = Math.max(1, Math.ceil(rows.length / 12));
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="sum-chart-title sum-chart-desc">
      <title id="sum-chart-title">{t(paired ? 'sum.chart_title' : 'sum.chart_title_answered', { date })}</title>
      <desc id="sum-chart-desc">{paired ? t('sum.chart_desc', { offered: report.totals.offered, answered: report.totals.answered })
        : t('sum.chart_desc_answered', { answered: report.totals.answered })}</desc>
      <line class="axis" x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} />
      <text class="tick" x={PAD.left - 4} y={y(top) + 4} text-anchor="end">{top}</text>
      <text class="tick" x={PAD.left - 4} y={y(0)} text-anchor="end">0</text>
      {rows.map((r, i) => {
        const x = PAD.left + i * w;
        return (
          <g key={i}>
            {paired ? <rect class="bar" x={x + 1} y={y(r.offered ?? 0)} width={Math.max(1, w / 2 - 1)}
              height={y(0) - y(r.offered ?? 0)} /> : null}
            <rect class="bar answered" x={paired ? x + w / 2 : x + 1} y={y(r.answered)}
              width={Math.max(1, paired ? w / 2 - 1 : w - 2)} height={y(0) - y(r.answered)} />
            {i % every === 0 ? <text class="tick" x={x} y={H - 6}>{rowLabel(report.by, r, lang, zone)}</text> : null}
          </g>
        );
      })}
    </svg>
  );
}

function Figures({ t, lang, zone, report, date }) {
  const pct = new Intl.NumberFormat(lang, { style: 'percent' });
  const nf = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const dash = '–';
  const share = (v) => (v === null || v === undefined ? dash : pct.format(v));
  const num = (v) => (v === null || v === undefined ? dash : nf.format(v));
  const cells = (r) => [num(r.offered), num(r.answered), num(r.abandoned), num(r.avg_abandon_wait_s),
    share(r.service_level), num(r.avg_speed_of_answer_s), num(r.avg_handle_s), num(r.transfers), num(r.escalations),
    num(r.moved_away), num(r.declined), num(r.missed), share(r.occupancy)];
  const heads = ['sum.offered', 'sum.answered', 'sum.abandoned', 'sum.abandon_wait', 'sum.sl', 'sum.asa', 'sum.aht',
    'sum.transfers', 'sum.escalations', 'sum.moved_away', 'sum.declined', 'sum.missed', 'sum.occupancy'];
  return (
    <table class="board summary">
      {/* the day and its half hours are the tenant's zone's, which the reader's may not be */}
      <caption>{t('sum.table', { date, zone: zone || 'UTC', by: t(`sum.by.${report.by}`).toLocaleLowerCase(lang) })}</caption>
      <thead>
        <tr>
          <th scope="col">{t(`sum.by.${report.by}`)}</th>
          {heads.map((h) => <th scope="col">{t(h)}</th>)}
        </tr>
      </thead>
      <tbody>
        {report.rows.map((r, i) => (
          <tr key={i}>
            <th scope="row">{rowLabel(report.by, r, lang, zone)}</th>
            {cells(r).map((c) => <td class="num">{c}</td>)}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t('sum.total')}</th>
          {cells(report.totals).map((c) => <td class="num">{c}</td>)}
        </tr>
      </tfoot>
    </table>
  );
}

export function Summary({ t, lang, fail }) {
  const [zone, setZone] = useState(undefined);
  const [date, setDate] = useState(null); // known once the tenant's zone is
  const [by, setBy] = useState('interval');
  const [report, setReport] = useState(null);
  const asked = useRef('');
  useEffect(() => {
    if (!date) return;
    const key = `${date} ${by}`;
    asked.current = key;
    api.summary(date, by).then((r) => { if (asked.current === key) setReport(r); }, fail);
  }, [date, by]);
  useEffect(() => {
    tenantZone().then((z) => {
      setZone(z);
      setDate(today(z));
    });
  }, []);
  const fcr = report && report.first_contact_resolution;
  const pct = new Intl.NumberFormat(lang, { style: 'percent' });
  return (
    <section class="day" aria-labelledby="sum-title">
      <div class="board-head">
        <h2 id="sum-title">{t('sum.title')}</h2>
        <label for="sum-date">{t('sum.date')}</label>
        <input id="sum-date" type="date" value={date ?? ''} disabled={date === null}
          onInput={(e) => setDate(e.target.value)} />
        <label for="sum-by">{t('sum.by')}</label>
        <select id="sum-by" value={by} onChange={(e) => setBy(e.target.value)}>
          {CUTS.map((c) => <option value={c}>{t(`sum.by.${c}`)}</option>)}
        </select>
      </div>
      {report && report.organisation_id ? <p>{t('sum.own_org')}</p> : null}
      {report && (report.rows.length === 0 ? <p>{t('sum.none')}</p> : (
        <>
          <ul class="legend">
            {withOffered(report) ? <li><span class="key bar" /> {t('sum.offered')}</li> : null}
            <li><span class="key bar answered" /> {t('sum.answered')}</li>
          </ul>
          <Chart t={t} lang={lang} zone={zone} report={report} date={date} />
          <Figures t={t} lang={lang} zone={zone} report={report} date={date} />
        </>
      ))}
      {/* it counts only contacts with a reason (docs/api.md): without one, saying "0 of 0 resolved
          contacts" beside a day of contacts resolved read as a wrong figure */}
      {fcr ? <p class="fcr">{fcr.resolved ? t('sum.fcr', { once: fcr.once_and_done, resolved: fcr.resolved,
        rate: fcr.rate === null ? '–' : pct.format(fcr.rate) }) : t('sum.fcr_none')}
        {/* a customer may still come back within the 7 days: the rate can still fall until then */}
        {fcr.resolved && fcr.provisional ? ` ${t('sum.fcr_provisional', { at: when(lang, fcr.final_at, zone) })}` : ''}</p>
        : null}
      {report && !report.organisation_id ? <Barometer t={t} lang={lang} zone={zone} fail={fail} /> : null}
    </section>
  );
}
