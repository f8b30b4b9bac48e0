/* Organisations, tenants, users and memberships (DESIGN.md "Tenants,
 * organisations and outsourcers").
 *
 * A user belongs to one organisation (a brand or an outsourcer) and holds a
 * role in each tenant they work for, through a membership. Everything a
 * tenant admin can touch is reached through a membership in the scope's
 * tenant: a user without one does not exist for that tenant. Who may act
 * on whom is decided by the table of guichet/authz.h: each call below loads
 * the target's facts in one query (store_access_load) and asks it before
 * it reads or writes. */
#include "store/access.h"
#include "guichet/array.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

static int find_id(struct store *s, const char *sql, const char *name, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, name);
	int rc = GC_ENOTFOUND;
	if (db_step(st) == DB_ROW) {
		*ret_id = db_column_int64(st, 0);
		rc = GC_OK;
	}
	db_reset(st);
	return rc;
}

struct authz_actor store_access_actor(const struct store_scope *scope)
{
	return (struct authz_actor){.user_id = scope->user_id, .tenant_id = scope->tenant_id,
				    .has_role = scope->has_role && scope->tenant_id != 0, .role = scope->role,
				    .platform_admin = scope->platform_admin};
}

/* One row of store_access_load's query into t (and the actor's organisation into a). */
static void access_row(struct db_stmt *st, struct authz_actor *a, struct authz_target *t)
{
	a->organisation_id = db_column_int64(st, 0);
	a->tenant_organisation_id = db_column_int64(st, 8);
	if (db_column_is_null(st, 1))
		return; /* no such user */
	t->exists = true;
	t->platform_admin = db_column_int(st, 1) == 1;
	t->organisation_id = db_column_int64(st, 2);
	if (db_column_is_null(st, 3))
		return; /* no membership at all */
	if (t->n_memberships == AUTHZ_MAX_MEMBERSHIPS) {
		t->more_memberships = true;
		return;
	}
	struct authz_membership *m = &t->memberships[t->n_memberships++];
	m->tenant_id = db_column_int64(st, 3);
	/* a role this build does not know is treated as the most guarded one */
	if (role_parse(db_column_text(st, 4), &m->role) < 0)
		m->role = ROLE_TENANT_ADMIN;
	m->disabled = db_column_int(st, 5) == 1;
	m->actor_has_role = !db_column_is_null(st, 6) && db_column_int(st, 7) == 0 &&
			    role_parse(db_column_text(st, 6), &m->actor_role) == GC_OK;
}

