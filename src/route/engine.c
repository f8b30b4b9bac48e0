/* The routing engine (guichet/route.h).
 *
 * Who can take what is kept in agent pools, one per (skill, channel, level):
 * the agents ready for that channel right now, in the order they became
 * ready (longest idle first), and again split by proficiency (best skill
 * first); the two strategies that read these orders take the least loaded
 * agent of them (least_loaded). An agent is in a pool as long as it is available, not in wrap-up,
 * and has room on that channel and in total; every event that changes one
 * of these moves it in or out (refresh). Waiting contacts are kept per queue
 * and priority in arrival order, or in an agent's own list when transferred
 * to that agent.
 *
 * Matching runs after each event until nothing more can be matched: a
 * contact that starts waiting looks for an agent in its queue's pool
 * (try_contact); an agent that becomes ready looks for the best contact among
 * the queues of its skills, its own list first (try_agent). Timers (offer
 * expiry, end of wrap-up, overflow) sit in a heap and carry a generation, so
 * one made stale by a later event is dropped when it comes up. */
#include "guichet/route.h"
#include "guichet/array.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

struct link {
	uint32_t prev, next;
};

struct list {
	uint32_t head, tail;
};

static const struct list empty_list = {ROUTE_NONE, ROUTE_NONE};

struct contact {
	uint32_t queue, agent;
	uint8_t state, priority;
	int64_t assigned_at;            /* for least-talk */
	bool named;                     /* waits in agent's own list */
	bool sticky;                    /* ... only for a while (sticky agent) */
	uint8_t next_declined;          /* the slot the next decline takes */
	uint8_t n_ring;                 /* ringing agents of a ring-all offer (agent is then ROUTE_NONE) */
	uint32_t ring[ROUTE_MAX_RING];
	uint32_t declined[4];           /* the last agents who declined or missed it (or ROUTE_NONE), */
	uint32_t declined_epoch[4];     /* while they have not changed state since */
	int64_t arrived, enqueued;
	uint32_t gen;                   /* for its timers */
	struct link link;               /* in a queue's or an agent's waiting list */
};

struct queue {
	struct route_queue_config cfg;
	uint32_t last_agent;            /* for round robin */
	struct list waiting[ROUTE_PRIORITIES];
	uint32_t n_waiting[ROUTE_PRIORITIES];
	uint32_t n_named;               /* of it, waiting for one agent alone (in that agent's own list) */
	uint32_t nonempty;              /* bit p: someone waits at priority p */
	uint32_t pool;
};

struct node {                           /* one agent in one pool */
	uint32_t agent, pool;
	uint8_t proficiency, tier, channel;
	bool in;
	struct link idle, by_skill;
};

struct pool {
	struct list idle;               /* ready agents, longest idle first */
	struct list by_skill[10];       /* the same by proficiency 1..10, */
	bool by_skill_used;             /* kept only once a best-skill queue reads this pool */
	uint32_t logged_in;             /* agents of the pool not offline */
};

struct agent {
	struct route_agent_config cfg;
	uint8_t presence;
	bool wrapup, ready[ROUTE_CHANNELS];
	int active[ROUTE_CHANNELS], offered, total, missed;
	int64_t idle_since;
	uint32_t gen;
	uint32_t epoch;                 /* times it became ready: ends its declines */
	uint32_t handled;               /* for fewest-handled */
	int64_t talk_ms;                /* for least-talk */
	uint32_t first_node, n_nodes;
	struct list own;                /* contacts transferred to this agent */
};

enum timer_kind { T_OFFER, T_WRAPUP, T_OVERFLOW, T_STICKY, T_TIER };

struct timer {
	int64_t at;
	uint32_t id, gen;
	uint8_t kind;
};

struct route_engine {
	uint32_t n_skills;
	struct queue *queues;
	uint32_t n_queues, cap_queues;
	uint32_t **skill_queues;        /* per skill: the queues needing it */
	uint32_t *n_skill_queues;
	struct pool *pools;             /* n_skills * channels * 2 levels */
	struct agent *agents;
	uint32_t n_agents, cap_agents;
	struct node *nodes;
	uint32_t n_nodes, cap_nodes;
	struct contact *contacts;
	uint32_t n_contacts, cap_contacts;
	struct timer *timers;
	size_t n_timers, cap_timers;
	struct route_decision *out;     /* a ring of decisions */
	size_t out_head, out_len, out_cap;
	uint32_t free_contacts;         /* forgotten slots, linked by link.next */
	int64_t now;
	uint64_t rng;                   /* for the random strategy: same seed, same picks */
};

/* --- small containers --- */

/* Lists are intrusive: each element embeds its link at offset in elements of size. */
#define LINK(base, size, offset, i) ((struct link *)((char *)(base) + (size_t)(i) * (size) + (offset)))

static void list_insert_after(struct list *l, void *base, size_t size, size_t offset, uint32_t after,
			      uint32_t i)
{
	struct link *li = LINK(base, size, offset, i);
	li->prev = after;
	li->next = after == ROUTE_NONE ? l->head : LINK(base, size, offset, after)->next;
	if (li->next == ROUTE_NONE)
		l->tail = i;
	else
		LINK(base, size, offset, li->next)->prev = i;
	if (after == ROUTE_NONE)
		l->head = i;
	else
		LINK(base, size, offset, after)->next = i;
}

static void list_remove(struct list *l, void *base, size_t size, size_t offset, uint32_t i)
{
	struct link *li = LINK(base, size, offset, i);
	if (li->prev == ROUTE_NONE)
		l->head = li->next;
	else
		LINK(base, size, offset, li->prev)->next = li->next;
	if (li->next == ROUTE_NONE)
		l->tail = li->prev;
	else
		LINK(base, size, offset, li->next)->prev = li->prev;
	li->prev = li->next = ROUTE_NONE;
}

#define NODE_IDLE sizeof(struct node), offsetof(struct node, idle)
#define NODE_SKILL sizeof(struct node), offsetof(struct node, by_skill)
#define CONTACT_LINK sizeof(struct contact), offsetof(struct contact, link)

static int emit(struct route_engine *e, enum route_decision_kind kind, uint32_t contact, uint32_t agent,
		uint32_t queue, uint32_t to_queue)
{
	if (e->out_len == e->out_cap) {
		size_t cap = e->out_cap ? e->out_cap * 2 : 256;
		struct route_decision *p = malloc(cap * sizeof(*p));
		if (p == NULL)
			return GC_ENOMEM;
		for (size_t i = 0; i < e->out_len; i++)
			p[i] = e->out[(e->out_head + i) % e->out_cap];
		free(e->out);
		e->out = p;
		e->out_head = 0;
		e->out_cap = cap;
	}
	e->out[(e->out_head + e->out_len++) % e->out_cap] =
		(struct route_decision){kind, contact, agent, queue, to_queue, e->now};
	return GC_OK;
}

static int timer_add(struct route_engine *e, int64_t at, enum timer_kind kind, uint32_t id, uint32_t gen)
{
	if (e->n_timers == e->cap_timers) {
		size_t cap = e->cap_timers ? e->cap_timers * 2 : 256;
		struct timer *p = realloc(e->timers, cap * sizeof(*p));
		if (p == NULL)
			return GC_ENOMEM;
		e->timers = p;
		e->cap_timers = cap;
	}
	size_t i = e->n_timers++;
	struct timer t = {at, id, gen, (uint8_t)kind};
	while (i > 0 && e->timers[(i - 1) / 2].at > at) {
		e->timers[i] = e->timers[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	e->timers[i] = t;
	return GC_OK;
}

static struct timer timer_pop(struct route_engine *e)
{
	struct timer top = e->timers[0], last = e->timers[--e->n_timers];
	size_t i = 0, n = e->n_timers;
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && e->timers[c + 1].at < e->timers[c].at)
			c++;
		if (e->timers[c].at >= last.at)
			break;
		e->timers[i] = e->timers[c];
	}
	if (n)
		e->timers[i] = last;
	return top;
}

/* --- creation and configuration --- */

static uint32_t pool_of(const struct route_engine *e, uint32_t skill, int channel, int level)
{
	return (skill * ROUTE_CHANNELS + (uint32_t)channel) * 2 + (uint32_t)(level - 1);
}

static void init_pool(struct pool *p)
{
	p->idle = empty_list;
	for (int s = 0; s < 10; s++)
		p->by_skill[s] = empty_list;
	p->logged_in = 0;
	p->by_skill_used = false;
}

