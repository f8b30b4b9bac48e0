/* HTTP/1.1 connections over bufferevents, requests parsed by http-parser
 * (conn.h has the limits it enforces and the connection's states). */
#include "daemon/conn.h"
#include "guichet/error.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <arpa/inet.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uthash.h>

#define MAX_HEADERS 100
#define READ_HIGH_WATER (256 * 1024) /* input kept per connection, pipelined requests included */
#define STREAM_SNDBUF (64 * 1024)    /* the kernel's send buffer of an event stream */
#define STREAM_PEER_GONE_MS 45000    /* a stream's peer that acknowledges nothing for this long is gone */
#define ACCEPT_PAUSE_MS 100          /* after an accept error */
#define ADDRESS_SHARE 4              /* one address receives at most 1/4 of the body budget */

struct address_count {
	char address[64];
	int n;                      /* connections open */
	size_t body;                /* bytes of bodies being received */
	UT_hash_handle hh;
};

struct conn_guard {
	struct conn_limits limits;
	pthread_mutex_t lock;
	struct address_count *by_address;
	int open;
	uint64_t refused;
	size_t body_in_use;
};

struct conn_server {
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *resume;       /* re-enables the listener after an accept error */
	struct conn_guard *guard;
	struct conn_handler handler;
	int tag;
	struct conn *head;          /* every open connection, to close them at the end */
};

/* CLOSING: the last answer leaving; LINGERING: it has left, the client's
 * last bytes read and dropped before the close (linger) */
enum conn_state { READING_HEAD, READING_BODY, BUSY, WRITING, STREAMING, CLOSING, LINGERING };
enum element { NONE, URL, FIELD, VALUE };

struct header {
	size_t name, value;         /* offsets in the head buffer, NUL-terminated there */
};

struct conn {
	struct conn_server *srv;
	struct bufferevent *bev;
	struct event *timer;
	http_parser parser;
	enum conn_state state;
	bool gone;                  /* the peer left while the owner was busy */
	bool proxy;                 /* a trusted proxy: its clients share its address */
	bool relayed;               /* a request another node of the cluster handed over */
	bool keep_alive;
	bool head_started;
	char peer[64];
	char counted_as[64];        /* the address the caps count it under (IPv6: its /64) */
	/* the request: its head's text, elements separated by NULs */
	char *head;
	size_t head_len, head_cap;
	enum element last;
	size_t url;
	struct header headers[MAX_HEADERS];
	int n_headers;
	struct evhttp_uri *uri;
	enum evhttp_cmd_type method;
	struct evbuffer *body;
	size_t body_limit, reserved;
	int fail_status;            /* set by a parser callback that refuses the request */
	const char *fail_code, *fail_message;
	/* the answer */
	struct evkeyvalq out_headers;
	void (*on_close)(void *arg);
	void *on_close_arg;
	struct conn *prev, *next;
};

/* --- the shared counters --- */

struct conn_guard *conn_guard_new(const struct conn_limits *limits)
{
	struct conn_guard *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->limits = *limits;
	pthread_mutex_init(&g->lock, NULL);
	return g;
}

