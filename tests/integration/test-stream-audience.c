/* Who receives what on the live stream (GET /api/v1/events) when a brand's
 * queues are answered by its own agent and an outsourcer's (BPO) agent,
 * through the real daemon on the run's engine.
 *
 * The brand's agent serves "front", the BPO's agent "back". fc waits in
 * front and is answered by the brand's agent; bc in back by the BPO's
 * agent, who hands it to the brand's agent by name; the brand's agent
 * answers it after fc. The BPO's supervisor's stream carries its agent's
 * events (the transfer without the brand's agent), none naming the brand's
 * agent by id, email or contact, and none naming no agent (a contact
 * waiting in the brand's queues); its digests name its agent alone; its
 * queues' figures are the queue its agent serves, counting its agent alone,
 * on the stream and from GET /api/v1/queues/stats (its agent's too). The
 * same holds when it resumes with a Last-Event-ID (the events then come
 * from the store). The brand's supervisor gets everything. While a stream
 * stays open, a new agent placed in the BPO is in it, and the supervisor's
 * role decides again: a tenant admin sees every agent, a supervisor again
 * its own. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASSWORD "audience pass"

static struct daemon d;
static char *admin, *brand_agent, *bpo_agent, *bpo_sup, *brand_sup;
static long long brand_id, bpo_id, bpo_sup_id, front, back, fc, bc, customer;

#define call(...) http_expect(&d, __VA_ARGS__)

static void ok(const char *method, const char *token, json_t *body, const char *fmt, long long id)
{
	struct resp r;
	call(method, token, 200, body, &r, fmt, id);
	resp_clear(&r);
}

static char *user(const char *email, const char *role, const char *org, long long *ret_id)
{
	json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email, "password", PASSWORD, "role", role);
	if (org)
		json_object_set_new(body, "organisation", json_string(org));
	*ret_id = post_id(&d, admin, "/api/v1/users", body);
	return login(&d, email, PASSWORD);
}

static void profile(long long user_id, long long skill)
{
	ok("PUT", admin, json_pack("{s:[{s:I,s:i}],s:{s:i}}", "skills", "skill_id", (json_int_t)skill, "proficiency", 5,
				   "capacity", "chat", 1), "/api/v1/agents/%lld", user_id);
}

static void presence(const char *token, const char *p)
{
	json_t *body = json_pack("{s:s}", "presence", p);
	if (strcmp(p, "paused") == 0)
		json_object_set_new(body, "reason", json_string("break"));
	ok("POST", token, body, "/api/v1/agents/me/presence%.0lld", 0);
}

static long long contact(long long queue)
{
	return post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I,s:I}", "channel", "chat", "subject", "s",
		"customer_id", (json_int_t)customer, "queue_id", (json_int_t)queue));
}

static long long n_of(const json_t *o, const char *name)
{
	return (long long)json_integer_value(json_object_get(o, name));
}

/* Waits for an event of type on s naming agent (and contact when not 0). */
static void wait_for(struct sse *s, const char *type, long long agent, long long contact_id)
{
	struct sse_event ev = {0};
	while (sse_next(s, type, 5000, &ev))
		if (n_of(ev.data, "agent_id") == agent && (contact_id == 0 || n_of(ev.data, "contact_id") == contact_id)) {
			json_decref(ev.data);
			return;
		}
	fail_msg("no '%s' of agent %lld came", type, agent);
}

