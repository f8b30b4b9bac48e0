/* The demo as "make run" makes it ("guichet admin demo" on a database, then
 * guichetd on it), on the run's engine: contacts wait in the real routing
 * queues with their waited time and an agent who goes available is offered
 * one at once and accepts it, whose journey starts minutes ago; the
 * knowledge is published and found; yesterday has a day of history per
 * half hour with a forecast from the four weeks before; the live statistics
 * count today's answered contacts; the help centre is open, an outage at its
 * top. Another tenant on the same database sees
 * none of it. A second "admin demo" leaves the database as it was. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/clock.h"
#include "guichet/tz.h"

#define DEMO_PASSWORD "guichet-demo"

static struct daemon d;
static char *supervisor, *agent, *other_admin, yesterday[16], today[16];
static long long demo_tenant; /* as admin demo tells it: "the help centre at /help/N" */

static int setup(void **state)
{
	if (daemon_prepare(&d) != 0)
		return -1;
	char *out = NULL, *err = NULL, kb[256], none[128];
	snprintf(kb, sizeof(kb), "%s/data/demo/kb.jsonl", GUICHET_SOURCE_DIR);
	snprintf(none, sizeof(none), "%s/no-token", d.dir);
	int rc = run_cli(&d, none, &out, &err, "admin", "demo", "--db", d.db, "--kb", kb, NULL);
	if (rc != 0 || strstr(out, "8 articles and trees published") == NULL)
		fprintf(stderr, "admin demo: %d: %s%s\n", rc, out, err);
	bool made = rc == 0 && strstr(out, "8 articles and trees published");
	const char *help = out ? strstr(out, "the help centre at /help/") : NULL;
	made = made && help && sscanf(help, "the help centre at /help/%lld", &demo_tenant) == 1;
	free(out);
	free(err);
	/* again: nothing more */
	rc = run_cli(&d, none, &out, &err, "admin", "demo", "--db", d.db, NULL);
	made = made && rc == 0 && strstr(out, "already") != NULL;
	free(out);
	free(err);
	if (!made || daemon_add_tenant(&d, "two", "admin@two.example", "two password") != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	supervisor = login(&d, "supervisor@demo.example", DEMO_PASSWORD);
	agent = login(&d, "agent@demo.example", DEMO_PASSWORD);
	other_admin = login(&d, "admin@two.example", "two password");
	struct gc_local_time lt;
	if (gc_tz_local("Europe/Paris", gc_now_ms() - 86400000LL, &lt) < 0)
		return -1;
	snprintf(yesterday, sizeof(yesterday), "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	if (gc_tz_local("Europe/Paris", gc_now_ms(), &lt) < 0)
		return -1;
	snprintf(today, sizeof(today), "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	return 0;
}

static int teardown(void **state)
{
	free(supervisor);
	free(agent);
	free(other_admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static json_t *queue_named(json_t *stats, const char *name)
{
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(stats, "queues"), i, q)
		if (strcmp(json_string_value(json_object_get(q, "name")), name) == 0)
			return q;
	return NULL;
}

static void contacts_wait_in_real_queues(void **state)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/queues/stats", supervisor, NULL, &r);
	assert_int_equal(r.status, 200);
	static const char *const names[] = {"Billing", "Technical support", "Email support"};
	for (size_t i = 0; i < 3; i++) {
		json_t *q = queue_named(r.json, names[i]);
		assert_non_null(q);
		assert_true(json_integer_value(json_object_get(q, "waiting")) > 0);
		assert_true(json_integer_value(json_object_get(q, "longest_wait_s")) >= 60);
	}
	assert_non_null(queue_named(r.json, "Billing experts"));
	resp_clear(&r);
	/* queues have first-response targets, and the tenant a calendar */
	http_json(&d, "GET", "/api/v1/queues", supervisor, NULL, &r);
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(r.json, "items"), i, q)
		assert_true(json_integer_value(json_object_get(q, "first_response_s")) > 0);
	assert_int_equal(i, 4);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/calendar", supervisor, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "zone")), "Europe/Paris");
	resp_clear(&r);
}

static void an_available_agent_is_offered_one(void **state)
{
	struct sse s;
	struct sse_event ev = {0};
	struct resp r;
	/* the demo's agent holds contacts: its page shows them, and it is not
	 * offline in the store while the routing has it paused */
	http_json(&d, "GET", "/api/v1/agents/me", agent, NULL, &r);
	json_t *live = json_object_get(r.json, "live");
	assert_true(json_array_size(json_object_get(live, "contacts")) > 0);
	assert_string_equal(json_string_value(json_object_get(live, "state")), "busy");
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")), "paused");
	assert_string_equal(json_string_value(json_object_get(live, "presence")), "paused");
	resp_clear(&r);
	assert_int_equal(sse_open(&s, &d, agent, 0), 200);
	http_json(&d, "POST", "/api/v1/agents/me/presence", agent, json_pack("{s:s}", "presence", "available"), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	assert_true(sse_next(&s, "offered", 5000, &ev));
	long long contact = json_integer_value(json_object_get(ev.data, "contact_id"));
	json_decref(ev.data);
	sse_close(&s);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", contact);
	http_json(&d, "POST", path, agent, NULL, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	/* its journey: it entered its queue minutes ago, by the demo */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/journey", contact);
	http_json(&d, "GET", path, agent, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *first = NULL, *it;
	size_t i;
	bool accepted = false;
	json_array_foreach(json_object_get(r.json, "items"), i, it) {
		const char *type = json_string_value(json_object_get(it, "type"));
		if (first == NULL && strcmp(type, "enqueued") == 0)
			first = it;
		accepted |= strcmp(type, "accepted") == 0;
	}
	assert_non_null(first);
	assert_true(accepted);
	int64_t at = 0;
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(first, "at")), &at), 0);
	assert_true(at < gc_now_ms() - 60000);
	resp_clear(&r);
	/* another tenant does not see it */
	http_json(&d, "GET", path, other_admin, NULL, &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
}

static void knowledge_is_published(void **state)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/kb/search?lang=fr&q=box+voyant+rouge", agent, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "results")) > 0);
	resp_clear(&r);
}

static void yesterday_has_history_and_a_forecast(void **state)
{
	struct resp r;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/reports/intervals?date=%s", yesterday);
	http_json(&d, "GET", path, supervisor, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *totals = json_object_get(r.json, "totals");
	assert_true(json_integer_value(json_object_get(totals, "offered")) >= 15);
	assert_true(json_integer_value(json_object_get(totals, "answered")) > 0);
	assert_true(json_is_real(json_object_get(totals, "service_level")));
	json_t *forecast = json_object_get(r.json, "forecast");
	assert_int_equal(json_integer_value(json_object_get(forecast, "weeks")), 4);
	/* 10:00 local: contacts, and the forecast's staffing beside them */
	json_t *ten = json_array_get(json_object_get(r.json, "intervals"), 20);
	assert_string_equal(json_string_value(json_object_get(ten, "time")), "10:00");
	assert_true(json_integer_value(json_object_get(json_object_get(ten, "forecast"), "staff")) > 0);
	resp_clear(&r);
	/* a queue made today has no history: no forecast, not four weeks of zeros */
	char *admin = login(&d, "admin@demo.example", DEMO_PASSWORD);
	long long launch = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:i,s:s}", "name", "Launch line",
		"skill_id", 1, "channel", "phone"));
	free(admin);
	snprintf(path, sizeof(path), "/api/v1/reports/intervals?date=%s&queue=%lld", yesterday, launch);
	http_json(&d, "GET", path, supervisor, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(r.json, "forecast")));
	resp_clear(&r);
	/* the spring clock change in the demo's Paris: 02:00 and 02:30 never start, every other half hour once */
	http_json(&d, "GET", "/api/v1/reports/intervals?date=2026-03-29", supervisor, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *spring = json_object_get(r.json, "intervals");
	for (size_t k = 0; k < json_array_size(spring); k++) {
		const json_t *start = json_object_get(json_array_get(spring, k), "start");
		assert_true((k == 4 || k == 5) == json_is_null(start));
		for (size_t m = 0; m < k && !json_is_null(start); m++)
			assert_false(json_equal(start, json_object_get(json_array_get(spring, m), "start")));
	}
	resp_clear(&r);
	/* one of the demo's queues: its own weeks */
	snprintf(path, sizeof(path), "/api/v1/reports/intervals?date=%s&queue=1", yesterday);
	http_json(&d, "GET", path, supervisor, NULL, &r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "forecast"), "weeks")), 4);
	resp_clear(&r);
	/* its agents were staffed while they handled: each one's occupancy a share, not 2,500% (yesterday and
	 * today so far) */
	snprintf(path, sizeof(path), "/api/v1/reports/summary?from=%s&to=%s&by=agent", yesterday, today);
	http_json(&d, "GET", path, supervisor, NULL, &r);
	assert_int_equal(r.status, 200);
	size_t k;
	json_t *row;
	json_array_foreach(json_object_get(r.json, "rows"), k, row) {
		json_t *occupancy = json_object_get(row, "occupancy");
		assert_true(json_is_real(occupancy));
		assert_true(json_real_value(occupancy) > 0 && json_real_value(occupancy) < 1);
	}
	assert_true(json_array_size(json_object_get(r.json, "rows")) >= 3);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/reports/intervals?date=%s", yesterday);
	/* another tenant: nothing */
	http_json(&d, "GET", path, other_admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "totals"), "offered")), 0);
	assert_true(json_is_null(json_object_get(r.json, "forecast")));
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/queues/stats", other_admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "queues")), 0);
	resp_clear(&r);
}

