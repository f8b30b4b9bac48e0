/* Business hours and the same-day promise through the real daemon, on the
 * run's engine: the tenant's calendar is checked (each bad field named,
 * nothing half-written), read by supervisors and changed by tenant admins
 * only; a contact entering a queue with a first-response target gets its
 * due time in business time of that calendar, shows it, and leaves the due
 * list at its first outbound message (an email reply too); overdue contacts
 * come first with how late they are; the same-day report counts known contacts per queue and
 * local day; another tenant sees none of it; the CLI does the same. Two
 * tenants in zones never on the same date (UTC+14 and UTC-12) count their
 * live service level since their own local midnight, through a kill -9,
 * their history for the forecasts is labelled on their own clock, and
 * their queues' opening hours are wall times of their own zone. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testdb.h"
#include "guichet/clock.h"
#include "guichet/tz.h"

#define PASSWORD "hours pass"
#define DAY_MS 86400000LL

static struct daemon d;
static char *admin, *supervisor, *agent, *other_admin;
static long long skill, fast, slow, plain;

static long long new_queue(const char *name, int first_response_s)
{
	json_t *body = json_pack("{s:s,s:I,s:s}", "name", name, "skill_id", (json_int_t)skill, "channel", "email");
	if (first_response_s)
		json_object_set_new(body, "first_response_s", json_integer(first_response_s));
	return post_id(&d, admin, "/api/v1/queues", body);
}

static int setup(void **state)
{
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "sup@one.example", "name", "S",
		"password", PASSWORD, "role", "supervisor"));
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@one.example", "name", "A",
		"password", PASSWORD, "role", "agent"));
	supervisor = login(&d, "sup@one.example", PASSWORD);
	agent = login(&d, "agent@one.example", PASSWORD);
	skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "mail"));
	fast = new_queue("fast", 1);
	slow = new_queue("slow", 3600);
	plain = new_queue("plain", 0);
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(supervisor);
	free(agent);
	free(other_admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static long long contact_in(long long queue, const char *subject)
{
	json_t *body = json_pack("{s:s,s:s,s:s}", "channel", "email", "subject", subject, "message", "hello");
	if (queue)
		json_object_set_new(body, "queue_id", json_integer(queue));
	return post_id(&d, admin, "/api/v1/contacts", body);
}

/* A time field of a contact, 0 when null. */
static int64_t contact_time(long long id, const char *field)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", id);
	struct resp r;
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *v = json_object_get(r.json, field);
	assert_non_null(v); /* shown, null or not */
	int64_t ms = 0;
	if (!json_is_null(v))
		assert_int_equal(gc_time_parse(json_string_value(v), &ms), 0);
	resp_clear(&r);
	return ms;
}

static void put_calendar(const char *token, const char *json, int status, const char *field)
{
	struct resp r;
	http_raw(&d, "PUT", "/api/v1/calendar", token, NULL, "application/json", json, strlen(json), &r);
	if (r.status != status)
		fail_msg("PUT %s: %d %s", json, r.status, r.text);
	if (field) {
		json_t *f = json_object_get(json_object_get(r.json, "error"), "field");
		if (f == NULL || strcmp(json_string_value(f), field) != 0)
			fail_msg("PUT %s: expected field %s: %s", json, field, r.text);
	}
	resp_clear(&r);
}

static char *calendar_text(const char *token)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/calendar", token, NULL, &r);
	assert_int_equal(r.status, 200);
	char *text = json_dumps(r.json, JSON_COMPACT | JSON_SORT_KEYS);
	resp_clear(&r);
	return text;
}

#define DEFAULT_CALENDAR "{\"country\":null,\"holidays\":[],\"hours\":null,\"zone\":\"UTC\"}"

