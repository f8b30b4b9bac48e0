/* Strict decoding of request bodies into domain structs (guichet/decode.h).
 *
 * Each decoder first refuses fields it does not know, then reads each field
 * with a typed getter that enforces type, presence, length and range. */
#include "guichet/decode.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_NAME 200
#define MAX_PASSWORD 256
#define MIN_PASSWORD 8

static int fail(struct decode_error *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct decode_error *err, int code, const char *field, const char *fmt, ...)
{
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

int decode_body(const char *body, size_t len, json_t **ret_obj, struct decode_error *err)
{
	json_error_t jerr;
	json_t *obj = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL)
		return fail(err, GC_EINVAL, "", "malformed JSON at line %d column %d: %s",
			    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return fail(err, GC_EINVAL, "", "the body must be a JSON object");
	}
	*ret_obj = obj;
	return GC_OK;
}

/* Refuses any key of obj not in the NULL-terminated list known. */
static int only_fields(const json_t *obj, const char *const *known, struct decode_error *err)
{
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)obj, key, value) {
		bool found = false;
		for (const char *const *k = known; *k && !found; k++)
			found = strcmp(*k, key) == 0;
		if (!found)
			return fail(err, GC_EINVAL, key, "unknown field '%.100s'", key);
	}
	return GC_OK;
}

enum { OPTIONAL = 0, REQUIRED = 1 };
enum { ONE_LINE = 0, MULTILINE = 1 };

/* *ret is NULL when the field is absent or JSON null. */
static int get_string(const json_t *obj, const char *name, bool required, size_t max_len,
		      bool multiline, const char **ret, struct decode_error *err)
{
	const json_t *v = json_object_get(obj, name);
	*ret = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return fail(err, GC_EINVAL, name, "'%s' is required", name);
		return GC_OK;
	}
	if (!json_is_string(v))
		return fail(err, GC_EINVAL, name, "'%s' must be a string", name);
	size_t len = json_string_length(v);
	if (len > max_len)
		return fail(err, GC_ETOOBIG, name, "'%s' is longer than %zu bytes", name, max_len);
	const char *s = json_string_value(v);
	if (!gc_text_is_clean(s, multiline))
		return fail(err, GC_EINVAL, name, "'%s' contains control characters", name);
	if (required && len == 0)
		return fail(err, GC_EINVAL, name, "'%s' must not be empty", name);
	*ret = s;
	return GC_OK;
}

static int get_int(const json_t *obj, const char *name, int64_t min, int64_t max,
		   bool *ret_present, int64_t *ret, struct decode_error *err)
{
	const json_t *v = json_object_get(obj, name);
	*ret_present = v != NULL && !json_is_null(v);
	if (!*ret_present)
		return GC_OK;
	if (!json_is_integer(v))
		return fail(err, GC_EINVAL, name, "'%s' must be an integer", name);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return fail(err, GC_EINVAL, name, "'%s' must be between %lld and %lld", name,
			    (long long)min, (long long)max);
	*ret = i;
	return GC_OK;
}

static int get_role(const json_t *obj, const char *name, enum role *ret, struct decode_error *err)
{
	const char *s;
	int rc = get_string(obj, name, REQUIRED, 32, ONE_LINE, &s, err);
	if (rc < 0)
		return rc;
	if (role_parse(s, ret) < 0)
		return fail(err, GC_EINVAL, name, "unknown role '%.32s'", s);
	return GC_OK;
}

static int get_email(const json_t *obj, const char *name, bool required, const char **ret,
		     struct decode_error *err)
{
	int rc = get_string(obj, name, required, 254, ONE_LINE, ret, err);
	if (rc == GC_OK && *ret && !gc_text_is_email(*ret))
		return fail(err, GC_EINVAL, name, "'%s' is not an email address", name);
	return rc;
}

static int get_password(const json_t *obj, const char *name, const char **ret,
			struct decode_error *err)
{
	int rc = get_string(obj, name, REQUIRED, MAX_PASSWORD, ONE_LINE, ret, err);
	if (rc == GC_OK && strlen(*ret) < MIN_PASSWORD)
		return fail(err, GC_EINVAL, name, "'%s' must have at least %d characters", name,
			    MIN_PASSWORD);
	return rc;
}

