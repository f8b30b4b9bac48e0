/* Unit tests of the routing engine (src/route/engine.c): scenarios for each
 * rule, then thousands of seeded random event sequences checked against the
 * invariants after every call (the seed is printed on failure). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/route.h"

enum { VOICE = 0, CHAT = 2 };

static uint32_t queue(struct route_engine *e, uint32_t skill, int channel, int level, enum route_strategy s)
{
	struct route_queue_config q = {.skill = skill, .channel = channel, .level = level, .strategy = s,
				       .overflow_to = ROUTE_NONE};
	uint32_t id;
	assert_int_equal(route_queue_add(e, &q, &id), GC_OK);
	return id;
}

static uint32_t agent(struct route_engine *e, uint32_t skill, int proficiency, int level)
{
	struct route_agent_config a = {.level = level, .n_skills = 1, .max_total = 3, .max_missed = 2};
	a.skills[0] = (struct route_skill){.skill = skill, .proficiency = proficiency};
	a.capacity[VOICE] = 1;
	a.capacity[CHAT] = 3;
	uint32_t id;
	assert_int_equal(route_agent_add(e, &a, &id), GC_OK);
	return id;
}

/* The next decision, which must be an offer; returns the agent. */
static uint32_t offered_to(struct route_engine *e, uint32_t contact)
{
	struct route_decision d;
	assert_true(route_engine_poll(e, &d));
	assert_int_equal(d.kind, ROUTE_OFFER);
	assert_int_equal(d.contact, contact);
	return d.agent;
}

static void longest_idle_gets_the_call(void **state)
{
	struct route_engine *e = route_engine_new(4);
	uint32_t q = queue(e, 1, VOICE, 1, ROUTE_LONGEST_IDLE), a[3], c;
	for (int i = 0; i < 3; i++) {
		a[i] = agent(e, 1, 5, 1);
		assert_int_equal(route_agent_presence(e, 1000 * (i + 1), a[i], ROUTE_AVAILABLE), GC_OK);
	}
	assert_int_equal(route_contact_enqueue(e, 5000, q, 0, &c), GC_OK);
	assert_int_equal(offered_to(e, c), a[0]);
	assert_int_equal(route_offer_accept(e, 5100, c, a[0]), GC_OK);
	assert_int_equal(route_contact_finish(e, 9000, c), GC_OK); /* a[0] idle since 9000 now */
	assert_int_equal(route_contact_enqueue(e, 9500, q, 0, &c), GC_OK);
	assert_int_equal(offered_to(e, c), a[1]);
	route_engine_free(e);
}

/* Agents taking three chats each: the next chat goes to the least loaded,
 * the longest ready among equals, by longest idle and within a best skill. */
static void chats_go_to_the_least_loaded(void **state)
{
	for (int s = 0; s < 2; s++) {
		struct route_engine *e = route_engine_new(1);
		uint32_t q = queue(e, 0, CHAT, 1, s ? ROUTE_BEST_SKILL : ROUTE_LONGEST_IDLE), first = agent(e, 0, 5, 1),
			 second = agent(e, 0, 5, 1), c[4];
		route_agent_presence(e, 1, first, ROUTE_AVAILABLE);
		route_agent_presence(e, 2, second, ROUTE_AVAILABLE);
		uint32_t want[4] = {first, second, first, second};
		for (int i = 0; i < 4; i++) {
			route_contact_enqueue(e, 10 + i, q, 0, &c[i]);
			assert_int_equal(offered_to(e, c[i]), want[i]);
			route_offer_accept(e, 10 + i, c[i], want[i]);
		}
		route_contact_finish(e, 20, c[1]); /* second holds one now, first two */
		route_contact_enqueue(e, 21, q, 0, &c[0]);
		assert_int_equal(offered_to(e, c[0]), second);
		route_engine_free(e);
	}
}

static void best_skill_gets_the_call(void **state)
{
	struct route_engine *e = route_engine_new(4);
	uint32_t q = queue(e, 2, VOICE, 1, ROUTE_BEST_SKILL), c;
	uint32_t low = agent(e, 2, 3, 1), high = agent(e, 2, 9, 1), mid = agent(e, 2, 5, 1);
	route_agent_presence(e, 1, low, ROUTE_AVAILABLE);
	route_agent_presence(e, 2, high, ROUTE_AVAILABLE);
	route_agent_presence(e, 3, mid, ROUTE_AVAILABLE);
	assert_int_equal(route_contact_enqueue(e, 10, q, 0, &c), GC_OK);
	assert_int_equal(offered_to(e, c), high);
	route_engine_free(e);
}

/* What route_queue_walk saw. */
struct walked {
	uint32_t n, contact[8], ahead[8];
};

static void note_place(void *arg, uint32_t contact, uint32_t ahead)
{
	struct walked *w = arg;
	if (w->n < 8) {
		w->contact[w->n] = contact;
		w->ahead[w->n++] = ahead;
	}
}

static void priorities_then_arrival(void **state)
{
	struct route_engine *e = route_engine_new(4);
	uint32_t q = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE), a = agent(e, 0, 5, 1), c[4];
	route_contact_enqueue(e, 1, q, 0, &c[0]);
	route_contact_enqueue(e, 2, q, 5, &c[1]);
	route_contact_enqueue(e, 3, q, 0, &c[2]);
	route_contact_enqueue(e, 4, q, 5, &c[3]);
	uint32_t ahead;
	int64_t wait;
	assert_int_equal(route_contact_position(e, c[2], 60000, &ahead, &wait), GC_OK);
	assert_int_equal(ahead, 3);
	assert_true(wait == -1); /* nobody logged in */
	/* the whole queue's places in one walk, in the order they will be served */
	struct walked walked = {0};
	route_queue_walk(e, q, note_place, &walked);
	const uint32_t order[] = {c[1], c[3], c[0], c[2]};
	assert_int_equal(walked.n, 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(walked.contact[i], order[i]);
		assert_int_equal(walked.ahead[i], i);
		assert_int_equal(route_contact_position(e, order[i], 60000, &ahead, &wait), GC_OK);
		assert_int_equal(ahead, i); /* the same places as one contact at a time */
	}
	route_agent_presence(e, 10, a, ROUTE_AVAILABLE);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(offered_to(e, order[i]), a);
		route_offer_accept(e, 20 + i, order[i], a);
		route_contact_finish(e, 30 + i, order[i]);
	}
	route_engine_free(e);
}

static void chat_capacity_and_total(void **state)
{
	struct route_engine *e = route_engine_new(4);
	uint32_t chat = queue(e, 0, CHAT, 1, ROUTE_LONGEST_IDLE), voice = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE);
	uint32_t a = agent(e, 0, 5, 1), c[5];
	route_agent_presence(e, 1, a, ROUTE_AVAILABLE);
	for (int i = 0; i < 3; i++) {
		route_contact_enqueue(e, 10 + i, chat, 0, &c[i]);
		assert_int_equal(offered_to(e, c[i]), a);
	}
	route_contact_enqueue(e, 20, chat, 0, &c[3]); /* 4th chat waits */
	route_contact_enqueue(e, 21, voice, 0, &c[4]); /* and a call: total capacity 3 reached */
	struct route_decision d;
	assert_false(route_engine_poll(e, &d));
	struct route_agent_view v;
	route_agent_view(e, a, &v);
	assert_int_equal(v.active[CHAT], 3);
	assert_int_equal(v.total, 3);
	route_offer_accept(e, 30, c[0], a);
	route_contact_finish(e, 40, c[0]);
	assert_int_equal(offered_to(e, c[3]), a); /* the older of the two waiting */
	route_engine_free(e);
}

