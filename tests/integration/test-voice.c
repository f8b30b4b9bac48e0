/* Voice end to end, on the run's engine, against the real daemon taking
 * calls on loopback (--sip-listen) and SIPp as the caller (sipp.h):
 * the numbers' API and CLI keep their tenant and check the menu strictly
 * (400 naming the member, 422 for another tenant's queue, 409 for a number
 * taken); a call to an unknown number gets 404; a call to a number with a
 * queue answers, creates a phone contact for the caller's number (its
 * customer found or made; a national caller ID read in the tenant's
 * country, E.164 for every number), sends 20 ms G.711 packets that SIPp echoes back,
 * waits in the queue (the API shows it), and hanging up there is an
 * abandonment; a key (RFC 4733) on a number with a menu puts the contact
 * in the chosen queue, with the choice on its timeline; datagrams that
 * are not SIP change nothing, and an INVITE whose offer is not SDP gets
 * 488, is counted and makes no contact; outside business hours the
 * closed prompt plays and guichet hangs up (a tenant's own recording of it
 * too, uploaded, checked and kept to its tenant; and a number's greeting);
 * music on hold from a WAV file
 * plays while callers wait, and a file that cannot be read, or a SIP
 * address taken, stops guichetd from starting; guichetd stopping ends its
 * calls, a waiting one as an abandonment. */
#include "harness.h"
#include "sipp.h"
#include "srvguard.h"
#include "testport.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "voice pass word"
#define MENU_NUMBER "+33123456789"
#define QUEUE_NUMBER "+33900000001"
#define CALLER "+15551234567"

static struct daemon d;
static char *admin, *other;
static int sip_port;
static long long sales, support, other_queue, menu_number, queue_number;

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000}, NULL);
}

/* Music on hold: a second of a 440 Hz square wave, 8 kHz mono 16-bit. */
static int write_music(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	uint32_t n = 8000, data = n * 2, riff = 36 + data, fmt_len = 16, rate = 8000, byte_rate = 16000;
	uint16_t pcm = 1, channels = 1, align = 2, bits = 16;
	fwrite("RIFF", 1, 4, f);
	fwrite(&riff, 4, 1, f);
	fwrite("WAVEfmt ", 1, 8, f);
	fwrite(&fmt_len, 4, 1, f);
	fwrite(&pcm, 2, 1, f);
	fwrite(&channels, 2, 1, f);
	fwrite(&rate, 4, 1, f);
	fwrite(&byte_rate, 4, 1, f);
	fwrite(&align, 2, 1, f);
	fwrite(&bits, 2, 1, f);
	fwrite("data", 1, 4, f);
	fwrite(&data, 4, 1, f);
	for (uint32_t i = 0; i < n; i++) {
		int16_t v = (i * 440 / 8000) % 2 ? 8000 : -8000;
		fwrite(&v, 2, 1, f);
	}
	return fclose(f);
}

static int setup(void **state)
{
	if (!sipp_available()) {
		fprintf(stderr, "test-voice: sipp is not installed (apt-get install sip-tester)\n");
		return -1;
	}
	sip_port = testport_free();
	char listen[32], music[160];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port);
	if (sip_port <= 0 || daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0)
		return -1;
	snprintf(music, sizeof(music), "%s/music.wav", d.dir);
	if (write_music(music) != 0 || daemon_start(&d, "--sip-listen", listen, "--moh-file", music, NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	other = login(&d, "admin@other.example", PASSWORD);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "phone"));
	sales = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "sales", "skill_id",
		(json_int_t)skill, "channel", "phone"));
	support = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "support", "skill_id",
		(json_int_t)skill, "channel", "phone"));
	long long other_skill = post_id(&d, other, "/api/v1/skills", json_pack("{s:s}", "name", "phone"));
	other_queue = post_id(&d, other, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "theirs", "skill_id",
		(json_int_t)other_skill, "channel", "phone"));
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other);
	int rc = daemon_stop(&d); /* a clean exit: no leak, no sanitizer's report */
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* The menu: 1 for sales, 2 for a menu whose 1 is support. */
static json_t *menu(void)
{
	return json_pack("{s:s,s:{s:{s:I},s:{s:{s:s,s:{s:{s:I}}}}},s:{s:s}}", "prompt", "For sales press 1, for support 2.",
			 "options", "1", "queue_id", (json_int_t)sales, "2", "menu", "prompt", "Support: press 1.",
			 "options", "1", "queue_id", (json_int_t)support, "closed", "prompt", "We are closed. Goodbye.");
}

