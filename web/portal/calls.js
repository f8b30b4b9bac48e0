// The self-service portal's calls: the public API under /public/v1/tenants/
// {tenant}/, no login, no cookie. Every failure is thrown as an Error with
// the API's code, field and status, so the form that sent it shows it at
// the field it names.
export function portalApi(tenant) {
  const base = `/public/v1/tenants/${tenant}`;
  async function call(method, path, body) {
    const res = await fetch(base + path, {
      method,
      credentials: 'omit',
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const e = new Error(data?.error?.message || `HTTP ${res.status}`);
      e.status = res.status;
      e.code = data?.error?.code;
      e.field = data?.error?.field;
      throw e;
    }
    return data;
  }
  const enc = encodeURIComponent;
  return {
    portal: () => call('GET', '/portal'),
    search: (q, lang) => call('GET', `/kb/search?q=${enc(q)}${lang ? `&lang=${enc(lang)}` : ''}`),
    article: (id) => call('GET', `/kb/articles/${enc(id)}`),
    feedback: (query, item, solved) => call('POST', '/kb/feedback', { query, item, solved }),
    start: (tree, query, lang) => call('POST', '/kb/sessions', { tree, query, ...(lang ? { lang } : {}) }),
    answer: (s, answer) => call('POST', `/kb/sessions/${s.id}/answer`, { secret: s.secret, answer }),
    back: (s) => call('POST', `/kb/sessions/${s.id}/back`, { secret: s.secret }),
    end: (s, solved) => call('POST', `/kb/sessions/${s.id}/end`, { secret: s.secret, solved }),
    escalateSession: (s, reach) => call('POST', `/kb/sessions/${s.id}/escalate`, { secret: s.secret, ...reach }),
    escalate: (query, articles, reach) => call('POST', '/escalate', { query, articles, ...reach }),
    callback: (req) => call('POST', '/callbacks', { ...req, source: 'portal' }),
  };
}

// The tenant named by the page's address, /help/{tenant}; null otherwise.
export function tenantOfPath(pathname) {
  const m = /^\/help\/([1-9][0-9]{0,17})\/?$/.exec(pathname);
  return m ? m[1] : null;
}
