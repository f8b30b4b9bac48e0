/* Callbacks on the core operations (see callback.h for the state machine):
 * a request becomes a phone contact for the customer found or created by
 * the number, with its callback row, in the caller's transaction; the
 * writer's timer puts scheduled ones in their queue; outcomes wrap the
 * contact up or send it back for another attempt at its old place. */
#include "daemon/callback.h"
#include "guichet/message.h"
#include "daemon/router.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_BATCH 64 /* due callbacks handled per tick */

struct settings {
	int64_t queue_id;
	int retry_after_s, max_attempts;
};

static int load_settings(const struct ops *o, int64_t tenant_id, struct settings *ret, struct ops_error *err)
{
	*ret = (struct settings){.retry_after_s = CALLBACK_DEFAULT_RETRY_S, .max_attempts = CALLBACK_DEFAULT_ATTEMPTS};
	int rc = store_callback_settings_get(o->db, tenant_id, &ret->queue_id, &ret->retry_after_s, &ret->max_attempts);
	if (rc < 0 && rc != GC_ENOTFOUND)
		return ops_fail(err, rc, NULL, "%s", store_errmsg(o->db));
	return GC_OK;
}

/* A window in the future, from before to, ending within 14 days, with some
 * of the tenant's business hours in it. */
static int check_window(const struct ops *o, int64_t tenant_id, int64_t now, int64_t from, int64_t to,
			struct ops_error *err)
{
	if (from >= to)
		return ops_fail(err, GC_EINVAL, "window", "the window's from must come before its to");
	if (to <= now)
		return ops_fail(err, GC_EINVAL, "window", "the window has ended already: give one in the future");
	if (to > now + CALLBACK_MAX_WINDOW_MS)
		return ops_fail(err, GC_EINVAL, "window", "the window must end within 14 days");
	struct calendar *cal = malloc(sizeof(*cal));
	if (cal == NULL)
		return ops_fail(err, GC_ENOMEM, NULL, "out of memory");
	int64_t open_s = 0;
	int rc = ops_calendar_load(o->db, tenant_id, cal, err);
	if (rc == GC_OK && calendar_elapsed(cal, from > now ? from : now, to, &open_s) < 0)
		rc = ops_fail(err, GC_EINVAL, "window", "the window cannot be placed in the tenant's calendar");
	free(cal);
	if (rc == GC_OK && open_s <= 0)
		rc = ops_fail(err, GC_EINVAL, "window", "the window is wholly outside the tenant's business hours");
	return rc;
}

/* The queue, which must be one of the tenant's phone queues. */
static int check_queue(const struct ops *o, const struct store_scope *scope, int64_t queue_id, struct ops_error *err)
{
	json_t *q = NULL;
	int rc = store_queue_get(o->db, scope, queue_id, &q);
	if (rc == GC_ENOTFOUND)
		return ops_fail(err, GC_ENOTFOUND, "queue_id", "no queue %lld in this tenant", (long long)queue_id);
	if (rc < 0)
		return ops_fail(err, rc, "queue_id", "%s", store_errmsg(o->db));
	const char *channel = json_string_value(json_object_get(q, "channel"));
	bool phone = channel && strcmp(channel, "phone") == 0;
	json_decref(q);
	return phone ? GC_OK : ops_fail(err, GC_EINVAL, "queue_id", "a callback waits in a phone queue");
}

/* The contact's first message: who asked, from where, and why (with an
 * existing contact, its subject and first message). */
static char *context_text(const struct ops *o, const struct store_scope *scope, const struct callback_request *in,
			  struct ops_error *err)
{
	json_t *c = NULL;
	if (in->contact_id) {
		int rc = store_contact_get(o->db, scope, in->contact_id, &c);
		if (rc < 0) {
			ops_fail(err, rc, "contact_id", "%s", rc == GC_ENOTFOUND ? "no such contact" : store_errmsg(o->db));
			return NULL;
		}
	}
	const char *subject = json_string_value(json_object_get(c, "subject"));
	const char *first = json_string_value(json_object_get(json_array_get(json_object_get(c, "messages"), 0), "body"));
	const char *tail = in->context ? in->context : c ? NULL : "No context given.";
	char about[300] = "";
	if (c)
		snprintf(about, sizeof(about), "\nAbout contact #%lld%s%.200s", (long long)in->contact_id,
			 subject ? ": " : "", subject ? subject : "");
	char *text = NULL;
	if (asprintf(&text, "Call back requested (%s)%s%s.%s%s%.4000s%s%s", in->source, in->name ? " by " : "",
		     in->name ? in->name : "", about, first ? "\n\n" : "", first ? first : "", tail ? "\n\n" : "",
		     tail ? tail : "") < 0)
		text = NULL;
	json_decref(c);
	if (text == NULL)
		ops_fail(err, GC_ENOMEM, NULL, "out of memory");
	return text;
}

