/* store/report.c on the run's engine, on a fixed event history written as
 * the router writes it, every figure computed by hand: the fold counts
 * each event once (a second fold adds nothing, a fold cut in chunks
 * counts the same), in the half hour it happened, on the queue's or the
 * agent's row; presence spans are split over the half hours they cover;
 * the cuts by queue, agent, organisation and channel sum the same rows;
 * an outsourcer's organisation sees its agents' rows only; another tenant
 * sees nothing; first-contact resolution counts a contact followed within
 * 7 days by another of the same customer and reason as not once and done;
 * offers declined and let ring out count on the agent's row, and the time
 * an agent held a contact before transferring or escalating it is its
 * handle time, the contact handled once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teststore.h"
#include "guichet/error.h"

#define T0 1764547200000LL /* 2025-12-01T00:00:00Z */
#define MIN 60000LL

struct fixture {
	struct test_store ts;
	struct store *s;
	struct store_scope a, b;
	int64_t front, experts, brand_agent, bpo_agent, bpo_org;
};

static struct store_scope scope_in(int64_t tenant)
{
	struct store_scope sc = {.tenant_id = tenant, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = SENS_CONFIDENTIAL, .platform_admin = true};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	return sc;
}

static int64_t queue(struct fixture *f, const char *name, const char *channel, int sl)
{
	json_t *cfg = json_pack("{s:s,s:i}", "channel", channel, "sl_seconds", sl);
	int64_t id = 0;
	assert_int_equal(store_queue_create(f->s, &f->a, name, cfg, &id), GC_OK);
	json_decref(cfg);
	return id;
}

static int64_t user(struct fixture *f, const char *email, const char *org)
{
	struct user_input in = {.email = email, .name = email, .organisation = org};
	int64_t id = 0;
	assert_int_equal(store_user_create(f->s, &f->a, &in, "x", false, &id), GC_OK);
	return id;
}

static void ev(struct fixture *f, int64_t tenant, int64_t at, const char *type, int64_t contact, int64_t agent,
	       int64_t q, const char *data)
{
	assert_int_equal(store_routing_event(f->s, tenant, at, type, contact, agent, q, data, NULL), GC_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	int64_t ta, tb;
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &tb), GC_OK);
	f->a = scope_in(ta);
	f->b = scope_in(tb);
	assert_int_equal(store_organisation_create(f->s, "BPO", "outsourcer", &f->bpo_org), GC_OK);
	f->front = queue(f, "front", "chat", 30);
	f->experts = queue(f, "experts", "email", 60);
	f->brand_agent = user(f, "brand@a.example", NULL);
	f->bpo_agent = user(f, "bpo@a.example", "BPO");
	char data[128];
	int64_t fr = f->front, ex = f->experts, ba = f->brand_agent, pa = f->bpo_agent;
	/* 00:00-00:30: two enter front; the brand's agent answers one after 20 s (within 30 s) and
	 * escalates it to experts, where the outsourcer's agent answers after 90 s (not within 60 s),
	 * handles it 5 minutes and wraps up; the other is abandoned after 45 s */
	ev(f, ta, T0 + 1 * MIN, "presence", 0, ba, 0, "{\"presence\":\"available\"}");
	ev(f, ta, T0 + 2 * MIN, "enqueued", 101, 0, fr, "{}");
	ev(f, ta, T0 + 2 * MIN, "enqueued", 102, 0, fr, "{}");
	ev(f, ta, T0 + 3 * MIN, "accepted", 101, ba, fr, "{\"waited_ms\":20000}");
	ev(f, ta, T0 + 4 * MIN, "abandoned", 102, 0, fr, "{\"waited_ms\":45000}");
	snprintf(data, sizeof(data), "{\"to_queue_id\":%lld}", (long long)ex);
	ev(f, ta, T0 + 5 * MIN, "escalated", 101, ba, fr, data);
	ev(f, ta, T0 + 6 * MIN, "accepted", 101, pa, ex, "{\"waited_ms\":90000}");
	ev(f, ta, T0 + 11 * MIN, "wrapup_started", 101, pa, ex, "{\"handle_ms\":300000}");
	/* 00:30-01:00: one enters experts, the outsourcer's agent answers at once, transfers it back to
	 * front, the brand's agent answers it (10 s) and handles it 2 minutes; the brand's agent goes
	 * paused at 00:40: 39 minutes available, 29 in the first half hour and 10 in the second */
	ev(f, ta, T0 + 31 * MIN, "enqueued", 103, 0, ex, "{}");
	ev(f, ta, T0 + 31 * MIN, "accepted", 103, pa, ex, "{\"waited_ms\":0}");
	snprintf(data, sizeof(data), "{\"to_queue_id\":%lld}", (long long)fr);
	ev(f, ta, T0 + 32 * MIN, "transferred", 103, pa, ex, data);
	ev(f, ta, T0 + 33 * MIN, "accepted", 103, ba, fr, "{\"waited_ms\":10000}");
	ev(f, ta, T0 + 35 * MIN, "wrapup_started", 103, ba, fr, "{\"handle_ms\":120000}");
	ev(f, ta, T0 + 40 * MIN, "presence", 0, ba, 0, "{\"presence\":\"paused\"}");
	ev(f, ta, T0 + 41 * MIN, "offered", 103, ba, fr, "{}"); /* not counted */
	/* another tenant's event */
	ev(f, tb, T0 + 2 * MIN, "enqueued", 201, 0, 999, "{}");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_free(f->s);
	test_store_clear(&f->ts);
	free(f);
	return 0;
}

