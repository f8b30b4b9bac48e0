/* Unit tests of the store, on the engine of the run (teststore.h): tenant
 * scoping, redaction, the contact timeline, imports, the schema version, the
 * append-only audit log; and SQLite's migrations from its older files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guichet/error.h"
#include "store/store.h"
#include "teststore.h"
#include "guichet/clock.h"

struct fixture {
	struct test_store ts;
	struct store *s;
	struct store_scope a, b; /* tenant admins of tenants A and B */
};

static struct store_scope scope_in(int64_t tenant, enum role role)
{
	struct store_scope sc = {.tenant_id = tenant, .role = role, .has_role = true,
				 .sees = role_visibility(role)};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	return sc;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	int64_t ta, tb;
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &tb), GC_OK);
	f->a = scope_in(ta, ROLE_TENANT_ADMIN);
	f->b = scope_in(tb, ROLE_TENANT_ADMIN);
	/* the classes new_customer and the imports name are the tenants' policy */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_attr_policy_set(f->s, i ? &f->b : &f->a, "first_name", SENS_BASIC), GC_OK);
		assert_int_equal(store_attr_policy_set(f->s, i ? &f->b : &f->a, "iban", SENS_CONFIDENTIAL), GC_OK);
	}
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

static int64_t new_customer(struct store *s, const struct store_scope *sc, const char *ext)
{
	struct customer_input in = {.external_id = ext, .email = "c@example.org", .phone = "+33 1 02 03 04 05",
				    .n_attrs = 3};
	in.attrs[0] = (struct customer_attr){"first_name", "Ana", SENS_BASIC};
	in.attrs[1] = (struct customer_attr){"birth_date", "1980-01-01", SENS_PERSONAL};
	in.attrs[2] = (struct customer_attr){"iban", "FR76 1234", SENS_CONFIDENTIAL};
	json_t *c = NULL;
	assert_int_equal(store_customer_create(s, sc, &in, &c), GC_OK);
	int64_t id = json_integer_value(json_object_get(c, "id"));
	json_decref(c);
	return id;
}

static int64_t new_contact(struct store *s, const struct store_scope *sc, int64_t customer)
{
	struct contact_input in = {.channel = CHANNEL_EMAIL, .customer_id = customer, .subject = "Help",
				   .message = "It broke"};
	json_t *c = NULL;
	int64_t id = 0;
	assert_int_equal(store_contact_create(s, sc, &in, &id), GC_OK);
	assert_int_equal(store_contact_get(s, sc, id, &c), GC_OK);
	assert_int_equal(json_array_size(json_object_get(c, "messages")), 1);
	json_decref(c);
	return id;
}

static int64_t contact_on(struct store *s, const struct store_scope *sc, enum contact_channel channel,
			  int64_t customer)
{
	struct contact_input in = {.channel = channel, .customer_id = customer, .subject = "Call me", .message = "Please"};
	int64_t id = 0;
	assert_int_equal(store_contact_create(s, sc, &in, &id), GC_OK);
	return id;
}

/* A GET batch's callbacks and web chats (store_callbacks_of_contacts,
 * store_chats_of_contacts): each kind in one round trip for all the
 * contacts once its statements are prepared, each row the one a single read gives, none for a contact that
 * has none, and none of another tenant's even when its id is asked. */
static void contacts_extras_are_read_together_in_their_tenant(void **state)
{
	struct fixture *f = *state;
	int64_t cust = new_customer(f->s, &f->a, "X9");
	int64_t phone = contact_on(f->s, &f->a, CHANNEL_PHONE, cust);
	int64_t bare_phone = contact_on(f->s, &f->a, CHANNEL_PHONE, cust);
	int64_t chat = contact_on(f->s, &f->a, CHANNEL_CHAT, cust);
	int64_t phone_b = contact_on(f->s, &f->b, CHANNEL_PHONE, 0);
	struct store_callback cb = {.contact_id = phone, .queue_id = 1, .phone = "+33102030405", .name = "Ana",
				    .source = "api", .max_attempts = 3, .state = "waiting"};
	int64_t cb_a = 0, cb_b = 0, queue = 0, channel = 0;
	assert_int_equal(store_callback_create(f->s, &f->a, &cb, &cb_a), GC_OK);
	cb.contact_id = phone_b;
	assert_int_equal(store_callback_create(f->s, &f->b, &cb, &cb_b), GC_OK);
	json_t *config = json_object();
	assert_int_equal(store_queue_create(f->s, &f->a, "support", config, &queue), GC_OK);
	json_decref(config);
	struct store_chat_channel site = {.name = "site", .key = "pk_extras", .config = "{}",
					  .sealed = (const unsigned char *)"sealed", .sealed_len = 6, .queue_id = queue};
	assert_int_equal(store_chat_channel_create(f->s, &f->a, &site, &channel), GC_OK);
	struct store_chat web = {.contact_id = chat, .channel_id = channel, .customer_id = cust, .visitor = "v1"};
	assert_int_equal(store_chat_create(f->s, f->a.tenant_id, &web), GC_OK);

	struct store_contact_extra cbs[] = {{.scope = &f->a, .contact_id = phone}, {.scope = &f->a, .contact_id = bare_phone},
					    {.scope = &f->a, .contact_id = phone_b}, {.scope = &f->b, .contact_id = phone_b}};
	store_callbacks_of_contacts(f->s, cbs, 4); /* PostgreSQL prepares each statement at its first use */
	for (int k = 0; k < 4; k++)
		json_decref(cbs[k].row);
	int64_t before = test_store_round_trips(f->s);
	store_callbacks_of_contacts(f->s, cbs, 4);
	if (testdb_is_pg())
		assert_int_equal(test_store_round_trips(f->s) - before, 1);
	for (int k = 0; k < 4; k++)
		assert_int_equal(cbs[k].rc, GC_OK);
	json_t *single = NULL;
	assert_int_equal(store_callback_of_contact(f->s, &f->a, phone, &single), GC_OK);
	assert_non_null(cbs[0].row);
	assert_true(json_equal(cbs[0].row, single));
	assert_int_equal(json_integer_value(json_object_get(cbs[0].row, "id")), cb_a);
	assert_null(cbs[1].row);
	assert_null(cbs[2].row); /* tenant B's, asked in tenant A */
	assert_int_equal(json_integer_value(json_object_get(cbs[3].row, "id")), cb_b);
	json_decref(single);
	for (int k = 0; k < 4; k++)
		json_decref(cbs[k].row);

	struct store_contact_extra chats[] = {{.scope = &f->a, .contact_id = chat}, {.scope = &f->b, .contact_id = chat},
					      {.scope = &f->a, .contact_id = phone}};
	store_chats_of_contacts(f->s, chats, 3);
	for (int k = 0; k < 3; k++)
		json_decref(chats[k].row);
	before = test_store_round_trips(f->s);
	store_chats_of_contacts(f->s, chats, 3);
	if (testdb_is_pg())
		assert_int_equal(test_store_round_trips(f->s) - before, 1);
	assert_int_equal(chats[0].rc, GC_OK);
	assert_int_equal(store_chat_get(f->s, f->a.tenant_id, chat, &single), GC_OK);
	assert_true(json_equal(chats[0].row, single));
	assert_int_equal(json_integer_value(json_object_get(chats[0].row, "channel_id")), channel);
	assert_null(chats[1].row); /* tenant A's chat, asked in tenant B */
	assert_null(chats[2].row);
	json_decref(single);
	json_decref(chats[0].row);
}

