/* Callbacks in the store: one row per customer's request to be called
 * back, beside the phone contact it became, and each tenant's settings.
 * The decisions (when it enters its queue, what an outcome does) are the
 * daemon's (src/daemon/callback.c); here are only rows, each read and
 * written in its tenant.
 *
 * The state read is the stored one, except that a waiting callback shows
 * "offered" or "dialing" while its contact is offered to or held by an
 * agent, and "done" (without an outcome) once its contact left the routing
 * otherwise (an agent wrapped it up without recording the call): the
 * routing row says so in the same query, so no routing event needs to
 * write here. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_STATE                                                                             \
	"CASE WHEN c.state = 'waiting' AND r.state = 'offered' THEN 'offered'"                   \
	" WHEN c.state = 'waiting' AND r.state = 'assigned' THEN 'dialing'"                      \
	" WHEN c.state = 'waiting' AND r.contact_id IS NULL THEN 'done' ELSE c.state END"

/* a "done" read from the routing ended with the contact's last routing event */
#define DONE_AT                                                                                \
	"CASE WHEN c.done_at IS NULL AND c.state = 'waiting' AND r.contact_id IS NULL THEN"      \
	" (SELECT e.at FROM routing_events e WHERE e.tenant_id = c.tenant_id AND e.contact_id = c.contact_id ORDER BY e.id DESC LIMIT 1)" \
	" ELSE c.done_at END"

#define CALLBACK_COLUMNS                                                                       \
	"c.id, c.contact_id, c.origin_contact_id, c.queue_id, c.phone, c.name, c.window_from,"   \
	" c.window_to, c.source, " LIVE_STATE ", c.attempts, c.max_attempts, c.next_attempt_at," \
	" c.outcome, c.missed_reason, c.created_at, c.reached_at, " DONE_AT

#define CALLBACK_FROM " FROM callbacks c LEFT JOIN routing r ON r.contact_id = c.contact_id"

static void bind_opt(struct db_stmt *st, int idx, int64_t v)
{
	if (v)
		db_bind_int64(st, idx, v);
	else
		db_bind_null_int64(st, idx);
}

static int64_t column_opt(struct db_stmt *st, int i)
{
	return db_column_is_null(st, i) ? 0 : db_column_int64(st, i);
}

static json_t *window_json(struct db_stmt *st, int from, int to)
{
	if (db_column_is_null(st, from))
		return json_null();
	return json_pack("{s:o,s:o}", "from", column_time(st, from), "to", column_time(st, to));
}

static json_t *callback_row(struct db_stmt *st, void *arg)
{
	const struct store_scope *scope = arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			 column_int(st, 0), "contact_id", column_int(st, 1), "origin_contact_id", column_int(st, 2),
			 "queue_id", column_int(st, 3), "phone", address_json(db_column_text(st, 4), scope), "name",
			 column_string(st, 5), "window", window_json(st, 6, 7), "source", column_string(st, 8),
			 "state", column_string(st, 9), "attempts", column_int(st, 10), "max_attempts",
			 column_int(st, 11), "next_attempt_at", column_time(st, 12), "outcome", column_string(st, 13),
			 "missed_reason", column_string(st, 14), "created_at", column_time(st, 15), "reached_at",
			 column_time(st, 16), "done_at", column_time(st, 17));
}

int store_callback_create(struct store *s, const struct store_scope *scope, const struct store_callback *in,
			  int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO callbacks(tenant_id, contact_id, origin_contact_id, queue_id,"
		" phone, name, window_from, window_to, source, state, attempts, max_attempts, next_attempt_at,"
		" enqueued_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->contact_id);
	bind_opt(st, 3, in->origin_contact_id);
	db_bind_int64(st, 4, in->queue_id);
	bind_text(st, 5, in->phone);
	bind_text(st, 6, in->name);
	bind_opt(st, 7, in->window_from);
	bind_opt(st, 8, in->window_to);
	bind_text(st, 9, in->source);
	bind_text(st, 10, in->state);
	db_bind_int64(st, 11, in->max_attempts);
	bind_opt(st, 12, in->next_attempt_at);
	bind_opt(st, 13, in->enqueued_at);
	db_bind_int64(st, 14, gc_now_ms());
	return store_insert_id(s, st, ret_id);
}

int store_callback_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " CALLBACK_COLUMNS CALLBACK_FROM " WHERE c.tenant_id = ? AND c.id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	return one_row(s, st, callback_row, (void *)scope, ret);
}

static const char callback_of_contact_sql[] = "SELECT " CALLBACK_COLUMNS CALLBACK_FROM
	" WHERE c.tenant_id = ? AND c.contact_id = ?";

