/* Proactive incidents' broadcasts end to end, on the run's engine, against
 * Postfix's smtp-sink (smtpsink.c; Dovecot only because a mailbox needs an
 * IMAP side): an incident's audience by attribute gets the declaration, an
 * update and the resolution once each, in each customer's language, the
 * customer who opted out and those outside the audience nothing; bad input
 * (an unknown channel, empty or unknown templates, a second declaration or
 * resolution) is refused naming the field; a new contact of an affected
 * customer is linked to the incident and shows it; the report counts the
 * linked contacts and the mail sent. Then a 500-customer broadcast walked
 * 100 a second, the daemon (and PostgreSQL) killed in the middle of the
 * walk, restarted: every customer got the declaration exactly once, counted
 * at smtp-sink. By SMS through the tenant's SMS channel (a provider's
 * stand-in, provider.c), the customers with a phone first, the others by
 * email. */
#include "harness.h"
#include "dovecot.h"
#include "provider.h"
#include "smtpsink.h"
#include "channel/messaging/generic.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASSWORD "broadcast pass"
#define BULK 500

static struct daemon d;
static struct dovecot dc;
static struct smtpsink sink;
static char *admin;

static int setup(void **state)
{
	static const char *const users[] = {"news:imap-pw", NULL};
	if (dovecot_start(&dc, users) != 0 || smtpsink_start(&sink) != 0)
		return -1;
	if (daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX", dc.url);
	return post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name", "news",
		"address", "news@brand.example", "imap_url", url, "username", "news", "password", "imap-pw",
		"smtp_url", sink.url)) > 0 ? 0 : -1;
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

static long long customer(const char *email, const char *lang, const char *product, const char *opt_out)
{
	json_t *attrs = json_pack("{s:s,s:s,s:s}", "name", email, "lang", lang, "product", product);
	if (opt_out)
		json_object_set_new(attrs, "incident_messages", json_string(opt_out));
	return post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:o}", "email", email, "attributes", attrs));
}

static long long incident(const char *title)
{
	return post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:b}", "kind", "incident", "title", title,
		"published", 1));
}

static void expect(const char *method, const char *path, json_t *body, int status, const char *field)
{
	struct resp r;
	http_json(&d, method, path, admin, body, &r);
	if (r.status != status)
		fprintf(stderr, "%s %s: %d %s\n", method, path, r.status, r.text ? r.text : "");
	assert_int_equal(r.status, status);
	if (field)
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), field);
	resp_clear(&r);
}

static json_t *templates(void)
{
	return json_pack("{s:{s:{s:s,s:s},s:{s:s,s:s}},s:{s:{s:s,s:s},s:{s:s,s:s}},s:{s:{s:s,s:s},s:{s:s,s:s}}}",
		"declaration",
		"en", "subject", "Outage: {{incident.title}}", "body", "Hello {{customer.name}}, we know since {{incident.since}}.",
		"fr", "subject", "Panne en cours: {{incident.title}}", "body", "Bonjour {{customer.name}}, nous savons.",
		"update",
		"en", "subject", "Update: {{incident.title}}", "body", "News: {{update.text}}",
		"fr", "subject", "Point: {{incident.title}}", "body", "Nouvelles: {{update.text}}",
		"resolution",
		"en", "subject", "Resolved: {{incident.title}}", "body", "It works again.",
		"fr", "subject", "Retabli: {{incident.title}}", "body", "Tout remarche.");
}

/* Every message smtp-sink kept, once it holds at least n (and a moment more for any extra). */
static int received(size_t n, int timeout_ms, struct smtpsink_message **ret, size_t *ret_n)
{
	if (smtpsink_wait(&sink, n, timeout_ms) != 0)
		return -1;
	nanosleep(&(struct timespec){.tv_sec = 3}, NULL); /* three walks: nothing more may come */
	int got = -1; /* smtp-sink may still be writing the file it counted */
	for (int i = 0; i < 50 && (got = smtpsink_messages(&sink, ret, ret_n)) != 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	return got;
}

/* How many messages of broadcast seq of incident went to rcpt; *ret the last. */
static size_t count_to(const struct smtpsink_message *m, size_t n, long long incident_id, int seq, const char *rcpt,
		       const struct smtpsink_message **ret)
{
	char tag[64];
	snprintf(tag, sizeof(tag), "guichet.incident.1.%lld.%d.", incident_id, seq);
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].n_rcpt == 1 && strcmp(m[i].rcpt[0], rcpt) == 0 && strstr(m[i].data, tag)) {
			count++;
			if (ret)
				*ret = &m[i];
		}
	return count;
}

