/* The hub: routing events, once committed, on their way to live streams.
 *
 * The writer publishes each committed routing event (its id is the stream's
 * event id) and, every second, each tenant's queue statistics; workers read
 * them for the Server-Sent Event streams they serve (src/daemon/stream.c).
 * Events sit in a ring of the most recent ones; a stream that fell further
 * behind, or reconnects with an older Last-Event-ID, reads the store instead
 * (up to the tenant's newest id the hub has seen, so nothing committed later
 * by another node is skipped).
 * Publishing wakes the workers that have streams (event_active is safe from
 * another thread once evthread_use_pthreads was called). */
#ifndef GUICHET_DAEMON_HUB_H
#define GUICHET_DAEMON_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUB_RING 65536

struct hub;
struct event;

/* One event as it goes on the wire: "id: N\nevent: TYPE\ndata: {...}\n\n". */
struct hub_event {
	int64_t id, tenant_id;
	int64_t agent_id;           /* the agent (user) it concerns, 0 for none */
	int64_t contact_id;         /* the contact it concerns, 0 for none (the web chat's streams: chathub.h) */
	char *frame;
	size_t len;
};

struct hub *hub_new(void);
void hub_free(struct hub *h);
/* A worker's wake-up event, activated at each publication. */
void hub_add_waker(struct hub *h, struct event *wake);
/* Takes ownership of the frames of n events, each tenant's in increasing id
 * order (this node's routing, committed). */
void hub_publish(struct hub *h, struct hub_event *events, size_t n);
/* The tenant's latest statistics frame (taken), with no id. */
void hub_publish_stats(struct hub *h, int64_t tenant_id, char *frame);
/* The newest id published of the tenant (0 for none seen yet). */
int64_t hub_last_id(struct hub *h, int64_t tenant_id);

/* Several nodes (cluster.h). What this node publishes is handed to relay
 * too (before hub_publish returns; the relay copies what it keeps), for the
 * other nodes; what they publish comes in through hub_publish_from, with
 * the name of the node that routes the tenant. Each tenant's events come
 * from one node at a time, in id order, but the tenants' ids interleave:
 * the hub keeps each tenant's newest id apart. When a tenant's events start
 * coming from another node (its routing moved), the ids before the first
 * one are read from the store, since the node that stopped may have
 * committed events it never sent. */
struct hub_relay {
	void (*events)(void *arg, const struct hub_event *events, size_t n);
	void (*stats)(void *arg, int64_t tenant_id, const char *frame);
	void (*call)(void *arg, int64_t tenant_id, int64_t agent_id, const char *frame);
	void *arg;
};
void hub_set_relay(struct hub *h, const struct hub_relay *relay);
void hub_publish_from(struct hub *h, const char *node, struct hub_event *events, size_t n);
void hub_publish_stats_from(struct hub *h, int64_t tenant_id, char *frame);
/* After events from the other nodes may have been lost (the NATS link was
 * down): each tenant's next event is taken as from a new node, so streams
 * behind it read the store. */
void hub_forget_sources(struct hub *h);

typedef void (*hub_frame_fn)(const char *frame, size_t len, void *arg);

/* Whom a stream is for, which decides the frames it gets:
 * - an agent (agent_id): the events and calls naming it;
 * - every event of the tenant (agent_id 0): the brand's own supervisors
 *   and tenant admins;
 * - the agents an outsourcer's supervisor manages (managed_only, managed:
 *   n_managed user ids in increasing order, store_managed_agents): the
 *   events and calls naming one of them, and each second's agents' digest
 *   cut to them. Events naming no agent (a contact waiting in the brand's
 *   queues: enqueued, overflowed, refused, a waiting contact moved, left or
 *   abandoned) and calls with no agent are left out; a transfer of theirs
 *   to an agent it does not manage comes without its to_agent_id.
 * A supervisor's audience of an outsourcer (organisation_id, not 0:
 * store_report_viewer_organisation), whether it manages some agents or all,
 * gets its organisation's cut of the queues' figures (queue_stats): the
 * queues its agents serve, its agents alone counted in them.
 * A frame is looked up in a sorted array, never in the store: the hot
 * path of a wallboard's stream. The owner keeps managed alive while the
 * audience is used. */
