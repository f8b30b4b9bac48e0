/* Who may act on whom, through the real daemon (issue 12, findings 1, 11
 * and 15). Two tenants, acme and globex; every role of acme, a platform
 * admin who is a member of acme, a tenant admin of both, an API token of
 * acme and globex's admin call every user, membership, password, token and
 * organisation endpoint on every kind of target, and the status must be the
 * one the rules below give (written here, not read from the daemon's
 * table). Then the takeover of finding 1 end to end, the revocations of
 * finding 11, and the enumeration and look-alike emails of finding 15. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PASSWORD "authz pass 1"
#define NOBODY_ID 999999LL

static struct daemon d;

enum tenant { ACME, GLOBEX };
static const char *const tenant_names[] = {"acme", "globex"};

/* Who calls. A person logs in with email; the API token is made by acme's admin. */
struct actor {
	const char *name, *email;
	enum tenant tenant;     /* where it acts */
	const char *role;       /* its role there */
	bool platform_admin, person;
	bool admin_of[2];       /* holds tenant_admin in acme, globex */
	long long id;
	char *token;
};

static struct actor actors[] = {
	{"acme tenant_admin", "admin@acme.example", ACME, "tenant_admin", false, true, {true, false}, 0, NULL},
	{"acme supervisor", "supervisor@acme.example", ACME, "supervisor", false, true, {false, false}, 0, NULL},
	{"acme agent", "agent@acme.example", ACME, "agent", false, true, {false, false}, 0, NULL},
	{"acme expert", "expert@acme.example", ACME, "expert", false, true, {false, false}, 0, NULL},
	{"acme author", "author@acme.example", ACME, "author", false, true, {false, false}, 0, NULL},
	{"acme reviewer", "reviewer@acme.example", ACME, "reviewer", false, true, {false, false}, 0, NULL},
	{"acme planner", "planner@acme.example", ACME, "planner", false, true, {false, false}, 0, NULL},
	{"acme outsourced_agent", "outsourced@acme.example", ACME, "outsourced_agent", false, true,
	 {false, false}, 0, NULL},
	{"platform admin", "pa@host.example", ACME, "tenant_admin", true, true, {true, false}, 0, NULL},
	{"admin of both", "both@acme.example", ACME, "tenant_admin", false, true, {true, true}, 0, NULL},
	{"acme API token", NULL, ACME, "tenant_admin", false, false, {true, false}, 0, NULL},
	{"globex tenant_admin", "admin@globex.example", GLOBEX, "tenant_admin", false, true, {false, true}, 0, NULL},
};
#define N_ACTORS (sizeof(actors) / sizeof(actors[0]))
#define ACME_ADMIN (&actors[0])
#define PA (&actors[8])
#define BOTH (&actors[9])
#define API (&actors[10])
#define GLOBEX_ADMIN (&actors[11])

enum kind { K_SELF, K_MEMBER, K_PEER, K_OUTSOURCED, K_DISABLED_ELSEWHERE, K_PLATFORM, K_STRANGER, K_NOBODY, K_N };

/* Whom the calls are about: their memberships (a role per tenant, NULL for
 * none) and whether each is disabled. */
struct target {
	const char *name, *email;
	const char *role[2];
	bool disabled[2];
	long long id;
};

static struct target targets[K_N] = {
	[K_SELF] = {"self", NULL, {NULL, NULL}, {false, false}, 0},
	[K_MEMBER] = {"acme agent", "member@acme.example", {"agent", NULL}, {false, false}, 0},
	[K_PEER] = {"another acme admin", "peer@acme.example", {"tenant_admin", NULL}, {false, false}, 0},
	[K_OUTSOURCED] = {"outsourcer's agent in both", "agent@bpo.example", {"outsourced_agent", "outsourced_agent"},
			  {false, false}, 0},
	[K_DISABLED_ELSEWHERE] = {"acme agent disabled in globex", "left@bpo.example", {"agent", "outsourced_agent"},
				  {false, true}, 0},
	[K_PLATFORM] = {"platform admin", "pa@host.example", {"tenant_admin", NULL}, {false, false}, 0},
	[K_STRANGER] = {"globex agent", "victim@globex.example", {NULL, "agent"}, {false, false}, 0},
	[K_NOBODY] = {"nobody", NULL, {NULL, NULL}, {false, false}, NOBODY_ID},
};

