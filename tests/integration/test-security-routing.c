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

/* A request that must answer status (resp_clear the answer). */
static void call(const struct daemon *dm, const char *method, const char *token, int status, json_t *body,
		 struct resp *r, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	http_json(dm, method, path, token, body, r);
	if (r->status != status)
		fprintf(stderr, "%s %s: %d, expected %d: %s\n", method, path, r->status, status, r->text);
	assert_int_equal(r->status, status);
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_resume_at_int64_max),
		cmocka_unit_test(idempotency_keys_belong_to_caller_and_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
