/* The router: the routing engine wired to the store and the hub (router.h). */
#include "daemon/router.h"
#include "guichet/message.h"
#include "daemon/hub.h"
#include "daemon/log.h"
#include "guichet/clock.h"
#include "guichet/array.h"
#include "guichet/error.h"
#include "guichet/route.h"
#include "guichet/tz.h"
#include "guichet/wait.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define DAY_MS 86400000LL

/* Store ids to engine ids: (a, b) is (id, 0), or (tenant, user) for agents. */
struct idmap {
	struct { int64_t a, b; } key;
	uint32_t eid;
	UT_hash_handle hh;
};

struct qinfo {                  /* by engine queue id */
	int64_t id, tenant_id;
	char name[128];
	bool live;
	struct queue_input cfg;
	uint32_t answered, within, abandoned; /* since the tenant's local midnight */
	struct route_handle_window handle; /* its last contacts' handle times (expected waits) */
};

enum agent_state { S_AVAILABLE, S_OFFERED, S_BUSY, S_WRAP_UP, S_PAUSED, S_OFFLINE, S_N };
static const char *const state_names[S_N] = {"available", "offered", "busy", "wrap_up", "paused", "offline"};

struct ainfo {                  /* by engine agent id */
	int64_t tenant_id, user_id;
	enum presence presence;
	enum agent_state state;     /* as last seen at the end of a request */
	int64_t state_since;        /* since when (0: unknown) */
	char reason[64];            /* of its pause */
	bool in_digest;             /* changed since the last agents' digest */
	bool off_duty;              /* disabled, or a role that takes no contacts: counted nowhere until back */
	int64_t org;                /* its organisation when not the brand's own (an outsourcer's), else 0 */
};
#define ORG_ALL (-1)              /* the agents of every organisation (count_agents) */
#define ORG_NONE INT64_MIN        /* no agent's: an outsourcer with none here */

struct cinfo {                  /* by engine contact id */
	int64_t contact_id, tenant_id;
	int64_t offered_at, accepted_at;
	bool touched;
};

struct events {
	struct hub_event *items;
	uint32_t n, cap;
};

/* One tenant's routing: its own engine, its ids, its state. Tenants never
 * share a queue or an agent, so each has an engine of its own: one tenant's
 * rebuild leaves every other tenant's offers and timers as they are. */
struct shard {
	struct router *top;
	int64_t tenant_id;
	struct route_engine *e;
	struct idmap *skills, *queues, *agents, *contacts;
	uint32_t n_skills;
	struct qinfo *q;
	uint32_t n_q, cap_q;
	struct ainfo *a;
	uint32_t n_a, cap_a;
	struct cinfo *c;
	uint32_t cap_c;
	uint32_t *touched;
	uint32_t n_touched, cap_touched;
	bool job_changed_engine;    /* the current request changed this engine */
	bool batch_changed_engine;  /* a kept request of the batch did */
	bool stale;                 /* ahead of the store: rebuilt after the batch */
	/* several nodes: the lease this node holds on the tenant (0: none), and
	 * whether the transaction under way fenced it (store_lease_fence) */
	int64_t epoch;
	bool fenced, fenced_in_job, lost;
	/* the local day the service-level counters count, in the tenant's zone
	 * (its calendar's, "UTC" without one): its date, its midnight and the next */
	char zone[GC_TZ_NAME_MAX];
	char day_date[16];
	int64_t day_start, day_end;
	/* the zone's offset now, for the queues' opening hours (zone not UTC),
	 * and when to look at it again (daylight saving changes on the quarter hour) */
	int64_t utc_offset_ms, offset_until;
	bool zone_known;            /* zone read from the store (load_zone) or set (router_set_zone) */
	/* the last handle times of each channel over every queue: a queue that
	 * measured too few falls back to its tenant's (expected waits) */
	struct route_handle_window handle[CHANNEL_N];
	/* the agents' digest published each second: its number, and whether
	 * an agent changed since (router_agents_live answers the number) */
	uint64_t digest_seq;
	bool digest_due;
	UT_hash_handle hh;
};

struct router {
	struct hub *hub;
	/* router_add_observer: each sees the committed events; the lock lets
	 * them come and go while the writer runs */
	pthread_mutex_t observers_lock;
	struct observer {
		router_observer_fn fn;
		void *arg;
	} observers[ROUTER_MAX_OBSERVERS];
	size_t n_observers;
	struct shard *shards;       /* by tenant */
	struct events job, batch;   /* events of the current request, and of the batch's kept ones */
	atomic_uint_fast64_t n_rebuilds; /* tenants rebuilt since the start (read by /metrics) */
	char node[64];              /* this node's name in a cluster; "" alone (it routes every tenant) */
	char errmsg[256];
	struct gc_message said;     /* errmsg's template and values (none: template NULL) */
};

/* The batch's committed events to each observer, before the hub takes them. */
static void observe(struct router *top)
{
	if (top->batch.n == 0)
		return;
	pthread_mutex_lock(&top->observers_lock);
	for (size_t i = 0; i < top->n_observers; i++)
		top->observers[i].fn(top->observers[i].arg, top->batch.items, top->batch.n);
	pthread_mutex_unlock(&top->observers_lock);
}

/* A refusal: its message, and its template and values for the clients that
 * translate it (web/scripts/server-messages.mjs lists these formats). */
