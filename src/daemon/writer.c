/* Group commit (see writer.h). */
#include "daemon/writer.h"
#include "daemon/kbsvc.h"
#include "daemon/chathub.h"
#include "daemon/checkpoint.h"
#include "daemon/authcache.h"
#include "daemon/broadcast.h"
#include "daemon/callback.h"
#include "daemon/cluster.h"
#include "daemon/desks.h"
#include "daemon/handlers.h"
#include "daemon/http.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/router.h"
#include "daemon/server.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORDINGS_BATCH 1000 /* recordings deleted per transaction */

/* A channel's task (writer_run), waited for on its caller's thread. */
struct task {
	writer_task_fn fn;
	void *arg;
	int rc;
	bool done;
	bool detached;              /* writer_post: nobody waits; the writer frees it and its arg */
	pthread_cond_t cond;        /* with the writer's lock */
};

/* A request, or a task. */
struct job {
	struct request *r;
	struct task *task;
	struct job *next;
};

struct writer {
	struct store *db;
	struct router *router;      /* the routing engine, used on this thread only */
	int64_t next_stats;         /* when the live queue statistics go out next (ms) */
	int64_t next_review;        /* when knowledge past its review-by date is looked for next (ms) */
	int64_t next_callbacks;     /* when scheduled callbacks are looked at next (ms) */
	int64_t next_broadcasts;    /* when incidents' broadcasts walk on next (ms) */
	int64_t next_recordings;    /* when recordings past their retention are looked for next (ms) */
	char rec_dir[1024];         /* the recordings' folder, once rec_ready */
	atomic_bool rec_ready;
	struct cluster *cluster;    /* NULL alone */
	struct chathub *chat;       /* the web chat's fan-out: staged events go out after the commit */
	int64_t next_lease;         /* when the routing leases are renewed next (ms) */
	atomic_bool lease_now;      /* ... or at once (writer_lease_round_now) */
	struct desks *desks;        /* the agents' open desks (desks.h) */
	int64_t desk_grace_ms;      /* how long an agent's desk may be gone before it is signed out; 0: never */
	int64_t next_desks;         /* when the desks are looked at next (ms) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job *head, *tail;
	bool stopping;
	uint64_t n_batches, n_jobs;
	void (*on_mail)(void *arg);  /* after a batch that queued mail commits */
	struct checkpointer *checkpointer; /* SQLite's checkpoints, off this thread (NULL: PostgreSQL) */
	void *on_mail_arg;
	void (*on_mailboxes)(void *arg); /* after a batch that changed a mailbox commits */
	void *on_mailboxes_arg;
};

static void answer_on_worker(evutil_socket_t fd, short what, void *arg)
{
	http_finish(arg);
}

static void hand_back(struct request *r)
{
	event_base_once(r->worker->base, -1, EV_TIMEOUT, answer_on_worker, r, NULL);
}

/* What an idempotency key is scoped to besides its tenant and caller: the
 * method and the full path ("POST /api/v1/contacts/8/notes"), query included. */
