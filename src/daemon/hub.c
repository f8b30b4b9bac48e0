/* The hub of committed routing events (hub.h). */
#include "daemon/hub.h"

#include <assert.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define MAX_WAKERS 256
#define MAX_TENANT_STATS 1024

/* One agent of a digest, as the digest wrote it. */
struct digest_entry {
	int64_t user_id;
	char *text;
};

/* One organisation's cut of the queues' figures, in a stats frame. */
struct stats_cut {
	int64_t organisation_id;
	size_t at, len;
};

struct stats_slot {
	int64_t tenant_id;
	uint64_t generation;
	char *frame;
	size_t shown_len;           /* what every supervisor gets: up to the first cut */
	/* the frame read apart, the first time a managed audience reads it
	 * (split_stats): the queues' part, then the digest's agents, then the cuts */
	bool split;
	size_t queues_len;          /* the queue_stats frame, the frame's start */
	struct stats_cut *cuts;
	size_t n_cuts;
	bool has_digest, digest_ok; /* an agent_states frame follows; read whole */
	json_int_t digest_seq;
	struct digest_entry *entries;
	size_t n_entries;
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

static void stats_slot_clear(struct stats_slot *slot)
{
	for (size_t i = 0; i < slot->n_entries; i++)
		free(slot->entries[i].text);
	free(slot->entries);
	free(slot->cuts);
	free(slot->frame);
	*slot = (struct stats_slot){.tenant_id = slot->tenant_id, .generation = slot->generation};
}

void hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < HUB_RING; i++)
		free(h->ring[i].frame);
	for (size_t i = 0; i < h->n_stats; i++)
		stats_slot_clear(&h->stats[i]);
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
		stats_slot_clear(&h->stats[i]);
		h->stats[i].frame = frame;
		h->stats[i].shown_len = strcspn(frame, HUB_CUT);
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

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool manages(const struct hub_audience *a, int64_t agent_id)
{
	return a->n_managed > 0 && bsearch(&agent_id, a->managed, a->n_managed, sizeof(*a->managed), cmp_id) != NULL;
}

bool hub_audience_sees(const struct hub_audience *a, int64_t agent_id)
{
	if (a->managed_only)
		return agent_id != 0 && manages(a, agent_id);
	return a->agent_id == 0 || agent_id == a->agent_id;
}

#define TO_AGENT "\"to_agent_id\":"

void hub_audience_frame(const struct hub_audience *a, int64_t agent_id, const char *frame, size_t len,
			hub_frame_fn fn, void *arg)
{
	if (!hub_audience_sees(a, agent_id))
		return;
	/* a key of the event's data: inside a JSON string a quote is escaped,
	 * so the text "to_agent_id": (quote, name, quote) is that key alone */
	const char *key = a->managed_only ? memmem(frame, len, TO_AGENT, strlen(TO_AGENT)) : NULL;
	char *end = NULL;
	long long other = key ? strtoll(key + strlen(TO_AGENT), &end, 10) : 0;
	if (other == 0 || manages(a, other)) {
		fn(frame, len, arg);
		return;
	}
	/* a transfer to an agent it does not manage: the frame without that
	 * key and one comma beside it (the data is compact JSON) */
	size_t from = (size_t)(key - frame), to = (size_t)(end - frame);
	if (to < len && frame[to] == ',')
		to++;
	else if (from > 0 && frame[from - 1] == ',')
		from--;
	size_t n = len - (to - from);
	char *cut = malloc(n + 1);
	if (cut == NULL)
		return; /* left out, never sent whole */
	memcpy(cut, frame, from);
	memcpy(cut + from, frame + to, len - to);
	cut[n] = '\0';
	fn(cut, n, arg);
	free(cut);
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

bool hub_read(struct hub *h, int64_t tenant_id, const struct hub_audience *a, int64_t *cursor, hub_frame_fn fn,
	      void *arg)
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
		if (ev->tenant_id == tenant_id)
			hub_audience_frame(a, ev->agent_id, ev->frame, ev->len, fn, arg);
	}
	if (ok && to > *cursor)
		*cursor = to;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

#define DIGEST_HEAD "event: agent_states\ndata: "

/* Reads the digest of slot's frame into its entries, once: the router
 * writes it as {"seq": N, "agents": [{"user_id": U, "live": {...}}, ...]}.
 * A digest that cannot be read (or memory that runs out) leaves digest_ok
 * false: managed audiences then get no digest of that second, and their
 * page, seeing the next number skip it, loads its agents again. */
static void split_cuts(struct stats_slot *slot)
{
	size_t n = 0;
	for (const char *c = slot->frame + slot->shown_len; *c; c++)
		n += *c == HUB_CUT[0];
	if (n == 0 || (slot->cuts = calloc(n, sizeof(*slot->cuts))) == NULL)
		return; /* no cut read: managed audiences get no figures this second */
	const char *c = slot->frame + slot->shown_len;
	while (*c == HUB_CUT[0]) {
		char *end = NULL;
		long long org = strtoll(c + 1, &end, 10);
		if (end == c + 1 || *end != '\n')
			break;
		size_t len = strcspn(end + 1, HUB_CUT);
		slot->cuts[slot->n_cuts++] = (struct stats_cut){org, (size_t)(end + 1 - slot->frame), len};
		c = end + 1 + len;
	}
}

