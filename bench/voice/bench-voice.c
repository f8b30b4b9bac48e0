/* bench-voice URL ADMIN_TOKEN AGENTS CALLS NUMBER: the voice bench's tenant
 * (bench/voice/run), through the API as an administrator would set it up:
 * a skill, a phone queue (no wrap-up time, offers ringing 30 s), a voice
 * number whose menu puts the callers who press 1 in it, and AGENTS agents
 * ("agent0"...), each holding up to CALLS calls at once (its phone
 * capacity), with SIP credentials of its own (username its name, password
 * "phone-password") and forced available (the supervisors' presence API).
 * The last line printed ends with the tenant's realm. Four threads make the agents (their passwords are
 * argon2id hashes: the slow part). */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4

static const char *base_url;
static char admin_auth[300];
static long long skill_id;
static int n_agents, capacity;
static char realm[64]; /* the tenant's, as PUT .../sip answers it */
static pthread_mutex_t realm_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t keep(char *p, size_t s, size_t n, void *arg)
{
	json_t **out = arg;
	json_decref(*out);
	*out = json_loadb(p, s * n, 0, NULL);
	return s * n;
}

/* One request; the answer's JSON, or exit(1) with the error on a status >= 300. */
static json_t *call(const char *method, const char *path, json_t *body)
{
	CURL *c = curl_easy_init();
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, admin_auth);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	json_t *out = NULL;
	long status = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (text)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	if (curl_easy_perform(c) != CURLE_OK ||
	    (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status >= 300)) {
		char *err = out ? json_dumps(out, JSON_COMPACT) : NULL;
		fprintf(stderr, "bench-voice: %s %s failed (%ld): %s\n", method, path, status, err ? err : "");
		exit(1);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(text);
	return out;
}

static long long id_of(json_t *j, const char *name)
{
	long long id = json_integer_value(json_object_get(j, name));
	json_decref(j);
	return id;
}

/* Agents first..n_agents by steps of THREADS. */
static void *make_agents(void *arg)
{
	for (int i = (int)(long)arg; i < n_agents; i += THREADS) {
		char email[64], user[32], path[64];
		snprintf(email, sizeof(email), "voice-agent-%d@bench.example", i);
		snprintf(user, sizeof(user), "agent%d", i);
		long long id = id_of(call("POST", "/api/v1/users",
					  json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", user, "password",
						    "bench-password", "role", "agent")), "id");
		snprintf(path, sizeof(path), "/api/v1/agents/%lld", id);
		json_decref(call("PUT", path, json_pack("{s:[{s:I}],s:{s:i}}", "skills", "skill_id", (json_int_t)skill_id,
							"capacity", "phone", capacity)));
		snprintf(path, sizeof(path), "/api/v1/agents/%lld/sip", id);
		json_t *sip = call("PUT", path, json_pack("{s:s,s:s}", "username", user, "password", "phone-password"));
		pthread_mutex_lock(&realm_lock);
		snprintf(realm, sizeof(realm), "%s", json_string_value(json_object_get(sip, "realm")));
		pthread_mutex_unlock(&realm_lock);
		json_decref(sip);
		snprintf(path, sizeof(path), "/api/v1/agents/%lld/presence", id);
		json_decref(call("POST", path, json_pack("{s:s}", "presence", "available")));
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: bench-voice URL ADMIN_TOKEN AGENTS CALLS NUMBER\n");
		return 2;
	}
	base_url = argv[1];
	snprintf(admin_auth, sizeof(admin_auth), "Authorization: Bearer %s", argv[2]);
	n_agents = (int)strtol(argv[3], NULL, 10);
	capacity = (int)strtol(argv[4], NULL, 10);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	skill_id = id_of(call("POST", "/api/v1/skills", json_pack("{s:s}", "name", "voice-bench")), "id");
	long long queue = id_of(call("POST", "/api/v1/queues",
				     json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "voice-bench", "skill_id",
					       (json_int_t)skill_id, "channel", "phone", "offer_timeout_s", 30, "wrapup_s",
					       0)), "id");
	json_decref(call("POST", "/api/v1/channels/voice/numbers",
			 json_pack("{s:s,s:s,s:{s:s,s:{s:{s:I}}}}", "number", argv[5], "greeting", "Hello.", "menu",
				   "prompt", "For support press 1.", "options", "1", "queue_id", (json_int_t)queue)));
	pthread_t threads[THREADS];
	for (long t = 0; t < THREADS; t++)
		pthread_create(&threads[t], NULL, make_agents, (void *)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	printf("agents %d queue %lld realm %s\n", n_agents, queue, realm);
	return 0;
}
