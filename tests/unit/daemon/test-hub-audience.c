/* What each audience of a live stream reads from the hub (src/daemon/hub.c,
 * struct hub_audience): an agent its own events and calls; the brand's
 * supervisors every one of the tenant; an outsourcer's supervisor those
 * naming the agents it manages, none naming no agent, a transfer of theirs
 * to an agent it does not manage without that agent, its organisation's
 * cut of the queues' figures (and none of the others' cuts) and each
 * agents' digest cut to its agents under the same number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hub.h"

static const int64_t bpo[] = {3, 5}; /* the agents the outsourcer's supervisor manages */
static const struct hub_audience outsourcer = {.managed_only = true, .managed = bpo, .n_managed = 2,
					       .organisation_id = 7};
static const struct hub_audience brand = {0};

struct seen {
	int n;
	char text[4096]; /* every frame read, one after the other */
};

static void collect(const char *frame, size_t len, void *arg)
{
	struct seen *s = arg;
	s->n++;
	size_t used = strlen(s->text);
	snprintf(s->text + used, sizeof(s->text) - used, "%.*s", (int)len, frame);
}

static struct hub_event event(int64_t id, int64_t tenant, int64_t agent, const char *type, const char *data)
{
	char *frame = NULL;
	int len = asprintf(&frame, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)id, type, data);
	assert_true(len > 0);
	return (struct hub_event){.id = id, .tenant_id = tenant, .agent_id = agent, .frame = frame, .len = (size_t)len};
}

/* The data of the one frame in text, parsed. */
static json_t *data_of(const char *text)
{
	const char *data = strstr(text, "data: ");
	assert_non_null(data);
	json_error_t err;
	json_t *v = json_loadb(data + 6, strcspn(data + 6, "\n"), 0, &err);
	if (v == NULL)
		fail_msg("not JSON (%s): %s", err.text, data + 6);
	return v;
}

static void each_audience_reads_its_agents_events(void **state)
{
	struct hub *h = hub_new();
	struct hub_event evs[] = {
		event(1, 1, 0, "enqueued", "{\"contact_id\":1,\"queue_id\":1,\"by\":\"admin@brand.example\"}"),
		event(2, 1, 3, "offered", "{\"contact_id\":1,\"agent_id\":3}"),
		event(3, 1, 4, "offered", "{\"contact_id\":2,\"agent_id\":4}"),
		event(4, 2, 5, "presence", "{\"agent_id\":5}"), /* another tenant's, an agent of the same id */
		event(5, 1, 5, "presence", "{\"agent_id\":5}"),
		event(6, 1, 0, "overflowed", "{\"contact_id\":7,\"queue_id\":1}"),
	};
	hub_publish(h, evs, sizeof(evs) / sizeof(evs[0]));
	struct seen o = {0}, b = {0}, a = {0};
	int64_t co = 0, cb = 0, ca = 0;
	assert_true(hub_read(h, 1, &outsourcer, &co, collect, &o));
	assert_true(hub_read(h, 1, &brand, &cb, collect, &b));
	assert_true(hub_read(h, 1, &(struct hub_audience){.agent_id = 4}, &ca, collect, &a));
	assert_int_equal(o.n, 2); /* 3's offer and 5's presence: nothing of agent 4, nothing naming no agent */
	assert_non_null(strstr(o.text, "id: 2\n"));
	assert_non_null(strstr(o.text, "id: 5\n"));
	assert_null(strstr(o.text, "\"contact_id\":2"));
	assert_null(strstr(o.text, "admin@brand.example"));
	assert_int_equal(b.n, 5); /* every event of tenant 1 */
	assert_int_equal(a.n, 1);
	assert_non_null(strstr(a.text, "id: 3\n"));
	assert_int_equal(co, 6); /* every cursor moves past what it was not given */
	assert_int_equal(cb, 6);
	assert_int_equal(ca, 6);
	/* an outsourcer's supervisor who manages nobody in the tenant reads nothing */
	struct seen none = {0};
	int64_t cn = 0;
	assert_true(hub_read(h, 1, &(struct hub_audience){.managed_only = true}, &cn, collect, &none));
	assert_int_equal(none.n, 0);
	assert_int_equal(cn, 6);
	hub_free(h);
}

