/* Reports kept current from the contacts' events (migration 31): reasons
 * and dispositions, satisfaction scores, knowledge items that resolve and
 * that fail.
 *
 * As report.c folds the routing events, this folds each tenant's
 * contact_events still to fold (to_fold = 1, cleared as each is claimed:
 * exactly once even when several nodes of a cluster write and fold the
 * same tenant's events, whose ids they do not commit in order) into per
 * half-hour rows, in the caller's transaction. An event the fold would
 * skip (a message added, a contact created with no customer or no reason)
 * is appended with to_fold = 0: most batches then have nothing to claim.
 * Appending one to fold marks its tenant (store_report_touch); the writer
 * folds the tenants its batch touched before it commits, so what a batch
 * acknowledges is counted by the same commit, and guichetd folds what is
 * left at start (old data, the demo's history moved back in time).
 *
 *   state_changed to resolved   report_reasons +1 (half hour, the contact's
 *                               queue, the resolving user's organisation,
 *                               channel, the contact's reason, disposition),
 *                               but an incident's notice (incident_notice)
 *   rated {score, previous?}    report_satisfaction: rated +1 (0 when it
 *                               replaces a previous score), the score's
 *                               count +1 and the previous one's -1, under
 *                               the queue and agent of the contact's last
 *                               answer, the agent's organisation, channel
 *   kb_outcome {tree_id, article_id, resolved}
 *                               report_knowledge per item: resolved or
 *                               said_no +1 (the user's organisation); a
 *                               resolution with a customer and a reason is
 *                               kept in report_kb_resolutions
 *   created, updated, resolved  a contact of customer C for reason R made at
 *                               T marks the resolutions of C and R made in
 *                               [T - 7 days, T) on other contacts repeated
 *                               (report_knowledge.repeated +1 where the
 *                               resolution was counted); a resolution whose
 *                               repeat is already stored is repeated at once.
 *
 * Reading never touches the contacts: a report sums rows of a range. */
#include "store/store_internal.h"
#include "guichet/array.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_MS (30 * 60 * 1000LL)
#define FOLD_CHUNK 2000
#define REPEAT_WINDOW_MS (7 * 24 * 3600 * 1000LL)

struct contact_row {
	char channel[16], queue[128], reason[128];
	int64_t customer_id, created_at;
	bool found;
};

struct cfold {
	struct store *s;
	int64_t tenant_id;
	int rc;
};

static int64_t slot_of(int64_t at)
{
	return at - ((at % SLOT_MS) + SLOT_MS) % SLOT_MS;
}

void store_report_touch(struct store *s, int64_t tenant_id)
{
	for (int i = 0; i < s->n_touched; i++)
		if (s->touched[i] == tenant_id)
			return;
	if (s->n_touched < STORE_TOUCHED_MAX)
		s->touched[s->n_touched++] = tenant_id;
	else
		s->touched_all = true;
}

/* The events fold_event counts (the others it skips, and the store
 * appends them folded already). */
bool store_report_folds(const char *type)
{
	static const char *const folded[] = {"created", "updated", "state_changed", "rated", "kb_outcome"};
	for (size_t i = 0; i < sizeof(folded) / sizeof(*folded); i++)
		if (strcmp(type, folded[i]) == 0)
			return true;
	return false;
}

static const char contact_row_sql[] = "SELECT channel, coalesce(customer_id, 0), coalesce(reason, ''),"
	" coalesce(queue, ''), created_at FROM contacts WHERE tenant_id = ? AND id = ?";

/* The contacts of the events ev[0..n) (rows[i]: ev[i]'s), read together:
 * each read sent ahead as an instance of its own, so on PostgreSQL one
 * round trip for every STORE_READ_BATCH events, not one each. */
