/* GET /api/v1/reports/reasons, /satisfaction and /knowledge: the reports
 * folded from the contacts' events (store/report_contacts.c), read from
 * their per half-hour rows, never from the contacts.
 *
 * The span is from= and to= (query_span: dates or times in the tenant's
 * zone, the last 30 days by default, at most 400). An outsourcer's
 * supervisor sees the rows of its organisation's people only, as in the
 * summary: resolutions by its agents, ratings of contacts its agents
 * answered, knowledge used by its agents.
 *
 * reasons   by=day|week (local days; a week starts on Monday): one row per
 *           period, reason and disposition, and the totals per period, per
 *           reason and per disposition, largest first
 * satisfaction  by=queue|agent|organisation|channel: ratings, their sum,
 *           average and count per score (1 to 5), with the totals
 * knowledge every item used: resolved (the customer did not come back for
 *           the same reason within 7 days), failed (said not resolved, or
 *           came back), the rate; and the limit= items that resolve most
 *           and that fail most; beside them the help centre's answers
 *           (solved, not solved), with their own two rankings, for the
 *           brand only */
#include "daemon/handlers.h"
#include "guichet/calendar.h"
#include "guichet/error.h"
#include "guichet/tz.h"

#include <stdlib.h>
#include <string.h>

#define REPORT_DEFAULT_DAYS 30
#define REPORT_MAX_DAYS 400

/* The span, the queue and who may see what, common to the three reports. */
static int report_query(struct request *r, struct store *db, struct store_report_query *q)
{
	int rc;
	*q = (struct store_report_query){0};
	if ((rc = query_span(r, db, REPORT_DEFAULT_DAYS, REPORT_MAX_DAYS, &q->from_ms, &q->to_ms)) < 0 ||
	    (rc = query_int(r, "queue", 1, INT64_MAX, 0, &q->queue_id)) < 0)
		return rc;
	if (q->queue_id) { /* another tenant's queue: not found, as everywhere */
		json_t *queue = NULL;
		if ((rc = store_queue_get(db, &r->scope, q->queue_id, &queue)) < 0)
			return reply_store_error(r, db, rc, "queue");
		json_decref(queue);
	}
	if ((rc = store_report_viewer_organisation(db, &r->scope, &q->organisation_id)) < 0)
		return reply_store_error(r, db, rc, NULL);
	return GC_OK;
}

static json_t *answer_of(const struct store_report_query *q)
{
	json_t *a = json_object();
	report_span(a, q->from_ms, q->to_ms);
	json_object_set_new(a, "queue_id", q->queue_id ? json_integer(q->queue_id) : json_null());
	json_object_set_new(a, "organisation_id", q->organisation_id ? json_integer(q->organisation_id) : json_null());
	return a;
}

static json_t *ratio(json_int_t num, json_int_t den)
{
	return den ? json_real((double)num / (double)den) : json_null();
}

/* --- reasons and dispositions over time --- */

static void count(json_t *counts, const char *key, json_int_t n)
{
	json_t *v = json_object_get(counts, key);
	json_object_set_new(counts, key, json_integer(json_integer_value(v) + n));
}

static int by_count(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "contacts"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "contacts"));
	return x < y ? 1 : x > y ? -1 : 0;
}

/* {key: n} as [{name: key, "contacts": n, "share"}], largest first. */
static json_t *ranked(const json_t *counts, const char *name, json_int_t total)
{
	size_t n = json_object_size(counts), i = 0;
	json_t **items = calloc(n ? n : 1, sizeof(*items)), *out = json_array();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)counts, key, v) items[i++] = json_pack("{s:s,s:O,s:o}", name, key, "contacts", v,
									     "share", ratio(json_integer_value(v), total));
	qsort(items, n, sizeof(*items), by_count);
	for (i = 0; i < n; i++)
		json_array_append_new(out, items[i]);
	free(items);
	return out;
}

