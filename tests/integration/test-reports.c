/* The reports kept current (GET /api/v1/reports/summary, guichet report
 * summary) through the real daemon on the run's engine, with a fixed
 * history made through the API: a brand's agent serves "front", an
 * outsourcer's (BPO) agent serves "back" (level 2); c1 is answered in
 * front and transferred to back, answered and resolved there; c2 waits
 * while nobody is free and is abandoned; c3, of the same customer and
 * reason as c1, is answered in front, escalated to back, answered and
 * resolved there.
 *
 * By hand: offered 5 (3 enqueued in front, 1 transferred and 1 escalated
 * into back), answered 4 (2 per queue, 2 per agent), abandoned 1, all
 * answered at once (within the targets: service level 4 / 5), handled 2
 * (the BPO agent's wrap-ups), 1 transfer and 1 escalation (the brand's
 * agent's), first-contact resolution 1 of 2 (c1 is followed by c3 within
 * 7 days). Times are measured, so only bounded. The outsourcer's
 * supervisor sees its agent's rows alone and no first-contact resolution;
 * another tenant sees nothing; an agent may not read it; the figures
 * survive kill -9; the CLI writes the same in CSV and XLSX.
 *
 * A third tenant's history counts offers refused and the time held before
 * a transfer or an escalation (make_ring_history): its agent A declines
 * x1, lets it ring out (the queue's 1 s offer timeout), then answers it and
 * transfers it to agent B after HELD_MS; B answers and resolves it, then
 * answers x2 and escalates it after ESCALATED_MS (to a level-2 queue nobody
 * serves: it waits there). */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guichet/clock.h"

#define PASSWORD "reports pass"

static struct daemon d;
static char *admin, *other_admin, *brand_agent, *bpo_agent, *bpo_supervisor, tokfile[128];
static long long brand_id, bpo_id, front, back;
static char range[160];       /* from=...&to=... around the history */
static char *ring_admin, *ring_a, *ring_b, ring_tokfile[128], ring_range[160];
static long long ring_queue, ring_a_id, ring_b_id;

#define HELD_MS 2000      /* how long A holds x1 before its transfer */
#define ESCALATED_MS 1000 /* how long B holds x2 before its escalation */

#define call(...) http_expect(&d, __VA_ARGS__)

static void ok(const char *method, const char *token, json_t *body, const char *fmt, long long id)
{
	struct resp r;
	call(method, token, 200, body, &r, fmt, id);
	resp_clear(&r);
}

static char *user(const char *email, const char *role, const char *org, long long *ret_id)
{
	json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email, "password", PASSWORD, "role", role);
	if (org)
		json_object_set_new(body, "organisation", json_string(org));
	long long id = post_id(&d, admin, "/api/v1/users", body);
	if (ret_id)
		*ret_id = id;
	return login(&d, email, PASSWORD);
}

static void presence(const char *token, const char *p)
{
	json_t *body = json_pack("{s:s}", "presence", p);
	if (strcmp(p, "paused") == 0)
		json_object_set_new(body, "reason", json_string("break"));
	ok("POST", token, body, "/api/v1/agents/me/presence", 0);
}

static long long contact(long long customer)
{
	return post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:s,s:I,s:I}", "channel", "chat", "subject", "s",
		"reason", "billing", "customer_id", (json_int_t)customer, "queue_id", (json_int_t)front));
}

static void make_history(void)
{
	long long fskill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "front-skill"));
	long long bskill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "back-skill"));
	front = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "front", "skill_id",
		(json_int_t)fskill, "channel", "chat", "sl_seconds", 30));
	back = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "back", "skill_id",
		(json_int_t)bskill, "channel", "chat", "level", 2, "sl_seconds", 60));
	ok("PUT", admin, json_pack("{s:[{s:I,s:i}],s:{s:i}}", "skills", "skill_id", (json_int_t)fskill, "proficiency", 5,
				   "capacity", "chat", 1), "/api/v1/agents/%lld", brand_id);
	ok("PUT", admin, json_pack("{s:[{s:I,s:i}],s:{s:i},s:i}", "skills", "skill_id", (json_int_t)bskill, "proficiency",
				   5, "capacity", "chat", 1, "level", 2), "/api/v1/agents/%lld", bpo_id);
	long long customer = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "external_id", "R-1"));
	int64_t from = gc_now_ms();
	presence(brand_agent, "available");
	presence(bpo_agent, "available");
	long long c1 = contact(customer);
	ok("POST", brand_agent, NULL, "/api/v1/contacts/%lld/accept", c1);
	ok("POST", brand_agent, json_pack("{s:I,s:s}", "queue_id", (json_int_t)back, "reason", "for the back office"),
	   "/api/v1/contacts/%lld/transfer", c1);
	ok("POST", bpo_agent, NULL, "/api/v1/contacts/%lld/accept", c1);
	ok("POST", bpo_agent, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "fixed"),
	   "/api/v1/contacts/%lld/wrapup", c1);
	presence(brand_agent, "paused");
	long long c2 = contact(customer);
	ok("POST", admin, NULL, "/api/v1/contacts/%lld/abandon", c2);
	presence(brand_agent, "available");
	long long c3 = contact(customer);
	ok("POST", brand_agent, NULL, "/api/v1/contacts/%lld/accept", c3);
	ok("POST", brand_agent, json_pack("{s:I,s:s}", "queue_id", (json_int_t)back, "reason", "refund"),
	   "/api/v1/contacts/%lld/escalate", c3);
	ok("POST", bpo_agent, NULL, "/api/v1/contacts/%lld/accept", c3);
	ok("POST", bpo_agent, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "refunded"),
	   "/api/v1/contacts/%lld/wrapup", c3);
	usleep(1100 * 1000); /* past the 1 s default wrap-up, so both go paused free */
	presence(brand_agent, "paused");
	presence(bpo_agent, "paused");
	char a[GC_TIME_LEN], b[GC_TIME_LEN];
	gc_time_format(from - 3600 * 1000LL, a);
	gc_time_format(gc_now_ms() + 3600 * 1000LL, b);
	snprintf(range, sizeof(range), "from=%s&to=%s", a, b);
}

