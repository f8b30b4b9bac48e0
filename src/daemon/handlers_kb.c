/* Knowledge through the API: search, articles and trees (drafts, review,
 * versions), import and export, flags, learning, the tenant's thesaurus and
 * gap reports. Diagnosis sessions are in handlers_kb_session.c. */
#include "daemon/handlers.h"
#include "daemon/kbsvc.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"
#include "guichet/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define MAX_LINE_ERRORS 50
/* JSON Lines imports: bounded before their lines are parsed (issue 12, finding 14) */
#define KB_MAX_IMPORT_ITEMS 1000            /* articles and trees per import */
#define KB_MAX_IMPORT_LINE (1024 * 1024)    /* bytes of one line (KB_MAX_TOTAL and JSON's escapes) */

/* The lang query parameter (default fr); answers 400 when unknown. */
static bool query_lang(struct request *r, enum kb_lang *ret)
{
	const char *code = query_get(r, "lang");
	if (code == NULL)
		code = "fr";
	if (kb_lang_parse(code, ret) == GC_OK)
		return true;
	reply_error(r, 400, "invalid", "lang", "'lang' must be 'fr' or 'en'");
	return false;
}

int kb_search_answer(struct request *r, struct store *db, int64_t tenant_id, bool customer)
{
	const char *q = query_get(r, "q");
	enum kb_lang lang;
	int64_t limit, explain;
	if (q == NULL || q[0] == '\0' || strlen(q) > 1000)
		return reply_error(r, 400, "invalid", "q", "'q' is the words searched, 1 to 1000 bytes");
	if (!query_lang(r, &lang) || query_int(r, "limit", 1, 50, 10, &limit) < 0 ||
	    query_int(r, "explain", 0, 1, 0, &explain) < 0)
		return GC_EINVAL;
	/* not said: the question's own; when its words do not tell ("reset wifi box"), the hint's (the
	 * reader's page), else French */
	enum kb_lang fallback = KB_LANG_FR;
	const char *hint = query_get(r, "hint");
	if (hint && kb_lang_parse(hint, &fallback) < 0)
		return reply_error(r, 400, "invalid", "hint", "'hint' must be 'fr' or 'en'");
	if (query_get(r, "lang") == NULL)
		lang = kb_lang_guess(q, strlen(q), fallback);
	struct kbsvc_query kq = {.text = q, .lang = lang, .limit = (size_t)limit, .explain = explain, .customer = customer};
	json_t *out = NULL;
	int rc = kbsvc_search(db, tenant_id, &kq, &out);
	if (rc == GC_EINVAL)
		return reply_error(r, 400, "invalid", "q", "'q' is not valid UTF-8");
	if (rc == GC_OK)
		json_object_set_new(out, "lang", json_string(kb_lang_code(lang)));
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, out);
}

int run_kb_search(struct request *r, struct store *db)
{
	return kb_search_answer(r, db, r->scope.tenant_id, false);
}

/* --- items --- */

static bool can_write(const struct request *r)
{
	return role_can(r->scope.role, PERM_KB_WRITE);
}

int run_kb_list(struct request *r, struct store *db)
{
	const char *kind = query_get(r, "kind"), *state = query_get(r, "state");
	json_t *list = NULL;
	/* agents see what is published, while a new draft is written too */
	int rc = can_write(r) ? store_kb_list(db, &r->scope, kind, state, &list)
			      : store_kb_list_published(db, &r->scope, kind, &list);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, json_pack("{s:o}", "items", list));
}

/* The published content of key, with its version, for a reader. */
static int published(struct request *r, struct store *db, json_t **ret)
{
	int64_t item;
	int version;
	json_t *content = NULL;
	int rc = store_kb_published(db, r->scope.tenant_id, r->key, &item, &version, &content);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "id", "no published article or tree '%s'", r->key);
	if (rc < 0)
		return reply_store_error(r, db, rc, "id");
	*ret = json_pack("{s:s,s:i,s:o}", "id", r->key, "version", version, "content", content);
	return GC_OK;
}

int run_kb_get(struct request *r, struct store *db)
{
	json_t *out = NULL;
	if (!can_write(r)) {
		int rc = published(r, db, &out);
		return rc < 0 ? rc : reply(r, 200, out);
	}
	int rc = store_kb_get(db, &r->scope, r->key, &out);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "id", "no article or tree '%s'", r->key);
	if (rc < 0)
		return reply_store_error(r, db, rc, "id");
	json_t *versions = NULL;
	if (store_kb_versions(db, &r->scope, json_integer_value(json_object_get(out, "item_id")), &versions) == GC_OK)
		json_object_set_new(out, "versions", versions);
	return reply(r, 200, out);
}

int run_kb_version(struct request *r, struct store *db)
{
	json_t *item = NULL, *content = NULL;
	int rc = store_kb_get(db, &r->scope, r->key, &item);
	if (rc == GC_OK)
		rc = store_kb_version(db, r->scope.tenant_id, json_integer_value(json_object_get(item, "item_id")),
				      (int)r->ids[0], &content);
	json_decref(item);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "version", "no version %lld of '%s'", (long long)r->ids[0], r->key);
	if (rc < 0)
		return reply_store_error(r, db, rc, "version");
	return reply(r, 200, json_pack("{s:s,s:I,s:o}", "id", r->key, "version", (json_int_t)r->ids[0], "content", content));
}

