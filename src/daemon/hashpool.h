/* The password-hashing pool: slow work (argon2id checks and hashes) off the
 * HTTP workers, so a flood of logins slows logins, not every request.
 *
 * A few threads, each with its own read-only store connection, take jobs
 * from one bounded queue. Submitting to a full queue fails at once with
 * GC_EBUSY: the caller answers 503 with Retry-After rather than letting
 * work pile up. A job's work runs on a pool thread with that thread's
 * connection, then its done runs on the same thread: done hands the result
 * back to whoever answers (a worker's event loop, the writer).
 *
 * Invariants: every job accepted runs work then done exactly once, also
 * when the pool is freed with jobs still queued (hashpool_free runs them
 * before it returns); a job refused runs nothing. */
#ifndef GUICHET_DAEMON_HASHPOOL_H
#define GUICHET_DAEMON_HASHPOOL_H

#include "store/store.h"

#define HASHPOOL_MAX_THREADS 16
#define HASHPOOL_MAX_QUEUE 4096

struct hashpool;

typedef void (*hashpool_work_fn)(void *arg, struct store *db);
typedef void (*hashpool_done_fn)(void *arg);

/* Opens n_threads read-only connections to db_path and starts the threads;
 * at most queue_len jobs wait. GC_EINVAL for counts out of range. */
int hashpool_new(const char *db_path, int n_threads, int queue_len, struct hashpool **ret_pool);
/* Queues a job; GC_EBUSY when the queue is full or the pool is closing. */
int hashpool_submit(struct hashpool *pool, hashpool_work_fn work, hashpool_done_fn done, void *arg);
/* Jobs waiting (not yet running), for metrics. */
int hashpool_waiting(struct hashpool *pool);
/* Refuses new jobs, runs the queued ones, stops the threads, closes the
 * connections. Accepts NULL. */
void hashpool_free(struct hashpool *pool);

#endif
