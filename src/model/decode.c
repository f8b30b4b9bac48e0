/* Strict decoding of request bodies into domain structs (guichet/decode.h).
 *
 * Each decoder first refuses fields it does not know, then reads each field
 * with a typed getter that enforces type, presence, length and range. */
#include "guichet/decode.h"
#include "guichet/calendar.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "guichet/wfm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_NAME 200
#define MAX_PASSWORD 256
#define MIN_PASSWORD 8

/* FNV-1a of a message: whether it is still the one its template made. */
static uint64_t message_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h | 1; /* never 0, a zeroed error's */
}

int decode_fail(struct decode_error *err, int code, const char *field, const char *fmt, ...)
{
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field);
	va_list ap;
	va_start(ap, fmt);
	gc_message_format(err->message, sizeof(err->message), &err->said, fmt, ap);
	va_end(ap);
	err->said_hash = message_hash(err->message);
	return code;
}

const struct gc_message *decode_said(const struct decode_error *err)
{
	return err->said.template && err->said_hash == message_hash(err->message) ? &err->said : NULL;
}

bool decode_depth_ok(const char *text, size_t len, int max_depth)
{
	int depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return false;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return true;
}

int decode_json(const char *text, size_t len, json_t **ret, struct decode_error *err)
{
	if (!decode_depth_ok(text, len, DECODE_MAX_DEPTH))
		return decode_fail(err, GC_ETOOBIG, "", "JSON nested deeper than %d levels", DECODE_MAX_DEPTH);
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		return decode_fail(err, GC_EINVAL, "", "malformed JSON at line %d column %d: %s",
			    jerr.line, jerr.column, jerr.text);
	*ret = v;
	return GC_OK;
}

int decode_body(const char *body, size_t len, json_t **ret_obj, struct decode_error *err)
{
	json_t *obj;
	int rc = decode_json(body, len, &obj, err);
	if (rc < 0)
		return rc;
	if (!json_is_object(obj)) {
		json_decref(obj);
		return decode_fail(err, GC_EINVAL, "", "the body must be a JSON object");
	}
	*ret_obj = obj;
	return GC_OK;
}

int decode_only_fields(const json_t *obj, const char *path, const char *const *known, struct decode_error *err)
{
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)obj, key, value) {
		bool found = false;
		for (const char *const *k = known; *k && !found; k++)
			found = strcmp(*k, key) == 0;
		if (!found) {
			char field[160];
			snprintf(field, sizeof(field), "%s%.100s", path, key);
			return decode_fail(err, GC_EINVAL, field, "unknown field '%s'", field);
		}
	}
	return GC_OK;
}

static int only_fields(const json_t *obj, const char *const *known, struct decode_error *err)
{
	return decode_only_fields(obj, "", known, err);
}

enum { OPTIONAL = 0, REQUIRED = 1 };
enum { ONE_LINE = 0, MULTILINE = 1 };

/* *ret is NULL when the field is absent or JSON null. */
static bool blank(const char *text)
{
	for (const char *p = text; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

/* A string member: a required one may not be blank (spaces say nothing). */
static int get_string(const json_t *obj, const char *name, bool required, size_t max_len,
		      bool multiline, const char **ret, struct decode_error *err)
{
	const json_t *v = json_object_get(obj, name);
	*ret = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return decode_fail(err, GC_EINVAL, name, "'%s' is required", name);
		return GC_OK;
	}
	if (!json_is_string(v))
		return decode_fail(err, GC_EINVAL, name, "'%s' must be a string", name);
	size_t len = json_string_length(v);
	if (len > max_len)
		return decode_fail(err, GC_ETOOBIG, name, "'%s' is longer than %zu bytes", name, max_len);
	const char *s = json_string_value(v);
	if (!gc_text_is_clean(s, multiline))
		return decode_fail(err, GC_EINVAL, name, "'%s' contains control characters", name);
	if (required && len == 0)
		return decode_fail(err, GC_EINVAL, name, "'%s' must not be empty", name);
	if (required && blank(s))
		return decode_fail(err, GC_EINVAL, name, "'%s' is blank: write something", name);
	*ret = s;
	return GC_OK;
}

/* A text someone reads (a message, a note): as get_string, and when given
 * not blank (spaces and line breaks alone say nothing). */
static int get_words(const json_t *obj, const char *name, bool required, size_t max_len, const char **ret,
		     struct decode_error *err)
{
	int rc = get_string(obj, name, required, max_len, MULTILINE, ret, err);
	if (rc < 0 || *ret == NULL || !blank(*ret))
		return rc;
	return decode_fail(err, GC_EINVAL, name, required ? "'%s' is blank: write something"
							  : "'%s' is blank: write something or leave it out", name);
}

/* A disposition, when given, is a code reports group by: not blank. */
static int get_disposition(const json_t *obj, size_t max_len, const char **ret, struct decode_error *err)
{
	int rc = get_string(obj, "disposition", OPTIONAL, max_len, ONE_LINE, ret, err);
	if (rc < 0 || *ret == NULL || !blank(*ret))
		return rc;
	return decode_fail(err, GC_EINVAL, "disposition", "'disposition' is blank: give a code such as 'refunded'");
}

static int get_int(const json_t *obj, const char *name, int64_t min, int64_t max,
		   bool *ret_present, int64_t *ret, struct decode_error *err)
{
	const json_t *v = json_object_get(obj, name);
	*ret_present = v != NULL && !json_is_null(v);
	if (!*ret_present)
		return GC_OK;
	if (!json_is_integer(v))
		return decode_fail(err, GC_EINVAL, name, "'%s' must be an integer", name);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return decode_fail(err, GC_EINVAL, name, "'%s' must be between %lld and %lld", name,
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
		return decode_fail(err, GC_EINVAL, name, "unknown role '%.32s'", s);
	return GC_OK;
}

static int get_email(const json_t *obj, const char *name, bool required, const char **ret,
		     struct decode_error *err)
{
	int rc = get_string(obj, name, required, 254, ONE_LINE, ret, err);
	if (rc == GC_OK && *ret && !gc_text_is_email(*ret))
		return decode_fail(err, GC_EINVAL, name, "'%s' is not an email address", name);
	return rc;
}

/* Whether an ASCII email keeps to the letters people and mail systems
 * agree on: RFC 5322 atext and dots in the local part, LDH labels in the
 * domain. No quoted local parts, no empty labels. */
static bool plain_email(const char *email)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
	const char *at = strchr(email, '@');
	if (at == NULL || at == email || at[-1] == '.' || email[0] == '.' || strstr(email, "..") ||
	    at[1] == '.' || at[1] == '-' || email[strlen(email) - 1] == '.')
		return false;
	for (const char *p = email; p < at; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      strchr(atext, *p)))
			return false;
	for (const char *p = at + 1; *p; p++) {
		bool ldh = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-';
		if (!ldh && *p != '.')
			return false;
		if (*p == '.' && p[-1] == '-')
			return false; /* a label ends with a hyphen */
		if (*p == '-' && p[-1] == '.')
			return false; /* a label starts with one */
	}
	return true;
}