static void bad_input_is_refused_naming_the_field(long long id)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/templates", id);
	expect("PUT", path, json_object(), 400, "templates");
	expect("PUT", path, json_pack("{s:{s:{s:s,s:s}}}", "declaration", "de", "subject", "x", "body", "y"), 400,
	       "declaration");
	expect("PUT", path, json_pack("{s:{s:{s:s,s:s}}}", "declaration", "en", "subject", "", "body", "y"), 400,
	       "declaration.en");
	expect("PUT", path, json_pack("{s:{s:{s:s,s:s}}}", "declaration", "en", "subject", "x", "body",
				      "{{customer.iban}}"), 400, "declaration.en");
	expect("PUT", path, json_pack("{s:{s:{s:s,s:s}}}", "rumour", "en", "subject", "x", "body", "y"), 400, "rumour");
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/broadcasts", id);
	expect("POST", path, json_pack("{s:s}", "kind", "declaration"), 409, "templates"); /* none yet */
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/audience", id);
	expect("PUT", path, json_pack("{s:[I]}", "customers", (json_int_t)999999), 400, "customers");
	expect("PUT", path, json_pack("{s:b,s:{s:s,s:s}}", "all", 1, "attribute", "key", "a", "value", "b"), 400,
	       "audience");
}

/* An audience by an attribute the caller's role may not see would tell
 * them which customers hold which value (a contact of such a customer
 * names the incident): refused (403 naming attribute), as a search by it is. */
static void an_audience_by_a_hidden_attribute_is_refused(void **state)
{
	struct resp r;
	http_expect(&d, "PATCH", admin, 200, json_pack("{s:{s:s}}", "attributes", "iban", "confidential"), &r,
		    "/api/v1/customer-attributes%.0lld", 0LL);
	resp_clear(&r);
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "sup@brand.example", "name", "Sup",
		"password", PASSWORD, "role", "supervisor"));
	char *sup = login(&d, "sup@brand.example", PASSWORD);
	long long id = incident("Cards refused");
	http_expect(&d, "PUT", sup, 403, json_pack("{s:{s:s,s:s}}", "attribute", "key", "iban", "value", "FR76 1"), &r,
		    "/api/v1/incidents/%lld/audience", id);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "attribute");
	resp_clear(&r);
	http_expect(&d, "PUT", sup, 200, json_pack("{s:{s:s,s:s}}", "attribute", "key", "product", "value", "fibre"), &r,
		    "/api/v1/incidents/%lld/audience", id);
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:{s:s,s:s}}", "attribute", "key", "iban", "value", "FR76 1"), &r,
		    "/api/v1/incidents/%lld/audience", id); /* the admin sees it */
	resp_clear(&r);
	free(sup);
}

