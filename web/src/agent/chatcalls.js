// The agent's side of a web chat: the contact's live stream (the same
// events as the visitor's, without notes), the agent's typing and the read
// marks. The reply itself is the contact's usual POST .../messages.
import { ApiError, call, csrfToken } from '../api.js';

export const chatApi = {
  typing: (id, on) => call('POST', `/api/v1/contacts/${id}/chat/typing`, { on }),
  read: (id, upTo) => call('POST', `/api/v1/contacts/${id}/chat/read`, { up_to: upTo }),
  // a file as the raw body; the server tells its type by its bytes
  attach: async (id, file) => {
    const res = await fetch(`/api/v1/contacts/${id}/chat/attachments?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRF-Token': csrfToken(), 'Content-Type': file.type || 'application/octet-stream' },
      body: file,
    });
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { /* the status says it */ }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  },
};

export const CHAT_EVENTS = ['message', 'typing', 'mark', 'state', 'wait'];

// A contact that came through a web chat channel: GET /api/v1/contacts/{id}
// says so with its "chat" object (a chat contact made through the API has
// none: no visitor on the other side, and no stream).
export function isWebChat(contact) {
  return !!contact && contact.channel === 'chat' && !!contact.chat;
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
