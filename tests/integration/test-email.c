/* The email channel end to end, on the run's engine, against a real Dovecot
 * (dovecot.c): a mailbox's messages become contacts, a reply joins its
 * contact, each message is flagged \Seen only once taken, and nothing is
 * taken twice, across a restart or a kill -9 in the middle of a 2,000
 * message mailbox; a reply goes out by SMTP (Postfix's smtp-sink) with the
 * thread's headers and the customer's answer to it joins the contact;
 * the tenant's rules give arriving mail its reason and queue, and the
 * suggested canned reply goes out in one action. */
#include "harness.h"
#include "dovecot.h"
#include "smtpsink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#define PASSWORD "email pass"
#define N_BIG 2000

static struct daemon d;
static struct dovecot dc;
static struct smtpsink sink;
static char *admin;
static long long queue;

static int start(void)
{
	return daemon_start(&d, "--mail-poll", "1", NULL);
}

static int setup(void **state)
{
	static const char *const users[] = {"support:imap-pw", "big:imap-pw", "reply:imap-pw", "rules:imap-pw", "cap:imap-pw", NULL};
	if (dovecot_start(&dc, users) != 0 || smtpsink_start(&sink) != 0)
		return -1;
	if (daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0 || start() != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "mail"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "mail", "skill_id",
		(json_int_t)skill, "channel", "email"));
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

static long long add_mailbox_sending(const char *user, const char *name, const char *smtp_url)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX", dc.url);
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "name", name, "address", "support@brand.example",
				 "imap_url", url, "username", user, "password", "imap-pw", "queue_id", (json_int_t)queue);
	if (smtp_url)
		json_object_set_new(body, "smtp_url", json_string(smtp_url));
	return post_id(&d, admin, "/api/v1/channels/email", body);
}

static long long add_mailbox(const char *user)
{
	return add_mailbox_sending(user, user, NULL);
}

/* The tenant's contacts, all pages: how many, and how many have subject prefix. */
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

static bool wait_count(const char *prefix, int want, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (count_contacts(prefix) >= want)
			return true;
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	return false;
}

static char *message(const char *id, const char *in_reply_to, const char *from, const char *subject, const char *body)
{
	char *m = NULL;
	if (asprintf(&m, "From: %s\r\nTo: support@brand.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%s%s%s"
			 "Date: Tue, 01 Dec 2026 09:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		     from, subject, id, in_reply_to ? "In-Reply-To: <" : "", in_reply_to ? in_reply_to : "",
		     in_reply_to ? ">\r\n" : "", body) < 0)
		return NULL;
	return m;
}

/* The UIDs of the user's unseen messages, by IMAP (curl). */
static int unseen(const char *user)
{
	CURL *curl = curl_easy_init();
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX", dc.url);
	FILE *out = tmpfile();
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_USERNAME, user);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, "imap-pw");
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "UID SEARCH UNSEEN");
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	int n = -1;
	if (curl_easy_perform(curl) == CURLE_OK) {
		char line[4096] = "";
		rewind(out);
		n = 0;
		while (fgets(line, sizeof(line), out))
			if (strncmp(line, "* SEARCH", 8) == 0)
				for (char *p = strtok(line + 8, " \r\n"); p; p = strtok(NULL, " \r\n"))
					n++;
	}
	fclose(out);
	curl_easy_cleanup(curl);
	return n;
}

