/* A SQLite installation moved into PostgreSQL (guichet admin migrate).
 *
 * The file is read through its own read-only connection inside one read
 * transaction (snapshot.c): what moves is one committed state, even while a
 * daemon writes. The server's side is one transaction:
 *
 *   file checked (a guichet database at this build's version; read_tables)
 *   ─▶ connect, target checked (check_target: no table but guichet's, and
 *      guichet_schema absent or at this version)
 *   ─▶ store_open creates the baseline (its own commit: an empty schema)
 *   ─▶ BEGIN; LOCK every table; any row refused (lock_and_check)
 *   ─▶ foreign keys dropped (drop_foreign_keys)
 *   ─▶ per table, parents first (order_tables): COPY FROM STDIN (copy_table)
 *   ─▶ foreign keys added back, which checks them all (alter_foreign_keys)
 *   ─▶ per table: COPY TO STDOUT, counted and hashed (verify_table)
 *   ─▶ every identity's sequence past the largest id (set_sequences)
 *   ─▶ COMMIT when every table matches, else ROLLBACK
 * A failure or a kill anywhere before COMMIT leaves no row on the server:
 * an open transaction dies with its connection. Sequences are not
 * transactional, so they move last, once the copy is known good.
 *
 * The checksums' canonical form is COPY's text format itself: the file side
 * renders each row as it sends it (pg_copy_escape, pg_copy_bytea, decimal
 * integers, \N) and hashes the bytes sent; the server renders what it
 * stored with COPY TO STDOUT, which gives the same bytes exactly when the
 * values are the same. Both sides go in primary-key order (every column's
 * for a table without one), text compared byte by byte (SQLite's BINARY,
 * PostgreSQL's "C"), NULLs first. The hash is BLAKE2b-128
 * (crypto_generichash). */
#include "store/migrate.h"
#include "store/pg.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "guichet/error.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 64
#define NAME_LEN 64
#define SQL_LEN 16384
#define FLUSH_BYTES (256 * 1024)   /* COPY data sent per PQputCopyData */
#define LOCK_TIMEOUT "'30s'"        /* waiting for a daemon's transaction on the target */
#define APPLICATION_NAME "guichet admin migrate"

struct column {
	char name[NAME_LEN];
	int pk;                     /* position in the file's primary key (1-based), 0: not in it */
	bool bytea, collatable;     /* the target's type */
	bool identity;
};

/* A set of tables by their index in g->tables, one bit each. */
#define SET_WORDS ((STORE_MIGRATE_MAX_TABLES + 63) / 64)
struct table_set {
	uint64_t w[SET_WORDS];
};

static void set_add(struct table_set *s, size_t i)
{
	s->w[i / 64] |= UINT64_C(1) << (i % 64);
}

static bool set_has(const struct table_set *s, size_t i)
{
	return (s->w[i / 64] >> (i % 64)) & 1;
}

/* Whether every member of a is in b. */
static bool set_within(const struct table_set *a, const struct table_set *b)
{
	for (size_t k = 0; k < SET_WORDS; k++)
		if (a->w[k] & ~b->w[k])
			return false;
	return true;
}

struct table {
	char name[NAME_LEN];
	struct column cols[MAX_COLUMNS];
	int n_cols;
	struct table_set parents;   /* i: references tables[i] */
	int64_t sqlite_seq;         /* sqlite_sequence's value (AUTOINCREMENT never reuses an id) */
	crypto_generichash_state hash;
};

/* A growing buffer of COPY text. */
struct outbuf {
	char *data;
	size_t len, cap;
};

struct migrate {
	struct store_migration *m;
	const char *from;
	char where[512];            /* the URL, its password redacted */
	sqlite3 *src;
	PGconn *pg;
	struct table *tables;       /* in the file's order, then in copy order */
	size_t n_tables;
	struct outbuf out;
	PGresult *fkeys;            /* the target's foreign keys: table, name, definition */
};

