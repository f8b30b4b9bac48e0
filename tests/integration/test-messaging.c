/* SMS and social messages end to end, on the run's engine, against the real
 * daemon and a provider stand-in (provider.c, a real HTTP server on
 * loopback): the channels' API keeps its secret and its tenant; a signed
 * Twilio webhook creates the customer and the contact, a missing or wrong
 * signature gets 401 and stores nothing, a replay changes nothing, a second
 * SMS joins the open contact; the agent's reply reaches the stand-in with
 * Twilio's fields and basic auth, a 500 is tried again after the backoff
 * and then delivered, a 400 is not tried again; a status callback marks it
 * delivered; the generic JSON provider, signed both ways, with its
 * receipts; another tenant sees none of it; numbers in E.164 in the
 * tenant's country: a callback and an SMS of one number are one customer;
 * the customer's answer brings a contact left waiting on them back to an agent. */
#include "harness.h"
#include "provider.h"
#include "channel/messaging/generic.h"
#include "channel/messaging/twilio.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASSWORD "messaging pass"
#define RETRY_MS 300
#define CUSTOMER "+15551234567"

static struct daemon d;
static struct provider prov;
static char *admin, *other;
static long long queue;
static char sms_key[64], sms_hook[512];
static long long sms_channel, sms_contact;

static int setup(void **state)
{
	if (provider_start(&prov) != 0)
		return -1;
	char retry[16];
	snprintf(retry, sizeof(retry), "%d", RETRY_MS);
	if (daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--messaging-retry", retry, NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	other = login(&d, "admin@other.example", PASSWORD);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "sms"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "sms", "skill_id",
		(json_int_t)skill, "channel", "sms"));
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other);
	int rc = daemon_stop(&d); /* a clean exit: no leak, no sanitizer's report */
	daemon_cleanup(&d);
	provider_stop(&prov);
	return rc == 0 ? 0 : -1;
}

/* POSTs body to path with a content type and up to two more header lines (NULL: none). */
static void post_hook(const char *path, const char *content_type, const char *h1, const char *h2, const char *body,
		      struct resp *ret)
{
	char type[128], line1[256], line2[256];
	snprintf(type, sizeof(type), "%s", content_type);
	snprintf(line1, sizeof(line1), "%s", h1 ? h1 : "X-Nothing: 1");
	snprintf(line2, sizeof(line2), "%s", h2 ? h2 : "X-Nothing-Else: 1");
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;
	char url[600], h[300];
	snprintf(url, sizeof(url), "%s%s", d.url, path);
	snprintf(h, sizeof(h), "Content-Type: %s", type);
	headers = curl_slist_append(headers, h);
	headers = curl_slist_append(headers, line1);
	headers = curl_slist_append(headers, line2);
	headers = curl_slist_append(headers, "Expect:");
	FILE *out = NULL;
	char *text = NULL;
	size_t len = 0;
	out = open_memstream(&text, &len);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	memset(ret, 0, sizeof(*ret));
	if (curl_easy_perform(curl) == CURLE_OK) {
		long status = 0;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		ret->status = (int)status;
	}
	fclose(out);
	ret->text = text;
	ret->json = json_loads(text, 0, NULL);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
}

/* A Twilio webhook: form body, signed with token for url unless sign is false (then a wrong signature, or none). */
static void twilio_post(const char *token, const char *url, const char *path, const char *body, int sign,
			struct resp *ret)
{
	struct msg_form f;
	assert_int_equal(msg_form_parse(body, strlen(body), &f), 0);
	char sig[TWILIO_SIGNATURE_LEN], header[128];
	assert_int_equal(twilio_signature(sign > 0 ? token : "not the token", url, &f, sig), 0);
	msg_form_clear(&f);
	snprintf(header, sizeof(header), "X-Twilio-Signature: %s", sig);
	post_hook(path, "application/x-www-form-urlencoded", sign >= 0 ? header : NULL, NULL, body, ret);
}