static int load_contacts(struct cfold *f, json_t *const *ev, size_t n, struct contact_row *rows)
{
	for (size_t i = 0; i < n; i += STORE_READ_BATCH) {
		size_t m = n - i < STORE_READ_BATCH ? n - i : STORE_READ_BATCH;
		struct db_stmt *st[STORE_READ_BATCH] = {0};
		for (size_t k = 0; k < m; k++) {
			rows[i + k] = (struct contact_row){0};
			if (!store_report_folds(json_string_value(json_object_get(ev[i + k], "type"))))
				continue;
			if ((st[k] = store_stmt_instance(f->s, contact_row_sql, (int)k)) == NULL)
				return GC_ESTORE;
			db_bind_int64(st[k], 1, f->tenant_id);
			db_bind_int64(st[k], 2, json_integer_value(json_object_get(ev[i + k], "contact_id")));
			db_send(st[k]);
		}
		int rc = DB_DONE;
		for (size_t k = 0; k < m; k++) {
			if (st[k] == NULL)
				continue;
			struct contact_row *c = &rows[i + k];
			if (rc == DB_ROW || rc == DB_DONE)
				rc = db_step(st[k]);
			if (rc == DB_ROW) {
				c->found = true;
				snprintf(c->channel, sizeof(c->channel), "%s", db_column_text(st[k], 0));
				c->customer_id = db_column_int64(st[k], 1);
				snprintf(c->reason, sizeof(c->reason), "%s", db_column_text(st[k], 2));
				snprintf(c->queue, sizeof(c->queue), "%s", db_column_text(st[k], 3));
				c->created_at = db_column_int64(st[k], 4);
			}
			db_reset(st[k]);
		}
		if (rc != DB_ROW && rc != DB_DONE)
			return store_fail(f->s, rc);
	}
	return GC_OK;
}

/* One integer from a statement with its parameters bound by the caller (0 when no row). */
static int one_int(struct cfold *f, struct db_stmt *st, int64_t *ret)
{
	int rc = db_step(st);
	*ret = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(f->s, rc);
}

