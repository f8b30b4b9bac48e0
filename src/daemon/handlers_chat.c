/* The web chat's routes (docs/chat.md), but the channels' settings
 * (handlers_chat_channel.c): a channel's public key names it to visitors,
 * its identity secret lets a brand vouch for its logged-in customers.
 *
 * Visitors (/chat/v1/{key}/..., public routes: no session, no CSRF): the
 * channel's configuration, a visitor token (visitor.h), and the chats. Each
 * visitor route looks the channel up by its key on the worker (prepare:
 * chat_visitor_begin), checks the visitor's token where one is needed, and
 * runs in the channel's tenant with the scope "channel:chat". A chat is a
 * contact on the channel "chat" made through the core operations (ops.h);
 * a visitor reaches only the chats of its own visitor id, or, verified by
 * the brand, of its customer. */
#include "daemon/handlers.h"
#include "daemon/chat_file.h"
#include "daemon/chat_text.h"
#include "daemon/chathub.h"
#include "daemon/chatstream.h"
#include "daemon/cluster.h"
#include "daemon/ratelimit.h"
#include "daemon/router.h"
#include "daemon/secrets.h"
#include "daemon/server.h"
#include "daemon/visitor.h"
#include "daemon/web.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/message.h"
#include "guichet/text.h"
#include "guichet/tz.h"
#include "guichet/wait.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHAT_CLIENT_ID_MAX 64
#define CHAT_OPENED_PER_MINUTE 3 /* chats a visitor opens */
#define CHAT_TRANSCRIPTS_PER_HOUR 5 /* automatic mail to one address, the acknowledgements' way of counting */
#define CHAT_TRANSCRIPTS_PER_CHAT 2 /* whatever the addresses (a second for a mistyped one): no way to mail many people */

/* --- visitors --- */

/* The request's channel (looked up by chat_visitor_begin). */
static const json_t *req_channel(const struct request *r)
{
	return json_object_get(r->work, "channel");
}

static int64_t req_channel_id(const struct request *r)
{
	return json_integer_value(json_object_get(req_channel(r), "id"));
}

static bool visitor_key(struct request *r, unsigned char key[VISITOR_KEY_LEN])
{
	char why[256];
	if (secrets_derive(r->worker->server->secrets, "chatvist", key, why, sizeof(why)) == GC_OK)
		return true;
	reply_error(r, 500, "internal", NULL, "the visitor key cannot be derived: %s", why);
	return false;
}

/* The visitor's token, from Authorization: Bearer or ?token= (EventSource). */
static const char *token_of(struct request *r)
{
	const char *auth = conn_header(r->conn, "Authorization");
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
		return auth + 7;
	return auth ? NULL : query_get(r, "token");
}

/* Finds the channel of r->key, sets the request's scope to its tenant,
 * and, when need_token, checks the visitor's token: r->work becomes
 * {"channel", "visitor"?, "customer_id"?}. Answers (404, 401) and returns
 * false when it cannot go on. */
static bool chat_visitor_begin(struct request *r, struct store *db, bool need_token)
{
	json_t *channel = NULL;
	int rc = store_chat_channel_by_key(db, r->key, &channel, NULL, NULL);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", NULL, "no such chat"), false;
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL), false;
	char ip[sizeof(r->scope.ip)];
	snprintf(ip, sizeof(ip), "%s", r->scope.ip);
	r->scope = ops_channel_scope(json_integer_value(json_object_get(channel, "tenant_id")), "chat");
	snprintf(r->scope.ip, sizeof(r->scope.ip), "%s", ip);
	json_decref(r->work);
	r->work = json_pack("{s:o}", "channel", channel);
	if (!need_token)
		return true;
	unsigned char key[VISITOR_KEY_LEN];
	struct visitor v;
	if (!visitor_key(r, key))
		return false;
	rc = visitor_token_check(key, token_of(r), req_channel_id(r), gc_now_ms(), &v);
	sodium_memzero(key, sizeof(key));
	if (rc < 0)
		return reply_error(r, 401, "unauthorized", NULL, "this call needs the visitor's token of this chat,"
				   " unexpired ('Authorization: Bearer TOKEN')"), false;
	json_object_set_new(r->work, "visitor", json_string(v.id));
	json_object_set_new(r->work, "customer_id", json_integer(v.customer_id));
	return true;
}

static const char *req_visitor(const struct request *r)
{
	return json_string_value(json_object_get(r->work, "visitor"));
}

static int64_t req_customer(const struct request *r)
{
	return json_integer_value(json_object_get(r->work, "customer_id"));
}

/* The allowances, a minute (ratelimit_keyed): per visitor and per address.
 * An address's allowances are multiples of the self-service one
 * (--public-per-minute, 60 by default): visitors behind one office's NAT
 * share them. */
#define PER_ADDRESS(times) ((int)(ratelimit_public_max() > INT32_MAX / 32 ? INT32_MAX : ratelimit_public_max() * (times)))

bool chat_allowed(struct request *r, char kind, int per_visitor, int per_address)
{
	int retry = 1;
	if (ratelimit_keyed(kind, req_visitor(r), per_visitor, r->scope.ip, per_address > 0 ? per_address : 1,
			    gc_now_ms(), &retry)) {
		struct cluster *cluster = r->worker->server->cluster;
		if (cluster)
			cluster_allowance_counted(cluster, kind, req_visitor(r), r->scope.ip);
		return true;
	}
	char value[16];
	snprintf(value, sizeof(value), "%d", retry);
	reply_header(r, "Retry-After", value);
	reply_error(r, 429, "too_many_requests", NULL, "too many requests: try again in %d seconds", retry);
	return false;
}

