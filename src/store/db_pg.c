/* The PostgreSQL engine of db.h, on libpq.
 *
 * - Statements are prepared on the server once per connection, at their
 *   first step, with the types of the values then bound (bigint for
 *   integers, bytea for blobs, unknown for text, which the server infers):
 *   the store's ?N and ? placeholders become $N (pg_placeholders, exported
 *   for its test).
 * - Parameters travel as text (blobs as binary); results come back as text
 *   and are parsed when read: integers with strtoll, booleans t/f as 1/0,
 *   bytea unescaped.
 * - Durability: the server must have fsync on and synchronous_commit not
 *   off (pg.c checks at every open), so COMMIT returns once the WAL is on
 *   disk. The writer batches many requests per transaction as on SQLite.
 * - Savepoints and appends cost no round trip: SAVEPOINT, RELEASE and
 *   ROLLBACK TO (defer), and the writes nobody reads back (step_later:
 *   events, audit lines) wait, in libpq's pipeline mode, for the next
 *   statement and go to the server with it; their results are read before
 *   its own, and the first error among them is its error. flush sends them
 *   alone (the writer does at the end of each request).
 * - Rows appended (append: one-row INSERTs nobody reads back) wait, up to
 *   BULK_ROWS of a statement, and go as one multi-row INSERT per statement
 *   (prepared once per row count), lowest rank first, when anything else
 *   goes to the server or push finds enough waiting: the executor's work
 *   per statement is paid once for them all.
 * - A read sent ahead (send) goes the same way: the store sends the reads a
 *   request needs, then steps the last; one round trip brings every
 *   result, each kept in its statement for its own steps (a contact and its
 *   incidents). A sent read that failed, or whose statement was reset
 *   before its result came, leaves no result: its step runs it again.
 * - A connection lost outside a transaction comes back at the next
 *   statement, which prepares again; a read-only connection's statement
 *   that finds it dead connects again and runs once more (a worker's read
 *   after a server restart). Lost inside one (BEGIN sent, no COMMIT
 *   or ROLLBACK yet), every statement fails until the transaction's end:
 *   the rest of the batch must not run on a new connection in autocommit,
 *   nor its COMMIT pass for the batch's (test-pg crashes the server).
 * - The schema: a fresh database gets the baseline (schema_pg.c) under an
 *   advisory lock, so that two nodes starting together create it once; the
 *   version lives in the one-row table guichet_schema. */
#include "store/db.h"
#include "store/pg.h"
#include "store/schema.h"
#include "store/store.h"
#include "guichet/error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* type oids (catalog/pg_type.h is not in libpq-dev) */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25

/* pg_advisory_xact_lock's key while the schema is created or migrated */
#define SCHEMA_LOCK_KEY 0x67756963686574LL /* "guichet" */

/* At most this many statements wait for the next statement. */
#define MAX_DEFERRED 256
/* Appended rows: at most this many of a statement in one INSERT, of this
 * many statements waiting together; push sends them from this many on. */
#define BULK_ROWS 16
#define BULK_GROUPS 8
#define BULK_PUSH_ROWS 24

struct pg_stmt;
struct pg_param;

/* The rows appended to one statement, waiting (copies of their values). */
struct bulk_group {
	struct pg_stmt *st;
	int rank;
	int rows;
	struct pg_param *params; /* rows x st->nparams */
};

struct pg_db {
	struct db base;
	PGconn *conn;
	char *url;
	bool read_only;
	int64_t changes;
	unsigned generation;   /* bumped at each reconnection: statements prepare again */
	unsigned next_name;
	int n_deferred;        /* statements sent in pipeline mode, results unread */
	int n_deferred_writes; /* of which by step_later (the others: transaction control) */
	bool in_transaction;   /* BEGIN sent, COMMIT or ROLLBACK not yet */
	int64_t round_trips;   /* statements' waits for the server (db_pg_round_trips) */
	/* per statement sent in pipeline mode, in order: the read whose
	 * result it is (send), or NULL for a result nobody reads */
	struct pg_stmt *reader[MAX_DEFERRED];
	struct bulk_group bulk[BULK_GROUPS]; /* appended rows waiting, by first append */
	int n_bulk, bulk_rows;
	bool sending_bulk;
};

struct pg_param {
	char *value;   /* NULL for NULL */
	int length;
	int format;    /* 0 text, 1 binary */
	unsigned oid;
	char number[24];
};

struct pg_stmt {
	struct db_stmt base;
	char *sql;            /* with $N placeholders */
	char name[24];
	int nparams;
	unsigned prepared_generation; /* 0: not prepared */
	struct pg_param *params;
	PGresult *res;
	int row;              /* the current row; -1 before the first step */
	bool sent;            /* sent ahead (send): its result comes with the pipeline's */
	signed char bulk_form; /* 1: an INSERT a multi-row one repeats, -1: not, 0: not known yet */
	unsigned bulk_generation[BULK_ROWS + 1]; /* its k-row INSERT prepared in (0: not) */
	/* the last bytea read: its column and row, unescaped */
	unsigned char *blob;
	size_t blob_len;
	int blob_col, blob_row;
};

