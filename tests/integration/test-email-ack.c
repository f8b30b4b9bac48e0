/* Acknowledgements end to end, on the run's engine, against a real Dovecot
 * (dovecot.c) and Postfix's smtp-sink (smtpsink.c): a mailbox that
 * acknowledges sends exactly one email per new contact, read back from the
 * receiver with Auto-Submitted: auto-replied, the thread's headers, the
 * [#ID] token and the expected reply time from the queue (an agent taking 5
 * emails at once); an auto-reply, a bulk mail and a bounce get none; a
 * sender writing 5 new emails within the hour gets only the limit (3); the
 * customer's answer to the acknowledgement joins its contact and is not
 * acknowledged; the acknowledgement is listed among the contact's replies
 * as automatic. The expected reply counts the tenant's business hours: on
 * a holiday, "within an hour" becomes days. */
#include "harness.h"
#include "dovecot.h"
#include "smtpsink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>
#include <time.h>

#define PASSWORD "ack pass"

static struct daemon d;
static struct dovecot dc;
static struct smtpsink sink;
static char *admin;
static long long queue;

static int setup(void **state)
{
	static const char *const users[] = {"acks:imap-pw", NULL};
	if (dovecot_start(&dc, users) != 0 || smtpsink_start(&sink) != 0)
		return -1;
	if (daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--mail-poll", "1", NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "mail"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "mail", "skill_id",
		(json_int_t)skill, "channel", "email"));
	/* one agent taking 5 emails at once, paused: present, offered nothing */
	long long agent = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email",
		"agent@brand.example", "name", "Agent", "password", PASSWORD, "role", "agent"));
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", agent);
	if (http_status(&d, "PUT", path, admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills",
		"skill_id", (json_int_t)skill, "proficiency", 5, "capacity", "email", 5)) != 200)
		return -1;
	snprintf(path, sizeof(path), "/api/v1/agents/%lld/presence", agent);
	if (http_status(&d, "POST", path, admin, json_pack("{s:s,s:s}", "presence", "paused", "reason", "reading")) != 200)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	daemon_stop(&d);
	daemon_cleanup(&d);
	dovecot_stop(&dc);
	smtpsink_stop(&sink);
	return 0;
}

/* The tenant's contacts whose subject starts with prefix. */
static int count_contacts(const char *prefix)
{
	int n = 0;
	char path[160] = "/api/v1/contacts?limit=500";
	for (;;) {
		struct resp r;
		http_json(&d, "GET", path, admin, NULL, &r);
		if (r.status != 200) {
			resp_clear(&r);
			return -1;
		}
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), i, item) {
			const char *s = json_string_value(json_object_get(item, "subject"));
			n += s && strncmp(s, prefix, strlen(prefix)) == 0;
		}
		const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (next)
			snprintf(path, sizeof(path), "/api/v1/contacts?limit=500&cursor=%s", next);
		resp_clear(&r);
		if (!next)
			return n;
	}
}

/* The id of the contact whose subject is subject, or 0. */
static long long contact_with(const char *subject)
{
	struct resp r;
	long long id = 0;
	http_json(&d, "GET", "/api/v1/contacts?limit=100", admin, NULL, &r);
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), i, item) {
		const char *s = json_string_value(json_object_get(item, "subject"));
		if (s && strcmp(s, subject) == 0)
			id = json_integer_value(json_object_get(item, "id"));
	}
	resp_clear(&r);
	return id;
}

static char *message(const char *id, const char *in_reply_to, const char *from, const char *subject,
		     const char *headers, const char *body)
{
	char *m = NULL;
	if (asprintf(&m, "From: %s\r\nTo: support@brand.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%s%s%s%s"
			 "Date: Tue, 01 Dec 2026 09:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		     from, subject, id, in_reply_to ? "In-Reply-To: <" : "", in_reply_to ? in_reply_to : "",
		     in_reply_to ? ">\r\n" : "", headers, body) < 0)
		return NULL;
	return m;
}

static const char bounce[] =
	"From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\r\n"
	"To: support@brand.example\r\n"
	"Subject: A3 Undelivered Mail Returned to Sender\r\n"
	"Message-ID: <bounce-1@mx.customer.example>\r\n"
	"Return-Path: <>\r\n"
	"Date: Tue, 01 Dec 2026 09:01:00 +0100\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"BND\"\r\n\r\n"
	"--BND\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
	"--BND\r\nContent-Type: message/delivery-status\r\n\r\n"
	"Reporting-MTA: dns; mx.customer.example\r\n\r\n"
	"Final-Recipient: rfc822; gone@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
	"--BND--\r\n";

