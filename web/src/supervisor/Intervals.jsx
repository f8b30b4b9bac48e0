// The day so far, per half hour, from GET /reports/intervals: contacts
// offered as bars beside the forecast (a line) and the service level (a
// second line, on its own 0-100% scale: each half hour's own), drawn in SVG
// with a title and a description; a half hour without a figure (no contact
// answered or abandoned, no forecast) is a gap in its line, never bridged,
// and a figure alone between gaps a dot. The same figures as a table for
// screen readers and for whoever prefers numbers.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';

const W = 960;
const H = 240;
const PAD = { left: 40, right: 40, top: 10, bottom: 24 };

// Today as YYYY-MM-DD, in the browser's zone or the tenant's.
function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone })
    .format(new Date());
}

// The runs of consecutive values that are numbers, as [index, value] pairs:
// [1, null, 2, 3] gives [[[0, 1]], [[2, 2], [3, 3]]].
export function runs(values) {
  const out = [];
  let run = null;
  values.forEach((v, i) => {
    if (v === null || v === undefined) run = null;
    else {
      if (!run) out.push(run = []);
      run.push([i, v]);
    }
  });
  return out;
}

function Chart({ t, lang, report }) {
  const rows = report.intervals;
  const top = Math.max(1, ...rows.map((r) => Math.max(r.offered, r.forecast ? r.forecast.offered : 0)));
  const w = (W - PAD.left - PAD.right) / rows.length;
  const x = (i) => PAD.left + i * w;
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
  const ySl = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v);
  // a line's runs of half hours with a figure: a polyline each, a dot for one alone
  const line = (cls, pick, scale) => runs(rows.map(pick)).map((run) => {
    const at = run.map(([i, v]) => [(x(i) + w / 2).toFixed(1), scale(v).toFixed(1)]);
    return at.length === 1 ? <circle class={`${cls} dot`} cx={at[0][0]} cy={at[0][1]} r="3" />
      : <polyline class={cls} points={at.map((p) => p.join(',')).join(' ')} />;
  });
  const nf = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const offered = rows.reduce((s, r) => s + r.offered, 0);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc">
      <title id="chart-title">{t('day.chart_title', { date: report.date })}</title>
      <desc id="chart-desc">{t('day.chart_desc', { n: offered })}</desc>
      <line class="axis" x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} />
      <text class="tick" x={PAD.left - 4} y={y(top) + 4} text-anchor="end">{nf.format(top)}</text>
      <text class="tick" x={PAD.left - 4} y={y(0)} text-anchor="end">0</text>
      <text class="tick" x={W - PAD.right + 4} y={ySl(1) + 4}>100%</text>
      {rows.map((r, i) => (
        <rect class="bar" x={x(i) + 1} y={y(r.offered)} width={Math.max(1, w - 2)} height={y(0) - y(r.offered)} />
      ))}
      {rows.map((r, i) => (i % 4 === 0 ? <text class="tick" x={x(i)} y={H - 6}>{r.time}</text> : null))}
      {line('forecast', (r) => (r.forecast ? r.forecast.offered : null), y)}
      {line('sl', (r) => r.service_level, ySl)}
    </svg>
  );
}

function Table({ t, lang, report }) {
  const pct = new Intl.NumberFormat(lang, { style: 'percent' });
  const nf = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const dash = '–';
  return (
    <table class="board intervals">
      <caption>{t('day.table', { date: report.date, zone: report.zone })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('day.time')}</th>
          <th scope="col">{t('day.offered')}</th>
          <th scope="col">{t('day.forecast')}</th>
          <th scope="col">{t('super.answered')}</th>
          <th scope="col">{t('super.abandoned')}</th>
          <th scope="col">{t('day.service_level')}</th>
          <th scope="col">{t('day.staff')}</th>
        </tr>
      </thead>
      <tbody>
        {report.intervals.map((r) => (
          <tr key={r.time} data-time={r.time}>
            <th scope="row">{r.time}</th>
            <td class="num">{nf.format(r.offered)}</td>
            <td class="num">{r.forecast ? nf.format(r.forecast.offered) : dash}</td>
            <td class="num">{nf.format(r.answered)}</td>
            <td class="num">{nf.format(r.abandoned)}</td>
            <td class="num">{r.service_level === null ? dash : pct.format(r.service_level)}</td>
            <td class="num">{r.forecast ? nf.format(r.forecast.staff) : dash}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Intervals({ t, lang, fail }) {
  const [date, setDate] = useState(null); // known once the tenant's zone is
  const [report, setReport] = useState(null);
  const [asTable, setAsTable] = useState(false);
  // every queue at once, or one: its own forecast and staff at its own goal
  // (a chat queue and an email queue are not staffed at one goal)
  const [queues, setQueues] = useState([]);
  const [queue, setQueue] = useState('');
  const asked = useRef(null);
  const load = (day, q = queue) => {
    const key = `${day}/${q}`;
    asked.current = key;
    return api.intervals(day, q).then((r) => (asked.current === key ? r : null));
  };
  useEffect(() => { api.queues().then((r) => setQueues(r.items || []), () => {}); }, []);
  // the first answer names the tenant's zone, where today may be another day
  useEffect(() => {
    load(today()).then((r) => {
      const local = today(r.zone || undefined);
      setDate(local);
      if (local === r.date) setReport(r);
      else return load(local).then((x) => x && setReport(x));
    }).catch(fail);
  }, []);
  const choose = (day) => {
    setDate(day);
    if (day) load(day).then((r) => r && setReport(r), fail);
  };
  const chooseQueue = (q) => {
    setQueue(q);
    if (date) load(date, q).then((r) => r && setReport(r), fail);
  };
  return (
    <section class="day" aria-labelledby="day-title">
      <div class="board-head">
        <h2 id="day-title">{t('day.title')}</h2>
        <label for="day-date">{t('day.date')}</label>
        <input id="day-date" type="date" value={date || ''} disabled={!date} onInput={(e) => choose(e.target.value)} />
        <label for="day-queue">{t('day.queue')}</label>
        <select id="day-queue" value={queue} onChange={(e) => chooseQueue(e.target.value)}>
          <option value="">{t('day.all_queues')}</option>
          {queues.map((q) => <option value={String(q.id)}>{q.name}</option>)}
        </select>
        <button type="button" aria-pressed={asTable ? 'true' : 'false'} onClick={() => setAsTable((v) => !v)}>
          {t('day.as_table')}
        </button>
      </div>
      {report && (
        <>
          <ul class="legend">
            <li><span class="key bar" /> {t('day.offered')}</li>
            <li><span class="key forecast" /> {t('day.forecast')}</li>
            <li><span class="key sl" /> {t('day.service_level')}</li>
          </ul>
          {/* what the forecast and the staff needed stand on: a line with no word of where it comes from
              (or nothing drawn, and no word of why) left the supervisor guessing */}
          <p class="forecast-basis">{report.forecast
            ? t('day.forecast_basis', { n: report.forecast.weeks, sl: new Intl.NumberFormat(lang, { style: 'percent' })
              .format(report.forecast.service_level), s: report.forecast.target_s })
            : t('day.no_forecast')}</p>
          {asTable ? <Table t={t} lang={lang} report={report} /> : <Chart t={t} lang={lang} report={report} />}
        </>
      )}
    </section>
  );
}
