/* Staffing questions through the API: POST /api/v1/wfm/erlang-c, /staff,
 * /erlang-a. Pure computation: no store access, answered on the worker. */
#include "daemon/handlers.h"

#include <stdio.h>
#include "guichet/error.h"
#include "guichet/text.h"
#include "wfm/answer.h"
#include "wfm/history.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/tz.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int answer(struct request *r, enum wfm_question q)
{
	struct wfm_input in;
	struct decode_error err = {0};
	if (wfm_input_decode(r->body, q, &in, &err) < 0)
		return reply_decode_error(r, &err);
	json_t *out = NULL;
	if (wfm_answer(q, &in, &out) < 0)
		return reply_error(r, 422, "too_large", NULL,
				   "beyond what can be computed: more than 100,000 agents, or a queue too long");
	return reply(r, 200, out);
}

int run_wfm_erlang_c(struct request *r, struct store *db)
{
	return answer(r, WFM_Q_ERLANG_C);
}

int run_wfm_staff(struct request *r, struct store *db)
{
	return answer(r, WFM_Q_STAFF);
}

int run_wfm_erlang_a(struct request *r, struct store *db)
{
	return answer(r, WFM_Q_ERLANG_A);
}

/* A query parameter as a number in [min, max] (min excluded when strict). */
static bool query_number(struct request *r, const char *name, double min, bool strict, double max,
			 double def, double *ret)
{
	const char *text = query_get(r, name);
	if (text == NULL) {
		*ret = def;
		return true;
	}
	if (gc_parse_number(text, min, strict, max, ret) == GC_OK)
		return true;
	reply_error(r, 400, "invalid", name, "'%s' must be %s %g and at most %g", name,
		    strict ? "above" : "at least", min, max);
	return false;
}

/* The goal of a plan from the query, its CSV body staffed row by row
 * (POST /wfm/plan and /wfm/overflow). Replies itself on an error. */
static int staff_body(struct request *r, struct wfm_plan_goal *g, struct wfm_plan_row **ret_rows,
		      struct wfm_plan_result **ret_res, size_t *ret_n)
{
	const char *sl = query_get(r, "sl");
	double asked;
	if (sl && gc_parse_number(sl, 0, true, 1e300, &asked) == GC_OK && asked > WFM_SL_MAX)
		return reply_error(r, 400, "invalid", "sl", WFM_SL_SAID, asked);
	if (!query_number(r, "interval", 0, true, 86400, 1800, &g->interval) ||
	    !query_number(r, "sl", 0, true, WFM_SL_MAX, 0.8, &g->goal.service_level) ||
	    !query_number(r, "target", 0, false, 86400, 20, &g->goal.target) ||
	    !query_number(r, "shrinkage", 0, false, 0.95, 0, &g->goal.shrinkage) ||
	    !query_number(r, "max_asa", 0, false, 86400, 0, &g->goal.max_asa) ||
	    !query_number(r, "max_occupancy", 0, false, 1, 0, &g->goal.max_occupancy) ||
	    !query_number(r, "max_abandon", 0, false, 1, 0, &g->max_abandon))
		return GC_EINVAL;
	struct wfm_plan_row *rows = NULL;
	size_t n = 0;
	struct decode_error err = {0};
	if (wfm_plan_parse(r->raw, r->raw_len, &rows, &n, &err) < 0)
		return reply_error(r, 422, "invalid", err.field, "%s", err.message);
	int checked = wfm_plan_check_interval(rows, n, g->interval, &err);
	if (checked < 0) {
		free(rows);
		return checked == GC_ENOMEM ? reply_error(r, 503, "out_of_memory", NULL, "out of memory")
					    : reply_error(r, 422, "invalid", err.field, "%s", err.message);
	}
	struct wfm_plan_result *res = calloc(n ? n : 1, sizeof(*res));
	int rc = res ? GC_OK : reply_error(r, 503, "out_of_memory", NULL, "out of memory");
	for (size_t i = 0; rc == GC_OK && i < n; i++) {
		if (wfm_plan_staff(&rows[i], g, &res[i]) < 0) {
			char line[32];
			snprintf(line, sizeof(line), "line %zu", rows[i].line);
			rc = reply_error(r, 422, "too_large", line, "beyond 100,000 agents or 50,000 Erlangs");
		}
	}
	if (rc < 0) {
		free(res);
		free(rows);
		return rc;
	}
	*ret_rows = rows;
	*ret_res = res;
	*ret_n = n;
	return GC_OK;
}

int run_wfm_plan(struct request *r, struct store *db)
{
	struct wfm_plan_goal g;
	struct wfm_plan_row *rows;
	struct wfm_plan_result *res;
	size_t n;
	int rc = staff_body(r, &g, &rows, &res, &n);
	if (rc < 0)
		return rc;
	reply(r, 200, wfm_plan_answer(rows, res, n, g.interval));
	free(res);
	free(rows);
	return GC_OK;
}