static void key_request(const struct request *r, char *buf, size_t len)
{
	const char *method = "POST";
	switch (conn_method(r->conn)) {
	case EVHTTP_REQ_PUT: method = "PUT"; break;
	case EVHTTP_REQ_PATCH: method = "PATCH"; break;
	case EVHTTP_REQ_DELETE: method = "DELETE"; break;
	default: break;
	}
	const char *uri = conn_target(r->conn);
	if ((size_t)snprintf(buf, len, "%s %s", method, uri) < len)
		return;
	/* too long to keep whole: its hash, so no two paths share a key */
	unsigned char h[32];
	char hex[65];
	crypto_generichash(h, sizeof(h), (const unsigned char *)uri, strlen(uri), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(buf, len, "%s #%s", method, hex);
}

/* Answers from a recorded idempotency key; false when there is none. */
static bool replay(struct writer *w, struct request *r, const char *request, const unsigned char hash[32])
{
	int status = 0;
	char *answer = NULL;
	int rc = store_idempotency_get(w->db, &r->scope, r->idempotency_key, request, hash, &status, &answer);
	if (rc == GC_ENOTFOUND)
		return false;
	if (rc == GC_ECONFLICT)
		reply_error(r, 409, "idempotency_key_reused", "Idempotency-Key",
			    "this key was used with another body in the last 24 hours");
	else if (rc < 0)
		reply_store_error(r, w->db, rc, NULL);
	else {
		r->status = status;
		r->resp_text = answer;
		r->content_type = "application/json";
	}
	return true;
}

/* Records a successful answer under the request's idempotency key. */
static int remember(struct writer *w, struct request *r, const char *request, const unsigned char hash[32])
{
	char *dumped = r->resp_text ? NULL : json_dumps(r->resp, JSON_COMPACT);
	const char *answer = r->resp_text ? r->resp_text : dumped ? dumped : "null";
	int rc = store_idempotency_put(w->db, &r->scope, r->idempotency_key, request, hash, r->status, answer);
	free(dumped);
	return rc;
}

/* Runs one request in the batch's transaction. Most run in a savepoint of
 * their own and are checked before the next (store_flush): a failure undoes
 * that request alone. A request whose writes can fail only if the database
 * does (checked_at_commit, set by its prepare) needs neither: its writes go
 * to the server with the next statement and are checked at the commit, and
 * if it fails anyway, so does the batch (every request answers 503, nothing
 * is acknowledged). GC_OK, or an error when the batch can no longer commit. */
static int run_job(struct writer *w, struct request *r)
{
	unsigned char hash[32];
	char request[2048];
	bool at_commit = r->checked_at_commit && r->idempotency_key == NULL;
	if (r->idempotency_key) {
		key_request(r, request, sizeof(request));
		crypto_generichash(hash, sizeof(hash), (const unsigned char *)r->raw, r->raw_len, NULL, 0);
		if (replay(w, r, request, hash))
			return GC_OK;
	}
	if (at_commit) {
		int rc = r->route->run(r, w->db);
		store_push(w->db);
		router_job_end(w->router, rc >= 0);
		chathub_job_end(w->chat, rc >= 0);
		return rc < 0 ? GC_ESTORE : GC_OK;
	}
	if (store_savepoint(w->db) < 0) {
		reply_store_error(r, w->db, GC_ESTORE, NULL);
		return GC_OK;
	}
	int rc = r->route->run(r, w->db);
	if (rc == GC_OK && (rc = store_flush(w->db)) < 0) /* this request's appends, not the next one's */
		reply_store_error(r, w->db, rc, NULL);
	if (rc == GC_OK && r->idempotency_key && r->status >= 200 && r->status < 300 &&
	    (rc = remember(w, r, request, hash)) < 0)
		reply_store_error(r, w->db, rc, NULL);
	if (rc < 0)
		store_rollback_to(w->db);
	else
		store_release(w->db);
	router_job_end(w->router, rc >= 0);
	chathub_job_end(w->chat, rc >= 0);
	return GC_OK;
}

static void run_task(struct writer *w, struct task *t)
{
	struct ops o = {.db = w->db, .router = w->router};
	if ((t->rc = store_savepoint(w->db)) < 0)
		return;
	t->rc = t->fn(t->arg, &o);
	if (t->rc == GC_OK)
		t->rc = store_flush(w->db);
	if (t->rc < 0)
		store_rollback_to(w->db);
	else
		store_release(w->db);
	router_job_end(w->router, t->rc >= 0);
	chathub_job_end(w->chat, t->rc >= 0);
}

/* Wakes the senders after a commit that queued mail; under the lock, so
 * that once writer_on_mail(w, NULL, NULL) returns no kick reaches a sender
 * being stopped. */
static void mail_queued(struct writer *w)
{
	pthread_mutex_lock(&w->lock);
	if (w->on_mail)
		w->on_mail(w->on_mail_arg);
	pthread_mutex_unlock(&w->lock);
}

/* Tells the email readers after a commit that changed a mailbox; under the
 * lock, as mail_queued. */
static void mailboxes_changed(struct writer *w)
{
	pthread_mutex_lock(&w->lock);
	if (w->on_mailboxes)
		w->on_mailboxes(w->on_mailboxes_arg);
	pthread_mutex_unlock(&w->lock);
}

/* The contacts' events this transaction appended folded into the reasons',
 * satisfaction's and knowledge's rows before it commits (a tenant that
 * fails keeps its cursor: its next batch folds it). With several nodes a
 * tenant's contact events may come from any of them, so they are not
 * folded there yet. */
static void fold_contact_reports(struct writer *w)
{
	if (w->cluster == NULL && store_report_contacts_fold_touched(w->db) < 0)
		log_error("reasons, satisfaction and knowledge not brought up to date: trying again at the next batch",
			  "error", store_errmsg(w->db));
}

/* Runs one batch in one transaction; answers 503 to all if it cannot commit. */
static void run_batch(struct writer *w, struct job *batch)
{
	int rc = store_begin(w->db);
	for (struct job *j = batch; j; j = j->next) {
		if (rc == GC_OK && j->task)
			run_task(w, j->task);
		else if (rc == GC_OK)
			rc = run_job(w, j->r);
	}
	if (rc == GC_OK) {
		router_fold_reports(w->router, w->db);
		fold_contact_reports(w);
		rc = store_commit(w->db);
	}
	if (rc < 0) {
		log_error("commit failed", "error", store_errmsg(w->db));
		store_rollback(w->db);
	}
	router_batch_end(w->router, w->db, rc == GC_OK); /* after the rollback: it may rebuild from the store */
	chathub_batch_end(w->chat, rc == GC_OK);
	unsigned flags = 0;
	for (struct job *j = batch; j; j = j->next)
		flags |= j->r ? j->r->route->flags : 0;
	bool authz = (flags & ROUTE_AUTHZ) != 0;
	if ((flags & ROUTE_MAIL) && rc == GC_OK)
		mail_queued(w);
	if ((flags & ROUTE_MAILBOX) && rc == GC_OK)
		mailboxes_changed(w);
	for (struct job *j = batch; (flags & ROUTE_KB) && rc == GC_OK && j; j = j->next)
		if (j->r && (j->r->route->flags & ROUTE_KB) && kbsvc_refresh(w->db, j->r->scope.tenant_id) < 0)
			log_error("the knowledge in memory could not catch up: its next search will", "error",
				  store_errmsg(w->db));
	if (rc == GC_OK)
		checkpointer_kick(w->checkpointer);
	if (authz) {
		authcache_bump(); /* after the commit, so no cache keeps the old truth */
		if (w->cluster)
			cluster_authz_changed(w->cluster); /* nor another node's */
	}
	for (struct job *j = batch; (flags & ROUTE_CALL) && j; j = j->next)
		if (j->r && (j->r->route->flags & ROUTE_CALL) && j->r->status == 200)
			call_change_settled(j->r, rc == GC_OK);
	for (struct job *j = batch; rc < 0 && j; j = j->next) {
		if (j->task)
			j->task->rc = GC_ESTORE;
		else
			reply_error(j->r, 503, "storage_unavailable", NULL, "the change could not be saved: try again");
	}
}

void writer_on_mail(struct writer *w, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&w->lock);
	w->on_mail = fn;
	w->on_mail_arg = arg;
	pthread_mutex_unlock(&w->lock);
}

