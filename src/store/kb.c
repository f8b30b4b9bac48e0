/* Knowledge in the store: articles and trees (a draft being worked on, and
 * immutable published versions), the review loop (approvals, flags,
 * review-by dates), diagnosis sessions, what searches learn (links from
 * query words to items, the tenant's synonyms, words that matched
 * nothing), and the change log that in-memory searches follow.
 *
 * Every change a search must see appends to kb_changes in the same
 * transaction, so a search index never runs ahead of what was committed. */
#include "store/store_internal.h"
#include "store/dialect.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Searches follow kb_changes by its numbers (kbsvc.h): a number must never
 * commit after a larger one, or a search that read the larger would skip
 * it. With several nodes writing to PostgreSQL, each change first takes the
 * tenant's change-log lock, held until the commit. */
static int change(struct store *s, int64_t tenant_id, const char *kind, int64_t item_id, const char *lang,
		  const char *term, const char *phrase)
{
	const char *in_order = dialect_sql(s->db, DIALECT_KB_CHANGES_IN_ORDER);
	struct db_stmt *lock = in_order ? store_stmt(s, in_order) : NULL;
	if (in_order && lock == NULL)
		return GC_ESTORE;
	if (lock) {
		db_bind_int64(lock, 1, tenant_id);
		int rc = store_step_done(s, lock);
		if (rc < 0)
			return rc;
	}
	struct db_stmt *st = store_stmt(s, "INSERT INTO kb_changes(tenant_id, kind, item_id, lang, term, phrase)"
					 " VALUES (?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, kind);
	bind_id(st, 3, item_id);
	bind_text(st, 4, lang);
	bind_text(st, 5, term);
	bind_text(st, 6, phrase);
	return store_step_done(s, st);
}

/* --- items --- */

#define ITEM_COLUMNS "i.id, i.key, i.kind, i.state, i.owner_id, i.lang, i.title, i.draft, i.published_version," \
		     " i.review_by, i.created_at, i.updated_at," \
		     " (SELECT count(*) FROM kb_approvals a WHERE a.item_id = i.id)," \
		     " (SELECT count(*) FROM kb_flags f WHERE f.item_id = i.id AND f.resolved_at IS NULL)," \
		     " i.review_comment"

static json_t *item_row(struct db_stmt *st, void *with_draft)
{
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "item_id", column_int(st, 0),
			      "id", column_string(st, 1), "kind", column_string(st, 2), "state", column_string(st, 3),
			      "owner_id", column_int(st, 4), "lang", column_string(st, 5), "title",
			      column_string(st, 6), "published_version", column_int(st, 8), "review_by",
			      column_time(st, 9), "created_at", column_time(st, 10), "updated_at",
			      column_time(st, 11), "approvals", column_int(st, 12), "open_flags", column_int(st, 13));
	if (o)
		json_object_set_new(o, "review_comment", column_string(st, 14));
	if (o && with_draft)
		json_object_set_new(o, "draft", column_json(st, 7));
	return o;
}

int store_kb_get(struct store *s, const struct store_scope *scope, const char *key, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " ITEM_COLUMNS " FROM kb_items i WHERE i.tenant_id = ? AND i.key = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, key);
	return one_row(s, st, item_row, (void *)1, ret);
}

int store_kb_list(struct store *s, const struct store_scope *scope, const char *kind, const char *state,
		  json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " ITEM_COLUMNS " FROM kb_items i WHERE i.tenant_id = ?"
					 " AND (?2 IS NULL OR i.kind = ?2) AND (?3 IS NULL OR i.state = ?3) ORDER BY i.key");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, kind);
	bind_text(st, 3, state);
	return collect_rows(s, st, item_row, NULL, ret_list);
}

static json_t *published_row(struct db_stmt *st, void *arg)
{
	json_t *o = item_row(st, NULL), *content = column_json(st, 15);
	if (o && json_is_object(content)) {
		json_object_set(o, "title", json_object_get(content, "title"));
		json_object_set(o, "lang", json_object_get(content, "lang"));
		json_object_set_new(o, "state", json_string("published"));
		json_object_del(o, "review_comment"); /* the draft's business */
	}
	json_decref(content);
	return o;
}