/* POST /api/v1/wfm/overflow?price=P&inhouse=N and the plan's goal: the
 * positions to buy from an outsourcer per interval, as guichet wfm overflow. */
int run_wfm_overflow(struct request *r, struct store *db)
{
	double inhouse, price;
	if (query_get(r, "price") == NULL)
		return reply_error(r, 400, "invalid", "price", "'price' is required: what one position costs for one hour");
	if (!query_number(r, "price", 0, false, 1e6, 0, &price) ||
	    !query_number(r, "inhouse", 0, false, WFM_MAX_AGENTS, 0, &inhouse))
		return GC_EINVAL;
	struct wfm_plan_goal g;
	struct wfm_plan_row *rows;
	struct wfm_plan_result *res;
	size_t n;
	int rc = staff_body(r, &g, &rows, &res, &n);
	if (rc < 0)
		return rc;
	reply(r, 200, wfm_overflow_answer(rows, res, n, &g, inhouse, price));
	free(res);
	free(rows);
	return GC_OK;
}

/* The UTC instants of the local midnight days before today's in zone and
 * of today's (or, with today, of tomorrow's: the day so far too), and the
 * span's last whole day. */
static int history_span(const char *zone, int64_t now, int days, bool today, int64_t *ret_since, int64_t *ret_until,
			int64_t *ret_last_day)
{
	struct gc_local_time date;
	int64_t start, end;
	int rc = gc_tz_day(zone, now, &date, &start, &end);
	if (rc < 0)
		return rc;
	*ret_until = today ? end : start;
	/* the last whole day, as a day number; none with today (it is not over) */
	*ret_last_day = today ? -1 : calendar_day_number(date.year, date.month, date.day) - 1;
	date.day -= days; /* gc_tz_utc is lenient: day 0 is the last of the month before */
	return gc_tz_utc(zone, &date, ret_since);
}

static int gcd(int a, int b)
{
	return b == 0 ? a : gcd(b, a % b);
}

/* rows' pairs [UTC ms, count] (count: element k of each row) labelled on
 * zone's clock in intervals of interval seconds (wfm_history_localize). */
static int localize_rows(const char *zone, const json_t *rows, const char *at, const char *count, int interval,
			 struct wfm_local_count **ret, size_t *ret_n)
{
	size_t n = json_array_size(rows);
	int64_t (*utc)[2] = malloc((n ? n : 1) * sizeof(*utc));
	if (utc == NULL)
		return GC_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *row = json_array_get(rows, i);
		if (at == NULL) {
			utc[i][0] = json_integer_value(json_array_get(row, 0));
			utc[i][1] = json_integer_value(json_array_get(row, 1));
		} else if (gc_time_parse(json_string_value(json_object_get(row, at)), &utc[i][0]) < 0) {
			free(utc);
			return GC_EINVAL;
		} else {
			utc[i][1] = json_integer_value(json_object_get(row, count));
		}
	}
	int rc = wfm_history_localize(zone, (const int64_t (*)[2])utc, n, interval, ret, ret_n);
	free(utc);
	return rc;
}

/* The CSV of the counts, labelled on the zone's clock, with each
 * interval's AHT from the handle times the reports' half hours hold (an
 * interval shorter than half an hour takes its half hour's; blank where
 * none was measured). */
static int history_csv(const char *zone, const json_t *counts, const json_t *halves, int interval,
		       int64_t last_day, char **ret)
{
	struct wfm_local_count *local = NULL, *handled = NULL, *handle_ms = NULL;
	size_t n_local = 0, n_handled = 0, n_handle = 0;
	int per = interval >= 1800 ? interval : 1800;
	int rc = localize_rows(zone, counts, NULL, NULL, interval, &local, &n_local);
	if (rc == GC_OK)
		rc = localize_rows(zone, halves, "start", "handled", per, &handled, &n_handled);
	if (rc == GC_OK)
		rc = localize_rows(zone, halves, "start", "handle_ms", per, &handle_ms, &n_handle);
	size_t cap = 32 + (n_local + 2) * 48, len = 0;
	char *csv = rc == GC_OK ? malloc(cap) : NULL;
	if (rc == GC_OK && csv == NULL)
		rc = GC_ENOMEM;
	if (rc == GC_OK) {
		len += (size_t)snprintf(csv, cap, "interval_start,calls,aht\n");
		char when[32];
		for (size_t i = 0; i < n_local; i++) {
			char aht[32] = "";
			struct wfm_local_count key = {local[i].day, local[i].seconds / per * per, 0};
			const struct wfm_local_count *h = bsearch(&key, handled, n_handled, sizeof(key), wfm_local_count_order);
			/* the same half hours, so the same labels at the same places */
			if (h && h->calls > 0 && n_handle == n_handled)
				snprintf(aht, sizeof(aht), "%.1f", (double)handle_ms[h - handled].calls / 1000.0 / (double)h->calls);
			wfm_datetime_format(local[i].day, local[i].seconds, when, sizeof(when));
			len += (size_t)snprintf(csv + len, cap - len, "%s,%lld,%s\n", when, (long long)local[i].calls, aht);
		}
		/* the last whole day's last interval is always there (0 calls when
		 * none came), so that a reader of the file knows where it ends: a
		 * forecast from a history ending on a closed Sunday starts on Monday.
		 * (It starts at the first contact: weeks before a new brand's first
		 * one are no weeks without calls.) */
		int last = 86400 - interval;
		if (last_day >= 0 && (n_local == 0 || local[n_local - 1].day != last_day || local[n_local - 1].seconds != last)) {
			wfm_datetime_format(last_day, last, when, sizeof(when));
			len += (size_t)snprintf(csv + len, cap - len, "%s,0,\n", when);
		}
		*ret = csv;
	}
	free(local);
	free(handled);
	free(handle_ms);
	return rc;
}

