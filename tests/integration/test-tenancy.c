/* Tenant isolation, tested as a matrix: every endpoint, called by every
 * role of tenant A (and by an API token of A) on the resources of tenant B,
 * must answer 403 or 404 and change nothing; the same call on A's own
 * resources must never answer 404 (so the matrix tests access, not typos).
 * List endpoints must never show B's rows, and naming tenant B in the
 * X-Guichet-Tenant header is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/clock.h"
#include "harness.h"
#include "testdb.h"

#include <sys/stat.h>

#define PASSWORD "tenant pass 1"

static const char *const roles[] = {"tenant_admin", "supervisor", "agent", "expert", "author",
				    "reviewer", "planner", "outsourced_agent"};
#define N_ROLES (sizeof(roles) / sizeof(roles[0]))

enum kind { K_NONE, K_CONTACT, K_CUSTOMER, K_USER, K_TOKEN, K_QUEUE, K_SKILL, K_FRESH_QUEUE, K_MESSAGING,
	     K_FRESH_MESSAGING, K_CALLBACK, K_CHAT,
	     K_FRESH_CHAT, K_GESTURE, K_INCIDENT, K_RECORDING };

/* The routes of src/daemon/http.c that act on one resource or list. */
static const struct probe {
	const char *method, *path; /* %lld for the resource id */
	enum kind kind;
	const char *body;          /* JSON, or NULL */
} probes[] = {
	{"GET", "/api/v1/contacts/%lld", K_CONTACT, NULL},
	{"PATCH", "/api/v1/contacts/%lld", K_CONTACT, "{\"subject\":\"probe\"}"},
	{"POST", "/api/v1/contacts/%lld/state", K_CONTACT, "{\"state\":\"queued\"}"},
	{"POST", "/api/v1/contacts/%lld/messages", K_CONTACT, "{\"direction\":\"inbound\",\"body\":\"probe\"}"},
	{"POST", "/api/v1/contacts/%lld/notes", K_CONTACT, "{\"body\":\"probe\"}"},
	{"GET", "/api/v1/contacts/%lld/events", K_CONTACT, NULL},
	{"GET", "/api/v1/contacts/%lld/journey", K_CONTACT, NULL},
	{"GET", "/api/v1/customers/%lld", K_CUSTOMER, NULL},
	{"PATCH", "/api/v1/customers/%lld", K_CUSTOMER, "{\"attributes\":{\"plan\":\"probe\"}}"},
	{"GET", "/api/v1/users/%lld", K_USER, NULL},
	{"POST", "/api/v1/users/%lld/role", K_USER, "{\"role\":\"agent\"}"},
	{"POST", "/api/v1/users/%lld/disable", K_USER, NULL},
	{"POST", "/api/v1/users/%lld/enable", K_USER, NULL},
	{"POST", "/api/v1/users/%lld/password", K_USER, "{\"password\":\"probe password\"}"},
	{"DELETE", "/api/v1/api-tokens/%lld", K_TOKEN, NULL},
	{"POST", "/api/v1/contacts", K_NONE, "{\"channel\":\"email\",\"customer_id\":%lld}"},
	{"PATCH", "/api/v1/contacts/%lld", K_CONTACT, "{\"customer_id\":%lld}"},
	{"GET", "/api/v1/queues/%lld", K_QUEUE, NULL},
	{"PATCH", "/api/v1/queues/%lld", K_QUEUE, "{\"wrapup_s\":5}"},
	{"DELETE", "/api/v1/queues/%lld", K_FRESH_QUEUE, NULL},
	{"PATCH", "/api/v1/skills/%lld", K_SKILL, "{\"name\":\"probe skill\"}"},
	{"DELETE", "/api/v1/skills/%lld", K_SKILL, NULL},
	{"GET", "/api/v1/agents/%lld", K_USER, NULL},
	{"PUT", "/api/v1/agents/%lld", K_USER, "{\"skills\":[],\"capacity\":{\"chat\":1}}"},
	{"POST", "/api/v1/agents/%lld/presence", K_USER, "{\"presence\":\"paused\",\"reason\":\"probe\"}"},
	{"POST", "/api/v1/contacts/%lld/enqueue", K_CONTACT, "{\"queue_id\":%lld}"},
	{"POST", "/api/v1/contacts", K_NONE, "{\"channel\":\"chat\",\"queue_id\":%lld}"},
	{"GET", "/api/v1/contacts/%lld/routing", K_CONTACT, NULL},
	{"POST", "/api/v1/contacts/%lld/accept", K_CONTACT, NULL},
	{"POST", "/api/v1/contacts/%lld/reject", K_CONTACT, NULL},
	{"POST", "/api/v1/contacts/%lld/wrapup", K_CONTACT, "{\"disposition\":\"probe\"}"},
	{"POST", "/api/v1/contacts/%lld/escalate", K_CONTACT, "{\"queue_id\":%lld,\"reason\":\"probe\"}"},
	{"POST", "/api/v1/contacts/%lld/transfer", K_CONTACT, "{\"queue_id\":%lld}"},
	{"POST", "/api/v1/contacts/%lld/move", K_CONTACT, "{\"queue_id\":%lld}"},
	{"POST", "/api/v1/contacts/%lld/abandon", K_CONTACT, NULL},
	{"POST", "/api/v1/contacts/%lld/call/hold", K_CONTACT, NULL},
	{"POST", "/api/v1/contacts/%lld/call/resume", K_CONTACT, NULL},
	{"POST", "/api/v1/contacts/%lld/call/transfer", K_CONTACT, "{\"queue_id\":%lld}"},
	{"POST", "/api/v1/contacts/%lld/call/escalate", K_CONTACT, "{\"queue_id\":%lld,\"reason\":\"probe\"}"},
	{"GET", "/api/v1/contacts/due?queue=%lld", K_QUEUE, NULL},
	{"GET", "/api/v1/reports/same-day?from=2026-01-01&to=2026-03-01&queue=%lld", K_QUEUE, NULL},
	{"GET", "/api/v1/reports/intervals?date=2026-01-01&queue=%lld", K_QUEUE, NULL},
	{"GET", "/api/v1/reports/summary?date=2026-01-01&queue=%lld", K_QUEUE, NULL},
	{"GET", "/api/v1/reports/reasons?from=2026-01-01&to=2026-03-01&queue=%lld", K_QUEUE, NULL},
	{"GET", "/api/v1/reports/satisfaction?from=2026-01-01&to=2026-03-01&queue=%lld", K_QUEUE, NULL},
	{"GET", "/api/v1/channels/messaging/%lld", K_MESSAGING, NULL},
	{"PATCH", "/api/v1/channels/messaging/%lld", K_MESSAGING, "{\"address\":\"+15559990000\"}"},
	{"DELETE", "/api/v1/channels/messaging/%lld", K_FRESH_MESSAGING, NULL},
	{"GET", "/api/v1/contacts/%lld/messaging", K_CONTACT, NULL},
	{"GET", "/api/v1/callbacks/%lld", K_CALLBACK, NULL},
	{"POST", "/api/v1/callbacks/%lld/outcome", K_CALLBACK, "{\"outcome\":\"no_answer\"}"},
	{"POST", "/api/v1/callbacks/%lld/cancel", K_CALLBACK, NULL},
	{"POST", "/api/v1/callbacks", K_NONE, "{\"phone\":\"+33 1 23 45 67 89\",\"queue_id\":%lld}"},
	{"PUT", "/api/v1/callbacks/settings", K_NONE, "{\"queue_id\":%lld,\"retry_after_s\":60}"},
	{"GET", "/api/v1/channels/chat/%lld", K_CHAT, NULL},
	{"PATCH", "/api/v1/channels/chat/%lld", K_CHAT, "{\"offline\":{\"message\":true}}"},
	{"POST", "/api/v1/channels/chat/%lld/secret", K_CHAT, NULL},
	{"POST", "/api/v1/contacts/%lld/chat/attachments?name=probe.txt", K_CONTACT, "{\"probe\":1}"},
	{"DELETE", "/api/v1/channels/chat/%lld", K_FRESH_CHAT, NULL},
	{"GET", "/api/v1/contacts/%lld/gestures", K_CONTACT, NULL},
	{"POST", "/api/v1/contacts/%lld/gestures", K_CONTACT, "{\"kind\":\"gift\",\"amount_cents\":100,\"reason\":\"probe\"}"},
	{"GET", "/api/v1/gestures/%lld", K_GESTURE, NULL},
	{"POST", "/api/v1/gestures/%lld/approve", K_GESTURE, "{}"},
	{"POST", "/api/v1/gestures/%lld/refuse", K_GESTURE, "{}"},
	{"GET", "/api/v1/incidents/%lld", K_INCIDENT, NULL},
	{"PUT", "/api/v1/incidents/%lld/audience", K_INCIDENT, "{\"all\":true}"},
	{"PUT", "/api/v1/incidents/%lld/templates", K_INCIDENT,
	 "{\"declaration\":{\"en\":{\"subject\":\"probe\",\"body\":\"probe\"}}}"},
	{"GET", "/api/v1/incidents/%lld/broadcasts", K_INCIDENT, NULL},
	{"POST", "/api/v1/incidents/%lld/broadcasts", K_INCIDENT, "{\"kind\":\"declaration\"}"},
	{"GET", "/api/v1/incidents/%lld/report", K_INCIDENT, NULL},
	{"GET", "/api/v1/contacts/%lld/recordings", K_CONTACT, NULL},
	{"GET", "/api/v1/recordings/%lld/audio", K_RECORDING, NULL},
};
#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

