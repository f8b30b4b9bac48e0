/* store/voice.c on the run's engine: a number is its tenant's only (another
 * tenant gets GC_ENOTFOUND for it, and GC_ECONFLICT when it tries to take
 * it), the telephony thread finds it from anywhere with its tenant, a
 * removed number is found no more and is free again; an update keeps what
 * it does not name and "" clears; a call's event lands on the tenant's
 * contact only; a trunk's sealed password reaches the dialler only; a
 * trunk that registers is listed for the telephony thread with its
 * registrar and expiry, one that stops registering drops them; a
 * queue's music and waiting settings are set apart. */
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

struct fixture {
	struct test_store ts;
	struct store *s;
	int64_t ta, tb, number;
};

static struct store_scope scope_in(int64_t tenant)
{
	struct store_scope sc = {.tenant_id = tenant, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = SENS_CONFIDENTIAL};
	snprintf(sc.actor, sizeof(sc.actor), "channel:voice");
	return sc;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &f->ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &f->tb), GC_OK);
	struct store_scope a = scope_in(f->ta);
	struct store_voice_number in = {.number = "+33123456789", .lang = "fr", .greeting = "Bonjour",
					.menu = "{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":1}}}"};
	assert_int_equal(store_voice_number_create(f->s, &a, &in, &f->number), GC_OK);
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

static void a_number_is_one_tenants(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	json_t *row = NULL, *list = NULL;
	assert_int_equal(store_voice_number_get(f->s, &a, f->number, &row), GC_OK);
	assert_string_equal(json_string_value(json_object_get(row, "lang")), "fr");
	assert_true(json_is_object(json_object_get(row, "menu")));
	assert_null(json_object_get(row, "tenant_id"));
	json_decref(row);
	assert_int_equal(store_voice_number_get(f->s, &b, f->number, &row), GC_ENOTFOUND);
	assert_int_equal(store_voice_number_list(f->s, &b, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	struct store_voice_number change = {.greeting = "mine", .queue_id = -1};
	assert_int_equal(store_voice_number_update(f->s, &b, f->number, &change), GC_ENOTFOUND);
	assert_int_equal(store_voice_number_delete(f->s, &b, f->number), GC_ENOTFOUND);
	struct store_voice_number same = {.number = "+33123456789"};
	int64_t id = 0;
	assert_int_equal(store_voice_number_create(f->s, &b, &same, &id), GC_ECONFLICT);
	assert_non_null(strstr(store_errmsg(f->s), "+33123456789"));
	/* the telephony thread's look-up: from anywhere, with its tenant */
	assert_int_equal(store_voice_number_find(f->s, "+33123456789", &row), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(row, "tenant_id")), f->ta);
	json_decref(row);
	assert_int_equal(store_voice_number_find(f->s, "+33000000000", &row), GC_ENOTFOUND);
}

static void updates_keep_and_clear(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	struct store_voice_number greet = {.queue_id = -1, .greeting_recording = 7};
	assert_int_equal(store_voice_number_update(f->s, &a, f->number, &greet), GC_OK);
	struct store_voice_number change = {.greeting = "Hello", .lang = "en", .queue_id = -1,
					    .greeting_recording = -1};
	assert_int_equal(store_voice_number_update(f->s, &a, f->number, &change), GC_OK);
	json_t *row = NULL;
	assert_int_equal(store_voice_number_get(f->s, &a, f->number, &row), GC_OK);
	assert_string_equal(json_string_value(json_object_get(row, "greeting")), "Hello");
	assert_int_equal(json_integer_value(json_object_get(row, "greeting_recording")), 7); /* kept */
	assert_string_equal(json_string_value(json_object_get(row, "number")), "+33123456789");
	assert_true(json_is_object(json_object_get(row, "menu")));
	json_decref(row);
	struct store_voice_number clear = {.menu = "", .greeting = "", .queue_id = 0};
	assert_int_equal(store_voice_number_update(f->s, &a, f->number, &clear), GC_OK);
	assert_int_equal(store_voice_number_get(f->s, &a, f->number, &row), GC_OK);
	assert_true(json_is_null(json_object_get(row, "menu")));
	assert_true(json_is_null(json_object_get(row, "greeting")));
	assert_true(json_is_null(json_object_get(row, "queue_id")));
	assert_true(json_is_null(json_object_get(row, "greeting_recording")));
	json_decref(row);
}

static void a_removed_number_is_free_again(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	assert_int_equal(store_voice_number_delete(f->s, &a, f->number), GC_OK);
	assert_int_equal(store_voice_number_delete(f->s, &a, f->number), GC_ENOTFOUND);
	json_t *row = NULL;
	assert_int_equal(store_voice_number_find(f->s, "+33123456789", &row), GC_ENOTFOUND);
	struct store_voice_number again = {.number = "+33123456789"};
	int64_t id = 0;
	assert_int_equal(store_voice_number_create(f->s, &b, &again, &id), GC_OK);
	assert_int_equal(store_voice_number_find(f->s, "+33123456789", &row), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(row, "tenant_id")), f->tb);
	assert_string_equal(json_string_value(json_object_get(row, "lang")), "en"); /* the default */
	json_decref(row);
}

