/* Sending the agents' replies on SMS and social contacts (send.h). */
#include "channel/messaging/send.h"
#include "guichet/message.h"
#include "channel/messaging/generic.h"
#include "daemon/cluster.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/secrets.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 50
#define MAX_ANSWER (64 * 1024)

int64_t msg_send_backoff_ms(int64_t base_ms, int64_t attempts)
{
	int64_t wait = base_ms > 0 ? base_ms : 1;
	for (int64_t i = 1; i < attempts && wait < 3600000; i++)
		wait *= 2;
	return wait < 3600000 ? wait : 3600000;
}

/* A message's new state, and maybe a note on its contact (why it failed). */
struct mark {
	struct store_scope scope;
	int64_t id, contact_id, attempts, next_at;
	const char *state;
	char provider_id[128];
	char error[300];
	char note[400];
	json_t *row;                /* the due row (borrowed) */
	json_t *channel;            /* its channel, or NULL */
	char *secret;
};

struct marks {
	struct mark *items;
	size_t n;
};

/* On the writer: every message of the round to its state, in one transaction. */
static int mark_task(void *arg, const struct ops *o)
{
	struct marks *all = arg;
	int rc = GC_OK;
	for (size_t i = 0; rc == GC_OK && i < all->n; i++) {
		struct mark *m = &all->items[i];
		rc = store_messaging_mark(o->db, &m->scope, m->id, m->state, m->attempts, m->next_at,
					  m->provider_id[0] ? m->provider_id : NULL, m->error[0] ? m->error : NULL);
		if (rc == GC_OK && m->note[0]) {
			struct message_input in = {.body = m->note};
			struct ops_error err = {0};
			json_t *added = NULL;
			rc = ops_message_add(o, &m->scope, m->contact_id, &in, true, &added, &err);
			json_decref(added);
		}
	}
	return rc;
}

struct answer {
	char *data;
	size_t len;
};

static size_t write_answer(char *buf, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n;
	if (a->len + len > MAX_ANSWER)
		return 0; /* too long an answer: the transfer fails */
	char *grown = realloc(a->data, a->len + len + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + a->len, buf, len);
	a->data = grown;
	a->len += len;
	a->data[a->len] = '\0';
	return len;
}

/* The channel and its secret, or why the message cannot be sent (failed). */
static void prepare(struct store *db, struct secrets *k, struct mark *m, int64_t now, int64_t retry_ms)
{
	int64_t channel_id = json_integer_value(json_object_get(m->row, "channel_id"));
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char why[256] = "";
	int rc = store_messaging_channel_get(db, &m->scope, channel_id, &m->channel);
	if (rc == GC_OK)
		rc = store_messaging_channel_sealed(db, &m->scope, channel_id, &sealed, &sealed_len);
	if (rc == GC_OK)
		rc = secrets_unseal(k, sealed, sealed_len, &m->secret, why, sizeof(why));
	free(sealed);
	m->state = rc == GC_OK ? "sending" : "failed";
	m->next_at = now + msg_send_backoff_ms(retry_ms, m->attempts);
	if (rc < 0) {
		snprintf(m->error, sizeof(m->error), "%s", rc == GC_ENOTFOUND ? "the channel was removed" : why);
		snprintf(m->note, sizeof(m->note), SYSTEM_NOTE("This message could not be sent: %s."), m->error);
	}
}

/* The request's body and headers for the channel's provider (malloc'd body). */
static char *request_body(CURL *curl, const struct mark *m, struct curl_slist **headers, char *url, size_t url_len)
{
	const char *api = json_string_value(json_object_get(m->channel, "api_url"));
	const char *to = json_string_value(json_object_get(m->row, "peer"));
	const char *from = json_string_value(json_object_get(m->channel, "address"));
	const char *text = json_string_value(json_object_get(m->row, "body"));
	if (strcmp(json_string_value(json_object_get(m->channel, "provider")), "twilio") == 0) {
		const char *sid = json_string_value(json_object_get(m->channel, "account"));
		snprintf(url, url_len, "%s/2010-04-01/Accounts/%s/Messages.json", api, sid);
		char *e_to = curl_easy_escape(curl, to, 0), *e_from = curl_easy_escape(curl, from, 0);
		char *e_body = curl_easy_escape(curl, text, 0);
		char *e_cb = curl_easy_escape(curl, json_string_value(json_object_get(m->channel, "webhook_url")), 0);
		char *body = NULL;
		if (e_to && e_from && e_body && e_cb && asprintf(&body, "To=%s&From=%s&Body=%s&StatusCallback=%s", e_to,
								 e_from, e_body, e_cb) < 0)
			body = NULL;
		curl_free(e_to);
		curl_free(e_from);
		curl_free(e_body);
		curl_free(e_cb);
		curl_easy_setopt(curl, CURLOPT_USERNAME, sid);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, m->secret);
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		*headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
		return body;
	}
	snprintf(url, url_len, "%s", api);
	char our_id[40], stamp[24], sig[GENERIC_SIGNATURE_LEN], line[GENERIC_SIGNATURE_LEN + 32];
	snprintf(our_id, sizeof(our_id), "guichet-%lld", (long long)m->id);
	json_t *doc = json_pack("{s:s,s:s,s:s,s:s}", "id", our_id, "to", to, "from", from, "text", text);
	char *body = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	snprintf(stamp, sizeof(stamp), "%lld", (long long)(gc_now_ms() / 1000));
	if (body == NULL)
		return NULL;
	generic_signature(m->secret, stamp, body, strlen(body), sig);
	*headers = curl_slist_append(NULL, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Guichet-Timestamp: %s", stamp);
	*headers = curl_slist_append(*headers, line);
	snprintf(line, sizeof(line), "X-Guichet-Signature: %s", sig);
	*headers = curl_slist_append(*headers, line);
	return body;
}

