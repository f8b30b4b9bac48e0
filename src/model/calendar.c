/* Business calendars and business time (guichet/calendar.h).
 *
 * Everything walks local days: a day's opening intervals become UTC
 * instants through the zone (gc_tz_utc), so a DST change is whatever the
 * zone says it is on that day, and the open time of an interval is the real
 * time between its two instants. Dates are day numbers (days since
 * 1970-01-01, proleptic Gregorian), whose arithmetic needs no zone. */
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/phone.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WALK_DAYS 3660 /* ten years: the most days one computation walks */

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};


/* --- dates (gc_days_from_civil, gc_civil_from_days: guichet/clock.h) --- */

int32_t calendar_day_number(int year, int month, int day)
{
	return (int32_t)gc_days_from_civil(year, month, day);
}

void calendar_day_date(int32_t day, int *ret_year, int *ret_month, int *ret_day)
{
	gc_civil_from_days(day, ret_year, ret_month, ret_day);
}

int calendar_date_parse(const char *text, int32_t *ret_day)
{
	int y, m, d, n = 0;
	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return GC_EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			return GC_EINVAL;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || y < 1900 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return GC_EINVAL;
	int32_t day = calendar_day_number(y, m, d);
	int yy, mm, dd;
	calendar_day_date(day, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d) /* 2026-02-30 */
		return GC_EINVAL;
	*ret_day = day;
	return GC_OK;
}

void calendar_date_format(int32_t day, char buf[CALENDAR_DATE_LEN])
{
	int y, m, d;
	calendar_day_date(day, &y, &m, &d);
	snprintf(buf, CALENDAR_DATE_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

/* 0 Monday ... 6 Sunday; 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

/* --- JSON --- */

void calendar_init_default(struct calendar *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->zone, sizeof(c->zone), "UTC");
	c->always_open = true;
}

const char *calendar_interval_parse(const char *text, struct calendar_interval *ret)
{
	static const char *const form = "is not HH:MM-HH:MM within the day";
	int h1, m1, h2, m2, n = 0;
	if (text == NULL || strlen(text) != 11 || text[2] != ':' || text[5] != '-' || text[8] != ':')
		return form;
	for (int i = 0; i < 11; i++)
		if (i != 2 && i != 5 && i != 8 && (text[i] < '0' || text[i] > '9'))
			return form;
	if (sscanf(text, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 || n != 11 || h1 > 24 || h2 > 24 ||
	    m1 > 59 || m2 > 59 || h1 * 60 + m1 > 1440 || h2 * 60 + m2 > 1440)
		return form;
	ret->from = (int16_t)(h1 * 60 + m1);
	ret->to = (int16_t)(h2 * 60 + m2);
	if (ret->from == ret->to)
		return "is empty: it ends when it starts";
	if (ret->from > ret->to)
		return "ends before it starts: past midnight is two ranges, \"18:00-24:00\" and the next day's "
		       "\"00:00-08:00\"";
	return NULL;
}

static int by_from(const void *a, const void *b)
{
	const struct calendar_interval *x = a, *y = b;
	return x->from - y->from;
}

static int decode_day(const json_t *list, int d, struct calendar *c, struct decode_error *err)
{
	char field[16];
	snprintf(field, sizeof(field), "hours.%s", day_names[d]);
	if (!json_is_array(list) || json_array_size(list) > CALENDAR_MAX_INTERVALS)
		return decode_fail(err, GC_EINVAL, field, "'%s' is a list of up to %d \"HH:MM-HH:MM\"", day_names[d],
			    CALENDAR_MAX_INTERVALS);
	struct calendar_interval *iv = c->hours[d];
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		const char *text = json_string_value(json_array_get(list, i)), *wrong = calendar_interval_parse(text, &iv[i]);
		if (wrong)
			return decode_fail(err, GC_EINVAL, field, "\"%.20s\" %s", text ? text : "?", wrong);
	}
	qsort(iv, n, sizeof(*iv), by_from);
	for (size_t i = 1; i < n; i++)
		if (iv[i].from < iv[i - 1].to)
			return decode_fail(err, GC_EINVAL, field, "%02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d overlap",
				    iv[i - 1].from / 60, iv[i - 1].from % 60, iv[i - 1].to / 60, iv[i - 1].to % 60,
				    iv[i].from / 60, iv[i].from % 60, iv[i].to / 60, iv[i].to % 60);
	c->n_intervals[d] = (uint8_t)n;
	return GC_OK;
}

static int decode_hours(const json_t *hours, struct calendar *c, struct decode_error *err)
{
	if (hours == NULL || json_is_null(hours)) {
		c->always_open = true;
		return GC_OK;
	}
	if (!json_is_object(hours))
		return decode_fail(err, GC_EINVAL, "hours", "'hours' maps mon..sun to [\"08:00-12:00\", ...]");
	const char *key;
	json_t *list;
	json_object_foreach((json_t *)hours, key, list) {
		int d = 0;
		while (d < 7 && strcmp(key, day_names[d]) != 0)
			d++;
		if (d == 7)
			return decode_fail(err, GC_EINVAL, "hours", "unknown day '%.16s' (mon..sun)", key);
		int rc = decode_day(list, d, c, err);
		if (rc < 0)
			return rc;
	}
	int open = 0;
	for (int d = 0; d < 7; d++)
		open += c->n_intervals[d];
	if (open == 0)
		return decode_fail(err, GC_EINVAL, "hours", "no open time in the week (leave 'hours' out for always open)");
	return GC_OK;
}

static int by_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int decode_holidays(const json_t *list, struct calendar *c, struct decode_error *err)
{
	if (list == NULL || json_is_null(list))
		return GC_OK;
	if (!json_is_array(list) || json_array_size(list) > CALENDAR_MAX_HOLIDAYS)
		return decode_fail(err, GC_EINVAL, "holidays", "'holidays' is a list of up to %d dates YYYY-MM-DD", CALENDAR_MAX_HOLIDAYS);
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		const char *text = json_string_value(json_array_get(list, i));
		if (calendar_date_parse(text, &c->holidays[i]) < 0) {
			char field[32];
			snprintf(field, sizeof(field), "holidays[%u]", (unsigned)i);
			return decode_fail(err, GC_EINVAL, field, "\"%.20s\" is not a date YYYY-MM-DD", text ? text : "?");
		}
	}
	qsort(c->holidays, n, sizeof(c->holidays[0]), by_day);
	uint32_t kept = 0;
	for (size_t i = 0; i < n; i++) /* a date given twice is one holiday */
		if (kept == 0 || c->holidays[kept - 1] != c->holidays[i])
			c->holidays[kept++] = c->holidays[i];
	memset(&c->holidays[kept], 0, (n - kept) * sizeof(c->holidays[0])); /* equal calendars, equal bytes */
	c->n_holidays = kept;
	return GC_OK;
}

