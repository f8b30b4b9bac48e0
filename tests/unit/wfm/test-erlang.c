/* Unit tests of the workforce mathematics (src/wfm): published values,
 * agreement with a 113-bit (__float128) computation, staffing minimality,
 * and Erlang A against the birth-death chain solved independently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "guichet/error.h"
#include "guichet/wfm.h"
#include "wfm/plan.h"

#include <string.h>

static void assert_close(double got, double want, double rel, const char *what)
{
	double err = fabs(got - want) / (fabs(want) > 1e-300 ? fabs(want) : 1.0);
	if (!(err <= rel)) {
		fprintf(stderr, "%s: got %.17g, want %.17g (relative error %.3g)\n", what, got, want, err);
		fail();
	}
}

static void published_values(void **state)
{
	/* 100 calls in 30 minutes, AHT 180 s, 80% in 20 s */
	struct wfm_traffic t = {100, 1800, 180};
	struct wfm_erlang_c m;
	wfm_erlang_c(&t, 13, 20, &m);
	assert_close(m.load, 10.0, 1e-15, "load");
	assert_true(fabs(m.service_level - 0.796) < 0.0005);
	assert_true(fabs(m.asa - 17.1) < 0.05);
	assert_close(m.p_wait, 0.28527045303649295, 1e-12, "p_wait 13");
	assert_close(m.occupancy, 10.0 / 13, 1e-15, "occupancy");
	struct wfm_goal g = {.service_level = 0.8, .target = 20};
	struct wfm_staffing s;
	assert_int_equal(wfm_staff_erlang_c(&t, &g, &s), GC_OK);
	assert_int_equal(s.agents, 14);
	assert_close(s.at.service_level, 0.8883500191794669, 1e-12, "sl 14");
	assert_close(s.at.asa, 7.835937011777243, 1e-12, "asa 14");
	/* textbook Erlang B and C values (exact rationals) */
	assert_close(wfm_erlang_b(5, 10), 0.018384570336648132, 1e-13, "B(10, 5)");
	assert_close(wfm_erlang_b(15, 20), 0.04559321558981184, 1e-13, "B(20, 15)");
	struct wfm_traffic two = {2, 1, 1};
	wfm_erlang_c(&two, 3, 0, &m);
	assert_close(m.p_wait, 4.0 / 9, 1e-14, "C(3, 2)");
	assert_close(m.service_level, 5.0 / 9, 1e-14, "SL(T=0)");
}

typedef __float128 quad;

static quad erlang_b_quad(quad load, int n)
{
	quad b = 1;
	for (int k = 1; k <= n; k++)
		b = load * b / (k + load * b);
	return b;
}

static void agrees_with_quad_precision(void **state)
{
	const int agents[] = {1, 2, 10, 57, 100, 999, 1000, 5000, 10000, 50001, 100000};
	const double loads[] = {0.001, 0.5, 1, 9.9, 55.5, 100, 950, 4999.5, 10000, 49999, 50000};
	int checked = 0;
	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++) {
		for (size_t j = 0; j < sizeof(loads) / sizeof(loads[0]); j++) {
			quad bq = erlang_b_quad(loads[j], agents[i]);
			double b = wfm_erlang_b(loads[j], agents[i]);
			char what[64];
			snprintf(what, sizeof(what), "B(%d, %g)", agents[i], loads[j]);
			if (bq < (quad)1e-290) { /* below doubles' normal range */
				assert_true(b < 1e-280);
				continue;
			}
			assert_close(b, (double)bq, 1e-9, what);
			if (agents[i] > loads[j]) {
				quad cq = agents[i] * bq / (agents[i] - loads[j] * (1 - bq));
				struct wfm_traffic t = {loads[j], 1, 1};
				struct wfm_erlang_c m;
				wfm_erlang_c(&t, agents[i], 0.5, &m);
				snprintf(what, sizeof(what), "C(%d, %g)", agents[i], loads[j]);
				assert_close(m.p_wait, (double)cq, 1e-9, what);
				checked++;
			}
		}
	}
	/* and where staffing lives: loads just under the agents */
	const double fills[] = {0.5, 0.8, 0.9, 0.95, 0.99, 0.999};
	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++) {
		for (size_t j = 0; j < sizeof(fills) / sizeof(fills[0]); j++) {
			double load = agents[i] * fills[j];
			if (load > WFM_MAX_LOAD)
				continue;
			quad bq = erlang_b_quad(load, agents[i]);
			quad cq = agents[i] * bq / (agents[i] - load * (1 - bq));
			struct wfm_traffic t = {load, 1, 1};
			struct wfm_erlang_c m;
			wfm_erlang_c(&t, agents[i], 0.5, &m);
			char what[64];
			snprintf(what, sizeof(what), "C(%d, %g)", agents[i], load);
			assert_close(m.p_wait, (double)cq, 1e-9, what);
			checked++;
		}
	}
	fprintf(stderr, "# %d Erlang C values checked against __float128\n", checked);
	assert_true(checked >= 80);
}