static char *peer_token; /* the peer admin's session, to make tokens */
static long long globex_customer;

/* ---- the rules, written out ---- */

static bool reads_users(const struct actor *a)
{
	return !strcmp(a->role, "tenant_admin") || !strcmp(a->role, "supervisor") || !strcmp(a->role, "planner");
}

static bool manages(const struct actor *a)
{
	return !strcmp(a->role, "tenant_admin");
}

static bool is_self(const struct actor *a, enum kind k)
{
	return k == K_SELF || (k == K_PLATFORM && a == PA);
}

/* The target's role in the actor's tenant (NULL: not a member there). */
static const char *role_there(const struct actor *a, enum kind k)
{
	return k == K_SELF ? a->role : targets[k].role[a->tenant];
}

/* Every tenant of the target is one the actor administers. */
static bool administers_all(const struct actor *a, enum kind k)
{
	for (int t = 0; t < 2; t++)
		if (targets[k].role[t] && !a->admin_of[t])
			return false;
	return true;
}

static int expected_view(const struct actor *a, enum kind k)
{
	if (!reads_users(a))
		return 403;
	return role_there(a, k) ? 200 : 404;
}

/* role, disable, enable, password */
static int expected_change(const struct actor *a, const char *what, enum kind k)
{
	bool password = !strcmp(what, "password");
	if (!manages(a))
		return 403;
	if (!role_there(a, k))
		return 404;
	if (is_self(a, k) && (!strcmp(what, "disable") || !strcmp(what, "enable")))
		return 403;
	if (a->platform_admin || is_self(a, k))
		return 200;
	if (k == K_PLATFORM)
		return 403;
	if (password && !administers_all(a, k))
		return 403;
	return 200;
}

/* ---- helpers ---- */

static char *make_token(const char *maker, const char *role, long long *ret_id)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/api-tokens", maker, json_pack("{s:s,s:s}", "name", "probe", "role", role), &r);
	if (r.status != 201)
		fprintf(stderr, "token: %d %s\n", r.status, r.text);
	assert_int_equal(r.status, 201);
	char *text = strdup(json_string_value(json_object_get(r.json, "token")));
	if (ret_id)
		*ret_id = resp_int(&r, "id");
	resp_clear(&r);
	return text;
}

static bool alive(const char *token)
{
	return token && http_status(&d, "GET", "/api/v1/me", token, NULL) == 200;
}

/* The actor's token, logging in again (or making a new API token) when a
 * password change or a disable ended it. */
static const char *tok(struct actor *a)
{
	if (alive(a->token))
		return a->token;
	free(a->token);
	a->token = a->person ? login(&d, a->email, PASSWORD) : make_token(tok(ACME_ADMIN), "tenant_admin", NULL);
	return a->token;
}

static const char *peer(void)
{
	if (!alive(peer_token)) {
		free(peer_token);
		peer_token = login(&d, targets[K_PEER].email, PASSWORD);
	}
	return peer_token;
}

static long long target_id(const struct actor *a, enum kind k)
{
	return k == K_SELF ? a->id : targets[k].id;
}

static const char *target_email(const struct actor *a, enum kind k)
{
	return k == K_SELF ? a->email : k == K_NOBODY ? "nobody@nowhere.example" : targets[k].email;
}

static int call(struct actor *a, const char *method, const char *path, const char *body)
{
	struct resp r;
	http_raw(&d, method, path, tok(a), NULL, body ? "application/json" : NULL, body, body ? strlen(body) : 0, &r);
	int status = r.status;
	resp_clear(&r);
	return status;
}

static void expect(const struct actor *a, const char *what, const char *on, int got, int want)
{
	if (got != want) {
		fprintf(stderr, "%s: %s on %s answered %d, expected %d\n", a->name, what, on, got, want);
		fail();
	}
}

static long long user_in(const char *token, const char *email, const char *role, const char *organisation)
{
	json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email, "password", PASSWORD, "role", role);
	if (organisation)
		json_object_set_new(body, "organisation", json_string(organisation));
	return post_id(&d, token, "/api/v1/users", body);
}

