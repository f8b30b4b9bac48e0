/* Whether a customer's words mention something: an incident's keywords
 * found in a contact's subject and first message (src/kb/mention.c, pure). */
#ifndef GUICHET_KB_MENTION_H
#define GUICHET_KB_MENTION_H

#include "guichet/kb_text.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether text (len bytes) mentions phrase: every word of phrase that is
 * not a stop word is a word of text, both read by a (case and accents
 * folded, stemmed: "coupure" and "coupures", "Lyon" and "lyon" are one);
 * shorthand in text is read as its words ("pb": "problème"). A phrase of
 * stop words only, or text that is not UTF-8, mentions nothing. */
bool kb_mentions(struct kb_analyzer *a, const char *text, size_t len, const char *phrase);

#endif