static void unstable_queues_are_said_so(void **state)
{
	struct wfm_traffic t = {100, 1800, 180}; /* 10 Erlangs */
	for (int n = 1; n <= 10; n++) {
		struct wfm_erlang_c m;
		wfm_erlang_c(&t, n, 20, &m);
		assert_false(m.stable);
		assert_true(m.p_wait == 1.0 && m.service_level == 0.0 && m.occupancy == 1.0);
		assert_false(isnan(m.asa));
	}
	struct wfm_traffic huge = {50000, 3600, 3600};
	struct wfm_erlang_c m;
	wfm_erlang_c(&huge, 50000, 20, &m);
	assert_false(m.stable);
	wfm_erlang_c(&huge, 50500, 20, &m);
	assert_true(m.stable && isfinite(m.asa) && m.service_level > 0 && m.service_level < 1);
}

static void staffing_is_the_fewest_meeting_every_goal(void **state)
{
	srand(20261123);
	for (int i = 0; i < 300; i++) {
		struct wfm_traffic t = {1 + rand() % 3000, 1800, 30 + rand() % 600};
		struct wfm_goal g = {.service_level = 0.5 + (rand() % 49) / 100.0, .target = rand() % 60,
				     .max_asa = i % 3 == 0 ? 5 + rand() % 30 : 0,
				     .max_occupancy = i % 4 == 0 ? 0.7 + (rand() % 25) / 100.0 : 0,
				     .shrinkage = (rand() % 40) / 100.0};
		struct wfm_staffing s;
		assert_int_equal(wfm_staff_erlang_c(&t, &g, &s), GC_OK);
		struct wfm_erlang_c at, below;
		wfm_erlang_c(&t, s.agents, g.target, &at);
		wfm_erlang_c(&t, s.agents - 1, g.target, &below);
		assert_true(at.stable && at.service_level >= g.service_level - 1e-12);
		assert_true(g.max_asa == 0 || at.asa <= g.max_asa + 1e-9);
		assert_true(g.max_occupancy == 0 || at.occupancy <= g.max_occupancy + 1e-12);
		bool below_meets = below.stable && below.service_level >= g.service_level &&
				   (g.max_asa == 0 || below.asa <= g.max_asa) &&
				   (g.max_occupancy == 0 || below.occupancy <= g.max_occupancy);
		assert_false(below_meets);
		assert_close(s.at.service_level, at.service_level, 1e-11, "incremental = direct");
		assert_int_equal(s.staff, (int)ceil(s.agents / (1 - g.shrinkage) - 1e-9));
	}
	struct wfm_traffic none = {0, 1800, 180}, big = {50000, 1, 1};
	struct wfm_goal g = {.service_level = 0.8, .target = 20};
	struct wfm_staffing s;
	assert_int_equal(wfm_staff_erlang_c(&none, &g, &s), GC_OK);
	assert_int_equal(s.agents, 0);
	assert_int_equal(wfm_staff_erlang_c(&big, &g, &s), GC_OK);
	assert_true(s.agents > 50000 && s.agents < 50100);
	struct wfm_traffic too_big = {99999.5, 1, 1};
	g.service_level = 0.999999;
	assert_int_equal(wfm_staff_erlang_c(&too_big, &g, &s), GC_ETOOBIG);
}

/* --- Erlang A against the chain, solved another way --- */

struct chain {
	double p_wait, eq, below, busy, answered;
};

