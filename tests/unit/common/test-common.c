/* Unit tests of src/common: time formatting and parsing, text checks, a
 * message's template and values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/message.h"
#include "guichet/text.h"
#include "guichet/tz.h"

static void time_round_trips(void **state)
{
	char buf[GC_TIME_LEN];
	int64_t ms = 0;
	gc_time_format(1795423845123, buf);
	assert_string_equal(buf, "2026-11-23T08:50:45.123Z");
	assert_int_equal(gc_time_parse(buf, &ms), GC_OK);
	assert_int_equal(ms, 1795423845123);
	assert_int_equal(gc_time_parse("2026-11-23", &ms), GC_OK);
	assert_int_equal(ms, 1795392000000);
	assert_int_equal(gc_time_parse("2026-11-23T08:50:45Z", &ms), GC_OK);
	assert_int_equal(ms, 1795423845000);
	assert_int_equal(gc_time_parse("2026-11-23T08:50:45.5Z", &ms), GC_OK);
	assert_int_equal(ms, 1795423845500);
}

static void time_refuses_nonsense(void **state)
{
	int64_t ms = 42;
	const char *bad[] = {"", "2026", "2026-13-01", "2026-02-30", "2025-02-29", "2026-11-23T25:00:00Z",
			     "2026-11-23T08:50:45", "2026-11-23T08:50:45+02:00", "2026-11-23x",
			     "2026-11-23T08:50:45.Z", "1969-12-31", "2026-11-23T-1:50:45Z",
			     "2026-11-23T08:-5:45Z", " 2026-11-23"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gc_time_parse(bad[i], &ms), GC_EINVAL);
	assert_int_equal(ms, 42); /* output untouched on failure */
	assert_int_equal(gc_time_parse("2024-02-29", &ms), GC_OK);
}

static void integers_are_bounded(void **state)
{
	int64_t v = 7;
	assert_int_equal(gc_parse_i64("42", 0, 100, &v), GC_OK);
	assert_int_equal(v, 42);
	assert_int_equal(gc_parse_i64("-1", 0, 100, &v), GC_EINVAL);
	assert_int_equal(gc_parse_i64("101", 0, 100, &v), GC_EINVAL);
	assert_int_equal(gc_parse_i64("12a", 0, 100, &v), GC_EINVAL);
	assert_int_equal(gc_parse_i64("", 0, 100, &v), GC_EINVAL);
	assert_int_equal(gc_parse_i64("99999999999999999999", 0, INT64_MAX, &v), GC_EINVAL);
	assert_int_equal(gc_parse_i64("9223372036854775807", 0, INT64_MAX, &v), GC_OK);
	assert_true(v == INT64_MAX);
}

/* The shared calendar arithmetic: known days, and every day of four
 * centuries and a half there and back (leap years, 1600 and 2000 too). */
