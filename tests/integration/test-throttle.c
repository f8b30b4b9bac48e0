/* Login throttling through the real daemon (issue 12, findings 4, 12, 14):
 * the real user still logs in from their own address while other addresses
 * hammer the account; a flood of wrong passwords is answered 429 with a
 * growing Retry-After; X-Forwarded-For counts only from a trusted proxy;
 * a login flood beyond the hashing pool is answered 503 at once.
 *
 * Each client binds its own loopback source address (127.0.0.2, ...: the
 * whole 127/8 is local on Linux), so the daemon sees distinct peers. The
 * daemon trusts 127.0.0.1 as a proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ADMIN "admin@brand.example"
#define PASSWORD "correct horse"
#define WRONG "battery staple"

static struct daemon d;
static char *admin;

/* Creates a user (agent) in the admin's tenant. */
static void user(const char *email)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", email,
		  "name", "Test User", "password", PASSWORD, "role", "agent"), &r);
	assert_int_equal(r.status, 201);
	resp_clear(&r);
}

static int group_setup(void **state)
{
	if (daemon_init(&d, "brand", ADMIN, PASSWORD) != 0 ||
	    daemon_start(&d, "--trusted-proxy", "127.0.0.1", "--hash-threads", "1", "--hash-queue", "2",
			 NULL) != 0)
		return -1;
	admin = login(&d, ADMIN, PASSWORD);
	return 0;
}

static int group_teardown(void **state)
{
	free(admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

struct answer {
	int status;
	int retry_after; /* 0 when absent */
	char *body;
	size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	char *grown = realloc(a->body, a->len + size * n + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + a->len, ptr, size * n);
	a->body = grown;
	a->len += size * n;
	a->body[a->len] = '\0';
	return size * n;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	if (size * n > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0)
		a->retry_after = atoi(ptr + 12);
	return size * n;
}

/* A login request from source (a loopback address), with an
 * X-Forwarded-For header when xff is not NULL, ready for curl. */
static CURL *login_request(const char *source, const char *xff, const char *email, const char *password,
			   struct answer *a, struct curl_slist **ret_headers, char **ret_body)
{
	CURL *curl = curl_easy_init();
	char url[128], iface[64], h[256];
	snprintf(url, sizeof(url), "%s/api/v1/auth/login", d.url);
	snprintf(iface, sizeof(iface), "host!%s", source);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (xff) {
		snprintf(h, sizeof(h), "X-Forwarded-For: %s", xff);
		headers = curl_slist_append(headers, h);
	}
	json_t *body = json_pack("{s:s,s:s}", "email", email, "password", password);
	*ret_body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	memset(a, 0, sizeof(*a));
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_INTERFACE, iface);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, *ret_body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	*ret_headers = headers;
	return curl;
}

/* One login from source; the status, and the Retry-After in *ret_retry. */
static int login_from(const char *source, const char *xff, const char *email, const char *password,
		      int *ret_retry)
{
	struct answer a;
	struct curl_slist *headers;
	char *body;
	CURL *curl = login_request(source, xff, email, password, &a, &headers, &body);
	long status = 0;
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 429 && (a.body == NULL || strstr(a.body, "too_many_requests") == NULL))
		fail_msg("429 without its error code: %s", a.body ? a.body : "");
	if (ret_retry)
		*ret_retry = a.retry_after;
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	free(body);
	free(a.body);
	return (int)status;
}

static void the_user_logs_in_while_others_hammer_the_account(void **state)
{
	user("victim@brand.example");
	/* the real user logged in from their own address before */
	assert_int_equal(login_from("127.0.0.2", NULL, "victim@brand.example", PASSWORD, NULL), 200);
	/* one address hammers: its pair is slowed after 5 failures */
	for (int i = 0; i < 5; i++)
		assert_int_equal(login_from("127.0.0.3", NULL, "victim@brand.example", WRONG, NULL), 401);
	int retry = 0;
	assert_int_equal(login_from("127.0.0.3", NULL, "victim@brand.example", PASSWORD, &retry), 429);
	assert_true(retry >= 1);
	/* the real user is not (before the fix: 429 after 10 failures, from anywhere) */
	assert_int_equal(login_from("127.0.0.2", NULL, "victim@brand.example", PASSWORD, NULL), 200);
	/* many addresses share the guessing: the account slows addresses it does not know */
	int refused = 0;
	for (int a = 10; a < 40; a++) {
		char source[32];
		snprintf(source, sizeof(source), "127.0.0.%d", a);
		for (int i = 0; i < 3; i++) {
			int status = login_from(source, NULL, "victim@brand.example", WRONG, &retry);
			assert_true(status == 401 || (status == 429 && retry >= 1 && retry <= 30));
			refused += status == 429;
		}
	}
	assert_true(refused > 0);
	int status = login_from("127.0.0.99", NULL, "victim@brand.example", PASSWORD, &retry);
	assert_int_equal(status, 429);
	assert_true(retry >= 1 && retry <= 30);
	/* and still never the address the user logs in from */
	assert_int_equal(login_from("127.0.0.2", NULL, "victim@brand.example", PASSWORD, NULL), 200);
}