static void the_calendar_is_checked_and_kept(void **state)
{
	char *text = calendar_text(admin);
	assert_string_equal(text, DEFAULT_CALENDAR); /* none yet: always open in UTC */
	free(text);
	put_calendar(admin, "{\"zone\":\"Mars/Olympus\"}", 400, "zone");
	put_calendar(admin, "{\"zone\":\"UTC\",\"hours\":{\"mon\":[\"08:00-12:00\",\"11:00-13:00\"]}}", 400, "hours.mon");
	put_calendar(admin, "{\"zone\":\"UTC\",\"hours\":{\"tue\":[\"8h-12h\"]}}", 400, "hours.tue");
	put_calendar(admin, "{\"zone\":\"UTC\",\"hours\":{}}", 400, "hours");
	put_calendar(admin, "{\"zone\":\"UTC\",\"holidays\":[\"2026-12-25\",\"2026-13-01\"]}", 400, "holidays[1]");
	put_calendar(admin, "{\"zone\":\"UTC\",\"open\":1}", 400, "open");
	put_calendar(admin, "{\"zone\":\"Europe/London\",\"country\":\"UK\"}", 400, "country"); /* ISO says GB */
	put_calendar(supervisor, "{\"zone\":\"UTC\"}", 403, NULL);
	put_calendar(agent, "{\"zone\":\"UTC\"}", 403, NULL);
	text = calendar_text(admin);
	assert_string_equal(text, DEFAULT_CALENDAR); /* nothing written */
	free(text);
	put_calendar(admin, "{\"zone\":\"Europe/Paris\",\"country\":\"FR\",\"hours\":{\"mon\":[\"13:30-18:00\",\"08:00-12:30\"]},"
		     "\"holidays\":[\"2026-12-25\"]}", 200, NULL);
	text = calendar_text(supervisor); /* supervisors read it, intervals in order */
	assert_string_equal(text, "{\"country\":\"FR\",\"holidays\":[\"2026-12-25\"],\"hours\":{\"mon\":[\"08:00-12:30\",\"13:30-18:00\"]},"
			    "\"zone\":\"Europe/Paris\"}");
	free(text);
	assert_int_equal(http_status(&d, "GET", "/api/v1/calendar", agent, NULL), 403);
	text = calendar_text(other_admin); /* the other tenant's is its own */
	assert_string_equal(text, DEFAULT_CALENDAR);
	free(text);
	put_calendar(admin, "{\"zone\":\"UTC\"}", 200, NULL); /* back to always open for what follows */
}

/* The ids of a due list, in order, into ids (at most n); how many. */
static size_t due_ids(const char *token, const char *query, long long *ids, size_t n, json_t **ret_items)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/contacts/due%s", query);
	struct resp r;
	http_json(&d, "GET", path, token, NULL, &r);
	if (r.status != 200)
		fail_msg("GET %s: %d %s", path, r.status, r.text);
	json_t *items = json_object_get(r.json, "items");
	size_t i, count = json_array_size(items);
	json_t *item;
	json_array_foreach(items, i, item)
		if (i < n)
			ids[i] = json_integer_value(json_object_get(item, "id"));
	if (ret_items)
		*ret_items = json_incref(items);
	resp_clear(&r);
	return count;
}

