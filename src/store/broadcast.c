/* Proactive incidents' store (schema migration 25): an incident's audience
 * and message templates, its broadcasts (the declaration, updates, the
 * resolution), one row per customer a broadcast reached, the contacts
 * linked to an incident, and its report.
 *
 * Idempotence across crashes: a broadcast walks its audience in customer
 * id order, a batch at a time (src/daemon/broadcast.c); each customer's row
 * (unique on incident, broadcast, customer), its mail in the outbox and the
 * walk's cursor commit in one transaction, so a batch is either wholly
 * there or not at all, and a customer never gets a second row. Sent or
 * failed is the outbox's state, read through the row's outbox_id.
 *
 * The audience is matched in SQL (AUDIENCE_MATCH), so the walk and the
 * linking of an incoming contact ask the same question. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Customer c is in incident i's audience. */
#define AUDIENCE_MATCH                                                                                          \
	"(i.audience_kind = 'all' OR (i.audience_kind = 'attribute' AND EXISTS (SELECT 1 FROM customer_attributes a" \
	" WHERE a.customer_id = c.id AND a.key = i.audience_key AND a.value = i.audience_value))"                  \
	" OR (i.audience_kind = 'customers' AND EXISTS (SELECT 1 FROM incident_audience m"                          \
	" WHERE m.incident_id = i.id AND m.customer_id = c.id)))"

#define ATTR(key) "(SELECT value FROM customer_attributes WHERE customer_id = c.id AND key = '" key "')"

static int exec_bound(struct store *s, const char *sql, int64_t a, int64_t b)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, a);
	db_bind_int64(st, 2, b);
	return store_step_done(s, st);
}

int store_incident_audience_set(struct store *s, const struct store_scope *scope, int64_t id,
				const struct store_audience *a, int64_t *ret_unknown)
{
	/* an audience by an attribute the caller may not see would tell them
	 * which customers have which value: refused as a search by it is */
	enum sensitivity class = SENS_BASIC;
	if (a->key && store_attr_class(s, scope->tenant_id, a->key, &class) == GC_OK && class > scope->sees) {
		store_errorf(s, "the tenant's policy classes '%s' %s, above what your role sees",
			 a->key, sensitivity_name(class));
		return GC_EFORBIDDEN;
	}
	struct db_stmt *st = store_stmt(s, "UPDATE incidents SET audience_kind = ?, audience_key = ?, audience_value = ?,"
					 " updated_at = ? WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, a->kind);
	bind_text(st, 2, a->key);
	bind_text(st, 3, a->value);
	db_bind_int64(st, 4, gc_now_ms());
	db_bind_int64(st, 5, scope->tenant_id);
	db_bind_int64(st, 6, id);
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	if (rc == GC_OK)
		rc = exec_bound(s, "DELETE FROM incident_audience WHERE incident_id = (SELECT id FROM incidents"
				   " WHERE tenant_id = ? AND id = ?)", scope->tenant_id, id);
	for (size_t i = 0; rc == GC_OK && i < a->n_customers; i++) {
		st = store_stmt(s, "INSERT INTO incident_audience(incident_id, customer_id) SELECT ?, id FROM customers"
				   " WHERE tenant_id = ? AND id = ? ON CONFLICT DO NOTHING");
		if (st == NULL)
			return GC_ESTORE;
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, scope->tenant_id);
		db_bind_int64(st, 3, a->customers[i]);
		rc = store_step_done(s, st);
		if (rc == GC_OK && db_changes(s->db) == 0) {
			/* not the tenant's, or named twice: only the first is an error */
			bool twice = false;
			for (size_t j = 0; j < i && !twice; j++)
				twice = a->customers[j] == a->customers[i];
			if (!twice) {
				*ret_unknown = a->customers[i];
				return GC_EINVAL;
			}
		}
	}
	return rc;
}

int store_incident_template_clear(struct store *s, const struct store_scope *scope, int64_t id)
{
	return exec_bound(s, "DELETE FROM incident_templates WHERE tenant_id = ? AND incident_id = ?", scope->tenant_id,
			  id);
}

