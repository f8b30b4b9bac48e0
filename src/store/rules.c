/* The tenants' categorisation rules, each stored as its checked JSON
 * (guichet/rules.h), read in the order they are tried. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <string.h>

/* A rule as the API shows it: its stored form with its id and times. */
static json_t *rule_row(struct db_stmt *st, void *arg)
{
	json_t *rule = column_json(st, 1);
	if (!json_is_object(rule)) {
		json_decref(rule);
		rule = json_object();
	}
	json_object_set_new(rule, "id", column_int(st, 0));
	json_object_set_new(rule, "created_at", column_time(st, 2));
	json_object_set_new(rule, "updated_at", column_time(st, 3));
	return rule;
}

int store_rule_add(struct store *s, const struct store_scope *scope, const json_t *rule, int64_t *ret_id)
{
	char *text = json_dumps(rule, JSON_COMPACT);
	const char *name = json_string_value(json_object_get(rule, "name"));
	struct db_stmt *st = store_stmt(s, "INSERT INTO category_rules(tenant_id, name, position, rule, created_at,"
					 " updated_at) VALUES (?,?,?,?,?5,?5) RETURNING id");
	if (text == NULL || name == NULL || st == NULL) {
		free(text);
		return st ? GC_EINVAL : GC_ESTORE;
	}
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, name);
	db_bind_int64(st, 3, json_integer_value(json_object_get(rule, "position")));
	bind_text(st, 4, text);
	db_bind_int64(st, 5, gc_now_ms());
	int rc = store_insert_id(s, st, ret_id);
	free(text);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a rule named '%.100s' exists", name);
	return rc;
}

int store_rule_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT id, rule, created_at, updated_at FROM category_rules WHERE tenant_id = ? AND id = ?",
			  scope->tenant_id, id, rule_row, ret);
}

int store_rule_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT id, rule, created_at, updated_at FROM category_rules WHERE tenant_id = ?"
			      " ORDER BY position, id", scope->tenant_id, rule_row, ret_list);
}

int store_rule_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM category_rules WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}
