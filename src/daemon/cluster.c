/* The cluster: leases, hand-offs and events between nodes over NATS
 * (cluster.h). */
#include "daemon/cluster.h"
#include "daemon/leases.h"
#include "daemon/desks.h"
#include "daemon/authcache.h"
#include "daemon/chathub.h"
#include "daemon/chatstream.h"
#include "daemon/config.h"
#include "daemon/conn.h"
#include "daemon/http.h"
#include "daemon/hub.h"
#include "daemon/log.h"
#include "daemon/ratelimit.h"
#include "daemon/router.h"
#include "daemon/server.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/wait.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <http_parser.h>
#include <jansson.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uthash.h>

#define SUBJECT_EVENTS "guichet.events"
#define SUBJECT_STATS "guichet.stats"
#define SUBJECT_CALLS "guichet.calls"  /* calls' states (hub.h), Tenant and Agent headers */
#define SUBJECT_AUTHZ "guichet.authz"
#define SUBJECT_LOGINS "guichet.logins" /* logins judged: "NODE\nF|S\nEMAIL\nADDRESS" */
#define SUBJECT_LEASES "guichet.leases" /* a node let leases go (or stopped): the sender's name */
#define SUBJECT_ALLOWANCES "guichet.allowances" /* public requests let through: "NODE\nKIND\nKEY\nADDRESS" */
#define SUBJECT_CHAT "guichet.chat"
#define SUBJECT_DESKS "guichet.desks"  /* the agents' desks open on a node: "TENANT USER" lines */
#define SUBJECT_WAITS "guichet.waits."          /* + the routing node's name */
#define SUBJECT_WAITS_BACK "guichet.waitsback." /* + the asking node's name */
#define SUBJECT_HANDOFF "guichet.handoff." /* + the routing node's name */
#define SUBJECT_REPLY "guichet.reply."     /* + the sending node's name, '.', the hand-off's number */

/* A hand-off waiting for its answer, on the node that received the request. */
struct pending {
	uint64_t seq;
	struct request *r;
	struct event *timer;
	int status;
	char content_type[128], retry_after[16], location[512];
	char *body;
	UT_hash_handle hh;
};

struct cluster {
	struct server *srv;
	natsConnection *nc;
	natsSubscription *events, *stats, *calls, *authz, *logins, *allowances, *leases_freed, *replies, *handoffs, *chat, *waits, *waits_back, *desks;
	char node[64];
	char reply_prefix[128];
	pthread_mutex_t lock;       /* leases and pending */
	struct store_lease *leases; /* the whole table, as of the last round */
	size_t n_leases;
	struct pending *pending;
	atomic_uint_fast64_t seq;
	atomic_uint next_worker;
};

const char *cluster_node(const struct cluster *cl)
{
	return cl->node;
}

/* --- leases --- */

/* Leases this node let go of are free now: the others keep theirs at once,
 * rather than at their next second, and one under its share takes them. */
static void tell_leases_freed(struct cluster *cl)
{
	if (natsConnection_Publish(cl->nc, SUBJECT_LEASES, cl->node, (int)strlen(cl->node)) != NATS_OK)
		log_error("cannot tell the other nodes that routing leases are free: they take them within a second");
}

static void on_leases_freed(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	int len = natsMsg_GetDataLength(msg);
	if ((size_t)len != strlen(cl->node) || memcmp(natsMsg_GetData(msg), cl->node, (size_t)len) != 0)
		writer_lease_round_now(cl->srv->writer);
	natsMsg_Destroy(msg);
}

void cluster_lease_round(struct cluster *cl, struct store *db, struct router *rt)
{
	int64_t now = gc_now_ms();
	struct store_lease *list = NULL;
	size_t n = 0;
	struct lease_move did;
	if (leases_step(db, cl->node, cl->srv->config->sip_host[0] != '\0', now, &list, &n, &did) < 0) {
		log_error("cannot renew the routing leases", "error", store_errmsg(db));
		return; /* the workers keep the last table, whose expiries tell when it is too old */
	}
	if (did.give > 0)
		tell_leases_freed(cl);
	if (router_follow_leases(rt, db, list, n, now) < 0)
		log_error("cannot load a tenant whose routing this node took", "error", store_errmsg(db));
	pthread_mutex_lock(&cl->lock);
	struct store_lease *old = cl->leases;
	cl->leases = list;
	cl->n_leases = n;
	pthread_mutex_unlock(&cl->lock);
	free(old);
}

size_t cluster_leases_held(struct cluster *cl)
{
	int64_t now = gc_now_ms();
	size_t held = 0;
	pthread_mutex_lock(&cl->lock);
	for (size_t i = 0; i < cl->n_leases; i++)
		held += cl->leases[i].expires_at >= now && strcmp(cl->leases[i].node, cl->node) == 0;
	pthread_mutex_unlock(&cl->lock);
	return held;
}

void cluster_release(struct cluster *cl, struct store *db)
{
	int rc = store_begin(db);
	if (rc == GC_OK && (rc = store_lease_release(db, cl->node)) == GC_OK)
		rc = store_commit(db);
	if (rc < 0) {
		store_rollback(db);
		log_error("cannot let the routing leases go: other nodes take them once they expire", "error",
			  store_errmsg(db));
	} else {
		tell_leases_freed(cl); /* cluster_free flushes it before the link closes */
	}
}