bool chat_message_allowed(struct request *r)
{
	return chat_allowed(r, 'm', 30, PER_ADDRESS(10));
}

int prepare_chat_public(struct request *r, struct store *db)
{
	return chat_allowed(r, 'g', 0, PER_ADDRESS(5)) && chat_visitor_begin(r, db, false) ? 0 : 1;
}

int prepare_chat_visitor(struct request *r, struct store *db)
{
	return chat_visitor_begin(r, db, true) && chat_allowed(r, 'r', 120, PER_ADDRESS(10)) ? 0 : 1;
}

/* The tenant's mailbox that sends the chats' mail: its first with an smtp_url
 * (and its queue, 0 for none, when ret_queue is not NULL). */
static int sending_mailbox(struct store *db, const struct store_scope *scope, int64_t *ret_id, char *ret_domain,
			   size_t len, int64_t *ret_queue)
{
	json_t *list = NULL, *m;
	size_t i;
	int rc = store_mailbox_list(db, scope, &list);
	if (rc < 0)
		return rc;
	rc = GC_ENOTFOUND;
	json_array_foreach(list, i, m) {
		const char *address = json_string_value(json_object_get(m, "address"));
		if (json_string_value(json_object_get(m, "smtp_url")) && address) {
			*ret_id = json_integer_value(json_object_get(m, "id"));
			if (ret_queue)
				*ret_queue = json_integer_value(json_object_get(m, "queue_id"));
			const char *at = strchr(address, '@');
			snprintf(ret_domain, len, "%s", at ? at + 1 : "guichet.invalid");
			rc = GC_OK;
			break;
		}
	}
	json_decref(list);
	return rc;
}

/* The channel's offline ways as the widget may offer them: a message
 * left is answered by email, so it is offered only when a mailbox sends the
 * tenant's mail (sending_mailbox); without one the visitor was thanked
 * ("we will answer by email") for a contact in no queue that nobody could
 * answer. A new reference. */
static json_t *offline_ways(struct request *r, struct store *db)
{
	json_t *ways = json_deep_copy(json_object_get(req_channel(r), "offline"));
	if (ways == NULL)
		return json_pack("{s:b,s:b}", "message", 0, "callback", 0);
	int64_t mailbox = 0;
	char domain[256];
	if (json_is_true(json_object_get(ways, "message")) &&
	    sending_mailbox(db, &r->scope, &mailbox, domain, sizeof(domain), NULL) == GC_ENOTFOUND)
		json_object_set_new(ways, "message", json_false());
	return ways;
}

/* Whether the tenant is open for chats now, and the wait a newcomer would
 * have (*ret_load); when closed, why (*ret_closed): "hours" outside the
 * tenant's calendar, "agents" when no agent serves the channel's queue now,
 * so that the widget never sends a visitor back to opening hours the brand
 * never set. */
static int chat_open(struct request *r, struct store *db, bool *ret_open, struct router_load *ret_load,
		     const char **ret_closed)
{
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	struct calendar *cal = malloc(sizeof(*cal));
	bool open = false;
	if (cal == NULL)
		return reply_error(r, 503, "out_of_memory", NULL, "try again");
	int rc = ops_calendar_load(db, r->scope.tenant_id, cal, &err);
	if (rc == GC_OK)
		rc = calendar_is_open(cal, gc_now_ms(), &open);
	free(cal);
	if (rc < 0)
		return reply_ops_error(r, db, &err);
	int64_t queue_id = json_integer_value(json_object_get(req_channel(r), "queue_id"));
	memset(ret_load, 0, sizeof(*ret_load));
	rc = router_queue_load(o.router, r->scope.tenant_id, queue_id, ret_load);
	if (rc < 0 && rc != GC_ENOTFOUND)
		return reply_store_error(r, db, rc, NULL);
	bool served = rc == GC_OK && ret_load->agents > 0 && ret_load->slots > 0;
	*ret_open = open && served;
	*ret_closed = !open ? "hours" : !served ? "agents" : NULL;
	return GC_OK;
}

/* {"position", "expected_s"} for a load (ahead counts the contacts before):
 * the wait before an agent takes the chat (router_load_wait_ms). */
static json_t *wait_json(const struct router_load *load)
{
	int64_t ms = router_load_wait_ms(load, ROUTE_WAIT_DEFAULT_HANDLE_MS);
	return json_pack("{s:I,s:o}", "position", (json_int_t)load->ahead + 1, "expected_s",
			 ms >= 0 ? json_integer(ms / 1000) : json_null());
}

int run_chat_config(struct request *r, struct store *db)
{
	const json_t *ch = req_channel(r);
	bool open = false;
	struct router_load load;
	json_t *incidents = NULL;
	const char *closed = NULL;
	int rc = chat_open(r, db, &open, &load, &closed);
	if (rc < 0)
		return rc;
	rc = store_incidents_current(db, r->scope.tenant_id, gc_now_ms(), &incidents);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	json_t *answer = json_pack("{s:O,s:O,s:O,s:O,s:o,s:b,s:s?,s:o,s:s,s:o}", "name", json_object_get(ch, "tenant_name"),
				   "tenant", json_object_get(ch, "tenant_id"), "origins", json_object_get(ch, "origins"),
				   "prechat", json_object_get(ch, "prechat"), "offline", offline_ways(r, db),
				   "open", open, "closed", closed, "wait", open ? wait_json(&load) : json_null(), "lang", "en",
				   "incidents", incidents);
	struct chat_file_limits files;
	const char *field;
	if (chat_file_limits_parse(json_object_get(ch, "attachments"), &files, &field) < 0)
		chat_file_limits_parse(NULL, &files, &field);
	json_object_set_new(answer, "attachments", chat_file_limits_json(&files));
	r->cache_control = "no-cache";
	return reply(r, 200, answer);
}

