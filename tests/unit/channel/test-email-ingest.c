/* Taking emails into a tenant (src/channel/email/ingest.c) on a real store,
 * on the run's engine: once only per Message-ID, whoever fetches it again;
 * a reply joins its contact by In-Reply-To, References, a "[#ID]" token
 * from the contact's own customer (never a stranger's), or the same subject
 * from the same customer; a closed contact is never reopened by mail; a
 * bounce is a note on its contact, never a contact; the tenants stay apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/email/ingest.h"
#include "daemon/hub.h"
#include "daemon/router.h"
#include "guichet/error.h"
#include "store/store.h"
#include "../daemon/opsfixture.h"


/* Takes m into the scope's tenant in a transaction of its own. */
static enum ingest_outcome take(struct ops_fixture *f, const struct store_scope *sc, const struct email_in *m,
				int64_t *ret_contact)
{
	static int64_t uid;
	struct email_source src = {.uid = ++uid};
	enum ingest_outcome out;
	struct ops_error err;
	assert_int_equal(store_begin(f->s), GC_OK);
	int rc = email_ingest(&f->o, sc, &src, m, ret_contact, &out, &err);
	if (rc < 0)
		fprintf(stderr, "ingest: %d %s %s\n", rc, err.field ? err.field : "", err.message);
	assert_int_equal(rc, GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	return out;
}

static size_t messages(struct ops_fixture *f, const struct store_scope *sc, int64_t contact)
{
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, sc, contact, &c), GC_OK);
	size_t n = json_array_size(json_object_get(c, "messages"));
	json_decref(c);
	return n;
}

static void an_email_is_taken_once(void **state)
{
	struct ops_fixture *f = *state;
	struct email_in m = {.message_id = "a1@mail.example", .from_address = "Ann@Example.net",
			     .subject = "My router blinks red", .text = "Since this morning."};
	int64_t c1 = 0, again = 0;
	assert_int_equal(take(f, &f->a, &m, &c1), INGEST_NEW_CONTACT);
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, c1, &c), GC_OK);
	assert_string_equal(json_string_value(json_object_get(c, "channel")), "email");
	assert_string_equal(json_string_value(json_object_get(c, "subject")), "My router blinks red");
	assert_true(json_integer_value(json_object_get(c, "customer_id")) > 0);
	json_decref(c);
	/* fetched again (a crash before the flag, another mailbox): skipped */
	assert_int_equal(take(f, &f->a, &m, &again), INGEST_DUPLICATE);
	assert_int_equal(again, c1);
	assert_int_equal(messages(f, &f->a, c1), 1);
	/* another tenant takes the same email as its own */
	int64_t other = 0;
	assert_int_equal(take(f, &f->b, &m, &other), INGEST_NEW_CONTACT);
	assert_int_not_equal(other, c1);
	json_t *none = NULL;
	assert_int_equal(store_contact_get(f->s, &f->b, c1, &none), GC_ENOTFOUND);
}

/* The customer's "name" attribute, or NULL. */
static char *customer_name(struct ops_fixture *f, int64_t contact)
{
	json_t *c = NULL, *who = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, contact, &c), GC_OK);
	assert_int_equal(store_customer_get(f->s, &f->a, json_integer_value(json_object_get(c, "customer_id")), &who),
			 GC_OK);
	const char *v = json_string_value(json_object_get(json_object_get(json_object_get(who, "attributes"), "name"),
							  "value"));
	char *name = v ? strdup(v) : NULL;
	json_decref(c);
	json_decref(who);
	return name;
}

/* "Marie Dupont <marie@example.com>" is a customer named Marie Dupont; the
 * name a brand already has is never overwritten by what a mail client says. */
static void a_sender_keeps_its_name(void **state)
{
	struct ops_fixture *f = *state;
	struct email_in m = {.message_id = "n1@mail.example", .from_address = "marie@example.com",
			     .from_name = "Marie Dupont", .subject = "Facture", .text = "Bonjour"};
	int64_t c = 0;
	assert_int_equal(take(f, &f->a, &m, &c), INGEST_NEW_CONTACT);
	char *name = customer_name(f, c);
	assert_non_null(name);
	assert_string_equal(name, "Marie Dupont");
	free(name);
	/* her next mail, signed otherwise, keeps the name she has */
	m = (struct email_in){.message_id = "n2@mail.example", .from_address = "marie@example.com",
			      .from_name = "M. Dupont (bureau)", .subject = "Autre", .text = "Re-bonjour"};
	assert_int_equal(take(f, &f->a, &m, &c), INGEST_NEW_CONTACT);
	name = customer_name(f, c);
	assert_string_equal(name, "Marie Dupont");
	free(name);
	/* a customer the brand named (first and last name) gets no second name */
	struct customer_input in = {.has = HAS_EMAIL, .email = "leo@example.com", .n_attrs = 1};
	in.attrs[0] = (struct customer_attr){"first_name", "Léo", SENS_NONE};
	json_t *leo = NULL;
	assert_int_equal(store_customer_create(f->s, &f->a, &in, &leo), GC_OK);
	json_decref(leo);
	m = (struct email_in){.message_id = "n3@mail.example", .from_address = "leo@example.com",
			      .from_name = "Leo M", .subject = "Hello", .text = "Hi"};
	assert_int_equal(take(f, &f->a, &m, &c), INGEST_NEW_CONTACT);
	assert_null(customer_name(f, c));
	/* a "name" that is only the address again is none */
	m = (struct email_in){.message_id = "n4@mail.example", .from_address = "zoe@example.com",
			      .from_name = "ZOE@example.com", .subject = "Hi", .text = "Hi"};
	assert_int_equal(take(f, &f->a, &m, &c), INGEST_NEW_CONTACT);
	assert_null(customer_name(f, c));
}

