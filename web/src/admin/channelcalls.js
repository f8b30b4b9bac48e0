// The calls of the console's channels tab (admin/Channels.jsx), built on
// call() of ../api.js: web chat channels (docs/chat.md), SMS and social
// channels (docs/messaging.md), the help centre (docs/portal.md) and the
// callback settings (docs/callbacks.md), and the email mailboxes
// (docs/api.md, "Channels: email mailboxes").
import { call } from '../api.js';

export const channels = {
  chats: () => call('GET', '/api/v1/channels/chat'),
  createChat: (body) => call('POST', '/api/v1/channels/chat', body),
  updateChat: (id, body) => call('PATCH', `/api/v1/channels/chat/${id}`, body),
  rotateChat: (id) => call('POST', `/api/v1/channels/chat/${id}/secret`),
  removeChat: (id) => call('DELETE', `/api/v1/channels/chat/${id}`),
  messaging: () => call('GET', '/api/v1/channels/messaging'),
  createMessaging: (body) => call('POST', '/api/v1/channels/messaging', body),
  updateMessaging: (id, body) => call('PATCH', `/api/v1/channels/messaging/${id}`, body),
  removeMessaging: (id) => call('DELETE', `/api/v1/channels/messaging/${id}`),
  mailboxes: () => call('GET', '/api/v1/channels/email'),
  createMailbox: (body) => call('POST', '/api/v1/channels/email', body),
  testMailbox: (id) => call('POST', `/api/v1/channels/email/${id}/test`),
  removeMailbox: (id) => call('DELETE', `/api/v1/channels/email/${id}`),
  portal: () => call('GET', '/api/v1/portal'),
  setPortal: (body) => call('PUT', '/api/v1/portal', body),
  callbacks: () => call('GET', '/api/v1/callbacks/settings'),
  setCallbacks: (body) => call('PUT', '/api/v1/callbacks/settings', body),
};

export const LEVELS = ['off', 'optional', 'required'];

// the types a chat's attachments may be (docs/chat.md, "Attachments")
export const FILE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'];

// The tag a site puts in its pages to show the chat's launcher.
export const snippet = (origin, key) => `<script src="${origin}/chat/v1/${key}/launcher.js" async></script>`;
