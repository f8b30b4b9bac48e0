/* Business hours and the same-day promise over HTTP: the tenant's business
 * calendar (GET, PUT /api/v1/calendar), the contacts whose first response is
 * overdue or nearly due (GET /api/v1/contacts/due), and the share answered
 * the same business day, per queue and local day (GET
 * /api/v1/reports/same-day). The arithmetic is calendar.h's; due times and
 * first responses are set by the core operations (ops.c). */
#include "daemon/handlers.h"
#include "daemon/ops.h"
#include "daemon/router.h"
#include "daemon/server.h"
#include "daemon/writer.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

#define DUE_MAX_WITHIN_S (30 * 86400)
#define DUE_MAX_LIMIT 1000
#define REPORT_MAX_DAYS 92

int run_calendar_get(struct request *r, struct store *db)
{
	struct calendar *c = malloc(sizeof(*c));
	struct ops_error err = {0};
	if (c == NULL)
		return reply_store_error(r, db, GC_ENOMEM, NULL);
	int rc = ops_calendar_load(db, r->scope.tenant_id, c, &err);
	json_t *answer = rc == GC_OK ? calendar_json(c) : NULL;
	free(c);
	return rc < 0 ? reply_ops_error(r, db, &err) : reply(r, 200, answer);
}

/* Decoded on the worker; r->work is the canonical calendar run stores. */
int prepare_calendar(struct request *r, struct store *db)
{
	struct calendar *c = malloc(sizeof(*c));
	struct decode_error err = {0};
	if (c == NULL)
		return reply_store_error(r, db, GC_ENOMEM, NULL);
	int rc = calendar_decode(r->body, c, &err);
	if (rc == GC_OK)
		r->work = calendar_json(c);
	free(c);
	if (rc == GC_ENOMEM)
		return reply_store_error(r, db, rc, NULL);
	return rc < 0 ? reply_decode_error(r, &err) : 0;
}

int run_calendar_put(struct request *r, struct store *db)
{
	char *text = json_dumps(r->work, JSON_COMPACT);
	if (text == NULL)
		return reply_store_error(r, db, GC_ENOMEM, NULL);
	int rc = store_calendar_put(db, &r->scope, text);
	free(text);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "calendar_changed", NULL, json_deep_copy(r->work));
	if (rc == GC_OK) /* the live counters' day and the queues' hours follow the new zone */
		router_set_zone(writer_router(r->worker->server->writer), r->scope.tenant_id,
				json_string_value(json_object_get(r->work, "zone")));
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_incref(r->work));
}

/* The queue named by the query parameter "queue", 0 when absent; answers
 * 400 for a bad id, 404 for a queue the tenant does not have. */
static int query_queue(struct request *r, struct store *db, int64_t *ret)
{
	int rc = query_int(r, "queue", 1, INT64_MAX, 0, ret);
	if (rc < 0 || *ret == 0)
		return rc;
	json_t *q = NULL;
	rc = store_queue_get(db, &r->scope, *ret, &q);
	json_decref(q);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "queue", "no queue %lld in this tenant", (long long)*ret);
	return rc < 0 ? reply_store_error(r, db, rc, "queue") : GC_OK;
}

int run_contacts_due(struct request *r, struct store *db)
{
	int64_t within = 0, limit = 0, queue = 0;
	int rc;
	if ((rc = query_int(r, "within", 0, DUE_MAX_WITHIN_S, 3600, &within)) < 0 ||
	    (rc = query_int(r, "limit", 1, DUE_MAX_LIMIT, 100, &limit)) < 0 || (rc = query_queue(r, db, &queue)) < 0)
		return rc;
	int64_t now = gc_now_ms();
	json_t *items = NULL;
	if ((rc = store_contacts_due(db, &r->scope, now, now + within * 1000, queue, (int)limit, &items)) < 0)
		return reply_store_error(r, db, rc, NULL);
	char at[GC_TIME_LEN];
	gc_time_format(now, at);
	return reply(r, 200, json_pack("{s:s,s:I,s:o}", "now", at, "within_s", (json_int_t)within, "items", items));
}

