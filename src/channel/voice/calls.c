/* Calls' steps on the writer (calls.h): a queue of jobs and the one thread
 * that hands them to the writer, in order, many calls' steps at once. */
#include "channel/voice/calls.h"
#include "channel/voice/wait_ops.h"
#include "daemon/callback.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/router.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/message.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/text.h"

struct voice_calls {
	struct writer *writer;
	voice_calls_done_fn done;
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct voice_job *head, *tail;
	bool stopping;
	pthread_t thread;
};

void voice_job_free(struct voice_job *job)
{
	if (job == NULL)
		return;
	if (job->kind == VOICE_JOB_END || job->kind == VOICE_JOB_RECORDED)
		free(job->ticket);
	free(job);
}

static int event(const struct ops *o, const struct store_scope *scope, int64_t contact_id, const char *type,
		 json_t *data)
{
	int rc = data ? store_voice_event(o->db, scope, contact_id, type, data) : GC_ENOMEM;
	json_decref(data);
	return rc;
}

static int answer(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	struct ops_error err = {0};
	int64_t customer = 0;
	bool created = false;
	/* an anonymous or odd caller id makes a contact with no customer */
	if (t->caller[0] && ops_customer_find_or_create(o, &scope, NULL, t->caller, &customer, &created, &err) < 0)
		customer = 0;
	/* the subject is read by all who see the contact: the number masked
	 * (the customer's record shows it whole to those who may see it) */
	char subject[96], masked[64];
	gc_text_mask(t->caller, masked, sizeof(masked));
	if (t->caller[0])
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Call from %s"), masked);
	else
		snprintf(subject, sizeof(subject), SYSTEM_NOTE("Call from an unknown number"));
	struct contact_input in = {.channel = CHANNEL_PHONE, .customer_id = customer, .subject = subject,
				   .queue_id = t->queue_id};
	int64_t contact = 0;
	int rc = ops_contact_create(o, &scope, &in, &contact, NULL, &err);
	if (rc == GC_OK)
		rc = event(o, &scope, contact, "call_answered",
			   json_pack("{s:s,s:s,s:I}", "number", t->number, "caller", t->caller, "number_id",
				     (json_int_t)t->number_id));
	/* a current incident whose audience holds the caller is said before the menu */
	if (rc == GC_OK)
		rc = voice_incident_text(o, &scope, contact, t->lang, job->text, sizeof(job->text));
	if (rc == GC_OK) {
		job->contact_id = contact;
		job->queue_id = t->queue_id;
	}
	return rc;
}

static int choice(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	char key[2] = {job->key, '\0'};
	json_t *data = json_pack("{s:s,s:s}", "key", key, "menu", job->menu_path);
	if (data && job->queue_id > 0)
		json_object_set_new(data, "queue_id", json_integer(job->queue_id));
	int rc = event(o, &scope, t->contact_id, "call_menu_choice", data);
	struct ops_error err = {0};
	if (rc == GC_OK && job->queue_id > 0)
		rc = ops_enqueue(o, &scope, t->contact_id, job->queue_id, -1, &err);
	return rc;
}

/* The scope the agent's own actions take (accepting, rejecting, wrapping up). */
static struct store_scope agent_scope(int64_t tenant_id, int64_t agent_id)
{
	struct store_scope scope = ops_channel_scope(tenant_id, "voice");
	scope.user_id = agent_id;
	return scope;
}

/* The agent holding the contact (assigned), or 0. */
static int64_t holder(const struct ops *o, const struct store_scope *scope, int64_t contact_id)
{
	json_t *view = NULL;
	int64_t agent = 0;
	if (router_contact_view(o->router, scope, contact_id, &view) == GC_OK) {
		const char *state = json_string_value(json_object_get(view, "state"));
		if (state && strcmp(state, "assigned") == 0)
			agent = json_integer_value(json_object_get(view, "agent_id"));
	}
	json_decref(view);
	return agent;
}

static int ring(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	return event(o, &scope, t->contact_id, "call_agent_rung", json_pack("{s:I}", "agent_id", (json_int_t)job->agent_id));
}