void writer_on_mailboxes(struct writer *w, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&w->lock);
	w->on_mailboxes = fn;
	w->on_mailboxes_arg = arg;
	pthread_mutex_unlock(&w->lock);
}

static int start(struct writer *w, writer_task_fn fn, void *arg, bool detached, struct writer_task **ret)
{
	struct task *t = calloc(1, sizeof(*t));
	struct job *j = malloc(sizeof(*j));
	if (t == NULL || j == NULL) {
		free(t);
		free(j);
		return GC_ENOMEM;
	}
	*t = (struct task){.fn = fn, .arg = arg, .detached = detached};
	pthread_cond_init(&t->cond, NULL);
	*j = (struct job){.task = t};
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		pthread_cond_destroy(&t->cond);
		free(t);
		free(j);
		return GC_EBUSY;
	}
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	if (ret)
		*ret = (struct writer_task *)t;
	return GC_OK;
}

int writer_start(struct writer *w, writer_task_fn fn, void *arg, struct writer_task **ret)
{
	return start(w, fn, arg, false, ret);
}

int writer_post(struct writer *w, writer_task_fn fn, void *arg)
{
	int rc = start(w, fn, arg, true, NULL);
	if (rc < 0)
		free(arg);
	return rc;
}

int writer_wait(struct writer *w, struct writer_task *handle)
{
	struct task *t = (struct task *)handle;
	pthread_mutex_lock(&w->lock);
	while (!t->done)
		pthread_cond_wait(&t->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	int rc = t->rc;
	pthread_cond_destroy(&t->cond);
	free(t);
	return rc;
}

int writer_run(struct writer *w, writer_task_fn fn, void *arg)
{
	struct writer_task *t = NULL;
	int rc = writer_start(w, fn, arg, &t);
	return rc < 0 ? rc : writer_wait(w, t);
}

static struct job *take_batch(struct writer *w)
{
	struct job *batch = w->head, *last = w->head;
	for (int n = 1; last && last->next && n < WRITER_MAX_BATCH; n++)
		last = last->next;
	if (last) {
		w->head = last->next;
		last->next = NULL;
		if (w->head == NULL)
			w->tail = NULL;
	}
	return batch;
}

/* Published knowledge past its review-by date goes back to review: at
 * start, then once a minute (at once again while more are due). */
static void review_due(struct writer *w, int64_t now)
{
	int n = 0, rc = store_begin(w->db);
	if (rc == GC_OK) {
		rc = store_kb_review_due(w->db, now, &n);
		rc = rc == GC_OK ? store_commit(w->db) : rc;
		if (rc < 0)
			store_rollback(w->db);
	}
	char items[16];
	snprintf(items, sizeof(items), "%d", n);
	if (rc < 0)
		log_error("knowledge review dates not checked", "error", store_errmsg(w->db));
	else if (n > 0)
		log_info("knowledge back to review", "items", items);
	w->next_review = rc == GC_OK && n == STORE_KB_REVIEW_BATCH ? now : now + 60 * 1000;
}

/* Scheduled callbacks whose window opened or whose next attempt came
 * enter their queue, those whose window ended are missed (callback.h): in
 * a transaction of their own, once a second (the statistics' wake-up). */
static void callbacks_due(struct writer *w, int64_t now)
{
	struct ops o = {.db = w->db, .router = w->router};
	struct store_callback_row first;
	size_t due = 0;
	w->next_callbacks = now + 1000;
	if (store_callbacks_due(w->db, now, &first, 1, &due) == GC_OK && due == 0)
		return; /* nothing due: no transaction */
	int n = 0, rc = store_begin(w->db);
	if (rc == GC_OK) {
		rc = callback_tick(&o, now, &n);
		if (rc == GC_OK) {
			router_fold_reports(w->router, w->db);
			fold_contact_reports(w);
		}
		rc = rc == GC_OK ? store_commit(w->db) : rc;
		if (rc < 0)
			store_rollback(w->db);
	}
	router_batch_end(w->router, w->db, rc == GC_OK);
	if (rc < 0)
		log_error("callbacks not checked", "error", store_errmsg(w->db));
}

/* Incidents' broadcasts walk one batch further (broadcast.h), in a
 * transaction of their own, once a second; the mail they queued wakes the
 * senders once it is committed. */
static void broadcasts_due(struct writer *w, int64_t now)
{
	struct ops o = {.db = w->db, .router = w->router};
	json_t *due = NULL;
	w->next_broadcasts = now + 1000;
	int rc = store_broadcast_due(w->db, 1, &due);
	size_t n_due = json_array_size(due);
	json_decref(due);
	if (rc < 0 || n_due == 0)
		return; /* nothing to walk: no transaction */
	int queued = 0;
	rc = store_begin(w->db);
	if (rc == GC_OK) {
		rc = broadcast_tick(&o, now, &queued);
		rc = rc == GC_OK ? store_commit(w->db) : rc;
		if (rc < 0)
			store_rollback(w->db);
	}
	if (rc < 0)
		log_error("broadcasts not walked", "error", store_errmsg(w->db));
	else if (queued > 0)
		mail_queued(w);
}

/* Calls' recordings past their tenant's retention: their rows deleted in a
 * transaction of their own, then (committed) their files, each logged; a
 * crash between the two leaves files no row names, swept at the next
 * start (recorder_sweep). Once a minute, at once again after a full batch. */
static void recordings_due(struct writer *w, int64_t now)
{
	if (!atomic_load(&w->rec_ready)) {
		w->next_recordings = now + 1000; /* the folder is not known yet (server.c): soon */
		return;
	}
	w->next_recordings = now + 60 * 1000;
	json_t *gone = NULL;
	int rc = store_begin(w->db);
	if (rc == GC_OK) {
		rc = store_recordings_expire(w->db, now, RECORDINGS_BATCH, &gone);
		rc = rc == GC_OK ? store_commit(w->db) : rc;
		if (rc < 0)
			store_rollback(w->db);
	}
	if (rc < 0) {
		log_error("recordings past their retention not deleted", "error", store_errmsg(w->db));
		json_decref(gone);
		return;
	}
	size_t i;
	json_t *row;
	json_array_foreach(gone, i, row) {
		const char *name = json_string_value(json_object_get(row, "path"));
		char path[1200], id[24], contact[24];
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(row, "id")));
		snprintf(contact, sizeof(contact), "%lld", (long long)json_integer_value(json_object_get(row, "contact_id")));
		if (name == NULL || strchr(name, '/') || name[0] == '.')
			continue; /* never a path outside the folder */
		snprintf(path, sizeof(path), "%s/%s", w->rec_dir, name);
		if (unlink(path) < 0 && errno != ENOENT)
			log_error("cannot delete a recording's file", "recording", id, "file", path, "error", strerror(errno));
		else
			log_info("recording deleted: past its retention", "recording", id, "contact", contact);
	}
	if (json_array_size(gone) == RECORDINGS_BATCH)
		w->next_recordings = now;
	json_decref(gone);
}