static void tenants_never_see_each_other(void **state)
{
	struct fixture *f = *state;
	int64_t cust = new_customer(f->s, &f->a, "X1");
	int64_t contact = new_contact(f->s, &f->a, cust);
	json_t *out = NULL;
	assert_int_equal(store_customer_get(f->s, &f->b, cust, &out), GC_ENOTFOUND);
	assert_int_equal(store_contact_get(f->s, &f->b, contact, &out), GC_ENOTFOUND);
	assert_int_equal(store_contact_events(f->s, &f->b, contact, 0, 10, &out), GC_ENOTFOUND);
	struct state_input st = {.state = CONTACT_QUEUED, .expected_version = -1};
	assert_int_equal(store_contact_set_state(f->s, &f->b, contact, &st, &out), GC_ENOTFOUND);
	struct message_input m = {.body = "sneaky"};
	assert_int_equal(store_contact_add_message(f->s, &f->b, contact, &m, false, &out), GC_ENOTFOUND);
	/* B cannot attach A's customer to its own contact either */
	struct contact_input in = {.channel = CHANNEL_CHAT, .customer_id = cust};
	int64_t id = 0;
	assert_int_equal(store_contact_create(f->s, &f->b, &in, &id), GC_EINVAL);
	/* the same external id is free in another tenant */
	new_customer(f->s, &f->b, "X1");
	struct store_contact_filter filter = {0};
	assert_int_equal(store_contact_list(f->s, &f->b, &filter, &out), GC_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
	json_decref(out);
	struct store_customer_filter cf = {.external_id = "X1"};
	assert_int_equal(store_customer_list(f->s, &f->b, &cf, &out), GC_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
	assert_int_not_equal(json_integer_value(json_object_get(json_array_get(json_object_get(out, "items"), 0), "id")), cust);
	json_decref(out);
}

static void redaction_follows_the_role(void **state)
{
	struct fixture *f = *state;
	int64_t cust = new_customer(f->s, &f->a, "R1");
	struct store_scope outsourced = scope_in(f->a.tenant_id, ROLE_OUTSOURCED_AGENT);
	struct store_scope agent = scope_in(f->a.tenant_id, ROLE_AGENT);
	json_t *c = NULL;
	assert_int_equal(store_customer_get(f->s, &outsourced, cust, &c), GC_OK);
	json_t *attrs = json_object_get(c, "attributes");
	assert_int_equal(json_object_size(attrs), 1);
	assert_non_null(json_object_get(attrs, "first_name"));
	assert_null(json_object_get(c, "email"));
	assert_null(json_object_get(c, "phone"));
	json_decref(c);
	assert_int_equal(store_customer_get(f->s, &agent, cust, &c), GC_OK);
	assert_int_equal(json_object_size(json_object_get(c, "attributes")), 2);
	assert_null(json_object_get(json_object_get(c, "attributes"), "iban"));
	assert_non_null(json_object_get(c, "email"));
	json_decref(c);
	/* nobody overwrites what they cannot see, nor searches by it */
	struct customer_input patch = {.n_attrs = 1};
	patch.attrs[0] = (struct customer_attr){"iban", "FR00 stolen", SENS_PERSONAL};
	assert_int_equal(store_customer_update(f->s, &agent, cust, &patch, &c), GC_EFORBIDDEN);
	struct store_customer_filter by_email = {.email = "c@example.org"};
	assert_int_equal(store_customer_list(f->s, &outsourced, &by_email, &c), GC_EFORBIDDEN);
	struct store_scope author = scope_in(f->a.tenant_id, ROLE_AUTHOR);
	assert_int_equal(store_customer_get(f->s, &author, cust, &c), GC_EFORBIDDEN);
}

static void every_change_is_on_the_timeline(void **state)
{
	struct fixture *f = *state;
	int64_t id = new_contact(f->s, &f->a, 0);
	json_t *c = NULL;
	struct state_input st = {.state = CONTACT_CLOSED, .expected_version = -1};
	struct state_input to_queue = {.state = CONTACT_QUEUED, .expected_version = 1};
	assert_int_equal(store_contact_set_state(f->s, &f->a, id, &to_queue, &c), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(c, "version")), 2);
	json_decref(c);
	to_queue.state = CONTACT_ASSIGNED; /* version 1 is stale now */
	assert_int_equal(store_contact_set_state(f->s, &f->a, id, &to_queue, &c), GC_ECONFLICT);
	struct state_input resolve = {.state = CONTACT_RESOLVED, .expected_version = -1};
	assert_int_equal(store_contact_set_state(f->s, &f->a, id, &resolve, &c), GC_EINVAL);
	resolve.disposition = "fixed";
	assert_int_equal(store_contact_set_state(f->s, &f->a, id, &resolve, &c), GC_OK);
	json_decref(c);
	struct message_input note = {.body = "called back"};
	assert_int_equal(store_contact_add_message(f->s, &f->a, id, &note, true, &c), GC_OK);
	json_decref(c);
	assert_int_equal(store_contact_set_state(f->s, &f->a, id, &st, &c), GC_OK);
	assert_string_equal(json_string_value(json_object_get(c, "disposition")), "fixed");
	json_decref(c);
	assert_int_equal(store_contact_set_state(f->s, &f->a, id, &resolve, &c), GC_ESTATE);
	assert_int_equal(store_contact_add_message(f->s, &f->a, id, &note, false, &c), GC_ESTATE);
	json_t *page = NULL;
	assert_int_equal(store_contact_events(f->s, &f->a, id, 0, 100, &page), GC_OK);
	json_t *items = json_object_get(page, "items");
	const char *expected[] = {"created", "state_changed", "state_changed", "note_added", "state_changed"};
	assert_int_equal(json_array_size(items), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(items, i), "type")), expected[i]);
	json_decref(page);
}

