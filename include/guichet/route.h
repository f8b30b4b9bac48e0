/* The routing engine (ACD): which agent gets which contact, and when.
 *
 * A pure library: the caller tells it what happens (a contact arrives, an
 * agent becomes available, accepts, finishes, the clock moves on), with the
 * time as an argument; the engine answers with decisions (offer this contact
 * to this agent, overflow that one, pause that agent) that the caller reads
 * with route_engine_poll. Same events in the same order, same decisions.
 *
 * Model:
 * - a queue serves one channel and needs one skill at a level (1: anyone, 2:
 *   experts); waiting contacts are kept by priority (0..9, higher first),
 *   then by time of arrival in the queue;
 * - an agent has skills with a proficiency (1..10), a level, a capacity per
 *   channel (1 call, 3 chats, 5 emails...) and a total capacity, and a
 *   presence (offline, available, paused); "offered", "busy" and "wrap-up"
 *   follow from what it holds;
 * - strategies per queue: longest idle agent, best skill match (the most
 *   proficient available agent, longest idle among equals), fewest handled,
 *   least talk time, round robin, random; the first two read a pool kept in
 *   their order and take the least loaded agent of it (one with nothing
 *   before one with a chat of three: the scan stops at the first free one,
 *   so it is one step where agents take one contact at a time), the others
 *   scan the pool's ready agents;
 * - a returning customer can be offered first to the agent who handled their
 *   last contact (sticky agent): the contact waits for that agent alone for
 *   up to sticky_ms, then for anyone, keeping its place;
 * - an offer times out (the agent missed it) or is rejected: the contact goes
 *   back to its place and to another agent, and not to that agent again
 *   until the agent has changed state; an agent missing max_missed offers in
 *   a row is paused ("missed offers");
 * - tiers: an agent's tier for a skill says when it joins a queue's contacts
 *   (tier 1 at once, tier 2 after tier_delay, tier 3 after twice that);
 * - opening hours per queue, and what happens to a contact arriving while
 *   closed (wait, refuse, overflow);
 * - every call first runs the timers due by its time, so the engine is never
 *   behind the clock it is given;
 * - a contact waiting longer than its queue's overflow_after moves to the
 *   overflow queue (keeping its arrival time), and so does a contact arriving
 *   where no agent with the skill is logged in;
 * - escalation moves an assigned contact to another queue (level 2), keeping
 *   everything; a transfer can also name an agent (the contact waits for
 *   that agent only).
 *
 * Invariants (checked by tests/unit/route/test-route.c on random sequences):
 * a contact is held by at most one agent; no agent holds more than its
 * capacities; within a queue and a priority, contacts are offered in arrival
 * order (skipping agents who declined them); after every call no contact
 * waits while an available agent could take it; no contact is lost. */
#ifndef GUICHET_ROUTE_H
#define GUICHET_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROUTE_CHANNELS 6       /* the channels of guichet/contact.h */
#define ROUTE_PRIORITIES 10
#define ROUTE_MAX_AGENT_SKILLS 16
#define ROUTE_MAX_RING 16          /* agents a ring-all offer rings at once */
#define ROUTE_NONE UINT32_MAX

enum route_strategy {
	ROUTE_LONGEST_IDLE,        /* the least loaded agent, the longest ready among equals */
	ROUTE_BEST_SKILL,          /* the most proficient, then least loaded, then longest ready */
	ROUTE_FEWEST_HANDLED,      /* the fewest contacts finished since the last reset */
	ROUTE_LEAST_TALK,          /* the least time holding contacts since the last reset */
	ROUTE_ROUND_ROBIN,         /* the next agent (by id) after the queue's last one */
	ROUTE_RANDOM,              /* any ready agent, from the engine's seeded generator */
	ROUTE_RING_ALL,            /* every ready agent at once (up to 16); the first to accept takes it */
};

enum route_closed_action {
	ROUTE_CLOSED_WAIT,         /* contacts wait for the opening (or an agent still there) */
	ROUTE_CLOSED_REFUSE,       /* refused at once: ROUTE_REFUSED_CLOSED, the caller plays a message */
	ROUTE_CLOSED_OVERFLOW,     /* sent to overflow_to */
};