int store_kb_list_published(struct store *s, const struct store_scope *scope, const char *kind, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " ITEM_COLUMNS ", v.content FROM kb_items i JOIN kb_versions v"
					 " ON v.item_id = i.id AND v.version = i.published_version"
					 " WHERE i.tenant_id = ?1 AND i.state <> 'archived' AND (?2 IS NULL OR i.kind = ?2)"
					 " ORDER BY i.key");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, kind);
	return collect_rows(s, st, published_row, NULL, ret_list);
}

int store_kb_put(struct store *s, const struct store_scope *scope, const json_t *content, bool *ret_created,
		 bool *ret_unchanged)
{
	const char *key = json_string_value(json_object_get(content, "id"));
	const char *kind = json_string_value(json_object_get(content, "kind"));
	char *text = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return GC_ENOMEM;
	int64_t now = gc_now_ms(), id = 0;
	bool same = false;
	struct db_stmt *st = store_stmt(s, "SELECT id, kind, draft FROM kb_items WHERE tenant_id = ? AND key = ?");
	int rc = st ? GC_OK : GC_ESTORE;
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		bind_text(st, 2, key);
		if (db_step(st) == DB_ROW) {
			id = db_column_int64(st, 0);
			const char *draft = db_column_text(st, 2);
			same = draft && strcmp(draft, text) == 0; /* both canonical: sorted keys, compact */
			if (strcmp(db_column_text(st, 1), kind) != 0) {
				store_errorf(s, "'%.64s' already names an item of kind '%s'", key,
					 db_column_text(st, 1));
				rc = GC_ECONFLICT;
			}
		}
		db_reset(st);
	}
	if (ret_unchanged)
		*ret_unchanged = rc == GC_OK && same;
	if (rc == GC_OK && same) {
		free(text);
		if (ret_created)
			*ret_created = false;
		return GC_OK;
	}
	if (rc == GC_OK && id == 0) {
		st = store_stmt(s, "INSERT INTO kb_items(tenant_id, key, kind, state, owner_id, lang, title, draft,"
				   " created_at, updated_at, draft_by) VALUES (?,?,?,'draft',?,?,?,?,?,?,?4)");
		if (st == NULL)
			rc = GC_ESTORE;
		else {
			db_bind_int64(st, 1, scope->tenant_id);
			bind_text(st, 2, key);
			bind_text(st, 3, kind);
			bind_id(st, 4, scope->user_id);
			bind_text(st, 5, json_string_value(json_object_get(content, "lang")));
			bind_text(st, 6, json_string_value(json_object_get(content, "title")));
			bind_text(st, 7, text);
			db_bind_int64(st, 8, now);
			db_bind_int64(st, 9, now);
			rc = store_step_done(s, st);
		}
	} else if (rc == GC_OK) {
		/* a new draft: the published version stays what agents see; approvals start over */
		st = store_stmt(s, "UPDATE kb_items SET draft = ?, lang = ?, title = ?, state = 'draft', updated_at = ?,"
				   " draft_by = ? WHERE id = ?");
		if (st == NULL)
			rc = GC_ESTORE;
		else {
			bind_text(st, 1, text);
			bind_text(st, 2, json_string_value(json_object_get(content, "lang")));
			bind_text(st, 3, json_string_value(json_object_get(content, "title")));
			db_bind_int64(st, 4, now);
			bind_id(st, 5, scope->user_id);
			db_bind_int64(st, 6, id);
			rc = store_step_done(s, st);
		}
		st = rc < 0 ? NULL : store_stmt(s, "DELETE FROM kb_approvals WHERE item_id = ?");
		if (st) {
			db_bind_int64(st, 1, id);
			rc = store_step_done(s, st);
		}
	}
	free(text);
	if (rc == GC_OK && ret_created)
		*ret_created = id == 0;
	if (rc == GC_OK)
		rc = store_audit(s, scope, scope->tenant_id, id ? "kb_draft_updated" : "kb_item_created", key,
				 json_pack("{s:s}", "kind", kind));
	return rc;
}

int store_kb_approvals_needed(struct store *s, int64_t tenant_id, int *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT approvals FROM kb_settings WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	*ret = db_step(st) == DB_ROW ? db_column_int(st, 0) : 1;
	db_reset(st);
	return GC_OK;
}

