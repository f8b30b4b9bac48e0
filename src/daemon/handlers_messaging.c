/* SMS and social messages over HTTP: the tenant's messaging channels (GET,
 * POST /api/v1/channels/messaging; GET, PATCH, DELETE .../{id}), the
 * providers' webhook (POST /hooks/v1/messaging/{key}: public, found by the
 * channel's public key and trusted by its signature alone), and a contact's
 * messages through channels with their delivery states (GET
 * /api/v1/contacts/{id}/messaging).
 *
 * The webhook runs in two steps like every write: prepare, on the worker,
 * finds the channel, opens its secret, checks the signature (401 and
 * nothing stored when it is missing or wrong) and decodes the message or
 * receipt into r->work; run, on the writer, takes it in one transaction: a
 * provider id already taken on the channel changes nothing (200), else the
 * sender's number (ops_phone_key, in the tenant's country, lenient: a number
 * libphonenumber cannot read keeps its digits) or social account finds or creates the
 * customer, and the message joins the customer's open contact on that
 * channel or starts a new one in the channel's queue. A social account is
 * keyed by the channel and the account's id as the provider gives it: its
 * customer is the one of that account's last contact on the channel, or a
 * new customer with no address. */
#include "daemon/handlers.h"
#include "channel/messaging/generic.h"
#include "channel/messaging/twilio.h"
#include "daemon/log.h"
#include "daemon/secrets.h"
#include "daemon/server.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <event2/http.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOOK_PATH "/hooks/v1/messaging/"
#define TWILIO_API "https://api.twilio.com"
#define MAX_FIELD 512

static const char twiml_empty[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

/* A URL guichet calls or is called at: https://, or http:// to a loopback
 * host only. NULL when it is fine, else why. */
static const char *url_problem(const char *url)
{
	struct evhttp_uri *u = evhttp_uri_parse_with_flags(url, EVHTTP_URI_NONCONFORMANT);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL, *host = u ? evhttp_uri_get_host(u) : NULL;
	const char *problem = NULL;
	if (scheme == NULL || host == NULL || *host == '\0')
		problem = "not a URL like https://host.example";
	else if (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0)
		problem = "the scheme is https:// (or http:// on loopback)";
	else if (strcasecmp(scheme, "http") == 0 && strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
		 strcmp(host, "[::1]") != 0 && strcasecmp(host, "localhost") != 0)
		problem = "http:// sends secrets in clear: only to a loopback address; use https://";
	if (u)
		evhttp_uri_free(u);
	return problem;
}

/* body's string member name into *ret: absent leaves it; answered (true) when it is not a clean string of 1 to max bytes. */
static bool bad_string(struct request *r, const char *name, size_t max, const char **ret)
{
	json_t *v = json_object_get(r->body, name);
	if (v == NULL)
		return false;
	const char *s = json_string_value(v);
	if (s == NULL || *s == '\0' || strlen(s) > max || !gc_text_is_clean(s, false)) {
		reply_error(r, 400, "invalid", name, "'%s' is a string of 1 to %zu printable characters", name, max);
		return true;
	}
	*ret = s;
	return false;
}

/* The channel's fields from the body into in; answered (true) on a bad one. create: the required ones are checked. */
static bool decode_channel(struct request *r, bool create, struct store_messaging_channel *in, const char **secret,
			   const char **public_url)
{
	static const char *const known[] = {"name", "provider", "kind", "public_url", "api_url", "account", "address",
					    "secret", "queue_id"};
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v) {
		size_t i = 0;
		while (i < sizeof(known) / sizeof(known[0]) && strcmp(key, known[i]) != 0)
			i++;
		if (i == sizeof(known) / sizeof(known[0]) || (!create && (i == 1 || i == 2)))
			return reply_error(r, 400, "invalid", key, create ? "unknown member '%s'" : "'%s' cannot be changed",
					   key), true;
	}
	if (bad_string(r, "name", 100, &in->name) || bad_string(r, "provider", 16, &in->provider) ||
	    bad_string(r, "kind", 16, &in->kind) || bad_string(r, "public_url", MAX_FIELD, public_url) ||
	    bad_string(r, "api_url", MAX_FIELD, &in->api_url) || bad_string(r, "account", 128, &in->account) ||
	    bad_string(r, "address", 256, &in->address) || bad_string(r, "secret", MAX_FIELD, secret))
		return true;
	json_t *queue = json_object_get(r->body, "queue_id");
	in->queue_id = create ? 0 : -1;
	if (json_is_null(queue))
		in->queue_id = 0;
	else if (queue && (!json_is_integer(queue) || json_integer_value(queue) < 1))
		return reply_error(r, 400, "invalid", "queue_id", "'queue_id' is a queue's id or null"), true;
	else if (queue)
		in->queue_id = json_integer_value(queue);
	if (!create)
		return false;
	if (in->provider == NULL || (strcmp(in->provider, "twilio") != 0 && strcmp(in->provider, "generic") != 0))
		return reply_error(r, 400, "invalid", "provider", "'provider' is twilio or generic"), true;
	if (in->kind == NULL)
		in->kind = "sms";
	if (strcmp(in->kind, "sms") != 0 && strcmp(in->kind, "social") != 0)
		return reply_error(r, 400, "invalid", "kind", "'kind' is sms or social"), true;
	const char *missing = in->name == NULL ? "name" : *public_url == NULL ? "public_url" : in->address == NULL
			      ? "address" : *secret == NULL ? "secret" : NULL;
	if (missing == NULL && strcmp(in->provider, "twilio") == 0 && in->account == NULL)
		missing = "account";
	if (missing == NULL && strcmp(in->provider, "generic") == 0 && in->api_url == NULL)
		missing = "api_url";
	if (missing)
		return reply_error(r, 400, "invalid", missing, "'%s' is required", missing), true;
	return false;
}

