/* Reads that arrive together go to the database together (http.c's
 * batches, store_contact_get_texts; on PostgreSQL one statement per tenant
 * among them): many clients at once on one worker, two tenants' contacts
 * asked in any order, each answer is its own request's, with its own
 * messages (none, one, two) and incidents, and another tenant's contact
 * stays 404 even in a batch it shares; /metrics shows batches of more than
 * one. On both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PASSWORD "correct horse"
#define CONTACTS 30   /* per tenant */
#define CLIENTS 16
#define ASKS 80       /* per client */

static struct daemon d;
static char *token[2];            /* tenant A's admin (a platform admin), tenant B's */
static long long ids[2][CONTACTS];

static int group_setup(void **state)
{
	if (daemon_init(&d, "brand-a", "admin@a.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "brand-b", "admin@b.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--threads", "1", NULL) != 0)
		return -1;
	token[0] = login(&d, "admin@a.example", PASSWORD);
	token[1] = login(&d, "admin@b.example", PASSWORD);
	/* tenant A's contacts that mention it are linked to an incident */
	if (post_id(&d, token[0], "/api/v1/incidents", json_pack("{s:s,s:s,s:b,s:[s]}", "kind", "incident", "title",
		    "Fibre outage", "published", 1, "keywords", "outage")) <= 0)
		return -1;
	for (int t = 0; t < 2; t++) {
		for (int i = 0; i < CONTACTS; i++) {
			char subject[64], path[64];
			snprintf(subject, sizeof(subject), "tenant %c contact %d", 'A' + t, i);
			json_t *contact = json_pack("{s:s,s:s}", "channel", i % 2 ? "phone" : "email", "subject", subject);
			if (i % 3) /* messages(i) of them */
				json_object_set_new(contact, "message", json_string(i % 3 == 2 ? "an outage here" : "hello"));
			ids[t][i] = post_id(&d, token[t], "/api/v1/contacts", contact);
			if (ids[t][i] <= 0)
				return -1;
			snprintf(path, sizeof(path), "/api/v1/contacts/%lld/messages", ids[t][i]);
			if (i % 3 == 2 && http_status(&d, "POST", path, token[t],
						      json_pack("{s:s,s:s}", "direction", "inbound", "body", "still down")) != 201)
				return -1;
		}
	}
	return 0;
}

/* How many messages and incidents tenant t's contact i has (group_setup). */
static size_t messages(int i)
{
	return (size_t)(i % 3);
}

static size_t incidents(int t, int i)
{
	return t == 0 && i % 3 == 2;
}

static int group_teardown(void **state)
{
	free(token[0]);
	free(token[1]);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

struct body {
	char text[8192];
	size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t take = size * n < sizeof(b->text) - 1 - b->len ? size * n : sizeof(b->text) - 1 - b->len;
	memcpy(b->text + b->len, ptr, take);
	b->len += take;
	b->text[b->len] = '\0';
	return size * n;
}

struct client {
	pthread_t thread;
	unsigned seed;
	int wrong;     /* answers that were not their request's */
	int asked;
};

/* One keep-alive connection asking contacts of both tenants with both tokens. */
static void *client_main(void *arg)
{
	struct client *c = arg;
	CURL *curl = curl_easy_init();
	char url[256], auth[600];
	struct body b;
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	for (int k = 0; k < ASKS; k++) {
		int as = rand_r(&c->seed) % 2, of = rand_r(&c->seed) % 2, i = rand_r(&c->seed) % CONTACTS;
		snprintf(url, sizeof(url), "%s/api/v1/contacts/%lld", d.url, ids[of][i]);
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token[as]);
		struct curl_slist *h = curl_slist_append(NULL, auth);
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
		b.len = 0;
		b.text[0] = '\0';
		long status = 0;
		if (curl_easy_perform(curl) == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		curl_slist_free_all(h);
		char id_text[48], subject[64];
		snprintf(id_text, sizeof(id_text), "{\"id\":%lld,", ids[of][i]);
		snprintf(subject, sizeof(subject), "\"tenant %c contact %d\"", 'A' + of, i);
		json_t *json = json_loads(b.text, 0, NULL);
		bool right = as == of ? status == 200 && strncmp(b.text, id_text, strlen(id_text)) == 0 &&
						strstr(b.text, subject) != NULL &&
						json_array_size(json_object_get(json, "messages")) == messages(i) &&
						json_array_size(json_object_get(json, "incidents")) == incidents(of, i)
				      : status == 404 && strstr(b.text, "tenant ") == NULL;
		json_decref(json);
		if (!right) {
			if (c->wrong++ < 3)
				fprintf(stderr, "asked %lld as tenant %c: %ld %.200s\n", ids[of][i], 'A' + as, status, b.text);
		}
		c->asked++;
	}
	curl_easy_cleanup(curl);
	return NULL;
}

/* A sample of /metrics (0 when absent); name may carry labels. */
static long long metric(const char *name)
{
	return daemon_metric(&d, token[0], name);
}

static void every_answer_is_its_own_request(void **state)
{
	unsigned long long batches = metric("guichet_read_batches_total"),
			   reads = metric("guichet_batched_reads_total");
	struct client clients[CLIENTS];
	for (int k = 0; k < CLIENTS; k++) {
		clients[k] = (struct client){.seed = 7u * (unsigned)k + 1};
		assert_int_equal(pthread_create(&clients[k].thread, NULL, client_main, &clients[k]), 0);
	}
	int wrong = 0, asked = 0;
	for (int k = 0; k < CLIENTS; k++) {
		pthread_join(clients[k].thread, NULL);
		wrong += clients[k].wrong;
		asked += clients[k].asked;
	}
	assert_int_equal(asked, CLIENTS * ASKS);
	assert_int_equal(wrong, 0);
	batches = metric("guichet_read_batches_total") - batches;
	reads = metric("guichet_batched_reads_total") - reads;
	fprintf(stderr, "%llu reads in %llu batches\n", reads, batches);
	assert_int_equal(reads, CLIENTS * ASKS);
	assert_true(batches < reads); /* some batch served more than one request */
}

/* A contact that is not there, amid others' reads: 404, and the batch's
 * other requests are answered. */
static void a_missing_contact_in_a_batch(void **state)
{
	struct resp r;
	http_raw(&d, "GET", "/api/v1/contacts/999999", token[0], NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(resp_error(&r), "not_found");
	resp_clear(&r);
	http_raw(&d, "GET", "/api/v1/contacts/1", token[0], NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_answer_is_its_own_request),
		cmocka_unit_test(a_missing_contact_in_a_batch),
	};
	int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	curl_global_cleanup();
	return rc;
}
