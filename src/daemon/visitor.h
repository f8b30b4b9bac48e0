/* The web chat's visitors: the token a visitor's frame carries, and the
 * check of a brand's customer identity.
 *
 * A visitor token is guichetd's own, signed with libsodium's crypto_auth
 * (HMAC-SHA-512-256) under a key derived from the installation's secret key
 * (secrets_derive, purpose "chatvist"): every node of a cluster sharing the
 * key file accepts it, and no key file of its own needs keeping. It
 * carries, in 33 bytes before its 32-byte tag, all in url-safe base64:
 *     version (1) | channel id (8) | visitor id (16 random bytes) |
 *     verified customer id or 0 (8)
 * and its expiry (8), so it needs no row in the database; nothing in it is
 * secret, everything in it is signed. A token of another channel, expired,
 * changed or forged is refused the same way (GC_EAUTH).
 *
 * A brand proves who its logged-in customer is with
 * hmac = HMAC-SHA256(secret, id), the secret being the channel's identity
 * secret as shown (its 64 hex characters used as the key's bytes), in hex;
 * it is checked in constant time. */
#ifndef GUICHET_DAEMON_VISITOR_H
#define GUICHET_DAEMON_VISITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VISITOR_KEY_LEN 32
#define VISITOR_TOKEN_MAX 112          /* the token's characters, with its NUL */
#define VISITOR_TTL_MS (24LL * 3600 * 1000)
#define VISITOR_SECRET_LEN 64          /* a channel's identity secret: 32 random bytes in hex */

struct visitor {
	int64_t channel_id;
	char id[33];                   /* the random visitor id, in hex */
	int64_t customer_id;           /* the brand's verified customer, 0: anonymous */
	int64_t expires_at;            /* milliseconds */
};

/* A new visitor of channel_id (a fresh random id) for customer_id (0:
 * anonymous), expiring VISITOR_TTL_MS after now_ms. */
void visitor_init(struct visitor *v, int64_t channel_id, int64_t customer_id, int64_t now_ms);
/* v's token under key into ret (VISITOR_TOKEN_MAX bytes). */
void visitor_token_make(const unsigned char key[VISITOR_KEY_LEN], const struct visitor *v,
			char ret[VISITOR_TOKEN_MAX]);
/* The visitor of token when its tag is right under key, it names
 * channel_id and it has not expired at now_ms; GC_EAUTH otherwise. */
int visitor_token_check(const unsigned char key[VISITOR_KEY_LEN], const char *token, int64_t channel_id,
			int64_t now_ms, struct visitor *ret);
/* Whether hmac_hex is HMAC-SHA256(secret, id) in hex (either case). */
bool visitor_identity_ok(const char *secret, const char *id, const char *hmac_hex);
/* A new identity secret (VISITOR_SECRET_LEN hex characters and a NUL). */
void visitor_secret_new(char ret[VISITOR_SECRET_LEN + 1]);

#endif
