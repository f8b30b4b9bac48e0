// The tenant's disposition codes: what agents choose when finishing a
// contact, each a code (what reports and integrations read) and the label
// the desktop shows, in the order listed there. The list is edited here and
// saved whole (PUT /dispositions); the API's refusal names the item. An
// empty list lets agents type any text.
import { useEffect, useState } from 'preact/hooks';
import { admin } from './calls.js';
import { FormError, useSubmit } from './form.jsx';

export function Dispositions({ t, say, fail }) {
  const [rows, setRows] = useState(null);
  const { err, busy, run } = useSubmit();
  useEffect(() => { admin.dispositions().then((r) => setRows(r.items), fail); }, []);
  const set = (i, k) => (e) => setRows(rows.map((r, j) => (j === i ? { ...r, [k]: e.target.value } : r)));
  const add = () => {
    setRows([...rows, { code: '', label: '' }]);
    setTimeout(() => document.getElementById(`d-code-${rows.length}`)?.focus());
  };
  const remove = (i) => setRows(rows.filter((_, j) => j !== i));
  const up = (i) => setRows(rows.map((r, j) => (j === i - 1 ? rows[i] : j === i ? rows[i - 1] : r)));
  const save = (e) => {
    e.preventDefault();
    run(async () => {
      const r = await admin.setDispositions(rows.map((x) => ({ code: x.code.trim(), label: x.label.trim() })));
      setRows(r.items);
      say((tr) => tr('admin.disp.saved', { n: r.items.length }));
    });
  };
  if (!rows) return null;
  return (
    <section class="admin-section">
      <form class="admin-form wide" onSubmit={save} aria-labelledby="disp-title">
        <h2 id="disp-title">{t('admin.disp.title')}</h2>
        <p class="muted" id="disp-hint">{t('admin.disp.hint')}</p>
        {rows.length ? (
          <table class="board">
            <caption class="visually-hidden">{t('admin.disp.title')}</caption>
            <thead><tr>
              <th scope="col">{t('admin.disp.code')}</th><th scope="col">{t('admin.disp.label')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr></thead>
            <tbody>
              {rows.map((r, i) => (
                <tr data-disposition={i}>
                  <td><input id={`d-code-${i}`} aria-label={t('admin.disp.code_of', { n: i + 1 })} required maxLength="64"
                    pattern="[a-z0-9_\-]+" value={r.code} onInput={set(i, 'code')} /></td>
                  <td><input aria-label={t('admin.disp.label_of', { n: i + 1 })} required maxLength="100"
                    value={r.label} onInput={set(i, 'label')} /></td>
                  <td><div class="inline">
                    <button type="button" disabled={i === 0} onClick={() => up(i)}>
                      {t('admin.disp.up')}<span class="visually-hidden"> ({r.code || i + 1})</span></button>
                    <button type="button" class="danger" onClick={() => remove(i)}>
                      {t('admin.delete')}<span class="visually-hidden"> ({r.code || i + 1})</span></button>
                  </div></td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : <p>{t('admin.disp.none')}</p>}
        <FormError err={err} fields={[]} />
        <div class="buttons">
          <button type="button" onClick={add}>{t('admin.disp.add')}</button>
          <button type="submit" class="primary" disabled={busy}>{t('admin.disp.save')}</button>
        </div>
      </form>
    </section>
  );
}
