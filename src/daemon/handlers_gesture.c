/* Goodwill gestures' routes (handlers_gesture.h): bodies decoded and
 * checked here, each bad field named; who may decide and the state a
 * gesture starts in decided by model/gesture.c against the tenant's
 * settings; rows written by store/gesture.c on the writer. */
#include "daemon/handlers_gesture.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/gesture.h"
#include "guichet/role.h"
#include "guichet/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tenant's settings: stored, or the defaults. */
static int load_settings(struct store *db, int64_t tenant_id, struct gesture_settings *ret)
{
	char *text = NULL, field[64], msg[200];
	int rc = store_gesture_settings_get(db, tenant_id, &text);
	if (rc == GC_ENOTFOUND) {
		gesture_settings_default(ret);
		return GC_OK;
	}
	if (rc < 0)
		return rc;
	json_t *json = json_loads(text, 0, NULL);
	free(text);
	rc = json ? gesture_settings_decode(json, ret, field, sizeof(field), msg, sizeof(msg)) : GC_ESTORE;
	json_decref(json);
	return rc < 0 ? GC_ESTORE : GC_OK; /* stored settings were checked when put */
}

static bool only_keys(struct request *r, const char *const *keys, size_t n_keys)
{
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v) {
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

/* An optional text field of at most max bytes; false after answering 400. */
static bool text_field(struct request *r, const char *name, size_t max, const char **ret)
{
	json_t *v = json_object_get(r->body, name);
	*ret = json_string_value(v);
	if (v && !json_is_null(v) && *ret == NULL)
		return reply_error(r, 400, "invalid", name, "'%s' is a string", name), false;
	if (*ret && strlen(*ret) > max)
		return reply_error(r, 400, "invalid", name, "'%s' is at most %zu bytes", name, max), false;
	if (*ret && (*ret)[strspn(*ret, " \t\r\n")] == '\0')
		*ret = NULL;
	return true;
}

int run_gesture_create(struct request *r, struct store *db)
{
	static const char *const keys[] = {"kind", "amount_cents", "reason", "note"};
	const char *kind = NULL, *reason = NULL, *note = NULL;
	enum gesture_kind k;
	if (!only_keys(r, keys, 4) || !text_field(r, "kind", 16, &kind) ||
	    !text_field(r, "reason", GESTURE_REASON_MAX, &reason) || !text_field(r, "note", GESTURE_NOTE_MAX, &note))
		return GC_EINVAL;
	if (gesture_kind_parse(kind, &k) < 0)
		return reply_error(r, 400, "invalid", "kind", "kind is credit, gift or waiver");
	json_t *amount = json_object_get(r->body, "amount_cents");
	if (!json_is_integer(amount) || json_integer_value(amount) < 1 || json_integer_value(amount) > GESTURE_MAX_AMOUNT)
		return reply_error(r, 400, "invalid", "amount_cents",
				   "amount_cents is the value in the currency's minor unit, from 1 to %lld",
				   GESTURE_MAX_AMOUNT);
	char contact_reason[GESTURE_REASON_MAX + 1] = "";
	if (reason == NULL) {
		json_t *c = NULL;
		int rc = store_contact_get(db, &r->scope, r->ids[0], &c);
		if (rc < 0)
			return reply_store_error(r, db, rc, "contact");
		snprintf(contact_reason, sizeof(contact_reason), "%s",
			 json_string_value(json_object_get(c, "reason")) ? json_string_value(json_object_get(c, "reason")) : "");
		json_decref(c);
		if (contact_reason[0] == '\0')
			return reply_error(r, 400, "invalid", "reason",
					   "a gesture needs a reason: give one, or set the contact's reason first");
		reason = contact_reason;
	}
	struct gesture_settings settings;
	int rc = load_settings(db, r->scope.tenant_id, &settings);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	int64_t cents = json_integer_value(amount);
	struct store_gesture g = {
		.contact_id = r->ids[0],
		.amount_cents = cents,
		.kind = gesture_kind_name(k),
		.currency = settings.currency,
		.reason = reason,
		.note = note,
		.state = gesture_state_name(gesture_initial_state(&settings, r->scope.role, cents)),
		.role = role_name(r->scope.role),
	};
	int64_t id = 0;
	json_t *out = NULL;
	if ((rc = store_gesture_create(db, &r->scope, &g, &id)) < 0 ||
	    (rc = store_gesture_get(db, &r->scope, id, &out, NULL)) < 0)
		return reply_store_error(r, db, rc, "contact");
	return reply(r, 201, out);
}

static bool state_query(struct request *r, const char **ret)
{
	enum gesture_state st;
	*ret = query_get(r, "state");
	if (*ret && gesture_state_parse(*ret, &st) < 0)
		return reply_error(r, 400, "invalid", "state", "state is approved, pending or refused"), false;
	return true;
}

/* organisation_id (0: all): only the gestures its people recorded. */
static int list(struct request *r, struct store *db, int64_t contact_id, int64_t organisation_id)
{
	const char *state = NULL;
	int64_t cursor = 0, limit = 0;
	if (!state_query(r, &state) || query_int(r, "cursor", 1, INT64_MAX, 0, &cursor) < 0 ||
	    query_int(r, "limit", 1, STORE_MAX_PAGE, 50, &limit) < 0)
		return GC_EINVAL;
	json_t *page = NULL;
	int rc = store_gesture_list(db, &r->scope, contact_id, state, organisation_id, cursor, (int)limit, &page);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, page);
}

