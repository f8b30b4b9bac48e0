/* bench-e2e URL ADMIN_TOKEN RATE SECONDS AGENTS: routing through the service.
 *
 * Sets up a skill, a chat queue and AGENTS agents (each logged in, with its
 * live stream open), then posts RATE new contacts a second into the queue
 * for SECONDS, over a pool of keep-alive connections. Each agent accepts its
 * offers and wraps them up at once, so the writer carries the whole flow
 * (three writes a contact). Measured: from sending the POST of a contact to
 * its offer arriving on an agent's stream. The reference, in the same run
 * and at the same rate: plain POSTs of contacts in no queue, from sending to
 * the answer. Prints the figures and one JSON line. */
#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POOL 64
#define MAX_CONTACTS (1 << 22)

static const char *base_url, *host = "127.0.0.1";
static int port;
static struct event_base *base;
static struct evhttp_connection *pool[POOL];
static int next_conn;
static double *sent_at, *offered_at, *answered_at; /* by contact id - first_id */
static long long first_id;
static int n_sent, n_answered, n_offers, n_errors, target;
static bool routed;
static char admin_auth[300], queue_body_fmt[128];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- set-up, with blocking calls --- */

static size_t keep(char *p, size_t s, size_t n, void *arg)
{
	json_t **out = arg;
	json_decref(*out);
	*out = json_loadb(p, s * n, 0, NULL);
	return s * n;
}

static json_t *call(const char *method, const char *path, const char *auth, json_t *body)
{
	CURL *c = curl_easy_init();
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, auth);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	json_t *out = NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (text)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	if (curl_easy_perform(c) != CURLE_OK) {
		fprintf(stderr, "bench-e2e: %s %s failed\n", method, path);
		exit(1);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(text);
	return out;
}

/* --- the run --- */

struct agent {
	char auth[300];
	struct evhttp_connection *stream, *work;
	struct evbuffer *pending;   /* stream bytes not yet a whole frame */
};

static void done(struct evhttp_request *req, void *arg)
{
	if (req == NULL || evhttp_request_get_response_code(req) >= 300)
		n_errors++;
}

static void post(struct evhttp_connection *conn, const char *auth, const char *path, const char *body,
		 void (*cb)(struct evhttp_request *, void *), void *arg)
{
	struct evhttp_request *req = evhttp_request_new(cb, arg);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Authorization", auth + 15); /* after "Authorization: " */
	if (body) {
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	}
	evhttp_make_request(conn, req, EVHTTP_REQ_POST, path);
}

static void accepted(struct evhttp_request *req, void *arg)
{
	struct agent *a = arg;
	const char *uri = req ? evhttp_request_get_uri(req) : NULL;
	if (req == NULL || evhttp_request_get_response_code(req) != 200 || uri == NULL) {
		n_errors++;
		return;
	}
	char path[128];
	snprintf(path, sizeof(path), "%.*s/wrapup", (int)(strrchr(uri, '/') - uri), uri);
	post(a->work, a->auth, path, "{\"disposition\":\"done\"}", done, NULL);
}

/* Reads whole frames off an agent's stream: offers are timed, then accepted. */
static void stream_chunk(struct evhttp_request *req, void *arg)
{
	struct agent *a = arg;
	evbuffer_add_buffer(a->pending, evhttp_request_get_input_buffer(req));
	for (;;) {
		struct evbuffer_ptr end = evbuffer_search(a->pending, "\n\n", 2, NULL);
		if (end.pos < 0)
			return;
		size_t len = (size_t)end.pos;
		char *frame = malloc(len + 1);
		evbuffer_remove(a->pending, frame, len);
		evbuffer_drain(a->pending, 2);
		frame[len] = '\0';
		const char *data = strstr(frame, "data: ");
		if (strstr(frame, "event: offered\n") && data) {
			double at = now_ms();
			json_t *j = json_loads(data + 6, 0, NULL);
			long long id = json_integer_value(json_object_get(j, "contact_id"));
			json_decref(j);
			if (id >= first_id && id - first_id < MAX_CONTACTS && offered_at[id - first_id] == 0) {
				offered_at[id - first_id] = at;
				n_offers++;
			}
			char path[96];
			snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", id);
			post(a->work, a->auth, path, NULL, accepted, a);
		}
		free(frame);
	}
}