static void a_flood_waits_longer_and_longer(void **state)
{
	user("flooded@brand.example");
	for (int i = 0; i < 5; i++)
		assert_int_equal(login_from("127.0.0.50", NULL, "flooded@brand.example", WRONG, NULL), 401);
	int last = 0;
	for (int round = 0; round < 3; round++) {
		int retry = 0;
		assert_int_equal(login_from("127.0.0.50", NULL, "flooded@brand.example", WRONG, &retry), 429);
		/* refused attempts do not check the password, nor count */
		assert_int_equal(login_from("127.0.0.50", NULL, "flooded@brand.example", PASSWORD, NULL), 429);
		assert_true(retry > last);
		last = retry;
		sleep((unsigned)retry);
		assert_int_equal(login_from("127.0.0.50", NULL, "flooded@brand.example", WRONG, NULL), 401);
	}
	assert_true(last >= 4);
	/* the same account from another address is not slowed */
	assert_int_equal(login_from("127.0.0.51", NULL, "flooded@brand.example", PASSWORD, NULL), 200);
}

static void forwarded_for_is_ignored_from_an_untrusted_peer(void **state)
{
	/* a client that names a new address each time is still one client */
	user("untrusted@brand.example");
	for (int i = 0; i < 5; i++) {
		char xff[32];
		snprintf(xff, sizeof(xff), "203.0.113.%d", i + 1);
		assert_int_equal(login_from("127.0.0.60", xff, "untrusted@brand.example", WRONG, NULL), 401);
	}
	assert_int_equal(login_from("127.0.0.60", "203.0.113.77", "untrusted@brand.example", WRONG, NULL), 429);
}

static void forwarded_for_is_used_from_a_trusted_proxy(void **state)
{
	user("proxied@brand.example");
	/* behind the proxy, one client fails: it is slowed, the next is not */
	for (int i = 0; i < 5; i++)
		assert_int_equal(login_from("127.0.0.1", "203.0.113.10", "proxied@brand.example", WRONG, NULL), 401);
	assert_int_equal(login_from("127.0.0.1", "203.0.113.10", "proxied@brand.example", WRONG, NULL), 429);
	assert_int_equal(login_from("127.0.0.1", "203.0.113.11", "proxied@brand.example", PASSWORD, NULL), 200);
	/* what the client wrote left of the proxy's entry is not believed */
	assert_int_equal(login_from("127.0.0.1", "203.0.113.12, 203.0.113.10", "proxied@brand.example", WRONG,
				    NULL), 429);
	/* the proxy itself, without a header, is one more client */
	assert_int_equal(login_from("127.0.0.1", NULL, "proxied@brand.example", PASSWORD, NULL), 200);
}

static void a_login_flood_past_the_pool_is_answered_503(void **state)
{
	/* one hashing thread, two waiting: twenty logins at once from twenty
	 * addresses (no throttle involved) overflow it */
	enum { N = 20 };
	CURLM *multi = curl_multi_init();
	CURL *easy[N];
	struct answer a[N];
	struct curl_slist *headers[N];
	char *bodies[N];
	for (int i = 0; i < N; i++) {
		char source[32], email[64];
		snprintf(source, sizeof(source), "127.0.1.%d", i + 1);
		snprintf(email, sizeof(email), "nobody%d@brand.example", i);
		easy[i] = login_request(source, NULL, email, WRONG, &a[i], &headers[i], &bodies[i]);
		curl_multi_add_handle(multi, easy[i]);
	}
	for (int running = 1; running;) {
		curl_multi_perform(multi, &running);
		if (running)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	int busy = 0, refused = 0;
	for (int i = 0; i < N; i++) {
		long status = 0;
		curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
		assert_true(status == 401 || status == 503);
		if (status == 503) {
			busy++;
			assert_true(a[i].retry_after >= 1);
			assert_non_null(strstr(a[i].body, "\"busy\""));
		}
		refused += status == 401;
		curl_multi_remove_handle(multi, easy[i]);
		curl_easy_cleanup(easy[i]);
		curl_slist_free_all(headers[i]);
		free(bodies[i]);
		free(a[i].body);
	}
	curl_multi_cleanup(multi);
	assert_true(busy > 0);
	assert_true(refused >= 1);
	/* the pool drained: a login works again */
	assert_int_equal(login_from("127.0.1.99", NULL, ADMIN, PASSWORD, NULL), 200);
}

int main(void)
{
	/* the hashing pool overflows only if a hash takes OWASP's time: this
	 * program, its daemon and its CLI hash at the real cost (scripts/run-tests
	 * asks the others for cheap hashes) */
	unsetenv("GUICHET_TEST_CHEAP_HASHES");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_user_logs_in_while_others_hammer_the_account),
		cmocka_unit_test(a_flood_waits_longer_and_longer),
		cmocka_unit_test(forwarded_for_is_ignored_from_an_untrusted_peer),
		cmocka_unit_test(forwarded_for_is_used_from_a_trusted_proxy),
		cmocka_unit_test(a_login_flood_past_the_pool_is_answered_503),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
