/* The router (src/daemon/router.c) on a real store and hub, no HTTP: a
 * rebuild is per tenant. Tenants A and B each have a contact offered to
 * their agent; a request of A that changed A's engine and was rolled back,
 * then a batch of A whose commit failed, rebuild A alone from the store: B
 * gets no event (a rebuild would offer its contact again and restart its
 * timer) and its contact stays offered to the same agent. A contact put
 * back with its first time in the queue keeps its place. Waits follow the
 * queue's measured handle times, across a restart. Each tenant's
 * service-level counters count since its own local midnight (its
 * calendar's zone), and its statistics say which day they count. Several
 * nodes: a node routes only under its lease, and the tenants are spread
 * over the nodes alive, or are those taking calls'. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/hub.h"
#include "daemon/leases.h"
#include "daemon/router.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/wait.h"
#include "guichet/tz.h"
#include "store/store.h"
#include "teststore.h"

struct fixture {
	struct test_store ts;
	struct store *s;
	struct hub *hub;
	struct router *rt;
	struct store_scope a, b, agent_a, agent_b;
	int64_t qa, qb, ca, cb;
};

/* The newest event id the hub has of either tenant. */
static int64_t newest_id(struct fixture *f)
{
	int64_t a = hub_last_id(f->hub, f->a.tenant_id), b = hub_last_id(f->hub, f->b.tenant_id);
	return a > b ? a : b;
}

static struct store_scope scope_in(int64_t tenant, enum role role, int64_t user)
{
	struct store_scope sc = {.tenant_id = tenant, .user_id = user, .role = role, .has_role = true,
				 .sees = role_visibility(role)};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	return sc;
}

/* user's profile in the scope's tenant, as the API stores it: level 1, one
 * chat at a time, skill_id (none when 0). */
static void set_profile(struct store *s, const struct store_scope *admin, int64_t user, json_int_t skill_id)
{
	struct decode_error err;
	struct agent_profile_input p;
	json_t *pj = skill_id ? json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id", skill_id,
					  "proficiency", 5, "capacity", "chat", 1)
			      : json_pack("{s:i,s:[],s:{s:i}}", "level", 1, "skills", "capacity", "chat", 1);
	assert_int_equal(agent_profile_decode(pj, &p, &err), 0);
	json_t *profile = agent_profile_json(&p);
	assert_int_equal(store_agent_set_profile(s, admin, user, profile), GC_OK);
	json_decref(profile);
	json_decref(pj);
}

/* An agent of the scope's tenant with a skill, a queue on it and a profile;
 * the queue's id, and the agent's scope. */
static int64_t tenant_routing(struct store *s, const struct store_scope *admin, const char *email,
			      struct store_scope *ret_agent)
{
	struct user_input u = {.email = email, .name = email, .role = ROLE_AGENT};
	int64_t user = 0;
	assert_int_equal(store_user_create(s, admin, &u, "not a hash", false, &user), GC_OK);
	json_t *skill = NULL;
	assert_int_equal(store_skill_create(s, admin, "billing", &skill), GC_OK);
	json_int_t skill_id = json_integer_value(json_object_get(skill, "id"));
	json_decref(skill);
	struct decode_error err;
	struct queue_input q;
	json_t *qj = json_pack("{s:s,s:I,s:s,s:i}", "name", "billing", "skill_id", skill_id, "channel", "chat",
			       "offer_timeout_s", 600);
	assert_int_equal(queue_input_decode(qj, &q, &err), 0);
	json_t *config = queue_input_json(&q);
	int64_t queue = 0;
	assert_int_equal(store_queue_create(s, admin, q.name, config, &queue), GC_OK);
	json_decref(config);
	json_decref(qj);
	set_profile(s, admin, user, skill_id);
	*ret_agent = scope_in(admin->tenant_id, ROLE_AGENT, user);
	return queue;
}

static int presence(struct fixture *f, const struct store_scope *agent, enum presence p)
{
	struct presence_input in = {.presence = p, .reason = p == PRESENCE_PAUSED ? "lunch" : NULL};
	return router_presence(f->rt, f->s, agent, agent->user_id, &in);
}

/* One request in a batch of its own, kept and committed. */
static int64_t contact_in(struct fixture *f, const struct store_scope *sc, int64_t queue)
{
	struct contact_input in = {.channel = CHANNEL_CHAT, .subject = "help"};
	int64_t id = 0;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_contact_create(f->s, sc, &in, &id), GC_OK);
	assert_int_equal(router_enqueue(f->rt, f->s, sc, id, queue, 0), GC_OK);
	router_job_end(f->rt, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->rt, f->s, true);
	return id;
}

struct seen {
	int n, offered;
};