struct route_engine *route_engine_new(uint32_t n_skills)
{
	if (n_skills == 0 || n_skills > 1000000)
		return NULL;
	struct route_engine *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->n_skills = n_skills;
	e->rng = 0x9e3779b97f4a7c15ULL;
	e->free_contacts = ROUTE_NONE;
	size_t n_pools = (size_t)n_skills * ROUTE_CHANNELS * 2;
	e->pools = malloc(n_pools * sizeof(*e->pools));
	e->skill_queues = calloc(n_skills, sizeof(*e->skill_queues));
	e->n_skill_queues = calloc(n_skills, sizeof(*e->n_skill_queues));
	if (e->pools == NULL || e->skill_queues == NULL || e->n_skill_queues == NULL) {
		route_engine_free(e);
		return NULL;
	}
	for (size_t p = 0; p < n_pools; p++)
		init_pool(&e->pools[p]);
	return e;
}

void route_engine_free(struct route_engine *e)
{
	if (e == NULL)
		return;
	for (uint32_t s = 0; e->skill_queues && s < e->n_skills; s++)
		free(e->skill_queues[s]);
	free(e->skill_queues);
	free(e->n_skill_queues);
	free(e->pools);
	free(e->queues);
	free(e->agents);
	free(e->nodes);
	free(e->contacts);
	free(e->timers);
	free(e->out);
	free(e);
}

static bool hours_valid(const struct route_hours *h, uint32_t overflow_to)
{
	if (!h->enabled)
		return true;
	for (int d = 0; d < 7; d++)
		for (int r = 0; r < 2; r++)
			if (h->ranges[d][r].from < 0 || h->ranges[d][r].to > 1440 || h->ranges[d][r].from > h->ranges[d][r].to)
				return false;
	return h->when_closed >= ROUTE_CLOSED_WAIT && h->when_closed <= ROUTE_CLOSED_OVERFLOW &&
	       (h->when_closed != ROUTE_CLOSED_OVERFLOW || overflow_to != ROUTE_NONE);
}

static bool queue_config_valid(const struct route_engine *e, const struct route_queue_config *cfg)
{
	return cfg->skill < e->n_skills && cfg->channel >= 0 && cfg->channel < ROUTE_CHANNELS &&
	       cfg->strategy >= ROUTE_LONGEST_IDLE && cfg->strategy <= ROUTE_RING_ALL &&
	       cfg->level >= 1 && cfg->level <= 2 && cfg->offer_timeout_ms >= 0 && cfg->wrapup_ms >= 0 &&
	       cfg->overflow_after_ms >= 0 && (cfg->overflow_to == ROUTE_NONE || cfg->overflow_to < e->n_queues) &&
	       cfg->tier_delay_ms >= 0 && hours_valid(&cfg->hours, cfg->overflow_to);
}

enum route_overflow_problem route_queue_overflow_problem(const struct route_engine *e, uint32_t id,
							  const struct route_queue_config *cfg)
{
	uint32_t to = cfg->overflow_to;
	if (to != ROUTE_NONE && to < e->n_queues) {
		if (e->queues[to].cfg.channel != cfg->channel)
			return ROUTE_OVERFLOW_OTHER_CHANNEL;
		/* the chain from to must end without coming back here (a new queue
		 * is in no chain yet); bounded, as the chains already stored are
		 * themselves free of loops */
		for (uint32_t k = to, steps = 0; k != ROUTE_NONE && steps <= e->n_queues;
		     k = e->queues[k].cfg.overflow_to, steps++)
			if (k == id)
				return ROUTE_OVERFLOW_LOOPS;
	}
	for (uint32_t k = 0; id != ROUTE_NONE && k < e->n_queues; k++) /* those overflowing here keep their channel */
		if (k != id && e->queues[k].cfg.overflow_to == id && e->queues[k].cfg.channel != cfg->channel)
			return ROUTE_OVERFLOW_OTHER_CHANNEL;
	return ROUTE_OVERFLOW_FINE;
}

/* Lists queue among those needing its skill, and keeps its pool in skill
 * order too when it routes by best skill. */
static int attach_queue(struct route_engine *e, uint32_t id)
{
	struct queue *q = &e->queues[id];
	uint32_t s = q->cfg.skill, n = e->n_skill_queues[s];
	uint32_t *list = realloc(e->skill_queues[s], (n + 1) * sizeof(uint32_t));
	if (list == NULL)
		return GC_ENOMEM;
	e->skill_queues[s] = list;
	list[e->n_skill_queues[s]++] = id;
	q->pool = pool_of(e, q->cfg.skill, q->cfg.channel, q->cfg.level);
	struct pool *pool = &e->pools[q->pool];
	if (q->cfg.strategy == ROUTE_BEST_SKILL && !pool->by_skill_used) { /* from now on, kept in that order too */
		pool->by_skill_used = true;
		for (uint32_t i = pool->idle.head; i != ROUTE_NONE; i = e->nodes[i].idle.next)
			list_insert_after(&pool->by_skill[e->nodes[i].proficiency - 1], e->nodes, NODE_SKILL,
					  pool->by_skill[e->nodes[i].proficiency - 1].tail, i);
	}
	return GC_OK;
}

static void detach_queue(struct route_engine *e, uint32_t id)
{
	uint32_t s = e->queues[id].cfg.skill, *list = e->skill_queues[s];
	for (uint32_t j = 0; j < e->n_skill_queues[s]; j++)
		if (list[j] == id) {
			memmove(&list[j], &list[j + 1], (e->n_skill_queues[s] - j - 1) * sizeof(uint32_t));
			e->n_skill_queues[s]--;
			return;
		}
}

int route_queue_add(struct route_engine *e, const struct route_queue_config *cfg, uint32_t *ret_id)
{
	if (!queue_config_valid(e, cfg) || route_queue_overflow_problem(e, ROUTE_NONE, cfg))
		return GC_EINVAL;
	if (gc_grow((void **)&e->queues, &e->cap_queues, sizeof(struct queue), e->n_queues + 1) < 0)
		return GC_ENOMEM;
	uint32_t id = e->n_queues;
	struct queue *q = &e->queues[id];
	q->cfg = *cfg;
	if (attach_queue(e, id) < 0)
		return GC_ENOMEM;
	e->n_queues++;
	q->last_agent = ROUTE_NONE;
	for (int p = 0; p < ROUTE_PRIORITIES; p++) {
		q->waiting[p] = empty_list;
		q->n_waiting[p] = 0;
	}
	q->nonempty = 0;
	*ret_id = id;
	return GC_OK;
}

int route_engine_reserve_skills(struct route_engine *e, uint32_t n_skills)
{
	if (n_skills <= e->n_skills)
		return GC_OK;
	if (n_skills > 1000000)
		return GC_EINVAL;
	size_t n_pools = (size_t)n_skills * ROUTE_CHANNELS * 2, old = (size_t)e->n_skills * ROUTE_CHANNELS * 2;
	struct pool *pools = realloc(e->pools, n_pools * sizeof(*pools));
	if (pools == NULL)
		return GC_ENOMEM;
	e->pools = pools;
	uint32_t **sq = realloc(e->skill_queues, n_skills * sizeof(*sq));
	if (sq == NULL)
		return GC_ENOMEM;
	e->skill_queues = sq;
	uint32_t *nsq = realloc(e->n_skill_queues, n_skills * sizeof(*nsq));
	if (nsq == NULL)
		return GC_ENOMEM;
	e->n_skill_queues = nsq;
	for (size_t p = old; p < n_pools; p++)
		init_pool(&e->pools[p]);
	for (uint32_t s = e->n_skills; s < n_skills; s++) {
		sq[s] = NULL;
		nsq[s] = 0;
	}
	e->n_skills = n_skills;
	return GC_OK;
}

/* The nodes an agent of cfg needs (one per skill, channel and level served),
 * or -1 when cfg is not valid. */
static int agent_config_nodes(const struct route_engine *e, const struct route_agent_config *cfg)
{
	if (cfg->level < 1 || cfg->level > 2 || cfg->n_skills < 0 || cfg->n_skills > ROUTE_MAX_AGENT_SKILLS ||
	    cfg->max_total < 1 || cfg->max_missed < 0)
		return -1;
	int n_nodes = 0;
	for (int i = 0; i < cfg->n_skills; i++) {
		if (cfg->skills[i].skill >= e->n_skills || cfg->skills[i].proficiency < 1 ||
		    cfg->skills[i].proficiency > 10 || cfg->skills[i].tier < 0 || cfg->skills[i].tier > 3)
			return -1;
		for (int j = 0; j < i; j++)
			if (cfg->skills[j].skill == cfg->skills[i].skill)
				return -1;
	}
	for (int ch = 0; ch < ROUTE_CHANNELS; ch++) {
		if (cfg->capacity[ch] < 0)
			return -1;
		if (cfg->capacity[ch] > 0)
			n_nodes += cfg->n_skills * cfg->level;
	}
	return n_nodes;
}