static const char *const lists[] = {"/api/v1/contacts?limit=500", "/api/v1/customers?limit=500",
	"/api/v1/users", "/api/v1/audit?limit=500", "/api/v1/api-tokens", "/api/v1/tenants",
	"/api/v1/customers?external_id=B-SECRET", "/api/v1/contacts?customer_id=%lld",
	"/api/v1/wfm/history?interval=86400&days=2", "/api/v1/queues", "/api/v1/skills", "/api/v1/agents",
	"/api/v1/queues/stats", "/api/v1/contacts/due?within=2592000&limit=1000", "/api/v1/calendar",
	"/api/v1/channels/messaging", "/api/v1/callbacks?limit=500", "/api/v1/callbacks/settings", "/api/v1/reports/callbacks",
	"/api/v1/channels/chat", "/api/v1/gestures?limit=500", "/api/v1/gestures/settings", "/api/v1/reports/gestures",
	"/api/v1/recordings/settings",
	"/api/v1/reports/summary?by=queue&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
	"/api/v1/reports/summary?by=agent&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
	"/api/v1/reports/reasons?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
	"/api/v1/reports/satisfaction?by=queue&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
	"/api/v1/reports/satisfaction?by=agent&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
	"/api/v1/reports/knowledge?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
	"/api/v1/reports/voice", "/api/v1/reports/voice/digest"};