int store_kb_settings_set(struct store *s, const struct store_scope *scope, int approvals)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO kb_settings(tenant_id, approvals) VALUES (?,?)"
					 " ON CONFLICT(tenant_id) DO UPDATE SET approvals = excluded.approvals");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, approvals);
	int rc = store_step_done(s, st);
	return rc < 0 ? rc : store_audit(s, scope, scope->tenant_id, "kb_settings", "approvals",
					 json_pack("{s:i}", "approvals", approvals));
}

struct item_state {
	int64_t id, owner_id, draft_by; /* draft_by: who wrote the draft (the owner when not recorded) */
	char state[16], kind[16];
	int published_version;
};

static int item_state(struct store *s, int64_t tenant_id, const char *key, struct item_state *out)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, state, owner_id, coalesce(published_version, 0), kind,"
					 " coalesce(draft_by, owner_id) FROM kb_items WHERE tenant_id = ? AND key = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, key);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		snprintf(out->state, sizeof(out->state), "%s", db_column_text(st, 1));
		out->owner_id = db_column_int64(st, 2);
		out->published_version = db_column_int(st, 3);
		snprintf(out->kind, sizeof(out->kind), "%s", db_column_text(st, 4));
		out->draft_by = db_column_is_null(st, 5) ? 0 : db_column_int64(st, 5);
		rc = GC_OK;
	} else {
		rc = rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	db_reset(st);
	return rc;
}

