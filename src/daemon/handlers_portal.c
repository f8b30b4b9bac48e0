/* The self-service portal over HTTP: the tenant's incidents and
 * announcements (GET, POST /api/v1/incidents; GET, PATCH, DELETE
 * /api/v1/incidents/{id}; POST /api/v1/incidents/{id}/end), the portal's
 * settings (GET, PUT /api/v1/portal) and the public answer the portal page
 * reads first (GET /public/v1/tenants/{id}/portal): its title and language,
 * the current incidents, and every way to reach a person with whether the
 * tenant is open now.
 *
 * An incident's body is decoded whole, so a PATCH is the stored incident
 * with the body's fields laid over it, checked again as a creation is. */
#include "daemon/handlers.h"
#include "daemon/ops.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <stdlib.h>
#include <string.h>

#define INCIDENT_MAX_TITLE 200
#define INCIDENT_MAX_BODY 4000
#define INCIDENT_MAX_AREA 200
#define INCIDENT_MAX_KEYWORDS 20
#define INCIDENT_MAX_KEYWORD 100
#define PORTAL_MAX_TITLE 200
#define PORTAL_MAX_PHONE 40
#define PORTAL_MAX_EMAIL 254
#define PORTAL_MAX_CHAT_KEY 64

static const char *const incident_fields[] = {"kind", "title", "body", "area", "severity", "starts_at",
					      "expected_end_at", "published", "keywords"};

static int bad(struct request *r, const char *field, const char *message)
{
	return reply_error(r, 400, "invalid", field, "%s", message);
}

/* A text field: NULL when absent or null; false (answered) when it is not
 * clean text of at most max bytes. */
static bool text_field(struct request *r, const json_t *o, const char *name, size_t max, bool multiline,
		       const char **ret)
{
	const json_t *v = json_object_get(o, name);
	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v) || json_string_length(v) > max || !gc_text_is_clean(json_string_value(v), multiline)) {
		reply_error(r, 400, "invalid", name, "'%s' is text of at most %zu bytes", name, max);
		return false;
	}
	*ret = json_string_value(v);
	return true;
}

/* A time field (RFC 3339): def when absent, 0 when null. */
static bool time_field(struct request *r, const json_t *o, const char *name, int64_t def, int64_t *ret)
{
	const json_t *v = json_object_get(o, name);
	*ret = v == NULL ? def : 0;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v) || gc_time_parse(json_string_value(v), ret) < 0) {
		reply_error(r, 400, "invalid", name, "'%s' is a time (RFC 3339, e.g. 2026-12-02T08:00:00Z)", name);
		return false;
	}
	return true;
}

/* Decodes an incident from o (a body, or a stored incident with a body laid
 * over it); answers 400 naming the field and returns negative otherwise. */
static int incident_decode(struct request *r, const json_t *o, struct store_incident *ret)
{
	struct store_incident in = {0};
	in.kind = json_string_value(json_object_get(o, "kind"));
	if (in.kind == NULL || (strcmp(in.kind, "incident") != 0 && strcmp(in.kind, "announcement") != 0))
		return bad(r, "kind", "'kind' is \"incident\" or \"announcement\"");
	if (!text_field(r, o, "title", INCIDENT_MAX_TITLE, false, &in.title) ||
	    !text_field(r, o, "body", INCIDENT_MAX_BODY, true, &in.body) ||
	    !text_field(r, o, "area", INCIDENT_MAX_AREA, false, &in.area) ||
	    !text_field(r, o, "severity", 16, false, &in.severity))
		return GC_EINVAL;
	if (in.title == NULL || in.title[0] == '\0')
		return bad(r, "title", "'title' is the customer-facing headline, 1 to 200 bytes");
	if (in.area && in.area[0] == '\0')
		in.area = NULL;
	bool incident = strcmp(in.kind, "incident") == 0;
	if (incident && in.severity == NULL)
		in.severity = "major";
	if (incident && strcmp(in.severity, "minor") != 0 && strcmp(in.severity, "major") != 0 &&
	    strcmp(in.severity, "critical") != 0)
		return bad(r, "severity", "'severity' is \"minor\", \"major\" or \"critical\"");
	if (!incident && in.severity)
		return bad(r, "severity", "an announcement has no 'severity'");
	if (!time_field(r, o, "starts_at", gc_now_ms(), &in.starts_at) ||
	    !time_field(r, o, "expected_end_at", 0, &in.expected_end_at))
		return GC_EINVAL;
	if (in.starts_at == 0)
		return bad(r, "starts_at", "'starts_at' is a time (RFC 3339); absent: now");
	if (in.expected_end_at && in.expected_end_at <= in.starts_at)
		return bad(r, "expected_end_at", "'expected_end_at' comes after 'starts_at'");
	const json_t *p = json_object_get(o, "published");
	if (p && !json_is_boolean(p))
		return bad(r, "published", "'published' is true or false");
	in.published = json_is_true(p);
	const json_t *k = json_object_get(o, "keywords"), *phrase;
	size_t i;
	if (k && !json_is_null(k) && (!json_is_array(k) || json_array_size(k) > INCIDENT_MAX_KEYWORDS))
		return bad(r, "keywords", "'keywords' is a list of at most 20 phrases a customer's words may mention");
	json_array_foreach(k, i, phrase) {
		if (!json_is_string(phrase) || json_string_length(phrase) == 0 ||
		    json_string_length(phrase) > INCIDENT_MAX_KEYWORD || !gc_text_is_clean(json_string_value(phrase), false))
			return reply_error(r, 400, "invalid", "keywords", "keywords[%zu] is a phrase of 1 to %d bytes", i,
					   INCIDENT_MAX_KEYWORD);
	}
	in.keywords = json_is_array(k) ? k : NULL;
	if (in.keywords && !incident && json_array_size(in.keywords))
		return bad(r, "keywords", "an announcement has no 'keywords': contacts are linked to incidents");
	*ret = in;
	return GC_OK;
}