static void unbind(struct pg_param *p);
static int send_bulk(struct pg_db *db);

static struct pg_db *pg(struct db *db) { return (struct pg_db *)db; }
static struct pg_stmt *pst(struct db_stmt *st) { return (struct pg_stmt *)st; }

int pg_placeholders(const char *sql, char **ret_sql, int *ret_nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 4 + 1); /* "?" -> "$NNN" at most */
	if (out == NULL)
		return GC_ENOMEM;
	char *o = out;
	int max = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0; /* a doubled quote closes and reopens: same result */
			*o++ = *p;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			*o++ = *p;
			continue;
		}
		if (*p != '?') {
			*o++ = *p;
			continue;
		}
		int number;
		if (p[1] >= '0' && p[1] <= '9') {
			number = (int)strtol(p + 1, (char **)&p, 10);
			p--;
		} else {
			number = max + 1; /* SQLite's rule: one past the largest so far */
		}
		if (number < 1 || number > 999) {
			free(out);
			return GC_EINVAL;
		}
		if (number > max)
			max = number;
		o += sprintf(o, "$%d", number);
	}
	*o = '\0';
	if (quote) {
		free(out);
		return GC_EINVAL;
	}
	*ret_sql = out;
	*ret_nparams = max;
	return GC_OK;
}

/* Maps a failed result's SQLSTATE to a guichet error, remembering the message. */
static int fail_result(struct db *db, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg(db)->conn);
	snprintf(db->errmsg, sizeof(db->errmsg), "%.*s", (int)strcspn(msg, "\n"), msg);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state == NULL)
		return GC_ESTORE;
	if (strcmp(state, "23505") == 0) /* unique_violation */
		return GC_ECONFLICT;
	if (strcmp(state, "53200") == 0) /* out_of_memory */
		return GC_ENOMEM;
	if (strcmp(state, "54000") == 0) /* program_limit_exceeded */
		return GC_ETOOBIG;
	return GC_ESTORE;
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Forgets the appended rows waiting (sent, or gone with a failed pipeline
 * or a lost connection and their transaction). */
static void bulk_drop(struct pg_db *db)
{
	for (int g = 0; g < db->n_bulk; g++) {
		struct bulk_group *b = &db->bulk[g];
		for (int i = 0; i < b->rows * b->st->nparams; i++)
			unbind(&b->params[i]);
		free(b->params);
	}
	db->n_bulk = 0;
	db->bulk_rows = 0;
}

/* Forgets the statements sent in pipeline mode (a failed pipeline, a
 * connection lost): the reads among them run again at their step. */
static void drop_deferred(struct pg_db *db)
{
	bulk_drop(db);
	for (int i = 0; i < db->n_deferred; i++) {
		if (db->reader[i])
			db->reader[i]->sent = false;
		db->reader[i] = NULL;
	}
	db->n_deferred = 0;
	db->n_deferred_writes = 0;
}

/* Connects (again) and sets the session up; GC_OK or an error in errmsg. */
static int connect_session(struct pg_db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {db->url, "5", "guichet", NULL};
	db->conn = PQconnectdbParams(keys, values, 1);
	db->generation++;
	drop_deferred(db); /* gone with the old connection and its transaction */
	char where[512];
	store_pg_url_redact(db->url, where, sizeof(where));
	if (db->conn == NULL)
		return GC_ENOMEM;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(db->conn);
		snprintf(db->base.errmsg, sizeof(db->base.errmsg), "cannot connect to %.100s: %.*s", where,
			 (int)strcspn(msg, "\n"), msg);
		return GC_EIO;
	}
	PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
	int rc = pg_check_durable(db->conn, where, db->base.errmsg, sizeof(db->base.errmsg));
	if (rc < 0)
		return rc;
	PGresult *res = PQexec(db->conn, db->read_only
		? "SET client_encoding = 'UTF8'; SET default_transaction_read_only = on"
		: "SET client_encoding = 'UTF8'");
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? GC_OK : fail_result(&db->base, res);
	PQclear(res);
	return rc;
}

/* Keeps track of the transaction sql opens or ends. */
static void follow_transaction(struct pg_db *db, const char *sql)
{
	if (strcmp(sql, "BEGIN") == 0)
		db->in_transaction = true;
	else if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0)
		db->in_transaction = false;
}

/* Whether sql may run now: on a connection lost outside a transaction,
 * after connecting again; on one lost inside a transaction, only as its
 * end (a ROLLBACK, with nothing left to roll back, is skipped: *ret_skip). */
static int ensure_connected(struct pg_db *db, const char *sql, bool *ret_skip)
{
	*ret_skip = false;
	if (PQstatus(db->conn) == CONNECTION_OK)
		return GC_OK;
	if (!db->in_transaction)
		return connect_session(db);
	if (strcmp(sql, "ROLLBACK") == 0) {
		db->in_transaction = false;
		*ret_skip = true;
		return GC_OK;
	}
	if (strcmp(sql, "COMMIT") == 0)
		db->in_transaction = false;
	snprintf(db->base.errmsg, sizeof(db->base.errmsg),
		 "the connection to the server was lost in a transaction: nothing of it was committed");
	return GC_ESTORE;
}