static void missed_offers_move_on_and_pause(void **state)
{
	struct route_engine *e = route_engine_new(2);
	struct route_queue_config qc = {.skill = 0, .channel = VOICE, .level = 1, .offer_timeout_ms = 15000,
					.overflow_to = ROUTE_NONE};
	uint32_t q, a = agent(e, 0, 5, 1), b = agent(e, 0, 5, 1), c, c2;
	route_queue_add(e, &qc, &q);
	route_agent_presence(e, 0, a, ROUTE_AVAILABLE);
	route_agent_presence(e, 1, b, ROUTE_AVAILABLE);
	route_contact_enqueue(e, 100, q, 0, &c);
	assert_int_equal(offered_to(e, c), a);
	route_engine_tick(e, 15100); /* a missed it */
	struct route_decision d;
	assert_true(route_engine_poll(e, &d));
	assert_int_equal(d.kind, ROUTE_OFFER_EXPIRED);
	assert_int_equal(offered_to(e, c), b);
	assert_true(route_contact_declined_by(e, c, a));
	route_offer_reject(e, 16000, c, b); /* b declines: nobody else now */
	assert_false(route_engine_poll(e, &d) && d.kind == ROUTE_OFFER && d.agent == b);
	route_contact_enqueue(e, 17000, q, 0, &c2);
	assert_int_equal(offered_to(e, c2), a);
	route_engine_tick(e, 40000); /* a misses a second offer in a row: paused */
	bool paused = false;
	while (route_engine_poll(e, &d))
		paused |= d.kind == ROUTE_AGENT_PAUSED && d.agent == a;
	assert_true(paused);
	struct route_agent_view v;
	route_agent_view(e, a, &v);
	assert_int_equal(v.presence, ROUTE_PAUSED);
	route_engine_free(e);
}

static void overflow_after_a_wait_and_when_nobody_is_there(void **state)
{
	struct route_engine *e = route_engine_new(3);
	uint32_t outsourcer = queue(e, 1, VOICE, 1, ROUTE_LONGEST_IDLE), brand, c, c2;
	struct route_queue_config qc = {.skill = 0, .channel = VOICE, .level = 1, .overflow_after_ms = 30000,
					.overflow_to = outsourcer};
	route_queue_add(e, &qc, &brand);
	uint32_t inhouse = agent(e, 0, 5, 1), bpo = agent(e, 1, 5, 1);
	route_contact_enqueue(e, 0, brand, 0, &c); /* nobody with skill 0 logged in: straight over */
	struct route_decision d;
	assert_true(route_engine_poll(e, &d));
	assert_int_equal(d.kind, ROUTE_OVERFLOW);
	route_agent_presence(e, 1, inhouse, ROUTE_AVAILABLE);
	route_contact_enqueue(e, 2, brand, 0, &c2);
	assert_int_equal(offered_to(e, c2), inhouse);
	route_offer_accept(e, 3, c2, inhouse);
	uint32_t c3;
	route_contact_enqueue(e, 10, brand, 0, &c3); /* in-house busy: waits */
	route_agent_presence(e, 11, bpo, ROUTE_AVAILABLE);
	assert_true(route_engine_poll(e, &d) && d.kind == ROUTE_OFFER && d.contact == c); /* the first one */
	route_offer_accept(e, 12, c, bpo);
	route_contact_finish(e, 13, c);
	route_engine_tick(e, 30010);
	assert_true(route_engine_poll(e, &d));
	assert_int_equal(d.kind, ROUTE_OVERFLOW);
	assert_int_equal(d.contact, c3);
	assert_int_equal(offered_to(e, c3), bpo);
	struct route_contact_view v;
	route_contact_view(e, c3, &v);
	assert_true(v.arrived == 10 && v.queue == outsourcer);
	route_engine_free(e);
}

/* A loop would pass a contact round for ever, its wait past every threshold;
 * a contact keeps its channel. Both are refused, changing nothing. */
static void overflow_chains_never_loop_nor_change_channel(void **state)
{
	struct route_engine *e = route_engine_new(1);
	uint32_t a = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE), b, chat = queue(e, 0, CHAT, 1, ROUTE_LONGEST_IDLE), x;
	struct route_queue_config to_a = {.skill = 0, .channel = VOICE, .level = 1, .overflow_after_ms = 1000,
					  .overflow_to = a};
	assert_int_equal(route_queue_add(e, &to_a, &b), GC_OK);
	struct route_queue_config to_b = to_a, to_self = to_a, to_chat = to_a, self_chat = to_a;
	to_b.overflow_to = b;
	to_self.overflow_to = a;
	to_chat.overflow_to = chat;
	assert_int_equal(route_queue_overflow_problem(e, a, &to_b), ROUTE_OVERFLOW_LOOPS);
	assert_int_equal(route_queue_overflow_problem(e, a, &to_self), ROUTE_OVERFLOW_LOOPS);
	assert_int_equal(route_queue_update_check(e, a, &to_b), GC_EINVAL);
	assert_int_equal(route_queue_update(e, 0, a, &to_b), GC_EINVAL);
	assert_int_equal(route_queue_update(e, 0, a, &to_self), GC_EINVAL);
	assert_int_equal(route_queue_overflow_problem(e, ROUTE_NONE, &to_chat), ROUTE_OVERFLOW_OTHER_CHANNEL);
	assert_int_equal(route_queue_add_check(e, &to_chat), GC_EINVAL);
	assert_int_equal(route_queue_add(e, &to_chat, &x), GC_EINVAL);
	/* a queues overflows to a: a cannot turn to chat while it does */
	self_chat.channel = CHAT;
	self_chat.overflow_to = ROUTE_NONE;
	assert_int_equal(route_queue_overflow_problem(e, a, &self_chat), ROUTE_OVERFLOW_OTHER_CHANNEL);
	assert_int_equal(route_queue_update_check(e, a, &self_chat), GC_EINVAL);
	/* the chain a contact follows ends: b overflows to a, which keeps it */
	uint32_t c;
	route_contact_enqueue(e, 0, b, 0, &c);
	route_engine_tick(e, 60000);
	struct route_contact_view v;
	route_contact_view(e, c, &v);
	assert_int_equal(v.queue, a);
	assert_int_equal(route_queue_overflow_problem(e, b, &to_a), ROUTE_OVERFLOW_FINE);
	route_engine_free(e);
}

