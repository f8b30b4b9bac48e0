/* The contact's journey and the supervisor's day so far through the real
 * daemon, on the run's engine, with known data made through the API: a
 * chat missed by an expert, answered by an agent, walked through a
 * diagnosis tree, escalated to the experts with a reason, answered and
 * wrapped up there; another abandoned while waiting.
 *
 * The journey has every routing event with who and which queue, the
 * escalation's reason and the diagnosis' path, merged in time order with
 * the contact's own events; the day so far counts them in the half hour of
 * the tenant's local time (Asia/Kolkata: UTC+05:30, so a UTC half hour is
 * not the local one) where they happened, per queue or for all, and has no
 * forecast without history; the CLI prints the same totals. Another
 * tenant gets 404 for the contact and zeros for the day; an agent may not
 * read the report. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guichet/clock.h"

#define PASSWORD "report pass"

static struct daemon d;
static char *admin, *supervisor, *agent, *expert, *other_admin, tokfile[128];
static long long agent_id, expert_id, front, experts, answered_contact, abandoned_contact;
static char today[16];        /* the local date in Kolkata when the data was made */
static int64_t made_from, made_to;

/* A request that must answer status (harness.h); resp_clear the answer. */
#define call(...) http_expect(&d, __VA_ARGS__)

static void ok(const char *method, const char *token, json_t *body, const char *fmt, long long id)
{
	struct resp r;
	call(method, token, 200, body, &r, fmt, id);
	resp_clear(&r);
}

static char *user(const char *email, const char *role, long long *ret_id)
{
	long long id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name",
		strcmp(role, "expert") == 0 ? "Eve Expert" : role, "password", PASSWORD, "role", role));
	if (ret_id)
		*ret_id = id;
	return login(&d, email, PASSWORD);
}

/* The local date in Asia/Kolkata (UTC+05:30, no DST) at ms. */
static void kolkata_date(int64_t ms, char buf[16])
{
	char when[GC_TIME_LEN];
	gc_time_format(ms + 330 * 60000LL, when);
	snprintf(buf, 16, "%.10s", when);
}

static void make_data(void)
{
	struct resp r;
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "billing"));
	front = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "front", "skill_id",
		(json_int_t)skill, "channel", "chat", "sl_seconds", 30, "offer_timeout_s", 1));
	experts = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "experts", "skill_id",
		(json_int_t)skill, "channel", "chat", "level", 2, "sl_seconds", 60));
	assert_int_equal(experts, 2); /* the demo tree escalates to queue 2 */
	json_t *profile = json_pack("{s:[{s:I,s:i}],s:{s:i}}", "skills", "skill_id", (json_int_t)skill, "proficiency", 5,
				    "capacity", "chat", 2);
	ok("PUT", admin, json_deep_copy(profile), "/api/v1/agents/%lld", agent_id);
	json_object_set_new(profile, "level", json_integer(2));
	json_object_set_new(profile, "max_missed", json_integer(1)); /* paused by the router at its first miss */
	ok("PUT", admin, profile, "/api/v1/agents/%lld", expert_id);
	char *out = NULL, *err = NULL, file[256];
	snprintf(file, sizeof(file), "%s/data/demo/kb.jsonl", GUICHET_SOURCE_DIR);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "kb", "import", file, "--publish", NULL), 0);
	free(out);
	free(err);

	made_from = gc_now_ms();
	/* the expert goes available first and lets the first offer expire: a missed offer */
	ok("POST", expert, json_pack("{s:s}", "presence", "available"), "/api/v1/agents/me/presence", 0);
	answered_contact = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat", "subject",
		"charged twice", "queue_id", (json_int_t)front));
	usleep(2500 * 1000); /* the 1 s offer expires: the expert is paused, the contact waits again */
	ok("POST", agent, json_pack("{s:s}", "presence", "available"), "/api/v1/agents/me/presence", 0);
	ok("POST", agent, NULL, "/api/v1/contacts/%lld/accept", answered_contact);
	call("POST", agent, 201, json_pack("{s:s,s:I}", "query", "plus d'internet box voyant", "contact_id",
		(json_int_t)answered_contact), &r, "/api/v1/kb/sessions");
	long long session = resp_int(&r, "id");
	resp_clear(&r);
	/* white light, the other devices have no internet either: restart the box (an article, not an escalation) */
	ok("POST", agent, json_pack("{s:s}", "answer", "white"), "/api/v1/kb/sessions/%lld/answer", session);
	ok("POST", agent, json_pack("{s:s}", "answer", "no"), "/api/v1/kb/sessions/%lld/answer", session);
	ok("POST", agent, json_pack("{s:b,s:s}", "resolved", 0, "feedback", "still down"), "/api/v1/kb/sessions/%lld/end",
	   session);
	ok("POST", agent, json_pack("{s:I,s:s}", "queue_id", (json_int_t)experts, "reason", "refund over 500 EUR"),
	   "/api/v1/contacts/%lld/escalate", answered_contact);
	ok("POST", expert, json_pack("{s:s}", "presence", "available"), "/api/v1/agents/me/presence", 0);
	ok("POST", expert, NULL, "/api/v1/contacts/%lld/accept", answered_contact);
	ok("POST", expert, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "refunded"),
	   "/api/v1/contacts/%lld/wrapup", answered_contact);
	/* nobody is free for the second one: it waits, then the customer hangs up */
	ok("POST", agent, json_pack("{s:s,s:s}", "presence", "paused", "reason", "lunch"), "/api/v1/agents/me/presence", 0);
	ok("POST", expert, json_pack("{s:s,s:s}", "presence", "paused", "reason", "lunch"), "/api/v1/agents/me/presence", 0);
	abandoned_contact = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat", "subject",
		"hello?", "queue_id", (json_int_t)front));
	ok("POST", admin, NULL, "/api/v1/contacts/%lld/abandon", abandoned_contact);
	made_to = gc_now_ms();
	kolkata_date(made_from, today);
}