enum owner { OWNER_SELF, OWNER_OTHER, OWNER_NOBODY };

/* Who routes the tenant, from the last round's table (an expired lease:
 * nobody, until a node takes it). */
static enum owner owner_of(struct cluster *cl, int64_t tenant_id, int64_t now, char node[64])
{
	enum owner who = OWNER_NOBODY;
	pthread_mutex_lock(&cl->lock);
	size_t lo = 0, hi = cl->n_leases;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cl->leases[mid].tenant_id < tenant_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cl->n_leases && cl->leases[lo].tenant_id == tenant_id && cl->leases[lo].expires_at >= now) {
		const struct store_lease *l = &cl->leases[lo];
		who = strcmp(l->node, cl->node) == 0 ? OWNER_SELF : OWNER_OTHER;
		snprintf(node, 64, "%s", l->node);
	}
	pthread_mutex_unlock(&cl->lock);
	return who;
}

bool cluster_routes(struct cluster *cl, int64_t tenant_id)
{
	char node[64];
	return owner_of(cl, tenant_id, gc_now_ms(), node) == OWNER_SELF;
}

/* --- hand-offs: the node that received the request --- */

static void answer_handoff(struct pending *p)
{
	struct request *r = p->r;
	r->status = p->status;
	r->resp_text = p->body; /* taken */
	p->body = NULL;
	/* the owner's JSON answer ends with the newline send_answer adds again */
	bool json = strncasecmp(p->content_type, "application/json", 16) == 0;
	size_t len = r->resp_text ? strlen(r->resp_text) : 0;
	if (json && len > 0 && r->resp_text[len - 1] == '\n')
		r->resp_text[len - 1] = '\0';
	r->content_type = json ? "application/json" : "text/plain";
	if (p->retry_after[0])
		reply_header(r, "Retry-After", p->retry_after);
	if (p->location[0])
		reply_header(r, "Location", p->location);
	event_free(p->timer);
	free(p);
	http_finish(r);
}

static void on_answered(evutil_socket_t fd, short what, void *arg)
{
	answer_handoff(arg);
}

static struct pending *take_pending(struct cluster *cl, uint64_t seq)
{
	struct pending *p = NULL;
	pthread_mutex_lock(&cl->lock);
	HASH_FIND(hh, cl->pending, &seq, sizeof(seq), p);
	if (p)
		HASH_DEL(cl->pending, p);
	pthread_mutex_unlock(&cl->lock);
	return p;
}

static void set_error(struct pending *p, int status, const char *code, const char *message)
{
	json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
	p->status = status;
	p->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	snprintf(p->content_type, sizeof(p->content_type), "application/json");
	snprintf(p->retry_after, sizeof(p->retry_after), "1");
}

/* No answer in time: the routing node is gone or stuck (the client may try
 * again; with an Idempotency-Key a retry cannot apply the change twice). */
static void on_handoff_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	struct cluster *cl = p->r->worker->server->cluster;
	if (take_pending(cl, p->seq) != p)
		return; /* its answer is on the way: on_answered frees it */
	set_error(p, 503, "routing_unavailable", "the node routing this tenant did not answer: try again");
	answer_handoff(p);
}

/* On NATS's thread: the routing node's answer. */
static void on_reply(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	const char *subject = natsMsg_GetSubject(msg);
	uint64_t seq = strtoull(subject + strlen(cl->reply_prefix), NULL, 10);
	struct pending *p = take_pending(cl, seq);
	if (p == NULL) { /* answered already (timed out) */
		natsMsg_Destroy(msg);
		return;
	}
	const char *v = NULL;
	if (natsMsg_IsNoResponders(msg)) {
		set_error(p, 503, "routing_moved", "the node routing this tenant is gone: try again");
	} else {
		p->status = natsMsgHeader_Get(msg, "Guichet-Status", &v) == NATS_OK ? atoi(v) : 502;
		if (natsMsgHeader_Get(msg, "Content-Type", &v) == NATS_OK)
			snprintf(p->content_type, sizeof(p->content_type), "%s", v);
		if (natsMsgHeader_Get(msg, "Retry-After", &v) == NATS_OK)
			snprintf(p->retry_after, sizeof(p->retry_after), "%s", v);
		if (natsMsgHeader_Get(msg, "Location", &v) == NATS_OK)
			snprintf(p->location, sizeof(p->location), "%s", v);
		int len = natsMsg_GetDataLength(msg);
		if ((p->body = malloc((size_t)len + 1)) != NULL) {
			memcpy(p->body, natsMsg_GetData(msg), (size_t)len);
			p->body[len] = '\0';
		}
		if (p->status < 100 || p->status > 599)
			p->status = 502;
	}
	natsMsg_Destroy(msg);
	event_base_once(p->r->worker->base, -1, EV_TIMEOUT, on_answered, p, NULL);
}

static const char *method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	case EVHTTP_REQ_DELETE: return "DELETE";
	default: return NULL;
	}
}

/* The request as the routing node reads it: its line, the headers that
 * matter to it, the client's address, the body. */
