/* Channels' settings: the tenant's email mailboxes (POST, GET, DELETE
 * /api/v1/channels/email, and a login test), and their acknowledgements
 * and the name their mail goes out under (PATCH /api/v1/channels/email/{id}
 * {"ack": ..., "from_name": ...}; channel/email/ack.h). A
 * mailbox's password is sealed before it is stored (secrets.h) and never
 * answered. */
#include "daemon/handlers.h"
#include "channel/email/ack.h"
#include "daemon/canned.h"
#include "channel/email/reply.h"
#include "daemon/log.h"
#include "daemon/secrets.h"
#include "daemon/server.h"
#include "guichet/error.h"

#include <curl/curl.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A mail server's URL: scheme secure, or plain to a loopback host only (the
 * password would cross the network in clear). NULL when it is fine, else why. */
static const char *url_problem(const char *url, const char *secure, const char *plain)
{
	static _Thread_local char why[160];
	struct evhttp_uri *u = evhttp_uri_parse_with_flags(url, EVHTTP_URI_NONCONFORMANT);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL, *host = u ? evhttp_uri_get_host(u) : NULL;
	const char *problem = NULL;
	if (scheme == NULL || host == NULL || *host == '\0') {
		snprintf(why, sizeof(why), "not a URL like %s://mail.example.com", secure);
		problem = why;
	} else if (strcasecmp(scheme, secure) != 0 && strcasecmp(scheme, plain) != 0) {
		snprintf(why, sizeof(why), "the scheme is %s:// (or %s:// on loopback)", secure, plain);
		problem = why;
	} else if (strcasecmp(scheme, plain) == 0 && strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
		   strcmp(host, "[::1]") != 0 && strcasecmp(host, "localhost") != 0) {
		snprintf(why, sizeof(why), "%s:// sends the password in clear: only to a loopback address; use %s://", plain,
			 secure);
		problem = why;
	}
	if (u)
		evhttp_uri_free(u);
	return problem;
}

/* --- acknowledgements (channel/email/ack.h) --- */

/* A template naming a variable the acknowledgements do not know: answered (true). */
static bool bad_template(struct request *r, const char *template, const char *field)
{
	struct ack_vars v = {.contact_id = 1, .expected_reply = "", .subject = ""};
	char *text = NULL, unknown[128] = "";
	int rc = template ? ack_render(template, &v, &text, unknown, sizeof(unknown)) : GC_OK;
	free(text);
	if (rc == GC_EINVAL)
		reply_error(r, 400, "invalid", field, "unknown variable {{%s}}: a template may use {{contact.id}}, {{token}},"
			    " {{expected_reply}} and {{subject}}", unknown);
	else if (rc < 0)
		reply_error(r, 503, "out_of_memory", NULL, "try again");
	return rc < 0;
}

/* The settings a mailbox ends up with: cur (its row's "ack"; NULL for a new
 * mailbox) changed by what in names. */
static struct store_mailbox_ack merge_ack(const json_t *cur, const struct mailbox_ack_input *in)
{
	const char *language = json_string_value(json_object_get(cur, "language"));
	return (struct store_mailbox_ack){
		.enabled = in->has_enabled ? in->enabled : json_is_true(json_object_get(cur, "enabled")),
		.subject = in->has_subject ? in->subject : json_string_value(json_object_get(cur, "subject")),
		.body = in->has_body ? in->body : json_string_value(json_object_get(cur, "body")),
		.language = in->language ? in->language : language ? language : "en",
		.max_per_hour = in->max_per_hour ? in->max_per_hour
				: cur ? json_integer_value(json_object_get(cur, "max_per_hour")) : 3};
}

/* Acknowledgements go out by SMTP: enabled, they need the mailbox's smtp_url (answered: true). */
static bool cannot_send(struct request *r, const struct store_mailbox_ack *ack, const char *smtp_url)
{
	if (!ack->enabled || smtp_url)
		return false;
	reply_error(r, 422, "invalid", "ack.enabled", "the mailbox has no smtp_url to send acknowledgements with");
	return true;
}

int prepare_mailbox_update(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	struct mailbox_update_input *in = &r->in.mailbox_update;
	if (mailbox_update_input_decode(r->body, in, &err) < 0)
		return reply_decode_error(r, &err);
	return bad_template(r, in->ack.subject, "ack.subject") || bad_template(r, in->ack.body, "ack.body");
}