void conn_guard_free(struct conn_guard *g)
{
	if (g == NULL)
		return;
	struct address_count *a, *tmp;
	HASH_ITER(hh, g->by_address, a, tmp) {
		HASH_DEL(g->by_address, a);
		free(a);
	}
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void conn_guard_stats(struct conn_guard *g, int *ret_open, uint64_t *ret_refused)
{
	pthread_mutex_lock(&g->lock);
	*ret_open = g->open;
	*ret_refused = g->refused;
	pthread_mutex_unlock(&g->lock);
}

/* Counts a new connection from address, or refuses it; a proxy is only
 * held to the cap in all. */
static bool guard_admit(struct conn_guard *g, const char *address, bool proxy)
{
	bool ok = false;
	pthread_mutex_lock(&g->lock);
	struct address_count *a = NULL;
	HASH_FIND_STR(g->by_address, address, a);
	if (g->open < g->limits.max_total && (a == NULL || proxy || a->n < g->limits.max_per_address)) {
		if (a == NULL && (a = calloc(1, sizeof(*a))) != NULL) {
			snprintf(a->address, sizeof(a->address), "%s", address);
			HASH_ADD_STR(g->by_address, address, a);
		}
		if (a) {
			a->n++;
			g->open++;
			ok = true;
		}
	}
	if (!ok)
		g->refused++;
	pthread_mutex_unlock(&g->lock);
	return ok;
}

static void guard_leave(struct conn_guard *g, const char *address)
{
	pthread_mutex_lock(&g->lock);
	struct address_count *a = NULL;
	HASH_FIND_STR(g->by_address, address, a);
	if (a && --a->n == 0) {
		HASH_DEL(g->by_address, a);
		free(a);
	}
	g->open--;
	pthread_mutex_unlock(&g->lock);
}

/* Takes n more bytes of the body budget for c, as they arrive: within the
 * budget in all, and within an address's share of it (a proxy's: the whole). */
static bool guard_reserve(struct conn *c, size_t n)
{
	struct conn_guard *g = c->srv->guard;
	pthread_mutex_lock(&g->lock);
	struct address_count *a = NULL;
	HASH_FIND_STR(g->by_address, c->counted_as, a);
	size_t share = c->proxy ? g->limits.body_budget : g->limits.body_budget / ADDRESS_SHARE;
	bool ok = a && n <= g->limits.body_budget - g->body_in_use && n <= share - a->body;
	if (ok) {
		g->body_in_use += n;
		a->body += n;
		c->reserved += n;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

static void guard_release(struct conn *c)
{
	struct conn_guard *g = c->srv->guard;
	if (c->reserved == 0)
		return;
	pthread_mutex_lock(&g->lock);
	struct address_count *a = NULL;
	HASH_FIND_STR(g->by_address, c->counted_as, a);
	if (a)
		a->body -= c->reserved;
	g->body_in_use -= c->reserved;
	pthread_mutex_unlock(&g->lock);
	c->reserved = 0;
}

/* --- answers --- */

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return status < 500 ? "Error" : "Server Error";
	}
}

/* The Date header's value, formatted once a second per thread. */
static const char *http_date(void)
{
	static _Thread_local char text[40];
	static _Thread_local time_t last;
	time_t now = time(NULL);
	if (now != last) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	return text;
}

/* Writes the status line and the headers; length < 0: none (a stream). */
static void write_head(struct conn *c, int status, const char *content_type, ssize_t length)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, reason(status), http_date());
	if (content_type)
		evbuffer_add_printf(out, "Content-Type: %s\r\n", content_type);
	if (length >= 0 && status != 204 && status != 304) /* those two never carry a length (RFC 9110) */
		evbuffer_add_printf(out, "Content-Length: %zd\r\n", length);
	if (!c->keep_alive)
		evbuffer_add(out, "Connection: close\r\n", 19);
	struct evkeyval *h;
	TAILQ_FOREACH(h, &c->out_headers, next)
		evbuffer_add_printf(out, "%s: %s\r\n", h->key, h->value);
	evbuffer_add(out, "\r\n", 2);
}

static void set_deadline(struct conn *c, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(c->timer, &tv);
}

#define LINGER_MS 2000 /* at most, reading what a client still sends after the last answer */

/* The last answer has left: the write side shut (FIN), what the client
 * still sends read and dropped until it closes its side too or LINGER_MS
 * pass, then the close. Closing at once with its bytes unread would send an
 * RST, which can destroy the answer before the client has read it (a 413 to
 * a client still sending the body it refused). */
static void linger(struct conn *c)
{
	c->state = LINGERING;
	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	struct evbuffer *in = bufferevent_get_input(c->bev);
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_enable(c->bev, EV_READ);
	set_deadline(c, LINGER_MS);
}

/* Sends what the output holds now, as far as the socket takes it: answers
 * mostly leave in this one write. Only what remains waits for the socket to
 * be writable (EV_WRITE enabled, on_write when it has left): a write event
 * added then removed for every answer costs two epoll_ctl calls, as much as
 * the write itself. Answers true when nothing remains. A connection relayed
 * by another node (no socket) always goes the bufferevent's way; an error
 * is left for that way too, which reports it (on_event). The socket's
 * bufferevent keeps its output's start frozen except while it writes
 * itself; so does this. */
static bool send_now(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evutil_socket_t fd = bufferevent_getfd(c->bev);
	if (fd >= 0 && evbuffer_get_length(out) > 0) {
		evbuffer_unfreeze(out, 1);
		evbuffer_write(out, fd);
		evbuffer_freeze(out, 1);
	}
	if (evbuffer_get_length(out) == 0)
		return true;
	bufferevent_enable(c->bev, EV_WRITE);
	return false;
}