static void events_land_on_the_tenants_contact_only(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	struct contact_input in = {.channel = CHANNEL_PHONE, .subject = "Call"};
	int64_t contact = 0;
	assert_int_equal(store_contact_create(f->s, &a, &in, &contact), GC_OK);
	json_t *data = json_pack("{s:s}", "key", "1");
	assert_int_equal(store_voice_event(f->s, &b, contact, "call_menu_choice", data), GC_ENOTFOUND);
	assert_int_equal(store_voice_event(f->s, &a, contact, "call_menu_choice", data), GC_OK);
	json_decref(data);
	json_t *page = NULL;
	assert_int_equal(store_contact_events(f->s, &a, contact, 0, 50, &page), GC_OK);
	json_t *items = json_object_get(page, "items"), *last = json_array_get(items, json_array_size(items) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "type")), "call_menu_choice");
	assert_string_equal(json_string_value(json_object_get(last, "actor")), "channel:voice");
	assert_string_equal(json_string_value(json_object_get(json_object_get(last, "data"), "key")), "1");
	json_decref(page);
}

/* A trunk's credentials (migration 40): the sealed password comes back
 * whole to the dialler alone, never in get; a set without them drops
 * them; another tenant has no trunk. */
static void a_trunks_password_is_read_by_the_dialler_only(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	static const unsigned char sealed[] = {0x00, 0x01, 0xfe, 0xff, 0x42};
	struct store_voice_trunk in = {.uri = "sip:{number}@trunk.example", .username = "u1", .sealed = sealed,
				       .sealed_len = sizeof(sealed)};
	assert_int_equal(store_voice_trunk_set(f->s, &a, &in), GC_OK);
	json_t *row = NULL;
	assert_int_equal(store_voice_trunk_get(f->s, &a, &row), GC_OK);
	assert_string_equal(json_string_value(json_object_get(row, "username")), "u1");
	assert_int_equal(json_object_size(row), 6); /* uri, username, updated_at, register, registrar, register_expires */
	json_decref(row);
	unsigned char *got = NULL;
	size_t len = 0;
	assert_int_equal(store_voice_trunk_dial(f->s, &a, &row, &got, &len), GC_OK);
	assert_int_equal(len, sizeof(sealed));
	assert_memory_equal(got, sealed, sizeof(sealed));
	free(got);
	json_decref(row);
	assert_int_equal(store_voice_trunk_dial(f->s, &b, &row, &got, &len), GC_ENOTFOUND);
	in = (struct store_voice_trunk){.uri = "sip:{number}@trunk.example"};
	assert_int_equal(store_voice_trunk_set(f->s, &a, &in), GC_OK);
	got = (unsigned char *)"x";
	assert_int_equal(store_voice_trunk_dial(f->s, &a, &row, &got, &len), GC_OK);
	assert_null(got);
	assert_true(json_is_null(json_object_get(row, "username")));
	json_decref(row);
}

/* A trunk that registers (migration 49): its registrar and expiry kept
 * and read back, the trunk listed for the telephony thread (every
 * tenant's, with the time it changed); set again without registering, it
 * drops both and leaves the list; cleared, gone. */