/* Gives agent id fresh nodes for its configuration (out of every pool). */
static int make_nodes(struct route_engine *e, uint32_t id, uint32_t n_nodes)
{
	if (gc_grow((void **)&e->nodes, &e->cap_nodes, sizeof(struct node), e->n_nodes + n_nodes) < 0)
		return GC_ENOMEM;
	struct agent *a = &e->agents[id];
	const struct route_agent_config *cfg = &a->cfg;
	a->first_node = e->n_nodes;
	a->n_nodes = n_nodes;
	for (int ch = 0; ch < ROUTE_CHANNELS; ch++)
		for (int i = 0; cfg->capacity[ch] > 0 && i < cfg->n_skills; i++)
			for (int level = 1; level <= cfg->level; level++) /* an expert also serves level 1 */
				e->nodes[e->n_nodes++] = (struct node){.agent = id,
					.pool = pool_of(e, cfg->skills[i].skill, ch, level),
					.proficiency = (uint8_t)cfg->skills[i].proficiency,
					.tier = (uint8_t)(cfg->skills[i].tier ? cfg->skills[i].tier : 1),
					.channel = (uint8_t)ch,
					.idle = {ROUTE_NONE, ROUTE_NONE}, .by_skill = {ROUTE_NONE, ROUTE_NONE}};
	return GC_OK;
}

int route_agent_add(struct route_engine *e, const struct route_agent_config *cfg, uint32_t *ret_id)
{
	int n_nodes = agent_config_nodes(e, cfg);
	if (n_nodes < 0)
		return GC_EINVAL;
	if (gc_grow((void **)&e->agents, &e->cap_agents, sizeof(struct agent), e->n_agents + 1) < 0)
		return GC_ENOMEM;
	uint32_t id = e->n_agents;
	struct agent *a = &e->agents[id];
	*a = (struct agent){.cfg = *cfg, .presence = ROUTE_OFFLINE, .own = empty_list};
	if (make_nodes(e, id, (uint32_t)n_nodes) < 0)
		return GC_ENOMEM;
	e->n_agents++;
	*ret_id = id;
	return GC_OK;
}

/* --- agents in and out of pools --- */

static bool can_take(const struct agent *a, int ch)
{
	return a->presence == ROUTE_AVAILABLE && !a->wrapup && a->total < a->cfg.max_total &&
	       a->active[ch] < a->cfg.capacity[ch];
}

/* Puts the agent in or takes it out of the pools of each channel whose
 * readiness changed; returns whether it became ready on some channel. */
static bool refresh(struct route_engine *e, uint32_t id)
{
	struct agent *a = &e->agents[id];
	bool became_ready = false, want[ROUTE_CHANNELS];
	for (int ch = 0; ch < ROUTE_CHANNELS; ch++)
		want[ch] = can_take(a, ch);
	for (uint32_t k = 0; k < a->n_nodes; k++) {
		uint32_t i = a->first_node + k;
		struct node *n = &e->nodes[i];
		if (n->in == want[n->channel])
			continue;
		struct pool *p = &e->pools[n->pool];
		struct list *skill = &p->by_skill[n->proficiency - 1];
		if (want[n->channel]) {
			list_insert_after(&p->idle, e->nodes, NODE_IDLE, p->idle.tail, i);
			if (p->by_skill_used)
				list_insert_after(skill, e->nodes, NODE_SKILL, skill->tail, i);
		} else {
			list_remove(&p->idle, e->nodes, NODE_IDLE, i);
			if (p->by_skill_used)
				list_remove(skill, e->nodes, NODE_SKILL, i);
		}
		n->in = want[n->channel];
	}
	bool was_ready = false, is_ready = false;
	for (int ch = 0; ch < ROUTE_CHANNELS; ch++) {
		became_ready |= want[ch] && !a->ready[ch];
		was_ready |= a->ready[ch];
		is_ready |= want[ch];
		a->ready[ch] = want[ch];
	}
	if (is_ready && !was_ready)
		a->epoch++;
	return became_ready;
}

static void count_logged_in(struct route_engine *e, uint32_t id, int delta)
{
	struct agent *a = &e->agents[id];
	for (uint32_t k = 0; k < a->n_nodes; k++)
		e->pools[e->nodes[a->first_node + k].pool].logged_in += (uint32_t)delta;
}

/* --- waiting contacts --- */

static struct list *waiting_list(struct route_engine *e, struct contact *c)
{
	return c->named ? &e->agents[c->agent].own : &e->queues[c->queue].waiting[c->priority];
}

/* Puts c back in its list in arrival order (usually at the tail). */
static void wait_in_place(struct route_engine *e, uint32_t id)
{
	struct contact *c = &e->contacts[id];
	struct list *l = waiting_list(e, c);
	uint32_t after = l->tail;
	while (after != ROUTE_NONE && e->contacts[after].enqueued > c->enqueued)
		after = e->contacts[after].link.prev;
	list_insert_after(l, e->contacts, CONTACT_LINK, after, id);
	c->state = ROUTE_WAITING;
	if (!c->named) {
		e->queues[c->queue].n_waiting[c->priority]++;
		e->queues[c->queue].nonempty |= 1u << c->priority;
	} else {
		e->queues[c->queue].n_named++;
	}
}

static void stop_waiting(struct route_engine *e, uint32_t id)
{
	struct contact *c = &e->contacts[id];
	list_remove(waiting_list(e, c), e->contacts, CONTACT_LINK, id);
	if (c->named)
		e->queues[c->queue].n_named--;
	else if (--e->queues[c->queue].n_waiting[c->priority] == 0)
		e->queues[c->queue].nonempty &= ~(1u << c->priority);
}

/* A decline holds until the agent changes state (becomes ready anew): "not
 * this one, not now", so a contact is never left waiting for good. */
static bool declined(const struct route_engine *e, const struct contact *c, uint32_t agent)
{
	for (int i = 0; i < 4; i++)
		if (c->declined[i] == agent && c->declined_epoch[i] == e->agents[agent].epoch)
			return true;
	return false;
}

static void forget_declines(struct contact *c)
{
	for (int i = 0; i < 4; i++)
		c->declined[i] = ROUTE_NONE;
	c->next_declined = 0;
}

static void remember_decline(struct route_engine *e, struct contact *c, uint32_t agent)
{
	int slot = c->next_declined++ % 4;
	c->declined[slot] = agent;
	c->declined_epoch[slot] = e->agents[agent].epoch;
}

/* --- offers --- */

static int channel_of(const struct route_engine *e, const struct contact *c)
{
	return e->queues[c->queue].cfg.channel;
}

static int offer(struct route_engine *e, uint32_t id, uint32_t agent)
{
	struct contact *c = &e->contacts[id];
	struct agent *a = &e->agents[agent];
	const struct queue *q = &e->queues[c->queue];
	stop_waiting(e, id);
	c->state = ROUTE_OFFERED;
	c->agent = agent;
	c->gen++;
	a->active[q->cfg.channel]++;
	a->offered++;
	a->total++;
	e->queues[c->queue].last_agent = agent;
	refresh(e, agent);
	int rc = emit(e, ROUTE_OFFER, id, agent, c->queue, ROUTE_NONE);
	if (rc == GC_OK && q->cfg.offer_timeout_ms > 0)
		rc = timer_add(e, e->now + q->cfg.offer_timeout_ms, T_OFFER, id, c->gen);
	return rc;
}

/* Rings every ready agent of the queue (up to ROUTE_MAX_RING) for contact id. */
static int allowed_tier(const struct route_engine *e, const struct queue *q, const struct contact *c);

