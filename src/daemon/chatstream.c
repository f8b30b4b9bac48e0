/* The web chat's live streams (chatstream.h). */
#include "daemon/chatstream.h"
#include "daemon/cluster.h"
#include "daemon/server.h"
#include "daemon/writer.h"
#include "daemon/router.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "guichet/wait.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_SECONDS 15
#define WAIT_SECONDS 3
#define BUCKETS 4096      /* a power of two */
#define REPLAY_PAGE 50    /* messages read from the store at once */
#define REPLAY_MAX 2000   /* the most messages a connection replays */

struct chat_stream {
	struct chatstreams *owner;
	struct conn *conn;
	int64_t tenant_id, contact_id;
	int64_t cursor;                /* the last message id sent */
	enum chat_to side;
	bool waiting;                  /* its chat waits for an agent: the ticks ask where it stands */
	uint32_t sent_round;           /* the ping round of its last write (chatstreams.round) */
	struct chat_stream *next;      /* in its bucket */
	struct chat_stream *prev_all, *next_all;
};

struct chatstreams {
	struct worker *worker;
	struct chatbox *box;
	struct event *ping, *tick;
	uint32_t round;                /* seconds of pings so far */
	struct chat_stream *buckets[BUCKETS];
	struct chat_stream *all;
};

static size_t bucket_of(int64_t contact_id)
{
	uint64_t x = (uint64_t)contact_id * 0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 32) & (BUCKETS - 1);
}

int chat_frame(const char *type, int64_t id, json_t *data, char **ret, size_t *ret_len)
{
	char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	if (text == NULL)
		return GC_ENOMEM;
	size_t len = strlen(text) + strlen(type) + 48;
	char *frame = malloc(len);
	int n = frame ? (id > 0 ? snprintf(frame, len, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)id, type, text)
				: snprintf(frame, len, "event: %s\ndata: %s\n\n", type, text))
		      : -1;
	free(text);
	if (n < 0) {
		free(frame);
		return GC_ENOMEM;
	}
	*ret = frame;
	*ret_len = (size_t)n;
	return GC_OK;
}

static void unlink_stream(struct chat_stream *st)
{
	struct chatstreams *s = st->owner;
	for (struct chat_stream **p = &s->buckets[bucket_of(st->contact_id)]; *p; p = &(*p)->next) {
		if (*p == st) {
			*p = st->next;
			break;
		}
	}
	if (st->prev_all)
		st->prev_all->next_all = st->next_all;
	else
		s->all = st->next_all;
	if (st->next_all)
		st->next_all->prev_all = st->prev_all;
	chathub_unwatch(s->box, st->contact_id);
}

static void end_stream(struct chat_stream *st)
{
	unlink_stream(st);
	conn_stream_end(st->conn);
	free(st);
}

static void on_close(void *arg)
{
	struct chat_stream *st = arg;
	unlink_stream(st);
	free(st);
}

/* Sends text; a stream that cannot take it is ended (its client resumes). */
static bool send_text(struct chat_stream *st, const char *text, size_t len)
{
	st->sent_round = st->owner->round;
	if (conn_stream_write(st->conn, text, len) == GC_OK)
		return true;
	end_stream(st);
	return false;
}

static bool send_event(struct chat_stream *st, const char *type, int64_t id, json_t *data)
{
	char *frame = NULL;
	size_t len = 0;
	if (chat_frame(type, id, data, &frame, &len) < 0)
		return true; /* out of memory: the event is lost to this stream, which lives on */
	bool alive = send_text(st, frame, len);
	free(frame);
	return alive;
}

struct delivery {
	int64_t tenant_id, contact_id, up_to;
	bool by_visitor;
};

/* On the writer: the other side's messages up to up_to are delivered. */
static int store_delivery(void *arg, const struct ops *o)
{
	const struct delivery *d = arg;
	return store_chat_mark(o->db, d->tenant_id, d->contact_id, d->by_visitor ? "outbound" : "inbound", d->up_to, false);
}

/* The other side learns that st's side got message id; it is stored on the
 * messages by the writer, with nobody waiting (a mark lost to a crash is a
 * mark the next stream sends again). */
