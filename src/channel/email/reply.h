/* Replying to a contact by email: the reply is queued, not sent, in the
 * caller's transaction (the writer's): it joins the contact's timeline as
 * an outbound message, its Message-ID is recorded (so the customer's answer
 * to it joins the contact), and it waits in the outbox for the sender
 * (send.h). It answers the latest email the contact received (In-Reply-To,
 * References), from the mailbox that email came through unless another is
 * named, with "Re:" and the contact's "[#ID]" token in its subject, to the
 * customer's address (read whatever the caller's role may see: the address
 * is used, not shown). */
#ifndef GUICHET_CHANNEL_EMAIL_REPLY_H
#define GUICHET_CHANNEL_EMAIL_REPLY_H

#include <stdint.h>

#include "daemon/ops.h"

/* GC_ENOTFOUND for a contact not in the tenant; GC_EINVAL (err->field says
 * which) when the customer has no address, or no mailbox can send. */
int email_reply_queue(const struct ops *o, const struct store_scope *scope, int64_t contact_id, int64_t mailbox_id,
		      const char *body, int64_t *ret_outbox_id, struct ops_error *err);

#endif