static char *ring_user(const char *email, long long skill, long long *ret_id)
{
	*ret_id = post_id(&d, ring_admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email,
		"password", PASSWORD, "role", "agent"));
	struct resp r;
	call("PUT", ring_admin, 200, json_pack("{s:[{s:I,s:i}],s:{s:i}}", "skills", "skill_id", (json_int_t)skill,
		"proficiency", 5, "capacity", "chat", 1), &r, "/api/v1/agents/%lld", *ret_id);
	resp_clear(&r);
	return login(&d, email, PASSWORD);
}

static long long ring_missed(void)
{
	struct resp r;
	call("GET", ring_admin, 200, NULL, &r, "/api/v1/reports/summary?%s", ring_range);
	long long n = json_integer_value(json_object_get(json_object_get(r.json, "totals"), "missed"));
	resp_clear(&r);
	return n;
}

/* The third tenant's history: A declines x1, lets it ring out, answers it
 * and transfers it to B after HELD_MS; B answers and resolves it, then
 * answers x2 and escalates it after ESCALATED_MS. */
static void make_ring_history(void)
{
	ring_admin = login(&d, "admin@three.example", PASSWORD);
	long long skill = post_id(&d, ring_admin, "/api/v1/skills", json_pack("{s:s}", "name", "ring-skill"));
	ring_queue = post_id(&d, ring_admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "ring",
		"skill_id", (json_int_t)skill, "channel", "chat", "offer_timeout_s", 1, "sl_seconds", 60));
	long long experts = post_id(&d, ring_admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "ring-experts",
		"skill_id", (json_int_t)post_id(&d, ring_admin, "/api/v1/skills", json_pack("{s:s}", "name", "expert-skill")),
		"channel", "chat", "level", 2));
	ring_a = ring_user("a@three.example", skill, &ring_a_id);
	ring_b = ring_user("b@three.example", skill, &ring_b_id);
	int64_t from = gc_now_ms();
	char a[GC_TIME_LEN], b[GC_TIME_LEN];
	gc_time_format(from - 3600 * 1000LL, a);
	gc_time_format(from + 3 * 3600 * 1000LL, b);
	snprintf(ring_range, sizeof(ring_range), "from=%s&to=%s", a, b);
	presence(ring_a, "available");
	long long x1 = post_id(&d, ring_admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat",
		"subject", "ring", "queue_id", (json_int_t)ring_queue));
	struct resp r;
	call("POST", ring_a, 204, NULL, &r, "/api/v1/contacts/%lld/reject", x1);
	resp_clear(&r);
	/* a decline holds until A changes state: offered again, and let ring out */
	presence(ring_a, "paused");
	presence(ring_a, "available");
	for (int i = 0; i < 100 && ring_missed() == 0; i++)
		usleep(100 * 1000);
	presence(ring_a, "paused");
	presence(ring_a, "available");
	ok("POST", ring_a, NULL, "/api/v1/contacts/%lld/accept", x1);
	usleep(HELD_MS * 1000);
	presence(ring_b, "available");
	ok("POST", ring_a, json_pack("{s:I}", "agent_id", (json_int_t)ring_b_id), "/api/v1/contacts/%lld/transfer", x1);
	ok("POST", ring_b, NULL, "/api/v1/contacts/%lld/accept", x1);
	ok("POST", ring_b, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "fixed"),
	   "/api/v1/contacts/%lld/wrapup", x1);
	presence(ring_a, "paused");
	usleep(1100 * 1000); /* past B's 1 s wrap-up */
	long long x2 = post_id(&d, ring_admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat",
		"subject", "escalate", "queue_id", (json_int_t)ring_queue));
	ok("POST", ring_b, NULL, "/api/v1/contacts/%lld/accept", x2);
	usleep(ESCALATED_MS * 1000);
	ok("POST", ring_b, json_pack("{s:I,s:s}", "queue_id", (json_int_t)experts, "reason", "expert"),
	   "/api/v1/contacts/%lld/escalate", x2);
	presence(ring_b, "paused");
	snprintf(ring_tokfile, sizeof(ring_tokfile), "%s/ring.token", d.dir);
	FILE *f = fopen(ring_tokfile, "w");
	fputs(ring_admin, f);
	fclose(f);
}

static int setup(void **state)
{
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "three", "admin@three.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	if (http_status(&d, "POST", "/api/v1/organisations", admin, json_pack("{s:s,s:s}", "name", "BPO", "kind",
										"outsourcer")) != 201)
		return -1;
	brand_agent = user("agent@one.example", "agent", NULL, &brand_id);
	bpo_agent = user("agent@bpo.example", "outsourced_agent", "BPO", &bpo_id);
	bpo_supervisor = user("sup@bpo.example", "supervisor", "BPO", NULL);
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	fputs(admin, f);
	fclose(f);
	make_history();
	make_ring_history();
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other_admin);
	free(brand_agent);
	free(bpo_agent);
	free(bpo_supervisor);
	free(ring_admin);
	free(ring_a);
	free(ring_b);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static long long n_of(const json_t *o, const char *name)
{
	return (long long)json_integer_value(json_object_get(o, name));
}

