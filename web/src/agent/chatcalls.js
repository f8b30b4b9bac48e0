// The agent's side of a web chat: the contact's live stream (the same
// events as the visitor's, without notes), the agent's typing and the read
// marks. The reply itself is the contact's usual POST .../messages.
import { call } from '../api.js';

export const chatApi = {
  typing: (id, on) => call('POST', `/api/v1/contacts/${id}/chat/typing`, { on }),
  read: (id, upTo) => call('POST', `/api/v1/contacts/${id}/chat/read`, { up_to: upTo }),
};

export const CHAT_EVENTS = ['message', 'typing', 'mark', 'state', 'wait'];

// A contact that came through a web chat channel (a chat contact made by
// the API has no visitor on the other side, and no stream). GET
// /api/v1/contacts/{id} does not say it yet: a "chat" member when it does,
// else the subject guichetd gives a web chat ("Chat[ with NAME][: TOPIC]").
export function isWebChat(contact) {
  if (!contact || contact.channel !== 'chat') return false;
  if (contact.chat !== undefined) return !!contact.chat;
  if (contact.rating) return true; // only a web chat is rated
  return /^Chat( with .+)?(: .+)?$/.test(contact.subject || '');
}

// The stream, with the session cookie; EventSource resumes by itself with
// Last-Event-ID. on: {type: fn(data)}. Returns the function that closes it.
export function chatStream(id, on) {
  const source = new EventSource(`/api/v1/contacts/${id}/chat/stream`);
  for (const type of CHAT_EVENTS) {
    source.addEventListener(type, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch { return; }
      on[type]?.(data);
    });
  }
  return () => source.close();
}
