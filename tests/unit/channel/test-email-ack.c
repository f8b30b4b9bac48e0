/* Acknowledgements (src/channel/email/ack.c). Pure: the expected reply time
 * from a queue's load, its words in English and French, the loop guards,
 * the templates. On a real store, on the run's engine, through email_ingest:
 * one acknowledgement per new contact, queued as automatic mail threaded to
 * the customer's email (an answer to it joins the contact); none for an
 * automatic email, a bounce, the tenant's own mailboxes, a robot, a mailbox
 * that wants none, nor past the hourly limit per address (counted per
 * tenant); the estimate read from the router's queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/email/ack.h"
#include "daemon/router.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"
#include "../daemon/opsfixture.h"

#define MIN (60LL * 1000)

static void the_estimate_follows_the_backlog_and_the_capacity(void **state)
{
	/* nobody serves the queue: unknown */
	assert_int_equal(ack_expected_reply_ms(&(struct router_load){.ahead = 3}), -1);
	assert_int_equal(ack_expected_reply_ms(&(struct router_load){.ahead = 3, .agents = 2}), -1);
	/* nothing measured yet: 30 minutes an email; a free slot: one handling time */
	assert_int_equal(ack_expected_reply_ms(&(struct router_load){.agents = 1, .slots = 5, .free = 1}), 30 * MIN);
	/* every slot busy: the first of 5 frees in 30 / 5 = 6 minutes, then one handling time */
	assert_int_equal(ack_expected_reply_ms(&(struct router_load){.agents = 1, .slots = 5}), 36 * MIN);
	/* 10 ahead at 5 at once: the 11th slot to free, 11 * 30 / 5 = 66, then this one */
	assert_int_equal(ack_expected_reply_ms(&(struct router_load){.ahead = 10, .agents = 1, .slots = 5}), 96 * MIN);
	/* twice the agents: 11 * 30 / 10 = 33, then this one */
	assert_int_equal(ack_expected_reply_ms(&(struct router_load){.ahead = 10, .agents = 2, .slots = 10}), 63 * MIN);
	/* the queue's measured handling time: 10 minutes each, 5 * 10 / 2 = 25, then 10 */
	struct router_load seen = {.ahead = 4, .agents = 2, .slots = 2, .handle_ms = 10 * MIN};
	assert_int_equal(ack_expected_reply_ms(&seen), 35 * MIN);
	seen.wrapup_ms = 5 * MIN; /* a slot held 15 minutes: 5 * 15 / 2 = 37.5, then 10 */
	assert_int_equal(ack_expected_reply_ms(&seen), 47 * MIN + 30000);
	seen.handle_ms = 0; /* nothing measured: the default, 5 * 35 / 2 = 87.5, then 30 */
	assert_int_equal(ack_expected_reply_ms(&seen), 117 * MIN + 30000);
	/* a huge backlog stays in range */
	struct router_load huge = {.ahead = UINT32_MAX, .agents = 1, .slots = 1, .handle_ms = INT64_MAX / 2};
	assert_true(ack_expected_reply_ms(&huge) > 0);
}

static void the_estimate_is_said_in_words_a_customer_reads(void **state)
{
	static const struct {
		int64_t ms;
		const char *en, *fr;
	} cases[] = {
		{0, "within 15 minutes", "sous 15 minutes"},
		{MIN, "within 15 minutes", "sous 15 minutes"},
		{15 * MIN, "within 15 minutes", "sous 15 minutes"},
		{16 * MIN, "within 30 minutes", "sous 30 minutes"},
		{31 * MIN, "within an hour", "sous une heure"},
		{61 * MIN, "within 2 hours", "sous 2 heures"},
		{90 * MIN, "within 2 hours", "sous 2 heures"},
		{5 * 60 * MIN, "within 6 hours", "sous 6 heures"},
		{13 * 60 * MIN, "within 24 hours", "sous 24 heures"},
		{25 * 60 * MIN, "within 2 days", "sous 2 jours"},
		{7 * 24 * 60 * MIN, "within 7 days", "sous 7 jours"},
		{7 * 24 * 60 * MIN + 1, "as soon as possible", "dès que possible"},
		{-1, "as soon as possible", "dès que possible"},
	};
	char words[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ack_wait_words(cases[i].ms, "en", words, sizeof(words));
		assert_string_equal(words, cases[i].en);
		ack_wait_words(cases[i].ms, "fr", words, sizeof(words));
		assert_string_equal(words, cases[i].fr);
	}
	ack_wait_words(MIN, NULL, words, sizeof(words)); /* English when unsaid */
	assert_string_equal(words, "within 15 minutes");
}