static void grant(const char *email, enum tenant t, const char *role)
{
	assert_int_equal(http_status(&d, "POST", "/api/v1/memberships", tok(PA), json_pack("{s:s,s:s,s:s}", "email", email,
		"tenant", tenant_names[t], "role", role)), 200);
}

static void membership_state(enum tenant t, long long id, bool disabled)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/%s", id, disabled ? "disable" : "enable");
	const char *token = t == ACME ? tok(PA) : tok(GLOBEX_ADMIN);
	assert_int_equal(http_status(&d, "POST", path, token, NULL), 200);
}

static int setup(void **state)
{
	if (daemon_init(&d, "acme", PA->email, PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "globex", GLOBEX_ADMIN->email, PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	PA->token = login(&d, PA->email, PASSWORD);
	GLOBEX_ADMIN->token = login(&d, GLOBEX_ADMIN->email, PASSWORD);
	assert_int_equal(http_status(&d, "POST", "/api/v1/organisations", PA->token,
				     json_pack("{s:s,s:s}", "name", "BPO", "kind", "outsourcer")), 201);
	for (size_t i = 0; i < N_ACTORS; i++) {
		struct actor *a = &actors[i];
		if (a->person && a != PA && a != GLOBEX_ADMIN)
			a->id = user_in(PA->token, a->email, a->role, NULL);
	}
	grant(BOTH->email, GLOBEX, "tenant_admin");
	targets[K_MEMBER].id = user_in(PA->token, targets[K_MEMBER].email, "agent", NULL);
	targets[K_PEER].id = user_in(PA->token, targets[K_PEER].email, "tenant_admin", NULL);
	targets[K_OUTSOURCED].id = user_in(PA->token, targets[K_OUTSOURCED].email, "outsourced_agent", "BPO");
	grant(targets[K_OUTSOURCED].email, GLOBEX, "outsourced_agent");
	targets[K_DISABLED_ELSEWHERE].id = user_in(PA->token, targets[K_DISABLED_ELSEWHERE].email, "agent", "BPO");
	grant(targets[K_DISABLED_ELSEWHERE].email, GLOBEX, "outsourced_agent");
	membership_state(GLOBEX, targets[K_DISABLED_ELSEWHERE].id, true);
	targets[K_STRANGER].id = user_in(GLOBEX_ADMIN->token, targets[K_STRANGER].email, "agent", NULL);
	struct resp r;
	for (size_t i = 0; i < N_ACTORS; i++) {
		if (!actors[i].person)
			continue;
		http_json(&d, "GET", "/api/v1/me", tok(&actors[i]), NULL, &r);
		actors[i].id = resp_int(&r, "user_id");
		resp_clear(&r);
	}
	targets[K_PLATFORM].id = PA->id;
	/* globex classes its cards confidential (its attribute policy) */
	if (http_status(&d, "PATCH", "/api/v1/customer-attributes", GLOBEX_ADMIN->token,
			json_pack("{s:{s:s}}", "attributes", "card", "confidential")) != 200)
		return -1;
	globex_customer = post_id(&d, GLOBEX_ADMIN->token, "/api/v1/customers", json_pack("{s:s,s:{s:{s:s,s:s}}}",
		"external_id", "G-1", "attributes", "card", "value", "SECRET-GLOBEX", "class", "confidential"));
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < N_ACTORS; i++)
		free(actors[i].token);
	free(peer_token);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* Puts a membership the probe changed back as it was. */
static void restore(const struct actor *a, enum kind k)
{
	long long id = target_id(a, k);
	enum tenant t = a->tenant;
	bool was_disabled = k != K_SELF && targets[k].disabled[t];
	membership_state(t, id, was_disabled);
}

/* ---- the matrix ---- */

static void user_endpoints_as_every_actor_on_every_target(void **state)
{
	static const char *const changes[] = {"role", "disable", "enable", "password"};
	for (size_t i = 0; i < N_ACTORS; i++) {
		struct actor *a = &actors[i];
		expect(a, "GET /users", "the tenant", call(a, "GET", "/api/v1/users", NULL), reads_users(a) ? 200 : 403);
		for (int k = 0; k < K_N; k++) {
			if (k == K_SELF && !a->person)
				continue; /* a token is nobody */
			char path[96], body[96];
			long long id = target_id(a, (enum kind)k);
			snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
			expect(a, "GET /users/{id}", targets[k].name, call(a, "GET", path, NULL), expected_view(a, (enum kind)k));
			for (size_t c = 0; c < 4; c++) {
				snprintf(path, sizeof(path), "/api/v1/users/%lld/%s", id, changes[c]);
				const char *role = role_there(a, (enum kind)k);
				const char *json = NULL;
				if (!strcmp(changes[c], "role")) {
					snprintf(body, sizeof(body), "{\"role\":\"%s\"}", role ? role : "agent");
					json = body;
				} else if (!strcmp(changes[c], "password")) {
					json = "{\"password\":\"" PASSWORD "\"}"; /* the same one: only sessions end */
				}
				int got = call(a, "POST", path, json);
				char what[64];
				snprintf(what, sizeof(what), "POST /users/{id}/%s", changes[c]);
				expect(a, what, targets[k].name, got, expected_change(a, changes[c], (enum kind)k));
				if (got == 200 && (!strcmp(changes[c], "disable") || !strcmp(changes[c], "enable")))
					restore(a, (enum kind)k);
			}
		}
	}
}

static void membership_and_organisation_endpoints(void **state)
{
	for (size_t i = 0; i < N_ACTORS; i++) {
		struct actor *a = &actors[i];
		char body[256];
		snprintf(body, sizeof(body), "{\"name\":\"org of %s\",\"kind\":\"brand\"}", a->name);
		expect(a, "POST /organisations", "-", call(a, "POST", "/api/v1/organisations", body),
		       a->platform_admin ? 201 : 403);
		expect(a, "GET /organisations", "-", call(a, "GET", "/api/v1/organisations", NULL),
		       a->platform_admin ? 200 : 403);
		for (int k = 0; k < K_N; k++) {
			if (k == K_SELF && !a->person)
				continue;
			/* the membership it already has (no change), or one in acme for nobody */
			enum tenant t = k == K_STRANGER ? GLOBEX : k == K_SELF ? a->tenant : ACME;
			const char *role = k == K_SELF ? a->role : targets[k].role[t] ? targets[k].role[t] : "agent";
			if (k == K_DISABLED_ELSEWHERE)
				t = ACME; /* granting would enable the globex one */
			snprintf(body, sizeof(body), "{\"email\":\"%s\",\"tenant\":\"%s\",\"role\":\"%s\"}",
				 target_email(a, (enum kind)k), tenant_names[t], role);
			int want = !a->platform_admin ? 403 : k == K_NOBODY ? 422 : 200;
			expect(a, "POST /memberships", targets[k].name, call(a, "POST", "/api/v1/memberships", body), want);
		}
	}
}

enum token_kind { TK_OWN, TK_PEER, TK_PLATFORM, TK_GLOBEX, TK_NONE, TK_N };
static const char *const token_kinds[] = {"its own token", "another acme admin's token", "the platform admin's token",
					  "a globex token", "no token"};

static int expected_revoke(const struct actor *a, enum token_kind tk)
{
	if (!manages(a))
		return 403;
	enum tenant where = tk == TK_GLOBEX ? GLOBEX : ACME;
	if (tk == TK_NONE || (tk != TK_OWN && where != a->tenant))
		return 404;
	if (tk == TK_PLATFORM && !a->platform_admin)
		return 403;
	return 204;
}

static void token_endpoints(void **state)
{
	for (size_t i = 0; i < N_ACTORS; i++) {
		struct actor *a = &actors[i];
		const char *body = "{\"name\":\"probe\",\"role\":\"agent\"}";
		expect(a, "POST /api-tokens", "-", call(a, "POST", "/api/v1/api-tokens", body),
		       manages(a) && a->person ? 201 : 403);
		expect(a, "GET /api-tokens", "-", call(a, "GET", "/api/v1/api-tokens", NULL), manages(a) ? 200 : 403);
		/* above its own role: an admin may give any role, so only the route's refusal shows */
		for (int tk = 0; tk < TK_N; tk++) {
			if (tk == TK_OWN && !(manages(a) && a->person))
				continue;
			long long id = NOBODY_ID;
			char *text = NULL;
			if (tk == TK_OWN)
				text = make_token(tok(a), "agent", &id);
			else if (tk == TK_PEER)
				text = make_token(peer(), "agent", &id);
			else if (tk == TK_PLATFORM)
				text = make_token(tok(PA), "agent", &id);
			else if (tk == TK_GLOBEX)
				text = make_token(tok(GLOBEX_ADMIN), "agent", &id);
			char path[64];
			snprintf(path, sizeof(path), "/api/v1/api-tokens/%lld", id);
			int want = expected_revoke(a, (enum token_kind)tk);
			expect(a, "DELETE /api-tokens/{id}", token_kinds[tk], call(a, "DELETE", path, NULL), want);
			if (text)
				assert_int_equal(http_status(&d, "GET", "/api/v1/me", text, NULL), want == 204 ? 401 : 200);
			free(text);
		}
	}
}

/* New users: an organisation of the tenant, one that staffs it, or (for a
 * platform admin) any; an unrelated one answers like a missing one. */
static void user_creation_and_organisations(void **state)
{
	static const char *const orgs[] = {NULL, "acme", "BPO", "globex", "no such org"};
	/* which organisation staffs which tenant (its own, or people of it
	 * working there: acme staffs globex through the admin of both), as the
	 * users created below change it */
	bool staffs[5][2] = {{true, true}, {true, true}, {true, true}, {false, true}, {false, false}};
	int n = 0;
	for (size_t i = 0; i < N_ACTORS; i++) {
		struct actor *a = &actors[i];
		for (size_t o = 0; o < sizeof(orgs) / sizeof(orgs[0]); o++) {
			char email[64];
			snprintf(email, sizeof(email), "new%d@%s.example", n++, tenant_names[a->tenant]);
			json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", "New", "password", PASSWORD,
						 "role", "agent");
			if (orgs[o])
				json_object_set_new(body, "organisation", json_string(orgs[o]));
			struct resp r;
			http_json(&d, "POST", "/api/v1/users", tok(a), body, &r);
			int want;
			if (!manages(a))
				want = 403;
			else if (o == 4)
				want = 422;
			else
				want = staffs[o][a->tenant] || a->platform_admin ? 201 : 422;
			expect(a, "POST /users with organisation", orgs[o] ? orgs[o] : "(none)", r.status, want);
			if (want == 422)
				assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")),
						    "organisation");
			if (r.status == 201)
				staffs[o][a->tenant] = true;
			resp_clear(&r);
		}
	}
	/* an unrelated organisation and a missing one answer alike */
	assert_int_equal(http_status(&d, "POST", "/api/v1/organisations", tok(PA),
				     json_pack("{s:s,s:s}", "name", "Far Away", "kind", "outsourcer")), 201);
	struct resp r1, r2;
	http_json(&d, "POST", "/api/v1/users", tok(ACME_ADMIN), json_pack("{s:s,s:s,s:s,s:s,s:s}", "email",
		  "x1@acme.example", "name", "X", "password", PASSWORD, "role", "agent", "organisation", "Far Away"), &r1);
	http_json(&d, "POST", "/api/v1/users", tok(ACME_ADMIN), json_pack("{s:s,s:s,s:s,s:s,s:s}", "email",
		  "x2@acme.example", "name", "X", "password", PASSWORD, "role", "agent", "organisation", "Far Awaz"), &r2);
	assert_int_equal(r1.status, 422);
	assert_int_equal(r2.status, 422);
	assert_non_null(strstr(r1.text, "'Far Away' is neither this tenant's organisation nor one that staffs it"));
	assert_non_null(strstr(r2.text, "'Far Awaz' is neither this tenant's organisation nor one that staffs it"));
	resp_clear(&r1);
	resp_clear(&r2);
}