static int ring_all(struct route_engine *e, uint32_t id)
{
	struct contact *c = &e->contacts[id];
	const struct queue *q = &e->queues[c->queue];
	const struct pool *p = &e->pools[q->pool];
	int tier = allowed_tier(e, q, c);
	uint32_t ring[ROUTE_MAX_RING];
	int n = 0;
	for (uint32_t i = p->idle.head; i != ROUTE_NONE && n < ROUTE_MAX_RING; i = e->nodes[i].idle.next)
		if (e->nodes[i].tier <= tier && !declined(e, c, e->nodes[i].agent))
			ring[n++] = e->nodes[i].agent;
	if (n == 0)
		return GC_OK;
	stop_waiting(e, id);
	c->state = ROUTE_OFFERED;
	c->agent = ROUTE_NONE;
	c->n_ring = (uint8_t)n;
	c->gen++;
	int rc = GC_OK;
	for (int k = 0; k < n && rc == GC_OK; k++) { /* reserve first: refresh moves agents out of the pool */
		struct agent *a = &e->agents[ring[k]];
		c->ring[k] = ring[k];
		a->active[q->cfg.channel]++;
		a->offered++;
		a->total++;
		refresh(e, ring[k]);
		rc = emit(e, ROUTE_OFFER, id, ring[k], c->queue, ROUTE_NONE);
	}
	if (rc == GC_OK && q->cfg.offer_timeout_ms > 0)
		rc = timer_add(e, e->now + q->cfg.offer_timeout_ms, T_OFFER, id, c->gen);
	return rc;
}

/* The highest tier that may take c now: tiers join one delay after another. */
static int allowed_tier(const struct route_engine *e, const struct queue *q, const struct contact *c)
{
	if (q->cfg.tier_delay_ms <= 0)
		return 3;
	int64_t waited = e->now - c->enqueued;
	return waited >= 2 * q->cfg.tier_delay_ms ? 3 : waited >= q->cfg.tier_delay_ms ? 2 : 1;
}

static uint64_t next_random(struct route_engine *e)
{
	e->rng ^= e->rng << 13; /* xorshift64 */
	e->rng ^= e->rng >> 7;
	e->rng ^= e->rng << 17;
	return e->rng;
}

/* Whether agent x beats y (both ready) under a scanning strategy; the first
 * found wins ties, and the pool is in idle order, so ties go to the longest idle. */
static bool beats(const struct route_engine *e, const struct queue *q, uint32_t x, uint32_t y)
{
	const struct agent *a = &e->agents[x], *b = &e->agents[y];
	switch (q->cfg.strategy) {
	case ROUTE_FEWEST_HANDLED: return a->handled < b->handled;
	case ROUTE_LEAST_TALK: return a->talk_ms < b->talk_ms;
	default: { /* round robin: the next id after the last one, wrapping */
		uint32_t last = q->last_agent, dx = x - last - 1, dy = y - last - 1;
		return dx < dy;
	}
	}
}

/* Among the ready agents of a list (the pool's idle order, or one
 * proficiency of it), the least loaded, the longest ready among equals: an
 * agent still ready with one chat of three does not take the next while
 * another holds nothing. The first with nothing ends the scan, so a pool of
 * single-contact agents (phone) costs one step. */
static uint32_t least_loaded(const struct route_engine *e, uint32_t head, bool by_skill, int tier, const struct contact *c)
{
	uint32_t best = ROUTE_NONE;
	for (uint32_t i = head; i != ROUTE_NONE; i = by_skill ? e->nodes[i].by_skill.next : e->nodes[i].idle.next) {
		uint32_t agent = e->nodes[i].agent;
		if (e->nodes[i].tier > tier || declined(e, c, agent))
			continue;
		if (best == ROUTE_NONE || e->agents[agent].total < e->agents[best].total)
			best = agent;
		if (e->agents[best].total == 0)
			break;
	}
	return best;
}

/* The ready agent of the queue's pool the strategy prefers, who has not declined c. */
static uint32_t pick_agent(struct route_engine *e, const struct queue *q, const struct contact *c)
{
	const struct pool *p = &e->pools[q->pool];
	int tier = allowed_tier(e, q, c);
	if (q->cfg.strategy == ROUTE_BEST_SKILL) {
		for (int level = 9; level >= 0; level--) {
			uint32_t agent = least_loaded(e, p->by_skill[level].head, true, tier, c);
			if (agent != ROUTE_NONE)
				return agent;
		}
		return ROUTE_NONE;
	}
	if (q->cfg.strategy == ROUTE_LONGEST_IDLE)
		return least_loaded(e, p->idle.head, false, tier, c);
	uint32_t best = ROUTE_NONE, seen = 0;
	for (uint32_t i = p->idle.head; i != ROUTE_NONE; i = e->nodes[i].idle.next) {
		uint32_t agent = e->nodes[i].agent;
		if (e->nodes[i].tier > tier || declined(e, c, agent))
			continue;
		if (q->cfg.strategy == ROUTE_RANDOM) { /* reservoir sampling: each equally likely */
			if (next_random(e) % ++seen == 0)
				best = agent;
		} else if (best == ROUTE_NONE || beats(e, q, agent, best)) {
			best = agent;
		}
	}
	return best;
}

static int try_agent(struct route_engine *e, uint32_t agent);

/* A contact starts waiting: offer it if an agent can take it. After every
 * event no waiting contact can be taken by a ready agent (unless that agent
 * declined it), so the contacts before this one in its queue cannot go to
 * the agent picked here: offering it keeps the queue's order. */
static int try_contact(struct route_engine *e, uint32_t id)
{
	struct contact *c = &e->contacts[id];
	if (c->state != ROUTE_WAITING)
		return GC_OK; /* taken meanwhile */
	if (c->named)
		return can_take(&e->agents[c->agent], channel_of(e, c)) ? try_agent(e, c->agent) : GC_OK;
	if (e->queues[c->queue].cfg.strategy == ROUTE_RING_ALL)
		return ring_all(e, id);
	uint32_t agent = pick_agent(e, &e->queues[c->queue], c);
	return agent == ROUTE_NONE ? GC_OK : offer(e, id, agent);
}

/* Whether contact a should be served before b (priority, then arrival). */
static bool before(const struct contact *a, const struct contact *b)
{
	return a->priority != b->priority ? a->priority > b->priority : a->enqueued < b->enqueued;
}

/* The first contact of q at priority p this agent may take. */
static uint32_t first_for(const struct route_engine *e, const struct queue *q, int p, uint32_t agent)
{
	for (uint32_t i = q->waiting[p].head; i != ROUTE_NONE; i = e->contacts[i].link.next)
		if (!declined(e, &e->contacts[i], agent))
			return i;
	return ROUTE_NONE;
}

/* The best waiting contact the agent could take now, or ROUTE_NONE. */
static uint32_t best_for(struct route_engine *e, uint32_t agent)
{
	const struct agent *a = &e->agents[agent];
	uint32_t best = ROUTE_NONE;
	for (uint32_t i = a->own.head; i != ROUTE_NONE; i = e->contacts[i].link.next)
		if (can_take(a, channel_of(e, &e->contacts[i])) && !declined(e, &e->contacts[i], agent))
			return i; /* transfers to this agent come first */
	for (int k = 0; k < a->cfg.n_skills; k++) {
		uint32_t skill = a->cfg.skills[k].skill;
		int tier = a->cfg.skills[k].tier ? a->cfg.skills[k].tier : 1;
		for (uint32_t j = 0; j < e->n_skill_queues[skill]; j++) {
			const struct queue *q = &e->queues[e->skill_queues[skill][j]];
			if (q->cfg.level > a->cfg.level || !can_take(a, q->cfg.channel))
				continue;
			for (uint32_t mask = q->nonempty; mask;) { /* the non-empty priorities, highest first */
				int p = 31 - __builtin_clz(mask);
				mask &= ~(1u << p);
				if (best != ROUTE_NONE && e->contacts[best].priority > p)
					break;
				uint32_t c = first_for(e, q, p, agent);
				/* the oldest may not allow this tier yet; the younger ones then neither */
				if (c != ROUTE_NONE && allowed_tier(e, q, &e->contacts[c]) < tier)
					continue;
				if (c != ROUTE_NONE) {
					if (best == ROUTE_NONE || before(&e->contacts[c], &e->contacts[best]))
						best = c;
					break;
				}
			}
		}
	}
	return best;
}

/* An agent became ready: give it contacts while it can take them. */
static int try_agent(struct route_engine *e, uint32_t agent)
{
	int rc = GC_OK;
	for (uint32_t c; rc == GC_OK && (c = best_for(e, agent)) != ROUTE_NONE;)
		rc = offer(e, c, agent);
	return rc;
}

/* --- events --- */

static int fire(struct route_engine *e, const struct timer *t);

/* Runs the timers due by now, in time order, then moves the clock to now. */
static int advance(struct route_engine *e, int64_t now)
{
	int rc = GC_OK;
	while (rc == GC_OK && e->n_timers > 0 && e->timers[0].at <= now) {
		struct timer t = timer_pop(e);
		e->now = t.at > e->now ? t.at : e->now;
		rc = fire(e, &t);
	}
	if (now > e->now)
		e->now = now;
	return rc;
}