struct tenant {
	char *admin;
	long long contact, customer, user, token_id, queue, skill, messaging, phone_queue, callback, chat, gesture, incident;
	long long recording;
	char *token; /* an API token's text */
};

static struct daemon d;
static struct tenant a, b;
static char rec_dir[160];
static char *role_tokens[N_ROLES];

static long long new_queue(struct tenant *t, const char *tag)
{
	static int n;
	char name[32];
	snprintf(name, sizeof(name), "%s-SECRET-queue-%d", tag, n++);
	return post_id(&d, t->admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", name, "skill_id",
		(json_int_t)t->skill, "channel", "chat"));
}

/* A messaging channel of t's (its name holds the tenant's secret tag). */
static long long new_messaging(struct tenant *t, const char *tag)
{
	static int n;
	char name[40];
	snprintf(name, sizeof(name), "%s-SECRET-sms-%d", tag, n++);
	return post_id(&d, t->admin, "/api/v1/channels/messaging", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name", name,
		"provider", "generic", "public_url", d.url, "api_url", "http://127.0.0.1:9", "address", "@probe",
		"secret", "probe secret"));
}

/* A web chat of t's (its name holds the tenant's secret tag). */
static long long new_chat_channel(struct tenant *t, const char *tag)
{
	static int n;
	char name[40];
	snprintf(name, sizeof(name), "%s-SECRET-chat-%d", tag, n++);
	return post_id(&d, t->admin, "/api/v1/channels/chat", json_pack("{s:s,s:I,s:[s]}", "name", name, "queue_id",
		(json_int_t)t->queue, "origins", "https://shop.example"));
}