static void replies_join_their_contact(void **state)
{
	struct ops_fixture *f = *state;
	int64_t c1 = 0, c = 0;
	struct email_in first = {.message_id = "b1@mail.example", .from_address = "joe@example.org",
				 .subject = "Invoice 42 is wrong", .text = "Twice the price."};
	assert_int_equal(take(f, &f->a, &first, &c1), INGEST_NEW_CONTACT);
	/* 1. In-Reply-To */
	struct email_in reply = {.message_id = "b2@mail.example", .in_reply_to = "b1@mail.example",
				 .from_address = "joe@example.org", .subject = "Re: something else", .text = "Any news?"};
	assert_int_equal(take(f, &f->a, &reply, &c), INGEST_THREADED);
	assert_int_equal(c, c1);
	/* 1. References only, the newest known one */
	const char *refs[] = {"unknown@elsewhere", "b2@mail.example"};
	struct email_in later = {.message_id = "b3@mail.example", .references = refs, .n_references = 2,
				 .from_address = "joe@example.org", .subject = "Hello", .text = "Still waiting."};
	assert_int_equal(take(f, &f->a, &later, &c), INGEST_THREADED);
	assert_int_equal(c, c1);
	/* 2. the token, from the contact's own customer */
	char subject[64];
	snprintf(subject, sizeof(subject), "Question [#%lld]", (long long)c1);
	struct email_in token = {.message_id = "b4@mail.example", .from_address = "JOE@example.org", .subject = subject,
				 .text = "By token."};
	assert_int_equal(take(f, &f->a, &token, &c), INGEST_THREADED);
	assert_int_equal(c, c1);
	/* ... but not from a stranger, who gets a contact of their own */
	struct email_in stranger = {.message_id = "b5@mail.example", .from_address = "eve@example.com",
				    .subject = subject, .text = "Let me in."};
	assert_int_equal(take(f, &f->a, &stranger, &c), INGEST_NEW_CONTACT);
	assert_int_not_equal(c, c1);
	/* 3. the same subject from the same customer, without headers */
	struct email_in same = {.message_id = "b6@mail.example", .from_address = "joe@example.org",
				.subject = "RE: Fwd:  invoice 42   IS WRONG", .text = "Same subject."};
	assert_int_equal(take(f, &f->a, &same, &c), INGEST_THREADED);
	assert_int_equal(c, c1);
	assert_int_equal(messages(f, &f->a, c1), 5);
	/* another subject is another contact */
	struct email_in other = {.message_id = "b7@mail.example", .from_address = "joe@example.org",
				 .subject = "New order", .text = "Another thing."};
	assert_int_equal(take(f, &f->a, &other, &c), INGEST_NEW_CONTACT);
	assert_int_not_equal(c, c1);
}

static void a_closed_contact_stays_closed(void **state)
{
	struct ops_fixture *f = *state;
	int64_t c1 = 0, c = 0;
	struct email_in first = {.message_id = "c1@mail.example", .from_address = "kim@example.org",
				 .subject = "Password reset", .text = "Locked out."};
	assert_int_equal(take(f, &f->a, &first, &c1), INGEST_NEW_CONTACT);
	assert_int_equal(store_begin(f->s), GC_OK);
	struct state_input resolved = {.state = CONTACT_RESOLVED, .disposition = "solved", .expected_version = -1};
	struct state_input closed = {.state = CONTACT_CLOSED, .expected_version = -1};
	json_t *row = NULL;
	assert_int_equal(store_contact_set_state(f->s, &f->a, c1, &resolved, &row), GC_OK);
	json_decref(row);
	assert_int_equal(store_contact_set_state(f->s, &f->a, c1, &closed, &row), GC_OK);
	json_decref(row);
	assert_int_equal(store_commit(f->s), GC_OK);
	struct email_in reply = {.message_id = "c2@mail.example", .in_reply_to = "c1@mail.example",
				 .from_address = "kim@example.org", .subject = "Re: Password reset", .text = "Again."};
	assert_int_equal(take(f, &f->a, &reply, &c), INGEST_NEW_CONTACT);
	assert_int_not_equal(c, c1);
	assert_int_equal(messages(f, &f->a, c1), 1);
}

