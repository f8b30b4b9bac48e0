/* The IMAP IDLE watcher's pure decisions (src/channel/email/idle_plan.c):
 * which URLs a password may go to and how they split, when IDLE is
 * renewed (RFC 2177's 29 minutes), the reconnection backoff, and the poll
 * timeout. */
#include "channel/email/idle_plan.h"
#include "guichet/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

static void parses_imaps_urls(void **state)
{
	struct idle_server s;
	char why[200] = "";
	assert_int_equal(idle_server_parse("imaps://mail.brand.example/INBOX", &s, why, sizeof(why)), GC_OK);
	assert_string_equal(s.host, "mail.brand.example");
	assert_int_equal(s.port, 993);
	assert_true(s.tls);
	assert_string_equal(s.mailbox, "INBOX");

	assert_int_equal(idle_server_parse("IMAPS://mail.brand.example:1993", &s, why, sizeof(why)), GC_OK);
	assert_int_equal(s.port, 1993);
	assert_string_equal(s.mailbox, "INBOX"); /* none named */
	assert_int_equal(idle_server_parse("imaps://mail.brand.example/", &s, why, sizeof(why)), GC_OK);
	assert_string_equal(s.mailbox, "INBOX");

	/* percent-decoded, as libcurl reads the fetcher's URL */
	assert_int_equal(idle_server_parse("imaps://mail.brand.example/Support%20FR", &s, why, sizeof(why)), GC_OK);
	assert_string_equal(s.mailbox, "Support FR");
	/* user@ is passed over: the login is the mailbox's */
	assert_int_equal(idle_server_parse("imaps://bob@x@mail.brand.example:995/INBOX", &s, why, sizeof(why)), GC_OK);
	assert_string_equal(s.host, "mail.brand.example");
	assert_int_equal(s.port, 995);
	/* IPv6, brackets off */
	assert_int_equal(idle_server_parse("imaps://[2001:db8::1]:993/INBOX", &s, why, sizeof(why)), GC_OK);
	assert_string_equal(s.host, "2001:db8::1");
}

static void plain_imap_only_to_loopback(void **state)
{
	struct idle_server s;
	char why[200] = "";
	assert_int_equal(idle_server_parse("imap://127.0.0.1:1143/INBOX", &s, why, sizeof(why)), GC_OK);
	assert_false(s.tls);
	assert_int_equal(s.port, 1143);
	assert_int_equal(idle_server_parse("imap://localhost/INBOX", &s, why, sizeof(why)), GC_OK);
	assert_int_equal(s.port, 143);
	assert_int_equal(idle_server_parse("imap://[::1]:143", &s, why, sizeof(why)), GC_OK);
	assert_string_equal(s.host, "::1");

	memset(&s, 0x5a, sizeof(s));
	assert_int_equal(idle_server_parse("imap://mail.brand.example/INBOX", &s, why, sizeof(why)), GC_EINVAL);
	assert_non_null(strstr(why, "loopback"));
	assert_int_equal((unsigned char)s.host[0], 0x5a); /* nothing written on failure */
	assert_int_equal(idle_server_parse("imap://127.0.0.2/INBOX", &s, why, sizeof(why)), GC_EINVAL);
	assert_int_equal(idle_server_parse("imap://localhost.evil.example/", &s, why, sizeof(why)), GC_EINVAL);
}

static void refuses_bad_urls(void **state)
{
	struct idle_server s;
	char why[200] = "";
	static const char *const bad[] = {
		"pop3s://mail.brand.example", "mail.brand.example", "imaps://", "imaps:///INBOX",
		"imaps://mail.brand.example:0/", "imaps://mail.brand.example:65536/", "imaps://mail.brand.example:/",
		"imaps://mail.brand.example:99a/", "imaps://[2001:db8::1/INBOX", "imaps://[::1]x/INBOX",
		"imaps://mail.brand.example/IN%0ABOX", "imaps://mail.brand.example/IN%00BOX", "imaps://mail.brand.example/%4",
		"imaps://mail.brand.example/IN\rBOX",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (idle_server_parse(bad[i], &s, why, sizeof(why)) != GC_EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_true(why[0] != '\0');
	}
	char long_host[400] = "imaps://";
	memset(long_host + 8, 'a', 300);
	assert_int_equal(idle_server_parse(long_host, &s, why, sizeof(why)), GC_EINVAL);
}

static void renews_before_29_minutes(void **state)
{
	int64_t since = 1764600000000;
	assert_true(idle_renew_at(since) > since);
	assert_true(idle_renew_at(since) - since < 29 * 60 * 1000LL);
	assert_true(idle_renew_at(since) - since >= 20 * 60 * 1000LL); /* not needlessly often */
}

static void backoff_doubles_to_a_cap(void **state)
{
	int64_t prev = 0;
	for (int n = 1; n <= 40; n++) {
		int64_t base = n >= 10 ? IDLE_BACKOFF_MAX_MS : IDLE_BACKOFF_FIRST_MS << (n - 1);
		if (base > IDLE_BACKOFF_MAX_MS)
			base = IDLE_BACKOFF_MAX_MS;
		for (uint64_t seed = 0; seed < 50; seed++) {
			int64_t wait = idle_backoff_ms(n, seed);
			assert_true(wait >= base);
			assert_true(wait <= base + base / 10); /* at most a tenth spread */
		}
		assert_true(idle_backoff_ms(n, 7) >= prev); /* never shorter after one more failure */
		prev = idle_backoff_ms(n, 7);
	}
	assert_int_equal(idle_backoff_ms(1, 0), IDLE_BACKOFF_FIRST_MS);
	assert_true(idle_backoff_ms(1000000, 3) <= IDLE_BACKOFF_MAX_MS + IDLE_BACKOFF_MAX_MS / 10);
	/* the same mailbox waits the same; mailboxes of one server spread */
	assert_int_equal(idle_backoff_ms(5, 42), idle_backoff_ms(5, 42));
	int distinct = 0;
	for (uint64_t seed = 1; seed < 20; seed++)
		distinct += idle_backoff_ms(9, seed) != idle_backoff_ms(9, 0);
	assert_true(distinct > 10);
}

static void wait_until_deadline_capped(void **state)
{
	assert_int_equal(idle_wait_ms(1000, 1500, 2000), 500);
	assert_int_equal(idle_wait_ms(1000, 1000, 2000), 0);
	assert_int_equal(idle_wait_ms(1000, 900, 2000), 0);
	assert_int_equal(idle_wait_ms(1000, 1000 + IDLE_RENEW_MS, 2000), 2000);
	assert_int_equal(idle_wait_ms(0, INT64_MAX, 1000), 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_imaps_urls),
		cmocka_unit_test(plain_imap_only_to_loopback),
		cmocka_unit_test(refuses_bad_urls),
		cmocka_unit_test(renews_before_29_minutes),
		cmocka_unit_test(backoff_doubles_to_a_cap),
		cmocka_unit_test(wait_until_deadline_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
