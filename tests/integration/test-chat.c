/* The web chat's server side through the real daemon, on the run's engine
 * (docs/chat.md): chat channels (the secret shown once, strict settings,
 * other tenants see nothing), visitor tokens (anonymous, verified by the
 * brand's HMAC, refused when forged or of another channel), chats (closed
 * without an agent: 409 with the offline ways; open: a contact on the
 * channel "chat" in the channel's queue with its first message and a
 * wait), the visitor's messages (cleaned, kept once per client id,
 * reachable only by their own visitor), and the contact's "chat" object
 * (its channel, verified or not, ended, rated) on the staff's GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <curl/curl.h>

#include "guichet/clock.h"
#include "harness.h"

#define PASSWORD "chat pass"

static struct daemon d;
static char *admin, *admin2, *agent, *bob;
static long long agent_id, bob_id, skill, queue, channel, queue2, email_queue, channel2;
static char key[64], secret[80], key2[64];
static char web_dir[64];

#define call(...) http_expect(&d, __VA_ARGS__)

static void presence(const char *p)
{
	struct resp r;
	call("POST", agent, 200, json_pack("{s:s}", "presence", p), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
}

static int setup(void **state)
{
	/* stand-ins for the widget's build (web/dist/chat/) */
	char path[128];
	snprintf(web_dir, sizeof(web_dir), "/tmp/guichet-chatweb-XXXXXX");
	if (mkdtemp(web_dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/chat", web_dir);
	mkdir(path, 0700);
	const char *files[][2] = {{"chat/launcher.js", "/* launcher stand-in */\n"},
				  {"chat/frame.html", "<!doctype html><title>frame stand-in</title>\n"}};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", web_dir, files[i][0]);
		FILE *f = fopen(path, "w");
		if (f == NULL)
			return -1;
		fputs(files[i][1], f);
		fclose(f);
	}
	if (sodium_init() < 0 || daemon_init(&d, "t", "admin@t.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--public-per-minute", "100000", "--web-dir", web_dir, NULL) != 0)
		return -1;
	admin = login(&d, "admin@t.example", PASSWORD);
	admin2 = login(&d, "admin@two.example", PASSWORD);
	agent_id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@t.example",
		"name", "Alice Martin", "password", PASSWORD, "role", "agent"));
	agent = login(&d, "agent@t.example", PASSWORD);
	skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "web"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "web chat", "skill_id",
		(json_int_t)skill, "channel", "chat"));
	struct resp r;
	call("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "capacity", "chat", 2), &r, "/api/v1/agents/%lld", agent_id);
	resp_clear(&r);
	call("POST", admin, 201, json_pack("{s:s,s:I,s:[s],s:{s:s,s:s,s:[s,s]},s:{s:b,s:b}}", "name", "shop",
		"queue_id", (json_int_t)queue, "origins", "https://shop.example", "prechat", "name", "optional",
		"email", "optional", "topics", "Billing", "Orders", "offline", "message", 1, "callback", 0), &r,
		"/api/v1/channels/chat");
	channel = resp_int(&r, "id");
	snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(r.json, "key")));
	snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(r.json, "secret")));
	resp_clear(&r);
	/* a second channel on a queue of its own, that only Bob serves (the live tests) */
	bob_id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "bob@t.example",
		"name", "Bob Stream", "password", PASSWORD, "role", "agent"));
	bob = login(&d, "bob@t.example", PASSWORD);
	long long skill2 = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "live"));
	queue2 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "live chat", "skill_id",
		(json_int_t)skill2, "channel", "chat"));
	call("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)skill2, "proficiency", 5, "capacity", "chat", 3), &r, "/api/v1/agents/%lld", bob_id);
	resp_clear(&r);
	call("POST", admin, 201, json_pack("{s:s,s:I,s:[s]}", "name", "live", "queue_id", (json_int_t)queue2, "origins",
		"https://live.example"), &r, "/api/v1/channels/chat");
	channel2 = resp_int(&r, "id");
	snprintf(key2, sizeof(key2), "%s", json_string_value(json_object_get(r.json, "key")));
	resp_clear(&r);
	call("POST", bob, 200, json_pack("{s:s}", "presence", "available"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
	return 0;
}

static int teardown(void **state)
{
	int stopped = daemon_stop(&d); /* non-zero when the sanitizers found a leak or worse */
	if (stopped != 0) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "tail -40 %s >&2", d.log);
		fprintf(stderr, "guichetd exited with %d\n", stopped);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
	}
	daemon_cleanup(&d);
	free(admin);
	free(admin2);
	free(agent);
	free(bob);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", web_dir);
	return system(cmd) == 0 && stopped == 0 ? 0 : -1;
}

/* HMAC-SHA256(secret, id) in hex, as a brand's server computes it. */
static void brand_hmac(const char *with, const char *id, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)with, strlen(with));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

/* A new visitor's token of the channel of channel_key (malloc'd); customer NULL: anonymous. */
static char *visitor(const char *channel_key, const char *customer)
{
	struct resp r;
	json_t *body = json_object();
	if (customer) {
		char mac[65];
		brand_hmac(secret, customer, mac);
		json_object_set_new(body, "customer", json_pack("{s:s,s:s}", "id", customer, "hmac", mac));
	}
	call("POST", NULL, 201, body, &r, "/chat/v1/%s/visitors", channel_key);
	assert_int_equal(json_is_true(json_object_get(r.json, "verified")), customer != NULL);
	char *token = strdup(json_string_value(json_object_get(r.json, "token")));
	resp_clear(&r);
	return token;
}

static long long new_chat(const char *token, const char *message)
{
	struct resp r;
	call("POST", token, 201, json_pack("{s:s,s:s}", "message", message, "topic", "Billing"), &r,
	     "/chat/v1/%s/chats", key);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "waiting");
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	return id;
}