/* POST /chat/v1/{key}/visitors: the identity is checked here, on the worker. */
int prepare_chat_visitor_new(struct request *r, struct store *db)
{
	static const char *const known[] = {"customer", NULL};
	static const char *const customer_known[] = {"id", "hmac", NULL};
	if (!chat_allowed(r, 'v', 0, PER_ADDRESS(1)) || !chat_only_fields(r, r->body, known, ""))
		return 1;
	json_t *customer = json_object_get(r->body, "customer");
	if (customer == NULL || json_is_null(customer))
		return chat_visitor_begin(r, db, false) ? 0 : 1;
	const char *id = NULL, *hmac = NULL;
	if (!json_is_object(customer))
		return reply_error(r, 400, "invalid", "customer", "'customer' is {\"id\", \"hmac\"}"), 1;
	if (!chat_only_fields(r, customer, customer_known, "customer.") ||
	    !chat_text_field(r, customer, "id", "customer.id", true, 128, &id) ||
	    !chat_text_field(r, customer, "hmac", "customer.hmac", true, 128, &hmac))
		return 1;
	unsigned char *sealed = NULL;
	size_t len = 0;
	json_t *channel = NULL;
	int rc = store_chat_channel_by_key(db, r->key, &channel, &sealed, &len);
	json_decref(channel);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", NULL, "no such chat"), 1;
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL), 1;
	char *secret = NULL, why[256];
	rc = secrets_unseal(r->worker->server->secrets, sealed, len, &secret, why, sizeof(why));
	free(sealed);
	if (rc < 0)
		return reply_error(r, 500, "internal", NULL, "the channel's secret cannot be read: %s", why), 1;
	bool ok = visitor_identity_ok(secret, id, hmac);
	sodium_memzero(secret, strlen(secret));
	free(secret);
	if (!ok)
		return reply_error(r, 401, "unverified", "customer.hmac", "the customer's hmac is not"
				   " HMAC-SHA256(secret, id) of this channel"), 1;
	return chat_visitor_begin(r, db, false) ? 0 : 1;
}

int run_chat_visitor_new(struct request *r, struct store *db)
{
	const char *external = json_string_value(json_object_get(json_object_get(r->body, "customer"), "id"));
	int64_t customer = 0;
	if (external) { /* verified: the brand's customer, made on first sight */
		int rc = store_customer_by_external(db, r->scope.tenant_id, external, &customer);
		if (rc == GC_ENOTFOUND) {
			struct customer_input in = {.has = HAS_EXTERNAL_ID, .external_id = external};
			rc = store_customer_create_id(db, &r->scope, &in, &customer);
		}
		if (rc < 0)
			return reply_store_error(r, db, rc, "customer.id");
	}
	unsigned char key[VISITOR_KEY_LEN];
	struct visitor v;
	char token[VISITOR_TOKEN_MAX], expires[GC_TIME_LEN];
	if (!visitor_key(r, key))
		return GC_EIO;
	visitor_init(&v, req_channel_id(r), customer, gc_now_ms());
	visitor_token_make(key, &v, token);
	sodium_memzero(key, sizeof(key));
	gc_time_format(v.expires_at, expires);
	return reply(r, 201, json_pack("{s:s,s:b,s:s}", "token", token, "verified", customer != 0, "expires_at",
				       expires));
}

/* The chat r->ids[0] when the request's visitor may see it; answers 404
 * otherwise (a chat of another visitor is no chat of theirs). */
int chat_visitor_chat(struct request *r, struct store *db, json_t **ret)
{
	json_t *chat = NULL;
	int rc = store_chat_get(db, r->scope.tenant_id, r->ids[0], &chat);
	if (rc < 0 && rc != GC_ENOTFOUND)
		return reply_store_error(r, db, rc, NULL);
	int64_t customer = req_customer(r);
	bool mine = rc == GC_OK && json_integer_value(json_object_get(chat, "channel_id")) == req_channel_id(r) &&
		    (customer > 0 ? json_is_true(json_object_get(chat, "verified")) &&
					    json_integer_value(json_object_get(chat, "customer_id")) == customer
				  : !json_is_true(json_object_get(chat, "verified")) &&
					    strcmp(json_string_value(json_object_get(chat, "visitor")), req_visitor(r)) == 0);
	if (!mine) {
		json_decref(chat);
		return reply_error(r, 404, "not_found", NULL, "no such chat");
	}
	*ret = chat;
	return GC_OK;
}

/* A chat's state as the visitor sees it (store_chat_live): ended (by the
 * visitor, or wrapped up by the agent: out of the routing), assigned or
 * waiting. */
const char *chat_state(struct request *r, struct store *db, const json_t *chat)
{
	struct store_chat_live live;
	if (store_chat_live(db, r->scope.tenant_id, json_integer_value(json_object_get(chat, "id")), &live) < 0)
		return "waiting"; /* the store failed: the next step says so */
	return live.state;
}