static void broadcast_tells_each_customer_once_in_their_language(void **state)
{
	long long ann = customer("ann@customer.example", "en", "fibre", NULL);
	long long bea = customer("bea@customer.example", "fr", "fibre", NULL);
	customer("carl@customer.example", "en", "fibre", "no");
	long long dan = customer("dan@customer.example", "en", "adsl", NULL);
	long long id = incident("Fibre down in Lyon");
	char audience[96], tmpl[96], cast[96], report[96];
	snprintf(audience, sizeof(audience), "/api/v1/incidents/%lld/audience", id);
	snprintf(tmpl, sizeof(tmpl), "/api/v1/incidents/%lld/templates", id);
	snprintf(cast, sizeof(cast), "/api/v1/incidents/%lld/broadcasts", id);
	snprintf(report, sizeof(report), "/api/v1/incidents/%lld/report", id);
	expect("POST", cast, json_pack("{s:s}", "kind", "declaration"), 409, "audience");
	expect("PUT", audience, json_pack("{s:{s:s,s:s}}", "attribute", "key", "product", "value", "fibre"), 200, NULL);
	bad_input_is_refused_naming_the_field(id);
	expect("PUT", tmpl, templates(), 200, NULL);
	/* no SMS channel yet: an SMS broadcast cannot go */
	expect("POST", cast, json_pack("{s:s,s:[s]}", "kind", "declaration", "channels", "sms"), 409, "channels");
	expect("POST", cast, json_pack("{s:s,s:[s,s]}", "kind", "declaration", "channels", "email", "email"), 400,
	       "channels");
	expect("POST", cast, json_pack("{s:s,s:[s]}", "kind", "declaration", "channels", "pigeon"), 400, "channels");
	expect("POST", cast, json_pack("{s:s}", "kind", "rumour"), 400, "kind");
	expect("POST", cast, json_pack("{s:s}", "kind", "update"), 400, "text");
	expect("POST", cast, json_pack("{s:s,s:i}", "kind", "declaration", "rate_per_minute", 0), 400, "rate_per_minute");
	expect("POST", cast, json_pack("{s:s}", "kind", "declaration"), 202, NULL);
	expect("POST", cast, json_pack("{s:s}", "kind", "declaration"), 409, "kind");

	struct smtpsink_message *got = NULL;
	size_t n = 0;
	const struct smtpsink_message *m = NULL;
	assert_int_equal(received(2, 30000, &got, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(count_to(got, n, id, 1, "ann@customer.example", &m), 1);
	assert_non_null(strstr(m->data, "Outage: Fibre down in Lyon"));
	assert_non_null(strstr(m->data, "Hello ann@customer.example"));
	assert_int_equal(count_to(got, n, id, 1, "bea@customer.example", &m), 1);
	assert_non_null(strstr(m->data, "Panne en cours: Fibre down in Lyon"));
	smtpsink_messages_free(got, n);

	/* a new contact of an affected customer is linked; one of another is not */
	struct resp r;
	http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:I,s:s}", "channel", "email", "customer_id",
		  (json_int_t)ann, "subject", "my line is dead"), &r);
	assert_int_equal(r.status, 201);
	long long contact = resp_int(&r, "id");
	resp_clear(&r);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", contact);
	http_json(&d, "GET", path, admin, NULL, &r);
	json_t *linked = json_object_get(r.json, "incidents");
	assert_int_equal(json_array_size(linked), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(linked, 0), "id")), id);
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:I,s:s}", "channel", "email", "customer_id",
		  (json_int_t)dan, "subject", "a question"), &r);
	assert_int_equal(r.status, 201);
	assert_int_equal(json_array_size(json_object_get(r.json, "incidents")), 0);
	resp_clear(&r);

	expect("POST", cast, json_pack("{s:s,s:s}", "kind", "update", "text", "Engineers on site"), 202, NULL);
	assert_int_equal(received(4, 30000, &got, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(count_to(got, n, id, 2, "ann@customer.example", &m), 1);
	assert_non_null(strstr(m->data, "News: Engineers on site"));
	assert_int_equal(count_to(got, n, id, 2, "bea@customer.example", &m), 1);
	assert_non_null(strstr(m->data, "Nouvelles: Engineers on site"));
	smtpsink_messages_free(got, n);

	expect("POST", cast, json_pack("{s:s}", "kind", "resolution"), 202, NULL);
	expect("POST", cast, json_pack("{s:s}", "kind", "resolution"), 409, "kind");
	expect("POST", cast, json_pack("{s:s,s:s}", "kind", "update", "text", "late"), 409, "kind");
	assert_int_equal(received(6, 30000, &got, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(count_to(got, n, id, 3, "ann@customer.example", &m), 1);
	assert_non_null(strstr(m->data, "Resolved: Fibre down in Lyon"));
	assert_int_equal(count_to(got, n, id, 3, "bea@customer.example", NULL), 1);
	for (int seq = 1; seq <= 3; seq++) {
		assert_int_equal(count_to(got, n, id, seq, "carl@customer.example", NULL), 0);
		assert_int_equal(count_to(got, n, id, seq, "dan@customer.example", NULL), 0);
	}
	smtpsink_messages_free(got, n);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld", id);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_true(json_is_string(json_object_get(r.json, "ended_at"))); /* the resolution ended it */
	resp_clear(&r);

	/* the report: the linked contact, per broadcast 2 sent and 1 opted out */
	http_json(&d, "GET", report, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "contacts_linked"), 1);
	assert_true(resp_int(&r, "contacts_during") >= 2);
	size_t i, sent = 0, opted = 0;
	json_t *row;
	json_array_foreach(json_object_get(r.json, "broadcasts"), i, row) {
		const char *st = json_string_value(json_object_get(row, "state"));
		long long c = json_integer_value(json_object_get(row, "count"));
		sent += strcmp(st, "sent") == 0 ? (size_t)c : 0;
		opted += strcmp(st, "skipped_opt_out") == 0 ? (size_t)c : 0;
	}
	assert_int_equal(sent, 6);
	assert_int_equal(opted, 3);
	resp_clear(&r);
	(void)bea;

	/* the CLI: the report and the broadcasts; an audience it cannot read names its options */
	char tokfile[160], ids[32], *out = NULL, *err = NULL;
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	assert_non_null(f);
	fputs(admin, f);
	fclose(f);
	snprintf(ids, sizeof(ids), "%lld", id);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "incident", "report", ids, NULL), 0);
	assert_non_null(strstr(out, "contacts_linked"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "incident", "broadcasts", ids, NULL), 0);
	assert_non_null(strstr(out, "resolution"));
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, tokfile, &out, &err, "incident", "broadcast", ids, "update", "--text", "x",
				     "--channel", "email", "--channel", "pigeon", NULL), 0);
	assert_non_null(strstr(err, "pigeon"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "incident", "audience", ids, "--customers", "1,x", NULL), 2);
	assert_non_null(strstr(err, "--attribute KEY=VALUE"));
	free(out);
	free(err);
}

