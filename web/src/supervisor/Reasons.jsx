// Why customers come and how it ends, from the reports folded from the
// contacts' events: reasons over time (GET /reports/reasons, stacked bars
// per day or week for the five largest reasons, in SVG with a title and a
// description, and the table of reasons and dispositions), satisfaction
// (GET /reports/satisfaction per queue, agent, organisation or channel)
// and the knowledge items that resolve most and fail most (GET
// /reports/knowledge; the help centre's answers in two tables of their
// own). The last 30 days; an outsourcer's supervisor gets
// its own organisation's figures, and is told so.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';

const W = 960;
const H = 220;
const PAD = { left: 40, right: 10, top: 10, bottom: 24 };
const TOP = 5;
const SAT_CUTS = ['queue', 'agent', 'organisation', 'channel'];
// the dispositions guichet itself gives (an abandoned wait, a callback's end...), in the page's language
const OWN_DISPOSITIONS = ['abandoned', 'refused_closed', 'call_ended', 'callback_requested', 'callback_missed',
  'callback_cancelled', 'wrong_number'];

function Chart({ t, report }) {
  const top = report.reasons.slice(0, TOP).map((r) => r.reason);
  const periods = report.periods;
  const max = Math.max(1, ...periods.map((p) => p.contacts));
  const w = (W - PAD.left - PAD.right) / Math.max(1, periods.length);
  const y = (v) => (H - PAD.top - PAD.bottom) * (v / max);
  const base = H - PAD.bottom;
  const every = Math.max(1, Math.ceil(periods.length / 10));
  const count = (period, reason) => report.rows.filter((r) => r.period === period && r.reason === reason)
    .reduce((n, r) => n + r.contacts, 0);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="rsn-chart-title rsn-chart-desc">
      <title id="rsn-chart-title">{t('rsn.chart_title')}</title>
      <desc id="rsn-chart-desc">{t('rsn.chart_desc', { total: report.total, reasons: top.join(', ') })}</desc>
      <line class="axis" x1={PAD.left} y1={base} x2={W - PAD.right} y2={base} />
      <text class="tick" x={PAD.left - 4} y={PAD.top + 4} text-anchor="end">{max}</text>
      {periods.map((p, i) => {
        let at = base;
        const x = PAD.left + i * w;
        return (
          <g key={p.period}>
            {top.map((reason, k) => {
              const h = y(count(p.period, reason));
              at -= h;
              return <rect class={`bar stack-${k}`} x={x + 1} y={at} width={Math.max(1, w - 2)} height={h} />;
            })}
            {i % every === 0 ? <text class="tick" x={x} y={H - 6}>{p.period}</text> : null}
          </g>
        );
      })}
    </svg>
  );
}