static int route_refuse(struct shard *rt, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int route_refuse(struct shard *rt, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gc_message_format(rt->top->errmsg, sizeof(rt->top->errmsg), &rt->top->said, fmt, ap);
	va_end(ap);
	return rc;
}

/* The store's refusal passed on, with its template. */
static int refuse_as_store(struct shard *rt, struct store *db, int rc)
{
	snprintf(rt->top->errmsg, sizeof(rt->top->errmsg), "%s", store_errmsg(db));
	const struct gc_message *said = store_error_said(db);
	rt->top->said = said ? *said : (struct gc_message){0};
	return rc;
}

/* A refusal with no template (its text made elsewhere). */
static void refuse_plain(struct router *top, const char *message)
{
	snprintf(top->errmsg, sizeof(top->errmsg), "%s", message);
	top->said.template = NULL;
}

const char *router_errmsg(const struct router *rt)
{
	return rt->errmsg;
}

const struct gc_message *router_said(const struct router *rt)
{
	return rt->said.template ? &rt->said : NULL;
}

/* --- maps --- */

static struct idmap *map_find(struct idmap *head, int64_t a, int64_t b)
{
	struct idmap *m = NULL, key;
	memset(&key, 0, sizeof(key));
	key.key.a = a;
	key.key.b = b;
	HASH_FIND(hh, head, &key.key, sizeof(key.key), m);
	return m;
}

static int map_put(struct idmap **head, int64_t a, int64_t b, uint32_t eid)
{
	struct idmap *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return GC_ENOMEM;
	m->key.a = a;
	m->key.b = b;
	m->eid = eid;
	HASH_ADD(hh, *head, key, sizeof(m->key), m);
	return GC_OK;
}

static void map_clear(struct idmap **head)
{
	struct idmap *m, *tmp;
	HASH_ITER(hh, *head, m, tmp) {
		HASH_DEL(*head, m);
		free(m);
	}
}

/* --- time --- */

static int64_t now_ms(const struct shard *rt)
{
	int64_t now = gc_now_ms(), engine = route_engine_now(rt->e);
	return now > engine ? now : engine; /* the engine's clock never goes back */
}

#define QUARTER_MS (15 * 60 * 1000LL)

/* Whether the queues' hours follow the tenant's zone: a fixed offset
 * (utc_offset_min) only means something against UTC. */
static bool follows_zone(const struct shard *rt)
{
	return rt->zone[0] != '\0' && strcmp(rt->zone, "UTC") != 0;
}

/* Sets the bounds of the local day holding now, counters untouched. */
static void start_day(struct shard *rt, int64_t now)
{
	struct gc_local_time d;
	if (gc_tz_day(rt->zone[0] ? rt->zone : "UTC", now, &d, &rt->day_start, &rt->day_end) < 0 &&
	    gc_tz_day("UTC", now, &d, &rt->day_start, &rt->day_end) < 0) { /* ICU without data: UTC days */
		rt->day_start = now / DAY_MS * DAY_MS;
		rt->day_end = rt->day_start + DAY_MS;
		d = (struct gc_local_time){1970, 1, 1, 0, 0, 0, 0};
	}
	snprintf(rt->day_date, sizeof(rt->day_date), "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* The offset queue q's hours take: the zone's, or the queue's own fixed one. */
static int64_t hours_offset(const struct shard *rt, const struct queue_input *in)
{
	return follows_zone(rt) ? rt->utc_offset_ms : in->utc_offset_min * 60000LL;
}

/* Gives the queues' hours the zone's offset at now, looked at again each
 * quarter hour (no daylight saving change falls between two). */
static void follow_offset(struct shard *rt, int64_t now)
{
	if (now < rt->offset_until || rt->e == NULL)
		return;
	int64_t offset;
	if (follows_zone(rt) && gc_tz_offset(rt->zone, now, &offset) == GC_OK)
		rt->utc_offset_ms = offset;
	for (uint32_t i = 0; i < rt->n_q; i++)
		if (rt->q[i].live)
			route_queue_set_utc_offset(rt->e, i, hours_offset(rt, &rt->q[i].cfg));
	rt->offset_until = (now / QUARTER_MS + 1) * QUARTER_MS;
}

/* Starts the day's counters again at the tenant's local midnight, and
 * keeps the queues' hours in step with daylight saving. */
static void roll_day(struct shard *rt, int64_t now)
{
	follow_offset(rt, now);
	if (now < rt->day_end)
		return;
	start_day(rt, now);
	for (uint32_t i = 0; i < rt->n_q; i++)
		rt->q[i].answered = rt->q[i].within = rt->q[i].abandoned = 0;
	route_engine_reset_counters(rt->e);
}

void router_set_zone(struct router *top, int64_t tenant_id, const char *zone)
{
	struct shard *rt = NULL;
	HASH_FIND(hh, top->shards, &tenant_id, sizeof(tenant_id), rt);
	if (rt == NULL || rt->e == NULL || strcmp(rt->zone, zone) == 0)
		return;
	snprintf(rt->zone, sizeof(rt->zone), "%s", zone);
	rt->zone_known = true;
	int64_t now = now_ms(rt);
	start_day(rt, now); /* the counters go on until the new zone's midnight */
	rt->offset_until = 0;
	follow_offset(rt, now);
}

/* --- events --- */

static void events_clear(struct events *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		free(ev->items[i].frame);
	ev->n = 0;
}

static int events_push(struct events *ev, const struct hub_event *item)
{
	if (gc_grow((void **)&ev->items, &ev->cap, sizeof(*item), ev->n + 1) < 0)
		return GC_ENOMEM;
	ev->items[ev->n++] = *item;
	return GC_OK;
}

/* Stores one routing event and holds its frame until the commit. data is
 * taken; the ids are stored ids (0 for none). */
static int emit(struct shard *rt, struct store *db, int64_t tenant_id, const char *type, int64_t contact_id,
		int64_t agent_id, int64_t queue_id, json_t *data)
{
	int64_t at = now_ms(rt); /* not the engine's last time: an escalation is emitted before the engine moves */
	if (data == NULL)
		data = json_object();
	char when[GC_TIME_LEN];
	gc_time_format(at, when);
	json_object_set_new(data, "at", json_string(when));
	if (contact_id)
		json_object_set_new(data, "contact_id", json_integer(contact_id));
	if (agent_id)
		json_object_set_new(data, "agent_id", json_integer(agent_id));
	if (queue_id)
		json_object_set_new(data, "queue_id", json_integer(queue_id));
	char *text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (text == NULL)
		return GC_ENOMEM;
	struct hub_event ev = {.tenant_id = tenant_id, .agent_id = agent_id, .contact_id = contact_id};
	int rc = store_routing_event(db, tenant_id, at, type, contact_id, agent_id, queue_id, text, &ev.id);
	if (rc == GC_OK) {
		size_t len = strlen(text) + strlen(type) + 64;
		ev.frame = malloc(len);
		if (ev.frame == NULL)
			rc = GC_ENOMEM;
		else {
			int n = snprintf(ev.frame, len, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)ev.id, type, text);
			ev.len = (size_t)n;
			if ((rc = events_push(&rt->top->job, &ev)) < 0)
				free(ev.frame);
		}
	}
	free(text);
	return rc;
}

/* --- contacts --- */

static struct store_scope system_scope(int64_t tenant_id)
{
	struct store_scope s = {.tenant_id = tenant_id, .role = ROLE_TENANT_ADMIN, .has_role = true,
				.sees = SENS_NONE};
	snprintf(s.actor, sizeof(s.actor), "router");
	return s;
}

static int set_state(struct store *db, int64_t tenant_id, const struct store_scope *scope, int64_t contact_id,
		     enum contact_state to, const char *disposition)
{
	struct store_scope sys = system_scope(tenant_id);
	struct state_input in = {.state = to, .disposition = disposition, .expected_version = -1};
	return store_contact_set_state(db, scope ? scope : &sys, contact_id, &in, NULL);
}

static void touch(struct shard *rt, uint32_t eid)
{
	if (rt->c[eid].touched)
		return;
	if (gc_grow((void **)&rt->touched, &rt->cap_touched, sizeof(uint32_t), rt->n_touched + 1) < 0) {
		rt->stale = true; /* its row cannot be synced: rebuild from the store after the batch */
		return;
	}
	rt->c[eid].touched = true;
	rt->touched[rt->n_touched++] = eid;
}

static int64_t agent_user(const struct shard *rt, uint32_t agent)
{
	return agent == ROUTE_NONE ? 0 : rt->a[agent].user_id;
}

static enum agent_state agent_state(const struct route_agent_view *v)
{
	if (v->presence == ROUTE_OFFLINE)
		return S_OFFLINE;
	if (v->offered > 0)
		return S_OFFERED;
	if (v->total > v->offered)
		return S_BUSY;
	if (v->in_wrapup)
		return S_WRAP_UP;
	return v->presence == ROUTE_PAUSED ? S_PAUSED : S_AVAILABLE;
}

/* Writes the routing row of a contact the engine changed, and lets the
 * engine forget it once it is done. */
static int sync_contact(struct shard *rt, struct store *db, uint32_t eid)
{
	struct cinfo *ci = &rt->c[eid];
	ci->touched = false;
	struct route_contact_view v;
	int rc = route_contact_view(rt->e, eid, &v);
	if (rc < 0)
		return rc;
	if (v.state == ROUTE_DONE || v.state == ROUTE_ABANDONED || v.state == ROUTE_REFUSED) {
		if ((rc = store_routing_delete(db, ci->contact_id)) < 0)
			return rc;
		struct idmap *m = map_find(rt->contacts, ci->contact_id, 0);
		if (m) {
			HASH_DEL(rt->contacts, m);
			free(m);
		}
		route_contact_forget(rt->e, eid);
		ci->contact_id = 0;
		return GC_OK;
	}
	static const char *const names[] = {"waiting", "offered", "assigned"};
	struct store_routing_row row = {.contact_id = ci->contact_id, .tenant_id = ci->tenant_id,
		.queue_id = rt->q[v.queue].id, .agent_id = agent_user(rt, v.agent), .priority = v.priority,
		.state = names[v.state], .named = v.state == ROUTE_WAITING && v.agent != ROUTE_NONE,
		.arrived = v.arrived, .enqueued = v.enqueued};
	return store_routing_put(db, &row);
}

/* Writes what the engine decided since the last call: events, rows, states. */
static int drain(struct shard *rt, struct store *db)
{
	struct route_decision d;
	int rc = GC_OK;
	while (rc == GC_OK && route_engine_poll(rt->e, &d)) {
		const struct cinfo *ci = d.contact != ROUTE_NONE ? &rt->c[d.contact] : NULL;
		int64_t tenant = ci ? ci->tenant_id : rt->a[d.agent].tenant_id;
		int64_t contact = ci ? ci->contact_id : 0, user = agent_user(rt, d.agent);
		int64_t queue = d.queue != ROUTE_NONE ? rt->q[d.queue].id : 0;
		if (ci)
			touch(rt, d.contact);
		switch (d.kind) {
		case ROUTE_OFFER: {
			const struct qinfo *q = &rt->q[d.queue];
			rt->c[d.contact].offered_at = d.at;
			rc = emit(rt, db, tenant, "offered", contact, user, queue,
				  json_pack("{s:s,s:s,s:i}", "queue", q->name, "channel",
					    contact_channel_name(q->cfg.channel), "offer_timeout_s", q->cfg.offer_timeout_s));
			break;
		}
		case ROUTE_OFFER_EXPIRED:
			rc = emit(rt, db, tenant, "offer_expired", contact, user, queue, NULL);
			break;
		case ROUTE_OFFER_WITHDRAWN:
			rc = emit(rt, db, tenant, "offer_withdrawn", contact, user, queue, NULL);
			break;
		case ROUTE_RELEASED: /* its row (now for anyone) is written below */
			rc = emit(rt, db, tenant, "released", contact, user, queue,
				  json_pack("{s:s}", "reason", "the agent it waited for went offline"));
			break;
		case ROUTE_OVERFLOW: {
			const struct qinfo *to = &rt->q[d.to_queue];
			rc = emit(rt, db, tenant, "overflowed", contact, 0, queue,
				  json_pack("{s:I,s:s}", "to_queue_id", (json_int_t)to->id, "to_queue", to->name));
			if (rc == GC_OK)
				rc = store_contact_set_queue(db, tenant, contact, to->name);
			break;
		}
		case ROUTE_AGENT_PAUSED:
			rt->a[d.agent].presence = PRESENCE_PAUSED;
			snprintf(rt->a[d.agent].reason, sizeof(rt->a[d.agent].reason), "missed offers");
			rc = store_agent_set_presence(db, tenant, user, "paused", "missed offers", d.at);
			if (rc == GC_OK)
				rc = emit(rt, db, tenant, "presence", 0, user, 0,
					  json_pack("{s:s,s:s,s:s}", "presence", "paused", "reason", "missed offers", "by", "router"));
			break;
		case ROUTE_WRAPUP_ENDED:
			rc = emit(rt, db, tenant, "wrapup_ended", 0, user, 0, NULL);
			break;
		case ROUTE_REFUSED_CLOSED:
			rc = set_state(db, tenant, NULL, contact, CONTACT_RESOLVED, "refused_closed");
			if (rc == GC_OK)
				rc = emit(rt, db, tenant, "refused", contact, 0, queue,
					  json_pack("{s:s}", "reason", "the queue is closed"));
			break;
		}
	}
	for (size_t i = 0; rc == GC_OK && i < rt->n_touched; i++)
		rc = sync_contact(rt, db, rt->touched[i]);
	rt->n_touched = 0;
	return rc;
}

/* After an engine call: notes the engine changed, writes its decisions. */
static int after(struct shard *rt, struct store *db, int rc)
{
	rt->job_changed_engine = true;
	if (rc < 0)
		return rc;
	return drain(rt, db);
}

/* The engine's refusal said as what (a literal: its own template, listed
 * by web/scripts/server-messages.mjs). */
static int engine_error(struct shard *rt, int rc, const char *what)
{
	switch (rc) {
	case GC_ESTATE:
	case GC_EINVAL:
		refuse_plain(rt->top, what);
		rt->top->said = (struct gc_message){.template = what};
		return rc;
	case GC_ENOTFOUND:
		return route_refuse(rt, GC_ENOTFOUND, "no such contact in a queue");
	default:
		return route_refuse(rt, rc, "the routing engine failed");
	}
}

/* The contact's engine id; GC_ENOTFOUND when it is in no queue. */
static int find_contact(struct shard *rt, const struct store_scope *scope, int64_t contact_id, uint32_t *ret)
{
	struct idmap *m = map_find(rt->contacts, contact_id, 0);
	if (m && rt->c[m->eid].tenant_id != scope->tenant_id)
		return route_refuse(rt, GC_ENOTFOUND, "no such contact in this tenant");
	if (m == NULL)
		return route_refuse(rt, GC_ESTATE, "the contact is in no queue");
	*ret = m->eid;
	return GC_OK;
}

static int find_queue(struct shard *rt, int64_t tenant_id, int64_t queue_id, uint32_t *ret)
{
	struct idmap *m = map_find(rt->queues, queue_id, 0);
	if (m == NULL || rt->q[m->eid].tenant_id != tenant_id || !rt->q[m->eid].live)
		return route_refuse(rt, GC_ENOTFOUND, "no queue %lld in this tenant", (long long)queue_id);
	*ret = m->eid;
	return GC_OK;
}

static int find_agent(struct shard *rt, int64_t tenant_id, int64_t user_id, uint32_t *ret)
{
	struct idmap *m = map_find(rt->agents, tenant_id, user_id);
	if (m == NULL)
		return route_refuse(rt, GC_ENOTFOUND, "user %lld has no agent profile in this tenant", (long long)user_id);
	*ret = m->eid;
	return GC_OK;
}

/* A contact moves only between queues of its channel. */
static int same_channel(struct shard *rt, const struct qinfo *from, const struct qinfo *to)
{
	if (from->cfg.channel == to->cfg.channel)
		return GC_OK;
	return route_refuse(rt, GC_EINVAL, "queue_id: the queue serves %s, the contact is %s",
		    contact_channel_name(to->cfg.channel), contact_channel_name(from->cfg.channel));
}

/* The contact in a queue, and the scope's user as an agent. */
static int contact_and_me(struct shard *rt, const struct store_scope *scope, int64_t contact_id, uint32_t *ret_eid,
			  uint32_t *ret_me)
{
	int rc = find_contact(rt, scope, contact_id, ret_eid);
	return rc < 0 ? rc : find_agent(rt, scope->tenant_id, scope->user_id, ret_me);
}

/* Whether the contact is offered to agent now (alone, or ringing it among
 * others), as far as the engine knows before its due timers run. */
static bool offered_to(struct shard *rt, uint32_t eid, uint32_t agent)
{
	struct route_contact_view v;
	if (route_contact_view(rt->e, eid, &v) < 0 || v.state != ROUTE_OFFERED)
		return false;
	if (v.agent == agent)
		return true;
	uint32_t ringing[ROUTE_MAX_RING];
	int n = route_contact_ringing(rt->e, eid, ringing, ROUTE_MAX_RING);
	for (int i = 0; i < n && i < ROUTE_MAX_RING; i++)
		if (ringing[i] == agent)
			return true;
	return false;
}

/* The contact, which must be held by the scope's user. */
static int held_by_me(struct shard *rt, const struct store_scope *scope, int64_t contact_id, uint32_t *ret_eid,
		      struct route_contact_view *v)
{
	uint32_t eid = ROUTE_NONE, me = ROUTE_NONE;
	int rc = contact_and_me(rt, scope, contact_id, &eid, &me);
	if (rc < 0)
		return rc;
	route_contact_view(rt->e, eid, v);
	if (v->state != ROUTE_ASSIGNED || v->agent != me)
		return route_refuse(rt, GC_ESTATE, "you do not hold this contact (accept it first)");
	*ret_eid = eid;
	return GC_OK;
}

/* --- configuration --- */

static int skill_index(struct shard *rt, int64_t skill_id, uint32_t *ret)
{
	struct idmap *m = map_find(rt->skills, skill_id, 0);
	if (m) {
		*ret = m->eid;
		return GC_OK;
	}
	int rc = route_engine_reserve_skills(rt->e, rt->n_skills + 1);
	if (rc == GC_OK && (rc = map_put(&rt->skills, skill_id, 0, rt->n_skills)) == GC_OK)
		*ret = rt->n_skills++;
	return rc;
}

static int queue_config(struct shard *rt, int64_t tenant_id, const struct queue_input *in, bool with_overflow,
			struct route_queue_config *ret)
{
	uint32_t skill = ROUTE_NONE, to = ROUTE_NONE;
	if (with_overflow && in->overflow_to && find_queue(rt, tenant_id, in->overflow_to, &to) < 0)
		return route_refuse(rt, GC_EINVAL, "overflow_to: no queue %lld in this tenant", (long long)in->overflow_to);
	int rc = skill_index(rt, in->skill_id, &skill); /* a new skill's index changes no routing */
	if (rc < 0)
		return rc;
	*ret = (struct route_queue_config){.skill = skill, .channel = (int)in->channel, .level = in->level,
		.strategy = (enum route_strategy)in->strategy, .offer_timeout_ms = in->offer_timeout_s * 1000LL,
		.wrapup_ms = in->wrapup_s * 1000LL, .overflow_after_ms = to == ROUTE_NONE ? 0 : in->max_wait_s * 1000LL,
		.overflow_to = to, .tier_delay_ms = in->tier_delay_s * 1000LL};
	if (in->has_hours) {
		ret->hours.enabled = true;
		ret->hours.utc_offset_ms = hours_offset(rt, in);
		for (int d = 0; d < 7; d++)
			for (int r = 0; r < 2; r++) {
				ret->hours.ranges[d][r].from = in->hours[d][r][0];
				ret->hours.ranges[d][r].to = in->hours[d][r][1];
			}
		ret->hours.when_closed = (enum route_closed_action)in->when_closed;
		if (to == ROUTE_NONE && ret->hours.when_closed == ROUTE_CLOSED_OVERFLOW)
			ret->hours.when_closed = ROUTE_CLOSED_WAIT;
	}
	return GC_OK;
}

/* Adds or changes a queue in the engine (no events: configuration). The
 * configuration is checked against the engine's state first: a refused one
 * leaves the engine as it was. */
static int queue_apply(struct shard *rt, int64_t tenant_id, int64_t queue_id, const char *name,
		       const struct queue_input *in, bool with_overflow)
{
	struct route_queue_config cfg;
	int rc = queue_config(rt, tenant_id, in, with_overflow, &cfg);
	if (rc < 0)
		return rc;
	struct idmap *m = map_find(rt->queues, queue_id, 0);
	uint32_t eid = m ? m->eid : ROUTE_NONE;
	enum route_overflow_problem overflow = route_queue_overflow_problem(rt->e, eid, &cfg);
	if (overflow == ROUTE_OVERFLOW_LOOPS)
		return route_refuse(rt, GC_EINVAL, "overflow_to: queue %lld overflows back to this one; a contact would go "
			    "round for ever", (long long)in->overflow_to);
	if (overflow == ROUTE_OVERFLOW_OTHER_CHANNEL && cfg.overflow_to != ROUTE_NONE &&
	    rt->q[cfg.overflow_to].cfg.channel != in->channel)
		return route_refuse(rt, GC_EINVAL, "overflow_to: queue %lld serves %s, this one %s; a contact overflows only "
			    "to a queue of its channel", (long long)in->overflow_to,
			    contact_channel_name(rt->q[cfg.overflow_to].cfg.channel), contact_channel_name(in->channel));
	if (overflow == ROUTE_OVERFLOW_OTHER_CHANNEL)
		return route_refuse(rt, GC_EINVAL, "channel: other queues, serving another channel, overflow to this one; "
			    "change their overflow_to first");
	rc = m ? route_queue_update_check(rt->e, eid, &cfg) : route_queue_add_check(rt->e, &cfg);
	if (rc == GC_ESTATE) { /* the field the request changed names the refusal */
		const struct queue_input *old = &rt->q[eid].cfg;
		return route_refuse(rt, GC_ECONFLICT, "%s: contacts wait in this queue: its skill, channel and level "
			    "cannot change until it is empty", old->channel != in->channel ? "channel"
			    : old->skill_id != in->skill_id ? "skill_id" : "level");
	}
	if (rc < 0)
		return engine_error(rt, rc, "the queue's configuration is not valid");
	if (m == NULL && (rc = gc_grow((void **)&rt->q, &rt->cap_q, sizeof(*rt->q), rt->n_q + 1)) < 0)
		return rc;
	rt->job_changed_engine = true;
	if (m) {
		rc = route_queue_update(rt->e, now_ms(rt), eid, &cfg);
	} else {
		if ((rc = route_queue_add(rt->e, &cfg, &eid)) < 0 || (rc = map_put(&rt->queues, queue_id, 0, eid)) < 0)
			return rc;
		rt->n_q = eid + 1;
		rt->q[eid] = (struct qinfo){.id = queue_id, .tenant_id = tenant_id};
	}
	if (rc < 0)
		return engine_error(rt, rc, "the queue's configuration is not valid");
	struct qinfo *q = &rt->q[eid];
	q->live = true;
	q->cfg = *in;
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->cfg.name = NULL;
	return GC_OK;
}

static int shard_queue_set(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t queue_id,
			   const char *name, const struct queue_input *in)
{
	int rc = queue_apply(rt, scope->tenant_id, queue_id, name, in, true);
	return rc < 0 ? rc : drain(rt, db);
}

static int shard_queue_delete(struct shard *rt, int64_t queue_id)
{
	struct idmap *m = map_find(rt->queues, queue_id, 0);
	if (m == NULL)
		return GC_OK;
	struct route_queue_view v;
	route_queue_view(rt->e, m->eid, &v);
	if (v.waiting + v.named > 0)
		return route_refuse(rt, GC_ECONFLICT, "%u contact(s) wait in this queue: move them first", v.waiting + v.named);
	/* a deleted queue overflows nowhere: its old target may then change channel */
	struct route_queue_config cfg;
	int rc = queue_config(rt, rt->q[m->eid].tenant_id, &rt->q[m->eid].cfg, false, &cfg);
	if (rc == GC_OK && (rc = route_queue_update(rt->e, now_ms(rt), m->eid, &cfg)) < 0)
		return engine_error(rt, rc, "the queue cannot be deleted");
	if (rc < 0)
		return rc;
	rt->q[m->eid].live = false;
	rt->job_changed_engine = true;
	return GC_OK;
}

static int agent_config(struct shard *rt, const struct agent_profile_input *in, struct route_agent_config *ret)
{
	*ret = (struct route_agent_config){.level = in->level, .n_skills = in->n_skills, .max_total = in->max_total,
					   .max_missed = in->max_missed};
	for (int i = 0; i < in->n_skills; i++) {
		uint32_t skill = ROUTE_NONE;
		int rc = skill_index(rt, in->skills[i].skill_id, &skill);
		if (rc < 0)
			return rc;
		ret->skills[i] = (struct route_skill){skill, in->skills[i].proficiency, in->skills[i].tier};
	}
	for (int ch = 0; ch < CHANNEL_N && ch < ROUTE_CHANNELS; ch++)
		ret->capacity[ch] = in->capacity[ch];
	return GC_OK;
}

static int agent_apply(struct shard *rt, int64_t tenant_id, int64_t user_id, const struct agent_profile_input *in,
		       uint32_t *ret_eid)
{
	struct route_agent_config cfg;
	int rc = agent_config(rt, in, &cfg);
	if (rc < 0)
		return rc;
	struct idmap *m = map_find(rt->agents, tenant_id, user_id);
	uint32_t eid = m ? m->eid : ROUTE_NONE;
	rc = route_agent_update_check(rt->e, eid, &cfg);
	if (rc == GC_ESTATE)
		return route_refuse(rt, GC_ECONFLICT, "the agent holds more contacts than the new capacities allow: "
			    "let them finish first");
	if (rc < 0)
		return engine_error(rt, rc, "the agent's profile is not valid");
	if (m == NULL &&
	    (rc = gc_grow((void **)&rt->a, &rt->cap_a, sizeof(*rt->a), route_engine_n_agents(rt->e) + 1)) < 0)
		return rc;
	rt->job_changed_engine = true;
	if (m) {
		rc = route_agent_update(rt->e, now_ms(rt), eid, &cfg);
	} else {
		if ((rc = route_agent_add(rt->e, &cfg, &eid)) < 0 || (rc = map_put(&rt->agents, tenant_id, user_id, eid)) < 0)
			return rc;
		rt->a[eid] = (struct ainfo){.tenant_id = tenant_id, .user_id = user_id, .presence = PRESENCE_OFFLINE,
					    .state = S_OFFLINE};
		rt->n_a = eid + 1;
	}
	if (rc < 0)
		return engine_error(rt, rc, "the agent's profile is not valid");
	*ret_eid = eid;
	return GC_OK;
}

static int shard_of(struct router *top, int64_t tenant_id, struct shard **ret);

/* The organisation of the agents of tenant (0: every tenant; user_id's
 * alone when not 0) that are an outsourcer's, into their ainfo. */
static int learn_organisations(struct router *top, struct store *db, int64_t tenant_id, int64_t user_id)
{
	struct store_agent_org *list = NULL;
	size_t n = 0;
	int rc = store_agent_outsourced(db, tenant_id, user_id, &list, &n);
	for (size_t i = 0; rc == GC_OK && i < n; i++) {
		struct shard *rt = NULL;
		struct idmap *m = shard_of(top, list[i].tenant_id, &rt) < 0 ? NULL :
			map_find(rt->agents, list[i].tenant_id, list[i].user_id);
		if (m)
			rt->a[m->eid].org = list[i].organisation_id;
	}
	free(list);
	return rc;
}

static int shard_agent_set(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t user_id,
			   const struct agent_profile_input *in)
{
	uint32_t eid = ROUTE_NONE;
	int rc = agent_apply(rt, scope->tenant_id, user_id, in, &eid);
	if (rc < 0 || (rc = learn_organisations(rt->top, db, scope->tenant_id, user_id)) < 0)
		return rc;
	return drain(rt, db);
}

/* --- work --- */

static int new_contact_slot(struct shard *rt, int64_t tenant_id, int64_t contact_id, uint32_t eid)
{
	int rc = gc_grow((void **)&rt->c, &rt->cap_c, sizeof(*rt->c), eid + 1);
	if (rc == GC_OK)
		rc = map_put(&rt->contacts, contact_id, 0, eid);
	if (rc == GC_OK)
		rt->c[eid] = (struct cinfo){.contact_id = contact_id, .tenant_id = tenant_id};
	return rc;
}

static int shard_enqueue(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
			 int64_t queue_id, int priority, int64_t since)
{
	uint32_t q = ROUTE_NONE, eid = ROUTE_NONE, sticky = ROUTE_NONE;
	int rc = find_queue(rt, scope->tenant_id, queue_id, &q);
	if (rc < 0)
		return rc;
	if (map_find(rt->contacts, contact_id, 0))
		return route_refuse(rt, GC_ESTATE, "the contact is already in a queue");
	const struct qinfo *qi = &rt->q[q];
	enum contact_channel channel;
	int64_t customer = 0, last = 0;
	if ((rc = store_contact_brief(db, scope, contact_id, &channel, &customer)) < 0)
		return rc;
	if (channel != qi->cfg.channel)
		return route_refuse(rt, GC_EINVAL, "queue_id: the queue serves %s, the contact is %s",
			    contact_channel_name(qi->cfg.channel), contact_channel_name(channel));
	if ((rc = set_state(db, scope->tenant_id, scope, contact_id, CONTACT_QUEUED, NULL)) < 0)
		return refuse_as_store(rt, db, rc);
	if ((rc = store_contact_set_queue(db, scope->tenant_id, contact_id, qi->name)) < 0)
		return rc;
	struct idmap *m;
	if (qi->cfg.sticky_s > 0 && customer && /* a returning customer: its last agent first */
	    store_customer_last_agent(db, scope->tenant_id, customer, &last) == GC_OK && last &&
	    (m = map_find(rt->agents, scope->tenant_id, last)))
		sticky = m->eid;
	int64_t now = now_ms(rt);
	roll_day(rt, now);
	if (since > 0 && since <= now) { /* back in its place: waiting since then, as a restart restores it */
		struct route_restore place = {.queue = q, .agent = ROUTE_NONE, .priority = priority, .arrived = since,
					      .enqueued = since};
		rc = route_contact_restore(rt->e, now, &place, &eid);
	} else {
		rc = route_contact_enqueue_for(rt->e, now, q, priority, sticky, qi->cfg.sticky_s * 1000LL, &eid);
	}
	rt->job_changed_engine = true;
	if (rc < 0)
		return engine_error(rt, rc, "the contact cannot be queued");
	if ((rc = new_contact_slot(rt, scope->tenant_id, contact_id, eid)) < 0)
		return rc;
	touch(rt, eid);
	rc = emit(rt, db, scope->tenant_id, "enqueued", contact_id, 0, queue_id,
		  json_pack("{s:s,s:i,s:s}", "queue", qi->name, "priority", priority, "by", scope->actor));
	return rc < 0 ? rc : drain(rt, db);
}

static int shard_presence(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t user_id,
			  const struct presence_input *in)
{
	uint32_t agent = ROUTE_NONE;
	int rc = find_agent(rt, scope->tenant_id, user_id, &agent);
	if (rc < 0)
		return rc;
	static const enum route_presence to_engine[] = {ROUTE_OFFLINE, ROUTE_AVAILABLE, ROUTE_PAUSED};
	struct route_agent_view av;
	route_agent_view(rt->e, agent, &av);
	if (to_engine[in->presence] == ROUTE_OFFLINE && av.total > 0)
		return route_refuse(rt, GC_ESTATE, "the agent still holds contacts: finish or transfer them before going offline");
	int64_t now = now_ms(rt);
	roll_day(rt, now);
	rc = route_agent_presence(rt->e, now, agent, to_engine[in->presence]);
	rt->job_changed_engine = true;
	if (rc == GC_ESTATE)
		return route_refuse(rt, GC_ESTATE, "the agent still holds contacts: finish or transfer them before going offline");
	if (rc < 0)
		return engine_error(rt, rc, "the presence cannot be changed");
	rt->a[agent].presence = in->presence;
	rt->a[agent].off_duty = rt->a[agent].off_duty && in->presence == PRESENCE_OFFLINE; /* back at work */
	snprintf(rt->a[agent].reason, sizeof(rt->a[agent].reason), "%s", in->reason ? in->reason : "");
	if ((rc = store_agent_set_presence(db, scope->tenant_id, user_id, presence_name(in->presence), in->reason,
					   now)) < 0)
		return rc;
	json_t *data = json_pack("{s:s,s:s?,s:s}", "presence", presence_name(in->presence), "reason", in->reason,
				 "by", scope->actor);
	if (user_id != scope->user_id)
		json_object_set_new(data, "forced", json_true());
	rc = emit(rt, db, scope->tenant_id, "presence", 0, user_id, 0, data);
	return rc < 0 ? rc : drain(rt, db);
}

/* The offers ringing for agent go back to their queues (why: the event's
 * reason); av is its view, counted down. */
static int withdraw_offers(struct shard *rt, struct store *db, int64_t tenant_id, uint32_t agent, int64_t user_id,
			   const char *why, struct route_agent_view *av)
{
	int64_t now = now_ms(rt);
	for (uint32_t eid = 0; av->offered > 0 && eid < rt->cap_c; eid++) {
		if (rt->c[eid].contact_id == 0 || !offered_to(rt, eid, agent))
			continue;
		struct route_contact_view v;
		route_contact_view(rt->e, eid, &v);
		int rc = route_offer_reject(rt->e, now, eid, agent);
		rt->job_changed_engine = true;
		if (rc < 0)
			return engine_error(rt, rc, "an offer cannot be withdrawn");
		touch(rt, eid);
		if ((rc = emit(rt, db, tenant_id, "offer_withdrawn", rt->c[eid].contact_id, user_id, rt->q[v.queue].id,
			       json_pack("{s:s}", "reason", why))) < 0)
			return rc;
		av->offered--;
		av->total--;
	}
	return GC_OK;
}

/* Offline for good (disabled, or a role that takes no contacts): its pending
 * offers go back to their queues first; what it holds keeps it. */
static int shard_off_duty(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t user_id)
{
	uint32_t agent = ROUTE_NONE;
	int rc = find_agent(rt, scope->tenant_id, user_id, &agent);
	if (rc < 0)
		return rc;
	struct route_agent_view av;
	route_agent_view(rt->e, agent, &av);
	if (av.total > av.offered)
		return route_refuse(rt, GC_ESTATE, "the agent still holds contacts: finish or transfer them first");
	if ((rc = withdraw_offers(rt, db, scope->tenant_id, agent, user_id, "the agent was taken off duty", &av)) < 0)
		return rc;
	struct presence_input off = {.presence = PRESENCE_OFFLINE};
	if ((rc = shard_presence(rt, db, scope, user_id, &off)) == GC_OK)
		rt->a[agent].off_duty = true; /* a rollback rebuilds the tenant from the store */
	return rc;
}

/* Signed out of the tenant (reason: the pause's, why: the offers'): paused
 * first (nothing new comes), its ringing offers back to their queues, then
 * offline unless it holds contacts, which wait for it, paused. */
static int shard_sign_out(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t user_id,
			  const char *reason, const char *why)
{
	uint32_t agent = ROUTE_NONE;
	int rc = find_agent(rt, scope->tenant_id, user_id, &agent);
	if (rc < 0 || rt->a[agent].presence == PRESENCE_OFFLINE)
		return rc;
	struct presence_input paused = {.presence = PRESENCE_PAUSED, .reason = reason};
	if (rt->a[agent].presence == PRESENCE_AVAILABLE && (rc = shard_presence(rt, db, scope, user_id, &paused)) < 0)
		return rc;
	struct route_agent_view av;
	route_agent_view(rt->e, agent, &av);
	if ((rc = withdraw_offers(rt, db, scope->tenant_id, agent, user_id, why, &av)) < 0)
		return rc;
	struct presence_input off = {.presence = PRESENCE_OFFLINE};
	return av.total > 0 ? drain(rt, db) : shard_presence(rt, db, scope, user_id, &off);
}

static int shard_accept(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id)
{
	uint32_t eid = ROUTE_NONE, me = ROUTE_NONE;
	int rc = contact_and_me(rt, scope, contact_id, &eid, &me);
	if (rc < 0)
		return rc;
	if (!offered_to(rt, eid, me))
		return route_refuse(rt, GC_ESTATE, "the contact is not (or no longer) offered to you");
	int64_t now = now_ms(rt);
	roll_day(rt, now);
	rc = route_offer_accept(rt->e, now, eid, me);
	rt->job_changed_engine = true;
	if (rc < 0) {
		drain(rt, db); /* timers run first may have decided things */
		return engine_error(rt, rc, "the contact is not (or no longer) offered to you");
	}
	struct route_contact_view v;
	route_contact_view(rt->e, eid, &v);
	struct qinfo *q = &rt->q[v.queue];
	int64_t waited = now - v.enqueued;
	q->answered++;
	q->within += waited <= q->cfg.sl_seconds * 1000LL;
	rt->c[eid].accepted_at = now;
	touch(rt, eid);
	/* from queued, or escalated for an expert */
	if ((rc = set_state(db, scope->tenant_id, scope, contact_id, CONTACT_ASSIGNED, NULL)) < 0)
		return refuse_as_store(rt, db, rc);
	/* a call or a chat is answered when an agent takes it (a message by
	 * the first reply, ops.c; a callback when the customer is reached) */
	if ((q->cfg.channel == CHANNEL_PHONE || q->cfg.channel == CHANNEL_CHAT) &&
	    (rc = store_contact_taken(db, scope->tenant_id, contact_id, now)) < 0)
		return refuse_as_store(rt, db, rc);
	/* the goal of the moment: a report of this day reads it, whatever the queue's goal later */
	rc = emit(rt, db, scope->tenant_id, "accepted", contact_id, scope->user_id, q->id,
		  json_pack("{s:I,s:i}", "waited_ms", (json_int_t)waited, "sl_s", q->cfg.sl_seconds));
	return rc < 0 ? rc : drain(rt, db);
}

static int shard_reject(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id)
{
	uint32_t eid = ROUTE_NONE, me = ROUTE_NONE;
	int rc = contact_and_me(rt, scope, contact_id, &eid, &me);
	if (rc < 0)
		return rc;
	if (!offered_to(rt, eid, me))
		return route_refuse(rt, GC_ESTATE, "the contact is not (or no longer) offered to you");
	struct route_contact_view v;
	route_contact_view(rt->e, eid, &v);
	rc = route_offer_reject(rt->e, now_ms(rt), eid, me);
	rt->job_changed_engine = true;
	if (rc < 0) {
		drain(rt, db);
		return engine_error(rt, rc, "the contact is not (or no longer) offered to you");
	}
	touch(rt, eid);
	rc = emit(rt, db, scope->tenant_id, "rejected", contact_id, scope->user_id, rt->q[v.queue].id, NULL);
	return rc < 0 ? rc : drain(rt, db);
}

/* A handle time the queue qe measured (a wrap-up now, or one of the day's
 * read newest first at the start: older), for its expected waits and its
 * tenant's on that channel. */
static void measure_handle(struct shard *rt, uint32_t qe, int64_t handle_ms, bool older)
{
	struct qinfo *q = &rt->q[qe];
	struct route_handle_window *tenant = &rt->handle[q->cfg.channel];
	if (older) {
		route_handle_window_add_older(&q->handle, handle_ms);
		route_handle_window_add_older(tenant, handle_ms);
	} else {
		route_handle_window_add(&q->handle, handle_ms);
		route_handle_window_add(tenant, handle_ms);
	}
}

static int shard_wrapup(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
			const struct routing_input *in)
{
	uint32_t eid = ROUTE_NONE;
	struct route_contact_view v;
	int rc = held_by_me(rt, scope, contact_id, &eid, &v);
	if (rc < 0)
		return rc;
	int64_t now = now_ms(rt), handled = now - rt->c[eid].accepted_at;
	const struct qinfo *q = &rt->q[v.queue];
	/* the contact's own state first: it may refuse (a closed contact) */
	if (in->state == CONTACT_WAITING_ON_CUSTOMER)
		set_state(db, scope->tenant_id, scope, contact_id, CONTACT_IN_PROGRESS, NULL);
	if ((rc = set_state(db, scope->tenant_id, scope, contact_id, in->state, in->disposition)) < 0)
		return refuse_as_store(rt, db, rc);
	rc = route_contact_finish(rt->e, now, eid);
	touch(rt, eid);
	if ((rc = after(rt, db, rc)) < 0)
		return engine_error(rt, rc, "the contact cannot be wrapped up");
	measure_handle(rt, v.queue, handled, false);
	return emit(rt, db, scope->tenant_id, "wrapup_started", contact_id, scope->user_id, q->id,
		    json_pack("{s:s?,s:s,s:I,s:i}", "disposition", in->disposition, "state",
			      contact_state_name(in->state), "handle_ms", (json_int_t)handled, "wrapup_s", q->cfg.wrapup_s));
}

/* Adds an internal note to the contact (why it was escalated or transferred). */
static int note(struct store *db, const struct store_scope *scope, int64_t contact_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int note(struct store *db, const struct store_scope *scope, int64_t contact_id, const char *fmt, ...)
{
	char text[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct message_input m = {.body = text};
	json_t *msg = NULL;
	int rc = store_contact_add_message(db, scope, contact_id, &m, true, &msg);
	json_decref(msg);
	return rc;
}

/* What refuses an escalation, before anything changes: the contact held by
 * the scope's user, a level-2 queue of its channel. */
static int escalation_allowed(struct shard *rt, const struct store_scope *scope, int64_t contact_id, int64_t queue_id,
			      uint32_t *ret_eid, uint32_t *ret_to, struct route_contact_view *ret_view)
{
	int rc;
	if ((rc = held_by_me(rt, scope, contact_id, ret_eid, ret_view)) < 0 ||
	    (rc = find_queue(rt, scope->tenant_id, queue_id, ret_to)) < 0)
		return rc;
	const struct qinfo *from = &rt->q[ret_view->queue], *q = &rt->q[*ret_to];
	if ((rc = same_channel(rt, from, q)) < 0)
		return rc;
	if (*ret_to == ret_view->queue)
		return route_refuse(rt, GC_EINVAL, "queue_id: an escalation goes to another queue of level-2 experts (%s is "
				    "this contact's queue); transfer to reach a queue of the same level", q->name);
	if (q->cfg.level < 2)
		return route_refuse(rt, GC_EINVAL, "queue_id: an escalation goes to another queue of level-2 experts (%s is "
				    "level 1); transfer to reach a queue of the same level", q->name);
	return GC_OK;
}

static int shard_escalate(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
			  const struct routing_input *in)
{
	uint32_t eid = ROUTE_NONE, to = ROUTE_NONE;
	struct route_contact_view v;
	int rc;
	if ((rc = escalation_allowed(rt, scope, contact_id, in->queue_id, &eid, &to, &v)) < 0)
		return rc;
	const struct qinfo *from = &rt->q[v.queue], *q = &rt->q[to];
	if ((rc = set_state(db, scope->tenant_id, scope, contact_id, CONTACT_ESCALATED, NULL)) < 0)
		return refuse_as_store(rt, db, rc);
	if ((rc = note(db, scope, contact_id, SYSTEM_NOTE("Escalated from %s to %s: %s"), from->name, q->name, in->reason)) < 0 ||
	    (rc = store_contact_set_queue(db, scope->tenant_id, contact_id, q->name)) < 0)
		return rc;
	/* the time it held the contact: its handle time in the reports, as a wrap-up's */
	rc = emit(rt, db, scope->tenant_id, "escalated", contact_id, scope->user_id, from->id,
		  json_pack("{s:I,s:s,s:s,s:I}", "to_queue_id", (json_int_t)q->id, "to_queue", q->name, "reason", in->reason,
			    "handle_ms", (json_int_t)(now_ms(rt) - rt->c[eid].accepted_at)));
	if (rc < 0)
		return rc;
	rc = route_contact_move(rt->e, now_ms(rt), eid, to, ROUTE_NONE);
	touch(rt, eid);
	return (rc = after(rt, db, rc)) < 0 ? engine_error(rt, rc, "the contact cannot be escalated") : GC_OK;
}

static int shard_transfer(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
			  const struct routing_input *in)
{
	uint32_t eid = ROUTE_NONE, to = ROUTE_NONE, agent = ROUTE_NONE;
	struct route_contact_view v;
	int rc = held_by_me(rt, scope, contact_id, &eid, &v);
	if (rc < 0)
		return rc;
	to = v.queue;
	if (in->queue_id && (rc = find_queue(rt, scope->tenant_id, in->queue_id, &to)) < 0)
		return rc;
	if (in->agent_id && find_agent(rt, scope->tenant_id, in->agent_id, &agent) < 0)
		return route_refuse(rt, GC_ENOTFOUND, "agent_id: no agent %lld in this tenant", (long long)in->agent_id);
	if (agent == v.agent)
		return route_refuse(rt, GC_EINVAL, "agent_id: you hold the contact already");
	if (agent != ROUTE_NONE && rt->a[agent].presence == PRESENCE_OFFLINE)
		return route_refuse(rt, GC_ESTATE, "agent_id: the agent is offline and would not get it: transfer to a queue, "
			    "or to an agent who is working");
	if (agent != ROUTE_NONE && route_agent_config(rt->e, agent)->capacity[rt->q[to].cfg.channel] == 0)
		return route_refuse(rt, GC_EINVAL, "agent_id: the agent takes no %s contacts (its capacity there is 0)",
			    contact_channel_name(rt->q[to].cfg.channel));
	if ((rc = same_channel(rt, &rt->q[v.queue], &rt->q[to])) < 0)
		return rc;
	if ((rc = set_state(db, scope->tenant_id, scope, contact_id, CONTACT_QUEUED, NULL)) < 0)
		return refuse_as_store(rt, db, rc);
	const struct qinfo *q = &rt->q[to];
	if (in->reason && (rc = note(db, scope, contact_id, SYSTEM_NOTE("Transferred to %s: %s"), q->name, in->reason)) < 0)
		return rc;
	if ((rc = store_contact_set_queue(db, scope->tenant_id, contact_id, q->name)) < 0)
		return rc;
	json_t *data = json_pack("{s:I,s:s,s:s?,s:I}", "to_queue_id", (json_int_t)q->id, "to_queue", q->name, "reason",
				 in->reason, "handle_ms", (json_int_t)(now_ms(rt) - rt->c[eid].accepted_at));
	if (agent != ROUTE_NONE)
		json_object_set_new(data, "to_agent_id", json_integer(rt->a[agent].user_id));
	if ((rc = emit(rt, db, scope->tenant_id, "transferred", contact_id, scope->user_id, rt->q[v.queue].id, data)) < 0)
		return rc;
	rc = route_contact_move(rt->e, now_ms(rt), eid, to, agent);
	touch(rt, eid);
	return (rc = after(rt, db, rc)) < 0 ? engine_error(rt, rc, "the contact cannot be transferred") : GC_OK;
}

static int shard_move(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		      const struct routing_input *in)
{
	uint32_t eid = ROUTE_NONE, to = ROUTE_NONE;
	int rc;
	if ((rc = find_contact(rt, scope, contact_id, &eid)) < 0 || (rc = find_queue(rt, scope->tenant_id, in->queue_id, &to)) < 0)
		return rc;
	struct route_contact_view v;
	route_contact_view(rt->e, eid, &v);
	if (v.state == ROUTE_OFFERED)
		return route_refuse(rt, GC_ESTATE, "the contact is being offered: move it once answered or expired");
	if ((rc = same_channel(rt, &rt->q[v.queue], &rt->q[to])) < 0)
		return rc;
	if (v.state == ROUTE_ASSIGNED && (rc = set_state(db, scope->tenant_id, scope, contact_id, CONTACT_QUEUED, NULL)) < 0)
		return refuse_as_store(rt, db, rc);
	const struct qinfo *q = &rt->q[to];
	json_t *data = json_pack("{s:I,s:s,s:s}", "to_queue_id", (json_int_t)q->id, "to_queue", q->name, "by", scope->actor);
	if (v.state == ROUTE_ASSIGNED) /* the time its agent held it: the agent's handle time, as before a transfer */
		json_object_set_new(data, "handle_ms", json_integer(now_ms(rt) - rt->c[eid].accepted_at));
	if ((rc = store_contact_set_queue(db, scope->tenant_id, contact_id, q->name)) < 0) {
		json_decref(data);
		return rc;
	}
	if ((rc = emit(rt, db, scope->tenant_id, "moved", contact_id, agent_user(rt, v.state == ROUTE_ASSIGNED ? v.agent : ROUTE_NONE),
		       rt->q[v.queue].id, data)) < 0)
		return rc;
	rc = route_contact_move(rt->e, now_ms(rt), eid, to, ROUTE_NONE);
	touch(rt, eid);
	return (rc = after(rt, db, rc)) < 0 ? engine_error(rt, rc, "the contact cannot be moved") : GC_OK;
}

/* A waiting or offered contact out of its queue: abandoned (counted so,
 * disposition and event "abandoned"), or, with a disposition, a waiting
 * one for another reason (event "left_queue": no abandonment counted). */
static int shard_leave(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		       const char *disposition)
{
	uint32_t eid = ROUTE_NONE;
	int rc = find_contact(rt, scope, contact_id, &eid);
	if (rc < 0)
		return rc;
	struct route_contact_view v;
	route_contact_view(rt->e, eid, &v);
	if (v.state != ROUTE_WAITING && v.state != ROUTE_OFFERED)
		return route_refuse(rt, GC_ESTATE, "only a waiting or offered contact can be abandoned");
	if (disposition && v.state != ROUTE_WAITING) /* an agent is taking it: it stays */
		return route_refuse(rt, GC_ESTATE, "only a waiting contact can leave its queue");
	int64_t now = now_ms(rt);
	roll_day(rt, now);
	rc = route_contact_abandon(rt->e, now, eid);
	rt->job_changed_engine = true;
	if (rc < 0) {
		drain(rt, db);
		return engine_error(rt, rc, "only a waiting or offered contact can be abandoned");
	}
	if (disposition == NULL)
		rt->q[v.queue].abandoned++;
	touch(rt, eid);
	if ((rc = set_state(db, scope->tenant_id, scope, contact_id, CONTACT_RESOLVED,
			    disposition ? disposition : "abandoned")) < 0)
		return refuse_as_store(rt, db, rc);
	json_t *data = json_pack("{s:I}", "waited_ms", (json_int_t)(now - v.enqueued));
	if (data && disposition)
		json_object_set_new(data, "disposition", json_string(disposition));
	rc = emit(rt, db, scope->tenant_id, disposition ? "left_queue" : "abandoned", contact_id,
		  agent_user(rt, v.state == ROUTE_OFFERED ? v.agent : ROUTE_NONE), rt->q[v.queue].id, data);
	return rc < 0 ? rc : drain(rt, db);
}

static int shard_abandon(struct shard *rt, struct store *db, const struct store_scope *scope, int64_t contact_id)
{
	return shard_leave(rt, db, scope, contact_id, NULL);
}

/* --- shards --- */

static void reset(struct shard *rt)
{
	route_engine_free(rt->e);
	rt->e = NULL;
	map_clear(&rt->skills);
	map_clear(&rt->queues);
	map_clear(&rt->agents);
	map_clear(&rt->contacts);
	rt->n_skills = rt->n_q = rt->n_a = 0;
	rt->n_touched = 0;
	memset(rt->handle, 0, sizeof(rt->handle));
	rt->digest_seq += 2; /* a number skipped: pages showing the agents load them again */
	rt->digest_due = true;
	rt->job_changed_engine = rt->batch_changed_engine = false;
}

/* This node no longer routes the tenant (a cluster's lease moved). */
static void drop(struct shard *rt)
{
	char tenant[24];
	snprintf(tenant, sizeof(tenant), "%lld", (long long)rt->tenant_id);
	if (rt->epoch)
		log_info("another node routes this tenant now", "tenant", tenant);
	reset(rt);
	rt->epoch = 0;
	rt->fenced = rt->fenced_in_job = rt->lost = rt->stale = false;
}

static void shard_free(struct shard *rt)
{
	reset(rt);
	free(rt->q);
	free(rt->a);
	free(rt->c);
	free(rt->touched);
	free(rt);
}

/* The tenant's shard, made (empty) when it has none yet. */
static int shard_of(struct router *top, int64_t tenant_id, struct shard **ret)
{
	struct shard *rt = NULL;
	HASH_FIND(hh, top->shards, &tenant_id, sizeof(tenant_id), rt);
	if (rt == NULL) {
		if ((rt = calloc(1, sizeof(*rt))) == NULL)
			return GC_ENOMEM;
		rt->top = top;
		rt->tenant_id = tenant_id;
		HASH_ADD(hh, top->shards, tenant_id, sizeof(rt->tenant_id), rt);
	}
	if (rt->e == NULL) {
		if ((rt->e = route_engine_new(1)) == NULL)
			return GC_ENOMEM;
		start_day(rt, now_ms(rt));
	}
	*ret = rt;
	return GC_OK;
}

/* The lease of a tenant this node routes in a cluster is checked in the
 * transaction of each call that writes (fenced, once per transaction): the
 * row stays locked until the commit, so the routing cannot move meanwhile,
 * and a node that lost the lease writes nothing. */
static int fence(struct router *top, struct store *db, struct shard *rt)
{
	if (top->node[0] == '\0' || rt->fenced)
		return GC_OK;
	int rc = store_lease_fence(db, rt->tenant_id, top->node, rt->epoch, gc_now_ms());
	if (rc == GC_EMOVED)
		rt->lost = true; /* dropped after the batch */
	if (rc == GC_OK)
		rt->fenced = rt->fenced_in_job = true;
	return rc;
}

/* The tenant's shard for a call (a write when db is given): alone, any
 * tenant's; in a cluster, only a tenant whose lease this node holds. */
static int load_zone(struct shard *rt, struct store *db);

static int shard_for(struct router *top, struct store *db, int64_t tenant_id, struct shard **ret)
{
	if (top->node[0]) {
		struct shard *rt = NULL;
		HASH_FIND(hh, top->shards, &tenant_id, sizeof(tenant_id), rt);
		if (rt == NULL || rt->epoch == 0 || rt->lost) {
			refuse_plain(top, "another node routes this tenant now: try again");
			return GC_EMOVED;
		}
		int rc = db ? fence(top, db, rt) : GC_OK;
		if (rc == GC_EMOVED)
			refuse_plain(top, "another node routes this tenant now: try again");
		if (rc < 0)
			return rc;
	}
	struct shard *rt = NULL;
	int rc = shard_of(top, tenant_id, &rt);
	if (rc == GC_OK && db && !rt->zone_known) /* a tenant routed since the last load: its zone now */
		rc = load_zone(rt, db);
	if (rc == GC_OK)
		*ret = rt;
	return rc;
}

/* --- the clock and the batch --- */

int64_t router_next_due(const struct router *top)
{
	int64_t due = INT64_MAX;
	for (const struct shard *rt = top->shards; rt; rt = rt->hh.next) {
		if (rt->e == NULL)
			continue;
		int64_t d = route_engine_next_due(rt->e);
		if (d < due)
			due = d;
	}
	return due;
}

int router_tick(struct router *top, struct store *db)
{
	int rc = GC_OK;
	for (struct shard *rt = top->shards; rc == GC_OK && rt; rt = rt->hh.next) {
		if (rt->e == NULL)
			continue;
		int64_t now = now_ms(rt);
		if (route_engine_next_due(rt->e) > now)
			continue;
		if ((rc = fence(top, db, rt)) == GC_EMOVED) {
			rc = GC_OK; /* no longer this node's: dropped after the batch */
			continue;
		}
		if (rc < 0)
			break;
		roll_day(rt, now);
		rt->job_changed_engine = true;
		rc = after(rt, db, route_engine_tick(rt->e, now));
	}
	return rc;
}

static int load(struct router *top, struct store *db, int64_t tenant_id);

/* Notes whether an agent's state changed, and since when. */
static void note_state(struct shard *rt, uint32_t agent, int64_t now)
{
	struct route_agent_view v;
	route_agent_view(rt->e, agent, &v);
	enum agent_state st = agent_state(&v);
	if (st != rt->a[agent].state || rt->a[agent].state_since == 0) {
		rt->a[agent].state = st;
		rt->a[agent].state_since = now;
	}
}

/* The agents a kept request's events name are the ones whose state may
 * have changed; they are looked at once the request is over (an event may
 * be emitted before the engine moves). */
static void note_states(struct router *top, const struct events *job)
{
	for (size_t i = 0; i < job->n; i++) {
		const struct hub_event *ev = &job->items[i];
		struct shard *rt = NULL;
		struct idmap *m = NULL;
		if (ev->agent_id == 0)
			continue;
		HASH_FIND(hh, top->shards, &ev->tenant_id, sizeof(ev->tenant_id), rt);
		if (rt && rt->e && (m = map_find(rt->agents, ev->tenant_id, ev->agent_id))) {
			note_state(rt, m->eid, now_ms(rt));
			rt->a[m->eid].in_digest = rt->digest_due = true;
		}
	}
}

void router_job_end(struct router *top, bool kept)
{
	if (kept) {
		note_states(top, &top->job);
		for (size_t i = 0; i < top->job.n; i++)
			if (events_push(&top->batch, &top->job.items[i]) < 0)
				free(top->job.items[i].frame);
		top->job.n = 0;
	} else {
		events_clear(&top->job);
	}
	for (struct shard *rt = top->shards; rt; rt = rt->hh.next) {
		if (rt->job_changed_engine) {
			if (kept)
				rt->batch_changed_engine = true;
			else
				rt->stale = true; /* this tenant's engine went ahead of what is kept */
		}
		if (!kept) {
			for (size_t i = 0; i < rt->n_touched; i++)
				rt->c[rt->touched[i]].touched = false;
			rt->n_touched = 0;
			if (rt->fenced_in_job)
				rt->fenced = false; /* the savepoint's rollback let the lease row go */
		}
		rt->job_changed_engine = false;
		rt->fenced_in_job = false;
	}
	refuse_plain(top, ""); /* each request starts with no error */
}

void router_batch_end(struct router *top, struct store *db, bool committed)
{
	if (committed)
		observe(top);
	if (committed)
		hub_publish(top->hub, top->batch.items, top->batch.n);
	else
		events_clear(&top->batch);
	top->batch.n = 0;
	for (struct shard *rt = top->shards; rt; rt = rt->hh.next) {
		if (!committed && rt->batch_changed_engine)
			rt->stale = true;
		if (!committed) /* a calendar's change may be what was lost: its zone read again when next routed */
			rt->zone_known = false;
		rt->batch_changed_engine = false;
		rt->fenced = false;
		if (rt->lost) { /* another node routes it now */
			drop(rt);
			continue;
		}
		if (!rt->stale)
			continue;
		/* this tenant alone: the others keep their offers and timers */
		char tenant[24];
		snprintf(tenant, sizeof(tenant), "%lld", (long long)rt->tenant_id);
		log_info("rebuilding a tenant's routing from the store", "tenant", tenant);
		atomic_fetch_add_explicit(&top->n_rebuilds, 1, memory_order_relaxed);
		reset(rt);
		rt->stale = false;
		int rc = load(top, db, rt->tenant_id);
		if (rc == GC_EMOVED) {
			drop(rt);
		} else if (rc < 0) {
			log_error("cannot rebuild a tenant's routing: trying again after the next batch", "tenant", tenant,
				  "error", store_errmsg(db));
			rt->stale = true;
		}
	}
}

static bool tenant_seen(const int64_t *seen, uint32_t n, int64_t tenant_id)
{
	for (uint32_t i = 0; i < n; i++)
		if (seen[i] == tenant_id)
			return true;
	return false;
}

static void fold_tenant(struct store *db, int64_t tenant_id)
{
	if (store_savepoint(db) < 0)
		return;
	int rc = store_report_fold(db, tenant_id, 0);
	if (rc >= 0) {
		store_release(db);
		return;
	}
	char tenant[24];
	snprintf(tenant, sizeof(tenant), "%lld", (long long)tenant_id);
	log_error("reports not brought up to date: trying again at the tenant's next batch", "tenant", tenant,
		  "error", store_errmsg(db));
	store_rollback_to(db);
}

void router_fold_reports(struct router *top, struct store *db)
{
	int64_t *seen = NULL;
	uint32_t n_seen = 0, cap = 0;
	const struct events *lists[] = {&top->batch, &top->job};
	for (int l = 0; l < 2; l++)
		for (uint32_t i = 0; i < lists[l]->n; i++) {
			int64_t tenant_id = lists[l]->items[i].tenant_id;
			if (tenant_seen(seen, n_seen, tenant_id) ||
			    gc_grow((void **)&seen, &cap, sizeof(*seen), n_seen + 1) < 0)
				continue;
			seen[n_seen++] = tenant_id;
			fold_tenant(db, tenant_id);
		}
	free(seen);
}

uint64_t router_rebuilds(const struct router *top)
{
	return atomic_load_explicit(&top->n_rebuilds, memory_order_relaxed);
}

/* --- the calls, each in the caller's tenant --- */

static int shard_contact_view(struct shard *rt, const struct store_scope *scope, int64_t contact_id, json_t **ret);
static int shard_agent_state(struct shard *rt, int64_t user_id, json_t **ret);
static int shard_agents_live(struct shard *rt, json_t *agents, uint64_t *ret_seq);
static int shard_contact_load(struct shard *rt, const struct store_scope *scope, int64_t contact_id,
			      struct router_load *ret);
static json_t *shard_queue_stats(struct shard *rt, int64_t org);
static int contact_load(struct shard *rt, uint32_t eid, const struct route_contact_view *v, struct router_load *l);

int router_queue_set(struct router *top, struct store *db, const struct store_scope *scope, int64_t queue_id,
		     const char *name, const struct queue_input *in)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_queue_set(t, db, scope, queue_id, name, in);
}

int router_queue_delete(struct router *top, const struct store_scope *scope, int64_t queue_id)
{
	struct shard *t = NULL;
	int rc = shard_for(top, NULL, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_queue_delete(t, queue_id);
}

int router_agent_set(struct router *top, struct store *db, const struct store_scope *scope, int64_t user_id,
		     const struct agent_profile_input *in)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_agent_set(t, db, scope, user_id, in);
}

int router_enqueue(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
		   int64_t queue_id, int priority)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_enqueue(t, db, scope, contact_id, queue_id, priority, 0);
}

int router_enqueue_at(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
		      int64_t queue_id, int priority, int64_t since)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_enqueue(t, db, scope, contact_id, queue_id, priority, since);
}

int router_presence(struct router *top, struct store *db, const struct store_scope *scope, int64_t user_id,
		    const struct presence_input *in)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_presence(t, db, scope, user_id, in);
}

