/* Goodwill gestures' rules: the roles' limits and their settings, the state
 * a gesture starts in, who may approve or refuse it, amounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guichet/error.h"
#include "guichet/gesture.h"

static int decode(const char *text, struct gesture_settings *s, char *field)
{
	json_t *in = json_loads(text, 0, NULL);
	char msg[200];
	assert_non_null(in);
	int rc = gesture_settings_decode(in, s, field, 64, msg, sizeof(msg));
	json_decref(in);
	return rc;
}

static void defaults_let_agents_give_small_gestures(void **state)
{
	(void)state;
	struct gesture_settings s;
	gesture_settings_default(&s);
	assert_string_equal(s.currency, "EUR");
	assert_int_equal(gesture_initial_state(&s, ROLE_AGENT, 2000), GESTURE_APPROVED);
	assert_int_equal(gesture_initial_state(&s, ROLE_AGENT, 2001), GESTURE_PENDING);
	assert_int_equal(gesture_initial_state(&s, ROLE_OUTSOURCED_AGENT, 1500), GESTURE_PENDING);
	assert_int_equal(gesture_initial_state(&s, ROLE_TENANT_ADMIN, GESTURE_MAX_AMOUNT), GESTURE_APPROVED);
	assert_int_equal(gesture_initial_state(&s, ROLE_PLANNER, 1), GESTURE_PENDING);
}

static void settings_override_some_roles_and_keep_the_rest(void **state)
{
	(void)state;
	struct gesture_settings s;
	char field[64];
	assert_int_equal(decode("{\"currency\":\"CHF\",\"limits\":{\"agent\":500,\"supervisor\":null}}", &s, field), GC_OK);
	assert_string_equal(s.currency, "CHF");
	assert_int_equal(s.limits[ROLE_AGENT], 500);
	assert_int_equal(s.limits[ROLE_SUPERVISOR], GESTURE_NO_LIMIT);
	assert_int_equal(s.limits[ROLE_EXPERT], 5000);
	json_t *back = gesture_settings_json(&s);
	assert_true(json_is_null(json_object_get(json_object_get(back, "limits"), "supervisor")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(back, "limits"), "agent")), 500);
	json_decref(back);
}

static void bad_settings_name_their_field(void **state)
{
	(void)state;
	struct gesture_settings s;
	char field[64];
	assert_int_equal(decode("{\"currency\":\"eur\"}", &s, field), GC_EINVAL);
	assert_string_equal(field, "currency");
	assert_int_equal(decode("{\"limits\":{\"captain\":5}}", &s, field), GC_EINVAL);
	assert_string_equal(field, "limits.captain");
	assert_int_equal(decode("{\"limits\":{\"agent\":-1}}", &s, field), GC_EINVAL);
	assert_string_equal(field, "limits.agent");
	assert_int_equal(decode("{\"limits\":{\"agent\":\"20\"}}", &s, field), GC_EINVAL);
	assert_int_equal(decode("{\"limits\":[]}", &s, field), GC_EINVAL);
	assert_string_equal(field, "limits");
	assert_int_equal(decode("{\"max\":1}", &s, field), GC_EINVAL);
	assert_string_equal(field, "max");
}

static void only_another_person_with_the_limit_approves(void **state)
{
	(void)state;
	struct gesture_settings s;
	char msg[200];
	gesture_settings_default(&s);
	/* a supervisor (limit 200.00) approves an agent's 50.00, not 500.00 */
	assert_int_equal(gesture_may_decide(&s, ROLE_SUPERVISOR, 2, 1, 5000, true, msg, sizeof(msg)), GC_OK);
	assert_int_equal(gesture_may_decide(&s, ROLE_SUPERVISOR, 2, 1, 50000, true, msg, sizeof(msg)), GC_EFORBIDDEN);
	assert_int_equal(gesture_may_decide(&s, ROLE_TENANT_ADMIN, 3, 1, 50000, true, msg, sizeof(msg)), GC_OK);
	/* refusing needs no limit; deciding one's own gesture is never allowed */
	assert_int_equal(gesture_may_decide(&s, ROLE_SUPERVISOR, 2, 1, 50000, false, msg, sizeof(msg)), GC_OK);
	assert_int_equal(gesture_may_decide(&s, ROLE_TENANT_ADMIN, 3, 3, 100, true, msg, sizeof(msg)), GC_EFORBIDDEN);
	assert_non_null(strstr(msg, "other than"));
}

static void amounts_are_read_to_the_cent(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_int_equal(gesture_amount_parse("25", &v), GC_OK);
	assert_int_equal(v, 2500);
	assert_int_equal(gesture_amount_parse("25.5", &v), GC_OK);
	assert_int_equal(v, 2550);
	assert_int_equal(gesture_amount_parse("0.07", &v), GC_OK);
	assert_int_equal(v, 7);
	assert_int_equal(gesture_amount_parse("1000000.00", &v), GC_OK);
	assert_int_equal(v, GESTURE_MAX_AMOUNT);
	const char *bad[] = {"", "-5", "+5", "1.234", "1.", ".5", "1,50", "12e3", "1000000.01", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gesture_amount_parse(bad[i], &v), GC_EINVAL);
	assert_int_equal(gesture_amount_parse(NULL, &v), GC_EINVAL);
}

static void kinds_and_states_round_trip(void **state)
{
	(void)state;
	enum gesture_kind k;
	enum gesture_state st;
	assert_int_equal(gesture_kind_parse("waiver", &k), GC_OK);
	assert_string_equal(gesture_kind_name(k), "waiver");
	assert_int_equal(gesture_kind_parse("refund", &k), GC_EINVAL);
	assert_int_equal(gesture_state_parse("pending", &st), GC_OK);
	assert_string_equal(gesture_state_name(st), "pending");
	assert_int_equal(gesture_state_parse(NULL, &st), GC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_let_agents_give_small_gestures),
		cmocka_unit_test(settings_override_some_roles_and_keep_the_rest),
		cmocka_unit_test(bad_settings_name_their_field),
		cmocka_unit_test(only_another_person_with_the_limit_approves),
		cmocka_unit_test(amounts_are_read_to_the_cent),
		cmocka_unit_test(kinds_and_states_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