static void due_times_and_the_due_list(void **state)
{
	put_calendar(admin, "{\"zone\":\"UTC\"}", 200, NULL);
	long long a = contact_in(fast, "fast"), b = contact_in(slow, "slow"), c = contact_in(plain, "plain");
	long long later = contact_in(0, "enqueued later");
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/enqueue", later);
	assert_int_equal(http_status(&d, "POST", path, admin, json_pack("{s:I}", "queue_id", (json_int_t)slow)), 200);
	assert_int_equal(contact_time(a, "due_at"), contact_time(a, "created_at") + 1000);
	assert_int_equal(contact_time(b, "due_at"), contact_time(b, "created_at") + 3600 * 1000);
	assert_int_equal(contact_time(later, "due_at"), contact_time(later, "created_at") + 3600 * 1000);
	assert_int_equal(contact_time(c, "due_at"), 0); /* no target, no due time */
	assert_int_equal(contact_time(a, "first_response_at"), 0);
	usleep(1200 * 1000); /* a is overdue now */

	long long ids[8] = {0};
	json_t *items = NULL;
	assert_int_equal(due_ids(supervisor, "?within=0", ids, 8, &items), 1);
	assert_int_equal(ids[0], a);
	assert_true(json_is_true(json_object_get(json_array_get(items, 0), "overdue")));
	assert_true(json_integer_value(json_object_get(json_array_get(items, 0), "late_s")) >= 0);
	json_decref(items);
	assert_int_equal(due_ids(supervisor, "?within=7200", ids, 8, &items), 3); /* most urgent first */
	assert_int_equal(ids[0], a);
	assert_int_equal(ids[1], b);
	assert_int_equal(ids[2], later);
	json_t *early = json_array_get(items, 1);
	assert_false(json_is_true(json_object_get(early, "overdue")));
	json_int_t late = json_integer_value(json_object_get(early, "late_s"));
	assert_true(late >= -3600 && late <= -3500);
	json_decref(items);
	char query[64];
	snprintf(query, sizeof(query), "?within=7200&queue=%lld", slow);
	assert_int_equal(due_ids(supervisor, query, ids, 8, NULL), 2);
	assert_int_equal(ids[0], b);

	/* a note is no response; the first outbound message is */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/notes", a);
	assert_int_equal(http_status(&d, "POST", path, agent, json_pack("{s:s}", "body", "looking")), 201);
	assert_int_equal(contact_time(a, "first_response_at"), 0);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/messages", a);
	assert_int_equal(http_status(&d, "POST", path, agent,
				     json_pack("{s:s,s:s}", "body", "restart it", "direction", "outbound")), 201);
	int64_t answered = contact_time(a, "first_response_at");
	assert_true(answered >= contact_time(a, "created_at"));
	assert_int_equal(due_ids(supervisor, "?within=7200", ids, 8, NULL), 2);
	assert_int_equal(ids[0], b);
	assert_int_equal(http_status(&d, "POST", path, agent,
				     json_pack("{s:s,s:s}", "body", "again", "direction", "outbound")), 201);
	assert_int_equal(contact_time(a, "first_response_at"), answered); /* the first stays */

	/* business time: closed today and tomorrow (UTC), the hour starts after */
	int64_t today = gc_now_ms() / DAY_MS;
	char cal[160], d1[16], d2[16];
	time_t t1 = (time_t)(today * 86400), t2 = (time_t)((today + 1) * 86400);
	struct tm tm1, tm2;
	gmtime_r(&t1, &tm1);
	gmtime_r(&t2, &tm2);
	strftime(d1, sizeof(d1), "%Y-%m-%d", &tm1);
	strftime(d2, sizeof(d2), "%Y-%m-%d", &tm2);
	snprintf(cal, sizeof(cal), "{\"zone\":\"UTC\",\"holidays\":[\"%s\",\"%s\"]}", d1, d2);
	put_calendar(admin, cal, 200, NULL);
	long long closed = contact_in(slow, "on a holiday");
	assert_int_equal(contact_time(closed, "due_at"), (today + 2) * DAY_MS + 3600 * 1000);

	/* who may see it, and bad input named */
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts/due", agent, NULL), 403);
	assert_int_equal(due_ids(admin, "?within=7200", ids, 8, NULL), 2);
	assert_int_equal(due_ids(other_admin, "?within=2592000", ids, 8, NULL), 0);
	struct resp r;
	snprintf(path, sizeof(path), "/api/v1/contacts/due?queue=%lld", slow);
	http_json(&d, "GET", path, other_admin, NULL, &r);
	assert_int_equal(r.status, 404); /* another tenant's queue does not exist */
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "queue");
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/contacts/due?within=-5", supervisor, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "within");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts/due?queue=abc", supervisor, NULL), 400);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts/due?limit=0", supervisor, NULL), 400);
	/* a target out of bounds is refused, naming it */
	http_json(&d, "POST", "/api/v1/queues", admin, json_pack("{s:s,s:I,s:s,s:i}", "name", "bad", "skill_id",
		  (json_int_t)skill, "channel", "email", "first_response_s", 0), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")),
			    "first_response_s");
	resp_clear(&r);
	put_calendar(admin, "{\"zone\":\"UTC\"}", 200, NULL);
}

/* Sets a contact's arrival and first response (0: none) to known instants. */
static void backdate(long long id, int64_t created, int64_t answered)
{
	char sql[256];
	if (answered)
		snprintf(sql, sizeof(sql), "UPDATE contacts SET created_at = %lld, first_response_at = %lld WHERE id = %lld",
			 (long long)created, (long long)answered, id);
	else
		snprintf(sql, sizeof(sql), "UPDATE contacts SET created_at = %lld, first_response_at = NULL WHERE id = %lld",
			 (long long)created, id);
	assert_int_equal(testdb_exec(d.db, sql), 0);
}