static void escalation_and_transfer(void **state)
{
	struct route_engine *e = route_engine_new(2);
	uint32_t l1 = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE), l2 = queue(e, 0, VOICE, 2, ROUTE_LONGEST_IDLE);
	uint32_t agent1 = agent(e, 0, 5, 1), expert = agent(e, 0, 8, 2), colleague = agent(e, 0, 5, 1), c;
	route_agent_presence(e, 0, agent1, ROUTE_AVAILABLE);
	route_contact_enqueue(e, 5, l1, 0, &c);
	assert_int_equal(offered_to(e, c), agent1);
	route_offer_accept(e, 6, c, agent1);
	route_agent_presence(e, 7, expert, ROUTE_AVAILABLE);
	assert_int_equal(route_contact_move(e, 50, c, l2, ROUTE_NONE), GC_OK); /* escalate */
	assert_int_equal(offered_to(e, c), expert);
	route_offer_accept(e, 51, c, expert);
	assert_int_equal(route_contact_move(e, 90, c, l1, colleague), GC_OK); /* to a named agent */
	struct route_decision d;
	assert_false(route_engine_poll(e, &d));                 /* colleague is offline: it waits for them */
	route_agent_presence(e, 100, colleague, ROUTE_AVAILABLE);
	assert_int_equal(offered_to(e, c), colleague);
	struct route_contact_view v;
	route_contact_view(e, c, &v);
	assert_true(v.arrived == 5);
	assert_int_equal(route_contact_move(e, 101, c, l2, ROUTE_NONE), GC_ESTATE); /* not assigned yet */
	/* transferred to an agent on a break, who then logs out: anyone of the queue takes it */
	route_offer_accept(e, 102, c, colleague);
	route_agent_presence(e, 103, agent1, ROUTE_PAUSED);
	assert_int_equal(route_contact_move(e, 104, c, l1, agent1), GC_OK);
	assert_false(route_engine_poll(e, &d));
	assert_int_equal(route_agent_presence(e, 105, agent1, ROUTE_OFFLINE), GC_OK);
	assert_true(route_engine_poll(e, &d));
	assert_int_equal(d.kind, ROUTE_RELEASED);
	assert_int_equal(d.contact, c);
	assert_int_equal(d.agent, agent1);
	assert_int_not_equal(offered_to(e, c), agent1); /* the expert, ready longest */
	route_engine_free(e);
}

static void other_strategies(void **state)
{
	struct route_engine *e = route_engine_new(1);
	uint32_t fewest = queue(e, 0, VOICE, 1, ROUTE_FEWEST_HANDLED), talk = queue(e, 0, CHAT, 1, ROUTE_LEAST_TALK);
	uint32_t rr = queue(e, 0, 4, 1, ROUTE_ROUND_ROBIN), a[3], c;
	struct route_agent_config cfg = {.level = 1, .n_skills = 1, .max_total = 1};
	cfg.skills[0] = (struct route_skill){.skill = 0, .proficiency = 5};
	cfg.capacity[VOICE] = cfg.capacity[CHAT] = cfg.capacity[4] = 1;
	for (int i = 0; i < 3; i++) {
		route_agent_add(e, &cfg, &a[i]);
		route_agent_presence(e, i, a[i], ROUTE_AVAILABLE);
	}
	/* a[0] handles two short calls, a[1] one long one: fewest handled picks a[2], then a[1] */
	route_contact_enqueue(e, 10, fewest, 0, &c);
	assert_int_equal(offered_to(e, c), a[0]);
	route_offer_accept(e, 10, c, a[0]);
	route_contact_finish(e, 20, c);
	route_contact_enqueue(e, 30, fewest, 0, &c);
	assert_int_equal(offered_to(e, c), a[1]);
	route_offer_accept(e, 30, c, a[1]);
	route_contact_finish(e, 500, c);
	route_contact_enqueue(e, 600, fewest, 0, &c);
	assert_int_equal(offered_to(e, c), a[2]); /* handled none */
	route_offer_accept(e, 600, c, a[2]);
	route_contact_finish(e, 10000, c);
	route_contact_enqueue(e, 10001, talk, 0, &c); /* talk: a[0] 10 ms, a[1] 470, a[2] 9400 */
	assert_int_equal(offered_to(e, c), a[0]);
	route_offer_reject(e, 10002, c, a[0]);
	assert_int_equal(offered_to(e, c), a[1]);
	route_offer_accept(e, 10003, c, a[1]);
	route_contact_finish(e, 10004, c);
	uint32_t order[4];
	for (int i = 0; i < 4; i++) { /* round robin: each in turn, whoever is idlest */
		route_contact_enqueue(e, 20000 + i, rr, 0, &c);
		struct route_decision d;
		assert_true(route_engine_poll(e, &d) && d.kind == ROUTE_OFFER);
		order[i] = d.agent;
		route_offer_accept(e, 20000 + i, c, d.agent);
		route_contact_finish(e, 20000 + i, c);
	}
	assert_true(order[1] == (order[0] + 1) % 3 && order[2] == (order[1] + 1) % 3 && order[3] == order[0]);
	route_engine_reset_counters(e);
	struct route_agent_view v;
	route_agent_view(e, a[2], &v);
	assert_true(v.handled == 0 && v.talk_ms == 0);
	route_engine_free(e);
}

static void sticky_agent_first_then_anyone(void **state)
{
	struct route_engine *e = route_engine_new(1);
	uint32_t q = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE), last = agent(e, 0, 5, 1), other = agent(e, 0, 5, 1), c, busy;
	route_agent_presence(e, 0, other, ROUTE_AVAILABLE);
	route_agent_presence(e, 1, last, ROUTE_AVAILABLE);
	route_contact_enqueue_for(e, 10, q, 0, last, 30000, &c); /* other is idler, but the customer knows last */
	assert_int_equal(offered_to(e, c), last);
	route_offer_accept(e, 11, c, last);
	route_contact_enqueue(e, 12, q, 0, &busy);
	assert_int_equal(offered_to(e, busy), other);
	route_offer_accept(e, 13, busy, other);
	uint32_t again;
	route_contact_enqueue_for(e, 20, q, 0, last, 30000, &again); /* last is busy: it waits for them */
	route_contact_finish(e, 25, busy);                        /* other frees up, but it is not theirs */
	struct route_decision d;
	assert_false(route_engine_poll(e, &d));
	route_engine_tick(e, 30020);                              /* the wait is over: anyone */
	assert_int_equal(offered_to(e, again), other);
	route_engine_free(e);
}

static void tiers_join_after_their_delay(void **state)
{
	struct route_engine *e = route_engine_new(1);
	struct route_queue_config qc = {.skill = 0, .channel = VOICE, .level = 1, .tier_delay_ms = 10000,
					.overflow_to = ROUTE_NONE};
	uint32_t q, first, second, c;
	route_queue_add(e, &qc, &q);
	struct route_agent_config a = {.level = 1, .n_skills = 1, .max_total = 1};
	a.capacity[VOICE] = 1;
	a.skills[0] = (struct route_skill){.skill = 0, .proficiency = 5, .tier = 1};
	route_agent_add(e, &a, &first);
	a.skills[0].tier = 2;
	route_agent_add(e, &a, &second);
	route_agent_presence(e, 0, second, ROUTE_AVAILABLE); /* only tier 2 is there */
	route_contact_enqueue(e, 1000, q, 0, &c);
	struct route_decision d;
	assert_false(route_engine_poll(e, &d));
	route_engine_tick(e, 10999);
	assert_false(route_engine_poll(e, &d));
	route_engine_tick(e, 11000);                         /* tier 2 joins */
	assert_int_equal(offered_to(e, c), second);
	route_offer_accept(e, 11001, c, second);
	route_agent_presence(e, 11002, first, ROUTE_AVAILABLE);
	route_contact_enqueue(e, 12000, q, 0, &c);           /* tier 1 at once */
	assert_int_equal(offered_to(e, c), first);
	route_engine_free(e);
}