/* A call's recording of t's contact: its row (as the voice channel writes
 * it) and its file in the recordings' folder, which holds the tenant's tag. */
static long long new_recording(struct tenant *t, const char *tag)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/me", t->admin, NULL, &r);
	long long tenant = resp_int(&r, "tenant_id");
	resp_clear(&r);
	char name[64], path[256], sql[512];
	snprintf(name, sizeof(name), "t%lld-probe.wav", tenant);
	snprintf(path, sizeof(path), "%s/%s", rec_dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "RIFF %s-SECRET-audio", tag);
	fclose(f);
	long long now = (long long)gc_now_ms();
	snprintf(sql, sizeof(sql), "INSERT INTO recordings(tenant_id, contact_id, started_at, duration_ms, bytes, path,"
		 " created_at) VALUES (%lld, %lld, %lld, 0, 20, '%s', %lld)", tenant, t->contact, now, name, now);
	assert_int_equal(testdb_exec(d.db, sql), 0);
	char list[96];
	snprintf(list, sizeof(list), "/api/v1/contacts/%lld/recordings", t->contact);
	http_json(&d, "GET", list, t->admin, NULL, &r);
	assert_int_equal(r.status, 200);
	long long id = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
	resp_clear(&r);
	return id;
}

static void fill(struct tenant *t, const char *tag)
{
	char ext[32], email[64];
	snprintf(ext, sizeof(ext), "%s-SECRET", tag);
	assert_int_equal(http_status(&d, "PATCH", "/api/v1/customer-attributes", t->admin,
				     json_pack("{s:{s:s}}", "attributes", "plan", "basic")), 200);
	t->customer = post_id(&d, t->admin, "/api/v1/customers", json_pack("{s:s,s:{s:{s:s,s:s}}}",
		"external_id", ext, "attributes", "plan", "value", "gold", "class", "basic"));
	t->contact = post_id(&d, t->admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "email",
		"subject", tag, "customer_id", (json_int_t)t->customer));
	snprintf(email, sizeof(email), "victim@%s.example", tag);
	t->user = post_id(&d, t->admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email,
		"name", "Victim", "password", PASSWORD, "role", "agent"));
	char name[32];
	snprintf(name, sizeof(name), "%s-SECRET-skill", tag);
	t->skill = post_id(&d, t->admin, "/api/v1/skills", json_pack("{s:s}", "name", name));
	t->queue = new_queue(t, tag);
	t->messaging = new_messaging(t, tag);
	snprintf(name, sizeof(name), "%s-SECRET-phone", tag);
	t->phone_queue = post_id(&d, t->admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", name, "skill_id",
		(json_int_t)t->skill, "channel", "phone"));
	char from[GC_TIME_LEN], to[GC_TIME_LEN], who[32];
	gc_time_format(gc_now_ms() + 3600 * 1000, from);
	gc_time_format(gc_now_ms() + 7200 * 1000, to);
	snprintf(who, sizeof(who), "%s-SECRET-caller", tag);
	t->callback = post_id(&d, t->admin, "/api/v1/callbacks", json_pack("{s:s,s:s,s:I,s:{s:s,s:s}}", "phone",
		"+33 9 87 65 43 21", "name", who, "queue_id", (json_int_t)t->phone_queue, "window", "from", from, "to", to));
	t->chat = new_chat_channel(t, tag);
	snprintf(who, sizeof(who), "%s-SECRET-reason", tag);
	char gpath[64];
	snprintf(gpath, sizeof(gpath), "/api/v1/contacts/%lld/gestures", t->contact);
	t->gesture = post_id(&d, t->admin, gpath, json_pack("{s:s,s:i,s:s}", "kind", "credit", "amount_cents", 100,
		"reason", who));
	snprintf(who, sizeof(who), "%s-SECRET-incident", tag);
	t->incident = post_id(&d, t->admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:b}", "kind", "incident", "title",
		who, "published", 1));
	t->recording = new_recording(t, tag);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", t->user);
	struct resp r;
	http_json(&d, "PUT", path, t->admin, json_pack("{s:[{s:I}],s:{s:i}}", "skills", "skill_id", (json_int_t)t->skill,
		  "capacity", "chat", 1), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
}

