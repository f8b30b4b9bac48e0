/* Typing mistakes: the words of a corpus, and those within one edit of a
 * word typed (a letter missing, added, wrong, or swapped with its
 * neighbour: the restricted Damerau-Levenshtein distance 1).
 *
 * Symmetric deletions: every word of at least min_len characters is indexed
 * under itself and each of its one-character deletions; a typed word looks
 * up itself and its own deletions, and each candidate found is checked with
 * the real distance. Words are compared by Unicode characters, not bytes.
 * Pure: no I/O. */
#ifndef GUICHET_KB_TYPO_H
#define GUICHET_KB_TYPO_H

#include <stddef.h>
#include <stdint.h>

struct kb_lexicon;

/* min_len: shorter words are kept but only ever match exactly. */
struct kb_lexicon *kb_lexicon_new(size_t min_len);
void kb_lexicon_free(struct kb_lexicon *l);
/* Adds a word (UTF-8, already folded) once; its id, dense from 0. GC_EINVAL
 * for an empty or invalid word. */
int kb_lexicon_add(struct kb_lexicon *l, const char *word, size_t len, uint32_t *ret_id);
/* The id of word, or GC_ENOTFOUND. */
int kb_lexicon_find(const struct kb_lexicon *l, const char *word, size_t len, uint32_t *ret_id);
const char *kb_lexicon_word(const struct kb_lexicon *l, uint32_t id);
uint32_t kb_lexicon_size(const struct kb_lexicon *l);

/* Calls fn with each word within one edit of word (itself included when it
 * is there), each once, with the distance (0 or 1). Words of the lexicon
 * shorter than min_len are found only exactly. fn returning negative stops
 * with that value. */
typedef int (*kb_near_fn)(uint32_t id, int distance, void *arg);
int kb_lexicon_near(const struct kb_lexicon *l, const char *word, size_t len, kb_near_fn fn, void *arg);

/* The restricted Damerau-Levenshtein distance between two words, capped at
 * max + 1 (so 2 means "more than one" with max 1). */
int kb_edit_distance(const char *a, size_t alen, const char *b, size_t blen, int max);

#endif