static struct evbuffer *request_text(struct request *r)
{
	static const char *const kept[] = {"Authorization", "X-Guichet-Tenant", "Content-Type", "Idempotency-Key",
					   /* a messaging provider's webhook, checked there */
					   "X-Twilio-Signature", "X-Guichet-Timestamp", "X-Guichet-Signature"};
	const char *method = method_name(conn_method(r->conn)), *target = conn_target(r->conn);
	struct evbuffer *b = evbuffer_new();
	if (b == NULL || method == NULL || target == NULL) {
		if (b)
			evbuffer_free(b);
		return NULL;
	}
	size_t len = 0;
	const char *body = conn_body(r->conn, &len);
	evbuffer_add_printf(b, "%s %s HTTP/1.1\r\nHost: guichet\r\nConnection: close\r\nX-Forwarded-For: %s\r\n", method,
			    target, r->scope.ip);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		const char *v = conn_header(r->conn, kept[i]);
		if (v)
			evbuffer_add_printf(b, "%s: %s\r\n", kept[i], v);
	}
	if (r->by_cookie) /* its CSRF token was checked here: the routing node reads the session's token */
		evbuffer_add_printf(b, "Authorization: Bearer %s\r\n", r->token);
	evbuffer_add_printf(b, "Content-Length: %zu\r\n\r\n", body ? len : 0);
	if (body && len)
		evbuffer_add(b, body, len);
	return b;
}

static int unavailable(struct request *r, const char *code, const char *message)
{
	reply_header(r, "Retry-After", "1");
	reply_error(r, 503, code, NULL, "%s", message);
	return -1;
}

int cluster_route(struct cluster *cl, struct request *r, int64_t tenant_id)
{
	if (conn_relayed(r->conn))
		return 0; /* handed over to this node: served here, never passed on again */
	char node[64] = "";
	enum owner who = owner_of(cl, tenant_id, gc_now_ms(), node);
	if (who == OWNER_SELF)
		return 0;
	if (who == OWNER_NOBODY)
		return unavailable(r, "routing_moved", "no node routes this tenant at the moment: try again in a second");
	struct evbuffer *text = request_text(r);
	struct pending *p = text ? calloc(1, sizeof(*p)) : NULL;
	struct event *timer = p ? evtimer_new(r->worker->base, on_handoff_timeout, p) : NULL;
	if (timer == NULL) {
		if (text)
			evbuffer_free(text);
		free(p);
		return unavailable(r, "out_of_memory", "out of memory: try again");
	}
	p->seq = atomic_fetch_add(&cl->seq, 1) + 1;
	p->r = r;
	p->timer = timer;
	char subject[128], reply[160];
	snprintf(subject, sizeof(subject), SUBJECT_HANDOFF "%s", node);
	snprintf(reply, sizeof(reply), "%s%llu", cl->reply_prefix, (unsigned long long)p->seq);
	pthread_mutex_lock(&cl->lock);
	HASH_ADD(hh, cl->pending, seq, sizeof(p->seq), p);
	pthread_mutex_unlock(&cl->lock);
	struct timeval wait = {CLUSTER_HANDOFF_MS / 1000, (CLUSTER_HANDOFF_MS % 1000) * 1000};
	evtimer_add(timer, &wait);
	size_t len = evbuffer_get_length(text);
	natsStatus s = natsConnection_PublishRequest(cl->nc, subject, reply, evbuffer_pullup(text, -1), (int)len);
	evbuffer_free(text);
	if (s != NATS_OK) {
		if (take_pending(cl, p->seq) == p) {
			event_free(timer);
			free(p);
		}
		return unavailable(r, "routing_unavailable", "cannot reach the node routing this tenant: try again");
	}
	return 1;
}

/* --- hand-offs: the routing node --- */

/* A request handed over, served on a worker through a bufferevent pair:
 * the request goes in one end, a connection of this node's serves the
 * other, and the answer read back is parsed and sent as the reply. */
struct handoff {
	struct cluster *cl;
	struct worker *worker;
	natsMsg *msg;
	struct bufferevent *bev;
	http_parser parser;
	char field[32];
	size_t field_len;
	bool in_value;
	char *value;               /* where the current header's value goes, or NULL */
	size_t value_cap, value_len;
	char content_type[128], retry_after[16], location[512];
	struct evbuffer *body;
	bool done;
};

static void handoff_free(struct handoff *h)
{
	if (h->bev)
		bufferevent_free(h->bev);
	if (h->body)
		evbuffer_free(h->body);
	natsMsg_Destroy(h->msg);
	free(h);
}

static void send_reply(struct handoff *h, int status, const char *body, size_t len)
{
	const char *to = natsMsg_GetReply(h->msg);
	natsMsg *m = NULL;
	if (to == NULL || natsMsg_Create(&m, to, NULL, body, (int)len) != NATS_OK)
		return;
	char code[8];
	snprintf(code, sizeof(code), "%d", status);
	natsMsgHeader_Set(m, "Guichet-Status", code);
	if (h->content_type[0])
		natsMsgHeader_Set(m, "Content-Type", h->content_type);
	if (h->retry_after[0])
		natsMsgHeader_Set(m, "Retry-After", h->retry_after);
	if (h->location[0])
		natsMsgHeader_Set(m, "Location", h->location);
	natsConnection_PublishMsg(h->cl->nc, m);
	natsMsg_Destroy(m);
}

static void send_failure(struct handoff *h, const char *message)
{
	char body[256];
	int n = snprintf(body, sizeof(body), "{\"error\":{\"code\":\"routing_unavailable\",\"message\":\"%s\"}}\n",
			 message);
	snprintf(h->content_type, sizeof(h->content_type), "application/json");
	snprintf(h->retry_after, sizeof(h->retry_after), "1");
	send_reply(h, 503, body, (size_t)n);
}