/* The body's keys are all an incident's. */
static int known_fields(struct request *r)
{
	const char *k;
	json_t *v;
	json_object_foreach(r->body, k, v) {
		size_t i = 0, n = sizeof(incident_fields) / sizeof(incident_fields[0]);
		while (i < n && strcmp(k, incident_fields[i]) != 0)
			i++;
		if (i == n)
			return reply_error(r, 400, "invalid", k, "'%s' is not a field of an incident", k);
	}
	return GC_OK;
}

static int answer_incident(struct request *r, struct store *db, int64_t id, int status)
{
	json_t *row = NULL;
	int rc = store_incident_get(db, &r->scope, id, &row);
	return rc < 0 ? reply_store_error(r, db, rc, "incident") : reply(r, status, row);
}

int run_incident_list(struct request *r, struct store *db)
{
	const char *all = query_get(r, "all");
	json_t *list = NULL;
	int rc = store_incident_list(db, &r->scope, all && strcmp(all, "false") != 0 && strcmp(all, "0") != 0, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_incident_get(struct request *r, struct store *db)
{
	return answer_incident(r, db, r->ids[0], 200);
}

int run_incident_create(struct request *r, struct store *db)
{
	struct store_incident in;
	int64_t id = 0;
	int rc = known_fields(r);
	if (rc == GC_OK)
		rc = incident_decode(r, r->body, &in);
	if (rc < 0)
		return rc;
	rc = store_incident_add(db, &r->scope, &in, &id);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "incident_created", in.title,
				 json_pack("{s:I,s:s,s:b}", "id", (json_int_t)id, "kind", in.kind, "published", in.published));
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : answer_incident(r, db, id, 201);
}

int run_incident_update(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = known_fields(r);
	if (rc < 0)
		return rc;
	rc = store_incident_get(db, &r->scope, r->ids[0], &row);
	if (rc < 0)
		return reply_store_error(r, db, rc, "incident");
	json_object_update(row, r->body);
	struct store_incident in;
	rc = incident_decode(r, row, &in);
	if (rc == GC_OK)
		rc = store_incident_update(db, &r->scope, r->ids[0], &in);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "incident_changed", in.title,
				 json_pack("{s:I,s:O}", "id", (json_int_t)r->ids[0], "changes", r->body));
	json_decref(row);
	if (rc < 0)
		return r->status ? rc : reply_store_error(r, db, rc, "incident");
	return answer_incident(r, db, r->ids[0], 200);
}

int run_incident_end(struct request *r, struct store *db)
{
	int rc = store_incident_end(db, &r->scope, r->ids[0], gc_now_ms());
	if (rc == GC_ESTATE)
		return reply_error(r, 409, "conflict", "incident", "incident %lld has ended already", (long long)r->ids[0]);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "incident_ended", NULL,
				 json_pack("{s:I}", "id", (json_int_t)r->ids[0]));
	return rc < 0 ? reply_store_error(r, db, rc, "incident") : answer_incident(r, db, r->ids[0], 200);
}

