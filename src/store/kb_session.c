/* Diagnosis sessions in the store: the tree walked (pinned to the version
 * it started on), the answers given, the path shown to whoever takes the
 * contact over, the outcome and the feedback; the uses of published
 * versions by contacts; training progress and the gap reports built on
 * them. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_kb_session_create(struct store *s, int64_t tenant_id, const struct store_kb_session *in, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO kb_sessions(tenant_id, mode, user_id, contact_id, query, lang,"
					 " tree_id, tree_version, context, answers, path, scenario, secret, state, started_at)"
					 " VALUES (?,?,?,?,?,?,?,?,?,'[]','[]',?,?,'open',?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, in->mode);
	bind_id(st, 3, in->user_id);
	bind_id(st, 4, in->contact_id);
	bind_text(st, 5, in->query);
	bind_text(st, 6, in->lang);
	db_bind_int64(st, 7, in->tree_id);
	db_bind_int64(st, 8, in->tree_version);
	bind_text(st, 9, in->context ? in->context : "{}");
	bind_text(st, 10, in->scenario);
	bind_text(st, 11, in->secret);
	db_bind_int64(st, 12, gc_now_ms());
	*ret_id = 0;
	return store_insert_id(s, st, ret_id);
}

#define SESSION_COLUMNS "s.id, s.mode, s.user_id, s.contact_id, s.query, s.lang, s.tree_id, i.key, s.tree_version," \
			" s.context, s.answers, s.path, s.scenario, s.secret, s.state, s.outcome, s.outcome_node," \
			" a.key, s.article_version, s.resolved, s.feedback, s.score, s.started_at, s.ended_at"

static json_t *session_row(struct db_stmt *st, void *arg)
{
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			      "id", column_int(st, 0), "mode", column_string(st, 1), "user_id", column_int(st, 2),
			      "contact_id", column_int(st, 3), "query", column_string(st, 4), "lang", column_string(st, 5),
			      "tree_item_id", column_int(st, 6), "tree", column_string(st, 7), "tree_version",
			      column_int(st, 8), "context", column_json(st, 9), "answers", column_json(st, 10), "path",
			      column_json(st, 11), "scenario", column_json(st, 12), "state", column_string(st, 14),
			      "outcome", column_string(st, 15), "outcome_node", column_string(st, 16), "article",
			      column_string(st, 17), "article_version", column_int(st, 18), "resolved",
			      db_column_is_null(st, 19) ? json_null()
									 : json_boolean(db_column_int(st, 19)),
			      "feedback", column_string(st, 20), "score", column_int(st, 21), "started_at",
			      column_time(st, 22), "ended_at", column_time(st, 23));
	if (o && arg) /* the secret only for the one who checks it */
		json_object_set_new(o, "secret", column_string(st, 13));
	return o;
}

int store_kb_session_get(struct store *s, int64_t tenant_id, int64_t id, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " SESSION_COLUMNS " FROM kb_sessions s JOIN kb_items i ON i.id = s.tree_id"
					 " LEFT JOIN kb_items a ON a.id = s.article_id WHERE s.tenant_id = ? AND s.id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, id);
	return one_row(s, st, session_row, (void *)1, ret);
}

int store_kb_session_walk(struct store *s, int64_t tenant_id, int64_t id, const json_t *answers, const json_t *path,
			  const char *outcome, const char *outcome_node, int64_t article_id, int article_version)
{
	char *a = json_dumps(answers, JSON_COMPACT), *p = json_dumps(path, JSON_COMPACT);
	struct db_stmt *st = a && p ? store_stmt(s, "UPDATE kb_sessions SET answers = ?, path = ?, outcome = ?,"
						  " outcome_node = ?, article_id = ?, article_version = ?"
						  " WHERE tenant_id = ? AND id = ?") : NULL;
	int rc = GC_ESTORE;
	if (st) {
		bind_text(st, 1, a);
		bind_text(st, 2, p);
		bind_text(st, 3, outcome);
		bind_text(st, 4, outcome_node);
		bind_id(st, 5, article_id);
		bind_id(st, 6, article_version);
		db_bind_int64(st, 7, tenant_id);
		db_bind_int64(st, 8, id);
		rc = store_step_done(s, st);
	}
	free(a);
	free(p);
	return rc;
}

