/* The voice of the customer end to end, on the run's engine: contacts of
 * three weeks (moved back in time in the database while guichetd is down,
 * before they were counted) give last week's top topics, a rising one
 * (the firmware update: new, five contacts), a steady one that does not
 * rise (the paper jam), the words no article covers, per tag; a bad week
 * named; outsourcers' staff see topics only; the weekly digest is mailed to
 * Postfix's smtp-sink once per recipient, in the tenant's language, with
 * last month's accessibility barometer, and not again after kill -9 and a
 * restart; the CLI answers CSV; another tenant
 * sees none of it, and an incident's notice counts for nothing. */
#include "harness.h"
#include "smtpsink.h"
#include "testdb.h"
#include "guichet/clock.h"

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

#define PASSWORD "voice pass"
#define DAY_MS 86400000LL

static struct daemon d;
static struct smtpsink sink;
static char *admin, *agent, *other_admin, token_file[128], last_week[16];

static long long contact(const char *token, const char *subject, const char *message, const char *tag)
{
	json_t *body = json_pack("{s:s,s:s,s:s}", "channel", "email", "subject", subject, "message", message);
	if (tag)
		json_object_set_new(body, "tags", json_pack("[s]", tag));
	return post_id(&d, token, "/api/v1/contacts", body);
}

/* A contact of another channel, its subject as guichet writes it (a chat's "Chat with NAME", a callback's) */
static long long contact_on(const char *token, const char *channel, const char *subject, const char *message)
{
	return post_id(&d, token, "/api/v1/contacts",
		       json_pack("{s:s,s:s,s:s}", "channel", channel, "subject", subject, "message", message));
}

/* Moves contacts [first, last] back by days (their events and messages too). */
static int move_back(long long first, long long last, int days)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "UPDATE contacts SET created_at = created_at - %lld WHERE id BETWEEN %lld AND %lld;"
		 " UPDATE messages SET created_at = created_at - %lld WHERE contact_id BETWEEN %lld AND %lld",
		 days * DAY_MS, first, last, days * DAY_MS, first, last);
	return testdb_exec(d.db, sql);
}

/* The ISO week of the day days ago (UTC, the tenants' zone), "YYYY-Www". */
static void week_of(int days_ago, char *ret, size_t len)
{
	time_t t = time(NULL) - (time_t)days_ago * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ret, len, "%G-W%V", &tm);
}

static int setup(void **state)
{
	if (smtpsink_start(&sink) != 0 || daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--mail-poll", "1", NULL) != 0) {
		fprintf(stderr, "setup: smtp-sink or guichetd did not start\n");
		return -1;
	}
	snprintf(token_file, sizeof(token_file), "%s/token", d.dir);
	week_of(7, last_week, sizeof(last_week));
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	if (post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@one.example", "name",
		    "agent", "password", PASSWORD, "role", "agent")) <= 0) {
		fprintf(stderr, "setup: no agent\n");
		return -1;
	}
	agent = login(&d, "agent@one.example", PASSWORD);
	/* two weeks ago: the paper jam twice; last week: the paper jam twice again, and the
	 * firmware update five times, new; this week: one more, not last week's */
	long long first = contact(admin, "Paper jam", "My printer has a paper jam", "printer-x");
	long long mid = contact(admin, "Paper jam again", "The printer shows a paper jam", "printer-x");
	if (first <= 0 || mid <= 0 || move_back(first, mid, 14) != 0) {
		fprintf(stderr, "setup: two weeks ago's contacts (%lld to %lld) not made or moved\n", first, mid);
		return -1;
	}
	static const char *const firmware[] = {"The firmware update failed", "Firmware update stuck at 50%",
		"After the firmware update the printer is offline", "Firmware update error 0x41",
		"Is the firmware update safe?"};
	first = contact(admin, "Paper jam", "Paper jam in tray 2", "printer-x");
	for (size_t i = 0; i < 5; i++)
		mid = contact(admin, "Firmware", firmware[i], i < 3 ? "printer-x" : NULL);
	/* an incident's SMS notice goes on a contact of guichet's own (docs/incidents.md): not a customer's topic */
	long long notice = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s}", "channel", "sms", "subject",
		"Incident: zeppelin outage"));
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/state", notice);
	if (notice <= 0 || http_status(&d, "POST", path, admin, json_pack("{s:s,s:s}", "state", "resolved", "disposition",
		"incident_notice")) != 200) {
		fprintf(stderr, "setup: no incident notice\n");
		return -1;
	}
	/* two chats and a callback, their subjects guichet's words (handlers_chat.c, callback.c) */
	contact_on(admin, "chat", "Chat with Jean", "Where is my parcel?");
	contact_on(admin, "chat", "Chat", "My parcel is late");
	contact_on(admin, "phone", "Callback", "Please call about the parcel");
	mid = contact(admin, "Paper jam", "A paper jam every morning", NULL);
	if (first <= 0 || mid <= 0 || move_back(first, mid, 7) != 0) {
		fprintf(stderr, "setup: last week's contacts (%lld to %lld) not made or moved\n", first, mid);
		return -1;
	}
	contact(admin, "Billing", "A question about my invoice", NULL);
	contact(other_admin, "Secret of two", "Zanzibar zanzibar", NULL);
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(agent);
	free(other_admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	smtpsink_stop(&sink);
	return rc == 0 ? 0 : -1;
}