/* The email of a person (a user, a membership): it is their login and is
 * unique, so it must not have look-alikes. Only ASCII is accepted (an
 * international domain is written as its xn-- A-label), and it is
 * lowercased in obj itself, so what the caller stores, shows and logs is
 * the normalised form. */
static int get_person_email(const json_t *obj, const char *name, const char **ret, struct decode_error *err)
{
	int rc = get_email(obj, name, REQUIRED, ret, err);
	if (rc < 0)
		return rc;
	char lower[256];
	size_t len = strlen(*ret);
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)(*ret)[i];
		if (c >= 0x80)
			return decode_fail(err, GC_EINVAL, name, "'%s' must be ASCII: letters that look alike are refused; "
				    "write an international domain in its xn-- form", name);
		lower[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	if (!plain_email(lower))
		return decode_fail(err, GC_EINVAL, name, "'%s' is not an email address a person can have", name);
	json_t *v = json_object_get(obj, name);
	if (strcmp(lower, *ret) != 0 && json_string_set(v, lower) < 0)
		return decode_fail(err, GC_ENOMEM, name, "out of memory");
	*ret = json_string_value(v);
	return GC_OK;
}

static int get_password(const json_t *obj, const char *name, const char **ret,
			struct decode_error *err)
{
	int rc = get_string(obj, name, REQUIRED, MAX_PASSWORD, ONE_LINE, ret, err);
	if (rc == GC_OK && strlen(*ret) < MIN_PASSWORD)
		return decode_fail(err, GC_EINVAL, name, "'%s' must have at least %d characters", name,
			    MIN_PASSWORD);
	return rc;
}

int login_input_decode(const json_t *obj, struct login_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"email", "password", "tenant", "tenant_id", "session", NULL};
	struct login_input in = {0};
	const char *session = NULL;
	bool has_tenant_id;
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "email", REQUIRED, 254, ONE_LINE, &in.email, err)) < 0 ||
	    (rc = get_string(obj, "password", REQUIRED, MAX_PASSWORD, ONE_LINE, &in.password, err)) < 0 ||
	    (rc = get_string(obj, "tenant", OPTIONAL, MAX_NAME, ONE_LINE, &in.tenant, err)) < 0 ||
	    (rc = get_int(obj, "tenant_id", 1, INT64_MAX, &has_tenant_id, &in.tenant_id, err)) < 0 ||
	    (rc = get_string(obj, "session", OPTIONAL, 16, ONE_LINE, &session, err)) < 0)
		return rc;
	if (in.tenant && has_tenant_id)
		return decode_fail(err, GC_EINVAL, "tenant_id", "give 'tenant' or 'tenant_id', not both");
	if (session && strcmp(session, "cookie") != 0)
		return decode_fail(err, GC_EINVAL, "session", "'session' is \"cookie\" when given");
	in.cookie = session != NULL;
	*ret = in;
	return GC_OK;
}