/* public_url and api_url checked (answered: true). */
static bool bad_urls(struct request *r, const char *public_url, const char *api_url)
{
	const char *why = public_url ? url_problem(public_url) : NULL;
	if (why)
		return reply_error(r, 400, "invalid", "public_url", "%s", why), true;
	if (api_url && (why = url_problem(api_url)) != NULL)
		return reply_error(r, 400, "invalid", "api_url", "%s", why), true;
	return false;
}

int prepare_messaging_channel(struct request *r, struct store *db)
{
	struct store_messaging_channel in = {0};
	const char *secret = NULL, *public_url = NULL;
	return decode_channel(r, true, &in, &secret, &public_url) || bad_urls(r, public_url, in.api_url);
}

int prepare_messaging_channel_update(struct request *r, struct store *db)
{
	struct store_messaging_channel in = {0};
	const char *secret = NULL, *public_url = NULL;
	return decode_channel(r, false, &in, &secret, &public_url) || bad_urls(r, public_url, in.api_url);
}

/* The webhook's URL: the public base URL, without its final '/', and the path. */
static char *webhook_url(const char *public_url, const char *key)
{
	size_t len = strlen(public_url);
	while (len > 0 && public_url[len - 1] == '/')
		len--;
	size_t size = len + sizeof(HOOK_PATH) + strlen(key);
	char *url = malloc(size);
	if (url)
		snprintf(url, size, "%.*s" HOOK_PATH "%s", (int)len, public_url, key);
	return url;
}

/* secret sealed (answered: true when it cannot be). */
static bool seal(struct request *r, const char *secret, unsigned char **ret, size_t *ret_len)
{
	char why[256] = "";
	if (secret == NULL || secrets_seal(r->worker->server->secrets, secret, ret, ret_len, why, sizeof(why)) == GC_OK)
		return false;
	log_error("cannot seal a messaging channel's secret", "error", why);
	reply_error(r, 500, "internal", NULL, "the secret cannot be sealed: see the server's log");
	return true;
}

