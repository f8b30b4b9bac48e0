/* A contact's whole journey and a tenant's routing events over a span of
 * time, for the agent's screen and the supervisor's day so far.
 *
 * The journey merges three sources that each keep their own order: the
 * contact's own events (contact_events: created, state, messages, notes),
 * its routing events (routing_events: enqueued, offered, missed, accepted,
 * escalated, transferred, moved, wrap-up, abandoned, with who and which
 * queue) and the diagnosis sessions linked to it (kb_sessions, with the path
 * walked). Each source is read in its order, at most STORE_JOURNEY_MAX rows,
 * then the items are sorted by time; items of the same millisecond keep the
 * order of their source (the contact's, the routing's, the diagnosis'), so a
 * state change comes before the routing event it went with. Every query is
 * scoped by the tenant. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

struct item {
	int64_t at;
	size_t order;   /* the ties' order: the source's, then the row's */
	json_t *json;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static int add(struct items *it, int64_t at, json_t *json)
{
	if (json == NULL)
		return GC_ENOMEM;
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 64;
		struct item *v = realloc(it->v, cap * sizeof(*v));
		if (v == NULL) {
			json_decref(json);
			return GC_ENOMEM;
		}
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n] = (struct item){at, it->n, json};
	it->n++;
	return GC_OK;
}

static int by_time(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static json_t *time_json(int64_t ms)
{
	char when[GC_TIME_LEN];
	gc_time_format(ms, when);
	return json_string(when);
}

static json_t *json_text(struct db_stmt *st, int i)
{
	json_t *j = db_column_is_null(st, i) ? NULL : json_loads(db_column_text(st, i), 0, NULL);
	return j ? j : json_object();
}

static struct db_stmt *contact_stmt(struct store *s, const char *sql, const struct store_scope *scope,
				   int64_t contact_id)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		db_bind_int64(st, 2, contact_id);
		db_bind_int64(st, 3, STORE_JOURNEY_MAX);
	}
	return st;
}

static int step_end(struct store *s, struct db_stmt *st, int rc, int step)
{
	db_reset(st);
	if (rc < 0)
		return rc;
	return step == DB_DONE || step == DB_ROW ? GC_OK : store_fail(s, step);
}

static int contact_events(struct store *s, const struct store_scope *scope, int64_t id, struct items *it)
{
	struct db_stmt *st = contact_stmt(s, "SELECT type, actor, data, at FROM contact_events"
					  " WHERE tenant_id = ? AND contact_id = ? ORDER BY id LIMIT ?", scope, id);
	if (st == NULL)
		return GC_ESTORE;
	int rc = GC_OK, step = DB_DONE;
	while (rc == GC_OK && (step = db_step(st)) == DB_ROW) {
		int64_t at = db_column_int64(st, 3);
		json_t *data = json_text(st, 2);
		event_data_as_seen(data, scope);
		rc = add(it, at, json_pack("{s:s,s:o,s:o,s:o,s:o}", "source", "contact", "type", column_string(st, 0),
					   "actor", column_string(st, 1), "data", data, "at", time_json(at)));
	}
	return step_end(s, st, rc, step);
}

static int routing_events(struct store *s, const struct store_scope *scope, int64_t id, struct items *it)
{
	struct db_stmt *st = contact_stmt(s, "SELECT e.type, e.agent_id, u.name, e.queue_id, q.name, e.data, e.at"
		" FROM routing_events e LEFT JOIN users u ON u.id = e.agent_id"
		" LEFT JOIN queues q ON q.id = e.queue_id AND q.tenant_id = e.tenant_id"
		" WHERE e.tenant_id = ? AND e.contact_id = ? ORDER BY e.id LIMIT ?", scope, id);
	if (st == NULL)
		return GC_ESTORE;
	int rc = GC_OK, step = DB_DONE;
	while (rc == GC_OK && (step = db_step(st)) == DB_ROW) {
		int64_t at = db_column_int64(st, 6);
		json_t *data = json_text(st, 5);
		json_object_del(data, "at");
		json_object_del(data, "contact_id"); /* and the item's own, as columns */
		json_object_del(data, "agent_id");
		json_object_del(data, "queue_id");
		rc = add(it, at, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "source", "routing", "type",
			column_string(st, 0), "agent_id", column_int(st, 1), "agent", column_string(st, 2), "queue_id",
			column_int(st, 3), "queue", column_string(st, 4), "data", data, "at", time_json(at)));
	}
	return step_end(s, st, rc, step);
}

