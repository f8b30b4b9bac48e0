/* The self-service portal's store: the incidents and announcements a tenant
 * publishes (shown at the top of its portal, and later announced by the
 * voice channel), and the portal's settings, one checked JSON text per
 * tenant as a calendar is.
 *
 * An incident is current while it is published, has started and has not
 * ended: store_incidents_current is the one query every customer-facing
 * caller uses, and answers only the customer-facing fields. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCIDENT_COLUMNS                                                                                    \
	"id, kind, title, body, area, severity, starts_at, expected_end_at, ended_at, published, created_by," \
	" created_at, updated_at, keywords"

/* A keywords column: its array, [] when none. */
static json_t *keywords_of(struct db_stmt *st, int i)
{
	json_t *k = db_column_is_null(st, i) ? NULL : json_loads((const char *)db_column_text(st, i), 0, NULL);
	if (json_is_array(k))
		return k;
	json_decref(k);
	return json_array();
}

/* An incident as the staff API shows it. */
static json_t *incident_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "kind",
			 column_string(st, 1), "title", column_string(st, 2), "body", column_string(st, 3), "area",
			 column_string(st, 4), "severity", column_string(st, 5), "starts_at", column_time(st, 6),
			 "expected_end_at", column_time(st, 7), "ended_at", column_time(st, 8), "published",
			 db_column_int64(st, 9) != 0, "created_by", column_string(st, 10), "created_at",
			 column_time(st, 11), "updated_at", column_time(st, 12), "keywords", keywords_of(st, 13));
}

/* What a customer sees of a current one. */
static json_t *public_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "kind", column_string(st, 1),
			 "title", column_string(st, 2), "body", column_string(st, 3), "area", column_string(st, 4),
			 "severity", column_string(st, 5), "starts_at", column_time(st, 6), "expected_end_at",
			 column_time(st, 7));
}

static void bind_incident(struct db_stmt *st, const struct store_incident *in)
{
	bind_text(st, 1, in->kind);
	bind_text(st, 2, in->title);
	bind_text(st, 3, in->body ? in->body : "");
	bind_text(st, 4, in->area);
	bind_text(st, 5, in->severity);
	db_bind_int64(st, 6, in->starts_at);
	if (in->expected_end_at)
		db_bind_int64(st, 7, in->expected_end_at);
	else
		db_bind_null_int64(st, 7);
	db_bind_int64(st, 8, in->published ? 1 : 0);
}

