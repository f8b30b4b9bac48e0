/* The callbacks' routes (handlers_callback.h): the body decoded and checked
 * here, each bad field named; the work done by callback.c on the writer. */
#include "daemon/handlers_callback.h"
#include "daemon/callback.h"
#include "daemon/handlers.h"
#include "daemon/server.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/role.h"
#include "guichet/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An error of the callback operations: 400 for bad input, as the API
 * answers a bad field. */
static int reply_callback_error(struct request *r, struct store *db, const struct ops_error *err)
{
	switch (err->rc) {
	case GC_EINVAL:
		return reply_error_said(r, 400, "invalid", err->field, err->message, ops_said(db, err));
	case GC_EFORBIDDEN:
		return reply_error_said(r, 403, "forbidden", err->field, err->message, ops_said(db, err));
	case GC_ENOTFOUND:
		if (err->message[0] == '\0')
			return reply_error(r, 404, "not_found", err->field, "not found");
		return reply_error_said(r, 404, "not_found", err->field, err->message, ops_said(db, err));
	default:
		return reply_ops_error(r, db, err);
	}
}

static bool only_keys(struct request *r, const json_t *obj, const char *const *keys, size_t n_keys)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		bool known = false;
		for (size_t i = 0; i < n_keys && !known; i++)
			known = strcmp(key, keys[i]) == 0;
		if (!known) {
			reply_error(r, 400, "invalid", key, "unknown field '%s'", key);
			return false;
		}
	}
	return true;
}

/* A string field or null/absent (NULL); false after answering 400. */
static bool text_field(struct request *r, const char *name, const char **ret)
{
	json_t *v = json_object_get(r->body, name);
	*ret = json_string_value(v);
	if (v && !json_is_null(v) && *ret == NULL) {
		reply_error(r, 400, "invalid", name, "'%s' is a string", name);
		return false;
	}
	return true;
}

static bool window_field(struct request *r, int64_t *ret_from, int64_t *ret_to)
{
	json_t *w = json_object_get(r->body, "window");
	*ret_from = *ret_to = 0;
	if (w == NULL || json_is_null(w))
		return true;
	const char *from = json_string_value(json_object_get(w, "from")), *to = json_string_value(json_object_get(w, "to"));
	if (!json_is_object(w) || json_object_size(w) != 2 || from == NULL || to == NULL ||
	    gc_time_parse(from, ret_from) < 0 || gc_time_parse(to, ret_to) < 0) {
		reply_error(r, 400, "invalid", "window", "a window is {\"from\": TIME, \"to\": TIME} in RFC 3339");
		return false;
	}
	return true;
}

static bool id_field(struct request *r, const char *name, int64_t *ret)
{
	json_t *v = json_object_get(r->body, name);
	*ret = 0;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		reply_error(r, 400, "invalid", name, "'%s' is a positive integer", name);
		return false;
	}
	*ret = json_integer_value(v);
	return true;
}

/* The request's body; false after answering 400. */
static bool decode_request(struct request *r, bool public, struct callback_request *in)
{
	static const char *const staff[] = {"phone", "name", "queue_id", "window", "context", "contact_id", "source"};
	static const char *const anyone[] = {"phone", "name", "window", "context", "source"};
	*in = (struct callback_request){.source = public ? NULL : "api", .one_per_number = public};
	if (!only_keys(r, r->body, public ? anyone : staff, public ? 5 : 7) || !text_field(r, "phone", &in->phone) ||
	    !text_field(r, "name", &in->name) || !text_field(r, "context", &in->context) ||
	    !window_field(r, &in->window_from, &in->window_to) ||
	    (!public && (!id_field(r, "queue_id", &in->queue_id) || !id_field(r, "contact_id", &in->contact_id))))
		return false;
	const char *source = NULL;
	if (!text_field(r, "source", &source))
		return false;
	if (source)
		in->source = source;
	/* public: where the customer asked (the chat contract allows api too); staff: api or phone */
	bool fits = public ? source && (strcmp(source, "portal") == 0 || strcmp(source, "chat") == 0 ||
					strcmp(source, "api") == 0)
			   : strcmp(in->source, "api") == 0 || strcmp(in->source, "phone") == 0;
	if (!fits) {
		reply_error(r, 400, "invalid", "source", public ? "source is portal, chat or api" : "source is api or phone");
		return false;
	}
	if (in->phone == NULL) {
		reply_error(r, 400, "invalid", "phone", "the number to call back is needed");
		return false;
	}
	return true;
}