/* UTC milliseconds of a November 2026 wall time in Paris (UTC+1 then). */
static int64_t paris_nov(int day, int hour, int minute)
{
	int64_t nov1 = 20758LL * DAY_MS; /* 2026-11-01T00:00Z */
	return nov1 + (day - 1) * DAY_MS + ((hour - 1) * 60 + minute) * 60000LL;
}

static json_t *find_row(json_t *rows, long long queue, const char *day)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		if (json_integer_value(json_object_get(row, "queue_id")) == queue &&
		    (day == NULL || strcmp(json_string_value(json_object_get(row, "day")), day) == 0))
			return row;
	fail_msg("no row for queue %lld day %s", queue, day ? day : "(total)");
	return NULL;
}

static void assert_counts(json_t *row, int received, int same_day, int late, int unanswered)
{
	assert_int_equal(json_integer_value(json_object_get(row, "received")), received);
	assert_int_equal(json_integer_value(json_object_get(row, "answered_same_day")), same_day);
	assert_int_equal(json_integer_value(json_object_get(row, "answered_late")), late);
	assert_int_equal(json_integer_value(json_object_get(row, "unanswered")), unanswered);
	double share = json_number_value(json_object_get(row, "share"));
	double want = (double)same_day / received;
	assert_true(share > want - 1e-9 && share < want + 1e-9);
}

/* Paris, Monday to Friday 09:00-17:00. Tuesday 3 November 2026: A at 10:00
 * answered 16:00 (same day); B at 18:30, after closing, answered Wednesday
 * 10:00 (same business day: Wednesday's); C at 11:00 answered Wednesday
 * 09:30 (late); D at 12:00 unanswered. Wednesday 4: E at 09:30 answered
 * 09:45; F at 00:30 local (Tuesday 23:30 UTC: a local day, not a UTC one)
 * answered 16:00. G in another queue; H on Thursday, outside the period. */
static void the_same_day_report_counts_known_contacts(void **state)
{
	put_calendar(admin, "{\"zone\":\"Europe/Paris\",\"hours\":{\"mon\":[\"09:00-17:00\"],\"tue\":[\"09:00-17:00\"],"
		     "\"wed\":[\"09:00-17:00\"],\"thu\":[\"09:00-17:00\"],\"fri\":[\"09:00-17:00\"]}}", 200, NULL);
	long long report = new_queue("report", 0), other = new_queue("other", 7200);
	struct { long long queue; int day, h, m, ad, ah, am; } known[] = {
		{report, 3, 10, 0, 3, 16, 0}, {report, 3, 18, 30, 4, 10, 0}, {report, 3, 11, 0, 4, 9, 30},
		{report, 3, 12, 0, 0, 0, 0}, {report, 4, 9, 30, 4, 9, 45}, {report, 4, 0, 30, 4, 16, 0},
		{other, 3, 10, 0, 3, 10, 5}, {report, 5, 10, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		long long id = contact_in(known[i].queue, "known");
		backdate(id, paris_nov(known[i].day, known[i].h, known[i].m),
			 known[i].ad ? paris_nov(known[i].ad, known[i].ah, known[i].am) : 0);
	}
	struct resp r;
	http_json(&d, "GET", "/api/v1/reports/same-day?from=2026-11-03&to=2026-11-04", supervisor, NULL, &r);
	if (r.status != 200)
		fail_msg("%d %s", r.status, r.text);
	json_t *rows = json_object_get(r.json, "rows"), *queues = json_object_get(r.json, "queues");
	assert_int_equal(json_array_size(rows), 3);
	assert_counts(find_row(rows, report, "2026-11-03"), 4, 2, 1, 1);
	assert_counts(find_row(rows, report, "2026-11-04"), 2, 2, 0, 0);
	assert_counts(find_row(rows, other, "2026-11-03"), 1, 1, 0, 0);
	assert_counts(find_row(queues, report, NULL), 6, 4, 1, 1);
	assert_string_equal(json_string_value(json_object_get(find_row(rows, report, "2026-11-03"), "queue")), "report");
	assert_string_equal(json_string_value(json_object_get(r.json, "zone")), "Europe/Paris");
	resp_clear(&r);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/reports/same-day?from=2026-11-03&to=2026-11-04&queue=%lld", other);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "rows")), 1);
	resp_clear(&r);

	/* another tenant sees nothing, an agent nothing at all */
	http_json(&d, "GET", "/api/v1/reports/same-day?from=2026-11-03&to=2026-11-04", other_admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "rows")), 0);
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", path, other_admin, NULL), 404);
	assert_int_equal(http_status(&d, "GET", "/api/v1/reports/same-day?from=2026-11-03&to=2026-11-04", agent, NULL),
			 403);
	/* bad input named */
	static const struct { const char *query, *field; } bad[] = {
		{"?to=2026-11-04", "from"}, {"?from=2026-02-30&to=2026-11-04", "from"}, {"?from=2026-11-03", "to"},
		{"?from=2026-11-04&to=2026-11-03", "to"}, {"?from=2026-01-01&to=2026-12-31", "to"},
		{"?from=2026-11-03&to=2026-11-04&queue=x", "queue"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/reports/same-day%s", bad[i].query);
		http_json(&d, "GET", path, supervisor, NULL, &r);
		assert_int_equal(r.status, 400);
		const char *field = json_string_value(json_object_get(json_object_get(r.json, "error"), "field"));
		if (field == NULL || strcmp(field, bad[i].field) != 0)
			fail_msg("%s: expected field %s: %s", bad[i].query, bad[i].field, r.text);
		resp_clear(&r);
	}
}

