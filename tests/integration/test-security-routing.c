/* Security of routing, live streams, idempotency keys and diagnosis
 * sessions through the real daemon (issue 12, findings 3, 8, 9 and 10):
 * each test replays an attack of the penetration test and checks that it
 * now does no harm. Two tenants, acme and globex, with their admins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "security pass"

static struct daemon d;
static char *admin_a, *admin_b;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A request that must answer status (harness.h); resp_clear the answer. */
#define call http_expect

static void expect(const struct daemon *dm, const char *method, const char *token, int status, json_t *body,
		   const char *path)
{
	struct resp r;
	call(dm, method, token, status, body, &r, "%s", path);
	resp_clear(&r);
}

/* A user of the admin's tenant with that role; its id, and its token. */
static long long new_user(const struct daemon *dm, const char *admin, const char *email, const char *role,
			  char **ret_token)
{
	long long id = post_id(dm, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name",
		email, "password", PASSWORD, "role", role));
	*ret_token = login(dm, email, PASSWORD);
	return id;
}

/* A skill, a chat queue on it (offer_timeout_s long), and the agent's profile. */
static long long routing_setup(const struct daemon *dm, const char *admin, long long agent, int offer_timeout_s)
{
	long long skill = post_id(dm, admin, "/api/v1/skills", json_pack("{s:s}", "name", "billing"));
	long long q = post_id(dm, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "billing",
		"skill_id", (json_int_t)skill, "channel", "chat", "offer_timeout_s", offer_timeout_s));
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", agent);
	expect(dm, "PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i},s:i}", "level", 1, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "capacity", "chat", 1, "max_missed", 0), path);
	return q;
}

static long long new_contact(const struct daemon *dm, const char *token, long long queue)
{
	return post_id(dm, token, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat", "subject",
		"help", "queue_id", (json_int_t)queue));
}

