/* store/messaging.c on the run's engine: a channel's secret never comes
 * back in its row and the channel is its tenant's only (another tenant gets
 * GC_ENOTFOUND, its key finds it from anywhere); a provider id is taken
 * once per channel and direction (the unique index refuses a second); a
 * reply is queued only on a contact that came through a channel, to the
 * peer of its last inbound message; the open contact of a peer skips a
 * resolved one; receipts never take a final state back, and a receipt of
 * another channel changes nothing. */
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
	int64_t ta, tb, channel, other_channel;
};

static struct store_scope scope_in(int64_t tenant)
{
	struct store_scope sc = {.tenant_id = tenant, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = SENS_CONFIDENTIAL};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	return sc;
}

static int64_t new_channel(struct store *s, int64_t tenant, const char *name, const char *key)
{
	struct store_scope sc = scope_in(tenant);
	static const unsigned char sealed[] = "SEALED-BYTES";
	struct store_messaging_channel in = {.name = name, .provider = "twilio", .kind = "sms", .public_key = key,
					     .webhook_url = "https://h.example/hooks/v1/messaging/k", .api_url = "https://api",
					     .account = "AC1", .address = "+15550001111", .sealed = sealed,
					     .sealed_len = sizeof(sealed) - 1};
	int64_t id = 0;
	assert_int_equal(store_messaging_channel_create(s, &sc, &in, &id), GC_OK);
	return id;
}

static int64_t new_contact(struct store *s, int64_t tenant)
{
	struct store_scope sc = scope_in(tenant);
	struct contact_input in = {.channel = CHANNEL_SMS, .message = "hello"};
	int64_t id = 0;
	assert_int_equal(store_contact_create(s, &sc, &in, &id), GC_OK);
	return id;
}

static int64_t inbound(struct store *s, int64_t tenant, int64_t channel, int64_t contact, const char *id,
		       const char *peer)
{
	struct store_scope sc = scope_in(tenant);
	struct store_messaging_message m = {.channel_id = channel, .contact_id = contact, .direction = "inbound",
					    .provider_id = id, .peer = peer, .state = "received"};
	int64_t row = 0;
	assert_int_equal(store_messaging_add(s, &sc, &m, &row), GC_OK);
	return row;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &f->ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &f->tb), GC_OK);
	f->channel = new_channel(f->s, f->ta, "sms", "key-a");
	f->other_channel = new_channel(f->s, f->ta, "sms2", "key-a2");
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

