/* Waiting callers, end to end on the run's engine, against the real daemon
 * taking calls on loopback (--sip-listen) and SIPp as the callers
 * (sipp.h): a number's waiting settings are checked strictly (400 naming
 * the member) and set by the API and the CLI; two callers waiting in a
 * queue hear their position and expected wait (the timeline's
 * call_position_announced events hold what was said), the second's
 * position follows the queue when the first is taken by an agent; the
 * callback key (virtual hold) makes a callback for the caller's number
 * that keeps the call's place (ahead of a callback asked later), the call's
 * contact handed to it (disposition callback_requested, not an
 * abandonment), guichet confirming and hanging up; a current incident
 * whose audience holds the caller is said before the queue, and not to a
 * caller outside it; a call waiting when guichetd is killed is recorded as
 * interrupted at its restart; a queue's own waiting settings win over its
 * number's, and its own music (a recording) is what its callers hear. */
#include "harness.h"
#include "sipp.h"
#include "srvguard.h"
#include "testport.h"
#include "guichet/text.h"

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

#define PASSWORD "voice pass word"
#define WAIT_NUMBER "+33900000010"
#define CALLER_A "+15550000001"
#define CALLER_B "+15550000002"
#define CALLER_C "+15550000003"
#define CALLER_LYON "+15550000004"
#define CALLER_PARIS "+15550000005"
#define CALLER_CUT "+15550000006"
#define CALLER_VIP "+15550000007"
#define VIP_NUMBER "+33900000011"

static struct daemon d;
static char *admin, *agent, *other;
static int sip_port;
static long long queue, number, agent_id, skill;

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000}, NULL);
}

static int setup(void **state)
{
	if (!sipp_available()) {
		fprintf(stderr, "test-voice-wait: sipp is not installed (apt-get install sip-tester)\n");
		return -1;
	}
	sip_port = testport_free();
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port);
	if (sip_port <= 0 || daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--sip-listen", listen, NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	other = login(&d, "admin@other.example", PASSWORD);
	skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "phone"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "calls", "skill_id",
		(json_int_t)skill, "channel", "phone", "offer_timeout_s", 60, "wrapup_s", 1));
	agent_id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "alice@brand.example",
		"name", "Alice", "password", PASSWORD, "role", "agent"));
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		    (json_int_t)skill, "proficiency", 5, "capacity", "phone", 1), &r, "/api/v1/agents/%lld", agent_id);
	resp_clear(&r);
	agent = login(&d, "alice@brand.example", PASSWORD);
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(agent);
	free(other);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static void presence(const char *p)
{
	struct resp r;
	json_t *body = json_pack("{s:s}", "presence", p);
	if (strcmp(p, "paused") == 0)
		json_object_set_new(body, "reason", json_string("training"));
	http_expect(&d, "POST", agent, 200, body, &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
}

static const char *error_field(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
}

static void settings_are_checked_and_set_by_the_api_and_the_cli(void **state)
{
	struct resp r;
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:I,s:s,s:{s:i,s:i,s:s}}", "number", WAIT_NUMBER, "queue_id",
		    (json_int_t)queue, "lang", "en", "waiting", "announce_every_s", 5, "announce_first_s", 1,
		    "callback_key", "1"), &r, "/api/v1/channels/voice/numbers");
	number = resp_int(&r, "id");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "waiting"), "announce_every_s")), 5);
	resp_clear(&r);
	/* each bad member named */
	http_expect(&d, "PATCH", admin, 400, json_pack("{s:{s:i}}", "waiting", "announce_every_s", 2), &r,
		    "/api/v1/channels/voice/numbers/%lld", number);
	assert_string_equal(error_field(&r), "waiting.announce_every_s");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 400, json_pack("{s:{s:s}}", "waiting", "callback_key", "12"), &r,
		    "/api/v1/channels/voice/numbers/%lld", number);
	assert_string_equal(error_field(&r), "waiting.callback_key");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 400, json_pack("{s:{s:i}}", "waiting", "often", 1), &r,
		    "/api/v1/channels/voice/numbers/%lld", number);
	assert_string_equal(error_field(&r), "waiting.often");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 400, json_pack("{s:s}", "waiting", "yes"), &r,
		    "/api/v1/channels/voice/numbers/%lld", number);
	assert_string_equal(error_field(&r), "waiting");
	resp_clear(&r);
	/* the CLI: a bad value names its option; a good one is kept */
	char token_file[128], id[24], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	snprintf(id, sizeof(id), "%lld", number);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "set", id, "--callback-key", "x", NULL), 2);
	assert_non_null(strstr(err, "--callback-key"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "set", id, "--announce-every", "7",
				 "--announce-first", "1", "--callback-key", "#", NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/numbers/%lld", number);
	json_t *w = json_object_get(r.json, "waiting");
	assert_int_equal(json_integer_value(json_object_get(w, "announce_every_s")), 7);
	assert_string_equal(json_string_value(json_object_get(w, "callback_key")), "#");
	resp_clear(&r);
	/* back to what the calls below expect */
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:{s:i,s:i,s:s}}", "waiting", "announce_every_s", 5,
		    "announce_first_s", 1, "callback_key", "1"), &r, "/api/v1/channels/voice/numbers/%lld", number);
	resp_clear(&r);
}

