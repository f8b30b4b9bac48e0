// A phone contact's call with the agent's phone (phonecalls.js): ringing,
// talking or on hold, with the talk time since the bridge (and the hold's
// time), counted on between the server's reads; one button that holds the
// bridged call or resumes it (Alt+H too), keeping the focus as its label
// changes. The API's refusal (409: no bridged call, or already so) shows as
// an alert under it. Transfer and escalation are the hand-over's
// (Handover.jsx), which takes the call with the contact while it is bridged.
// A phone contact with no call on guichet's line (no phone registered, a
// callback dialled by hand) shows nothing, unless a call was seen here:
// then its end is said.
import { useEffect, useRef, useState } from 'preact/hooks';
import { clock, isBridged, isLive, phoneApi } from './phonecalls.js';
import './desk.css';

export function Call({ t, id, call, reload, say, active, actionsRef }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  const seen = useRef(false);
  const last = useRef('');
  const live = isLive(call);
  if (live) seen.current = true;

  // the counters move each second while the call is on the line
  useEffect(() => {
    if (!live || !active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live, active]);
  // what changed behind the agent's back is said once: bridged, ended
  useEffect(() => {
    const state = call?.state || '';
    if (last.current && state !== last.current && (state === 'bridged' && last.current === 'ringing' || state === 'none'))
      say((t) => t(state === 'none' ? 'call.ended' : 'call.answered', { id }));
    last.current = state;
  }, [call?.state]);

  const toggle = async () => {
    if (!call || busy) return;
    setBusy(true);
    setError('');
    const held = call.state === 'held';
    try {
      await (held ? phoneApi.resume(id) : phoneApi.hold(id));
      say((t) => t(held ? 'call.resumed' : 'call.held', { id }));
    } catch (e) {
      setError(t('call.refused', { message: e.message }));
    } finally {
      await reload();
      setBusy(false);
    }
  };
  if (active && actionsRef) actionsRef.current.hold = isBridged(call) ? toggle : undefined;

  if (!call || (!live && !seen.current)) return null;
  const since = call.at ? (now - call.at) / 1000 : 0;
  return (
    <section class="call" aria-labelledby={`call-${id}`}>
      <h3 id={`call-${id}`}>{t('call.title')}</h3>
      <p class="call-state" data-state={call.state}>
        <strong>{t(`call.state.${call.state}`)}</strong>
        {call.talk_s !== undefined && <span> · {t('call.talk', { time: clock(call.talk_s + since) })}</span>}
        {call.held_s !== undefined && <span> · {t('call.held_for', { time: clock(call.held_s + since) })}</span>}
      </p>
      {isBridged(call) && (
        <div class="buttons">
          <button type="button" class="primary" aria-disabled={busy ? 'true' : undefined}
            aria-describedby={`call-error-${id}`} onClick={toggle}>{t(call.state === 'held' ? 'call.resume' : 'call.hold')}</button>
        </div>
      )}
      {live && <p class="call-hint">{t(isBridged(call) ? 'call.hint' : 'call.ringing_hint')}</p>}
      <p id={`call-error-${id}`} role="alert" class="error">{error}</p>
    </section>
  );
}
