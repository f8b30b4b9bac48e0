/* What a waiting caller meets, on the writer (the jobs of calls.h, run by
 * writer_run in the call's order): the position and expected wait read
 * from the routing (router_contact_view: the queue's measured handle times,
 * never a fixed time) and said as announce.h phrases them; the keypad's
 * virtual hold, a callback for the caller's number that keeps the call's
 * place (callback.h, since the call entered the queue) while the call's
 * contact leaves the queue as handed to it (router_leave, disposition
 * "callback_requested", no abandonment); and the voice text of the current
 * incident a new call's contact was linked to (store_incident_link, in
 * ops_contact_create: its audience holds the caller). Each leaves its
 * event on the timeline. */
#ifndef GUICHET_CHANNEL_VOICE_WAIT_OPS_H
#define GUICHET_CHANNEL_VOICE_WAIT_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "channel/voice/calls.h"
#include "daemon/ops.h"

/* VOICE_JOB_ANNOUNCE: job->text the phrase (job->key: the callback's key,
 * or '\0'), event call_position_announced {"position","expected_wait_s",
 * "text"}. GC_ESTATE when the contact no longer waits in a queue (offered,
 * taken, gone): nothing is said. */
int voice_wait_announce(struct voice_job *job, const struct ops *o);

/* VOICE_JOB_CALLBACK: the callback (source "phone", the call's queue, its
 * place since the ticket's queued_at), event call_callback_requested
 * {"callback_id","callback_contact_id","key","queue_id","waited_s"} on the
 * call's contact and callback_from_call {"call_contact_id"} on the
 * callback's; job->text the confirmation. GC_ESTATE when the contact no
 * longer waits (nothing is written). */
int voice_wait_callback(struct voice_job *job, const struct ops *o);

/* The voice text of the first current incident contact_id is linked to,
 * in lang, into ret (""when none), and its event call_incident_announced
 * {"incident_id","text"}: the template of the latest broadcast's kind
 * (update, else declaration) in lang (else the other language), its
 * subject filled as broadcasts fill it, the customer's name left out;
 * without a template the incident's title and the latest update's text. */
int voice_incident_text(const struct ops *o, const struct store_scope *scope, int64_t contact_id, const char *lang,
			char *ret, size_t len);

#endif
