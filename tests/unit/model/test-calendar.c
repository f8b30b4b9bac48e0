/* Unit tests of src/model/calendar.c: business calendars and business time
 * across lunch breaks, nights, weekends, holidays and the DST changes of
 * Europe/Paris, the always-open calendar, and strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guichet/calendar.h"
#include "guichet/error.h"

#define PARIS_OFFICE "{\"zone\":\"Europe/Paris\",\"hours\":{" \
	"\"mon\":[\"08:00-12:30\",\"13:30-18:00\"],\"tue\":[\"13:30-18:00\",\"08:00-12:30\"]," \
	"\"wed\":[\"08:00-12:30\",\"13:30-18:00\"],\"thu\":[\"08:00-12:30\",\"13:30-18:00\"]," \
	"\"fri\":[\"08:00-12:30\",\"13:30-18:00\"]},\"holidays\":[\"2027-01-01\",\"2026-12-25\",\"2026-12-25\"]}"

static struct calendar *load(const char *text)
{
	json_error_t jerr;
	json_t *obj = json_loads(text, 0, &jerr);
	assert_non_null(obj);
	struct calendar *c = malloc(sizeof(*c));
	struct decode_error err;
	int rc = calendar_decode(obj, c, &err);
	if (rc != GC_OK)
		fail_msg("%s: %s", err.field, err.message);
	json_decref(obj);
	return c;
}

/* The UTC instant of a wall time in Paris. */
static int64_t paris(int y, int mo, int d, int h, int mi)
{
	struct gc_local_time lt = {.year = y, .month = mo, .day = d, .hour = h, .minute = mi};
	int64_t ms = 0;
	assert_int_equal(gc_tz_utc("Europe/Paris", &lt, &ms), GC_OK);
	return ms;
}

static void assert_due(const struct calendar *c, int64_t from, int64_t seconds, int64_t want)
{
	int64_t due = 0;
	assert_int_equal(calendar_due(c, from, seconds, &due), GC_OK);
	assert_int_equal(due, want);
}

static void dates_are_day_numbers(void **state)
{
	assert_int_equal(calendar_day_number(1970, 1, 1), 0);
	assert_int_equal(calendar_day_number(2000, 3, 1), 11017);
	int32_t day;
	char text[CALENDAR_DATE_LEN];
	assert_int_equal(calendar_date_parse("2024-02-29", &day), GC_OK);
	calendar_date_format(day, text);
	assert_string_equal(text, "2024-02-29");
	assert_int_equal(calendar_date_parse("2025-02-29", &day), GC_EINVAL);
	assert_int_equal(calendar_date_parse("2026-13-01", &day), GC_EINVAL);
	assert_int_equal(calendar_date_parse("2026-1-01", &day), GC_EINVAL);
	assert_int_equal(calendar_date_parse("2026-01-01x", &day), GC_EINVAL);
	assert_int_equal(calendar_date_parse("+026-01-01", &day), GC_EINVAL);
	assert_int_equal(calendar_date_parse(NULL, &day), GC_EINVAL);
	for (int32_t d = -800; d < 30000; d += 7) {
		int y, m, dd;
		calendar_day_date(d, &y, &m, &dd);
		assert_int_equal(calendar_day_number(y, m, dd), d);
	}
}

