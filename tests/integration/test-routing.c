/* Routing through the real daemon: queues, skills and agents over the API;
 * offers on the agent's live stream; accept, reject, missed offers,
 * wrap-up, escalation with its context, transfer, supervisors' moves and
 * forced presence; abandonment and the live statistics; Last-Event-ID; bad
 * requests that change nothing; expected waits from measured handle times;
 * agents leaving the routing (disabled, signed out); and a restart that
 * rebuilds the queues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guichet/clock.h"
#include "harness.h"

#define PASSWORD "routing pass"

static struct daemon d;
static char *admin, *sup, *agent_a, *agent_b, *expert;
static long long id_a, id_b, id_e, skill, l1, l2;

/* A request that must answer status (harness.h); resp_clear the answer. */
#define call(...) http_expect(&d, __VA_ARGS__)

static void expect(const char *method, const char *token, int status, json_t *body, const char *fmt, long long id)
{
	struct resp r;
	call(method, token, status, body, &r, fmt, id);
	resp_clear(&r);
}

static long long user(const char *email, const char *role, char **ret_token)
{
	long long id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email,
		"password", PASSWORD, "role", role));
	*ret_token = login(&d, email, PASSWORD);
	return id;
}

static void profile(long long user_id, int level, int chats, int max_missed)
{
	expect("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i},s:i}", "level", level, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "capacity", "chat", chats, "max_missed", max_missed),
	       "/api/v1/agents/%lld", user_id);
}

static void presence(const char *token, const char *p)
{
	json_t *body = strcmp(p, "paused") == 0 ? json_pack("{s:s,s:s}", "presence", p, "reason", "lunch")
						: json_pack("{s:s}", "presence", p);
	expect("POST", token, 200, body, "/api/v1/agents/me/presence%.0lld", 0);
}

static long long new_contact(long long queue)
{
	return post_id(&d, sup, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat", "subject", "help",
		"queue_id", (json_int_t)queue));
}

/* The next event on s must be type about contact (0: any). */
static long long next_event(struct sse *s, const char *type, long long contact, struct sse_event *ev)
{
	bool got = sse_next(s, type, 5000, ev);
	if (!got)
		fprintf(stderr, "no '%s' event came\n", type);
	assert_true(got);
	if (contact)
		assert_int_equal(json_integer_value(json_object_get(ev->data, "contact_id")), contact);
	return ev->id;
}

static const char *routing_state(long long contact)
{
	static char state[32];
	struct resp r;
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/routing", contact);
	http_json(&d, "GET", path, sup, NULL, &r);
	snprintf(state, sizeof(state), "%s", r.status == 200 ? json_string_value(json_object_get(r.json, "state")) : "none");
	resp_clear(&r);
	return state;
}

static const char *contact_state(long long contact)
{
	static char state[32];
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(r.json, "state")));
	resp_clear(&r);
	return state;
}

static int setup(void **state)
{
	if (daemon_init(&d, "t", "admin@t.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@t.example", PASSWORD);
	id_a = user("a@t.example", "agent", &agent_a);
	id_b = user("b@t.example", "agent", &agent_b);
	id_e = user("e@t.example", "expert", &expert);
	char *tmp;
	user("s@t.example", "supervisor", &tmp);
	sup = tmp;
	skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "billing"));
	l2 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "billing experts", "skill_id",
		(json_int_t)skill, "channel", "chat", "level", 2));
	l1 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "billing", "skill_id",
		(json_int_t)skill, "channel", "chat", "offer_timeout_s", 1, "sl_seconds", 20));
	profile(id_a, 1, 1, 0);
	profile(id_b, 1, 1, 1);
	profile(id_e, 2, 2, 0);
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(sup);
	free(agent_a);
	free(agent_b);
	free(expert);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* Wrong requests answer the core's errors and change nothing. */
