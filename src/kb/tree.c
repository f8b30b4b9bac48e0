/* Diagnostic trees (guichet/kb_tree.h): parsing, validation, walking,
 * training scenarios. */
#include "guichet/kb_tree.h"
#include "guichet/error.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct choice {
	const char *value, *label;
	int next;
	const json_t *when;
};

struct range {
	double min, max;
	bool has_min, has_max;
	int next;
};

struct node {
	const char *id;
	enum kb_node_type type;
	const json_t *json;
	struct choice *choices;
	size_t n_choices;
	const char *from;
	int yes, no, next;
	struct range *ranges;
	size_t n_ranges;
	const char *target;        /* the tree called, or the article */
};

struct kb_tree {
	json_t *json;
	const char *id, *title, *lang;
	int start;
	struct node *nodes;
	size_t n;
	bool returns;
};

static const char *const type_names[] = {"choice", "yesno", "number", "text", "tree",
					 "article", "reply", "escalate", "return"};

const char *kb_node_type_name(enum kb_node_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

bool kb_node_is_outcome(enum kb_node_type t)
{
	return t >= KB_NODE_ARTICLE;
}

/* Drops a character that snprintf cut in two: the API's JSON takes whole UTF-8 only. */
static void whole_chars(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

struct kb_tree_error *kb_error_add(struct kb_tree_errors *e, const char *node, const char *field, const char *code,
				   const char *fmt, ...)
{
	if (e->n == KB_TREE_MAX_ERRORS)
		return NULL;
	struct kb_tree_error *x = &e->e[e->n++];
	snprintf(x->node, sizeof(x->node), "%s", node ? node : "");
	snprintf(x->field, sizeof(x->field), "%s", field ? field : "");
	snprintf(x->code, sizeof(x->code), "%s", code);
	x->nvars = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
	whole_chars(x->node);
	whole_chars(x->field);
	whole_chars(x->message);
	return x;
}

void kb_error_var(struct kb_tree_error *x, const char *name, const char *value)
{
	if (x == NULL || x->nvars == KB_ERROR_MAX_VARS)
		return;
	snprintf(x->vars[x->nvars].name, sizeof(x->vars[0].name), "%s", name);
	snprintf(x->vars[x->nvars].value, sizeof(x->vars[0].value), "%s", value ? value : "");
	whole_chars(x->vars[x->nvars].value);
	x->nvars++;
}

void kb_error_var_n(struct kb_tree_error *x, const char *name, long long value)
{
	char s[24];
	snprintf(s, sizeof(s), "%lld", value);
	kb_error_var(x, name, s);
}

#define err kb_error_add
#define var kb_error_var
#define var_n kb_error_var_n

/* An id: 1 to 64 letters, digits, '.', '_' or '-'. */
static bool id_ok(const char *s)
{
	size_t n = 0;
	for (; s && s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && !strchr("._-", s[n]))
			return false;
	return n >= 1 && n <= 64;
}

static const char *text_field(const json_t *o, const char *name, bool required, struct kb_tree_errors *e,
			      const char *node)
{
	const json_t *v = json_object_get(o, name);
	if (v == NULL && !required)
		return NULL;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		err(e, node, name, "required", "'%s' must be a non-empty string", name);
		return NULL;
	}
	return json_string_value(v);
}

static int find_node(const struct kb_tree *t, const char *id)
{
	for (size_t i = 0; id && i < t->n; i++)
		if (strcmp(t->nodes[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* A "next"-like field naming a node; -1 (and an error) when it names none. */
static int link_field(const struct kb_tree *t, const json_t *o, const char *name, struct kb_tree_errors *e,
		      const char *node)
{
	const char *id = text_field(o, name, true, e, node);
	if (id == NULL)
		return -1;
	int at = find_node(t, id);
	if (at < 0)
		var(err(e, node, name, "no_node", "'%s' names no node: '%s'", name, id), "id", id);
	return at;
}

static bool when_ok(const json_t *when, struct kb_tree_errors *e, const char *node)
{
	if (!json_is_object(when) || json_object_size(when) == 0) {
		err(e, node, "when", "when_object", "'when' must be an object of conditions");
		return false;
	}
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)when, key, v) {
		bool ok = json_is_string(v) || (json_is_array(v) && json_array_size(v) > 0);
		size_t i;
		const json_t *x;
		json_array_foreach(v, i, x) ok = ok && json_is_string(x);
		if (!ok) {
			var(err(e, node, "when", "when_value", "condition '%s' must be a string or a list of strings", key), "key", key);
			return false;
		}
	}
	return true;
}

static void parse_choices(struct kb_tree *t, struct node *n, struct kb_tree_errors *e)
{
	const json_t *list = json_object_get(n->json, "choices");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		err(e, n->id, "choices", "no_choices", "a choice needs a non-empty list of 'choices'");
		return;
	}
	n->choices = calloc(json_array_size(list), sizeof(*n->choices));
	if (n->choices == NULL) {
		err(e, n->id, "choices", "memory", "out of memory");
		return;
	}
	bool unconditional = false;
	size_t i;
	const json_t *c;
	json_array_foreach(list, i, c) {
		struct choice *ch = &n->choices[n->n_choices++];
		ch->next = -1;
		if (!json_is_object(c)) {
			var_n(err(e, n->id, "choices", "choice_object", "choice %zu must be an object", i + 1), "n", (long long)i + 1);
			continue;
		}
		ch->value = text_field(c, "value", true, e, n->id);
		ch->label = text_field(c, "label", false, e, n->id);
		if (ch->label == NULL)
			ch->label = ch->value;
		ch->next = link_field(t, c, "next", e, n->id);
		const json_t *syn = json_object_get(c, "synonyms");
		bool syn_ok = syn == NULL || json_is_array(syn);
		size_t k;
		const json_t *x;
		json_array_foreach(syn, k, x) syn_ok = syn_ok && json_is_string(x) && json_string_length(x) > 0;
		if (!syn_ok)
			var_n(err(e, n->id, "synonyms", "synonyms", "'synonyms' of choice %zu must be a list of words", i + 1), "n",
			      (long long)i + 1);
		ch->when = json_object_get(c, "when");
		if (ch->when == NULL)
			unconditional = true;
		else if (!when_ok(ch->when, e, n->id))
			ch->when = NULL;
		for (size_t j = 0; ch->value && j + 1 < n->n_choices; j++)
			if (n->choices[j].value && strcmp(n->choices[j].value, ch->value) == 0)
				var(err(e, n->id, "choices", "choice_twice", "two choices have the value '%s'", ch->value), "value",
				    ch->value);
	}
	if (!unconditional)
		err(e, n->id, "choices", "all_conditional",
		    "every choice has conditions: add one without 'when', or a context may leave none");
	n->from = text_field(n->json, "from", false, e, n->id);
}

static bool number_field(const json_t *o, const char *name, double *x, struct kb_tree_errors *e, const char *node)
{
	const json_t *v = json_object_get(o, name);
	if (v == NULL)
		return false;
	if (!json_is_number(v) || !isfinite(json_number_value(v))) {
		err(e, node, name, "number", "'%s' must be a number", name);
		return false;
	}
	*x = json_number_value(v);
	return true;
}

static void parse_ranges(struct kb_tree *t, struct node *n, struct kb_tree_errors *e)
{
	const json_t *list = json_object_get(n->json, "ranges");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		err(e, n->id, "ranges", "no_ranges", "a number question needs a non-empty list of 'ranges'");
		return;
	}
	n->ranges = calloc(json_array_size(list), sizeof(*n->ranges));
	if (n->ranges == NULL)
		return;
	size_t i;
	const json_t *r;
	json_array_foreach(list, i, r) {
		struct range *rg = &n->ranges[n->n_ranges++];
		rg->next = -1;
		if (!json_is_object(r)) {
			var_n(err(e, n->id, "ranges", "range_object", "range %zu must be an object", i + 1), "n", (long long)i + 1);
			continue;
		}
		rg->has_min = number_field(r, "min", &rg->min, e, n->id);
		rg->has_max = number_field(r, "max", &rg->max, e, n->id);
		if (rg->has_min && rg->has_max && rg->min > rg->max)
			var_n(err(e, n->id, "ranges", "range_order", "range %zu: 'min' is above 'max'", i + 1), "n", (long long)i + 1);
		rg->next = link_field(t, r, "next", e, n->id);
	}
	const struct range *last = &n->ranges[n->n_ranges - 1];
	if (last->has_min || last->has_max)
		err(e, n->id, "ranges", "last_range", "the last range must have no bounds, so that every number leads somewhere");
}

static void parse_node(struct kb_tree *t, struct node *n, struct kb_tree_errors *e)
{
	n->yes = n->no = n->next = -1;
	switch (n->type) {
	case KB_NODE_CHOICE:
		text_field(n->json, "text", true, e, n->id);
		parse_choices(t, n, e);
		break;
	case KB_NODE_YESNO:
		text_field(n->json, "text", true, e, n->id);
		n->yes = link_field(t, n->json, "yes", e, n->id);
		n->no = link_field(t, n->json, "no", e, n->id);
		break;
	case KB_NODE_NUMBER:
		text_field(n->json, "text", true, e, n->id);
		parse_ranges(t, n, e);
		break;
	case KB_NODE_TEXT:
		text_field(n->json, "text", true, e, n->id);
		n->next = link_field(t, n->json, "next", e, n->id);
		break;
	case KB_NODE_CALL:
		n->target = text_field(n->json, "tree", true, e, n->id);
		if (n->target && !id_ok(n->target))
			var(err(e, n->id, "tree", "not_id", "'tree' is not an id: '%s'", n->target), "id", n->target);
		if (json_object_get(n->json, "next"))
			n->next = link_field(t, n->json, "next", e, n->id);
		break;
	case KB_NODE_ARTICLE:
		n->target = text_field(n->json, "article", true, e, n->id);
		if (n->target && !id_ok(n->target))
			var(err(e, n->id, "article", "not_id", "'article' is not an id: '%s'", n->target), "id", n->target);
		break;
	case KB_NODE_REPLY:
		text_field(n->json, "text", true, e, n->id);
		break;
	case KB_NODE_ESCALATE: {
		text_field(n->json, "reason", true, e, n->id);
		const json_t *q = json_object_get(n->json, "queue");
		if (q && (!json_is_integer(q) || json_integer_value(q) < 1))
			err(e, n->id, "queue", "queue", "'queue' must be a queue's id");
		break;
	}
	case KB_NODE_RETURN:
		t->returns = true;
		break;
	}
}

/* The nodes a node leads to, in order; their number. */
static size_t successors(const struct node *n, int *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n->n_choices && k < max; i++)
		out[k++] = n->choices[i].next;
	for (size_t i = 0; i < n->n_ranges && k < max; i++)
		out[k++] = n->ranges[i].next;
	if (n->yes >= 0 && k < max)
		out[k++] = n->yes;
	if (n->no >= 0 && k < max)
		out[k++] = n->no;
	if (n->next >= 0 && k < max)
		out[k++] = n->next;
	return k;
}