static json_t *errors_json(const struct kb_tree_errors *e, size_t line)
{
	json_t *list = json_array();
	for (size_t i = 0; i < e->n; i++) {
		const struct kb_tree_error *x = &e->e[i];
		json_t *o = json_pack("{s:s,s:s}", "code", x->code, "message", x->message);
		if (x->nvars) {
			json_t *vars = json_object();
			for (size_t k = 0; k < x->nvars; k++)
				json_object_set_new(vars, x->vars[k].name, json_string(x->vars[k].value));
			json_object_set_new(o, "vars", vars);
		}
		if (e->e[i].node[0])
			json_object_set_new(o, "node", json_string(e->e[i].node));
		if (e->e[i].field[0])
			json_object_set_new(o, "field", json_string(e->e[i].field));
		if (line)
			json_object_set_new(o, "line", json_integer((json_int_t)line));
		json_array_append_new(list, o);
	}
	return list;
}

/* Answers 400 (413 when big: a limit was passed) with every error listed;
 * returns GC_EINVAL (GC_ETOOBIG) so nothing is kept. */
static int reply_errors_status(struct request *r, bool big, const char *message, json_t *errors)
{
	json_t *first = json_array_get(errors, 0);
	json_t *body = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", big ? "too_large" : "invalid", "message",
				 message, "errors", errors);
	if (first && json_object_get(first, "field"))
		json_object_set(json_object_get(body, "error"), "field", json_object_get(first, "field"));
	reply(r, big ? 413 : 400, body);
	return big ? GC_ETOOBIG : GC_EINVAL;
}

static int reply_errors(struct request *r, const char *message, json_t *errors)
{
	return reply_errors_status(r, false, message, errors);
}

struct ref_check {
	struct store *db;
	int64_t tenant_id;
	json_t *errors;
	const char *path[8];       /* the trees being followed, for cycles */
	int depth;
};

static int check_ref(const char *kind, const char *id, const char *node, void *arg);

/* The published tree id's calls, followed for cycles. */
static void follow(struct ref_check *c, const char *tree, const json_t *content)
{
	for (int i = 0; i < c->depth; i++)
		if (strcmp(c->path[i], tree) == 0) {
			json_array_append_new(c->errors, json_pack("{s:s,s:s}", "node", tree, "message",
				"trees call each other in a circle: a diagnosis could never end"));
			return;
		}
	if (c->depth == 8)
		return;
	struct kb_tree_errors e;
	struct kb_tree *t = kb_tree_parse(content, &e);
	if (t == NULL)
		return;
	c->path[c->depth++] = kb_tree_id(t);
	kb_tree_refs(t, check_ref, c);
	c->depth--;
	kb_tree_free(t);
}

static int check_ref(const char *kind, const char *id, const char *node, void *arg)
{
	struct ref_check *c = arg;
	int64_t item;
	int version;
	json_t *content = NULL;
	int rc = store_kb_published(c->db, c->tenant_id, id, &item, &version, &content);
	if (rc == GC_OK && strcmp(kb_content_kind(content), kind) != 0)
		rc = GC_ENOTFOUND;
	if (rc == GC_ENOTFOUND && c->depth == 1)
		json_array_append_new(c->errors, json_pack("{s:s,s:s,s:s,s:s++}", "node", node, "field", kind, "id", id,
							   "message", kind, " not published: ", id));
	else if (rc == GC_OK && strcmp(kind, "tree") == 0)
		follow(c, id, content);
	json_decref(content);
	return rc == GC_ESTORE ? rc : GC_OK;
}

/* A tree about to be published: what it names is published, no call circle. */
static json_t *tree_ref_errors(struct store *db, int64_t tenant_id, const json_t *content)
{
	struct ref_check c = {.db = db, .tenant_id = tenant_id, .errors = json_array()};
	follow(&c, json_string_value(json_object_get(content, "id")), content);
	return c.errors;
}

struct leads_to {
	const char *key, *tree;
	json_t *errors;
};

static int note_if_key(const char *kind, const char *id, const char *node, void *arg)
{
	struct leads_to *l = arg;
	if (strcmp(id, l->key) == 0)
		json_array_append_new(l->errors, json_pack("{s:s,s:s,s:s++}", "tree", l->tree, "node", node, "message",
							   "the published tree ", l->tree, " leads to it"));
	return GC_OK;
}

/* The published trees (other than key) whose published version names key,
 * into *ret (an array, empty when none): archiving it would leave their
 * walks on nothing. A store error when they cannot all be read. */