static void bad_requests_change_nothing(void **state)
{
	struct resp r;
	expect("POST", admin, 422, json_pack("{s:s,s:i,s:s}", "name", "x", "skill_id", 999, "channel", "chat"),
	       "/api/v1/queues%.0lld", 0);
	expect("POST", admin, 400, json_pack("{s:s,s:I,s:s,s:s}", "name", "x", "skill_id", (json_int_t)skill, "channel",
		"chat", "strategy", "fastest"), "/api/v1/queues%.0lld", 0);
	expect("POST", admin, 409, json_pack("{s:s,s:I,s:s}", "name", "billing", "skill_id", (json_int_t)skill,
		"channel", "chat"), "/api/v1/queues%.0lld", 0);
	/* a name of spaces names nothing */
	expect("POST", admin, 400, json_pack("{s:s,s:I,s:s}", "name", "   ", "skill_id", (json_int_t)skill,
		"channel", "chat"), "/api/v1/queues%.0lld", 0);
	expect("POST", admin, 400, json_pack("{s:s}", "name", "  "), "/api/v1/skills%.0lld", 0);
	call("GET", admin, 200, NULL, &r, "/api/v1/queues");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	resp_clear(&r);
	/* overflow chains: no loop (a contact would go round for ever, routing
	 * with it), no change of channel */
	long long over = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:I,s:i}", "name", "over",
		"skill_id", (json_int_t)skill, "channel", "chat", "overflow_to", (json_int_t)l1, "max_wait_s", 30));
	const char *looping[][2] = {{"overflow_to", "overflows back to this one"},
				    {"overflow_to", "overflows back to this one"},
				    {"channel", "overflow to this one"}};
	json_t *changes[] = {json_pack("{s:I}", "overflow_to", (json_int_t)l1),
			     json_pack("{s:I}", "overflow_to", (json_int_t)over), json_pack("{s:s}", "channel", "email")};
	for (int i = 0; i < 3; i++) {
		call("PATCH", admin, 422, changes[i], &r, "/api/v1/queues/%lld", l1);
		json_t *err = json_object_get(r.json, "error");
		assert_string_equal(json_string_value(json_object_get(err, "field")), looping[i][0]);
		assert_non_null(strstr(json_string_value(json_object_get(err, "message")), looping[i][1]));
		resp_clear(&r);
	}
	call("POST", admin, 422, json_pack("{s:s,s:I,s:s,s:I}", "name", "mail", "skill_id", (json_int_t)skill,
		"channel", "email", "overflow_to", (json_int_t)l1), &r, "/api/v1/queues");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "serves chat, this one email"));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/queues/%lld", l1);
	assert_true(json_is_null(json_object_get(r.json, "overflow_to")));
	assert_string_equal(json_string_value(json_object_get(r.json, "channel")), "chat");
	resp_clear(&r);
	expect("DELETE", admin, 204, NULL, "/api/v1/queues/%lld", over);
	/* a queue the portal sends its contacts to is not deleted: the 409 says what uses it */
	long long spare = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "spare",
		"skill_id", (json_int_t)skill, "channel", "chat"));
	expect("PUT", admin, 200, json_pack("{s:b,s:I}", "enabled", 1, "queue_id", (json_int_t)spare), "/api/v1/portal%.0lld", 0);
	call("DELETE", admin, 409, NULL, &r, "/api/v1/queues/%lld", spare);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")), "portal"));
	resp_clear(&r);
	expect("PUT", admin, 200, json_pack("{s:b}", "enabled", 0), "/api/v1/portal%.0lld", 0);
	expect("DELETE", admin, 204, NULL, "/api/v1/queues/%lld", spare);
	/* a deleted queue overflows nowhere: its old target may change channel */
	expect("PATCH", admin, 200, json_pack("{s:s}", "channel", "email"), "/api/v1/queues/%lld", l1);
	expect("PATCH", admin, 200, json_pack("{s:s}", "channel", "chat"), "/api/v1/queues/%lld", l1);
	/* a contact for an unknown queue is not created at all */
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts");
	size_t contacts = json_array_size(json_object_get(r.json, "items"));
	resp_clear(&r);
	call("POST", sup, 422, json_pack("{s:s,s:i}", "channel", "chat", "queue_id", 999), &r, "/api/v1/contacts");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "queue_id");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), contacts);
	resp_clear(&r);
	/* a routing profile for a role that takes no contacts */
	char *author;
	long long au = user("author@t.example", "author", &author);
	free(author);
	call("PUT", admin, 422, json_pack("{s:i,s:[],s:{s:i}}", "level", 1, "skills", "capacity", "chat", 1), &r,
	     "/api/v1/agents/%lld", au);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "user");
	resp_clear(&r);
	/* presence of a user with no profile, a pause with no reason, accepting what was not offered */
	char *planner;
	long long p = user("p@t.example", "supervisor", &planner);
	expect("POST", admin, 404, json_pack("{s:s}", "presence", "available"), "/api/v1/agents/%lld/presence", p);
	expect("POST", agent_a, 400, json_pack("{s:s}", "presence", "paused"), "/api/v1/agents/me/presence%.0lld", 0);
	long long c = post_id(&d, sup, "/api/v1/contacts", json_pack("{s:s}", "channel", "chat"));
	expect("POST", agent_a, 422, NULL, "/api/v1/contacts/%lld/accept", c);
	expect("POST", agent_a, 422, json_pack("{s:I,s:s}", "queue_id", (json_int_t)l2, "reason", "x"),
	       "/api/v1/contacts/%lld/escalate", c);
	assert_string_equal(contact_state(c), "new");
	/* an agent cannot do a supervisor's move */
	expect("POST", agent_a, 403, json_pack("{s:I}", "queue_id", (json_int_t)l2), "/api/v1/contacts/%lld/move", c);
	free(planner);
}

/* Offer, reject, timeout, accept, escalation with its context, wrap-up. */
static void offers_escalation_and_wrapup(void **state)
{
	struct sse sa, sb, se, ss;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&sa, &d, agent_a, 0), 200);
	assert_int_equal(sse_open(&sb, &d, agent_b, 0), 200);
	assert_int_equal(sse_open(&se, &d, expert, 0), 200);
	assert_int_equal(sse_open(&ss, &d, sup, 0), 200);
	presence(agent_a, "available");
	next_event(&sa, "presence", 0, &ev);
	long long c = new_contact(l1);
	next_event(&sa, "offered", c, &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "queue")), "billing");
	/* A rejects: B is not there yet, so it waits; B logs in and gets it */
	expect("POST", agent_a, 204, NULL, "/api/v1/contacts/%lld/reject", c);
	assert_string_equal(routing_state(c), "waiting");
	presence(agent_b, "available");
	next_event(&sb, "offered", c, &ev);
	/* B lets it ring (1 s): missed, and B (max 1 miss) is paused; it goes to A again, who changed state since */
	next_event(&sb, "offer_expired", c, &ev);
	next_event(&sb, "presence", 0, &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "reason")), "missed offers");
	presence(agent_a, "paused");
	presence(agent_a, "available");
	next_event(&sa, "offered", c, &ev);
	struct resp r;
	call("POST", agent_a, 200, NULL, &r, "/api/v1/contacts/%lld/accept", c);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "assigned");
	resp_clear(&r);
	/* a chat taken is answered (the same-day report counts it so) */
	call("GET", sup, 200, NULL, &r, "/api/v1/contacts/%lld", c);
	assert_true(json_is_string(json_object_get(r.json, "first_response_at")));
	resp_clear(&r);
	/* A holds one chat (capacity 1): lowering it to 0 is refused, going offline too */
	expect("PUT", admin, 409, json_pack("{s:[{s:I}],s:{s:i}}", "skills", "skill_id", (json_int_t)skill, "capacity",
		"chat", 0), "/api/v1/agents/%lld", id_a);
	expect("POST", agent_a, 422, json_pack("{s:s}", "presence", "offline"), "/api/v1/agents/me/presence%.0lld", 0);
	/* only the holder escalates; the expert gets it with the reason and the history */
	expect("POST", agent_b, 422, json_pack("{s:I,s:s}", "queue_id", (json_int_t)l2, "reason", "x"),
	       "/api/v1/contacts/%lld/escalate", c);
	expect("POST", agent_a, 404, json_pack("{s:i,s:s}", "queue_id", 999, "reason", "x"),
	       "/api/v1/contacts/%lld/escalate", c);
	/* an escalation goes up: not to its own queue, not to level 1 */
	call("POST", agent_a, 422, json_pack("{s:I,s:s}", "queue_id", (json_int_t)l1, "reason", "x"), &r,
	     "/api/v1/contacts/%lld/escalate", c);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "queue_id");
	resp_clear(&r);
	assert_string_equal(contact_state(c), "assigned");
	presence(expert, "available");
	call("POST", agent_a, 200, json_pack("{s:I,s:s}", "queue_id", (json_int_t)l2, "reason", "refund over 500 EUR"),
	     &r, "/api/v1/contacts/%lld/escalate", c);
	resp_clear(&r);
	next_event(&se, "offered", c, &ev);
	expect("POST", expert, 200, NULL, "/api/v1/contacts/%lld/accept", c);
	call("GET", expert, 200, NULL, &r, "/api/v1/contacts/%lld", c);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "assigned");
	assert_non_null(strstr(r.text, "Escalated from billing to billing experts: refund over 500 EUR"));
	resp_clear(&r);
	call("GET", expert, 200, NULL, &r, "/api/v1/contacts/%lld/events", c);
	assert_non_null(strstr(r.text, "\"to\":\"escalated\""));
	resp_clear(&r);
	/* wrap-up needs a disposition to resolve */
	expect("POST", expert, 400, json_pack("{}"), "/api/v1/contacts/%lld/wrapup", c);
	expect("POST", expert, 200, json_pack("{s:s}", "disposition", "refunded"), "/api/v1/contacts/%lld/wrapup", c);
	assert_string_equal(contact_state(c), "resolved");
	assert_string_equal(routing_state(c), "none");
	/* the supervisor saw it all, and the figures */
	next_event(&ss, "enqueued", c, &ev);
	next_event(&ss, "escalated", c, &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "reason")), "refund over 500 EUR");
	next_event(&ss, "wrapup_started", c, &ev);
	assert_true(sse_next(&ss, "queue_stats", 3000, &ev));
	json_t *queues = json_object_get(ev.data, "queues");
	assert_int_equal(json_array_size(queues), 2);
	/* agents never see the supervisor's figures */
	assert_false(sse_next(&sa, "queue_stats", 1500, &ev));
	json_decref(ev.data);
	sse_close(&sa);
	sse_close(&sb);
	sse_close(&se);
	sse_close(&ss);
}