static int get_tags(const json_t *obj, struct contact_input *in, struct decode_error *err)
{
	const json_t *tags = json_object_get(obj, "tags");
	if (tags == NULL)
		return GC_OK;
	if (!json_is_array(tags))
		return decode_fail(err, GC_EINVAL, "tags", "'tags' must be an array of strings");
	if (json_array_size(tags) > DECODE_MAX_TAGS)
		return decode_fail(err, GC_ETOOBIG, "tags", "at most %d tags", DECODE_MAX_TAGS);
	size_t i;
	const json_t *t;
	json_array_foreach(tags, i, t) {
		if (!json_is_string(t) || json_string_length(t) == 0 || json_string_length(t) > 64 ||
		    !gc_text_is_clean(json_string_value(t), false))
			return decode_fail(err, GC_EINVAL, "tags",
				    "each tag must be a string of 1 to 64 bytes");
		for (size_t j = 0; j < i; j++)
			if (strcmp(in->tags[j], json_string_value(t)) == 0)
				return decode_fail(err, GC_EINVAL, "tags", "duplicate tag '%.64s'",
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
		"queue", "queue_id", "priority", "tags", "message", NULL};
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
			return decode_fail(err, GC_EINVAL, "channel",
				    "'channel' must be phone, email, chat, sms, social or web");
		if ((rc = get_words(obj, "message", OPTIONAL, DECODE_MAX_TEXT, &in.message, err)) < 0 ||
		    (rc = get_int(obj, "queue_id", 1, INT64_MAX, &present, &in.queue_id, err)) < 0)
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
		return decode_fail(err, GC_EINVAL, json_is_null(json_object_get(obj, "tags")) ? "tags" : "priority",
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
		return decode_fail(err, GC_EINVAL, "state", "unknown state '%.32s'", state);
	if ((rc = get_disposition(obj, 64, &in.disposition, err)) < 0 ||
	    (rc = get_int(obj, "expected_version", 1, INT64_MAX, &present, &in.expected_version, err)) < 0)
		return rc;
	if (!present)
		in.expected_version = -1;
	*ret = in;
	return GC_OK;
}

int disposition_list_decode(const json_t *obj, struct disposition_list *ret, struct decode_error *err)
{
	static const char *const known[] = {"items", NULL};
	static const char *const item_known[] = {"code", "label", NULL};
	int rc = only_fields(obj, known, err);
	if (rc < 0)
		return rc;
	const json_t *items = json_object_get(obj, "items");
	if (!json_is_array(items) || json_array_size(items) > DECODE_MAX_DISPOSITIONS)
		return decode_fail(err, GC_EINVAL, "items", "'items' is a list of up to %d {\"code\", \"label\"}",
				   DECODE_MAX_DISPOSITIONS);
	ret->n = 0;
	for (size_t i = 0; i < json_array_size(items); i++) {
		const json_t *item = json_array_get(items, i);
		const char *code = NULL, *label = NULL;
		if (!json_is_object(item))
			return decode_fail(err, GC_EINVAL, "items", "item %zu is not {\"code\", \"label\"}", i + 1);
		if ((rc = only_fields(item, item_known, err)) < 0 ||
		    (rc = get_string(item, "code", REQUIRED, 64, ONE_LINE, &code, err)) < 0 ||
		    (rc = get_string(item, "label", REQUIRED, 100, ONE_LINE, &label, err)) < 0) {
			char why[sizeof(err->message)];
			snprintf(why, sizeof(why), "%s", err->message);
			return decode_fail(err, rc, "items", "item %zu: %s", i + 1, why);
		}
		if (strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(code))
			return decode_fail(err, GC_EINVAL, "items", "item %zu: code '%s' may hold only a-z, 0-9, '_' and '-'",
					   i + 1, code);
		for (int j = 0; j < ret->n; j++)
			if (strcmp(ret->items[j].code, code) == 0)
				return decode_fail(err, GC_EINVAL, "items", "item %zu: code '%s' is listed twice", i + 1, code);
		ret->items[ret->n].code = code;
		ret->items[ret->n++].label = label;
	}
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
	    (rc = get_words(obj, "body", REQUIRED, DECODE_MAX_TEXT, &in.body, err)) < 0)
		return rc;
	if (!note) {
		if ((rc = get_string(obj, "direction", REQUIRED, 16, ONE_LINE, &direction, err)) < 0)
			return rc;
		if (strcmp(direction, "inbound") != 0 && strcmp(direction, "outbound") != 0)
			return decode_fail(err, GC_EINVAL, "direction", "'direction' must be inbound or outbound");
		in.outbound = strcmp(direction, "outbound") == 0;
	}
	*ret = in;
	return GC_OK;
}

bool customer_attr_key_valid(const char *key)
{
	size_t len = strlen(key);
	if (len == 0 || len > DECODE_MAX_ATTR_KEY)
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
	struct customer_attr a = {.key = key, .sensitivity = SENS_NONE};
	char field[96];
	snprintf(field, sizeof(field), "attributes.%s", key);
	if (strlen(key) > DECODE_MAX_ATTR_KEY)
		return decode_fail(err, GC_ETOOBIG, "attributes", "an attribute name is at most %d bytes",
			    DECODE_MAX_ATTR_KEY);
	if (!customer_attr_key_valid(key))
		return decode_fail(err, GC_EINVAL, field, "attribute names are 1 to 64 of [a-z0-9_]");
	if (json_is_object(v)) {
		const char *cls;
		int rc;
		if ((rc = only_fields(v, known, err)) < 0 ||
		    (rc = get_string(v, "value", REQUIRED, DECODE_MAX_ATTR_VALUE, MULTILINE, &a.value, err)) < 0 ||
		    (rc = get_string(v, "class", OPTIONAL, 16, ONE_LINE, &cls, err)) < 0) {
			snprintf(err->field, sizeof(err->field), "%s", field);
			return rc;
		}
		if (cls && sensitivity_parse(cls, &a.sensitivity) < 0)
			return decode_fail(err, GC_EINVAL, field,
				    "class must be basic, personal or confidential");
	} else if (json_is_string(v)) {
		if (json_string_length(v) > DECODE_MAX_ATTR_VALUE)
			return decode_fail(err, GC_ETOOBIG, field, "attribute values are at most %d bytes",
				    DECODE_MAX_ATTR_VALUE);
		if (!gc_text_is_clean(json_string_value(v), true))
			return decode_fail(err, GC_EINVAL, field, "control characters in the value");
		a.value = json_string_value(v);
	} else if (!json_is_null(v)) {
		return decode_fail(err, GC_EINVAL, field,
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
		return decode_fail(err, GC_EINVAL, "attributes", "'attributes' must be an object");
	if (json_object_size(attrs) > DECODE_MAX_ATTRS)
		return decode_fail(err, GC_ETOOBIG, "attributes", "at most %d attributes", DECODE_MAX_ATTRS);
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
		return decode_fail(err, GC_EINVAL, "phone", "'phone' is not a phone number");
	if (in.external_id && in.external_id[0] == '\0')
		return decode_fail(err, GC_EINVAL, "external_id", "'external_id' must not be empty");
	if ((rc = get_attrs(obj, &in, err)) < 0)
		return rc;
	if (!patch && !in.external_id && !in.email && !in.phone)
		return decode_fail(err, GC_EINVAL, "external_id",
			    "a customer needs an external_id, an email or a phone");
	mark(obj, "external_id", HAS_EXTERNAL_ID, &in.has);
	mark(obj, "email", HAS_EMAIL, &in.has);
	mark(obj, "phone", HAS_PHONE, &in.has);
	*ret = in;
	return GC_OK;
}

static int get_class(const json_t *v, const char *field, enum sensitivity *ret, struct decode_error *err)
{
	const char *text = json_string_value(v);
	if (json_is_null(v)) {
		*ret = SENS_NONE;
		return GC_OK;
	}
	if (text == NULL || sensitivity_parse(text, ret) < 0)
		return decode_fail(err, GC_EINVAL, field, "a class is basic, personal or confidential");
	return GC_OK;
}

int attr_policy_input_decode(const json_t *obj, struct attr_policy_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"default", "attributes", NULL};
	struct attr_policy_input in = {.default_class = SENS_NONE};
	const json_t *def = json_object_get(obj, "default"), *attrs = json_object_get(obj, "attributes");
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0)
		return rc;
	if (def && (json_is_null(def) || (rc = get_class(def, "default", &in.default_class, err)) < 0))
		return rc < 0 ? rc : decode_fail(err, GC_EINVAL, "default", "the default is a class");
	if (attrs && !json_is_object(attrs))
		return decode_fail(err, GC_EINVAL, "attributes", "'attributes' maps names to classes (null: the default)");
	if (json_object_size(attrs) > DECODE_MAX_POLICY_CHANGES)
		return decode_fail(err, GC_ETOOBIG, "attributes", "at most %d attributes in one change",
			    DECODE_MAX_POLICY_CHANGES);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)attrs, key, v) {
		char field[96];
		snprintf(field, sizeof(field), "attributes.%.64s", key);
		if (!customer_attr_key_valid(key))
			return decode_fail(err, GC_EINVAL, field, "attribute names are 1 to 64 of [a-z0-9_]");
		in.changes[in.n_changes].key = key;
		if ((rc = get_class(v, field, &in.changes[in.n_changes].cls, err)) < 0)
			return rc;
		in.n_changes++;
	}
	if (in.default_class == SENS_NONE && in.n_changes == 0)
		return decode_fail(err, GC_EINVAL, "attributes", "nothing to change: give 'default' or 'attributes'");
	*ret = in;
	return GC_OK;
}

