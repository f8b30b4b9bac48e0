/* Text analysis for the knowledge engine: what an agent or a customer
 * types, and what articles and trees say, turned into the same terms.
 *
 * A word is a run of letters and digits (an apostrophe inside an English
 * word stays in it: "don't"; French elisions split: "l'imprimante" gives
 * "l" and "imprimante"). Each word is case-folded and put in Unicode
 * compatibility form (utf8proc), checked against the language's stop words
 * (the Snowball lists), stemmed with the language's Snowball stemmer
 * (libstemmer), and its accents are stripped last, so "téléphone",
 * "Telephones" and "TELEPHONE" give one term, and a query typed without
 * accents finds text written with them. Pure: no I/O. */
#ifndef GUICHET_KB_TEXT_H
#define GUICHET_KB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kb_lang { KB_LANG_FR, KB_LANG_EN, KB_LANG_N };

/* "fr", "en"; GC_EINVAL for another code. */
int kb_lang_parse(const char *code, enum kb_lang *ret);
const char *kb_lang_code(enum kb_lang lang);

#define KB_MAX_WORD 64             /* bytes of a word kept; longer ones are cut */

struct kb_term {
	const char *term;              /* the stem, folded: what indexes and queries match on */
	size_t term_len;
	const char *word;              /* the word folded (case and accents), not stemmed: for typos */
	size_t word_len;
	size_t start, end;             /* the word's bytes in the text given, for highlighting */
	uint32_t position;             /* the word's rank in the text, stop words counted */
	bool stop;                     /* a stop word (term and word are still given) */
};

/* Receives each word in order; a negative return stops the analysis with it. */
typedef int (*kb_term_fn)(const struct kb_term *t, void *arg);

struct kb_analyzer;

/* One per language and thread (the stemmer keeps state, and the analyser
 * remembers the last words it stemmed: about 600 KiB). NULL without memory. */
struct kb_analyzer *kb_analyzer_new(enum kb_lang lang);
void kb_analyzer_free(struct kb_analyzer *a);
enum kb_lang kb_analyzer_lang(const struct kb_analyzer *a);
/* Calls fn for each word of text (len bytes of UTF-8). GC_EINVAL for invalid
 * UTF-8 (nothing called), else GC_OK or fn's negative value. */
int kb_analyze(struct kb_analyzer *a, const char *text, size_t len, kb_term_fn fn, void *arg);
/* Whether word (case-folded, accents kept) is a stop word of lang. */
bool kb_is_stop_word(enum kb_lang lang, const char *word, size_t len);
/* The language of a question typed without saying it: the one whose own
 * stop words ("the", "my"; "le", "mon") it uses more, a letter only French
 * writes ("é", "ç") counting for French; fallback when neither leads. */
enum kb_lang kb_lang_guess(const char *text, size_t len, enum kb_lang fallback);

/* Everyday writing (src/kb/shorthand.c): the words an abbreviation or SMS
 * spelling of lang stands for ("pb": "problème", "mdp": "mot de passe",
 * "u": "you"), "" for a courtesy that says nothing of the need ("stp",
 * "thx"), NULL when word (len bytes, any case) is not one. */
const char *kb_shorthand_words(enum kb_lang lang, const char *word, size_t len);
/* text (len bytes) with each whole word that is a shorthand of lang
 * replaced by its words, into out (size bytes, NUL-terminated), its length
 * in *ret_len; GC_ETOOBIG when out is too small (*ret_len untouched). For
 * queries only: content keeps its words. */
int kb_shorthand_expand(enum kb_lang lang, const char *text, size_t len, char *out, size_t size, size_t *ret_len);

#endif