static int trees_leading_to(struct store *db, const struct store_scope *scope, const char *key, json_t **ret)
{
	json_t *trees = NULL, *row;
	struct leads_to l = {.key = key, .errors = json_array()};
	size_t i;
	int rc = store_kb_list_published(db, scope, "tree", &trees);
	json_array_foreach(trees, i, row) {
		const char *tree = json_string_value(json_object_get(row, "id"));
		int64_t item;
		int version;
		json_t *content = NULL;
		struct kb_tree_errors e;
		struct kb_tree *t = NULL;
		if (rc == GC_OK && strcmp(tree, key) != 0 &&
		    (rc = store_kb_published(db, scope->tenant_id, tree, &item, &version, &content)) == GC_OK &&
		    (t = kb_tree_parse(content, &e)) != NULL) {
			l.tree = tree;
			kb_tree_refs(t, note_if_key, &l);
		}
		kb_tree_free(t);
		json_decref(content);
	}
	json_decref(trees);
	if (rc < 0) {
		json_decref(l.errors);
		return rc;
	}
	*ret = l.errors;
	return GC_OK;
}

/* Publishes key (its draft); for a tree, checks what it names first. */
static int publish(struct request *r, struct store *db, const char *key, int64_t review_by, bool force,
		   json_t **ret_errors)
{
	json_t *item = NULL;
	int rc = store_kb_get(db, &r->scope, key, &item);
	if (rc < 0)
		return rc;
	const json_t *draft = json_object_get(item, "draft");
	if (strcmp(kb_content_kind(draft), "tree") == 0) {
		json_t *errors = tree_ref_errors(db, r->scope.tenant_id, draft);
		if (json_array_size(errors)) {
			json_decref(item);
			*ret_errors = errors;
			return GC_EINVAL;
		}
		json_decref(errors);
	}
	json_decref(item);
	return store_kb_transition(db, &r->scope, key, "publish", review_by, force);
}

/* If-None-Match: * makes the PUT create-only (RFC 9110, 13.1.2): run
 * answers 412 when the id is taken, so a new item never replaces another's
 * draft. Read here, on the worker; told to run in stash[0]. */
int prepare_kb_put(struct request *r, struct store *db)
{
	(void)db;
	const char *match = conn_header(r->conn, "If-None-Match");
	r->stash[0] = match != NULL;
	if (match && strcmp(match, "*") != 0)
		return reply_error(r, 400, "invalid", "If-None-Match",
				   "only 'If-None-Match: *' (create, never replace) is understood here"), 1;
	return 0;
}

int run_kb_put(struct request *r, struct store *db)
{
	if (r->stash[0]) {
		json_t *existing = NULL;
		int found = store_kb_get(db, &r->scope, r->key, &existing);
		json_decref(existing);
		if (found == GC_OK)
			return reply_error(r, 412, "precondition_failed", "id",
					   "an article or tree '%s' exists already: choose another id", r->key);
		if (found != GC_ENOTFOUND)
			return reply_store_error(r, db, found, "id");
	}
	json_t *content = json_deep_copy(r->body), *canon = NULL;
	const char *id = json_string_value(json_object_get(content, "id"));
	if (id == NULL)
		json_object_set_new(content, "id", json_string(r->key));
	else if (strcmp(id, r->key) != 0) {
		json_decref(content);
		return reply_error(r, 400, "invalid", "id", "the body's 'id' is not the path's '%s'", r->key);
	}
	struct kb_tree_errors e;
	if (kb_content_limits(content, &e) < 0) {
		json_decref(content);
		return reply_errors_status(r, true, "the content is over a limit", errors_json(&e, 0));
	}
	bool ok = kb_content_check(content, &e, &canon);
	json_decref(content);
	if (!ok)
		return reply_errors(r, "the content is not valid", errors_json(&e, 0));
	bool created = false;
	int rc = store_kb_put(db, &r->scope, canon, &created, NULL);
	json_decref(canon);
	if (rc < 0)
		return reply_store_error(r, db, rc, "id");
	json_t *out = NULL;
	rc = store_kb_get(db, &r->scope, r->key, &out);
	return rc < 0 ? reply_store_error(r, db, rc, "id") : reply(r, created ? 201 : 200, out);
}

/* A reviewer's comment or a flag's resolution note, given as a query parameter */
#define KB_MAX_NOTE 2000

static bool short_text(const char *text)
{
	size_t len = strlen(text);
	return len > 0 && len <= KB_MAX_NOTE && gc_text_is_clean(text, true);
}

/* An RFC 3339 time or a date as milliseconds; false when malformed. */
static bool parse_when(const char *text, int64_t *ret)
{
	return text && gc_time_parse(text, ret) == GC_OK;
}