static int no_answer(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	int rc = event(o, &scope, t->contact_id, "call_agent_no_answer",
		       json_pack("{s:I,s:s}", "agent_id", (json_int_t)job->agent_id, "reason", job->reason));
	if (rc == GC_OK && strcmp(job->reason, "declined") == 0) {
		struct store_scope as = agent_scope(t->tenant_id, job->agent_id);
		rc = router_reject(o->router, o->db, &as, t->contact_id);
		if (rc == GC_ESTATE) /* no longer offered to that agent: nothing to reject */
			rc = GC_OK;
	}
	return rc;
}

static int accept_offer(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope as = agent_scope(t->tenant_id, job->agent_id);
	int rc = router_accept(o->router, o->db, &as, t->contact_id);
	/* accepted from the desktop while the phone rang: the phone still bridges */
	if (rc == GC_ESTATE && holder(o, &as, t->contact_id) == job->agent_id)
		rc = GC_OK;
	if (rc == GC_OK) {
		struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
		int64_t since = t->queued_at ? t->queued_at : t->answered_at;
		rc = event(o, &scope, t->contact_id, "call_bridged",
			   json_pack("{s:I,s:I}", "agent_id", (json_int_t)job->agent_id, "waited_s",
				     (json_int_t)((gc_now_ms() - since) / 1000)));
	}
	return rc;
}

/* A call over (data: its call_ended event, taken): a call its agent
 * holds goes to wrap-up, as any contact that ends; a waiting one is an
 * abandonment, with its wait (the router's event). */
static int close_call(const struct ops *o, int64_t tenant_id, int64_t contact_id, bool waiting, const char *ended_by,
		      json_t *data)
{
	struct store_scope scope = ops_channel_scope(tenant_id, "voice");
	int rc = GC_OK;
	int64_t agent = holder(o, &scope, contact_id);
	/* a callback whose agent's phone did not answer: the agent keeps it */
	if (agent && strcmp(ended_by, "unanswered") != 0) {
		struct store_scope as = agent_scope(tenant_id, agent);
		struct routing_input in = {.priority = -1, .state = CONTACT_RESOLVED, .disposition = "call_ended"};
		rc = router_wrapup(o->router, o->db, &as, contact_id, &in);
		if (rc == GC_ESTATE) /* wrapped up from the desktop meanwhile */
			rc = GC_OK;
		waiting = false;
	}
	/* hanging up in the queue is an abandonment; so is a call cut by the
	 * network, by guichetd stopping or by a crash: no caller is left on the
	 * line for an agent */
	if (waiting)
		rc = router_abandon(o->router, o->db, &scope, contact_id);
	if (rc == GC_ESTATE || rc == GC_ENOTFOUND) /* offered or taken meanwhile, or never queued */
		rc = GC_OK;
	if (rc == GC_OK)
		rc = event(o, &scope, contact_id, "call_ended", data);
	else
		json_decref(data);
	return rc;
}

static int end(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	json_t *data = json_pack("{s:s,s:I}", "by", job->ended_by, "duration_s",
				 (json_int_t)((gc_now_ms() - t->answered_at) / 1000));
	if (data && job->talk_ms > 0) {
		json_object_set_new(data, "talk_s", json_integer(job->talk_ms / 1000));
		json_object_set_new(data, "talk_ms", json_integer(job->talk_ms));
	}
	if (data && job->held_ms > 0)
		json_object_set_new(data, "held_s", json_integer(job->held_ms / 1000));
	int rc = close_call(o, t->tenant_id, t->contact_id, t->waiting, job->ended_by, data);
	t->waiting = false;
	return rc;
}

/* On the writer, as the telephony thread starts: the calls the last run
 * left without an end (a crash) are over, recorded as interrupted; a
 * tenant another node routes is left to it. */
static int recover(void *arg, const struct ops *o)
{
	json_t *calls = NULL, *c;
	size_t i, done = 0;
	int64_t now = gc_now_ms();
	int rc = store_voice_calls_unended(o->db, now - VOICE_CALL_MAX_MS, &calls);
	json_array_foreach(calls, i, c) {
		int64_t tenant = json_integer_value(json_object_get(c, "tenant_id"));
		int64_t contact = json_integer_value(json_object_get(c, "contact_id"));
		int64_t answered = json_integer_value(json_object_get(c, "answered_at"));
		json_t *data = json_pack("{s:s,s:I}", "by", "interrupted", "duration_s", (json_int_t)((now - answered) / 1000));
		if ((rc = close_call(o, tenant, contact, true, "interrupted", data)) == GC_EMOVED) {
			rc = GC_OK;
			continue;
		}
		if (rc < 0)
			break;
		done++;
	}
	json_decref(calls);
	if (done > 0) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", done);
		log_info("calls cut by the last stop recorded as interrupted", "calls", n);
	}
	return rc;
}

