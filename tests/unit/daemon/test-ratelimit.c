/* The login throttle (src/daemon/ratelimit.c) against the attacks of issue
 * 12: evicting a victim's counter by volume (finding 4), and turning the
 * throttle into a lockout of the real user or of an office (finding 12).
 * The key is fixed so runs repeat; the clock is an argument. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "daemon/ratelimit.h"
#include "guichet/error.h"

#define FREE 5
#define T0 1000000000000LL /* some time in 2001, in ms */

static const unsigned char key[RATELIMIT_KEY_LEN] = "a fixed key for repeatable runs";

static int setup(void **state)
{
	ratelimit_init_key(key, FREE, 60);
	return 0;
}

/* begin: 0 when the attempt may go on, else the seconds to wait. */
static int attempt(const char *email, const char *address, int64_t now)
{
	int retry = -1;
	int rc = ratelimit_login_begin(email, address, now, &retry);
	if (rc == GC_OK)
		return 0;
	assert_int_equal(rc, GC_EBUSY);
	assert_true(retry >= 1);
	return retry;
}

/* An attempt whose password is wrong: 0 when it was let through (and
 * failed), else the seconds to wait. */
static int failing(const char *email, const char *address, int64_t now)
{
	int wait = attempt(email, address, now);
	if (wait == 0)
		ratelimit_login_failed(email, address, now);
	return wait;
}

static void login(const char *email, const char *address, int64_t now)
{
	assert_int_equal(attempt(email, address, now), 0);
	ratelimit_login_succeeded(email, address, now);
}

static void pair_delays_grow_and_success_resets(void **state)
{
	int64_t now = T0;
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("Victim@Brand.example", "192.0.2.1", now), 0);
	/* doubling from 2 s, each delay waited out, up to 15 minutes */
	int expected = 2;
	for (int i = 0; i < 14; i++) {
		assert_int_equal(attempt("victim@brand.example", "192.0.2.1", now), expected);
		now += (int64_t)expected * 1000 - 1;
		assert_int_equal(attempt("victim@brand.example", "192.0.2.1", now), 1);
		now += 1;
		assert_int_equal(attempt("victim@brand.example", "192.0.2.1", now), 0);
		expected = expected * 2 > 900 ? 900 : expected * 2;
	}
	assert_int_equal(attempt("victim@brand.example", "192.0.2.1", now), 900);
	/* another address is not slowed by this pair */
	assert_int_equal(attempt("victim@brand.example", "192.0.2.2", now), 0);
	ratelimit_login_succeeded("victim@brand.example", "192.0.2.2", now);
	/* a success clears the pair */
	now += 900 * 1000;
	login("victim@brand.example", "192.0.2.1", now);
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("victim@brand.example", "192.0.2.1", now), 0);
	assert_int_equal(attempt("victim@brand.example", "192.0.2.1", now), 2);
}

static void parallel_guesses_are_counted_before_the_check(void **state)
{
	/* FREE attempts in flight at once (the password checks not yet done):
	 * the next is refused, not let through to guess in parallel */
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("victim@brand.example", "192.0.2.1", T0), 0);
	assert_true(attempt("victim@brand.example", "192.0.2.1", T0) > 0);
	/* attempts never judged (the pool was full) are given back */
	for (int i = 0; i < FREE; i++)
		ratelimit_login_refund("victim@brand.example", "192.0.2.1", T0);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(attempt("victim@brand.example", "192.0.2.1", T0), 0);
		ratelimit_login_refund("victim@brand.example", "192.0.2.1", T0);
	}
}

/* A shift starting: 60 new hires behind the office's one address log in at
 * once, each password being checked while the others begin. None is
 * refused: their attempts are not failures of the address. A spray is
 * still slowed once its passwords are found wrong. */
static void a_shift_logging_in_at_once_is_not_a_spray(void **state)
{
	for (int i = 0; i < 60; i++) {
		char email[64];
		snprintf(email, sizeof(email), "hire%d@bpo.example", i);
		assert_int_equal(attempt(email, "203.0.113.9", T0), 0);
	}
	for (int i = 0; i < 60; i++) {
		char email[64];
		snprintf(email, sizeof(email), "hire%d@bpo.example", i);
		ratelimit_login_succeeded(email, "203.0.113.9", T0);
	}
	int refused = 0;
	for (int i = 0; i < 30; i++) {
		char email[64];
		snprintf(email, sizeof(email), "guess%d@bpo.example", i);
		refused += failing(email, "203.0.113.9", T0) > 0;
	}
	assert_int_equal(refused, 30 - 11);
}