void store_callbacks_of_contacts(struct store *s, struct store_contact_extra *reads, int n)
{
	rows_of_contacts(s, callback_of_contact_sql, callback_row, reads, n);
}

int store_callback_of_contact(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, callback_of_contact_sql);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	return one_row(s, st, callback_row, (void *)scope, ret);
}

int store_callback_list(struct store *s, const struct store_scope *scope, const char *state, int64_t after_id,
			int limit, json_t **ret_page)
{
	limit = page_limit(limit);
	struct db_stmt *st = store_stmt(s, "SELECT " CALLBACK_COLUMNS CALLBACK_FROM " WHERE c.tenant_id = ?1"
		" AND (?2 IS NULL OR " LIVE_STATE " = ?2) AND (?3 IS NULL OR c.id < ?3) ORDER BY c.id DESC LIMIT ?4");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, state);
	bind_opt(st, 3, after_id);
	db_bind_int64(st, 4, limit);
	return collect_page(s, st, limit, callback_row, (void *)scope, ret_page);
}

int store_callback_open_for(struct store *s, int64_t tenant_id, const char *phone, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT c.id" CALLBACK_FROM " WHERE c.tenant_id = ? AND c.phone = ?"
					 " AND " LIVE_STATE " IN ('scheduled','waiting','offered','dialing') ORDER BY c.id LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, phone);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_id = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

#define ROW_COLUMNS                                                                            \
	"c.id, c.tenant_id, c.contact_id, c.queue_id, c.window_from, c.window_to, c.next_attempt_at," \
	" c.enqueued_at, c.created_at, r.agent_id, c.attempts, c.max_attempts, " LIVE_STATE

static void read_row(struct db_stmt *st, struct store_callback_row *r)
{
	*r = (struct store_callback_row){
		.id = db_column_int64(st, 0), .tenant_id = db_column_int64(st, 1), .contact_id = db_column_int64(st, 2),
		.queue_id = db_column_int64(st, 3), .window_from = column_opt(st, 4), .window_to = column_opt(st, 5),
		.next_attempt_at = column_opt(st, 6), .enqueued_at = column_opt(st, 7), .created_at = column_opt(st, 8),
		.agent_id = column_opt(st, 9), .attempts = (int)db_column_int64(st, 10),
		.max_attempts = (int)db_column_int64(st, 11)};
	snprintf(r->state, sizeof(r->state), "%s", db_column_text(st, 12));
}

int store_callback_row(struct store *s, int64_t tenant_id, int64_t id, struct store_callback_row *ret)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT " ROW_COLUMNS CALLBACK_FROM " WHERE c.tenant_id = ? AND c.id = ?",
					tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	read_row(st, ret);
	db_reset(st);
	return GC_OK;
}

int store_callbacks_due(struct store *s, int64_t now, struct store_callback_row *ret_rows, size_t max,
			size_t *ret_n)
{
	/* a scheduled callback's next attempt comes before its window's end */
	struct db_stmt *st = store_stmt(s, "SELECT " ROW_COLUMNS CALLBACK_FROM " WHERE (c.state = 'scheduled'"
		" AND c.next_attempt_at <= ?1) OR (c.state = 'waiting' AND c.window_to <= ?1 AND r.state = 'waiting')"
		" ORDER BY c.next_attempt_at, c.id LIMIT ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, (int64_t)max);
	size_t n = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW && n < max)
		read_row(st, &ret_rows[n++]);
	db_reset(st);
	if (rc < 0)
		return store_fail(s, rc);
	*ret_n = n;
	return GC_OK;
}

