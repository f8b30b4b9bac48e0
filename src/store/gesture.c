/* Goodwill gestures in the store: credits, gifts and waivers recorded on a
 * contact with their value, the decision on those above their author's
 * limit, each tenant's settings (currency and limits, checked JSON decoded
 * by model/gesture.c) and the report per reason and per agent. Every row is
 * read and written in its tenant; each gesture and decision is also an
 * event on its contact's timeline. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <string.h>

#define GESTURE_COLUMNS                                                                          \
	"id, contact_id, kind, amount_cents, currency, reason, note, state, recorded_by, role,"   \
	" decided_by, decision_note, decided_at, created_at, recorded_by_user"

static json_t *gesture_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0),
			 "contact_id", column_int(st, 1), "kind", column_string(st, 2), "amount_cents",
			 column_int(st, 3), "currency", column_string(st, 4), "reason", column_string(st, 5), "note",
			 column_string(st, 6), "state", column_string(st, 7), "recorded_by", column_string(st, 8),
			 "role", column_string(st, 9), "decided_by", column_string(st, 10), "decision_note",
			 column_string(st, 11), "decided_at", column_time(st, 12), "created_at", column_time(st, 13));
}

int store_gesture_settings_get(struct store *s, int64_t tenant_id, char **ret_text)
{
	struct db_stmt *st = store_stmt(s, "SELECT config FROM gesture_settings WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_text = strdup(db_column_text(st, 0));
	db_reset(st);
	if (rc == DB_ROW)
		return *ret_text ? GC_OK : GC_ENOMEM;
	return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_gesture_settings_put(struct store *s, const struct store_scope *scope, const char *config)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO gesture_settings(tenant_id, config, updated_at) VALUES (?,?,?)"
		" ON CONFLICT (tenant_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, config);
	db_bind_int64(st, 3, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc < 0 ? rc : store_audit(s, scope, scope->tenant_id, "gesture_settings.put", "gestures", json_loads(config, 0, NULL));
}

static json_t *event_of(const struct store_gesture *g, int64_t id)
{
	return json_pack("{s:I,s:s,s:I,s:s,s:s,s:s}", "gesture_id", (json_int_t)id, "kind", g->kind, "amount_cents",
			 (json_int_t)g->amount_cents, "currency", g->currency, "reason", g->reason, "state", g->state);
}

int store_gesture_create(struct store *s, const struct store_scope *scope, const struct store_gesture *g,
			 int64_t *ret_id)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT 1 FROM contacts WHERE tenant_id = ? AND id = ?", scope->tenant_id,
				      g->contact_id, &rc);
	if (st == NULL)
		return rc;
	db_reset(st);
	int64_t now = gc_now_ms();
	st = store_stmt(s, "INSERT INTO gestures(tenant_id, contact_id, kind, amount_cents, currency, reason, note,"
		" state, recorded_by_user, recorded_by, role, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, g->contact_id);
	bind_text(st, 3, g->kind);
	db_bind_int64(st, 4, g->amount_cents);
	bind_text(st, 5, g->currency);
	bind_text(st, 6, g->reason);
	bind_text(st, 7, g->note);
	bind_text(st, 8, g->state);
	bind_id(st, 9, scope->user_id);
	bind_text(st, 10, scope->actor);
	bind_text(st, 11, g->role);
	db_bind_int64(st, 12, now);
	if ((rc = store_insert_id(s, st, ret_id)) < 0)
		return rc;
	return store_event_append(s, scope, g->contact_id, "gesture_recorded", event_of(g, *ret_id), now);
}

int store_gesture_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret,
		      struct store_gesture_facts *ret_facts)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT " GESTURE_COLUMNS " FROM gestures WHERE tenant_id = ? AND id = ?",
				      scope->tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	if (ret_facts) {
		const char *state = db_column_text(st, 7);
		*ret_facts = (struct store_gesture_facts){.contact_id = db_column_int64(st, 1),
							  .amount_cents = db_column_int64(st, 3),
							  .author_user = db_column_is_null(st, 14) ? 0 : db_column_int64(st, 14)};
		snprintf(ret_facts->state, sizeof(ret_facts->state), "%s", state ? state : "");
	}
	if (ret)
		*ret = gesture_row(st, NULL);
	db_reset(st);
	return ret == NULL || *ret ? GC_OK : GC_ENOMEM;
}

int store_gesture_decide(struct store *s, const struct store_scope *scope, int64_t id, const char *state,
			 const char *note)
{
	struct store_gesture_facts f;
	int rc = store_gesture_get(s, scope, id, NULL, &f);
	if (rc < 0)
		return rc;
	if (strcmp(f.state, "pending") != 0) {
		store_errorf(s, "the gesture is already %s", f.state);
		return GC_ECONFLICT;
	}
	int64_t now = gc_now_ms();
	struct db_stmt *st = store_stmt(s, "UPDATE gestures SET state = ?, decided_by = ?, decision_note = ?, decided_at = ?"
					 " WHERE tenant_id = ? AND id = ? AND state = 'pending'");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, state);
	bind_text(st, 2, scope->actor);
	bind_text(st, 3, note);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, scope->tenant_id);
	db_bind_int64(st, 6, id);
	if ((rc = store_step_done(s, st)) < 0)
		return rc;
	json_t *data = json_pack("{s:I,s:s,s:s?}", "gesture_id", (json_int_t)id, "state", state, "note", note);
	return store_event_append(s, scope, f.contact_id, "gesture_decided", data, now);
}

int store_gesture_list(struct store *s, const struct store_scope *scope, int64_t contact_id, const char *state,
		       int64_t organisation_id, int64_t after_id, int limit, json_t **ret_page)
{
	limit = page_limit(limit);
	struct db_stmt *st = store_stmt(s, "SELECT " GESTURE_COLUMNS " FROM gestures WHERE tenant_id = ?1"
		" AND (?2 IS NULL OR contact_id = ?2) AND (?3 IS NULL OR state = ?3) AND (?4 IS NULL OR id < ?4)"
		" AND (?6 IS NULL OR recorded_by_user IN (SELECT id FROM users WHERE organisation_id = ?6))"
		" ORDER BY id DESC LIMIT ?5");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_id(st, 2, contact_id);
	bind_text(st, 3, state);
	bind_id(st, 4, after_id);
	db_bind_int64(st, 5, limit);
	bind_id(st, 6, organisation_id);
	return collect_page(s, st, limit, gesture_row, NULL, ret_page);
}

/* One group's figures of the report: a reason's, an agent's, or all. */
static json_t *report_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "key", column_string(st, 0), "gestures", column_int(st, 1),
			 "approved", column_int(st, 2), "approved_cents", column_int(st, 3), "pending",
			 column_int(st, 4), "pending_cents", column_int(st, 5), "refused", column_int(st, 6));
}

