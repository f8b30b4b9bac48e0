/* The daily level-2 export's data (schema migration 15): which contacts of
 * a tenant went to level 2 in a window of time, with their customers'
 * basic data only; each tenant's schedule; and the days already sent.
 *
 * A contact went to level 2 at an instant when a routing event of its
 * tenant says so: "escalated" (to an expert, whatever the queue), or
 * "enqueued", "overflowed", "transferred" or "moved" into a queue whose
 * configuration says level 2 (deleted queues count: they were level 2 that
 * day). The levels are read from the queues' configuration, so the query
 * is written once for both engines and filtered here.
 *
 * The customer fields are those of the basic class, whatever the caller
 * sees: the export goes to people outside the tenant's own staff (a brand's
 * technical team), and an outsourcer prepares it. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tenant's level-2 queue ids (deleted ones too), as a JSON object used as a set. */
static int level2_queues(struct store *s, int64_t tenant_id, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, config FROM queues WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	json_t *set = json_object();
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *cfg = json_loads(db_column_text(st, 1), 0, NULL);
		if (json_integer_value(json_object_get(cfg, "level")) == 2) {
			char key[24];
			snprintf(key, sizeof(key), "%lld", (long long)db_column_int64(st, 0));
			json_object_set_new(set, key, json_true());
		}
		json_decref(cfg);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(set);
		return store_fail(s, rc);
	}
	*ret = set;
	return GC_OK;
}

/* Whether the event moved its contact to level 2. */
static bool goes_to_level2(const json_t *l2, const char *type, int64_t queue_id, const char *data)
{
	if (strcmp(type, "escalated") == 0)
		return true;
	int64_t to = queue_id;
	if (strcmp(type, "enqueued") != 0) {
		json_t *d = json_loads(data, 0, NULL);
		to = json_integer_value(json_object_get(d, "to_queue_id"));
		json_decref(d);
	}
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)to);
	return json_object_get(l2, key) != NULL;
}

/* The contacts that went to level 2 in the window, in the order they
 * went: {"contact_id","level2_at","escalation_note"} (the day's last
 * escalation reason, or null). */
static int level2_events(struct store *s, int64_t tenant_id, int64_t from_ms, int64_t to_ms, json_t **ret,
			 bool *ret_truncated)
{
	json_t *l2 = NULL;
	int rc = level2_queues(s, tenant_id, &l2);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(s, "SELECT contact_id, type, queue_id, data, at FROM routing_events"
					 " WHERE tenant_id = ? AND at >= ? AND at < ? AND contact_id IS NOT NULL"
					 " AND type IN ('escalated','enqueued','overflowed','transferred','moved')"
					 " ORDER BY at, id");
	if (st == NULL) {
		json_decref(l2);
		return GC_ESTORE;
	}
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, from_ms);
	db_bind_int64(st, 3, to_ms);
	json_t *list = json_array(), *seen = json_object();
	bool truncated = false;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *type = db_column_text(st, 1), *data = db_column_text(st, 3);
		if (!goes_to_level2(l2, type, db_column_int64(st, 2), data))
			continue;
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)db_column_int64(st, 0));
		json_t *row = json_object_get(seen, key);
		if (row == NULL) {
			if (json_array_size(list) == STORE_L2_MAX_CONTACTS) {
				truncated = true;
				continue;
			}
			row = json_pack("{s:I,s:I,s:n}", "contact_id", (json_int_t)db_column_int64(st, 0), "level2_at",
					(json_int_t)db_column_int64(st, 4), "escalation_note");
			json_array_append_new(list, row);
			json_object_set(seen, key, row);
		}
		if (strcmp(type, "escalated") == 0) {
			json_t *d = json_loads(data, 0, NULL);
			json_t *why = json_object_get(d, "reason");
			if (json_is_string(why))
				json_object_set(row, "escalation_note", why);
			json_decref(d);
		}
	}
	db_reset(st);
	json_decref(seen);
	json_decref(l2);
	if (rc != DB_DONE) {
		json_decref(list);
		return store_fail(s, rc);
	}
	*ret = list;
	*ret_truncated = truncated;
	return GC_OK;
}

/* The customer's basic fields: {"id","external_id","attributes":{key: value}}. */
static int basic_customer(struct store *s, int64_t tenant_id, int64_t customer_id, json_t **ret)
{
	struct store_scope basic = {.tenant_id = tenant_id, .sees = SENS_BASIC};
	json_t *c = NULL;
	int rc = store_customer_get(s, &basic, customer_id, &c);
	if (rc < 0)
		return rc;
	json_t *attrs = json_object(), *a;
	const char *key;
	json_object_foreach(json_object_get(c, "attributes"), key, a)
		json_object_set(attrs, key, json_object_get(a, "value"));
	*ret = json_pack("{s:O,s:O,s:o}", "id", json_object_get(c, "id"), "external_id",
			 json_object_get(c, "external_id"), "attributes", attrs);
	json_decref(c);
	return GC_OK;
}

