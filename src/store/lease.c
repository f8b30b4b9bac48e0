/* Routing leases: which node routes each tenant when several guichetd share
 * one PostgreSQL (src/daemon/cluster.c drives them; docs/design.md).
 *
 * A lease names a node, an expiry and an epoch. Its node renews it every
 * second; any node takes a lease that expired (or a tenant with none),
 * adding one to the epoch. The owner's writer fences every transaction in
 * which it routes a tenant: it updates the tenant's lease row only if it
 * still holds it under the same epoch, which also locks the row until the
 * commit, so a node taking the lease waits for that commit and a node that
 * lost its lease commits no routing at all. Times are the nodes' clocks in
 * ms, which must agree within a fraction of the lease (NTP).
 *
 * The tenants are spread over the nodes by weight (one plus their agents,
 * LEASE_WEIGHT): each node renews a row of routing_nodes with its leases
 * (and whether it takes calls), takes free leases, the heaviest first, only
 * up to its share of the weight (src/daemon/leases.h) and lets go of its
 * lightest beyond it, for a node under its share to take. */
#include "store/store_internal.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_lease_renew(struct store *s, const char *node, int64_t now, int64_t until)
{
	struct db_stmt *st = store_stmt(s, "UPDATE routing_leases SET expires_at = ?3 WHERE node = ?1 AND expires_at >= ?2");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, node);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, until);
	return store_step_done(s, st);
}

int store_lease_node_alive(struct store *s, const char *node, int64_t until, bool takes_calls)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO routing_nodes(node, expires_at, calls) VALUES (?1, ?2, ?3)"
					   " ON CONFLICT (node) DO UPDATE SET expires_at = excluded.expires_at,"
					   " calls = excluded.calls");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, node);
	db_bind_int64(st, 2, until);
	db_bind_int64(st, 3, takes_calls);
	return store_step_done(s, st);
}

/* A tenant's weight, for the tenant whose id is the column given: one plus
 * its agents whose membership is not disabled */
#define ENABLED_AGENTS                                                                                          \
	"agents a JOIN memberships m ON m.tenant_id = a.tenant_id AND m.user_id = a.user_id AND m.disabled = 0"
#define LEASE_WEIGHT(id) "(1 + (SELECT count(*) FROM " ENABLED_AGENTS " WHERE a.tenant_id = " id "))"

int store_lease_counts(struct store *s, const char *node, int64_t now, struct store_lease_counts *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT (SELECT count(*) FROM tenants) + (SELECT count(*) FROM " ENABLED_AGENTS "),"
					   " (SELECT count(*) FROM routing_nodes WHERE expires_at >= ?2),"
					   " (SELECT count(*) FROM routing_nodes WHERE expires_at >= ?2 AND calls <> 0),"
					   " (SELECT CAST(coalesce(sum(" LEASE_WEIGHT("l.tenant_id") "), 0) AS BIGINT)"
					   " FROM routing_leases l WHERE l.node = ?1 AND l.expires_at >= ?2)");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, node);
	db_bind_int64(st, 2, now);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret = (struct store_lease_counts){db_column_int64(st, 0), db_column_int64(st, 1), db_column_int64(st, 2),
						   db_column_int64(st, 3)};
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

/* Only the tenants whose lease is missing or expired are upserted: an
 * upsert locks the rows it meets even when its WHERE leaves them as they
 * are, and a lock on a live lease would make its owner's fence wait, or
 * deadlock with it. In one order (the heaviest, then the lowest ids), so
 * that nodes racing for the same free leases meet in that order. */