/* Ends the connection once what it has queued has left (then linger). */
static void close_soon(struct conn *c)
{
	c->state = CLOSING;
	c->keep_alive = false;
	bufferevent_disable(c->bev, EV_READ);
	if (send_now(c))
		set_deadline(c, 0);
	else
		set_deadline(c, c->srv->guard->limits.write_timeout_ms);
}

/* Answers an error of this layer as JSON and closes. */
static void fail(struct conn *c, int status, const char *code, const char *message)
{
	char body[320];
	int len = snprintf(body, sizeof(body), "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n", code, message);
	c->keep_alive = false;
	evhttp_clear_headers(&c->out_headers);
	write_head(c, status, "application/json", len);
	if (c->method != EVHTTP_REQ_HEAD)
		bufferevent_write(c->bev, body, (size_t)len);
	close_soon(c);
}

void conn_add_header(struct conn *c, const char *name, const char *value)
{
	evhttp_add_header(&c->out_headers, name, value);
}

/* --- the connection's life --- */

static void conn_free(struct conn *c)
{
	struct conn_server *srv = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	guard_release(c);
	guard_leave(srv->guard, c->counted_as);
	bufferevent_free(c->bev);
	event_free(c->timer);
	if (c->uri)
		evhttp_uri_free(c->uri);
	if (c->body)
		evbuffer_free(c->body);
	evhttp_clear_headers(&c->out_headers);
	free(c->head);
	free(c);
}

/* Forgets the request served, ready for the next one on the connection. */
static void reset_request(struct conn *c)
{
	c->state = READING_HEAD;
	c->head_started = false;
	c->head_len = 0;
	c->last = NONE;
	c->n_headers = 0;
	c->fail_status = 0;
	if (c->head_cap > 4096) {
		free(c->head);
		c->head = NULL;
		c->head_cap = 0;
	}
	if (c->uri) {
		evhttp_uri_free(c->uri);
		c->uri = NULL;
	}
	if (c->body) {
		evbuffer_free(c->body);
		c->body = NULL;
	}
	guard_release(c);
	evhttp_clear_headers(&c->out_headers);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
}

