/* Writing the past: the demo's day of history (src/cli/demo.c) creates its
 * contacts through the store as any other, then moves what was just written
 * to the time it stands for. Only rows written at or after from_ms (when
 * the history began to be written) move, so a contact can be moved step by
 * step: created at its arrival, assigned when answered, resolved after its
 * handle time. Never used by the daemon. */
#include "store/store_internal.h"
#include "guichet/error.h"

int store_contact_backdate(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t from_ms, int64_t at_ms)
{
	static const char *const sql[] = {
		"UPDATE contact_events SET at = ?1 WHERE tenant_id = ?2 AND contact_id = ?3 AND at >= ?4",
		"UPDATE messages SET created_at = ?1 WHERE tenant_id = ?2 AND contact_id = ?3 AND created_at >= ?4",
		("UPDATE contacts SET created_at = CASE WHEN created_at >= ?4 THEN ?1 ELSE created_at END,"
		 " updated_at = ?1 WHERE tenant_id = ?2 AND id = ?3"),
	};
	int rc = GC_OK;
	for (size_t i = 0; rc == GC_OK && i < sizeof(sql) / sizeof(sql[0]); i++) {
		struct db_stmt *st = store_stmt(s, sql[i]);
		if (st == NULL)
			return GC_ESTORE;
		db_bind_int64(st, 1, at_ms);
		db_bind_int64(st, 2, tenant_id);
		db_bind_int64(st, 3, contact_id);
		db_bind_int64(st, 4, from_ms);
		rc = store_step_done(s, st);
	}
	return rc;
}