static double real_of(const json_t *o, const char *name)
{
	const json_t *v = json_object_get(o, name);
	assert_true(json_is_real(v));
	return json_real_value(v);
}

static void check_totals(const json_t *t)
{
	assert_int_equal(n_of(t, "offered"), 5);
	assert_int_equal(n_of(t, "answered"), 4);
	assert_int_equal(n_of(t, "answered_within"), 4);
	assert_int_equal(n_of(t, "abandoned"), 1);
	assert_int_equal(n_of(t, "handled"), 2);
	assert_int_equal(n_of(t, "transfers"), 1);
	assert_int_equal(n_of(t, "escalations"), 1);
	assert_true(real_of(t, "service_level") > 0.79 && real_of(t, "service_level") < 0.81);
	assert_true(real_of(t, "avg_speed_of_answer_s") >= 0 && real_of(t, "avg_speed_of_answer_s") < 10);
	assert_true(real_of(t, "avg_abandon_wait_s") >= 0 && real_of(t, "avg_abandon_wait_s") < 10);
	assert_true(real_of(t, "avg_handle_s") >= 0 && real_of(t, "avg_handle_s") < 30);
	assert_true(n_of(t, "staffed_ms") > 1000); /* at least the 1.1 s both waited available */
	assert_true(real_of(t, "occupancy") >= 0 && real_of(t, "occupancy") <= 1);
}

static void the_brand_sees_every_figure(void **state)
{
	struct resp r;
	size_t k;
	json_t *row;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=queue", range);
	check_totals(json_object_get(r.json, "totals"));
	json_t *rows = json_object_get(r.json, "rows");
	assert_int_equal(json_array_size(rows), 2);
	json_t *f = json_array_get(rows, 0), *b = json_array_get(rows, 1);
	assert_int_equal(n_of(f, "queue_id"), front);
	assert_string_equal(json_string_value(json_object_get(f, "name")), "front");
	assert_int_equal(n_of(f, "offered"), 3);
	assert_int_equal(n_of(f, "answered"), 2);
	assert_int_equal(n_of(f, "abandoned"), 1);
	assert_int_equal(n_of(f, "transfers"), 1);
	assert_int_equal(n_of(f, "escalations"), 1);
	assert_int_equal(n_of(b, "offered"), 2);
	assert_int_equal(n_of(b, "answered"), 2);
	assert_int_equal(n_of(b, "handled"), 2);
	json_t *fcr = json_object_get(r.json, "first_contact_resolution");
	assert_int_equal(n_of(fcr, "resolved"), 2);
	assert_int_equal(n_of(fcr, "once_and_done"), 1);
	/* today's contacts have not had their 7 days: the figure can still fall, and says until when */
	assert_true(json_is_true(json_object_get(fcr, "provisional")));
	int64_t to_ms = 0, final_ms = 0;
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(r.json, "to")), &to_ms), 0);
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(fcr, "final_at")), &final_ms), 0);
	assert_true(final_ms == to_ms + 7 * 86400 * 1000LL);
	resp_clear(&r);
	/* the outsourcer's positions against the brand's */
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=organisation", range);
	rows = json_object_get(r.json, "rows");
	assert_int_equal(json_array_size(rows), 2);
	json_t *brand = json_array_get(rows, 0), *bpo = json_array_get(rows, 1);
	assert_string_equal(json_string_value(json_object_get(bpo, "name")), "BPO");
	assert_int_equal(n_of(brand, "answered"), 2);
	assert_int_equal(n_of(brand, "transfers") + n_of(brand, "escalations"), 2);
	assert_int_equal(n_of(bpo, "answered"), 2);
	assert_int_equal(n_of(bpo, "handled"), 2);
	/* contacts offered and abandoned are the queues': no figure per organisation
	 * (a 0 there read as "offered nothing, answered 2" beside a total of 5) */
	assert_true(json_is_null(json_object_get(bpo, "offered")));
	assert_true(json_is_null(json_object_get(bpo, "abandoned")));
	assert_true(json_is_null(json_object_get(bpo, "avg_abandon_wait_s")));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", range);
	json_array_foreach(json_object_get(r.json, "rows"), k, row) {
		assert_true(json_is_null(json_object_get(row, "offered")));
		assert_true(json_is_null(json_object_get(row, "abandoned")));
	}
	check_totals(json_object_get(r.json, "totals")); /* the range's, whatever the cut */
	resp_clear(&r);
	/* and time available is the agents': none per queue */
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=queue", range);
	json_array_foreach(json_object_get(r.json, "rows"), k, row) {
		assert_true(json_is_null(json_object_get(row, "staffed_ms")));
		assert_true(json_is_null(json_object_get(row, "occupancy")));
	}
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent&queue=%lld", range, back);
	rows = json_object_get(r.json, "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(n_of(json_array_get(rows, 0), "agent_id"), bpo_id);
	/* first-contact resolution of one queue: the contacts that came in through it (all three through front) */
	assert_int_equal(n_of(json_object_get(r.json, "first_contact_resolution"), "resolved"), 0);
	assert_true(json_is_null(json_object_get(json_object_get(r.json, "first_contact_resolution"), "rate")));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&queue=%lld", range, front);
	assert_int_equal(n_of(json_object_get(r.json, "first_contact_resolution"), "resolved"), 2);
	assert_int_equal(n_of(json_object_get(r.json, "first_contact_resolution"), "once_and_done"), 1);
	resp_clear(&r);
	/* per interval and per channel: the same totals */
	static const char *const cuts[] = {"interval", "channel"};
	for (int i = 0; i < 2; i++) {
		call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=%s", range, cuts[i]);
		check_totals(json_object_get(r.json, "totals"));
		resp_clear(&r);
	}
}