#define MAX_SUCC 256

/* Every node reached from the start, and every reached node able to end. */
static void check_paths(const struct kb_tree *t, struct kb_tree_errors *e)
{
	char *reached = calloc(t->n, 1), *ends = calloc(t->n, 1);
	int *stack = malloc(t->n * sizeof(int)), succ[MAX_SUCC];
	if (!reached || !ends || !stack)
		goto out;
	size_t top = 0;
	stack[top++] = t->start;
	reached[t->start] = 1;
	while (top) {
		const struct node *n = &t->nodes[stack[--top]];
		size_t k = successors(n, succ, MAX_SUCC);
		for (size_t i = 0; i < k; i++)
			if (succ[i] >= 0 && !reached[succ[i]]) {
				reached[succ[i]] = 1;
				stack[top++] = succ[i];
			}
	}
	for (size_t i = 0; i < t->n; i++)
		ends[i] = kb_node_is_outcome(t->nodes[i].type) ||
			  (t->nodes[i].type == KB_NODE_CALL && t->nodes[i].next < 0);
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < t->n; i++) {
			if (ends[i])
				continue;
			size_t k = successors(&t->nodes[i], succ, MAX_SUCC);
			for (size_t j = 0; j < k && !ends[i]; j++)
				if (succ[j] >= 0 && ends[succ[j]])
					ends[i] = changed = true;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		if (!reached[i])
			err(e, t->nodes[i].id, NULL, "unreached", "no path from the start reaches this node");
		else if (!ends[i])
			err(e, t->nodes[i].id, NULL, "no_end",
			    "no path from this node ends in an outcome (a cycle without a way out)");
	}
