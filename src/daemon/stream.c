/* Server-Sent Event streams of routing events (stream.h). */
#include "daemon/stream.h"
#include "daemon/authcache.h"
#include "daemon/desks.h"
#include "daemon/hub.h"
#include "daemon/server.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_SECONDS 15
#define REPLAY_PAGE 1000
#define RECHECK_MS 500              /* how soon a revoked token's streams end */
#define REPLAY_BYTES (256 * 1024)   /* at most, per round of a stream behind */
#define REPLAY_PAGES 4              /* pages of REPLAY_PAGE events read per round */
#define STALL_MS 3000               /* a stream behind whose last round has not left by then: ended */

struct stream {
	struct streams *owner;
	struct conn *conn;
	char token[128];            /* to check again after a change of authorizations */
	char tenant_hint[64];
	uint64_t auth_generation;   /* when the token was last checked */
	int64_t expires_at;
	int64_t tenant_id;
	int64_t agent_id;           /* the agent whose events it carries; 0: all (supervisor) */
	/* an outsourcer's supervisor's: the agents it manages (hub_audience),
	 * loaded at the start and again when authorizations change */
	bool managed_only;
	int64_t *managed;
	size_t n_managed;
	int64_t organisation_id;    /* its cut of the queues' figures, 0 for the whole (store_report_viewer_organisation) */
	int64_t cursor;             /* the last event id sent */
	uint64_t stats_generation;
	uint64_t call_seq;          /* the last call frame read (hub_read_calls) */
	bool supervisor;
	int64_t desk_user;          /* the agent whose desk is open while it lives (desks.h); 0: none */
	bool behind;                /* more to replay from the store */
	int64_t stalled_since;      /* behind with its last round unsent since then (ms); 0: not */
	struct stream *prev, *next;
};

struct streams {
	struct worker *worker;
	struct event *wake, *ping, *recheck;
	struct stream *head;
};

static void append_frame(const char *frame, size_t len, void *out)
{
	evbuffer_add(out, frame, len);
}

static struct hub_audience audience_of(const struct stream *st)
{
	return (struct hub_audience){.agent_id = st->agent_id, .managed_only = st->managed_only,
				     .managed = st->managed, .n_managed = st->n_managed,
				     .organisation_id = st->organisation_id};
}

/* Loads whom scope's supervisor stream is cut to (store_managed_agents)
 * and its organisation's cut of the queues' figures, if any; what st had
 * before is replaced only on success. */
static int load_managed(struct stream *st, struct store *db, const struct store_scope *scope)
{
	bool some_only = false;
	int64_t *ids = NULL;
	size_t n = 0;
	int64_t org = 0;
	int rc = store_managed_agents(db, scope, &some_only, &ids, &n);
	if (rc == GC_OK)
		rc = store_report_viewer_organisation(db, scope, &org);
	if (rc < 0) {
		free(ids);
		return rc;
	}
	free(st->managed);
	st->organisation_id = org;
	st->managed_only = some_only;
	st->managed = ids;
	st->n_managed = n;
	return GC_OK;
}

static void stream_free(struct stream *st)
{
	free(st->managed);
	free(st);
}

struct replay {
	struct stream *st;
	struct evbuffer *out;
};

static void append_stored(const struct store_event *ev, void *arg)
{
	struct replay *rp = arg;
	rp->st->cursor = ev->id;
	struct hub_audience a = audience_of(rp->st);
	if (!hub_audience_sees(&a, ev->agent_id))
		return;
	if (!a.managed_only) {
		evbuffer_add_printf(rp->out, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)ev->id, ev->type, ev->data);
		return;
	}
	char *frame = NULL; /* cut as the hub cuts it */
	int len = asprintf(&frame, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)ev->id, ev->type, ev->data);
	if (len < 0)
		return;
	hub_audience_frame(&a, ev->agent_id, frame, (size_t)len, append_frame, rp->out);
	free(frame);
}

/* Events after the stream's cursor from the store, up to the hub's newest,
 * at most REPLAY_PAGES pages and about half the room the stream has left:
 * a stream far behind catches up over several rounds (st->behind), never
 * all at once. A store error keeps the cursor where it was. */
static void replay_from_store(struct stream *st, struct evbuffer *out)
{
	struct replay rp = {st, out};
	int64_t until = hub_last_id(st->owner->worker->server->hub, st->tenant_id);
	size_t budget = conn_stream_room(st->conn) / 2;
	if (budget > REPLAY_BYTES)
		budget = REPLAY_BYTES;
	int n, pages = 0;
	do
		n = store_routing_events_after(st->owner->worker->db, st->tenant_id, st->cursor, REPLAY_PAGE,
					       append_stored, &rp);
	while (n == REPLAY_PAGE && ++pages < REPLAY_PAGES && evbuffer_get_length(out) < budget);
	st->behind = n == REPLAY_PAGE || n < 0;
	if (!st->behind && st->cursor < until)
		st->cursor = until; /* what is left was not of this tenant */
}

