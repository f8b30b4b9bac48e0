/* The daily level-2 export in guichetd: one day's export as the API
 * answers it, and the timer that mails each tenant's export once a day.
 *
 * The timer runs on the email sender's thread (sender.h), each round, before the
 * outbox is sent:
 *
 *   every schedule (a tenant's local time HH:MM, a recipient, a mailbox)
 *   ─▶ each local day from L2_CATCH_UP_DAYS ago to today whose time has
 *      passed, not before the day the schedule was made, and not sent yet
 *   ─▶ its export read (the sender's read connection), written as a
 *      workbook (report/l2.h) to a temporary file and read back
 *   ─▶ on the writer, in one transaction: sent already? (another node, an
 *      earlier round) nothing; else the mail queued in the outbox with no
 *      contact, the workbook attached, and the day recorded (its unique
 *      key (tenant, day) refuses a second one, whichever node writes it).
 *
 * So a day is queued exactly once: a crash before the commit leaves it to
 * the next round; after it, the day is recorded. The outbox then sends it
 * like any mail (send.h: retried, never twice after a success), as
 * guichet's own automatic mail (Auto-Submitted). Days missed while guichetd
 * was down are sent when it comes back, up to L2_CATCH_UP_DAYS back. The
 * export of a day holds the contacts that went to level 2 that local day
 * up to when it was built; GET /api/v1/exports/l2 gives any whole day. In a
 * cluster, a tenant's export is queued by the node that routes it. */
#ifndef GUICHET_DAEMON_L2_EXPORT_H
#define GUICHET_DAEMON_L2_EXPORT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

struct cluster;
struct writer;

#define L2_CATCH_UP_DAYS 7
#define L2_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The scope's export of date (YYYY-MM-DD, the tenant's local day):
 * {"date","time_zone","from","to","count","truncated","categories":
 * l2_group(...)}. GC_EINVAL for a bad date (*ret_field "date"). */
int l2_export_build(struct store *db, const struct store_scope *scope, const char *date, json_t **ret);

/* Queues the exports due at now (the email sender's round). db is the
 * caller's read connection. */
void l2_export_due(struct store *db, struct writer *w, struct cluster *cl, int64_t now);

#endif