static void pages_follow_the_cursor(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 7; i++)
		new_contact(f->s, &f->a, 0);
	struct store_contact_filter filter = {.limit = 3};
	int64_t seen = 0, last = INT64_MAX;
	for (int page_no = 0; page_no < 5; page_no++) {
		json_t *page = NULL;
		assert_int_equal(store_contact_list(f->s, &f->a, &filter, &page), GC_OK);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(page, "items"), i, item) {
			int64_t id = json_integer_value(json_object_get(item, "id"));
			assert_true(id < last);
			last = id;
			seen++;
		}
		const char *next = json_string_value(json_object_get(page, "next_cursor"));
		filter.after_id = next ? atoll(next) : 0;
		json_decref(page);
		if (!next)
			break;
	}
	assert_int_equal(seen, 7);
}

static void imports_are_idempotent(void **state)
{
	struct fixture *f = *state;
	const char *csv = "external_id,email,first_name:basic\nI1,a@x.fr,Ana\nI2,,Bob\nI3,bad,Cy\n";
	json_t *report = NULL;
	struct decode_error err;
	assert_int_equal(store_customer_import(f->s, &f->a, csv, strlen(csv), false, NULL, &report, &err), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(report, "inserted")), 2);
	assert_int_equal(json_array_size(json_object_get(report, "rejected")), 1);
	json_decref(report);
	assert_int_equal(store_customer_import(f->s, &f->a, csv, strlen(csv), false, NULL, &report, &err), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(report, "inserted")), 0);
	assert_int_equal(json_integer_value(json_object_get(report, "unchanged")), 2);
	json_decref(report);
	const char *changed = "external_id,email,first_name:basic\nI1,a@x.fr,Anna\n";
	assert_int_equal(store_customer_import(f->s, &f->a, changed, strlen(changed), false, NULL, &report, &err), GC_OK);
	assert_int_equal(json_integer_value(json_object_get(report, "updated")), 1);
	json_decref(report);
	assert_int_equal(store_customer_import(f->s, &f->a, csv, strlen(csv), true, NULL, &report, &err), GC_EINVAL);
	assert_string_equal(err.field, "line 4");
	json_decref(report);
}

static void newer_schemas_are_refused(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(testdb_set_schema_version(f->ts.target, 999), 0);
	struct store *s = NULL;
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &s), GC_ESCHEMA);
	assert_non_null(strstr(store_errmsg(s), "newer"));
	store_free(s);
}

/* What migration 25 adds, taken away again (goodwill gestures). */
#define DROP_GESTURES "DROP TABLE gestures; DROP TABLE gesture_settings; "
/* What migration 26 adds, taken away again (incidents' broadcasts; its
 * columns on incidents go with DROP_PORTAL's table). */
#define DROP_BROADCAST "DROP TABLE contact_incidents; DROP TABLE incident_broadcasts; DROP TABLE incident_updates;" \
	" DROP TABLE incident_templates; DROP TABLE incident_audience; "
/* What migration 31 (28 here) adds, taken away again (reasons, satisfaction, knowledge in the reports). */
#define DROP_REPORT_REASONS "DROP TABLE report_reasons; DROP TABLE report_satisfaction; DROP TABLE report_knowledge;" \
	" DROP TABLE report_kb_resolutions; DROP TABLE report_contact_cursor; DROP INDEX IF EXISTS contact_events_tenant; "
/* What migrations 45 to 48, 50 and 51 add, taken away again (the tenants'
 * disposition codes, a knowledge draft's writer, a mailbox's sender name,
 * the offers declined and missed and the contacts moved away in the
 * reports' rows, a cluster's live nodes): every rewind here goes back past
 * them, with DROP_FOLD. */
#define DROP_DISPOSITIONS "DROP TABLE routing_nodes; DROP TABLE dispositions; ALTER TABLE kb_items DROP COLUMN draft_by;" \
	" ALTER TABLE email_mailboxes DROP COLUMN from_name; ALTER TABLE report_intervals DROP COLUMN declined;" \
	" ALTER TABLE report_intervals DROP COLUMN missed; ALTER TABLE report_intervals DROP COLUMN moved_away; "
/* What migrations 33 and 34 add, taken away again (the help centre's
 * answers in the reports, the contacts' events still to fold), and what
 * came after. */
#define DROP_FOLD DROP_DISPOSITIONS "DROP TABLE report_self_service; DROP INDEX contact_events_to_fold;" \
	" ALTER TABLE contact_events DROP COLUMN to_fold; "
/* What migration 27 adds, taken away again (the reports' rows). */
#define DROP_REPORTS "DROP TABLE report_intervals; DROP TABLE report_presence; DROP TABLE report_cursor;" \
	" DROP INDEX contacts_created; DROP INDEX contacts_reason; " DROP_REPORT_REASONS

