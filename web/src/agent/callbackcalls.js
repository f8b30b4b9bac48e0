// The agent's calls for a callback and an SMS or social contact, built on
// call() of ../api.js: the outcome of a callback's attempt (docs/callbacks.md)
// and the delivery states of a contact's messages through a messaging
// channel (docs/messaging.md) or of its email replies (docs/api.md).
import { call } from '../api.js';

export const OUTCOMES = ['reached', 'no_answer', 'busy', 'voicemail', 'wrong_number'];

export const callbackApi = {
  outcome: (callback, outcome, note) =>
    call('POST', `/api/v1/callbacks/${callback}/outcome`, note ? { outcome, note } : { outcome }),
  messaging: (contact) => call('GET', `/api/v1/contacts/${contact}/messaging`),
  emailReplies: (contact) => call('GET', `/api/v1/contacts/${contact}/email-replies`),
};

// A delivery state no receipt will change any more.
export const FINAL = ['delivered', 'undelivered', 'failed'];
export const isFinal = (state) => FINAL.includes(state);
// An email's: no receipt comes after the mail server took it.
export const isEmailFinal = (state) => state === 'sent' || state === 'failed';

// What an outcome's answer (the callback) means for the agent: a key of
// the i18n block and its values.
export function outcomeResult(cb) {
  if (cb.state === 'scheduled') return ['cb.result.retry', { at: cb.next_attempt_at }];
  if (cb.state === 'missed') return [`cb.result.missed.${cb.missed_reason || 'attempts_exhausted'}`, {}];
  if (cb.state === 'done') return ['cb.result.done', {}];
  return ['cb.result.state', { state: cb.state }];
}