static int on_field(http_parser *p, const char *at, size_t len)
{
	struct handoff *h = p->data;
	if (h->in_value) { /* a new header */
		h->in_value = false;
		h->field_len = 0;
	}
	size_t n = len < sizeof(h->field) - 1 - h->field_len ? len : sizeof(h->field) - 1 - h->field_len;
	memcpy(h->field + h->field_len, at, n);
	h->field_len += n;
	h->field[h->field_len] = '\0';
	return 0;
}

static int on_value(http_parser *p, const char *at, size_t len)
{
	struct handoff *h = p->data;
	if (!h->in_value) { /* where this header's value goes */
		h->in_value = true;
		h->value = strcasecmp(h->field, "Content-Type") == 0 ? h->content_type
			   : strcasecmp(h->field, "Retry-After") == 0 ? h->retry_after
			   : strcasecmp(h->field, "Location") == 0   ? h->location
								   : NULL;
		h->value_cap = h->value == h->content_type ? sizeof(h->content_type)
			       : h->value == h->retry_after ? sizeof(h->retry_after)
							    : sizeof(h->location);
		h->value_len = 0;
	}
	if (h->value) {
		size_t n = len < h->value_cap - 1 - h->value_len ? len : h->value_cap - 1 - h->value_len;
		memcpy(h->value + h->value_len, at, n);
		h->value_len += n;
		h->value[h->value_len] = '\0';
	}
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct handoff *h = p->data;
	return evbuffer_add(h->body, at, len) == 0 ? 0 : -1;
}

static int on_complete(http_parser *p)
{
	struct handoff *h = p->data;
	h->done = true;
	return 0;
}

static const http_parser_settings answer_parser = {
	.on_header_field = on_field, .on_header_value = on_value, .on_body = on_body,
	.on_message_complete = on_complete,
};

static void on_answer_read(struct bufferevent *bev, void *arg)
{
	struct handoff *h = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);
	const char *data = (const char *)evbuffer_pullup(in, -1);
	size_t used = http_parser_execute(&h->parser, &answer_parser, data, len);
	evbuffer_drain(in, used);
	if (h->done) {
		size_t n = evbuffer_get_length(h->body);
		send_reply(h, (int)h->parser.status_code, (const char *)evbuffer_pullup(h->body, -1), n);
		handoff_free(h);
	} else if (HTTP_PARSER_ERRNO(&h->parser) != HPE_OK) {
		send_failure(h, "the routing node's answer could not be read");
		handoff_free(h);
	}
}

static void on_answer_event(struct bufferevent *bev, short what, void *arg)
{
	struct handoff *h = arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		send_failure(h, "the routing node closed the request before answering");
		handoff_free(h);
	}
}

static void serve_handoff(evutil_socket_t fd, short what, void *arg)
{
	struct handoff *h = arg;
	struct bufferevent *pair[2];
	if (bufferevent_pair_new(h->worker->base, BEV_OPT_CLOSE_ON_FREE, pair) < 0) {
		send_failure(h, "out of memory");
		handoff_free(h);
		return;
	}
	if (conn_server_adopt(h->worker->api, pair[0]) < 0) { /* pair[0] was freed */
		bufferevent_free(pair[1]);
		send_failure(h, "too many connections: try again");
		handoff_free(h);
		return;
	}
	h->bev = pair[1];
	http_parser_init(&h->parser, HTTP_RESPONSE);
	h->parser.data = h;
	bufferevent_setcb(h->bev, on_answer_read, NULL, on_answer_event, h);
	bufferevent_enable(h->bev, EV_READ);
	bufferevent_write(h->bev, natsMsg_GetData(h->msg), (size_t)natsMsg_GetDataLength(h->msg));
}

/* On NATS's thread: a request another node handed over, to a worker. */
static void on_handoff(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	struct server *srv = cl->srv;
	struct handoff *h = calloc(1, sizeof(*h));
	if (h == NULL || (h->body = evbuffer_new()) == NULL) {
		free(h);
		natsMsg_Destroy(msg);
		return; /* the sender times out */
	}
	h->cl = cl;
	h->msg = msg;
	h->worker = &srv->workers[atomic_fetch_add(&cl->next_worker, 1) % (unsigned)srv->n_workers];
	event_base_once(h->worker->base, -1, EV_TIMEOUT, serve_handoff, h, NULL);
}

/* --- events --- */

/* On the writer: this node's committed events, to the other nodes. */
static void relay_events(void *arg, const struct hub_event *events, size_t n)
{
	struct cluster *cl = arg;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, json_pack("[I,I,I,s%,I]", (json_int_t)events[i].id, (json_int_t)events[i].tenant_id,
						      (json_int_t)events[i].agent_id, events[i].frame, events[i].len,
						      (json_int_t)events[i].contact_id));
	char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
	natsMsg *m = NULL;
	if (text && natsMsg_Create(&m, SUBJECT_EVENTS, NULL, text, (int)strlen(text)) == NATS_OK) {
		natsMsgHeader_Set(m, "Node", cl->node);
		if (natsConnection_PublishMsg(cl->nc, m) != NATS_OK)
			log_error("cannot send routing events to the other nodes");
		natsMsg_Destroy(m);
	}
	free(text);
	json_decref(list);
}