int run_incident_delete(struct request *r, struct store *db)
{
	int rc = store_incident_delete(db, &r->scope, r->ids[0]);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "incident_removed", NULL,
				 json_pack("{s:I}", "id", (json_int_t)r->ids[0]));
	if (rc < 0)
		return reply_store_error(r, db, rc, "incident");
	r->status = 204;
	return GC_OK;
}

/* --- the portal's settings --- */

static bool chat_key_ok(const char *k)
{
	size_t n = strlen(k);
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') ||
		      k[i] == '-' || k[i] == '_'))
			return false;
	return n > 0 && n <= PORTAL_MAX_CHAT_KEY;
}

static bool phone_text_ok(const char *p)
{
	size_t digits = 0;
	for (const char *c = p; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (!strchr("+ ()-.", *c))
			return false;
	}
	return digits >= 3;
}

/* The canonical settings from the body, checked; answers 400 naming the
 * field otherwise. */
static int portal_decode(struct request *r, struct store *db, json_t **ret)
{
	static const char *const fields[] = {"enabled", "title", "lang", "phone", "email", "chat_key", "callback",
					     "queue_id"};
	const char *k, *title, *lang, *phone, *email, *chat_key;
	json_t *v;
	json_object_foreach(r->body, k, v) {
		size_t i = 0, n = sizeof(fields) / sizeof(fields[0]);
		while (i < n && strcmp(k, fields[i]) != 0)
			i++;
		if (i == n)
			return reply_error(r, 400, "invalid", k, "'%s' is not a setting of the portal", k);
	}
	const json_t *enabled = json_object_get(r->body, "enabled"), *callback = json_object_get(r->body, "callback");
	const json_t *queue = json_object_get(r->body, "queue_id");
	if (!json_is_boolean(enabled))
		return bad(r, "enabled", "'enabled' is true or false");
	if (callback && !json_is_boolean(callback))
		return bad(r, "callback", "'callback' is true or false: whether the portal offers a callback");
	if (!text_field(r, r->body, "title", PORTAL_MAX_TITLE, false, &title) ||
	    !text_field(r, r->body, "lang", 2, false, &lang) ||
	    !text_field(r, r->body, "phone", PORTAL_MAX_PHONE, false, &phone) ||
	    !text_field(r, r->body, "email", PORTAL_MAX_EMAIL, false, &email) ||
	    !text_field(r, r->body, "chat_key", PORTAL_MAX_CHAT_KEY, false, &chat_key))
		return GC_EINVAL;
	if (lang && strcmp(lang, "fr") != 0 && strcmp(lang, "en") != 0)
		return bad(r, "lang", "'lang' is \"fr\" or \"en\" (absent: the customer's browser's)");
	if (phone && !phone_text_ok(phone))
		return bad(r, "phone", "'phone' is the number shown: digits, spaces, + ( ) - .");
	if (email && (strchr(email, '@') == NULL || strchr(email, ' ') || email[0] == '@'))
		return bad(r, "email", "'email' is the address shown, name@domain");
	if (chat_key && !chat_key_ok(chat_key))
		return bad(r, "chat_key", "'chat_key' is a chat channel's public key (letters, digits, - and _)");
	if (queue && !json_is_null(queue)) {
		json_t *q = NULL;
		int rc = json_is_integer(queue) ? store_queue_get(db, &r->scope, json_integer_value(queue), &q)
						: GC_ENOTFOUND;
		json_decref(q);
		if (rc == GC_ENOTFOUND)
			return reply_error(r, 400, "invalid", "queue_id", "'queue_id' is one of the tenant's queues");
		if (rc < 0)
			return reply_store_error(r, db, rc, "queue_id");
	}
	json_t *out = json_pack("{s:b,s:s}", "enabled", json_is_true(enabled), "title", title && *title ? title : "");
	json_object_set_new(out, "lang", lang ? json_string(lang) : json_null());
	json_object_set_new(out, "phone", phone && *phone ? json_string(phone) : json_null());
	json_object_set_new(out, "email", email && *email ? json_string(email) : json_null());
	json_object_set_new(out, "chat_key", chat_key && *chat_key ? json_string(chat_key) : json_null());
	json_object_set_new(out, "callback", json_boolean(json_is_true(callback)));
	json_object_set_new(out, "queue_id", queue && json_is_integer(queue) ? json_incref((json_t *)queue) : json_null());
	*ret = out;
	return GC_OK;
}