static void process_input(struct conn *c);

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	switch (c->state) {
	case READING_HEAD:
		if (c->head_started)
			fail(c, 408, "timeout", "the request head did not arrive in time");
		else
			conn_free(c); /* an idle keep-alive connection */
		break;
	case READING_BODY:
		fail(c, 408, "timeout", "the request body did not arrive in time");
		break;
	case CLOSING: /* at once when nothing was queued, else the write timeout */
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			linger(c);
		else
			conn_free(c);
		break;
	case WRITING:
	case LINGERING:
		conn_free(c);
		break;
	case BUSY:
	case STREAMING:
		break;
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	if (c->state == STREAMING || c->state == CLOSING || c->state == LINGERING)
		evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
	else if (c->state == READING_HEAD || c->state == READING_BODY)
		process_input(c);
	/* BUSY, WRITING: the next request waits in the input (bounded by the
	 * read high-water mark) until this answer has left */
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	if (c->state != STREAMING)
		bufferevent_disable(bev, EV_WRITE); /* the next answer tries send_now first */
	if (c->state == CLOSING) {
		linger(c);
	} else if (c->state == WRITING) {
		if (!c->keep_alive) {
			conn_free(c);
			return;
		}
		reset_request(c);
		set_deadline(c, c->srv->guard->limits.idle_timeout_ms);
		process_input(c);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (c->state == LINGERING) {
		conn_free(c); /* the client closed too, or reset */
		return;
	}
	bool half_closed = (what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR);
	if (half_closed && (c->state == BUSY || c->state == WRITING || c->state == CLOSING)) {
		/* the client has sent all it will (it may still read): answer, then close */
		c->keep_alive = false;
		bufferevent_disable(bev, EV_READ);
		return;
	}
	if (c->state == BUSY) {
		c->gone = true; /* freed when the owner answers */
		bufferevent_disable(bev, EV_READ | EV_WRITE);
		return;
	}
	if (c->state == STREAMING && c->on_close)
		c->on_close(c->on_close_arg);
	conn_free(c);
}

/* --- the parser's callbacks --- */

static int refuse(struct conn *c, int status, const char *code, const char *message)
{
	c->fail_status = status;
	c->fail_code = code;
	c->fail_message = message;
	return -1;
}

/* Appends a piece of the head; a new element starts after a NUL. The
 * trailer fields of a chunked body come through the same callbacks after
 * the head: they are dropped, never mixed with the head's fields. */
static int head_append(struct conn *c, enum element kind, const char *at, size_t len)
{
	if (c->state != READING_HEAD)
		return 0;
	size_t max = c->srv->guard->limits.max_head;
	bool starts = kind != c->last;
	if (c->head_len + len + 2 > max)
		return refuse(c, 431, "too_large", "the request head is too large");
	if (c->head_len + len + 2 > c->head_cap) {
		size_t cap = c->head_cap ? c->head_cap : 1024;
		while (cap < c->head_len + len + 2)
			cap *= 2;
		char *head = realloc(c->head, cap < max ? cap : max);
		if (head == NULL)
			return refuse(c, 503, "out_of_memory", "the server is out of memory");
		c->head = head;
		c->head_cap = cap < max ? cap : max;
	}
	if (starts && c->last != NONE)
		c->head[c->head_len++] = '\0';
	if (starts) {
		struct header *prev = c->n_headers ? &c->headers[c->n_headers - 1] : NULL;
		if (kind == FIELD && prev && prev->value == prev->name)
			prev->value = c->head_len - 1; /* a field without value: "" */
		if (kind == URL) {
			c->url = c->head_len;
		} else if (kind == FIELD) {
			if (c->n_headers == MAX_HEADERS)
				return refuse(c, 431, "too_large", "too many header fields");
			c->headers[c->n_headers++] = (struct header){c->head_len, c->head_len};
		} else {
			c->headers[c->n_headers - 1].value = c->head_len;
		}
	}
	memcpy(c->head + c->head_len, at, len);
	c->head_len += len;
	c->last = kind;
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	return head_append(p->data, URL, at, len);
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	return head_append(p->data, FIELD, at, len);
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	return head_append(p->data, VALUE, at, len);
}

static bool method_of(enum http_method m, enum evhttp_cmd_type *ret)
{
	switch (m) {
	case HTTP_GET: *ret = EVHTTP_REQ_GET; return true;
	case HTTP_POST: *ret = EVHTTP_REQ_POST; return true;
	case HTTP_PUT: *ret = EVHTTP_REQ_PUT; return true;
	case HTTP_PATCH: *ret = EVHTTP_REQ_PATCH; return true;
	case HTTP_DELETE: *ret = EVHTTP_REQ_DELETE; return true;
	case HTTP_HEAD: *ret = EVHTTP_REQ_HEAD; return true;
	case HTTP_OPTIONS: *ret = EVHTTP_REQ_OPTIONS; return true;
	case HTTP_TRACE: *ret = EVHTTP_REQ_TRACE; return true;
	case HTTP_CONNECT: *ret = EVHTTP_REQ_CONNECT; return true;
	default: return false;
	}
}

static int on_headers_complete(http_parser *p)
{
	struct conn *c = p->data;
	if (c->last == NONE)
		return refuse(c, 400, "invalid", "the request has no target");
	c->head[c->head_len++] = '\0'; /* head_append kept room for it */
	c->last = NONE;
	if (c->n_headers > 0 && c->headers[c->n_headers - 1].value == c->headers[c->n_headers - 1].name)
		c->headers[c->n_headers - 1].value = c->head_len - 1; /* a field without value: "" */
	c->keep_alive = http_should_keep_alive(p);
	if (!method_of((enum http_method)p->method, &c->method))
		return refuse(c, 405, "method_not_allowed", "this method is not allowed here");
	c->uri = evhttp_uri_parse_with_flags(c->head + c->url, EVHTTP_URI_NONCONFORMANT);
	if (c->uri == NULL || evhttp_uri_get_path(c->uri) == NULL)
		return refuse(c, 400, "invalid", "malformed request target");
	const struct conn_handler *h = &c->srv->handler;
	c->body_limit = h->body_limit(h->arg, c->method, evhttp_uri_get_path(c->uri));
	bool has_length = (p->flags & F_CONTENTLENGTH) != 0;
	if (has_length && p->content_length > c->body_limit)
		return refuse(c, 413, "too_large", "the body is larger than this route accepts");
	const char *expect = conn_header(c, "Expect");
	if (expect && strcasecmp(expect, "100-continue") != 0)
		return refuse(c, 417, "expectation_failed", "only 'Expect: 100-continue' is understood");
	if (expect && p->http_major == 1 && p->http_minor >= 1) { /* HTTP/1.0 ignores it (RFC 9110) */
		bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		send_now(c);
	}
	c->state = READING_BODY;
	set_deadline(c, c->srv->guard->limits.body_timeout_ms);
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	if (c->body == NULL && (c->body = evbuffer_new()) == NULL)
		return refuse(c, 503, "out_of_memory", "the server is out of memory");
	size_t have = evbuffer_get_length(c->body);
	if (len > c->body_limit - have)
		return refuse(c, 413, "too_large", "the body is larger than this route accepts");
	if (have + len > c->reserved && !guard_reserve(c, have + len - c->reserved))
		return refuse(c, 503, "busy", "the server is receiving too much at once: try again");
	evbuffer_add(c->body, at, len);
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct conn *c = p->data;
	c->state = BUSY;
	http_parser_pause(p, 1); /* one request at a time: the rest waits in the input */
	return 0;
}

static const http_parser_settings parser_settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* Why the parser stopped, as an answer. */
static void fail_parse(struct conn *c)
{
	enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
	if (c->fail_status) {
		fail(c, c->fail_status, c->fail_code, c->fail_message);
	} else if (err == HPE_UNEXPECTED_CONTENT_LENGTH) {
		fail(c, 400, "invalid", "duplicate or conflicting Content-Length");
	} else if (err == HPE_HEADER_OVERFLOW) {
		fail(c, 431, "too_large", "the request head is too large");
	} else if (err == HPE_INVALID_METHOD) {
		fail(c, 405, "method_not_allowed", "this method is not allowed here");
	} else {
		char message[128];
		snprintf(message, sizeof(message), "malformed request: %s", http_errno_description(err));
		fail(c, 400, "invalid", message);
	}
}

/* Feeds the input to the parser until a request is whole or it runs out. */
static void process_input(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	while ((c->state == READING_HEAD || c->state == READING_BODY) && evbuffer_get_length(in) > 0) {
		if (!c->head_started) {
			c->head_started = true;
			set_deadline(c, c->srv->guard->limits.head_timeout_ms);
		}
		struct evbuffer_iovec v;
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		size_t n = http_parser_execute(&c->parser, &parser_settings, v.iov_base, v.iov_len);
		evbuffer_drain(in, n);
		enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
		if (err == HPE_PAUSED) {
			evtimer_del(c->timer);
			c->srv->handler.dispatch(c->srv->handler.arg, c);
			return;
		}
		if (err != HPE_OK) {
			fail_parse(c);
			return;
		}
		if (n == 0) { /* nothing taken, nothing said: never spin on it */
			fail(c, 400, "invalid", "malformed request");
			return;
		}
	}
}

/* --- accepting --- */

static void refuse_connection(int fd)
{
	static const char answer[] =
		"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
		"Retry-After: 1\r\nConnection: close\r\nContent-Length: 89\r\n\r\n"
		"{\"error\":{\"code\":\"busy\",\"message\":\"too many connections from you or in all: try again\"}}\n";
	ssize_t sent = send(fd, answer, sizeof(answer) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)sent; /* best effort: the socket closes either way */
	close(fd);
}

/* What the caps count a peer as: its address, or for IPv6 its /64, since
 * one host is commonly given a whole /64 (the throttle counts the same). */
static void address_key(const struct sockaddr *sa, const char *peer, char *ret, size_t len)
{
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (sa->sa_family != AF_INET6 || IN6_IS_ADDR_V4MAPPED(a6)) { /* an IPv4 client on a dual-stack socket */
		snprintf(ret, len, "%s", peer);
		return;
	}
	struct in6_addr net = *a6;
	memset(net.s6_addr + 8, 0, 8);
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, &net, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "%s", peer);
	snprintf(ret, len, "%s/64", text);
}