/* The history the forecasts read: whole days before today unless today is
 * asked for, each interval's AHT from the handle times the reports hold
 * (the tenant has no calendar: UTC labels). */
static void the_history_carries_handle_times(void **state)
{
	struct resp r, halves;
	http_raw(&d, "GET", "/api/v1/wfm/history?days=1", admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	/* every contact is today's: yesterday's last half hour alone, with no call, says where the history ends */
	char want[64];
	time_t yesterday = time(NULL) / 86400 * 86400 - 86400;
	struct tm tm;
	gmtime_r(&yesterday, &tm);
	strftime(want, sizeof(want), "interval_start,calls,aht\n%Y-%m-%dT23:30,0,\n", &tm);
	assert_string_equal(r.text, want);
	resp_clear(&r);
	http_raw(&d, "GET", "/api/v1/wfm/history?days=1&today=1", admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	call("GET", admin, 200, NULL, &halves, "/api/v1/reports/summary?%s&by=interval", range);
	long calls = 0;
	int timed = 0;
	for (char *line = strchr(r.text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char start[32];
		long n;
		double aht = -1;
		assert_true(sscanf(line + 1, "%16[^,],%ld,%lf", start, &n, &aht) >= 2);
		calls += n;
		size_t i;
		json_t *half;
		json_array_foreach(json_object_get(halves.json, "rows"), i, half) {
			const char *at = json_string_value(json_object_get(half, "start"));
			if (strncmp(at, start, 16) != 0 || n_of(half, "handled") == 0)
				continue;
			assert_true(fabs(aht - n_of(half, "handle_ms") / 1000.0 / n_of(half, "handled")) < 0.051);
			timed++;
		}
	}
	assert_int_equal(calls, 3);
	assert_true(timed >= 1);
	resp_clear(&halves);
	resp_clear(&r);
}

static void an_outsourcer_sees_its_own_agents(void **state)
{
	struct resp r;
	/* /me tells the screens whose figures the caller sees */
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/me");
	assert_true(json_is_integer(json_object_get(r.json, "organisation_id")));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/me");
	assert_true(json_is_null(json_object_get(r.json, "organisation_id")));
	resp_clear(&r);
	call("GET", bpo_supervisor, 403, NULL, &r, "/api/v1/reports/intervals?date=2026-01-01");
	assert_non_null(strstr(r.text, "by=interval")); /* the brand's whole day: the outsourcer reads its own there */
	resp_clear(&r);
	/* nor the brand's other whole figures, nor where its digest goes */
	static const char *const brands[] = {"/api/v1/reports/same-day?from=2026-01-01&to=2026-01-02",
		"/api/v1/reports/callbacks", "/api/v1/reports/gestures", "/api/v1/wfm/history", "/api/v1/reports/voice/digest"};
	for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++) {
		call("GET", bpo_supervisor, 403, NULL, &r, "%s", brands[i]);
		assert_non_null(strstr(r.text, "the brand's"));
		resp_clear(&r);
		struct resp own;
		http_json(&d, "GET", brands[i], admin, NULL, &own);
		assert_int_not_equal(own.status, 403);
		resp_clear(&own);
	}
	call("PUT", bpo_supervisor, 403, json_pack("{s:s,s:[s],s:i}", "time", "08:00", "to", "x@bpo.example",
		"mailbox_id", 1), &r, "%s", "/api/v1/reports/voice/digest");
	resp_clear(&r);
	call("DELETE", bpo_supervisor, 403, NULL, &r, "%s", "/api/v1/reports/voice/digest");
	resp_clear(&r);
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/reports/summary?%s&by=queue", range);
	assert_true(json_is_integer(json_object_get(r.json, "organisation_id")));
	assert_true(json_is_null(json_object_get(r.json, "first_contact_resolution")));
	json_t *rows = json_object_get(r.json, "rows"), *t = json_object_get(r.json, "totals");
	assert_int_equal(json_array_size(rows), 1); /* back alone: its agent never worked in front */
	assert_int_equal(n_of(json_array_get(rows, 0), "queue_id"), back);
	assert_true(json_is_null(json_object_get(json_array_get(rows, 0), "offered")));
	assert_int_equal(n_of(t, "answered"), 2);
	assert_int_equal(n_of(t, "handled"), 2);
	assert_true(json_is_null(json_object_get(t, "offered"))); /* the queues' own figures are the brand's */
	assert_true(json_is_null(json_object_get(t, "abandoned")));
	assert_int_equal(n_of(t, "transfers") + n_of(t, "escalations"), 0);
	resp_clear(&r);
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", range);
	rows = json_object_get(r.json, "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(n_of(json_array_get(rows, 0), "agent_id"), bpo_id);
	assert_null(strstr(r.text, "agent@one.example"));
	resp_clear(&r);
	/* its wallboard lists its own agents, not the brand's (their states, the contacts they hold, their emails) */
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/agents%s", "");
	rows = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(n_of(json_array_get(rows, 0), "user_id"), bpo_id);
	assert_null(strstr(r.text, "agent@one.example"));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/agents%s", "");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2); /* the brand's people see both */
	resp_clear(&r);
	/* nor one of the brand's agents by its id */
	call("GET", bpo_supervisor, 404, NULL, &r, "/api/v1/agents/%lld", brand_id);
	assert_null(strstr(r.text, "agent@one.example"));
	resp_clear(&r);
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/agents/%lld", bpo_id);
	resp_clear(&r);
	/* it sets its own agents, not the brand's */
	json_t *brk = json_pack("{s:s,s:s}", "presence", "paused", "reason", "break");
	call("POST", bpo_supervisor, 403, json_incref(brk), &r, "/api/v1/agents/%lld/presence", brand_id);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "user");
	resp_clear(&r);
	call("PUT", bpo_supervisor, 403, json_pack("{s:i,s:[],s:{s:i}}", "level", 1, "skills", "capacity", "chat", 0),
	     &r, "/api/v1/agents/%lld", brand_id);
	resp_clear(&r);
	call("POST", bpo_supervisor, 404, json_incref(brk), &r, "/api/v1/agents/%lld/presence", (long long)999999);
	resp_clear(&r);
	call("POST", bpo_supervisor, 200, brk, &r, "/api/v1/agents/%lld/presence", bpo_id);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/agents/%lld", brand_id);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "capacity"), "chat")), 1);
	resp_clear(&r);
}

static void another_tenant_and_an_agent_see_nothing(void **state)
{
	struct resp r;
	call("GET", other_admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", range);
	assert_int_equal(json_array_size(json_object_get(r.json, "rows")), 0);
	assert_int_equal(n_of(json_object_get(r.json, "totals"), "offered"), 0);
	assert_int_equal(n_of(json_object_get(r.json, "first_contact_resolution"), "resolved"), 0);
	resp_clear(&r);
	call("GET", other_admin, 404, NULL, &r, "/api/v1/reports/summary?%s&queue=%lld", range, front);
	resp_clear(&r);
	call("GET", brand_agent, 403, NULL, &r, "/api/v1/reports/summary?%s", range);
	resp_clear(&r);
}

static const char *field(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
}

static void bad_requests_are_named(void **state)
{
	struct resp r;
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/summary?%s&by=week", range);
	assert_string_equal(field(&r), "by");
	resp_clear(&r);
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/summary?to=2026-01-01T00:00:00Z%s", "");
	assert_string_equal(field(&r), "from");
	resp_clear(&r);
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z%s", "");
	assert_string_equal(field(&r), "to");
	resp_clear(&r);
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/summary?date=2026-02-30%s", "");
	assert_string_equal(field(&r), "date");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?date=2026-02-28%s", "");
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "first_contact_resolution"), "provisional")));
	resp_clear(&r);
}