static int transition(struct request *r, struct store *db, const char *action)
{
	int64_t review_by = 0;
	const char *when = query_get(r, "review_by");
	if (when && !parse_when(when, &review_by))
		return reply_error(r, 400, "invalid", "review_by", "'review_by' is a date (2027-01-31) or an RFC 3339 time");
	if (when && review_by <= gc_now_ms())
		return reply_error(r, 400, "invalid", "review_by", "'review_by' is in the past");
	const char *comment = query_get(r, "comment");
	if (comment && strcmp(action, "reject") != 0)
		return reply_error(r, 400, "invalid", "comment", "only a rejection takes a 'comment'");
	if (comment && !short_text(comment))
		return reply_error(r, 400, "invalid", "comment", "'comment' is text of 1 to %d bytes", KB_MAX_NOTE);
	json_t *errors = NULL;
	if (strcmp(action, "archive") == 0) {
		json_t *users = NULL;
		int rc = trees_leading_to(db, &r->scope, r->key, &users);
		if (rc < 0)
			return reply_store_error(r, db, rc, NULL);
		if (json_array_size(users))
			return reply_errors(r, "published trees lead to it: change or archive them first", users);
		json_decref(users);
	}
	int rc = strcmp(action, "publish") == 0 ? publish(r, db, r->key, review_by, false, &errors)
		 : strcmp(action, "reject") == 0 ? store_kb_reject(db, &r->scope, r->key, comment)
						 : store_kb_transition(db, &r->scope, r->key, action, 0, false);
	if (errors)
		return reply_errors(r, "the tree names what is not published", errors);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "id", "no article or tree '%s'", r->key);
	if (rc < 0)
		return reply_store_error(r, db, rc, "id");
	json_t *out = NULL;
	rc = store_kb_get(db, &r->scope, r->key, &out);
	return rc < 0 ? reply_store_error(r, db, rc, "id") : reply(r, 200, out);
}

int run_kb_submit(struct request *r, struct store *db) { return transition(r, db, "submit"); }
int run_kb_approve(struct request *r, struct store *db) { return transition(r, db, "approve"); }
int run_kb_reject(struct request *r, struct store *db) { return transition(r, db, "reject"); }
int run_kb_publish(struct request *r, struct store *db) { return transition(r, db, "publish"); }
int run_kb_archive(struct request *r, struct store *db) { return transition(r, db, "archive"); }

int run_kb_settings(struct request *r, struct store *db)
{
	const json_t *v = json_object_get(r->body, "approvals");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10)
		return reply_error(r, 400, "invalid", "approvals", "'approvals' is the number of reviewers needed, 1 to 10");
	int rc = store_kb_settings_set(db, &r->scope, (int)json_integer_value(v));
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:O}", "approvals", v));
}

/* --- flags --- */

int run_kb_flag(struct request *r, struct store *db)
{
	const char *reason = json_string_value(json_object_get(r->body, "reason"));
	const json_t *c = json_object_get(r->body, "comment");
	if (reason == NULL || (strcmp(reason, "wrong") && strcmp(reason, "outdated") && strcmp(reason, "unclear")))
		return reply_error(r, 400, "invalid", "reason", "'reason' is wrong, outdated or unclear");
	if (c && (!json_is_string(c) || json_string_length(c) > 4000))
		return reply_error(r, 400, "invalid", "comment", "'comment' is text of at most 4000 bytes");
	json_t *out = NULL;
	int rc = store_kb_flag(db, &r->scope, r->key, reason, json_string_value(c), &out);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "id", "no published article or tree '%s'", r->key);
	return rc < 0 ? reply_store_error(r, db, rc, "id") : reply(r, 201, out);
}

int run_kb_flags(struct request *r, struct store *db)
{
	int64_t mine, open;
	if (query_int(r, "mine", 0, 1, 0, &mine) < 0 || query_int(r, "open", 0, 1, 1, &open) < 0)
		return GC_EINVAL;
	json_t *list = NULL;
	int rc = store_kb_flags(db, &r->scope, mine, open, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "flags", list));
}

int run_kb_flag_resolve(struct request *r, struct store *db)
{
	const char *note = query_get(r, "note");
	if (note && !short_text(note))
		return reply_error(r, 400, "invalid", "note", "'note' is text of 1 to %d bytes", KB_MAX_NOTE);
	int rc = store_kb_flag_resolve(db, &r->scope, r->ids[0], note);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "flag", "no open flag %lld", (long long)r->ids[0]);
	return rc < 0 ? reply_store_error(r, db, rc, "flag") : reply(r, 200, json_pack("{s:b}", "resolved", 1));
}

/* --- import and export --- */

/* Calls fn for each non-blank line of the body with its number. */
static int each_line(struct request *r, int (*fn)(struct request *r, const char *line, size_t len, size_t n, void *arg),
		     void *arg)
{
	const char *p = r->raw, *end = r->raw + r->raw_len;
	for (size_t n = 1; p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t blank = 0;
		while (blank < len && strchr(" \t\r", p[blank]))
			blank++;
		if (blank < len) {
			int rc = fn(r, p, len, n, arg);
			if (rc < 0)
				return rc;
		}
		p += len + 1;
	}
	return GC_OK;
}

struct import {
	json_t *items;             /* canonical contents */
	json_t *errors;
	json_t *lines;             /* the line of each item */
	bool big;                  /* an error is a limit passed: 413 */
};

static void import_error(struct import *im, bool big, size_t n, const char *field, const char *message)
{
	json_t *e = json_pack("{s:I,s:s}", "line", (json_int_t)n, "message", message);
	if (field)
		json_object_set_new(e, "field", json_string(field));
	json_array_append_new(im->errors, e);
	im->big |= big;
}

