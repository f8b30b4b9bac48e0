/* bench-chat MODE URL STREAMS RATE SECONDS PID [ADMIN_TOKEN]: live chat
 * delivery at scale, against guichetd or against the reference (sse-ref.c).
 *
 * STREAMS visitors each open a live stream, each from a loopback address of
 * its own (127.x.y.z, as visitors come from many addresses: per-address
 * limits stay what they are in production). The server's resident memory
 * is read from /proc/PID/status before and after the streams open, idle.
 * Then RATE messages a second for SECONDS go to streams chosen at random,
 * and each is timed from sending its POST to its frame arriving on the
 * visitor's stream.
 *   ref:     GET /s/N and POST /m/N (sse-ref.c).
 *   guichet: a skill, a chat queue with agents available, a chat channel;
 *            each visitor gets a token and starts a chat (the web chat's
 *            visitor API), then opens the chat's stream; the messages are
 *            an agent's replies, POST /api/v1/contacts/ID/messages.
 * Prints the figures and one JSON line of them. */
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
#include <sys/resource.h>
#include <time.h>

#define POOL 32
#define IN_FLIGHT 64

static const char *base_url, *host = "127.0.0.1";
static int port, pid;
static bool guichet;
static struct event_base *base;
static char admin_auth[300], chat_key[128];

struct visitor {
	int index;
	char local[32];              /* its loopback address */
	char auth[512];              /* "Bearer TOKEN" (guichet) */
	long long chat_id;
	struct evhttp_connection *conn;
	struct evbuffer *pending;    /* stream bytes not yet a whole frame */
};

static struct visitor *visitors;
static int n_visitors, n_ready, n_open, n_failed, next_setup;
static double *sent_at, *delivered_at;
static int n_sent, n_delivered, n_errors, target;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_kb(void)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* --- blocking set-up calls (guichet) --- */

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
		fprintf(stderr, "bench-chat: %s %s failed (%ld): %s\n", method, path, status, err ? err : "");
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

/* A skill, a chat queue, agents available for chats, a chat channel. */
static void setup_channel(int n_agents)
{
	long long skill = id_of(call("POST", "/api/v1/skills", admin_auth, json_pack("{s:s}", "name", "chat-bench")),
				"id");
	long long queue = id_of(call("POST", "/api/v1/queues", admin_auth,
				     json_pack("{s:s,s:I,s:s,s:i}", "name", "chat-bench", "skill_id", (json_int_t)skill,
					       "channel", "chat", "offer_timeout_s", 3600)), "id");
	for (int i = 0; i < n_agents; i++) {
		char email[64], path[64], auth[300];
		snprintf(email, sizeof(email), "chat-bench-%d@example.com", i);
		long long user = id_of(call("POST", "/api/v1/users", admin_auth,
					    json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email, "password",
						      "bench-password", "role", "agent")), "id");
		snprintf(path, sizeof(path), "/api/v1/agents/%lld", user);
		json_decref(call("PUT", path, admin_auth, json_pack("{s:[{s:I}],s:{s:i}}", "skills", "skill_id",
				 (json_int_t)skill, "capacity", "chat", 3)));
		json_t *j = call("POST", "/api/v1/auth/login", "X-None: 1",
				 json_pack("{s:s,s:s}", "email", email, "password", "bench-password"));
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", json_string_value(json_object_get(j, "token")));
		json_decref(j);
		json_decref(call("POST", "/api/v1/agents/me/presence", auth, json_pack("{s:s}", "presence", "available")));
	}
	json_t *j = call("POST", "/api/v1/channels/chat", admin_auth,
			 json_pack("{s:s,s:I,s:[s]}", "name", "chat-bench", "queue_id", (json_int_t)queue, "origins",
				   "https://shop.example"));
	snprintf(chat_key, sizeof(chat_key), "%s", json_string_value(json_object_get(j, "key")));
	json_decref(j);
}

/* --- requests on the event loop --- */

static struct evhttp_request *request(void (*cb)(struct evhttp_request *, void *), void *arg, const char *auth,
				      const char *body)
{
	struct evhttp_request *req = evhttp_request_new(cb, arg);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", host);
	if (auth && *auth)
		evhttp_add_header(h, "Authorization", auth);
	if (body) {
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	}
	return req;
}

static json_t *answer(struct evhttp_request *req, int want)
{
	if (req == NULL || evhttp_request_get_response_code(req) != want)
		return NULL;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	return json_loadb((const char *)evbuffer_pullup(in, -1), evbuffer_get_length(in), 0, NULL);
}

static void setup_next(void);

static void chat_started(struct evhttp_request *req, void *arg)
{
	struct visitor *v = arg;
	json_t *j = answer(req, 201);
	v->chat_id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	if (v->chat_id)
		n_ready++;
	else if (n_failed++ < 5)
		fprintf(stderr, "bench-chat: visitor %d: the chat was not started (%d)\n", v->index,
			req ? evhttp_request_get_response_code(req) : 0);
	setup_next();
}