int voice_calls_recover(struct writer *writer)
{
	struct writer_task *t = NULL;
	int rc = writer_start(writer, recover, NULL, &t);
	return rc < 0 ? rc : writer_wait(writer, t);
}

/* The agent's leg hung up by a transfer, an escalation or a move: the
 * timeline says so; the router already put the contact where it goes. */
static int moved(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	return event(o, &scope, t->contact_id, strcmp(job->reason, "escalated") == 0 ? "call_escalated"
		     : "call_transferred", json_pack("{s:I,s:s}", "from_agent_id", (json_int_t)job->agent_id, "by",
						     job->reason));
}

/* A callback's customer answered or not: the outcome recorded as the
 * agent would (callback_outcome: reached, or another attempt later while
 * attempts allow; why no answer could come, when known, as its note and
 * the event's "error"), and the bridge when reached. */
static int dialed(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	json_t *data = json_pack("{s:I,s:s,s:I,s:i}", "agent_id", (json_int_t)job->agent_id, "outcome", job->reason,
				 "callback_id", (json_int_t)t->callback_id, "sip_status", job->sip_status);
	if (data && job->note)
		json_object_set_new(data, "error", json_string(job->note));
	int rc = event(o, &scope, t->contact_id, "call_customer_dialed", data);
	enum callback_outcome outcome;
	if (rc == GC_OK && callback_outcome_parse(job->reason, &outcome) == GC_OK) {
		struct store_scope as = agent_scope(t->tenant_id, job->agent_id);
		struct ops_error err = {0};
		rc = callback_outcome(o, &as, t->callback_id, outcome, job->note, false, &err);
		if (rc == GC_ESTATE) /* recorded by the agent meanwhile, or no longer held */
			rc = GC_OK;
	}
	if (rc == GC_OK && strcmp(job->reason, "reached") == 0)
		rc = event(o, &scope, t->contact_id, "call_bridged",
			   json_pack("{s:I,s:I}", "agent_id", (json_int_t)job->agent_id, "callback_id",
				     (json_int_t)t->callback_id));
	return rc;
}

static int notice(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	return event(o, &scope, t->contact_id, "call_recording_notice", json_pack("{s:s}", "lang", job->reason));
}

static int recorded(struct voice_job *job, const struct ops *o)
{
	const struct recorder_info *info = &job->recording;
	struct store_scope scope = ops_channel_scope(info->tenant_id, "voice");
	struct store_recording in = {.contact_id = info->contact_id, .queue_id = info->queue_id,
				     .agent_id = info->agent_id, .started_at = info->started_at,
				     .duration_ms = info->duration_ms, .bytes = info->bytes, .path = info->path};
	return store_recording_add(o->db, &scope, &in, NULL);
}

static int run(void *arg, const struct ops *o)
{
	struct voice_job *job = arg;
	switch (job->kind) {
	case VOICE_JOB_ANSWER:
		return answer(job, o);
	case VOICE_JOB_CHOICE:
		return choice(job, o);
	case VOICE_JOB_END:
		return end(job, o);
	case VOICE_JOB_RING:
		return ring(job, o);
	case VOICE_JOB_NO_ANSWER:
		return no_answer(job, o);
	case VOICE_JOB_ACCEPT:
		return accept_offer(job, o);
	case VOICE_JOB_ANNOUNCE:
		return voice_wait_announce(job, o);
	case VOICE_JOB_CALLBACK:
		return voice_wait_callback(job, o);
	case VOICE_JOB_MOVED:
		return moved(job, o);
	case VOICE_JOB_DIALED:
		return dialed(job, o);
	case VOICE_JOB_NOTICE:
		return notice(job, o);
	case VOICE_JOB_RECORDED:
		return recorded(job, o);
	}
	return GC_EINVAL;
}

#define BATCH_MAX 64 /* jobs handed to the writer at once */

/* Hands job to the writer (*ret the task to wait for), or sets its rc and
 * *ret NULL when it cannot run. */
