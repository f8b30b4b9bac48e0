/* What the store files ask of a database, whichever the engine: prepare a
 * statement, bind parameters by position, step through rows, read columns,
 * count changed rows, run transaction control. Two engines implement it,
 * one file each: db_sqlite.c (the embedded default) and db_pg.c (libpq).
 * The shape is dovecot lib-sql's: a table of functions per driver, SQL
 * written once by the callers (docs/storage.md).
 *
 * SQL conventions every statement follows so that it runs on both:
 * - parameters are ?N or ?, numbered from 1 (db_pg.c rewrites them to $N);
 * - new ids come back with INSERT ... RETURNING id;
 * - upserts name their conflict target (ON CONFLICT (cols) DO ...);
 * - no SQLite-only or PostgreSQL-only function: the few statements that
 *   cannot be written once are named in dialect.c, one text per engine.
 *
 * Errors: every call that fails answers a negative GC_* code and leaves the
 * engine's message in db_errmsg(). Unique and primary-key violations are
 * GC_ECONFLICT on both engines. Internal to src/store. */
#ifndef GUICHET_STORE_DB_H
#define GUICHET_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_engine { DB_SQLITE, DB_POSTGRESQL };

/* What db_step answers besides an error. */
enum { DB_DONE = 0, DB_ROW = 1 };

struct db;
struct db_stmt;

struct db_ops {
	enum db_engine engine;
	/* A statement for sql, which must outlive it (the store's statements
	 * are string literals). */
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **ret_stmt);
	void (*finalize)(struct db_stmt *st);
	/* Back to before the first step; parameters stay bound. */
	void (*reset)(struct db_stmt *st);
	/* Every parameter back to NULL. */
	void (*clear_bindings)(struct db_stmt *st);
	void (*bind_int64)(struct db_stmt *st, int idx, int64_t value);
	/* text is copied when the engine needs it after the call; len < 0:
	 * up to its NUL. */
	void (*bind_text)(struct db_stmt *st, int idx, const char *text, int len);
	void (*bind_blob)(struct db_stmt *st, int idx, const void *data, size_t len);
	void (*bind_null)(struct db_stmt *st, int idx);
	/* NULL where an integer stands ("?4 IS NULL OR customer_id = ?4"):
	 * an engine that types its parameters needs to know. */
	void (*bind_null_int64)(struct db_stmt *st, int idx);
	/* DB_ROW, DB_DONE or a negative GC_* code. */
	int (*step)(struct db_stmt *st);
	/* Runs a statement whose rows and count nobody reads (an append to a
	 * log) now or, where a round trip costs, with the next statement: its
	 * error, if any, is then that statement's, or flush's. */
	int (*step_later)(struct db_stmt *st);
	/* step_later for a one-row "INSERT INTO t(...) VALUES (...)" (RETURNING
	 * unread, no ON CONFLICT): where a statement costs, the rows appended
	 * to it may wait for more and go as one multi-row INSERT. Waiting
	 * rows go the lowest rank first: a row may reference (a foreign key)
	 * a row of a lower rank appended before it, never one of its own or a
	 * higher rank still waiting. Another form is stepped later as is. */
	int (*append)(struct db_stmt *st, int rank);
	/* Runs the statements step_later kept, so that their errors are known
	 * now (the end of a request). */
	int (*flush)(struct db *db);
	/* Puts what waits for the next statement on its way now, without
	 * waiting for an answer: the server runs it while the caller prepares
	 * more (errors still come with the next statement or flush). Nothing
	 * to do where statements cost no round trip. */
	void (*push)(struct db *db);
	/* Sends a bound read now, where a round trip costs, so that it travels
	 * with the next statement; its rows are read at its first step as
	 * usual, and its error is its step's (a read that could not be sent
	 * runs at its step). Nothing to do where reads cost no round trip. */
	void (*send)(struct db_stmt *st);
	bool (*column_is_null)(struct db_stmt *st, int i);
	/* True when column i holds an integer (not NULL, text, blob or real). */
	bool (*column_is_integer)(struct db_stmt *st, int i);
	int64_t (*column_int64)(struct db_stmt *st, int i);
	double (*column_double)(struct db_stmt *st, int i);
	/* NULL for NULL; valid until the next step or reset. */
	const char *(*column_text)(struct db_stmt *st, int i);
	/* Bytes of column i as text or blob. */
	size_t (*column_bytes)(struct db_stmt *st, int i);
	const void *(*column_blob)(struct db_stmt *st, int i);
	/* Rows changed by the last statement that wrote. */
	int64_t (*changes)(struct db *db);
	/* Runs SQL text, possibly several statements, with no parameters. */
	int (*exec)(struct db *db, const char *sql);
	/* Runs one statement with no parameters and no rows (SAVEPOINT,
	 * RELEASE, ROLLBACK TO) now or, where a round trip costs, with the next
	 * statement: its error, if any, is then that statement's. */
	int (*defer)(struct db *db, const char *sql);
	bool (*in_transaction)(struct db *db);
	/* Whether the server was reachable at the last call (SQLite: always). */
	bool (*connected)(struct db *db);
	void (*close)(struct db *db);
};

