/* The hub of committed routing events (hub.h). */
#include "daemon/hub.h"

#include <assert.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define MAX_WAKERS 256
#define MAX_TENANT_STATS 1024

struct stats_slot {
	int64_t tenant_id;
	uint64_t generation;
	char *frame;
};

struct call_slot {
	uint64_t seq;
	int64_t tenant_id, agent_id;
	char *frame;
};

/* What the hub knows of one tenant's events. */
struct tenant_mark {
	int64_t tenant_id;
	int64_t last;               /* the newest id seen */
	int64_t store_below;        /* cursors before this read the store (the routing moved) */
	char node[64];              /* who sent the last ones ("" for this node) */
	UT_hash_handle hh;
};

struct hub {
	pthread_mutex_t lock;
	struct hub_event ring[HUB_RING]; /* ring[id % HUB_RING]: ids (last - HUB_RING, last] */
	int64_t last;               /* the newest id of any tenant */
	struct tenant_mark *marks;
	struct hub_relay relay;
	struct stats_slot stats[MAX_TENANT_STATS];
	size_t n_stats;
	uint64_t stats_generation;
	struct call_slot calls[HUB_CALL_RING]; /* calls[seq % HUB_CALL_RING] */
	uint64_t call_seq;          /* the newest call frame's */
	struct event *wakers[MAX_WAKERS];
	size_t n_wakers;
};

struct hub *hub_new(void)
{
	struct hub *h = calloc(1, sizeof(*h));
	if (h)
		pthread_mutex_init(&h->lock, NULL);
	return h;
}

void hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < HUB_RING; i++)
		free(h->ring[i].frame);
	for (size_t i = 0; i < h->n_stats; i++)
		free(h->stats[i].frame);
	for (size_t i = 0; i < HUB_CALL_RING; i++)
		free(h->calls[i].frame);
	struct tenant_mark *m, *tmp;
	HASH_ITER(hh, h->marks, m, tmp) {
		HASH_DEL(h->marks, m);
		free(m);
	}
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void hub_add_waker(struct hub *h, struct event *wake)
{
	pthread_mutex_lock(&h->lock);
	if (h->n_wakers < MAX_WAKERS)
		h->wakers[h->n_wakers++] = wake;
	pthread_mutex_unlock(&h->lock);
}

static void wake_all(struct hub *h)
{
	for (size_t i = 0; i < h->n_wakers; i++)
		event_active(h->wakers[i], EV_READ, 0);
}

void hub_set_relay(struct hub *h, const struct hub_relay *relay)
{
	pthread_mutex_lock(&h->lock);
	h->relay = *relay;
	pthread_mutex_unlock(&h->lock);
}

static struct tenant_mark *mark_of(struct hub *h, int64_t tenant_id)
{
	struct tenant_mark *m = NULL;
	HASH_FIND(hh, h->marks, &tenant_id, sizeof(tenant_id), m);
	if (m == NULL && (m = calloc(1, sizeof(*m))) != NULL) {
		m->tenant_id = tenant_id;
		HASH_ADD(hh, h->marks, tenant_id, sizeof(m->tenant_id), m);
	}
	return m;
}

/* node: who routes these tenants ("" for this node). */
static void publish(struct hub *h, const char *node, struct hub_event *events, size_t n)
{
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < n; i++) {
		struct hub_event *ev = &events[i];
		assert(ev->id > 0); /* a store id: the ring's index stays in range */
		struct tenant_mark *m = mark_of(h, ev->tenant_id);
		if (m && strcmp(m->node, node) != 0) { /* the tenant's routing moved here or there */
			snprintf(m->node, sizeof(m->node), "%s", node);
			m->store_below = ev->id - 1;
		}
		if (m && ev->id > m->last)
			m->last = ev->id;
		if (ev->id > h->last)
			h->last = ev->id;
		if (ev->id > h->last - HUB_RING) {
			struct hub_event *slot = &h->ring[ev->id % HUB_RING];
			free(slot->frame);
			*slot = *ev;
		} else {
			free(ev->frame); /* late and older than the ring: streams read the store for it */
		}
	}
	wake_all(h);
	pthread_mutex_unlock(&h->lock);
}

void hub_publish(struct hub *h, struct hub_event *events, size_t n)
{
	if (n == 0)
		return;
	if (h->relay.events) /* set before the writer starts, never changed after */
		h->relay.events(h->relay.arg, events, n);
	publish(h, "", events, n);
}

void hub_forget_sources(struct hub *h)
{
	pthread_mutex_lock(&h->lock);
	for (struct tenant_mark *m = h->marks; m; m = m->hh.next)
		snprintf(m->node, sizeof(m->node), "?"); /* no node's name ("?" is not a name's letter) */
	pthread_mutex_unlock(&h->lock);
}

void hub_publish_from(struct hub *h, const char *node, struct hub_event *events, size_t n)
{
	if (n > 0)
		publish(h, node, events, n);
}

static void publish_stats(struct hub *h, int64_t tenant_id, char *frame);

void hub_publish_stats(struct hub *h, int64_t tenant_id, char *frame)
{
	if (h->relay.stats)
		h->relay.stats(h->relay.arg, tenant_id, frame);
	publish_stats(h, tenant_id, frame);
}

void hub_publish_stats_from(struct hub *h, int64_t tenant_id, char *frame)
{
	publish_stats(h, tenant_id, frame);
}

