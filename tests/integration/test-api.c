/* Integration tests of the HTTP API against the real daemon: auth, errors,
 * contacts, customers and redaction, CSV import, users, API tokens, audit,
 * metrics, schema versions, and signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ADMIN "admin@brand.example"
#define PASSWORD "correct horse"

static struct daemon d;
static char *admin;

static int group_setup(void **state)
{
	if (daemon_init(&d, "brand", ADMIN, PASSWORD) != 0 ||
	    daemon_start(&d, "--max-failed-logins", "3", NULL) != 0)
		return -1;
	admin = login(&d, ADMIN, PASSWORD);
	/* the classes the customer tests expect are the tenant's policy (issue 12, finding 15) */
	return http_status(&d, "PATCH", "/api/v1/customer-attributes", admin, json_pack("{s:{s:s,s:s,s:s}}",
		"attributes", "first_name", "basic", "plan", "basic", "iban", "confidential")) == 200 ? 0 : -1;
}

static int group_teardown(void **state)
{
	free(admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* Creates a user with role in the admin's tenant and logs them in. */
static char *user_with_role(const char *email, const char *role)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", email,
		  "name", "Test User", "password", PASSWORD, "role", role), &r);
	assert_int_equal(r.status, 201);
	resp_clear(&r);
	return login(&d, email, PASSWORD);
}

static void health_and_metrics(void **state)
{
	struct resp r;
	http_raw(&d, "GET", "/healthz", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	assert_true(resp_int(&r, "schema_version") >= 1);
	resp_clear(&r);
	http_raw(&d, "GET", "/metrics", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 401); /* failed logins and the database size are not for anyone */
	assert_string_equal(resp_error(&r), "unauthorized");
	resp_clear(&r);
	http_raw(&d, "GET", "/metrics", admin, NULL, NULL, NULL, 0, &r); /* a platform admin */
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.text, "guichet_http_requests_total{route=\"GET /healthz\",status=\"200\"}"));
	assert_non_null(strstr(r.text, "guichet_http_request_duration_seconds_bucket{route=\"GET /healthz\",le=\"+Inf\"}"));
	assert_non_null(strstr(r.text, "guichet_db_size_bytes "));
	resp_clear(&r);
}

static void tokens_are_required_and_revocable(void **state)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/contacts", NULL, NULL, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(resp_error(&r), "unauthorized");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", "gct_forged", NULL), 401);
	http_json(&d, "POST", "/api/v1/auth/login", NULL,
		  json_pack("{s:s,s:s}", "email", ADMIN, "password", "wrong password"), &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.text, "wrong email or password"));
	resp_clear(&r);
	char *token = login(&d, ADMIN, PASSWORD);
	http_json(&d, "GET", "/api/v1/me", token, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "tenant_admin");
	assert_true(json_is_true(json_object_get(r.json, "platform_admin")));
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/auth/logout", token, NULL), 204);
	assert_int_equal(http_status(&d, "GET", "/api/v1/me", token, NULL), 401);
	free(token);
}

static void failed_logins_are_throttled_and_audited(void **state)
{
	char *victim = user_with_role("victim@brand.example", "agent");
	free(victim);
	struct resp r;
	for (int i = 0; i < 3; i++)
		assert_int_equal(http_status(&d, "POST", "/api/v1/auth/login", NULL,
			json_pack("{s:s,s:s}", "email", "victim@brand.example", "password", "guess guess")), 401);
	/* now even the right password is refused for a while */
	http_json(&d, "POST", "/api/v1/auth/login", NULL,
		  json_pack("{s:s,s:s}", "email", "victim@brand.example", "password", PASSWORD), &r);
	assert_int_equal(r.status, 429);
	assert_string_equal(resp_error(&r), "too_many_requests");
	assert_true(atoi(r.retry_after) > 0);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/audit?limit=100", admin, NULL, &r);
	int failures = 0;
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), i, item)
		failures += strcmp(json_string_value(json_object_get(item, "action")), "login_failed") == 0 &&
			    strcmp(json_string_value(json_object_get(item, "target")), "victim@brand.example") == 0;
	assert_int_equal(failures, 3);
	resp_clear(&r);
	/* a password typed in the email field is written nowhere: not the log, not the audit */
	assert_int_equal(http_status(&d, "POST", "/api/v1/auth/login", NULL,
		json_pack("{s:s,s:s}", "email", "Tr0ub4dor&3-secret", "password", "x")), 401);
	sleep(2); /* request lines reach the log within a second */
	FILE *f = fopen(d.log, "r");
	assert_non_null(f);
	char line[4096];
	bool leaked = false, logged = false;
	while (fgets(line, sizeof(line), f)) {
		leaked |= strstr(line, "Tr0ub4dor") != NULL;
		logged |= strstr(line, "(not an email address)") != NULL;
	}
	fclose(f);
	assert_false(leaked);
	assert_true(logged);
	http_json(&d, "GET", "/api/v1/audit?limit=200", admin, NULL, &r);
	assert_null(strstr(r.text, "Tr0ub4dor"));
	resp_clear(&r);
}

static void expect_error(const char *method, const char *path, const char *type, const char *body,
			 size_t len, int status, const char *code, const char *field)
{
	struct resp r;
	http_raw(&d, method, path, admin, NULL, type, body, len, &r);
	if (r.status != status)
		fprintf(stderr, "%s %s: got %d %s\n", method, path, r.status, r.text ? r.text : "");
	assert_int_equal(r.status, status);
	assert_string_equal(resp_error(&r), code);
	if (field)
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), field);
	assert_non_null(json_object_get(json_object_get(r.json, "error"), "message"));
	resp_clear(&r);
}

#define JSON "application/json"
#define E(method, path, type, body, status, code, field) \
	expect_error(method, path, type, body, strlen(body), status, code, field)

