/* The IMAP IDLE watcher: a thread of guichetd that keeps one connection to
 * each mailbox whose server offers IDLE (RFC 2177), logged in, the mailbox
 * EXAMINEd (read-only: the watcher changes nothing) and in IDLE, and wakes
 * the fetcher (fetch.h, fetcher_kick) as soon as the server reports a new
 * message (EXISTS). The fetcher still does all the taking, exactly once;
 * the watcher only tells it when. A server without IDLE is left to the
 * fetcher's polling (--mail-poll), which also covers any message the
 * watcher missed.
 *
 * One thread serves every connection with poll() on their descriptors: a
 * tenant may have hundreds of mailboxes, idle almost all the time, and a
 * thread each would cost a stack and a wake-up each for nothing. The price
 * is that the rare blocking steps (connect, TLS, LOGIN, EXAMINE, and the
 * DONE that answers activity) run one after another, each bounded by a
 * 10-second network timeout.
 *
 * A mailbox's connection, named for the function behind each transition:
 *
 *                  watch_connect: connect, certificate, LOGIN,
 *   list_mailboxes   CAPABILITY, EXAMINE, IDLE; fetcher_kick
 *   ───────▶ DOWN ─────────────────────────────────────▶ IDLING ◀──┐
 *             ▲ ▲  no IDLE offered: closed, asked again   │  │     │ watch_activity (data, or
 *             │ └─ in an hour (the fetcher polls it)      │  └─────┘ 25 min passed): DONE,
 *             │                                           │          fetcher_kick on EXISTS,
 *             └──── watch_fail: any error; back after ────┘          IDLE again
 *                   1 s, doubling up to 5 min
 *
 *   list_mailboxes: a mailbox gone, changed, or of a tenant routed
 *   elsewhere is closed (watch_clear) whatever its state.
 *
 * Invariants: a connection in IDLE is one mailbox's, of a tenant this node
 * routes (cluster_routes), with an imaps:// URL or imap:// to loopback
 * (idle_plan.h), whose server certificate was verified before the password
 * was sent; the list is read again every second, so a mailbox added is
 * watched within a second and one removed (or whose tenant moved to another
 * node) is let go as soon; after each (re)connection the fetcher is kicked
 * once, for what arrived while nobody watched. */
#ifndef GUICHET_CHANNEL_EMAIL_IDLE_H
#define GUICHET_CHANNEL_EMAIL_IDLE_H

struct cluster;
struct fetcher;
struct secrets;
struct idle_watcher;

struct idle_watcher_deps {
	const char *db;          /* the database, read by the watcher's own connection */
	struct secrets *secrets; /* unseals the mailboxes' passwords */
	struct cluster *cluster; /* NULL alone */
	struct fetcher *fetcher; /* kicked on new mail */
};

int idle_watcher_start(const struct idle_watcher_deps *deps, struct idle_watcher **ret);
/* The mailboxes read again at once (one added or removed), not
 * at the next list. From any thread; NULL is fine. */
void idle_watcher_relist(struct idle_watcher *w);
/* Closes every connection and ends the thread: at once, unless a network
 * step is under way (at most its 10-second timeout). Before the fetcher
 * stops. NULL is fine. */
void idle_watcher_stop(struct idle_watcher *w);

#endif