int user_input_decode(const json_t *obj, struct user_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"email", "name", "password", "role", "organisation", NULL};
	struct user_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_person_email(obj, "email", &in.email, err)) < 0 ||
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
	static const char *const known[] = {"name", "organisation", "admin", NULL};
	static const char *const admin_known[] = {"email", "name", "password", NULL};
	struct named_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "name", REQUIRED, MAX_NAME, ONE_LINE, &in.name, err)) < 0 ||
	    (rc = get_string(obj, "organisation", OPTIONAL, MAX_NAME, ONE_LINE, &in.organisation, err)) < 0)
		return rc;
	const json_t *admin = json_object_get(obj, "admin");
	if (admin && !json_is_null(admin)) {
		if (!json_is_object(admin))
			return decode_fail(err, GC_EINVAL, "admin", "'admin' must be an object {\"email\",\"name\",\"password\"}");
		if ((rc = decode_only_fields(admin, "admin.", admin_known, err)) < 0)
			return rc;
		if ((rc = get_person_email(admin, "email", &in.admin.email, err)) < 0 ||
		    (rc = get_string(admin, "name", REQUIRED, MAX_NAME, ONE_LINE, &in.admin.name, err)) < 0 ||
		    (rc = get_password(admin, "password", &in.admin.password, err)) < 0) {
			char field[sizeof(err->field)];
			snprintf(field, sizeof(field), "admin.%.80s", err->field);
			memcpy(err->field, field, sizeof(field));
			return rc;
		}
		in.admin.role = ROLE_TENANT_ADMIN;
		in.has_admin = true;
	}
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
		return decode_fail(err, GC_EINVAL, "kind", "'kind' must be brand or outsourcer");
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
	    (rc = get_person_email(obj, "email", &in.email, err)) < 0 ||
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
			return decode_fail(err, GC_EINVAL, name, "'%s' is required", name);
		*ret = def;
		return GC_OK;
	}
	if (!json_is_number(v))
		return decode_fail(err, GC_EINVAL, name, "'%s' must be a number", name);
	double x = json_number_value(v);
	if (x < min || (strict && x == min) || x > max)
		return decode_fail(err, GC_EINVAL, name, "'%s' must be %s %g and at most %g", name,
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
	    (rc = get_number(obj, "calls", true, 0, false, 1e9, 0, &in.calls, err)) < 0 || /* a closed half hour: 0 agents */
	    (rc = get_number(obj, "interval", true, 0, true, 7 * 86400, 0, &in.interval, err)) < 0 ||
	    (rc = get_number(obj, "aht", true, 0, true, 86400, 0, &in.aht, err)) < 0 ||
	    (rc = get_number(obj, "target", q != WFM_Q_ERLANG_A, 0, false, 86400, 20, &in.target, err)) < 0)
		return rc;
	if (in.calls * in.aht / in.interval > 50000)
		return decode_fail(err, GC_EINVAL, "calls", "the load (calls * aht / interval = %g Erlangs) is above 50000",
			    in.calls * in.aht / in.interval);
	if (q == WFM_Q_STAFF) {
		/* 100% is reached by no finite number of agents */
		const json_t *sl = json_object_get(obj, "sl");
		if (json_is_number(sl) && json_number_value(sl) > WFM_SL_MAX) /* 80 for 80%, or 100% */
			return decode_fail(err, GC_EINVAL, "sl", WFM_SL_SAID, json_number_value(sl));
		if ((rc = get_number(obj, "sl", true, 0, true, WFM_SL_MAX, 0, &in.sl, err)) < 0 ||
		    (rc = get_number(obj, "max_asa", false, 0, true, 86400, 0, &in.max_asa, err)) < 0 ||
		    (rc = get_number(obj, "max_occupancy", false, 0, true, 1, 0, &in.max_occupancy, err)) < 0 ||
		    (rc = get_number(obj, "shrinkage", false, 0, false, 0.95, 0, &in.shrinkage, err)) < 0 ||
		    (rc = get_number(obj, "patience", false, 0, true, 1e6, 0, &in.patience, err)) < 0 ||
		    (rc = get_number(obj, "max_abandon", false, 0, true, 1, 0, &in.max_abandon, err)) < 0)
			return rc;
		in.has_shrinkage = json_object_get(obj, "shrinkage") != NULL;
		if (in.max_abandon > 0 && in.patience <= 0)
			return decode_fail(err, GC_EINVAL, "max_abandon", "'max_abandon' needs a 'patience' (Erlang A)");
	} else {
		if ((rc = get_number(obj, "agents", true, 1, false, 100000, 0, &agents, err)) < 0)
			return rc;
		if (agents != (double)(int)agents)
			return decode_fail(err, GC_EINVAL, "agents", "'agents' must be a whole number");
		in.agents = (int)agents;
		if (q == WFM_Q_ERLANG_A &&
		    (rc = get_number(obj, "patience", true, 0, true, 1e6, 0, &in.patience, err)) < 0)
			return rc;
	}
	*ret = in;
	return GC_OK;
}

/* --- routing --- */

