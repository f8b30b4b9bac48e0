/* The contact-center simulator (sim.h).
 *
 * Events sit in a binary min-heap ordered by time: an arrival at a queue, an
 * agent of a group finishing a call, a waiting caller giving up, a waiting
 * caller overflowing to another queue. A caller who was answered (or moved)
 * before its give-up or overflow time leaves a stale event behind; events
 * carry the caller's generation, so a stale one is recognised and dropped.
 * Each queue is a FIFO of callers; a free agent takes the caller who has
 * waited longest among the queues its group serves.
 *
 * Measures count the callers who arrive inside the measured window (after
 * the warmup); arrivals stop at its end and the simulation runs on until
 * every measured caller is answered or has given up. Occupancy is the busy
 * time of a group inside the window over its agents times the window. */
#include "wfm/sim.h"
#include "wfm/rng.h"
#include "guichet/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum kind { ARRIVAL, DEPARTURE, ABANDON, OVERFLOW };

struct event {
	double time;
	uint32_t id;    /* queue (arrival), group (departure), caller (abandon, overflow) */
	uint32_t gen;   /* the caller's generation, for abandon and overflow */
	uint32_t kind;
	double start;   /* departure: when the call started (for busy time) */
};

struct caller {
	double arrival;     /* into the system */
	uint32_t gen;
	int queue;          /* where it waits now */
	int origin;         /* where it arrived: its measures count there */
	bool waiting, measured;
};

struct ticket {
	uint32_t id, gen;   /* a caller slot and its generation: slots are reused */
};

struct fifo {
	struct ticket *items;
	size_t head, len, cap;
};

struct sim {
	const struct sim_scenario *s;
	struct rng rng;
	struct event *heap;
	size_t n_heap, cap_heap;
	struct caller *callers;
	uint32_t *free_ids;
	size_t n_callers, n_free, cap_callers;
	struct fifo fifos[SIM_MAX_QUEUES];
	int free_agents[SIM_MAX_GROUPS];
	size_t next_replay[SIM_MAX_QUEUES];
	double end;         /* end of the measured window */
	uint64_t events;
	/* this replication's counts */
	double arrivals[SIM_MAX_QUEUES], answered_in_target[SIM_MAX_QUEUES], answered[SIM_MAX_QUEUES];
	double wait_sum[SIM_MAX_QUEUES], abandoned[SIM_MAX_QUEUES], busy[SIM_MAX_GROUPS];
};

static inline double uniform(struct sim *m)
{
	return rng_uniform(&m->rng);
}

static inline double exponential(struct sim *m, double mean)
{
	return rng_exponential(&m->rng, mean);
}

static double handle_time(struct sim *m, const struct sim_queue *q)
{
	if (q->handle == SIM_EXPONENTIAL)
		return exponential(m, q->aht);
	double sigma2 = log1p(q->cv * q->cv), mu = log(q->aht) - sigma2 / 2;
	double normal = sqrt(-2 * log(uniform(m))) * cos(2 * M_PI * uniform(m));
	return exp(mu + sqrt(sigma2) * normal);
}

/* --- the event heap --- */

static int push(struct sim *m, struct event e)
{
	if (m->n_heap == m->cap_heap) {
		size_t cap = m->cap_heap ? m->cap_heap * 2 : 1024;
		struct event *grown = realloc(m->heap, cap * sizeof(*grown));
		if (grown == NULL)
			return GC_ENOMEM;
		m->heap = grown;
		m->cap_heap = cap;
	}
	size_t i = m->n_heap++;
	while (i > 0 && m->heap[(i - 1) / 2].time > e.time) {
		m->heap[i] = m->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	m->heap[i] = e;
	return GC_OK;
}

static struct event pop(struct sim *m)
{
	struct event top = m->heap[0], last = m->heap[--m->n_heap];
	size_t i = 0, n = m->n_heap;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && m->heap[child + 1].time < m->heap[child].time)
			child++;
		if (m->heap[child].time >= last.time)
			break;
		m->heap[i] = m->heap[child];
		i = child;
	}
	if (n > 0)
		m->heap[i] = last;
	return top;
}

/* --- callers and queues --- */