int store_callback_update(struct store *s, int64_t tenant_id, int64_t id, const struct store_callback_change *c)
{
	struct db_stmt *st = store_stmt(s, "UPDATE callbacks SET state = COALESCE(?3, state),"
		" outcome = COALESCE(?4, outcome), missed_reason = COALESCE(?5, missed_reason),"
		" attempts = CASE WHEN ?6 >= 0 THEN ?6 ELSE attempts END,"
		" next_attempt_at = CASE WHEN ?3 = 'scheduled' THEN ?7 ELSE COALESCE(?7, next_attempt_at) END,"
		" enqueued_at = COALESCE(enqueued_at, ?8), reached_at = COALESCE(?9, reached_at),"
		" done_at = COALESCE(?10, done_at) WHERE tenant_id = ?1 AND id = ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, id);
	bind_text(st, 3, c->state);
	bind_text(st, 4, c->outcome);
	bind_text(st, 5, c->missed_reason);
	db_bind_int64(st, 6, c->attempts);
	bind_opt(st, 7, c->next_attempt_at);
	bind_opt(st, 8, c->enqueued_at);
	bind_opt(st, 9, c->reached_at);
	bind_opt(st, 10, c->done_at);
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	return rc;
}

int store_callback_settings_get(struct store *s, int64_t tenant_id, int64_t *ret_queue_id, int *ret_retry_after_s,
				int *ret_max_attempts)
{
	struct db_stmt *st = store_stmt(s, "SELECT queue_id, retry_after_s, max_attempts FROM callback_settings"
					 " WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_queue_id = column_opt(st, 0);
		*ret_retry_after_s = (int)db_column_int64(st, 1);
		*ret_max_attempts = (int)db_column_int64(st, 2);
	}
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_callback_settings_put(struct store *s, const struct store_scope *scope, int64_t queue_id,
				int retry_after_s, int max_attempts)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO callback_settings(tenant_id, queue_id, retry_after_s,"
		" max_attempts, updated_at) VALUES (?,?,?,?,?) ON CONFLICT (tenant_id) DO UPDATE SET"
		" queue_id = excluded.queue_id, retry_after_s = excluded.retry_after_s,"
		" max_attempts = excluded.max_attempts, updated_at = excluded.updated_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_opt(st, 2, queue_id);
	db_bind_int64(st, 3, retry_after_s);
	db_bind_int64(st, 4, max_attempts);
	db_bind_int64(st, 5, gc_now_ms());
	return store_step_done(s, st);
}

/* The report's sums, filled row by row. */
struct report {
	const struct store_scope *scope;
	int64_t requested, reached, cancelled, open, ended, missed, exhausted, passed, wrong, reach_ms;
	json_t *missed_list;
};

static json_t *report_row(struct db_stmt *st, void *arg)
{
	struct report *r = arg;
	const char *state = db_column_text(st, 9), *reason = db_column_text(st, 14);
	r->requested++;
	if (strcmp(state, "done") == 0 && db_column_text(st, 13) && strcmp(db_column_text(st, 13), "reached") == 0) {
		r->reached++;
		int64_t start = db_column_int64(st, 15); /* the request, or its window's start if later */
		if (!db_column_is_null(st, 6) && db_column_int64(st, 6) > start)
			start = db_column_int64(st, 6);
		r->reach_ms += column_opt(st, 16) - start;
	} else if (strcmp(state, "done") == 0) {
		r->ended++; /* wrapped up without an outcome */
	} else if (strcmp(state, "cancelled") == 0) {
		r->cancelled++;
	} else if (strcmp(state, "missed") == 0) {
		r->missed++;
		r->exhausted += reason && strcmp(reason, "attempts_exhausted") == 0;
		r->passed += reason && strcmp(reason, "window_passed") == 0;
		r->wrong += reason && strcmp(reason, "wrong_number") == 0;
		json_array_append_new(r->missed_list, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0),
			"contact_id", column_int(st, 1), "phone", address_json(db_column_text(st, 4), r->scope), "window",
			window_json(st, 6, 7), "attempts", column_int(st, 10), "reason", column_string(st, 14)));
	} else {
		r->open++;
	}
	return json_null();
}

int store_callback_report(struct store *s, const struct store_scope *scope, int64_t from, int64_t to,
			  json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " CALLBACK_COLUMNS CALLBACK_FROM " WHERE c.tenant_id = ?1"
					 " AND c.created_at >= ?2 AND c.created_at < ?3 ORDER BY c.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	struct report r = {.scope = scope, .missed_list = json_array()};
	json_t *ignored = NULL;
	int rc = collect_rows(s, st, report_row, &r, &ignored);
	json_decref(ignored);
	if (rc < 0) {
		json_decref(r.missed_list);
		return rc;
	}
	json_t *mean = r.reached ? json_integer(r.reach_ms / r.reached / 1000) : json_null();
	*ret = json_pack("{s:I,s:I,s:{s:I,s:I,s:I,s:I},s:I,s:I,s:I,s:o,s:o}", "requested", (json_int_t)r.requested,
			 "reached", (json_int_t)r.reached, "missed", "total", (json_int_t)r.missed, "attempts_exhausted",
			 (json_int_t)r.exhausted, "window_passed", (json_int_t)r.passed, "wrong_number",
			 (json_int_t)r.wrong, "cancelled", (json_int_t)r.cancelled, "open", (json_int_t)r.open,
			 "ended_without_outcome", (json_int_t)r.ended,
			 "mean_to_reach_s", mean, "missed_list", r.missed_list);
	return *ret ? GC_OK : GC_ENOMEM;
}