static int set_state(struct store *s, int64_t id, const char *state)
{
	struct db_stmt *st = store_stmt(s, "UPDATE kb_items SET state = ?, updated_at = ? WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, state);
	db_bind_int64(st, 2, gc_now_ms());
	db_bind_int64(st, 3, id);
	return store_step_done(s, st);
}

static int publish(struct store *s, const struct store_scope *scope, const struct item_state *it, int64_t review_by)
{
	int version = it->published_version + 1;
	struct db_stmt *st = store_stmt(s, "INSERT INTO kb_versions(item_id, version, tenant_id, content, published_at,"
					 " published_by) SELECT id, ?, tenant_id, draft, ?, ? FROM kb_items WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	int64_t now = gc_now_ms();
	db_bind_int64(st, 1, version);
	db_bind_int64(st, 2, now);
	bind_id(st, 3, scope->user_id);
	db_bind_int64(st, 4, it->id);
	int rc = store_step_done(s, st);
	st = rc < 0 ? NULL : store_stmt(s, "UPDATE kb_items SET state = 'published', published_version = ?,"
					   " review_by = ?, updated_at = ?, review_comment = NULL WHERE id = ?");
	if (st) {
		db_bind_int64(st, 1, version);
		if (review_by > 0)
			db_bind_int64(st, 2, review_by);
		else
			db_bind_null_int64(st, 2);
		db_bind_int64(st, 3, now);
		db_bind_int64(st, 4, it->id);
		rc = store_step_done(s, st);
	}
	st = rc < 0 ? NULL : store_stmt(s, "DELETE FROM kb_approvals WHERE item_id = ?");
	if (st) {
		db_bind_int64(st, 1, it->id);
		rc = store_step_done(s, st);
	}
	return rc < 0 ? rc : change(s, scope->tenant_id, "item", it->id, NULL, NULL, NULL);
}

/* The reviewer's comment on the item (NULL clears it). */
static int set_review_comment(struct store *s, int64_t id, const char *comment)
{
	struct db_stmt *st = store_stmt(s, "UPDATE kb_items SET review_comment = ? WHERE id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, comment);
	db_bind_int64(st, 2, id);
	return store_step_done(s, st);
}

int store_kb_reject(struct store *s, const struct store_scope *scope, const char *key, const char *comment)
{
	int rc = store_kb_transition(s, scope, key, "reject", 0, false);
	struct item_state it;
	if (rc == GC_OK)
		rc = item_state(s, scope->tenant_id, key, &it);
	if (rc == GC_OK)
		rc = set_review_comment(s, it.id, comment);
	if (rc == GC_OK && comment)
		rc = store_audit(s, scope, scope->tenant_id, "kb_review_comment", key,
				 json_pack("{s:s}", "comment", comment));
	return rc;
}

int store_kb_transition(struct store *s, const struct store_scope *scope, const char *key, const char *action,
			int64_t review_by, bool force)
{
	struct item_state it;
	int rc = item_state(s, scope->tenant_id, key, &it);
	if (rc < 0)
		return rc;
	const char *st = it.state;
	if (strcmp(action, "submit") == 0) {
		if (strcmp(st, "draft") != 0)
			goto refused;
		rc = set_state(s, it.id, "review");
	} else if (strcmp(action, "approve") == 0) {
		if (strcmp(st, "review") != 0)
			goto refused;
		if (scope->user_id && (scope->user_id == it.owner_id || scope->user_id == it.draft_by)) {
			store_errorf(s, "an author does not approve their own work%s",
				 scope->user_id == it.owner_id ? "" : ": this draft is yours");
			return GC_EFORBIDDEN;
		}
		struct db_stmt *ins = store_stmt(s, "INSERT INTO kb_approvals(item_id, user_id, at) VALUES (?,?,?)"
						    " ON CONFLICT (item_id, user_id) DO NOTHING");
		if (ins == NULL)
			return GC_ESTORE;
		db_bind_int64(ins, 1, it.id);
		db_bind_int64(ins, 2, scope->user_id);
		db_bind_int64(ins, 3, gc_now_ms());
		rc = store_step_done(s, ins);
		int needed = 1;
		int64_t have = 0;
		if (rc == GC_OK)
			rc = store_kb_approvals_needed(s, scope->tenant_id, &needed);
		struct db_stmt *cnt = rc < 0 ? NULL : store_stmt(s, "SELECT count(*) FROM kb_approvals WHERE item_id = ?");
		if (cnt) {
			db_bind_int64(cnt, 1, it.id);
			if (db_step(cnt) == DB_ROW)
				have = db_column_int64(cnt, 0);
			db_reset(cnt);
		}
		if (rc == GC_OK && have >= needed)
			rc = set_state(s, it.id, "approved");
	} else if (strcmp(action, "reject") == 0) {
		if (strcmp(st, "review") != 0 && strcmp(st, "approved") != 0)
			goto refused;
		rc = set_state(s, it.id, "draft");
	} else if (strcmp(action, "publish") == 0) {
		/* force: an import by someone who may review publishes at once */
		if (!force && strcmp(st, "approved") != 0)
			goto refused;
		if (strcmp(st, "published") == 0)
			goto refused;
		rc = publish(s, scope, &it, review_by);
	} else if (strcmp(action, "archive") == 0) {
		if (strcmp(st, "archived") == 0)
			goto refused;
		rc = set_state(s, it.id, "archived");
		if (rc == GC_OK)
			rc = change(s, scope->tenant_id, "item", it.id, NULL, NULL, NULL);
	} else {
		return GC_EINVAL;
	}
	if (rc < 0)
		return rc;
	return store_audit(s, scope, scope->tenant_id, strcmp(action, "submit") == 0 ? "kb_submitted" :
			   strcmp(action, "approve") == 0 ? "kb_approved" : strcmp(action, "reject") == 0 ? "kb_rejected" :
			   strcmp(action, "publish") == 0 ? "kb_published" : "kb_archived", key,
			   json_pack("{s:s}", "from", it.state));
refused:
	store_errorf(s, "'%.64s' is %s: it cannot be %s", key, it.state,
		 strcmp(action, "submit") == 0 ? "submitted (only a draft is)" :
		 strcmp(action, "approve") == 0 ? "approved (only what is in review is)" :
		 strcmp(action, "publish") == 0 ? "published (it needs its approvals first)" :
		 strcmp(action, "reject") == 0 ? "sent back (only what is in review or approved is)" : "archived again");
	return GC_ESTATE;
}

int store_kb_review_due(struct store *s, int64_t now, int *ret_n)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, tenant_id, key FROM kb_items WHERE review_by IS NOT NULL"
					 " AND review_by <= ? AND state = 'published' LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, STORE_KB_REVIEW_BATCH);
	struct { int64_t id, tenant; char key[72]; } due[STORE_KB_REVIEW_BATCH];
	int n = 0;
	while (n < STORE_KB_REVIEW_BATCH && db_step(st) == DB_ROW) {
		due[n].id = db_column_int64(st, 0);
		due[n].tenant = db_column_int64(st, 1);
		snprintf(due[n].key, sizeof(due[n].key), "%s", db_column_text(st, 2));
		n++;
	}
	db_reset(st);
	int rc = GC_OK;
	for (int i = 0; i < n && rc == GC_OK; i++) {
		/* back to review; the published version stays what agents see until the next one */
		struct db_stmt *up = store_stmt(s, "UPDATE kb_items SET state = 'review', review_by = NULL, updated_at = ?"
						 " WHERE id = ?");
		if (up == NULL)
			return GC_ESTORE;
		db_bind_int64(up, 1, now);
		db_bind_int64(up, 2, due[i].id);
		rc = store_step_done(s, up);
		struct store_scope system = {.tenant_id = due[i].tenant};
		snprintf(system.actor, sizeof(system.actor), "guichet");
		if (rc == GC_OK)
			rc = store_audit(s, &system, due[i].tenant, "kb_review_due", due[i].key, NULL);
	}
	*ret_n = n;
	return rc;
}

/* --- published versions --- */

int store_kb_published(struct store *s, int64_t tenant_id, const char *key, int64_t *ret_item, int *ret_version,
		       json_t **ret_content)
{
	struct db_stmt *st = store_stmt(s, "SELECT i.id, v.version, v.content FROM kb_items i JOIN kb_versions v"
					 " ON v.item_id = i.id AND v.version = i.published_version"
					 " WHERE i.tenant_id = ? AND i.key = ? AND i.state <> 'archived'");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, key);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_item = db_column_int64(st, 0);
		*ret_version = db_column_int(st, 1);
		*ret_content = column_json(st, 2);
		rc = json_is_object(*ret_content) ? GC_OK : GC_ESTORE;
	} else {
		rc = rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	db_reset(st);
	return rc;
}

int store_kb_version(struct store *s, int64_t tenant_id, int64_t item_id, int version, json_t **ret_content)
{
	struct db_stmt *st = store_stmt(s, "SELECT content FROM kb_versions WHERE tenant_id = ? AND item_id = ? AND version = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, item_id);
	db_bind_int64(st, 3, version);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_content = column_json(st, 0);
		rc = json_is_object(*ret_content) ? GC_OK : GC_ESTORE;
	} else {
		rc = rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	db_reset(st);
	return rc;
}

int store_kb_versions(struct store *s, const struct store_scope *scope, int64_t item_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT version, published_at, published_by FROM kb_versions"
					 " WHERE tenant_id = ? AND item_id = ? ORDER BY version");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, item_id);
	json_t *list = json_array();
	while (db_step(st) == DB_ROW)
		json_array_append_new(list, json_pack("{s:o,s:o,s:o}", "version", column_int(st, 0), "published_at",
						       column_time(st, 1), "published_by", column_int(st, 2)));
	db_reset(st);
	*ret_list = list;
	return GC_OK;
}

