/* Unit tests of src/model: the contact state machine, roles, and strict
 * request decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/contact.h"
#include "guichet/decode.h"
#include "guichet/error.h"
#include "guichet/role.h"

static void states_have_names(void **state)
{
	for (int s = 0; s < CONTACT_N_STATES; s++) {
		enum contact_state back;
		assert_int_equal(contact_state_parse(contact_state_name((enum contact_state)s), &back), GC_OK);
		assert_int_equal(back, s);
	}
	enum contact_state st;
	assert_int_equal(contact_state_parse("done", &st), GC_EINVAL);
	assert_null(contact_state_name(CONTACT_N_STATES));
}

static void closed_is_final_and_moves_are_checked(void **state)
{
	for (int to = 0; to < CONTACT_N_STATES; to++) {
		assert_false(contact_state_can_move(CONTACT_CLOSED, (enum contact_state)to));
		assert_false(contact_state_can_move((enum contact_state)to, (enum contact_state)to));
	}
	assert_true(contact_state_can_move(CONTACT_NEW, CONTACT_QUEUED));
	assert_true(contact_state_can_move(CONTACT_QUEUED, CONTACT_ASSIGNED));
	assert_true(contact_state_can_move(CONTACT_ASSIGNED, CONTACT_ESCALATED));
	assert_true(contact_state_can_move(CONTACT_IN_PROGRESS, CONTACT_WAITING_ON_CUSTOMER));
	assert_true(contact_state_can_move(CONTACT_RESOLVED, CONTACT_IN_PROGRESS));
	assert_false(contact_state_can_move(CONTACT_QUEUED, CONTACT_WAITING_ON_CUSTOMER));
	assert_false(contact_state_can_move(CONTACT_WAITING_ON_CUSTOMER, CONTACT_ASSIGNED));
	assert_true(contact_state_needs_disposition(CONTACT_RESOLVED));
	assert_false(contact_state_needs_disposition(CONTACT_CLOSED));
	/* every state other than closed can reach closed */
	for (int from = 0; from < CONTACT_CLOSED; from++) {
		unsigned seen = 1u << from, frontier = seen;
		while (frontier) {
			unsigned next = 0;
			for (int a = 0; a < CONTACT_N_STATES; a++)
				for (int b = 0; (frontier >> a & 1) && b < CONTACT_N_STATES; b++)
					if (contact_state_can_move((enum contact_state)a, (enum contact_state)b) && !(seen >> b & 1))
						next |= 1u << b;
			seen |= next;
			frontier = next;
		}
		assert_true(seen >> CONTACT_CLOSED & 1);
	}
}

static void roles_decide_permissions_and_visibility(void **state)
{
	enum role r;
	assert_int_equal(role_parse("outsourced_agent", &r), GC_OK);
	assert_int_equal(role_visibility(r), SENS_BASIC);
	assert_true(role_can(r, PERM_CONTACTS_WRITE));
	assert_false(role_can(r, PERM_CUSTOMERS_WRITE));
	assert_false(role_can(r, PERM_USERS_READ));
	assert_int_equal(role_visibility(ROLE_TENANT_ADMIN), SENS_CONFIDENTIAL);
	assert_int_equal(role_visibility(ROLE_AGENT), SENS_PERSONAL);
	assert_int_equal(role_visibility(ROLE_AUTHOR), SENS_NONE);
	assert_false(role_can(ROLE_PLANNER, PERM_CUSTOMERS_READ));
	assert_true(role_can(ROLE_TENANT_ADMIN, PERM_AUDIT_READ | PERM_TOKENS_MANAGE));
	for (int i = 0; i < ROLE_N; i++)
		if (i != ROLE_TENANT_ADMIN)
			assert_false(role_can((enum role)i, PERM_AUDIT_READ));
	assert_int_equal(role_parse("platform_admin", &r), GC_EINVAL);
}

static json_t *parse(const char *text)
{
	json_t *obj = NULL;
	struct decode_error err;
	assert_int_equal(decode_body(text, strlen(text), &obj, &err), GC_OK);
	return obj;
}

