/* Which agents have their desk open: a live event stream of their own
 * (stream.c), on this node or, in a cluster, on another (cluster.c relays
 * each node's list once a second). Once a second the writer asks which
 * desks were seen open and have not been since the grace (--desk-grace)
 * and signs those agents out as at a logout (router_desk_gone): a closed
 * browser, a crashed laptop or a lost network no longer leaves somebody
 * "available" whom offers ring for in vain. An agent who never opened a
 * stream (an integration through the API, a phone alone) is never seen,
 * so never signed out this way. What is seen lives here, apart from the
 * routing engine, so that a tenant's engine rebuilt from the store does not
 * forget a desk that closed; a restart does (the desks open then come back
 * within seconds; one closed just before is not signed out).
 *
 * Thread-safe: the workers open and close, the writer and the cluster's
 * NATS thread read and report. */
#ifndef GUICHET_DAEMON_DESKS_H
#define GUICHET_DAEMON_DESKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A desk another node reported open counts as open this long after its
 * report (the nodes report once a second). */
#define DESKS_ELSEWHERE_MS 3000

struct desks;

struct desk_key {
	int64_t tenant_id, user_id;
};

struct desks *desks_new(void);
void desks_free(struct desks *d);

/* A stream of the agent's own opened, or closed, on this node. */
void desks_open(struct desks *d, int64_t tenant_id, int64_t user_id);
void desks_close(struct desks *d, int64_t tenant_id, int64_t user_id);

/* Another node had the agent's desk open at its report, received now. */
void desks_seen_elsewhere(struct desks *d, int64_t tenant_id, int64_t user_id, int64_t now);

/* Calls fn for each desk open on this node now, or closed since the last
 * round (what this node tells the others: one opened and closed between
 * two rounds is told once). */
typedef void (*desks_fn)(void *arg, int64_t tenant_id, int64_t user_id);
void desks_each_here(struct desks *d, int64_t now, desks_fn fn, void *arg);

/* The desks seen open and not since more than grace_ms, at most max of
 * them into out: they stay until desks_forget. */
size_t desks_gone(struct desks *d, int64_t now, int64_t grace_ms, struct desk_key *out, size_t max);
/* Forgets a desk gone (its agent is signed out), unless it opened again. */
void desks_forget(struct desks *d, const struct desk_key *k, int64_t now, int64_t grace_ms);
/* Every desk counts as seen now: the other nodes cannot be heard (their
 * desks are taken as open until they can). */
void desks_touch_all(struct desks *d, int64_t now);

#endif