static int setup(void **state)
{
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	supervisor = user("sup@one.example", "supervisor", NULL);
	agent = user("agent@one.example", "agent", &agent_id);
	expert = user("expert@one.example", "expert", &expert_id);
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	fputs(admin, f);
	fclose(f);
	kolkata_date(gc_now_ms(), today);
	struct resp r;
	http_json(&d, "PUT", "/api/v1/calendar", admin, json_pack("{s:s}", "zone", "Asia/Kolkata"), &r);
	int status = r.status;
	resp_clear(&r);
	return status == 200 ? 0 : -1;
}

static int teardown(void **state)
{
	free(admin);
	free(supervisor);
	free(agent);
	free(expert);
	free(other_admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* The index in items of the first item of source and type at or after from; -1 if none. */
static int find(json_t *items, size_t from, const char *source, const char *type)
{
	for (size_t i = from; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		if (strcmp(json_string_value(json_object_get(it, "source")), source) == 0 &&
		    strcmp(json_string_value(json_object_get(it, "type")), type) == 0)
			return (int)i;
	}
	return -1;
}

static void journey_has_everything_in_time_order(void **state)
{
	make_data();
	struct resp r;
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/journey", answered_contact);
	json_t *items = json_object_get(r.json, "items");
	/* in time order */
	int64_t last = 0;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		int64_t at = 0;
		assert_int_equal(gc_time_parse(json_string_value(json_object_get(it, "at")), &at), 0);
		assert_true(at >= last);
		last = at;
	}
	/* the story, in its order */
	static const char *const story[][2] = {
		{"contact", "created"}, {"routing", "enqueued"}, {"routing", "offered"}, {"routing", "offer_expired"},
		{"routing", "accepted"}, {"diagnosis", "diagnosis_started"}, {"diagnosis", "diagnosis_ended"},
		{"routing", "escalated"}, {"routing", "offered"}, {"routing", "accepted"}, {"routing", "wrapup_started"},
	};
	int at = 0, idx[sizeof(story) / sizeof(story[0])];
	for (size_t k = 0; k < sizeof(story) / sizeof(story[0]); k++) {
		at = find(items, (size_t)at, story[k][0], story[k][1]);
		if (at < 0)
			fprintf(stderr, "no %s %s in order in %s\n", story[k][0], story[k][1], r.text);
		assert_true(at >= 0);
		idx[k] = at++;
	}
	/* who and why */
	json_t *missed = json_array_get(items, (size_t)idx[3]), *esc = json_array_get(items, (size_t)idx[7]);
	assert_int_equal(json_integer_value(json_object_get(missed, "agent_id")), expert_id);
	assert_string_equal(json_string_value(json_object_get(missed, "agent")), "Eve Expert");
	assert_int_equal(json_integer_value(json_object_get(esc, "agent_id")), agent_id);
	assert_string_equal(json_string_value(json_object_get(esc, "queue")), "front");
	json_t *data = json_object_get(esc, "data");
	assert_string_equal(json_string_value(json_object_get(data, "reason")), "refund over 500 EUR");
	assert_string_equal(json_string_value(json_object_get(data, "to_queue")), "experts");
	json_t *second = json_array_get(items, (size_t)idx[9]);
	assert_int_equal(json_integer_value(json_object_get(second, "agent_id")), expert_id);
	assert_int_equal(json_integer_value(json_object_get(second, "queue_id")), experts);
	json_t *ended = json_object_get(json_array_get(items, (size_t)idx[6]), "data");
	assert_string_equal(json_string_value(json_object_get(ended, "tree")), "no-internet");
	assert_int_equal(json_array_size(json_object_get(ended, "path")), 2);
	json_t *wrap = json_object_get(json_array_get(items, (size_t)idx[10]), "data");
	assert_string_equal(json_string_value(json_object_get(wrap, "disposition")), "refunded");
	/* the escalation's note is the contact's own, beside the routing event */
	assert_true(find(items, 0, "contact", "note_added") >= 0);
	resp_clear(&r);
	/* the abandoned one */
	call("GET", supervisor, 200, NULL, &r, "/api/v1/contacts/%lld/journey", abandoned_contact);
	items = json_object_get(r.json, "items");
	assert_true(find(items, (size_t)find(items, 0, "routing", "enqueued"), "routing", "abandoned") > 0);
	resp_clear(&r);
	/* the CLI shows the same */
	char *out = NULL, *err = NULL, id[32];
	snprintf(id, sizeof(id), "%lld", answered_contact);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "contacts", "journey", id, NULL), 0);
	assert_non_null(strstr(out, "escalated"));
	assert_non_null(strstr(out, "refund over 500 EUR"));
	assert_non_null(strstr(out, "diagnosis_ended"));
	free(out);
	free(err);
	/* another tenant, and no such contact */
	call("GET", other_admin, 404, NULL, &r, "/api/v1/contacts/%lld/journey", answered_contact);
	resp_clear(&r);
	call("GET", agent, 404, NULL, &r, "/api/v1/contacts/%lld/journey", 999999LL);
	resp_clear(&r);
}