static int check_text(const char *text, const char *field, size_t max, bool multiline, struct ops_error *err)
{
	if (text && (strlen(text) > max || !gc_text_is_clean(text, multiline)))
		return ops_fail(err, GC_EINVAL, field, "'%s' is text of at most %zu bytes, without control characters",
			      field, max);
	return GC_OK;
}

static int check_request(const struct callback_request *in, struct ops_error *err)
{
	static const char *const sources[] = {"portal", "chat", "api", "phone"};
	bool known = false;
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		known |= in->source && strcmp(in->source, sources[i]) == 0;
	if (!known)
		return ops_fail(err, GC_EINVAL, "source", "source is portal, chat, api or phone");
	int rc = check_text(in->name, "name", 200, false, err);
	if (rc == GC_OK)
		rc = check_text(in->context, "context", CALLBACK_MAX_TEXT, true, err);
	if (rc == GC_OK && (in->window_from == 0) != (in->window_to == 0))
		rc = ops_fail(err, GC_EINVAL, "window", "a window has both from and to");
	return rc;
}

/* Its contact, for the customer of the number, and its row. */
static int create(const struct ops *o, const struct store_scope *scope, const struct callback_request *in,
		  const char *key, const struct settings *set, int64_t queue_id, int64_t now, int64_t *ret_id,
		  struct ops_error *err)
{
	struct store_scope channel = ops_channel_scope(scope->tenant_id, "callback");
	int64_t customer = 0, contact = 0;
	bool created = false;
	int rc = ops_customer_find_or_create(o, &channel, NULL, key, &customer, &created, err);
	if (rc == GC_OK)
		rc = ops_customer_keep_name(o, &channel, customer, in->name, NULL, err);
	char *text = rc == GC_OK ? context_text(o, scope, in, err) : NULL;
	if (text == NULL)
		return rc < 0 ? rc : err->rc;
	struct contact_input ci = {.channel = CHANNEL_PHONE, .customer_id = customer, .subject = SYSTEM_NOTE("Callback"),
				   .message = text};
	rc = ops_contact_create(o, scope, &ci, &contact, NULL, err);
	free(text);
	bool asap = in->window_from == 0 || in->window_from <= now;
	if (rc == GC_OK && asap && in->since > 0 && in->since < now) { /* the place of the call it comes from */
		if ((rc = router_enqueue_at(o->router, o->db, scope, contact, queue_id, 0, in->since)) < 0)
			return ops_pass_on(err, rc, "queue_id", router_errmsg(o->router), router_said(o->router));
	} else if (rc == GC_OK && asap) {
		rc = ops_enqueue(o, scope, contact, queue_id, 0, err);
	}
	if (rc < 0)
		return rc;
	struct store_callback row = {.contact_id = contact, .origin_contact_id = in->contact_id, .queue_id = queue_id,
		.phone = key, .name = in->name, .source = in->source, .window_from = in->window_from,
		.window_to = in->window_to, .max_attempts = set->max_attempts, .state = asap ? "waiting" : "scheduled",
		.next_attempt_at = asap ? 0 : in->window_from,
		.enqueued_at = !asap ? 0 : in->since > 0 && in->since < now ? in->since : now};
	if ((rc = store_callback_create(o->db, scope, &row, ret_id)) < 0)
		return ops_fail(err, rc, NULL, "%s", store_errmsg(o->db));
	return GC_OK;
}

