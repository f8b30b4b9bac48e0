/* Idempotency keys: a client that sent a write and got no answer (a timeout,
 * a restart) sends it again with the same Idempotency-Key header and gets
 * the first answer back, without a second write. The key, the request, a
 * hash of the body and the answer are stored in the same transaction as the
 * write itself, so either both happened or neither did.
 *
 * A key belongs to (tenant, caller, method and full path): the same key
 * from another caller, or on another path, is another key, so nobody reads
 * an answer given to someone else or for another resource. Within that
 * scope a key used again with another body is a conflict. The caller is the
 * user, or the API token for a token that acts on its own. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "user:N" or "token:N": who sent the request. */
static void caller_of(const struct store_scope *scope, char *buf, size_t len)
{
	if (scope->user_id)
		snprintf(buf, len, "user:%lld", (long long)scope->user_id);
	else
		snprintf(buf, len, "token:%lld", (long long)scope->token_id);
}

int store_idempotency_get(struct store *s, const struct store_scope *scope, const char *key,
			  const char *request, const unsigned char body_hash[32], int *ret_status,
			  char **ret_answer)
{
	char caller[48];
	caller_of(scope, caller, sizeof(caller));
	struct db_stmt *st = store_stmt(s, "SELECT body_hash, status, answer FROM idempotency_keys"
					 " WHERE tenant_id = ? AND caller = ? AND request = ? AND key = ?"
					 " AND created_at > ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, caller);
	bind_text(st, 3, request);
	bind_text(st, 4, key);
	db_bind_int64(st, 5, gc_now_ms() - STORE_IDEMPOTENCY_TTL_MS);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	bool same = db_column_bytes(st, 0) == 32 && memcmp(db_column_blob(st, 0), body_hash, 32) == 0;
	if (same) {
		*ret_status = db_column_int(st, 1);
		*ret_answer = strdup(db_column_text(st, 2));
	}
	db_reset(st);
	if (!same)
		return GC_ECONFLICT;
	return *ret_answer ? GC_OK : GC_ENOMEM;
}

int store_idempotency_put(struct store *s, const struct store_scope *scope, const char *key,
			  const char *request, const unsigned char body_hash[32], int status,
			  const char *answer)
{
	char caller[48];
	caller_of(scope, caller, sizeof(caller));
	int64_t now = gc_now_ms();
	struct db_stmt *st = store_stmt(s, "DELETE FROM idempotency_keys WHERE created_at <= ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, now - STORE_IDEMPOTENCY_TTL_MS);
	int rc = store_step_done(s, st);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "INSERT INTO idempotency_keys(tenant_id, caller, request, key,"
			   " body_hash, status, answer, created_at) VALUES (?,?,?,?,?,?,?,?)"
			   " ON CONFLICT (tenant_id, caller, request, key) DO UPDATE SET body_hash = excluded.body_hash,"
			   " status = excluded.status, answer = excluded.answer, created_at = excluded.created_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, caller);
	bind_text(st, 3, request);
	bind_text(st, 4, key);
	db_bind_blob(st, 5, body_hash, 32);
	db_bind_int64(st, 6, status);
	bind_text(st, 7, answer);
	db_bind_int64(st, 8, now);
	return store_step_done(s, st);
}
