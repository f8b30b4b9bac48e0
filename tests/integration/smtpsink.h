/* A real SMTP receiver for the email tests: Postfix's smtp-sink on a free
 * port of 127.0.0.1, keeping every message it accepts as a file of its own
 * (smtp-sink -d), in a temporary folder:
 *
 *   msg/YYYYmmddHHMMSS.RANDOM   one file per accepted mail transaction
 *   smtp-sink.log
 *
 * Each file holds smtp-sink's own header lines (X-Client-Addr, X-Helo-Args,
 * X-Mail-Args: the MAIL FROM address, one X-Rcpt-Args per RCPT TO, then a
 * three-line Received:), the message as the client sent it, dot-unstuffed,
 * with LF line ends, then an empty line. smtpsink_messages splits that.
 *
 * It runs as ourselves, or as "nobody" when we are root, and dies with the
 * test however it ends; its folder goes with it (srvguard.h). */
#ifndef GUICHET_TEST_SMTPSINK_H
#define GUICHET_TEST_SMTPSINK_H

#include <stddef.h>
#include <sys/types.h>

#include "srvguard.h"

struct smtpsink {
	char dir[64];         /* the temporary folder */
	char msg_dir[80];     /* dir/msg: the messages */
	char url[64];         /* smtp://127.0.0.1:PORT */
	int port;
	struct srvguard guard;
};

/* One accepted message, as the receiver kept it. */
struct smtpsink_message {
	char *path;           /* its file */
	char *mail_from;      /* the MAIL FROM address, without <> ("" for a bounce) */
	char **rcpt;          /* the RCPT TO addresses, without <>, in order */
	size_t n_rcpt;
	char *data;           /* the message (headers and body), LF line ends, NUL-terminated */
	size_t len;
};

/* 0 once it accepts connections, or -1 with the reason (and its log) on
 * stderr; on failure nothing is left running or on disk. */
int smtpsink_start(struct smtpsink *s);
/* Stops it and removes its folder; 0, or -1 with the reason on stderr.
 * Accepts a receiver never started or already stopped. */
int smtpsink_stop(struct smtpsink *s);
/* smtp-sink's pid. */
pid_t smtpsink_pid(const struct smtpsink *s);

/* How many messages it has kept so far, or -1. */
long smtpsink_count(const struct smtpsink *s);
/* Waits until it has kept at least n messages whole (smtp-sink writes
 * each as its session goes): 0, or -1 after timeout_ms. */
int smtpsink_wait(const struct smtpsink *s, size_t n, int timeout_ms);
/* Every message kept so far, oldest first as far as the files' times tell:
 * two received within one clock tick (a few ms) may come in either order, so
 * find a message by its content (a Message-ID), not its rank. 0 with *ret (free with smtpsink_messages_free) and
 * *ret_n, or -1 with the reason on stderr (then nothing is returned). */
int smtpsink_messages(const struct smtpsink *s, struct smtpsink_message **ret, size_t *ret_n);
void smtpsink_messages_free(struct smtpsink_message *m, size_t n);

#endif