static void due_times_cross_lunch_nights_weekends_and_holidays(void **state)
{
	struct calendar *c = load(PARIS_OFFICE);
	/* Tuesday 1 December 2026 */
	assert_due(c, paris(2026, 12, 1, 9, 0), 3600, paris(2026, 12, 1, 10, 0));
	assert_due(c, paris(2026, 12, 1, 12, 0), 3600, paris(2026, 12, 1, 14, 0));        /* lunch */
	assert_due(c, paris(2026, 12, 1, 17, 30), 3600, paris(2026, 12, 2, 8, 30));       /* night */
	assert_due(c, paris(2026, 12, 4, 17, 0), 7200, paris(2026, 12, 7, 9, 0));         /* weekend */
	assert_due(c, paris(2026, 12, 5, 10, 0), 3600, paris(2026, 12, 7, 9, 0));         /* arrived closed */
	assert_due(c, paris(2026, 12, 1, 22, 0), 0, paris(2026, 12, 2, 8, 0));            /* 0: the next opening */
	assert_due(c, paris(2026, 12, 24, 17, 0), 7200, paris(2026, 12, 28, 9, 0));       /* Christmas, weekend */
	assert_due(c, paris(2026, 12, 31, 18, 0), 3600, paris(2027, 1, 4, 9, 0));         /* New Year */
	assert_due(c, paris(2026, 12, 1, 9, 0), 5 * 32400, paris(2026, 12, 8, 9, 0));     /* a business week */
	int64_t due;
	assert_int_equal(calendar_due(c, 0, -1, &due), GC_EINVAL);
	assert_int_equal(calendar_due(c, 0, CALENDAR_MAX_DUE_S + 1, &due), GC_EINVAL);
	free(c);
}

static void elapsed_counts_only_open_time(void **state)
{
	struct calendar *c = load(PARIS_OFFICE);
	int64_t s = -1;
	assert_int_equal(calendar_elapsed(c, paris(2026, 12, 1, 17, 0), paris(2026, 12, 2, 9, 0), &s), GC_OK);
	assert_int_equal(s, 7200);
	assert_int_equal(calendar_elapsed(c, paris(2026, 12, 4, 17, 0), paris(2026, 12, 7, 9, 0), &s), GC_OK);
	assert_int_equal(s, 7200);
	assert_int_equal(calendar_elapsed(c, paris(2026, 12, 24, 0, 0), paris(2026, 12, 26, 0, 0), &s), GC_OK);
	assert_int_equal(s, 32400); /* Christmas Eve, then Christmas closed */
	assert_int_equal(calendar_elapsed(c, paris(2026, 12, 2, 9, 0), paris(2026, 12, 1, 9, 0), &s), GC_OK);
	assert_int_equal(s, 0);
	assert_int_equal(calendar_elapsed(c, 0, 20LL * 365 * 86400000, &s), GC_EINVAL); /* beyond ten years */
	free(c);
}

static void open_and_closed_instants(void **state)
{
	struct calendar *c = load(PARIS_OFFICE);
	bool open = false;
	assert_int_equal(calendar_is_open(c, paris(2026, 12, 1, 12, 45), &open), GC_OK);
	assert_false(open);
	assert_int_equal(calendar_is_open(c, paris(2026, 12, 1, 13, 30), &open), GC_OK);
	assert_true(open);
	assert_int_equal(calendar_is_open(c, paris(2026, 12, 1, 18, 0), &open), GC_OK);
	assert_false(open); /* closing time is closed */
	assert_int_equal(calendar_is_open(c, paris(2026, 12, 1, 7, 59), &open), GC_OK);
	assert_false(open);
	assert_int_equal(calendar_is_open(c, paris(2026, 12, 25, 10, 0), &open), GC_OK);
	assert_false(open); /* a holiday */
	assert_int_equal(calendar_is_open(c, paris(2026, 12, 5, 10, 0), &open), GC_OK);
	assert_false(open); /* Saturday */
	free(c);
}