/* A reconnecting stream with Last-Event-ID misses nothing. */
static void last_event_id_replays_what_was_missed(void **state)
{
	struct sse s;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&s, &d, sup, 0), 200);
	presence(expert, "paused"); /* experts serve level 1 too: A alone now */
	presence(agent_a, "paused");
	next_event(&s, "presence", 0, &ev); /* the expert's */
	long long last = next_event(&s, "presence", 0, &ev); /* A's */
	sse_close(&s);
	/* while disconnected */
	presence(agent_a, "available");
	long long c = new_contact(l1);
	expect("POST", agent_a, 200, NULL, "/api/v1/contacts/%lld/accept", c);
	assert_int_equal(sse_open(&s, &d, sup, last), 200);
	const char *want[] = {"presence", "enqueued", "offered", "accepted"};
	long long prev = last;
	for (int i = 0; i < 4; i++) {
		assert_true(sse_next(&s, NULL, 3000, &ev));
		assert_string_equal(ev.type, want[i]);
		assert_true(ev.id > prev);
		prev = ev.id;
		if (i == 3) /* the queue's goal then, which the day's reports read */
			assert_true(json_integer_value(json_object_get(ev.data, "sl_s")) > 0);
	}
	/* and live ones after */
	expect("POST", agent_a, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", c);
	next_event(&s, "wrapup_started", c, &ev);
	assert_true(ev.id > prev);
	json_decref(ev.data);
	sse_close(&s);
}

/* Transfers, a supervisor's move and forced presence, abandonment. */
static void transfer_move_force_abandon(void **state)
{
	struct sse sb;
	struct sse_event ev = {0};
	struct resp r;
	assert_int_equal(sse_open(&sb, &d, agent_b, 0), 200);
	presence(agent_a, "paused");
	presence(agent_b, "available");
	long long c = new_contact(l1);
	next_event(&sb, "offered", c, &ev);
	expect("POST", agent_b, 200, NULL, "/api/v1/contacts/%lld/accept", c);
	/* not to an agent who is offline: it would wait for nobody */
	char *off_token;
	long long off = user("off@t.example", "agent", &off_token);
	free(off_token);
	profile(off, 1, 1, 3);
	call("POST", agent_b, 422, json_pack("{s:I}", "agent_id", (json_int_t)off), &r, "/api/v1/contacts/%lld/transfer", c);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "agent_id");
	/* the routing engine's refusal with its template, for the pages to say it in their language */
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "template")),
			    "agent_id: the agent is offline and would not get it: transfer to a queue, or to an agent who is working");
	resp_clear(&r);
	/* nor to one who takes no chats: it would wait for ever */
	char *mail_token;
	long long mailer = user("mailer@t.example", "agent", &mail_token);
	expect("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "capacity", "email", 2), "/api/v1/agents/%lld", mailer);
	expect("POST", mail_token, 200, json_pack("{s:s,s:s}", "presence", "paused", "reason", "mail"),
	       "/api/v1/agents/me/presence%.0lld", 0);
	free(mail_token);
	call("POST", agent_b, 422, json_pack("{s:I}", "agent_id", (json_int_t)mailer), &r, "/api/v1/contacts/%lld/transfer", c);
	json_t *refusal = json_object_get(r.json, "error");
	assert_non_null(strstr(json_string_value(json_object_get(refusal, "message")), "no chat"));
	assert_string_equal(json_string_value(json_object_get(refusal, "template")),
			    "agent_id: the agent takes no %s contacts (its capacity there is 0)");
	assert_string_equal(json_string_value(json_array_get(json_object_get(refusal, "args"), 0)), "chat");
	resp_clear(&r);
	/* B transfers it to A by name: it waits for A alone */
	call("POST", agent_b, 200, json_pack("{s:I,s:s}", "agent_id", (json_int_t)id_a, "reason", "speaks German"),
	     &r, "/api/v1/contacts/%lld/transfer", c);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "waiting");
	assert_int_equal(json_integer_value(json_object_get(r.json, "agent_id")), id_a);
	resp_clear(&r);
	assert_string_equal(contact_state(c), "queued");
	/* the wallboard counts it as waiting, for one agent */
	call("GET", sup, 200, NULL, &r, "/api/v1/queues/stats");
	json_t *l1_stats = NULL, *qs;
	size_t qi;
	json_array_foreach(json_object_get(r.json, "queues"), qi, qs)
		if (json_integer_value(json_object_get(qs, "queue_id")) == l1)
			l1_stats = qs;
	assert_non_null(l1_stats);
	assert_int_equal(json_integer_value(json_object_get(l1_stats, "waiting_for_agent")), 1);
	assert_true(json_integer_value(json_object_get(l1_stats, "waiting")) >= 1);
	resp_clear(&r);
	/* the supervisor forces B to pause */
	expect("POST", sup, 200, json_pack("{s:s,s:s}", "presence", "paused", "reason", "coaching"),
	       "/api/v1/agents/%lld/presence", id_b);
	call("GET", sup, 200, NULL, &r, "/api/v1/agents/%lld", id_b);
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")), "paused");
	assert_string_equal(json_string_value(json_object_get(r.json, "reason")), "coaching");
	resp_clear(&r);
	bool forced = false;
	while (!forced && sse_next(&sb, "presence", 3000, &ev))
		forced = json_is_true(json_object_get(ev.data, "forced"));
	assert_true(forced);
	/* ... and moves the contact waiting for A to the experts' queue */
	call("POST", sup, 200, json_pack("{s:I}", "queue_id", (json_int_t)l2), &r, "/api/v1/contacts/%lld/move", c);
	assert_int_equal(json_integer_value(json_object_get(r.json, "queue_id")), l2);
	assert_true(json_is_null(json_object_get(r.json, "agent_id")));
	resp_clear(&r);
	/* nobody for a new one: it waits, then the customer hangs up */
	long long gone = new_contact(l1);
	assert_string_equal(routing_state(gone), "waiting");
	call("GET", sup, 200, NULL, &r, "/api/v1/contacts/%lld/routing", gone);
	assert_int_equal(resp_int(&r, "position"), 1);
	resp_clear(&r);
	expect("POST", agent_a, 403, NULL, "/api/v1/contacts/%lld/abandon", gone); /* an agent does not drop a customer */
	expect("POST", sup, 200, NULL, "/api/v1/contacts/%lld/abandon", gone);
	assert_string_equal(contact_state(gone), "resolved");
	assert_string_equal(routing_state(gone), "none");
	call("GET", sup, 200, NULL, &r, "/api/v1/queues/stats");
	json_t *q = json_array_get(json_object_get(r.json, "queues"), 1);
	assert_int_equal(json_integer_value(json_object_get(q, "queue_id")), l1);
	assert_int_equal(json_integer_value(json_object_get(q, "abandoned")), 1);
	assert_true(json_integer_value(json_object_get(q, "answered")) >= 2);
	resp_clear(&r);
	json_decref(ev.data);
	sse_close(&sb);
}