int store_incident_template_set(struct store *s, const struct store_scope *scope, int64_t id, const char *kind,
				const char *lang, const char *subject, const char *body)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO incident_templates(incident_id, tenant_id, kind, lang, subject, body)"
					 " VALUES (?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, scope->tenant_id);
	bind_text(st, 3, kind);
	bind_text(st, 4, lang);
	bind_text(st, 5, subject);
	bind_text(st, 6, body);
	return store_step_done(s, st);
}

static json_t *template_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o}", "kind", column_string(st, 0), "lang", column_string(st, 1), "subject",
			 column_string(st, 2), "body", column_string(st, 3));
}

static json_t *update_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o}", "seq", column_int(st, 0), "kind",
			 column_string(st, 1), "text", column_string(st, 2), "channels", column_string(st, 3),
			 "rate_per_minute", column_int(st, 4), "done", db_column_int64(st, 5) != 0, "created_by",
			 column_string(st, 6), "created_at", column_time(st, 7), "done_at", column_time(st, 8),
			 "planned", column_int(st, 9));
}

int store_incident_setup(struct store *s, int64_t tenant_id, int64_t id, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT audience_kind, audience_key, audience_value, kind, ended_at"
					 " FROM incidents WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, id);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	json_t *o = json_pack("{s:{s:o,s:o,s:o,s:[]},s:o,s:b}", "audience", "kind", column_string(st, 0), "key",
			      column_string(st, 1), "value", column_string(st, 2), "customers", "incident_kind",
			      column_string(st, 3), "ended", !db_column_is_null(st, 4));
	db_reset(st);
	if (o == NULL)
		return GC_ENOMEM;
	json_t *list = NULL;
	st = store_stmt(s, "SELECT kind, lang, subject, body FROM incident_templates WHERE tenant_id = ?"
			   " AND incident_id = ? ORDER BY kind, lang");
	if (st == NULL) {
		json_decref(o);
		return GC_ESTORE;
	}
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, id);
	if ((rc = collect_rows(s, st, template_row, NULL, &list)) == GC_OK)
		json_object_set_new(o, "templates", list);
	st = rc == GC_OK ? store_stmt(s, "SELECT customer_id FROM incident_audience WHERE incident_id = ?"
				      " ORDER BY customer_id LIMIT 100000") : NULL;
	if (rc == GC_OK && st == NULL)
		rc = GC_ESTORE;
	if (rc == GC_OK) {
		json_t *ids = json_object_get(json_object_get(o, "audience"), "customers");
		db_bind_int64(st, 1, id);
		while ((rc = db_step(st)) == DB_ROW)
			json_array_append_new(ids, json_integer(db_column_int64(st, 0)));
		db_reset(st);
		rc = rc == DB_DONE ? GC_OK : store_fail(s, rc);
	}
	if (rc == GC_OK)
		rc = store_broadcast_list(s, tenant_id, id, &list);
	if (rc == GC_OK)
		json_object_set_new(o, "broadcasts", list);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*ret = o;
	return GC_OK;
}

int store_broadcast_list(struct store *s, int64_t tenant_id, int64_t incident_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT u.seq, u.kind, u.body, u.channels, u.rate_per_minute, u.done,"
					 " u.created_by, u.created_at, u.done_at, (SELECT count(*) FROM incident_broadcasts b"
					 " WHERE b.incident_id = u.incident_id AND b.seq = u.seq) FROM incident_updates u"
					 " WHERE u.tenant_id = ? AND u.incident_id = ? ORDER BY u.seq");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, incident_id);
	return collect_rows(s, st, update_row, NULL, ret_list);
}

int store_broadcast_add(struct store *s, const struct store_scope *scope, int64_t incident_id,
			const struct store_broadcast *in, int64_t *ret_seq)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO incident_updates(tenant_id, incident_id, seq, kind, body, channels,"
					 " rate_per_minute, created_by, created_at) SELECT ?1, ?2, COALESCE(max(seq), 0) + 1,"
					 " ?3, ?4, ?5, ?6, ?7, ?8 FROM incident_updates WHERE incident_id = ?2 RETURNING seq");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, incident_id);
	bind_text(st, 3, in->kind);
	bind_text(st, 4, in->text);
	bind_text(st, 5, in->channels);
	db_bind_int64(st, 6, in->rate_per_minute);
	bind_text(st, 7, scope->actor);
	db_bind_int64(st, 8, gc_now_ms());
	return store_insert_id(s, st, ret_seq);
}