/* A contact slot: one forgotten (route_contact_forget) or a new one. The
 * slot keeps its timer generation, so the caller goes on from c->gen. */
static int new_contact(struct route_engine *e, uint32_t *ret_id)
{
	if (e->free_contacts != ROUTE_NONE) {
		*ret_id = e->free_contacts;
		e->free_contacts = e->contacts[*ret_id].link.next;
		return GC_OK;
	}
	if (gc_grow((void **)&e->contacts, &e->cap_contacts, sizeof(struct contact), e->n_contacts + 1) < 0)
		return GC_ENOMEM;
	*ret_id = e->n_contacts++;
	e->contacts[*ret_id].gen = 0;
	return GC_OK;
}

/* The timers of a waiting contact, counted from its arrival in the queue:
 * overflow, and the moments the next tiers join. */
static int arm_overflow(struct route_engine *e, uint32_t id)
{
	const struct contact *c = &e->contacts[id];
	const struct queue *q = &e->queues[c->queue];
	int rc = GC_OK;
	if (c->named)
		return GC_OK;
	for (int k = 1; rc == GC_OK && q->cfg.tier_delay_ms > 0 && k <= 2; k++)
		if (c->enqueued + k * q->cfg.tier_delay_ms > e->now)
			rc = timer_add(e, c->enqueued + k * q->cfg.tier_delay_ms, T_TIER, id, c->gen);
	if (rc == GC_OK && q->cfg.overflow_after_ms > 0 && q->cfg.overflow_to != ROUTE_NONE)
		rc = timer_add(e, c->enqueued + q->cfg.overflow_after_ms, T_OVERFLOW, id, c->gen);
	return rc;
}

/* Starts c waiting in queue (its overflow timer too), or moves it on at once
 * when nobody who could serve it is logged in and the queue overflows. */
static int start_waiting(struct route_engine *e, uint32_t id, uint32_t queue)
{
	struct contact *c = &e->contacts[id];
	for (int hops = 0; hops < 8; hops++) { /* overflow chains are short; cycles stop here */
		const struct queue *q = &e->queues[queue];
		if (q->cfg.overflow_to == ROUTE_NONE || e->pools[q->pool].logged_in > 0)
			break;
		int rc = emit(e, ROUTE_OVERFLOW, id, ROUTE_NONE, queue, q->cfg.overflow_to);
		if (rc < 0)
			return rc;
		queue = q->cfg.overflow_to;
	}
	c->queue = queue;
	c->named = c->sticky = false;
	c->gen++;
	wait_in_place(e, id);
	int rc = arm_overflow(e, id);
	return rc == GC_OK ? try_contact(e, id) : rc;
}

void route_queue_set_utc_offset(struct route_engine *e, uint32_t queue, int64_t utc_offset_ms)
{
	if (queue < e->n_queues)
		e->queues[queue].cfg.hours.utc_offset_ms = utc_offset_ms;
}

bool route_queue_open(const struct route_engine *e, uint32_t queue, int64_t now)
{
	const struct route_hours *h = &e->queues[queue].cfg.hours;
	if (!h->enabled)
		return true;
	int64_t local = now + h->utc_offset_ms, day = local / 86400000 - (local % 86400000 < 0);
	int weekday = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
	int minute = (int)((local - day * 86400000) / 60000);
	for (int r = 0; r < 2; r++)
		if (minute >= h->ranges[weekday][r].from && minute < h->ranges[weekday][r].to)
			return true;
	return false;
}

int route_contact_enqueue(struct route_engine *e, int64_t now, uint32_t queue, int priority,
			  uint32_t *ret_contact)
{
	return route_contact_enqueue_for(e, now, queue, priority, ROUTE_NONE, 0, ret_contact);
}

/* Whether agent could ever serve queue (skill, level, channel) and is logged in. */
static bool could_serve(const struct route_engine *e, uint32_t agent, const struct queue *q)
{
	const struct agent *a = &e->agents[agent];
	if (a->presence == ROUTE_OFFLINE || a->cfg.level < q->cfg.level || a->cfg.capacity[q->cfg.channel] == 0)
		return false;
	for (int k = 0; k < a->cfg.n_skills; k++)
		if (a->cfg.skills[k].skill == q->cfg.skill)
			return true;
	return false;
}

int route_contact_enqueue_for(struct route_engine *e, int64_t now, uint32_t queue, int priority,
			      uint32_t agent, int64_t sticky_ms, uint32_t *ret_contact)
{
	uint32_t id;
	if (queue >= e->n_queues || priority < 0 || priority >= ROUTE_PRIORITIES ||
	    (agent != ROUTE_NONE && agent >= e->n_agents) || sticky_ms < 0)
		return GC_EINVAL;
	int advanced = advance(e, now); /* the timers due by now first */
	if (advanced < 0)
		return advanced;
	int rc = new_contact(e, &id);
	if (rc < 0)
		return rc;
	struct contact *c = &e->contacts[id];
	uint32_t gen = c->gen;
	*c = (struct contact){.queue = queue, .agent = ROUTE_NONE, .priority = (uint8_t)priority,
			      .arrived = e->now, .enqueued = e->now, .gen = gen + 1,
			      .link = {ROUTE_NONE, ROUTE_NONE}};
	forget_declines(c);
	*ret_contact = id;
	const struct route_hours *h = &e->queues[queue].cfg.hours;
	if (!route_queue_open(e, queue, e->now) && h->when_closed != ROUTE_CLOSED_WAIT) {
		if (h->when_closed == ROUTE_CLOSED_REFUSE) {
			c->state = ROUTE_REFUSED;
			return emit(e, ROUTE_REFUSED_CLOSED, id, ROUTE_NONE, queue, ROUTE_NONE);
		}
		uint32_t to = e->queues[queue].cfg.overflow_to;
		rc = emit(e, ROUTE_OVERFLOW, id, ROUTE_NONE, queue, to);
		return rc == GC_OK ? start_waiting(e, id, to) : rc;
	}
	if (agent == ROUTE_NONE || sticky_ms == 0 || !could_serve(e, agent, &e->queues[queue]))
		return start_waiting(e, id, queue);
	/* waits for its last agent alone, for a while */
	c->named = c->sticky = true;
	c->agent = agent;
	wait_in_place(e, id);
	rc = timer_add(e, e->now + sticky_ms, T_STICKY, id, c->gen);
	return rc == GC_OK ? try_contact(e, id) : rc;
}

/* The agent no longer holds a contact of channel ch; whether it became ready. */
static bool let_go(struct route_engine *e, uint32_t agent, int ch, bool was_offer)
{
	struct agent *a = &e->agents[agent];
	a->active[ch]--;
	a->total--;
	if (was_offer)
		a->offered--;
	if (a->total == 0)
		a->idle_since = e->now;
	return refresh(e, agent);
}

/* The same, then the agent takes what it can. */
static int release(struct route_engine *e, uint32_t agent, int ch, bool was_offer)
{
	return let_go(e, agent, ch, was_offer) ? try_agent(e, agent) : GC_OK;
}

/* An offer ends without being taken: the contact waits again, without this
 * agent. The agent is let go first, so the decline is remembered against
 * the state it is in now (see declined). */
/* One agent lets an offer go (declined or missed): counts the miss, pauses
 * it after too many, frees it, and remembers the decline against the state
 * it is in now. Returns whether it became ready (or negative on error). */
static int drop_offer(struct route_engine *e, struct contact *c, uint32_t agent, bool missed)
{
	struct agent *a = &e->agents[agent];
	int rc = GC_OK;
	if (missed && a->cfg.max_missed > 0 && ++a->missed >= a->cfg.max_missed && a->presence == ROUTE_AVAILABLE) {
		a->presence = ROUTE_PAUSED;
		rc = emit(e, ROUTE_AGENT_PAUSED, ROUTE_NONE, agent, ROUTE_NONE, ROUTE_NONE);
	}
	bool ready = let_go(e, agent, channel_of(e, c), true);
	remember_decline(e, c, agent);
	return rc < 0 ? rc : ready;
}

/* An offer ends without being taken (by its one agent, or by every agent a
 * ring-all offer rang): the contact waits again, without them. */