static void count_frame(const char *frame, size_t len, void *arg)
{
	struct seen *s = arg;
	s->n++;
	s->offered += strstr(frame, "event: offered") != NULL;
}

static struct seen events_after(struct fixture *f, int64_t tenant, int64_t cursor)
{
	struct seen s = {0};
	assert_true(hub_read(f->hub, tenant, &(struct hub_audience){0}, &cursor, count_frame, &s));
	return s;
}

static void assert_offered(struct fixture *f, const struct store_scope *sc, int64_t contact, int64_t agent)
{
	json_t *v = NULL;
	assert_int_equal(router_contact_view(f->rt, sc, contact, &v), GC_OK);
	assert_string_equal(json_string_value(json_object_get(v, "state")), "offered");
	assert_int_equal(json_integer_value(json_object_get(v, "agent_id")), agent);
	json_decref(v);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	int64_t ta, tb;
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &tb), GC_OK);
	f->a = scope_in(ta, ROLE_TENANT_ADMIN, 0);
	f->b = scope_in(tb, ROLE_TENANT_ADMIN, 0);
	f->qa = tenant_routing(f->s, &f->a, "agent@a.example", &f->agent_a);
	f->qb = tenant_routing(f->s, &f->b, "agent@b.example", &f->agent_b);
	f->hub = hub_new();
	assert_int_equal(router_new(f->s, f->hub, NULL, &f->rt), GC_OK);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(presence(f, &f->agent_a, PRESENCE_AVAILABLE), GC_OK);
	assert_int_equal(presence(f, &f->agent_b, PRESENCE_AVAILABLE), GC_OK);
	router_job_end(f->rt, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->rt, f->s, true);
	f->ca = contact_in(f, &f->a, f->qa);
	f->cb = contact_in(f, &f->b, f->qb);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	router_free(f->rt);
	hub_free(f->hub);
	store_free(f->s);
	test_store_clear(&f->ts);
	free(f);
	return 0;
}

static void a_rolled_back_request_rebuilds_its_tenant_alone(void **state)
{
	struct fixture *f = *state;
	assert_offered(f, &f->b, f->cb, f->agent_b.user_id);
	assert_offered(f, &f->a, f->ca, f->agent_a.user_id);
	uint64_t rebuilds = router_rebuilds(f->rt);
	int64_t due = router_next_due(f->rt), cursor = newest_id(f);
	/* A's agent pauses (its offer is taken back), then the request rolls back */
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	assert_int_equal(presence(f, &f->agent_a, PRESENCE_PAUSED), GC_OK);
	router_job_end(f->rt, false);
	store_rollback_to(f->s);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->rt, f->s, true);
	assert_int_equal(router_rebuilds(f->rt), rebuilds + 1);
	/* A, rebuilt from the store: its agent available, its contact offered again */
	struct seen a = events_after(f, f->a.tenant_id, cursor), b = events_after(f, f->b.tenant_id, cursor);
	assert_int_equal(a.offered, 1);
	assert_offered(f, &f->a, f->ca, f->agent_a.user_id);
	/* B: no event, the same offer, the same timer */
	assert_int_equal(b.n, 0);
	assert_offered(f, &f->b, f->cb, f->agent_b.user_id);
	assert_true(router_next_due(f->rt) >= due);

	/* a batch of A's that is kept, then its commit fails */
	cursor = newest_id(f);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	assert_int_equal(presence(f, &f->agent_a, PRESENCE_PAUSED), GC_OK);
	router_job_end(f->rt, true);
	store_release(f->s);
	store_rollback(f->s); /* as after a failed commit */
	router_batch_end(f->rt, f->s, false);
	assert_int_equal(router_rebuilds(f->rt), rebuilds + 2);
	a = events_after(f, f->a.tenant_id, cursor);
	b = events_after(f, f->b.tenant_id, cursor);
	assert_int_equal(a.offered, 1); /* nothing of the failed batch was published; the rebuild offers again */
	assert_int_equal(b.n, 0);
	assert_offered(f, &f->b, f->cb, f->agent_b.user_id);
}

/* A refused request (an overflow to a queue of another tenant, a capacity
 * below what the agent holds) changes nothing and rebuilds nothing. */
static void a_refused_request_rebuilds_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t rebuilds = router_rebuilds(f->rt);
	int64_t cursor = newest_id(f);
	struct decode_error err;
	struct queue_input q;
	json_t *qj = json_pack("{s:s,s:i,s:s,s:I}", "name", "billing", "skill_id", 1, "channel", "chat",
			       "overflow_to", (json_int_t)f->qb);
	assert_int_equal(queue_input_decode(qj, &q, &err), 0);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	assert_int_equal(router_queue_set(f->rt, f->s, &f->a, f->qa, "billing", &q), GC_EINVAL);
	router_job_end(f->rt, false);
	store_rollback_to(f->s);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->rt, f->s, true);
	json_decref(qj);
	assert_int_equal(router_rebuilds(f->rt), rebuilds);
	assert_int_equal(events_after(f, f->a.tenant_id, cursor).n, 0);
	assert_int_equal(events_after(f, f->b.tenant_id, cursor).n, 0);
}