static int setup(void **state)
{
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	if (http_status(&d, "POST", "/api/v1/organisations", admin, json_pack("{s:s,s:s}", "name", "BPO", "kind",
										"outsourcer")) != 201)
		return -1;
	brand_agent = user("agent@one.example", "agent", NULL, &brand_id);
	bpo_agent = user("agent@bpo.example", "outsourced_agent", "BPO", &bpo_id);
	bpo_sup = user("sup@bpo.example", "supervisor", "BPO", &bpo_sup_id);
	long long brand_sup_id;
	brand_sup = user("sup@one.example", "supervisor", NULL, &brand_sup_id);
	long long fskill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "front-skill"));
	long long bskill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "back-skill"));
	front = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "front", "skill_id",
		(json_int_t)fskill, "channel", "chat"));
	back = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "back", "skill_id",
		(json_int_t)bskill, "channel", "chat"));
	profile(brand_id, fskill);
	profile(bpo_id, bskill);
	customer = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "external_id", "C-1"));
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(brand_agent);
	free(bpo_agent);
	free(bpo_sup);
	free(brand_sup);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* What a stream carried up to the marker (the BPO agent's pause at the
 * end of the day's work). */
struct seen {
	int n, offered, accepted, transferred, presence;
	long long first_id, marker_id;
	bool brand_agent, brand_contact, no_agent, to_brand;
	char *text;             /* every event's data, one after the other */
};

static void seen_clear(struct seen *s)
{
	free(s->text);
	memset(s, 0, sizeof(*s));
}

static void read_day(struct sse *s, struct seen *ret)
{
	struct sse_event ev = {0};
	memset(ret, 0, sizeof(*ret));
	while (sse_next(s, NULL, 5000, &ev)) {
		char *data = json_dumps(ev.data, JSON_COMPACT);
		assert_non_null(data);
		size_t len = ret->text ? strlen(ret->text) : 0;
		ret->text = realloc(ret->text, len + strlen(data) + 2);
		snprintf(ret->text + len, strlen(data) + 2, "%s\n", data);
		free(data);
		if (ev.id && ret->first_id == 0)
			ret->first_id = ev.id;
		ret->n++;
		long long agent = n_of(ev.data, "agent_id"), contact_id = n_of(ev.data, "contact_id");
		ret->brand_agent |= agent == brand_id;
		ret->no_agent |= agent == 0;
		ret->brand_contact |= contact_id == fc;
		ret->to_brand |= n_of(ev.data, "to_agent_id") == brand_id;
		ret->offered += strcmp(ev.type, "offered") == 0;
		ret->accepted += strcmp(ev.type, "accepted") == 0;
		ret->transferred += strcmp(ev.type, "transferred") == 0;
		ret->presence += strcmp(ev.type, "presence") == 0;
		if (strcmp(ev.type, "presence") == 0 && agent == bpo_id &&
		    strcmp(json_string_value(json_object_get(ev.data, "presence")), "paused") == 0) {
			ret->marker_id = ev.id;
			json_decref(ev.data);
			return;
		}
	}
	fail_msg("the day's last event did not come (%d before)", ret->n);
}

/* The BPO's supervisor's view of the day: its agent's events alone. */
static void outsourcer_sees_its_own(const struct seen *s)
{
	assert_false(s->brand_agent);
	assert_false(s->brand_contact);
	assert_false(s->no_agent);
	assert_false(s->to_brand);
	assert_null(strstr(s->text, "agent@one.example"));
	assert_int_equal(s->offered, 1);     /* bc to the BPO's agent */
	assert_int_equal(s->accepted, 1);
	assert_int_equal(s->transferred, 1); /* bc handed on, to nobody it knows */
	assert_int_equal(s->presence, 2);    /* available, then paused */
}

static void brand_sees_everything(const struct seen *s)
{
	assert_true(s->brand_agent);
	assert_true(s->brand_contact);
	assert_true(s->no_agent); /* the contacts enqueued */
	assert_true(s->to_brand);
	assert_int_equal(s->offered, 3); /* fc, bc to the BPO's agent, bc to the brand's */
	assert_int_equal(s->accepted, 3);
	assert_int_equal(s->transferred, 1);
	assert_int_equal(s->presence, 3);
}

/* The BPO's cut of the queues' figures: the queue its agent serves, its
 * agent alone counted (not the brand's "front", nor the brand's agent). */
static void its_cut(const json_t *stats)
{
	json_t *queues = json_object_get(stats, "queues");
	assert_int_equal(json_array_size(queues), 1);
	assert_int_equal(n_of(json_array_get(queues, 0), "queue_id"), back);
	assert_int_equal(queue_agents_counted(json_array_get(queues, 0)), 1);
	assert_non_null(json_object_get(json_array_get(queues, 0), "service_level"));
}

static struct seen live_o, live_b;

static void each_supervisor_sees_its_agents(void **state)
{
	struct sse so, sdig, sb, sctl;
	assert_int_equal(sse_open(&so, &d, bpo_sup, 0), 200);
	assert_int_equal(sse_open(&sdig, &d, bpo_sup, 0), 200); /* its wallboard's per-second frames */
	assert_int_equal(sse_open(&sb, &d, brand_sup, 0), 200);
	assert_int_equal(sse_open(&sctl, &d, brand_sup, 0), 200); /* the test's, to wait for the offers */
	presence(brand_agent, "available");
	presence(bpo_agent, "available");
	fc = contact(front);
	wait_for(&sctl, "offered", brand_id, fc);
	ok("POST", brand_agent, NULL, "/api/v1/contacts/%lld/accept", fc);
	bc = contact(back);
	wait_for(&sctl, "offered", bpo_id, bc);
	ok("POST", bpo_agent, NULL, "/api/v1/contacts/%lld/accept", bc);
	/* handed to the brand's agent by name: it waits for them */
	ok("POST", bpo_agent, json_pack("{s:I,s:I,s:s}", "queue_id", (json_int_t)front, "agent_id", (json_int_t)brand_id,
					"reason", "the brand's side"), "/api/v1/contacts/%lld/transfer", bc);
	ok("POST", brand_agent, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "fixed"),
	   "/api/v1/contacts/%lld/wrapup", fc);
	wait_for(&sctl, "offered", brand_id, bc); /* once its wrap-up ended */
	ok("POST", brand_agent, NULL, "/api/v1/contacts/%lld/accept", bc);
	ok("POST", brand_agent, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "fixed"),
	   "/api/v1/contacts/%lld/wrapup", bc);
	presence(bpo_agent, "paused"); /* the marker: the day's last event */
	sse_close(&sctl);
	read_day(&sb, &live_b);
	brand_sees_everything(&live_b);
	sse_close(&sb);
	read_day(&so, &live_o);
	outsourcer_sees_its_own(&live_o);
	/* its wallboard: the agents' digests name its agent alone, the
	 * queues' figures are there, both queues */
	struct sse_event ev = {0};
	int digests = 0, with_its_agent = 0;
	while (sse_next(&sdig, "agent_states", 2500, &ev)) {
		digests++;
		json_t *agents = json_object_get(ev.data, "agents"), *a;
		size_t i;
		assert_true(json_is_integer(json_object_get(ev.data, "seq")));
		json_array_foreach(agents, i, a) {
			assert_int_equal(n_of(a, "user_id"), bpo_id);
			with_its_agent++;
		}
	}
	assert_true(digests >= 1);
	assert_true(with_its_agent >= 1);
	assert_true(sse_next(&so, "queue_stats", 3000, &ev));
	its_cut(ev.data);
	json_decref(ev.data);
	ev.data = NULL; /* sse_next lets go of the last event's data */
	sse_close(&so);
	sse_close(&sdig);
	/* the brand's supervisor's figures: both queues, each with its agent */
	assert_int_equal(sse_open(&sb, &d, brand_sup, 0), 200);
	assert_true(sse_next(&sb, "queue_stats", 3000, &ev));
	json_t *queues = json_object_get(ev.data, "queues");
	assert_int_equal(json_array_size(queues), 2);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(queue_agents_counted(json_array_get(queues, i)), 1);
	json_decref(ev.data);
	ev.data = NULL;
	sse_close(&sb);
	/* and the same through GET /api/v1/queues/stats, an outsourced agent's too */
	struct resp r;
	call("GET", bpo_sup, 200, NULL, &r, "/api/v1/queues/stats");
	its_cut(r.json);
	resp_clear(&r);
	call("GET", bpo_agent, 200, NULL, &r, "/api/v1/queues/stats");
	its_cut(r.json);
	resp_clear(&r);
	call("GET", brand_sup, 200, NULL, &r, "/api/v1/queues/stats");
	assert_int_equal(json_array_size(json_object_get(r.json, "queues")), 2);
	resp_clear(&r);
}