/* The contact of the newest call from caller (waits up to 5 s): its id. */
static long long contact_of(const char *caller)
{
	for (int i = 0; i < 500; i++) {
		struct resp r;
		http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts?limit=20");
		size_t k;
		json_t *c;
		long long id = 0;
		char subject[96], masked[32];
		gc_text_mask(caller, masked, sizeof(masked)); /* the subject shows the number masked */
		snprintf(subject, sizeof(subject), "Call from %s", masked);
		json_array_foreach(json_object_get(r.json, "items"), k, c) {
			const char *s = json_string_value(json_object_get(c, "subject"));
			if (id == 0 && s && strcmp(s, subject) == 0)
				id = json_integer_value(json_object_get(c, "id"));
		}
		resp_clear(&r);
		if (id)
			return id;
		sleep_ms(10);
	}
	fail_msg("no contact for %s", caller);
	return 0;
}

/* The contact's events of type, as an array (owned by the caller). */
static json_t *events_of(long long contact, const char *type)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
	json_t *out = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "items"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0)
			json_array_append(out, e);
	resp_clear(&r);
	return out;
}

/* The data of an event (its "data" object). */
static const json_t *data_of(const json_t *e)
{
	return json_object_get(e, "data");
}

/* Waits (up to timeout_ms) for the contact to have at least n events of type. */
static json_t *wait_events(long long contact, const char *type, size_t n, int timeout_ms)
{
	json_t *ev = NULL;
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		json_decref(ev);
		ev = events_of(contact, type);
		if (json_array_size(ev) >= n)
			return ev;
		sleep_ms(50);
	}
	fail_msg("contact %lld has %zu %s events, not %zu", contact, json_array_size(ev), type, n);
	return ev;
}

/* The caller's number is personal data: whole in the call's event for the
 * admin, masked for a role that may not see it (an author), in the events
 * and the journey alike. */
static void caller_as_seen(long long contact, const char *caller)
{
	static char *author;
	if (author == NULL) {
		post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "author@brand.example",
			"name", "Author", "password", PASSWORD, "role", "author"));
		author = login(&d, "author@brand.example", PASSWORD);
	}
	char masked[32];
	gc_text_mask(caller, masked, sizeof(masked));
	const char *const tokens[] = {admin, author}, *const expected[] = {caller, masked};
	for (int i = 0; i < 2; i++) {
		struct resp r;
		http_expect(&d, "GET", tokens[i], 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
		size_t k;
		json_t *e;
		int seen = 0;
		json_array_foreach(json_object_get(r.json, "items"), k, e)
			if (strcmp(json_string_value(json_object_get(e, "type")), "call_answered") == 0) {
				assert_string_equal(json_string_value(json_object_get(json_object_get(e, "data"), "caller")),
						    expected[i]);
				seen++;
			}
		assert_int_equal(seen, 1);
		resp_clear(&r);
		http_expect(&d, "GET", tokens[i], 200, NULL, &r, "/api/v1/contacts/%lld/journey", contact);
		assert_null(strstr(r.text, i ? caller : "\"caller\":\"+*"));
		assert_non_null(strstr(r.text, expected[i]));
		resp_clear(&r);
	}
}

