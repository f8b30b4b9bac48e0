/* The email sender: a thread of guichetd of its own that sends the
 * outbox's replies (send.h) as soon as they are committed, so a reply never
 * waits behind a mailbox being fetched nor for the poll interval.
 *
 * It sleeps until kicked (email_sender_kick: the writer kicks it after a
 * batch that queued mail commits, a channel after its own task) or until
 * the poll interval passes (replies waiting for their next try), then sends
 * rounds while more are due. Each round first queues the daily level-2
 * exports that came due (daemon/l2_export.h). */
#ifndef GUICHET_CHANNEL_EMAIL_SENDER_H
#define GUICHET_CHANNEL_EMAIL_SENDER_H

struct cluster;
struct secrets;
struct writer;
struct email_sender;

struct email_sender_deps {
	const char *db;             /* the database, read by the sender's own connection */
	struct writer *writer;
	struct secrets *secrets;
	struct cluster *cluster;    /* NULL alone */
	int poll_ms;                /* the longest sleep: retries wait at most this after they are due */
};

int email_sender_start(const struct email_sender_deps *deps, struct email_sender **ret);
/* Something may be due: send it now. From any thread; NULL is fine. */
void email_sender_kick(void *sender);
/* Ends the round under way and the thread. NULL is fine. */
void email_sender_stop(struct email_sender *s);

#endif
