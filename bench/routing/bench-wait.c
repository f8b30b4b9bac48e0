/* Expected waits against real ones: simulated days through the routing
 * engine itself (src/route/engine.c), one queue, agents taking one contact
 * at a time with a wrap-up after each, Poisson arrivals whose rate rises
 * and falls over the day, lognormal handle times whose mean is not 5
 * minutes (a different one each day). At each arrival the wait announced
 * is recorded twice: by the estimator the daemon uses (guichet/wait.h: the
 * mean of the queue's last wrap-ups, the free slots, the contacts ahead)
 * and by the fixed estimate it replaced ((ahead + 1) * 5 min / agents);
 * then the real wait, once an agent takes the contact. Prints each day's
 * mean absolute errors, then one JSON line: wait_mae_s (the estimator),
 * wait_mae_fixed_s (the fixed estimate), over every contact of every day.
 * Customers never give up here: every contact has a real wait. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/route.h"
#include "guichet/wait.h"
#include "wfm/rng.h"

#define CHANNEL 0               /* voice */
#define DAY_S (8 * 3600)
#define WRAPUP_MS 15000
#define MAX_AGENTS 64
#define FIXED_HANDLE_MS 300000

struct day {
	double handle_s, cv;    /* the day's mean handle time and its spread */
	int agents;
	double peak_load;       /* offered load at the peak, over the agents */
};

static const struct day days[] = {
	{60, 0.6, 8, 0.95}, {150, 0.8, 12, 0.92}, {240, 1.0, 20, 0.95}, {420, 0.7, 10, 0.9}, {90, 1.2, 30, 0.97},
};

struct contact {
	int64_t arrived, announced, announced_fixed, waited;
};

struct sim {
	struct route_engine *e;
	struct rng rng;
	const struct day *day;
	uint32_t queue, n_agents;
	int64_t finish_at[MAX_AGENTS], handle[MAX_AGENTS];
	uint32_t holds[MAX_AGENTS];
	struct route_handle_window window;
	struct contact *c;
	size_t n_c, cap_c;
};

static double lognormal(struct rng *r, double mean, double cv)
{
	double s2 = log(1 + cv * cv), mu = log(mean) - s2 / 2;
	double z = sqrt(-2 * log(rng_uniform(r))) * cos(2 * M_PI * rng_uniform(r));
	return exp(mu + sqrt(s2) * z);
}

/* The arrival rate (a second) at t: from half the peak at the opening and
 * the closing to the peak at midday. */
static double rate_at(const struct day *d, double t)
{
	double peak = d->peak_load * d->agents / (d->handle_s + WRAPUP_MS / 1000.0);
	return peak * (0.5 + 0.5 * sin(M_PI * t / DAY_S));
}

/* Offers go straight to accept: the real wait is known, the handle time drawn. */
static void take_offers(struct sim *s, int64_t now)
{
	struct route_decision d;
	while (route_engine_poll(s->e, &d)) {
		if (d.kind != ROUTE_OFFER)
			continue;
		if (route_offer_accept(s->e, now, d.contact, d.agent) < 0)
			abort();
		s->c[d.contact].waited = now - s->c[d.contact].arrived;
		s->holds[d.agent] = d.contact;
		s->handle[d.agent] = (int64_t)(lognormal(&s->rng, s->day->handle_s, s->day->cv) * 1000) + 1;
		s->finish_at[d.agent] = now + s->handle[d.agent];
	}
}

/* The waits announced to a newcomer, as the daemon's router_queue_load and
 * router_load_wait_ms count them, and as the fixed estimate did. */
static void announce(struct sim *s, struct contact *c)
{
	struct route_queue_view qv;
	route_queue_view(s->e, s->queue, &qv);
	struct route_wait_load l = {.ahead = qv.waiting};
	for (uint32_t a = 0; a < s->n_agents; a++) {
		const struct route_agent_config *cfg = route_agent_config(s->e, a);
		struct route_agent_view av;
		route_agent_view(s->e, a, &av);
		l.slots += (uint32_t)cfg->capacity[CHANNEL];
		if (av.presence == ROUTE_AVAILABLE && !av.in_wrapup && av.active[CHANNEL] < cfg->capacity[CHANNEL])
			l.free += (uint32_t)(cfg->capacity[CHANNEL] - av.active[CHANNEL]);
	}
	int64_t handle = route_handle_window_mean(&s->window);
	l.hold_ms = (handle > 0 ? handle : ROUTE_WAIT_DEFAULT_HANDLE_MS) + WRAPUP_MS;
	c->announced = route_wait_expected_ms(&l);
	c->announced_fixed = (int64_t)(qv.waiting + 1) * FIXED_HANDLE_MS / qv.logged_in;
}

