/* The SQLite engine of db.h: the embedded default.
 *
 * "INSERT ... RETURNING id", the store's one way to learn a new id, runs as
 * the INSERT alone and answers sqlite3_last_insert_rowid as its row:
 * SQLite builds a RETURNING's rows in a temporary table first, which cost
 * 14% more instructions per POST (callgrind).
 *
 * Durability: WAL with synchronous=FULL, so a commit has reached the disk
 * when COMMIT returns. The schema version is PRAGMA user_version; each
 * migration runs in its own BEGIN IMMEDIATE transaction. */
#include "store/db.h"
#include "store/schema.h"
#include "guichet/error.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq_db {
	struct db base;
	sqlite3 *handle;
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *stmt;
	bool returns_rowid;  /* "INSERT ... RETURNING id", run without its RETURNING */
	bool stepped;        /* returns_rowid: its one row was answered */
	int64_t rowid;
};

static const char returning_id[] = " RETURNING id";

static sqlite3 *handle(struct db *db) { return ((struct sq_db *)db)->handle; }
static sqlite3_stmt *stmt(struct db_stmt *st) { return ((struct sq_stmt *)st)->stmt; }

/* Maps an SQLite result code to a guichet error, remembering the message. */
static int fail(struct db *db, int rc)
{
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", sqlite3_errmsg(handle(db)));
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return GC_ECONFLICT;
	case SQLITE_NOMEM:
		return GC_ENOMEM;
	case SQLITE_TOOBIG:
		return GC_ETOOBIG;
	default:
		return GC_ESTORE;
	}
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **ret)
{
	struct sq_stmt *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return GC_ENOMEM;
	size_t len = strlen(sql), tail = sizeof(returning_id) - 1;
	st->returns_rowid = strncmp(sql, "INSERT", 6) == 0 && len > tail &&
			    strcmp(sql + len - tail, returning_id) == 0;
	int rc = sqlite3_prepare_v3(handle(db), sql, st->returns_rowid ? (int)(len - tail) : -1,
				    SQLITE_PREPARE_PERSISTENT, &st->stmt, NULL);
	if (rc != SQLITE_OK) {
		free(st);
		return fail(db, sqlite3_extended_errcode(handle(db)));
	}
	st->base.db = db;
	*ret = &st->base;
	return GC_OK;
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(stmt(st));
	free(st);
}

static struct sq_stmt *sst(struct db_stmt *st) { return (struct sq_stmt *)st; }

static void sq_reset(struct db_stmt *st)
{
	sqlite3_reset(stmt(st));
	sst(st)->stepped = false;
}
static void sq_clear_bindings(struct db_stmt *st) { sqlite3_clear_bindings(stmt(st)); }

static void sq_bind_int64(struct db_stmt *st, int idx, int64_t v) { sqlite3_bind_int64(stmt(st), idx, v); }
static void sq_bind_null(struct db_stmt *st, int idx) { sqlite3_bind_null(stmt(st), idx); }

static void sq_bind_text(struct db_stmt *st, int idx, const char *text, int len)
{
	sqlite3_bind_text(stmt(st), idx, text, len, SQLITE_TRANSIENT);
}

static void sq_bind_blob(struct db_stmt *st, int idx, const void *data, size_t len)
{
	sqlite3_bind_blob(stmt(st), idx, data, (int)len, SQLITE_TRANSIENT);
}

static int sq_step(struct db_stmt *st)
{
	struct sq_stmt *s = sst(st);
	if (s->returns_rowid && s->stepped)
		return DB_DONE;
	int rc = sqlite3_step(stmt(st));
	if (s->returns_rowid && rc == SQLITE_DONE) {
		s->rowid = sqlite3_last_insert_rowid(handle(st->db));
		s->stepped = true;
		return DB_ROW;
	}
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return fail(st->db, sqlite3_extended_errcode(handle(st->db)));
}

static int sq_step_later(struct db_stmt *st)
{
	int rc = sq_step(st);
	sq_reset(st);
	return rc < 0 ? rc : GC_OK;
}

static int sq_append(struct db_stmt *st, int rank)
{
	(void)rank;
	return sq_step_later(st);
}

static int sq_flush(struct db *db) { return GC_OK; }
static void sq_push(struct db *db) { (void)db; } /* no round trip to save */
static void sq_send(struct db_stmt *st) { (void)st; } /* in process: no round trip to save */

static bool sq_column_is_null(struct db_stmt *st, int i)
{
	return sst(st)->returns_rowid ? false : sqlite3_column_type(stmt(st), i) == SQLITE_NULL;
}

static bool sq_column_is_integer(struct db_stmt *st, int i)
{
	return sst(st)->returns_rowid || sqlite3_column_type(stmt(st), i) == SQLITE_INTEGER;
}