/* ---- finding 1, end to end ---- */

static void the_platform_admin_takeover_fails(void **state)
{
	const char *attacker = tok(ACME_ADMIN);
	const char *pa = tok(PA);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/password", PA->id);
	struct resp r;
	http_json(&d, "POST", path, attacker, json_pack("{s:s}", "password", "attacker chose this"), &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.text, "platform admin"));
	resp_clear(&r);
	/* logging in with it fails; the real one still works */
	assert_int_equal(http_status(&d, "POST", "/api/v1/auth/login", NULL, json_pack("{s:s,s:s}", "email", PA->email,
		"password", "attacker chose this")), 401);
	assert_true(alive(pa));
	free(login(&d, PA->email, PASSWORD));
	/* nor role, disable: the platform admin keeps its powers */
	snprintf(path, sizeof(path), "/api/v1/users/%lld/role", PA->id);
	assert_int_equal(http_status(&d, "POST", path, attacker, json_pack("{s:s}", "role", "agent")), 403);
	snprintf(path, sizeof(path), "/api/v1/users/%lld/disable", PA->id);
	assert_int_equal(http_status(&d, "POST", path, attacker, NULL), 403);
	/* granting itself globex, and reading globex's customers, fail */
	assert_int_equal(http_status(&d, "POST", "/api/v1/memberships", attacker, json_pack("{s:s,s:s,s:s}", "email",
		ACME_ADMIN->email, "tenant", "globex", "role", "tenant_admin")), 403);
	http_raw(&d, "GET", "/api/v1/customers", attacker, "globex", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 403);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld", globex_customer);
	http_json(&d, "GET", path, attacker, NULL, &r);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.text, "SECRET-GLOBEX"));
	resp_clear(&r);
	/* an API token of acme's admin cannot do it either */
	snprintf(path, sizeof(path), "/api/v1/users/%lld/password", PA->id);
	assert_int_equal(http_status(&d, "POST", path, tok(API), json_pack("{s:s}", "password", "attacker chose this")), 403);
	/* nor may acme's admin reset the outsourcer's agent who also serves globex */
	snprintf(path, sizeof(path), "/api/v1/users/%lld/password", targets[K_OUTSOURCED].id);
	assert_int_equal(http_status(&d, "POST", path, attacker, json_pack("{s:s}", "password", "attacker chose this")), 403);
	assert_int_equal(http_status(&d, "POST", "/api/v1/auth/login", NULL, json_pack("{s:s,s:s}", "email",
		targets[K_OUTSOURCED].email, "password", "attacker chose this")), 401);
}

