/* The writer: the one thread that writes to the database, committing
 * requests in batches (group commit).
 *
 * Workers hand it requests; it runs each request's handler inside one
 * shared transaction, isolated by a savepoint, commits the batch with one
 * fsync, and hands each request back to its worker to answer. Requests
 * arriving during a commit form the next batch, so under load one fsync
 * acknowledges many writes, and no write is acknowledged before it is on
 * disk. Between batches it runs the routing engine's timers, each tick in a
 * transaction of its own, and publishes the live queue statistics. */
#ifndef GUICHET_DAEMON_WRITER_H
#define GUICHET_DAEMON_WRITER_H

#include <stdint.h>

#include "store/store.h"

struct hub;
struct request;
struct router;
struct writer;

#define WRITER_MAX_BATCH 1024

/* Opens the write connection and loads the routing engine from it; routing
 * events go to hub once committed. */
struct cluster;
/* In a cluster (cluster.h, else NULL), it also keeps this node's routing
 * leases, once a second, and lets them go as it stops. */
/* chat (chathub.h) gets the chat's staged events published after each
 * commit, and the routing events of watched chats. */
struct chathub;
/* desks (desks.h, NULL for none): once a second the routing engine sees
 * the agents' open desks and signs out those gone for more than
 * desk_grace_ms (0: never). */
struct desks;
int writer_new(const char *db_path, struct hub *hub, struct chathub *chat, struct cluster *cluster,
	       struct desks *desks, int64_t desk_grace_ms, struct writer **ret_writer);
/* Commits what is queued, stops the thread and frees it. NULL is fine. */
void writer_free(struct writer *w);
/* Queues r; its route's run will execute on the writer thread. */
void writer_submit(struct writer *w, struct request *r);
/* A channel's work, with no HTTP request: fn runs on the writer in a
 * batch's transaction, in a savepoint of its own, with the core
 * operations, and its writes are checked before the next job (as a
 * request's). writer_run waits: GC_OK once fn's work is committed, fn's own
 * error (its work rolled back), or GC_ESTORE when the batch could not
 * commit. From any thread but the writer's. */
struct ops;
typedef int (*writer_task_fn)(void *arg, const struct ops *o);
int writer_run(struct writer *w, writer_task_fn fn, void *arg);
/* The same in two steps, for a caller with other work meanwhile (the
 * fetcher reads the next batch while this one commits): writer_start
 * queues fn; writer_wait (once per task, from the same thread) waits for
 * it and answers what writer_run would. arg must live until then. */
struct writer_task;
int writer_start(struct writer *w, writer_task_fn fn, void *arg, struct writer_task **ret);
int writer_wait(struct writer *w, struct writer_task *t);
/* fn queued with nobody to wait for it (a chat's delivered mark): arg is
 * malloc'd and freed with free() once fn ran, or did not (the batch could
 * not begin, the writer is stopping: GC_EBUSY). From any thread. */
int writer_post(struct writer *w, writer_task_fn fn, void *arg);

/* fn(arg) runs on the writer thread after each batch that commits a
 * request of a route that queues mail (ROUTE_MAIL): the email sender's
 * kick; also after the clock's walk of incidents' broadcasts queued mail.
 * Set before any request comes; set to NULL before the senders stop (the
 * clock runs until the writer is freed). */
void writer_on_mail(struct writer *w, void (*fn)(void *arg), void *arg);
/* fn(arg) runs on the writer thread after each batch that commits a
 * request of a route that adds or removes a mailbox
 * (ROUTE_MAILBOX): the fetcher and the IDLE watcher read the mailboxes
 * again at once, not at their next poll. Set to NULL before they stop. */
void writer_on_mailboxes(struct writer *w, void (*fn)(void *arg), void *arg);
/* Calls' recordings live in dir: from now on the writer's clock deletes
 * those past their tenant's retention, rows then files (once a minute). */
void writer_set_recordings(struct writer *w, const char *dir);

/* From any thread: the writer keeps its routing leases now rather than at
 * its next second (another node let some go, or stopped). */
void writer_lease_round_now(struct writer *w);

/* The routing engine: only for runs on the writer thread. */
struct router *writer_router(struct writer *w);
/* Counters for /metrics. */
void writer_stats(struct writer *w, uint64_t *ret_batches, uint64_t *ret_jobs);

#endif