/* Each published item of a tenant (fn gets the item id and its content text). */
int store_kb_each_published(struct store *s, int64_t tenant_id, int64_t only_item,
			    int (*fn)(int64_t item_id, int version, const char *content, void *arg), void *arg)
{
	struct db_stmt *st = store_stmt(s, "SELECT i.id, v.content, v.version FROM kb_items i JOIN kb_versions v"
					 " ON v.item_id = i.id AND v.version = i.published_version"
					 " WHERE i.tenant_id = ?1 AND i.state <> 'archived' AND (?2 = 0 OR i.id = ?2)"
					 " ORDER BY i.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, only_item);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int frc = fn(db_column_int64(st, 0), db_column_int(st, 2), db_column_text(st, 1),
			     arg);
		if (frc < 0) {
			db_reset(st);
			return frc;
		}
	}
	db_reset(st);
	return rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

/* --- flags --- */

int store_kb_flag(struct store *s, const struct store_scope *scope, const char *key, const char *reason,
		  const char *comment, json_t **ret)
{
	struct item_state it;
	int rc = item_state(s, scope->tenant_id, key, &it);
	/* a flag is about what readers were shown: a draft never published, or
	 * an archived item, is not found (as a reader's GET of it is not) */
	if (rc == GC_OK && (it.published_version == 0 || strcmp(it.state, "archived") == 0))
		rc = GC_ENOTFOUND;
	struct db_stmt *st = rc < 0 ? NULL : store_stmt(s, "INSERT INTO kb_flags(tenant_id, item_id, version, user_id,"
						       " reason, comment, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id");
	if (rc < 0 || st == NULL)
		return rc < 0 ? rc : GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, it.id);
	bind_id(st, 3, it.published_version);
	bind_id(st, 4, scope->user_id);
	bind_text(st, 5, reason);
	bind_text(st, 6, comment);
	db_bind_int64(st, 7, gc_now_ms());
	int64_t id;
	if ((rc = store_insert_id(s, st, &id)) < 0)
		return rc;
	*ret = json_pack("{s:I,s:s,s:s,s:s?}", "id", (json_int_t)id, "item", key, "reason", reason, "comment", comment);
	return store_audit(s, scope, scope->tenant_id, "kb_flagged", key, json_pack("{s:s,s:s?}", "reason", reason,
										  "comment", comment));
}