static void bad_requests_get_json_errors(void **state)
{
	E("POST", "/api/v1/contacts", JSON, "{\"channel\":", 400, "invalid", NULL);
	E("POST", "/api/v1/contacts", JSON, "[]", 400, "invalid", NULL);
	E("POST", "/api/v1/contacts", JSON, "{\"channel\":\"email\",\"colour\":\"red\"}", 400, "invalid", "colour");
	E("POST", "/api/v1/contacts", JSON, "{\"channel\":\"email\",\"priority\":\"high\"}", 400, "invalid", "priority");
	E("POST", "/api/v1/contacts", JSON, "{\"channel\":\"email\",\"subject\":\"\xc3\x28\"}", 400, "invalid", NULL);
	E("POST", "/api/v1/contacts", "text/plain", "{\"channel\":\"email\"}", 415, "unsupported_media_type", "Content-Type");
	E("POST", "/api/v1/contacts", NULL, "{\"channel\":\"email\"}", 415, "unsupported_media_type", "Content-Type");
	E("GET", "/api/v1/nothing-here", NULL, "", 404, "not_found", NULL);
	E("GET", "/api/v1/contacts/abc", NULL, "", 404, "not_found", NULL);
	E("GET", "/api/v1/contacts/999999", NULL, "", 404, "not_found", NULL);
	E("DELETE", "/api/v1/contacts", NULL, "", 405, "method_not_allowed", NULL);
	E("GET", "/api/v1/contacts?limit=0", NULL, "", 400, "invalid", "limit");
	E("GET", "/api/v1/contacts?state=lost", NULL, "", 400, "invalid", "state");
	E("GET", "/api/v1/contacts?updated_since=yesterday", NULL, "", 400, "invalid", "updated_since");
	/* a message's template and values, for a client to translate */
	struct resp t;
	http_json(&d, "GET", "/api/v1/contacts?state=lost", admin, NULL, &t);
	json_t *e = json_object_get(t.json, "error");
	assert_string_equal(json_string_value(json_object_get(e, "message")), "unknown state 'lost'");
	assert_string_equal(json_string_value(json_object_get(e, "template")), "unknown state '%.32s'");
	assert_int_equal(json_array_size(json_object_get(e, "args")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "args"), 0)), "lost");
	resp_clear(&t);
	/* a body's decoding error too */
	http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:s}", "channel", "email", "priority", "high"), &t);
	e = json_object_get(t.json, "error");
	assert_string_equal(json_string_value(json_object_get(e, "template")), "'%s' must be an integer");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "args"), 0)), "priority");
	resp_clear(&t);
	char *big = malloc(2 * 1024 * 1024);
	memset(big, ' ', 2 * 1024 * 1024);
	big[0] = '{';
	big[2 * 1024 * 1024 - 1] = '}';
	expect_error("POST", "/api/v1/contacts", JSON, big, 2 * 1024 * 1024, 413, "too_large", NULL);
	char *subject = malloc(1200);
	int n = snprintf(big, 2 * 1024 * 1024, "{\"channel\":\"email\",\"subject\":\"");
	memset(big + n, 'x', 600);
	n += 600;
	n += snprintf(big + n, 100, "\"}");
	expect_error("POST", "/api/v1/contacts", JSON, big, (size_t)n, 413, "too_large", "subject");
	free(subject);
	free(big);
	/* nothing above was stored */
	struct resp r;
	http_json(&d, "GET", "/api/v1/contacts?limit=500", admin, NULL, &r);
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), i, item)
		assert_false(json_is_string(json_object_get(item, "subject")) &&
			     strcmp(json_string_value(json_object_get(item, "subject")), "x") == 0);
	resp_clear(&r);
}

static long long create_contact(const char *token, json_t *body)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/contacts", token, body, &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	return id;
}

static int post_state(long long id, const char *state_name, const char *disposition, int version)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/state", id);
	json_t *body = json_pack("{s:s,s:s?}", "state", state_name, "disposition", disposition);
	if (version)
		json_object_set_new(body, "expected_version", json_integer(version));
	struct resp r;
	http_json(&d, "POST", path, admin, body, &r);
	int status = r.status;
	if (status == 422)
		assert_string_equal(resp_error(&r), strcmp(state_name, "resolved") == 0 && !disposition
					   ? "invalid" : "invalid_transition");
	resp_clear(&r);
	return status;
}

static void contacts_follow_their_state_machine(void **state)
{
	struct resp r;
	long long id = create_contact(admin, json_pack("{s:s,s:s,s:s,s:[s],s:s}", "channel", "email",
		"subject", "Router blinks red", "queue", "support", "tags", "router", "message", "It blinks."));
	char path[64], sub[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", id);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "new");
	assert_int_equal(resp_int(&r, "version"), 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 1);
	resp_clear(&r);
	snprintf(sub, sizeof(sub), "%s/messages", path);
	assert_int_equal(http_status(&d, "POST", sub, admin,
		json_pack("{s:s,s:s}", "direction", "outbound", "body", "Please restart it.")), 201);
	snprintf(sub, sizeof(sub), "%s/notes", path);
	assert_int_equal(http_status(&d, "POST", sub, admin, json_pack("{s:s}", "body", "Known issue")), 201);
	assert_int_equal(post_state(id, "queued", NULL, 0), 200);
	assert_int_equal(post_state(id, "waiting_on_customer", NULL, 0), 422);
	assert_int_equal(post_state(id, "assigned", NULL, 2), 409); /* stale version */
	assert_int_equal(post_state(id, "assigned", NULL, 0), 200);
	assert_int_equal(post_state(id, "resolved", NULL, 0), 422);
	assert_int_equal(post_state(id, "resolved", "fixed_remotely", 0), 200);
	assert_int_equal(post_state(id, "closed", NULL, 0), 200);
	snprintf(sub, sizeof(sub), "%s/messages", path);
	http_json(&d, "POST", sub, admin, json_pack("{s:s,s:s}", "direction", "inbound", "body", "Thanks"), &r);
	assert_int_equal(r.status, 422);
	/* the store's refusal, passed on by the core operations, keeps its template */
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "template")),
			    "the contact is closed");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "PATCH", path, admin, json_pack("{s:s}", "subject", "late")), 422);
	snprintf(sub, sizeof(sub), "%s/events", path);
	http_json(&d, "GET", sub, admin, NULL, &r);
	const char *expected[] = {"created", "message_added", "note_added", "state_changed",
				  "state_changed", "state_changed", "state_changed"};
	json_t *items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(items, i), "type")), expected[i]);
	json_t *last = json_object_get(json_array_get(items, 6), "data");
	assert_string_equal(json_string_value(json_object_get(last, "from")), "resolved");
	assert_string_equal(json_string_value(json_object_get(last, "to")), "closed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "actor")), ADMIN);
	resp_clear(&r);
}

