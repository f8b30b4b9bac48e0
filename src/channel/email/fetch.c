/* The email fetcher (fetch.h). */
#include "channel/email/fetch.h"
#include "channel/email/attachment.h"
#include "channel/email/imap.h"
#include "channel/email/ingest.h"
#include "channel/email/parse.h"
#include "channel/email/sender.h"
#include "daemon/cluster.h"
#include "daemon/l2_export.h"
#include "daemon/log.h"
#include "daemon/rounds.h"
#include "daemon/secrets.h"
#include "daemon/writer.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_MAX 500 /* messages per mailbox and round: the others wait for the next */

struct fetcher {
	struct fetcher_deps deps;
	struct store *db;
	struct rounds *rounds;
};

#define BATCH_MESSAGES 64          /* taken in one transaction, flagged in one command */
#define BATCH_BYTES (32u << 20)    /* and at most this much mail held at once */

/* What the writer runs for a batch of messages of one mailbox: each in a
 * savepoint of its own (one the store refuses is logged and passed over,
 * never blocking the mailbox), then the mailbox's last UID. */
struct batch {
	struct store_scope scope;
	int64_t mailbox_id, queue_id, uidvalidity;
	struct email *mail[BATCH_MESSAGES]; /* NULL: could not be parsed (too big) */
	struct email_spool *spool[BATCH_MESSAGES]; /* its attachments (attachment.h), or NULL */
	int64_t uids[BATCH_MESSAGES];
	size_t n, bytes;
};

static void log_mailbox(const char *msg, int64_t tenant, int64_t mailbox, const char *error)
{
	char t[24], m[24];
	snprintf(t, sizeof(t), "%lld", (long long)tenant);
	snprintf(m, sizeof(m), "%lld", (long long)mailbox);
	log_error(msg, "tenant", t, "mailbox", m, "error", error);
}

static int batch_task(void *arg, const struct ops *o)
{
	struct batch *b = arg;
	int rc = GC_OK;
	for (size_t i = 0; rc == GC_OK && i < b->n; i++) {
		const struct email *e = b->mail[i];
		if (e == NULL)
			continue;
		struct email_in in = {.message_id = e->message_id, .in_reply_to = e->in_reply_to,
			.references = (const char *const *)e->references, .n_references = e->n_references,
			.from_address = e->from.address, .from_name = e->from.name,
			.subject = e->subject, .text = e->text, .bounce = e->is_bounce,
			.auto_submitted = e->auto_submitted, .precedence = e->precedence, .x_autoreply = e->x_autoreply,
			.x_auto_response_suppress = e->x_auto_response_suppress, .return_path = e->return_path};
		struct email_source src = {.mailbox_id = b->mailbox_id, .queue_id = b->queue_id, .uid = b->uids[i]};
		int64_t contact = 0;
		enum ingest_outcome outcome;
		struct ops_error err = {0};
		if ((rc = store_savepoint(o->db)) < 0)
			break;
		int taken = email_ingest(o, &b->scope, &src, &in, &contact, &outcome, &err);
		/* the email's attachments, in its savepoint (attachment.h) */
		if (taken == GC_OK && (outcome == INGEST_NEW_CONTACT || outcome == INGEST_THREADED))
			taken = email_attachments_take(o, &b->scope, contact, e, b->spool[i], &err);
		if (taken == GC_ESTORE || taken == GC_ENOMEM) {
			store_rollback_to(o->db);
			rc = taken; /* the database failed: the whole batch again at the next round */
		} else if (taken < 0) {
			store_rollback_to(o->db);
			log_mailbox("an email could not be taken: passed over", b->scope.tenant_id, b->mailbox_id,
				    err.message[0] ? err.message : gc_error_name(taken));
		} else {
			store_release(o->db);
			if (outcome == INGEST_AUTO_REPLY) {
				char t[24], m[24];
				snprintf(t, sizeof(t), "%lld", (long long)b->scope.tenant_id);
				snprintf(m, sizeof(m), "%lld", (long long)b->mailbox_id);
				log_info("an automatic reply that answers no contact: passed over", "tenant", t,
					 "mailbox", m, "subject", e->subject ? e->subject : "");
			}
		}
	}
	if (rc == GC_OK && b->n)
		rc = store_mailbox_progress(o->db, &b->scope, b->mailbox_id, b->uidvalidity, b->uids[b->n - 1]);
	return rc;
}