/* What migration 29 adds, taken away again (calls' recordings). */
#define DROP_RECORDINGS "DROP TABLE recordings; DROP TABLE recorded_queues; DROP TABLE recording_settings; "
/* What migration 31 adds, taken away again (the voice of the customer). */
#define DROP_VOC "DROP TABLE voc_mailings; DROP TABLE voc_schedules; DROP TABLE voc_cursor; DROP TABLE voc_weeks;" \
	" DROP TABLE voc_counts; "

/* What migration 23 adds, taken away again (voice numbers). */
#define DROP_VOICE "DROP TABLE voice_trunks; DROP TABLE voice_prompts; DROP TABLE voice_queues; DROP TABLE agent_phones; DROP TABLE voice_numbers; "

/* What migration 19 adds, taken away again (SMS and social messages). */
#define DROP_MESSAGING "DROP TABLE messaging_messages; DROP TABLE messaging_channels; "

/* What migration 21 adds, taken away again (callbacks). */
#define DROP_CALLBACKS "DROP TABLE callbacks; DROP TABLE callback_settings; "

/* What migration 22 adds, taken away again (the web chat). */
#define DROP_CHAT "DROP TABLE chats; DROP TABLE chat_channels; DROP INDEX messages_client;" \
	" ALTER TABLE messages DROP COLUMN client_id; ALTER TABLE messages DROP COLUMN delivered_at;" \
	" ALTER TABLE messages DROP COLUMN read_at; "

/* What migration 18 adds, taken away again (the workshop's review comment and flag resolution). */
#define DROP_WORKSHOP "ALTER TABLE kb_items DROP COLUMN review_comment; ALTER TABLE kb_flags DROP COLUMN resolution; "

/* What migration 20 adds, taken away again (the self-service portal). */
#define DROP_PORTAL "DROP TABLE incidents; DROP TABLE portals; "

/* What migration 17 adds, taken away again (emails' attachments). */
#define DROP_ATTACHMENTS "DROP TABLE email_attachment_chunks; DROP TABLE email_attachments;" \
	" DROP TABLE email_attachment_limits; "

/* What migration 16 adds, taken away again (business hours). */
#define DROP_HOURS "DROP TABLE calendars; DROP INDEX contacts_due; DROP INDEX contacts_received;" \
	" ALTER TABLE contacts DROP COLUMN due_at; ALTER TABLE contacts DROP COLUMN first_response_at;" \
	" ALTER TABLE contacts DROP COLUMN entry_queue_id; "

/* A database at migration 7, as every one made before migration 8 is, gets
 * migrations 8 to 18 when opened, on both engines: the index, the leases',
 * mailboxes', emails', outbox's, rules', exports', calendars' and attachments'
 * tables with the acknowledgements', due times' and review comments' columns,
 * the version, and the rows it had. */
static void a_database_before_migration_8_is_upgraded(void **state)
{
	struct fixture *f = *state;
	int64_t kept = new_contact(f->s, &f->a, 0);
	store_free(f->s);
	assert_int_equal(testdb_exec(f->ts.target, DROP_FOLD DROP_VOC DROP_RECORDINGS DROP_REPORTS DROP_BROADCAST DROP_GESTURES DROP_VOICE DROP_CHAT DROP_CALLBACKS DROP_MESSAGING DROP_PORTAL DROP_WORKSHOP DROP_ATTACHMENTS DROP_HOURS "DROP INDEX routing_events_at; DROP TABLE routing_leases; DROP TABLE category_rules; DROP TABLE l2_export_days; DROP TABLE l2_export_schedules; DROP TABLE email_outbox_attachments; DROP TABLE email_outbox; DROP TABLE email_messages;"
				      " DROP TABLE email_mailboxes"), 0);
	assert_int_equal(testdb_set_schema_version(f->ts.target, 7), 0);
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &f->s), GC_OK);
	assert_int_equal(store_file_schema_version(f->s), store_schema_version());
	/* the index is back: creating it again is refused */
	assert_int_not_equal(testdb_exec(f->ts.target, "CREATE INDEX routing_events_at ON routing_events(at)"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT tenant_id, node, epoch, expires_at FROM routing_leases"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT id, sealed_password, last_uid FROM email_mailboxes"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT tenant_id, message_id, contact_id FROM email_messages"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT id, message_id, state, next_at FROM email_outbox"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT id, tenant_id, name, position, rule FROM category_rules"), 0);
	/* migration 14: acknowledgements */
	assert_int_equal(testdb_exec(f->ts.target, "SELECT ack_enabled, ack_subject, ack_body, ack_language,"
				      " ack_max_per_hour FROM email_mailboxes"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT automatic FROM email_outbox"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT tenant_id, config FROM calendars"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT due_at, first_response_at, entry_queue_id FROM contacts"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT id, contact_id, message_id, size, sha256 FROM email_attachments"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT tenant_id, attachment_id, seq, bytes FROM email_attachment_chunks"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT tenant_id, max_attachment, max_message FROM email_attachment_limits"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT review_comment FROM kb_items"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT resolution FROM kb_flags"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT id, contact_id, phone, window_from, state, enqueued_at FROM callbacks"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT tenant_id, queue_id, retry_after_s, max_attempts FROM callback_settings"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT public_key, sealed_secret, config FROM chat_channels"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT visitor, rating, ended_at FROM chats"), 0);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT client_id, delivered_at, read_at FROM messages"), 0);
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, kept, &c), GC_OK);
	json_decref(c);
}

