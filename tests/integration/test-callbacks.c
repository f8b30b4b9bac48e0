/* Callbacks through the real daemon, on the run's engine: a request as soon
 * as possible is offered to a free agent with its number and context; two
 * requests keep their order; a call not answered goes back and comes again
 * after retry_after_s at its first place, ahead of a later request; the
 * attempts exhausted, it is missed and reported with why; a bad window
 * (past, reversed, too far, on a holiday) answers 400 naming window; a
 * windowed request is not offered before its window and is after, and is
 * missed when its window ends before anyone took it; one wrapped up without
 * an outcome is done; the
 * public endpoint answers 409 without a callback queue, the open request
 * for a number already waiting, and 429 past the address's allowance;
 * another tenant sees and changes none of it; the CLI does the same. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guichet/clock.h"

#define PASSWORD "callback pass"

static struct daemon d;
static char *admin, *sup, *agent, *other_admin;
static long long agent_id, skill, calls, chats, tenant_one, tenant_two;
static char token_file[256];

#define call(...) http_expect(&d, __VA_ARGS__)

static void expect(const char *method, const char *token, int status, json_t *body, const char *fmt, long long id)
{
	struct resp r;
	call(method, token, status, body, &r, fmt, id);
	resp_clear(&r);
}

static long long tenant_of(const char *token)
{
	struct resp r;
	call("GET", token, 200, NULL, &r, "/api/v1/me");
	long long id = resp_int(&r, "tenant_id");
	resp_clear(&r);
	return id;
}

static void presence(const char *p)
{
	json_t *body = strcmp(p, "paused") == 0 ? json_pack("{s:s,s:s}", "presence", p, "reason", "break")
						: json_pack("{s:s}", "presence", p);
	expect("POST", agent, 200, body, "/api/v1/agents/me/presence%.0lld", 0);
}

static int setup(void **state)
{
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--public-per-minute", "30", NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "sup@one.example", "name", "S",
		"password", PASSWORD, "role", "supervisor"));
	agent_id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@one.example",
		"name", "A", "password", PASSWORD, "role", "agent"));
	sup = login(&d, "sup@one.example", PASSWORD);
	agent = login(&d, "agent@one.example", PASSWORD);
	skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "calls"));
	calls = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "callbacks", "skill_id",
		(json_int_t)skill, "channel", "phone", "offer_timeout_s", 120));
	chats = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "chats", "skill_id",
		(json_int_t)skill, "channel", "chat"));
	expect("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "capacity", "phone", 1), "/api/v1/agents/%lld", agent_id);
	tenant_one = tenant_of(admin);
	tenant_two = tenant_of(other_admin);
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
	free(admin);
	free(sup);
	free(agent);
	free(other_admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* A request that must answer 400 naming field. */
static void refused(const char *token, json_t *body, const char *field)
{
	struct resp r;
	call("POST", token, 400, body, &r, "/api/v1/callbacks");
	const char *got = json_string_value(json_object_get(json_object_get(r.json, "error"), "field"));
	if (got == NULL || strcmp(got, field) != 0)
		fail_msg("expected an error on %s: %s", field, r.text);
	resp_clear(&r);
}

/* A window from now + from_s to now + to_s, as RFC 3339 times. */
static json_t *window(long long from_s, long long to_s)
{
	char a[GC_TIME_LEN], b[GC_TIME_LEN];
	int64_t now = gc_now_ms();
	gc_time_format(now + from_s * 1000, a);
	gc_time_format(now + to_s * 1000, b);
	return json_pack("{s:s,s:s}", "from", a, "to", b);
}