static void a_transfer_to_an_agent_it_does_not_manage_comes_without_that_agent(void **state)
{
	struct hub *h = hub_new();
	struct hub_event evs[] = {
		/* 3 hands a contact to 4 (the brand's), the reason quoting the key */
		event(1, 1, 3, "transferred", "{\"to_queue_id\":2,\"to_queue\":\"b\",\"reason\":\"see \\\"to_agent_id\\\":4\","
					      "\"to_agent_id\":4,\"at\":\"x\",\"contact_id\":9,\"agent_id\":3,\"queue_id\":1}"),
		/* 3 hands one to 5 (its own) */
		event(2, 1, 3, "transferred", "{\"to_queue_id\":2,\"to_agent_id\":5,\"contact_id\":10,\"agent_id\":3}"),
		/* the key last */
		event(3, 1, 5, "transferred", "{\"contact_id\":11,\"agent_id\":5,\"to_agent_id\":4}"),
		/* 4 hands one to 3: the brand's agent's act, not shown */
		event(4, 1, 4, "transferred", "{\"to_queue_id\":2,\"to_agent_id\":3,\"contact_id\":12,\"agent_id\":4}"),
	};
	hub_publish(h, evs, 4);
	struct seen one = {0};
	int64_t cursor = 0;
	assert_true(hub_read(h, 1, &outsourcer, &cursor, collect, &one));
	assert_int_equal(one.n, 3);
	assert_null(strstr(one.text, "\"contact_id\":12"));
	/* each frame apart: valid, and naming agent 4 nowhere but in the reason's words */
	const char *frames[3];
	frames[0] = one.text;
	frames[1] = strstr(frames[0], "\n\nid: ") + 2;
	frames[2] = strstr(frames[1], "\n\nid: ") + 2;
	json_t *first = data_of(frames[0]), *second = data_of(frames[1]), *third = data_of(frames[2]);
	assert_null(json_object_get(first, "to_agent_id"));
	assert_string_equal(json_string_value(json_object_get(first, "reason")), "see \"to_agent_id\":4");
	assert_int_equal(json_integer_value(json_object_get(first, "contact_id")), 9);
	assert_int_equal(json_integer_value(json_object_get(second, "to_agent_id")), 5);
	assert_null(json_object_get(third, "to_agent_id"));
	assert_int_equal(json_integer_value(json_object_get(third, "agent_id")), 5);
	json_decref(first);
	json_decref(second);
	json_decref(third);
	/* the brand's supervisors read every transfer whole */
	struct seen all = {0};
	cursor = 0;
	assert_true(hub_read(h, 1, &brand, &cursor, collect, &all));
	assert_int_equal(all.n, 4);
	assert_non_null(strstr(all.text, ",\"to_agent_id\":4,\"at\""));
	/* a frame read from the store is cut the same way */
	struct seen stored = {0};
	const char *row = "id: 9\nevent: transferred\ndata: {\"to_agent_id\":4,\"contact_id\":9,\"agent_id\":3}\n\n";
	hub_audience_frame(&outsourcer, 3, row, strlen(row), collect, &stored);
	hub_audience_frame(&outsourcer, 4, row, strlen(row), collect, &stored); /* 4's: left out */
	hub_audience_frame(&outsourcer, 0, row, strlen(row), collect, &stored); /* no agent's: left out */
	assert_int_equal(stored.n, 1);
	assert_string_equal(stored.text, "id: 9\nevent: transferred\ndata: {\"contact_id\":9,\"agent_id\":3}\n\n");
	hub_free(h);
}

#define QUEUES "event: queue_stats\ndata: {\"queues\":[{\"queue_id\":1,\"waiting\":2},{\"queue_id\":2,\"waiting\":0}]}\n\n"
/* the cuts: organisation 7's agents serve queue 2 alone; 8's queue 1; 0, an organisation with none */
#define CUT7 "event: queue_stats\ndata: {\"queues\":[{\"queue_id\":2,\"waiting\":0}]}\n\n"
#define CUT8 "event: queue_stats\ndata: {\"queues\":[{\"queue_id\":1,\"waiting\":2}]}\n\n"
#define CUT0 "event: queue_stats\ndata: {\"queues\":[]}\n\n"
#define CUTS HUB_CUT "8\n" CUT8 HUB_CUT "7\n" CUT7 HUB_CUT "0\n" CUT0