static void older_schemas_are_migrated(void **state)
{
	struct fixture *f = *state;
	testdb_skip_unless_sqlite("migrations 1 to 7 exist only on SQLite; PostgreSQL starts from their baseline");
	assert_int_equal(testdb_exec(f->ts.target, DROP_FOLD DROP_VOC DROP_RECORDINGS DROP_REPORTS DROP_BROADCAST DROP_GESTURES DROP_VOICE DROP_CHAT DROP_CALLBACKS DROP_MESSAGING DROP_PORTAL DROP_ATTACHMENTS DROP_HOURS "DROP TABLE category_rules; DROP TABLE l2_export_days; DROP TABLE l2_export_schedules; DROP TABLE email_outbox_attachments; DROP TABLE email_outbox; DROP TABLE email_messages; DROP TABLE email_mailboxes; DROP TABLE idempotency_keys; DROP TABLE skills; DROP TABLE queues;"
				      " DROP TABLE agents; DROP TABLE routing; DROP TABLE routing_events;"
				      " DROP TABLE kb_changes; DROP TABLE kb_uses; DROP TABLE kb_unmatched; DROP TABLE kb_synonyms;"
				      " DROP TABLE kb_links; DROP TABLE kb_sessions; DROP TABLE kb_flags; DROP TABLE kb_approvals;"
				      " DROP TABLE kb_versions; DROP TABLE kb_items; DROP TABLE kb_settings; DROP TABLE customer_attribute_classes;"
				      " DROP TABLE routing_leases;"
				      " PRAGMA user_version = 1"),
			 0);
	struct store *s = NULL;
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &s), GC_OK);
	assert_int_equal(store_file_schema_version(s), store_schema_version());
	unsigned char hash[32] = {1};
	assert_int_equal(store_idempotency_put(s, &f->a, "k", "POST /x", hash, 201, "{}"), GC_OK);
	int status = 0;
	char *answer = NULL;
	assert_int_equal(store_idempotency_get(s, &f->a, "k", "POST /x", hash, &status, &answer), GC_OK);
	assert_int_equal(status, 201);
	free(answer);
	assert_int_equal(store_idempotency_get(s, &f->b, "k", "POST /x", hash, &status, &answer), GC_ENOTFOUND);
	assert_int_equal(store_idempotency_get(s, &f->a, "k", "POST /y", hash, &status, &answer), GC_ENOTFOUND);
	unsigned char other[32] = {2};
	assert_int_equal(store_idempotency_get(s, &f->a, "k", "POST /x", other, &status, &answer), GC_ECONFLICT);
	/* another caller of the same tenant: another key (a user, then a token) */
	struct store_scope user = f->a, token = f->a;
	user.user_id = 7;
	token.token_id = 7;
	assert_int_equal(store_idempotency_get(s, &user, "k", "POST /x", hash, &status, &answer), GC_ENOTFOUND);
	assert_int_equal(store_idempotency_put(s, &user, "k", "POST /x", hash, 200, "{\"user\":7}"), GC_OK);
	assert_int_equal(store_idempotency_get(s, &token, "k", "POST /x", hash, &status, &answer), GC_ENOTFOUND);
	assert_int_equal(store_idempotency_get(s, &user, "k", "POST /x", hash, &status, &answer), GC_OK);
	assert_int_equal(status, 200);
	free(answer);
	store_free(s);
}

/* A database at migration 32 gets 33 onwards: the help centre's sessions
 * already ended are counted in the knowledge report (their tree and their
 * article), the contacts' events past each tenant's fold cursor are still to
 * fold, and the incidents, voice queues, prompts, trunks and recording
 * settings take their new columns and tables (the trunks' credentials, the
 * queues' music, the numbers' recorded greetings too); the reports' rows
 * folded before count no offer declined or missed (48) and no contact moved
 * away (50). On both engines. */
static void a_database_at_migration_32_is_upgraded(void **state)
{
	struct fixture *f = *state;
	new_contact(f->s, &f->a, 0); /* its events: none folded yet */
	store_free(f->s);
	char sql[2048];
	snprintf(sql, sizeof(sql), DROP_FOLD "DROP TABLE voice_trunks; DROP TABLE voice_prompts; DROP TABLE voice_queues;"
		 " ALTER TABLE incidents DROP COLUMN keywords; ALTER TABLE recording_settings DROP COLUMN outsourcers_listen;"
		 " ALTER TABLE voice_numbers DROP COLUMN greeting_recording;"
		 " INSERT INTO kb_sessions(tenant_id, mode, lang, tree_id, tree_version, context, answers, path, state,"
		 " article_id, resolved, started_at, ended_at) VALUES (%lld, 'public', 'fr', 77, 1, '{}', '[]', '[]',"
		 " 'ended', 78, 1, 1764500000000, 1764500100000);"
		 " INSERT INTO report_intervals(tenant_id, start_ms, queue_id, agent_id, organisation_id, channel, answered)"
		 " VALUES (%lld, 1764500000000, 0, 5, 0, 'chat', 3)", (long long)f->a.tenant_id, (long long)f->a.tenant_id);
	assert_int_equal(testdb_exec(f->ts.target, sql), 0);
	assert_int_equal(testdb_set_schema_version(f->ts.target, 32), 0);
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &f->s), GC_OK);
	assert_int_equal(store_upgraded_from(f->s), 32); /* for the daemon's log */
	assert_int_equal(store_file_schema_version(f->s), store_schema_version());
	struct store_report_query q = {.from_ms = 0, .to_ms = gc_now_ms()};
	json_t *rows = NULL, *r;
	size_t i;
	int counted = 0;
	assert_int_equal(store_report_knowledge(f->s, &f->a, &q, &rows), GC_OK);
	json_array_foreach(rows, i, r) {
		json_int_t item = json_integer_value(json_object_get(r, "item_id"));
		if (item == 77 || item == 78)
			counted += (int)json_integer_value(json_object_get(r, "self_service_solved"));
	}
	json_decref(rows);
	assert_int_equal(counted, 2);
	q.by = STORE_REPORT_AGENT;
	assert_int_equal(store_report_summary(f->s, &f->a, &q, &rows), GC_OK);
	assert_int_equal(json_array_size(rows), 1);
	r = json_array_get(rows, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "answered")), 3);
	assert_true(json_is_integer(json_object_get(r, "declined")));
	assert_int_equal(json_integer_value(json_object_get(r, "declined")), 0);
	assert_true(json_is_integer(json_object_get(r, "missed")));
	assert_int_equal(json_integer_value(json_object_get(r, "missed")), 0);
	assert_true(json_is_integer(json_object_get(r, "moved_away")));
	assert_int_equal(json_integer_value(json_object_get(r, "moved_away")), 0);
	json_decref(rows);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_true(store_report_contacts_fold(f->s, f->a.tenant_id, 0) > 0); /* the contact's events, to fold */
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(testdb_exec(f->ts.target, "SELECT keywords FROM incidents; SELECT uri, username, sealed_password FROM voice_trunks;"
				      " SELECT outsourcers_listen FROM recording_settings;"
				      " SELECT name FROM voice_prompts; SELECT waiting, music FROM voice_queues;"
				      " SELECT greeting_recording FROM voice_numbers"), 0);
}

