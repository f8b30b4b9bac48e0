/* Searching one tenant's knowledge in one language: what an agent or a
 * customer types, turned into weighted terms, and the articles and trees
 * that answer it, best first, with why each ranked where it did.
 *
 * A query is planned first (kb_corpus_plan): its everyday writing is
 * rewritten (kb_shorthand_expand: "pb de mdp"), then each word typed gives
 * its stem (weight 1), and in French the stem of its other number when the
 * stemmer splits them ("noyau", "noyaux"; weight 1); a word the corpus does not know gives the stems of the
 * corpus's words one typing mistake away (KB_W_TYPO), or else, in French,
 * an elision typed without its apostrophe ("jaccelere": "accelere", weight
 * 1), or else, glued from words the corpus has ("freebsd"), its longest
 * known head and tail (KB_W_TYPO), or else, a part of longer words the
 * corpus has ("torrents": "bittorrent"), their stems (less); each word gives the
 * stems of its synonyms, from the language's shared thesaurus (KB_W_SEED)
 * and from the tenant's own entries (KB_W_TENANT); each word with learned
 * links gives the title stems of the items its resolutions led to, when
 * they lack the word (associations, up to KB_W_ASSOC by the share of its
 * resolutions and their number). The plan is searched with BM25F
 * (guichet/kb_index.h), then learned links add to the score: resolved
 * sessions link their query's stems to the item that resolved them (more
 * resolutions, more weight; failures take some back; a word whose links
 * spread over many items, less: "tor", "comment"), a word's synonyms bring
 * their own links, at a lower weight, and each item resolutions led to
 * comes a little ahead whatever the words (resolved before: a prior, up to
 * 3 points). The function words
 * typed (stop words: "is there", "y a", "how do i") are searched last, in
 * titles only, at KB_W_FUNCTION_WORD: a title phrases a question as
 * customers do, and when their content words miss ("y a une backdoor dans
 * tor" against "Y a-t-il une porte dérobée dans Tor ?") the phrasing still
 * points at it; one in more than half the titles is not searched. Trees
 * that cover the intent (at least half the best score) come before
 * articles. Pure: no I/O; the corpus is read by any number of threads at
 * once when nobody changes it, each with its own analyser. */
#ifndef GUICHET_KB_SEARCH_H
#define GUICHET_KB_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guichet/kb_text.h"

#define KB_W_TYPO 0.7
#define KB_W_SEED 0.1
#define KB_W_TENANT 0.8
#define KB_W_ASSOC 0.25    /* a stem learned resolutions associate with a word typed, all of them agreeing */
#define KB_W_FUNCTION_WORD 0.1 /* a function word typed ("is there", "y a"), matched in titles only */
#define KB_MAX_FUNCTION_WORDS 16 /* distinct function words of a query searched; more are not */
#define KB_MAX_QUERY 4096  /* bytes of a query's text rewritten for everyday writing; longer ones are not */
#define KB_MAX_PLAN 64     /* terms of a plan; more are dropped */
#define KB_MAX_UNMATCHED 16

/* --- synonyms: a folded word to the stems of its synonyms --- */

struct kb_synonyms;
struct kb_synonyms *kb_synonyms_new(void);
void kb_synonyms_free(struct kb_synonyms *s);
/* Adds "word means phrase" (both as typed: they are analysed with a, in a's
 * language). A word of several terms, or a phrase of stop words only, is
 * skipped (GC_OK). Adding the same pair again changes nothing. */
int kb_synonyms_add(struct kb_synonyms *s, struct kb_analyzer *a, const char *word, size_t word_len,
		    const char *phrase, size_t phrase_len);
/* Removes the pair; GC_ENOTFOUND when it is not there. */
int kb_synonyms_remove(struct kb_synonyms *s, struct kb_analyzer *a, const char *word, size_t word_len,
		       const char *phrase, size_t phrase_len);
/* Whether word (folded, accents stripped, as kb_term's word) has the
 * phrase stems (separated by single spaces) among its synonyms. */
bool kb_synonyms_has(const struct kb_synonyms *s, const char *word, const char *stems);
/* How many (word, phrase) pairs. */
size_t kb_synonyms_count(const struct kb_synonyms *s);
/* Seeds s from a MyThes thesaurus (guichet/kb_thesaurus.h): single-word
 * synonyms only, related words left out. *ret_line names a malformed line. */
int kb_synonyms_seed(struct kb_synonyms *s, struct kb_analyzer *a, const char *data, size_t len, size_t *ret_line);

/* --- the corpus --- */