static void the_cli_writes_csv_and_xlsx(void **state)
{
	char *out = NULL, *err = NULL, csv[256], xlsx[256], from[64], to[64];
	snprintf(csv, sizeof(csv), "%s/summary.csv", d.dir);
	snprintf(xlsx, sizeof(xlsx), "%s/summary.xlsx", d.dir);
	assert_int_equal(sscanf(range, "from=%63[^&]&to=%63s", from, to), 2);
	/* the table: its headers in full words */
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "summary", "--from", from, "--to", to, "--by", "queue",
				 NULL), 0);
	assert_non_null(strstr(out, " service level "));
	assert_non_null(strstr(out, " avg answer (s) "));
	assert_non_null(strstr(out, " avg abandon (s) ")); /* after how long they gave up */
	assert_non_null(strstr(out, "\ntotal"));
	/* shares as percentages (4 of 5 within the goal), as guichet report intervals writes them */
	const char *total = strstr(out, "\ntotal");
	assert_non_null(strstr(total, " 80% "));
	assert_null(strstr(out, "0.8000"));
	assert_non_null(strstr(out, "first-contact resolution: 1 of the 2 contacts resolved with a reason were once and "
				    "done (50%), provisional until "));
	free(out);
	free(err);
	/* per half hour, the tenant's wall time (UTC here: no calendar), as guichet report intervals shows it */
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "summary", "--from", from, "--to", to, NULL), 0);
	assert_non_null(strstr(out, " (UTC)\nhalf hour "));
	/* the table's times, not ISO ones; the first-contact line after it says its final_at as the API does
	 * (--to plus 7 days: ".000Z" there once in a thousand runs) */
	const char *fcr_line = strstr(out, "\nfirst-contact resolution");
	assert_non_null(fcr_line);
	assert_null(memmem(out, (size_t)(fcr_line - out), ".000Z", 5));
	const char *first = strstr(strstr(out, "\nhalf hour ") + 1, "\n"); /* the first half hour's line */
	int y, mo, day, h, mi;
	assert_non_null(first);
	assert_int_equal(sscanf(first + 1, "%4d-%2d-%2d %2d:%2d ", &y, &mo, &day, &h, &mi), 5);
	assert_true(mi == 0 || mi == 30);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "summary", "--from", from, "--to", to, "--by", "queue",
				 "--format", "csv", "--output", csv, NULL), 0);
	free(out);
	free(err);
	FILE *f = fopen(csv, "r");
	assert_non_null(f);
	char line[1024], last[1024] = "";
	assert_non_null(fgets(line, sizeof(line), f));
	assert_memory_equal(line, "\"queue_id\",\"name\",\"offered\",\"answered\"", 38);
	while (fgets(line, sizeof(line), f))
		snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	assert_memory_equal(last, "\"total\",\"\",\"5\",\"4\",\"4\",\"1\"", 26);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "summary", "--from", from, "--to", to, "--format",
				 "xlsx", "--output", xlsx, NULL), 0);
	free(out);
	free(err);
	f = fopen(xlsx, "rb");
	assert_non_null(f);
	char magic[2] = {0};
	assert_int_equal(fread(magic, 1, 2, f), 2);
	fclose(f);
	assert_memory_equal(magic, "PK", 2);
	/* a bad format is named, and nothing is written */
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "summary", "--from", from, "--to", to, "--format",
				 "pdf", NULL), 2);
	assert_non_null(strstr(err, "--format"));
	free(out);
	free(err);
}