int callback_request(const struct ops *o, const struct store_scope *scope, const struct callback_request *in,
		     int64_t *ret_id, bool *ret_existing, struct ops_error *err)
{
	char key[OPS_PHONE_KEY_LEN];
	struct settings set;
	int64_t now = gc_now_ms();
	*ret_existing = false;
	if (in->phone == NULL || strlen(in->phone) > 32)
		return ops_fail(err, GC_EINVAL, "phone", "'phone' is a telephone number of 32 characters at most");
	int rc = ops_tenant_phone_key(o->db, scope->tenant_id, in->phone, in->lenient, "phone", key, sizeof(key), err);
	if (rc == GC_OK)
		rc = check_request(in, err);
	if (rc == GC_OK)
		rc = load_settings(o, scope->tenant_id, &set, err);
	if (rc < 0)
		return rc;
	int64_t queue_id = in->queue_id ? in->queue_id : set.queue_id;
	if (queue_id == 0)
		return ops_fail(err, GC_ECONFLICT, "queue_id", "this tenant takes no callback requests yet: "
			      "it has no callback queue (PUT /api/v1/callbacks/settings)");
	if ((rc = check_queue(o, scope, queue_id, err)) < 0)
		return rc;
	if (in->window_to && (rc = check_window(o, scope->tenant_id, now, in->window_from, in->window_to, err)) < 0)
		return rc;
	if (in->one_per_number) {
		rc = store_callback_open_for(o->db, scope->tenant_id, key, ret_id);
		if (rc == GC_OK) {
			*ret_existing = true;
			return GC_OK;
		}
		if (rc != GC_ENOTFOUND)
			return ops_fail(err, rc, NULL, "%s", store_errmsg(o->db));
	}
	return create(o, scope, in, key, &set, queue_id, now, ret_id, err);
}

int callback_answer(const struct ops *o, const struct store_scope *scope, int64_t id, json_t **ret)
{
	json_t *cb = NULL, *view = NULL;
	int rc = store_callback_get(o->db, scope, id, &cb);
	if (rc < 0)
		return rc;
	const char *state = json_string_value(json_object_get(cb, "state"));
	if (strcmp(state, "waiting") == 0)
		router_contact_view(o->router, scope, json_integer_value(json_object_get(cb, "contact_id")), &view);
	json_t *position = json_object_get(view, "position"), *expected = json_object_get(view, "expected_wait_s");
	*ret = json_pack("{s:I,s:s,s:O,s:O,s:O}", "id", (json_int_t)id, "state", state, "position",
			 position ? position : json_null(), "expected_s", expected ? expected : json_null(), "window",
			 json_object_get(cb, "window"));
	json_decref(view);
	json_decref(cb);
	return *ret ? GC_OK : GC_ENOMEM;
}

int callback_outcome_parse(const char *text, enum callback_outcome *ret)
{
	static const char *const names[] = {"reached", "no_answer", "busy", "voicemail", "wrong_number"};
	for (size_t i = 0; text && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*ret = (enum callback_outcome)i;
			return GC_OK;
		}
	}
	return GC_EINVAL;
}

static const char *outcome_name(enum callback_outcome oc)
{
	static const char *const names[] = {"reached", "no_answer", "busy", "voicemail", "wrong_number"};
	return names[oc];
}

static int load_row(const struct ops *o, int64_t tenant_id, int64_t id, struct store_callback_row *row,
		    struct ops_error *err)
{
	int rc = store_callback_row(o->db, tenant_id, id, row);
	if (rc == GC_ENOTFOUND)
		return ops_fail(err, rc, "callback", "no such callback");
	return rc < 0 ? ops_fail(err, rc, NULL, "%s", store_errmsg(o->db)) : GC_OK;
}

/* The holder wraps the contact up: for another attempt (waiting on the
 * customer) or for good (resolved with disposition). */
static int wrap(const struct ops *o, const struct store_scope *holder, int64_t contact_id, const char *disposition,
		struct ops_error *err)
{
	struct routing_input in = {.priority = -1, .disposition = disposition,
				   .state = disposition ? CONTACT_RESOLVED : CONTACT_WAITING_ON_CUSTOMER};
	int rc = router_wrapup(o->router, o->db, holder, contact_id, &in);
	return rc < 0 ? ops_pass_on(err, rc, "callback", router_errmsg(o->router), router_said(o->router)) : GC_OK;
}

