/* The knowledge engine's search index: documents (articles, trees) made of
 * weighted fields of terms, and the best k documents for a query.
 *
 * Scoring is BM25F: a term's frequencies in the fields are weighted (title
 * over body), each normalised by the field's length against its average,
 * then saturated; the sum over the query's terms, each with its own weight
 * (a word typed, a typo's correction, a synonym, a learned link), times the
 * term's inverse document frequency. The top k are found without scoring
 * every match (MaxScore): each term knows the most it can add to a score,
 * and a document that cannot reach the k-th best score so far is skipped,
 * so a query of very common words does not score every document.
 * Pure: terms come from the analyser (guichet/kb_text.h). */
#ifndef GUICHET_KB_INDEX_H
#define GUICHET_KB_INDEX_H

#include <stddef.h>
#include <stdint.h>

enum kb_field { KB_FIELD_TITLE, KB_FIELD_BODY, KB_FIELD_TAGS, KB_FIELDS };

/* A document's terms, field by field (the analyser's stems, stop words left
 * out); the last n_uncounted of a field's n are indexed but left out of its
 * length (a title's function words: they match, they do not dilute). */
struct kb_doc_terms {
	const char *const *terms[KB_FIELDS];
	const size_t *lens[KB_FIELDS];
	size_t n[KB_FIELDS];
	size_t n_uncounted[KB_FIELDS];
};

struct kb_query_term {
	const char *term;
	size_t len;
	double weight;             /* 1 for a word typed; less for a correction or a synonym */
};

struct kb_hit {
	uint32_t doc;
	double score;
};

struct kb_index;

struct kb_index *kb_index_new(void);
void kb_index_free(struct kb_index *ix);
/* Adds a document; ids are dense, from 0, in order. Searches see it after
 * the next kb_index_finish. */
int kb_index_add(struct kb_index *ix, const struct kb_doc_terms *doc, uint32_t *ret_doc);
/* Removes a document from later results (a new version replaces it). */
int kb_index_remove(struct kb_index *ix, uint32_t doc);
/* Computes the statistics searches use (averages, frequencies, bounds). */
int kb_index_finish(struct kb_index *ix);
uint32_t kb_index_size(const struct kb_index *ix);
/* How many documents contain term (0 when none). */
uint32_t kb_index_doc_freq(const struct kb_index *ix, const char *term, size_t len);

/* The best k documents for the query, best first, ties by smaller id; at
 * most k written to hits, their number in *ret_n. Terms absent from the
 * index are ignored; the same term twice adds its weights. */
int kb_index_search(const struct kb_index *ix, const struct kb_query_term *q, size_t n_terms, size_t k,
		    struct kb_hit *hits, size_t *ret_n);
/* The score of one document for the query (0 when it matches nothing or
 * was removed): what kb_index_search gives it. */
double kb_index_score(const struct kb_index *ix, const struct kb_query_term *q, size_t n_terms, uint32_t doc);
/* The same by scoring every matching document (the reference for tests
 * and benchmarks). */
int kb_index_search_exhaustive(const struct kb_index *ix, const struct kb_query_term *q, size_t n_terms,
			       size_t k, struct kb_hit *hits, size_t *ret_n);

#endif