static void body_must_be_an_object(void **state)
{
	json_t *obj = NULL;
	struct decode_error err;
	assert_int_equal(decode_body("[1]", 3, &obj, &err), GC_EINVAL);
	assert_int_equal(decode_body("{\"a\":1,\"a\":2}", 13, &obj, &err), GC_EINVAL);
	assert_int_equal(decode_body("{\"a\":\"\xff\"}", 9, &obj, &err), GC_EINVAL);
	assert_int_equal(decode_body("{\"a\":\"\\u0000\"}", 14, &obj, &err), GC_EINVAL);
	assert_int_equal(decode_body("{", 1, &obj, &err), GC_EINVAL);
	assert_non_null(strstr(err.message, "malformed JSON"));
	assert_null(obj);
}

static void contact_decoding_is_strict(void **state)
{
	struct contact_input in;
	struct decode_error err;
	json_t *ok = parse("{\"channel\":\"email\",\"subject\":\"Hi\",\"priority\":3,\"tags\":[\"a\",\"b\"],"
			   "\"customer_id\":7,\"message\":\"line one\\nline two\"}");
	assert_int_equal(contact_input_decode(ok, false, &in, &err), GC_OK);
	assert_int_equal(in.channel, CHANNEL_EMAIL);
	assert_int_equal(in.priority, 3);
	assert_int_equal(in.n_tags, 2);
	assert_int_equal(in.customer_id, 7);
	json_decref(ok);

	const char *bad[][2] = {
		{"{\"subject\":\"x\"}", "channel"},
		{"{\"channel\":\"fax\"}", "channel"},
		{"{\"channel\":\"email\",\"colour\":1}", "colour"},
		{"{\"channel\":\"email\",\"priority\":10}", "priority"},
		{"{\"channel\":\"email\",\"priority\":\"1\"}", "priority"},
		{"{\"channel\":\"email\",\"subject\":\"a\\nb\"}", "subject"},
		{"{\"channel\":\"email\",\"tags\":[\"a\",\"a\"]}", "tags"},
		{"{\"channel\":\"email\",\"tags\":\"a\"}", "tags"},
		{"{\"channel\":\"email\",\"customer_id\":0}", "customer_id"},
		{"{\"channel\":\"email\",\"expected_version\":2}", "expected_version"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *obj = parse(bad[i][0]);
		assert_int_not_equal(contact_input_decode(obj, false, &in, &err), GC_OK);
		assert_string_equal(err.field, bad[i][1]);
		json_decref(obj);
	}
	char big[700];
	memset(big, 'x', sizeof(big));
	json_t *obj = json_pack("{s:s,s:s#}", "channel", "chat", "subject", big, sizeof(big));
	assert_int_equal(contact_input_decode(obj, false, &in, &err), GC_ETOOBIG);
	json_decref(obj);
}

static void patches_mark_what_they_carry(void **state)
{
	struct contact_input in;
	struct decode_error err;
	json_t *obj = parse("{\"queue\":null,\"priority\":2,\"expected_version\":4}");
	assert_int_equal(contact_input_decode(obj, true, &in, &err), GC_OK);
	assert_int_equal(in.has, HAS_QUEUE | HAS_PRIORITY | HAS_VERSION);
	assert_null(in.queue);
	assert_int_equal(in.expected_version, 4);
	json_decref(obj);
	obj = parse("{\"channel\":\"email\"}");
	assert_int_equal(contact_input_decode(obj, true, &in, &err), GC_EINVAL);
	json_decref(obj);
}

static void customers_and_attributes(void **state)
{
	struct customer_input in;
	struct decode_error err;
	json_t *obj = parse("{\"external_id\":\"C1\",\"email\":\"a@b.fr\",\"attributes\":{"
			    "\"first_name\":{\"value\":\"Ana\",\"class\":\"basic\"},\"note\":\"x\",\"gone\":null}}");
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_OK);
	assert_int_equal(in.n_attrs, 3);
	for (size_t i = 0; i < in.n_attrs; i++) {
		if (strcmp(in.attrs[i].key, "first_name") == 0)
			assert_int_equal(in.attrs[i].sensitivity, SENS_BASIC);
		if (strcmp(in.attrs[i].key, "note") == 0) /* no class: the tenant's policy decides */
			assert_int_equal(in.attrs[i].sensitivity, SENS_NONE);
		if (strcmp(in.attrs[i].key, "gone") == 0)
			assert_null(in.attrs[i].value);
	}
	json_decref(obj);
	const char *bad[][2] = {
		{"{}", "external_id"},
		{"{\"email\":\"nope\"}", "email"},
		{"{\"phone\":\"call me\"}", "phone"},
		{"{\"external_id\":\"C\",\"attributes\":{\"Bad-Key\":\"x\"}}", "attributes.Bad-Key"},
		{"{\"external_id\":\"C\",\"attributes\":{\"k\":{\"value\":\"x\",\"class\":\"secret\"}}}", "attributes.k"},
		{"{\"external_id\":\"C\",\"attributes\":{\"k\":{\"value\":\"x\",\"extra\":1}}}", "attributes.k"},
		{"{\"external_id\":\"C\",\"attributes\":{\"k\":5}}", "attributes.k"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		obj = parse(bad[i][0]);
		assert_int_not_equal(customer_input_decode(obj, false, &in, &err), GC_OK);
		assert_string_equal(err.field, bad[i][1]);
		json_decref(obj);
	}
}


/* "{"a":" nested n deep in arrays: [[[...1...]]] inside an object */
static char *nested(int n)
{
	char *s = malloc((size_t)n * 2 + 16);
	size_t len = 0;
	len += (size_t)sprintf(s + len, "{\"a\":");
	for (int i = 1; i < n; i++)
		s[len++] = '[';
	s[len++] = '1';
	for (int i = 1; i < n; i++)
		s[len++] = ']';
	s[len++] = '}';
	s[len] = '\0';
	return s;
}

/* request bodies nest at most DECODE_MAX_DEPTH deep; deeper is refused by a
 * scan before jansson allocates anything (jansson alone allows 2048) */
static void json_depth_is_bounded(void **state)
{
	struct decode_error err;
	json_t *obj = NULL;
	char *ok = nested(DECODE_MAX_DEPTH), *deep = nested(DECODE_MAX_DEPTH + 1);
	assert_int_equal(decode_body(ok, strlen(ok), &obj, &err), GC_OK);
	json_decref(obj);
	assert_int_equal(decode_body(deep, strlen(deep), &obj, &err), GC_ETOOBIG);
	assert_non_null(strstr(err.message, "deeper than 32"));
	free(ok);
	free(deep);
	/* brackets inside strings do not count, escaped quotes do not end them */
	const char *text = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[[\"}";
	assert_true(decode_depth_ok(text, strlen(text), 2));
	assert_false(decode_depth_ok("[[[]]]", 6, 2));
	char *huge = nested(100000);
	assert_int_equal(decode_body(huge, strlen(huge), &obj, &err), GC_ETOOBIG);
	free(huge);
}

static json_t *attrs_body(int n_attrs, size_t key_len, size_t value_len)
{
	json_t *attrs = json_object();
	char *value = malloc(value_len + 1);
	memset(value, 'v', value_len);
	value[value_len] = '\0';
	for (int i = 0; i < n_attrs; i++) {
		char key[128];
		snprintf(key, sizeof(key), "k%d", i);
		size_t len = strlen(key);
		while (len < key_len)
			key[len++] = 'x';
		key[len] = '\0';
		json_object_set_new(attrs, key, json_string(value));
	}
	free(value);
	return json_pack("{s:s,s:o}", "external_id", "C1", "attributes", attrs);
}

/* the JSON side of the CSV limits: 64 attributes, names of 64 bytes, values of 4096 */
static void attribute_limits_are_the_maximum_and_one_more(void **state)
{
	struct customer_input in;
	struct decode_error err;
	json_t *obj = attrs_body(DECODE_MAX_ATTRS, 8, 10);
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_OK);
	assert_int_equal(in.n_attrs, 64);
	json_decref(obj);
	obj = attrs_body(DECODE_MAX_ATTRS + 1, 8, 10);
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_ETOOBIG);
	assert_string_equal(err.field, "attributes");
	json_decref(obj);
	obj = attrs_body(1, DECODE_MAX_ATTR_KEY, DECODE_MAX_ATTR_VALUE);
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_OK);
	json_decref(obj);
	obj = attrs_body(1, DECODE_MAX_ATTR_KEY + 1, 1);
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_ETOOBIG);
	assert_string_equal(err.field, "attributes");
	json_decref(obj);
	obj = attrs_body(1, 8, DECODE_MAX_ATTR_VALUE + 1);
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_ETOOBIG);
	assert_string_equal(err.field, "attributes.k0xxxxxx");
	json_decref(obj);
	obj = parse("{\"external_id\":\"C\",\"attributes\":{\"k\":{\"value\":\"-\",\"class\":\"basic\"}}}");
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_OK);
	assert_int_equal(in.attrs[0].sensitivity, SENS_BASIC);
	json_decref(obj);
	/* a blank value says nothing: null removes one */
	obj = parse("{\"external_id\":\"C\",\"attributes\":{\"k\":{\"value\":\" \",\"class\":\"basic\"}}}");
	assert_int_equal(customer_input_decode(obj, false, &in, &err), GC_EINVAL);
	json_decref(obj);
}

