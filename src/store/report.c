/* Reports kept current: the routing events folded into per half-hour rows
 * (report_intervals, migration 27; declined and missed, 48; moved_away,
 * 50), and the
 * summaries read from them.
 *
 * The fold is an incremental pass over each tenant's event log: the
 * events after the tenant's cursor (report_cursor) are turned into
 * additions to rows keyed by (half hour, queue, agent, organisation,
 * channel), summed in memory, then written with one upsert per touched row
 * and the cursor moved, all in the caller's transaction. The writer folds
 * the tenants its batch touched before it commits, so what a batch
 * acknowledges is counted by the same commit; guichetd folds whatever is
 * left at start (old data, the demo's history) a chunk per transaction.
 * A tenant's events are written by the one node that routes it, so a
 * cursor per tenant never skips an event whose id was taken but not yet
 * committed.
 *
 * Each count lives in exactly one row, so any cut is a sum:
 *   enqueued            offered +1                 (queue, agent 0)
 *   escalated, transferred, moved, overflowed
 *                       offered +1 on the queue it goes to (agent 0);
 *                       escalations or transfers +1 and the time held
 *                       since the answer (queue left, the agent who did it);
 *                       a supervisor's move of an answered contact:
 *                       moved_away +1 and the time held (queue left, the
 *                       agent who held it)
 *   accepted            answered +1, answer wait, within the queue's
 *                       sl_seconds                 (queue, agent)
 *   rejected            declined +1                (queue, agent)
 *   offer_expired       missed +1: rang out unanswered, each agent a
 *                       ring-all offer rang        (queue, agent)
 *   abandoned           abandoned +1, abandon wait (queue, agent 0)
 *   wrapup_started      handled +1, handle time    (queue, agent)
 *   presence            time available, split over the half hours it
 *                       spans, when it ends       (queue 0, agent, channel "")
 * The agent's organisation is the user's at the time of the fold.
 *
 * Handle time is every moment an agent held a contact: from its answer to
 * the wrap-up that ends it, or to the transfer, escalation or supervisor's
 * move that hands it on (older events carry none: 0). handled counts the
 * contacts an agent ended, so a contact transferred twice is handled once,
 * by its last agent; the contacts an agent held are handled + transfers +
 * escalations + moved_away, what the average handle time divides by. */
#include "store/store_internal.h"
#include "guichet/array.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_MS (30 * 60 * 1000LL)
#define FOLD_CHUNK 5000

struct fold_row {
	int64_t start_ms, queue_id, agent_id, organisation_id;
	char channel[16];
	int64_t offered, answered, answered_within, answer_wait_ms, abandoned, abandon_wait_ms;
	int64_t handled, handle_ms, transfers, escalations, staffed_ms;
	int64_t declined, missed; /* offers the agent refused, or let ring out */
	int64_t moved_away;       /* contacts a supervisor moved out of the agent's hands */
	int64_t answered_30s, waited_over_2min; /* the accessibility barometer's thresholds */
};

struct fold_queue {
	int64_t id;
	int sl_seconds;
	char channel[16];
};

struct fold_agent {
	int64_t id, organisation_id;
};

struct fold {
	struct store *s;
	int64_t tenant_id, last_id, last_at;
	int rc;
	struct fold_row *rows;
	uint32_t n_rows, cap_rows;
	struct fold_queue *queues;
	uint32_t n_queues, cap_queues;
	struct fold_agent *agents;
	uint32_t n_agents, cap_agents;
};

static int load_queues(struct fold *f)
{
	struct db_stmt *st = store_stmt(f->s, "SELECT id, config FROM queues WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, f->tenant_id);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (gc_grow((void **)&f->queues, &f->cap_queues, sizeof(*f->queues), f->n_queues + 1) < 0) {
			db_reset(st);
			return GC_ENOMEM;
		}
		struct fold_queue *q = &f->queues[f->n_queues++];
		json_t *cfg = json_loads(db_column_text(st, 1), 0, NULL);
		q->id = db_column_int64(st, 0);
		q->sl_seconds = (int)json_integer_value(json_object_get(cfg, "sl_seconds"));
		const char *channel = json_string_value(json_object_get(cfg, "channel"));
		snprintf(q->channel, sizeof(q->channel), "%s", channel ? channel : "");
		json_decref(cfg);
	}
	db_reset(st);
	return rc == DB_DONE ? GC_OK : store_fail(f->s, rc);
}