static int add_note(const struct ops *o, const struct store_scope *scope, int64_t contact_id, int attempt,
		    enum callback_outcome oc, const char *note, struct ops_error *err)
{
	char text[CALLBACK_MAX_TEXT + 100];
	snprintf(text, sizeof(text), SYSTEM_NOTE("Callback attempt %d: %s%s%s"), attempt, outcome_name(oc), note ? ". " : "",
		 note ? note : "");
	struct message_input m = {.body = text};
	json_t *msg = NULL;
	int rc = ops_message_add(o, scope, contact_id, &m, true, &msg, err);
	json_decref(msg);
	return rc;
}

int callback_outcome(const struct ops *o, const struct store_scope *scope, int64_t id, enum callback_outcome oc,
		     const char *note, bool any_holder, struct ops_error *err)
{
	struct store_callback_row row;
	struct settings set;
	int rc = load_row(o, scope->tenant_id, id, &row, err);
	if (rc == GC_OK && strcmp(row.state, "dialing") != 0)
		rc = ops_fail(err, GC_ESTATE, "callback", "the callback is %s, not being dialled: accept its offer first",
			    row.state);
	if (rc == GC_OK && row.agent_id != scope->user_id && !any_holder)
		rc = ops_fail(err, GC_EFORBIDDEN, "callback", "only the agent who holds it, or a supervisor, records its outcome");
	if (rc == GC_OK)
		rc = check_text(note, "note", CALLBACK_MAX_TEXT, true, err);
	if (rc == GC_OK)
		rc = load_settings(o, scope->tenant_id, &set, err);
	if (rc == GC_OK)
		rc = add_note(o, scope, row.contact_id, row.attempts + 1, oc, note, err);
	if (rc < 0)
		return rc;
	struct store_scope holder = *scope;
	holder.user_id = row.agent_id; /* a supervisor wraps up for the agent */
	int64_t now = gc_now_ms(), end = row.window_to ? row.window_to : row.created_at + CALLBACK_ASAP_SPAN_MS;
	int64_t next = now + set.retry_after_s * 1000LL;
	struct store_callback_change ch = {.attempts = row.attempts + 1, .outcome = outcome_name(oc)};
	if (oc == CALLBACK_REACHED) {
		ch.state = "done";
		ch.reached_at = ch.done_at = now;
	} else if (oc == CALLBACK_WRONG_NUMBER) {
		ch = (struct store_callback_change){.state = "missed", .missed_reason = "wrong_number",
			.attempts = row.attempts + 1, .outcome = outcome_name(oc), .done_at = now};
		rc = wrap(o, &holder, row.contact_id, "wrong_number", err);
	} else if (ch.attempts < row.max_attempts && next < end) {
		ch.state = "scheduled";
		ch.next_attempt_at = next;
		rc = wrap(o, &holder, row.contact_id, NULL, err);
	} else {
		ch.state = "missed";
		ch.missed_reason = "attempts_exhausted";
		ch.done_at = now;
		rc = wrap(o, &holder, row.contact_id, "callback_missed", err);
	}
	if (rc == GC_OK && (rc = store_callback_update(o->db, scope->tenant_id, id, &ch)) < 0)
		return ops_fail(err, rc, NULL, "%s", store_errmsg(o->db));
	if (rc == GC_OK && oc == CALLBACK_REACHED &&
	    (rc = store_contact_first_response(o->db, scope->tenant_id, row.contact_id, now)) < 0)
		return ops_fail(err, rc, NULL, "%s", store_errmsg(o->db));
	return rc;
}

static int resolve(const struct ops *o, const struct store_scope *scope, int64_t contact_id, const char *disposition,
		   struct ops_error *err)
{
	struct state_input in = {.state = CONTACT_RESOLVED, .disposition = disposition, .expected_version = -1};
	int rc = store_contact_set_state(o->db, scope, contact_id, &in, NULL);
	return rc < 0 ? ops_fail(err, rc, "callback", "%s", store_errmsg(o->db)) : GC_OK;
}