static long long planned(const char *cast, bool *ret_done)
{
	struct resp r;
	http_json(&d, "GET", cast, admin, NULL, &r);
	json_t *b = json_array_get(json_object_get(r.json, "broadcasts"), 0);
	long long n = json_integer_value(json_object_get(b, "planned"));
	*ret_done = json_is_true(json_object_get(b, "done"));
	resp_clear(&r);
	return n;
}

/* The rows of the incident's report for broadcast seq on channel in state. */
static long long report_count(long long id, int seq, const char *channel, const char *state_name)
{
	struct resp r;
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/report", id);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	size_t i;
	json_t *row;
	long long n = 0;
	json_array_foreach(json_object_get(r.json, "broadcasts"), i, row)
		if (json_integer_value(json_object_get(row, "seq")) == seq &&
		    strcmp(json_string_value(json_object_get(row, "channel")), channel) == 0 &&
		    strcmp(json_string_value(json_object_get(row, "state")), state_name) == 0)
			n += json_integer_value(json_object_get(row, "count"));
	resp_clear(&r);
	return n;
}

/* By SMS first, else by email: each customer gets one message per
 * broadcast on the first of its channels they have an address on, the
 * SMS through the tenant's SMS channel to the provider; an incident's SMS
 * to a customer share one contact, resolved, on the customer's timeline. */
