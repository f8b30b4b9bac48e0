/* store/broadcast.c on the run's engine: an incident's audience by
 * attribute is walked in id order from a cursor and holds only the tenant's
 * matching customers; another tenant can neither set it nor name its own
 * customers in it; a customer's row of a broadcast is recorded once (the
 * second insert is a no-op: what keeps a broadcast once across crashes);
 * a new contact is linked only to a current incident whose audience holds
 * its customer; the current incidents' keywords, which every new contact
 * asks for, are read once a transaction per tenant and again once an
 * incident changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teststore.h"
#include "store/db.h"
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

struct fixture {
	struct test_store ts;
	struct store *s;
	int64_t ta, tb, fibre_fr, fibre, adsl, other_tenants, incident;
};

static struct store_scope scope_in(int64_t tenant)
{
	struct store_scope sc = {.tenant_id = tenant, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = SENS_CONFIDENTIAL};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	return sc;
}

static int64_t customer(struct fixture *f, int64_t tenant, const char *email, const char *product, const char *lang)
{
	struct store_scope sc = scope_in(tenant);
	struct customer_input in = {.email = email, .n_attrs = 2,
				    .attrs = {{.key = "product", .value = product, .sensitivity = SENS_NONE},
					      {.key = "lang", .value = lang, .sensitivity = SENS_NONE}}};
	int64_t id = 0;
	assert_int_equal(store_customer_create_id(f->s, &sc, &in, &id), GC_OK);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &f->ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &f->tb), GC_OK);
	f->fibre_fr = customer(f, f->ta, "a@x.example", "fibre", "fr");
	f->adsl = customer(f, f->ta, "b@x.example", "adsl", "en");
	f->fibre = customer(f, f->ta, "c@x.example", "fibre", "en");
	f->other_tenants = customer(f, f->tb, "d@x.example", "fibre", "en");
	struct store_scope a = scope_in(f->ta);
	struct store_incident in = {.kind = "incident", .title = "Down", .severity = "major",
				    .starts_at = gc_now_ms() - 1000, .published = true};
	assert_int_equal(store_incident_add(f->s, &a, &in, &f->incident), GC_OK);
	struct store_audience fibre = {.kind = "attribute", .key = "product", .value = "fibre"};
	int64_t unknown = 0;
	assert_int_equal(store_incident_audience_set(f->s, &a, f->incident, &fibre, &unknown), GC_OK);
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

static int64_t id_at(const json_t *list, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(list, i), "id"));
}

static void the_audience_is_walked_from_a_cursor(void **state)
{
	struct fixture *f = *state;
	json_t *list = NULL;
	assert_int_equal(store_broadcast_audience(f->s, f->ta, f->incident, 0, 10, &list), GC_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(id_at(list, 0), f->fibre_fr);
	assert_int_equal(id_at(list, 1), f->fibre);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "lang")), "fr");
	json_decref(list);
	assert_int_equal(store_broadcast_audience(f->s, f->ta, f->incident, f->fibre_fr, 10, &list), GC_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(id_at(list, 0), f->fibre);
	json_decref(list);
	assert_int_equal(store_broadcast_audience(f->s, f->tb, f->incident, 0, 10, &list), GC_OK); /* B's view: none */
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

static void another_tenant_can_neither_set_nor_be_named(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	struct store_audience all = {.kind = "all"};
	int64_t unknown = 0;
	assert_int_equal(store_incident_audience_set(f->s, &b, f->incident, &all, &unknown), GC_ENOTFOUND);
	int64_t ids[] = {f->fibre, f->other_tenants};
	struct store_audience list = {.kind = "customers", .customers = ids, .n_customers = 2};
	assert_int_equal(store_incident_audience_set(f->s, &a, f->incident, &list, &unknown), GC_EINVAL);
	assert_int_equal(unknown, f->other_tenants);
}

