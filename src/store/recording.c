/* Calls' recordings (schema migration 29): a row per recording, written
 * once its file beside the store is whole (channel/voice/recorder.h), with
 * the call_recorded event in the same transaction; the queues whose calls
 * are recorded, each tenant's retention and whether its outsourcers'
 * supervisors may listen to their own agents' calls (migration 39). A path is the file's name in
 * the recordings folder, never a path outside it. Rows expire by their
 * tenant's retention (store_recordings_expire): the caller unlinks the
 * files after its commit, so a crash leaves at worst a file with no row,
 * which the sweep at start removes, never a row without its file. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24LL * 3600 * 1000)
#define RECORDING_COLUMNS "id, contact_id, queue_id, agent_id, started_at, duration_ms, bytes, created_at, path" \
			  " FROM recordings"

static json_t *recording_row(struct db_stmt *st, void *arg)
{
	json_t *row = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "contact_id",
				column_int(st, 1), "queue_id", column_int(st, 2), "agent_id", column_int(st, 3),
				"started_at", column_time(st, 4), "duration_ms", column_int(st, 5), "bytes",
				column_int(st, 6), "created_at", column_time(st, 7));
	if (row && arg) /* the file's name: the daemon's own, never an answer's */
		json_object_set_new(row, "path", column_string(st, 8));
	return row;
}

int store_recording_add(struct store *s, const struct store_scope *scope, const struct store_recording *in,
			int64_t *ret_id)
{
	int64_t now = gc_now_ms(), id = 0;
	struct db_stmt *st = store_stmt(s, "INSERT INTO recordings(tenant_id, contact_id, queue_id, agent_id,"
					 " started_at, duration_ms, bytes, path, created_at)"
					 " SELECT tenant_id, id, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM contacts"
					 " WHERE tenant_id = ?1 AND id = ?2 RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->contact_id);
	bind_id(st, 3, in->queue_id);
	bind_id(st, 4, in->agent_id);
	db_bind_int64(st, 5, in->started_at);
	db_bind_int64(st, 6, in->duration_ms);
	db_bind_int64(st, 7, in->bytes);
	bind_text(st, 8, in->path);
	db_bind_int64(st, 9, now);
	int rc = db_step(st);
	if (rc == DB_ROW)
		id = db_column_int64(st, 0);
	db_reset(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	json_t *data = json_pack("{s:I,s:I,s:I}", "recording_id", (json_int_t)id, "duration_ms",
				 (json_int_t)in->duration_ms, "bytes", (json_int_t)in->bytes);
	rc = data ? store_event_append(s, scope, in->contact_id, "call_recorded", data, now) : GC_ENOMEM;
	if (rc == GC_OK && ret_id)
		*ret_id = id;
	return rc;
}

/* ?3: 0 for every recording, or an organisation whose agents took the call */
#define OF_ORGANISATION " AND (?3 = 0 OR agent_id IN (SELECT id FROM users WHERE organisation_id = ?3))"

int store_recording_list(struct store *s, const struct store_scope *scope, int64_t contact_id,
			 int64_t organisation_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " RECORDING_COLUMNS " WHERE tenant_id = ?1 AND contact_id = ?2"
					 OF_ORGANISATION " ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	db_bind_int64(st, 3, organisation_id);
	return collect_rows(s, st, recording_row, NULL, ret_list);
}

int store_recording_get(struct store *s, const struct store_scope *scope, int64_t id, int64_t organisation_id,
			json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " RECORDING_COLUMNS " WHERE tenant_id = ?1 AND id = ?2"
					 OF_ORGANISATION);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, organisation_id);
	return one_row(s, st, recording_row, s, ret);
}

int store_recording_known(struct store *s, const char *path, bool *ret_known)
{
	struct db_stmt *st = store_stmt(s, "SELECT 1 FROM recordings WHERE path = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, path);
	int rc = db_step(st);
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, rc);
	*ret_known = rc == DB_ROW;
	return GC_OK;
}

static json_t *expired_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "tenant_id", column_int(st, 1), "contact_id",
			 column_int(st, 2), "path", column_string(st, 3));
}

int store_recordings_expire(struct store *s, int64_t now, int max, json_t **ret_removed)
{
	struct db_stmt *st = store_stmt(s, "SELECT r.id, r.tenant_id, r.contact_id, r.path FROM recordings r"
					 " LEFT JOIN recording_settings rs ON rs.tenant_id = r.tenant_id"
					 " WHERE r.started_at < ?1 - COALESCE(rs.retention_days, ?2) * ?3"
					 " ORDER BY r.started_at LIMIT ?4");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, STORE_RECORDING_RETENTION_DAYS);
	db_bind_int64(st, 3, DAY_MS);
	db_bind_int64(st, 4, max);
	json_t *list = NULL;
	int rc = collect_rows(s, st, expired_row, NULL, &list);
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row) {
		if (rc < 0)
			break;
		struct db_stmt *del = store_stmt(s, "DELETE FROM recordings WHERE id = ?");
		if (del == NULL) {
			rc = GC_ESTORE;
			break;
		}
		db_bind_int64(del, 1, json_integer_value(json_object_get(row, "id")));
		rc = store_step_done(s, del);
	}
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*ret_removed = list;
	return GC_OK;
}

