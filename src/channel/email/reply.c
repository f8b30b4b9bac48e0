/* Queuing a reply by email (reply.h). */
#include "channel/email/reply.h"
#include "channel/email/ingest.h"
#include "guichet/error.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REFERENCES 20

/* The store's refusal passed on, with its template (ops_pass_on). */
static int store_failed(const struct ops *o, struct ops_error *err, int rc, const char *field)
{
	return ops_pass_on(err, rc, field, store_errmsg(o->db), store_error_said(o->db));
}

/* The customer's address, whatever the caller's role may see. */
static int customer_address(const struct ops *o, const struct store_scope *scope, int64_t customer, char *ret,
			    size_t len)
{
	struct store_scope inside = *scope;
	inside.sees = SENS_CONFIDENTIAL;
	json_t *c = NULL;
	int rc = customer ? store_customer_get(o->db, &inside, customer, &c) : GC_ENOTFOUND;
	const char *email = rc == GC_OK ? json_string_value(json_object_get(c, "email")) : NULL;
	if (email)
		snprintf(ret, len, "%s", email);
	json_decref(c);
	return email ? GC_OK : GC_ENOTFOUND;
}

/* A contact no email came in on (made through the API, a form) goes out
 * from the tenant's mailbox that sends, when it has exactly one; 0 else. */
static int only_sending_mailbox(const struct ops *o, const struct store_scope *scope, int64_t *ret_id)
{
	json_t *list = NULL, *m;
	size_t i, sending = 0;
	int rc = store_mailbox_list(o->db, scope, &list);
	*ret_id = 0;
	json_array_foreach(list, i, m)
		if (json_string_value(json_object_get(m, "smtp_url"))) {
			sending++;
			*ret_id = json_integer_value(json_object_get(m, "id"));
		}
	if (sending != 1)
		*ret_id = 0;
	json_decref(list);
	return rc;
}

int email_reply_queue(const struct ops *o, const struct store_scope *scope, int64_t contact_id, int64_t mailbox_id,
		      const char *body, int64_t *ret_outbox_id, struct ops_error *err)
{
	*err = (struct ops_error){0};
	json_t *thread = NULL, *mailbox = NULL;
	int64_t customer_id = 0;
	char base[500];
	int rc = store_contact_head(o->db, scope, contact_id, &customer_id, base, sizeof(base));
	if (rc < 0)
		return store_failed(o, err, rc, "contact");
	char to[320];
	if (customer_address(o, scope, customer_id, to, sizeof(to)) < 0)
		return ops_fail(err, GC_EINVAL, "contact", "the contact's customer has no email address to reply to");
	/* what it answers: the latest email received, and the thread before it */
	const char *in_reply_to = NULL;
	char refs[MAX_REFERENCES * 200] = "";
	if ((rc = store_email_thread(o->db, scope, contact_id, &thread)) < 0)
		return store_failed(o, err, rc, NULL);
	size_t n = json_array_size(thread), i;
	int64_t came_through = 0;
	json_t *e;
	json_array_foreach(thread, i, e) {
		const char *id = json_string_value(json_object_get(e, "message_id"));
		if (i + MAX_REFERENCES >= n && strlen(refs) + strlen(id) + 2 < sizeof(refs))
			snprintf(refs + strlen(refs), sizeof(refs) - strlen(refs), "%s%s", refs[0] ? " " : "", id);
		if (strcmp(json_string_value(json_object_get(e, "direction")), "inbound") == 0) {
			in_reply_to = id;
			came_through = json_integer_value(json_object_get(e, "mailbox_id"));
		}
	}
	if (mailbox_id == 0)
		mailbox_id = came_through;
	if (mailbox_id == 0 && (rc = only_sending_mailbox(o, scope, &mailbox_id)) < 0) {
		rc = store_failed(o, err, rc, NULL);
		goto out;
	}
	const char *address = NULL;
	if (mailbox_id && store_mailbox_get(o->db, scope, mailbox_id, &mailbox) == GC_OK &&
	    json_string_value(json_object_get(mailbox, "smtp_url")))
		address = json_string_value(json_object_get(mailbox, "address"));
	if (address == NULL) {
		rc = ops_fail(err, GC_EINVAL, "mailbox_id",
			      mailbox_id ? "this mailbox has no smtp_url to send with"
					 : "no email came in on this contact and the tenant has not one mailbox that sends "
					   "(with an smtp_url) but several or none: name the mailbox to send from (mailbox_id)");
		goto out;
	}
	/* <guichet.TENANT.CONTACT.RANDOM@the mailbox's domain> */
	unsigned char random[8];
	char hex[17], message_id[400], subject[600];
	randombytes_buf(random, sizeof(random));
	sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
	const char *domain = strchr(address, '@');
	snprintf(message_id, sizeof(message_id), "guichet.%lld.%lld.%s@%s", (long long)scope->tenant_id,
		 (long long)contact_id, hex, domain ? domain + 1 : "guichet.invalid");
	bool answered = email_subject_answers(base); /* "RE : x" answered is not "Re: RE : x" */
	/* an email with no subject is answered "Re: [#ID]", as mail clients do: no
	 * "(no subject)" in English to a customer who may read another language */
	snprintf(subject, sizeof(subject), "%s%s", answered ? "" : *base ? "Re: " : "Re:", base);
	if (email_subject_token(subject) != contact_id)
		snprintf(subject + strlen(subject), sizeof(subject) - strlen(subject), " [#%lld]", (long long)contact_id);
	/* on the timeline, recorded for threading, and in the outbox: one transaction */
	struct message_input message = {.outbound = true, .body = body};
	json_t *added = NULL;
	if ((rc = ops_message_add(o, scope, contact_id, &message, false, &added, err)) < 0)
		goto out;
	json_decref(added);
	struct store_email sent = {.message_id = message_id, .contact_id = contact_id, .mailbox_id = mailbox_id,
				   .outbound = true};
	struct store_outbox out = {.contact_id = contact_id, .mailbox_id = mailbox_id, .message_id = message_id,
				   .to_address = to, .subject = subject, .body = body, .in_reply_to = in_reply_to,
				   .refs = refs};
	if ((rc = store_email_record(o->db, scope, &sent)) < 0 || (rc = store_outbox_add(o->db, scope, &out, ret_outbox_id)) < 0)
		store_failed(o, err, rc, NULL);
out:
	json_decref(thread);
	json_decref(mailbox);
	return rc;
}
