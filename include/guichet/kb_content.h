/* Knowledge content: checking an article or a tree before it is stored,
 * and filling canned replies' variables. Pure: no I/O.
 *
 * An article (one JSON object, as imported one per line):
 *   {"id": "refund-delay", "kind": "article", "type": "answer",
 *    "title": "When is my refund paid?", "body": "Five working days ...",
 *    "lang": "en", "tags": ["refund"], "products": ["card"],
 *    "steps": ["Open the app", "..."],            a procedure's steps
 *    "internal": "Check the ledger first",         agents only, never shown to customers
 *    "replies": [{"name": "confirm", "text": "Hello {{customer.first_name}}, ..."}],
 *    "translation_of": "refund-delay-fr"}          the id of the article this one translates
 * translation_of: the original's title is searched with this article, in its
 * language, as its tags are (customers type the original's words: "vpn" in
 * French for "RPV"). type: answer, recommendation or procedure (which needs steps). A tree is
 * described in guichet/kb_tree.h; "kind": "tree" or a "nodes" field says
 * which is which. */
#ifndef GUICHET_KB_CONTENT_H
#define GUICHET_KB_CONTENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "guichet/kb_tree.h"

/* What one article or tree may hold: enough for any real contact center,
 * small enough that indexing and searching it stays fast (issue 12,
 * finding 14: a 40 MB article with a 100 KB title made the next search
 * take 5 s). Sizes of strings are in bytes unless said. */
#define KB_MAX_TITLE_CHARS 300       /* a title, in characters (code points) */
#define KB_MAX_BODY (200 * 1024)      /* an article's body */
#define KB_MAX_INTERNAL (64 * 1024)   /* an article's internal note */
#define KB_MAX_STRING (16 * 1024)     /* any other string (a step, a reply, a node's text) */
#define KB_MAX_LIST 100               /* entries of a list (tags, steps, replies, choices...) */
#define KB_MAX_NODES 500              /* nodes of a tree, fields of an object */
#define KB_MAX_TOTAL (512 * 1024)     /* all the strings of one article or tree together */
#define KB_MAX_DEPTH 10               /* nesting of objects and lists */

/* Checks content's sizes against the limits above before anything else
 * looks at it: GC_OK, or GC_ETOOBIG with the first offending field in
 * errors (the field named, the limit in the message). */
int kb_content_limits(const json_t *content, struct kb_tree_errors *errors);

/* "article" or "tree" for a content object: its "kind", else "tree" when it has "nodes". */
const char *kb_content_kind(const json_t *content);
/* Checks content (either kind), its limits first; errors as for trees
 * (node "" for an article's own fields). Returns true when it is valid; *ret_canonical
 * then holds the stored form (a new reference: the kind set, defaults filled). */
bool kb_content_check(const json_t *content, struct kb_tree_errors *errors, json_t **ret_canonical);
/* The text a search indexes as the body: an article's body and steps, a tree's questions and answers. */
char *kb_content_body(const json_t *canonical);
/* The tags and products as one line of words. */
char *kb_content_tags(const json_t *canonical);

/* text without its {{variables}}, and the space before one that a
 * punctuation mark or the end follows ("Bonjour {{customer.first_name}}, la
 * box" is "Bonjour, la box"): what a customer is shown of a template no
 * contact fills, and what a search indexes (a variable's name is no word of
 * the content). */
char *kb_drop_variables(const char *text);
/* A variable's value ("customer.first_name"), or NULL when unknown. */
typedef const char *(*kb_var_fn)(const char *name, void *arg);
/* text with each {{name}} replaced by its value; an unknown one is left as
 * it is, and named in *ret_missing (a new JSON array) when given. */
char *kb_fill(const char *text, kb_var_fn fn, void *arg, json_t **ret_missing);

#endif