/* Reconnecting with an id before the whole day (Last-Event-ID 0): read
 * from the store, cut the same way; the brand's supervisor's, whole. */
static void a_resumed_stream_is_cut_the_same_way(void **state)
{
	struct sse so, sb;
	struct seen again;
	assert_int_equal(sse_open_path(&so, &d, "/api/v1/events?last_event_id=0", bpo_sup, 0), 200);
	read_day(&so, &again);
	outsourcer_sees_its_own(&again);
	assert_int_equal(again.n, live_o.n);
	assert_int_equal(again.marker_id, live_o.marker_id);
	seen_clear(&again);
	sse_close(&so);
	assert_int_equal(sse_open_path(&sb, &d, "/api/v1/events?last_event_id=0", brand_sup, 0), 200);
	read_day(&sb, &again);
	brand_sees_everything(&again);
	assert_int_equal(again.n, live_b.n);
	seen_clear(&again);
	sse_close(&sb);
	seen_clear(&live_o);
	seen_clear(&live_b);
}

/* Reads s up to the BPO agent's next presence (the marker set after
 * agent's): whether agent's came before. */
static bool presence_before_marker(struct sse *s, long long agent)
{
	struct sse_event ev = {0};
	bool seen = false;
	while (sse_next(s, "presence", 5000, &ev)) {
		if (n_of(ev.data, "agent_id") == bpo_id) {
			json_decref(ev.data);
			return seen;
		}
		seen |= n_of(ev.data, "agent_id") == agent;
	}
	fail_msg("no presence of the BPO's agent came");
	return false;
}