static void channels_are_configured_and_kept_to_their_tenant(void **state)
{
	struct resp r;
	assert_int_equal(strlen(key), 22);
	assert_int_equal(strlen(secret), 64);
	call("GET", admin, 200, NULL, &r, "/api/v1/channels/chat/%lld", channel);
	assert_null(json_object_get(r.json, "secret"));
	assert_string_equal(json_string_value(json_object_get(r.json, "key")), key);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "origins"), 0)), "https://shop.example");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "prechat"), "email")), "optional");
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "offline"), "message")));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/channels/chat");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2); /* shop, and live (setup) */
	assert_null(strstr(r.text, secret));
	resp_clear(&r);
	/* strict settings, the field named */
	call("POST", admin, 400, json_pack("{s:s,s:I,s:[s]}", "name", "x", "queue_id", (json_int_t)queue, "origins",
		"https://shop.example/path"), &r, "/api/v1/channels/chat");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "origins");
	resp_clear(&r);
	call("POST", admin, 400, json_pack("{s:s,s:I,s:[s],s:{s:s}}", "name", "x", "queue_id", (json_int_t)queue,
		"origins", "https://a.example", "prechat", "email", "maybe"), &r, "/api/v1/channels/chat");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "prechat.email");
	resp_clear(&r);
	call("POST", admin, 400, json_pack("{s:s,s:I,s:[s],s:i}", "name", "x", "queue_id", (json_int_t)queue,
		"origins", "https://a.example", "colour", 1), &r, "/api/v1/channels/chat");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "colour");
	resp_clear(&r);
	call("POST", admin2, 422, json_pack("{s:s,s:I,s:[s]}", "name", "x", "queue_id", (json_int_t)queue,
		"origins", "https://a.example"), &r, "/api/v1/channels/chat");
	resp_clear(&r);
	/* a chat channel sends its chats to a chat queue only */
	long long mail = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "web mail",
		"skill_id", (json_int_t)skill, "channel", "email"));
	call("PATCH", admin, 422, json_pack("{s:I}", "queue_id", (json_int_t)mail), &r, "/api/v1/channels/chat/%lld",
	     channel);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "queue_id");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "serves email"));
	resp_clear(&r);
	call("DELETE", admin, 204, NULL, &r, "/api/v1/queues/%lld", mail);
	resp_clear(&r);
	/* nor does its queue turn to another channel under it */
	call("PATCH", admin, 409, json_pack("{s:s}", "channel", "email"), &r, "/api/v1/queues/%lld", queue);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "channel");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "web chat channel"));
	resp_clear(&r);
	/* another tenant sees nothing of it; an agent may not manage channels */
	call("GET", admin2, 404, NULL, &r, "/api/v1/channels/chat/%lld", channel);
	resp_clear(&r);
	call("PATCH", admin2, 404, json_pack("{s:s}", "name", "mine"), &r, "/api/v1/channels/chat/%lld", channel);
	resp_clear(&r);
	call("DELETE", admin2, 404, NULL, &r, "/api/v1/channels/chat/%lld", channel);
	resp_clear(&r);
	call("POST", admin2, 404, NULL, &r, "/api/v1/channels/chat/%lld/secret", channel);
	resp_clear(&r);
	call("GET", admin2, 200, NULL, &r, "/api/v1/channels/chat");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	call("GET", agent, 403, NULL, &r, "/api/v1/channels/chat");
	resp_clear(&r);
	/* a patch changes what it names only */
	call("PATCH", admin, 200, json_pack("{s:{s:b,s:b}}", "offline", "message", 1, "callback", 1), &r,
	     "/api/v1/channels/chat/%lld", channel);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "offline"), "callback")));
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "shop");
	assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "prechat"), "topics")), 2);
	resp_clear(&r);
	/* a channel made and removed */
	long long other = post_id(&d, admin, "/api/v1/channels/chat", json_pack("{s:s,s:I,s:[s]}", "name", "other",
		"queue_id", (json_int_t)queue, "origins", "http://localhost:8080"));
	call("DELETE", admin, 204, NULL, &r, "/api/v1/channels/chat/%lld", other);
	resp_clear(&r);
	call("GET", admin, 404, NULL, &r, "/api/v1/channels/chat/%lld", other);
	resp_clear(&r);
}

static void visitors_get_tokens_and_brands_vouch_for_customers(void **state)
{
	struct resp r;
	char *anon = visitor(key, NULL), *known = visitor(key, "ext-42");
	call("POST", NULL, 401, json_pack("{s:{s:s,s:s}}", "customer", "id", "ext-42", "hmac",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"), &r, "/chat/v1/%s/visitors", key);
	assert_string_equal(resp_error(&r), "unverified");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "customer.hmac");
	resp_clear(&r);
	call("POST", NULL, 404, json_object(), &r, "/chat/v1/%s/visitors", "nosuchkey0000000000000");
	resp_clear(&r);
	/* the token is needed, and must be this channel's and unchanged */
	call("GET", NULL, 401, NULL, &r, "/chat/v1/%s/chats", key);
	resp_clear(&r);
	char forged[256];
	snprintf(forged, sizeof(forged), "%s", anon);
	forged[10] = forged[10] == 'A' ? 'B' : 'A';
	call("GET", forged, 401, NULL, &r, "/chat/v1/%s/chats", key);
	resp_clear(&r);
	long long other = post_id(&d, admin, "/api/v1/channels/chat", json_pack("{s:s,s:I,s:[s]}", "name", "second",
		"queue_id", (json_int_t)queue, "origins", "https://b.example"));
	call("GET", admin, 200, NULL, &r, "/api/v1/channels/chat/%lld", other);
	char other_key[64];
	snprintf(other_key, sizeof(other_key), "%s", json_string_value(json_object_get(r.json, "key")));
	resp_clear(&r);
	call("GET", anon, 401, NULL, &r, "/chat/v1/%s/chats", other_key);
	resp_clear(&r);
	call("GET", anon, 200, NULL, &r, "/chat/v1/%s/chats?token=%s", key, known); /* the header wins */
	resp_clear(&r);
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/chats?token=%s", key, anon); /* EventSource's way */
	resp_clear(&r);
	/* the brand's customer exists once, by its external id */
	free(visitor(key, "ext-42"));
	call("GET", admin, 200, NULL, &r, "/api/v1/customers");
	int n = 0;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(r.json, "items"), i, c)
		n += json_string_value(json_object_get(c, "external_id")) &&
		     strcmp(json_string_value(json_object_get(c, "external_id")), "ext-42") == 0;
	assert_int_equal(n, 1);
	resp_clear(&r);
	free(anon);
	free(known);
}

/* Why the answer says the chat is closed: "hours" or "agents". */
static void closed_is(const struct resp *r, const char *want)
{
	const char *why = json_string_value(json_object_get(r->json, "closed"));
	assert_non_null(why);
	assert_string_equal(why, want);
}