/* Leases (several nodes): a node routes a tenant only while it holds its
 * lease; once another node took it, a write of the first is refused
 * (GC_EMOVED) and leaves nothing, and the tenant is dropped. */
static int take_leases_calls(struct store *s, const char *node, bool takes_calls, int64_t now, struct router *rt)
{
	struct store_lease *list = NULL;
	size_t n = 0;
	assert_int_equal(leases_step(s, node, takes_calls, now, &list, &n, NULL), GC_OK);
	int held = 0;
	for (size_t i = 0; i < n; i++)
		held += strcmp(list[i].node, node) == 0 && list[i].expires_at >= now;
	if (rt)
		assert_int_equal(router_follow_leases(rt, s, list, n, now), GC_OK);
	free(list);
	return held;
}

static int take_leases(struct store *s, const char *node, int64_t now, struct router *rt)
{
	return take_leases_calls(s, node, false, now, rt);
}

static void a_node_routes_only_under_its_lease(void **state)
{
	struct fixture *f = *state;
	struct hub *hub = hub_new();
	struct router *n1 = NULL;
	assert_int_equal(router_new(f->s, hub, "n1", &n1), GC_OK);
	json_t *v = NULL;
	assert_int_equal(router_contact_view(n1, &f->a, f->ca, &v), GC_EMOVED); /* no lease yet */
	int64_t now = gc_now_ms();
	assert_int_equal(take_leases(f->s, "n1", now, n1), 2);
	/* loaded from the store: the offers the fixture's router made */
	struct router *saved = f->rt;
	f->rt = n1;
	assert_offered(f, &f->a, f->ca, f->agent_a.user_id);
	/* n1 routes tenant A: a contact is enqueued */
	struct contact_input in = {.channel = CHANNEL_CHAT, .subject = "help"};
	int64_t c1 = 0, c2 = 0;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_contact_create(f->s, &f->a, &in, &c1), GC_OK);
	assert_int_equal(router_enqueue(n1, f->s, &f->a, c1, f->qa, 0), GC_OK);
	router_job_end(n1, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(n1, f->s, true);
	/* n1 stalls past its lease: n2 takes both tenants, epoch 2 */
	assert_int_equal(take_leases(f->s, "n2", now + 6000, NULL), 2);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	assert_int_equal(store_contact_create(f->s, &f->a, &in, &c2), GC_OK);
	assert_int_equal(router_enqueue(n1, f->s, &f->a, c2, f->qa, 0), GC_EMOVED);
	router_job_end(n1, false);
	store_rollback_to(f->s);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(n1, f->s, true);
	/* dropped: n1 answers for neither tenant any more, and follows n2's leases */
	assert_int_equal(router_contact_view(n1, &f->a, c1, &v), GC_EMOVED);
	assert_int_equal(take_leases(f->s, "n1", now + 7000, n1), 0);
	assert_int_equal(router_contact_view(n1, &f->b, f->cb, &v), GC_EMOVED);
	/* n2's writes are fenced by its own lease; n1's fence fails */
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_lease_fence(f->s, f->a.tenant_id, "n1", 1, now + 7000), GC_EMOVED);
	assert_int_equal(store_lease_fence(f->s, f->a.tenant_id, "n2", 2, now + 7000), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	/* a clean stop lets n2's leases go: n1 takes them at once, epoch 3 */
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_lease_release(f->s, "n2"), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(take_leases(f->s, "n1", now + 7000, n1), 2);
	assert_offered(f, &f->a, f->ca, f->agent_a.user_id);
	json_t *view = NULL;
	assert_int_equal(router_contact_view(n1, &f->a, c1, &view), GC_OK);
	assert_string_equal(json_string_value(json_object_get(view, "state")), "waiting");
	json_decref(view);
	f->rt = saved;
	router_free(n1);
	hub_free(hub);
}

/* A node's share: the tenants' weight over the nodes alive, rounded up;
 * taken when under it, the excess offered when over it, one lease a round
 * (every one when its share is none). */