static void unlink_stream(struct stream *st)
{
	if (st->desk_user)
		desks_close(st->owner->worker->server->desks, st->tenant_id, st->desk_user);
	if (st->prev)
		st->prev->next = st->next;
	else
		st->owner->head = st->next;
	if (st->next)
		st->next->prev = st->prev;
}

/* Ends the stream: its connection closes once what was sent has left. */
static void end_stream(struct stream *st)
{
	unlink_stream(st);
	conn_stream_end(st->conn);
	stream_free(st);
}

/* Ends the stream of a client that does not read: reset at once. */
static void abort_stream(struct stream *st)
{
	unlink_stream(st);
	conn_stream_abort(st->conn);
	stream_free(st);
}

/* Sends out; a stream that cannot take it (its client reads too slowly)
 * is ended, and its client resumes from its Last-Event-ID. False then. */
static bool send_or_end(struct stream *st, struct evbuffer *out)
{
	size_t len = evbuffer_get_length(out);
	if (len == 0)
		return true;
	if (conn_stream_write(st->conn, (const char *)evbuffer_pullup(out, -1), len) == GC_OK)
		return true;
	abort_stream(st);
	return false;
}

/* Whether the stream's token still gives what the stream was opened with;
 * after a change of authorizations, a supervisor's stream is cut again to
 * the agents it now manages (an outsourcer's supervisor made a tenant
 * admin sees every agent, one placed among an outsourcer's people its own). */
static bool still_allowed(struct stream *st, int64_t now)
{
	if (st->expires_at && now >= st->expires_at)
		return false;
	uint64_t generation = authcache_generation();
	if (generation == st->auth_generation)
		return true;
	struct store *db = st->owner->worker->db;
	struct store_scope scope = {0};
	if (store_auth_token(db, st->token, st->tenant_hint[0] ? st->tenant_hint : NULL, now, &scope) != GC_OK ||
	    scope.tenant_id != st->tenant_id || !role_can(scope.role, PERM_ROUTING_WORK) ||
	    (st->supervisor && !role_can(scope.role, PERM_ROUTING_SUPERVISE)) ||
	    (st->supervisor && load_managed(st, db, &scope) < 0))
		return false;
	st->auth_generation = generation;
	st->expires_at = scope.expires_at;
	return true;
}

/* Sends what the hub has for st; false when the stream had to end. A
 * stream behind sends its next round once the last one has left; one whose
 * client has not taken the last round within STALL_MS (it does not read) is
 * reset, as send_or_end resets one whose output outgrows its room: its client
 * resumes from its Last-Event-ID. */
static bool deliver(struct stream *st)
{
	struct hub *hub = st->owner->worker->server->hub;
	/* nothing is sent under authorizations that changed: what the stream
	 * may carry is decided again first */
	if (!still_allowed(st, gc_now_ms())) {
		end_stream(st);
		return false;
	}
	struct hub_audience a = audience_of(st);
	struct evbuffer *out = evbuffer_new();
	if (out == NULL)
		return true;
	if (st->behind) {
		if (conn_stream_unsent(st->conn) > 0) {
			evbuffer_free(out); /* the last round has not left yet */
			int64_t now = gc_now_ms();
			if (st->stalled_since == 0)
				st->stalled_since = now;
			if (now - st->stalled_since < STALL_MS)
				return true;
			abort_stream(st);
			return false;
		}
		st->stalled_since = 0;
		replay_from_store(st, out);
		if (!st->behind)
			hub_read(hub, st->tenant_id, &a, &st->cursor, append_frame, out);
	} else if (!hub_read(hub, st->tenant_id, &a, &st->cursor, append_frame, out)) {
		replay_from_store(st, out); /* fell behind the hub's ring */
		if (!st->behind)
			hub_read(hub, st->tenant_id, &a, &st->cursor, append_frame, out);
	}
	if (st->supervisor)
		hub_read_stats(hub, st->tenant_id, &a, &st->stats_generation, append_frame, out);
	hub_read_calls(hub, st->tenant_id, &a, &st->call_seq, append_frame, out);
	bool alive = send_or_end(st, out);
	evbuffer_free(out);
	return alive;
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct streams *s = arg;
	for (struct stream *st = s->head, *next; st; st = next) {
		next = st->next;
		deliver(st);
	}
}

static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	struct streams *s = arg;
	for (struct stream *st = s->head, *next; st; st = next) {
		next = st->next;
		if (conn_stream_write(st->conn, ": ping\n\n", 8) != GC_OK)
			abort_stream(st);
	}
}

/* A logout, a revoked token, a disabled user or a new password ends the
 * streams opened with the token within RECHECK_MS. */
static void on_recheck(evutil_socket_t fd, short what, void *arg)
{
	struct streams *s = arg;
	int64_t now = gc_now_ms();
	for (struct stream *st = s->head, *next; st; st = next) {
		next = st->next;
		if (!still_allowed(st, now))
			end_stream(st);
		else if (st->behind)
			deliver(st); /* the next round of its catching up */
	}
}

