/* The web chat's channels, for staff (POST, GET, PATCH, DELETE
 * /api/v1/channels/chat, and a new identity secret): their settings decoded
 * strictly (the field named on error), the public key drawn, the identity
 * secret sealed (secrets.h) and answered only when made. The visitors' side
 * is handlers_chat.c. */
#include "daemon/handlers.h"
#include "daemon/chat_file.h"
#include "daemon/secrets.h"
#include "daemon/server.h"
#include "daemon/visitor.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <event2/http.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CHAT_MAX_TOPICS 20

/* --- strict decoding, shared with handlers_chat.c --- */

bool chat_only_fields(struct request *r, const json_t *obj, const char *const known[], const char *prefix)
{
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)obj, name, v) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], name) != 0)
			i++;
		if (known[i] == NULL) {
			char field[128];
			snprintf(field, sizeof(field), "%s%s", prefix, name);
			reply_error(r, 400, "invalid", field, "unknown field '%s'", field);
			return false;
		}
	}
	return true;
}

bool chat_text_field(struct request *r, const json_t *obj, const char *name, const char *field, bool required,
		       size_t max, const char **ret)
{
	json_t *v = json_object_get(obj, name);
	*ret = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			reply_error(r, 400, "invalid", field, "'%s' is required", field);
		return !required;
	}
	const char *s = json_string_value(v);
	if (s == NULL || *s == '\0' || strlen(s) > max || !gc_text_is_clean(s, false)) {
		reply_error(r, 400, "invalid", field, "'%s' is text of 1 to %zu bytes on one line", field, max);
		return false;
	}
	*ret = s;
	return true;
}

/* --- strict decoding of the channel's settings --- */

/* An origin: http(s)://host[:port], nothing after. */
static bool origin_ok(const char *s)
{
	struct evhttp_uri *u = evhttp_uri_parse_with_flags(s, 0);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL, *host = u ? evhttp_uri_get_host(u) : NULL;
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	bool ok = scheme && host && *host && (strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0) &&
		  (path == NULL || *path == '\0') && evhttp_uri_get_query(u) == NULL &&
		  evhttp_uri_get_fragment(u) == NULL && evhttp_uri_get_userinfo(u) == NULL &&
		  strlen(s) <= CHAT_MAX_ORIGIN_LEN && strchr(s, ' ') == NULL;
	if (u)
		evhttp_uri_free(u);
	return ok;
}

static bool origins_field(struct request *r, const json_t *v, json_t *config)
{
	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > CHAT_MAX_ORIGINS)
		return reply_error(r, 400, "invalid", "origins", "'origins' lists 1 to %d origins like"
				   " https://shop.example", CHAT_MAX_ORIGINS), false;
	size_t i;
	json_t *o;
	json_array_foreach(v, i, o) {
		const char *s = json_string_value(o);
		if (s == NULL || !origin_ok(s))
			return reply_error(r, 400, "invalid", "origins", "origins[%zu] is not an origin like"
					   " https://shop.example[:port]", i), false;
	}
	json_object_set(config, "origins", (json_t *)v);
	return true;
}

static bool level_field(struct request *r, const json_t *prechat, const char *name, const char *field, json_t *out)
{
	const char *s = NULL;
	if (!chat_text_field(r, prechat, name, field, false, 16, &s))
		return false;
	s = s ? s : "off";
	if (strcmp(s, "off") != 0 && strcmp(s, "optional") != 0 && strcmp(s, "required") != 0)
		return reply_error(r, 400, "invalid", field, "'%s' is off, optional or required", field), false;
	json_object_set_new(out, name, json_string(s));
	return true;
}

static bool prechat_field(struct request *r, const json_t *v, json_t *config)
{
	static const char *const known[] = {"name", "email", "topics", NULL};
	if (!json_is_object(v))
		return reply_error(r, 400, "invalid", "prechat", "'prechat' is an object"), false;
	json_t *out = json_object(), *topics = json_object_get(v, "topics");
	json_object_set_new(config, "prechat", out);
	if (!chat_only_fields(r, v, known, "prechat.") || !level_field(r, v, "name", "prechat.name", out) ||
	    !level_field(r, v, "email", "prechat.email", out))
		return false;
	if (topics && (!json_is_array(topics) || json_array_size(topics) > CHAT_MAX_TOPICS))
		return reply_error(r, 400, "invalid", "prechat.topics", "'prechat.topics' lists 0 to %d topics",
				   CHAT_MAX_TOPICS), false;
	size_t i;
	json_t *t;
	json_array_foreach(topics, i, t) {
		const char *s = json_string_value(t);
		if (s == NULL || *s == '\0' || strlen(s) > 100 || !gc_text_is_clean(s, false))
			return reply_error(r, 400, "invalid", "prechat.topics", "prechat.topics[%zu] is text of 1 to 100"
					   " bytes", i), false;
	}
	json_object_set_new(out, "topics", topics ? json_deep_copy(topics) : json_array());
	return true;
}