/* A returning customer is offered first to the agent of their last contact. */
static void returning_customer_gets_the_same_agent(void **state)
{
	struct sse sa, sb;
	struct sse_event ev = {0};
	long long sticky = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "sticky billing",
		"skill_id", (json_int_t)skill, "channel", "chat", "sticky_s", 30));
	long long customer = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "external_id", "RETURNING-1"));
	assert_int_equal(sse_open(&sa, &d, agent_a, 0), 200);
	assert_int_equal(sse_open(&sb, &d, agent_b, 0), 200);
	presence(expert, "paused");
	presence(agent_b, "paused");
	presence(agent_a, "available");
	long long first = post_id(&d, sup, "/api/v1/contacts", json_pack("{s:s,s:I,s:I}", "channel", "chat", "customer_id",
		(json_int_t)customer, "queue_id", (json_int_t)sticky));
	next_event(&sa, "offered", first, &ev);
	expect("POST", agent_a, 200, NULL, "/api/v1/contacts/%lld/accept", first);
	expect("POST", agent_a, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", first);
	/* B is now the longest idle, but the customer comes back: A first */
	presence(agent_b, "available");
	long long second = post_id(&d, sup, "/api/v1/contacts", json_pack("{s:s,s:I,s:I}", "channel", "chat", "customer_id",
		(json_int_t)customer, "queue_id", (json_int_t)sticky));
	next_event(&sa, "offered", second, &ev);
	expect("POST", agent_a, 200, NULL, "/api/v1/contacts/%lld/accept", second);
	/* another customer goes to the longest idle, B */
	long long other = new_contact(sticky);
	next_event(&sb, "offered", other, &ev);
	expect("POST", agent_b, 200, NULL, "/api/v1/contacts/%lld/accept", other);
	expect("POST", agent_a, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", second);
	expect("POST", agent_b, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", other);
	/* a chat contact cannot go to a phone queue */
	long long phone = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "phone billing",
		"skill_id", (json_int_t)skill, "channel", "phone"));
	long long c = post_id(&d, sup, "/api/v1/contacts", json_pack("{s:s}", "channel", "chat"));
	struct resp r;
	call("POST", sup, 422, json_pack("{s:I}", "queue_id", (json_int_t)phone), &r, "/api/v1/contacts/%lld/enqueue", c);
	assert_non_null(strstr(r.text, "the queue serves phone"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "template")),
			    "queue_id: the queue serves %s, the contact is %s"); /* through the core operations too */
	resp_clear(&r);
	assert_string_equal(contact_state(c), "new");
	json_decref(ev.data);
	sse_close(&sa);
	sse_close(&sb);
}

/* The row of user_id in a GET /agents answer. */
static json_t *agent_row(json_t *list, long long user_id)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(list, "items"), i, a)
		if (json_integer_value(json_object_get(a, "user_id")) == user_id)
			return a;
	return NULL;
}

/* An agent's live state says what it holds and since when, alone and in
 * the list (one request for a wallboard); after a restart the agent holds
 * it again (the page reloads its tabs from there). */
