/* The agents' open desks (desks.h). */
#include "daemon/desks.h"

#include "guichet/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* A desk closed this recently still counts as seen: one opened and closed
 * between two of the writer's rounds (a second apart) is seen once. */
#define DESKS_CLOSED_SEEN_MS 1500

struct desk {
	struct { int64_t tenant_id, user_id; } key;
	int here;                   /* streams open on this node */
	int64_t closed_at;          /* when its last stream here closed (ms) */
	int64_t elsewhere_at;       /* when another node last reported it (ms); 0: never */
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

/* The agent's entry, made if needed (NULL: out of memory); under the lock. */
static struct desk *entry(struct desks *d, int64_t tenant_id, int64_t user_id)
{
	struct desk probe, *k = NULL;
	memset(&probe, 0, sizeof(probe));
	probe.key.tenant_id = tenant_id;
	probe.key.user_id = user_id;
	HASH_FIND(hh, d->all, &probe.key, sizeof(probe.key), k);
	if (k == NULL && (k = calloc(1, sizeof(*k)))) {
		k->key = probe.key;
		HASH_ADD(hh, d->all, key, sizeof(k->key), k);
	}
	return k;
}

void desks_open(struct desks *d, int64_t tenant_id, int64_t user_id)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k = entry(d, tenant_id, user_id);
	if (k)
		k->here++;
	pthread_mutex_unlock(&d->lock);
}

void desks_close(struct desks *d, int64_t tenant_id, int64_t user_id)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k = entry(d, tenant_id, user_id);
	if (k && k->here > 0 && --k->here == 0)
		k->closed_at = gc_now_ms();
	pthread_mutex_unlock(&d->lock);
}

void desks_seen_elsewhere(struct desks *d, int64_t tenant_id, int64_t user_id, int64_t now)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k = entry(d, tenant_id, user_id);
	if (k)
		k->elsewhere_at = now;
	pthread_mutex_unlock(&d->lock);
}

void desks_each(struct desks *d, int64_t now, bool here_only, desks_fn fn, void *arg)
{
	pthread_mutex_lock(&d->lock);
	struct desk *k, *tmp;
	HASH_ITER(hh, d->all, k, tmp) {
		bool elsewhere = k->elsewhere_at && now - k->elsewhere_at <= DESKS_ELSEWHERE_MS;
		bool here = k->here > 0 || (k->closed_at && now - k->closed_at <= DESKS_CLOSED_SEEN_MS);
		if (here || (!here_only && elsewhere)) {
			fn(arg, k->key.tenant_id, k->key.user_id);
		} else if (!elsewhere) { /* closed everywhere: forgotten */
			HASH_DEL(d->all, k);
			free(k);
		}
	}
	pthread_mutex_unlock(&d->lock);
}
