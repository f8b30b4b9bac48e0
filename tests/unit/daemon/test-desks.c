/* The agents' open desks (src/daemon/desks.c): a desk is open while one of
 * the agent's streams is, here or (reported within a few seconds) on
 * another node; one seen open and closed since the grace is gone, and
 * stays so (tried again) until forgotten; one closed between two rounds is
 * still told to the other nodes once; while the other nodes cannot be
 * heard, every desk counts as seen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/desks.h"
#include "guichet/clock.h"

#define GRACE 2000

static void count(void *arg, int64_t tenant_id, int64_t user_id)
{
	(*(int *)arg)++;
}

static int told(struct desks *d, int64_t now)
{
	int n = 0;
	desks_each_here(d, now, count, &n);
	return n;
}

static void open_while_a_stream_is(void **state)
{
	struct desks *d = desks_new();
	int64_t now = gc_now_ms();
	struct desk_key gone[4];
	desks_open(d, 1, 7);
	desks_open(d, 1, 7); /* two windows */
	desks_open(d, 2, 7); /* the same person in another tenant: another desk */
	assert_int_equal(told(d, now), 2);
	desks_close(d, 1, 7);
	desks_close(d, 2, 7);
	desks_close(d, 3, 9); /* never opened: nothing */
	now = gc_now_ms(); /* the closes' own clock read may be later than the first (a loaded machine) */
	assert_int_equal(desks_gone(d, now + GRACE + 10, GRACE, gone, 4), 1); /* tenant 2's; tenant 1's window is open */
	assert_int_equal(gone[0].tenant_id, 2);
	assert_int_equal(gone[0].user_id, 7);
	assert_int_equal(told(d, now + GRACE + 10), 1);
	desks_free(d);
}

static void gone_until_forgotten_unless_back(void **state)
{
	struct desks *d = desks_new();
	struct desk_key gone[4];
	desks_open(d, 1, 8);
	desks_close(d, 1, 8);
	int64_t now = gc_now_ms();
	assert_int_equal(told(d, now), 1); /* closed since the last round: told once */
	assert_int_equal(desks_gone(d, now, GRACE, gone, 4), 0); /* within the grace */
	assert_int_equal(desks_gone(d, now + GRACE + 10, GRACE, gone, 4), 1);
	assert_int_equal(desks_gone(d, now + GRACE + 20, GRACE, gone, 4), 1); /* the sign-out failed: again */
	desks_forget(d, &gone[0], now + GRACE + 20, GRACE);
	assert_int_equal(desks_gone(d, now + GRACE + 30, GRACE, gone, 4), 0);
	/* back before the sign-out: not forgotten, not gone */
	desks_open(d, 1, 9);
	desks_close(d, 1, 9);
	assert_int_equal(desks_gone(d, now + GRACE + 10, GRACE, gone, 4), 1);
	desks_open(d, 1, 9);
	desks_forget(d, &gone[0], now + GRACE + 10, GRACE);
	assert_int_equal(desks_gone(d, now + 10 * GRACE, GRACE, gone, 4), 0);
	desks_free(d);
}

static void reported_by_another_node_for_a_while(void **state)
{
	struct desks *d = desks_new();
	struct desk_key gone[4];
	int64_t now = gc_now_ms();
	desks_seen_elsewhere(d, 3, 9, now);
	assert_int_equal(told(d, now), 0); /* not this node's to tell */
	assert_int_equal(desks_gone(d, now + DESKS_ELSEWHERE_MS, GRACE, gone, 4), 0); /* open: seen then */
	int64_t last = now + DESKS_ELSEWHERE_MS;
	assert_int_equal(desks_gone(d, last + GRACE, GRACE, gone, 4), 0);
	assert_int_equal(desks_gone(d, last + GRACE + 1, GRACE, gone, 4), 1);
	/* the other nodes cannot be heard: every desk counts as seen */
	desks_touch_all(d, last + GRACE + 1);
	assert_int_equal(desks_gone(d, last + GRACE + 2, GRACE, gone, 4), 0);
	desks_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_while_a_stream_is),
		cmocka_unit_test(gone_until_forgotten_unless_back),
		cmocka_unit_test(reported_by_another_node_for_a_while),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
