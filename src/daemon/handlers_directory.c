/* Tenants, organisations, memberships, users, and the audit log. */
#include "daemon/handlers.h"
#include "guichet/error.h"

#include <stdio.h>

/* Decodes with fn into r->in; answers 400 on failure. */
#define PREPARE(name, call)                                 \
	int name(struct request *r, struct store *db)       \
	{                                                   \
		struct decode_error err = {0};                    \
		return (call) < 0 ? reply_decode_error(r, &err) : 0; \
	}

static const char *user_target(struct request *r, char buf[32])
{
	snprintf(buf, 32, "user:%lld", (long long)r->ids[0]);
	return buf;
}

int run_tenant_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_tenant_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

PREPARE(prepare_tenant_create, tenant_input_decode(r->body, &r->in.named, &err))

/* The first administrator of tenant id, made with it: acting as that
 * tenant's administrator-to-be (the platform admin has no role there). An
 * email with an account already is refused: that person is given the role
 * instead (POST /memberships), their password left as it is. */
static int tenant_first_admin(struct request *r, struct store *db, int64_t tenant_id, json_t **ret_user)
{
	const struct user_input *in = &r->in.named.admin;
	int64_t user_id = 0;
	if (store_user_find(db, in->email, &user_id) == GC_OK)
		return reply_error(r, 409, "email_unavailable", "admin.email",
				   "%s has an account already: create the tenant without it, then give them "
				   "the role tenant_admin there", in->email);
	struct store_scope there = r->scope;
	there.tenant_id = tenant_id;
	there.role = ROLE_TENANT_ADMIN;
	there.has_role = true;
	int rc = store_user_create(db, &there, in, r->password_hash, false, &user_id);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, tenant_id, "user_created", in->email,
				 json_pack("{s:s}", "role", role_name(in->role)));
	if (rc == GC_OK)
		rc = store_user_get(db, &there, user_id, ret_user);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : GC_OK;
}

int run_tenant_create(struct request *r, struct store *db)
{
	const struct named_input *in = &r->in.named;
	int64_t id = 0;
	int rc = store_tenant_create(db, in->name, in->organisation, &id);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "invalid", "organisation", "no organisation named '%s'",
				   in->organisation);
	if (rc == GC_ECONFLICT)
		return reply_error(r, 409, "conflict", "name", "a tenant named '%s' exists", in->name);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, id, "tenant_created", in->name, NULL);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	json_t *admin = NULL;
	if (in->has_admin && (rc = tenant_first_admin(r, db, id, &admin)) < 0)
		return rc; /* answered; nothing of the tenant is kept */
	json_t *tenant = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", in->name,
				   "organisation", in->organisation ? in->organisation : in->name);
	if (admin)
		json_object_set_new(tenant, "admin", admin);
	return reply(r, 201, tenant);
}

int run_organisation_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_organisation_list(db, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

PREPARE(prepare_organisation_create, organisation_input_decode(r->body, &r->in.named, &err))

int run_organisation_create(struct request *r, struct store *db)
{
	const struct named_input *in = &r->in.named;
	int64_t id = 0;
	int rc = store_authorize(db, &r->scope, AUTHZ_CREATE_ORGANISATION, 0, ROLE_N);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	rc = store_organisation_create(db, in->name, in->kind, &id);
	if (rc == GC_ECONFLICT)
		return reply_error(r, 409, "conflict", "name", "an organisation named '%s' exists", in->name);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, 0, "organisation_created", in->name, NULL);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 201, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", in->name,
				       "kind", in->kind));
}

PREPARE(prepare_membership_grant, membership_input_decode(r->body, &r->in.membership, &err))

int run_membership_grant(struct request *r, struct store *db)
{
	const struct membership_input *in = &r->in.membership;
	int64_t user_id = 0, tenant_id = 0;
	int rc = store_authorize(db, &r->scope, AUTHZ_GRANT_MEMBERSHIP, 0, in->role);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (store_user_find(db, in->email, &user_id) < 0)
		return reply_error(r, 422, "invalid", "email", "no user with this email");
	if (store_tenant_find(db, in->tenant, &tenant_id) < 0)
		return reply_error(r, 422, "invalid", "tenant", "no tenant named '%s'", in->tenant);
	rc = store_membership_grant(db, user_id, tenant_id, in->role);
	if (rc == GC_OK && !role_can(in->role, PERM_ROUTING_WORK)) { /* a new role there: out of its routing */
		struct store_scope there = r->scope;
		there.tenant_id = tenant_id;
		if ((rc = agent_off_duty(r, db, &there, user_id)) < 0)
			return rc;
	}
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, tenant_id, "role_granted", in->email,
				 json_pack("{s:s}", "role", role_name(in->role)));
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, json_pack("{s:I,s:I,s:s}", "user_id", (json_int_t)user_id, "tenant_id",
				       (json_int_t)tenant_id, "role", role_name(in->role)));
}

