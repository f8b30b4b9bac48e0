/* The agents' open desks (desks.h). */
#include "daemon/desks.h"
#include "guichet/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* A desk closed this recently is still told to the other nodes: one
 * opened and closed between two of the writer's rounds (a second apart) is
 * seen once. */
#define DESKS_CLOSED_TOLD_MS 1500

struct desk {
	struct desk_key key;
	int here;                   /* streams open on this node */
	int64_t closed_at;          /* when its last stream here closed (ms); 0: never */
	int64_t elsewhere_at;       /* when another node last reported it (ms); 0: never */
	int64_t seen_at;            /* when it was last known open (ms) */
	UT_hash_handle hh;
};

struct desks {
	pthread_mutex_t lock;
	struct desk *all;
};

struct desks *desks_new(void)
{
	struct desks *d = calloc(1, sizeof(*d));
	if (d)
		pthread_mutex_init(&d->lock, NULL);
	return d;
}

void desks_free(struct desks *d)
{
	if (d == NULL)
		return;
	struct desk *k, *tmp;
	HASH_ITER(hh, d->all, k, tmp) {
		HASH_DEL(d->all, k);
		free(k);
	}
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static struct desk *find(struct desks *d, int64_t tenant_id, int64_t user_id)
{
	struct desk_key key;
	memset(&key, 0, sizeof(key));
	key.tenant_id = tenant_id;
	key.user_id = user_id;
	struct desk *k = NULL;
	HASH_FIND(hh, d->all, &key, sizeof(key), k);
	return k;
}

/* The agent's entry, made if needed (NULL: out of memory); under the lock. */
static struct desk *entry(struct desks *d, int64_t tenant_id, int64_t user_id)
{
	struct desk *k = find(d, tenant_id, user_id);
	if (k == NULL && (k = calloc(1, sizeof(*k)))) {
		k->key.tenant_id = tenant_id;
		k->key.user_id = user_id;
		HASH_ADD(hh, d->all, key, sizeof(k->key), k);
	}
	return k;
}

static bool open_now(const struct desk *k, int64_t now)
{
	return k->here > 0 || (k->elsewhere_at && now - k->elsewhere_at <= DESKS_ELSEWHERE_MS);
}

void desks_open(struct desks *d, int64_t tenant_id, int64_t user_id)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k = entry(d, tenant_id, user_id);
	if (k) {
		k->here++;
		k->seen_at = gc_now_ms();
	}
	pthread_mutex_unlock(&d->lock);
}

void desks_close(struct desks *d, int64_t tenant_id, int64_t user_id)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k = find(d, tenant_id, user_id);
	if (k && k->here > 0 && --k->here == 0)
		k->closed_at = k->seen_at = gc_now_ms();
	pthread_mutex_unlock(&d->lock);
}

void desks_seen_elsewhere(struct desks *d, int64_t tenant_id, int64_t user_id, int64_t now)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k = entry(d, tenant_id, user_id);
	if (k)
		k->elsewhere_at = k->seen_at = now;
	pthread_mutex_unlock(&d->lock);
}

void desks_each_here(struct desks *d, int64_t now, desks_fn fn, void *arg)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k, *tmp;
	HASH_ITER(hh, d->all, k, tmp)
		if (k->here > 0 || (k->closed_at && now - k->closed_at <= DESKS_CLOSED_TOLD_MS))
			fn(arg, k->key.tenant_id, k->key.user_id);
	pthread_mutex_unlock(&d->lock);
}

size_t desks_gone(struct desks *d, int64_t now, int64_t grace_ms, struct desk_key *out, size_t max)
{
	size_t n = 0;
	pthread_mutex_lock(&d->lock);
	struct desk *k, *tmp;
	HASH_ITER(hh, d->all, k, tmp) {
		if (open_now(k, now))
			k->seen_at = now;
		else if (now - k->seen_at > grace_ms && n < max)
			out[n++] = k->key;
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

void desks_forget(struct desks *d, const struct desk_key *key, int64_t now, int64_t grace_ms)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k = find(d, key->tenant_id, key->user_id);
	if (k && !open_now(k, now) && now - k->seen_at > grace_ms) {
		HASH_DEL(d->all, k);
		free(k);
	}
	pthread_mutex_unlock(&d->lock);
}

void desks_touch_all(struct desks *d, int64_t now)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k, *tmp;
	HASH_ITER(hh, d->all, k, tmp)
		k->seen_at = now;
	pthread_mutex_unlock(&d->lock);
}
