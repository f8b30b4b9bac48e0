/* The router: the routing engine (src/route) wired to the store and to the
 * live streams. It lives on the writer thread and is only called there.
 *
 * Each call changes the engine, then writes what it decided, in the
 * request's transaction: the contact's routing row (waiting, offered,
 * assigned; gone once done), the contact's state, and one routing event per
 * change. Events are held per request and published to the hub only after
 * the commit.
 *
 * Each tenant has an engine of its own (a shard): tenants share no queue
 * and no agent. A request is checked against its tenant's engine and the
 * store before it changes anything, so a rejected request leaves the engine
 * as it was. A request that rolls back after changing its engine (an
 * engine's refusal once due timers ran), or a commit that fails, leaves
 * that tenant's engine ahead of the store: that tenant alone is then rebuilt
 * from the store, after the batch; the other tenants keep their offers and
 * timers. The start loads every tenant the same way (waiting contacts keep
 * their order and waited time, agents their presence).
 *
 * Several nodes on one database (cluster.h): each tenant is routed by the
 * node holding its lease; a call for a tenant this node does not route
 * fails with GC_EMOVED, and every transaction that routes a tenant fences
 * its lease (store_lease_fence). */
#ifndef GUICHET_DAEMON_ROUTER_H
#define GUICHET_DAEMON_ROUTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "guichet/decode.h"
#include "store/store.h"

struct router;
struct hub;

/* node: this node's name in a cluster, where it routes only the tenants
 * whose lease it holds (router_follow_leases); NULL alone: every tenant,
 * loaded now. */
int router_new(struct store *db, struct hub *hub, const char *node, struct router **ret);
void router_free(struct router *rt);
/* Why the last call failed, for the answer. */
const char *router_errmsg(const struct router *rt);
/* Its template and values, for a client to translate (NULL: none). */
const struct gc_message *router_said(const struct router *rt);

/* The writer's side: a batch of requests, each kept or rolled back, then
 * committed or not. */
void router_job_end(struct router *rt, bool kept);
void router_batch_end(struct router *rt, struct store *db, bool committed);
/* Folds the routing events of the tenants the batch touched into the
 * reports' rows (store_report_fold), before the batch commits, each in a
 * savepoint of its own: a fold that fails is logged and left to the next
 * batch of the tenant, never a reason to lose the batch. */
void router_fold_reports(struct router *rt, struct store *db);
/* When the next timer falls due (ms since the epoch; INT64_MAX for none). */
int64_t router_next_due(const struct router *rt);
/* Runs the timers due now (in the caller's transaction). */
int router_tick(struct router *rt, struct store *db);
/* Publishes each tenant's queue statistics (once a second). */
void router_publish_stats(struct router *rt);
/* Tenants rebuilt from the store since the start (for /metrics and tests;
 * any thread). */
uint64_t router_rebuilds(const struct router *rt);

/* A cluster's leases, as the store has them at now (outside a
 * transaction): drops the tenants whose lease this node no longer holds
 * under the same epoch, or let go of (expired), and loads from the store
 * those it now holds. */
int router_follow_leases(struct router *rt, struct store *db, const struct store_lease *leases, size_t n,
			 int64_t now);

/* Configuration, after the store accepted it. */
int router_queue_set(struct router *rt, struct store *db, const struct store_scope *scope, int64_t queue_id,
		     const char *name, const struct queue_input *in);
/* GC_ECONFLICT while contacts wait in it. */
int router_queue_delete(struct router *rt, const struct store_scope *scope, int64_t queue_id);
int router_agent_set(struct router *rt, struct store *db, const struct store_scope *scope, int64_t user_id,
		     const struct agent_profile_input *in);

/* Work. The agent is the scope's user unless named. */
int router_enqueue(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		   int64_t queue_id, int priority);
/* The same, the contact taking the place in the queue it would have had
 * had it waited there since since (ms, in the past; 0: now): a callback
 * coming back for another attempt keeps its place ahead of later ones
 * (route_contact_restore's ordering by enqueued time). No sticky agent. */
int router_enqueue_at(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		      int64_t queue_id, int priority, int64_t since);
int router_presence(struct router *rt, struct store *db, const struct store_scope *scope, int64_t user_id,
		    const struct presence_input *in);
/* user_id offline for good (disabled, or a role that takes no contacts): its
 * pending offers back in their queues; GC_ESTATE while it holds contacts. */
int router_off_duty(struct router *rt, struct store *db, const struct store_scope *scope, int64_t user_id);
/* user_id signed out of the tenant (its last session there ended): its
 * pending offers back in their queues, then offline, or paused ("signed
 * out") while it holds contacts; GC_ENOTFOUND without a routing profile. */
int router_signed_out(struct router *rt, struct store *db, const struct store_scope *scope, int64_t user_id);

/* The agent's desk (desks.h) closed and stayed closed past the grace:
 * signed out as at a logout (router_signed_out), the pause's reason
 * "connection lost", in the caller's transaction; *ret_signed_out false
 * when there was nothing to do (offline already, no routing profile,
 * another node routes the tenant). */