static bool offline_field(struct request *r, const json_t *v, json_t *config)
{
	static const char *const known[] = {"message", "callback", NULL};
	if (!json_is_object(v))
		return reply_error(r, 400, "invalid", "offline", "'offline' is an object"), false;
	if (!chat_only_fields(r, v, known, "offline."))
		return false;
	json_t *out = json_object();
	json_object_set_new(config, "offline", out);
	for (size_t i = 0; known[i]; i++) {
		json_t *b = json_object_get(v, known[i]);
		if (b && !json_is_boolean(b)) {
			char field[32];
			snprintf(field, sizeof(field), "offline.%s", known[i]);
			return reply_error(r, 400, "invalid", field, "'%s' is true or false", field), false;
		}
		json_object_set_new(out, known[i], json_boolean(json_is_true(b)));
	}
	return true;
}

static bool attachments_field(struct request *r, const json_t *v, json_t *config)
{
	struct chat_file_limits l;
	const char *field = "attachments";
	if (chat_file_limits_parse(v, &l, &field) < 0)
		return reply_error(r, 400, "invalid", field, "'attachments' is {\"max_bytes\": 0 to %lld, \"types\":"
				   " [some of image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain],"
				   " \"per_chat\": 0 to %d}; '%s' is wrong", CHAT_FILE_MAX, CHAT_FILE_PER_CHAT_MAX,
				   field), false;
	json_object_set_new(config, "attachments", chat_file_limits_json(&l));
	return true;
}

/* Decodes a channel's settings into r->work: {"name","queue_id","config"}
 * where config holds what was given of origins, prechat and offline (all of
 * them for a new channel, with their defaults). */
static int decode_channel(struct request *r, bool patch)
{
	static const char *const known[] = {"name", "queue_id", "origins", "prechat", "offline", "attachments", NULL};
	const char *name = NULL;
	json_t *q = json_object_get(r->body, "queue_id");
	if (!chat_only_fields(r, r->body, known, "") || !chat_text_field(r, r->body, "name", "name", !patch, 100, &name))
		return 1;
	if ((q || !patch) && (!json_is_integer(q) || json_integer_value(q) < 1))
		return reply_error(r, 400, "invalid", "queue_id", "'queue_id' is the id of a queue"), 1;
	json_t *config = json_object(), *v;
	r->work = json_pack("{s:s?,s:I,s:o}", "name", name, "queue_id", (json_int_t)(q ? json_integer_value(q) : 0),
			    "config", config);
	if ((v = json_object_get(r->body, "origins")) != NULL || !patch) {
		if (!origins_field(r, v, config))
			return 1;
	}
	json_t *none = json_object(), *prechat = json_object_get(r->body, "prechat"),
	       *offline = json_object_get(r->body, "offline"), *files = json_object_get(r->body, "attachments");
	bool ok = ((prechat == NULL && patch) || prechat_field(r, prechat ? prechat : none, config)) &&
		  ((offline == NULL && patch) || offline_field(r, offline ? offline : none, config)) &&
		  ((files == NULL && patch) || attachments_field(r, files ? files : none, config));
	json_decref(none);
	return ok ? 0 : 1;
}

int prepare_chat_channel(struct request *r, struct store *db)
{
	return decode_channel(r, false);
}

int prepare_chat_channel_update(struct request *r, struct store *db)
{
	return decode_channel(r, true);
}

/* --- staff: the channels --- */

