/* Sending the agents' replies on SMS and social contacts to their
 * providers with libcurl, from the messaging sender's thread (sender.h),
 * each round:
 *
 *   the messages due (at most 50) ─▶ each marked sending, its attempt
 *   counted, its next try set (one transaction) ─▶ each POSTed to its
 *   channel's provider ─▶ each marked sent (with the provider's id, which
 *   its receipts name), queued again or failed (one transaction).
 *
 *   Twilio:  POST {api_url}/2010-04-01/Accounts/{account}/Messages.json,
 *            form To, From, Body, StatusCallback (the channel's webhook),
 *            basic auth account:secret; the answer's "sid" is the id.
 *   generic: POST {api_url}, {"id":"guichet-<n>","to","from","text"},
 *            signed as the webhook is (generic.h); the answer's "id", or
 *            ours when it has none.
 *
 * A network error, a 429 or a 5xx waits the retry base (30 s by default,
 * guichetd --messaging-retry), then twice as long each time, up to an hour,
 * and gives up after MSG_SEND_MAX_ATTEMPTS tries; any other 4xx fails at
 * once with the provider's message. A message that failed says why in a
 * note on its contact. A crash while sending leaves it "sending", due again
 * at its next try. In a cluster a node sends the messages of the tenants it
 * routes. */
#ifndef GUICHET_CHANNEL_MESSAGING_SEND_H
#define GUICHET_CHANNEL_MESSAGING_SEND_H

#include <stdbool.h>
#include <stdint.h>

struct cluster;
struct secrets;
struct store;
struct writer;

#define MSG_SEND_MAX_ATTEMPTS 8

/* How long the n-th failed try waits (ms), from base_ms. */
int64_t msg_send_backoff_ms(int64_t base_ms, int64_t attempts);

/* Sends what is due (a round's worth); true when more is due at once. db
 * is the caller's read connection. */
bool msg_send_due(struct store *db, struct writer *w, struct secrets *k, struct cluster *cl, int64_t retry_ms);

#endif