static int pgs_prepare(struct db *db, const char *sql, struct db_stmt **ret)
{
	struct pg_stmt *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return GC_ENOMEM;
	int rc = pg_placeholders(sql, &st->sql, &st->nparams);
	if (rc < 0) {
		snprintf(db->errmsg, sizeof(db->errmsg), "malformed placeholders in: %.200s", sql);
		free(st);
		return rc;
	}
	st->params = calloc((size_t)st->nparams + 1, sizeof(*st->params));
	if (st->params == NULL) {
		free(st->sql);
		free(st);
		return GC_ENOMEM;
	}
	snprintf(st->name, sizeof(st->name), "g%u", ++pg(db)->next_name);
	st->base.db = db;
	st->row = -1;
	*ret = &st->base;
	return GC_OK;
}

static void forget_result(struct pg_stmt *st)
{
	if (st->sent) { /* its result, when it comes, is nobody's */
		struct pg_db *db = pg(st->base.db);
		for (int i = 0; i < db->n_deferred; i++) {
			if (db->reader[i] == st)
				db->reader[i] = NULL;
		}
		st->sent = false;
	}
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	PQfreemem(st->blob);
	st->blob = NULL;
}

static void pgs_reset(struct db_stmt *s) { forget_result(pst(s)); }

static void unbind(struct pg_param *p)
{
	if (p->value != p->number)
		free(p->value);
	p->value = NULL;
	p->length = 0;
	p->format = 0;
	p->oid = 0;
}

static void pgs_clear_bindings(struct db_stmt *s)
{
	struct pg_stmt *st = pst(s);
	for (int i = 0; i < st->nparams; i++)
		unbind(&st->params[i]);
}

static void pgs_finalize(struct db_stmt *s)
{
	struct pg_stmt *st = pst(s);
	struct pg_db *db = pg(s->db);
	for (int g = 0; g < db->n_bulk; g++)
		if (db->bulk[g].st == st) {
			send_bulk(db); /* its rows go now; an error comes with the next statement */
			break;
		}
	forget_result(st);
	pgs_clear_bindings(s);
	free(st->params);
	free(st->sql);
	free(st);
}

/* The parameter at 1-based idx, unbound; NULL past the statement's count. */
static struct pg_param *param(struct db_stmt *s, int idx)
{
	struct pg_stmt *st = pst(s);
	if (idx < 1 || idx > st->nparams)
		return NULL;
	struct pg_param *p = &st->params[idx - 1];
	unbind(p);
	return p;
}

static void pgs_bind_null(struct db_stmt *s, int idx) { param(s, idx); }

static void pgs_bind_null_int64(struct db_stmt *s, int idx)
{
	struct pg_param *p = param(s, idx);
	if (p)
		p->oid = OID_INT8;
}

static void pgs_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	struct pg_param *p = param(s, idx);
	if (p == NULL)
		return;
	p->length = snprintf(p->number, sizeof(p->number), "%lld", (long long)v);
	p->value = p->number;
	p->oid = OID_INT8;
}

static void pgs_bind_text(struct db_stmt *s, int idx, const char *text, int len)
{
	struct pg_param *p = param(s, idx);
	if (p == NULL)
		return;
	size_t n = len < 0 ? strlen(text) : (size_t)len;
	p->value = malloc(n + 1); /* on failure the value is NULL: the statement sees NULL */
	if (p->value) {
		memcpy(p->value, text, n);
		p->value[n] = '\0';
		p->length = (int)n;
	}
}

static void pgs_bind_blob(struct db_stmt *s, int idx, const void *data, size_t len)
{
	struct pg_param *p = param(s, idx);
	if (p == NULL)
		return;
	p->value = malloc(len ? len : 1);
	if (p->value) {
		memcpy(p->value, data, len);
		p->length = (int)len;
		p->format = 1;
		p->oid = OID_BYTEA;
	}
}

/* The parameter number whose type the server could not infer ("could not
 * determine data type of parameter $N": SQLSTATE 42P08 or 42P18), or 0. */
static int untyped_param(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *dollar = msg ? strchr(msg, '$') : NULL;
	if (state == NULL || (strcmp(state, "42P08") != 0 && strcmp(state, "42P18") != 0) ||
	    dollar == NULL)
		return 0;
	return atoi(dollar + 1);
}

/* Prepares sql as name on this connection; *ret_untyped: untyped_param
 * of the failure. In a transaction, inside a savepoint: a failed prepare
 * would abort it. */
static int prepare_as(struct pg_db *db, const char *name, const char *sql, int nparams, const unsigned *types,
		      int *ret_untyped)
{
	bool in_transaction = PQtransactionStatus(db->conn) == PQTRANS_INTRANS;
	if (in_transaction)
		PQclear(PQexec(db->conn, "SAVEPOINT db_prepare"));
	PGresult *res = PQprepare(db->conn, name, sql, nparams, types);
	db->round_trips++;
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? GC_OK : fail_result(&db->base, res);
	*ret_untyped = rc < 0 ? untyped_param(res) : 0;
	PQclear(res);
	if (in_transaction)
		PQclear(PQexec(db->conn, rc == GC_OK ? "RELEASE db_prepare" : "ROLLBACK TO db_prepare; RELEASE db_prepare"));
	return rc;
}

