/* A cluster node's routing leases kept, one round at a time (leases.h). */
#include "daemon/leases.h"
#include "guichet/error.h"
#include "store/store.h"

#include <stdlib.h>

struct lease_move leases_move(int64_t weight, int64_t nodes, int64_t call_nodes, bool takes_calls, int64_t held)
{
	int64_t among = call_nodes > 0 ? call_nodes : nodes;
	if (among < 1)
		among = 1;
	int64_t share = call_nodes > 0 && !takes_calls ? 0 : (weight + among - 1) / among;
	if (held > share)
		return (struct lease_move){0, held - share, share == 0 ? INT64_MAX : LEASE_GIVE_PER_ROUND};
	return (struct lease_move){share - held, 0, 0};
}

/* In the round's transaction: keeps node's share of the leases (what it
 * meant to do in *m: a take may find fewer free; give is 0 when none of its
 * leases fitted in it). */
static int keep_share(struct store *db, const char *node, bool takes_calls, int64_t now, int64_t until,
		      struct lease_move *m)
{
	struct store_lease_counts c;
	int rc = store_lease_counts(db, node, now, &c);
	if (rc != GC_OK)
		return rc;
	*m = leases_move(c.weight, c.nodes, c.call_nodes, takes_calls, c.held);
	if (m->give > 0) {
		int64_t given;
		rc = store_lease_give_back(db, node, now, m->give, m->leases, &given);
		m->give = given > 0 ? m->give : 0;
		return rc;
	}
	return m->take > 0 ? store_lease_take(db, node, now, until, m->take) : GC_OK;
}

int leases_step(struct store *db, const char *node, bool takes_calls, int64_t now, struct store_lease **ret,
		size_t *ret_n, struct lease_move *ret_move)
{
	int64_t until = now + LEASE_MS;
	struct lease_move m = {0, 0, 0};
	*ret = NULL;
	*ret_n = 0;
	int rc = store_begin(db);
	if (rc == GC_OK && (rc = store_lease_node_alive(db, node, until, takes_calls)) == GC_OK &&
	    (rc = store_lease_renew(db, node, now, until)) == GC_OK &&
	    (rc = keep_share(db, node, takes_calls, now, until, &m)) == GC_OK &&
	    (rc = store_lease_list(db, ret, ret_n)) == GC_OK)
		rc = store_commit(db);
	if (ret_move)
		*ret_move = rc < 0 ? (struct lease_move){0, 0, 0} : m;
	if (rc < 0) {
		store_rollback(db);
		free(*ret);
		*ret = NULL;
		*ret_n = 0;
	}
	return rc;
}
