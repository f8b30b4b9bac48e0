/* store/journey.c and store/backdate.c on the run's engine: the journey
 * merges the contact's events and its routing events in time order, the
 * contact's first at the same millisecond, and leaves out another
 * contact's; another tenant gets GC_ENOTFOUND; the routing events of a
 * span are the tenant's only, from included to excluded; a backdate moves
 * only what was written at or after its start, and only in its tenant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "teststore.h"
#include "guichet/clock.h"
#include "guichet/error.h"

struct fixture {
	struct test_store ts;
	struct store *s;
	int64_t ta, tb, c1, c2;
};

static struct store_scope scope_in(int64_t tenant)
{
	struct store_scope sc = {.tenant_id = tenant, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = SENS_CONFIDENTIAL};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	return sc;
}

static int64_t contact(struct store *s, int64_t tenant, const char *subject)
{
	struct store_scope sc = scope_in(tenant);
	struct contact_input in = {.channel = CHANNEL_CHAT, .subject = subject, .message = "hello"};
	int64_t id = 0;
	assert_int_equal(store_contact_create(s, &sc, &in, &id), GC_OK);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &f->ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &f->tb), GC_OK);
	f->c1 = contact(f->s, f->ta, "one");
	f->c2 = contact(f->s, f->ta, "two");
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

static int64_t at_of(json_t *item)
{
	int64_t ms = 0;
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(item, "at")), &ms), 0);
	return ms;
}

static void journey_is_in_time_order_and_sealed(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	/* created now; routing before and after it, one at its very millisecond, one of the other contact */
	json_t *list = NULL;
	assert_int_equal(store_contact_journey(f->s, &a, f->c1, &list), GC_OK);
	int64_t created = at_of(json_array_get(list, 0));
	json_decref(list);
	assert_int_equal(store_routing_event(f->s, f->ta, created + 5000, "accepted", f->c1, 0, 0, "{\"waited_ms\":5000}", NULL),
			 GC_OK);
	assert_int_equal(store_routing_event(f->s, f->ta, created, "enqueued", f->c1, 0, 0, NULL, NULL), GC_OK);
	assert_int_equal(store_routing_event(f->s, f->ta, created - 1000, "enqueued", f->c2, 0, 0, NULL, NULL), GC_OK);
	assert_int_equal(store_contact_journey(f->s, &a, f->c1, &list), GC_OK);
	assert_int_equal(json_array_size(list), 3);
	static const char *const order[][2] = {{"contact", "created"}, {"routing", "enqueued"}, {"routing", "accepted"}};
	for (size_t i = 0; i < 3; i++) {
		json_t *it = json_array_get(list, i);
		assert_string_equal(json_string_value(json_object_get(it, "source")), order[i][0]);
		assert_string_equal(json_string_value(json_object_get(it, "type")), order[i][1]);
	}
	json_t *data = json_object_get(json_array_get(list, 2), "data");
	assert_int_equal(json_integer_value(json_object_get(data, "waited_ms")), 5000);
	json_decref(list);
	list = NULL;
	assert_int_equal(store_contact_journey(f->s, &b, f->c1, &list), GC_ENOTFOUND);
	assert_null(list);
}

static int count;
static void counted(const struct store_event *ev, void *arg)
{
	count++;
}

static void events_between_are_the_tenants(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(store_routing_event(f->s, i % 2 ? f->tb : f->ta, 1000 + i * 1000, "enqueued", 0, 0, 0,
						     NULL, NULL), GC_OK);
	count = 0; /* A's at 1000 and 3000 */
	assert_int_equal(store_routing_events_between(f->s, f->ta, 1000, 3000, counted, NULL), GC_OK);
	assert_int_equal(count, 1);
	count = 0;
	assert_int_equal(store_routing_events_between(f->s, f->ta, 0, 5000, counted, NULL), GC_OK);
	assert_int_equal(count, 2);
	count = 0;
	assert_int_equal(store_routing_events_between(f->s, f->tb, 0, 5000, counted, NULL), GC_OK);
	assert_int_equal(count, 2);
}

static void backdate_moves_only_the_new(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	int64_t from = gc_now_ms() + 1, past = from - 86400000LL; /* after every row of setup */
	/* what came before from stays; a state change made after it moves */
	assert_int_equal(store_contact_backdate(f->s, f->ta, f->c2, from + 3600000LL, past), GC_OK);
	json_t *list = NULL, *c = NULL;
	assert_int_equal(store_contact_journey(f->s, &a, f->c2, &list), GC_OK);
	assert_true(at_of(json_array_get(list, json_array_size(list) - 1)) > past);
	json_decref(list);
	usleep(5000); /* the state change comes after from */
	struct state_input st = {.state = CONTACT_QUEUED, .expected_version = -1};
	assert_int_equal(store_contact_set_state(f->s, &a, f->c2, &st, &c), GC_OK);
	json_decref(c);
	assert_int_equal(store_contact_backdate(f->s, f->ta, f->c2, from, past), GC_OK);
	assert_int_equal(store_contact_journey(f->s, &a, f->c2, &list), GC_OK);
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it) {
		bool state_change = strcmp(json_string_value(json_object_get(it, "type")), "state_changed") == 0;
		if (strcmp(json_string_value(json_object_get(it, "source")), "contact") == 0)
			assert_true(state_change ? at_of(it) == past : at_of(it) < from);
	}
	json_decref(list);
	/* another tenant's id: nothing moves */
	assert_int_equal(store_contact_backdate(f->s, f->tb, f->c1, 0, past - 1), GC_OK);
	assert_int_equal(store_contact_journey(f->s, &a, f->c1, &list), GC_OK);
	assert_true(at_of(json_array_get(list, 0)) > past);
	json_decref(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(journey_is_in_time_order_and_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(events_between_are_the_tenants, setup, teardown),
		cmocka_unit_test_setup_teardown(backdate_moves_only_the_new, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