static void relay_stats(void *arg, int64_t tenant_id, const char *frame)
{
	struct cluster *cl = arg;
	natsMsg *m = NULL;
	char tenant[24];
	snprintf(tenant, sizeof(tenant), "%lld", (long long)tenant_id);
	if (natsMsg_Create(&m, SUBJECT_STATS, NULL, frame, (int)strlen(frame)) == NATS_OK) {
		natsMsgHeader_Set(m, "Tenant", tenant);
		natsConnection_PublishMsg(cl->nc, m);
		natsMsg_Destroy(m);
	}
}

static void relay_call(void *arg, int64_t tenant_id, int64_t agent_id, const char *frame)
{
	struct cluster *cl = arg;
	natsMsg *m = NULL;
	char tenant[24], agent[24];
	snprintf(tenant, sizeof(tenant), "%lld", (long long)tenant_id);
	snprintf(agent, sizeof(agent), "%lld", (long long)agent_id);
	if (natsMsg_Create(&m, SUBJECT_CALLS, NULL, frame, (int)strlen(frame)) == NATS_OK) {
		natsMsgHeader_Set(m, "Tenant", tenant);
		natsMsgHeader_Set(m, "Agent", agent);
		natsConnection_PublishMsg(cl->nc, m);
		natsMsg_Destroy(m);
	}
}

/* On NATS's thread: another node's committed events, to this node's hub. */
static void on_events(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	const char *node = NULL;
	json_t *list = json_loadb(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), 0, NULL);
	size_t n = json_array_size(list), k = 0;
	struct hub_event *events = n ? calloc(n, sizeof(*events)) : NULL;
	if (events && natsMsgHeader_Get(msg, "Node", &node) == NATS_OK) {
		for (size_t i = 0; i < n; i++) {
			json_int_t id = 0, tenant = 0, agent = 0, contact = 0;
			const char *frame = NULL;
			size_t len = 0;
			if (json_unpack(json_array_get(list, i), "[I,I,I,s%,I]", &id, &tenant, &agent, &frame, &len,
					&contact) < 0 || id <= 0)
				continue;
			struct hub_event *ev = &events[k];
			*ev = (struct hub_event){.id = id, .tenant_id = tenant, .agent_id = agent, .contact_id = contact,
						 .len = len};
			if ((ev->frame = malloc(len + 1)) == NULL)
				continue;
			memcpy(ev->frame, frame, len + 1);
			k++;
		}
		chathub_routing(cl->srv->chathub, events, k); /* this node's chat streams of those contacts */
		hub_publish_from(cl->srv->hub, node, events, k);
	}
	free(events);
	json_decref(list);
	natsMsg_Destroy(msg);
}

static void on_stats(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	const char *tenant = NULL;
	if (natsMsgHeader_Get(msg, "Tenant", &tenant) == NATS_OK) {
		char *frame = strndup(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg));
		if (frame)
			hub_publish_stats_from(cl->srv->hub, strtoll(tenant, NULL, 10), frame);
	}
	natsMsg_Destroy(msg);
}

/* Another node's call changed (its telephony thread's): to this node's streams. */
static void on_call(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	const char *tenant = NULL, *agent = NULL;
	if (natsMsgHeader_Get(msg, "Tenant", &tenant) == NATS_OK && natsMsgHeader_Get(msg, "Agent", &agent) == NATS_OK)
		hub_publish_call_from(cl->srv->hub, strtoll(tenant, NULL, 10), strtoll(agent, NULL, 10),
				      strndup(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg)));
	natsMsg_Destroy(msg);
}

/* --- chats --- */

/* What this node publishes for its chat streams (chathub.h), to the other
 * nodes': [[contact, id, to, frame], ...]. */
static void relay_chat(void *arg, const struct chat_note *notes, size_t n)
{
	struct cluster *cl = arg;
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, json_pack("[I,I,i,s%]", (json_int_t)notes[i].contact_id, (json_int_t)notes[i].id,
						      (int)notes[i].to, notes[i].frame, notes[i].len));
	char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
	if (text == NULL || natsConnection_Publish(cl->nc, SUBJECT_CHAT, text, (int)strlen(text)) != NATS_OK)
		log_error("cannot send chat events to the other nodes");
	free(text);
	json_decref(list);
}

/* On NATS's thread: another node's chat notes, to the streams here. */
static void on_chat(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	json_t *list = json_loadb(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), 0, NULL);
	size_t n = json_array_size(list), k = 0;
	struct chat_note *notes = n ? calloc(n, sizeof(*notes)) : NULL;
	for (size_t i = 0; notes && i < n; i++) {
		json_int_t contact = 0, id = 0;
		int to = 0;
		const char *frame = NULL;
		size_t len = 0;
		if (json_unpack(json_array_get(list, i), "[I,I,i,s%]", &contact, &id, &to, &frame, &len) < 0 ||
		    (to & CHAT_TO_BOTH) == 0 || (to & ~CHAT_TO_BOTH) != 0)
			continue; /* only notes for the streams: routing notes each node makes */
		notes[k++] = (struct chat_note){.contact_id = contact, .id = id, .to = (enum chat_to)to, .frame = frame,
						.len = len};
	}
	if (k)
		chathub_publish_here(cl->srv->chathub, notes, k);
	free(notes);
	json_decref(list);
	natsMsg_Destroy(msg);
}