static void on_close(void *arg)
{
	struct stream *st = arg;
	unlink_stream(st);
	stream_free(st);
}

struct streams *streams_new(struct worker *w)
{
	struct streams *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->worker = w;
	s->wake = event_new(w->base, -1, 0, on_wake, s);
	s->ping = event_new(w->base, -1, EV_PERSIST, on_ping, s);
	s->recheck = event_new(w->base, -1, EV_PERSIST, on_recheck, s);
	struct timeval every = {PING_SECONDS, 0}, soon = {0, RECHECK_MS * 1000};
	if (s->wake == NULL || s->ping == NULL || s->recheck == NULL || event_add(s->ping, &every) < 0 ||
	    event_add(s->recheck, &soon) < 0) {
		streams_free(s);
		return NULL;
	}
	hub_add_waker(w->server->hub, s->wake);
	return s;
}

void streams_end_all(struct streams *s)
{
	while (s && s->head)
		end_stream(s->head);
}

void streams_free(struct streams *s)
{
	if (s == NULL)
		return;
	streams_end_all(s);
	if (s->wake)
		event_free(s->wake);
	if (s->ping)
		event_free(s->ping);
	if (s->recheck)
		event_free(s->recheck);
	free(s);
}

int run_events(struct request *r, struct store *db)
{
	struct streams *s = r->worker->streams;
	bool supervisor = role_can(r->scope.role, PERM_ROUTING_SUPERVISE);
	if (!supervisor && r->scope.user_id == 0)
		return reply_error(r, 403, "forbidden", NULL, "an agent's stream needs the agent's own session");
	const char *last = conn_header(r->conn, "Last-Event-ID");
	if (last == NULL)
		last = query_get(r, "last_event_id");
	int64_t cursor = 0;
	if (last && gc_parse_i64(last, 0, INT64_MAX, &cursor) < 0)
		return reply_error(r, 400, "invalid", "Last-Event-ID", "Last-Event-ID is an event id (an integer)");
	const char *hint = conn_header(r->conn, "X-Guichet-Tenant");
	if (r->token == NULL || strlen(r->token) >= sizeof(((struct stream *)0)->token) ||
	    (hint && strlen(hint) >= sizeof(((struct stream *)0)->tenant_hint)))
		return reply_error(r, 400, "invalid", "Authorization", "this token cannot open a stream");
	/* a new stream starts after the tenant's newest committed event: the
	 * hub may not have seen it yet when another node routes the tenant */
	int64_t newest = hub_last_id(r->worker->server->hub, r->scope.tenant_id), stored = 0;
	if (last == NULL && store_routing_events_last(db, r->scope.tenant_id, &stored) == GC_OK && stored > newest)
		newest = stored;
	struct stream *st = s ? calloc(1, sizeof(*st)) : NULL;
	if (st == NULL)
		return reply_error(r, 503, "out_of_memory", NULL, "cannot open a stream now");
	*st = (struct stream){.owner = s, .conn = r->conn, .tenant_id = r->scope.tenant_id,
		.agent_id = supervisor ? 0 : r->scope.user_id, .supervisor = supervisor,
		.cursor = last ? cursor : newest, .call_seq = hub_call_seq(r->worker->server->hub),
		.auth_generation = authcache_generation(), .expires_at = r->scope.expires_at};
	snprintf(st->token, sizeof(st->token), "%s", r->token);
	snprintf(st->tenant_hint, sizeof(st->tenant_hint), "%s", hint ? hint : "");
	int rc = supervisor ? load_managed(st, db, &r->scope) : GC_OK;
	if (rc < 0) {
		stream_free(st);
		return reply_store_error(r, db, rc, NULL);
	}
	conn_add_header(r->conn, "Cache-Control", "no-store");
	conn_add_header(r->conn, "X-Accel-Buffering", "no");
	if (conn_stream_begin(r->conn, "text/event-stream", on_close, st) < 0) {
		stream_free(st);
		return reply_error(r, 400, "gone", NULL, "the client left");
	}
	st->next = s->head;
	if (s->head)
		s->head->prev = st;
	s->head = st;
	if (r->scope.user_id && r->scope.has_role && role_can(r->scope.role, PERM_ROUTING_WORK)) {
		st->desk_user = r->scope.user_id; /* a supervisor who takes contacts too: their screen is open */
		desks_open(r->worker->server->desks, st->tenant_id, st->desk_user);
	}
	r->status = 200;
	r->streaming = true;
	struct evbuffer *out = evbuffer_new();
	if (out) {
		evbuffer_add_printf(out, "retry: 2000\n\n");
		if (last)
			replay_from_store(st, out);
		bool alive = send_or_end(st, out);
		evbuffer_free(out);
		if (!alive)
			return GC_OK;
	}
	deliver(st);
	return GC_OK;
}
