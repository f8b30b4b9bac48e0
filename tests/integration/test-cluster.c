/* Several guichetd on one PostgreSQL database, linked by a real nats-server
 * (src/daemon/cluster.h): two nodes, a and b, on a throwaway cluster. a
 * starts first and takes the routing leases of both tenants; once b is up,
 * a lets tenant two go and b takes it (each node routes its share: one of
 * the two tenants). Each serves the same API and hands the routing of the
 * other's tenant to it.
 *
 * - a contact created through one node is offered to an agent whose live
 *   stream is on the other, both ways, and the queue statistics are the same
 *   on both nodes;
 * - b, the routing node of tenant two, killed with SIGKILL under a write
 *   load through a: a takes the lease and routes again within 10 seconds;
 *   every contact acknowledged (201) is there and waits or is offered, and
 *   no contact was ever offered to two agents;
 * - a node back takes its share again; a node stopped cleanly lets its
 *   leases go and says so: the other routes at once;
 * - a tenant's stream on one node sees its routing done on the other, and
 *   nothing of another tenant's;
 * - an outsourcer's supervisor's stream on the node that does not route
 *   carries its own agent's events and digests alone, the brand's
 *   supervisor's there everything;
 * - a logout through one node refuses the token on the other at once;
 * - wrong passwords tried by turns on both nodes are throttled as on one,
 *   and self-service requests spread over them get one allowance;
 * - a web chat spans both nodes: a visitor on b (which does not route tenant one)
 *   opens a chat, hears its place, and talks live with an agent on a:
 *   messages, typing and the state both ways; after a cut of the link
 *   between the nodes, its stream resumes with nothing lost or repeated;
 * - an SMS provider's webhook reaching b is handed to a, signature and all;
 * - a platform admin's grant through b of a role that takes no contacts
 *   takes the agent out of a's routing, and so does the agent's logout
 *   through b;
 * - an agent's desk open on the node that does not route the tenant keeps
 *   the agent at work; closed, the routing node signs the agent out.
 * Always on PostgreSQL, whatever the run's engine (several nodes need it). */
#include "harness.h"
#include "natsserver.h"
#include "channel/messaging/generic.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASSWORD "cluster pass"
#define TAKEOVER_LIMIT_MS 10000

static struct natsserver nats;
static struct daemon a, b;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int start_node(struct daemon *d, const char *name)
{
	return daemon_start(d, "--nats", nats.url, "--node", name, NULL);
}

static char *platform_admin; /* the first tenant's admin, a platform admin */

/* The tenants node d routes, from its /metrics. */
static long leases_held(const struct daemon *d)
{
	struct resp r;
	http_raw(d, "GET", "/metrics", platform_admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	const char *at = strstr(r.text, "\nguichet_routing_leases ");
	long n = at ? strtol(at + strlen("\nguichet_routing_leases "), NULL, 10) : -1;
	resp_clear(&r);
	return n;
}

/* Waits until each of a and b routes one of the two tenants: the time it
 * took in ms, or -1 after limit_ms. */
static int64_t wait_spread(int64_t limit_ms)
{
	int64_t start = now_ms();
	while (now_ms() - start < limit_ms) {
		if (leases_held(&a) == 1 && leases_held(&b) == 1)
			return now_ms() - start;
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	return -1;
}

/* Waits until node d's routing answers for token's tenant (a lease is held
 * by a live node): the time it took in ms, or -1 after limit_ms. */
static int64_t wait_routing(const struct daemon *d, const char *token, int64_t limit_ms)
{
	int64_t start = now_ms();
	while (now_ms() - start < limit_ms) {
		if (http_status(d, "GET", "/api/v1/queues/stats", token, NULL) == 200)
			return now_ms() - start;
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	return -1;
}

/* One tenant's routing: a skill, a chat queue whose offers do not time out,
 * agents with one chat each. */
struct tenant {
	char *admin, *sup;
	long long skill, queue;
	long long agent_ids[2];
	char *agents[2];
};

static long long user(const char *admin, const char *email, const char *role, char **ret_token)
{
	long long id = post_id(&a, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email,
		"password", PASSWORD, "role", role));
	*ret_token = login(&a, email, PASSWORD);
	return id;
}

static void tenant_setup(struct tenant *t, const char *admin_email, const char *domain)
{
	char email[96];
	t->admin = login(&a, admin_email, PASSWORD);
	snprintf(email, sizeof(email), "sup@%s", domain);
	user(t->admin, email, "supervisor", &t->sup);
	t->skill = post_id(&a, t->admin, "/api/v1/skills", json_pack("{s:s}", "name", "billing"));
	t->queue = post_id(&a, t->admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "billing", "skill_id",
		(json_int_t)t->skill, "channel", "chat", "offer_timeout_s", 3600));
	for (int i = 0; i < 2; i++) {
		snprintf(email, sizeof(email), "agent%d@%s", i, domain);
		t->agent_ids[i] = user(t->admin, email, "agent", &t->agents[i]);
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/agents/%lld", t->agent_ids[i]);
		assert_int_equal(http_status(&a, "PUT", path, t->admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1,
			"skills", "skill_id", (json_int_t)t->skill, "proficiency", 5, "capacity", "chat", 1)), 200);
	}
}

