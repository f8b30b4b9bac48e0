/* The HTTP layer under attack, against the real daemon over raw sockets:
 * bodies refused from their Content-Length before they are read, the head
 * deadline (slowloris), connections per address, duplicate Content-Length,
 * errors that are all JSON, /metrics behind a token or its own listener,
 * live streams that fall behind, streams that end with their token, and
 * large answers to clients that read slowly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testport.h"

#define ADMIN "admin@http.example"
#define PASSWORD "correct horse"

static struct daemon d;
static char *admin;
static int metrics_port;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A connection to port from the loopback address source ("127.0.0.1"...). */
static int dial(int port, const char *source, int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_in a = {.sin_family = AF_INET};
	inet_pton(AF_INET, source, &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void send_text(int fd, const char *text)
{
	size_t len = strlen(text), sent = 0;
	while (sent < len) {
		ssize_t n = send(fd, text + sent, len - sent, MSG_NOSIGNAL);
		if (n <= 0)
			return; /* the daemon may close first: what it answered is what counts */
		sent += (size_t)n;
	}
}

/* Reads until the peer closes, buf is full or timeout_ms passes; the
 * number of bytes read. */
static size_t read_until_close(int fd, char *buf, size_t cap, int timeout_ms, bool *ret_closed)
{
	size_t len = 0;
	long long end = now_ms() + timeout_ms;
	*ret_closed = false;
	while (len + 1 < cap && now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			break;
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0) {
			*ret_closed = true;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* Sends a raw request on a new connection and reads the answer until the
 * daemon closes or timeout_ms; the status, or 0. */
static int exchange(const char *request, char *answer, size_t cap, int timeout_ms)
{
	int fd = dial(d.port, "127.0.0.1", 0);
	send_text(fd, request);
	bool closed;
	read_until_close(fd, answer, cap, timeout_ms, &closed);
	close(fd);
	int status = 0;
	sscanf(answer, "HTTP/1.1 %d", &status);
	return status;
}

/* The answer's body is a JSON error with a code. */
static void assert_json_error(const char *answer, const char *code)
{
	assert_non_null(strstr(answer, "Content-Type: application/json"));
	const char *body = strstr(answer, "\r\n\r\n");
	assert_non_null(body);
	json_error_t err;
	json_t *json = json_loads(body + 4, JSON_DISABLE_EOF_CHECK, &err);
	assert_non_null(json);
	const char *got = json_string_value(json_object_get(json_object_get(json, "error"), "code"));
	assert_non_null(got);
	if (code)
		assert_string_equal(got, code);
	json_decref(json);
}

static int group_setup(void **state)
{
	metrics_port = testport_free();
	char metrics[32];
	snprintf(metrics, sizeof(metrics), "127.0.0.1:%d", metrics_port);
	if (daemon_init(&d, "web", ADMIN, PASSWORD) != 0 ||
	    daemon_start(&d, "--head-timeout", "2", "--max-connections-per-address", "40", "--stream-backlog",
			 "16384", "--metrics-listen", metrics, "--threads", "2", NULL) != 0)
		return -1;
	admin = login(&d, ADMIN, PASSWORD);
	return 0;
}

static int group_teardown(void **state)
{
	free(admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* Finding 13: a second Content-Length is request smuggling behind a proxy. */
static void duplicate_content_length_is_refused(void **state)
{
	char answer[4096];
	int status = exchange("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			      "Content-Length: 2\r\nContent-Length: 60\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
			      answer, sizeof(answer), 3000);
	assert_int_equal(status, 400);
	assert_json_error(answer, "invalid");
	assert_null(strstr(answer + 12, "HTTP/1.1 200")); /* the smuggled request was not served */
	status = exchange("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			  "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			  answer, sizeof(answer), 3000);
	assert_int_equal(status, 400);
	assert_json_error(answer, "invalid");
}

/* The trailer fields of a chunked body are not headers: a token, a tenant
 * or an X-Forwarded-For sent there is ignored (they were read, unterminated,
 * past the head's buffer). */
static void chunked_trailers_are_not_headers(void **state)
{
	char request[512], answer[4096];
	snprintf(request, sizeof(request),
		 "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
		 "2\r\n{}\r\n0\r\nAuthorization: Bearer %s\r\nX-Trailer: hello\r\n\r\n", admin);
	assert_int_equal(exchange(request, answer, sizeof(answer), 3000), 401);
	assert_json_error(answer, "unauthorized");
}

/* Finding 16: every error is JSON, whoever produces it. */
static void every_error_is_json(void **state)
{
	static const struct {
		const char *request;
		int status;
		const char *code;
	} cases[] = {
		{"OPTIONS /api/v1/contacts HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"},
		{"TRACE /api/v1/contacts HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"},
		{"BREW /api/v1/contacts HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"},
		{"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found"},
		{"GET nowhere at all\r\n\r\n", 400, "invalid"},
		{"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400, "invalid"},
		{"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Content-Length: 99999999999\r\n\r\n", 413, "too_large"},
		{"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Expect: coffee\r\nContent-Length: 2\r\n\r\n{}", 417, "expectation_failed"},
	};
	char answer[4096];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = exchange(cases[i].request, answer, sizeof(answer), 3000);
		if (status != cases[i].status)
			print_error("case %zu: %s\n", i, answer);
		assert_int_equal(status, cases[i].status);
		assert_json_error(answer, cases[i].code);
	}
	/* a head over 16 KiB */
	char *big = malloc(40000);
	int len = snprintf(big, 40000, "GET /healthz HTTP/1.1\r\nX-Padding: ");
	memset(big + len, 'a', 30000);
	snprintf(big + len + 30000, 100, "\r\n\r\n");
	assert_int_equal(exchange(big, answer, sizeof(answer), 3000), 431);
	assert_json_error(answer, "too_large");
	free(big);
}

/* Finding 5: bodies were read whole (up to 64 MiB) before the 1 MiB limit
 * was checked. Now the Content-Length is refused before the body is sent:
 * the answer arrives while the client has sent only the head. */
static void big_bodies_are_refused_before_reading(void **state)
{
	enum { N = 50 };
	int fds[N];
	long long start = now_ms();
	for (int i = 0; i < N; i++) {
		fds[i] = dial(d.port, i % 2 ? "127.0.0.3" : "127.0.0.8", 0); /* each under its cap of 40 */
		send_text(fds[i], "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
				  "Content-Length: 62000000\r\n\r\n{\"email\":");
	}
	for (int i = 0; i < N; i++) {
		char answer[2048];
		bool closed;
		read_until_close(fds[i], answer, sizeof(answer), 5000, &closed);
		assert_true(closed);
		assert_true(strncmp(answer, "HTTP/1.1 413", 12) == 0);
		assert_json_error(answer, "too_large");
		close(fds[i]);
	}
	assert_true(now_ms() - start < 5000);
	/* the import routes take more, but not more than their limit */
	char answer[2048];
	char request[512];
	snprintf(request, sizeof(request),
		 "POST /api/v1/customers/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		 "Content-Type: text/csv\r\nContent-Length: 4194305\r\n\r\nexternal_id\r\n", admin); /* 4 MiB + 1 */
	assert_int_equal(exchange(request, answer, sizeof(answer), 3000), 413);
	/* and a body within the limit still works, with Expect: 100-continue too */
	snprintf(request, sizeof(request),
		 "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Connection: close\r\nExpect: 100-continue\r\nContent-Length: %zu\r\n\r\n"
		 "{\"email\":\"%s\",\"password\":\"%s\"}",
		 strlen("{\"email\":\"\",\"password\":\"\"}") + strlen(ADMIN) + strlen(PASSWORD), ADMIN, PASSWORD);
	assert_int_equal(exchange(request, answer, sizeof(answer), 5000), 100);
	assert_non_null(strstr(answer, "HTTP/1.1 200 OK"));
}

/* Declaring a big body costs the server nothing until the bytes come:
 * heads that declare more than the 256 MiB all bodies share (six 40 MB
 * learning uploads and twenty-nine 1 MB logins, idle after their head) do
 * not stop another client's login. */
static void declared_bodies_reserve_nothing(void **state)
{
	enum { BIG = 6, SMALL = 29 };
	int fds[BIG + SMALL];
	char big[512];
	snprintf(big, sizeof(big),
		 "POST /api/v1/kb/learn HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		 "Content-Type: application/x-ndjson\r\nContent-Length: 40000000\r\n\r\n{", admin);
	for (int i = 0; i < BIG + SMALL; i++) {
		fds[i] = dial(d.port, "127.0.0.10", 0);
		send_text(fds[i], i < BIG ? big
					  : "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
					    "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{");
	}
	usleep(300 * 1000);
	struct resp r;
	http_json(&d, "POST", "/api/v1/auth/login", NULL, json_pack("{s:s,s:s}", "email", ADMIN, "password", PASSWORD),
		  &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	for (int i = 0; i < BIG + SMALL; i++)
		close(fds[i]);
}

/* Finding 7: a header line every 20 s kept a connection forever. The whole
 * head now has a deadline (2 s in this test), whatever trickles in. */
static void slow_heads_are_cut(void **state)
{
	int fd = dial(d.port, "127.0.0.4", 0);
	long long start = now_ms();
	send_text(fd, "GET /healthz HTTP/1.1\r\n");
	char answer[2048];
	bool closed = false;
	for (int i = 0; i < 8 && !closed; i++) {
		send_text(fd, "X-Slow: 1\r\n");
		read_until_close(fd, answer, sizeof(answer), 700, &closed);
	}
	long long took = now_ms() - start;
	assert_true(closed);
	assert_true(took >= 1500 && took < 4500);
	assert_true(strncmp(answer, "HTTP/1.1 408", 12) == 0);
	assert_json_error(answer, "timeout");
	close(fd);
}

/* Finding 7: 20,100 connections from one address exhausted the
 * descriptors and /healthz stopped answering. Now one address holds at
 * most its share (40 here); the others are still served. */
static void connections_are_capped_per_address(void **state)
{
	enum { CAP = 40 };
	int fds[CAP + 1];
	for (int i = 0; i < CAP; i++)
		fds[i] = dial(d.port, "127.0.0.5", 0);
	usleep(200 * 1000);
	fds[CAP] = dial(d.port, "127.0.0.5", 0);
	char answer[2048];
	bool closed;
	read_until_close(fds[CAP], answer, sizeof(answer), 3000, &closed);
	assert_true(closed);
	assert_true(strncmp(answer, "HTTP/1.1 503", 12) == 0);
	assert_json_error(answer, "busy");
	close(fds[CAP]);
	/* another address is served meanwhile */
	int other = dial(d.port, "127.0.0.6", 0);
	send_text(other, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	read_until_close(other, answer, sizeof(answer), 3000, &closed);
	assert_true(strncmp(answer, "HTTP/1.1 200", 12) == 0);
	close(other);
	/* one leaves, one more may come */
	close(fds[0]);
	usleep(200 * 1000);
	fds[0] = dial(d.port, "127.0.0.5", 0);
	send_text(fds[0], "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	read_until_close(fds[0], answer, sizeof(answer), 3000, &closed);
	assert_true(strncmp(answer, "HTTP/1.1 200", 12) == 0);
	for (int i = 0; i < CAP; i++)
		close(fds[i]);
}

/* Finding 16: /metrics showed failed logins and the database size to
 * anyone. It needs a platform admin's token on the API address, and is open
 * on its own (loopback) listener, which serves nothing else. */
static void metrics_need_a_token_or_their_listener(void **state)
{
	struct resp r;
	http_raw(&d, "GET", "/metrics", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 401);
	resp_clear(&r);
	http_raw(&d, "GET", "/metrics", admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	long long refused = -1;
	const char *line = strstr(r.text, "\nguichet_connections_refused_total ");
	assert_non_null(line);
	sscanf(line, "\nguichet_connections_refused_total %lld", &refused);
	assert_true(refused >= 1); /* the test over the cap per address */
	resp_clear(&r);
	struct daemon m = d;
	m.port = metrics_port;
	snprintf(m.url, sizeof(m.url), "http://127.0.0.1:%d", metrics_port);
	http_raw(&m, "GET", "/metrics", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.text, "guichet_db_size_bytes "));
	resp_clear(&r);
	http_raw(&m, "GET", "/healthz", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	http_raw(&m, "GET", "/api/v1/me", admin, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
}

/* Opens GET /api/v1/events for token on a raw socket; returns it once the
 * head of the answer came. */
static int open_stream(const char *token, int rcvbuf)
{
	int fd = dial(d.port, "127.0.0.7", rcvbuf);
	char request[512], answer[1024];
	snprintf(request, sizeof(request),
		 "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", token);
	send_text(fd, request);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 3000), 1);
	ssize_t n = recv(fd, answer, sizeof(answer) - 1, 0);
	assert_true(n > 12);
	assert_true(strncmp(answer, "HTTP/1.1 200", 12) == 0);
	return fd;
}

/* Finding 6: streams that never read grew without limit. A stream whose
 * unsent output passes its bound (16 KiB here) is closed; its client
 * resumes with Last-Event-ID. */
static void streams_that_do_not_read_are_closed(void **state)
{
	struct resp r;
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "billing"));
	long long me = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email",
			       "agent@http.example", "name", "Agent", "password", PASSWORD, "role", "agent"));
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", me);
	http_json(&d, "PUT", path, admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		  (json_int_t)skill, "proficiency", 5, "capacity", "chat", 1), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	char *agent = login(&d, "agent@http.example", PASSWORD);
	int fd = open_stream(admin, 2048);
	/* events for the supervisor's stream: presence changes */
	for (int i = 0; i < 1500; i++) {
		http_json(&d, "POST", "/api/v1/agents/me/presence", agent,
			  i % 2 ? json_pack("{s:s}", "presence", "available")
				: json_pack("{s:s,s:s}", "presence", "paused", "reason", "a reason long enough to fill"),
			  &r);
		assert_int_equal(r.status, 200);
		resp_clear(&r);
	}
	/* it fell behind the hub's ring, and its round of catching up has not
	 * left for over 3 s: the daemon has reset it, so the read ends at once */
	usleep(4000 * 1000);
	static char buf[8 * 1024 * 1024];
	bool closed;
	long long reading = now_ms();
	size_t len = read_until_close(fd, buf, sizeof(buf), 5000, &closed);
	fprintf(stderr, "# read %zu bytes in %lld ms, %s\n", len, now_ms() - reading, closed ? "closed" : "not closed");
	if (!closed)
		print_error("read %zu bytes, not closed\n", len);
	assert_true(closed);
	assert_true(len < 4 * 1024 * 1024);
	close(fd);
	/* a stream that reads is not closed */
	struct sse s;
	assert_int_equal(sse_open(&s, &d, admin, 0), 200);
	http_json(&d, "POST", "/api/v1/agents/me/presence", agent, json_pack("{s:s}", "presence", "available"), &r);
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/agents/me/presence", agent,
		  json_pack("{s:s,s:s}", "presence", "paused", "reason", "x"), &r);
	resp_clear(&r);
	struct sse_event ev = {0};
	assert_true(sse_next(&s, NULL, 3000, &ev));
	json_decref(ev.data);
	sse_close(&s);
	free(agent);
}

/* The stream on fd is closed by the daemon within 1.5 s of start. */
static void assert_stream_ends(int fd, long long start)
{
	static char buf[64 * 1024];
	bool closed;
	read_until_close(fd, buf, sizeof(buf), 3000, &closed);
	assert_true(closed);
	assert_true(now_ms() - start < 1500);
	close(fd);
}

/* Finding 11: an open stream kept delivering after logout. It ends within
 * a second of its token's end. */
static void streams_end_with_their_token(void **state)
{
	char *token = login(&d, ADMIN, PASSWORD);
	int fd = open_stream(token, 0);
	long long start = now_ms();
	assert_int_equal(http_status(&d, "POST", "/api/v1/auth/logout", token, NULL), 204);
	assert_stream_ends(fd, start);
	free(token);
}

/* Finding 11: a live stream kept delivering after its user was disabled.
 * It ends within a second, as does one opened by a user whose password an
 * admin changed. */
static void streams_end_when_their_user_is_disabled(void **state)
{
	static const char *const emails[] = {"disabled@http.example", "reset@http.example"};
	for (int i = 0; i < 2; i++) {
		long long id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", emails[i],
				       "name", "Supervisor", "password", PASSWORD, "role", "supervisor"));
		char *token = login(&d, emails[i], PASSWORD);
		int fd = open_stream(token, 0);
		char path[64];
		snprintf(path, sizeof(path), i ? "/api/v1/users/%lld/password" : "/api/v1/users/%lld/disable", id);
		long long start = now_ms();
		assert_int_equal(http_status(&d, "POST", path, admin,
					     i ? json_pack("{s:s}", "password", "another horse battery") : NULL),
				 200);
		assert_stream_ends(fd, start);
		free(token);
	}
}

/* A client that has sent all it will (shutdown of its writing side) still
 * gets its answer; a request to upgrade to another protocol is answered as
 * a plain request (the Upgrade is ignored, as RFC 9110 allows). */
static void half_closed_clients_get_their_answer(void **state)
{
	int fd = dial(d.port, "127.0.0.9", 0);
	send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	shutdown(fd, SHUT_WR);
	char answer[2048];
	bool closed;
	read_until_close(fd, answer, sizeof(answer), 3000, &closed);
	assert_true(closed);
	assert_true(strncmp(answer, "HTTP/1.1 200", 12) == 0);
	close(fd);
	assert_int_equal(exchange("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
				  "Upgrade: websocket\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
				  answer, sizeof(answer), 3000), 401);
	assert_json_error(answer, "unauthorized");
	assert_non_null(strstr(answer, "HTTP/1.1 200")); /* the next request on the connection */
}

/* Reads one answer with a Content-Length from fd (its head and body), within
 * timeout_ms; the status, 0 if it did not come whole. */
static int read_answer(int fd, char *buf, size_t cap, size_t *ret_body_len, int timeout_ms)
{
	size_t len = 0, need = 0;
	long long end = now_ms() + timeout_ms;
	char *body = NULL;
	while (len + 1 < cap && now_ms() < end && (body == NULL || len < need)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			break;
		/* byte by byte until the head has ended, so the next answer stays unread */
		ssize_t n = recv(fd, buf + len, body ? need - len : 1, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (body == NULL && (body = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strstr(buf, "Content-Length: ");
			assert_non_null(cl);
			body += 4;
			*ret_body_len = strtoul(cl + 16, NULL, 10);
			need = (size_t)(body - buf) + *ret_body_len;
			assert_true(need < cap);
		}
	}
	int status = 0;
	if (body && len == need)
		sscanf(buf, "HTTP/1.1 %d", &status);
	return status;
}

/* Answers mostly leave in one write, at once; one larger than the socket
 * takes waits for it to drain. A client that reads slowly still gets the
 * whole of a large answer, then the next answer on the same connection
 * (two requests sent together), in order. */
static void large_answers_to_slow_readers_arrive_whole_and_in_order(void **state)
{
	json_t *contact = json_pack("{s:s,s:s}", "channel", "email", "subject", "a long thread");
	char *words = malloc(30001);
	memset(words, 'a', 30000);
	words[30000] = '\0';
	json_object_set_new(contact, "message", json_string(words));
	long long id = post_id(&d, admin, "/api/v1/contacts", contact);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/messages", id);
	for (int i = 0; i < 59; i++)
		assert_int_equal(http_status(&d, "POST", path, admin,
						  json_pack("{s:s,s:s}", "direction", "inbound", "body", words)), 201);
	free(words);
	char request[1024];
	snprintf(request, sizeof(request), "GET /api/v1/contacts/%lld HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
		 id, admin);
	char both[2048];
	snprintf(both, sizeof(both), "%s%s", request, request);
	int fd = dial(d.port, "127.0.0.10", 4096);
	send_text(fd, both);
	usleep(300 * 1000); /* the daemon's socket fills meanwhile */
	size_t cap = 4 << 20, first = 0, second = 0;
	char *buf = malloc(cap);
	assert_int_equal(read_answer(fd, buf, cap, &first, 5000), 200);
	assert_true(first > 1800000);
	assert_non_null(strstr(buf, "\"subject\":\"a long thread\""));
	assert_int_equal(read_answer(fd, buf, cap, &second, 5000), 200);
	assert_int_equal(second, first);
	free(buf);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duplicate_content_length_is_refused),
		cmocka_unit_test(chunked_trailers_are_not_headers),
		cmocka_unit_test(every_error_is_json),
		cmocka_unit_test(big_bodies_are_refused_before_reading),
		cmocka_unit_test(declared_bodies_reserve_nothing),
		cmocka_unit_test(slow_heads_are_cut),
		cmocka_unit_test(connections_are_capped_per_address),
		cmocka_unit_test(metrics_need_a_token_or_their_listener),
		cmocka_unit_test(streams_that_do_not_read_are_closed),
		cmocka_unit_test(streams_end_with_their_token),
		cmocka_unit_test(streams_end_when_their_user_is_disabled),
		cmocka_unit_test(half_closed_clients_get_their_answer),
		cmocka_unit_test(large_answers_to_slow_readers_arrive_whole_and_in_order),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