/* A batch's messages let go of. */
static void batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		email_free(b->mail[i]);
		email_spool_free(b->spool[i]);
	}
	b->n = 0;
	b->bytes = 0;
}

/* Waits for the batch handed to the writer (t) to commit, then flags its
 * messages; false when the round must stop. */
static bool finish_batch(struct fetcher *f, struct imap *c, struct batch *b, struct writer_task *t)
{
	if (t == NULL) { /* nothing handed over: nothing to flag */
		batch_clear(b);
		return !rounds_stopping(f->rounds);
	}
	int rc = writer_wait(f->deps.writer, t);
	if (rc < 0)
		log_mailbox("emails were not taken: tried again at the next round", b->scope.tenant_id, b->mailbox_id,
			    gc_error_name(rc));
	else if (b->n)
		email_sender_kick(f->deps.sender); /* the acknowledgements the batch queued */
	if (rc == GC_OK && b->n && imap_mark_seen(c, b->uids, b->n) < 0) /* after the commit only */
		log_mailbox("cannot flag emails seen", b->scope.tenant_id, b->mailbox_id, imap_errmsg(c));
	batch_clear(b);
	return rc == GC_OK && !rounds_stopping(f->rounds);
}

/* Hands the batch to the writer (*ret NULL for an empty one or when the
 * writer stops: the batch is then let go of, and false returned). */
static bool start_batch(struct fetcher *f, struct batch *b, struct writer_task **ret)
{
	*ret = NULL;
	if (b->n == 0)
		return true;
	int rc = writer_start(f->deps.writer, batch_task, b, ret);
	if (rc < 0) {
		log_mailbox("emails were not taken: tried again at the next round", b->scope.tenant_id, b->mailbox_id,
			    gc_error_name(rc));
		batch_clear(b);
	}
	return rc == GC_OK;
}

/* Parses raw, its attachments into a spool under limits (attachment.h);
 * the spool, or NULL when it could not be written (the email is then read
 * again without, its attachments noted as not kept). *ret NULL when the
 * email cannot be read at all. */
static struct email_spool *parse_spooled(const char *raw, size_t len, const struct store_attachment_limits *limits,
					 int64_t tenant, int64_t mailbox, struct email **ret)
{
	struct email_spool *sp = NULL;
	int rc = email_spool_new(limits, &sp);
	if (rc == GC_OK)
		rc = email_parse_stream(raw, len, NULL, email_spool_write, sp, ret);
	if (rc == GC_OK)
		return sp;
	email_spool_free(sp);
	*ret = NULL;
	if (rc != GC_ETOOBIG)
		log_mailbox("cannot spool an email's attachments: taken without them", tenant, mailbox, gc_error_name(rc));
	if (email_parse(raw, len, NULL, ret) < 0)
		log_mailbox("an email could not be read (too big?): passed over", tenant, mailbox, "");
	return NULL;
}