static void agents_show_what_they_hold(void **state)
{
	struct sse sa;
	struct sse_event ev = {0};
	struct resp r;
	assert_int_equal(sse_open(&sa, &d, agent_a, 0), 200);
	presence(agent_a, "available");
	long long c = new_contact(l1);
	next_event(&sa, "offered", c, &ev);
	json_decref(ev.data);
	ev.data = NULL;
	call("GET", agent_a, 200, NULL, &r, "/api/v1/agents/me");
	json_t *live = json_object_get(r.json, "live");
	assert_string_equal(json_string_value(json_object_get(live, "state")), "offered");
	json_t *held = json_array_get(json_object_get(live, "contacts"), 0);
	assert_int_equal(json_integer_value(json_object_get(held, "contact_id")), c);
	assert_string_equal(json_string_value(json_object_get(held, "state")), "offered");
	int64_t offered_since = 0, expires = 0, busy_since = 0;
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(live, "state_since")), &offered_since), 0);
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(held, "offer_expires_at")), &expires), 0);
	assert_true(expires > offered_since && expires <= offered_since + 1500); /* the queue's 1 s */
	resp_clear(&r);
	expect("POST", agent_a, 200, NULL, "/api/v1/contacts/%lld/accept", c);
	/* the list: every agent with its live state; A busy with c since the accept */
	call("GET", sup, 200, NULL, &r, "/api/v1/agents");
	live = json_object_get(agent_row(r.json, id_a), "live");
	assert_string_equal(json_string_value(json_object_get(live, "state")), "busy");
	assert_string_equal(json_string_value(json_object_get(live, "presence")), "available");
	assert_int_equal(gc_time_parse(json_string_value(json_object_get(live, "state_since")), &busy_since), 0);
	assert_true(busy_since >= offered_since);
	held = json_array_get(json_object_get(live, "contacts"), 0);
	assert_int_equal(json_integer_value(json_object_get(held, "contact_id")), c);
	assert_string_equal(json_string_value(json_object_get(held, "state")), "assigned");
	assert_string_equal(json_string_value(json_object_get(held, "queue")), "billing");
	assert_non_null(json_object_get(held, "since"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(agent_row(r.json, id_e), "live"), "contacts")), 0);
	resp_clear(&r);
	/* a colleague choosing whom to hand a contact to sees A's state, not the contacts A holds */
	call("GET", expert, 200, NULL, &r, "/api/v1/agents");
	live = json_object_get(agent_row(r.json, id_a), "live");
	assert_string_equal(json_string_value(json_object_get(live, "state")), "busy");
	assert_null(json_object_get(live, "contacts"));
	assert_non_null(json_object_get(json_object_get(agent_row(r.json, id_e), "live"), "contacts")); /* its own */
	resp_clear(&r);
	call("GET", expert, 200, NULL, &r, "/api/v1/agents/%lld", id_a);
	assert_null(json_object_get(json_object_get(r.json, "live"), "contacts"));
	resp_clear(&r);
	/* the supervisors' stream: each second, the agents that changed, numbered after the list's seq */
	call("GET", sup, 200, NULL, &r, "/api/v1/agents");
	long long seq = resp_int(&r, "seq");
	resp_clear(&r);
	struct sse ss;
	assert_int_equal(sse_open(&ss, &d, sup, 0), 200);
	presence(expert, "paused");
	bool seen = false;
	for (int i = 0; i < 6 && !seen; i++) {
		assert_true(sse_next(&ss, "agent_states", 3000, &ev));
		long long n = json_integer_value(json_object_get(ev.data, "seq"));
		if (n <= seq) { /* the list already had it (counted before its publication reached the stream): skipped */
			json_decref(ev.data);
			ev.data = NULL;
			continue;
		}
		size_t k;
		json_t *it;
		json_array_foreach(json_object_get(ev.data, "agents"), k, it)
			if (json_integer_value(json_object_get(it, "user_id")) == id_e) {
				json_t *el = json_object_get(it, "live");
				assert_string_equal(json_string_value(json_object_get(el, "presence")), "paused");
				assert_string_equal(json_string_value(json_object_get(el, "reason")), "lunch");
				seen = true;
			}
		json_decref(ev.data);
		ev.data = NULL;
	}
	assert_true(seen);
	sse_close(&ss);
	/* an agent's own stream carries no digest of the others */
	struct sse sa2;
	assert_int_equal(sse_open(&sa2, &d, agent_a, 0), 200);
	presence(expert, "available");
	assert_false(sse_next(&sa2, "agent_states", 2500, &ev));
	sse_close(&sa2);
	/* a restart: A holds c again, and its state says so */
	sse_close(&sa);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	call("GET", agent_a, 200, NULL, &r, "/api/v1/agents/me");
	live = json_object_get(r.json, "live");
	assert_string_equal(json_string_value(json_object_get(live, "state")), "busy");
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")),
			    json_string_value(json_object_get(live, "presence")));
	held = json_array_get(json_object_get(live, "contacts"), 0);
	assert_int_equal(json_integer_value(json_object_get(held, "contact_id")), c);
	resp_clear(&r);
	expect("POST", agent_a, 200, json_pack("{s:s}", "disposition", "answered"), "/api/v1/contacts/%lld/wrapup", c);
}

/* After a restart, waiting contacts keep their order and their wait;
 * agents their presence. */
/* A queue whose contacts are handled in about a second announces waits
 * from its measured handle times, not from a fixed 5 minutes (the waits
 * customers hear and see: guichet/wait.h), and still does after a restart,
 * which measures them again from the day's wrap-ups. */
static void expected_waits_follow_measured_handle_times(void **state)
{
	char *quick_agent = NULL;
	long long id_q = user("q@t.example", "agent", &quick_agent);
	long long quick_skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "quick"));
	long long quick = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "quick", "skill_id",
		(json_int_t)quick_skill, "channel", "chat"));
	expect("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		(json_int_t)quick_skill, "proficiency", 5, "capacity", "chat", 1), "/api/v1/agents/%lld", id_q);
	struct sse sq, ss;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&sq, &d, quick_agent, 0), 200);
	assert_int_equal(sse_open(&ss, &d, sup, 0), 200);
	presence(quick_agent, "available");
	int64_t sum = 0;
	enum { HANDLED = 4 };
	for (int i = 0; i < HANDLED; i++) { /* each held about a second */
		long long c = new_contact(quick);
		next_event(&sq, "offered", c, &ev);
		expect("POST", quick_agent, 200, NULL, "/api/v1/contacts/%lld/accept", c);
		usleep(1000 * 1000);
		expect("POST", quick_agent, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", c);
		next_event(&ss, "wrapup_started", c, &ev);
		int64_t handle = json_integer_value(json_object_get(ev.data, "handle_ms"));
		assert_true(handle >= 1000 && handle < 10000);
		sum += handle;
	}
	/* the agent steps away: 3 wait, the third behind 2, its one slot held
	 * sum / 4 ms per contact: the 3rd slot to free, 3 * mean */
	presence(quick_agent, "paused");
	long long c[3];
	for (int i = 0; i < 3; i++)
		c[i] = new_contact(quick);
	int64_t want = (int64_t)(3.0 * (double)(sum / HANDLED)) / 1000;
	struct resp r;
	call("GET", sup, 200, NULL, &r, "/api/v1/contacts/%lld/routing", c[2]);
	assert_int_equal(resp_int(&r, "position"), 3);
	assert_int_equal(resp_int(&r, "expected_wait_s"), want);
	assert_true(want >= 3 && want < 30); /* the fixed estimate said 3 * 300 s */
	resp_clear(&r);
	sse_close(&sq);
	sse_close(&ss);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	call("GET", sup, 200, NULL, &r, "/api/v1/contacts/%lld/routing", c[2]);
	assert_int_equal(resp_int(&r, "position"), 3);
	assert_int_equal(resp_int(&r, "expected_wait_s"), want);
	resp_clear(&r);
	for (int i = 0; i < 3; i++) /* out of the way of the tests after */
		expect("POST", sup, 200, NULL, "/api/v1/contacts/%lld/abandon", c[i]);
	json_decref(ev.data);
	free(quick_agent);
}

