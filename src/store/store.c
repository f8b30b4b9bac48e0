/* The store's connection, whichever the engine: open, migrate,
 * transactions, and the statement cache and helpers the other store files
 * share.
 *
 * Durability: a commit has reached the disk when store_commit returns, on
 * both engines (db_sqlite.c, db_pg.c). Callers make that cheap by batching
 * many requests in one transaction (src/daemon/writer.c). */
#include "store/store_internal.h"
#include "store/dialect.h"
#include "store/schema.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/text.h"

int store_fail(struct store *s, int rc)
{
	store_errorf(s, "%s", db_errmsg(s->db));
	return rc < 0 ? rc : GC_ESTORE;
}

struct db_stmt *store_stmt(struct store *s, const char *sql)
{
	return store_stmt_instance(s, sql, 0);
}

struct db_stmt *store_stmt_instance(struct store *s, const char *sql, int instance)
{
	size_t h = (((uintptr_t)sql >> 3) + (size_t)instance * 7) & (STMT_CACHE_SIZE - 1);
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		struct stmt_slot *slot = &s->cache[(h + i) & (STMT_CACHE_SIZE - 1)];
		if (slot->sql == sql && slot->instance == instance) {
			db_reset(slot->stmt);
			db_clear_bindings(slot->stmt);
			return slot->stmt;
		}
		if (slot->sql == NULL) {
			int rc = s->db->ops->prepare(s->db, sql, &slot->stmt);
			if (rc < 0) {
				store_fail(s, rc);
				return NULL;
			}
			slot->sql = sql;
			slot->instance = instance;
			return slot->stmt;
		}
	}
	store_errorf(s, "statement cache full");
	return NULL;
}

int store_step_done(struct store *s, struct db_stmt *st)
{
	int rc = db_step(st);
	db_reset(st);
	return rc < 0 ? store_fail(s, rc) : GC_OK;
}

int store_step_later(struct store *s, struct db_stmt *st)
{
	int rc = db_step_later(st);
	return rc < 0 ? store_fail(s, rc) : GC_OK;
}

int store_flush(struct store *s)
{
	int rc = db_flush(s->db);
	return rc < 0 ? store_fail(s, rc) : GC_OK;
}

void store_push(struct store *s)
{
	db_push(s->db);
}

