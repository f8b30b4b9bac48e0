/* Who may act on whom (guichet/authz.h): one row per action saying which
 * permission the actor's role needs and which guards apply; authz_decide
 * reads the row and applies the guards in one fixed order, so an action's
 * rules are the flags of its row and nothing else. */
#include "guichet/authz.h"

enum guard {
	PLATFORM_ONLY = 1u << 0,  /* platform admins only, whatever the tenant role */
	NEEDS_PERSON = 1u << 1,   /* not an API token */
	MEMBER_TARGET = 1u << 2,  /* the target user is a member of the current tenant, else not found */
	TOKEN_TARGET = 1u << 3,   /* the token acts in the current tenant, else not found */
	ORG_TARGET = 1u << 4,     /* the organisation exists, else not found */
	NOT_SELF = 1u << 5,       /* never on oneself */
	NO_PLATFORM = 1u << 6,    /* not on a platform admin (unless a platform admin acts) */
	EVERY_TENANT = 1u << 7,   /* administers every tenant of the target (or is the target) */
	CAP_TARGET = 1u << 8,     /* the target's role here is within the actor's (or is the target) */
	CAP_NEW_ROLE = 1u << 9,   /* the role given is within the actor's (platform admins exempt) */
	CAP_TOKEN_ROLE = 1u << 10, /* the role given is within the actor's, platform admins too */
	RELATED_ORG = 1u << 11,   /* the organisation is the tenant's or staffs it, else not found */
	OWN_ORG_AGENT = 1u << 12, /* an outsider who does not manage users acts on its own organisation's people */
};

struct rule {
	const char *name;
	unsigned perm;            /* enum permission bits needed in the current tenant, or 0 */
	unsigned guards;
};

static const struct rule rules[AUTHZ_N] = {
	[AUTHZ_VIEW_USER] = {"view_user", PERM_USERS_READ, MEMBER_TARGET},
	[AUTHZ_LIST_USERS] = {"list_users", PERM_USERS_READ, 0},
	[AUTHZ_CREATE_USER] = {"create_user", PERM_USERS_MANAGE, CAP_NEW_ROLE},
	[AUTHZ_SET_ROLE] = {"set_role", PERM_USERS_MANAGE, MEMBER_TARGET | NO_PLATFORM | CAP_TARGET | CAP_NEW_ROLE},
	[AUTHZ_DISABLE] = {"disable", PERM_USERS_MANAGE, MEMBER_TARGET | NOT_SELF | NO_PLATFORM | CAP_TARGET},
	[AUTHZ_ENABLE] = {"enable", PERM_USERS_MANAGE, MEMBER_TARGET | NOT_SELF | NO_PLATFORM | CAP_TARGET},
	[AUTHZ_SET_PASSWORD] = {"set_password", PERM_USERS_MANAGE,
				MEMBER_TARGET | NO_PLATFORM | CAP_TARGET | EVERY_TENANT},
	[AUTHZ_CREATE_TOKEN] = {"create_token", PERM_TOKENS_MANAGE, NEEDS_PERSON | CAP_TOKEN_ROLE},
	[AUTHZ_REVOKE_TOKEN] = {"revoke_token", PERM_TOKENS_MANAGE, TOKEN_TARGET | NO_PLATFORM},
	[AUTHZ_GRANT_MEMBERSHIP] = {"grant_membership", 0, PLATFORM_ONLY},
	[AUTHZ_CREATE_ORGANISATION] = {"create_organisation", 0, PLATFORM_ONLY},
	[AUTHZ_PLACE_IN_ORGANISATION] = {"place_in_organisation", PERM_USERS_MANAGE, ORG_TARGET | RELATED_ORG},
	[AUTHZ_MANAGE_AGENT] = {"manage_agent", 0 /* the route asks its own */,
				MEMBER_TARGET | OWN_ORG_AGENT},
};

bool authz_role_within(enum role given, enum role own)
{
	unsigned mine = role_permissions(own);
	return (unsigned)given < ROLE_N && (unsigned)own < ROLE_N &&
	       (role_permissions(given) & ~mine) == 0 && role_visibility(given) <= role_visibility(own);
}

const char *authz_action_name(enum authz_action action)
{
	return (unsigned)action < AUTHZ_N ? rules[action].name : NULL;
}

static const struct authz_membership *membership_in(const struct authz_target *t, int64_t tenant_id)
{
	for (size_t i = 0; i < t->n_memberships && i < AUTHZ_MAX_MEMBERSHIPS; i++)
		if (t->memberships[i].tenant_id == tenant_id)
			return &t->memberships[i];
	return NULL;
}