/* A sprayer at a clean address sends a burst in parallel (all let through
 * before any password is judged, as a shift's logins are); once they have
 * failed, the address is slowed, and each further account is counted when
 * its attempt begins: one per wait, parallel or not. */
static void a_spray_gets_one_burst_then_one_account_per_wait(void **state)
{
	char email[64];
	for (int i = 0; i < 65; i++) {
		snprintf(email, sizeof(email), "burst%d@brand.example", i);
		assert_int_equal(attempt(email, "198.51.100.66", T0), 0);
	}
	for (int i = 0; i < 65; i++) {
		snprintf(email, sizeof(email), "burst%d@brand.example", i);
		ratelimit_login_failed(email, "198.51.100.66", T0);
	}
	int wait = attempt("next@brand.example", "198.51.100.66", T0);
	assert_true(wait > 0);
	int64_t now = T0 + (int64_t)wait * 1000;
	assert_int_equal(attempt("next@brand.example", "198.51.100.66", now), 0);
	assert_true(attempt("parallel@brand.example", "198.51.100.66", now) > 0); /* counted at its start */
}

static void volume_does_not_evict_a_live_counter(void **state)
{
	/* finding 4: the attacker makes many keys so that the victim's counter is
	 * dropped and its guesses start again from zero. 100,000 distinct emails
	 * from 100,000 distinct addresses (the table holds 16,384 pairs) */
	int64_t now = T0;
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("victim@brand.example", "198.51.100.7", now), 0);
	assert_int_equal(attempt("victim@brand.example", "198.51.100.7", now), 2);
	int through = 0;
	for (int i = 0; i < 100000; i++) {
		char email[64], address[64];
		snprintf(email, sizeof(email), "spray%d@evil.example", i);
		snprintf(address, sizeof(address), "2001:db8:%x:%x::1", i >> 16, i & 0xffff);
		through += attempt(email, address, now + 1) == 0;
	}
	assert_true(through > 16384); /* more keys than the table of pairs holds */
	assert_int_equal(attempt("victim@brand.example", "198.51.100.7", now + 1), 2);
	/* and once the attacker's entries have expired, new keys are counted again */
	now += 2 * 60 * 60 * 1000;
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("late@brand.example", "198.51.100.8", now), 0);
	assert_int_equal(attempt("late@brand.example", "198.51.100.8", now), 2);
}

static void spraying_an_office_spares_its_users(void **state)
{
	/* finding 12: failures from one address (an office's NAT) locked out
	 * every user behind it */
	int64_t now = T0;
	login("alice@brand.example", "203.0.113.5", now - 1000);
	int refused = 0;
	for (int i = 0; i < 100; i++) {
		char email[64];
		snprintf(email, sizeof(email), "user%d@brand.example", i);
		refused += failing(email, "203.0.113.5", now) > 0;
	}
	assert_int_equal(refused, 100 - 11); /* 10 accounts free, the 11th slowed after */
	/* accounts the address never logged into wait; alice, who did, does not */
	assert_true(attempt("bob@brand.example", "203.0.113.5", now) > 0);
	login("alice@brand.example", "203.0.113.5", now);
	/* the sprayer's delay grows with each account, up to 5 minutes */
	int max_wait = 0;
	for (int tried = 0; tried < 50;) {
		char email[64];
		snprintf(email, sizeof(email), "more%d@brand.example", tried);
		int wait = failing(email, "203.0.113.5", now);
		tried += wait == 0;
		max_wait = wait > max_wait ? wait : max_wait;
		now += (int64_t)wait * 1000;
	}
	assert_int_equal(max_wait, 300);
	assert_int_equal(attempt("bob@brand.example", "203.0.113.5", now), 300);
	login("alice@brand.example", "203.0.113.5", now);
	/* the office's other addresses are not touched */
	login("bob@brand.example", "203.0.113.6", now);
}