static json_t *find(const json_t *list, const char *topic)
{
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
		if (strcmp(json_string_value(json_object_get(t, "topic")), topic) == 0)
			return t;
	return NULL;
}

/* Last week's report once its contacts are counted (the fold waits until
 * a contact is 30 s old, so the test moved them back while they were new). */
static json_t *report(const char *token, int want_contacts)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/reports/voice?week=%s", last_week);
	for (int i = 0; i < 100; i++) {
		struct resp r;
		http_json(&d, "GET", path, token, NULL, &r);
		assert_int_equal(r.status, 200);
		if (json_integer_value(json_object_get(r.json, "contacts")) >= want_contacts) {
			json_t *out = json_incref(r.json);
			resp_clear(&r);
			return out;
		}
		resp_clear(&r);
		nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
	}
	fail_msg("last week's contacts were never counted");
	return NULL;
}

static void last_weeks_topics(void **state)
{
	json_t *w = report(admin, 10);
	if (getenv("VOC_DEBUG"))
		json_dumpf(w, stderr, JSON_INDENT(1));
	assert_string_equal(json_string_value(json_object_get(w, "week")), last_week);
	assert_int_equal(json_integer_value(json_object_get(w, "contacts")), 10);
	/* the week's bounds are RFC 3339 times, as every time the API answers (they were milliseconds) */
	int64_t from = 0, to = 0;
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(w, "from")), &from), 0);
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(w, "to")), &to), 0);
	assert_true(to - from >= 7 * DAY_MS - 3600000 && to - from <= 7 * DAY_MS + 3600000);
	json_t *top = json_object_get(w, "topics"), *rising = json_object_get(w, "rising");
	json_t *fw = find(top, "firmware");
	assert_non_null(fw);
	assert_int_equal(json_integer_value(json_object_get(fw, "count")), 5);
	assert_int_equal(json_integer_value(json_object_get(find(top, "firmware update"), "count")), 5);
	assert_int_equal(json_integer_value(json_object_get(find(top, "paper jam"), "count")), 2);
	/* the firmware update rises (new, five); the paper jam is steady; this week's invoice is not last week's */
	assert_non_null(find(rising, "firmware"));
	assert_null(find(rising, "paper jam"));
	assert_null(find(rising, "paper"));
	assert_null(find(top, "invoice"));
	assert_null(find(top, "zeppelin"));
	/* the chats' and the callback's words are the customers' messages alone: every chat was a "chat"
	 * topic, with its visitor's name */
	assert_int_equal(json_integer_value(json_object_get(find(top, "parcel"), "count")), 3);
	assert_null(find(top, "chat"));
	assert_null(find(top, "jean"));
	assert_null(find(top, "callback"));
	/* no article at all: the frequent words are uncovered */
	assert_non_null(find(json_object_get(w, "uncovered"), "firmware"));
	/* per tag: three of the firmware contacts were tagged printer-x */
	json_t *tag = json_array_get(json_object_get(w, "by_tag"), 0);
	assert_string_equal(json_string_value(json_object_get(tag, "tag")), "printer-x");
	assert_int_equal(json_integer_value(json_object_get(find(json_object_get(tag, "topics"), "firmware"), "count")), 3);
	char *text = json_dumps(w, JSON_COMPACT);
	assert_null(strstr(text, "zanzibar"));
	free(text);
	json_decref(w);
	/* tenant two sees its own week: none of one's topics */
	json_t *two = report(other_admin, 0);
	assert_null(find(json_object_get(two, "topics"), "firmware"));
	json_decref(two);
	/* a bad week is named; an agent may not see the report */
	struct resp r;
	http_json(&d, "GET", "/api/v1/reports/voice?week=2026-49", admin, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "week");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", "/api/v1/reports/voice", agent, NULL), 403);
	/* the CLI's CSV */
	char *out, *err;
	assert_int_equal(run_cli(&d, token_file, &out, &err, "login", "--email", "admin@one.example", "--password",
				 PASSWORD, NULL), 0);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "report", "voice", "--week", last_week, "--format", "csv",
				 NULL), 0);
	if (getenv("VOC_DEBUG"))
		fprintf(stderr, "%s", out);
	assert_non_null(strstr(out, "section,tag,topic,count,previous_mean\n"));
	assert_non_null(strstr(out, "\"top\",\"\",\"firmware\",\"5\",\"0.00\"\n"));
	assert_non_null(strstr(out, "\"rising\",\"\",\"firmware\",\"5\",\"0.00\"\n"));
	assert_non_null(strstr(out, "\"top\",\"printer-x\",\"firmware\",\"3\",\"0.00\"\n"));
	assert_null(strstr(out, "jam paper")); /* the subject's line ends: no bigram across it */
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "report", "voice", "--format", "xml", NULL), 2);
	assert_non_null(strstr(err, "--format"));
	free(out);
	free(err);
}

