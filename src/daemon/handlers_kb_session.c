/* Diagnosis sessions through the API: start from a query or a tree, answer,
 * go back, end with an outcome and feedback (which teaches searches), and
 * the same walk as training (guichet plays the customer, the trainee is
 * scored) and as customer self-service (public, rate-limited, customer
 * wording, escalation creates a contact carrying the path).
 *
 * A session stores its answers and replays them on the tree's version it
 * started on (versions are immutable), so "back" is one answer less. Trees
 * it calls are taken at their published version.
 *
 * Who sees what. An agent's session is read and walked by its starter, the
 * agents who hold or held its contact, and supervisors; anyone else gets
 * 404. Its context keeps the customer's data with each value's class
 * ({"value", "class"}); the walk reads all of it (every reader sees the same
 * path), but what is shown (rendered replies and variables, answers the
 * context gave) is filtered by the reader's visibility: a value above it
 * renders empty and an answer it gave is redacted.
 *
 * Listening. An agent's session listens to the customer's words (the query
 * it started with, and the words the agent adds with "heard"): while they
 * answer the current question (guichet/kb_infer.h), the answer is filled
 * and marked inferred, with the words that gave it. The answers array is
 * the session's log: a string is an answer given, {"answer", "inferred",
 * "because", "tree", "node"} one inferred, {"heard": text} words added and
 * {"undone": "tree/node"} a question the agent took back from listening
 * (undo), never inferred again in that session. */
#include "daemon/handlers.h"
#include "daemon/canned.h"
#include "daemon/kbsvc.h"
#include "daemon/ops.h"
#include "daemon/cluster.h"
#include "daemon/ratelimit.h"
#include "daemon/router.h"
#include "daemon/server.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"
#include "guichet/text.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CALLED 16

struct walking {
	struct store *db;
	int64_t tenant_id;
	json_t *context;           /* "customer.first_name": {"value": "Léa", "class": "basic"}, ... */
	enum sensitivity sees;     /* the reader's visibility: what is shown of the context */
	struct kb_tree *root;
	struct kb_tree *called[MAX_CALLED];
	size_t n_called;
	struct kb_walk walk;
	struct {
		bool inferred;
		char because[256];
	} heard[KB_WALK_MAX_STEPS]; /* by step: answered from the customer's words */
	char why[256];
	char not_escalated[256];   /* why the end's escalation was refused, "" when it was not */
};

/* The walk reads the whole context, whoever looks. */
static const char *context_value(const char *key, void *arg)
{
	struct walking *w = arg;
	return canned_value(w->context, key);
}

static const struct kb_tree *called_tree(const char *id, void *arg)
{
	struct walking *w = arg;
	for (size_t i = 0; i < w->n_called; i++)
		if (strcmp(kb_tree_id(w->called[i]), id) == 0)
			return w->called[i];
	int64_t item;
	int version;
	json_t *content = NULL;
	struct kb_tree_errors e;
	struct kb_tree *t = NULL;
	if (w->n_called < MAX_CALLED && store_kb_published(w->db, w->tenant_id, id, &item, &version, &content) == GC_OK &&
	    strcmp(kb_content_kind(content), "tree") == 0)
		t = kb_tree_parse(content, &e);
	json_decref(content);
	if (t)
		w->called[w->n_called++] = t;
	return t;
}

static void walking_free(struct walking *w)
{
	if (w == NULL)
		return;
	kb_tree_free(w->root);
	for (size_t i = 0; i < w->n_called; i++)
		kb_tree_free(w->called[i]);
	json_decref(w->context);
	free(w);
}

/* The session's walk replayed: its tree version, its answers. */
static int replay(struct store *db, int64_t tenant_id, const json_t *session, const json_t *answers,
		  struct walking **ret)
{
	struct walking *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return GC_ENOMEM;
	w->db = db;
	w->tenant_id = tenant_id;
	w->sees = SENS_NONE; /* until the caller says who reads (reader_sees) */
	w->context = json_incref(json_object_get(session, "context"));
	json_t *content = NULL;
	struct kb_tree_errors e;
	int rc = store_kb_version(db, tenant_id, json_integer_value(json_object_get(session, "tree_item_id")),
				  (int)json_integer_value(json_object_get(session, "tree_version")), &content);
	if (rc == GC_OK && (w->root = kb_tree_parse(content, &e)) == NULL)
		rc = GC_ESTORE;
	json_decref(content);
	if (rc == GC_OK) {
		rc = kb_walk_start(&w->walk, w->root, context_value, called_tree, w);
		if (rc == GC_ENOTFOUND)
			snprintf(w->why, sizeof(w->why), "the tree calls a tree that is not published");
	}
	size_t i;
	const json_t *a;
	json_array_foreach(answers, i, a) {
		if (rc < 0)
			break;
		if (json_is_object(a) && json_object_get(a, "answer") == NULL)
			continue; /* words heard, a question undone */
		size_t at = w->walk.n_steps;
		rc = kb_walk_answer(&w->walk, json_is_object(a) ? json_string_value(json_object_get(a, "answer"))
								: json_string_value(a), w->why, sizeof(w->why));
		if (rc == GC_OK && json_is_true(json_object_get(a, "inferred")) && at < KB_WALK_MAX_STEPS) {
			const char *because = json_string_value(json_object_get(a, "because"));
			w->heard[at].inferred = true;
			snprintf(w->heard[at].because, sizeof(w->heard[at].because), "%s", because ? because : "");
		}
	}
	*ret = w;
	return rc;
}

/* --- listening --- */

static const char *choice_label(const json_t *node, const char *value);

static bool is_answer(const json_t *a)
{
	return json_is_string(a) || json_object_get(a, "answer") != NULL;
}

/* The customer's words: the session's query, then each "heard" in order. */
static char *customer_words(const json_t *session, const json_t *answers)
{
	const char *query = json_string_value(json_object_get(session, "query"));
	size_t len = query ? strlen(query) : 0, i;
	const json_t *a;
	json_array_foreach(answers, i, a) {
		const char *h = json_string_value(json_object_get(a, "heard"));
		len += h ? strlen(h) + 2 : 0;
	}
	char *text = malloc(len + 1);
	if (text == NULL)
		return NULL;
	size_t at = (size_t)snprintf(text, len + 1, "%s", query ? query : "");
	json_array_foreach(answers, i, a) {
		const char *h = json_string_value(json_object_get(a, "heard"));
		if (h)
			at += (size_t)snprintf(text + at, len + 1 - at, "%s%s", at ? ". " : "", h);
	}
	return text;
}

static bool was_undone(const json_t *answers, const struct kb_tree *t, int node)
{
	char key[300];
	snprintf(key, sizeof(key), "%s/%s", kb_tree_id(t), kb_tree_node_id(t, node));
	size_t i;
	const json_t *a;
	json_array_foreach(answers, i, a) {
		const char *u = json_string_value(json_object_get(a, "undone"));
		if (u && strcmp(u, key) == 0)
			return true;
	}
	return false;
}

static bool answered_before(const struct kb_walk *walk, const struct kb_tree *t, int node)
{
	for (size_t i = 0; i < walk->n_steps; i++)
		if (walk->steps[i].tree == t && walk->steps[i].node == node)
			return true;
	return false;
}

/* Walks on while the customer's words answer the current question, adding
 * each inferred answer to answers and, for the caller, to listened. Only
 * agents' sessions listen; a question the agent undid is asked. */
static int listen_on(struct walking *w, const json_t *session, json_t *answers, json_t *listened)
{
	const char *mode = json_string_value(json_object_get(session, "mode"));
	enum kb_lang lang;
	if (mode == NULL || strcmp(mode, "agent") != 0 ||
	    kb_lang_parse(json_string_value(json_object_get(session, "lang")), &lang) < 0)
		return GC_OK;
	char *text = customer_words(session, answers);
	if (text == NULL)
		return GC_ENOMEM;
	int rc = GC_OK;
	while (text[0] && !kb_walk_done(&w->walk) && w->walk.n_steps < KB_WALK_MAX_STEPS) {
		const struct kb_tree *t = kb_walk_tree(&w->walk);
		int n = kb_walk_node(&w->walk);
		const json_t *node = kb_tree_node(t, n);
		if (was_undone(answers, t, n) || answered_before(&w->walk, t, n))
			break; /* a question the walk comes back to is the agent's to answer */
		json_t *shown = kb_walk_choices(&w->walk);
		struct kb_inference got;
		rc = kbsvc_infer(w->tenant_id, lang, node, kb_tree_node_type(t, n) == KB_NODE_CHOICE ? shown : NULL, text,
				 &got);
		json_decref(shown);
		size_t at = w->walk.n_steps;
		if (rc < 0 || !got.found || kb_walk_answer(&w->walk, got.answer, w->why, sizeof(w->why)) < 0)
			break;
		w->heard[at].inferred = true;
		snprintf(w->heard[at].because, sizeof(w->heard[at].because), "%s", got.because);
		json_array_append_new(answers, json_pack("{s:s,s:b,s:s,s:s,s:s}", "answer", got.answer, "inferred", 1,
							 "because", got.because, "tree", kb_tree_id(t), "node",
							 kb_tree_node_id(t, n)));
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "tree", kb_tree_id(t), "node", kb_tree_node_id(t, n),
				      "question", json_string_value(json_object_get(node, "text")), "answer", got.answer,
				      "because", got.because);
		if (kb_tree_node_type(t, n) == KB_NODE_CHOICE)
			json_object_set_new(o, "label", json_string(choice_label(node, got.answer)));
		json_array_append_new(listened, o);
	}
	free(text);
	return rc < 0 ? rc : GC_OK;
}