int run_chat_list(struct request *r, struct store *db)
{
	json_t *list = NULL, *out = json_array(), *chat;
	int rc = store_chat_list_open(db, r->scope.tenant_id, req_channel_id(r), req_visitor(r), req_customer(r), &list);
	if (rc < 0) {
		json_decref(out);
		return reply_store_error(r, db, rc, NULL);
	}
	size_t i;
	json_array_foreach(list, i, chat)
		json_array_append_new(out, json_pack("{s:O,s:s,s:O}", "id", json_object_get(chat, "id"), "state",
						     chat_state(r, db, chat), "created_at",
						     json_object_get(chat, "created_at")));
	json_decref(list);
	return reply(r, 200, json_pack("{s:o}", "chats", out));
}

/* A prechat field against the channel's form: "off" refuses it, "required" needs it. */
static bool prechat_ok(struct request *r, const char *name, size_t max)
{
	const char *level = json_string_value(json_object_get(json_object_get(req_channel(r), "prechat"), name));
	const char *value = NULL;
	if (!chat_text_field(r, r->body, name, name, level && strcmp(level, "required") == 0, max, &value))
		return false;
	if (value && (level == NULL || strcmp(level, "off") == 0))
		return reply_error(r, 400, "invalid", name, "this chat's form asks no '%s'", name), false;
	if (value && strcmp(name, "email") == 0 && !gc_text_is_email(value))
		return reply_error(r, 400, "invalid", "email", "'email' is not an email address"), false;
	return true;
}

/* The message of a chat's request, cleaned (chat_text.h) into r->work's "body". */
static bool body_ok(struct request *r, const char *name)
{
	json_t *v = json_object_get(r->body, name);
	const char *s = json_string_value(v);
	size_t len = s ? json_string_length(v) : 0, out_len = 0;
	char *clean = s ? malloc(len + 1) : NULL;
	if (s == NULL || clean == NULL || chat_text_clean(s, len, CHAT_BODY_MAX, clean, &out_len) < 0) {
		free(clean);
		return reply_error(r, 400, "invalid", name, "'%s' is UTF-8 text of 1 to %d bytes once control"
				   " characters are removed", name, CHAT_BODY_MAX), false;
	}
	json_object_set_new(r->work, "body", json_stringn(clean, out_len));
	free(clean);
	return true;
}

int prepare_chat_create(struct request *r, struct store *db)
{
	static const char *const known[] = {"name", "email", "topic", "message", NULL};
	if (prepare_chat_visitor(r, db) != 0)
		return 1;
	if (!chat_only_fields(r, r->body, known, "") || !prechat_ok(r, "name", 100) || !prechat_ok(r, "email", 254) ||
	    !body_ok(r, "message"))
		return 1;
	const char *topic = NULL;
	if (!chat_text_field(r, r->body, "topic", "topic", false, 100, &topic))
		return 1;
	json_t *topics = json_object_get(json_object_get(req_channel(r), "prechat"), "topics"), *t;
	size_t i;
	bool known_topic = topic == NULL;
	json_array_foreach(topics, i, t) known_topic |= topic && strcmp(json_string_value(t), topic) == 0;
	if (!known_topic)
		return reply_error(r, 400, "invalid", "topic", "'topic' is one of the chat's topics"), 1;
	return chat_allowed(r, 'o', CHAT_OPENED_PER_MINUTE, PER_ADDRESS(1)) ? 0 : 1;
}

/* The customer of a new chat: the verified one, else the visitor's own
 * (made for its first chat, with the prechat email when given). */
static int chat_customer(struct request *r, struct store *db, int64_t *ret)
{
	int64_t customer = req_customer(r);
	if (customer > 0) {
		*ret = customer;
		return GC_OK;
	}
	int rc = store_chat_visitor_customer(db, r->scope.tenant_id, req_channel_id(r), req_visitor(r), ret);
	if (rc != GC_ENOTFOUND)
		return rc < 0 ? reply_store_error(r, db, rc, NULL) : GC_OK;
	const char *email = json_string_value(json_object_get(r->body, "email"));
	struct customer_input in = {.has = email ? HAS_EMAIL : 0, .email = email};
	rc = store_customer_create_id(db, &r->scope, &in, ret);
	return rc < 0 ? reply_store_error(r, db, rc, "email") : GC_OK;
}

int run_chat_create(struct request *r, struct store *db)
{
	bool open = false;
	struct router_load load;
	const char *closed = NULL;
	int rc = chat_open(r, db, &open, &load, &closed);
	if (rc < 0)
		return rc;
	if (!open) {
		rc = reply_error(r, 409, "closed", NULL, "nobody can take a chat now: leave a message or ask for a call");
		json_object_set_new(r->resp, "offline", offline_ways(r, db));
		json_object_set_new(r->resp, "closed", json_string(closed));
		return rc;
	}
	int64_t customer = 0, contact = 0;
	if ((rc = chat_customer(r, db, &customer)) < 0)
		return rc;
	const char *name = json_string_value(json_object_get(r->body, "name"));
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	if (ops_customer_keep_name(&o, &r->scope, customer, name, NULL, &err) < 0) /* the agent sees who it is */
		return reply_ops_error(r, db, &err);
	const char *topic = json_string_value(json_object_get(r->body, "topic"));
	char subject[256];
	if (name && topic)
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Chat with %s: %s"), name, topic);
	else if (name)
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Chat with %s"), name);
	else if (topic)
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Chat: %s"), topic);
	else
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Chat"));
	struct contact_input in = {.channel = CHANNEL_CHAT, .customer_id = customer, .subject = subject,
				   .reason = topic, .message = json_string_value(json_object_get(r->work, "body")),
				   .queue_id = json_integer_value(json_object_get(req_channel(r), "queue_id"))};
	if ((rc = ops_contact_create(&o, &r->scope, &in, &contact, NULL, &err)) < 0)
		return reply_ops_error(r, db, &err);
	struct store_chat chat = {.contact_id = contact, .channel_id = req_channel_id(r), .customer_id = customer,
				  .visitor = req_visitor(r), .verified = req_customer(r) > 0};
	if ((rc = store_chat_create(db, r->scope.tenant_id, &chat)) < 0)
		return reply_store_error(r, db, rc, NULL);
	struct router_load now;
	json_t *wait = router_contact_load(o.router, &r->scope, contact, &now) == GC_OK ? wait_json(&now) : json_null();
	return reply(r, 201, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)contact, "state", "waiting", "wait", wait));
}