static void tenant_free(struct tenant *t)
{
	free(t->admin);
	free(t->sup);
	free(t->agents[0]);
	free(t->agents[1]);
}

static struct tenant t1, t2;

static int group_setup(void **state)
{
	if (natsserver_start(&nats) < 0)
		return -1;
	if (daemon_init(&a, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&a, "two", "admin@two.example", PASSWORD) != 0 || start_node(&a, "a") != 0)
		return -1;
	tenant_setup(&t1, "admin@one.example", "one.example");
	tenant_setup(&t2, "admin@two.example", "two.example");
	platform_admin = t1.admin;
	if (wait_routing(&a, t1.sup, 5000) < 0 || wait_routing(&a, t2.sup, 5000) < 0 || leases_held(&a) != 2) {
		fprintf(stderr, "node a did not take the routing leases\n");
		return -1;
	}
	if (daemon_prepare_shared(&b, &a) != 0 || start_node(&b, "b") != 0)
		return -1;
	/* a lets tenant two (the higher id) go, b takes it */
	int64_t took = wait_spread(5000);
	fprintf(stderr, "a and b route one tenant each %lld ms after b started\n", (long long)took);
	if (took < 0 || wait_routing(&b, t2.sup, 3000) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	tenant_free(&t1);
	tenant_free(&t2);
	daemon_stop(&a);
	daemon_stop(&b);
	daemon_cleanup(&b);
	daemon_cleanup(&a);
	natsserver_stop(&nats);
	return 0;
}

static void presence(const struct daemon *d, const char *token, const char *p)
{
	struct resp r;
	http_json(d, "POST", "/api/v1/agents/me/presence", token, json_pack("{s:s}", "presence", p), &r);
	if (r.status != 200)
		fprintf(stderr, "presence on %s: %d %s\n", d->url, r.status, r.text);
	assert_int_equal(r.status, 200);
	/* the answer comes from the routing node: its live view of the agent */
	assert_non_null(json_object_get(r.json, "live"));
	resp_clear(&r);
}

static long long new_contact(const struct daemon *d, const struct tenant *t)
{
	return post_id(d, t->sup, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat", "subject", "help",
		"queue_id", (json_int_t)t->queue));
}

/* The offer of contact on stream s, within 5 s. */
static void expect_offer(struct sse *s, long long contact, long long agent)
{
	struct sse_event ev = {0};
	bool got = false;
	while (!got && sse_next(s, "offered", 5000, &ev))
		got = json_integer_value(json_object_get(ev.data, "contact_id")) == contact;
	if (!got)
		fprintf(stderr, "contact %lld was not offered on this stream\n", contact);
	assert_true(got);
	assert_int_equal(json_integer_value(json_object_get(ev.data, "agent_id")), agent);
	json_decref(ev.data);
}

static json_t *queue_stats(const struct daemon *d, const char *token)
{
	struct resp r;
	http_json(d, "GET", "/api/v1/queues/stats", token, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *queues = json_incref(json_object_get(r.json, "queues"));
	resp_clear(&r);
	return queues;
}

static void offers_cross_nodes_both_ways(void **state)
{
	/* agent 0 streams from b (a hands b's presence request to the routing node) */
	struct sse s0, s1;
	assert_int_equal(sse_open(&s0, &b, t1.agents[0], 0), 200);
	presence(&b, t1.agents[0], "available");
	long long c1 = new_contact(&a, &t1);
	expect_offer(&s0, c1, t1.agent_ids[0]);
	/* agent 1 streams from a; the contact is created through b */
	assert_int_equal(sse_open(&s1, &a, t1.agents[1], 0), 200);
	presence(&a, t1.agents[1], "available");
	long long c2 = new_contact(&b, &t1);
	expect_offer(&s1, c2, t1.agent_ids[1]);
	/* the agent on b accepts through b */
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", c1);
	assert_int_equal(http_status(&b, "POST", path, t1.agents[0], NULL), 200);
	/* supervisors see the same statistics on both nodes */
	json_t *on_a = queue_stats(&a, t1.sup), *on_b = queue_stats(&b, t1.sup);
	assert_int_equal(json_array_size(on_a), 1);
	assert_true(json_equal(json_object_get(json_array_get(on_a, 0), "agents"),
			       json_object_get(json_array_get(on_b, 0), "agents")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(on_a, 0), "waiting")),
			 json_integer_value(json_object_get(json_array_get(on_b, 0), "waiting")));
	json_decref(on_a);
	json_decref(on_b);
	sse_close(&s0);
	sse_close(&s1);
}

