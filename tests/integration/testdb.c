/* The tests' databases on either engine (testdb.h). */
#include "testdb.h"
#include "pgcluster.h"
#include "guichet/error.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pgcluster cluster;
static enum { CLUSTER_NONE, CLUSTER_UP, CLUSTER_FAILED } cluster_state;
static int n_databases;
static enum { TEMPLATE_NONE, TEMPLATE_MADE, TEMPLATE_FAILED } template_state;

bool testdb_is_pg(void)
{
	static int pg = -1;
	if (pg < 0) {
		const char *e = getenv("GUICHET_TEST_ENGINE");
		if (e == NULL || *e == '\0' || strcmp(e, "sqlite") == 0) {
			pg = 0;
		} else if (strcmp(e, "postgresql") == 0) {
			pg = 1;
		} else {
			fprintf(stderr, "GUICHET_TEST_ENGINE: '%s' is neither sqlite nor postgresql\n", e);
			exit(2);
		}
	}
	return pg == 1;
}

const char *testdb_engine_name(void)
{
	return testdb_is_pg() ? "postgresql" : "sqlite";
}

/* The cluster, started at the first call (the caller holds lock). */
static struct pgcluster *cluster_up(void)
{
	if (cluster_state == CLUSTER_NONE)
		cluster_state = pgcluster_start(&cluster, NULL) == 0 ? CLUSTER_UP : CLUSTER_FAILED;
	return cluster_state == CLUSTER_UP ? &cluster : NULL;
}

static int pg_exec(const char *url, const char *sql)
{
	PGconn *conn = PQconnectdb(url);
	int rc = -1;
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "testdb: cannot connect to %s: %s", url, PQerrorMessage(conn));
		goto out_finish;
	}
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		rc = 0;
	else
		fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
out_finish:
	PQfinish(conn);
	return rc;
}

static int sqlite_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	}
	if (rc != SQLITE_OK)
		fprintf(stderr, "testdb: %s: %s: %s\n", path, sql, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static bool is_url(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0;
}

/* The database every other is copied from, g_template: made at the first
 * database asked for and migrated by the store (as guichetd and guichet
 * admin would migrate a new one), so that each test's database starts at
 * the current schema. Copying it (CREATE DATABASE ... TEMPLATE) costs the
 * server about half of what creating a database and running every migration
 * in it did (measured in docs/testing.md), a few hundred times a run. The
 * caller holds lock. */
static bool template_up(struct pgcluster *c)
{
	if (template_state != TEMPLATE_NONE)
		return template_state == TEMPLATE_MADE;
	template_state = TEMPLATE_FAILED;
	char url[160];
	snprintf(url, sizeof(url), "postgresql://guichet@127.0.0.1:%d/g_template", c->port);
	if (pg_exec(pgcluster_url(c), "CREATE DATABASE g_template") < 0)
		return false;
	struct store *s = NULL;
	int rc = store_open(url, STORE_READ_WRITE, &s);
	if (rc != GC_OK)
		fprintf(stderr, "testdb: the template database: %s\n", s ? store_errmsg(s) : "out of memory");
	store_free(s); /* its connection closed: a database being read cannot be copied */
	if (rc == GC_OK)
		template_state = TEMPLATE_MADE;
	return rc == GC_OK;
}

int testdb_new(const char *dir, const char *name, char *ret_target, size_t len)
{
	if (!testdb_is_pg()) {
		int n = snprintf(ret_target, len, "%s/%s", dir, name);
		return n > 0 && (size_t)n < len ? 0 : -1;
	}
	pthread_mutex_lock(&lock);
	struct pgcluster *c = cluster_up();
	bool made = c != NULL && template_up(c);
	int n = ++n_databases;
	pthread_mutex_unlock(&lock);
	if (!made)
		return -1;
	char sql[64], url[160];
	snprintf(sql, sizeof(sql), "CREATE DATABASE g_%d TEMPLATE g_template", n);
	int printed = snprintf(url, sizeof(url), "postgresql://guichet@127.0.0.1:%d/g_%d", c->port, n);
	if (printed < 0 || (size_t)printed >= len || pg_exec(pgcluster_url(c), sql) < 0)
		return -1;
	memcpy(ret_target, url, (size_t)printed + 1);
	return 0;
}

void testdb_drop(const char *target)
{
	const char *name = is_url(target) ? strrchr(target, '/') : NULL;
	if (name == NULL || cluster_state != CLUSTER_UP)
		return;
	char sql[96];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name + 1);
	pg_exec(pgcluster_url(&cluster), sql);
}

int testdb_exec(const char *target, const char *sql)
{
	return is_url(target) ? pg_exec(target, sql) : sqlite_exec(target, sql);
}

int testdb_set_schema_version(const char *target, int version)
{
	char sql[96];
	if (is_url(target))
		snprintf(sql, sizeof(sql), "UPDATE guichet_schema SET version = %d", version);
	else
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	return testdb_exec(target, sql);
}

struct pgcluster *testdb_cluster(void)
{
	return cluster_state == CLUSTER_UP ? &cluster : NULL;
}

int testdb_crash_server(void)
{
	if (!testdb_is_pg())
		return 0;
	struct pgcluster *c = testdb_cluster();
	return c ? pgcluster_restart_immediate(c) : -1;
}

int testdb_server_down(void)
{
	struct pgcluster *c = testdb_is_pg() ? testdb_cluster() : NULL;
	return c ? pgcluster_down(c) : -1;
}

int testdb_server_up(void)
{
	struct pgcluster *c = testdb_is_pg() ? testdb_cluster() : NULL;
	return c ? pgcluster_up(c) : -1;
}

void testdb_skip_unless_sqlite(const char *why)
{
	if (!testdb_is_pg())
		return;
	fprintf(stderr, "# skipped on postgresql: %s\n", why);
	skip();
}