int callback_cancel(const struct ops *o, const struct store_scope *scope, int64_t id, struct ops_error *err)
{
	struct store_callback_row row;
	int rc = load_row(o, scope->tenant_id, id, &row, err);
	if (rc < 0)
		return rc;
	if (strcmp(row.state, "scheduled") == 0) {
		rc = resolve(o, scope, row.contact_id, "callback_cancelled", err);
	} else if (strcmp(row.state, "waiting") == 0 || strcmp(row.state, "offered") == 0) {
		rc = router_abandon(o->router, o->db, scope, row.contact_id);
		if (rc < 0)
			ops_pass_on(err, rc, "callback", router_errmsg(o->router), router_said(o->router));
	} else {
		rc = ops_fail(err, GC_ESTATE, "callback", "the callback is %s: only a scheduled, waiting or offered one is cancelled",
			    row.state);
	}
	struct store_callback_change ch = {.state = "cancelled", .attempts = -1, .done_at = gc_now_ms()};
	if (rc == GC_OK && (rc = store_callback_update(o->db, scope->tenant_id, id, &ch)) < 0)
		return ops_fail(err, rc, NULL, "%s", store_errmsg(o->db));
	return rc;
}

/* 1 when the contact was resolved or closed by someone meanwhile, 0 when
 * it is open, or an error. */
static int contact_over(const struct ops *o, const struct store_scope *scope, int64_t contact_id)
{
	json_t *c = NULL;
	int rc = store_contact_get(o->db, scope, contact_id, &c);
	const char *state = json_string_value(json_object_get(c, "state"));
	bool over = state && (strcmp(state, "resolved") == 0 || strcmp(state, "closed") == 0);
	json_decref(c);
	return rc < 0 ? rc : over;
}

/* One due callback: missed when its window ended (out of its queue if it
 * still waits there), else into its queue, at its first place when it was
 * there before. */
static int due_one(const struct ops *o, const struct store_callback_row *row, int64_t now)
{
	struct store_scope scope = ops_channel_scope(row->tenant_id, "callback");
	struct ops_error err = {0};
	int rc;
	if (row->window_to && row->window_to <= now) {
		struct store_callback_change ch = {.state = "missed", .missed_reason = "window_passed", .attempts = -1,
						   .done_at = now};
		if (strcmp(row->state, "waiting") == 0) /* nobody took it in time: out of the queue */
			rc = router_abandon(o->router, o->db, &scope, row->contact_id);
		else
			rc = resolve(o, &scope, row->contact_id, "callback_missed", &err);
		return rc < 0 ? rc : store_callback_update(o->db, row->tenant_id, row->id, &ch);
	}
	if ((rc = contact_over(o, &scope, row->contact_id)) != 0) { /* resolved or closed meanwhile: nothing to call */
		struct store_callback_change ch = {.state = "cancelled", .attempts = -1, .done_at = now};
		return rc < 0 ? rc : store_callback_update(o->db, row->tenant_id, row->id, &ch);
	}
	if (row->enqueued_at == 0) {
		rc = ops_enqueue(o, &scope, row->contact_id, row->queue_id, 0, &err);
	} else {
		struct state_input back = {.state = CONTACT_IN_PROGRESS, .expected_version = -1};
		rc = store_contact_set_state(o->db, &scope, row->contact_id, &back, NULL);
		if (rc == GC_OK)
			rc = router_enqueue_at(o->router, o->db, &scope, row->contact_id, row->queue_id, 0, row->enqueued_at);
	}
	struct store_callback_change ch = {.state = "waiting", .attempts = -1, .enqueued_at = now};
	return rc < 0 ? rc : store_callback_update(o->db, row->tenant_id, row->id, &ch);
}

int callback_tick(const struct ops *o, int64_t now, int *ret_n)
{
	struct store_callback_row rows[TICK_BATCH];
	size_t n = 0;
	int changed = 0, rc = store_callbacks_due(o->db, now, rows, TICK_BATCH, &n);
	for (size_t i = 0; rc == GC_OK && i < n; i++) {
		if ((rc = store_savepoint(o->db)) < 0)
			break;
		int one = due_one(o, &rows[i], now);
		if (one == GC_OK)
			one = store_flush(o->db);
		if (one == GC_OK) {
			store_release(o->db);
			changed++;
		} else {
			store_rollback_to(o->db);
		}
		router_job_end(o->router, one == GC_OK);
		if (one < 0 && one != GC_EMOVED) { /* refused (its queue deleted...): again in a minute, not each second */
			struct store_callback_change later = {.attempts = -1, .next_attempt_at = now + 60 * 1000};
			rc = store_callback_update(o->db, rows[i].tenant_id, rows[i].id, &later);
		}
	}
	*ret_n = changed;
	return rc;
}