static void settings_and_bad_requests(void **state)
{
	char path[96];
	snprintf(path, sizeof(path), "/public/v1/tenants/%lld/callbacks", tenant_one);
	struct resp r;
	/* no callback queue yet: the public request has nowhere to wait */
	http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s}", "phone", "+33 1 00 00 00 01", "source", "portal"), &r);
	assert_int_equal(r.status, 409);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "queue_id");
	resp_clear(&r);
	expect("PUT", admin, 400, json_pack("{s:I}", "queue_id", (json_int_t)chats), "/api/v1/callbacks/settings%.0lld", 0);
	expect("PUT", agent, 403, json_pack("{s:I}", "queue_id", (json_int_t)calls), "/api/v1/callbacks/settings%.0lld", 0);
	expect("PUT", admin, 200, json_pack("{s:I,s:i,s:i}", "queue_id", (json_int_t)calls, "retry_after_s", 2,
		"max_attempts", 2), "/api/v1/callbacks/settings%.0lld", 0);
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks/settings");
	assert_int_equal(resp_int(&r, "queue_id"), calls);
	assert_int_equal(resp_int(&r, "retry_after_s"), 2);
	resp_clear(&r);
	/* the queue callbacks wait in is not deleted under them */
	call("DELETE", admin, 409, NULL, &r, "/api/v1/queues/%lld", calls);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "the callback settings still use"));
	resp_clear(&r);

	refused(sup, json_pack("{s:s}", "phone", "ab"), "phone");
	refused(sup, json_pack("{s:s,s:i}", "phone", "+331", "colour", 1), "colour");
	refused(sup, json_pack("{s:s,s:I}", "phone", "+33100000002", "queue_id", (json_int_t)chats), "queue_id");
	refused(sup, json_pack("{s:s,s:o}", "phone", "+33100000002", "window", window(-7200, -3600)), "window");
	refused(sup, json_pack("{s:s,s:o}", "phone", "+33100000002", "window", window(7200, 3600)), "window");
	refused(sup, json_pack("{s:s,s:o}", "phone", "+33100000002", "window", window(15 * 86400, 15 * 86400 + 3600)),
		"window");
	refused(sup, json_pack("{s:s,s:{s:s}}", "phone", "+33100000002", "window", "from", "tomorrow"), "window");
	/* a window wholly on a holiday of the tenant's calendar */
	char day[GC_TIME_LEN], cal[160];
	gc_time_format(gc_now_ms() + 2 * 86400000LL, day);
	day[10] = '\0';
	snprintf(cal, sizeof(cal), "{\"zone\":\"UTC\",\"holidays\":[\"%s\"]}", day);
	http_raw(&d, "PUT", "/api/v1/calendar", admin, NULL, "application/json", cal, strlen(cal), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	char from[64], to[64];
	snprintf(from, sizeof(from), "%sT10:00:00Z", day);
	snprintf(to, sizeof(to), "%sT11:00:00Z", day);
	refused(sup, json_pack("{s:s,s:{s:s,s:s}}", "phone", "+33100000002", "window", "from", from, "to", to), "window");
	const char *open = "{\"zone\":\"UTC\"}";
	http_raw(&d, "PUT", "/api/v1/calendar", admin, NULL, "application/json", open, strlen(open), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0); /* nothing half-written */
	resp_clear(&r);
}

/* The next event of type for contact within timeout_ms; false when none. */
static bool event_for(struct sse *s, const char *type, long long contact, int timeout_ms)
{
	struct sse_event ev = {0};
	bool found = false;
	for (int64_t until = gc_now_ms() + timeout_ms; !found && gc_now_ms() < until;) {
		if (!sse_next(s, type, (int)(until - gc_now_ms()), &ev))
			break;
		found = json_integer_value(json_object_get(ev.data, "contact_id")) == contact;
	}
	json_decref(ev.data);
	return found;
}

static long long request(const char *phone, const char *context, json_t *win, long long *ret_contact)
{
	json_t *body = json_pack("{s:s,s:s}", "phone", phone, "name", "Ana");
	if (context)
		json_object_set_new(body, "context", json_string(context));
	if (win)
		json_object_set_new(body, "window", win);
	struct resp r;
	call("POST", sup, 201, body, &r, "/api/v1/callbacks");
	long long id = resp_int(&r, "id");
	*ret_contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	return id;
}