/* SIGTERM must stop the daemon within seconds; SIGKILL and fail otherwise. */
static void stop_within(struct daemon *dm, int seconds)
{
	kill(dm->pid, SIGTERM);
	int status = 0;
	pid_t got = 0;
	for (int i = 0; i < seconds * 10 && got == 0; i++) {
		got = waitpid(dm->pid, &status, WNOHANG);
		if (got == 0)
			usleep(100 * 1000);
	}
	if (got == 0) {
		fprintf(stderr, "guichetd did not stop on SIGTERM within %d s\n", seconds);
		daemon_kill9(dm);
		fail();
	}
	dm->pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int setup(void **state)
{
	if (daemon_init(&d, "acme", "admin@acme.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "globex", "admin@globex.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin_a = login(&d, "admin@acme.example", PASSWORD);
	admin_b = login(&d, "admin@globex.example", PASSWORD);
	/* the attribute classes the tests write are the tenants' policy */
	for (int i = 0; i < 2; i++) {
		if (http_status(&d, "PATCH", "/api/v1/customer-attributes", i ? admin_b : admin_a,
				json_pack("{s:{s:s,s:s,s:s,s:s}}", "attributes", "first_name", "personal", "segment",
					  "personal", "card", "confidential", "iban", "confidential")) != 200)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	free(admin_a);
	free(admin_b);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* Finding 3: a stream resumed from Last-Event-ID 9223372036854775807 (and
 * its neighbour) on its own daemon: once events come, the other tenant's
 * writes still answer at once, its stream still gets its events, the
 * attacker's stream gets nothing (nothing is newer than its cursor), and
 * SIGTERM still stops the daemon. */
static void stream_resume_at_int64_max(void **state)
{
	struct daemon dm;
	assert_int_equal(daemon_init(&dm, "acme", "admin@acme.example", PASSWORD), 0);
	assert_int_equal(daemon_add_tenant(&dm, "globex", "admin@globex.example", PASSWORD), 0);
	assert_int_equal(daemon_start(&dm, NULL), 0);
	char *a = login(&dm, "admin@acme.example", PASSWORD), *b = login(&dm, "admin@globex.example", PASSWORD);
	char *agent_a, *agent_b;
	long long qa = routing_setup(&dm, a, new_user(&dm, a, "agent@acme.example", "agent", &agent_a), 60);
	long long qb = routing_setup(&dm, b, new_user(&dm, b, "agent@globex.example", "agent", &agent_b), 60);
	struct sse attack, attack2, victim;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&attack, &dm, a, INT64_MAX), 200);
	assert_int_equal(sse_open(&attack2, &dm, a, INT64_MAX - 1), 200);
	assert_int_equal(sse_open(&victim, &dm, b, 0), 200);
	new_contact(&dm, a, qa); /* an event wakes every stream */
	for (int i = 0; i < 5; i++) {
		double t0 = now_s();
		long long c = new_contact(&dm, b, qb);
		assert_true(now_s() - t0 < 2.0);
		assert_true(sse_next(&victim, "enqueued", 3000, &ev));
		assert_int_equal(json_integer_value(json_object_get(ev.data, "contact_id")), c);
	}
	assert_false(sse_next(&attack, NULL, 500, &ev));
	assert_false(sse_next(&attack2, NULL, 100, &ev));
	json_decref(ev.data);
	sse_close(&attack);
	sse_close(&attack2);
	sse_close(&victim);
	free(a);
	free(b);
	free(agent_a);
	free(agent_b);
	stop_within(&dm, 10);
	daemon_cleanup(&dm);
}

/* One request with an Idempotency-Key (json_body may be NULL). */
static void keyed(const char *method, const char *path, const char *token, const char *key, const char *json_body,
		  struct resp *r)
{
	char header[160];
	snprintf(header, sizeof(header), "Idempotency-Key: %s", key);
	http_raw_headers(&d, method, path, token, header, json_body, r);
}

static size_t count_in(const char *path, const char *token, const char *needle)
{
	struct resp r;
	call(&d, "GET", token, 200, NULL, &r, "%s", path);
	size_t n = 0;
	for (const char *p = r.text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	resp_clear(&r);
	return n;
}

/* Finding 10: a key is (tenant, caller, method, full path) and the body's
 * hash. The same key on another contact's notes writes that note; an
 * agent replaying an admin's key gets its own answer, never the admin's;
 * another body is 409; a true retry answers the first answer and writes
 * once. */
static void idempotency_keys_belong_to_caller_and_path(void **state)
{
	long long c8 = post_id(&d, admin_a, "/api/v1/contacts", json_pack("{s:s}", "channel", "email"));
	long long c9 = post_id(&d, admin_a, "/api/v1/contacts", json_pack("{s:s}", "channel", "email"));
	char p8[64], p9[64];
	snprintf(p8, sizeof(p8), "/api/v1/contacts/%lld/notes", c8);
	snprintf(p9, sizeof(p9), "/api/v1/contacts/%lld/notes", c9);
	const char *note = "{\"body\":\"called back, note-k1\"}";
	struct resp first, retry, other, conflict;
	keyed("POST", p8, admin_a, "k1", note, &first);
	keyed("POST", p8, admin_a, "k1", note, &retry);
	assert_int_equal(first.status, 201);
	assert_int_equal(retry.status, 201);
	assert_string_equal(first.text, retry.text); /* the first answer, written once */
	snprintf(p8, sizeof(p8), "/api/v1/contacts/%lld", c8);
	assert_int_equal(count_in(p8, admin_a, "note-k1"), 1);
	keyed("POST", p9, admin_a, "k1", note, &other); /* the same key, another contact */
	assert_int_equal(other.status, 201);
	assert_true(resp_int(&other, "id") != resp_int(&first, "id"));
	snprintf(p9, sizeof(p9), "/api/v1/contacts/%lld", c9);
	assert_int_equal(count_in(p9, admin_a, "note-k1"), 1);
	snprintf(p9, sizeof(p9), "/api/v1/contacts/%lld/notes", c9);
	keyed("POST", p9, admin_a, "k1", "{\"body\":\"something else\"}", &conflict);
	assert_int_equal(conflict.status, 409);
	assert_string_equal(resp_error(&conflict), "idempotency_key_reused");
	resp_clear(&first);
	resp_clear(&retry);
	resp_clear(&other);
	resp_clear(&conflict);

	/* an agent sends the admin's key and body: its own request, its own answer */
	char *agent;
	new_user(&d, admin_a, "replayer@acme.example", "agent", &agent);
	const char *customer = "{\"external_id\":\"IDEM-1\",\"attributes\":{\"iban\":{\"value\":\"FR76 4242\","
			       "\"class\":\"confidential\"}}}";
	struct resp by_admin, by_agent;
	keyed("POST", "/api/v1/customers", admin_a, "cust-1", customer, &by_admin);
	assert_int_equal(by_admin.status, 201);
	assert_non_null(strstr(by_admin.text, "FR76 4242"));
	keyed("POST", "/api/v1/customers", agent, "cust-1", customer, &by_agent);
	assert_int_equal(by_agent.status, 409); /* IDEM-1 exists: the agent's own request ran */
	assert_null(strstr(by_agent.text, "FR76"));
	resp_clear(&by_admin);
	resp_clear(&by_agent);
	/* and the other tenant with the same key and body writes its own */
	keyed("POST", "/api/v1/customers", admin_b, "cust-1", customer, &by_admin);
	assert_int_equal(by_admin.status, 201);
	resp_clear(&by_admin);
	free(agent);
}

/* Lines of the daemon's log that contain needle. */
static int log_count(const struct daemon *dm, const char *needle)
{
	FILE *f = fopen(dm->log, "r");
	char line[4096];
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

static void presence_of(const char *token, const char *p)
{
	expect(&d, "POST", token, 200, json_pack("{s:s}", "presence", p), "/api/v1/agents/me/presence");
}

/* A request of tenant A that must be refused with status. */
static void refused(int status, const char *method, const char *token, json_t *body, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	expect(&d, method, token, status, body, path);
}

/* Finding 8: tenant B has a contact offered to its agent, its timer
 * running; tenant A sends every kind of routing request that is refused.
 * None reaches A's engine and nothing is rebuilt: B's agent gets no new
 * event (a rebuild offers the contact again), B's contact is still offered
 * to the same agent, and the log shows no rebuild. */
static void rejected_routing_requests_rebuild_nothing(void **state)
{
	char *agent_a, *agent_b, *sup_a;
	long long ua = new_user(&d, admin_a, "agent8@acme.example", "agent", &agent_a);
	long long ub = new_user(&d, admin_b, "agent8@globex.example", "agent", &agent_b);
	long long us = new_user(&d, admin_a, "sup8@acme.example", "supervisor", &sup_a);
	long long qa = routing_setup(&d, admin_a, ua, 600);
	long long qb = routing_setup(&d, admin_b, ub, 600);
	struct resp r;
	call(&d, "GET", admin_b, 200, NULL, &r, "/api/v1/queues/%lld", qb);
	long long skill_b = resp_int(&r, "skill_id");
	resp_clear(&r);
	call(&d, "GET", admin_a, 200, NULL, &r, "/api/v1/queues/%lld", qa);
	long long skill_a = resp_int(&r, "skill_id");
	resp_clear(&r);
	/* B: a contact offered to its agent */
	struct sse sb;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&sb, &d, agent_b, 0), 200);
	presence_of(agent_b, "available");
	long long cb = new_contact(&d, admin_b, qb);
	assert_true(sse_next(&sb, "offered", 5000, &ev));
	assert_int_equal(json_integer_value(json_object_get(ev.data, "contact_id")), cb);
	long long offer_id = ev.id;
	/* A: a contact held by its agent (capacity 1), another waiting */
	presence_of(agent_a, "available");
	long long held = new_contact(&d, admin_a, qa);
	refused(200, "POST", agent_a, NULL, "/api/v1/contacts/%lld/accept", held);
	long long waiting = new_contact(&d, admin_a, qa);
	long long qx = post_id(&d, admin_a, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "x", "skill_id",
		(json_int_t)skill_a, "channel", "chat"));
	long long qy = post_id(&d, admin_a, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:I,s:i}", "name", "y", "skill_id",
		(json_int_t)skill_a, "channel", "chat", "overflow_to", (json_int_t)qx, "max_wait_s", 60));
	int before = log_count(&d, "rebuilding");

	/* queues: overflow nowhere, to B's queue, B's skill, a taken name */
	refused(422, "POST", admin_a, json_pack("{s:s,s:I,s:s,s:i}", "name", "q1", "skill_id", (json_int_t)skill_a,
		"channel", "chat", "overflow_to", 999999), "/api/v1/queues");
	refused(422, "POST", admin_a, json_pack("{s:s,s:I,s:s,s:I}", "name", "q2", "skill_id", (json_int_t)skill_a,
		"channel", "chat", "overflow_to", (json_int_t)qb), "/api/v1/queues");
	refused(422, "POST", admin_a, json_pack("{s:s,s:I,s:s}", "name", "q3", "skill_id", (json_int_t)skill_b,
		"channel", "chat"), "/api/v1/queues");
	refused(409, "POST", admin_a, json_pack("{s:s,s:I,s:s}", "name", "billing", "skill_id", (json_int_t)skill_a,
		"channel", "chat"), "/api/v1/queues");
	/* a queue's change: overflow nowhere, another channel while a contact waits */
	refused(422, "PATCH", admin_a, json_pack("{s:i}", "overflow_to", 999999), "/api/v1/queues/%lld", qa);
	refused(409, "PATCH", admin_a, json_pack("{s:s}", "channel", "email"), "/api/v1/queues/%lld", qa);
	char qpath[64];
	snprintf(qpath, sizeof(qpath), "/api/v1/queues/%lld", qa);
	struct resp field;
	http_json(&d, "PATCH", qpath, admin_a, json_pack("{s:i}", "level", 2), &field);
	assert_int_equal(field.status, 409);
	assert_string_equal(json_string_value(json_object_get(json_object_get(field.json, "error"), "field")), "level");
	resp_clear(&field);
	/* overflow chains: a loop, another channel */
	refused(422, "PATCH", admin_a, json_pack("{s:I}", "overflow_to", (json_int_t)qy), "/api/v1/queues/%lld", qx);
	refused(422, "PATCH", admin_a, json_pack("{s:s}", "channel", "email"), "/api/v1/queues/%lld", qx);
	/* deleting a queue where a contact waits, one another queue overflows to */
	refused(409, "DELETE", admin_a, NULL, "/api/v1/queues/%lld", qa);
	refused(409, "DELETE", admin_a, NULL, "/api/v1/queues/%lld", qx);
	/* deleting a skill that queues and agents use (dialect.c's JSON statements) */
	refused(409, "DELETE", admin_a, NULL, "/api/v1/skills/%lld", skill_a);
	/* agents: a capacity below what it holds, offline while holding, no profile */
	refused(409, "PUT", admin_a, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)skill_a, "proficiency", 5, "capacity", "chat", 0), "/api/v1/agents/%lld", ua);
	refused(422, "POST", agent_a, json_pack("{s:s}", "presence", "offline"), "/api/v1/agents/me/presence");
	refused(404, "POST", admin_a, json_pack("{s:s}", "presence", "available"), "/api/v1/agents/%lld/presence", us);
	/* contacts: accept or reject what is not offered, abandon what is held,
	 * escalate, transfer or move to nowhere or to B, B's contact */
	refused(422, "POST", agent_a, NULL, "/api/v1/contacts/%lld/accept", waiting);
	refused(422, "POST", agent_a, NULL, "/api/v1/contacts/%lld/reject", waiting);
	refused(422, "POST", admin_a, NULL, "/api/v1/contacts/%lld/abandon", held);
	refused(404, "POST", agent_a, json_pack("{s:i,s:s}", "queue_id", 999999, "reason", "x"),
		"/api/v1/contacts/%lld/escalate", held);
	refused(404, "POST", agent_a, json_pack("{s:I}", "queue_id", (json_int_t)qb), "/api/v1/contacts/%lld/transfer",
		held);
	refused(404, "POST", admin_a, json_pack("{s:I}", "queue_id", (json_int_t)qb), "/api/v1/contacts/%lld/move",
		waiting);
	refused(422, "POST", admin_a, json_pack("{s:s,s:I}", "channel", "chat", "queue_id", (json_int_t)qb),
		"/api/v1/contacts");
	refused(404, "POST", agent_a, NULL, "/api/v1/contacts/%lld/accept", cb);

	/* B saw nothing; its contact is offered as it was; nothing was rebuilt */
	assert_false(sse_next(&sb, NULL, 1500, &ev));
	call(&d, "GET", admin_b, 200, NULL, &r, "/api/v1/contacts/%lld/routing", cb);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "offered");
	assert_int_equal(resp_int(&r, "agent_id"), ub);
	resp_clear(&r);
	assert_int_equal(log_count(&d, "rebuilding"), before);
	/* and B's offer is still the one that was made: accepting it works */
	refused(200, "POST", agent_b, NULL, "/api/v1/contacts/%lld/accept", cb);
	assert_true(sse_next(&sb, "accepted", 3000, &ev));
	assert_true(ev.id > offer_id);
	json_decref(ev.data);
	sse_close(&sb);
	free(agent_a);
	free(agent_b);
	free(sup_a);
}

