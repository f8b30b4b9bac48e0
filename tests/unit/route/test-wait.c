/* Unit tests of the expected-wait estimator (src/route/wait.c): the window
 * of handle times, its rebuild newest first, and waits computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guichet/wait.h"

#define MIN 60000LL

static void window_needs_a_few_samples_then_averages(void **state)
{
	(void)state;
	struct route_handle_window w = {0};
	assert_int_equal(route_handle_window_mean(&w), 0);
	route_handle_window_add(&w, 60000);
	route_handle_window_add(&w, 120000);
	assert_int_equal(route_handle_window_mean(&w), 0); /* two: not yet */
	route_handle_window_add(&w, 30000);
	assert_int_equal(route_handle_window_mean(&w), 70000); /* (60 + 120 + 30) / 3 s */
	route_handle_window_add(&w, -5000);                    /* a clock step back counts as 0 */
	assert_int_equal(route_handle_window_mean(&w), 52500); /* 210 / 4 s */
}

static void window_forgets_the_oldest(void **state)
{
	(void)state;
	struct route_handle_window w = {0};
	for (int i = 0; i < ROUTE_WAIT_WINDOW; i++)
		route_handle_window_add(&w, 300000); /* a morning of 5-minute calls */
	assert_int_equal(route_handle_window_mean(&w), 300000);
	for (int i = 0; i < ROUTE_WAIT_WINDOW / 2; i++)
		route_handle_window_add(&w, 60000); /* then 1-minute ones */
	assert_int_equal(route_handle_window_mean(&w), 180000);
	for (int i = 0; i < ROUTE_WAIT_WINDOW / 2; i++)
		route_handle_window_add(&w, 60000);
	assert_int_equal(route_handle_window_mean(&w), 60000);
	assert_int_equal(w.n, ROUTE_WAIT_WINDOW);
}

/* Read newest first, then live samples: the same window as live all along. */
static void rebuild_newest_first_matches_live(void **state)
{
	(void)state;
	enum { N = ROUTE_WAIT_WINDOW + 10 };
	int64_t day[N];
	for (int i = 0; i < N; i++)
		day[i] = 1000 * (i * 37 % 101 + 1);
	struct route_handle_window live = {0}, rebuilt = {0};
	for (int i = 0; i < N; i++)
		route_handle_window_add(&live, day[i]);
	for (int i = N - 1; i >= 0; i--) /* the store's order: newest first */
		route_handle_window_add_older(&rebuilt, day[i]);
	assert_int_equal(rebuilt.n, ROUTE_WAIT_WINDOW);
	assert_int_equal(rebuilt.sum, live.sum);
	for (int i = 0; i < 5; i++) { /* then both go on: the oldest leave in the same order */
		route_handle_window_add(&live, 500000 + i);
		route_handle_window_add(&rebuilt, 500000 + i);
		assert_int_equal(rebuilt.sum, live.sum);
	}
	/* a short rebuild: 3 samples, then live ones fill the window, then evict the oldest */
	struct route_handle_window a = {0}, b = {0};
	route_handle_window_add_older(&b, 3000);
	route_handle_window_add_older(&b, 2000);
	route_handle_window_add_older(&b, 1000);
	route_handle_window_add(&a, 1000);
	route_handle_window_add(&a, 2000);
	route_handle_window_add(&a, 3000);
	for (int i = 0; i < ROUTE_WAIT_WINDOW; i++) {
		route_handle_window_add(&a, 9000);
		route_handle_window_add(&b, 9000);
		assert_int_equal(a.sum, b.sum);
	}
	assert_int_equal(b.sum, 9000LL * ROUTE_WAIT_WINDOW);
}

static void waits_by_hand(void **state)
{
	(void)state;
	/* no slot: unknown */
	assert_int_equal(route_wait_expected_ms(&(struct route_wait_load){.ahead = 3, .hold_ms = MIN}), -1);
	/* a free slot and nobody ahead: at once */
	assert_int_equal(route_wait_expected_ms(&(struct route_wait_load){.ahead = 0, .slots = 4, .free = 1,
									  .hold_ms = 5 * MIN}), 0);
	/* 2 free slots, 1 ahead: it takes the second */
	assert_int_equal(route_wait_expected_ms(&(struct route_wait_load){.ahead = 1, .slots = 4, .free = 2,
									  .hold_ms = 5 * MIN}), 0);
	/* every slot busy, nobody ahead: the first of 4 slots held 2 min frees in 30 s */
	assert_int_equal(route_wait_expected_ms(&(struct route_wait_load){.ahead = 0, .slots = 4, .hold_ms = 2 * MIN}),
			 30000);
	/* 7 ahead, 4 slots of 2 min: the 8th completion, 8 * 120 / 4 = 240 s */
	assert_int_equal(route_wait_expected_ms(&(struct route_wait_load){.ahead = 7, .slots = 4, .hold_ms = 2 * MIN}),
			 240000);
	/* 7 ahead with 2 slots free: the 6th completion, 6 * 120 / 4 = 180 s */
	assert_int_equal(route_wait_expected_ms(&(struct route_wait_load){.ahead = 7, .slots = 4, .free = 2,
									  .hold_ms = 2 * MIN}), 180000);
	/* the old fixed estimate for 7 ahead and 4 agents said 8 * 5 min / 4 = 10 min */
	/* a huge backlog stays in range */
	assert_int_equal(route_wait_expected_ms(&(struct route_wait_load){.ahead = UINT32_MAX, .slots = 1,
									  .hold_ms = INT64_MAX / 2}), 1000000000000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_needs_a_few_samples_then_averages),
		cmocka_unit_test(window_forgets_the_oldest),
		cmocka_unit_test(rebuild_newest_first_matches_live),
		cmocka_unit_test(waits_by_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
