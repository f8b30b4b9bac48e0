/* Staffing benchmark: 96 intervals x 1,000 queues, loads up to 10,000
 * Erlangs, each staffed to 80% in 20 s, timed on one core; against the
 * textbook method measured in the same run (for each candidate agent count,
 * Erlang B by its recursion from zero). Prints figures, then one JSON line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "guichet/error.h"
#include "guichet/wfm.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The textbook way: try n = floor(A) + 1, + 2, ... each from scratch. */
static int staff_textbook(const struct wfm_traffic *t, double sl, double target)
{
	double load = wfm_load(t);
	for (int n = (int)floor(load) + 1;; n++) {
		double b = 1;
		for (int k = 1; k <= n; k++)
			b = load * b / (k + load * b);
		double c = n * b / (n - load * (1 - b));
		if (1 - c * exp(-(n - load) * target / t->aht) >= sl)
			return n;
	}
}

int main(int argc, char **argv)
{
	int queues = argc > 1 ? atoi(argv[1]) : 1000, intervals = 96;
	int n = queues * intervals;
	struct wfm_traffic *t = malloc((size_t)n * sizeof(*t));
	srand(42);
	for (int q = 0; q < queues; q++) {
		/* queue sizes spread over four orders of magnitude, up to 10,000 Erlangs at the peak */
		double peak = pow(10, 4.0 * (q + 1) / queues);
		for (int i = 0; i < intervals; i++) {
			double shape = 0.15 + 0.85 * exp(-pow((i - 40) / 12.0, 2)) + 0.6 * exp(-pow((i - 64) / 10.0, 2));
			double load = fmin(peak * shape / 1.0, 10000);
			t[q * intervals + i] = (struct wfm_traffic){load * 1800 / 300, 1800, 300};
		}
	}
	struct wfm_goal g = {.service_level = 0.8, .target = 20};
	long long agents = 0;
	double start = now();
	for (int i = 0; i < n; i++) {
		struct wfm_staffing s;
		if (wfm_staff_erlang_c(&t[i], &g, &s) != GC_OK)
			return 1;
		agents += s.agents;
	}
	double staff_ms = (now() - start) * 1000;
	/* the textbook method on a sample (it is far slower), scaled to the whole */
	int sample = n / 100, mismatches = 0;
	start = now();
	for (int i = 0; i < n; i += n / sample) {
		struct wfm_staffing s;
		wfm_staff_erlang_c(&t[i], &g, &s);
		mismatches += staff_textbook(&t[i], 0.8, 20) != s.agents;
	}
	double textbook_ms = (now() - start) * 1000 * ((double)n / sample);
	printf("staffing %d intervals (%d queues x %d): %.1f ms, %lld agents in all\n", n, queues, intervals,
	       staff_ms, agents);
	printf("textbook method (Erlang B from zero per candidate), extrapolated from 1%%: %.0f ms\n", textbook_ms);
	printf("answers that differ from the textbook's: %d of %d\n", mismatches, sample);
	printf("{\"intervals\":%d,\"staff_ms\":%.2f,\"textbook_ms\":%.1f,\"speedup\":%.1f,\"mismatches\":%d}\n", n,
	       staff_ms, textbook_ms, textbook_ms / staff_ms, mismatches);
	free(t);
	return mismatches != 0;
}