/* Prepares st on this connection with the types of the values bound now:
 * bigint, bytea, or unknown for text and NULL, which the server infers from
 * where they stand. Where nothing says (a NULL in "?2 IS NOT NULL THEN ?2"),
 * the parameter is text. */
static int server_prepare(struct pg_db *db, struct pg_stmt *st)
{
	unsigned types[1000];
	for (int i = 0; i < st->nparams; i++)
		types[i] = st->params[i].oid;
	int rc = GC_ESTORE;
	for (int attempt = 0; attempt <= st->nparams; attempt++) {
		int untyped = 0;
		rc = prepare_as(db, st->name, st->sql, st->nparams, types, &untyped);
		if (rc == GC_OK)
			st->prepared_generation = db->generation;
		if (untyped < 1 || untyped > st->nparams || types[untyped - 1] != 0)
			break;
		types[untyped - 1] = OID_TEXT;
	}
	return rc;
}

static bool is_write(const char *status)
{
	return strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
	       strncmp(status, "DELETE", 6) == 0;
}

/* The next query's result in pipeline mode (NULL when there is none), read
 * up to the NULL that ends it. */
static PGresult *next_result(struct pg_db *db)
{
	PGresult *res = PQgetResult(db->conn), *more;
	while (res && (more = PQgetResult(db->conn)) != NULL)
		PQclear(more);
	return res;
}

/* After PQpipelineSync: reads the deferred statements' results (a sent
 * read's into its statement), then the caller's own (into *ret_res when
 * not NULL), then the sync, and leaves pipeline mode. The first error
 * among the deferred statements. */