static json_t *due_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "tenant_id",
			 column_int(st, 1), "incident_id", column_int(st, 2), "seq", column_int(st, 3), "kind",
			 column_string(st, 4), "text", column_string(st, 5), "channels", column_string(st, 6),
			 "rate_per_minute", column_int(st, 7), "cursor", column_int(st, 8), "title", column_string(st, 9),
			 "starts_at", column_int(st, 10), "expected_end_at", column_int(st, 11));
}

int store_broadcast_due(struct store *s, int limit, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT u.id, u.tenant_id, u.incident_id, u.seq, u.kind, u.body, u.channels,"
					 " u.rate_per_minute, u.cursor, i.title, i.starts_at, COALESCE(i.expected_end_at, 0)"
					 " FROM incident_updates u JOIN incidents i ON i.id = u.incident_id"
					 " WHERE u.done = 0 ORDER BY u.id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, limit);
	return collect_rows(s, st, due_row, NULL, ret_list);
}

static json_t *member_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "email", column_string(st, 1), "lang",
			 column_string(st, 2), "name", column_string(st, 3), "incident_messages", column_string(st, 4),
			 "phone", column_string(st, 5));
}

int store_broadcast_audience(struct store *s, int64_t tenant_id, int64_t incident_id, int64_t after, int limit,
			     json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT c.id, c.email, " ATTR("lang") ", " ATTR("name") ", "
					 ATTR("incident_messages") ", c.phone FROM customers c JOIN incidents i"
					 " ON i.id = ?2 AND i.tenant_id = ?1 WHERE c.tenant_id = ?1 AND c.id > ?3 AND "
					 AUDIENCE_MATCH " ORDER BY c.id LIMIT ?4");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, incident_id);
	db_bind_int64(st, 3, after);
	db_bind_int64(st, 4, limit);
	return collect_rows(s, st, member_row, NULL, ret_list);
}

int store_broadcast_record(struct store *s, int64_t tenant_id, const struct store_broadcast_row *row,
			   bool *ret_inserted)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO incident_broadcasts(incident_id, seq, customer_id, tenant_id,"
					 " channel, state, lang, created_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, row->incident_id);
	db_bind_int64(st, 2, row->seq);
	db_bind_int64(st, 3, row->customer_id);
	db_bind_int64(st, 4, tenant_id);
	bind_text(st, 5, row->channel);
	bind_text(st, 6, row->state);
	bind_text(st, 7, row->lang);
	db_bind_int64(st, 8, gc_now_ms());
	int rc = store_step_done(s, st);
	if (rc == GC_OK)
		*ret_inserted = db_changes(s->db) > 0;
	return rc;
}

/* Names on the row what was queued for it (sql: "UPDATE ... SET col = ?
 * WHERE incident_id = ? AND seq = ? AND customer_id = ?"). */
static int set_queued(struct store *s, const char *sql, const struct store_broadcast_row *row, int64_t id)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, row->incident_id);
	db_bind_int64(st, 3, row->seq);
	db_bind_int64(st, 4, row->customer_id);
	return store_step_done(s, st);
}

int store_broadcast_set_outbox(struct store *s, const struct store_broadcast_row *row, int64_t outbox_id)
{
	return set_queued(s, "UPDATE incident_broadcasts SET outbox_id = ? WHERE incident_id = ? AND seq = ?"
			  " AND customer_id = ?", row, outbox_id);
}

int store_broadcast_set_messaging(struct store *s, const struct store_broadcast_row *row, int64_t messaging_id)
{
	return set_queued(s, "UPDATE incident_broadcasts SET messaging_id = ? WHERE incident_id = ? AND seq = ?"
			  " AND customer_id = ?", row, messaging_id);
}