int router_off_duty(struct router *top, struct store *db, const struct store_scope *scope, int64_t user_id)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_off_duty(t, db, scope, user_id);
}

int router_signed_out(struct router *top, struct store *db, const struct store_scope *scope, int64_t user_id)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_sign_out(t, db, scope, user_id, "signed out", "the agent signed out");
}

int router_desk_gone(struct router *top, struct store *db, int64_t tenant_id, int64_t user_id, bool *ret_signed_out)
{
	struct shard *rt = NULL;
	*ret_signed_out = false;
	int rc = shard_for(top, db, tenant_id, &rt);
	if (rc == GC_EMOVED)
		return GC_OK; /* another node routes the tenant: it signs the agent out */
	if (rc < 0)
		return rc;
	struct idmap *m = map_find(rt->agents, tenant_id, user_id);
	if (m == NULL || rt->a[m->eid].presence == PRESENCE_OFFLINE)
		return GC_OK; /* no routing profile, or gone already */
	struct store_scope system = {.tenant_id = tenant_id};
	snprintf(system.actor, sizeof(system.actor), "router");
	rc = shard_sign_out(rt, db, &system, user_id, "connection lost", "the agent's connection was lost");
	*ret_signed_out = rc == GC_OK;
	return rc;
}

int router_accept(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_accept(t, db, scope, contact_id);
}