/* Opening hours, by weekday (0 Monday) in minutes from midnight, up to two
 * ranges a day [from, to); a day with no range is closed. Local time is UTC
 * plus utc_offset_ms (the caller updates it at daylight-saving changes). */
struct route_hours {
	bool enabled;              /* false: always open */
	int64_t utc_offset_ms;
	struct { int16_t from, to; } ranges[7][2];
	enum route_closed_action when_closed;
};

struct route_queue_config {
	uint32_t skill;
	int channel;
	int level;                 /* 1 or 2 */
	enum route_strategy strategy;
	int64_t offer_timeout_ms;  /* 0: offers never time out */
	int64_t wrapup_ms;         /* after each contact of this queue */
	int64_t overflow_after_ms; /* 0: never */
	uint32_t overflow_to;      /* a queue, or ROUTE_NONE */
	int64_t tier_delay_ms;     /* 0: every tier at once; else tier n joins after (n-1) delays */
	struct route_hours hours;
};

struct route_skill {
	uint32_t skill;
	int proficiency;           /* 1..10 */
	int tier;                  /* 1..3 (0 means 1): tier 1 first, the others after the queue's delays */
};

struct route_agent_config {
	int level;                 /* 1 or 2 */
	struct route_skill skills[ROUTE_MAX_AGENT_SKILLS];
	int n_skills;
	int capacity[ROUTE_CHANNELS];
	int max_total;             /* contacts at once over all channels */
	int max_missed;            /* offers missed in a row before a pause; 0: never */
};

enum route_presence { ROUTE_OFFLINE, ROUTE_AVAILABLE, ROUTE_PAUSED };

enum route_decision_kind {
	ROUTE_OFFER,               /* offer contact to agent */
	ROUTE_OFFER_EXPIRED,       /* agent missed it; the contact is waiting again */
	ROUTE_OVERFLOW,            /* contact moved from queue to to_queue */
	ROUTE_AGENT_PAUSED,        /* agent paused by the engine (missed offers) */
	ROUTE_WRAPUP_ENDED,        /* agent is free again after wrap-up */
	ROUTE_REFUSED_CLOSED,      /* contact arrived while its queue is closed (ROUTE_CLOSED_REFUSE) */
	ROUTE_OFFER_WITHDRAWN,     /* a ring-all offer was taken by another agent, or abandoned */
	ROUTE_RELEASED,            /* contact waited for agent alone (transferred to it, or sticky); the
				    * agent went offline: it waits in its queue for anyone now */
};

struct route_decision {
	enum route_decision_kind kind;
	uint32_t contact, agent, queue, to_queue;
	int64_t at;
};

struct route_engine;

struct route_engine *route_engine_new(uint32_t n_skills);
void route_engine_free(struct route_engine *e);

/* Configuration; ids are dense, from 0, in order of creation. */
int route_queue_add(struct route_engine *e, const struct route_queue_config *cfg, uint32_t *ret_id);
int route_agent_add(struct route_engine *e, const struct route_agent_config *cfg, uint32_t *ret_id);

/* Sets the utc_offset_ms of queue's hours: the offset of the tenant's
 * zone now, which the caller sets again when daylight saving starts or
 * ends (no event: the hours' next check sees it). */
void route_queue_set_utc_offset(struct route_engine *e, uint32_t queue, int64_t utc_offset_ms);
/* Whether queue is open at now (always, without hours). */
bool route_queue_open(const struct route_engine *e, uint32_t queue, int64_t now);
/* A new contact waits in queue (or is offered at once). */
int route_contact_enqueue(struct route_engine *e, int64_t now, uint32_t queue, int priority,
			  uint32_t *ret_contact);
/* The same, preferring agent (sticky agent) for up to sticky_ms when that
 * agent is logged in and could serve the queue. */
int route_contact_enqueue_for(struct route_engine *e, int64_t now, uint32_t queue, int priority,
			      uint32_t agent, int64_t sticky_ms, uint32_t *ret_contact);
/* Starts the counters behind fewest-handled and least-talk again (at midnight, say). */
void route_engine_reset_counters(struct route_engine *e);
/* Counts a contact the agent finished earlier the same day (a rebuild
 * re-reads the day's wrap-ups), as route_contact_finish does. */
