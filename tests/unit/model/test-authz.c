/* The authorization table (guichet/authz.h), tested exhaustively: every
 * actor (each role, no role, platform admin or not, a person or an API
 * token) x every kind of target x every action x every role given, against
 * answers written here independently, as the rules read in plain words,
 * without calling the table or the role table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "guichet/authz.h"

#define HERE 1      /* the current tenant */
#define ELSEWHERE 2 /* another tenant */
#define ME 100      /* the actor, when a person */
#define OTHER 200   /* the target, when not the actor */

/* Which roles may read users, and which manage users and tokens, spelled out
 * rather than read from src/model/role.c. */
static bool reads_users(int role)
{
	return role == ROLE_TENANT_ADMIN || role == ROLE_SUPERVISOR || role == ROLE_PLANNER;
}

static bool manages(int role)
{
	return role == ROLE_TENANT_ADMIN;
}

enum kind {
	K_NOBODY,             /* no such user */
	K_STRANGER,           /* a member of another tenant only */
	K_SELF,               /* the actor (a member here, and an agent elsewhere) */
	K_MEMBER,             /* an agent here only */
	K_DISABLED_MEMBER,    /* a disabled agent here only */
	K_PEER_ADMIN,         /* a tenant admin here only */
	K_SHARED_ADMINISTERED, /* an agent here and elsewhere, where the actor is tenant admin */
	K_OUTSOURCED,         /* an agent here and elsewhere, where the actor has no role */
	K_SHARED_ACTOR_AGENT, /* an agent here and elsewhere, where the actor is only an agent */
	K_DISABLED_ELSEWHERE, /* an agent here, disabled elsewhere, where the actor has no role */
	K_ADMIN_DISABLED_ELSEWHERE, /* here and elsewhere, where the actor's admin membership is disabled */
	K_PLATFORM,           /* a platform admin who is tenant admin here */
	K_TOO_MANY,           /* here, and in more tenants than the facts hold */
	K_N
};

static const char *const kind_names[K_N] = {"nobody", "stranger", "self", "member", "disabled member",
	"peer admin", "shared, administered", "outsourced", "shared, actor agent there", "disabled elsewhere",
	"actor's admin role there disabled", "platform admin", "too many tenants"};

struct actor_case {
	bool person, platform_admin, has_role;
	int role;
};

static struct authz_membership membership(int64_t tenant, enum role role, bool disabled, bool actor_has,
					  enum role actor_role)
{
	return (struct authz_membership){.tenant_id = tenant, .role = role, .disabled = disabled,
					 .actor_has_role = actor_has, .actor_role = actor_role};
}

static struct authz_target target_of(enum kind k, const struct actor_case *a)
{
	struct authz_target t = {.exists = k != K_NOBODY, .user_id = OTHER, .organisation_id = 7};
	enum role mine = a->has_role ? (enum role)a->role : ROLE_AGENT;
	switch (k) {
	case K_NOBODY:
		break;
	case K_STRANGER:
		t.memberships[t.n_memberships++] = membership(ELSEWHERE, ROLE_AGENT, false, false, ROLE_AGENT);
		break;
	case K_SELF:
		t.user_id = a->person ? ME : OTHER;
		t.platform_admin = a->platform_admin && a->person;
		t.memberships[t.n_memberships++] = membership(HERE, mine, false, a->has_role, mine);
		t.memberships[t.n_memberships++] = membership(ELSEWHERE, ROLE_AGENT, false, a->person, ROLE_AGENT);
		break;
	case K_MEMBER:
	case K_DISABLED_MEMBER:
		t.memberships[t.n_memberships++] = membership(HERE, ROLE_AGENT, k == K_DISABLED_MEMBER, a->has_role, mine);
		break;
	case K_PEER_ADMIN:
		t.memberships[t.n_memberships++] = membership(HERE, ROLE_TENANT_ADMIN, false, a->has_role, mine);
		break;
	case K_SHARED_ADMINISTERED:
	case K_OUTSOURCED:
	case K_SHARED_ACTOR_AGENT:
	case K_DISABLED_ELSEWHERE:
	case K_ADMIN_DISABLED_ELSEWHERE:
		t.memberships[t.n_memberships++] = membership(HERE, ROLE_AGENT, false, a->has_role, mine);
		t.memberships[t.n_memberships++] = membership(ELSEWHERE, ROLE_OUTSOURCED_AGENT, k == K_DISABLED_ELSEWHERE,
			k == K_SHARED_ADMINISTERED || k == K_SHARED_ACTOR_AGENT,
			k == K_SHARED_ACTOR_AGENT ? ROLE_AGENT : ROLE_TENANT_ADMIN);
		break;
	case K_PLATFORM:
		t.platform_admin = true;
		t.memberships[t.n_memberships++] = membership(HERE, ROLE_TENANT_ADMIN, false, a->has_role, mine);
		break;
	case K_TOO_MANY:
		t.memberships[t.n_memberships++] = membership(HERE, ROLE_AGENT, false, a->has_role, mine);
		t.more_memberships = true;
		break;
	default:
		break;
	}
	return t;
}

