/* The voice of the customer in guichetd: the fold that counts each new
 * contact's topics into its week, the week's report, and the weekly digest
 * mailed to the tenant's addresses.
 *
 * Both timers run on the email sender's thread (sender.h), each round,
 * before the outbox is sent:
 *
 *   fold: each tenant's contacts past its cursor, created more than
 *   VOC_SETTLE_MS ago (their first message is in), VOC_FOLD_BATCH at a
 *   time ─▶ analysed on this thread (report/voc.h) ─▶ on the writer, in
 *   one transaction: the counts added and the cursor moved, unless it moved
 *   already. A contact counts once, whatever crashes; nothing is recounted.
 *
 *   digest: every schedule (Mondays at a local time) ─▶ the last whole
 *   week, once its Monday's time has passed, if not mailed yet ─▶ its
 *   report built (the reader) ─▶ on the writer, in one transaction: sent
 *   already? nothing; else one mail per address queued in the outbox and
 *   the week recorded (voc_mailings' key refuses a second, whichever node
 *   writes it). So a week is mailed exactly once across kill -9, the way
 *   the level-2 export mails a day (l2_export.h).
 *
 *   barometer: a schedule with "barometer" also mails the accessibility
 *   barometer's last whole month (handlers_barometer.c) once the first day
 *   of the month reaches the same time, once per month, the same way. */
#ifndef GUICHET_DAEMON_VOC_H
#define GUICHET_DAEMON_VOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct cluster;
struct writer;

#define VOC_SETTLE_MS 30000
#define VOC_FOLD_BATCH 500
#define VOC_PREVIOUS_WEEKS 4       /* a topic rises against the mean of these */
#define VOC_MAX_TAGS 20            /* tags reported in a week */
#define VOC_MAX_ADDRESSES 10

/* The scope's week ("YYYY-Www", the tenant's zone): {"week","time_zone",
 * "from","to","contacts","topics","rising","uncovered" (voc_week_figures),
 * "by_tag":[{"tag","contacts_top":n,"topics":[...]}],"failing_knowledge":
 * [{"tag","item_id","title","kind","failed","total"}]}. basic: only the
 * topics, rising and uncovered ones (an outsourcer's staff).
 * GC_EINVAL for a bad week. */
int voc_report_build(struct store *db, const struct store_scope *scope, const char *week, bool basic,
		     json_t **ret);

/* The text of a digest in lang ("en", "fr"): subject and body (malloc'd). */
int voc_digest_text(const json_t *report, const char *lang, char **ret_subject, char **ret_body);

/* The text of the barometer's monthly report (barometer_month's answer) in lang. */
int voc_barometer_text(const json_t *barometer, const char *lang, char **ret_subject, char **ret_body);

/* Folds the new contacts and queues the digests due at now (the email
 * sender's round). db is the caller's read connection. */
void voc_due(struct store *db, struct writer *w, struct cluster *cl, int64_t now);

#endif