static const struct fold_queue *queue_of(const struct fold *f, int64_t id)
{
	static const struct fold_queue none = {0};
	for (uint32_t i = 0; i < f->n_queues; i++)
		if (f->queues[i].id == id)
			return &f->queues[i];
	return &none;
}

static int organisation_of(struct fold *f, int64_t agent_id, int64_t *ret_org)
{
	for (uint32_t i = 0; i < f->n_agents; i++)
		if (f->agents[i].id == agent_id) {
			*ret_org = f->agents[i].organisation_id;
			return GC_OK;
		}
	int64_t org = 0;
	struct db_stmt *st = store_stmt(f->s, "SELECT organisation_id FROM users WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, agent_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		org = db_column_int64(st, 0);
	db_reset(st);
	if (rc < 0)
		return store_fail(f->s, rc);
	if (gc_grow((void **)&f->agents, &f->cap_agents, sizeof(*f->agents), f->n_agents + 1) < 0)
		return GC_ENOMEM;
	f->agents[f->n_agents++] = (struct fold_agent){agent_id, org};
	*ret_org = org;
	return GC_OK;
}

static int64_t slot_of(int64_t at)
{
	return at - ((at % SLOT_MS) + SLOT_MS) % SLOT_MS;
}

/* The row of (half hour of at, queue, agent) in memory, made if new; NULL:
 * out of memory, or the agent's organisation could not be read (f->rc). */
static struct fold_row *row_at(struct fold *f, int64_t at, int64_t queue_id, int64_t agent_id, const char *channel)
{
	int64_t org = 0;
	if (agent_id && (f->rc = organisation_of(f, agent_id, &org)) < 0)
		return NULL;
	int64_t start = slot_of(at);
	for (uint32_t i = f->n_rows; i-- > 0;) {
		struct fold_row *r = &f->rows[i];
		if (r->start_ms == start && r->queue_id == queue_id && r->agent_id == agent_id && strcmp(r->channel, channel) == 0)
			return r;
	}
	if (gc_grow((void **)&f->rows, &f->cap_rows, sizeof(*f->rows), f->n_rows + 1) < 0) {
		f->rc = GC_ENOMEM;
		return NULL;
	}
	struct fold_row *r = &f->rows[f->n_rows++];
	*r = (struct fold_row){.start_ms = start, .queue_id = queue_id, .agent_id = agent_id, .organisation_id = org};
	snprintf(r->channel, sizeof(r->channel), "%s", channel);
	return r;
}

/* The agent's time available from since to until, split over half hours. */
static void add_staffed(struct fold *f, int64_t agent_id, int64_t since, int64_t until)
{
	while (f->rc == GC_OK && since < until) {
		int64_t end = slot_of(since) + SLOT_MS;
		if (end > until)
			end = until;
		struct fold_row *r = row_at(f, since, 0, agent_id, "");
		if (r)
			r->staffed_ms += end - since;
		since = end;
	}
}

/* A presence change: opens or closes the agent's span available. */
static void fold_presence(struct fold *f, const struct store_event *ev, json_t *data)
{
	bool available = strcmp(json_string_value(json_object_get(data, "presence")) ?: "", "available") == 0;
	struct db_stmt *st = store_stmt(f->s, "SELECT since_ms FROM report_presence WHERE tenant_id = ? AND agent_id = ?");
	if (st == NULL) {
		f->rc = GC_ESTORE;
		return;
	}
	db_bind_int64(st, 1, f->tenant_id);
	db_bind_int64(st, 2, ev->agent_id);
	int rc = db_step(st);
	int64_t since = rc == DB_ROW ? db_column_int64(st, 0) : -1;
	db_reset(st);
	if (rc < 0) {
		f->rc = store_fail(f->s, rc);
		return;
	}
	if (available == (since >= 0))
		return; /* available again, or paused after offline: no span ends or starts */
	if (since >= 0) {
		add_staffed(f, ev->agent_id, since, ev->at);
		st = store_stmt(f->s, "DELETE FROM report_presence WHERE tenant_id = ? AND agent_id = ?");
	} else {
		st = store_stmt(f->s, "INSERT INTO report_presence(tenant_id, agent_id, since_ms) VALUES (?,?,?)");
	}
	if (st == NULL) {
		f->rc = GC_ESTORE;
		return;
	}
	db_bind_int64(st, 1, f->tenant_id);
	db_bind_int64(st, 2, ev->agent_id);
	if (available)
		db_bind_int64(st, 3, ev->at);
	if (f->rc == GC_OK)
		f->rc = store_step_done(f->s, st);
	else
		db_reset(st);
}

static bool is_entry(const char *type)
{
	return strcmp(type, "escalated") == 0 || strcmp(type, "transferred") == 0 || strcmp(type, "moved") == 0 ||
	       strcmp(type, "overflowed") == 0;
}

static bool is_counted(const char *type)
{
	static const char *const counted[] = {"enqueued", "accepted", "rejected", "offer_expired", "abandoned",
		"wrapup_started", "presence"};
	for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
		if (strcmp(type, counted[i]) == 0)
			return true;
	return is_entry(type);
}

static void fold_event(const struct store_event *ev, void *arg)
{
	struct fold *f = arg;
	f->last_id = ev->id;
	if (ev->at > f->last_at)
		f->last_at = ev->at;
	if (f->rc < 0 || !is_counted(ev->type))
		return;
	json_t *data = json_loads(ev->data, 0, NULL);
	const struct fold_queue *q = queue_of(f, ev->queue_id);
	const char *type = ev->type;
	struct fold_row *r;
	if (strcmp(type, "presence") == 0) {
		if (ev->agent_id)
			fold_presence(f, ev, data);
	} else if (strcmp(type, "enqueued") == 0) {
		if ((r = row_at(f, ev->at, ev->queue_id, 0, q->channel)))
			r->offered++;
	} else if (is_entry(type)) {
		int64_t to = json_integer_value(json_object_get(data, "to_queue_id"));
		if ((r = row_at(f, ev->at, to, 0, queue_of(f, to)->channel)))
			r->offered++;
		/* held then handed on: escalated, transferred, or moved out of the agent's hands by a supervisor */
		bool held = type[0] == 'e' || type[0] == 't' || (type[0] == 'm' && json_object_get(data, "handle_ms"));
		if (held && ev->agent_id && (r = row_at(f, ev->at, ev->queue_id, ev->agent_id, q->channel))) {
			r->escalations += type[0] == 'e';
			r->transfers += type[0] == 't';
			r->moved_away += type[0] == 'm';
			r->handle_ms += json_integer_value(json_object_get(data, "handle_ms"));
		}
	} else if (strcmp(type, "rejected") == 0 || strcmp(type, "offer_expired") == 0) {
		if (ev->agent_id && (r = row_at(f, ev->at, ev->queue_id, ev->agent_id, q->channel))) {
			r->declined += type[0] == 'r';
			r->missed += type[0] == 'o';
		}
	} else if (strcmp(type, "accepted") == 0) {
		int64_t waited = json_integer_value(json_object_get(data, "waited_ms"));
		if ((r = row_at(f, ev->at, ev->queue_id, ev->agent_id, q->channel))) {
			r->answered++;
			r->answer_wait_ms += waited;
			json_t *goal = json_object_get(data, "sl_s"); /* the goal then; older events: the queue's */
			r->answered_within += waited <= (goal ? json_integer_value(goal) : q->sl_seconds) * 1000LL;
			r->answered_30s += waited <= 30000;
			r->waited_over_2min += waited > 120000;
		}
	} else if (strcmp(type, "abandoned") == 0) {
		if ((r = row_at(f, ev->at, ev->queue_id, 0, q->channel))) {
			int64_t waited = json_integer_value(json_object_get(data, "waited_ms"));
			r->abandoned++;
			r->abandon_wait_ms += waited;
			r->waited_over_2min += waited > 120000;
		}
	} else if ((r = row_at(f, ev->at, ev->queue_id, ev->agent_id, q->channel))) { /* wrapup_started */
		r->handled++;
		r->handle_ms += json_integer_value(json_object_get(data, "handle_ms"));
	}
	json_decref(data);
}

static int write_row(struct fold *f, const struct fold_row *r)
{
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO report_intervals(tenant_id, start_ms, queue_id, agent_id,"
		" organisation_id, channel, offered, answered, answered_within, answer_wait_ms, abandoned,"
		" abandon_wait_ms, handled, handle_ms, transfers, escalations, staffed_ms, answered_30s, waited_over_2min,"
		" declined, missed, moved_away) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
		" ON CONFLICT (tenant_id, start_ms, queue_id, agent_id, organisation_id, channel) DO UPDATE SET"
		" offered = report_intervals.offered + excluded.offered,"
		" answered = report_intervals.answered + excluded.answered,"
		" answered_within = report_intervals.answered_within + excluded.answered_within,"
		" answer_wait_ms = report_intervals.answer_wait_ms + excluded.answer_wait_ms,"
		" abandoned = report_intervals.abandoned + excluded.abandoned,"
		" abandon_wait_ms = report_intervals.abandon_wait_ms + excluded.abandon_wait_ms,"
		" handled = report_intervals.handled + excluded.handled,"
		" handle_ms = report_intervals.handle_ms + excluded.handle_ms,"
		" transfers = report_intervals.transfers + excluded.transfers,"
		" escalations = report_intervals.escalations + excluded.escalations,"
		" staffed_ms = report_intervals.staffed_ms + excluded.staffed_ms,"
		" answered_30s = report_intervals.answered_30s + excluded.answered_30s,"
		" waited_over_2min = report_intervals.waited_over_2min + excluded.waited_over_2min,"
		" declined = report_intervals.declined + excluded.declined,"
		" missed = report_intervals.missed + excluded.missed,"
		" moved_away = report_intervals.moved_away + excluded.moved_away");
	if (st == NULL)
		return GC_ESTORE;
	const int64_t v[] = {f->tenant_id, r->start_ms, r->queue_id, r->agent_id, r->organisation_id};
	for (int i = 0; i < 5; i++)
		db_bind_int64(st, i + 1, v[i]);
	bind_text(st, 6, r->channel);
	const int64_t n[] = {r->offered, r->answered, r->answered_within, r->answer_wait_ms, r->abandoned,
		r->abandon_wait_ms, r->handled, r->handle_ms, r->transfers, r->escalations, r->staffed_ms,
		r->answered_30s, r->waited_over_2min, r->declined, r->missed, r->moved_away};
	for (int i = 0; i < 16; i++)
		db_bind_int64(st, i + 7, n[i]);
	return store_step_done(f->s, st);
}

static int fold_cursor(struct store *s, int64_t tenant_id, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT event_id FROM report_cursor WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st);
	*ret_id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

/* Agents still available have worked until the last event folded: their
 * spans so far count now (and go on from there), so that the day's
 * occupancy is not handle time over closed spans alone. */
static void credit_open_spans(struct fold *f)
{
	struct db_stmt *st = store_stmt(f->s, "SELECT agent_id, since_ms FROM report_presence"
					 " WHERE tenant_id = ? AND since_ms < ?");
	if (st == NULL) {
		f->rc = GC_ESTORE;
		return;
	}
	db_bind_int64(st, 1, f->tenant_id);
	db_bind_int64(st, 2, f->last_at);
	int64_t (*open)[2] = NULL;
	uint32_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW && gc_grow((void **)&open, &cap, sizeof(*open), n + 1) == GC_OK) {
		open[n][0] = db_column_int64(st, 0);
		open[n++][1] = db_column_int64(st, 1);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		f->rc = rc == DB_ROW ? GC_ENOMEM : store_fail(f->s, rc);
		free(open);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		add_staffed(f, open[i][0], open[i][1], f->last_at);
	free(open);
	if (f->rc < 0 || n == 0)
		return;
	if ((st = store_stmt(f->s, "UPDATE report_presence SET since_ms = ? WHERE tenant_id = ? AND since_ms < ?")) == NULL) {
		f->rc = GC_ESTORE;
		return;
	}
	db_bind_int64(st, 1, f->last_at);
	db_bind_int64(st, 2, f->tenant_id);
	db_bind_int64(st, 3, f->last_at);
	f->rc = store_step_done(f->s, st);
}

static int fold_done(struct fold *f)
{
	credit_open_spans(f);
	for (uint32_t i = 0; f->rc == GC_OK && i < f->n_rows; i++)
		f->rc = write_row(f, &f->rows[i]);
	if (f->rc < 0)
		return f->rc;
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO report_cursor(tenant_id, event_id) VALUES (?,?)"
				      " ON CONFLICT (tenant_id) DO UPDATE SET event_id = excluded.event_id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, f->tenant_id);
	db_bind_int64(st, 2, f->last_id);
	return store_step_done(f->s, st);
}

int store_report_fold(struct store *s, int64_t tenant_id, int limit)
{
	struct fold f = {.s = s, .tenant_id = tenant_id};
	int64_t after = 0;
	int rc = fold_cursor(s, tenant_id, &after);
	if (rc == GC_OK)
		rc = load_queues(&f);
	int n = 0;
	if (rc == GC_OK)
		n = rc = store_routing_events_after(s, tenant_id, after, limit > 0 ? limit : FOLD_CHUNK, fold_event, &f);
	if (rc > 0)
		rc = f.rc < 0 ? f.rc : fold_done(&f);
	free(f.rows);
	free(f.queues);
	free(f.agents);
	return rc < 0 ? rc : n;
}

int store_report_catch_up(struct store *s)
{
	int64_t *tenants = NULL;
	uint32_t n_tenants = 0, cap = 0;
	struct db_stmt *st = store_stmt(s, "SELECT id FROM tenants ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (gc_grow((void **)&tenants, &cap, sizeof(*tenants), n_tenants + 1) < 0) {
			rc = GC_ENOMEM;
			break;
		}
		tenants[n_tenants++] = db_column_int64(st, 0);
	}
	db_reset(st);
	rc = rc == DB_DONE ? GC_OK : rc < 0 ? rc : store_fail(s, rc);
	for (uint32_t i = 0; rc == GC_OK && i < n_tenants; i++) {
		int n = FOLD_CHUNK;
		while (rc == GC_OK && n == FOLD_CHUNK) {
			if ((rc = store_begin(s)) < 0)
				break;
			n = store_report_fold(s, tenants[i], FOLD_CHUNK);
			rc = n < 0 ? n : store_commit(s);
			if (rc < 0)
				store_rollback(s);
		}
	}
	free(tenants);
	return rc;
}