/* Every offer a supervisor's stream saw: contact -> the one agent offered. */
struct offers {
	long long contact[LOAD_MAX_WRITES], agent[LOAD_MAX_WRITES];
	int n;
	int doubles;                /* offers of a contact to a second agent */
};

static void note_offers(struct sse *s, struct offers *o, int timeout_ms)
{
	struct sse_event ev = {0};
	while (sse_next(s, "offered", timeout_ms, &ev)) {
		long long contact = json_integer_value(json_object_get(ev.data, "contact_id"));
		long long agent = json_integer_value(json_object_get(ev.data, "agent_id"));
		int i = 0;
		while (i < o->n && o->contact[i] != contact)
			i++;
		if (i < o->n) {
			if (o->agent[i] != agent) {
				fprintf(stderr, "contact %lld offered to agents %lld and %lld\n", contact, o->agent[i], agent);
				o->doubles++;
			}
		} else if (o->n < LOAD_MAX_WRITES) {
			o->contact[o->n] = contact;
			o->agent[o->n++] = agent;
		}
	}
	json_decref(ev.data);
}

static char seen[1][LOAD_MAX_WRITES];
static struct load_writer writer;
static struct offers offers;

static void the_routing_node_killed_the_other_takes_over(void **state)
{
	/* tenant two, routed by b: both agents available and streaming from a, a supervisor's stream on a */
	struct sse sup, s0, s1;
	assert_int_equal(sse_open(&sup, &a, t2.sup, 0), 200);
	assert_int_equal(sse_open(&s0, &a, t2.agents[0], 0), 200);
	assert_int_equal(sse_open(&s1, &a, t2.agents[1], 0), 200);
	presence(&a, t2.agents[0], "available");
	presence(&a, t2.agents[1], "available");
	/* contacts posted through a, while b routes them */
	atomic_bool stop = false;
	pthread_t thread;
	assert_int_equal(load_writer_start(&writer, &a, t2.sup, 0, t2.queue, &stop, &thread), 0);
	while (atomic_load(&writer.n_acked) < 20)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	daemon_kill9(&b);
	int before = atomic_load(&writer.n_acked);
	int64_t took = wait_routing(&a, t2.sup, TAKEOVER_LIMIT_MS);
	fprintf(stderr, "a routes tenant two %lld ms after b was killed (%d contacts acknowledged before)\n", (long long)took,
		before);
	assert_true(took >= 0);
	/* a routes what comes next itself */
	int64_t until = now_ms() + 1000;
	while (atomic_load(&writer.n_acked) < before + 20 && now_ms() < until + 5000)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	atomic_store(&stop, true);
	pthread_join(thread, NULL);
	int acked = atomic_load(&writer.n_acked);
	assert_true(acked >= before + 20);
	note_offers(&sup, &offers, 1500);
	/* every acknowledged contact is there once, and in its queue or offered
	 * (some more may be: committed by b, their answers lost with it) */
	int stored = load_read_back(&a, t2.sup, 1, seen);
	assert_true(stored >= acked);
	for (int i = 0; i < acked; i++) {
		assert_true(seen[0][writer.acked_seq[i]]);
		char path[64];
		struct resp r;
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/routing", writer.acked_ids[i]);
		http_json(&a, "GET", path, t2.sup, NULL, &r);
		assert_int_equal(r.status, 200);
		const char *st = json_string_value(json_object_get(r.json, "state"));
		assert_true(strcmp(st, "waiting") == 0 || strcmp(st, "offered") == 0);
		resp_clear(&r);
	}
	/* two agents of one chat each: two contacts offered, each to one agent only */
	assert_int_equal(offers.doubles, 0);
	assert_true(offers.n >= 2);
	json_t *queues = queue_stats(&a, t2.sup);
	json_t *q = json_array_get(queues, 0);
	assert_int_equal(json_integer_value(json_object_get(q, "waiting")), stored - 2);
	json_decref(queues);
	sse_close(&sup);
	sse_close(&s0);
	sse_close(&s1);
}

