/* The daily level-2 export's pure parts (src/report/l2.c, l2_xlsx.c): a
 * tenant's local day as a window of UTC time, on ordinary days and on the
 * days the clocks change; bad dates and zones refused; the days a schedule
 * owes (its time passed, not before it was made, at most so many back);
 * contacts grouped by category, "Uncategorised" last; a workbook written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guichet/error.h"
#include "report/l2.h"

#define HOUR 3600000LL
#define DAY (24 * HOUR)
/* 2026-12-01T00:00:00Z */
#define DEC1 1796083200000LL

static void a_local_day_is_a_window_of_utc_time(void **state)
{
	int64_t from, to;
	assert_int_equal(l2_day_window("UTC", "2026-12-01", &from, &to), GC_OK);
	assert_int_equal(from, DEC1);
	assert_int_equal(to, DEC1 + DAY);
	/* Paris in winter: UTC+1, so its day starts at 23:00 UTC the day before */
	assert_int_equal(l2_day_window("Europe/Paris", "2026-12-01", &from, &to), GC_OK);
	assert_int_equal(from, DEC1 - HOUR);
	assert_int_equal(to - from, DAY);
	/* the clocks go forward on 2026-03-29: a day of 23 hours; back on 2026-10-25: 25 */
	assert_int_equal(l2_day_window("Europe/Paris", "2026-03-29", &from, &to), GC_OK);
	assert_int_equal(to - from, 23 * HOUR);
	assert_int_equal(l2_day_window("Europe/Paris", "2026-10-25", &from, &to), GC_OK);
	assert_int_equal(to - from, 25 * HOUR);
	/* the window's ends are the local midnights, whatever the year's end */
	assert_int_equal(l2_day_window("America/New_York", "2026-12-31", &from, &to), GC_OK);
	char day[11];
	assert_int_equal(l2_local_date("America/New_York", from, day), GC_OK);
	assert_string_equal(day, "2026-12-31");
	assert_int_equal(l2_local_date("America/New_York", to, day), GC_OK);
	assert_string_equal(day, "2027-01-01");
	assert_int_equal(l2_local_date("America/New_York", to - 1, day), GC_OK);
	assert_string_equal(day, "2026-12-31");
}

static void bad_dates_and_zones_are_refused(void **state)
{
	static const char *const bad[] = {"", "2026-12-1", "26-12-01", "2026/12/01", "2026-13-01", "2026-00-10",
					  "2026-02-29", "2026-04-31", "2026-12-01T00", "1969-12-31", "２０２６-12-01",
					  "2026-12-0a", NULL};
	int64_t from = 7, to = 7;
	for (int i = 0; bad[i]; i++)
		assert_int_equal(l2_day_window("UTC", bad[i], &from, &to), GC_EINVAL);
	assert_int_equal(l2_day_window("UTC", NULL, &from, &to), GC_EINVAL);
	assert_int_equal(from, 7); /* nothing written */
	assert_int_equal(l2_day_window("Mars/Olympus", "2026-12-01", &from, &to), GC_EINVAL);
	assert_int_equal(l2_day_window("UTC", "2028-02-29", &from, &to), GC_OK); /* a leap day */
	char day[11];
	assert_int_equal(l2_date_add("2028-02-28", 1, day), GC_OK);
	assert_string_equal(day, "2028-02-29");
	assert_int_equal(l2_date_add("2027-01-02", -7, day), GC_OK);
	assert_string_equal(day, "2026-12-26");
	assert_int_equal(l2_date_add("2027-02-30", 1, day), GC_EINVAL);
}

