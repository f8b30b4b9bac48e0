/* An email's attachments on their way from the parser to the store.
 *
 * The parser runs on the mail thread and decodes each attachment in chunks
 * of at most 64 KiB (email_parse_stream); email_spool_write takes each
 * chunk into a spool: an unlinked temporary file (made at the first byte;
 * most emails have no attachment), with each attachment's place, size and
 * SHA-256. So the decoded attachments are never in memory beside the raw
 * message, and the raw message is freed before the writer sees the email.
 * The tenant's limits (store_attachment_limits) are applied as the bytes
 * come: an attachment over the limit per attachment, or that would take
 * the message's kept attachments over the limit per message, is dropped
 * there (its bytes cut off the spool) and only counted.
 *
 * On the writer, in the email's transaction, email_attachments_take copies
 * the spool into the store a chunk (STORE_ATTACHMENT_CHUNK) at a time, on
 * the contact and its latest inbound message (the one just taken), and adds
 * one note to the contact naming each attachment dropped and why, which the
 * agent reads with the messages. A dropped attachment never stops the
 * email: the mailbox goes on. */
#ifndef GUICHET_CHANNEL_EMAIL_ATTACHMENT_H
#define GUICHET_CHANNEL_EMAIL_ATTACHMENT_H

#include <stddef.h>
#include <stdint.h>

#include "channel/email/parse.h"
#include "daemon/ops.h"

struct email_spool;

/* A spool applying lim (copied). */
int email_spool_new(const struct store_attachment_limits *lim, struct email_spool **ret);
/* Closes the spool's file (its bytes go with it); NULL is fine. */
void email_spool_free(struct email_spool *sp);

/* email_parse_stream's callback (parse.h), ctx the spool: chunk data of
 * attachment index. GC_EIO when the spool's file cannot be written (the
 * parse stops; the caller may parse again without attachments). */
int email_spool_write(void *ctx, size_t index, const void *data, size_t len);

/* Stores e's attachments from sp (NULL: none was spooled, each is dropped
 * as unread) on the contact, in the caller's transaction; a note on the
 * contact names those dropped. GC_ESTORE or GC_ENOMEM when the store
 * failed (the caller rolls back). An attachment the spool cannot give
 * back is noted as not kept, in a savepoint of its own. */
int email_attachments_take(const struct ops *o, const struct store_scope *scope, int64_t contact_id,
			   const struct email *e, const struct email_spool *sp, struct ops_error *err);

#endif