int login_input_decode(const json_t *obj, struct login_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"email", "password", "tenant", NULL};
	struct login_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "email", REQUIRED, 254, ONE_LINE, &in.email, err)) < 0 ||
	    (rc = get_string(obj, "password", REQUIRED, MAX_PASSWORD, ONE_LINE, &in.password, err)) < 0 ||
	    (rc = get_string(obj, "tenant", OPTIONAL, MAX_NAME, ONE_LINE, &in.tenant, err)) < 0)
		return rc;
	*ret = in;
	return GC_OK;
}

static int get_tags(const json_t *obj, struct contact_input *in, struct decode_error *err)
{
	const json_t *tags = json_object_get(obj, "tags");
	if (tags == NULL)
		return GC_OK;
	if (!json_is_array(tags))
		return fail(err, GC_EINVAL, "tags", "'tags' must be an array of strings");
	if (json_array_size(tags) > DECODE_MAX_TAGS)
		return fail(err, GC_ETOOBIG, "tags", "at most %d tags", DECODE_MAX_TAGS);
	size_t i;
	const json_t *t;
	json_array_foreach(tags, i, t) {
		if (!json_is_string(t) || json_string_length(t) == 0 || json_string_length(t) > 64 ||
		    !gc_text_is_clean(json_string_value(t), false))
			return fail(err, GC_EINVAL, "tags",
				    "each tag must be a string of 1 to 64 bytes");
		for (size_t j = 0; j < i; j++)
			if (strcmp(in->tags[j], json_string_value(t)) == 0)
				return fail(err, GC_EINVAL, "tags", "duplicate tag '%.64s'",
					    json_string_value(t));
		in->tags[i] = json_string_value(t);
	}
	in->n_tags = json_array_size(tags);
	in->has |= HAS_TAGS;
	return GC_OK;
}

static void mark(const json_t *obj, const char *name, unsigned bit, unsigned *has)
{
	if (json_object_get(obj, name) != NULL)
		*has |= bit;
}

int contact_input_decode(const json_t *obj, bool patch, struct contact_input *ret,
			 struct decode_error *err)
{
	static const char *const create_known[] = {"channel", "customer_id", "subject", "reason",
		"queue", "priority", "tags", "message", NULL};
	static const char *const patch_known[] = {"customer_id", "subject", "reason", "queue",
		"priority", "tags", "expected_version", NULL};
	struct contact_input in = {.priority = 0};
	const char *channel = NULL;
	int64_t v = 0;
	bool present;
	int rc;
	if ((rc = only_fields(obj, patch ? patch_known : create_known, err)) < 0)
		return rc;
	if (!patch) {
		if ((rc = get_string(obj, "channel", REQUIRED, 16, ONE_LINE, &channel, err)) < 0)
			return rc;
		if (contact_channel_parse(channel, &in.channel) < 0)
			return fail(err, GC_EINVAL, "channel",
				    "'channel' must be phone, email, chat, sms, social or web");
		if ((rc = get_string(obj, "message", OPTIONAL, DECODE_MAX_TEXT, MULTILINE,
				     &in.message, err)) < 0)
			return rc;
	}
	if ((rc = get_int(obj, "customer_id", 1, INT64_MAX, &present, &v, err)) < 0)
		return rc;
	in.customer_id = present ? v : 0;
	if ((rc = get_string(obj, "subject", OPTIONAL, 500, ONE_LINE, &in.subject, err)) < 0 ||
	    (rc = get_string(obj, "reason", OPTIONAL, 100, ONE_LINE, &in.reason, err)) < 0 ||
	    (rc = get_string(obj, "queue", OPTIONAL, 100, ONE_LINE, &in.queue, err)) < 0)
		return rc;
	if ((rc = get_int(obj, "priority", 0, 9, &present, &v, err)) < 0)
		return rc;
	if (present)
		in.priority = (int)v;
	if (json_is_null(json_object_get(obj, "priority")) ||
	    json_is_null(json_object_get(obj, "tags")))
		return fail(err, GC_EINVAL, json_is_null(json_object_get(obj, "tags")) ? "tags" : "priority",
			    "this field cannot be null");
	if ((rc = get_tags(obj, &in, err)) < 0)
		return rc;
	if ((rc = get_int(obj, "expected_version", 1, INT64_MAX, &present, &in.expected_version, err)) < 0)
		return rc;
	mark(obj, "customer_id", HAS_CUSTOMER, &in.has);
	mark(obj, "subject", HAS_SUBJECT, &in.has);
	mark(obj, "reason", HAS_REASON, &in.has);
	mark(obj, "queue", HAS_QUEUE, &in.has);
	mark(obj, "priority", HAS_PRIORITY, &in.has);
	if (present)
		in.has |= HAS_VERSION;
	*ret = in;
	return GC_OK;
}