/* The callback as GET shows it, with its place while it waits. */
static int answer(struct request *r, struct store *db, int status, int64_t id)
{
	struct ops o = request_ops(r, db);
	json_t *cb = NULL, *place = NULL;
	int rc = store_callback_get(db, &r->scope, id, &cb);
	if (rc == GC_OK)
		rc = callback_answer(&o, &r->scope, id, &place);
	if (rc < 0) {
		json_decref(cb);
		return reply_store_error(r, db, rc, "callback");
	}
	json_object_set(cb, "position", json_object_get(place, "position"));
	json_object_set(cb, "expected_s", json_object_get(place, "expected_s"));
	json_decref(place);
	return reply(r, status, cb);
}

int run_callback_create(struct request *r, struct store *db)
{
	struct callback_request in;
	if (!decode_request(r, false, &in))
		return GC_EINVAL;
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	int64_t id = 0;
	bool existing = false;
	int rc = callback_request(&o, &r->scope, &in, &id, &existing, &err);
	return rc < 0 ? reply_callback_error(r, db, &err) : answer(r, db, 201, id);
}

static bool state_known(const char *state)
{
	static const char *const states[] = {"scheduled", "waiting", "offered", "dialing", "done", "missed", "cancelled"};
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			return true;
	return false;
}

int run_callback_list(struct request *r, struct store *db)
{
	const char *state = query_get(r, "state");
	int64_t cursor = 0, limit = 0;
	if (state && !state_known(state))
		return reply_error(r, 400, "invalid", "state", "state is scheduled, waiting, offered, dialing, done, "
				   "missed or cancelled");
	if (query_int(r, "cursor", 1, INT64_MAX, 0, &cursor) < 0 || query_int(r, "limit", 1, STORE_MAX_PAGE, 50, &limit) < 0)
		return GC_EINVAL;
	json_t *page = NULL;
	int rc = store_callback_list(db, &r->scope, state, cursor, (int)limit, &page);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, page);
}

int run_callback_get(struct request *r, struct store *db)
{
	json_t *cb = NULL;
	int rc = store_callback_get(db, &r->scope, r->ids[0], &cb);
	return rc < 0 ? reply_store_error(r, db, rc, "callback") : reply(r, 200, cb);
}

int run_callback_cancel(struct request *r, struct store *db)
{
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	int rc = callback_cancel(&o, &r->scope, r->ids[0], &err);
	return rc < 0 ? reply_callback_error(r, db, &err) : answer(r, db, 200, r->ids[0]);
}

int run_callback_outcome(struct request *r, struct store *db)
{
	static const char *const keys[] = {"outcome", "note"};
	const char *name = NULL, *note = NULL;
	enum callback_outcome oc;
	if (!only_keys(r, r->body, keys, 2) || !text_field(r, "outcome", &name) || !text_field(r, "note", &note))
		return GC_EINVAL;
	if (callback_outcome_parse(name, &oc) < 0)
		return reply_error(r, 400, "invalid", "outcome", "outcome is reached, no_answer, busy, voicemail or wrong_number");
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	bool supervisor = role_can(r->scope.role, PERM_ROUTING_SUPERVISE);
	int rc = callback_outcome(&o, &r->scope, r->ids[0], oc, note, supervisor, &err);
	return rc < 0 ? reply_callback_error(r, db, &err) : answer(r, db, 200, r->ids[0]);
}

int run_callback_settings_get(struct request *r, struct store *db)
{
	int64_t queue = 0;
	int retry = CALLBACK_DEFAULT_RETRY_S, max = CALLBACK_DEFAULT_ATTEMPTS;
	int rc = store_callback_settings_get(db, r->scope.tenant_id, &queue, &retry, &max);
	if (rc < 0 && rc != GC_ENOTFOUND)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, json_pack("{s:o,s:i,s:i}", "queue_id", queue ? json_integer(queue) : json_null(),
				       "retry_after_s", retry, "max_attempts", max));
}

