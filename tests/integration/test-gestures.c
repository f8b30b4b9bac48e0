/* Goodwill gestures through the real daemon, on the run's engine: an
 * agent's credit within the role's limit is approved at once and on the
 * contact's timeline; one above waits, agents cannot decide it, a
 * supervisor approves it once; a supervisor's own gesture above their limit
 * is decided by someone else whose limit covers it; refusals keep their
 * note; the tenant's settings change the limits; bad input names its
 * field; the report counts and sums per reason and per agent as computed
 * by hand; another tenant sees and changes none of it; the CLI does the
 * same. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD "gesture pass"

static struct daemon d;
static char *admin, *sup, *sup2, *agent, *other_admin;
static long long late, broken, plain;
static char token_file[256];

#define call(...) http_expect(&d, __VA_ARGS__)

static void expect(const char *method, const char *token, int status, json_t *body, const char *fmt, long long id)
{
	struct resp r;
	call(method, token, status, body, &r, fmt, id);
	resp_clear(&r);
}

static char *user(const char *email, const char *role)
{
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email, "password",
		PASSWORD, "role", role));
	return login(&d, email, PASSWORD);
}

static long long contact(const char *subject, const char *reason)
{
	json_t *body = json_pack("{s:s,s:s,s:s}", "channel", "email", "subject", subject, "message", "hello");
	if (reason)
		json_object_set_new(body, "reason", json_string(reason));
	return post_id(&d, admin, "/api/v1/contacts", body);
}

static int setup(void **state)
{
	(void)state;
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	sup = user("sup@one.example", "supervisor");
	sup2 = user("sup2@one.example", "supervisor");
	agent = user("agent@one.example", "agent");
	late = contact("Parcel late", "late delivery");
	broken = contact("Broken lamp", "damaged item");
	plain = contact("A question", NULL);
	snprintf(token_file, sizeof(token_file), "%s/token", d.dir);
	FILE *f = fopen(token_file, "w");
	if (f == NULL)
		return -1;
	fputs(sup, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(admin);
	free(sup);
	free(sup2);
	free(agent);
	free(other_admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* Records a gesture; answers its id and state (static). */
static long long record(const char *token, long long contact_id, const char *kind, long long cents, const char *reason,
			const char **ret_state)
{
	static char state[16];
	struct resp r;
	json_t *body = json_pack("{s:s,s:I}", "kind", kind, "amount_cents", (json_int_t)cents);
	if (reason)
		json_object_set_new(body, "reason", json_string(reason));
	call("POST", token, 201, body, &r, "/api/v1/contacts/%lld/gestures", contact_id);
	long long id = resp_int(&r, "id");
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(r.json, "state")));
	resp_clear(&r);
	if (ret_state)
		*ret_state = state;
	return id;
}

static const char *state_of(long long id)
{
	static char state[16];
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/gestures/%lld", id);
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(r.json, "state")));
	resp_clear(&r);
	return state;
}

/* A POST that must answer status, naming field when it is not NULL. */
static void refused(const char *token, int status, json_t *body, const char *field, const char *fmt, long long id)
{
	struct resp r;
	call("POST", token, status, body, &r, fmt, id);
	const char *got = json_string_value(json_object_get(json_object_get(r.json, "error"), "field"));
	if (field && (got == NULL || strcmp(got, field) != 0))
		fail_msg("expected field %s, got %s", field, got ? got : "none");
	resp_clear(&r);
}

static void within_the_limit_is_approved_at_once(void **state)
{
	(void)state;
	const char *st = NULL;
	struct resp r;
	record(agent, late, "credit", 1500, NULL, &st);
	assert_string_equal(st, "approved");
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/gestures", late);
	json_t *g = json_array_get(json_object_get(r.json, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(g, "reason")), "late delivery"); /* the contact's */
	assert_string_equal(json_string_value(json_object_get(g, "currency")), "EUR");
	assert_string_equal(json_string_value(json_object_get(g, "recorded_by")), "agent@one.example");
	assert_string_equal(json_string_value(json_object_get(g, "role")), "agent");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/events", late);
	char *text = json_dumps(r.json, 0);
	assert_non_null(strstr(text, "gesture_recorded"));
	free(text);
	resp_clear(&r);
}