static long long total(json_t *answer, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(answer, "totals"), key));
}

/* The interval of the local day holding ms: its index from "start". */
static json_t *interval_at(json_t *answer, int64_t ms)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(answer, "intervals"), i, o) {
		int64_t start = 0;
		gc_time_parse(json_string_value(json_object_get(o, "start")), &start);
		if (start <= ms && ms < start + 30 * 60000)
			return o;
	}
	return NULL;
}

static void day_so_far_per_interval(void **state)
{
	char end_date[16];
	kolkata_date(made_to, end_date);
	if (strcmp(end_date, today) != 0) {
		print_message("the data straddles local midnight: counts not checked this time\n");
		skip();
	}
	struct resp r;
	call("GET", supervisor, 200, NULL, &r, "/api/v1/reports/intervals?date=%s", today);
	assert_string_equal(json_string_value(json_object_get(r.json, "zone")), "Asia/Kolkata");
	assert_int_equal(json_array_size(json_object_get(r.json, "intervals")), 48);
	/* offered: two enqueued in front, one escalated into experts */
	assert_int_equal(total(r.json, "offered"), 3);
	assert_int_equal(total(r.json, "answered"), 2);
	assert_int_equal(total(r.json, "abandoned"), 1);
	assert_int_equal(total(r.json, "answered_within"), 2);
	assert_true(json_is_real(json_object_get(json_object_get(r.json, "totals"), "avg_handle_s")));
	assert_true(json_is_null(json_object_get(r.json, "forecast")));
	/* where they happened: the local half hour (a UTC one would be off by 30 minutes) */
	json_t *o = interval_at(r.json, made_to);
	assert_non_null(o);
	int64_t start = 0;
	gc_time_parse(json_string_value(json_object_get(o, "start")), &start);
	char label[GC_TIME_LEN];
	gc_time_format(start + 330 * 60000LL, label);
	assert_memory_equal(json_string_value(json_object_get(o, "time")), label + 11, 5);
	assert_true(json_integer_value(json_object_get(o, "abandoned")) == 1);
	assert_true(json_is_null(json_object_get(o, "forecast")));
	resp_clear(&r);
	/* one queue */
	call("GET", supervisor, 200, NULL, &r, "/api/v1/reports/intervals?date=%s&queue=%lld", today, front);
	assert_int_equal(total(r.json, "offered"), 2);
	assert_int_equal(total(r.json, "answered"), 1);
	assert_int_equal(total(r.json, "abandoned"), 1);
	json_t *sl = json_object_get(json_object_get(r.json, "totals"), "service_level");
	assert_true(json_real_value(sl) > 0.49 && json_real_value(sl) < 0.51);
	/* the time front's agent held the contact before escalating it is front's handle time, as in the summary */
	double front_aht = json_real_value(json_object_get(json_object_get(r.json, "totals"), "avg_handle_s"));
	assert_true(front_aht > 0);
	resp_clear(&r);
	call("GET", supervisor, 200, NULL, &r, "/api/v1/reports/summary?date=%s&queue=%lld", today, front);
	double summary_aht = json_real_value(json_object_get(json_object_get(r.json, "totals"), "avg_handle_s"));
	if (front_aht - summary_aht > 0.001 || summary_aht - front_aht > 0.001)
		fprintf(stderr, "front: day so far %.3f s, summary %.3f s\n", front_aht, summary_aht);
	assert_true(front_aht - summary_aht < 0.001 && summary_aht - front_aht < 0.001);
	resp_clear(&r);
	/* and over every queue: the two definitions are one */
	call("GET", supervisor, 200, NULL, &r, "/api/v1/reports/intervals?date=%s", today);
	double all_aht = json_real_value(json_object_get(json_object_get(r.json, "totals"), "avg_handle_s"));
	resp_clear(&r);
	call("GET", supervisor, 200, NULL, &r, "/api/v1/reports/summary?date=%s", today);
	summary_aht = json_real_value(json_object_get(json_object_get(r.json, "totals"), "avg_handle_s"));
	assert_true(all_aht - summary_aht < 0.001 && summary_aht - all_aht < 0.001);
	resp_clear(&r);
	call("GET", supervisor, 200, NULL, &r, "/api/v1/reports/intervals?date=%s&queue=%lld", today, experts);
	assert_int_equal(total(r.json, "offered"), 1);
	assert_int_equal(total(r.json, "answered"), 1);
	resp_clear(&r);
	/* the CLI's totals */
	char *out = NULL, *err = NULL;
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "intervals", "--date", today, NULL), 0);
	const char *line = strstr(out, "\ntotal");
	assert_non_null(line);
	long long offered = 0, answered = 0, abandoned = 0;
	assert_int_equal(sscanf(line, "\ntotal %lld %lld %lld", &offered, &answered, &abandoned), 3);
	assert_true(offered == 3 && answered == 2 && abandoned == 1);
	free(out);
	free(err);
}