/* --- the same-day report --- */

struct counts {
	int64_t received, same_day, late, unanswered;
};

struct report {
	struct calendar_day *days;
	int n_days;
	struct queue_counts {
		int64_t queue_id;
		struct counts *by_day;  /* n_days */
	} *queues;
	size_t n_queues, cap_queues;
};

static struct counts *counts_of(struct report *rp, int64_t queue_id, int day)
{
	size_t i = 0;
	while (i < rp->n_queues && rp->queues[i].queue_id != queue_id)
		i++;
	if (i == rp->n_queues) {
		if (rp->n_queues == rp->cap_queues) {
			size_t cap = rp->cap_queues ? rp->cap_queues * 2 : 8;
			void *grown = realloc(rp->queues, cap * sizeof(*rp->queues));
			if (grown == NULL)
				return NULL;
			rp->queues = grown;
			rp->cap_queues = cap;
		}
		struct counts *by_day = calloc((size_t)rp->n_days, sizeof(*by_day));
		if (by_day == NULL)
			return NULL;
		rp->queues[rp->n_queues++] = (struct queue_counts){.queue_id = queue_id, .by_day = by_day};
	}
	return &rp->queues[i].by_day[day];
}

/* One contact: the end of the business day it arrived in decides. */
static int count_contact(void *arg, int64_t queue_id, int64_t created, int64_t answered)
{
	struct report *rp = arg;
	int lo = 0, hi = rp->n_days - 1;
	while (lo < hi) { /* the last day starting at or before created */
		int mid = (lo + hi + 1) / 2;
		if (rp->days[mid].start_ms <= created)
			lo = mid;
		else
			hi = mid - 1;
	}
	const struct calendar_day *d = &rp->days[lo];
	int64_t end = d->close_ms && created < d->close_ms ? d->close_ms : d->next_close_ms;
	struct counts *c = counts_of(rp, queue_id, lo);
	if (c == NULL)
		return GC_ENOMEM;
	c->received++;
	c->same_day += answered && answered < end;
	c->late += answered && answered >= end;
	c->unanswered += !answered;
	return GC_OK;
}

static json_t *counts_json(const struct counts *c)
{
	return json_pack("{s:I,s:I,s:o,s:I,s:I}", "received", (json_int_t)c->received, "answered_same_day",
			 (json_int_t)c->same_day, "share",
			 c->received ? json_real((double)c->same_day / (double)c->received) : json_null(),
			 "answered_late", (json_int_t)c->late, "unanswered", (json_int_t)c->unanswered);
}

static json_t *queue_name(const json_t *queues, int64_t id)
{
	size_t i;
	json_t *q;
	json_array_foreach(queues, i, q)
		if (json_integer_value(json_object_get(q, "id")) == id)
			return json_incref(json_object_get(q, "name"));
	return json_null(); /* deleted since */
}

/* {"rows": [per queue and day with contacts], "queues": [per queue, the whole period]}. */
static json_t *report_json(const struct report *rp, const json_t *queues)
{
	json_t *rows = json_array(), *totals = json_array();
	for (size_t q = 0; q < rp->n_queues; q++) {
		struct counts sum = {0};
		int64_t id = rp->queues[q].queue_id;
		for (int d = 0; d < rp->n_days; d++) {
			const struct counts *c = &rp->queues[q].by_day[d];
			if (c->received == 0)
				continue;
			char day[CALENDAR_DATE_LEN];
			calendar_date_format(rp->days[d].day, day);
			json_t *row = counts_json(c);
			json_object_set_new(row, "queue_id", json_integer(id));
			json_object_set_new(row, "queue", queue_name(queues, id));
			json_object_set_new(row, "day", json_string(day));
			json_array_append_new(rows, row);
			sum.received += c->received;
			sum.same_day += c->same_day;
			sum.late += c->late;
			sum.unanswered += c->unanswered;
		}
		json_t *total = counts_json(&sum);
		json_object_set_new(total, "queue_id", json_integer(id));
		json_object_set_new(total, "queue", queue_name(queues, id));
		json_array_append_new(totals, total);
	}
	return json_pack("{s:o,s:o}", "rows", rows, "queues", totals);
}

