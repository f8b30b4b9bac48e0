/* A tenant's trunk that registers (store voice_trunks, migration 48):
 * guichet registers to the tenant's provider as a softphone would, so that
 * the provider delivers the calls to the tenant's numbers (its DIDs) to
 * guichet's SIP address. libre's sipreg does the SIP: the REGISTER, the
 * digest, the renewal at 90% of the expiry the registrar grants, a retry
 * after a failure (30 to 60 s, then doubling up to 30 minutes), and the
 * unregistration (expires 0) when it is freed. This module decides when.
 *
 * Every second the telephony thread reads which tenants' trunks register
 * (store_voice_trunks_registering) and brings the registrations in line
 * (trunkreg.c, sync): a new one starts, one whose row changed
 * (updated_at) is unregistered and registered anew, one gone (cleared, or
 * set without register) is unregistered. A change through the API, on
 * this node or another, applies within a second, without a restart.
 *
 * A registration's life (struct treg's state):
 *
 *   start --REGISTER--> REGISTERING --2xx--> REGISTERED --renewed (2xx)--> REGISTERED
 *   REGISTERING, REGISTERED --a final refusal, or no answer--> FAILING
 *   REGISTERING --still unanswered after TRUNKREG_SILENT_MS--> FAILING (libre goes on)
 *   FAILING --libre's retry, 2xx--> REGISTERED
 *   any --row gone or changed, or guichetd stopping--> unregistered, forgotten
 *
 * Each change of state is logged (tenant, SIP status, never the password)
 * and counted (voice_stats). The contact registered is
 * sip:trunk-t<tenant id>@<guichet's SIP address>: an INVITE whose
 * Request-URI user is that came over the tenant's registration
 * (trunkreg_tenant_of). The credentials are given once per attempt: a
 * registrar that answers the digest with another 401 (a wrong password)
 * would have libre 1.1 try 16 times in a row; here the attempt fails,
 * visibly, until libre's next retry. The password is opened (secrets.h)
 * when the registration starts, kept with it alone and wiped when it is
 * freed. */
#ifndef GUICHET_CHANNEL_VOICE_TRUNKREG_H
#define GUICHET_CHANNEL_VOICE_TRUNKREG_H

#include "channel/voice/voice.h"

#include <stdatomic.h>
#include <stdint.h>

#define TRUNKREG_POLL_MS 1000      /* how often the trunks are read again */
#define TRUNKREG_STOP_MS 2000      /* how long a stop waits for the registrars' answers */
/* A first REGISTER still unanswered after this is failing, said so; libre
 * keeps at it, and an answer later still counts. SIP's own time-out (32 s)
 * comes first when only the registrar is silent; a DNS server that never
 * answers held a registration "registering" for minutes. */
#define TRUNKREG_SILENT_MS 40000
#define TRUNKREG_CONTACT_PREFIX "trunk-t"

struct sip;
struct store;
struct secrets;
struct trunkreg;

/* Read by any thread (voice_stats). */
struct trunkreg_counters {
	atomic_int_fast64_t registering, registered, failing; /* registrations now in each state */
	atomic_uint_fast64_t failures; /* attempts that failed */
};

/* Starts following the trunks (the first read at once) on the loop's thread. */
int trunkreg_new(struct sip *sip, struct store *store, struct secrets *secrets, struct trunkreg_counters *counters,
		 struct trunkreg **ret);
/* Unregisters every registration; done(arg) once the registrars have all
 * answered, or after TRUNKREG_STOP_MS (at once when none was registered).
 * Loop thread; nothing is started again. */
void trunkreg_stop(struct trunkreg *t, void (*done)(void *arg), void *arg);
/* Drops what is left of libre's objects (the loop's end, before the SIP
 * stack goes). NULL is fine. */
void trunkreg_close(struct trunkreg *t);
/* Frees the rest, once the loop's thread is gone. NULL is fine. */
void trunkreg_free(struct trunkreg *t);
/* The tenant whose registration's contact user is user ("trunk-t12"),
 * while its trunk registers; 0 otherwise. Loop thread. */
int64_t trunkreg_tenant_of(const struct trunkreg *t, const char *user);
/* The tenant's registration (OFF when none). Any thread. */
void trunkreg_state(struct trunkreg *t, int64_t tenant_id, struct voice_trunk_state *ret);

#endif