/* A new contact's answer is made from what was inserted, not read back:
 * it must be exactly what a GET shows, with and without a message, a
 * customer, tags. */
static void a_new_contact_answers_what_a_get_shows(void **state)
{
	long long customer = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:s}", "external_id", "ANSWER-1",
		"email", "ann@example.net"));
	json_t *bodies[] = {
		json_pack("{s:s}", "channel", "chat"),
		json_pack("{s:s,s:s,s:s,s:s,s:i,s:[s,s],s:s,s:I}", "channel", "email", "subject", "Été « accents »",
			  "reason", "billing", "queue", "support", "priority", 3, "tags", "a", "b", "message",
			  "Line one\nline two \"quoted\"", "customer_id", (json_int_t)customer),
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct resp created, got;
		http_json(&d, "POST", "/api/v1/contacts", admin, bodies[i], &created);
		assert_int_equal(created.status, 201);
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld", resp_int(&created, "id"));
		http_json(&d, "GET", path, admin, NULL, &got);
		assert_int_equal(got.status, 200);
		if (!json_equal(created.json, got.json))
			fprintf(stderr, "POST answered %s\nGET answered %s\n", created.text, got.text);
		assert_true(json_equal(created.json, got.json));
		resp_clear(&created);
		resp_clear(&got);
	}
}

/* A new contact with no customer and no queue is checked at the commit,
 * not after its request (writer.c): when its insert fails anyway (here a
 * trigger refuses it), it is not acknowledged, nothing of it stays, and the
 * next request is served. */
static void a_write_checked_at_the_commit_fails_whole(void **state)
{
	const char *trigger = testdb_is_pg()
		? "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
		  " IF NEW.subject = 'poison' THEN RAISE EXCEPTION 'poison'; END IF; RETURN NEW; END $$;"
		  " CREATE TRIGGER refuse_poison BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
		: "CREATE TRIGGER refuse_poison BEFORE INSERT ON contacts WHEN NEW.subject = 'poison'"
		  " BEGIN SELECT RAISE(ABORT, 'poison'); END";
	assert_int_equal(testdb_exec(d.db, trigger), 0);
	struct resp r;
	http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:s,s:s}", "channel", "chat", "subject", "poison",
		  "message", "it must not stay"), &r);
	assert_int_equal(r.status, 503);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/contacts?limit=500", admin, NULL, &r);
	assert_int_equal(r.status, 200);
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), i, item)
		assert_string_not_equal(json_string_value(json_object_get(item, "subject")) ?
					json_string_value(json_object_get(item, "subject")) : "", "poison");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:s}", "channel", "chat",
		"subject", "fine")), 201);
	assert_int_equal(testdb_exec(d.db, testdb_is_pg() ? "DROP TRIGGER refuse_poison ON contacts"
							 : "DROP TRIGGER refuse_poison"), 0);
}

static void contacts_patch_and_customer_link(void **state)
{
	struct resp r;
	long long id = create_contact(admin, json_pack("{s:s}", "channel", "chat"));
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", id);
	http_json(&d, "PATCH", path, admin, json_pack("{s:s,s:i,s:[s,s],s:i}", "queue", "billing",
		  "priority", 7, "tags", "a", "b", "expected_version", 1), &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "queue")), "billing");
	assert_int_equal(resp_int(&r, "priority"), 7);
	assert_int_equal(resp_int(&r, "version"), 2);
	resp_clear(&r);
	/* nothing to change: no new version, so another editor's expected_version still holds */
	http_json(&d, "PATCH", path, admin, json_object(), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "version"), 2);
	resp_clear(&r);
	http_json(&d, "PATCH", path, admin, json_pack("{s:s,s:i}", "queue", "x", "expected_version", 1), &r);
	assert_int_equal(r.status, 409);
	/* the store's own words come with their template and values too */
	json_t *e = json_object_get(r.json, "error");
	assert_string_equal(json_string_value(json_object_get(e, "message")), "the contact is at version 2, not 1");
	assert_string_equal(json_string_value(json_object_get(e, "template")), "the contact is at version %lld, not %lld");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "args"), 0)), "2");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "args"), 1)), "1");
	resp_clear(&r);
	http_json(&d, "PATCH", path, admin, json_pack("{s:i}", "customer_id", 987654), &r);
	assert_int_equal(r.status, 422);
	e = json_object_get(r.json, "error");
	assert_string_equal(json_string_value(json_object_get(e, "template")), "no customer %lld in this tenant");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "args"), 0)), "987654");
	resp_clear(&r);
}

