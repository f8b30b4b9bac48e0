// The supervisor's callbacks (docs/callbacks.md). Above, the report of a
// span of the tenant's days (GET /reports/callbacks; the days of its
// calendar's zone, GET /calendar; the last 7 by default, today included):
// the callbacks requested, reached, missed by
// reason, cancelled, still open, ended without an outcome, and the mean
// time to reach, as the API counts them. Below, the callbacks still open
// (scheduled, waiting, offered, dialing: GET /callbacks for each state,
// every page) and the missed ones requested in the span (GET
// /callbacks?state=missed, newest first, read until the span's start).
// Each row shows the phone as the API gives it (masked but for its last
// digits for a reader who may not see personal data). One not yet dialled
// is cancelled after a confirmation (POST /callbacks/{id}/cancel); the
// API's refusal (it was dialled or ended meanwhile) is shown above the
// list, in an alert.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useConfirm } from '../admin/form.jsx';
import './incidents.css'; // the danger button and the confirmation dialog
import './callbacks.css';
import { tenantZone, today } from './tenantday.js';

const OPEN = ['scheduled', 'waiting', 'offered', 'dialing'];
const CANCELLABLE = ['scheduled', 'waiting', 'offered'];
const REASONS = ['attempts_exhausted', 'window_passed', 'wrong_number'];
const PAGE = 500; // the API's largest page
const MAX_PAGES = 20; // per list: 10,000 rows, far beyond a floor's open callbacks
const SPAN_DAYS = 7;

export const callbackSupervisionApi = {
  report: (from, to) => call('GET', `/api/v1/reports/callbacks?from=${from}&to=${to}`),
  page: (state, cursor) =>
    call('GET', `/api/v1/callbacks?state=${state}&limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`),
  cancel: (id) => call('POST', `/api/v1/callbacks/${id}/cancel`),
};

// A day as YYYY-MM-DD n days from a day.
export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// The rows of one state, newest first, page after page while keep(row)
// holds for the last row read.
async function readState(state, keep = () => true) {
  const rows = [];
  let cursor = 0;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await callbackSupervisionApi.page(state, cursor);
    rows.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor || !page.items.length || !keep(page.items[page.items.length - 1])) break;
  }
  return rows;
}

// The open callbacks, newest first: a callback that changed state between
// two reads shows once.
async function readOpen() {
  const lists = await Promise.all(OPEN.map((s) => readState(s)));
  const seen = new Map();
  for (const cb of lists.flat()) if (!seen.has(cb.id)) seen.set(cb.id, cb);
  return [...seen.values()].sort((a, b) => b.id - a.id);
}

// The missed callbacks requested in the report's span [from, to).
async function readMissed(report) {
  const from = Date.parse(report.from);
  const to = Date.parse(report.to);
  const rows = await readState('missed', (cb) => Date.parse(cb.created_at) >= from);
  return rows.filter((cb) => Date.parse(cb.created_at) >= from && Date.parse(cb.created_at) < to);
}

