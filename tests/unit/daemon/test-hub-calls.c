/* The hub's call frames (src/daemon/hub.c, hub_publish_call): a stream
 * reads those published after it started, of its tenant, and of its agent
 * unless it is a supervisor's (agent 0); each once; when more were
 * published than the ring keeps, the oldest are skipped, never read
 * twice nor out of order; other nodes' frames are read the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hub.h"

struct seen {
	int n;
	char last[64];
};

static void count(const char *frame, size_t len, void *arg)
{
	struct seen *s = arg;
	s->n++;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)len, frame);
}

static void publish(struct hub *h, int64_t tenant, int64_t agent, int n)
{
	char text[64];
	snprintf(text, sizeof(text), "t%lld a%lld #%d", (long long)tenant, (long long)agent, n);
	hub_publish_call(h, tenant, agent, strdup(text));
}

static void a_stream_reads_its_agents_frames_of_its_tenant_once(void **state)
{
	struct hub *h = hub_new();
	publish(h, 1, 7, 0); /* before the stream: never read */
	uint64_t agent = hub_call_seq(h), boss = agent;
	publish(h, 1, 7, 1);
	publish(h, 1, 8, 2);  /* another agent of the tenant */
	publish(h, 2, 7, 3);  /* another tenant's, same agent id */
	hub_publish_call_from(h, 1, 7, strdup("t1 a7 #4")); /* another node's */
	struct seen a = {0}, b = {0};
	const struct hub_audience seven = {.agent_id = 7}, all = {0};
	hub_read_calls(h, 1, &seven, &agent, count, &a);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.last, "t1 a7 #4");
	hub_read_calls(h, 1, &all, &boss, count, &b); /* the supervisor's: every agent of tenant 1 */
	assert_int_equal(b.n, 3);
	a.n = 0;
	hub_read_calls(h, 1, &seven, &agent, count, &a); /* nothing new */
	assert_int_equal(a.n, 0);
	hub_publish_call(h, 1, 7, NULL); /* out of memory on the way: nothing */
	hub_read_calls(h, 1, &seven, &agent, count, &a);
	assert_int_equal(a.n, 0);
	hub_free(h);
}

static void a_stream_far_behind_skips_what_the_ring_lost(void **state)
{
	struct hub *h = hub_new();
	uint64_t seq = hub_call_seq(h);
	for (int i = 0; i < HUB_CALL_RING + 10; i++)
		publish(h, 1, 7, i);
	struct seen s = {0};
	hub_read_calls(h, 1, &(struct hub_audience){.agent_id = 7}, &seq, count, &s);
	assert_int_equal(s.n, HUB_CALL_RING);
	char want[64];
	snprintf(want, sizeof(want), "t1 a7 #%d", HUB_CALL_RING + 9);
	assert_string_equal(s.last, want);
	assert_int_equal(seq, hub_call_seq(h));
	hub_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_stream_reads_its_agents_frames_of_its_tenant_once),
		cmocka_unit_test(a_stream_far_behind_skips_what_the_ring_lost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