out:
	free(reached);
	free(ends);
	free(stack);
}

static void check_scenarios(const struct kb_tree *t, struct kb_tree_errors *e)
{
	const json_t *list = json_object_get(t->json, "scenarios");
	if (list == NULL)
		return;
	if (!json_is_array(list)) {
		err(e, NULL, "scenarios", "scenarios", "'scenarios' must be a list");
		return;
	}
	size_t i;
	const json_t *s;
	json_array_foreach(list, i, s) {
		const json_t *answers = json_object_get(s, "answers"), *ctx = json_object_get(s, "context");
		if (!json_is_object(s) || !json_is_string(json_object_get(s, "name")) || !json_is_object(answers) ||
		    (ctx && !json_is_object(ctx))) {
			var_n(err(e, NULL, "scenarios", "scenario", "scenario %zu needs a 'name' and an 'answers' object", i + 1), "n",
			      (long long)i + 1);
			continue;
		}
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)answers, key, v) {
			if (find_node(t, key) < 0)
				var_n(err(e, key, "scenarios", "scenario_node", "scenario %zu answers a node that does not exist", i + 1),
				      "n", (long long)i + 1);
			else if (!json_is_string(v))
				var_n(err(e, key, "scenarios", "scenario_answer", "scenario %zu: answers are strings", i + 1), "n",
				      (long long)i + 1);
		}
	}
}

