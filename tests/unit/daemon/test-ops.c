/* The core operations (src/daemon/ops.c) on a real store, on the run's
 * engine: customers found or created by address or phone, in their tenant
 * only; a contact created with its first message answers what a read
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
	/* a phone, whatever its punctuation */
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, "+33 1 23 45 67 89", &by_phone, &created, &err),
			 GC_OK);
	assert_true(created);
	assert_int_not_equal(by_phone, ann);
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, "+33-1-23-45-67-89", &again, &created, &err),
			 GC_OK);
	assert_false(created);
	assert_int_equal(again, by_phone);
	/* another tenant has customers of its own */
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->b, "ann.lee@example.net", NULL, &other, &created, &err),
			 GC_OK);
	assert_true(created);
	assert_int_not_equal(other, ann);
	/* bad input names the field */
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, "not an address", NULL, &again, &created, &err),
			 GC_EINVAL);
	assert_string_equal(err.field, "email");
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, "12", &again, &created, &err), GC_EINVAL);
	assert_string_equal(err.field, "phone");
	assert_int_equal(ops_customer_find_or_create(&f->o, &f->a, NULL, NULL, &again, &created, &err), GC_EINVAL);
	assert_int_equal(store_commit(f->s), GC_OK);
	json_t *c = NULL;
	assert_int_equal(store_customer_get(f->s, &f->a, by_phone, &c), GC_OK);
	assert_string_equal(json_string_value(json_object_get(c, "phone")), "+33123456789");
	json_decref(c);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(customers_are_found_by_address_or_phone, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(a_contact_with_its_first_message, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(bad_references_name_their_input, ops_fixture_setup, ops_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