static void above_the_limit_waits_for_a_supervisor(void **state)
{
	(void)state;
	const char *st = NULL;
	long long id = record(agent, broken, "gift", 4500, "damaged item", &st);
	assert_string_equal(st, "pending");
	refused(agent, 403, json_object(), NULL, "/api/v1/gestures/%lld/approve", id);
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/gestures?state=pending");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")), id);
	resp_clear(&r);
	call("POST", sup, 200, json_pack("{s:s}", "note", "fair"), &r, "/api/v1/gestures/%lld/approve", id);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "approved");
	assert_string_equal(json_string_value(json_object_get(r.json, "decided_by")), "sup@one.example");
	assert_string_equal(json_string_value(json_object_get(r.json, "decision_note")), "fair");
	resp_clear(&r);
	refused(sup2, 409, json_object(), NULL, "/api/v1/gestures/%lld/approve", id);
	refused(sup2, 409, json_object(), NULL, "/api/v1/gestures/%lld/refuse", id);
}

static void no_one_decides_their_own_or_above_their_limit(void **state)
{
	(void)state;
	const char *st = NULL;
	long long big = record(sup, broken, "waiver", 30000, "damaged item", &st); /* supervisors: 200.00 */
	assert_string_equal(st, "pending");
	refused(sup, 403, json_object(), NULL, "/api/v1/gestures/%lld/approve", big);
	refused(sup2, 403, json_object(), NULL, "/api/v1/gestures/%lld/approve", big);
	assert_string_equal(state_of(big), "pending");
	expect("POST", admin, 200, json_object(), "/api/v1/gestures/%lld/approve", big);
	assert_string_equal(state_of(big), "approved");
	long long no = record(agent, late, "credit", 9000, NULL, &st);
	assert_string_equal(st, "pending");
	expect("POST", sup2, 200, json_pack("{s:s}", "note", "already refunded"), "/api/v1/gestures/%lld/refuse", no);
	assert_string_equal(state_of(no), "refused");
	expect("POST", admin, 409, json_object(), "/api/v1/gestures/%lld/approve", no);
}

static void settings_change_the_limits(void **state)
{
	(void)state;
	struct resp r;
	const char *st = NULL;
	expect("PUT", agent, 403, json_pack("{s:s}", "currency", "USD"), "/api/v1/gestures/settings%.0lld", 0);
	call("PUT", admin, 200, json_pack("{s:s,s:{s:i}}", "currency", "EUR", "limits", "agent", 5000), &r,
	     "/api/v1/gestures/settings");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "limits"), "agent")), 5000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "limits"), "supervisor")), 20000);
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/gestures/settings");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "limits"), "agent")), 5000);
	resp_clear(&r);
	record(agent, late, "credit", 4500, "late delivery", &st);
	assert_string_equal(st, "approved");
	call("PUT", admin, 400, json_pack("{s:s}", "currency", "euros"), &r, "/api/v1/gestures/settings");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "currency");
	resp_clear(&r);
	call("PUT", admin, 400, json_pack("{s:{s:i}}", "limits", "captain", 5), &r, "/api/v1/gestures/settings");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "limits.captain");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/gestures/settings"); /* unchanged by the refusals */
	assert_string_equal(json_string_value(json_object_get(r.json, "currency")), "EUR");
	resp_clear(&r);
}

