/* Contacts: one customer request, across channels and messages.
 *
 * The state machine (validated by contact_state_can_move):
 *
 *   new ──▶ queued ──▶ assigned ──▶ in_progress ──▶ waiting_on_customer
 *    │        ▲  ╲         │  ╲          │  ▲              │
 *    │        │   ╲        ▼   ╲         ▼  └──────────────┘
 *    │        │    ╲─▶ escalated ──▶ (assigned | in_progress)
 *    └────────┴──────────────▶ resolved ──▶ closed
 *                               │ (reopen)
 *                               └──▶ in_progress
 *   waiting_on_customer, resolved ──▶ queued (the customer wrote again)
 *
 * Invariants: closed is final; resolved carries a disposition code (checked
 * by the caller with contact_state_needs_disposition); every move appends a
 * "state_changed" event in the same transaction (src/store/contact.c). */
#ifndef GUICHET_CONTACT_H
#define GUICHET_CONTACT_H

#include <stdbool.h>

enum contact_state {
	CONTACT_NEW,
	CONTACT_QUEUED,
	CONTACT_ASSIGNED,
	CONTACT_IN_PROGRESS,
	CONTACT_WAITING_ON_CUSTOMER,
	CONTACT_ESCALATED,
	CONTACT_RESOLVED,
	CONTACT_CLOSED,
	CONTACT_N_STATES
};

enum contact_channel {
	CHANNEL_PHONE,
	CHANNEL_EMAIL,
	CHANNEL_CHAT,
	CHANNEL_SMS,
	CHANNEL_SOCIAL,
	CHANNEL_WEB,
	CHANNEL_N
};

/* "in_progress" and friends; NULL for an out-of-range value. */
const char *contact_state_name(enum contact_state state);
/* The state named text; GC_EINVAL when there is none. */
int contact_state_parse(const char *text, enum contact_state *ret_state);
/* Whether from -> to is an allowed move (a move to the same state is not). */
bool contact_state_can_move(enum contact_state from, enum contact_state to);
/* Whether entering this state requires a disposition code. */
bool contact_state_needs_disposition(enum contact_state to);

const char *contact_channel_name(enum contact_channel channel);
int contact_channel_parse(const char *text, enum contact_channel *ret_channel);

#endif
