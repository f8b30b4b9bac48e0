/* The email fetcher: a thread of guichetd that polls every mailbox (imap.h)
 * and takes each new message into its tenant exactly once:
 *
 *   the mailbox's UIDVALIDITY and the UIDs after the last one taken
 *   ─▶ per message, in UID order: its bytes, parsed (parse.h)
 *   ─▶ every 64 messages (or 32 MB), on the writer, in one transaction:
 *      each email taken (ingest.h) in a savepoint of its own, and the
 *      mailbox's last UID moved to the batch's last (writer_run)
 *   ─▶ after the commit only: the batch flagged \Seen on the server, in
 *      one command.
 *
 * While a batch commits, the next is fetched and parsed (writer_start);
 * it is handed to the writer only once the one before has committed, so
 * a batch that failed is never passed by the mailbox's last UID.
 *
 * A crash before the commit loses nothing (the UID is fetched again); one
 * between the commit and the flag takes nothing twice (the last UID moved
 * on, and the Message-ID is recorded). A new UIDVALIDITY (the mailbox was
 * rebuilt) starts again from UID 1, and the recorded Message-IDs keep each
 * email once. After an outage everything since the last UID is fetched,
 * however old. A message that cannot be taken (the store refused it) is
 * logged and passed over, so that it never blocks the mailbox; a storage
 * error stops the round, to be tried again at the next.
 *
 * A round takes at most 500 messages per mailbox; while more wait, the next
 * round starts at once, else after the poll interval or when kicked
 * (fetcher_kick: the IDLE watcher saw new mail). Replies go out from
 * a thread of their own (sender.h). In a cluster a node fetches the
 * mailboxes of the tenants it routes. */
#ifndef GUICHET_CHANNEL_EMAIL_FETCH_H
#define GUICHET_CHANNEL_EMAIL_FETCH_H

struct cluster;
struct secrets;
struct writer;
struct fetcher;
struct email_sender;

struct fetcher_deps {
	const char *db;             /* the database, read by the fetcher's own connection */
	struct writer *writer;
	struct secrets *secrets;
	struct cluster *cluster;    /* NULL alone */
	struct email_sender *sender; /* kicked after each batch: its acknowledgements */
	int poll_ms;                /* between rounds */
};

int fetcher_start(const struct fetcher_deps *deps, struct fetcher **ret);
/* A mailbox has new mail (the IDLE watcher, idle.h): a round now, or as
 * soon as the one under way ends, instead of after the poll interval. From
 * any thread; kicks before a round begins make one round. NULL is fine. */
void fetcher_kick(struct fetcher *f);
/* Ends the round under way after its current message, and the thread. NULL is fine. */
void fetcher_stop(struct fetcher *f);

#endif