static void bad_input_names_its_field(void **state)
{
	(void)state;
	const char *path = "/api/v1/contacts/%lld/gestures";
	refused(agent, 400, json_pack("{s:s,s:i}", "kind", "refund", "amount_cents", 100), "kind", path, late);
	refused(agent, 400, json_pack("{s:s,s:i}", "kind", "gift", "amount_cents", 0), "amount_cents", path, late);
	refused(agent, 400, json_pack("{s:s,s:s}", "kind", "gift", "amount_cents", "12.50"), "amount_cents", path, late);
	refused(agent, 400, json_pack("{s:s,s:i}", "kind", "gift", "amount_cents", 100), "reason", path, plain);
	refused(agent, 400, json_pack("{s:s,s:i,s:s}", "kind", "gift", "amount_cents", 100, "colour", "red"), "colour",
		path, late);
	refused(agent, 404, json_pack("{s:s,s:i}", "kind", "gift", "amount_cents", 100), NULL, path, 999999);
	struct resp r;
	call("GET", sup, 400, NULL, &r, "/api/v1/gestures?state=maybe");
	resp_clear(&r);
	call("GET", sup, 400, NULL, &r, "/api/v1/reports/gestures?from=yesterday");
	resp_clear(&r);
	/* nothing half-written: the plain contact has no gesture */
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/gestures", plain);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
}

static const json_t *group(const json_t *list, const char *key)
{
	size_t i;
	json_t *g;
	json_array_foreach(list, i, g)
		if (strcmp(json_string_value(json_object_get(g, "key")), key) == 0)
			return g;
	fail_msg("no group %s", key);
	return NULL;
}

static long long num(const json_t *g, const char *key)
{
	return json_integer_value(json_object_get(g, key));
}

static void the_report_sums_per_reason_and_agent(void **state)
{
	(void)state;
	/* by now: late delivery: agent 15.00 approved, agent 90.00 refused,
	 * agent 45.00 approved; damaged item: agent 45.00 approved (by sup),
	 * sup 300.00 approved (by admin) */
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/reports/gestures");
	const json_t *by_reason = json_object_get(r.json, "by_reason"), *by_agent = json_object_get(r.json, "by_agent");
	const json_t *l = group(by_reason, "late delivery"), *dmg = group(by_reason, "damaged item");
	assert_int_equal(num(l, "gestures"), 3);
	assert_int_equal(num(l, "approved"), 2);
	assert_int_equal(num(l, "approved_cents"), 6000);
	assert_int_equal(num(l, "refused"), 1);
	assert_int_equal(num(dmg, "approved_cents"), 34500);
	const json_t *a = group(by_agent, "agent@one.example"), *s = group(by_agent, "sup@one.example");
	assert_int_equal(num(a, "gestures"), 4);
	assert_int_equal(num(a, "approved_cents"), 10500);
	assert_int_equal(num(s, "approved_cents"), 30000);
	const json_t *all = json_object_get(r.json, "total");
	assert_int_equal(num(all, "gestures"), 5);
	assert_int_equal(num(all, "approved_cents"), 40500);
	assert_int_equal(num(all, "pending"), 0);
	assert_string_equal(json_string_value(json_object_get(r.json, "currency")), "EUR");
	resp_clear(&r);
	call("GET", agent, 403, NULL, &r, "/api/v1/reports/gestures");
	resp_clear(&r);
	call("GET", sup, 200, NULL, &r, "/api/v1/reports/gestures?from=2020-01-01&to=2020-02-01");
	assert_int_equal(num(json_object_get(r.json, "total"), "gestures"), 0);
	resp_clear(&r);
}

static void another_tenant_sees_none_of_it(void **state)
{
	(void)state;
	struct resp r;
	long long id = record(agent, late, "gift", 100, NULL, NULL);
	call("GET", other_admin, 404, NULL, &r, "/api/v1/gestures/%lld", id);
	resp_clear(&r);
	refused(other_admin, 404, json_object(), NULL, "/api/v1/gestures/%lld/approve", id);
	refused(other_admin, 404, json_pack("{s:s,s:i,s:s}", "kind", "gift", "amount_cents", 100, "reason", "x"), NULL,
		"/api/v1/contacts/%lld/gestures", late);
	call("GET", other_admin, 404, NULL, &r, "/api/v1/contacts/%lld/gestures", late);
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/gestures");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/reports/gestures");
	assert_int_equal(num(json_object_get(r.json, "total"), "gestures"), 0);
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/gestures/settings");
	assert_true(json_is_integer(json_object_get(json_object_get(r.json, "limits"), "agent")));
	assert_int_equal(num(json_object_get(r.json, "limits"), "agent"), 2000); /* its own defaults */
	resp_clear(&r);
}

