/* A mailbox's IMAP server, through libcurl (which speaks the protocol,
 * TLS included): the mailbox's UIDVALIDITY and next UID (STATUS), the UIDs
 * after the last one taken (UID SEARCH), one message's bytes (UID FETCH),
 * and the \Seen flag set once a message is committed (UID STORE). One
 * connection is kept and reused between calls. libcurl has no IDLE: the
 * fetcher polls. What is parsed here is only the untagged answers of
 * STATUS and SEARCH that libcurl hands back as text. */
#ifndef GUICHET_CHANNEL_EMAIL_IMAP_H
#define GUICHET_CHANNEL_EMAIL_IMAP_H

#include <stddef.h>
#include <stdint.h>

struct imap;

/* url: imaps://host[:port]/MAILBOX (INBOX when none). Nothing is sent yet. */
int imap_new(const char *url, const char *username, const char *password, struct imap **ret);
void imap_free(struct imap *c);
/* Why the last call failed. */
const char *imap_errmsg(const struct imap *c);

int imap_status(struct imap *c, int64_t *ret_uidvalidity, int64_t *ret_uidnext);
/* The UIDs above after, in increasing order, at most max (malloc'd). */
int imap_uids_after(struct imap *c, int64_t after, size_t max, int64_t **ret, size_t *ret_n);
/* The message's bytes (malloc'd). */
int imap_fetch(struct imap *c, int64_t uid, char **ret, size_t *ret_len);
/* Flags the n messages \Seen in one command. */
int imap_mark_seen(struct imap *c, const int64_t *uids, size_t n);

#endif
