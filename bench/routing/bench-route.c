/* Routing engine benchmark: 10,000 agents with 5 of 500 skills each, 500
 * queues, 100,000 contacts waiting. Each round an agent finishes its call,
 * the engine picks its next contact (the routing decision), the agent
 * accepts, and a new contact arrives. Timed on one core, with the p99 of the
 * decision, against a straightforward implementation that scans every
 * waiting contact for each decision, measured in the same run. Prints the
 * figures, then one JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guichet/error.h"
#include "guichet/route.h"

#define AGENTS 10000
#define SKILLS 500
#define WAITING 100000
#define SKILLS_PER_AGENT 5

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static uint32_t agent_skill[AGENTS][SKILLS_PER_AGENT];
static uint32_t holds[AGENTS];

/* Offers go straight to accept; remembers who holds what. */
static void accept_all(struct route_engine *e, int64_t t)
{
	struct route_decision d;
	while (route_engine_poll(e, &d)) {
		if (d.kind != ROUTE_OFFER)
			continue;
		route_offer_accept(e, t, d.contact, d.agent);
		holds[d.agent] = d.contact;
	}
}

/* --- the reference: every waiting contact scanned for each decision --- */

struct waiting {
	uint32_t queue;
	int priority;
	int64_t since;
	bool gone;
};

static struct waiting *pool;
static size_t n_pool;

static size_t linear_pick(uint32_t agent)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < n_pool; i++) {
		if (pool[i].gone)
			continue;
		bool skilled = false;
		for (int k = 0; k < SKILLS_PER_AGENT; k++)
			skilled |= agent_skill[agent][k] == pool[i].queue;
		if (skilled && (best == SIZE_MAX || pool[i].priority > pool[best].priority ||
				(pool[i].priority == pool[best].priority && pool[i].since < pool[best].since)))
			best = i;
	}
	return best;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 2000000;
	srand(7);
	struct route_engine *e = route_engine_new(SKILLS);
	for (uint32_t s = 0; s < SKILLS; s++) {
		struct route_queue_config q = {.skill = s, .channel = 0, .level = 1, .overflow_to = ROUTE_NONE};
		uint32_t id;
		route_queue_add(e, &q, &id);
	}
	for (uint32_t a = 0; a < AGENTS; a++) {
		struct route_agent_config c = {.level = 1, .n_skills = SKILLS_PER_AGENT, .max_total = 1};
		c.capacity[0] = 1;
		for (int k = 0; k < SKILLS_PER_AGENT; k++) {
			uint32_t s;
			bool dup;
			do { /* distinct skills */
				s = (uint32_t)rand() % SKILLS;
				dup = false;
				for (int j = 0; j < k; j++)
					dup |= agent_skill[a][j] == s;
			} while (dup);
			agent_skill[a][k] = s;
			c.skills[k] = (struct route_skill){.skill = s, .proficiency = 1 + rand() % 10};
		}
		uint32_t id;
		route_agent_add(e, &c, &id);
		route_agent_presence(e, 0, id, ROUTE_AVAILABLE);
	}
	int64_t t = 1;
	for (int i = 0; i < AGENTS + WAITING; i++) {
		uint32_t c;
		route_contact_enqueue(e, t++, (uint32_t)rand() % SKILLS, rand() % 3, &c);
		accept_all(e, t);
	}
	double *lat = malloc(sizeof(double) * (size_t)rounds);
	double start = now_s();
	for (int r = 0; r < rounds; r++) {
		uint32_t a = (uint32_t)rand() % AGENTS, c;
		double t0 = now_s();
		route_contact_finish(e, t, holds[a]); /* the agent is free: the engine picks its next contact */
		lat[r] = now_s() - t0;
		accept_all(e, t);
		route_contact_enqueue(e, t++, (uint32_t)rand() % SKILLS, rand() % 3, &c);
		accept_all(e, t);
	}
	double secs = now_s() - start;
	qsort(lat, (size_t)rounds, sizeof(double), cmp);
	double p99 = lat[(size_t)rounds * 99 / 100] * 1e6, p50 = lat[(size_t)rounds / 2] * 1e6;
	int waiting_check = 0;
	struct route_contact_view v;
	for (uint32_t c = 0; c < route_engine_n_contacts(e); c++)
		waiting_check += route_contact_view(e, c, &v) == GC_OK && v.state == ROUTE_WAITING;

	/* the reference on the same shape of load */
	n_pool = WAITING;
	pool = malloc(sizeof(*pool) * (n_pool + 100000));
	for (size_t i = 0; i < n_pool; i++)
		pool[i] = (struct waiting){(uint32_t)rand() % SKILLS, rand() % 3, (int64_t)i, false};
	int ref_rounds = 2000;
	double ref_start = now_s();
	for (int r = 0; r < ref_rounds; r++) {
		size_t pick = linear_pick((uint32_t)rand() % AGENTS);
		if (pick != SIZE_MAX)
			pool[pick].gone = true;
		pool[n_pool] = (struct waiting){(uint32_t)rand() % SKILLS, rand() % 3, (int64_t)n_pool, false};
		n_pool++;
	}
	double ref_secs = now_s() - ref_start;
	double rate = rounds / secs, ref_rate = ref_rounds / ref_secs;
	printf("engine: %d decisions in %.2f s: %.0f decisions/s (each round also accepts and enqueues); "
	       "decision p50 %.2f us, p99 %.2f us; %d contacts waiting at the end\n", rounds, secs, rate, p50, p99,
	       waiting_check);
	printf("linear scan of the %d waiting contacts per decision: %.0f decisions/s\n", WAITING, ref_rate);
	printf("{\"decisions_per_s\":%.0f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"linear_decisions_per_s\":%.0f,"
	       "\"ratio\":%.1f,\"agents\":%d,\"skills\":%d,\"waiting\":%d}\n", rate, p50, p99, ref_rate, rate / ref_rate,
	       AGENTS, SKILLS, waiting_check);
	free(lat);
	free(pool);
	route_engine_free(e);
	return 0;
}