/* Whether the actor holds a role that manages users in each of the target's tenants. */
static bool administers_every_tenant(const struct authz_actor *a, const struct authz_target *t)
{
	if (t->more_memberships || t->n_memberships > AUTHZ_MAX_MEMBERSHIPS)
		return false;
	for (size_t i = 0; i < t->n_memberships; i++) {
		const struct authz_membership *m = &t->memberships[i];
		bool here = m->tenant_id == a->tenant_id;
		bool has = here ? a->has_role : m->actor_has_role;
		enum role role = here ? a->role : m->actor_role;
		if (!has || !role_can(role, PERM_USERS_MANAGE))
			return false;
	}
	return true;
}

static enum authz_answer answer(enum authz_answer ans, const char *why, const char **ret_why)
{
	if (ret_why)
		*ret_why = ans == AUTHZ_ALLOW ? NULL : why;
	return ans;
}

/* The guards about the target itself, which a platform admin passes. */
static enum authz_answer target_guards(const struct authz_actor *a, unsigned g, const struct authz_target *t,
				       const struct authz_membership *here, bool self, const char **ret_why)
{
	if ((g & NO_PLATFORM) && t->exists && t->platform_admin && !self)
		return answer(AUTHZ_FORBID, "only a platform admin may act on a platform admin", ret_why);
	if ((g & CAP_TARGET) && !self && here && !authz_role_within(here->role, a->role))
		return answer(AUTHZ_FORBID, "the user's role is above yours", ret_why);
	if ((g & CAP_NEW_ROLE) && !authz_role_within(t->new_role, a->role))
		return answer(AUTHZ_FORBID, "you cannot give a role above your own", ret_why);
	if ((g & EVERY_TENANT) && !self && !administers_every_tenant(a, t))
		return answer(AUTHZ_FORBID, "the user also works for a tenant you do not administer", ret_why);
	if ((g & RELATED_ORG) && !t->org_is_tenants && !t->org_staffs_tenant)
		return answer(AUTHZ_NOT_FOUND, "no such organisation staffs this tenant", ret_why);
	if ((g & OWN_ORG_AGENT) && a->user_id != 0 && !(a->has_role && role_can(a->role, PERM_USERS_MANAGE)) &&
	    a->organisation_id != a->tenant_organisation_id && t->organisation_id != a->organisation_id)
		return answer(AUTHZ_FORBID, "this agent works for another organisation: you manage your own "
					    "organisation's agents only", ret_why);
	return answer(AUTHZ_ALLOW, NULL, ret_why);
}

enum authz_answer authz_decide(const struct authz_actor *a, enum authz_action action,
			       const struct authz_target *t, const char **ret_why)
{
	if ((unsigned)action >= AUTHZ_N)
		return answer(AUTHZ_FORBID, "unknown action", ret_why);
	const struct rule *rule = &rules[action];
	unsigned g = rule->guards;
	if (g & PLATFORM_ONLY)
		return answer(a->platform_admin ? AUTHZ_ALLOW : AUTHZ_FORBID, "only a platform admin may do this",
			      ret_why);
	if (rule->perm && (a->tenant_id == 0 || !a->has_role || !role_can(a->role, (enum permission)rule->perm)))
		return answer(AUTHZ_FORBID, "your role does not allow this", ret_why);
	if ((g & NEEDS_PERSON) && a->user_id == 0)
		return answer(AUTHZ_FORBID, "an API token cannot do this", ret_why);
	const struct authz_membership *here = t->exists ? membership_in(t, a->tenant_id) : NULL;
	if (((g & MEMBER_TARGET) && here == NULL) || ((g & TOKEN_TARGET) && !t->token_in_tenant) ||
	    ((g & ORG_TARGET) && !t->exists))
		return answer(AUTHZ_NOT_FOUND, "no such thing in this tenant", ret_why);
	bool self = t->exists && a->user_id != 0 && t->user_id == a->user_id;
	if ((g & NOT_SELF) && self)
		return answer(AUTHZ_FORBID, "you cannot do this to yourself", ret_why);
	if ((g & CAP_TOKEN_ROLE) && !authz_role_within(t->new_role, a->role))
		return answer(AUTHZ_FORBID, "a token cannot have a role above yours", ret_why);
	if (a->platform_admin)
		return answer(AUTHZ_ALLOW, NULL, ret_why);
	return target_guards(a, g, t, here, self, ret_why);
}
