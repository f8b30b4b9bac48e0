/* Unit tests of diagnostic trees (src/kb/tree.c): validation errors that
 * name the node, walking every question type, answers from the context,
 * conditional choices, sub-trees that return, and training scenarios. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/kb_content.h"
#include "guichet/kb_tree.h"

static struct kb_tree *parse(const char *text, struct kb_tree_errors *e)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	if (j == NULL)
		fail_msg("bad JSON in the test: %s (line %d)", je.text, je.line);
	struct kb_tree *t = kb_tree_parse(j, e);
	json_decref(j);
	return t;
}

static bool has_error(const struct kb_tree_errors *e, const char *node, const char *words)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->e[i].node, node) == 0 && strstr(e->e[i].message, words))
			return true;
	for (size_t i = 0; i < e->n; i++)
		fprintf(stderr, "  error: node '%s' field '%s': %s\n", e->e[i].node, e->e[i].field, e->e[i].message);
	return false;
}

#define HEAD "{\"id\":\"t\",\"title\":\"Printer\",\"lang\":\"en\",\"start\":\"a\",\"nodes\":["

static void validation_names_the_node(void **state)
{
	struct kb_tree_errors e;
	/* a next naming nothing */
	assert_null(parse(HEAD "{\"id\":\"a\",\"type\":\"text\",\"text\":\"?\",\"next\":\"zz\"}]}", &e));
	assert_true(has_error(&e, "a", "names no node"));
	/* an unreachable node */
	assert_null(parse(HEAD "{\"id\":\"a\",\"type\":\"reply\",\"text\":\"hi\"},"
			       "{\"id\":\"lost\",\"type\":\"reply\",\"text\":\"x\"}]}", &e));
	assert_true(has_error(&e, "lost", "no path from the start"));
	/* a cycle without a way out, beside a branch that ends */
	assert_null(parse(HEAD "{\"id\":\"a\",\"type\":\"yesno\",\"text\":\"?\",\"yes\":\"b\",\"no\":\"end\"},"
			       "{\"id\":\"b\",\"type\":\"text\",\"text\":\"?\",\"next\":\"c\"},"
			       "{\"id\":\"c\",\"type\":\"text\",\"text\":\"?\",\"next\":\"b\"},"
			       "{\"id\":\"end\",\"type\":\"reply\",\"text\":\"x\"}]}", &e));
	assert_true(has_error(&e, "b", "cycle"));
	assert_true(has_error(&e, "c", "cycle"));
	assert_false(e.n != 2);
	/* a choice's synonyms are words */
	assert_null(parse(HEAD "{\"id\":\"a\",\"type\":\"choice\",\"text\":\"?\",\"choices\":["
			       "{\"value\":\"x\",\"next\":\"end\",\"synonyms\":[\"ok\",3]}]},"
			       "{\"id\":\"end\",\"type\":\"reply\",\"text\":\"x\"}]}", &e));
	assert_true(has_error(&e, "a", "'synonyms' of choice 1"));
	/* a cycle with a way out is fine */
	struct kb_tree *t = parse(HEAD "{\"id\":\"a\",\"type\":\"yesno\",\"text\":\"again?\",\"yes\":\"a\",\"no\":\"end\"},"
				       "{\"id\":\"end\",\"type\":\"reply\",\"text\":\"x\"}]}", &e);
	assert_non_null(t);
	kb_tree_free(t);
	/* every choice conditional; the last range bounded; an unknown type; twice the same id */
	assert_null(parse(HEAD "{\"id\":\"a\",\"type\":\"choice\",\"text\":\"?\",\"choices\":["
			       "{\"value\":\"x\",\"next\":\"n\",\"when\":{\"customer.plan\":\"pro\"}}]},"
			       "{\"id\":\"n\",\"type\":\"number\",\"text\":\"?\",\"ranges\":[{\"max\":3,\"next\":\"e\"}]},"
			       "{\"id\":\"e\",\"type\":\"article\",\"article\":\"a1\"},"
			       "{\"id\":\"e\",\"type\":\"reply\",\"text\":\"x\"},"
			       "{\"id\":\"w\",\"type\":\"teleport\"}]}", &e));
	assert_true(has_error(&e, "a", "every choice has conditions"));
	assert_true(has_error(&e, "n", "last range"));
	assert_true(has_error(&e, "e", "two nodes"));
	assert_true(has_error(&e, "w", "unknown type"));
	/* the tree's own fields */
	assert_null(parse("{\"id\":\"bad id\",\"title\":\"\",\"lang\":\"en\",\"start\":\"q\",\"nodes\":[]}", &e));
	assert_true(has_error(&e, "", "'id' must be"));
	assert_true(has_error(&e, "", "'title'"));
	assert_true(has_error(&e, "", "'nodes'"));
}