static void the_digest_is_mailed_once_per_week(void **state)
{
	static const char path[] = "/api/v1/reports/voice/digest";
	long long mailbox = post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name",
		"support", "address", "support@one.example", "imap_url", "imap://127.0.0.1:9/INBOX", "username", "one",
		"password", "pw", "smtp_url", sink.url));
	struct resp r;
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_false(json_is_true(json_object_get(r.json, "enabled")));
	resp_clear(&r);
	/* refusals name their field */
	http_json(&d, "PUT", path, admin, json_pack("{s:s,s:[s],s:I}", "time", "25:00", "to", "a@brand.example",
		  "mailbox_id", (json_int_t)mailbox), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "time");
	resp_clear(&r);
	http_json(&d, "PUT", path, admin, json_pack("{s:s,s:[s],s:I}", "time", "00:00", "to", "nobody",
		  "mailbox_id", (json_int_t)mailbox), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "to");
	resp_clear(&r);
	http_json(&d, "PUT", path, admin, json_pack("{s:s,s:[s],s:I,s:s}", "time", "00:00", "to", "a@brand.example",
		  "mailbox_id", (json_int_t)mailbox, "lang", "de"), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "lang");
	resp_clear(&r);
	/* Mondays at 00:00: last week's digest is due at once, in French, to two people, and
	 * the barometer of last month (due on the first day of this one) */
	http_json(&d, "PUT", path, admin, json_pack("{s:s,s:[s,s],s:I,s:s,s:b}", "time", "00:00", "to",
		  "ceo@brand.example", "quality@brand.example", "mailbox_id", (json_int_t)mailbox, "lang", "fr",
		  "barometer", 1), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	assert_int_equal(smtpsink_wait(&sink, 4, 30000), 0);
	struct smtpsink_message *got = NULL;
	size_t n = 0;
	int read = -1; /* a file smtp-sink is still writing cannot be read yet */
	for (int i = 0; i < 50 && (read = smtpsink_messages(&sink, &got, &n)) != 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	assert_int_equal(read, 0);
	assert_int_equal(n, 4);
	char want[128];
	snprintf(want, sizeof(want), "La voix du client, semaine %s", last_week);
	size_t digests = 0, barometers = 0, to_ceo = 0;
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(got[i].mail_from, "support@one.example");
		assert_non_null(strstr(got[i].data, "Auto-Submitted"));
		to_ceo += strcmp(got[i].rcpt[0], "ceo@brand.example") == 0;
		if (strstr(got[i].data, "262 sites")) {
			barometers++;
			continue;
		}
		digests++;
		assert_non_null(strstr(got[i].data, want));
		assert_non_null(strstr(got[i].data, "firmware"));
		assert_non_null(strstr(got[i].data, "paper jam"));
	}
	assert_int_equal(digests, 2);
	assert_int_equal(barometers, 2);
	assert_int_equal(to_ceo, 2);
	smtpsink_messages_free(got, n);
	/* the week is recorded; killed and restarted, guichetd does not mail it again */
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "sent"), 0), "period")),
			    last_week);
	resp_clear(&r);
	sleep(2);
	daemon_kill9(&d);
	assert_int_equal(daemon_start(&d, "--mail-poll", "1", NULL), 0);
	sleep(4); /* four rounds of the mail thread */
	assert_int_equal(smtpsink_count(&sink), 4);
	/* the counts survived too: nothing counted twice */
	json_t *w = report(admin, 10);
	assert_int_equal(json_integer_value(json_object_get(w, "contacts")), 10);
	assert_int_equal(json_integer_value(json_object_get(find(json_object_get(w, "topics"), "firmware"), "count")), 5);
	json_decref(w);
	/* tenant two has none, and cannot remove one's */
	http_json(&d, "GET", path, other_admin, NULL, &r);
	assert_false(json_is_true(json_object_get(r.json, "enabled")));
	assert_int_equal(json_array_size(json_object_get(r.json, "sent")), 0);
	resp_clear(&r);
	assert_int_equal(http_status(&d, "DELETE", path, other_admin, NULL), 404);
	assert_int_equal(http_status(&d, "DELETE", path, agent, NULL), 403);
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 204);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(last_weeks_topics),
		cmocka_unit_test(the_digest_is_mailed_once_per_week),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