static void a_clean_stop_hands_the_routing_over_at_once(void **state)
{
	/* b comes back: a keeps routing tenant one and lets tenant two go to b
	 * again; then a stops cleanly, tells b, and b routes tenant one at once
	 * (within a second: not at its next round) */
	assert_int_equal(start_node(&b, "b"), 0);
	int64_t spread = wait_spread(5000);
	fprintf(stderr, "b routes its share again %lld ms after it started\n", (long long)spread);
	assert_true(spread >= 0);
	assert_true(wait_routing(&b, t1.sup, 3000) >= 0); /* through a */
	assert_true(wait_routing(&b, t2.sup, 3000) >= 0);
	/* a tenant's stream on b sees its own routing from a, and nothing of another tenant's */
	struct sse s;
	assert_int_equal(sse_open(&s, &b, t1.sup, 0), 200);
	long long foreign = new_contact(&b, &t2), own = new_contact(&b, &t1);
	struct sse_event ev = {0};
	bool got_own = false;
	while (!got_own && sse_next(&s, NULL, 5000, &ev)) {
		long long contact = json_integer_value(json_object_get(ev.data, "contact_id"));
		assert_int_not_equal(contact, foreign);
		got_own = contact == own;
	}
	assert_true(got_own);
	json_decref(ev.data);
	sse_close(&s);
	assert_int_equal(daemon_stop(&a), 0);
	int64_t took = wait_routing(&b, t1.sup, 3000);
	fprintf(stderr, "b routes %lld ms after a stopped\n", (long long)took);
	assert_true(took >= 0 && took < 1000);
	long long c = new_contact(&b, &t1);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/routing", c);
	struct resp r;
	http_json(&b, "GET", path, t1.sup, NULL, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	assert_int_equal(leases_held(&b), 2);
}

/* A logout through one node refuses the token on the other at once,
 * though that node had it in its cache. */
static void pause_agent(const struct daemon *d, const char *token)
{
	assert_int_equal(http_status(d, "POST", "/api/v1/agents/me/presence", token, json_pack("{s:s,s:s}", "presence",
		"paused", "reason", "break")), 200);
}

/* An outsourcer's supervisor streaming from b, which does not route tenant one: the
 * events, digests and queues' figures relayed from a are cut to its agent
 * there as on the routing node. */
static void an_outsourcers_stream_on_the_other_node_is_cut_to_its_agents(void **state)
{
	assert_int_equal(http_status(&a, "POST", "/api/v1/organisations", t1.admin, json_pack("{s:s,s:s}", "name", "BPO",
		"kind", "outsourcer")), 201);
	char *bpo_agent, *bpo_sup;
	long long bpo_id = post_id(&a, t1.admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s,s:s}", "email",
		"agent@bpo.example", "name", "BPO agent", "password", PASSWORD, "role", "outsourced_agent", "organisation",
		"BPO"));
	bpo_agent = login(&a, "agent@bpo.example", PASSWORD);
	post_id(&a, t1.admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s,s:s}", "email", "sup@bpo.example", "name",
		"BPO supervisor", "password", PASSWORD, "role", "supervisor", "organisation", "BPO"));
	bpo_sup = login(&a, "sup@bpo.example", PASSWORD);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", bpo_id);
	assert_int_equal(http_status(&a, "PUT", path, t1.admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1,
		"skills", "skill_id", (json_int_t)t1.skill, "proficiency", 5, "capacity", "chat", 1)), 200);
	struct sse so, sdig, sb;
	assert_int_equal(sse_open(&so, &b, bpo_sup, 0), 200);
	assert_int_equal(sse_open(&sdig, &b, bpo_sup, 0), 200);
	assert_int_equal(sse_open(&sb, &b, t1.sup, 0), 200);
	presence(&b, bpo_agent, "available");
	pause_agent(&a, t1.agents[0]); /* the brand's agent, through the routing node */
	presence(&a, t1.agents[0], "available");
	pause_agent(&b, bpo_agent);    /* the last */
	struct sse_event ev = {0};
	int brand = 0, own = 0;
	while (sse_next(&sb, "presence", 5000, &ev)) {
		long long agent = json_integer_value(json_object_get(ev.data, "agent_id"));
		brand += agent == t1.agent_ids[0];
		if (agent == bpo_id && strcmp(json_string_value(json_object_get(ev.data, "presence")), "paused") == 0)
			break;
	}
	assert_int_equal(brand, 2); /* the brand's supervisor on b: both */
	for (;;) {
		assert_true(sse_next(&so, NULL, 5000, &ev));
		long long agent = json_integer_value(json_object_get(ev.data, "agent_id"));
		assert_int_equal(agent, bpo_id);
		own++;
		if (strcmp(ev.type, "presence") == 0 &&
		    strcmp(json_string_value(json_object_get(ev.data, "presence")), "paused") == 0)
			break;
	}
	assert_int_equal(own, 2);
	int digests = 0;
	while (sse_next(&sdig, "agent_states", 2500, &ev)) {
		json_t *agents = json_object_get(ev.data, "agents"), *one;
		size_t i;
		json_array_foreach(agents, i, one)
			assert_int_equal(json_integer_value(json_object_get(one, "user_id")), bpo_id);
		digests += json_array_size(agents) > 0;
	}
	assert_true(digests >= 1);
	/* the queues' figures relayed from a: the BPO's cut, the tenant's one
	 * queue with its agent alone counted; the brand's supervisor's, whole */
	assert_true(sse_next(&sdig, "queue_stats", 3000, &ev));
	json_t *queues = json_object_get(ev.data, "queues");
	assert_int_equal(json_array_size(queues), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(queues, 0), "queue_id")), t1.queue);
	assert_int_equal(queue_agents_counted(json_array_get(queues, 0)), 1);
	assert_true(sse_next(&sb, "queue_stats", 3000, &ev));
	queues = json_object_get(ev.data, "queues");
	assert_int_equal(json_array_size(queues), 1);
	assert_int_equal(queue_agents_counted(json_array_get(queues, 0)), 3); /* its two and the BPO's */
	json_decref(ev.data);
	presence(&b, bpo_agent, "offline"); /* out of the tests after */
	sse_close(&so);
	sse_close(&sdig);
	sse_close(&sb);
	free(bpo_agent);
	free(bpo_sup);
}