/* Adds the contact's own fields and its customer to row. */
static int fill_contact(struct store *s, int64_t tenant_id, json_t *row)
{
	int64_t id = json_integer_value(json_object_get(row, "contact_id"));
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT subject, reason, queue, created_at, customer_id FROM contacts"
				      " WHERE tenant_id = ? AND id = ?", tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	int64_t customer = db_column_is_null(st, 4) ? 0 : db_column_int64(st, 4);
	json_object_update_new(row, json_pack("{s:o,s:o,s:o,s:o}", "subject", column_string(st, 0), "category",
					      column_string(st, 1), "queue", column_string(st, 2), "received_at",
					      column_time(st, 3)));
	db_reset(st);
	json_t *c = NULL;
	if (customer && (rc = basic_customer(s, tenant_id, customer, &c)) < 0)
		return rc;
	json_object_set_new(row, "customer", c ? c : json_null());
	return GC_OK;
}

int store_l2_contacts(struct store *s, const struct store_scope *scope, int64_t from_ms, int64_t to_ms,
		      json_t **ret_rows, bool *ret_truncated)
{
	json_t *list = NULL;
	bool truncated = false;
	int rc = level2_events(s, scope->tenant_id, from_ms, to_ms, &list, &truncated);
	if (rc < 0)
		return rc;
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row)
		if ((rc = fill_contact(s, scope->tenant_id, row)) < 0) {
			json_decref(list);
			return rc;
		}
	*ret_rows = list;
	*ret_truncated = truncated;
	return GC_OK;
}

/* --- the schedule --- */

static json_t *schedule_row(struct db_stmt *st, void *arg)
{
	int minute = db_column_int(st, 1);
	char at[8];
	snprintf(at, sizeof(at), "%02d:%02d", (minute / 60) % 24, minute % 60);
	return json_pack("{s:o,s:s,s:o,s:o,s:o,s:o}", "tenant_id", column_int(st, 0), "time", at, "to",
			 column_string(st, 2), "mailbox_id", column_int(st, 3), "created_at", column_time(st, 4),
			 "updated_at", column_time(st, 5));
}

#define SCHEDULE_COLUMNS "tenant_id, at_minute, to_address, mailbox_id, created_at, updated_at FROM l2_export_schedules"

int store_l2_schedule_put(struct store *s, const struct store_scope *scope, const struct store_l2_schedule *in)
{
	int64_t n = 0;
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM email_mailboxes WHERE tenant_id = ? AND id = ? AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->mailbox_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		n = db_column_int64(st, 0);
	db_reset(st);
	if (rc != DB_ROW)
		return store_fail(s, rc);
	if (n == 0) {
		store_errorf(s, "no mailbox %lld in this tenant", (long long)in->mailbox_id);
		return GC_ENOTFOUND;
	}
	st = store_stmt(s, "INSERT INTO l2_export_schedules(tenant_id, at_minute, to_address, mailbox_id, created_at,"
			   " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (tenant_id) DO UPDATE SET"
			   " at_minute = excluded.at_minute, to_address = excluded.to_address,"
			   " mailbox_id = excluded.mailbox_id, updated_at = excluded.updated_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->at_minute);
	bind_text(st, 3, in->to_address);
	db_bind_int64(st, 4, in->mailbox_id);
	db_bind_int64(st, 5, gc_now_ms());
	return store_step_done(s, st);
}

int store_l2_schedule_get(struct store *s, const struct store_scope *scope, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " SCHEDULE_COLUMNS " WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return one_row(s, st, schedule_row, NULL, ret);
}

int store_l2_schedule_delete(struct store *s, const struct store_scope *scope)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM l2_export_schedules WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_l2_schedule_all(struct store *s, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " SCHEDULE_COLUMNS " ORDER BY tenant_id");
	if (st == NULL)
		return GC_ESTORE;
	return collect_rows(s, st, schedule_row, NULL, ret_list);
}

/* --- the days sent --- */

int store_l2_day_sent(struct store *s, const struct store_scope *scope, const char *day, bool *ret_sent)
{
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM l2_export_days WHERE tenant_id = ? AND day = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, day);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_sent = db_column_int64(st, 0) > 0;
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_l2_day_record(struct store *s, const struct store_scope *scope, const char *day, int64_t outbox_id,
			int64_t n_contacts)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO l2_export_days(tenant_id, day, outbox_id, contacts, at)"
					 " VALUES (?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, day);
	bind_id(st, 3, outbox_id);
	db_bind_int64(st, 4, n_contacts);
	db_bind_int64(st, 5, gc_now_ms());
	return store_step_done(s, st);
}

int store_l2_days(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT d.day, d.outbox_id, d.contacts, d.at, o.state, o.last_error"
					 " FROM l2_export_days d LEFT JOIN email_outbox o"
					 " ON o.id = d.outbox_id AND o.tenant_id = d.tenant_id"
					 " WHERE d.tenant_id = ? ORDER BY d.day DESC LIMIT 31");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	json_t *list = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(list, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "day", column_string(st, 0), "outbox_id",
						      column_int(st, 1), "contacts", column_int(st, 2), "at",
						      column_time(st, 3), "state", column_string(st, 4), "last_error",
						      column_string(st, 5)));
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return store_fail(s, rc);
	}
	*ret_list = list;
	return GC_OK;
}