/* One mailbox's round; true when more messages wait than a round takes. */
static bool fetch_mailbox(struct fetcher *f, json_t *row)
{
	int64_t tenant = json_integer_value(json_object_get(row, "tenant_id"));
	int64_t id = json_integer_value(json_object_get(row, "id"));
	int64_t known_validity = json_integer_value(json_object_get(row, "uidvalidity"));
	int64_t last = json_integer_value(json_object_get(row, "last_uid"));
	struct store_scope scope = ops_channel_scope(tenant, "email");
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char *password = NULL, why[256] = "";
	if (store_mailbox_sealed(f->db, &scope, id, &sealed, &sealed_len) < 0)
		return false; /* removed meanwhile */
	int rc = secrets_unseal(f->deps.secrets, sealed, sealed_len, &password, why, sizeof(why));
	free(sealed);
	if (rc < 0) {
		log_mailbox("cannot open a mailbox's password", tenant, id, why);
		return false;
	}
	struct imap *c = NULL;
	rc = imap_new(json_string_value(json_object_get(row, "imap_url")),
		      json_string_value(json_object_get(row, "username")), password, &c);
	free(password);
	int64_t validity = 0, next = 0, *uids = NULL;
	size_t n = 0;
	if (rc == GC_OK && (rc = imap_status(c, &validity, &next)) == GC_OK) {
		if (known_validity && validity != known_validity) {
			log_mailbox("the mailbox's UIDVALIDITY changed: fetching it all again (each email still once)", tenant,
				    id, "");
			last = 0;
		}
		if (next - 1 > last)
			rc = imap_uids_after(c, last, ROUND_MAX, &uids, &n);
	}
	if (rc < 0)
		log_mailbox("cannot read the mailbox", tenant, id, c ? imap_errmsg(c) : gc_error_name(rc));
	struct store_attachment_limits limits = STORE_ATTACHMENT_LIMITS_DEFAULT;
	if (rc == GC_OK && store_attachment_limits_get(f->db, &scope, &limits) < 0)
		log_mailbox("cannot read the attachment limits: the defaults apply", tenant, id, store_errmsg(f->db));
	/* two batches: one commits on the writer while the next is fetched
	 * and parsed; the next is handed over only once the one before is
	 * committed, so the mailbox's last UID never passes a batch that failed */
	static _Thread_local struct batch twin[2];
	struct batch *b = &twin[0], *committing = &twin[1];
	struct writer_task *pending = NULL;
	for (int k = 0; k < 2; k++)
		twin[k] = (struct batch){.scope = scope, .mailbox_id = id, .uidvalidity = validity,
					 .queue_id = json_integer_value(json_object_get(row, "queue_id"))};
	bool go_on = true;
	for (size_t i = 0; rc == GC_OK && go_on && i < n; i++) {
		char *raw = NULL;
		size_t len = 0;
		if ((rc = imap_fetch(c, uids[i], &raw, &len)) < 0) {
			log_mailbox("cannot fetch a message", tenant, id, imap_errmsg(c));
			break;
		}
		struct email *e = NULL;
		struct email_spool *sp = parse_spooled(raw, len, &limits, tenant, id, &e);
		free(raw);
		b->uids[b->n] = uids[i];
		b->spool[b->n] = sp;
		b->mail[b->n++] = e;
		b->bytes += len;
		if (b->n == BATCH_MESSAGES || b->bytes >= BATCH_BYTES) {
			go_on = finish_batch(f, c, committing, pending);
			pending = NULL;
			if (go_on)
				go_on = start_batch(f, b, &pending);
			else
				batch_clear(b); /* after a batch that failed: fetched again next round */
			struct batch *swap = committing;
			committing = b;
			b = swap;
		}
	}
	go_on = finish_batch(f, c, committing, pending) && go_on;
	pending = NULL;
	if (go_on && start_batch(f, b, &pending))
		go_on = finish_batch(f, c, b, pending);
	else
		batch_clear(b);
	free(uids);
	imap_free(c);
	return rc == GC_OK && go_on && n == ROUND_MAX;
}

/* Every mailbox once; true when one has more waiting (the next round
 * starts at once instead of after the poll interval). */
static bool round_of_mailboxes(struct fetcher *f)
{
	bool more = false;
	json_t *list = NULL;
	if (store_mailbox_all(f->db, &list) < 0) {
		log_error("cannot list the mailboxes", "error", store_errmsg(f->db));
		return false;
	}
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row) {
		if (rounds_stopping(f->rounds))
			break;
		int64_t tenant = json_integer_value(json_object_get(row, "tenant_id"));
		if (f->deps.cluster == NULL || cluster_routes(f->deps.cluster, tenant))
			more |= fetch_mailbox(f, row);
	}
	json_decref(list);
	return more;
}

static bool fetch_round(void *arg)
{
	return round_of_mailboxes(arg);
}

int fetcher_start(const struct fetcher_deps *deps, struct fetcher **ret)
{
	struct fetcher *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return GC_ENOMEM;
	f->deps = *deps;
	int rc = store_open(deps->db, STORE_READ_ONLY, &f->db);
	if (rc < 0) {
		store_free(f->db);
		free(f);
		return rc;
	}
	if ((rc = rounds_start(fetch_round, f, f->deps.poll_ms, &f->rounds)) < 0) {
		store_free(f->db);
		free(f);
		return rc;
	}
	*ret = f;
	return GC_OK;
}

void fetcher_kick(struct fetcher *f)
{
	if (f != NULL)
		rounds_kick(f->rounds);
}

void fetcher_stop(struct fetcher *f)
{
	if (f == NULL)
		return;
	rounds_stop(f->rounds);
	store_free(f->db);
	free(f);
}