static const char *cb_state(long long id)
{
	static char state[32];
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks/%lld", id);
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(r.json, "state")));
	resp_clear(&r);
	return state;
}

static void outcome(const char *token, long long id, const char *what, int status)
{
	expect("POST", token, status, json_pack("{s:s,s:s}", "outcome", what, "note", "tried"),
	       "/api/v1/callbacks/%lld/outcome", id);
}

/* The agent accepts the callback's contact: the answer is the contact as a
 * GET shows it, its callback with it. */
static void accept(long long contact)
{
	struct resp r;
	call("POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	assert_non_null(json_object_get(json_object_get(r.json, "callback"), "phone"));
	resp_clear(&r);
}

static void asap_is_offered_with_number_and_context(void **state)
{
	struct sse s;
	assert_int_equal(sse_open(&s, &d, agent, 0), 200);
	presence("available");
	long long contact = 0, id = request("+33 6 12 34 56 78", "my router blinks red", NULL, &contact);
	assert_true(event_for(&s, "offered", contact, 5000));
	struct resp r;
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	json_t *cb = json_object_get(r.json, "callback");
	assert_string_equal(json_string_value(json_object_get(cb, "phone")), "+33612345678");
	assert_string_equal(json_string_value(json_object_get(cb, "state")), "offered");
	assert_true(json_is_null(json_object_get(cb, "window")));
	assert_string_equal(json_string_value(json_object_get(r.json, "channel")), "phone");
	const char *first = json_string_value(json_object_get(json_array_get(json_object_get(r.json, "messages"), 0), "body"));
	assert_non_null(strstr(first, "my router blinks red"));
	long long customer = json_integer_value(json_object_get(r.json, "customer_id"));
	resp_clear(&r);
	/* the name given with the number is the customer's, for whoever calls back */
	call("GET", sup, 200, NULL, &r, "/api/v1/customers/%lld", customer);
	json_t *given = json_object_get(json_object_get(r.json, "attributes"), "name");
	assert_string_equal(json_string_value(json_object_get(given, "value")), "Ana");
	resp_clear(&r);
	/* not accepted yet: the refusal's template and value, for the pages to say it in their language */
	call("POST", agent, 422, json_pack("{s:s}", "outcome", "reached"), &r, "/api/v1/callbacks/%lld/outcome", id);
	json_t *refusal = json_object_get(r.json, "error");
	assert_string_equal(json_string_value(json_object_get(refusal, "template")),
			    "the callback is %s, not being dialled: accept its offer first");
	assert_string_equal(json_string_value(json_array_get(json_object_get(refusal, "args"), 0)), "offered");
	resp_clear(&r);
	accept(contact);
	assert_string_equal(cb_state(id), "dialing");
	/* taken to dial is not answered yet: the customer is, once reached */
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_true(json_is_null(json_object_get(r.json, "first_response_at")));
	resp_clear(&r);
	outcome(other_admin, id, "reached", 404);
	outcome(agent, id, "reached", 200);
	assert_string_equal(cb_state(id), "done");
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_true(json_is_string(json_object_get(r.json, "first_response_at")));
	resp_clear(&r);
	outcome(agent, id, "reached", 422); /* once */
	expect("POST", agent, 200, json_pack("{s:s}", "disposition", "called_back"), "/api/v1/contacts/%lld/wrapup", contact);
	sse_close(&s);
}

/* Waits up to timeout_ms for the callback to be in state. */
static bool reaches(long long id, const char *state, int timeout_ms)
{
	for (int64_t until = gc_now_ms() + timeout_ms; gc_now_ms() < until; usleep(100 * 1000))
		if (strcmp(cb_state(id), state) == 0)
			return true;
	return false;
}

static void retries_keep_their_place_then_are_missed(void **state)
{
	struct sse s;
	presence("paused");
	assert_int_equal(sse_open(&s, &d, agent, 0), 200);
	long long ca = 0, cb = 0, cc = 0;
	long long a = request("+33 1 11 11 11 11", "first", NULL, &ca);
	long long b = request("+33 2 22 22 22 22", "second", NULL, &cb);
	presence("available");
	assert_true(event_for(&s, "offered", ca, 5000)); /* in their order */
	accept(ca);
	presence("paused");
	outcome(agent, a, "no_answer", 200);
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks/%lld", a);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "scheduled");
	assert_int_equal(resp_int(&r, "attempts"), 1);
	resp_clear(&r);
	assert_string_equal(cb_state(b), "waiting");
	assert_true(reaches(a, "waiting", 8000)); /* back after retry_after_s (2 s) */
	long long c = request("+33 3 33 33 33 33", "third", NULL, &cc);
	presence("available");
	assert_true(event_for(&s, "offered", ca, 5000)); /* at its first place: ahead of b, which waited since */
	accept(ca);
	outcome(agent, a, "busy", 200); /* the second of two attempts */
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks/%lld", a);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "missed");
	assert_string_equal(json_string_value(json_object_get(r.json, "missed_reason")), "attempts_exhausted");
	resp_clear(&r);
	assert_true(event_for(&s, "offered", cb, 5000));
	accept(cb);
	outcome(agent, b, "reached", 200);
	expect("POST", agent, 200, json_pack("{s:s}", "disposition", "called_back"), "/api/v1/contacts/%lld/wrapup", cb);
	assert_true(event_for(&s, "offered", cc, 5000));
	accept(cc);
	outcome(sup, c, "wrong_number", 200); /* a supervisor may record it for the agent */
	assert_string_equal(cb_state(c), "missed");
	sse_close(&s);

	call("GET", sup, 200, NULL, &r, "/api/v1/reports/callbacks");
	json_t *missed = json_object_get(r.json, "missed");
	assert_int_equal(json_integer_value(json_object_get(missed, "attempts_exhausted")), 1);
	assert_int_equal(json_integer_value(json_object_get(missed, "window_passed")), 0);
	assert_int_equal(json_integer_value(json_object_get(missed, "wrong_number")), 1);
	assert_true(resp_int(&r, "reached") >= 2);
	assert_false(json_is_null(json_object_get(r.json, "mean_to_reach_s")));
	json_t *list = json_object_get(r.json, "missed_list");
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), a);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "phone")), "+33111111111");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "attempts")), 2);
	resp_clear(&r);
	call("GET", agent, 403, NULL, &r, "/api/v1/reports/callbacks");
	resp_clear(&r);
}