/* A connection on bev (taken: freed on failure), admitted by the guard. */
static struct conn *open_conn(struct conn_server *srv, struct bufferevent *bev, const char *peer,
			      const char *counted_as, bool proxy)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct event *timer = c ? evtimer_new(srv->base, on_timer, c) : NULL;
	if (timer == NULL) {
		bufferevent_free(bev);
		free(c);
		return NULL;
	}
	c->srv = srv;
	c->bev = bev;
	c->timer = timer;
	c->proxy = proxy;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	snprintf(c->counted_as, sizeof(c->counted_as), "%s", counted_as);
	TAILQ_INIT(&c->out_headers);
	reset_request(c);
	c->next = srv->head;
	if (srv->head)
		srv->head->prev = c;
	srv->head = c;
	bufferevent_setcb(bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(bev, EV_READ, 0, READ_HIGH_WATER);
	bufferevent_enable(bev, EV_READ);
	bufferevent_disable(bev, EV_WRITE); /* enabled by send_now when an answer waits for the socket */
	set_deadline(c, srv->guard->limits.idle_timeout_ms);
	return c;
}

int conn_server_adopt(struct conn_server *srv, struct bufferevent *bev)
{
	static const char peer[] = "cluster";
	if (!guard_admit(srv->guard, peer, true)) {
		bufferevent_free(bev);
		return GC_EBUSY;
	}
	struct conn *c = open_conn(srv, bev, peer, peer, true);
	if (c == NULL) {
		guard_leave(srv->guard, peer);
		return GC_ENOMEM;
	}
	c->relayed = true;
	return GC_OK;
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *sa, int salen,
		      void *arg)
{
	struct conn_server *srv = arg;
	char peer[64] = "";
	if (getnameinfo(sa, (socklen_t)salen, peer, sizeof(peer), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(peer, sizeof(peer), "unknown");
	bool proxy = srv->handler.trusted && srv->handler.trusted(srv->handler.arg, peer);
	char counted_as[64];
	address_key(sa, peer, counted_as, sizeof(counted_as));
	if (!guard_admit(srv->guard, counted_as, proxy)) {
		refuse_connection(fd);
		return;
	}
	struct bufferevent *bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		guard_leave(srv->guard, counted_as);
		return;
	}
	if (open_conn(srv, bev, peer, counted_as, proxy) == NULL)
		guard_leave(srv->guard, counted_as);
}

/* accept failed (out of descriptors, most likely): the listening socket stays
 * readable, so pause instead of spinning, and try again shortly */
static void on_accept_error(struct evconnlistener *listener, void *arg)
{
	struct conn_server *srv = arg;
	struct timeval pause = {0, ACCEPT_PAUSE_MS * 1000};
	evconnlistener_disable(listener);
	evtimer_add(srv->resume, &pause);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct conn_server *srv = arg;
	if (srv->listener)
		evconnlistener_enable(srv->listener);
}

struct conn_server *conn_server_new(struct event_base *base, int fd, struct conn_guard *guard,
				    const struct conn_handler *handler, int tag)
{
	struct conn_server *srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	*srv = (struct conn_server){.base = base, .guard = guard, .handler = *handler, .tag = tag};
	srv->listener = evconnlistener_new(base, on_accept, srv, LEV_OPT_CLOSE_ON_FREE, 0, fd);
	srv->resume = evtimer_new(base, on_resume, srv);
	if (srv->listener == NULL || srv->resume == NULL) {
		if (srv->listener)
			evconnlistener_free(srv->listener);
		free(srv);
		return NULL;
	}
	evconnlistener_set_error_cb(srv->listener, on_accept_error);
	return srv;
}

void conn_server_stop(struct conn_server *srv)
{
	if (srv && srv->listener) {
		evconnlistener_free(srv->listener);
		srv->listener = NULL;
	}
}

void conn_server_free(struct conn_server *srv)
{
	if (srv == NULL)
		return;
	conn_server_stop(srv);
	while (srv->head)
		conn_free(srv->head);
	event_free(srv->resume);
	free(srv);
}

/* --- the request, for the owner --- */

enum evhttp_cmd_type conn_method(const struct conn *c)
{
	return c->method;
}

const char *conn_path(const struct conn *c)
{
	return c->uri ? evhttp_uri_get_path(c->uri) : NULL;
}

const char *conn_target(const struct conn *c)
{
	return c->head + c->url;
}

const char *conn_query(const struct conn *c)
{
	return c->uri ? evhttp_uri_get_query(c->uri) : NULL;
}

const char *conn_header_nth(const struct conn *c, const char *name, int i)
{
	for (int h = 0; h < c->n_headers; h++) {
		if (strcasecmp(c->head + c->headers[h].name, name) == 0 && i-- == 0)
			return c->head + c->headers[h].value;
	}
	return NULL;
}

const char *conn_header(const struct conn *c, const char *name)
{
	return conn_header_nth(c, name, 0);
}

const char *conn_body(const struct conn *c, size_t *ret_len)
{
	size_t len = c->body ? evbuffer_get_length(c->body) : 0;
	*ret_len = len;
	return len ? (const char *)evbuffer_pullup(c->body, -1) : "";
}

struct evbuffer *conn_body_buffer(struct conn *c)
{
	return c->body;
}

const char *conn_peer(const struct conn *c)
{
	return c->peer;
}

bool conn_relayed(const struct conn *c)
{
	return c->relayed;
}

int conn_tag(const struct conn *c)
{
	return c->srv->tag;
}

/* --- answering --- */

static void replied(struct conn *c);

void conn_reply(struct conn *c, int status, const char *content_type, const char *body, size_t len)
{
	if (c->gone) {
		conn_free(c);
		return;
	}
	write_head(c, status, body ? content_type : NULL, (ssize_t)(body ? len : 0));
	if (body && len && c->method != EVHTTP_REQ_HEAD)
		bufferevent_write(c->bev, body, len);
	replied(c);
}

void conn_reply_buffer(struct conn *c, int status, const char *content_type, struct evbuffer *body)
{
	if (c->gone) {
		conn_free(c);
		return;
	}
	size_t len = evbuffer_get_length(body);
	write_head(c, status, content_type, (ssize_t)len);
	if (len && c->method != EVHTTP_REQ_HEAD)
		bufferevent_write_buffer(c->bev, body);
	replied(c);
}

/* The answer is on its way: the request's body goes, the output is timed. */
static void replied(struct conn *c)
{
	if (c->body) { /* read by now: its memory and budget go back while the answer leaves */
		evbuffer_free(c->body);
		c->body = NULL;
	}
	guard_release(c);
	c->state = WRITING;
	set_deadline(c, c->srv->guard->limits.write_timeout_ms);
	if (send_now(c)) /* on_write, as once the write event has sent it, but from the loop: no recursion */
		bufferevent_trigger(c->bev, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
}

int conn_stream_begin(struct conn *c, const char *content_type, void (*on_close)(void *arg), void *arg)
{
	if (c->gone)
		return GC_EIO; /* the owner answers as usual, which frees it */
	c->keep_alive = false; /* the stream ends with the connection */
	c->on_close = on_close;
	c->on_close_arg = arg;
	/* the kernel's share of a slow stream is bounded too: autotuning
	 * would let it grow to megabytes per connection */
	int sndbuf = STREAM_SNDBUF;
	setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	/* a peer whose network vanished sends no FIN: the pings it does not
	 * acknowledge end the stream (and, for an agent, close the desk) in
	 * under a minute rather than the kernel's retries' quarter of an hour */
	int gone_ms = STREAM_PEER_GONE_MS;
	setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_USER_TIMEOUT, &gone_ms, sizeof(gone_ms));
	write_head(c, 200, content_type, -1);
	c->state = STREAMING;
	guard_release(c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE); /* reading notices the peer leaving */
	return GC_OK;
}

int conn_stream_write(struct conn *c, const char *data, size_t len)
{
	if (c->state != STREAMING)
		return GC_ESTATE;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) + len > c->srv->guard->limits.max_stream_backlog)
		return GC_EBUSY;
	return evbuffer_add(out, data, len) == 0 ? GC_OK : GC_ENOMEM;
}

size_t conn_stream_unsent(const struct conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

size_t conn_stream_room(const struct conn *c)
{
	size_t unsent = conn_stream_unsent(c), max = c->srv->guard->limits.max_stream_backlog;
	return unsent < max ? max - unsent : 0;
}

void conn_stream_abort(struct conn *c)
{
	c->on_close = NULL;
	if (c->state != STREAMING)
		return;
	struct linger reset = {.l_onoff = 1, .l_linger = 0}; /* close sends an RST, drops what is unsent */
	setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	conn_free(c);
}

void conn_stream_end(struct conn *c)
{
	c->on_close = NULL;
	if (c->state == STREAMING)
		close_soon(c);
}