/* The local date (week: its Monday) a half hour starts on, as YYYY-MM-DD. */
static int period_of(const char *zone, int64_t start_ms, bool week, char label[CALENDAR_DATE_LEN])
{
	struct gc_local_time lt;
	int rc = gc_tz_local(zone, start_ms, &lt);
	if (rc < 0)
		return rc;
	int32_t day = calendar_day_number(lt.year, lt.month, lt.day);
	if (week)
		day -= (lt.wday + 6) % 7;
	calendar_date_format(day, label);
	return GC_OK;
}

static int cmp_rows(const void *a, const void *b)
{
	static const char *const keys[] = {"period", "reason", "disposition"};
	for (int k = 0; k < 3; k++) {
		int c = strcmp(json_string_value(json_object_get(*(json_t *const *)a, keys[k])),
			       json_string_value(json_object_get(*(json_t *const *)b, keys[k])));
		if (c)
			return c;
	}
	return 0;
}

/* The half hours' rows summed per period, reason and disposition. */
static int reasons_fold(const char *zone, bool week, const json_t *slots, json_t *a)
{
	json_t *cells = json_object(), *periods = json_object(), *reasons = json_object(), *dispositions = json_object();
	json_int_t total = 0;
	size_t i;
	const json_t *row;
	int rc = GC_OK;
	json_array_foreach(slots, i, row) {
		char label[CALENDAR_DATE_LEN], key[600];
		if ((rc = period_of(zone, json_integer_value(json_object_get(row, "start_ms")), week, label)) < 0)
			break;
		const char *reason = json_string_value(json_object_get(row, "reason"));
		const char *disposition = json_string_value(json_object_get(row, "disposition"));
		json_int_t n = json_integer_value(json_object_get(row, "contacts"));
		snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", label, reason, disposition);
		count(cells, key, n);
		count(periods, label, n);
		count(reasons, reason, n);
		count(dispositions, disposition, n);
		total += n;
	}
	size_t n = json_object_size(cells), k = 0;
	json_t **rows = calloc(n ? n : 1, sizeof(*rows)), *out = json_array(), *v;
	const char *key;
	json_object_foreach(cells, key, v) {
		const char *r1 = strchr(key, '\x1f'), *r2 = strchr(r1 + 1, '\x1f');
		rows[k++] = json_pack("{s:s%,s:s%,s:s,s:O}", "period", key, (size_t)(r1 - key), "reason", r1 + 1,
				      (size_t)(r2 - r1 - 1), "disposition", r2 + 1, "contacts", v);
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	for (k = 0; k < n; k++)
		json_array_append_new(out, rows[k]);
	free(rows);
	json_t *per = json_array();
	json_object_foreach(periods, key, v) json_array_append_new(per, json_pack("{s:s,s:O}", "period", key,
										    "contacts", v));
	json_object_set_new(a, "rows", out);
	json_object_set_new(a, "periods", per); /* in time order: the slots came in time order */
	json_object_set_new(a, "reasons", ranked(reasons, "reason", total));
	json_object_set_new(a, "dispositions", ranked(dispositions, "disposition", total));
	json_object_set_new(a, "total", json_integer(total));
	json_decref(cells);
	json_decref(periods);
	json_decref(reasons);
	json_decref(dispositions);
	return rc;
}

/* Each ranked disposition's label among the tenant's codes (null for a
 * code no longer listed, or one of guichet's own, such as "abandoned"). */
static int label_dispositions(struct store *db, int64_t tenant_id, json_t *ranked)
{
	json_t *codes = NULL, *d, *c;
	int rc = store_dispositions_get(db, tenant_id, &codes);
	if (rc < 0)
		return rc;
	size_t i, j;
	json_array_foreach(ranked, i, d) {
		const char *code = json_string_value(json_object_get(d, "disposition")), *label = NULL;
		json_array_foreach(codes, j, c) if (strcmp(json_string_value(json_object_get(c, "code")), code) == 0)
			label = json_string_value(json_object_get(c, "label"));
		json_object_set_new(d, "label", label ? json_string(label) : json_null());
	}
	json_decref(codes);
	return GC_OK;
}

int run_report_reasons(struct request *r, struct store *db)
{
	const char *by = query_get(r, "by");
	if (by && strcmp(by, "day") != 0 && strcmp(by, "week") != 0)
		return reply_error(r, 400, "invalid", "by", "'by' is day or week");
	bool week = by && strcmp(by, "week") == 0;
	struct store_report_query q;
	char zone[GC_TZ_NAME_MAX];
	int rc = report_query(r, db, &q);
	if (rc < 0)
		return rc;
	json_t *slots = NULL;
	if ((rc = store_tenant_zone(db, r->scope.tenant_id, zone)) == GC_OK)
		rc = store_report_reasons(db, &r->scope, &q, &slots);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	json_t *a = answer_of(&q);
	json_object_set_new(a, "by", json_string(week ? "week" : "day"));
	json_object_set_new(a, "zone", json_string(zone));
	rc = reasons_fold(zone, week, slots, a);
	json_decref(slots);
	if (rc < 0) {
		json_decref(a);
		return reply_error(r, 500, "internal", NULL, "the tenant's time zone cannot be read");
	}
	if ((rc = label_dispositions(db, r->scope.tenant_id, json_object_get(a, "dispositions"))) < 0) {
		json_decref(a);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 200, a);
}

/* --- satisfaction --- */

static const char *const sat_by[] = {[STORE_REPORT_QUEUE] = "queue", [STORE_REPORT_AGENT] = "agent",
	[STORE_REPORT_ORGANISATION] = "organisation", [STORE_REPORT_CHANNEL] = "channel"};
static const char *const sat_sums[] = {"rated", "score_sum", "score_1", "score_2", "score_3", "score_4", "score_5"};

static void sat_derive(json_t *row)
{
	json_int_t rated = json_integer_value(json_object_get(row, "rated"));
	json_int_t sum = json_integer_value(json_object_get(row, "score_sum"));
	json_int_t good = json_integer_value(json_object_get(row, "score_4")) +
			  json_integer_value(json_object_get(row, "score_5"));
	json_object_set_new(row, "average", ratio(sum, rated));
	json_object_set_new(row, "satisfied_share", ratio(good, rated)); /* 4 or 5 of 5 */
}

int run_report_satisfaction(struct request *r, struct store *db)
{
	const char *by = query_get(r, "by");
	struct store_report_query q;
	int rc = report_query(r, db, &q);
	if (rc < 0)
		return rc;
	q.by = STORE_REPORT_QUEUE;
	if (by) {
		size_t i = STORE_REPORT_QUEUE;
		while (i <= STORE_REPORT_CHANNEL && strcmp(by, sat_by[i]) != 0)
			i++;
		if (i > STORE_REPORT_CHANNEL)
			return reply_error(r, 400, "invalid", "by", "'by' is queue, agent, organisation or channel");
		q.by = (enum store_report_by)i;
	}
	json_t *rows = NULL;
	if ((rc = store_report_satisfaction(db, &r->scope, &q, &rows)) < 0)
		return reply_store_error(r, db, rc, NULL);
	json_t *totals = json_object();
	for (size_t k = 0; k < sizeof(sat_sums) / sizeof(sat_sums[0]); k++) {
		json_int_t n = 0;
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row) n += json_integer_value(json_object_get(row, sat_sums[k]));
		json_object_set_new(totals, sat_sums[k], json_integer(n));
	}
	sat_derive(totals);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) sat_derive(row);
	json_t *a = answer_of(&q);
	json_object_set_new(a, "by", json_string(sat_by[q.by]));
	json_object_set_new(a, "totals", totals);
	json_object_set_new(a, "rows", rows);
	return reply(r, 200, a);
}