/* --- messages --- */

/* An event of the chat contact_id (data taken), sent to its streams once
 * the writer's batch commits (chathub.h). */
int chat_stage(struct request *r, int64_t contact_id, enum chat_to to, const char *type, int64_t id, json_t *data)
{
	char *frame = NULL;
	size_t len = 0;
	int rc = chat_frame(type, id, data, &frame, &len);
	struct chat_note n = {.contact_id = contact_id, .id = id, .to = to, .frame = frame, .len = len};
	if (rc == GC_OK)
		rc = chathub_stage(r->worker->server->chathub, &n);
	free(frame);
	return rc;
}

int prepare_chat_message(struct request *r, struct store *db)
{
	static const char *const known[] = {"body", "client_id", NULL};
	const char *client = NULL;
	if (prepare_chat_visitor(r, db) != 0)
		return 1;
	if (!chat_only_fields(r, r->body, known, "") || !body_ok(r, "body") ||
	    !chat_text_field(r, r->body, "client_id", "client_id", true, CHAT_CLIENT_ID_MAX, &client))
		return 1;
	return chat_allowed(r, 'm', 30, PER_ADDRESS(10)) ? 0 : 1;
}

int run_chat_message(struct request *r, struct store *db)
{
	json_t *chat = NULL, *msg = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	if (rc < 0)
		return rc;
	bool ended = strcmp(chat_state(r, db, chat), "ended") == 0;
	json_decref(chat);
	const char *client = json_string_value(json_object_get(r->body, "client_id"));
	rc = store_chat_message_by_client(db, r->scope.tenant_id, r->ids[0], client, &msg);
	if (rc == GC_OK) /* sent again: the first one */
		return reply(r, 200, msg);
	if (rc != GC_ENOTFOUND)
		return reply_store_error(r, db, rc, NULL);
	if (ended)
		return reply_error(r, 409, "ended", NULL, "this chat has ended");
	struct message_input in = {.body = json_string_value(json_object_get(r->work, "body"))};
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	json_t *added = NULL;
	if ((rc = ops_message_add(&o, &r->scope, r->ids[0], &in, false, &added, &err)) < 0)
		return reply_ops_error(r, db, &err);
	int64_t id = json_integer_value(json_object_get(added, "id"));
	json_decref(added);
	if ((rc = store_chat_message_set_client(db, r->scope.tenant_id, id, client)) < 0 ||
	    (rc = store_chat_message_by_client(db, r->scope.tenant_id, r->ids[0], client, &msg)) < 0 ||
	    (rc = chat_stage(r, r->ids[0], CHAT_TO_BOTH, "message", id, json_incref(msg))) < 0) {
		json_decref(msg);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 201, msg);
}

int chat_message_staged(struct request *r, struct store *db, int64_t contact_id, int64_t message_id)
{
	json_t *msg = NULL;
	int rc = store_chat_message_get(db, r->scope.tenant_id, message_id, &msg);
	if (rc == GC_ENOTFOUND)
		return GC_OK; /* no chat's */
	return rc < 0 ? rc : chat_stage(r, contact_id, CHAT_TO_BOTH, "message", message_id, msg);
}

/* --- live: streams, typing, read marks --- */

int run_chat_stream(struct request *r, struct store *db)
{
	json_t *chat = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	json_decref(chat);
	return rc < 0 ? rc : chatstreams_open(r, db, r->ids[0], CHAT_TO_VISITOR);
}

/* {"on": bool} into r->stash[0]. */
static bool typing_ok(struct request *r)
{
	static const char *const known[] = {"on", NULL};
	json_t *on = json_object_get(r->body, "on");
	if (!chat_only_fields(r, r->body, known, ""))
		return false;
	if (!json_is_boolean(on))
		return reply_error(r, 400, "invalid", "on", "'on' is true or false"), false;
	r->stash[0] = json_is_true(on);
	return true;
}

/* {"up_to": message id} into r->stash[0]. */
static bool read_ok(struct request *r)
{
	static const char *const known[] = {"up_to", NULL};
	json_t *up = json_object_get(r->body, "up_to");
	if (!chat_only_fields(r, r->body, known, ""))
		return false;
	if (!json_is_integer(up) || json_integer_value(up) < 1)
		return reply_error(r, 400, "invalid", "up_to", "'up_to' is a message id"), false;
	r->stash[0] = json_integer_value(up);
	return true;
}

/* Typing is not stored: it goes to the other side's streams now. */
static int typing(struct request *r, int64_t contact_id, bool visitor)
{
	char *frame = NULL;
	size_t len = 0;
	if (chat_frame("typing", 0, json_pack("{s:s,s:b}", "from", visitor ? "visitor" : "agent", "on", r->stash[0] != 0),
		       &frame, &len) < 0)
		return reply_error(r, 503, "out_of_memory", NULL, "try again");
	struct chat_note n = {.contact_id = contact_id, .to = visitor ? CHAT_TO_AGENT : CHAT_TO_VISITOR, .frame = frame,
			      .len = len};
	chathub_publish(r->worker->server->chathub, &n);
	free(frame);
	return reply(r, 204, NULL);
}