int store_kb_session_end(struct store *s, int64_t tenant_id, int64_t id, bool resolved, const char *feedback,
			 int score)
{
	struct db_stmt *st = store_stmt(s, "UPDATE kb_sessions SET state = 'ended', resolved = ?, feedback = ?,"
					 " score = ?, ended_at = ? WHERE tenant_id = ? AND id = ? AND state = 'open'");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, resolved);
	bind_text(st, 2, feedback);
	if (score >= 0)
		db_bind_int64(st, 3, score);
	else
		db_bind_null_int64(st, 3);
	db_bind_int64(st, 4, gc_now_ms());
	db_bind_int64(st, 5, tenant_id);
	db_bind_int64(st, 6, id);
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ESTATE : rc;
}

int store_kb_sessions_of_contact(struct store *s, const struct store_scope *scope, int64_t contact_id,
				 json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " SESSION_COLUMNS " FROM kb_sessions s JOIN kb_items i ON i.id = s.tree_id"
					 " LEFT JOIN kb_items a ON a.id = s.article_id WHERE s.tenant_id = ? AND s.contact_id = ?"
					 " ORDER BY s.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	return collect_rows(s, st, session_row, NULL, ret_list);
}

int store_kb_use(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t item_id, int version,
		 int64_t session_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO kb_uses(tenant_id, contact_id, item_id, version, session_id, at)"
					 " VALUES (?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_id(st, 2, contact_id);
	db_bind_int64(st, 3, item_id);
	db_bind_int64(st, 4, version);
	bind_id(st, 5, session_id);
	db_bind_int64(st, 6, gc_now_ms());
	return store_step_done(s, st);
}

static json_t *uses_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "item", column_string(st, 0), "kind", column_string(st, 1),
			 "version", column_int(st, 2), "session_id", column_int(st, 3), "at", column_time(st, 4));
}

int store_kb_uses_of_contact(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT i.key, i.kind, u.version, u.session_id, u.at FROM kb_uses u"
					 " JOIN kb_items i ON i.id = u.item_id WHERE u.tenant_id = ? AND u.contact_id = ?"
					 " ORDER BY u.at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	return collect_rows(s, st, uses_row, NULL, ret_list);
}

static json_t *progress_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:f,s:o,s:o}", "user_id", column_int(st, 0), "user", column_string(st, 1),
			 "tree", column_string(st, 2), "sessions", column_int(st, 3), "average_score",
			 db_column_double(st, 4), "best_score", column_int(st, 5), "last_at", column_time(st, 6));
}

int store_kb_training_progress(struct store *s, const struct store_scope *scope, int64_t user_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT s.user_id, u.email, i.key, count(*), avg(s.score), max(s.score),"
					 " max(s.ended_at) FROM kb_sessions s JOIN kb_items i ON i.id = s.tree_id"
					 " LEFT JOIN users u ON u.id = s.user_id WHERE s.tenant_id = ?1 AND s.mode = 'training'"
					 " AND s.state = 'ended' AND (?2 = 0 OR s.user_id = ?2)"
					 " GROUP BY s.user_id, s.tree_id, u.email, i.key ORDER BY u.email, i.key");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, user_id);
	return collect_rows(s, st, progress_row, NULL, ret_list);
}

static json_t *tree_gap_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:f}", "tree", column_string(st, 0), "title", column_string(st, 1),
			 "sessions", column_int(st, 2), "escalated", column_int(st, 3), "not_resolved",
			 column_int(st, 4), "failure_rate", db_column_double(st, 5));
}

static json_t *unused_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o}", "item", column_string(st, 0), "title", column_string(st, 1),
			 "published_version", column_int(st, 2));
}

static json_t *query_gap_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o}", "query", column_string(st, 0), "sessions", column_int(st, 1),
			 "not_resolved", column_int(st, 2));
}