/* The provider's id for the message in its answer, or ours; the provider's message for a refusal. */
static void read_answer(struct mark *m, const struct answer *a, long code)
{
	json_t *doc = a->data ? json_loads(a->data, 0, NULL) : NULL;
	bool twilio = strcmp(json_string_value(json_object_get(m->channel, "provider")), "twilio") == 0;
	const char *id = json_string_value(json_object_get(doc, twilio ? "sid" : "id"));
	const char *message = json_string_value(json_object_get(doc, "message"));
	if (code >= 200 && code < 300) {
		if (id && *id)
			snprintf(m->provider_id, sizeof(m->provider_id), "%s", id);
		else
			snprintf(m->provider_id, sizeof(m->provider_id), "guichet-%lld", (long long)m->id);
	} else {
		/* the provider's words may name the number ("The 'To' number +336... is not
		 * a valid phone number"): masked, as the note and the message's last_error
		 * are read by whoever reads the contact, an outsourced agent too */
		char said[256];
		gc_text_mask_in(message ? message : a->data ? a->data : "", said, sizeof(said));
		snprintf(m->error, sizeof(m->error), "the provider answered %ld: %.200s", code, said);
	}
	json_decref(doc);
}

/* POSTs one message marked sending; sets its outcome. */
static void send_one(CURL *curl, struct mark *m)
{
	char url[1100], buf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	struct answer a = {0};
	curl_easy_reset(curl);
	char *body = request_body(curl, m, &headers, url, sizeof(url));
	long code = 0;
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	if (body) {
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_answer);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
		curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, buf);
		rc = curl_easy_perform(curl);
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	}
	curl_slist_free_all(headers);
	free(body);
	if (rc == CURLE_OK)
		read_answer(m, &a, code);
	else
		snprintf(m->error, sizeof(m->error), "%s", buf[0] ? buf : curl_easy_strerror(rc));
	free(a.data);
	bool sent = rc == CURLE_OK && code >= 200 && code < 300;
	bool temporary = rc != CURLE_OK || code == 429 || code >= 500;
	if (sent) {
		m->state = "sent";
		m->error[0] = '\0';
	} else if (temporary && m->attempts < MSG_SEND_MAX_ATTEMPTS) {
		m->state = "queued";
	} else {
		m->state = "failed";
		snprintf(m->note, sizeof(m->note), SYSTEM_NOTE("This message could not be sent: %s"), m->error);
	}
}

/* Frees what a round kept of each message: its channel and secret. */
static void forget(struct marks *all)
{
	for (size_t i = 0; all->items && i < all->n; i++) {
		json_decref(all->items[i].channel);
		all->items[i].channel = NULL;
		if (all->items[i].secret)
			sodium_memzero(all->items[i].secret, strlen(all->items[i].secret));
		free(all->items[i].secret);
		all->items[i].secret = NULL;
	}
}

bool msg_send_due(struct store *db, struct writer *w, struct secrets *k, struct cluster *cl, int64_t retry_ms)
{
	json_t *list = NULL;
	if (store_messaging_due(db, gc_now_ms(), BATCH, &list) < 0) {
		log_error("cannot read the messages to send", "error", store_errmsg(db));
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
		*m = (struct mark){.scope = ops_channel_scope(tenant, "messaging"), .row = row,
				   .id = json_integer_value(json_object_get(row, "id")),
				   .contact_id = json_integer_value(json_object_get(row, "contact_id")),
				   .attempts = json_integer_value(json_object_get(row, "attempts")) + 1};
		prepare(db, k, m, now, retry_ms);
	}
	/* each marked sending (its try counted) before anything is sent */
	int rc = all.n ? writer_run(w, mark_task, &all) : GC_OK;
	CURL *curl = rc == GC_OK && all.n ? curl_easy_init() : NULL;
	for (i = 0; curl && i < all.n; i++) {
		struct mark *m = &all.items[i];
		m->note[0] = '\0';
		if (strcmp(m->state, "sending") == 0)
			send_one(curl, m);
		else
			m->id = 0; /* failed already, with its note */
	}
	forget(&all);
	if (curl) {
		curl_easy_cleanup(curl);
		size_t kept = 0; /* what changed since: the messages tried */
		for (i = 0; i < all.n; i++)
			if (all.items[i].id)
				all.items[kept++] = all.items[i];
		all.n = kept;
		rc = all.n ? writer_run(w, mark_task, &all) : GC_OK;
	}
	if (rc < 0)
		log_error("the messages sent could not be recorded: they wait for the next round", "error",
			  gc_error_name(rc));
	bool more = rc == GC_OK && json_array_size(list) == BATCH;
	free(all.items);
	json_decref(list);
	return more;
}