static void a_schedule_owes_the_days_whose_time_passed(void **state)
{
	char days[8][11];
	int n = -1;
	int64_t made = DEC1 + 10 * HOUR; /* the schedule was made at 10:00 UTC on 2026-12-01, for 18:00 */
	assert_int_equal(l2_schedule_days("UTC", 18 * 60, made, DEC1 + 18 * HOUR - 1, 7, days, &n), GC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(l2_schedule_days("UTC", 18 * 60, made, DEC1 + 18 * HOUR, 7, days, &n), GC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(days[0], "2026-12-01");
	/* made after the day's time: that day is owed at once */
	assert_int_equal(l2_schedule_days("UTC", 9 * 60, made, made, 7, days, &n), GC_OK);
	assert_int_equal(n, 1);
	/* down for three days, back at 12:00 on the 4th: the 1st, 2nd and 3rd (the 4th's 18:00 is still to come) */
	assert_int_equal(l2_schedule_days("UTC", 18 * 60, made, DEC1 + 3 * DAY + 12 * HOUR, 7, days, &n), GC_OK);
	assert_int_equal(n, 3);
	assert_string_equal(days[0], "2026-12-01");
	assert_string_equal(days[2], "2026-12-03");
	/* down for a month: at most 7 days back, and today */
	assert_int_equal(l2_schedule_days("UTC", 18 * 60, made, DEC1 + 30 * DAY + 19 * HOUR, 7, days, &n), GC_OK);
	assert_int_equal(n, 8);
	assert_string_equal(days[0], "2026-12-24");
	assert_string_equal(days[7], "2026-12-31");
	/* in Paris, 00:30 local on the 2nd is 23:30 UTC on the 1st: the 1st (the day it was made) and the 2nd */
	assert_int_equal(l2_schedule_days("Europe/Paris", 30, made, DEC1 + 23 * HOUR + 30 * 60000 - 1, 7, days, &n), GC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(days[0], "2026-12-01");
	assert_int_equal(l2_schedule_days("Europe/Paris", 30, made, DEC1 + 23 * HOUR + 30 * 60000, 7, days, &n), GC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(days[1], "2026-12-02");
}

static json_t *row(int id, const char *category)
{
	return json_pack("{s:i,s:s?}", "contact_id", id, "category", category);
}

static void contacts_are_grouped_by_category(void **state)
{
	json_t *rows = json_pack("[o,o,o,o,o,o]", row(1, "Billing"), row(2, NULL), row(3, "Access"), row(4, "Billing"),
				 row(5, ""), row(6, "Zebra"));
	json_t *g = l2_group(rows);
	assert_non_null(g);
	assert_int_equal(json_array_size(g), 4);
	static const char *const order[] = {"Access", "Billing", "Zebra", L2_UNCATEGORISED};
	static const int counts[] = {1, 2, 1, 2};
	for (size_t i = 0; i < 4; i++) {
		json_t *c = json_array_get(g, i);
		assert_string_equal(json_string_value(json_object_get(c, "category")), order[i]);
		assert_int_equal(json_integer_value(json_object_get(c, "count")), counts[i]);
		assert_int_equal(json_array_size(json_object_get(c, "contacts")), counts[i]);
	}
	/* the order given is kept within a category */
	json_t *billing = json_object_get(json_array_get(g, 1), "contacts");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(billing, 0), "contact_id")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(billing, 1), "contact_id")), 4);
	json_decref(g);
	json_t *none = json_array();
	g = l2_group(none);
	assert_int_equal(json_array_size(g), 0);
	json_decref(g);
	json_decref(none);
	json_decref(rows);
}

static void the_workbook_is_written(void **state)
{
	json_t *rows = json_pack("[{s:i,s:s,s:s,s:s,s:s,s:{s:i,s:s,s:{s:s}}}]", "contact_id", 41, "category", "Billing",
				 "subject", "Charged twice", "received_at", "2026-12-01T09:30:00.000Z", "escalation_note",
				 "refund over 500 EUR", "customer", "id", 7, "external_id", "C-7", "attributes",
				 "first_name", "Ana");
	json_t *export = json_pack("{s:s,s:s,s:o}", "date", "2026-12-01", "time_zone", "Europe/Paris", "categories",
				   l2_group(rows));
	char path[] = "/tmp/test-l2-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(l2_xlsx_write(export, path), GC_OK);
	FILE *f = fopen(path, "rb");
	char magic[4] = {0};
	assert_int_equal(fread(magic, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(magic, "PK\x03\x04", 4); /* a zip: an XLSX */
	unlink(path);
	assert_int_equal(l2_xlsx_write(export, "/nonexistent/dir/x.xlsx"), GC_EIO);
	json_decref(export);
	json_decref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_local_day_is_a_window_of_utc_time),
		cmocka_unit_test(bad_dates_and_zones_are_refused),
		cmocka_unit_test(a_schedule_owes_the_days_whose_time_passed),
		cmocka_unit_test(contacts_are_grouped_by_category),
		cmocka_unit_test(the_workbook_is_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
