// A bearer client of the API for tests, benchmarks and scripts (set-up
// through the API, checks behind the page): bearer(url, token)(method,
// path, body, type) answers the parsed JSON (null for none) or throws with
// the status and the answer. A string body goes as it is, with its type.
export function bearer(url, token) {
  return async (method, path, body, type = 'application/json') => {
    const headers = { 'Content-Type': type };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(url + path, { method, headers, body: typeof body === 'string' ? body : body && JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}