static int fail(struct migrate *g, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->m->errmsg, sizeof(g->m->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

/* The server's error: res's message and where it happened (COPY's line and
 * column), or the connection's when there is no result. */
static int fail_pg(struct migrate *g, const PGresult *res, const char *what)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	/* where (COPY's line and column) or which key (a foreign key's) */
	const char *more = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	if (more == NULL && res)
		more = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	if (msg == NULL)
		msg = PQerrorMessage(g->pg);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int rc = state && strcmp(state, "55P03") == 0 ? GC_EBUSY : GC_ESTORE; /* lock_not_available */
	if (more)
		return fail(g, rc, "%s: %s: %.*s (%.*s)", g->where, what, (int)strcspn(msg, "\n"), msg,
			    (int)strcspn(more, "\n"), more);
	return fail(g, rc, "%s: %s: %.*s", g->where, what, (int)strcspn(msg, "\n"), msg);
}

/* Runs sql with no parameters; GC_OK when the server says status. */
static int pg_run(struct migrate *g, const char *sql, ExecStatusType status, const char *what)
{
	PGresult *res = PQexec(g->pg, sql);
	int rc = PQresultStatus(res) == status ? GC_OK : fail_pg(g, res, what);
	PQclear(res);
	return rc;
}

/* A one-row, one-column query with up to two text parameters; the answer
 * copied into ret ("" for NULL). */
static int pg_value(struct migrate *g, const char *sql, const char *p1, const char *p2, char *ret, size_t len)
{
	const char *params[2] = {p1, p2};
	PGresult *res = PQexecParams(g->pg, sql, p2 ? 2 : p1 ? 1 : 0, NULL, params, NULL, NULL, 0);
	int rc = GC_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = fail_pg(g, res, sql);
	else
		snprintf(ret, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

size_t pg_copy_escape(char *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char letter = 0;
		switch (p[i]) {
		case '\\': letter = '\\'; break;
		case '\b': letter = 'b'; break;
		case '\f': letter = 'f'; break;
		case '\n': letter = 'n'; break;
		case '\r': letter = 'r'; break;
		case '\t': letter = 't'; break;
		case '\v': letter = 'v'; break;
		}
		if (letter) {
			out[n++] = '\\';
			out[n++] = letter;
		} else {
			out[n++] = (char)p[i];
		}
	}
	return n;
}

size_t pg_copy_bytea(char *out, const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t n = 0;
	out[n++] = '\\';
	out[n++] = '\\';
	out[n++] = 'x';
	for (size_t i = 0; i < len; i++) {
		out[n++] = hex[p[i] >> 4];
		out[n++] = hex[p[i] & 15];
	}
	return n;
}

/* Room for n more bytes in b. */
static int reserve(struct outbuf *b, size_t n)
{
	if (n > SIZE_MAX / 4 - b->len)
		return GC_ETOOBIG;
	if (b->len + n <= b->cap)
		return GC_OK;
	size_t cap = b->cap ? b->cap : FLUSH_BYTES * 2;
	while (cap < b->len + n)
		cap *= 2;
	char *data = realloc(b->data, cap);
	if (data == NULL)
		return GC_ENOMEM;
	b->data = data;
	b->cap = cap;
	return GC_OK;
}

/* A name guichet writes: lowercase letters, digits and '_'. The file's
 * names reach SQL text (quoted), so nothing else passes. */
static bool plain_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= NAME_LEN)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static struct table *find_table(struct migrate *g, const char *name)
{
	for (size_t i = 0; i < g->n_tables; i++)
		if (strcmp(g->tables[i].name, name) == 0)
			return &g->tables[i];
	return NULL;
}

/* --- the file's side --- */

static int sqlite_fail(struct migrate *g, const char *what)
{
	return fail(g, GC_EIO, "%s: %s: %s", g->from, what, sqlite3_errmsg(g->src));
}

/* Runs sql (one text parameter, or none) and calls row for each row. */
static int sqlite_rows(struct migrate *g, const char *sql, const char *param,
		       int (*row)(struct migrate *g, sqlite3_stmt *st, void *arg), void *arg)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(g->src, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(g, sql);
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	int rc, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = row(g, st, arg)) < 0)
			goto out_finalize;
	rc = step == SQLITE_DONE ? GC_OK : sqlite_fail(g, sql);
out_finalize:
	sqlite3_finalize(st);
	return rc;
}

static int add_table(struct migrate *g, sqlite3_stmt *st, void *arg)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	if (name == NULL || !plain_name(name))
		return fail(g, GC_EINVAL, "%s: a table named '%s', which guichet never makes", g->from,
			    name ? name : "");
	if (g->n_tables == STORE_MIGRATE_MAX_TABLES)
		return fail(g, GC_ETOOBIG, "%s: more than %d tables", g->from, STORE_MIGRATE_MAX_TABLES);
	snprintf(g->tables[g->n_tables++].name, NAME_LEN, "%s", name);
	return GC_OK;
}