/* --- knowledge items --- */

/* Largest field first, then by item id. */
static int by_field(const json_t *x, const json_t *y, const char *field)
{
	json_int_t p = json_integer_value(json_object_get(x, field)), q = json_integer_value(json_object_get(y, field));
	if (p != q)
		return p < q ? 1 : -1;
	json_int_t i = json_integer_value(json_object_get(x, "item_id")), j = json_integer_value(json_object_get(y, "item_id"));
	return i < j ? -1 : i > j;
}

#define BY(name, field)                                                                                               \
	static int name(const void *a, const void *b)                                                                  \
	{                                                                                                              \
		return by_field(*(json_t *const *)a, *(json_t *const *)b, field);                                      \
	}
BY(by_resolved, "resolved")
BY(by_failed, "failed")
BY(by_solved, "self_service_solved")
BY(by_unsolved, "self_service_unsolved")

/* The first limit items of rows in cmp's order that have some of field. */
static json_t *top(const json_t *rows, int (*cmp)(const void *, const void *), const char *field, int64_t limit)
{
	size_t n = json_array_size(rows);
	json_t **items = calloc(n ? n : 1, sizeof(*items)), *out = json_array();
	for (size_t i = 0; i < n; i++)
		items[i] = json_array_get(rows, i);
	qsort(items, n, sizeof(*items), cmp);
	for (size_t i = 0; i < n && (int64_t)json_array_size(out) < limit; i++)
		if (json_integer_value(json_object_get(items[i], field)) > 0)
			json_array_append(out, items[i]);
	free(items);
	return out;
}