/* The other side's messages up to r->stash[0] are read: stored, and told once committed. */
static int read_mark(struct request *r, struct store *db, int64_t contact_id, bool visitor)
{
	int rc = store_chat_mark(db, r->scope.tenant_id, contact_id, visitor ? "outbound" : "inbound", r->stash[0], true);
	if (rc == GC_OK)
		rc = chat_stage(r, contact_id, visitor ? CHAT_TO_AGENT : CHAT_TO_VISITOR, "mark", 0,
			   json_pack("{s:I,s:s,s:s}", "up_to", (json_int_t)r->stash[0], "state", "read", "by",
				     visitor ? "visitor" : "agent"));
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 204, NULL);
}

int prepare_chat_typing(struct request *r, struct store *db)
{
	return prepare_chat_visitor(r, db) == 0 && typing_ok(r) && chat_allowed(r, 't', 60, PER_ADDRESS(20)) ? 0 : 1;
}

int run_chat_typing(struct request *r, struct store *db)
{
	json_t *chat = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	json_decref(chat);
	return rc < 0 ? rc : typing(r, r->ids[0], true);
}

int prepare_chat_read(struct request *r, struct store *db)
{
	return prepare_chat_visitor(r, db) == 0 && read_ok(r) ? 0 : 1;
}

int run_chat_read(struct request *r, struct store *db)
{
	json_t *chat = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	json_decref(chat);
	return rc < 0 ? rc : read_mark(r, db, r->ids[0], true);
}

/* The staff's chat r->ids[0]: a chat of the tenant (404 otherwise), held by
 * the caller or seen by a supervisor (403 otherwise). */
int chat_agent_check(struct request *r, struct store *db)
{
	struct store_chat_live live;
	int rc = store_chat_live(db, r->scope.tenant_id, r->ids[0], &live);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", NULL, "no such chat in this tenant");
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (live.agent_id != r->scope.user_id && !role_can(r->scope.role, PERM_ROUTING_SUPERVISE))
		return reply_error(r, 403, "forbidden", NULL, "only the agent holding this chat, or a supervisor, may follow it");
	return GC_OK;
}

int run_chat_agent_stream(struct request *r, struct store *db)
{
	int rc = chat_agent_check(r, db);
	return rc < 0 ? rc : chatstreams_open(r, db, r->ids[0], CHAT_TO_AGENT);
}

int run_chat_agent_typing(struct request *r, struct store *db)
{
	if (!typing_ok(r))
		return GC_EINVAL;
	int rc = chat_agent_check(r, db);
	return rc < 0 ? rc : typing(r, r->ids[0], false);
}

int run_chat_agent_read(struct request *r, struct store *db)
{
	if (!read_ok(r))
		return GC_EINVAL;
	int rc = chat_agent_check(r, db);
	return rc < 0 ? rc : read_mark(r, db, r->ids[0], false);
}

/* --- the browser's files (the widget's build: web/dist/chat/) --- */

int prepare_chat_file(struct request *r, struct store *db)
{
	return chat_visitor_begin(r, db, false) ? 0 : 1; /* a page view of the brand's site: no allowance */
}

int run_chat_launcher(struct request *r, struct store *db)
{
	web_serve_chat(r, r->worker->server->config->web_dir, "chat/launcher.js", NULL);
	return GC_OK;
}

/* The frame may be framed by the channel's origins and by guichetd's own
 * pages ('self': the tenant's portal loads the channel's launcher). */
int run_chat_frame(struct request *r, struct store *db)
{
	char ancestors[CHAT_MAX_ORIGINS * (CHAT_MAX_ORIGIN_LEN + 1) + 8] = "'self'";
	size_t i, used = strlen(ancestors);
	json_t *o;
	json_array_foreach(json_object_get(req_channel(r), "origins"), i, o) {
		int n = snprintf(ancestors + used, sizeof(ancestors) - used, " %s", json_string_value(o));
		if (n > 0 && (size_t)n < sizeof(ancestors) - used)
			used += (size_t)n;
	}
	web_serve_chat(r, r->worker->server->config->web_dir, "chat/frame.html", ancestors);
	return GC_OK;
}

/* --- the end of a chat: end, rating, transcript; and a message when closed --- */

int run_chat_end(struct request *r, struct store *db)
{
	json_t *chat = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	json_decref(chat);
	if (rc < 0)
		return rc;
	struct store_chat_live live;
	if ((rc = store_chat_live(db, r->scope.tenant_id, r->ids[0], &live)) < 0)
		return reply_store_error(r, db, rc, NULL);
	if (strcmp(live.state, "ended") == 0)
		return reply(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)r->ids[0], "state", "ended"));
	/* a chat nobody took yet leaves its queue; one an agent holds stays with them to wrap up */
	if (strcmp(live.state, "waiting") == 0 &&
	    (rc = router_abandon(request_ops(r, db).router, db, &r->scope, r->ids[0])) < 0)
		return reply_store_error(r, db, rc, NULL);
	if ((rc = store_chat_end(db, r->scope.tenant_id, r->ids[0])) < 0 ||
	    (rc = chat_stage(r, r->ids[0], CHAT_TO_BOTH, "state", 0, json_pack("{s:s}", "state", "ended"))) < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)r->ids[0], "state", "ended"));
}

