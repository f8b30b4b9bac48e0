/* The contact state machine and channel names (include/guichet/contact.h). */
#include "guichet/contact.h"
#include "guichet/error.h"

#include <string.h>

static const char *const state_names[CONTACT_N_STATES] = {
	"new", "queued", "assigned", "in_progress", "waiting_on_customer",
	"escalated", "resolved", "closed",
};

static const char *const channel_names[CHANNEL_N] = {
	"phone", "email", "chat", "sms", "social", "web",
};

#define BIT(s) (1u << (s))

/* allowed[from] is the set of states reachable in one move. */
static const unsigned allowed[CONTACT_N_STATES] = {
	[CONTACT_NEW] = BIT(CONTACT_QUEUED) | BIT(CONTACT_ASSIGNED) | BIT(CONTACT_IN_PROGRESS) |
			BIT(CONTACT_ESCALATED) | BIT(CONTACT_RESOLVED) | BIT(CONTACT_CLOSED),
	[CONTACT_QUEUED] = BIT(CONTACT_ASSIGNED) | BIT(CONTACT_ESCALATED) | BIT(CONTACT_RESOLVED) |
			   BIT(CONTACT_CLOSED),
	[CONTACT_ASSIGNED] = BIT(CONTACT_IN_PROGRESS) | BIT(CONTACT_QUEUED) | BIT(CONTACT_ESCALATED) |
			     BIT(CONTACT_RESOLVED),
	[CONTACT_IN_PROGRESS] = BIT(CONTACT_WAITING_ON_CUSTOMER) | BIT(CONTACT_QUEUED) |
				BIT(CONTACT_ESCALATED) | BIT(CONTACT_RESOLVED),
	/* queued again: the customer answered (ops_customer_wrote) */
	[CONTACT_WAITING_ON_CUSTOMER] = BIT(CONTACT_IN_PROGRESS) | BIT(CONTACT_RESOLVED) |
					BIT(CONTACT_CLOSED) | BIT(CONTACT_QUEUED),
	[CONTACT_ESCALATED] = BIT(CONTACT_ASSIGNED) | BIT(CONTACT_IN_PROGRESS) | BIT(CONTACT_RESOLVED),
	[CONTACT_RESOLVED] = BIT(CONTACT_CLOSED) | BIT(CONTACT_IN_PROGRESS) | BIT(CONTACT_QUEUED),
	[CONTACT_CLOSED] = 0,
};

const char *contact_state_name(enum contact_state state)
{
	return (unsigned)state < CONTACT_N_STATES ? state_names[state] : NULL;
}

int contact_state_parse(const char *text, enum contact_state *ret_state)
{
	for (int i = 0; i < CONTACT_N_STATES; i++) {
		if (strcmp(text, state_names[i]) == 0) {
			*ret_state = (enum contact_state)i;
			return GC_OK;
		}
	}
	return GC_EINVAL;
}

bool contact_state_can_move(enum contact_state from, enum contact_state to)
{
	if ((unsigned)from >= CONTACT_N_STATES || (unsigned)to >= CONTACT_N_STATES)
		return false;
	return (allowed[from] & BIT(to)) != 0;
}

bool contact_state_needs_disposition(enum contact_state to)
{
	return to == CONTACT_RESOLVED;
}

const char *contact_channel_name(enum contact_channel channel)
{
	return (unsigned)channel < CHANNEL_N ? channel_names[channel] : NULL;
}

int contact_channel_parse(const char *text, enum contact_channel *ret_channel)
{
	for (int i = 0; i < CHANNEL_N; i++) {
		if (strcmp(text, channel_names[i]) == 0) {
			*ret_channel = (enum contact_channel)i;
			return GC_OK;
		}
	}
	return GC_EINVAL;
}