static void the_cli(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL, idtext[24];
	snprintf(idtext, sizeof(idtext), "%lld", broken);
	int rc = run_cli(&d, token_file, &out, &err, "gesture", "record", idtext, "--kind", "credit", "--amount", "12,50",
			 NULL);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "--amount"));
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "--json", "gesture", "record", idtext, "--kind", "credit", "--amount",
		     "12.50", NULL);
	if (rc != 0)
		fail_msg("gesture record: %s %s", out, err);
	json_t *g = json_loads(out, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(g, "amount_cents")), 1250);
	assert_string_equal(json_string_value(json_object_get(g, "state")), "approved");
	json_decref(g);
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "gesture", "settings", "--role-limit", "agent=30", "--role-limit",
		     "expert=none", NULL);
	assert_int_equal(rc, 1); /* only a tenant admin changes them (not a supervisor: their own limit) */
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "gesture", "settings", "--role-limit", "agent", NULL);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, "ROLE=AMOUNT"));
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "report", "gestures", NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "damaged item"));
	assert_non_null(strstr(out, "sup@one.example"));
	assert_non_null(strstr(out, "values in EUR"));
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "gesture", "list", "--state", "approved", NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "damaged item"));
	free(out);
	free(err);
}

/* An outsourcer's supervisor lists the gestures its own people recorded,
 * not the brand's people's; the brand's supervisor lists both. */
static void an_outsourcer_lists_its_own_peoples_gestures(void **state)
{
	struct resp r;
	call("POST", admin, 201, json_pack("{s:s,s:s}", "name", "BPO", "kind", "outsourcer"), &r,
	     "/api/v1/organisations%.0lld", 0LL);
	resp_clear(&r);
	char *tokens[2];
	const char *const emails[] = {"agent@bpo.example", "sup@bpo.example"}, *const roles[] = {"outsourced_agent", "supervisor"};
	for (int i = 0; i < 2; i++) {
		post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s,s:s}", "email", emails[i], "name",
			emails[i], "password", PASSWORD, "role", roles[i], "organisation", "BPO"));
		tokens[i] = login(&d, emails[i], PASSWORD);
	}
	long long theirs = record(tokens[0], late, "credit", 100, NULL, NULL);
	long long brands = record(agent, late, "credit", 100, NULL, NULL);
	const char *const readers[] = {tokens[1], sup};
	for (int i = 0; i < 2; i++) {
		bool saw_theirs = false, saw_brands = false;
		size_t k;
		json_t *g;
		call("GET", readers[i], 200, NULL, &r, "/api/v1/gestures?limit=500%.0lld", 0LL);
		json_array_foreach(json_object_get(r.json, "items"), k, g) {
			saw_theirs |= json_integer_value(json_object_get(g, "id")) == theirs;
			saw_brands |= json_integer_value(json_object_get(g, "id")) == brands;
		}
		resp_clear(&r);
		assert_true(saw_theirs);
		assert_true(saw_brands == (i == 1));
	}
	free(tokens[0]);
	free(tokens[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(within_the_limit_is_approved_at_once),
		cmocka_unit_test(above_the_limit_waits_for_a_supervisor),
		cmocka_unit_test(no_one_decides_their_own_or_above_their_limit),
		cmocka_unit_test(settings_change_the_limits),
		cmocka_unit_test(bad_input_names_its_field),
		cmocka_unit_test(the_report_sums_per_reason_and_agent),
		cmocka_unit_test(another_tenant_sees_none_of_it),
		cmocka_unit_test(an_outsourcer_lists_its_own_peoples_gestures),
		cmocka_unit_test(the_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
