/* The web chat's live streams (Server-Sent Events), the visitor's and the
 * agent's, on the worker that accepted them.
 *
 * A stream follows one conversation: it watches its contact in the chat
 * hub (chathub.h) before it reads the store, so nothing committed between
 * the two is missed, and it sends each message once: those after the
 * client's cursor (Last-Event-ID or ?after=) from the store, then the live
 * ones whose id is above the last one sent. Then the current state, the
 * wait while waiting, the last marks, and the live events. A stream of a
 * waiting chat gets "wait" every few seconds, computed by the writer,
 * which holds the routing engine (one task per worker and tick, each chat
 * once); a routing change of its
 * contact (an agent accepted it, it was wrapped up or abandoned) becomes a
 * "state" event. When a visitor's stream sends an agent's message (or the
 * agent's a visitor's), a "delivered" mark goes to the other side.
 *
 * In a cluster, a chat whose tenant another node routes hears its wait
 * from that node (cluster_ask_waits), and the notes of the other nodes come
 * relayed through the hub; when they may have been lost (CHAT_RESUME), the
 * streams are ended and their clients resume from the store.
 *
 * The streams are written with conn.h's streaming calls, as the routing
 * streams are (stream.c); a comment line keeps a quiet connection open
 * (the streams take turns, a fifteenth of them a second, so that 10,000
 * never make one burst). An idle stream costs its connection and about a
 * hundred bytes here. */
#ifndef GUICHET_DAEMON_CHATSTREAM_H
#define GUICHET_DAEMON_CHATSTREAM_H

#include "daemon/chathub.h"
#include "daemon/http.h"

struct chatstreams;

struct chatstreams *chatstreams_new(struct worker *w);
/* Ends every stream (draining). */
void chatstreams_end_all(struct chatstreams *s);
void chatstreams_free(struct chatstreams *s);

/* Opens r's connection as a stream of the tenant's chat contact_id for
 * side (CHAT_TO_VISITOR or CHAT_TO_AGENT); answers itself. */
int chatstreams_open(struct request *r, struct store *db, int64_t contact_id, enum chat_to side);

/* A chat's wait to the streams of this node that follow it: "wait" with
 * its place and expected seconds (-1: unknown), told only when it moved
 * unless force (a stream just opened); a chat no longer waiting has its
 * streams look at its state again. Any thread. */
void chatstreams_tell_wait(struct chathub *hub, int64_t contact_id, bool waiting, uint32_t position,
			   int64_t expected_s, bool force);

/* The frame of a chat event into ret (malloc'd): "id: N\n" when id > 0,
 * then "event: TYPE\ndata: JSON\n\n"; data is taken. GC_ENOMEM. */
int chat_frame(const char *type, int64_t id, json_t *data, char **ret, size_t *ret_len);

#endif
