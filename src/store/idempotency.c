/* Idempotency keys: a client that sent a write and got no answer (a timeout,
 * a restart) sends it again with the same Idempotency-Key header and gets
 * the first answer back, without a second write. The key, the route, a hash
 * of the body and the answer are stored in the same transaction as the
 * write itself, so either both happened or neither did. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

int store_idempotency_get(struct store *s, const struct store_scope *scope, const char *key,
			  const char *route, const unsigned char body_hash[32], int *ret_status,
			  char **ret_answer)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT route, body_hash, status, answer FROM idempotency_keys"
					 " WHERE tenant_id = ? AND key = ? AND created_at > ?");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, gc_now_ms() - STORE_IDEMPOTENCY_TTL_MS);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	bool same = strcmp((const char *)sqlite3_column_text(st, 0), route) == 0 &&
		    sqlite3_column_bytes(st, 1) == 32 && memcmp(sqlite3_column_blob(st, 1), body_hash, 32) == 0;
	if (same) {
		*ret_status = sqlite3_column_int(st, 2);
		*ret_answer = strdup((const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	if (!same)
		return GC_ECONFLICT;
	return *ret_answer ? GC_OK : GC_ENOMEM;
}

int store_idempotency_put(struct store *s, const struct store_scope *scope, const char *key,
			  const char *route, const unsigned char body_hash[32], int status,
			  const char *answer)
{
	int64_t now = gc_now_ms();
	sqlite3_stmt *st = store_stmt(s, "DELETE FROM idempotency_keys WHERE created_at <= ?");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, now - STORE_IDEMPOTENCY_TTL_MS);
	int rc = store_step_done(s, st);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "INSERT OR REPLACE INTO idempotency_keys(tenant_id, key, route, body_hash,"
			   " status, answer, created_at) VALUES (?,?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, key);
	bind_text(st, 3, route);
	sqlite3_bind_blob(st, 4, body_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, status);
	bind_text(st, 6, answer);
	sqlite3_bind_int64(st, 7, now);
	return store_step_done(s, st);
}
