/* Visitor tokens and brands' identity checks (visitor.h). */
#include "daemon/visitor.h"
#include "guichet/error.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_VERSION 1
#define BODY_LEN (1 + 8 + 16 + 8 + 8)
#define RAW_LEN (BODY_LEN + crypto_auth_BYTES)

_Static_assert(crypto_auth_KEYBYTES == VISITOR_KEY_LEN, "the visitor key is a crypto_auth key");
_Static_assert(VISITOR_TOKEN_MAX > (RAW_LEN * 4 + 2) / 3 + 1, "a token fits");

static void put64(unsigned char *p, int64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)((uint64_t)v & 0xff);
		v = (int64_t)((uint64_t)v >> 8);
	}
}

static int64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

void visitor_init(struct visitor *v, int64_t channel_id, int64_t customer_id, int64_t now_ms)
{
	unsigned char id[16];
	randombytes_buf(id, sizeof(id));
	memset(v, 0, sizeof(*v));
	v->channel_id = channel_id;
	sodium_bin2hex(v->id, sizeof(v->id), id, sizeof(id));
	v->customer_id = customer_id;
	v->expires_at = now_ms + VISITOR_TTL_MS;
}

void visitor_token_make(const unsigned char key[VISITOR_KEY_LEN], const struct visitor *v,
			char ret[VISITOR_TOKEN_MAX])
{
	unsigned char raw[RAW_LEN];
	raw[0] = TOKEN_VERSION;
	put64(raw + 1, v->channel_id);
	size_t bin_len = 0;
	memset(raw + 9, 0, 16);
	sodium_hex2bin(raw + 9, 16, v->id, strlen(v->id), NULL, &bin_len, NULL);
	put64(raw + 25, v->customer_id);
	put64(raw + 33, v->expires_at);
	crypto_auth(raw + BODY_LEN, raw, BODY_LEN, key);
	sodium_bin2base64(ret, VISITOR_TOKEN_MAX, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int visitor_token_check(const unsigned char key[VISITOR_KEY_LEN], const char *token, int64_t channel_id,
			int64_t now_ms, struct visitor *ret)
{
	unsigned char raw[RAW_LEN];
	size_t len = 0;
	const char *end = NULL;
	if (token == NULL || strlen(token) >= VISITOR_TOKEN_MAX ||
	    sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != RAW_LEN || *end != '\0')
		return GC_EAUTH;
	if (crypto_auth_verify(raw + BODY_LEN, raw, BODY_LEN, key) != 0 || raw[0] != TOKEN_VERSION)
		return GC_EAUTH;
	struct visitor v = {.channel_id = get64(raw + 1), .customer_id = get64(raw + 25), .expires_at = get64(raw + 33)};
	if (v.channel_id != channel_id || v.expires_at <= now_ms || v.customer_id < 0)
		return GC_EAUTH;
	sodium_bin2hex(v.id, sizeof(v.id), raw + 9, 16);
	*ret = v;
	return GC_OK;
}

bool visitor_identity_ok(const char *secret, const char *id, const char *hmac_hex)
{
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t len = 0;
	const char *end = NULL;
	if (hmac_hex == NULL || strlen(hmac_hex) != 2 * sizeof(got) ||
	    sodium_hex2bin(got, sizeof(got), hmac_hex, strlen(hmac_hex), NULL, &len, &end) != 0 ||
	    len != sizeof(got) || *end != '\0')
		return false;
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_final(&st, want);
	bool ok = sodium_memcmp(want, got, sizeof(want)) == 0;
	sodium_memzero(&st, sizeof(st));
	return ok;
}

void visitor_secret_new(char ret[VISITOR_SECRET_LEN + 1])
{
	unsigned char raw[VISITOR_SECRET_LEN / 2];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(ret, VISITOR_SECRET_LEN + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}