/* The walk is shown to r's caller (a customer sees no context at all). */
static void reader_sees(struct walking *w, const struct request *r, bool customer)
{
	if (w)
		w->sees = customer ? SENS_NONE : r->scope.sees;
}

/* --- what the caller sees --- */

static const char *text_of(const json_t *node, bool customer)
{
	const char *t = customer ? json_string_value(json_object_get(node, "customer_text")) : NULL;
	return t ? t : json_string_value(json_object_get(node, "text"));
}

static const char *choice_label(const json_t *node, const char *value)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(node, "choices"), i, c) if (strcmp(json_string_value(json_object_get(c, "value")),
									       value) == 0) {
		const char *label = json_string_value(json_object_get(c, "label"));
		return label ? label : value;
	}
	return value;
}

static json_t *path_json(const struct walking *w, bool customer)
{
	json_t *path = json_array();
	for (size_t i = 0; i < w->walk.n_steps; i++) {
		const struct kb_step *s = &w->walk.steps[i];
		const json_t *node = kb_tree_node(s->tree, s->node);
		enum kb_node_type type = kb_tree_node_type(s->tree, s->node);
		json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "tree", kb_tree_id(s->tree), "node", kb_tree_node_id(s->tree, s->node),
				      "type", kb_node_type_name(type), "automatic", s->automatic);
		if (type == KB_NODE_CALL) {
			json_object_set_new(o, "question", json_pack("s+", "into the tree ",
								    json_string_value(json_object_get(node, "tree"))));
		} else {
			const char *q = text_of(node, customer);
			const char *from = s->automatic ? json_string_value(json_object_get(node, "from")) : NULL;
			json_object_set_new(o, "question", json_string(q ? q : ""));
			if (from)
				json_object_set_new(o, "from", json_string(from));
			if (from && canned_class(w->context, from) > w->sees) {
				json_object_set_new(o, "answer", json_string(""));
				json_object_set_new(o, "redacted", json_true());
			} else {
				json_object_set_new(o, "answer", json_string(s->answer));
				if (type == KB_NODE_CHOICE)
					json_object_set_new(o, "label", json_string(choice_label(node, s->answer)));
			}
			if (w->heard[i].inferred) {
				json_object_set_new(o, "inferred", json_true());
				json_object_set_new(o, "because", json_string(w->heard[i].because));
			}
		}
		json_array_append_new(path, o);
	}
	return path;
}

/* The words of the note an escalation leaves, in the tree's language: the
 * agent reads them beside the tree's own questions and answers (a French
 * tree's note said "Diagnosis walked", and "→ yes" where the customer had
 * answered "Oui"). */
struct note_words {
	const char *walked, *because_open, *because_close, *yes, *no, *searched, *opened;
	/* a search with no diagnosis: its articles, none, no query, the subject, the message */
	const char *seen, *none, *nothing, *subject, *search, *asks;
	const char *not_resolved; /* before the agent's why, at an escalation */
};

static const struct note_words NOTE_WORDS[KB_LANG_N] = {
	[KB_LANG_FR] = {"Diagnostic parcouru :", " (d’après les mots du client : « ", " »)", "Oui", "Non",
			"Libre-service. Le client a cherché : ", "(un arbre ouvert)", "Articles consultés :", " aucun",
			"(rien)", "Libre-service : ", "Libre-service : recherche",
			"Le client demande à parler à quelqu’un", "Non résolu, d’après le conseiller : "},
	[KB_LANG_EN] = {"Diagnosis walked:", " (from the customer's words: «", "»)", "Yes", "No",
			"Self-service. The customer searched: ", "(a tree opened)", "Articles seen:", " none",
			"(nothing)", "Self-service: ", "Self-service: search", "The customer asks for a person",
			"Not resolved, in the agent's words: "},
};

/* The note's words in a language ("fr", "en"; French when it has none). */
static const struct note_words *note_words_of(const char *name)
{
	enum kb_lang lang = KB_LANG_FR;
	if (kb_lang_parse(name, &lang) < 0)
		lang = KB_LANG_FR;
	return &NOTE_WORDS[lang];
}

/* The note's words of a session, by its language. */
static const struct note_words *note_words(const json_t *session)
{
	return note_words_of(json_string_value(json_object_get(session, "lang")));
}

/* A path as lines of text, for the note an escalation leaves on the contact. */
static char *path_text(const json_t *path, const struct note_words *words)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);
	if (buf)
		len = (size_t)snprintf(buf, cap, "%s", words->walked);
	size_t i;
	json_t *s;
	json_array_foreach(path, i, s) {
		const char *q = json_string_value(json_object_get(s, "question"));
		const char *a = json_string_value(json_object_get(s, "label"));
		const char *type = json_string_value(json_object_get(s, "type"));
		if (a == NULL)
			a = json_string_value(json_object_get(s, "answer"));
		if (a && type && strcmp(type, "yesno") == 0)
			a = strcmp(a, "yes") == 0 ? words->yes : strcmp(a, "no") == 0 ? words->no : a;
		const char *because = json_string_value(json_object_get(s, "because"));
		size_t need = strlen(q ? q : "") + strlen(a ? a : "") + (because ? strlen(because) + 80 : 0) + 16;
		if (buf && len + need >= cap) {
			cap = (len + need) * 2;
			char *b = realloc(buf, cap);
			if (b == NULL) {
				free(buf);
				return NULL;
			}
			buf = b;
		}
		if (buf)
			len += (size_t)snprintf(buf + len, cap - len, "\n- %s%s%s", q ? q : "", a ? " → " : "", a ? a : "");
		if (buf && because)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s%s", words->because_open, because,
						words->because_close);
	}
	return buf;
}

/* A variable as the reader may see it: a value above its visibility
 * renders empty. */
static const char *fill_var(const char *name, void *arg)
{
	const struct walking *w = arg;
	const char *v = canned_value(w->context, name);
	return v && canned_class(w->context, name) > w->sees ? "" : v;
}

/* The outcome node's answer: the article (its published version), the
 * reply with its variables filled, the escalation's reason. */
static json_t *outcome_json(struct walking *w, bool customer, int64_t *ret_article, int *ret_version)
{
	const struct kb_tree *t = kb_walk_tree(&w->walk);
	int n = kb_walk_node(&w->walk);
	const json_t *node = kb_tree_node(t, n);
	enum kb_node_type type = kb_tree_node_type(t, n);
	json_t *out = json_pack("{s:s,s:s}", "type", kb_node_type_name(type), "node", kb_tree_node_id(t, n));
	*ret_article = 0;
	*ret_version = 0;
	if (type == KB_NODE_ARTICLE) {
		json_t *content = NULL;
		const char *key = json_string_value(json_object_get(node, "article"));
		if (store_kb_published(w->db, w->tenant_id, key, ret_article, ret_version, &content) == GC_OK) {
			if (customer) { /* what the customer reads: no internal part, no agents' canned replies */
				static const char *const staff_only[] = {"internal", "replies", "tags", "products",
									 "translation_of"};
				for (size_t k = 0; k < sizeof(staff_only) / sizeof(staff_only[0]); k++)
					json_object_del(content, staff_only[k]);
			}
			json_t *replies = json_object_get(content, "replies");
			size_t i;
			json_t *r;
			json_array_foreach(replies, i, r) {
				json_t *missing = NULL;
				char *filled = kb_fill(json_string_value(json_object_get(r, "text")), fill_var, w, &missing);
				json_object_set_new(r, "filled", json_string(filled ? filled : ""));
				json_object_set_new(r, "missing", missing);
				free(filled);
			}
			json_object_set_new(out, "article", content);
			json_object_set_new(out, "version", json_integer(*ret_version));
		} else {
			json_decref(content);
			json_object_set_new(out, "article", json_pack("{s:s,s:s}", "id", key, "error", "not published"));
		}
	} else if (type == KB_NODE_REPLY) {
		json_t *missing = NULL;
		char *filled = kb_fill(text_of(node, customer), fill_var, w, &missing);
		if (customer && filled) { /* a value no contact gave is left out, not shown as {{its name}} */
			char *shown = kb_drop_variables(filled);
			free(filled);
			filled = shown;
			json_decref(missing);
			missing = json_array();
		}
		json_object_set_new(out, "text", json_string(filled ? filled : ""));
		json_object_set_new(out, "missing", missing);
		free(filled);
	} else if (type == KB_NODE_ESCALATE) {
		json_object_set(out, "reason", json_object_get(node, "reason"));
		if (json_object_get(node, "queue") && !customer)
			json_object_set(out, "queue", json_object_get(node, "queue"));
	}
	return out;
}