static int end_pipeline(struct pg_db *db, PGresult **ret_res)
{
	int rc = GC_OK;
	for (int i = 0; i < db->n_deferred; i++) {
		PGresult *res = next_result(db);
		ExecStatusType status = PQresultStatus(res);
		struct pg_stmt *reader = db->reader[i];
		db->reader[i] = NULL;
		if (reader) {
			reader->sent = false;
			if (status == PGRES_TUPLES_OK) {
				reader->res = res;
				continue;
			}
		}
		/* an insert with a reserved id may return it (RETURNING id): read by nobody */
		if (rc == GC_OK && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
			rc = fail_result(&db->base, res);
		PQclear(res);
	}
	db->n_deferred = 0;
	db->n_deferred_writes = 0;
	if (ret_res)
		*ret_res = next_result(db);
	for (int i = 0; i < 4; i++) { /* the sync's result; a broken connection gives NULLs */
		PGresult *res = PQgetResult(db->conn);
		bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
		PQclear(res);
		if (sync || res == NULL)
			break;
	}
	PQexitPipelineMode(db->conn);
	return rc;
}

/* Sends the deferred statements alone, for a call that cannot go in a
 * pipeline (PQexec, PQprepare). */
static int flush_deferred(struct pg_db *db)
{
	int rc;
	if (db->n_bulk > 0 && !db->sending_bulk && (rc = send_bulk(db)) < 0)
		return rc;
	if (db->n_deferred == 0)
		return GC_OK;
	db->round_trips++;
	if (!PQpipelineSync(db->conn)) {
		fail_result(&db->base, NULL);
		drop_deferred(db);
		PQexitPipelineMode(db->conn);
		return GC_ESTORE;
	}
	return end_pipeline(db, NULL);
}

static int pgs_flush(struct db *d)
{
	return pg(d)->n_deferred_writes || pg(d)->n_bulk ? flush_deferred(pg(d)) : GC_OK;
}

/* libpq keeps a pipeline's messages until 64 KiB wait: a batch of
 * requests whose writes are all deferred would reach the server only at
 * its fold or commit, the server idle while the writer works and the
 * writer idle while the server does. Sent as each request ends, they run
 * alongside the next. */
static void pgs_push(struct db *d)
{
	struct pg_db *db = pg(d);
	if (db->bulk_rows >= BULK_PUSH_ROWS)
		send_bulk(db); /* a failure aborts the transaction: its COMMIT says so */
	if (db->n_deferred > 0)
		PQflush(db->conn); /* a connection that broke says so at the next statement */
}

/* The parameters of st as libpq takes them. */
struct pg_args {
	const char *values[1000];
	int lengths[1000], formats[1000];
};

static void args_of(const struct pg_stmt *st, struct pg_args *a)
{
	for (int i = 0; i < st->nparams; i++) {
		a->values[i] = st->params[i].value;
		a->lengths[i] = st->params[i].length;
		a->formats[i] = st->params[i].format;
	}
}

/* Sends the prepared statement name with the n arguments a, or sql with
 * none (name NULL), in pipeline mode: its result is read with the next
 * statement's (end_pipeline), into reader when not NULL. */
static int send_args(struct pg_db *db, const char *name, int n, const struct pg_args *a, const char *sql,
		     struct pg_stmt *reader)
{
	int rc;
	if (db->n_deferred == MAX_DEFERRED && (rc = flush_deferred(db)) < 0)
		return rc;
	if (db->n_deferred == 0 && !PQenterPipelineMode(db->conn))
		return fail_result(&db->base, NULL);
	int sent = name ? PQsendQueryPrepared(db->conn, name, n, a->values, a->lengths, a->formats, 0)
			: PQsendQueryParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	if (!sent) {
		rc = fail_result(&db->base, NULL);
		if (db->n_deferred == 0)
			PQexitPipelineMode(db->conn);
		else
			flush_deferred(db);
		return rc;
	}
	db->reader[db->n_deferred++] = reader;
	return GC_OK;
}

/* Sends the prepared st, or sql with no parameters, after the appended
 * rows waiting: see send_args. */
static int send_later(struct pg_db *db, const struct pg_stmt *st, const char *sql, struct pg_stmt *reader)
{
	int rc;
	if (db->n_bulk > 0 && !db->sending_bulk && (rc = send_bulk(db)) < 0)
		return rc;
	struct pg_args a;
	if (st)
		args_of(st, &a);
	return send_args(db, st ? st->name : NULL, st ? st->nparams : 0, &a, sql, reader);
}

/* st's "INSERT INTO ... VALUES (row)" with the row k times, the
 * placeholders of each copy numbered after the previous one's, RETURNING
 * dropped (nobody reads it); NULL when st is not of that form (an ON
 * CONFLICT clause: two rows of one INSERT may not update one row). */
static char *bulk_sql(const struct pg_stmt *st, int k)
{
	const char *values = strstr(st->sql, " VALUES (");
	if (strncmp(st->sql, "INSERT INTO ", 12) != 0 || values == NULL)
		return NULL;
	const char *open = values + 8, *p = open, *tail;
	int depth = 0, dollars = 0;
	bool quoted = false;
	for (; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		else if (!quoted && *p == '$')
			dollars++;
		else if (!quoted && *p == '(')
			depth++;
		else if (!quoted && *p == ')' && --depth == 0)
			break;
	}
	if (*p != ')')
		return NULL;
	tail = p + 1;
	if (*tail && strncmp(tail, " RETURNING ", 11) != 0)
		return NULL;
	size_t head = (size_t)(open - st->sql), row = (size_t)(tail - open);
	char *out = malloc(head + (size_t)k * (row + 4 * (size_t)dollars + 1) + 1), *o = out;
	if (out == NULL)
		return NULL;
	memcpy(o, st->sql, head);
	o += head;
	for (int j = 0; j < k; j++) {
		if (j)
			*o++ = ',';
		quoted = false;
		for (const char *c = open; c < tail; c++) {
			if (*c == '\'')
				quoted = !quoted;
			if (!quoted && *c == '$' && c[1] >= '0' && c[1] <= '9') {
				char *end;
				long n = strtol(c + 1, &end, 10);
				o += sprintf(o, "$%ld", n + (long)j * st->nparams);
				c = end - 1;
			} else {
				*o++ = *c;
			}
		}
	}
	*o = '\0';
	return out;
}

/* The rows of one statement a multi-row INSERT takes at most. */
static int bulk_cap(const struct pg_stmt *st)
{
	int cap = st->nparams ? 1000 / st->nparams : BULK_ROWS;
	return cap < BULK_ROWS ? cap : BULK_ROWS;
}

/* Sends b's rows as one INSERT, its k-row form prepared first when this
 * connection has not yet (then after the statements waiting: a round trip
 * per row count and connection). */
static int send_group(struct pg_db *db, struct bulk_group *b)
{
	struct pg_stmt *st = b->st;
	int n = st->nparams, k = b->rows, rc;
	char name[40];
	snprintf(name, sizeof(name), "%s_%d", st->name, k);
	if (k > 1 && st->bulk_generation[k] != db->generation) {
		unsigned types[1000];
		for (int j = 0; j < k; j++)
			for (int i = 0; i < n; i++)
				types[j * n + i] = b->params[i].oid; /* the first row's, as server_prepare */
		char *sql = bulk_sql(st, k);
		int untyped;
		if (sql == NULL)
			return GC_ENOMEM;
		rc = flush_deferred(db);
		if (rc == GC_OK)
			rc = prepare_as(db, name, sql, k * n, types, &untyped);
		free(sql);
		if (rc < 0)
			return rc;
		st->bulk_generation[k] = db->generation;
	}
	struct pg_args a;
	for (int i = 0; i < k * n; i++) {
		a.values[i] = b->params[i].value;
		a.lengths[i] = b->params[i].length;
		a.formats[i] = b->params[i].format;
	}
	if ((rc = send_args(db, k > 1 ? name : st->name, k * n, &a, NULL, NULL)) == GC_OK)
		db->n_deferred_writes++;
	return rc;
}

/* Sends the appended rows waiting, a statement each, the lowest rank
 * first (in the order of their first append within a rank). */
static int send_bulk(struct pg_db *db)
{
	int rc = GC_OK, top = 0;
	db->sending_bulk = true;
	for (int g = 0; g < db->n_bulk; g++)
		top = db->bulk[g].rank > top ? db->bulk[g].rank : top;
	for (int r = 0; r <= top && rc == GC_OK; r++)
		for (int g = 0; g < db->n_bulk && rc == GC_OK; g++)
			if (db->bulk[g].rank == r)
				rc = send_group(db, &db->bulk[g]);
	db->sending_bulk = false;
	bulk_drop(db);
	return rc;
}

static int pgs_defer(struct db *d, const char *sql)
{
	struct pg_db *db = pg(d);
	bool skip;
	int rc = ensure_connected(db, sql, &skip);
	if (rc < 0 || skip)
		return rc;
	follow_transaction(db, sql);
	return send_later(db, NULL, sql, NULL);
}

/* Whether a read that failed may connect again and run once more: the
 * server went away (a restart) while this read-only connection was outside
 * a transaction (a write might have been done: it fails instead). */
static bool may_run_again(struct pg_db *db)
{
	return PQstatus(db->conn) == CONNECTION_BAD && db->read_only && !db->in_transaction;
}

static int execute(struct pg_db *db, struct pg_stmt *st)
{
	bool skip;
	int rc = ensure_connected(db, st->sql, &skip);
	if (rc < 0)
		return rc;
	if (skip) {
		st->res = PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
		return st->res ? GC_OK : GC_ENOMEM;
	}
	follow_transaction(db, st->sql);
	if (st->prepared_generation != db->generation &&
	    ((rc = flush_deferred(db)) < 0 || (rc = server_prepare(db, st)) < 0))
		return rc;
	if (db->n_bulk > 0 && (rc = send_bulk(db)) < 0)
		return rc;
	struct pg_args a;
	args_of(st, &a);
	db->round_trips++;
	if (db->n_deferred == 0) {
		st->res = PQexecPrepared(db->conn, st->name, st->nparams, a.values, a.lengths, a.formats, 0);
	} else if (!PQsendQueryPrepared(db->conn, st->name, st->nparams, a.values, a.lengths, a.formats, 0) ||
		   !PQpipelineSync(db->conn)) {
		/* one round trip for the deferred statements and this one */
		rc = fail_result(&db->base, NULL);
		drop_deferred(db);
		PQexitPipelineMode(db->conn);
	} else {
		rc = end_pipeline(db, &st->res);
	}
	if (may_run_again(db)) { /* the reads sent with it run again at their steps */
		forget_result(st);
		if ((rc = connect_session(db)) < 0 || (rc = server_prepare(db, st)) < 0)
			return rc;
		st->res = PQexecPrepared(db->conn, st->name, st->nparams, a.values, a.lengths, a.formats, 0);
	} else if (rc < 0) {
		forget_result(st);
		return rc;
	}
	ExecStatusType status = PQresultStatus(st->res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		rc = fail_result(&db->base, st->res);
		forget_result(st);
		return rc;
	}
	if (is_write(PQcmdStatus(st->res)))
		db->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
	/* COMMIT in a transaction a failed statement aborted rolls back and
	 * says so only in its tag: never let that pass for a commit */
	if (strcmp(st->sql, "COMMIT") == 0 && strcmp(PQcmdStatus(st->res), "COMMIT") != 0) {
		snprintf(db->base.errmsg, sizeof(db->base.errmsg),
			 "the transaction had failed: COMMIT rolled it back");
		forget_result(st);
		return GC_ESTORE;
	}
	return GC_OK;
}

static int pgs_step(struct db_stmt *s)
{
	struct pg_stmt *st = pst(s);
	struct pg_db *db = pg(s->db);
	if (st->sent) { /* its result comes with the others' sent before it */
		int rc = flush_deferred(db);
		if (rc < 0 && !may_run_again(db)) { /* else: it runs again below */
			forget_result(st);
			return rc;
		}
	}
	if (st->res == NULL) {
		int rc = execute(db, st);
		if (rc < 0)
			return rc;
	}
	st->row++;
	return st->row < PQntuples(st->res) ? DB_ROW : DB_DONE;
}

static void pgs_send(struct db_stmt *s)
{
	struct pg_stmt *st = pst(s);
	struct pg_db *db = pg(s->db);
	forget_result(st);
	bool skip;
	if (ensure_connected(db, st->sql, &skip) < 0 || skip)
		return; /* its step says why */
	/* a statement new to this connection is prepared first, which cannot
	 * wait in a pipeline: only when nothing else waits (the error of a
	 * deferred write must stay its own) */
	if (st->prepared_generation != db->generation && (db->n_deferred > 0 || server_prepare(db, st) < 0))
		return;
	if (send_later(db, st, NULL, st) == GC_OK)
		st->sent = true;
}

/* Connects when needed (or skips: ensure_connected) and prepares st on
 * this connection, after the statements waiting. */
static int ready_to_write(struct pg_db *db, struct pg_stmt *st, bool *ret_skip)
{
	int rc = ensure_connected(db, st->sql, ret_skip);
	if (rc < 0 || *ret_skip)
		return rc;
	if (st->prepared_generation != db->generation &&
	    ((rc = flush_deferred(db)) < 0 || (rc = server_prepare(db, st)) < 0))
		return rc;
	return GC_OK;
}

static int pgs_step_later(struct db_stmt *s)
{
	struct pg_stmt *st = pst(s);
	struct pg_db *db = pg(s->db);
	if (!db->in_transaction) { /* in autocommit, a write waits for nothing */
		int rc = pgs_step(s);
		pgs_reset(s);
		return rc < 0 ? rc : GC_OK;
	}
	bool skip;
	int rc = ready_to_write(db, st, &skip);
	if (rc < 0 || skip)
		return rc;
	if ((rc = send_later(db, st, NULL, NULL)) < 0)
		return rc;
	db->n_deferred_writes++;
	return GC_OK;
}

/* A copy of p that owns its value. */
static int param_copy(struct pg_param *to, const struct pg_param *p)
{
	*to = *p;
	if (p->value == NULL || p->value == p->number) {
		to->value = p->value ? to->number : NULL;
		return GC_OK;
	}
	if ((to->value = malloc((size_t)p->length + 1)) == NULL)
		return GC_ENOMEM;
	memcpy(to->value, p->value, (size_t)p->length);
	to->value[p->length] = '\0'; /* text ends there; a blob's length says where it ends */
	return GC_OK;
}

static int pgs_append(struct db_stmt *s, int rank)
{
	struct pg_stmt *st = pst(s);
	struct pg_db *db = pg(s->db);
	if (st->bulk_form == 0) {
		char *sql = bulk_sql(st, 1);
		st->bulk_form = sql ? 1 : -1;
		free(sql);
	}
	if (!db->in_transaction || st->bulk_form < 0 || bulk_cap(st) < 2)
		return pgs_step_later(s);
	bool skip;
	int rc = ready_to_write(db, st, &skip);
	if (rc < 0 || skip)
		return rc;
	struct bulk_group *b = NULL;
	for (int g = 0; g < db->n_bulk && b == NULL; g++)
		b = db->bulk[g].st == st ? &db->bulk[g] : NULL;
	if (b == NULL) {
		if (db->n_bulk == BULK_GROUPS && (rc = send_bulk(db)) < 0)
			return rc;
		struct pg_param *params = calloc((size_t)BULK_ROWS * (size_t)st->nparams + 1, sizeof(*params));
		if (params == NULL)
			return GC_ENOMEM;
		b = &db->bulk[db->n_bulk++];
		*b = (struct bulk_group){.st = st, .rank = rank, .params = params};
	}
	struct pg_param *row = &b->params[b->rows * st->nparams];
	for (int i = 0; i < st->nparams; i++) {
		if (param_copy(&row[i], &st->params[i]) < 0) {
			while (i-- > 0)
				unbind(&row[i]);
			return GC_ENOMEM;
		}
	}
	b->rows++;
	db->bulk_rows++;
	return b->rows == bulk_cap(st) ? send_bulk(db) : GC_OK;
}

static bool pgs_column_is_null(struct db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);
	return st->res == NULL || PQgetisnull(st->res, st->row, i);
}

