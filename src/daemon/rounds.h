/* A thread of rounds: a background job of guichetd (the email and
 * messaging senders, the email fetcher) that runs a round of its work at
 * once when kicked, else when its interval has passed since the last round
 * ended, and back to back while a round says more is due. A kick during a
 * round runs another right after it. */
#ifndef GUICHET_DAEMON_ROUNDS_H
#define GUICHET_DAEMON_ROUNDS_H

#include <stdbool.h>
#include <stdint.h>

struct rounds;

/* One round; true when more is due at once. */
typedef bool rounds_fn(void *arg);

/* Starts the thread. *ret is set before the thread starts, so a round may
 * read it (rounds_stopping). GC_OK or GC_ENOMEM. */
int rounds_start(rounds_fn *round, void *arg, int64_t interval_ms, struct rounds **ret);
/* A round is due now. From any thread; NULL is fine. */
void rounds_kick(struct rounds *r);
/* True once rounds_stop was called: a long round ends early. */
bool rounds_stopping(const struct rounds *r);
/* Lets the round under way end, then ends the thread. NULL is fine. */
void rounds_stop(struct rounds *r);

#endif
