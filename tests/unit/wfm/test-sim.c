/* Unit tests of the simulator (src/wfm/sim.c): it agrees with Erlang C and
 * Erlang A where their assumptions hold (the analytic value inside the 95%
 * interval), differs where they do not, is reproducible, and refuses
 * inconsistent scenarios. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/wfm.h"
#include "wfm/sim.h"

static struct sim_scenario one_queue(int agents, double patience)
{
	struct sim_scenario s = {.n_queues = 1, .n_groups = 1, .duration = 8 * 3600, .warmup = 3600,
				 .target = 20, .replications = 40, .seed = 7};
	s.queues[0] = (struct sim_queue){.name = "q", .arrival_rate = 100.0 / 1800, .aht = 180,
					 .patience = patience, .overflow_to = -1};
	s.groups[0] = (struct sim_group){.name = "g", .agents = agents, .skills = 1};
	return s;
}

static void assert_inside(struct sim_measure m, double want, const char *what)
{
	fprintf(stderr, "# %s: %.4f +- %.4f, analytic %.4f\n", what, m.mean, m.half_width, want);
	assert_true(fabs(m.mean - want) <= m.half_width);
}

static void agrees_with_erlang_c(void **state)
{
	struct sim_scenario s = one_queue(13, 0);
	struct sim_result r;
	assert_int_equal(sim_run(&s, &r), GC_OK);
	struct wfm_traffic t = {100, 1800, 180};
	struct wfm_erlang_c c;
	wfm_erlang_c(&t, 13, 20, &c);
	assert_inside(r.queues[0].service_level, c.service_level, "Erlang C service level");
	assert_inside(r.queues[0].asa, c.asa, "Erlang C ASA");
	assert_inside(r.occupancy[0], c.occupancy, "Erlang C occupancy");
	assert_true(r.queues[0].abandon.mean == 0);
	assert_true(r.events > 40 * 9 * 200);
}

static void agrees_with_erlang_a(void **state)
{
	struct sim_scenario s = one_queue(11, 120);
	struct sim_result r;
	assert_int_equal(sim_run(&s, &r), GC_OK);
	struct wfm_traffic t = {100, 1800, 180};
	struct wfm_erlang_a a;
	assert_int_equal(wfm_erlang_a(&t, 120, 11, 20, &a), GC_OK);
	assert_inside(r.queues[0].service_level, a.service_level, "Erlang A service level");
	assert_inside(r.queues[0].abandon, a.p_abandon, "Erlang A abandonment");
	assert_inside(r.occupancy[0], a.occupancy, "Erlang A occupancy");
}

static void shows_where_erlang_c_does_not_hold(void **state)
{
	/* handle times less variable than exponential: shorter waits than Erlang C says */
	struct sim_scenario s = one_queue(13, 0);
	s.queues[0].handle = SIM_LOGNORMAL;
	s.queues[0].cv = 0.4;
	struct sim_result r;
	assert_int_equal(sim_run(&s, &r), GC_OK);
	struct wfm_traffic t = {100, 1800, 180};
	struct wfm_erlang_c c;
	wfm_erlang_c(&t, 13, 20, &c);
	fprintf(stderr, "# lognormal cv 0.4: %.4f +- %.4f where Erlang C says %.4f\n",
		r.queues[0].service_level.mean, r.queues[0].service_level.half_width, c.service_level);
	assert_true(r.queues[0].service_level.mean - r.queues[0].service_level.half_width > c.service_level);
	assert_inside(r.occupancy[0], c.occupancy, "occupancy still load / agents");
}

static void overflow_moves_callers_to_free_agents(void **state)
{
	/* an overloaded brand queue, and an outsourcer's queue with spare agents */
	struct sim_scenario s = {.n_queues = 2, .n_groups = 2, .duration = 4 * 3600, .warmup = 1800,
				 .target = 60, .replications = 20, .seed = 3};
	s.queues[0] = (struct sim_queue){.name = "brand", .arrival_rate = 200.0 / 1800, .aht = 180,
					 .patience = 300, .overflow_to = -1};
	s.queues[1] = (struct sim_queue){.name = "bpo", .arrival_rate = 20.0 / 1800, .aht = 180,
					 .patience = 300, .overflow_to = -1};
	s.groups[0] = (struct sim_group){.name = "brand", .agents = 18, .skills = 1};
	s.groups[1] = (struct sim_group){.name = "bpo", .agents = 10, .skills = 2};
	struct sim_result alone, with;
	assert_int_equal(sim_run(&s, &alone), GC_OK);
	s.queues[0].overflow_to = 1;
	s.queues[0].overflow_after = 30;
	assert_int_equal(sim_run(&s, &with), GC_OK);
	fprintf(stderr, "# brand service level: %.3f alone, %.3f with overflow after 30 s\n",
		alone.queues[0].service_level.mean, with.queues[0].service_level.mean);
	assert_true(with.queues[0].service_level.mean > alone.queues[0].service_level.mean + 0.1);
	assert_true(with.queues[0].abandon.mean < alone.queues[0].abandon.mean);
	assert_true(with.occupancy[1].mean > alone.occupancy[1].mean);
}

static void same_seed_same_results(void **state)
{
	struct sim_scenario s = one_queue(12, 90);
	s.replications = 5;
	struct sim_result a, b, c;
	assert_int_equal(sim_run(&s, &a), GC_OK);
	assert_int_equal(sim_run(&s, &b), GC_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	s.seed = 8;
	assert_int_equal(sim_run(&s, &c), GC_OK);
	assert_true(a.queues[0].service_level.mean != c.queues[0].service_level.mean);
}

static void replayed_arrivals(void **state)
{
	static double times[1000];
	for (int i = 0; i < 1000; i++)
		times[i] = 3600 + i * 10.0; /* one call every 10 s after the warmup */
	struct sim_scenario s = one_queue(30, 0);
	s.queues[0].replay = times;
	s.queues[0].n_replay = 1000;
	s.replications = 3;
	struct sim_result r;
	assert_int_equal(sim_run(&s, &r), GC_OK);
	assert_true(r.queues[0].arrivals == 1000);
}

static void inconsistent_scenarios_are_refused(void **state)
{
	struct sim_result r;
	struct sim_scenario s = one_queue(13, 0);
	s.groups[0].skills = 2; /* nobody serves queue 0 */
	assert_int_equal(sim_run(&s, &r), GC_EINVAL);
	s = one_queue(13, 0);
	s.queues[0].overflow_to = 0;
	assert_int_equal(sim_run(&s, &r), GC_EINVAL);
	s = one_queue(13, 0);
	s.queues[0].handle = SIM_LOGNORMAL; /* without a cv */
	assert_int_equal(sim_run(&s, &r), GC_EINVAL);
	s = one_queue(13, 0);
	s.replications = 0;
	assert_int_equal(sim_run(&s, &r), GC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_erlang_c),
		cmocka_unit_test(agrees_with_erlang_a),
		cmocka_unit_test(shows_where_erlang_c_does_not_hold),
		cmocka_unit_test(overflow_moves_callers_to_free_agents),
		cmocka_unit_test(same_seed_same_results),
		cmocka_unit_test(replayed_arrivals),
		cmocka_unit_test(inconsistent_scenarios_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