int store_access_load(struct store *s, const struct store_scope *scope, int64_t user_id,
		      struct authz_actor *ret_actor, struct authz_target *ret_target)
{
	struct db_stmt *st = store_stmt(s,
		"SELECT (SELECT organisation_id FROM users WHERE id = ?1), u.platform_admin, u.organisation_id,"
		" m.tenant_id, m.role, m.disabled, mine.role, mine.disabled,"
		" (SELECT organisation_id FROM tenants WHERE id = ?3)"
		" FROM (SELECT 1) one LEFT JOIN users u ON u.id = ?2"
		" LEFT JOIN memberships m ON m.user_id = u.id"
		" LEFT JOIN memberships mine ON mine.tenant_id = m.tenant_id AND mine.user_id = ?1"
		" ORDER BY m.tenant_id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->user_id);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, scope->tenant_id);
	struct authz_actor a = store_access_actor(scope);
	struct authz_target t = {.user_id = user_id};
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		access_row(st, &a, &t);
	rc = rc == DB_DONE ? GC_OK : store_fail(s, rc);
	db_reset(st);
	if (rc == GC_OK) {
		*ret_actor = a;
		*ret_target = t;
	}
	return rc;
}

int store_access_ask(struct store *s, const struct authz_actor *actor, enum authz_action action,
		     const struct authz_target *target)
{
	const char *why = NULL;
	switch (authz_decide(actor, action, target, &why)) {
	case AUTHZ_ALLOW:
		return GC_OK;
	case AUTHZ_NOT_FOUND:
		return GC_ENOTFOUND;
	default:
		store_errorf(s, "%s", why ? why : "not allowed");
		return GC_EFORBIDDEN;
	}
}

int store_authorize(struct store *s, const struct store_scope *scope, enum authz_action action,
		    int64_t user_id, enum role new_role)
{
	struct authz_actor a;
	struct authz_target t;
	int rc = store_access_load(s, scope, user_id, &a, &t);
	if (rc < 0)
		return rc;
	t.new_role = new_role;
	return store_access_ask(s, &a, action, &t);
}

/* Whether the actor manages a member of the current tenant of no
 * organisation of its own, the tenant's included: false for an outsourcer's
 * supervisor, whom the table gives its own organisation's agents only. */
static bool manages_everyone(const struct authz_actor *a)
{
	struct authz_target anyone = {.exists = true, .user_id = -1, .organisation_id = -1, .n_memberships = 1};
	anyone.memberships[0] = (struct authz_membership){.tenant_id = a->tenant_id, .role = ROLE_AGENT};
	return a->tenant_id != 0 && authz_decide(a, AUTHZ_MANAGE_AGENT, &anyone, NULL) == AUTHZ_ALLOW;
}

int store_managed_agents(struct store *s, const struct store_scope *scope, bool *ret_some_only, int64_t **ret_ids,
			 size_t *ret_n)
{
	struct authz_actor a;
	struct authz_target none;
	int rc = store_access_load(s, scope, 0, &a, &none);
	if (rc < 0)
		return rc;
	if (manages_everyone(&a)) {
		*ret_some_only = false;
		*ret_ids = NULL;
		*ret_n = 0;
		return GC_OK;
	}
	struct db_stmt *st = store_stmt(s, "SELECT u.id, u.organisation_id, u.platform_admin, m.role FROM memberships m"
					   " JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ? ORDER BY u.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int64_t *ids = NULL;
	uint32_t n = 0, cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		struct authz_target t = {.exists = true, .user_id = db_column_int64(st, 0),
					 .organisation_id = db_column_int64(st, 1),
					 .platform_admin = db_column_int(st, 2) == 1, .n_memberships = 1};
		t.memberships[0] = (struct authz_membership){.tenant_id = scope->tenant_id};
		if (role_parse(db_column_text(st, 3), &t.memberships[0].role) < 0)
			t.memberships[0].role = ROLE_TENANT_ADMIN;
		if (authz_decide(&a, AUTHZ_MANAGE_AGENT, &t, NULL) != AUTHZ_ALLOW)
			continue;
		if (gc_grow((void **)&ids, &cap, sizeof(*ids), n + 1) < 0) {
			rc = GC_ENOMEM;
			break;
		}
		ids[n++] = t.user_id;
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(ids);
		return rc == GC_ENOMEM ? rc : store_fail(s, rc);
	}
	*ret_some_only = true;
	*ret_ids = ids;
	*ret_n = n;
	return GC_OK;
}

int store_organisation_create(struct store *s, const char *name, const char *kind, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO organisations(name, kind, created_at) VALUES (?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, name);
	bind_text(st, 2, kind);
	db_bind_int64(st, 3, gc_now_ms());
	return store_insert_id(s, st, ret_id);
}

/* A row as an object whose keys are the NULL-terminated keys of arg, in
 * column order; a key ending in "_at" is a time. */
static json_t *keyed_row(struct db_stmt *st, void *arg)
{
	const char *const *keys = arg;
	json_t *row = json_object();
	for (int i = 0; keys[i]; i++) {
		bool is_time = strstr(keys[i], "_at") != NULL;
		bool is_int = db_column_is_integer(st, i);
		json_object_set_new(row, keys[i], is_time ? column_time(st, i)
					   : is_int ? column_int(st, i) : column_string(st, i));
	}
	return row;
}

static int list_rows(struct store *s, struct db_stmt *st, const char *const *keys, json_t **ret_list)
{
	return collect_rows(s, st, keyed_row, (void *)keys, ret_list);
}

int store_organisation_list(struct store *s, json_t **ret_list)
{
	static const char *const keys[] = {"id", "name", "kind", "created_at", NULL};
	struct db_stmt *st = store_stmt(s, "SELECT id, name, kind, created_at FROM organisations ORDER BY id");
	return st ? list_rows(s, st, keys, ret_list) : GC_ESTORE;
}

int store_tenant_find(struct store *s, const char *name, int64_t *ret_id)
{
	return find_id(s, "SELECT id FROM tenants WHERE name = ?", name, ret_id);
}

int store_tenant_name(struct store *s, int64_t tenant_id, char *ret, size_t len)
{
	struct db_stmt *st = store_stmt(s, "SELECT name FROM tenants WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(ret, len, "%s", db_column_text(st, 0));
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_tenant_create(struct store *s, const char *name, const char *organisation, int64_t *ret_id)
{
	int64_t org_id = 0;
	int rc = find_id(s, "SELECT id FROM organisations WHERE name = ?",
			 organisation ? organisation : name, &org_id);
	if (rc == GC_ENOTFOUND && organisation == NULL)
		rc = store_organisation_create(s, name, "brand", &org_id);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(s, "INSERT INTO tenants(name, organisation_id, created_at) VALUES (?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, name);
	db_bind_int64(st, 2, org_id);
	db_bind_int64(st, 3, gc_now_ms());
	return store_insert_id(s, st, ret_id);
}

int store_tenant_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	static const char *const keys[] = {"id", "name", "organisation", "created_at", NULL};
	struct db_stmt *st;
	if (scope->platform_admin) {
		st = store_stmt(s, "SELECT t.id, t.name, o.name, t.created_at FROM tenants t"
				   " JOIN organisations o ON o.id = t.organisation_id ORDER BY t.id");
	} else {
		st = store_stmt(s, "SELECT t.id, t.name, o.name, t.created_at FROM tenants t"
				   " JOIN organisations o ON o.id = t.organisation_id"
				   " JOIN memberships m ON m.tenant_id = t.id"
				   " WHERE m.user_id = ?1 AND m.disabled = 0"
				   "  AND (?2 = 0 OR t.id = ?2) ORDER BY t.id");
		if (st) {
			db_bind_int64(st, 1, scope->user_id);
			/* an API token sees only its own tenant */
			db_bind_int64(st, 2, scope->user_id ? 0 : scope->tenant_id);
		}
	}
	return st ? list_rows(s, st, keys, ret_list) : GC_ESTORE;
}

int store_user_find(struct store *s, const char *email, int64_t *ret_id)
{
	return find_id(s, "SELECT id FROM users WHERE email = ?", email, ret_id);
}

int store_membership_grant(struct store *s, int64_t user_id, int64_t tenant_id, enum role role)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO memberships(tenant_id, user_id, role, created_at)"
					 " VALUES (?,?,?,?) ON CONFLICT (tenant_id, user_id)"
					 " DO UPDATE SET role = excluded.role, disabled = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, user_id);
	bind_text(st, 3, role_name(role));
	db_bind_int64(st, 4, gc_now_ms());
	return store_step_done(s, st);
}

/* The organisation named for a new user, as the table sees it: whether it
 * exists, is the tenant's own, or staffs the tenant; its id in *ret_id. */
static int organisation_facts(struct store *s, int64_t tenant_id, const char *name, struct authz_target *t,
			      int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s,
		"SELECT o.id, o.id = t.organisation_id, EXISTS (SELECT 1 FROM users u"
		"  JOIN memberships m ON m.user_id = u.id WHERE u.organisation_id = o.id"
		"  AND m.tenant_id = t.id AND m.disabled = 0 AND u.platform_admin = 0)"
		" FROM organisations o LEFT JOIN tenants t ON t.id = ?2 WHERE o.name = ?1");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, name);
	db_bind_int64(st, 2, tenant_id);
	t->exists = false;
	if (db_step(st) == DB_ROW) {
		t->exists = true;
		*ret_id = db_column_int64(st, 0);
		t->org_is_tenants = db_column_int(st, 1) == 1;
		t->org_staffs_tenant = db_column_int(st, 2) == 1;
	}
	db_reset(st);
	return GC_OK;
}