static void a_chat_waits_for_an_agent_and_is_closed_without_one(void **state)
{
	struct resp r;
	char *v = visitor(key, NULL);
	presence("offline");
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key);
	assert_false(json_is_true(json_object_get(r.json, "open")));
	assert_true(json_is_null(json_object_get(r.json, "wait")));
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "t");
	/* no calendar: always open by the hours, closed because nobody serves the chat */
	closed_is(&r, "agents");
	resp_clear(&r);
	call("POST", v, 409, json_pack("{s:s}", "message", "hello?"), &r, "/chat/v1/%s/chats", key);
	assert_string_equal(resp_error(&r), "closed");
	/* the channel takes messages, but no mailbox sends the tenant's mail yet: a message left
	 * could not be answered, so it is not offered, and refused */
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "offline"), "message")));
	closed_is(&r, "agents");
	resp_clear(&r);
	call("POST", NULL, 409, json_pack("{s:s,s:s}", "email", "zoe@example.com", "message", "hi"), &r,
	     "/chat/v1/%s/messages", key);
	resp_clear(&r);
	presence("available");
	/* an agent there, but today and tomorrow are holidays: closed by the hours */
	char today[GC_TIME_LEN], tomorrow[GC_TIME_LEN], cal[160];
	gc_time_format(gc_now_ms(), today);
	gc_time_format(gc_now_ms() + 86400000LL, tomorrow);
	today[10] = tomorrow[10] = '\0';
	snprintf(cal, sizeof(cal), "{\"zone\":\"UTC\",\"holidays\":[\"%s\",\"%s\"]}", today, tomorrow);
	call("PUT", admin, 200, json_loads(cal, 0, NULL), &r, "/api/v1/calendar");
	resp_clear(&r);
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key);
	assert_false(json_is_true(json_object_get(r.json, "open")));
	closed_is(&r, "hours");
	resp_clear(&r);
	call("POST", v, 409, json_pack("{s:s}", "message", "hello?"), &r, "/chat/v1/%s/chats", key);
	closed_is(&r, "hours");
	resp_clear(&r);
	call("PUT", admin, 200, json_pack("{s:s}", "zone", "UTC"), &r, "/api/v1/calendar");
	resp_clear(&r);
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key);
	assert_true(json_is_true(json_object_get(r.json, "open")));
	assert_true(json_is_null(json_object_get(r.json, "closed")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "wait"), "position")), 1);
	resp_clear(&r);
	/* the prechat form is checked */
	call("POST", v, 400, json_pack("{s:s,s:s}", "message", "hi", "topic", "Holidays"), &r, "/chat/v1/%s/chats", key);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "topic");
	resp_clear(&r);
	call("POST", v, 400, json_pack("{s:s,s:s}", "message", "hi", "email", "not-an-address"), &r,
	     "/chat/v1/%s/chats", key);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "email");
	resp_clear(&r);
	call("POST", v, 400, json_pack("{s:s}", "message", "\x01\x02"), &r, "/chat/v1/%s/chats", key);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "message");
	resp_clear(&r);
	long long chat = new_chat(v, "my invoice\x07 is wrong");
	/* a contact on the chat channel in the channel's queue, with its first message */
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", chat);
	assert_string_equal(json_string_value(json_object_get(r.json, "channel")), "chat");
	assert_string_equal(json_string_value(json_object_get(r.json, "subject")), "Chat: Billing");
	assert_non_null(strstr(r.text, "my invoice is wrong"));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/routing", chat);
	assert_int_equal(json_integer_value(json_object_get(r.json, "queue_id")), queue);
	resp_clear(&r);
	call("GET", v, 200, NULL, &r, "/chat/v1/%s/chats", key);
	assert_int_equal(json_array_size(json_object_get(r.json, "chats")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "chats"), 0), "id")),
			 chat);
	resp_clear(&r);
	/* the other tenant's staff finds no such contact */
	call("GET", admin2, 404, NULL, &r, "/api/v1/contacts/%lld", chat);
	resp_clear(&r);
	/* the name a visitor gives becomes their customer's, for the agent who answers */
	char *named = visitor(key, NULL);
	call("POST", named, 201, json_pack("{s:s,s:s,s:s}", "message", "hello", "topic", "Billing", "name",
		"L\u00e9a Martin"), &r, "/chat/v1/%s/chats", key);
	long long lea = resp_int(&r, "id");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", lea);
	long long customer = json_integer_value(json_object_get(r.json, "customer_id"));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/customers/%lld", customer);
	json_t *given = json_object_get(json_object_get(r.json, "attributes"), "name");
	assert_string_equal(json_string_value(json_object_get(given, "value")), "L\u00e9a Martin");
	resp_clear(&r);
	call("POST", named, 200, NULL, &r, "/chat/v1/%s/chats/%lld/end", key, lea);
	resp_clear(&r);
	free(named);
	free(v);
}