int run_user_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_user_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_user_get(struct request *r, struct store *db)
{
	json_t *user = NULL;
	int rc = store_user_get(db, &r->scope, r->ids[0], &user);
	return rc < 0 ? reply_store_error(r, db, rc, "user") : reply(r, 200, user);
}

int prepare_user_create(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	if (user_input_decode(r->body, &r->in.user, &err) < 0)
		return reply_decode_error(r, &err);
	return 0;
}

/* argon2id of a new password into r->password_hash: the slow part of the
 * routes that set one, run on the hashing pool. */
static void hash_password(struct request *r, const char *password)
{
	if (store_password_hash(password, r->password_hash, sizeof(r->password_hash)) < 0)
		reply_error(r, 503, "out_of_memory", NULL, "cannot hash the password now");
}

void hash_user_password(void *request, struct store *db)
{
	struct request *r = request;
	hash_password(r, r->in.user.password);
}

void hash_new_password(void *request, struct store *db)
{
	struct request *r = request;
	hash_password(r, r->in.password);
}

/* The new tenant's first administrator's password, when one is named: the
 * slow part of POST /tenants, on the hashing pool. */
void hash_tenant_admin_password(void *request, struct store *db)
{
	struct request *r = request;
	if (r->in.named.has_admin)
		hash_password(r, r->in.named.admin.password);
}

int run_user_create(struct request *r, struct store *db)
{
	const struct user_input *in = &r->in.user;
	int64_t id = 0;
	int rc = store_user_create(db, &r->scope, in, r->password_hash, false, &id);
	/* one answer whether the email is taken here or in another tenant: it
	 * says neither where, nor who, nor whether it is a platform admin. The
	 * attempt stays in the audit log, so probing for addresses shows. */
	if (rc == GC_ECONFLICT) {
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "user_create_refused", in->email,
				 json_pack("{s:s}", "reason", "email_unavailable"));
		if (rc < 0)
			return reply_store_error(r, db, rc, NULL);
		reply_error(r, 409, "email_unavailable", "email",
			    "this email cannot be used for a new user; if the person already has an "
			    "account, a platform admin can give them a role here");
		return 0; /* keep the audit line */
	}
	/* the same for an organisation that does not exist and one unrelated to the tenant */
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "invalid", "organisation",
				   "'%s' is neither this tenant's organisation nor one that staffs it",
				   in->organisation ? in->organisation : "");
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "user_created", in->email,
				 json_pack("{s:s}", "role", role_name(in->role)));
	json_t *user = NULL;
	if (rc == GC_OK)
		rc = store_user_get(db, &r->scope, id, &user);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 201, user);
}

PREPARE(prepare_user_role, role_input_decode(r->body, &r->in.role, &err))

/* Answers the user after a change recorded in the audit log as action. */
static int user_changed(struct request *r, struct store *db, int rc, const char *action, json_t *detail)
{
	char target[32];
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, action, user_target(r, target), detail);
	else
		json_decref(detail);
	json_t *user = NULL;
	if (rc == GC_OK)
		rc = store_user_get(db, &r->scope, r->ids[0], &user);
	return rc < 0 ? reply_store_error(r, db, rc, "user") : reply(r, 200, user);
}

/* A role that takes no contacts, or a disabled user, leaves routing at once
 * (the store's refusal first: 403 and 404 before 409). */
int run_user_role(struct request *r, struct store *db)
{
	int rc = store_user_set_role(db, &r->scope, r->ids[0], r->in.role);
	if (rc == GC_OK && !role_can(r->in.role, PERM_ROUTING_WORK) &&
	    (rc = agent_off_duty(r, db, &r->scope, r->ids[0])) < 0)
		return rc;
	return user_changed(r, db, rc, "role_changed", json_pack("{s:s}", "role", role_name(r->in.role)));
}

int run_user_disable(struct request *r, struct store *db)
{
	int rc = store_user_set_disabled(db, &r->scope, r->ids[0], true);
	if (rc == GC_OK && (rc = agent_off_duty(r, db, &r->scope, r->ids[0])) < 0)
		return rc;
	return user_changed(r, db, rc, "user_disabled", NULL);
}

int run_user_enable(struct request *r, struct store *db)
{
	return user_changed(r, db, store_user_set_disabled(db, &r->scope, r->ids[0], false),
			    "user_enabled", NULL);
}

int prepare_user_password(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	if (password_input_decode(r->body, &r->in.password, &err) < 0)
		return reply_decode_error(r, &err);
	return 0;
}

int run_user_password(struct request *r, struct store *db)
{
	return user_changed(r, db, store_user_set_password(db, &r->scope, r->ids[0], r->password_hash),
			    "password_reset", NULL);
}

int run_audit_list(struct request *r, struct store *db)
{
	int64_t after = 0, limit = 0;
	if (query_int(r, "cursor", 1, INT64_MAX, 0, &after) < 0 ||
	    query_int(r, "limit", 1, STORE_MAX_PAGE, 50, &limit) < 0)
		return GC_EINVAL;
	json_t *page = NULL;
	int rc = store_audit_list(db, &r->scope, after, (int)limit, &page);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, page);
}
