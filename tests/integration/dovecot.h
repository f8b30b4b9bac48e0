/* A throwaway Dovecot IMAP server for the email tests: Debian's dovecot-imapd
 * run with `dovecot -F -c FILE` on a minimal dovecot.conf written here (no
 * system configuration is read), everything in one temporary folder:
 *
 *   dovecot.conf  users (the passwd-file: passdb and userdb)
 *   cert.pem key.pem (a self-signed EC certificate for 127.0.0.1, made at start)
 *   run/ (base_dir)  state/ (state_dir)  dovecot.log
 *   mail/USER/Maildir/ (each user's mail, Maildir)
 *
 * Plain IMAP and IMAPS each on a free port of 127.0.0.1; PLAIN and LOGIN
 * authentication against the users given to dovecot_start.
 * Tuned for tests: no fsync of mail files, and a failed login answers at once
 * (no auth_failure_delay, no growing penalty per client address, which would
 * reach 15 s).
 *
 * Every Dovecot process runs as one unprivileged user, whoever runs the
 * test: ourselves, or "nobody" when we are root (CI). Dovecot allows that
 * ("rootless"): default_login_user and default_internal_user are that user,
 * every mail user gets its uid, and no service chroots.
 *
 * Nothing outlives the test: the server runs under a guard process
 * (srvguard.h) that stops it and removes the folder when the test ends,
 * however it ends. */
#ifndef GUICHET_TEST_DOVECOT_H
#define GUICHET_TEST_DOVECOT_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "srvguard.h"

struct dovecot {
	char dir[64];          /* the temporary folder above */
	char url[64];          /* imap://127.0.0.1:PORT, plain (allowed on loopback) */
	char imaps_url[64];    /* imaps://127.0.0.1:PORT, TLS */
	char ca_file[96];      /* the self-signed certificate, for CURLOPT_CAINFO */
	int port;
	int imaps_port;
	uid_t uid;             /* who the server and the mail files belong to */
	gid_t gid;
	struct srvguard guard;
};

/* Starts a server whose users are given as "name:password" strings
 * (NULL-terminated; a name of letters, digits and ._@-, a password without
 * ':' or a line break). 0 once both ports answer, or -1 with the reason (and
 * the server's log) on stderr; on failure nothing is left running or on disk
 * and d needs no stop. */
int dovecot_start(struct dovecot *d, const char *const users[]);
/* Stops the server and removes its folder; 0, or -1 with the reason on
 * stderr. Accepts a server never started or already stopped. */
int dovecot_stop(struct dovecot *d);
/* The master process's pid (the leader of the server's process group). */
pid_t dovecot_pid(const struct dovecot *d);

/* Puts one message (raw, len bytes, CRLF line ends as on the wire) into a
 * user's mailbox by IMAP APPEND over plain IMAP, creating the mailbox when it
 * is not INBOX and does not exist. 0, or -1 with the reason on stderr. */
int dovecot_append(const struct dovecot *d, const char *user, const char *password,
		   const char *mailbox, const char *raw, size_t len);
/* The same for n messages over one connection, in order: much faster for a
 * mailbox of thousands. Stops at the first failure. */
int dovecot_append_n(const struct dovecot *d, const char *user, const char *password,
		     const char *mailbox, const struct iovec msgs[], size_t n);
/* Puts n messages straight into a user's Maildir (mail/USER/Maildir/new, or
 * .MAILBOX/new for another mailbox, made if missing) as a local delivery
 * agent would: each written in tmp/, then renamed into new/. Dovecot sees
 * them at its next look at the mailbox (a SELECT, STATUS, NOOP, or at once
 * for a client in IDLE), and numbers them in the order given (each file name
 * holds a strictly increasing time). For big mailboxes: 2,000 messages of
 * 5 KB take 1.6-1.8 s here (the VM's disk: about 0.8 ms a file), against
 * 6.2-6.6 s by APPEND, whose cost grows with the mailbox; and no login. A mailbox name of
 * letters, digits, '_' and '-'. 0, or -1 with the reason on stderr (the
 * messages before the failing one are delivered). */
int dovecot_deliver(const struct dovecot *d, const char *user, const char *mailbox,
		    const struct iovec msgs[], size_t n);

#endif