static const json_t *row_of(const json_t *answer, const char *key, long long id)
{
	size_t i;
	const json_t *row;
	json_array_foreach(json_object_get(answer, "rows"), i, row) if (n_of(row, key) == id) return row;
	fail_msg("no row with %s %lld", key, id);
	return NULL;
}

/* A's declined offer and the one it let ring out are counted in its row,
 * its queue's, and every cut's totals; B, who took what it was offered,
 * has none. */
static void offers_declined_and_missed_are_counted(void **state)
{
	struct resp r;
	call("GET", ring_admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", ring_range);
	const json_t *a = row_of(r.json, "agent_id", ring_a_id), *b = row_of(r.json, "agent_id", ring_b_id);
	assert_int_equal(n_of(a, "declined"), 1);
	assert_int_equal(n_of(a, "missed"), 1);
	assert_int_equal(n_of(b, "declined"), 0);
	assert_int_equal(n_of(b, "missed"), 0);
	resp_clear(&r);
	call("GET", ring_admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=queue", ring_range);
	const json_t *q = row_of(r.json, "queue_id", ring_queue);
	assert_int_equal(n_of(q, "declined"), 1);
	assert_int_equal(n_of(q, "missed"), 1);
	assert_int_equal(n_of(q, "offered"), 3); /* x1 entered, and once more by its transfer; x2 entered */
	resp_clear(&r);
	static const char *const cuts[] = {"interval", "queue", "agent", "organisation", "channel"};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		call("GET", ring_admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=%s", ring_range, cuts[i]);
		const json_t *t = json_object_get(r.json, "totals");
		assert_int_equal(n_of(t, "declined"), 1);
		assert_int_equal(n_of(t, "missed"), 1);
		long long declined = 0, missed = 0;
		size_t k;
		const json_t *row;
		json_array_foreach(json_object_get(r.json, "rows"), k, row) {
			declined += n_of(row, "declined");
			missed += n_of(row, "missed");
		}
		assert_int_equal(declined, 1); /* every cut holds them once: per organisation, the brand's */
		assert_int_equal(missed, 1);
		resp_clear(&r);
	}
	/* the first tenant's agents refused nothing */
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", range);
	assert_int_equal(n_of(json_object_get(r.json, "totals"), "declined"), 0);
	assert_int_equal(n_of(json_object_get(r.json, "totals"), "missed"), 0);
	resp_clear(&r);
}

/* A held x1 HELD_MS before transferring it, B x2 ESCALATED_MS before
 * escalating it: that time is their handle time (and their occupancy's),
 * though x1 is handled once, by B who ended it, and x2 not yet; the average
 * divides by the contacts each held. */
static void the_time_held_before_a_transfer_is_credited(void **state)
{
	struct resp r;
	call("GET", ring_admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", ring_range);
	const json_t *a = row_of(r.json, "agent_id", ring_a_id), *b = row_of(r.json, "agent_id", ring_b_id);
	assert_int_equal(n_of(a, "handled"), 0);
	assert_int_equal(n_of(a, "transfers"), 1);
	assert_true(n_of(a, "handle_ms") >= HELD_MS);
	assert_true(n_of(a, "handle_ms") < HELD_MS + 3000);
	assert_true(fabs(real_of(a, "avg_handle_s") - n_of(a, "handle_ms") / 1000.0) < 0.001);
	assert_true(real_of(a, "occupancy") > 0);
	assert_true(fabs(real_of(a, "occupancy") - (double)n_of(a, "handle_ms") / (double)n_of(a, "staffed_ms")) < 1e-9);
	assert_int_equal(n_of(b, "handled"), 1);
	assert_int_equal(n_of(b, "escalations"), 1);
	assert_true(n_of(b, "handle_ms") >= ESCALATED_MS); /* x1's moments and x2's second */
	assert_true(n_of(b, "handle_ms") < ESCALATED_MS + HELD_MS);
	assert_true(fabs(real_of(b, "avg_handle_s") - n_of(b, "handle_ms") / 1000.0 / 2) < 0.001);
	const json_t *t = json_object_get(r.json, "totals");
	assert_int_equal(n_of(t, "handled"), 1); /* x1, handled once */
	assert_int_equal(n_of(t, "handle_ms"), n_of(a, "handle_ms") + n_of(b, "handle_ms"));
	assert_true(fabs(real_of(t, "avg_handle_s") - n_of(t, "handle_ms") / 1000.0 / 3) < 0.001);
	resp_clear(&r);
}

/* The CLI's table and CSV carry the same refused offers as the API, row by row. */
static void the_cli_writes_offers_refused(void **state)
{
	char *out = NULL, *err = NULL, from[64], to[64];
	assert_int_equal(sscanf(ring_range, "from=%63[^&]&to=%63s", from, to), 2);
	assert_int_equal(run_cli(&d, ring_tokfile, &out, &err, "report", "summary", "--from", from, "--to", to, "--by",
				 "agent", NULL), 0);
	assert_non_null(strstr(out, " declined "));
	assert_non_null(strstr(out, " missed "));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, ring_tokfile, &out, &err, "report", "summary", "--from", from, "--to", to, "--by",
				 "agent", "--format", "csv", NULL), 0);
	char *line = out, *next = strchr(out, '\n'); /* the header: where the columns are */
	assert_non_null(next);
	*next++ = '\0';
	int col = 0, at_declined = -1, at_missed = -1, at_agent = -1;
	for (char *c = line; c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL, col++) {
		at_declined = strncmp(c, "\"declined\"", 10) == 0 ? col : at_declined;
		at_missed = strncmp(c, "\"missed\"", 8) == 0 ? col : at_missed;
		at_agent = strncmp(c, "\"agent_id\"", 10) == 0 ? col : at_agent;
	}
	assert_true(at_declined > 0 && at_missed > 0 && at_agent == 0);
	struct resp r;
	call("GET", ring_admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", ring_range);
	int n = 0;
	for (line = next; line && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		long long v[3] = {0};
		col = 0;
		for (char *c = line; c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL, col++) {
			long long x = strtoll(c + 1, NULL, 10);
			v[0] = col == at_agent ? x : v[0];
			v[1] = col == at_declined ? x : v[1];
			v[2] = col == at_missed ? x : v[2];
		}
		const json_t *row = strncmp(line, "\"total\"", 7) == 0 ? json_object_get(r.json, "totals")
				    : row_of(r.json, "agent_id", v[0]);
		assert_int_equal(v[1], n_of(row, "declined"));
		assert_int_equal(v[2], n_of(row, "missed"));
		n++;
	}
	assert_int_equal(n, 3); /* A, B and the totals */
	resp_clear(&r);
	free(out);
	free(err);
}

/* The accessibility barometer of this month: the chats answered at once
 * (4 of the 5 that ended their wait: c2 was abandoned) within 30 s, none
 * over 2 minutes; no call and no email yet (null shares); the help centre
 * shows a way to reach a person once it is open with a phone number. The
 * outsourcer's supervisor and an agent may not read it; a bad month is
 * named. */
static void the_barometer_of_the_month(void **state)
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/barometer%s", "");
	json_t *chat = NULL, *c;
	size_t i;
	json_array_foreach(json_object_get(r.json, "channels"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "channel")), "chat") == 0)
			chat = c;
	assert_non_null(chat);
	assert_int_equal(n_of(chat, "answered"), 4);
	assert_int_equal(n_of(chat, "abandoned"), 1);
	assert_true(n_of(chat, "answered_30s") == 4);
	assert_true(json_real_value(json_object_get(chat, "answered_30s_share")) > 0.79);
	assert_int_equal(n_of(chat, "waited_over_2min"), 0);
	json_t *calls = json_object_get(r.json, "calls");
	assert_true(json_is_null(json_object_get(calls, "answered_30s_share")));
	assert_true(json_real_value(json_object_get(json_object_get(calls, "barometer"), "answered_30s_share")) > 0.55);
	assert_true(json_is_null(json_object_get(json_object_get(r.json, "emails"), "share")));
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "help_centre"), "shows_a_way_to_reach_a_person")));
	resp_clear(&r);
	ok("PUT", admin, json_pack("{s:b,s:s,s:s}", "enabled", 1, "title", "Help", "phone", "+33 1 23 45 67 89"),
	   "/api/v1/portal%.0lld", 0);
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/barometer%s", "");
	json_t *help = json_object_get(r.json, "help_centre");
	assert_true(json_is_true(json_object_get(help, "shows_a_way_to_reach_a_person")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(help, "ways"), 0)), "phone");
	resp_clear(&r);
	call("GET", bpo_supervisor, 403, NULL, &r, "/api/v1/reports/barometer%s", "");
	resp_clear(&r);
	call("GET", brand_agent, 403, NULL, &r, "/api/v1/reports/barometer%s", "");
	resp_clear(&r);
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/barometer?month=2026-13%s", "");
	assert_string_equal(field(&r), "month");
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/reports/barometer?month=2026-01%s", "");
	assert_int_equal(json_array_size(json_object_get(r.json, "channels")), 0);
	resp_clear(&r);
	char *out = NULL, *err = NULL;
	int rc = run_cli(&d, tokfile, &out, &err, "report", "barometer", NULL);
	if (rc != 0)
		fail_msg("report barometer: %s %s", out, err);
	assert_non_null(strstr(out, "calls answered within 30 s"));
	assert_non_null(strstr(out, "56%"));
	free(out);
	free(err);
}

