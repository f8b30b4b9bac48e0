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

/* The frame of a chat event into ret (malloc'd): "id: N\n" when id > 0,
 * then "event: TYPE\ndata: JSON\n\n"; data is taken. GC_ENOMEM. */
int chat_frame(const char *type, int64_t id, json_t *data, char **ret, size_t *ret_len);

#endif