/* The error at node with this code, or NULL. */
static const struct kb_tree_error *coded(const struct kb_tree_errors *e, const char *node, const char *code)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->e[i].node, node) == 0 && strcmp(e->e[i].code, code) == 0)
			return &e->e[i];
	has_error(e, node, "\x01"); /* lists them */
	return NULL;
}

static const char *var_of(const struct kb_tree_error *x, const char *name)
{
	for (size_t i = 0; x && i < x->nvars; i++)
		if (strcmp(x->vars[i].name, name) == 0)
			return x->vars[i].value;
	return NULL;
}

/* Each mistake has a code and names what its message names (a page says it
 * in its own language from them); a name cut by the message's size is cut
 * between characters (the API's JSON takes whole UTF-8 only). */
static void errors_have_codes_and_vars(void **state)
{
	struct kb_tree_errors e;
	assert_null(parse(HEAD "{\"id\":\"a\",\"type\":\"choice\",\"text\":\"?\",\"choices\":["
			       "{\"value\":\"x\",\"next\":\"n\"},{\"value\":\"x\",\"next\":\"zz\"}]},"
			       "{\"id\":\"n\",\"type\":\"number\",\"text\":\"?\",\"ranges\":[{\"min\":5,\"max\":3,\"next\":\"e\"},"
			       "{\"next\":\"e\"}]},"
			       "{\"id\":\"e\",\"type\":\"article\",\"article\":\"not an id\"},"
			       "{\"id\":\"w\",\"type\":\"teleport\"}]}", &e));
	const struct kb_tree_error *x = coded(&e, "a", "no_node");
	assert_non_null(x);
	assert_string_equal(x->field, "next");
	assert_string_equal(var_of(x, "id"), "zz");
	assert_string_equal(var_of(coded(&e, "a", "choice_twice"), "value"), "x");
	assert_string_equal(var_of(coded(&e, "n", "range_order"), "n"), "1");
	assert_string_equal(var_of(coded(&e, "e", "not_id"), "id"), "not an id");
	assert_string_equal(var_of(coded(&e, "w", "type"), "type"), "teleport");
	/* a start naming no node says which */
	assert_null(parse("{\"id\":\"t\",\"title\":\"T\",\"lang\":\"en\",\"start\":\"b\",\"nodes\":["
			  "{\"id\":\"a\",\"type\":\"reply\",\"text\":\"x\"}]}", &e));
	assert_string_equal(var_of(coded(&e, "", "no_node"), "id"), "b");
	/* 62 ASCII bytes then 'é': a var keeps 63 bytes, a message 159 */
	char text[600], id[200];
	snprintf(id, sizeof(id), "%s", "01234567890123456789012345678901234567890123456789012345678901é€é€é€é€é€é€é€é€é€é€é€é€é€é€é€é€é€é€é€é€é€");
	snprintf(text, sizeof(text), HEAD "{\"id\":\"a\",\"type\":\"text\",\"text\":\"?\",\"next\":\"%s\"}]}", id);
	assert_null(parse(text, &e));
	x = coded(&e, "a", "no_node");
	assert_non_null(x);
	assert_string_equal(var_of(x, "id"), "01234567890123456789012345678901234567890123456789012345678901");
	json_t *j = json_string(x->message);
	assert_non_null(j);
	json_decref(j);
	/* an article's own mistakes */
	json_t *canon;
	json_t *a = json_loads("{\"id\":\"r\",\"title\":\"R\",\"body\":\"B\",\"lang\":\"en\","
			       "\"replies\":[{\"name\":\"n\",\"text\":\"t\"},{\"name\":\"m\"}],\"colour\":\"red\"}", 0, NULL);
	assert_false(kb_content_check(a, &e, &canon));
	assert_string_equal(var_of(coded(&e, "", "reply"), "n"), "2");
	assert_string_equal(coded(&e, "", "unknown_field")->field, "colour");
	json_decref(a);
	(void)state;
}