static bool pgs_column_is_integer(struct db_stmt *s, int i)
{
	Oid type = PQftype(pst(s)->res, i);
	return !pgs_column_is_null(s, i) && (type == OID_INT8 || type == OID_INT4 || type == OID_INT2);
}

static const char *pgs_column_text(struct db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);
	return pgs_column_is_null(s, i) ? NULL : PQgetvalue(st->res, st->row, i);
}

static int64_t pgs_column_int64(struct db_stmt *s, int i)
{
	const char *v = pgs_column_text(s, i);
	if (v == NULL)
		return 0;
	if (v[0] == 't' || v[0] == 'f') /* a boolean: SQLite answers 1 or 0 */
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static double pgs_column_double(struct db_stmt *s, int i)
{
	const char *v = pgs_column_text(s, i);
	return v ? strtod(v, NULL) : 0.0;
}

/* Column i of the current row, a bytea, unescaped (kept until the next one). */
static const unsigned char *bytea(struct pg_stmt *st, int i)
{
	if (st->blob && st->blob_col == i && st->blob_row == st->row)
		return st->blob;
	PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i), &st->blob_len);
	st->blob_col = i;
	st->blob_row = st->row;
	return st->blob;
}

static size_t pgs_column_bytes(struct db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);
	if (pgs_column_is_null(s, i))
		return 0;
	if (PQftype(st->res, i) == OID_BYTEA)
		return bytea(st, i) ? st->blob_len : 0;
	return (size_t)PQgetlength(st->res, st->row, i);
}