static void a_nodes_share_is_the_weight_over_the_nodes(void **state)
{
	(void)state;
	struct lease_move m = leases_move(0, 1, 0, false, 0);
	assert_true(m.take == 0 && m.give == 0);
	m = leases_move(3, 0, 0, false, 0); /* no row seen yet: alone */
	assert_true(m.take == 3 && m.give == 0);
	m = leases_move(5, 2, 0, false, 5);
	assert_true(m.take == 0 && m.give == 2 && m.leases == LEASE_GIVE_PER_ROUND);
	m = leases_move(5, 2, 0, false, 3);
	assert_true(m.take == 0 && m.give == 0);
	m = leases_move(5, 2, 0, false, 2);
	assert_true(m.take == 1 && m.give == 0);
	m = leases_move(1, 3, 0, false, 0); /* less weight than nodes: whoever is first */
	assert_true(m.take == 1 && m.give == 0);
	m = leases_move(1, 3, 0, false, 1);
	assert_true(m.take == 0 && m.give == 0);
	m = leases_move(2511, 2, 0, false, 2001); /* a brand of 2,000 agents and ten of 50 */
	assert_true(m.take == 0 && m.give == 745 && m.leases == LEASE_GIVE_PER_ROUND);
	/* a node taking calls alive: the tenants are its own, the others let theirs go at once */
	m = leases_move(4, 3, 1, true, 0);
	assert_true(m.take == 4 && m.give == 0);
	m = leases_move(4, 3, 1, false, 3);
	assert_true(m.take == 0 && m.give == 3 && m.leases == INT64_MAX);
	m = leases_move(4, 3, 2, true, 4); /* two of them share */
	assert_true(m.take == 0 && m.give == 2 && m.leases == LEASE_GIVE_PER_ROUND);
}

/* Two nodes' routing engines on the fixture's one store (a cluster's
 * nodes on one database), named first and second, on one hub. */
struct two_nodes {
	struct hub *hub;
	struct router *first, *second;
};

static void two_nodes_start(struct fixture *f, const char *first, const char *second, struct two_nodes *ret)
{
	ret->hub = hub_new();
	ret->first = ret->second = NULL;
	assert_int_equal(router_new(f->s, ret->hub, first, &ret->first), GC_OK);
	assert_int_equal(router_new(f->s, ret->hub, second, &ret->second), GC_OK);
}

static void two_nodes_stop(struct two_nodes *t)
{
	router_free(t->first);
	router_free(t->second);
	hub_free(t->hub);
}

/* A node taking calls routes every tenant while it is alive (a call's
 * routing and its media are on one node): n1, alone first, routes both;
 * once n3 (calls) is alive, n1 lets both go at once and n3 takes them; n3
 * gone silent, n1 takes them back once n3's leases and row expire. */
static void a_node_taking_calls_routes_every_tenant(void **state)
{
	struct fixture *f = *state;
	struct two_nodes t;
	two_nodes_start(f, "n1", "n3", &t);
	struct router *n1 = t.first, *n3 = t.second;
	int64_t now = gc_now_ms();
	json_t *v = NULL;
	assert_int_equal(take_leases(f->s, "n1", now, n1), 2);
	assert_int_equal(take_leases_calls(f->s, "n3", true, now + 100, n3), 0); /* none free */
	assert_int_equal(take_leases(f->s, "n1", now + 1000, n1), 0);
	assert_int_equal(router_contact_view(n1, &f->a, f->ca, &v), GC_EMOVED);
	assert_int_equal(take_leases_calls(f->s, "n3", true, now + 1100, n3), 2);
	assert_int_equal(router_contact_view(n3, &f->b, f->cb, &v), GC_OK);
	json_decref(v);
	assert_int_equal(take_leases(f->s, "n1", now + 2000, n1), 0); /* its share is none */
	assert_int_equal(take_leases(f->s, "n1", now + 6200, n1), 2); /* n3 silent since now + 1100 */
	two_nodes_stop(&t);
}

/* Two nodes share the two tenants: n1, alone first, routes both; once n2
 * is alive, n1 lets the higher tenant go and n2 takes it (its epoch up by
 * one); then they hold one each, round after round. n2 gone silent, n1
 * takes its tenant back once n2's lease and row expire. */