static void numbers_keep_their_tenant_and_check_the_menu(void **state)
{
	struct resp r;
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:o,s:s,s:s}", "number", "+33 1 23 45 67 89", "menu", menu(),
		    "greeting", "Welcome to the brand.", "lang", "en"), &r, "/api/v1/channels/voice/numbers");
	menu_number = resp_int(&r, "id");
	assert_string_equal(json_string_value(json_object_get(r.json, "number")), MENU_NUMBER);
	assert_true(json_is_object(json_object_get(r.json, "menu")));
	resp_clear(&r);
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:I,s:s}", "number", QUEUE_NUMBER, "queue_id",
		    (json_int_t)sales, "greeting", "Bonjour, merci de patienter.", "lang", "fr"), &r,
		    "/api/v1/channels/voice/numbers");
	queue_number = resp_int(&r, "id");
	resp_clear(&r);
	/* a queue a menu routes callers to (support: only in the nested menu) is not deleted */
	http_expect(&d, "DELETE", admin, 409, NULL, &r, "/api/v1/queues/%lld", (long long)support);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")), "menu"));
	resp_clear(&r);
	/* the menu checked strictly, the member at fault named */
	http_expect(&d, "POST", admin, 400, json_pack("{s:s,s:{s:s,s:{s:{s:s}}}}", "number", "+33100000009", "menu",
		    "prompt", "p", "options", "1", "queue_id", "sales"), &r, "/api/v1/channels/voice/numbers");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")),
			    "menu.options.1.queue_id");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 400, json_pack("{s:{s:s,s:{s:{s:I}},s:i}}", "menu", "prompt", "p", "options",
		    "9", "queue_id", (json_int_t)sales, "colour", 1), &r, "/api/v1/channels/voice/numbers/%lld", menu_number);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "menu.colour");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 400, json_pack("{s:s}", "number", "not a number"), &r,
		    "/api/v1/channels/voice/numbers");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 400, json_pack("{s:s,s:s}", "number", "+33100000009", "lang", "de"), &r,
		    "/api/v1/channels/voice/numbers");
	resp_clear(&r);
	/* another tenant's queue, in the menu or as the queue: 422 */
	http_expect(&d, "POST", admin, 422, json_pack("{s:s,s:{s:s,s:{s:{s:I}}}}", "number", "+33100000009", "menu",
		    "prompt", "p", "options", "1", "queue_id", (json_int_t)other_queue), &r, "/api/v1/channels/voice/numbers");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 422, json_pack("{s:s,s:I}", "number", "+33100000009", "queue_id",
		    (json_int_t)other_queue), &r, "/api/v1/channels/voice/numbers");
	resp_clear(&r);
	/* a number is one tenant's: the other cannot take it, see it, change it or remove it */
	http_expect(&d, "POST", other, 409, json_pack("{s:s}", "number", MENU_NUMBER), &r, "/api/v1/channels/voice/numbers");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "number");
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/channels/voice/numbers/%lld", menu_number);
	resp_clear(&r);
	http_expect(&d, "PATCH", other, 404, json_pack("{s:s}", "greeting", "mine"), &r,
		    "/api/v1/channels/voice/numbers/%lld", menu_number);
	resp_clear(&r);
	http_expect(&d, "DELETE", other, 404, NULL, &r, "/api/v1/channels/voice/numbers/%lld", menu_number);
	resp_clear(&r);
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/channels/voice/numbers");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/numbers");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	resp_clear(&r);
	/* a change keeps what it does not name; null clears */
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:s}", "greeting", "Welcome to the brand!"), &r,
		    "/api/v1/channels/voice/numbers/%lld", menu_number);
	assert_string_equal(json_string_value(json_object_get(r.json, "greeting")), "Welcome to the brand!");
	assert_true(json_is_object(json_object_get(r.json, "menu")));
	resp_clear(&r);
	/* removed, the number is free for another tenant */
	long long spare = post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s}", "number", "+33100000007"));
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/numbers/%lld", spare);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 404, NULL, &r, "/api/v1/channels/voice/numbers/%lld", spare);
	resp_clear(&r);
	long long theirs = post_id(&d, other, "/api/v1/channels/voice/numbers", json_pack("{s:s}", "number", "+33100000007"));
	http_expect(&d, "DELETE", other, 204, NULL, &r, "/api/v1/channels/voice/numbers/%lld", theirs);
	resp_clear(&r);
}

static void the_cli_manages_numbers(void **state)
{
	char token_file[128], menu_file[128], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	snprintf(menu_file, sizeof(menu_file), "%s/menu.json", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	f = fopen(menu_file, "w");
	assert_non_null(f);
	fprintf(f, "{\"prompt\": \"Press 1.\", \"options\": {\"1\": {\"queue_id\": %lld}}}\n", sales);
	fclose(f);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "voice", "add", "--number",
				 "+33 4 00 00 00 01", "--menu-file", menu_file, "--lang", "fr", NULL), 0);
	json_t *added = json_loads(out, 0, NULL);
	assert_non_null(added);
	assert_string_equal(json_string_value(json_object_get(added, "number")), "+33400000001");
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(added, "id")));
	json_decref(added);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "list", NULL), 0);
	assert_non_null(strstr(out, "+33400000001"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "set", id, "--greeting", "Hello",
				 "--queue", "none", NULL), 0);
	assert_non_null(strstr(out, "Hello"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "add", NULL), 2);
	assert_non_null(strstr(err, "--number"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "remove", id, NULL), 0);
	free(out);
	free(err);
}