/* migration 6: the policy is filled from the classes already stored, the
 * most sensitive winning, and every value follows it */
static void the_attribute_policy_is_filled_from_stored_classes(void **state)
{
	struct fixture *f = *state;
	testdb_skip_unless_sqlite("migration 6 exists only on SQLite; PostgreSQL starts from the baseline after 7");
	int64_t c1 = new_customer(f->s, &f->a, "M1"), c2 = new_customer(f->s, &f->a, "M2");
	store_free(f->s);
	char sql[4096];
	snprintf(sql, sizeof(sql), DROP_FOLD DROP_VOC DROP_RECORDINGS DROP_REPORTS DROP_BROADCAST DROP_GESTURES DROP_VOICE DROP_CHAT DROP_CALLBACKS DROP_MESSAGING DROP_PORTAL DROP_WORKSHOP DROP_ATTACHMENTS DROP_HOURS "DROP TABLE customer_attribute_classes; DROP TABLE routing_leases; DROP TABLE category_rules; DROP TABLE l2_export_days; DROP TABLE l2_export_schedules; DROP TABLE email_outbox_attachments; DROP TABLE email_outbox;"
		 " DROP TABLE email_messages;"
		 " DROP TABLE email_mailboxes;"
		 " UPDATE customer_attributes SET sensitivity = 0 WHERE customer_id = %lld AND key = 'birth_date';"
		 " UPDATE customer_attributes SET sensitivity = 2 WHERE customer_id = %lld AND key = 'first_name';"
		 " PRAGMA user_version = 5", (long long)c1, (long long)c2);
	assert_int_equal(testdb_exec(f->ts.target, sql), 0);
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &f->s), GC_OK);
	json_t *policy = NULL;
	assert_int_equal(store_attr_policy_get(f->s, &f->a, &policy), GC_OK);
	json_t *attrs = json_object_get(policy, "attributes");
	assert_string_equal(json_string_value(json_object_get(attrs, "first_name")), "confidential");
	assert_string_equal(json_string_value(json_object_get(attrs, "birth_date")), "personal");
	assert_string_equal(json_string_value(json_object_get(attrs, "iban")), "confidential");
	json_decref(policy);
	struct store_scope outsourced = scope_in(f->a.tenant_id, ROLE_OUTSOURCED_AGENT);
	json_t *c = NULL;
	assert_int_equal(store_customer_get(f->s, &outsourced, c1, &c), GC_OK);
	assert_int_equal(json_object_size(json_object_get(c, "attributes")), 0); /* first_name is confidential now */
	json_decref(c);
	assert_int_equal(store_attr_policy_get(f->s, &f->b, &policy), GC_OK);
	assert_int_equal(json_object_size(json_object_get(policy, "attributes")), 0); /* B has no customers: nothing crosses */
	json_decref(policy);
}

static void the_audit_log_is_append_only(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_audit(f->s, &f->a, f->a.tenant_id, "test", "x", NULL), GC_OK);
	/* refused by the database itself, whoever connects (the errors are expected) */
	assert_int_not_equal(testdb_exec(f->ts.target, "UPDATE audit SET action = 'forged'"), 0);
	assert_int_not_equal(testdb_exec(f->ts.target, "DELETE FROM audit"), 0);
	json_t *page = NULL;
	assert_int_equal(store_audit_list(f->s, &f->b, 0, 10, &page), GC_OK);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
}

/* A password is hashed at OWASP's argon2id cost; the test suite's cheap
 * hashes (GUICHET_TEST_CHEAP_HASHES=1, heeded by a -Dtest_hashes build
 * only) are libsodium's least; a hash of either cost checks the same way. */
static void passwords_are_hashed_at_owasps_cost(void **state)
{
	struct fixture *f = *state;
	const char *was = getenv("GUICHET_TEST_CHEAP_HASHES");
	char *saved = was ? strdup(was) : NULL;
	static const struct {
		const char *cheap, *email, *prefix;
	} cases[] = {
		{NULL, "owasp@x.example", "$argon2id$v=19$m=19456,t=2,p=1$"},
		{"0", "zero@x.example", "$argon2id$v=19$m=19456,t=2,p=1$"},
#ifdef GUICHET_TEST_HASHES
		{"1", "cheap@x.example", "$argon2id$v=19$m=8,t=1,p=1$"},
#endif
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].cheap)
			setenv("GUICHET_TEST_CHEAP_HASHES", cases[i].cheap, 1);
		else
			unsetenv("GUICHET_TEST_CHEAP_HASHES");
		char hash[128];
		assert_int_equal(store_password_hash("correct horse battery", hash, sizeof(hash)), GC_OK);
		assert_int_equal(strncmp(hash, cases[i].prefix, strlen(cases[i].prefix)), 0);
		struct user_input in = {.email = cases[i].email, .name = "P", .role = ROLE_AGENT};
		int64_t user = 0, found = 0;
		assert_int_equal(store_user_create(f->s, &f->a, &in, hash, false, &user), GC_OK);
		assert_int_equal(store_login_check(f->s, cases[i].email, "correct horse battery", &found), GC_OK);
		assert_int_equal(found, user);
		assert_int_equal(store_login_check(f->s, cases[i].email, "correct horse batterY", &found), GC_EAUTH);
	}
	if (saved)
		setenv("GUICHET_TEST_CHEAP_HASHES", saved, 1);
	else
		unsetenv("GUICHET_TEST_CHEAP_HASHES");
	free(saved);
	char small[16];
	assert_int_equal(store_password_hash("x", small, sizeof(small)), GC_EINVAL);
}