static long long new_token(struct tenant *t, char **ret_text)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/api-tokens", t->admin, json_pack("{s:s,s:s}", "name", "probe", "role", "agent"), &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	if (ret_text)
		*ret_text = strdup(json_string_value(json_object_get(r.json, "token")));
	resp_clear(&r);
	return id;
}

static int setup(void **state)
{
	if (daemon_init(&d, "A", "admin@a.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "B", "admin@b.example", PASSWORD) != 0)
		return -1;
	snprintf(rec_dir, sizeof(rec_dir), "%s/recordings", d.dir);
	if (mkdir(rec_dir, 0700) != 0 || daemon_start(&d, "--recordings-dir", rec_dir, NULL) != 0)
		return -1;
	a.admin = login(&d, "admin@a.example", PASSWORD);
	b.admin = login(&d, "admin@b.example", PASSWORD);
	fill(&a, "A");
	fill(&b, "B");
	b.token_id = new_token(&b, &b.token);
	/* a contact of B due for a first response, for A's due lists to leave out */
	long long due_queue = post_id(&d, b.admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name",
		"B-SECRET-due", "skill_id", (json_int_t)b.skill, "channel", "email", "first_response_s", 60));
	post_id(&d, b.admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "email", "subject",
		"B-SECRET-due", "queue_id", (json_int_t)due_queue));
	for (size_t i = 0; i < N_ROLES; i++) {
		char email[64];
		snprintf(email, sizeof(email), "%s@a.example", roles[i]);
		post_id(&d, a.admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", roles[i],
			"password", PASSWORD, "role", roles[i]));
		role_tokens[i] = login(&d, email, PASSWORD);
	}
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < N_ROLES; i++)
		free(role_tokens[i]);
	free(a.admin);
	free(b.admin);
	free(b.token);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static long long id_of(const struct tenant *t, enum kind k)
{
	switch (k) {
	case K_CONTACT: return t->contact;
	case K_CUSTOMER: return t->customer;
	case K_USER: return t->user;
	case K_TOKEN: return t->token_id;
	case K_QUEUE:
	case K_FRESH_QUEUE: return t->queue;
	case K_SKILL: return t->skill;
	case K_MESSAGING:
	case K_FRESH_MESSAGING: return t->messaging;
	case K_CALLBACK: return t->callback;
	case K_CHAT:
	case K_FRESH_CHAT: return t->chat;
	case K_GESTURE: return t->gesture;
	case K_INCIDENT: return t->incident;
	case K_RECORDING: return t->recording;
	default: return 0;
	}
}

/* Runs probe p as token on target's resources; returns the status. */
static int run_probe(const struct probe *p, const char *token, const struct tenant *target,
		     const struct tenant *other_ref)
{
	char path[128], body[256];
	snprintf(path, sizeof(path), p->path, id_of(target, p->kind));
	/* bodies that name a customer or a queue name the other tenant's one in the cross case */
	if (p->body)
		snprintf(body, sizeof(body), p->body, !strstr(p->body, "queue_id") ? other_ref->customer
			 : strstr(p->path, "callbacks") ? other_ref->phone_queue : other_ref->queue);
	struct resp r;
	http_raw(&d, p->method, path, token, NULL, p->body ? "application/json" : NULL, p->body ? body : NULL,
		 p->body ? strlen(body) : 0, &r);
	int status = r.status;
	if (status >= 200 && status < 300 && target == &b && r.text)
		assert_null(strstr(r.text, "B-SECRET"));
	resp_clear(&r);
	return status;
}