/* A sample of /metrics (0 when absent); name may carry labels. */
static long long metric(const char *name)
{
	return daemon_metric(&d, admin, name);
}

static void an_unknown_number_gets_404(void **state)
{
	long long before = metric("guichet_voice_unknown_total");
	struct sipp s;
	assert_int_equal(sipp_start(&s, "unknown.xml", sip_port, "+33999999999", CALLER, false), 0);
	assert_int_equal(sipp_wait(&s, 20000), 0); /* the scenario expects the 404 */
	assert_true(metric("guichet_voice_unknown_total") > before);
	assert_int_equal(metric("guichet_voice_calls_total"), 0);
	/* over TCP too */
	before = metric("guichet_voice_unknown_total");
	assert_int_equal(sipp_start(&s, "unknown.xml", sip_port, "+33999999999", CALLER, true), 0);
	assert_int_equal(sipp_wait(&s, 20000), 0);
	assert_true(metric("guichet_voice_unknown_total") > before);
}

/* The newest contact's id (0: none). */
static long long newest_contact(const char *token)
{
	struct resp r;
	http_expect(&d, "GET", token, 200, NULL, &r, "/api/v1/contacts?limit=1");
	json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
	long long id = first ? json_integer_value(json_object_get(first, "id")) : 0;
	resp_clear(&r);
	return id;
}

/* Waits (up to 5 s) for a contact after after_id: its id. */
static long long wait_contact(long long after_id)
{
	for (int i = 0; i < 500; i++) {
		long long id = newest_contact(admin);
		if (id > after_id)
			return id;
		sleep_ms(10);
	}
	fail_msg("no contact after %lld", after_id);
	return 0;
}

/* Waits (up to 4 s) for the contact to wait in queue: true when it does. */
static bool waits_in(long long contact, long long queue)
{
	for (int i = 0; i < 400; i++) {
		struct resp r;
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/routing", contact);
		http_json(&d, "GET", path, admin, NULL, &r); /* 422 until it is in a queue */
		const char *state = json_string_value(json_object_get(r.json, "state"));
		bool waiting = state && strcmp(state, "waiting") == 0 && resp_int(&r, "queue_id") == queue;
		resp_clear(&r);
		if (waiting)
			return true;
		sleep_ms(10);
	}
	return false;
}

/* The contact's event types, in order, space-separated, into buf. */
static void event_types(long long contact, char *buf, size_t len)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
	buf[0] = '\0';
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "items"), i, e) {
		size_t at = strlen(buf);
		snprintf(buf + at, len - at, "%s%s", at ? " " : "", json_string_value(json_object_get(e, "type")));
	}
	resp_clear(&r);
}

/* The contact ends abandoned, with the call's end on its timeline. */
static void ends_abandoned(long long contact)
{
	char types[1024] = "";
	for (int i = 0; i < 300 && strstr(types, "call_ended") == NULL; i++) {
		event_types(contact, types, sizeof(types));
		sleep_ms(10);
	}
	assert_non_null(strstr(types, "call_ended"));
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_string_equal(json_string_value(json_object_get(r.json, "disposition")), "abandoned");
	resp_clear(&r);
}

static void a_call_makes_a_contact_hears_audio_and_abandons(void **state)
{
	long long before = newest_contact(admin), sent = metric("guichet_voice_rtp_sent_total");
	long long heard = metric("guichet_voice_rtp_received_total");
	struct sipp s;
	assert_int_equal(sipp_start(&s, "call.xml", sip_port, QUEUE_NUMBER, CALLER, false), 0);
	long long contact = wait_contact(before);
	assert_true(waits_in(contact, sales)); /* the number's queue, no menu */
	assert_int_equal(sipp_wait(&s, 20000), 0);
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_string_equal(json_string_value(json_object_get(r.json, "channel")), "phone");
	long long customer = resp_int(&r, "customer_id");
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/customers/%lld", customer);
	assert_string_equal(json_string_value(json_object_get(r.json, "phone")), CALLER);
	resp_clear(&r);
	ends_abandoned(contact);
	char types[1024];
	event_types(contact, types, sizeof(types));
	assert_non_null(strstr(types, "call_answered"));
	/* about 4.5 s of call: 20 ms packets sent, and SIPp's echo of them heard */
	long long n_sent = metric("guichet_voice_rtp_sent_total") - sent;
	assert_true(n_sent >= 150 && n_sent <= 400);
	assert_true(metric("guichet_voice_rtp_received_total") - heard >= 100);
	assert_int_equal(metric("guichet_voice_calls_active"), 0);
	/* the other tenant sees none of it */
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/contacts/%lld", contact);
	resp_clear(&r);
	/* the same caller again, over TCP: the same customer */
	before = contact;
	assert_int_equal(sipp_start(&s, "call.xml", sip_port, QUEUE_NUMBER, CALLER, true), 0);
	long long again = wait_contact(before);
	assert_int_equal(sipp_wait(&s, 20000), 0);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", again);
	assert_int_equal(resp_int(&r, "customer_id"), customer);
	resp_clear(&r);
}