/* A session gives one item when it starts (what was asked, which tree) and
 * one when it ends (the path walked and the outcome). */
static int diagnosis(struct store *s, const struct store_scope *scope, int64_t id, struct items *it)
{
	struct db_stmt *st = contact_stmt(s, "SELECT k.id, k.user_id, u.name, k.query, i.key, k.path, k.state,"
		" k.outcome, k.started_at, k.ended_at, k.mode FROM kb_sessions k JOIN kb_items i ON i.id = k.tree_id"
		" LEFT JOIN users u ON u.id = k.user_id WHERE k.tenant_id = ? AND k.contact_id = ? ORDER BY k.id LIMIT ?",
		scope, id);
	if (st == NULL)
		return GC_ESTORE;
	int rc = GC_OK, step = DB_DONE;
	while (rc == GC_OK && (step = db_step(st)) == DB_ROW) {
		int64_t started = db_column_int64(st, 8);
		rc = add(it, started, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o},s:o}", "source", "diagnosis",
			"type", "diagnosis_started", "agent_id", column_int(st, 1), "agent", column_string(st, 2),
			"queue_id", json_null(), "queue", json_null(), "data", "session_id", column_int(st, 0), "tree",
			column_string(st, 4), "query", column_string(st, 3), "mode", column_string(st, 10), "at",
			time_json(started)));
		if (rc == GC_OK && !db_column_is_null(st, 9)) {
			int64_t ended = db_column_int64(st, 9);
			rc = add(it, ended, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o},s:o}", "source",
				"diagnosis", "type", "diagnosis_ended", "agent_id", column_int(st, 1), "agent",
				column_string(st, 2), "queue_id", json_null(), "queue", json_null(), "data", "session_id",
				column_int(st, 0), "tree", column_string(st, 4), "path", json_text(st, 5), "outcome",
				column_string(st, 7), "at", time_json(ended)));
		}
	}
	return step_end(s, st, rc, step);
}

int store_contact_journey(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list)
{
	struct items it = {0};
	int rc = store_contact_exists(s, scope, contact_id);
	if (rc == GC_OK)
		rc = contact_events(s, scope, contact_id, &it);
	if (rc == GC_OK)
		rc = routing_events(s, scope, contact_id, &it);
	if (rc == GC_OK)
		rc = diagnosis(s, scope, contact_id, &it);
	json_t *list = rc == GC_OK ? json_array() : NULL;
	if (rc == GC_OK && list == NULL)
		rc = GC_ENOMEM;
	if (rc == GC_OK)
		qsort(it.v, it.n, sizeof(*it.v), by_time);
	for (size_t i = 0; i < it.n; i++) {
		if (rc == GC_OK && json_array_append(list, it.v[i].json) < 0)
			rc = GC_ENOMEM;
		json_decref(it.v[i].json);
	}
	free(it.v);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*ret_list = list;
	return GC_OK;
}

int store_routing_events_between(struct store *s, int64_t tenant_id, int64_t from_ms, int64_t to_ms,
				 store_event_fn fn, void *arg)
{
	/* the index on time (migration 8) reads the span's rows alone */
	struct db_stmt *st = store_stmt(s, "SELECT id, at, type, contact_id, agent_id, queue_id, data"
				      " FROM routing_events WHERE at >= ? AND at < ? AND tenant_id = ? ORDER BY at, id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, from_ms);
	db_bind_int64(st, 2, to_ms);
	db_bind_int64(st, 3, tenant_id);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_event ev = {db_column_int64(st, 0), tenant_id, db_column_int64(st, 1),
			db_column_text(st, 2), db_column_int64(st, 3), db_column_int64(st, 4),
			db_column_int64(st, 5), db_column_text(st, 6)};
		fn(&ev, arg);
	}
	db_reset(st);
	return rc == DB_DONE ? GC_OK : store_fail(s, rc);
}
