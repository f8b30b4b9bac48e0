// The open flags agents raised (wrong, outdated, unclear) with their
// comment: on one's own items, or on every item for a reviewer who asks.
// Each opens its item to fix, and is resolved with a note.
import { useEffect, useState } from 'preact/hooks';
import { kb, canReview } from './calls.js';
import { day } from './List.jsx';

function Flag({ t, f, onOpen, onResolved, fail }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const resolve = () => kb.resolve(f.id, note.trim() || undefined).then(() => onResolved(f), (e) => {
    if (e.field === 'note') setError(e.message);
    else fail(e);
  });
  return (
    <li class="ws-flag" data-flag={f.id} data-item={f.item}>
      <p><strong>{f.title || f.item}</strong> <span class="muted">{f.item}</span></p>
      <p>{t(`flag.${f.reason}`)} · {t('ws.flag_version', { n: f.version || 0 })} · {day(f.created_at)}</p>
      {f.comment && <blockquote>{f.comment}</blockquote>}
      <div class="buttons">
        <button type="button" onClick={() => onOpen(f.item)}>{t('ws.open_item', { title: f.title || f.item })}</button>
      </div>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); resolve(); }}>
        <label for={`note-${f.id}`}>{t('ws.resolution')}</label>
        <input id={`note-${f.id}`} value={note} onInput={(e) => setNote(e.target.value)}
          aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `note-err-${f.id}` : undefined} />
        <button type="submit">{t('ws.resolve')}</button>
        {error && <p class="error" id={`note-err-${f.id}`}>{error}</p>}
      </form>
    </li>
  );
}

export function Flags({ t, me, say, fail, onOpen }) {
  const [mine, setMine] = useState(true);
  const [flags, setFlags] = useState(null);
  useEffect(() => { kb.flags(mine).then((r) => setFlags(r.flags), fail); }, [mine]);
  const resolved = (f) => {
    setFlags((list) => list.filter((x) => x.id !== f.id));
    say((tr) => tr('ws.flag_resolved', { title: f.title || f.item }));
  };
  return (
    <section aria-labelledby="ws-flags-title">
      <h2 id="ws-flags-title">{t('ws.flags')}</h2>
      {canReview(me.role) && (
        <p><input type="checkbox" id="ws-mine" checked={mine} onChange={(e) => setMine(e.target.checked)} />
          <label for="ws-mine">{t('ws.only_mine')}</label></p>
      )}
      {flags === null ? <p role="status">{t('loading')}</p>
        : flags.length === 0 ? <p>{t('ws.no_flags')}</p> : (
          <ul class="ws-flags" aria-label={t('ws.n_flags', { n: flags.length })}>
            {flags.map((f) => <Flag key={f.id} t={t} f={f} onOpen={onOpen} onResolved={resolved} fail={fail} />)}
          </ul>
        )}
    </section>
  );
}