/* --- reading --- */

#define SUMS " sum(r.offered), sum(r.answered), sum(r.answered_within), sum(r.answer_wait_ms), sum(r.abandoned)," \
	" sum(r.abandon_wait_ms), sum(r.handled), sum(r.handle_ms), sum(r.transfers), sum(r.escalations)," \
	" sum(r.staffed_ms), sum(r.answered_30s), sum(r.waited_over_2min), sum(r.declined), sum(r.missed)," \
	" sum(r.moved_away)" \
	" FROM report_intervals r"
#define RANGE " WHERE r.tenant_id = ?1 AND r.start_ms >= ?2 AND r.start_ms < ?3" \
	" AND (?4 = 0 OR r.organisation_id = ?4) AND (?5 = 0 OR r.queue_id = ?5)"

static const char *const sum_names[] = {"offered", "answered", "answered_within", "answer_wait_ms", "abandoned",
	"abandon_wait_ms", "handled", "handle_ms", "transfers", "escalations", "staffed_ms", "answered_30s",
	"waited_over_2min", "declined", "missed", "moved_away"};
#define N_SUMS 16

static const char *summary_sql(enum store_report_by by)
{
	switch (by) {
	case STORE_REPORT_INTERVAL:
		return "SELECT r.start_ms, NULL," SUMS RANGE " GROUP BY r.start_ms ORDER BY r.start_ms";
	case STORE_REPORT_QUEUE:
		return "SELECT r.queue_id, min(q.name)," SUMS " LEFT JOIN queues q ON q.id = r.queue_id" RANGE
		       " AND r.queue_id <> 0 GROUP BY r.queue_id ORDER BY r.queue_id";
	case STORE_REPORT_AGENT:
		return "SELECT r.agent_id, min(u.name)," SUMS " LEFT JOIN users u ON u.id = r.agent_id" RANGE
		       " AND r.agent_id <> 0 GROUP BY r.agent_id ORDER BY r.agent_id";
	case STORE_REPORT_ORGANISATION:
		return "SELECT r.organisation_id, min(o.name)," SUMS " LEFT JOIN organisations o ON o.id = r.organisation_id"
		       RANGE " AND r.organisation_id <> 0 GROUP BY r.organisation_id ORDER BY r.organisation_id";
	case STORE_REPORT_CHANNEL:
		return "SELECT 0, r.channel," SUMS RANGE " AND r.channel <> '' GROUP BY r.channel ORDER BY r.channel";
	}
	return NULL;
}