static void waiting_callers_hear_their_place_as_the_queue_moves(void **state)
{
	presence("paused"); /* serving the queue: a wait can be estimated; taking nothing */
	struct sipp a, b;
	assert_int_equal(sipp_start(&a, "wait.xml", sip_port, WAIT_NUMBER, CALLER_A, false), 0);
	long long ca = contact_of(CALLER_A);
	assert_int_equal(sipp_start(&b, "wait.xml", sip_port, WAIT_NUMBER, CALLER_B, false), 0);
	long long cb = contact_of(CALLER_B);
	caller_as_seen(ca, CALLER_A);
	/* the first announcement a second after entering the queue */
	json_t *ea = wait_events(ca, "call_position_announced", 1, 4000);
	json_t *eb = wait_events(cb, "call_position_announced", 1, 4000);
	const json_t *first_a = data_of(json_array_get(ea, 0)), *first_b = data_of(json_array_get(eb, 0));
	assert_int_equal(json_integer_value(json_object_get(first_a, "position")), 1);
	assert_int_equal(json_integer_value(json_object_get(first_b, "position")), 2);
	/* what was said holds the routing's values, rounded ("less than a minute" or "about N minutes") */
	long long expected = json_integer_value(json_object_get(first_b, "expected_wait_s"));
	assert_true(json_is_integer(json_object_get(first_b, "expected_wait_s")));
	const char *said = json_string_value(json_object_get(first_b, "text"));
	assert_non_null(strstr(said, "You are number 2 in the queue."));
	assert_non_null(strstr(said, expected < 60 ? "less than a minute" : "minute"));
	assert_non_null(strstr(said, "Press 1 to be called back, keeping your place."));
	json_decref(ea);
	json_decref(eb);
	/* the first is taken: the second is now next */
	presence("available");
	struct resp r;
	for (int i = 0; i < 300; i++) {
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", ca);
		http_json(&d, "POST", path, agent, NULL, &r);
		int status = r.status;
		resp_clear(&r);
		if (status == 200)
			break;
		sleep_ms(10);
	}
	size_t before = json_array_size(eb = events_of(cb, "call_position_announced"));
	json_decref(eb);
	eb = wait_events(cb, "call_position_announced", before + 1, 7000);
	const json_t *last = data_of(json_array_get(eb, json_array_size(eb) - 1));
	assert_int_equal(json_integer_value(json_object_get(last, "position")), 1);
	assert_non_null(strstr(json_string_value(json_object_get(last, "text")), "You are next in the queue."));
	json_decref(eb);
	/* the one taken hears nothing more */
	size_t said_a = json_array_size(ea = events_of(ca, "call_position_announced"));
	json_decref(ea);
	assert_int_equal(sipp_wait(&a, 20000), 0);
	assert_int_equal(sipp_wait(&b, 20000), 0);
	ea = events_of(ca, "call_position_announced");
	assert_int_equal(json_array_size(ea), said_a);
	json_decref(ea);
	presence("paused");
}

/* A queue's own waiting settings: checked as a number's (400 naming the
 * member), the tenant's queue only (404 for another tenant's), set and
 * cleared by the API and the CLI; a caller waiting in the queue hears the
 * queue's announcements, its callback key, though the number says nothing. */
