/* Reports benchmark: a day's per half-hour report over a history of 10
 * million contacts (default) spread over 28 days, read from the rows the
 * writer keeps current (store_report_summary, what GET
 * /api/v1/reports/summary runs), against a plain SQL GROUP BY over the raw
 * routing events of the same day, in the same run, on the same SQLite file.
 *
 * The history is made directly in SQL (a recursive CTE): per contact an
 * "enqueued" event, then "accepted" by one of 200 agents (half of them an
 * outsourcer's) or, one in twenty, "abandoned", and "wrapup_started" after
 * the handle time; 10 queues. The per half-hour rows are filled from those
 * events by one INSERT ... SELECT ... GROUP BY, as the fold would have
 * written them, and the fold's cursor put at the end. Both answers' day
 * totals are compared. Prints the figures, then one JSON line.
 *
 * bench-reports DIR [CONTACTS] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guichet/error.h"
#include "store/store.h"

#define DAYS 28
#define T0 1764547200000LL /* 2025-12-01T00:00:00Z */
#define DAY_MS 86400000LL
#define REPORT_RUNS 21
#define REFERENCE_RUNS 5

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void must(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench-reports: %s\n  in %s\n", err, sql);
		exit(1);
	}
}

/* The events of n contacts: wait w, handle h, queue q, agent a, one in
 * twenty abandoned (no agent, no wrap-up); for snprintf ("%%"). */
#define W "((c.n * 7919) %% 60000)"
#define H "(60000 + (c.n * 104729) %% 600000)"
#define Q "(c.n %% 10 + 1)"
#define A "(1000 + c.n %% 10 + 10 * ((c.n / 10) %% 20))"
#define AB "(c.n %% 20 = 7)"

static void generate(const char *path, long long contacts)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "bench-reports: cannot open %s\n", path);
		exit(1);
	}
	must(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; BEGIN");
	must(db, "INSERT INTO organisations(id, name, kind, created_at) VALUES (100, 'BPO', 'outsourcer', 0)");
	must(db, "WITH RECURSIVE u(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM u WHERE i < 199)"
		 " INSERT INTO users(id, email, name, organisation_id, password_hash, created_at)"
		 " SELECT 1000 + i, 'agent' || i || '@bench.example', 'Agent ' || i,"
		 " CASE WHEN i % 2 THEN 100 ELSE (SELECT organisation_id FROM tenants WHERE id = 1) END, 'x', 0 FROM u");
	must(db, "WITH RECURSIVE q(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM q WHERE i < 10)"
		 " INSERT INTO queues(id, tenant_id, name, config, created_at, updated_at)"
		 " SELECT i, 1, 'queue ' || i, '{\"channel\":\"phone\",\"sl_seconds\":20}', 0, 0 FROM q");
	char sql[4096];
	long long step = DAYS * DAY_MS / contacts;
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < %lld),"
		 " k(k) AS (VALUES (1), (2), (3))"
		 " INSERT INTO routing_events(tenant_id, at, type, contact_id, agent_id, queue_id, data)"
		 " SELECT 1, %lld + c.n * %lld + CASE k.k WHEN 1 THEN 0 WHEN 2 THEN " W " ELSE " W " + " H " END,"
		 " CASE k.k WHEN 1 THEN 'enqueued' WHEN 2 THEN CASE WHEN " AB " THEN 'abandoned' ELSE 'accepted' END"
		 "  ELSE 'wrapup_started' END, c.n,"
		 " CASE WHEN k.k = 1 OR " AB " THEN NULL ELSE " A " END, " Q ","
		 " CASE k.k WHEN 1 THEN '{}' WHEN 2 THEN '{\"waited_ms\":' || " W " || '}'"
		 "  ELSE '{\"handle_ms\":' || " H " || '}' END"
		 " FROM c, k WHERE NOT (k.k = 3 AND " AB ") ORDER BY c.n, k.k",
		 contacts, T0, step);
	must(db, sql);
	/* the rows the fold writes, in one GROUP BY */
	must(db, "INSERT INTO report_intervals(tenant_id, start_ms, queue_id, agent_id, organisation_id, channel, offered,"
		 " answered, answered_within, answer_wait_ms, abandoned, abandon_wait_ms, handled, handle_ms)"
		 " SELECT e.tenant_id, e.at - e.at % 1800000, e.queue_id, coalesce(e.agent_id, 0),"
		 " coalesce(u.organisation_id, 0), 'phone',"
		 " sum(e.type = 'enqueued'), sum(e.type = 'accepted'),"
		 " sum(e.type = 'accepted' AND json_extract(e.data, '$.waited_ms') <= 20000),"
		 " sum(CASE WHEN e.type = 'accepted' THEN json_extract(e.data, '$.waited_ms') ELSE 0 END),"
		 " sum(e.type = 'abandoned'),"
		 " sum(CASE WHEN e.type = 'abandoned' THEN json_extract(e.data, '$.waited_ms') ELSE 0 END),"
		 " sum(e.type = 'wrapup_started'),"
		 " sum(CASE WHEN e.type = 'wrapup_started' THEN json_extract(e.data, '$.handle_ms') ELSE 0 END)"
		 " FROM routing_events e LEFT JOIN users u ON u.id = e.agent_id"
		 " GROUP BY 1, 2, 3, 4, 5");
	must(db, "INSERT INTO report_cursor(tenant_id, event_id) SELECT 1, max(id) FROM routing_events");
	must(db, "COMMIT; ANALYZE");
	sqlite3_close(db);
}

struct day_totals {
	long long offered, answered, within, abandoned, handled, handle_ms;
};

