// The audit log, newest first, a page at a time (GET /audit?cursor=&limit=:
// the API filters nothing else, so the action filter works on the entries
// loaded, and says so). Each action is named in the page's language; one
// without a text (a new action) shows its code.
import { useEffect, useState } from 'preact/hooks';
import { admin } from './calls.js';
import { formatTime } from './form.jsx';

const SIZES = [20, 50, 100];

function detail(d) {
  if (!d) return '';
  return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

function actionName(t, action) {
  const key = `audit.action.${action}`;
  const text = t(key);
  return text === key ? action : text;
}

export function Audit({ t, lang, fail }) {
  const [limit, setLimit] = useState(20);
  const [pages, setPages] = useState([null]); // the cursor of each page shown so far
  const [page, setPage] = useState(null);
  const [action, setAction] = useState('');
  const cursor = pages[pages.length - 1];
  // the page asked for replaces the one shown (an older answer arriving late is dropped)
  useEffect(() => {
    let current = true;
    setPage(null);
    admin.audit(cursor, limit).then((p) => current && setPage(p), fail);
    return () => { current = false; };
  }, [cursor, limit]);
  const items = page ? page.items : [];
  const actions = [...new Set(items.map((e) => e.action))].sort((a, b) => actionName(t, a).localeCompare(actionName(t, b), lang));
  const shown = action ? items.filter((e) => e.action === action) : items;
  return (
    <section class="admin-section">
      <h2>{t('admin.audit.title')}</h2>
      <div class="board-head">
        <label for="audit-limit">{t('admin.audit.per_page')}</label>
        <select id="audit-limit" value={limit} onChange={(e) => { setLimit(Number(e.target.value)); setPages([null]); }}>
          {SIZES.map((n) => <option value={n}>{n}</option>)}
        </select>
        <label for="audit-action">{t('admin.audit.action_filter')}</label>
        <select id="audit-action" value={action} onChange={(e) => setAction(e.target.value)}>
          <option value="">{t('admin.audit.all_actions')}</option>
          {actions.map((a) => <option value={a}>{actionName(t, a)}</option>)}
        </select>
        <button type="button" disabled={pages.length < 2} onClick={() => setPages([null])}>{t('admin.audit.newest')}</button>
        <button type="button" disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))}>{t('admin.audit.newer')}</button>
        <button type="button" disabled={!page || !page.next_cursor} onClick={() => setPages([...pages, page.next_cursor])}>
          {t('admin.audit.older')}
        </button>
      </div>
      <p role="status" class="muted">{page ? t('admin.audit.page', { n: shown.length, page: pages.length }) : t('loading')}</p>
      <table class="board audit">
        <caption>{t('admin.audit.title')}</caption>
        <thead><tr>
          <th scope="col">{t('admin.audit.at')}</th><th scope="col">{t('admin.audit.actor')}</th>
          <th scope="col">{t('admin.audit.action')}</th><th scope="col">{t('admin.audit.target')}</th>
          <th scope="col">{t('admin.audit.detail')}</th><th scope="col">{t('admin.audit.ip')}</th>
        </tr></thead>
        <tbody>
          {shown.map((e) => (
            <tr data-audit={e.id}>
              <td>{formatTime(lang, e.at)}</td><td>{e.actor}</td><td>{actionName(t, e.action)}</td><td>{e.target || ''}</td>
              <td>{detail(e.detail)}</td><td>{e.ip || ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