static void automatic_mail_bounces_and_robots_are_never_acknowledged(void **state)
{
	const char *own[] = {"support@brand.example", "Sales@Brand.example"};
	struct ack_mail ok = {.from_address = "ann@customer.example"};
	assert_null(ack_refusal(&ok, own, 2));
	struct ack_mail m = ok;
	m.auto_submitted = "no"; /* a person's mail says so */
	assert_null(ack_refusal(&m, own, 2));
	m.auto_submitted = "auto-replied";
	assert_string_equal(ack_refusal(&m, own, 2), "automatic");
	m.auto_submitted = "Auto-Generated; owner-email=\"x@y\"";
	assert_string_equal(ack_refusal(&m, own, 2), "automatic");
	m = ok;
	m.precedence = "bulk";
	assert_string_equal(ack_refusal(&m, own, 2), "automatic");
	m.precedence = "Junk";
	assert_string_equal(ack_refusal(&m, own, 2), "automatic");
	m.precedence = "list";
	assert_string_equal(ack_refusal(&m, own, 2), "automatic");
	m.precedence = "first-class";
	assert_null(ack_refusal(&m, own, 2));
	m = ok;
	m.x_autoreply = "yes";
	assert_string_equal(ack_refusal(&m, own, 2), "automatic");
	m = ok;
	m.x_auto_response_suppress = "OOF, AutoReply";
	assert_string_equal(ack_refusal(&m, own, 2), "automatic");
	m.x_auto_response_suppress = "None";
	assert_null(ack_refusal(&m, own, 2));
	m = ok;
	m.bounce = true;
	assert_string_equal(ack_refusal(&m, own, 2), "bounce");
	m = ok;
	m.return_path = ""; /* the null sender <> */
	assert_string_equal(ack_refusal(&m, own, 2), "bounce");
	m.return_path = "ann@customer.example";
	assert_null(ack_refusal(&m, own, 2));
	m = ok;
	m.from_address = "SUPPORT@brand.example";
	assert_string_equal(ack_refusal(&m, own, 2), "own address");
	m.from_address = "sales@brand.example";
	assert_string_equal(ack_refusal(&m, own, 2), "own address");
	m.from_address = NULL;
	assert_string_equal(ack_refusal(&m, own, 2), "no address");
	static const char *const robots[] = {"MAILER-DAEMON@mx.example", "postmaster@isp.example", "noreply@shop.example",
		"no-reply+orders@shop.example", "do-not-reply@bank.example", "DoNotReply@bank.example",
		"bounces@list.example", "owner-users@list.example", "users-request@list.example",
		"news-bounces@list.example", "no_reply@x.example"};
	for (size_t i = 0; i < sizeof(robots) / sizeof(robots[0]); i++) {
		m.from_address = robots[i];
		assert_string_equal(ack_refusal(&m, own, 2), "robot address");
	}
	static const char *const people[] = {"nora@x.example", "reply@x.example", "postmaster.general@x.example",
					     "requests@x.example", "daemon@x.example"};
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++)
		assert_false(ack_robot_address(people[i]));
}

static void templates_fill_their_variables(void **state)
{
	struct ack_vars v = {.contact_id = 41, .expected_reply = "within 2 hours", .subject = "Router blinks"};
	char *text = NULL, unknown[64] = "";
	assert_int_equal(ack_render("Re: {{subject}} {{token}} ({{ contact.id }}): {{expected_reply}}", &v, &text,
				    unknown, sizeof(unknown)), GC_OK);
	assert_string_equal(text, "Re: Router blinks [#41] (41): within 2 hours");
	free(text);
	assert_int_equal(ack_render("Hello {{customer.name}}", &v, &text, unknown, sizeof(unknown)), GC_EINVAL);
	assert_string_equal(unknown, "customer.name");
	/* the languages' own texts use only what is known */
	const char *languages[] = {"en", "fr"};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ack_render(ack_default_body(languages[i]), &v, &text, unknown, sizeof(unknown)), GC_OK);
		assert_non_null(strstr(text, "[#41]"));
		assert_non_null(strstr(text, "within 2 hours"));
		free(text);
		assert_int_equal(ack_render(ack_default_subject(languages[i]), &v, &text, unknown, sizeof(unknown)), GC_OK);
		free(text);
	}
}

