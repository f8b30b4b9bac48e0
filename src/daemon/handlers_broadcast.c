/* Proactive incidents over HTTP: an incident's audience (PUT
 * /api/v1/incidents/{id}/audience), its message templates (PUT
 * .../templates), its broadcasts (GET, POST .../broadcasts: the declaration,
 * an update with its text, the resolution, each walked by the writer's clock,
 * broadcast.h) and its report (GET .../report).
 *
 * Everything a broadcast needs is checked when it is asked for (an
 * audience, a template of its kind, a mailbox to send from, a resolution
 * told once), so a broadcast accepted with 202 is one the clock can walk. */
#include "daemon/broadcast.h"
#include "daemon/handlers.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"
#include "guichet/text.h"

#include <stdlib.h>
#include <string.h>

#define AUDIENCE_MAX_CUSTOMERS 10000
#define AUDIENCE_MAX_KEY 64
#define AUDIENCE_MAX_VALUE 256
#define TEMPLATE_MAX_SUBJECT 200
#define TEMPLATE_MAX_BODY 4000
#define BROADCAST_MAX_TEXT 4000

/* "social,sms,email" and its end */
#define CHANNELS_LEN 24

static const char *const kinds[] = {"declaration", "update", "resolution"};
static const char *const langs[] = {"en", "fr"};

static bool one_of(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

static bool clean(const json_t *v, size_t max, bool multiline)
{
	return json_is_string(v) && json_string_length(v) >= 1 && json_string_length(v) <= max &&
	       gc_text_is_clean(json_string_value(v), multiline);
}

static int decode_audience(struct request *r, struct store_audience *a, int64_t **ret_ids)
{
	const json_t *all = json_object_get(r->body, "all"), *attr = json_object_get(r->body, "attribute"),
		     *list = json_object_get(r->body, "customers");
	if (json_object_size(r->body) != 1 || (all == NULL && attr == NULL && list == NULL))
		return reply_error(r, 400, "invalid", "audience",
				   "an audience is one of {\"all\": true}, {\"attribute\": {\"key\", \"value\"}},"
				   " {\"customers\": [ids]}");
	*a = (struct store_audience){0};
	if (all) {
		if (!json_is_true(all))
			return reply_error(r, 400, "invalid", "all", "'all' is true");
		a->kind = "all";
	} else if (attr) {
		const json_t *k = json_object_get(attr, "key"), *v = json_object_get(attr, "value");
		if (!json_is_object(attr) || json_object_size(attr) != 2 || !clean(k, AUDIENCE_MAX_KEY, false) ||
		    !clean(v, AUDIENCE_MAX_VALUE, false))
			return reply_error(r, 400, "invalid", "attribute",
					   "'attribute' is {\"key\": text of 1 to %d bytes, \"value\": 1 to %d bytes}",
					   AUDIENCE_MAX_KEY, AUDIENCE_MAX_VALUE);
		a->kind = "attribute";
		a->key = json_string_value(k);
		a->value = json_string_value(v);
	} else {
		size_t n = json_array_size(list), i;
		if (!json_is_array(list) || n == 0 || n > AUDIENCE_MAX_CUSTOMERS)
			return reply_error(r, 400, "invalid", "customers", "'customers' is a list of 1 to %d customer ids",
					   AUDIENCE_MAX_CUSTOMERS);
		int64_t *ids = calloc(n, sizeof(*ids));
		if (ids == NULL)
			return GC_ENOMEM;
		const json_t *id;
		json_array_foreach(list, i, id) {
			if (!json_is_integer(id) || json_integer_value(id) <= 0) {
				free(ids);
				return reply_error(r, 400, "invalid", "customers", "'customers' holds customer ids");
			}
			ids[i] = json_integer_value(id);
		}
		a->kind = "customers";
		a->customers = ids;
		a->n_customers = n;
		*ret_ids = ids;
	}
	return GC_OK;
}

int run_incident_audience_put(struct request *r, struct store *db)
{
	struct store_audience a;
	int64_t *ids = NULL, unknown = 0;
	int rc = decode_audience(r, &a, &ids);
	if (rc == GC_OK)
		rc = store_incident_audience_set(db, &r->scope, r->ids[0], &a, &unknown);
	if (rc == GC_EINVAL && r->status == 0)
		rc = reply_error(r, 400, "invalid", "customers", "customer %lld is not one of the tenant's",
				 (long long)unknown);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "incident_audience_set", a.kind,
				 json_pack("{s:I}", "id", (json_int_t)r->ids[0]));
	free(ids);
	if (rc == GC_EFORBIDDEN && r->status == 0)
		return reply_store_error(r, db, rc, "attribute");
	if (rc < 0)
		return r->status ? rc : reply_store_error(r, db, rc, "incident");
	json_t *setup = NULL;
	rc = store_incident_setup(db, r->scope.tenant_id, r->ids[0], &setup);
	return rc < 0 ? reply_store_error(r, db, rc, "incident") : reply(r, 200, setup);
}