static int add_column(struct migrate *g, sqlite3_stmt *st, void *arg)
{
	struct table *t = arg;
	const char *name = (const char *)sqlite3_column_text(st, 0);
	if (name == NULL || !plain_name(name))
		return fail(g, GC_EINVAL, "%s: table %s has a column named '%s', which guichet never makes",
			    g->from, t->name, name ? name : "");
	if (t->n_cols == MAX_COLUMNS)
		return fail(g, GC_ETOOBIG, "%s: table %s has more than %d columns", g->from, t->name, MAX_COLUMNS);
	struct column *c = &t->cols[t->n_cols++];
	snprintf(c->name, NAME_LEN, "%s", name);
	c->pk = sqlite3_column_int(st, 1);
	return GC_OK;
}

static int add_parent(struct migrate *g, sqlite3_stmt *st, void *arg)
{
	struct table *t = arg;
	const char *name = (const char *)sqlite3_column_text(st, 0);
	struct table *parent = name ? find_table(g, name) : NULL;
	if (parent == NULL)
		return fail(g, GC_EINVAL, "%s: table %s references '%s', which is not there", g->from, t->name,
			    name ? name : "");
	if (parent != t)
		set_add(&t->parents, (size_t)(parent - g->tables));
	return GC_OK;
}

static int add_sequence(struct migrate *g, sqlite3_stmt *st, void *arg)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	struct table *t = name ? find_table(g, name) : NULL;
	if (t)
		t->sqlite_seq = sqlite3_column_int64(st, 1);
	return GC_OK;
}

static int found(struct migrate *g, sqlite3_stmt *st, void *arg)
{
	*(bool *)arg = true;
	return GC_OK;
}

/* Every table of the file with its columns, primary key, parents and
 * AUTOINCREMENT counter. */
static int read_tables(struct migrate *g)
{
	int rc = sqlite_rows(g, "SELECT name FROM sqlite_schema WHERE type = 'table'"
				" AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid", NULL, add_table, NULL);
	for (size_t i = 0; rc == GC_OK && i < g->n_tables; i++) {
		struct table *t = &g->tables[i];
		rc = sqlite_rows(g, "SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid", t->name,
				 add_column, t);
		if (rc == GC_OK)
			rc = sqlite_rows(g, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)", t->name,
					 add_parent, t);
	}
	bool has_sequence = false;
	if (rc == GC_OK)
		rc = sqlite_rows(g, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'", NULL, found,
				 &has_sequence);
	if (rc == GC_OK && has_sequence)
		rc = sqlite_rows(g, "SELECT name, seq FROM sqlite_sequence", NULL, add_sequence, NULL);
	return rc;
}

/* Sorts the tables so that each comes after every table it references. */
static int order_tables(struct migrate *g)
{
	struct table *sorted = malloc(sizeof(*sorted) * g->n_tables);
	if (sorted == NULL)
		return GC_ENOMEM;
	struct table_set placed = {{0}};
	size_t n = 0;
	while (n < g->n_tables) {
		size_t before = n;
		for (size_t i = 0; i < g->n_tables; i++) {
			if (!set_has(&placed, i) && set_within(&g->tables[i].parents, &placed)) {
				sorted[n++] = g->tables[i];
				set_add(&placed, i);
			}
		}
		if (n == before) {
			free(sorted);
			return fail(g, GC_EINVAL, "%s: its tables reference each other in a cycle", g->from);
		}
	}
	memcpy(g->tables, sorted, sizeof(*sorted) * g->n_tables);
	free(sorted);
	for (size_t i = 0; i < g->n_tables; i++)
		g->tables[i].parents = (struct table_set){{0}}; /* the bits named the old order */
	return GC_OK;
}

/* --- the server's side --- */

static int connect_target(struct migrate *g, const char *url)
{
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {url, "5", APPLICATION_NAME, NULL};
	g->pg = PQconnectdbParams(keys, values, 1);
	if (g->pg == NULL)
		return fail(g, GC_ENOMEM, "out of memory connecting to %s", g->where);
	if (PQstatus(g->pg) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(g->pg);
		return fail(g, GC_EIO, "cannot connect to %s: %.*s", g->where, (int)strcspn(msg, "\n"), msg);
	}
	int rc = pg_check_durable(g->pg, g->where, g->m->errmsg, sizeof(g->m->errmsg));
	if (rc == GC_OK)
		rc = pg_run(g, "SET client_encoding = 'UTF8'; SET bytea_output = 'hex'", PGRES_COMMAND_OK,
			    "session settings");
	return rc;
}

/* Refuses a target with anything but guichet's tables, or guichet's tables
 * at another version, before store_open would create or migrate them; and
 * one a guichetd is connected to (its connections say application_name
 * guichet): it would serve the rows it did not load, with its queues and
 * routing as they were. */