static void fold_all(struct fixture *f, int64_t tenant, int chunk)
{
	int n;
	do {
		assert_int_equal(store_begin(f->s), GC_OK);
		n = store_report_fold(f->s, tenant, chunk);
		assert_true(n >= 0);
		assert_int_equal(store_commit(f->s), GC_OK);
	} while (n > 0);
}

static json_t *summary(struct fixture *f, const struct store_scope *sc, enum store_report_by by, int64_t org)
{
	struct store_report_query q = {.from_ms = T0, .to_ms = T0 + 24 * 60 * MIN, .by = by, .organisation_id = org};
	json_t *rows = NULL;
	assert_int_equal(store_report_summary(f->s, sc, &q, &rows), GC_OK);
	return rows;
}

static long long n_of(json_t *rows, size_t i, const char *name)
{
	assert_true(i < json_array_size(rows));
	return (long long)json_integer_value(json_object_get(json_array_get(rows, i), name));
}

static void check_intervals(json_t *rows)
{
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "start")),
			    "2025-12-01T00:00:00.000Z");
	/* first half hour: offered 2 + 1 (escalated into experts), answered 2 (20 s within, 90 s not) */
	assert_int_equal(n_of(rows, 0, "offered"), 3);
	assert_int_equal(n_of(rows, 0, "answered"), 2);
	assert_int_equal(n_of(rows, 0, "answered_within"), 1);
	assert_int_equal(n_of(rows, 0, "answer_wait_ms"), 110000);
	assert_int_equal(n_of(rows, 0, "abandoned"), 1);
	assert_int_equal(n_of(rows, 0, "abandon_wait_ms"), 45000);
	assert_int_equal(n_of(rows, 0, "handled"), 1);
	assert_int_equal(n_of(rows, 0, "handle_ms"), 300000);
	assert_int_equal(n_of(rows, 0, "escalations"), 1);
	assert_int_equal(n_of(rows, 0, "transfers"), 0);
	assert_int_equal(n_of(rows, 0, "staffed_ms"), 29 * MIN);
	/* second: offered 1 + 1 (transferred into front), answered 2 (0 s and 10 s, both within) */
	assert_int_equal(n_of(rows, 1, "offered"), 2);
	assert_int_equal(n_of(rows, 1, "answered"), 2);
	assert_int_equal(n_of(rows, 1, "answered_within"), 2);
	assert_int_equal(n_of(rows, 1, "answer_wait_ms"), 10000);
	assert_int_equal(n_of(rows, 1, "handled"), 1);
	assert_int_equal(n_of(rows, 1, "handle_ms"), 120000);
	assert_int_equal(n_of(rows, 1, "transfers"), 1);
	assert_int_equal(n_of(rows, 1, "staffed_ms"), 10 * MIN);
}

static void the_fold_counts_each_event_once_where_it_happened(void **state)
{
	struct fixture *f = *state;
	fold_all(f, f->a.tenant_id, 0);
	json_t *rows = summary(f, &f->a, STORE_REPORT_INTERVAL, 0);
	check_intervals(rows);
	json_decref(rows);
	fold_all(f, f->a.tenant_id, 0); /* nothing new: nothing added */
	rows = summary(f, &f->a, STORE_REPORT_INTERVAL, 0);
	check_intervals(rows);
	json_decref(rows);
}

static void a_fold_in_chunks_counts_the_same(void **state)
{
	struct fixture *f = *state;
	fold_all(f, f->a.tenant_id, 3);
	json_t *rows = summary(f, &f->a, STORE_REPORT_INTERVAL, 0);
	check_intervals(rows);
	json_decref(rows);
}