static void visitor_made(struct evhttp_request *req, void *arg)
{
	struct visitor *v = arg;
	json_t *j = answer(req, 201);
	const char *token = json_string_value(json_object_get(j, "token"));
	if (token == NULL) {
		if (n_failed++ < 5)
			fprintf(stderr, "bench-chat: visitor %d: no token (%d)\n", v->index,
				req ? evhttp_request_get_response_code(req) : 0);
		json_decref(j);
		setup_next();
		return;
	}
	snprintf(v->auth, sizeof(v->auth), "Bearer %s", token);
	json_decref(j);
	char path[256], body[128];
	snprintf(path, sizeof(path), "/chat/v1/%s/chats", chat_key);
	snprintf(body, sizeof(body), "{\"message\":\"hello from visitor %d\"}", v->index);
	evhttp_make_request(v->conn, request(chat_started, v, v->auth, body), EVHTTP_REQ_POST, path);
}

/* Starts the next visitor's set-up (guichet: a token, then a chat). */
static void setup_next(void)
{
	if (next_setup >= n_visitors) {
		if (n_ready + n_failed >= n_visitors)
			event_base_loopbreak(base);
		return;
	}
	struct visitor *v = &visitors[next_setup++];
	char path[256];
	snprintf(path, sizeof(path), "/chat/v1/%s/visitors", chat_key);
	evhttp_make_request(v->conn, request(visitor_made, v, NULL, "{}"), EVHTTP_REQ_POST, path);
}

/* Whole frames off a visitor's stream: the bench's messages are timed. */
static void stream_chunk(struct evhttp_request *req, void *arg)
{
	struct visitor *v = arg;
	evbuffer_add_buffer(v->pending, evhttp_request_get_input_buffer(req));
	for (;;) {
		struct evbuffer_ptr end = evbuffer_search(v->pending, "\n\n", 2, NULL);
		if (end.pos < 0)
			return;
		size_t len = (size_t)end.pos;
		char *frame = (char *)evbuffer_pullup(v->pending, (ev_ssize_t)len + 2);
		frame[len] = '\0';
		const char *mark = strstr(frame, "event: message\n") ? strstr(frame, "bench #") : NULL;
		if (mark) {
			long seq = strtol(mark + 7, NULL, 10);
			if (seq >= 0 && seq < target && delivered_at[seq] == 0) {
				delivered_at[seq] = now_ms();
				n_delivered++;
			}
		}
		evbuffer_drain(v->pending, len + 2);
	}
}

static int stream_headers(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (evhttp_request_get_response_code(req) == 200)
		n_open++;
	else if (n_failed++ < 5)
		fprintf(stderr, "bench-chat: a stream was refused (%d)\n", evhttp_request_get_response_code(req));
	return 0;
}

static void stream_ended(struct evhttp_request *req, void *arg)
{
	(void)req;
	(void)arg;
}

static void open_stream(struct visitor *v)
{
	char path[512];
	struct evhttp_request *req = request(stream_ended, v, NULL, NULL);
	evhttp_request_set_chunked_cb(req, stream_chunk);
	evhttp_request_set_header_cb(req, stream_headers);
	if (guichet)
		snprintf(path, sizeof(path), "/chat/v1/%s/chats/%lld/stream?token=%s", chat_key, v->chat_id,
			 v->auth + 7);
	else
		snprintf(path, sizeof(path), "/s/%d", v->index);
	evhttp_make_request(v->conn, req, EVHTTP_REQ_GET, path);
}

/* --- the messages --- */

static struct evhttp_connection *pool[POOL];
static double start_ms;
static int rate;
static uint64_t rng = 88172645463325252ull;

static void posted(struct evhttp_request *req, void *arg)
{
	(void)arg;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	if (code >= 200 && code < 300)
		return;
	if (n_errors++ < 3) {
		struct evbuffer *in = req ? evhttp_request_get_input_buffer(req) : NULL;
		size_t len = in ? evbuffer_get_length(in) : 0;
		fprintf(stderr, "bench-chat: a message was refused (%d): %.*s\n", code, (int)(len > 300 ? 300 : len),
			in ? (const char *)evbuffer_pullup(in, -1) : "");
	}
}

static void send_one(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	struct visitor *v = &visitors[rng % (uint64_t)n_visitors];
	while (v->chat_id == 0 && guichet)
		v = &visitors[(v->index + 1) % n_visitors];
	char path[128], body[96];
	int seq = n_sent++;
	if (guichet) {
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/messages", v->chat_id);
		snprintf(body, sizeof(body), "{\"direction\":\"outbound\",\"body\":\"bench #%d\"}", seq);
	} else {
		snprintf(path, sizeof(path), "/m/%d", v->index);
		snprintf(body, sizeof(body), "bench #%d", seq);
	}
	sent_at[seq] = now_ms();
	evhttp_make_request(pool[seq % POOL], request(posted, NULL, guichet ? admin_auth + 15 : NULL, body),
			    EVHTTP_REQ_POST, path);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	int due = (int)((now_ms() - start_ms) * rate / 1000.0);
	while (n_sent < due && n_sent < target)
		send_one();
	if (n_sent >= target && (n_delivered + n_errors >= target || now_ms() - start_ms > 1000.0 * target / rate + 5000))
		event_base_loopbreak(base);
}