static void retries_with_an_idempotency_key_write_once(void **state)
{
	const char *body = "{\"channel\":\"email\",\"subject\":\"retry-me\"}";
	struct resp first, again, other, bad;
	http_raw_headers(&d, "POST", "/api/v1/contacts", admin, "Idempotency-Key: order-42", body, &first);
	http_raw_headers(&d, "POST", "/api/v1/contacts", admin, "Idempotency-Key: order-42", body, &again);
	assert_int_equal(first.status, 201);
	assert_int_equal(again.status, 201);
	assert_int_equal(resp_int(&first, "id"), resp_int(&again, "id"));
	http_raw_headers(&d, "POST", "/api/v1/contacts", admin, "Idempotency-Key: order-42",
			 "{\"channel\":\"chat\"}", &other);
	assert_int_equal(other.status, 409);
	assert_string_equal(resp_error(&other), "idempotency_key_reused");
	char long_key[200] = "Idempotency-Key: ";
	memset(long_key + 17, 'k', 150);
	long_key[167] = '\0';
	http_raw_headers(&d, "POST", "/api/v1/contacts", admin, long_key, body, &bad);
	assert_int_equal(bad.status, 400);
	struct resp list;
	http_json(&d, "GET", "/api/v1/contacts?limit=500", admin, NULL, &list);
	int n = 0;
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(list.json, "items"), i, item)
		n += json_is_string(json_object_get(item, "subject")) &&
		     strcmp(json_string_value(json_object_get(item, "subject")), "retry-me") == 0;
	assert_int_equal(n, 1);
	resp_clear(&first);
	resp_clear(&again);
	resp_clear(&other);
	resp_clear(&bad);
	resp_clear(&list);
}

static void lists_filter_and_page(void **state)
{
	long long ids[5];
	for (int i = 0; i < 5; i++)
		ids[i] = create_contact(admin, json_pack("{s:s,s:s}", "channel", "sms", "queue", "q-list"));
	post_state(ids[0], "queued", NULL, 0);
	long long seen[5];
	int n = 0;
	char path[128] = "/api/v1/contacts?queue=q-list&limit=2";
	for (int page = 0; page < 5; page++) {
		struct resp r;
		http_json(&d, "GET", path, admin, NULL, &r);
		assert_int_equal(r.status, 200);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), i, item) {
			assert_string_equal(json_string_value(json_object_get(item, "queue")), "q-list");
			assert_true(n < 5);
			seen[n++] = json_integer_value(json_object_get(item, "id"));
		}
		const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (next)
			snprintf(path, sizeof(path), "/api/v1/contacts?queue=q-list&limit=2&cursor=%s", next);
		resp_clear(&r);
		if (!next)
			break;
	}
	assert_int_equal(n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(seen[i], ids[4 - i]); /* newest first, each once */
	struct resp r;
	http_json(&d, "GET", "/api/v1/contacts?queue=q-list&state=queued", admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/contacts?updated_since=2999-01-01T00:00:00Z", admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
}

static void customers_are_redacted_by_role(void **state)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/customers", admin, json_pack("{s:s,s:s,s:s,s:{s:{s:s,s:s},s:s,s:{s:s,s:s}}}",
		"external_id", "RED-1", "email", "Ana@Example.NET", "phone", "+33 1 23 45 67 89", "attributes",
		"first_name", "value", "Ana", "class", "basic", "birth_date", "1980-02-03",
		"iban", "value", "FR76 0000", "class", "confidential"), &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/customers", admin,
				     json_pack("{s:s}", "external_id", "RED-1")), 409);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/customers/%lld", id);
	char *outsourced = user_with_role("bpo@acme.example", "outsourced_agent");
	http_json(&d, "GET", path, outsourced, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "email"));
	assert_null(json_object_get(r.json, "phone"));
	json_t *attrs = json_object_get(r.json, "attributes");
	assert_int_equal(json_object_size(attrs), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(attrs, "first_name"), "value")), "Ana");
	assert_null(strstr(r.text, "FR76"));
	assert_null(strstr(r.text, "1980"));
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", "/api/v1/customers?email=ana@example.net", outsourced, NULL), 403);
	assert_int_equal(http_status(&d, "POST", "/api/v1/customers", outsourced,
				     json_pack("{s:s}", "external_id", "BPO-1")), 403);
	http_json(&d, "GET", "/api/v1/customers?external_id=RED-1", outsourced, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_null(strstr(r.text, "ana@example.net"));
	resp_clear(&r);
	char *agent = user_with_role("agent@brand.example", "agent");
	http_json(&d, "GET", path, agent, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "email")), "ana@example.net");
	assert_null(json_object_get(json_object_get(r.json, "attributes"), "iban"));
	resp_clear(&r);
	/* emails are kept lowercase and found whatever their case */
	http_json(&d, "GET", "/api/v1/customers?email=ANA@example.net", agent, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	resp_clear(&r);
	assert_int_equal(http_status(&d, "PATCH", path, agent, json_pack("{s:{s:n}}", "attributes", "iban")), 403);
	char *author = user_with_role("author@brand.example", "author");
	assert_int_equal(http_status(&d, "GET", path, author, NULL), 403);
	free(outsourced);
	free(agent);
	free(author);
}

