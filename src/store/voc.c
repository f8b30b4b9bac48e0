/* The voice of the customer's data (schema migration 28, planned as 32):
 * each tenant's topics counted per ISO week and contact tag, folded from
 * the new contacts only (past voc_cursor, in the transaction that moves
 * it); the week's top and the previous weeks' counts read back by topic;
 * the contacts of a week whose knowledge item failed; the weekly digest's
 * schedule and the mailings sent (one row per tenant, kind and period). */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_voc_tenants(struct store *s, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT id FROM tenants ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	json_t *list = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(list, json_integer(db_column_int64(st, 0)));
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return store_fail(s, rc);
	}
	*ret_list = list;
	return GC_OK;
}

static int cursor_of(struct store *s, int64_t tenant_id, int64_t *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT contact_id FROM voc_cursor WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	*ret = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

static json_t *pending_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:o}", "id", column_int(st, 0), "created_at", column_int(st, 1),
			 "subject", column_string(st, 2), "tags", column_string(st, 3), "body", column_string(st, 4),
			 "notice", db_column_int(st, 5) == 0, "channel", column_string(st, 6));
}

int store_voc_pending(struct store *s, int64_t tenant_id, int64_t before_ms, int limit, json_t **ret_rows,
		      int64_t *ret_cursor)
{
	int64_t cursor = 0;
	int rc = cursor_of(s, tenant_id, &cursor);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(s, "SELECT c.id, c.created_at, c.subject, c.tags,"
					 " (SELECT m.body FROM messages m WHERE m.contact_id = c.id AND m.kind = 'inbound'"
					 "  ORDER BY m.id LIMIT 1), " NOT_A_NOTICE("c.disposition") ", c.channel"
					 " FROM contacts c WHERE c.tenant_id = ? AND c.id > ? AND c.created_at < ?"
					 " ORDER BY c.id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, cursor);
	db_bind_int64(st, 3, before_ms);
	db_bind_int64(st, 4, limit);
	if ((rc = collect_rows(s, st, pending_row, NULL, ret_rows)) == GC_OK)
		*ret_cursor = cursor;
	return rc;
}

static int add_count(struct store *s, int64_t tenant_id, const json_t *row)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO voc_counts(tenant_id, week, tag, topic, label, n)"
					 " VALUES (?,?,?,?,?,?) ON CONFLICT (tenant_id, week, tag, topic)"
					 " DO UPDATE SET n = voc_counts.n + excluded.n");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, json_string_value(json_object_get(row, "week")));
	bind_text(st, 3, json_string_value(json_object_get(row, "tag")));
	bind_text(st, 4, json_string_value(json_object_get(row, "topic")));
	bind_text(st, 5, json_string_value(json_object_get(row, "label")));
	db_bind_int64(st, 6, json_integer_value(json_object_get(row, "n")));
	return store_step_done(s, st);
}

static int add_week(struct store *s, int64_t tenant_id, const char *week, int64_t n)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO voc_weeks(tenant_id, week, contacts) VALUES (?,?,?)"
					 " ON CONFLICT (tenant_id, week) DO UPDATE SET contacts = voc_weeks.contacts + excluded.contacts");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, week);
	db_bind_int64(st, 3, n);
	return store_step_done(s, st);
}

int store_voc_fold(struct store *s, int64_t tenant_id, int64_t from_cursor, int64_t to_cursor, const json_t *counts,
		   const json_t *weeks, bool *ret_folded)
{
	int64_t cursor = 0;
	int rc = cursor_of(s, tenant_id, &cursor);
	if (rc < 0)
		return rc;
	if (cursor != from_cursor) { /* folded already (an earlier round, another node) */
		*ret_folded = false;
		return GC_OK;
	}
	size_t i;
	json_t *row;
	json_array_foreach(counts, i, row)
		if ((rc = add_count(s, tenant_id, row)) < 0)
			return rc;
	const char *week;
	json_t *n;
	json_object_foreach((json_t *)weeks, week, n)
		if ((rc = add_week(s, tenant_id, week, json_integer_value(n))) < 0)
			return rc;
	struct db_stmt *st = store_stmt(s, "INSERT INTO voc_cursor(tenant_id, contact_id) VALUES (?,?)"
					 " ON CONFLICT (tenant_id) DO UPDATE SET contact_id = excluded.contact_id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, to_cursor);
	if ((rc = store_step_done(s, st)) == GC_OK)
		*ret_folded = true;
	return rc;
}

static json_t *count_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o}", "topic", column_string(st, 0), "label", column_string(st, 1), "n",
			 column_int(st, 2));
}

