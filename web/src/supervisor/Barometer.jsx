// The accessibility barometer (GET /reports/barometer): a month of the
// tenant's own contacts beside what a published barometer of 262 merchant
// sites found: calls answered within 30 s, calls that waited over 2
// minutes, emails answered the same business day, a way to reach a person
// in the help centre. A table: the figure, ours, the barometer's. It
// opens on the tenant's month (in its zone, given by Summary.jsx), not
// UTC's nor the browser's: the API counts the month in the tenant's zone.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { thisMonth } from './tenantday.js';

export function Barometer({ t, lang, zone, fail }) {
  const [month, setMonth] = useState(() => thisMonth(zone));
  const [b, setB] = useState(null);
  useEffect(() => {
    if (/^\d{4}-\d{2}$/.test(month)) call('GET', `/api/v1/reports/barometer?month=${month}`).then(setB).catch(fail);
  }, [month]);
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  const show = (v) => (v === null || v === undefined ? '–' : pct.format(v));
  const rows = b ? [
    ['bar.calls_30s', b.calls.answered_30s_share, b.calls.barometer.answered_30s_share],
    ['bar.calls_2min', b.calls.waited_over_2min_share, b.calls.barometer.waited_over_2min_share],
    ['bar.emails', b.emails.share, b.emails.barometer],
    ['bar.person', b.help_centre.shows_a_way_to_reach_a_person ? 1 : 0, b.help_centre.barometer],
  ] : [];
  return (
    <section class="barometer" aria-labelledby="bar-title">
      <div class="board-head">
        <h2 id="bar-title">{t('bar.title')}</h2>
        <label for="bar-month">{t('bar.month')}</label>
        <input id="bar-month" type="month" value={month} onInput={(e) => setMonth(e.target.value)} />
      </div>
      {b && (
        <table class="board barometer">
          <caption>{t('bar.caption', { month: b.month })}</caption>
          <thead><tr><th scope="col">{t('bar.figure')}</th><th scope="col">{t('bar.ours')}</th>
            <th scope="col">{t('bar.theirs')}</th></tr></thead>
          <tbody>
            {rows.map(([key, ours, theirs]) => (
              <tr><th scope="row">{t(key)}</th>
                <td class="num">{key === 'bar.person' ? t(ours ? 'bar.yes' : 'bar.no') : show(ours)}</td>
                <td class="num">{show(theirs)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
