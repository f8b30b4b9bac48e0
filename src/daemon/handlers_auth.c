/* Health, metrics, login and logout, who am I, and API tokens. */
#include "daemon/cluster.h"
#include "daemon/handlers.h"
#include "daemon/metrics.h"
#include "daemon/ratelimit.h"
#include "daemon/server.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <event2/buffer.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int run_healthz(struct request *r, struct store *db)
{
	int version = store_file_schema_version(db);
	if (version < 0)
		return reply_error(r, 503, "unhealthy", NULL, "the database does not answer");
	return reply(r, 200, json_pack("{s:s,s:i,s:s}", "status", "ok", "schema_version", version,
				       "version", GUICHET_VERSION));
}

int run_metrics(struct request *r, struct store *db)
{
	struct evbuffer *out = evbuffer_new();
	metrics_render(out, r->worker->server, store_db_size(db));
	size_t len = evbuffer_get_length(out);
	r->resp_text = malloc(len + 1);
	if (r->resp_text) {
		evbuffer_remove(out, r->resp_text, len);
		r->resp_text[len] = '\0';
	}
	evbuffer_free(out);
	r->content_type = "text/plain; version=0.0.4";
	r->status = 200;
	return GC_OK;
}

enum { LOGIN_OK = 0 };

/* A login runs in three steps (see handlers.h): login_precheck on the worker
 * (decode, throttle), login_verify where slow work may run (argon2id: the
 * hashing pool), run_login on the writer (session, audit). The throttle
 * counts the attempt as a failure in login_precheck, before the password is
 * checked, so parallel guesses are all counted; login_verify gives it back
 * when the password was right or was never judged. */
int login_precheck(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	struct login_input *in = &r->in.login;
	if (login_input_decode(r->body, in, &err) < 0)
		return reply_decode_error(r, &err);
	int retry = 0;
	if (ratelimit_login_begin(in->email, r->scope.ip, gc_now_ms(), &retry) == GC_EBUSY) {
		char value[16];
		snprintf(value, sizeof(value), "%d", retry);
		reply_header(r, "Retry-After", value);
		reply_error(r, 429, "too_many_requests", NULL,
			    "too many failed logins: try again in %d seconds", retry);
		return 1;
	}
	return 0;
}

void login_verify(void *request, struct store *db)
{
	struct request *r = request;
	const struct login_input *in = &r->in.login;
	int64_t now = gc_now_ms();
	r->stash_rc = store_login_check(db, in->email, in->password, &r->stash[0]);
	struct cluster *cluster = r->worker->server->cluster;
	if (r->stash_rc == LOGIN_OK) {
		ratelimit_login_succeeded(in->email, r->scope.ip, now);
		if (cluster)
			cluster_login_judged(cluster, in->email, r->scope.ip, true);
		char id[24];
		const char *tenant = in->tenant;
		if (in->tenant_id) {
			snprintf(id, sizeof(id), "%lld", (long long)in->tenant_id);
			tenant = id;
		}
		r->stash_rc = store_login_tenant(db, r->stash[0], tenant, &r->stash[1]);
	} else if (r->stash_rc == GC_EAUTH) {
		ratelimit_login_failed(in->email, r->scope.ip, now);
		if (cluster)
			cluster_login_judged(cluster, in->email, r->scope.ip, false);
	} else {
		ratelimit_login_refund(in->email, r->scope.ip, now); /* not judged: the store failed */
	}
	/* GC_EAUTH: the failure stays counted; the writer audits it (run_login) */
}

int login_busy(struct request *r, struct store *db)
{
	ratelimit_login_refund(r->in.login.email, r->scope.ip, gc_now_ms());
	reply_header(r, "Retry-After", "1");
	reply_error(r, 503, "busy", NULL, "too many logins at once: try again in a second");
	return 1;
}

