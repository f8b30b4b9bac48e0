/* The messaging sender: a thread of guichetd of its own that sends the
 * replies on SMS and social contacts (send.h) as soon as they are
 * committed. It sleeps until kicked (the writer kicks it after a batch that
 * added a message, ROUTE_MAIL) or until the poll interval passes (messages
 * waiting for their next try), then sends rounds while more are due. */
#ifndef GUICHET_CHANNEL_MESSAGING_SENDER_H
#define GUICHET_CHANNEL_MESSAGING_SENDER_H

#include <stdint.h>

struct cluster;
struct secrets;
struct writer;
struct msg_sender;

struct msg_sender_deps {
	const char *db;             /* the database, read by the sender's own connection */
	struct writer *writer;
	struct secrets *secrets;
	struct cluster *cluster;    /* NULL alone */
	int64_t retry_ms;           /* the first retry's wait; also the longest sleep */
};

int msg_sender_start(const struct msg_sender_deps *deps, struct msg_sender **ret);
/* Something may be due: send it now. From any thread; NULL is fine. */
void msg_sender_kick(void *sender);
/* Ends the round under way and the thread. NULL is fine. */
void msg_sender_stop(struct msg_sender *s);

#endif