static const char *agent_presence(long long user_id, char buf[16])
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/agents/%lld", user_id);
	snprintf(buf, 16, "%s", json_string_value(json_object_get(r.json, "presence")));
	resp_clear(&r);
	return buf;
}

/* An agent sees its colleagues' names, not their emails (its own, yes); a
 * supervisor sees both. */
static void colleagues_emails_are_for_supervisors(void **state)
{
	const char *const tokens[] = {agent_a, sup};
	for (int i = 0; i < 2; i++) {
		struct resp r;
		call("GET", tokens[i], 200, NULL, &r, "/api/v1/agents%.0lld", 0LL);
		size_t k;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), k, item) {
			bool own = json_integer_value(json_object_get(item, "user_id")) == id_a;
			assert_non_null(json_object_get(item, "name"));
			assert_true((json_object_get(item, "email") != NULL) == (i == 1 || own));
		}
		resp_clear(&r);
		call("GET", tokens[i], 200, NULL, &r, "/api/v1/agents/%lld", id_b);
		assert_true((json_object_get(r.json, "email") != NULL) == (i == 1));
		resp_clear(&r);
	}
}

/* The agents queue counts offline now. */
static int queue_offline(long long queue)
{
	struct resp r;
	int n = -1;
	call("GET", sup, 200, NULL, &r, "/api/v1/queues/stats%.0lld", 0LL);
	size_t k;
	json_t *q;
	json_array_foreach(json_object_get(r.json, "queues"), k, q)
		if (json_integer_value(json_object_get(q, "queue_id")) == queue)
			n = (int)json_integer_value(json_object_get(json_object_get(q, "agents"), "offline"));
	resp_clear(&r);
	return n;
}

/* A user disabled, or given a role that takes no contacts, is offline at
 * once (offered nothing more); one holding a contact is not disabled until
 * it is finished (409, nothing changed). */
static void a_disabled_agent_leaves_routing(void **state)
{
	presence(agent_a, "paused");
	presence(agent_b, "paused");
	presence(expert, "paused");
	char *leaver, *mover, buf[16];
	long long id_l = user("leaver@t.example", "agent", &leaver), id_m = user("mover@t.example", "agent", &mover);
	profile(id_l, 1, 1, 3);
	profile(id_m, 1, 1, 3);
	presence(leaver, "available");
	presence(mover, "available");
	expect("POST", admin, 200, json_pack("{s:s}", "role", "planner"), "/api/v1/users/%lld/role", id_m);
	assert_string_equal(agent_presence(id_m, buf), "offline");
	struct sse s;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&s, &d, leaver, 0), 200);
	long long c = new_contact(l1);
	next_event(&s, "offered", c, &ev);
	expect("POST", leaver, 200, NULL, "/api/v1/contacts/%lld/accept", c);
	/* transferred to A, on a break, who then logs out: it waits for anyone again, and comes back */
	expect("POST", leaver, 200, json_pack("{s:I}", "agent_id", (json_int_t)id_a), "/api/v1/contacts/%lld/transfer", c);
	expect("POST", sup, 200, json_pack("{s:s}", "presence", "offline"), "/api/v1/agents/%lld/presence", id_a);
	next_event(&s, "offered", c, &ev);
	json_decref(ev.data);
	sse_close(&s);
	expect("POST", leaver, 200, NULL, "/api/v1/contacts/%lld/accept", c);
	struct resp r;
	call("POST", admin, 409, NULL, &r, "/api/v1/users/%lld/disable", id_l);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "user");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/users/%lld", id_l);
	assert_true(json_is_false(json_object_get(r.json, "disabled")));
	resp_clear(&r);
	assert_string_equal(agent_presence(id_l, buf), "available");
	expect("POST", leaver, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", c);
	/* an offer still ringing does not keep a user from being disabled: it goes back to its queue */
	long long ringing = new_contact(l1);
	for (int i = 0; i < 100 && strcmp(routing_state(ringing), "offered") != 0; i++)
		usleep(50 * 1000);
	assert_string_equal(routing_state(ringing), "offered");
	int offline_before = queue_offline(l1);
	expect("POST", admin, 200, NULL, "/api/v1/users/%lld/disable", id_l);
	assert_string_equal(agent_presence(id_l, buf), "offline");
	assert_string_equal(routing_state(ringing), "waiting");
	/* nor is it one of the agents any more: not listed, not counted offline in its queues */
	assert_int_equal(queue_offline(l1), offline_before);
	call("GET", sup, 200, NULL, &r, "/api/v1/agents%.0lld", 0LL);
	size_t k;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), k, item)
		assert_int_not_equal(json_integer_value(json_object_get(item, "user_id")), id_l);
	resp_clear(&r);
	/* and nobody puts a disabled user, or a planner, back to work */
	expect("POST", sup, 422, json_pack("{s:s}", "presence", "available"), "/api/v1/agents/%lld/presence", id_l);
	expect("POST", sup, 422, json_pack("{s:s}", "presence", "available"), "/api/v1/agents/%lld/presence", id_m);
	expect("POST", sup, 200, NULL, "/api/v1/contacts/%lld/abandon", ringing);
	free(leaver);
	free(mover);
}

/* An agent who signs out (logout, a switch to another tenant) leaves the
 * routing once its last session there ends: offline, or paused while it
 * holds a contact, which waits for it; an offer still ringing goes back to
 * its queue. Another open session keeps it at work. */