int run_contact_gestures(struct request *r, struct store *db)
{
	int64_t customer = 0;
	char subject[8];
	int rc = store_contact_head(db, &r->scope, r->ids[0], &customer, subject, sizeof(subject));
	return rc < 0 ? reply_store_error(r, db, rc, "contact") : list(r, db, r->ids[0], 0);
}

/* The supervisors' list: an outsourcer's supervisor's has the gestures of
 * its own organisation's people (the brand's people's are the brand's). */
int run_gesture_list(struct request *r, struct store *db)
{
	int64_t contact = 0, org = 0;
	if (query_int(r, "contact", 1, INT64_MAX, 0, &contact) < 0)
		return GC_EINVAL;
	int rc = store_report_viewer_organisation(db, &r->scope, &org);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : list(r, db, contact, org);
}

int run_gesture_get(struct request *r, struct store *db)
{
	json_t *g = NULL;
	int rc = store_gesture_get(db, &r->scope, r->ids[0], &g, NULL);
	return rc < 0 ? reply_store_error(r, db, rc, "gesture") : reply(r, 200, g);
}

static int decide(struct request *r, struct store *db, bool approve)
{
	static const char *const keys[] = {"note"};
	const char *note = NULL;
	if (!only_keys(r, keys, 1) || !text_field(r, "note", GESTURE_NOTE_MAX, &note))
		return GC_EINVAL;
	struct gesture_settings settings;
	struct store_gesture_facts f;
	char msg[200];
	int rc = load_settings(db, r->scope.tenant_id, &settings);
	if (rc == GC_OK)
		rc = store_gesture_get(db, &r->scope, r->ids[0], NULL, &f);
	if (rc < 0)
		return reply_store_error(r, db, rc, "gesture");
	if (strcmp(f.state, "pending") != 0)
		return reply_error(r, 409, "conflict", NULL, "the gesture is already %s", f.state);
	if (gesture_may_decide(&settings, r->scope.role, r->scope.user_id, f.author_user, f.amount_cents, approve, msg,
			       sizeof(msg)) < 0)
		return reply_error(r, 403, "forbidden", NULL, "%s", msg);
	json_t *out = NULL;
	if ((rc = store_gesture_decide(db, &r->scope, r->ids[0], approve ? "approved" : "refused", note)) < 0 ||
	    (rc = store_gesture_get(db, &r->scope, r->ids[0], &out, NULL)) < 0)
		return reply_store_error(r, db, rc, "gesture");
	return reply(r, 200, out);
}

int run_gesture_approve(struct request *r, struct store *db)
{
	return decide(r, db, true);
}

int run_gesture_refuse(struct request *r, struct store *db)
{
	return decide(r, db, false);
}

int run_gesture_settings_get(struct request *r, struct store *db)
{
	struct gesture_settings settings;
	int rc = load_settings(db, r->scope.tenant_id, &settings);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, gesture_settings_json(&settings));
}

int run_gesture_settings_put(struct request *r, struct store *db)
{
	struct gesture_settings settings;
	char field[64] = "", msg[200] = "";
	if (gesture_settings_decode(r->body, &settings, field, sizeof(field), msg, sizeof(msg)) < 0)
		return reply_error(r, 400, "invalid", field[0] ? field : NULL, "%s", msg);
	json_t *json = gesture_settings_json(&settings);
	char *text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = text ? store_gesture_settings_put(db, &r->scope, text) : GC_ENOMEM;
	free(text);
	if (rc < 0) {
		json_decref(json);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 200, json);
}

int run_report_gestures(struct request *r, struct store *db)
{
	int64_t from = 0, to = 0;
	struct gesture_settings settings;
	json_t *report = NULL;
	int rc = brand_only(r, db, "the gestures report is the brand's: every agent's gestures and amounts");
	if (rc == GC_OK)
		rc = query_span(r, db, 30, 366, &from, &to);
	if (rc < 0)
		return rc;
	if ((rc = load_settings(db, r->scope.tenant_id, &settings)) < 0 ||
	    (rc = store_gesture_report(db, &r->scope, from, to, &report)) < 0)
		return reply_store_error(r, db, rc, NULL);
	report_span(report, from, to);
	json_object_set_new(report, "currency", json_string(settings.currency));
	return reply(r, 200, report);
}
