/* Agents' SIP phones register here (REGISTER, RFC 3261 section 10) with
 * digest authentication (RFC 2617 via libre's httpauth), one username and
 * password per agent, set by a tenant administrator
 * (PUT /api/v1/agents/{id}/sip) and stored as the digest's HA1 only.
 *
 * Which tenant: the realm, the host of the To URI, is the tenant's own
 * ("t<tenant id>.guichet", voice_realm); a username is looked up in that
 * tenant alone, so another tenant's agent cannot register in this realm.
 *
 * A REGISTER's way through (registrar.c, on the telephony thread):
 *   over the address's allowance (ratelimit_keyed) ........ 503 + Retry-After, throttled
 *   To's host is no tenant's realm ......................... 403, denied
 *   no Authorization, or a nonce too old (stale) ........... 401 + challenge
 *   credentials of another realm, unknown user, bad digest . 403, denied
 *   good: Expires 0 (or Contact * ;expires=0) .............. 200, binding removed
 *   good ................................................... 200, binding kept
 *                                                            min(max(Expires, 60), 600) s
 * Nonces are the time they were made and a keyed MD5 of it and the realm
 * (the key drawn at start): nothing is kept per challenge, and a nonce is
 * good for 5 minutes in its realm only.
 *
 * Bindings live in memory on the telephony thread, one per agent (a new
 * REGISTER replaces it), at most REGISTRAR_MAX_BINDINGS: a restart forgets
 * them until the phones register again (10 minutes at most). */
#ifndef GUICHET_CHANNEL_VOICE_REGISTRAR_H
#define GUICHET_CHANNEL_VOICE_REGISTRAR_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define REGISTRAR_MAX_BINDINGS 10000
#define REGISTRAR_PER_MINUTE 120    /* REGISTERs one address may send a minute */
#define REGISTRAR_MIN_EXPIRES 60
#define REGISTRAR_MAX_EXPIRES 600

struct sip;
struct store;
struct registrar;

/* What the registrar counts, read by any thread (voice_stats). */
struct registrar_counters {
	atomic_uint_fast64_t registered; /* 200s */
	atomic_uint_fast64_t challenged; /* 401s */
	atomic_uint_fast64_t denied;     /* 403s */
	atomic_uint_fast64_t throttled;  /* 503s: over an address's allowance */
	atomic_int_fast64_t bindings;    /* now */
};

/* An agent's phone, as it last registered. */
struct registrar_binding {
	int64_t tenant_id, user_id;
	char contact[256];         /* the Contact URI */
	char username[65];
	uint64_t expires;          /* tmr_jiffies() when it lapses */
};

/* The tenant's realm into buf ("t42.guichet"). */
void voice_realm(int64_t tenant_id, char *buf, size_t len);
/* The digest's HA1 for username and password in the tenant's realm: 32
 * lowercase hex digits and a NUL. */
void voice_phone_ha1(int64_t tenant_id, const char *username, const char *password, char ret_ha1[33]);

/* Listens for REGISTER on sip (the telephony thread's), looking users up in
 * store (its read-only connection), counting in counters. */
int registrar_new(struct sip *sip, struct store *store, struct registrar_counters *counters,
		  struct registrar **ret);
/* Forgets every binding. NULL is fine. */
void registrar_free(struct registrar *r);
/* The agent's live binding, or NULL. */
const struct registrar_binding *registrar_find(struct registrar *r, int64_t tenant_id, int64_t user_id);

#endif
