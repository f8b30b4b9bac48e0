/* Browser sessions in the answers: the cookies a login with
 * {"session":"cookie"} sets, the cookies a logout clears, and the switch of
 * a session to another tenant of the same person (session.h says why the
 * cookies are what they are). */
#include "daemon/handlers.h"
#include "daemon/server.h"
#include "daemon/session.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(((struct request *)0)->cookie_token) == SESSION_TOKEN_MAX, "the cookie's room");

/* Whether r came over TLS, as far as guichetd can know: a trusted proxy said so. */
static bool request_secure(struct request *r)
{
	const char *peer = conn_peer(r->conn);
	bool trusted = peer && http_trusted_proxy(r->worker, peer);
	return session_secure(trusted, conn_header(r->conn, "X-Forwarded-Proto"));
}

int session_begin(struct request *r, const char *token, json_t *answer)
{
	char csrf[SESSION_CSRF_LEN], cookie[SESSION_SET_COOKIE_MAX], csrf_cookie[SESSION_SET_COOKIE_MAX];
	int64_t max_age = r->worker->server->config->session_ttl;
	bool secure = request_secure(r);
	session_csrf_token(token, csrf);
	int rc = session_set_cookie(token, max_age, secure, cookie);
	if (rc == GC_OK)
		rc = session_set_csrf_cookie(csrf, max_age, secure, csrf_cookie);
	if (rc == GC_OK && json_object_set_new(answer, "csrf_token", json_string(csrf)) < 0)
		rc = GC_ENOMEM;
	if (rc == GC_OK) {
		reply_header(r, "Set-Cookie", cookie);
		reply_header(r, "Set-Cookie", csrf_cookie);
	}
	sodium_memzero(cookie, sizeof(cookie));
	return rc;
}

void session_end(struct request *r)
{
	char cookie[SESSION_SET_COOKIE_MAX];
	bool secure = request_secure(r);
	session_clear_cookie(SESSION_COOKIE, true, secure, cookie);
	reply_header(r, "Set-Cookie", cookie);
	session_clear_cookie(SESSION_CSRF_COOKIE, false, secure, cookie);
	reply_header(r, "Set-Cookie", cookie);
}

int prepare_session_switch(struct request *r, struct store *db)
{
	json_t *v = json_object_get(r->body, "tenant_id");
	if (json_object_size(r->body) != 1 || v == NULL)
		return reply_error(r, 400, "invalid", "tenant_id", "send {\"tenant_id\": ID} and nothing else"), 1;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return reply_error(r, 400, "invalid", "tenant_id", "'tenant_id' must be a positive integer"), 1;
	r->stash[0] = json_integer_value(v);
	return 0;
}

int run_session_switch(struct request *r, struct store *db)
{
	char hint[24], token[STORE_TOKEN_LEN], when[GC_TIME_LEN];
	struct store_scope to;
	int64_t now = gc_now_ms();
	if (r->scope.user_id == 0)
		return reply_error(r, 403, "forbidden", NULL, "an API token belongs to one tenant: log in as a person");
	snprintf(hint, sizeof(hint), "%lld", (long long)r->stash[0]);
	int rc = store_auth_token(db, r->token, hint, now, &to);
	if (rc == GC_EFORBIDDEN || (rc == GC_OK && !to.has_role))
		return reply_error(r, 403, "forbidden", "tenant_id", "you have no role in tenant %lld",
				   (long long)r->stash[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	/* a new token for the new tenant, the old one revoked: the token cache
	 * forgets it (ROUTE_AUTHZ) and its streams end */
	int64_t expires = now + r->worker->server->config->session_ttl * 1000;
	rc = store_session_create(db, r->scope.user_id, to.tenant_id, expires, token);
	if (rc == GC_OK)
		rc = store_token_revoke_text(db, r->token);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (to.tenant_id != r->scope.tenant_id && (rc = agent_signed_out(r, db, &r->scope)) < 0)
		return rc; /* out of the routing of the tenant it leaves */
	if (rc == GC_OK)
		rc = store_audit(db, &to, to.tenant_id, "tenant_switched", to.actor,
				 json_pack("{s:I}", "from_tenant_id", (json_int_t)r->scope.tenant_id));
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	gc_time_format(expires, when);
	json_t *answer = json_pack("{s:s,s:I,s:I,s:s}", "expires_at", when, "user_id", (json_int_t)r->scope.user_id,
				   "tenant_id", (json_int_t)to.tenant_id, "role", role_name(to.role));
	if (r->by_cookie)
		rc = session_begin(r, token, answer);
	else
		rc = json_object_set_new(answer, "token", json_string(token)) < 0 ? GC_ENOMEM : GC_OK;
	sodium_memzero(token, sizeof(token));
	if (rc < 0) {
		json_decref(answer);
		return reply_error(r, 500, "internal", NULL, "out of memory");
	}
	r->scope.tenant_id = to.tenant_id;
	return reply(r, 200, answer);
}
