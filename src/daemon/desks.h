/* Which agents have their desk open: a live event stream of their own
 * (stream.c), on this node or, in a cluster, on another (cluster.c relays
 * each node's list once a second). The writer tells the routing engine
 * once a second (router_desk_seen); an agent whose desk it saw and has not
 * seen for the grace (--desk-grace) is signed out as at a logout
 * (router_desks_gone): a closed browser, a crashed laptop or a lost network
 * no longer leaves somebody "available" whom offers ring for in vain. An
 * agent who never opened a stream (an integration through the API, a
 * phone alone) is never seen, so never signed out this way.
 *
 * Thread-safe: the workers open and close, the writer and the cluster's
 * NATS thread read and report. */
#ifndef GUICHET_DAEMON_DESKS_H
#define GUICHET_DAEMON_DESKS_H

#include <stdbool.h>
#include <stdint.h>

/* A desk another node reported open counts as open this long after its
 * report (the nodes report once a second). */
#define DESKS_ELSEWHERE_MS 3000

struct desks;

struct desks *desks_new(void);
void desks_free(struct desks *d);

/* A stream of the agent's own opened, or closed, on this node. */
void desks_open(struct desks *d, int64_t tenant_id, int64_t user_id);
void desks_close(struct desks *d, int64_t tenant_id, int64_t user_id);

/* Another node had the agent's desk open at its report, received now. */
void desks_seen_elsewhere(struct desks *d, int64_t tenant_id, int64_t user_id, int64_t now);

/* Calls fn for each desk open now: on this node, and (here_only false)
 * reported by another within DESKS_ELSEWHERE_MS of now. */
typedef void (*desks_fn)(void *arg, int64_t tenant_id, int64_t user_id);
void desks_each(struct desks *d, int64_t now, bool here_only, desks_fn fn, void *arg);

#endif