static void customer_import_reports_and_is_idempotent(void **state)
{
	const char *csv = "external_id,email,first_name:basic,plan:basic\n"
			  "IMP-1,one@example.net,Ana,fibre\n"
			  "IMP-2,not-an-email,Bob,tv\n"
			  "IMP-3,,Cy,mobile\n";
	struct resp r;
	http_raw(&d, "POST", "/api/v1/customers/import", admin, NULL, "text/csv", csv, strlen(csv), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "inserted"), 2);
	json_t *rejected = json_object_get(r.json, "rejected");
	assert_int_equal(json_array_size(rejected), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rejected, 0), "line")), 3);
	resp_clear(&r);
	http_raw(&d, "POST", "/api/v1/customers/import", admin, NULL, "text/csv", csv, strlen(csv), &r);
	assert_int_equal(resp_int(&r, "inserted"), 0);
	assert_int_equal(resp_int(&r, "unchanged"), 2);
	resp_clear(&r);
	/* a later file merges: a column it lacks and a blank cell keep what is
	 * stored; a customer given twice in one file is refused at the second line */
	const char *more = "external_id,plan:basic,phone\n"
			   "IMP-1,fibre max,\n"
			   "IMP-3,,+33 1 23 45 67 89\n"
			   "IMP-1,tv,\n";
	http_raw(&d, "POST", "/api/v1/customers/import", admin, NULL, "text/csv", more, strlen(more), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "updated"), 2);
	rejected = json_object_get(r.json, "rejected");
	assert_int_equal(json_array_size(rejected), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rejected, 0), "line")), 4);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(rejected, 0), "reason")), "line 2"));
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/customers?external_id=IMP-1", admin, NULL, &r);
	json_t *one = json_array_get(json_object_get(r.json, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(one, "email")), "one@example.net");
	json_t *attrs = json_object_get(one, "attributes");
	assert_string_equal(json_string_value(json_object_get(json_object_get(attrs, "first_name"), "value")), "Ana");
	assert_string_equal(json_string_value(json_object_get(json_object_get(attrs, "plan"), "value")), "fibre max");
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/customers?external_id=IMP-3", admin, NULL, &r);
	one = json_array_get(json_object_get(r.json, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(one, "attributes"), "plan"),
							      "value")), "mobile");
	assert_non_null(json_string_value(json_object_get(one, "phone")));
	resp_clear(&r);
	const char *strict = "external_id,email\nIMP-9,nine@example.net\nIMP-10,bad\n";
	http_raw(&d, "POST", "/api/v1/customers/import?mode=all-or-nothing", admin, NULL, "text/csv",
		 strict, strlen(strict), &r);
	assert_int_equal(r.status, 422);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "report"), "rejected")), 1);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/customers?external_id=IMP-9", admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0); /* nothing kept */
	resp_clear(&r);
	const char *broken = "external_id,email\nIMP-20,x@example.net\nIMP-21,\"unterminated\n";
	http_raw(&d, "POST", "/api/v1/customers/import", admin, NULL, "text/csv", broken, strlen(broken), &r);
	assert_int_equal(r.status, 422);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/customers?external_id=IMP-20", admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	http_raw(&d, "POST", "/api/v1/customers/import", admin, NULL, "application/json", csv, strlen(csv), &r);
	assert_int_equal(r.status, 415);
	resp_clear(&r);
}

static void users_roles_and_passwords(void **state)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}", "email", "sup@brand.example",
		  "name", "Sup", "password", PASSWORD, "role", "supervisor"), &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "supervisor");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/users", admin, json_pack("{s:s,s:s,s:s,s:s}",
		"email", "SUP@brand.example", "name", "Dup", "password", PASSWORD, "role", "agent")), 409);
	char *sup = login(&d, "sup@brand.example", PASSWORD);
	assert_int_equal(http_status(&d, "GET", "/api/v1/users", sup, NULL), 200);
	assert_int_equal(http_status(&d, "POST", "/api/v1/users", sup, json_pack("{s:s,s:s,s:s,s:s}",
		"email", "x@brand.example", "name", "X", "password", PASSWORD, "role", "agent")), 403);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/users/%lld/role", id);
	assert_int_equal(http_status(&d, "POST", path, admin, json_pack("{s:s}", "role", "planner")), 200);
	http_json(&d, "GET", "/api/v1/me", sup, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "planner");
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/users/%lld/disable", id);
	assert_int_equal(http_status(&d, "POST", path, admin, NULL), 200);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", sup, NULL), 401); /* disabling ends sessions */
	snprintf(path, sizeof(path), "/api/v1/users/%lld/enable", id);
	assert_int_equal(http_status(&d, "POST", path, admin, NULL), 200);
	free(sup);
	sup = login(&d, "sup@brand.example", PASSWORD);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", sup, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/users/%lld/password", id);
	assert_int_equal(http_status(&d, "POST", path, admin, json_pack("{s:s}", "password", "short")), 400);
	assert_int_equal(http_status(&d, "POST", path, admin, json_pack("{s:s}", "password", "a new passphrase")), 200);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", sup, NULL), 401); /* sessions revoked */
	free(sup);
	sup = login(&d, "sup@brand.example", "a new passphrase");
	free(sup);
	/* the last tenant admin cannot demote themselves */
	http_json(&d, "GET", "/api/v1/me", admin, NULL, &r);
	snprintf(path, sizeof(path), "/api/v1/users/%lld/role", resp_int(&r, "user_id"));
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", path, admin, json_pack("{s:s}", "role", "agent")), 409);
}

static void api_tokens_have_a_role(void **state)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/api-tokens", admin, json_pack("{s:s,s:s}", "name", "crm-sync", "role", "agent"), &r);
	assert_int_equal(r.status, 201);
	char *token = strdup(json_string_value(json_object_get(r.json, "token")));
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", token, NULL), 200);
	assert_int_equal(http_status(&d, "GET", "/api/v1/users", token, NULL), 403);
	long long contact = create_contact(token, json_pack("{s:s}", "channel", "web"));
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/events", contact);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "actor")),
			    "token:crm-sync");
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/api-tokens", admin, NULL, &r);
	assert_null(strstr(r.text, token)); /* never shown again */
	resp_clear(&r);
	snprintf(path, sizeof(path), "/api/v1/api-tokens/%lld", id);
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 204);
	assert_int_equal(http_status(&d, "GET", "/api/v1/contacts", token, NULL), 401);
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 404);
	free(token);
}