/* The tenant's contacts per interval as the CSV that guichet wfm forecast
 * and backtest read, on the tenant's clock (its calendar's zone): whole
 * days from local midnight to local midnight, the days before today (and
 * today so far with today), each of 86400 / interval wall-time intervals,
 * the hour a DST change skips without calls and the one it repeats counted
 * twice in its labels; with each interval's AHT from the handle times
 * measured then. Replies itself on an error (returned). */
static int tenant_history(struct request *r, struct store *db, int interval, int days, bool today, char **ret_csv)
{
	char zone[GC_TZ_NAME_MAX];
	int64_t since = 0, until = 0;
	json_t *counts = NULL, *halves = NULL;
	int64_t last_day = -1;
	int rc = store_tenant_zone(db, r->scope.tenant_id, zone);
	if (rc == GC_OK && history_span(zone, gc_now_ms(), days, today, &since, &until, &last_day) < 0) {
		snprintf(zone, sizeof(zone), "UTC"); /* a zone this ICU no longer knows: UTC days */
		rc = history_span(zone, gc_now_ms(), days, today, &since, &until, &last_day);
	}
	/* slots of UTC that fall whole in a local interval: every zone's offset is a whole quarter hour */
	if (rc == GC_OK)
		rc = store_contact_counts(db, &r->scope, since, until, gcd(interval, 900), &counts);
	struct store_report_query q = {.from_ms = since, .to_ms = until, .by = STORE_REPORT_INTERVAL};
	if (rc == GC_OK)
		rc = store_report_summary(db, &r->scope, &q, &halves);
	if (rc < 0) {
		json_decref(counts);
		return reply_store_error(r, db, rc, NULL);
	}
	rc = history_csv(zone, counts, halves, interval, last_day, ret_csv);
	json_decref(counts);
	json_decref(halves);
	if (rc < 0)
		return rc == GC_ENOMEM ? reply_error(r, 503, "out_of_memory", NULL, "out of memory")
				       : reply_error(r, 500, "internal", "zone", "the tenant's time zone cannot be read");
	return GC_OK;
}

/* The interval query parameter (dividing a day), default half an hour. */
static bool query_interval(struct request *r, double *ret)
{
	if (!query_number(r, "interval", 60, false, 86400, 1800, ret))
		return false;
	if (*ret == floor(*ret) && 86400 % (int)*ret == 0)
		return true;
	reply_error(r, 400, "invalid", "interval", "the interval must divide a day (900, 1800 ...)");
	return false;
}

/* GET /api/v1/wfm/history: tenant_history as text/csv. */
int run_wfm_history(struct request *r, struct store *db)
{
	double interval, days;
	int64_t today;
	int brand = brand_only(r, db, "the history is the brand's: every queue's contacts per interval");
	if (brand < 0)
		return brand;
	if (!query_interval(r, &interval) || !query_number(r, "days", 1, false, 1200, 84, &days) ||
	    query_int(r, "today", 0, 1, 0, &today) < 0)
		return GC_EINVAL;
	char *csv = NULL;
	int rc = tenant_history(r, db, (int)interval, (int)days, today, &csv);
	if (rc < 0)
		return rc;
	r->resp_text = csv;
	r->content_type = "text/csv";
	r->status = 200;
	return GC_OK;
}

/* Marks in h the tenant calendar's holidays and the dates of the query's
 * holidays (comma-separated): the forecast treats them as holidays, in
 * the history (kept out of the fit) and ahead (forecast as past holidays
 * were). The dates marked, in order, into *ret. Replies itself on an error. */
