/* The accessibility barometer (GET /api/v1/reports/barometer?month=
 * YYYY-MM): a tenant's month on its own contacts, beside the figures a
 * published barometer of 262 merchant sites found: the share of calls
 * answered within 30 seconds (56% of the sites did), of calls that waited
 * more than 2 minutes (about 1 in 5 there), of emails answered the same
 * business day (a third), and whether the help centre shows a way to reach
 * a person (9% of the sites showed none). Calls and chats come from the
 * reports' rows (store/report.c: answered_30s, waited_over_2min, counted as
 * the events are written), emails from the same-day report, the help
 * centre from its settings. The brand's figures: an outsourcer's staff get
 * 403. */
#include "daemon/handlers.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define BAROMETER_ANSWERED_30S 0.56
#define BAROMETER_WAITED_2MIN 0.20
#define BAROMETER_EMAIL_SAME_DAY (1.0 / 3.0)
#define BAROMETER_SHOWS_A_PERSON 0.91

static json_t *share(int64_t part, int64_t whole)
{
	return whole > 0 ? json_real((double)part / (double)whole) : json_null();
}

/* One channel's waits: those answered within 30 s and those that waited
 * over 2 minutes among the contacts that ended their wait (answered or
 * abandoned). */
static json_t *channel_json(const json_t *row)
{
	int64_t answered = json_integer_value(json_object_get(row, "answered"));
	int64_t abandoned = json_integer_value(json_object_get(row, "abandoned"));
	int64_t fast = json_integer_value(json_object_get(row, "answered_30s"));
	int64_t slow = json_integer_value(json_object_get(row, "waited_over_2min"));
	return json_pack("{s:O,s:I,s:I,s:I,s:I,s:o,s:o}", "channel", json_object_get(row, "channel"), "answered",
			 (json_int_t)answered, "abandoned", (json_int_t)abandoned, "answered_30s", (json_int_t)fast,
			 "waited_over_2min", (json_int_t)slow, "answered_30s_share", share(fast, answered + abandoned),
			 "waited_over_2min_share", share(slow, answered + abandoned));
}

/* Emails received in the month and answered the same business day: the
 * same-day report's totals of the email queues. */
static int email_same_day(struct store *db, const struct store_scope *scope, int32_t first, int32_t last, json_t **ret)
{
	json_t *report = NULL, *queues = NULL;
	struct ops_error err = {0};
	if (same_day_report(db, scope, first, last, 0, &report, &err) < 0)
		return err.rc < 0 ? err.rc : GC_ESTORE;
	int rc = store_queue_list(db, scope, &queues);
	if (rc < 0) {
		json_decref(report);
		return rc;
	}
	int64_t received = 0, same_day = 0;
	size_t i, j;
	json_t *t, *q;
	json_array_foreach(json_object_get(report, "queues"), i, t)
		json_array_foreach(queues, j, q)
			if (json_integer_value(json_object_get(q, "id")) == json_integer_value(json_object_get(t, "queue_id")) &&
			    strcmp(json_string_value(json_object_get(q, "channel")) ?: "", "email") == 0) {
				received += json_integer_value(json_object_get(t, "received"));
				same_day += json_integer_value(json_object_get(t, "answered_same_day"));
			}
	json_decref(report);
	json_decref(queues);
	*ret = json_pack("{s:I,s:I,s:o,s:f}", "received", (json_int_t)received, "answered_same_day", (json_int_t)same_day,
			 "share", share(same_day, received), "barometer", BAROMETER_EMAIL_SAME_DAY);
	return GC_OK;
}

/* Whether the help centre is open and shows a way to reach a person. */
static int help_centre(struct store *db, const struct store_scope *scope, json_t **ret)
{
	json_t *p = NULL;
	int rc = portal_settings(db, scope->tenant_id, &p);
	if (rc < 0)
		return rc;
	json_t *ways = json_array();
	static const char *const names[] = {"phone", "email", "chat_key"};
	for (size_t i = 0; i < 3; i++)
		if (json_string_value(json_object_get(p, names[i])))
			json_array_append_new(ways, json_string(i == 2 ? "chat" : names[i]));
	if (json_is_true(json_object_get(p, "callback")))
		json_array_append_new(ways, json_string("callback"));
	bool open = json_is_true(json_object_get(p, "enabled"));
	*ret = json_pack("{s:b,s:b,s:o,s:f}", "open", open, "shows_a_way_to_reach_a_person",
			 open && json_array_size(ways) > 0, "ways", ways, "barometer", BAROMETER_SHOWS_A_PERSON);
	json_decref(p);
	return GC_OK;
}