/* The organisation of a new user in the scope's tenant: the one named (if
 * the table lets the scope place people there) or the tenant's own. */
static int new_user_organisation(struct store *s, const struct store_scope *scope, const struct user_input *in,
				 int64_t *ret_id)
{
	struct authz_actor a;
	struct authz_target t;
	int rc = store_access_load(s, scope, 0, &a, &t);
	if (rc < 0)
		return rc;
	t.new_role = in->role;
	if ((rc = store_access_ask(s, &a, AUTHZ_CREATE_USER, &t)) < 0)
		return rc;
	if (in->organisation) {
		if ((rc = organisation_facts(s, scope->tenant_id, in->organisation, &t, ret_id)) < 0)
			return rc;
		return store_access_ask(s, &a, AUTHZ_PLACE_IN_ORGANISATION, &t);
	}
	struct db_stmt *q = store_stmt(s, "SELECT organisation_id FROM tenants WHERE id = ?");
	if (q == NULL)
		return GC_ESTORE;
	db_bind_int64(q, 1, scope->tenant_id);
	rc = db_step(q) == DB_ROW ? GC_OK : GC_ENOTFOUND;
	if (rc == GC_OK)
		*ret_id = db_column_int64(q, 0);
	db_reset(q);
	return rc;
}

int store_user_create(struct store *s, const struct store_scope *scope,
		      const struct user_input *in, const char *password_hash, bool platform_admin,
		      int64_t *ret_id)
{
	int64_t org_id = 0, user_id = 0;
	int rc = new_user_organisation(s, scope, in, &org_id);
	if (rc < 0)
		return rc;
	/* emails are the login: stored lowercase (the decoder refuses non-ASCII) */
	struct db_stmt *st = store_stmt(s, "INSERT INTO users(email, name, organisation_id, password_hash,"
					 " platform_admin, created_at) VALUES (lower(?),?,?,?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, in->email);
	bind_text(st, 2, in->name);
	db_bind_int64(st, 3, org_id);
	bind_text(st, 4, password_hash);
	db_bind_int64(st, 5, platform_admin);
	db_bind_int64(st, 6, gc_now_ms());
	/* a taken email is answered, and its attempt audited, in this transaction */
	if ((rc = store_attempt_begin(s)) < 0 ||
	    (rc = store_attempt_end(s, store_insert_id(s, st, &user_id))) < 0)
		return rc;
	if (scope->tenant_id && (rc = store_membership_grant(s, user_id, scope->tenant_id, in->role)) < 0)
		return rc;
	*ret_id = user_id;
	return GC_OK;
}

static json_t *user_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:o}",
		"id", column_int(st, 0), "email", column_string(st, 1), "name", column_string(st, 2),
		"organisation", column_string(st, 3), "role", column_string(st, 4),
		"disabled", db_column_int(st, 5), "platform_admin", db_column_int(st, 6),
		"created_at", column_time(st, 7));
}