static void opening_hours(void **state)
{
	struct route_engine *e = route_engine_new(1);
	uint32_t night = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE), day, c;
	struct route_queue_config qc = {.skill = 0, .channel = VOICE, .level = 1, .overflow_to = night,
					.hours = {.enabled = true, .utc_offset_ms = 3600000, .when_closed = ROUTE_CLOSED_OVERFLOW}};
	for (int wd = 0; wd < 5; wd++) { /* Monday to Friday, 9:00-12:30 and 14:00-18:00 local */
		qc.hours.ranges[wd][0].from = 9 * 60;
		qc.hours.ranges[wd][0].to = 12 * 60 + 30;
		qc.hours.ranges[wd][1].from = 14 * 60;
		qc.hours.ranges[wd][1].to = 18 * 60;
	}
	assert_int_equal(route_queue_add(e, &qc, &day), GC_OK);
	const int64_t monday = 20458LL * 86400000; /* 2026-01-05 00:00 UTC */
	assert_false(route_queue_open(e, day, monday + 7 * 3600000LL + 59 * 60000));  /* 8:59 local */
	assert_true(route_queue_open(e, day, monday + 8 * 3600000LL));                /* 9:00 local */
	assert_false(route_queue_open(e, day, monday + 12 * 3600000LL));              /* 13:00 local */
	assert_true(route_queue_open(e, day, monday + 4 * 86400000LL + 16 * 3600000LL)); /* Friday 17:00 */
	assert_false(route_queue_open(e, day, monday + 5 * 86400000LL + 10 * 3600000LL)); /* Saturday */
	route_contact_enqueue(e, monday + 5 * 86400000LL, day, 0, &c);
	struct route_decision d;
	assert_true(route_engine_poll(e, &d) && d.kind == ROUTE_OVERFLOW && d.to_queue == night);
	struct route_contact_view v;
	route_contact_view(e, c, &v);
	assert_int_equal(v.queue, night);
	struct route_queue_config refuse = qc;
	refuse.hours.when_closed = ROUTE_CLOSED_REFUSE;
	uint32_t strict;
	route_queue_add(e, &refuse, &strict);
	route_contact_enqueue(e, monday + 5 * 86400000LL + 1, strict, 0, &c);
	assert_true(route_engine_poll(e, &d) && d.kind == ROUTE_REFUSED_CLOSED && d.contact == c);
	route_contact_view(e, c, &v);
	assert_int_equal(v.state, ROUTE_REFUSED);
	struct route_queue_config bad = qc;
	bad.hours.ranges[0][0].to = 2000;
	assert_int_equal(route_queue_add(e, &bad, &strict), GC_EINVAL);
	route_engine_free(e);
}

/* Paris springs forward on Sunday 2026-03-29 at 01:00 UTC: a queue open on
 * Sundays 08:00-09:00 local opens at 07:00 UTC before, at 06:00 UTC once the
 * caller sets the summer offset, and back at 07:00 UTC on 2026-10-25. */
static void opening_hours_follow_dst(void **state)
{
	(void)state;
	struct route_engine *e = route_engine_new(1);
	uint32_t q;
	struct route_queue_config qc = {.skill = 0, .channel = VOICE, .level = 1, .overflow_to = ROUTE_NONE,
					.hours = {.enabled = true, .utc_offset_ms = 3600000, .when_closed = ROUTE_CLOSED_WAIT}};
	qc.hours.ranges[6][0].from = 8 * 60;
	qc.hours.ranges[6][0].to = 9 * 60;
	assert_int_equal(route_queue_add(e, &qc, &q), GC_OK);
	const int64_t march29 = 20541LL * 86400000, october25 = 20751LL * 86400000; /* 00:00 UTC, both Sundays */
	assert_true(route_queue_open(e, q, march29 + 7 * 3600000LL)); /* winter offset still: 08:00 local */
	route_queue_set_utc_offset(e, q, 7200000);                     /* the caller follows the change */
	assert_false(route_queue_open(e, q, march29 + 7 * 3600000LL + 1800000)); /* 09:30 summer time */
	assert_true(route_queue_open(e, q, march29 + 6 * 3600000LL));            /* 08:00 summer time */
	assert_false(route_queue_open(e, q, march29 + 5 * 3600000LL + 3599999)); /* 07:59:59 */
	assert_true(route_queue_open(e, q, october25 + 6 * 3600000LL));          /* still summer at 06:00 UTC */
	route_queue_set_utc_offset(e, q, 3600000);                               /* back to winter at 01:00 UTC */
	assert_false(route_queue_open(e, q, october25 + 6 * 3600000LL));         /* 07:00 local */
	assert_true(route_queue_open(e, q, october25 + 7 * 3600000LL));          /* 08:00 local */
	route_engine_free(e);
}

static void ring_all_rings_everyone_first_accept_wins(void **state)
{
	struct route_engine *e = route_engine_new(1);
	uint32_t q = queue(e, 0, VOICE, 1, ROUTE_RING_ALL), a[3], c;
	for (int i = 0; i < 3; i++) {
		a[i] = agent(e, 0, 5, 1);
		route_agent_presence(e, i, a[i], ROUTE_AVAILABLE);
	}
	route_contact_enqueue(e, 10, q, 0, &c);
	struct route_decision d;
	int offers = 0;
	while (route_engine_poll(e, &d))
		offers += d.kind == ROUTE_OFFER && d.contact == c;
	assert_int_equal(offers, 3);
	uint32_t ringing[ROUTE_MAX_RING];
	assert_int_equal(route_contact_ringing(e, c, ringing, ROUTE_MAX_RING), 3);
	assert_int_equal(route_offer_reject(e, 11, c, a[0]), GC_OK);       /* one says no: the others still ring */
	assert_int_equal(route_contact_ringing(e, c, ringing, ROUTE_MAX_RING), 2);
	assert_int_equal(route_offer_accept(e, 12, c, a[2]), GC_OK);       /* the first to accept takes it */
	assert_true(route_engine_poll(e, &d) && d.kind == ROUTE_OFFER_WITHDRAWN && d.agent == a[1]);
	assert_int_equal(route_offer_accept(e, 13, c, a[1]), GC_ESTATE);   /* too late */
	struct route_contact_view v;
	route_contact_view(e, c, &v);
	assert_true(v.state == ROUTE_ASSIGNED && v.agent == a[2]);
	struct route_agent_view av;
	route_agent_view(e, a[1], &av);
	assert_true(av.total == 0 && av.offered == 0);
	route_engine_free(e);
}

static void bad_calls_change_nothing(void **state)
{
	struct route_engine *e = route_engine_new(2);
	uint32_t q = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE), a = agent(e, 0, 5, 1), c, id;
	struct route_queue_config bad = {.skill = 7, .channel = VOICE, .level = 1, .overflow_to = ROUTE_NONE};
	assert_int_equal(route_queue_add(e, &bad, &id), GC_EINVAL);
	struct route_agent_config twice = {.level = 1, .n_skills = 2, .max_total = 1};
	twice.skills[0] = twice.skills[1] = (struct route_skill){.skill = 0, .proficiency = 5};
	assert_int_equal(route_agent_add(e, &twice, &id), GC_EINVAL);
	assert_int_equal(route_contact_enqueue(e, 0, 99, 0, &c), GC_EINVAL);
	assert_int_equal(route_contact_enqueue(e, 0, q, 10, &c), GC_EINVAL);
	route_agent_presence(e, 0, a, ROUTE_AVAILABLE);
	route_contact_enqueue(e, 1, q, 0, &c);
	assert_int_equal(route_offer_accept(e, 2, c, a + 1), GC_ENOTFOUND);
	assert_int_equal(route_contact_finish(e, 2, c), GC_ESTATE);      /* offered, not assigned */
	assert_int_equal(route_agent_presence(e, 2, a, ROUTE_OFFLINE), GC_ESTATE); /* holds an offer */
	assert_int_equal(route_engine_n_contacts(e), 1);
	route_engine_free(e);
}