/* Waits: a node whose chat streams wait in a queue another node routes asks
 * that node, on the writer; the answer comes back to chatstreams_tell_wait. */
void cluster_ask_waits(struct cluster *cl, int64_t tenant_id, const int64_t *contacts, size_t n, bool force)
{
	char node[64] = "", subject[128], reply[128];
	if (owner_of(cl, tenant_id, gc_now_ms(), node) != OWNER_OTHER)
		return; /* nobody routes it now: the next tick asks again */
	json_t *ids = json_array();
	for (size_t i = 0; ids && i < n; i++)
		json_array_append_new(ids, json_integer(contacts[i]));
	json_t *question = json_pack("{s:I,s:b,s:o}", "tenant", (json_int_t)tenant_id, "force", force, "ids", ids);
	char *text = question ? json_dumps(question, JSON_COMPACT) : NULL;
	json_decref(question);
	snprintf(subject, sizeof(subject), SUBJECT_WAITS "%s", node);
	snprintf(reply, sizeof(reply), SUBJECT_WAITS_BACK "%s", cl->node);
	if (text == NULL || natsConnection_PublishRequest(cl->nc, subject, reply, text, (int)strlen(text)) != NATS_OK)
		log_error("cannot ask the routing node for chats' waits");
	free(text);
}

struct wait_question {
	struct cluster *cl;
	int64_t tenant_id;
	bool force;
	char reply[128];
	size_t n;
	int64_t ids[];
};

/* On the routing node's writer: the loads of the chats asked about. */
static int answer_waits(void *arg, const struct ops *o)
{
	struct wait_question *q = arg;
	struct router_load *loads = malloc(q->n * sizeof(*loads));
	bool *ok = malloc(q->n * sizeof(*ok));
	json_t *chats = json_array();
	if (loads && ok && chats && router_contacts_load(o->router, q->tenant_id, q->ids, q->n, loads, ok) == GC_OK) {
		for (size_t i = 0; i < q->n; i++) {
			int64_t ms = ok[i] ? router_load_wait_ms(&loads[i], ROUTE_WAIT_DEFAULT_HANDLE_MS) : -1;
			json_array_append_new(chats, json_pack("[I,b,I,I]", (json_int_t)q->ids[i], ok[i],
							       (json_int_t)(ok[i] ? loads[i].ahead + 1 : 0),
							       (json_int_t)(ms >= 0 ? ms / 1000 : -1)));
		}
		json_t *answer = json_pack("{s:b,s:O}", "force", q->force, "chats", chats);
		char *text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
		json_decref(answer);
		if (text)
			natsConnection_Publish(q->cl->nc, q->reply, text, (int)strlen(text));
		free(text);
	}
	json_decref(chats);
	free(loads);
	free(ok);
	return GC_OK;
}

/* On NATS's thread, on the routing node: a question about waits. */
static void on_waits(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	json_t *ids = NULL;
	json_int_t tenant = 0;
	int force = 0;
	json_t *q = json_loadb(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), 0, NULL);
	const char *reply = natsMsg_GetReply(msg);
	if (reply && json_unpack(q, "{s:I,s:b,s:o}", "tenant", &tenant, "force", &force, "ids", &ids) == 0 &&
	    json_array_size(ids) > 0) {
		size_t n = json_array_size(ids);
		struct wait_question *w = malloc(sizeof(*w) + n * sizeof(w->ids[0]));
		if (w) {
			*w = (struct wait_question){.cl = cl, .tenant_id = tenant, .force = force, .n = n};
			snprintf(w->reply, sizeof(w->reply), "%s", reply);
			for (size_t i = 0; i < n; i++)
				w->ids[i] = json_integer_value(json_array_get(ids, i));
			writer_post(cl->srv->writer, answer_waits, w); /* frees w */
		}
	}
	json_decref(q);
	natsMsg_Destroy(msg);
}

/* On NATS's thread, on the asking node: the waits, to the streams here. */
static void on_waits_back(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	json_t *a = json_loadb(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), 0, NULL), *chats = NULL, *c;
	int force = 0;
	size_t i;
	if (json_unpack(a, "{s:b,s:o}", "force", &force, "chats", &chats) == 0) {
		json_array_foreach(chats, i, c) {
			json_int_t id = 0, position = 0, expected = -1;
			int waiting = 0;
			if (json_unpack(c, "[I,b,I,I]", &id, &waiting, &position, &expected) == 0 && position >= 0 &&
			    position <= UINT32_MAX)
				chatstreams_tell_wait(cl->srv->chathub, id, waiting, (uint32_t)position, expected, force);
		}
	}
	json_decref(a);
	natsMsg_Destroy(msg);
}

/* --- the agents' desks --- */

static void add_desk(void *arg, int64_t tenant_id, int64_t user_id)
{
	evbuffer_add_printf(arg, "%lld %lld\n", (long long)tenant_id, (long long)user_id);
}

void cluster_tell_desks(struct cluster *cl, struct desks *desks)
{
	struct evbuffer *text = evbuffer_new();
	if (text == NULL)
		return;
	desks_each_here(desks, gc_now_ms(), add_desk, text);
	size_t len = evbuffer_get_length(text);
	if (len > 0 && natsConnection_Publish(cl->nc, SUBJECT_DESKS, evbuffer_pullup(text, -1), (int)len) != NATS_OK)
		log_error("cannot tell the other nodes which desks are open here");
	evbuffer_free(text);
}