static int withdraw(struct route_engine *e, uint32_t id, bool missed)
{
	struct contact *c = &e->contacts[id];
	uint32_t agents[ROUTE_MAX_RING];
	int n = 0, ready[ROUTE_MAX_RING];
	if (c->n_ring)
		for (int k = 0; k < c->n_ring; k++)
			agents[n++] = c->ring[k];
	else
		agents[n++] = c->agent;
	c->n_ring = 0;
	for (int k = 0; k < n; k++)
		if ((ready[k] = drop_offer(e, c, agents[k], missed)) < 0)
			return ready[k];
	if (c->sticky) /* its last agent said no: anyone now */
		c->named = c->sticky = false;
	if (!c->named) /* a transferred contact keeps waiting for its agent */
		c->agent = ROUTE_NONE;
	c->gen++;
	wait_in_place(e, id);
	int rc = arm_overflow(e, id);
	for (int k = 0; rc == GC_OK && k < n; k++)
		if (ready[k])
			rc = try_agent(e, agents[k]);
	return rc == GC_OK ? try_contact(e, id) : rc;
}

static int ring_index(const struct contact *c, uint32_t agent)
{
	for (int k = 0; k < c->n_ring; k++)
		if (c->ring[k] == agent)
			return k;
	return -1;
}

/* One ringing agent declines: the others keep ringing; the last one out puts
 * the contact back in its queue. */
static int ring_decline(struct route_engine *e, uint32_t id, uint32_t agent)
{
	struct contact *c = &e->contacts[id];
	if (c->n_ring == 1)
		return withdraw(e, id, false);
	int k = ring_index(c, agent);
	c->ring[k] = c->ring[--c->n_ring];
	int ready = drop_offer(e, c, agent, false);
	return ready < 0 ? ready : ready ? try_agent(e, agent) : GC_OK;
}

/* The ringing agents other than keep let go of the offer (taken or abandoned). */
static int ring_release(struct route_engine *e, uint32_t id, uint32_t keep)
{
	struct contact *c = &e->contacts[id];
	uint32_t others[ROUTE_MAX_RING];
	int n = 0, rc = GC_OK;
	for (int k = 0; k < c->n_ring; k++)
		if (c->ring[k] != keep)
			others[n++] = c->ring[k];
	int ch = channel_of(e, c);
	c->n_ring = 0;
	for (int k = 0; rc == GC_OK && k < n; k++) {
		rc = emit(e, ROUTE_OFFER_WITHDRAWN, id, others[k], c->queue, ROUTE_NONE);
		if (rc == GC_OK)
			rc = release(e, others[k], ch, true);
	}
	return rc;
}

/* The contact a call names, once the timers due by its time have run (they
 * may have moved the contact on: callers check its state after this). */
static int enter(struct route_engine *e, int64_t now, uint32_t id, struct contact **ret)
{
	if (id >= e->n_contacts)
		return GC_ENOTFOUND;
	int rc = advance(e, now);
	if (rc == GC_OK)
		*ret = &e->contacts[id];
	return rc;
}

/* The same for a contact offered to agent, singly or in a ring; GC_ESTATE
 * when it is not (or no longer) offered to that agent. */
static int enter_offer(struct route_engine *e, int64_t now, uint32_t id, uint32_t agent, struct contact **ret)
{
	if (agent >= e->n_agents)
		return GC_ENOTFOUND;
	struct contact *c = NULL;
	int rc = enter(e, now, id, &c);
	if (rc < 0)
		return rc;
	if (c->state != ROUTE_OFFERED || (c->n_ring ? ring_index(c, agent) < 0 : c->agent != agent))
		return GC_ESTATE;
	*ret = c;
	return GC_OK;
}

int route_contact_abandon(struct route_engine *e, int64_t now, uint32_t id)
{
	struct contact *c = NULL;
	int entered = enter(e, now, id, &c);
	if (entered < 0)
		return entered;
	if (c->state == ROUTE_WAITING) {
		stop_waiting(e, id);
		c->state = ROUTE_ABANDONED;
		c->gen++;
		return GC_OK;
	}
	if (c->state != ROUTE_OFFERED)
		return GC_ESTATE;
	uint32_t agent = c->agent;
	c->state = ROUTE_ABANDONED;
	c->gen++;
	if (c->n_ring)
		return ring_release(e, id, ROUTE_NONE);
	return release(e, agent, channel_of(e, c), true);
}

int route_agent_presence(struct route_engine *e, int64_t now, uint32_t id, enum route_presence p)
{
	if (id >= e->n_agents || p < ROUTE_OFFLINE || p > ROUTE_PAUSED)
		return GC_EINVAL;
	int advanced = advance(e, now); /* the timers due by now first */
	if (advanced < 0)
		return advanced;
	struct agent *a = &e->agents[id];
	if (p == ROUTE_OFFLINE && a->total > 0)
		return GC_ESTATE; /* finish, transfer or let the offers expire first */
	if ((a->presence == ROUTE_OFFLINE) != (p == ROUTE_OFFLINE))
		count_logged_in(e, id, p == ROUTE_OFFLINE ? -1 : 1);
	if (p == ROUTE_OFFLINE && a->wrapup) { /* logging out ends the wrap-up */
		a->wrapup = false;
		a->gen++;
	}
	if (a->presence != ROUTE_AVAILABLE && p == ROUTE_AVAILABLE) {
		a->missed = 0;
		if (a->total == 0)
			a->idle_since = e->now;
	}
	a->presence = (uint8_t)p;
	bool ready = refresh(e, id);
	if (p == ROUTE_OFFLINE) /* nobody would serve what waits for this agent alone */
		while (a->own.head != ROUTE_NONE) {
			uint32_t cid = a->own.head;
			struct contact *c = &e->contacts[cid];
			int rc = emit(e, ROUTE_RELEASED, cid, id, c->queue, ROUTE_NONE);
			if (rc < 0)
				return rc;
			stop_waiting(e, cid); /* then as when a sticky wait ends: its timers, anyone */
			c->agent = ROUTE_NONE;
			if ((rc = start_waiting(e, cid, c->queue)) < 0)
				return rc;
		}
	return ready ? try_agent(e, id) : GC_OK;
}

int route_offer_accept(struct route_engine *e, int64_t now, uint32_t id, uint32_t agent)
{
	struct contact *c = NULL;
	int rc = enter_offer(e, now, id, agent, &c);
	if (rc < 0)
		return rc;
	rc = c->n_ring ? ring_release(e, id, agent) : GC_OK; /* the first to accept takes it */
	c->agent = agent;
	c->state = ROUTE_ASSIGNED;
	c->assigned_at = e->now;
	c->gen++;
	e->agents[agent].offered--;
	e->agents[agent].missed = 0;
	return rc;
}

int route_offer_reject(struct route_engine *e, int64_t now, uint32_t id, uint32_t agent)
{
	struct contact *c = NULL;
	int rc = enter_offer(e, now, id, agent, &c);
	if (rc < 0)
		return rc;
	return c->n_ring ? ring_decline(e, id, agent) : withdraw(e, id, false);
}

int route_contact_finish(struct route_engine *e, int64_t now, uint32_t id)
{
	struct contact *c = NULL;
	int entered = enter(e, now, id, &c);
	if (entered < 0)
		return entered;
	if (c->state != ROUTE_ASSIGNED)
		return GC_ESTATE;
	uint32_t agent = c->agent;
	struct agent *a = &e->agents[agent];
	c->state = ROUTE_DONE;
	c->gen++;
	a->handled++;
	a->talk_ms += e->now - c->assigned_at;
	int64_t wrapup = e->queues[c->queue].cfg.wrapup_ms;
	if (wrapup > 0) {
		a->wrapup = true;
		a->gen++;
		int rc = timer_add(e, e->now + wrapup, T_WRAPUP, agent, a->gen);
		if (rc < 0)
			return rc;
	}
	return release(e, agent, channel_of(e, c), false);
}

int route_contact_move(struct route_engine *e, int64_t now, uint32_t id, uint32_t queue, uint32_t agent)
{
	if (id >= e->n_contacts || queue >= e->n_queues || (agent != ROUTE_NONE && agent >= e->n_agents))
		return GC_EINVAL;
	int advanced = advance(e, now); /* the timers due by now first */
	if (advanced < 0)
		return advanced;
	struct contact *c = &e->contacts[id];
	if (c->state != ROUTE_ASSIGNED && c->state != ROUTE_WAITING)
		return GC_ESTATE;
	bool held = c->state == ROUTE_ASSIGNED;
	uint32_t from = c->agent;
	int ch = channel_of(e, c);
	if (!held)
		stop_waiting(e, id); /* a supervisor moves a waiting contact: it keeps its arrival */
	else
		c->enqueued = e->now;
	forget_declines(c);
	int rc = GC_OK;
	if (agent != ROUTE_NONE) { /* waits for that agent only */
		c->queue = queue;
		c->agent = agent;
		c->named = true;
		c->sticky = false;
		c->gen++;
		wait_in_place(e, id);
		if (held)
			rc = release(e, from, ch, false);
		return rc == GC_OK ? try_contact(e, id) : rc;
	}
	c->agent = ROUTE_NONE;
	if ((rc = start_waiting(e, id, queue)) < 0 || !held)
		return rc;
	return release(e, from, ch, false);
}