struct kb_tree *kb_tree_parse(const json_t *json, struct kb_tree_errors *e)
{
	e->n = 0;
	if (!json_is_object(json)) {
		err(e, NULL, NULL, "object", "a tree is a JSON object");
		return NULL;
	}
	struct kb_tree *t = calloc(1, sizeof(*t));
	if (t == NULL || (t->json = json_deep_copy(json)) == NULL) {
		free(t);
		err(e, NULL, NULL, "memory", "out of memory");
		return NULL;
	}
	t->id = text_field(t->json, "id", true, e, NULL);
	if (t->id && !id_ok(t->id))
		err(e, NULL, "id", "id", "'id' must be 1 to 64 letters, digits, '.', '_' or '-'");
	t->title = text_field(t->json, "title", true, e, NULL);
	t->lang = text_field(t->json, "lang", true, e, NULL);
	const json_t *nodes = json_object_get(t->json, "nodes");
	if (!json_is_array(nodes) || json_array_size(nodes) == 0) {
		err(e, NULL, "nodes", "nodes", "'nodes' must be a non-empty list");
		goto fail;
	}
	if ((t->nodes = calloc(json_array_size(nodes), sizeof(*t->nodes))) == NULL)
		goto fail;
	size_t i;
	const json_t *o;
	json_array_foreach(nodes, i, o) {
		struct node *n = &t->nodes[t->n];
		char where[32];
		snprintf(where, sizeof(where), "#%zu", i + 1);
		const char *id = json_is_object(o) ? text_field(o, "id", true, e, where) : NULL;
		const char *type = id ? text_field(o, "type", true, e, id) : NULL;
		if (!json_is_object(o))
			err(e, where, NULL, "node_object", "a node is an object");
		if (id && !id_ok(id))
			err(e, where, "id", "id", "'id' must be 1 to 64 letters, digits, '.', '_' or '-'");
		if (id && find_node(t, id) >= 0)
			err(e, id, "id", "duplicate", "two nodes have this id");
		if (id == NULL || type == NULL)
			continue;
		int k = 0;
		while (k < (int)(sizeof(type_names) / sizeof(type_names[0])) && strcmp(type, type_names[k]) != 0)
			k++;
		if (k == (int)(sizeof(type_names) / sizeof(type_names[0]))) {
			var(err(e, id, "type", "type",
				"unknown type '%s' (choice, yesno, number, text, tree, article, reply, escalate, return)", type),
			    "type", type);
			continue;
		}
		*n = (struct node){.id = id, .type = (enum kb_node_type)k, .json = o};
		t->n++;
	}
	for (size_t k = 0; k < t->n; k++)
		parse_node(t, &t->nodes[k], e);
	t->start = find_node(t, text_field(t->json, "start", true, e, NULL));
	if (t->start < 0 && json_is_string(json_object_get(t->json, "start")))
		var(err(e, NULL, "start", "no_node", "'start' names no node"), "id",
		    json_string_value(json_object_get(t->json, "start")));
	if (e->n == 0)
		check_paths(t, e);
	if (e->n == 0)
		check_scenarios(t, e);
	if (e->n == 0)
		return t;
fail:
	kb_tree_free(t);
	return NULL;
}