int router_reject(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_reject(t, db, scope, contact_id);
}

int router_wrapup(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
		  const struct routing_input *in)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_wrapup(t, db, scope, contact_id, in);
}

int router_escalate(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
		    const struct routing_input *in)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_escalate(t, db, scope, contact_id, in);
}

int router_may_escalate(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
			int64_t queue_id)
{
	struct shard *t = NULL;
	uint32_t eid = ROUTE_NONE, to = ROUTE_NONE;
	struct route_contact_view v;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : escalation_allowed(t, scope, contact_id, queue_id, &eid, &to, &v);
}

int router_transfer(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
		    const struct routing_input *in)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_transfer(t, db, scope, contact_id, in);
}

int router_move(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
		const struct routing_input *in)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_move(t, db, scope, contact_id, in);
}

int router_abandon(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_abandon(t, db, scope, contact_id);
}

int router_leave(struct router *top, struct store *db, const struct store_scope *scope, int64_t contact_id,
		 const char *disposition)
{
	struct shard *t = NULL;
	int rc = shard_for(top, db, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_leave(t, db, scope, contact_id, disposition);
}

int router_contact_view(struct router *top, const struct store_scope *scope, int64_t contact_id, json_t **ret)
{
	struct shard *t = NULL;
	int rc = shard_for(top, NULL, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_contact_view(t, scope, contact_id, ret);
}

int router_contact_load(struct router *top, const struct store_scope *scope, int64_t contact_id,
			struct router_load *ret)
{
	struct shard *t = NULL;
	int rc = shard_for(top, NULL, scope->tenant_id, &t);
	return rc < 0 ? rc : shard_contact_load(t, scope, contact_id, ret);
}

int router_agent_state(struct router *top, int64_t tenant_id, int64_t user_id, json_t **ret)
{
	struct shard *t = NULL;
	int rc = shard_for(top, NULL, tenant_id, &t);
	return rc < 0 ? rc : shard_agent_state(t, user_id, ret);
}

int router_agents_live(struct router *top, int64_t tenant_id, json_t *agents, uint64_t *ret_seq)
{
	struct shard *t = NULL;
	int rc = shard_for(top, NULL, tenant_id, &t);
	return rc < 0 ? rc : shard_agents_live(t, agents, ret_seq);
}

json_t *router_queue_stats(struct router *top, int64_t tenant_id, int64_t organisation_id)
{
	struct shard *rt = NULL;
	if (shard_for(top, NULL, tenant_id, &rt) < 0)
		return NULL;
	if (organisation_id == 0)
		return shard_queue_stats(rt, ORG_ALL);
	bool has_agents = false;
	for (uint32_t a = 0; a < rt->n_a && !has_agents; a++)
		has_agents = rt->a[a].org == organisation_id;
	return shard_queue_stats(rt, has_agents ? organisation_id : ORG_NONE);
}

/* --- views --- */

static int shard_contact_view(struct shard *rt, const struct store_scope *scope, int64_t contact_id, json_t **ret)
{
	uint32_t eid = ROUTE_NONE;
	int rc = find_contact(rt, scope, contact_id, &eid);
	if (rc < 0)
		return rc;
	struct route_contact_view v;
	route_contact_view(rt->e, eid, &v);
	static const char *const names[] = {"waiting", "offered", "assigned"};
	int64_t now = now_ms(rt);
	json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:i,s:I}", "contact_id", (json_int_t)contact_id, "state",
		v.state <= ROUTE_ASSIGNED ? names[v.state] : "done", "queue_id", (json_int_t)rt->q[v.queue].id,
		"queue", rt->q[v.queue].name, "priority", v.priority, "waited_s", (json_int_t)((now - v.enqueued) / 1000));
	json_object_set_new(o, "agent_id", v.agent != ROUTE_NONE ? json_integer(rt->a[v.agent].user_id) : json_null());
	struct router_load l = {0};
	if (v.state == ROUTE_WAITING && contact_load(rt, eid, &v, &l) == GC_OK) {
		int64_t wait = router_load_wait_ms(&l, ROUTE_WAIT_DEFAULT_HANDLE_MS);
		json_object_set_new(o, "position", json_integer(l.ahead + 1));
		json_object_set_new(o, "expected_wait_s", wait >= 0 ? json_integer(wait / 1000) : json_null());
	}
	*ret = o;
	return GC_OK;
}