int prepare_chat_rating(struct request *r, struct store *db)
{
	static const char *const known[] = {"score", "comment", NULL};
	if (prepare_chat_visitor(r, db) != 0 || !chat_only_fields(r, r->body, known, ""))
		return 1;
	json_t *score = json_object_get(r->body, "score");
	if (!json_is_integer(score) || json_integer_value(score) < 1 || json_integer_value(score) > 5)
		return reply_error(r, 400, "invalid", "score", "'score' is an integer from 1 to 5"), 1;
	json_t *c = json_object_get(r->body, "comment");
	const char *text = json_string_value(c);
	if (c && !json_is_null(c) && (text == NULL || strlen(text) > 2000 || !gc_text_is_clean(text, true)))
		return reply_error(r, 400, "invalid", "comment", "'comment' is text of at most 2,000 bytes"), 1;
	return 0;
}

int run_chat_rating(struct request *r, struct store *db)
{
	json_t *chat = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	json_decref(chat);
	if (rc < 0)
		return rc;
	int score = (int)json_integer_value(json_object_get(r->body, "score"));
	const char *comment = json_string_value(json_object_get(r->body, "comment"));
	if ((rc = store_chat_rate(db, r->scope.tenant_id, r->ids[0], score, comment)) < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, json_pack("{s:I,s:i,s:s?}", "id", (json_int_t)r->ids[0], "score", score, "comment", comment));
}

json_t *chat_shown(const json_t *chat)
{
	json_t *shown = json_pack("{s:O,s:O,s:O}", "channel_id", json_object_get(chat, "channel_id"), "verified",
				  json_object_get(chat, "verified"), "ended_at", json_object_get(chat, "ended_at"));
	json_t *score = json_object_get(chat, "rating");
	if (shown && json_is_integer(score))
		json_object_set_new(shown, "rating", json_pack("{s:O,s:O}", "score", score, "comment",
							       json_object_get(chat, "rating_comment")));
	return shown;
}

int prepare_chat_transcript(struct request *r, struct store *db)
{
	static const char *const known[] = {"email", "lang", NULL};
	const char *email = NULL, *lang = NULL;
	if (prepare_chat_visitor(r, db) != 0 || !chat_only_fields(r, r->body, known, "") ||
	    !chat_text_field(r, r->body, "email", "email", true, 254, &email) ||
	    !chat_text_field(r, r->body, "lang", "lang", false, 2, &lang))
		return 1;
	if (!gc_text_is_email(email))
		return reply_error(r, 400, "invalid", "email", "'email' is not an email address"), 1;
	if (lang && strcmp(lang, "fr") != 0 && strcmp(lang, "en") != 0)
		return reply_error(r, 400, "invalid", "lang", "'lang' is fr or en"), 1;
	return chat_allowed(r, 'x', 3, PER_ADDRESS(1) / 6) ? 0 : 1;
}


/* The transcript's words in the visitor's language (the widget's). */
struct transcript_words {
	const char *subject, *you, *agent;
};

static const struct transcript_words TRANSCRIPT_EN = {"Your chat transcript", "You", "Agent"};
static const struct transcript_words TRANSCRIPT_FR = {"La transcription de votre discussion", "Vous", "Conseiller"};

/* An instant as the visitor reads it: the tenant's local time
 * ("2026-12-05 09:03"), else UTC's. */
