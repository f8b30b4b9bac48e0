/* The per-worker token cache (authcache.h): a direct-mapped table; a
 * collision simply replaces the older entry. */
#include "daemon/authcache.h"
#include "guichet/error.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN (STORE_TOKEN_LEN + 64)

struct entry {
	bool used;
	uint64_t generation;
	char key[KEY_LEN];          /* token, NUL, tenant hint */
	struct store_scope scope;
};

struct authcache {
	struct entry slots[AUTHCACHE_SLOTS];
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
};

static atomic_uint_fast64_t generation = 1;

struct authcache *authcache_new(void)
{
	struct authcache *c = calloc(1, sizeof(*c));
	if (c)
		crypto_shorthash_keygen(c->hash_key);
	return c;
}

void authcache_free(struct authcache *c)
{
	if (c)
		sodium_memzero(c, sizeof(*c));
	free(c);
}

uint64_t authcache_generation(void)
{
	return atomic_load(&generation);
}

void authcache_bump(void)
{
	atomic_fetch_add(&generation, 1);
}

/* Builds the key; false when the token or hint is too long to cache. */
static bool make_key(const char *token, const char *hint, char key[KEY_LEN])
{
	size_t t = strlen(token), h = hint ? strlen(hint) : 0;
	if (t >= STORE_TOKEN_LEN || h >= 63)
		return false;
	memset(key, 0, KEY_LEN);
	memcpy(key, token, t);
	if (hint)
		memcpy(key + STORE_TOKEN_LEN, hint, h);
	return true;
}

static struct entry *slot(struct authcache *c, const char key[KEY_LEN])
{
	uint64_t h;
	/* keyed SipHash: an attacker cannot aim tokens at one slot */
	crypto_shorthash((unsigned char *)&h, (const unsigned char *)key, KEY_LEN, c->hash_key);
	return &c->slots[h % AUTHCACHE_SLOTS];
}

int authcache_get(struct authcache *c, const char *token, const char *tenant_hint, int64_t now,
		  struct store_scope *ret_scope)
{
	char key[KEY_LEN];
	if (!make_key(token, tenant_hint, key))
		return GC_ENOTFOUND;
	struct entry *e = slot(c, key);
	if (!e->used || e->generation != authcache_generation() ||
	    sodium_memcmp(e->key, key, KEY_LEN) != 0 ||
	    (e->scope.expires_at && e->scope.expires_at <= now))
		return GC_ENOTFOUND;
	*ret_scope = e->scope;
	return GC_OK;
}

void authcache_put(struct authcache *c, const char *token, const char *tenant_hint,
		   uint64_t gen, const struct store_scope *scope)
{
	char key[KEY_LEN];
	if (!make_key(token, tenant_hint, key))
		return;
	struct entry *e = slot(c, key);
	*e = (struct entry){.used = true, .generation = gen, .scope = *scope};
	memcpy(e->key, key, KEY_LEN);
}
