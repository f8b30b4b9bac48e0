/* Routing in the store: skills, queues, agents' profiles and presence, the
 * routing state of each contact in a queue, and the routing events.
 *
 * The routing engine lives in memory (src/route, driven by
 * src/daemon/router.c); this is what it is rebuilt from after a restart. A
 * queue's and an agent's configuration are kept as the canonical JSON of
 * their decoders (guichet/decode.h), so what is stored is what was checked. */
#include "store/store_internal.h"
#include "store/dialect.h"
#include "guichet/array.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- skills --- */

static json_t *skill_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o}", "id", column_int(st, 0), "name", column_string(st, 1),
			 "created_at", column_time(st, 2));
}

int store_skill_create(struct store *s, const struct store_scope *scope, const char *name, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO skills(tenant_id, name, created_at) VALUES (?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, name);
	db_bind_int64(st, 3, gc_now_ms());
	int64_t id;
	int rc = store_insert_id(s, st, &id);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a skill named '%.100s' exists", name);
	if (rc < 0)
		return rc;
	return scoped_get(s, "SELECT id, name, created_at FROM skills WHERE tenant_id = ? AND id = ?",
			  scope->tenant_id, id, skill_row, ret);
}

int store_skill_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT id, name, created_at FROM skills WHERE tenant_id = ? ORDER BY id",
			   scope->tenant_id, skill_row, ret_list);
}

int store_skill_exists(struct store *s, const struct store_scope *scope, int64_t id)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT 1 FROM skills WHERE tenant_id = ? AND id = ?",
				      scope->tenant_id, id, &rc);
	if (st)
		db_reset(st);
	return rc;
}

int store_skill_rename(struct store *s, const struct store_scope *scope, int64_t id, const char *name)
{
	int rc = store_skill_exists(s, scope, id);
	struct db_stmt *st = rc < 0 ? NULL : store_stmt(s, "UPDATE skills SET name = ? WHERE tenant_id = ? AND id = ?");
	if (rc < 0 || st == NULL)
		return rc < 0 ? rc : GC_ESTORE;
	bind_text(st, 1, name);
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, id);
	rc = store_step_done(s, st);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a skill named '%.100s' exists", name);
	return rc;
}

int store_skill_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	int rc = store_skill_exists(s, scope, id);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(s, dialect_sql(s->db, DIALECT_SKILL_USERS));
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	if ((rc = db_step(st)) != DB_ROW) {
		db_reset(st);
		return store_fail(s, rc);
	}
	int queues = db_column_int(st, 0), agents = db_column_int(st, 1);
	db_reset(st);
	if (queues || agents) {
		store_errorf(s, "the skill is used by %d queue(s) and %d agent(s)",
			 queues, agents);
		return GC_ECONFLICT;
	}
	st = store_stmt(s, "DELETE FROM skills WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	return store_step_done(s, st);
}

/* --- queues --- */

/* {"id", "name", config..., "created_at", "updated_at"} (plus "tenant_id" with arg). */
static json_t *queue_row(struct db_stmt *st, void *arg)
{
	json_t *q = json_loads(db_column_text(st, 2), 0, NULL);
	if (q == NULL)
		return NULL;
	json_object_set_new(q, "id", column_int(st, 0));
	json_object_set_new(q, "name", column_string(st, 1));
	json_object_set_new(q, "created_at", column_time(st, 3));
	json_object_set_new(q, "updated_at", column_time(st, 4));
	if (arg)
		json_object_set_new(q, "tenant_id", column_int(st, 5));
	return q;
}

#define QUEUE_COLUMNS "id, name, config, created_at, updated_at, tenant_id FROM queues"

int store_queue_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " QUEUE_COLUMNS " WHERE tenant_id = ? AND id = ? AND deleted = 0",
			  scope->tenant_id, id, queue_row, ret);
}

int store_queue_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT " QUEUE_COLUMNS " WHERE tenant_id = ? AND deleted = 0 ORDER BY id",
			   scope->tenant_id, queue_row, ret_list);
}