static int64_t sq_column_int64(struct db_stmt *st, int i)
{
	return sst(st)->returns_rowid ? sst(st)->rowid : sqlite3_column_int64(stmt(st), i);
}
static double sq_column_double(struct db_stmt *st, int i) { return sqlite3_column_double(stmt(st), i); }
static const char *sq_column_text(struct db_stmt *st, int i) { return (const char *)sqlite3_column_text(stmt(st), i); }
static size_t sq_column_bytes(struct db_stmt *st, int i) { return (size_t)sqlite3_column_bytes(stmt(st), i); }
static const void *sq_column_blob(struct db_stmt *st, int i) { return sqlite3_column_blob(stmt(st), i); }
static int64_t sq_changes(struct db *db) { return sqlite3_changes(handle(db)); }
static bool sq_in_transaction(struct db *db) { return !sqlite3_get_autocommit(handle(db)); }
static bool sq_connected(struct db *db) { return true; }

static int sq_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(handle(db), sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		rc = sqlite3_extended_errcode(handle(db));
		return rc == SQLITE_NOMEM ? GC_ENOMEM
		       : rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? GC_ECONFLICT
		       : GC_ESTORE;
	}
	return GC_OK;
}

static void sq_close(struct db *db)
{
	sqlite3_close(handle(db));
	free(db);
}

static const struct db_ops sqlite_ops = {
	.engine = DB_SQLITE,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.reset = sq_reset,
	.clear_bindings = sq_clear_bindings,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.bind_null_int64 = sq_bind_null,
	.step = sq_step,
	.step_later = sq_step_later,
	.append = sq_append,
	.flush = sq_flush,
	.push = sq_push,
	.send = sq_send,
	.column_is_null = sq_column_is_null,
	.column_is_integer = sq_column_is_integer,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_text = sq_column_text,
	.column_bytes = sq_column_bytes,
	.column_blob = sq_column_blob,
	.changes = sq_changes,
	.exec = sq_exec,
	.defer = sq_exec, /* no round trip to save */
	.in_transaction = sq_in_transaction,
	.connected = sq_connected,
	.close = sq_close,
};

/* The integer the one-row, one-column sql answers, or a GC_* error. */
static int64_t query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(handle(db), sql, -1, &st, NULL);
	int64_t v = GC_ESTORE;
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		fail(db, sqlite3_extended_errcode(handle(db)));
	sqlite3_finalize(st); /* a statement left open would pin an old snapshot */
	return v;
}

int db_sqlite_schema_version(struct db *db)
{
	return (int)query_int(db, "PRAGMA user_version");
}

int64_t db_sqlite_size(struct db *db)
{
	int64_t size = query_int(db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
	return size < 0 ? -1 : size;
}

int db_sqlite_migrate(struct db *db, bool read_only)
{
	int version = db_sqlite_schema_version(db);
	if (version < 0)
		return version;
	if (read_only)
		return schema_check_version(version, db->errmsg, sizeof(db->errmsg));
	int rc = sq_exec(db, "BEGIN IMMEDIATE");
	if (rc < 0)
		return rc;
	version = db_sqlite_schema_version(db); /* again, now that no one else can migrate */
	if (version < 0) {
		rc = version;
		goto out_rollback;
	}
	if ((rc = schema_check_newer(version, db->errmsg, sizeof(db->errmsg))) < 0)
		goto out_rollback;
	for (int v = version + 1; v <= schema_n_migrations(); v++) {
		char pragma[48];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
		char *sql = schema_migration_text(v, DB_SQLITE);
		rc = sql == NULL ? GC_ENOMEM : sq_exec(db, sql);
		free(sql);
		if (rc < 0 || (rc = sq_exec(db, pragma)) < 0)
			goto out_rollback;
	}
	return sq_exec(db, "COMMIT");
out_rollback:
	sqlite3_exec(handle(db), "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int db_sqlite_open(const char *path, bool read_only, struct db **ret_db)
{
	struct sq_db *db = calloc(1, sizeof(*db));
	if (db == NULL)
		return GC_ENOMEM;
	db->base.ops = &sqlite_ops;
	*ret_db = &db->base;
	int flags = SQLITE_OPEN_NOMUTEX |
		    (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	int rc = sqlite3_open_v2(path, &db->handle, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(db->base.errmsg, sizeof(db->base.errmsg), "%s: %s", path,
			 db->handle ? sqlite3_errmsg(db->handle) : sqlite3_errstr(rc));
		return GC_EIO;
	}
	sqlite3_busy_timeout(db->handle, 10000);
	sqlite3_extended_result_codes(db->handle, 1);
	rc = sq_exec(&db->base, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;");
	if (rc == GC_OK && !read_only)
		rc = sq_exec(&db->base, "PRAGMA journal_mode = WAL;");
	return rc;
}