/* --- random sequences against the invariants --- */

#define N_AGENTS 12
#define N_QUEUES 8
#define N_SKILLS 5

struct world {
	struct route_engine *e;
	uint32_t rejected_by;        /* the agent that rejected in this step, or ROUTE_NONE */
	uint32_t transferred;        /* the contact transferred to (or sticky for) a named agent in this step */
	struct route_queue_config q[N_QUEUES];
	struct route_agent_config a[N_AGENTS];
	int64_t now;
};

static bool has_skill(const struct route_agent_config *a, uint32_t skill)
{
	for (int i = 0; i < a->n_skills; i++)
		if (a->skills[i].skill == skill)
			return true;
	return false;
}

static void random_agent(struct route_agent_config *a)
{
	*a = (struct route_agent_config){.level = rand() % 3 == 0 ? 2 : 1, .max_total = 1 + rand() % 3,
					 .max_missed = rand() % 3};
	for (uint32_t s = 0; s < N_SKILLS; s++)
		if (rand() % 2 && a->n_skills < ROUTE_MAX_AGENT_SKILLS)
			a->skills[a->n_skills++] = (struct route_skill){.skill = s, .proficiency = 1 + rand() % 10,
									.tier = rand() % 4};
	a->capacity[VOICE] = rand() % 4 ? 1 : 0;
	a->capacity[CHAT] = rand() % 4;
}

static void build(struct world *w, unsigned seed)
{
	srand(seed);
	w->e = route_engine_new(N_SKILLS);
	w->now = 0;
	for (uint32_t i = 0; i < N_QUEUES; i++) {
		w->q[i] = (struct route_queue_config){.skill = (uint32_t)rand() % N_SKILLS, .channel = rand() % 2 ? CHAT : VOICE,
			.level = rand() % 4 == 0 ? 2 : 1, .strategy = (enum route_strategy)(rand() % 7),
			.offer_timeout_ms = rand() % 2 ? 5000 : 0, .wrapup_ms = rand() % 3 ? 2000 : 0,
			.overflow_after_ms = i > 0 && rand() % 3 == 0 ? 8000 : 0, .overflow_to = ROUTE_NONE,
			.tier_delay_ms = rand() % 3 == 0 ? 6000 : 0};
		if (w->q[i].overflow_after_ms) { /* to an earlier queue of the same channel */
			w->q[i].overflow_to = (uint32_t)rand() % i;
			w->q[i].channel = w->q[w->q[i].overflow_to].channel;
		}
		if (rand() % 4 == 0) { /* open 6 hours out of 24, refusing or waiting the rest */
			w->q[i].hours.enabled = true;
			w->q[i].hours.when_closed = rand() % 2 ? ROUTE_CLOSED_REFUSE : ROUTE_CLOSED_WAIT;
			for (int d = 0; d < 7; d++)
				w->q[i].hours.ranges[d][0].from = 0, w->q[i].hours.ranges[d][0].to = 360;
		}
		uint32_t id;
		assert_int_equal(route_queue_add(w->e, &w->q[i], &id), GC_OK);
	}
	for (uint32_t i = 0; i < N_AGENTS; i++) {
		random_agent(&w->a[i]);
		uint32_t id;
		assert_int_equal(route_agent_add(w->e, &w->a[i], &id), GC_OK);
	}
}

static int tier_of(const struct route_agent_config *a, uint32_t skill)
{
	for (int i = 0; i < a->n_skills; i++)
		if (a->skills[i].skill == skill)
			return a->skills[i].tier ? a->skills[i].tier : 1;
	return 99;
}

static int allowed(const struct route_queue_config *q, const struct route_contact_view *v, int64_t now)
{
	if (q->tier_delay_ms == 0)
		return 3;
	int64_t waited = now - v->enqueued;
	return waited >= 2 * q->tier_delay_ms ? 3 : waited >= q->tier_delay_ms ? 2 : 1;
}

static void check(struct world *w, unsigned seed, int step)
{
	struct route_engine *e = w->e;
	if (route_engine_check(e) != GC_OK) {
		fprintf(stderr, "seed %u step %d: the engine's lists disagree with its contacts\n", seed, step);
		fail();
	}
	uint32_t n = route_engine_n_contacts(e);
	int held[N_AGENTS][ROUTE_CHANNELS] = {{0}}, offers[N_AGENTS] = {0};
	for (uint32_t c = 0; c < n; c++) {
		struct route_contact_view v;
		assert_int_equal(route_contact_view(e, c, &v), GC_OK);
		uint32_t ringing[ROUTE_MAX_RING];
		int n_ring = route_contact_ringing(e, c, ringing, ROUTE_MAX_RING);
		if (v.state == ROUTE_OFFERED && n_ring > 0) { /* a ring-all offer: held by each agent it rings */
			assert_true(v.agent == ROUTE_NONE);
			for (int k = 0; k < n_ring; k++) {
				held[ringing[k]][w->q[v.queue].channel]++;
				offers[ringing[k]]++;
			}
		} else if (v.state == ROUTE_OFFERED || v.state == ROUTE_ASSIGNED) {
			assert_true(v.agent < N_AGENTS && n_ring == 0);
			held[v.agent][w->q[v.queue].channel]++;
			offers[v.agent] += v.state == ROUTE_OFFERED;
		}
	}
	for (uint32_t a = 0; a < N_AGENTS; a++) {
		struct route_agent_view v;
		route_agent_view(e, a, &v);
		int total = 0;
		for (int ch = 0; ch < ROUTE_CHANNELS; ch++) {
			if (v.active[ch] != held[a][ch] || held[a][ch] > w->a[a].capacity[ch]) {
				fprintf(stderr, "agent %u channel %d: engine %d, contacts %d, capacity %d\n", a, ch,
					v.active[ch], held[a][ch], w->a[a].capacity[ch]);
				goto broken;
			}
			total += held[a][ch];
		}
		if (total != v.total || total > w->a[a].max_total || offers[a] != v.offered) {
			fprintf(stderr, "agent %u: total %d/%d (max %d), offers %d/%d\n", a, v.total, total,
				w->a[a].max_total, v.offered, offers[a]);
			goto broken;
		}
	}
	/* nobody waits who a ready agent could take */
	for (uint32_t c = 0; c < n; c++) {
		struct route_contact_view v;
		route_contact_view(e, c, &v);
		if (v.state != ROUTE_WAITING)
			continue;
		const struct route_queue_config *q = &w->q[v.queue];
		for (uint32_t a = 0; a < N_AGENTS; a++) {
			struct route_agent_view av;
			route_agent_view(e, a, &av);
			bool could = av.presence == ROUTE_AVAILABLE && !av.in_wrapup && av.total < w->a[a].max_total &&
				     av.active[q->channel] < w->a[a].capacity[q->channel] &&
				     (v.agent == ROUTE_NONE ? has_skill(&w->a[a], q->skill) && w->a[a].level >= q->level &&
							      tier_of(&w->a[a], q->skill) <= allowed(q, &v, route_engine_now(e))
							    : v.agent == a);
			if (could && !route_contact_declined_by(e, c, a)) {
				fprintf(stderr, "seed %u step %d: contact %u waits while agent %u could take it\n",
					seed, step, c, a);
				fail();
			}
		}
	}
	return;
broken:
	fprintf(stderr, "seed %u step %d: an agent's holdings disagree with the contacts\n", seed, step);
	fail();
}