int store_voc_week_top(struct store *s, const struct store_scope *scope, const char *week, const char *tag,
		       int limit, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT topic, label, n FROM voc_counts WHERE tenant_id = ? AND week = ?"
					 " AND tag = ? ORDER BY n DESC, topic LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, week);
	bind_text(st, 3, tag);
	db_bind_int64(st, 4, limit);
	return collect_rows(s, st, count_row, NULL, ret_list);
}

int store_voc_topic_count(struct store *s, const struct store_scope *scope, const char *week, const char *tag,
			  const char *topic, int64_t *ret_n)
{
	struct db_stmt *st = store_stmt(s, "SELECT n FROM voc_counts WHERE tenant_id = ? AND week = ? AND tag = ?"
					 " AND topic = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, week);
	bind_text(st, 3, tag);
	bind_text(st, 4, topic);
	int rc = db_step(st);
	*ret_n = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

int store_voc_week_tags(struct store *s, const struct store_scope *scope, const char *week, int limit,
			json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT tag, max(n) FROM voc_counts WHERE tenant_id = ? AND week = ?"
					 " AND tag <> '' GROUP BY tag ORDER BY tag LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, week);
	db_bind_int64(st, 3, limit);
	json_t *list = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(list, column_string(st, 0));
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(list);
		return store_fail(s, rc);
	}
	*ret_list = list;
	return GC_OK;
}

int store_voc_week_contacts(struct store *s, const struct store_scope *scope, const char *week, int64_t *ret_n)
{
	struct db_stmt *st = store_stmt(s, "SELECT contacts FROM voc_weeks WHERE tenant_id = ? AND week = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, week);
	int rc = db_step(st);
	*ret_n = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

static json_t *failing_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "tags", column_string(st, 0), "item_id", column_int(st, 1), "title",
			 column_string(st, 2), "kind", column_string(st, 3), "resolved", column_int(st, 4));
}

int store_voc_knowledge_outcomes(struct store *s, const struct store_scope *scope, int64_t from_ms, int64_t to_ms,
				 json_t **ret_rows)
{
	/* the week's contacts (contacts_created) and their ended sessions
	 * (kb_sessions_contact): the article they ended on, else the tree */
	struct db_stmt *st = store_stmt(s, "SELECT c.tags, i.id, i.title, i.kind, ks.resolved FROM contacts c"
					 " JOIN kb_sessions ks ON ks.tenant_id = c.tenant_id AND ks.contact_id = c.id"
					 " JOIN kb_items i ON i.id = COALESCE(ks.article_id, ks.tree_id)"
					 " WHERE c.tenant_id = ? AND c.created_at >= ? AND c.created_at < ?"
					 " AND ks.state = 'ended' AND ks.resolved IS NOT NULL LIMIT 100000");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, from_ms);
	db_bind_int64(st, 3, to_ms);
	return collect_rows(s, st, failing_row, NULL, ret_rows);
}

/* --- the digest's schedule --- */

#define SCHEDULE_COLUMNS "tenant_id, at_minute, to_addresses, lang, mailbox_id, barometer, created_at, updated_at"