void kb_tree_free(struct kb_tree *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->nodes[i].choices);
		free(t->nodes[i].ranges);
	}
	free(t->nodes);
	json_decref(t->json);
	free(t);
}

const char *kb_tree_id(const struct kb_tree *t) { return t->id; }
const char *kb_tree_title(const struct kb_tree *t) { return t->title; }
const char *kb_tree_lang(const struct kb_tree *t) { return t->lang; }
const json_t *kb_tree_json(const struct kb_tree *t) { return t->json; }
bool kb_tree_returns(const struct kb_tree *t) { return t->returns; }
const json_t *kb_tree_node(const struct kb_tree *t, int node) { return t->nodes[node].json; }
const char *kb_tree_node_id(const struct kb_tree *t, int node) { return t->nodes[node].id; }
enum kb_node_type kb_tree_node_type(const struct kb_tree *t, int node) { return t->nodes[node].type; }

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || *buf == NULL)
		return;
	if (*len + n + 2 > *cap) {
		size_t c = (*cap + n + 2) * 2;
		char *b = realloc(*buf, c);
		if (b == NULL) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	(*buf)[*len + n] = '\n';
	*len += n + 1;
	(*buf)[*len] = '\0';
}

char *kb_tree_text(const struct kb_tree *t)
{
	size_t len = 0, cap = 256;
	char *buf = calloc(cap, 1);
	static const char *const fields[] = {"text", "customer_text", "reason"};
	for (size_t i = 0; i < t->n; i++) {
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			append(&buf, &len, &cap, json_string_value(json_object_get(t->nodes[i].json, fields[f])));
		for (size_t c = 0; c < t->nodes[i].n_choices; c++)
			append(&buf, &len, &cap, t->nodes[i].choices[c].label);
	}
	return buf;
}

int kb_tree_refs(const struct kb_tree *t, kb_ref_fn fn, void *arg)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct node *n = &t->nodes[i];
		int rc = GC_OK;
		if (n->type == KB_NODE_CALL)
			rc = fn("tree", n->target, n->id, arg);
		else if (n->type == KB_NODE_ARTICLE)
			rc = fn("article", n->target, n->id, arg);
		if (rc < 0)
			return rc;
	}
	return GC_OK;
}

/* --- walking --- */

const struct kb_tree *kb_walk_tree(const struct kb_walk *w)
{
	return w->stack[w->depth - 1].tree;
}