/* ---- finding 11: what ends a token ---- */

static char *maker_session(long long *ret_id)
{
	static long long id;
	if (id == 0)
		id = user_in(tok(PA), "maker@acme.example", "tenant_admin", NULL);
	*ret_id = id;
	return login(&d, "maker@acme.example", PASSWORD);
}

static void user_post(const char *what, long long id, json_t *body)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/%s", id, what);
	assert_int_equal(http_status(&d, "POST", path, tok(PA), body), 200);
}

static void disabling_ends_sessions_and_tokens(void **state)
{
	long long id;
	char *session = maker_session(&id);
	char *api = make_token(session, "agent", NULL);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", api, NULL), 200);
	user_post("disable", id, NULL);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", api, NULL), 401);
	assert_int_equal(http_status(&d, "GET", "/api/v1/me", session, NULL), 401);
	user_post("enable", id, NULL);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", api, NULL), 401); /* revoked, not suspended */
	free(api);
	free(session);
}

/* An outsourcer's agent disabled by one brand keeps working for the other:
 * only its sessions in the disabling brand end, and a session of the other
 * brand cannot act in it (the membership is checked at each request). */
static void disabled_by_one_brand_works_for_the_other(void **state)
{
	long long id = user_in(PA->token, "two-brands@bpo.example", "agent", "BPO");
	grant("two-brands@bpo.example", GLOBEX, "outsourced_agent");
	char *in_acme = login(&d, "two-brands@bpo.example", PASSWORD), *in_globex = NULL;
	struct resp r;
	http_json(&d, "POST", "/api/v1/auth/login", NULL, json_pack("{s:s,s:s,s:s}", "email", "two-brands@bpo.example",
		"password", PASSWORD, "tenant", "globex"), &r);
	assert_int_equal(r.status, 200);
	in_globex = strdup(json_string_value(json_object_get(r.json, "token")));
	resp_clear(&r);
	membership_state(GLOBEX, id, true);
	assert_int_equal(http_status(&d, "GET", "/api/v1/me", in_globex, NULL), 401);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", in_acme, NULL), 200);
	http_raw(&d, "GET", "/api/v1/contacts", in_acme, "globex", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 403);
	resp_clear(&r);
	membership_state(GLOBEX, id, false);
	free(in_acme);
	free(in_globex);
}