static void other_inputs(void **state)
{
	struct decode_error err;
	struct state_input st;
	json_t *obj = parse("{\"state\":\"resolved\",\"disposition\":\"fixed\"}");
	assert_int_equal(state_input_decode(obj, &st, &err), GC_OK);
	assert_int_equal(st.state, CONTACT_RESOLVED);
	assert_int_equal(st.expected_version, -1);
	json_decref(obj);
	/* a blank disposition would be a nameless row in the reports */
	obj = parse("{\"state\":\"resolved\",\"disposition\":\" \"}");
	assert_int_equal(state_input_decode(obj, &st, &err), GC_EINVAL);
	assert_string_equal(err.field, "disposition");
	json_decref(obj);
	struct routing_input ri;
	obj = parse("{\"disposition\":\"\"}");
	assert_int_equal(routing_input_decode(obj, ROUTING_WRAPUP, &ri, &err), GC_EINVAL);
	assert_string_equal(err.field, "disposition");
	json_decref(obj);
	struct user_input u;
	obj = parse("{\"email\":\"u@x.io\",\"name\":\"U\",\"password\":\"short\",\"role\":\"agent\"}");
	assert_int_equal(user_input_decode(obj, &u, &err), GC_EINVAL);
	assert_string_equal(err.field, "password");
	json_decref(obj);
	obj = parse("{\"email\":\"u@x.io\",\"name\":\"U\",\"password\":\"long enough\",\"role\":\"boss\"}");
	assert_int_equal(user_input_decode(obj, &u, &err), GC_EINVAL);
	assert_string_equal(err.field, "role");
	json_decref(obj);
	struct message_input m;
	obj = parse("{\"body\":\"hi\",\"direction\":\"sideways\"}");
	assert_int_equal(message_input_decode(obj, false, &m, &err), GC_EINVAL);
	json_decref(obj);
	obj = parse("{\"body\":\"hi\",\"direction\":\"outbound\"}");
	assert_int_equal(message_input_decode(obj, true, &m, &err), GC_EINVAL); /* notes have no direction */
	assert_int_equal(message_input_decode(obj, false, &m, &err), GC_OK);
	assert_true(m.outbound);
	json_decref(obj);
	obj = parse("{\"body\":\" \\n\\t \"}"); /* blank says nothing */
	assert_int_equal(message_input_decode(obj, true, &m, &err), GC_EINVAL);
	assert_string_equal(err.field, "body");
	json_decref(obj);
	struct contact_input ci;
	obj = parse("{\"channel\":\"chat\",\"message\":\"\"}");
	assert_int_equal(contact_input_decode(obj, false, &ci, &err), GC_EINVAL);
	assert_string_equal(err.field, "message");
	json_decref(obj);
	struct named_input n;
	obj = parse("{\"name\":\"Acme\",\"kind\":\"bank\"}");
	assert_int_equal(organisation_input_decode(obj, &n, &err), GC_EINVAL);
	json_decref(obj);
	struct token_input t;
	obj = parse("{\"name\":\"crm\",\"role\":\"agent\",\"expires_days\":0}");
	assert_int_equal(token_input_decode(obj, &t, &err), GC_EINVAL);
	json_decref(obj);
}