static void delivered(struct chat_stream *st, int64_t id)
{
	struct delivery *d = malloc(sizeof(*d));
	if (d) {
		*d = (struct delivery){.tenant_id = st->tenant_id, .contact_id = st->contact_id, .up_to = id,
				       .by_visitor = st->side == CHAT_TO_VISITOR};
		writer_post(st->owner->worker->server->writer, store_delivery, d);
	}
	char *frame = NULL;
	size_t len = 0;
	bool visitor = st->side == CHAT_TO_VISITOR;
	if (chat_frame("mark", 0, json_pack("{s:I,s:s,s:s}", "up_to", (json_int_t)id, "state", "delivered", "by",
					    visitor ? "visitor" : "agent"), &frame, &len) < 0)
		return;
	struct chat_note n = {.contact_id = st->contact_id, .to = visitor ? CHAT_TO_AGENT : CHAT_TO_VISITOR,
			      .frame = frame, .len = len};
	chathub_publish(st->owner->worker->server->chathub, &n);
	free(frame);
}

static void ask_wait(struct chat_stream *st);

/* The chat's state from the store, and its wait from the writer (ask_wait);
 * false when the stream ended. */
static bool send_state(struct chat_stream *st, bool with_wait)
{
	struct store_chat_live live;
	if (store_chat_live(st->owner->worker->db, st->tenant_id, st->contact_id, &live) < 0)
		return true;
	json_t *data = json_pack("{s:s}", "state", live.state);
	if (data && live.agent[0])
		json_object_set_new(data, "agent", json_string(live.agent));
	st->waiting = strcmp(live.state, "waiting") == 0;
	if (!send_event(st, "state", 0, data))
		return false;
	if (with_wait && st->waiting)
		ask_wait(st);
	return true;
}

/* What the stream missed and where the chat is; false when it ended. */
static bool catch_up(struct chat_stream *st)
{
	struct store *db = st->owner->worker->db;
	bool visitor = st->side == CHAT_TO_VISITOR;
	int64_t newest_other = 0;
	for (int sent = 0; sent < REPLAY_MAX; sent += REPLAY_PAGE) {
		json_t *list = NULL, *m;
		size_t i;
		if (store_chat_messages_after(db, st->tenant_id, st->contact_id, st->cursor, REPLAY_PAGE, &list) < 0)
			break;
		size_t n = json_array_size(list);
		json_array_foreach(list, i, m) {
			int64_t id = json_integer_value(json_object_get(m, "id"));
			const char *kind = json_string_value(json_object_get(m, "kind"));
			if (strcmp(kind, visitor ? "outbound" : "inbound") == 0)
				newest_other = id;
			st->cursor = id;
			if (!send_event(st, "message", id, json_incref(m))) {
				json_decref(list);
				return false;
			}
		}
		json_decref(list);
		if (n < REPLAY_PAGE)
			break;
	}
	if (newest_other)
		delivered(st, newest_other);
	if (!send_state(st, true))
		return false;
	int64_t got = 0, read = 0; /* the other side's marks on this side's messages */
	const char *by = visitor ? "agent" : "visitor";
	if (store_chat_last_marks(db, st->tenant_id, st->contact_id, visitor ? "inbound" : "outbound", &got, &read) < 0)
		return true;
	if (got > read && !send_event(st, "mark", 0, json_pack("{s:I,s:s,s:s}", "up_to", (json_int_t)got, "state",
								"delivered", "by", by)))
		return false;
	if (read > 0)
		return send_event(st, "mark", 0, json_pack("{s:I,s:s,s:s}", "up_to", (json_int_t)read, "state", "read", "by", by));
	return true;
}

/* A routing change of the stream's contact. */
static void routing_note(struct chat_stream *st, const struct chat_note *n)
{
	if (strcmp(n->frame, "accepted") == 0 || strcmp(n->frame, "wrapup_started") == 0 ||
	    strcmp(n->frame, "abandoned") == 0 || strcmp(n->frame, "transferred") == 0 ||
	    strcmp(n->frame, "moved") == 0 || strcmp(n->frame, "escalated") == 0)
		send_state(st, true);
}

/* A note of a contact this worker watches, to its streams of that contact. */
static void on_note(void *arg, const struct chat_note *n)
{
	struct chatstreams *s = arg;
	if (n->to == CHAT_RESUME) {
		chatstreams_end_all(s);
		return;
	}
	for (struct chat_stream *st = s->buckets[bucket_of(n->contact_id)], *next; st; st = next) {
		next = st->next;
		if (st->contact_id != n->contact_id)
			continue;
		if (n->to == CHAT_ROUTING) {
			routing_note(st, n);
			continue;
		}
		if (!(n->to & st->side) || (n->id > 0 && n->id <= st->cursor))
			continue; /* not for this side, or a message sent already */
		bool mine = n->id > 0 && ((st->side == CHAT_TO_VISITOR) == (strstr(n->frame, "\"kind\":\"inbound\"") != NULL));
		if (n->id > 0)
			st->cursor = n->id;
		if (send_text(st, n->frame, n->len) && n->id > 0 && !mine)
			delivered(st, n->id);
	}
}

