/* Unit tests of typing-mistake matching (src/kb/typo.c): each kind of edit,
 * accents as characters, short words exact only, and a seeded comparison
 * with a brute-force scan of the whole lexicon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/kb_typo.h"

struct found {
	uint32_t ids[64];
	int dist[64];
	int n;
};

static int keep(uint32_t id, int distance, void *arg)
{
	struct found *f = arg;
	if (f->n < 64) {
		f->ids[f->n] = id;
		f->dist[f->n] = distance;
	}
	f->n++;
	return GC_OK;
}

static bool finds(struct kb_lexicon *l, const char *typed, const char *want)
{
	struct found f = {0};
	assert_int_equal(kb_lexicon_near(l, typed, strlen(typed), keep, &f), GC_OK);
	for (int i = 0; i < f.n && i < 64; i++)
		if (strcmp(kb_lexicon_word(l, f.ids[i]), want) == 0)
			return true;
	return false;
}

static void each_kind_of_edit(void **state)
{
	struct kb_lexicon *l = kb_lexicon_new(5);
	const char *words[] = {"imprimante", "facture", "remboursement", "modem", "box", "wifi", "telephone"};
	uint32_t id;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		assert_int_equal(kb_lexicon_add(l, words[i], strlen(words[i]), &id), GC_OK);
	assert_int_equal(kb_lexicon_add(l, "facture", 7, &id), GC_OK); /* once */
	assert_int_equal(id, 1);
	assert_int_equal(kb_lexicon_size(l), 7);
	assert_true(finds(l, "imprimante", "imprimante")); /* itself */
	assert_true(finds(l, "imprimnte", "imprimante"));  /* missing */
	assert_true(finds(l, "imprimantte", "imprimante")); /* added */
	assert_true(finds(l, "imprimente", "imprimante")); /* wrong */
	assert_true(finds(l, "imprimatne", "imprimante")); /* swapped */
	assert_true(finds(l, "moem", "modem"));            /* a five-letter word with a letter missing */
	assert_false(finds(l, "imprmiantte", "imprimante")); /* two edits */
	assert_false(finds(l, "bix", "box"));              /* short words only exactly */
	assert_true(finds(l, "box", "box"));
	assert_false(finds(l, "wifu", "wifi"));
	struct found f = {0};
	assert_int_equal(kb_lexicon_near(l, "facturee", 8, keep, &f), GC_OK);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.dist[0], 1);
	kb_lexicon_free(l);
}

static void characters_not_bytes(void **state)
{
	struct kb_lexicon *l = kb_lexicon_new(5);
	uint32_t id;
	assert_int_equal(kb_lexicon_add(l, "téléphone", strlen("téléphone"), &id), GC_OK);
	assert_true(finds(l, "telléphone", "téléphone") == false); /* é->e and an added l: two edits */
	assert_true(finds(l, "teléphone", "téléphone"));            /* one letter wrong, a two-byte one */
	assert_int_equal(kb_edit_distance("é", strlen("é"), "e", 1, 1), 1);
	assert_int_equal(kb_edit_distance("abcd", 4, "badc", 4, 1), 2);
	assert_int_equal(kb_lexicon_add(l, "\xc3\x28", 2, &id), GC_EINVAL);
	assert_int_equal(kb_lexicon_add(l, "", 0, &id), GC_EINVAL);
	assert_int_equal(kb_lexicon_find(l, "absent", 6, &id), GC_ENOTFOUND);
	kb_lexicon_free(l);
}

/* A brute-force scan finds exactly the same words, over random lexicons and typos. */
static void same_as_a_scan(void **state)
{
	srand(7);
	for (int round = 0; round < 50; round++) {
		struct kb_lexicon *l = kb_lexicon_new(5);
		char words[300][12];
		int n = 0;
		for (int i = 0; i < 300; i++) {
			int len = 2 + rand() % 9;
			for (int k = 0; k < len; k++)
				words[n][k] = (char)('a' + rand() % 4); /* a small alphabet: many near words */
			words[n][len] = '\0';
			uint32_t id;
			assert_int_equal(kb_lexicon_add(l, words[n], (size_t)len, &id), GC_OK);
			n++;
		}
		for (int q = 0; q < 100; q++) {
			char typed[16];
			int len = 1 + rand() % 11;
			for (int k = 0; k < len; k++)
				typed[k] = (char)('a' + rand() % 4);
			typed[len] = '\0';
			struct found f = {0};
			assert_int_equal(kb_lexicon_near(l, typed, (size_t)len, keep, &f), GC_OK);
			int expect = 0;
			for (uint32_t id = 0; id < kb_lexicon_size(l); id++) {
				const char *w = kb_lexicon_word(l, id);
				int d = kb_edit_distance(typed, (size_t)len, w, strlen(w), 1);
				if (d == 0 || (d == 1 && strlen(w) >= 5 && (size_t)len + 1 >= 5)) {
					expect++;
					bool got = false;
					for (int i = 0; i < f.n && i < 64; i++)
						got |= f.ids[i] == id;
					if (!got)
						fprintf(stderr, "round %d: '%s' missed '%s'\n", round, typed, w);
					assert_true(got || f.n >= 64);
				}
			}
			assert_int_equal(f.n, expect);
		}
		kb_lexicon_free(l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_kind_of_edit),
		cmocka_unit_test(characters_not_bytes),
		cmocka_unit_test(same_as_a_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