static void a_queue_carries_its_own_waiting_settings(void **state)
{
	long long vip = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "vip", "skill_id",
				(json_int_t)skill, "channel", "phone", "offer_timeout_s", 60));
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/queues/%lld", vip);
	assert_true(json_is_null(json_object_get(r.json, "waiting"))); /* its numbers' until set */
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:{s:i}}", "waiting", "announce_every_s", 2), &r,
		    "/api/v1/channels/voice/queues/%lld", vip);
	assert_string_equal(error_field(&r), "waiting.announce_every_s");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:{s:i},s:s}", "waiting", "announce_every_s", 5, "music", "x"), &r,
		    "/api/v1/channels/voice/queues/%lld", vip);
	assert_string_equal(error_field(&r), "music");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{}"), &r, "/api/v1/channels/voice/queues/%lld", vip);
	assert_string_equal(error_field(&r), "waiting");
	resp_clear(&r);
	/* another tenant's queue is no queue of this one */
	http_expect(&d, "PUT", other, 404, json_pack("{s:{s:i}}", "waiting", "announce_every_s", 5), &r,
		    "/api/v1/channels/voice/queues/%lld", vip);
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/channels/voice/queues/%lld", vip);
	resp_clear(&r);
	/* the CLI */
	char token_file[128], id[24], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	snprintf(id, sizeof(id), "%lld", vip);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "waiting", "set", id, "--callback-key",
				 "x", NULL), 2);
	assert_non_null(strstr(err, "--callback-key"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "waiting", "set", id,
				 "--announce-every", "5", "--announce-first", "1", "--callback-key", "#", NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/queues");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	json_t *w = json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "waiting");
	assert_int_equal(json_integer_value(json_object_get(w, "announce_every_s")), 5);
	assert_string_equal(json_string_value(json_object_get(w, "callback_key")), "#");
	resp_clear(&r);
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/channels/voice/queues");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	/* a number that says nothing to its callers; the queue's settings win */
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:I,s:{s:i}}", "number", VIP_NUMBER,
		"queue_id", (json_int_t)vip, "waiting", "announce_every_s", 0));
	presence("paused");
	struct sipp c;
	assert_int_equal(sipp_start(&c, "wait.xml", sip_port, VIP_NUMBER, CALLER_VIP, false), 0);
	long long contact = contact_of(CALLER_VIP);
	json_t *said = wait_events(contact, "call_position_announced", 1, 4000);
	const json_t *first = data_of(json_array_get(said, 0));
	assert_int_equal(json_integer_value(json_object_get(first, "queue_id")), vip);
	assert_non_null(strstr(json_string_value(json_object_get(first, "text")),
			       "Press hash to be called back, keeping your place."));
	json_decref(said);
	assert_int_equal(sipp_wait(&c, 20000), 0);
	/* cleared: the queue's callers follow their number again */
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "waiting", "clear", id, NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/queues/%lld", vip);
	assert_true(json_is_null(json_object_get(r.json, "waiting")));
	resp_clear(&r);
}

/* token's recording of a square wave of hz, named name: its id. */
static long long upload_square(const char *token, const char *name, int hz)
{
	size_t len = 0;
	char *wav = sipp_square_wav(hz, 1, &len), path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/voice/prompts?name=%s", name);
	struct resp r;
	http_raw(&d, "POST", path, token, NULL, "audio/wav", wav, len, &r);
	free(wav);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	return id;
}

#define MUSIC_NUMBER "+33900000012"
#define CALLER_MUSIC "+15550000008"

/* A queue's own music on hold: one of the tenant's recordings (another
 * tenant's, or none, 422 naming music), set and cleared by the API and
 * the CLI beside the waiting settings, which it leaves as they are; a
 * caller waiting in the queue hears it (the test is the caller's media:
 * 2 kHz, where guichetd here has no --moh-file and plays silence), looped
 * past its one second; the recording cannot be removed while the queue
 * plays it (409), and the queue's callers hear silence again once it is
 * cleared. */