/* An email reply (reply.c, through the core operations) is a first response. */
static void an_email_reply_is_a_first_response(void **state)
{
	long long customer = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "email", "ann@example.org"));
	long long mailbox = post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I}",
		"name", "support", "address", "support@one.example", "imap_url", "imap://127.0.0.1:9/INBOX",
		"smtp_url", "smtp://127.0.0.1:9", "username", "support", "password", "x", "queue_id", (json_int_t)slow));
	long long id = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I,s:I}", "channel", "email",
		"subject", "by mail", "customer_id", (json_int_t)customer, "queue_id", (json_int_t)slow));
	assert_int_not_equal(contact_time(id, "due_at"), 0);
	assert_int_equal(contact_time(id, "first_response_at"), 0);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/email-reply", id);
	struct resp r;
	http_json(&d, "POST", path, agent, json_pack("{s:s,s:I}", "body", "We are on it.", "mailbox_id",
		  (json_int_t)mailbox), &r);
	if (r.status != 202) /* queued in the outbox */
		fail_msg("%d %s", r.status, r.text);
	resp_clear(&r);
	assert_true(contact_time(id, "first_response_at") >= contact_time(id, "created_at"));
	long long ids[16];
	size_t n = due_ids(admin, "?within=2592000", ids, 16, NULL);
	for (size_t i = 0; i < n && i < 16; i++)
		assert_true(ids[i] != id);
}

/* guichet calendar set | show, contacts due, report same-day. */
static void the_cli(void **state)
{
	char token_file[128], file[128], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	snprintf(file, sizeof(file), "%s/calendar.json", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("{\"zone\": \"Europe/Paris\", \"hours\": {\"mon\": [\"09:00-17:00\"], \"tue\": [\"09:00-17:00\"],"
	      " \"wed\": [\"09:00-17:00\"], \"thu\": [\"09:00-17:00\"], \"fri\": [\"09:00-17:00\"]},"
	      " \"holidays\": [\"2026-12-25\"]}\n", f);
	fclose(f);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "calendar", "set", file, NULL), 0);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "calendar", "show", NULL), 0);
	assert_non_null(strstr(out, "Europe/Paris"));
	assert_non_null(strstr(out, "2026-12-25"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "contacts", "due", "--within", "2592000", NULL), 0);
	assert_non_null(strstr(out, "due_at"));
	assert_non_null(strstr(out, "slow")); /* the queue column */
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "report", "same-day", "--from", "2026-11-03", "--to",
				 "2026-11-04", NULL), 0);
	assert_non_null(strstr(out, "2026-11-03"));
	assert_non_null(strstr(out, "0.5"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "report", "same-day", "--from", "2026-11-03", NULL), 2);
	assert_non_null(strstr(err, "--to"));
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "report", "same-day", "--from", "2026-11-04", "--to",
				     "2026-11-03", NULL), 0);
	assert_non_null(strstr(err, "to"));
	free(out);
	free(err);
}

