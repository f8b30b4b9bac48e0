/* The chat fan-out: a conversation's events, to the streams of that
 * conversation only.
 *
 * Unlike the routing hub (hub.h: a ring per tenant that every stream of the
 * tenant reads), the chat hub is keyed by contact: a worker that serves a
 * chat's stream watches that contact (chathub_watch), and an event of the
 * contact is copied into the inbox (a chatbox) of each worker watching it,
 * which is then woken; the worker hands it to its streams of that contact
 * (chatstream.c). The cost of an event is a hash lookup and one copy per
 * worker watching the contact, whatever the number of other streams.
 *
 * What is stored (a message, a read mark) is staged on the writer during
 * its transaction (chathub_stage) and published once the batch committed
 * (chathub_job_end and chathub_batch_end follow the writer's savepoints and
 * commit, as the router's events do): nobody sees a message that was
 * rolled back. What is not stored (typing, a delivered mark) is published
 * at once from any thread (chathub_publish). The routing engine's committed
 * events about a watched contact (an agent accepted it, it ended) come in
 * through chathub_routing and go out as CHAT_ROUTING notes.
 *
 * In a cluster (cluster.h), what this node publishes for its watchers goes
 * to the other nodes too (chathub_set_relay), whose hubs take it with
 * chathub_publish_here; routing notes are not relayed: each node makes its
 * own from the routing events relayed to its hub.
 *
 * Thread-safe: one mutex around the watches and the inboxes; the staging
 * is the writer thread's alone. Waking a worker is event_active, safe from
 * another thread once evthread_use_pthreads was called. */
#ifndef GUICHET_DAEMON_CHATHUB_H
#define GUICHET_DAEMON_CHATHUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chathub;
struct chatbox;
struct event_base;
struct hub_event;

/* Who a note is for: the visitor's streams, the agent's, both; or a
 * routing change (frame holds the routing event's type, id the agent). */
enum chat_to { CHAT_TO_VISITOR = 1, CHAT_TO_AGENT = 2, CHAT_TO_BOTH = 3, CHAT_ROUTING = 4, CHAT_RESUME = 8 };

struct chat_note {
	int64_t contact_id;
	int64_t id;                /* the message id of a message event (its SSE id), else 0; CHAT_ROUTING: the agent */
	enum chat_to to;
	const char *frame;         /* "event: ...\ndata: ...\n\n" (with "id: N\n" first for a message) */
	size_t len;
};

struct chathub *chathub_new(void);
/* Once no box is left. NULL is fine. */
void chathub_free(struct chathub *h);

/* A worker's inbox on base: fn(arg, note) runs on the worker's thread for
 * each note of a contact it watches. */
typedef void (*chatbox_fn)(void *arg, const struct chat_note *note);
struct chatbox *chatbox_new(struct chathub *h, struct event_base *base, chatbox_fn fn, void *arg);
/* Drops the box's watches and unread notes. NULL is fine. */
void chatbox_free(struct chatbox *b);
/* One more (or one fewer) stream of b follows the contact. GC_ENOMEM when
 * the watch cannot be made. */
int chathub_watch(struct chatbox *b, int64_t contact_id);
void chathub_unwatch(struct chatbox *b, int64_t contact_id);

/* Whether a waiting chat's place or expected wait differs from what its
 * watchers were last told (and from now on, this is what they were told):
 * the wait is published only when it moves, not every few seconds for
 * every waiting chat. A stream that opens hears the current wait from the
 * store on its own. */
bool chathub_wait_changed(struct chathub *h, int64_t contact_id, uint32_t position, int64_t expected_s);
/* Now, from any thread (typing, delivered marks): copied, and relayed. */
void chathub_publish(struct chathub *h, const struct chat_note *note);
/* To this node's watchers only (another node's notes; a wait told to the
 * streams here): copied, never relayed. */
void chathub_publish_here(struct chathub *h, const struct chat_note *notes, size_t n);

/* The other nodes (cluster.c): notes(arg, ...) gets what this node
 * publishes, committed notes once their batch committed. Set before the
 * threads publish. */
struct chathub_relay {
	void (*notes)(void *arg, const struct chat_note *notes, size_t n);
	void *arg;
};
void chathub_set_relay(struct chathub *h, const struct chathub_relay *relay);
/* Each box gets a CHAT_RESUME note (contact 0): its streams are ended for
 * their clients to resume from the store, after notes from the other nodes
 * may have been lost (the NATS link was down). */
void chathub_resume_all(struct chathub *h);
/* On the writer, in a request's or task's work: published after the
 * commit (frame copied). GC_ENOMEM when it cannot be kept. */
int chathub_stage(struct chathub *h, const struct chat_note *note);
/* The writer's job ended: its staged notes go to the batch when kept,
 * else are dropped. */
void chathub_job_end(struct chathub *h, bool kept);
/* The batch committed (published) or not (dropped). */
void chathub_batch_end(struct chathub *h, bool committed);
/* The routing engine's committed events (router_add_observer's callback;
 * arg is the hub): those of a watched contact go out as CHAT_ROUTING notes. */
void chathub_routing(void *arg, const struct hub_event *events, size_t n);

#endif