function when(lang, iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

function dayLabel(lang, day) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

// Seconds as the report's mean time to reach reads: 45 s, 3 min 20 s, 2 h 05 min.
export function duration(t, s) {
  if (s === null || s === undefined) return '–';
  if (s < 60) return t('cbs.dur.s', { s });
  if (s < 3600) return t('cbs.dur.ms', { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
  return t('cbs.dur.hm', { h: Math.floor(s / 3600), m: String(Math.floor(s / 60) % 60).padStart(2, '0') });
}

function Figures({ t, lang, report, span }) {
  const nf = new Intl.NumberFormat(lang);
  const rows = [
    ['requested', report.requested],
    ['reached', report.reached],
    ['missed', report.missed.total],
    ...REASONS.map((r) => [`missed.${r}`, report.missed[r]]),
    ['cancelled', report.cancelled],
    ['open', report.open],
    ['ended', report.ended_without_outcome],
  ];
  return (
    <>
      <table class="board cbs-figures">
        <caption>{t('cbs.report_caption', { from: dayLabel(lang, span.from), to: dayLabel(lang, span.to) })}</caption>
        <thead><tr><th scope="col">{t('cbs.figure')}</th><th scope="col" class="num">{t('cbs.count')}</th></tr></thead>
        <tbody>
          {rows.map(([key, n]) => (
            <tr data-figure={key} class={key.startsWith('missed.') ? 'part' : undefined}>
              <th scope="row">{t(`cbs.fig.${key}`)}</th><td class="num">{nf.format(n)}</td>
            </tr>
          ))}
          <tr data-figure="mean_to_reach">
            <th scope="row">{t('cbs.fig.mean')}</th><td class="num">{duration(t, report.mean_to_reach_s)}</td>
          </tr>
        </tbody>
      </table>
      <p class="muted">{t('cbs.mean_note')}</p>
    </>
  );
}

function Row({ t, lang, cb, last }) {
  const attempts = t('cbs.attempts_of', { n: cb.attempts, max: cb.max_attempts });
  return (
    <tr data-callback={cb.id}>
      <th scope="row">#{cb.id}</th>
      <td>{when(lang, cb.created_at)}</td>
      <td class="cbs-phone">{cb.phone}</td>
      <td>{cb.name || '–'}</td>
      <td>{cb.window ? t('cb.window.range', { from: when(lang, cb.window.from), to: when(lang, cb.window.to) })
        : t('cb.window.asap')}</td>
      <td class="num">{attempts}</td>
      <td data-field="state">
        {t(`cb.state.${cb.state}`)}
        {cb.state === 'scheduled' && cb.next_attempt_at
          ? <span class="cbs-next">{t('cbs.next_at', { at: when(lang, cb.next_attempt_at) })}</span> : null}
      </td>
      <td>{t(`cbs.source.${cb.source}`)}</td>
      <td>{last}</td>
    </tr>
  );
}

const COLUMNS = ['id', 'requested', 'phone', 'name', 'window', 'attempts', 'state', 'source'];

function Head({ t, last }) {
  return (
    <thead>
      <tr>
        {COLUMNS.map((c) => <th scope="col" class={`c-${c}${c === 'attempts' ? ' num' : ''}`}>{t(`cbs.col.${c}`)}</th>)}
        <th scope="col" class="c-last">{last}</th>
      </tr>
    </thead>
  );
}

// brand: the caller is the brand's own; an outsourcer's supervisor works
// the open callbacks but reads neither the brand's figures nor its missed
// callbacks (the report answers them 403)
export function Callbacks({ t, lang, say, fail, brand = true }) {
  const [from, setFrom] = useState(''); // the span's days, once the tenant's today is known
  const [to, setTo] = useState('');
  const [report, setReport] = useState(null); // {report, span: {from, to}}
  const [spanError, setSpanError] = useState('');
  const [open, setOpen] = useState(null);
  const [missed, setMissed] = useState(null);
  const [refused, setRefused] = useState('');
  const [busy, setBusy] = useState(0); // the callback being cancelled
  const [dialog, confirm] = useConfirm(t);
  const asked = useRef('');
  const openHeading = useRef(null);

  const loadReport = async () => {
    if (!brand || !from || !to) return;
    const key = `${from} ${to} ${Date.now()}`;
    asked.current = key; // only the last asked is shown
    try {
      const r = await callbackSupervisionApi.report(from, addDays(to, 1));
      const rows = await readMissed(r);
      if (asked.current !== key) return;
      setSpanError('');
      setReport({ report: r, span: { from, to } });
      setMissed(rows);
    } catch (e) {
      if (asked.current !== key) return;
      setReport(null); // no figures under a span they are not of
      setMissed(null);
      if (e.status === 400) setSpanError(t('cbs.span_error', { message: e.message }));
      else fail(e);
    }
  };
  const loadOpen = () => readOpen().then(setOpen, fail);
  const reload = () => Promise.all([loadReport(), loadOpen()]);
  useEffect(() => { loadReport(); }, [from, to]);
  useEffect(() => {
    loadOpen();
    // the report's days are the tenant's, in its calendar's zone
    tenantZone().then((zone) => {
      const day = today(zone);
      setTo(day);
      setFrom(addDays(day, 1 - SPAN_DAYS));
    });
  }, []);

  const cancel = async (cb) => {
    const id = String(cb.id); // a number, not a quantity: no grouping
    const who = cb.name ? `${cb.phone}, ${cb.name}` : cb.phone;
    if (!(await confirm(t('cbs.cancel_ask', { id, who }), t('cbs.cancel', { id }), t('cbs.keep')))) return;
    setRefused('');
    say('');
    setBusy(cb.id);
    try {
      await callbackSupervisionApi.cancel(cb.id);
      say((tr) => tr('cbs.cancelled', { id }));
    } catch (e) {
      setRefused(t('cbs.cancel_refused', { id, message: e.message }));
    }
    await reload();
    setBusy(0);
    openHeading.current?.focus(); // the row's button is gone: the focus goes back to the list
  };

  return (
    <div class="cbs">
      {brand && <section aria-labelledby="cbs-report-h">
        <div class="board-head">
          <h2 id="cbs-report-h">{t('cbs.report')}</h2>
          <label for="cbs-from">{t('cbs.from')}</label>
          <input id="cbs-from" type="date" value={from} max={to || undefined}
            onChange={(e) => setFrom(e.target.value)} />
          <label for="cbs-to">{t('cbs.to')}</label>
          <input id="cbs-to" type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </div>
        <p class="error" role="alert">{spanError}</p>
        {report && <Figures t={t} lang={lang} report={report.report} span={report.span} />}
      </section>}

      <section aria-labelledby="cbs-open-h">
        <div class="board-head">
          <h2 id="cbs-open-h" tabindex="-1" ref={openHeading}>{t('cbs.open')}</h2>
          <button type="button" onClick={() => { setRefused(''); reload(); }}>{t('cbs.refresh')}</button>
        </div>
        <p class="error" role="alert">{refused}</p>
        {open && (open.length === 0 ? <p class="muted">{t('cbs.open_none')}</p> : (
          <table class="board cbs-list cbs-open">
            <caption>{t('cbs.open_caption', { n: open.length })}</caption>
            <Head t={t} last={t('cbs.col.action')} />
            <tbody>
              {open.map((cb) => (
                <Row key={cb.id} t={t} lang={lang} cb={cb} last={CANCELLABLE.includes(cb.state) ? (
                  <button type="button" class="danger" disabled={busy === cb.id} onClick={() => cancel(cb)}>
                    {t('cbs.cancel', { id: String(cb.id) })}
                  </button>
                ) : <span class="muted">{t('cbs.not_cancellable')}</span>} />
              ))}
            </tbody>
          </table>
        ))}
      </section>

      {brand && <section aria-labelledby="cbs-missed-h">
        <h2 id="cbs-missed-h">{t('cbs.missed')}</h2>
        {report && missed && (missed.length === 0 ? <p class="muted">{t('cbs.missed_none')}</p> : (
          <table class="board cbs-list cbs-missed">
            <caption>{t('cbs.missed_caption', { n: missed.length, from: dayLabel(lang, report.span.from),
              to: dayLabel(lang, report.span.to) })}</caption>
            <Head t={t} last={t('cbs.col.reason')} />
            <tbody>
              {missed.map((cb) => (
                <Row key={cb.id} t={t} lang={lang} cb={cb}
                  last={cb.missed_reason ? t(`cbs.reason.${cb.missed_reason}`) : '–'} />
              ))}
            </tbody>
          </table>
        ))}
      </section>}
      {dialog}
    </div>
  );
}