static bool member_here(enum kind k)
{
	return k != K_NOBODY && k != K_STRANGER;
}

static bool is_self(enum kind k, const struct actor_case *a)
{
	return k == K_SELF && a->person;
}

static bool is_platform_target(enum kind k, const struct actor_case *a)
{
	return k == K_PLATFORM || (is_self(k, a) && a->platform_admin);
}

/* Every other tenant of the target is one the actor administers (an
 * enabled tenant-admin role there), and the facts are complete. */
static bool administers_all(enum kind k)
{
	return k == K_MEMBER || k == K_DISABLED_MEMBER || k == K_PEER_ADMIN || k == K_SHARED_ADMINISTERED ||
	       k == K_PLATFORM;
}

/* The rules of a demanding outsourcer, written out per action. */
static enum authz_answer expected_user_action(const struct actor_case *a, enum authz_action act, enum kind k)
{
	bool here_admin = a->has_role && manages(a->role);
	if (act == AUTHZ_VIEW_USER) {
		if (!a->has_role || !reads_users(a->role))
			return AUTHZ_FORBID;
		return member_here(k) ? AUTHZ_ALLOW : AUTHZ_NOT_FOUND;
	}
	if (!here_admin)
		return AUTHZ_FORBID;
	if (!member_here(k))
		return AUTHZ_NOT_FOUND;
	bool self = is_self(k, a);
	if ((act == AUTHZ_DISABLE || act == AUTHZ_ENABLE) && self)
		return AUTHZ_FORBID;
	if (a->platform_admin || self)
		return AUTHZ_ALLOW;
	if (is_platform_target(k, a))
		return AUTHZ_FORBID;
	if (act == AUTHZ_SET_PASSWORD && !administers_all(k))
		return AUTHZ_FORBID;
	return AUTHZ_ALLOW;
}

static enum authz_answer expected(const struct actor_case *a, enum authz_action act, enum kind k)
{
	switch (act) {
	case AUTHZ_GRANT_MEMBERSHIP:
	case AUTHZ_CREATE_ORGANISATION:
		return a->platform_admin ? AUTHZ_ALLOW : AUTHZ_FORBID;
	case AUTHZ_LIST_USERS:
		return a->has_role && reads_users(a->role) ? AUTHZ_ALLOW : AUTHZ_FORBID;
	case AUTHZ_CREATE_USER: /* a tenant admin may give every role */
		return a->has_role && manages(a->role) ? AUTHZ_ALLOW : AUTHZ_FORBID;
	case AUTHZ_CREATE_TOKEN: /* a person only: a token minting tokens would outlive its creator */
		return a->has_role && manages(a->role) && a->person ? AUTHZ_ALLOW : AUTHZ_FORBID;
	case AUTHZ_REVOKE_TOKEN: /* the target is the token's creator; the token acts here */
		if (!a->has_role || !manages(a->role))
			return AUTHZ_FORBID;
		if (k == K_PLATFORM && !a->platform_admin)
			return AUTHZ_FORBID;
		return AUTHZ_ALLOW;
	default:
		return expected_user_action(a, act, k);
	}
}

