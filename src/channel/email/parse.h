/* One email, understood: the bytes of an RFC 5322 message in, the fields an
 * agent, the threading and the loop guards need out. Pure: no I/O beyond the
 * bytes given, no logging, no globals but GMime's one-time initialisation.
 *
 * The message is handed to GMime 3 (MIME structure, RFC 2047 words, RFC 2231
 * parameters, addresses, dates) over the caller's buffer, never copied whole;
 * bodies are decoded part by part in bounded chunks. Text parts are converted
 * to UTF-8 from their declared charset, HTML turned into text (html.c), and
 * attachments only counted (or streamed to a callback). Whatever is wrong in
 * the message is listed in defects, and something is always returned: a
 * message with no Message-ID gets a stable one from a BLAKE2b hash of its
 * bytes. Two bugs of Debian's GMime 3.2.13 are worked around here (see
 * decode_base64 and subject_decode). */
#ifndef GUICHET_CHANNEL_EMAIL_PARSE_H
#define GUICHET_CHANNEL_EMAIL_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What a message may make email_parse allocate. */
struct email_limits {
	size_t max_bytes;      /* the whole message; more is GC_ETOOBIG */
	size_t max_text;       /* bytes of text kept; the rest is cut, with a defect */
	size_t max_parts;      /* MIME leaves looked at; the rest skipped, with a defect */
	size_t max_addresses;  /* per address list (to, cc) */
	size_t max_references; /* Message-IDs kept from References */
	size_t max_defects;    /* defects listed; one more says some were left out */
};

/* The defaults: 64 MiB, 1 MiB of text, 1000 parts, 1000 addresses, 100 references, 64 defects. */
#define EMAIL_LIMITS_DEFAULT {64u << 20, 1u << 20, 1000, 1000, 100, 64}

/* A mailbox; either field may be NULL (a group with no address, no display name). */
struct email_address {
	char *name;
	char *address;
};

/* An attachment: filename NULL when the part names none; size in decoded bytes. */
struct email_attachment {
	char *filename;
	char *content_type; /* "type/subtype", lowercase */
	size_t size;
};

/* A parsed message. Every string is UTF-8; NULL means the header was absent. */
struct email {
	char *message_id; /* without angle brackets; never NULL (derived when absent) */
	bool message_id_derived;
	char *in_reply_to;
	char **references;
	size_t n_references;
	struct email_address from;
	struct email_address *to, *cc;
	size_t n_to, n_cc;
	char *subject;
	char *date; /* ISO 8601 in UTC, "2026-12-01T20:15:00Z", NULL when absent or unreadable */
	char *text; /* what an agent reads; never NULL */
	struct email_attachment *attachments;
	size_t n_attachments;
	/* loop guards, each header's value trimmed, NULL when absent */
	char *auto_submitted, *precedence, *x_autoreply, *x_auto_response_suppress;
	char *return_path; /* the address inside <>, "" for the null sender <> */
	bool is_bounce;    /* multipart/report; report-type=delivery-status */
	char **defects;
	size_t n_defects;
};

/* Called with each decoded chunk of attachment number index (0 based, in the
 * order of email.attachments). A negative return stops the parse with it. */
typedef int email_attachment_fn(void *ctx, size_t index, const void *data, size_t len);

/* Parses raw[0..len) (not NUL-terminated) within lim (NULL: the defaults).
 * Returns 0 with *ret set, GC_ETOOBIG when len is over lim->max_bytes, or
 * GC_EINVAL when raw is NULL with a non-zero len. Malformed mail is not an
 * error: it gives an email with defects. raw must stay unchanged meanwhile. */
int email_parse(const char *raw, size_t len, const struct email_limits *lim, struct email **ret);

/* The same, streaming each attachment's decoded bytes to fn (may be NULL). */
int email_parse_stream(const char *raw, size_t len, const struct email_limits *lim,
		       email_attachment_fn *fn, void *ctx, struct email **ret);

/* Starts the libraries the email code uses (GMime, libxml2, libsodium),
 * once, from any thread; email_parse and email_compose call it. */
void email_init(void);

/* Releases an email and everything in it; NULL is fine. */
void email_free(struct email *e);

/* The email as JSON, the form `guichet email parse --json` prints (NULL: out of memory). */
json_t *email_to_json(const struct email *e);

#endif