void writer_set_recordings(struct writer *w, const char *dir)
{
	snprintf(w->rec_dir, sizeof(w->rec_dir), "%s", dir);
	atomic_store(&w->rec_ready, true);
}

#define DESKS_GONE_MAX 256 /* agents signed out per transaction */

/* Once a second: the agents whose desk was seen open and has been closed
 * for longer than the grace are signed out, in a transaction of their own
 * (forgotten once it commits: tried again otherwise); in a cluster, this
 * node tells the others its desks first, and signs nobody out while it
 * cannot hear them. */
static void desks_due(struct writer *w, int64_t now)
{
	w->next_desks = now + 1000;
	if (w->desk_grace_ms == 0)
		return;
	if (w->cluster) {
		cluster_tell_desks(w->cluster, w->desks);
		if (!cluster_linked(w->cluster)) {
			desks_touch_all(w->desks, now);
			return;
		}
	}
	struct desk_key gone[DESKS_GONE_MAX];
	size_t n = desks_gone(w->desks, now, w->desk_grace_ms, gone, DESKS_GONE_MAX);
	if (n == 0)
		return;
	int signed_out = 0, rc = store_begin(w->db);
	for (size_t i = 0; rc == GC_OK && i < n; i++) {
		bool done = false;
		rc = router_desk_gone(w->router, w->db, gone[i].tenant_id, gone[i].user_id, &done);
		signed_out += done;
	}
	router_job_end(w->router, rc == GC_OK);
	if (rc == GC_OK) {
		router_fold_reports(w->router, w->db);
		fold_contact_reports(w);
		rc = store_commit(w->db);
	}
	if (rc < 0)
		store_rollback(w->db);
	router_batch_end(w->router, w->db, rc == GC_OK);
	for (size_t i = 0; rc == GC_OK && i < n; i++)
		desks_forget(w->desks, &gone[i], now, w->desk_grace_ms);
	char agents[16];
	snprintf(agents, sizeof(agents), "%d", signed_out);
	if (rc < 0)
		log_error("agents whose desk closed not signed out: trying again in a second", "error",
			  store_errmsg(w->db));
	else if (signed_out > 0)
		log_info("agents signed out: their desk closed", "agents", agents);
}