/* The outcome's rendered text of a session as token sees it (404 gives ""). */
static const char *session_text(const char *token, long long session, int status, char *buf, size_t len)
{
	struct resp r;
	call(&d, "GET", token, status, NULL, &r, "/api/v1/kb/sessions/%lld", session);
	const char *text = json_string_value(json_object_get(json_object_get(r.json, "outcome"), "text"));
	snprintf(buf, len, "%s", text ? text : "");
	resp_clear(&r);
	return buf;
}

/* The first step of a session's path as token sees it. */
static json_t *first_step(const char *token, long long session)
{
	struct resp r;
	call(&d, "GET", token, 200, NULL, &r, "/api/v1/kb/sessions/%lld", session);
	json_t *step = json_incref(json_array_get(json_object_get(r.json, "path"), 0));
	resp_clear(&r);
	return step;
}

/* Finding 9: a diagnosis session on a contact is read and walked by its
 * starter, the agents who hold or held the contact and supervisors, no one
 * else; the customer's attributes reach the context, and what is shown is
 * filtered by the reader's visibility, not the starter's, in the session,
 * the contact's list of sessions and the contact's journey. */
static void diagnosis_sessions_are_shown_to_their_readers(void **state)
{
	const char *tree = "{\"kind\":\"tree\",\"id\":\"greet\",\"title\":\"Greeting\",\"lang\":\"en\",\"start\":\"seg\","
		"\"nodes\":[{\"id\":\"seg\",\"type\":\"choice\",\"text\":\"Which segment?\",\"from\":\"customer.segment\","
		"\"choices\":[{\"value\":\"gold\",\"label\":\"Gold\",\"next\":\"pay\"},"
		"{\"value\":\"std\",\"label\":\"Standard\",\"next\":\"pay\"}]},"
		"{\"id\":\"pay\",\"type\":\"yesno\",\"text\":\"Is it about a payment?\",\"yes\":\"hello\",\"no\":\"hello\"},"
		"{\"id\":\"hello\",\"type\":\"reply\",\"text\":\"Hello {{customer.first_name}}, card {{customer.card}}.\"}]}\n";
	struct resp r;
	http_raw(&d, "POST", "/api/v1/kb/import?publish=1", admin_a, NULL, "application/x-ndjson", tree, strlen(tree), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	long long customer = post_id(&d, admin_a, "/api/v1/customers", json_pack(
		"{s:s,s:{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}}", "external_id", "DIAG-1", "attributes",
		"first_name", "value", "Ana", "class", "personal", "segment", "value", "gold", "class", "personal",
		"card", "value", "4242", "class", "confidential"));
	/* the contact is routed to and accepted by agent9: its handler */
	char *agent9, *bpo, *other, *sup9;
	long long u9 = new_user(&d, admin_a, "agent9@acme.example", "agent", &agent9);
	new_user(&d, admin_a, "bpo9@acme.example", "outsourced_agent", &bpo);
	new_user(&d, admin_a, "other9@acme.example", "agent", &other);
	new_user(&d, admin_a, "sup9@acme.example", "supervisor", &sup9);
	long long skill = post_id(&d, admin_a, "/api/v1/skills", json_pack("{s:s}", "name", "greeting"));
	long long q = post_id(&d, admin_a, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "greeting", "skill_id",
		(json_int_t)skill, "channel", "chat"));
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", u9);
	expect(&d, "PUT", admin_a, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "capacity", "chat", 3), path);
	presence_of(agent9, "available");
	long long contact = post_id(&d, admin_a, "/api/v1/contacts", json_pack("{s:s,s:I,s:I}", "channel", "chat",
		"customer_id", (json_int_t)customer, "queue_id", (json_int_t)q));
	refused(200, "POST", agent9, NULL, "/api/v1/contacts/%lld/accept", contact);
	/* the outsourced agent starts a session on it and walks it to the reply */
	long long session = post_id(&d, bpo, "/api/v1/kb/sessions", json_pack("{s:s,s:I}", "tree", "greet",
		"contact_id", (json_int_t)contact));
	refused(200, "POST", bpo, json_pack("{s:s}", "answer", "yes"), "/api/v1/kb/sessions/%lld/answer", session);

	/* each reader sees what its own role sees */
	char text[256];
	assert_string_equal(session_text(admin_a, session, 200, text, sizeof(text)), "Hello Ana, card 4242.");
	assert_string_equal(session_text(agent9, session, 200, text, sizeof(text)), "Hello Ana, card .");
	assert_string_equal(session_text(sup9, session, 200, text, sizeof(text)), "Hello Ana, card .");
	assert_string_equal(session_text(bpo, session, 200, text, sizeof(text)), "Hello , card .");
	json_t *step = first_step(bpo, session); /* the segment the context answered: personal */
	assert_string_equal(json_string_value(json_object_get(step, "answer")), "");
	assert_true(json_is_true(json_object_get(step, "redacted")));
	json_decref(step);
	step = first_step(agent9, session);
	assert_string_equal(json_string_value(json_object_get(step, "answer")), "gold");
	json_decref(step);
	/* an agent who never handled the contact: nothing, not even by walking it */
	session_text(other, session, 404, text, sizeof(text));
	refused(404, "POST", other, json_pack("{s:s}", "answer", "yes"), "/api/v1/kb/sessions/%lld/answer", session);
	refused(404, "POST", other, NULL, "/api/v1/kb/sessions/%lld/back", session);
	refused(404, "POST", other, json_pack("{s:b}", "resolved", 1), "/api/v1/kb/sessions/%lld/end", session);
	/* the handler walks it; so does a supervisor */
	refused(200, "POST", agent9, NULL, "/api/v1/kb/sessions/%lld/back", session);
	refused(200, "POST", sup9, json_pack("{s:s}", "answer", "no"), "/api/v1/kb/sessions/%lld/answer", session);
	/* the contact's list of sessions: none for a stranger, filtered for the outsourced agent */
	call(&d, "GET", other, 200, NULL, &r, "/api/v1/contacts/%lld/diagnosis", contact);
	assert_int_equal(json_array_size(json_object_get(r.json, "sessions")), 0);
	resp_clear(&r);
	call(&d, "GET", bpo, 200, NULL, &r, "/api/v1/contacts/%lld/diagnosis", contact);
	assert_int_equal(json_array_size(json_object_get(r.json, "sessions")), 1);
	assert_null(strstr(r.text, "Ana"));
	assert_null(strstr(r.text, "4242"));
	assert_null(strstr(r.text, "gold"));
	resp_clear(&r);
	call(&d, "GET", admin_a, 200, NULL, &r, "/api/v1/contacts/%lld/diagnosis", contact);
	assert_non_null(strstr(r.text, "4242"));
	resp_clear(&r);
	/* ended, its path is in the contact's journey, shown as each reader sees it */
	refused(200, "POST", agent9, json_pack("{s:b}", "resolved", 1), "/api/v1/kb/sessions/%lld/end", session);
	call(&d, "GET", bpo, 200, NULL, &r, "/api/v1/contacts/%lld/journey", contact);
	assert_non_null(strstr(r.text, "Which segment?"));
	assert_non_null(strstr(r.text, "\"redacted\":true"));
	assert_null(strstr(r.text, "gold"));
	assert_null(strstr(r.text, "Gold"));
	resp_clear(&r);
	call(&d, "GET", agent9, 200, NULL, &r, "/api/v1/contacts/%lld/journey", contact);
	assert_non_null(strstr(r.text, "Gold"));
	resp_clear(&r);
	free(agent9);
	free(bpo);
	free(other);
	free(sup9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_resume_at_int64_max),
		cmocka_unit_test(idempotency_keys_belong_to_caller_and_path),
		cmocka_unit_test(rejected_routing_requests_rebuild_nothing),
		cmocka_unit_test(diagnosis_sessions_are_shown_to_their_readers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