/* Numbers in E.164: a trunk that sends the called number as international
 * digits without "+" still reaches it, and a caller ID in national form is
 * read in the tenant's country, so the caller is the customer whose number
 * staff typed as "06 12 34 56 78". */
static void a_national_caller_id_is_read_in_the_tenants_country(void **state)
{
	struct resp r;
	/* a number in national form: refused while the tenant names no country, read in it after */
	http_expect(&d, "POST", admin, 400, json_pack("{s:s}", "number", "09 00 00 00 42"), &r,
		    "/api/v1/channels/voice/numbers");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "number");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s}", "zone", "UTC", "country", "FR"), &r, "/api/v1/calendar");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 201, json_pack("{s:s}", "number", "09 00 00 00 42"), &r,
		    "/api/v1/channels/voice/numbers");
	assert_string_equal(json_string_value(json_object_get(r.json, "number")), "+33900000042");
	long long number = resp_int(&r, "id");
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/numbers/%lld", number);
	resp_clear(&r);
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:s}", "external_id", "V-FR", "phone", "06 12 34 56 78"), &r,
		    "/api/v1/customers");
	long long customer = resp_int(&r, "id");
	resp_clear(&r);
	long long before = newest_contact(admin);
	struct sipp s;
	const char *digits = QUEUE_NUMBER + 1; /* "33900000001": the number's digits, without "+" */
	assert_int_equal(sipp_start(&s, "call.xml", sip_port, digits, "0612345678", false), 0);
	long long contact = wait_contact(before);
	assert_int_equal(sipp_wait(&s, 20000), 0);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_int_equal(resp_int(&r, "customer_id"), customer);
	resp_clear(&r);
	ends_abandoned(contact);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s}", "zone", "UTC"), &r, "/api/v1/calendar");
	resp_clear(&r);
}