static void mail_becomes_contacts_once(void **state)
{
	char *msgs[3] = {
		message("m1@customer.example", NULL, "Ann <ann@customer.example>", "T1 router", "It blinks."),
		message("m2@customer.example", NULL, "Bob <bob@customer.example>", "T1 invoice", "Wrong amount."),
		message("m3@customer.example", "m1@customer.example", "ann@customer.example", "Re: T1 router", "Still."),
	};
	struct iovec v[3];
	for (int i = 0; i < 3; i++)
		v[i] = (struct iovec){msgs[i], strlen(msgs[i])};
	assert_int_equal(dovecot_deliver(&dc, "support", "INBOX", v, 3), 0);
	long long mailbox = add_mailbox("support");
	assert_true(wait_count("T1", 2, 20));
	/* the reply joined Ann's contact */
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%lld", mailbox);
	struct resp r;
	for (int i = 0; i < 100; i++) {
		http_json(&d, "GET", path, admin, NULL, &r);
		if (resp_int(&r, "last_uid") == 3)
			break;
		resp_clear(&r);
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_int_equal(resp_int(&r, "last_uid"), 3);
	resp_clear(&r);
	assert_int_equal(count_contacts("T1"), 2);
	http_json(&d, "GET", "/api/v1/contacts?limit=10", admin, NULL, &r);
	size_t i;
	json_t *item;
	int threaded = 0;
	json_array_foreach(json_object_get(r.json, "items"), i, item) {
		if (strcmp(json_string_value(json_object_get(item, "subject")), "T1 router") != 0)
			continue;
		char one[64];
		snprintf(one, sizeof(one), "/api/v1/contacts/%lld", (long long)json_integer_value(json_object_get(item, "id")));
		struct resp c;
		http_json(&d, "GET", one, admin, NULL, &c);
		threaded = (int)json_array_size(json_object_get(c.json, "messages"));
		assert_string_equal(json_string_value(json_object_get(c.json, "state")), "queued");
		resp_clear(&c);
	}
	resp_clear(&r);
	assert_int_equal(threaded, 2);
	/* each flagged \Seen once taken */
	for (int k = 0; k < 50 && unseen("support") != 0; k++)
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	assert_int_equal(unseen("support"), 0);
	/* a restart takes nothing again */
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(start(), 0);
	nanosleep(&(struct timespec){.tv_sec = 2}, NULL);
	assert_int_equal(count_contacts("T1"), 2);
	for (int k = 0; k < 3; k++)
		free(msgs[k]);
}

/* 2,000 messages; kill -9 halfway; restarted, each is a contact once. */
static void a_kill_in_the_middle_takes_each_message_once(void **state)
{
	static struct iovec v[N_BIG];
	for (int i = 0; i < N_BIG; i++) {
		char id[64], subject[64];
		snprintf(id, sizeof(id), "big-%d@customer.example", i);
		snprintf(subject, sizeof(subject), "BIG %05d", i);
		char *m = message(id, NULL, "many@customer.example", subject, "A message among many.");
		v[i] = (struct iovec){m, strlen(m)};
	}
	assert_int_equal(dovecot_deliver(&dc, "big", "INBOX", v, N_BIG), 0);
	add_mailbox("big");
	assert_true(wait_count("BIG", N_BIG / 4, 120));
	daemon_kill9(&d);
	int before = count_contacts("BIG");
	(void)before;
	assert_int_equal(start(), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(wait_count("BIG", N_BIG, 180));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nanosleep(&(struct timespec){.tv_sec = 2}, NULL); /* and nothing more comes */
	assert_int_equal(count_contacts("BIG"), N_BIG);
	fprintf(stderr, "the rest of %d messages taken in %.1f s after the restart\n", N_BIG,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* each subject once: the list is read whole and every one seen once */
	static char seen[N_BIG];
	memset(seen, 0, sizeof(seen));
	char path[160] = "/api/v1/contacts?limit=500";
	for (;;) {
		struct resp r;
		http_json(&d, "GET", path, admin, NULL, &r);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), i, item) {
			int k = -1;
			if (sscanf(json_string_value(json_object_get(item, "subject")), "BIG %d", &k) == 1) {
				assert_true(k >= 0 && k < N_BIG);
				assert_int_equal(seen[k], 0);
				seen[k] = 1;
			}
		}
		const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (next)
			snprintf(path, sizeof(path), "/api/v1/contacts?limit=500&cursor=%s", next);
		resp_clear(&r);
		if (!next)
			break;
	}
	for (int i = 0; i < N_BIG; i++) {
		assert_int_equal(seen[i], 1);
		free(v[i].iov_base);
	}
}

/* The contact's replies: the one with id, polled until its state is state. */
static json_t *reply_state(long long contact, long long id, const char *state, int seconds)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/email-replies", contact);
	for (int i = 0; i < seconds * 10; i++) {
		struct resp r;
		http_json(&d, "GET", path, admin, NULL, &r);
		size_t k;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), k, item) {
			if (json_integer_value(json_object_get(item, "id")) == id &&
			    strcmp(json_string_value(json_object_get(item, "state")), state) == 0) {
				json_t *found = json_incref(item);
				resp_clear(&r);
				return found;
			}
		}
		resp_clear(&r);
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	return NULL;
}

/* A reply goes out by SMTP with the thread's headers, and the customer's
 * answer to it comes back into the same contact; a server that cannot be
 * reached leaves the reply queued for a later try, saying why. */