static void sms_in(const char *body, int sign, struct resp *ret)
{
	twilio_post("tw-token", sms_hook, sms_key, body, sign, ret);
}

static int count_items(const char *path, const char *token)
{
	struct resp r;
	http_expect(&d, "GET", token, 200, NULL, &r, "%s", path);
	int n = (int)json_array_size(json_object_get(r.json, "items"));
	resp_clear(&r);
	return n;
}

/* The channels' API: made with its webhook's URL, the secret never shown, bad input refused. */
static void channels_api(void **state)
{
	struct resp r;
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "name", "sms", "provider", "twilio", "kind",
				 "sms", "public_url", d.url, "api_url", prov.url, "account", "AC0001", "address",
				 "+15550001111", "secret", "tw-token", "queue_id", (json_int_t)queue);
	http_expect(&d, "POST", admin, 201, body, &r, "/api/v1/channels/messaging");
	sms_channel = resp_int(&r, "id");
	assert_null(strstr(r.text, "tw-token"));
	assert_null(json_object_get(r.json, "secret"));
	const char *key = json_string_value(json_object_get(r.json, "public_key"));
	assert_non_null(key);
	snprintf(sms_key, sizeof(sms_key), "/hooks/v1/messaging/%s", key);
	snprintf(sms_hook, sizeof(sms_hook), "%s%s", d.url, sms_key);
	assert_string_equal(json_string_value(json_object_get(r.json, "webhook_url")), sms_hook);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/messaging/%lld", sms_channel);
	assert_null(strstr(r.text, "tw-token"));
	resp_clear(&r);
	assert_int_equal(count_items("/api/v1/channels/messaging", admin), 1);
	/* refused: an unknown provider, a URL in clear to another host, a missing secret */
	http_expect(&d, "POST", admin, 400, json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "x", "provider", "carrier",
		    "public_url", d.url, "address", "+1555", "secret", "s"), &r, "/api/v1/channels/messaging");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "provider");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 400, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name", "x", "provider", "generic",
		    "public_url", "http://example.com", "api_url", prov.url, "address", "@shop", "secret", "s"), &r,
		    "/api/v1/channels/messaging");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "public_url");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 400, json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "x", "provider", "twilio",
		    "public_url", d.url, "address", "+1555", "account", "AC1"), &r, "/api/v1/channels/messaging");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "secret");
	resp_clear(&r);
	/* a second one, renamed, then removed */
	long long spare = post_id(&d, admin, "/api/v1/channels/messaging", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
				  "name", "spare", "provider", "generic", "public_url", d.url, "api_url", prov.url,
				  "address", "@shop", "secret", "g"));
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:s}", "name", "spare2"), &r, "/api/v1/channels/messaging/%lld",
		    spare);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "spare2");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 400, json_pack("{s:s}", "provider", "twilio"), &r,
		    "/api/v1/channels/messaging/%lld", spare);
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/messaging/%lld", spare);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 404, NULL, &r, "/api/v1/channels/messaging/%lld", spare);
	resp_clear(&r);
}