int state_input_decode(const json_t *obj, struct state_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"state", "disposition", "expected_version", NULL};
	struct state_input in = {.expected_version = -1};
	const char *state;
	bool present;
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "state", REQUIRED, 32, ONE_LINE, &state, err)) < 0)
		return rc;
	if (contact_state_parse(state, &in.state) < 0)
		return fail(err, GC_EINVAL, "state", "unknown state '%.32s'", state);
	if ((rc = get_string(obj, "disposition", OPTIONAL, 64, ONE_LINE, &in.disposition, err)) < 0 ||
	    (rc = get_int(obj, "expected_version", 1, INT64_MAX, &present, &in.expected_version, err)) < 0)
		return rc;
	if (!present)
		in.expected_version = -1;
	*ret = in;
	return GC_OK;
}

int message_input_decode(const json_t *obj, bool note, struct message_input *ret,
			 struct decode_error *err)
{
	static const char *const message_known[] = {"direction", "body", NULL};
	static const char *const note_known[] = {"body", NULL};
	struct message_input in = {0};
	const char *direction = NULL;
	int rc;
	if ((rc = only_fields(obj, note ? note_known : message_known, err)) < 0 ||
	    (rc = get_string(obj, "body", REQUIRED, DECODE_MAX_TEXT, MULTILINE, &in.body, err)) < 0)
		return rc;
	if (!note) {
		if ((rc = get_string(obj, "direction", REQUIRED, 16, ONE_LINE, &direction, err)) < 0)
			return rc;
		if (strcmp(direction, "inbound") != 0 && strcmp(direction, "outbound") != 0)
			return fail(err, GC_EINVAL, "direction", "'direction' must be inbound or outbound");
		in.outbound = strcmp(direction, "outbound") == 0;
	}
	*ret = in;
	return GC_OK;
}

bool customer_attr_key_valid(const char *key)
{
	size_t len = strlen(key);
	if (len == 0 || len > 64)
		return false;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/* One attribute: "value" (personal by default) or {"value": ..., "class": ...};
 * null removes it. */
static int get_attr(const char *key, const json_t *v, struct customer_attr *ret,
		    struct decode_error *err)
{
	static const char *const known[] = {"value", "class", NULL};
	struct customer_attr a = {.key = key, .sensitivity = SENS_PERSONAL};
	char field[96];
	snprintf(field, sizeof(field), "attributes.%s", key);
	if (!customer_attr_key_valid(key))
		return fail(err, GC_EINVAL, field, "attribute names are 1 to 64 of [a-z0-9_]");
	if (json_is_object(v)) {
		const char *cls;
		int rc;
		if ((rc = only_fields(v, known, err)) < 0 ||
		    (rc = get_string(v, "value", REQUIRED, 4096, MULTILINE, &a.value, err)) < 0 ||
		    (rc = get_string(v, "class", OPTIONAL, 16, ONE_LINE, &cls, err)) < 0) {
			snprintf(err->field, sizeof(err->field), "%s", field);
			return rc;
		}
		if (cls && sensitivity_parse(cls, &a.sensitivity) < 0)
			return fail(err, GC_EINVAL, field,
				    "class must be basic, personal or confidential");
	} else if (json_is_string(v)) {
		if (json_string_length(v) > 4096)
			return fail(err, GC_ETOOBIG, field, "attribute values are at most 4096 bytes");
		if (!gc_text_is_clean(json_string_value(v), true))
			return fail(err, GC_EINVAL, field, "control characters in the value");
		a.value = json_string_value(v);
	} else if (!json_is_null(v)) {
		return fail(err, GC_EINVAL, field,
			    "an attribute is a string, {\"value\",\"class\"} or null");
	}
	*ret = a;
	return GC_OK;
}

static int get_attrs(const json_t *obj, struct customer_input *in, struct decode_error *err)
{
	const json_t *attrs = json_object_get(obj, "attributes");
	if (attrs == NULL)
		return GC_OK;
	if (!json_is_object(attrs))
		return fail(err, GC_EINVAL, "attributes", "'attributes' must be an object");
	if (json_object_size(attrs) > DECODE_MAX_ATTRS)
		return fail(err, GC_ETOOBIG, "attributes", "at most %d attributes", DECODE_MAX_ATTRS);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)attrs, key, v) {
		int rc = get_attr(key, v, &in->attrs[in->n_attrs], err);
		if (rc < 0)
			return rc;
		in->n_attrs++;
	}
	in->has |= HAS_ATTRS;
	return GC_OK;
}