static void changes_of_who_manages_whom_apply_to_an_open_stream(void **state)
{
	struct sse so;
	assert_int_equal(sse_open(&so, &d, bpo_sup, 0), 200);
	/* a new agent of the BPO: in its supervisor's stream at once */
	long long newcomer_id;
	char *newcomer = user("new@bpo.example", "outsourced_agent", "BPO", &newcomer_id);
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/skills%s", "");
	profile(newcomer_id, n_of(json_array_get(json_object_get(r.json, "items"), 0), "id"));
	resp_clear(&r);
	presence(newcomer, "available");
	presence(bpo_agent, "available");
	assert_true(presence_before_marker(&so, newcomer_id));
	presence(newcomer, "offline");
	free(newcomer);
	/* its supervisor made a tenant admin: every agent, on the same stream */
	ok("POST", admin, json_pack("{s:s}", "role", "tenant_admin"), "/api/v1/users/%lld/role", bpo_sup_id);
	presence(brand_agent, "paused");
	presence(bpo_agent, "paused");
	assert_true(presence_before_marker(&so, brand_id));
	/* and a supervisor again: its own agents' alone */
	ok("POST", admin, json_pack("{s:s}", "role", "supervisor"), "/api/v1/users/%lld/role", bpo_sup_id);
	presence(brand_agent, "available");
	presence(bpo_agent, "available");
	assert_false(presence_before_marker(&so, brand_id));
	assert_false(sse_ended(&so, 0));
	sse_close(&so);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_supervisor_sees_its_agents),
		cmocka_unit_test(a_resumed_stream_is_cut_the_same_way),
		cmocka_unit_test(changes_of_who_manages_whom_apply_to_an_open_stream),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