static void a_customer_is_recorded_once(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	struct store_broadcast in = {.kind = "declaration", .channels = "email", .rate_per_minute = 60};
	int64_t seq = 0;
	assert_int_equal(store_broadcast_add(f->s, &a, f->incident, &in, &seq), GC_OK);
	assert_int_equal(seq, 1);
	struct store_broadcast_row row = {.incident_id = f->incident, .seq = seq, .customer_id = f->fibre,
					  .channel = "email", .state = "queued", .lang = "en"};
	bool inserted = false;
	assert_int_equal(store_broadcast_record(f->s, f->ta, &row, &inserted), GC_OK);
	assert_true(inserted);
	assert_int_equal(store_broadcast_record(f->s, f->ta, &row, &inserted), GC_OK);
	assert_false(inserted);
	json_t *list = NULL;
	assert_int_equal(store_broadcast_list(f->s, f->ta, f->incident, &list), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "planned")), 1);
	json_decref(list);
	assert_int_equal(store_broadcast_add(f->s, &a, f->incident, &in, &seq), GC_OK);
	assert_int_equal(seq, 2);
}

static void contacts_are_linked_to_current_incidents_of_their_customer(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	int64_t linked_contact = 0, other = 0;
	struct contact_input in = {.channel = CHANNEL_EMAIL, .customer_id = f->fibre_fr, .subject = "x"};
	assert_int_equal(store_contact_create(f->s, &a, &in, &linked_contact), GC_OK);
	int n = -1;
	assert_int_equal(store_incident_link(f->s, &a, linked_contact, f->fibre_fr, gc_now_ms(), &n), GC_OK);
	assert_int_equal(n, 1);
	in.customer_id = f->adsl;
	assert_int_equal(store_contact_create(f->s, &a, &in, &other), GC_OK);
	assert_int_equal(store_incident_link(f->s, &a, other, f->adsl, gc_now_ms(), &n), GC_OK);
	assert_int_equal(n, 0);
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(store_contact_get_text(f->s, &a, linked_contact, &text, &len), GC_OK);
	assert_non_null(strstr(text, "\"incidents\":[{\"id\":"));
	free(text);
	assert_int_equal(store_incident_end(f->s, &a, f->incident, gc_now_ms()), GC_OK);
	assert_int_equal(store_incident_link(f->s, &a, other, f->fibre, gc_now_ms(), &n), GC_OK);
	assert_int_equal(n, 0); /* ended: no longer current */
}

static size_t keywords_count(struct store *s, int64_t tenant)
{
	json_t *list = NULL;
	assert_int_equal(store_incident_keywords_current(s, tenant, gc_now_ms(), &list), GC_OK);
	size_t n = json_array_size(list);
	json_decref(list);
	return n;
}

static void keywords_are_read_once_a_transaction(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	assert_int_equal(keywords_count(f->s, f->ta), 0); /* the setup's incident has none */
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(keywords_count(f->s, f->ta), 0);
	int64_t before = test_store_round_trips(f->s);
	assert_int_equal(keywords_count(f->s, f->ta), 0);
	if (db_engine(f->s->db) == DB_POSTGRESQL)
		assert_int_equal(test_store_round_trips(f->s), before); /* kept: no statement */
	/* an incident with keywords added in the same transaction is seen at once */
	json_t *keywords = json_pack("[s]", "fibre lyon");
	struct store_incident in = {.kind = "incident", .title = "Fibre cut", .severity = "major",
				    .starts_at = gc_now_ms() - 1000, .published = true, .keywords = keywords};
	int64_t id = 0;
	assert_int_equal(store_incident_add(f->s, &a, &in, &id), GC_OK);
	json_decref(keywords);
	assert_int_equal(keywords_count(f->s, f->ta), 1);
	assert_int_equal(keywords_count(f->s, f->tb), 0); /* each tenant its own */
	assert_int_equal(keywords_count(f->s, f->ta), 1);
	/* and its end too */
	assert_int_equal(store_incident_end(f->s, &a, id, gc_now_ms()), GC_OK);
	assert_int_equal(keywords_count(f->s, f->ta), 0);
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(keywords_count(f->s, f->ta), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_audience_is_walked_from_a_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(another_tenant_can_neither_set_nor_be_named, setup, teardown),
		cmocka_unit_test_setup_teardown(a_customer_is_recorded_once, setup, teardown),
		cmocka_unit_test_setup_teardown(contacts_are_linked_to_current_incidents_of_their_customer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(keywords_are_read_once_a_transaction, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