/* Sends body as JSON (tenant: the X-Guichet-Tenant header, or NULL), which
 * must answer status; a 409's answer stays in r for the caller to read and
 * clear, any other is cleared. */
static void send_json(struct resp *r, const char *method, const char *path, const char *token, const char *tenant,
		      const char *body, int status)
{
	http_raw(&d, method, path, token, tenant, "application/json", body, strlen(body), r);
	assert_int_equal(r->status, status);
	if (status != 409)
		resp_clear(r);
}

/* An outsourced agent serving two brands takes contacts from one at a
 * time: available in one only while offline in the other. The agent is
 * told which brand holds them; the other brand's supervisor is not. */
static void contacts_come_from_one_brand_at_a_time(void **state)
{
	long long id = user_in(PA->token, "blended@bpo.example", "outsourced_agent", "BPO");
	grant("blended@bpo.example", GLOBEX, "outsourced_agent");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", id);
	static const char profile[] = "{\"level\":1,\"skills\":[],\"capacity\":{\"chat\":1}}";
	static const char available[] = "{\"presence\":\"available\"}", offline[] = "{\"presence\":\"offline\"}";
	struct resp r;
	send_json(&r, "PUT", path, tok(PA), NULL, profile, 200);
	send_json(&r, "PUT", path, tok(GLOBEX_ADMIN), NULL, profile, 200);
	char *agent = login(&d, "blended@bpo.example", PASSWORD);
	send_json(&r, "POST", "/api/v1/agents/me/presence", agent, NULL, available, 200);
	send_json(&r, "POST", "/api/v1/agents/me/presence", agent, "globex", available, 409);
	assert_non_null(strstr(r.text, "at work for acme (available)"));
	/* named apart too, for the desk to say it in the agent's language */
	const char *brand = json_string_value(json_object_get(json_object_get(r.json, "error"), "tenant"));
	const char *there = json_string_value(json_object_get(json_object_get(r.json, "error"), "presence"));
	assert_non_null(brand);
	assert_non_null(there);
	assert_string_equal(brand, "acme");
	assert_string_equal(there, "available");
	resp_clear(&r);
	char force[80];
	snprintf(force, sizeof(force), "/api/v1/agents/%lld/presence", id);
	send_json(&r, "POST", force, tok(GLOBEX_ADMIN), NULL, available, 409);
	assert_null(strstr(r.text, "acme"));
	resp_clear(&r);
	send_json(&r, "POST", "/api/v1/agents/me/presence", agent, NULL, offline, 200);
	send_json(&r, "POST", "/api/v1/agents/me/presence", agent, "globex", available, 200);
	http_raw(&d, "POST", "/api/v1/agents/me/presence", agent, "globex", "application/json", offline, strlen(offline),
		 &r);
	resp_clear(&r);
	free(agent);
}