static const enum authz_action user_actions[] = {AUTHZ_VIEW_USER, AUTHZ_LIST_USERS, AUTHZ_CREATE_USER,
	AUTHZ_SET_ROLE, AUTHZ_DISABLE, AUTHZ_ENABLE, AUTHZ_SET_PASSWORD, AUTHZ_CREATE_TOKEN, AUTHZ_REVOKE_TOKEN,
	AUTHZ_GRANT_MEMBERSHIP, AUTHZ_CREATE_ORGANISATION};

static struct authz_actor actor_of(const struct actor_case *c)
{
	return (struct authz_actor){.user_id = c->person ? ME : 0, .tenant_id = c->has_role ? HERE : 0,
				    .has_role = c->has_role, .role = (enum role)(c->has_role ? c->role : 0),
				    .platform_admin = c->platform_admin, .organisation_id = 7};
}

/* Calls fn for every actor: no role or each role, platform admin or not, a person or a token. */
static void each_actor(void (*fn)(const struct actor_case *a, int *n_checked), int *n_checked)
{
	for (int role = -1; role < ROLE_N; role++)
		for (int pa = 0; pa < 2; pa++)
			for (int person = 0; person < 2; person++) {
				if (pa && !person)
					continue; /* a token is never a platform admin */
				struct actor_case a = {.person = person, .platform_admin = pa, .has_role = role >= 0,
						       .role = role};
				fn(&a, n_checked);
			}
}

static void describe(const struct actor_case *a, const char *action, const char *target, const char *given,
		     int got, int want)
{
	fprintf(stderr, "actor %s%s%s, %s on %s (role given %s): answered %d, expected %d\n",
		a->has_role ? role_name((enum role)a->role) : "without role", a->platform_admin ? ", platform admin" : "",
		a->person ? "" : ", API token", action, target, given, got, want);
}

static void check_actor(const struct actor_case *a, int *n_checked)
{
	struct authz_actor actor = actor_of(a);
	for (size_t i = 0; i < sizeof(user_actions) / sizeof(user_actions[0]); i++) {
		enum authz_action act = user_actions[i];
		for (int k = 0; k < K_N; k++) {
			for (int given = 0; given < ROLE_N; given++) {
				struct authz_target t = target_of((enum kind)k, a);
				t.new_role = (enum role)given;
				t.token_in_tenant = true;
				const char *why = NULL;
				enum authz_answer got = authz_decide(&actor, act, &t, &why);
				enum authz_answer want = expected(a, act, (enum kind)k);
				if (got != want) {
					describe(a, authz_action_name(act), kind_names[k], role_name((enum role)given), got, want);
					fail();
				}
				if (got != AUTHZ_ALLOW)
					assert_non_null(why);
				(*n_checked)++;
			}
		}
	}
}

static void every_actor_every_target_every_action(void **state)
{
	int n = 0;
	each_actor(check_actor, &n);
	assert_int_equal(n, 9 * 3 * 11 * K_N * ROLE_N);
}

/* A token that acts in another tenant (or does not exist) is not found,
 * whoever asks, once the role allows managing tokens at all. */
static void check_foreign_token(const struct actor_case *a, int *n_checked)
{
	struct authz_actor actor = actor_of(a);
	for (int k = 0; k < K_N; k++) {
		struct authz_target t = target_of((enum kind)k, a);
		t.token_in_tenant = false;
		enum authz_answer want = a->has_role && manages(a->role) ? AUTHZ_NOT_FOUND : AUTHZ_FORBID;
		if (authz_decide(&actor, AUTHZ_REVOKE_TOKEN, &t, NULL) != want) {
			describe(a, "revoke a foreign token", kind_names[k], "-", authz_decide(&actor, AUTHZ_REVOKE_TOKEN, &t, NULL), want);
			fail();
		}
		(*n_checked)++;
	}
}