int store_kb_gaps(struct store *s, const struct store_scope *scope, json_t **ret)
{
	json_t *trees = NULL, *unused = NULL, *queries = NULL;
	/* counts of conditions written as sum(CASE ...): PostgreSQL has no sum of booleans */
	struct db_stmt *st = store_stmt(s, "SELECT key, title, n, escalated, not_resolved, failed * 1.0 / n AS rate FROM"
		" (SELECT i.key, i.title, count(*) AS n,"
		"  sum(CASE WHEN s.outcome = 'escalate' THEN 1 ELSE 0 END) AS escalated,"
		"  sum(CASE WHEN s.resolved = 0 THEN 1 ELSE 0 END) AS not_resolved,"
		"  sum(CASE WHEN s.outcome = 'escalate' THEN 1 ELSE 0 END)"
		"  + sum(CASE WHEN s.resolved = 0 AND s.outcome <> 'escalate' THEN 1 ELSE 0 END) AS failed"
		"  FROM kb_sessions s JOIN kb_items i ON i.id = s.tree_id"
		"  WHERE s.tenant_id = ? AND s.mode <> 'training' AND s.state = 'ended'"
		"  GROUP BY s.tree_id, i.key, i.title) t"
		" WHERE failed > 0 ORDER BY rate DESC, n DESC LIMIT 50");
	int rc = st ? GC_OK : GC_ESTORE;
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		rc = collect_rows(s, st, tree_gap_row, NULL, &trees);
	}
	st = rc < 0 ? NULL : store_stmt(s, "SELECT i.key, i.title, i.published_version FROM kb_items i"
		" WHERE i.tenant_id = ? AND i.kind = 'article' AND i.published_version IS NOT NULL AND i.state <> 'archived'"
		" AND NOT EXISTS (SELECT 1 FROM kb_uses u WHERE u.tenant_id = i.tenant_id AND u.item_id = i.id)"
		" ORDER BY i.key LIMIT 200");
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		rc = collect_rows(s, st, unused_row, NULL, &unused);
	}
	/* queries whose sessions failed: the words customers use where the knowledge falls short */
	st = rc < 0 ? NULL : store_stmt(s, "SELECT lower(query), count(*),"
		" sum(CASE WHEN resolved = 0 OR outcome = 'escalate' THEN 1 ELSE 0 END)"
		" FROM kb_sessions WHERE tenant_id = ? AND query IS NOT NULL AND state = 'ended' AND mode <> 'training'"
		" GROUP BY lower(query) HAVING sum(CASE WHEN resolved = 0 OR outcome = 'escalate' THEN 1 ELSE 0 END) > 0"
		" ORDER BY 3 DESC, 2 DESC LIMIT 50");
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		rc = collect_rows(s, st, query_gap_row, NULL, &queries);
	}
	if (rc == GC_OK)
		*ret = json_pack("{s:o,s:o,s:o}", "trees_failing", trees, "articles_unused", unused,
				 "queries_failing", queries);
	else {
		json_decref(trees);
		json_decref(unused);
		json_decref(queries);
	}
	return rc;
}

int store_kb_sessions_attach(struct store *s, int64_t tenant_id, int64_t id, int64_t contact_id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE kb_sessions SET contact_id = ? WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, contact_id);
	db_bind_int64(st, 2, tenant_id);
	db_bind_int64(st, 3, id);
	return store_step_done(s, st);
}

int store_tenant_exists(struct store *s, int64_t tenant_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT 1 FROM tenants WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc = db_step(st) == DB_ROW ? GC_OK : GC_ENOTFOUND;
	db_reset(st);
	return rc;
}

int store_contact_handled_by(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t user_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT 1 FROM routing WHERE tenant_id = ?1 AND contact_id = ?2"
					 " AND agent_id = ?3 AND state = 'assigned'"
					 " UNION ALL SELECT 1 FROM routing_events WHERE contact_id = ?2 AND tenant_id = ?1"
					 " AND agent_id = ?3 AND type = 'accepted' LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	db_bind_int64(st, 3, user_id);
	int rc = db_step(st);
	db_reset(st);
	if (rc == DB_ROW)
		return GC_OK;
	return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}
