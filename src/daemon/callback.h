/* Callbacks: "all our lines are busy, please call again" made unnecessary.
 * A customer (from the portal, the chat, or staff through the API) asks to
 * be called back at a number, as soon as possible or in a window; the
 * request becomes a phone contact ("Callback", its first message the
 * customer's context) that waits in a queue and keeps its place there, and
 * is offered to agents like any call. The agent calls (the voice channel,
 * once it exists, will place the call and record the outcome through the
 * same callback_outcome) and records what happened.
 *
 * The state machine (store/callback.c reads "offered"/"dialing" from the
 * routing row while the contact is offered to or held by an agent):
 *
 *   request ── as soon as possible ──────────────▶ waiting ──▶ offered ──▶ dialing
 *      └── window ──▶ scheduled ── window opens, or ──┘   (callback_tick)        │
 *                        ▲        next attempt due                    outcome    │
 *                        └── no_answer, busy, voicemail: another attempt fits ◀──┤
 *                            (else missed: attempts_exhausted)                   │
 *                            reached ──▶ done ◀──────────────────────────────────┤
 *                            wrong_number ──▶ missed (wrong_number) ◀────────────┘
 *   scheduled, or waiting unoffered, when the window ends ──▶ missed (window_passed)
 *   scheduled, waiting or offered ── cancel ──▶ cancelled
 *   scheduled, its contact resolved or closed by someone ──▶ cancelled (callback_tick)
 *   waiting, its contact wrapped up without an outcome: read as done
 *
 * Invariants: a callback's contact is in a queue only while it is waiting;
 * a callback coming back for another attempt enters its queue with the
 * time it first entered it (router_enqueue_at), so it keeps its place
 * ahead of requests made after it; done, missed and cancelled are final.
 * Every function runs on the writer, in the caller's transaction. */
#ifndef GUICHET_DAEMON_CALLBACK_H
#define GUICHET_DAEMON_CALLBACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/ops.h"

#define CALLBACK_MAX_WINDOW_MS (14LL * 86400 * 1000) /* a window ends at most 14 days ahead */
#define CALLBACK_ASAP_SPAN_MS (86400LL * 1000)     /* an ASAP request is retried within a day */
#define CALLBACK_MAX_TEXT 4000                       /* bytes of context */
#define CALLBACK_DEFAULT_RETRY_S 900
#define CALLBACK_DEFAULT_ATTEMPTS 3

struct callback_request {
	const char *phone, *name, *context;
	const char *source;         /* portal, chat, api, phone */
	int64_t queue_id;           /* 0: the tenant's callback queue */
	int64_t window_from, window_to; /* ms; both 0: as soon as possible */
	int64_t contact_id;         /* an existing contact whose context it takes; 0: none */
	bool one_per_number;        /* an open request for the same number answers instead (public) */
	int64_t since;              /* ms: the place it keeps, as if waiting since then (a caller's
				     * virtual hold: when the call entered the queue); 0: now */
	bool lenient;               /* phone is a caller's, from the trunk: kept as its digits when
				     * libphonenumber cannot read it (ops_phone_key), not refused */
};

/* A new callback (its contact, customer and row), or with one_per_number
 * the open one for that number (*ret_existing). The number is kept as
 * ops_phone_key makes it in the tenant's country. Errors name the field:
 * phone (not a possible number), window (past, reversed, over 14 days
 * ahead, or wholly outside the tenant's business hours), queue_id (not a
 * phone queue), contact_id; no queue at all is GC_ECONFLICT. */
int callback_request(const struct ops *o, const struct store_scope *scope, const struct callback_request *in,
		     int64_t *ret_id, bool *ret_existing, struct ops_error *err);

/* What the customer is told: {"id","state","position","expected_s","window"}
 * (position and expected_s while it waits in its queue, else null). */
int callback_answer(const struct ops *o, const struct store_scope *scope, int64_t id, json_t **ret);

enum callback_outcome { CALLBACK_REACHED, CALLBACK_NO_ANSWER, CALLBACK_BUSY, CALLBACK_VOICEMAIL,
			CALLBACK_WRONG_NUMBER };
int callback_outcome_parse(const char *text, enum callback_outcome *ret);

/* The outcome of the call to a callback being dialled (held by an agent).
 * By its holder, or by anyone when any_holder (a supervisor): GC_ESTATE
 * otherwise, or when it is not being dialled. note (may be NULL) is added
 * to the contact as an internal note. */
int callback_outcome(const struct ops *o, const struct store_scope *scope, int64_t id, enum callback_outcome outcome,
		     const char *note, bool any_holder, struct ops_error *err);

/* Cancels a scheduled or waiting callback (out of its queue; its contact
 * resolved); GC_ESTATE once it is being dialled or is over. */
int callback_cancel(const struct ops *o, const struct store_scope *scope, int64_t id, struct ops_error *err);

/* The writer's timer (writer.c, each second): scheduled callbacks whose
 * time came enter their queue; those whose window ended before an agent
 * took them (scheduled, or still waiting in the queue) are missed. Each in
 * a savepoint of its own in the caller's transaction (one that fails, or
 * whose tenant another node routes, waits for the next tick); *ret_n: how
 * many changed. */
int callback_tick(const struct ops *o, int64_t now, int *ret_n);

#endif