/* What the scenario's customer says at the current question: a choice's
 * label, a yes-or-no question's value ("yes", "no") or the answer as
 * written; null when the scenario does not say (the trainee's page words
 * both in its own language). */
static json_t *customer_says(const struct walking *w, const json_t *scenario)
{
	const char *value = kb_scenario_answer(scenario, &w->walk);
	if (value == NULL)
		return json_null();
	const json_t *node = kb_tree_node(kb_walk_tree(&w->walk), kb_walk_node(&w->walk));
	enum kb_node_type type = kb_tree_node_type(kb_walk_tree(&w->walk), kb_walk_node(&w->walk));
	if (type == KB_NODE_CHOICE)
		return json_string(choice_label(node, value));
	return json_string(value);
}

static json_t *view(struct walking *w, const json_t *session, bool customer)
{
	const struct kb_tree *t = kb_walk_tree(&w->walk);
	int n = kb_walk_node(&w->walk);
	const json_t *node = kb_tree_node(t, n);
	bool done = kb_walk_done(&w->walk);
	json_t *out = json_pack("{s:O,s:O,s:O,s:O,s:b}", "id", json_object_get(session, "id"), "tree",
				json_object_get(session, "tree"), "version", json_object_get(session, "tree_version"),
				"state", json_object_get(session, "state"), "done", done);
	if (!customer) {
		json_object_set(out, "mode", json_object_get(session, "mode"));
		json_object_set(out, "contact_id", json_object_get(session, "contact_id"));
		json_object_set(out, "query", json_object_get(session, "query"));
		json_object_set(out, "resolved", json_object_get(session, "resolved"));
		json_object_set(out, "feedback", json_object_get(session, "feedback"));
		json_object_set(out, "score", json_object_get(session, "score"));
	}
	json_object_set_new(out, "path", path_json(w, customer));
	if (done) {
		int64_t article;
		int version;
		json_object_set_new(out, "outcome", outcome_json(w, customer, &article, &version));
	} else {
		json_t *q = json_pack("{s:s,s:s,s:s,s:s}", "tree", kb_tree_id(t), "node", kb_tree_node_id(t, n), "type",
				      kb_node_type_name(kb_tree_node_type(t, n)), "text", text_of(node, customer));
		const char *note = json_string_value(json_object_get(node, "note"));
		if (note && !customer)
			json_object_set_new(q, "note", json_string(note));
		json_t *choices = kb_walk_choices(&w->walk);
		if (choices)
			json_object_set_new(q, "choices", choices);
		json_object_set_new(out, "question", q);
		const json_t *scenario = json_object_get(session, "scenario");
		if (json_is_object(scenario))
			json_object_set_new(out, "customer_says", customer_says(w, scenario));
	}
	const json_t *scenario = json_object_get(session, "scenario");
	if (json_is_object(scenario))
		json_object_set(out, "customer", json_object_get(scenario, "customer"));
	return out;
}

static int reply_walk_error(struct request *r, struct store *db, int rc, const struct walking *w)
{
	if (rc == GC_EINVAL)
		return reply_error(r, 400, "invalid", "answer", "%s", w->why);
	if (rc == GC_ECONFLICT)
		return reply_error(r, 409, "conflict", "answer", "%s", w->why[0] ? w->why : "the diagnosis is over");
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "unpublished", "tree", "%s", w->why[0] ? w->why : "a tree it calls is not published");
	return reply_store_error(r, db, rc, NULL);
}

/* Saves the walk on the session and answers its view. */
static int save_and_answer(struct request *r, struct store *db, int64_t tenant_id, json_t *session, json_t *answers,
			   struct walking *w, int status, bool customer, json_t *listened)
{
	enum sensitivity sees = w->sees;
	w->sees = SENS_CONFIDENTIAL; /* the stored path is whole: each reader's view is filtered when shown */
	json_t *path = path_json(w, false);
	w->sees = sees;
	const char *outcome = NULL, *outcome_node = NULL;
	int64_t article = 0;
	int version = 0;
	if (kb_walk_done(&w->walk)) {
		const struct kb_tree *t = kb_walk_tree(&w->walk);
		outcome = kb_node_type_name(kb_tree_node_type(t, kb_walk_node(&w->walk)));
		outcome_node = kb_tree_node_id(t, kb_walk_node(&w->walk));
		json_decref(outcome_json(w, false, &article, &version));
	}
	int rc = store_kb_session_walk(db, tenant_id, json_integer_value(json_object_get(session, "id")), answers, path,
				       outcome, outcome_node, article, version);
	json_decref(path);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	json_object_set(session, "answers", answers);
	json_t *out = view(w, session, customer);
	if (out && !customer)
		json_object_set_new(out, "listened", listened ? json_incref(listened) : json_array());
	return reply(r, status, out);
}

/* --- starting --- */

/* The tree a session starts on: the body's "tree", else the best tree for
 * the body's "query" (searched here, on the worker). Stashed in r->key. */
static int choose_tree(struct request *r, struct store *db, int64_t tenant_id)
{
	const char *tree = json_string_value(json_object_get(r->body, "tree"));
	const char *query = json_string_value(json_object_get(r->body, "query"));
	const char *code = json_string_value(json_object_get(r->body, "lang"));
	enum kb_lang lang = KB_LANG_FR;
	if (code && kb_lang_parse(code, &lang) < 0)
		return reply_error(r, 400, "invalid", "lang", "'lang' must be 'fr' or 'en'");
	if (query && (strlen(query) > 1000 || !gc_text_is_clean(query, true)))
		return reply_error(r, 400, "invalid", "query", "'query' is the customer's words, at most 1000 bytes");
	if (tree) {
		if (strlen(tree) >= sizeof(r->key))
			return reply_error(r, 400, "invalid", "tree", "'tree' is a tree's id");
		snprintf(r->key, sizeof(r->key), "%s", tree);
		return 0;
	}
	if (query == NULL || query[0] == '\0')
		return reply_error(r, 400, "invalid", "query", "give the customer's words ('query') or a 'tree'");
	if (code == NULL) /* the language the customer wrote in, as a search tells it */
		lang = kb_lang_guess(query, strlen(query), KB_LANG_FR);
	struct kbsvc_query q = {.text = query, .lang = lang, .limit = 5, .trees_only = true};
	json_t *found = NULL;
	int rc = kbsvc_search(db, tenant_id, &q, &found);
	if (rc == GC_EINVAL)
		return reply_error(r, 400, "invalid", "query", "'query' is not valid UTF-8");
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	const char *best = json_string_value(json_object_get(json_array_get(json_object_get(found, "results"), 0), "id"));
	if (best == NULL) {
		json_decref(found);
		return reply_error(r, 404, "no_tree", "query", "no diagnostic tree covers these words: search the articles");
	}
	snprintf(r->key, sizeof(r->key), "%s", best);
	json_decref(found);
	return 0;
}

int prepare_kb_session_start(struct request *r, struct store *db)
{
	return choose_tree(r, db, r->scope.tenant_id);
}

/* The context a walk reads: the contact's fields and the customer's data
 * (canned.h), then what the body gives, which never replaces the
 * customer's data. */
static json_t *session_context(struct request *r, struct store *db, int64_t contact_id)
{
	json_t *ctx = canned_context(db, &r->scope, contact_id);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(r->body, "context"), k, v) if (json_is_string(v) && strlen(k) < 128 &&
									  !json_is_object(json_object_get(ctx, k)))
		json_object_set(ctx, k, v);
	return ctx;
}