/* Unsigned, wrongly signed: 401 and nothing stored; signed: the customer and the contact. */
static void twilio_inbound(void **state)
{
	const char *first = "MessageSid=SMin1&AccountSid=AC0001&From=%2B1+555+123+4567&To=%2B15550001111"
			    "&Body=My+parcel+is+late&NumMedia=0";
	struct resp r;
	sms_in(first, -1, &r);
	assert_int_equal(r.status, 401);
	resp_clear(&r);
	sms_in(first, 0, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(resp_error(&r), "bad_signature");
	resp_clear(&r);
	assert_int_equal(count_items("/api/v1/contacts", admin), 0);
	assert_int_equal(count_items("/api/v1/customers", admin), 0);
	/* signed for another URL (a proxy's Host): refused too */
	twilio_post("tw-token", "https://elsewhere.example/hooks", sms_key, first, 1, &r);
	assert_int_equal(r.status, 401);
	resp_clear(&r);
	sms_in(first, 1, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.text, "<Response/>"));
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts");
	json_t *items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 1);
	sms_contact = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "channel")), "sms");
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/customers");
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "phone")), CUSTOMER);
	resp_clear(&r);
	/* Twilio's retry of the same message: 200, nothing new */
	sms_in(first, 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	/* a second SMS from the same number joins the open contact */
	sms_in("MessageSid=SMin2&From=%2B15551234567&To=%2B15550001111&Body=Any+news%3F", 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	assert_int_equal(count_items("/api/v1/contacts", admin), 1);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", sms_contact);
	json_t *messages = json_object_get(r.json, "messages");
	assert_int_equal(json_array_size(messages), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 1), "body")), "Any news?");
	resp_clear(&r);
	assert_int_equal(count_items("/api/v1/customers", admin), 1);
	/* a body over 64 KiB is refused before it is read */
	char *big = malloc(70 * 1024);
	assert_non_null(big);
	memset(big, 'a', 70 * 1024 - 1);
	memcpy(big, "Body=", 5);
	big[70 * 1024 - 1] = '\0';
	sms_in(big, 1, &r);
	assert_int_equal(r.status, 413);
	resp_clear(&r);
	free(big);
	assert_int_equal(count_items("/api/v1/contacts", admin), 1);
	/* an unknown key: 404 */
	post_hook("/hooks/v1/messaging/nosuchkey", "application/x-www-form-urlencoded", NULL, NULL, "a=1", &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
}

/* The contact's outbound message through channels, the newest: its row. */
static json_t *last_outbound(long long contact, const char *token)
{
	struct resp r;
	http_expect(&d, "GET", token, 200, NULL, &r, "/api/v1/contacts/%lld/messaging", contact);
	json_t *items = json_object_get(r.json, "items"), *found = NULL;
	for (size_t i = json_array_size(items); i-- > 0 && found == NULL;)
		if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "direction")), "outbound") == 0)
			found = json_incref(json_array_get(items, i));
	resp_clear(&r);
	return found;
}

/* Waits until the newest outbound message of contact is in state (10 s at most). */
static json_t *wait_state(long long contact, const char *state)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	for (int i = 0; i < 200; i++) {
		json_t *m = last_outbound(contact, admin);
		if (m && strcmp(json_string_value(json_object_get(m, "state")), state) == 0)
			return m;
		json_decref(m);
		nanosleep(&tick, NULL);
	}
	json_t *m = last_outbound(contact, admin);
	fprintf(stderr, "still not %s: %s\n", state, m ? json_dumps(m, 0) : "no message");
	fail();
	return NULL;
}

static void reply(long long contact, const char *text)
{
	struct resp r;
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:s}", "direction", "outbound", "body", text), &r,
		    "/api/v1/contacts/%lld/messages", contact);
	resp_clear(&r);
}