static void a_window_waits_for_its_time(void **state)
{
	struct sse s;
	assert_int_equal(sse_open(&s, &d, agent, 0), 200);
	long long contact = 0, id = request("+33 4 44 44 44 44", "after lunch", window(3, 3600), &contact);
	assert_string_equal(cb_state(id), "scheduled");
	assert_false(event_for(&s, "offered", contact, 2000)); /* not before its window */
	assert_true(event_for(&s, "offered", contact, 6000));
	accept(contact);
	outcome(agent, id, "reached", 200);
	expect("POST", agent, 200, json_pack("{s:s}", "disposition", "called_back"), "/api/v1/contacts/%lld/wrapup", contact);
	sse_close(&s);
	/* a window that ends while nobody is free: missed, out of the queue */
	presence("paused");
	long long gone = request("+33 6 66 66 66 66", NULL, window(1, 3), &contact);
	assert_true(reaches(gone, "waiting", 4000));
	assert_true(reaches(gone, "missed", 5000));
	struct resp g;
	call("GET", sup, 200, NULL, &g, "/api/v1/callbacks/%lld", gone);
	assert_string_equal(json_string_value(json_object_get(g.json, "missed_reason")), "window_passed");
	resp_clear(&g);
	call("GET", sup, 200, NULL, &g, "/api/v1/contacts/%lld", contact);
	assert_string_equal(json_string_value(json_object_get(g.json, "state")), "resolved"); /* out of the queue */
	resp_clear(&g);
	presence("available");
	/* its contact resolved by someone before its window: nothing left to call */
	long long closed = request("+33 6 77 77 77 70", NULL, window(2, 3600), &contact);
	expect("POST", sup, 200, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "solved_by_email"),
	       "/api/v1/contacts/%lld/state", contact);
	assert_true(reaches(closed, "cancelled", 5000));
	/* one scheduled for later is cancelled: out of the timer's reach */
	long long later = request("+33 5 55 55 55 55", NULL, window(3600, 7200), &contact);
	expect("POST", agent, 200, NULL, "/api/v1/callbacks/%lld/cancel", later);
	assert_string_equal(cb_state(later), "cancelled");
	expect("POST", agent, 422, NULL, "/api/v1/callbacks/%lld/cancel", later);
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks?state=cancelled");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	resp_clear(&r);
	call("GET", sup, 400, NULL, &r, "/api/v1/callbacks?state=lost");
	resp_clear(&r);
}