/* Which contacts waited in which queue before a call, and which waited for
 * a named agent (a transfer: served before the queue, by design). */
static uint32_t before_queue[1 << 16];
static bool before_named[1 << 16];
static uint32_t before_epoch[N_AGENTS];
static uint32_t before_n;     /* contacts that existed before the call */
static int64_t before_now;    /* the engine's clock before the call */

static void snapshot(struct world *w)
{
	before_n = route_engine_n_contacts(w->e);
	before_now = route_engine_now(w->e);
	for (uint32_t c = 0; c < route_engine_n_contacts(w->e) && c < (1 << 16); c++) {
		struct route_contact_view v;
		route_contact_view(w->e, c, &v);
		before_queue[c] = v.state == ROUTE_WAITING && v.agent == ROUTE_NONE ? v.queue : ROUTE_NONE;
		before_named[c] = v.state == ROUTE_WAITING && v.agent != ROUTE_NONE;
	}
	for (uint32_t a = 0; a < N_AGENTS; a++) {
		struct route_agent_view v;
		route_agent_view(w->e, a, &v);
		before_epoch[a] = v.epoch;
	}
}

/* The offers of one call keep each queue's order: no contact that already
 * waited in the queue before the call, ahead of the one offered, is still
 * waiting after it (unless the agent declined it). An agent that declined or
 * missed an offer in the same call, or became ready anew during it, is left
 * out: its declines may have ended within the call, after the offer. */
static void check_order(struct world *w, unsigned seed, int step)
{
	struct route_decision all[256], d;
	size_t n = 0;
	bool withdrew[N_AGENTS] = {false};
	if (w->rejected_by != ROUTE_NONE)
		withdrew[w->rejected_by] = true;
	static bool bounced[1 << 16]; /* contacts offered and taken back within the call */
	memset(bounced, 0, sizeof(bounced));
	while (route_engine_poll(w->e, &all[n]) && n < 255) {
		if (all[n].kind == ROUTE_OFFER_EXPIRED) {
			withdrew[all[n].agent] = true;
			if (all[n].contact < (1 << 16))
				bounced[all[n].contact] = true;
		}
		n++;
	}
	for (uint32_t a = 0; a < N_AGENTS; a++) { /* became ready anew: its declines ended within the call */
		struct route_agent_view v;
		route_agent_view(w->e, a, &v);
		withdrew[a] |= v.epoch != before_epoch[a];
	}
	for (size_t k = 0; k < n; k++) {
		d = all[k];
		if (d.kind != ROUTE_OFFER || withdrew[d.agent])
			continue;
		struct route_contact_view offered, v;
		route_contact_view(w->e, d.contact, &offered);
		uint32_t ringing[ROUTE_MAX_RING];
		int n_ring = route_contact_ringing(w->e, d.contact, ringing, ROUTE_MAX_RING);
		bool rings = false;
		for (int r = 0; r < n_ring; r++)
			rings |= ringing[r] == d.agent;
		if ((offered.agent != d.agent && !rings) || offered.state != ROUTE_OFFERED || d.contact >= (1 << 16) ||
		    (d.contact < before_n && before_named[d.contact]) || d.contact == w->transferred)
			continue; /* already moved on within the same call, or a transfer to this agent */
		for (uint32_t c = 0; c < route_engine_n_contacts(w->e); c++) {
			route_contact_view(w->e, c, &v);
			if (v.state == ROUTE_WAITING && v.queue == offered.queue && v.agent == ROUTE_NONE &&
			    c < before_n && c < (1 << 16) && before_queue[c] == v.queue && !bounced[c] &&
			    /* the agent's tier was already allowed for it when the call began */
			    tier_of(&w->a[d.agent], w->q[v.queue].skill) <= allowed(&w->q[v.queue], &v, before_now) &&
			    v.priority >= offered.priority && (v.priority > offered.priority || v.enqueued < offered.enqueued) &&
			    !route_contact_declined_by(w->e, c, d.agent)) {
				fprintf(stderr, "seed %u step %d: contact %u (prio %d, since %lld) offered to agent %u before %u "
					"(prio %d, since %lld, named %d)\n", seed, step, d.contact, offered.priority,
					(long long)offered.enqueued, d.agent, c, v.priority, (long long)v.enqueued,
					v.agent != ROUTE_NONE);
				fail();
			}
		}
	}
}

static uint32_t random_in_state(struct world *w, enum route_contact_state s);

static uint32_t random_in_state(struct world *w, enum route_contact_state s)
{
	uint32_t n = route_engine_n_contacts(w->e);
	for (int tries = 0; n && tries < 20; tries++) {
		uint32_t c = (uint32_t)rand() % n;
		struct route_contact_view v;
		route_contact_view(w->e, c, &v);
		if (v.state == s)
			return c;
	}
	return ROUTE_NONE;
}

/* GC_OK, or GC_ESTATE when a timer due by then (run first) already moved the
 * contact on: an accept after the offer expired, say. */
/* The agent an offered contact is offered to (one of those a ring-all rings). */
static uint32_t offered_agent(struct route_engine *e, uint32_t c)
{
	struct route_contact_view v;
	uint32_t ringing[ROUTE_MAX_RING];
	int n = route_contact_ringing(e, c, ringing, ROUTE_MAX_RING);
	route_contact_view(e, c, &v);
	return n > 0 ? ringing[rand() % n] : v.agent;
}

static bool late_ok(int rc)
{
	return rc == GC_OK || rc == GC_ESTATE;
}

static void step(struct world *w)
{
	struct route_engine *e = w->e;
	w->now += rand() % 3000;
	w->rejected_by = w->transferred = ROUTE_NONE;
	uint32_t c;
	uint32_t x;
	switch (rand() % 12) {
	case 0:
		route_contact_enqueue(e, w->now, (uint32_t)rand() % N_QUEUES, rand() % 3, &c);
		break;
	case 1: /* a returning customer: its last agent first, for a while */
		route_contact_enqueue_for(e, w->now, (uint32_t)rand() % N_QUEUES, rand() % 3,
					  (uint32_t)rand() % N_AGENTS, 4000, &c);
		w->transferred = c; /* offered to its last agent first, by design */
		break;
	case 2:
		route_agent_presence(e, w->now, (uint32_t)rand() % N_AGENTS, (enum route_presence)(rand() % 3));
		break;
	case 3:
		if ((c = random_in_state(w, ROUTE_OFFERED)) != ROUTE_NONE)
			assert_true(late_ok(route_offer_accept(e, w->now, c, offered_agent(e, c))));
		break;
	case 4:
		if ((c = random_in_state(w, ROUTE_OFFERED)) != ROUTE_NONE) {
			w->rejected_by = offered_agent(e, c);
			assert_true(late_ok(route_offer_reject(e, w->now, c, w->rejected_by)));
		}
		break;
	case 5:
		if ((c = random_in_state(w, ROUTE_ASSIGNED)) != ROUTE_NONE)
			assert_true(late_ok(route_contact_finish(e, w->now, c)));
		break;
	case 6:
		if ((c = random_in_state(w, rand() % 2 ? ROUTE_WAITING : ROUTE_OFFERED)) != ROUTE_NONE)
			assert_true(late_ok(route_contact_abandon(e, w->now, c)));
		break;
	case 7: /* escalation or transfer of a held contact, or a supervisor moving a waiting one */
		if ((c = random_in_state(w, rand() % 3 ? ROUTE_ASSIGNED : ROUTE_WAITING)) != ROUTE_NONE) {
			uint32_t q = (uint32_t)rand() % N_QUEUES;
			uint32_t to = rand() % 3 == 0 ? (uint32_t)rand() % N_AGENTS : ROUTE_NONE;
			if (to != ROUTE_NONE)
				w->transferred = c;
			assert_true(late_ok(route_contact_move(e, w->now, c, q, to)));
		}
		break;
	case 8: /* an admin changes an agent's skills and capacities */
		x = (uint32_t)rand() % N_AGENTS;
		struct route_agent_config was = w->a[x];
		random_agent(&w->a[x]);
		int rc = route_agent_update(e, w->now, x, &w->a[x]);
		assert_true(late_ok(rc)); /* GC_ESTATE: below what it holds */
		if (rc == GC_ESTATE)
			w->a[x] = was;
		break;
	case 9: /* ... or a queue's strategy and delays (its pool stays) */
		x = (uint32_t)rand() % N_QUEUES;
		w->q[x].strategy = (enum route_strategy)(rand() % 7);
		w->q[x].offer_timeout_ms = rand() % 2 ? 5000 : 0;
		w->q[x].tier_delay_ms = rand() % 3 == 0 ? 6000 : 0;
		assert_int_equal(route_queue_update(e, w->now, x, &w->q[x]), GC_OK);
		break;
	default:
		route_engine_tick(e, w->now);
	}
}


