/* Diagnostic trees: the questions a specialist would ask, in order, and
 * where the answers lead. Parsed and validated from JSON, walked one answer
 * at a time. Pure: no I/O, no clock.
 *
 *   {"id": "printer-offline", "title": "Printer offline", "lang": "en",
 *    "tags": ["printer"], "products": ["X100"], "start": "model",
 *    "nodes": [
 *     {"id": "model", "type": "choice", "text": "Which model?",
 *      "customer_text": "Which model do you have?", "note": "on the label",
 *      "from": "customer.product",            answered from the context when known
 *      "choices": [{"value": "x100", "label": "X100", "next": "light"},
 *                  {"value": "x200", "label": "X200", "next": "light",
 *                   "when": {"customer.contract": ["pro", "business"]}},
 *                  {"value": "other", "label": "Another", "next": "expert",
 *                   "synonyms": ["different", "older"]}]},  words meaning it (kb_infer.h)
 *     {"id": "light", "type": "yesno", "text": "Is the light on?", "yes": "reset", "no": "cable"},
 *     {"id": "pages", "type": "number", "text": "Pages stuck?", "ranges": [{"max": 10, "next": "reset"}, {"next": "expert"}]},
 *     {"id": "error", "type": "text", "text": "What does the screen say?", "next": "expert"},
 *     {"id": "net", "type": "tree", "tree": "network-check", "next": "reset"},
 *     {"id": "reset", "type": "article", "article": "printer-reset"},
 *     {"id": "bye", "type": "reply", "text": "Hello {{customer.first_name}}, ..."},
 *     {"id": "expert", "type": "escalate", "reason": "hardware fault", "queue": 2},
 *     {"id": "done", "type": "return"}],
 *    "scenarios": [{"name": "X100 unplugged", "customer": "my printer is offline",
 *                   "context": {"customer.contract": "home"}, "answers": {"model": "x100", "light": "no"}}]}
 *
 * Questions: choice, yesno, number (ranges tried in order, a missing bound
 * is open), text (any answer). Outcomes: article, reply (a canned reply),
 * escalate (to level 2 with a reason, optionally a queue), return (back to
 * the tree that called this one). A "tree" node calls another tree and
 * goes on at its next when that tree returns. A choice shows only when its
 * conditions hold ("when": every key's value among those listed; keys are
 * the context's, or "answer.NODE" for an earlier answer). */
#ifndef GUICHET_KB_TREE_H
#define GUICHET_KB_TREE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum kb_node_type {
	KB_NODE_CHOICE, KB_NODE_YESNO, KB_NODE_NUMBER, KB_NODE_TEXT, KB_NODE_CALL,
	KB_NODE_ARTICLE, KB_NODE_REPLY, KB_NODE_ESCALATE, KB_NODE_RETURN,
};
const char *kb_node_type_name(enum kb_node_type t);
bool kb_node_is_outcome(enum kb_node_type t);

struct kb_tree;

#define KB_TREE_MAX_ERRORS 16
#define KB_ERROR_MAX_VARS 2
/* A mistake in a tree or an article: where, what (code, stable, for a page
 * to say it in its own language: docs/api.md lists them), and the message
 * in English; vars are what the message names besides the field ("id":
 * the node a link names, "n": the choice's rank...). */
struct kb_tree_error {
	char node[64];         /* the node's id, "" for the tree itself */
	char field[32];
	char code[24];
	char message[160];
	size_t nvars;
	struct {
		char name[8];
		char value[64];
	} vars[KB_ERROR_MAX_VARS];
};
struct kb_tree_errors {
	size_t n;
	struct kb_tree_error e[KB_TREE_MAX_ERRORS];
};
/* Records a mistake (NULL when KB_TREE_MAX_ERRORS are already there), and
 * names one of its vars. */
