/* The password-hashing pool (hashpool.h): a ring of jobs under one mutex,
 * threads waiting on a condition variable. Closing sets `closing`; threads
 * leave only once the ring is empty, so queued jobs still run. */
#include "daemon/hashpool.h"
#include "guichet/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
	hashpool_work_fn work;
	hashpool_done_fn done;
	void *arg;
};

struct thread {
	struct hashpool *pool;
	struct store *db;
	pthread_t id;
	bool started;
};

struct hashpool {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct job *ring;
	int cap, head, n_waiting;
	bool closing;
	struct thread *threads;
	int n_threads;
};

static void *pool_main(void *arg)
{
	struct thread *t = arg;
	struct hashpool *p = t->pool;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->n_waiting == 0 && !p->closing)
			pthread_cond_wait(&p->ready, &p->lock);
		if (p->n_waiting == 0)
			break; /* closing, and nothing left */
		struct job job = p->ring[p->head];
		p->head = (p->head + 1) % p->cap;
		p->n_waiting--;
		pthread_mutex_unlock(&p->lock);
		job.work(job.arg, t->db);
		if (job.done)
			job.done(job.arg);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int hashpool_new(const char *db_path, int n_threads, int queue_len, struct hashpool **ret_pool)
{
	if (n_threads < 1 || n_threads > HASHPOOL_MAX_THREADS || queue_len < 1 || queue_len > HASHPOOL_MAX_QUEUE)
		return GC_EINVAL;
	struct hashpool *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return GC_ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->ready, NULL);
	p->cap = queue_len;
	p->ring = calloc((size_t)queue_len, sizeof(*p->ring));
	p->threads = calloc((size_t)n_threads, sizeof(*p->threads));
	int rc = p->ring && p->threads ? GC_OK : GC_ENOMEM;
	for (int i = 0; rc == GC_OK && i < n_threads; i++) {
		struct thread *t = &p->threads[i];
		t->pool = p;
		rc = store_open(db_path, STORE_READ_ONLY, &t->db); /* t->db set even on failure */
		p->n_threads++;
		if (rc == GC_OK && pthread_create(&t->id, NULL, pool_main, t) != 0)
			rc = GC_ENOMEM;
		t->started = rc == GC_OK;
	}
	if (rc < 0) {
		hashpool_free(p);
		return rc;
	}
	*ret_pool = p;
	return GC_OK;
}

int hashpool_submit(struct hashpool *p, hashpool_work_fn work, hashpool_done_fn done, void *arg)
{
	pthread_mutex_lock(&p->lock);
	bool full = p->closing || p->n_waiting == p->cap;
	if (!full) {
		p->ring[(p->head + p->n_waiting) % p->cap] = (struct job){work, done, arg};
		p->n_waiting++;
		pthread_cond_signal(&p->ready);
	}
	pthread_mutex_unlock(&p->lock);
	return full ? GC_EBUSY : GC_OK;
}

int hashpool_waiting(struct hashpool *p)
{
	pthread_mutex_lock(&p->lock);
	int n = p->n_waiting;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void hashpool_free(struct hashpool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->closing = true;
	pthread_cond_broadcast(&p->ready);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->n_threads; i++) {
		if (p->threads[i].started)
			pthread_join(p->threads[i].id, NULL);
		store_free(p->threads[i].db);
	}
	free(p->threads);
	free(p->ring);
	pthread_cond_destroy(&p->ready);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
