/* Business hours and the same-day promise in the store: each tenant's
 * business calendar (one per tenant, kept as calendar.h's canonical JSON),
 * and on contacts the first response's due time, when the first response
 * came and the queue the contact first entered. The arithmetic is the
 * daemon's (src/model/calendar.c); here are only rows, every one read and
 * written in its tenant. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_calendar_get(struct store *s, int64_t tenant_id, char **ret_config)
{
	struct db_stmt *st = store_stmt(s, "SELECT config FROM calendars WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	char *config = strdup(db_column_text(st, 0));
	db_reset(st);
	if (config == NULL)
		return GC_ENOMEM;
	*ret_config = config;
	return GC_OK;
}

int store_tenant_zone(struct store *s, int64_t tenant_id, char *ret_zone)
{
	char *config = NULL;
	int rc = store_calendar_get(s, tenant_id, &config);
	snprintf(ret_zone, GC_TZ_NAME_MAX, "UTC"); /* no calendar: UTC, as the business hours say */
	if (rc == GC_ENOTFOUND)
		return GC_OK;
	if (rc < 0)
		return rc;
	json_t *cal = json_loads(config, 0, NULL);
	const char *zone = json_string_value(json_object_get(cal, "zone"));
	if (zone)
		snprintf(ret_zone, GC_TZ_NAME_MAX, "%s", zone);
	json_decref(cal);
	free(config);
	return GC_OK;
}

int store_calendar_put(struct store *s, const struct store_scope *scope, const char *config)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO calendars(tenant_id, config, updated_at) VALUES (?,?,?)"
					 " ON CONFLICT (tenant_id) DO UPDATE SET config = excluded.config,"
					 " updated_at = excluded.updated_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, config);
	db_bind_int64(st, 3, gc_now_ms());
	return store_step_done(s, st);
}

int store_contact_due_info(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t *ret_created,
			   int64_t *ret_due)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT created_at, due_at FROM contacts WHERE tenant_id = ? AND id = ?",
				      tenant_id, contact_id, &rc);
	if (st == NULL)
		return rc;
	*ret_created = db_column_int64(st, 0);
	*ret_due = db_column_is_null(st, 1) ? 0 : db_column_int64(st, 1);
	db_reset(st);
	return GC_OK;
}

int store_contact_entered(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t queue_id, int64_t due_at)
{
	struct db_stmt *st = store_stmt(s, "UPDATE contacts SET entry_queue_id = COALESCE(entry_queue_id, ?3),"
					 " due_at = COALESCE(due_at, ?4) WHERE tenant_id = ?1 AND id = ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	db_bind_int64(st, 3, queue_id);
	if (due_at)
		db_bind_int64(st, 4, due_at);
	else
		db_bind_null_int64(st, 4);
	return store_step_done(s, st);
}

/* Runs sql, an UPDATE of a contact's first response (?1 tenant, ?2 contact, ?3 time). */
static int set_first_response(struct store *s, const char *sql, int64_t tenant_id, int64_t contact_id, int64_t at)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	db_bind_int64(st, 3, at);
	return store_step_done(s, st);
}

int store_contact_first_response(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t at)
{
	return set_first_response(s, "UPDATE contacts SET first_response_at = ?3"
				  " WHERE tenant_id = ?1 AND id = ?2 AND first_response_at IS NULL",
				  tenant_id, contact_id, at);
}

int store_contact_taken(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t at)
{
	return set_first_response(s, "UPDATE contacts SET first_response_at = ?3"
				  " WHERE tenant_id = ?1 AND id = ?2 AND first_response_at IS NULL"
				  " AND NOT EXISTS (SELECT 1 FROM callbacks b WHERE b.tenant_id = ?1 AND b.contact_id = ?2)",
				  tenant_id, contact_id, at);
}

static json_t *due_row(struct db_stmt *st, void *arg)
{
	int64_t now = *(const int64_t *)arg, due = db_column_int64(st, 7);
	int64_t late_ms = now - due;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:I}", "id", column_int(st, 0), "subject",
			 column_string(st, 1), "state", column_string(st, 2), "queue", column_string(st, 3),
			 "entry_queue_id", column_int(st, 4), "customer_id", column_int(st, 5), "created_at",
			 column_time(st, 6), "due_at", column_time(st, 7), "overdue", due <= now, "late_s",
			 (json_int_t)(late_ms >= 0 ? late_ms / 1000 : -((-late_ms + 999) / 1000)));
}

int store_contacts_due(struct store *s, const struct store_scope *scope, int64_t now, int64_t until,
		       int64_t queue_id, int limit, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, subject, state, queue, entry_queue_id, customer_id, created_at,"
		" due_at FROM contacts WHERE tenant_id = ?1 AND due_at IS NOT NULL AND first_response_at IS NULL"
		" AND due_at <= ?2 AND (?3 IS NULL OR entry_queue_id = ?3) AND state NOT IN ('resolved', 'closed')"
		" ORDER BY due_at, id LIMIT ?4");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, until);
	if (queue_id)
		db_bind_int64(st, 3, queue_id);
	else
		db_bind_null_int64(st, 3);
	db_bind_int64(st, 4, limit);
	return collect_rows(s, st, due_row, &now, ret_list);
}

int store_contacts_received(struct store *s, const struct store_scope *scope, int64_t from, int64_t to,
			    int64_t queue_id, store_received_fn fn, void *arg)
{
	struct db_stmt *st = store_stmt(s, "SELECT entry_queue_id, created_at, first_response_at FROM contacts"
		" WHERE tenant_id = ?1 AND entry_queue_id IS NOT NULL AND created_at >= ?2 AND created_at < ?3"
		" AND (?4 IS NULL OR entry_queue_id = ?4) ORDER BY created_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	if (queue_id)
		db_bind_int64(st, 4, queue_id);
	else
		db_bind_null_int64(st, 4);
	int rc, stop = GC_OK;
	while (stop == GC_OK && (rc = db_step(st)) == DB_ROW) {
		int64_t answered = db_column_is_null(st, 2) ? 0 : db_column_int64(st, 2);
		stop = fn(arg, db_column_int64(st, 0), db_column_int64(st, 1), answered);
	}
	db_reset(st);
	if (stop < 0)
		return stop;
	return rc == DB_DONE ? GC_OK : store_fail(s, rc);
}
