/* Erlang A: M/M/N+M, callers who give up after an exponential patience.
 *
 * The number in the system is a birth-death chain: births at rate lambda;
 * deaths at k*mu below N, and N*mu + j*theta with j callers waiting. Relative
 * to the state N (all agents busy, nobody waiting):
 *   - the states below N weigh 1/B(N, A) - 1 in all (the Erlang B identity);
 *   - the state N + j weighs t_j = prod_{i=1..j} lambda / (N mu + i theta).
 * The t_j can overflow a double (an overloaded queue), so they are summed in
 * log space with a running maximum.
 *
 * Service level, defined as the share of ALL arrivals answered within the
 * target T. A caller finding j others waiting is answered after j + 1 queue
 * departures ahead of it, at rates N mu + i theta (i = j .. 0), if its own
 * patience lasts. With c = N mu / theta and x = 1 - exp(-theta T):
 *   P(answered within T | j) = c / (c + j + 1) * I_x(j + 1, c + 1),
 * because exp(-theta V) of that sum of exponentials is Beta(c + 1, j + 1)
 * distributed, and I_x(n, c + 1) = 1 - sum_{k<n} NB(k; c + 1, x), the
 * negative binomial distribution function, which a recursion over k gives
 * for every j in one pass (also in log space). */
#include "guichet/wfm.h"
#include "guichet/error.h"

#include <math.h>

#define MAX_QUEUE_STATES 10000000

/* A sum of exp(values) kept as exp(shift) * sum, so nothing overflows. */
struct logsum {
	double shift, sum;
};

static void logsum_add(struct logsum *s, double log_value)
{
	if (log_value == -INFINITY)
		return;
	if (s->sum == 0) {
		s->shift = log_value;
		s->sum = 1.0;
	} else if (log_value > s->shift) {
		s->sum = s->sum * exp(s->shift - log_value) + 1.0;
		s->shift = log_value;
	} else {
		s->sum += exp(log_value - s->shift);
	}
}

static double logsum_log(const struct logsum *s)
{
	return s->sum > 0 ? s->shift + log(s->sum) : -INFINITY;
}

/* log(a + b) from log a and log b. */
static double log_add(double la, double lb)
{
	if (la == -INFINITY)
		return lb;
	if (lb == -INFINITY)
		return la;
	return la > lb ? la + log1p(exp(lb - la)) : lb + log1p(exp(la - lb));
}

struct queue_sums {
	struct logsum q;      /* sum over j >= 1 of t_j */
	struct logsum jq;     /* sum of j t_j */
	struct logsum served; /* sum over j >= 0 of t_j P(answered within T | j) */
};

/* P(answered within T | j waiting) in log space, advancing the negative
 * binomial state (log pmf and log distribution function) by one. */
struct nb_state {
	double log_p;         /* log NB(k; c + 1, x) for the next k */
	double log_cdf;       /* log sum_{k' < k} NB(k'; c + 1, x) */
	int k;
};

static double log_answered(struct nb_state *nb, double c, double log_x, int j)
{
	/* add NB(j) to the distribution function: it now covers k < j + 1 */
	nb->log_cdf = log_add(nb->log_cdf, nb->log_p);
	nb->log_p += log((c + 1 + nb->k) / (nb->k + 1.0)) + log_x;
	nb->k++;
	double tail = nb->log_cdf >= 0 ? 0 : -expm1(nb->log_cdf); /* I_x(j + 1, c + 1) */
	return tail > 0 ? log(c / (c + j + 1)) + log(tail) : -INFINITY;
}

static int sum_queue(double lambda, double mu, double theta, int agents, double target,
		     struct queue_sums *s)
{
	double c = agents * mu / theta;
	double log_x = log(-expm1(-theta * target));
	struct nb_state nb = {.log_p = -(c + 1) * theta * target, .log_cdf = -INFINITY};
	double log_t = 0; /* t_0 = 1 */
	for (int j = 0;; j++) {
		if (target > 0) /* with T = 0 only callers finding a free agent count */
			logsum_add(&s->served, log_t + log_answered(&nb, c, log_x, j));
		double ratio = lambda / (agents * mu + (j + 1) * theta);
		log_t += log(ratio);
		logsum_add(&s->q, log_t);
		logsum_add(&s->jq, log_t + log(j + 1.0));
		/* past the peak the terms fall geometrically: stop when the rest of
		 * sum j t_j (bounded by a geometric series) is below 1e-17 of it */
		if (ratio < 1 && log_t + log(j + 2.0) - log1p(-ratio) < logsum_log(&s->jq) + log(1e-17) &&
		    log_t < logsum_log(&s->q) + log(1e-17))
			return GC_OK;
		if (j > MAX_QUEUE_STATES)
			return GC_ETOOBIG;
	}
}

