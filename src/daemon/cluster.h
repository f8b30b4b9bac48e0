/* The cluster: several guichetd on one PostgreSQL database, linked by NATS
 * (--nats). Every node serves any request from the shared database, except
 * that each tenant's routing engine lives on one node at a time, the holder
 * of the tenant's lease (store_lease_*):
 *
 * - leases: once a second the writer renews this node's leases, takes those
 *   that expired (a dead node's) and has the router follow them (load the
 *   tenants it took from the store, drop those it lost); the workers read a
 *   copy of the whole table to know who routes which tenant;
 * - hand-offs: a request of a route that uses the routing engine
 *   (ROUTE_ROUTING), for a tenant another node routes, goes to that node as
 *   a NATS request ("guichet.handoff.NODE": the HTTP request as text, its
 *   client in X-Forwarded-For); the owner serves it as if it came from a
 *   connection of its own (a bufferevent pair, conn_server_adopt) and
 *   replies with the answer's status, headers and body, which this node
 *   sends to its client;
 * - events: what a node publishes to its hub (committed routing events and
 *   queue statistics) goes to every other node ("guichet.events",
 *   "guichet.stats"), whose hub takes it as the tenant's routing node's, so
 *   a live stream on any node sees every offer; a change of who may do
 *   what ("guichet.authz") makes every node forget the tokens it resolved.
 *   When the NATS link comes back after a cut, a node forgets its tokens
 *   and has its streams read what they may have missed from the store;
 * - chats: what a node's chat hub publishes (a committed message, a mark,
 *   typing) goes to the other nodes' hubs ("guichet.chat"), and each node
 *   makes its chat streams' routing notes from the relayed routing events;
 *   a node whose chat streams wait in a queue another node routes asks
 *   that node for their places ("guichet.waits.NODE", answered on
 *   "guichet.waitsback.NODE"); after a cut, the chat streams are ended and
 *   their clients resume from the store;
 * - desks: once a second each node tells the others which agents' desks
 *   (their own event streams, desks.h) are open on it ("guichet.desks"),
 *   so that the node routing their tenant does not sign out an agent
 *   whose desk another node serves.
 *
 * Alone (no --nats), none of this runs: the node routes every tenant. */
#ifndef GUICHET_DAEMON_CLUSTER_H
#define GUICHET_DAEMON_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cluster;
struct config;
struct hub;
struct request;
struct router;
struct server;
struct store;

#define CLUSTER_RENEW_MS 1000     /* how often the writer keeps its leases (leases.h) */
#define CLUSTER_HANDOFF_MS 5000   /* a hand-off not answered by then answers 503 */

/* Connects to NATS and relays srv's hub to the other nodes. */
int cluster_new(struct server *srv, struct cluster **ret);
/* Starts taking the other nodes' hand-offs (once the workers run). */
int cluster_serve(struct cluster *cl);
/* Takes no more hand-offs or events (a stop; NULL is fine). */
void cluster_stop_serving(struct cluster *cl);
/* Disconnects and frees (NULL is fine). */
void cluster_free(struct cluster *cl);
const char *cluster_node(const struct cluster *cl);
/* The tenants this node routes, as of the last round (any thread). */
size_t cluster_leases_held(struct cluster *cl);

/* On the writer, every CLUSTER_RENEW_MS: tells the others this node is
 * alive, renews its leases, takes or lets go of some to keep its share, has
 * the router follow them, and shows the workers who routes what. */
void cluster_lease_round(struct cluster *cl, struct store *db, struct router *rt);
/* On the writer as it stops: lets this node's leases go, for another node
 * to take them at once. */
void cluster_release(struct cluster *cl, struct store *db);

/* On the writer, once a second: tells the other nodes which agents' desks
 * are open on this one (desks_seen_elsewhere on theirs). */
struct desks;
void cluster_tell_desks(struct cluster *cl, struct desks *desks);
/* Whether this node hears the others now (its NATS link is up). */
bool cluster_linked(struct cluster *cl);

/* On the writer, after committing a change of who may do what: every
 * other node forgets the tokens it resolved (authcache.h). */
void cluster_authz_changed(struct cluster *cl);

/* After a login's password was judged (right or wrong) on this node: the
 * other nodes count it in their throttles (ratelimit.h's _elsewhere), so
 * that guesses spread over the nodes are slowed as on one. */
void cluster_login_judged(struct cluster *cl, const char *email, const char *address, bool right);
/* After a public request (self-service, web chat) was let through by its
 * allowance here: the other nodes count it in theirs
 * (ratelimit_counted_elsewhere), so that a client spreading its requests
 * over the nodes gets one allowance. */
void cluster_allowance_counted(struct cluster *cl, char kind, const char *key, const char *address);

/* On the writer: asks the node routing the tenant for the places of these
 * waiting chats, for this node's streams (chatstreams_tell_wait, when the
 * answer comes). Nothing when nobody routes it now. */
void cluster_ask_waits(struct cluster *cl, int64_t tenant_id, const int64_t *contacts, size_t n, bool force);

/* Whether this node routes the tenant now (any thread). */
bool cluster_routes(struct cluster *cl, int64_t tenant_id);

/* On a worker, for a request of a ROUTE_ROUTING route acting on
 * tenant_id's routing (its scope's tenant, or the one a platform request
 * names): 0 when this node routes that tenant (go on), 1 when it went to
 * the node that does (the answer comes later), -1 when it was answered now
 * (nobody routes the tenant yet, or NATS refused it: 503 and Retry-After). */
int cluster_route(struct cluster *cl, struct request *r, int64_t tenant_id);

#endif
