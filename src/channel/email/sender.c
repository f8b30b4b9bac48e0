/* The email sender's thread (sender.h). */
#include "channel/email/sender.h"
#include "channel/email/send.h"
#include "daemon/l2_export.h"
#include "daemon/voc.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct email_sender {
	struct email_sender_deps deps;
	struct store *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked, stopping;
};

static void *sender_main(void *arg)
{
	struct email_sender *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		s->kicked = false;
		pthread_mutex_unlock(&s->lock);
		/* the level-2 exports due join the outbox first */
		l2_export_due(s->db, s->deps.writer, s->deps.cluster, gc_now_ms());
		voc_due(s->db, s->deps.writer, s->deps.cluster, gc_now_ms());
		bool more = email_send_due(s->db, s->deps.writer, s->deps.secrets, s->deps.cluster);
		pthread_mutex_lock(&s->lock);
		if (more || s->kicked || s->stopping)
			continue; /* more due, or queued while this round ran */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->deps.poll_ms / 1000;
		until.tv_nsec += (long)(s->deps.poll_ms % 1000) * 1000000L;
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

int email_sender_start(const struct email_sender_deps *deps, struct email_sender **ret)
{
	struct email_sender *s = calloc(1, sizeof(*s));
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

void email_sender_kick(void *sender)
{
	struct email_sender *s = sender;
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->kicked = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void email_sender_stop(struct email_sender *s)
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