static void a_reply_goes_out_and_its_answer_comes_back(void **state)
{
	char *first = message("r1@customer.example", NULL, "Carol <carol@customer.example>", "R1 question", "Hello?");
	struct iovec v = {first, strlen(first)};
	assert_int_equal(dovecot_deliver(&dc, "reply", "INBOX", &v, 1), 0);
	long long mailbox = add_mailbox_sending("reply", "replies", sink.url);
	assert_true(wait_count("R1", 1, 20));
	struct resp r;
	http_json(&d, "GET", "/api/v1/contacts?limit=5", admin, NULL, &r);
	long long contact = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
	long long carol = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
							     "customer_id"));
	resp_clear(&r);
	char path[96];
	/* "Carol <carol@customer.example>" is a customer named Carol */
	snprintf(path, sizeof(path), "/api/v1/customers/%lld", carol);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(r.json, "attributes"),
		"name"), "value")), "Carol");
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/email-reply", contact);
	http_json(&d, "POST", path, admin, json_pack("{s:s}", "body", "Hello Carol,\nplease restart it.\nSupport"), &r);
	assert_int_equal(r.status, 202);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "queued");
	long long reply_id = resp_int(&r, "id");
	char message_id[256];
	snprintf(message_id, sizeof(message_id), "%s", json_string_value(json_object_get(r.json, "message_id")));
	resp_clear(&r);
	/* out by SMTP, with the thread's headers */
	if (smtpsink_wait(&sink, 1, 20000) != 0) {
		char list[96];
		snprintf(list, sizeof(list), "/api/v1/contacts/%lld/email-replies", contact);
		http_json(&d, "GET", list, admin, NULL, &r);
		fprintf(stderr, "nothing came to the SMTP receiver; the replies: %s\n", r.text);
		resp_clear(&r);
		fail();
	}
	struct smtpsink_message *got = NULL;
	size_t n = 0;
	int read = -1; /* smtp-sink may still be writing the file it counted */
	for (int i = 0; i < 50 && (read = smtpsink_messages(&sink, &got, &n)) != 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	assert_int_equal(read, 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].mail_from, "support@brand.example");
	assert_int_equal(got[0].n_rcpt, 1);
	assert_string_equal(got[0].rcpt[0], "carol@customer.example");
	char want[300];
	snprintf(want, sizeof(want), "Message-ID: <%s>", message_id);
	assert_non_null(strcasestr(got[0].data, want));
	assert_non_null(strstr(got[0].data, "In-Reply-To: <r1@customer.example>"));
	snprintf(want, sizeof(want), "Subject: Re: R1 question [#%lld]", contact);
	assert_non_null(strstr(got[0].data, want));
	assert_non_null(strstr(got[0].data, "please restart it."));
	/* from the brand, by name: the tenant's while the mailbox names none */
	assert_non_null(strstr(got[0].data, "\nFrom: brand <support@brand.example>\n"));
	smtpsink_messages_free(got, n);
	json_t *sent = reply_state(contact, reply_id, "sent", 10);
	assert_non_null(sent);
	json_decref(sent);
	/* the customer answers the reply: the same contact */
	char *answer = message("r2@customer.example", message_id, "carol@customer.example", "thanks", "It works now.");
	v = (struct iovec){answer, strlen(answer)};
	assert_int_equal(dovecot_deliver(&dc, "reply", "INBOX", &v, 1), 0);
	char one[64];
	snprintf(one, sizeof(one), "/api/v1/contacts/%lld", contact);
	size_t messages = 0;
	for (int i = 0; i < 100 && messages < 3; i++) {
		http_json(&d, "GET", one, admin, NULL, &r);
		messages = json_array_size(json_object_get(r.json, "messages"));
		resp_clear(&r);
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_int_equal(messages, 3); /* in, out, in */
	assert_int_equal(count_contacts("thanks"), 0);
	/* a subject French Outlook wrote answering (RE :) is answered once, not "Re: RE :" */
	char *outlook = message("r3@customer.example", NULL, "eve@customer.example", "RE : Livraison", "Toujours rien.");
	v = (struct iovec){outlook, strlen(outlook)};
	assert_int_equal(dovecot_deliver(&dc, "reply", "INBOX", &v, 1), 0);
	assert_true(wait_count("RE : Livraison", 1, 20));
	long long eve = 0;
	http_json(&d, "GET", "/api/v1/contacts?limit=20", admin, NULL, &r);
	size_t at;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), at, item)
		if (strcmp(json_string_value(json_object_get(item, "subject")), "RE : Livraison") == 0)
			eve = json_integer_value(json_object_get(item, "id"));
	resp_clear(&r);
	char eve_path[96];
	snprintf(eve_path, sizeof(eve_path), "/api/v1/contacts/%lld/email-reply", eve);
	http_json(&d, "POST", eve_path, admin, json_pack("{s:s}", "body", "Elle part demain."), &r);
	assert_int_equal(r.status, 202);
	snprintf(want, sizeof(want), "RE : Livraison [#%lld]", eve);
	assert_string_equal(json_string_value(json_object_get(r.json, "subject")), want);
	resp_clear(&r);
	/* an email with no subject is answered "Re: [#ID]", no English "(no subject)" */
	char *bare = message("r4@customer.example", NULL, "fanny@customer.example", "", "Ma box ne marche plus.");
	v = (struct iovec){bare, strlen(bare)};
	assert_int_equal(dovecot_deliver(&dc, "reply", "INBOX", &v, 1), 0);
	long long fanny = 0;
	for (int i = 0; i < 200 && fanny == 0; i++) {
		http_json(&d, "GET", "/api/v1/contacts?limit=20", admin, NULL, &r);
		json_array_foreach(json_object_get(r.json, "items"), at, item) {
			const char *s = json_string_value(json_object_get(item, "subject"));
			if (fanny == 0 && (s == NULL || *s == '\0')) /* the newest */
				fanny = json_integer_value(json_object_get(item, "id"));
		}
		resp_clear(&r);
		if (fanny == 0)
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_true(fanny > 0);
	snprintf(eve_path, sizeof(eve_path), "/api/v1/contacts/%lld/email-reply", fanny);
	http_json(&d, "POST", eve_path, admin, json_pack("{s:s}", "body", "Redémarrez-la."), &r);
	assert_int_equal(r.status, 202);
	snprintf(want, sizeof(want), "Re: [#%lld]", fanny);
	assert_string_equal(json_string_value(json_object_get(r.json, "subject")), want);
	resp_clear(&r);
	/* a customer with no address: refused at the contact, the message a template the pages translate */
	long long nobody = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s}", "channel", "email",
		"subject", "Phoned in"));
	snprintf(eve_path, sizeof(eve_path), "/api/v1/contacts/%lld/email-reply", nobody);
	http_json(&d, "POST", eve_path, admin, json_pack("{s:s}", "body", "Hello"), &r);
	assert_int_equal(r.status, 422);
	json_t *refusal = json_object_get(r.json, "error");
	assert_string_equal(json_string_value(json_object_get(refusal, "field")), "contact");
	assert_string_equal(json_string_value(json_object_get(refusal, "template")),
			    "the contact's customer has no email address to reply to");
	resp_clear(&r);
	/* a contact no email came in on (made through the API: a web form) goes out
	 * from the tenant's one sending mailbox, its accents in UTF-8 as labelled */
	long long dora = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:s}", "external_id", "MAIL-DORA",
		"email", "dora@customer.example"));
	long long made = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "email",
		"subject", "Web form", "customer_id", (json_int_t)dora));
	char made_path[96];
	snprintf(made_path, sizeof(made_path), "/api/v1/contacts/%lld/email-reply", made);
	/* the mailbox's own name for its mail, when it has one */
	char mailbox_path[64];
	snprintf(mailbox_path, sizeof(mailbox_path), "/api/v1/channels/email/%lld", mailbox);
	http_json(&d, "PATCH", mailbox_path, admin, json_pack("{s:s}", "from_name", "Brand Support"), &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "from_name")), "Brand Support");
	resp_clear(&r);
	http_json(&d, "POST", made_path, admin, json_pack("{s:s}", "body", "Bonjour Dora, voici la procédure."), &r);
	assert_int_equal(r.status, 202);
	assert_int_equal(resp_int(&r, "mailbox_id"), mailbox);
	resp_clear(&r);
	bool utf8 = false;
	for (int i = 0; i < 200 && !utf8; i++) {
		struct smtpsink_message *all = NULL;
		size_t n_all = 0;
		if (smtpsink_messages(&sink, &all, &n_all) == 0)
			for (size_t k = 0; k < n_all; k++)
				utf8 |= strcmp(all[k].rcpt[0], "dora@customer.example") == 0 &&
					strstr(all[k].data, "charset=utf-8") && strstr(all[k].data, "proc=C3=A9dure") &&
					strstr(all[k].data, "\nFrom: Brand Support <support@brand.example>\n");
		smtpsink_messages_free(all, n_all);
		if (!utf8)
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_true(utf8);
	/* a server nobody answers: queued again, with why, for a later try */
	long long dead = add_mailbox_sending("support", "dead smtp", "smtp://127.0.0.1:9");
	/* two mailboxes send now: which one is the caller's to say */
	http_json(&d, "POST", made_path, admin, json_pack("{s:s}", "body", "Again"), &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "mailbox_id");
	resp_clear(&r);
	(void)mailbox;
	http_json(&d, "POST", path, admin, json_pack("{s:s,s:I}", "body", "Second try", "mailbox_id", (json_int_t)dead), &r);
	assert_int_equal(r.status, 202);
	long long second = resp_int(&r, "id");
	resp_clear(&r);
	json_t *waiting = NULL;
	for (int i = 0; i < 200 && waiting == NULL; i++) {
		waiting = reply_state(contact, second, "queued", 1);
		if (waiting && json_integer_value(json_object_get(waiting, "attempts")) < 1) {
			json_decref(waiting);
			waiting = NULL;
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
		}
	}
	if (waiting == NULL) {
		char list[96];
		snprintf(list, sizeof(list), "/api/v1/contacts/%lld/email-replies", contact);
		http_json(&d, "GET", list, admin, NULL, &r);
		fprintf(stderr, "the second reply did not wait for a later try: %s\n", r.text);
		resp_clear(&r);
		fail();
	}
	assert_true(json_is_string(json_object_get(waiting, "last_error")));
	json_decref(waiting);
	/* a bad reply: no body */
	assert_int_equal(http_status(&d, "POST", path, admin, json_pack("{s:s}", "text", "x")), 400);
	free(first);
	free(outlook);
	free(bare);
	free(answer);
}