int store_queue_all(struct store *s, int64_t tenant_id, json_t **ret_list)
{
	static int with_tenant = 1;
	struct db_stmt *st = store_stmt(s, "SELECT " QUEUE_COLUMNS " WHERE deleted = 0 AND (?1 = 0 OR tenant_id = ?1)"
				      " ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	return collect_rows(s, st, queue_row, &with_tenant, ret_list);
}

static int queue_name_taken(struct store *s, int rc, const char *name)
{
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a queue named '%.100s' exists", name);
	return rc;
}

int store_queue_create(struct store *s, const struct store_scope *scope, const char *name,
		       const json_t *config, int64_t *ret_id)
{
	char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	struct db_stmt *st = store_stmt(s, "INSERT INTO queues(tenant_id, name, config, created_at, updated_at)"
				      " VALUES (?,?,?,?,?4) RETURNING id");
	int rc = text == NULL ? GC_ENOMEM : st == NULL ? GC_ESTORE : GC_OK;
	if (rc == GC_OK) {
		db_bind_int64(st, 1, scope->tenant_id);
		bind_text(st, 2, name);
		bind_text(st, 3, text);
		db_bind_int64(st, 4, gc_now_ms());
		rc = queue_name_taken(s, store_insert_id(s, st, ret_id), name);
	}
	free(text);
	return rc;
}

int store_queue_update(struct store *s, const struct store_scope *scope, int64_t id, const char *name,
		       const json_t *config)
{
	char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	struct db_stmt *st = store_stmt(s, "UPDATE queues SET name = ?, config = ?, updated_at = ?"
				      " WHERE tenant_id = ? AND id = ? AND deleted = 0");
	int rc = text == NULL ? GC_ENOMEM : st == NULL ? GC_ESTORE : GC_OK;
	if (rc == GC_OK) {
		bind_text(st, 1, name);
		bind_text(st, 2, text);
		db_bind_int64(st, 3, gc_now_ms());
		db_bind_int64(st, 4, scope->tenant_id);
		db_bind_int64(st, 5, id);
		rc = queue_name_taken(s, store_step_done(s, st), name);
		if (rc == GC_OK && db_changes(s->db) == 0)
			rc = GC_ENOTFOUND;
	}
	free(text);
	return rc;
}

int store_queue_users(struct store *s, const struct store_scope *scope, int64_t id, bool overflow, char *ret,
		      size_t len)
{
	*ret = '\0';
	struct db_stmt *st = store_stmt(s, dialect_sql(s->db, DIALECT_QUEUE_CONFIG_USERS));
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	int rc = db_step(st);
	if (rc == DB_ROW && overflow && db_column_int(st, 0) > 0)
		snprintf(ret, len, "%d other queue(s) overflow to this one", db_column_int(st, 0));
	else if (rc == DB_ROW && db_column_int(st, 1) > 0)
		snprintf(ret, len, "the self-service portal sends its contacts to this queue");
	db_reset(st);
	if (rc != DB_ROW)
		return store_fail(s, rc);
	if (*ret)
		return GC_OK;
	st = store_stmt(s, "SELECT kind, name FROM ("
			" SELECT 'the mailbox' AS kind, name FROM email_mailboxes WHERE tenant_id = ?1 AND queue_id = ?2"
			"  AND deleted = 0"
			" UNION ALL SELECT 'the messaging channel', name FROM messaging_channels WHERE tenant_id = ?1"
			"  AND queue_id = ?2 AND deleted = 0"
			" UNION ALL SELECT 'the web chat channel', name FROM chat_channels WHERE tenant_id = ?1"
			"  AND queue_id = ?2 AND deleted = 0"
			" UNION ALL SELECT 'the phone number', number FROM voice_numbers WHERE tenant_id = ?1"
			"  AND queue_id = ?2 AND deleted = 0"
			" UNION ALL SELECT 'the callback settings', '' FROM callback_settings WHERE tenant_id = ?1"
			"  AND queue_id = ?2"
			" UNION ALL SELECT 'a scheduled callback to', phone FROM callbacks WHERE tenant_id = ?1"
			"  AND queue_id = ?2 AND state = 'scheduled'"
			" UNION ALL SELECT 'a contact taken from it, number', CAST(contact_id AS TEXT) FROM routing"
			"  WHERE tenant_id = ?1 AND queue_id = ?2 AND state = 'assigned') u LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	if ((rc = db_step(st)) == DB_ROW) {
		const char *name = db_column_text(st, 1);
		snprintf(ret, len, "%s%s%.80s%s still uses this queue: point it elsewhere, or finish it, first",
			 db_column_text(st, 0), *name ? " '" : "", name, *name ? "'" : "");
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

int store_queue_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	int rc = store_queue_users(s, scope, id, true, s->errmsg, sizeof(s->errmsg));
	if (rc < 0)
		return rc;
	if (*s->errmsg)
		return GC_ECONFLICT;
	struct db_stmt *st = store_stmt(s, "UPDATE queues SET deleted = 1, updated_at = ? WHERE tenant_id = ? AND id = ? AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, gc_now_ms());
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, id);
	rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

/* --- agents --- */

static json_t *agent_row(struct db_stmt *st, void *arg)
{
	json_t *a = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "user_id", column_int(st, 0),
		"tenant_id", column_int(st, 1), "name", column_string(st, 3), "email", column_string(st, 4),
		"role", column_string(st, 5), "presence", column_string(st, 6), "reason", column_string(st, 7),
		"presence_at", column_time(st, 8));
	json_t *profile = json_loads(db_column_text(st, 2), 0, NULL);
	if (a == NULL || profile == NULL) {
		json_decref(a);
		json_decref(profile);
		return NULL;
	}
	json_object_update(a, profile);
	json_decref(profile);
	return a;
}

#define AGENT_COLUMNS "a.user_id, a.tenant_id, a.profile, u.name, u.email, m.role, a.presence, a.reason," \
	" a.presence_at FROM agents a JOIN users u ON u.id = a.user_id" \
	" JOIN memberships m ON m.tenant_id = a.tenant_id AND m.user_id = a.user_id"

int store_agent_get(struct store *s, const struct store_scope *scope, int64_t user_id, json_t **ret)
{
	return scoped_get(s, "SELECT " AGENT_COLUMNS " WHERE a.tenant_id = ? AND a.user_id = ?",
			  scope->tenant_id, user_id, agent_row, ret);
}

int store_agent_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	/* those who may work: a disabled user is no longer one of the agents */
	return tenant_rows(s, "SELECT " AGENT_COLUMNS " WHERE a.tenant_id = ? AND m.disabled = 0 ORDER BY a.user_id",
			   scope->tenant_id, agent_row, ret_list);
}

int store_agent_all(struct store *s, int64_t tenant_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " AGENT_COLUMNS " WHERE m.disabled = 0 AND (?1 = 0 OR a.tenant_id = ?1)"
				      " ORDER BY a.tenant_id, a.user_id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	return collect_rows(s, st, agent_row, NULL, ret_list);
}

int store_agent_outsourced(struct store *s, int64_t tenant_id, int64_t user_id, struct store_agent_org **ret,
			   size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	struct db_stmt *st = store_stmt(s, "SELECT a.tenant_id, a.user_id, u.organisation_id FROM agents a"
					   " JOIN users u ON u.id = a.user_id JOIN tenants t ON t.id = a.tenant_id"
					   " WHERE (?1 = 0 OR a.tenant_id = ?1) AND (?2 = 0 OR a.user_id = ?2)"
					   " AND u.organisation_id <> t.organisation_id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, user_id);
	struct store_agent_org *list = NULL;
	uint32_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (gc_grow((void **)&list, &cap, sizeof(*list), n + 1) < 0) {
			rc = GC_ENOMEM;
			break;
		}
		list[n++] = (struct store_agent_org){db_column_int64(st, 0), db_column_int64(st, 1), db_column_int64(st, 2)};
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(list);
		return rc == GC_ENOMEM ? rc : store_fail(s, rc);
	}
	*ret = list;
	*ret_n = n;
	return GC_OK;
}

int store_agent_set_profile(struct store *s, const struct store_scope *scope, int64_t user_id,
			    const json_t *profile)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT 1 FROM memberships WHERE tenant_id = ? AND user_id = ?",
				      scope->tenant_id, user_id, &rc);
	if (st == NULL)
		return rc;
	db_reset(st);
	char *text = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	st = store_stmt(s, "INSERT INTO agents(tenant_id, user_id, profile, updated_at) VALUES (?,?,?,?)"
			" ON CONFLICT (tenant_id, user_id) DO UPDATE SET profile = excluded.profile,"
			" updated_at = excluded.updated_at");
	rc = text == NULL ? GC_ENOMEM : st == NULL ? GC_ESTORE : GC_OK;
	if (rc == GC_OK) {
		db_bind_int64(st, 1, scope->tenant_id);
		db_bind_int64(st, 2, user_id);
		bind_text(st, 3, text);
		db_bind_int64(st, 4, gc_now_ms());
		rc = store_step_done(s, st);
	}
	free(text);
	return rc;
}