static void the_cuts_sum_the_same_rows(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_report_catch_up(f->s), GC_OK);
	json_t *rows = summary(f, &f->a, STORE_REPORT_QUEUE, 0);
	assert_int_equal(json_array_size(rows), 2);
	/* front: offered 2 + 1 transferred in; answered 101 (20 s) and 103 (10 s); 1 abandoned; 1 escalation out */
	assert_int_equal(n_of(rows, 0, "queue_id"), f->front);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name")), "front");
	assert_int_equal(n_of(rows, 0, "offered"), 3);
	assert_int_equal(n_of(rows, 0, "answered"), 2);
	assert_int_equal(n_of(rows, 0, "answered_within"), 2);
	assert_int_equal(n_of(rows, 0, "abandoned"), 1);
	assert_int_equal(n_of(rows, 0, "escalations"), 1);
	assert_int_equal(n_of(rows, 0, "staffed_ms"), 0); /* time available has no queue */
	/* experts: 1 escalated in + 1 enqueued; answered 90 s and 0 s; 1 transfer out */
	assert_int_equal(n_of(rows, 1, "offered"), 2);
	assert_int_equal(n_of(rows, 1, "answered"), 2);
	assert_int_equal(n_of(rows, 1, "answered_within"), 1);
	assert_int_equal(n_of(rows, 1, "transfers"), 1);
	json_decref(rows);

	rows = summary(f, &f->a, STORE_REPORT_AGENT, 0);
	assert_int_equal(json_array_size(rows), 2);
	assert_int_equal(n_of(rows, 0, "agent_id"), f->brand_agent);
	assert_int_equal(n_of(rows, 0, "answered"), 2);
	assert_int_equal(n_of(rows, 0, "handle_ms"), 120000);
	assert_int_equal(n_of(rows, 0, "staffed_ms"), 39 * MIN);
	assert_int_equal(n_of(rows, 0, "escalations"), 1);
	assert_int_equal(n_of(rows, 1, "agent_id"), f->bpo_agent);
	assert_int_equal(n_of(rows, 1, "answered"), 2);
	assert_int_equal(n_of(rows, 1, "handle_ms"), 300000);
	assert_int_equal(n_of(rows, 1, "transfers"), 1);
	json_decref(rows);

	rows = summary(f, &f->a, STORE_REPORT_ORGANISATION, 0);
	assert_int_equal(json_array_size(rows), 2); /* the brand's and the outsourcer's */
	assert_int_equal(n_of(rows, 1, "organisation_id"), f->bpo_org);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "name")), "BPO");
	assert_int_equal(n_of(rows, 1, "answered"), 2);
	json_decref(rows);

	rows = summary(f, &f->a, STORE_REPORT_CHANNEL, 0);
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "channel")), "chat");
	assert_int_equal(n_of(rows, 0, "offered"), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "channel")), "email");
	assert_int_equal(n_of(rows, 1, "offered"), 2);
	json_decref(rows);
}

/* 01:00-01:30: the brand's agent declines 104 in front, lets it ring out,
 * then the outsourcer's agent lets it ring out too in a ring-all offer with
 * the brand's (each missed it); the brand's agent answers it and transfers
 * it after 4 minutes; events of older versions carried no handle time. */