static int queue_by_name(struct cfold *f, const char *name, int64_t *ret)
{
	*ret = 0;
	if (name[0] == '\0')
		return GC_OK;
	struct db_stmt *st = store_stmt(f->s, "SELECT id FROM queues WHERE tenant_id = ? AND name = ? ORDER BY deleted, id"
				      " LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, f->tenant_id);
	bind_text(st, 2, name);
	return one_int(f, st, ret);
}

/* The organisation of the user an event's actor names (its email); 0 for a channel, a token, the system. */
static int organisation_of_actor(struct cfold *f, const char *actor, int64_t *ret)
{
	*ret = 0;
	if (actor == NULL || strchr(actor, '@') == NULL)
		return GC_OK;
	struct db_stmt *st = store_stmt(f->s, "SELECT organisation_id FROM users WHERE email = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, actor);
	return one_int(f, st, ret);
}

static int organisation_of_user(struct cfold *f, int64_t user_id, int64_t *ret)
{
	*ret = 0;
	if (user_id == 0)
		return GC_OK;
	struct db_stmt *st = store_stmt(f->s, "SELECT organisation_id FROM users WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, user_id);
	return one_int(f, st, ret);
}

static int add_reason(struct cfold *f, int64_t at, int64_t queue_id, int64_t org, const struct contact_row *c,
		      const char *disposition)
{
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO report_reasons(tenant_id, start_ms, queue_id, organisation_id,"
		" channel, reason, disposition, contacts) VALUES (?,?,?,?,?,?,?,1)"
		" ON CONFLICT (tenant_id, start_ms, queue_id, organisation_id, channel, reason, disposition)"
		" DO UPDATE SET contacts = report_reasons.contacts + 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, f->tenant_id);
	db_bind_int64(st, 2, slot_of(at));
	db_bind_int64(st, 3, queue_id);
	db_bind_int64(st, 4, org);
	bind_text(st, 5, c->channel);
	bind_text(st, 6, c->reason);
	bind_text(st, 7, disposition);
	return store_step_done(f->s, st);
}

static int add_knowledge(struct cfold *f, int64_t start_ms, int64_t item_id, int64_t org, int resolved, int said_no,
			 int repeated)
{
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO report_knowledge(tenant_id, start_ms, item_id, organisation_id,"
		" resolved, said_no, repeated) VALUES (?,?,?,?,?,?,?)"
		" ON CONFLICT (tenant_id, start_ms, item_id, organisation_id) DO UPDATE SET"
		" resolved = report_knowledge.resolved + excluded.resolved,"
		" said_no = report_knowledge.said_no + excluded.said_no,"
		" repeated = report_knowledge.repeated + excluded.repeated");
	if (st == NULL)
		return GC_ESTORE;
	const int64_t v[] = {f->tenant_id, start_ms, item_id, org, resolved, said_no, repeated};
	for (int i = 0; i < 7; i++)
		db_bind_int64(st, i + 1, v[i]);
	return store_step_done(f->s, st);
}

struct resolution {
	int64_t contact_id, item_id, start_ms, organisation_id;
};

/* A contact of c's customer and reason made at c->created_at: the
 * resolutions of the 7 days before on other contacts become repeated. */
static int mark_repeats(struct cfold *f, int64_t contact_id, const struct contact_row *c)
{
	if (!c->found || c->customer_id == 0 || c->reason[0] == '\0')
		return GC_OK;
	struct db_stmt *st = store_stmt(f->s, "SELECT contact_id, item_id, start_ms, organisation_id"
		" FROM report_kb_resolutions WHERE tenant_id = ? AND customer_id = ? AND reason = ?"
		" AND created_at >= ? AND created_at < ? AND contact_id <> ? AND repeated = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, f->tenant_id);
	db_bind_int64(st, 2, c->customer_id);
	bind_text(st, 3, c->reason);
	db_bind_int64(st, 4, c->created_at - REPEAT_WINDOW_MS);
	db_bind_int64(st, 5, c->created_at);
	db_bind_int64(st, 6, contact_id);
	struct resolution *res = NULL;
	uint32_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (gc_grow((void **)&res, &cap, sizeof(*res), n + 1) < 0) {
			rc = GC_ENOMEM;
			break;
		}
		res[n++] = (struct resolution){db_column_int64(st, 0), db_column_int64(st, 1), db_column_int64(st, 2),
			db_column_int64(st, 3)};
	}
	db_reset(st);
	rc = rc == DB_DONE ? GC_OK : rc < 0 ? rc : store_fail(f->s, rc);
	for (uint32_t i = 0; rc == GC_OK && i < n; i++) {
		st = store_stmt(f->s, "UPDATE report_kb_resolutions SET repeated = 1"
			" WHERE tenant_id = ? AND contact_id = ? AND item_id = ?");
		if (st == NULL) {
			rc = GC_ESTORE;
			break;
		}
		db_bind_int64(st, 1, f->tenant_id);
		db_bind_int64(st, 2, res[i].contact_id);
		db_bind_int64(st, 3, res[i].item_id);
		if ((rc = store_step_done(f->s, st)) == GC_OK)
			rc = add_knowledge(f, res[i].start_ms, res[i].item_id, res[i].organisation_id, 0, 0, 1);
	}
	free(res);
	return rc;
}

/* Whether a contact of c's customer and reason came in the 7 days after c. */
static int repeated_already(struct cfold *f, int64_t contact_id, const struct contact_row *c, bool *ret)
{
	struct db_stmt *st = store_stmt(f->s, "SELECT count(*) FROM contacts WHERE tenant_id = ? AND customer_id = ?"
		" AND reason = ? AND created_at > ? AND created_at <= ? AND id <> ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, f->tenant_id);
	db_bind_int64(st, 2, c->customer_id);
	bind_text(st, 3, c->reason);
	db_bind_int64(st, 4, c->created_at);
	db_bind_int64(st, 5, c->created_at + REPEAT_WINDOW_MS);
	db_bind_int64(st, 6, contact_id);
	int64_t n = 0;
	int rc = one_int(f, st, &n);
	*ret = n > 0;
	return rc;
}

static int kb_item(struct cfold *f, int64_t contact_id, const struct contact_row *c, int64_t item_id, int64_t at,
		   int64_t org, bool resolved)
{
	if (item_id <= 0)
		return GC_OK;
	if (!resolved)
		return add_knowledge(f, slot_of(at), item_id, org, 0, 1, 0);
	bool tracked = c->found && c->customer_id && c->reason[0], repeated = false;
	int rc = tracked ? repeated_already(f, contact_id, c, &repeated) : GC_OK;
	if (rc == GC_OK && tracked) {
		struct db_stmt *st = store_stmt(f->s, "INSERT INTO report_kb_resolutions(tenant_id, contact_id, item_id,"
			" customer_id, reason, created_at, start_ms, organisation_id, repeated) VALUES (?,?,?,?,?,?,?,?,?)"
			" ON CONFLICT (tenant_id, contact_id, item_id) DO NOTHING");
		if (st == NULL)
			return GC_ESTORE;
		const int64_t v[] = {f->tenant_id, contact_id, item_id, c->customer_id};
		for (int i = 0; i < 4; i++)
			db_bind_int64(st, i + 1, v[i]);
		bind_text(st, 5, c->reason);
		db_bind_int64(st, 6, c->created_at);
		db_bind_int64(st, 7, slot_of(at));
		db_bind_int64(st, 8, org);
		db_bind_int64(st, 9, repeated);
		rc = store_step_done(f->s, st);
	}
	return rc == GC_OK ? add_knowledge(f, slot_of(at), item_id, org, 1, 0, repeated) : rc;
}

/* The agent and queue of the contact's last answer. */
static int last_answer(struct cfold *f, int64_t contact_id, int64_t *ret_agent, int64_t *ret_queue)
{
	struct db_stmt *st = store_stmt(f->s, "SELECT agent_id, queue_id FROM routing_events WHERE contact_id = ?"
				      " AND tenant_id = ? AND type = 'accepted' ORDER BY id DESC LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, contact_id);
	db_bind_int64(st, 2, f->tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_agent = db_column_int64(st, 0);
		*ret_queue = db_column_int64(st, 1);
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(f->s, rc);
}

static int add_rating(struct cfold *f, int64_t contact_id, const struct contact_row *c, int64_t at, json_t *data)
{
	int64_t score = json_integer_value(json_object_get(data, "score"));
	int64_t previous = json_integer_value(json_object_get(data, "previous"));
	if (score < 1 || score > 5)
		return GC_OK;
	if (previous < 1 || previous > 5)
		previous = 0;
	int64_t agent = 0, queue = 0, org = 0;
	int rc = last_answer(f, contact_id, &agent, &queue);
	if (rc == GC_OK && queue == 0)
		rc = queue_by_name(f, c->queue, &queue);
	if (rc == GC_OK)
		rc = organisation_of_user(f, agent, &org);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO report_satisfaction(tenant_id, start_ms, queue_id, agent_id,"
		" organisation_id, channel, rated, score_sum, score_1, score_2, score_3, score_4, score_5)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
		" ON CONFLICT (tenant_id, start_ms, queue_id, agent_id, organisation_id, channel) DO UPDATE SET"
		" rated = report_satisfaction.rated + excluded.rated,"
		" score_sum = report_satisfaction.score_sum + excluded.score_sum,"
		" score_1 = report_satisfaction.score_1 + excluded.score_1,"
		" score_2 = report_satisfaction.score_2 + excluded.score_2,"
		" score_3 = report_satisfaction.score_3 + excluded.score_3,"
		" score_4 = report_satisfaction.score_4 + excluded.score_4,"
		" score_5 = report_satisfaction.score_5 + excluded.score_5");
	if (st == NULL)
		return GC_ESTORE;
	const int64_t v[] = {f->tenant_id, slot_of(at), queue, agent, org};
	for (int i = 0; i < 5; i++)
		db_bind_int64(st, i + 1, v[i]);
	bind_text(st, 6, c->channel);
	db_bind_int64(st, 7, previous ? 0 : 1);
	db_bind_int64(st, 8, score - previous);
	for (int k = 1; k <= 5; k++)
		db_bind_int64(st, 8 + k, (k == score) - (k == previous));
	return store_step_done(f->s, st);
}

/* Folds one event, of the contact c (load_contacts). */
static int fold_event(struct cfold *f, const json_t *ev, const struct contact_row *c)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	int64_t contact_id = json_integer_value(json_object_get(ev, "contact_id"));
	int64_t at = json_integer_value(json_object_get(ev, "at"));
	const char *actor = json_string_value(json_object_get(ev, "actor"));
	bool state = strcmp(type, "state_changed") == 0, rated = strcmp(type, "rated") == 0;
	bool outcome = strcmp(type, "kb_outcome") == 0;
	if (!store_report_folds(type))
		return GC_OK;
	json_t *data = json_loads(json_string_value(json_object_get(ev, "data")), 0, NULL);
	const char *to = json_string_value(json_object_get(data, "to"));
	const char *disposition = json_string_value(json_object_get(data, "disposition"));
	int64_t queue = 0, org = 0;
	int rc = GC_OK;
	/* an incident's notice (broadcast.c) is resolved as it is made: no customer came, nothing to count */
	bool notice = disposition && strcmp(disposition, STORE_INCIDENT_NOTICE) == 0;
	if (state && to && strcmp(to, "resolved") == 0 && !notice) {
		if ((rc = queue_by_name(f, c->queue, &queue)) == GC_OK &&
		    (rc = organisation_of_actor(f, actor, &org)) == GC_OK)
			rc = add_reason(f, at, queue, org, c, disposition ? disposition : "");
	} else if (rc == GC_OK && rated) {
		rc = add_rating(f, contact_id, c, at, data);
	} else if (rc == GC_OK && outcome) {
		bool resolved = json_is_true(json_object_get(data, "resolved"));
		if ((rc = organisation_of_actor(f, actor, &org)) == GC_OK)
			rc = kb_item(f, contact_id, c, json_integer_value(json_object_get(data, "tree_id")), at, org, resolved);
		if (rc == GC_OK)
			rc = kb_item(f, contact_id, c, json_integer_value(json_object_get(data, "article_id")), at, org,
				     resolved);
	}
	if (rc == GC_OK && !rated && !outcome)
		rc = mark_repeats(f, contact_id, c);
	json_decref(data);
	return rc;
}

static json_t *event_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:I,s:I,s:s,s:s?,s:s,s:I}", "id", (json_int_t)db_column_int64(st, 0), "contact_id",
			 (json_int_t)db_column_int64(st, 1), "type", db_column_text(st, 2), "actor",
			 db_column_is_null(st, 3) ? NULL : db_column_text(st, 3), "data", db_column_text(st, 4), "at",
			 (json_int_t)db_column_int64(st, 5));
}

static int by_id(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));
	return x < y ? -1 : x > y;
}

int store_report_contacts_fold(struct store *s, int64_t tenant_id, int limit)
{
	struct cfold f = {.s = s, .tenant_id = tenant_id};
	/* claimed by clearing to_fold: on PostgreSQL a row another node's
	 * transaction claims is waited for, then skipped once it commits; the
	 * events its transactions have not committed are not seen here, and
	 * that node folds them itself before it commits */
	struct db_stmt *st = store_stmt(s, "UPDATE contact_events SET to_fold = 0 WHERE tenant_id = ?1 AND to_fold = 1"
				      " AND id IN (SELECT id FROM contact_events WHERE tenant_id = ?1 AND to_fold = 1"
				      " ORDER BY id LIMIT ?2) RETURNING id, contact_id, type, actor, data, at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, limit > 0 ? limit : FOLD_CHUNK);
	json_t *events = NULL;
	int rc = collect_rows(s, st, event_row, NULL, &events);
	if (rc < 0)
		return rc;
	size_t i, n = json_array_size(events);
	json_t **sorted = calloc(n ? n : 1, sizeof(*sorted));
	if (sorted == NULL)
		rc = GC_ENOMEM;
	for (i = 0; rc == GC_OK && i < n; i++)
		sorted[i] = json_array_get(events, i);
	if (rc == GC_OK)
		qsort(sorted, n, sizeof(*sorted), by_id); /* RETURNING has no order */
	struct contact_row *contacts = rc == GC_OK ? calloc(n ? n : 1, sizeof(*contacts)) : NULL;
	if (rc == GC_OK && contacts == NULL)
		rc = GC_ENOMEM;
	if (rc == GC_OK)
		rc = load_contacts(&f, sorted, n, contacts);
	for (i = 0; rc == GC_OK && i < n; i++)
		rc = fold_event(&f, sorted[i], &contacts[i]);
	free(contacts);
	free(sorted);
	json_decref(events);
	return rc < 0 ? rc : (int)n;
}

/* Folds one tenant up to date, in a savepoint of the caller's transaction:
 * a failure leaves its events still to fold, for the next batch. */
static int fold_in_savepoint(struct store *s, int64_t tenant_id)
{
	int rc = store_savepoint(s);
	if (rc < 0)
		return rc;
	int n = FOLD_CHUNK;
	while (rc == GC_OK && n == FOLD_CHUNK)
		rc = (n = store_report_contacts_fold(s, tenant_id, FOLD_CHUNK)) < 0 ? n : GC_OK;
	if (rc == GC_OK)
		store_release(s);
	else
		store_rollback_to(s);
	return rc;
}

static int tenants_all(struct store *s, int64_t **ret, uint32_t *ret_n)
{
	int64_t *tenants = NULL;
	uint32_t n = 0, cap = 0;
	struct db_stmt *st = store_stmt(s, "SELECT id FROM tenants ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (gc_grow((void **)&tenants, &cap, sizeof(*tenants), n + 1) < 0) {
			rc = GC_ENOMEM;
			break;
		}
		tenants[n++] = db_column_int64(st, 0);
	}
	db_reset(st);
	rc = rc == DB_DONE ? GC_OK : rc < 0 ? rc : store_fail(s, rc);
	if (rc < 0) {
		free(tenants);
		return rc;
	}
	*ret = tenants;
	*ret_n = n;
	return GC_OK;
}

int store_report_contacts_fold_touched(struct store *s)
{
	int64_t *all = NULL;
	uint32_t n = (uint32_t)s->n_touched;
	int rc = GC_OK, first = GC_OK;
	if (s->touched_all && (rc = tenants_all(s, &all, &n)) < 0)
		return rc;
	for (uint32_t i = 0; i < n; i++)
		if ((rc = fold_in_savepoint(s, all ? all[i] : s->touched[i])) < 0 && first == GC_OK)
			first = rc;
	free(all);
	s->n_touched = 0;
	s->touched_all = false;
	return first;
}

int store_report_contacts_catch_up(struct store *s)
{
	int64_t *tenants = NULL;
	uint32_t n_tenants = 0;
	int rc = tenants_all(s, &tenants, &n_tenants);
	for (uint32_t i = 0; rc == GC_OK && i < n_tenants; i++) {
		int n = FOLD_CHUNK;
		while (rc == GC_OK && n == FOLD_CHUNK) {
			if ((rc = store_begin(s)) < 0)
				break;
			n = store_report_contacts_fold(s, tenants[i], FOLD_CHUNK);
			rc = n < 0 ? n : store_commit(s);
			if (rc < 0)
				store_rollback(s);
		}
	}
	free(tenants);
	s->n_touched = 0;
	s->touched_all = false;
	return rc;
}

int store_contact_kb_outcome(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t session_id,
			     int64_t tree_id, int64_t article_id, bool resolved)
{
	return store_event_append(s, scope, contact_id, "kb_outcome",
				  json_pack("{s:I,s:I,s:I,s:b}", "session_id", (json_int_t)session_id, "tree_id",
					    (json_int_t)tree_id, "article_id", (json_int_t)article_id, "resolved", resolved),
				  gc_now_ms());
}

/* --- reading --- */

#define RANGE(t) " WHERE " t ".tenant_id = ?1 AND " t ".start_ms >= ?2 AND " t ".start_ms < ?3" \
	" AND (?4 = 0 OR " t ".organisation_id = ?4)"

static void bind_range(struct db_stmt *st, const struct store_scope *scope, const struct store_report_query *q)
{
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, q->from_ms);
	db_bind_int64(st, 3, q->to_ms);
	db_bind_int64(st, 4, q->organisation_id);
}