int kb_walk_node(const struct kb_walk *w)
{
	return w->stack[w->depth - 1].node;
}

static const struct node *current(const struct kb_walk *w)
{
	return &kb_walk_tree(w)->nodes[kb_walk_node(w)];
}

bool kb_walk_done(const struct kb_walk *w)
{
	const struct node *n = current(w);
	return kb_node_is_outcome(n->type);
}

static const char *walk_value(const struct kb_walk *w, const char *key)
{
	if (strncmp(key, "answer.", 7) == 0) {
		for (size_t i = w->n_steps; i-- > 0;)
			if (strcmp(w->steps[i].tree->nodes[w->steps[i].node].id, key + 7) == 0)
				return w->steps[i].answer;
		return NULL;
	}
	return w->context ? w->context(key, w->arg) : NULL;
}

static bool visible(const struct kb_walk *w, const struct choice *c)
{
	if (c->when == NULL)
		return true;
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)c->when, key, v) {
		const char *have = walk_value(w, key);
		bool ok = false;
		if (have && json_is_string(v))
			ok = strcasecmp(have, json_string_value(v)) == 0;
		size_t i;
		const json_t *x;
		json_array_foreach(v, i, x) ok = ok || (have && strcasecmp(have, json_string_value(x)) == 0);
		if (!ok)
			return false;
	}
	return true;
}

static int record(struct kb_walk *w, const char *answer, bool automatic)
{
	if (w->n_steps == KB_WALK_MAX_STEPS)
		return GC_ECONFLICT;
	struct kb_step *s = &w->steps[w->n_steps++];
	s->tree = kb_walk_tree(w);
	s->node = kb_walk_node(w);
	snprintf(s->answer, sizeof(s->answer), "%s", answer);
	s->automatic = automatic;
	return GC_OK;
}

static void go(struct kb_walk *w, int node)
{
	w->stack[w->depth - 1].node = node;
}

/* Goes through what needs no answer. */
static int advance(struct kb_walk *w)
{
	for (;;) {
		const struct node *n = current(w);
		if (n->type == KB_NODE_CALL) {
			const struct kb_tree *callee = w->trees ? w->trees(n->target, w->arg) : NULL;
			if (callee == NULL)
				return GC_ENOTFOUND;
			if (w->depth == KB_WALK_MAX_DEPTH)
				return GC_ECONFLICT;
			int rc = record(w, "", true);
			if (rc < 0)
				return rc;
			w->stack[w->depth].tree = callee;
			w->stack[w->depth++].node = callee->start;
		} else if (n->type == KB_NODE_RETURN && w->depth > 1) {
			const struct kb_tree *caller = w->stack[w->depth - 2].tree;
			const struct node *call = &caller->nodes[w->stack[w->depth - 2].node];
			if (call->next < 0)
				return GC_OK; /* the caller has nowhere to go: the walk ends at the return */
			w->depth--;
			go(w, call->next);
		} else if (n->type == KB_NODE_CHOICE && n->from) {
			const char *have = walk_value(w, n->from);
			const struct choice *pick = NULL;
			for (size_t i = 0; have && i < n->n_choices && !pick; i++)
				if (visible(w, &n->choices[i]) && strcasecmp(n->choices[i].value, have) == 0)
					pick = &n->choices[i];
			if (pick == NULL)
				return GC_OK;
			int rc = record(w, pick->value, true);
			if (rc < 0)
				return rc;
			go(w, pick->next);
		} else {
			return GC_OK;
		}
	}
}

int kb_walk_start(struct kb_walk *w, const struct kb_tree *t, kb_context_fn context, kb_tree_fn trees, void *arg)
{
	w->context = context;
	w->trees = trees;
	w->arg = arg;
	w->depth = 1;
	w->stack[0].tree = t;
	w->stack[0].node = t->start;
	w->n_steps = 0;
	return advance(w);
}