static int check_target(struct migrate *g)
{
	char served[32];
	int rc = pg_value(g, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
			     " AND application_name = 'guichet' AND pid <> pg_backend_pid()", NULL, NULL, served,
			  sizeof(served));
	if (rc < 0)
		return rc;
	if (atoi(served) > 0)
		return fail(g, GC_ECONFLICT, "%s is in use: %s connection(s) of a guichetd are open to it; stop every "
			    "guichetd on it, migrate, then start them", g->where, served);
	PGresult *res = PQexec(g->pg, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
				      " ORDER BY tablename");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = fail_pg(g, res, "listing its tables");
		PQclear(res);
		return rc;
	}
	bool has_schema = false;
	const char *guichet_table = NULL, *other = NULL;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		if (strcmp(name, "guichet_schema") == 0)
			has_schema = true;
		else if (find_table(g, name) == NULL)
			other = other ? other : name;
		else
			guichet_table = guichet_table ? guichet_table : name;
	}
	if (other)
		rc = fail(g, GC_ECONFLICT, "%s is not empty: it has a table %s, which is not guichet's; migrate "
			  "into a new database (CREATE DATABASE)", g->where, other);
	else if (guichet_table && !has_schema)
		rc = fail(g, GC_ECONFLICT, "%s is not empty: it has a table %s but no guichet_schema; migrate "
			  "into a new database (CREATE DATABASE)", g->where, guichet_table);
	PQclear(res);
	if (rc < 0 || !has_schema)
		return rc;
	char version[32];
	if ((rc = pg_value(g, "SELECT version FROM guichet_schema", NULL, NULL, version, sizeof(version))) < 0)
		return rc;
	if (atoi(version) != store_schema_version())
		return fail(g, GC_ECONFLICT, "%s is not empty: it holds a guichet database at schema version %s, "
			    "and this guichet writes %d; migrate into a new database (CREATE DATABASE)", g->where,
			    version, store_schema_version());
	return GC_OK;
}

static int create_schema(struct migrate *g, const char *url)
{
	struct store *s = NULL;
	int rc = store_open(url, STORE_READ_WRITE, &s);
	if (rc < 0)
		fail(g, rc, "%s: cannot create the schema: %s", g->where, store_errmsg(s));
	store_free(s);
	return rc;
}

/* The target's type of each column of t, and its identity columns; refuses
 * a table whose columns are not the file's. */
static int read_target_columns(struct migrate *g, struct table *t)
{
	char quoted[NAME_LEN + 2];
	snprintf(quoted, sizeof(quoted), "\"%s\"", t->name);
	const char *params[] = {quoted};
	PGresult *res = PQexecParams(g->pg, "SELECT a.attname, y.typname = 'bytea', y.typcollation <> 0,"
					    " a.attidentity <> '' FROM pg_attribute a JOIN pg_type y"
					    " ON y.oid = a.atttypid WHERE a.attrelid = to_regclass($1)"
					    " AND a.attnum > 0 AND NOT a.attisdropped",
				     1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int rc = fail_pg(g, res, t->name);
		PQclear(res);
		return rc;
	}
	int matched = 0, n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < t->n_cols; j++) {
			struct column *c = &t->cols[j];
			if (strcmp(c->name, PQgetvalue(res, i, 0)) != 0)
				continue;
			c->bytea = PQgetvalue(res, i, 1)[0] == 't';
			c->collatable = PQgetvalue(res, i, 2)[0] == 't';
			c->identity = PQgetvalue(res, i, 3)[0] == 't';
			matched++;
		}
	}
	PQclear(res);
	if (n == 0)
		return fail(g, GC_ESTORE, "%s has no table %s, which %s has", g->where, t->name, g->from);
	if (matched != t->n_cols || n != t->n_cols)
		return fail(g, GC_ESTORE, "%s: table %s has other columns than in %s", g->where, t->name, g->from);
	return GC_OK;
}

/* Locks every table against writers for the transaction, then refuses any
 * row: checked under the lock, so two migrations cannot both find it empty. */
static int lock_and_check(struct migrate *g)
{
	char sql[SQL_LEN];
	/* a server's statement timeout must not cut a long copy short */
	size_t n = (size_t)snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = 0;"
				    " SET LOCAL idle_in_transaction_session_timeout = 0;"
				    " SET LOCAL lock_timeout = " LOCK_TIMEOUT "; LOCK TABLE ");
	for (size_t i = 0; i < g->n_tables && n < sizeof(sql); i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s\"%s\"", i ? ", " : "", g->tables[i].name);
	if (n < sizeof(sql))
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " IN EXCLUSIVE MODE");
	if (n >= sizeof(sql))
		return fail(g, GC_ETOOBIG, "%s: too many tables to lock", g->from);
	int rc = pg_run(g, sql, PGRES_COMMAND_OK, "locking its tables (is a guichetd using it?)");
	for (size_t i = 0; rc == GC_OK && i < g->n_tables; i++) {
		char has_rows[8];
		snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM \"%s\")", g->tables[i].name);
		if ((rc = pg_value(g, sql, NULL, NULL, has_rows, sizeof(has_rows))) == GC_OK && has_rows[0] == 't')
			rc = fail(g, GC_ECONFLICT, "%s is not empty: its table %s has rows; guichet admin migrate "
				  "writes only into a new database", g->where, g->tables[i].name);
	}
	return rc;
}