int store_agent_at_work_elsewhere(struct store *s, int64_t user_id, int64_t tenant_id, char *ret_tenant, size_t len,
				  char *ret_presence, size_t presence_len)
{
	/* agents' key starts with the tenant: this reads every profile, a few per position */
	struct db_stmt *st = store_stmt(s, "SELECT t.name, a.presence FROM agents a JOIN tenants t ON t.id = a.tenant_id"
				      " WHERE a.user_id = ? AND a.tenant_id <> ? AND a.presence <> 'offline' LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(ret_tenant, len, "%s", db_column_text(st, 0));
		snprintf(ret_presence, presence_len, "%s", db_column_text(st, 1));
	}
	db_reset(st);
	return rc == DB_ROW ? GC_ECONFLICT : rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

int store_agent_set_presence(struct store *s, int64_t tenant_id, int64_t user_id, const char *presence,
			     const char *reason, int64_t at)
{
	struct db_stmt *st = store_stmt(s, "UPDATE agents SET presence = ?, reason = ?, presence_at = ?"
				      " WHERE tenant_id = ? AND user_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, presence);
	bind_text(st, 2, reason);
	db_bind_int64(st, 3, at);
	db_bind_int64(st, 4, tenant_id);
	db_bind_int64(st, 5, user_id);
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

/* --- contacts in queues --- */

int store_routing_put(struct store *s, const struct store_routing_row *r)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO routing(contact_id, tenant_id, queue_id,"
		" priority, state, agent_id, named, arrived_at, enqueued_at) VALUES (?,?,?,?,?,?,?,?,?)"
		" ON CONFLICT (contact_id) DO UPDATE SET tenant_id = excluded.tenant_id,"
		" queue_id = excluded.queue_id, priority = excluded.priority, state = excluded.state,"
		" agent_id = excluded.agent_id, named = excluded.named, arrived_at = excluded.arrived_at,"
		" enqueued_at = excluded.enqueued_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, r->contact_id);
	db_bind_int64(st, 2, r->tenant_id);
	db_bind_int64(st, 3, r->queue_id);
	db_bind_int64(st, 4, r->priority);
	bind_text(st, 5, r->state);
	bind_id(st, 6, r->agent_id);
	db_bind_int64(st, 7, r->named);
	db_bind_int64(st, 8, r->arrived);
	db_bind_int64(st, 9, r->enqueued);
	return store_step_done(s, st);
}

int store_routing_delete(struct store *s, int64_t contact_id)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM routing WHERE contact_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, contact_id);
	return store_step_done(s, st);
}

static json_t *routing_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:I,s:I}", "contact_id", column_int(st, 0),
		"tenant_id", column_int(st, 1), "queue_id", column_int(st, 2), "priority", column_int(st, 3),
		"state", column_string(st, 4), "agent_id", column_int(st, 5), "named", db_column_int(st, 6),
		"arrived_at", (json_int_t)db_column_int64(st, 7),
		"enqueued_at", (json_int_t)db_column_int64(st, 8));
}