/* After a restart the service restores what the store saw: waiting contacts
 * in their order with their waited time, held contacts with their agents. */
static void restore_keeps_order_wait_and_holdings(void **state)
{
	struct route_engine *e = route_engine_new(1);
	uint32_t q = queue(e, 0, VOICE, 1, ROUTE_LONGEST_IDLE), a = agent(e, 0, 5, 1), b = agent(e, 0, 5, 1);
	assert_int_equal(route_agent_presence(e, 100000, a, ROUTE_PAUSED), GC_OK);
	uint32_t held, c[3];
	struct route_restore r = {.queue = q, .agent = a, .assigned = true, .arrived = 1000, .enqueued = 1000};
	assert_int_equal(route_contact_restore(e, 100000, &r, &held), GC_OK);
	/* restored out of order: the queue orders them by their enqueued time */
	int64_t at[3] = {5000, 2000, 9000};
	for (int i = 0; i < 3; i++) {
		r = (struct route_restore){.queue = q, .agent = ROUTE_NONE, .arrived = at[i], .enqueued = at[i]};
		assert_int_equal(route_contact_restore(e, 100000, &r, &c[i]), GC_OK);
	}
	struct route_contact_view v;
	assert_int_equal(route_contact_view(e, c[1], &v), GC_OK);
	assert_int_equal(v.arrived, 2000); /* it has waited 98 s, not 0 */
	struct route_queue_view qv;
	assert_int_equal(route_queue_view(e, q, &qv), GC_OK);
	assert_int_equal(qv.waiting, 3);
	assert_int_equal(qv.oldest_arrival, 2000);
	struct route_decision d;
	assert_false(route_engine_poll(e, &d));
	/* a (holding its call, capacity 1) stays busy when it becomes available */
	assert_int_equal(route_agent_presence(e, 100001, a, ROUTE_AVAILABLE), GC_OK);
	assert_false(route_engine_poll(e, &d));
	assert_int_equal(route_agent_presence(e, 100002, b, ROUTE_AVAILABLE), GC_OK);
	assert_int_equal(offered_to(e, c[1]), b); /* the oldest first */
	assert_int_equal(route_contact_finish(e, 100003, held), GC_OK);
	assert_int_equal(offered_to(e, c[0]), a);
	/* an assigned contact needs its agent logged in */
	struct route_agent_config cfg = {.level = 1, .n_skills = 1, .max_total = 1, .capacity = {1}};
	cfg.skills[0].proficiency = 3;
	uint32_t off;
	assert_int_equal(route_agent_add(e, &cfg, &off), GC_OK);
	r = (struct route_restore){.queue = q, .agent = off, .assigned = true, .arrived = 1, .enqueued = 1};
	assert_int_equal(route_contact_restore(e, 100004, &r, &held), GC_ESTATE);
	r.arrived = 2; /* arrived after it was enqueued */
	assert_int_equal(route_contact_restore(e, 100004, &r, &held), GC_EINVAL);
	route_engine_free(e);
}

/* A forgotten contact's id is reused, and the old contact's timers do not
 * touch the new one. */
static void forgotten_ids_are_reused_safely(void **state)
{
	struct route_engine *e = route_engine_new(1);
	struct route_queue_config qc = {.skill = 0, .channel = VOICE, .level = 1, .offer_timeout_ms = 1000,
					.overflow_to = ROUTE_NONE};
	uint32_t q, a = agent(e, 0, 5, 1), c, c2;
	assert_int_equal(route_queue_add(e, &qc, &q), GC_OK);
	assert_int_equal(route_agent_presence(e, 0, a, ROUTE_AVAILABLE), GC_OK);
	assert_int_equal(route_contact_enqueue(e, 10, q, 0, &c), GC_OK);
	assert_int_equal(offered_to(e, c), a);
	assert_int_equal(route_engine_next_due(e), 1010); /* the offer's timeout */
	assert_int_equal(route_contact_forget(e, c), GC_ESTATE); /* still offered */
	assert_int_equal(route_contact_abandon(e, 20, c), GC_OK);
	assert_int_equal(route_contact_forget(e, c), GC_OK);
	assert_int_equal(route_contact_enqueue(e, 500, q, 0, &c2), GC_OK);
	assert_int_equal(c2, c);
	assert_int_equal(offered_to(e, c2), a);
	/* the first life's timer (due 1010) is stale; the new offer expires at 1500 */
	assert_int_equal(route_engine_tick(e, 1200), GC_OK);
	struct route_contact_view v;
	assert_int_equal(route_contact_view(e, c2, &v), GC_OK);
	assert_int_equal(v.state, ROUTE_OFFERED);
	assert_int_equal(route_engine_tick(e, 1500), GC_OK);
	struct route_decision d;
	assert_true(route_engine_poll(e, &d));
	assert_int_equal(d.kind, ROUTE_OFFER_EXPIRED);
	assert_int_equal(route_engine_n_contacts(e), 1);
	route_engine_free(e);
}