/* from and to (dates, to not before from, at most REPORT_MAX_DAYS days). */
static int report_dates(struct request *r, int32_t *ret_from, int32_t *ret_to)
{
	const char *from = query_get(r, "from"), *to = query_get(r, "to");
	if (from == NULL || calendar_date_parse(from, ret_from) < 0)
		return reply_error(r, 400, "invalid", "from", "'from' is a date YYYY-MM-DD");
	if (to == NULL || calendar_date_parse(to, ret_to) < 0)
		return reply_error(r, 400, "invalid", "to", "'to' is a date YYYY-MM-DD");
	if (*ret_to < *ret_from || *ret_to - *ret_from >= REPORT_MAX_DAYS)
		return reply_error(r, 400, "invalid", "to", "'to' is from 'from' to %d days after it", REPORT_MAX_DAYS - 1);
	return GC_OK;
}

static void report_clear(struct report *rp)
{
	for (size_t i = 0; i < rp->n_queues; i++)
		free(rp->queues[i].by_day);
	free(rp->queues);
	free(rp->days);
}

int same_day_report(struct store *db, const struct store_scope *scope, int32_t from, int32_t to, int64_t queue,
		    json_t **ret_answer, struct ops_error *err)
{
	struct report rp = {.n_days = to - from + 1};
	struct calendar *cal = malloc(sizeof(*cal));
	json_t *queues = NULL;
	int rc = GC_OK;
	*ret_answer = NULL;
	rp.days = calloc((size_t)rp.n_days, sizeof(*rp.days));
	if (cal == NULL || rp.days == NULL)
		rc = GC_ENOMEM;
	else if ((rc = ops_calendar_load(db, scope->tenant_id, cal, err)) < 0)
		goto out;
	for (int d = 0; rc == GC_OK && d < rp.n_days; d++)
		rc = calendar_day_get(cal, from + d, &rp.days[d]);
	if (rc == GC_OK)
		rc = store_contacts_received(db, scope, rp.days[0].start_ms, rp.days[rp.n_days - 1].end_ms, queue,
					     count_contact, &rp);
	if (rc == GC_OK)
		rc = store_queue_list(db, scope, &queues);
	if (rc == GC_OK) {
		*ret_answer = report_json(&rp, queues);
		char a[CALENDAR_DATE_LEN], b[CALENDAR_DATE_LEN];
		calendar_date_format(from, a);
		calendar_date_format(to, b);
		json_object_set_new(*ret_answer, "from", json_string(a));
		json_object_set_new(*ret_answer, "to", json_string(b));
		json_object_set_new(*ret_answer, "zone", json_string(cal->zone));
	}
	if (rc < 0)
		*err = (struct ops_error){.rc = rc};
out:
	json_decref(queues);
	report_clear(&rp);
	free(cal);
	return rc;
}

int run_report_same_day(struct request *r, struct store *db)
{
	int32_t from = 0, to = 0;
	int64_t queue = 0;
	int rc;
	if ((rc = brand_only(r, db, "the same-day report is the brand's: every queue's whole days")) < 0 ||
	    (rc = report_dates(r, &from, &to)) < 0 || (rc = query_queue(r, db, &queue)) < 0)
		return rc;
	struct ops_error err = {0};
	json_t *answer = NULL;
	if (same_day_report(db, &r->scope, from, to, queue, &answer, &err) < 0)
		return reply_ops_error(r, db, &err);
	return reply(r, 200, answer);
}
