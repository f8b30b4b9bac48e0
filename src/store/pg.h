/* What db_pg.c asks of pg.c, and pg_placeholders for its test. Internal to
 * src/store. */
#ifndef GUICHET_STORE_PG_H
#define GUICHET_STORE_PG_H

#include <libpq-fe.h>
#include <stddef.h>

/* GC_EINVAL with errmsg when the server conn reaches (where: its redacted
 * URL) can acknowledge a commit it may lose: fsync or synchronous_commit
 * off. */
int pg_check_durable(PGconn *conn, const char *where, char *errmsg, size_t errmsg_len);

/* sql with SQLite's placeholders (?N, and ? for one past the largest so
 * far) rewritten to PostgreSQL's $N, quoted text left alone; malloc'd into
 * *ret_sql with the number of parameters. GC_EINVAL when a number is out of
 * 1..999 or a quote is not closed. (db_pg.c) */
int pg_placeholders(const char *sql, char **ret_sql, int *ret_nparams);

#endif