static void the_business_day_ends_at_its_closing_time(void **state)
{
	struct calendar *c = load(PARIS_OFFICE);
	int64_t end = 0;
	assert_int_equal(calendar_day_end(c, paris(2026, 12, 1, 7, 0), &end), GC_OK);
	assert_int_equal(end, paris(2026, 12, 1, 18, 0)); /* before opening: that day */
	assert_int_equal(calendar_day_end(c, paris(2026, 12, 1, 12, 45), &end), GC_OK);
	assert_int_equal(end, paris(2026, 12, 1, 18, 0)); /* at lunch: that day */
	assert_int_equal(calendar_day_end(c, paris(2026, 12, 1, 18, 0), &end), GC_OK);
	assert_int_equal(end, paris(2026, 12, 2, 18, 0)); /* after closing: the next */
	assert_int_equal(calendar_day_end(c, paris(2026, 12, 5, 11, 0), &end), GC_OK);
	assert_int_equal(end, paris(2026, 12, 7, 18, 0)); /* Saturday: Monday */
	assert_int_equal(calendar_day_end(c, paris(2026, 12, 24, 19, 0), &end), GC_OK);
	assert_int_equal(end, paris(2026, 12, 28, 18, 0)); /* Christmas Eve evening: past Christmas */
	struct calendar_day day;
	int32_t n;
	assert_int_equal(calendar_day_of(c, paris(2026, 12, 24, 19, 0), &n), GC_OK);
	assert_int_equal(calendar_day_get(c, n, &day), GC_OK);
	assert_int_equal(day.start_ms, paris(2026, 12, 24, 0, 0));
	assert_int_equal(day.end_ms, paris(2026, 12, 25, 0, 0));
	assert_int_equal(day.close_ms, paris(2026, 12, 24, 18, 0));
	assert_int_equal(day.next_close_ms, paris(2026, 12, 28, 18, 0));
	assert_int_equal(calendar_day_get(c, n + 1, &day), GC_OK);
	assert_int_equal(day.close_ms, 0); /* Christmas */
	free(c);
}

/* Business time is real time while open: on 29 March 2026 Paris skips
 * 02:00-03:00, on 25 October it repeats it. */
static void dst_changes_in_paris(void **state)
{
	struct calendar *c = load("{\"zone\":\"Europe/Paris\"}");
	int64_t s = 0, due = 0;
	assert_true(c->always_open);
	assert_int_equal(calendar_elapsed(c, paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0), &s), GC_OK);
	assert_int_equal(s, 23 * 3600);
	assert_int_equal(calendar_elapsed(c, paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0), &s), GC_OK);
	assert_int_equal(s, 25 * 3600);
	assert_int_equal(calendar_due(c, paris(2026, 3, 28, 12, 0), 86400, &due), GC_OK);
	assert_int_equal(due, paris(2026, 3, 29, 13, 0)); /* 24 real hours: 25 on the wall clock */
	struct calendar_day day;
	int32_t n;
	assert_int_equal(calendar_day_of(c, paris(2026, 3, 29, 12, 0), &n), GC_OK);
	assert_int_equal(calendar_day_get(c, n, &day), GC_OK);
	assert_int_equal(day.end_ms - day.start_ms, 23 * 3600000LL);
	assert_int_equal(day.close_ms, day.end_ms); /* always open: the day ends at midnight */
	free(c);

	/* Sunday hours 01:00-04:00 across each change: 2 real hours, then 4 */
	c = load("{\"zone\":\"Europe/Paris\",\"hours\":{\"sun\":[\"01:00-04:00\"]}}");
	assert_int_equal(calendar_elapsed(c, paris(2026, 3, 28, 0, 0), paris(2026, 3, 30, 0, 0), &s), GC_OK);
	assert_int_equal(s, 2 * 3600);
	assert_int_equal(calendar_elapsed(c, paris(2026, 10, 24, 0, 0), paris(2026, 10, 26, 0, 0), &s), GC_OK);
	assert_int_equal(s, 4 * 3600);
	assert_int_equal(calendar_due(c, paris(2026, 3, 28, 0, 0), 3 * 3600, &due), GC_OK);
	assert_int_equal(due, paris(2026, 4, 5, 2, 0)); /* 2 h on 29 March, 1 h on 5 April */
	/* wall times in the skipped hour move forward by it (tz.h): 03:10-03:50 */
	free(c);
	c = load("{\"zone\":\"Europe/Paris\",\"hours\":{\"sun\":[\"02:10-02:50\",\"10:00-11:00\"]}}");
	assert_int_equal(calendar_elapsed(c, paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0), &s), GC_OK);
	assert_int_equal(s, 3600 + 2400);
	bool open = false;
	assert_int_equal(calendar_is_open(c, paris(2026, 3, 29, 3, 20), &open), GC_OK);
	assert_true(open);
	int64_t end = 0;
	assert_int_equal(calendar_day_end(c, paris(2026, 3, 29, 1, 0), &end), GC_OK);
	assert_int_equal(end, paris(2026, 3, 29, 11, 0));
	free(c);
}