/* The tenant's country for its telephone numbers; "" when absent or null. */
static int decode_country(const json_t *v, struct calendar *c, struct decode_error *err)
{
	if (v == NULL || json_is_null(v))
		return GC_OK;
	const char *text = json_string_value(v);
	char code[3] = "";
	if (text && strlen(text) == 2)
		for (int i = 0; i < 2; i++)
			code[i] = text[i] >= 'a' && text[i] <= 'z' ? (char)(text[i] - 'a' + 'A') : text[i];
	if (!phone_region_known(code))
		return decode_fail(err, GC_EINVAL, "country",
				   "'country' is a country's ISO 3166 code that has a numbering plan, such as \"FR\"");
	memcpy(c->country, code, sizeof(code));
	return GC_OK;
}

int calendar_decode(const json_t *obj, struct calendar *ret, struct decode_error *err)
{
	if (!json_is_object(obj))
		return decode_fail(err, GC_EINVAL, "", "the calendar must be a JSON object");
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)obj, key, value)
		if (strcmp(key, "zone") != 0 && strcmp(key, "country") != 0 && strcmp(key, "hours") != 0 &&
		    strcmp(key, "holidays") != 0)
			return decode_fail(err, GC_EINVAL, key, "unknown field '%.100s'", key);
	struct calendar *c = malloc(sizeof(*c)); /* decoded aside: ret is written only on success */
	if (c == NULL)
		return GC_ENOMEM;
	memset(c, 0, sizeof(*c));
	const char *zone = json_string_value(json_object_get(obj, "zone"));
	int rc = GC_OK;
	if (zone == NULL)
		rc = decode_fail(err, GC_EINVAL, "zone", "'zone' is required: a time zone such as \"Europe/Paris\"");
	else if (strlen(zone) >= sizeof(c->zone) || !gc_tz_valid(zone))
		rc = decode_fail(err, GC_EINVAL, "zone", "unknown time zone \"%.64s\"", zone);
	if (rc == GC_OK) {
		snprintf(c->zone, sizeof(c->zone), "%s", zone);
		rc = decode_country(json_object_get(obj, "country"), c, err);
	}
	if (rc == GC_OK) {
		if ((rc = decode_hours(json_object_get(obj, "hours"), c, err)) == GC_OK)
			rc = decode_holidays(json_object_get(obj, "holidays"), c, err);
	}
	if (rc == GC_OK)
		*ret = *c;
	free(c);
	return rc;
}