/* Each second, a fifteenth of the streams (by their chat's id) that have
 * been quiet since their last turn get a comment line, which keeps idle
 * connections open through proxies: 10,000 streams never make one burst
 * of 10,000 writes that would hold up the messages behind it. */
static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	struct chatstreams *s = arg;
	uint32_t turn = ++s->round % PING_SECONDS;
	for (struct chat_stream *st = s->all, *next; st; st = next) {
		next = st->next_all;
		if ((uint64_t)st->contact_id % PING_SECONDS == turn && s->round - st->sent_round >= PING_SECONDS)
			send_text(st, ": ping\n\n", 8);
	}
}

/* The waits to tell: the chats this worker's streams wait on, each once,
 * by tenant. */
struct waiting_chat {
	int64_t tenant_id, contact_id;
};

struct wait_task {
	struct chathub *hub;
	struct cluster *cluster;   /* asked for the chats of tenants routed elsewhere; NULL alone */
	bool force;                /* a stream just opened: told even if nothing moved */
	size_t n;
	struct waiting_chat chats[];
};

static int by_tenant(const void *a, const void *b)
{
	int64_t x = ((const struct waiting_chat *)a)->tenant_id, y = ((const struct waiting_chat *)b)->tenant_id;
	return x < y ? -1 : x > y;
}

void chatstreams_tell_wait(struct chathub *hub, int64_t contact_id, bool waiting, uint32_t position,
			   int64_t expected_s, bool force)
{
	char *frame = NULL;
	size_t len = 0;
	if (!waiting) {
		struct chat_note n = {.contact_id = contact_id, .to = CHAT_ROUTING, .frame = "moved", .len = 5};
		chathub_publish_here(hub, &n, 1);
		return;
	}
	if (!chathub_wait_changed(hub, contact_id, position, expected_s) && !force)
		return; /* nothing moved: nothing to tell */
	if (chat_frame("wait", 0, json_pack("{s:I,s:o}", "position", (json_int_t)position, "expected_s",
					    expected_s >= 0 ? json_integer(expected_s) : json_null()), &frame, &len) < 0)
		return;
	struct chat_note n = {.contact_id = contact_id, .to = CHAT_TO_BOTH, .frame = frame, .len = len};
	chathub_publish_here(hub, &n, 1);
	free(frame);
}

/* On the writer, which holds the routing engine: the places of each
 * tenant's chats, each queue walked once (router_contacts_load); those of
 * a tenant another node routes, asked of that node. */
static int tell_waits(void *arg, const struct ops *o)
{
	struct wait_task *t = arg;
	qsort(t->chats, t->n, sizeof(t->chats[0]), by_tenant);
	int64_t *ids = malloc(t->n * sizeof(*ids));
	struct router_load *loads = malloc(t->n * sizeof(*loads));
	bool *ok = malloc(t->n * sizeof(*ok));
	for (size_t i = 0, j; ids && loads && ok && i < t->n; i = j) {
		for (j = i; j < t->n && t->chats[j].tenant_id == t->chats[i].tenant_id; j++)
			ids[j - i] = t->chats[j].contact_id;
		if (router_contacts_load(o->router, t->chats[i].tenant_id, ids, j - i, loads, ok) < 0) {
			if (t->cluster) /* the tenant's routing is another node's */
				cluster_ask_waits(t->cluster, t->chats[i].tenant_id, ids, j - i, t->force);
			continue;
		}
		for (size_t k = 0; k < j - i; k++) {
			int64_t ms = router_load_wait_ms(&loads[k], ROUTE_WAIT_DEFAULT_HANDLE_MS);
			chatstreams_tell_wait(t->hub, ids[k], ok[k], loads[k].ahead + 1, ms >= 0 ? ms / 1000 : -1, t->force);
		}
	}
	free(ids);
	free(loads);
	free(ok);
	return GC_OK;
}

/* The writer tells st's chat where it stands, now (a stream that opens,
 * or a chat back in a queue): the routing engine knows the place, where
 * the store would count the contacts ahead. */
static void ask_wait(struct chat_stream *st)
{
	struct wait_task *t = malloc(sizeof(*t) + sizeof(t->chats[0]));
	if (t == NULL)
		return; /* the next move tells it */
	t->hub = st->owner->worker->server->chathub;
	t->cluster = st->owner->worker->server->cluster;
	t->force = true;
	t->n = 1;
	t->chats[0] = (struct waiting_chat){.tenant_id = st->tenant_id, .contact_id = st->contact_id};
	writer_post(st->owner->worker->server->writer, tell_waits, t);
}