static void a_registering_trunk_is_listed_for_the_telephony_thread(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	static const unsigned char sealed[] = {0x01, 0x02};
	struct store_voice_trunk in = {.uri = "sip:{number}@trunk.example", .username = "u1", .sealed = sealed,
				       .sealed_len = sizeof(sealed), .registers = true,
				       .registrar = "sip:reg.trunk.example:5080", .register_expires = 300};
	assert_int_equal(store_voice_trunk_set(f->s, &a, &in), GC_OK);
	in = (struct store_voice_trunk){.uri = "sip:{number}@other.example"};
	assert_int_equal(store_voice_trunk_set(f->s, &b, &in), GC_OK); /* B's does not register */
	json_t *row = NULL, *list = NULL;
	assert_int_equal(store_voice_trunk_get(f->s, &a, &row), GC_OK);
	assert_true(json_is_true(json_object_get(row, "register")));
	assert_string_equal(json_string_value(json_object_get(row, "registrar")), "sip:reg.trunk.example:5080");
	assert_int_equal(json_integer_value(json_object_get(row, "register_expires")), 300);
	json_decref(row);
	assert_int_equal(store_voice_trunks_registering(f->s, &list), GC_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "tenant_id")), f->ta);
	assert_true(json_integer_value(json_object_get(json_array_get(list, 0), "updated_ms")) > 0);
	json_decref(list);
	unsigned char *got = NULL;
	size_t len = 0;
	assert_int_equal(store_voice_trunk_dial(f->s, &a, &row, &got, &len), GC_OK);
	assert_true(json_is_true(json_object_get(row, "register")));
	assert_int_equal(len, sizeof(sealed));
	free(got);
	json_decref(row);
	in = (struct store_voice_trunk){.uri = "sip:{number}@trunk.example", .registrar = "sip:x.example",
					.register_expires = 60};
	assert_int_equal(store_voice_trunk_set(f->s, &a, &in), GC_OK);
	assert_int_equal(store_voice_trunk_get(f->s, &a, &row), GC_OK);
	assert_true(json_is_false(json_object_get(row, "register")));
	assert_true(json_is_null(json_object_get(row, "registrar")));
	assert_true(json_is_null(json_object_get(row, "register_expires")));
	json_decref(row);
	assert_int_equal(store_voice_trunks_registering(f->s, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	in = (struct store_voice_trunk){.uri = "sip:{number}@trunk.example", .username = "u1", .sealed = sealed,
					.sealed_len = sizeof(sealed), .registers = true};
	assert_int_equal(store_voice_trunk_set(f->s, &a, &in), GC_OK);
	assert_int_equal(store_voice_trunk_clear(f->s, &a), GC_OK);
	assert_int_equal(store_voice_trunks_registering(f->s, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

/* A queue's music (migration 41) beside its waiting settings: each kept
 * when the other is set, music alone leaves waiting null, neither leaves
 * no row; the queue playing a recording is found, in its tenant only. */
static void a_queues_music_and_waiting_are_set_apart(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	int64_t queue = 0, rec = 0, user = 0;
	json_t *config = json_pack("{s:s}", "channel", "phone");
	assert_int_equal(store_queue_create(f->s, &a, "q", config, &queue), GC_OK);
	json_decref(config);
	int16_t samples[160] = {1, -1};
	assert_int_equal(store_voice_prompt_create(f->s, &a, "music", samples, 160, &rec), GC_OK);
	assert_int_equal(store_voice_queue_set(f->s, &b, queue, NULL, rec), GC_ENOTFOUND); /* not B's queue */
	assert_int_equal(store_voice_queue_set(f->s, &a, queue, NULL, rec), GC_OK);
	json_t *row = NULL;
	assert_int_equal(store_voice_queue_get(f->s, &a, queue, &row), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(row, "music")), rec);
	assert_true(json_is_null(json_object_get(row, "waiting")));
	json_decref(row);
	assert_int_equal(store_voice_queue_set(f->s, &a, queue, "{\"announce_every_s\":5}", -1), GC_OK);
	assert_int_equal(store_voice_queue_get(f->s, &a, queue, &row), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(row, "music")), rec); /* kept */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "waiting"), "announce_every_s")), 5);
	json_decref(row);
	assert_int_equal(store_voice_queue_music_user(f->s, &a, rec, &user), GC_OK);
	assert_int_equal(user, queue);
	assert_int_equal(store_voice_queue_music_user(f->s, &b, rec, &user), GC_OK);
	assert_int_equal(user, 0);
	assert_int_equal(store_voice_queue_set(f->s, &a, queue, NULL, 0), GC_OK);
	assert_int_equal(store_voice_queue_get(f->s, &a, queue, &row), GC_OK);
	assert_true(json_is_null(json_object_get(row, "music")));
	assert_true(json_is_object(json_object_get(row, "waiting"))); /* kept */
	json_decref(row);
	assert_int_equal(store_voice_queue_set(f->s, &a, queue, "null", -1), GC_OK);
	assert_int_equal(store_voice_queue_get(f->s, &a, queue, &row), GC_ENOTFOUND); /* neither: no row */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_number_is_one_tenants, setup, teardown),
		cmocka_unit_test_setup_teardown(updates_keep_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(a_removed_number_is_free_again, setup, teardown),
		cmocka_unit_test_setup_teardown(events_land_on_the_tenants_contact_only, setup, teardown),
		cmocka_unit_test_setup_teardown(a_trunks_password_is_read_by_the_dialler_only, setup, teardown),
		cmocka_unit_test_setup_teardown(a_registering_trunk_is_listed_for_the_telephony_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(a_queues_music_and_waiting_are_set_apart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