/* A template's variable, for the check: any known name has a value. */
static const char *known_variable(const char *name, void *arg)
{
	static const char *const names[] = {"customer.name", "incident.title", "incident.since",
					    "incident.expected_end", "update.text"};
	(void)arg;
	return one_of(name, names, sizeof(names) / sizeof(names[0])) ? "" : NULL;
}

/* 0 when text uses only known variables; else answers 400 naming field. */
static int check_variables(struct request *r, const char *field, const char *text)
{
	json_t *missing = NULL;
	char *filled = kb_fill(text, known_variable, NULL, &missing);
	size_t n = json_array_size(missing);
	int rc = n == 0 ? GC_OK
			: reply_error(r, 400, "invalid", field,
				      "'%s' uses an unknown variable {{%s}} (customer.name, incident.title,"
				      " incident.since, incident.expected_end, update.text)",
				      field, json_string_value(json_array_get(missing, 0)));
	free(filled);
	json_decref(missing);
	return rc;
}

static int put_template(struct request *r, struct store *db, const char *kind, const char *lang, const json_t *t)
{
	char field[64];
	snprintf(field, sizeof(field), "%s.%s", kind, lang);
	const json_t *subject = json_object_get(t, "subject"), *body = json_object_get(t, "body");
	if (!json_is_object(t) || json_object_size(t) != 2 || !clean(subject, TEMPLATE_MAX_SUBJECT, false) ||
	    !clean(body, TEMPLATE_MAX_BODY, true))
		return reply_error(r, 400, "invalid", field,
				   "'%s' is {\"subject\": 1 to %d bytes on one line, \"body\": 1 to %d bytes}", field,
				   TEMPLATE_MAX_SUBJECT, TEMPLATE_MAX_BODY);
	int rc = check_variables(r, field, json_string_value(subject));
	if (rc == GC_OK)
		rc = check_variables(r, field, json_string_value(body));
	if (rc == GC_OK)
		rc = store_incident_template_set(db, &r->scope, r->ids[0], kind, lang, json_string_value(subject),
						 json_string_value(body));
	return rc;
}

int run_incident_templates_put(struct request *r, struct store *db)
{
	json_t *setup = NULL;
	int rc = store_incident_setup(db, r->scope.tenant_id, r->ids[0], &setup);
	if (rc < 0)
		return reply_store_error(r, db, rc, "incident");
	json_decref(setup);
	if (json_object_size(r->body) == 0)
		return reply_error(r, 400, "invalid", "templates",
				   "give at least one template: {\"declaration\": {\"en\": {\"subject\", \"body\"}}}");
	if ((rc = store_incident_template_clear(db, &r->scope, r->ids[0])) < 0)
		return reply_store_error(r, db, rc, NULL);
	const char *kind, *lang;
	const json_t *per_lang, *t;
	json_object_foreach((json_t *)r->body, kind, per_lang) {
		if (!one_of(kind, kinds, 3))
			return reply_error(r, 400, "invalid", kind,
					   "'%s' is not a kind of template (declaration, update, resolution)", kind);
		if (!json_is_object(per_lang) || json_object_size(per_lang) == 0)
			return reply_error(r, 400, "invalid", kind, "'%s' is {\"en\": {...}, \"fr\": {...}}", kind);
		json_object_foreach((json_t *)per_lang, lang, t) {
			if (!one_of(lang, langs, 2))
				return reply_error(r, 400, "invalid", kind, "'%s' is a language of '%s' (en, fr)", lang,
						   kind);
			if ((rc = put_template(r, db, kind, lang, t)) < 0)
				return r->status ? rc : reply_store_error(r, db, rc, NULL);
		}
	}
	rc = store_audit(db, &r->scope, r->scope.tenant_id, "incident_templates_set", NULL,
			 json_pack("{s:I}", "id", (json_int_t)r->ids[0]));
	if (rc == GC_OK)
		rc = store_incident_setup(db, r->scope.tenant_id, r->ids[0], &setup);
	return rc < 0 ? reply_store_error(r, db, rc, "incident") : reply(r, 200, setup);
}

