/* The generic JSON provider of the messaging channel, pure (no I/O): a
 * message in, {"id","from","to","text","timestamp","name"?}, or a delivery
 * receipt, {"type":"receipt","id","status"}; and the signature both ways:
 * X-Guichet-Signature: sha256=HEX(HMAC-SHA256(secret, timestamp + "." +
 * body)) with X-Guichet-Timestamp, the Unix time in seconds, within
 * GENERIC_MAX_SKEW_S of ours (a captured request cannot be replayed later). */
#ifndef GUICHET_CHANNEL_MESSAGING_GENERIC_H
#define GUICHET_CHANNEL_MESSAGING_GENERIC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GENERIC_MAX_SKEW_S 300
/* "sha256=" + 64 hex digits + NUL */
#define GENERIC_SIGNATURE_LEN 72
#define GENERIC_MAX_TEXT 4096

/* "sha256=HEX" for timestamp and body, into ret. */
int generic_signature(const char *secret, const char *timestamp, const char *body, size_t len,
		      char ret[GENERIC_SIGNATURE_LEN]);
/* Whether signature is that of timestamp and body, and timestamp (decimal
 * seconds) within GENERIC_MAX_SKEW_S of now_ms. Either header NULL: false. */
bool generic_signature_ok(const char *secret, const char *timestamp, const char *signature, const char *body,
			  size_t len, int64_t now_ms);

/* What a generic hook's body says; the strings are root's. */
struct generic_event {
	json_t *root;
	bool receipt;
	const char *id, *from, *to, *text, *name, *status;
};

/* Decodes body: GC_EINVAL (field names the member) for a body that is not
 * such an object; a receipt's status is one of sent, delivered,
 * undelivered, failed. Release with generic_event_clear. */
int generic_event_parse(const char *body, size_t len, struct generic_event *ret, const char **field);
void generic_event_clear(struct generic_event *e);

#endif