static void sms_broadcasts_go_first_to_customers_with_a_phone(void **state)
{
	struct provider prov;
	assert_int_equal(provider_start(&prov), 0);
	struct resp r;
	http_json(&d, "POST", "/api/v1/channels/messaging", admin, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name",
		  "texts", "provider", "generic", "kind", "sms", "public_url", d.url, "api_url", prov.url, "address",
		  "+33612340100", "secret", "sms-secret"), &r);
	assert_int_equal(r.status, 201);
	resp_clear(&r);
	json_t *attrs = json_pack("{s:s,s:s,s:s}", "name", "Eve", "lang", "en", "product", "tv");
	long long eve = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:s,s:o}", "email", "eve@customer.example",
		"phone", "+33612340201", "attributes", attrs));
	attrs = json_pack("{s:s,s:s,s:s}", "name", "Fay", "lang", "en", "product", "tv");
	post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:o}", "email", "fay@customer.example", "attributes", attrs));
	attrs = json_pack("{s:s,s:s,s:s}", "name", "Gus", "lang", "fr", "product", "tv");
	post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:o}", "phone", "+33612340202", "attributes", attrs));
	long long id = incident("TV down");
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/audience", id);
	expect("PUT", path, json_pack("{s:{s:s,s:s}}", "attribute", "key", "product", "value", "tv"), 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/templates", id);
	expect("PUT", path, templates(), 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/broadcasts", id);
	http_json(&d, "POST", path, admin, json_pack("{s:s,s:[s,s]}", "kind", "declaration", "channels", "sms", "email"),
		  &r);
	assert_int_equal(r.status, 202);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "channels"), 0)), "sms");
	resp_clear(&r);
	/* Eve and Gus by SMS, in their language; Fay, with no phone, by email */
	assert_true(provider_wait(&prov, 2, 30000));
	bool to_eve = false, to_gus = false;
	for (int i = 0; i < 2; i++) {
		struct provider_request q = provider_get(&prov, i);
		json_t *sent = json_loads(q.body, 0, NULL);
		const char *to = json_string_value(json_object_get(sent, "to"));
		const char *text = json_string_value(json_object_get(sent, "text"));
		if (to && strcmp(to, "+33612340201") == 0)
			to_eve = text && strcmp(text, "Outage: TV down") == 0;
		if (to && strcmp(to, "+33612340202") == 0)
			to_gus = text && strcmp(text, "Panne en cours: TV down") == 0;
		json_decref(sent);
	}
	assert_true(to_eve);
	assert_true(to_gus);
	struct smtpsink_message *got = NULL;
	size_t n = 0;
	assert_int_equal(smtpsink_wait(&sink, 1, 30000), 0);
	nanosleep(&(struct timespec){.tv_sec = 3}, NULL); /* three walks: nothing more may come */
	assert_int_equal(smtpsink_messages(&sink, &got, &n), 0);
	assert_int_equal(count_to(got, n, id, 1, "fay@customer.example", NULL), 1);
	assert_int_equal(count_to(got, n, id, 1, "eve@customer.example", NULL), 0);
	smtpsink_messages_free(got, n);
	/* an update by SMS only: Fay has no phone */
	http_json(&d, "POST", path, admin, json_pack("{s:s,s:s,s:[s]}", "kind", "update", "text", "Back at 6 pm",
		  "channels", "sms"), &r);
	assert_int_equal(r.status, 202);
	resp_clear(&r);
	assert_true(provider_wait(&prov, 4, 30000));
	nanosleep(&(struct timespec){.tv_sec = 2}, NULL);
	assert_int_equal(provider_count(&prov), 4);
	assert_int_equal(report_count(id, 1, "sms", "sent") + report_count(id, 1, "sms", "delivered"), 2);
	assert_int_equal(report_count(id, 1, "email", "sent"), 1);
	assert_int_equal(report_count(id, 2, "sms", "sent") + report_count(id, 2, "sms", "delivered"), 2);
	assert_int_equal(report_count(id, 2, "none", "skipped_no_address"), 1);
	/* the notices' contacts are guichet's: no customer has called, so the report counts none */
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/report", id);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "contacts_linked"), 0);
	assert_int_equal(resp_int(&r, "contacts_during"), 0);
	resp_clear(&r);
	/* Eve's two SMS are on one contact, resolved, linked to the incident */
	char list[96];
	snprintf(list, sizeof(list), "/api/v1/contacts?customer_id=%lld", eve);
	http_json(&d, "GET", list, admin, NULL, &r);
	json_t *items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 1);
	json_t *c = json_array_get(items, 0);
	assert_string_equal(json_string_value(json_object_get(c, "channel")), "sms");
	assert_string_equal(json_string_value(json_object_get(c, "state")), "resolved");
	long long contact = json_integer_value(json_object_get(c, "id"));
	resp_clear(&r);
	snprintf(list, sizeof(list), "/api/v1/contacts/%lld", contact);
	http_json(&d, "GET", list, admin, NULL, &r);
	json_t *messages = json_object_get(r.json, "messages");
	assert_int_equal(json_array_size(messages), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 1), "body")), "Update: TV down");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "incidents"), 0), "id")),
			 id);
	resp_clear(&r);
	provider_stop(&prov);
}

