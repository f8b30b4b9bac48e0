/* A cluster node's routing leases kept, one round at a time: alive, its
 * leases renewed, its share of the tenants (by weight) taken or let go of
 * (the store's side: src/store/lease.c; the round's caller: cluster.c;
 * docs/design.md). */
#ifndef GUICHET_DAEMON_LEASES_H
#define GUICHET_DAEMON_LEASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_lease;

#define LEASE_MS 5000          /* a lease (and a node) not renewed for this long is taken (gone) */
#define LEASE_GIVE_PER_ROUND 1 /* leases a node over its share lets go of in a round */

/* What a node does with its leases in a round. Tenants weigh by their
 * load: one plus their agents (a brand of 2,000 positions is not one of
 * 20). From the weight of every tenant, the nodes alive (itself among
 * them), those of them that take calls, whether it does, and the weight of
 * the leases it holds: its share is the weight over the nodes, rounded up;
 * but while nodes taking calls are alive, the tenants are theirs alone (a
 * call's routing and its media live on one node: the SIP listener's),
 * shared among them, and a node without calls has none.
 * - Under its share by take, it takes free leases, the heaviest first,
 *   while what it took is under take (the last may pass it: a free tenant
 *   is always taken by someone under its share).
 * - Over it by give, it lets its lightest leases go as long as they fit in
 *   give, at most leases of them: LEASE_GIVE_PER_ROUND, so that tenants
 *   move a few at a time as a node joins, or all at once when its share is
 *   none (their calls wait for them). It never goes under its share so, so
 *   the lease it lets go goes to a node under its own, never back.
 * Pure. */
struct lease_move {
	int64_t take, give, leases;
};
struct lease_move leases_move(int64_t weight, int64_t nodes, int64_t call_nodes, bool takes_calls, int64_t held);

/* One round for node (which takes calls or not) at now, in one
 * transaction: node alive until now + LEASE_MS, its leases renewed as long,
 * its share kept (what it did in *ret_move, when not NULL); the whole lease
 * table after it in *ret (free it). */
int leases_step(struct store *db, const char *node, bool takes_calls, int64_t now, struct store_lease **ret,
		size_t *ret_n, struct lease_move *ret_move);

#endif
