/* Twilio's side of the messaging channel, pure (no I/O): a webhook's
 * form-encoded body decoded into its parameters, and X-Twilio-Signature,
 * Base64(HMAC-SHA1(auth token, the URL Twilio called + each POST parameter's
 * name and value, sorted by name, then value, concatenated)), made and
 * checked. The URL is the channel's configured webhook_url: behind a proxy
 * the Host a request carries is not the one Twilio signed. */
#ifndef GUICHET_CHANNEL_MESSAGING_TWILIO_H
#define GUICHET_CHANNEL_MESSAGING_TWILIO_H

#include <stdbool.h>
#include <stddef.h>

#define MSG_FORM_MAX_PARAMS 256
/* Base64 of a 20-byte digest, and its NUL */
#define TWILIO_SIGNATURE_LEN 29

struct msg_param {
	char *name, *value; /* decoded, NUL-terminated (neither holds a NUL) */
};

/* A decoded application/x-www-form-urlencoded body, its parameters in the
 * order they came (a name may come more than once). */
struct msg_form {
	struct msg_param *params;
	size_t n_params;
};

/* Decodes body ('+' is a space, %XX a byte, by libcurl): GC_EINVAL for a
 * %-escape that decodes to NUL or a part with no '=' and an empty name,
 * GC_ETOOBIG past MSG_FORM_MAX_PARAMS. Empty parts ("a=1&&b=2") are skipped. */
int msg_form_parse(const char *body, size_t len, struct msg_form *ret);
void msg_form_clear(struct msg_form *f);
/* The first value of name, or NULL. */
const char *msg_form_get(const struct msg_form *f, const char *name);

/* The signature Twilio sends for url and form, into ret. */
int twilio_signature(const char *auth_token, const char *url, const struct msg_form *form,
		     char ret[TWILIO_SIGNATURE_LEN]);
/* Whether header (NULL: missing) is that signature, compared in constant time. */
bool twilio_signature_ok(const char *auth_token, const char *url, const struct msg_form *form, const char *header);

#endif