static void a_key_puts_the_caller_in_its_queue(void **state)
{
	if (geteuid() != 0) { /* SIPp's play_dtmf sends through a raw socket */
		fprintf(stderr, "test-voice: skipped: SIPp sends keypad events as root only\n");
		skip();
	}
	long long before = newest_contact(admin), keys = metric("guichet_voice_keys_total");
	struct sipp s;
	assert_int_equal(sipp_start(&s, "call_key.xml", sip_port, MENU_NUMBER, CALLER, false), 0);
	long long contact = wait_contact(before);
	assert_true(waits_in(contact, sales)); /* key 1: sales */
	assert_int_equal(sipp_wait(&s, 20000), 0);
	assert_true(metric("guichet_voice_keys_total") > keys);
	ends_abandoned(contact);
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
	size_t i;
	json_t *e, *choice = NULL;
	json_array_foreach(json_object_get(r.json, "items"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")), "call_menu_choice") == 0)
			choice = json_object_get(e, "data");
	assert_non_null(choice);
	assert_string_equal(json_string_value(json_object_get(choice, "key")), "1");
	assert_int_equal(json_integer_value(json_object_get(choice, "queue_id")), sales);
	resp_clear(&r);
}

static void malformed_input_is_dropped(void **state)
{
	/* datagrams that are not SIP: libre drops them; the daemon goes on */
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sip_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static const char *const junk[] = {"garbage\r\n\r\n", "INVITE\r\n\r\n", "SIP/2.0 200\r\nVia: x\r\n\r\n",
					   "INVITE sip:+33123456789@127.0.0.1 SIP/2.0\r\nContent-Length: 99999\r\n\r\n",
					   "\x00\x01\x02\xff"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_true(sendto(fd, junk[i], strlen(junk[i]) ? strlen(junk[i]) : 4, 0, (struct sockaddr *)&sa,
				   sizeof(sa)) > 0);
	close(fd);
	struct sipp s;
	assert_int_equal(sipp_start(&s, "unknown.xml", sip_port, "+33999999999", CALLER, false), 0);
	assert_int_equal(sipp_wait(&s, 20000), 0);
	/* an INVITE to a known number whose offer is not SDP: 488, counted, no contact */
	long long before = metric("guichet_voice_malformed_total"), contact = newest_contact(admin);
	assert_int_equal(sipp_start(&s, "bad_sdp.xml", sip_port, MENU_NUMBER, CALLER, false), 0);
	assert_int_equal(sipp_wait(&s, 20000), 0);
	assert_true(metric("guichet_voice_malformed_total") > before);
	assert_int_equal(newest_contact(admin), contact);
	struct resp r;
	http_raw(&d, "GET", "/healthz", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
}

/* PUTs the tenant's calendar (text). */
static void put_calendar(const char *json)
{
	struct resp r;
	http_raw(&d, "PUT", "/api/v1/calendar", admin, NULL, "application/json", json, strlen(json), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
}

static void outside_hours_the_closed_prompt_plays_and_guichet_hangs_up(void **state)
{
	/* today and tomorrow are holidays: closed now */
	char days[2][16], json[256];
	for (int i = 0; i < 2; i++) {
		time_t t = time(NULL) + i * 86400;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(days[i], sizeof(days[i]), "%Y-%m-%d", &tm);
	}
	snprintf(json, sizeof(json), "{\"zone\":\"UTC\",\"holidays\":[\"%s\",\"%s\"]}", days[0], days[1]);
	put_calendar(json);
	long long before = newest_contact(admin);
	struct sipp s;
	assert_int_equal(sipp_start(&s, "closed.xml", sip_port, MENU_NUMBER, CALLER, false), 0);
	assert_int_equal(sipp_wait(&s, 20000), 0); /* guichet's BYE came */
	long long contact = wait_contact(before);
	char types[1024] = "";
	for (int i = 0; i < 300 && strstr(types, "call_ended") == NULL; i++) {
		event_types(contact, types, sizeof(types));
		sleep_ms(10);
	}
	assert_non_null(strstr(types, "call_ended"));
	assert_null(strstr(types, "call_menu_choice"));
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
	size_t i;
	json_t *e;
	const char *by = NULL;
	json_array_foreach(json_object_get(r.json, "items"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")), "call_ended") == 0)
			by = json_string_value(json_object_get(json_object_get(e, "data"), "by"));
	assert_non_null(by);
	assert_string_equal(by, "guichet");
	resp_clear(&r);
	put_calendar("{\"zone\":\"UTC\"}");
}

/* A WAV file in memory (malloc'd, *ret_len bytes): seconds of a 440 Hz
 * tone at rate, channels, bits per sample. */
static char *tone_wav(int rate, int channels, int bits, int seconds, size_t *ret_len)
{
	uint32_t frames = (uint32_t)(rate * seconds), data = frames * (uint32_t)(channels * bits / 8);
	size_t len = 44 + data;
	uint8_t *w = malloc(len), *p = w;
	assert_non_null(w);
	uint32_t riff = 36 + data, fmt_len = 16, byte_rate = (uint32_t)(rate * channels * bits / 8), r32 = (uint32_t)rate;
	uint16_t pcm = 1, ch = (uint16_t)channels, align = (uint16_t)(channels * bits / 8), b = (uint16_t)bits;
	memcpy(p, "RIFF", 4), p += 4;
	memcpy(p, &riff, 4), p += 4;
	memcpy(p, "WAVEfmt ", 8), p += 8;
	memcpy(p, &fmt_len, 4), p += 4;
	memcpy(p, &pcm, 2), p += 2;
	memcpy(p, &ch, 2), p += 2;
	memcpy(p, &r32, 4), p += 4;
	memcpy(p, &byte_rate, 4), p += 4;
	memcpy(p, &align, 2), p += 2;
	memcpy(p, &b, 2), p += 2;
	memcpy(p, "data", 4), p += 4;
	memcpy(p, &data, 4), p += 4;
	for (uint32_t i = 0; i < frames * (uint32_t)channels * (uint32_t)(bits / 8); i += 2) {
		int16_t v = (i / 2 / (uint32_t)channels * 440 / (uint32_t)rate) % 2 ? 8000 : -8000;
		memcpy(p + i, &v, 2);
	}
	*ret_len = len;
	return (char *)w;
}

/* POSTs a WAV body as a recording named name: the answer (resp_clear it). */
static void upload(const char *token, const char *name, const char *type, const char *body, size_t len,
		   struct resp *r)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/channels/voice/prompts%s%s", name ? "?name=" : "", name ? name : "");
	http_raw(&d, "POST", path, token, NULL, type, body, len, r);
}

static const char *field_of(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
}

/* A tenant's own recording of a prompt: uploaded (a 16 kHz stereo WAV kept
 * at 8 kHz), every bad upload refused naming why (name, Content-Type,
 * file, too long, a name taken), the tenant's alone (another tenant's
 * administrator: 404; its id in this tenant's menu: 422; an agent: 403);
 * a closed menu naming it plays it whole, with no text at all, before
 * guichet hangs up; a recording a menu plays cannot be removed (409); the
 * CLI adds, lists, downloads and removes. */
static void a_tenants_recording_plays_instead_of_the_text(void **state)
{
	size_t len = 0;
	char *wav = tone_wav(16000, 2, 16, 3, &len);
	struct resp r;
	upload(admin, "closed", "audio/wav", wav, len, &r);
	assert_int_equal(r.status, 201);
	long long rec = resp_int(&r, "id");
	long long ms = resp_int(&r, "duration_ms");
	assert_true(ms >= 2950 && ms <= 3000);
	resp_clear(&r);
	/* what cannot be taken, named */
	upload(admin, NULL, "audio/wav", wav, len, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(field_of(&r), "name");
	resp_clear(&r);
	upload(admin, "x", "application/octet-stream", wav, len, &r);
	assert_int_equal(r.status, 415);
	resp_clear(&r);
	upload(admin, "x", "audio/wav", "not a wav file at all", 21, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(field_of(&r), "file");
	resp_clear(&r);
	size_t len24 = 0, len_long = 0;
	char *wav24 = tone_wav(8000, 1, 24, 1, &len24), *wav_long = tone_wav(8000, 1, 16, 61, &len_long);
	upload(admin, "x", "audio/wav", wav24, len24, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")), "16-bit"));
	resp_clear(&r);
	upload(admin, "x", "audio/wav", wav_long, len_long, &r);
	assert_int_equal(r.status, 413);
	assert_string_equal(field_of(&r), "file");
	resp_clear(&r);
	free(wav24);
	free(wav_long);
	upload(admin, "closed", "audio/wav", wav, len, &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(field_of(&r), "name");
	resp_clear(&r);
	/* the tenant's alone */
	upload(other, "theirs", "audio/wav", wav, len, &r);
	assert_int_equal(r.status, 201);
	long long theirs = resp_int(&r, "id");
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/channels/voice/prompts/%lld/audio", rec);
	resp_clear(&r);
	http_expect(&d, "DELETE", other, 404, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	resp_clear(&r);
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/channels/voice/prompts");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	resp_clear(&r);
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@brand.example", "name", "A",
		"password", PASSWORD, "role", "agent"));
	char *agent = login(&d, "agent@brand.example", PASSWORD);
	http_expect(&d, "GET", agent, 403, NULL, &r, "/api/v1/channels/voice/prompts");
	resp_clear(&r);
	upload(agent, "mine", "audio/wav", wav, len, &r);
	assert_int_equal(r.status, 403);
	resp_clear(&r);
	free(agent);
	free(wav);
	http_expect(&d, "PATCH", admin, 422, json_pack("{s:{s:s,s:{s:{s:I}},s:{s:I}}}", "menu", "prompt", "p", "options",
		    "1", "queue_id", (json_int_t)sales, "closed", "recording", (json_int_t)theirs), &r,
		    "/api/v1/channels/voice/numbers/%lld", menu_number);
	assert_string_equal(field_of(&r), "menu");
	resp_clear(&r);
	/* the audio, as callers hear it: 8 kHz mono */
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/prompts/%lld/audio", rec);
	assert_non_null(r.text);
	assert_memory_equal(r.text, "RIFF", 4);
	assert_memory_equal(r.text + 8, "WAVE", 4);
	assert_int_equal((uint8_t)r.text[24] | (uint8_t)r.text[25] << 8, 8000); /* its rate */
	resp_clear(&r);
	/* outside hours, the closed menu's recording alone: played whole, then guichet hangs up */
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:{s:s,s:{s:{s:I}},s:{s:I}},s:n}", "menu", "prompt", "p",
		    "options", "1", "queue_id", (json_int_t)sales, "closed", "recording", (json_int_t)rec, "greeting"), &r,
		    "/api/v1/channels/voice/numbers/%lld", menu_number);
	resp_clear(&r);
	char days[2][16], json[256];
	for (int i = 0; i < 2; i++) {
		time_t t = time(NULL) + i * 86400;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(days[i], sizeof(days[i]), "%Y-%m-%d", &tm);
	}
	snprintf(json, sizeof(json), "{\"zone\":\"UTC\",\"holidays\":[\"%s\",\"%s\"]}", days[0], days[1]);
	put_calendar(json);
	long long sent = metric("guichet_voice_rtp_sent_total");
	struct sipp s;
	assert_int_equal(sipp_start(&s, "closed.xml", sip_port, MENU_NUMBER, CALLER, false), 0);
	assert_int_equal(sipp_wait(&s, 20000), 0); /* guichet's BYE came after it */
	long long n_sent = metric("guichet_voice_rtp_sent_total") - sent;
	fprintf(stderr, "# the closed recording: %lld packets sent\n", n_sent);
	assert_true(n_sent >= 145); /* 3 s of 20 ms packets: the recording, not nothing */
	put_calendar("{\"zone\":\"UTC\"}");
	/* played by a menu: not removed */
	http_expect(&d, "DELETE", admin, 409, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	assert_string_equal(field_of(&r), "recording");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:o,s:s}", "menu", menu(), "greeting", "Welcome to the brand."), &r,
		    "/api/v1/channels/voice/numbers/%lld", menu_number);
	resp_clear(&r);
	/* the CLI */
	char token_file[128], file[128], got[128], id[24], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	snprintf(file, sizeof(file), "%s/hello.wav", d.dir);
	snprintf(got, sizeof(got), "%s/got.wav", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	wav = tone_wav(8000, 1, 16, 1, &len);
	f = fopen(file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(wav, 1, len, f), len);
	fclose(f);
	free(wav);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "voice", "prompt", "add", file,
				 "--name", "hello", NULL), 0);
	json_t *added = json_loads(out, 0, NULL);
	assert_non_null(added);
	assert_int_equal(json_integer_value(json_object_get(added, "duration_ms")), 1000);
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(added, "id")));
	json_decref(added);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "prompt", "list", NULL), 0);
	assert_non_null(strstr(out, "hello"));
	assert_non_null(strstr(out, "closed"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "prompt", "get", id, "-o", got, NULL), 0);
	free(out);
	free(err);
	char *back = NULL;
	size_t back_len = 0;
	f = fopen(got, "rb");
	assert_non_null(f);
	back = malloc(16100);
	back_len = fread(back, 1, 16100, f);
	fclose(f);
	assert_int_equal(back_len, 44 + 16000);
	assert_memory_equal(back, "RIFF", 4);
	free(back);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "prompt", "remove", id, NULL), 0);
	free(out);
	free(err);
	snprintf(id, sizeof(id), "%lld", rec);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "prompt", "remove", id, NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 404, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	resp_clear(&r);
}