static void a_logout_on_one_node_holds_on_the_other(void **state)
{
	char *token = login(&a, "admin@one.example", PASSWORD);
	for (int i = 0; i < 16; i++) /* each of b's workers caches it (a connection goes to any of them) */
		assert_int_equal(http_status(&b, "GET", "/api/v1/me", token, NULL), 200);
	assert_int_equal(http_status(&a, "POST", "/api/v1/auth/logout", token, NULL), 204);
	int64_t start = now_ms();
	int status = 200;
	while ((status = http_status(&b, "GET", "/api/v1/me", token, NULL)) == 200 && now_ms() - start < 1000)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	fprintf(stderr, "b refuses the token %lld ms after the logout on a\n", (long long)(now_ms() - start));
	assert_int_equal(status, 401);
	free(token);
}

/* Guesses at one account spread over the nodes (a load balancer's round
 * robin) are slowed as on one node: each node counts the other's wrong
 * passwords in its throttle. Alone, each would have let its own count of
 * guesses through (3 and 2 of the 5 free ones). */
static void failed_logins_are_counted_over_the_nodes(void **state)
{
	for (int i = 0; i < 5; i++) { /* --max-failed-logins' 5, by turns */
		json_t *guess = json_pack("{s:s,s:s}", "email", "guessed@one.example", "password", "not-the-password");
		assert_int_equal(http_status(i % 2 ? &b : &a, "POST", "/api/v1/auth/login", NULL, guess), 401);
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL); /* the other node hears of it */
	}
	for (int n = 0; n < 2; n++) {
		json_t *guess = json_pack("{s:s,s:s}", "email", "guessed@one.example", "password", "not-the-password");
		assert_int_equal(http_status(n ? &b : &a, "POST", "/api/v1/auth/login", NULL, guess), 429);
	}
}

/* The next event of type on s within 5 s, into ev; line: the caller's. */
static void next_event_at(struct sse *s, const char *type, struct sse_event *ev, int line)
{
	bool got = sse_next(s, type, 5000, ev);
	if (!got)
		fprintf(stderr, "no '%s' event came (line %d)\n", type, line);
	assert_true(got);
}
#define next_event(s, type, ev) next_event_at(s, type, ev, __LINE__)

/* A visitor on b, which does not route tenant one: its chat is made by a (the visitor
 * routes that use the routing engine are handed to it), its stream on b
 * hears the place a computes, and the conversation with an agent on a goes
 * both ways through the relayed chat hub. */