/* The settings, or the disabled default when the tenant has none. */
int portal_settings(struct store *db, int64_t tenant_id, json_t **ret)
{
	char *text = NULL;
	int rc = store_portal_get(db, tenant_id, &text);
	if (rc == GC_ENOTFOUND) {
		*ret = json_pack("{s:b,s:s,s:n,s:n,s:n,s:n,s:b,s:n}", "enabled", 0, "title", "", "lang", "phone",
				 "email", "chat_key", "callback", 0, "queue_id");
		return GC_OK;
	}
	if (rc < 0)
		return rc;
	json_t *o = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_object(o)) {
		json_decref(o);
		return GC_ESTORE;
	}
	*ret = o;
	return GC_OK;
}

int run_portal_get(struct request *r, struct store *db)
{
	json_t *o = NULL;
	int rc = portal_settings(db, r->scope.tenant_id, &o);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, o);
}

int run_portal_put(struct request *r, struct store *db)
{
	json_t *o = NULL;
	int rc = portal_decode(r, db, &o);
	if (rc < 0)
		return rc;
	char *text = json_dumps(o, JSON_COMPACT);
	rc = text ? store_portal_put(db, &r->scope, text) : GC_ENOMEM;
	free(text);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "portal_changed", NULL, json_deep_copy(o));
	if (rc < 0) {
		json_decref(o);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 200, o);
}

/* --- the public answer --- */

/* {"open_now", "hours"}: the tenant's calendar now. */
static int opening(struct store *db, int64_t tenant_id, json_t *contact)
{
	struct calendar *c = malloc(sizeof(*c));
	struct ops_error err = {0};
	bool open = true;
	int rc = c ? ops_calendar_load(db, tenant_id, c, &err) : GC_ENOMEM;
	if (rc == GC_OK)
		rc = calendar_is_open(c, gc_now_ms(), &open);
	if (rc == GC_OK) {
		json_t *cal = calendar_json(c);
		json_object_set_new(contact, "open_now", json_boolean(open));
		json_object_set(contact, "hours", json_object_get(cal, "hours"));
		json_object_set(contact, "zone", json_object_get(cal, "zone"));
		json_decref(cal);
	}
	free(c);
	return rc;
}

/* The settings of tenant's help centre when it is enabled; 404 "no such
 * help centre" otherwise, as for a tenant that does not exist. */
static int enabled_settings(struct request *r, struct store *db, int64_t tenant, json_t **ret)
{
	json_t *settings = NULL;
	int rc = store_tenant_exists(db, tenant);
	if (rc == GC_OK)
		rc = portal_settings(db, tenant, &settings);
	if (rc == GC_ENOTFOUND || (rc == GC_OK && !json_is_true(json_object_get(settings, "enabled")))) {
		json_decref(settings);
		return reply_error(r, 404, "not_found", NULL, "no such help centre");
	}
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	*ret = settings;
	return GC_OK;
}

bool portal_public(struct request *r, struct store *db, int64_t tenant)
{
	json_t *settings = NULL;
	if (enabled_settings(r, db, tenant, &settings) < 0)
		return false;
	json_decref(settings);
	return true;
}

int run_public_portal(struct request *r, struct store *db)
{
	int64_t tenant = r->ids[0];
	json_t *settings = NULL, *incidents = NULL;
	if (!public_allowed(r))
		return GC_EBUSY;
	int rc = enabled_settings(r, db, tenant, &settings);
	if (rc < 0)
		return rc;
	rc = store_incidents_current(db, tenant, gc_now_ms(), &incidents);
	json_t *contact = json_object();
	json_object_set(contact, "phone", json_object_get(settings, "phone"));
	json_object_set(contact, "email", json_object_get(settings, "email"));
	json_object_set(contact, "chat_key", json_object_get(settings, "chat_key"));
	json_object_set(contact, "callback", json_object_get(settings, "callback"));
	if (rc == GC_OK)
		rc = opening(db, tenant, contact);
	if (rc < 0) {
		json_decref(settings);
		json_decref(incidents);
		json_decref(contact);
		return reply_store_error(r, db, rc, NULL);
	}
	json_t *out = json_pack("{s:O,s:O,s:o,s:o}", "title", json_object_get(settings, "title"), "lang",
				json_object_get(settings, "lang"), "incidents", incidents, "contact", contact);
	json_decref(settings);
	return reply(r, 200, out);
}