int run_incident_broadcasts(struct request *r, struct store *db)
{
	json_t *setup = NULL;
	int rc = store_incident_setup(db, r->scope.tenant_id, r->ids[0], &setup);
	return rc < 0 ? reply_store_error(r, db, rc, "incident") : reply(r, 200, setup);
}

/* The body of a broadcast, its channels in order of preference into
 * channels ("sms,email"); answers 400 naming the field otherwise. */
static int decode_broadcast(struct request *r, struct store_broadcast *ret, char order[CHANNELS_LEN])
{
	static const char *const fields[] = {"kind", "text", "channels", "rate_per_minute"};
	const char *k;
	json_t *v;
	json_object_foreach(r->body, k, v) {
		if (!one_of(k, fields, 4))
			return reply_error(r, 400, "invalid", k, "'%s' is not a field of a broadcast", k);
	}
	struct store_broadcast in = {.kind = json_string_value(json_object_get(r->body, "kind")),
				     .rate_per_minute = BROADCAST_DEFAULT_RATE};
	if (!one_of(in.kind, kinds, 3))
		return reply_error(r, 400, "invalid", "kind", "'kind' is \"declaration\", \"update\" or \"resolution\"");
	const json_t *text = json_object_get(r->body, "text");
	if (text && !json_is_null(text) && !clean(text, BROADCAST_MAX_TEXT, true))
		return reply_error(r, 400, "invalid", "text", "'text' is 1 to %d bytes", BROADCAST_MAX_TEXT);
	in.text = json_string_value(text);
	if (strcmp(in.kind, "update") == 0 && in.text == NULL)
		return reply_error(r, 400, "invalid", "text", "an update carries its 'text'");
	const json_t *channels = json_object_get(r->body, "channels"), *c;
	size_t i;
	if (channels && (!json_is_array(channels) || json_array_size(channels) == 0 || json_array_size(channels) > 3))
		return reply_error(r, 400, "invalid", "channels", "'channels' is a list of \"email\", \"sms\" and"
				   " \"social\", the first one a customer can take: [\"email\"], [\"social\", \"sms\","
				   " \"email\"]...");
	snprintf(order, CHANNELS_LEN, "%s", channels ? "" : "email");
	json_array_foreach(channels, i, c) {
		const char *name = json_string_value(c);
		if (name == NULL || (strcmp(name, "email") != 0 && strcmp(name, "sms") != 0 && strcmp(name, "social") != 0))
			return reply_error(r, 400, "invalid", "channels",
					   "unknown channel '%s' for a broadcast (email, sms, social)", name ? name : "?");
		if (strstr(order, name))
			return reply_error(r, 400, "invalid", "channels", "'%s' is given twice", name);
		snprintf(order + strlen(order), CHANNELS_LEN - strlen(order), "%s%s", i ? "," : "", name);
	}
	in.channels = order;
	const json_t *rate = json_object_get(r->body, "rate_per_minute");
	if (rate && (!json_is_integer(rate) || json_integer_value(rate) < 1 ||
		     json_integer_value(rate) > BROADCAST_MAX_RATE))
		return reply_error(r, 400, "invalid", "rate_per_minute", "'rate_per_minute' is 1 to %d",
				   BROADCAST_MAX_RATE);
	if (rate)
		in.rate_per_minute = json_integer_value(rate);
	*ret = in;
	return GC_OK;
}

static bool has_template(const json_t *setup, const char *kind)
{
	size_t i;
	const json_t *t;
	json_array_foreach(json_object_get(setup, "templates"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "kind")), kind) == 0)
			return true;
	}
	return false;
}

static bool told(const json_t *setup, const char *kind)
{
	size_t i;
	const json_t *b;
	json_array_foreach(json_object_get(setup, "broadcasts"), i, b) {
		if (strcmp(json_string_value(json_object_get(b, "kind")), kind) == 0)
			return true;
	}
	return false;
}