static void the_tenants_are_spread_over_the_nodes(void **state)
{
	struct fixture *f = *state;
	struct two_nodes t;
	two_nodes_start(f, "n1", "n2", &t);
	struct router *n1 = t.first, *n2 = t.second;
	int64_t now = gc_now_ms();
	json_t *v = NULL;
	assert_int_equal(take_leases(f->s, "n1", now, n1), 2);
	assert_int_equal(take_leases(f->s, "n2", now + 100, n2), 0); /* its share is one: none free */
	assert_int_equal(take_leases(f->s, "n1", now + 1000, n1), 1);
	/* the lower tenant id kept, the higher let go of */
	const struct store_scope *kept = f->a.tenant_id < f->b.tenant_id ? &f->a : &f->b;
	const struct store_scope *moved = kept == &f->a ? &f->b : &f->a;
	int64_t kept_contact = kept == &f->a ? f->ca : f->cb, moved_contact = kept == &f->a ? f->cb : f->ca;
	assert_int_equal(router_contact_view(n1, moved, moved_contact, &v), GC_EMOVED); /* let go of at once */
	assert_int_equal(router_contact_view(n1, kept, kept_contact, &v), GC_OK);
	json_decref(v);
	assert_int_equal(take_leases(f->s, "n2", now + 1100, n2), 1);
	assert_int_equal(router_contact_view(n2, moved, moved_contact, &v), GC_OK);
	json_decref(v);
	struct store_lease *list = NULL;
	size_t n = 0;
	assert_int_equal(store_lease_list(f->s, &list, &n), GC_OK);
	for (size_t i = 0; i < n; i++)
		if (list[i].tenant_id == moved->tenant_id)
			assert_int_equal(list[i].epoch, 2);
	free(list);
	for (int round = 2; round < 5; round++) {
		assert_int_equal(take_leases(f->s, "n1", now + round * 1000, n1), 1);
		assert_int_equal(take_leases(f->s, "n2", now + round * 1000 + 100, n2), 1);
	}
	/* n2 silent from now + 4100: its lease and its row expire at now + 9100 */
	assert_int_equal(take_leases(f->s, "n1", now + 9000, n1), 1);
	assert_int_equal(take_leases(f->s, "n1", now + 9200, n1), 2);
	assert_int_equal(router_contact_view(n1, moved, moved_contact, &v), GC_OK);
	json_decref(v);
	two_nodes_stop(&t);
}

/* node's tenants among those given: a bit per index */
static unsigned routed_by(struct fixture *f, const char *node, const int64_t *tenants, int n)
{
	struct store_lease *list = NULL;
	size_t len = 0;
	assert_int_equal(store_lease_list(f->s, &list, &len), GC_OK);
	unsigned mask = 0;
	for (size_t i = 0; i < len; i++)
		for (int k = 0; k < n; k++)
			if (list[i].tenant_id == tenants[k] && strcmp(list[i].node, node) == 0)
				mask |= 1u << k;
	free(list);
	return mask;
}

/* Tenants weigh one plus their agents: with a brand of six agents (7), the
 * fixture's two tenants of one (2 each) and a tenant of none (1) on two
 * nodes (share 6), n1, alone first, routes all four; once n2 is alive, n1
 * lets its lightest go one a round as long as it stays at its share (the
 * agentless tenant, then the two small ones) and keeps the brand: 7 and 5,
 * where an even count would have kept the brand and one more on n1 (9 and
 * 3). Then it holds, round after round. A disabled agent does not count:
 * four of the brand's disabled, the agentless tenant moves back to n1. */
static void the_tenants_are_spread_by_their_weight(void **state)
{
	struct fixture *f = *state;
	int64_t brand, empty;
	assert_int_equal(store_tenant_create(f->s, "Brand", NULL, &brand), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "Empty", NULL, &empty), GC_OK);
	struct store_scope admin = scope_in(brand, ROLE_TENANT_ADMIN, 0), agent;
	int64_t users[6];
	tenant_routing(f->s, &admin, "agent1@brand.example", &agent);
	users[0] = agent.user_id;
	for (int i = 1; i < 6; i++) {
		char email[64];
		snprintf(email, sizeof(email), "agent%d@brand.example", i + 1);
		struct user_input u = {.email = email, .name = email, .role = ROLE_AGENT};
		assert_int_equal(store_user_create(f->s, &admin, &u, "not a hash", false, &users[i]), GC_OK);
		set_profile(f->s, &admin, users[i], 0);
	}
	const int64_t tenants[4] = {brand, f->a.tenant_id, f->b.tenant_id, empty};
	struct two_nodes t;
	two_nodes_start(f, "n1", "n2", &t);
	int64_t now = gc_now_ms();
	assert_int_equal(take_leases(f->s, "n1", now, t.first), 4);
	assert_int_equal(take_leases(f->s, "n2", now + 100, t.second), 0); /* its share is 6: none free */
	for (int round = 1; round <= 3; round++) {
		assert_int_equal(take_leases(f->s, "n1", now + round * 1000, t.first), 4 - round);
		assert_int_equal(take_leases(f->s, "n2", now + round * 1000 + 100, t.second), round);
	}
	assert_int_equal(routed_by(f, "n1", tenants, 4), 1u); /* the brand */
	assert_int_equal(routed_by(f, "n2", tenants, 4), 14u); /* the three others */
	for (int round = 4; round < 7; round++) {
		assert_int_equal(take_leases(f->s, "n1", now + round * 1000, t.first), 1);
		assert_int_equal(take_leases(f->s, "n2", now + round * 1000 + 100, t.second), 3);
	}
	/* four of the brand's six agents disabled: it weighs 3 (share 4); n2,
	 * over by one, lets the agentless tenant go and n1 takes it */
	for (int i = 2; i < 6; i++)
		assert_int_equal(store_user_set_disabled(f->s, &admin, users[i], true), GC_OK);
	assert_int_equal(take_leases(f->s, "n1", now + 7000, t.first), 1); /* under its share: none free */
	assert_int_equal(take_leases(f->s, "n2", now + 7100, t.second), 2);
	assert_int_equal(take_leases(f->s, "n1", now + 8000, t.first), 2);
	assert_int_equal(take_leases(f->s, "n2", now + 8100, t.second), 2);
	assert_int_equal(routed_by(f, "n1", tenants, 4), 9u); /* the brand and the agentless tenant */
	assert_int_equal(routed_by(f, "n2", tenants, 4), 6u);
	two_nodes_stop(&t);
}

