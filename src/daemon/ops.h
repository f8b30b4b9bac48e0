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
#include "store/store.h"

struct router;

/* Where the operations write: the writer's store and routing engine. */
struct ops {
	struct store *db;
	struct router *router;
};

/* What failed: a GC_* code, the input it concerns (a request's field
 * name, or NULL), and why. */
struct ops_error {
	int rc;
	const char *field;
	char message[256];
};

/* The scope a channel acts in: the tenant's, the channel as its actor
 * ("channel:email"), no user, seeing what a tenant admin sees (it creates
 * customers with their address). */
struct store_scope ops_channel_scope(int64_t tenant_id, const char *channel);

/* The tenant's customer with this email address or phone (either may be
 * NULL, not both), created with them when there is none (*ret_created).
 * The address is compared in lower case, the phone as its digits with a
 * leading '+' (what is stored for a new customer too). */
int ops_customer_find_or_create(const struct ops *o, const struct store_scope *scope, const char *email,
				const char *phone, int64_t *ret_id, bool *ret_created, struct ops_error *err);

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

/* The tenant's business calendar, or the always-open one in UTC when it
 * has none (calendar_init_default). */
int ops_calendar_load(struct store *db, int64_t tenant_id, struct calendar *ret, struct ops_error *err);

/* Digits with a leading '+' (other characters dropped) into ret (len >=
 * 2): GC_EINVAL when fewer than 3 digits remain. */
int ops_phone_key(const char *phone, char *ret, size_t len);

#endif