static void a_queue_plays_its_own_music(void **state)
{
	long long q = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "music", "skill_id",
			      (json_int_t)skill, "channel", "phone", "offer_timeout_s", 60));
	long long rec = upload_square(admin, "hold-music", 2000), theirs = upload_square(other, "their-music", 2000);
	struct resp r;
	http_expect(&d, "PUT", admin, 422, json_pack("{s:I}", "music", (json_int_t)theirs), &r,
		    "/api/v1/channels/voice/queues/%lld", q);
	assert_string_equal(error_field(&r), "music");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 422, json_pack("{s:I}", "music", (json_int_t)(rec + 1000)), &r,
		    "/api/v1/channels/voice/queues/%lld", q);
	assert_string_equal(error_field(&r), "music");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:i}", "music", 0), &r, "/api/v1/channels/voice/queues/%lld", q);
	assert_string_equal(error_field(&r), "music");
	resp_clear(&r);
	http_expect(&d, "PUT", other, 404, json_pack("{s:I}", "music", (json_int_t)theirs), &r,
		    "/api/v1/channels/voice/queues/%lld", q);
	resp_clear(&r);
	/* the waiting settings first; the music then leaves them as they are */
	http_expect(&d, "PUT", admin, 200, json_pack("{s:{s:i}}", "waiting", "announce_every_s", 0), &r,
		    "/api/v1/channels/voice/queues/%lld", q);
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:I}", "music", (json_int_t)rec), &r,
		    "/api/v1/channels/voice/queues/%lld", q);
	assert_int_equal(resp_int(&r, "music"), rec);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "waiting"), "announce_every_s")), 0);
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 409, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	assert_string_equal(error_field(&r), "recording");
	resp_clear(&r);
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:I}", "number", MUSIC_NUMBER, "queue_id",
		(json_int_t)q));
	presence("paused");
	int port = 0, tap = sipp_tap_open(&port);
	assert_true(tap >= 0);
	struct sipp c;
	assert_int_equal(sipp_start_listen(&c, "listen.xml", sip_port, MUSIC_NUMBER, CALLER_MUSIC, port), 0);
	long packets = 0, changes = 0;
	for (int i = 0; i < 100 && packets == 0; i++) /* the call's first packet */
		sipp_tap_read(tap, 50, &packets, &changes);
	/* a second and a half, past the recording's one second (50 packets): looped, not silence after it
	 * (read for up to 6 s: a loaded machine delays packets, CI's once 95 in 2.5 s) */
	long music = 0, music_changes = 0;
	for (int i = 0; i < 12 && music < 75; i++) {
		sipp_tap_read(tap, 500, &packets, &changes);
		music += packets;
		music_changes += changes;
	}
	fprintf(stderr, "# the queue's music: %ld packets, %ld sign changes\n", music, music_changes);
	assert_true(music >= 75);
	assert_true(music_changes >= music * 60); /* 2 kHz: 80 a packet */
	assert_int_equal(sipp_wait(&c, 20000), 0);
	/* cleared by the CLI: silence again (no --moh-file here) */
	char token_file[128], id[24], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	snprintf(id, sizeof(id), "%lld", q);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "waiting", "set", id, "--music", "x",
				 NULL), 2);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "waiting", "set", id, "--music", "none",
				 NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/queues/%lld", q);
	assert_true(json_is_null(json_object_get(r.json, "music")));
	assert_true(json_is_object(json_object_get(r.json, "waiting")));
	resp_clear(&r);
	assert_int_equal(sipp_start_listen(&c, "listen.xml", sip_port, MUSIC_NUMBER, CALLER_MUSIC, port), 0);
	packets = 0;
	for (int i = 0; i < 100 && packets == 0; i++)
		sipp_tap_read(tap, 50, &packets, &changes);
	sipp_tap_read(tap, 1000, &packets, &changes);
	fprintf(stderr, "# without music: %ld packets in a second, %ld sign changes\n", packets, changes);
	assert_true(packets >= 10); /* the media flows (the pace is bench/voice's: a loaded machine sends fewer) */
	assert_int_equal(changes, 0);
	assert_int_equal(sipp_wait(&c, 20000), 0);
	close(tap);
	/* set by the CLI, then the queue given back whole: no row left, the recording free to go */
	char rec_id[24];
	snprintf(rec_id, sizeof(rec_id), "%lld", rec);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "waiting", "set", id, "--music", rec_id,
				 NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/queues/%lld", q);
	assert_int_equal(resp_int(&r, "music"), rec);
	resp_clear(&r);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "waiting", "clear", id, NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/queues");
	size_t k;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), k, item)
		assert_int_not_equal(json_integer_value(json_object_get(item, "queue_id")), q);
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	resp_clear(&r);
}