static int start(struct request *r, struct store *db, int64_t tenant_id, const char *mode, int64_t contact_id,
		 const json_t *scenario, const char *secret, bool customer)
{
	int64_t item;
	int version;
	json_t *content = NULL;
	int rc = store_kb_published(db, tenant_id, r->key, &item, &version, &content);
	if (rc == GC_OK && strcmp(kb_content_kind(content), "tree") != 0)
		rc = GC_ENOTFOUND;
	if (rc == GC_ENOTFOUND) {
		json_decref(content);
		return reply_error(r, 404, "not_found", "tree", "no published tree '%s'", r->key);
	}
	if (rc < 0)
		return reply_store_error(r, db, rc, "tree");
	const char *code = json_string_value(json_object_get(content, "lang"));
	json_t *ctx = scenario ? json_deep_copy(json_object_get(scenario, "context")) : customer ? json_object()
											       : session_context(r, db, contact_id);
	if (ctx == NULL)
		ctx = json_object();
	char *ctx_text = json_dumps(ctx, JSON_COMPACT), *scenario_text = scenario ? json_dumps(scenario, JSON_COMPACT) : NULL;
	struct store_kb_session in = {.mode = mode, .user_id = r->scope.user_id, .contact_id = contact_id,
				      .tree_id = item, .tree_version = version,
				      .query = json_string_value(json_object_get(r->body, "query")), .lang = code,
				      .context = ctx_text, .scenario = scenario_text, .secret = secret};
	int64_t id = 0;
	rc = store_kb_session_create(db, tenant_id, &in, &id);
	free(ctx_text);
	free(scenario_text);
	json_decref(ctx);
	json_decref(content);
	json_t *session = NULL;
	if (rc == GC_OK)
		rc = store_kb_session_get(db, tenant_id, id, &session);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	struct walking *w = NULL;
	json_t *answers = json_array(), *listened = json_array();
	rc = replay(db, tenant_id, session, answers, &w);
	reader_sees(w, r, customer);
	if (rc == GC_OK)
		rc = listen_on(w, session, answers, listened);
	if (rc < 0)
		rc = reply_walk_error(r, db, rc, w);
	else {
		rc = save_and_answer(r, db, tenant_id, session, answers, w, 201, customer, listened);
		if (rc == GC_OK && secret)
			json_object_set_new(r->resp, "secret", json_string(secret));
	}
	json_decref(listened);
	json_decref(answers);
	json_decref(session);
	walking_free(w);
	return rc;
}

int run_kb_session_start(struct request *r, struct store *db)
{
	const json_t *c = json_object_get(r->body, "contact_id");
	int64_t contact_id = json_integer_value(c);
	if (c && (!json_is_integer(c) || contact_id < 1))
		return reply_error(r, 400, "invalid", "contact_id", "'contact_id' is a contact's id");
	if (contact_id && store_contact_exists(db, &r->scope, contact_id) < 0)
		return reply_error(r, 404, "not_found", "contact_id", "no contact %lld", (long long)contact_id);
	return start(r, db, r->scope.tenant_id, "agent", contact_id, NULL, NULL, false);
}

/* --- walking on --- */

/* Whether the caller may read and walk an agent's or trainee's session: a
 * trainee's is its own; an agent's is its starter's, its contact's handlers'
 * (the agents who hold or held it) and supervisors'. */
static bool may_read(struct request *r, struct store *db, const json_t *s)
{
	const char *mode = json_string_value(json_object_get(s, "mode"));
	int64_t starter = json_integer_value(json_object_get(s, "user_id"));
	int64_t contact = json_integer_value(json_object_get(s, "contact_id"));
	bool mine = r->scope.user_id != 0 && starter == r->scope.user_id;
	if (mode == NULL || strcmp(mode, "public") == 0)
		return false;
	if (strcmp(mode, "training") == 0 || mine)
		return mine;
	if (role_can(r->scope.role, PERM_ROUTING_SUPERVISE))
		return true;
	return contact && r->scope.user_id &&
	       store_contact_handled_by(db, &r->scope, contact, r->scope.user_id) == GC_OK;
}

/* The session of the path, open, that this caller may walk. */
static int load(struct request *r, struct store *db, int64_t tenant_id, int64_t id, bool public, json_t **ret)
{
	json_t *s = NULL;
	int rc = store_kb_session_get(db, tenant_id, id, &s);
	const char *mode = rc == GC_OK ? json_string_value(json_object_get(s, "mode")) : "";
	bool ok = rc == GC_OK;
	if (ok && public) {
		const char *secret = json_string_value(json_object_get(s, "secret"));
		const char *given = json_string_value(json_object_get(r->body, "secret"));
		ok = strcmp(mode, "public") == 0 && secret && given && strlen(given) == strlen(secret) &&
		     sodium_memcmp(secret, given, strlen(secret)) == 0;
	} else if (ok) {
		ok = may_read(r, db, s);
	}
	if (rc < 0 && rc != GC_ENOTFOUND)
		return reply_store_error(r, db, rc, "session");
	if (!ok) {
		json_decref(s);
		return reply_error(r, 404, "not_found", "session", "no session %lld here", (long long)id);
	}
	*ret = s;
	return GC_OK;
}

/* The index of the last answer in answers (inferred only when asked, and
 * of that node when one is named), -1 when none. */
static ssize_t last_answer(const json_t *answers, bool inferred, const char *node)
{
	for (size_t i = json_array_size(answers); i-- > 0;) {
		const json_t *a = json_array_get(answers, i);
		if (!is_answer(a) || (inferred && !json_is_true(json_object_get(a, "inferred"))))
			continue;
		const char *n = json_string_value(json_object_get(a, "node"));
		if (node == NULL || (n && strcmp(n, node) == 0))
			return (ssize_t)i;
	}
	return -1;
}

/* Takes answers from index at on out; words heard and undone questions stay. */
static void drop_answers_from(json_t *answers, size_t at)
{
	for (size_t i = json_array_size(answers); i-- > at;)
		if (is_answer(json_array_get(answers, i)))
			json_array_remove(answers, i);
}

enum move { ANSWER, BACK, UNDO };

/* Changes answers as the body asks; a reply and a negative return when it cannot. */
static int move_answers(struct request *r, enum move move, json_t *answers, bool public)
{
	const char *answer = json_string_value(json_object_get(r->body, "answer"));
	const json_t *heard = json_object_get(r->body, "heard");
	if (move == BACK) {
		ssize_t at = last_answer(answers, false, NULL);
		if (at < 0)
			return reply_error(r, 409, "conflict", "session", "nothing to go back to: this is the first question");
		json_array_remove(answers, (size_t)at);
		return GC_OK;
	}
	if (move == UNDO) {
		const json_t *node = json_object_get(r->body, "node");
		if (node && !json_is_string(node))
			return reply_error(r, 400, "invalid", "node", "'node' is the id of a question answered from the customer's words");
		ssize_t at = last_answer(answers, true, json_string_value(node));
		if (at < 0)
			return reply_error(r, 409, "conflict", node ? "node" : "session",
					   "no answer was inferred from the customer's words%s%s", node ? " at " : "",
					   node ? json_string_value(node) : "");
		const json_t *a = json_array_get(answers, (size_t)at);
		json_t *undone = json_pack("{s:s++}", "undone", json_string_value(json_object_get(a, "tree")), "/",
					   json_string_value(json_object_get(a, "node")));
		drop_answers_from(answers, (size_t)at);
		json_array_append_new(answers, undone);
		return GC_OK;
	}
	if (heard && (public || !json_is_string(heard) || json_string_length(heard) == 0 ||
		      json_string_length(heard) > 1000 || !gc_text_is_clean(json_string_value(heard), true)))
		return reply_error(r, 400, "invalid", "heard", "'heard' is what the customer said, 1 to 1000 bytes");
	if (answer == NULL && heard == NULL)
		return reply_error(r, 400, "invalid", "answer", "'answer' is the value chosen or typed");
	if (answer)
		json_array_append_new(answers, json_string(answer));
	if (heard)
		json_array_append_new(answers, json_pack("{s:O}", "heard", heard));
	return GC_OK;
}

static int step(struct request *r, struct store *db, int64_t tenant_id, int64_t id, enum move move, bool public)
{
	json_t *session = NULL;
	int rc = load(r, db, tenant_id, id, public, &session);
	if (rc < 0)
		return rc;
	if (strcmp(json_string_value(json_object_get(session, "state")), "open") != 0) {
		json_decref(session);
		return reply_error(r, 409, "conflict", "session", "the session has ended");
	}
	json_t *answers = json_deep_copy(json_object_get(session, "answers")), *listened = json_array();
	rc = move_answers(r, move, answers, public);
	struct walking *w = NULL;
	if (rc == GC_OK) {
		rc = replay(db, tenant_id, session, answers, &w);
		reader_sees(w, r, public);
		if (rc == GC_OK && move == ANSWER)
			rc = listen_on(w, session, answers, listened);
		rc = rc < 0 ? reply_walk_error(r, db, rc, w)
			    : save_and_answer(r, db, tenant_id, session, answers, w, 200, public, listened);
	}
	walking_free(w);
	json_decref(listened);
	json_decref(answers);
	json_decref(session);
	return rc;
}

int run_kb_session_answer(struct request *r, struct store *db)
{
	return step(r, db, r->scope.tenant_id, r->ids[0], ANSWER, false);
}

int run_kb_session_back(struct request *r, struct store *db)
{
	return step(r, db, r->scope.tenant_id, r->ids[0], BACK, false);
}

int run_kb_session_undo(struct request *r, struct store *db)
{
	return step(r, db, r->scope.tenant_id, r->ids[0], UNDO, false);
}

int run_kb_session_get(struct request *r, struct store *db)
{
	json_t *session = NULL;
	int rc = load(r, db, r->scope.tenant_id, r->ids[0], false, &session);
	if (rc < 0)
		return rc;
	struct walking *w = NULL;
	rc = replay(db, r->scope.tenant_id, session, json_object_get(session, "answers"), &w);
	reader_sees(w, r, false);
	rc = rc < 0 ? reply_walk_error(r, db, rc, w) : reply(r, 200, view(w, session, false));
	walking_free(w);
	json_decref(session);
	return rc;
}