int run_report_knowledge(struct request *r, struct store *db)
{
	struct store_report_query q;
	int64_t limit = 10;
	int rc = report_query(r, db, &q);
	if (rc < 0 || (rc = query_int(r, "limit", 1, 100, 10, &limit)) < 0)
		return rc;
	json_t *rows = NULL;
	if ((rc = store_report_knowledge(db, &r->scope, &q, &rows)) < 0)
		return reply_store_error(r, db, rc, NULL);
	size_t i;
	json_t *row;
	json_int_t all_resolved = 0, all_failed = 0, all_solved = 0, all_unsolved = 0;
	json_array_foreach(rows, i, row) {
		json_int_t solved = json_integer_value(json_object_get(row, "self_service_solved"));
		json_int_t unsolved = json_integer_value(json_object_get(row, "self_service_unsolved"));
		json_object_set_new(row, "self_service_rate", ratio(solved, solved + unsolved));
		all_solved += solved;
		all_unsolved += unsolved;
		json_int_t said_yes = json_integer_value(json_object_get(row, "resolved"));
		json_int_t no = json_integer_value(json_object_get(row, "said_no"));
		json_int_t again = json_integer_value(json_object_get(row, "repeated"));
		json_object_set_new(row, "said_resolved", json_integer(said_yes));
		json_object_set_new(row, "resolved", json_integer(said_yes - again));
		json_object_set_new(row, "failed", json_integer(no + again));
		json_object_set_new(row, "uses", json_integer(said_yes + no));
		json_object_set_new(row, "resolution_rate", ratio(said_yes - again, said_yes + no));
		all_resolved += said_yes - again;
		all_failed += no + again;
	}
	json_t *a = answer_of(&q);
	json_object_set_new(a, "totals", json_pack("{s:I,s:I,s:o,s:I,s:I,s:o}", "resolved", all_resolved, "failed",
						   all_failed, "resolution_rate", ratio(all_resolved, all_resolved + all_failed),
						   "self_service_solved", all_solved, "self_service_unsolved", all_unsolved,
						   "self_service_rate", ratio(all_solved, all_solved + all_unsolved)));
	json_object_set_new(a, "resolve_most", top(rows, by_resolved, "resolved", limit));
	json_object_set_new(a, "fail_most", top(rows, by_failed, "failed", limit));
	json_object_set_new(a, "self_service_solve_most", top(rows, by_solved, "self_service_solved", limit));
	json_object_set_new(a, "self_service_fail_most", top(rows, by_unsolved, "self_service_unsolved", limit));
	json_object_set_new(a, "rows", rows);
	return reply(r, 200, a);
}
