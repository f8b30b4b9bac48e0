/* Proactive incidents' broadcasts: the declaration, each update and the
 * resolution of an incident told to the customers of its audience by email,
 * in their language (the customer attribute lang, "en" or "fr"), unless they
 * opted out (the attribute incident_messages = "no").
 *
 * A broadcast is planned by the API (a row in incident_updates) and walked
 * by the writer's clock once a second, a batch at a time: at most
 * rate_per_minute / 60 customers a second (at least 1, at most
 * BROADCAST_MAX_BATCH), so a 100,000-customer audience never holds the
 * writer long, and mail leaves at the tenant's chosen pace. Each customer's
 * row, mail and the walk's cursor commit together (store/broadcast.c), so
 * after a crash the walk resumes where its last batch committed and nobody
 * gets a broadcast twice or is skipped. The mail's Message-ID is made of the
 * incident, the broadcast and the customer, the same if the outbox sends it
 * again after a crash in the SMTP transaction.
 *
 * Templates are filled like canned replies (kb_fill): {{customer.name}},
 * {{incident.title}}, {{incident.since}}, {{incident.expected_end}},
 * {{update.text}}. */
#ifndef GUICHET_DAEMON_BROADCAST_H
#define GUICHET_DAEMON_BROADCAST_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/ops.h"

#define BROADCAST_MAX_BATCH 500
#define BROADCAST_DEFAULT_RATE 600   /* messages a minute */
#define BROADCAST_MAX_RATE 60000

/* Walks each unfinished broadcast one batch further, in the caller's
 * transaction; *ret_queued: how many mails it queued. */
int broadcast_tick(const struct ops *o, int64_t now, int *ret_queued);

/* An incident's template of kind ("declaration", "update", "resolution")
 * in lang, else in the other language; NULL: none. Shared with the voice
 * channel, which says the current incident. */
const json_t *broadcast_template_for(const json_t *templates, const char *kind, const char *lang);

#endif
