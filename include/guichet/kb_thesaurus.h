/* Reading a MyThes thesaurus, the format of Debian's mythes-fr and
 * mythes-en-us (the .dat files in /usr/share/mythes), to seed a tenant's thesaurus.
 *
 *   UTF-8                          the encoding (only UTF-8 is accepted)
 *   facture|2                      a word and how many meanings follow
 *   (Nom)|note|addition|compte     a meaning: its part of speech, synonyms
 *   (Nom)|fabrication|façon
 *
 * Annotations such as "city (generic term)" or "cardinal (similar term)"
 * name broader or related words, not synonyms: they are reported apart. Pure
 * (parses a buffer the caller read). */
#ifndef GUICHET_KB_THESAURUS_H
#define GUICHET_KB_THESAURUS_H

#include <stdbool.h>
#include <stddef.h>

/* One (word, synonym) pair; related is true for an annotated one ("generic
 * term", "similar term", ...). A negative return stops the parse with it. */
typedef int (*kb_thesaurus_fn)(const char *word, size_t word_len, const char *synonym, size_t synonym_len,
			       bool related, void *arg);

/* Calls fn for every pair of data, in order. GC_EINVAL with *ret_line (from
 * 1) for a malformed line (no count, a meaning missing, not UTF-8); nothing
 * is promised about the pairs already reported then. */
int kb_thesaurus_parse(const char *data, size_t len, kb_thesaurus_fn fn, void *arg, size_t *ret_line);

#endif