function Ranked({ t, lang, id, items, name }) {
  const pct = new Intl.NumberFormat(lang, { style: 'percent' });
  return (
    <table class="board">
      <caption>{t(`rsn.${id}_caption`)}</caption>
      <thead><tr><th scope="col">{t(`rsn.${name}`)}</th><th scope="col">{t('rsn.contacts')}</th>
        <th scope="col">{t('rsn.share')}</th></tr></thead>
      <tbody>
        {items.map((r) => {
          const own = name === 'disposition' && !r.label && OWN_DISPOSITIONS.includes(r[name]);
          const shown = r.label || (own ? t(`rsn.own.${r[name]}`) : r[name]);
          return (
            <tr key={r[name]}><th scope="row" title={shown !== r[name] ? r[name] : undefined}>{shown || t('rsn.no_reason')}</th>
              <td class="num">{r.contacts}</td><td class="num">{pct.format(r.share || 0)}</td></tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Satisfaction({ t, lang, fail }) {
  const [by, setBy] = useState('queue');
  const [s, setS] = useState(null);
  useEffect(() => { call('GET', `/api/v1/reports/satisfaction?by=${by}`).then(setS).catch(fail); }, [by]);
  const nf = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const pct = new Intl.NumberFormat(lang, { style: 'percent' });
  const show = (v, f) => (v === null || v === undefined ? '–' : f.format(v));
  const label = (r) => (by === 'channel' ? r.channel : r.name || `#${r[`${by}_id`]}`);
  const cells = (r) => [r.rated, show(r.average, nf), show(r.satisfied_share, pct), r.score_1, r.score_2,
    r.score_3, r.score_4, r.score_5];
  return (
    <section aria-labelledby="rsn-sat-title">
      <div class="board-head">
        <h3 id="rsn-sat-title">{t('rsn.sat_title')}</h3>
        <label for="rsn-sat-by">{t('sum.by')}</label>
        <select id="rsn-sat-by" value={by} onChange={(e) => setBy(e.target.value)}>
          {SAT_CUTS.map((c) => <option value={c}>{t(`sum.by.${c}`)}</option>)}
        </select>
      </div>
      {s && (s.rows.length === 0 ? <p>{t('rsn.sat_none')}</p> : (
        <table class="board satisfaction">
          <caption>{t('rsn.sat_caption', { by: t(`sum.by.${by}`) })}</caption>
          <thead><tr><th scope="col">{t(`sum.by.${by}`)}</th><th scope="col">{t('rsn.rated')}</th>
            <th scope="col">{t('rsn.average')}</th><th scope="col">{t('rsn.satisfied')}</th>
            {[1, 2, 3, 4, 5].map((k) => <th scope="col">{t('rsn.score', { k })}</th>)}</tr></thead>
          <tbody>
            {s.rows.map((r, i) => <tr key={i}><th scope="row">{label(r)}</th>{cells(r).map((c) => <td class="num">{c}</td>)}</tr>)}
          </tbody>
          <tfoot><tr><th scope="row">{t('sum.total')}</th>{cells(s.totals).map((c) => <td class="num">{c}</td>)}</tr></tfoot>
        </table>
      ))}
    </section>
  );
}

function Knowledge({ t, lang, fail }) {
  const [k, setK] = useState(null);
  useEffect(() => { call('GET', '/api/v1/reports/knowledge').then(setK).catch(fail); }, []);
  const pct = new Intl.NumberFormat(lang, { style: 'percent' });
  // the agents' outcomes (resolved, failed) or the help centre's answers (solved, not solved)
  const table = (id, items, self) => (
    <table class="board knowledge">
      <caption>{t(`rsn.${id}`)}</caption>
      <thead><tr><th scope="col">{t('rsn.item')}</th><th scope="col">{t(self ? 'rsn.solved' : 'rsn.resolved')}</th>
        <th scope="col">{t(self ? 'rsn.unsolved' : 'rsn.failed')}</th><th scope="col">{t('rsn.rate')}</th></tr></thead>
      <tbody>
        {items.map((r) => {
          const rate = self ? r.self_service_rate : r.resolution_rate;
          return (
            <tr key={r.item_id}><th scope="row">{r.title || r.key}</th>
              <td class="num">{self ? r.self_service_solved : r.resolved}</td>
              <td class="num">{self ? r.self_service_unsolved : r.failed}</td>
              <td class="num">{rate === null || rate === undefined ? '–' : pct.format(rate)}</td></tr>
          );
        })}
      </tbody>
    </table>
  );
  const selfService = k && (k.self_service_solve_most.length > 0 || k.self_service_fail_most.length > 0);
  return (
    <section aria-labelledby="rsn-kb-title">
      <h3 id="rsn-kb-title">{t('rsn.kb_title')}</h3>
      {k && (k.rows.length === 0 ? <p>{t('rsn.kb_none')}</p> : (
        <>
          {k.resolve_most.length > 0 && table('kb_most', k.resolve_most)}
          {k.fail_most.length > 0 && table('kb_fail', k.fail_most)}
          {selfService && table('kb_self_most', k.self_service_solve_most, true)}
          {selfService && table('kb_self_fail', k.self_service_fail_most, true)}
        </>
      ))}
    </section>
  );
}

export function Reasons({ t, lang, fail }) {
  const [by, setBy] = useState('day');
  const [report, setReport] = useState(null);
  useEffect(() => { call('GET', `/api/v1/reports/reasons?by=${by}`).then(setReport).catch(fail); }, [by]);
  return (
    <section class="day" aria-labelledby="rsn-title">
      <div class="board-head">
        <h2 id="rsn-title">{t('rsn.title')}</h2>
        <label for="rsn-by">{t('sum.by')}</label>
        <select id="rsn-by" value={by} onChange={(e) => setBy(e.target.value)}>
          <option value="day">{t('rsn.by.day')}</option>
          <option value="week">{t('rsn.by.week')}</option>
        </select>
      </div>
      {report && report.organisation_id ? <p>{t('sum.own_org')}</p> : null}
      {report && (report.total === 0 ? <p>{t('rsn.none')}</p> : (
        <>
          <ul class="legend">
            {report.reasons.slice(0, TOP).map((r, k) => (
              <li><span class={`key bar stack-${k}`} /> {r.reason || t('rsn.no_reason')}</li>
            ))}
          </ul>
          <Chart t={t} report={report} />
          <Ranked t={t} lang={lang} id="reasons" items={report.reasons} name="reason" />
          <Ranked t={t} lang={lang} id="dispositions" items={report.dispositions} name="disposition" />
        </>
      ))}
      <Satisfaction t={t} lang={lang} fail={fail} />
      <Knowledge t={t} lang={lang} fail={fail} />
    </section>
  );
}