static int new_caller(struct sim *m, uint32_t *ret_id)
{
	if (m->n_free > 0) {
		*ret_id = m->free_ids[--m->n_free];
		return GC_OK;
	}
	if (m->n_callers == m->cap_callers) {
		size_t cap = m->cap_callers ? m->cap_callers * 2 : 1024;
		struct caller *grown = realloc(m->callers, cap * sizeof(*grown));
		uint32_t *ids = realloc(m->free_ids, cap * sizeof(*ids));
		if (grown)
			m->callers = grown;
		if (ids)
			m->free_ids = ids;
		if (grown == NULL || ids == NULL)
			return GC_ENOMEM;
		m->cap_callers = cap;
	}
	*ret_id = (uint32_t)m->n_callers++;
	m->callers[*ret_id].gen = 0;
	return GC_OK;
}

static void release_caller(struct sim *m, uint32_t id)
{
	m->callers[id].waiting = false;
	m->callers[id].gen++;
	m->free_ids[m->n_free++] = id;
}

static int fifo_push(struct fifo *f, struct ticket t)
{
	if (f->len == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct ticket *grown = malloc(cap * sizeof(*grown));
		if (grown == NULL)
			return GC_ENOMEM;
		for (size_t i = 0; i < f->len; i++)
			grown[i] = f->items[(f->head + i) % f->cap];
		free(f->items);
		f->items = grown;
		f->head = 0;
		f->cap = cap;
	}
	f->items[(f->head + f->len++) % f->cap] = t;
	return GC_OK;
}

/* The caller at the head of queue q still waiting there, or -1; drops the
 * tickets of callers who left (answered elsewhere, gave up, moved on). */
static int64_t fifo_head(struct sim *m, int q)
{
	struct fifo *f = &m->fifos[q];
	while (f->len > 0) {
		struct ticket t = f->items[f->head];
		const struct caller *c = &m->callers[t.id];
		if (c->gen == t.gen && c->waiting && c->queue == q)
			return t.id;
		f->head = (f->head + 1) % f->cap;
		f->len--;
	}
	return -1;
}

/* --- what happens --- */

static bool measuring(const struct sim *m, double t)
{
	return t >= m->s->warmup && t < m->end;
}

/* Busy time of [start, stop) that falls inside the measured window. */
static double clipped(const struct sim *m, double start, double stop)
{
	double a = fmax(start, m->s->warmup), b = fmin(stop, m->end);
	return b > a ? b - a : 0;
}

static int start_call(struct sim *m, int group, uint32_t id, double now)
{
	struct caller *c = &m->callers[id];
	const struct sim_queue *q = &m->s->queues[c->queue];
	if (c->measured) {
		double wait = now - c->arrival;
		m->answered[c->origin]++;
		m->wait_sum[c->origin] += wait;
		if (wait <= m->s->target)
			m->answered_in_target[c->origin]++;
	}
	double service = handle_time(m, q);
	release_caller(m, id);
	m->free_agents[group]--;
	return push(m, (struct event){.time = now + service, .id = (uint32_t)group, .kind = DEPARTURE,
				      .start = now});
}

/* The group with the most free agents among those serving queue q, or -1. */
static int free_group(const struct sim *m, int q)
{
	int best = -1;
	for (int g = 0; g < m->s->n_groups; g++)
		if ((m->s->groups[g].skills >> q & 1) && m->free_agents[g] > 0 &&
		    (best < 0 || m->free_agents[g] > m->free_agents[best]))
			best = g;
	return best;
}

/* A caller starts waiting in queue q (on arrival, or after overflowing). */
static int enqueue(struct sim *m, uint32_t id, int q, double now)
{
	struct caller *c = &m->callers[id];
	c->queue = q;
	c->waiting = true;
	int g = free_group(m, q);
	if (g >= 0)
		return start_call(m, g, id, now);
	const struct sim_queue *qq = &m->s->queues[q];
	int rc = fifo_push(&m->fifos[q], (struct ticket){id, c->gen});
	if (rc == GC_OK && qq->overflow_to >= 0)
		rc = push(m, (struct event){.time = now + qq->overflow_after, .id = id, .gen = c->gen,
					    .kind = OVERFLOW});
	return rc;
}