int store_incident_add(struct store *s, const struct store_scope *scope, const struct store_incident *in,
		       int64_t *ret_id)
{
	store_keywords_forget(s);
	struct db_stmt *st = store_stmt(s, "INSERT INTO incidents(kind, title, body, area, severity, starts_at,"
					 " expected_end_at, published, tenant_id, created_by, created_at, updated_at, keywords)"
					 " VALUES (?,?,?,?,?,?,?,?,?,?,?11,?11,?12) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	char *keywords = in->keywords && json_array_size(in->keywords) ? json_dumps(in->keywords, JSON_COMPACT) : NULL;
	bind_incident(st, in);
	db_bind_int64(st, 9, scope->tenant_id);
	bind_text(st, 10, scope->actor);
	db_bind_int64(st, 11, gc_now_ms());
	bind_text(st, 12, keywords);
	int rc = store_insert_id(s, st, ret_id);
	free(keywords);
	return rc;
}

int store_incident_update(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct store_incident *in)
{
	store_keywords_forget(s);
	struct db_stmt *st = store_stmt(s, "UPDATE incidents SET kind = ?, title = ?, body = ?, area = ?, severity = ?,"
					 " starts_at = ?, expected_end_at = ?, published = ?, updated_at = ?, keywords = ?"
					 " WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	char *keywords = in->keywords && json_array_size(in->keywords) ? json_dumps(in->keywords, JSON_COMPACT) : NULL;
	bind_incident(st, in);
	db_bind_int64(st, 9, gc_now_ms());
	bind_text(st, 10, keywords);
	db_bind_int64(st, 11, scope->tenant_id);
	db_bind_int64(st, 12, id);
	int rc = store_step_done(s, st);
	free(keywords);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_incident_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE tenant_id = ? AND id = ?",
			  scope->tenant_id, id, incident_row, ret);
}

int store_incident_list(struct store *s, const struct store_scope *scope, bool with_ended, json_t **ret_list)
{
	return tenant_rows(s, with_ended ? "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE tenant_id = ?"
					   " ORDER BY starts_at DESC, id DESC LIMIT 500"
					 : "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE tenant_id = ?"
					   " AND ended_at IS NULL ORDER BY starts_at DESC, id DESC LIMIT 500",
			   scope->tenant_id, incident_row, ret_list);
}

int store_incident_end(struct store *s, const struct store_scope *scope, int64_t id, int64_t at)
{
	store_keywords_forget(s);
	struct db_stmt *st = store_stmt(s, "UPDATE incidents SET ended_at = ?1, updated_at = ?1"
					 " WHERE tenant_id = ?2 AND id = ?3 AND ended_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, at);
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, id);
	int rc = store_step_done(s, st);
	if (rc != GC_OK || db_changes(s->db) > 0)
		return rc;
	json_t *row = NULL;
	rc = store_incident_get(s, scope, id, &row);
	json_decref(row);
	return rc == GC_OK ? GC_ESTATE : rc;
}

int store_incident_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	store_keywords_forget(s);
	struct db_stmt *st = store_stmt(s, "DELETE FROM incidents WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_incidents_current(struct store *s, int64_t tenant_id, int64_t now, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, kind, title, body, area, severity, starts_at, expected_end_at"
					 " FROM incidents WHERE tenant_id = ? AND published = 1 AND starts_at <= ?"
					 " AND ended_at IS NULL ORDER BY kind DESC, starts_at DESC, id DESC LIMIT 50");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, now);
	return collect_rows(s, st, public_row, NULL, ret_list);
}

static json_t *keywords_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o}", "id", column_int(st, 0), "keywords", keywords_of(st, 1));
}

void store_keywords_forget(struct store *s)
{
	for (int i = 0; i < s->n_keywords; i++)
		json_decref(s->keywords[i].list);
	s->n_keywords = 0;
}

int store_incident_keywords_current(struct store *s, int64_t tenant_id, int64_t now, json_t **ret_list)
{
	/* in a transaction (the writer's batch), a tenant's are read once: an
	 * incident that starts or ends within the batch's milliseconds counts
	 * from the next batch; one changed here is seen at once */
	bool keep = db_in_transaction(s->db);
	for (int i = 0; keep && i < s->n_keywords; i++) {
		if (s->keywords[i].tenant_id == tenant_id) {
			*ret_list = json_incref(s->keywords[i].list);
			return GC_OK;
		}
	}
	struct db_stmt *st = store_stmt(s, "SELECT id, keywords FROM incidents WHERE tenant_id = ? AND kind = 'incident'"
					 " AND published = 1 AND starts_at <= ? AND ended_at IS NULL AND keywords IS NOT NULL"
					 " ORDER BY id LIMIT 50");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, now);
	int rc = collect_rows(s, st, keywords_row, NULL, ret_list);
	if (rc == GC_OK && keep && s->n_keywords < STORE_KEYWORDS_KEPT)
		s->keywords[s->n_keywords++] = (struct keywords_read){tenant_id, json_incref(*ret_list)};
	return rc;
}

int store_portal_get(struct store *s, int64_t tenant_id, char **ret_config)
{
	struct db_stmt *st = store_stmt(s, "SELECT config FROM portals WHERE tenant_id = ?");
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

int store_portal_put(struct store *s, const struct store_scope *scope, const char *config)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO portals(tenant_id, config, updated_at) VALUES (?,?,?)"
					 " ON CONFLICT (tenant_id) DO UPDATE SET config = excluded.config,"
					 " updated_at = excluded.updated_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, config);
	db_bind_int64(st, 3, gc_now_ms());
	return store_step_done(s, st);
}