static void another_tenant_sees_nothing(void **state)
{
	struct resp r;
	call("GET", other_admin, 200, NULL, &r, "/api/v1/reports/intervals?date=%s", today);
	assert_int_equal(total(r.json, "offered"), 0);
	assert_int_equal(total(r.json, "answered"), 0);
	assert_int_equal(total(r.json, "abandoned"), 0);
	assert_string_equal(json_string_value(json_object_get(r.json, "zone")), "UTC");
	resp_clear(&r);
	call("GET", other_admin, 404, NULL, &r, "/api/v1/reports/intervals?date=%s&queue=%lld", today, front);
	assert_string_equal(resp_error(&r), "not_found");
	resp_clear(&r);
}

static void bad_requests_are_named(void **state)
{
	struct resp r;
	call("GET", supervisor, 400, NULL, &r, "/api/v1/reports/intervals?date=2026-02-30");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "date");
	resp_clear(&r);
	call("GET", supervisor, 400, NULL, &r, "/api/v1/reports/intervals");
	resp_clear(&r);
	call("GET", supervisor, 400, NULL, &r, "/api/v1/reports/intervals?date=2026-12-01&queue=x");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "queue");
	resp_clear(&r);
	call("GET", agent, 403, NULL, &r, "/api/v1/reports/intervals?date=2026-12-01");
	resp_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(journey_has_everything_in_time_order),
		cmocka_unit_test(day_so_far_per_interval),
		cmocka_unit_test(another_tenant_sees_nothing),
		cmocka_unit_test(bad_requests_are_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
