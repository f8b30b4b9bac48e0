// A phone contact's call with the agent's phone, built on call() of
// ../api.js (docs/voice.md "Hold, transfer and escalation of a bridged
// call"): its state as the telephony thread has it (GET .../call:
// "none", "ringing", "bridged", "held", with its agent, talk_s and
// held_s), and the bridged call's hold, resume, transfer and escalation.
// The state is read again every POLL_MS while the tab is shown: no live
// stream carries it (the agent's stream carries routing events only).
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api.js';

export const POLL_MS = 2000;

export const phoneApi = {
  state: (id) => call('GET', `/api/v1/contacts/${id}/call`),
  hold: (id) => call('POST', `/api/v1/contacts/${id}/call/hold`),
  resume: (id) => call('POST', `/api/v1/contacts/${id}/call/resume`),
  // target: {queue_id} or {agent_id}
  transfer: (id, target, reason) => call('POST', `/api/v1/contacts/${id}/call/transfer`, reason ? { ...target, reason } : target),
  escalate: (id, queueId, reason) => call('POST', `/api/v1/contacts/${id}/call/escalate`, { queue_id: queueId, reason }),
};

// A call the agent may hold, transfer or escalate: bridged, on hold or not.
export const isBridged = (c) => !!c && (c.state === 'bridged' || c.state === 'held');
// A call on the line at all: ringing or bridged.
export const isLive = (c) => !!c && c.state !== 'none';

// m:ss, or h:mm:ss from an hour.
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

// The state of contact id's call (null until read; phone contacts only),
// read at once, then every POLL_MS while shown (active), and again by
// reload(); `at` is when it was read, so the times count on between reads.
export function useCallState(id, contact, active) {
  const [state, setState] = useState(null);
  const phone = contact?.channel === 'phone';
  const seq = useRef(0);
  const reload = () => {
    const mine = ++seq.current;
    return phoneApi.state(id).then((s) => {
      if (mine === seq.current) setState({ ...s, at: Date.now() });
      return s;
    }, () => null);
  };
  useEffect(() => {
    if (!phone) return undefined;
    reload();
    if (!active) return undefined;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [id, phone, active]);
  return [phone ? state : null, reload];
}