static const char *const strategy_names[] = {"longest_idle", "best_skill", "fewest_handled",
	"least_talk", "round_robin", "random", "ring_all"};
static const char *const closed_names[] = {"wait", "refuse", "overflow"};
static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const presence_names[] = {"offline", "available", "paused"};

const char *queue_strategy_name(int strategy)
{
	return strategy >= 0 && strategy < 7 ? strategy_names[strategy] : NULL;
}

/* The index of text in names, or -1. */
static int name_index(const char *text, const char *const *names, int n)
{
	for (int i = 0; text && i < n; i++)
		if (strcmp(text, names[i]) == 0)
			return i;
	return -1;
}

/* An integer field that must be present or take def; 0 on success. */
static int get_int_def(const json_t *obj, const char *name, int64_t min, int64_t max, int64_t def,
		       int64_t *ret, struct decode_error *err)
{
	bool present;
	int rc = get_int(obj, name, min, max, &present, ret, err);
	if (rc == GC_OK && !present)
		*ret = def;
	return rc;
}

/* "08:30-12:00" into minutes from midnight. */
static int get_hours(const json_t *obj, struct queue_input *in, struct decode_error *err)
{
	static const char *const known[] = {"utc_offset_min", "days", "when_closed", NULL};
	const json_t *h = json_object_get(obj, "hours");
	if (h == NULL || json_is_null(h))
		return GC_OK;
	if (!json_is_object(h))
		return decode_fail(err, GC_EINVAL, "hours", "'hours' must be an object");
	int rc;
	int64_t v;
	const char *closed = NULL;
	if ((rc = only_fields(h, known, err)) < 0 ||
	    (rc = get_int_def(h, "utc_offset_min", -14 * 60, 14 * 60, 0, &v, err)) < 0 ||
	    (rc = get_string(h, "when_closed", OPTIONAL, 16, ONE_LINE, &closed, err)) < 0)
		return rc;
	in->has_hours = true;
	in->utc_offset_min = (int)v;
	in->when_closed = closed ? name_index(closed, closed_names, 3) : 0;
	if (in->when_closed < 0)
		return decode_fail(err, GC_EINVAL, "hours.when_closed", "'when_closed' is wait, refuse or overflow");
	const json_t *days = json_object_get(h, "days");
	if (days && !json_is_object(days))
		return decode_fail(err, GC_EINVAL, "hours.days", "'days' maps mon..sun to [\"08:00-12:00\", ...]");
	const char *key;
	json_t *ranges;
	json_object_foreach((json_t *)days, key, ranges) {
		int d = name_index(key, day_names, 7);
		if (d < 0)
			return decode_fail(err, GC_EINVAL, "hours.days", "unknown day '%.16s' (mon..sun)", key);
		if (!json_is_array(ranges) || json_array_size(ranges) > 2)
			return decode_fail(err, GC_EINVAL, "hours.days", "'%s' is a list of up to two \"HH:MM-HH:MM\"", key);
		struct calendar_interval iv[2];
		for (size_t r = 0; r < json_array_size(ranges); r++) {
			const char *text = json_string_value(json_array_get(ranges, r));
			const char *wrong = calendar_interval_parse(text, &iv[r]);
			if (wrong)
				return decode_fail(err, GC_EINVAL, "hours.days", "'%s': \"%.20s\" %s", key, text ? text : "?",
						   wrong);
			in->hours[d][r][0] = iv[r].from;
			in->hours[d][r][1] = iv[r].to;
		}
	}
	return GC_OK;
}

int queue_hours_check(const struct queue_input *in, struct decode_error *err)
{
	for (int d = 0; d < 7; d++) {
		const int16_t(*h)[2] = in->hours[d];
		if (h[0][0] < h[1][1] && h[1][0] < h[0][1])
			return decode_fail(err, GC_EINVAL, "hours.days", "'%s': %02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d overlap",
					   day_names[d], h[0][0] / 60, h[0][0] % 60, h[0][1] / 60, h[0][1] % 60,
					   h[1][0] / 60, h[1][0] % 60, h[1][1] / 60, h[1][1] % 60);
	}
	return GC_OK;
}

/* A new queue's service level and offer window when its request names
 * none, by channel: a call or a chat is answered in seconds, a message in
 * an hour; an agent is offered an asynchronous contact for longer. */
static const struct queue_defaults {
	double sl_target;
	int sl_seconds, offer_timeout_s;
} channel_defaults[CHANNEL_N] = {
	[CHANNEL_PHONE] = {0.8, 20, 15},   [CHANNEL_EMAIL] = {0.9, 3600, 60}, [CHANNEL_CHAT] = {0.8, 30, 20},
	[CHANNEL_SMS] = {0.8, 3600, 60},   [CHANNEL_SOCIAL] = {0.8, 3600, 60}, [CHANNEL_WEB] = {0.9, 3600, 60},
};

