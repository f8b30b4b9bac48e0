/* Browser session cookies and their CSRF token (src/daemon/session.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "daemon/session.h"
#include "guichet/error.h"

static void cookies_are_found_by_exact_name(void **state)
{
	char v[64];
	assert_int_equal(session_cookie_get("a=1; guichet_session=gct_abc-_.9; b=2", SESSION_COOKIE, v, sizeof(v)), GC_OK);
	assert_string_equal(v, "gct_abc-_.9");
	assert_int_equal(session_cookie_get("xguichet_session=1; guichet_session_old=2", SESSION_COOKIE, v, sizeof(v)),
			 GC_ENOTFOUND);
	assert_int_equal(session_cookie_get(NULL, SESSION_COOKIE, v, sizeof(v)), GC_ENOTFOUND);
	assert_int_equal(session_cookie_get("guichet_session=first;guichet_session=second", SESSION_COOKIE, v, sizeof(v)),
			 GC_OK);
	assert_string_equal(v, "first");
	assert_int_equal(session_cookie_get("guichet_session=", SESSION_COOKIE, v, sizeof(v)), GC_EINVAL);
	assert_int_equal(session_cookie_get("guichet_session=\"q\"", SESSION_COOKIE, v, sizeof(v)), GC_EINVAL);
	assert_int_equal(session_cookie_get("guichet_session=a b", SESSION_COOKIE, v, sizeof(v)), GC_EINVAL);
	char small[4];
	assert_int_equal(session_cookie_get("guichet_session=abcd", SESSION_COOKIE, small, sizeof(small)), GC_EINVAL);
}

static void the_csrf_token_belongs_to_its_session(void **state)
{
	char a[SESSION_CSRF_LEN], b[SESSION_CSRF_LEN];
	session_csrf_token("gct_one", a);
	session_csrf_token("gct_two", b);
	assert_int_equal(strlen(a), SESSION_CSRF_LEN - 1);
	assert_string_not_equal(a, b);
	assert_true(session_csrf_ok("gct_one", a));
	assert_false(session_csrf_ok("gct_two", a));
	assert_false(session_csrf_ok("gct_one", NULL));
	assert_false(session_csrf_ok("gct_one", ""));
	a[5] ^= 1;
	assert_false(session_csrf_ok("gct_one", a));
}

static void set_cookie_lines(void **state)
{
	char line[SESSION_SET_COOKIE_MAX];
	assert_int_equal(session_set_cookie("gct_x", 3600, false, line), GC_OK);
	assert_string_equal(line, "guichet_session=gct_x; Path=/; Max-Age=3600; SameSite=Strict; HttpOnly");
	assert_int_equal(session_set_csrf_cookie("c", 60, true, line), GC_OK);
	assert_string_equal(line, "guichet_csrf=c; Path=/; Max-Age=60; SameSite=Strict; Secure");
	session_clear_cookie(SESSION_COOKIE, true, false, line);
	assert_string_equal(line, "guichet_session=; Path=/; Max-Age=0; SameSite=Strict; HttpOnly");
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(session_set_cookie(big, 1, false, line), GC_ETOOBIG);
}

static void secure_only_when_a_trusted_proxy_says_https(void **state)
{
	assert_true(session_secure(true, "https"));
	assert_true(session_secure(true, "HTTPS"));
	assert_false(session_secure(false, "https"));
	assert_false(session_secure(true, "http"));
	assert_false(session_secure(true, NULL));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cookies_are_found_by_exact_name),
		cmocka_unit_test(the_csrf_token_belongs_to_its_session),
		cmocka_unit_test(set_cookie_lines),
		cmocka_unit_test(secure_only_when_a_trusted_proxy_says_https),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