static void channels_keep_their_secret_and_tenant(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	json_t *row = NULL;
	assert_int_equal(store_messaging_channel_get(f->s, &a, f->channel, &row), GC_OK);
	char *text = json_dumps(row, 0);
	assert_null(strstr(text, "SEALED"));
	free(text);
	json_decref(row);
	assert_int_equal(store_messaging_channel_get(f->s, &b, f->channel, &row), GC_ENOTFOUND);
	assert_int_equal(store_messaging_channel_delete(f->s, &b, f->channel), GC_ENOTFOUND);
	struct store_messaging_channel rename = {.name = "mine", .queue_id = -1};
	assert_int_equal(store_messaging_channel_update(f->s, &b, f->channel, &rename), GC_ENOTFOUND);
	json_t *list = NULL;
	assert_int_equal(store_messaging_channel_list(f->s, &b, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	/* the key finds it from anywhere, with its tenant and its sealed secret */
	unsigned char *sealed = NULL;
	size_t len = 0;
	assert_int_equal(store_messaging_channel_by_key(f->s, "key-a", &row, &sealed, &len), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(row, "tenant_id")), f->ta);
	assert_int_equal(len, 12);
	assert_memory_equal(sealed, "SEALED-BYTES", 12);
	free(sealed);
	json_decref(row);
	assert_int_equal(store_messaging_channel_by_key(f->s, "no-such-key", &row, &sealed, &len), GC_ENOTFOUND);
	/* a name is unique in its tenant, not across tenants */
	struct store_messaging_channel dup = {.name = "sms", .provider = "generic", .kind = "social", .public_key = "key-x",
					      .webhook_url = "u", .api_url = "u", .address = "@a",
					      .sealed = (const unsigned char *)"s", .sealed_len = 1};
	int64_t id = 0;
	assert_int_equal(store_messaging_channel_create(f->s, &a, &dup, &id), GC_ECONFLICT);
	assert_int_equal(store_messaging_channel_create(f->s, &b, &dup, &id), GC_OK);
}

static void a_provider_id_is_taken_once(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	int64_t c = new_contact(f->s, f->ta), found = 0;
	inbound(f->s, f->ta, f->channel, c, "SM-once", "+15551230000");
	assert_int_equal(store_messaging_inbound_contact(f->s, &a, f->channel, "SM-once", &found), GC_OK);
	assert_int_equal(found, c);
	assert_int_equal(store_messaging_inbound_contact(f->s, &a, f->other_channel, "SM-once", &found), GC_ENOTFOUND);
	struct store_messaging_message again = {.channel_id = f->channel, .contact_id = c, .direction = "inbound",
						.provider_id = "SM-once", .peer = "+15551230000", .state = "received"};
	int64_t row = 0;
	assert_int_equal(store_messaging_add(f->s, &a, &again, &row), GC_ECONFLICT);
	/* on another channel the same id is another message */
	inbound(f->s, f->ta, f->other_channel, c, "SM-once", "+15551230000");
}

static void replies_go_to_the_last_inbound_peer(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	int64_t plain = new_contact(f->s, f->ta), c = new_contact(f->s, f->ta);
	/* a contact that never came through a channel: nothing queued */
	assert_int_equal(store_messaging_queue_reply(f->s, &a, plain, 0, "hi"), GC_OK);
	json_t *list = NULL;
	assert_int_equal(store_messaging_list(f->s, &a, plain, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	inbound(f->s, f->ta, f->channel, c, "SM-r1", "+15550000001");
	assert_int_equal(store_messaging_queue_reply(f->s, &a, c, 0, "answer"), GC_OK);
	json_t *due = NULL;
	assert_int_equal(store_messaging_due(f->s, INT64_MAX, 100, &due), GC_OK);
	size_t i;
	json_t *item;
	int seen = 0;
	json_array_foreach(due, i, item)
		if (json_integer_value(json_object_get(item, "contact_id")) == c) {
			assert_string_equal(json_string_value(json_object_get(item, "peer")), "+15550000001");
			assert_string_equal(json_string_value(json_object_get(item, "body")), "answer");
			assert_int_equal(json_integer_value(json_object_get(item, "channel_id")), f->channel);
			seen++;
		}
	assert_int_equal(seen, 1);
	json_decref(due);
	/* another tenant queues nothing on it */
	struct store_scope b = scope_in(f->tb);
	assert_int_equal(store_messaging_queue_reply(f->s, &b, c, 0, "intruder"), GC_OK);
	assert_int_equal(store_messaging_list(f->s, &a, c, &list), GC_OK);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
}

static void the_open_contact_skips_a_resolved_one(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta);
	int64_t c = new_contact(f->s, f->ta), contact = 0, customer = 0;
	inbound(f->s, f->ta, f->channel, c, "SM-o1", "+15550000002");
	assert_int_equal(store_messaging_peer_contact(f->s, &a, f->channel, "+15550000002", true, &contact, &customer),
			 GC_OK);
	assert_int_equal(contact, c);
	json_t *after = NULL;
	struct state_input resolve = {.state = CONTACT_RESOLVED, .disposition = "answered", .expected_version = -1};
	assert_int_equal(store_contact_set_state(f->s, &a, c, &resolve, &after), GC_OK);
	json_decref(after);
	assert_int_equal(store_messaging_peer_contact(f->s, &a, f->channel, "+15550000002", true, &contact, &customer),
			 GC_ENOTFOUND);
	assert_int_equal(store_messaging_peer_contact(f->s, &a, f->channel, "+15550000002", false, &contact, &customer),
			 GC_OK);
	assert_int_equal(contact, c);
	struct store_scope b = scope_in(f->tb);
	assert_int_equal(store_messaging_peer_contact(f->s, &b, f->channel, "+15550000002", false, &contact, &customer),
			 GC_ENOTFOUND);
}

static const char *state_of(struct fixture *f, int64_t contact)
{
	static char state[32];
	struct store_scope a = scope_in(f->ta);
	json_t *list = NULL;
	assert_int_equal(store_messaging_list(f->s, &a, contact, &list), GC_OK);
	snprintf(state, sizeof(state), "%s",
		 json_string_value(json_object_get(json_array_get(list, json_array_size(list) - 1), "state")));
	json_decref(list);
	return state;
}

static void receipts_never_go_back(void **state)
{
	struct fixture *f = *state;
	struct store_scope a = scope_in(f->ta), b = scope_in(f->tb);
	int64_t c = new_contact(f->s, f->ta);
	inbound(f->s, f->ta, f->channel, c, "SM-x1", "+15550000003");
	assert_int_equal(store_messaging_queue_reply(f->s, &a, c, 0, "out"), GC_OK);
	json_t *list = NULL;
	assert_int_equal(store_messaging_list(f->s, &a, c, &list), GC_OK);
	int64_t out = json_integer_value(json_object_get(json_array_get(list, 1), "id"));
	json_decref(list);
	assert_int_equal(store_messaging_mark(f->s, &a, out, "sent", 1, 0, "SM-out", NULL), GC_OK);
	assert_int_equal(store_messaging_mark(f->s, &b, out, "failed", 1, 0, NULL, "x"), GC_ENOTFOUND);
	assert_string_equal(state_of(f, c), "sent");
	/* another channel's, another tenant's receipt: nothing */
	assert_int_equal(store_messaging_receipt(f->s, &a, f->other_channel, "SM-out", "failed", NULL), GC_OK);
	assert_int_equal(store_messaging_receipt(f->s, &b, f->channel, "SM-out", "failed", NULL), GC_OK);
	assert_string_equal(state_of(f, c), "sent");
	assert_int_equal(store_messaging_receipt(f->s, &a, f->channel, "SM-out", "delivered", NULL), GC_OK);
	assert_string_equal(state_of(f, c), "delivered");
	assert_int_equal(store_messaging_receipt(f->s, &a, f->channel, "SM-out", "sent", NULL), GC_OK);
	assert_int_equal(store_messaging_receipt(f->s, &a, f->channel, "SM-out", "failed", "late"), GC_OK);
	assert_string_equal(state_of(f, c), "delivered");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(channels_keep_their_secret_and_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(a_provider_id_is_taken_once, setup, teardown),
		cmocka_unit_test_setup_teardown(replies_go_to_the_last_inbound_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(the_open_contact_skips_a_resolved_one, setup, teardown),
		cmocka_unit_test_setup_teardown(receipts_never_go_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
