/* The SQLite engine's connection: open, migrate, transactions, and the
 * statement cache shared by the other store files.
 *
 * Durability: WAL with synchronous=FULL, so a commit has reached the disk
 * when store_commit returns. Callers make that cheap by batching many
 * requests in one transaction (src/daemon/writer.c). */
#include "store/store_internal.h"
#include "store/pg.h"
#include "store/schema.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_fail(struct store *s, int rc)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s", sqlite3_errmsg(s->db));
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

sqlite3_stmt *store_stmt(struct store *s, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) & (STMT_CACHE_SIZE - 1);
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		struct stmt_slot *slot = &s->cache[(h + i) & (STMT_CACHE_SIZE - 1)];
		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (slot->sql == NULL) {
			int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
						    &slot->stmt, NULL);
			if (rc != SQLITE_OK) {
				store_fail(s, rc);
				return NULL;
			}
			slot->sql = sql;
			return slot->stmt;
		}
	}
	snprintf(s->errmsg, sizeof(s->errmsg), "statement cache full");
	return NULL;
}

int store_step_done(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(s, sqlite3_extended_errcode(s->db));
	sqlite3_reset(st);
	return GC_OK;
}

int store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(s->errmsg, sizeof(s->errmsg), "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return rc == SQLITE_NOMEM ? GC_ENOMEM : GC_ESTORE;
	}
	return GC_OK;
}

const char *store_errmsg(const struct store *s)
{
	return s->errmsg;
}

int store_schema_version(void)
{
	return schema_n_migrations();
}

int store_file_schema_version(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "PRAGMA user_version");
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW)
		return GC_ESTORE;
	int version = sqlite3_column_int(st, 0);
	sqlite3_reset(st); /* a statement left open would pin an old snapshot */
	return version;
}

int64_t store_db_size(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW)
		return -1;
	int64_t size = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return size;
}

static int migrate(struct store *s)
{
	int rc = store_exec(s, "BEGIN IMMEDIATE");
	if (rc < 0)
		return rc;
	int version = store_file_schema_version(s);
	if (version < 0) {
		rc = version;
		goto out_rollback;
	}
	if (version > schema_n_migrations()) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "the database has schema version %d, newer than the %d this guichet knows: "
			 "run a newer guichet", version, schema_n_migrations());
		rc = GC_ESCHEMA;
		goto out_rollback;
	}
	for (int v = version + 1; v <= schema_n_migrations(); v++) {
		char pragma[48];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
		if ((rc = store_exec(s, schema_migration(v))) < 0 || (rc = store_exec(s, pragma)) < 0)
			goto out_rollback;
	}
	return store_exec(s, "COMMIT");
out_rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int check_version(struct store *s)
{
	int version = store_file_schema_version(s);
	if (version < 0)
		return version;
	if (version != schema_n_migrations()) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "the database has schema version %d where this guichet needs %d", version,
			 schema_n_migrations());
		return GC_ESCHEMA;
	}
	return GC_OK;
}

int store_open(const char *path, enum store_mode mode, struct store **ret_store)
{
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GC_ENOMEM;
	int rc;
	if (store_url_is_pg(path)) {
		/* a URL, not a file: never let SQLite create "postgresql:..." */
		rc = pg_open_refusal(path, s->errmsg, sizeof(s->errmsg));
		goto out_fail_rc;
	}
	int flags = SQLITE_OPEN_NOMUTEX |
		    (mode == STORE_READ_ONLY ? SQLITE_OPEN_READONLY
					     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto out_fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	sqlite3_extended_result_codes(s->db, 1);
	rc = store_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;");
	if (rc == GC_OK && mode == STORE_READ_WRITE)
		rc = store_exec(s, "PRAGMA journal_mode = WAL;");
	if (rc == GC_OK)
		rc = mode == STORE_READ_WRITE ? migrate(s) : check_version(s);
	if (rc < 0)
		goto out_fail_rc;
	*ret_store = s;
	return GC_OK;
out_fail:
	rc = GC_EIO;
out_fail_rc:
	/* the caller reads the message before freeing: keep s alive for that */
	*ret_store = s;
	return rc;
}

void store_free(struct store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
		sqlite3_finalize(s->cache[i].stmt);
	sqlite3_close(s->db);
	free(s);
}

/* Runs a cached statement with no parameters (transaction control). */
static int run_cached(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	return st ? store_step_done(s, st) : GC_ESTORE;
}

int store_begin(struct store *s)
{
	return run_cached(s, "BEGIN IMMEDIATE");
}

int store_commit(struct store *s)
{
	return run_cached(s, "COMMIT");
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		run_cached(s, "ROLLBACK");
}

int store_savepoint(struct store *s)
{
	return run_cached(s, "SAVEPOINT request");
}

void store_release(struct store *s)
{
	run_cached(s, "RELEASE request");
}

void store_rollback_to(struct store *s)
{
	run_cached(s, "ROLLBACK TO request");
	run_cached(s, "RELEASE request");
}

sqlite3_stmt *scoped_row(struct store *s, const char *sql, int64_t tenant_id, int64_t id,
			 int *ret_rc)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	if (st == NULL) {
		*ret_rc = GC_ESTORE;
		return NULL;
	}
	sqlite3_bind_int64(st, 1, tenant_id);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return st;
	sqlite3_reset(st);
	*ret_rc = rc == SQLITE_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	return NULL;
}