static const char *printer =
	"{\"id\":\"printer\",\"title\":\"Printer offline\",\"lang\":\"en\",\"start\":\"model\",\"nodes\":["
	"{\"id\":\"model\",\"type\":\"choice\",\"text\":\"Which model?\",\"from\":\"customer.product\",\"choices\":["
	"  {\"value\":\"x100\",\"label\":\"X100\",\"next\":\"light\"},"
	"  {\"value\":\"x900\",\"label\":\"X900 Pro\",\"next\":\"net\",\"when\":{\"customer.contract\":[\"pro\",\"business\"]}},"
	"  {\"value\":\"other\",\"label\":\"Another\",\"next\":\"expert\"}]},"
	"{\"id\":\"light\",\"type\":\"yesno\",\"text\":\"Is the light on?\",\"yes\":\"pages\",\"no\":\"cable\"},"
	"{\"id\":\"pages\",\"type\":\"number\",\"text\":\"Pages stuck?\",\"ranges\":[{\"max\":0,\"next\":\"net\"},"
	"  {\"min\":1,\"max\":10,\"next\":\"jam\"},{\"next\":\"expert\"}]},"
	"{\"id\":\"net\",\"type\":\"tree\",\"tree\":\"network\",\"next\":\"describe\"},"
	"{\"id\":\"describe\",\"type\":\"text\",\"text\":\"What does the screen say?\",\"next\":\"expert\"},"
	"{\"id\":\"cable\",\"type\":\"article\",\"article\":\"plug-the-cable\"},"
	"{\"id\":\"jam\",\"type\":\"reply\",\"text\":\"Hello {{customer.first_name}}, open the tray.\"},"
	"{\"id\":\"expert\",\"type\":\"escalate\",\"reason\":\"hardware fault\",\"queue\":2}],"
	"\"scenarios\":[{\"name\":\"Unplugged\",\"customer\":\"my printer is offline\",\"context\":{},"
	"  \"answers\":{\"model\":\"x100\",\"light\":\"no\"},\"outcome\":\"cable\"}]}";

static const char *network =
	"{\"id\":\"network\",\"title\":\"Network check\",\"lang\":\"en\",\"start\":\"wifi\",\"nodes\":["
	"{\"id\":\"wifi\",\"type\":\"yesno\",\"text\":\"Is the wifi on?\",\"yes\":\"back\",\"no\":\"router\"},"
	"{\"id\":\"router\",\"type\":\"article\",\"article\":\"restart-router\"},"
	"{\"id\":\"back\",\"type\":\"return\"}]}";

struct world {
	struct kb_tree *printer, *network;
	const char *product, *contract;
};

static const char *context(const char *key, void *arg)
{
	struct world *w = arg;
	if (strcmp(key, "customer.product") == 0)
		return w->product;
	if (strcmp(key, "customer.contract") == 0)
		return w->contract;
	return NULL;
}

static const struct kb_tree *trees(const char *id, void *arg)
{
	struct world *w = arg;
	return strcmp(id, "network") == 0 ? w->network : NULL;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct kb_tree_errors e;
	w->printer = parse(printer, &e);
	if (w->printer == NULL)
		has_error(&e, "", "");
	w->network = parse(network, &e);
	*state = w;
	return w->printer && w->network ? 0 : -1;
}

static int teardown(void **state)
{
	struct world *w = *state;
	kb_tree_free(w->printer);
	kb_tree_free(w->network);
	free(w);
	return 0;
}

static const char *at(const struct kb_walk *k)
{
	return kb_tree_node_id(kb_walk_tree(k), kb_walk_node(k));
}