int wfm_erlang_a(const struct wfm_traffic *t, double patience, int agents, double target,
		 struct wfm_erlang_a *ret)
{
	double load = wfm_load(t), mu = 1.0 / t->aht, lambda = t->calls / t->interval;
	double theta = 1.0 / patience;
	double b = wfm_erlang_b(load, agents);
	struct wfm_erlang_a r = {.load = load};
	if (b == 0) { /* so many agents that nobody waits, to double precision */
		r.service_level = 1.0;
		r.occupancy = load / agents;
		*ret = r;
		return GC_OK;
	}
	struct queue_sums s = {{0, 0}, {0, 0}, {0, 0}};
	int rc = sum_queue(lambda, mu, theta, agents, target, &s);
	if (rc < 0)
		return rc;
	/* everything relative to pi_N, then scaled: pi_N = 1 / (1/B + Q) */
	double log_q = logsum_log(&s.q), log_below = log(1.0 / b - 1.0);
	double log_total = log_add(log(1.0 / b), log_q);
	double pi_n = exp(-log_total);
	double q = exp(log_q - log_total);                 /* pi_N * Q */
	double eq = exp(logsum_log(&s.jq) - log_total);    /* mean number waiting */
	double below = exp(log_below - log_total);         /* P(an agent is free) */
	double answered = target > 0 ? exp(logsum_log(&s.served) - log_total) : 0;
	r.p_wait = pi_n + q;
	r.mean_wait = eq / lambda;
	r.p_abandon = theta * eq / lambda;
	r.service_level = below + answered;
	/* busy agents: sum_{k<N} k pi_k + N P(k >= N) = A * below + N * pi_N * Q,
	 * since sum_{k<=N} k pi_k = A sum_{k<N} pi_k */
	r.occupancy = (load * below + agents * q) / agents;
	if (r.service_level > 1)
		r.service_level = 1;
	*ret = r;
	return GC_OK;
}

static int meets_a(const struct wfm_traffic *t, const struct wfm_goal_a *g, int n,
		   struct wfm_erlang_a *ret, bool *ret_ok)
{
	int rc = wfm_erlang_a(t, g->patience, n, g->base.target, ret);
	if (rc < 0)
		return rc;
	*ret_ok = ret->service_level >= g->base.service_level &&
		  (g->max_abandon <= 0 || ret->p_abandon <= g->max_abandon) &&
		  (g->base.max_asa <= 0 || ret->mean_wait <= g->base.max_asa) &&
		  (g->base.max_occupancy <= 0 || ret->occupancy <= g->base.max_occupancy);
	return GC_OK;
}

int wfm_staff_erlang_a(const struct wfm_traffic *t, const struct wfm_goal_a *goal,
		       struct wfm_staffing_a *ret)
{
	struct wfm_erlang_a m = {.service_level = 1};
	int good = 0;
	bool ok = false;
	int rc;
	if (t->calls > 0) {
		int bad = 0;
		good = 1;
		for (;;) { /* exponential search for a count that meets the goal */
			if ((rc = meets_a(t, goal, good, &m, &ok)) < 0)
				return rc;
			if (ok)
				break;
			bad = good;
			if (good == WFM_MAX_AGENTS)
				return GC_ETOOBIG;
			good = good * 2 > WFM_MAX_AGENTS ? WFM_MAX_AGENTS : good * 2;
		}
		while (good - bad > 1) { /* then binary search between */
			int mid = bad + (good - bad) / 2;
			struct wfm_erlang_a mm;
			if ((rc = meets_a(t, goal, mid, &mm, &ok)) < 0)
				return rc;
			if (ok) {
				good = mid;
				m = mm;
			} else {
				bad = mid;
			}
		}
	}
	ret->agents = good;
	ret->staff = (int)ceil(good / (1.0 - goal->base.shrinkage) - 1e-9);
	ret->at = m;
	return GC_OK;
}