static void publish_stats(struct hub *h, int64_t tenant_id, char *frame)
{
	pthread_mutex_lock(&h->lock);
	size_t i = 0;
	while (i < h->n_stats && h->stats[i].tenant_id != tenant_id)
		i++;
	if (i == h->n_stats && h->n_stats < MAX_TENANT_STATS)
		h->stats[h->n_stats++] = (struct stats_slot){.tenant_id = tenant_id};
	if (i < h->n_stats) {
		free(h->stats[i].frame);
		h->stats[i].frame = frame;
		h->stats[i].generation = ++h->stats_generation;
		frame = NULL;
	}
	wake_all(h);
	pthread_mutex_unlock(&h->lock);
	free(frame);
}

int64_t hub_last_id(struct hub *h, int64_t tenant_id)
{
	struct tenant_mark *m = NULL;
	pthread_mutex_lock(&h->lock);
	HASH_FIND(hh, h->marks, &tenant_id, sizeof(tenant_id), m);
	int64_t last = m ? m->last : 0;
	pthread_mutex_unlock(&h->lock);
	return last;
}

/* The ids hub_read visits for a cursor: (from - 1, to], at most HUB_RING of
 * them whatever the cursor, so the lock is never held for a walk the
 * client chose. last is the newest id of all (what the ring holds), newest
 * the tenant's, store_below where the tenant's routing last moved. Every
 * computation stays in [0, INT64_MAX]: last >= 0 and HUB_RING is small, the
 * cursor is only compared, never added to. False when the cursor is older
 * than the ring, or than the move. */
static bool read_range(int64_t last, int64_t newest, int64_t store_below, int64_t cursor, int64_t *ret_from,
		       int64_t *ret_to)
{
	int64_t oldest = last > HUB_RING ? last - HUB_RING : 0; /* ids <= oldest are gone */
	if (cursor < 0)
		cursor = 0; /* before every event */
	if (cursor < oldest || cursor < store_below)
		return false;
	if (cursor >= newest) { /* at or beyond the tenant's newest id: nothing yet */
		*ret_from = 1;
		*ret_to = 0;
	} else {
		*ret_from = cursor + 1;
		*ret_to = newest;
	}
	return true;
}

bool hub_read(struct hub *h, int64_t tenant_id, int64_t agent_id, int64_t *cursor, hub_frame_fn fn, void *arg)
{
	int64_t from = 0, to = -1;
	struct tenant_mark *m = NULL;
	pthread_mutex_lock(&h->lock);
	HASH_FIND(hh, h->marks, &tenant_id, sizeof(tenant_id), m);
	bool ok = read_range(h->last, m ? m->last : 0, m ? m->store_below : 0, *cursor, &from, &to);
	for (int64_t id = from; ok && id <= to; id++) {
		const struct hub_event *ev = &h->ring[id % HUB_RING];
		if (ev->id != id)
			continue; /* an id never published (rolled back, or another tenant's not here yet) */
		if (ev->tenant_id == tenant_id && (agent_id == 0 || ev->agent_id == agent_id))
			fn(ev->frame, ev->len, arg);
	}
	if (ok && to > *cursor)
		*cursor = to;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

void hub_read_stats(struct hub *h, int64_t tenant_id, uint64_t *generation, hub_frame_fn fn, void *arg)
{
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->n_stats; i++)
		if (h->stats[i].tenant_id == tenant_id && h->stats[i].generation > *generation) {
			*generation = h->stats[i].generation;
			fn(h->stats[i].frame, strlen(h->stats[i].frame), arg);
		}
	pthread_mutex_unlock(&h->lock);
}

static void publish_call(struct hub *h, int64_t tenant_id, int64_t agent_id, char *frame)
{
	pthread_mutex_lock(&h->lock);
	struct call_slot *slot = &h->calls[++h->call_seq % HUB_CALL_RING];
	free(slot->frame);
	*slot = (struct call_slot){.seq = h->call_seq, .tenant_id = tenant_id, .agent_id = agent_id, .frame = frame};
	wake_all(h);
	pthread_mutex_unlock(&h->lock);
}

void hub_publish_call(struct hub *h, int64_t tenant_id, int64_t agent_id, char *frame)
{
	if (frame == NULL)
		return;
	if (h->relay.call)
		h->relay.call(h->relay.arg, tenant_id, agent_id, frame);
	publish_call(h, tenant_id, agent_id, frame);
}

void hub_publish_call_from(struct hub *h, int64_t tenant_id, int64_t agent_id, char *frame)
{
	if (frame)
		publish_call(h, tenant_id, agent_id, frame);
}

uint64_t hub_call_seq(struct hub *h)
{
	pthread_mutex_lock(&h->lock);
	uint64_t seq = h->call_seq;
	pthread_mutex_unlock(&h->lock);
	return seq;
}

void hub_read_calls(struct hub *h, int64_t tenant_id, int64_t agent_id, uint64_t *seq, hub_frame_fn fn, void *arg)
{
	pthread_mutex_lock(&h->lock);
	uint64_t from = *seq + 1;
	if (h->call_seq > HUB_CALL_RING && from <= h->call_seq - HUB_CALL_RING)
		from = h->call_seq - HUB_CALL_RING + 1; /* older ones are gone */
	for (uint64_t i = from; i <= h->call_seq; i++) {
		const struct call_slot *slot = &h->calls[i % HUB_CALL_RING];
		if (slot->seq == i && slot->tenant_id == tenant_id && (agent_id == 0 || slot->agent_id == agent_id))
			fn(slot->frame, strlen(slot->frame), arg);
	}
	if (h->call_seq > *seq)
		*seq = h->call_seq;
	pthread_mutex_unlock(&h->lock);
}