/* An answered contact of tenant's queue at at, straight into the events. */
static void answered_at(const char *tenant, long long queue, int64_t at)
{
	char sql[400];
	snprintf(sql, sizeof(sql), "INSERT INTO routing_events(tenant_id, at, type, contact_id, agent_id, queue_id, data)"
		 " VALUES ((SELECT id FROM tenants WHERE name = '%s'), %lld, 'accepted', NULL, NULL, %lld,"
		 " '{\"waited_ms\":1000}')", tenant, (long long)at, queue);
	assert_int_equal(testdb_exec(d.db, sql), 0);
}

/* The queue's answered today in the tenant's live statistics; its day and zone. */
static long long answered_today(const char *token, long long queue, char *ret_day, char *ret_zone)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/queues/stats", token, NULL, &r);
	assert_int_equal(r.status, 200);
	snprintf(ret_day, 16, "%s", json_string_value(json_object_get(r.json, "day")));
	snprintf(ret_zone, GC_TZ_NAME_MAX, "%s", json_string_value(json_object_get(r.json, "zone")));
	long long n = -1;
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(r.json, "queues"), i, q)
		if (json_integer_value(json_object_get(q, "queue_id")) == queue)
			n = json_integer_value(json_object_get(q, "answered"));
	resp_clear(&r);
	return n;
}

static void date_text(const struct gc_local_time *lt, char buf[16])
{
	snprintf(buf, 16, "%04d-%02d-%02d", lt->year, lt->month, lt->day);
}