/* A callback's position in its queue (GET /api/v1/callbacks/{id}). */
static long long callback_position(long long id)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/callbacks/%lld", id);
	long long contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/routing", contact);
	long long position = resp_int(&r, "position");
	resp_clear(&r);
	return position;
}

static void the_callback_key_keeps_the_callers_place(void **state)
{
	if (geteuid() != 0) { /* SIPp's play_dtmf sends through a raw socket */
		fprintf(stderr, "test-voice-wait: skipped: SIPp sends keypad events as root only\n");
		skip();
	}
	presence("paused");
	struct sipp c;
	assert_int_equal(sipp_start(&c, "hold.xml", sip_port, WAIT_NUMBER, CALLER_C, false), 0);
	long long call = contact_of(CALLER_C);
	assert_int_equal(sipp_wait(&c, 20000), 0); /* confirmed, then guichet hung up */
	json_t *asked = wait_events(call, "call_callback_requested", 1, 3000);
	const json_t *data = data_of(json_array_get(asked, 0));
	long long callback = json_integer_value(json_object_get(data, "callback_id"));
	long long cb_contact = json_integer_value(json_object_get(data, "callback_contact_id"));
	assert_string_equal(json_string_value(json_object_get(data, "key")), "1");
	assert_int_equal(json_integer_value(json_object_get(data, "queue_id")), queue);
	json_decref(asked);
	/* the call handed to the callback, not abandoned; ended by guichet */
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", call);
	assert_string_equal(json_string_value(json_object_get(r.json, "disposition")), "callback_requested");
	resp_clear(&r);
	json_t *ended = wait_events(call, "call_ended", 1, 3000);
	assert_string_equal(json_string_value(json_object_get(data_of(json_array_get(ended, 0)), "by")), "guichet");
	json_decref(ended);
	json_t *from = wait_events(cb_contact, "callback_from_call", 1, 1000);
	assert_int_equal(json_integer_value(json_object_get(data_of(json_array_get(from, 0)), "call_contact_id")), call);
	json_decref(from);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/callbacks/%lld", callback);
	assert_string_equal(json_string_value(json_object_get(r.json, "phone")), CALLER_C);
	assert_string_equal(json_string_value(json_object_get(r.json, "source")), "phone");
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "waiting");
	resp_clear(&r);
	/* a callback asked later, in the same queue, comes after it */
	long long later = post_id(&d, admin, "/api/v1/callbacks", json_pack("{s:s,s:I}", "phone", "+15559999999",
				  "queue_id", (json_int_t)queue));
	long long mine = callback_position(callback), theirs = callback_position(later);
	assert_true(mine >= 1);
	assert_true(mine < theirs);
	/* and it is offered first */
	presence("available");
	int offered = 0;
	for (int i = 0; i < 300 && !offered; i++) {
		http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/routing", cb_contact);
		const char *st = json_string_value(json_object_get(r.json, "state"));
		offered = st && strcmp(st, "offered") == 0;
		resp_clear(&r);
		if (!offered)
			sleep_ms(10);
	}
	assert_true(offered);
	presence("paused");
}