static void walks_every_question(void **state)
{
	struct world *w = *state;
	static struct kb_walk k;
	char why[256];
	assert_int_equal(kb_walk_start(&k, w->printer, context, trees, w), GC_OK);
	assert_string_equal(at(&k), "model");
	/* without a pro contract the X900 is not offered */
	json_t *choices = kb_walk_choices(&k);
	assert_int_equal(json_array_size(choices), 2);
	json_decref(choices);
	assert_int_equal(kb_walk_answer(&k, "x900", why, sizeof(why)), GC_EINVAL);
	assert_non_null(strstr(why, "not one of the choices"));
	assert_int_equal(kb_walk_answer(&k, "x100", why, sizeof(why)), GC_OK); /* by value */
	assert_string_equal(at(&k), "light");
	assert_int_equal(kb_walk_answer(&k, "maybe", why, sizeof(why)), GC_EINVAL);
	assert_int_equal(kb_walk_answer(&k, "Oui", why, sizeof(why)), GC_OK);
	assert_string_equal(at(&k), "pages");
	assert_int_equal(kb_walk_answer(&k, "three", why, sizeof(why)), GC_EINVAL);
	assert_int_equal(kb_walk_answer(&k, "4", why, sizeof(why)), GC_OK);
	assert_string_equal(at(&k), "jam");
	assert_true(kb_walk_done(&k));
	assert_int_equal(kb_walk_answer(&k, "yes", why, sizeof(why)), GC_ECONFLICT);
	assert_int_equal(k.n_steps, 3);
	assert_string_equal(k.steps[1].answer, "yes");
	/* 0 pages: into the network sub-tree, which returns to the caller's next */
	assert_int_equal(kb_walk_start(&k, w->printer, context, trees, w), GC_OK);
	assert_int_equal(kb_walk_answer(&k, "X100", why, sizeof(why)), GC_OK); /* by label */
	assert_int_equal(kb_walk_answer(&k, "yes", why, sizeof(why)), GC_OK);
	assert_int_equal(kb_walk_answer(&k, "0", why, sizeof(why)), GC_OK);
	assert_string_equal(at(&k), "wifi");
	assert_ptr_equal(kb_walk_tree(&k), w->network);
	assert_int_equal(kb_walk_answer(&k, "yes", why, sizeof(why)), GC_OK);
	assert_string_equal(at(&k), "describe");
	assert_ptr_equal(kb_walk_tree(&k), w->printer);
	assert_int_equal(kb_walk_answer(&k, "it blinks E42", why, sizeof(why)), GC_OK);
	assert_string_equal(at(&k), "expert");
	assert_true(kb_walk_done(&k));
	assert_true(k.steps[3].automatic); /* the call */
}

static void context_answers_and_conditions(void **state)
{
	struct world *w = *state;
	static struct kb_walk k;
	char why[256];
	/* a pro customer with an X900: the model question answers itself */
	w->product = "X900";
	w->contract = "pro";
	assert_int_equal(kb_walk_start(&k, w->printer, context, trees, w), GC_OK);
	assert_string_equal(at(&k), "wifi");
	assert_true(k.steps[0].automatic);
	assert_string_equal(k.steps[0].answer, "x900");
	assert_int_equal(kb_walk_answer(&k, "no", why, sizeof(why)), GC_OK);
	assert_string_equal(at(&k), "router");
	/* the same product without the contract: the choice is hidden, so it is asked */
	w->contract = "home";
	assert_int_equal(kb_walk_start(&k, w->printer, context, trees, w), GC_OK);
	assert_string_equal(at(&k), "model");
	w->product = w->contract = NULL;
	/* a missing sub-tree is reported */
	struct world none = *w;
	none.network = NULL;
	assert_int_equal(kb_walk_start(&k, w->printer, context, trees, &none), GC_OK);
	assert_int_equal(kb_walk_answer(&k, "x100", why, sizeof(why)), GC_OK);
	assert_int_equal(kb_walk_answer(&k, "yes", why, sizeof(why)), GC_OK);
	assert_int_equal(kb_walk_answer(&k, "0", why, sizeof(why)), GC_ENOTFOUND);
}

static int count_refs(const char *kind, const char *id, const char *node, void *arg)
{
	(*(int *)arg)++;
	return GC_OK;
}

