/* A thread of rounds (src/daemon/rounds.c): a round at once after the
 * start, then only when kicked or when the interval has passed; rounds back
 * to back while one says more is due; a kick during a round runs one more;
 * a stop ends a long round early (rounds_stopping) and the thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>

#include "daemon/rounds.h"
#include "guichet/clock.h"

struct job {
	atomic_int runs;
	atomic_int more; /* rounds still to say "more" */
	atomic_int hold_ms; /* how long a round lasts, unless stopped */
	atomic_bool ended_early;
	struct rounds *r;
};

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static bool round_of(void *arg)
{
	struct job *j = arg;
	atomic_fetch_add(&j->runs, 1);
	for (int waited = 0; waited < atomic_load(&j->hold_ms); waited += 5) {
		if (rounds_stopping(j->r)) {
			atomic_store(&j->ended_early, true);
			return false;
		}
		sleep_ms(5);
	}
	if (atomic_load(&j->more) > 0) {
		atomic_fetch_sub(&j->more, 1);
		return true;
	}
	return false;
}

/* waits up to 2 s for at least n rounds */
static int runs_reach(struct job *j, int n)
{
	for (int i = 0; i < 400 && atomic_load(&j->runs) < n; i++)
		sleep_ms(5);
	return atomic_load(&j->runs);
}

static void a_kick_runs_a_round_and_only_then(void **state)
{
	struct job j = {0};
	assert_int_equal(rounds_start(round_of, &j, 60000, &j.r), 0);
	assert_int_equal(runs_reach(&j, 1), 1); /* the first, at once */
	sleep_ms(100);
	assert_int_equal(atomic_load(&j.runs), 1); /* nothing due: it sleeps */
	rounds_kick(j.r);
	assert_int_equal(runs_reach(&j, 2), 2);
	sleep_ms(100);
	assert_int_equal(atomic_load(&j.runs), 2);
	rounds_stop(j.r);
	rounds_kick(NULL); /* NULL is fine */
	rounds_stop(NULL);
}

static void the_interval_brings_a_round(void **state)
{
	struct job j = {0};
	int64_t t0 = gc_now_ms();
	assert_int_equal(rounds_start(round_of, &j, 150, &j.r), 0);
	assert_int_equal(runs_reach(&j, 3), 3);
	assert_true(gc_now_ms() - t0 >= 290); /* two intervals between three rounds */
	rounds_stop(j.r);
}

static void more_due_runs_back_to_back(void **state)
{
	struct job j = {.more = 4};
	assert_int_equal(rounds_start(round_of, &j, 60000, &j.r), 0);
	assert_int_equal(runs_reach(&j, 5), 5); /* four "more", then the round that says none */
	sleep_ms(100);
	assert_int_equal(atomic_load(&j.runs), 5);
	rounds_stop(j.r);
}

static void a_kick_during_a_round_runs_one_more(void **state)
{
	struct job j = {.hold_ms = 200};
	assert_int_equal(rounds_start(round_of, &j, 60000, &j.r), 0);
	assert_int_equal(runs_reach(&j, 1), 1);
	rounds_kick(j.r); /* while the first round runs */
	assert_int_equal(runs_reach(&j, 2), 2);
	atomic_store(&j.hold_ms, 0);
	sleep_ms(400);
	assert_int_equal(atomic_load(&j.runs), 2);
	rounds_stop(j.r);
}

static void a_stop_ends_a_long_round(void **state)
{
	struct job j = {.hold_ms = 60000};
	assert_int_equal(rounds_start(round_of, &j, 60000, &j.r), 0);
	assert_int_equal(runs_reach(&j, 1), 1);
	int64_t t0 = gc_now_ms();
	rounds_stop(j.r);
	assert_true(gc_now_ms() - t0 < 1000);
	assert_true(atomic_load(&j.ended_early));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_kick_runs_a_round_and_only_then),
		cmocka_unit_test(the_interval_brings_a_round),
		cmocka_unit_test(more_due_runs_back_to_back),
		cmocka_unit_test(a_kick_during_a_round_runs_one_more),
		cmocka_unit_test(a_stop_ends_a_long_round),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