static json_t *reason_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:I,s:s,s:s,s:I}", "start_ms", (json_int_t)db_column_int64(st, 0), "reason",
			 db_column_text(st, 1), "disposition", db_column_text(st, 2), "contacts",
			 (json_int_t)db_column_int64(st, 3));
}

int store_report_reasons(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			 json_t **ret_rows)
{
	struct db_stmt *st = store_stmt(s, "SELECT r.start_ms, r.reason, r.disposition, sum(r.contacts)"
		" FROM report_reasons r" RANGE("r") " AND (?5 = 0 OR r.queue_id = ?5)"
		" GROUP BY r.start_ms, r.reason, r.disposition ORDER BY r.start_ms, r.reason, r.disposition");
	if (st == NULL)
		return GC_ESTORE;
	bind_range(st, scope, q);
	db_bind_int64(st, 5, q->queue_id);
	return collect_rows(s, st, reason_row, NULL, ret_rows);
}

#define SAT_SUMS " sum(r.rated), sum(r.score_sum), sum(r.score_1), sum(r.score_2), sum(r.score_3)," \
	" sum(r.score_4), sum(r.score_5) FROM report_satisfaction r"
#define SAT_RANGE RANGE("r") " AND (?5 = 0 OR r.queue_id = ?5)"

static const char *satisfaction_sql(enum store_report_by by)
{
	switch (by) {
	case STORE_REPORT_INTERVAL:
		return NULL;
	case STORE_REPORT_QUEUE:
		return "SELECT r.queue_id, min(q.name)," SAT_SUMS " LEFT JOIN queues q ON q.id = r.queue_id" SAT_RANGE
		       " GROUP BY r.queue_id ORDER BY r.queue_id";
	case STORE_REPORT_AGENT:
		return "SELECT r.agent_id, min(u.name)," SAT_SUMS " LEFT JOIN users u ON u.id = r.agent_id" SAT_RANGE
		       " GROUP BY r.agent_id ORDER BY r.agent_id";
	case STORE_REPORT_ORGANISATION:
		return "SELECT r.organisation_id, min(o.name)," SAT_SUMS
		       " LEFT JOIN organisations o ON o.id = r.organisation_id" SAT_RANGE
		       " GROUP BY r.organisation_id ORDER BY r.organisation_id";
	case STORE_REPORT_CHANNEL:
		return "SELECT 0, r.channel," SAT_SUMS SAT_RANGE " GROUP BY r.channel ORDER BY r.channel";
	}
	return NULL;
}