/* Whether an agent paused by the router has left: signed out, or their
 * desk gone, while holding contacts (or found so at start). They are paused
 * only to keep those contacts, and take nothing more until they are back. */
static bool agent_gone(const struct ainfo *a)
{
	return a->presence == PRESENCE_PAUSED &&
	       (!strcmp(a->reason, "signed out") || !strcmp(a->reason, "connection lost") ||
		!strcmp(a->reason, "holding contacts"));
}

/* Whether the agent (engine id) serves queue q: not offline nor gone
 * (agent_gone: a team gone home with contacts held is no team to wait
 * for, and a wait told from it would never end), its level, a capacity on
 * the queue's channel, and the queue's skill. */
static bool agent_serves(struct shard *rt, uint32_t agent, const struct qinfo *q, uint32_t skill)
{
	const struct route_agent_config *cfg = route_agent_config(rt->e, agent);
	struct route_agent_view v;
	route_agent_view(rt->e, agent, &v);
	if (rt->a[agent].tenant_id != q->tenant_id || v.presence == ROUTE_OFFLINE || agent_gone(&rt->a[agent]) ||
	    cfg->level < q->cfg.level || cfg->capacity[q->cfg.channel] <= 0)
		return false;
	for (int k = 0; k < cfg->n_skills; k++)
		if (cfg->skills[k].skill == skill)
			return true;
	return false;
}

