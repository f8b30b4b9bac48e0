// The presence switch: available, paused with a reason, offline; and the
// state that follows from what the agent holds.
export const PAUSE_REASONS = ['break', 'lunch', 'training', 'meeting', 'admin'];

export function Presence({ t, agent, reason, setReason, onSet }) {
  const presence = agent ? agent.presence : 'offline';
  return (
    <section class="presence" aria-labelledby="presence-title">
      <h2 id="presence-title">{t('presence.label')}</h2>
      <div role="radiogroup" aria-labelledby="presence-title" class="buttons">
        {['available', 'paused', 'offline'].map((p) => (
          <button type="button" role="radio" aria-checked={presence === p ? 'true' : 'false'}
            class={presence === p ? 'on' : ''} onClick={() => onSet(p)}>
            {t(`presence.${p}`)}
          </button>
        ))}
      </div>
      <label for="pause-reason">{t('presence.reason')}</label>
      <select id="pause-reason" value={reason} onChange={(e) => setReason(e.target.value)}>
        {PAUSE_REASONS.map((r) => <option value={r}>{t(`reason.${r}`)}</option>)}
      </select>
      {agent && agent.live && (
        <p class="muted">
          {t('state.label', { state: t(`astate.${agent.live.state}`) })} · {t('agent.handled_today', { n: agent.live.handled_today })}
        </p>
      )}
    </section>
  );
}