void route_agent_count_handled(struct route_engine *e, uint32_t agent, int64_t talk_ms);
/* The customer left (hung up, closed the chat) while waiting or offered. */
int route_contact_abandon(struct route_engine *e, int64_t now, uint32_t contact);
/* An agent logs in, pauses, resumes or logs out (offline requires holding nothing). */
int route_agent_presence(struct route_engine *e, int64_t now, uint32_t agent, enum route_presence p);
int route_offer_accept(struct route_engine *e, int64_t now, uint32_t contact, uint32_t agent);
int route_offer_reject(struct route_engine *e, int64_t now, uint32_t contact, uint32_t agent);
/* The agent finished an assigned contact; wrap-up follows. */
int route_contact_finish(struct route_engine *e, int64_t now, uint32_t contact);
/* An assigned contact goes to another queue (escalation) or, with agent not
 * ROUTE_NONE, waits for that agent only (transfer). A waiting contact can be
 * moved too (a supervisor's move); it keeps its time of arrival. */
int route_contact_move(struct route_engine *e, int64_t now, uint32_t contact, uint32_t queue,
		       uint32_t agent);
/* The clock: expires offers and wrap-ups, overflows long waits. */
int route_engine_tick(struct route_engine *e, int64_t now);

/* Configuration changes while running. A queue keeps its waiting contacts
 * (their overflow and tier timers follow the new delays); its skill, channel
 * or level change only while nobody waits (GC_ESTATE otherwise). An agent
 * keeps what it holds; its new skills and capacities apply to what comes,
 * and a capacity below what it holds now is refused (GC_ESTATE). */
int route_queue_update(struct route_engine *e, int64_t now, uint32_t queue,
		       const struct route_queue_config *cfg);
int route_agent_update(struct route_engine *e, int64_t now, uint32_t agent,
		       const struct route_agent_config *cfg);
/* Whether route_queue_add, route_queue_update or route_agent_add (id
 * ROUTE_NONE) / route_agent_update would accept cfg, changing nothing and
 * running no timer: GC_OK, GC_ENOTFOUND, GC_EINVAL, or GC_ESTATE (contacts
 * wait in a queue whose pool would change; an agent holds more than the new
 * capacities). A caller validates a request with them before it changes the
 * engine, so a rejected request leaves the engine as it was. */
int route_queue_add_check(const struct route_engine *e, const struct route_queue_config *cfg);
int route_queue_update_check(const struct route_engine *e, uint32_t id, const struct route_queue_config *cfg);
int route_agent_update_check(const struct route_engine *e, uint32_t id, const struct route_agent_config *cfg);
/* Overflow chains stay on one channel and never loop (a loop would pass a
 * contact round for ever, its wait already past each queue's threshold):
 * why queue id (ROUTE_NONE: a new one) cannot take cfg's overflow, or
 * ROUTE_OVERFLOW_FINE. The checks above refuse such a cfg (GC_EINVAL). */
enum route_overflow_problem {
	ROUTE_OVERFLOW_FINE,
	ROUTE_OVERFLOW_LOOPS,         /* the chain from overflow_to comes back to id */
	ROUTE_OVERFLOW_OTHER_CHANNEL, /* overflow_to, or a queue overflowing to id, serves another channel */
};
enum route_overflow_problem route_queue_overflow_problem(const struct route_engine *e, uint32_t id,
							  const struct route_queue_config *cfg);
/* Makes room for skills 0..n_skills-1 (more skills than at creation). */
int route_engine_reserve_skills(struct route_engine *e, uint32_t n_skills);

/* Rebuilding after a restart: a contact as the store last saw it. A waiting
 * one takes its place by its enqueued time (so restore in any order and the
 * queue keeps its order) and keeps the time it has waited; an assigned one is
 * held by agent, which must be logged in (restore agents' presence first,
 * paused, then the assigned contacts, then make agents available). A contact
 * that was offered is restored waiting: the offer is made again. */
