/* The IMAP IDLE watcher's decisions that need no network (idle.h): where a
 * mailbox's server is and whether its password may go there, when a
 * command IDLE must be renewed, and how long to wait before reconnecting
 * after a failure. Pure, no I/O, no clock: the watcher passes the time in,
 * and the unit tests drive every case. */
#ifndef GUICHET_CHANNEL_EMAIL_IDLE_PLAN_H
#define GUICHET_CHANNEL_EMAIL_IDLE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 2177: a server may log out a client idle for 30 minutes, so a client
 * ends and re-issues IDLE at least every 29. 25 leaves room for a slow
 * round trip and a server clock that runs fast. */
#define IDLE_RENEW_MS (25 * 60 * 1000LL)
#define IDLE_BACKOFF_FIRST_MS 1000LL       /* after the first failure */
#define IDLE_BACKOFF_MAX_MS (5 * 60 * 1000LL) /* the longest wait: a server back up is seen within 5 min */
/* A server without IDLE is asked again this late (it may have been upgraded);
 * meanwhile the fetcher's polling serves the mailbox. */
#define IDLE_NO_IDLE_RECHECK_MS (60 * 60 * 1000LL)

/* A mailbox's server, from its imap_url. */
struct idle_server {
	char host[256];    /* a name or an address, IPv6 without its brackets */
	uint16_t port;     /* 993 for imaps, 143 for imap, unless the URL names one */
	bool tls;
	char mailbox[256]; /* the URL's path, percent-decoded; INBOX when none */
};

/* Parses imaps://host[:port][/MAILBOX], or imap:// to a loopback host
 * (127.0.0.1, ::1, localhost): the password never crosses a network in
 * clear, the rule the API applies when a mailbox is added. GC_EINVAL with
 * why otherwise; *ret is written only on success. */
int idle_server_parse(const char *url, struct idle_server *ret, char *why, size_t why_len);

/* When an IDLE entered at since_ms must be ended and entered again. */
int64_t idle_renew_at(int64_t since_ms);

/* How long to wait before the next attempt after n_failures in a row
 * (n_failures >= 1): 1 s, doubling, at most 5 min, plus up to a tenth more
 * spread by seed (the mailbox's id), so that the many mailboxes of a server
 * that comes back do not all log in the same second. */
int64_t idle_backoff_ms(int n_failures, uint64_t seed);

/* The poll timeout in milliseconds from now until deadline: 0 when it has
 * passed, and never more than cap_ms. */
int idle_wait_ms(int64_t now_ms, int64_t deadline_ms, int cap_ms);

#endif
