/* Sending the outbox's replies by SMTP (send.h). */
#include "channel/email/send.h"
#include "channel/email/compose.h"
#include "daemon/cluster.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/secrets.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 100

int64_t send_backoff_ms(int64_t attempts)
{
	int64_t wait = 30000;
	for (int64_t i = 1; i < attempts && wait < 3600000; i++)
		wait *= 2;
	return wait < 3600000 ? wait : 3600000;
}

/* A change of a reply's state, on the writer; with note, a note on its
 * contact too (why it failed). */
struct mark {
	struct store_scope scope;
	int64_t id, contact_id, attempts, next_at;
	const char *state, *error, *note;
};

static int mark_task(void *arg, const struct ops *o)
{
	struct mark *m = arg;
	int rc = store_outbox_mark(o->db, &m->scope, m->id, m->state, m->attempts, m->next_at, m->error);
	if (rc == GC_OK && m->note) {
		struct message_input in = {.body = m->note};
		struct ops_error err;
		json_t *added = NULL;
		rc = ops_message_add(o, &m->scope, m->contact_id, &in, true, &added, &err);
		json_decref(added);
	}
	return rc;
}

struct upload {
	const char *data;
	size_t len, at;
};

static size_t read_upload(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t left = u->len - u->at, want = size * n < left ? size * n : left;
	memcpy(buf, u->data + u->at, want);
	u->at += want;
	return want;
}

/* One SMTP transaction; *permanent when retrying cannot help. */
static int smtp_send(const char *url, const char *username, const char *password, const char *from, const char *to,
		     const char *text, size_t len, bool *permanent, char *error, size_t error_len)
{
	CURL *curl = curl_easy_init();
	if (curl == NULL)
		return GC_ENOMEM;
	char buf[CURL_ERROR_SIZE] = "", mail_from[340], rcpt_to[340];
	snprintf(mail_from, sizeof(mail_from), "<%s>", from);
	snprintf(rcpt_to, sizeof(rcpt_to), "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_to);
	struct upload u = {text, len, 0};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_USERNAME, username);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, buf);
	CURLcode rc = curl_easy_perform(curl);
	long code = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	if (rc == CURLE_OK)
		return GC_OK;
	*permanent = code >= 500 || rc == CURLE_LOGIN_DENIED;
	snprintf(error, error_len, "%s%s", buf[0] ? buf : curl_easy_strerror(rc), code ? "" : " (no answer)");
	return GC_EIO;
}

/* The reply's fields for compose: references split at spaces. */
static int send_one(struct store *db, struct writer *w, struct secrets *k, json_t *row)
{
	struct mark m = {.scope = ops_channel_scope(json_integer_value(json_object_get(row, "tenant_id")), "email"),
			 .id = json_integer_value(json_object_get(row, "id")),
			 .contact_id = json_integer_value(json_object_get(row, "contact_id")),
			 .attempts = json_integer_value(json_object_get(row, "attempts")) + 1};
	int64_t now = gc_now_ms();
	json_t *mailbox = NULL;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char *password = NULL, why[256] = "";
	int64_t mailbox_id = json_integer_value(json_object_get(row, "mailbox_id"));
	int rc = store_mailbox_get(db, &m.scope, mailbox_id, &mailbox);
	if (rc == GC_OK)
		rc = store_mailbox_sealed(db, &m.scope, mailbox_id, &sealed, &sealed_len);
	if (rc == GC_OK)
		rc = secrets_unseal(k, sealed, sealed_len, &password, why, sizeof(why));
	free(sealed);
	const char *smtp_url = mailbox ? json_string_value(json_object_get(mailbox, "smtp_url")) : NULL;
	if (rc < 0 || smtp_url == NULL) { /* removed, or no longer able to send: the reply fails */
		m.state = "failed";
		m.error = rc == GC_ENOTFOUND ? "the mailbox was removed" : smtp_url ? why : "the mailbox has no smtp_url";
		m.note = "This reply could not be sent: its mailbox cannot send any more.";
		json_decref(mailbox);
		free(password);
		return writer_run(w, mark_task, &m);
	}
	m.state = "sending";
	m.next_at = now + send_backoff_ms(m.attempts);
	if ((rc = writer_run(w, mark_task, &m)) < 0) {
		json_decref(mailbox);
		free(password);
		return rc;
	}
	char *refs = strdup(json_string_value(json_object_get(row, "refs")));
	const char *list[64];
	size_t n = 0;
	for (char *save = NULL, *t = refs ? strtok_r(refs, " ", &save) : NULL; t && n < 64; t = strtok_r(NULL, " ", &save))
		list[n++] = t;
	struct email_out out = {.from_address = json_string_value(json_object_get(mailbox, "address")),
		.to_address = json_string_value(json_object_get(row, "to")),
		.subject = json_string_value(json_object_get(row, "subject")),
		.body = json_string_value(json_object_get(row, "body")),
		.message_id = json_string_value(json_object_get(row, "message_id")),
		.in_reply_to = json_string_value(json_object_get(row, "in_reply_to")), .references = list,
		.n_references = n, .date_ms = now};
	char *text = NULL, error[CURL_ERROR_SIZE + 32] = "";
	size_t len = 0;
	bool permanent = false;
	rc = email_compose(&out, &text, &len);
	if (rc == GC_OK)
		rc = smtp_send(smtp_url, json_string_value(json_object_get(mailbox, "username")), password, out.from_address,
			       out.to_address, text, len, &permanent, error, sizeof(error));
	free(text);
	free(refs);
	free(password);
	json_decref(mailbox);
	char note[512];
	if (rc == GC_OK) {
		m.state = "sent";
	} else if (permanent || m.attempts >= SEND_MAX_ATTEMPTS) {
		m.state = "failed";
		m.error = error;
		snprintf(note, sizeof(note), "This reply could not be sent: %s", error[0] ? error : "no answer");
		m.note = note;
	} else {
		m.state = "queued";
		m.error = error;
	}
	return writer_run(w, mark_task, &m);
}

bool email_send_due(struct store *db, struct writer *w, struct secrets *k, struct cluster *cl)
{
	json_t *list = NULL;
	if (store_outbox_due(db, gc_now_ms(), BATCH, &list) < 0) {
		log_error("cannot read the outbox", "error", store_errmsg(db));
		return false;
	}
	size_t i;
	json_t *row;
	bool ok = true;
	json_array_foreach(list, i, row) {
		if (cl && !cluster_routes(cl, json_integer_value(json_object_get(row, "tenant_id"))))
			continue;
		if (send_one(db, w, k, row) < 0) {
			log_error("a reply's state could not be saved: the outbox waits for the next round");
			ok = false;
			break;
		}
	}
	json_decref(list);
	return ok;
}