/* The chain from the global balance equations, states 0 .. n + queue. */
static void solve_chain(double lambda, double mu, double theta, int n, int queue, double target,
			struct chain *ret)
{
	int k_max = n + queue;
	double *pi = calloc((size_t)k_max + 2, sizeof(double)), total = 0;
	pi[0] = 1;
	for (int k = 0; k < k_max; k++) { /* balance of state k gives pi[k+1] */
		double death_k = k <= n ? k * mu : n * mu + (k - n) * theta;
		double death_next = k + 1 <= n ? (k + 1) * mu : n * mu + (k + 1 - n) * theta;
		double in_from_below = k > 0 ? pi[k - 1] * lambda : 0;
		pi[k + 1] = (pi[k] * (lambda + death_k) - in_from_below) / death_next;
	}
	for (int k = 0; k <= k_max; k++)
		total += pi[k];
	*ret = (struct chain){0};
	for (int k = 0; k <= k_max; k++) {
		double p = pi[k] / total;
		ret->busy += p * (k < n ? k : n);
		if (k < n)
			ret->below += p;
		else
			ret->p_wait += p, ret->eq += p * (k - n);
	}
	/* answered within T for a caller finding j waiting: uniformize the chain
	 * of callers ahead m = j .. 0, absorbing in served or abandoned */
	for (int j = 0; j <= queue; j++) {
		double p = pi[n + j] / total;
		if (p < 1e-300)
			continue;
		double rate = n * mu + (j + 1) * theta, lt = rate * target;
		double *v = calloc((size_t)j + 1, sizeof(double)), served = 0, poisson = exp(-lt), mass = 0;
		v[j] = 1;
		for (int step = 0; step < 2000 && mass < 1 - 1e-15; step++) {
			mass += poisson;
			/* P(served by the step-th uniformized transition) accumulates: */
			double *next = calloc((size_t)j + 1, sizeof(double)), newly = 0;
			for (int m = 0; m <= j; m++) {
				double out = n * mu + m * theta; /* the one ahead leaves, or a server frees */
				if (m > 0)
					next[m - 1] += v[m] * out / rate;
				else
					newly += v[m] * out / rate;
				next[m] += v[m] * (1 - (out + theta) / rate);
			}
			/* served by time T: sum over steps of P(served at step s) P(N(T) >= s) */
			served += newly * (1 - mass);
			free(v);
			v = next;
			poisson *= lt / (step + 1);
		}
		free(v);
		ret->answered += p * served;
	}
	free(pi);
}

static void erlang_a_matches_the_chain(void **state)
{
	const struct {
		double calls, interval, aht, patience;
		int agents;
		double target;
	} cases[] = {
		{100, 1800, 180, 120, 9, 20}, {100, 1800, 180, 120, 13, 20}, {300, 1800, 240, 60, 35, 30},
		{50, 900, 300, 600, 12, 0}, {400, 3600, 120, 30, 8, 15}, {20, 1800, 600, 300, 10, 60},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wfm_traffic t = {cases[i].calls, cases[i].interval, cases[i].aht};
		struct wfm_erlang_a a;
		assert_int_equal(wfm_erlang_a(&t, cases[i].patience, cases[i].agents, cases[i].target, &a), GC_OK);
		struct chain c;
		double lambda = t.calls / t.interval;
		solve_chain(lambda, 1 / t.aht, 1 / cases[i].patience, cases[i].agents, 400, cases[i].target, &c);
		char what[64];
		snprintf(what, sizeof(what), "case %zu p_wait", i);
		assert_close(a.p_wait, c.p_wait, 1e-9, what);
		snprintf(what, sizeof(what), "case %zu mean_wait", i);
		assert_close(a.mean_wait, c.eq / lambda, 1e-9, what);
		snprintf(what, sizeof(what), "case %zu p_abandon", i);
		assert_close(a.p_abandon, c.eq / cases[i].patience / lambda, 1e-9, what);
		snprintf(what, sizeof(what), "case %zu occupancy", i);
		assert_close(a.occupancy, c.busy / cases[i].agents, 1e-9, what);
		snprintf(what, sizeof(what), "case %zu service_level", i);
		assert_close(a.service_level, c.below + c.answered, 1e-9, what);
		/* throughput: served calls = busy agents * mu */
		assert_close(lambda * (1 - a.p_abandon), a.occupancy * cases[i].agents / t.aht, 1e-9, "flow");
	}
}

static void erlang_a_approaches_erlang_c(void **state)
{
	struct wfm_traffic t = {100, 1800, 180};
	struct wfm_erlang_a a;
	struct wfm_erlang_c c;
	assert_int_equal(wfm_erlang_a(&t, 1e7, 13, 20, &a), GC_OK);
	wfm_erlang_c(&t, 13, 20, &c);
	assert_true(fabs(a.p_wait - c.p_wait) < 1e-4);
	assert_true(fabs(a.service_level - c.service_level) < 1e-4);
	assert_true(fabs(a.mean_wait - c.asa * c.p_wait / c.p_wait) < 0.01); /* mean over all = ASA */
	/* an overloaded queue stays finite: callers give up instead */
	struct wfm_traffic storm = {2000, 1800, 300};
	assert_int_equal(wfm_erlang_a(&storm, 60, 100, 20, &a), GC_OK);
	assert_true(a.p_abandon > 0.5 && a.p_abandon < 1 && a.occupancy > 0.99 && a.occupancy <= 1);
	assert_true(isfinite(a.mean_wait) && a.service_level >= 0 && a.service_level < 0.5);
	struct wfm_traffic calm = {1, 1800, 60};
	assert_int_equal(wfm_erlang_a(&calm, 60, 100000, 20, &a), GC_OK);
	assert_true(a.service_level == 1.0 && a.p_wait < 1e-300);
}

