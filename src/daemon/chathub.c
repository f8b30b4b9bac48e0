/* The chat fan-out (chathub.h).
 *
 * Watches are kept in a fixed table of buckets by contact id, each entry a
 * (contact, box, count) triple; a note is copied once into the inbox of
 * each box watching its contact. The writer's staged notes wait in two
 * lists, the current job's and the batch's, as the router's events do. */
#include "daemon/chathub.h"
#include "daemon/hub.h"
#include "guichet/error.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384 /* a power of two */

struct msg {
	struct msg *next;
	int64_t contact_id, id;
	enum chat_to to;
	size_t len;
	char frame[];
};

struct chatbox {
	struct chathub *hub;
	struct chatbox *next_box;  /* the hub's boxes, under its lock */
	struct event *wake;
	chatbox_fn fn;
	void *arg;
	struct msg *head, **tail;  /* the inbox, under the hub's lock */
};

struct watch {
	struct watch *next;
	int64_t contact_id;
	struct chatbox *box;
	uint32_t count;
	int64_t wait_told;         /* the last wait published (chathub_wait_changed), -1: none */
};

struct staged {
	struct msg *head, **tail;
};

struct chathub {
	pthread_mutex_t lock;
	struct watch *buckets[BUCKETS];
	struct chatbox *boxes;
	struct chathub_relay relay; /* set once, before the threads publish */
	struct staged job, batch;  /* the writer's alone */
};

static size_t bucket_of(int64_t contact_id)
{
	uint64_t x = (uint64_t)contact_id * 0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 32) & (BUCKETS - 1);
}

static void staged_init(struct staged *s)
{
	s->head = NULL;
	s->tail = &s->head;
}

static void msgs_free(struct msg *m)
{
	while (m) {
		struct msg *next = m->next;
		free(m);
		m = next;
	}
}

static struct msg *msg_new(const struct chat_note *n)
{
	struct msg *m = malloc(sizeof(*m) + n->len + 1);
	if (m == NULL)
		return NULL;
	*m = (struct msg){.contact_id = n->contact_id, .id = n->id, .to = n->to, .len = n->len};
	memcpy(m->frame, n->frame, n->len);
	m->frame[n->len] = '\0';
	return m;
}

struct chathub *chathub_new(void)
{
	struct chathub *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	staged_init(&h->job);
	staged_init(&h->batch);
	return h;
}

void chathub_free(struct chathub *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		for (struct watch *w = h->buckets[i], *next; w; w = next) {
			next = w->next;
			free(w);
		}
	}
	msgs_free(h->job.head);
	msgs_free(h->batch.head);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* Hands the box's inbox to its function, on the box's worker. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct chatbox *b = arg;
	pthread_mutex_lock(&b->hub->lock);
	struct msg *m = b->head;
	b->head = NULL;
	b->tail = &b->head;
	pthread_mutex_unlock(&b->hub->lock);
	for (struct msg *i = m; i; i = i->next) {
		struct chat_note n = {.contact_id = i->contact_id, .id = i->id, .to = i->to, .frame = i->frame,
				      .len = i->len};
		b->fn(b->arg, &n);
	}
	msgs_free(m);
}

struct chatbox *chatbox_new(struct chathub *h, struct event_base *base, chatbox_fn fn, void *arg)
{
	struct chatbox *b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	*b = (struct chatbox){.hub = h, .fn = fn, .arg = arg};
	b->tail = &b->head;
	b->wake = event_new(base, -1, 0, on_wake, b);
	if (b->wake == NULL) {
		free(b);
		return NULL;
	}
	pthread_mutex_lock(&h->lock);
	b->next_box = h->boxes;
	h->boxes = b;
	pthread_mutex_unlock(&h->lock);
	return b;
}

void chatbox_free(struct chatbox *b)
{
	if (b == NULL)
		return;
	struct chathub *h = b->hub;
	pthread_mutex_lock(&h->lock);
	for (struct chatbox **p = &h->boxes; *p; p = &(*p)->next_box) {
		if (*p == b) {
			*p = b->next_box;
			break;
		}
	}
	for (size_t i = 0; i < BUCKETS; i++) {
		for (struct watch **w = &h->buckets[i]; *w;) {
			if ((*w)->box == b) {
				struct watch *gone = *w;
				*w = gone->next;
				free(gone);
			} else {
				w = &(*w)->next;
			}
		}
	}
	struct msg *m = b->head;
	pthread_mutex_unlock(&h->lock);
	msgs_free(m);
	event_free(b->wake);
	free(b);
}

