// The planner's page. A planner's role reads contacts, users and routing
// and plans the staff (the workforce tools), but does not supervise: the
// day so far per half hour beside its forecast (GET /reports/intervals)
// and the other reports are the supervisors'. So the page says so and
// gives what the role does use: the service goal, the agents one interval
// needs (POST /wfm/staff: Erlang C, or Erlang A with a patience), a
// forecast from the brand's own history (GET /wfm/forecast) and its plan,
// a staffing plan from a forecast file (POST /wfm/plan; each plan shown as
// a table and downloadable as CSV), the history the forecasts read (GET
// /wfm/history, as CSV files to download), and the same tools from the
// command line, with the simulation the page does not carry (docs/wfm.md).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call, csrfToken, ApiError } from '../api.js';
import './planning.css';

const HISTORY = '/api/v1/wfm/history';
const INTERVALS = [900, 1800, 3600];

// The goal as the API reads it: shares, not percentages.
function goalQuery(g) {
  const q = { interval: Number(g.interval), sl: Number(g.sl) / 100, target: Number(g.target) };
  if (g.shrinkage !== '') q.shrinkage = Number(g.shrinkage) / 100;
  return q;
}

// What is wrong with the goal, said in the page's words (it is typed in
// percent, the API reads shares), or null. The goal's fields are outside
// either tool's form, so the browser's own checks do not reach them.
function goalProblem(t, g) {
  const sl = Number(g.sl), target = Number(g.target), shrinkage = Number(g.shrinkage);
  if (g.sl === '' || !(sl > 0 && sl < 100)) return { field: 'sl', message: t('planning.sl_range') };
  if (g.target === '' || !(target >= 0 && target <= 86400)) return { field: 'target', message: t('planning.target_range') };
  if (g.shrinkage !== '' && !(shrinkage >= 0 && shrinkage <= 95)) return { field: 'shrinkage', message: t('planning.shrinkage_range') };
  return null;
}

