// The visitor API of the web chat (/chat/v1/{key}/...), as the frame calls
// it: the visitor's token in Authorization (the stream takes it in ?token=,
// EventSource sending no header), errors thrown as ChatError with the API's
// {code, message, field}, the 409's offline ways (and why it is closed) and
// the 429's Retry-After.
// A network failure is a plain TypeError, without status: the caller keeps
// what it sent for later.
export class ChatError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http';
    this.field = e.field;
    this.offline = body && body.offline;
    this.closed = body && body.closed; // why: "hours" or "agents"
  }
}

export function chatClient(key) {
  const base = `/chat/v1/${encodeURIComponent(key)}`;
  const client = { key, token: null };
  // path: under the channel's base, or absolute when it starts with /public/
  client.call = async (method, path, body) => {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (client.token) headers.Authorization = `Bearer ${client.token}`;
    const res = await fetch(path.startsWith('/public/') ? path : base + path, {
      method, headers, credentials: 'omit', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = res.status === 204 ? '' : await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: the status says it */ }
    if (!res.ok) {
      const err = new ChatError(res.status, data);
      err.retryAfter = Number(res.headers.get('Retry-After') || 0);
      throw err;
    }
    return data;
  };
  // a file as the request's raw body (the server tells its type by its bytes)
  client.upload = async (id, file) => {
    const headers = { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream' };
    if (client.token) headers.Authorization = `Bearer ${client.token}`;
    const res = await fetch(`${base}/chats/${id}/attachments?name=${encodeURIComponent(file.name)}`, {
      method: 'POST', headers, credentials: 'omit', cache: 'no-store', body: file,
    });
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { /* the status says it */ }
    if (!res.ok) throw new ChatError(res.status, data);
    return data;
  };
  // an attachment's bytes with the token in its header, saved under its name
  client.download = async (id, a) => {
    const headers = client.token ? { Authorization: `Bearer ${client.token}` } : {};
    const res = await fetch(`${base}/chats/${id}/attachments/${a.id}`, { headers, credentials: 'omit', cache: 'no-store' });
    if (!res.ok) throw new ChatError(res.status, null);
    const url = URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = a.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };
  client.streamUrl = (id, after) =>
    `${base}/chats/${id}/stream?token=${encodeURIComponent(client.token)}${after ? `&after=${after}` : ''}`;
  return client;
}