static void messages_are_kept_once_and_only_for_their_visitor(void **state)
{
	struct resp r;
	char *v = visitor(key, NULL), *stranger = visitor(key, NULL);
	long long chat = new_chat(v, "first");
	call("POST", v, 201, json_pack("{s:s,s:s}", "body", "line one\nline\ttwo\x1b", "client_id", "c-1"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	long long id = resp_int(&r, "id");
	assert_string_equal(json_string_value(json_object_get(r.json, "body")), "line one\nline\ttwo");
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "inbound");
	assert_string_equal(json_string_value(json_object_get(r.json, "client_id")), "c-1");
	resp_clear(&r);
	call("POST", v, 200, json_pack("{s:s,s:s}", "body", "line one again", "client_id", "c-1"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	assert_int_equal(resp_int(&r, "id"), id);
	assert_string_equal(json_string_value(json_object_get(r.json, "body")), "line one\nline\ttwo");
	resp_clear(&r);
	call("POST", v, 400, json_pack("{s:s,s:s}", "body", "", "client_id", "c-2"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "body");
	resp_clear(&r);
	char big[4100];
	memset(big, 'x', 4001);
	big[4001] = '\0';
	call("POST", v, 400, json_pack("{s:s,s:s}", "body", big, "client_id", "c-3"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	resp_clear(&r);
	/* the timeline holds the message once */
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", chat);
	const char *at = strstr(r.text, "line one");
	assert_non_null(at);
	assert_null(strstr(at + 1, "line one"));
	resp_clear(&r);
	/* another visitor, even of the same channel, cannot see or post into it */
	call("POST", stranger, 404, json_pack("{s:s,s:s}", "body", "me too", "client_id", "s-1"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	resp_clear(&r);
	call("GET", stranger, 200, NULL, &r, "/chat/v1/%s/chats", key);
	assert_int_equal(json_array_size(json_object_get(r.json, "chats")), 0);
	resp_clear(&r);
	free(v);
	free(stranger);
}

static void an_unverified_visitor_never_joins_a_verified_customers_chat(void **state)
{
	struct resp r;
	char *known = visitor(key, "ext-7"), *again = visitor(key, "ext-7"), *anon = visitor(key, NULL);
	long long chat = new_chat(known, "about my order");
	/* the same customer on another device finds it */
	call("GET", again, 200, NULL, &r, "/chat/v1/%s/chats", key);
	assert_int_equal(json_array_size(json_object_get(r.json, "chats")), 1);
	resp_clear(&r);
	call("POST", again, 201, json_pack("{s:s,s:s}", "body", "from my phone", "client_id", "p-1"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	resp_clear(&r);
	/* an anonymous visitor does not, whatever they say they are */
	call("GET", anon, 200, NULL, &r, "/chat/v1/%s/chats", key);
	assert_int_equal(json_array_size(json_object_get(r.json, "chats")), 0);
	resp_clear(&r);
	call("POST", anon, 404, json_pack("{s:s,s:s}", "body", "let me in", "client_id", "a-1"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	resp_clear(&r);
	free(known);
	free(again);
	free(anon);
}

/* GET /api/v1/contacts/{id} of contact as the admin sees it: its "chat" member (a new reference, NULL for none). */
static json_t *contact_chat(long long contact)
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	json_t *chat = json_incref(json_object_get(r.json, "chat"));
	assert_null(json_object_get(r.json, "rating")); /* the rating is the chat's, in it */
	resp_clear(&r);
	return chat;
}

static void a_contact_says_whether_it_is_a_web_chat(void **state)
{
	struct resp r;
	char *anon = visitor(key, NULL), *known = visitor(key, "ext-9");
	long long plain = new_chat(anon, "who am I?"), vouched = new_chat(known, "I am ext-9");
	json_t *chat = contact_chat(plain);
	assert_non_null(chat);
	assert_int_equal(json_integer_value(json_object_get(chat, "channel_id")), channel);
	assert_true(json_is_false(json_object_get(chat, "verified")));
	assert_true(json_is_null(json_object_get(chat, "ended_at")));
	assert_null(json_object_get(chat, "rating"));
	json_decref(chat);
	chat = contact_chat(vouched);
	assert_true(json_is_true(json_object_get(chat, "verified")));
	json_decref(chat);
	/* a chat contact made through the API has no visitor behind it */
	long long api = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:s}", "channel", "chat", "subject",
		"Chat with Eve", "message", "typed by an agent"));
	assert_null(contact_chat(api));
	/* ended: when it ended; another tenant finds no such contact */
	call("POST", anon, 200, NULL, &r, "/chat/v1/%s/chats/%lld/end", key, plain);
	resp_clear(&r);
	chat = contact_chat(plain);
	assert_true(json_is_string(json_object_get(chat, "ended_at")));
	json_decref(chat);
	call("GET", admin2, 404, NULL, &r, "/api/v1/contacts/%lld", vouched);
	assert_null(strstr(r.text, "\"chat\""));
	resp_clear(&r);
	call("POST", known, 200, NULL, &r, "/chat/v1/%s/chats/%lld/end", key, vouched);
	resp_clear(&r);
	free(anon);
	free(known);
}

/* The next event of type on s within 5 s (its data in ev). */
static void next(struct sse *s, const char *type, struct sse_event *ev)
{
	bool got = sse_next(s, type, 5000, ev);
	if (!got)
		fprintf(stderr, "no '%s' event came\n", type);
	assert_true(got);
}

static long long agent_says(const char *path_kind, const char *body, long long chat)
{
	struct resp r;
	json_t *b = strcmp(path_kind, "notes") == 0 ? json_pack("{s:s}", "body", body)
						    : json_pack("{s:s,s:s}", "body", body, "direction", "outbound");
	call("POST", bob, 201, b, &r, "/api/v1/contacts/%lld/%s", chat, path_kind);
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	return id;
}

static void the_conversation_is_live_both_ways(void **state)
{
	struct resp r;
	struct sse_event ev = {0};
	char *v = visitor(key2, NULL), path[256];
	call("POST", v, 201, json_pack("{s:s}", "message", "anyone there?"), &r, "/chat/v1/%s/chats", key2);
	long long chat = resp_int(&r, "id");
	resp_clear(&r);
	/* the visitor's stream: the first message, the state, the wait */
	struct sse vs, as;
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/stream", key2, chat);
	assert_int_equal(sse_open_path(&vs, &d, path, v, 0), 200);
	next(&vs, "message", &ev);
	long long first = ev.id;
	assert_string_equal(json_string_value(json_object_get(ev.data, "body")), "anyone there?");
	next(&vs, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "waiting");
	/* from the routing engine, with the time it may wait (and again whenever it moves) */
	next(&vs, "wait", &ev);
	assert_int_equal(json_integer_value(json_object_get(ev.data, "position")), 1);
	assert_true(json_is_integer(json_object_get(ev.data, "expected_s")));
	/* Bob takes it (the answer is the contact as a GET shows it, its chat
	 * with it): the visitor hears who */
	call("POST", bob, 200, NULL, &r, "/api/v1/contacts/%lld/accept", chat);
	assert_non_null(json_object_get(json_object_get(r.json, "chat"), "channel_id"));
	resp_clear(&r);
	next(&vs, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "assigned");
	assert_string_equal(json_string_value(json_object_get(ev.data, "agent")), "Bob");
	/* the agent's stream: what was said, then live */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/chat/stream", chat);
	assert_int_equal(sse_open_path(&as, &d, path, bob, 0), 200);
	next(&as, "message", &ev);
	assert_int_equal(ev.id, first);
	next(&as, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "assigned");
	/* the agent's message reaches the visitor, a note never does */
	long long hello = agent_says("messages", "Hello, I am Bob", chat);
	next(&vs, "message", &ev);
	assert_int_equal(ev.id, hello);
	assert_string_equal(json_string_value(json_object_get(ev.data, "kind")), "outbound");
	assert_string_equal(json_string_value(json_object_get(ev.data, "author")), "Bob");
	next(&as, "mark", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "delivered");
	assert_int_equal(json_integer_value(json_object_get(ev.data, "up_to")), hello);
	agent_says("notes", "customer sounds upset", chat);
	long long second = agent_says("messages", "How can I help?", chat);
	next(&vs, "message", &ev);
	assert_int_equal(ev.id, second);
	/* typing both ways */
	call("POST", v, 204, json_pack("{s:b}", "on", 1), &r, "/chat/v1/%s/chats/%lld/typing", key2, chat);
	resp_clear(&r);
	next(&as, "typing", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "from")), "visitor");
	assert_true(json_is_true(json_object_get(ev.data, "on")));
	call("POST", bob, 204, json_pack("{s:b}", "on", 0), &r, "/api/v1/contacts/%lld/chat/typing", chat);
	resp_clear(&r);
	next(&vs, "typing", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "from")), "agent");
	assert_false(json_is_true(json_object_get(ev.data, "on")));
	/* the read marks */
	call("POST", v, 204, json_pack("{s:I}", "up_to", (json_int_t)second), &r, "/chat/v1/%s/chats/%lld/read", key2, chat);
	resp_clear(&r);
	next(&as, "mark", &ev);
	while (strcmp(json_string_value(json_object_get(ev.data, "state")), "delivered") == 0)
		next(&as, "mark", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "read");
	assert_string_equal(json_string_value(json_object_get(ev.data, "by")), "visitor");
	assert_int_equal(json_integer_value(json_object_get(ev.data, "up_to")), second);
	/* the visitor's message reaches the agent */
	call("POST", v, 201, json_pack("{s:s,s:s}", "body", "my parcel is late", "client_id", "v-1"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key2, chat);
	long long late = resp_int(&r, "id");
	resp_clear(&r);
	next(&as, "message", &ev);
	assert_int_equal(ev.id, late);
	assert_string_equal(json_string_value(json_object_get(ev.data, "kind")), "inbound");
	sse_close(&vs);
	/* a reconnection after hello gets each later message once, then the state */
	assert_int_equal(sse_open_path(&vs, &d, "/chat/v1/x/x", v, 0), 404);
	sse_close(&vs);
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/stream", key2, chat);
	assert_int_equal(sse_open_path(&vs, &d, path, v, hello), 200);
	long long seen[8];
	int n = 0;
	while (sse_next(&vs, NULL, 1500, &ev) && n < 8) {
		if (strcmp(ev.type, "message") == 0)
			seen[n++] = ev.id;
		if (strcmp(ev.type, "state") == 0)
			break;
	}
	assert_int_equal(n, 2);
	assert_int_equal(seen[0], second);
	assert_int_equal(seen[1], late);
	/* then the marks kept on the messages: the agent's stream delivered the visitor's last one */
	next(&vs, "mark", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "delivered");
	assert_string_equal(json_string_value(json_object_get(ev.data, "by")), "agent");
	assert_int_equal(json_integer_value(json_object_get(ev.data, "up_to")), late);
	sse_close(&vs);
	/* ?after= does the same for EventSource, which cannot set headers */
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/stream?after=%lld&token=%s", key2, chat, second, v);
	assert_int_equal(sse_open_path(&vs, &d, path, NULL, 0), 200);
	next(&vs, "message", &ev);
	assert_int_equal(ev.id, late);
	/* the agent wraps it up: the visitor hears it ended */
	call("POST", bob, 200, json_pack("{s:s}", "disposition", "solved"), &r, "/api/v1/contacts/%lld/wrapup", chat);
	resp_clear(&r);
	next(&vs, "state", &ev); /* the one it connected with */
	if (strcmp(json_string_value(json_object_get(ev.data, "state")), "assigned") == 0)
		next(&vs, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "ended");
	sse_close(&vs);
	sse_close(&as);
	/* wrapped up, it has ended for the visitor too: what they send now is refused, not
	 * taken onto a contact nobody holds, and a reload no longer lists it */
	call("POST", v, 409, json_pack("{s:s,s:s}", "body", "are you there?", "client_id", "v-late"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key2, chat);
	resp_clear(&r);
	call("GET", v, 200, NULL, &r, "/chat/v1/%s/chats", key2);
	assert_int_equal(json_array_size(json_object_get(r.json, "chats")), 0);
	resp_clear(&r);
	/* the stream is the holder's or a supervisor's; another tenant's staff finds no chat */
	call("GET", agent, 403, NULL, &r, "/api/v1/contacts/%lld/chat/stream", chat);
	resp_clear(&r);
	call("GET", admin2, 404, NULL, &r, "/api/v1/contacts/%lld/chat/stream", chat);
	resp_clear(&r);
	call("POST", admin2, 404, json_pack("{s:b}", "on", 1), &r, "/api/v1/contacts/%lld/chat/typing", chat);
	resp_clear(&r);
	call("POST", admin2, 404, json_pack("{s:I}", "up_to", (json_int_t)late), &r, "/api/v1/contacts/%lld/chat/read", chat);
	resp_clear(&r);
	/* another visitor cannot follow it */
	char *stranger = visitor(key2, NULL);
	call("GET", stranger, 404, NULL, &r, "/chat/v1/%s/chats/%lld/stream", key2, chat);
	resp_clear(&r);
	call("POST", stranger, 404, json_pack("{s:b}", "on", 1), &r, "/chat/v1/%s/chats/%lld/typing", key2, chat);
	resp_clear(&r);
	free(stranger);
	free(v);
	json_decref(ev.data);
}

static void a_chat_ends_is_rated_and_sent_by_email(void **state)
{
	struct resp r;
	char *v = visitor(key, NULL);
	long long chat = new_chat(v, "a question");
	call("POST", v, 400, json_pack("{s:i}", "score", 9), &r, "/chat/v1/%s/chats/%lld/rating", key, chat);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "score");
	resp_clear(&r);
	call("POST", v, 200, json_pack("{s:i,s:s}", "score", 4, "comment", "quick"), &r, "/chat/v1/%s/chats/%lld/rating",
	     key, chat);
	resp_clear(&r);
	json_t *shown = contact_chat(chat), *rating = json_object_get(shown, "rating");
	assert_int_equal(json_integer_value(json_object_get(rating, "score")), 4);
	assert_string_equal(json_string_value(json_object_get(rating, "comment")), "quick");
	json_decref(shown);
	/* no mailbox sends mail yet (another visitor's chat: the transcripts a visitor asks for are limited) */
	char *v0 = visitor(key, NULL);
	long long chat0 = new_chat(v0, "nobody answers me");
	call("POST", v0, 422, json_pack("{s:s}", "email", "me@example.com"), &r, "/chat/v1/%s/chats/%lld/transcript", key,
	     chat0);
	resp_clear(&r);
	email_queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "mail", "skill_id",
		(json_int_t)skill, "channel", "email"));
	call("POST", admin, 201, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "name", "support", "address", "support@shop.example",
		"imap_url", "imap://127.0.0.1:9", "smtp_url", "smtp://127.0.0.1:9", "username", "u", "password", "p",
		"queue_id", (json_int_t)email_queue), &r, "/api/v1/channels/email");
	resp_clear(&r);
	/* a chat no agent has answered has no conversation to send: mailing
	 * what a visitor typed to any address is no service of the brand's */
	call("POST", v0, 409, json_pack("{s:s}", "email", "me@example.com"), &r, "/chat/v1/%s/chats/%lld/transcript", key,
	     chat0);
	assert_string_equal(resp_error(&r), "not_answered");
	resp_clear(&r);
	free(v0);
	call("POST", v, 400, json_pack("{s:s}", "email", "nope"), &r, "/chat/v1/%s/chats/%lld/transcript", key, chat);
	resp_clear(&r);
	call("POST", admin, 201, json_pack("{s:s,s:s}", "body", "Hello, how can I help?", "direction", "outbound"), &r,
	     "/api/v1/contacts/%lld/messages", chat);
	resp_clear(&r);
	call("POST", v, 202, json_pack("{s:s}", "email", "Me@Example.com"), &r, "/chat/v1/%s/chats/%lld/transcript", key, chat);
	resp_clear(&r);
	/* a chat's transcript goes out a few times at most, whatever the addresses */
	call("POST", v, 400, json_pack("{s:s,s:s}", "email", "me.too@example.com", "lang", "de"), &r,
	     "/chat/v1/%s/chats/%lld/transcript", key, chat);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "lang");
	resp_clear(&r);
	/* in the widget's language: a French visitor's transcript is French */
	call("POST", v, 202, json_pack("{s:s,s:s}", "email", "me.too@example.com", "lang", "fr"), &r,
	     "/chat/v1/%s/chats/%lld/transcript", key, chat);
	resp_clear(&r);
	call("POST", v, 409, json_pack("{s:s}", "email", "third@example.com"), &r, "/chat/v1/%s/chats/%lld/transcript", key,
	     chat);
	assert_string_equal(resp_error(&r), "too_many_transcripts");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/email-replies", chat);
	json_t *mail = json_array_get(json_object_get(r.json, "items"), 0);
	assert_non_null(mail);
	assert_string_equal(json_string_value(json_object_get(mail, "to")), "me@example.com");
	assert_string_equal(json_string_value(json_object_get(mail, "subject")), "Your chat transcript");
	mail = json_array_get(json_object_get(r.json, "items"), 1);
	assert_string_equal(json_string_value(json_object_get(mail, "to")), "me.too@example.com");
	assert_string_equal(json_string_value(json_object_get(mail, "subject")), "La transcription de votre discussion");
	resp_clear(&r);
	/* the visitor ends it: out of the list, no more messages */
	call("POST", v, 200, NULL, &r, "/chat/v1/%s/chats/%lld/end", key, chat);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "ended");
	resp_clear(&r);
	call("GET", v, 200, NULL, &r, "/chat/v1/%s/chats", key);
	assert_int_equal(json_array_size(json_object_get(r.json, "chats")), 0);
	resp_clear(&r);
	call("POST", v, 409, json_pack("{s:s,s:s}", "body", "still there?", "client_id", "e-1"), &r,
	     "/chat/v1/%s/chats/%lld/messages", key, chat);
	resp_clear(&r);
	free(v);
}