/* What a channel of kind ("sms" or "social") makes its contacts. */
static enum contact_channel kind_channel(const char *kind)
{
	return kind && strcmp(kind, "social") == 0 ? CHANNEL_SOCIAL : CHANNEL_SMS;
}

int run_messaging_channel_create(struct request *r, struct store *db)
{
	struct store_messaging_channel in = {0};
	const char *secret = NULL, *public_url = NULL;
	decode_channel(r, true, &in, &secret, &public_url); /* checked by prepare */
	if (!queue_serves(r, db, in.queue_id, kind_channel(in.kind), "queue_id"))
		return GC_EINVAL;
	unsigned char raw[24];
	char key[48];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(key, sizeof(key), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	in.public_key = key;
	char *url = webhook_url(public_url, key);
	in.webhook_url = url;
	if (in.api_url == NULL)
		in.api_url = TWILIO_API;
	unsigned char *sealed = NULL;
	if (url == NULL) {
		return reply_error(r, 503, "out_of_memory", NULL, "try again");
	} else if (seal(r, secret, &sealed, &in.sealed_len)) {
		free(url);
		return GC_EIO;
	}
	in.sealed = sealed;
	int64_t id = 0;
	int rc = store_messaging_channel_create(db, &r->scope, &in, &id);
	free(sealed);
	free(url);
	json_t *row = NULL;
	if (rc == GC_OK)
		rc = store_messaging_channel_get(db, &r->scope, id, &row);
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "name" : NULL) : reply(r, 201, row);
}

int run_messaging_channel_update(struct request *r, struct store *db)
{
	struct store_messaging_channel in = {0};
	const char *secret = NULL, *public_url = NULL;
	decode_channel(r, false, &in, &secret, &public_url);
	json_t *row = NULL;
	int rc = store_messaging_channel_get(db, &r->scope, r->ids[0], &row);
	if (rc < 0)
		return reply_store_error(r, db, rc, "messaging channel");
	if (!queue_serves(r, db, in.queue_id, kind_channel(json_string_value(json_object_get(row, "kind"))),
			  "queue_id")) {
		json_decref(row);
		return GC_EINVAL;
	}
	char *url = public_url ? webhook_url(public_url, json_string_value(json_object_get(row, "public_key"))) : NULL;
	json_decref(row);
	row = NULL;
	in.webhook_url = url;
	unsigned char *sealed = NULL;
	if (seal(r, secret, &sealed, &in.sealed_len)) {
		free(url);
		return GC_EIO;
	}
	in.sealed = sealed;
	rc = store_messaging_channel_update(db, &r->scope, r->ids[0], &in);
	free(sealed);
	free(url);
	if (rc == GC_OK)
		rc = store_messaging_channel_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "name" : "messaging channel")
		      : reply(r, 200, row);
}

int run_messaging_channel_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_messaging_channel_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_messaging_channel_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_messaging_channel_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "messaging channel") : reply(r, 200, row);
}

int run_messaging_channel_delete(struct request *r, struct store *db)
{
	int rc = store_messaging_channel_delete(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "messaging channel");
	r->status = 204;
	return GC_OK;
}

int run_contact_messaging(struct request *r, struct store *db)
{
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	json_t *list = NULL;
	if (rc == GC_OK)
		rc = store_messaging_list(db, &r->scope, r->ids[0], &list);
	return rc < 0 ? reply_store_error(r, db, rc, "contact") : reply(r, 200, json_pack("{s:o}", "items", list));
}

/* --- the providers' webhook --- */