/* An incident's keywords: a new contact whose subject or first message
 * mentions one (folded, stemmed, French or English) is linked to it,
 * whoever its customer, while the incident is current. */
static void contacts_mentioning_an_incident_are_linked(void **state)
{
	struct resp r;
	expect("POST", "/api/v1/incidents", json_pack("{s:s,s:s,s:s}", "kind", "incident", "title", "x", "keywords", "fibre"),
	       400, "keywords");
	expect("POST", "/api/v1/incidents", json_pack("{s:s,s:s,s:[s]}", "kind", "incident", "title", "x", "keywords", ""),
	       400, "keywords");
	expect("POST", "/api/v1/incidents", json_pack("{s:s,s:s,s:[s]}", "kind", "announcement", "title", "x", "keywords",
	       "fibre"), 400, "keywords");
	long long id = post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:b,s:[s,s]}", "kind", "incident",
		"title", "Fibre cut in Lyon", "published", 1, "keywords", "fibre lyon", "panne internet"));
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld", id);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "keywords")), 2);
	resp_clear(&r);
	static const struct {
		const char *subject, *message;
		bool linked;
	} cases[] = {
		{"Plus de FIBRE à Lyon ?", NULL, true},
		{"Question", "encore une pannes d'internet ce matin", true},
		{"Ma facture", "la fibre marche très bien", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *body = json_pack("{s:s,s:s}", "channel", "email", "subject", cases[i].subject);
		if (cases[i].message)
			json_object_set_new(body, "message", json_string(cases[i].message));
		http_json(&d, "POST", "/api/v1/contacts", admin, body, &r);
		assert_int_equal(r.status, 201);
		json_t *linked = json_object_get(r.json, "incidents");
		assert_int_equal(json_array_size(linked), cases[i].linked ? 1 : 0);
		if (cases[i].linked)
			assert_int_equal(json_integer_value(json_object_get(json_array_get(linked, 0), "id")), id);
		resp_clear(&r);
	}
	/* ended: no longer current, nothing is linked to it */
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/end", id);
	expect("POST", path, NULL, 200, NULL);
	/* the CLI takes keywords too */
	char tokfile[300], *out = NULL, *err = NULL;
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	assert_non_null(f);
	fputs(admin, f);
	fclose(f);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "--json", "incident", "add", "--title", "Mobile outage", "--keyword",
				 "reseau mobile", "--keyword", "pas de 4g", "--publish", NULL), 0);
	json_t *made = json_loads(out, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(made, "keywords")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(made, "keywords"), 1)), "pas de 4g");
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/end", (long long)json_integer_value(json_object_get(made, "id")));
	json_decref(made);
	free(out);
	free(err);
	expect("POST", path, NULL, 200, NULL);
	http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:s}", "channel", "email", "subject",
		  "fibre coupée à Lyon"), &r);
	assert_int_equal(r.status, 201);
	assert_int_equal(json_array_size(json_object_get(r.json, "incidents")), 0);
	resp_clear(&r);
}

/* A customer's account on a social network, which only a message they sent
 * gives: a broadcast by social message goes to the account they last wrote
 * from, on that channel; those without one get the next channel. */
