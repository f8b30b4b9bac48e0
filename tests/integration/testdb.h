/* The database a test runs on, on either engine: GUICHET_TEST_ENGINE=sqlite
 * (the default) or postgresql. On SQLite a test's database is a file in its
 * own folder; on PostgreSQL it is a fresh database g_<n> on one throwaway
 * cluster per test program (pgcluster.h), started at the first database
 * asked for and stopped by its guard however the program ends. The
 * integration harness (daemon_init) and the store's unit tests
 * (test_store_open) make every database here, so a test names no engine. */
#ifndef GUICHET_TEST_TESTDB_H
#define GUICHET_TEST_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

struct pgcluster;

/* Whether this run is on PostgreSQL; GUICHET_TEST_ENGINE is read once, and
 * a value other than sqlite or postgresql stops the program. */
bool testdb_is_pg(void);
/* "sqlite" or "postgresql". */
const char *testdb_engine_name(void);

/* A new database: on SQLite the path dir/name (not created: the store
 * creates it), on PostgreSQL the URL of a new database on the cluster, at
 * the current schema (a copy of one the store migrated at the first call:
 * what guichetd or guichet admin would make of an empty one, with no
 * tenant). 0, or -1 with the reason on stderr. */
int testdb_new(const char *dir, const char *name, char *ret_target, size_t len);
/* Drops what testdb_new made on PostgreSQL (its connections closed by force);
 * on SQLite the caller removes its folder. */
void testdb_drop(const char *target);

/* Runs sql (one or more statements of the target's dialect) on target, a
 * path or a URL: 0, or -1 with the database's error on stderr. */
int testdb_exec(const char *target, const char *sql);
/* Marks target's schema as version: PRAGMA user_version on SQLite, the
 * guichet_schema row on PostgreSQL. 0 or -1. */
int testdb_set_schema_version(const char *target, int version);

/* The program's cluster, or NULL on SQLite or before the first database. */
struct pgcluster *testdb_cluster(void);
/* On PostgreSQL, a crash of the server (pg_ctl stop -m immediate) and its
 * restart on the same data and port; nothing on SQLite. 0 or -1. */
int testdb_crash_server(void);

/* Skips the calling cmocka test on PostgreSQL, with why on stderr: for the
 * tests that are SQLite by nature (a file's backup, its schema edited). */
void testdb_skip_unless_sqlite(const char *why);
/* PostgreSQL only: the run's server stopped (as by a crash) and started again. */
int testdb_server_down(void);
int testdb_server_up(void);

#endif
