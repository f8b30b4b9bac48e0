/* Erlang B and C, and staffing to a service-level goal (guichet/wfm.h).
 *
 * Erlang B is computed by its recursion B(n) = A B(n-1) / (n + A B(n-1)),
 * which is stable (errors shrink as n grows). To avoid walking from 0 to the
 * answer, the walk starts at n0 = floor(A), where the series
 *   1/B(n0, A) = sum_{k=0..n0} prod_{j<k} (n0 - j) / A
 * has terms no larger than 1 that fall like exp(-k^2 / 2A): about 9 sqrt(A)
 * of them reach double precision. Staffing then steps n up one at a time,
 * updating B, C and exp(-(n - A) T / AHT) with a few operations each. */
#include "guichet/wfm.h"
#include "guichet/error.h"

#include <math.h>

double wfm_load(const struct wfm_traffic *t)
{
	return t->calls * t->aht / t->interval;
}

/* B(n, A) from the series, for n <= A + 1 (terms stay <= about 1). */
static double erlang_b_series(double load, int n)
{
	double term = 1.0, sum = 1.0;
	for (int k = 0; k < n; k++) {
		term *= (double)(n - k) / load;
		sum += term;
		if (term < sum * 1e-17)
			break;
	}
	return 1.0 / sum;
}

/* One step of the recursion: B(n) from B(n - 1). */
static inline double erlang_b_next(double load, int n, double b)
{
	return load * b / (n + load * b);
}

double wfm_erlang_b(double load, int agents)
{
	if (agents <= 0)
		return 1.0;
	if (load <= 0)
		return 0.0;
	int n0 = load >= 1 && load < agents ? (int)floor(load) : 0;
	double b = n0 > 0 ? erlang_b_series(load, n0) : 1.0;
	for (int n = n0 + 1; n <= agents; n++)
		b = erlang_b_next(load, n, b);
	return b;
}

/* Fills the Erlang C metrics for n agents from B(n, A) and exp(-(n-A)T/AHT). */
static void erlang_c_from_b(double load, double aht, int n, double b, double decay,
			    struct wfm_erlang_c *ret)
{
	ret->load = load;
	ret->stable = n > load;
	if (!ret->stable) {
		ret->p_wait = 1.0;
		ret->service_level = 0.0;
		ret->asa = 0.0;
		ret->occupancy = 1.0;
		return;
	}
	double c = b / (1.0 - (load / n) * (1.0 - b));
	ret->p_wait = c;
	ret->service_level = 1.0 - c * decay;
	ret->asa = c * aht / (n - load);
	ret->occupancy = load / n;
}

void wfm_erlang_c(const struct wfm_traffic *t, int agents, double target, struct wfm_erlang_c *ret)
{
	double load = wfm_load(t);
	double decay = agents > load ? exp(-(agents - load) * target / t->aht) : 1.0;
	erlang_c_from_b(load, t->aht, agents, wfm_erlang_b(load, agents), decay, ret);
}

static bool meets(const struct wfm_erlang_c *m, const struct wfm_goal *g)
{
	return m->stable && m->service_level >= g->service_level &&
	       (g->max_asa <= 0 || m->asa <= g->max_asa) &&
	       (g->max_occupancy <= 0 || m->occupancy <= g->max_occupancy);
}

int wfm_staff_erlang_c(const struct wfm_traffic *t, const struct wfm_goal *goal,
		       struct wfm_staffing *ret)
{
	double load = wfm_load(t);
	struct wfm_erlang_c m = {.load = 0, .stable = true, .service_level = 1, .occupancy = 0};
	int n = 0;
	if (load > 0) {
		n = (int)floor(load) + 1; /* the first stable count */
		double b = wfm_erlang_b(load, n);
		double step = exp(-goal->target / t->aht);
		double decay = exp(-(n - load) * goal->target / t->aht);
		for (erlang_c_from_b(load, t->aht, n, b, decay, &m); !meets(&m, goal);
		     erlang_c_from_b(load, t->aht, n, b, decay, &m)) {
			if (++n > WFM_MAX_AGENTS)
				return GC_ETOOBIG;
			b = erlang_b_next(load, n, b);
			decay *= step;
		}
	}
	ret->agents = n;
	ret->staff = (int)ceil(n / (1.0 - goal->shrinkage) - 1e-9);
	ret->at = m;
	return GC_OK;
}