#define ROUTING_COLUMNS "contact_id, tenant_id, queue_id, priority, state, agent_id, named, arrived_at," \
	" enqueued_at FROM routing"

int store_routing_get(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret)
{
	return scoped_get(s, "SELECT " ROUTING_COLUMNS " WHERE tenant_id = ? AND contact_id = ?",
			  scope->tenant_id, contact_id, routing_row, ret);
}

int store_routing_all(struct store *s, int64_t tenant_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " ROUTING_COLUMNS " WHERE (?1 = 0 OR tenant_id = ?1)"
				      " ORDER BY enqueued_at, contact_id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	return collect_rows(s, st, routing_row, NULL, ret_list);
}

int store_routing_event(struct store *s, int64_t tenant_id, int64_t at, const char *type, int64_t contact_id,
			int64_t agent_id, int64_t queue_id, const char *data, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO routing_events(tenant_id, at, type, contact_id, agent_id,"
				      " queue_id, data) VALUES (?,?,?,?,?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, at);
	bind_text(st, 3, type);
	bind_id(st, 4, contact_id);
	bind_id(st, 5, agent_id);
	bind_id(st, 6, queue_id);
	bind_text(st, 7, data ? data : "{}");
	return store_insert_id(s, st, ret_id);
}

int store_routing_events_after(struct store *s, int64_t tenant_id, int64_t after_id, int limit,
			       store_event_fn fn, void *arg)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, at, type, contact_id, agent_id, queue_id, data"
				      " FROM routing_events WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, after_id);
	db_bind_int64(st, 3, limit);
	int rc, n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_event ev = {db_column_int64(st, 0), tenant_id, db_column_int64(st, 1),
			db_column_text(st, 2), db_column_int64(st, 3),
			db_column_int64(st, 4), db_column_int64(st, 5), db_column_text(st, 6)};
		fn(&ev, arg);
		n++;
	}
	db_reset(st);
	return rc == DB_DONE ? n : store_fail(s, rc);
}