/* The contact of the newest mail whose subject starts with prefix (0: none). */
static long long contact_with(const char *prefix, json_t **ret)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/contacts?limit=50", admin, NULL, &r);
	size_t i;
	json_t *item;
	long long id = 0;
	json_array_foreach(json_object_get(r.json, "items"), i, item) {
		const char *s = json_string_value(json_object_get(item, "subject"));
		if (id == 0 && s && strncmp(s, prefix, strlen(prefix)) == 0) {
			id = json_integer_value(json_object_get(item, "id"));
			if (ret)
				*ret = json_incref(item);
		}
	}
	resp_clear(&r);
	return id;
}

static const char articles[] =
	"{\"id\":\"refund-delay\",\"kind\":\"article\",\"type\":\"answer\",\"lang\":\"fr\","
	"\"title\":\"Remboursement en retard\",\"body\":\"Un remboursement arrive sous cinq jours ouvrés.\","
	"\"tags\":[\"remboursement\"],\"replies\":[{\"name\":\"confirm\",\"text\":\"Bonjour,\\nvotre remboursement "
	"arrive sous cinq jours (dossier {{contact.id}}).\"},{\"name\":\"loyal\",\"text\":\"Cher {{customer.loyalty}}\"},"
	"{\"name\":\"address\",\"text\":\"Nous vous écrivons à {{customer.email}}.\"}]}\n"
	"{\"id\":\"wifi-reset\",\"kind\":\"article\",\"type\":\"answer\",\"lang\":\"fr\","
	"\"title\":\"Le wifi ne marche plus\",\"body\":\"Redémarrer la box règle le wifi qui ne marche plus.\","
	"\"tags\":[\"wifi\"],\"replies\":[{\"name\":\"restart\",\"text\":\"Bonjour, redémarrez votre box.\"}]}\n"
	"{\"id\":\"router-reboots\",\"kind\":\"article\",\"type\":\"answer\",\"lang\":\"en\","
	"\"title\":\"The router keeps rebooting\",\"body\":\"A router that keeps rebooting needs its firmware updated.\","
	"\"tags\":[\"router\"],\"replies\":[{\"name\":\"update\",\"text\":\"Hello, please update the firmware.\"}]}\n";