struct kb_tree_error *kb_error_add(struct kb_tree_errors *e, const char *node, const char *field, const char *code,
				   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void kb_error_var(struct kb_tree_error *x, const char *name, const char *value);
void kb_error_var_n(struct kb_tree_error *x, const char *name, long long value);

/* Parses and validates a tree (json is copied). NULL with errors filled
 * when it is invalid: a field missing or malformed, a "next" naming no
 * node, a node no path reaches, a node from which no path ends (a cycle
 * without a way out, a question without answers), a choice node whose
 * every choice has conditions. */
struct kb_tree *kb_tree_parse(const json_t *json, struct kb_tree_errors *errors);
void kb_tree_free(struct kb_tree *t);
const char *kb_tree_id(const struct kb_tree *t);
const char *kb_tree_title(const struct kb_tree *t);
const char *kb_tree_lang(const struct kb_tree *t);
const json_t *kb_tree_json(const struct kb_tree *t);
/* The words a search knows the tree by: its questions, choices and outcomes' texts. */
char *kb_tree_text(const struct kb_tree *t);
/* Calls fn with each article and tree the tree names (kind "article" or
 * "tree"), and the node naming it. */
typedef int (*kb_ref_fn)(const char *kind, const char *id, const char *node, void *arg);
int kb_tree_refs(const struct kb_tree *t, kb_ref_fn fn, void *arg);
bool kb_tree_returns(const struct kb_tree *t);

/* --- walking --- */

/* A context value (a customer's attribute, a contact's field), or NULL. */
typedef const char *(*kb_context_fn)(const char *key, void *arg);
/* The tree of an id (a call), or NULL when there is none. */
typedef const struct kb_tree *(*kb_tree_fn)(const char *id, void *arg);

#define KB_WALK_MAX_STEPS 256
#define KB_WALK_MAX_DEPTH 8

struct kb_step {
	const struct kb_tree *tree;
	int node;
	char answer[256];          /* the value given ("yes", a choice's value, a number, a text) */
	bool automatic;            /* answered from the context */
};

struct kb_walk {
	kb_context_fn context;
	kb_tree_fn trees;
	void *arg;
	struct { const struct kb_tree *tree; int node; } stack[KB_WALK_MAX_DEPTH];
	int depth;
	struct kb_step steps[KB_WALK_MAX_STEPS];
	size_t n_steps;
};

/* Starts at the tree's start and goes through what needs no answer (calls,
 * choices the context answers). GC_ENOTFOUND when a called tree is missing,
 * GC_ECONFLICT when calls nest deeper than KB_WALK_MAX_DEPTH. */
int kb_walk_start(struct kb_walk *w, const struct kb_tree *t, kb_context_fn context, kb_tree_fn trees, void *arg);
/* The tree and node where the walk stands. */
const struct kb_tree *kb_walk_tree(const struct kb_walk *w);
int kb_walk_node(const struct kb_walk *w);
bool kb_walk_done(const struct kb_walk *w);
/* Answers the current question. GC_EINVAL (message in why) for an answer
 * the question does not take, GC_ECONFLICT when the walk is over. */
int kb_walk_answer(struct kb_walk *w, const char *answer, char *why, size_t why_size);

/* A node's fields for display ("text", "customer_text", "note", ...): the
 * node's JSON object. Its visible choices in the walk's context are given
 * by kb_walk_choices. */
const json_t *kb_tree_node(const struct kb_tree *t, int node);
const char *kb_tree_node_id(const struct kb_tree *t, int node);
enum kb_node_type kb_tree_node_type(const struct kb_tree *t, int node);
/* The choices of the current node shown in this context: a JSON array of
 * {"value","label"} (new reference), or NULL when it is not a choice. */
json_t *kb_walk_choices(const struct kb_walk *w);

/* --- training --- */

/* The tree's scenarios: those written in it, then one generated per
 * outcome the written ones do not reach (the shortest path to it). A new
 * reference: [{"name","customer","context","answers":{node: value}}]. */
json_t *kb_tree_scenarios(const struct kb_tree *t);
/* What a scenario expects at the walk's current question (NULL when it has
 * nothing to say there). */
const char *kb_scenario_answer(const json_t *scenario, const struct kb_walk *w);

#endif
