/* Unit tests of the knowledge engine's text analysis (src/kb/analyze.c):
 * folding, accents, French and English stems, stop words, elisions,
 * positions and offsets, bad UTF-8; everyday writing rewritten
 * (src/kb/shorthand.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/kb_text.h"

struct collected {
	char terms[512], words[512];
	size_t n, starts[32], ends[32];
	uint32_t positions[32];
};

/* Collects "term term ..." (stop words in brackets) and the folded words. */
static int collect(const struct kb_term *t, void *arg)
{
	struct collected *c = arg;
	size_t len = strlen(c->terms), wl = strlen(c->words);
	snprintf(c->terms + len, sizeof(c->terms) - len, "%s%s%.*s%s", len ? " " : "", t->stop ? "[" : "",
		 (int)t->term_len, t->term, t->stop ? "]" : "");
	snprintf(c->words + wl, sizeof(c->words) - wl, "%s%.*s", wl ? " " : "", (int)t->word_len, t->word);
	if (c->n < 32) {
		c->starts[c->n] = t->start;
		c->ends[c->n] = t->end;
		c->positions[c->n] = t->position;
	}
	c->n++;
	return GC_OK;
}

static void analyze(enum kb_lang lang, const char *text, struct collected *c)
{
	memset(c, 0, sizeof(*c));
	struct kb_analyzer *a = kb_analyzer_new(lang);
	assert_non_null(a);
	assert_int_equal(kb_analyze(a, text, strlen(text), collect, c), GC_OK);
	kb_analyzer_free(a);
}

static void accents_and_case_fold_to_one_term(void **state)
{
	struct collected x, y, z;
	analyze(KB_LANG_FR, "Téléphone", &x);
	analyze(KB_LANG_FR, "telephones", &y);
	analyze(KB_LANG_FR, "TÉLÉPHONE", &z);
	assert_string_equal(x.terms, y.terms);
	assert_string_equal(x.terms, z.terms);
	assert_string_equal(x.words, "telephone");
	analyze(KB_LANG_FR, "facturé factures facturation", &x);
	assert_string_equal(x.terms, "factur factur factur");
}

/* keyboards without "œ" and "æ" type their two letters: both spellings are one term */
static void ligatures_are_their_two_letters(void **state)
{
	struct collected x, y;
	analyze(KB_LANG_FR, "nœud Nœuds cœur Œuvre", &x);
	analyze(KB_LANG_FR, "noeud noeuds coeur oeuvre", &y);
	assert_string_equal(x.terms, y.terms);
	assert_string_equal(x.words, "noeud noeuds coeur oeuvre");
	analyze(KB_LANG_EN, "encyclopædia", &x);
	analyze(KB_LANG_EN, "encyclopaedia", &y);
	assert_string_equal(x.terms, y.terms);
	/* a letter sharing the ligature's first byte is left alone */
	analyze(KB_LANG_FR, "śruba", &x);
	assert_string_equal(x.words, "sruba");
}

static void french_stop_words_and_elisions(void **state)
{
	struct collected c;
	analyze(KB_LANG_FR, "L'imprimante ne s’allume plus depuis été", &c);
	/* l' and s' split off; ne and été are stop words */
	assert_string_equal(c.terms, "[l] imprim [ne] [s] allum plus depuis [ete]");
	assert_int_equal(c.n, 8);
	assert_int_equal(c.positions[1], 1);
	/* offsets point into the text as given */
	assert_int_equal(c.starts[1], 2);
	assert_int_equal(c.ends[1], strlen("L'imprimante"));
}

static void english_stems_and_contractions(void **state)
{
	struct collected c;
	analyze(KB_LANG_EN, "The router doesn't connect; connecting failed", &c);
	assert_string_equal(c.terms, "[the] router [doesn't] connect connect fail");
	analyze(KB_LANG_EN, "It’s charging twice", &c);
	assert_string_equal(c.terms, "[it] charg twice"); /* the stemmer drops the possessive */
}

static void digits_symbols_and_other_scripts(void **state)
{
	struct collected c;
	analyze(KB_LANG_EN, "Error E-204 on 4G! ﬁbre ½", &c);
	/* the ligature ﬁ is "fi"; ½ is a number and stays a word */
	assert_string_equal(c.words, "error e 204 on 4g fibre 1⁄2");
	analyze(KB_LANG_FR, "   ", &c);
	assert_int_equal(c.n, 0);
	analyze(KB_LANG_FR, "Ελληνικά и русский", &c);
	assert_int_equal(c.n, 3);
}