static void a_new_password_ends_sessions_and_tokens(void **state)
{
	long long id;
	char *session = maker_session(&id);
	char *api = make_token(session, "agent", NULL);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", api, NULL), 200);
	user_post("password", id, json_pack("{s:s}", "password", PASSWORD));
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", api, NULL), 401);
	assert_int_equal(http_status(&d, "GET", "/api/v1/me", session, NULL), 401);
	free(api);
	free(session);
}

static void a_demoted_creator_takes_its_tokens_down(void **state)
{
	long long id;
	char *session = maker_session(&id);
	char *high = make_token(session, "supervisor", NULL);
	char *low = make_token(session, "outsourced_agent", NULL);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", high, NULL), 200);
	user_post("role", id, json_pack("{s:s}", "role", "agent"));
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", high, NULL), 401); /* above its maker now */
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", low, NULL), 200);
	user_post("role", id, json_pack("{s:s}", "role", "tenant_admin"));
	free(high);
	free(low);
	free(session);
}

static void revoking_and_logging_out_end_at_once(void **state)
{
	long long id;
	char *session = maker_session(&id);
	long long token_id;
	char *api = make_token(session, "agent", &token_id);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", api, NULL), 200); /* now cached */
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/api-tokens/%lld", token_id);
	assert_int_equal(http_status(&d, "DELETE", path, session, NULL), 204);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", api, NULL), 401);
	assert_int_equal(http_status(&d, "GET", "/api/v1/me", session, NULL), 200);
	assert_int_equal(http_status(&d, "POST", "/api/v1/auth/logout", session, NULL), 204);
	assert_int_equal(http_status(&d, "GET", "/api/v1/me", session, NULL), 401);
	/* a token cannot mint tokens that would outlive its maker */
	char *other = make_token(tok(ACME_ADMIN), "tenant_admin", NULL);
	assert_int_equal(http_status(&d, "POST", "/api/v1/api-tokens", other, json_pack("{s:s,s:s}", "name", "child",
		"role", "agent")), 403);
	free(other);
	free(api);
	free(session);
}

