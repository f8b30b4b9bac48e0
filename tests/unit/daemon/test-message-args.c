/* An error message's values for its translated template
 * (src/daemon/message_args.c): each value formatted by its own conversion,
 * in order, "%%" skipped; formats it cannot split give NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/message_args.h"

static char *args_of(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *args = message_args(fmt, ap);
	va_end(ap);
	char *dumped = args ? json_dumps(args, JSON_COMPACT) : NULL;
	json_decref(args);
	return dumped;
}

static void each_value_as_the_message_shows_it(void **state)
{
	(void)state;
	char *s = args_of("'%.3s' at %lld: %d%% of %zu, %.1f s, %c, %ld",
			  "abcdef", 12345678901LL, 80, (size_t)7, 2.46, 'x', -3L);
	assert_string_equal(s, "[\"abc\",\"12345678901\",\"80\",\"7\",\"2.5\",\"x\",\"-3\"]");
	free(s);
	s = args_of("the session has ended");
	assert_string_equal(s, "[]");
	free(s);
	s = args_of("100%% is not a goal");
	assert_string_equal(s, "[]");
	free(s);
}

static void formats_it_cannot_split(void **state)
{
	(void)state;
	assert_null(args_of("%.*s", 3, "abcdef"));        /* a width taken from the values */
	assert_null(args_of("%2$s %1$s", "a", "b"));       /* positional */
	assert_null(args_of("%s", "caf\xe9"));             /* not UTF-8 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_value_as_the_message_shows_it),
		cmocka_unit_test(formats_it_cannot_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