/* The reply reaches the stand-in, a 500 is tried again after the backoff, then a status callback. */
static void twilio_outbound_retry_and_receipt(void **state)
{
	int before = provider_count(&prov);
	int script[] = {500};
	provider_script(&prov, script, 1);
	reply(sms_contact, "It left today & arrives soon");
	assert_true(provider_wait(&prov, before + 2, 10000));
	struct provider_request first = provider_get(&prov, before), second = provider_get(&prov, before + 1);
	assert_int_equal(first.status, 500);
	assert_int_equal(second.status, 201);
	assert_true(second.at_ms - first.at_ms >= RETRY_MS - 20);
	assert_string_equal(second.path, "/2010-04-01/Accounts/AC0001/Messages.json");
	char basic[128], want[160];
	sodium_bin2base64(basic, sizeof(basic), (const unsigned char *)"AC0001:tw-token", 15, sodium_base64_VARIANT_ORIGINAL);
	snprintf(want, sizeof(want), "Basic %s", basic);
	assert_string_equal(second.authorization, want);
	assert_string_equal(second.content_type, "application/x-www-form-urlencoded");
	struct msg_form f;
	assert_int_equal(msg_form_parse(second.body, strlen(second.body), &f), 0);
	assert_string_equal(msg_form_get(&f, "To"), CUSTOMER);
	assert_string_equal(msg_form_get(&f, "From"), "+15550001111");
	assert_string_equal(msg_form_get(&f, "Body"), "It left today & arrives soon");
	assert_string_equal(msg_form_get(&f, "StatusCallback"), sms_hook);
	msg_form_clear(&f);
	json_t *m = wait_state(sms_contact, "sent");
	assert_string_equal(json_string_value(json_object_get(m, "provider_id")), second.id);
	assert_int_equal(json_integer_value(json_object_get(m, "attempts")), 2);
	json_decref(m);
	/* Twilio's status callback, signed like the webhook */
	char body[256];
	struct resp r;
	snprintf(body, sizeof(body), "MessageSid=%s&MessageStatus=delivered&AccountSid=AC0001&To=%%2B15551234567",
		 second.id);
	sms_in(body, 0, &r);
	assert_int_equal(r.status, 401);
	resp_clear(&r);
	m = last_outbound(sms_contact, admin);
	assert_string_equal(json_string_value(json_object_get(m, "state")), "sent");
	json_decref(m);
	sms_in(body, 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	m = last_outbound(sms_contact, admin);
	assert_string_equal(json_string_value(json_object_get(m, "state")), "delivered");
	json_decref(m);
	/* a late "sent" does not take it back */
	snprintf(body, sizeof(body), "MessageSid=%s&MessageStatus=sent", second.id);
	sms_in(body, 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	m = last_outbound(sms_contact, admin);
	assert_string_equal(json_string_value(json_object_get(m, "state")), "delivered");
	json_decref(m);
	/* a note is not sent */
	int now = provider_count(&prov);
	http_expect(&d, "POST", admin, 201, json_pack("{s:s}", "body", "internal"), &r, "/api/v1/contacts/%lld/notes",
		    sms_contact);
	resp_clear(&r);
	struct timespec wait = {0, (RETRY_MS * 2) * 1000 * 1000};
	nanosleep(&wait, NULL);
	assert_int_equal(provider_count(&prov), now);
}

/* A 400 fails at once, with the provider's message, and is not tried again. */
static void twilio_outbound_refused(void **state)
{
	int before = provider_count(&prov);
	int script[] = {400};
	provider_script(&prov, script, 1);
	reply(sms_contact, "To a number that cannot take it");
	assert_true(provider_wait(&prov, before + 1, 10000));
	json_t *m = wait_state(sms_contact, "failed");
	assert_int_equal(json_integer_value(json_object_get(m, "attempts")), 1);
	assert_non_null(strstr(json_string_value(json_object_get(m, "last_error")), "stand-in refuses with 400"));
	json_decref(m);
	struct timespec wait = {0, (RETRY_MS * 3) * 1000 * 1000};
	nanosleep(&wait, NULL);
	assert_int_equal(provider_count(&prov), before + 1);
	/* the agent sees why, in a note */
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", sms_contact);
	assert_non_null(strstr(r.text, "could not be sent"));
	/* the provider's words name the customer's number: masked in the note and
	 * the message's error, read by whoever reads the contact (an outsourced agent
	 * may not see a number) */
	assert_non_null(strstr(r.text, "the 'To' number +*********67 is not"));
	assert_null(strstr(r.text, "+15551234567"));
	resp_clear(&r);
	m = wait_state(sms_contact, "failed");
	assert_null(strstr(json_string_value(json_object_get(m, "last_error")), "+15551234567"));
	json_decref(m);
}

/* The generic JSON provider: signed with a timestamp, a social account, replies signed the same way, receipts. */
static void generic_provider(void **state)
{
	struct resp r;
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name", "social", "provider", "generic", "kind",
				 "social", "public_url", d.url, "api_url", prov.url, "address", "@shop", "secret", "gen-secret");
	http_expect(&d, "POST", admin, 201, body, &r, "/api/v1/channels/messaging");
	char path[128];
	snprintf(path, sizeof(path), "/hooks/v1/messaging/%s", json_string_value(json_object_get(r.json, "public_key")));
	resp_clear(&r);
	const char *msg = "{\"id\":\"g-1\",\"from\":\"@ana\",\"to\":\"@shop\",\"text\":\"Hello shop\",\"timestamp\":1,"
			  "\"name\":\"Ana\"}";
	char stamp[32], old[32], sig[GENERIC_SIGNATURE_LEN], h1[64], h2[128];
	snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
	snprintf(old, sizeof(old), "%lld", (long long)time(NULL) - 600);
	/* ten minutes old: refused, though well signed */
	generic_signature("gen-secret", old, msg, strlen(msg), sig);
	snprintf(h1, sizeof(h1), "X-Guichet-Timestamp: %s", old);
	snprintf(h2, sizeof(h2), "X-Guichet-Signature: %s", sig);
	post_hook(path, "application/json", h1, h2, msg, &r);
	assert_int_equal(r.status, 401);
	resp_clear(&r);
	int contacts = count_items("/api/v1/contacts", admin);
	generic_signature("gen-secret", stamp, msg, strlen(msg), sig);
	snprintf(h1, sizeof(h1), "X-Guichet-Timestamp: %s", stamp);
	snprintf(h2, sizeof(h2), "X-Guichet-Signature: %s", sig);
	post_hook(path, "application/json", h1, h2, msg, &r);
	assert_int_equal(r.status, 200);
	long long contact = resp_int(&r, "contact_id");
	assert_true(contact > 0);
	resp_clear(&r);
	assert_int_equal(count_items("/api/v1/contacts", admin), contacts + 1);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_string_equal(json_string_value(json_object_get(r.json, "channel")), "social");
	resp_clear(&r);
	/* the reply, signed */
	int before = provider_count(&prov);
	reply(contact, "Hello Ana");
	assert_true(provider_wait(&prov, before + 1, 10000));
	struct provider_request out = provider_get(&prov, before);
	assert_string_equal(out.content_type, "application/json");
	assert_true(generic_signature_ok("gen-secret", out.timestamp, out.signature, out.body, strlen(out.body),
					 (int64_t)time(NULL) * 1000));
	json_t *sent = json_loads(out.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(sent, "to")), "@ana");
	assert_string_equal(json_string_value(json_object_get(sent, "from")), "@shop");
	assert_string_equal(json_string_value(json_object_get(sent, "text")), "Hello Ana");
	json_decref(sent);
	json_decref(wait_state(contact, "sent"));
	/* its receipt */
	char receipt[128];
	snprintf(receipt, sizeof(receipt), "{\"type\":\"receipt\",\"id\":\"%s\",\"status\":\"delivered\"}", out.id);
	generic_signature("gen-secret", stamp, receipt, strlen(receipt), sig);
	snprintf(h2, sizeof(h2), "X-Guichet-Signature: %s", sig);
	post_hook(path, "application/json", h1, h2, receipt, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	json_t *m = last_outbound(contact, admin);
	assert_string_equal(json_string_value(json_object_get(m, "state")), "delivered");
	json_decref(m);
}

/* Another tenant's staff: no channel, no contact's messages. */
static void other_tenant(void **state)
{
	struct resp r;
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/channels/messaging/%lld", sms_channel);
	resp_clear(&r);
	http_expect(&d, "PATCH", other, 404, json_pack("{s:s}", "name", "mine"), &r, "/api/v1/channels/messaging/%lld",
		    sms_channel);
	resp_clear(&r);
	http_expect(&d, "DELETE", other, 404, NULL, &r, "/api/v1/channels/messaging/%lld", sms_channel);
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/contacts/%lld/messaging", sms_contact);
	resp_clear(&r);
	assert_int_equal(count_items("/api/v1/channels/messaging", other), 0);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/messaging/%lld", sms_channel);
	resp_clear(&r);
}

/* The customer's number in a contact's messages is personal data: whole
 * for the admin, masked for a role that may not see it (an author). */
static void the_peer_as_the_reader_may_see_it(void **state)
{
	struct resp r;
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "author@brand.example", "name",
		"Author", "password", PASSWORD, "role", "author"));
	char *author = login(&d, "author@brand.example", PASSWORD);
	char whole[64];
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/messaging", sms_contact);
	snprintf(whole, sizeof(whole), "%s", json_string_value(json_object_get(json_array_get(json_object_get(r.json,
		"items"), 0), "peer")));
	resp_clear(&r);
	assert_true(strlen(whole) > 4 && strchr(whole, '*') == NULL);
	http_expect(&d, "GET", author, 200, NULL, &r, "/api/v1/contacts/%lld/messaging", sms_contact);
	const char *masked = json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "peer"));
	assert_int_equal(strlen(masked), strlen(whole));
	assert_non_null(strstr(masked, "***"));
	assert_string_equal(masked + strlen(masked) - 2, whole + strlen(whole) - 2);
	resp_clear(&r);
	free(author);
}