/* --- ending --- */

/* A trainee's score: half for the answers the scenario expected, half for
 * reaching its outcome. */
static int training_score(struct store *db, int64_t tenant_id, const json_t *session, const struct walking *trainee)
{
	const json_t *scenario = json_object_get(session, "scenario");
	struct walking *expected = NULL;
	json_t *none = json_array();
	int rc = replay(db, tenant_id, session, none, &expected);
	json_decref(none);
	for (const char *a; rc == GC_OK && !kb_walk_done(&expected->walk) &&
			    (a = kb_scenario_answer(scenario, &expected->walk)) != NULL;)
		rc = kb_walk_answer(&expected->walk, a, expected->why, sizeof(expected->why));
	size_t asked = 0, right = 0;
	/* each answer the trainee gave, against what the customer had said */
	struct kb_walk probe = trainee->walk;
	for (size_t i = 0; i < trainee->walk.n_steps; i++) {
		const struct kb_step *s = &trainee->walk.steps[i];
		if (s->automatic)
			continue;
		asked++;
		probe.stack[0].tree = s->tree;
		probe.stack[0].node = s->node;
		probe.depth = 1;
		const char *want = kb_scenario_answer(scenario, &probe);
		right += want && strcmp(want, s->answer) == 0;
	}
	bool outcome = rc == GC_OK && kb_walk_done(&expected->walk) && kb_walk_done(&trainee->walk) &&
		       strcmp(kb_tree_id(kb_walk_tree(&expected->walk)), kb_tree_id(kb_walk_tree(&trainee->walk))) == 0 &&
		       strcmp(kb_tree_node_id(kb_walk_tree(&expected->walk), kb_walk_node(&expected->walk)),
			      kb_tree_node_id(kb_walk_tree(&trainee->walk), kb_walk_node(&trainee->walk))) == 0;
	walking_free(expected);
	double path = asked ? (double)right / (double)asked : 1.0;
	return (int)(50.0 * path + (outcome ? 50.0 : 0.0) + 0.5);
}

/* Escalates the contact to the outcome's queue with the path as a note. */
static int escalate_contact(struct request *r, struct store *db, int64_t contact_id, const json_t *session,
			    struct walking *w)
{
	enum sensitivity sees = w->sees;
	w->sees = SENS_BASIC; /* a contact's note is read by whoever reads the contact */
	json_t *path = path_json(w, false);
	w->sees = sees;
	char *text = path_text(path, note_words(session));
	json_decref(path);
	/* the agent's why (asked when it is not resolved) is theirs for the expert too: it
	 * went to the knowledge's authors alone, and the expert asked the customer again */
	const char *why = json_is_false(json_object_get(r->body, "resolved"))
				  ? json_string_value(json_object_get(r->body, "feedback")) : NULL;
	if (text && why && *why) {
		char *with = NULL;
		if (asprintf(&with, "%s\n%s%s", text, note_words(session)->not_resolved, why) < 0)
			with = NULL;
		free(text);
		text = with;
	}
	struct message_input note = {.outbound = false, .body = text};
	json_t *msg = NULL;
	int rc = text ? store_contact_add_message(db, &r->scope, contact_id, &note, true, &msg) : GC_ENOMEM;
	json_decref(msg);
	free(text);
	const json_t *node = kb_tree_node(kb_walk_tree(&w->walk), kb_walk_node(&w->walk));
	int64_t queue = json_integer_value(json_object_get(node, "queue"));
	struct router *router = writer_router(r->worker->server->writer);
	/* refused (a queue of another channel than the contact's, one deleted since the tree was
	 * published): the session ends all the same, its path a note, and the answer says why,
	 * for the agent to escalate by hand */
	int may = rc == GC_OK && queue ? router_may_escalate(router, db, &r->scope, contact_id, queue) : GC_OK;
	if (may == GC_ESTORE || may == GC_ENOMEM)
		return may;
	if (may < 0)
		snprintf(w->not_escalated, sizeof(w->not_escalated), "%s", router_errmsg(router));
	if (rc == GC_OK && queue && may == GC_OK) {
		struct routing_input in = {.queue_id = queue, .priority = -1,
					   .reason = json_string_value(json_object_get(node, "reason"))};
		rc = router_escalate(router, db, &r->scope, contact_id, &in);
		if (rc < 0)
			return reply_error(r, 422, "not_escalated", "contact_id", "the contact could not be escalated: %s",
					   router_errmsg(router));
	}
	return rc;
}

int run_kb_session_end(struct request *r, struct store *db)
{
	const json_t *resolved = json_object_get(r->body, "resolved");
	const json_t *feedback = json_object_get(r->body, "feedback");
	if (!json_is_boolean(resolved))
		return reply_error(r, 400, "invalid", "resolved", "'resolved' is true or false");
	if (feedback && (!json_is_string(feedback) || json_string_length(feedback) > 4000))
		return reply_error(r, 400, "invalid", "feedback", "'feedback' is text of at most 4000 bytes");
	if (json_is_false(resolved) && feedback == NULL)
		return reply_error(r, 400, "invalid", "feedback", "say why it is not resolved ('feedback')");
	int64_t tenant = r->scope.tenant_id, id = r->ids[0];
	json_t *session = NULL;
	int rc = load(r, db, tenant, id, false, &session);
	if (rc < 0)
		return rc;
	struct walking *w = NULL;
	rc = replay(db, tenant, session, json_object_get(session, "answers"), &w);
	reader_sees(w, r, false);
	const char *mode = json_string_value(json_object_get(session, "mode"));
	bool training = strcmp(mode, "training") == 0;
	if (rc < 0)
		rc = reply_walk_error(r, db, rc, w);
	else if (json_is_true(resolved) && !kb_walk_done(&w->walk))
		rc = reply_error(r, 409, "conflict", "resolved", "the diagnosis has not reached an outcome yet");
	int64_t contact = json_integer_value(json_object_get(session, "contact_id"));
	int64_t tree = json_integer_value(json_object_get(session, "tree_item_id"));
	int64_t article = 0;
	int article_version = 0;
	if (rc == GC_OK && kb_walk_done(&w->walk))
		json_decref(outcome_json(w, false, &article, &article_version));
	int score = rc == GC_OK && training ? training_score(db, tenant, session, w) : -1;
	if (rc == GC_OK)
		rc = store_kb_session_end(db, tenant, id, json_is_true(resolved), json_string_value(feedback), score);
	if (rc == GC_ESTATE)
		rc = reply_error(r, 409, "conflict", "session", "the session has ended already");
	const char *query = json_string_value(json_object_get(session, "query"));
	enum kb_lang lang = KB_LANG_FR;
	kb_lang_parse(json_string_value(json_object_get(session, "lang")), &lang);
	if (rc == GC_OK && !training && query) {
		rc = kb_learn(db, tenant, lang, query, tree, json_is_true(resolved));
		if (rc == GC_OK && article)
			rc = kb_learn(db, tenant, lang, query, article, json_is_true(resolved));
	}
	if (rc == GC_OK && !training) {
		rc = store_kb_use(db, tenant, contact, tree, (int)json_integer_value(json_object_get(session, "tree_version")), id);
		if (rc == GC_OK && article)
			rc = store_kb_use(db, tenant, contact, article, article_version, id);
	}
	if (rc == GC_OK && contact && strcmp(mode, "agent") == 0) /* the reports' knowledge items (store/report_contacts.c) */
		rc = store_contact_kb_outcome(db, &r->scope, contact, id, tree, article, json_is_true(resolved));
	bool escalated = rc == GC_OK && kb_walk_done(&w->walk) &&
			 kb_tree_node_type(kb_walk_tree(&w->walk), kb_walk_node(&w->walk)) == KB_NODE_ESCALATE;
	if (escalated && contact)
		rc = escalate_contact(r, db, contact, session, w);
	json_t *ended = NULL, *out = NULL;
	if (rc == GC_OK)
		rc = store_kb_session_get(db, tenant, id, &ended);
	if (rc == GC_OK && (out = view(w, ended, false)) != NULL && w->not_escalated[0])
		json_object_set_new(out, "not_escalated", json_string(w->not_escalated));
	if (rc == GC_OK)
		rc = reply(r, 200, out);
	else if (r->status == 0)
		rc = reply_store_error(r, db, rc, NULL);
	json_decref(ended);
	json_decref(session);
	walking_free(w);
	return rc;
}

void kb_path_shown_to(json_t *path, const json_t *ctx, enum sensitivity sees)
{
	size_t i;
	json_t *step;
	json_array_foreach(path, i, step) {
		const char *from = json_string_value(json_object_get(step, "from"));
		if (from && (ctx ? canned_class(ctx, from) : SENS_CONFIDENTIAL) > sees) {
			json_object_set_new(step, "answer", json_string(""));
			json_object_del(step, "label");
			json_object_set_new(step, "redacted", json_true());
		}
	}
}

