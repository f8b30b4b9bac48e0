/* The writer: the one thread that writes to the database, committing
 * requests in batches (group commit).
 *
 * Workers hand it requests; it runs each request's handler inside one
 * shared transaction, isolated by a savepoint, commits the batch with one
 * fsync, and hands each request back to its worker to answer. Requests
 * arriving during a commit form the next batch, so under load one fsync
 * acknowledges many writes, and no write is acknowledged before it is on
 * disk. */
#ifndef GUICHET_DAEMON_WRITER_H
#define GUICHET_DAEMON_WRITER_H

#include <stdint.h>

#include "store/store.h"

struct request;
struct writer;

#define WRITER_MAX_BATCH 1024

int writer_new(const char *db_path, struct writer **ret_writer);
/* Commits what is queued, stops the thread and frees it. NULL is fine. */
void writer_free(struct writer *w);
/* Queues r; its route's run will execute on the writer thread. */
void writer_submit(struct writer *w, struct request *r);
/* Counters for /metrics. */
void writer_stats(struct writer *w, uint64_t *ret_batches, uint64_t *ret_jobs);

#endif