int router_desk_gone(struct router *rt, struct store *db, int64_t tenant_id, int64_t user_id, bool *ret_signed_out);
int router_accept(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id);
int router_reject(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id);
int router_wrapup(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		  const struct routing_input *in);
/* Whether router_escalate would take the contact to queue_id, changing
 * nothing: GC_OK, or the refusal (router_errmsg says why). */
int router_may_escalate(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
			int64_t queue_id);
int router_escalate(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		    const struct routing_input *in);
int router_transfer(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		    const struct routing_input *in);
int router_move(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		const struct routing_input *in);
int router_abandon(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id);
/* A waiting contact (not one offered) leaves its queue for a reason that is not an
 * abandonment (a caller's virtual hold: a callback takes its place): the
 * contact resolved with disposition, the routing event "left_queue"
 * {"waited_ms","disposition"}, no abandonment counted. GC_ESTATE otherwise. */
int router_leave(struct router *rt, struct store *db, const struct store_scope *scope, int64_t contact_id,
		 const char *disposition);

/* Views: a contact's place ({"state","queue_id","agent_id","position",
 * "expected_wait_s","waited_s"}; the wait as router_load_wait_ms estimates
 * it, ROUTE_WAIT_DEFAULT_HANDLE_MS standing for an unmeasured handle time),
 * an agent's live state, the tenant's queues. */
int router_contact_view(struct router *rt, const struct store_scope *scope, int64_t contact_id, json_t **ret);
int router_agent_state(struct router *rt, int64_t tenant_id, int64_t user_id, json_t **ret);
/* Sets "live" (router_agent_state's) on each row of agents (rows with a
 * user_id) that the tenant's routing knows, in one pass; ret_seq: the
 * number of the last agents' digest published (the "agent_states" event
 * sent each second with queue_stats, of the agents that changed since the
 * one before): a page applies the digests numbered after it. */
int router_agents_live(struct router *rt, int64_t tenant_id, json_t *agents, uint64_t *ret_seq);
/* What a wait is estimated from (guichet/wait.h; router_load_wait_ms):
 * the contacts ahead of this one in its queue (0 once it is offered), the
 * agents not offline who serve the queue, their capacity on its channel
 * (slots) and how much of it is free now (agents available, not in
 * wrap-up), the queue's measured handle time (the mean of its last
 * wrap-ups; its tenant's on that channel when the queue measured too few;
 * 0 when neither did) and its wrap-up. GC_ESTATE when the contact waits in
 * no queue. */
struct router_load {
	uint32_t ahead, agents, slots, free;
	int64_t handle_ms, wrapup_ms;
};
/* The expected wait (ms) before an agent takes a contact of that load,
 * default_handle_ms standing for a handle time nothing measured yet; -1
 * when no agent serves the queue. */
int64_t router_load_wait_ms(const struct router_load *load, int64_t default_handle_ms);
int router_contact_load(struct router *rt, const struct store_scope *scope, int64_t contact_id,
			struct router_load *ret);
/* The loads of several contacts of one tenant at once (the web chat tells
 * every waiting chat its place every few seconds): each queue is walked and
 * its agents counted once, where router_contact_load does both for each
 * contact. ret_ok[i] false: contacts[i] is neither waiting nor offered in
 * this tenant (an offered one is next: 0 ahead). */
int router_contacts_load(struct router *rt, int64_t tenant_id, const int64_t *contacts, size_t n,
			 struct router_load *ret, bool *ret_ok);
/* The same for a contact not yet in queue_id: ahead is every contact
 * waiting there (the web chat's wait and "open"). GC_ENOTFOUND for a queue
 * the tenant's routing does not know. */
int router_queue_load(struct router *rt, int64_t tenant_id, int64_t queue_id, struct router_load *ret);
/* The queues' figures (GET /api/v1/queues/stats): for organisation_id 0
 * the brand's, every live queue with every agent counted; for an
 * outsourcer's organisation, its cut: the queues its agents serve, counting
 * its agents alone (none when it has no agent here). The same cuts follow
 * each second's frame to the hub (hub.h, HUB_CUT). */
json_t *router_queue_stats(struct router *rt, int64_t tenant_id, int64_t organisation_id);
/* The tenant's time zone changed (its calendar): its counters' day ends at
 * the new zone's midnight, its queues' hours follow the new zone. */
void router_set_zone(struct router *rt, int64_t tenant_id, const char *zone);

/* An observer fn(arg, events, n) sees the routing events of each batch
 * once it is committed, before the hub takes them, on the writer's thread
 * (the web chat's fan-out: chathub.h; the telephony thread: agents'
 * phones ring on offers, voice.h). At most ROUTER_MAX_OBSERVERS; added
 * and removed from any thread, even while the writer runs (GC_ETOOBIG
 * past the limit). An observer must be quick and must not call the router. */
#define ROUTER_MAX_OBSERVERS 4
struct hub_event;
typedef void (*router_observer_fn)(void *arg, const struct hub_event *events, size_t n);
int router_add_observer(struct router *rt, router_observer_fn fn, void *arg);
/* Once this returns, fn is not running and will not be called with arg again. */
void router_remove_observer(struct router *rt, router_observer_fn fn, void *arg);

#endif