static void transcript_time(const char *zone, const char *at, char *out, size_t len)
{
	int64_t ms = 0;
	struct gc_local_time lt;
	if (gc_time_parse(at, &ms) < 0 ||
	    (gc_tz_local(zone, ms, &lt) < 0 && gc_tz_local("UTC", ms, &lt) < 0)) {
		snprintf(out, len, "%s", at);
		return;
	}
	snprintf(out, len, "%04d-%02d-%02d %02d:%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute);
}

/* The chat's messages (notes never) as the transcript's text (malloc'd),
 * in the visitor's words and the tenant's time zone, and how many of them
 * an agent wrote. */
static char *transcript_text(struct store *db, int64_t tenant_id, int64_t contact_id,
			     const struct transcript_words *words, const char *zone, int *ret_answers)
{
	*ret_answers = 0;
	struct evbuffer *out = evbuffer_new();
	int64_t after = 0;
	for (int pages = 0; out && pages < 40; pages++) {
		json_t *list = NULL, *m;
		size_t i;
		if (store_chat_messages_after(db, tenant_id, contact_id, after, 50, &list) < 0)
			break;
		json_array_foreach(list, i, m) {
			const char *author = json_string_value(json_object_get(m, "author"));
			bool visitor = strcmp(json_string_value(json_object_get(m, "kind")), "inbound") == 0;
			*ret_answers += !visitor;
			char when[64];
			transcript_time(zone, json_string_value(json_object_get(m, "at")), when, sizeof(when));
			evbuffer_add_printf(out, "[%s] %s%s\n%s\n\n", when, visitor ? words->you : author ? author : words->agent,
					    words == &TRANSCRIPT_FR ? " :" : ":", json_string_value(json_object_get(m, "body")));
			after = json_integer_value(json_object_get(m, "id"));
		}
		size_t n = json_array_size(list);
		json_decref(list);
		if (n < 50)
			break;
	}
	size_t len = out ? evbuffer_get_length(out) : 0;
	char *text = out ? malloc(len + 1) : NULL;
	if (text) {
		evbuffer_remove(out, text, len);
		text[len] = '\0';
	}
	if (out)
		evbuffer_free(out);
	return text;
}

int run_chat_transcript(struct request *r, struct store *db)
{
	json_t *chat = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	json_decref(chat);
	if (rc < 0)
		return rc;
	int64_t mailbox = 0, since = gc_now_ms() - 3600 * 1000, n = 0;
	char domain[256], to[256], hex[17], message_id[400];
	const char *email = json_string_value(json_object_get(r->body, "email"));
	size_t i = 0;
	for (; email[i] && i + 1 < sizeof(to); i++)
		to[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] - 'A' + 'a' : email[i]);
	to[i] = '\0';
	rc = sending_mailbox(db, &r->scope, &mailbox, domain, sizeof(domain), NULL);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "invalid", "email", "this service sends no email: no mailbox has an smtp_url");
	if (rc == GC_OK)
		rc = store_outbox_count_automatic(db, &r->scope, to, since, &n);
	json_t *sent = NULL, *m;
	if (rc == GC_OK)
		rc = store_outbox_list(db, &r->scope, r->ids[0], &sent);
	int64_t of_chat = 0;
	json_array_foreach(sent, i, m)
		of_chat += json_is_true(json_object_get(m, "automatic"));
	json_decref(sent);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (n >= CHAT_TRANSCRIPTS_PER_HOUR) {
		reply_header(r, "Retry-After", "3600");
		return reply_error(r, 429, "too_many_requests", "email", "enough mail went to this address this hour");
	}
	if (of_chat >= CHAT_TRANSCRIPTS_PER_CHAT)
		return reply_error(r, 409, "too_many_transcripts", "email", "this chat's transcript was sent %d times already",
				   CHAT_TRANSCRIPTS_PER_CHAT);
	unsigned char random[8];
	randombytes_buf(random, sizeof(random));
	sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
	snprintf(message_id, sizeof(message_id), "guichet.%lld.%lld.transcript.%s@%s", (long long)r->scope.tenant_id,
		 (long long)r->ids[0], hex, domain);
	const char *lang = json_string_value(json_object_get(r->body, "lang"));
	const struct transcript_words *words = lang && !strcmp(lang, "fr") ? &TRANSCRIPT_FR : &TRANSCRIPT_EN;
	struct ops_error err = {0};
	struct calendar *cal = malloc(sizeof(*cal));
	char zone[GC_TZ_NAME_MAX] = "UTC";
	if (cal && ops_calendar_load(db, r->scope.tenant_id, cal, &err) == GC_OK)
		snprintf(zone, sizeof(zone), "%s", cal->zone);
	free(cal);
	int answers = 0;
	char *body = transcript_text(db, r->scope.tenant_id, r->ids[0], words, zone, &answers);
	if (body && answers == 0) {
		free(body);
		return reply_error(r, 409, "not_answered", "email", "no agent has answered in this chat: it has no conversation to send");
	}
	struct store_outbox out = {.contact_id = r->ids[0], .mailbox_id = mailbox, .message_id = message_id,
				   .to_address = to, .subject = words->subject, .body = body, .automatic = true};
	int64_t id = 0;
	rc = body ? store_outbox_add(db, &r->scope, &out, &id) : GC_ENOMEM;
	free(body);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 202, json_pack("{s:s}", "state", "queued"));
}

int prepare_chat_leave(struct request *r, struct store *db)
{
	static const char *const known[] = {"name", "email", "message", NULL};
	const char *name = NULL, *email = NULL;
	if (prepare_chat_public(r, db) != 0 || !chat_only_fields(r, r->body, known, "") ||
	    !chat_text_field(r, r->body, "name", "name", false, 100, &name) ||
	    !chat_text_field(r, r->body, "email", "email", true, 254, &email) || !body_ok(r, "message"))
		return 1;
	if (!gc_text_is_email(email))
		return reply_error(r, 400, "invalid", "email", "'email' is not an email address"), 1;
	if (!json_is_true(json_object_get(json_object_get(req_channel(r), "offline"), "message")))
		return reply_error(r, 409, "conflict", NULL, "this chat takes no messages"), 1;
	return chat_allowed(r, 'l', 0, PER_ADDRESS(1) / 3) ? 0 : 1;
}

/* A message left when closed: a contact on the email channel, answered by
 * email. A queue serves one channel: it waits in the queue of the mailbox
 * that sends the chats' mail (sending_mailbox); refused without one. */
int run_chat_leave(struct request *r, struct store *db)
{
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	int64_t customer = 0, contact = 0, mailbox = 0, queue = 0;
	bool created = false;
	char domain[256];
	int rc = sending_mailbox(db, &r->scope, &mailbox, domain, sizeof(domain), &queue);
	if (rc == GC_ENOTFOUND) /* nobody could answer it: the widget no longer offers it (offline_ways) */
		return reply_error(r, 409, "conflict", NULL, "no mailbox sends this brand's mail: a message left could not be answered");
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	const char *name = json_string_value(json_object_get(r->body, "name"));
	if (ops_customer_find_or_create(&o, &r->scope, json_string_value(json_object_get(r->body, "email")), NULL,
					&customer, &created, &err) < 0 ||
	    ops_customer_keep_name(&o, &r->scope, customer, name, NULL, &err) < 0)
		return reply_ops_error(r, db, &err);
	char subject[200];
	if (name)
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Message left on the chat by %s"), name);
	else
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Message left on the chat"));
	struct contact_input in = {.channel = CHANNEL_EMAIL, .customer_id = customer, .subject = subject,
				   .message = json_string_value(json_object_get(r->work, "body")), .queue_id = queue};
	if (ops_contact_create(&o, &r->scope, &in, &contact, NULL, &err) < 0)
		return reply_ops_error(r, db, &err);
	return reply(r, 201, json_pack("{s:I}", "id", (json_int_t)contact));
}