#define GREET_NUMBER "+33900000003"

/* A number's greeting as one of the tenant's recordings: 422 naming
 * greeting_recording for another tenant's or none, 400 for what is no id;
 * a caller (the test is its media) hears the recording (2 kHz) first, then
 * the queue's music on hold (--moh-file's 220 Hz), not the greeting's text;
 * the recording cannot be removed while a number greets with it (409); the
 * CLI gives the number its text back. */
static void a_greeting_can_be_a_recording(void **state)
{
	size_t len = 0;
	char *wav = sipp_square_wav(2000, 1, &len);
	assert_non_null(wav);
	struct resp r;
	upload(admin, "greeting", "audio/wav", wav, len, &r);
	assert_int_equal(r.status, 201);
	long long rec = resp_int(&r, "id");
	resp_clear(&r);
	upload(other, "their-greeting", "audio/wav", wav, len, &r);
	long long theirs = resp_int(&r, "id");
	resp_clear(&r);
	free(wav);
	http_expect(&d, "POST", admin, 422, json_pack("{s:s,s:I,s:I}", "number", GREET_NUMBER, "queue_id",
		    (json_int_t)sales, "greeting_recording", (json_int_t)theirs), &r, "/api/v1/channels/voice/numbers");
	assert_string_equal(field_of(&r), "greeting_recording");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 422, json_pack("{s:s,s:I,s:I}", "number", GREET_NUMBER, "queue_id",
		    (json_int_t)sales, "greeting_recording", (json_int_t)(rec + theirs + 1000)), &r,
		    "/api/v1/channels/voice/numbers");
	assert_string_equal(field_of(&r), "greeting_recording");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 400, json_pack("{s:s,s:s}", "number", GREET_NUMBER, "greeting_recording", "x"),
		    &r, "/api/v1/channels/voice/numbers");
	assert_string_equal(field_of(&r), "greeting_recording");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:I,s:s,s:I}", "number", GREET_NUMBER, "queue_id",
		    (json_int_t)sales, "greeting", "Welcome to the brand.", "greeting_recording", (json_int_t)rec), &r,
		    "/api/v1/channels/voice/numbers");
	long long number = resp_int(&r, "id");
	assert_int_equal(resp_int(&r, "greeting_recording"), rec);
	resp_clear(&r);
	int port = 0, tap = sipp_tap_open(&port);
	assert_true(tap >= 0);
	struct sipp s;
	assert_int_equal(sipp_start_listen(&s, "listen.xml", sip_port, GREET_NUMBER, CALLER, port), 0);
	long packets = 0, changes = 0;
	for (int i = 0; i < 100 && packets == 0; i++) /* the call's first packet */
		sipp_tap_read(tap, 50, &packets, &changes);
	sipp_tap_read(tap, 700, &packets, &changes);
	fprintf(stderr, "# the greeting: %ld packets, %ld sign changes\n", packets, changes);
	assert_true(packets >= 25);
	assert_true(changes >= packets * 60); /* the recording's 2 kHz: 80 a packet */
	sipp_tap_read(tap, 600, &packets, &changes); /* its end */
	sipp_tap_read(tap, 1000, &packets, &changes);
	fprintf(stderr, "# then: %ld packets, %ld sign changes\n", packets, changes);
	assert_true(packets >= 40);
	assert_true(changes > 0 && changes <= packets * 20); /* the music on hold's 220 Hz: 9 a packet */
	close(tap);
	assert_int_equal(sipp_wait(&s, 20000), 0);
	http_expect(&d, "DELETE", admin, 409, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	assert_string_equal(field_of(&r), "recording");
	resp_clear(&r);
	/* the CLI: the text again */
	char token_file[160], id[24], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fputs(admin, f);
	fclose(f);
	snprintf(id, sizeof(id), "%lld", number);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "set", id, "--greeting-recording", "0",
				 NULL), 2);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "set", id, "--greeting-recording",
				 "none", NULL), 0);
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/numbers/%lld", number);
	assert_true(json_is_null(json_object_get(r.json, "greeting_recording")));
	assert_string_equal(json_string_value(json_object_get(r.json, "greeting")), "Welcome to the brand.");
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/prompts/%lld", rec);
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/numbers/%lld", number);
	resp_clear(&r);
}

