/* Expected waits: what a customer is told (the voice queue's, the web
 * chat's, a callback's and the email acknowledgement's wait), estimated
 * from what the queue really does rather than from a fixed handle time.
 * Pure: no clock, no I/O.
 *
 * Two parts:
 *
 * - route_handle_window: a queue's measured handle times, the mean of the
 *   last ROUTE_WAIT_WINDOW contacts it finished (what the `wrapup_started`
 *   events carry). A mean over a window follows a queue whose handle times
 *   drift over the day, and does not depend on the order the samples came
 *   in: the router rebuilds it at its start from the day's events, read
 *   newest first (route_handle_window_add_older). Fewer than
 *   ROUTE_WAIT_MIN_SAMPLES samples: no mean (the caller falls back to the
 *   tenant's, then to a default).
 *
 * - route_wait_expected_ms: the wait of a contact with `ahead` contacts to
 *   be served before it, in a queue whose serving agents hold `slots`
 *   contacts at once, `free` of them free now, each slot held `hold_ms` per
 *   contact (handle time plus wrap-up). The first `free` contacts are taken
 *   at once; after that every slot is busy, and slots free up at
 *   slots / hold_ms per unit of time, so the contact waits for the
 *   (ahead - free + 1)th of them:
 *
 *       wait = 0                                  ahead < free
 *       wait = (ahead - free + 1) * hold / slots  otherwise
 *
 *   With exponential handle times this is the exact mean (the in-progress
 *   contacts' remaining times are memoryless); the fixed estimate it
 *   replaced, (ahead + 1) * 5 min / agents, ignored free slots, wrap-up and
 *   the queue's real handle time. */
#ifndef GUICHET_WAIT_H
#define GUICHET_WAIT_H

#include <stdint.h>

#define ROUTE_WAIT_WINDOW 32
#define ROUTE_WAIT_MIN_SAMPLES 3
/* The handle time assumed where nothing was measured yet (the old fixed one). */
#define ROUTE_WAIT_DEFAULT_HANDLE_MS 300000LL

struct route_handle_window {
	int64_t samples[ROUTE_WAIT_WINDOW];
	uint32_t head;              /* where the next (newest) sample goes */
	uint32_t n;                 /* samples held, up to ROUTE_WAIT_WINDOW */
	int64_t sum;
};

/* Adds the newest sample (ms; negative ones count as 0), dropping the
 * oldest once the window is full. */
void route_handle_window_add(struct route_handle_window *w, int64_t handle_ms);
/* Adds a sample older than every one held (a rebuild reading the newest
 * first); ignored once the window is full. */
void route_handle_window_add_older(struct route_handle_window *w, int64_t handle_ms);
/* The mean of the samples held (ms), 0 with fewer than ROUTE_WAIT_MIN_SAMPLES. */
int64_t route_handle_window_mean(const struct route_handle_window *w);

struct route_wait_load {
	uint32_t ahead;             /* contacts to be served before this one */
	uint32_t slots;             /* contacts the serving agents hold at once */
	uint32_t free;              /* of those slots, free now */
	int64_t hold_ms;            /* time a slot is held per contact: handle plus wrap-up */
};

/* The expected wait (ms) before an agent takes the contact; -1 when no
 * slot serves the queue. Capped at 10^15 ms (a huge backlog stays in range). */
int64_t route_wait_expected_ms(const struct route_wait_load *l);

#endif