static void a_signed_out_agent_leaves_routing(void **state)
{
	presence(agent_a, "paused");
	presence(agent_b, "paused");
	presence(expert, "paused");
	char *first, *second, buf[16];
	long long id = user("out@t.example", "agent", &first);
	second = login(&d, "out@t.example", PASSWORD);
	expect("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 2, "skills", "skill_id",
		(json_int_t)skill, "proficiency", 5, "capacity", "chat", 2), "/api/v1/agents/%lld", id);
	presence(first, "available");
	/* each window is told the other keeps the agent at work (the desk's sign-out warning needs it) */
	struct resp r;
	call("GET", first, 200, NULL, &r, "/api/v1/agents/me%.0lld", 0LL);
	assert_true(json_is_true(json_object_get(r.json, "other_sessions")));
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/agents/%lld", id); /* said to the agent itself only */
	assert_null(json_object_get(r.json, "other_sessions"));
	resp_clear(&r);
	expect("POST", first, 204, NULL, "/api/v1/auth/logout%.0lld", 0);
	assert_string_equal(agent_presence(id, buf), "available"); /* the second window is still open */
	call("GET", second, 200, NULL, &r, "/api/v1/agents/me%.0lld", 0LL); /* now the last one */
	assert_true(json_is_false(json_object_get(r.json, "other_sessions")));
	resp_clear(&r);
	long long held = new_contact(l2);
	for (int i = 0; i < 100 && strcmp(routing_state(held), "offered") != 0; i++)
		usleep(50 * 1000);
	expect("POST", second, 200, NULL, "/api/v1/contacts/%lld/accept", held);
	long long ringing = new_contact(l2);
	for (int i = 0; i < 100 && strcmp(routing_state(ringing), "offered") != 0; i++)
		usleep(50 * 1000);
	assert_string_equal(routing_state(ringing), "offered");
	expect("POST", second, 204, NULL, "/api/v1/auth/logout%.0lld", 0);
	call("GET", admin, 200, NULL, &r, "/api/v1/agents/%lld", id);
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")), "paused");
	assert_string_equal(json_string_value(json_object_get(r.json, "reason")), "signed out");
	resp_clear(&r);
	assert_string_equal(routing_state(ringing), "waiting");
	assert_string_equal(routing_state(held), "assigned");
	/* back, it finishes its contact; then it switches to another tenant: offline here */
	char *third = login(&d, "out@t.example", PASSWORD);
	expect("POST", third, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", held);
	expect("POST", admin, 201, json_pack("{s:s}", "name", "t-other"), "/api/v1/tenants%.0lld", 0);
	call("POST", admin, 200, json_pack("{s:s,s:s,s:s}", "email", "out@t.example", "tenant", "t-other", "role", "agent"),
	     &r, "/api/v1/memberships%.0lld", 0LL);
	long long other = json_integer_value(json_object_get(r.json, "tenant_id"));
	resp_clear(&r);
	presence(third, "available");
	call("POST", third, 200, json_pack("{s:I}", "tenant_id", (json_int_t)other), &r, "/api/v1/auth/switch%.0lld", 0LL);
	resp_clear(&r);
	assert_string_equal(agent_presence(id, buf), "offline");
	expect("POST", sup, 200, NULL, "/api/v1/contacts/%lld/abandon", ringing);
	free(first);
	free(second);
	free(third);
}

/* The tenant's disposition codes: its admin sets them (refused at the item
 * that is wrong, nothing changed), everyone who reads contacts lists them,
 * and a wrap-up or a resolution by a person must use one of them (422
 * naming disposition, with the codes); an empty list takes any text again. */
static void dispositions_are_the_tenants(void **state)
{
	struct resp r;
	call("GET", agent_a, 200, NULL, &r, "/api/v1/dispositions%.0lld", 0LL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	json_t *list = json_pack("{s:[{s:s,s:s},{s:s,s:s}]}", "items", "code", "card_blocked", "label", "Card blocked",
				 "code", "info_given", "label", "Information given");
	call("PUT", sup, 403, json_incref(list), &r, "/api/v1/dispositions%.0lld", 0LL);
	resp_clear(&r);
	call("PUT", admin, 400, json_pack("{s:[{s:s,s:s}]}", "items", "code", "Card blocked", "label", "x"), &r,
	     "/api/v1/dispositions%.0lld", 0LL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "items");
	resp_clear(&r);
	call("PUT", admin, 200, list, &r, "/api/v1/dispositions%.0lld", 0LL);
	resp_clear(&r);
	call("GET", agent_a, 200, NULL, &r, "/api/v1/dispositions%.0lld", 0LL);
	json_t *items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "code")), "card_blocked");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "label")), "Information given");
	resp_clear(&r);
	/* an agent holding a contact finishes it with one of them */
	presence(agent_b, "paused");
	presence(expert, "paused");
	presence(agent_a, "available");
	struct sse s;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&s, &d, agent_a, 0), 200);
	long long c = new_contact(l1);
	next_event(&s, "offered", c, &ev);
	json_decref(ev.data);
	sse_close(&s);
	expect("POST", agent_a, 200, NULL, "/api/v1/contacts/%lld/accept", c);
	call("POST", agent_a, 422, json_pack("{s:s}", "disposition", "technician_sent"), &r, "/api/v1/contacts/%lld/wrapup", c);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "disposition");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
			       "card_blocked, info_given"));
	resp_clear(&r);
	assert_string_equal(routing_state(c), "assigned"); /* nothing changed */
	expect("POST", agent_a, 200, json_pack("{s:s}", "disposition", "card_blocked"), "/api/v1/contacts/%lld/wrapup", c);
	assert_string_equal(contact_state(c), "resolved");
	/* a contact out of the routing, resolved through its state */
	long long free_c = post_id(&d, sup, "/api/v1/contacts", json_pack("{s:s,s:s}", "channel", "email", "subject", "x"));
	expect("POST", sup, 422, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "whatever"),
	       "/api/v1/contacts/%lld/state", free_c);
	assert_string_equal(contact_state(free_c), "new");
	expect("POST", sup, 200, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "info_given"),
	       "/api/v1/contacts/%lld/state", free_c);
	/* no list: any text again */
	expect("PUT", admin, 200, json_pack("{s:[]}", "items"), "/api/v1/dispositions%.0lld", 0LL);
	long long other = post_id(&d, sup, "/api/v1/contacts", json_pack("{s:s,s:s}", "channel", "email", "subject", "y"));
	expect("POST", sup, 200, json_pack("{s:s,s:s}", "state", "resolved", "disposition", "whatever"),
	       "/api/v1/contacts/%lld/state", other);
	presence(agent_a, "paused");
}