/* An agent who wraps the contact up without recording the call ends the
 * callback: it is done, and the number may ask again. */
static void wrapped_up_without_outcome(void **state)
{
	char path[96];
	snprintf(path, sizeof(path), "/public/v1/tenants/%lld/callbacks", tenant_one);
	struct sse s;
	assert_int_equal(sse_open(&s, &d, agent, 0), 200);
	struct resp r;
	http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s}", "phone", "+33 6 88 88 88 88", "source", "chat"), &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks/%lld", id);
	long long contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	assert_true(event_for(&s, "offered", contact, 5000));
	sse_close(&s);
	accept(contact);
	expect("POST", agent, 200, json_pack("{s:s}", "disposition", "called_back"), "/api/v1/contacts/%lld/wrapup", contact);
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks/%lld", id);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "done");
	assert_true(json_is_null(json_object_get(r.json, "outcome")));
	const char *done_at = json_string_value(json_object_get(r.json, "done_at")); /* when it was wrapped up */
	assert_non_null(done_at);
	assert_true(strcmp(done_at, json_string_value(json_object_get(r.json, "created_at"))) >= 0);
	resp_clear(&r);
	http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s}", "phone", "+33 6 88 88 88 88", "source", "chat"), &r);
	assert_int_equal(r.status, 201); /* a new request, not the one that ended */
	assert_true(resp_int(&r, "id") != id);
	long long again = resp_int(&r, "id");
	resp_clear(&r);
	expect("POST", sup, 200, NULL, "/api/v1/callbacks/%lld/cancel", again);
}

static void the_public_request(void **state)
{
	presence("paused");
	char path[96];
	snprintf(path, sizeof(path), "/public/v1/tenants/%lld/callbacks", tenant_one);
	struct resp r;
	http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s,s:s}", "phone", "+33 6 99 99 99 99", "source", "portal",
		"context", "searched 'box red light', walked: power > reset > still red"), &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	assert_int_equal(resp_int(&r, "position"), 1); /* next in line */
	assert_true(json_is_null(json_object_get(r.json, "window")));
	resp_clear(&r);
	/* the same number again while it waits: the same request */
	http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s}", "phone", "+33 (6) 99-99-99-99", "source", "chat"), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "id"), id);
	assert_true(json_is_true(json_object_get(r.json, "existing")));
	resp_clear(&r);
	http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s}", "phone", "+33 6 99 99 99 99", "source", "phone"), &r);
	assert_int_equal(r.status, 400); /* the customer does not say it called */
	resp_clear(&r);
	http_json(&d, "POST", path, NULL, json_pack("{s:s}", "phone", "+33 6 99 99 99 99"), &r);
	assert_int_equal(r.status, 400);
	resp_clear(&r);
	http_json(&d, "POST", "/public/v1/tenants/999/callbacks", NULL, json_pack("{s:s,s:s}", "phone", "+33 6 12 34 50 00",
		"source", "portal"), &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/public/v1/tenants/%lld/callbacks", tenant_two);
	http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s}", "phone", "+33 6 12 34 50 00", "source", "portal"), &r);
	assert_int_equal(r.status, 409); /* tenant two has no callback queue */
	resp_clear(&r);
	/* the contact waits with what the customer did */
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks/%lld", id);
	long long contact = resp_int(&r, "contact_id");
	assert_string_equal(json_string_value(json_object_get(r.json, "source")), "portal");
	resp_clear(&r);
	call("GET", sup, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_non_null(strstr(r.text, "power > reset > still red"));
	resp_clear(&r);
	/* the address's allowance runs out */
	snprintf(path, sizeof(path), "/public/v1/tenants/%lld/callbacks", tenant_one);
	int last = 0;
	for (int i = 0; i < 40 && last != 429; i++) {
		http_json(&d, "POST", path, NULL, json_pack("{s:s,s:s}", "phone", "+33 6 99 99 99 99", "source", "portal"), &r);
		last = r.status;
		resp_clear(&r);
	}
	assert_int_equal(last, 429);
	expect("POST", sup, 200, NULL, "/api/v1/callbacks/%lld/cancel", id);
}