/* Skills, queues and agents change while the engine runs. */
static void configuration_changes_while_running(void **state)
{
	struct route_engine *e = route_engine_new(1);
	assert_int_equal(route_engine_reserve_skills(e, 3), GC_OK);
	uint32_t q = queue(e, 2, CHAT, 1, ROUTE_LONGEST_IDLE), a = agent(e, 0, 5, 1), c;
	assert_int_equal(route_agent_presence(e, 0, a, ROUTE_AVAILABLE), GC_OK);
	assert_int_equal(route_contact_enqueue(e, 10, q, 0, &c), GC_OK);
	struct route_decision d;
	assert_false(route_engine_poll(e, &d)); /* a lacks skill 2 */
	/* the queue cannot change its skill while someone waits */
	struct route_queue_config qc = {.skill = 0, .channel = CHAT, .level = 1, .overflow_to = ROUTE_NONE};
	assert_int_equal(route_queue_update(e, 20, q, &qc), GC_ESTATE);
	/* give a the skill: it takes the chat at once */
	struct route_agent_config cfg = {.level = 1, .n_skills = 2, .max_total = 3, .capacity = {[CHAT] = 2}};
	cfg.skills[0] = (struct route_skill){.skill = 0, .proficiency = 5};
	cfg.skills[1] = (struct route_skill){.skill = 2, .proficiency = 7};
	assert_int_equal(route_agent_update(e, 30, a, &cfg), GC_OK);
	assert_int_equal(offered_to(e, c), a);
	assert_int_equal(route_offer_accept(e, 31, c, a), GC_OK);
	/* a capacity below what it holds is refused */
	cfg.capacity[CHAT] = 0;
	assert_int_equal(route_agent_update(e, 32, a, &cfg), GC_ESTATE);
	/* an empty queue may move to another skill */
	assert_int_equal(route_contact_finish(e, 33, c), GC_OK);
	assert_int_equal(route_queue_update(e, 34, q, &qc), GC_OK);
	assert_int_equal(route_contact_enqueue(e, 35, q, 0, &c), GC_OK);
	assert_int_equal(offered_to(e, c), a);
	qc.skill = 7; /* no such skill */
	assert_int_equal(route_queue_update(e, 36, q, &qc), GC_EINVAL);
	assert_int_equal(route_engine_check(e), GC_OK);
	route_engine_free(e);
}

/* The checks answer what the updates would, and change nothing: no timer
 * runs, no decision comes (a caller validates a request with them first). */
static void checks_answer_as_updates_would_and_change_nothing(void **state)
{
	struct route_engine *e = route_engine_new(1);
	assert_int_equal(route_engine_reserve_skills(e, 3), GC_OK);
	uint32_t q = queue(e, 0, CHAT, 1, ROUTE_LONGEST_IDLE), a = agent(e, 0, 5, 1), c;
	struct route_queue_config timed = {.skill = 0, .channel = CHAT, .level = 1, .overflow_to = ROUTE_NONE,
					   .offer_timeout_ms = 1000};
	assert_int_equal(route_queue_update(e, 0, q, &timed), GC_OK);
	assert_int_equal(route_agent_presence(e, 0, a, ROUTE_AVAILABLE), GC_OK);
	assert_int_equal(route_contact_enqueue(e, 10, q, 0, &c), GC_OK);
	assert_int_equal(offered_to(e, c), a);
	assert_int_equal(route_offer_accept(e, 11, c, a), GC_OK);
	uint32_t c2;
	assert_int_equal(route_contact_enqueue(e, 12, q, 0, &c2), GC_OK);
	assert_int_equal(offered_to(e, c2), a); /* its offer times out at 1012 */
	int64_t due = route_engine_next_due(e);
	/* another skill while a contact waits or is offered; a capacity below what a holds */
	struct route_queue_config other = timed;
	other.skill = 2;
	struct route_agent_config small = {.level = 1, .n_skills = 1, .max_total = 3, .capacity = {[CHAT] = 1}};
	small.skills[0] = (struct route_skill){.skill = 0, .proficiency = 5};
	struct route_queue_config bad = timed;
	bad.skill = 7;
	struct route_agent_config bad_agent = small;
	bad_agent.level = 3;
	assert_int_equal(route_agent_update_check(e, a, &small), GC_ESTATE);
	assert_int_equal(route_agent_update_check(e, a, &bad_agent), GC_EINVAL);
	assert_int_equal(route_agent_update_check(e, 99, &small), GC_ENOTFOUND);
	assert_int_equal(route_agent_update_check(e, ROUTE_NONE, &small), GC_OK);
	assert_int_equal(route_queue_update_check(e, q, &bad), GC_EINVAL);
	assert_int_equal(route_queue_update_check(e, 99, &timed), GC_ENOTFOUND);
	assert_int_equal(route_queue_add_check(e, &bad), GC_EINVAL);
	assert_int_equal(route_queue_add_check(e, &other), GC_OK);
	assert_int_equal(route_queue_update_check(e, q, &timed), GC_OK);
	/* nothing moved: the offer still stands, its timer is the same */
	struct route_decision d;
	assert_false(route_engine_poll(e, &d));
	assert_int_equal(route_engine_next_due(e), due);
	struct route_contact_view v;
	assert_int_equal(route_contact_view(e, c2, &v), GC_OK);
	assert_int_equal(v.state, ROUTE_OFFERED);
	/* and the updates answer the same */
	assert_int_equal(route_agent_update(e, 13, a, &small), GC_ESTATE);
	assert_int_equal(route_queue_update(e, 13, q, &bad), GC_EINVAL);
	assert_int_equal(route_engine_check(e), GC_OK);
	route_engine_free(e);
}

static void random_sequences_keep_the_invariants(void **state)
{
	int sequences = 2000, steps = 300;
	for (unsigned seed = 1; seed <= (unsigned)sequences; seed++) {
		struct world w;
		build(&w, seed);
		for (int i = 0; i < steps; i++) {
			snapshot(&w);
			step(&w);
			check(&w, seed, i);
			check_order(&w, seed, i);
		}
		/* nothing lost: every contact is in exactly one known state */
		for (uint32_t c = 0; c < route_engine_n_contacts(w.e); c++) {
			struct route_contact_view v;
			assert_int_equal(route_contact_view(w.e, c, &v), GC_OK);
			assert_true(v.state <= ROUTE_REFUSED);
		}
		route_engine_free(w.e);
	}
}

static void same_events_same_decisions(void **state)
{
	for (unsigned seed = 1; seed <= 20; seed++) {
		char log[2][65536];
		for (int run = 0; run < 2; run++) {
			struct world w;
			build(&w, seed);
			size_t len = 0;
			for (int i = 0; i < 300; i++) {
				step(&w);
				struct route_decision d;
				while (route_engine_poll(w.e, &d) && len < sizeof(log[run]) - 64)
					len += (size_t)snprintf(log[run] + len, sizeof(log[run]) - len, "%d %u %u %u %u %lld;",
								d.kind, d.contact, d.agent, d.queue, d.to_queue, (long long)d.at);
			}
			log[run][len] = '\0';
			route_engine_free(w.e);
		}
		assert_string_equal(log[0], log[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(longest_idle_gets_the_call),
		cmocka_unit_test(chats_go_to_the_least_loaded),
		cmocka_unit_test(best_skill_gets_the_call),
		cmocka_unit_test(priorities_then_arrival),
		cmocka_unit_test(chat_capacity_and_total),
		cmocka_unit_test(missed_offers_move_on_and_pause),
		cmocka_unit_test(overflow_after_a_wait_and_when_nobody_is_there),
		cmocka_unit_test(overflow_chains_never_loop_nor_change_channel),
		cmocka_unit_test(escalation_and_transfer),
		cmocka_unit_test(other_strategies),
		cmocka_unit_test(sticky_agent_first_then_anyone),
		cmocka_unit_test(tiers_join_after_their_delay),
		cmocka_unit_test(opening_hours),
		cmocka_unit_test(opening_hours_follow_dst),
		cmocka_unit_test(ring_all_rings_everyone_first_accept_wins),
		cmocka_unit_test(bad_calls_change_nothing),
		cmocka_unit_test(restore_keeps_order_wait_and_holdings),
		cmocka_unit_test(forgotten_ids_are_reused_safely),
		cmocka_unit_test(configuration_changes_while_running),
		cmocka_unit_test(checks_answer_as_updates_would_and_change_nothing),
		cmocka_unit_test(random_sequences_keep_the_invariants),
		cmocka_unit_test(same_events_same_decisions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