/* --- on a store, through email_ingest --- */

static int64_t mailbox(struct ops_fixture *f, const struct store_scope *sc, const char *name, const char *address,
		       bool ack, int64_t queue)
{
	static const unsigned char sealed[] = "not really sealed";
	struct store_mailbox m = {.name = name, .address = address, .imap_url = "imaps://mail.example",
				  .smtp_url = "smtps://mail.example", .username = name, .sealed = sealed,
				  .sealed_len = sizeof(sealed), .queue_id = queue,
				  .ack = {.enabled = ack, .language = "en", .max_per_hour = 3}};
	int64_t id = 0;
	assert_int_equal(store_mailbox_create(f->s, sc, &m, &id), GC_OK);
	return id;
}

static enum ingest_outcome take(struct ops_fixture *f, const struct store_scope *sc, int64_t mailbox_id,
				int64_t queue, const struct email_in *m, int64_t *ret_contact)
{
	static int64_t uid;
	struct email_source src = {.mailbox_id = mailbox_id, .queue_id = queue, .uid = ++uid};
	enum ingest_outcome out;
	struct ops_error err;
	assert_int_equal(store_begin(f->s), GC_OK);
	int rc = email_ingest(&f->o, sc, &src, m, ret_contact, &out, &err);
	if (rc < 0)
		fprintf(stderr, "ingest: %d %s %s\n", rc, err.field ? err.field : "", err.message);
	assert_int_equal(rc, GC_OK);
	router_job_end(f->o.router, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->o.router, f->s, true);
	return out;
}

/* The tenant's acknowledgements of contact (every one when 0), as the sender reads them. */
static json_t *acks(struct ops_fixture *f, const struct store_scope *sc, int64_t contact)
{
	json_t *due = NULL, *mine = json_array();
	assert_int_equal(store_outbox_due(f->s, gc_now_ms() + 86400000, 1000, &due), GC_OK);
	size_t i;
	json_t *row;
	json_array_foreach(due, i, row) {
		if (json_integer_value(json_object_get(row, "tenant_id")) == sc->tenant_id &&
		    json_is_true(json_object_get(row, "automatic")) &&
		    (contact == 0 || json_integer_value(json_object_get(row, "contact_id")) == contact))
			json_array_append(mine, row);
	}
	json_decref(due);
	return mine;
}

static size_t n_acks(struct ops_fixture *f, const struct store_scope *sc, int64_t contact)
{
	json_t *list = acks(f, sc, contact);
	size_t n = json_array_size(list);
	json_decref(list);
	return n;
}