struct route_restore {
	uint32_t queue, agent;     /* agent: the holder (assigned) or the named one, else ROUTE_NONE */
	int priority;
	bool assigned, named;
	int64_t arrived, enqueued;
};
int route_contact_restore(struct route_engine *e, int64_t now, const struct route_restore *r,
			  uint32_t *ret_contact);
/* Frees the id of a contact that is done, abandoned or refused, for a new
 * contact to reuse (a long-running engine stays the size of its live work). */
int route_contact_forget(struct route_engine *e, uint32_t contact);
/* When the next timer falls due (INT64_MAX for none): the caller's clock
 * should call route_engine_tick then. */
int64_t route_engine_next_due(const struct route_engine *e);

/* The next decision, oldest first; false when there is none. */
bool route_engine_poll(struct route_engine *e, struct route_decision *ret);

/* What the engine knows, for views and tests. */
enum route_contact_state { ROUTE_WAITING, ROUTE_OFFERED, ROUTE_ASSIGNED, ROUTE_DONE, ROUTE_ABANDONED,
			   ROUTE_REFUSED, ROUTE_FREE /* forgotten: the id may name a new contact */ };
struct route_contact_view {
	enum route_contact_state state;
	uint32_t queue, agent;     /* agent: offered to, assigned to, or the named one */
	int priority;
	int64_t arrived, enqueued;
};
int route_contact_view(const struct route_engine *e, uint32_t contact, struct route_contact_view *ret);
/* The agents a ring-all offer is ringing (the view's agent is then
 * ROUTE_NONE); returns how many, writing up to max of them. */
int route_contact_ringing(const struct route_engine *e, uint32_t contact, uint32_t *agents, int max);
/* Contacts ahead in the queue (same or higher priority, earlier), and the
 * expected wait: ahead+1 contacts over the rate the queue's eligible agents
 * finish them (mean handle time ms). -1 when no agent could serve it. */
int route_contact_position(const struct route_engine *e, uint32_t contact, int64_t mean_handle_ms,
			   uint32_t *ret_ahead, int64_t *ret_expected_wait_ms);
/* Calls fn for each contact waiting in the queue (not those waiting for a
 * named agent), in the order they will be served, with the number of
 * contacts ahead of it: the places of a whole queue in one pass, where
 * route_contact_position walks the queue for each contact. */
void route_queue_walk(const struct route_engine *e, uint32_t queue,
		      void (*fn)(void *arg, uint32_t contact, uint32_t ahead), void *arg);
struct route_agent_view {
	enum route_presence presence;
	bool in_wrapup;
	int active[ROUTE_CHANNELS], offered, total;
	int missed_in_row;
	int64_t idle_since;
	uint32_t epoch;            /* times it became ready; a new one ends its declines */
	uint32_t handled;          /* contacts finished since the last reset */
	int64_t talk_ms;           /* time holding assigned contacts since then */
};
int route_agent_view(const struct route_engine *e, uint32_t agent, struct route_agent_view *ret);
/* The agent's configuration, NULL for an unknown agent. */
const struct route_agent_config *route_agent_config(const struct route_engine *e, uint32_t agent);
struct route_queue_view {
	uint32_t waiting;          /* contacts waiting in the queue (not those named to an agent) */
	uint32_t named;            /* contacts of the queue waiting for one agent alone (transfer, sticky) */
	int64_t oldest_arrival;    /* arrival of the longest-waiting one, INT64_MAX when none */
	uint32_t logged_in;        /* agents not offline who could serve it */
};
int route_queue_view(const struct route_engine *e, uint32_t queue, struct route_queue_view *ret);
/* Whether agent declined (or missed) contact and has not changed state since:
 * the engine will not offer it that contact again until then. */
bool route_contact_declined_by(const struct route_engine *e, uint32_t contact, uint32_t agent);
/* Checks the engine's own lists against its contacts (for tests):
 * GC_ESTATE when they disagree. */
int route_engine_check(const struct route_engine *e);
/* The engine's clock: the latest time it was given. */
int64_t route_engine_now(const struct route_engine *e);
uint32_t route_engine_n_contacts(const struct route_engine *e);
uint32_t route_engine_n_agents(const struct route_engine *e);
uint32_t route_engine_n_queues(const struct route_engine *e);

#endif