int run_mailbox_update(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_mailbox_get(db, &r->scope, r->ids[0], &row);
	if (rc < 0)
		return reply_store_error(r, db, rc, "mailbox");
	const struct mailbox_update_input *in = &r->in.mailbox_update;
	struct store_mailbox_ack ack = merge_ack(json_object_get(row, "ack"), &in->ack);
	if (in->has_ack && cannot_send(r, &ack, json_string_value(json_object_get(row, "smtp_url")))) {
		json_decref(row);
		return GC_ESTATE;
	}
	if (in->has_ack)
		rc = store_mailbox_set_ack(db, &r->scope, r->ids[0], &ack);
	if (rc == GC_OK && in->has_from_name) /* "" as null: the tenant's name */
		rc = store_mailbox_set_from_name(db, &r->scope, r->ids[0],
						 in->from_name && *in->from_name ? in->from_name : NULL);
	json_decref(row); /* after: ack's strings were its own */
	row = NULL;
	if (rc == GC_OK)
		rc = store_mailbox_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "mailbox") : reply(r, 200, row);
}

/* --- mailboxes --- */

int prepare_mailbox(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	struct mailbox_input *in = &r->in.mailbox;
	if (mailbox_input_decode(r->body, in, &err) < 0)
		return reply_decode_error(r, &err);
	if (bad_template(r, in->ack.subject, "ack.subject") || bad_template(r, in->ack.body, "ack.body"))
		return 1;
	const char *why = url_problem(in->imap_url, "imaps", "imap");
	if (why)
		return reply_error(r, 400, "invalid", "imap_url", "%s", why) < 0;
	if (in->smtp_url && (why = url_problem(in->smtp_url, "smtps", "smtp")) != NULL)
		return reply_error(r, 400, "invalid", "smtp_url", "%s", why) < 0;
	return 0;
}

int run_mailbox_create(struct request *r, struct store *db)
{
	const struct mailbox_input *in = &r->in.mailbox;
	if (!queue_serves(r, db, in->queue_id, CHANNEL_EMAIL, "queue_id"))
		return GC_EINVAL;
	struct store_mailbox_ack ack = merge_ack(NULL, &in->ack);
	if (cannot_send(r, &ack, in->smtp_url))
		return GC_ESTATE;
	unsigned char *sealed = NULL;
	size_t len = 0;
	char why[256] = "";
	if (secrets_seal(r->worker->server->secrets, in->password, &sealed, &len, why, sizeof(why)) < 0) {
		log_error("cannot seal a mailbox password", "error", why);
		return reply_error(r, 500, "internal", NULL, "the password cannot be sealed: see the server's log");
	}
	struct store_mailbox m = {.name = in->name, .address = in->address, .imap_url = in->imap_url,
				  .smtp_url = in->smtp_url, .username = in->username, .sealed = sealed,
				  .sealed_len = len, .queue_id = in->queue_id, .ack = ack,
				  .from_name = in->from_name && *in->from_name ? in->from_name : NULL};
	int64_t id = 0;
	int rc = store_mailbox_create(db, &r->scope, &m, &id);
	free(sealed);
	if (rc < 0)
		return reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "name" : NULL);
	json_t *row = NULL;
	if ((rc = store_mailbox_get(db, &r->scope, id, &row)) < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 201, row);
}

int run_mailbox_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_mailbox_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_mailbox_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_mailbox_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "mailbox") : reply(r, 200, row);
}

int run_mailbox_delete(struct request *r, struct store *db)
{
	int rc = store_mailbox_delete(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "mailbox");
	r->status = 204;
	return GC_OK;
}

/* The test: prepare (on the worker) reads the mailbox and opens its
 * password; the login runs on the hashing pool (a slow network call, off
 * the HTTP workers); run answers. */
int prepare_mailbox_test(struct request *r, struct store *db)
{
	json_t *row = NULL;
	unsigned char *sealed = NULL;
	size_t len = 0;
	int rc = store_mailbox_get(db, &r->scope, r->ids[0], &row);
	if (rc == GC_OK)
		rc = store_mailbox_sealed(db, &r->scope, r->ids[0], &sealed, &len);
	if (rc < 0) {
		json_decref(row);
		return reply_store_error(r, db, rc, "mailbox") < 0;
	}
	char *password = NULL, why[256] = "";
	rc = secrets_unseal(r->worker->server->secrets, sealed, len, &password, why, sizeof(why));
	free(sealed);
	if (rc < 0) {
		json_decref(row);
		log_error("cannot open a mailbox password", "error", why);
		return reply_error(r, 500, "internal", NULL, "the password cannot be opened: see the server's log") < 0;
	}
	r->work = json_pack("{s:O,s:O,s:s}", "imap_url", json_object_get(row, "imap_url"), "username",
			    json_object_get(row, "username"), "password", password);
	free(password);
	json_decref(row);
	return r->work ? 0 : reply_error(r, 503, "out_of_memory", NULL, "try again") < 0;
}