static void a_new_contact_is_acknowledged_once_and_threaded(void **state)
{
	struct ops_fixture *f = *state;
	int64_t box = mailbox(f, &f->a, "support", "support@brand.example", true, 0);
	struct email_in m = {.message_id = "a1@customer.example", .from_address = "Ann@Customer.example",
			     .subject = "Router blinks", .text = "Red."};
	int64_t contact = 0, again = 0;
	assert_int_equal(take(f, &f->a, box, 0, &m, &contact), INGEST_NEW_CONTACT);
	json_t *list = acks(f, &f->a, contact);
	assert_int_equal(json_array_size(list), 1);
	json_t *ack = json_array_get(list, 0);
	char subject[96];
	snprintf(subject, sizeof(subject), "Re: Router blinks [#%lld]", (long long)contact);
	assert_string_equal(json_string_value(json_object_get(ack, "subject")), subject);
	assert_string_equal(json_string_value(json_object_get(ack, "to")), "ann@customer.example");
	assert_string_equal(json_string_value(json_object_get(ack, "in_reply_to")), "a1@customer.example");
	assert_int_equal(json_integer_value(json_object_get(ack, "mailbox_id")), box);
	/* in no queue, nobody serves it: no promise of a time */
	assert_non_null(strstr(json_string_value(json_object_get(ack, "body")), "as soon as possible"));
	char ack_id[300];
	snprintf(ack_id, sizeof(ack_id), "%s", json_string_value(json_object_get(ack, "message_id")));
	json_decref(list);
	/* a note on the timeline, not a message: no agent's response */
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, contact, &c), GC_OK);
	json_t *messages = json_object_get(c, "messages");
	assert_int_equal(json_array_size(messages), 2);
	json_t *note = json_array_get(messages, 1);
	assert_string_equal(json_string_value(json_object_get(note, "kind")), "note");
	assert_non_null(strstr(json_string_value(json_object_get(note, "body")), "Acknowledgement sent automatically"));
	json_decref(c);
	/* a subject that answers already gets no second "Re:" */
	struct email_in re = {.message_id = "a0@customer.example", .from_address = "zoe@customer.example",
			      .subject = "RE: your offer", .text = "Interested."};
	int64_t zoe = 0;
	assert_int_equal(take(f, &f->a, box, 0, &re, &zoe), INGEST_NEW_CONTACT);
	list = acks(f, &f->a, zoe);
	snprintf(subject, sizeof(subject), "RE: your offer [#%lld]", (long long)zoe);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "subject")), subject);
	json_decref(list);
	/* nor one French Outlook wrote answering ("RE :") */
	struct email_in outlook = {.message_id = "a00@customer.example", .from_address = "yves@customer.example",
				   .subject = "RE : votre offre", .text = "Intéressé."};
	int64_t yves = 0;
	assert_int_equal(take(f, &f->a, box, 0, &outlook, &yves), INGEST_NEW_CONTACT);
	list = acks(f, &f->a, yves);
	snprintf(subject, sizeof(subject), "RE : votre offre [#%lld]", (long long)yves);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "subject")), subject);
	json_decref(list);
	/* the same email again: nothing more */
	assert_int_equal(take(f, &f->a, box, 0, &m, &again), INGEST_DUPLICATE);
	assert_int_equal(n_acks(f, &f->a, 0), 3); /* Ann's, Zoe's, Yves's */
	/* the customer answers the acknowledgement: the same contact, no second one */
	struct email_in answer = {.message_id = "a2@customer.example", .in_reply_to = ack_id,
				  .from_address = "ann@customer.example", .subject = "Other words", .text = "Thanks."};
	assert_int_equal(take(f, &f->a, box, 0, &answer, &again), INGEST_THREADED);
	assert_int_equal(again, contact);
	assert_int_equal(n_acks(f, &f->a, 0), 3);
}

/* An email with no subject is acknowledged in the mailbox's language:
 * "(sans objet)", never English words to a French customer. */
static void a_missing_subject_is_said_in_the_mailbox_s_language(void **state)
{
	struct ops_fixture *f = *state;
	int64_t box = mailbox(f, &f->a, "support", "support@brand.example", true, 0);
	struct store_mailbox_ack fr = {.enabled = true, .language = "fr", .max_per_hour = 3};
	assert_int_equal(store_mailbox_set_ack(f->s, &f->a, box, &fr), GC_OK);
	struct email_in m = {.message_id = "s1@customer.example", .from_address = "ines@customer.example",
			     .text = "Bonjour, ma box ne marche plus."};
	int64_t c = 0;
	assert_int_equal(take(f, &f->a, box, 0, &m, &c), INGEST_NEW_CONTACT);
	json_t *list = acks(f, &f->a, c);
	char subject[64];
	snprintf(subject, sizeof(subject), "Re: (sans objet) [#%lld]", (long long)c);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "subject")), subject);
	json_decref(list);
}