static void stop_word_lists_are_searchable(void **state)
{
	static const char *const fr[] = {"a", "au", "celà", "cela", "d", "été", "êtes", "eûmes", "même", "vous",
					 "à", "étées", "étés", "qu"};
	static const char *const en[] = {"a", "can't", "cannot", "he's", "her", "here's", "i've", "if", "its",
					 "yourselves", "won't", "would", "can", "will"};
	for (size_t i = 0; i < sizeof(fr) / sizeof(fr[0]); i++)
		assert_true(kb_is_stop_word(KB_LANG_FR, fr[i], strlen(fr[i])));
	for (size_t i = 0; i < sizeof(en) / sizeof(en[0]); i++)
		assert_true(kb_is_stop_word(KB_LANG_EN, en[i], strlen(en[i])));
	assert_false(kb_is_stop_word(KB_LANG_FR, "facture", 7));
	assert_false(kb_is_stop_word(KB_LANG_EN, "refund", 6));
	assert_false(kb_is_stop_word(KB_LANG_EN, "vous", 4));
}

/* A question's language, when it is not said, from its own words. */
static void languages_are_guessed(void **state)
{
	static const struct {
		const char *text;
		enum kb_lang lang;
	} cases[] = {
		{"restart the router", KB_LANG_EN},
		{"How do I get my money back?", KB_LANG_EN},
		{"ma box clignote rouge, plus d'internet", KB_LANG_FR},
		{"résiliation", KB_LANG_FR},             /* no stop word: its accent tells */
		{"Comment changer mon mot de passe", KB_LANG_FR},
		{"wifi", KB_LANG_EN},                    /* nothing tells: the fallback given */
		{"", KB_LANG_EN},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(kb_lang_guess(cases[i].text, strlen(cases[i].text), KB_LANG_EN), cases[i].lang);
	assert_int_equal(kb_lang_guess("wifi", 4, KB_LANG_FR), KB_LANG_FR);
}

static int stop_early(const struct kb_term *t, void *arg)
{
	return ++*(int *)arg == 2 ? GC_ECONFLICT : GC_OK;
}

static void bad_input_and_early_stop(void **state)
{
	struct kb_analyzer *a = kb_analyzer_new(KB_LANG_FR);
	int calls = 0;
	assert_int_equal(kb_analyze(a, "bon \xc3\x28 mauvais", 13, stop_early, &calls), GC_EINVAL);
	assert_int_equal(calls, 0); /* nothing for an invalid text */
	assert_int_equal(kb_analyze(a, "un deux trois", 13, stop_early, &calls), GC_ECONFLICT);
	assert_int_equal(calls, 2);
	/* a very long word is cut at a character boundary */
	char word[400];
	for (size_t i = 0; i + 2 < sizeof(word); i += 2)
		memcpy(word + i, "\xc3\xa9", 2);
	word[sizeof(word) - 2] = '\0';
	struct collected c = {0};
	assert_int_equal(kb_analyze(a, word, strlen(word), collect, &c), GC_OK);
	assert_int_equal(c.n, 1);
	assert_true(strlen(c.words) <= KB_MAX_WORD);
	kb_analyzer_free(a);
	enum kb_lang lang;
	assert_int_equal(kb_lang_parse("fr", &lang), GC_OK);
	assert_int_equal(lang, KB_LANG_FR);
	assert_int_equal(kb_lang_parse("de", &lang), GC_EINVAL);
	assert_null(kb_analyzer_new((enum kb_lang)7));
}

/* The analyser remembers the words it stemmed: one that analysed thousands
 * of words (slots reused) gives what a new one gives, accents, stop words
 * and offsets included. */
static void everyday_writing_is_rewritten(void **state)
{
	(void)state;
	assert_string_equal(kb_shorthand_words(KB_LANG_FR, "pb", 2), "problème");
	assert_string_equal(kb_shorthand_words(KB_LANG_FR, "MDP", 3), "mot de passe");
	assert_string_equal(kb_shorthand_words(KB_LANG_FR, "stp", 3), "");
	assert_string_equal(kb_shorthand_words(KB_LANG_FR, "pc", 2), "pc ordinateur"); /* kept: content may say PC */
	assert_string_equal(kb_shorthand_words(KB_LANG_EN, "u", 1), "you");
	/* phonetic spellings and spoken words, the table's both ends and middle */
	assert_string_equal(kb_shorthand_words(KB_LANG_FR, "beugue", 6), "bug");
	assert_string_equal(kb_shorthand_words(KB_LANG_FR, "rame", 4), "rame lent"); /* "ça rame": slow */
	assert_string_equal(kb_shorthand_words(KB_LANG_FR, "abo", 3), "abonnement");
	assert_string_equal(kb_shorthand_words(KB_LANG_EN, "laggy", 5), "laggy slow");
	assert_string_equal(kb_shorthand_words(KB_LANG_EN, "wont", 4), "will not");
	assert_string_equal(kb_shorthand_words(KB_LANG_EN, "abt", 3), "about");
	/* each language its own: "pb" means nothing in English, "u" nothing in French */
	assert_null(kb_shorthand_words(KB_LANG_EN, "pb", 2));
	assert_null(kb_shorthand_words(KB_LANG_FR, "u", 1));
	/* ordinary words, longer ones and non-ASCII are not shorthands */
	assert_null(kb_shorthand_words(KB_LANG_FR, "pbx", 3));
	assert_null(kb_shorthand_words(KB_LANG_FR, "imprimante", 10));
	assert_null(kb_shorthand_words(KB_LANG_FR, "é", strlen("é")));
	assert_null(kb_shorthand_words(KB_LANG_FR, "", 0));
	assert_null(kb_shorthand_words(KB_LANG_FR, "averyveryverylongword", 21));

	char out[128];
	size_t len = 0;
	const char *q = "Pb de mdp stp, l'appli plante qd je me co";
	assert_int_equal(kb_shorthand_expand(KB_LANG_FR, q, strlen(q), out, sizeof(out), &len), GC_OK);
	assert_string_equal(out, "problème de mot de passe , l'application plante quand je me co");
	assert_int_equal(len, strlen(out));
	/* a shorthand inside a word, or glued to digits, is left alone */
	q = "pbx mdp2 pb";
	assert_int_equal(kb_shorthand_expand(KB_LANG_FR, q, strlen(q), out, sizeof(out), &len), GC_OK);
	assert_string_equal(out, "pbx mdp2 problème");
	q = "thx, u cant log in";
	assert_int_equal(kb_shorthand_expand(KB_LANG_EN, q, strlen(q), out, sizeof(out), &len), GC_OK);
	assert_string_equal(out, ", you cannot log in");
	/* too small: an error, the length untouched */
	size_t kept = 77;
	q = "mdp";
	assert_int_equal(kb_shorthand_expand(KB_LANG_FR, q, strlen(q), out, 8, &kept), GC_ETOOBIG);
	assert_int_equal(kept, 77);
	/* the rewritten query analyses to the content's terms */
	struct collected c, d;
	analyze(KB_LANG_FR, "problème de mot de passe", &c);
	q = "pb de mdp";
	assert_int_equal(kb_shorthand_expand(KB_LANG_FR, q, strlen(q), out, sizeof(out), &len), GC_OK);
	analyze(KB_LANG_FR, out, &d);
	assert_string_equal(d.terms, c.terms);
	assert_string_equal(d.terms, "problem [de] mot [de] pass");
}

static void remembered_words_give_the_same_terms(void **state)
{
	const char *text = "Le TÉLÉPHONE ne s'allume plus, l'écran reste noir : téléphone éteint, Telephone HS.";
	struct collected fresh, reused = {0};
	analyze(KB_LANG_FR, text, &fresh);
	struct kb_analyzer *a = kb_analyzer_new(KB_LANG_FR);
	char word[32];
	struct collected scratch;
	for (int i = 0; i < 20000; i++) {
		int n = snprintf(word, sizeof(word), "mot%dé %d", i, i);
		memset(&scratch, 0, sizeof(scratch));
		assert_int_equal(kb_analyze(a, word, (size_t)n, collect, &scratch), GC_OK);
		assert_int_equal(kb_analyze(a, text, strlen(text), collect, &reused), GC_OK);
		if (i % 5000 == 0)
			assert_string_equal(reused.terms, fresh.terms);
		memset(&reused, 0, sizeof(reused));
	}
	assert_int_equal(kb_analyze(a, text, strlen(text), collect, &reused), GC_OK);
	assert_string_equal(reused.terms, fresh.terms);
	assert_string_equal(reused.words, fresh.words);
	assert_memory_equal(reused.starts, fresh.starts, sizeof(fresh.starts));
	assert_memory_equal(reused.positions, fresh.positions, sizeof(fresh.positions));
	kb_analyzer_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accents_and_case_fold_to_one_term),
		cmocka_unit_test(ligatures_are_their_two_letters),
		cmocka_unit_test(french_stop_words_and_elisions),
		cmocka_unit_test(english_stems_and_contractions),
		cmocka_unit_test(digits_symbols_and_other_scripts),
		cmocka_unit_test(stop_word_lists_are_searchable),
		cmocka_unit_test(languages_are_guessed),
		cmocka_unit_test(bad_input_and_early_stop),
		cmocka_unit_test(everyday_writing_is_rewritten),
		cmocka_unit_test(remembered_words_give_the_same_terms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