int run_login(struct request *r, struct store *db)
{
	const struct login_input *in = &r->in.login;
	/* what was typed is kept (log, audit) only when it is an address: a password
	 * typed in the wrong field is not written anywhere */
	const char *who = gc_text_is_email(in->email) ? in->email : "(not an email address)";
	snprintf(r->scope.actor, sizeof(r->scope.actor), "%s", who);
	if (r->stash_rc == GC_EAUTH) {
		store_audit_failed_login(db, who, r->scope.ip);
		reply_error(r, 401, "unauthorized", NULL, "wrong email or password");
		return 0; /* keep the audit line */
	}
	if (r->stash_rc == GC_EFORBIDDEN)
		return in->tenant_id ? reply_error(r, 403, "forbidden", "tenant_id", "you have no role in tenant %lld",
						   (long long)in->tenant_id)
				     : reply_error(r, 403, "forbidden", "tenant", "you have no role in tenant '%s'",
						   in->tenant ? in->tenant : "");
	if (r->stash_rc < 0)
		return reply_store_error(r, db, r->stash_rc, NULL);
	int64_t expires = gc_now_ms() + r->worker->server->config->session_ttl * 1000;
	char token[STORE_TOKEN_LEN], when[GC_TIME_LEN];
	int rc = store_session_create(db, r->stash[0], r->stash[1], expires, token);
	if (rc == GC_OK && r->stash[1])
		rc = store_audit(db, &r->scope, r->stash[1], "login", in->email, NULL);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	gc_time_format(expires, when);
	r->scope.tenant_id = r->stash[1];
	json_t *answer = json_pack("{s:s,s:I,s:I}", "expires_at", when, "user_id", (json_int_t)r->stash[0],
				   "tenant_id", (json_int_t)r->stash[1]);
	if (in->cookie) /* the token stays out of scripts' reach: in the cookie only */
		rc = session_begin(r, token, answer);
	else
		rc = json_object_set_new(answer, "token", json_string(token)) < 0 ? GC_ENOMEM : GC_OK;
	sodium_memzero(token, sizeof(token));
	if (rc < 0) {
		json_decref(answer);
		return reply_error(r, 500, "internal", NULL, "out of memory");
	}
	return reply(r, 200, answer);
}

int run_logout(struct request *r, struct store *db)
{
	int rc = store_token_revoke_text(db, r->token);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if ((rc = agent_signed_out(r, db, &r->scope)) < 0)
		return rc;
	if (r->by_cookie)
		session_end(r);
	r->status = 204;
	return GC_OK;
}

int run_me(struct request *r, struct store *db)
{
	const struct store_scope *sc = &r->scope;
	json_t *me = json_pack("{s:s,s:b,s:o,s:o,s:o}", "actor", sc->actor,
		"platform_admin", sc->platform_admin,
		"user_id", sc->user_id ? json_integer(sc->user_id) : json_null(),
		"tenant_id", sc->tenant_id ? json_integer(sc->tenant_id) : json_null(),
		"role", sc->has_role ? json_string(role_name(sc->role)) : json_null());
	json_object_set_new(me, "sees", json_string(sc->sees >= SENS_BASIC ? sensitivity_name(sc->sees)
									     : "none"));
	json_t *memberships = NULL;
	if (sc->user_id && store_membership_list(db, sc->user_id, &memberships) == GC_OK)
		json_object_set_new(me, "memberships", memberships);
	/* an outsourcer's people see their own organisation's figures alone:
	 * the screens leave out what shows the brand's whole day */
	int64_t org = 0;
	int rc = sc->tenant_id ? store_report_viewer_organisation(db, sc, &org) : GC_OK;
	if (rc < 0) {
		json_decref(me);
		return reply_store_error(r, db, rc, NULL);
	}
	json_object_set_new(me, "organisation_id", org ? json_integer(org) : json_null());
	return reply(r, 200, me);
}

int prepare_token_create(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return token_input_decode(r->body, &r->in.token, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_token_create(struct request *r, struct store *db)
{
	json_t *token = NULL;
	int rc = store_api_token_create(db, &r->scope, &r->in.token, &token);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "api_token_created", r->in.token.name,
				 json_pack("{s:s}", "role", role_name(r->in.token.role)));
	if (rc < 0) {
		json_decref(token);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 201, token);
}

int run_token_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_api_token_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_token_revoke(struct request *r, struct store *db)
{
	char target[32];
	snprintf(target, sizeof(target), "api-token:%lld", (long long)r->ids[0]);
	int rc = store_api_token_revoke(db, &r->scope, r->ids[0]);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "api_token_revoked", target, NULL);
	if (rc < 0)
		return reply_store_error(r, db, rc, "API token");
	r->status = 204;
	return GC_OK;
}
