/* Server-Sent Event streams of routing events (stream.h). */
#include "daemon/stream.h"
#include "daemon/hub.h"
#include "daemon/server.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#define PING_SECONDS 15
#define REPLAY_PAGE 1000

struct stream {
	struct streams *owner;
	struct evhttp_request *req;
	int64_t tenant_id;
	int64_t agent_id;           /* the agent whose events it carries; 0: all (supervisor) */
	int64_t cursor;             /* the last event id sent */
	uint64_t stats_generation;
	bool supervisor;
	struct stream *prev, *next;
};

struct streams {
	struct worker *worker;
	struct event *wake, *ping;
	struct stream *head;
};

static void append_frame(const char *frame, size_t len, void *out)
{
	evbuffer_add(out, frame, len);
}

struct replay {
	struct stream *st;
	struct evbuffer *out;
};

static void append_stored(const struct store_event *ev, void *arg)
{
	struct replay *rp = arg;
	rp->st->cursor = ev->id;
	if (rp->st->agent_id && ev->agent_id != rp->st->agent_id)
		return;
	evbuffer_add_printf(rp->out, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)ev->id, ev->type, ev->data);
}

/* Events after the stream's cursor from the store, up to the hub's newest. */
static void replay_from_store(struct stream *st, struct evbuffer *out)
{
	struct replay rp = {st, out};
	int64_t until = hub_last_id(st->owner->worker->server->hub);
	int n;
	do
		n = store_routing_events_after(st->owner->worker->db, st->tenant_id, st->cursor, REPLAY_PAGE,
					       append_stored, &rp);
	while (n == REPLAY_PAGE);
	if (st->cursor < until)
		st->cursor = until; /* what is left was not of this tenant */
}

static void deliver(struct stream *st)
{
	struct hub *hub = st->owner->worker->server->hub;
	struct evbuffer *out = evbuffer_new();
	if (out == NULL)
		return;
	if (!hub_read(hub, st->tenant_id, st->agent_id, &st->cursor, append_frame, out)) {
		replay_from_store(st, out); /* fell behind the hub's ring */
		hub_read(hub, st->tenant_id, st->agent_id, &st->cursor, append_frame, out);
	}
	if (st->supervisor)
		hub_read_stats(hub, st->tenant_id, &st->stats_generation, append_frame, out);
	if (evbuffer_get_length(out))
		evhttp_send_reply_chunk(st->req, out);
	evbuffer_free(out);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct streams *s = arg;
	for (struct stream *st = s->head; st; st = st->next)
		deliver(st);
}

static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	struct streams *s = arg;
	for (struct stream *st = s->head; st; st = st->next) {
		struct evbuffer *out = evbuffer_new();
		if (out) {
			evbuffer_add(out, ": ping\n\n", 8);
			evhttp_send_reply_chunk(st->req, out);
			evbuffer_free(out);
		}
	}
}

static void unlink_stream(struct stream *st)
{
	if (st->prev)
		st->prev->next = st->next;
	else
		st->owner->head = st->next;
	if (st->next)
		st->next->prev = st->prev;
}

static void on_close(struct evhttp_connection *conn, void *arg)
{
	struct stream *st = arg;
	unlink_stream(st);
	/* evhttp detached the request it was still sending (the client went
	 * away): ending it frees it */
	if (evhttp_request_get_connection(st->req) == NULL)
		evhttp_send_reply_end(st->req);
	free(st);
}

struct streams *streams_new(struct worker *w)
{
	struct streams *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->worker = w;
	s->wake = event_new(w->base, -1, 0, on_wake, s);
	s->ping = event_new(w->base, -1, EV_PERSIST, on_ping, s);
	struct timeval every = {PING_SECONDS, 0};
	if (s->wake == NULL || s->ping == NULL || event_add(s->ping, &every) < 0) {
		streams_free(s);
		return NULL;
	}
	hub_add_waker(w->server->hub, s->wake);
	return s;
}

void streams_free(struct streams *s)
{
	if (s == NULL)
		return;
	while (s->head) {
		struct stream *st = s->head;
		unlink_stream(st);
		struct evhttp_connection *conn = evhttp_request_get_connection(st->req);
		if (conn)
			evhttp_connection_set_closecb(conn, NULL, NULL);
		evhttp_send_reply_end(st->req);
		free(st);
	}
	if (s->wake)
		event_free(s->wake);
	if (s->ping)
		event_free(s->ping);
	free(s);
}

int run_events(struct request *r, struct store *db)
{
	struct streams *s = r->worker->streams;
	bool supervisor = role_can(r->scope.role, PERM_ROUTING_SUPERVISE);
	if (!supervisor && r->scope.user_id == 0)
		return reply_error(r, 403, "forbidden", NULL, "an agent's stream needs the agent's own session");
	const char *last = evhttp_find_header(evhttp_request_get_input_headers(r->ev), "Last-Event-ID");
	if (last == NULL)
		last = query_get(r, "last_event_id");
	int64_t cursor = 0;
	if (last && gc_parse_i64(last, 0, INT64_MAX, &cursor) < 0)
		return reply_error(r, 400, "invalid", "Last-Event-ID", "Last-Event-ID is an event id (an integer)");
	struct stream *st = s ? calloc(1, sizeof(*st)) : NULL;
	if (st == NULL)
		return reply_error(r, 503, "out_of_memory", NULL, "cannot open a stream now");
	*st = (struct stream){.owner = s, .req = r->ev, .tenant_id = r->scope.tenant_id,
		.agent_id = supervisor ? 0 : r->scope.user_id, .supervisor = supervisor,
		.cursor = last ? cursor : hub_last_id(r->worker->server->hub)};
	struct evkeyvalq *headers = evhttp_request_get_output_headers(r->ev);
	evhttp_add_header(headers, "Content-Type", "text/event-stream");
	evhttp_add_header(headers, "Cache-Control", "no-store");
	evhttp_add_header(headers, "X-Accel-Buffering", "no");
	struct evhttp_connection *conn = evhttp_request_get_connection(r->ev);
	evhttp_connection_set_timeout(conn, 24 * 3600); /* the ping keeps it alive, not requests */
	evhttp_connection_set_closecb(conn, on_close, st);
	evhttp_send_reply_start(r->ev, 200, "OK");
	st->next = s->head;
	if (s->head)
		s->head->prev = st;
	s->head = st;
	struct evbuffer *out = evbuffer_new();
	if (out) {
		evbuffer_add_printf(out, "retry: 2000\n\n");
		if (last)
			replay_from_store(st, out);
		evhttp_send_reply_chunk(r->ev, out);
		evbuffer_free(out);
	}
	deliver(st);
	r->status = 200;
	r->streaming = true;
	return GC_OK;
}
