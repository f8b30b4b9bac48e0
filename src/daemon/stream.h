/* Live events by Server-Sent Events (GET /api/v1/events).
 *
 * An agent's stream carries the routing events that concern it (offers,
 * assignments, its presence) and the changes of its calls with its phone
 * ("call": rings, bridged, held, over; hub.h's call frames, with no id);
 * a supervisor's carries every routing event and call change of the
 * tenant and the queue statistics each second. Each event has the id of
 * its row in the store, so a client reconnecting with Last-Event-ID gets
 * what it missed from the store, then the live ones from the hub. Streams
 * belong to the worker that accepted them and are written on its thread;
 * a comment line every 15 seconds keeps idle connections open. */
#ifndef GUICHET_DAEMON_STREAM_H
#define GUICHET_DAEMON_STREAM_H

#include "daemon/http.h"

struct streams;

struct streams *streams_new(struct worker *w);
/* Ends every stream (draining); new ones are refused by then. */
void streams_end_all(struct streams *s);
/* Ends every stream and frees s, once nothing publishes to the hub. */
void streams_free(struct streams *s);
/* The handler of GET /api/v1/events. */
int run_events(struct request *r, struct store *db);

#endif