static void distributed_attack_spares_the_known_address(void **state)
{
	/* finding 12: 10 failures from anywhere locked the real user out everywhere */
	int64_t now = T0;
	login("victim@brand.example", "192.0.2.10", now - 1000);
	/* 250 addresses, each below its pair's free failures, waiting out each delay */
	int max_wait = 0, failed = 0;
	for (int a = 0; a < 250; a++) {
		char address[32];
		snprintf(address, sizeof(address), "10.%d.%d.1", a / 200, a % 200);
		for (int i = 0; i < 4; i++) {
			int wait = attempt("victim@brand.example", address, now);
			failed += wait == 0;
			max_wait = wait > max_wait ? wait : max_wait;
			now += (int64_t)wait * 1000;
		}
	}
	/* addresses that never logged in wait, up to 30 s and never more */
	assert_int_equal(max_wait, 30);
	assert_true(failed > 100);
	int wait = attempt("victim@brand.example", "198.51.100.99", now);
	if (wait > 0) {
		now += (int64_t)wait * 1000;
		assert_int_equal(attempt("victim@brand.example", "198.51.100.99", now), 0); /* and fails */
	}
	assert_int_equal(attempt("victim@brand.example", "198.51.100.99", now), 30);
	/* the user's own address is never slowed by the others' failures */
	login("victim@brand.example", "192.0.2.10", now);
	login("victim@brand.example", "192.0.2.10", now + 1);
}

static void ipv6_counts_by_slash_64(void **state)
{
	/* one subscriber has 2^64 addresses: a new one does not start afresh */
	for (int i = 0; i < FREE; i++) {
		char address[64];
		snprintf(address, sizeof(address), "2001:db8:1:2::%x", i + 1);
		assert_int_equal(attempt("victim@brand.example", address, T0), 0);
	}
	assert_true(attempt("victim@brand.example", "2001:db8:1:2:ffff::9", T0) > 0);
	assert_int_equal(attempt("victim@brand.example", "2001:db8:1:3::1", T0), 0);
	/* an IPv4-mapped address is its IPv4 address */
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("other@brand.example", "192.0.2.44", T0), 0);
	assert_true(attempt("other@brand.example", "::ffff:192.0.2.44", T0) > 0);
}

static void public_allowance_per_minute(void **state)
{
	int retry = 0;
	for (int i = 0; i < 60; i++)
		assert_true(ratelimit_public("192.0.2.1", T0, &retry));
	assert_false(ratelimit_public("192.0.2.1", T0 + 1000, &retry));
	assert_int_equal(retry, 60);
	assert_true(ratelimit_public("192.0.2.2", T0 + 1000, &retry));
	assert_true(ratelimit_public("192.0.2.1", T0 + 60 * 1000, &retry));
}

/* The web chat's allowances: per visitor, per address, a refused request
 * costs the visitor nothing, other kinds and visitors count apart, and the
 * next minute starts afresh. */
static void chat_allowances_per_visitor_and_address(void **state)
{
	int retry = 0;
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_keyed('o', "visitor-1", 3, "192.0.2.1", 5, 1000, &retry));
	assert_false(ratelimit_keyed('o', "visitor-1", 3, "192.0.2.1", 5, 2000, &retry));
	assert_int_equal(retry, 60);
	assert_true(ratelimit_keyed('m', "visitor-1", 3, "192.0.2.1", 5, 2000, &retry)); /* another kind */
	assert_true(ratelimit_keyed('o', "visitor-2", 3, "192.0.2.1", 5, 2000, &retry)); /* the address's 4th */
	assert_true(ratelimit_keyed('o', "visitor-3", 3, "192.0.2.1", 5, 2000, &retry)); /* its 5th */
	assert_false(ratelimit_keyed('o', "visitor-4", 3, "192.0.2.1", 5, 2000, &retry)); /* the address is spent */
	assert_true(ratelimit_keyed('o', "visitor-4", 3, "192.0.2.2", 5, 2000, &retry)); /* not visitor-4 */
	assert_true(ratelimit_keyed('o', NULL, 0, "192.0.2.3", 1, 2000, &retry));        /* by address alone */
	assert_false(ratelimit_keyed('o', NULL, 0, "192.0.2.3", 1, 2000, &retry));
	assert_true(ratelimit_keyed('o', "visitor-1", 3, "192.0.2.1", 5, 1000 + RATELIMIT_PUBLIC_WINDOW_MS, &retry));
}

/* What another node let through counts here, never refused: self-service
 * by address; the web chat by visitor and address, each kind apart. */