static void restart_rebuilds_the_queues(void **state)
{
	presence(agent_a, "paused");
	presence(agent_b, "paused");
	presence(expert, "paused");
	long long c[3];
	for (int i = 0; i < 3; i++) {
		c[i] = new_contact(l1);
		usleep(20 * 1000);
	}
	sleep(1);
	/* the agents' day (what they handled, their talk time) survives too */
	struct resp r;
	long long handled[2], talk[2];
	for (int run = 0; run < 2; run++) {
		if (run == 1) {
			assert_int_equal(daemon_stop(&d), 0);
			assert_int_equal(daemon_start(&d, NULL), 0);
		}
		call("GET", sup, 200, NULL, &r, "/api/v1/agents/%lld", id_a);
		json_t *live = json_object_get(r.json, "live");
		handled[run] = json_integer_value(json_object_get(live, "handled_today"));
		talk[run] = json_integer_value(json_object_get(live, "talk_s_today"));
		resp_clear(&r);
	}
	assert_true(handled[0] > 0);
	assert_int_equal(handled[1], handled[0]);
	assert_int_equal(talk[1], talk[0]);
	for (int i = 0; i < 3; i++) {
		call("GET", sup, 200, NULL, &r, "/api/v1/contacts/%lld/routing", c[i]);
		assert_string_equal(json_string_value(json_object_get(r.json, "state")), "waiting");
		assert_int_equal(resp_int(&r, "position"), i + 1);
		assert_true(resp_int(&r, "waited_s") >= 1);
		resp_clear(&r);
	}
	call("GET", sup, 200, NULL, &r, "/api/v1/agents/%lld", id_a);
	assert_string_equal(json_string_value(json_object_get(r.json, "presence")), "paused");
	resp_clear(&r);
	struct sse sa;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&sa, &d, agent_a, 0), 200);
	presence(agent_a, "available");
	long long offered = next_event(&sa, "offered", c[0], &ev); /* the oldest first */
	sse_close(&sa);
	/* an offer ringing when the routing stops dies with it: the desk is told
	 * before the contact is offered again */
	daemon_kill9(&d);
	assert_int_equal(daemon_start(&d, NULL), 0);
	assert_int_equal(sse_open(&sa, &d, agent_a, offered), 200);
	long long withdrawn = next_event(&sa, "offer_withdrawn", c[0], &ev);
	assert_string_equal(json_string_value(json_object_get(ev.data, "reason")), "the routing was restarted");
	assert_true(next_event(&sa, "offered", c[0], &ev) > withdrawn);
	json_decref(ev.data);
	ev.data = NULL;
	sse_close(&sa);
}

/* The reason of user_id's pause ("" when none), into buf. */
static const char *agent_reason(long long user_id, char buf[64])
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/agents/%lld", user_id);
	const char *reason = json_string_value(json_object_get(r.json, "reason"));
	snprintf(buf, 64, "%s", reason ? reason : "");
	resp_clear(&r);
	return buf;
}

/* Waits up to 10 s for user_id's presence to leave "available". */
static const char *presence_after_desk(long long user_id, char buf[16])
{
	for (int i = 0; i < 100 && strcmp(agent_presence(user_id, buf), "available") == 0; i++)
		usleep(100 * 1000);
	return buf;
}

/* An agent whose desk (their own event stream) closes and does not come
 * back within the grace (--desk-grace, 2 s here) is signed out as at a
 * logout: paused "connection lost" while holding a contact, its ringing
 * offer back in the queue; offline when holding nothing. A desk closed and
 * opened again within the grace (a page reloaded) changes nothing, and an
 * agent who never opened one (working through the API) is never signed out
 * this way. */
static void a_closed_desk_signs_the_agent_out(void **state)
{
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(daemon_start(&d, "--desk-grace", "2", NULL), 0);
	/* a queue and a skill of their own: what earlier tests left waits elsewhere */
	long long desk_skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "desk"));
	long long queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "desk",
		"skill_id", (json_int_t)desk_skill, "channel", "chat", "offer_timeout_s", 60));
	char *token, *api_token, buf[16], reason[64];
	long long id = user("desk@t.example", "agent", &token), api_id = user("api@t.example", "agent", &api_token);
	for (int i = 0; i < 2; i++)
		expect("PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
			(json_int_t)desk_skill, "proficiency", 5, "capacity", "chat", 2), "/api/v1/agents/%lld",
		       i ? api_id : id);
	struct sse s;
	struct sse_event ev = {0};
	assert_int_equal(sse_open(&s, &d, token, 0), 200);
	presence(token, "available");
	presence(api_token, "available"); /* no stream of its own */
	sse_close(&s); /* reloaded */
	assert_int_equal(sse_open(&s, &d, token, 0), 200);
	sleep(4);
	assert_string_equal(agent_presence(id, buf), "available");
	assert_string_equal(agent_presence(api_id, buf), "available");
	presence(api_token, "paused");
	/* one contact taken, one ringing: the desk closes */
	long long held = new_contact(queue);
	next_event(&s, "offered", held, &ev);
	json_decref(ev.data);
	ev.data = NULL; /* the next sse_next would free it again */
	expect("POST", token, 200, NULL, "/api/v1/contacts/%lld/accept", held);
	long long ringing = new_contact(queue);
	next_event(&s, "offered", ringing, &ev);
	json_decref(ev.data);
	ev.data = NULL; /* the next sse_next would free it again */
	sse_close(&s);
	assert_string_equal(presence_after_desk(id, buf), "paused");
	assert_string_equal(agent_reason(id, reason), "connection lost");
	assert_string_equal(routing_state(ringing), "waiting");
	assert_string_equal(routing_state(held), "assigned");
	/* back: it finishes its contact, takes the next; its desk closes again */
	assert_int_equal(sse_open(&s, &d, token, 0), 200);
	expect("POST", token, 200, json_pack("{s:s}", "disposition", "done"), "/api/v1/contacts/%lld/wrapup", held);
	presence(token, "available");
	next_event(&s, "offered", ringing, &ev);
	json_decref(ev.data);
	ev.data = NULL; /* the next sse_next would free it again */
	sse_close(&s);
	assert_string_equal(presence_after_desk(id, buf), "offline");
	assert_string_equal(routing_state(ringing), "waiting");
	expect("POST", sup, 200, NULL, "/api/v1/contacts/%lld/abandon", ringing);
	free(token);
	free(api_token);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_requests_change_nothing),
		cmocka_unit_test(offers_escalation_and_wrapup),
		cmocka_unit_test(last_event_id_replays_what_was_missed),
		cmocka_unit_test(transfer_move_force_abandon),
		cmocka_unit_test(returning_customer_gets_the_same_agent),
		cmocka_unit_test(agents_show_what_they_hold),
		cmocka_unit_test(expected_waits_follow_measured_handle_times),
		cmocka_unit_test(colleagues_emails_are_for_supervisors),
		cmocka_unit_test(a_disabled_agent_leaves_routing),
		cmocka_unit_test(a_signed_out_agent_leaves_routing),
		cmocka_unit_test(dispositions_are_the_tenants),
		cmocka_unit_test(restart_rebuilds_the_queues),
		cmocka_unit_test(a_closed_desk_signs_the_agent_out),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