int queue_input_decode(const json_t *obj, struct queue_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"name", "skill_id", "channel", "level", "strategy",
		"sl_target", "sl_seconds", "offer_timeout_s", "wrapup_s", "max_wait_s", "tier_delay_s",
		"sticky_s", "overflow_to", "hours", "first_response_s", NULL};
	struct queue_input in;
	memset(&in, 0, sizeof(in));
	const char *channel = NULL, *strategy = NULL;
	int64_t v[9];
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "name", REQUIRED, 100, ONE_LINE, &in.name, err)) < 0 ||
	    (rc = get_int_def(obj, "first_response_s", 1, CALENDAR_MAX_DUE_S, 0, &v[7], err)) < 0 ||
	    (rc = get_int_def(obj, "skill_id", 1, INT64_MAX, -1, &in.skill_id, err)) < 0 ||
	    (rc = get_string(obj, "channel", REQUIRED, 16, ONE_LINE, &channel, err)) < 0)
		return rc;
	if (contact_channel_parse(channel, &in.channel) < 0)
		return decode_fail(err, GC_EINVAL, "channel", "'channel' must be phone, email, chat, sms, social or web");
	const struct queue_defaults *def = &channel_defaults[in.channel];
	if ((rc = get_string(obj, "strategy", OPTIONAL, 32, ONE_LINE, &strategy, err)) < 0 ||
	    (rc = get_int_def(obj, "level", 1, 2, 1, &v[0], err)) < 0 ||
	    (rc = get_number(obj, "sl_target", false, 0, true, 1, def->sl_target, &in.sl_target, err)) < 0 ||
	    (rc = get_int_def(obj, "sl_seconds", 1, 86400, def->sl_seconds, &v[1], err)) < 0 ||
	    (rc = get_int_def(obj, "offer_timeout_s", 0, 3600, def->offer_timeout_s, &v[2], err)) < 0 ||
	    (rc = get_int_def(obj, "wrapup_s", 0, 3600, 0, &v[3], err)) < 0 ||
	    (rc = get_int_def(obj, "max_wait_s", 0, 7 * 86400, 0, &v[4], err)) < 0 ||
	    (rc = get_int_def(obj, "tier_delay_s", 0, 3600, 0, &v[5], err)) < 0 ||
	    (rc = get_int_def(obj, "sticky_s", 0, 3600, 0, &v[6], err)) < 0 ||
	    (rc = get_int_def(obj, "overflow_to", 1, INT64_MAX, 0, &in.overflow_to, err)) < 0 ||
	    (rc = get_hours(obj, &in, err)) < 0)
		return rc;
	if (in.skill_id < 0)
		return decode_fail(err, GC_EINVAL, "skill_id", "'skill_id' is required");
	in.strategy = strategy ? name_index(strategy, strategy_names, 7) : 0;
	if (in.strategy < 0)
		return decode_fail(err, GC_EINVAL, "strategy", "'strategy' is longest_idle, best_skill, fewest_handled, "
			    "least_talk, round_robin, random or ring_all");
	if (in.strategy == 6 && in.channel != CHANNEL_PHONE)
		return decode_fail(err, GC_EINVAL, "strategy", "ring_all is for phone queues");
	if (in.max_wait_s > 0 && in.overflow_to == 0)
		return decode_fail(err, GC_EINVAL, "overflow_to", "'max_wait_s' needs 'overflow_to', the queue to move to");
	if (in.has_hours && in.when_closed == 2 && in.overflow_to == 0)
		return decode_fail(err, GC_EINVAL, "overflow_to", "overflowing when closed needs 'overflow_to'");
	in.level = (int)v[0];
	in.sl_seconds = (int)v[1];
	in.offer_timeout_s = (int)v[2];
	in.wrapup_s = (int)v[3];
	in.max_wait_s = (int)v[4];
	in.tier_delay_s = (int)v[5];
	in.sticky_s = (int)v[6];
	in.first_response_s = (int)v[7];
	*ret = in;
	return GC_OK;
}

json_t *queue_input_json(const struct queue_input *in)
{
	json_t *o = json_pack("{s:I,s:s,s:i,s:s,s:f,s:i,s:i,s:i,s:i,s:i,s:i}", "skill_id",
		(json_int_t)in->skill_id, "channel", contact_channel_name(in->channel), "level", in->level,
		"strategy", strategy_names[in->strategy], "sl_target", in->sl_target, "sl_seconds",
		in->sl_seconds, "offer_timeout_s", in->offer_timeout_s, "wrapup_s", in->wrapup_s,
		"max_wait_s", in->max_wait_s, "tier_delay_s", in->tier_delay_s, "sticky_s", in->sticky_s);
	json_object_set_new(o, "overflow_to", in->overflow_to ? json_integer(in->overflow_to) : json_null());
	json_object_set_new(o, "first_response_s", in->first_response_s ? json_integer(in->first_response_s) : json_null());
	if (!in->has_hours) {
		json_object_set_new(o, "hours", json_null());
		return o;
	}
	json_t *days = json_object();
	for (int d = 0; d < 7; d++) {
		json_t *list = json_array();
		for (int r = 0; r < 2; r++) {
			const int16_t *x = in->hours[d][r];
			if (x[1] > x[0])
				json_array_append_new(list, json_sprintf("%02d:%02d-%02d:%02d", x[0] / 60, x[0] % 60,
									 x[1] / 60, x[1] % 60));
		}
		if (json_array_size(list))
			json_object_set_new(days, day_names[d], list);
		else
			json_decref(list);
	}
	json_object_set_new(o, "hours", json_pack("{s:i,s:o,s:s}", "utc_offset_min", in->utc_offset_min,
						  "days", days, "when_closed", closed_names[in->when_closed]));
	return o;
}

int agent_profile_decode(const json_t *obj, struct agent_profile_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"level", "skills", "capacity", "max_total", "max_missed", NULL};
	static const char *const skill_known[] = {"skill_id", "proficiency", "tier", NULL};
	struct agent_profile_input in;
	memset(&in, 0, sizeof(in));
	int64_t level, total, missed, v;
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_int_def(obj, "level", 1, 2, 1, &level, err)) < 0 ||
	    (rc = get_int_def(obj, "max_missed", 0, 100, 3, &missed, err)) < 0)
		return rc;
	const json_t *skills = json_object_get(obj, "skills"), *cap = json_object_get(obj, "capacity");
	if (!json_is_array(skills) || json_array_size(skills) > DECODE_MAX_AGENT_SKILLS)
		return decode_fail(err, GC_EINVAL, "skills", "'skills' is a list of up to %d {\"skill_id\", \"proficiency\"}",
			    DECODE_MAX_AGENT_SKILLS);
	for (size_t i = 0; i < json_array_size(skills); i++) {
		const json_t *sk = json_array_get(skills, i);
		if (!json_is_object(sk))
			return decode_fail(err, GC_EINVAL, "skills", "each skill is {\"skill_id\", \"proficiency\", \"tier\"}");
		if ((rc = only_fields(sk, skill_known, err)) < 0 ||
		    (rc = get_int_def(sk, "skill_id", 1, INT64_MAX, -1, &in.skills[i].skill_id, err)) < 0 ||
		    (rc = get_int_def(sk, "proficiency", 1, 10, 5, &v, err)) < 0)
			return rc;
		in.skills[i].proficiency = (int)v;
		if ((rc = get_int_def(sk, "tier", 1, 3, 1, &v, err)) < 0)
			return rc;
		in.skills[i].tier = (int)v;
		if (in.skills[i].skill_id < 0)
			return decode_fail(err, GC_EINVAL, "skills", "each skill needs a 'skill_id'");
		for (size_t j = 0; j < i; j++)
			if (in.skills[j].skill_id == in.skills[i].skill_id)
				return decode_fail(err, GC_EINVAL, "skills", "skill %lld is listed twice",
					    (long long)in.skills[i].skill_id);
	}
	in.n_skills = (int)json_array_size(skills);
	if (!json_is_object(cap))
		return decode_fail(err, GC_EINVAL, "capacity", "'capacity' maps channels to contacts at once: {\"phone\": 1}");
	const char *key;
	json_t *value;
	int sum = 0;
	json_object_foreach((json_t *)cap, key, value) {
		enum contact_channel ch;
		if (contact_channel_parse(key, &ch) < 0)
			return decode_fail(err, GC_EINVAL, "capacity", "unknown channel '%.16s'", key);
		if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > 100)
			return decode_fail(err, GC_EINVAL, "capacity", "'%s' must be an integer from 0 to 100", key);
		in.capacity[ch] = (int)json_integer_value(value);
		sum += in.capacity[ch];
	}
	if ((rc = get_int_def(obj, "max_total", 1, 100, sum > 0 ? sum : 1, &total, err)) < 0)
		return rc;
	in.level = (int)level;
	in.max_total = (int)total;
	in.max_missed = (int)missed;
	*ret = in;
	return GC_OK;
}