/* The customers' side: the help centre is open, with its ways to reach a
 * person and the outage at its top; the other tenant has none. */
static void the_help_centre_shows_the_outage(void **state)
{
	struct resp r;
	char path[96];
	snprintf(path, sizeof(path), "/public/v1/tenants/%lld/portal", demo_tenant);
	http_json(&d, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *contact = json_object_get(r.json, "contact");
	assert_string_equal(json_string_value(json_object_get(contact, "phone")), "+33 1 23 45 67 89");
	assert_string_equal(json_string_value(json_object_get(contact, "email")), "support@demo.example");
	assert_true(json_is_true(json_object_get(contact, "callback")));
	json_t *incidents = json_object_get(r.json, "incidents"), *outage = NULL, *it;
	size_t i;
	json_array_foreach(incidents, i, it)
		if (strcmp(json_string_value(json_object_get(it, "kind")), "incident") == 0)
			outage = it;
	assert_int_equal(json_array_size(incidents), 2);
	assert_non_null(outage);
	assert_string_equal(json_string_value(json_object_get(outage, "area")), "Lyon");
	/* in French, as the tenant's customers (and its knowledge) are */
	assert_string_equal(json_string_value(json_object_get(outage, "title")), "Coupure internet à Lyon");
	assert_true(json_is_string(json_object_get(outage, "expected_end_at")));
	resp_clear(&r);
	/* its callback form has a queue: customers can ask to be called back */
	http_json(&d, "GET", "/api/v1/callbacks/settings", supervisor, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_integer(json_object_get(r.json, "queue_id")));
	resp_clear(&r);
	snprintf(path, sizeof(path), "/public/v1/tenants/%lld/portal", demo_tenant + 1);
	http_json(&d, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contacts_wait_in_real_queues),
		cmocka_unit_test(an_available_agent_is_offered_one),
		cmocka_unit_test(knowledge_is_published),
		cmocka_unit_test(yesterday_has_history_and_a_forecast),
		cmocka_unit_test(the_help_centre_shows_the_outage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