/* --- changes of configuration, and the rebuild after a restart --- */

int route_queue_update_check(const struct route_engine *e, uint32_t id, const struct route_queue_config *cfg)
{
	if (id >= e->n_queues)
		return GC_ENOTFOUND;
	if (!queue_config_valid(e, cfg) || route_queue_overflow_problem(e, id, cfg))
		return GC_EINVAL;
	const struct queue *q = &e->queues[id];
	bool same_pool = cfg->skill == q->cfg.skill && cfg->channel == q->cfg.channel && cfg->level == q->cfg.level;
	return !same_pool && q->nonempty ? GC_ESTATE : GC_OK;
}

int route_queue_add_check(const struct route_engine *e, const struct route_queue_config *cfg)
{
	return queue_config_valid(e, cfg) && !route_queue_overflow_problem(e, ROUTE_NONE, cfg) ? GC_OK : GC_EINVAL;
}

int route_agent_update_check(const struct route_engine *e, uint32_t id, const struct route_agent_config *cfg)
{
	if (id != ROUTE_NONE && id >= e->n_agents)
		return GC_ENOTFOUND;
	if (agent_config_nodes(e, cfg) < 0)
		return GC_EINVAL;
	if (id == ROUTE_NONE)
		return GC_OK;
	const struct agent *a = &e->agents[id];
	for (int ch = 0; ch < ROUTE_CHANNELS; ch++)
		if (a->active[ch] > cfg->capacity[ch])
			return GC_ESTATE;
	return a->total > cfg->max_total ? GC_ESTATE : GC_OK;
}

int route_queue_update(struct route_engine *e, int64_t now, uint32_t id, const struct route_queue_config *cfg)
{
	if (id >= e->n_queues)
		return GC_ENOTFOUND;
	if (!queue_config_valid(e, cfg) || route_queue_overflow_problem(e, id, cfg))
		return GC_EINVAL;
	int rc = advance(e, now);
	if (rc < 0)
		return rc;
	struct queue *q = &e->queues[id];
	bool same_pool = cfg->skill == q->cfg.skill && cfg->channel == q->cfg.channel && cfg->level == q->cfg.level;
	if (!same_pool && q->nonempty)
		return GC_ESTATE; /* its waiting contacts were matched against the old pool */
	if (!same_pool || cfg->strategy != q->cfg.strategy) {
		detach_queue(e, id);
		q->cfg = *cfg;
		if ((rc = attach_queue(e, id)) < 0)
			return rc;
	}
	q->cfg = *cfg;
	/* the waiting contacts' timers follow the new delays */
	for (int p = 0; rc == GC_OK && p < ROUTE_PRIORITIES; p++)
		for (uint32_t i = q->waiting[p].head; rc == GC_OK && i != ROUTE_NONE; i = e->contacts[i].link.next) {
			e->contacts[i].gen++;
			rc = arm_overflow(e, i);
		}
	for (int p = ROUTE_PRIORITIES - 1; rc == GC_OK && p >= 0; p--)
		for (uint32_t i = q->waiting[p].head, next; rc == GC_OK && i != ROUTE_NONE; i = next) {
			next = e->contacts[i].link.next;
			rc = try_contact(e, i);
		}
	return rc;
}

int route_agent_update(struct route_engine *e, int64_t now, uint32_t id, const struct route_agent_config *cfg)
{
	if (id >= e->n_agents)
		return GC_ENOTFOUND;
	int n_nodes = agent_config_nodes(e, cfg);
	if (n_nodes < 0)
		return GC_EINVAL;
	int rc = advance(e, now);
	if (rc < 0)
		return rc;
	struct agent *a = &e->agents[id];
	for (int ch = 0; ch < ROUTE_CHANNELS; ch++)
		if (a->active[ch] > cfg->capacity[ch])
			return GC_ESTATE; /* it holds more than the new capacity: finish some first */
	if (a->total > cfg->max_total)
		return GC_ESTATE;
	bool logged_in = a->presence != ROUTE_OFFLINE;
	for (uint32_t k = 0; k < a->n_nodes; k++) { /* out of the old pools; the old nodes stay unused */
		uint32_t i = a->first_node + k;
		struct node *n = &e->nodes[i];
		struct pool *p = &e->pools[n->pool];
		if (n->in) {
			list_remove(&p->idle, e->nodes, NODE_IDLE, i);
			if (p->by_skill_used)
				list_remove(&p->by_skill[n->proficiency - 1], e->nodes, NODE_SKILL, i);
			n->in = false;
		}
	}
	if (logged_in)
		count_logged_in(e, id, -1);
	a->cfg = *cfg;
	if ((rc = make_nodes(e, id, (uint32_t)n_nodes)) < 0) {
		a->n_nodes = 0;
		return rc;
	}
	if (logged_in)
		count_logged_in(e, id, 1);
	memset(a->ready, 0, sizeof(a->ready));
	return refresh(e, id) ? try_agent(e, id) : GC_OK;
}

int route_contact_restore(struct route_engine *e, int64_t now, const struct route_restore *r, uint32_t *ret_contact)
{
	if (r->queue >= e->n_queues || r->priority < 0 || r->priority >= ROUTE_PRIORITIES ||
	    (r->agent != ROUTE_NONE && r->agent >= e->n_agents) || ((r->assigned || r->named) && r->agent == ROUTE_NONE) ||
	    r->arrived > r->enqueued)
		return GC_EINVAL;
	int rc = advance(e, now);
	if (rc < 0)
		return rc;
	if (r->assigned && e->agents[r->agent].presence == ROUTE_OFFLINE)
		return GC_ESTATE; /* an offline agent holds nothing */
	uint32_t id;
	if ((rc = new_contact(e, &id)) < 0)
		return rc;
	struct contact *c = &e->contacts[id];
	uint32_t gen = c->gen;
	*c = (struct contact){.queue = r->queue, .agent = r->agent, .priority = (uint8_t)r->priority,
			      .arrived = r->arrived, .enqueued = r->enqueued, .gen = gen + 1,
			      .link = {ROUTE_NONE, ROUTE_NONE}};
	forget_declines(c);
	*ret_contact = id;
	if (r->assigned) {
		struct agent *a = &e->agents[r->agent];
		int ch = channel_of(e, c);
		c->state = ROUTE_ASSIGNED;
		c->assigned_at = e->now;
		a->active[ch]++;
		a->total++;
		refresh(e, r->agent);
		return GC_OK;
	}
	c->named = r->named;
	wait_in_place(e, id);
	rc = arm_overflow(e, id);
	return rc == GC_OK ? try_contact(e, id) : rc;
}

int route_contact_forget(struct route_engine *e, uint32_t id)
{
	if (id >= e->n_contacts)
		return GC_ENOTFOUND;
	struct contact *c = &e->contacts[id];
	if (c->state != ROUTE_DONE && c->state != ROUTE_ABANDONED && c->state != ROUTE_REFUSED)
		return GC_ESTATE;
	c->state = ROUTE_FREE;
	c->gen++; /* its timers, if any are left, are stale */
	c->link.next = e->free_contacts;
	e->free_contacts = id;
	return GC_OK;
}

int64_t route_engine_next_due(const struct route_engine *e)
{
	return e->n_timers ? e->timers[0].at : INT64_MAX;
}

int route_queue_view(const struct route_engine *e, uint32_t id, struct route_queue_view *ret)
{
	if (id >= e->n_queues)
		return GC_ENOTFOUND;
	const struct queue *q = &e->queues[id];
	*ret = (struct route_queue_view){.oldest_arrival = INT64_MAX, .named = q->n_named,
					 .logged_in = e->pools[q->pool].logged_in};
	for (int p = 0; p < ROUTE_PRIORITIES; p++) {
		ret->waiting += q->n_waiting[p];
		/* the head of each priority came first into the queue; a contact that
		 * overflowed in keeps its arrival, so look a few further */
		uint32_t i = q->waiting[p].head;
		for (int k = 0; i != ROUTE_NONE && k < 8; k++, i = e->contacts[i].link.next)
			if (e->contacts[i].arrived < ret->oldest_arrival)
				ret->oldest_arrival = e->contacts[i].arrived;
	}
	return GC_OK;
}

