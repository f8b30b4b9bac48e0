/* Taking one email into its tenant, exactly once: the core of the email
 * channel, after the message is parsed (parse.h) and before its mailbox is
 * told it was taken (flagged or moved, after the commit).
 *
 * In the caller's transaction (the writer's), through the core operations
 * (daemon/ops.h): the sender becomes a customer (found or created by
 * address), whose display name becomes its attribute "name" when it has no
 * name yet ("name", "first_name" or "last_name": the brand's stay); the email joins the contact it answers, or makes a new one in
 * the mailbox's queue; its Message-ID is recorded with it, unique in the
 * tenant, so the same email fetched again (after a crash between the commit
 * and the flag, or from two mailboxes) is recognised and skipped.
 *
 * Threading, in this order:
 *  1. In-Reply-To, then References (newest first), against the Message-IDs
 *     the tenant took or sent;
 *  2. a "[#ID]" token in the subject, accepted only from the contact's own
 *     customer, so that a stranger cannot write into someone else's contact;
 *  3. the same customer and the same subject once "Re:", "Fwd:" and their
 *     kin and the token are taken off, on a contact changed within the window;
 *  otherwise a new contact. A closed contact is never reopened by mail: the
 *  email makes a new contact. A bounce makes no contact (below). */
#ifndef GUICHET_CHANNEL_EMAIL_INGEST_H
#define GUICHET_CHANNEL_EMAIL_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ops.h"

/* One email as the channel sees it once parsed. */
struct email_in {
	const char *message_id;           /* without angle brackets; required */
	const char *in_reply_to;          /* or NULL */
	const char *const *references;    /* oldest first */
	size_t n_references;
	const char *from_address;         /* or NULL when it has none usable */
	const char *from_name;            /* its display name ("Marie Dupont"), or NULL */
	const char *subject;              /* decoded, or NULL */
	const char *text;                 /* the body an agent reads */
	bool bounce;                      /* a delivery-status report (parse.h's is_bounce) */
	/* the loop guards' headers as parse.h has them (NULL: absent), for the acknowledgement (ack.h) */
	const char *auto_submitted, *precedence, *x_autoreply, *x_auto_response_suppress, *return_path;
};

/* Where it came from. */
struct email_source {
	int64_t mailbox_id, queue_id;     /* queue 0: new contacts wait in none */
	int64_t uid;                      /* its UID in the mailbox */
	int64_t thread_window_ms;         /* rule 3's window (0: the default, 7 days) */
};

/* A bounce (a report that an email of ours was not delivered) never makes a
 * contact: it is a note on the contact its email was from (rules 1 and 2,
 * the token accepted from the mail system), or dropped when none is found.
 * A machine's mail (ack.h's ack_automatic: an out-of-office, a list's)
 * joins its contact as a message without bringing it back to a queue; an
 * out-of-office (ack_auto_reply) that joins none is passed over
 * (INGEST_AUTO_REPLY) and makes nobody a customer: after an incident's
 * notice to thousands, their out-of-office replies are no contacts. */
enum ingest_outcome { INGEST_NEW_CONTACT, INGEST_THREADED, INGEST_DUPLICATE, INGEST_BOUNCE, INGEST_DROPPED,
		      INGEST_AUTO_REPLY };

int email_ingest(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
		 const struct email_in *m, int64_t *ret_contact, enum ingest_outcome *ret_outcome,
		 struct ops_error *err);

/* The subject as rule 3 compares it (lower case, prefixes and tokens off,
 * spaces collapsed) into ret. */
void email_subject_key(const char *subject, char *ret, size_t len);

/* Whether subject starts with a reply's prefix in any of the languages
 * rule 3 knows ("Re:", French Outlook's "RE :", "Re[2]:", "AW:", "SV:"...),
 * so that answering it adds no second one; a forward's ("Fwd:", "TR :") is
 * not a reply's. */
bool email_subject_answers(const char *subject);

/* The ID of the first "[#ID]" token in subject, or 0. */
int64_t email_subject_token(const char *subject);

#endif