/* Whether an earlier stream of st's bucket follows the same chat. */
static bool seen_before(const struct chat_stream *first, const struct chat_stream *st)
{
	for (const struct chat_stream *o = first; o != st; o = o->next)
		if (o->contact_id == st->contact_id && o->waiting)
			return true;
	return false;
}

/* Every WAIT_SECONDS: the chats still waiting hear where they stand, from
 * the writer (tell_waits). Nothing is read from the store here: a stream
 * learns that its chat stopped waiting from the routing's notes, and
 * tell_waits sends the "moved" note for any it finds no longer waiting. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct chatstreams *s = arg;
	size_t n = 0, cap = 0;
	struct wait_task *t = NULL;
	for (size_t b = 0; b < BUCKETS; b++) {
		for (struct chat_stream *st = s->buckets[b]; st; st = st->next) {
			if (!st->waiting || seen_before(s->buckets[b], st))
				continue;
			if (n == cap) {
				size_t more = cap ? cap * 2 : 16;
				struct wait_task *grown = realloc(t, sizeof(*t) + more * sizeof(t->chats[0]));
				if (grown == NULL)
					break;
				t = grown;
				cap = more;
			}
			t->chats[n].tenant_id = st->tenant_id;
			t->chats[n++].contact_id = st->contact_id;
		}
	}
	if (n == 0) {
		free(t);
		return;
	}
	t->hub = s->worker->server->chathub;
	t->cluster = s->worker->server->cluster;
	t->force = false;
	t->n = n;
	writer_post(s->worker->server->writer, tell_waits, t);
}

struct chatstreams *chatstreams_new(struct worker *w)
{
	struct chatstreams *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->worker = w;
	s->box = chatbox_new(w->server->chathub, w->base, on_note, s);
	s->ping = event_new(w->base, -1, EV_PERSIST, on_ping, s);
	s->tick = event_new(w->base, -1, EV_PERSIST, on_tick, s);
	struct timeval every = {1, 0}, wait = {WAIT_SECONDS, 0};
	if (s->box == NULL || s->ping == NULL || s->tick == NULL || event_add(s->ping, &every) < 0 ||
	    event_add(s->tick, &wait) < 0) {
		chatstreams_free(s);
		return NULL;
	}
	return s;
}

void chatstreams_end_all(struct chatstreams *s)
{
	while (s && s->all)
		end_stream(s->all);
}

void chatstreams_free(struct chatstreams *s)
{
	if (s == NULL)
		return;
	chatstreams_end_all(s);
	if (s->ping)
		event_free(s->ping);
	if (s->tick)
		event_free(s->tick);
	chatbox_free(s->box);
	free(s);
}

int chatstreams_open(struct request *r, struct store *db, int64_t contact_id, enum chat_to side)
{
	struct chatstreams *s = r->worker->chat;
	const char *last = conn_header(r->conn, "Last-Event-ID");
	if (last == NULL)
		last = query_get(r, "after");
	int64_t cursor = 0;
	if (last && gc_parse_i64(last, 0, INT64_MAX, &cursor) < 0)
		return reply_error(r, 400, "invalid", "Last-Event-ID", "Last-Event-ID (or after) is a message id");
	struct chat_stream *st = s ? calloc(1, sizeof(*st)) : NULL;
	if (st == NULL || chathub_watch(s->box, contact_id) < 0) {
		free(st);
		return reply_error(r, 503, "out_of_memory", NULL, "cannot open a stream now");
	}
	*st = (struct chat_stream){.owner = s, .conn = r->conn, .tenant_id = r->scope.tenant_id,
				   .contact_id = contact_id, .cursor = cursor, .side = side};
	conn_add_header(r->conn, "Cache-Control", "no-store");
	conn_add_header(r->conn, "X-Accel-Buffering", "no");
	if (conn_stream_begin(r->conn, "text/event-stream", on_close, st) < 0) {
		chathub_unwatch(s->box, contact_id);
		free(st);
		return reply_error(r, 400, "gone", NULL, "the client left");
	}
	size_t b = bucket_of(contact_id);
	st->next = s->buckets[b];
	s->buckets[b] = st;
	st->next_all = s->all;
	if (s->all)
		s->all->prev_all = st;
	s->all = st;
	r->status = 200;
	r->streaming = true;
	if (send_text(st, "retry: 2000\n\n", 13))
		catch_up(st);
	return GC_OK;
}