static void always_open_with_holidays(void **state)
{
	struct calendar *c = load("{\"zone\":\"UTC\",\"holidays\":[\"2026-12-25\"]}");
	int64_t due = 0, end = 0;
	int64_t eve = calendar_day_number(2026, 12, 25) * 86400000LL;
	assert_int_equal(calendar_due(c, eve - 3600000, 7200, &due), GC_OK);
	assert_int_equal(due, eve + 86400000 + 3600000); /* Christmas skipped */
	assert_int_equal(calendar_day_end(c, eve - 3600000, &end), GC_OK);
	assert_int_equal(end, eve);
	assert_int_equal(calendar_day_end(c, eve + 3600000, &end), GC_OK);
	assert_int_equal(end, eve + 2 * 86400000LL);
	free(c);
	struct calendar d;
	calendar_init_default(&d);
	assert_int_equal(calendar_due(&d, eve, 60, &due), GC_OK);
	assert_int_equal(due, eve + 60000);
}

/* elapsed(from, due(from, s)) == s, and due never goes back, for random
 * instants and targets; the seed is printed on failure. */
static void due_and_elapsed_agree(void **state)
{
	struct calendar *c = load(PARIS_OFFICE);
	unsigned seed = (unsigned)time(NULL);
	srand(seed);
	int64_t base = paris(2026, 1, 1, 0, 0);
	for (int i = 0; i < 300; i++) {
		int64_t from = base + (int64_t)(rand() % (400 * 24 * 60)) * 60000 + rand() % 60000;
		int64_t s = rand() % (5 * 86400), due = 0, back = -1, later = 0;
		if (calendar_due(c, from, s, &due) != GC_OK || calendar_elapsed(c, from, due, &back) != GC_OK ||
		    calendar_due(c, from, s + 1, &later) != GC_OK)
			fail_msg("seed %u: a call failed at %lld + %lld s", seed, (long long)from, (long long)s);
		if (back != s || later <= due || due < from)
			fail_msg("seed %u: from %lld + %lld s: due %lld, elapsed back %lld, +1 s due %lld", seed,
				 (long long)from, (long long)s, (long long)due, (long long)back, (long long)later);
	}
	free(c);
}

static void decode_error(const char *text, const char *field)
{
	json_t *obj = json_loads(text, 0, NULL);
	assert_non_null(obj);
	struct calendar c;
	memset(&c, 0x5a, sizeof(c));
	struct decode_error err;
	assert_int_equal(calendar_decode(obj, &c, &err), GC_EINVAL);
	if (strcmp(err.field, field) != 0)
		fail_msg("%s: field '%s' (%s), expected '%s'", text, err.field, err.message, field);
	assert_int_equal((unsigned char)c.zone[0], 0x5a); /* nothing written */
	json_decref(obj);
}