struct kb_doc_input {
	uint64_t item;             /* the caller's id of the article or tree */
	bool tree;
	const char *title, *body, *tags; /* UTF-8; tags: words with any separators */
	size_t title_len, body_len, tags_len;
	/* The title of the article this one translates (may be NULL): indexed
	 * with the tags, analysed in this item's language, so that a customer
	 * who types the original's words ("vpn", "bridges", "logs" in a French
	 * question whose article says "RPV", "pont", "journaux") finds it. */
	const char *original_title;
	size_t original_title_len;
};

struct kb_corpus;
/* seed: the language's shared thesaurus (may be NULL), not owned, not changed. */
struct kb_corpus *kb_corpus_new(enum kb_lang lang, const struct kb_synonyms *seed);
void kb_corpus_free(struct kb_corpus *c);
enum kb_lang kb_corpus_lang(const struct kb_corpus *c);
/* Adds an item or replaces its text; searches see it after kb_corpus_finish.
 * GC_EINVAL for invalid UTF-8 (nothing changed). */
int kb_corpus_put(struct kb_corpus *c, struct kb_analyzer *a, const struct kb_doc_input *doc);
/* Takes an item out of later results (GC_ENOTFOUND when absent). */
int kb_corpus_drop(struct kb_corpus *c, uint64_t item);
int kb_corpus_finish(struct kb_corpus *c);
bool kb_corpus_has(const struct kb_corpus *c, uint64_t item);
size_t kb_corpus_size(const struct kb_corpus *c);
/* The tenant's own synonyms (owned by the corpus, changed by the caller). */
struct kb_synonyms *kb_corpus_synonyms(struct kb_corpus *c);
/* Adds ok resolutions and failed ones to the link of stem to item (negative
 * values take back); a link with nothing left disappears. */
int kb_corpus_link(struct kb_corpus *c, const char *stem, size_t len, uint64_t item, int32_t ok, int32_t failed);
/* The link's counts (0, 0 when none). */
void kb_corpus_link_get(const struct kb_corpus *c, const char *stem, size_t len, uint64_t item, int32_t *ok,
			int32_t *failed);

/* --- queries --- */

enum kb_via { KB_VIA_WORD, KB_VIA_TYPO, KB_VIA_SYNONYM, KB_VIA_TENANT_SYNONYM, KB_VIA_ASSOCIATION, KB_VIA_PART,
	      KB_VIA_FUNCTION_WORD, KB_VIA_RESOLVED_BEFORE /* explain only: the item's prior, no term */ };
const char *kb_via_name(enum kb_via via);

struct kb_plan_term {
	char term[KB_MAX_WORD * 4];  /* the stem searched */
	size_t len;
	char from[KB_MAX_WORD * 4];  /* the word typed (folded) it comes from */
	enum kb_via via;
	double weight;
};

struct kb_plan {
	struct kb_plan_term t[KB_MAX_PLAN];
	size_t n;
	/* words typed that matched nothing (no word, typo or synonym of the corpus) */
	char unmatched[KB_MAX_UNMATCHED][KB_MAX_WORD * 4];
	size_t n_unmatched;
	size_t n_words;              /* words typed, stop words left out */
};

/* Plans text (UTF-8) in the corpus's language with a (same language).
 * GC_EINVAL for invalid UTF-8. A query of stop words only searches them. */
int kb_corpus_plan(const struct kb_corpus *c, struct kb_analyzer *a, const char *text, size_t len,
		   struct kb_plan *plan);

struct kb_result {
	uint64_t item;
	bool tree;
	double score;                /* text + learned */
	double learned;              /* the part learned links and earlier resolutions gave */
};

/* The best k items for the plan: trees covering the intent first, then by
 * score (ties by smaller item id). At most k in res, their count in *ret_n. */
int kb_corpus_search(const struct kb_corpus *c, const struct kb_plan *plan, size_t k, struct kb_result *res,
		     size_t *ret_n);

/* Why item scored what it did: fn is called for each plan term that matched
 * it (learned false), then for each learned link (learned true, with the
 * counts), then, for an item resolutions led to, once with a term of via
 * KB_VIA_RESOLVED_BEFORE (empty, learned true, its resolutions as ok). */
typedef int (*kb_why_fn)(const struct kb_plan_term *t, bool learned, double score, int32_t ok, int32_t failed,
			 void *arg);
int kb_corpus_explain(const struct kb_corpus *c, const struct kb_plan *plan, uint64_t item, kb_why_fn fn,
		      void *arg);

/* --- snippets --- */

#define KB_MAX_MARKS 32
struct kb_snippet {
	size_t start, end;           /* the passage: bytes of the text */
	size_t n_marks;
	size_t mark[KB_MAX_MARKS][2]; /* words matched, bytes of the text, in order */
};
/* The passage of at most max_words words of text that holds the most
 * distinct planned terms (the start of the text when none matches). */
int kb_snippet(struct kb_analyzer *a, const struct kb_plan *plan, const char *text, size_t len, size_t max_words,
	       struct kb_snippet *out);

#endif