/* Every message smtp-sink kept, once it holds at least n (and a moment more for any extra). */
static int received(size_t n, struct smtpsink_message **ret, size_t *ret_n)
{
	if (smtpsink_wait(&sink, n, 30000) != 0)
		return -1;
	nanosleep(&(struct timespec){.tv_sec = 3}, NULL); /* two polls: nothing more may come */
	int got = -1; /* smtp-sink may still be writing the file it counted */
	for (int i = 0; i < 50 && (got = smtpsink_messages(&sink, ret, ret_n)) != 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	return got;
}

static const struct smtpsink_message *to(const struct smtpsink_message *m, size_t n, const char *rcpt, size_t *ret_count)
{
	const struct smtpsink_message *found = NULL;
	*ret_count = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].n_rcpt == 1 && strcmp(m[i].rcpt[0], rcpt) == 0) {
			found = &m[i];
			++*ret_count;
		}
	return found;
}

static void each_new_contact_gets_one_acknowledgement_within_the_guards(void **state)
{
	char *msgs[9];
	msgs[0] = message("a1@customer.example", NULL, "Ann <ann@customer.example>", "A1 router", "", "It blinks.");
	msgs[1] = message("a2@customer.example", NULL, "Otto <otto@customer.example>", "A2 out of office",
			  "Auto-Submitted: auto-replied\r\n", "Away until Monday.");
	msgs[2] = message("a2b@customer.example", NULL, "news@customer.example", "A2 newsletter",
			  "Precedence: bulk\r\n", "Our news.");
	msgs[3] = strdup(bounce);
	for (int i = 0; i < 5; i++) {
		char id[64], subject[64];
		snprintf(id, sizeof(id), "a4-%d@customer.example", i);
		snprintf(subject, sizeof(subject), "A4 question %d", i);
		msgs[4 + i] = message(id, NULL, "Dan <dan@customer.example>", subject, "", "Another question.");
	}
	struct iovec v[9];
	for (int i = 0; i < 9; i++)
		v[i] = (struct iovec){msgs[i], strlen(msgs[i])};
	assert_int_equal(dovecot_deliver(&dc, "acks", "INBOX", v, 9), 0);
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX", dc.url);
	long long mailbox = post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:{s:b}}",
		"name", "acks", "address", "support@brand.example", "imap_url", url, "username", "acks", "password",
		"imap-pw", "queue_id", (json_int_t)queue, "smtp_url", sink.url, "ack", "enabled", 1));
	assert_true(mailbox > 0);
	/* Ann's, and Dan's first 3 of 5: nothing for the auto-reply, the bulk mail, the bounce */
	struct smtpsink_message *got = NULL;
	size_t n = 0, count = 0;
	assert_int_equal(received(4, &got, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(count_contacts("A1"), 1);
	/* the newsletter is a contact, unacknowledged; the out-of-office, which
	 * answers nothing of ours, is none, and makes nobody a customer */
	assert_int_equal(count_contacts("A2"), 1);
	assert_int_equal(count_contacts("A2 newsletter"), 1);
	struct resp who;
	http_json(&d, "GET", "/api/v1/customers?email=otto%40customer.example", admin, NULL, &who);
	assert_int_equal(who.status, 200);
	assert_int_equal(json_array_size(json_object_get(who.json, "items")), 0);
	resp_clear(&who);
	assert_int_equal(count_contacts("A3"), 0); /* a bounce is no contact */
	assert_int_equal(count_contacts("A4"), 5);
	to(got, n, "dan@customer.example", &count);
	assert_int_equal(count, 3);
	const struct smtpsink_message *ann = to(got, n, "ann@customer.example", &count);
	assert_int_equal(count, 1);
	long long contact = contact_with("A1 router");
	assert_true(contact > 0);
	assert_string_equal(ann->mail_from, "support@brand.example");
	assert_non_null(strstr(ann->data, "Auto-Submitted: auto-replied"));
	assert_non_null(strstr(ann->data, "In-Reply-To: <a1@customer.example>"));
	char want[200];
	snprintf(want, sizeof(want), "Subject: Re: A1 router [#%lld]", contact);
	assert_non_null(strstr(ann->data, want));
	snprintf(want, sizeof(want), "[#%lld]", contact);
	assert_non_null(strstr(strstr(ann->data, "\n\n"), want)); /* in the body too */
	/* nothing ahead, one agent taking 5 at once, paused (no slot free), nothing
	 * measured yet (30 minutes each): the first slot frees in 30 / 5 = 6
	 * minutes, then 30 minutes to reply: 36 */
	assert_non_null(strstr(ann->data, "will reply within an hour"));
	const char *mid = strcasestr(ann->data, "\nMessage-ID: <");
	assert_non_null(mid);
	mid += strlen("\nMessage-ID: <");
	char ack_id[256];
	snprintf(ack_id, sizeof(ack_id), "%.*s", (int)strcspn(mid, ">"), mid);
	smtpsink_messages_free(got, n);
	/* listed among the contact's replies, automatic and sent */
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/email-replies", contact);
	struct resp r;
	bool sent = false;
	for (int i = 0; i < 100 && !sent; i++) {
		http_json(&d, "GET", path, admin, NULL, &r);
		json_t *item = json_array_get(json_object_get(r.json, "items"), 0);
		assert_true(json_is_true(json_object_get(item, "automatic")));
		assert_string_equal(json_string_value(json_object_get(item, "message_id")), ack_id);
		sent = strcmp(json_string_value(json_object_get(item, "state")), "sent") == 0;
		resp_clear(&r);
		if (!sent)
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_true(sent);
	/* an outsourced agent, who sees basic data only, reads the contact, its
	 * timeline and its journey without Ann's address: the acknowledgement's
	 * note does not name it */
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "bpo@brand.example", "name", "Bpo",
		"password", PASSWORD, "role", "outsourced_agent"));
	char *bpo = login(&d, "bpo@brand.example", PASSWORD);
	static const char *const seen[] = {"", "/events", "/journey"};
	for (size_t k = 0; k < sizeof(seen) / sizeof(seen[0]); k++) {
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld%s", contact, seen[k]);
		http_json(&d, "GET", path, bpo, NULL, &r);
		assert_int_equal(r.status, 200);
		if (k == 0)
			assert_non_null(strstr(r.text, "Acknowledgement sent automatically to the customer"));
		if (strcasestr(r.text, "ann@customer.example"))
			fail_msg("%s shows the customer's address to an outsourced agent: %s", path, r.text);
		resp_clear(&r);
	}
	free(bpo);
	/* Ann answers the acknowledgement: her contact, no second acknowledgement */
	char *answer = message("a5@customer.example", ack_id, "ann@customer.example", "thanks", "", "Good.");
	struct iovec one = {answer, strlen(answer)};
	assert_int_equal(dovecot_deliver(&dc, "acks", "INBOX", &one, 1), 0);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", contact);
	size_t messages = 0;
	for (int i = 0; i < 100 && messages < 3; i++) {
		http_json(&d, "GET", path, admin, NULL, &r);
		messages = json_array_size(json_object_get(r.json, "messages"));
		resp_clear(&r);
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_int_equal(messages, 3); /* her email, the acknowledgement's note, her answer */
	assert_int_equal(count_contacts("thanks"), 0);
	nanosleep(&(struct timespec){.tv_sec = 2}, NULL);
	assert_int_equal(smtpsink_count(&sink), 4);
	for (int i = 0; i < 9; i++)
		free(msgs[i]);
	free(answer);
}

/* Today and tomorrow holidays: the hour of work the estimate says falls
 * after them, a day and more away. */
static void the_expected_reply_counts_business_hours(void **state)
{
	time_t now = time(NULL), next = now + 24 * 3600;
	struct tm today, tomorrow;
	gmtime_r(&now, &today);
	gmtime_r(&next, &tomorrow);
	char calendar[160];
	snprintf(calendar, sizeof(calendar), "{\"zone\":\"UTC\",\"holidays\":[\"%04d-%02d-%02d\",\"%04d-%02d-%02d\"]}",
		 today.tm_year + 1900, today.tm_mon + 1, today.tm_mday, tomorrow.tm_year + 1900, tomorrow.tm_mon + 1,
		 tomorrow.tm_mday);
	struct resp r;
	http_raw(&d, "PUT", "/api/v1/calendar", admin, NULL, "application/json", calendar, strlen(calendar), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	char *m = message("h1@customer.example", NULL, "Eve <eve@customer.example>", "H1 holiday", "", "Hello?");
	struct iovec v = {m, strlen(m)};
	assert_int_equal(dovecot_deliver(&dc, "acks", "INBOX", &v, 1), 0);
	struct smtpsink_message *got = NULL;
	size_t n = 0, count = 0;
	assert_int_equal(received(5, &got, &n), 0);
	const struct smtpsink_message *eve = to(got, n, "eve@customer.example", &count);
	assert_int_equal(count, 1);
	const char *said = strstr(eve->data, "will reply within ");
	assert_non_null(said);
	fprintf(stderr, "%.*s\n", (int)strcspn(said, ".\r\n"), said);
	assert_true(strncmp(said, "will reply within 2 days", 24) == 0 || strncmp(said, "will reply within 3 days", 24) == 0);
	smtpsink_messages_free(got, n);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_new_contact_gets_one_acknowledgement_within_the_guards),
		cmocka_unit_test(the_expected_reply_counts_business_hours),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