static void erlang_a_staffing_is_minimal(void **state)
{
	struct wfm_traffic t = {300, 1800, 215};
	struct wfm_goal_a g = {.base = {.service_level = 0.8, .target = 20}, .patience = 90, .max_abandon = 0.03};
	struct wfm_staffing_a s;
	assert_int_equal(wfm_staff_erlang_a(&t, &g, &s), GC_OK);
	struct wfm_erlang_a at, below;
	assert_int_equal(wfm_erlang_a(&t, 90, s.agents, 20, &at), GC_OK);
	assert_int_equal(wfm_erlang_a(&t, 90, s.agents - 1, 20, &below), GC_OK);
	assert_true(at.service_level >= 0.8 && at.p_abandon <= 0.03);
	assert_false(below.service_level >= 0.8 && below.p_abandon <= 0.03);
	struct wfm_traffic none = {0, 1800, 215};
	assert_int_equal(wfm_staff_erlang_a(&none, &g, &s), GC_OK);
	assert_int_equal(s.agents, 0);
}

static void plans_parse_and_name_bad_lines(void **state)
{
	const char *csv = "start,calls,aht,patience\n09:00,100,180,\n09:30,0,180\n\n10:00,300,200,90\n";
	struct wfm_plan_row *rows = NULL;
	size_t n = 0;
	struct decode_error err;
	assert_int_equal(wfm_plan_parse(csv, strlen(csv), &rows, &n, &err), GC_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[2].start, "10:00");
	assert_true(rows[2].patience == 90 && rows[0].patience == 0);
	assert_int_equal(rows[2].line, 5);
	struct wfm_plan_goal g = {.interval = 1800, .goal = {.service_level = 0.8, .target = 20}};
	struct wfm_plan_result r;
	assert_int_equal(wfm_plan_staff(&rows[0], &g, &r), GC_OK);
	assert_int_equal(r.agents, 14);
	assert_false(r.erlang_a);
	assert_int_equal(wfm_plan_staff(&rows[1], &g, &r), GC_OK);
	assert_int_equal(r.agents, 0);
	assert_int_equal(wfm_plan_staff(&rows[2], &g, &r), GC_OK);
	assert_true(r.erlang_a && r.p_abandon > 0);
	free(rows);
	const char *bad[][2] = {
		{"09:00,100,180\n09:30,-5,180\n", "line 2"},
		{"09:00,100,0\n", "line 1"},
		{"09:00,100\n", "line 1"},
		{"09:00,100,180,90,extra\n", "line 1"},
		{"start,calls,aht\n", "line 1"},
		{"09:00,100,180\n\"09:30,1,1\n", "line 2"},
		{"", "line 1"},
		/* a header by name: an in-house count is not a patience */
		{"start,calls,aht,inhuose\n09:00,100,180,30\n", "line 1"},
		{"start,calls,patience\n09:00,100,30\n", "line 1"},
		{"start,calls,aht,calls\n09:00,100,180,1\n", "line 1"},
		{"start,calls,aht\n09:00,100,180,30\n", "line 2"},
		/* a start that is no time, and an interval given twice */
		{"not a time,100,180\n", "line 1"},
		{"Mon 09:00,100,180\n", "line 1"},
		{"9:0,100,180\n", "line 1"},
		{"start,calls,aht,patience,inhouse,comment\n09:00,1,2,3,4,x\n", "line 1"},
		{"2026-05-04T09:00,100,180\n2026-05-04T09:30,100,180\n2026-05-04T09:00,100,180\n", "line 3"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(wfm_plan_parse(bad[i][0], strlen(bad[i][0]), &rows, &n, &err), GC_EINVAL);
		assert_string_equal(err.field, bad[i][1]);
	}
	assert_non_null(strstr(err.message, "already on line 1"));
	/* a time of day with one digit for the hour, or with seconds */
	const char *times = "9:00,10,180\n09:30:00,10,180\n";
	assert_int_equal(wfm_plan_parse(times, strlen(times), &rows, &n, &err), GC_OK);
	assert_int_equal(n, 2);
	free(rows);
	/* columns in the header's order, whatever it is; a spreadsheet's byte-order mark */
	const char *named = "\xEF\xBB\xBFinterval_start,aht,Calls,inhouse\n2026-05-04T09:30,330,420,30\n";
	assert_int_equal(wfm_plan_parse(named, strlen(named), &rows, &n, &err), GC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].start, "2026-05-04T09:30");
	assert_true(rows[0].calls == 420 && rows[0].aht == 330 && rows[0].inhouse == 30 && rows[0].patience == 0);
	free(rows);
}

