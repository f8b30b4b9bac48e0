/* Goodwill gestures, pure: what a credit, gift or waiver an agent records
 * on a contact needs before it counts. Each role has a limit in the
 * tenant's currency (minor units: cents); a gesture above its author's
 * limit waits for a supervisor whose own limit covers it and who is not its
 * author. The tenant's settings are JSON: {"currency": "EUR", "limits":
 * {"agent": 2000, ...}}, a role absent keeping its default, null meaning
 * no limit. No I/O. */
#ifndef GUICHET_GESTURE_H
#define GUICHET_GESTURE_H

#include "guichet/role.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GESTURE_NO_LIMIT (-1)                 /* a role's limit: none */
#define GESTURE_MAX_AMOUNT 100000000LL        /* 1,000,000.00 in minor units */
#define GESTURE_REASON_MAX 100                /* bytes */
#define GESTURE_NOTE_MAX 1000                 /* bytes */

enum gesture_kind { GESTURE_CREDIT, GESTURE_GIFT, GESTURE_WAIVER };
enum gesture_state { GESTURE_APPROVED, GESTURE_PENDING, GESTURE_REFUSED };

struct gesture_settings {
	char currency[4];             /* ISO 4217, three capitals */
	int64_t limits[ROLE_N];       /* minor units, or GESTURE_NO_LIMIT */
};

/* The defaults: EUR; agents 20.00, outsourced agents 10.00, experts 50.00,
 * supervisors 200.00, tenant admins no limit, the other roles 0 (every
 * gesture they record waits). */
void gesture_settings_default(struct gesture_settings *ret);
/* settings from their JSON over the defaults; GC_EINVAL with the field
 * named in ret_field (and why in msg) for a bad currency, role or limit. */
int gesture_settings_decode(const json_t *json, struct gesture_settings *ret, char *ret_field, size_t field_len,
			    char *msg, size_t msg_len);
json_t *gesture_settings_json(const struct gesture_settings *s);

const char *gesture_kind_name(enum gesture_kind kind);
int gesture_kind_parse(const char *text, enum gesture_kind *ret);
const char *gesture_state_name(enum gesture_state state);
int gesture_state_parse(const char *text, enum gesture_state *ret);

/* Whether role's limit covers amount (minor units). */
bool gesture_within_limit(const struct gesture_settings *s, enum role role, int64_t amount);
/* The state a gesture of amount recorded by role starts in. */
enum gesture_state gesture_initial_state(const struct gesture_settings *s, enum role role, int64_t amount);
/* Whether approver (approver_role, approver_user) may decide on a pending
 * gesture of amount recorded by author_user: not its author, and, to
 * approve, a limit that covers it. GC_OK, or GC_EFORBIDDEN with why in msg. */
int gesture_may_decide(const struct gesture_settings *s, enum role approver_role, int64_t approver_user,
		       int64_t author_user, int64_t amount, bool approve, char *msg, size_t msg_len);

/* "25.00" or "25" into 2500 minor units; GC_EINVAL for anything else
 * (signs, more than two decimals, more than GESTURE_MAX_AMOUNT). */
int gesture_amount_parse(const char *text, int64_t *ret);

#endif