static json_t *flag_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "item",
			 column_string(st, 1), "version", column_int(st, 2), "reason", column_string(st, 3), "comment",
			 column_string(st, 4), "by", column_int(st, 5), "created_at", column_time(st, 6), "resolved_at",
			 column_time(st, 7), "owner_id", column_int(st, 8), "title", column_string(st, 9), "resolution",
			 column_string(st, 10));
}

int store_kb_flags(struct store *s, const struct store_scope *scope, bool mine, bool open_only, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT f.id, i.key, f.version, f.reason, f.comment, f.user_id, f.created_at,"
					 " f.resolved_at, i.owner_id, i.title, f.resolution FROM kb_flags f"
					 " JOIN kb_items i ON i.id = f.item_id"
					 " WHERE f.tenant_id = ?1 AND (?2 = 0 OR i.owner_id = ?3)"
					 " AND (?4 = 0 OR f.resolved_at IS NULL) ORDER BY f.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, mine);
	db_bind_int64(st, 3, scope->user_id);
	db_bind_int64(st, 4, open_only);
	return collect_rows(s, st, flag_row, NULL, ret_list);
}

int store_kb_flag_resolve(struct store *s, const struct store_scope *scope, int64_t id, const char *note)
{
	struct db_stmt *st = store_stmt(s, "UPDATE kb_flags SET resolved_at = ?, resolved_by = ?, resolution = ?"
					 " WHERE tenant_id = ? AND id = ? AND resolved_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, gc_now_ms());
	bind_id(st, 2, scope->user_id);
	bind_text(st, 3, note);
	db_bind_int64(st, 4, scope->tenant_id);
	db_bind_int64(st, 5, id);
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	char target[32];
	snprintf(target, sizeof(target), "flag %lld", (long long)id);
	return rc < 0 ? rc : store_audit(s, scope, scope->tenant_id, "kb_flag_resolved", target,
					 note ? json_pack("{s:s}", "note", note) : NULL);
}

/* --- learning --- */

int store_kb_link_add(struct store *s, int64_t tenant_id, const char *lang, const char *term, int64_t item_id,
		      int ok, int failed)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO kb_links(tenant_id, lang, term, item_id, ok, failed, updated_at)"
					 " VALUES (?1,?2,?3,?4,CASE WHEN ?5 > 0 THEN ?5 ELSE 0 END,"
					 " CASE WHEN ?6 > 0 THEN ?6 ELSE 0 END,?7) ON CONFLICT (tenant_id, lang, term, item_id) DO UPDATE SET"
					 " ok = CASE WHEN kb_links.ok + ?5 > 0 THEN kb_links.ok + ?5 ELSE 0 END,"
					 " failed = CASE WHEN kb_links.failed + ?6 > 0 THEN kb_links.failed + ?6 ELSE 0 END,"
					 " updated_at = ?7");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, lang);
	bind_text(st, 3, term);
	db_bind_int64(st, 4, item_id);
	db_bind_int64(st, 5, ok);
	db_bind_int64(st, 6, failed);
	db_bind_int64(st, 7, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc < 0 ? rc : change(s, tenant_id, "link", item_id, lang, term, NULL);
}

int store_kb_link_remove(struct store *s, const struct store_scope *scope, const char *lang, const char *term,
			 int64_t item_id)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM kb_links WHERE tenant_id = ? AND lang = ? AND term = ? AND item_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, lang);
	bind_text(st, 3, term);
	db_bind_int64(st, 4, item_id);
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	if (rc == GC_OK)
		rc = change(s, scope->tenant_id, "link", item_id, lang, term, NULL);
	return rc < 0 ? rc : store_audit(s, scope, scope->tenant_id, "kb_link_removed", term,
					 json_pack("{s:I,s:s}", "item_id", (json_int_t)item_id, "lang", lang));
}