/* What one agent adds to a load on channel ch: its capacity there and
 * how much of it is free now (available, not in wrap-up). */
static void agent_load(struct shard *rt, uint32_t agent, int ch, struct router_load *l)
{
	const struct route_agent_config *cfg = route_agent_config(rt->e, agent);
	struct route_agent_view av;
	route_agent_view(rt->e, agent, &av);
	l->agents++;
	l->slots += (uint32_t)cfg->capacity[ch];
	if (av.presence == ROUTE_AVAILABLE && !av.in_wrapup) {
		int room = cfg->capacity[ch] - av.active[ch], total_room = cfg->max_total - av.total;
		room = room < total_room ? room : total_room;
		l->free += room > 0 ? (uint32_t)room : 0;
	}
}

/* What the queue qe measured: its handle time (its tenant's on its
 * channel while it measured too few) and its wrap-up. */
static void measured_load(struct shard *rt, uint32_t qe, struct router_load *l)
{
	const struct qinfo *q = &rt->q[qe];
	l->handle_ms = route_handle_window_mean(&q->handle);
	if (l->handle_ms == 0)
		l->handle_ms = route_handle_window_mean(&rt->handle[q->cfg.channel]);
	l->wrapup_ms = q->cfg.wrapup_s * 1000LL;
}

/* What a queue's serving agents add to a load: how many are not offline,
 * their capacity on its channel and how much of it is free; and what the
 * queue measured. */
static void serving_load(struct shard *rt, uint32_t qe, struct router_load *l)
{
	const struct qinfo *q = &rt->q[qe];
	struct idmap *skill = map_find(rt->skills, q->cfg.skill_id, 0);
	for (uint32_t a = 0; skill && a < rt->n_a; a++)
		if (agent_serves(rt, a, q, skill->eid))
			agent_load(rt, a, q->cfg.channel, l);
	measured_load(rt, qe, l);
}

/* The load of a contact waiting for a named agent (a transfer): that
 * agent alone serves it, when not offline. */
static void named_load(struct shard *rt, uint32_t agent, uint32_t qe, struct router_load *l)
{
	struct route_agent_view av;
	route_agent_view(rt->e, agent, &av);
	if (av.presence != ROUTE_OFFLINE)
		agent_load(rt, agent, rt->q[qe].cfg.channel, l);
	measured_load(rt, qe, l);
}

/* The load of a contact waiting or offered (eid, seen as v): its place,
 * the agents who serve it (the named one alone for a contact waiting for
 * it), what its queue measured. An offered contact has a slot held for it:
 * one free at least. */
static int contact_load(struct shard *rt, uint32_t eid, const struct route_contact_view *v, struct router_load *l)
{
	int64_t unused;
	if (v->state == ROUTE_WAITING && route_contact_position(rt->e, eid, 1, &l->ahead, &unused) < 0)
		return GC_ESTATE;
	if (v->state == ROUTE_WAITING && v->agent != ROUTE_NONE)
		named_load(rt, v->agent, v->queue, l);
	else
		serving_load(rt, v->queue, l);
	if (v->state == ROUTE_OFFERED && l->free == 0)
		l->free = 1;
	return GC_OK;
}

int64_t router_load_wait_ms(const struct router_load *load, int64_t default_handle_ms)
{
	struct route_wait_load w = {.ahead = load->ahead, .slots = load->slots, .free = load->free,
				    .hold_ms = (load->handle_ms > 0 ? load->handle_ms : default_handle_ms) + load->wrapup_ms};
	return route_wait_expected_ms(&w);
}

static int shard_contact_load(struct shard *rt, const struct store_scope *scope, int64_t contact_id,
			      struct router_load *ret)
{
	uint32_t eid = ROUTE_NONE;
	int rc = find_contact(rt, scope, contact_id, &eid);
	if (rc < 0)
		return rc;
	struct route_contact_view v;
	route_contact_view(rt->e, eid, &v);
	struct router_load l = {0};
	if (contact_load(rt, eid, &v, &l) < 0)
		return route_refuse(rt, GC_ESTATE, "the contact waits in no queue");
	*ret = l;
	return GC_OK;
}

/* A queue's load for a newcomer (the web chat's "open" and wait): the
 * contacts waiting in it, and its serving agents as shard_contact_load
 * counts them. */
static int shard_queue_load(struct shard *rt, int64_t tenant_id, int64_t queue_id, struct router_load *ret)
{
	uint32_t qe = 0;
	int rc = find_queue(rt, tenant_id, queue_id, &qe);
	if (rc < 0)
		return rc;
	struct route_queue_view qv;
	struct router_load l = {0};
	if (route_queue_view(rt->e, qe, &qv) == GC_OK)
		l.ahead = qv.waiting;
	serving_load(rt, qe, &l);
	*ret = l;
	return GC_OK;
}

/* A contact of a batch (shard_contacts_load), by engine id. */
struct batch_slot {
	uint32_t eid;
	size_t index;
};

static int slot_order(const void *a, const void *b)
{
	uint32_t x = ((const struct batch_slot *)a)->eid, y = ((const struct batch_slot *)b)->eid;
	return x < y ? -1 : x > y;
}

struct batch_walk {
	const struct batch_slot *slots;
	size_t n;
	struct router_load load; /* the queue's serving agents */
	struct router_load *ret;
	bool *ok;
};

static void batch_place(void *arg, uint32_t eid, uint32_t ahead)
{
	struct batch_walk *w = arg;
	struct batch_slot key = {.eid = eid};
	const struct batch_slot *s = bsearch(&key, w->slots, w->n, sizeof(*s), slot_order);
	if (s == NULL)
		return;
	w->ret[s->index] = w->load;
	w->ret[s->index].ahead = ahead;
	w->ok[s->index] = true;
}

/* Each queue of the batch is walked once and its agents counted once; a
 * contact waiting for a named agent, which no queue walk meets, is placed
 * on its own. */
static int shard_contacts_load(struct shard *rt, int64_t tenant_id, const int64_t *contacts, size_t n,
			       struct router_load *ret, bool *ok)
{
	struct batch_slot *slots = malloc((n ? n : 1) * sizeof(*slots));
	uint32_t *queues = malloc((n ? n : 1) * sizeof(*queues));
	if (slots == NULL || queues == NULL) {
		free(slots);
		free(queues);
		return GC_ENOMEM;
	}
	size_t n_slots = 0, n_queues = 0;
	for (size_t i = 0; i < n; i++) {
		ok[i] = false;
		struct idmap *m = map_find(rt->contacts, contacts[i], 0);
		struct route_contact_view v;
		if (m == NULL || rt->c[m->eid].tenant_id != tenant_id || route_contact_view(rt->e, m->eid, &v) < 0 ||
		    (v.state != ROUTE_WAITING && v.state != ROUTE_OFFERED))
			continue; /* an offered contact still waits for its customer: next, 0 ahead */
		slots[n_slots++] = (struct batch_slot){.eid = m->eid, .index = i};
		size_t k = 0;
		while (k < n_queues && queues[k] != v.queue)
			k++;
		if (k == n_queues)
			queues[n_queues++] = v.queue;
	}
	qsort(slots, n_slots, sizeof(*slots), slot_order);
	struct batch_walk w = {.slots = slots, .n = n_slots, .ret = ret, .ok = ok};
	for (size_t k = 0; k < n_queues; k++) {
		w.load = (struct router_load){0};
		serving_load(rt, queues[k], &w.load);
		route_queue_walk(rt->e, queues[k], batch_place, &w);
	}
	struct store_scope scope = {.tenant_id = tenant_id};
	for (size_t k = 0; k < n_slots; k++)
		if (!ok[slots[k].index])
			ok[slots[k].index] = shard_contact_load(rt, &scope, contacts[slots[k].index],
								&ret[slots[k].index]) == GC_OK;
	free(slots);
	free(queues);
	return GC_OK;
}

int router_contacts_load(struct router *top, int64_t tenant_id, const int64_t *contacts, size_t n,
			 struct router_load *ret, bool *ret_ok)
{
	struct shard *t = NULL;
	int rc = shard_for(top, NULL, tenant_id, &t);
	return rc < 0 ? rc : shard_contacts_load(t, tenant_id, contacts, n, ret, ret_ok);
}

int router_queue_load(struct router *top, int64_t tenant_id, int64_t queue_id, struct router_load *ret)
{
	struct shard *t = NULL;
	int rc = shard_for(top, NULL, tenant_id, &t);
	return rc < 0 ? rc : shard_queue_load(t, tenant_id, queue_id, ret);
}

/* A contact an agent holds (offered or assigned), as its live state lists it. */
static json_t *held_json(const struct shard *rt, uint32_t eid, const struct route_contact_view *v)
{
	const struct cinfo *ci = &rt->c[eid];
	const struct qinfo *q = &rt->q[v->queue];
	bool offered = v->state == ROUTE_OFFERED;
	json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:s}", "contact_id", (json_int_t)ci->contact_id, "state",
			      offered ? "offered" : "assigned", "queue_id", (json_int_t)q->id, "queue", q->name, "channel",
			      contact_channel_name(q->cfg.channel));
	int64_t since = offered ? ci->offered_at : ci->accepted_at;
	char when[GC_TIME_LEN];
	if (o && since) {
		gc_time_format(since, when);
		json_object_set_new(o, "since", json_string(when));
		if (offered && q->cfg.offer_timeout_s > 0) {
			gc_time_format(since + q->cfg.offer_timeout_s * 1000LL, when);
			json_object_set_new(o, "offer_expires_at", json_string(when));
		}
	}
	return o;
}

/* The contacts each agent of the shard holds (only that one agent's unless
 * only is ROUTE_NONE), in one pass over its contacts: held[agent] is an
 * array, NULL for the others (the caller frees held and them). */
static int held_by_agents(struct shard *rt, uint32_t only, json_t ***ret)
{
	json_t **held = calloc(rt->n_a ? rt->n_a : 1, sizeof(*held));
	if (held == NULL)
		return GC_ENOMEM;
	for (uint32_t a = 0; a < rt->n_a; a++)
		if ((only == ROUTE_NONE || a == only) && (held[a] = json_array()) == NULL)
			goto nomem;
	for (struct idmap *m = rt->contacts; m; m = m->hh.next) {
		struct route_contact_view v;
		if (route_contact_view(rt->e, m->eid, &v) < 0 || (v.state != ROUTE_OFFERED && v.state != ROUTE_ASSIGNED))
			continue;
		uint32_t agents[64];
		int n = 1;
		agents[0] = v.agent;
		if (v.agent == ROUTE_NONE) /* a ring-all offer rings several */
			n = route_contact_ringing(rt->e, m->eid, agents, 64);
		for (int i = 0; i < n && i < 64; i++)
			if (agents[i] < rt->n_a && held[agents[i]] &&
			    json_array_append_new(held[agents[i]], held_json(rt, m->eid, &v)) < 0)
				goto nomem;
	}
	*ret = held;
	return GC_OK;
nomem:
	for (uint32_t a = 0; a < rt->n_a; a++)
		json_decref(held[a]);
	free(held);
	return GC_ENOMEM;
}

