/* Unit tests of src/common: time formatting and parsing, text checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(time_round_trips),
		cmocka_unit_test(time_refuses_nonsense),
		cmocka_unit_test(integers_are_bounded),
		cmocka_unit_test(identifiers_have_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