int store_kb_link_get(struct store *s, int64_t tenant_id, const char *lang, const char *term, int64_t item_id,
		      int *ret_ok, int *ret_failed)
{
	struct db_stmt *st = store_stmt(s, "SELECT ok, failed FROM kb_links WHERE tenant_id = ? AND lang = ? AND term = ?"
					 " AND item_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, lang);
	bind_text(st, 3, term);
	db_bind_int64(st, 4, item_id);
	*ret_ok = *ret_failed = 0;
	if (db_step(st) == DB_ROW) {
		*ret_ok = db_column_int(st, 0);
		*ret_failed = db_column_int(st, 1);
	}
	db_reset(st);
	return GC_OK;
}

int store_kb_each_link(struct store *s, int64_t tenant_id,
		       int (*fn)(const char *lang, const char *term, int64_t item_id, int ok, int failed, void *arg),
		       void *arg)
{
	struct db_stmt *st = store_stmt(s, "SELECT lang, term, item_id, ok, failed FROM kb_links WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int frc = fn(db_column_text(st, 0), db_column_text(st, 1),
			     db_column_int64(st, 2), db_column_int(st, 3), db_column_int(st, 4), arg);
		if (frc < 0) {
			db_reset(st);
			return frc;
		}
	}
	db_reset(st);
	return rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

static json_t *link_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "lang", column_string(st, 0), "term", column_string(st, 1),
			 "item", column_string(st, 2), "ok", column_int(st, 3), "failed", column_int(st, 4),
			 "updated_at", column_time(st, 5));
}

int store_kb_links(struct store *s, const struct store_scope *scope, int64_t item_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT l.lang, l.term, i.key, l.ok, l.failed, l.updated_at FROM kb_links l"
					 " JOIN kb_items i ON i.id = l.item_id WHERE l.tenant_id = ?1"
					 " AND (?2 = 0 OR l.item_id = ?2) ORDER BY l.ok DESC, l.term LIMIT 1000");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, item_id);
	return collect_rows(s, st, link_row, NULL, ret_list);
}

int store_kb_unmatched_add(struct store *s, int64_t tenant_id, const char *lang, const char *word, int64_t item_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO kb_unmatched(tenant_id, lang, word, item_id, count)"
					 " VALUES (?,?,?,?,1) ON CONFLICT (tenant_id, lang, word, item_id)"
					 " DO UPDATE SET count = kb_unmatched.count + 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, lang);
	bind_text(st, 3, word);
	db_bind_int64(st, 4, item_id);
	return store_step_done(s, st);
}

static json_t *proposal_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "lang", column_string(st, 0), "word", column_string(st, 1),
			 "item", column_string(st, 2), "title", column_string(st, 3), "count", column_int(st, 4));
}

int store_kb_proposals(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT u.lang, u.word, i.key, i.title, u.count FROM kb_unmatched u"
					 " JOIN kb_items i ON i.id = u.item_id WHERE u.tenant_id = ?"
					 " AND NOT EXISTS (SELECT 1 FROM kb_synonyms y WHERE y.tenant_id = u.tenant_id"
					 "   AND y.lang = u.lang AND y.word = u.word)"
					 " ORDER BY u.count DESC, u.word LIMIT 200");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return collect_rows(s, st, proposal_row, NULL, ret_list);
}

int store_kb_proposal_refuse(struct store *s, const struct store_scope *scope, const char *lang, const char *word)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM kb_unmatched WHERE tenant_id = ? AND lang = ? AND word = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, lang);
	bind_text(st, 3, word);
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	return rc < 0 ? rc : store_audit(s, scope, scope->tenant_id, "kb_proposal_refused", word,
					 json_pack("{s:s}", "lang", lang));
}

/* --- the tenant's thesaurus --- */