/* guichetd stopping with a caller in a queue: the caller gets a BYE, the
 * contact is abandoned with the call's end by the shutdown on its timeline,
 * and no ghost waits in the queue after the restart. */
static void a_shutdown_ends_the_calls(void **state)
{
	long long before = newest_contact(admin);
	struct sipp s;
	assert_int_equal(sipp_start(&s, "call.xml", sip_port, QUEUE_NUMBER, CALLER, false), 0);
	long long contact = wait_contact(before);
	assert_true(waits_in(contact, sales));
	assert_int_equal(daemon_stop(&d), 0);
	sipp_wait(&s, 20000); /* its BYE met no call: whatever SIPp says */
	char listen[32], music[160];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port);
	snprintf(music, sizeof(music), "%s/music.wav", d.dir);
	assert_int_equal(daemon_start(&d, "--sip-listen", listen, "--moh-file", music, NULL), 0);
	free(admin);
	admin = login(&d, "admin@brand.example", PASSWORD);
	ends_abandoned(contact);
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
	size_t i;
	json_t *e;
	const char *by = NULL;
	json_array_foreach(json_object_get(r.json, "items"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")), "call_ended") == 0)
			by = json_string_value(json_object_get(json_object_get(e, "data"), "by"));
	assert_non_null(by);
	assert_string_equal(by, "shutdown");
	resp_clear(&r);
}

/* A music file that cannot be read, or a SIP address that cannot be bound: guichetd does not start. */
static void a_bad_music_file_or_address_stops_the_start(void **state)
{
	struct daemon bad = {0};
	assert_int_equal(daemon_init(&bad, "spare", "admin@spare.example", PASSWORD), 0);
	char listen[32], music[160];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", testport_free());
	snprintf(music, sizeof(music), "%s/missing.wav", bad.dir);
	assert_int_equal(daemon_start(&bad, "--sip-listen", listen, "--moh-file", music, NULL), -1);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port); /* ours: taken */
	assert_int_equal(daemon_start(&bad, "--sip-listen", listen, NULL), -1);
	daemon_cleanup(&bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_keep_their_tenant_and_check_the_menu),
		cmocka_unit_test(the_cli_manages_numbers),
		cmocka_unit_test(an_unknown_number_gets_404),
		cmocka_unit_test(a_call_makes_a_contact_hears_audio_and_abandons),
		cmocka_unit_test(a_national_caller_id_is_read_in_the_tenants_country),
		cmocka_unit_test(a_key_puts_the_caller_in_its_queue),
		cmocka_unit_test(malformed_input_is_dropped),
		cmocka_unit_test(outside_hours_the_closed_prompt_plays_and_guichet_hangs_up),
		cmocka_unit_test(a_tenants_recording_plays_instead_of_the_text),
		cmocka_unit_test(a_greeting_can_be_a_recording),
		cmocka_unit_test(a_bad_music_file_or_address_stops_the_start),
		cmocka_unit_test(a_shutdown_ends_the_calls),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