static void another_tenant_sees_none_of_it(void **state)
{
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/callbacks");
	long long id = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
	assert_true(id > 0);
	resp_clear(&r);
	expect("GET", other_admin, 404, NULL, "/api/v1/callbacks/%lld", id);
	expect("POST", other_admin, 404, NULL, "/api/v1/callbacks/%lld/cancel", id);
	expect("POST", other_admin, 404, json_pack("{s:s}", "outcome", "reached"), "/api/v1/callbacks/%lld/outcome", id);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/callbacks");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/reports/callbacks");
	assert_int_equal(resp_int(&r, "requested"), 0);
	resp_clear(&r);
	/* our queue, named in the other tenant: no such queue there */
	expect("PUT", other_admin, 404, json_pack("{s:I}", "queue_id", (json_int_t)calls), "/api/v1/callbacks/settings%.0lld", 0);
	expect("POST", other_admin, 404, json_pack("{s:s,s:I}", "phone", "+33 6 12 34 50 00", "queue_id", (json_int_t)calls),
	       "/api/v1/callbacks%.0lld", 0);
}

static void the_cli(void **state)
{
	char *out = NULL, *err = NULL;
	int rc = run_cli(&d, token_file, &out, &err, "callback", "request", "--phone", "+33 7 77 77 77 77", "--context",
			 "from the CLI", "--window-from", "2099-01-01T10:00:00Z", NULL);
	assert_int_equal(rc, 2); /* a window needs both ends */
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "--json", "callback", "request", "--phone", "+33 7 77 77 77 77",
		     "--context", "from the CLI", NULL);
	if (rc != 0)
		fail_msg("callback request: %s %s", out, err);
	json_t *cb = json_loads(out, 0, NULL);
	long long id = json_integer_value(json_object_get(cb, "id"));
	json_decref(cb);
	free(out);
	free(err);
	char idtext[24];
	snprintf(idtext, sizeof(idtext), "%lld", id);
	rc = run_cli(&d, token_file, &out, &err, "callback", "show", idtext, NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "+33777777777"));
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "callback", "list", NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, idtext));
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "callback", "outcome", idtext, "reached", NULL);
	assert_int_equal(rc, 1); /* nobody dials it */
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "callback", "cancel", idtext, NULL);
	assert_int_equal(rc, 0);
	free(out);
	free(err);
	rc = run_cli(&d, token_file, &out, &err, "report", "callbacks", NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "attempts_exhausted"));
	assert_non_null(strstr(out, "ended without outcome "));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_and_bad_requests),
		cmocka_unit_test(asap_is_offered_with_number_and_context),
		cmocka_unit_test(retries_keep_their_place_then_are_missed),
		cmocka_unit_test(a_window_waits_for_its_time),
		cmocka_unit_test(wrapped_up_without_outcome),
		cmocka_unit_test(the_public_request),
		cmocka_unit_test(another_tenant_sees_none_of_it),
		cmocka_unit_test(the_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