static void the_digest_is_cut_to_the_agents_it_manages_under_the_same_number(void **state)
{
	struct hub *h = hub_new();
	hub_publish_stats(h, 1, strdup(QUEUES "event: agent_states\ndata: {\"seq\":41,\"agents\":[{\"user_id\":3,\"live\":"
				      "{\"presence\":\"available\",\"contacts\":[]}},{\"user_id\":4,\"live\":{\"presence\":"
				      "\"busy\",\"contacts\":[{\"contact_id\":77}]}},{\"user_id\":5,\"live\":{\"presence\":"
				      "\"paused\",\"reason\":\"break\"}}]}\n\n" CUTS));
	struct seen o = {0}, b = {0};
	uint64_t go = 0, gb = 0;
	hub_read_stats(h, 1, &outsourcer, &go, collect, &o);
	hub_read_stats(h, 1, &brand, &gb, collect, &b);
	assert_int_equal(b.n, 1);
	assert_non_null(strstr(b.text, "\"contact_id\":77"));
	assert_memory_equal(b.text, QUEUES, strlen(QUEUES));
	assert_null(strchr(b.text, HUB_CUT[0])); /* the whole figures, no cut */
	assert_string_equal(b.text + strlen(b.text) - 2, "\n\n");
	assert_int_equal(o.n, 2); /* its organisation's cut of the queues' figures, then its digest */
	assert_memory_equal(o.text, CUT7, strlen(CUT7));
	const char *digest = o.text + strlen(CUT7);
	assert_memory_equal(digest, "event: agent_states\ndata: ", 26);
	assert_string_equal(digest + strlen(digest) - 2, "\n\n");
	json_t *d = data_of(digest);
	assert_int_equal(json_integer_value(json_object_get(d, "seq")), 41);
	json_t *agents = json_object_get(d, "agents");
	assert_int_equal(json_array_size(agents), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(agents, 0), "user_id")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(agents, 1), "user_id")), 5);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(agents, 1), "live"), "reason")),
			    "break");
	json_decref(d);
	assert_null(strstr(o.text, "\"contact_id\":77"));
	assert_null(strchr(o.text, HUB_CUT[0]));
	/* an outsourcer's tenant admin (it manages every agent): its cut, the digest whole */
	const struct hub_audience bpo_admin = {.organisation_id = 7};
	struct seen y = {0};
	uint64_t gy = 0;
	hub_read_stats(h, 1, &bpo_admin, &gy, collect, &y);
	assert_int_equal(y.n, 2);
	assert_memory_equal(y.text, CUT7, strlen(CUT7));
	assert_non_null(strstr(y.text, "\"contact_id\":77"));
	assert_null(strchr(y.text, HUB_CUT[0]));
	/* an outsourcer with no agent in the tenant: the cut of none */
	const struct hub_audience other = {.managed_only = true, .organisation_id = 9};
	struct seen x = {0};
	uint64_t gx = 0;
	hub_read_stats(h, 1, &other, &gx, collect, &x);
	assert_string_equal(x.text, CUT0 "event: agent_states\ndata: {\"seq\":41,\"agents\":[]}\n\n");
	/* once per second's frame */
	o.n = 0;
	hub_read_stats(h, 1, &outsourcer, &go, collect, &o);
	assert_int_equal(o.n, 0);
	/* a digest naming none of its agents: still there, empty, so no number looks skipped */
	hub_publish_stats(h, 1, strdup(QUEUES "event: agent_states\ndata: {\"seq\":42,\"agents\":[{\"user_id\":4,\"live\":"
				      "{}}]}\n\n" CUTS));
	memset(&o, 0, sizeof(o));
	hub_read_stats(h, 1, &outsourcer, &go, collect, &o);
	assert_string_equal(o.text, CUT7 "event: agent_states\ndata: {\"seq\":42,\"agents\":[]}\n\n");
	/* a second with no digest: its cut alone */
	hub_publish_stats(h, 1, strdup(QUEUES CUTS));
	memset(&o, 0, sizeof(o));
	hub_read_stats(h, 1, &outsourcer, &go, collect, &o);
	assert_string_equal(o.text, CUT7);
	memset(&b, 0, sizeof(b));
	hub_read_stats(h, 1, &brand, &gb, collect, &b);
	assert_string_equal(b.text, QUEUES);
	/* a digest that cannot be read is not passed on */
	hub_publish_stats(h, 1, strdup(QUEUES "event: agent_states\ndata: {\"seq\":43,\"agents\":[{\"user_id\":4\n\n" CUTS));
	memset(&o, 0, sizeof(o));
	hub_read_stats(h, 1, &outsourcer, &go, collect, &o);
	assert_string_equal(o.text, CUT7);
	/* a frame with no cut: no figures for an outsourcer rather than the brand's */
	hub_publish_stats(h, 1, strdup(QUEUES));
	memset(&o, 0, sizeof(o));
	hub_read_stats(h, 1, &outsourcer, &go, collect, &o);
	assert_int_equal(o.n, 0);
	hub_free(h);
}

static void calls_are_read_for_the_agents_it_manages(void **state)
{
	struct hub *h = hub_new();
	uint64_t so = hub_call_seq(h), sb = so;
	hub_publish_call(h, 1, 3, strdup("call of 3\n\n"));
	hub_publish_call(h, 1, 4, strdup("call of 4\n\n"));
	hub_publish_call(h, 1, 0, strdup("call of nobody\n\n"));
	hub_publish_call(h, 2, 5, strdup("another tenant's call of 5\n\n"));
	hub_publish_call_from(h, 1, 5, strdup("call of 5 from another node\n\n"));
	struct seen o = {0}, b = {0};
	hub_read_calls(h, 1, &outsourcer, &so, collect, &o);
	hub_read_calls(h, 1, &brand, &sb, collect, &b);
	assert_string_equal(o.text, "call of 3\n\ncall of 5 from another node\n\n");
	assert_int_equal(b.n, 4);
	hub_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_audience_reads_its_agents_events),
		cmocka_unit_test(a_transfer_to_an_agent_it_does_not_manage_comes_without_that_agent),
		cmocka_unit_test(the_digest_is_cut_to_the_agents_it_manages_under_the_same_number),
		cmocka_unit_test(calls_are_read_for_the_agents_it_manages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
