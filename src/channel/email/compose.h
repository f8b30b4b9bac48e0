/* Writing one email: a reply of guichet's as RFC 5322 text with CRLF line
 * ends, ready for SMTP, made by GMime (no hand-written MIME): From, To,
 * Subject (RFC 2047 encoded when it is not ASCII), Date, Message-ID,
 * In-Reply-To and References, Auto-Submitted for guichet's own automatic
 * mail, and one text/plain UTF-8 part in the transfer encoding GMime finds
 * best for it; with attachments, a multipart/mixed of that text and each
 * attachment in base64 (Content-Disposition: attachment, its filename
 * RFC 2231-encoded when it is not ASCII). */
#ifndef GUICHET_CHANNEL_EMAIL_COMPOSE_H
#define GUICHET_CHANNEL_EMAIL_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct email_out_file {
	const char *filename, *content_type; /* "type/subtype" */
	const void *data;
	size_t len;
};

struct email_out {
	const char *from_name, *from_address; /* name may be NULL */
	const char *to_address;
	const char *subject, *body;
	const char *message_id;               /* without angle brackets */
	const char *in_reply_to;              /* or NULL */
	const char *const *references;        /* oldest first */
	size_t n_references;
	int64_t date_ms;
	bool automatic;                       /* Auto-Submitted: auto-replied, or auto-generated without in_reply_to */
	const struct email_out_file *attachments;
	size_t n_attachments;
};

/* The message's text (malloc'd). */
int email_compose(const struct email_out *o, char **ret, size_t *ret_len);

#endif