static bool is_yes(const char *a)
{
	return !strcasecmp(a, "yes") || !strcasecmp(a, "oui") || !strcasecmp(a, "true");
}

static bool is_no(const char *a)
{
	return !strcasecmp(a, "no") || !strcasecmp(a, "non") || !strcasecmp(a, "false");
}

int kb_walk_answer(struct kb_walk *w, const char *answer, char *why, size_t why_size)
{
	const struct node *n = current(w);
	if (kb_node_is_outcome(n->type) || n->type == KB_NODE_CALL) {
		snprintf(why, why_size, "the diagnosis is over: it ended on '%s'", n->id);
		return GC_ECONFLICT;
	}
	if (answer == NULL || answer[0] == '\0' || strlen(answer) >= sizeof(w->steps[0].answer)) {
		snprintf(why, why_size, "an answer is 1 to %zu bytes", sizeof(w->steps[0].answer) - 1);
		return GC_EINVAL;
	}
	int next = -1;
	const char *value = answer;
	switch (n->type) {
	case KB_NODE_CHOICE:
		for (size_t i = 0; i < n->n_choices && next < 0; i++)
			if (visible(w, &n->choices[i]) &&
			    (!strcmp(n->choices[i].value, answer) || !strcasecmp(n->choices[i].label, answer))) {
				next = n->choices[i].next;
				value = n->choices[i].value;
			}
		if (next < 0) {
			snprintf(why, why_size, "'%s' is not one of the choices of '%s'", answer, n->id);
			return GC_EINVAL;
		}
		break;
	case KB_NODE_YESNO:
		if (is_yes(answer) || is_no(answer)) {
			next = is_yes(answer) ? n->yes : n->no;
			value = is_yes(answer) ? "yes" : "no";
		} else {
			snprintf(why, why_size, "'%s' asks yes or no", n->id);
			return GC_EINVAL;
		}
		break;
	case KB_NODE_NUMBER: {
		char *end;
		double x = strtod(answer, &end);
		if (end == answer || *end != '\0' || !isfinite(x)) {
			snprintf(why, why_size, "'%s' asks a number", n->id);
			return GC_EINVAL;
		}
		for (size_t i = 0; i < n->n_ranges && next < 0; i++)
			if ((!n->ranges[i].has_min || x >= n->ranges[i].min) && (!n->ranges[i].has_max || x <= n->ranges[i].max))
				next = n->ranges[i].next;
		break;
	}
	default:
		next = n->next;
		break;
	}
	int rc = record(w, value, false);
	if (rc < 0) {
		snprintf(why, why_size, "the walk is over %d steps", KB_WALK_MAX_STEPS);
		return rc;
	}
	go(w, next);
	rc = advance(w);
	if (rc == GC_ENOTFOUND)
		snprintf(why, why_size, "'%s' calls a tree that is not published", current(w)->id);
	return rc;
}

json_t *kb_walk_choices(const struct kb_walk *w)
{
	const struct node *n = current(w);
	if (n->type == KB_NODE_YESNO)
		return json_pack("[{s:s,s:s},{s:s,s:s}]", "value", "yes", "label", "yes", "value", "no", "label", "no");
	if (n->type != KB_NODE_CHOICE)
		return NULL;
	json_t *out = json_array();
	for (size_t i = 0; out && i < n->n_choices; i++)
		if (visible(w, &n->choices[i]))
			json_array_append_new(out, json_pack("{s:s,s:s}", "value", n->choices[i].value, "label",
							     n->choices[i].label));
	return out;
}

/* --- training --- */

/* A number the ordered ranges send to range r. */
static bool number_for(const struct node *n, size_t r, char *out, size_t size)
{
	const struct range *rg = &n->ranges[r];
	double tries[] = {rg->min, rg->max, rg->min + 1, rg->max - 1, 0, 1, -1, 1e9, -1e9};
	for (size_t k = 0; k < sizeof(tries) / sizeof(tries[0]); k++) {
		if ((k == 0 || k == 2) && !rg->has_min)
			continue;
		if ((k == 1 || k == 3) && !rg->has_max)
			continue;
		double x = tries[k];
		size_t first = 0;
		while (first < n->n_ranges && !((!n->ranges[first].has_min || x >= n->ranges[first].min) &&
						(!n->ranges[first].has_max || x <= n->ranges[first].max)))
			first++;
		if (first == r) {
			snprintf(out, size, "%g", x);
			return true;
		}
	}
	return false;
}