static void scenarios_text_and_refs(void **state)
{
	struct world *w = *state;
	json_t *s = kb_tree_scenarios(w->printer);
	/* the written one (cable), then one per other outcome reachable without conditions: jam, expert */
	assert_int_equal(json_array_size(s), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 0), "name")), "Unplugged");
	const json_t *jam = json_object_get(json_array_get(s, 1), "answers");
	assert_string_equal(json_string_value(json_object_get(jam, "light")), "yes");
	const char *pages = json_string_value(json_object_get(jam, "pages"));
	assert_true(atof(pages) >= 1 && atof(pages) <= 10);
	/* playing a generated scenario reaches its outcome */
	static struct kb_walk k;
	char why[256];
	assert_int_equal(kb_walk_start(&k, w->printer, context, trees, w), GC_OK);
	for (const char *a; (a = kb_scenario_answer(json_array_get(s, 1), &k)) != NULL;)
		assert_int_equal(kb_walk_answer(&k, a, why, sizeof(why)), GC_OK);
	assert_string_equal(at(&k), "jam");
	json_decref(s);
	char *text = kb_tree_text(w->printer);
	assert_non_null(strstr(text, "Is the light on?"));
	assert_non_null(strstr(text, "X900 Pro"));
	free(text);
	int refs = 0;
	assert_int_equal(kb_tree_refs(w->printer, count_refs, &refs), GC_OK);
	assert_int_equal(refs, 2);
	assert_true(kb_tree_returns(w->network));
	assert_false(kb_tree_returns(w->printer));
}

static const char *var(const char *name, void *arg)
{
	return strcmp(name, "customer.first_name") == 0 ? "Léa" : NULL;
}

static void articles_and_replies(void **state)
{
	struct kb_tree_errors e;
	json_t *canon;
	json_t *a = json_loads("{\"id\":\"refund\",\"title\":\"Refund\",\"body\":\"Five days.\",\"lang\":\"en\","
			       "\"tags\":[\"money\"],\"internal\":\"check the ledger\"}", 0, NULL);
	assert_true(kb_content_check(a, &e, &canon));
	assert_string_equal(json_string_value(json_object_get(canon, "kind")), "article");
	assert_string_equal(json_string_value(json_object_get(canon, "type")), "answer");
	json_decref(canon);
	/* a translation names its original by id */
	json_object_set_new(a, "translation_of", json_string("refund-fr"));
	assert_true(kb_content_check(a, &e, &canon));
	json_decref(canon);
	json_object_set_new(a, "translation_of", json_string("not an id"));
	assert_false(kb_content_check(a, &e, &canon));
	assert_int_equal(e.n, 1);
	assert_string_equal(e.e[0].field, "translation_of");
	json_object_del(a, "translation_of");
	/* a procedure needs steps; an unknown language, a field nobody reads */
	json_object_set_new(a, "type", json_string("procedure"));
	json_object_set_new(a, "lang", json_string("de"));
	json_object_set_new(a, "colour", json_string("red"));
	assert_false(kb_content_check(a, &e, &canon));
	assert_null(canon);
	assert_int_equal(e.n, 3);
	json_decref(a);
	json_t *missing;
	char *s = kb_fill("Hello {{ customer.first_name }}, your order {{contact.order}} ships.", var, NULL, &missing);
	assert_string_equal(s, "Hello Léa, your order {{contact.order}} ships.");
	assert_int_equal(json_array_size(missing), 1);
	assert_string_equal(json_string_value(json_array_get(missing, 0)), "contact.order");
	free(s);
	json_decref(missing);
	s = kb_fill("no {{ end", var, NULL, NULL);
	assert_string_equal(s, "no {{ end");
	free(s);
	/* a customer's text: no variable left, no space before the punctuation it leaves */
	s = kb_drop_variables("Bonjour {{customer.first_name}}, la box {{x}} marche. {{y}}");
	assert_string_equal(s, "Bonjour, la box marche.");
	free(s);
	s = kb_drop_variables("{{a}}Merci {{ unclosed");
	assert_string_equal(s, "Merci {{ unclosed");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validation_names_the_node),
		cmocka_unit_test(articles_and_replies),
		cmocka_unit_test(errors_have_codes_and_vars),
		cmocka_unit_test_setup_teardown(walks_every_question, setup, teardown),
		cmocka_unit_test_setup_teardown(context_answers_and_conditions, setup, teardown),
		cmocka_unit_test_setup_teardown(scenarios_text_and_refs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
