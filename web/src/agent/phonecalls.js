// A phone contact's call with the agent's phone, built on call() of
// ../api.js (docs/voice.md "Hold, transfer and escalation of a bridged
// call"): its state as the telephony thread has it (GET .../call:
// "none", "ringing", "bridged", "held", with its agent, talk_s and
// held_s), and the bridged call's hold, resume, transfer and escalation.
// The state is read once; then each change comes on the agent's live
// stream ("call" events, in the same shape), which Agent.jsx hands to
// callChanged; when the stream (re)opens, the changes it missed are read.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api.js';

// the tabs' listeners: a call's change, or null for "read it again"
const listeners = new Set();
export function callChanged(ev) {
  for (const fn of listeners) fn(ev);
}

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
// read at once, then as the stream tells its changes, and again by
// reload(); `at` is when it was read, so the times count on between changes.
export function useCallState(id, contact) {
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
    const onChange = (ev) => {
      if (ev === null) reload();
      else if (ev.contact_id === id) {
        ++seq.current; // a read under way is older than this
        setState({ ...ev, at: Date.now() });
      }
    };
    listeners.add(onChange);
    return () => listeners.delete(onChange);
  }, [id, phone]);
  return [phone ? state : null, reload];
}