static void the_guards_hold_in_the_store(void **state)
{
	struct ops_fixture *f = *state;
	int64_t box = mailbox(f, &f->a, "support", "support@brand.example", true, 0);
	mailbox(f, &f->a, "sales", "sales@brand.example", false, 0);
	int64_t quiet = mailbox(f, &f->a, "quiet", "quiet@brand.example", false, 0);
	int64_t c = 0;
	struct email_in autoreply = {.message_id = "g1@x.example", .from_address = "bob@customer.example",
				     .subject = "Out of office", .text = "Away.", .auto_submitted = "auto-replied"};
	/* an out-of-office that answers nothing of ours: no contact, and nobody made a customer */
	assert_int_equal(take(f, &f->a, box, 0, &autoreply, &c), INGEST_AUTO_REPLY);
	assert_int_equal(c, 0);
	int64_t bob = 0;
	assert_int_equal(store_customer_find(f->s, &f->a, "bob@customer.example", NULL, &bob), GC_ENOTFOUND);
	struct email_in bulk = {.message_id = "g2@x.example", .from_address = "news@customer.example",
				.subject = "Newsletter", .text = "News.", .precedence = "bulk"};
	assert_int_equal(take(f, &f->a, box, 0, &bulk, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->a, c), 0);
	/* the tenant's other mailbox writing to this one: no loop between them */
	struct email_in own = {.message_id = "g3@x.example", .from_address = "Sales@brand.example",
			       .subject = "Internal", .text = "Hi."};
	assert_int_equal(take(f, &f->a, box, 0, &own, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->a, c), 0);
	struct email_in robot = {.message_id = "g4@x.example", .from_address = "noreply@shop.example",
				 .subject = "Your order", .text = "Shipped."};
	assert_int_equal(take(f, &f->a, box, 0, &robot, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->a, c), 0);
	/* an address no customer is made from */
	struct email_in odd = {.message_id = "g4b@x.example", .from_address = "someone@localhost",
			       .subject = "Odd", .text = "?"};
	assert_int_equal(take(f, &f->a, box, 0, &odd, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->a, c), 0);
	/* a mailbox that wants none */
	struct email_in person = {.message_id = "g5@x.example", .from_address = "carl@customer.example",
				  .subject = "Question", .text = "?"};
	assert_int_equal(take(f, &f->a, quiet, 0, &person, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->a, 0), 0);
	/* a bounce makes no contact, and no acknowledgement */
	struct email_in bounce = {.message_id = "g6@x.example", .from_address = "mailer-daemon@mx.example",
				  .subject = "Undelivered", .text = "550", .bounce = true};
	enum ingest_outcome out = take(f, &f->a, box, 0, &bounce, &c);
	assert_true(out == INGEST_DROPPED || out == INGEST_BOUNCE);
	assert_int_equal(n_acks(f, &f->a, 0), 0);
}

static void an_address_gets_at_most_the_hourly_limit(void **state)
{
	struct ops_fixture *f = *state;
	int64_t box = mailbox(f, &f->a, "support", "support@brand.example", true, 0);
	int64_t other = mailbox(f, &f->b, "support", "help@other.example", true, 0);
	for (int i = 0; i < 5; i++) {
		char id[64], subject[64];
		snprintf(id, sizeof(id), "l%d@customer.example", i);
		snprintf(subject, sizeof(subject), "Question %d", i);
		struct email_in m = {.message_id = id, .from_address = i % 2 ? "DAN@customer.example" : "dan@customer.example",
				     .subject = subject, .text = "Again."};
		int64_t c = 0;
		assert_int_equal(take(f, &f->a, box, 0, &m, &c), INGEST_NEW_CONTACT);
	}
	assert_int_equal(n_acks(f, &f->a, 0), 3);
	/* another tenant counts its own */
	struct email_in m = {.message_id = "l9@customer.example", .from_address = "dan@customer.example",
			     .subject = "Elsewhere", .text = "Hello."};
	int64_t c = 0;
	assert_int_equal(take(f, &f->b, other, 0, &m, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->b, 0), 1);
	/* another address is not limited by Dan's */
	struct email_in eve = {.message_id = "l10@customer.example", .from_address = "eve@customer.example",
			       .subject = "Mine", .text = "Hello."};
	assert_int_equal(take(f, &f->a, box, 0, &eve, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->a, 0), 4);
	/* a mailbox's own limit */
	struct store_mailbox_ack one = {.enabled = true, .language = "fr", .max_per_hour = 1};
	assert_int_equal(store_mailbox_set_ack(f->s, &f->a, box, &one), GC_OK);
	struct email_in again = {.message_id = "l11@customer.example", .from_address = "eve@customer.example",
				 .subject = "Encore", .text = "Bonjour."};
	assert_int_equal(take(f, &f->a, box, 0, &again, &c), INGEST_NEW_CONTACT);
	assert_int_equal(n_acks(f, &f->a, 0), 4);
	/* settings of another tenant's mailbox: not found */
	assert_int_equal(store_mailbox_set_ack(f->s, &f->b, box, &one), GC_ENOTFOUND);
}