/* A new identity secret, sealed: the clear one into secret. */
static int new_secret(struct request *r, char secret[VISITOR_SECRET_LEN + 1], unsigned char **ret_sealed,
		      size_t *ret_len)
{
	char why[256];
	visitor_secret_new(secret);
	if (secrets_seal(r->worker->server->secrets, secret, ret_sealed, ret_len, why, sizeof(why)) < 0)
		return reply_error(r, 500, "internal", NULL, "the secret cannot be sealed: %s", why);
	return GC_OK;
}

int run_chat_channel_create(struct request *r, struct store *db)
{
	json_t *w = r->work;
	int64_t queue_id = json_integer_value(json_object_get(w, "queue_id"));
	if (!queue_serves(r, db, queue_id, CHANNEL_CHAT, "queue_id"))
		return GC_EINVAL;
	unsigned char raw[16], *sealed = NULL;
	char key[32], secret[VISITOR_SECRET_LEN + 1];
	size_t sealed_len = 0;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(key, sizeof(key), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	int rc = new_secret(r, secret, &sealed, &sealed_len);
	if (rc < 0)
		return rc;
	char *config = json_dumps(json_object_get(w, "config"), JSON_COMPACT | JSON_SORT_KEYS);
	struct store_chat_channel in = {.name = json_string_value(json_object_get(w, "name")), .key = key,
					.config = config, .sealed = sealed, .sealed_len = sealed_len,
					.queue_id = queue_id};
	int64_t id = 0;
	json_t *row = NULL;
	rc = config ? store_chat_channel_create(db, &r->scope, &in, &id) : GC_ENOMEM;
	if (rc == GC_OK)
		rc = store_chat_channel_get(db, &r->scope, id, &row);
	free(config);
	free(sealed);
	if (rc < 0)
		return reply_store_error(r, db, rc, "name");
	json_object_set_new(row, "secret", json_string(secret));
	sodium_memzero(secret, sizeof(secret));
	return reply(r, 201, row);
}

int run_chat_channel_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_chat_channel_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_chat_channel_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_chat_channel_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "chat channel") : reply(r, 200, row);
}

int run_chat_channel_update(struct request *r, struct store *db)
{
	json_t *w = r->work, *row = NULL;
	int64_t queue_id = json_integer_value(json_object_get(w, "queue_id"));
	if (queue_id && !queue_serves(r, db, queue_id, CHANNEL_CHAT, "queue_id"))
		return GC_EINVAL;
	int rc = store_chat_channel_get(db, &r->scope, r->ids[0], &row);
	if (rc < 0)
		return reply_store_error(r, db, rc, "chat channel");
	json_t *config = json_pack("{s:O,s:O,s:O}", "origins", json_object_get(row, "origins"), "prechat",
				   json_object_get(row, "prechat"), "offline", json_object_get(row, "offline"));
	if (json_object_get(row, "attachments")) /* a channel made before attachments has none: the defaults */
		json_object_set(config, "attachments", json_object_get(row, "attachments"));
	json_object_update(config, json_object_get(w, "config"));
	char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(config);
	json_decref(row);
	row = NULL;
	struct store_chat_channel in = {.name = json_string_value(json_object_get(w, "name")), .config = text,
					.queue_id = queue_id};
	rc = text ? store_chat_channel_update(db, &r->scope, r->ids[0], &in) : GC_ENOMEM;
	free(text);
	if (rc == GC_OK)
		rc = store_chat_channel_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "chat channel") : reply(r, 200, row);
}

int run_chat_channel_delete(struct request *r, struct store *db)
{
	int rc = store_chat_channel_delete(db, &r->scope, r->ids[0]);
	return rc < 0 ? reply_store_error(r, db, rc, "chat channel") : reply(r, 204, NULL);
}

int run_chat_channel_secret(struct request *r, struct store *db)
{
	unsigned char *sealed = NULL;
	char secret[VISITOR_SECRET_LEN + 1];
	size_t len = 0;
	int rc = new_secret(r, secret, &sealed, &len);
	if (rc < 0)
		return rc;
	struct store_chat_channel in = {.sealed = sealed, .sealed_len = len};
	rc = store_chat_channel_update(db, &r->scope, r->ids[0], &in);
	free(sealed);
	if (rc < 0)
		return reply_store_error(r, db, rc, "chat channel");
	json_t *answer = json_pack("{s:I,s:s}", "id", (json_int_t)r->ids[0], "secret", secret);
	sodium_memzero(secret, sizeof(secret));
	return reply(r, 200, answer);
}