static void the_audit_log_tells_who_did_what(void **state)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/audit?limit=500", admin, NULL, &r);
	assert_int_equal(r.status, 200);
	const char *actions[] = {"login", "user_created", "role_changed", "user_disabled", "password_reset",
				 "customers_imported", "api_token_created", "api_token_revoked", "login_failed"};
	for (size_t a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
		bool found = false;
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), i, item)
			found |= strcmp(json_string_value(json_object_get(item, "action")), actions[a]) == 0;
		if (!found)
			fprintf(stderr, "audit lacks %s\n", actions[a]);
		assert_true(found);
	}
	resp_clear(&r);
	char *agent = login(&d, "agent@brand.example", PASSWORD);
	assert_int_equal(http_status(&d, "GET", "/api/v1/audit", agent, NULL), 403);
	free(agent);
}

static void platform_admin_manages_tenants(void **state)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/organisations", admin, json_pack("{s:s,s:s}", "name", "Acme BPO", "kind", "outsourcer"), &r);
	assert_int_equal(r.status, 201);
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/tenants", admin, json_pack("{s:s}", "name", "brand-two")), 201);
	assert_int_equal(http_status(&d, "POST", "/api/v1/tenants", admin, json_pack("{s:s}", "name", "brand-two")), 409);
	assert_int_equal(http_status(&d, "POST", "/api/v1/memberships", admin, json_pack("{s:s,s:s,s:s}",
		"email", "bpo@acme.example", "tenant", "brand-two", "role", "outsourced_agent")), 200);
	char *bpo = login(&d, "bpo@acme.example", PASSWORD);
	http_raw(&d, "GET", "/api/v1/me", bpo, "brand-two", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "outsourced_agent");
	assert_int_equal(json_array_size(json_object_get(r.json, "memberships")), 2);
	resp_clear(&r);
	http_raw(&d, "GET", "/api/v1/tenants", bpo, NULL, NULL, NULL, 0, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/tenants", bpo, json_pack("{s:s}", "name", "mine")), 403);
	http_raw(&d, "GET", "/api/v1/me", bpo, "no-such-tenant", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 403);
	resp_clear(&r);
	free(bpo);
}

/* A platform admin names a new brand's first administrator as it creates
 * the brand (the console's Platform tab): they log in and administer it. An
 * email with an account, or a bad field, refuses the whole: no tenant
 * without its administrator. */
static void a_new_tenant_gets_its_first_admin(void **state)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/tenants", admin, json_pack("{s:s,s:{s:s,s:s,s:s}}", "name", "brand-three",
		  "admin", "email", "Ada@Three.example", "name", "Ada Admin", "password", PASSWORD), &r);
	assert_int_equal(r.status, 201);
	json_t *a = json_object_get(r.json, "admin");
	assert_string_equal(json_string_value(json_object_get(a, "email")), "ada@three.example");
	assert_string_equal(json_string_value(json_object_get(a, "role")), "tenant_admin");
	assert_string_equal(json_string_value(json_object_get(a, "organisation")), "brand-three");
	assert_null(strstr(r.text, PASSWORD));
	resp_clear(&r);
	char *ada = login(&d, "ada@three.example", PASSWORD);
	http_raw(&d, "GET", "/api/v1/me", ada, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "role")), "tenant_admin");
	resp_clear(&r);
	assert_int_equal(http_status(&d, "POST", "/api/v1/users", ada, json_pack("{s:s,s:s,s:s,s:s}", "email",
		"bob@three.example", "name", "Bob", "password", PASSWORD, "role", "agent")), 201);
	free(ada);

	http_json(&d, "POST", "/api/v1/tenants", admin, json_pack("{s:s,s:{s:s,s:s,s:s}}", "name", "brand-four",
		  "admin", "email", "bob@three.example", "name", "Bob", "password", PASSWORD), &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "admin.email");
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/tenants", admin, json_pack("{s:s,s:{s:s,s:s,s:s}}", "name", "brand-four",
		  "admin", "email", "cy@four.example", "name", "Cy", "password", "short"), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "admin.password");
	resp_clear(&r);
	http_raw(&d, "GET", "/api/v1/tenants", admin, NULL, NULL, NULL, 0, &r);
	assert_null(strstr(r.text, "brand-four"));
	resp_clear(&r);
}