struct hub_audience {
	int64_t agent_id;           /* an agent's stream; 0: a supervisor's */
	bool managed_only;          /* a supervisor's who manages some agents only */
	const int64_t *managed;
	size_t n_managed;
	int64_t organisation_id;    /* a supervisor's of an outsourcer: its cut of the queues' figures */
};
/* Whether the audience gets an event or a call naming agent_id (0: none). */
bool hub_audience_sees(const struct hub_audience *a, int64_t agent_id);
/* Copies to fn the routing event frame naming agent_id as the audience may
 * see it (hub_audience_sees; a managed audience's transfer cut of an agent it
 * does not manage), or nothing: what the hub's reads do, for a frame read
 * from the store. */
void hub_audience_frame(const struct hub_audience *a, int64_t agent_id, const char *frame, size_t len,
			hub_frame_fn fn, void *arg);

/* Copies to fn the events after *cursor of tenant that the audience sees,
 * moving *cursor on. Returns false when *cursor
 * is older than the ring (the caller reads the store up to hub_last_id).
 * Any cursor is safe: a negative one means "before every event", one at or
 * beyond the newest id "nothing yet" (it is left as it is); the lock is
 * held for at most HUB_RING slots, whatever the cursor. */
bool hub_read(struct hub *h, int64_t tenant_id, const struct hub_audience *a, int64_t *cursor, hub_frame_fn fn,
	      void *arg);
/* A statistics frame (hub_publish_stats) is the queues' figures, maybe
 * followed by the agents' digest, then each organisation's cut of the
 * queues' figures after HUB_CUT and its number ("\x1f7\nevent:
 * queue_stats..."), the cut numbered 0 for an organisation without one of
 * its own: a byte the JSON in the frames cannot hold raw. Nothing from
 * HUB_CUT on reaches a stream but the audience's own cut. */
#define HUB_CUT "\x1f"
/* Copies the tenant's statistics frame to fn when its generation moved past
 * *generation: the queues' figures, and the agents' digest that came with
 * them; for an outsourcer's audience, its organisation's cut of the
 * figures (none when the frame has none), and for a managed one the digest
 * with only the agents it manages (the digest's seq as it is, so that a
 * page sees no number skipped). */
void hub_read_stats(struct hub *h, int64_t tenant_id, const struct hub_audience *a, uint64_t *generation,
		    hub_frame_fn fn, void *arg);

/* Calls' states (channel/voice/voice.h: voice_call_changed_fn), on their
 * way to the streams of the agent concerned and of the tenant's
 * supervisors. Frames with no id, not stored, so never replayed: a stream
 * carries those published while it is open (its client reads a call's
 * state, GET /api/v1/contacts/{id}/call, when its stream opens). The
 * newest HUB_CALL_RING of every tenant are kept, with a sequence number of
 * this node's. hub_publish_call takes the frame and relays it to the
 * other nodes; hub_publish_call_from is what they relayed. */
#define HUB_CALL_RING 4096
void hub_publish_call(struct hub *h, int64_t tenant_id, int64_t agent_id, char *frame);
void hub_publish_call_from(struct hub *h, int64_t tenant_id, int64_t agent_id, char *frame);
/* The newest call frame's sequence number: a new stream's starting point. */
uint64_t hub_call_seq(struct hub *h);
/* Copies to fn the call frames after *seq of tenant that the audience
 * sees, moving *seq on; those older than the ring are skipped. */
void hub_read_calls(struct hub *h, int64_t tenant_id, const struct hub_audience *a, uint64_t *seq,
		    hub_frame_fn fn, void *arg);

#endif
