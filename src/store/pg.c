/* PostgreSQL servers, before the engine (db_pg.c) speaks to them:
 * recognising a postgresql:// URL, redacting its password for messages, and
 * probing a server for what the engine needs of it.
 *
 * The probe refuses a server with fsync or synchronous_commit off: guichet
 * acknowledges a write only once it is on disk, and such a server would
 * acknowledge commits it can still lose. synchronous_commit "local",
 * "remote_write", "on" and "remote_apply" all flush the local WAL first. */
#include "store/pg.h"
#include "store/store.h"
#include "guichet/error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#define PG_CONNECT_TIMEOUT "5" /* seconds: a probe never hangs on a dead host */

bool store_url_is_pg(const char *db)
{
	return db != NULL &&
	       (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0);
}

void store_pg_url_redact(const char *url, char *ret_text, size_t len)
{
	/* postgresql://user:secret@host/db -> postgresql://user:***@host/db */
	const char *auth = strstr(url, "://");
	const char *at = auth ? strchr(auth + 3, '@') : NULL;
	const char *colon = auth ? strchr(auth + 3, ':') : NULL;
	if (at == NULL || colon == NULL || colon > at)
		snprintf(ret_text, len, "%s", url);
	else
		snprintf(ret_text, len, "%.*s***%s", (int)(colon + 1 - url), url, at);
	/* ...?password=secret&... (and "password=secret" in a key=value string) -> password=*** */
	char *p = ret_text;
	while ((p = strcasestr(p, "password=")) != NULL) {
		p += strlen("password=");
		size_t secret = strcspn(p, "& ");
		if (secret == 0)
			continue;
		if (secret < 3 && strlen(ret_text) + 3 - secret >= len) { /* no room for the stars: cut it there */
			*p = '\0';
			break;
		}
		memmove(p + 3, p + secret, strlen(p + secret) + 1);
		memcpy(p, "***", 3);
		p += 3;
	}
}

/* The value of SHOW name into buf; GC_ESTORE with errmsg on failure. */
static int show(PGconn *conn, const char *name, char *buf, size_t len, char *errmsg,
		size_t errmsg_len)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "SHOW %s", name);
	PGresult *res = PQexec(conn, sql);
	int rc = GC_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		snprintf(errmsg, errmsg_len, "SHOW %s failed: %s", name, PQerrorMessage(conn));
		rc = GC_ESTORE;
	} else {
		snprintf(buf, len, "%s", PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return rc;
}

int pg_check_durable(PGconn *conn, const char *where, char *errmsg, size_t errmsg_len)
{
	char value[64];
	int rc = show(conn, "fsync", value, sizeof(value), errmsg, errmsg_len);
	if (rc < 0)
		return rc;
	if (strcmp(value, "on") != 0) {
		snprintf(errmsg, errmsg_len, "the server at %s has fsync=%s: guichet needs fsync=on "
			 "(an acknowledged write must be on disk)", where, value);
		return GC_EINVAL;
	}
	rc = show(conn, "synchronous_commit", value, sizeof(value), errmsg, errmsg_len);
	if (rc < 0)
		return rc;
	if (strcmp(value, "off") == 0) {
		snprintf(errmsg, errmsg_len, "the server at %s has synchronous_commit=off: guichet "
			 "needs it on (an acknowledged write must be on disk)", where);
		return GC_EINVAL;
	}
	return GC_OK;
}

int store_pg_probe(const char *url, char *ret_version, size_t version_len, char *errmsg,
		   size_t errmsg_len)
{
	char where[512];
	if (!store_url_is_pg(url)) {
		snprintf(errmsg, errmsg_len, "url: not a postgresql:// or postgres:// URL");
		return GC_EINVAL;
	}
	store_pg_url_redact(url, where, sizeof(where));
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {url, PG_CONNECT_TIMEOUT, "guichet", NULL};
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL) {
		snprintf(errmsg, errmsg_len, "out of memory connecting to %s", where);
		return GC_ENOMEM;
	}
	int rc = GC_OK;
	if (PQstatus(conn) != CONNECTION_OK) {
		/* libpq's message ends with a newline: keep the log line whole */
		snprintf(errmsg, errmsg_len, "cannot connect to %s: %.*s", where,
			 (int)strcspn(PQerrorMessage(conn), "\n"), PQerrorMessage(conn));
		rc = GC_EIO;
		goto out_finish;
	}
	char version[128];
	if ((rc = show(conn, "server_version", version, sizeof(version), errmsg, errmsg_len)) < 0 ||
	    (rc = pg_check_durable(conn, where, errmsg, errmsg_len)) < 0)
		goto out_finish;
	snprintf(ret_version, version_len, "%s", version);
out_finish:
	PQfinish(conn);
	return rc;
}