static void a_message_left_when_closed_becomes_an_email_contact(void **state)
{
	struct resp r;
	/* a mailbox sends the tenant's mail now: the widget offers the message */
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "offline"), "message")));
	resp_clear(&r);
	call("POST", NULL, 400, json_pack("{s:s}", "message", "call me"), &r, "/chat/v1/%s/messages", key);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "email");
	resp_clear(&r);
	call("POST", NULL, 201, json_pack("{s:s,s:s,s:s}", "name", "Zoe", "email", "Zoe@Example.com", "message",
		"please write back"), &r, "/chat/v1/%s/messages", key);
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", id);
	assert_string_equal(json_string_value(json_object_get(r.json, "channel")), "email");
	assert_non_null(strstr(r.text, "please write back"));
	long long customer = json_integer_value(json_object_get(r.json, "customer_id"));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/customers/%lld", customer);
	assert_string_equal(json_string_value(json_object_get(r.json, "email")), "zoe@example.com");
	/* the name she gave is the customer's, for the agent who answers her */
	json_t *given = json_object_get(json_object_get(r.json, "attributes"), "name");
	assert_string_equal(json_string_value(json_object_get(given, "value")), "Zoe");
	resp_clear(&r);
	/* a queue serves one channel: the message waits in the email queue of the mailbox that answers it */
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/routing", id);
	assert_int_equal(json_integer_value(json_object_get(r.json, "queue_id")), email_queue);
	resp_clear(&r);
	/* a channel without the offline message refuses it */
	call("POST", NULL, 409, json_pack("{s:s,s:s}", "email", "zoe@example.com", "message", "hi"), &r,
	     "/chat/v1/%s/messages", key2);
	resp_clear(&r);
}