static void a_chat_spans_both_nodes(void **state)
{
	struct resp r;
	struct sse_event ev = {0};
	char path[256], *agent = NULL;
	/* a third agent, the one free for chats; a chat channel on t1's queue */
	long long agent_id = user(t1.admin, "chat-agent@one.example", "agent", &agent);
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", agent_id);
	assert_int_equal(http_status(&a, "PUT", path, t1.admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1,
		"skills", "skill_id", (json_int_t)t1.skill, "proficiency", 5, "capacity", "chat", 1)), 200);
	http_json(&a, "POST", "/api/v1/channels/chat", t1.admin, json_pack("{s:s,s:I,s:[s]}", "name", "web", "queue_id",
		t1.queue, "origins", "https://shop.example"), &r);
	assert_int_equal(r.status, 201);
	char key[64];
	snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(r.json, "key")));
	resp_clear(&r);
	/* the visitor, all on b */
	snprintf(path, sizeof(path), "/chat/v1/%s/visitors", key);
	http_json(&b, "POST", path, NULL, json_object(), &r);
	assert_int_equal(r.status, 201);
	char *visitor = strdup(json_string_value(json_object_get(r.json, "token")));
	resp_clear(&r);
	snprintf(path, sizeof(path), "/chat/v1/%s/chats", key);
	http_json(&b, "POST", path, visitor, json_pack("{s:s}", "message", "hello from b"), &r);
	if (r.status != 201)
		fprintf(stderr, "chat through b: %d %s\n", r.status, r.text);
	assert_int_equal(r.status, 201);
	long long chat = resp_int(&r, "id");
	resp_clear(&r);
	struct sse vs, as, cs;
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/stream", key, chat);
	assert_int_equal(sse_open_path(&vs, &b, path, visitor, 0), 200);
	next_event(&vs, "message", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "body")), "hello from b");
	next_event(&vs, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "waiting");
	/* the place comes from a, the routing node */
	next_event(&vs, "wait", &ev);
	assert_int_equal(json_integer_value(json_object_get(ev.data, "position")), 1);
	/* the agent, on a, takes it through b: the visitor on b hears it */
	assert_int_equal(sse_open(&as, &a, agent, 0), 200);
	presence(&a, agent, "available");
	expect_offer(&as, chat, agent_id);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", chat);
	assert_int_equal(http_status(&b, "POST", path, agent, NULL), 200);
	next_event(&vs, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "assigned");
	/* the agent's chat stream on a: the visitor's messages from b, live */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/chat/stream", chat);
	assert_int_equal(sse_open_path(&cs, &a, path, agent, 0), 200);
	next_event(&cs, "message", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "body")), "hello from b");
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/messages", key, chat);
	http_json(&b, "POST", path, visitor, json_pack("{s:s,s:s}", "body", "still there?", "client_id", "v-1"), &r);
	assert_int_equal(r.status, 201);
	long long second = resp_int(&r, "id");
	resp_clear(&r);
	next_event(&cs, "message", &ev);
	assert_int_equal(ev.id, second);
	/* typing from a reaches b, and the agent's reply posted on a */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/chat/typing", chat);
	assert_int_equal(http_status(&a, "POST", path, agent, json_pack("{s:b}", "on", 1)), 204);
	next_event(&vs, "typing", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "from")), "agent");
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/messages", chat);
	http_json(&a, "POST", path, agent, json_pack("{s:s,s:s}", "body", "yes, from a", "direction", "outbound"), &r);
	assert_int_equal(r.status, 201);
	long long reply = resp_int(&r, "id");
	resp_clear(&r);
	next_event(&vs, "message", &ev);
	assert_int_equal(ev.id, reply);
	assert_string_equal(json_string_value(json_object_get(ev.data, "body")), "yes, from a");
	/* the visitor's stream on b told a that it got it */
	next_event(&cs, "mark", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "delivered");
	assert_int_equal(json_integer_value(json_object_get(ev.data, "up_to")), reply);
	/* a cut of the link between the nodes: what b's visitor may have missed
	   meanwhile comes when its stream, ended when the link is back, is
	   opened again after the last id it got; nothing twice */
	long long last = ev.id, seen_reply = 0;
	natsserver_pause(&nats);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/messages", chat);
	http_json(&a, "POST", path, agent, json_pack("{s:s,s:s}", "body", "said during the cut", "direction", "outbound"),
		  &r);
	assert_int_equal(r.status, 201);
	long long during = resp_int(&r, "id");
	resp_clear(&r);
	assert_true(during > reply);
	assert_int_equal(natsserver_resume(&nats), 0);
	assert_true(sse_ended(&vs, 10000));
	while (sse_next(&vs, "message", 0, &ev)) { /* what came before the end */
		seen_reply += ev.id == during;
		last = ev.id;
	}
	sse_close(&vs);
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/stream", key, chat);
	assert_int_equal(sse_open_path(&vs, &b, path, visitor, last), 200);
	while (sse_next(&vs, "message", 1000, &ev))
		seen_reply += ev.id == during;
	assert_int_equal(seen_reply, 1);
	/* a's streams were ended too: the agent's opens again */
	assert_true(sse_ended(&cs, 10000));
	sse_close(&cs);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/chat/stream", chat);
	assert_int_equal(sse_open_path(&cs, &a, path, agent, during), 200);
	next_event(&cs, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "assigned");
	/* the visitor ends it through b: the agent's side on a hears it */
	snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/end", key, chat);
	http_json(&b, "POST", path, visitor, NULL, &r);
	assert_true(r.status == 200 || r.status == 204);
	resp_clear(&r);
	next_event(&cs, "state", &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "state")), "ended");
	json_decref(ev.data);
	sse_close(&vs);
	sse_close(&as);
	sse_close(&cs);
	free(visitor);
	free(agent);
}

/* A provider's webhook reaching b, which does not route tenant one: handed to a with
 * its signature's headers, checked there; the message becomes a contact
 * that a routes, and the same provider id again is taken once. */
