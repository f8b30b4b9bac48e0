/* Diagnosis that listens: whether the customer's words (the query a session
 * started with, and what the agent adds) already answer a tree's question,
 * so the agent does not ask what the customer has just said.
 *
 * The words are analysed as searches analyse them (case, accents, Snowball
 * stems, elisions), so "ma box clignote ROUGE" answers the choice labelled
 * "Rouge". A choice is heard by its label or its "synonyms" (the tree's
 * words), by the tenant's own synonyms of a word heard, or by a word one
 * typing mistake away (five letters or more, the first letter right). A
 * yes/no question is heard when every meaningful word of it was said (verbs
 * such as "work" or "fonctionne" left out): "yes" unless those words were
 * negated ("plus d'internet" answers "Internet fonctionne ?" with no; "the
 * wifi doesn't work" negates the wifi). A number question is heard from a
 * number followed by what the question counts (the word after "combien de"
 * or "how many": "3 fois", "since 2 days"), digits or spelled out; a range
 * ("3 ou 4 fois") is not a number.
 *
 * Conservative by design: a wrong answer filled in is worse than a
 * question asked. Nothing is inferred when two choices are heard, when the
 * same words are said both ways, when two numbers differ, when the question
 * itself is negative, or for a choice such as "Other". Negation: a marker
 * ("pas", "plus", "jamais", "sans", "n'"; "not", "no", "never", "-n't")
 * covers the next three words of its clause, so "pas rouge" and "not red"
 * never give "red". Pure: no I/O. */
#ifndef GUICHET_KB_INFER_H
#define GUICHET_KB_INFER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "guichet/kb_search.h"
#include "guichet/kb_text.h"

#define KB_INFER_MAX_WORDS 512     /* words of the customer's text listened to; more are ignored */

struct kb_inference {
	bool found;
	char answer[256];          /* a choice's value, "yes" or "no", a number */
	char because[256];         /* the customer's words that gave it, as typed ("plus d'internet") */
};

/* Listens to text (len bytes of UTF-8) for the question node (its JSON as
 * in a tree: "type" choice, yesno or number, "text", "choices" with their
 * "label" and "synonyms"). shown: the choices the walk shows (kb_walk_choices),
 * NULL for all of the node's. own: the tenant's synonyms, or NULL. Other
 * node types are never answered. GC_OK with ret->found telling whether the
 * words answer; GC_EINVAL for invalid UTF-8 (ret->found false). */
int kb_infer(struct kb_analyzer *a, const struct kb_synonyms *own, const json_t *node, const json_t *shown,
	     const char *text, size_t len, struct kb_inference *ret);

#endif