/* Tenant A's queues' figures as its people and an outsourcer's see them, from
 * a router that loaded the tenant from the store (the organisations of its
 * agents learned at the load): the brand's people every queue with every
 * agent; the BPO, whose one agent serves a queue of its own, that queue
 * with that agent alone; an outsourcer with no agent here, none. */
static void an_outsourcers_figures_count_its_agents_alone(void **state)
{
	struct fixture *f = *state;
	int64_t bpo = 0;
	assert_int_equal(store_organisation_create(f->s, "BPO", "outsourcer", &bpo), GC_OK);
	struct user_input u = {.email = "agent@bpo.example", .name = "BPO agent", .organisation = "BPO",
			       .role = ROLE_OUTSOURCED_AGENT};
	int64_t user = 0;
	struct store_scope platform = f->a; /* the first of a new outsourcer's people: a platform admin places them */
	platform.platform_admin = true;
	assert_int_equal(store_user_create(f->s, &platform, &u, "not a hash", false, &user), GC_OK);
	json_t *skill = NULL;
	assert_int_equal(store_skill_create(f->s, &f->a, "bpo-skill", &skill), GC_OK);
	json_int_t skill_id = json_integer_value(json_object_get(skill, "id"));
	json_decref(skill);
	json_t *config = json_pack("{s:s,s:I,s:s}", "name", "bpo", "skill_id", skill_id, "channel", "chat");
	struct decode_error err;
	struct queue_input q;
	assert_int_equal(queue_input_decode(config, &q, &err), 0);
	json_t *stored = queue_input_json(&q);
	int64_t queue = 0;
	assert_int_equal(store_queue_create(f->s, &f->a, q.name, stored, &queue), GC_OK);
	json_decref(stored);
	json_decref(config);
	set_profile(f->s, &f->a, user, skill_id);
	struct hub *hub = hub_new();
	struct router *loaded = NULL;
	assert_int_equal(router_new(f->s, hub, NULL, &loaded), GC_OK);
	json_t *whole = router_queue_stats(loaded, f->a.tenant_id, 0);
	json_t *cut = router_queue_stats(loaded, f->a.tenant_id, bpo);
	json_t *none = router_queue_stats(loaded, f->a.tenant_id, bpo + 1000);
	json_t *queues = json_object_get(whole, "queues");
	assert_int_equal(json_array_size(queues), 2);
	queues = json_object_get(cut, "queues");
	assert_int_equal(json_array_size(queues), 1);
	json_t *one = json_array_get(queues, 0);
	assert_int_equal(json_integer_value(json_object_get(one, "queue_id")), queue);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(one, "agents"), "offline")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(one, "agents"), "available")), 0);
	assert_int_equal(json_array_size(json_object_get(none, "queues")), 0);
	assert_non_null(json_object_get(none, "day"));
	json_decref(whole);
	json_decref(cut);
	json_decref(none);
	router_free(loaded);
	hub_free(hub);
}

static int64_t position(struct fixture *f, int64_t contact)
{
	json_t *v = NULL;
	assert_int_equal(router_contact_view(f->rt, &f->a, contact, &v), GC_OK);
	assert_string_equal(json_string_value(json_object_get(v, "state")), "waiting");
	int64_t p = json_integer_value(json_object_get(v, "position"));
	json_decref(v);
	return p;
}

/* A contact put back in its queue with the time it first entered it (a
 * callback's next attempt: router_enqueue_at) takes the place that time
 * gives it, ahead of one that came since; its routing row keeps the time,
 * so a rebuild from the store keeps the order. */