static void the_figures_survive_kill_9(void **state)
{
	assert_int_equal(daemon_crash(&d), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=queue", range);
	check_totals(json_object_get(r.json, "totals")); /* nothing lost, nothing counted twice */
	resp_clear(&r);
}

/* Run last (it adds a contact): an outsourcer's supervisor does not take a
 * contact away from the brand's own agent, as it does not set that agent. */
/* The brand agent's staffed time in the summary (range: make_history's, which
 * spans now). */
static long long brand_staffed_ms(void)
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", range);
	long long staffed = -1;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(r.json, "rows"), i, row)
		if (n_of(row, "agent_id") == brand_id)
			staffed = n_of(row, "staffed_ms");
	resp_clear(&r);
	return staffed;
}

static void an_outsourcer_moves_only_its_own_agents_contacts(void **state)
{
	long long staffed = brand_staffed_ms();
	presence(brand_agent, "available");
	long long c = contact(post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "external_id", "R-9")));
	ok("POST", brand_agent, NULL, "/api/v1/contacts/%lld/accept", c);
	struct resp r;
	call("POST", bpo_supervisor, 403, json_pack("{s:I}", "queue_id", (json_int_t)back), &r,
	     "/api/v1/contacts/%lld/move", c);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "user");
	resp_clear(&r);
	usleep(300 * 1000);
	ok("POST", brand_agent, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "fixed"),
	   "/api/v1/contacts/%lld/wrapup", c);
	/* still available: the time worked so far counts already (occupancy stays a share) */
	long long now_staffed = staffed;
	for (int i = 0; i < 40 && now_staffed < staffed + 250; i++, usleep(100 * 1000))
		now_staffed = brand_staffed_ms();
	assert_true(now_staffed >= staffed + 250);
}