static int import_line(struct request *r, const char *line, size_t len, size_t n, void *arg)
{
	struct import *im = arg;
	struct decode_error de = {0};
	struct kb_tree_errors e;
	json_t *o = NULL, *canon = NULL;
	if (len > KB_MAX_IMPORT_LINE) {
		char msg[96];
		snprintf(msg, sizeof(msg), "a line is at most %d bytes", KB_MAX_IMPORT_LINE);
		import_error(im, true, n, NULL, msg);
		return GC_ETOOBIG; /* not worth reading further */
	}
	if (json_array_size(im->items) == KB_MAX_IMPORT_ITEMS) {
		char msg[96];
		snprintf(msg, sizeof(msg), "at most %d articles and trees in one import", KB_MAX_IMPORT_ITEMS);
		import_error(im, true, n, NULL, msg);
		return GC_ETOOBIG;
	}
	if (decode_json(line, len, &o, &de) < 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "not a JSON object: %s", de.message);
		import_error(im, de.code == GC_ETOOBIG, n, NULL, msg);
	} else if (kb_content_limits(o, &e) < 0) {
		json_t *errs = errors_json(&e, n);
		json_array_extend(im->errors, errs);
		json_decref(errs);
		im->big = true;
	} else if (kb_content_check(o, &e, &canon)) {
		/* an id twice in one file: the second would silently replace the first */
		size_t i;
		json_t *x;
		const char *id = json_string_value(json_object_get(canon, "id"));
		json_array_foreach(im->items, i, x) if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0) {
			json_array_append_new(im->errors, json_pack("{s:I,s:s,s:s+}", "line", (json_int_t)n,
				"field", "id", "message", "this id is on an earlier line too: ", id));
			json_decref(canon);
			canon = NULL;
			break;
		}
		if (canon) {
			json_array_append_new(im->items, canon);
			json_array_append_new(im->lines, json_integer((json_int_t)n));
		}
	} else {
		json_t *errs = errors_json(&e, n);
		json_array_extend(im->errors, errs);
		json_decref(errs);
	}
	json_decref(o);
	return json_array_size(im->errors) >= MAX_LINE_ERRORS ? GC_ETOOBIG : GC_OK;
}

/* Reads and checks the whole file (on the worker when the route's prepare
 * is this): r->body becomes {"items": [...], "lines": [...]}. Answers and
 * returns 1 when the file has errors or passes a limit. */
int prepare_kb_import(struct request *r, struct store *db)
{
	struct import im = {json_array(), json_array(), json_array(), false};
	each_line(r, import_line, &im);
	if (json_array_size(im.errors)) {
		json_decref(im.items);
		json_decref(im.lines);
		reply_errors_status(r, im.big, im.big ? "the file is over a limit: nothing was imported"
						       : "the file has errors: nothing was imported", im.errors);
		return 1;
	}
	json_decref(im.errors);
	if (json_array_size(im.items) == 0) {
		json_decref(im.items);
		json_decref(im.lines);
		reply_error(r, 400, "invalid", NULL, "the file holds no article or tree");
		return 1;
	}
	json_decref(r->body);
	r->body = json_pack("{s:o,s:o}", "items", im.items, "lines", im.lines);
	if (r->body == NULL) {
		reply_error(r, 500, "internal", NULL, "out of memory");
		return 1;
	}
	return 0;
}

/* Whether key's published version is content (both canonical). */
static bool published_as(struct store *db, int64_t tenant_id, const char *key, const json_t *content)
{
	int64_t item;
	int version;
	json_t *now = NULL;
	if (store_kb_published(db, tenant_id, key, &item, &version, &now) < 0)
		return false;
	char *a = json_dumps(now, JSON_COMPACT | JSON_SORT_KEYS), *b = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
	bool same = a && b && strcmp(a, b) == 0;
	free(a);
	free(b);
	json_decref(now);
	return same;
}

