/* The password-hashing pool (src/daemon/hashpool.c): a full queue refuses at
 * once (a login flood is answered 503, it does not pile up), every accepted
 * job runs exactly once with a connection of its own, and freeing the pool
 * runs the jobs still queued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "daemon/hashpool.h"
#include "guichet/error.h"
#include "teststore.h"

#define N_JOBS 64

static struct test_store ts;
static const char *path = ts.target; /* the database every pool opens */

struct job {
	atomic_int worked, done;
	struct store *db;
	int sleep_ms;
	atomic_bool *gate; /* work waits until it is true, when set */
	atomic_bool started;
};

static struct job jobs[N_JOBS];
static atomic_int wrong; /* checks on the pool's threads (cmocka asserts only on the test's) */

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&t, NULL);
}

static void work(void *arg, struct store *db)
{
	struct job *j = arg;
	atomic_store(&j->started, true);
	while (j->gate && !atomic_load(j->gate))
		sleep_ms(1);
	if (j->sleep_ms)
		sleep_ms(j->sleep_ms);
	j->db = db;
	/* the connection is a real one */
	if (store_file_schema_version(db) <= 0)
		atomic_fetch_add(&wrong, 1);
	atomic_fetch_add(&j->worked, 1);
}

static void done(void *arg)
{
	struct job *j = arg;
	if (atomic_load(&j->worked) != 1) /* done comes after work */
		atomic_fetch_add(&wrong, 1);
	atomic_fetch_add(&j->done, 1);
}

static int setup(void **state)
{
	atomic_store(&wrong, 0);
	for (int i = 0; i < N_JOBS; i++) {
		atomic_store(&jobs[i].worked, 0);
		atomic_store(&jobs[i].done, 0);
		atomic_store(&jobs[i].started, false);
		jobs[i].db = NULL;
		jobs[i].sleep_ms = 0;
		jobs[i].gate = NULL;
	}
	struct store *s = NULL;
	assert_int_equal(test_store_open(&ts, &s), GC_OK); /* creates and migrates */
	store_free(s);
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(atomic_load(&wrong), 0);
	test_store_clear(&ts);
	return 0;
}

static void wait_done(int n)
{
	for (int waited = 0; waited < 20000; waited++) {
		int all = 0;
		for (int i = 0; i < n; i++)
			all += atomic_load(&jobs[i].done);
		if (all == n)
			return;
		sleep_ms(1);
	}
	fail_msg("the jobs did not finish");
}

static void every_job_runs_once_on_its_threads_connection(void **state)
{
	struct hashpool *pool = NULL;
	assert_int_equal(hashpool_new(path, 2, N_JOBS, &pool), GC_OK);
	for (int i = 0; i < N_JOBS; i++)
		assert_int_equal(hashpool_submit(pool, work, done, &jobs[i]), GC_OK);
	wait_done(N_JOBS);
	struct store *seen[2] = {NULL, NULL};
	for (int i = 0; i < N_JOBS; i++) {
		assert_int_equal(atomic_load(&jobs[i].worked), 1);
		assert_int_equal(atomic_load(&jobs[i].done), 1);
		assert_non_null(jobs[i].db);
		if (seen[0] == NULL || seen[0] == jobs[i].db)
			seen[0] = jobs[i].db;
		else if (seen[1] == NULL || seen[1] == jobs[i].db)
			seen[1] = jobs[i].db;
		else
			fail_msg("a third connection");
	}
	assert_int_equal(hashpool_waiting(pool), 0);
	hashpool_free(pool);
}

static void a_full_queue_refuses_at_once(void **state)
{
	struct hashpool *pool = NULL;
	atomic_bool gate = false;
	assert_int_equal(hashpool_new(path, 1, 2, &pool), GC_OK);
	jobs[0].gate = &gate;
	assert_int_equal(hashpool_submit(pool, work, done, &jobs[0]), GC_OK);
	while (!atomic_load(&jobs[0].started))
		sleep_ms(1);
	/* the thread is busy: two may wait, the third is refused */
	assert_int_equal(hashpool_submit(pool, work, done, &jobs[1]), GC_OK);
	assert_int_equal(hashpool_submit(pool, work, done, &jobs[2]), GC_OK);
	assert_int_equal(hashpool_waiting(pool), 2);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 3; i < N_JOBS; i++)
		assert_int_equal(hashpool_submit(pool, work, done, &jobs[i]), GC_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	atomic_store(&gate, true);
	wait_done(3);
	/* room again */
	assert_int_equal(hashpool_submit(pool, work, done, &jobs[3]), GC_OK);
	wait_done(4);
	hashpool_free(pool);
	for (int i = 4; i < N_JOBS; i++)
		assert_int_equal(atomic_load(&jobs[i].worked) + atomic_load(&jobs[i].done), 0);
}

static void freeing_runs_the_queued_jobs(void **state)
{
	struct hashpool *pool = NULL;
	assert_int_equal(hashpool_new(path, 1, 16, &pool), GC_OK);
	for (int i = 0; i < 16; i++) {
		jobs[i].sleep_ms = 5;
		assert_int_equal(hashpool_submit(pool, work, done, &jobs[i]), GC_OK);
	}
	hashpool_free(pool); /* returns after the last job's done */
	for (int i = 0; i < 16; i++) {
		assert_int_equal(atomic_load(&jobs[i].worked), 1);
		assert_int_equal(atomic_load(&jobs[i].done), 1);
	}
	hashpool_free(NULL);
}

static void bad_settings_are_refused(void **state)
{
	struct hashpool *pool = NULL;
	assert_int_equal(hashpool_new(path, 0, 8, &pool), GC_EINVAL);
	assert_int_equal(hashpool_new(path, HASHPOOL_MAX_THREADS + 1, 8, &pool), GC_EINVAL);
	assert_int_equal(hashpool_new(path, 1, 0, &pool), GC_EINVAL);
	assert_int_equal(hashpool_new(path, 1, HASHPOOL_MAX_QUEUE + 1, &pool), GC_EINVAL);
	assert_true(hashpool_new("/nonexistent/guichet.db", 2, 8, &pool) < 0);
	assert_null(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_job_runs_once_on_its_threads_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(a_full_queue_refuses_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(freeing_runs_the_queued_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_settings_are_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