async function plan(goal, csv, what = 'plan', extra = {}) {
  const q = Object.entries({ ...goalQuery(goal), ...extra }).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const res = await fetch(`/api/v1/wfm/${what}?${q}`, {
    method: 'POST', credentials: 'same-origin', body: csv,
    headers: { Accept: 'application/json', 'Content-Type': 'text/csv', 'X-CSRF-Token': csrfToken() },
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// The plan's rows as a CSV file a spreadsheet opens.
function planCsv(p) {
  const head = 'interval_start,calls,aht,agents,staff,service_level,occupancy,p_abandon';
  const rows = p.intervals.map((r) => [r.start, r.calls, r.aht, r.agents, r.staff, r.service_level.toFixed(4),
    r.occupancy.toFixed(4), r.p_abandon === undefined ? '' : r.p_abandon.toFixed(4)].join(','));
  return [head, ...rows].join('\n') + '\n';
}

function Num({ id, label, value, onInput, min, max, step, hint, required = true, err }) {
  const mine = err && err.field === id;
  return (
    <div class="field">
      <label for={`pl-${id}`}>{label}</label>
      <input id={`pl-${id}`} type="number" inputmode="decimal" required={required} min={min} max={max} step={step || 'any'}
        value={value} onInput={(e) => onInput(e.target.value)} aria-invalid={mine ? 'true' : undefined}
        aria-describedby={[hint && `pl-${id}-hint`, mine && `pl-${id}-err`].filter(Boolean).join(' ') || undefined} />
      {hint && <span id={`pl-${id}-hint`} class="muted hint">{hint}</span>}
      {mine && <span id={`pl-${id}-err`} class="error" role="alert">{err.message}</span>}
    </div>
  );
}

function Goal({ t, goal, set }) {
  const on = (k) => (v) => set({ ...goal, [k]: v });
  return (
    <fieldset class="pl-goal">
      <legend>{t('planning.goal')}</legend>
      <div class="field">
        <label for="pl-interval">{t('planning.interval')}</label>
        <select id="pl-interval" value={goal.interval} onChange={(e) => set({ ...goal, interval: Number(e.target.value) })}>
          {INTERVALS.map((s) => <option value={s}>{t(`planning.interval.${s}`)}</option>)}
        </select>
      </div>
      <Num id="sl" label={t('planning.sl')} value={goal.sl} onInput={on('sl')} min="1" max="99.99" />
      <Num id="target" label={t('planning.target')} value={goal.target} onInput={on('target')} min="0" max="86400" />
      <Num id="shrinkage" label={t('planning.shrinkage')} value={goal.shrinkage} onInput={on('shrinkage')} min="0" max="95"
        required={false} hint={t('planning.shrinkage_hint')} />
    </fieldset>
  );
}

const pct = (x, lang) => (x * 100).toLocaleString(lang, { maximumFractionDigits: 1 });
const secs = (x, lang) => Math.round(x).toLocaleString(lang);

// The agents one interval needs, and what they give.
function OneInterval({ t, lang, goal }) {
  const [v, setV] = useState({ calls: '', aht: '300', patience: '' });
  const [out, setOut] = useState(null);
  const [err, setErr] = useState(null);
  const on = (k) => (x) => setV({ ...v, [k]: x });
  const submit = async (e) => {
    e.preventDefault();
    const wrong = goalProblem(t, goal);
    setErr(wrong);
    if (wrong) return setOut(null);
    const body = { ...goalQuery(goal), calls: Number(v.calls), aht: Number(v.aht) };
    if (v.patience !== '') body.patience = Number(v.patience);
    try {
      setOut(await call('POST', '/api/v1/wfm/staff', body));
    } catch (x) {
      setOut(null);
      setErr({ field: x.field, message: x.message });
    }
  };
  const said = out && [
    t(out.staff !== undefined ? 'planning.agents_staff' : 'planning.agents', { n: out.agents, staff: out.staff }),
    t('planning.answered', { sl: pct(out.service_level, lang), target: goal.target }),
    out.model === 'erlang_a' ? t('planning.mean_wait', { s: secs(out.mean_wait, lang) }) : t('planning.asa', { s: secs(out.asa, lang) }),
    out.model === 'erlang_a' ? t('planning.abandon', { p: pct(out.p_abandon, lang) }) : null,
    t('planning.occupancy', { p: pct(out.occupancy, lang) }),
  ].filter(Boolean).join(' ');
  return (
    <form class="pl-form" onSubmit={submit}>
      <h2>{t('planning.one')}</h2>
      <Num id="calls" label={t('planning.calls')} value={v.calls} onInput={on('calls')} min="0" err={err} />
      <Num id="aht" label={t('planning.aht')} value={v.aht} onInput={on('aht')} min="1" err={err} />
      <Num id="patience" label={t('planning.patience')} value={v.patience} onInput={on('patience')} min="1" required={false}
        hint={t('planning.patience_hint')} err={err} />
      <p class="error" role="alert">{err && !['calls', 'aht', 'patience'].includes(err.field) ? err.message : ''}</p>
      <button type="submit" class="primary">{t('planning.compute')}</button>
      <p role="status" class="pl-answer">{said || ''}</p>
    </form>
  );
}

// The positions to buy from an outsourcer for the plan's csv: the
// in-house people in each interval and a position's price per hour.
function Outsourcing({ t, lang, goal, csv, id, onBought }) {
  const [v, setV] = useState({ inhouse: '', price: '' });
  const [o, setO] = useState(null);
  const [err, setErr] = useState(null);
  const money = (x) => x.toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const submit = async (e) => {
    e.preventDefault();
    setErr(null);
    try {
      const got = await plan(goal, csv, 'overflow', { inhouse: Number(v.inhouse), price: Number(v.price) });
      setO(got);
      onBought(got.intervals.map((r) => r.to_buy));
    } catch (x) {
      setO(null);
      onBought(null);
      setErr(x.message);
    }
  };
  return (
    <form class="pl-outsource" onSubmit={submit}>
      <h3>{t('planning.outsource')}</h3>
      <Num id={`${id}-inhouse`} label={t('planning.inhouse')} value={v.inhouse} onInput={(x) => setV({ ...v, inhouse: x })}
        min="0" step="1" />
      <Num id={`${id}-price`} label={t('planning.price')} value={v.price} onInput={(x) => setV({ ...v, price: x })} min="0" />
      <button type="submit">{t('planning.outsource_submit')}</button>
      <p class="error" role="alert">{err || ''}</p>
      <p role="status">{o && t('planning.outsource_said', {
        peak: o.peak_positions, hours: o.position_hours.toLocaleString(lang, { maximumFractionDigits: 1 }),
        cost: money(o.cost_hourly_billing), span: o.span_hours.toLocaleString(lang, { maximumFractionDigits: 1 }),
        fixed: money(o.cost_fixed_positions) })}</p>
    </form>
  );
}

// A staffing plan: its summary (the peak, the hours), a CSV to download,
// what to buy from an outsourcer, and the table of intervals.
function PlanView({ t, lang, out, id, goal, csv }) {
  const [bought, setBought] = useState(null);
  const peak = out.intervals.reduce((a, r) => (r.agents > (a ? a.agents : -1) ? r : a), null);
  const staffed = out.intervals.some((r) => r.staff !== r.agents);
  const abandons = out.intervals.some((r) => r.p_abandon !== undefined);
  const href = useMemo(() => URL.createObjectURL(new Blob([planCsv(out)], { type: 'text/csv' })), [out]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  return (
    <>
      <p role="status">{peak && t('planning.summary', {
        n: out.intervals.length, peak: peak.agents, at: peak.start,
        hours: out.agent_hours.toLocaleString(lang, { maximumFractionDigits: 1 }),
        staff: out.staff_hours.toLocaleString(lang, { maximumFractionDigits: 1 }),
      })}</p>
      <p><a href={href} download="plan.csv">{t('planning.download')}</a></p>
      <Outsourcing t={t} lang={lang} goal={goal} csv={csv} id={id} onBought={setBought} />
      <div class="pl-table" tabindex="0" role="region" aria-labelledby={`pl-${id}-caption`}>
        <table class="board">
          <caption id={`pl-${id}-caption`}>{t(`planning.table.${id}`)}</caption>
          <thead><tr>
            <th scope="col">{t('planning.col.start')}</th><th scope="col">{t('planning.col.calls')}</th>
            <th scope="col">{t('planning.col.aht')}</th><th scope="col">{t('planning.col.agents')}</th>
            {staffed && <th scope="col">{t('planning.col.staff')}</th>}
            <th scope="col">{t('planning.col.sl')}</th><th scope="col">{t('planning.col.occupancy')}</th>
            {abandons && <th scope="col">{t('planning.col.abandon')}</th>}
            {bought && <th scope="col">{t('planning.col.to_buy')}</th>}
          </tr></thead>
          <tbody>{out.intervals.map((r, i) => (
            <tr>
              <th scope="row">{r.start}</th><td>{r.calls.toLocaleString(lang, { maximumFractionDigits: 1 })}</td>
              <td>{secs(r.aht, lang)}</td><td>{r.agents}</td>
              {staffed && <td>{r.staff}</td>}
              <td>{pct(r.service_level, lang)} %</td><td>{pct(r.occupancy, lang)} %</td>
              {abandons && <td>{r.p_abandon === undefined ? '' : `${pct(r.p_abandon, lang)} %`}</td>}
              {bought && <td>{bought[i]}</td>}
            </tr>
          ))}</tbody>
        </table>
      </div>
    </>
  );
}

let plans = 0; // each plan shown is new: its outsourcing starts empty

// Plans csv for the goal into setOut, or says why not in setErr (a line of the file named).
async function planInto(t, goal, csv, setOut, setErr) {
  const wrong = goalProblem(t, goal);
  setErr(wrong && wrong.message);
  setOut(null);
  if (wrong) return;
  try {
    setOut({ ...(await plan(goal, csv)), csv, goal, n: ++plans });
  } catch (x) {
    setErr(x.field ? t('planning.file_error_at', { where: x.field, message: x.message }) : x.message);
  }
}

// The forecast as the CSV /wfm/plan reads, an AHT given where the history measured none.
function forecastCsv(f, aht) {
  return ['start,calls,aht', ...f.intervals.map((r) => `${r.start},${r.calls},${r.aht ?? aht}`)].join('\n') + '\n';
}

// A forecast from the brand's own history (GET /wfm/forecast): its days,
// the days left out of the fit and the holidays used, then its plan.
function FromHistory({ t, lang, goal }) {
  const [v, setV] = useState({ weeks: '12', days: '14', holidays: '', aht: '300' });
  const [f, setF] = useState(null);
  const [out, setOut] = useState(null);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const on = (k) => (x) => setV({ ...v, [k]: x });
  const submit = async (e) => {
    e.preventDefault();
    setErr(null);
    setOut(null);
    setBusy(true);
    try {
      const holidays = v.holidays.split(/[\s,;]+/).filter(Boolean).join(',');
      setF(await call('GET', `/api/v1/wfm/forecast?interval=${goal.interval}&days=${Number(v.weeks) * 7}`
        + `&horizon_days=${Number(v.days)}${holidays ? `&holidays=${encodeURIComponent(holidays)}` : ''}`));
    } catch (x) {
      setF(null);
      setErr(x.status === 422 && x.field === 'days' ? t('planning.too_little_history') : x.message);
    } finally {
      setBusy(false);
    }
  };
  const total = f && f.intervals.reduce((a, r) => a + r.calls, 0);
  const href = useMemo(() => f && URL.createObjectURL(new Blob([forecastCsv(f, '')], { type: 'text/csv' })), [f]);
  useEffect(() => () => href && URL.revokeObjectURL(href), [href]);
  return (
    <section class="pl-form" aria-labelledby="pl-history-h">
      <h2 id="pl-history-h">{t('planning.from_history')}</h2>
      <form onSubmit={submit}>
        <Num id="weeks" label={t('planning.weeks')} value={v.weeks} onInput={on('weeks')} min="2" max="171" step="1" />
        <Num id="days" label={t('planning.days')} value={v.days} onInput={on('days')} min="1" max="366" step="1" />
        <div class="field">
          <label for="pl-holidays">{t('planning.holidays')}</label>
          <input id="pl-holidays" value={v.holidays} onInput={(e) => on('holidays')(e.target.value)} aria-describedby="pl-holidays-hint" />
          <span id="pl-holidays-hint" class="muted hint">{t('planning.holidays_hint')}</span>
        </div>
        <button type="submit" class="primary" disabled={busy}>{t('planning.forecast')}</button>
      </form>
      <p class="error" role="alert">{err || ''}</p>
      {f && (
        <div class="pl-forecast">
          <p role="status">{t('planning.forecast_said', { days: f.horizon_days, from: f.intervals[0]?.start.slice(0, 10),
            history: f.history_days, calls: Math.round(total).toLocaleString(lang) })}</p>
          {f.holidays.length > 0 && <p>{t('planning.holidays_used', { list: f.holidays.join(', ') })}</p>}
          {f.screened_days.length > 0 && (
            <>
              <p>{t('planning.screened', { n: f.screened_days.length })}</p>
              <ul>{f.screened_days.map((d) => <li>{t(`planning.screened.${d.reason}`, { day: d.day,
                calls: Math.round(d.calls).toLocaleString(lang), expected: Math.round(d.expected).toLocaleString(lang) })}</li>)}</ul>
            </>
          )}
          <p><a href={href} download="forecast.csv">{t('planning.download_forecast')}</a></p>
          <form onSubmit={(e) => { e.preventDefault(); planInto(t, goal, forecastCsv(f, Number(v.aht)), setOut, setErr); }}>
            {f.intervals.some((r) => r.aht === null) && (
              <Num id="fallback-aht" label={t('planning.fallback_aht')} value={v.aht} onInput={on('aht')} min="1" />
            )}
            <button type="submit" class="primary">{t('planning.plan_forecast')}</button>
          </form>
        </div>
      )}
      {out && <PlanView t={t} lang={lang} out={out} id="history" goal={out.goal} csv={out.csv} key={out.n} />}
    </section>
  );
}

// A staffing plan from a forecast file.
function FromFile({ t, lang, goal }) {
  const [file, setFile] = useState(null);
  const [out, setOut] = useState(null);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    await planInto(t, goal, await file.text(), setOut, setErr);
    setBusy(false);
  };
  return (
    <section class="pl-form" aria-labelledby="pl-file-h">
      <h2 id="pl-file-h">{t('planning.from_forecast')}</h2>
      <form onSubmit={submit}>
        <p class="muted">{t('planning.file_how')}</p>
        <div class="field">
          <label for="pl-file">{t('planning.file')}</label>
          <input id="pl-file" type="file" accept=".csv,text/csv" required onChange={(e) => setFile(e.target.files[0] || null)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>{t('planning.plan')}</button>
      </form>
      <p class="error" role="alert">{err || ''}</p>
      {out && <PlanView t={t} lang={lang} out={out} id="file" goal={out.goal} csv={out.csv} key={out.n} />}
    </section>
  );
}

export function Planning({ t, lang }) {
  const [goal, setGoal] = useState({ interval: 1800, sl: '80', target: '20', shrinkage: '' });
  const code = (text) => <pre><code>{text}</code></pre>;
  return (
    <div class="planning">
      <h1>{t('planning.title')}</h1>
      <p>{t('planning.no_day')}</p>
      <Goal t={t} goal={goal} set={setGoal} />
      <OneInterval t={t} lang={lang} goal={goal} />
      <FromHistory t={t} lang={lang} goal={goal} />
      <FromFile t={t} lang={lang} goal={goal} />
      <section aria-labelledby="planning-history">
        <h2 id="planning-history">{t('planning.history')}</h2>
        <ul>
          <li><a href={`${HISTORY}?days=84`} download="history.csv">{t('planning.history_weeks')}</a></li>
          <li><a href={`${HISTORY}?days=1&today=1`} download="today.csv">{t('planning.history_today')}</a></li>
        </ul>
        <p class="muted">{t('planning.history_how')}</p>
      </section>
      <section aria-labelledby="planning-tools">
        <h2 id="planning-tools">{t('planning.tools')}</h2>
        <ol>
          <li>{t('planning.step_history')}{code('guichet wfm history --days 84 > history.csv')}</li>
          <li>{t('planning.step_forecast')}{code('guichet wfm forecast history.csv --horizon-days 14 > forecast.csv')}</li>
          <li>{t('planning.step_plan')}{code('guichet wfm plan forecast.csv --xlsx plan.xlsx')}</li>
          <li>{t('planning.step_overflow')}{code('guichet wfm overflow forecast.csv --inhouse 40 --price 28')}</li>
          <li>{t('planning.step_simulate')}{code('guichet wfm simulate scenario.json')}</li>
        </ol>
        <p>{t('planning.api')}</p>
      </section>
    </div>
  );
}