static void each_tenant_counts_since_its_own_midnight(void **state)
{
	const char *zone_one = "Pacific/Kiritimati", *zone_two = "Etc/GMT+12";
	put_calendar(admin, "{\"zone\":\"Pacific/Kiritimati\"}", 200, NULL);
	put_calendar(other_admin, "{\"zone\":\"Etc/GMT+12\"}", 200, NULL);
	long long skill_two = post_id(&d, other_admin, "/api/v1/skills", json_pack("{s:s}", "name", "mail"));
	long long queue_two = post_id(&d, other_admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "mail",
		"skill_id", (json_int_t)skill_two, "channel", "email"));
	char day[16], zone[GC_TZ_NAME_MAX], want[16];
	/* the calendar's zone reaches the live statistics at once */
	answered_today(admin, plain, day, zone);
	assert_string_equal(zone, zone_one);
	answered_today(other_admin, queue_two, day, zone);
	assert_string_equal(zone, zone_two);
	int64_t now = gc_now_ms(), start_one, start_two, end;
	struct gc_local_time day_one, day_two;
	assert_int_equal(gc_tz_day(zone_one, now, &day_one, &start_one, &end), 0);
	assert_int_equal(gc_tz_day(zone_two, now, &day_two, &start_two, &end), 0);
	/* a minute before and at each tenant's midnight, for both tenants */
	int64_t instants[] = {start_one - 60000, start_one, start_two - 60000, start_two};
	long long want_one = 0, want_two = 0;
	for (int i = 0; i < 4; i++) {
		answered_at("one", plain, instants[i]);
		answered_at("two", queue_two, instants[i]);
		want_one += instants[i] >= start_one && instants[i] <= now;
		want_two += instants[i] >= start_two && instants[i] <= now;
	}
	daemon_kill9(&d); /* the day's counters come back from the events, each tenant from its own midnight */
	assert_int_equal(daemon_start(&d, NULL), 0);
	assert_int_equal(answered_today(admin, plain, day, zone), want_one);
	date_text(&day_one, want);
	assert_string_equal(day, want);
	assert_int_equal(answered_today(other_admin, queue_two, day, zone), want_two);
	date_text(&day_two, want);
	assert_string_equal(day, want);
	date_text(&day_one, want);
	assert_string_not_equal(day, want); /* never the same date: each its own midnight */
	/* the history for the forecasts: today's contacts on the tenant's own clock */
	contact_in(plain, "counted on Kiritimati's clock");
	struct resp r;
	http_raw(&d, "GET", "/api/v1/wfm/history?interval=3600&days=1&today=1", admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	date_text(&day_one, want);
	const char *last = NULL; /* today's contacts come last, under today's date on that clock */
	for (char *line = strchr(r.text, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
		last = line + 1;
	assert_non_null(last);
	assert_true(strncmp(last, want, 10) == 0);
	resp_clear(&r);
	/* without today: the whole day before it alone */
	http_raw(&d, "GET", "/api/v1/wfm/history?interval=3600&days=1", admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	for (char *line = strchr(r.text, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
		assert_true(strncmp(line + 1, want, 10) != 0);
	resp_clear(&r);
}

/* A queue of token's tenant open only around the current hour of zone's clock,
 * refusing contacts while closed, with the hours' fixed offset at 0. */
static long long queue_open_around_now_in(const char *token, long long skill_id, const char *zone)
{
	static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
	struct gc_local_time lt;
	assert_int_equal(gc_tz_local(zone, gc_now_ms(), &lt), 0);
	char range[48];
	snprintf(range, sizeof(range), "%02d:00-%02d:%s", lt.hour > 0 ? lt.hour - 1 : 0, lt.hour < 22 ? lt.hour + 2 : 23,
		 lt.hour < 22 ? "00" : "59");
	json_t *hours = json_pack("{s:i,s:{s:[s]},s:s}", "utc_offset_min", 0, "days", days[lt.wday], range,
				  "when_closed", "refuse");
	return post_id(&d, token, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:o}", "name", "local hours", "skill_id",
		(json_int_t)skill_id, "channel", "email", "hours", hours));
}

static const char *contact_state(const char *token, long long id, char buf[32])
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", id);
	struct resp r;
	http_json(&d, "GET", path, token, NULL, &r);
	assert_int_equal(r.status, 200);
	snprintf(buf, 32, "%s", json_string_value(json_object_get(r.json, "state")));
	resp_clear(&r);
	return buf;
}

/* Queues' hours are wall times of the tenant's zone: hours around the time
 * it is now in Kiritimati are open for the tenant there, and closed for
 * the tenant in UTC-12, whose clock is a day and more behind. */
static void queue_hours_are_in_the_tenants_zone(void **state)
{
	long long skill_two = post_id(&d, other_admin, "/api/v1/skills", json_pack("{s:s}", "name", "hours"));
	long long open_one = queue_open_around_now_in(admin, skill, "Pacific/Kiritimati");
	long long closed_two = queue_open_around_now_in(other_admin, skill_two, "Pacific/Kiritimati");
	char buf[32];
	long long one = contact_in(open_one, "while open");
	json_t *body = json_pack("{s:s,s:s,s:s,s:I}", "channel", "email", "subject", "while closed", "message", "hello",
				 "queue_id", (json_int_t)closed_two);
	long long two = post_id(&d, other_admin, "/api/v1/contacts", body);
	assert_string_equal(contact_state(admin, one, buf), "queued");
	assert_string_equal(contact_state(other_admin, two, buf), "resolved"); /* refused: closed */
}

/* Two overlapping ranges of a day are refused in a request, but a queue
 * stored so by an older version still loads after an upgrade and routes;
 * it is saved again unless its hours are what the request changes. */
static void a_stored_overlap_still_routes(void **state)
{
	json_t *hours = json_pack("{s:{s:[s,s]}}", "days", "mon", "08:00-12:00", "13:00-18:00");
	long long legacy = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:o}", "name", "legacy",
		"skill_id", (json_int_t)skill, "channel", "email", "hours", hours));
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(testdb_exec(d.db, "UPDATE queues SET config = replace(config, '13:00-18:00', '11:00-18:00')"
				     " WHERE name = 'legacy'"), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	char buf[32], path[64];
	assert_string_equal(contact_state(admin, contact_in(legacy, "after the upgrade"), buf), "queued");
	snprintf(path, sizeof(path), "/api/v1/queues/%lld", legacy);
	struct resp r;
	http_json(&d, "PATCH", path, admin, json_pack("{s:i}", "wrapup_s", 30), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	http_json(&d, "PATCH", path, admin,
		  json_pack("{s:{s:{s:[s,s]}}}", "hours", "days", "tue", "08:00-12:00", "11:00-18:00"), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "hours.days");
	resp_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_calendar_is_checked_and_kept),
		cmocka_unit_test(due_times_and_the_due_list),
		cmocka_unit_test(the_same_day_report_counts_known_contacts),
		cmocka_unit_test(an_email_reply_is_a_first_response),
		cmocka_unit_test(the_cli),
		cmocka_unit_test(each_tenant_counts_since_its_own_midnight),
		cmocka_unit_test(queue_hours_are_in_the_tenants_zone),
		cmocka_unit_test(a_stored_overlap_still_routes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