static void created(struct evhttp_request *req, void *arg)
{
	double at = now_ms(), sent = *(double *)arg;
	free(arg);
	if (req == NULL || evhttp_request_get_response_code(req) != 201) {
		n_errors++;
		return;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char *text = malloc(len + 1);
	evbuffer_copyout(in, text, len);
	text[len] = '\0';
	json_t *j = json_loads(text, 0, NULL);
	long long id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	free(text);
	if (first_id == 0)
		first_id = id;
	if (id >= first_id && id - first_id < MAX_CONTACTS) {
		sent_at[id - first_id] = sent;
		answered_at[id - first_id] = at;
	}
	n_answered++;
}

static void send_one(void)
{
	double *sent = malloc(sizeof(double));
	*sent = now_ms();
	post(pool[next_conn++ % POOL], admin_auth, "/api/v1/contacts", queue_body_fmt, created, sent);
	n_sent++;
}

static double start_ms;
static int rate;

/* Sends what the schedule says is due by now (1 ms tick). */
static void tick(evutil_socket_t fd, short what, void *arg)
{
	int due = (int)((now_ms() - start_ms) * rate / 1000.0);
	while (n_sent < due && n_sent < target)
		send_one();
	if (n_sent >= target && n_answered + n_errors >= target && (!routed || n_offers >= n_answered ||
								     now_ms() - start_ms > 1000.0 * target / rate + 5000))
		event_base_loopbreak(base);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One phase: target contacts at rate; returns the p50/p99 latencies (ms). */
static void phase(bool with_queue, long long queue, int seconds, double *ret_p50, double *ret_p99, int *ret_n)
{
	routed = with_queue;
	if (with_queue)
		snprintf(queue_body_fmt, sizeof(queue_body_fmt), "{\"channel\":\"chat\",\"queue_id\":%lld}", queue);
	else
		snprintf(queue_body_fmt, sizeof(queue_body_fmt), "{\"channel\":\"chat\"}");
	memset(sent_at, 0, sizeof(double) * MAX_CONTACTS);
	memset(offered_at, 0, sizeof(double) * MAX_CONTACTS);
	memset(answered_at, 0, sizeof(double) * MAX_CONTACTS);
	first_id = 0;
	n_sent = n_answered = n_offers = n_errors = 0;
	target = rate * seconds;
	/* the first contact gives the ids' base; it is not measured */
	send_one();
	event_base_loop(base, EVLOOP_ONCE);
	while (n_answered == 0)
		event_base_loop(base, EVLOOP_ONCE);
	n_sent = n_answered = n_offers = 0;
	first_id++;
	struct event *t = event_new(base, -1, EV_PERSIST, tick, NULL);
	struct timeval ms = {0, 1000};
	start_ms = now_ms();
	event_add(t, &ms);
	event_base_dispatch(base);
	event_free(t);
	double *lat = malloc(sizeof(double) * (size_t)target);
	int n = 0;
	for (int i = 0; i < MAX_CONTACTS && n < target; i++) {
		double end = with_queue ? offered_at[i] : answered_at[i];
		if (sent_at[i] > 0 && end > 0)
			lat[n++] = end - sent_at[i];
	}
	qsort(lat, (size_t)n, sizeof(double), cmp);
	*ret_p50 = n ? lat[n / 2] : NAN;
	*ret_p99 = n ? lat[(int)(n * 0.99)] : NAN;
	*ret_n = n;
	free(lat);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: bench-e2e URL ADMIN_TOKEN RATE SECONDS AGENTS\n");
		return 2;
	}
	base_url = argv[1];
	port = atoi(strrchr(argv[1], ':') + 1);
	snprintf(admin_auth, sizeof(admin_auth), "Authorization: Bearer %s", argv[2]);
	rate = atoi(argv[3]);
	int seconds = atoi(argv[4]), n_agents = atoi(argv[5]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	json_t *j = call("POST", "/api/v1/skills", admin_auth, json_pack("{s:s}", "name", "e2e"));
	long long skill = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	j = call("POST", "/api/v1/queues", admin_auth, json_pack("{s:s,s:I,s:s,s:i}", "name", "e2e", "skill_id",
		(json_int_t)skill, "channel", "chat", "offer_timeout_s", 30));
	long long queue = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	base = event_base_new();
	struct agent *agents = calloc((size_t)n_agents, sizeof(*agents));
	for (int i = 0; i < n_agents; i++) {
		char email[64], path[64];
		snprintf(email, sizeof(email), "e2e-agent-%d@example.com", i);
		j = call("POST", "/api/v1/users", admin_auth, json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email,
			 "password", "bench-password", "role", "agent"));
		long long user = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
		snprintf(path, sizeof(path), "/api/v1/agents/%lld", user);
		json_decref(call("PUT", path, admin_auth, json_pack("{s:[{s:I}],s:{s:i}}", "skills", "skill_id",
			(json_int_t)skill, "capacity", "chat", 10)));
		j = call("POST", "/api/v1/auth/login", "X-None: 1", json_pack("{s:s,s:s}", "email", email, "password",
			 "bench-password"));
		snprintf(agents[i].auth, sizeof(agents[i].auth), "Authorization: Bearer %s",
			 json_string_value(json_object_get(j, "token")));
		json_decref(j);
		json_decref(call("POST", "/api/v1/agents/me/presence", agents[i].auth, json_pack("{s:s}", "presence",
			"available")));
		agents[i].pending = evbuffer_new();
		agents[i].stream = evhttp_connection_base_new(base, NULL, host, (unsigned short)port);
		agents[i].work = evhttp_connection_base_new(base, NULL, host, (unsigned short)port);
		struct evhttp_request *req = evhttp_request_new(done, &agents[i]); /* the chunk callback gets it too */
		evhttp_request_set_chunked_cb(req, stream_chunk);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Host", host);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Authorization", agents[i].auth + 15);
		evhttp_make_request(agents[i].stream, req, EVHTTP_REQ_GET, "/api/v1/events");
	}
	for (int i = 0; i < POOL; i++)
		pool[i] = evhttp_connection_base_new(base, NULL, host, (unsigned short)port);
	sent_at = calloc(MAX_CONTACTS, sizeof(double));
	offered_at = calloc(MAX_CONTACTS, sizeof(double));
	answered_at = calloc(MAX_CONTACTS, sizeof(double));
	double ref_p50, ref_p99, p50, p99;
	int ref_n, n;
	phase(false, 0, seconds, &ref_p50, &ref_p99, &ref_n);
	int ref_errors = n_errors;
	phase(true, queue, seconds, &p50, &p99, &n);
	printf("plain POST of a contact at %d/s: %d answered, p50 %.2f ms, p99 %.2f ms (%d errors)\n", rate, ref_n,
	       ref_p50, ref_p99, ref_errors);
	printf("POST into a queue to the offer on an agent's stream at %d/s, %d agents accepting and wrapping up: "
	       "%d offers, p50 %.2f ms, p99 %.2f ms (%d errors)\n", rate, n_agents, n, p50, p99, n_errors);
	printf("{\"e2e_p50_ms\":%.3f,\"e2e_p99_ms\":%.3f,\"e2e_offers\":%d,\"post_p99_ms\":%.3f,\"e2e_rate\":%d,"
	       "\"e2e_errors\":%d}\n", p50, p99, n, ref_p99, rate, n_errors);
	return 0;
}
