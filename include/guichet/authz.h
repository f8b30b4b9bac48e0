/* Who may act on whom: the one table behind every user, membership,
 * password, API token and organisation endpoint.
 *
 * The store loads the facts (the actor, the target with its role in every
 * tenant it belongs to and the actor's role in each of those tenants) and
 * asks authz_decide; nothing else decides. The rules, as a demanding
 * outsourcer expects them:
 *
 * - A tenant action needs the permission from the actor's role in the
 *   current tenant; the platform-admin flag does not replace a role there.
 * - A target that is not a member of the current tenant does not exist for
 *   it (not found), whoever asks.
 * - Nobody but a platform admin acts on a platform admin.
 * - A change that follows the user into every tenant (the password) needs
 *   an enabled tenant-admin role in every tenant the target belongs to,
 *   disabled memberships included, since a tenant admin may enable them
 *   again. Changes of the current tenant's membership (role, disable,
 *   enable) and its API tokens need the current tenant only.
 * - Nobody raises anyone, or a token, above its own rights: the role given
 *   must need no permission and show no customer data the actor's role
 *   lacks. An API token's role is capped by its creator's role, even for a
 *   platform admin, and only a person creates tokens (a token minting
 *   tokens would outlive its creator's revocation).
 * - Nobody disables or enables themselves.
 * - Memberships and organisations are platform-admin business, except that
 *   a tenant admin may place a new user in the tenant's own organisation or
 *   in one that already staffs the tenant; any other organisation, even an
 *   existing one, answers not found.
 * - An outsourcer's supervisor (a role that does not manage users, from an
 *   organisation other than the tenant's own) manages the routing of its
 *   own organisation's agents only; the brand's people and tenant admins
 *   manage every agent of the tenant.
 *
 * Pure: no I/O, no allocation. */
#ifndef GUICHET_AUTHZ_H
#define GUICHET_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guichet/role.h"

/* The most memberships a target's facts hold; a user with more is treated
 * as belonging to a tenant nobody but a platform admin administers. */
#define AUTHZ_MAX_MEMBERSHIPS 64

enum authz_action {
	AUTHZ_VIEW_USER,
	AUTHZ_LIST_USERS,
	AUTHZ_CREATE_USER,
	AUTHZ_SET_ROLE,
	AUTHZ_DISABLE,
	AUTHZ_ENABLE,
	AUTHZ_SET_PASSWORD,
	AUTHZ_CREATE_TOKEN,
	AUTHZ_REVOKE_TOKEN,
	AUTHZ_GRANT_MEMBERSHIP,
	AUTHZ_CREATE_ORGANISATION,
	AUTHZ_PLACE_IN_ORGANISATION,
	AUTHZ_MANAGE_AGENT,      /* set an agent's routing profile or force its presence */
	AUTHZ_N
};

enum authz_answer {
	AUTHZ_ALLOW,
	AUTHZ_FORBID,
	AUTHZ_NOT_FOUND, /* the actor must not learn that the target exists */
};

struct authz_actor {
	int64_t user_id;         /* 0 for an API token */
	int64_t tenant_id;       /* the current tenant, 0 for none */
	bool has_role;           /* holds an enabled role in the current tenant */
	enum role role;
	bool platform_admin;
	int64_t organisation_id; /* its employer */
	int64_t tenant_organisation_id; /* the current tenant's own organisation */
};

/* One tenant the target belongs to. */
struct authz_membership {
	int64_t tenant_id;
	enum role role;          /* the target's role there */
	bool disabled;
	bool actor_has_role;     /* the actor's enabled role there; for the current */
	enum role actor_role;    /* tenant the actor's own role is used instead */
};

/* The target: a user (and, for a token, the user who created it), plus
 * what the action would give. Fields an action does not use are ignored. */
struct authz_target {
	bool exists;             /* the user (or organisation) exists */
	int64_t user_id;
	bool platform_admin;
	int64_t organisation_id;
	size_t n_memberships;
	bool more_memberships;   /* some did not fit in memberships[] */
	struct authz_membership memberships[AUTHZ_MAX_MEMBERSHIPS];
	bool token_in_tenant;    /* revoke: the token acts in the current tenant */
	enum role new_role;      /* create user, set role, create token, grant */
	bool org_is_tenants;     /* place: the current tenant's own organisation */
	bool org_staffs_tenant;  /* place: one of its people (not a platform admin)
				  * holds an enabled membership in the tenant */
};

/* The answer to "may actor do action on target"; *ret_why (may be NULL)
 * gets a short reason for a refusal, for the error message. */
enum authz_answer authz_decide(const struct authz_actor *actor, enum authz_action action,
			       const struct authz_target *target, const char **ret_why);
/* Whether role `given` needs no permission and shows no customer data that
 * `own` lacks. */
bool authz_role_within(enum role given, enum role own);
/* The action's name ("set_password"), for logs and tests. */
const char *authz_action_name(enum authz_action action);

#endif