/* The routing engine's timers (offers expiring, wrap-ups ending, long waits
 * overflowing) in a transaction of their own, the live statistics, and the
 * knowledge's review-by dates. */
static void run_clock(struct writer *w)
{
	int64_t now = gc_now_ms();
	bool lease_now = atomic_exchange(&w->lease_now, false);
	if (w->cluster && (now >= w->next_lease || lease_now)) { /* first: a tenant lost is not routed, nor its statistics sent */
		cluster_lease_round(w->cluster, w->db, w->router);
		w->next_lease = now + CLUSTER_RENEW_MS;
	}
	if (router_next_due(w->router) <= now) {
		int rc = store_begin(w->db);
		if (rc == GC_OK) {
			rc = router_tick(w->router, w->db);
			router_job_end(w->router, rc == GC_OK);
			if (rc == GC_OK) {
				router_fold_reports(w->router, w->db);
				fold_contact_reports(w);
			}
			rc = rc == GC_OK ? store_commit(w->db) : rc;
			if (rc < 0)
				store_rollback(w->db);
		}
		router_batch_end(w->router, w->db, rc == GC_OK);
	}
	if (now >= w->next_stats) {
		router_publish_stats(w->router);
		w->next_stats = now - now % 1000 + 1000;
	}
	if (now >= w->next_desks)
		desks_due(w, now);
	if (now >= w->next_review)
		review_due(w, now);
	if (now >= w->next_callbacks)
		callbacks_due(w, now);
	if (now >= w->next_broadcasts)
		broadcasts_due(w, now);
	if (now >= w->next_recordings)
		recordings_due(w, now);
}

