/* The level-2 export's local day and grouping (l2.h): dates are calendar
 * days counted from 1970-01-01 (gc_days_from_civil, guichet/clock.h), and a local day's bounds are its midnights in the zone, as
 * ICU gives them (guichet/tz.h). */
#include "report/l2.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* "YYYY-MM-DD" of a real day between 1970 and 9999. */
static int parse_date(const char *date, int *ret_y, int *ret_m, int *ret_d)
{
	if (date == NULL || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
		return GC_EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)date[i]))
			return GC_EINVAL;
	int y = 0, m = (date[5] - '0') * 10 + date[6] - '0', d = (date[8] - '0') * 10 + date[9] - '0';
	for (int i = 0; i < 4; i++)
		y = y * 10 + date[i] - '0';
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return GC_EINVAL;
	int ny, nm, nd; /* the day after the month's last is the next month's first */
	gc_civil_from_days(gc_days_from_civil(y, m, d), &ny, &nm, &nd);
	if (ny != y || nm != m || nd != d)
		return GC_EINVAL;
	*ret_y = y;
	*ret_m = m;
	*ret_d = d;
	return GC_OK;
}

static int format_date(int y, int m, int d, char *ret)
{
	char text[48];
	if (y < 0 || y > 9999)
		return GC_EINVAL;
	snprintf(text, sizeof(text), "%04d-%02d-%02d", y, m, d);
	memcpy(ret, text, 11);
	return GC_OK;
}

int l2_date_add(const char *date, int n, char *ret)
{
	int y, m, d;
	if (parse_date(date, &y, &m, &d) < 0)
		return GC_EINVAL;
	gc_civil_from_days(gc_days_from_civil(y, m, d) + n, &y, &m, &d);
	return format_date(y, m, d, ret);
}

static int midnight(const char *zone, int y, int m, int d, int64_t *ret)
{
	struct gc_local_time lt = {.year = y, .month = m, .day = d};
	return gc_tz_utc(zone, &lt, ret);
}

int l2_day_window(const char *zone, const char *date, int64_t *ret_from, int64_t *ret_to)
{
	int y, m, d, ny, nm, nd;
	if (parse_date(date, &y, &m, &d) < 0 || !gc_tz_valid(zone))
		return GC_EINVAL;
	gc_civil_from_days(gc_days_from_civil(y, m, d) + 1, &ny, &nm, &nd);
	int64_t from, to;
	int rc = midnight(zone, y, m, d, &from);
	if (rc == GC_OK)
		rc = midnight(zone, ny, nm, nd, &to);
	if (rc < 0)
		return rc;
	*ret_from = from;
	*ret_to = to;
	return GC_OK;
}

int l2_local_date(const char *zone, int64_t ms, char *ret)
{
	struct gc_local_time lt;
	int rc = gc_tz_local(zone, ms, &lt);
	if (rc < 0)
		return rc;
	return format_date(lt.year, lt.month, lt.day, ret);
}

int l2_schedule_days(const char *zone, int at_minute, int64_t created_ms, int64_t now_ms, int max_back,
		     char (*ret_days)[11], int *ret_n)
{
	char today[11], first[11], day[11];
	int rc = l2_local_date(zone, now_ms, today);
	if (rc == GC_OK)
		rc = l2_local_date(zone, created_ms, first);
	if (rc < 0)
		return rc;
	int n = 0;
	for (int back = max_back; back >= 0; back--) {
		int y, m, d;
		int64_t due;
		if (l2_date_add(today, -back, day) < 0 || strcmp(day, first) < 0 || parse_date(day, &y, &m, &d) < 0)
			continue;
		struct gc_local_time lt = {.year = y, .month = m, .day = d, .hour = at_minute / 60, .minute = at_minute % 60};
		if ((rc = gc_tz_utc(zone, &lt, &due)) < 0)
			return rc;
		if (due <= now_ms)
			memcpy(ret_days[n++], day, 11);
	}
	*ret_n = n;
	return GC_OK;
}

static const char *category_of(const json_t *row)
{
	const char *c = json_string_value(json_object_get(row, "category"));
	return c && *c ? c : L2_UNCATEGORISED;
}

static int by_category(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "category"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "category"));
	bool xu = strcmp(x, L2_UNCATEGORISED) == 0, yu = strcmp(y, L2_UNCATEGORISED) == 0;
	if (xu != yu)
		return xu ? 1 : -1;
	return strcmp(x, y);
}

json_t *l2_group(const json_t *rows)
{
	json_t *by_name = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *name = category_of(row);
		json_t *group = json_object_get(by_name, name);
		if (group == NULL) {
			group = json_pack("{s:s,s:i,s:[]}", "category", name, "count", 0, "contacts");
			if (group == NULL || json_object_set_new(by_name, name, group) < 0) {
				json_decref(by_name);
				return NULL;
			}
		}
		json_array_append(json_object_get(group, "contacts"), row);
		json_object_set_new(group, "count", json_integer((json_int_t)json_array_size(json_object_get(group, "contacts"))));
	}
	size_t n = json_object_size(by_name), k = 0;
	json_t **sorted = calloc(n + 1, sizeof(*sorted));
	json_t *out = sorted ? json_array() : NULL;
	const char *key;
	json_t *group;
	json_object_foreach(by_name, key, group)
		if (sorted)
			sorted[k++] = group;
	if (out) {
		qsort(sorted, n, sizeof(*sorted), by_category);
		for (k = 0; k < n; k++)
			json_array_append(out, sorted[k]);
	}
	free(sorted);
	json_decref(by_name);
	return out;
}
