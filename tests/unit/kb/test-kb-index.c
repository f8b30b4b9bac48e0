/* Unit tests of the search index (src/kb/index.c): BM25F's field weights
 * and saturation, removed documents, and the MaxScore top k equal to
 * scoring every document, over seeded random corpora and queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/kb_index.h"

/* Adds a document from space-separated words: "title words | body words | tags"; the
 * title's last n_uncounted words are left out of its length. */
static uint32_t add_uncounted(struct kb_index *ix, const char *text, size_t n_uncounted)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s", text);
	const char *terms[KB_FIELDS][256];
	size_t lens[KB_FIELDS][256], n[KB_FIELDS] = {0};
	int f = 0;
	for (char *w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
		if (strcmp(w, "|") == 0) {
			f++;
			continue;
		}
		terms[f][n[f]] = w;
		lens[f][n[f]++] = strlen(w);
	}
	struct kb_doc_terms d = {0};
	for (int i = 0; i < KB_FIELDS; i++) {
		d.terms[i] = terms[i];
		d.lens[i] = lens[i];
		d.n[i] = n[i];
	}
	d.n_uncounted[KB_FIELD_TITLE] = n_uncounted;
	uint32_t id;
	assert_int_equal(kb_index_add(ix, &d, &id), GC_OK);
	return id;
}

static uint32_t add(struct kb_index *ix, const char *text)
{
	return add_uncounted(ix, text, 0);
}