/* What every engine's connection and statement start with. */
struct db {
	const struct db_ops *ops;
	char errmsg[256];
};

struct db_stmt {
	struct db *db;
};

/* Opens the SQLite file at path, or connects to the PostgreSQL server at a
 * postgresql:// URL; read_only connections refuse writes. The connection
 * answers its error (and is to be closed) when the call fails, so that the
 * caller can read db_errmsg. */
int db_sqlite_open(const char *path, bool read_only, struct db **ret_db);
int db_pg_open(const char *url, bool read_only, struct db **ret_db);

/* Applies the missing migrations of src/store/schema.c in one transaction
 * each, or checks the version a read-only connection finds. */
int db_sqlite_migrate(struct db *db, bool read_only);
int db_pg_migrate(struct db *db, bool read_only);
/* The schema version recorded in the database. */
int db_sqlite_schema_version(struct db *db);
int db_pg_schema_version(struct db *db);
/* How many times a PostgreSQL connection has waited for the server to
 * answer statements (a pipeline's many count once): what db_send saves,
 * for tests and benchmarks. */
int64_t db_pg_round_trips(struct db *db);
/* The database's size in bytes, or -1. */
int64_t db_sqlite_size(struct db *db);
int64_t db_pg_size(struct db *db);

static inline enum db_engine db_engine(const struct db *db) { return db->ops->engine; }
static inline const char *db_errmsg(const struct db *db) { return db->errmsg; }
static inline void db_close(struct db *db) { if (db) db->ops->close(db); }
static inline int db_exec(struct db *db, const char *sql) { return db->ops->exec(db, sql); }
static inline int db_defer(struct db *db, const char *sql) { return db->ops->defer(db, sql); }
static inline int64_t db_changes(struct db *db) { return db->ops->changes(db); }
static inline bool db_in_transaction(struct db *db) { return db->ops->in_transaction(db); }
static inline bool db_connected(struct db *db) { return db->ops->connected(db); }

static inline void db_reset(struct db_stmt *st) { st->db->ops->reset(st); }
static inline void db_clear_bindings(struct db_stmt *st) { st->db->ops->clear_bindings(st); }
static inline int db_step(struct db_stmt *st) { return st->db->ops->step(st); }
static inline int db_step_later(struct db_stmt *st) { return st->db->ops->step_later(st); }
static inline int db_append(struct db_stmt *st, int rank) { return st->db->ops->append(st, rank); }
static inline int db_flush(struct db *db) { return db->ops->flush(db); }
static inline void db_push(struct db *db) { db->ops->push(db); }
static inline void db_send(struct db_stmt *st) { st->db->ops->send(st); }
static inline void db_bind_int64(struct db_stmt *st, int idx, int64_t v) { st->db->ops->bind_int64(st, idx, v); }
static inline void db_bind_text(struct db_stmt *st, int idx, const char *text, int len) { st->db->ops->bind_text(st, idx, text, len); }
static inline void db_bind_blob(struct db_stmt *st, int idx, const void *data, size_t len) { st->db->ops->bind_blob(st, idx, data, len); }
static inline void db_bind_null(struct db_stmt *st, int idx) { st->db->ops->bind_null(st, idx); }
static inline void db_bind_null_int64(struct db_stmt *st, int idx) { st->db->ops->bind_null_int64(st, idx); }
static inline bool db_column_is_null(struct db_stmt *st, int i) { return st->db->ops->column_is_null(st, i); }
static inline bool db_column_is_integer(struct db_stmt *st, int i) { return st->db->ops->column_is_integer(st, i); }
static inline int64_t db_column_int64(struct db_stmt *st, int i) { return st->db->ops->column_int64(st, i); }
static inline int db_column_int(struct db_stmt *st, int i) { return (int)st->db->ops->column_int64(st, i); }
static inline double db_column_double(struct db_stmt *st, int i) { return st->db->ops->column_double(st, i); }
static inline const char *db_column_text(struct db_stmt *st, int i) { return st->db->ops->column_text(st, i); }
static inline size_t db_column_bytes(struct db_stmt *st, int i) { return st->db->ops->column_bytes(st, i); }
static inline const void *db_column_blob(struct db_stmt *st, int i) { return st->db->ops->column_blob(st, i); }

#endif
