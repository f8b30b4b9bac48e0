/* The messaging sender's thread (sender.h). */
#include "channel/messaging/sender.h"
#include "channel/messaging/send.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct msg_sender {
	struct msg_sender_deps deps;
	struct store *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked, stopping;
};

static void *sender_main(void *arg)
{
	struct msg_sender *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		s->kicked = false;
		pthread_mutex_unlock(&s->lock);
		bool more = msg_send_due(s->db, s->deps.writer, s->deps.secrets, s->deps.cluster, s->deps.retry_ms);
		pthread_mutex_lock(&s->lock);
		if (more || s->kicked || s->stopping)
			continue; /* more due, or queued while this round ran */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->deps.retry_ms / 1000;
		until.tv_nsec += (long)(s->deps.retry_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!s->kicked && !s->stopping)
			if (pthread_cond_timedwait(&s->wake, &s->lock, &until) != 0)
				break; /* the poll interval: retries that came due */
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int msg_sender_start(const struct msg_sender_deps *deps, struct msg_sender **ret)
{
	struct msg_sender *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GC_ENOMEM;
	s->deps = *deps;
	int rc = store_open(deps->db, STORE_READ_ONLY, &s->db);
	if (rc < 0) {
		store_free(s->db);
		free(s);
		return rc;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->wake);
		store_free(s->db);
		free(s);
		return GC_ENOMEM;
	}
	*ret = s;
	return GC_OK;
}

void msg_sender_kick(void *sender)
{
	struct msg_sender *s = sender;
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->kicked = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void msg_sender_stop(struct msg_sender *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	store_free(s->db);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