/* A stored session as a reader of visibility sees sees it: context values
 * above it dropped, path answers they gave redacted. */
static void shown_to(json_t *session, enum sensitivity sees)
{
	json_t *ctx = json_object_get(session, "context"), *shown = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(ctx, k, v) if (canned_class(ctx, k) <= sees)
		json_object_set_new(shown, k, json_string(canned_value(ctx, k) ? canned_value(ctx, k) : ""));
	kb_path_shown_to(json_object_get(session, "path"), ctx, sees);
	json_object_set_new(session, "context", shown);
}

int run_contact_diagnosis(struct request *r, struct store *db)
{
	if (store_contact_exists(db, &r->scope, r->ids[0]) < 0)
		return reply_error(r, 404, "not_found", "contact", "no contact %lld", (long long)r->ids[0]);
	json_t *sessions = NULL, *uses = NULL;
	int rc = store_kb_sessions_of_contact(db, &r->scope, r->ids[0], &sessions);
	if (rc == GC_OK)
		rc = store_kb_uses_of_contact(db, &r->scope, r->ids[0], &uses);
	if (rc < 0) {
		json_decref(sessions);
		return reply_store_error(r, db, rc, NULL);
	}
	json_t *shown = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(sessions, i, s) {
		if (!may_read(r, db, s))
			continue;
		json_object_del(s, "secret");
		shown_to(s, r->scope.sees);
		json_array_append(shown, s);
	}
	json_decref(sessions);
	return reply(r, 200, json_pack("{s:o,s:o}", "sessions", shown, "uses", uses));
}

/* --- training --- */

int prepare_kb_training(struct request *r, struct store *db)
{
	const char *tree = json_string_value(json_object_get(r->body, "tree"));
	if (tree == NULL || strlen(tree) >= sizeof(r->key))
		return reply_error(r, 400, "invalid", "tree", "'tree' is the id of the tree to train on");
	snprintf(r->key, sizeof(r->key), "%s", tree);
	const json_t *sc = json_object_get(r->body, "scenario");
	if (sc && (!json_is_integer(sc) || json_integer_value(sc) < 0))
		return reply_error(r, 400, "invalid", "scenario", "'scenario' is a scenario's number, from 0");
	return 0;
}

int run_kb_training(struct request *r, struct store *db)
{
	int64_t item;
	int version;
	json_t *content = NULL;
	int rc = store_kb_published(db, r->scope.tenant_id, r->key, &item, &version, &content);
	struct kb_tree_errors e;
	struct kb_tree *t = rc == GC_OK ? kb_tree_parse(content, &e) : NULL;
	json_decref(content);
	if (t == NULL)
		return rc < 0 && rc != GC_ENOTFOUND ? reply_store_error(r, db, rc, "tree")
						    : reply_error(r, 404, "not_found", "tree", "no published tree '%s'", r->key);
	json_t *scenarios = kb_tree_scenarios(t);
	kb_tree_free(t);
	size_t n = json_array_size(scenarios);
	size_t pick = json_object_get(r->body, "scenario") ? (size_t)json_integer_value(json_object_get(r->body, "scenario"))
							   : (size_t)randombytes_uniform((uint32_t)(n ? n : 1));
	if (pick >= n) {
		json_decref(scenarios);
		return reply_error(r, 400, "invalid", "scenario", "the tree has %zu scenarios", n);
	}
	rc = start(r, db, r->scope.tenant_id, "training", 0, json_array_get(scenarios, pick), NULL, false);
	if (rc == GC_OK)
		json_object_set_new(r->resp, "scenarios", json_integer((json_int_t)n));
	json_decref(scenarios);
	return rc;
}

/* What a scenario trains, for the picker: the outcome it ends on, as
 * {"type", "text"}: a reply's text, an article's title (its id when it is
 * not published), an escalation's reason; null when it names none. nodes:
 * the tree's, as published (checked by kb_tree_parse). */
static json_t *scenario_ends(struct store *db, int64_t tenant, const json_t *nodes, const json_t *scenario)
{
	const char *outcome = json_string_value(json_object_get(scenario, "outcome"));
	size_t i;
	const json_t *node;
	json_array_foreach(nodes, i, node) {
		if (outcome == NULL || strcmp(json_string_value(json_object_get(node, "id")), outcome) != 0)
			continue;
		const char *type = json_string_value(json_object_get(node, "type"));
		const char *text = json_string_value(json_object_get(node, !strcmp(type, "escalate") ? "reason"
									  : !strcmp(type, "article")	? "article"
													: "text"));
		json_t *content = NULL, *ends;
		int64_t item = 0;
		int version = 0;
		if (!strcmp(type, "article") && text && store_kb_published(db, tenant, text, &item, &version, &content) == GC_OK &&
		    json_string_value(json_object_get(content, "title")))
			text = json_string_value(json_object_get(content, "title"));
		ends = text ? json_pack("{s:s,s:s}", "type", type, "text", text) : json_null();
		json_decref(content);
		return ends;
	}
	return json_null();
}

/* GET /api/v1/kb/training/scenarios?tree=ID: the tree's scenarios as the
 * trainee picks one (their number is POST .../training's "scenario"):
 * each its written name, else null, and what it ends on, so that the
 * picker names them by what they train rather than "Scenario 3". */
int run_kb_training_scenarios(struct request *r, struct store *db)
{
	const char *tree = query_get(r, "tree");
	if (tree == NULL || tree[0] == '\0' || strlen(tree) >= sizeof(r->key))
		return reply_error(r, 400, "invalid", "tree", "'tree' is the id of the tree to train on");
	int64_t item;
	int version;
	json_t *content = NULL;
	int rc = store_kb_published(db, r->scope.tenant_id, tree, &item, &version, &content);
	struct kb_tree_errors e;
	struct kb_tree *t = rc == GC_OK ? kb_tree_parse(content, &e) : NULL;
	size_t written = json_array_size(json_object_get(content, "scenarios"));
	if (t == NULL) {
		json_decref(content);
		return rc < 0 && rc != GC_ENOTFOUND ? reply_store_error(r, db, rc, "tree")
						    : reply_error(r, 404, "not_found", "tree", "no published tree '%s'", tree);
	}
	json_t *scenarios = kb_tree_scenarios(t), *out = json_array(), *sc;
	size_t i;
	json_array_foreach(scenarios, i, sc) {
		/* a generated scenario's name is made in English for logs: the page words it */
		const char *name = i < written ? json_string_value(json_object_get(sc, "name")) : NULL;
		json_array_append_new(out, json_pack("{s:I,s:s?,s:o}", "number", (json_int_t)i, "name",
						     name && name[0] ? name : NULL, "ends", scenario_ends(db, r->scope.tenant_id, json_object_get(content, "nodes"), sc)));
	}
	json_decref(scenarios);
	json_decref(content);
	kb_tree_free(t);
	return reply(r, 200, json_pack("{s:s,s:o}", "tree", tree, "scenarios", out));
}

int run_kb_training_progress(struct request *r, struct store *db)
{
	/* trainers see everyone's: supervisors, tenant admins, and the experts who coach agents */
	bool trainer = role_can(r->scope.role, PERM_ROUTING_SUPERVISE) || r->scope.role == ROLE_EXPERT;
	int64_t user = trainer ? 0 : r->scope.user_id;
	json_t *list = NULL;
	int rc = store_kb_training_progress(db, &r->scope, user, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "progress", list));
}

/* --- self-service: public, per tenant, rate-limited --- */

bool public_allowed(struct request *r)
{
	int retry = 0;
	if (ratelimit_public(r->scope.ip, gc_now_ms(), &retry)) {
		struct cluster *cluster = r->worker->server->cluster;
		if (cluster)
			cluster_allowance_counted(cluster, 's', NULL, r->scope.ip);
		return true;
	}
	char value[16];
	snprintf(value, sizeof(value), "%d", retry);
	reply_header(r, "Retry-After", value);
	reply_error(r, 429, "too_many_requests", NULL, "too many requests: try again in %d seconds", retry);
	return false;
}

int run_public_search(struct request *r, struct store *db)
{
	if (!public_allowed(r))
		return GC_EBUSY;
	if (!portal_public(r, db, r->ids[0]))
		return GC_ENOTFOUND;
	return kb_search_answer(r, db, r->ids[0], true);
}

int prepare_public_session(struct request *r, struct store *db)
{
	if (!public_allowed(r) || !portal_public(r, db, r->ids[0]))
		return 1;
	return choose_tree(r, db, r->ids[0]);
}