static void an_sms_webhook_on_the_other_node_is_routed(void **state)
{
	struct resp r;
	long long queue = post_id(&a, t1.admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "sms", "skill_id",
		(json_int_t)t1.skill, "channel", "sms"));
	http_json(&a, "POST", "/api/v1/channels/messaging", t1.admin, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}",
		"name", "sms", "provider", "generic", "kind", "sms", "public_url", b.url, "api_url", "http://127.0.0.1:9",
		"address", "+15550001", "secret", "hook-secret", "queue_id", (json_int_t)queue), &r);
	assert_int_equal(r.status, 201);
	char path[128], stamp[32], sig[GENERIC_SIGNATURE_LEN], headers[256];
	snprintf(path, sizeof(path), "/hooks/v1/messaging/%s", json_string_value(json_object_get(r.json, "public_key")));
	resp_clear(&r);
	const char *msg = "{\"id\":\"c-1\",\"from\":\"+15550002\",\"to\":\"+15550001\",\"text\":\"my line is down\","
			  "\"timestamp\":1}";
	snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
	generic_signature("hook-secret", stamp, msg, strlen(msg), sig);
	snprintf(headers, sizeof(headers), "X-Guichet-Timestamp: %s\nX-Guichet-Signature: %s", stamp, sig);
	http_raw_headers(&b, "POST", path, NULL, headers, msg, &r);
	if (r.status != 200)
		fprintf(stderr, "webhook through b: %d %s\n", r.status, r.text);
	assert_int_equal(r.status, 200);
	long long contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	char routing[64];
	snprintf(routing, sizeof(routing), "/api/v1/contacts/%lld/routing", contact);
	http_json(&b, "GET", routing, t1.sup, NULL, &r);
	assert_int_equal(r.status, 200);
	const char *st = json_string_value(json_object_get(r.json, "state"));
	assert_true(strcmp(st, "waiting") == 0 || strcmp(st, "offered") == 0);
	resp_clear(&r);
	/* the same provider id again, through a this time: taken once */
	http_raw_headers(&a, "POST", path, NULL, headers, msg, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "contact_id"), contact);
	resp_clear(&r);
	/* a wrong signature through b: refused by a, nothing stored */
	snprintf(headers, sizeof(headers), "X-Guichet-Timestamp: %s\nX-Guichet-Signature: %064d", stamp, 0);
	http_raw_headers(&b, "POST", path, NULL, headers, msg, &r);
	assert_int_equal(r.status, 401);
	resp_clear(&r);
}

/* A new agent of t with a profile, available (set through a, which hands
 * it to t's routing node): its id, its token in *ret_token, its profile's
 * path in path. */
static long long available_agent(const struct tenant *t, const char *email, char **ret_token, char path[64])
{
	long long id = user(t->admin, email, "agent", ret_token);
	snprintf(path, 64, "/api/v1/agents/%lld", id);
	assert_int_equal(http_status(&a, "PUT", path, t->admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1,
		"skills", "skill_id", (json_int_t)t->skill, "proficiency", 5, "capacity", "chat", 1)), 200);
	presence(&a, *ret_token, "available");
	return id;
}