int store_lease_take(struct store *s, const char *node, int64_t now, int64_t until, int64_t weight)
{
	struct db_stmt *st = store_stmt(s,
		"INSERT INTO routing_leases(tenant_id, node, epoch, expires_at)"
		" SELECT f.id, ?1, 1, ?3 FROM (SELECT w.id, w.weight, sum(w.weight) OVER (ORDER BY w.weight DESC, w.id"
		" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - w.weight AS before"
		" FROM (SELECT t.id, " LEASE_WEIGHT("t.id") " AS weight"
		" FROM tenants t LEFT JOIN routing_leases l ON l.tenant_id = t.id"
		" WHERE l.tenant_id IS NULL OR l.expires_at < ?2) w) f"
		" WHERE f.before < ?4 ORDER BY f.weight DESC, f.id"
		" ON CONFLICT (tenant_id) DO UPDATE SET node = excluded.node, epoch = routing_leases.epoch + 1,"
		" expires_at = excluded.expires_at WHERE routing_leases.expires_at < ?2");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, node);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, until);
	db_bind_int64(st, 4, weight);
	return store_step_done(s, st);
}

int store_lease_give_back(struct store *s, const char *node, int64_t now, int64_t weight, int64_t max,
			  int64_t *ret_given)
{
	*ret_given = 0;
	struct db_stmt *st = store_stmt(s, "UPDATE routing_leases SET expires_at = 0 WHERE tenant_id IN"
					   " (SELECT g.tenant_id FROM (SELECT h.tenant_id, sum(h.weight) OVER"
					   " (ORDER BY h.weight, h.tenant_id DESC ROWS BETWEEN UNBOUNDED PRECEDING"
					   " AND CURRENT ROW) AS upto FROM (SELECT l.tenant_id, " LEASE_WEIGHT("l.tenant_id")
					   " AS weight FROM routing_leases l WHERE l.node = ?1 AND l.expires_at >= ?2) h) g"
					   " WHERE g.upto <= ?3 ORDER BY g.upto LIMIT ?4)");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, node);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, weight);
	db_bind_int64(st, 4, max);
	int rc = store_step_done(s, st);
	if (rc == GC_OK)
		*ret_given = db_changes(s->db);
	return rc;
}

int store_lease_list(struct store *s, struct store_lease **ret, size_t *ret_n)
{
	*ret = NULL;
	*ret_n = 0;
	struct db_stmt *st = store_stmt(s, "SELECT tenant_id, node, epoch, expires_at FROM routing_leases ORDER BY tenant_id");
	if (st == NULL)
		return GC_ESTORE;
	struct store_lease *list = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			size_t c = cap ? cap * 2 : 16;
			struct store_lease *grown = realloc(list, c * sizeof(*grown));
			if (grown == NULL) {
				rc = GC_ENOMEM;
				break;
			}
			list = grown;
			cap = c;
		}
		struct store_lease *l = &list[n++];
		l->tenant_id = db_column_int64(st, 0);
		const char *name = db_column_text(st, 1);
		snprintf(l->node, sizeof(l->node), "%s", name ? name : "");
		l->epoch = db_column_int64(st, 2);
		l->expires_at = db_column_int64(st, 3);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(list);
		return rc == GC_ENOMEM ? rc : store_fail(s, rc);
	}
	*ret = list;
	*ret_n = n;
	return GC_OK;
}

int store_lease_fence(struct store *s, int64_t tenant_id, const char *node, int64_t epoch, int64_t now)
{
	struct db_stmt *st = store_stmt(s, "UPDATE routing_leases SET expires_at = expires_at"
					   " WHERE tenant_id = ?1 AND node = ?2 AND epoch = ?3 AND expires_at >= ?4");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, node);
	db_bind_int64(st, 3, epoch);
	db_bind_int64(st, 4, now);
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0) {
		store_errorf(s, "this node no longer routes tenant %lld", (long long)tenant_id);
		return GC_EMOVED;
	}
	return rc;
}

int store_lease_release(struct store *s, const char *node)
{
	struct db_stmt *st = store_stmt(s, "UPDATE routing_leases SET expires_at = 0 WHERE node = ?1");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, node);
	int rc = store_step_done(s, st);
	if (rc != GC_OK)
		return rc;
	if ((st = store_stmt(s, "DELETE FROM routing_nodes WHERE node = ?1")) == NULL)
		return GC_ESTORE;
	bind_text(st, 1, node);
	return store_step_done(s, st);
}