static json_t *summary_row(struct db_stmt *st, void *arg)
{
	enum store_report_by by = *(const enum store_report_by *)arg;
	json_t *o = json_object();
	if (by == STORE_REPORT_CHANNEL)
		json_object_set_new(o, "channel", column_string(st, 1));
	else if (by == STORE_REPORT_INTERVAL)
		json_object_set_new(o, "start", column_time(st, 0));
	else {
		static const char *const ids[] = {[STORE_REPORT_QUEUE] = "queue_id", [STORE_REPORT_AGENT] = "agent_id",
			[STORE_REPORT_ORGANISATION] = "organisation_id"};
		json_object_set_new(o, ids[by], column_int(st, 0));
		json_object_set_new(o, "name", column_string(st, 1));
	}
	for (int i = 0; i < N_SUMS; i++)
		json_object_set_new(o, sum_names[i], json_integer(db_column_int64(st, i + 2)));
	return o;
}

int store_report_summary(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			 json_t **ret_rows)
{
	struct db_stmt *st = store_stmt(s, summary_sql(q->by));
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, q->from_ms);
	db_bind_int64(st, 3, q->to_ms);
	db_bind_int64(st, 4, q->organisation_id);
	db_bind_int64(st, 5, q->queue_id);
	enum store_report_by by = q->by;
	return collect_rows(s, st, summary_row, &by, ret_rows);
}