static void tokens_expire_and_follow_memberships(void **state)
{
	struct fixture *f = *state;
	struct user_input in = {.email = "t@x.example", .name = "T", .role = ROLE_AGENT};
	int64_t user = 0;
	assert_int_equal(store_user_create(f->s, &f->a, &in, "not-a-real-hash", false, &user), GC_OK);
	char token[STORE_TOKEN_LEN];
	assert_int_equal(store_session_create(f->s, user, f->a.tenant_id, 5000, token), GC_OK);
	struct store_scope sc;
	assert_int_equal(store_auth_token(f->s, token, NULL, 4999, &sc), GC_OK);
	assert_int_equal(sc.tenant_id, f->a.tenant_id);
	assert_int_equal(sc.role, ROLE_AGENT);
	assert_int_equal(sc.sees, SENS_PERSONAL);
	assert_int_equal(sc.expires_at, 5000);
	assert_int_equal(store_auth_token(f->s, token, NULL, 5000, &sc), GC_EAUTH); /* expired */
	assert_int_equal(store_auth_token(f->s, token, "B", 10, &sc), GC_EFORBIDDEN); /* no role in B */
	assert_int_equal(store_user_set_disabled(f->s, &f->a, user, true), GC_OK);
	assert_int_equal(store_auth_token(f->s, token, NULL, 10, &sc), GC_EAUTH); /* disabling ends the sessions */
	assert_int_equal(store_token_revoke_text(f->s, token), GC_OK);
	assert_int_equal(store_auth_token(f->s, token, NULL, 10, &sc), GC_EAUTH);
	assert_int_equal(store_auth_token(f->s, "gct_made-up", NULL, 10, &sc), GC_EAUTH);
	assert_int_equal(store_auth_token(f->s, "nonsense", NULL, 10, &sc), GC_EAUTH);
}

static void savepoints_isolate_requests(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	int64_t kept = new_contact(f->s, &f->a, 0);
	store_release(f->s);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	int64_t dropped = new_contact(f->s, &f->a, 0);
	store_rollback_to(f->s);
	assert_int_equal(store_commit(f->s), GC_OK);
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, kept, &c), GC_OK);
	json_decref(c);
	assert_int_equal(store_contact_get(f->s, &f->a, dropped, &c), GC_ENOTFOUND);
}

/* A customer whose external id is taken: the insert fails on the unique index. */
static int duplicate_customer(struct store *s, const struct store_scope *sc, const char *ext)
{
	struct customer_input in = {.external_id = ext};
	json_t *c = NULL;
	int rc = store_customer_create(s, sc, &in, &c);
	json_decref(c);
	return rc;
}

/* A request that fails in the middle of a batch, rolled back to its
 * savepoint, leaves the requests before and after it committed: on
 * PostgreSQL too, where the failure aborts the transaction until then. */
static void a_failed_request_leaves_its_batch_whole(void **state)
{
	struct fixture *f = *state;
	new_customer(f->s, &f->a, "X1");
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	int64_t before = new_contact(f->s, &f->a, 0);
	store_release(f->s);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	assert_int_equal(duplicate_customer(f->s, &f->a, "X1"), GC_ECONFLICT);
	store_rollback_to(f->s);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	int64_t after = new_contact(f->s, &f->a, 0);
	store_release(f->s);
	assert_int_equal(store_commit(f->s), GC_OK);
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, before, &c), GC_OK);
	json_decref(c);
	assert_int_equal(store_contact_get(f->s, &f->a, after, &c), GC_OK);
	json_decref(c);
}

/* A failure nobody rolled back never passes for a commit. SQLite undoes the
 * failed statement alone and commits the rest; PostgreSQL aborts the whole
 * transaction, and its COMMIT, which then rolls back, must say so. */
static void a_commit_that_rolled_back_says_so(void **state)
{
	struct fixture *f = *state;
	new_customer(f->s, &f->a, "X1");
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = "Help"};
	int64_t id = 0;
	assert_int_equal(store_contact_create(f->s, &f->a, &in, &id), GC_OK);
	assert_int_equal(duplicate_customer(f->s, &f->a, "X1"), GC_ECONFLICT);
	json_t *c = NULL; /* COMMIT alone: no deferred statement carries the error to it */
	if (testdb_is_pg()) {
		assert_true(store_commit(f->s) < 0);
		store_rollback(f->s);
		assert_int_equal(store_contact_get(f->s, &f->a, id, &c), GC_ENOTFOUND);
	} else {
		assert_int_equal(store_commit(f->s), GC_OK);
		assert_int_equal(store_contact_get(f->s, &f->a, id, &c), GC_OK);
		json_decref(c);
	}
}

/* An append that fails (an audit line without its action) fails its own
 * request: on PostgreSQL it travels with the next statement, and
 * store_flush, which the writer calls at the end of each request, makes its
 * error known before the request is kept. The batch goes on. */
static void an_append_fails_within_its_own_request(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	int rc = store_audit(f->s, &f->a, f->a.tenant_id, NULL, "x", NULL);
	if (rc == GC_OK)
		rc = store_flush(f->s);
	assert_true(rc < 0);
	store_rollback_to(f->s);
	assert_int_equal(store_savepoint(f->s), GC_OK);
	int64_t kept = new_contact(f->s, &f->a, 0);
	store_release(f->s);
	assert_int_equal(store_commit(f->s), GC_OK);
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, kept, &c), GC_OK);
	json_decref(c);
}

/* The server crashes in the middle of a batch (PostgreSQL only): the rest
 * of the batch fails rather than run on a new connection in autocommit, its
 * COMMIT fails, and once rolled back the store connects again. Nothing of
 * the batch is there. */