static int fire(struct route_engine *e, const struct timer *t)
{
	if (t->kind == T_WRAPUP) {
		struct agent *a = &e->agents[t->id];
		if (a->gen != t->gen || !a->wrapup)
			return GC_OK;
		a->wrapup = false;
		int rc = emit(e, ROUTE_WRAPUP_ENDED, ROUTE_NONE, t->id, ROUTE_NONE, ROUTE_NONE);
		return rc == GC_OK && refresh(e, t->id) ? try_agent(e, t->id) : rc;
	}
	struct contact *c = &e->contacts[t->id];
	if (c->gen != t->gen)
		return GC_OK;
	if (t->kind == T_OFFER && c->state == ROUTE_OFFERED) {
		int rc = GC_OK;
		for (int k = 0; rc == GC_OK && k < (c->n_ring ? c->n_ring : 1); k++)
			rc = emit(e, ROUTE_OFFER_EXPIRED, t->id, c->n_ring ? c->ring[k] : c->agent, c->queue, ROUTE_NONE);
		return rc == GC_OK ? withdraw(e, t->id, true) : rc;
	}
	if (t->kind == T_TIER && c->state == ROUTE_WAITING && !c->named)
		return try_contact(e, t->id); /* one more tier may take it now */
	if (t->kind == T_STICKY && c->state == ROUTE_WAITING && c->sticky) { /* now anyone will do */
		stop_waiting(e, t->id);
		c->agent = ROUTE_NONE;
		c->sticky = false;
		return start_waiting(e, t->id, c->queue);
	}
	if (t->kind == T_OVERFLOW && c->state == ROUTE_WAITING && !c->named) {
		uint32_t to = e->queues[c->queue].cfg.overflow_to;
		int rc = emit(e, ROUTE_OVERFLOW, t->id, ROUTE_NONE, c->queue, to);
		if (rc < 0)
			return rc;
		stop_waiting(e, t->id);
		return start_waiting(e, t->id, to);
	}
	return GC_OK;
}

int route_engine_tick(struct route_engine *e, int64_t now)
{
	return advance(e, now);
}

bool route_engine_poll(struct route_engine *e, struct route_decision *ret)
{
	if (e->out_len == 0)
		return false;
	*ret = e->out[e->out_head];
	e->out_head = (e->out_head + 1) % e->out_cap;
	e->out_len--;
	return true;
}

/* --- views --- */

int route_contact_view(const struct route_engine *e, uint32_t id, struct route_contact_view *ret)
{
	if (id >= e->n_contacts)
		return GC_ENOTFOUND;
	const struct contact *c = &e->contacts[id];
	*ret = (struct route_contact_view){(enum route_contact_state)c->state, c->queue, c->agent, c->priority,
					   c->arrived, c->enqueued};
	return GC_OK;
}

int route_contact_ringing(const struct route_engine *e, uint32_t id, uint32_t *agents, int max)
{
	if (id >= e->n_contacts)
		return 0;
	const struct contact *c = &e->contacts[id];
	for (int k = 0; k < c->n_ring && k < max; k++)
		agents[k] = c->ring[k];
	return c->n_ring;
}

int route_contact_position(const struct route_engine *e, uint32_t id, int64_t mean_handle_ms,
			   uint32_t *ret_ahead, int64_t *ret_expected_wait_ms)
{
	if (id >= e->n_contacts)
		return GC_ENOTFOUND;
	const struct contact *c = &e->contacts[id];
	if (c->state != ROUTE_WAITING)
		return GC_ESTATE;
	uint32_t ahead = 0, servers;
	if (c->named) {
		for (uint32_t i = e->agents[c->agent].own.head; i != id; i = e->contacts[i].link.next)
			ahead++;
		servers = e->agents[c->agent].presence != ROUTE_OFFLINE;
	} else {
		const struct queue *q = &e->queues[c->queue];
		for (int p = ROUTE_PRIORITIES - 1; p > c->priority; p--)
			ahead += q->n_waiting[p];
		for (uint32_t i = q->waiting[c->priority].head; i != id; i = e->contacts[i].link.next)
			ahead++;
		servers = e->pools[q->pool].logged_in;
	}
	*ret_ahead = ahead;
	*ret_expected_wait_ms = servers ? (int64_t)(ahead + 1) * mean_handle_ms / servers : -1;
	return GC_OK;
}

void route_queue_walk(const struct route_engine *e, uint32_t queue,
		      void (*fn)(void *arg, uint32_t contact, uint32_t ahead), void *arg)
{
	if (queue >= e->n_queues)
		return;
	const struct queue *q = &e->queues[queue];
	uint32_t ahead = 0;
	for (int p = ROUTE_PRIORITIES - 1; p >= 0; p--)
		for (uint32_t i = q->waiting[p].head; i != ROUTE_NONE; i = e->contacts[i].link.next)
			fn(arg, i, ahead++);
}

int route_agent_view(const struct route_engine *e, uint32_t id, struct route_agent_view *ret)
{
	if (id >= e->n_agents)
		return GC_ENOTFOUND;
	const struct agent *a = &e->agents[id];
	*ret = (struct route_agent_view){.presence = (enum route_presence)a->presence, .in_wrapup = a->wrapup,
		.offered = a->offered, .total = a->total, .missed_in_row = a->missed, .idle_since = a->idle_since,
		.epoch = a->epoch, .handled = a->handled, .talk_ms = a->talk_ms};
	memcpy(ret->active, a->active, sizeof(ret->active));
	return GC_OK;
}

const struct route_agent_config *route_agent_config(const struct route_engine *e, uint32_t id)
{
	return id < e->n_agents ? &e->agents[id].cfg : NULL;
}

void route_agent_count_handled(struct route_engine *e, uint32_t agent, int64_t talk_ms)
{
	if (agent < e->n_agents) {
		e->agents[agent].handled++;
		e->agents[agent].talk_ms += talk_ms;
	}
}

void route_engine_reset_counters(struct route_engine *e)
{
	for (uint32_t a = 0; a < e->n_agents; a++) {
		e->agents[a].handled = 0;
		e->agents[a].talk_ms = 0;
	}
}

bool route_contact_declined_by(const struct route_engine *e, uint32_t contact, uint32_t agent)
{
	return contact < e->n_contacts && agent < e->n_agents && declined(e, &e->contacts[contact], agent);
}

int64_t route_engine_now(const struct route_engine *e)
{
	return e->now;
}

uint32_t route_engine_n_contacts(const struct route_engine *e)
{
	return e->n_contacts;
}

uint32_t route_engine_n_agents(const struct route_engine *e)
{
	return e->n_agents;
}

uint32_t route_engine_n_queues(const struct route_engine *e)
{
	return e->n_queues;
}

int route_engine_check(const struct route_engine *e)
{
	uint32_t listed = 0, waiting = 0;
	for (uint32_t q = 0; q < e->n_queues; q++) {
		for (int p = 0; p < ROUTE_PRIORITIES; p++) {
			uint32_t n = 0, prev = ROUTE_NONE;
			for (uint32_t i = e->queues[q].waiting[p].head; i != ROUTE_NONE; i = e->contacts[i].link.next) {
				const struct contact *c = &e->contacts[i];
				if (c->state != ROUTE_WAITING || c->named || c->queue != q || c->priority != p ||
				    c->link.prev != prev || n > e->n_contacts)
					return GC_ESTATE;
				prev = i;
				n++;
			}
			if (n != e->queues[q].n_waiting[p] || e->queues[q].waiting[p].tail != prev)
				return GC_ESTATE;
			listed += n;
		}
	}
	for (uint32_t a = 0; a < e->n_agents; a++)
		for (uint32_t i = e->agents[a].own.head; i != ROUTE_NONE; i = e->contacts[i].link.next, listed++)
			if (e->contacts[i].state != ROUTE_WAITING || !e->contacts[i].named || e->contacts[i].agent != a)
				return GC_ESTATE;
	for (uint32_t q = 0; q < e->n_queues; q++) { /* each queue's count of those */
		uint32_t named = 0;
		for (uint32_t i = 0; i < e->n_contacts; i++)
			named += e->contacts[i].state == ROUTE_WAITING && e->contacts[i].named && e->contacts[i].queue == q;
		if (named != e->queues[q].n_named)
			return GC_ESTATE;
	}
	for (uint32_t i = 0; i < e->n_contacts; i++)
		waiting += e->contacts[i].state == ROUTE_WAITING;
	return listed == waiting ? GC_OK : GC_ESTATE;
}