/* The one id column a statement's first row gives, GC_ENOTFOUND for none. */
static int one_id(struct store *s, struct db_stmt *st, int64_t *ret_id)
{
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_id = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_broadcast_message_contact(struct store *s, int64_t tenant_id, int64_t incident_id, int64_t customer_id,
				    const char *channel, int64_t *ret_contact_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT m.contact_id FROM incident_broadcasts b JOIN messaging_messages m"
					 " ON m.id = b.messaging_id WHERE b.incident_id = ? AND b.customer_id = ?"
					 " AND b.tenant_id = ? AND b.channel = ? ORDER BY b.seq LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, incident_id);
	db_bind_int64(st, 2, customer_id);
	db_bind_int64(st, 3, tenant_id);
	bind_text(st, 4, channel);
	return one_id(s, st, ret_contact_id);
}

int store_broadcast_messaging_channel(struct store *s, int64_t tenant_id, const char *kind, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT id FROM messaging_channels WHERE tenant_id = ? AND kind = ?"
					 " AND deleted = 0 ORDER BY id LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, kind);
	return one_id(s, st, ret_id);
}

int store_broadcast_social_account(struct store *s, int64_t tenant_id, int64_t customer_id, int64_t *ret_channel_id,
				   char *ret_account, size_t len)
{
	struct db_stmt *st = store_stmt(s, "SELECT m.channel_id, m.peer FROM contacts c JOIN messaging_messages m"
					 " ON m.tenant_id = c.tenant_id AND m.contact_id = c.id JOIN messaging_channels ch"
					 " ON ch.id = m.channel_id WHERE c.tenant_id = ? AND c.customer_id = ?"
					 " AND m.direction = 'inbound' AND ch.kind = 'social'"
					 " AND ch.deleted = 0 ORDER BY m.id DESC LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, customer_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_channel_id = db_column_int64(st, 0);
		const char *peer = (const char *)db_column_text(st, 1);
		snprintf(ret_account, len, "%s", peer ? peer : "");
	}
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_broadcast_advance(struct store *s, int64_t update_id, int64_t cursor, bool done)
{
	struct db_stmt *st = store_stmt(s, "UPDATE incident_updates SET cursor = ?, done = ?, done_at = ? WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, cursor);
	db_bind_int64(st, 2, done ? 1 : 0);
	if (done)
		db_bind_int64(st, 3, gc_now_ms());
	else
		db_bind_null_int64(st, 3);
	db_bind_int64(st, 4, update_id);
	return store_step_done(s, st);
}

int store_broadcast_mailbox(struct store *s, int64_t tenant_id, int64_t *ret_id, char *ret_address, size_t len)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, address FROM email_mailboxes WHERE tenant_id = ? AND deleted = 0"
					 " ORDER BY id LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_id = db_column_int64(st, 0);
		snprintf(ret_address, len, "%s", db_column_text(st, 1));
	}
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_incident_link(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t customer_id,
			int64_t now, int *ret_n)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO contact_incidents(contact_id, incident_id, tenant_id, created_at)"
					 " SELECT ?1, i.id, ?2, ?4 FROM incidents i JOIN customers c ON c.id = ?3"
					 " AND c.tenant_id = ?2 WHERE i.tenant_id = ?2 AND i.kind = 'incident'"
					 " AND i.published = 1 AND i.starts_at <= ?4 AND i.ended_at IS NULL"
					 " AND i.audience_kind IS NOT NULL AND " AUDIENCE_MATCH " ON CONFLICT DO NOTHING");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, contact_id);
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, customer_id);
	db_bind_int64(st, 4, now);
	int rc = store_step_done(s, st);
	if (rc == GC_OK)
		*ret_n = (int)db_changes(s->db);
	return rc;
}

int store_incident_link_one(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t incident_id,
			    int64_t now, int *ret_n)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO contact_incidents(contact_id, incident_id, tenant_id, created_at)"
					 " SELECT ?1, i.id, ?2, ?4 FROM incidents i WHERE i.tenant_id = ?2 AND i.id = ?3"
					 " ON CONFLICT DO NOTHING");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, contact_id);
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, incident_id);
	db_bind_int64(st, 4, now);
	int rc = store_step_done(s, st);
	if (rc == GC_OK)
		*ret_n = (int)db_changes(s->db);
	return rc;
}

