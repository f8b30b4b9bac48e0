/* libFuzzer driver for the daemon's HTTP request path (src/daemon/conn.c):
 * each input is written as is to a real loopback connection served by
 * conn_server, then the client half-closes; the server must answer or
 * close without a memory error, whatever the bytes (heads, bodies, chunked
 * encodings, pipelined requests, Content-Length at and past the limits). */
#include "daemon/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BODY_LIMIT 1024

static struct event_base *base;
static struct conn_guard *guard;
static struct conn_server *server;
static struct sockaddr_in address;

static size_t body_limit(void *arg, enum evhttp_cmd_type method, const char *path)
{
	return method == EVHTTP_REQ_POST && strcmp(path, "/small") != 0 ? BODY_LIMIT : 16;
}

/* Reads everything the request path exposes, then answers. */
static void dispatch(void *arg, struct conn *c)
{
	size_t len = 0, sum = 0;
	const char *body = conn_body(c, &len);
	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)body[i];
	const char *path = conn_path(c), *query = conn_query(c);
	sum += path ? strlen(path) : 0;
	sum += query ? strlen(query) : 0;
	for (int i = 0; conn_header_nth(c, "X-Many", i); i++)
		sum++;
	const char *type = conn_header(c, "Content-Type");
	sum += type ? strlen(type) : 0;
	conn_add_header(c, "X-Sum", sum % 2 ? "odd" : "even");
	conn_reply(c, 200, "application/json", "{}\n", 3);
}

static void start(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	socklen_t len = sizeof(address);
	address = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)&address, &len) < 0)
		abort();
	base = event_base_new();
	struct conn_limits limits = {.max_total = 64, .max_per_address = 64, .max_head = 4096,
		.body_budget = 64 * 1024, .max_stream_backlog = 4096, .head_timeout_ms = 1000,
		.idle_timeout_ms = 1000, .body_timeout_ms = 1000, .write_timeout_ms = 1000};
	guard = conn_guard_new(&limits);
	struct conn_handler handler = {.body_limit = body_limit, .dispatch = dispatch};
	server = conn_server_new(base, fd, guard, &handler, 0);
	if (base == NULL || guard == NULL || server == NULL)
		abort();
}

/* A connection to the server, closed later with a reset rather than left
 * in TIME_WAIT (thousands of runs a second use up loopback ports); when
 * none can be had for a while, -1. */
static int dial(void)
{
	struct linger reset = {.l_onoff = 1, .l_linger = 0};
	for (int attempt = 0; attempt < 200; attempt++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			abort();
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)) == 0 &&
		    connect(fd, (struct sockaddr *)&address, sizeof(address)) == 0)
			return fd;
		close(fd);
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(10 * 1000);
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (base == NULL)
		start();
	if (size > 64 * 1024)
		return 0;
	int fd = dial();
	if (fd < 0)
		return 0; /* no loopback port free: the machine's limit, not the server's */
	size_t sent = 0;
	bool closed = false;
	char answer[16 * 1024];
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (size == 0)
		shutdown(fd, SHUT_WR);
	/* the server's own deadlines are a second: past five, it is stuck */
	for (long waited_ms = 0; waited_ms < 5000 && !closed;) {
		if (sent < size) {
			ssize_t n = send(fd, data + sent, size - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			if (sent == size)
				shutdown(fd, SHUT_WR);
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		while (poll(&p, 1, 1) == 1) {
			ssize_t n = recv(fd, answer, sizeof(answer), MSG_DONTWAIT);
			if (n <= 0) {
				closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
				break;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
	}
	if (!closed)
		abort(); /* the server neither answered nor closed within its deadlines: stuck */
	close(fd);
	event_base_loop(base, EVLOOP_NONBLOCK); /* let the server free its side */
	return 0;
}