static void allowances_of_other_nodes_count_here(void **state)
{
	int retry = 0;
	for (int i = 0; i < 59; i++)
		ratelimit_counted_elsewhere('s', NULL, "192.0.2.1", T0);
	ratelimit_counted_elsewhere('s', NULL, "192.0.2.1", T0); /* past the allowance elsewhere: counted all the same */
	assert_false(ratelimit_public("192.0.2.1", T0 + 1000, &retry));
	assert_true(ratelimit_public("192.0.2.2", T0 + 1000, &retry));
	assert_true(ratelimit_public("192.0.2.1", T0 + 60 * 1000, &retry)); /* the next minute */
	ratelimit_counted_elsewhere('o', "visitor-1", "192.0.2.1", 1000);
	ratelimit_counted_elsewhere('o', "visitor-1", "192.0.2.1", 1000);
	assert_true(ratelimit_keyed('o', "visitor-1", 3, "192.0.2.1", 5, 1000, &retry)); /* its 3rd */
	assert_false(ratelimit_keyed('o', "visitor-1", 3, "192.0.2.1", 5, 1000, &retry));
	assert_true(ratelimit_keyed('m', "visitor-1", 3, "192.0.2.1", 5, 1000, &retry)); /* another kind */
	ratelimit_counted_elsewhere('o', NULL, "192.0.2.1", 1000);                      /* the address's 4th */
	assert_true(ratelimit_keyed('o', "visitor-2", 3, "192.0.2.1", 5, 1000, &retry)); /* its 5th */
	assert_false(ratelimit_keyed('o', "visitor-3", 3, "192.0.2.1", 5, 1000, &retry));
}

static void random_key(void **state)
{
	ratelimit_init(FREE, 60);
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("victim@brand.example", "192.0.2.1", T0), 0);
	assert_int_equal(attempt("victim@brand.example", "192.0.2.1", T0), 2);
}

/* A cluster's nodes share their outcomes (cluster.c): guesses spread over
 * two nodes are counted as one node counts them, and a success seen
 * elsewhere clears the pair and makes the address the account's here too,
 * giving back nothing it did not count. */
static void outcomes_of_other_nodes_count_here(void **state)
{
	int64_t now = T0;
	/* half the guesses here, half on another node: the pair waits after FREE in all */
	for (int i = 0; i < FREE; i++) {
		if (i % 2)
			assert_int_equal(failing("victim@brand.example", "198.51.100.7", now), 0);
		else
			ratelimit_login_failed_elsewhere("victim@brand.example", "198.51.100.7", now);
	}
	assert_int_equal(attempt("victim@brand.example", "198.51.100.7", now), 2);
	/* the other node sees the real user log in from that address: the pair is cleared here */
	ratelimit_login_succeeded_elsewhere("victim@brand.example", "198.51.100.7", now);
	for (int i = 0; i < FREE; i++)
		assert_int_equal(attempt("victim@brand.example", "198.51.100.7", now), 0);
	assert_int_equal(attempt("victim@brand.example", "198.51.100.7", now), 2);
	/* and the address is the account's: an attack on the account from
	 * elsewhere (its failures counted by the other node) does not slow it */
	now += 16 * 60 * 1000; /* the pair's last delay waited out */
	for (int i = 0; i < 40; i++) {
		char address[32];
		snprintf(address, sizeof(address), "203.0.113.%d", i + 1);
		ratelimit_login_failed_elsewhere("victim@brand.example", address, now);
	}
	assert_true(attempt("victim@brand.example", "203.0.113.200", now) > 0); /* a stranger waits */
	login("victim@brand.example", "198.51.100.7", now);                    /* the known address does not */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(pair_delays_grow_and_success_resets, setup),
		cmocka_unit_test_setup(parallel_guesses_are_counted_before_the_check, setup),
		cmocka_unit_test_setup(a_shift_logging_in_at_once_is_not_a_spray, setup),
		cmocka_unit_test_setup(a_spray_gets_one_burst_then_one_account_per_wait, setup),
		cmocka_unit_test_setup(volume_does_not_evict_a_live_counter, setup),
		cmocka_unit_test_setup(spraying_an_office_spares_its_users, setup),
		cmocka_unit_test_setup(distributed_attack_spares_the_known_address, setup),
		cmocka_unit_test_setup(outcomes_of_other_nodes_count_here, setup),
		cmocka_unit_test_setup(ipv6_counts_by_slash_64, setup),
		cmocka_unit_test_setup(public_allowance_per_minute, setup),
		cmocka_unit_test_setup(chat_allowances_per_visitor_and_address, setup),
		cmocka_unit_test_setup(allowances_of_other_nodes_count_here, setup),
		cmocka_unit_test(random_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