int run_kb_import(struct request *r, struct store *db)
{
	int64_t pub;
	if (query_int(r, "publish", 0, 1, 0, &pub) < 0)
		return GC_EINVAL;
	if (pub && !role_can(r->scope.role, PERM_KB_REVIEW))
		return reply_error(r, 403, "forbidden", "publish", "publishing needs a reviewer's role");
	if (r->body == NULL && prepare_kb_import(r, db) != 0)
		return r->status == 413 ? GC_ETOOBIG : GC_EINVAL; /* answered */
	struct import im = {json_incref(json_object_get(r->body, "items")), json_array(),
			    json_incref(json_object_get(r->body, "lines")), false};
	int rc = GC_OK;
	size_t created = 0, updated = 0, unchanged = 0, published = 0, i;
	json_t *c, *as_is = json_array(); /* the items already published as the file has them */
	json_array_foreach(im.items, i, c) {
		bool is_new = false, same = false;
		const char *id = json_string_value(json_object_get(c, "id"));
		if (published_as(db, r->scope.tenant_id, id, c)) {
			/* an export imported again: its published version stays, and so does a draft
			 * an author is writing on it */
			unchanged++;
			json_array_append_new(as_is, json_string(id));
			continue;
		}
		if ((rc = store_kb_put(db, &r->scope, c, &is_new, &same)) < 0)
			break;
		is_new ? created++ : same ? unchanged++ : updated++;
		json_t *item = NULL;
		const char *key = json_string_value(json_object_get(c, "id"));
		if (same && store_kb_get(db, &r->scope, key, &item) == GC_OK &&
		    strcmp(json_string_value(json_object_get(item, "state")), "published") == 0)
			json_array_append_new(as_is, json_string(key));
		json_decref(item);
	}
	/* articles first, then trees, so that a tree finds what it names; what is
	 * published as it is stays its version (importing a file again is harmless) */
	for (int pass = 0; rc == GC_OK && pub && pass < 2; pass++)
		json_array_foreach(im.items, i, c) {
			bool tree = strcmp(kb_content_kind(c), "tree") == 0, already = false;
			size_t j;
			json_t *key;
			json_array_foreach(as_is, j, key)
				already |= strcmp(json_string_value(key), json_string_value(json_object_get(c, "id"))) == 0;
			if (tree != (pass == 1) || already)
				continue;
			json_t *errors = NULL;
			rc = publish(r, db, json_string_value(json_object_get(c, "id")), 0, true, &errors);
			if (errors) {
				size_t k;
				json_t *e;
				json_array_foreach(errors, k, e) json_object_set(e, "line", json_array_get(im.lines, i));
				json_array_extend(im.errors, errors);
				json_decref(errors);
				rc = GC_EINVAL;
			}
			if (rc < 0)
				break;
			published++;
		}
	json_decref(im.items);
	json_decref(im.lines);
	json_decref(as_is);
	if (rc == GC_EINVAL)
		return reply_errors(r, "the file has errors: nothing was imported", im.errors);
	json_decref(im.errors);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, json_pack("{s:I,s:I,s:I,s:I}", "created", (json_int_t)created, "updated", (json_int_t)updated,
				       "unchanged", (json_int_t)unchanged, "published", (json_int_t)published));
}

struct export {
	char *buf;
	size_t len, cap;
	bool failed;
};

static int export_one(int64_t item_id, int version, const char *content, void *arg)
{
	struct export *x = arg;
	size_t n = strlen(content);
	if (x->len + n + 2 > x->cap) {
		x->cap = (x->len + n + 2) * 2;
		char *b = realloc(x->buf, x->cap);
		if (b == NULL)
			return GC_ENOMEM;
		x->buf = b;
	}
	memcpy(x->buf + x->len, content, n);
	x->buf[x->len + n] = '\n';
	x->len += n + 1;
	x->buf[x->len] = '\0';
	return GC_OK;
}

int run_kb_export(struct request *r, struct store *db)
{
	int64_t drafts;
	if (query_int(r, "drafts", 0, 1, 0, &drafts) < 0)
		return GC_EINVAL;
	if (drafts && !can_write(r))
		return reply_error(r, 403, "forbidden", "drafts", "drafts are for authors and reviewers");
	struct export x = {.buf = calloc(1, 1), .cap = 1};
	int rc = x.buf ? GC_OK : GC_ENOMEM;
	if (rc == GC_OK && drafts) {
		json_t *list = NULL;
		rc = store_kb_list(db, &r->scope, NULL, NULL, &list);
		size_t i;
		json_t *it;
		json_array_foreach(list, i, it) {
			json_t *full = NULL;
			if (rc == GC_OK)
				rc = store_kb_get(db, &r->scope, json_string_value(json_object_get(it, "id")), &full);
			char *text = rc == GC_OK ? json_dumps(json_object_get(full, "draft"), JSON_COMPACT | JSON_SORT_KEYS) : NULL;
			if (rc == GC_OK)
				rc = text ? export_one(0, 0, text, &x) : GC_ENOMEM;
			free(text);
			json_decref(full);
		}
		json_decref(list);
	} else if (rc == GC_OK) {
		rc = store_kb_each_published(db, r->scope.tenant_id, 0, export_one, &x);
	}
	if (rc < 0) {
		free(x.buf);
		return reply_store_error(r, db, rc, NULL);
	}
	r->resp_text = x.buf;
	r->status = 200;
	r->content_type = "application/x-ndjson";
	return GC_OK;
}

/* --- learning --- */

/* Links the query's words to item: resolved or not. Words that matched
 * nothing in a resolved query are proposed as thesaurus entries. */
int kb_learn(struct store *db, int64_t tenant_id, enum kb_lang lang, const char *query, int64_t item_id, bool resolved)
{
	json_t *terms = NULL, *unmatched = NULL;
	int rc = kbsvc_query_terms(db, tenant_id, lang, query, &terms, resolved ? &unmatched : NULL);
	size_t i;
	json_t *t;
	json_array_foreach(terms, i, t) if (rc == GC_OK)
		rc = store_kb_link_add(db, tenant_id, kb_lang_code(lang), json_string_value(t), item_id, resolved, !resolved);
	json_array_foreach(unmatched, i, t) if (rc == GC_OK)
		rc = store_kb_unmatched_add(db, tenant_id, kb_lang_code(lang), json_string_value(t), item_id);
	json_decref(terms);
	json_decref(unmatched);
	return rc;
}