json_t *calendar_json(const struct calendar *c)
{
	json_t *hours = json_null(), *holidays = json_array();
	if (!c->always_open) {
		hours = json_object();
		for (int d = 0; d < 7; d++) {
			if (c->n_intervals[d] == 0)
				continue;
			json_t *list = json_array();
			for (int i = 0; i < c->n_intervals[d]; i++) {
				const struct calendar_interval *x = &c->hours[d][i];
				json_array_append_new(list, json_sprintf("%02d:%02d-%02d:%02d", x->from / 60, x->from % 60,
									 x->to / 60, x->to % 60));
			}
			json_object_set_new(hours, day_names[d], list);
		}
	}
	for (uint32_t i = 0; i < c->n_holidays; i++) {
		char date[CALENDAR_DATE_LEN];
		calendar_date_format(c->holidays[i], date);
		json_array_append_new(holidays, json_string(date));
	}
	return json_pack("{s:s,s:o,s:o,s:o}", "zone", c->zone, "country", c->country[0] ? json_string(c->country) : json_null(),
			 "hours", hours, "holidays", holidays);
}

/* --- business time --- */

static bool is_holiday(const struct calendar *c, int32_t day)
{
	return bsearch(&day, c->holidays, c->n_holidays, sizeof(c->holidays[0]), by_day) != NULL;
}

static const struct calendar_interval all_day = {0, 1440};

/* The day's opening intervals (none on a holiday). */
static int intervals(const struct calendar *c, int32_t day, const struct calendar_interval **ret)
{
	if (is_holiday(c, day))
		return 0;
	if (c->always_open) {
		*ret = &all_day;
		return 1;
	}
	int d = weekday(day);
	*ret = c->hours[d];
	return c->n_intervals[d];
}

/* The UTC instant of minute (0..1440) of a local day. */
static int local_ms(const struct calendar *c, int32_t day, int minute, int64_t *ret)
{
	if (minute == 1440) {
		day++;
		minute = 0;
	}
	struct gc_local_time lt = {.hour = minute / 60, .minute = minute % 60};
	calendar_day_date(day, &lt.year, &lt.month, &lt.day);
	return gc_tz_utc(c->zone, &lt, ret);
}

/* The UTC span [*ret_from, *ret_to) of an interval of a day; empty when a
 * DST change swallows it. */
static int span(const struct calendar *c, int32_t day, const struct calendar_interval *iv, int64_t *ret_from,
		int64_t *ret_to)
{
	int rc = local_ms(c, day, iv->from, ret_from);
	if (rc == GC_OK)
		rc = local_ms(c, day, iv->to, ret_to);
	if (rc == GC_OK && *ret_to < *ret_from)
		*ret_to = *ret_from;
	return rc;
}

int calendar_day_of(const struct calendar *c, int64_t ms, int32_t *ret_day)
{
	struct gc_local_time lt;
	int rc = gc_tz_local(c->zone, ms, &lt);
	if (rc == GC_OK)
		*ret_day = calendar_day_number(lt.year, lt.month, lt.day);
	return rc;
}

/* When the day closes as a business day (its last interval's end); 0 when closed. */
static int day_close(const struct calendar *c, int32_t day, int64_t *ret)
{
	const struct calendar_interval *iv = NULL;
	int n = intervals(c, day, &iv);
	*ret = 0;
	for (int i = n - 1; i >= 0; i--) {
		int64_t from, to;
		int rc = span(c, day, &iv[i], &from, &to);
		if (rc < 0)
			return rc;
		if (to > from) {
			*ret = to;
			break;
		}
	}
	return GC_OK;
}

