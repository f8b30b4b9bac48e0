/* Acknowledgements: the automatic email a mailbox may send to each new
 * contact made from an email, saying that it arrived, the contact's [#ID]
 * token, and when to expect a reply, estimated from the queue's backlog.
 *
 * An acknowledgement is queued, never sent here: in the transaction that
 * takes the email (ingest.c calls email_ack_new_contact after the contact is
 * made), it goes into the outbox as guichet's own automatic mail
 * (Auto-Submitted: auto-replied), threaded as a reply (In-Reply-To the
 * customer's email, the [#ID] token in its subject, its Message-ID recorded
 * so that an answer to it joins the contact), with a note on the contact's
 * timeline. A note, not an outbound message: it is no agent's response, and
 * never counts as the first one.
 *
 * Loop guards, in this order (ack_refusal), never acknowledging:
 *  - an automatic email: Auto-Submitted other than "no", Precedence bulk,
 *    junk or list, any X-Autoreply, X-Auto-Response-Suppress other than
 *    "None";
 *  - a bounce (a delivery-status report), or the null sender (Return-Path <>);
 *  - mail from any mailbox address of the tenant (its own included);
 *  - a robot's address (ack_robot_address): local parts mailer-daemon,
 *    postmaster, noreply and no-reply and their kin, bounce(s), listserv,
 *    majordomo, owner-*, *-request, *-bounces;
 *  - an address that had the mailbox's max_per_hour acknowledgements from
 *    the tenant in the last hour, counted in the outbox (in the same
 *    transaction: it holds across restarts and nodes).
 *
 * The expected reply time (ack_expected_reply_ms) is a pure function of the
 * queue's load (daemon/router.h, router_contact_load): the wait before an
 * agent takes the email, as every customer-facing wait is estimated
 * (guichet/wait.h, router_load_wait_ms: the queue's slots, how many are
 * free, the contacts ahead, each slot held for the queue's measured handle
 * time plus its wrap-up), then one handling time for this one:
 *
 *     reply = wait + handle
 *     wait  = 0 with a slot free for it, else (ahead - free + 1) * (handle + wrap-up) / slots
 *
 * handle is the mean of the queue's last wrap-ups (its tenant's on email
 * while the queue measured too few), else ACK_DEFAULT_HANDLE_MS. No agent
 * serving the queue: unknown. That is working time: laid on the tenant's
 * calendar from now (guichet/calendar.h, calendar_due), it passes only
 * while the tenant is open, so an email on Friday evening reads "within 3
 * days", not "within an hour". It is then said in words a customer reads
 * (ack_wait_words), rounded up to 15 or 30 minutes, an hour, 2, 3, 4, 6, 8,
 * 12 or 24 hours, or whole days up to 7; unknown or longer: "as soon as
 * possible". */
#ifndef GUICHET_CHANNEL_EMAIL_ACK_H
#define GUICHET_CHANNEL_EMAIL_ACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/email/ingest.h"
#include "daemon/router.h"

#define ACK_DEFAULT_HANDLE_MS (30LL * 60 * 1000)
#define ACK_MAX_DAYS 7

/* The expected time to a reply (ms) from the queue's load; -1 when no agent
 * serves the queue. */
int64_t ack_expected_reply_ms(const struct router_load *load);

/* ms said in language ("en" or "fr"; anything else: "en") into ret:
 * "within 2 hours", "sous 2 heures"; ms < 0 (unknown) or over ACK_MAX_DAYS:
 * "as soon as possible", "dès que possible". */
void ack_wait_words(int64_t ms, const char *language, char *ret, size_t len);

/* The headers and facts the guards read of one email. */
struct ack_mail {
	const char *from_address;
	const char *auto_submitted, *precedence, *x_autoreply, *x_auto_response_suppress; /* NULL: absent */
	const char *return_path; /* NULL: absent, "": the null sender <> */
	bool bounce;
};

/* The guards' view of an email taken in (ingest.h). */
struct email_in;
struct ack_mail ack_mail_of(const struct email_in *m);

/* Whether a machine sent m: Auto-Submitted other than "no", Precedence
 * bulk, junk or list, X-Autoreply, X-Auto-Response-Suppress. */
bool ack_automatic(const struct ack_mail *m);
/* Whether m is a machine's answer to a message (RFC 3834's auto-replied, an
 * out-of-office): it answers a message of ours or nothing. */
bool ack_auto_reply(const struct ack_mail *m);

/* Why m must not be acknowledged ("automatic", "bounce", "own address",
 * "robot address", "no address"), or NULL when it may be. own lists the
 * tenant's mailbox addresses, compared without case. */
const char *ack_refusal(const struct ack_mail *m, const char *const *own, size_t n_own);

/* Whether address looks like a mail system's or a robot's (see above). */
bool ack_robot_address(const char *address);

/* What the templates may name: {{contact.id}}, {{token}} ("[#41]"),
 * {{expected_reply}} ("within 2 hours") and {{subject}} (the customer's). */
struct ack_vars {
	int64_t contact_id;
	const char *expected_reply, *subject;
};

/* template with its variables filled (malloc'd into *ret): GC_EINVAL,
 * with the first variable it does not know in unknown[0..unknown_len), or
 * GC_ENOMEM. */
int ack_render(const char *template, const struct ack_vars *v, char **ret, char *unknown, size_t unknown_len);

/* The language's own templates, when a mailbox sets none. */
const char *ack_default_subject(const char *language);
const char *ack_default_body(const char *language);

/* Why an acknowledgement was or was not queued (for tests and logs). */
enum ack_outcome { ACK_QUEUED, ACK_OFF, ACK_REFUSED, ACK_LIMITED };

/* For the new contact contact_id just made from m in src's mailbox, in the
 * caller's transaction: the acknowledgement queued when the mailbox wants
 * one, can send (smtp_url), and the guards allow it; *ret_outcome says
 * which. An error is the store's (the transaction is then rolled back). */
int email_ack_new_contact(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
			  const struct email_in *m, int64_t contact_id, enum ack_outcome *ret_outcome,
			  struct ops_error *err);

#endif
