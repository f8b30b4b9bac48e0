// The planner's page. A planner's role reads contacts, users and routing
// and plans the staff (the workforce tools), but does not supervise: the
// day so far per half hour beside its forecast (GET /reports/intervals)
// and the other reports are the supervisors'. So the page says so and
// gives what the role does use: the history the forecasts read (GET
// /wfm/history, as CSV files to download) and the staffing tools, in the
// command line and the API (docs/wfm.md).
const HISTORY = '/api/v1/wfm/history';

export function Planning({ t }) {
  const code = (text) => <pre><code>{text}</code></pre>;
  return (
    <div class="planning">
      <h1>{t('planning.title')}</h1>
      <p>{t('planning.no_day')}</p>
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
        </ol>
        <p>{t('planning.api')}</p>
      </section>
    </div>
  );
}