/* 409 unless the incident can take this broadcast now. */
static int check_broadcast(struct request *r, struct store *db, const json_t *setup, const char *kind,
			   const char *channels)
{
	long long id = (long long)r->ids[0];
	char address[256];
	int64_t mailbox = 0, messaging = 0;
	if (strcmp(json_string_value(json_object_get(setup, "incident_kind")), "incident") != 0)
		return reply_error(r, 409, "conflict", "incident", "%lld is an announcement: only an incident is broadcast", id);
	if (json_is_null(json_object_get(json_object_get(setup, "audience"), "kind")))
		return reply_error(r, 409, "conflict", "audience", "incident %lld has no audience: set it first", id);
	if (!has_template(setup, kind))
		return reply_error(r, 409, "conflict", "templates", "incident %lld has no '%s' template", id, kind);
	if (told(setup, "resolution"))
		return reply_error(r, 409, "conflict", "kind", "incident %lld was resolved and its resolution told already", id);
	if (strcmp(kind, "declaration") == 0 && told(setup, "declaration"))
		return reply_error(r, 409, "conflict", "kind", "incident %lld was declared already: broadcast an update", id);
	if (strcmp(kind, "resolution") != 0 && json_is_true(json_object_get(setup, "ended")))
		return reply_error(r, 409, "conflict", "kind", "incident %lld has ended: only its resolution is told", id);
	int rc = strstr(channels, "email") ? store_broadcast_mailbox(db, r->scope.tenant_id, &mailbox, address,
								     sizeof(address)) : GC_OK;
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 409, "conflict", "channels", "the tenant has no mailbox to send a broadcast from");
	if (rc == GC_OK && strstr(channels, "sms") &&
	    (rc = store_broadcast_messaging_channel(db, r->scope.tenant_id, "sms", &messaging)) == GC_ENOTFOUND)
		return reply_error(r, 409, "conflict", "channels", "the tenant has no SMS channel to send a broadcast by");
	if (rc == GC_OK && strstr(channels, "social") &&
	    (rc = store_broadcast_messaging_channel(db, r->scope.tenant_id, "social", &messaging)) == GC_ENOTFOUND)
		return reply_error(r, 409, "conflict", "channels", "the tenant has no social channel to send a broadcast by");
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : GC_OK;
}

int run_incident_broadcast(struct request *r, struct store *db)
{
	struct store_broadcast in;
	json_t *setup = NULL;
	int64_t seq = 0;
	char channels[CHANNELS_LEN];
	int rc = decode_broadcast(r, &in, channels);
	if (rc < 0)
		return rc;
	if ((rc = store_incident_setup(db, r->scope.tenant_id, r->ids[0], &setup)) < 0)
		return reply_store_error(r, db, rc, "incident");
	rc = check_broadcast(r, db, setup, in.kind, channels);
	bool ended = json_is_true(json_object_get(setup, "ended"));
	json_decref(setup);
	if (rc < 0)
		return rc;
	if (strcmp(in.kind, "resolution") == 0 && !ended) /* telling it is resolved ends it */
		rc = store_incident_end(db, &r->scope, r->ids[0], gc_now_ms());
	if (rc == GC_OK)
		rc = store_broadcast_add(db, &r->scope, r->ids[0], &in, &seq);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "incident_broadcast", in.kind,
				 json_pack("{s:I,s:I,s:I}", "id", (json_int_t)r->ids[0], "seq", (json_int_t)seq,
					   "rate_per_minute", (json_int_t)in.rate_per_minute));
	if (rc < 0)
		return reply_store_error(r, db, rc, "incident");
	json_t *given = json_array();
	for (const char *c = channels; *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] == ',')) /* in their order */
		json_array_append_new(given, json_stringn(c, strcspn(c, ",")));
	return reply(r, 202, json_pack("{s:I,s:I,s:s,s:s*,s:o,s:I}", "incident_id", (json_int_t)r->ids[0], "seq",
				       (json_int_t)seq, "kind", in.kind, "text", in.text, "channels", given,
				       "rate_per_minute", (json_int_t)in.rate_per_minute));
}

int run_incident_report(struct request *r, struct store *db)
{
	json_t *report = NULL;
	int rc = store_incident_report(db, &r->scope, r->ids[0], gc_now_ms(), &report);
	return rc < 0 ? reply_store_error(r, db, rc, "incident") : reply(r, 200, report);
}