/* Rules give arriving mail its reason and queue (a level-2 queue for an
 * outage); the suggestion names the rule, or the knowledge's article when
 * no rule matches, with the canned reply filled; the reply goes out in one
 * action with the reason; bad rules, replies and other tenants are refused. */
static void rules_and_knowledge_answer_in_one_action(void **state)
{
	struct resp r;
	http_raw(&d, "POST", "/api/v1/kb/import?publish=1", admin, NULL, "application/x-ndjson", articles,
		 strlen(articles), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "experts"));
	long long experts = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "experts",
		"skill_id", (json_int_t)skill, "channel", "email", "level", 2));
	/* one rule through the CLI, from a file */
	char tokfile[160], file[160], *out = NULL, *err = NULL;
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	fputs(admin, f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/outage.json", d.dir);
	f = fopen(file, "w");
	fprintf(f, "{\"name\": \"outage\", \"reason\": \"network\", \"level\": 2, \"subject\": [\"panne\"],\n"
		   " \"queue_id\": %lld, \"position\": 1}\n", experts);
	fclose(f);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "rules", "add", file, NULL), 0);
	free(out);
	free(err);
	long long refund = post_id(&d, admin, "/api/v1/rules", json_pack("{s:s,s:s,s:[s,s],s:{s:s,s:s}}", "name",
		"refund", "reason", "refund", "subject", "remboursement", "refund", "reply", "article", "refund-delay",
		"name", "confirm"));
	assert_true(refund > 0);
	/* refused: a file that is not JSON (the line named), no condition, another tenant's queue */
	f = fopen(file, "w");
	fputs("{\"name\": \"x\",\n \"reason\": }\n", f);
	fclose(f);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "rules", "add", file, NULL), 2);
	assert_non_null(strstr(err, "line 2"));
	free(out);
	free(err);
	http_json(&d, "POST", "/api/v1/rules", admin, json_pack("{s:s,s:s}", "name", "n", "reason", "r"), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "subject");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/rules", admin, json_pack("{s:s,s:s,s:[s],s:i}", "name", "n",
		"reason", "r", "subject", "x", "queue_id", 999999)), 422);
	assert_int_equal(http_status(&d, "POST", "/api/v1/rules", admin, json_pack("{s:s,s:s,s:[s]}", "name",
		"refund", "reason", "r", "subject", "x")), 409);
	/* three mails: an outage, a refund, and one no rule knows */
	char *mails[4] = {
		message("k1@customer.example", NULL, "Dan <dan@customer.example>", "K1 Panne totale", "Plus rien."),
		message("k2@customer.example", NULL, "Eve <eve@customer.example>", "K2 Remboursement", "Pas reçu."),
		message("k3@customer.example", NULL, "Fay <fay@customer.example>", "K3 question",
			"Mon wifi ne marche plus depuis hier."),
		message("k4@customer.example", NULL, "Gus <gus@customer.example>", "K4 my router",
			"My router keeps rebooting since the storm."),
	};
	struct iovec v[4];
	for (int i = 0; i < 4; i++)
		v[i] = (struct iovec){mails[i], strlen(mails[i])};
	assert_int_equal(dovecot_deliver(&dc, "rules", "INBOX", v, 4), 0);
	add_mailbox_sending("rules", "rules", sink.url);
	assert_true(wait_count("K", 4, 20));
	json_t *c = NULL;
	long long outage = contact_with("K1", &c);
	assert_string_equal(json_string_value(json_object_get(c, "reason")), "network");
	assert_string_equal(json_string_value(json_object_get(c, "queue")), "experts");
	json_decref(c);
	long long refunded = contact_with("K2", &c);
	assert_string_equal(json_string_value(json_object_get(c, "reason")), "refund");
	assert_string_equal(json_string_value(json_object_get(c, "queue")), "mail");
	json_decref(c);
	long long wifi = contact_with("K3", &c);
	assert_true(json_is_null(json_object_get(c, "reason")));
	json_decref(c);
	/* suggestions: the level-2 rule has no reply; the refund rule's reply is filled */
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/suggestion", outage);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "source")), "rule");
	assert_int_equal(json_integer_value(json_object_get(r.json, "level")), 2);
	assert_true(json_is_null(json_object_get(r.json, "reply")));
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/suggestion", refunded);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "rule"), "name")), "refund");
	char want[160];
	snprintf(want, sizeof(want), "(dossier %lld)", refunded);
	const char *text = json_string_value(json_object_get(json_object_get(r.json, "reply"), "text"));
	assert_non_null(text);
	assert_non_null(strstr(text, want));
	resp_clear(&r);
	/* no rule: the knowledge's best article gives the reason (its first tag) and the reply */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/suggestion?lang=fr", wifi);
	http_json(&d, "GET", path, admin, NULL, &r);
	if (json_object_get(r.json, "source") == NULL || !json_is_string(json_object_get(r.json, "source")))
		fprintf(stderr, "suggestion without a source: %s\n", r.text);
	assert_string_equal(json_string_value(json_object_get(r.json, "source")), "knowledge");
	assert_string_equal(json_string_value(json_object_get(r.json, "reason")), "wifi");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "reply"), "article")), "wifi-reset");
	resp_clear(&r);
	/* no lang asked: the customer's words tell it (English here) */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/suggestion", contact_with("K4", NULL));
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "reply"), "article")),
			    "router-reboots");
	resp_clear(&r);
	/* one action: the canned reply goes out and the reason is set */
	snprintf(path, sizeof(path), "%lld", refunded);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "contacts", "reply", path, "--article", "refund-delay",
				 "--reason", "refund-late", NULL), 0);
	free(out);
	free(err);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", refunded);
	bool found = false;
	for (int i = 0; i < 200 && !found; i++) {
		struct smtpsink_message *got = NULL;
		size_t n = 0;
		if (smtpsink_messages(&sink, &got, &n) == 0)
			for (size_t k = 0; k < n; k++)
				found |= strstr(got[k].data, want) != NULL &&
					 strcmp(got[k].rcpt[0], "eve@customer.example") == 0;
		smtpsink_messages_free(got, n);
		if (!found)
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_true(found);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "reason")), "refund-late");
	resp_clear(&r);
	/* refused: both a body and an article, an unknown article or reply, a reply
	 * needing a value the contact has not */
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/email-reply", refunded);
	assert_int_equal(http_status(&d, "POST", path, admin, json_pack("{s:s,s:s}", "body", "x", "article",
		"refund-delay")), 400);
	http_json(&d, "POST", path, admin, json_pack("{s:s}", "article", "nothing"), &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "article");
	resp_clear(&r);
	http_json(&d, "POST", path, admin, json_pack("{s:s,s:s}", "article", "refund-delay", "reply", "none"), &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "reply");
	resp_clear(&r);
	http_json(&d, "POST", path, admin, json_pack("{s:s,s:s}", "article", "refund-delay", "reply", "loyal"), &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.text, "customer.loyalty"));
	resp_clear(&r);
	/* an outsourced agent sees only basic data: not the address a reply went
	 * to, and no reply showing personal data goes out in its name */
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "bpo@brand.example", "name", "Bpo",
		"password", PASSWORD, "role", "outsourced_agent"));
	char *bpo = login(&d, "bpo@brand.example", PASSWORD);
	http_json(&d, "POST", path, bpo, json_pack("{s:s,s:s}", "article", "refund-delay", "reply", "address"), &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "reply");
	assert_non_null(strstr(r.text, "customer.email"));
	assert_null(strstr(r.text, "eve@"));
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/email-replies", refunded);
	for (int who = 0; who < 2; who++) {
		http_json(&d, "GET", path, who ? bpo : admin, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1); /* the 403 queued nothing */
		assert_true((strstr(r.text, "eve@customer.example") != NULL) == (who == 0));
		resp_clear(&r);
	}
	free(bpo);
	/* another tenant sees neither the rules nor the suggestion */
	char *other = login(&d, "admin@other.example", PASSWORD);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/suggestion", refunded);
	assert_int_equal(http_status(&d, "GET", path, other, NULL), 404);
	snprintf(path, sizeof(path), "/api/v1/rules/%lld", refund);
	assert_int_equal(http_status(&d, "GET", path, other, NULL), 404);
	assert_int_equal(http_status(&d, "DELETE", path, other, NULL), 404);
	http_json(&d, "GET", "/api/v1/rules", other, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/rules", admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
								   "name")), "outage"); /* position 1 first */
	resp_clear(&r);
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 204);
	assert_int_equal(http_status(&d, "GET", path, admin, NULL), 404);
	free(other);
	for (int i = 0; i < 4; i++)
		free(mails[i]);
}