#define USER_COLUMNS "u.id, u.email, u.name, o.name, m.role, m.disabled, u.platform_admin, u.created_at" \
	" FROM users u JOIN memberships m ON m.user_id = u.id" \
	" JOIN organisations o ON o.id = u.organisation_id"

int store_user_get(struct store *s, const struct store_scope *scope, int64_t user_id, json_t **ret_user)
{
	int rc = store_authorize(s, scope, AUTHZ_VIEW_USER, user_id, ROLE_N);
	if (rc < 0)
		return rc;
	struct db_stmt *st = scoped_row(s, "SELECT " USER_COLUMNS " WHERE m.tenant_id = ? AND u.id = ?",
				      scope->tenant_id, user_id, &rc);
	if (st == NULL)
		return rc;
	*ret_user = user_row(st, NULL);
	db_reset(st);
	return GC_OK;
}

int store_user_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	int rc = store_authorize(s, scope, AUTHZ_LIST_USERS, 0, ROLE_N);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(s, "SELECT " USER_COLUMNS " WHERE m.tenant_id = ? ORDER BY u.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return collect_rows(s, st, user_row, NULL, ret_list);
}

/* Refuses to demote or disable user_id when they are the tenant's last
 * enabled tenant admin. */
static int keeps_an_admin(struct store *s, int64_t tenant_id, int64_t user_id)
{
	struct db_stmt *st = store_stmt(s,
		"SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = ?1 AND user_id = ?2"
		"  AND role = 'tenant_admin' AND disabled = 0),"
		" (SELECT count(*) FROM memberships WHERE tenant_id = ?1 AND user_id <> ?2"
		"  AND role = 'tenant_admin' AND disabled = 0)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, user_id);
	bool is_admin = false;
	int others = 0;
	if (db_step(st) == DB_ROW) {
		is_admin = db_column_int(st, 0) == 1;
		others = db_column_int(st, 1);
	}
	db_reset(st);
	if (is_admin && others == 0) {
		store_errorf(s, "the tenant would have no tenant admin left");
		return GC_ECONFLICT;
	}
	return GC_OK;
}

static int member_update(struct store *s, struct db_stmt *st)
{
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	return rc;
}

int store_user_set_role(struct store *s, const struct store_scope *scope, int64_t user_id, enum role role)
{
	int rc = store_authorize(s, scope, AUTHZ_SET_ROLE, user_id, role);
	if (rc < 0 || (role != ROLE_TENANT_ADMIN && (rc = keeps_an_admin(s, scope->tenant_id, user_id)) < 0))
		return rc;
	struct db_stmt *st = store_stmt(s, "UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, role_name(role));
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, user_id);
	return member_update(s, st);
}

int store_user_set_disabled(struct store *s, const struct store_scope *scope, int64_t user_id,
			    bool disabled)
{
	int rc = store_authorize(s, scope, disabled ? AUTHZ_DISABLE : AUTHZ_ENABLE, user_id, ROLE_N);
	if (rc < 0 || (disabled && (rc = keeps_an_admin(s, scope->tenant_id, user_id)) < 0))
		return rc;
	struct db_stmt *st = store_stmt(s, "UPDATE memberships SET disabled = ? WHERE tenant_id = ? AND user_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, disabled);
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, user_id);
	if ((rc = member_update(s, st)) < 0 || !disabled)
		return rc;
	/* the sessions landing here and the API tokens made here: a session of
	 * another tenant (an outsourcer's agent at work for another brand) goes
	 * on there, and is refused here by the disabled membership */
	return store_access_end_tokens(s, user_id, true, scope->tenant_id);
}

int store_user_set_password(struct store *s, const struct store_scope *scope, int64_t user_id,
			    const char *password_hash)
{
	int rc = store_authorize(s, scope, AUTHZ_SET_PASSWORD, user_id, ROLE_N);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(s, "UPDATE users SET password_hash = ? WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, password_hash);
	db_bind_int64(st, 2, user_id);
	if ((rc = store_step_done(s, st)) < 0)
		return rc;
	return store_access_end_tokens(s, user_id, true, 0);
}

int store_member_role(struct store *s, const struct store_scope *scope, int64_t user_id, enum role *ret,
		      bool *ret_disabled)
{
	struct db_stmt *st = store_stmt(s, "SELECT role, disabled FROM memberships WHERE tenant_id = ? AND user_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, user_id);
	int rc = db_step(st);
	if (rc == DB_ROW && role_parse(db_column_text(st, 0), ret) < 0)
		*ret = ROLE_N; /* a role this build does not know: none it can route */
	if (rc == DB_ROW)
		*ret_disabled = db_column_int(st, 1) != 0;
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_membership_list(struct store *s, int64_t user_id, json_t **ret_list)
{
	static const char *const keys[] = {"tenant_id", "tenant", "role", "disabled", NULL};
	struct db_stmt *st = store_stmt(s, "SELECT t.id, t.name, m.role, m.disabled FROM memberships m"
					 " JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = ?"
					 " ORDER BY t.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, user_id);
	return list_rows(s, st, keys, ret_list);
}