/* The CLI: add (the secret from a file, never shown), list, show, remove; a missing option named. */
static void the_cli_manages_channels(void **state)
{
	char token_file[128], secret_file[128], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	snprintf(secret_file, sizeof(secret_file), "%s/cli-secret", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	f = fopen(secret_file, "w");
	assert_non_null(f);
	fprintf(f, "cli-auth-token\n");
	fclose(f);
	char q[24];
	snprintf(q, sizeof(q), "%lld", queue);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "messaging", "add", "--name", "cli",
				 "--provider", "twilio", "--public-url", d.url, "--address", "+15550002222", "--account",
				 "AC0002", "--api-url", prov.url, "--secret-file", secret_file, "--queue", q, NULL), 0);
	json_t *made = json_loads(out, 0, NULL);
	assert_non_null(made);
	assert_null(strstr(out, "cli-auth-token"));
	assert_string_equal(json_string_value(json_object_get(made, "kind")), "sms");
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(made, "id")));
	json_decref(made);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "messaging", "list", NULL), 0);
	assert_non_null(strstr(out, "+15550002222"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "messaging", "show", id, NULL), 0);
	assert_non_null(strstr(out, "/hooks/v1/messaging/"));
	assert_null(strstr(out, "cli-auth-token"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "messaging", "add", "--name", "x", NULL), 2);
	assert_non_null(strstr(err, "--provider"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "messaging", "remove", id, NULL), 0);
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "channel", "messaging", "show", id, NULL), 0);
	free(out);
	free(err);
}