int store_report_fcr(struct store *s, const struct store_scope *scope, int64_t from_ms, int64_t to_ms,
		     int64_t queue_id, int64_t *ret_resolved, int64_t *ret_once)
{
	/* contacts_created finds the range's contacts, contacts_reason each one's next of the same customer and reason */
	struct db_stmt *st = store_stmt(s, "SELECT count(*), coalesce(sum(CASE WHEN NOT EXISTS (SELECT 1 FROM contacts n"
		" WHERE n.tenant_id = c.tenant_id AND n.customer_id = c.customer_id AND n.reason = c.reason"
		" AND n.created_at > c.created_at AND n.created_at <= c.created_at + ?4 AND n.id <> c.id)"
		" THEN 1 ELSE 0 END), 0) FROM contacts c WHERE c.tenant_id = ?1 AND c.created_at >= ?2 AND c.created_at < ?3"
		" AND c.state IN ('resolved', 'closed') AND c.reason IS NOT NULL AND c.customer_id IS NOT NULL"
		" AND (c.disposition IS NULL OR c.disposition NOT IN ('abandoned', 'refused_closed'))"
		" AND (?5 = 0 OR c.entry_queue_id = ?5)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, from_ms);
	db_bind_int64(st, 3, to_ms);
	db_bind_int64(st, 4, STORE_FCR_WINDOW_MS);
	db_bind_int64(st, 5, queue_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_resolved = db_column_int64(st, 0);
		*ret_once = db_column_int64(st, 1);
	}
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_report_viewer_organisation(struct store *s, const struct store_scope *scope, int64_t *ret_org)
{
	struct db_stmt *st = store_stmt(s, "SELECT u.organisation_id, t.organisation_id FROM users u, tenants t"
				      " WHERE u.id = ? AND t.id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->user_id);
	db_bind_int64(st, 2, scope->tenant_id);
	int rc = db_step(st);
	int64_t org = 0;
	if (rc == DB_ROW && !scope->platform_admin && db_column_int64(st, 0) != db_column_int64(st, 1))
		org = db_column_int64(st, 0);
	db_reset(st);
	if (rc < 0)
		return store_fail(s, rc);
	*ret_org = org;
	return GC_OK;
}