struct learning {
	struct store *db;
	json_t *errors;
	size_t learned, n_lines;
	bool big;
	int rc;
};

static int learn_line(struct request *r, const char *line, size_t len, size_t n, void *arg)
{
	struct learning *l = arg;
	char msg[sizeof(((struct decode_error *)0)->message)] = "";
	if (len > KB_MAX_LEARN_LINE)
		snprintf(msg, sizeof(msg), "a line is at most %d bytes", KB_MAX_LEARN_LINE);
	else if (++l->n_lines > KB_MAX_LEARN_LINES)
		snprintf(msg, sizeof(msg), "at most %d resolutions in one file", KB_MAX_LEARN_LINES);
	if (msg[0]) {
		json_array_append_new(l->errors, json_pack("{s:I,s:s}", "line", (json_int_t)n, "message", msg));
		l->big = true;
		return GC_ETOOBIG;
	}
	struct decode_error de = {0};
	json_t *o = NULL;
	if (decode_json(line, len, &o, &de) < 0)
		snprintf(msg, sizeof(msg), "%s", de.message);
	const char *query = json_string_value(json_object_get(o, "query"));
	const char *article = json_string_value(json_object_get(o, "article"));
	const char *tree = json_string_value(json_object_get(o, "tree"));
	const json_t *resolved = json_object_get(o, "resolved");
	const char *lang_code = json_string_value(json_object_get(o, "lang"));
	enum kb_lang lang = KB_LANG_FR;
	const char *problem = NULL, *field = NULL;
	int64_t item = 0;
	int version;
	json_t *content = NULL;
	if (o == NULL)
		problem = msg;
	else if (query == NULL || query[0] == '\0' || strlen(query) > 1000 || !gc_text_is_clean(query, true))
		problem = "'query' is the customer's words, 1 to 1000 bytes", field = "query";
	else if ((article == NULL) == (tree == NULL))
		problem = "give 'article' or 'tree' (one of them)", field = article ? "tree" : "article";
	else if (!json_is_boolean(resolved))
		problem = "'resolved' is true or false", field = "resolved";
	else if (store_kb_published(l->db, r->scope.tenant_id, article ? article : tree, &item, &version, &content) < 0 ||
		 strcmp(kb_content_kind(content), article ? "article" : "tree") != 0)
		problem = article ? "no published article of this id" : "no published tree of this id",
		field = article ? "article" : "tree";
	else if (lang_code && kb_lang_parse(lang_code, &lang) < 0)
		problem = "'lang' must be 'fr' or 'en'", field = "lang";
	else if (!lang_code)
		kb_lang_parse(json_string_value(json_object_get(content, "lang")), &lang);
	if (problem) {
		json_t *e = json_pack("{s:I,s:s}", "line", (json_int_t)n, "message", problem);
		if (field)
			json_object_set_new(e, "field", json_string(field));
		json_array_append_new(l->errors, e);
	} else if (json_array_size(l->errors) == 0) {
		l->rc = kb_learn(l->db, r->scope.tenant_id, lang, query, item, json_is_true(resolved));
		l->learned++;
	}
	json_decref(o);
	json_decref(content);
	return l->rc < 0 ? l->rc : json_array_size(l->errors) >= MAX_LINE_ERRORS ? GC_ETOOBIG : GC_OK;
}

int run_kb_learn(struct request *r, struct store *db)
{
	struct learning l = {.db = db, .errors = json_array()};
	each_line(r, learn_line, &l);
	if (json_array_size(l.errors))
		return reply_errors_status(r, l.big, "the file has errors: nothing was learned", l.errors);
	json_decref(l.errors);
	if (l.rc < 0)
		return reply_store_error(r, db, l.rc, NULL);
	if (l.learned == 0)
		return reply_error(r, 400, "invalid", NULL, "the file holds no resolution");
	store_audit(db, &r->scope, r->scope.tenant_id, "kb_learned", "import",
		    json_pack("{s:I}", "resolutions", (json_int_t)l.learned));
	return reply(r, 200, json_pack("{s:I}", "learned", (json_int_t)l.learned));
}

int run_kb_links(struct request *r, struct store *db)
{
	int64_t item_id = 0;
	const char *key = query_get(r, "item");
	if (key) {
		json_t *item = NULL;
		int rc = store_kb_get(db, &r->scope, key, &item);
		if (rc == GC_ENOTFOUND)
			return reply_error(r, 404, "not_found", "item", "no article or tree '%s'", key);
		if (rc < 0)
			return reply_store_error(r, db, rc, "item");
		item_id = json_integer_value(json_object_get(item, "item_id"));
		json_decref(item);
	}
	json_t *list = NULL;
	int rc = store_kb_links(db, &r->scope, item_id, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "links", list));
}