static void offers_refused_and_time_before_a_transfer(void **state)
{
	struct fixture *f = *state;
	int64_t ta = f->a.tenant_id, fr = f->front, ba = f->brand_agent, pa = f->bpo_agent;
	char data[128];
	ev(f, ta, T0 + 60 * MIN, "enqueued", 104, 0, fr, "{}");
	ev(f, ta, T0 + 61 * MIN, "rejected", 104, ba, fr, "{}");
	ev(f, ta, T0 + 62 * MIN, "offer_expired", 104, ba, fr, "{}");
	ev(f, ta, T0 + 63 * MIN, "offer_expired", 104, ba, fr, "{}");
	ev(f, ta, T0 + 63 * MIN, "offer_expired", 104, pa, fr, "{}");
	ev(f, ta, T0 + 64 * MIN, "offer_withdrawn", 104, pa, fr, "{}"); /* not the agent's refusal */
	ev(f, ta, T0 + 65 * MIN, "accepted", 104, ba, fr, "{\"waited_ms\":300000}");
	snprintf(data, sizeof(data), "{\"to_queue_id\":%lld,\"handle_ms\":240000}", (long long)f->experts);
	ev(f, ta, T0 + 69 * MIN, "transferred", 104, ba, fr, data);
	fold_all(f, ta, 4);
	json_t *rows = summary(f, &f->a, STORE_REPORT_AGENT, 0);
	assert_int_equal(n_of(rows, 0, "agent_id"), ba);
	assert_int_equal(n_of(rows, 0, "declined"), 1);
	assert_int_equal(n_of(rows, 0, "missed"), 2);
	assert_int_equal(n_of(rows, 0, "handled"), 1);            /* 103 alone: 104 went on */
	assert_int_equal(n_of(rows, 0, "handle_ms"), 360000);     /* 103's 2 minutes and 104's 4 */
	assert_int_equal(n_of(rows, 1, "declined"), 0);
	assert_int_equal(n_of(rows, 1, "missed"), 1);
	assert_int_equal(n_of(rows, 1, "handle_ms"), 300000);     /* 103's transfer carried no handle time */
	json_decref(rows);
	rows = summary(f, &f->a, STORE_REPORT_QUEUE, 0);
	assert_int_equal(n_of(rows, 0, "queue_id"), fr);
	assert_int_equal(n_of(rows, 0, "declined"), 1);
	assert_int_equal(n_of(rows, 0, "missed"), 3);
	assert_int_equal(n_of(rows, 1, "missed"), 0);
	json_decref(rows);
	rows = summary(f, &f->a, STORE_REPORT_INTERVAL, 0);
	assert_int_equal(json_array_size(rows), 3);
	assert_int_equal(n_of(rows, 0, "declined") + n_of(rows, 1, "declined") + n_of(rows, 1, "missed"), 0);
	assert_int_equal(n_of(rows, 2, "declined"), 1);
	assert_int_equal(n_of(rows, 2, "missed"), 3);
	assert_int_equal(n_of(rows, 2, "handled"), 0);
	assert_int_equal(n_of(rows, 2, "handle_ms"), 240000);
	json_decref(rows);
	rows = summary(f, &f->a, STORE_REPORT_ORGANISATION, f->bpo_org); /* an outsourcer: its agent's */
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(n_of(rows, 0, "missed"), 1);
	assert_int_equal(n_of(rows, 0, "declined"), 0);
	json_decref(rows);
}

static void an_outsourcer_and_another_tenant_see_their_own(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_report_catch_up(f->s), GC_OK);
	json_t *rows = summary(f, &f->a, STORE_REPORT_INTERVAL, f->bpo_org);
	assert_int_equal(json_array_size(rows), 2);
	/* its agent's rows only: no offered or abandoned (the queues'), its two answers and its transfer */
	assert_int_equal(n_of(rows, 0, "offered"), 0);
	assert_int_equal(n_of(rows, 0, "abandoned"), 0);
	assert_int_equal(n_of(rows, 0, "answered"), 1);
	assert_int_equal(n_of(rows, 0, "escalations"), 0);
	assert_int_equal(n_of(rows, 0, "staffed_ms"), 0);
	assert_int_equal(n_of(rows, 1, "answered"), 1);
	assert_int_equal(n_of(rows, 1, "transfers"), 1);
	json_decref(rows);
	rows = summary(f, &f->b, STORE_REPORT_QUEUE, 0);
	assert_int_equal(json_array_size(rows), 1); /* B's own enqueued, and nothing of A */
	assert_int_equal(n_of(rows, 0, "queue_id"), 999);
	assert_int_equal(n_of(rows, 0, "answered"), 0);
	json_decref(rows);
	/* the viewer's organisation: the brand's own people see everything */
	struct store_scope viewer = f->a;
	viewer.platform_admin = false;
	viewer.user_id = f->bpo_agent;
	int64_t org = -1;
	assert_int_equal(store_report_viewer_organisation(f->s, &viewer, &org), GC_OK);
	assert_int_equal(org, f->bpo_org);
	viewer.user_id = f->brand_agent;
	assert_int_equal(store_report_viewer_organisation(f->s, &viewer, &org), GC_OK);
	assert_int_equal(org, 0);
}

static int64_t contact_with(struct fixture *f, int64_t customer, const char *reason, int64_t at, const char *state)
{
	struct contact_input in = {.channel = CHANNEL_EMAIL, .customer_id = customer, .subject = "s", .reason = reason,
				   .message = "m"};
	int64_t id = 0;
	assert_int_equal(store_contact_create(f->s, &f->a, &in, &id), GC_OK);
	char sql[256];
	snprintf(sql, sizeof(sql), "UPDATE contacts SET created_at = %lld, state = '%s' WHERE id = %lld", (long long)at,
		 state, (long long)id);
	assert_int_equal(testdb_exec(f->ts.target, sql), 0);
	return id;
}