static void begin(struct voice_calls *c, struct voice_job *job, struct writer_task **ret)
{
	*ret = NULL;
	if (job->kind != VOICE_JOB_ANSWER && job->ticket->contact_id == 0)
		job->rc = GC_ENOTFOUND; /* the answer failed: nothing to record on */
	else if ((job->rc = writer_start(c->writer, run, job, ret)) < 0)
		*ret = NULL;
}

/* Waits for job's task (NULL: none, begin said why in its rc), then
 * updates its ticket from what committed. */
static void finish(struct voice_calls *c, struct voice_job *job, struct writer_task *task)
{
	struct voice_ticket *t = job->ticket;
	if (task)
		job->rc = writer_wait(c->writer, task);
	else if (job->rc == GC_ENOTFOUND)
		return; /* the answer failed: nothing to record on */
	if (job->rc == GC_ESTATE && (job->kind == VOICE_JOB_ANNOUNCE || job->kind == VOICE_JOB_CALLBACK))
		return; /* no longer waiting (offered, taken): nothing to say or do */
	if (job->rc < 0) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)t->contact_id);
		log_error("cannot record a call's step", "number", t->number, "contact", id, "error",
			  gc_error_name(job->rc));
		return;
	}
	if (job->kind == VOICE_JOB_ANSWER) {
		t->contact_id = job->contact_id;
		t->waiting = t->queue_id > 0;
		t->queued_at = t->waiting ? t->answered_at : 0;
	} else if (job->kind == VOICE_JOB_CHOICE && job->queue_id > 0) {
		t->waiting = true;
		t->queued_at = gc_now_ms();
	} else if (job->kind == VOICE_JOB_ACCEPT || job->kind == VOICE_JOB_CALLBACK) {
		t->waiting = false; /* bridged, or handed to its callback: no abandonment */
	} else if (job->kind == VOICE_JOB_MOVED) {
		t->waiting = true; /* hanging up now is an abandonment */
		t->queued_at = gc_now_ms();
	}
	job->contact_id = t->contact_id;
}

/* Whether one of jobs[0..n) is a step of ticket's call. */
static bool has_call(struct voice_job *const *jobs, size_t n, const struct voice_ticket *ticket)
{
	for (size_t i = 0; i < n; i++)
		if (jobs[i]->ticket == ticket)
			return true;
	return false;
}

/* Takes from the queue's head, in order, up to BATCH_MAX jobs of as many
 * calls, stopping before a second step of a call already taken: that one
 * reads from its ticket what the first committed. Under c->lock. */
static size_t take_batch(struct voice_calls *c, struct voice_job **jobs)
{
	size_t n = 0;
	while (c->head && n < BATCH_MAX && !has_call(jobs, n, c->head->ticket)) {
		struct voice_job *job = c->head;
		c->head = job->next;
		job->next = NULL;
		jobs[n++] = job;
	}
	if (c->head == NULL)
		c->tail = NULL;
	return n;
}

/* The jobs queued, taken a batch at a time: each call's steps one after
 * the other, the steps of many calls handed to the writer together (it
 * commits them in one transaction, each in a savepoint) instead of one
 * commit waited for at a time, which held 100 new calls a second. */
static void *calls_main(void *arg)
{
	struct voice_calls *c = arg;
	struct voice_job *jobs[BATCH_MAX];
	struct writer_task *tasks[BATCH_MAX];
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (c->head == NULL && !c->stopping)
			pthread_cond_wait(&c->wake, &c->lock);
		size_t n = take_batch(c, jobs);
		if (n == 0)
			break; /* stopping, and every job run */
		pthread_mutex_unlock(&c->lock);
		for (size_t i = 0; i < n; i++)
			begin(c, jobs[i], &tasks[i]);
		for (size_t i = 0; i < n; i++) {
			finish(c, jobs[i], tasks[i]);
			c->done(jobs[i], c->arg);
		}
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int voice_calls_start(struct writer *writer, voice_calls_done_fn done, void *arg, struct voice_calls **ret)
{
	struct voice_calls *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return GC_ENOMEM;
	*c = (struct voice_calls){.writer = writer, .done = done, .arg = arg};
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, calls_main, c) != 0) {
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return GC_ENOMEM;
	}
	*ret = c;
	return GC_OK;
}

void voice_calls_submit(struct voice_calls *c, struct voice_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->tail)
		c->tail->next = job;
	else
		c->head = job;
	c->tail = job;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

void voice_calls_stop(struct voice_calls *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
