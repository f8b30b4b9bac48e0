/* Sending the outbox's replies by SMTP (send.h). */
#include "channel/email/send.h"
#include "guichet/message.h"
#include "channel/email/compose.h"
#include "daemon/cluster.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/secrets.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <curl/curl.h>
#include <sodium.h>
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

/* A reply's new state, and maybe a note on its contact (why it failed). */
struct mark {
	struct store_scope scope;
	int64_t id, contact_id, attempts, next_at;
	const char *state;
	char error[CURL_ERROR_SIZE + 32];
	char note[CURL_ERROR_SIZE + 64];
	json_t *row;                /* the outbox's row (borrowed) */
	json_t *mailbox;            /* its mailbox, or NULL */
	char *password;
	char from_name[128];        /* the mailbox's from_name, else the tenant's name */
	struct store_outbox_file *files; /* its attachments */
	size_t n_files;
};

struct marks {
	struct mark *items;
	size_t n;
};

/* On the writer: every reply of the round to its state, in one transaction. */
static int mark_task(void *arg, const struct ops *o)
{
	struct marks *all = arg;
	int rc = GC_OK;
	for (size_t i = 0; rc == GC_OK && i < all->n; i++) {
		struct mark *m = &all->items[i];
		rc = store_outbox_mark(o->db, &m->scope, m->id, m->state, m->attempts, m->next_at,
				       m->error[0] ? m->error : NULL);
		if (rc == GC_OK && m->note[0] && m->contact_id) {
			struct message_input in = {.body = m->note};
			struct ops_error err = {0};
			json_t *added = NULL;
			rc = ops_message_add(o, &m->scope, m->contact_id, &in, true, &added, &err);
			json_decref(added);
		}
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

/* One SMTP transaction on curl (reused across a round: its connection too,
 * for the same server); *permanent when retrying cannot help. */
static int smtp_send(CURL *curl, const char *url, const char *username, const char *password, const char *from,
		     const char *to, const char *text, size_t len, bool *permanent, char *error, size_t error_len)
{
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
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return GC_OK;
	*permanent = code >= 500 || rc == CURLE_LOGIN_DENIED;
	snprintf(error, error_len, "%s%s", buf[0] ? buf : curl_easy_strerror(rc), code ? "" : " (no answer)");
	return GC_EIO;
}

/* The reply's mailbox and password, or why it cannot be sent (failed). */
static void prepare(struct store *db, struct secrets *k, struct mark *m, int64_t now)
{
	int64_t mailbox_id = json_integer_value(json_object_get(m->row, "mailbox_id"));
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char why[256] = "";
	int rc = store_mailbox_get(db, &m->scope, mailbox_id, &m->mailbox);
	if (rc == GC_OK)
		rc = store_mailbox_sealed(db, &m->scope, mailbox_id, &sealed, &sealed_len);
	if (rc == GC_OK)
		rc = store_outbox_attachments(db, &m->scope, m->id, &m->files, &m->n_files);
	if (rc == GC_OK)
		rc = secrets_unseal(k, sealed, sealed_len, &m->password, why, sizeof(why));
	/* the brand's name beside the address, as customers expect to read it:
	 * "Acme Support <support@acme.example>" */
	const char *from_name = json_string_value(json_object_get(m->mailbox, "from_name"));
	if (rc == GC_OK && from_name)
		snprintf(m->from_name, sizeof(m->from_name), "%s", from_name);
	else if (rc == GC_OK && store_tenant_name(db, m->scope.tenant_id, m->from_name, sizeof(m->from_name)) < 0)
		m->from_name[0] = '\0'; /* the address alone then */
	free(sealed);
	bool can_send = rc == GC_OK && json_string_value(json_object_get(m->mailbox, "smtp_url"));
	m->state = can_send ? "sending" : "failed";
	m->next_at = now + send_backoff_ms(m->attempts);
	if (!can_send) { /* removed, or no longer able to send: the reply fails */
		snprintf(m->error, sizeof(m->error), "%s", rc == GC_ENOTFOUND ? "the mailbox was removed"
							  : rc < 0 ? why : "the mailbox has no smtp_url");
		snprintf(m->note, sizeof(m->note), SYSTEM_NOTE("This reply could not be sent: %s."), m->error);
		if (m->contact_id == 0)
			log_error("a mail of guichet's own cannot be sent", "error", m->error);
	}
}

/* Writes and sends one reply marked sending; sets its outcome. */
static void send_one(CURL *curl, struct mark *m, int64_t now)
{
	char *refs = strdup(json_string_value(json_object_get(m->row, "refs")));
	const char *list[64];
	size_t n = 0;
	for (char *save = NULL, *t = refs ? strtok_r(refs, " ", &save) : NULL; t && n < 64; t = strtok_r(NULL, " ", &save))
		list[n++] = t;
	struct email_out out = {.from_address = json_string_value(json_object_get(m->mailbox, "address")),
		.from_name = m->from_name[0] ? m->from_name : NULL,
		.to_address = json_string_value(json_object_get(m->row, "to")),
		.subject = json_string_value(json_object_get(m->row, "subject")),
		.body = json_string_value(json_object_get(m->row, "body")),
		.message_id = json_string_value(json_object_get(m->row, "message_id")),
		.in_reply_to = json_string_value(json_object_get(m->row, "in_reply_to")), .references = list,
		.n_references = n, .date_ms = now, .automatic = json_is_true(json_object_get(m->row, "automatic")) || m->contact_id == 0,
		/* acknowledgements, and mail of no contact (exports), are guichet's own */
		.n_attachments = m->n_files};
	struct email_out_file *files = calloc(m->n_files + 1, sizeof(*files));
	for (size_t i = 0; files && i < m->n_files; i++)
		files[i] = (struct email_out_file){m->files[i].filename, m->files[i].content_type, m->files[i].data,
						     m->files[i].len};
	out.attachments = files;
	char *text = NULL;
	size_t len = 0;
	bool permanent = false;
	int rc = files ? email_compose(&out, &text, &len) : GC_ENOMEM;
	free(files);
	if (rc == GC_OK)
		rc = smtp_send(curl, json_string_value(json_object_get(m->mailbox, "smtp_url")),
			       json_string_value(json_object_get(m->mailbox, "username")), m->password, out.from_address,
			       out.to_address, text, len, &permanent, m->error, sizeof(m->error));
	free(text);
	free(refs);
	if (rc == GC_OK) {
		m->state = "sent";
	} else if (permanent || m->attempts >= SEND_MAX_ATTEMPTS) {
		m->state = "failed";
		snprintf(m->note, sizeof(m->note), SYSTEM_NOTE("This reply could not be sent: %s"), m->error[0] ? m->error : "no answer");
		if (m->contact_id == 0)
			log_error("a mail of guichet's own could not be sent", "error", m->error[0] ? m->error : "no answer");
	} else {
		m->state = "queued";
	}
}

bool email_send_due(struct store *db, struct writer *w, struct secrets *k, struct cluster *cl)
{
	json_t *list = NULL;
	if (store_outbox_due(db, gc_now_ms(), BATCH, &list) < 0) {
		log_error("cannot read the outbox", "error", store_errmsg(db));
		return false;
	}
	struct marks all = {calloc(json_array_size(list) + 1, sizeof(struct mark)), 0};
	int64_t now = gc_now_ms();
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row) {
		int64_t tenant = json_integer_value(json_object_get(row, "tenant_id"));
		if (all.items == NULL || (cl && !cluster_routes(cl, tenant)))
			continue;
		struct mark *m = &all.items[all.n++];
		*m = (struct mark){.scope = ops_channel_scope(tenant, "email"), .row = row,
				   .id = json_integer_value(json_object_get(row, "id")),
				   .contact_id = json_integer_value(json_object_get(row, "contact_id")),
				   .attempts = json_integer_value(json_object_get(row, "attempts")) + 1};
		prepare(db, k, m, now);
	}
	/* each marked sending (its try counted) before anything is sent */
	int rc = all.n ? writer_run(w, mark_task, &all) : GC_OK;
	CURL *curl = rc == GC_OK && all.n ? curl_easy_init() : NULL;
	for (i = 0; curl && i < all.n; i++) {
		struct mark *m = &all.items[i];
		m->note[0] = '\0';
		if (strcmp(m->state, "sending") == 0)
			send_one(curl, m, now);
		else
			m->id = 0; /* failed already, with its note */
	}
	for (i = 0; all.items && i < all.n; i++) { /* the logins are no longer needed */
		json_decref(all.items[i].mailbox);
		all.items[i].mailbox = NULL;
		if (all.items[i].password)
			sodium_memzero(all.items[i].password, strlen(all.items[i].password));
		free(all.items[i].password);
		all.items[i].password = NULL;
		store_outbox_files_free(all.items[i].files, all.items[i].n_files);
		all.items[i].files = NULL;
		all.items[i].n_files = 0;
	}
	if (curl) {
		curl_easy_cleanup(curl);
		size_t kept = 0; /* what changed since: the replies sent or tried */
		for (i = 0; i < all.n; i++)
			if (all.items[i].id)
				all.items[kept++] = all.items[i];
		all.n = kept;
		rc = all.n ? writer_run(w, mark_task, &all) : GC_OK;
	}
	if (rc < 0)
		log_error("the outbox could not be saved: its replies wait for the next round", "error", gc_error_name(rc));
	bool more = rc == GC_OK && json_array_size(list) == BATCH;
	free(all.items);
	json_decref(list);
	return more;
}