/* A plan's rows staffed for the interval they count: quarter hours read as
 * half hours halved each row's load (10 agents where 18 were needed), hours
 * read as half hours doubled it; both are refused, naming the interval. */
static void plans_keep_to_their_interval(void **state)
{
	const char *quarters = "start,calls,aht\n2026-02-02T09:00,47,272\n2026-02-02T09:15,59,260\n"
			       "2026-02-02T09:30,70,279\n";
	struct wfm_plan_row *rows = NULL;
	size_t n = 0;
	struct decode_error err;
	assert_int_equal(wfm_plan_parse(quarters, strlen(quarters), &rows, &n, &err), GC_OK);
	assert_int_equal(wfm_plan_check_interval(rows, n, 1800, &err), GC_EINVAL);
	assert_string_equal(err.field, "interval");
	assert_non_null(strstr(err.message, "line 3 (2026-02-02T09:15) starts 900 seconds after line 2"));
	assert_non_null(strstr(err.message, "(900)"));
	assert_int_equal(wfm_plan_check_interval(rows, n, 900, &err), GC_OK);
	struct wfm_plan_goal g = {.interval = 900, .goal = {.service_level = 0.8, .target = 20}};
	struct wfm_plan_result r;
	assert_int_equal(wfm_plan_staff(&rows[0], &g, &r), GC_OK);
	assert_int_equal(r.agents, 18);
	free(rows);
	/* times of day, in any order */
	const char *unordered = "09:30,10,180\n9:00,10,180\n09:15,10,180\n";
	assert_int_equal(wfm_plan_parse(unordered, strlen(unordered), &rows, &n, &err), GC_OK);
	assert_int_equal(wfm_plan_check_interval(rows, n, 1800, &err), GC_EINVAL);
	assert_non_null(strstr(err.message, "line 3 (09:15) starts 900 seconds after line 2 (9:00)"));
	free(rows);
	/* a day of hours */
	char hours[512] = "start,calls,aht\n";
	for (int h = 8; h < 20; h++)
		snprintf(hours + strlen(hours), sizeof(hours) - strlen(hours), "2026-02-02 %02d:00,100,180\n", h);
	assert_int_equal(wfm_plan_parse(hours, strlen(hours), &rows, &n, &err), GC_OK);
	assert_int_equal(wfm_plan_check_interval(rows, n, 1800, &err), GC_EINVAL);
	assert_non_null(strstr(err.message, "3600-second boundary"));
	assert_int_equal(wfm_plan_check_interval(rows, n, 3600, &err), GC_OK);
	free(rows);
	/* half hours with gaps (a closed lunch, the night), and a few rows on the hour, are plans */
	const char *gaps = "08:00,10,180\n08:30,10,180\n14:00,10,180\n19:30,10,180\n";
	assert_int_equal(wfm_plan_parse(gaps, strlen(gaps), &rows, &n, &err), GC_OK);
	assert_int_equal(wfm_plan_check_interval(rows, n, 1800, &err), GC_OK);
	free(rows);
	const char *peaks = "10:00,10,180\n15:00,10,180\n";
	assert_int_equal(wfm_plan_parse(peaks, strlen(peaks), &rows, &n, &err), GC_OK);
	assert_int_equal(wfm_plan_check_interval(rows, n, 1800, &err), GC_OK);
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(published_values),
		cmocka_unit_test(agrees_with_quad_precision),
		cmocka_unit_test(unstable_queues_are_said_so),
		cmocka_unit_test(staffing_is_the_fewest_meeting_every_goal),
		cmocka_unit_test(erlang_a_matches_the_chain),
		cmocka_unit_test(erlang_a_approaches_erlang_c),
		cmocka_unit_test(erlang_a_staffing_is_minimal),
		cmocka_unit_test(plans_parse_and_name_bad_lines),
		cmocka_unit_test(plans_keep_to_their_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