json_t *agent_profile_json(const struct agent_profile_input *in)
{
	json_t *skills = json_array(), *cap = json_object();
	for (int i = 0; i < in->n_skills; i++)
		json_array_append_new(skills, json_pack("{s:I,s:i,s:i}", "skill_id", (json_int_t)in->skills[i].skill_id,
							"proficiency", in->skills[i].proficiency, "tier", in->skills[i].tier));
	for (int ch = 0; ch < CHANNEL_N; ch++)
		if (in->capacity[ch])
			json_object_set_new(cap, contact_channel_name((enum contact_channel)ch), json_integer(in->capacity[ch]));
	return json_pack("{s:i,s:o,s:o,s:i,s:i}", "level", in->level, "skills", skills, "capacity", cap,
			 "max_total", in->max_total, "max_missed", in->max_missed);
}

const char *presence_name(enum presence p)
{
	return (unsigned)p < 3 ? presence_names[p] : NULL;
}

int presence_parse(const char *text, enum presence *ret)
{
	int i = name_index(text, presence_names, 3);
	if (i < 0)
		return GC_EINVAL;
	*ret = (enum presence)i;
	return GC_OK;
}

int presence_input_decode(const json_t *obj, struct presence_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"presence", "reason", NULL};
	const char *p = NULL;
	struct presence_input in = {0};
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "presence", REQUIRED, 16, ONE_LINE, &p, err)) < 0 ||
	    (rc = get_string(obj, "reason", OPTIONAL, 100, ONE_LINE, &in.reason, err)) < 0)
		return rc;
	if (presence_parse(p, &in.presence) < 0)
		return decode_fail(err, GC_EINVAL, "presence", "'presence' is available, paused or offline");
	if (in.presence == PRESENCE_PAUSED && (in.reason == NULL || blank(in.reason)))
		return decode_fail(err, GC_EINVAL, "reason", "a pause needs a 'reason' (lunch, training, ...)");
	if (in.presence != PRESENCE_PAUSED && in.reason)
		return decode_fail(err, GC_EINVAL, "reason", "only a pause takes a 'reason'");
	*ret = in;
	return GC_OK;
}

int routing_input_decode(const json_t *obj, enum routing_action action, struct routing_input *ret,
			 struct decode_error *err)
{
	static const char *const known[][5] = {
		[ROUTING_ENQUEUE] = {"queue_id", "priority", NULL},
		[ROUTING_ESCALATE] = {"queue_id", "reason", NULL},
		[ROUTING_TRANSFER] = {"queue_id", "agent_id", "reason", NULL},
		[ROUTING_MOVE] = {"queue_id", NULL},
		[ROUTING_WRAPUP] = {"disposition", "state", NULL},
	};
	struct routing_input in = {.priority = -1, .state = CONTACT_RESOLVED};
	int64_t v;
	const char *state = NULL;
	int rc;
	bool needs_queue = action == ROUTING_ENQUEUE || action == ROUTING_ESCALATE || action == ROUTING_MOVE;
	if ((rc = only_fields(obj, known[action], err)) < 0 ||
	    (rc = get_int_def(obj, "queue_id", 1, INT64_MAX, 0, &in.queue_id, err)) < 0 ||
	    (rc = get_int_def(obj, "agent_id", 1, INT64_MAX, 0, &in.agent_id, err)) < 0 ||
	    (rc = get_int_def(obj, "priority", 0, 9, -1, &v, err)) < 0 ||
	    (rc = get_words(obj, "reason", action == ROUTING_ESCALATE, 1000, &in.reason, err)) < 0 ||
	    (rc = get_disposition(obj, 100, &in.disposition, err)) < 0 ||
	    (rc = get_string(obj, "state", OPTIONAL, 32, ONE_LINE, &state, err)) < 0)
		return rc;
	in.priority = (int)v;
	if (needs_queue && in.queue_id == 0)
		return decode_fail(err, GC_EINVAL, "queue_id", "'queue_id' is required");
	if (action == ROUTING_TRANSFER && in.queue_id == 0 && in.agent_id == 0)
		return decode_fail(err, GC_EINVAL, "queue_id", "a transfer names a 'queue_id', an 'agent_id', or both");
	if (state && (contact_state_parse(state, &in.state) < 0 ||
		      (in.state != CONTACT_RESOLVED && in.state != CONTACT_WAITING_ON_CUSTOMER)))
		return decode_fail(err, GC_EINVAL, "state", "after wrap-up a contact is resolved or waiting_on_customer");
	if (action == ROUTING_WRAPUP && in.state == CONTACT_RESOLVED && in.disposition == NULL)
		return decode_fail(err, GC_EINVAL, "disposition", "resolving a contact needs a 'disposition' code");
	if (action == ROUTING_WRAPUP && in.state != CONTACT_RESOLVED && in.disposition)
		return decode_fail(err, GC_EINVAL, "disposition", "a disposition is given only when resolving");
	*ret = in;
	return GC_OK;
}