void bind_text(sqlite3_stmt *st, int idx, const char *text)
{
	if (text)
		sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

void bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id)
		sqlite3_bind_int64(st, idx, id);
	else
		sqlite3_bind_null(st, idx);
}

json_t *column_string(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_stringn((const char *)sqlite3_column_text(st, i),
			    (size_t)sqlite3_column_bytes(st, i));
}

json_t *column_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	char buf[GC_TIME_LEN];
	gc_time_format(sqlite3_column_int64(st, i), buf);
	return json_string(buf);
}

json_t *column_int(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, i));
}

int collect_rows(struct store *s, sqlite3_stmt *st, row_fn row, void *arg, json_t **ret_list)
{
	json_t *list = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, row(st, arg));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || list == NULL) {
		json_decref(list);
		return store_fail(s, rc);
	}
	*ret_list = list;
	return GC_OK;
}

int collect_page(struct store *s, sqlite3_stmt *st, int limit, row_fn row, void *arg,
		 json_t **ret_page)
{
	json_t *items = json_array();
	int64_t last = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		json_array_append_new(items, row(st, arg));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || items == NULL) {
		json_decref(items);
		return store_fail(s, rc);
	}
	bool full = json_array_size(items) == (size_t)limit && last;
	*ret_page = json_pack("{s:o,s:o}", "items", items, "next_cursor",
			      full ? json_sprintf("%lld", (long long)last) : json_null());
	return *ret_page ? GC_OK : GC_ENOMEM;
}

int page_limit(int limit)
{
	if (limit <= 0)
		return 50;
	return limit > STORE_MAX_PAGE ? STORE_MAX_PAGE : limit;
}

bool scope_can(const struct store_scope *scope, enum permission perm)
{
	return scope->tenant_id != 0 && scope->has_role && role_can(scope->role, perm);
}

int scoped_get(struct store *s, const char *sql, int64_t tenant_id, int64_t id, row_fn row, json_t **ret)
{
	int rc = GC_OK;
	sqlite3_stmt *st = scoped_row(s, sql, tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	*ret = row(st, NULL);
	sqlite3_reset(st);
	return *ret ? GC_OK : GC_ESTORE;
}

json_t *column_json(sqlite3_stmt *st, int i)
{
	const char *text = (const char *)sqlite3_column_text(st, i);
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	return v ? v : json_null();
}

int one_row(struct store *s, sqlite3_stmt *st, row_fn row, void *arg, json_t **ret)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = row(st, arg);
		rc = *ret ? GC_OK : GC_ENOMEM;
	} else {
		rc = rc == SQLITE_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	sqlite3_reset(st);
	return rc;
}

int tenant_rows(struct store *s, const char *sql, int64_t tenant_id, row_fn row, json_t **ret_list)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, tenant_id);
	return collect_rows(s, st, row, NULL, ret_list);
}

int tenant_int(struct store *s, const char *sql, int64_t tenant_id, int64_t *ret)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, tenant_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? GC_OK : store_fail(s, rc);
}