bool cluster_linked(struct cluster *cl)
{
	return natsConnection_Status(cl->nc) == NATS_CONN_STATUS_CONNECTED;
}

static void on_desks(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct cluster *cl = closure;
	int64_t now = gc_now_ms();
	const char *p = natsMsg_GetData(msg), *end = p + natsMsg_GetDataLength(msg);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[48];
		long long tenant_id, user_id;
		size_t len = (size_t)((eol ? eol : end) - p);
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (sscanf(line, "%lld %lld", &tenant_id, &user_id) == 2)
				desks_seen_elsewhere(cl->srv->desks, tenant_id, user_id, now);
		}
		p += len + 1;
	}
	natsMsg_Destroy(msg);
}

/* --- authorizations --- */

void cluster_authz_changed(struct cluster *cl)
{
	if (natsConnection_Publish(cl->nc, SUBJECT_AUTHZ, cl->node, (int)strlen(cl->node)) != NATS_OK)
		log_error("cannot tell the other nodes that authorizations changed");
}

static void on_authz(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	authcache_bump();
	natsMsg_Destroy(msg);
}

/* --- the throttles, counted over the nodes --- */

/* A throttle's note to the other nodes: "NODE\nKIND\nA\nB" (a login's
 * outcome, its email and address; a public request's kind, key and
 * address). */
static void note_publish(struct cluster *cl, const char *subject, char kind, const char *a, const char *b,
			 const char *lost)
{
	char *text = NULL;
	int n = asprintf(&text, "%s\n%c\n%s\n%s", cl->node, kind, a, b);
	if (n < 0 || natsConnection_Publish(cl->nc, subject, text, n) != NATS_OK)
		log_error(lost);
	if (n >= 0)
		free(text);
}

struct note {
	char *text; /* what a and b point into: free it */
	char kind;
	const char *a, *b;
};

/* Another node's note: false for this node's own or a malformed one. */
static bool note_read(const struct cluster *cl, natsMsg *msg, struct note *ret)
{
	int len = natsMsg_GetDataLength(msg);
	char *text = len > 0 ? strndup(natsMsg_GetData(msg), (size_t)len) : NULL;
	char *kind = text ? strchr(text, '\n') : NULL, *a = kind ? strchr(kind + 1, '\n') : NULL;
	char *b = a ? strchr(a + 1, '\n') : NULL;
	if (b)
		*kind++ = *a++ = *b++ = '\0';
	if (b == NULL || strcmp(text, cl->node) == 0 || kind[0] == '\0' || kind[1] != '\0') {
		free(text);
		return false;
	}
	*ret = (struct note){text, kind[0], a, b};
	return true;
}

void cluster_login_judged(struct cluster *cl, const char *email, const char *address, bool right)
{
	note_publish(cl, SUBJECT_LOGINS, right ? 'S' : 'F', email, address,
		     "cannot tell the other nodes a login's outcome: their throttles do not count it");
}

/* Another node's outcome, counted here as that node counted it (ratelimit.h). */
static void on_logins(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct note n;
	if (note_read(closure, msg, &n)) {
		if (n.kind == 'S')
			ratelimit_login_succeeded_elsewhere(n.a, n.b, gc_now_ms());
		else if (n.kind == 'F')
			ratelimit_login_failed_elsewhere(n.a, n.b, gc_now_ms());
		free(n.text);
	}
	natsMsg_Destroy(msg);
}

void cluster_allowance_counted(struct cluster *cl, char kind, const char *key, const char *address)
{
	note_publish(cl, SUBJECT_ALLOWANCES, kind, key ? key : "", address,
		     "cannot tell the other nodes a public request: their allowances do not count it");
}

/* A request another node let through, counted here as there (ratelimit.h). */
static void on_allowances(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct note n;
	if (note_read(closure, msg, &n)) {
		ratelimit_counted_elsewhere(n.kind, *n.a ? n.a : NULL, n.b, gc_now_ms());
		free(n.text);
	}
	natsMsg_Destroy(msg);
}

/* --- the connection --- */

/* Also called, later and on the library's thread, when cluster_free closes
 * the link: that end (the connection closed, not reconnecting) is no loss. */
static void on_disconnected(natsConnection *nc, void *closure)
{
	if (natsConnection_Status(nc) != NATS_CONN_STATUS_CLOSED)
		log_error("lost the link to the other nodes (NATS): trying again");
}

/* What came while the link was down is lost: tokens revoked meanwhile, and
 * events the streams here did not get. */
static void on_reconnected(natsConnection *nc, void *closure)
{
	struct cluster *cl = closure;
	authcache_bump();
	hub_forget_sources(cl->srv->hub);
	chathub_resume_all(cl->srv->chathub);
	log_info("the link to the other nodes (NATS) is back");
}