static void a_contact_back_takes_its_first_place(void **state)
{
	struct fixture *f = *state;
	json_t *row = NULL;
	assert_int_equal(store_routing_get(f->s, &f->a, f->ca, &row), GC_OK);
	int64_t since = json_integer_value(json_object_get(row, "enqueued_at")) + 1; /* after ca, before later */
	json_decref(row);
	usleep(10 * 1000);
	int64_t later = contact_in(f, &f->a, f->qa); /* waits: the agent's one seat is offered ca */
	struct contact_input in = {.channel = CHANNEL_CHAT, .subject = "back"};
	int64_t back = 0;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_contact_create(f->s, &f->a, &in, &back), GC_OK);
	assert_int_equal(router_enqueue_at(f->rt, f->s, &f->a, back, f->qa, 0, since), GC_OK);
	router_job_end(f->rt, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->rt, f->s, true);
	assert_int_equal(position(f, back), 1);
	assert_int_equal(position(f, later), 2);
	assert_int_equal(store_routing_get(f->s, &f->a, back, &row), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(row, "enqueued_at")), since);
	json_decref(row);
	router_free(f->rt); /* a restart: ca, the oldest, is offered again */
	assert_int_equal(router_new(f->s, f->hub, NULL, &f->rt), GC_OK);
	assert_offered(f, &f->a, f->ca, f->agent_a.user_id);
	assert_int_equal(position(f, back), 1);
	assert_int_equal(position(f, later), 2);
}

/* One request of the agent in a batch of its own (accept, wrap-up). */
static void agent_does(struct fixture *f, const char *what, int64_t contact)
{
	assert_int_equal(store_begin(f->s), GC_OK);
	if (strcmp(what, "accept") == 0) {
		assert_int_equal(router_accept(f->rt, f->s, &f->agent_a, contact), GC_OK);
	} else {
		struct routing_input in = {.priority = -1, .disposition = "done", .state = CONTACT_RESOLVED};
		assert_int_equal(router_wrapup(f->rt, f->s, &f->agent_a, contact, &in), GC_OK);
	}
	router_job_end(f->rt, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->rt, f->s, true);
}

static int64_t wait_of(struct fixture *f, int64_t contact)
{
	struct router_load l;
	assert_int_equal(router_contact_load(f->rt, &f->a, contact, &l), GC_OK);
	return router_load_wait_ms(&l, ROUTE_WAIT_DEFAULT_HANDLE_MS);
}

/* Waits (guichet/wait.h) from the router's loads: an offered contact has
 * its slot; one behind it waits for the agent's one slot, 5 minutes while
 * nothing is measured, then the queue's measured handle time, measured
 * again after a restart from the day's wrap-ups. */
static void waits_follow_the_measured_handle_times(void **state)
{
	struct fixture *f = *state;
	assert_offered(f, &f->a, f->ca, f->agent_a.user_id);
	assert_int_equal(wait_of(f, f->ca), 0);
	int64_t next = contact_in(f, &f->a, f->qa);
	struct router_load l;
	assert_int_equal(router_contact_load(f->rt, &f->a, next, &l), GC_OK);
	assert_int_equal(l.ahead, 0);
	assert_int_equal(l.slots, 1);
	assert_int_equal(l.free, 0);
	assert_int_equal(l.handle_ms, 0);
	assert_int_equal(wait_of(f, next), ROUTE_WAIT_DEFAULT_HANDLE_MS);
	int64_t held = f->ca;
	for (int i = 0; i < ROUTE_WAIT_MIN_SAMPLES; i++) { /* each held 50 ms */
		agent_does(f, "accept", held);
		usleep(50 * 1000);
		agent_does(f, "wrapup", held);
		held = next; /* offered now */
		next = contact_in(f, &f->a, f->qa);
	}
	assert_int_equal(router_contact_load(f->rt, &f->a, next, &l), GC_OK);
	assert_true(l.handle_ms >= 50 && l.handle_ms < 5000);
	assert_int_equal(wait_of(f, next), l.handle_ms); /* the one slot frees after one handle time */
	int64_t measured = l.handle_ms;
	router_free(f->rt); /* a restart: measured again from the day's wrapup_started events */
	assert_int_equal(router_new(f->s, f->hub, NULL, &f->rt), GC_OK);
	assert_int_equal(router_contact_load(f->rt, &f->a, next, &l), GC_OK);
	assert_int_equal(l.handle_ms, measured);
	assert_int_equal(wait_of(f, next), measured);
}