/* ---- finding 15: enumeration and look-alikes ---- */

static void emails_reveal_nothing_and_have_no_look_alikes(void **state)
{
	const char *admin = tok(ACME_ADMIN);
	struct resp here, elsewhere, admin_elsewhere, platform;
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", "member@acme.example",
		  "name", "Dup", "password", PASSWORD, "role", "agent"), &here);
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", "VICTIM@globex.example",
		  "name", "Dup", "password", PASSWORD, "role", "agent"), &elsewhere);
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", "admin@globex.example",
		  "name", "Dup", "password", PASSWORD, "role", "agent"), &admin_elsewhere);
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", PA->email,
		  "name", "Dup", "password", PASSWORD, "role", "agent"), &platform);
	assert_int_equal(here.status, 409);
	assert_string_equal(here.text, elsewhere.text); /* word for word */
	assert_string_equal(here.text, admin_elsewhere.text);
	assert_string_equal(here.text, platform.text);
	assert_string_equal(resp_error(&elsewhere), "email_unavailable");
	assert_null(strstr(elsewhere.text, "globex"));
	resp_clear(&here);
	http_json(&d, "GET", "/api/v1/audit?limit=500", admin, NULL, &here);
	assert_non_null(strstr(here.text, "\"user_create_refused\""));
	assert_non_null(strstr(here.text, "victim@globex.example")); /* the probe shows, normalised */
	resp_clear(&here);
	resp_clear(&elsewhere);
	resp_clear(&admin_elsewhere);
	resp_clear(&platform);
	/* a Cyrillic a, and a Cyrillic domain: refused, naming the field */
	static const char *const look_alikes[] = {"\xd0\xb0" "dmin@acme.example", "admin@\xd0\xb0" "cme.example"};
	for (size_t i = 0; i < 2; i++) {
		struct resp r;
		http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", look_alikes[i],
			  "name", "Fake", "password", PASSWORD, "role", "agent"), &r);
		assert_int_equal(r.status, 400);
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "email");
		resp_clear(&r);
		http_json(&d, "POST", "/api/v1/memberships", tok(PA), json_pack("{s:s,s:s,s:s}", "email", look_alikes[i],
			  "tenant", "acme", "role", "agent"), &r);
		assert_int_equal(r.status, 400);
		resp_clear(&r);
	}
	/* an A-label is fine; emails are stored lowercase */
	struct resp r;
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", "Jo.Doe@XN--ACME-9QA.example",
		  "name", "Jo", "password", PASSWORD, "role", "agent"), &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "email")), "jo.doe@xn--acme-9qa.example");
	resp_clear(&r);
	free(login(&d, "jo.doe@xn--acme-9qa.example", PASSWORD));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_endpoints_as_every_actor_on_every_target),
		cmocka_unit_test(membership_and_organisation_endpoints),
		cmocka_unit_test(token_endpoints),
		cmocka_unit_test(user_creation_and_organisations),
		cmocka_unit_test(the_platform_admin_takeover_fails),
		cmocka_unit_test(disabling_ends_sessions_and_tokens),
		cmocka_unit_test(disabled_by_one_brand_works_for_the_other),
		cmocka_unit_test(contacts_come_from_one_brand_at_a_time),
		cmocka_unit_test(a_new_password_ends_sessions_and_tokens),
		cmocka_unit_test(a_demoted_creator_takes_its_tokens_down),
		cmocka_unit_test(revoking_and_logging_out_end_at_once),
		cmocka_unit_test(emails_reveal_nothing_and_have_no_look_alikes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
