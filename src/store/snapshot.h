/* A guichet SQLite file read as one snapshot, whoever else writes it: a
 * read-only connection holding one read transaction from its first read to
 * snapshot_close. In WAL mode such a reader never blocks guichetd's writer,
 * and every read through it sees what was committed when it began. Shared
 * by the readers of whole files: backup.c (backup, restore) and migrate.c.
 * Internal to src/store. */
#ifndef GUICHET_STORE_SNAPSHOT_H
#define GUICHET_STORE_SNAPSHOT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* Opens path read-only and starts the read transaction. GC_ENOTFOUND when
 * path is absent, GC_EINVAL when it is not an SQLite file, GC_EIO; errmsg
 * names path. */
int snapshot_open(const char *path, sqlite3 **ret_db, char *errmsg, size_t errmsg_len);
/* GC_OK when db is a guichet database (the tables every version has) at a
 * schema version from 1 to this build's, answered in *ret_version; else
 * GC_EINVAL, GC_ESCHEMA (newer) or GC_EIO, errmsg naming path. */
int snapshot_check(sqlite3 *db, const char *path, int *ret_version, char *errmsg, size_t errmsg_len);
/* True when another process (a running guichetd, a guichet admin, an
 * sqlite3 shell) has the database at db_path open. Ask before opening it:
 * the look closes a descriptor of the file, which drops this process's own
 * locks on it. */
bool snapshot_held_by_process(const char *db_path);
/* Ends the read transaction and closes; accepts NULL. */
void snapshot_close(sqlite3 *db);

#endif