/* One answered contact of queue at at, within the service level. */
static void answered_at(struct fixture *f, int64_t tenant, int64_t queue, int64_t at)
{
	int64_t id = 0;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_routing_event(f->s, tenant, at, "accepted", 0, 0, queue, "{\"waited_ms\":1000}", &id),
			 GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
}

/* The live statistics of the scope's tenant: its one queue's answered, and the day. */
static int64_t answered_today(struct fixture *f, const struct store_scope *sc, char *ret_day, char *ret_zone)
{
	json_t *stats = router_queue_stats(f->rt, sc->tenant_id, 0);
	assert_non_null(stats);
	snprintf(ret_day, 16, "%s", json_string_value(json_object_get(stats, "day")));
	snprintf(ret_zone, GC_TZ_NAME_MAX, "%s", json_string_value(json_object_get(stats, "zone")));
	json_t *q = json_array_get(json_object_get(stats, "queues"), 0);
	int64_t n = json_integer_value(json_object_get(q, "answered"));
	json_decref(stats);
	return n;
}

static void put_zone(struct fixture *f, const struct store_scope *sc, const char *zone)
{
	char text[128];
	snprintf(text, sizeof(text), "{\"zone\":\"%s\",\"hours\":null,\"holidays\":[]}", zone);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_calendar_put(f->s, sc, text), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
}

/* Kiritimati (UTC+14) and UTC-12 are never on the same date: whatever the
 * time of the run, each tenant's midnight is its own. An event just before
 * a tenant's midnight is yesterday's for it; the same instant may be today
 * for the other. */
static void each_tenant_counts_since_its_own_midnight(void **state)
{
	struct fixture *f = *state;
	const char *zone_a = "Pacific/Kiritimati", *zone_b = "Etc/GMT+12";
	put_zone(f, &f->a, zone_a);
	put_zone(f, &f->b, zone_b);
	int64_t now = gc_now_ms(), start_a, start_b, end;
	struct gc_local_time day_a, day_b;
	assert_int_equal(gc_tz_day(zone_a, now, &day_a, &start_a, &end), GC_OK);
	assert_int_equal(gc_tz_day(zone_b, now, &day_b, &start_b, &end), GC_OK);
	assert_true(day_a.day != day_b.day);
	int64_t instants[] = {start_a - 60000, start_a, start_b - 60000, start_b};
	int64_t want_a = 0, want_b = 0;
	for (int i = 0; i < 4; i++) {
		answered_at(f, f->a.tenant_id, f->qa, instants[i]);
		answered_at(f, f->b.tenant_id, f->qb, instants[i]);
		want_a += instants[i] >= start_a && instants[i] <= now;
		want_b += instants[i] >= start_b && instants[i] <= now;
	}
	router_free(f->rt); /* a restart counts the day again from the events */
	assert_int_equal(router_new(f->s, f->hub, NULL, &f->rt), GC_OK);
	char day[16], zone[GC_TZ_NAME_MAX], want_day[16];
	assert_int_equal(answered_today(f, &f->a, day, zone), want_a);
	snprintf(want_day, sizeof(want_day), "%04d-%02d-%02d", day_a.year, day_a.month, day_a.day);
	assert_string_equal(day, want_day);
	assert_string_equal(zone, zone_a);
	assert_int_equal(answered_today(f, &f->b, day, zone), want_b);
	snprintf(want_day, sizeof(want_day), "%04d-%02d-%02d", day_b.year, day_b.month, day_b.day);
	assert_string_equal(day, want_day);
	assert_string_equal(zone, zone_b);
	assert_true(want_a >= 1 && want_b >= 1);
	/* B moves to A's zone: its day is A's from now on, its counters go on */
	router_set_zone(f->rt, f->b.tenant_id, zone_a);
	assert_int_equal(answered_today(f, &f->b, day, zone), want_b);
	snprintf(want_day, sizeof(want_day), "%04d-%02d-%02d", day_a.year, day_a.month, day_a.day);
	assert_string_equal(day, want_day);
	assert_string_equal(zone, zone_a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_rolled_back_request_rebuilds_its_tenant_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(a_refused_request_rebuilds_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_node_routes_only_under_its_lease, setup, teardown),
		cmocka_unit_test(a_nodes_share_is_the_weight_over_the_nodes),
		cmocka_unit_test_setup_teardown(the_tenants_are_spread_by_their_weight, setup, teardown),
		cmocka_unit_test_setup_teardown(an_outsourcers_figures_count_its_agents_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(the_tenants_are_spread_over_the_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_node_taking_calls_routes_every_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(a_contact_back_takes_its_first_place, setup, teardown),
		cmocka_unit_test_setup_teardown(waits_follow_the_measured_handle_times, setup, teardown),
		cmocka_unit_test_setup_teardown(each_tenant_counts_since_its_own_midnight, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