/* Contacts created in [from, to), but the incidents' own SMS and social
 * notices: guichet made them, no customer did. */
static int count_contacts(struct store *s, int64_t tenant_id, int64_t from, int64_t to, int64_t *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM contacts WHERE tenant_id = ? AND created_at >= ?"
					 " AND created_at < ? AND " NOT_A_NOTICE("disposition"));
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, to);
	int rc = db_step(st);
	*ret = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

static json_t *sent_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o,s:o,s:o,s:o}", "seq", column_int(st, 0), "channel", column_string(st, 1), "state",
			 column_string(st, 2), "count", column_int(st, 3));
}

#define WEEK_MS (7LL * 86400 * 1000)

int store_incident_report(struct store *s, const struct store_scope *scope, int64_t id, int64_t now, json_t **ret)
{
	json_t *incident = NULL, *sent = NULL;
	int rc = store_incident_get(s, scope, id, &incident);
	if (rc < 0)
		return rc;
	int64_t from = 0, to = now;
	gc_time_parse(json_string_value(json_object_get(incident, "starts_at")), &from);
	const char *ended = json_string_value(json_object_get(incident, "ended_at"));
	if (ended)
		gc_time_parse(ended, &to);
	int64_t linked = 0, during = 0, weeks = 0, n;
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM contact_incidents i JOIN contacts c ON c.id = i.contact_id"
					 " WHERE i.tenant_id = ? AND i.incident_id = ? AND " NOT_A_NOTICE("c.disposition"));
	if (st == NULL)
		rc = GC_ESTORE;
	if (rc == GC_OK) {
		db_bind_int64(st, 1, scope->tenant_id);
		db_bind_int64(st, 2, id);
		int step = db_step(st);
		linked = step == DB_ROW ? db_column_int64(st, 0) : 0;
		db_reset(st);
		rc = step == DB_ROW ? GC_OK : store_fail(s, step);
	}
	if (rc == GC_OK)
		rc = count_contacts(s, scope->tenant_id, from, to, &during);
	/* expected without it: the same interval on the same weekday of the 4 weeks before, averaged */
	for (int k = 1; rc == GC_OK && k <= 4; k++)
		if ((rc = count_contacts(s, scope->tenant_id, from - k * WEEK_MS, to - k * WEEK_MS, &n)) == GC_OK)
			weeks += n;
	st = rc == GC_OK ? store_stmt(s, "SELECT b.seq, b.channel, CASE WHEN b.state = 'queued' THEN"
				      " COALESCE(o.state, m.state, 'queued') ELSE b.state END st, count(*) FROM incident_broadcasts b"
				      " LEFT JOIN email_outbox o ON o.id = b.outbox_id LEFT JOIN messaging_messages m"
				      " ON m.id = b.messaging_id WHERE b.tenant_id = ? AND b.incident_id = ?"
				      " GROUP BY b.seq, b.channel, st ORDER BY b.seq, b.channel, st") : NULL;
	if (rc == GC_OK && st == NULL)
		rc = GC_ESTORE;
	if (rc == GC_OK) {
		db_bind_int64(st, 1, scope->tenant_id);
		db_bind_int64(st, 2, id);
		rc = collect_rows(s, st, sent_row, NULL, &sent);
	}
	if (rc < 0) {
		json_decref(incident);
		return rc;
	}
	double expected = (double)weeks / 4.0;
	*ret = json_pack("{s:I,s:o,s:o,s:I,s:I,s:f,s:f,s:o}", "incident_id", (json_int_t)id, "from",
			 json_object_get(incident, "starts_at") ? json_incref(json_object_get(incident, "starts_at"))
								: json_null(),
			 "to", ended ? json_string(ended) : json_null(), "contacts_linked", (json_int_t)linked,
			 "contacts_during", (json_int_t)during, "contacts_expected", expected, "difference",
			 (double)during - expected, "broadcasts", sent);
	json_decref(incident);
	return *ret ? GC_OK : GC_ENOMEM;
}