int customer_input_decode(const json_t *obj, bool patch, struct customer_input *ret,
			  struct decode_error *err)
{
	static const char *const known[] = {"external_id", "email", "phone", "attributes", NULL};
	struct customer_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "external_id", OPTIONAL, 128, ONE_LINE, &in.external_id, err)) < 0 ||
	    (rc = get_email(obj, "email", OPTIONAL, &in.email, err)) < 0 ||
	    (rc = get_string(obj, "phone", OPTIONAL, 32, ONE_LINE, &in.phone, err)) < 0)
		return rc;
	if (in.phone && !gc_text_is_phone(in.phone))
		return fail(err, GC_EINVAL, "phone", "'phone' is not a phone number");
	if (in.external_id && in.external_id[0] == '\0')
		return fail(err, GC_EINVAL, "external_id", "'external_id' must not be empty");
	if ((rc = get_attrs(obj, &in, err)) < 0)
		return rc;
	if (!patch && !in.external_id && !in.email && !in.phone)
		return fail(err, GC_EINVAL, "external_id",
			    "a customer needs an external_id, an email or a phone");
	mark(obj, "external_id", HAS_EXTERNAL_ID, &in.has);
	mark(obj, "email", HAS_EMAIL, &in.has);
	mark(obj, "phone", HAS_PHONE, &in.has);
	*ret = in;
	return GC_OK;
}

int user_input_decode(const json_t *obj, struct user_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"email", "name", "password", "role", "organisation", NULL};
	struct user_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_email(obj, "email", REQUIRED, &in.email, err)) < 0 ||
	    (rc = get_string(obj, "name", REQUIRED, MAX_NAME, ONE_LINE, &in.name, err)) < 0 ||
	    (rc = get_password(obj, "password", &in.password, err)) < 0 ||
	    (rc = get_role(obj, "role", &in.role, err)) < 0 ||
	    (rc = get_string(obj, "organisation", OPTIONAL, MAX_NAME, ONE_LINE, &in.organisation, err)) < 0)
		return rc;
	*ret = in;
	return GC_OK;
}

int tenant_input_decode(const json_t *obj, struct named_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"name", "organisation", NULL};
	struct named_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "name", REQUIRED, MAX_NAME, ONE_LINE, &in.name, err)) < 0 ||
	    (rc = get_string(obj, "organisation", OPTIONAL, MAX_NAME, ONE_LINE, &in.organisation, err)) < 0)
		return rc;
	*ret = in;
	return GC_OK;
}

int organisation_input_decode(const json_t *obj, struct named_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"name", "kind", NULL};
	struct named_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "name", REQUIRED, MAX_NAME, ONE_LINE, &in.name, err)) < 0 ||
	    (rc = get_string(obj, "kind", REQUIRED, 16, ONE_LINE, &in.kind, err)) < 0)
		return rc;
	if (strcmp(in.kind, "brand") != 0 && strcmp(in.kind, "outsourcer") != 0)
		return fail(err, GC_EINVAL, "kind", "'kind' must be brand or outsourcer");
	*ret = in;
	return GC_OK;
}

int token_input_decode(const json_t *obj, struct token_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"name", "role", "expires_days", NULL};
	struct token_input in = {0};
	bool present;
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "name", REQUIRED, MAX_NAME, ONE_LINE, &in.name, err)) < 0 ||
	    (rc = get_role(obj, "role", &in.role, err)) < 0 ||
	    (rc = get_int(obj, "expires_days", 1, 3650, &present, &in.expires_days, err)) < 0)
		return rc;
	if (!present)
		in.expires_days = 0;
	*ret = in;
	return GC_OK;
}

int membership_input_decode(const json_t *obj, struct membership_input *ret,
			    struct decode_error *err)
{
	static const char *const known[] = {"email", "tenant", "role", NULL};
	struct membership_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_email(obj, "email", REQUIRED, &in.email, err)) < 0 ||
	    (rc = get_string(obj, "tenant", REQUIRED, MAX_NAME, ONE_LINE, &in.tenant, err)) < 0 ||
	    (rc = get_role(obj, "role", &in.role, err)) < 0)
		return rc;
	*ret = in;
	return GC_OK;
}