/* The brand agent's row of the summary per agent (range: make_history's). */
struct held {
	long long handle_ms, held, moved_away;
};

static struct held brand_held(void)
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=agent", range);
	const json_t *row = row_of(r.json, "agent_id", brand_id);
	struct held h = {n_of(row, "handle_ms"),
		n_of(row, "handled") + n_of(row, "transfers") + n_of(row, "escalations") + n_of(row, "moved_away"),
		n_of(row, "moved_away")};
	assert_true(fabs(real_of(row, "avg_handle_s") - (double)h.handle_ms / 1000.0 / (double)h.held) < 0.001);
	resp_clear(&r);
	return h;
}

#define MOVED_MS 500 /* how long the brand's agent holds the contact a supervisor moves */

/* Run last (it adds a contact): a supervisor moves a contact out of the
 * agent's hands; the time the agent held it is its handle time, the
 * contact one it held (moved_away), as before a transfer; the day so far
 * counts it too. */
static void a_supervisors_move_credits_the_time_held(void **state)
{
	struct held before = brand_held();
	usleep(1100 * 1000); /* past the last wrap-up */
	presence(brand_agent, "available");
	long long c = contact(post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "external_id", "R-10")));
	ok("POST", brand_agent, NULL, "/api/v1/contacts/%lld/accept", c);
	usleep(MOVED_MS * 1000);
	ok("POST", admin, json_pack("{s:I}", "queue_id", (json_int_t)back), "/api/v1/contacts/%lld/move", c);
	presence(brand_agent, "paused");
	struct held after = brand_held();
	assert_int_equal(after.moved_away, before.moved_away + 1);
	assert_int_equal(after.held, before.held + 1);
	assert_true(after.handle_ms - before.handle_ms >= MOVED_MS);
	assert_true(after.handle_ms - before.handle_ms < MOVED_MS + 3000);
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/summary?%s&by=queue", range);
	assert_int_equal(n_of(json_object_get(r.json, "totals"), "moved_away"), after.moved_away);
	resp_clear(&r);
	/* the day so far, read from the events, holds the same handle times as the reports' half hours */
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	struct resp halves, day;
	call("GET", admin, 200, NULL, &halves, "/api/v1/reports/summary?%s&by=interval&queue=%lld", range, front);
	call("GET", admin, 200, NULL, &day, "/api/v1/reports/intervals?date=%s&queue=%lld", today, front);
	int compared = 0;
	size_t i, k;
	const json_t *half, *slot;
	json_array_foreach(json_object_get(halves.json, "rows"), i, half) {
		long long held = n_of(half, "handled") + n_of(half, "transfers") + n_of(half, "escalations") +
				 n_of(half, "moved_away");
		const char *start = json_string_value(json_object_get(half, "start"));
		json_array_foreach(json_object_get(day.json, "intervals"), k, slot) {
			const char *at = json_string_value(json_object_get(slot, "start"));
			if (held == 0 || at == NULL || strcmp(at, start) != 0)
				continue;
			assert_true(fabs(real_of(slot, "avg_handle_s") - n_of(half, "handle_ms") / 1000.0 / held) < 0.001);
			compared++;
		}
	}
	assert_true(compared >= 1);
	resp_clear(&halves);
	resp_clear(&day);
	/* a move of a waiting contact hands nothing on: no agent held it */
	long long w = contact(post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "external_id", "R-11")));
	ok("POST", admin, json_pack("{s:I}", "queue_id", (json_int_t)back), "/api/v1/contacts/%lld/move", w);
	struct held still = brand_held();
	assert_int_equal(still.moved_away, after.moved_away);
	assert_int_equal(still.handle_ms, after.handle_ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_brand_sees_every_figure),
		cmocka_unit_test(the_history_carries_handle_times),
		cmocka_unit_test(an_outsourcer_sees_its_own_agents),
		cmocka_unit_test(another_tenant_and_an_agent_see_nothing),
		cmocka_unit_test(bad_requests_are_named),
		cmocka_unit_test(the_cli_writes_csv_and_xlsx),
		cmocka_unit_test(offers_declined_and_missed_are_counted),
		cmocka_unit_test(the_time_held_before_a_transfer_is_credited),
		cmocka_unit_test(the_cli_writes_offers_refused),
		cmocka_unit_test(the_barometer_of_the_month),
		cmocka_unit_test(the_figures_survive_kill_9),
		cmocka_unit_test(an_outsourcer_moves_only_its_own_agents_contacts),
		cmocka_unit_test(a_supervisors_move_credits_the_time_held),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