/* platform: the caller runs the installation and may list every tenant's
 * name (GET /api/v1/tenants), and nothing else of B. */
static void check_caller(const char *who, const char *token, bool platform)
{
	for (size_t p = 0; p < N_PROBES; p++) {
		const struct probe *pr = &probes[p];
		/* the other tenant's resource (or, for bodies, the other tenant's customer) */
		bool names_other = pr->body && (strstr(pr->body, "customer_id") || strstr(pr->body, "queue_id"));
		int cross = run_probe(pr, token, pr->kind == K_NONE || names_other ? &a : &b, &b);
		if (!(cross == 403 || cross == 404 || cross == 422)) {
			fprintf(stderr, "%s: %s %s on tenant B answered %d\n", who, pr->method, pr->path, cross);
			fail();
		}
		if (cross == 422 && !names_other) {
			fprintf(stderr, "%s: %s %s on tenant B answered 422 (leaks existence)\n", who, pr->method, pr->path);
			fail();
		}
		/* the same call on its own tenant: allowed or forbidden, never unknown */
		struct tenant mine = a;
		char *text = NULL;
		if (pr->kind == K_TOKEN)
			mine.token_id = new_token(&a, &text);
		if (pr->kind == K_FRESH_QUEUE)
			mine.queue = new_queue(&a, "A");
		if (pr->kind == K_FRESH_MESSAGING)
			mine.messaging = new_messaging(&a, "A");
		if (pr->kind == K_FRESH_CHAT)
			mine.chat = new_chat_channel(&a, "A");
		if (pr->kind == K_SKILL) {
			char name[32];
			static int n;
			snprintf(name, sizeof(name), "fresh-%d", n++);
			mine.skill = post_id(&d, a.admin, "/api/v1/skills", json_pack("{s:s}", "name", name));
		}
		free(text);
		int own = run_probe(pr, token, &mine, &a);
		if (own == 404 || own >= 500 || own == 400) {
			fprintf(stderr, "%s: %s %s on its own tenant answered %d\n", who, pr->method, pr->path, own);
			fail();
		}
	}
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		char path[128];
		snprintf(path, sizeof(path), lists[l], b.customer);
		struct resp r;
		http_raw(&d, "GET", path, token, NULL, NULL, NULL, 0, &r);
		assert_true(r.status == 200 || r.status == 403);
		if (r.status == 200) {
			assert_null(strstr(r.text, "B-SECRET"));
			assert_null(strstr(r.text, "victim@B.example"));
			assert_null(strstr(r.text, "admin@b.example"));
			if (!(platform && strcmp(path, "/api/v1/tenants") == 0))
				assert_null(strstr(r.text, "\"name\":\"B\""));
			size_t i;
			json_t *item;
			json_array_foreach(json_object_get(r.json, "items"), i, item) {
				long long id = json_integer_value(json_object_get(item, "id"));
				if (strstr(path, "contacts"))
					assert_true(id != b.contact);
				if (strstr(path, "customers"))
					assert_true(id != b.customer);
			}
		}
		resp_clear(&r);
	}
	struct resp r;
	http_raw(&d, "GET", "/api/v1/contacts", token, "B", NULL, NULL, 0, &r);
	assert_true(r.status == 403 || r.status == 401);
	resp_clear(&r);
	char b_id[16];
	snprintf(b_id, sizeof(b_id), "%d", 2);
	http_raw(&d, "GET", "/api/v1/me", token, b_id, NULL, NULL, 0, &r);
	assert_true(r.status == 403);
	resp_clear(&r);
}

static void every_role_of_a_is_sealed_from_b(void **state)
{
	for (size_t i = 0; i < N_ROLES; i++)
		check_caller(roles[i], role_tokens[i], false);
	check_caller("platform admin, tenant admin of A", a.admin, true);
	char *api = NULL;
	new_token(&a, &api);
	check_caller("API token of A", api, false);
	free(api);
}