static const char *const sat_names[] = {"rated", "score_sum", "score_1", "score_2", "score_3", "score_4", "score_5"};

static json_t *satisfaction_row(struct db_stmt *st, void *arg)
{
	enum store_report_by by = *(const enum store_report_by *)arg;
	json_t *o = json_object();
	if (by == STORE_REPORT_CHANNEL) {
		json_object_set_new(o, "channel", column_string(st, 1));
	} else {
		static const char *const ids[] = {[STORE_REPORT_QUEUE] = "queue_id", [STORE_REPORT_AGENT] = "agent_id",
			[STORE_REPORT_ORGANISATION] = "organisation_id"};
		json_object_set_new(o, ids[by], column_int(st, 0));
		json_object_set_new(o, "name", column_string(st, 1));
	}
	for (int i = 0; i < 7; i++)
		json_object_set_new(o, sat_names[i], json_integer(db_column_int64(st, i + 2)));
	return o;
}

int store_report_satisfaction(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			      json_t **ret_rows)
{
	const char *sql = satisfaction_sql(q->by);
	if (sql == NULL)
		return GC_EINVAL;
	struct db_stmt *st = store_stmt(s, sql);
	if (st == NULL)
		return GC_ESTORE;
	bind_range(st, scope, q);
	db_bind_int64(st, 5, q->queue_id);
	enum store_report_by by = q->by;
	return collect_rows(s, st, satisfaction_row, &by, ret_rows);
}