/* Runs "ALTER TABLE t DROP CONSTRAINT name" (add: "ADD CONSTRAINT name
 * definition") for each foreign key of the target. */
static int alter_foreign_keys(struct migrate *g, bool add)
{
	int rc = GC_OK;
	for (int i = 0; rc == GC_OK && i < PQntuples(g->fkeys); i++) {
		char *table = PQescapeIdentifier(g->pg, PQgetvalue(g->fkeys, i, 0), strlen(PQgetvalue(g->fkeys, i, 0)));
		char *name = PQescapeIdentifier(g->pg, PQgetvalue(g->fkeys, i, 1), strlen(PQgetvalue(g->fkeys, i, 1)));
		const char *def = PQgetvalue(g->fkeys, i, 2);
		size_t len = (table ? strlen(table) : 0) + (name ? strlen(name) : 0) + strlen(def) + 64;
		char *sql = table && name ? malloc(len) : NULL;
		if (sql == NULL) {
			rc = GC_ENOMEM;
		} else {
			snprintf(sql, len, "ALTER TABLE %s %s CONSTRAINT %s %s", table, add ? "ADD" : "DROP", name,
				 add ? def : "");
			rc = pg_run(g, sql, PGRES_COMMAND_OK, add ? "checking the references between tables" : sql);
		}
		free(sql);
		PQfreemem(table);
		PQfreemem(name);
	}
	return rc;
}

/* Foreign keys are checked once, after the copy, as pg_restore does: a
 * check per row (a trigger) is most of the time of a large copy; adding the
 * constraint back checks every row in one join, and names a missing key. */
static int drop_foreign_keys(struct migrate *g)
{
	g->fkeys = PQexec(g->pg, "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
				 " JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'f'"
				 " AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname, k.conname");
	if (PQresultStatus(g->fkeys) != PGRES_TUPLES_OK)
		return fail_pg(g, g->fkeys, "listing its foreign keys");
	return alter_foreign_keys(g, false);
}