static void b_is_unchanged(void **state)
{
	struct resp r;
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", b.contact);
	http_json(&d, "GET", path, b.admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "version"), 1);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "new");
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 0);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld", b.customer);
	http_json(&d, "GET", path, b.admin, NULL, &r);
	assert_int_equal(resp_int(&r, "version"), 1);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", b.user);
	http_json(&d, "GET", path, b.admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "agent");
	assert_false(json_is_true(json_object_get(r.json, "disabled")));
	resp_clear(&r);
	char *victim = login(&d, "victim@B.example", PASSWORD); /* password unchanged */
	free(victim);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", b.token, NULL), 200); /* token alive */
	http_json(&d, "GET", "/api/v1/contacts?limit=500", b.admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3); /* its contact, the one due, the callback's */
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/callbacks/%lld", b.callback); /* still waiting for its window */
	http_json(&d, "GET", path, b.admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "scheduled");
	assert_int_equal(resp_int(&r, "attempts"), 0);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/callbacks/settings", b.admin, NULL, &r);
	assert_true(json_is_null(json_object_get(r.json, "queue_id")));
	resp_clear(&r);
	/* B's routing: its queue, skill and agent as they were */
	snprintf(path, sizeof(path), "/api/v1/queues/%lld", b.queue);
	http_json(&d, "GET", path, b.admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "wrapup_s"), 0);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/skills", b.admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", b.user);
	http_json(&d, "GET", path, b.admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")), "offline");
	assert_int_equal(json_array_size(json_object_get(r.json, "skills")), 1);
	resp_clear(&r);
	/* B's messaging channel: there, as it was */
	snprintf(path, sizeof(path), "/api/v1/channels/messaging/%lld", b.messaging);
	http_json(&d, "GET", path, b.admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "address")), "@probe");
	resp_clear(&r);
}

/* ev's data as text, valid until the next call. */
static const char *json_dumps_tmp(const json_t *data)
{
	static char *text;
	free(text);
	text = json_dumps(data, 0);
	return text ? text : "";
}

/* A's live streams carry nothing of B: B's routing events go to B only. */
static void live_streams_are_sealed(void **state)
{
	struct sse sa, sb;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&sa, &d, role_tokens[1], 0), 200); /* A's supervisor */
	assert_int_equal(sse_open(&sb, &d, b.admin, 0), 200);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld/presence", b.user);
	assert_int_equal(http_status(&d, "POST", path, b.admin, json_pack("{s:s,s:s}", "presence", "paused",
		"reason", "B-SECRET-reason")), 200);
	assert_int_equal(http_status(&d, "POST", path, b.admin, json_pack("{s:s}", "presence", "offline")), 200);
	assert_true(sse_next(&sb, "presence", 3000, &ev)); /* B sees its own */
	assert_true(sse_next(&sb, "agent_states", 3000, &ev)); /* and its agent in its digest */
	char b_user[48];
	snprintf(b_user, sizeof(b_user), "\"user_id\": %lld,", (long long)b.user);
	assert_non_null(strstr(json_dumps_tmp(ev.data), b_user));
	assert_false(sse_next(&sa, NULL, 1500, &ev));
	/* A's digests of its agents, if any came, name none of B's */
	while (sse_next(&sa, "agent_states", 1200, &ev))
		assert_null(strstr(json_dumps_tmp(ev.data), b_user));
	/* A's statistics name A's queues only */
	assert_true(sse_next(&sa, "queue_stats", 3000, &ev));
	char *text = json_dumps(ev.data, 0);
	assert_null(strstr(text, "B-SECRET"));
	assert_non_null(strstr(text, "A-SECRET-queue"));
	free(text);
	json_decref(ev.data);
	sse_close(&sa);
	sse_close(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_role_of_a_is_sealed_from_b),
		cmocka_unit_test(b_is_unchanged),
		cmocka_unit_test(live_streams_are_sealed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