static void first_contact_resolution_looks_seven_days_ahead(void **state)
{
	struct fixture *f = *state;
	struct customer_input ci = {.external_id = "C1"};
	json_t *c = NULL;
	assert_int_equal(store_customer_create(f->s, &f->a, &ci, &c), GC_OK);
	int64_t c1 = json_integer_value(json_object_get(c, "id"));
	json_decref(c);
	ci.external_id = "C2";
	assert_int_equal(store_customer_create(f->s, &f->a, &ci, &c), GC_OK);
	int64_t c2 = json_integer_value(json_object_get(c, "id"));
	json_decref(c);
	int64_t day = 24 * 60 * MIN;
	contact_with(f, c1, "billing", T0 + MIN, "resolved");         /* c1 billing again 3 days later: not once */
	contact_with(f, c1, "billing", T0 + 3 * day, "resolved");     /* out of the range */
	contact_with(f, c1, "delivery", T0 + 2 * MIN, "resolved");    /* another reason: once and done */
	contact_with(f, c2, "billing", T0 + 3 * MIN, "closed");       /* next one 8 days later: once and done */
	contact_with(f, c2, "billing", T0 + 8 * day + 4 * MIN, "resolved");
	contact_with(f, c2, "delivery", T0 + 5 * MIN, "in_progress"); /* not resolved: not counted */
	int64_t resolved = 0, once = 0;
	assert_int_equal(store_report_fcr(f->s, &f->a, T0, T0 + day, 0, &resolved, &once), GC_OK);
	assert_int_equal(resolved, 3);
	assert_int_equal(once, 2);
	assert_int_equal(store_report_fcr(f->s, &f->b, T0, T0 + day, 0, &resolved, &once), GC_OK);
	assert_int_equal(resolved, 0);
}

/* The accessibility barometer's thresholds: answered within 30 s, and
 * answered or abandoned after more than 2 minutes, counted per channel. */
static void the_barometer_thresholds_are_counted(void **state)
{
	struct fixture *f = *state;
	int64_t tc;
	assert_int_equal(store_tenant_create(f->s, "C", NULL, &tc), GC_OK);
	struct store_scope c = scope_in(tc);
	json_t *cfg = json_pack("{s:s,s:i}", "channel", "phone", "sl_seconds", 20);
	int64_t calls = 0;
	assert_int_equal(store_queue_create(f->s, &c, "calls", cfg, &calls), GC_OK);
	json_decref(cfg);
	static const struct { const char *type; int waited_s; } waits[] = {
		{"accepted", 25}, {"accepted", 30}, {"accepted", 31}, {"accepted", 130},
		{"abandoned", 121}, {"abandoned", 120}, {"abandoned", 5}};
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		char data[64];
		snprintf(data, sizeof(data), "{\"waited_ms\":%d}", waits[i].waited_s * 1000);
		ev(f, tc, T0 + (int64_t)i * MIN, waits[i].type, 300 + (int64_t)i, 0, calls, data);
	}
	fold_all(f, tc, 0);
	json_t *rows = summary(f, &c, STORE_REPORT_CHANNEL, 0);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "channel")), "phone");
	assert_int_equal(n_of(rows, 0, "answered"), 4);
	assert_int_equal(n_of(rows, 0, "abandoned"), 3);
	assert_int_equal(n_of(rows, 0, "answered_30s"), 2);     /* 25 s and 30 s */
	assert_int_equal(n_of(rows, 0, "waited_over_2min"), 2); /* 130 s answered, 121 s abandoned */
	json_decref(rows);
	assert_int_equal(store_report_catch_up(f->s), GC_OK);
	rows = summary(f, &f->a, STORE_REPORT_CHANNEL, 0); /* tenant A's chat: 20 s and 10 s; email: 0 s */
	assert_int_equal(n_of(rows, 0, "answered_30s"), 2);
	assert_int_equal(n_of(rows, 1, "answered_30s"), 1);
	assert_int_equal(n_of(rows, 0, "waited_over_2min"), 0);
	json_decref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_fold_counts_each_event_once_where_it_happened, setup, teardown),
		cmocka_unit_test_setup_teardown(a_fold_in_chunks_counts_the_same, setup, teardown),
		cmocka_unit_test_setup_teardown(the_cuts_sum_the_same_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(an_outsourcer_and_another_tenant_see_their_own, setup, teardown),
		cmocka_unit_test_setup_teardown(first_contact_resolution_looks_seven_days_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(the_barometer_thresholds_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(offers_refused_and_time_before_a_transfer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
