// The customer import: a CSV file chosen in the page, sent as text/csv to
// POST /customers/import, and the API's report: the counts, and each
// refused line with its number and reason. A file refused whole (all or
// nothing with a bad line, or malformed) says so, with its report if any.
import { useState } from 'preact/hooks';
import { importCustomers } from './calls.js';

function Report({ t, report }) {
  const rejected = report.rejected || [];
  return (
    <div class="report">
      <h2>{t('admin.import.report')}</h2>
      <ul class="counts">
        <li>{t('admin.import.inserted', { n: report.inserted })}</li>
        <li>{t('admin.import.updated', { n: report.updated })}</li>
        <li>{t('admin.import.unchanged', { n: report.unchanged })}</li>
        <li>{t('admin.import.rejected', { n: rejected.length })}</li>
      </ul>
      {rejected.length > 0 && (
        <table class="board rejected">
          <caption>{t('admin.import.rejected_lines')}</caption>
          <thead><tr><th scope="col">{t('admin.import.line')}</th><th scope="col">{t('admin.import.reason')}</th></tr></thead>
          <tbody>{rejected.map((r) => <tr data-line={r.line}><td class="num">{r.line}</td><td>{r.reason}</td></tr>)}</tbody>
        </table>
      )}
    </div>
  );
}

export function Import({ t, say }) {
  const [file, setFile] = useState(null);
  const [whole, setWhole] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState(null);
  const [err, setErr] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    setErr('');
    setReport(null);
    setBusy(true);
    try {
      const r = await importCustomers(await file.text(), whole);
      setReport(r);
      say((tr) => tr('admin.import.done', { n: r.inserted + r.updated + r.unchanged, name: file.name }));
    } catch (x) {
      setErr(x.field ? t('admin.import.refused_at', { field: x.field, message: x.message }) : x.message);
      if (x.report) setReport(x.report);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="admin-section">
      <form class="admin-form" onSubmit={submit}>
        <h2>{t('admin.import.title')}</h2>
        <p class="muted" id="imp-hint">{t('admin.import.hint')}</p>
        <div class="field">
          <label for="imp-file">{t('admin.import.file')}</label>
          <input id="imp-file" type="file" accept=".csv,text/csv" required aria-describedby="imp-hint"
            aria-invalid={err ? 'true' : undefined} onChange={(e) => setFile(e.target.files[0] || null)} />
        </div>
        <label><input type="checkbox" checked={whole} onChange={(e) => setWhole(e.target.checked)} /> {t('admin.import.all_or_nothing')}</label>
        <p class="error" role="alert">{err}</p>
        <button type="submit" class="primary" disabled={busy || !file}>{t('admin.import.submit')}</button>
      </form>
      {report && <Report t={t} report={report} />}
    </section>
  );
}