/* t's columns, quoted and comma-separated, into sql at n; the new length. */
static size_t column_list(const struct table *t, char *sql, size_t n, size_t len)
{
	for (int i = 0; i < t->n_cols && n < len; i++)
		n += (size_t)snprintf(sql + n, len - n, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
	return n;
}

/* The ORDER BY both sides read t in: its primary key, or every column. */
static size_t order_by(const struct table *t, bool pg, char *sql, size_t n, size_t len)
{
	int n_pk = 0;
	for (int i = 0; i < t->n_cols; i++)
		n_pk += t->cols[i].pk > 0;
	n += (size_t)snprintf(sql + n, n < len ? len - n : 0, " ORDER BY ");
	int written = 0;
	for (int k = 1; k <= (n_pk ? n_pk : t->n_cols); k++) {
		for (int i = 0; i < t->n_cols && n < len; i++) {
			const struct column *c = &t->cols[i];
			if (n_pk ? c->pk != k : i != k - 1)
				continue;
			n += (size_t)snprintf(sql + n, len - n, "%s\"%s\"%s", written++ ? ", " : "", c->name,
					      !pg ? " COLLATE BINARY" : c->collatable ? " COLLATE \"C\" NULLS FIRST"
										  : " NULLS FIRST");
		}
	}
	return n;
}

/* Appends column i of the current row in COPY text form. */
static int render_value(struct outbuf *b, sqlite3_stmt *st, int i, const struct column *c)
{
	int type = sqlite3_column_type(st, i);
	if (type == SQLITE_NULL) {
		int rc = reserve(b, 2);
		if (rc == GC_OK) {
			memcpy(b->data + b->len, "\\N", 2);
			b->len += 2;
		}
		return rc;
	}
	if (type == SQLITE_INTEGER && !c->bytea) {
		int rc = reserve(b, 24);
		if (rc == GC_OK)
			b->len += (size_t)snprintf(b->data + b->len, 24, "%" PRId64, (int64_t)sqlite3_column_int64(st, i));
		return rc;
	}
	if (type == SQLITE_FLOAT && !c->bytea) {
		int rc = reserve(b, 32);
		if (rc == GC_OK)
			b->len += (size_t)snprintf(b->data + b->len, 32, "%.17g", sqlite3_column_double(st, i));
		return rc;
	}
	/* text and blobs, or anything bound for a bytea, as its bytes */
	const void *p = sqlite3_column_blob(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	int rc = reserve(b, 3 + 2 * n);
	if (rc == GC_OK)
		b->len += c->bytea ? pg_copy_bytea(b->data + b->len, p, n) : pg_copy_escape(b->data + b->len, p, n);
	return rc;
}

/* Sends the buffered rows and adds them to t's checksum. */
static int flush(struct migrate *g, struct table *t)
{
	if (g->out.len == 0)
		return GC_OK;
	if (g->out.len > INT_MAX)
		return fail(g, GC_ETOOBIG, "%s: a row of table %s is too long to send", g->from, t->name);
	crypto_generichash_update(&t->hash, (const unsigned char *)g->out.data, g->out.len);
	int sent = PQputCopyData(g->pg, g->out.data, (int)g->out.len);
	g->out.len = 0;
	return sent == 1 ? GC_OK : GC_ESTORE; /* the server's reason comes with the COPY's result */
}

/* Ends a COPY FROM STDIN and reads its result: the number of rows the
 * server took, or its error. abort: the copy failed on this side, whose
 * error is already in errmsg; the server is told to drop what it took. */
static int end_copy_in(struct migrate *g, struct table *t, const char *abort, int64_t *ret_rows)
{
	PQputCopyEnd(g->pg, abort);
	int rc = GC_OK;
	PGresult *res;
	while ((res = PQgetResult(g->pg)) != NULL) {
		if (rc == GC_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
			char what[128];
			snprintf(what, sizeof(what), "copying table %s", t->name);
			rc = abort ? GC_ESTORE : fail_pg(g, res, what);
		} else if (rc == GC_OK) {
			*ret_rows = strtoll(PQcmdTuples(res), NULL, 10);
		}
		PQclear(res);
	}
	return rc;
}

/* The file's rows of t in the order both sides hash them. */
static int select_rows(struct migrate *g, const struct table *t, sqlite3_stmt **ret_st)
{
	char sql[SQL_LEN];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	n = column_list(t, sql, n, sizeof(sql));
	n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, " FROM \"%s\"", t->name);
	n = order_by(t, false, sql, n, sizeof(sql));
	if (n >= sizeof(sql))
		return fail(g, GC_ETOOBIG, "%s: table %s has too many columns", g->from, t->name);
	return sqlite3_prepare_v2(g->src, sql, -1, ret_st, NULL) == SQLITE_OK ? GC_OK : sqlite_fail(g, t->name);
}

/* Starts COPY t (columns) FROM STDIN. */
static int start_copy_in(struct migrate *g, const struct table *t)
{
	char sql[SQL_LEN], what[128];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "COPY \"%s\" (", t->name);
	n = column_list(t, sql, n, sizeof(sql));
	n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, ") FROM STDIN");
	if (n >= sizeof(sql))
		return fail(g, GC_ETOOBIG, "%s: table %s has too many columns", g->from, t->name);
	snprintf(what, sizeof(what), "copying table %s", t->name);
	return pg_run(g, sql, PGRES_COPY_IN, what);
}

/* Renders every row of st, sends it and hashes it; the count in *ret_rows.
 * GC_ESTORE alone (errmsg empty) when sending failed: the server says why
 * in the COPY's result. */
static int send_rows(struct migrate *g, struct table *t, sqlite3_stmt *st, int64_t *ret_rows)
{
	int rc = GC_OK, step = SQLITE_DONE;
	int64_t rows = 0;
	crypto_generichash_init(&t->hash, NULL, 0, STORE_MIGRATE_HASH_LEN);
	while (rc == GC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; rc == GC_OK && i < t->n_cols; i++) {
			if (i && (rc = reserve(&g->out, 1)) == GC_OK)
				g->out.data[g->out.len++] = '\t';
			if (rc == GC_OK)
				rc = render_value(&g->out, st, i, &t->cols[i]);
		}
		if (rc == GC_OK && (rc = reserve(&g->out, 1)) == GC_OK)
			g->out.data[g->out.len++] = '\n';
		rows++;
		if (rc == GC_OK && g->out.len >= FLUSH_BYTES)
			rc = flush(g, t);
	}
	if (rc == GC_OK && step != SQLITE_DONE)
		return sqlite_fail(g, t->name);
	if (rc == GC_OK)
		rc = flush(g, t);
	if (rc == GC_ENOMEM || rc == GC_ETOOBIG)
		return g->m->errmsg[0] ? rc : fail(g, rc, "%s: copying table %s: out of memory", g->from, t->name);
	*ret_rows = rows;
	return rc;
}