int cluster_new(struct server *srv, struct cluster **ret)
{
	const struct config *config = srv->config;
	struct cluster *cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return GC_ENOMEM;
	cl->srv = srv;
	pthread_mutex_init(&cl->lock, NULL);
	snprintf(cl->node, sizeof(cl->node), "%s", config->node);
	snprintf(cl->reply_prefix, sizeof(cl->reply_prefix), SUBJECT_REPLY "%s.", cl->node);
	natsOptions *opts = NULL;
	natsStatus s = natsOptions_Create(&opts);
	if (s == NATS_OK)
		s = natsOptions_SetURL(opts, config->nats);
	if (s == NATS_OK)
		s = natsOptions_SetName(opts, cl->node);
	if (s == NATS_OK)
		s = natsOptions_SetNoEcho(opts, true); /* this node's own events are in its hub already */
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(opts, -1); /* for ever: a node never leaves on its own */
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(opts, 250);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(opts, on_disconnected, cl);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(opts, on_reconnected, cl);
	if (s == NATS_OK)
		s = natsConnection_Connect(&cl->nc, opts);
	natsOptions_Destroy(opts);
	char subject[160];
	snprintf(subject, sizeof(subject), "%s*", cl->reply_prefix);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->events, cl->nc, SUBJECT_EVENTS, on_events, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->stats, cl->nc, SUBJECT_STATS, on_stats, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->calls, cl->nc, SUBJECT_CALLS, on_call, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->authz, cl->nc, SUBJECT_AUTHZ, on_authz, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->logins, cl->nc, SUBJECT_LOGINS, on_logins, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->allowances, cl->nc, SUBJECT_ALLOWANCES, on_allowances, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->leases_freed, cl->nc, SUBJECT_LEASES, on_leases_freed, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->replies, cl->nc, subject, on_reply, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->chat, cl->nc, SUBJECT_CHAT, on_chat, cl);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->desks, cl->nc, SUBJECT_DESKS, on_desks, cl);
	snprintf(subject, sizeof(subject), SUBJECT_WAITS_BACK "%s", cl->node);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->waits_back, cl->nc, subject, on_waits_back, cl);
	if (s == NATS_OK)
		s = natsConnection_Flush(cl->nc);
	if (s != NATS_OK) {
		log_error("cannot join the cluster through NATS", "url", config->nats, "error", natsStatus_GetText(s));
		cluster_free(cl);
		return GC_EIO;
	}
	hub_set_relay(srv->hub, &(struct hub_relay){.events = relay_events, .stats = relay_stats,
						   .call = relay_call, .arg = cl});
	chathub_set_relay(srv->chathub, &(struct chathub_relay){.notes = relay_chat, .arg = cl});
	log_info("joined the cluster", "node", cl->node, "nats", config->nats);
	*ret = cl;
	return GC_OK;
}

int cluster_serve(struct cluster *cl)
{
	char subject[128];
	snprintf(subject, sizeof(subject), SUBJECT_HANDOFF "%s", cl->node);
	natsStatus s = natsConnection_Subscribe(&cl->handoffs, cl->nc, subject, on_handoff, cl);
	snprintf(subject, sizeof(subject), SUBJECT_WAITS "%s", cl->node);
	if (s == NATS_OK)
		s = natsConnection_Subscribe(&cl->waits, cl->nc, subject, on_waits, cl);
	if (s == NATS_OK)
		s = natsConnection_Flush(cl->nc);
	if (s != NATS_OK) {
		log_error("cannot take hand-offs from the other nodes", "error", natsStatus_GetText(s));
		return GC_EIO;
	}
	return GC_OK;
}

void cluster_stop_serving(struct cluster *cl)
{
	if (cl == NULL)
		return;
	natsSubscription_Unsubscribe(cl->handoffs);
	natsSubscription_Unsubscribe(cl->events);
	natsSubscription_Unsubscribe(cl->stats);
	natsSubscription_Unsubscribe(cl->calls);
	natsSubscription_Unsubscribe(cl->authz);
	natsSubscription_Unsubscribe(cl->logins);
	natsSubscription_Unsubscribe(cl->allowances);
	natsSubscription_Unsubscribe(cl->leases_freed);
	natsSubscription_Unsubscribe(cl->replies);
	natsSubscription_Unsubscribe(cl->chat);
	natsSubscription_Unsubscribe(cl->waits);
	natsSubscription_Unsubscribe(cl->waits_back);
	natsSubscription_Unsubscribe(cl->desks);
}

void cluster_free(struct cluster *cl)
{
	if (cl == NULL)
		return;
	natsSubscription_Destroy(cl->handoffs);
	natsSubscription_Destroy(cl->events);
	natsSubscription_Destroy(cl->stats);
	natsSubscription_Destroy(cl->calls);
	natsSubscription_Destroy(cl->authz);
	natsSubscription_Destroy(cl->logins);
	natsSubscription_Destroy(cl->allowances);
	natsSubscription_Destroy(cl->leases_freed);
	natsSubscription_Destroy(cl->replies);
	natsSubscription_Destroy(cl->chat);
	natsSubscription_Destroy(cl->waits);
	natsSubscription_Destroy(cl->waits_back);
	natsSubscription_Destroy(cl->desks);
	if (cl->nc) {
		natsConnection_Flush(cl->nc);
		natsConnection_Destroy(cl->nc);
	}
	struct pending *p, *tmp;
	HASH_ITER(hh, cl->pending, p, tmp) {
		HASH_DEL(cl->pending, p);
		free(p->body);
		free(p); /* its request went with its worker */
	}
	free(cl->leases);
	pthread_mutex_destroy(&cl->lock);
	free(cl);
}
