/* The audit log: who did what, append-only (triggers refuse UPDATE and
 * DELETE), readable by the tenant's admins. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdlib.h>

static int audit_insert(struct store *s, int64_t tenant_id, const char *actor, const char *action,
			const char *target, const char *detail, const char *ip)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO audit(tenant_id, at, actor, action, target,"
					 " detail, ip) VALUES (?,?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	bind_id(st, 1, tenant_id);
	db_bind_int64(st, 2, gc_now_ms());
	bind_text(st, 3, actor);
	bind_text(st, 4, action);
	bind_text(st, 5, target);
	bind_text(st, 6, detail ? detail : "{}");
	bind_text(st, 7, ip && *ip ? ip : NULL);
	return store_step_later(s, st);
}

int store_audit(struct store *s, const struct store_scope *scope, int64_t tenant_id,
		const char *action, const char *target, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	json_decref(detail);
	int rc = audit_insert(s, tenant_id, scope->actor, action, target, text, scope->ip);
	free(text);
	return rc;
}

int store_audit_failed_login(struct store *s, const char *email, const char *ip)
{
	struct db_stmt *st = store_stmt(s, "SELECT m.tenant_id FROM memberships m JOIN users u"
					 " ON u.id = m.user_id WHERE u.email = lower(?)");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, email);
	int64_t tenants[64];
	size_t n = 0;
	while (n < 64 && db_step(st) == DB_ROW)
		tenants[n++] = db_column_int64(st, 0);
	db_reset(st);
	if (n == 0)
		return audit_insert(s, 0, email, "login_failed", email, NULL, ip);
	for (size_t i = 0; i < n; i++) {
		int rc = audit_insert(s, tenants[i], email, "login_failed", email, NULL, ip);
		if (rc < 0)
			return rc;
	}
	return GC_OK;
}

static json_t *audit_row(struct db_stmt *st, void *arg)
{
	json_t *detail = json_loads(db_column_text(st, 5), 0, NULL);
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0),
		"at", column_time(st, 1), "actor", column_string(st, 2), "action", column_string(st, 3),
		"target", column_string(st, 4), "detail", detail ? detail : json_object(),
		"ip", column_string(st, 6));
}

int store_audit_list(struct store *s, const struct store_scope *scope, int64_t after_id, int limit,
		     json_t **ret_page)
{
	limit = page_limit(limit);
	struct db_stmt *st = store_stmt(s, "SELECT id, at, actor, action, target, detail, ip FROM audit"
					 " WHERE tenant_id = ? AND id < ? ORDER BY id DESC LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, after_id ? after_id : INT64_MAX);
	db_bind_int64(st, 3, limit);
	return collect_page(s, st, limit, audit_row, NULL, ret_page);
}