static void decoding_names_the_field(void **state)
{
	decode_error("{}", "zone");
	decode_error("{\"zone\":\"Europe/Pariss\"}", "zone");
	decode_error("{\"zone\":42}", "zone");
	decode_error("{\"zone\":\"UTC\",\"open\":true}", "open");
	decode_error("{\"zone\":\"UTC\",\"hours\":[]}", "hours");
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"monday\":[\"08:00-12:00\"]}}", "hours");
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"tue\":[\"8:00-12:00\"]}}", "hours.tue");
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"tue\":[\"12:00-08:00\"]}}", "hours.tue");
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"tue\":[\"12:00-24:01\"]}}", "hours.tue");
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"tue\":[\"08:60-12:00\"]}}", "hours.tue");
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"wed\":[\"08:00-12:00\",\"11:00-14:00\"]}}", "hours.wed");
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"wed\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}}", "hours.wed");
	decode_error("{\"zone\":\"UTC\",\"hours\":{}}", "hours");           /* no open time at all */
	decode_error("{\"zone\":\"UTC\",\"hours\":{\"mon\":[]}}", "hours");
	decode_error("{\"zone\":\"UTC\",\"holidays\":\"2026-12-25\"}", "holidays");
	decode_error("{\"zone\":\"UTC\",\"holidays\":[\"2026-12-25\",\"2026-02-30\"]}", "holidays[1]");
	decode_error("{\"zone\":\"UTC\",\"holidays\":[25]}", "holidays[0]");
	decode_error("{\"zone\":\"UTC\",\"country\":\"XX\"}", "country");
	decode_error("{\"zone\":\"UTC\",\"country\":\"UK\"}", "country"); /* the ISO code is GB */
	decode_error("{\"zone\":\"UTC\",\"country\":\"FRA\"}", "country");
	decode_error("{\"zone\":\"UTC\",\"country\":\"\"}", "country");
	decode_error("{\"zone\":\"UTC\",\"country\":33}", "country");
	/* an overnight range says how to write it */
	struct calendar_interval iv;
	assert_non_null(strstr(calendar_interval_parse("18:00-08:00", &iv), "two ranges"));
	assert_non_null(strstr(calendar_interval_parse("08:00-08:00", &iv), "empty"));
	assert_non_null(strstr(calendar_interval_parse("8:00-12:00", &iv), "HH:MM-HH:MM"));
	assert_null(calendar_interval_parse("18:00-24:00", &iv));
	assert_true(iv.from == 18 * 60 && iv.to == 1440);
}

/* The country numbers are read in: optional, upper case, kept and shown. */
static void the_country_is_kept(void **state)
{
	struct calendar *c = load("{\"zone\":\"Europe/London\",\"country\":\"gb\"}");
	assert_string_equal(c->country, "GB");
	json_t *j = calendar_json(c);
	assert_string_equal(json_string_value(json_object_get(j, "country")), "GB");
	struct calendar back;
	struct decode_error err;
	assert_int_equal(calendar_decode(j, &back, &err), GC_OK);
	assert_memory_equal(&back, c, sizeof(back));
	json_decref(j);
	free(c);
	c = load("{\"zone\":\"UTC\",\"country\":null}");
	assert_string_equal(c->country, "");
	j = calendar_json(c);
	assert_true(json_is_null(json_object_get(j, "country")));
	json_decref(j);
	free(c);
	struct calendar def;
	calendar_init_default(&def);
	assert_string_equal(def.country, "");
}

static void the_canonical_form_is_sorted(void **state)
{
	struct calendar *c = load(PARIS_OFFICE);
	json_t *j = calendar_json(c);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"country\":null,\"holidays\":[\"2026-12-25\",\"2027-01-01\"],\"hours\":{"
			    "\"fri\":[\"08:00-12:30\",\"13:30-18:00\"],\"mon\":[\"08:00-12:30\",\"13:30-18:00\"],"
			    "\"thu\":[\"08:00-12:30\",\"13:30-18:00\"],\"tue\":[\"08:00-12:30\",\"13:30-18:00\"],"
			    "\"wed\":[\"08:00-12:30\",\"13:30-18:00\"]},\"zone\":\"Europe/Paris\"}");
	struct calendar back;
	struct decode_error err;
	assert_int_equal(calendar_decode(j, &back, &err), GC_OK);
	assert_memory_equal(&back, c, sizeof(back));
	free(text);
	json_decref(j);
	free(c);
	c = load("{\"zone\":\"UTC\",\"hours\":{\"sat\":[\"00:00-24:00\"]}}");
	j = calendar_json(c);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(j, "hours"), "sat"), 0)),
			    "00:00-24:00");
	json_decref(j);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_are_day_numbers),
		cmocka_unit_test(due_times_cross_lunch_nights_weekends_and_holidays),
		cmocka_unit_test(elapsed_counts_only_open_time),
		cmocka_unit_test(open_and_closed_instants),
		cmocka_unit_test(the_business_day_ends_at_its_closing_time),
		cmocka_unit_test(dst_changes_in_paris),
		cmocka_unit_test(always_open_with_holidays),
		cmocka_unit_test(due_and_elapsed_agree),
		cmocka_unit_test(decoding_names_the_field),
		cmocka_unit_test(the_canonical_form_is_sorted),
		cmocka_unit_test(the_country_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
