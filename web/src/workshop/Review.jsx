// The review steps of an item, each shown only to those who may take it
// and only in the state that allows it: submit (writers, a draft), approve
// or send back with a comment (reviewers, in review or approved), publish
// with a review-by date (reviewers, approved), archive (reviewers). An
// error of the API shows at its field (comment, review_by) or in the list.
import { useState } from 'preact/hooks';
import { kb, canReview, canWrite } from './calls.js';
import { day } from './List.jsx';

// The first day a review-by date may be (YYYY-MM-DD, UTC as the API counts).
const tomorrow = () => new Date(Date.now() + 86400000).toISOString().slice(0, 10);

export function Review({ t, me, item, say, fail, onChange }) {
  const [comment, setComment] = useState('');
  const [reviewBy, setReviewBy] = useState('');
  const [errors, setErrors] = useState({});
  const review = canReview(me.role);
  const s = item.state;
  const act = (p, message, reset) => p.then((it) => {
    setErrors({});
    if (reset) reset();
    onChange(it);
    say((tr) => tr(message, { title: it.title, state: tr(`ws.state.${it.state}`) }));
  }, (e) => {
    if (e.field === 'comment' || e.field === 'review_by') setErrors({ [e.field]: e.message });
    else if (e.errors?.length) setErrors({ refused: { publish: message === 'ws.published', list: e.errors } });
    else fail(e);
  });
  // why a publication or an archive was refused, each thing it names said in the page's language
  const why = (x) => (x.tree ? t('ws.refused_leads', { tree: x.tree, node: x.node || '' })
    : x.id ? t('ws.refused_unpublished', { node: x.node || '', kind: t(`ws.kind.${x.field}`), id: x.id })
      : `${x.node ? `${x.node} · ` : ''}${x.message}`);
  // a review-by date must be after today (the API's day, UTC): said here in
  // the page's language, where the API would answer in English
  const publish = () => {
    if (reviewBy && reviewBy < tomorrow()) setErrors({ review_by: { key: 'ws.review_by_past' } });
    else act(kb.publish(item.id, reviewBy || undefined), 'ws.published');
  };
  // an error is the API's message, or {key} of a text of the page's (said again when the language changes)
  const errorOf = (f) => errors[f] && <p class="error" id={`r-${f}-err`}>{errors[f].key ? t(errors[f].key) : errors[f]}</p>;
  const invalid = (f) => (errors[f] ? { 'aria-invalid': 'true', 'aria-describedby': `r-${f}-err` } : {});
  return (
    <section class="review" aria-labelledby="ws-review-title">
      <h3 id="ws-review-title">{t('ws.review')}</h3>
      <p>
        {t('ws.state_is', { state: t(`ws.state.${s}`) })}
        {' · '}{t('ws.approvals', { n: item.approvals || 0 })}
        {item.review_by && <> · {t('ws.review_by_is', { date: day(item.review_by) })}</>}
      </p>
      <div class="buttons">
        {canWrite(me.role) && s === 'draft' && (
          <button type="button" onClick={() => act(kb.submit(item.id), 'ws.submitted')}>{t('ws.submit')}</button>
        )}
        {review && s === 'review' && (
          <button type="button" onClick={() => act(kb.approve(item.id), 'ws.approved')}>{t('ws.approve')}</button>
        )}
        {review && s !== 'archived' && (
          <button type="button" onClick={() => act(kb.archive(item.id), 'ws.archived')}>{t('ws.archive')}</button>
        )}
      </div>
      {errors.refused && (
        <div class="error" role="alert">
          <p>{t(errors.refused.publish ? 'ws.publish_refused' : 'ws.archive_refused')}</p>
          <ul>{errors.refused.list.map((x) => <li>{why(x)}</li>)}</ul>
        </div>
      )}
      {review && (s === 'review' || s === 'approved') && (
        <form class="inline-form" onSubmit={(e) => { e.preventDefault(); act(kb.reject(item.id, comment.trim() || undefined), 'ws.rejected', () => setComment('')); }}>
          <label for="r-comment">{t('ws.reject_comment')}</label>
          <textarea id="r-comment" rows={2} value={comment} onInput={(e) => setComment(e.target.value)} {...invalid('comment')} />
          <button type="submit">{t('ws.reject')}</button>
          {errorOf('comment')}
        </form>
      )}
      {review && s === 'approved' && (
        <form class="inline-form" onSubmit={(e) => { e.preventDefault(); publish(); }}>
          <label for="r-review-by">{t('ws.review_by')}</label>
          <input id="r-review-by" type="date" value={reviewBy} onInput={(e) => setReviewBy(e.target.value)} {...invalid('review_by')} />
          <button type="submit" class="primary">{t('ws.publish')}</button>
          {errorOf('review_by')}

        </form>
      )}
    </section>
  );
}