static int mark_holidays(struct request *r, struct store *db, struct wfm_history *h, json_t **ret)
{
	char *config = NULL;
	struct calendar cal;
	calendar_init_default(&cal);
	int rc = store_calendar_get(db, r->scope.tenant_id, &config);
	if (rc < 0 && rc != GC_ENOTFOUND) /* not found: a tenant without a calendar has no holiday */
		return reply_store_error(r, db, rc, NULL);
	if (config) {
		json_t *j = json_loads(config, 0, NULL);
		struct decode_error err = {0};
		if (j == NULL || calendar_decode(j, &cal, &err) < 0)
			calendar_init_default(&cal); /* a calendar written by an older version: none */
		json_decref(j);
		free(config);
	}
	for (uint32_t i = 0; i < cal.n_holidays; i++)
		if (cal.holidays[i] >= h->first_day && cal.holidays[i] < h->first_day + h->kind_days)
			h->kind[cal.holidays[i] - h->first_day] = WFM_DAY_HOLIDAY;
	const char *asked = query_get(r, "holidays");
	for (const char *p = asked; p && *p;) {
		size_t len = strcspn(p, ",");
		char date[16];
		int32_t day;
		snprintf(date, sizeof(date), "%.*s", (int)(len < sizeof(date) - 1 ? len : sizeof(date) - 1), p);
		if (len >= sizeof(date) || calendar_date_parse(date, &day) < 0)
			return reply_error(r, 400, "invalid", "holidays",
					   "'holidays' lists dates like 2026-12-25, separated by commas");
		if (day >= h->first_day && day < h->first_day + h->kind_days)
			h->kind[day - h->first_day] = WFM_DAY_HOLIDAY;
		p += len + (p[len] == ',');
	}
	*ret = json_array();
	for (int d = 0; d < h->kind_days; d++) {
		if (h->kind[d] != WFM_DAY_HOLIDAY)
			continue;
		char date[CALENDAR_DATE_LEN];
		calendar_date_format((int32_t)(h->first_day + d), date);
		json_array_append_new(*ret, json_string(date));
	}
	return GC_OK;
}

/* GET /api/v1/wfm/forecast: the tenant's own history (days before today)
 * forecast for the horizon_days after today, per interval (docs/wfm.md's
 * model), with the days screened out of the fit and the holidays used. */
int run_wfm_forecast(struct request *r, struct store *db)
{
	double interval, days, horizon;
	int brand = brand_only(r, db, "the forecast is the brand's: every queue's contacts per interval");
	if (brand < 0)
		return brand;
	if (!query_interval(r, &interval) || !query_number(r, "days", 14, false, 1200, 84, &days) ||
	    !query_number(r, "horizon_days", 1, false, 366, 14, &horizon))
		return GC_EINVAL;
	if (days != floor(days) || horizon != floor(horizon))
		return reply_error(r, 400, "invalid", days != floor(days) ? "days" : "horizon_days", "a whole number of days");
	char *csv = NULL;
	int rc = tenant_history(r, db, (int)interval, (int)days, false, &csv);
	if (rc < 0)
		return rc;
	struct wfm_history h;
	struct decode_error err = {0};
	rc = wfm_history_parse(csv, strlen(csv), (int)interval, (int)horizon, &h, &err);
	free(csv);
	if (rc < 0) /* guichet's own history: not the caller's mistake */
		return reply_error(r, 500, "internal", NULL, "the history could not be read: %s", err.message);
	json_t *holidays = NULL;
	rc = mark_holidays(r, db, &h, &holidays);
	size_t n = (size_t)horizon * (size_t)h.slots;
	double *calls = rc == GC_OK ? malloc(n * sizeof(double)) : NULL, *aht = calls ? malloc(n * sizeof(double)) : NULL;
	if (rc == GC_OK && aht == NULL)
		rc = reply_error(r, 503, "out_of_memory", NULL, "out of memory");
	int fitted = rc == GC_OK ? wfm_forecast(&h, h.days, (int)horizon, calls, aht) : GC_OK;
	if (fitted == GC_ENOMEM)
		rc = reply_error(r, 503, "out_of_memory", NULL, "out of memory");
	else if (fitted < 0)
		rc = reply_error(r, 422, "invalid", "days", "a forecast needs at least two weeks of history");
	if (rc == GC_OK)
		reply(r, 200, json_pack("{s:i,s:i,s:i,s:o,s:o,s:o}", "interval", (int)interval, "history_days", h.days,
					"horizon_days", (int)horizon, "holidays", holidays, "screened_days",
					wfm_screened_days_json(&h), "intervals",
					wfm_forecast_answer(&h, (int)horizon, (int)interval, calls, aht)));
	else
		json_decref(holidays);
	free(calls);
	free(aht);
	wfm_history_clear(&h);
	return rc;
}