static void a_batch_cut_by_a_server_crash_commits_nothing(void **state)
{
	struct fixture *f = *state;
	if (!testdb_is_pg())
		skip(); /* SQLite has no server to lose */
	int64_t kept = new_contact(f->s, &f->a, 0);
	assert_int_equal(store_begin(f->s), GC_OK);
	int64_t lost = new_contact(f->s, &f->a, 0);
	assert_int_equal(testdb_crash_server(), 0);
	/* no savepoint here, as in the writer's timers: on a new connection this
	 * would commit alone, and the COMMIT then pass for the batch's */
	struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = "after the crash"};
	int64_t id = 0;
	int rc = store_contact_create(f->s, &f->a, &in, &id); /* with a reserved id it waits for the next statement */
	assert_true(store_commit(f->s) < 0);
	assert_true(rc < 0 || id > 0);
	store_rollback(f->s);
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, kept, &c), GC_OK);
	json_decref(c);
	assert_int_equal(store_contact_get(f->s, &f->a, lost, &c), GC_ENOTFOUND);
	/* and the next batch works on a new connection */
	assert_int_equal(store_begin(f->s), GC_OK);
	int64_t next = new_contact(f->s, &f->a, 0);
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(store_contact_get(f->s, &f->a, next, &c), GC_OK);
	json_decref(c);
}

/* An outbox row of the tenant (contact 0: guichet's own mail, of no contact). */
static int64_t new_outbox(struct store *s, const struct store_scope *sc, int64_t contact, const char *message_id)
{
	struct store_mailbox m = {.name = message_id, .address = "support@a.example", .imap_url = "imaps://x/INBOX",
				  .smtp_url = "smtps://x", .username = "u", .sealed = (const unsigned char *)"s",
				  .sealed_len = 1};
	int64_t mailbox = 0, id = 0;
	assert_int_equal(store_mailbox_create(s, sc, &m, &mailbox), GC_OK);
	struct store_outbox o = {.contact_id = contact, .mailbox_id = mailbox, .message_id = message_id,
				 .to_address = "tech@a.example", .subject = "s", .body = "b"};
	assert_int_equal(store_outbox_add(s, sc, &o, &id), GC_OK);
	return id;
}

/* Migration 15: the outbox's rows and ids survive (SQLite rebuilds the
 * table), a mail may have no contact, attachments and days sent belong to
 * their tenant, and a day is recorded once. */
static void the_level2_export_tables(void **state)
{
	struct fixture *f = *state;
	int64_t kept = new_outbox(f->s, &f->a, new_contact(f->s, &f->a, 0), "kept@a.example");
	store_free(f->s);
	assert_int_equal(testdb_exec(f->ts.target, DROP_FOLD DROP_VOC DROP_RECORDINGS DROP_REPORTS DROP_BROADCAST DROP_GESTURES DROP_VOICE DROP_CHAT DROP_CALLBACKS DROP_MESSAGING DROP_PORTAL DROP_WORKSHOP DROP_ATTACHMENTS DROP_HOURS "DROP TABLE l2_export_days; DROP TABLE l2_export_schedules;"
				      " DROP TABLE email_outbox_attachments"), 0);
	assert_int_equal(testdb_set_schema_version(f->ts.target, 14), 0);
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &f->s), GC_OK);
	json_t *due = NULL;
	assert_int_equal(store_outbox_due(f->s, INT64_MAX, 10, &due), GC_OK);
	assert_int_equal(json_array_size(due), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(due, 0), "id")), kept);
	json_decref(due);
	int64_t own = new_outbox(f->s, &f->a, 0, "own@a.example");
	assert_true(own > kept);
	static const char data[] = "PK\3\4\0binary";
	struct store_outbox_file file = {"level2.xlsx", "application/x", data, sizeof(data)};
	assert_int_equal(store_outbox_attach(f->s, &f->b, own, &file), GC_ENOTFOUND); /* another tenant's mail */
	assert_int_equal(store_outbox_attach(f->s, &f->a, own, &file), GC_OK);
	struct store_outbox_file *got = NULL;
	size_t n = 9;
	assert_int_equal(store_outbox_attachments(f->s, &f->b, own, &got, &n), GC_OK);
	assert_int_equal(n, 0);
	store_outbox_files_free(got, n);
	assert_int_equal(store_outbox_attachments(f->s, &f->a, own, &got, &n), GC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].filename, "level2.xlsx");
	assert_int_equal(got[0].len, sizeof(data));
	assert_memory_equal(got[0].data, data, sizeof(data));
	store_outbox_files_free(got, n);
	bool sent = true;
	assert_int_equal(store_l2_day_sent(f->s, &f->a, "2026-12-01", &sent), GC_OK);
	assert_false(sent);
	assert_int_equal(store_l2_day_record(f->s, &f->a, "2026-12-01", own, 3), GC_OK);
	assert_int_equal(store_l2_day_record(f->s, &f->a, "2026-12-01", 0, 0), GC_ECONFLICT);
	assert_int_equal(store_l2_day_sent(f->s, &f->a, "2026-12-01", &sent), GC_OK);
	assert_true(sent);
	assert_int_equal(store_l2_day_sent(f->s, &f->b, "2026-12-01", &sent), GC_OK);
	assert_false(sent);
	assert_int_equal(store_l2_day_record(f->s, &f->b, "2026-12-01", 0, 0), GC_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tenants_never_see_each_other, setup, teardown),
		cmocka_unit_test_setup_teardown(redaction_follows_the_role, setup, teardown),
		cmocka_unit_test_setup_teardown(every_change_is_on_the_timeline, setup, teardown),
		cmocka_unit_test_setup_teardown(pages_follow_the_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(passwords_are_hashed_at_owasps_cost, setup, teardown),
		cmocka_unit_test_setup_teardown(imports_are_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schemas_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(older_schemas_are_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(a_database_before_migration_8_is_upgraded, setup, teardown),
		cmocka_unit_test_setup_teardown(the_attribute_policy_is_filled_from_stored_classes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_database_at_migration_32_is_upgraded, setup, teardown),
		cmocka_unit_test_setup_teardown(the_audit_log_is_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(tokens_expire_and_follow_memberships, setup, teardown),
		cmocka_unit_test_setup_teardown(the_level2_export_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(savepoints_isolate_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(contacts_extras_are_read_together_in_their_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(a_failed_request_leaves_its_batch_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(a_commit_that_rolled_back_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(an_append_fails_within_its_own_request, setup, teardown),
		cmocka_unit_test_setup_teardown(a_batch_cut_by_a_server_crash_commits_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