/* The field an error answer names. */
static const char *error_field(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
}

/* Numbers in E.164, read in the tenant's country (its calendar's): a
 * callback asked for "06 12 34 56 78" and an SMS from +33612345678 are one
 * customer, found again as "06.12.34.56.78"; a number libphonenumber
 * cannot read is 400 naming the field where a person typed it (a callback,
 * a customer, a CSV row), and keeps its digits where a provider sent it. */
static void one_number_one_customer_in_the_tenants_country(void **state)
{
	struct resp r;
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s,s:s}", "zone", "Europe/Paris", "country", "XX"), &r,
		    "/api/v1/calendar");
	assert_string_equal(error_field(&r), "country");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s}", "zone", "Europe/Paris", "country", "fr"), &r,
		    "/api/v1/calendar");
	assert_string_equal(json_string_value(json_object_get(r.json, "country")), "FR");
	resp_clear(&r);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "calls"));
	long long calls = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "callbacks",
				  "skill_id", (json_int_t)skill, "channel", "phone"));
	http_expect(&d, "PUT", admin, 200, json_pack("{s:I}", "queue_id", (json_int_t)calls), &r,
		    "/api/v1/callbacks/settings");
	resp_clear(&r);
	/* numbers no one can call back: 400 naming phone, nothing written */
	const char *bad[] = {"06 12 34", "3615", "+33 6 12", "06 12 34 56 78 90"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_expect(&d, "POST", admin, 400, json_pack("{s:s}", "phone", bad[i]), &r, "/api/v1/callbacks");
		assert_string_equal(error_field(&r), "phone");
		resp_clear(&r);
	}
	assert_int_equal(count_items("/api/v1/callbacks", admin), 0);
	/* as dialled in France */
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:s}", "phone", "06 12 34 56 78", "name", "Ana"), &r,
		    "/api/v1/callbacks");
	assert_string_equal(json_string_value(json_object_get(r.json, "phone")), "+33612345678");
	long long callback_contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", callback_contact);
	long long customer = resp_int(&r, "customer_id");
	resp_clear(&r);
	/* the SMS from the same number, as the provider writes it: the same customer */
	sms_in("MessageSid=SMfr1&From=%2B33612345678&To=%2B15550001111&Body=Vous+me+rappelez%3F", 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts?customer_id=%lld", customer);
	json_t *items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	bool sms = false;
	for (size_t i = 0; i < json_array_size(items); i++)
		sms |= strcmp(json_string_value(json_object_get(json_array_get(items, i), "channel")), "sms") == 0;
	assert_true(sms);
	resp_clear(&r);
	/* searched as typed: found */
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/customers?phone=06.12.34.56.78");
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), customer);
	resp_clear(&r);
	/* a short code libphonenumber cannot read: kept as its digits, the message taken */
	sms_in("MessageSid=SMfr2&From=36180&To=%2B15550001111&Body=Votre+code", 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/customers?phone=36180");
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "phone")), "+36180");
	resp_clear(&r);
	/* customers typed by staff, and a CSV of them */
	http_expect(&d, "POST", admin, 201, json_pack("{s:s,s:s}", "external_id", "FR-1", "phone", "0033 6 98 76 54 32"),
		    &r, "/api/v1/customers");
	assert_string_equal(json_string_value(json_object_get(r.json, "phone")), "+33698765432");
	long long fr1 = resp_int(&r, "id");
	resp_clear(&r);
	http_expect(&d, "POST", admin, 400, json_pack("{s:s,s:s}", "external_id", "FR-2", "phone", "06 98"), &r,
		    "/api/v1/customers");
	assert_string_equal(error_field(&r), "phone");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:s}", "phone", "01 23 45 67 89"), &r, "/api/v1/customers/%lld",
		    fr1);
	assert_string_equal(json_string_value(json_object_get(r.json, "phone")), "+33123456789");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 400, json_pack("{s:s}", "phone", "01 23"), &r, "/api/v1/customers/%lld", fr1);
	assert_string_equal(error_field(&r), "phone");
	resp_clear(&r);
	const char *csv = "external_id,phone\nFR-3,06 11 22 33 44\nFR-4,06 11\n";
	http_raw(&d, "POST", "/api/v1/customers/import", admin, NULL, "text/csv", csv, strlen(csv), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "inserted"), 1);
	json_t *rejected = json_object_get(r.json, "rejected");
	assert_int_equal(json_array_size(rejected), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rejected, 0), "line")), 3);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/customers?external_id=FR-3");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "phone")),
			    "+33611223344");
	resp_clear(&r);
	/* another tenant, with no country, reads only international forms */
	http_expect(&d, "POST", other, 400, json_pack("{s:s,s:s}", "external_id", "O-1", "phone", "06 12 34 56 78"), &r,
		    "/api/v1/customers");
	assert_string_equal(error_field(&r), "phone");
	assert_non_null(strstr(r.text, "names no country"));
	resp_clear(&r);
}