int run_kb_link_remove(struct request *r, struct store *db)
{
	const char *term = query_get(r, "term"), *key = query_get(r, "item");
	enum kb_lang lang;
	if (!query_lang(r, &lang))
		return GC_EINVAL;
	if (term == NULL || key == NULL)
		return reply_error(r, 400, "invalid", term ? "item" : "term", "give 'term' and 'item'");
	json_t *item = NULL;
	int rc = store_kb_get(db, &r->scope, key, &item);
	if (rc == GC_OK)
		rc = store_kb_link_remove(db, &r->scope, kb_lang_code(lang), term,
					  json_integer_value(json_object_get(item, "item_id")));
	json_decref(item);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "term", "no learned link from '%s' to '%s'", term, key);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:b}", "removed", 1));
}

/* --- the tenant's thesaurus --- */

int run_kb_thesaurus(struct request *r, struct store *db)
{
	json_t *list = NULL, *proposals = NULL;
	int rc = store_kb_synonyms(db, &r->scope, &list);
	if (rc == GC_OK)
		rc = store_kb_proposals(db, &r->scope, &proposals);
	if (rc < 0) {
		json_decref(list);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 200, json_pack("{s:o,s:o}", "entries", list, "proposals", proposals));
}

static bool word_ok(const char *w)
{
	return w && w[0] && strlen(w) <= 200 && gc_text_is_clean(w, false);
}

/* A thesaurus entry's words in lower case, accents kept ("HS" and "hs"
 * are one entry, as searches hear them); malloc'd, NULL without memory. */
static char *entry_case(const char *text)
{
	utf8proc_uint8_t *out = NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)text, 0, &out,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD) < 0)
		return NULL;
	return (char *)out;
}

int run_kb_synonym_add(struct request *r, struct store *db)
{
	const char *word = json_string_value(json_object_get(r->body, "word"));
	const json_t *syn = json_object_get(r->body, "synonyms");
	const char *code = json_string_value(json_object_get(r->body, "lang"));
	enum kb_lang lang;
	if (!word_ok(word))
		return reply_error(r, 400, "invalid", "word", "'word' is one word or phrase, 1 to 200 bytes");
	if (code == NULL || kb_lang_parse(code, &lang) < 0)
		return reply_error(r, 400, "invalid", "lang", "'lang' must be 'fr' or 'en'");
	if (!json_is_array(syn) || json_array_size(syn) == 0 || json_array_size(syn) > 50)
		return reply_error(r, 400, "invalid", "synonyms", "'synonyms' is a list of 1 to 50 words or phrases");
	size_t i;
	json_t *s;
	json_array_foreach(syn, i, s) if (!word_ok(json_string_value(s)))
		return reply_error(r, 400, "invalid", "synonyms", "synonym %zu is not 1 to 200 bytes of text", i + 1);
	char *one = entry_case(word);
	json_t *all = json_array();
	int rc = one && all ? GC_OK : GC_ENOMEM;
	/* both ways: customers who say one mean the other */
	json_array_foreach(syn, i, s) {
		char *other = rc == GC_OK ? entry_case(json_string_value(s)) : NULL;
		if (rc == GC_OK && other == NULL)
			rc = GC_ENOMEM;
		if (rc == GC_OK)
			rc = store_kb_synonym_put(db, &r->scope, code, one, other, true);
		if (rc == GC_OK)
			rc = store_kb_synonym_put(db, &r->scope, code, other, one, true);
		if (rc == GC_OK)
			json_array_append_new(all, json_string(other));
		free(other);
	}
	if (rc == GC_OK)
		rc = reply(r, 201, json_pack("{s:s,s:s,s:o}", "lang", code, "word", one, "synonyms", all));
	else
		json_decref(all);
	free(one);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : rc;
}

int run_kb_synonym_remove(struct request *r, struct store *db)
{
	const char *word = query_get(r, "word"), *phrase = query_get(r, "synonym");
	enum kb_lang lang;
	if (!query_lang(r, &lang))
		return GC_EINVAL;
	if (word == NULL || phrase == NULL)
		return reply_error(r, 400, "invalid", word ? "synonym" : "word", "give 'word' and 'synonym'");
	int rc = store_kb_synonym_put(db, &r->scope, kb_lang_code(lang), word, phrase, false);
	if (rc == GC_OK)
		rc = store_kb_synonym_put(db, &r->scope, kb_lang_code(lang), phrase, word, false);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "word", "no entry '%s' = '%s'", word, phrase);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:b}", "removed", 1));
}

int run_kb_proposal_refuse(struct request *r, struct store *db)
{
	const char *word = query_get(r, "word");
	enum kb_lang lang;
	if (!query_lang(r, &lang))
		return GC_EINVAL;
	if (word == NULL)
		return reply_error(r, 400, "invalid", "word", "give 'word'");
	int rc = store_kb_proposal_refuse(db, &r->scope, kb_lang_code(lang), word);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "word", "no proposal '%s'", word);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:b}", "refused", 1));
}

int run_kb_gaps(struct request *r, struct store *db)
{
	json_t *out = NULL;
	int rc = store_kb_gaps(db, &r->scope, &out);
	if (rc == GC_OK) {
		json_t *proposals = NULL;
		rc = store_kb_proposals(db, &r->scope, &proposals);
		json_object_set_new(out, "unmatched_words", proposals);
	}
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, out);
}