static void an_email_without_sender_or_id(void **state)
{
	struct ops_fixture *f = *state;
	int64_t c = 0;
	struct email_in odd = {.message_id = "d1@mail.example", .from_address = "not an address", .text = ""};
	assert_int_equal(take(f, &f->a, &odd, &c), INGEST_NEW_CONTACT);
	json_t *contact = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, c, &contact), GC_OK);
	assert_true(json_is_null(json_object_get(contact, "customer_id")));
	json_decref(contact);
	struct email_in none = {.message_id = NULL, .text = "x"};
	struct email_source src = {0};
	enum ingest_outcome out;
	struct ops_error err;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(email_ingest(&f->o, &f->a, &src, &none, &c, &out, &err), GC_EINVAL);
	assert_string_equal(err.field, "message_id");
	store_rollback(f->s);
}

/* A bounce is a note on the contact its email came from, never a contact. */
static void bounces_are_notes_on_their_contact(void **state)
{
	struct ops_fixture *f = *state;
	int64_t c1 = 0, c = 0;
	struct email_in first = {.message_id = "e1@mail.example", .from_address = "lee@example.org",
				 .subject = "Refund", .text = "Please refund."};
	assert_int_equal(take(f, &f->a, &first, &c1), INGEST_NEW_CONTACT);
	const char *refs[] = {"e1@mail.example"};
	struct email_in bounce = {.message_id = "e2@mailer.example", .references = refs, .n_references = 1,
				  .from_address = "MAILER-DAEMON@mailer.example", .subject = "Undelivered Mail Returned to Sender",
				  .text = "550 5.1.1 <lee@example.org>: user unknown", .bounce = true};
	assert_int_equal(take(f, &f->a, &bounce, &c), INGEST_BOUNCE);
	assert_int_equal(c, c1);
	json_t *contact = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, c1, &contact), GC_OK);
	json_t *last = json_array_get(json_object_get(contact, "messages"), 1);
	assert_string_equal(json_string_value(json_object_get(last, "kind")), "note");
	assert_non_null(strstr(json_string_value(json_object_get(last, "body")), "user unknown"));
	/* the note is read by whoever reads the contact, an outsourced agent who
	 * may not see the customer's address too: the mail system's words name
	 * it masked, as the API shows it to them */
	assert_null(strstr(json_string_value(json_object_get(last, "body")), "lee@example.org"));
	assert_non_null(strstr(json_string_value(json_object_get(last, "body")), "<l************rg>: user unknown"));
	json_decref(contact);
	/* by the token too, though the mail system is not the customer */
	char subject[96];
	snprintf(subject, sizeof(subject), "Delivery Status Notification (Failure) Re: Refund [#%lld]", (long long)c1);
	struct email_in by_token = {.message_id = "e3@mailer.example", .from_address = "postmaster@mailer.example",
				    .subject = subject, .text = "failed", .bounce = true};
	assert_int_equal(take(f, &f->a, &by_token, &c), INGEST_BOUNCE);
	assert_int_equal(c, c1);
	/* about nothing of ours: dropped, no contact */
	struct email_in stray = {.message_id = "e4@mailer.example", .from_address = "MAILER-DAEMON@mailer.example",
				 .subject = "Undelivered", .text = "?", .bounce = true};
	assert_int_equal(take(f, &f->a, &stray, &c), INGEST_DROPPED);
	assert_int_equal(c, 0);
	json_t *page = NULL;
	struct store_contact_filter all = {.limit = 50};
	assert_int_equal(store_contact_list(f->s, &f->a, &all, &page), GC_OK);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	json_decref(page);
}

static void subjects_compare_without_their_prefixes(void **state)
{
	char key[128];
	email_subject_key("RE: Fwd: TR:  Mon routeur [#12]  clignote ", key, sizeof(key));
	assert_string_equal(key, "mon routeur clignote");
	email_subject_key("Re[2]: AW: Sv:Hello", key, sizeof(key));
	assert_string_equal(key, "hello");
	email_subject_key("[#7] Réponse", key, sizeof(key));
	assert_string_equal(key, "réponse");
	email_subject_key("Reply needed", key, sizeof(key)); /* "Re" without its colon is a word */
	assert_string_equal(key, "reply needed");
	email_subject_key(NULL, key, sizeof(key));
	assert_string_equal(key, "");
	assert_true(email_subject_answers("RE : Ma commande"));
	assert_true(email_subject_answers("Re[2]: Hello"));
	assert_true(email_subject_answers(" AW: Rechnung"));
	assert_false(email_subject_answers("TR : Ma commande"));
	assert_false(email_subject_answers("Reply needed"));
	assert_false(email_subject_answers("Rechnung: offen"));
	assert_false(email_subject_answers(NULL));
	assert_int_equal(email_subject_token("Question [#42] and [#43]"), 42);
	assert_int_equal(email_subject_token("[#] [#x1] [#-3]"), 0);
	assert_int_equal(email_subject_token(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_email_is_taken_once, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(a_sender_keeps_its_name, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(replies_join_their_contact, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(a_closed_contact_stays_closed, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(an_email_without_sender_or_id, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(bounces_are_notes_on_their_contact, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test(subjects_compare_without_their_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