static void staffing_questions(void **state)
{
	char *planner = user_with_role("planner@brand.example", "planner");
	struct resp r;
	http_json(&d, "POST", "/api/v1/wfm/staff", planner, json_pack("{s:i,s:i,s:i,s:f,s:i}", "calls", 100,
		  "interval", 1800, "aht", 180, "sl", 0.8, "target", 20), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "agents"), 14);
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/wfm/erlang-c", planner, json_pack("{s:i,s:i,s:i,s:i,s:i}", "calls", 100,
		  "interval", 1800, "aht", 180, "agents", 13, "target", 20), &r);
	assert_int_equal(r.status, 200);
	assert_true(fabs(json_real_value(json_object_get(r.json, "service_level")) - 0.796) < 0.0005);
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/wfm/erlang-a", planner, json_pack("{s:i,s:i,s:i,s:i,s:i}", "calls", 100,
		  "interval", 1800, "aht", 180, "agents", 13, "patience", 120), &r);
	assert_int_equal(r.status, 200);
	assert_true(json_real_value(json_object_get(r.json, "p_abandon")) > 0);
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/wfm/staff", planner, json_pack("{s:i,s:i,s:i,s:f,s:i}", "calls", 100,
		  "interval", 1800, "aht", -180, "sl", 0.8, "target", 20), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "aht");
	resp_clear(&r);
	/* 100% in 0 s: no number of agents reaches it */
	http_json(&d, "POST", "/api/v1/wfm/staff", planner, json_pack("{s:i,s:i,s:i,s:f,s:i}", "calls", 100,
		  "interval", 1800, "aht", 180, "sl", 1.0, "target", 0), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "sl");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "no number of agents answers every call"));
	resp_clear(&r);
	const char *plan = "start,calls,aht,patience\n09:00,100,180,\n09:30,300,215,90\n";
	http_raw(&d, "POST", "/api/v1/wfm/plan?sl=0.8&target=20&shrinkage=0.3", planner, NULL, "text/csv",
		 plan, strlen(plan), &r);
	assert_int_equal(r.status, 200);
	json_t *rows = json_object_get(r.json, "intervals");
	assert_int_equal(json_array_size(rows), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "agents")), 14);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "staff")), 20);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "model")), "erlang_a");
	assert_true(resp_int(&r, "peak_agents") >= 14);
	resp_clear(&r);
	http_raw(&d, "POST", "/api/v1/wfm/plan", planner, NULL, "text/csv", "09:00,100,180\n09:30,x,1\n", 25, &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "line 2");
	resp_clear(&r);
	http_raw(&d, "POST", "/api/v1/wfm/plan?sl=80", planner, NULL, "text/csv", plan, strlen(plan), &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "0.8 for 80%, at most 0.9999 (80 given"));
	resp_clear(&r);
	/* quarter hours staffed as the default half hours (each load halved) are refused */
	const char *quarters = "start,calls,aht\n09:00,47,272\n09:15,59,260\n";
	http_raw(&d, "POST", "/api/v1/wfm/plan", planner, NULL, "text/csv", quarters, strlen(quarters), &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "interval");
	resp_clear(&r);
	http_raw(&d, "POST", "/api/v1/wfm/plan?interval=900", planner, NULL, "text/csv", quarters, strlen(quarters), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "intervals"), 0),
							   "agents")), 18);
	resp_clear(&r);
	/* the positions to buy from an outsourcer: the staff beyond the in-house people, at the price */
	http_raw(&d, "POST", "/api/v1/wfm/overflow?price=30&inhouse=12&shrinkage=0.3", planner, NULL, "text/csv",
		 plan, strlen(plan), &r);
	assert_int_equal(r.status, 200);
	rows = json_object_get(r.json, "intervals");
	assert_int_equal(json_array_size(rows), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "to_buy")), 20 - 12);
	json_int_t staff1 = json_integer_value(json_object_get(json_array_get(rows, 1), "staff"));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 1), "to_buy")), staff1 - 12);
	assert_true(fabs(json_real_value(json_object_get(r.json, "position_hours")) - (8 + staff1 - 12) * 0.5) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(json_object_get(r.json, "goal"), "shrinkage")) - 0.3) < 1e-9);
	resp_clear(&r);
	http_raw(&d, "POST", "/api/v1/wfm/overflow", planner, NULL, "text/csv", plan, strlen(plan), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "price");
	resp_clear(&r);
	/* the tenant's own history, as the CSV the forecasts read */
	http_raw(&d, "GET", "/api/v1/wfm/history?interval=3600&days=2&today=1", planner, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_true(strncmp(r.text, "interval_start,calls,aht\n", 25) == 0);
	long counted = 0;
	for (char *line = strchr(r.text, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
		counted += atol(strchr(line + 1, ',') + 1);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/contacts?limit=500", admin, NULL, &r);
	assert_int_equal(counted, (long)json_array_size(json_object_get(r.json, "items")));
	resp_clear(&r);
	char *agent = login(&d, "agent@brand.example", PASSWORD);
	assert_int_equal(http_status(&d, "GET", "/api/v1/wfm/history", agent, NULL), 403);
	assert_int_equal(http_status(&d, "POST", "/api/v1/wfm/staff", agent, json_pack("{s:i,s:i,s:i,s:f,s:i}",
		"calls", 100, "interval", 1800, "aht", 180, "sl", 0.8, "target", 20)), 403);
	free(agent);
	free(planner);
}

#define DAY_MS 86400000LL

/* A UTC day number (days since 1970-01-01) as strftime's fmt writes it. */
static void day_text(int64_t day, const char *fmt, char *buf, size_t len)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
}

/* The forecast from the tenant's own history: three weeks of contacts
 * (none on Sundays, none yesterday), a holiday in the tenant's calendar
 * ahead. The forecast starts today though yesterday had no call (the
 * history says where it ends), names yesterday as absent when it is a
 * weekday, and forecasts the holiday as that week's Sunday: no call. */
static void a_forecast_from_the_tenants_history(void **state)
{
	char *planner = login(&d, "planner@brand.example", PASSWORD);
	int64_t today = (int64_t)time(NULL) * 1000 / DAY_MS; /* UTC days: the tenant has no calendar yet */
	for (int64_t k = 2; k <= 22; k++) {
		int64_t day = today - k;
		if ((day + 3) % 7 == 6) /* Monday 0: 1970-01-01 was a Thursday */
			continue;
		for (int i = 0; i < 3; i++) {
			struct resp r;
			http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:s,s:s}", "channel", "email",
				  "subject", "history", "message", "a call of the past"), &r);
			assert_int_equal(r.status, 201);
			char sql[160];
			snprintf(sql, sizeof(sql), "UPDATE contacts SET created_at = %lld WHERE id = %lld",
				 (long long)(day * DAY_MS + (i < 2 ? 10 : 14) * 3600000LL), (long long)resp_int(&r, "id"));
			resp_clear(&r);
			assert_int_equal(testdb_exec(d.db, sql), 0);
		}
	}
	/* a tenant without a calendar: UTC days, no holiday */
	struct resp r;
	http_json(&d, "GET", "/api/v1/wfm/forecast?days=28&horizon_days=7&interval=3600", planner, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "holidays")), 0);
	resp_clear(&r);
	int64_t holiday = (today + 2 + 3) % 7 == 6 ? today + 3 : today + 2;
	char date[16], body[96];
	day_text(holiday, "%Y-%m-%d", date, sizeof(date));
	snprintf(body, sizeof(body), "{\"zone\":\"UTC\",\"holidays\":[\"%s\"]}", date);
	http_raw(&d, "PUT", "/api/v1/calendar", admin, NULL, "application/json", body, strlen(body), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/wfm/forecast?days=28&horizon_days=7&interval=3600", planner, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *rows = json_object_get(r.json, "intervals");
	assert_int_equal(json_array_size(rows), 7 * 24);
	char first[32];
	day_text(today, "%Y-%m-%dT00:00", first, sizeof(first));
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "start")), first);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "holidays"), 0)), date);
	/* the holiday like that week's Sunday (no call); the other open days with calls at 10:00 */
	double on_holiday = 0, open = 0;
	for (int k = 0; k < 7; k++) {
		int64_t day = today + k;
		double total = 0;
		for (int h = 0; h < 24; h++)
			total += json_real_value(json_object_get(json_array_get(rows, (size_t)(k * 24 + h)), "calls"));
		if (day == holiday)
			on_holiday = total;
		else if ((day + 3) % 7 != 6)
			assert_true(total > 1);
		open += total;
	}
	assert_true(on_holiday < 0.01);
	assert_true(open > 10);
	assert_non_null(json_object_get(json_array_get(rows, 10), "aht")); /* known or null, always there */
	json_t *screened = json_object_get(r.json, "screened_days");
	if ((today - 1 + 3) % 7 != 6) { /* yesterday a weekday without a call: absent, left out of the fit */
		char yesterday[16];
		day_text(today - 1, "%Y-%m-%d", yesterday, sizeof(yesterday));
		json_t *last = json_array_get(screened, json_array_size(screened) - 1);
		assert_string_equal(json_string_value(json_object_get(last, "day")), yesterday);
		assert_string_equal(json_string_value(json_object_get(last, "reason")), "absent");
	}
	resp_clear(&r);
	/* mistakes named; agents do not plan */
	http_json(&d, "GET", "/api/v1/wfm/forecast?holidays=25/12", planner, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "holidays");
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/wfm/forecast?horizon_days=400", planner, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "horizon_days");
	resp_clear(&r);
	char *agent = login(&d, "agent@brand.example", PASSWORD);
	assert_int_equal(http_status(&d, "GET", "/api/v1/wfm/forecast", agent, NULL), 403);
	free(agent);
	http_raw(&d, "PUT", "/api/v1/calendar", admin, NULL, "application/json", "{\"zone\":\"UTC\"}", 14, &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	free(planner);
}