/* The agent at path is offline on t's routing node d: stored and live. */
static void offline_on(const struct daemon *d, const struct tenant *t, const char *path)
{
	struct resp r;
	http_json(d, "GET", path, t->sup, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")), "offline");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "live"), "presence")), "offline");
	resp_clear(&r);
}

/* A platform admin gives an agent of tenant one, available on the routing
 * node, a role that takes no contacts, through the other node: the grant is
 * handed to the node routing that tenant, which takes the agent out of its
 * routing at once (it answered 503 on the node that does not route it). */
static void a_role_granted_on_the_other_node_takes_the_agent_off_duty(void **state)
{
	char *token = NULL, path[64];
	available_agent(&t1, "writer@one.example", &token, path);
	struct resp r;
	http_json(&b, "POST", "/api/v1/memberships", t1.admin, json_pack("{s:s,s:s,s:s}", "email",
		"writer@one.example", "tenant", "one", "role", "author"), &r);
	if (r.status != 200)
		fprintf(stderr, "grant through b: %d %s\n", r.status, r.text);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	offline_on(&a, &t1, path);
	free(token);
}

/* An agent of tenant two available on its routing node, b, logs out
 * through a: the logout is handed to b, which takes the agent out of the
 * routing (src/daemon/router.h, router_signed_out). */
static void a_logout_on_the_other_node_signs_the_agent_out(void **state)
{
	char *token = NULL, path[64];
	available_agent(&t2, "leaver@two.example", &token, path);
	assert_int_equal(http_status(&a, "POST", "/api/v1/auth/logout", token, NULL), 204);
	offline_on(&b, &t2, path);
	free(token);
}

/* The presence of the agent at path on node d, as its routing sees it. */
static const char *live_presence(const struct daemon *d, const struct tenant *t, const char *path, char buf[16])
{
	struct resp r;
	http_json(d, "GET", path, t->sup, NULL, &r);
	assert_int_equal(r.status, 200);
	snprintf(buf, 16, "%s", json_string_value(json_object_get(json_object_get(r.json, "live"), "presence")));
	resp_clear(&r);
	return buf;
}

/* An agent's desk open on the node that does not route its tenant keeps
 * the agent at work beyond the grace (the nodes tell each other which desks
 * they serve); once it closes, the routing node signs the agent out. Both
 * nodes with --desk-grace 2: a restarted and routing, b restarted after it. */
static void a_desk_on_the_other_node_keeps_the_agent(void **state)
{
	assert_int_equal(daemon_start(&a, "--nats", nats.url, "--node", "a", "--desk-grace", "2", NULL), 0);
	assert_true(wait_spread(5000) >= 0); /* b lets tenant two go to a */
	/* a clean stop closes the link to the other nodes: no error for an alert to fire on */
	FILE *f = fopen(b.log, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END); /* what the log says from the stop on */
	long before = ftell(f);
	assert_int_equal(daemon_stop(&b), 0);
	clearerr(f);
	fseek(f, before, SEEK_SET);
	char line[2048];
	bool stopped = false;
	while (fgets(line, sizeof(line), f)) {
		assert_null(strstr(line, "lost the link to the other nodes"));
		stopped |= strstr(line, "stopped") != NULL;
	}
	fclose(f);
	assert_true(stopped);
	assert_true(wait_routing(&a, t1.sup, 3000) >= 0);
	assert_int_equal(daemon_start(&b, "--nats", nats.url, "--node", "b", "--desk-grace", "2", NULL), 0);
	assert_true(wait_spread(5000) >= 0); /* a keeps tenant one */
	char *token = NULL, path[64], buf[16];
	long long id = post_id(&a, t1.admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "desk@one.example",
		"name", "desk", "password", PASSWORD, "role", "agent"));
	token = login(&b, "desk@one.example", PASSWORD);
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", id);
	assert_int_equal(http_status(&a, "PUT", path, t1.admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1,
		"skills", "skill_id", (json_int_t)t1.skill, "proficiency", 5, "capacity", "chat", 0)), 200);
	struct sse s;
	assert_int_equal(sse_open(&s, &b, token, 0), 200);
	presence(&b, token, "available");
	sleep(6); /* past the grace and a report's life */
	assert_string_equal(live_presence(&a, &t1, path, buf), "available");
	sse_close(&s);
	for (int i = 0; i < 100 && strcmp(live_presence(&a, &t1, path, buf), "available") == 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	assert_string_equal(buf, "offline");
	free(token);
}

/* A client spreading its self-service requests over both nodes gets one
 * allowance (--public-per-minute, 60), not one per node: each node tells
 * the other the requests it let through. */
static void the_self_service_allowance_is_counted_over_the_nodes(void **state)
{
	int let_through = 0, refused_at = 0;
	for (int i = 1; i <= 130 && refused_at == 0; i++) {
		struct resp r;
		http_raw(i % 2 ? &a : &b, "GET", "/public/v1/tenants/1/kb/search?q=invoice", NULL, NULL, NULL, NULL, 0, &r);
		if (r.status == 429) {
			refused_at = i;
			assert_true(atoi(r.retry_after) >= 1);
		} else {
			let_through++;
		}
		resp_clear(&r);
	}
	fprintf(stderr, "%d self-service requests let through by the two nodes, then 429\n", let_through);
	assert_true(refused_at > 0);
	/* 60 on one node; the other's count reaches it a moment later (NATS) */
	assert_true(let_through >= 60 && let_through <= 63);
}

int main(void)
{
	setenv("GUICHET_TEST_ENGINE", "postgresql", 1); /* several nodes share one PostgreSQL database */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(offers_cross_nodes_both_ways),
		cmocka_unit_test(an_outsourcers_stream_on_the_other_node_is_cut_to_its_agents),
		cmocka_unit_test(a_logout_on_one_node_holds_on_the_other),
		cmocka_unit_test(failed_logins_are_counted_over_the_nodes),
		cmocka_unit_test(a_chat_spans_both_nodes),
		cmocka_unit_test(an_sms_webhook_on_the_other_node_is_routed),
		cmocka_unit_test(a_role_granted_on_the_other_node_takes_the_agent_off_duty),
		cmocka_unit_test(a_logout_on_the_other_node_signs_the_agent_out),
		cmocka_unit_test(the_routing_node_killed_the_other_takes_over),
		cmocka_unit_test(a_clean_stop_hands_the_routing_over_at_once),
		cmocka_unit_test(a_desk_on_the_other_node_keeps_the_agent),
		cmocka_unit_test(the_self_service_allowance_is_counted_over_the_nodes),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