/* Sleeps until work comes or the next timer or statistics fall due. */
static void wait_for_work(struct writer *w)
{
	if (atomic_load(&w->lease_now))
		return; /* set before the lock was taken: its signal came before this wait */
	int64_t due = router_next_due(w->router);
	if (due > w->next_stats)
		due = w->next_stats;
	if (w->cluster && due > w->next_lease)
		due = w->next_lease;
	struct timespec until = {.tv_sec = due / 1000, .tv_nsec = (due % 1000) * 1000000};
	pthread_cond_timedwait(&w->wake, &w->lock, &until); /* the condition's clock is CLOCK_REALTIME */
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stopping) {
			pthread_mutex_unlock(&w->lock);
			run_clock(w);
			pthread_mutex_lock(&w->lock);
			if (w->head == NULL && !w->stopping)
				wait_for_work(w);
		}
		if (w->head == NULL && w->stopping) {
			if (w->cluster)
				cluster_release(w->cluster, w->db);
			break;
		}
		struct job *batch = take_batch(w);
		pthread_mutex_unlock(&w->lock);
		run_batch(w, batch);
		uint64_t n = 0;
		while (batch) {
			struct job *next = batch->next;
			if (batch->task && batch->task->detached) { /* nobody waits for it */
				pthread_cond_destroy(&batch->task->cond);
				free(batch->task->arg);
				free(batch->task);
			} else if (batch->task) { /* its caller waits on the writer's lock */
				pthread_mutex_lock(&w->lock);
				batch->task->done = true;
				pthread_cond_signal(&batch->task->cond);
				pthread_mutex_unlock(&w->lock);
			} else {
				hand_back(batch->r);
			}
			free(batch);
			batch = next;
			n++;
		}
		run_clock(w); /* under steady load too */
		pthread_mutex_lock(&w->lock);
		w->n_batches++;
		w->n_jobs += n;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int writer_new(const char *db_path, struct hub *hub, struct chathub *chat, struct cluster *cluster,
	       struct desks *desks, int64_t desk_grace_ms, struct writer **ret_writer)
{
	struct writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return GC_ENOMEM;
	w->cluster = cluster;
	w->desks = desks;
	w->desk_grace_ms = desks ? desk_grace_ms : 0;
	w->chat = chat;
	int rc = store_open(db_path, STORE_READ_WRITE, &w->db);
	if (rc < 0) {
		char where[512]; /* a URL's password stays out of the log */
		store_pg_url_redact(db_path, where, sizeof(where));
		log_error("cannot open the database", "path", where, "error", store_errmsg(w->db));
		store_free(w->db);
		free(w);
		return rc;
	}
	if (store_upgraded_from(w->db)) { /* an administrator wants to know, and when */
		char from[16], to[16];
		snprintf(from, sizeof(from), "%d", store_upgraded_from(w->db));
		snprintf(to, sizeof(to), "%d", store_schema_version());
		log_info("the database's schema was upgraded", "from", from, "to", to);
	}
	/* the events not yet in the reports (written before migration 27, or
	 * offline); with several nodes each folds the tenants it routes */
	if (cluster == NULL && (rc = store_report_catch_up(w->db)) < 0)
		log_error("reports not brought up to date at start: each tenant's next batch goes on", "error",
			  store_errmsg(w->db));
	if (cluster == NULL && (rc = store_report_contacts_catch_up(w->db)) < 0)
		log_error("reasons, satisfaction and knowledge not brought up to date at start", "error",
			  store_errmsg(w->db));
	if ((rc = router_new(w->db, hub, cluster ? cluster_node(cluster) : NULL, &w->router)) < 0) {
		log_error("cannot load the routing engine", "error", store_errmsg(w->db));
		store_free(w->db);
		free(w);
		return rc;
	}
	if (chat)
		router_add_observer(w->router, chathub_routing, chat);
	if ((rc = checkpointer_start(db_path, &w->checkpointer)) < 0 ||
	    (w->checkpointer && (rc = store_defer_checkpoints(w->db)) < 0)) {
		log_error("cannot start the checkpointer", "error", gc_error_name(rc));
		checkpointer_stop(w->checkpointer);
		router_free(w->router);
		store_free(w->db);
		free(w);
		return rc;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		checkpointer_stop(w->checkpointer);
		router_free(w->router);
		store_free(w->db);
		free(w);
		return GC_ENOMEM;
	}
	*ret_writer = w;
	return GC_OK;
}

void writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	checkpointer_stop(w->checkpointer); /* a last checkpoint, after the last commit */
	router_free(w->router);
	store_free(w->db);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}

void writer_submit(struct writer *w, struct request *r)
{
	struct job *j = malloc(sizeof(*j));
	if (j == NULL) {
		reply_error(r, 503, "out_of_memory", NULL, "out of memory");
		hand_back(r); /* the caller may be the hashing pool: answer on the worker */
		return;
	}
	*j = (struct job){.r = r};
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void writer_lease_round_now(struct writer *w)
{
	atomic_store(&w->lease_now, true);
	pthread_mutex_lock(&w->lock);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void writer_stats(struct writer *w, uint64_t *ret_batches, uint64_t *ret_jobs)
{
	pthread_mutex_lock(&w->lock);
	*ret_batches = w->n_batches;
	*ret_jobs = w->n_jobs;
	pthread_mutex_unlock(&w->lock);
}

struct router *writer_router(struct writer *w)
{
	return w->router;
}