static void sighup_reopens_the_log(void **state)
{
	char moved[160];
	snprintf(moved, sizeof(moved), "%s.1", d.log);
	assert_int_equal(rename(d.log, moved), 0);
	kill(d.pid, SIGHUP);
	for (int i = 0; i < 100 && access(d.log, F_OK) != 0; i++)
		usleep(10000);
	assert_int_equal(http_status(&d, "GET", "/healthz", NULL, NULL), 200);
	bool found = false;
	for (int tries = 0; tries < 40 && !found; tries++) { /* request lines reach disk within a second */
		usleep(100000);
		FILE *f = fopen(d.log, "r");
		assert_non_null(f);
		char line[1024];
		while (fgets(line, sizeof(line), f))
			found |= strstr(line, "\"route\":\"GET /healthz\"") && strstr(line, "\"status\":200") &&
				 strstr(line, "\"duration_ms\"");
		fclose(f);
	}
	assert_true(found);
}

static void newer_databases_are_refused(void **state)
{
	struct daemon other;
	assert_int_equal(daemon_init(&other, "t", "a@t.example", PASSWORD), 0);
	assert_int_equal(daemon_set_schema_version(&other, 99), 0);
	assert_int_equal(daemon_start(&other, NULL), -1);
	FILE *f = fopen(other.log, "r");
	char text[4096] = "";
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	assert_non_null(strstr(text, "newer"));
	daemon_cleanup(&other);
}

static void sigterm_drains_and_exits_cleanly(void **state)
{
	struct daemon other;
	assert_int_equal(daemon_init(&other, "t", "a@t.example", PASSWORD), 0);
	assert_int_equal(daemon_start(&other, NULL), 0);
	char *token = login(&other, "a@t.example", PASSWORD);
	assert_int_equal(http_status(&other, "POST", "/api/v1/contacts", token, json_pack("{s:s}", "channel", "email")), 201);
	assert_int_equal(daemon_stop(&other), 0);
	/* and what was acknowledged is there after a restart */
	assert_int_equal(daemon_start(&other, NULL), 0);
	struct resp r;
	http_json(&other, "GET", "/api/v1/contacts", token, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	resp_clear(&r);
	assert_int_equal(daemon_stop(&other), 0);
	free(token);
	daemon_cleanup(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(health_and_metrics),
		cmocka_unit_test(tokens_are_required_and_revocable),
		cmocka_unit_test(failed_logins_are_throttled_and_audited),
		cmocka_unit_test(bad_requests_get_json_errors),
		cmocka_unit_test(contacts_follow_their_state_machine),
		cmocka_unit_test(a_new_contact_answers_what_a_get_shows),
		cmocka_unit_test(a_write_checked_at_the_commit_fails_whole),
		cmocka_unit_test(contacts_patch_and_customer_link),
		cmocka_unit_test(retries_with_an_idempotency_key_write_once),
		cmocka_unit_test(lists_filter_and_page),
		cmocka_unit_test(customers_are_redacted_by_role),
		cmocka_unit_test(customer_import_reports_and_is_idempotent),
		cmocka_unit_test(users_roles_and_passwords),
		cmocka_unit_test(api_tokens_have_a_role),
		cmocka_unit_test(the_audit_log_tells_who_did_what),
		cmocka_unit_test(platform_admin_manages_tenants),
		cmocka_unit_test(a_new_tenant_gets_its_first_admin),
		cmocka_unit_test(staffing_questions),
		cmocka_unit_test(a_forecast_from_the_tenants_history),
		cmocka_unit_test(sighup_reopens_the_log),
		cmocka_unit_test(newer_databases_are_refused),
		cmocka_unit_test(sigterm_drains_and_exits_cleanly),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