static void an_incident_is_said_to_the_callers_it_affects(void **state)
{
	post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:{s:s}}", "phone", CALLER_LYON, "attributes", "region",
		"lyon"));
	post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:{s:s}}", "phone", CALLER_PARIS, "attributes", "region",
		"paris"));
	long long incident = post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:b}", "kind", "incident",
				     "title", "No internet in Lyon", "published", 1));
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:{s:s,s:s}}", "attribute", "key", "region", "value", "lyon"), &r,
		    "/api/v1/incidents/%lld/audience", incident);
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:{s:{s:s,s:s},s:{s:s,s:s}}}", "declaration", "en", "subject",
		    "Customers in Lyon: {{incident.title}}. We are on it.", "body", "b", "fr", "subject",
		    "Clients de Lyon : {{incident.title}}.", "body", "b"), &r, "/api/v1/incidents/%lld/templates", incident);
	resp_clear(&r);
	struct sipp lyon, paris;
	assert_int_equal(sipp_start(&lyon, "call.xml", sip_port, WAIT_NUMBER, CALLER_LYON, false), 0);
	long long affected = contact_of(CALLER_LYON);
	assert_int_equal(sipp_start(&paris, "call.xml", sip_port, WAIT_NUMBER, CALLER_PARIS, false), 0);
	long long outside = contact_of(CALLER_PARIS);
	json_t *said = wait_events(affected, "call_incident_announced", 1, 3000);
	const json_t *data = data_of(json_array_get(said, 0));
	assert_int_equal(json_integer_value(json_object_get(data, "incident_id")), incident);
	assert_string_equal(json_string_value(json_object_get(data, "text")),
			    "Customers in Lyon: No internet in Lyon. We are on it.");
	json_decref(said);
	assert_int_equal(sipp_wait(&lyon, 20000), 0);
	assert_int_equal(sipp_wait(&paris, 20000), 0);
	said = events_of(outside, "call_incident_announced");
	assert_int_equal(json_array_size(said), 0);
	json_decref(said);
	json_t *answered = events_of(outside, "call_answered");
	assert_int_equal(json_array_size(answered), 1); /* the call was taken: only the incident was not said */
	json_decref(answered);
}

/* guichetd killed while a caller waits: at its restart the call is over,
 * "interrupted" on the timeline, and no longer in the queue (an agent who
 * becomes available is offered nothing); the contact is kept. */
static void a_crash_ends_the_waiting_calls_as_interrupted(void **state)
{
	presence("paused");
	struct sipp c;
	assert_int_equal(sipp_start(&c, "wait.xml", sip_port, WAIT_NUMBER, CALLER_CUT, false), 0);
	long long contact = contact_of(CALLER_CUT);
	json_decref(wait_events(contact, "call_position_announced", 1, 4000)); /* in the queue */
	assert_int_equal(daemon_crash(&d), 0);
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port);
	assert_int_equal(daemon_start(&d, "--sip-listen", listen, NULL), 0);
	json_t *ended = wait_events(contact, "call_ended", 1, 5000);
	assert_int_equal(json_array_size(ended), 1);
	assert_string_equal(json_string_value(json_object_get(data_of(json_array_get(ended, 0)), "by")), "interrupted");
	json_decref(ended);
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_string_equal(json_string_value(json_object_get(r.json, "disposition")), "abandoned");
	resp_clear(&r);
	presence("available");
	sleep_ms(1000);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/routing", contact);
	http_json(&d, "GET", path, admin, NULL, &r);
	const char *st = json_string_value(json_object_get(r.json, "state"));
	assert_true(st == NULL || (strcmp(st, "waiting") != 0 && strcmp(st, "offered") != 0 && strcmp(st, "assigned") != 0));
	resp_clear(&r);
	sipp_wait(&c, 2000); /* its call is gone with the daemon that took it */
	presence("paused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_are_checked_and_set_by_the_api_and_the_cli),
		cmocka_unit_test(waiting_callers_hear_their_place_as_the_queue_moves),
		cmocka_unit_test(a_queue_carries_its_own_waiting_settings),
		cmocka_unit_test(a_queue_plays_its_own_music),
		cmocka_unit_test(the_callback_key_keeps_the_callers_place),
		cmocka_unit_test(an_incident_is_said_to_the_callers_it_affects),
		cmocka_unit_test(a_crash_ends_the_waiting_calls_as_interrupted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
