/* Durability: contacts written through the API under load, the daemon
 * killed with SIGKILL mid-stream, restarted: every acknowledged contact is
 * there, exactly once, and nothing is there twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "durable pass"
#define WRITERS 8
#define MAX_PER_WRITER 100000

static struct daemon d;
static char *token;
static atomic_bool stop_writing;

struct writer {
	int index;
	long long acked_ids[MAX_PER_WRITER];
	int acked_seq[MAX_PER_WRITER];
	int n_acked;
};

static size_t sink(char *ptr, size_t size, size_t n, void *arg)
{
	char **buf = arg;
	size_t old = *buf ? strlen(*buf) : 0;
	char *grown = realloc(*buf, old + size * n + 1);
	memcpy(grown + old, ptr, size * n);
	grown[old + size * n] = '\0';
	*buf = grown;
	return size * n;
}

/* Posts contacts with subjects "w<index>-<seq>" until the daemon dies. */
static void *write_contacts(void *arg)
{
	struct writer *w = arg;
	CURL *curl = curl_easy_init();
	char url[128], auth[256], body[128];
	snprintf(url, sizeof(url), "%s/api/v1/contacts", d.url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	struct curl_slist *headers = curl_slist_append(NULL, auth);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	for (int seq = 0; seq < MAX_PER_WRITER && !atomic_load(&stop_writing); seq++) {
		char *answer = NULL;
		snprintf(body, sizeof(body), "{\"channel\":\"web\",\"subject\":\"w%d-%d\"}", w->index, seq);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
		long status = 0;
		if (curl_easy_perform(curl) != CURLE_OK) {
			free(answer);
			break; /* the daemon is gone */
		}
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		json_t *j = answer ? json_loads(answer, 0, NULL) : NULL;
		if (status == 201 && j) {
			w->acked_ids[w->n_acked] = json_integer_value(json_object_get(j, "id"));
			w->acked_seq[w->n_acked++] = seq;
		}
		json_decref(j);
		free(answer);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return NULL;
}

static void acknowledged_writes_survive_kill_9(void **state)
{
	assert_int_equal(daemon_init(&d, "t", "admin@t.example", PASSWORD), 0);
	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	token = login(&d, "admin@t.example", PASSWORD);
	static struct writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		writers[i].index = i;
		pthread_create(&threads[i], NULL, write_contacts, &writers[i]);
	}
	usleep(1500 * 1000);
	daemon_kill9(&d);
	atomic_store(&stop_writing, true);
	int acked = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		acked += writers[i].n_acked;
	}
	fprintf(stderr, "# %d contacts acknowledged before kill -9\n", acked);
	assert_true(acked > 50);

	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	/* every contact stored, each subject once */
	static char seen[WRITERS][MAX_PER_WRITER];
	memset(seen, 0, sizeof(seen));
	int stored = 0;
	char path[128] = "/api/v1/contacts?limit=500";
	for (;;) {
		struct resp r;
		http_json(&d, "GET", path, token, NULL, &r);
		assert_int_equal(r.status, 200);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), i, item) {
			int w = 0, seq = 0;
			assert_int_equal(sscanf(json_string_value(json_object_get(item, "subject")), "w%d-%d", &w, &seq), 2);
			assert_int_equal(seen[w][seq], 0); /* never twice */
			seen[w][seq] = 1;
			stored++;
		}
		const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (next)
			snprintf(path, sizeof(path), "/api/v1/contacts?limit=500&cursor=%s", next);
		resp_clear(&r);
		if (!next)
			break;
	}
	for (int w = 0; w < WRITERS; w++) {
		for (int k = 0; k < writers[w].n_acked; k++) {
			assert_int_equal(seen[w][writers[w].acked_seq[k]], 1);
			char one[64];
			snprintf(one, sizeof(one), "/api/v1/contacts/%lld", writers[w].acked_ids[k]);
			if (k % 50 == 0) { /* spot-check the id too */
				struct resp r;
				http_json(&d, "GET", one, token, NULL, &r);
				assert_int_equal(r.status, 200);
				char subject[32];
				snprintf(subject, sizeof(subject), "w%d-%d", w, writers[w].acked_seq[k]);
				assert_string_equal(json_string_value(json_object_get(r.json, "subject")), subject);
				resp_clear(&r);
			}
		}
	}
	fprintf(stderr, "# %d stored after restart (acknowledged or in flight at the kill)\n", stored);
	assert_true(stored >= acked && stored <= acked + WRITERS);
	assert_int_equal(daemon_stop(&d), 0);
	free(token);
	daemon_cleanup(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(acknowledged_writes_survive_kill_9),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