int run_public_session_start(struct request *r, struct store *db)
{
	unsigned char raw[18];
	char secret[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(secret, sizeof(secret), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return start(r, db, r->ids[0], "public", 0, NULL, secret, true);
}

int prepare_public_step(struct request *r, struct store *db)
{
	return public_allowed(r) && portal_public(r, db, r->ids[0]) ? 0 : 1;
}

int run_public_session_answer(struct request *r, struct store *db)
{
	return step(r, db, r->ids[0], r->ids[1], ANSWER, true);
}

int run_public_session_back(struct request *r, struct store *db)
{
	return step(r, db, r->ids[0], r->ids[1], BACK, true);
}

/* "Did this solve it?" at the end of a diagnosis: the session ends as the
 * staff's /end ends one, and the answer teaches searches the same way
 * (kb_learn for the query, the tree and the outcome's article; the gaps
 * count an unsolved one). A "no" leaves the session to escalate. */
int run_public_session_end(struct request *r, struct store *db)
{
	int64_t tenant = r->ids[0], id = r->ids[1];
	const json_t *solved = json_object_get(r->body, "solved");
	if (!json_is_boolean(solved))
		return reply_error(r, 400, "invalid", "solved", "'solved' is true or false");
	json_t *session = NULL;
	int rc = load(r, db, tenant, id, true, &session);
	if (rc < 0)
		return rc;
	struct walking *w = NULL;
	rc = replay(db, tenant, session, json_object_get(session, "answers"), &w);
	reader_sees(w, r, true);
	if (rc < 0)
		rc = reply_walk_error(r, db, rc, w);
	else if (!kb_walk_done(&w->walk))
		rc = reply_error(r, 409, "conflict", "solved", "the diagnosis has not reached an answer yet");
	int64_t tree = json_integer_value(json_object_get(session, "tree_item_id")), article = 0;
	int article_version = 0;
	if (rc == GC_OK)
		json_decref(outcome_json(w, true, &article, &article_version));
	if (rc == GC_OK)
		rc = store_kb_session_end(db, tenant, id, json_is_true(solved),
					  json_is_true(solved) ? NULL : "the customer says it did not solve it", -1);
	if (rc == GC_ESTATE)
		rc = reply_error(r, 409, "conflict", "session", "the session has ended already");
	const char *query = json_string_value(json_object_get(session, "query"));
	enum kb_lang lang = KB_LANG_FR;
	kb_lang_parse(json_string_value(json_object_get(session, "lang")), &lang);
	if (rc == GC_OK && query) {
		rc = kb_learn(db, tenant, lang, query, tree, json_is_true(solved));
		if (rc == GC_OK && article)
			rc = kb_learn(db, tenant, lang, query, article, json_is_true(solved));
	}
	if (rc == GC_OK)
		rc = store_kb_use(db, tenant, 0, tree, (int)json_integer_value(json_object_get(session, "tree_version")), id);
	if (rc == GC_OK && article)
		rc = store_kb_use(db, tenant, 0, article, article_version, id);
	int64_t now = gc_now_ms();
	if (rc == GC_OK)
		rc = store_report_self_service_add(db, tenant, now, tree, json_is_true(solved));
	if (rc == GC_OK && article)
		rc = store_report_self_service_add(db, tenant, now, article, json_is_true(solved));
	json_t *ended = NULL;
	if (rc == GC_OK)
		rc = store_kb_session_get(db, tenant, id, &ended);
	if (rc == GC_OK)
		rc = reply(r, 200, view(w, ended, true));
	else if (r->status == 0)
		rc = reply_store_error(r, db, rc, NULL);
	json_decref(ended);
	json_decref(session);
	walking_free(w);
	return rc;
}

#define FEEDBACK_MAX_QUERY 1000
#define FEEDBACK_RESULTS 20 /* the results a customer's feedback may be about */

/* Whether a customer's search for query lists the item key (a search: on a
 * worker, whose connection reads what is committed, never on the writer). */
static bool found_by(struct store *db, int64_t tenant, enum kb_lang lang, const char *query, const char *key)
{
	struct kbsvc_query q = {.text = query, .lang = lang, .limit = FEEDBACK_RESULTS, .customer = true};
	json_t *found = NULL, *res;
	size_t i;
	bool listed = false;
	if (kbsvc_search(db, tenant, &q, &found) < 0)
		return false;
	json_array_foreach(json_object_get(found, "results"), i, res)
		listed |= strcmp(json_string_value(json_object_get(res, "id")), key) == 0;
	json_decref(found);
	return listed;
}

/* "Did this solve it?" on an article opened from a search: the customer's
 * words linked to the article, solved or not, as the staff's learning
 * links a resolution's (kb_learn). */
int prepare_public_feedback(struct request *r, struct store *db)
{
	if (prepare_public_step(r, db) != 0)
		return 1;
	const char *query = json_string_value(json_object_get(r->body, "query"));
	const char *key = json_string_value(json_object_get(r->body, "item"));
	int64_t item;
	int version;
	json_t *content = NULL;
	enum kb_lang lang = KB_LANG_FR;
	if (query && key && store_kb_published(db, r->ids[0], key, &item, &version, &content) == GC_OK) {
		kb_lang_parse(json_string_value(json_object_get(content, "lang")), &lang);
		r->stash_rc = found_by(db, r->ids[0], lang, query, key) ? 1 : 0;
	}
	json_decref(content);
	return 0;
}

int run_public_feedback(struct request *r, struct store *db)
{
	int64_t tenant = r->ids[0];
	const char *query = json_string_value(json_object_get(r->body, "query"));
	const char *key = json_string_value(json_object_get(r->body, "item"));
	const json_t *solved = json_object_get(r->body, "solved");
	if (store_tenant_exists(db, tenant) < 0)
		return reply_error(r, 404, "not_found", NULL, "no such help centre");
	if (query == NULL || query[0] == '\0' || strlen(query) > FEEDBACK_MAX_QUERY || !gc_text_is_clean(query, true))
		return reply_error(r, 400, "invalid", "query", "'query' is the words searched, 1 to 1000 bytes");
	if (key == NULL)
		return reply_error(r, 400, "invalid", "item", "'item' is the id of the article opened");
	if (!json_is_boolean(solved))
		return reply_error(r, 400, "invalid", "solved", "'solved' is true or false");
	int64_t item = 0;
	int version = 0;
	json_t *content = NULL;
	int rc = store_kb_published(db, tenant, key, &item, &version, &content);
	if (rc == GC_OK && strcmp(kb_content_kind(content), "article") != 0)
		rc = GC_ENOTFOUND;
	enum kb_lang lang = KB_LANG_FR;
	if (rc == GC_OK)
		kb_lang_parse(json_string_value(json_object_get(content, "lang")), &lang);
	json_decref(content);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", "item", "no published article '%s'", key);
	/* it teaches the agents' searches too: only about an article these words
	 * find, as the customer opened it from their results (anyone may call
	 * this); searched by prepare_public_feedback, on a worker */
	if (rc == GC_OK && r->stash_rc != 1)
		return reply_error(r, 422, "not_found", "item", "'%s' is not among what '%.60s' finds", key, query);
	if (rc == GC_OK)
		rc = kb_learn(db, tenant, lang, query, item, json_is_true(solved));
	if (rc == GC_OK)
		rc = store_kb_use(db, tenant, 0, item, version, 0);
	if (rc == GC_OK)
		rc = store_report_self_service_add(db, tenant, gc_now_ms(), item, json_is_true(solved));
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:b}", "learned", 1));
}

/* What the customer gives when asking for a person: a message, and an
 * address or a number to find them by (the number as ops_phone_key keeps it,
 * in the tenant's country, into phone_key). Answers 400 naming the field. */
static int reach_decode(struct request *r, struct store *db, int64_t tenant, const char **ret_message,
			const char **ret_email, char phone_key[OPS_PHONE_KEY_LEN], const char **ret_phone)
{
	static const char *const names[] = {"message", "email", "phone"};
	static const size_t max[] = {10000, 254, 40};
	const char *v[3];
	for (size_t i = 0; i < 3; i++) {
		const json_t *f = json_object_get(r->body, names[i]);
		v[i] = json_string_value(f);
		if ((f && !json_is_null(f) && !json_is_string(f)) || (v[i] && (strlen(v[i]) > max[i] ||
									      !gc_text_is_clean(v[i], i == 0))))
			return reply_error(r, 400, "invalid", names[i], "'%s' is text of at most %zu bytes", names[i], max[i]);
		if (v[i] && v[i][0] == '\0')
			v[i] = NULL;
	}
	if (v[1] && (strchr(v[1], '@') == NULL || strchr(v[1], ' ')))
		return reply_error(r, 400, "invalid", "email", "'email' is an address, name@domain");
	struct ops_error err = {0};
	int rc = v[2] ? ops_tenant_phone_key(db, tenant, v[2], false, "phone", phone_key, OPS_PHONE_KEY_LEN, &err)
		      : GC_OK;
	if (rc < 0)
		return reply_input_error(r, db, &err);
	*ret_message = v[0];
	*ret_email = v[1];
	*ret_phone = v[2] ? phone_key : NULL;
	return GC_OK;
}

/* The contact self-service creates for a customer who asks for a person:
 * the customer found or created by the address or number given, the
 * customer's message (or the query), in the queue (the tree's escalation
 * node's, else the portal's), and what is already known as a note, so the
 * agent never asks again. */
static int self_service_contact(struct request *r, struct store *db, int64_t tenant, const char *subject,
				const char *message, const char *note_text, int64_t queue, int64_t *ret_contact)
{
	const char *email = NULL, *phone = NULL, *said = NULL;
	char key[OPS_PHONE_KEY_LEN];
	int rc = reach_decode(r, db, tenant, &said, &email, key, &phone);
	if (rc < 0)
		return rc;
	struct store_scope scope = ops_channel_scope(tenant, "self-service");
	snprintf(scope.ip, sizeof(scope.ip), "%s", r->scope.ip);
	json_t *settings = NULL;
	if (queue == 0 && (rc = portal_settings(db, tenant, &settings)) < 0)
		return reply_store_error(r, db, rc, NULL);
	if (queue == 0)
		queue = json_integer_value(json_object_get(settings, "queue_id"));
	json_decref(settings);
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	/* the contact is of its queue's channel (a queue serves one), else from the web */
	struct contact_input in = {.channel = CHANNEL_WEB, .subject = subject, .message = said ? said : message,
				   .queue_id = queue};
	json_t *q = NULL;
	if (queue && store_queue_get(db, &scope, queue, &q) == GC_OK)
		contact_channel_parse(json_string_value(json_object_get(q, "channel")), &in.channel);
	json_decref(q);
	bool created = false;
	if (email || phone)
		rc = ops_customer_find_or_create(&o, &scope, email, phone, &in.customer_id, &created, &err);
	if (rc == GC_OK)
		rc = ops_contact_create(&o, &scope, &in, ret_contact, NULL, &err);
	struct message_input note = {.body = note_text};
	json_t *msg = NULL;
	if (rc == GC_OK)
		rc = ops_message_add(&o, &scope, *ret_contact, &note, true, &msg, &err);
	json_decref(msg);
	return rc < 0 ? reply_ops_error(r, db, &err) : GC_OK;
}

/* The customer asks for a person during or after a diagnosis: a contact is
 * created, carrying the query, the path walked and the answers given. */
int run_public_session_escalate(struct request *r, struct store *db)
{
	int64_t tenant = r->ids[0], id = r->ids[1];
	json_t *session = NULL;
	int rc = load(r, db, tenant, id, true, &session);
	if (rc < 0)
		return rc;
	if (json_integer_value(json_object_get(session, "contact_id"))) {
		json_decref(session);
		return reply_error(r, 409, "conflict", "session", "this diagnosis has been passed to a person already");
	}
	struct walking *w = NULL;
	rc = replay(db, tenant, session, json_object_get(session, "answers"), &w);
	if (rc < 0) {
		json_decref(session);
		rc = reply_walk_error(r, db, rc, w);
		walking_free(w);
		return rc;
	}
	enum sensitivity sees = w->sees;
	w->sees = SENS_BASIC;
	json_t *path = path_json(w, false);
	w->sees = sees;
	const struct note_words *words = note_words(session);
	char *walked = path_text(path, words);
	const char *query = json_string_value(json_object_get(session, "query"));
	char *text = NULL;
	if (walked && asprintf(&text, "%s%s\n%s", words->searched, query ? query : words->opened, walked) < 0)
		text = NULL;
	int64_t queue = 0;
	if (kb_walk_done(&w->walk) &&
	    kb_tree_node_type(kb_walk_tree(&w->walk), kb_walk_node(&w->walk)) == KB_NODE_ESCALATE)
		queue = json_integer_value(json_object_get(kb_tree_node(kb_walk_tree(&w->walk), kb_walk_node(&w->walk)),
							   "queue"));
	char subject[200];
	snprintf(subject, sizeof(subject), "%s%s", words->subject, json_string_value(json_object_get(session, "tree")));
	int64_t contact = 0;
	rc = text ? self_service_contact(r, db, tenant, subject, query ? query : subject, text, queue, &contact)
		  : reply_store_error(r, db, GC_ENOMEM, NULL);
	bool open = strcmp(json_string_value(json_object_get(session, "state")), "open") == 0;
	if (rc == GC_OK && open)
		rc = store_kb_session_end(db, tenant, id, false, "the customer asked for a person", -1);
	if (rc == GC_OK && open) /* the tree did not solve it: the report counts it */
		rc = store_report_self_service_add(db, tenant, gc_now_ms(),
						   json_integer_value(json_object_get(session, "tree_item_id")), false);
	if (rc == GC_OK)
		rc = store_kb_sessions_attach(db, tenant, id, contact);
	free(text);
	free(walked);
	json_decref(path);
	json_decref(session);
	walking_free(w);
	if (rc < 0)
		return r->status ? rc : reply_store_error(r, db, rc, NULL);
	return reply(r, 201, json_pack("{s:I,s:s}", "contact_id", (json_int_t)contact, "message",
				       "an agent will answer you; they see what you already tried"));
}

#define ESCALATE_MAX_SEEN 10

/* The customer asks for a person after a search, with no diagnosis: a
 * contact carrying the query and the articles seen. */
int run_public_escalate(struct request *r, struct store *db)
{
	int64_t tenant = r->ids[0];
	if (store_tenant_exists(db, tenant) < 0)
		return reply_error(r, 404, "not_found", NULL, "no such help centre");
	const json_t *q = json_object_get(r->body, "query"), *seen = json_object_get(r->body, "articles");
	const char *query = json_string_value(q);
	if ((q && !json_is_string(q)) || (query && (strlen(query) > FEEDBACK_MAX_QUERY || !gc_text_is_clean(query, true))))
		return reply_error(r, 400, "invalid", "query", "'query' is the words searched, at most 1000 bytes");
	if (seen && (!json_is_array(seen) || json_array_size(seen) > ESCALATE_MAX_SEEN))
		return reply_error(r, 400, "invalid", "articles", "'articles' lists at most 10 articles' ids");
	if (query && query[0] == '\0')
		query = NULL;
	/* the note in the help centre's language, as its knowledge is searched
	 * (a French help centre's agents read "Self-service. The customer
	 * searched" beside the customer's French words) */
	json_t *settings = NULL;
	int rc = portal_settings(db, tenant, &settings);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	const struct note_words *words = note_words_of(json_string_value(json_object_get(settings, "lang")));
	json_decref(settings);
	size_t len = 0, cap = 512 + (query ? strlen(query) : 0);
	char *text = malloc(cap);
	if (text == NULL)
		return reply_store_error(r, db, GC_ENOMEM, NULL);
	len = (size_t)snprintf(text, cap, "%s%s\n%s", words->searched, query ? query : words->nothing, words->seen);
	size_t i;
	json_t *a;
	json_array_foreach(seen, i, a) {
		const char *key = json_string_value(a);
		int64_t item = 0;
		int version = 0;
		json_t *content = NULL;
		if (key == NULL || strlen(key) > 64) {
			free(text);
			return reply_error(r, 400, "invalid", "articles", "'articles[%zu]' is an article's id", i);
		}
		const char *title = store_kb_published(db, tenant, key, &item, &version, &content) == GC_OK
					    ? json_string_value(json_object_get(content, "title"))
					    : NULL;
		len += (size_t)snprintf(text + len, cap - len, "\n- %.64s%s%.120s", key, title ? ": " : "",
					title ? title : "");
		json_decref(content);
		if (len >= cap)
			len = cap - 1;
	}
	if (json_array_size(seen) == 0 && len < cap)
		len += (size_t)snprintf(text + len, cap - len, "%s", words->none);
	int64_t contact = 0;
	rc = self_service_contact(r, db, tenant, words->search, query ? query : words->asks, text, 0, &contact);
	free(text);
	if (rc < 0)
		return rc;
	return reply(r, 201, json_pack("{s:I,s:s}", "contact_id", (json_int_t)contact, "message",
				       "an agent will answer you; they see what you already tried"));
}

/* A published article as a customer reads it from a search: its title,
 * text and steps, none of the agents' parts (internal notes, canned
 * replies). */
int run_public_article(struct request *r, struct store *db)
{
	if (!public_allowed(r))
		return GC_EBUSY;
	if (!portal_public(r, db, r->ids[0]))
		return GC_ENOTFOUND;
	int64_t item = 0;
	int version = 0;
	json_t *content = NULL;
	int rc = store_kb_published(db, r->ids[0], r->key, &item, &version, &content);
	if (rc == GC_OK && strcmp(kb_content_kind(content), "article") != 0)
		rc = GC_ENOTFOUND;
	if (rc < 0) {
		json_decref(content);
		return rc == GC_ENOTFOUND ? reply_error(r, 404, "not_found", "item", "no published article '%s'", r->key)
					  : reply_store_error(r, db, rc, NULL);
	}
	json_t *out = json_pack("{s:s,s:O,s:O,s:O,s:O,s:i}", "id", r->key, "title", json_object_get(content, "title"),
				"body", json_object_get(content, "body"), "lang", json_object_get(content, "lang"),
				"steps", json_object_get(content, "steps") ? json_object_get(content, "steps") : json_null(),
				"version", version);
	json_decref(content);
	return reply(r, 200, out);
}