/* The shortest path from the start to outcome, by answers without
 * conditions (calls not entered); NULL when there is none. */
static json_t *path_to(const struct kb_tree *t, int outcome)
{
	int *from = malloc(t->n * sizeof(int)), *queue = malloc(t->n * sizeof(int));
	json_t *answers = NULL;
	if (!from || !queue)
		goto out;
	for (size_t i = 0; i < t->n; i++)
		from[i] = -2;
	size_t head = 0, tail = 0;
	queue[tail++] = t->start;
	from[t->start] = -1;
	while (head < tail && from[outcome] == -2) {
		const struct node *n = &t->nodes[queue[head++]];
		int succ[MAX_SUCC];
		size_t k = n->type == KB_NODE_CALL ? 0 : successors(n, succ, MAX_SUCC);
		for (size_t i = 0; i < k; i++) {
			if (n->type == KB_NODE_CHOICE && n->choices[i].when)
				continue;
			if (succ[i] >= 0 && from[succ[i]] == -2) {
				from[succ[i]] = (int)(n - t->nodes);
				queue[tail++] = succ[i];
			}
		}
	}
	if (from[outcome] == -2)
		goto out;
	answers = json_object();
	for (int at = outcome; from[at] >= 0; at = from[at]) {
		const struct node *n = &t->nodes[from[at]];
		char value[64] = "";
		for (size_t i = 0; i < n->n_choices && !value[0]; i++)
			if (n->choices[i].next == at && !n->choices[i].when)
				snprintf(value, sizeof(value), "%s", n->choices[i].value);
		for (size_t i = 0; i < n->n_ranges && !value[0]; i++)
			if (n->ranges[i].next == at)
				number_for(n, i, value, sizeof(value));
		if (n->type == KB_NODE_YESNO)
			snprintf(value, sizeof(value), "%s", n->yes == at ? "yes" : "no");
		if (n->type == KB_NODE_TEXT)
			snprintf(value, sizeof(value), "%s", "(the customer describes it)");
		json_object_set_new(answers, n->id, json_string(value));
	}
out:
	free(from);
	free(queue);
	return answers;
}

json_t *kb_tree_scenarios(const struct kb_tree *t)
{
	json_t *out = json_array();
	const json_t *written = json_object_get(t->json, "scenarios");
	size_t i;
	const json_t *s;
	json_array_foreach(written, i, s) json_array_append(out, (json_t *)s);
	for (size_t k = 0; k < t->n; k++) {
		const struct node *n = &t->nodes[k];
		if (!kb_node_is_outcome(n->type) || n->type == KB_NODE_RETURN)
			continue;
		bool covered = false;
		json_array_foreach(written, i, s) covered = covered ||
			(json_string_value(json_object_get(s, "outcome")) &&
			 !strcmp(json_string_value(json_object_get(s, "outcome")), n->id));
		json_t *answers = covered ? NULL : path_to(t, (int)k);
		if (answers == NULL)
			continue;
		char name[128];
		snprintf(name, sizeof(name), "%s: ends on %s '%s'", t->title, kb_node_type_name(n->type), n->id);
		json_array_append_new(out, json_pack("{s:s,s:s,s:{},s:o,s:s}", "name", name, "customer", t->title,
						     "context", "answers", answers, "outcome", n->id));
	}
	return out;
}

const char *kb_scenario_answer(const json_t *scenario, const struct kb_walk *w)
{
	const json_t *answers = json_object_get(scenario, "answers");
	return json_string_value(json_object_get(answers, current(w)->id));
}