/* A queue's service level and offer window default by channel: an email
 * queue is not late after 20 seconds; what the request says wins. */
static void queue_defaults_follow_the_channel(void **state)
{
	(void)state;
	static const struct {
		const char *channel;
		double sl_target;
		int sl_seconds, offer_timeout_s;
	} cases[] = {{"phone", 0.8, 20, 15}, {"chat", 0.8, 30, 20}, {"email", 0.9, 3600, 60},
		{"sms", 0.8, 3600, 60}, {"social", 0.8, 3600, 60}, {"web", 0.9, 3600, 60}};
	struct decode_error err;
	struct queue_input q;
	char body[128];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"name\":\"Q\",\"skill_id\":1,\"channel\":\"%s\"}", cases[i].channel);
		json_t *obj = parse(body);
		assert_int_equal(queue_input_decode(obj, &q, &err), GC_OK);
		assert_true(q.sl_target == cases[i].sl_target);
		assert_int_equal(q.sl_seconds, cases[i].sl_seconds);
		assert_int_equal(q.offer_timeout_s, cases[i].offer_timeout_s);
		json_decref(obj);
	}
	json_t *obj = parse("{\"name\":\"Q\",\"skill_id\":1,\"channel\":\"email\",\"sl_target\":0.5,"
			    "\"sl_seconds\":86400,\"offer_timeout_s\":0}");
	assert_int_equal(queue_input_decode(obj, &q, &err), GC_OK);
	assert_true(q.sl_target == 0.5);
	assert_int_equal(q.sl_seconds, 86400);
	assert_int_equal(q.offer_timeout_s, 0);
	json_decref(obj);
	obj = parse("{\"name\":\"Q\",\"skill_id\":1,\"channel\":\"fax\"}");
	assert_int_equal(queue_input_decode(obj, &q, &err), GC_EINVAL);
	assert_string_equal(err.field, "channel");
	json_decref(obj);
}

