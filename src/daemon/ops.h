/* The core operations: what the HTTP handlers and every channel (email,
 * chat, messaging, voice) do to customers, contacts and messages, given a
 * tenant scope and plain inputs, never an HTTP request. They run on the
 * writer, in its transaction (the routing engine lives there), and say what
 * went wrong in a struct ops_error that a handler turns into an HTTP answer
 * (reply_ops_error) and a channel into a log line or a retry.
 *
 * A channel's scope names the channel as its actor ("channel:email") with
 * no user; its tenant is the mailbox's or the number's. */
#ifndef GUICHET_DAEMON_OPS_H
#define GUICHET_DAEMON_OPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guichet/calendar.h"
#include "guichet/decode.h"
#include "guichet/message.h"
#include "store/store.h"

struct router;

/* Where the operations write: the writer's store and routing engine. */
struct ops {
	struct store *db;
	struct router *router;
};

/* What failed: a GC_* code, the input it concerns (a request's field
 * name, or NULL), and why; with its template and values when ops_fail
 * wrote it (said.template NULL otherwise), which the API passes on for the
 * pages to say in their language. */
struct ops_error {
	int rc;
	const char *field;
	char message[256];
	struct gc_message said;
};

/* Fills err (fmt a literal, printf's conversions) and returns rc. */
int ops_fail(struct ops_error *err, int rc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same for a refusal made elsewhere (the router's): its message, and
 * its template and values when it has them (said may be NULL). */
int ops_pass_on(struct ops_error *err, int rc, const char *field, const char *message, const struct gc_message *said);

/* The scope a channel acts in: the tenant's, the channel as its actor
 * ("channel:email"), no user, seeing what a tenant admin sees (it creates
 * customers with their address). */
struct store_scope ops_channel_scope(int64_t tenant_id, const char *channel);

/* The tenant's customer with this email address or phone (either may be
 * NULL, not both), created with them when there is none (*ret_created).
 * The address is compared in lower case; the phone is a key ops_phone_key
 * made (GC_EINVAL naming "phone" otherwise), compared and stored as it is:
 * the caller chose the country it was read in and how lenient to be. */
int ops_customer_find_or_create(const struct ops *o, const struct store_scope *scope, const char *email,
				const char *phone, int64_t *ret_id, bool *ret_created, struct ops_error *err);
/* name (as the customer said it: an email's display name, a chat's or a
 * callback's form) becomes the customer's attribute "name" when the
 * customer has no name yet ("name", "first_name" or "last_name": the
 * brand's stay). A name that is only the address again (address may be
 * NULL), empty or over 200 bytes is not one; customer 0 is nobody. */
int ops_customer_keep_name(const struct ops *o, const struct store_scope *scope, int64_t customer, const char *name,
			   const char *address, struct ops_error *err);
/* The same without creating one: *ret_id 0 when there is none. */
int ops_customer_find(const struct ops *o, const struct store_scope *scope, const char *email, const char *phone,
		      int64_t *ret_id, struct ops_error *err);

/* A new contact with its first message (in->message), put in its queue when
 * in->queue_id is set. ret_text, when not NULL, receives the contact as a
 * GET shows it (malloc'd JSON). */
int ops_contact_create(const struct ops *o, const struct store_scope *scope, const struct contact_input *in,
		       int64_t *ret_id, char **ret_text, struct ops_error *err);

/* Puts the contact in a queue at priority (-1: the contact's own). The
 * first queue it enters becomes its entry queue; the first one with a
 * first-response target (first_response_s) gives it its due time: that many
 * business seconds of the tenant's calendar after the contact was created. */
int ops_enqueue(const struct ops *o, const struct store_scope *scope, int64_t contact_id, int64_t queue_id,
		int priority, struct ops_error *err);

/* Adds a message (or, note, an internal note) to the contact; *ret is the
 * message as the API shows it. The first outbound message that is not
 * automatic is the contact's first response (first_response_at). */
int ops_message_add(const struct ops *o, const struct store_scope *scope, int64_t contact_id,
		    const struct message_input *in, bool note, json_t **ret, struct ops_error *err);
/* A customer's message (in: inbound) on one of their contacts, as
 * ops_message_add; a contact the agents left waiting on the customer, or
 * resolved, comes back into the queue it was last in (the customer's last
 * agent first where the queue is sticky): the answer it waited for is
 * seen. A contact an agent holds, or never queued, stays as it is. */
int ops_customer_wrote(const struct ops *o, const struct store_scope *scope, int64_t contact_id,
		       const struct message_input *in, json_t **ret, struct ops_error *err);

/* The tenant's business calendar, or the always-open one in UTC when it
 * has none (calendar_init_default). */
int ops_calendar_load(struct store *db, int64_t tenant_id, struct calendar *ret, struct ops_error *err);

/* Telephone numbers: the key a number is kept and found by, everywhere one
 * enters (customers, callbacks, voice numbers, callers, SMS senders), so
 * that one number is one customer however it was written. The key is "+"
 * and the number's E.164 digits (guichet/phone.h: libphonenumber, the
 * number read in country when it has no international prefix; "" or NULL:
 * only international forms are read); lookups compare keys exactly.
 *
 * A number libphonenumber cannot read, or finds impossible, is GC_EINVAL;
 * what people type (staff and customers) is refused so. lenient is for what
 * providers and trunks send (an SMS's sender, a caller ID, the number a call
 * is for): such a number falls back to its digits after a '+' (at least 3;
 * the key every number had before E.164), so a customer's message or call
 * is never dropped for the way its number came. ret: OPS_PHONE_KEY_LEN. */
#define OPS_PHONE_KEY_LEN 40
int ops_phone_key(const char *phone, const char *country, bool lenient, char *ret, size_t len);

/* The tenant's country for its numbers (its calendar's "country"; "" when
 * it names none) into ret. */
int ops_tenant_country(struct store *db, int64_t tenant_id, char ret[3], struct ops_error *err);

/* ops_phone_key in the tenant's country; a number refused is GC_EINVAL
 * with err naming field and saying how to write it. */
int ops_tenant_phone_key(struct store *db, int64_t tenant_id, const char *phone, bool lenient, const char *field,
			 char *ret, size_t len, struct ops_error *err);

#endif