static void a_visitor_past_its_allowance_waits(void **state)
{
	struct resp r;
	char *v = visitor(key, NULL);
	for (int i = 0; i < 3; i++)
		new_chat(v, "again");
	call("POST", v, 429, json_pack("{s:s}", "message", "and again"), &r, "/chat/v1/%s/chats", key);
	assert_string_equal(resp_error(&r), "too_many_requests");
	assert_true(atoi(r.retry_after) >= 1);
	resp_clear(&r);
	/* another visitor is not slowed by it */
	char *w = visitor(key, NULL);
	new_chat(w, "me first");
	free(w);
	free(v);
}

/* The CLI: add (the secret printed once), list, show, set, secret, remove, --help. */
static void the_cli_manages_chats(void **state)
{
	char token_file[128], *out = NULL, *err = NULL, q[24], id[24];
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	snprintf(q, sizeof(q), "%lld", queue);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "chat", "add", "--name", "cli",
				 "--queue", q, "--origin", "https://a.example", "--origin", "https://b.example:8443",
				 "--prechat-email", "required", "--topic", "Sales", "--topic", "Help", "--offline-message",
				 "--attachment-max-bytes", "2048", "--attachment-type", "image/png", "--attachment-type",
				 "application/pdf", "--attachments-per-chat", "3", NULL), 0);
	json_t *made = json_loads(out, 0, NULL);
	assert_non_null(made);
	json_t *files = json_object_get(made, "attachments");
	assert_int_equal(json_integer_value(json_object_get(files, "max_bytes")), 2048);
	assert_int_equal(json_integer_value(json_object_get(files, "per_chat")), 3);
	assert_int_equal(json_array_size(json_object_get(files, "types")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(files, "types"), 1)), "application/pdf");
	const char *secret_text = json_string_value(json_object_get(made, "secret"));
	assert_non_null(secret_text);
	char made_secret[80];
	snprintf(made_secret, sizeof(made_secret), "%s", secret_text);
	assert_int_equal(json_array_size(json_object_get(made, "origins")), 2);
	assert_int_equal(json_array_size(json_object_get(json_object_get(made, "prechat"), "topics")), 2);
	assert_true(json_is_true(json_object_get(json_object_get(made, "offline"), "message")));
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(made, "id")));
	json_decref(made);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "list", NULL), 0);
	assert_non_null(strstr(out, "cli"));
	assert_null(strstr(out, made_secret));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "chat", "set", id, "--name", "cli2", NULL), 0);
	assert_non_null(strstr(out, "cli2"));
	free(out);
	free(err);
	/* the attachments' limits are replaced together: those not given go back to their defaults */
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "chat", "set", id,
				 "--attachment-max-bytes", "0", NULL), 0);
	json_t *set = json_loads(out, 0, NULL);
	assert_non_null(set);
	files = json_object_get(set, "attachments");
	assert_int_equal(json_integer_value(json_object_get(files, "max_bytes")), 0);
	assert_int_equal(json_integer_value(json_object_get(files, "per_chat")), 10);
	assert_int_equal(json_array_size(json_object_get(files, "types")), 6);
	assert_string_equal(json_string_value(json_object_get(set, "name")), "cli2");
	json_decref(set);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "set", id, "--attachments-per-chat",
				 "3x", NULL), 2);
	assert_non_null(strstr(err, "--attachments-per-chat"));
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "set", id,
				     "--attachment-max-bytes", "999999999", NULL), 0);
	assert_non_null(strstr(err, "attachments.max_bytes"));
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "set", id, "--attachment-type",
				     "image/svg+xml", NULL), 0);
	assert_non_null(strstr(err, "attachments.types"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "chat", "secret", id, NULL), 0);
	assert_null(strstr(out, made_secret));
	assert_non_null(strstr(out, "secret"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "show", id, NULL), 0);
	assert_null(strstr(out, "secret"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "add", "--name", "x", NULL), 2);
	assert_non_null(strstr(err, "--queue"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "add", "--help", NULL), 0);
	assert_non_null(strstr(out, "--origin"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "remove", id, NULL), 0);
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "channel", "chat", "show", id, NULL), 0);
	free(out);
	free(err);
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	size_t len = strlen(arg), add = size * n;
	if (len + add < 4096) {
		memcpy((char *)arg + len, data, add);
		((char *)arg)[len + add] = '\0';
	}
	return size * n;
}