/* A queue's hours: two ranges of a day may not overlap (a request's check:
 * a queue stored by an older version still decodes, to keep routing); one
 * past midnight says how to write it. */
static void queue_hours_are_checked(void **state)
{
	static const char *const bad[][2] = {
		{"[\"08:00-12:00\",\"11:00-14:00\"]", "overlap"},
		{"[\"13:00-18:00\",\"08:00-14:00\"]", "overlap"},
		{"[\"18:00-08:00\"]", "two ranges"},
	};
	struct queue_input q;
	struct decode_error err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "{\"name\":\"Q\",\"skill_id\":1,\"channel\":\"phone\","
			 "\"hours\":{\"days\":{\"mon\":%s}}}", bad[i][0]);
		json_t *obj = parse(text);
		int rc = queue_input_decode(obj, &q, &err);
		if (strcmp(bad[i][1], "overlap") == 0) {
			assert_int_equal(rc, GC_OK);
			rc = queue_hours_check(&q, &err);
		}
		assert_int_equal(rc, GC_EINVAL);
		assert_string_equal(err.field, "hours.days");
		if (strstr(err.message, bad[i][1]) == NULL)
			fail_msg("%s: %s", bad[i][0], err.message);
		json_decref(obj);
	}
	json_t *obj = parse("{\"name\":\"Q\",\"skill_id\":1,\"channel\":\"phone\","
			    "\"hours\":{\"days\":{\"mon\":[\"13:30-18:00\",\"08:00-12:00\"]}}}");
	assert_int_equal(queue_input_decode(obj, &q, &err), GC_OK);
	assert_int_equal(queue_hours_check(&q, &err), GC_OK);
	assert_int_equal(q.hours[0][1][0], 8 * 60);
	json_decref(obj);
}