int store_recording_queue_on(struct store *s, int64_t tenant_id, int64_t queue_id, bool *ret_on)
{
	struct db_stmt *st = store_stmt(s, "SELECT 1 FROM recorded_queues WHERE tenant_id = ? AND queue_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, queue_id);
	int rc = db_step(st);
	db_reset(st); /* no read left open on the telephony thread's connection */
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, rc);
	*ret_on = rc == DB_ROW;
	return GC_OK;
}

static json_t *queue_id_row(struct db_stmt *st, void *arg)
{
	return column_int(st, 0);
}

int store_recording_settings_get(struct store *s, const struct store_scope *scope, json_t **ret)
{
	int64_t days = STORE_RECORDING_RETENTION_DAYS, outsourcers = 0;
	struct db_stmt *st = store_stmt(s, "SELECT retention_days, outsourcers_listen FROM recording_settings"
					 " WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		days = db_column_int64(st, 0);
		outsourcers = db_column_int64(st, 1);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, rc);
	json_t *queues = NULL;
	rc = tenant_rows(s, "SELECT queue_id FROM recorded_queues WHERE tenant_id = ? ORDER BY queue_id",
			 scope->tenant_id, queue_id_row, &queues);
	if (rc < 0)
		return rc;
	*ret = json_pack("{s:I,s:o,s:b}", "retention_days", (json_int_t)days, "queues", queues, "outsourcers_listen",
			 outsourcers != 0);
	return *ret ? GC_OK : GC_ENOMEM;
}

static int set_queues(struct store *s, const struct store_scope *scope, const int64_t *queues, size_t n_queues)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM recorded_queues WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int rc = store_step_done(s, st);
	for (size_t i = 0; rc == GC_OK && i < n_queues; i++) {
		st = scoped_row(s, "SELECT 1 FROM queues WHERE tenant_id = ? AND id = ?", scope->tenant_id, queues[i],
				&rc);
		if (st)
			db_reset(st);
		if (rc == GC_ENOTFOUND) {
			store_errorf(s, "no queue %lld in this tenant", (long long)queues[i]);
			return GC_EINVAL;
		}
		if (rc < 0)
			return rc;
		st = store_stmt(s, "INSERT INTO recorded_queues(tenant_id, queue_id) VALUES (?1, ?2)"
			       " ON CONFLICT DO NOTHING");
		if (st == NULL)
			return GC_ESTORE;
		db_bind_int64(st, 1, scope->tenant_id);
		db_bind_int64(st, 2, queues[i]);
		rc = store_step_done(s, st);
	}
	return rc;
}

int store_recording_settings_put(struct store *s, const struct store_scope *scope,
				 const struct store_recording_settings *in)
{
	int rc = GC_OK;
	if (in->retention_days > 0 || in->outsourcers_listen >= 0) {
		/* what is not set keeps its value, or takes its default on the first row */
		struct db_stmt *st = store_stmt(s, "INSERT INTO recording_settings(tenant_id, retention_days,"
						 " outsourcers_listen, updated_at) VALUES (?1, COALESCE(?2, ?5), COALESCE(?3, 0), ?4)"
						 " ON CONFLICT (tenant_id) DO UPDATE SET"
						 " retention_days = COALESCE(?2, recording_settings.retention_days),"
						 " outsourcers_listen = COALESCE(?3, recording_settings.outsourcers_listen),"
						 " updated_at = excluded.updated_at");
		if (st == NULL)
			return GC_ESTORE;
		db_bind_int64(st, 1, scope->tenant_id);
		if (in->retention_days > 0)
			db_bind_int64(st, 2, in->retention_days);
		else
			db_bind_null_int64(st, 2);
		if (in->outsourcers_listen >= 0)
			db_bind_int64(st, 3, in->outsourcers_listen);
		else
			db_bind_null_int64(st, 3);
		db_bind_int64(st, 4, gc_now_ms());
		db_bind_int64(st, 5, STORE_RECORDING_RETENTION_DAYS);
		rc = store_step_done(s, st);
	}
	if (rc == GC_OK && in->set_queues)
		rc = set_queues(s, scope, in->queues, in->n_queues);
	return rc;
}
