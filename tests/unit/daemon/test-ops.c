/* The core operations (src/daemon/ops.c) on a real store, on the run's
 * engine: customers found or created by address or phone, in their tenant
 * only; phone keys in E.164 in the tenant's country; a contact created with its first message answers what a read
 * shows; an unknown queue, contact or customer names the input at fault
 * and leaves nothing written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hub.h"
#include "daemon/ops.h"
#include "daemon/router.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"
#include "opsfixture.h"


static void customers_are_found_by_address_or_phone(void **state)
{
	struct ops_fixture *f = *state;
	struct ops_error err;
	int64_t ann = 0, again = 0, by_phone = 0, other = 0;
	bool created = false;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, "Ann.Lee@Example.NET", NULL, &ann, &created, &err), GC_OK);
	assert_true(created);
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, "ann.lee@example.net", NULL, &again, &created, &err),
			 GC_OK);
	assert_false(created);
	assert_int_equal(again, ann);
	/* a phone, as ops_phone_key keeps it */
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, "+33123456789", &by_phone, &created, &err),
			 GC_OK);
	assert_true(created);
	assert_int_not_equal(by_phone, ann);
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, "+33123456789", &again, &created, &err),
			 GC_OK);
	assert_false(created);
	assert_int_equal(again, by_phone);
	/* another tenant has customers of its own */
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->b, "ann.lee@example.net", NULL, &other, &created, &err),
			 GC_OK);
	assert_true(created);
	assert_int_not_equal(other, ann);
	/* bad input names the field; a phone not made a key first is refused */
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, "not an address", NULL, &again, &created, &err),
			 GC_EINVAL);
	assert_string_equal(err.field, "email");
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, "+12", &again, &created, &err), GC_EINVAL);
	assert_string_equal(err.field, "phone");
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, "+33 1 23 45 67 89", &again, &created, &err),
			 GC_EINVAL);
	assert_string_equal(err.field, "phone");
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, NULL, &again, &created, &err), GC_EINVAL);
	assert_int_equal(store_commit(f->s), GC_OK);
	json_t *c = NULL;
	assert_int_equal(store_customer_get(f->s, &f->a, by_phone, &c), GC_OK);
	assert_string_equal(json_string_value(json_object_get(c, "phone")), "+33123456789");
	json_decref(c);
}

static void key_is(struct ops_fixture *f, const struct store_scope *sc, const char *typed, bool lenient,
		   const char *expected)
{
	char key[OPS_PHONE_KEY_LEN];
	struct ops_error err = {0};
	int rc = ops_tenant_phone_key(f->s, sc->tenant_id, typed, lenient, "phone", key, sizeof(key), &err);
	if (rc != GC_OK)
		fail_msg("\"%s\": %d %s", typed, rc, err.message);
	assert_string_equal(key, expected);
	/* a key read again, with no country, is itself: what the trunk's and the hold's paths rely on */
	char again[OPS_PHONE_KEY_LEN];
	assert_int_equal(ops_phone_key(key, NULL, true, again, sizeof(again)), GC_OK);
	assert_string_equal(again, key);
}

static void key_refused(struct ops_fixture *f, const struct store_scope *sc, const char *typed, bool lenient,
			const char *in_message)
{
	char key[OPS_PHONE_KEY_LEN] = "untouched";
	struct ops_error err = {0};
	assert_int_equal(ops_tenant_phone_key(f->s, sc->tenant_id, typed, lenient, "phone", key, sizeof(key), &err),
			 GC_EINVAL);
	assert_string_equal(err.field, "phone");
	if (strstr(err.message, in_message) == NULL)
		fail_msg("\"%s\": \"%s\" lacks \"%s\"", typed, err.message, in_message);
	assert_string_equal(key, "untouched");
}

/* Numbers are keyed in E.164 in the tenant's country (its calendar's);
 * strictly for what people type, leniently for what trunks and providers send. */
static void phone_keys_in_the_tenants_country(void **state)
{
	struct ops_fixture *f = *state;
	/* no country yet: only international forms; leniently, the digits */
	key_is(f, &f->a, "+33 6 12 34 56 78", false, "+33612345678");
	key_refused(f, &f->a, "06 12 34 56 78", false, "names no country");
	key_is(f, &f->a, "06 12 34 56 78", true, "+0612345678");
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_calendar_put(f->s, &f->a, "{\"zone\":\"Europe/Paris\",\"country\":\"FR\"}"), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	char country[3] = "";
	struct ops_error err = {0};
	assert_int_equal(ops_tenant_country(f->s, f->a.tenant_id, country, &err), GC_OK);
	assert_string_equal(country, "FR");
	assert_int_equal(ops_tenant_country(f->s, f->b.tenant_id, country, &err), GC_OK);
	assert_string_equal(country, "");
	/* one number, whatever way it was written */
	const char *forms[] = {"06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "0033 6 12 34 56 78",
			       "+33 6 12 34 56 78", "+33612345678"};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		key_is(f, &f->a, forms[i], false, "+33612345678");
		key_is(f, &f->a, forms[i], true, "+33612345678");
	}
	key_is(f, &f->a, "+44 20 7946 0018", false, "+442079460018");
	key_refused(f, &f->a, "06 12 34", false, "as it is dialled in FR");
	key_refused(f, &f->a, "3615", false, "FR");
	/* leniently, what libphonenumber cannot read keeps its digits; fewer than 3 is nothing */
	key_is(f, &f->a, "3615", true, "+3615");
	key_refused(f, &f->a, "12", true, "at least 3 digits");
	key_refused(f, &f->a, "anonymous", true, "at least 3 digits");
	/* tenant B has no country: its national forms are not France's */
	key_is(f, &f->b, "+33612345678", false, "+33612345678");
	key_refused(f, &f->b, "06 12 34 56 78", false, "names no country");
}