/* Streams t from the file into the server with COPY FROM STDIN. */
static int copy_table(struct migrate *g, struct table *t, struct store_migrate_table *out)
{
	sqlite3_stmt *st = NULL;
	int rc = select_rows(g, t, &st);
	if (rc == GC_OK && (rc = start_copy_in(g, t)) == GC_OK) {
		int64_t rows = 0, taken = -1;
		rc = send_rows(g, t, st, &rows);
		/* a failure on this side (its message written) stops the server's COPY too */
		bool ours = rc < 0 && g->m->errmsg[0];
		int end = end_copy_in(g, t, ours ? "guichet admin migrate stopped the copy" : NULL, &taken);
		if (!ours && end < 0)
			rc = end;
		else if (!ours && rc < 0)
			rc = fail(g, rc, "%s: copying table %s: %s", g->where, t->name, PQerrorMessage(g->pg));
		else if (rc == GC_OK && taken != rows)
			rc = fail(g, GC_ESTORE, "%s: table %s: %lld rows sent, the server took %lld", g->where,
				  t->name, (long long)rows, (long long)taken);
		if (rc == GC_OK) {
			snprintf(out->name, sizeof(out->name), "%s", t->name);
			out->rows = rows;
			crypto_generichash_final(&t->hash, out->checksum, STORE_MIGRATE_HASH_LEN);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Reads t back from the server in the same order and form, counting and
 * hashing. */
static int verify_table(struct migrate *g, struct table *t, struct store_migrate_table *out)
{
	char sql[SQL_LEN];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "COPY (SELECT ");
	n = column_list(t, sql, n, sizeof(sql));
	n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, " FROM \"%s\"", t->name);
	n = order_by(t, true, sql, n, sizeof(sql));
	n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, ") TO STDOUT");
	if (n >= sizeof(sql))
		return fail(g, GC_ETOOBIG, "%s: table %s has too many columns", g->from, t->name);
	char what[128];
	snprintf(what, sizeof(what), "reading table %s back", t->name);
	int rc = pg_run(g, sql, PGRES_COPY_OUT, what);
	if (rc < 0)
		return rc;
	crypto_generichash_state hash;
	crypto_generichash_init(&hash, NULL, 0, STORE_MIGRATE_HASH_LEN);
	int64_t rows = 0;
	char *row;
	int len;
	while ((len = PQgetCopyData(g->pg, &row, 0)) > 0) {
		crypto_generichash_update(&hash, (const unsigned char *)row, (size_t)len);
		PQfreemem(row);
		rows++;
	}
	PGresult *res;
	while ((res = PQgetResult(g->pg)) != NULL) {
		if (rc == GC_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = fail_pg(g, res, what);
		PQclear(res);
	}
	if (rc == GC_OK && len == -2)
		rc = fail_pg(g, NULL, what);
	if (rc < 0)
		return rc;
	out->target_rows = rows;
	crypto_generichash_final(&hash, out->target_checksum, STORE_MIGRATE_HASH_LEN);
	out->ok = out->rows == out->target_rows &&
		  memcmp(out->checksum, out->target_checksum, STORE_MIGRATE_HASH_LEN) == 0;
	return GC_OK;
}

/* Every identity's next value: one past the largest id, or past the file's
 * AUTOINCREMENT counter when that is higher (ids it never reuses). */
static int set_sequences(struct migrate *g)
{
	for (size_t i = 0; i < g->n_tables; i++) {
		struct table *t = &g->tables[i];
		for (int j = 0; j < t->n_cols; j++) {
			if (!t->cols[j].identity)
				continue;
			char sql[512], quoted[NAME_LEN + 2], seq[24];
			snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence($1, $2), GREATEST("
				 "(SELECT COALESCE(max(\"%s\"), 0) FROM \"%s\"), $3::bigint) + 1, false)",
				 t->cols[j].name, t->name);
			snprintf(quoted, sizeof(quoted), "\"%s\"", t->name);
			snprintf(seq, sizeof(seq), "%" PRId64, t->sqlite_seq);
			const char *params[] = {quoted, t->cols[j].name, seq};
			PGresult *res = PQexecParams(g->pg, sql, 3, NULL, params, NULL, NULL, 0);
			int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? GC_OK : fail_pg(g, res, "setval");
			PQclear(res);
			if (rc < 0)
				return rc;
		}
	}
	return GC_OK;
}

/* The copy itself, inside the server's transaction. */
static int copy_all(struct migrate *g)
{
	int rc = GC_OK;
	for (size_t i = 0; rc == GC_OK && i < g->n_tables; i++)
		rc = read_target_columns(g, &g->tables[i]);
	if (rc == GC_OK)
		rc = lock_and_check(g);
	if (rc == GC_OK)
		rc = drop_foreign_keys(g);
	for (size_t i = 0; rc == GC_OK && i < g->n_tables; i++) {
		rc = copy_table(g, &g->tables[i], &g->m->tables[i]);
		if (rc == GC_OK && g->m->on_copied)
			g->m->on_copied(&g->m->tables[i], g->m->arg);
	}
	if (rc == GC_OK)
		rc = alter_foreign_keys(g, true);
	for (size_t i = 0; rc == GC_OK && i < g->n_tables; i++)
		if ((rc = verify_table(g, &g->tables[i], &g->m->tables[i])) == GC_OK)
			g->m->n_tables = i + 1;
	for (size_t i = 0; rc == GC_OK && i < g->n_tables; i++) {
		const struct store_migrate_table *r = &g->m->tables[i];
		if (!r->ok)
			rc = fail(g, GC_ESTORE, "table %s differs: %lld rows in %s, %lld on %s%s; nothing was "
				  "committed", r->name, (long long)r->rows, g->from, (long long)r->target_rows,
				  g->where, r->rows == r->target_rows ? ", checksums differ" : "");
	}
	if (rc == GC_OK)
		rc = set_sequences(g);
	return rc;
}

/* The file's snapshot, a guichet database at exactly this build's version
 * (an older one would need migrations the copy does not run). */
static int open_source(struct migrate *g)
{
	int version = 0;
	g->m->source_in_use = snapshot_held_by_process(g->from); /* before this process opens it */
	int rc = snapshot_open(g->from, &g->src, g->m->errmsg, sizeof(g->m->errmsg));
	if (rc == GC_OK)
		rc = snapshot_check(g->src, g->from, &version, g->m->errmsg, sizeof(g->m->errmsg));
	if (rc == GC_OK && version != store_schema_version())
		rc = fail(g, GC_ESCHEMA, "%s has schema version %d and this guichet writes %d: bring it up to "
			  "date first (start this guichet's guichetd on it once, or run guichet admin init on it)",
			  g->from, version, store_schema_version());
	g->m->schema_version = version;
	g->tables = rc == GC_OK ? calloc(STORE_MIGRATE_MAX_TABLES, sizeof(*g->tables)) : NULL;
	return rc == GC_OK && g->tables == NULL ? GC_ENOMEM : rc;
}

int store_migrate(const char *from_path, const char *to_url, struct store_migration *m)
{
	m->errmsg[0] = '\0';
	m->n_tables = 0;
	m->committed = m->source_in_use = false;
	struct migrate g = {.m = m, .from = from_path};
	if (!store_url_is_pg(to_url))
		return fail(&g, GC_EINVAL, "--to: '%s' is not a postgresql:// URL", to_url);
	store_pg_url_redact(to_url, g.where, sizeof(g.where));
	if (sodium_init() < 0)
		return fail(&g, GC_ENOMEM, "libsodium failed to start");
	int rc = open_source(&g);
	if (rc < 0 || (rc = read_tables(&g)) < 0 || (rc = order_tables(&g)) < 0 ||
	    (rc = connect_target(&g, to_url)) < 0 || (rc = check_target(&g)) < 0 ||
	    (rc = create_schema(&g, to_url)) < 0)
		goto out_close;
	if ((rc = pg_run(&g, "BEGIN", PGRES_COMMAND_OK, "BEGIN")) < 0)
		goto out_close;
	rc = copy_all(&g);
	if (rc == GC_OK && (rc = pg_run(&g, "COMMIT", PGRES_COMMAND_OK, "COMMIT")) == GC_OK) {
		m->committed = true;
	} else {
		PQclear(PQexec(g.pg, "ROLLBACK"));
		if (strstr(m->errmsg, "nothing was committed") == NULL) {
			size_t n = strlen(m->errmsg);
			snprintf(m->errmsg + n, sizeof(m->errmsg) - n, "; nothing was committed");
		}
	}
out_close:
	PQclear(g.fkeys);
	PQfinish(g.pg);
	free(g.out.data);
	free(g.tables);
	snapshot_close(g.src);
	return rc;
}