static bool int_field(struct request *r, const char *name, int min, int max, int def, int *ret)
{
	json_t *v = json_object_get(r->body, name);
	*ret = def;
	if (v == NULL)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		reply_error(r, 400, "invalid", name, "'%s' is an integer from %d to %d", name, min, max);
		return false;
	}
	*ret = (int)json_integer_value(v);
	return true;
}

int run_callback_settings_put(struct request *r, struct store *db)
{
	static const char *const keys[] = {"queue_id", "retry_after_s", "max_attempts"};
	int64_t queue = 0;
	int retry = 0, max = 0;
	if (!only_keys(r, r->body, keys, 3) || !id_field(r, "queue_id", &queue) ||
	    !int_field(r, "retry_after_s", 1, 86400, CALLBACK_DEFAULT_RETRY_S, &retry) ||
	    !int_field(r, "max_attempts", 1, 10, CALLBACK_DEFAULT_ATTEMPTS, &max))
		return GC_EINVAL;
	if (queue) {
		json_t *q = NULL;
		int rc = store_queue_get(db, &r->scope, queue, &q);
		const char *channel = json_string_value(json_object_get(q, "channel"));
		bool phone = rc == GC_OK && channel && strcmp(channel, "phone") == 0;
		json_decref(q);
		if (rc == GC_ENOTFOUND)
			return reply_error(r, 404, "not_found", "queue_id", "no queue %lld in this tenant", (long long)queue);
		if (!phone)
			return reply_error(r, 400, "invalid", "queue_id", "callbacks wait in one of the tenant's phone queues");
	}
	int rc = store_callback_settings_put(db, &r->scope, queue, retry, max);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	return run_callback_settings_get(r, db);
}

int run_report_callbacks(struct request *r, struct store *db)
{
	int64_t from = 0, to = 0;
	json_t *report = NULL;
	int rc = brand_only(r, db, "the callbacks report is the brand's: every queue's callbacks and the missed ones'"
			    " customers");
	if (rc == GC_OK)
		rc = query_span(r, db, 7, 93, &from, &to);
	if (rc < 0)
		return rc;
	if ((rc = store_callback_report(db, &r->scope, from, to, &report)) < 0)
		return reply_store_error(r, db, rc, NULL);
	report_span(report, from, to);
	return reply(r, 200, report);
}

int prepare_public_callback(struct request *r, struct store *db)
{
	if (!public_allowed(r))
		return 1;
	if (store_tenant_exists(db, r->ids[0]) < 0)
		return reply_error(r, 404, "not_found", NULL, "no such tenant"), 1;
	return 0;
}

int run_public_callback(struct request *r, struct store *db)
{
	struct callback_request in;
	if (!decode_request(r, true, &in))
		return GC_EINVAL;
	struct store_scope scope = ops_channel_scope(r->ids[0], in.source);
	snprintf(scope.ip, sizeof(scope.ip), "%s", r->scope.ip);
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	int64_t id = 0;
	bool existing = false;
	json_t *place = NULL;
	int rc = callback_request(&o, &scope, &in, &id, &existing, &err);
	if (rc < 0)
		return reply_callback_error(r, db, &err);
	if ((rc = callback_answer(&o, &scope, id, &place)) < 0)
		return reply_store_error(r, db, rc, "callback");
	json_object_set_new(place, "existing", json_boolean(existing));
	return reply(r, existing ? 200 : 201, place);
}

json_t *callback_shown(const json_t *cb)
{
	return json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "id", json_object_get(cb, "id"), "phone",
			 json_object_get(cb, "phone"), "name", json_object_get(cb, "name"), "window",
			 json_object_get(cb, "window"), "attempts", json_object_get(cb, "attempts"), "max_attempts",
			 json_object_get(cb, "max_attempts"), "state", json_object_get(cb, "state"), "source",
			 json_object_get(cb, "source"));
}