static void a_contact_with_its_first_message(void **state)
{
	struct ops_fixture *f = *state;
	struct ops_error err;
	int64_t customer = 0, id = 0;
	bool created = false;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, "joe@example.org", NULL, &customer, &created, &err),
			 GC_OK);
	struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = "My router", .customer_id = customer,
				   .message = "It blinks red."};
	char *answer = NULL;
	assert_int_equal(ops_contact_create(&f->o, &f->a, &in, &id, &answer, &err), GC_OK);
	/* the answer is what a read shows: the customer, one message */
	json_t *made = json_loads(answer, 0, NULL), *read = NULL;
	assert_non_null(made);
	assert_int_equal(json_integer_value(json_object_get(made, "customer_id")), customer);
	assert_int_equal(json_array_size(json_object_get(made, "messages")), 1);
	assert_int_equal(store_contact_get(f->s, &f->a, id, &read), GC_OK);
	assert_true(json_equal(made, read));
	json_decref(made);
	json_decref(read);
	free(answer);
	struct message_input reply = {.outbound = true, .body = "Please restart it."};
	json_t *m = NULL;
	assert_int_equal(ops_message_add(&f->o, &f->a, id, &reply, false, &m, &err), GC_OK);
	json_decref(m);
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(store_contact_get(f->s, &f->a, id, &read), GC_OK);
	assert_int_equal(json_array_size(json_object_get(read, "messages")), 2);
	json_decref(read);
	/* another tenant's scope cannot add to it */
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(ops_message_add(&f->o, &f->b, id, &reply, false, &m, &err), GC_ENOTFOUND);
	assert_string_equal(err.field, "contact");
	assert_int_equal(store_commit(f->s), GC_OK);
}

static void bad_references_name_their_input(void **state)
{
	struct ops_fixture *f = *state;
	struct ops_error err;
	int64_t id = 0;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	struct contact_input unknown_customer = {.channel = CHANNEL_EMAIL, .subject = "x", .customer_id = 999999};
	assert_int_equal(ops_contact_create(&f->o, &f->a, &unknown_customer, &id, NULL, &err), GC_EINVAL);
	assert_string_equal(err.field, "customer_id");
	store_rollback_to(f->s);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	struct contact_input unknown_queue = {.channel = CHANNEL_EMAIL, .subject = "x", .queue_id = 999999};
	assert_int_equal(ops_contact_create(&f->o, &f->a, &unknown_queue, &id, NULL, &err), GC_EINVAL);
	assert_string_equal(err.field, "queue_id");
	assert_non_null(strstr(err.message, "queue"));
	store_rollback_to(f->s);
	router_job_end(f->o.router, false);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->o.router, f->s, true);
	json_t *page = NULL;
	struct store_contact_filter all = {.limit = 50};
	assert_int_equal(store_contact_list(f->s, &f->a, &all, &page), GC_OK);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0); /* nothing written */
	json_decref(page);
}

/* An email queue of the scope's tenant with a first-response target (0: none). */
static int64_t target_queue(struct ops_fixture *f, const struct store_scope *sc, const char *name, int target_s)
{
	json_t *skill = NULL;
	int rc = store_skill_create(f->s, sc, name, &skill);
	assert_int_equal(rc, GC_OK);
	json_t *qj = json_pack("{s:s,s:I,s:s}", "name", name, "skill_id",
			       json_integer_value(json_object_get(skill, "id")), "channel", "email");
	if (target_s)
		json_object_set_new(qj, "first_response_s", json_integer(target_s));
	struct queue_input q;
	struct decode_error derr;
	assert_int_equal(queue_input_decode(qj, &q, &derr), GC_OK);
	assert_int_equal(q.first_response_s, target_s);
	json_t *config = queue_input_json(&q);
	int64_t id = 0;
	assert_int_equal(store_queue_create(f->s, sc, name, config, &id), GC_OK);
	assert_int_equal(router_queue_set(f->o.router, f->s, sc, id, name, &q), GC_OK);
	json_decref(config);
	json_decref(qj);
	json_decref(skill);
	return id;
}

