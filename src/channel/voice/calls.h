/* What calls do to the store, off the telephony thread: each call's steps
 * (answered, a menu choice, an agent's phone rung, unanswered or answered,
 * ended) become jobs that one thread of this
 * module hands to the writer through the core operations, a batch of
 * several calls' steps at a time (writer_start, then writer_wait in order),
 * each call's steps in order, so the telephony thread's loop never waits
 * for a commit.
 *
 * A call's jobs share its ticket, which the jobs alone read and write (on
 * this module's thread, one job of a call at a time): the contact made by the answer
 * is there for the choice and the end. The telephony thread sees results
 * only in the finished jobs handed back to it (voice_calls_done_fn). */
#ifndef GUICHET_CHANNEL_VOICE_CALLS_H
#define GUICHET_CHANNEL_VOICE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "channel/voice/recorder.h"

struct writer;
struct voice_calls;

/* One call as the store knows it; owned by its jobs, freed with its end. */
struct voice_ticket {
	int64_t tenant_id, number_id;
	int64_t queue_id;          /* the number's queue when it has no menu; 0: none */
	char number[40], caller[40];
	int64_t contact_id;        /* set by the answer; 0 until then, or when it failed */
	bool waiting;              /* put in a queue and not ended */
	int64_t answered_at;       /* ms */
	int64_t queued_at;         /* ms, when it was put in a queue; 0: not yet */
	char lang[3];              /* the number's: what the caller hears is said in it */
	int64_t callback_id;       /* a callback's call to its customer (voice.c's dial); 0: a call in */
};

enum voice_job_kind {
	VOICE_JOB_ANSWER,   /* the customer found or created, the contact created (in the queue, no menu) */
	VOICE_JOB_CHOICE,   /* a menu key: recorded; queue_id > 0 puts the contact there */
	VOICE_JOB_END,      /* the call ended (by the caller, the agent, guichet, the network, a
			     * shutdown): abandoned when waiting in a queue, wrapped up for
			     * its agent when one holds it; the ticket is freed */
	VOICE_JOB_RING,     /* agent_id's phone rings for the offer: recorded */
	VOICE_JOB_NO_ANSWER, /* agent_id's phone stopped ringing unanswered (reason): recorded;
			      * "declined" rejects the offer in the router */
	VOICE_JOB_ACCEPT,   /* agent_id's phone answered: the offer accepted (or already accepted
			     * by that agent from the desktop), the bridge recorded */
	VOICE_JOB_ANNOUNCE, /* waiting: the contact's place read from the routing, its phrase
			     * (with key, the callback's, or '\0') in text, recorded (wait_ops.h) */
	VOICE_JOB_CALLBACK, /* waiting: key pressed, a callback keeping the call's place, the
			     * contact out of the queue (wait_ops.h) */
	VOICE_JOB_MOVED,    /* agent_id's leg hung up because the contact was transferred,
			     * escalated or moved (reason): recorded; the caller waits again */
	VOICE_JOB_DIALED,   /* a callback's customer answered (reason "reached") or not (no_answer,
			     * busy, wrong_number from sip_status): callback_outcome for agent_id */
	VOICE_JOB_NOTICE,   /* a recorded queue's consent notice was said (reason: its language) */
	VOICE_JOB_RECORDED, /* a recording's file is whole: its row and call_recorded; the job
			     * owns its ticket (tenant and contact alone) */
};

#define VOICE_JOB_TEXT_MAX 1200    /* what a job hands back to be said */

struct voice_job {
	enum voice_job_kind kind;
	struct voice_ticket *ticket;
	uint64_t call_id;          /* the telephony thread's call, to route the result back */
	char key;                  /* CHOICE: the key pressed */
	int64_t queue_id;          /* CHOICE: the queue it leads to, 0 for a nested menu */
	char menu_path[16];        /* CHOICE: the keys before it ("" at the top menu) */
	char ended_by[16];         /* END: caller, agent, guichet, network or shutdown */
	int64_t agent_id;          /* RING, NO_ANSWER, ACCEPT: the agent (user) */
	char reason[24];           /* NO_ANSWER: expired, withdrawn, rejected, declined, caller_hung_up... */
	int64_t talk_ms;           /* END: how long caller and agent were bridged; 0: never */
	int64_t held_ms;           /* END: how long the call was on hold, all holds */
	int sip_status;            /* DIALED: the customer's final answer (0: none, a time-out) */
	const char *note;          /* DIALED: why no SIP answer could come, a literal (NULL: none) */
	struct recorder_info recording; /* RECORDED */
	/* results */
	int rc;
	int64_t contact_id;
	char text[VOICE_JOB_TEXT_MAX]; /* ANSWER: the current incident's voice text; ANNOUNCE: the
					* phrase; "" for none */
	struct voice_job *next;
};

/* Called on this module's thread with each finished job, which the callee
 * now owns (voice_job_free). */
typedef void (*voice_calls_done_fn)(struct voice_job *job, void *arg);

int voice_calls_start(struct writer *writer, voice_calls_done_fn done, void *arg, struct voice_calls **ret);
/* Before any call is taken: the calls of the last run that never ended
 * (answered within VOICE_CALL_MAX_MS, no call_ended: guichetd was killed)
 * end now, "interrupted": waiting ones abandoned, held ones to their
 * agent's wrap-up. Waits for the writer. */
#define VOICE_CALL_MAX_MS (24 * 3600 * 1000LL)
int voice_calls_recover(struct writer *writer);
/* Queues job (taken). */
void voice_calls_submit(struct voice_calls *c, struct voice_job *job);
/* Runs the jobs queued, then stops and frees c. NULL is fine. */
void voice_calls_stop(struct voice_calls *c);
/* Frees job, and its ticket after its END. */
void voice_job_free(struct voice_job *job);

#endif