static const char reference_sql[] =
	"SELECT at - at % 1800000 AS slot, sum(type = 'enqueued'), sum(type = 'accepted'),"
	" sum(type = 'accepted' AND json_extract(data, '$.waited_ms') <= 20000),"
	" sum(CASE WHEN type = 'accepted' THEN json_extract(data, '$.waited_ms') ELSE 0 END),"
	" sum(type = 'abandoned'), sum(type = 'wrapup_started'),"
	" sum(CASE WHEN type = 'wrapup_started' THEN json_extract(data, '$.handle_ms') ELSE 0 END)"
	" FROM routing_events WHERE tenant_id = 1 AND at >= ? AND at < ? GROUP BY slot ORDER BY slot";

static double reference(sqlite3 *db, int64_t from, int64_t to, struct day_totals *t, int *ret_rows)
{
	sqlite3_stmt *st;
	double start = now_s();
	if (sqlite3_prepare_v2(db, reference_sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-reports: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	memset(t, 0, sizeof(*t));
	*ret_rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		t->offered += sqlite3_column_int64(st, 1);
		t->answered += sqlite3_column_int64(st, 2);
		t->within += sqlite3_column_int64(st, 3);
		t->abandoned += sqlite3_column_int64(st, 5);
		t->handled += sqlite3_column_int64(st, 6);
		t->handle_ms += sqlite3_column_int64(st, 7);
		(*ret_rows)++;
	}
	sqlite3_finalize(st);
	return (now_s() - start) * 1000;
}

static long long sum_of(const json_t *rows, const char *name)
{
	long long n = 0;
	size_t i;
	const json_t *row;
	json_array_foreach(rows, i, row) n += json_integer_value(json_object_get(row, name));
	return n;
}

static double report(struct store *s, int64_t from, int64_t to, struct day_totals *t, int *ret_rows)
{
	struct store_scope scope = {.tenant_id = 1, .role = ROLE_SUPERVISOR, .has_role = true};
	struct store_report_query q = {.from_ms = from, .to_ms = to, .by = STORE_REPORT_INTERVAL};
	json_t *rows = NULL;
	double start = now_s();
	if (store_report_summary(s, &scope, &q, &rows) < 0) {
		fprintf(stderr, "bench-reports: %s\n", store_errmsg(s));
		exit(1);
	}
	double ms = (now_s() - start) * 1000;
	*t = (struct day_totals){sum_of(rows, "offered"), sum_of(rows, "answered"), sum_of(rows, "answered_within"),
		sum_of(rows, "abandoned"), sum_of(rows, "handled"), sum_of(rows, "handle_ms")};
	*ret_rows = (int)json_array_size(rows);
	json_decref(rows);
	return ms;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-reports DIR [CONTACTS]\n");
		return 2;
	}
	long long contacts = argc > 2 ? atoll(argv[2]) : 10000000;
	char path[4096];
	snprintf(path, sizeof(path), "%s/reports.db", argv[1]);
	struct store *s = NULL;
	int64_t tenant = 0;
	if (store_open(path, STORE_READ_WRITE, &s) < 0 || store_tenant_create(s, "bench", NULL, &tenant) < 0 || tenant != 1) {
		fprintf(stderr, "bench-reports: cannot make the database: %s\n", s ? store_errmsg(s) : "");
		return 1;
	}
	store_free(s);
	double start = now_s();
	generate(path, contacts);
	double gen_s = now_s() - start;

	int64_t from = T0 + 14 * DAY_MS, to = from + DAY_MS; /* a day in the middle */
	if (store_open(path, STORE_READ_ONLY, &s) < 0) {
		fprintf(stderr, "bench-reports: cannot open the store\n");
		return 1;
	}
	sqlite3 *db;
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	struct day_totals rt, ft;
	int report_rows = 0, ref_rows = 0;
	double runs[REPORT_RUNS], refs[REFERENCE_RUNS];
	report(s, from, to, &rt, &report_rows); /* warm both caches alike */
	reference(db, from, to, &ft, &ref_rows);
	for (int i = 0; i < REPORT_RUNS; i++)
		runs[i] = report(s, from, to, &rt, &report_rows);
	for (int i = 0; i < REFERENCE_RUNS; i++)
		refs[i] = reference(db, from, to, &ft, &ref_rows);
	qsort(runs, REPORT_RUNS, sizeof(double), cmp);
	qsort(refs, REFERENCE_RUNS, sizeof(double), cmp);
	bool same = memcmp(&rt, &ft, sizeof(rt)) == 0 && report_rows == ref_rows;
	long long events = 0;
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "SELECT count(*) FROM routing_events", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		events = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	store_free(s);
	printf("history: %lld contacts, %lld routing events over %d days, made in %.0f s\n", contacts, events, DAYS, gen_s);
	printf("a day per half hour: %d intervals, %lld offered, %lld answered, %lld abandoned\n", report_rows, rt.offered,
	       rt.answered, rt.abandoned);
	printf("report (kept-current rows): median %.2f ms of %d runs\n", runs[REPORT_RUNS / 2], REPORT_RUNS);
	printf("reference (GROUP BY over the day's raw events): median %.1f ms of %d runs\n", refs[REFERENCE_RUNS / 2],
	       REFERENCE_RUNS);
	printf("same figures: %s\n", same ? "yes" : "NO");
	printf("{\"contacts\":%lld,\"events\":%lld,\"generate_s\":%.0f,\"day_offered\":%lld,\"report_ms\":%.2f,"
	       "\"reference_ms\":%.1f,\"same_figures\":%s}\n", contacts, events, gen_s, rt.offered, runs[REPORT_RUNS / 2],
	       refs[REFERENCE_RUNS / 2], same ? "true" : "false");
	return same ? 0 : 1;
}
