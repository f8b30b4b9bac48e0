/* The agents' open desks (src/daemon/desks.c): a desk is open while one of
 * the agent's streams is, here or (reported within a few seconds) on
 * another node; one closed between two of the writer's rounds is still
 * seen once; then it is forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/desks.h"
#include "guichet/clock.h"

struct seen {
	int n;
	int64_t tenant_id[8], user_id[8];
};

static void note(void *arg, int64_t tenant_id, int64_t user_id)
{
	struct seen *s = arg;
	s->tenant_id[s->n] = tenant_id;
	s->user_id[s->n] = user_id;
	s->n++;
}

static struct seen each(struct desks *d, int64_t now, bool here_only)
{
	struct seen s = {0};
	desks_each(d, now, here_only, note, &s);
	return s;
}

static void open_while_a_stream_is(void **state)
{
	struct desks *d = desks_new();
	int64_t now = gc_now_ms();
	assert_int_equal(each(d, now, false).n, 0);
	desks_open(d, 1, 7);
	desks_open(d, 1, 7); /* two windows */
	desks_open(d, 2, 7); /* the same person in another tenant: another desk */
	assert_int_equal(each(d, now, false).n, 2);
	desks_close(d, 1, 7);
	desks_close(d, 2, 7);
	struct seen s = each(d, now + 5000, false);
	assert_int_equal(s.n, 1); /* the other window of tenant 1 */
	assert_int_equal(s.tenant_id[0], 1);
	assert_int_equal(s.user_id[0], 7);
	desks_close(d, 1, 7);
	desks_close(d, 1, 7); /* one close too many changes nothing */
	desks_free(d);
}

static void closed_between_two_rounds_is_seen_once(void **state)
{
	struct desks *d = desks_new();
	desks_open(d, 1, 8);
	desks_close(d, 1, 8);
	int64_t now = gc_now_ms();
	assert_int_equal(each(d, now, true).n, 1);
	assert_int_equal(each(d, now + 2000, false).n, 0); /* then forgotten */
	assert_int_equal(each(d, now, false).n, 0);
	desks_free(d);
}

static void reported_by_another_node_for_a_while(void **state)
{
	struct desks *d = desks_new();
	int64_t now = gc_now_ms();
	desks_seen_elsewhere(d, 3, 9, now);
	assert_int_equal(each(d, now + DESKS_ELSEWHERE_MS, false).n, 1);
	assert_int_equal(each(d, now, true).n, 0); /* not this node's to tell */
	assert_int_equal(each(d, now + DESKS_ELSEWHERE_MS + 1, false).n, 0);
	desks_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_while_a_stream_is),
		cmocka_unit_test(closed_between_two_rounds_is_seen_once),
		cmocka_unit_test(reported_by_another_node_for_a_while),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