static void civil_days_round_trip(void **state)
{
	assert_int_equal(gc_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(gc_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(gc_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(gc_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(gc_days_from_civil(1600, 1, 1), -135140);
	int py = 1599, pm = 12, pd = 31;
	for (int64_t day = -135140; day <= 30000; day++) {
		int y, m, d;
		gc_civil_from_days(day, &y, &m, &d);
		assert_int_equal(gc_days_from_civil(y, m, d), day);
		/* the next day of the previous one */
		bool next = (y == py && m == pm && d == pd + 1) || (y == py && m == pm + 1 && d == 1) ||
			    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
		assert_true(next);
		py = y, pm = m, pd = d;
	}
}

static void time_zones_give_local_times(void **state)
{
	(void)state;
	struct gc_local_time lt;
	int64_t ms, back;
	assert_true(gc_tz_valid("Europe/Paris"));
	assert_true(gc_tz_valid("UTC"));
	assert_false(gc_tz_valid("Mars/Olympus"));
	assert_false(gc_tz_valid(""));
	assert_int_equal(gc_tz_local("Mars/Olympus", 0, &lt), GC_EINVAL);
	/* 2026-12-01T10:30:00Z is 11:30 in Paris (winter, UTC+1), a Tuesday */
	assert_int_equal(gc_time_parse("2026-12-01T10:30:00Z", &ms), GC_OK);
	assert_int_equal(gc_tz_local("Europe/Paris", ms, &lt), GC_OK);
	assert_int_equal(lt.year, 2026);
	assert_int_equal(lt.month, 12);
	assert_int_equal(lt.day, 1);
	assert_int_equal(lt.hour, 11);
	assert_int_equal(lt.minute, 30);
	assert_int_equal(lt.wday, 2);
	assert_int_equal(gc_tz_utc("Europe/Paris", &lt, &back), GC_OK);
	assert_int_equal(back, ms);
	/* in July Paris is UTC+2; in Tokyo 10:30Z is 19:30 */
	assert_int_equal(gc_time_parse("2026-07-01T10:30:00Z", &ms), GC_OK);
	assert_int_equal(gc_tz_local("Europe/Paris", ms, &lt), GC_OK);
	assert_int_equal(lt.hour, 12);
	assert_int_equal(gc_tz_local("Asia/Tokyo", ms, &lt), GC_OK);
	assert_int_equal(lt.hour, 19);
	/* New Year's Eve in Paris is still the previous year in UTC */
	lt = (struct gc_local_time){.year = 2027, .month = 1, .day = 1};
	assert_int_equal(gc_tz_utc("Europe/Paris", &lt, &ms), GC_OK);
	assert_int_equal(gc_time_parse("2026-12-31T23:00:00Z", &back), GC_OK);
	assert_int_equal(ms, back);
}

static void local_times_in_dst_changes(void **state)
{
	(void)state;
	struct gc_local_time lt;
	int64_t ms, want;
	/* 2026-03-29 02:30 does not exist in Paris: it is taken after the gap */
	lt = (struct gc_local_time){.year = 2026, .month = 3, .day = 29, .hour = 2, .minute = 30};
	assert_int_equal(gc_tz_utc("Europe/Paris", &lt, &ms), GC_OK);
	assert_int_equal(gc_time_parse("2026-03-29T01:30:00Z", &want), GC_OK);
	assert_int_equal(ms, want);
	/* 2026-10-25 02:30 happens twice: the first (summer time, UTC+2) */
	lt = (struct gc_local_time){.year = 2026, .month = 10, .day = 25, .hour = 2, .minute = 30};
	assert_int_equal(gc_tz_utc("Europe/Paris", &lt, &ms), GC_OK);
	assert_int_equal(gc_time_parse("2026-10-25T00:30:00Z", &want), GC_OK);
	assert_int_equal(ms, want);
}

/* The local day holding at (RFC 3339) in zone starts at from and ends at to. */
static void check_day(const char *zone, const char *at, int y, int m, int d, const char *from, const char *to)
{
	struct gc_local_time date;
	int64_t ms, start, end, want;
	assert_int_equal(gc_time_parse(at, &ms), GC_OK);
	assert_int_equal(gc_tz_day(zone, ms, &date, &start, &end), GC_OK);
	assert_int_equal(date.year, y);
	assert_int_equal(date.month, m);
	assert_int_equal(date.day, d);
	assert_int_equal(date.hour + date.minute + date.second, 0);
	assert_int_equal(gc_time_parse(from, &want), GC_OK);
	assert_int_equal(start, want);
	assert_int_equal(gc_time_parse(to, &want), GC_OK);
	assert_int_equal(end, want);
}

static void local_days_reset_at_local_midnight(void **state)
{
	(void)state;
	int64_t ms, off;
	struct gc_local_time date;
	/* Paris springs forward on 2026-03-29: a 23-hour day */
	check_day("Europe/Paris", "2026-03-29T12:00:00Z", 2026, 3, 29, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z");
	/* and falls back on 2026-10-25: a 25-hour day */
	check_day("Europe/Paris", "2026-10-25T23:30:00Z", 2026, 10, 26, "2026-10-25T23:00:00Z", "2026-10-26T23:00:00Z");
	check_day("Europe/Paris", "2026-10-25T22:59:59Z", 2026, 10, 25, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z");
	/* New York changes on other days: 2026-03-08 and 2026-11-01 */
	check_day("America/New_York", "2026-03-08T15:00:00Z", 2026, 3, 8, "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z");
	check_day("America/New_York", "2026-11-01T15:00:00Z", 2026, 11, 1, "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z");
	/* the same instant is two different days in two zones: each resets at its own midnight */
	check_day("America/New_York", "2026-03-29T02:00:00Z", 2026, 3, 28, "2026-03-28T04:00:00Z", "2026-03-29T04:00:00Z");
	check_day("Europe/Paris", "2026-03-29T02:00:00Z", 2026, 3, 29, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z");
	/* the last day of a year runs into the next one */
	check_day("UTC", "2026-12-31T23:59:59Z", 2026, 12, 31, "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z");
	/* a zone whose midnight a change skipped (Santiago, 2026-09-06 00:00 -> 01:00) */
	check_day("America/Santiago", "2026-09-06T12:00:00Z", 2026, 9, 6, "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z");
	assert_int_equal(gc_tz_day("Mars/Olympus", 0, &date, &ms, &off), GC_EINVAL);
	/* offsets: Paris +1 in winter, +2 in summer, from the change's instant on */
	assert_int_equal(gc_time_parse("2026-03-29T00:59:59Z", &ms), GC_OK);
	assert_int_equal(gc_tz_offset("Europe/Paris", ms, &off), GC_OK);
	assert_int_equal(off, 3600000);
	assert_int_equal(gc_tz_offset("Europe/Paris", ms + 1000, &off), GC_OK);
	assert_int_equal(off, 7200000);
	assert_int_equal(gc_time_parse("2026-11-01T06:00:00Z", &ms), GC_OK);
	assert_int_equal(gc_tz_offset("America/New_York", ms, &off), GC_OK);
	assert_int_equal(off, -5 * 3600000);
	assert_int_equal(gc_tz_offset("Mars/Olympus", ms, &off), GC_EINVAL);
}

/* Masking keeps the first character and the last two, UTF-8's characters
 * whole: the result is always text (a JSON string can hold it). */
static void addresses_are_masked_by_characters(void **state)
{
	char out[64];
	gc_text_mask("+33612340339", out, sizeof(out));
	assert_string_equal(out, "+*********39");
	gc_text_mask("élodie", out, sizeof(out));
	assert_string_equal(out, "é***ie");
	gc_text_mask("@zoe_🙂", out, sizeof(out));
	assert_string_equal(out, "@***_🙂");
	gc_text_mask("ab", out, sizeof(out));
	assert_string_equal(out, "ab");
	gc_text_mask("", out, sizeof(out));
	assert_string_equal(out, "");
	char small[6];
	gc_text_mask("éééé", small, sizeof(small)); /* 'é' '*' 'é', then no room for a whole 'é' */
	assert_string_equal(small, "é*é");
}

/* Another's words with the addresses and numbers in them masked, the rest
 * as it was. */
static void addresses_and_numbers_are_masked_in_text(void **state)
{
	char out[256];
	gc_text_mask_in("550 5.1.1 <lee@example.org>: user unknown", out, sizeof(out));
	assert_string_equal(out, "550 5.1.1 <l************rg>: user unknown");
	gc_text_mask_in("The 'To' number +33 6 12 34 56 78 is not valid (code 21211).", out, sizeof(out));
	assert_string_equal(out, "The 'To' number +**************78 is not valid (code 21211).");
	gc_text_mask_in("to 0612345678, élodie@exemple.fr; SM12345678901", out, sizeof(out));
	assert_string_equal(out, "to 0*******78, é**************fr; SM12345678901");
	gc_text_mask_in("no address @ all, 5.1.1", out, sizeof(out));
	assert_string_equal(out, "no address @ all, 5.1.1");
	char small[12];
	gc_text_mask_in("à ann@b.example", small, sizeof(small));
	assert_string_equal(small, "à "); /* the address does not fit whole: left out */
}

static void identifiers_have_shapes(void **state)
{
	assert_true(gc_text_is_email("ana@example.com"));
	assert_false(gc_text_is_email("ana@example"));
	assert_false(gc_text_is_email("ana example@x.com"));
	assert_false(gc_text_is_email("@x.com"));
	assert_false(gc_text_is_email("a@b@c.com"));
	assert_true(gc_text_is_phone("+33 6 12-34.56 (78)"));
	assert_false(gc_text_is_phone("12"));
	assert_false(gc_text_is_phone("06 12 x4"));
	assert_false(gc_text_is_phone("6+1234"));
	assert_true(gc_text_is_clean("two\nlines", true));
	assert_false(gc_text_is_clean("two\nlines", false));
	assert_false(gc_text_is_clean("bell\a", true));
	assert_string_equal(gc_error_name(GC_ESTATE), "invalid_transition");
}

static void split(struct gc_message *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gc_message_split(m, fmt, ap);
	va_end(ap);
}

/* Each value as the message shows it, in order; "%%" takes none. */
static void a_message_splits_into_template_and_values(void **state)
{
	struct gc_message m;
	split(&m, "'%.3s' at %lld: %d%% of %zu, %.1f s, %c, %ld", "abcdef", 12345678901LL, 80, (size_t)7, 2.46,
	      'x', -3L);
	assert_non_null(m.template);
	assert_string_equal(m.template, "'%.3s' at %lld: %d%% of %zu, %.1f s, %c, %ld");
	assert_int_equal(m.n, 7);
	const char *want[] = {"abc", "12345678901", "80", "7", "2.5", "x", "-3"};
	for (unsigned i = 0; i < 7; i++)
		assert_string_equal(gc_message_value(&m, i), want[i]);
	split(&m, "100%% is not a goal");
	assert_non_null(m.template);
	assert_int_equal(m.n, 0);
}

/* What cannot be given back as a template: "%s" alone says nothing; a width
 * from the values, positions, values longer than the message keeps. */
static void templates_it_cannot_give(void **state)
{
	struct gc_message m;
	char long_value[GC_MESSAGE_PACKED + 10];
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	split(&m, "%s", "anything");
	assert_null(m.template);
	split(&m, "%.*s", 3, "abcdef");
	assert_null(m.template);
	split(&m, "%2$s %1$s", "a", "b");
	assert_null(m.template);
	split(&m, "name '%s' taken", long_value);
	assert_null(m.template);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(time_round_trips),
		cmocka_unit_test(time_refuses_nonsense),
		cmocka_unit_test(integers_are_bounded),
		cmocka_unit_test(identifiers_have_shapes),
		cmocka_unit_test(addresses_are_masked_by_characters),
		cmocka_unit_test(addresses_and_numbers_are_masked_in_text),
		cmocka_unit_test(civil_days_round_trip),
		cmocka_unit_test(time_zones_give_local_times),
		cmocka_unit_test(local_times_in_dst_changes),
		cmocka_unit_test(local_days_reset_at_local_midnight),
		cmocka_unit_test(a_message_splits_into_template_and_values),
		cmocka_unit_test(templates_it_cannot_give),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