static int on_arrival(struct sim *m, const struct event *e)
{
	int q = (int)e->id;
	const struct sim_queue *qq = &m->s->queues[q];
	uint32_t id;
	int rc = new_caller(m, &id);
	if (rc < 0)
		return rc;
	struct caller *c = &m->callers[id];
	c->arrival = e->time;
	c->origin = q;
	c->measured = measuring(m, e->time);
	if (c->measured)
		m->arrivals[q]++;
	if (qq->patience > 0) /* its patience runs from arrival, whatever queue it is in */
		rc = push(m, (struct event){.time = e->time + exponential(m, qq->patience), .id = id,
					    .gen = c->gen, .kind = ABANDON});
	if (rc == GC_OK)
		rc = enqueue(m, id, q, e->time);
	/* the next arrival, while arrivals last */
	double next;
	if (qq->replay)
		next = m->next_replay[q] < qq->n_replay ? qq->replay[m->next_replay[q]++] : INFINITY;
	else
		next = e->time + exponential(m, 1 / qq->arrival_rate);
	if (rc == GC_OK && next < m->end)
		rc = push(m, (struct event){.time = next, .id = (uint32_t)q, .kind = ARRIVAL});
	return rc;
}

static int on_departure(struct sim *m, const struct event *e)
{
	int g = (int)e->id;
	m->busy[g] += clipped(m, e->start, e->time);
	m->free_agents[g]++;
	/* the longest waiting caller among the queues this group serves */
	int64_t best = -1;
	for (int q = 0; q < m->s->n_queues; q++) {
		if (!(m->s->groups[g].skills >> q & 1))
			continue;
		int64_t id = fifo_head(m, q);
		if (id >= 0 && (best < 0 || m->callers[id].arrival < m->callers[best].arrival))
			best = id;
	}
	return best >= 0 ? start_call(m, g, (uint32_t)best, e->time) : GC_OK;
}

static int on_abandon(struct sim *m, const struct event *e)
{
	struct caller *c = &m->callers[e->id];
	if (c->gen != e->gen || !c->waiting)
		return GC_OK; /* answered before */
	if (c->measured)
		m->abandoned[c->origin]++;
	release_caller(m, e->id);
	return GC_OK;
}

static int on_overflow(struct sim *m, const struct event *e)
{
	struct caller *c = &m->callers[e->id];
	if (c->gen != e->gen || !c->waiting)
		return GC_OK;
	c->waiting = false; /* its ticket in the old queue is dropped */
	return enqueue(m, e->id, m->s->queues[c->queue].overflow_to, e->time);
}

/* --- replications and statistics --- */

static int replicate(struct sim *m, int rep)
{
	const struct sim_scenario *s = m->s;
	rng_seed(&m->rng, s->seed * 0x2545f4914f6cdd1dULL + (uint64_t)rep);
	m->n_heap = m->n_callers = m->n_free = 0;
	m->end = s->warmup + s->duration;
	memset(m->arrivals, 0, sizeof(m->arrivals));
	memset(m->answered_in_target, 0, sizeof(m->answered_in_target));
	memset(m->answered, 0, sizeof(m->answered));
	memset(m->wait_sum, 0, sizeof(m->wait_sum));
	memset(m->abandoned, 0, sizeof(m->abandoned));
	memset(m->busy, 0, sizeof(m->busy));
	int rc = GC_OK;
	for (int g = 0; g < s->n_groups; g++)
		m->free_agents[g] = s->groups[g].agents;
	for (int q = 0; q < s->n_queues && rc == GC_OK; q++) {
		m->fifos[q].head = m->fifos[q].len = 0;
		m->next_replay[q] = 0;
		const struct sim_queue *qq = &s->queues[q];
		double first = qq->replay ? (qq->n_replay ? qq->replay[m->next_replay[q]++] : INFINITY)
					  : qq->arrival_rate > 0 ? exponential(m, 1 / qq->arrival_rate) : INFINITY;
		if (first < m->end)
			rc = push(m, (struct event){.time = first, .id = (uint32_t)q, .kind = ARRIVAL});
	}
	while (rc == GC_OK && m->n_heap > 0) {
		struct event e = pop(m);
		m->events++;
		switch (e.kind) {
		case ARRIVAL: rc = on_arrival(m, &e); break;
		case DEPARTURE: rc = on_departure(m, &e); break;
		case ABANDON: rc = on_abandon(m, &e); break;
		default: rc = on_overflow(m, &e); break;
		}
	}
	return rc;
}