/* The routing states of the contacts whose subject starts with prefix:
 * how many are offered or assigned, and how many wait. */
static void routing_states(const char *prefix, long long ids[], int n, int *ret_held, int *ret_waiting)
{
	*ret_held = *ret_waiting = 0;
	for (int i = 0; i < n; i++) {
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/routing", ids[i]);
		struct resp r;
		http_json(&d, "GET", path, admin, NULL, &r);
		const char *st = json_string_value(json_object_get(r.json, "state"));
		*ret_held += st && (strcmp(st, "offered") == 0 || strcmp(st, "assigned") == 0);
		*ret_waiting += st && strcmp(st, "waiting") == 0;
		resp_clear(&r);
	}
}

/* An email is a contact routed by capacity: an agent who takes 5 emails at
 * once is offered 5 of 7, the other 2 wait, and the next is offered when
 * one is done; the customer's answer on the one done brings it back. */
static void emails_are_routed_by_capacity(void **state)
{
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "capacity"));
	long long q = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "capacity",
		"skill_id", (json_int_t)skill, "channel", "email", "wrapup_s", 0, "offer_timeout_s", 600));
	long long agent = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email",
		"agent@brand.example", "name", "Agent", "password", PASSWORD, "role", "agent"));
	char *token = login(&d, "agent@brand.example", PASSWORD);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", agent);
	assert_int_equal(http_status(&d, "PUT", path, admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1,
		"skills", "skill_id", (json_int_t)skill, "proficiency", 5, "capacity", "email", 5)), 200);
	assert_int_equal(http_status(&d, "POST", "/api/v1/agents/me/presence", token,
				     json_pack("{s:s}", "presence", "available")), 200);
	char *mails[7];
	struct iovec v[7];
	for (int i = 0; i < 7; i++) {
		char id[64], subject[32];
		snprintf(id, sizeof(id), "cap%d@customer.example", i);
		snprintf(subject, sizeof(subject), "C%d order", i);
		mails[i] = message(id, NULL, "Gil <gil@customer.example>", subject, "Where is it?");
		v[i] = (struct iovec){mails[i], strlen(mails[i])};
	}
	assert_int_equal(dovecot_deliver(&dc, "cap", "INBOX", v, 7), 0);
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX", dc.url);
	post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "name", "cap", "address",
		"orders@brand.example", "imap_url", url, "username", "cap", "password", "imap-pw", "queue_id",
		(json_int_t)q));
	assert_true(wait_count("C", 7, 20));
	long long ids[7];
	for (int i = 0; i < 7; i++) {
		char prefix[8];
		snprintf(prefix, sizeof(prefix), "C%d ", i);
		ids[i] = contact_with(prefix, NULL);
		assert_true(ids[i] > 0);
	}
	int held = 0, waiting = 0;
	for (int i = 0; i < 100 && held < 5; i++) {
		routing_states("C", ids, 7, &held, &waiting);
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	nanosleep(&(struct timespec){.tv_nsec = 300000000}, NULL); /* and no more come */
	routing_states("C", ids, 7, &held, &waiting);
	assert_int_equal(held, 5);
	assert_int_equal(waiting, 2);
	/* the agent accepts what was offered, finishes one: the next is offered */
	long long done = 0;
	for (int i = 0; i < 7; i++) {
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", ids[i]);
		if (http_status(&d, "POST", path, token, NULL) == 200 && done == 0)
			done = ids[i];
	}
	assert_true(done > 0);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/wrapup", done);
	assert_int_equal(http_status(&d, "POST", path, token, json_pack("{s:s}", "disposition", "answered")), 200);
	for (int i = 0; i < 100 && waiting > 1; i++) {
		routing_states("C", ids, 7, &held, &waiting);
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_int_equal(waiting, 1);
	assert_int_equal(held, 5);
	/* the customer's out-of-office answers the agent's reply: kept with the
	 * contact, which stays resolved (nobody answered anything) */
	int k = 0;
	while (ids[k] != done)
		k++;
	char answered[64], *again = NULL, *away = NULL;
	snprintf(answered, sizeof(answered), "cap%d@customer.example", k);
	assert_true(asprintf(&away, "From: Gil <gil@customer.example>\r\nTo: support@brand.example\r\n"
				    "Subject: Automatic reply: it still does not work\r\nMessage-ID: <cap-away@customer.example>\r\n"
				    "In-Reply-To: <%s>\r\nAuto-Submitted: auto-replied\r\nDate: Tue, 01 Dec 2026 09:00:00 +0100\r\n"
				    "Content-Type: text/plain; charset=utf-8\r\n\r\nAway until Monday.\r\n", answered) > 0);
	struct iovec oof = {away, strlen(away)};
	assert_int_equal(dovecot_deliver(&dc, "cap", "INBOX", &oof, 1), 0);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", done);
	bool kept = false;
	for (int i = 0; i < 200 && !kept; i++) {
		struct resp r;
		http_json(&d, "GET", path, admin, NULL, &r);
		json_t *msgs = json_object_get(r.json, "messages");
		kept = strstr(json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1), "body"))
				      ?: "", "Away until Monday") != NULL;
		if (kept)
			assert_string_equal(json_string_value(json_object_get(r.json, "state")), "resolved");
		resp_clear(&r);
		if (!kept)
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_true(kept);
	free(away);
	/* the customer writes again on the resolved one: it comes back to the queue, and waits its turn */
	again = message("cap-again@customer.example", answered, "Gil <gil@customer.example>", "Re: it still does not work",
			"Nothing came.");
	struct iovec more = {again, strlen(again)};
	assert_int_equal(dovecot_deliver(&dc, "cap", "INBOX", &more, 1), 0);
	char now[32] = "";
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", done);
	for (int i = 0; i < 200 && strcmp(now, "queued") != 0; i++) {
		struct resp r;
		http_json(&d, "GET", path, admin, NULL, &r);
		snprintf(now, sizeof(now), "%s", json_string_value(json_object_get(r.json, "state")));
		resp_clear(&r);
		if (strcmp(now, "queued") != 0)
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_string_equal(now, "queued");
	routing_states("C", ids, 7, &held, &waiting);
	assert_int_equal(waiting, 2); /* the agent's five places are taken */
	free(again);
	free(token);
	for (int i = 0; i < 7; i++)
		free(mails[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mail_becomes_contacts_once),
		cmocka_unit_test(a_reply_goes_out_and_its_answer_comes_back),
		cmocka_unit_test(rules_and_knowledge_answer_in_one_action),
		cmocka_unit_test(emails_are_routed_by_capacity),
		cmocka_unit_test(a_kill_in_the_middle_takes_each_message_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
