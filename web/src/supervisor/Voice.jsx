// The voice of the customer (GET /reports/voice): what customers talked
// about in an ISO week of the tenant's zone, counted as contacts arrive: the
// most frequent topics beside the four weeks before, the rising ones, the
// words no published article covers, and the knowledge that did not
// resolve (the brand's people only: an outsourcer's get the topics alone).
// A week picker moves from week to week.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';

function Topics({ t, lang, id, items, ratio }) {
  const nf = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  return (
    <table class="board">
      <caption>{t(`voc.${id}`)}</caption>
      <thead><tr><th scope="col">{t('voc.topic')}</th><th scope="col">{t('voc.contacts')}</th>
        <th scope="col">{t('voc.before')}</th>{ratio ? <th scope="col">{t('voc.ratio')}</th> : null}</tr></thead>
      <tbody>
        {items.map((r) => (
          <tr key={r.key}><th scope="row">{r.topic}</th><td class="num">{r.count}</td>
            <td class="num">{nf.format(r.previous_mean || 0)}</td>
            {ratio ? <td class="num">{r.ratio === null || r.ratio === undefined ? t('voc.new') : `×${nf.format(r.ratio)}`}</td> : null}</tr>
        ))}
      </tbody>
    </table>
  );
}

export function Voice({ t, lang, fail }) {
  const [week, setWeek] = useState('');
  const [v, setV] = useState(null);
  useEffect(() => {
    call('GET', `/api/v1/reports/voice${week ? `?week=${week}` : ''}`).then(setV).catch(fail);
  }, [week]);
  return (
    <section class="day" aria-labelledby="voc-title">
      <div class="board-head">
        <h2 id="voc-title">{t('voc.title')}</h2>
        <label for="voc-week">{t('voc.week')}</label>
        <input id="voc-week" type="week" value={week || (v && v.week) || ''}
          onChange={(e) => e.target.value && setWeek(e.target.value)} />
      </div>
      {v && (
        <>
          <p>{t('voc.caption', { week: v.week, contacts: v.contacts })}</p>
          {v.contacts === 0 ? <p>{t('voc.none')}</p> : (
            <>
              <Topics t={t} lang={lang} id="top" items={v.topics} />
              {v.rising.length ? <Topics t={t} lang={lang} id="rising" items={v.rising} ratio />
                : <p>{t('voc.no_rising')}</p>}
              <h3>{t('voc.uncovered')}</h3>
              {v.uncovered.length
                ? <ul class="words">{v.uncovered.map((r) => <li key={r.key}>{r.topic} ({r.count})</li>)}</ul>
                : <p>{t('voc.all_covered')}</p>}
              {v.failing_knowledge && v.failing_knowledge.length === 0 ? <p>{t('voc.none_failing')}</p> : null}
              {v.failing_knowledge && v.failing_knowledge.length ? (
                <table class="board">
                  <caption>{t('voc.failing')}</caption>
                  <thead><tr><th scope="col">{t('voc.item')}</th><th scope="col">{t('voc.tag')}</th>
                    <th scope="col">{t('voc.failed')}</th><th scope="col">{t('voc.sessions')}</th></tr></thead>
                  <tbody>
                    {v.failing_knowledge.map((r) => (
                      <tr key={`${r.tag}/${r.item_id}`}><th scope="row">{r.title || r.item_id}</th>
                        <td>{r.tag || t('voc.no_tag')}</td><td class="num">{r.failed}</td><td class="num">{r.total}</td></tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </>
          )}
        </>
      )}
    </section>
  );
}