static void foreign_tokens_are_not_found(void **state)
{
	int n = 0;
	each_actor(check_foreign_token, &n);
	assert_int_equal(n, 9 * 3 * K_N);
}

enum org { O_NONE, O_TENANTS, O_STAFFS, O_UNRELATED, O_N };

/* Placing a new user: the tenant's own organisation or one that staffs it
 * for a tenant admin; any existing one for a platform admin (with the role
 * to create users here); an unrelated one is as unknown as a missing one. */
static void check_placement(const struct actor_case *a, int *n_checked)
{
	struct authz_actor actor = actor_of(a);
	for (int o = 0; o < O_N; o++) {
		struct authz_target t = {.exists = o != O_NONE, .org_is_tenants = o == O_TENANTS,
					 .org_staffs_tenant = o == O_STAFFS};
		enum authz_answer want;
		if (!a->has_role || !manages(a->role))
			want = AUTHZ_FORBID;
		else if (o == O_NONE)
			want = AUTHZ_NOT_FOUND;
		else if (a->platform_admin || o == O_TENANTS || o == O_STAFFS)
			want = AUTHZ_ALLOW;
		else
			want = AUTHZ_NOT_FOUND;
		assert_int_equal(authz_decide(&actor, AUTHZ_PLACE_IN_ORGANISATION, &t, NULL), want);
		(*n_checked)++;
	}
}

static void placement_in_organisations(void **state)
{
	int n = 0;
	each_actor(check_placement, &n);
	assert_int_equal(n, 9 * 3 * O_N);
}

/* Routing an agent (profile, forced presence): a user who is no member here
 * is not found; an API token, a platform admin, a tenant admin and the
 * tenant's own people manage every agent; anybody else (an outsourcer's
 * supervisor) its own organisation's only. */
static void check_agent_management(const struct actor_case *a, int *n_checked)
{
	for (int inside = 0; inside < 2; inside++)
		for (int same_org = 0; same_org < 2; same_org++)
			for (int member = 0; member < 2; member++) {
				struct authz_actor actor = actor_of(a);
				actor.tenant_id = HERE;
				actor.organisation_id = 30;
				actor.tenant_organisation_id = inside ? 30 : 40;
				struct authz_target t = {.exists = true, .user_id = OTHER,
							 .organisation_id = same_org ? 30 : 40};
				t.memberships[t.n_memberships++] =
					membership(member ? HERE : ELSEWHERE, ROLE_AGENT, false, false, ROLE_AGENT);
				enum authz_answer want;
				if (!member)
					want = AUTHZ_NOT_FOUND;
				else if (!a->person || a->platform_admin || (a->has_role && manages(a->role)) || inside ||
					 same_org)
					want = AUTHZ_ALLOW;
				else
					want = AUTHZ_FORBID;
				const char *why = NULL;
				assert_int_equal(authz_decide(&actor, AUTHZ_MANAGE_AGENT, &t, &why), want);
				if (want != AUTHZ_ALLOW)
					assert_non_null(why);
				(*n_checked)++;
			}
}

static void agents_managed_by_organisation(void **state)
{
	int n = 0;
	each_actor(check_agent_management, &n);
	assert_int_equal(n, 9 * 3 * 8);
}

/* Finding 1 of issue 12, as the table sees it: acme's tenant admin resets
 * the password of the platform admin, who is a member of acme. */