static int64_t contact_time(struct ops_fixture *f, int64_t id, const char *field)
{
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, id, &c), GC_OK);
	const char *text = json_string_value(json_object_get(c, field));
	int64_t ms = 0;
	if (text)
		assert_int_equal(gc_time_parse(text, &ms), GC_OK);
	json_decref(c);
	return ms;
}

/* Entering a queue with a first-response target gives a contact its due
 * time, in business time of the tenant's calendar from its creation, once;
 * the first outbound message that is not automatic is its first response. */
static void due_times_and_first_responses(void **state)
{
	struct ops_fixture *f = *state;
	struct ops_error err;
	assert_int_equal(store_begin(f->s), GC_OK);
	int64_t plain = target_queue(f, &f->a, "plain", 0), fast = target_queue(f, &f->a, "fast", 7200);
	/* no calendar: always open in UTC */
	struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = "x", .queue_id = plain, .message = "hi"};
	int64_t first = 0, second = 0;
	assert_int_equal(ops_contact_create(&f->o, &f->a, &in, &first, NULL, &err), GC_OK);
	in.queue_id = fast;
	assert_int_equal(ops_contact_create(&f->o, &f->a, &in, &second, NULL, &err), GC_OK);
	router_job_end(f->o.router, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->o.router, f->s, true);
	assert_int_equal(contact_time(f, first, "due_at"), 0); /* a queue without a target */
	int64_t created = contact_time(f, second, "created_at");
	assert_int_equal(contact_time(f, second, "due_at"), created + 7200 * 1000);

	/* a calendar closed today and tomorrow (UTC): the 2 hours start the day after */
	int32_t today = (int32_t)(created / 86400000);
	char a[CALENDAR_DATE_LEN], b[CALENDAR_DATE_LEN], cal[200];
	calendar_date_format(today, a);
	calendar_date_format(today + 1, b);
	snprintf(cal, sizeof(cal), "{\"zone\":\"UTC\",\"holidays\":[\"%s\",\"%s\"]}", a, b);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_calendar_put(f->s, &f->a, cal), GC_OK);
	in.queue_id = fast;
	int64_t third = 0;
	assert_int_equal(ops_contact_create(&f->o, &f->a, &in, &third, NULL, &err), GC_OK);
	router_job_end(f->o.router, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->o.router, f->s, true);
	assert_int_equal(contact_time(f, third, "due_at"), (today + 2) * 86400000LL + 7200 * 1000);

	/* notes and automatic messages are no response; the first reply is */
	assert_int_equal(store_begin(f->s), GC_OK);
	json_t *m = NULL;
	struct message_input note = {.body = "looking"}, ack = {.outbound = true, .automatic = true, .body = "got it"};
	struct message_input inbound = {.body = "more"}, reply = {.outbound = true, .body = "done"};
	assert_int_equal(ops_message_add(&f->o, &f->a, second, &note, true, &m, &err), GC_OK);
	json_decref(m);
	assert_int_equal(ops_message_add(&f->o, &f->a, second, &ack, false, &m, &err), GC_OK);
	json_decref(m);
	assert_int_equal(ops_message_add(&f->o, &f->a, second, &inbound, false, &m, &err), GC_OK);
	json_decref(m);
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(contact_time(f, second, "first_response_at"), 0);
	json_t *due = NULL;
	assert_int_equal(store_contacts_due(f->s, &f->a, gc_now_ms(), INT64_MAX, 0, 100, &due), GC_OK);
	assert_int_equal(json_array_size(due), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(due, 0), "id")), second); /* most urgent first */
	json_decref(due);
	assert_int_equal(store_contacts_due(f->s, &f->b, gc_now_ms(), INT64_MAX, 0, 100, &due), GC_OK);
	assert_int_equal(json_array_size(due), 0); /* another tenant sees none */
	json_decref(due);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(ops_message_add(&f->o, &f->a, second, &reply, false, &m, &err), GC_OK);
	json_decref(m);
	assert_int_equal(store_commit(f->s), GC_OK);
	int64_t answered = contact_time(f, second, "first_response_at");
	assert_true(answered >= created);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(ops_message_add(&f->o, &f->a, second, &reply, false, &m, &err), GC_OK);
	json_decref(m);
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(contact_time(f, second, "first_response_at"), answered); /* the first one stays */
	assert_int_equal(store_contacts_due(f->s, &f->a, gc_now_ms(), INT64_MAX, 0, 100, &due), GC_OK);
	assert_int_equal(json_array_size(due), 1); /* answered: off the list */
	json_decref(due);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(customers_are_found_by_address_or_phone, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(phone_keys_in_the_tenants_country, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(a_contact_with_its_first_message, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(bad_references_name_their_input, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(due_times_and_first_responses, ops_fixture_setup, ops_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
