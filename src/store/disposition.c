/* A tenant's disposition codes in the store: the list an agent chooses from
 * when finishing a contact (code and label, in the tenant's order),
 * replaced whole by its admin, and the check that a disposition given by a
 * person is one of them (a tenant with no list takes any text). */
#include "store/store_internal.h"
#include "guichet/error.h"

#include <stdio.h>
#include <string.h>

static json_t *disposition_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o}", "code", column_string(st, 0), "label", column_string(st, 1));
}

int store_dispositions_get(struct store *s, int64_t tenant_id, json_t **ret_items)
{
	return tenant_rows(s, "SELECT code, label FROM dispositions WHERE tenant_id = ? ORDER BY position", tenant_id,
			   disposition_row, ret_items);
}

int store_dispositions_put(struct store *s, const struct store_scope *scope, const struct disposition_list *in)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM dispositions WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int rc = store_step_done(s, st);
	json_t *codes = json_array();
	for (int i = 0; rc == GC_OK && i < in->n; i++) {
		if ((st = store_stmt(s, "INSERT INTO dispositions(tenant_id, code, label, position) VALUES (?,?,?,?)")) == NULL) {
			rc = GC_ESTORE;
			break;
		}
		db_bind_int64(st, 1, scope->tenant_id);
		bind_text(st, 2, in->items[i].code);
		bind_text(st, 3, in->items[i].label);
		db_bind_int64(st, 4, i);
		rc = store_step_done(s, st);
		json_array_append_new(codes, json_string(in->items[i].code));
	}
	if (rc < 0) {
		json_decref(codes);
		return rc;
	}
	return store_audit(s, scope, scope->tenant_id, "dispositions_set", NULL, json_pack("{s:o}", "codes", codes));
}

int store_disposition_check(struct store *s, int64_t tenant_id, const char *code, char *ret_codes, size_t len)
{
	struct db_stmt *st = store_stmt(s, "SELECT code FROM dispositions WHERE tenant_id = ? ORDER BY position");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc, n = 0;
	bool found = false;
	size_t used = 0;
	ret_codes[0] = '\0';
	while ((rc = db_step(st)) == DB_ROW) {
		const char *c = db_column_text(st, 0);
		found = found || strcmp(c, code) == 0;
		if (used < len)
			used += (size_t)snprintf(ret_codes + used, len - used, "%s%s", n++ ? ", " : "", c);
	}
	db_reset(st);
	if (rc != DB_DONE)
		return store_fail(s, rc);
	return n == 0 || found ? GC_OK : GC_EINVAL;
}