int store_insert_id(struct store *s, struct db_stmt *st, int64_t *ret_id)
{
	int rc = db_step(st);
	if (rc == DB_ROW && ret_id)
		*ret_id = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_reserve_id(struct store *s, enum reserved_ids kind, int64_t *ret_id)
{
	static const enum dialect_stmt statements[ID_KINDS] = {
		[ID_CONTACTS] = DIALECT_RESERVE_CONTACT_IDS, [ID_MESSAGES] = DIALECT_RESERVE_MESSAGE_IDS};
	*ret_id = 0;
	const char *sql = dialect_sql(s->db, statements[kind]);
	if (sql == NULL)
		return GC_OK; /* the insert assigns it */
	if (s->n_reserved[kind] == 0) {
		struct db_stmt *st = store_stmt(s, sql);
		if (st == NULL)
			return GC_ESTORE;
		int rc, n = 0;
		while ((rc = db_step(st)) == DB_ROW && n < STORE_RESERVED_IDS)
			s->reserved[kind][STORE_RESERVED_IDS - 1 - n++] = db_column_int64(st, 0); /* popped from the end */
		db_reset(st);
		if (rc != DB_DONE && rc != DB_ROW)
			return store_fail(s, rc);
		s->n_reserved[kind] = n;
		if (n < STORE_RESERVED_IDS) /* keep them at the start of the array */
			memmove(s->reserved[kind], s->reserved[kind] + STORE_RESERVED_IDS - n, (size_t)n * sizeof(int64_t));
		if (n == 0)
			return store_fail(s, DB_DONE);
	}
	*ret_id = s->reserved[kind][--s->n_reserved[kind]];
	return GC_OK;
}

int store_next_message_id(struct store *s, int64_t *ret_id)
{
	*ret_id = 0;
	const char *sql = dialect_sql(s->db, DIALECT_NEXT_MESSAGE_ID);
	if (sql == NULL)
		return GC_OK; /* the insert assigns it */
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_id = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_append(struct store *s, struct db_stmt *st, enum append_rank rank)
{
	int rc = db_append(st, (int)rank);
	return rc < 0 ? store_fail(s, rc) : GC_OK;
}

int store_insert_reserved(struct store *s, struct db_stmt *st, int64_t id, int64_t *ret_id, enum append_rank rank)
{
	if (id == 0)
		return store_insert_id(s, st, ret_id);
	if (ret_id)
		*ret_id = id;
	return store_append(s, st, rank);
}

int store_exec(struct store *s, const char *sql)
{
	int rc = db_exec(s->db, sql);
	return rc < 0 ? store_fail(s, rc) : GC_OK;
}

bool store_checkpoints(const struct store *s)
{
	return db_engine(s->db) == DB_SQLITE;
}

int store_defer_checkpoints(struct store *s)
{
	return store_checkpoints(s) ? store_exec(s, "PRAGMA wal_autocheckpoint = 0") : GC_OK;
}

int store_checkpoint(struct store *s)
{
	return store_checkpoints(s) ? store_exec(s, "PRAGMA wal_checkpoint(PASSIVE)") : GC_OK;
}

bool store_reachable(const struct store *s)
{
	return s == NULL || s->db == NULL || db_connected(s->db);
}

const char *store_errmsg(const struct store *s)
{
	return s->errmsg;
}

void store_errorf(struct store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gc_message_format(s->errmsg, sizeof(s->errmsg), &s->said, fmt, ap);
	va_end(ap);
	memcpy(s->said_as, s->errmsg, sizeof(s->said_as));
}

const struct gc_message *store_error_said(const struct store *s)
{
	return s->said.template && strcmp(s->said_as, s->errmsg) == 0 ? &s->said : NULL;
}

int store_schema_version(void)
{
	return schema_n_migrations();
}

int store_file_schema_version(struct store *s)
{
	int version = db_engine(s->db) == DB_POSTGRESQL ? db_pg_schema_version(s->db)
						       : db_sqlite_schema_version(s->db);
	if (version < 0)
		store_fail(s, version);
	return version;
}

int store_upgraded_from(const struct store *s)
{
	return s->found_version > 0 && s->found_version < store_schema_version() ? s->found_version : 0;
}

int64_t store_db_size(struct store *s)
{
	return db_engine(s->db) == DB_POSTGRESQL ? db_pg_size(s->db) : db_sqlite_size(s->db);
}

int store_open(const char *path, enum store_mode mode, struct store **ret_store)
{
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GC_ENOMEM;
	/* the caller reads the message before freeing: keep s alive for that */
	*ret_store = s;
	bool read_only = mode == STORE_READ_ONLY;
	bool pg = store_url_is_pg(path);
	int rc = pg ? db_pg_open(path, read_only, &s->db) : db_sqlite_open(path, read_only, &s->db);
	if (rc == GC_OK && !read_only) {
		int found = pg ? db_pg_schema_version(s->db) : db_sqlite_schema_version(s->db);
		s->found_version = found > 0 ? found : 0;
	}
	if (rc == GC_OK)
		rc = pg ? db_pg_migrate(s->db, read_only) : db_sqlite_migrate(s->db, read_only);
	if (rc < 0 && s->db)
		store_fail(s, rc);
	return rc;
}

void store_free(struct store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
		if (s->cache[i].stmt)
			s->db->ops->finalize(s->cache[i].stmt);
	store_keywords_forget(s);
	db_close(s->db);
	free(s);
}

/* Runs a cached statement with no parameters (transaction control). */
static int run_cached(struct store *s, const char *sql)
{
	struct db_stmt *st = store_stmt(s, sql);
	return st ? store_step_done(s, st) : GC_ESTORE;
}

/* Transaction control that needs no answer of its own: on PostgreSQL it
 * goes to the server with the next statement (db_defer), saving a round
 * trip; on SQLite, where a call costs no round trip, it runs now from the
 * statement cache. */
static int control(struct store *s, const char *sql)
{
	if (db_engine(s->db) != DB_POSTGRESQL)
		return run_cached(s, sql);
	int rc = db_defer(s->db, sql);
	return rc < 0 ? store_fail(s, rc) : GC_OK;
}

int store_begin(struct store *s)
{
	store_keywords_forget(s);
	/* SQLite takes the write lock at BEGIN IMMEDIATE; PostgreSQL locks rows
	 * as they are written */
	return control(s, db_engine(s->db) == DB_POSTGRESQL ? "BEGIN" : "BEGIN IMMEDIATE");
}

int store_commit(struct store *s)
{
	store_keywords_forget(s);
	return run_cached(s, "COMMIT"); /* its answer is the durability promise */
}

void store_rollback(struct store *s)
{
	store_keywords_forget(s);
	if (db_in_transaction(s->db))
		run_cached(s, "ROLLBACK");
}

int store_savepoint(struct store *s)
{
	return control(s, "SAVEPOINT request");
}

void store_release(struct store *s)
{
	control(s, "RELEASE request");
}

int store_attempt_begin(struct store *s)
{
	if (db_engine(s->db) != DB_POSTGRESQL || !db_in_transaction(s->db))
		return GC_OK;
	return control(s, "SAVEPOINT attempt");
}

int store_attempt_end(struct store *s, int rc)
{
	if (db_engine(s->db) != DB_POSTGRESQL || !db_in_transaction(s->db))
		return rc;
	if (rc < 0)
		control(s, "ROLLBACK TO attempt");
	control(s, "RELEASE attempt");
	return rc;
}

void store_rollback_to(struct store *s)
{
	store_keywords_forget(s);
	control(s, "ROLLBACK TO request");
	control(s, "RELEASE request");
}

struct db_stmt *scoped_row(struct store *s, const char *sql, int64_t tenant_id, int64_t id,
			 int *ret_rc)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL) {
		*ret_rc = GC_ESTORE;
		return NULL;
	}
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		return st;
	db_reset(st);
	*ret_rc = rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	return NULL;
}