#define REPORT_SUMS                                                                                        \
	" COUNT(*), SUM(CASE WHEN state = 'approved' THEN 1 ELSE 0 END),"                                     \
	" COALESCE(SUM(CASE WHEN state = 'approved' THEN amount_cents ELSE 0 END), 0),"                        \
	" SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END),"                                                \
	" COALESCE(SUM(CASE WHEN state = 'pending' THEN amount_cents ELSE 0 END), 0),"                         \
	" SUM(CASE WHEN state = 'refused' THEN 1 ELSE 0 END)"                                                 \
	" FROM gestures WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3"

static int report_group(struct store *s, const struct store_scope *scope, const char *sql, int64_t from, int64_t to,
			json_t **ret)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	return collect_rows(s, st, report_row, NULL, ret);
}

int store_gesture_report(struct store *s, const struct store_scope *scope, int64_t from, int64_t to, json_t **ret)
{
	json_t *reasons = NULL, *agents = NULL, *total = NULL;
	int rc = report_group(s, scope, "SELECT reason," REPORT_SUMS " GROUP BY reason ORDER BY 4 DESC, 1", from, to,
			      &reasons);
	if (rc == GC_OK)
		rc = report_group(s, scope, "SELECT recorded_by," REPORT_SUMS " GROUP BY recorded_by ORDER BY 4 DESC, 1",
				  from, to, &agents);
	if (rc == GC_OK)
		rc = report_group(s, scope, "SELECT 'all'," REPORT_SUMS, from, to, &total);
	if (rc < 0) {
		json_decref(reasons);
		json_decref(agents);
		json_decref(total);
		return rc;
	}
	json_t *all = json_incref(json_array_get(total, 0));
	json_decref(total);
	json_object_del(all, "key");
	/* an empty span sums to null in SQL: zeros read better */
	const char *key;
	json_t *v;
	json_object_foreach(all, key, v)
		if (json_is_null(v))
			json_object_set_new(all, key, json_integer(0));
	*ret = json_pack("{s:o,s:o,s:o}", "by_reason", reasons, "by_agent", agents, "total", all);
	return *ret ? GC_OK : GC_ENOMEM;
}