/* A tenant's disposition codes: in order, each code once and of a-z, 0-9,
 * '_' and '-', each label one line; an error names the item. */
static void disposition_lists_are_checked(void **state)
{
	struct decode_error err;
	struct disposition_list l;
	json_t *obj = parse("{\"items\":[{\"code\":\"refund_issued\",\"label\":\"Refund issued\"},"
			    "{\"code\":\"info-2\",\"label\":\"Information given\"}]}");
	assert_int_equal(disposition_list_decode(obj, &l, &err), GC_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[1].code, "info-2");
	assert_string_equal(l.items[0].label, "Refund issued");
	json_decref(obj);
	obj = parse("{\"items\":[]}");
	assert_int_equal(disposition_list_decode(obj, &l, &err), GC_OK);
	assert_int_equal(l.n, 0);
	json_decref(obj);
	static const char *const bad[] = {
		"{}", "{\"items\":{}}", "{\"items\":[1]}", "{\"items\":[{\"code\":\"a\"}]}",
		"{\"items\":[{\"code\":\"A b\",\"label\":\"x\"}]}", "{\"items\":[{\"code\":\"a\",\"label\":\" \"}]}",
		"{\"items\":[{\"code\":\"a\",\"label\":\"x\"},{\"code\":\"a\",\"label\":\"y\"}]}",
		"{\"items\":[{\"code\":\"a\",\"label\":\"x\",\"color\":\"red\"}]}", "{\"items\":[],\"more\":1}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		obj = parse(bad[i]);
		assert_int_equal(disposition_list_decode(obj, &l, &err), GC_EINVAL);
		if (i > 0 && i < 8)
			assert_string_equal(err.field, "items");
		json_decref(obj);
	}
	obj = parse("{\"items\":[{\"code\":\"a\",\"label\":\"x\"},{\"code\":\"b\",\"label\":\" \"}]}");
	assert_int_equal(disposition_list_decode(obj, &l, &err), GC_EINVAL);
	assert_non_null(strstr(err.message, "item 2"));
	json_decref(obj);
	/* one over the limit */
	json_t *many = json_array();
	for (int i = 0; i <= DECODE_MAX_DISPOSITIONS; i++) {
		char code[16];
		snprintf(code, sizeof(code), "c%d", i);
		json_array_append_new(many, json_pack("{s:s,s:s}", "code", code, "label", "x"));
	}
	obj = json_pack("{s:o}", "items", many);
	assert_int_equal(disposition_list_decode(obj, &l, &err), GC_EINVAL);
	json_array_remove(many, 0);
	assert_int_equal(disposition_list_decode(obj, &l, &err), GC_OK);
	assert_int_equal(l.n, DECODE_MAX_DISPOSITIONS);
	json_decref(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(states_have_names),
		cmocka_unit_test(closed_is_final_and_moves_are_checked),
		cmocka_unit_test(roles_decide_permissions_and_visibility),
		cmocka_unit_test(body_must_be_an_object),
		cmocka_unit_test(contact_decoding_is_strict),
		cmocka_unit_test(patches_mark_what_they_carry),
		cmocka_unit_test(customers_and_attributes),
		cmocka_unit_test(other_inputs),
		cmocka_unit_test(queue_defaults_follow_the_channel),
		cmocka_unit_test(queue_hours_are_checked),
		cmocka_unit_test(json_depth_is_bounded),
		cmocka_unit_test(disposition_lists_are_checked),
		cmocka_unit_test(attribute_limits_are_the_maximum_and_one_more),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