/* One agent's live state: presence, state and since when, what it holds
 * (contacts: taken), and the day's figures. */
static json_t *agent_live_json(const struct shard *rt, uint32_t agent, json_t *contacts)
{
	struct route_agent_view v;
	route_agent_view(rt->e, agent, &v);
	json_t *active = json_object();
	for (int ch = 0; ch < CHANNEL_N; ch++)
		if (v.active[ch])
			json_object_set_new(active, contact_channel_name((enum contact_channel)ch), json_integer(v.active[ch]));
	const struct ainfo *ai = &rt->a[agent];
	char since[GC_TIME_LEN];
	if (ai->state_since)
		gc_time_format(ai->state_since, since);
	return json_pack("{s:s,s:s?,s:s,s:s?,s:o,s:o,s:i,s:i,s:I,s:I}", "presence", presence_name(ai->presence), "reason",
			 ai->reason[0] ? ai->reason : NULL, "state", state_names[agent_state(&v)], "state_since",
			 ai->state_since ? since : NULL, "holding", active,
			 "contacts", contacts, "missed_in_row", v.missed_in_row, "offered", v.offered, "handled_today",
			 (json_int_t)v.handled, "talk_s_today", (json_int_t)(v.talk_ms / 1000));
}

static int shard_agent_state(struct shard *rt, int64_t user_id, json_t **ret)
{
	uint32_t agent = ROUTE_NONE;
	int rc = find_agent(rt, rt->tenant_id, user_id, &agent);
	json_t **held = NULL;
	if (rc < 0 || (rc = held_by_agents(rt, agent, &held)) < 0)
		return rc;
	*ret = agent_live_json(rt, agent, held[agent]);
	free(held);
	return *ret ? GC_OK : GC_ENOMEM;
}

static int shard_agents_live(struct shard *rt, json_t *agents, uint64_t *ret_seq)
{
	*ret_seq = rt->digest_seq;
	json_t **held = NULL;
	int rc = held_by_agents(rt, ROUTE_NONE, &held);
	if (rc < 0)
		return rc;
	size_t i;
	json_t *row;
	json_array_foreach(agents, i, row) {
		struct idmap *m = map_find(rt->agents, rt->tenant_id, json_integer_value(json_object_get(row, "user_id")));
		if (m)
			json_object_set_new(row, "live", agent_live_json(rt, m->eid, json_incref(held[m->eid])));
	}
	for (uint32_t a = 0; a < rt->n_a; a++)
		json_decref(held[a]);
	free(held);
	return GC_OK;
}

/* Agents by state for every queue, in one pass over the agents (of
 * organisation org alone, unless ORG_ALL; 0 is the brand's own): each
 * agent counts in the queues of its skills that its level and channels
 * serve. counts[queue][state]. */
static int count_agents(struct shard *rt, int64_t org, int (**ret)[S_N])
{
	int (*counts)[S_N] = calloc(rt->n_q ? rt->n_q : 1, sizeof(*counts));
	uint32_t *head = malloc(sizeof(uint32_t) * (rt->n_skills ? rt->n_skills : 1));
	uint32_t *next = malloc(sizeof(uint32_t) * (rt->n_q ? rt->n_q : 1));
	if (counts == NULL || head == NULL || next == NULL) {
		free(counts);
		free(head);
		free(next);
		return GC_ENOMEM;
	}
	for (uint32_t k = 0; k < rt->n_skills; k++)
		head[k] = ROUTE_NONE;
	for (uint32_t i = 0; i < rt->n_q; i++) { /* the live queues of each skill */
		struct idmap *m = rt->q[i].live ? map_find(rt->skills, rt->q[i].cfg.skill_id, 0) : NULL;
		if (m) {
			next[i] = head[m->eid];
			head[m->eid] = i;
		}
	}
	for (uint32_t a = 0; a < rt->n_a; a++) {
		if (rt->a[a].off_duty)
			continue; /* disabled since the start: not one of the queue's offline agents */
		if (org != ORG_ALL && rt->a[a].org != org)
			continue;
		struct route_agent_view v;
		route_agent_view(rt->e, a, &v);
		enum agent_state st = agent_state(&v);
		const struct route_agent_config *cfg = route_agent_config(rt->e, a);
		for (int k = 0; k < cfg->n_skills; k++)
			for (uint32_t i = head[cfg->skills[k].skill]; i != ROUTE_NONE; i = next[i])
				if (rt->q[i].tenant_id == rt->a[a].tenant_id && cfg->level >= rt->q[i].cfg.level &&
				    cfg->capacity[rt->q[i].cfg.channel] > 0)
					counts[i][st]++;
	}
	free(head);
	free(next);
	*ret = counts;
	return GC_OK;
}

/* The queues' figures; with counted_only, only the queues in which counts
 * counts an agent (an outsourcer's cut: the queues its agents serve). */
static json_t *tenant_stats(struct shard *rt, int64_t tenant_id, int (*counts)[S_N], int64_t now, bool counted_only)
{
	json_t *list = json_array();
	for (uint32_t i = 0; i < rt->n_q; i++) {
		const struct qinfo *q = &rt->q[i];
		if (q->tenant_id != tenant_id || !q->live)
			continue;
		int counted = 0;
		for (int st = 0; counts && st < S_N; st++)
			counted += counts[i][st];
		if (counted_only && counted == 0)
			continue;
		struct route_queue_view v;
		route_queue_view(rt->e, i, &v);
		json_t *agents = json_object();
		for (int st = 0; st < S_N; st++)
			json_object_set_new(agents, state_names[st], json_integer(counts ? counts[i][st] : 0));
		uint32_t offered = q->answered + q->abandoned;
		/* waiting: those waiting for one agent alone too (waiting_for_agent), whom
		 * longest_wait_s does not read */
		json_array_append_new(list, json_pack("{s:I,s:s,s:i,s:i,s:I,s:o,s:f,s:i,s:i,s:i,s:o}", "queue_id",
			(json_int_t)q->id, "name", q->name, "waiting", v.waiting + v.named, "waiting_for_agent", v.named,
			"longest_wait_s", (json_int_t)(v.waiting ? (now - v.oldest_arrival) / 1000 : 0),
			"service_level", offered ? json_real((double)q->within / offered) : json_null(),
			"sl_target", q->cfg.sl_target, "sl_seconds", q->cfg.sl_seconds, "answered", q->answered,
			"abandoned", q->abandoned, "agents", agents));
	}
	char when[GC_TIME_LEN];
	gc_time_format(now, when);
	return json_pack("{s:s,s:s,s:s,s:o}", "at", when, "day", rt->day_date, "zone", rt->zone[0] ? rt->zone : "UTC",
			 "queues", list);
}

/* The queues' figures as org's outsourcer sees them (ORG_ALL: the brand's
 * people): the queues its agents serve, its agents alone in their counts. */
static json_t *shard_queue_stats(struct shard *rt, int64_t org)
{
	int64_t now = now_ms(rt);
	roll_day(rt, now);
	int (*counts)[S_N] = NULL;
	count_agents(rt, org, &counts);
	json_t *stats = tenant_stats(rt, rt->tenant_id, counts, now, org != ORG_ALL);
	free(counts);
	return stats;
}

/* Appends to *frame (of *len bytes, grown) the cut of the queues' figures
 * for org, after the cut mark and org's number (hub.h, HUB_CUT). */