int chathub_watch(struct chatbox *b, int64_t contact_id)
{
	struct chathub *h = b->hub;
	size_t i = bucket_of(contact_id);
	int rc = GC_OK;
	pthread_mutex_lock(&h->lock);
	struct watch *w = h->buckets[i];
	while (w && (w->contact_id != contact_id || w->box != b))
		w = w->next;
	if (w) {
		w->count++;
	} else if ((w = malloc(sizeof(*w))) != NULL) {
		*w = (struct watch){.next = h->buckets[i], .contact_id = contact_id, .box = b, .count = 1, .wait_told = -1};
		h->buckets[i] = w;
	} else {
		rc = GC_ENOMEM;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

bool chathub_wait_changed(struct chathub *h, int64_t contact_id, uint32_t position, int64_t expected_s)
{
	int64_t told = (int64_t)position << 32 | (uint32_t)(expected_s < 0 ? UINT32_MAX : expected_s);
	bool changed = false;
	pthread_mutex_lock(&h->lock);
	for (struct watch *w = h->buckets[bucket_of(contact_id)]; w; w = w->next)
		if (w->contact_id == contact_id && w->wait_told != told) {
			w->wait_told = told;
			changed = true;
		}
	pthread_mutex_unlock(&h->lock);
	return changed;
}

void chathub_unwatch(struct chatbox *b, int64_t contact_id)
{
	struct chathub *h = b->hub;
	pthread_mutex_lock(&h->lock);
	for (struct watch **w = &h->buckets[bucket_of(contact_id)]; *w; w = &(*w)->next) {
		if ((*w)->contact_id == contact_id && (*w)->box == b) {
			if (--(*w)->count == 0) {
				struct watch *gone = *w;
				*w = gone->next;
				free(gone);
			}
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
}

/* Appends a copy of n to box b's inbox and wakes it; under the lock. */
static void deliver_locked(struct chatbox *b, const struct chat_note *n)
{
	struct msg *m = msg_new(n);
	if (m == NULL)
		return; /* the stream misses it; its client resumes from the store */
	*b->tail = m;
	b->tail = &m->next;
	event_active(b->wake, 0, 0);
}

/* Copies n into the inbox of each box watching its contact; under the lock. */
static void publish_locked(struct chathub *h, const struct chat_note *n)
{
	for (struct watch *w = h->buckets[bucket_of(n->contact_id)]; w; w = w->next)
		if (w->contact_id == n->contact_id)
			deliver_locked(w->box, n);
}

void chathub_publish_here(struct chathub *h, const struct chat_note *notes, size_t n)
{
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < n; i++)
		publish_locked(h, &notes[i]);
	pthread_mutex_unlock(&h->lock);
}

void chathub_publish(struct chathub *h, const struct chat_note *note)
{
	chathub_publish_here(h, note, 1);
	if (h->relay.notes)
		h->relay.notes(h->relay.arg, note, 1);
}

void chathub_set_relay(struct chathub *h, const struct chathub_relay *relay)
{
	h->relay = *relay;
}

void chathub_resume_all(struct chathub *h)
{
	struct chat_note resume = {.to = CHAT_RESUME, .frame = "", .len = 0};
	pthread_mutex_lock(&h->lock);
	for (struct chatbox *b = h->boxes; b; b = b->next_box)
		deliver_locked(b, &resume);
	pthread_mutex_unlock(&h->lock);
}

int chathub_stage(struct chathub *h, const struct chat_note *note)
{
	struct msg *m = msg_new(note);
	if (m == NULL)
		return GC_ENOMEM;
	*h->job.tail = m;
	h->job.tail = &m->next;
	return GC_OK;
}

void chathub_job_end(struct chathub *h, bool kept)
{
	if (h == NULL || h->job.head == NULL)
		return;
	if (kept) {
		*h->batch.tail = h->job.head;
		h->batch.tail = h->job.tail;
	} else {
		msgs_free(h->job.head);
	}
	staged_init(&h->job);
}

void chathub_batch_end(struct chathub *h, bool committed)
{
	if (h == NULL)
		return;
	chathub_job_end(h, committed); /* a job never ended (a failed batch) goes with it */
	struct msg *m = h->batch.head;
	staged_init(&h->batch);
	size_t n = 0;
	for (struct msg *i = committed ? m : NULL; i; i = i->next)
		n++;
	struct chat_note *notes = n ? malloc(n * sizeof(*notes)) : NULL;
	size_t k = 0;
	for (struct msg *i = notes ? m : NULL; i; i = i->next)
		notes[k++] = (struct chat_note){.contact_id = i->contact_id, .id = i->id, .to = i->to,
						.frame = i->frame, .len = i->len};
	if (k) {
		chathub_publish_here(h, notes, k);
		if (h->relay.notes)
			h->relay.notes(h->relay.arg, notes, k);
	}
	/* out of memory for the list: the streams miss these notes, and
	   their clients resume from the store */
	free(notes);
	msgs_free(m);
}

/* The type of a routing event's frame ("id: N\nevent: TYPE\n..."), into ret. */
static void frame_type(const char *frame, size_t len, char *ret, size_t ret_len)
{
	const char *p = memmem(frame, len, "event: ", 7);
	size_t n = 0;
	if (p) {
		p += 7;
		while (p + n < frame + len && p[n] != '\n' && n + 1 < ret_len)
			n++;
		memcpy(ret, p, n);
	}
	ret[n] = '\0';
}

void chathub_routing(void *arg, const struct hub_event *events, size_t n)
{
	struct chathub *h = arg;
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < n; i++) {
		const struct hub_event *ev = &events[i];
		if (ev->contact_id == 0)
			continue;
		bool watched = false;
		for (struct watch *w = h->buckets[bucket_of(ev->contact_id)]; w && !watched; w = w->next)
			watched = w->contact_id == ev->contact_id;
		if (!watched)
			continue;
		char type[32];
		frame_type(ev->frame, ev->len, type, sizeof(type));
		struct chat_note note = {.contact_id = ev->contact_id, .id = ev->agent_id, .to = CHAT_ROUTING,
					 .frame = type, .len = strlen(type)};
		publish_locked(h, &note);
	}
	pthread_mutex_unlock(&h->lock);
}