int store_routing_events_last(struct store *s, int64_t tenant_id, int64_t *ret_id)
{
	return tenant_int(s, "SELECT coalesce(max(id), 0) FROM routing_events WHERE tenant_id = ?", tenant_id, ret_id);
}

int store_routing_events_since(struct store *s, int64_t since_ms, store_event_fn fn, void *arg)
{
	/* the index on time (migration 8) reads the day's rows alone */
	struct db_stmt *st = store_stmt(s, "SELECT id, tenant_id, at, type, contact_id, agent_id, queue_id, data"
				      " FROM routing_events WHERE at >= ? ORDER BY at DESC");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, since_ms);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_event ev = {db_column_int64(st, 0), db_column_int64(st, 1),
			db_column_int64(st, 2), db_column_text(st, 3),
			db_column_int64(st, 4), db_column_int64(st, 5), db_column_int64(st, 6),
			db_column_text(st, 7)};
		fn(&ev, arg);
	}
	db_reset(st);
	return rc == DB_DONE || rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_customer_last_agent(struct store *s, int64_t tenant_id, int64_t customer_id, int64_t *ret_agent)
{
	struct db_stmt *st = store_stmt(s, "SELECT e.agent_id FROM contacts c JOIN routing_events e"
		" ON e.contact_id = c.id AND e.type = 'accepted'"
		" WHERE c.tenant_id = ? AND c.customer_id = ? ORDER BY e.id DESC LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, customer_id);
	int rc = db_step(st);
	*ret_agent = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

int store_contact_set_queue(struct store *s, int64_t tenant_id, int64_t contact_id, const char *queue)
{
	struct db_stmt *st = store_stmt(s, "UPDATE contacts SET queue = ?, updated_at = ? WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, queue);
	db_bind_int64(st, 2, gc_now_ms());
	db_bind_int64(st, 3, tenant_id);
	db_bind_int64(st, 4, contact_id);
	return store_step_done(s, st);
}

int store_contact_brief(struct store *s, const struct store_scope *scope, int64_t contact_id,
			enum contact_channel *ret_channel, int64_t *ret_customer_id)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT channel, customer_id FROM contacts WHERE tenant_id = ? AND id = ?",
				      scope->tenant_id, contact_id, &rc);
	if (st == NULL)
		return rc;
	rc = contact_channel_parse(db_column_text(st, 0), ret_channel);
	*ret_customer_id = db_column_int64(st, 1);
	db_reset(st);
	return rc;
}

int store_contact_exists(struct store *s, const struct store_scope *scope, int64_t contact_id)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT 1 FROM contacts WHERE tenant_id = ? AND id = ?",
				      scope->tenant_id, contact_id, &rc);
	if (st)
		db_reset(st);
	return rc;
}