/* GET path: its status, headers and body (each at most 4 KiB). */
static long fetch(const char *path, char headers[4096], char body[4096])
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", d.url, path);
	headers[0] = body[0] = '\0';
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

static void the_browser_files_are_served_per_channel(void **state)
{
	char headers[4096], body[4096], path[128];
	snprintf(path, sizeof(path), "/chat/v1/%s/launcher.js", key);
	assert_int_equal(fetch(path, headers, body), 200);
	assert_string_equal(body, "/* launcher stand-in */\n");
	assert_non_null(strcasestr(headers, "content-type: text/javascript"));
	snprintf(path, sizeof(path), "/chat/v1/%s/frame", key);
	assert_int_equal(fetch(path, headers, body), 200);
	assert_non_null(strstr(body, "frame stand-in"));
	assert_non_null(strcasestr(headers, "content-type: text/html"));
	/* the channel's origins, and guichetd's own pages (the portal embeds it) */
	assert_non_null(strstr(headers, "frame-ancestors 'self' https://shop.example\r\n"));
	assert_null(strcasestr(headers, "X-Frame-Options"));
	assert_null(strstr(headers, "frame-ancestors 'none'"));
	/* the desktop's pages keep theirs */
	assert_int_equal(fetch("/chat/launcher.js", headers, body), 404);
	/* an unknown key, a removed channel */
	assert_int_equal(fetch("/chat/v1/nosuchkey0000000000000/launcher.js", headers, body), 404);
	assert_int_equal(fetch("/chat/v1/nosuchkey0000000000000/frame", headers, body), 404);
}

/* POSTs bytes as a chat attachment (the visitor's route when chat_key, else the agent's). */
static void upload(const char *token, const char *chat_key, long long chat, const char *name, const char *type,
		   const char *bytes, size_t len, int status, struct resp *r)
{
	char path[256];
	if (chat_key)
		snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/attachments?name=%s", chat_key, chat, name);
	else
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/chat/attachments?name=%s", chat, name);
	http_raw(&d, "POST", path, token, NULL, type, bytes, len, r);
	if (r->status != status)
		fprintf(stderr, "POST %s answered %d, not %d: %s\n", path, r->status, status, r->text ? r->text : "");
	assert_int_equal(r->status, status);
}

/* The widget shows the tenant's current incidents, as the portal does: the
 * published ones that have started and not ended, never a draft, an ended
 * one or another tenant's. */
static void the_widget_shows_the_tenants_current_incidents(void **state)
{
	struct resp r;
	long long shown = post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:s,s:b}", "kind", "incident",
		"title", "Fibre outage in Lyon", "body", "Repair crews are on site.", "published", 1));
	long long draft = post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:b}", "kind", "incident",
		"title", "Draft outage", "published", 0));
	long long ended = post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:b}", "kind", "announcement",
		"title", "Ended notice", "published", 1));
	call("POST", admin, 200, NULL, &r, "/api/v1/incidents/%lld/end", ended);
	resp_clear(&r);
	long long theirs = post_id(&d, admin2, "/api/v1/incidents", json_pack("{s:s,s:s,s:b}", "kind", "incident",
		"title", "The other tenant's outage", "published", 1));
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key);
	json_t *list = json_object_get(r.json, "incidents");
	assert_int_equal(json_array_size(list), 1);
	json_t *it = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(it, "id")), shown);
	assert_string_equal(json_string_value(json_object_get(it, "title")), "Fibre outage in Lyon");
	assert_string_equal(json_string_value(json_object_get(it, "body")), "Repair crews are on site.");
	assert_null(json_object_get(it, "published")); /* the public fields only */
	resp_clear(&r);
	call("POST", admin, 200, NULL, &r, "/api/v1/incidents/%lld/end", shown);
	resp_clear(&r);
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key);
	assert_int_equal(json_array_size(json_object_get(r.json, "incidents")), 0);
	resp_clear(&r);
	(void)draft;
	(void)theirs;
}

static const char *error_field(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
}