static int next_close(const struct calendar *c, int32_t day, int64_t *ret)
{
	int64_t close = 0;
	for (int32_t d = day + 1; d <= day + MAX_WALK_DAYS; d++) {
		int rc = day_close(c, d, &close);
		if (rc < 0)
			return rc;
		if (close) {
			*ret = close;
			return GC_OK;
		}
	}
	return GC_EINVAL; /* ten years without a business day: a decoded calendar has too few holidays for that */
}

int calendar_day_get(const struct calendar *c, int32_t day, struct calendar_day *ret)
{
	struct calendar_day out = {.day = day};
	int rc;
	if ((rc = local_ms(c, day, 0, &out.start_ms)) < 0 || (rc = local_ms(c, day, 1440, &out.end_ms)) < 0 ||
	    (rc = day_close(c, day, &out.close_ms)) < 0 || (rc = next_close(c, day, &out.next_close_ms)) < 0)
		return rc;
	*ret = out;
	return GC_OK;
}

int calendar_day_end(const struct calendar *c, int64_t ms, int64_t *ret_ms)
{
	int32_t day;
	int64_t close;
	int rc;
	if ((rc = calendar_day_of(c, ms, &day)) < 0 || (rc = day_close(c, day, &close)) < 0)
		return rc;
	if (close && ms < close) {
		*ret_ms = close;
		return GC_OK;
	}
	return next_close(c, day, ret_ms);
}

int calendar_is_open(const struct calendar *c, int64_t ms, bool *ret_open)
{
	int32_t day;
	int rc = calendar_day_of(c, ms, &day);
	if (rc < 0)
		return rc;
	const struct calendar_interval *iv = NULL;
	int n = intervals(c, day, &iv);
	bool open = false;
	for (int i = 0; i < n && !open; i++) {
		int64_t from, to;
		if ((rc = span(c, day, &iv[i], &from, &to)) < 0)
			return rc;
		open = from <= ms && ms < to;
	}
	*ret_open = open;
	return GC_OK;
}

int calendar_due(const struct calendar *c, int64_t from_ms, int64_t business_s, int64_t *ret_ms)
{
	if (business_s < 0 || business_s > CALENDAR_MAX_DUE_S)
		return GC_EINVAL;
	int64_t left = business_s * 1000, at = from_ms;
	int32_t first;
	int rc = calendar_day_of(c, from_ms, &first);
	if (rc < 0)
		return rc;
	for (int32_t day = first; day <= first + MAX_WALK_DAYS; day++) {
		const struct calendar_interval *iv = NULL;
		int n = intervals(c, day, &iv);
		for (int i = 0; i < n; i++) {
			int64_t from, to;
			if ((rc = span(c, day, &iv[i], &from, &to)) < 0)
				return rc;
			if (to <= at || to == from)
				continue;
			int64_t start = from > at ? from : at;
			if (to - start >= left) {
				*ret_ms = start + left;
				return GC_OK;
			}
			left -= to - start;
			at = to;
		}
	}
	return GC_ETOOBIG; /* so little open time that the due time is over ten years away */
}

int calendar_elapsed(const struct calendar *c, int64_t from_ms, int64_t to_ms, int64_t *ret_s)
{
	if (to_ms <= from_ms) {
		*ret_s = 0;
		return GC_OK;
	}
	int32_t first, last;
	int rc;
	if ((rc = calendar_day_of(c, from_ms, &first)) < 0 || (rc = calendar_day_of(c, to_ms, &last)) < 0)
		return rc;
	if (last - first > MAX_WALK_DAYS)
		return GC_EINVAL;
	int64_t total = 0;
	for (int32_t day = first; day <= last; day++) {
		const struct calendar_interval *iv = NULL;
		int n = intervals(c, day, &iv);
		for (int i = 0; i < n; i++) {
			int64_t from, to;
			if ((rc = span(c, day, &iv[i], &from, &to)) < 0)
				return rc;
			from = from > from_ms ? from : from_ms;
			to = to < to_ms ? to : to_ms;
			total += to > from ? to - from : 0;
		}
	}
	*ret_s = total / 1000;
	return GC_OK;
}