static json_t *knowledge_row(struct db_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:I,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:I}", "item_id", (json_int_t)db_column_int64(st, 0), "key",
			 column_string(st, 1), "kind", column_string(st, 2), "title", column_string(st, 3), "resolved",
			 (json_int_t)db_column_int64(st, 4), "said_no", (json_int_t)db_column_int64(st, 5), "repeated",
			 (json_int_t)db_column_int64(st, 6), "self_service_solved", (json_int_t)db_column_int64(st, 7),
			 "self_service_unsolved", (json_int_t)db_column_int64(st, 8));
}

int store_report_knowledge(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			   json_t **ret_rows)
{
	/* the help centre's answers are the brand's: none for an organisation's cut */
	struct db_stmt *st = store_stmt(s, "SELECT k.item_id, min(i.key), min(i.kind), min(i.title), sum(k.resolved),"
		" sum(k.said_no), sum(k.repeated), sum(k.self_solved), sum(k.self_unsolved) FROM ("
		"SELECT k.tenant_id, k.item_id, k.resolved, k.said_no, k.repeated, 0 self_solved, 0 self_unsolved"
		" FROM report_knowledge k" RANGE("k") " UNION ALL"
		" SELECT k.tenant_id, k.item_id, 0, 0, 0, k.solved, k.unsolved FROM report_self_service k"
		" WHERE k.tenant_id = ?1 AND k.start_ms >= ?2 AND k.start_ms < ?3 AND ?4 = 0) k"
		" LEFT JOIN kb_items i ON i.id = k.item_id AND i.tenant_id = k.tenant_id"
		" GROUP BY k.item_id ORDER BY k.item_id");
	if (st == NULL)
		return GC_ESTORE;
	bind_range(st, scope, q);
	return collect_rows(s, st, knowledge_row, NULL, ret_rows);
}

int store_report_self_service_add(struct store *s, int64_t tenant_id, int64_t at, int64_t item_id, bool solved)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO report_self_service(tenant_id, start_ms, item_id, solved,"
		" unsolved) VALUES (?,?,?,?,?) ON CONFLICT (tenant_id, start_ms, item_id) DO UPDATE SET"
		" solved = report_self_service.solved + excluded.solved,"
		" unsolved = report_self_service.unsolved + excluded.unsolved");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, slot_of(at));
	db_bind_int64(st, 3, item_id);
	db_bind_int64(st, 4, solved ? 1 : 0);
	db_bind_int64(st, 5, solved ? 0 : 1);
	return store_step_done(s, st);
}
