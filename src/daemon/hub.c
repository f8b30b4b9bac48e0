/* The hub of committed routing events (hub.h). */
#include "daemon/hub.h"

#include <assert.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WAKERS 256
#define MAX_TENANT_STATS 1024

struct stats_slot {
	int64_t tenant_id;
	uint64_t generation;
	char *frame;
};

struct hub {
	pthread_mutex_t lock;
	struct hub_event ring[HUB_RING]; /* ring[id % HUB_RING]: ids (last - HUB_RING, last] */
	int64_t last;
	struct stats_slot stats[MAX_TENANT_STATS];
	size_t n_stats;
	uint64_t stats_generation;
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

void hub_publish(struct hub *h, struct hub_event *events, size_t n)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < n; i++) {
		assert(events[i].id > 0); /* a store id: the ring's index stays in range */
		struct hub_event *slot = &h->ring[events[i].id % HUB_RING];
		free(slot->frame);
		*slot = events[i];
		h->last = events[i].id;
	}
	wake_all(h);
	pthread_mutex_unlock(&h->lock);
}

void hub_publish_stats(struct hub *h, int64_t tenant_id, char *frame)
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

int64_t hub_last_id(struct hub *h)
{
	pthread_mutex_lock(&h->lock);
	int64_t last = h->last;
	pthread_mutex_unlock(&h->lock);
	return last;
}

/* The ids hub_read visits for a cursor: (from - 1, to], at most HUB_RING of
 * them whatever the cursor, so the lock is never held for a walk the
 * client chose. Every computation stays in [0, INT64_MAX]: last >= 0 and
 * HUB_RING is small, the cursor is only compared, never added to. False
 * when the cursor is older than the ring. */
static bool read_range(int64_t last, int64_t cursor, int64_t *ret_from, int64_t *ret_to)
{
	int64_t oldest = last > HUB_RING ? last - HUB_RING : 0; /* ids <= oldest are gone */
	if (cursor < 0)
		cursor = 0; /* before every event */
	if (cursor < oldest)
		return false;
	if (cursor >= last) { /* at or beyond the newest id: nothing yet */
		*ret_from = 1;
		*ret_to = 0;
	} else {
		*ret_from = cursor + 1;
		*ret_to = last;
	}
	return true;
}

bool hub_read(struct hub *h, int64_t tenant_id, int64_t agent_id, int64_t *cursor, hub_frame_fn fn, void *arg)
{
	int64_t from = 0, to = -1;
	pthread_mutex_lock(&h->lock);
	bool ok = read_range(h->last, *cursor, &from, &to);
	for (int64_t id = from; ok && id <= to; id++) {
		const struct hub_event *ev = &h->ring[id % HUB_RING];
		if (ev->id != id)
			continue; /* an id never published (rolled back) */
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
