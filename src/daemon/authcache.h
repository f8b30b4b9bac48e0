/* A per-worker cache of resolved bearer tokens, so a request does not hash
 * and look up its token in the database every time.
 *
 * Correctness rests on one counter, the authorization generation: the
 * writer bumps it after committing any change to who may do what (logout,
 * a revoked token, a role, a disabled membership, a new password). An entry
 * records the generation read before its database lookup and is used only
 * while the generation is unchanged, so a change is seen by the very next
 * request, on every worker. Expiry is checked against the cached expiry. */
#ifndef GUICHET_DAEMON_AUTHCACHE_H
#define GUICHET_DAEMON_AUTHCACHE_H

#include <stdint.h>

#include "store/store.h"

#define AUTHCACHE_SLOTS 4096

struct authcache;

struct authcache *authcache_new(void);
void authcache_free(struct authcache *c);
/* The current generation, to read before a database lookup. */
uint64_t authcache_generation(void);
/* Called by the writer after a commit that changed authorizations. */
void authcache_bump(void);
/* Finds token (with tenant hint, may be NULL) valid at now; 0 or GC_ENOTFOUND. */
int authcache_get(struct authcache *c, const char *token, const char *tenant_hint, int64_t now,
		  struct store_scope *ret_scope);
/* Remembers a successful lookup made at generation. */
void authcache_put(struct authcache *c, const char *token, const char *tenant_hint,
		   uint64_t generation, const struct store_scope *scope);

#endif