static const void *pgs_column_blob(struct db_stmt *s, int i)
{
	struct pg_stmt *st = pst(s);
	if (pgs_column_is_null(s, i))
		return NULL;
	return PQftype(st->res, i) == OID_BYTEA ? (const void *)bytea(st, i)
						 : (const void *)PQgetvalue(st->res, st->row, i);
}

static int64_t pgs_changes(struct db *db) { return pg(db)->changes; }

static bool pgs_connected(struct db *db)
{
	return pg(db)->conn && PQstatus(pg(db)->conn) == CONNECTION_OK;
}

static bool pgs_in_transaction(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(pg(db)->conn);
	/* a transaction whose connection was lost is open until its ROLLBACK */
	return pg(db)->in_transaction || t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
	       t == PQTRANS_ACTIVE;
}

static int pgs_exec(struct db *db, const char *sql)
{
	bool skip;
	int rc = ensure_connected(pg(db), sql, &skip);
	if (rc < 0 || skip || (rc = flush_deferred(pg(db))) < 0)
		return rc;
	follow_transaction(pg(db), sql);
	pg(db)->round_trips++;
	PGresult *res = PQexec(pg(db)->conn, sql);
	ExecStatusType status = PQresultStatus(res);
	rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? GC_OK : fail_result(db, res);
	PQclear(res);
	return rc;
}

