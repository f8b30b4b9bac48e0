/* A thread of rounds (rounds.h). */
#include "daemon/rounds.h"
#include "guichet/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct rounds {
	rounds_fn *round;
	void *arg;
	int64_t interval_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stopping;
	bool kicked; /* under lock: a round asked for since the last one began */
};

static void *rounds_main(void *arg)
{
	struct rounds *r = arg;
	pthread_mutex_lock(&r->lock);
	while (!atomic_load(&r->stopping)) {
		r->kicked = false; /* this round takes what the kick announced */
		pthread_mutex_unlock(&r->lock);
		bool more = r->round(r->arg);
		pthread_mutex_lock(&r->lock);
		if (more || r->kicked)
			continue;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(r->interval_ms / 1000);
		until.tv_nsec += (long)(r->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!r->kicked && !atomic_load(&r->stopping))
			if (pthread_cond_timedwait(&r->wake, &r->lock, &until) != 0)
				break; /* the interval: what came due meanwhile */
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int rounds_start(rounds_fn *round, void *arg, int64_t interval_ms, struct rounds **ret)
{
	struct rounds *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return GC_ENOMEM;
	r->round = round;
	r->arg = arg;
	r->interval_ms = interval_ms;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	*ret = r;
	if (pthread_create(&r->thread, NULL, rounds_main, r) != 0) {
		*ret = NULL;
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->wake);
		free(r);
		return GC_ENOMEM;
	}
	return GC_OK;
}

void rounds_kick(struct rounds *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->kicked = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

bool rounds_stopping(const struct rounds *r)
{
	return atomic_load(&r->stopping);
}

void rounds_stop(struct rounds *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	atomic_store(&r->stopping, true);
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	free(r);
}