/* Student's t quantile for a two-sided 95% interval with df degrees of freedom. */
static double t95(int df)
{
	static const double table[] = {0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
		2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
		2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
	if (df <= 30)
		return table[df];
	return df <= 60 ? 2.000 : df <= 120 ? 1.980 : 1.960;
}

/* Running sums for one measure over replications. */
struct acc {
	double sum, sum2;
	int n;
};

static void acc_add(struct acc *a, double x)
{
	a->sum += x;
	a->sum2 += x * x;
	a->n++;
}

static struct sim_measure acc_measure(const struct acc *a)
{
	struct sim_measure r = {a->n ? a->sum / a->n : 0, 0};
	if (a->n > 1) {
		double var = (a->sum2 - a->n * r.mean * r.mean) / (a->n - 1);
		r.half_width = t95(a->n - 1) * sqrt(var > 0 ? var : 0) / sqrt(a->n);
	}
	return r;
}

struct queue_acc {
	struct acc sl, asa, abandon, arrivals;
};

static void record(struct queue_acc *a, double arrivals, double in_target, double answered,
		   double wait_sum, double abandoned)
{
	if (arrivals <= 0)
		return;
	acc_add(&a->arrivals, arrivals);
	acc_add(&a->sl, in_target / arrivals);
	acc_add(&a->abandon, abandoned / arrivals);
	if (answered > 0)
		acc_add(&a->asa, wait_sum / answered);
}

static struct sim_queue_result queue_result(const struct queue_acc *a)
{
	return (struct sim_queue_result){acc_measure(&a->sl), acc_measure(&a->asa), acc_measure(&a->abandon),
					 a->arrivals.n ? a->arrivals.sum / a->arrivals.n : 0};
}

static int check(const struct sim_scenario *s)
{
	if (s->n_queues < 1 || s->n_queues > SIM_MAX_QUEUES || s->n_groups < 1 || s->n_groups > SIM_MAX_GROUPS ||
	    s->replications < 1 || s->replications > SIM_MAX_REPLICATIONS || !(s->duration > 0) ||
	    s->warmup < 0 || s->target < 0)
		return GC_EINVAL;
	for (int q = 0; q < s->n_queues; q++) {
		const struct sim_queue *qq = &s->queues[q];
		bool served = false;
		for (int g = 0; g < s->n_groups; g++)
			served |= (s->groups[g].skills >> q & 1) && s->groups[g].agents > 0;
		if (!served || !(qq->aht > 0) || qq->arrival_rate < 0 || qq->patience < 0 ||
		    qq->overflow_to >= s->n_queues || qq->overflow_to == q ||
		    (qq->overflow_to >= 0 && !(qq->overflow_after >= 0)) ||
		    (qq->handle == SIM_LOGNORMAL && !(qq->cv > 0)))
			return GC_EINVAL;
	}
	return GC_OK;
}

int sim_run(const struct sim_scenario *s, struct sim_result *ret)
{
	int rc = check(s);
	if (rc < 0)
		return rc;
	struct sim m = {.s = s};
	static const struct queue_acc zero;
	struct queue_acc *per = calloc((size_t)s->n_queues, sizeof(*per));
	struct queue_acc total = zero;
	struct acc occupancy[SIM_MAX_GROUPS] = {{0, 0, 0}};
	if (per == NULL)
		return GC_ENOMEM;
	for (int rep = 0; rep < s->replications && rc == GC_OK; rep++) {
		if ((rc = replicate(&m, rep)) < 0)
			break;
		double all[5] = {0};
		for (int q = 0; q < s->n_queues; q++) {
			record(&per[q], m.arrivals[q], m.answered_in_target[q], m.answered[q], m.wait_sum[q],
			       m.abandoned[q]);
			all[0] += m.arrivals[q];
			all[1] += m.answered_in_target[q];
			all[2] += m.answered[q];
			all[3] += m.wait_sum[q];
			all[4] += m.abandoned[q];
		}
		record(&total, all[0], all[1], all[2], all[3], all[4]);
		for (int g = 0; g < s->n_groups; g++)
			acc_add(&occupancy[g], s->groups[g].agents ? m.busy[g] / (s->groups[g].agents * s->duration) : 0);
	}
	if (rc == GC_OK) {
		memset(ret, 0, sizeof(*ret));
		for (int q = 0; q < s->n_queues; q++)
			ret->queues[q] = queue_result(&per[q]);
		ret->total = queue_result(&total);
		for (int g = 0; g < s->n_groups; g++)
			ret->occupancy[g] = acc_measure(&occupancy[g]);
		ret->events = m.events;
	}
	free(per);
	free(m.heap);
	free(m.callers);
	free(m.free_ids);
	for (int q = 0; q < SIM_MAX_QUEUES; q++)
		free(m.fifos[q].items);
	return rc;
}