static void pgs_close(struct db *db)
{
	PQfinish(pg(db)->conn);
	free(pg(db)->url);
	free(db);
}

static const struct db_ops pg_ops = {
	.engine = DB_POSTGRESQL,
	.prepare = pgs_prepare,
	.finalize = pgs_finalize,
	.reset = pgs_reset,
	.clear_bindings = pgs_clear_bindings,
	.bind_int64 = pgs_bind_int64,
	.bind_text = pgs_bind_text,
	.bind_blob = pgs_bind_blob,
	.bind_null = pgs_bind_null,
	.bind_null_int64 = pgs_bind_null_int64,
	.step = pgs_step,
	.step_later = pgs_step_later,
	.append = pgs_append,
	.flush = pgs_flush,
	.send = pgs_send,
	.column_is_null = pgs_column_is_null,
	.column_is_integer = pgs_column_is_integer,
	.column_int64 = pgs_column_int64,
	.column_double = pgs_column_double,
	.column_text = pgs_column_text,
	.column_bytes = pgs_column_bytes,
	.column_blob = pgs_column_blob,
	.changes = pgs_changes,
	.exec = pgs_exec,
	.defer = pgs_defer,
	.push = pgs_push,
	.in_transaction = pgs_in_transaction,
	.connected = pgs_connected,
	.close = pgs_close,
};

int db_pg_open(const char *url, bool read_only, struct db **ret_db)
{
	struct pg_db *db = calloc(1, sizeof(*db));
	if (db == NULL)
		return GC_ENOMEM;
	db->base.ops = &pg_ops;
	db->read_only = read_only;
	*ret_db = &db->base;
	db->url = strdup(url);
	if (db->url == NULL)
		return GC_ENOMEM;
	return connect_session(db);
}

/* The integer the one-row, one-column sql answers, or a GC_* error. */
static int64_t query_int(struct pg_db *db, const char *sql)
{
	int rc = flush_deferred(db);
	if (rc < 0)
		return rc;
	PGresult *res = PQexec(db->conn, sql);
	int64_t v;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		v = fail_result(&db->base, res);
	PQclear(res);
	return v;
}

int db_pg_schema_version(struct db *db)
{
	int64_t exists = query_int(pg(db), "SELECT count(*) FROM pg_tables"
					   " WHERE schemaname = current_schema() AND tablename = 'guichet_schema'");
	if (exists <= 0)
		return (int)exists;
	return (int)query_int(pg(db), "SELECT version FROM guichet_schema");
}

int64_t db_pg_round_trips(struct db *db) { return pg(db)->round_trips; }

int64_t db_pg_size(struct db *db)
{
	int64_t size = query_int(pg(db), "SELECT pg_database_size(current_database())");
	return size < 0 ? -1 : size;
}

int db_pg_migrate(struct db *db, bool read_only)
{
	if (read_only) {
		int version = db_pg_schema_version(db);
		return version < 0 ? version : schema_check_version(version, db->errmsg, sizeof(db->errmsg));
	}
	char lock[96];
	snprintf(lock, sizeof(lock), "BEGIN; SELECT pg_advisory_xact_lock(%lld)", SCHEMA_LOCK_KEY);
	int rc = pgs_exec(db, lock);
	if (rc < 0)
		return rc;
	int version = db_pg_schema_version(db);
	if (version < 0) {
		rc = version;
		goto out_rollback;
	}
	if ((rc = schema_check_newer(version, db->errmsg, sizeof(db->errmsg))) < 0)
		goto out_rollback;
	if (version == 0) {
		if ((rc = pgs_exec(db, schema_pg_baseline())) < 0)
			goto out_rollback;
		version = schema_pg_baseline_version();
	}
	for (int v = version + 1; v <= schema_n_migrations(); v++) {
		char *sql = schema_migration_text(v, DB_POSTGRESQL);
		char update[64];
		snprintf(update, sizeof(update), "UPDATE guichet_schema SET version = %d", v);
		rc = sql == NULL ? GC_ENOMEM : pgs_exec(db, sql);
		free(sql);
		if (rc < 0 || (rc = pgs_exec(db, update)) < 0)
			goto out_rollback;
	}
	return pgs_exec(db, "COMMIT");
out_rollback:
	PQclear(PQexec(pg(db)->conn, "ROLLBACK"));
	return rc;
}