static void social_broadcasts_reach_the_account_a_customer_wrote_from(void **state)
{
	struct provider prov;
	assert_int_equal(provider_start(&prov), 0);
	struct resp r;
	long long jo = customer("jo@customer.example", "en", "radio", NULL);
	long long id = incident("Radio silent");
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/templates", id);
	expect("PUT", path, templates(), 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/audience", id);
	expect("PUT", path, json_pack("{s:[I]}", "customers", (json_int_t)jo), 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/broadcasts", id);
	/* no social channel yet: refused, naming the field; an unknown channel too */
	expect("POST", path, json_pack("{s:s,s:[s]}", "kind", "declaration", "channels", "social"), 409, "channels");
	expect("POST", path, json_pack("{s:s,s:[s]}", "kind", "declaration", "channels", "fax"), 400, "channels");
	http_json(&d, "POST", "/api/v1/channels/messaging", admin, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name",
		  "social", "provider", "generic", "kind", "social", "public_url", d.url, "api_url", prov.url, "address",
		  "@brand", "secret", "social-secret"), &r);
	assert_int_equal(r.status, 201);
	char hook[160];
	snprintf(hook, sizeof(hook), "/hooks/v1/messaging/%s", json_string_value(json_object_get(r.json, "public_key")));
	resp_clear(&r);
	/* Hal writes from @hal: guichet knows Hal by that account only */
	const char *msg = "{\"id\":\"s-1\",\"from\":\"@hal\",\"to\":\"@brand\",\"text\":\"Is the radio down?\"}";
	char stamp[32], sig[GENERIC_SIGNATURE_LEN], headers[256];
	snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
	assert_int_equal(generic_signature("social-secret", stamp, msg, strlen(msg), sig), 0);
	snprintf(headers, sizeof(headers), "X-Guichet-Timestamp: %s\nX-Guichet-Signature: %s", stamp, sig);
	http_raw_headers(&d, "POST", hook, NULL, headers, msg, &r);
	assert_int_equal(r.status, 200);
	long long asked = resp_int(&r, "contact_id");
	resp_clear(&r);
	char got_path[96];
	snprintf(got_path, sizeof(got_path), "/api/v1/contacts/%lld", asked);
	http_json(&d, "GET", got_path, admin, NULL, &r);
	long long hal = json_integer_value(json_object_get(r.json, "customer_id"));
	resp_clear(&r);
	assert_true(hal > 0);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/audience", id);
	expect("PUT", path, json_pack("{s:[I,I]}", "customers", (json_int_t)jo, (json_int_t)hal), 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/broadcasts", id);
	http_json(&d, "POST", path, admin, json_pack("{s:s,s:[s,s]}", "kind", "declaration", "channels", "social", "email"),
		  &r);
	assert_int_equal(r.status, 202);
	resp_clear(&r);
	/* Hal by social message to @hal; Jo, who never wrote there, by email */
	assert_true(provider_wait(&prov, 1, 30000));
	struct provider_request q = provider_get(&prov, 0);
	json_t *sent = json_loads(q.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(sent, "to")), "@hal");
	assert_string_equal(json_string_value(json_object_get(sent, "text")), "Outage: Radio silent");
	json_decref(sent);
	struct smtpsink_message *got = NULL;
	size_t n = 0, to_jo = 0;
	for (int tries = 0; to_jo == 0 && tries < 300; tries++) {
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
		assert_int_equal(smtpsink_messages(&sink, &got, &n), 0);
		to_jo = count_to(got, n, id, 1, "jo@customer.example", NULL);
		smtpsink_messages_free(got, n);
	}
	assert_int_equal(to_jo, 1);
	nanosleep(&(struct timespec){.tv_sec = 2}, NULL); /* two walks: nothing more may come */
	assert_int_equal(provider_count(&prov), 1);
	assert_int_equal(smtpsink_messages(&sink, &got, &n), 0);
	assert_int_equal(count_to(got, n, id, 1, "jo@customer.example", NULL), 1);
	smtpsink_messages_free(got, n);
	assert_int_equal(report_count(id, 1, "social", "sent") + report_count(id, 1, "social", "delivered"), 1);
	assert_int_equal(report_count(id, 1, "email", "sent"), 1);
	/* the notice is a resolved social contact of Hal's, beside the one Hal opened */
	char list[96];
	snprintf(list, sizeof(list), "/api/v1/contacts?customer_id=%lld", hal);
	http_json(&d, "GET", list, admin, NULL, &r);
	json_t *items = json_object_get(r.json, "items"), *c;
	size_t i;
	int notices = 0;
	json_array_foreach(items, i, c)
		notices += json_integer_value(json_object_get(c, "id")) != asked &&
			   strcmp(json_string_value(json_object_get(c, "channel")), "social") == 0 &&
			   strcmp(json_string_value(json_object_get(c, "state")), "resolved") == 0;
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(notices, 1);
	resp_clear(&r);
	provider_stop(&prov);
}

static void broadcast_interrupted_by_kill9_reaches_everyone_once(void **state)
{
	size_t cap = BULK * 64 + 64, len = 0;
	char *csv = malloc(cap);
	len += (size_t)snprintf(csv, cap, "external_id,email,lang,product\n");
	for (int i = 0; i < BULK; i++)
		len += (size_t)snprintf(csv + len, cap - len, "BULK-%d,bulk%d@customer.example,%s,bulk\n", i, i,
					i % 3 ? "en" : "fr");
	struct resp r;
	http_raw(&d, "POST", "/api/v1/customers/import", admin, NULL, "text/csv", csv, len, &r);
	free(csv);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "inserted"), BULK);
	resp_clear(&r);
	long long id = incident("Mass outage");
	char path[96], cast[96];
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/audience", id);
	expect("PUT", path, json_pack("{s:{s:s,s:s}}", "attribute", "key", "product", "value", "bulk"), 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/templates", id);
	expect("PUT", path, templates(), 200, NULL);
	long long before = smtpsink_count(&sink);

	/* the receiver stopped: nothing is delivered before the crash, so what
	 * is counted after is the walk's doing, not a mail in flight sent twice */
	assert_int_equal(kill(smtpsink_pid(&sink), SIGSTOP), 0);
	snprintf(cast, sizeof(cast), "/api/v1/incidents/%lld/broadcasts", id);
	expect("POST", cast, json_pack("{s:s,s:i}", "kind", "declaration", "rate_per_minute", 6000), 202, NULL);
	bool done = false;
	long long mid = 0;
	for (int tries = 0; mid == 0 && tries < 300; tries++) { /* the first walk, however loaded the machine */
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
		mid = planned(cast, &done);
	}
	fprintf(stderr, "# planned %lld of %d at the crash\n", mid, BULK);
	assert_true(mid > 0 && mid < BULK);
	assert_false(done);
	assert_int_equal(daemon_crash(&d), 0);
	assert_int_equal(kill(smtpsink_pid(&sink), SIGCONT), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);

	/* mails marked sending at the crash go again after the outbox's backoff (30 s) */
	struct smtpsink_message *got = NULL;
	size_t n = 0;
	assert_int_equal(received((size_t)before + BULK, 120000, &got, &n), 0);
	assert_int_equal(n, (size_t)before + BULK);
	size_t once = 0;
	for (int i = 0; i < BULK; i++) {
		char rcpt[64];
		snprintf(rcpt, sizeof(rcpt), "bulk%d@customer.example", i);
		size_t c = count_to(got, n, id, 1, rcpt, NULL);
		if (c != 1)
			fprintf(stderr, "# %s got %zu\n", rcpt, c);
		once += c == 1;
	}
	assert_int_equal(once, BULK);
	smtpsink_messages_free(got, n);
	assert_int_equal(planned(cast, &done), BULK);
	assert_true(done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_audience_by_a_hidden_attribute_is_refused),
		cmocka_unit_test(broadcast_tells_each_customer_once_in_their_language),
		cmocka_unit_test(sms_broadcasts_go_first_to_customers_with_a_phone),
		cmocka_unit_test(social_broadcasts_reach_the_account_a_customer_wrote_from),
		cmocka_unit_test(contacts_mentioning_an_incident_are_linked),
		cmocka_unit_test(broadcast_interrupted_by_kill9_reaches_everyone_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