int name_input_decode(const json_t *obj, const char **ret_name, struct decode_error *err)
{
	static const char *const known[] = {"name", NULL};
	int rc = only_fields(obj, known, err);
	return rc < 0 ? rc : get_string(obj, "name", REQUIRED, 100, ONE_LINE, ret_name, err);
}

/* The "ack" object of a mailbox; its errors name "ack.FIELD". */
static int mailbox_ack_decode(const json_t *obj, struct mailbox_ack_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"enabled", "subject", "body", "language", "max_per_hour", NULL};
	struct mailbox_ack_input in;
	memset(&in, 0, sizeof(in));
	const json_t *enabled = json_object_get(obj, "enabled");
	int rc;
	if (!json_is_object(obj))
		return decode_fail(err, GC_EINVAL, "ack", "'ack' must be an object");
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "subject", OPTIONAL, 500, ONE_LINE, &in.subject, err)) < 0 ||
	    (rc = get_string(obj, "body", OPTIONAL, 10000, MULTILINE, &in.body, err)) < 0 ||
	    (rc = get_string(obj, "language", OPTIONAL, 8, ONE_LINE, &in.language, err)) < 0 ||
	    (rc = get_int_def(obj, "max_per_hour", 1, 1000, 0, &in.max_per_hour, err)) < 0)
		goto out_named;
	if (enabled && !json_is_boolean(enabled)) {
		rc = decode_fail(err, GC_EINVAL, "enabled", "'enabled' must be true or false");
		goto out_named;
	}
	in.has_enabled = enabled != NULL;
	in.enabled = json_is_true(enabled);
	in.has_subject = json_object_get(obj, "subject") != NULL;
	in.has_body = json_object_get(obj, "body") != NULL;
	if (in.language && strcmp(in.language, "en") != 0 && strcmp(in.language, "fr") != 0) {
		rc = decode_fail(err, GC_EINVAL, "language", "acknowledgements are written in 'en' or 'fr'");
		goto out_named;
	}
	*ret = in;
	return GC_OK;
out_named: {
	char field[sizeof(err->field)];
	snprintf(field, sizeof(field), "ack.%.80s", err->field);
	memcpy(err->field, field, sizeof(field));
	return rc;
}
}

int mailbox_update_input_decode(const json_t *obj, struct mailbox_update_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"ack", "from_name", NULL};
	struct mailbox_update_input in;
	memset(&in, 0, sizeof(in));
	int rc = only_fields(obj, known, err);
	if (rc < 0 || (rc = get_string(obj, "from_name", OPTIONAL, 100, ONE_LINE, &in.from_name, err)) < 0)
		return rc;
	in.has_ack = json_object_get(obj, "ack") != NULL;
	in.has_from_name = json_object_get(obj, "from_name") != NULL;
	if (!in.has_ack && !in.has_from_name)
		return decode_fail(err, GC_EINVAL, "ack", "'ack' (the acknowledgement settings) or 'from_name' is required");
	if (in.has_ack && (rc = mailbox_ack_decode(json_object_get(obj, "ack"), &in.ack, err)) < 0)
		return rc;
	*ret = in;
	return GC_OK;
}

int mailbox_input_decode(const json_t *obj, struct mailbox_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"name", "address", "imap_url", "smtp_url", "username", "password",
					    "queue_id", "ack", "from_name", NULL};
	struct mailbox_input in;
	memset(&in, 0, sizeof(in));
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "name", REQUIRED, 100, ONE_LINE, &in.name, err)) < 0 ||
	    (rc = get_email(obj, "address", REQUIRED, &in.address, err)) < 0 ||
	    (rc = get_string(obj, "imap_url", REQUIRED, 512, ONE_LINE, &in.imap_url, err)) < 0 ||
	    (rc = get_string(obj, "smtp_url", OPTIONAL, 512, ONE_LINE, &in.smtp_url, err)) < 0 ||
	    (rc = get_string(obj, "username", REQUIRED, 256, ONE_LINE, &in.username, err)) < 0 ||
	    (rc = get_string(obj, "password", REQUIRED, 1024, ONE_LINE, &in.password, err)) < 0 ||
	    (rc = get_string(obj, "from_name", OPTIONAL, 100, ONE_LINE, &in.from_name, err)) < 0 ||
	    (rc = get_int_def(obj, "queue_id", 1, INT64_MAX, 0, &in.queue_id, err)) < 0)
		return rc;
	in.has_ack = json_object_get(obj, "ack") != NULL;
	if (in.has_ack && (rc = mailbox_ack_decode(json_object_get(obj, "ack"), &in.ack, err)) < 0)
		return rc;
	*ret = in;
	return GC_OK;
}

int email_reply_input_decode(const json_t *obj, struct email_reply_input *ret, struct decode_error *err)
{
	static const char *const known[] = {"body", "article", "reply", "reason", "mailbox_id", NULL};
	struct email_reply_input in;
	memset(&in, 0, sizeof(in));
	int rc;
	if ((rc = only_fields(obj, known, err)) < 0 ||
	    (rc = get_string(obj, "body", OPTIONAL, 100000, MULTILINE, &in.body, err)) < 0 ||
	    (rc = get_string(obj, "article", OPTIONAL, 128, ONE_LINE, &in.article, err)) < 0 ||
	    (rc = get_string(obj, "reply", OPTIONAL, 100, ONE_LINE, &in.reply, err)) < 0 ||
	    (rc = get_string(obj, "reason", OPTIONAL, 100, ONE_LINE, &in.reason, err)) < 0 ||
	    (rc = get_int_def(obj, "mailbox_id", 1, INT64_MAX, 0, &in.mailbox_id, err)) < 0)
		return rc;
	if ((in.body == NULL) == (in.article == NULL))
		return decode_fail(err, GC_EINVAL, "body", "either a 'body' or a canned reply's 'article' is needed, not both");
	if (in.reply && in.article == NULL)
		return decode_fail(err, GC_EINVAL, "reply", "'reply' names a reply of the 'article' given");
	*ret = in;
	return GC_OK;
}