static void files_go_both_ways_within_the_channels_limits(void **state)
{
	struct resp r;
	struct sse vs;
	struct sse_event ev = {0};
	char path[256];
	/* the channel's limits: strict, shown to staff and visitors */
	call("PATCH", admin, 400, json_pack("{s:{s:[s]}}", "attachments", "types", "application/x-msdownload"), &r,
	     "/api/v1/channels/chat/%lld", channel2);
	assert_string_equal(error_field(&r), "attachments.types");
	resp_clear(&r);
	call("PATCH", admin, 400, json_pack("{s:{s:I}}", "attachments", "max_bytes", (json_int_t)1 << 40), &r,
	     "/api/v1/channels/chat/%lld", channel2);
	assert_string_equal(error_field(&r), "attachments.max_bytes");
	resp_clear(&r);
	call("PATCH", admin, 200, json_pack("{s:{s:i,s:[s,s],s:i}}", "attachments", "max_bytes", 1000, "types",
		"image/png", "text/plain", "per_chat", 3), &r, "/api/v1/channels/chat/%lld", channel2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "attachments"), "per_chat")), 3);
	resp_clear(&r);
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key2);
	json_t *limits = json_object_get(r.json, "attachments");
	assert_int_equal(json_integer_value(json_object_get(limits, "max_bytes")), 1000);
	assert_int_equal(json_array_size(json_object_get(limits, "types")), 2);
	resp_clear(&r);
	/* the visitor attaches a file; it is a message of the chat */
	char *v = visitor(key2, NULL), *stranger = visitor(key2, NULL);
	call("POST", v, 201, json_pack("{s:s}", "message", "a file for you"), &r, "/chat/v1/%s/chats", key2);
	long long chat = resp_int(&r, "id");
	resp_clear(&r);
	upload(v, key2, chat, "notes%20%C3%A9t%C3%A9.txt", "text/plain", "hello file\n", 11, 201, &r);
	json_t *att = json_object_get(r.json, "attachment");
	long long file = json_integer_value(json_object_get(att, "id")), message = resp_int(&r, "id");
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "inbound");
	assert_string_equal(json_string_value(json_object_get(att, "filename")), "notes \xc3\xa9t\xc3\xa9.txt");
	assert_string_equal(json_string_value(json_object_get(att, "content_type")), "text/plain");
	assert_int_equal(json_integer_value(json_object_get(att, "size")), 11);
	resp_clear(&r);
	/* its visitor downloads it; another visitor, another channel's token, another tenant cannot */
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/attachments/%lld", key2, chat, file);
	http_raw(&d, "GET", path, v, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.text, "hello file\n");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", path, stranger, NULL), 404);
	assert_int_equal(http_status(&d, "GET", path, NULL, NULL), 401);
	char *other = visitor(key, NULL);
	assert_int_equal(http_status(&d, "GET", path, other, NULL), 401);
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/attachments/%lld", key, chat, file);
	assert_int_equal(http_status(&d, "GET", path, other, NULL), 404);
	upload(stranger, key2, chat, "x.txt", "text/plain", "intruder", 8, 404, &r);
	resp_clear(&r);
	/* staff of the tenant read it as an email's; another tenant's do not */
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld", file);
	http_raw(&d, "GET", path, admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.text, "hello file\n");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", path, admin2, NULL), 404);
	upload(admin2, NULL, chat, "x.txt", "text/plain", "intruder", 8, 404, &r);
	resp_clear(&r);
	/* too big, a type the channel refuses, an executable named .png, nothing */
	char big[1001];
	memset(big, 'x', sizeof(big));
	upload(v, key2, chat, "big.txt", "text/plain", big, sizeof(big), 413, &r);
	assert_string_equal(error_field(&r), "file");
	resp_clear(&r);
	upload(v, key2, chat, "doc.pdf", "application/pdf", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15, 415, &r);
	assert_string_equal(error_field(&r), "file");
	resp_clear(&r);
	static const char exe[] = "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0";
	upload(v, key2, chat, "holiday.png", "image/png", exe, sizeof(exe) - 1, 415, &r);
	resp_clear(&r);
	upload(v, key2, chat, "empty.txt", "text/plain", "", 0, 400, &r);
	resp_clear(&r);
	/* a real PNG, whatever its declared type: stored as image/png */
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89";
	upload(v, key2, chat, "pic", "application/octet-stream", png, sizeof(png) - 1, 201, &r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "attachment"), "content_type")),
			    "image/png");
	resp_clear(&r);
	/* the agent holding the chat sends one; another agent may not */
	call("POST", bob, 200, NULL, &r, "/api/v1/contacts/%lld/accept", chat);
	resp_clear(&r);
	upload(agent, NULL, chat, "reply.txt", "text/plain", "from Bob", 8, 403, &r);
	resp_clear(&r);
	upload(bob, NULL, chat, "reply.txt", "text/plain", "from Bob", 8, 201, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "outbound");
	long long reply_file = json_integer_value(json_object_get(json_object_get(r.json, "attachment"), "id"));
	resp_clear(&r);
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/attachments/%lld", key2, chat, reply_file);
	http_raw(&d, "GET", path, v, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.text, "from Bob");
	resp_clear(&r);
	/* three a chat */
	upload(v, key2, chat, "more.txt", "text/plain", "more", 4, 409, &r);
	assert_string_equal(resp_error(&r), "too_many_attachments");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/attachments", chat);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
	resp_clear(&r);
	/* the visitor's stream carries the file on its message */
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/stream", key2, chat);
	assert_int_equal(sse_open_path(&vs, &d, path, v, 0), 200);
	next(&vs, "message", &ev);
	assert_null(json_object_get(ev.data, "attachment"));
	next(&vs, "message", &ev);
	assert_int_equal(ev.id, message);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(ev.data, "attachment"), "id")), file);
	sse_close(&vs);
	json_decref(ev.data);
	/* a channel that takes none */
	call("PATCH", admin, 200, json_pack("{s:{s:i}}", "attachments", "max_bytes", 0), &r, "/api/v1/channels/chat/%lld",
	     channel2);
	resp_clear(&r);
	upload(bob, NULL, chat, "late.txt", "text/plain", "late", 4, 403, &r);
	resp_clear(&r);
	free(v);
	free(stranger);
	free(other);
}

/* Bob, the only agent of the second channel, signs out while he holds a
 * chat: paused ("signed out"), he takes nothing more, so the widget must
 * not tell a visitor an expected wait of a few minutes with nobody there
 * (the last test: Bob's token is revoked). */
static void an_agent_gone_home_serves_no_chat(void **state)
{
	struct resp r;
	char *v = visitor(key2, NULL);
	call("POST", v, 201, json_pack("{s:s}", "message", "anyone there tonight?"), &r, "/chat/v1/%s/chats", key2);
	resp_clear(&r);
	call("GET", bob, 200, NULL, &r, "/api/v1/agents/me");
	json_t *held = json_object_get(json_object_get(r.json, "live"), "contacts"), *c;
	size_t i;
	json_array_foreach(held, i, c) {
		struct resp a;
		if (strcmp(json_string_value(json_object_get(c, "state")), "offered") != 0)
			continue;
		call("POST", bob, 200, NULL, &a, "/api/v1/contacts/%lld/accept",
		     (long long)json_integer_value(json_object_get(c, "contact_id")));
		resp_clear(&a);
	}
	resp_clear(&r);
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key2);
	assert_true(json_is_true(json_object_get(r.json, "open")));
	resp_clear(&r);
	call("POST", bob, 204, NULL, &r, "/api/v1/auth/logout");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/agents/%lld", bob_id);
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")), "paused"); /* holding the chat */
	resp_clear(&r);
	call("GET", NULL, 200, NULL, &r, "/chat/v1/%s/config", key2);
	assert_false(json_is_true(json_object_get(r.json, "open")));
	closed_is(&r, "agents");
	assert_true(json_is_null(json_object_get(r.json, "wait")));
	resp_clear(&r);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(channels_are_configured_and_kept_to_their_tenant),
		cmocka_unit_test(visitors_get_tokens_and_brands_vouch_for_customers),
		cmocka_unit_test(a_chat_waits_for_an_agent_and_is_closed_without_one),
		cmocka_unit_test(messages_are_kept_once_and_only_for_their_visitor),
		cmocka_unit_test(an_unverified_visitor_never_joins_a_verified_customers_chat),
		cmocka_unit_test(a_contact_says_whether_it_is_a_web_chat),
		cmocka_unit_test(the_conversation_is_live_both_ways),
		cmocka_unit_test(the_widget_shows_the_tenants_current_incidents),
		cmocka_unit_test(files_go_both_ways_within_the_channels_limits),
		cmocka_unit_test(the_browser_files_are_served_per_channel),
		cmocka_unit_test(a_chat_ends_is_rated_and_sent_by_email),
		cmocka_unit_test(a_message_left_when_closed_becomes_an_email_contact),
		cmocka_unit_test(a_visitor_past_its_allowance_waits),
		cmocka_unit_test(the_cli_manages_chats),
		cmocka_unit_test(an_agent_gone_home_serves_no_chat),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