static void split_stats(struct stats_slot *slot)
{
	slot->split = true;
	split_cuts(slot);
	const char *head = memmem(slot->frame, slot->shown_len, DIGEST_HEAD, strlen(DIGEST_HEAD));
	slot->queues_len = head ? (size_t)(head - slot->frame) : slot->shown_len;
	if (head == NULL)
		return;
	slot->has_digest = true;
	const char *data = head + strlen(DIGEST_HEAD), *end = strstr(data, "\n\n");
	json_t *digest = end ? json_loadb(data, (size_t)(end - data), 0, NULL) : NULL;
	json_t *agents = json_object_get(digest, "agents");
	size_t n = json_array_size(agents);
	slot->entries = n ? calloc(n, sizeof(*slot->entries)) : NULL;
	bool ok = json_is_integer(json_object_get(digest, "seq")) && json_is_array(agents) && (n == 0 || slot->entries);
	for (size_t i = 0; ok && i < n; i++) {
		json_t *one = json_array_get(agents, i);
		struct digest_entry *e = &slot->entries[slot->n_entries];
		e->user_id = json_integer_value(json_object_get(one, "user_id"));
		e->text = json_dumps(one, JSON_COMPACT | JSON_REAL_PRECISION(15));
		ok = e->text != NULL;
		slot->n_entries += ok;
	}
	slot->digest_seq = json_integer_value(json_object_get(digest, "seq"));
	slot->digest_ok = ok;
	json_decref(digest);
}

/* The statistics of slot as an outsourcer's audience sees them: its
 * organisation's cut of the queues' figures (else the cut of none); then,
 * for a managed audience, the digest with the agents it manages only, for
 * another the digest whole. */
static void read_stats_cut(struct stats_slot *slot, const struct hub_audience *a, hub_frame_fn fn, void *arg)
{
	if (!slot->split)
		split_stats(slot);
	const struct stats_cut *cut = NULL;
	for (size_t i = 0; i < slot->n_cuts; i++)
		if (slot->cuts[i].organisation_id == a->organisation_id ||
		    (cut == NULL && slot->cuts[i].organisation_id == 0))
			cut = &slot->cuts[i];
	if (cut)
		fn(slot->frame + cut->at, cut->len, arg);
	if (!a->managed_only) {
		if (slot->shown_len > slot->queues_len)
			fn(slot->frame + slot->queues_len, slot->shown_len - slot->queues_len, arg);
		return;
	}
	if (!slot->digest_ok)
		return;
	struct evbuffer *out = evbuffer_new();
	if (out == NULL)
		return;
	int rc = evbuffer_add_printf(out, DIGEST_HEAD "{\"seq\":%lld,\"agents\":[", (long long)slot->digest_seq);
	bool first = true;
	for (size_t i = 0; rc >= 0 && i < slot->n_entries; i++) {
		if (!manages(a, slot->entries[i].user_id))
			continue;
		if (!first)
			rc = evbuffer_add(out, ",", 1);
		if (rc >= 0)
			rc = evbuffer_add(out, slot->entries[i].text, strlen(slot->entries[i].text));
		first = false;
	}
	if (rc >= 0)
		rc = evbuffer_add(out, "]}\n\n", 4);
	const char *text = rc >= 0 ? (const char *)evbuffer_pullup(out, -1) : NULL;
	if (text)
		fn(text, evbuffer_get_length(out), arg);
	evbuffer_free(out);
}

void hub_read_stats(struct hub *h, int64_t tenant_id, const struct hub_audience *a, uint64_t *generation,
		    hub_frame_fn fn, void *arg)
{
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->n_stats; i++) {
		struct stats_slot *slot = &h->stats[i];
		if (slot->tenant_id != tenant_id || slot->generation <= *generation)
			continue;
		*generation = slot->generation;
		if (a->managed_only || a->organisation_id != 0)
			read_stats_cut(slot, a, fn, arg);
		else
			fn(slot->frame, slot->shown_len, arg);
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

void hub_read_calls(struct hub *h, int64_t tenant_id, const struct hub_audience *a, uint64_t *seq,
		    hub_frame_fn fn, void *arg)
{
	pthread_mutex_lock(&h->lock);
	uint64_t from = *seq + 1;
	if (h->call_seq > HUB_CALL_RING && from <= h->call_seq - HUB_CALL_RING)
		from = h->call_seq - HUB_CALL_RING + 1; /* older ones are gone */
	for (uint64_t i = from; i <= h->call_seq; i++) {
		const struct call_slot *slot = &h->calls[i % HUB_CALL_RING];
		if (slot->seq == i && slot->tenant_id == tenant_id && hub_audience_sees(a, slot->agent_id))
			fn(slot->frame, strlen(slot->frame), arg);
	}
	if (h->call_seq > *seq)
		*seq = h->call_seq;
	pthread_mutex_unlock(&h->lock);
}