/* month: "YYYY-MM", the tenant's current month in its zone by default. */
/* The month asked for, or the tenant's current month in its zone. */
static bool month_query(struct request *r, struct store *db, int *ret_year, int *ret_month)
{
	const char *v = query_get(r, "month");
	if (v == NULL) {
		char zone[GC_TZ_NAME_MAX];
		struct gc_local_time lt;
		int rc = store_tenant_zone(db, r->scope.tenant_id, zone);
		if (rc == GC_OK)
			rc = gc_tz_local(zone, gc_now_ms(), &lt);
		if (rc < 0)
			return reply_store_error(r, db, rc, NULL), false;
		*ret_year = lt.year;
		*ret_month = lt.month;
		return true;
	}
	char extra;
	if (strlen(v) != 7 || sscanf(v, "%4d-%2d%c", ret_year, ret_month, &extra) != 2 || *ret_year < 1970 ||
	    *ret_year > 9999 || *ret_month < 1 || *ret_month > 12)
		return reply_error(r, 400, "invalid", "month", "'month' is YYYY-MM"), false;
	return true;
}

int barometer_month(struct store *db, const struct store_scope *scope, int year, int month, json_t **ret)
{
	char zone[GC_TZ_NAME_MAX];
	int rc = store_tenant_zone(db, scope->tenant_id, zone);
	if (rc < 0)
		return rc;
	int32_t first = calendar_day_number(year, month, 1);
	int32_t next = month == 12 ? calendar_day_number(year + 1, 1, 1) : calendar_day_number(year, month + 1, 1);
	struct gc_local_time a = {.year = year, .month = month, .day = 1}, b = {.day = 1};
	calendar_day_date(next, &b.year, &b.month, &b.day);
	struct store_report_query q = {.by = STORE_REPORT_CHANNEL};
	if (gc_tz_utc(zone, &a, &q.from_ms) < 0 || gc_tz_utc(zone, &b, &q.to_ms) < 0)
		return GC_ESTORE;
	json_t *rows = NULL, *emails = NULL, *portal = NULL, *channels = json_array(), *calls = json_null();
	if ((rc = store_report_summary(db, scope, &q, &rows)) < 0) {
		json_decref(channels);
		return rc;
	}
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		json_t *c = channel_json(row);
		if (strcmp(json_string_value(json_object_get(row, "channel")) ?: "", "phone") == 0) {
			json_decref(calls);
			calls = json_deep_copy(c);
		}
		json_array_append_new(channels, c);
	}
	json_decref(rows);
	if (json_is_null(calls))
		calls = json_pack("{s:s,s:i,s:i,s:i,s:i,s:n,s:n}", "channel", "phone", "answered", 0, "abandoned", 0,
				  "answered_30s", 0, "waited_over_2min", 0, "answered_30s_share", "waited_over_2min_share");
	json_object_set_new(calls, "barometer", json_pack("{s:f,s:f}", "answered_30s_share", BAROMETER_ANSWERED_30S,
							  "waited_over_2min_share", BAROMETER_WAITED_2MIN));
	if ((rc = email_same_day(db, scope, first, next - 1, &emails)) < 0 || (rc = help_centre(db, scope, &portal)) < 0) {
		json_decref(emails);
		json_decref(calls);
		json_decref(channels);
		return rc;
	}
	char label[16];
	snprintf(label, sizeof(label), "%04d-%02d", year % 10000, month % 100);
	*ret = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:s}", "month", label, "zone", zone, "calls", calls, "emails", emails,
			 "help_centre", portal, "channels", channels, "source",
			 "a barometer of 262 merchant sites' accessibility (sites' shares)");
	return *ret ? GC_OK : GC_ENOMEM;
}

int run_report_barometer(struct request *r, struct store *db)
{
	int year, month;
	if (!month_query(r, db, &year, &month))
		return GC_EINVAL;
	int rc = brand_only(r, db, "the barometer is the brand's: its whole month");
	if (rc < 0)
		return rc;
	json_t *out = NULL;
	if ((rc = barometer_month(db, &r->scope, year, month, &out)) < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, out);
}