int store_kb_synonym_put(struct store *s, const struct store_scope *scope, const char *lang, const char *word,
			 const char *phrase, bool add)
{
	struct db_stmt *st = store_stmt(s, add ? "INSERT INTO kb_synonyms(tenant_id, lang, word, phrase,"
						" created_by, created_at) VALUES (?,?,?,?,?,?)"
						" ON CONFLICT (tenant_id, lang, word, phrase) DO NOTHING"
					     : "DELETE FROM kb_synonyms WHERE tenant_id = ? AND lang = ? AND word = ?"
						" AND phrase = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, lang);
	bind_text(st, 3, word);
	bind_text(st, 4, phrase);
	if (add) {
		bind_id(st, 5, scope->user_id);
		db_bind_int64(st, 6, gc_now_ms());
	}
	int rc = store_step_done(s, st);
	if (rc == GC_OK && !add && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	if (rc == GC_OK)
		rc = change(s, scope->tenant_id, "synonym", 0, lang, word, phrase);
	return rc < 0 ? rc : store_audit(s, scope, scope->tenant_id, add ? "kb_synonym_added" : "kb_synonym_removed",
					 word, json_pack("{s:s,s:s}", "lang", lang, "phrase", phrase));
}

int store_kb_synonym_exists(struct store *s, int64_t tenant_id, const char *lang, const char *word,
			    const char *phrase, bool *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT 1 FROM kb_synonyms WHERE tenant_id = ? AND lang = ? AND word = ?"
					 " AND phrase = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, lang);
	bind_text(st, 3, word);
	bind_text(st, 4, phrase);
	*ret = db_step(st) == DB_ROW;
	db_reset(st);
	return GC_OK;
}

static json_t *synonym_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "lang", column_string(st, 0), "word", column_string(st, 1), "phrase",
			 column_string(st, 2), "created_at", column_time(st, 3));
}

int store_kb_synonyms(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT lang, word, phrase, created_at FROM kb_synonyms WHERE tenant_id = ?"
			      " ORDER BY lang, word, phrase", scope->tenant_id, synonym_row, ret_list);
}

/* --- the change log --- */

int store_kb_seq(struct store *s, int64_t tenant_id, int64_t *ret)
{
	*ret = 0;
	return tenant_int(s, "SELECT coalesce(max(seq), 0) FROM kb_changes WHERE tenant_id = ?", tenant_id, ret);
}

int store_kb_changes(struct store *s, int64_t tenant_id, int64_t after, int64_t upto,
		     int (*fn)(const struct store_kb_change *c, void *arg), void *arg)
{
	struct db_stmt *st = store_stmt(s, "SELECT seq, kind, coalesce(item_id, 0), lang, term, phrase FROM kb_changes"
					 " WHERE tenant_id = ? AND seq > ? AND seq <= ? ORDER BY seq");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, after);
	db_bind_int64(st, 3, upto);
	/* copied out first: fn reads other tables with this connection */
	struct store_kb_change *list = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct store_kb_change *l = realloc(list, cap * sizeof(*l));
			if (l == NULL) {
				rc = GC_ENOMEM;
				break;
			}
			list = l;
		}
		struct store_kb_change *c = &list[n++];
		memset(c, 0, sizeof(*c));
		c->seq = db_column_int64(st, 0);
		snprintf(c->kind, sizeof(c->kind), "%s", db_column_text(st, 1));
		c->item_id = db_column_int64(st, 2);
		snprintf(c->lang, sizeof(c->lang), "%s", db_column_text(st, 3) ? db_column_text(st, 3) : "");
		snprintf(c->term, sizeof(c->term), "%s", db_column_text(st, 4) ? db_column_text(st, 4) : "");
		snprintf(c->phrase, sizeof(c->phrase), "%s", db_column_text(st, 5) ? db_column_text(st, 5) : "");
	}
	db_reset(st);
	int out = rc == DB_DONE ? GC_OK : store_fail(s, rc);
	for (size_t i = 0; out == GC_OK && i < n; i++)
		out = fn(&list[i], arg);
	free(list);
	return out;
}

int store_kb_each_synonym(struct store *s, int64_t tenant_id,
			  int (*fn)(const char *lang, const char *word, const char *phrase, void *arg), void *arg)
{
	struct db_stmt *st = store_stmt(s, "SELECT lang, word, phrase FROM kb_synonyms WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		int frc = fn(db_column_text(st, 0), db_column_text(st, 1),
			     db_column_text(st, 2), arg);
		if (frc < 0) {
			db_reset(st);
			return frc;
		}
	}
	db_reset(st);
	return rc == DB_DONE ? GC_OK : store_fail(s, rc);
}