/* On the hashing pool: an IMAP login and EXAMINE of the mailbox, with
 * libcurl; the outcome into r->work's "error" (absent when it worked). */
void mailbox_login_test(void *request, struct store *db)
{
	struct request *r = request;
	CURL *curl = curl_easy_init();
	char error[CURL_ERROR_SIZE] = "";
	if (curl == NULL) {
		json_object_set_new(r->work, "error", json_string("out of memory"));
		return;
	}
	curl_easy_setopt(curl, CURLOPT_URL, json_string_value(json_object_get(r->work, "imap_url")));
	curl_easy_setopt(curl, CURLOPT_USERNAME, json_string_value(json_object_get(r->work, "username")));
	curl_easy_setopt(curl, CURLOPT_PASSWORD, json_string_value(json_object_get(r->work, "password")));
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		json_object_set_new(r->work, "error", json_string(error[0] ? error : curl_easy_strerror(rc)));
	curl_easy_cleanup(curl);
	json_object_del(r->work, "password");
}

int run_mailbox_test(struct request *r, struct store *db)
{
	const char *error = json_string_value(json_object_get(r->work, "error"));
	if (error)
		return reply_error(r, 502, "mailbox_unreachable", "imap_url", "the mailbox did not let us in: %s", error);
	return reply(r, 200, json_pack("{s:b,s:O}", "ok", 1, "imap_url", json_object_get(r->work, "imap_url")));
}

/* --- replies by email --- */

int prepare_email_reply(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	const struct email_reply_input *in = &r->in.email_reply;
	if (email_reply_input_decode(r->body, &r->in.email_reply, &err) < 0)
		return reply_decode_error(r, &err);
	if (in->article == NULL)
		return 0;
	/* a canned reply is filled here, from what the replying user may see */
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "contact");
	json_t *ctx = canned_context(db, &r->scope, r->ids[0]), *filled = NULL;
	const char *field = NULL;
	rc = canned_reply(db, r->scope.tenant_id, in->article, in->reply, ctx, r->scope.sees, &filled, &field);
	json_decref(ctx);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "invalid", field, strcmp(field, "reply") == 0
				   ? "the article '%s' has no reply of that name" : "no published article '%s'",
				   in->article) < 0;
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL) < 0;
	json_t *missing = json_object_get(filled, "missing"), *hidden = json_object_get(filled, "hidden");
	if (json_array_size(hidden) > 0) {
		char *names = json_dumps(hidden, JSON_COMPACT);
		reply_error(r, 403, "forbidden", "reply", "the reply shows customer data your role does not see "
			    "(%s): a colleague who sees it sends this one", names ? names : "?");
		free(names);
		json_decref(filled);
		return 1;
	}
	if (json_array_size(missing) > 0) {
		char *names = json_dumps(missing, JSON_COMPACT);
		reply_error(r, 422, "invalid", "reply", "the reply needs values this contact has not: %s",
			    names ? names : "?");
		free(names);
		json_decref(filled);
		return 1;
	}
	r->work = filled;
	return 0;
}

int run_email_reply(struct request *r, struct store *db)
{
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	int64_t id = 0;
	const struct email_reply_input *in = &r->in.email_reply;
	const char *body = in->body ? in->body : json_string_value(json_object_get(r->work, "text"));
	if (email_reply_queue(&o, &r->scope, r->ids[0], in->mailbox_id, body, &id, &err) < 0)
		return reply_ops_error(r, db, &err);
	if (in->reason) { /* the suggestion taken: the reason with the reply, in its transaction */
		struct contact_input reason = {.has = HAS_REASON, .reason = in->reason};
		json_t *c = NULL;
		int rc = store_contact_update(db, &r->scope, r->ids[0], &reason, &c);
		json_decref(c);
		if (rc < 0)
			return reply_store_error(r, db, rc, "reason");
	}
	json_t *list = NULL;
	int rc = store_outbox_list(db, &r->scope, r->ids[0], &list);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	json_t *made = NULL;
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
		if (json_integer_value(json_object_get(item, "id")) == id)
			made = json_incref(item);
	json_decref(list);
	return reply(r, 202, made); /* queued: the sender sends it (channel/email/send.h) */
}

int run_email_replies(struct request *r, struct store *db)
{
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	json_t *list = NULL;
	if (rc == GC_OK)
		rc = store_outbox_list(db, &r->scope, r->ids[0], &list);
	return rc < 0 ? reply_store_error(r, db, rc, "contact") : reply(r, 200, json_pack("{s:o}", "items", list));
}