static int append_cut(struct shard *rt, int64_t org, char **frame, size_t *len)
{
	json_t *stats = shard_queue_stats(rt, org);
	char *text = stats ? json_dumps(stats, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(stats);
	if (text == NULL)
		return GC_ENOMEM;
	size_t more = strlen(text) + 64;
	char *grown = realloc(*frame, *len + more);
	if (grown == NULL) {
		free(text);
		return GC_ENOMEM;
	}
	*frame = grown;
	*len += (size_t)snprintf(grown + *len, more, HUB_CUT "%lld\nevent: queue_stats\ndata: %s\n\n",
				 (long long)(org == ORG_NONE ? 0 : org), text);
	free(text);
	return GC_OK;
}

/* One tenant's statistics to its supervisors' streams, when it has a live queue. */
/* The agents that changed since the last digest, each with its live
 * state: {"seq", "agents": [{"user_id", "live"}]}. Numbered one after
 * another, so that a page that missed one (a slow reader gets the latest
 * frame only) loads the agents again. NULL when it cannot be built (the
 * next second tries again). */
static json_t *agents_digest(struct shard *rt)
{
	json_t **held = NULL, *list = json_array();
	if (list == NULL || held_by_agents(rt, ROUTE_NONE, &held) < 0) {
		json_decref(list);
		return NULL;
	}
	for (uint32_t a = 0; a < rt->n_a; a++) {
		if (rt->a[a].in_digest)
			json_array_append_new(list, json_pack("{s:I,s:o}", "user_id", (json_int_t)rt->a[a].user_id, "live",
							      agent_live_json(rt, a, json_incref(held[a]))));
		rt->a[a].in_digest = false;
		json_decref(held[a]);
	}
	free(held);
	rt->digest_due = false;
	return json_pack("{s:I,s:o}", "seq", (json_int_t)++rt->digest_seq, "agents", list);
}

static void publish_shard_stats(struct shard *rt)
{
	bool live = false;
	for (uint32_t i = 0; i < rt->n_q && !live; i++)
		live = rt->q[i].live;
	if (!live || rt->e == NULL)
		return;
	char *text = NULL, *digest = NULL;
	json_t *stats = shard_queue_stats(rt, ORG_ALL);
	if (stats)
		text = json_dumps(stats, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(stats);
	json_t *agents = rt->digest_due ? agents_digest(rt) : NULL;
	if (agents)
		digest = json_dumps(agents, JSON_COMPACT);
	json_decref(agents);
	if (text == NULL) {
		free(digest);
		return;
	}
	size_t len = strlen(text) + (digest ? strlen(digest) : 0) + 96;
	char *frame = malloc(len);
	if (frame)
		len = (size_t)snprintf(frame, len, "event: queue_stats\ndata: %s\n\n%s%s%s", text,
				       digest ? "event: agent_states\ndata: " : "", digest ? digest : "", digest ? "\n\n" : "");
	free(text);
	free(digest);
	/* then each outsourcer's cut (the organisations of its agents, each
	 * once: a few per brand), and the cut of one with no agent here */
	int64_t *orgs = NULL;
	uint32_t n_orgs = 0, cap = 0;
	for (uint32_t a = 0; frame && a < rt->n_a; a++) {
		uint32_t k = 0;
		while (k < n_orgs && orgs[k] != rt->a[a].org)
			k++;
		if (rt->a[a].org == 0 || k < n_orgs)
			continue;
		if (gc_grow((void **)&orgs, &cap, sizeof(*orgs), n_orgs + 1) < 0 ||
		    append_cut(rt, rt->a[a].org, &frame, &len) < 0) {
			free(frame);
			frame = NULL;
		} else {
			orgs[n_orgs++] = rt->a[a].org;
		}
	}
	free(orgs);
	if (frame && append_cut(rt, ORG_NONE, &frame, &len) < 0) {
		free(frame);
		frame = NULL;
	}
	if (frame)
		hub_publish_stats(rt->top->hub, rt->tenant_id, frame);
}

void router_publish_stats(struct router *top)
{
	for (struct shard *rt = top->shards; rt; rt = rt->hh.next)
		if (rt->e) /* a tenant this node routes */
			publish_shard_stats(rt);
}

/* --- the rebuild from the store --- */

struct loading {
	struct router *top;
	int64_t tenant_id;          /* 0: every tenant */
};

static void count_day(const struct store_event *ev, void *arg)
{
	const struct loading *ld = arg;
	struct shard *rt = NULL;
	if (ld->tenant_id && ev->tenant_id != ld->tenant_id)
		return;
	HASH_FIND(hh, ld->top->shards, &ev->tenant_id, sizeof(ev->tenant_id), rt);
	if (rt == NULL || rt->e == NULL || ev->at < rt->day_start) /* before this tenant's own midnight */
		return;
	struct idmap *m = map_find(rt->queues, ev->queue_id, 0);
	struct qinfo *q = m ? &rt->q[m->eid] : NULL; /* NULL: a queue deleted since */
	if (strcmp(ev->type, "abandoned") == 0 && q) {
		q->abandoned++;
	} else if (strcmp(ev->type, "wrapup_started") == 0) {
		json_t *data = json_loads(ev->data, 0, NULL);
		json_t *handle = json_object_get(data, "handle_ms");
		struct idmap *agent = map_find(rt->agents, ev->tenant_id, ev->agent_id);
		if (json_is_integer(handle) && q)
			measure_handle(rt, m->eid, json_integer_value(handle), true);
		if (agent) /* the agent's day, whatever the queue: handled and talk time */
			route_agent_count_handled(rt->e, agent->eid, json_integer_value(handle));
		json_decref(data);
	} else if (strcmp(ev->type, "accepted") == 0 && q) {
		json_t *data = json_loads(ev->data, 0, NULL);
		int64_t waited = json_integer_value(json_object_get(data, "waited_ms"));
		json_t *goal = json_object_get(data, "sl_s"); /* the goal then; older events: the queue's now */
		int64_t sl_ms = (goal ? json_integer_value(goal) : q->cfg.sl_seconds) * 1000LL;
		json_decref(data);
		q->answered++;
		q->within += waited <= sl_ms;
	}
}

/* Today's counters of the queues and agents loaded (each tenant from its
 * own local midnight), before any contact is restored: the first offers
 * after a restart already weigh what each agent handled today. */
static int count_today(struct router *top, struct store *db, int64_t tenant_id)
{
	struct loading ld = {top, tenant_id};
	int64_t since = INT64_MAX; /* the earliest of the tenants' local midnights */
	int rc = GC_OK;
	for (struct shard *rt = top->shards; rc == GC_OK && rt; rt = rt->hh.next)
		if ((tenant_id == 0 || rt->tenant_id == tenant_id) && (rc = load_zone(rt, db)) == GC_OK)
			since = rt->day_start < since ? rt->day_start : since;
	if (rc == GC_OK && since != INT64_MAX)
		rc = store_routing_events_since(db, since, count_day, &ld);
	return rc;
}

/* The tenant's zone (its calendar's), its day and its queues' offsets, as
 * a load finds them: the counters count from this local midnight. */
static int load_zone(struct shard *rt, struct store *db)
{
	char zone[GC_TZ_NAME_MAX];
	int rc = store_tenant_zone(db, rt->tenant_id, zone);
	if (rc < 0)
		return rc;
	snprintf(rt->zone, sizeof(rt->zone), "%s", zone);
	rt->zone_known = true;
	int64_t now = now_ms(rt);
	start_day(rt, now);
	rt->offset_until = 0;
	follow_offset(rt, now);
	return GC_OK;
}

static int load_queues(struct router *top, struct store *db, int64_t tenant_id)
{
	json_t *list = NULL;
	struct shard *rt = NULL;
	int rc = store_queue_all(db, tenant_id, &list);
	for (int pass = 0; rc == GC_OK && pass < 2; pass++) { /* overflow targets once every queue exists */
		size_t i;
		json_t *q;
		json_array_foreach(list, i, q) {
			struct queue_input in;
			struct decode_error err = {0};
			int64_t tenant = json_integer_value(json_object_get(q, "tenant_id"));
			int64_t id = json_integer_value(json_object_get(q, "id"));
			json_t *cfg = json_deep_copy(q);
			json_object_del(cfg, "id");
			json_object_del(cfg, "tenant_id");
			json_object_del(cfg, "created_at");
			json_object_del(cfg, "updated_at");
			if (shard_of(top, tenant, &rt) < 0)
				rc = GC_ENOMEM;
			else if (queue_input_decode(cfg, &in, &err) < 0)
				log_error("a stored queue does not decode", "field", err.field, "error", err.message);
			else if (queue_apply(rt, tenant, id, in.name, &in, pass == 1) < 0)
				log_error(pass == 0 ? "a stored queue cannot be loaded"
						    : "a stored queue's overflow is not applied (it routes without)",
					  "error", rt->top->errmsg);
			json_decref(cfg);
		}
	}
	json_decref(list);
	return rc;
}

/* Agents with their profiles; those not offline start paused, so that the
 * contacts they hold can be given back to them before they take more. */
static int load_agents(struct router *top, struct store *db, int64_t tenant_id, json_t **ret_list)
{
	struct shard *rt = NULL;
	int rc = store_agent_all(db, tenant_id, ret_list);
	size_t i;
	json_t *a;
	json_array_foreach(rc == GC_OK ? *ret_list : NULL, i, a) {
		struct agent_profile_input in;
		struct decode_error err = {0};
		json_t *profile = json_pack("{s:O,s:O,s:O,s:O,s:O}", "level", json_object_get(a, "level"), "skills",
			json_object_get(a, "skills"), "capacity", json_object_get(a, "capacity"), "max_total",
			json_object_get(a, "max_total"), "max_missed", json_object_get(a, "max_missed"));
		int64_t tenant = json_integer_value(json_object_get(a, "tenant_id"));
		int64_t user = json_integer_value(json_object_get(a, "user_id"));
		uint32_t eid = ROUTE_NONE;
		enum presence p = PRESENCE_OFFLINE;
		presence_parse(json_string_value(json_object_get(a, "presence")), &p);
		if (shard_of(top, tenant, &rt) < 0)
			rc = GC_ENOMEM;
		else if (profile == NULL || agent_profile_decode(profile, &in, &err) < 0 ||
		    agent_apply(rt, tenant, user, &in, &eid) < 0)
			log_error("a stored agent cannot be loaded", "error", top->errmsg);
		else {
			const char *since = json_string_value(json_object_get(a, "presence_at"));
			if (since == NULL || gc_time_parse(since, &rt->a[eid].state_since) < 0)
				rt->a[eid].state_since = 0; /* known from its next change */
			if (p != PRESENCE_OFFLINE) {
				route_agent_presence(rt->e, now_ms(rt), eid, ROUTE_PAUSED);
				rt->a[eid].presence = p;
				snprintf(rt->a[eid].reason, sizeof(rt->a[eid].reason), "%s",
					 json_string_value(json_object_get(a, "reason")) ? json_string_value(json_object_get(a, "reason")) : "");
			}
		}
		json_decref(profile);
	}
	return rc == GC_OK ? learn_organisations(top, db, tenant_id, 0) : rc;
}

static int restore_contact(struct router *top, struct store *db, json_t *row, bool assigned_pass)
{
	struct shard *rt = NULL;
	const char *state = json_string_value(json_object_get(row, "state"));
	bool assigned = strcmp(state, "assigned") == 0;
	if (assigned != assigned_pass)
		return GC_OK;
	int64_t tenant = json_integer_value(json_object_get(row, "tenant_id"));
	int64_t contact = json_integer_value(json_object_get(row, "contact_id"));
	int64_t user = json_integer_value(json_object_get(row, "agent_id"));
	if (shard_of(top, tenant, &rt) < 0)
		return GC_ENOMEM;
	uint32_t q = ROUTE_NONE, agent = ROUTE_NONE, eid = ROUTE_NONE;
	if (find_queue(rt, tenant, json_integer_value(json_object_get(row, "queue_id")), &q) < 0)
		return GC_OK; /* logged by the caller's count */
	if (strcmp(state, "offered") == 0 && user) {
		/* the offer died with the engine that made it: the agent's desk is told,
		 * before the contact is offered again (to them or to another) */
		int rc = emit(rt, db, tenant, "offer_withdrawn", contact, user, rt->q[q].id,
			      json_pack("{s:s}", "reason", "the routing was restarted"));
		if (rc < 0)
			return rc;
	}
	bool named = json_is_true(json_object_get(row, "named"));
	if ((assigned || named) && find_agent(rt, tenant, user, &agent) < 0)
		named = assigned = false; /* its agent is gone: it waits for anyone */
	if (assigned && rt->a[agent].presence == PRESENCE_OFFLINE) { /* holding work, so not offline: paused */
		int64_t now = now_ms(rt);
		route_agent_presence(rt->e, now, agent, ROUTE_PAUSED);
		rt->a[agent].presence = PRESENCE_PAUSED;
		snprintf(rt->a[agent].reason, sizeof(rt->a[agent].reason), "holding contacts");
		int rc = store_agent_set_presence(db, tenant, user, "paused", "holding contacts", now);
		if (rc < 0)
			return rc;
	}
	struct route_restore r = {.queue = q, .agent = assigned || named ? agent : ROUTE_NONE,
		.priority = (int)json_integer_value(json_object_get(row, "priority")), .assigned = assigned, .named = named,
		.arrived = json_integer_value(json_object_get(row, "arrived_at")),
		.enqueued = json_integer_value(json_object_get(row, "enqueued_at"))};
	if (r.arrived > r.enqueued)
		r.arrived = r.enqueued;
	int rc = route_contact_restore(rt->e, now_ms(rt), &r, &eid);
	if (rc == GC_OK && (rc = new_contact_slot(rt, tenant, contact, eid)) == GC_OK) {
		rt->c[eid].accepted_at = now_ms(rt);
		touch(rt, eid);
	}
	return rc;
}

/* Loads the routing of one tenant (every tenant for 0) from the store, in
 * a transaction of its own, into shards that are empty (new or reset). */
static int load(struct router *top, struct store *db, int64_t tenant_id)
{
	json_t *agents = NULL, *rows = NULL;
	struct shard *one = NULL;
	int rc = tenant_id ? shard_of(top, tenant_id, &one) : GC_OK; /* even with nothing to load */
	if (rc < 0 || (rc = store_begin(db)) < 0)
		return rc;
	if (one && top->node[0] && (rc = store_lease_fence(db, tenant_id, top->node, one->epoch, gc_now_ms())) < 0) {
		store_rollback(db); /* the lease moved on before the engine was loaded */
		return rc;
	}
	if ((rc = load_queues(top, db, tenant_id)) == GC_OK && (rc = load_agents(top, db, tenant_id, &agents)) == GC_OK &&
	    (rc = count_today(top, db, tenant_id)) == GC_OK && (rc = store_routing_all(db, tenant_id, &rows)) == GC_OK) {
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row) /* held contacts back to their agents */
			if (rc == GC_OK)
				rc = restore_contact(top, db, row, true);
		for (struct shard *rt = top->shards; rc == GC_OK && rt; rt = rt->hh.next) /* then agents take work again */
			for (uint32_t a = 0; rc == GC_OK && (tenant_id == 0 || rt->tenant_id == tenant_id) && a < rt->n_a; a++)
				if (rt->a[a].presence == PRESENCE_AVAILABLE)
					rc = route_agent_presence(rt->e, now_ms(rt), a, ROUTE_AVAILABLE);
		json_array_foreach(rows, i, row) /* then the waiting, in their order */
			if (rc == GC_OK)
				rc = restore_contact(top, db, row, false);
	}
	for (struct shard *rt = top->shards; rc == GC_OK && rt; rt = rt->hh.next)
		if (tenant_id == 0 || rt->tenant_id == tenant_id)
			rc = drain(rt, db); /* offers made again, overflows due while stopped */
	for (struct shard *rt = top->shards; rc == GC_OK && rt; rt = rt->hh.next) /* each agent's state, since its presence */
		for (uint32_t a = 0; (tenant_id == 0 || rt->tenant_id == tenant_id) && a < rt->n_a; a++) {
			struct route_agent_view v;
			route_agent_view(rt->e, a, &v);
			rt->a[a].state = agent_state(&v);
			if (rt->a[a].state_since == 0 || (rt->a[a].state != S_AVAILABLE && rt->a[a].state != S_PAUSED &&
							  rt->a[a].state != S_OFFLINE))
				rt->a[a].state_since = now_ms(rt); /* holding work: since the start */
		}
	router_job_end(top, rc == GC_OK);
	for (struct shard *rt = top->shards; rt; rt = rt->hh.next)
		if (tenant_id == 0 || rt->tenant_id == tenant_id)
			rt->batch_changed_engine = false; /* loaded: what the store says */
	if (rc == GC_OK)
		rc = store_commit(db);
	else
		store_rollback(db);
	if (rc == GC_OK)
		observe(top);
	hub_publish(top->hub, top->batch.items, rc == GC_OK ? top->batch.n : 0);
	if (rc < 0)
		events_clear(&top->batch);
	top->batch.n = 0;
	char counts[64];
	snprintf(counts, sizeof(counts), "%zu", json_array_size(rows));
	log_info("routing engine loaded", "contacts", counts);
	json_decref(agents);
	json_decref(rows);
	return rc;
}

int router_new(struct store *db, struct hub *hub, const char *node, struct router **ret)
{
	struct router *top = calloc(1, sizeof(*top));
	if (top == NULL)
		return GC_ENOMEM;
	top->hub = hub;
	pthread_mutex_init(&top->observers_lock, NULL);
	snprintf(top->node, sizeof(top->node), "%s", node ? node : "");
	int rc = node ? GC_OK : load(top, db, 0); /* in a cluster, tenants come with their leases */
	if (rc < 0) {
		router_free(top);
		return rc;
	}
	*ret = top;
	return GC_OK;
}

int router_follow_leases(struct router *top, struct store *db, const struct store_lease *leases, size_t n,
			 int64_t now)
{
	for (struct shard *rt = top->shards; rt; rt = rt->hh.next) { /* what this node no longer holds */
		if (rt->epoch == 0)
			continue;
		size_t i = 0;
		while (i < n && leases[i].tenant_id != rt->tenant_id)
			i++;
		if (i == n || strcmp(leases[i].node, top->node) != 0 || leases[i].epoch != rt->epoch ||
		    leases[i].expires_at < now)
			drop(rt);
	}
	int rc = GC_OK;
	for (size_t i = 0; i < n; i++) { /* what it took */
		struct shard *rt = NULL;
		HASH_FIND(hh, top->shards, &leases[i].tenant_id, sizeof(leases[i].tenant_id), rt);
		if (strcmp(leases[i].node, top->node) != 0 || leases[i].expires_at < now ||
		    (rt && rt->epoch == leases[i].epoch))
			continue;
		if (rt)
			drop(rt);
		int err = shard_of(top, leases[i].tenant_id, &rt);
		if (err == GC_OK) {
			char tenant[24], epoch[24];
			snprintf(tenant, sizeof(tenant), "%lld", (long long)leases[i].tenant_id);
			snprintf(epoch, sizeof(epoch), "%lld", (long long)leases[i].epoch);
			log_info("this node routes the tenant now: loading it from the store", "tenant", tenant, "epoch",
				 epoch);
			rt->epoch = leases[i].epoch;
			atomic_fetch_add_explicit(&top->n_rebuilds, 1, memory_order_relaxed);
			err = load(top, db, leases[i].tenant_id);
		}
		if (err < 0 && rt)
			drop(rt); /* taken again at the next round, if the lease is still this node's */
		if (err < 0 && rc == GC_OK)
			rc = err;
	}
	return rc;
}

void router_free(struct router *top)
{
	if (top == NULL)
		return;
	struct shard *rt, *tmp;
	HASH_ITER(hh, top->shards, rt, tmp) {
		HASH_DEL(top->shards, rt);
		shard_free(rt);
	}
	events_clear(&top->job);
	events_clear(&top->batch);
	free(top->job.items);
	free(top->batch.items);
	pthread_mutex_destroy(&top->observers_lock);
	free(top);
}

int router_add_observer(struct router *top, router_observer_fn fn, void *arg)
{
	pthread_mutex_lock(&top->observers_lock);
	int rc = GC_ETOOBIG;
	if (top->n_observers < ROUTER_MAX_OBSERVERS) {
		top->observers[top->n_observers++] = (struct observer){.fn = fn, .arg = arg};
		rc = GC_OK;
	}
	pthread_mutex_unlock(&top->observers_lock);
	return rc;
}

void router_remove_observer(struct router *top, router_observer_fn fn, void *arg)
{
	pthread_mutex_lock(&top->observers_lock);
	for (size_t i = 0; i < top->n_observers; i++)
		if (top->observers[i].fn == fn && top->observers[i].arg == arg) {
			top->observers[i] = top->observers[--top->n_observers];
			break;
		}
	pthread_mutex_unlock(&top->observers_lock);
}