/* Twilio's MessageStatus as a delivery state, NULL for one that says nothing new. */
static const char *twilio_state(const char *status)
{
	static const char *const map[][2] = {{"queued", "sent"}, {"accepted", "sent"}, {"sending", "sent"},
					      {"sent", "sent"}, {"delivered", "delivered"}, {"read", "delivered"},
					      {"undelivered", "undelivered"}, {"failed", "failed"}};
	for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(status, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* A Twilio webhook's form, checked, into work (answered: true). */
static bool twilio_event(struct request *r, const char *secret, const char *url, const char *body, size_t len,
			 json_t *work)
{
	struct msg_form f;
	int rc = msg_form_parse(body, len, &f);
	if (rc < 0)
		return reply_error(r, 400, "invalid", NULL, "the body is not a form (application/x-www-form-urlencoded)"),
		       true;
	bool answered = false;
	if (!twilio_signature_ok(secret, url, &f, conn_header(r->conn, "X-Twilio-Signature"))) {
		reply_error(r, 401, "bad_signature", "X-Twilio-Signature", "the signature is missing or wrong");
		answered = true;
	} else if (msg_form_get(&f, "MessageStatus") && !msg_form_get(&f, "Body")) {
		const char *sid = msg_form_get(&f, "MessageSid"), *code = msg_form_get(&f, "ErrorCode");
		const char *state = twilio_state(msg_form_get(&f, "MessageStatus"));
		json_object_set_new(work, "type", json_string("receipt"));
		json_object_set_new(work, "id", sid ? json_string(sid) : json_null());
		json_object_set_new(work, "status", state ? json_string(state) : json_null());
		if (code && *code)
			json_object_set_new(work, "error", json_sprintf("Twilio error %.32s", code));
	} else {
		const char *sid = msg_form_get(&f, "MessageSid"), *from = msg_form_get(&f, "From");
		const char *text = msg_form_get(&f, "Body");
		const char *field = sid == NULL ? "MessageSid" : from == NULL ? "From" : text == NULL ? "Body" : NULL;
		if (field == NULL && (strlen(sid) > 64 || strlen(from) > 256 || strlen(text) > GENERIC_MAX_TEXT))
			field = strlen(sid) > 64 ? "MessageSid" : strlen(from) > 256 ? "From" : "Body";
		if (field) {
			reply_error(r, 400, "invalid", field, "a message needs MessageSid, From and Body, of sensible lengths");
			answered = true;
		} else {
			json_object_set_new(work, "type", json_string("message"));
			json_object_set_new(work, "id", json_string(sid));
			json_object_set_new(work, "from", json_string(from));
			/* a picture alone (MMS) has an empty Body: the contact still says something came */
			json_object_set_new(work, "text", json_string(*text ? text : "(a message with no text)"));
		}
	}
	msg_form_clear(&f);
	return answered;
}

/* A generic webhook's JSON, checked, into work (answered: true). */
static bool generic_hook_event(struct request *r, const char *secret, const char *body, size_t len, json_t *work)
{
	if (!generic_signature_ok(secret, conn_header(r->conn, "X-Guichet-Timestamp"),
				  conn_header(r->conn, "X-Guichet-Signature"), body, len, gc_now_ms()))
		return reply_error(r, 401, "bad_signature", "X-Guichet-Signature",
				   "the signature is missing or wrong, or its timestamp is not within 5 minutes"), true;
	struct generic_event e;
	const char *field = NULL;
	if (generic_event_parse(body, len, &e, &field) < 0)
		return reply_error(r, 400, "invalid", field, "not a message {\"id\",\"from\",\"text\",...} nor a receipt"
				   " {\"type\":\"receipt\",\"id\",\"status\"}"), true;
	json_object_set_new(work, "type", json_string(e.receipt ? "receipt" : "message"));
	json_object_set_new(work, "id", json_string(e.id));
	if (e.receipt) {
		json_object_set_new(work, "status", json_string(e.status));
	} else {
		json_object_set_new(work, "from", json_string(e.from));
		json_object_set_new(work, "text", json_string(e.text));
	}
	generic_event_clear(&e);
	return false;
}

int prepare_messaging_hook(struct request *r, struct store *db)
{
	json_t *ch = NULL;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int rc = store_messaging_channel_by_key(db, r->key, &ch, &sealed, &sealed_len);
	if (rc < 0)
		return reply_store_error(r, db, rc, "messaging channel") < 0;
	char *secret = NULL, why[256] = "";
	rc = secrets_unseal(r->worker->server->secrets, sealed, sealed_len, &secret, why, sizeof(why));
	free(sealed);
	if (rc < 0) {
		json_decref(ch);
		log_error("cannot open a messaging channel's secret", "error", why);
		return reply_error(r, 500, "internal", NULL, "the channel's secret cannot be opened") < 0;
	}
	size_t len = 0;
	const char *body = conn_body(r->conn, &len), *query = conn_query(r->conn);
	const char *base = json_string_value(json_object_get(ch, "webhook_url"));
	size_t url_size = strlen(base) + (query ? strlen(query) + 2 : 1);
	char *url = malloc(url_size);
	r->work = json_pack("{s:O,s:O,s:O,s:O}", "tenant_id", json_object_get(ch, "tenant_id"), "channel_id",
			    json_object_get(ch, "id"), "kind", json_object_get(ch, "kind"), "queue_id",
			    json_object_get(ch, "queue_id"));
	bool twilio = strcmp(json_string_value(json_object_get(ch, "provider")), "twilio") == 0;
	bool answered = true;
	if (url == NULL || r->work == NULL) {
		reply_error(r, 503, "out_of_memory", NULL, "try again");
	} else {
		snprintf(url, url_size, "%s%s%s", base, query ? "?" : "", query ? query : "");
		json_object_set_new(r->work, "twilio", json_boolean(twilio));
		answered = twilio ? twilio_event(r, secret, url, body ? body : "", len, r->work)
				  : generic_hook_event(r, secret, body ? body : "", len, r->work);
	}
	sodium_memzero(secret, strlen(secret));
	free(secret);
	free(url);
	char ip[sizeof(r->scope.ip)];
	memcpy(ip, r->scope.ip, sizeof(ip));
	r->scope = ops_channel_scope(json_integer_value(json_object_get(ch, "tenant_id")),
				     json_string_value(json_object_get(ch, "kind")));
	memcpy(r->scope.ip, ip, sizeof(ip)); /* the provider's address, for the log */
	json_decref(ch);
	return answered;
}

/* The customer of peer: by phone on SMS, by the account's last contact on the channel otherwise. */
static int hook_customer(const struct ops *o, const struct store_scope *scope, bool sms, int64_t channel_id,
			 const char *peer, int64_t *ret_id, struct ops_error *err)
{
	bool created = false;
	if (sms)
		return ops_customer_find_or_create(o, scope, NULL, peer, ret_id, &created, err);
	int64_t contact = 0, customer = 0;
	int rc = store_messaging_peer_contact(o->db, scope, channel_id, peer, false, &contact, &customer);
	if (rc == GC_OK && customer) {
		*ret_id = customer;
		return GC_OK;
	}
	struct customer_input none = {0};
	if ((rc < 0 && rc != GC_ENOTFOUND) || (rc = store_customer_create_id(o->db, scope, &none, ret_id)) < 0) {
		err->rc = rc;
		err->field = "customer";
		snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
		return rc;
	}
	return GC_OK;
}

/* The message joins peer's open contact on the channel or starts one; *ret_contact. */
static int take_message(struct request *r, struct store *db, json_t *w, int64_t *ret_contact, struct ops_error *err)
{
	struct ops o = request_ops(r, db);
	int64_t channel_id = json_integer_value(json_object_get(w, "channel_id")), customer = 0, contact = 0, other = 0;
	bool sms = strcmp(json_string_value(json_object_get(w, "kind")), "sms") == 0;
	const char *from = json_string_value(json_object_get(w, "from")), *text = json_string_value(json_object_get(w, "text"));
	char key[OPS_PHONE_KEY_LEN];
	/* lenient: a sender libphonenumber cannot read (a short code, say) keeps its digits */
	int rc = sms ? ops_tenant_phone_key(db, r->scope.tenant_id, from, true, "from", key, sizeof(key), err) : GC_OK;
	if (rc < 0)
		return rc;
	const char *peer = sms ? key : from;
	rc = hook_customer(&o, &r->scope, sms, channel_id, peer, &customer, err);
	if (rc < 0)
		return rc;
	int64_t message_id = 0;
	rc = store_messaging_peer_contact(db, &r->scope, channel_id, peer, true, &contact, &other);
	if (rc == GC_OK) {
		struct message_input in = {.outbound = false, .body = text};
		json_t *added = NULL;
		if ((rc = ops_customer_wrote(&o, &r->scope, contact, &in, &added, err)) < 0)
			return rc;
		message_id = json_integer_value(json_object_get(added, "id"));
		json_decref(added);
	} else if (rc == GC_ENOTFOUND) {
		struct contact_input in = {.channel = sms ? CHANNEL_SMS : CHANNEL_SOCIAL, .customer_id = customer,
					   .queue_id = json_integer_value(json_object_get(w, "queue_id")), .message = text};
		if ((rc = ops_contact_create(&o, &r->scope, &in, &contact, NULL, err)) < 0)
			return rc;
	} else {
		*err = (struct ops_error){.rc = rc, .field = "contact"};
		return rc;
	}
	struct store_messaging_message m = {.channel_id = channel_id, .contact_id = contact, .message_id = message_id,
					    .direction = "inbound", .provider_id = json_string_value(json_object_get(w, "id")),
					    .peer = peer, .state = "received"};
	int64_t id = 0;
	if ((rc = store_messaging_add(db, &r->scope, &m, &id)) < 0) {
		*err = (struct ops_error){.rc = rc, .field = "id"};
		return rc;
	}
	*ret_contact = contact;
	return GC_OK;
}

/* What the provider is answered once taken: Twilio an empty TwiML document. */
static int hook_answer(struct request *r, json_t *w, int64_t contact, bool replay)
{
	if (json_is_true(json_object_get(w, "twilio"))) {
		r->status = 200;
		r->content_type = "text/xml";
		r->resp_text = strdup(twiml_empty);
		return r->resp_text ? GC_OK : GC_ENOMEM;
	}
	return reply(r, 200, contact ? json_pack("{s:b,s:I,s:b}", "ok", 1, "contact_id", (json_int_t)contact, "replay",
						  replay)
				     : json_pack("{s:b}", "ok", 1));
}

int run_messaging_hook(struct request *r, struct store *db)
{
	json_t *w = r->work;
	int64_t channel_id = json_integer_value(json_object_get(w, "channel_id")), contact = 0;
	const char *id = json_string_value(json_object_get(w, "id"));
	if (strcmp(json_string_value(json_object_get(w, "type")), "receipt") == 0) {
		const char *status = json_string_value(json_object_get(w, "status"));
		int rc = id && status ? store_messaging_receipt(db, &r->scope, channel_id, id, status,
								json_string_value(json_object_get(w, "error")))
				      : GC_OK; /* a state that says nothing new */
		return rc < 0 ? reply_store_error(r, db, rc, "id") : hook_answer(r, w, 0, false);
	}
	int rc = store_messaging_inbound_contact(db, &r->scope, channel_id, id, &contact);
	if (rc == GC_OK)
		return hook_answer(r, w, contact, true); /* taken already: a provider's retry */
	if (rc != GC_ENOTFOUND)
		return reply_store_error(r, db, rc, NULL);
	struct ops_error err = {0};
	if ((rc = take_message(r, db, w, &contact, &err)) < 0)
		return reply_ops_error(r, db, &err);
	return hook_answer(r, w, contact, false);
}