static void a_tenant_admin_cannot_touch_the_platform_admin(void **state)
{
	struct authz_actor acme_admin = {.user_id = 5, .tenant_id = HERE, .has_role = true, .role = ROLE_TENANT_ADMIN};
	struct authz_target pa = {.exists = true, .user_id = 1, .platform_admin = true, .n_memberships = 1};
	pa.memberships[0] = membership(HERE, ROLE_TENANT_ADMIN, false, true, ROLE_TENANT_ADMIN);
	const enum authz_action acts[] = {AUTHZ_SET_PASSWORD, AUTHZ_SET_ROLE, AUTHZ_DISABLE, AUTHZ_ENABLE};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(authz_decide(&acme_admin, acts[i], &pa, NULL), AUTHZ_FORBID);
	assert_int_equal(authz_decide(&acme_admin, AUTHZ_VIEW_USER, &pa, NULL), AUTHZ_ALLOW);
	assert_int_equal(authz_decide(&acme_admin, AUTHZ_GRANT_MEMBERSHIP, &pa, NULL), AUTHZ_FORBID);
}

/* Roles compared by what they allow and show, spelled out. */
static void roles_within_roles(void **state)
{
	for (int r = 0; r < ROLE_N; r++) {
		assert_true(authz_role_within((enum role)r, (enum role)r));
		assert_true(authz_role_within((enum role)r, ROLE_TENANT_ADMIN));
	}
	assert_false(authz_role_within(ROLE_TENANT_ADMIN, ROLE_SUPERVISOR));
	assert_true(authz_role_within(ROLE_AGENT, ROLE_SUPERVISOR));
	assert_true(authz_role_within(ROLE_PLANNER, ROLE_SUPERVISOR));
	assert_true(authz_role_within(ROLE_OUTSOURCED_AGENT, ROLE_AGENT));
	assert_false(authz_role_within(ROLE_AGENT, ROLE_OUTSOURCED_AGENT)); /* sees personal data */
	assert_false(authz_role_within(ROLE_AUTHOR, ROLE_AGENT));           /* writes knowledge */
	assert_true(authz_role_within(ROLE_AUTHOR, ROLE_REVIEWER));
	assert_false(authz_role_within(ROLE_REVIEWER, ROLE_EXPERT));        /* reviews */
	assert_false(authz_role_within(ROLE_N, ROLE_TENANT_ADMIN));
}

/* The cap on given roles, which no real tenant role hits today (only
 * tenant admins manage users, and every role is within theirs). */
static void nobody_raises_above_itself(void **state)
{
	struct authz_actor sup = {.user_id = ME, .tenant_id = HERE, .has_role = true, .role = ROLE_SUPERVISOR};
	struct authz_target t = {.new_role = ROLE_TENANT_ADMIN};
	/* a supervisor lacks the permission anyway; the reason says so first */
	const char *why = NULL;
	assert_int_equal(authz_decide(&sup, AUTHZ_CREATE_TOKEN, &t, &why), AUTHZ_FORBID);
	assert_non_null(why);
	assert_int_equal(authz_decide(&sup, AUTHZ_SET_ROLE, &t, NULL), AUTHZ_FORBID);
	struct authz_actor pa = {.user_id = ME, .tenant_id = HERE, .has_role = true, .role = ROLE_TENANT_ADMIN,
				 .platform_admin = true};
	assert_int_equal(authz_decide(&pa, AUTHZ_CREATE_TOKEN, &t, NULL), AUTHZ_ALLOW);
	assert_int_equal(authz_decide(&pa, (enum authz_action)AUTHZ_N, &t, NULL), AUTHZ_FORBID);
	assert_null(authz_action_name(AUTHZ_N));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_actor_every_target_every_action),
		cmocka_unit_test(foreign_tokens_are_not_found),
		cmocka_unit_test(placement_in_organisations),
		cmocka_unit_test(agents_managed_by_organisation),
		cmocka_unit_test(a_tenant_admin_cannot_touch_the_platform_admin),
		cmocka_unit_test(roles_within_roles),
		cmocka_unit_test(nobody_raises_above_itself),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