static void wait_until(bool (*done)(void), double limit_ms)
{
	double until = now_ms() + limit_ms;
	struct timeval ms = {0, 10000};
	while (!done() && now_ms() < until) {
		event_base_loopexit(base, &ms);
		event_base_dispatch(base);
	}
}

static bool all_open(void)
{
	return n_open + n_failed >= n_ready;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 7 || (strcmp(argv[1], "guichet") == 0 && argc != 8) || (strcmp(argv[1], "ref") == 0 && argc != 7)) {
		fprintf(stderr, "usage: bench-chat ref|guichet URL STREAMS RATE SECONDS PID [ADMIN_TOKEN]\n");
		return 2;
	}
	guichet = strcmp(argv[1], "guichet") == 0;
	base_url = argv[2];
	port = atoi(strrchr(argv[2], ':') + 1);
	n_visitors = atoi(argv[3]);
	rate = atoi(argv[4]);
	int seconds = atoi(argv[5]);
	pid = atoi(argv[6]);
	if (guichet)
		snprintf(admin_auth, sizeof(admin_auth), "Authorization: Bearer %s", argv[7]);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)n_visitors + 256) {
		fprintf(stderr, "bench-chat: %d streams need more open files than the limit %llu (ulimit -n)\n", n_visitors,
			(unsigned long long)rl.rlim_cur);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	base = event_base_new();
	if (guichet)
		setup_channel(10);
	visitors = calloc((size_t)n_visitors, sizeof(*visitors));
	for (int i = 0; i < n_visitors; i++) {
		struct visitor *v = &visitors[i];
		v->index = i;
		snprintf(v->local, sizeof(v->local), "127.%d.%d.%d", 1 + i / 62500, (i / 250) % 250 + 1, i % 250 + 1);
		v->pending = evbuffer_new();
		v->conn = evhttp_connection_base_new(base, NULL, host, (unsigned short)port);
		evhttp_connection_set_local_address(v->conn, v->local);
		evhttp_connection_set_timeout(v->conn, 3600);
	}
	double setup_start = now_ms();
	if (guichet) {
		for (int i = 0; i < IN_FLIGHT && i < n_visitors; i++)
			setup_next();
		event_base_dispatch(base);
	} else {
		n_ready = n_visitors;
	}
	double setup_s = (now_ms() - setup_start) / 1000;
	long rss_before = rss_kb();
	for (int i = 0; i < n_visitors; i++)
		if (!guichet || visitors[i].chat_id)
			open_stream(&visitors[i]);
	wait_until(all_open, 120000);
	/* idle: what the streams hold once their first frames are sent and the
	 * server's first round of waits (every 3 s) has gone by */
	struct timeval settle = {5, 0};
	event_base_loopexit(base, &settle);
	event_base_dispatch(base);
	long rss_after = rss_kb();
	double per_stream_kb = n_open ? (double)(rss_after - rss_before) / n_open : NAN;

	for (int i = 0; i < POOL; i++)
		pool[i] = evhttp_connection_base_new(base, NULL, host, (unsigned short)port);
	target = rate * seconds;
	sent_at = calloc((size_t)target, sizeof(double));
	delivered_at = calloc((size_t)target, sizeof(double));
	struct event *t = event_new(base, -1, EV_PERSIST, tick, NULL);
	struct timeval ms = {0, 1000};
	start_ms = now_ms();
	event_add(t, &ms);
	event_base_dispatch(base);
	event_free(t);
	double *lat = malloc(sizeof(double) * (size_t)target);
	int n = 0;
	for (int i = 0; i < target; i++)
		if (sent_at[i] > 0 && delivered_at[i] > 0)
			lat[n++] = delivered_at[i] - sent_at[i];
	qsort(lat, (size_t)n, sizeof(double), cmp);
	double p50 = n ? lat[n / 2] : NAN, p99 = n ? lat[(int)(n * 0.99)] : NAN;
	printf("%s: %d streams open of %d (set-up %.1f s, %d failed); server RSS %ld -> %ld KiB, %.1f KiB a stream; "
	       "%d messages at %d/s: %d delivered, p50 %.2f ms, p99 %.2f ms, %d errors\n",
	       guichet ? "guichetd" : "reference", n_open, n_visitors, setup_s, n_failed, rss_before, rss_after,
	       per_stream_kb, target, rate, n_delivered, p50, p99, n_errors);
	printf("{\"streams\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"rss_per_stream_kb\":%.2f,\"delivered\":%d,"
	       "\"sent\":%d,\"errors\":%d,\"rate\":%d}\n", n_open, p50, p99, per_stream_kb, n_delivered, target, n_errors,
	       rate);
	free(lat);
	return 0;
}