int role_input_decode(const json_t *obj, enum role *ret_role, struct decode_error *err)
{
	static const char *const known[] = {"role", NULL};
	int rc = only_fields(obj, known, err);
	return rc < 0 ? rc : get_role(obj, "role", ret_role, err);
}

int password_input_decode(const json_t *obj, const char **ret_password, struct decode_error *err)
{
	static const char *const known[] = {"password", NULL};
	int rc = only_fields(obj, known, err);
	return rc < 0 ? rc : get_password(obj, "password", ret_password, err);
}

/* A number field within [min, max] (min excluded when strict). */
static int get_number(const json_t *obj, const char *name, bool required, double min, bool strict,
		      double max, double def, double *ret, struct decode_error *err)
{
	const json_t *v = json_object_get(obj, name);
	if (v == NULL) {
		if (required)
			return fail(err, GC_EINVAL, name, "'%s' is required", name);
		*ret = def;
		return GC_OK;
	}
	if (!json_is_number(v))
		return fail(err, GC_EINVAL, name, "'%s' must be a number", name);
	double x = json_number_value(v);
	if (x < min || (strict && x == min) || x > max)
		return fail(err, GC_EINVAL, name, "'%s' must be %s %g and at most %g", name,
			    strict ? "above" : "at least", min, max);
	*ret = x;
	return GC_OK;
}

int wfm_input_decode(const json_t *obj, enum wfm_question q, struct wfm_input *ret,
		     struct decode_error *err)
{
	static const char *const c_known[] = {"calls", "interval", "aht", "agents", "target", NULL};
	static const char *const staff_known[] = {"calls", "interval", "aht", "sl", "target", "max_asa",
		"max_occupancy", "shrinkage", "patience", "max_abandon", NULL};
	static const char *const a_known[] = {"calls", "interval", "aht", "agents", "patience", "target", NULL};
	struct wfm_input in = {0};
	double agents = 0;
	int rc;
	if ((rc = only_fields(obj, q == WFM_Q_ERLANG_C ? c_known : q == WFM_Q_STAFF ? staff_known : a_known,
			      err)) < 0 ||
	    (rc = get_number(obj, "calls", true, 0, true, 1e9, 0, &in.calls, err)) < 0 ||
	    (rc = get_number(obj, "interval", true, 0, true, 7 * 86400, 0, &in.interval, err)) < 0 ||
	    (rc = get_number(obj, "aht", true, 0, true, 86400, 0, &in.aht, err)) < 0 ||
	    (rc = get_number(obj, "target", q != WFM_Q_ERLANG_A, 0, false, 86400, 20, &in.target, err)) < 0)
		return rc;
	if (in.calls * in.aht / in.interval > 50000)
		return fail(err, GC_EINVAL, "calls", "the load (calls * aht / interval = %g Erlangs) is above 50000",
			    in.calls * in.aht / in.interval);
	if (q == WFM_Q_STAFF) {
		if ((rc = get_number(obj, "sl", true, 0, true, 1, 0, &in.sl, err)) < 0 ||
		    (rc = get_number(obj, "max_asa", false, 0, true, 86400, 0, &in.max_asa, err)) < 0 ||
		    (rc = get_number(obj, "max_occupancy", false, 0, true, 1, 0, &in.max_occupancy, err)) < 0 ||
		    (rc = get_number(obj, "shrinkage", false, 0, false, 0.95, 0, &in.shrinkage, err)) < 0 ||
		    (rc = get_number(obj, "patience", false, 0, true, 1e6, 0, &in.patience, err)) < 0 ||
		    (rc = get_number(obj, "max_abandon", false, 0, true, 1, 0, &in.max_abandon, err)) < 0)
			return rc;
		in.has_shrinkage = json_object_get(obj, "shrinkage") != NULL;
		if (in.max_abandon > 0 && in.patience <= 0)
			return fail(err, GC_EINVAL, "max_abandon", "'max_abandon' needs a 'patience' (Erlang A)");
	} else {
		if ((rc = get_number(obj, "agents", true, 1, false, 100000, 0, &agents, err)) < 0)
			return rc;
		if (agents != (double)(int)agents)
			return fail(err, GC_EINVAL, "agents", "'agents' must be a whole number");
		in.agents = (int)agents;
		if (q == WFM_Q_ERLANG_A &&
		    (rc = get_number(obj, "patience", true, 0, true, 1e6, 0, &in.patience, err)) < 0)
			return rc;
	}
	*ret = in;
	return GC_OK;
}