static int arrive(struct sim *s, int64_t now)
{
	struct contact c = {.arrived = now, .waited = -1};
	announce(s, &c);
	uint32_t id;
	int rc = route_contact_enqueue(s->e, now, s->queue, 0, &id);
	if (rc < 0)
		return rc;
	if (id >= s->cap_c) {
		size_t cap = s->cap_c ? 2 * s->cap_c : 4096;
		struct contact *grown = realloc(s->c, cap * sizeof(*grown));
		if (grown == NULL)
			return GC_ENOMEM;
		s->c = grown;
		s->cap_c = cap;
	}
	s->c[id] = c;
	s->n_c = id + 1 > s->n_c ? id + 1 : s->n_c;
	take_offers(s, now);
	return GC_OK;
}

static int setup(struct sim *s, const struct day *d, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->day = d;
	rng_seed(&s->rng, seed);
	if ((s->e = route_engine_new(1)) == NULL)
		return GC_ENOMEM;
	struct route_queue_config q = {.skill = 0, .channel = CHANNEL, .level = 1, .strategy = ROUTE_LONGEST_IDLE,
				       .wrapup_ms = WRAPUP_MS, .overflow_to = ROUTE_NONE};
	int rc = route_queue_add(s->e, &q, &s->queue);
	s->n_agents = (uint32_t)d->agents;
	for (uint32_t a = 0; rc == GC_OK && a < s->n_agents; a++) {
		struct route_agent_config cfg = {.level = 1, .n_skills = 1, .max_total = 1};
		cfg.skills[0] = (struct route_skill){.skill = 0, .proficiency = 5};
		cfg.capacity[CHANNEL] = 1;
		uint32_t id;
		if ((rc = route_agent_add(s->e, &cfg, &id)) == GC_OK)
			rc = route_agent_presence(s->e, 0, id, ROUTE_AVAILABLE);
		s->finish_at[a] = INT64_MAX;
	}
	return rc;
}

/* One day: arrivals until closing, then the queue served to its end. */
static int run_day(struct sim *s)
{
	double next_arrival = 0, peak = rate_at(s->day, DAY_S / 2.0);
	int rc = GC_OK;
	for (;;) {
		/* the next arrival, by thinning the peak rate down to the hour's */
		while (next_arrival < DAY_S) {
			next_arrival += rng_exponential(&s->rng, 1 / peak);
			if (rng_uniform(&s->rng) * peak <= rate_at(s->day, next_arrival))
				break;
		}
		int64_t arrival = next_arrival < DAY_S ? (int64_t)(next_arrival * 1000) + 1 : INT64_MAX;
		for (;;) {
			uint32_t first = 0;
			for (uint32_t a = 1; a < s->n_agents; a++)
				if (s->finish_at[a] < s->finish_at[first])
					first = a;
			int64_t due = route_engine_next_due(s->e), finish = s->finish_at[first];
			int64_t t = arrival < finish ? arrival : finish;
			t = due < t ? due : t;
			if (t == INT64_MAX)
				return GC_OK; /* closed and everyone served */
			bool arrived = false;
			if (t == due) {
				rc = route_engine_tick(s->e, t);
			} else if (t == finish) {
				route_handle_window_add(&s->window, s->handle[first]);
				s->finish_at[first] = INT64_MAX;
				rc = route_contact_finish(s->e, t, s->holds[first]);
			} else {
				rc = arrive(s, t);
				arrived = true;
			}
			if (rc < 0)
				return rc;
			take_offers(s, t);
			if (arrived)
				break;
		}
	}
}

int main(void)
{
	double err = 0, err_fixed = 0;
	size_t n = 0;
	printf("%-8s %6s %7s %9s %10s %12s %14s\n", "day", "agents", "aht_s", "contacts", "mean_wait", "mae_est_s",
	       "mae_fixed_5m_s");
	for (size_t k = 0; k < sizeof(days) / sizeof(days[0]); k++) {
		struct sim s;
		int rc = setup(&s, &days[k], 1000 + k);
		if (rc == GC_OK)
			rc = run_day(&s);
		if (rc < 0) {
			fprintf(stderr, "bench-wait: day %zu: error %d\n", k + 1, rc);
			return 1;
		}
		double e = 0, ef = 0, w = 0;
		for (size_t i = 0; i < s.n_c; i++) {
			if (s.c[i].waited < 0)
				abort(); /* every contact served */
			e += fabs((double)(s.c[i].announced - s.c[i].waited));
			ef += fabs((double)(s.c[i].announced_fixed - s.c[i].waited));
			w += (double)s.c[i].waited;
		}
		printf("%-8zu %6d %7.0f %9zu %9.1fs %12.1f %14.1f\n", k + 1, days[k].agents, days[k].handle_s, s.n_c,
		       w / s.n_c / 1000, e / s.n_c / 1000, ef / s.n_c / 1000);
		err += e;
		err_fixed += ef;
		n += s.n_c;
		route_engine_free(s.e);
		free(s.c);
	}
	printf("{\"wait_contacts\":%zu,\"wait_mae_s\":%.1f,\"wait_mae_fixed_s\":%.1f}\n", n, err / n / 1000,
	       err_fixed / n / 1000);
	return 0;
}