static void fields_and_saturation(void **state)
{
	struct kb_index *ix = kb_index_new();
	uint32_t in_title = add(ix, "refund delay | your bank takes five days |");
	uint32_t in_body = add(ix, "bank transfers | a refund goes back to the card |");
	uint32_t spam = add(ix, "misc | refund card refund bank refund |"); /* three times in a body */
	uint32_t none = add(ix, "router | reboot the router |");
	add(ix, "other | nothing here |");
	assert_int_equal(kb_index_finish(ix), GC_OK);
	struct kb_query_term q[] = {{"refund", 6, 1.0}};
	struct kb_hit hits[10];
	size_t n;
	assert_int_equal(kb_index_search(ix, q, 1, 10, hits, &n), GC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(hits[0].doc, in_title); /* the title weighs more than the body */
	assert_int_equal(hits[2].doc, in_body);
	assert_int_equal(hits[1].doc, spam);
	assert_true(hits[1].score < 2 * hits[2].score); /* three times the word is not three times the score */
	assert_int_equal(kb_index_doc_freq(ix, "refund", 6), 3);
	assert_int_equal(kb_index_doc_freq(ix, "nothing", 7), 1);
	(void)none;
	/* removed documents leave the results; unknown terms are ignored */
	assert_int_equal(kb_index_remove(ix, in_title), GC_OK);
	struct kb_query_term q2[] = {{"refund", 6, 1.0}, {"unknown", 7, 1.0}};
	assert_int_equal(kb_index_search(ix, q2, 2, 10, hits, &n), GC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(kb_index_remove(ix, 99), GC_ENOTFOUND);
	assert_int_equal(kb_index_search(ix, q2, 2, 0, hits, &n), GC_OK);
	assert_int_equal(n, 0);
	kb_index_free(ix);
}

static char words[400][8];

/* A document of Zipf-like words: a few very common. */
/* a title's uncounted terms match, and leave its length, so its other terms' scores, as they were */
static void uncounted_terms(void **state)
{
	(void)state;
	struct kb_index *ix = kb_index_new();
	uint32_t plain = add(ix, "refund delay | five days |");
	uint32_t phrased = add_uncounted(ix, "refund delay ~is ~there ~a | five days |", 3);
	uint32_t longer = add(ix, "refund delay is there a | five days |");
	add(ix, "router | reboot the router |");
	assert_int_equal(kb_index_finish(ix), GC_OK);
	struct kb_query_term q[] = {{"refund", 6, 1.0}}, there[] = {{"~there", 6, 1.0}};
	double s_plain = kb_index_score(ix, q, 1, plain), s_phrased = kb_index_score(ix, q, 1, phrased);
	assert_true(fabs(s_plain - s_phrased) < 1e-9);
	assert_true(kb_index_score(ix, q, 1, longer) < s_plain); /* counted, the same words dilute */
	assert_true(kb_index_score(ix, there, 1, phrased) > 0);
	assert_true(kb_index_score(ix, there, 1, plain) == 0);
	assert_int_equal(kb_index_doc_freq(ix, "~there", 6), 1);
	kb_index_free(ix);
}

static void add_random(struct kb_index *ix)
{
	char text[4096] = "";
	size_t len = 0;
	for (int f = 0; f < KB_FIELDS; f++) {
		int n = f == 1 ? 20 + rand() % 150 : 1 + rand() % 6;
		for (int i = 0; i < n; i++) {
			int r = rand() % 1000;
			int w = r < 500 ? r % 5 : r < 800 ? 5 + r % 45 : 50 + rand() % 350;
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s ", words[w]);
		}
		if (f < KB_FIELDS - 1)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "| ");
	}
	add(ix, text);
}

/* 40 random queries: the top k equals scoring every document. */
static void compare_queries(struct kb_index *ix, int round)
{
	for (int qn = 0; qn < 40; qn++) {
		struct kb_query_term q[8];
		int nq = 1 + rand() % 6;
		for (int i = 0; i < nq; i++) {
			int w = rand() % 3 == 0 ? rand() % 5 : rand() % 400; /* often a very common word */
			q[i] = (struct kb_query_term){words[w], strlen(words[w]), rand() % 2 ? 1.0 : 0.5};
		}
		size_t k = (size_t[]){1, 5, 10, 50}[rand() % 4], n1, n2;
		struct kb_hit fast[50], slow[50];
		assert_int_equal(kb_index_search(ix, q, (size_t)nq, k, fast, &n1), GC_OK);
		assert_int_equal(kb_index_search_exhaustive(ix, q, (size_t)nq, k, slow, &n2), GC_OK);
		assert_int_equal(n1, n2);
		for (size_t i = 0; i < n1; i++) {
			if (fabs(fast[i].score - slow[i].score) > 1e-9 * slow[i].score) {
				fprintf(stderr, "round %d query %d rank %zu: %u %.12f vs %u %.12f\n", round, qn, i,
					fast[i].doc, fast[i].score, slow[i].doc, slow[i].score);
				fail();
			}
			/* the same documents, unless two scores tie to rounding */
			if (fast[i].doc != slow[i].doc) {
				fprintf(stderr, "round %d query %d rank %zu of %zu: %u %.15f vs %u %.15f\n", round, qn, i, n1,
					fast[i].doc, fast[i].score, slow[i].doc, slow[i].score);
				assert_true((i + 1 < n1 && fabs(slow[i].score - slow[i + 1].score) < 1e-9 * slow[i].score) ||
					    (i > 0 && fabs(slow[i].score - slow[i - 1].score) < 1e-9 * slow[i].score) ||
					    i + 1 == n1);
			}
		}
	}
}

/* MaxScore with block maxima (sparse queries) and the one-pass scoring
 * (dense ones) give what scoring every document gives, again after more
 * documents and another finish; searching before that finish stays within
 * bounds (ASan) though its bounds are stale. */
static void top_k_equals_scoring_everything(void **state)
{
	srand(11);
	for (int w = 0; w < 400; w++)
		snprintf(words[w], sizeof(words[w]), "w%d", w);
	for (int round = 0; round < 30; round++) {
		struct kb_index *ix = kb_index_new();
		int docs = 200 + rand() % 800;
		for (int d = 0; d < docs; d++)
			add_random(ix);
		for (int d = 0; d < docs / 20; d++)
			kb_index_remove(ix, (uint32_t)(rand() % docs));
		assert_int_equal(kb_index_finish(ix), GC_OK);
		compare_queries(ix, round);
		for (int d = 0; d < 100; d++)
			add_random(ix);
		struct kb_query_term q[2] = {{words[0], strlen(words[0]), 1}, {words[60], strlen(words[60]), 1}};
		struct kb_hit hits[10];
		size_t n;
		assert_int_equal(kb_index_search(ix, q, 2, 10, hits, &n), GC_OK);
		assert_int_equal(kb_index_search(ix, q + 1, 1, 10, hits, &n), GC_OK);
		assert_int_equal(kb_index_finish(ix), GC_OK);
		compare_queries(ix, round);
		kb_index_free(ix);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_and_saturation),
		cmocka_unit_test(uncounted_terms),
		cmocka_unit_test(top_k_equals_scoring_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