/* The contact's state, waited for among states (a space-separated list, 10 s at most). */
static void wait_contact_state(long long contact, const char *states)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	char state[64] = "";
	for (int i = 0; i < 200; i++) {
		struct resp r;
		http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
		snprintf(state, sizeof(state), " %s ", json_string_value(json_object_get(r.json, "state")));
		resp_clear(&r);
		char want[128];
		snprintf(want, sizeof(want), " %s ", states);
		if (strstr(want, state))
			return;
		nanosleep(&tick, NULL);
	}
	fail_msg("the contact is%snot one of: %s", state, states);
}

/* Accepts contact once it is offered to token's agent (10 s at most). */
static void accept_when_offered(const char *token, long long contact)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", contact);
	for (int i = 0; i < 200; i++) {
		if (http_status(&d, "POST", path, token, NULL) == 200)
			return;
		nanosleep(&tick, NULL);
	}
	fail_msg("contact %lld was never offered", contact);
}

/* A contact the agent left waiting on the customer comes back to the
 * queue, and to an agent, when the customer answers; a resolved one stays
 * resolved, the SMS starting a new contact (docs/messaging.md). */
static void a_customer_answer_brings_the_contact_back(void **state)
{
	struct resp r;
	/* a queue of its own, where no earlier test's contact waits ahead */
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "answers"));
	long long back = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "answers", "skill_id",
		(json_int_t)skill, "channel", "sms"));
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:I}", "queue_id", (json_int_t)back), &r,
		    "/api/v1/channels/messaging/%lld", sms_channel);
	resp_clear(&r);
	long long agent = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "sam@brand.example",
		"name", "Sam", "password", PASSWORD, "role", "agent"));
	http_expect(&d, "PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "tier", 1, "capacity", "sms", 1), &r, "/api/v1/agents/%lld", agent);
	resp_clear(&r);
	char *sam = login(&d, "sam@brand.example", PASSWORD);
	sms_in("MessageSid=SMback1&From=%2B15557654321&To=%2B15550001111&Body=Where+is+my+order%3F", 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts?limit=1");
	long long c = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
	resp_clear(&r);
	http_expect(&d, "POST", sam, 200, json_pack("{s:s}", "presence", "available"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
	accept_when_offered(sam, c);
	reply(c, "Could you give me the order number?");
	http_expect(&d, "POST", sam, 200, json_pack("{s:s}", "state", "waiting_on_customer"), &r,
		    "/api/v1/contacts/%lld/wrapup", c);
	resp_clear(&r);
	wait_contact_state(c, "waiting_on_customer");
	/* the answer: back in the queue, offered to Sam again */
	sms_in("MessageSid=SMback2&From=%2B15557654321&To=%2B15550001111&Body=It+is+A-1234", 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	wait_contact_state(c, "queued assigned");
	accept_when_offered(sam, c);
	http_expect(&d, "POST", sam, 200, json_pack("{s:s}", "disposition", "done"), &r, "/api/v1/contacts/%lld/wrapup", c);
	resp_clear(&r);
	wait_contact_state(c, "resolved");
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", c);
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 3);
	resp_clear(&r);
	/* resolved, an SMS starts a new contact (docs/messaging.md), offered as any other */
	sms_in("MessageSid=SMback3&From=%2B15557654321&To=%2B15550001111&Body=Still+nothing", 1, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts?limit=1");
	long long again = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
	resp_clear(&r);
	assert_true(again != c);
	wait_contact_state(c, "resolved");
	accept_when_offered(sam, again);
	c = again;
	http_expect(&d, "POST", sam, 200, json_pack("{s:s}", "disposition", "done"), &r, "/api/v1/contacts/%lld/wrapup", c);
	resp_clear(&r);
	http_expect(&d, "POST", sam, 200, json_pack("{s:s}", "presence", "offline"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:I}", "queue_id", (json_int_t)queue), &r,
		    "/api/v1/channels/messaging/%lld", sms_channel);
	resp_clear(&r);
	free(sam);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(channels_api),
		cmocka_unit_test(twilio_inbound),
		cmocka_unit_test(twilio_outbound_retry_and_receipt),
		cmocka_unit_test(twilio_outbound_refused),
		cmocka_unit_test(generic_provider),
		cmocka_unit_test(other_tenant),
		cmocka_unit_test(the_peer_as_the_reader_may_see_it),
		cmocka_unit_test(the_cli_manages_channels),
		cmocka_unit_test(one_number_one_customer_in_the_tenants_country),
		cmocka_unit_test(a_customer_answer_brings_the_contact_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
