/* Sending the replies in the outbox (reply.h) by SMTP through libcurl, from
 * the sender's thread (sender.h), each round:
 *
 *   the replies due (at most 100) ─▶ each marked sending, its attempt
 *   counted, its next try set (one transaction) ─▶ each written (compose.h)
 *   and sent with its mailbox's SMTP server and login, over one libcurl
 *   handle (one connection per server) ─▶ each marked sent, queued again or
 *   failed (one transaction).
 *
 * A crash while sending leaves them "sending", due again at their next try:
 * each goes again with the same Message-ID, which lets the receiver drop a
 * duplicate. A temporary failure (no answer, a 4xx) waits 30 s, then twice
 * as long each time, up to an hour, and gives up after 8 tries; a permanent
 * one (a 5xx, a refused login) fails at once. A reply that failed says why
 * in a note on its contact, which the agent sees. In a cluster a node sends
 * the replies of the tenants it routes. */
#ifndef GUICHET_CHANNEL_EMAIL_SEND_H
#define GUICHET_CHANNEL_EMAIL_SEND_H

#include <stdbool.h>
#include <stdint.h>

struct cluster;
struct secrets;
struct store;
struct writer;

#define SEND_MAX_ATTEMPTS 8

/* How long the n-th failed try waits (ms). */
int64_t send_backoff_ms(int64_t attempts);

/* Sends what is due (at most a round's worth); true when more is due at
 * once. db is the caller's read connection. */
bool email_send_due(struct store *db, struct writer *w, struct secrets *k, struct cluster *cl);

#endif
