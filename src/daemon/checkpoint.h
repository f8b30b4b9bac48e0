/* The SQLite checkpointer: a thread of guichetd of its own that copies the
 * write-ahead log into the database file (PASSIVE checkpoints: it never
 * blocks a reader or the writer), so the writer's commits no longer pay for
 * it. Until it existed, SQLite's automatic checkpoint ran inside a commit
 * every 1,000 pages, on the writer thread, with its fsync.
 *
 * The writer turns the automatic checkpoint off on its own connection and
 * kicks the checkpointer after each batch it commits; the checkpointer
 * checkpoints at most every CHECKPOINT_EVERY_MS while kicked, and once more
 * as it stops. PostgreSQL has its own: there, nothing is started. */
#ifndef GUICHET_DAEMON_CHECKPOINT_H
#define GUICHET_DAEMON_CHECKPOINT_H

#define CHECKPOINT_EVERY_MS 50

struct checkpointer;

/* *ret NULL (and GC_OK) when the database is not a SQLite file. */
int checkpointer_start(const char *db_path, struct checkpointer **ret);
/* Commits happened: checkpoint soon. NULL is fine. */
void checkpointer_kick(struct checkpointer *c);
void checkpointer_stop(struct checkpointer *c);

#endif