/* An email queue with one agent taking 5 at once (paused: present, offered nothing). */
static int64_t email_queue(struct ops_fixture *f)
{
	struct user_input u = {.email = "agent@a.example", .name = "agent", .role = ROLE_AGENT};
	int64_t user = 0;
	assert_int_equal(store_user_create(f->s, &f->a, &u, "not a hash", false, &user), GC_OK);
	json_t *skill = NULL;
	assert_int_equal(store_skill_create(f->s, &f->a, "mail", &skill), GC_OK);
	json_int_t skill_id = json_integer_value(json_object_get(skill, "id"));
	json_decref(skill);
	struct decode_error err;
	struct queue_input q;
	json_t *qj = json_pack("{s:s,s:I,s:s}", "name", "mail", "skill_id", skill_id, "channel", "email");
	assert_int_equal(queue_input_decode(qj, &q, &err), 0);
	json_t *config = queue_input_json(&q);
	int64_t queue = 0;
	assert_int_equal(store_queue_create(f->s, &f->a, q.name, config, &queue), GC_OK);
	json_decref(config);
	json_decref(qj);
	struct agent_profile_input p;
	json_t *pj = json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id", skill_id,
			       "proficiency", 5, "capacity", "email", 5);
	assert_int_equal(agent_profile_decode(pj, &p, &err), 0);
	json_t *profile = agent_profile_json(&p);
	assert_int_equal(store_agent_set_profile(f->s, &f->a, user, profile), GC_OK);
	json_decref(profile);
	json_decref(pj);
	router_free(f->o.router); /* a router that loads them */
	assert_int_equal(router_new(f->s, f->hub, NULL, &f->o.router), GC_OK);
	struct store_scope agent = f->a;
	agent.user_id = user;
	agent.role = ROLE_AGENT;
	struct presence_input paused = {.presence = PRESENCE_PAUSED, .reason = "reading"};
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(router_presence(f->o.router, f->s, &agent, user, &paused), GC_OK);
	router_job_end(f->o.router, true);
	assert_int_equal(store_commit(f->s), GC_OK);
	router_batch_end(f->o.router, f->s, true);
	return queue;
}

static void the_acknowledgement_states_the_queue_s_expected_time(void **state)
{
	struct ops_fixture *f = *state;
	int64_t queue = email_queue(f);
	int64_t box = mailbox(f, &f->a, "support", "support@brand.example", true, queue);
	int64_t first = 0, last = 0;
	for (int i = 0; i < 11; i++) {
		char id[64], from[64];
		snprintf(id, sizeof(id), "q%d@customer.example", i);
		snprintf(from, sizeof(from), "person%d@customer.example", i);
		struct email_in m = {.message_id = id, .from_address = from, .subject = "Help", .text = "Please."};
		assert_int_equal(take(f, &f->a, box, queue, &m, i == 0 ? &first : &last), INGEST_NEW_CONTACT);
	}
	struct router_load load;
	assert_int_equal(router_contact_load(f->o.router, &f->a, last, &load), GC_OK);
	assert_int_equal(load.ahead, 10);
	assert_int_equal(load.agents, 1);
	assert_int_equal(load.slots, 5);
	assert_true(router_contact_load(f->o.router, &f->b, last, &load) < 0); /* not in another tenant */
	json_t *list = acks(f, &f->a, first);
	/* the agent paused: no slot free, the first of 5 frees in 30 / 5 = 6 minutes, then 30: 36 minutes */
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(list, 0), "body")), "within an hour"));
	json_decref(list);
	list = acks(f, &f->a, last); /* 10 ahead, 5 at once, 30 minutes each: 11 * 30 / 5 + 30 = 96 minutes */
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(list, 0), "body")), "within 2 hours"));
	json_decref(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_estimate_follows_the_backlog_and_the_capacity),
		cmocka_unit_test(the_estimate_is_said_in_words_a_customer_reads),
		cmocka_unit_test(automatic_mail_bounces_and_robots_are_never_acknowledged),
		cmocka_unit_test(templates_fill_their_variables),
		cmocka_unit_test_setup_teardown(a_new_contact_is_acknowledged_once_and_threaded, ops_fixture_setup,
						ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(a_missing_subject_is_said_in_the_mailbox_s_language, ops_fixture_setup,
						ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(the_guards_hold_in_the_store, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(an_address_gets_at_most_the_hourly_limit, ops_fixture_setup,
						ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(the_acknowledgement_states_the_queue_s_expected_time, ops_fixture_setup,
						ops_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