static json_t *schedule_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	int64_t m = db_column_int64(st, 1);
	m = m < 0 ? 0 : m % (24 * 60);
	char at[16];
	snprintf(at, sizeof(at), "%02d:%02d", (int)(m / 60 % 24), (int)(m % 60));
	json_t *to = json_array();
	const char *list = (const char *)db_column_text(st, 2);
	for (const char *p = list ? list : ""; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len)
			json_array_append_new(to, json_stringn(p, len));
		p += len + (end != NULL);
	}
	return json_pack("{s:o,s:s,s:o,s:o,s:o,s:b,s:o,s:o}", "tenant_id", column_int(st, 0), "time", at, "to", to,
			 "lang", column_string(st, 3), "mailbox_id", column_int(st, 4), "barometer",
			 db_column_int64(st, 5) != 0, "created_at", column_time(st, 6), "updated_at", column_time(st, 7));
}

int store_voc_schedule_put(struct store *s, const struct store_scope *scope, const struct store_voc_schedule *in)
{
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM email_mailboxes WHERE tenant_id = ? AND id = ? AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->mailbox_id);
	int rc = db_step(st);
	int64_t n = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	if (rc != DB_ROW)
		return store_fail(s, rc);
	if (n == 0) {
		store_errorf(s, "no mailbox %lld in this tenant", (long long)in->mailbox_id);
		return GC_ENOTFOUND;
	}
	st = store_stmt(s, "INSERT INTO voc_schedules(tenant_id, at_minute, to_addresses, lang, mailbox_id, barometer,"
			   " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (tenant_id)"
			   " DO UPDATE SET at_minute = excluded.at_minute, to_addresses = excluded.to_addresses,"
			   " lang = excluded.lang, mailbox_id = excluded.mailbox_id, barometer = excluded.barometer,"
			   " updated_at = excluded.updated_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->at_minute);
	bind_text(st, 3, in->to_addresses);
	bind_text(st, 4, in->lang);
	db_bind_int64(st, 5, in->mailbox_id);
	db_bind_int64(st, 6, in->barometer);
	db_bind_int64(st, 7, gc_now_ms());
	return store_step_done(s, st);
}

int store_voc_schedule_get(struct store *s, const struct store_scope *scope, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " SCHEDULE_COLUMNS " FROM voc_schedules WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return one_row(s, st, schedule_row, NULL, ret);
}

int store_voc_schedule_delete(struct store *s, const struct store_scope *scope)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM voc_schedules WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_voc_schedule_all(struct store *s, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " SCHEDULE_COLUMNS " FROM voc_schedules ORDER BY tenant_id");
	if (st == NULL)
		return GC_ESTORE;
	return collect_rows(s, st, schedule_row, NULL, ret_list);
}

/* --- the mailings sent --- */

int store_voc_mailing_sent(struct store *s, const struct store_scope *scope, const char *kind, const char *period,
			   bool *ret_sent)
{
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM voc_mailings WHERE tenant_id = ? AND kind = ?"
					 " AND period = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, kind);
	bind_text(st, 3, period);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_sent = db_column_int64(st, 0) > 0;
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_voc_mailing_record(struct store *s, const struct store_scope *scope, const char *kind, const char *period,
			     int64_t outbox_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO voc_mailings(tenant_id, kind, period, outbox_id, at)"
					 " VALUES (?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, kind);
	bind_text(st, 3, period);
	bind_id(st, 4, outbox_id);
	db_bind_int64(st, 5, gc_now_ms());
	return store_step_done(s, st);
}

static json_t *mailing_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "kind", column_string(st, 0), "period", column_string(st, 1),
			 "outbox_id", column_int(st, 2), "at", column_time(st, 3), "state", column_string(st, 4));
}

int store_voc_mailings(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT m.kind, m.period, m.outbox_id, m.at, o.state FROM voc_mailings m"
					 " LEFT JOIN email_outbox o ON o.id = m.outbox_id AND o.tenant_id = m.tenant_id"
					 " WHERE m.tenant_id = ? ORDER BY m.at DESC LIMIT 52");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return collect_rows(s, st, mailing_row, NULL, ret_list);
}