void bind_text(struct db_stmt *st, int idx, const char *text)
{
	if (text)
		db_bind_text(st, idx, text, -1);
	else
		db_bind_null(st, idx);
}

void bind_id(struct db_stmt *st, int idx, int64_t id)
{
	if (id)
		db_bind_int64(st, idx, id);
	else
		db_bind_null_int64(st, idx);
}

json_t *column_string(struct db_stmt *st, int i)
{
	if (db_column_is_null(st, i))
		return json_null();
	return json_stringn(db_column_text(st, i), db_column_bytes(st, i));
}

json_t *column_time(struct db_stmt *st, int i)
{
	if (db_column_is_null(st, i))
		return json_null();
	char buf[GC_TIME_LEN];
	gc_time_format(db_column_int64(st, i), buf);
	return json_string(buf);
}

json_t *column_int(struct db_stmt *st, int i)
{
	if (db_column_is_null(st, i))
		return json_null();
	return json_integer(db_column_int64(st, i));
}

json_t *address_json(const char *address, const struct store_scope *scope)
{
	if (address == NULL)
		return json_null();
	if (scope->sees >= SENS_PERSONAL)
		return json_string(address);
	char masked[64];
	gc_text_mask(address, masked, sizeof(masked));
	return json_string(masked);
}

void event_data_as_seen(json_t *data, const struct store_scope *scope)
{
	const char *caller = json_string_value(json_object_get(data, "caller"));
	if (caller && scope->sees < SENS_PERSONAL)
		json_object_set_new(data, "caller", address_json(caller, scope));
}

int collect_rows(struct store *s, struct db_stmt *st, row_fn row, void *arg, json_t **ret_list)
{
	json_t *list = json_array();
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(list, row(st, arg));
	db_reset(st);
	if (rc != DB_DONE || list == NULL) {
		json_decref(list);
		return store_fail(s, rc);
	}
	*ret_list = list;
	return GC_OK;
}

int collect_page(struct store *s, struct db_stmt *st, int limit, row_fn row, void *arg,
		 json_t **ret_page)
{
	json_t *items = json_array();
	int64_t last = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		last = db_column_int64(st, 0);
		json_array_append_new(items, row(st, arg));
	}
	db_reset(st);
	if (rc != DB_DONE || items == NULL) {
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
	struct db_stmt *st = scoped_row(s, sql, tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	*ret = row(st, NULL);
	db_reset(st);
	return *ret ? GC_OK : GC_ESTORE;
}

json_t *column_json(struct db_stmt *st, int i)
{
	const char *text = db_column_text(st, i);
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	return v ? v : json_null();
}

int one_row(struct store *s, struct db_stmt *st, row_fn row, void *arg, json_t **ret)
{
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret = row(st, arg);
		rc = *ret ? GC_OK : GC_ENOMEM;
	} else {
		rc = rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	db_reset(st);
	return rc;
}

void rows_of_contacts(struct store *s, const char *sql, row_fn row, struct store_contact_extra *reads, int n)
{
	if (n > STORE_READ_BATCH) { /* one round trip per STORE_READ_BATCH */
		rows_of_contacts(s, sql, row, reads, STORE_READ_BATCH);
		rows_of_contacts(s, sql, row, reads + STORE_READ_BATCH, n - STORE_READ_BATCH);
		return;
	}
	struct db_stmt *st[STORE_READ_BATCH];
	for (int k = 0; k < n; k++) {
		if ((st[k] = store_stmt_instance(s, sql, k)) == NULL)
			continue;
		db_bind_int64(st[k], 1, reads[k].scope->tenant_id);
		db_bind_int64(st[k], 2, reads[k].contact_id);
		db_send(st[k]);
	}
	for (int k = 0; k < n; k++) {
		reads[k].row = NULL;
		reads[k].rc = st[k] ? one_row(s, st[k], row, (void *)reads[k].scope, &reads[k].row) : GC_ESTORE;
		if (reads[k].rc == GC_ENOTFOUND)
			reads[k].rc = GC_OK;
	}
}

int tenant_rows(struct store *s, const char *sql, int64_t tenant_id, row_fn row, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	return collect_rows(s, st, row, NULL, ret_list);
}

int tenant_int(struct store *s, const char *sql, int64_t tenant_id, int64_t *ret)
{
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}
