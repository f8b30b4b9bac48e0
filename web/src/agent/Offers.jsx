// Incoming offers with their countdown, accept and reject.
export function Offers({ t, offers, now, onAccept, onReject }) {
  return (
    <section class="offers" aria-labelledby="offers-title">
      <h2 id="offers-title">{t('offers.title')}</h2>
      <p class="muted">{t('offers.count', { n: offers.length })}</p>
      {offers.length === 0 ? <p>{t('offers.none')}</p> : (
        <ul>
          {offers.map((o) => {
            const left = Math.max(0, Math.ceil((o.deadline - now) / 1000));
            return (
              <li class="offer" data-contact={o.contact_id}>
                <span>{t('offers.item', { channel: t(`channel.${o.channel}`), id: o.contact_id, queue: o.queue })}</span>
                {o.deadline ? <span class="countdown">{t('offers.countdown', { n: left })}</span> : null}
                <button type="button" class="primary" onClick={() => onAccept(o.contact_id)}>{t('offers.accept')}</button>
                <button type="button" onClick={() => onReject(o.contact_id)}>{t('offers.reject')}</button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
