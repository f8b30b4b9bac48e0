/* The SQLite checkpointer's thread (checkpoint.h). */
#include "daemon/checkpoint.h"
#include "daemon/log.h"
#include "guichet/error.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct checkpointer {
	struct store *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked, stopping;
};

static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->kicked && !c->stopping)
			pthread_cond_wait(&c->wake, &c->lock);
		bool last = c->stopping;
		c->kicked = false;
		pthread_mutex_unlock(&c->lock);
		if (store_checkpoint(c->db) < 0)
			log_error("checkpoint failed: the write-ahead log grows until the next",
				  "error", store_errmsg(c->db));
		if (last)
			return NULL;
		nanosleep(&(struct timespec){0, CHECKPOINT_EVERY_MS * 1000000L}, NULL); /* commits gather meanwhile */
		pthread_mutex_lock(&c->lock);
	}
}

int checkpointer_start(const char *db_path, struct checkpointer **ret)
{
	*ret = NULL;
	struct checkpointer *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return GC_ENOMEM;
	int rc = store_open(db_path, STORE_READ_WRITE, &c->db);
	if (rc == GC_OK && !store_checkpoints(c->db)) {
		store_free(c->db); /* PostgreSQL checkpoints itself */
		free(c);
		return GC_OK;
	}
	if (rc < 0) {
		store_free(c->db);
		free(c);
		return rc;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->wake);
		store_free(c->db);
		free(c);
		return GC_ENOMEM;
	}
	*ret = c;
	return GC_OK;
}

void checkpointer_kick(struct checkpointer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	if (!c->kicked) {
		c->kicked = true;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->lock);
}

void checkpointer_stop(struct checkpointer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	store_free(c->db);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
}
