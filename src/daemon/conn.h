/* HTTP/1.1 connections: accepting, reading requests with http-parser,
 * writing answers and event streams, over libevent bufferevents.
 *
 * This layer decides what the outside world may make the daemon spend
 * before any handler runs:
 *   - connections in all and per client address (struct conn_guard, shared
 *     by every worker); over either, a JSON 503 and the socket is closed;
 *   - a deadline for the whole request head, counted from its first byte,
 *     so a header line every few seconds does not keep a connection;
 *     idle keep-alive connections, bodies and answers have deadlines too;
 *   - the head's size, and the body's size by route: the limit for the
 *     request's route is asked from the owner as soon as the head is read,
 *     and a Content-Length over it is refused with 413 before one byte of
 *     the body is read; bodies in flight share one memory budget;
 *   - duplicate or conflicting Content-Length, a Transfer-Encoding with a
 *     Content-Length, and any malformed head are 400;
 *   - one request at a time per connection: pipelined requests wait in the
 *     socket until the answer before them has left, so a client that does
 *     not read its answers cannot make them pile up;
 *   - an event stream refuses output past a bound of unsent bytes, and its
 *     owner closes it (the client resumes from its Last-Event-ID).
 * Every answer of this layer, like every answer of the daemon, is JSON.
 *
 * A connection lives on the thread of the event base that accepted it, and
 * every call that changes it is made on that thread. While it is BUSY its
 * worker does not touch it, so the thread running the request (the writer,
 * the hashing pool) may read the request through conn_method, conn_target,
 * conn_header and conn_body.
 *
 *   READING_HEAD ──head read──▶ READING_BODY ──body read──▶ BUSY (owner runs)
 *        ▲                                                   │ conn_reply
 *        └──────── keep-alive, output drained ◀── WRITING ◀──┘
 *                                     BUSY ── conn_stream_begin ──▶ STREAMING
 * The peer closing while BUSY marks the connection gone; it is freed when
 * the owner answers (conn_reply then writes nothing). */
#ifndef GUICHET_DAEMON_CONN_H
#define GUICHET_DAEMON_CONN_H

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct conn_guard;
struct conn_server;

struct conn_limits {
	int max_total;              /* open connections, every worker together */
	int max_per_address;        /* open connections from one client address */
	size_t max_head;            /* request line and headers, bytes */
	size_t body_budget;         /* bytes of request bodies in memory at once, all connections */
	size_t max_stream_backlog;  /* unsent bytes of an event stream before it is closed */
	int head_timeout_ms;        /* from a request's first byte to the end of its head */
	int idle_timeout_ms;        /* keep-alive: waiting for the next request's first byte */
	int body_timeout_ms;        /* from the end of the head to the end of the body */
	int write_timeout_ms;       /* for an answer to leave */
};

/* What the owner (the HTTP dispatcher) provides. */
struct conn_handler {
	/* Whether address is exempt from the cap per address (a trusted proxy,
	 * which carries many clients); NULL: none is. */
	bool (*trusted)(void *arg, const char *address);
	/* The most body bytes the route of method and path accepts. */
	size_t (*body_limit)(void *arg, enum evhttp_cmd_type method, const char *path);
	/* A whole request was read: answer it with conn_reply (now or later,
	 * on this thread) or start a stream. */
	void (*dispatch)(void *arg, struct conn *c);
	void *arg;
};

/* The counters every worker shares. */
struct conn_guard *conn_guard_new(const struct conn_limits *limits);
void conn_guard_free(struct conn_guard *g);
/* Open connections, for /metrics, and those refused since the start. */
void conn_guard_stats(struct conn_guard *g, int *ret_open, uint64_t *ret_refused);

/* Accepts connections on fd (taken) with base's thread; tag is what
 * conn_tag answers for its connections (which listener it came from). */
struct conn_server *conn_server_new(struct event_base *base, int fd, struct conn_guard *guard,
				    const struct conn_handler *handler, int tag);
/* Stops accepting (the open connections stay). */
void conn_server_stop(struct conn_server *srv);
/* Closes every connection and frees srv. NULL is fine. */
void conn_server_free(struct conn_server *srv);

/* The request being served. */
enum evhttp_cmd_type conn_method(const struct conn *c);
const char *conn_path(const struct conn *c);      /* the target's path, as sent (not percent-decoded); NULL when malformed */
const char *conn_query(const struct conn *c);     /* NULL when none */
const char *conn_target(const struct conn *c);    /* the request target as sent: path and query */
const char *conn_header(const struct conn *c, const char *name);
/* Every value of a header that may repeat, one call per value (i from 0). */
const char *conn_header_nth(const struct conn *c, const char *name, int i);
const char *conn_body(const struct conn *c, size_t *ret_len);
/* The body as it arrived, in the connection's chains (NULL when empty):
 * for a handler that takes it a piece at a time (an upload), never made
 * contiguous. Whatever the handler drains is gone for conn_body. */
struct evbuffer *conn_body_buffer(struct conn *c);
/* Serves a connection another part of this process opened on bev (taken;
 * one end of a bufferevent pair on srv's base): a request another node of
 * the cluster handed over. GC_EBUSY when the caps are reached. */
struct bufferevent;
int conn_server_adopt(struct conn_server *srv, struct bufferevent *bev);
const char *conn_peer(const struct conn *c);      /* the peer's address, text */
int conn_tag(const struct conn *c);
/* Whether the request came from another node of the cluster (cluster.h),
 * which names the client in X-Forwarded-For. */
bool conn_relayed(const struct conn *c);

/* Adds a header to the coming answer. */
void conn_add_header(struct conn *c, const char *name, const char *value);
/* Sends the answer (body may be NULL) and goes on with the connection. */
void conn_reply(struct conn *c, int status, const char *content_type, const char *body, size_t len);
/* The same with body's bytes, moved (not copied) into the output: a large
 * binary answer is in memory once. */
struct evbuffer;
void conn_reply_buffer(struct conn *c, int status, const char *content_type, struct evbuffer *body);

/* Starts an event stream: the head is sent without a length, the stream
 * ends when the connection does. on_close is called once if the peer
 * goes; never after conn_stream_end. GC_EIO when the peer has gone
 * already: nothing started, answer with conn_reply as usual. */
int conn_stream_begin(struct conn *c, const char *content_type, void (*on_close)(void *arg), void *arg);
/* Queues data; GC_EBUSY, queuing nothing, when the unsent output would
 * pass the backlog limit: the caller then ends the stream. */
int conn_stream_write(struct conn *c, const char *data, size_t len);
/* Bytes the stream may still queue before the backlog limit, and bytes
 * queued that have not left yet. */
size_t conn_stream_room(const struct conn *c);
size_t conn_stream_unsent(const struct conn *c);
/* Ends the stream and closes the connection once its output has left. */
void conn_stream_end(struct conn *c);
/* Ends the stream of a client that does not read: its unsent output
 * dropped and the connection reset at once (waiting for output a client
 * does not take would hold the connection as long as TCP's probes of its
 * shut window, tens of seconds). The client resumes from its Last-Event-ID. */
void conn_stream_abort(struct conn *c);

#endif
