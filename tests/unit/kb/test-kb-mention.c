/* kb_mentions (src/kb/mention.c): an incident's keywords in a customer's
 * words, in French and English: every word of the phrase, whatever its
 * case, accents, plural or shorthand, and nothing for a word missing, a
 * phrase of stop words or text that is not UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "guichet/kb_mention.h"

static bool said(enum kb_lang lang, const char *text, const char *phrase)
{
	struct kb_analyzer *a = kb_analyzer_new(lang);
	assert_non_null(a);
	bool yes = kb_mentions(a, text, strlen(text), phrase);
	kb_analyzer_free(a);
	return yes;
}

static void every_word_of_the_phrase_is_needed(void **state)
{
	(void)state;
	assert_true(said(KB_LANG_FR, "Bonjour, plus d'internet à LYON depuis ce matin", "internet lyon"));
	assert_false(said(KB_LANG_FR, "Bonjour, plus d'internet depuis ce matin", "internet lyon"));
	assert_true(said(KB_LANG_EN, "Is there an outage in Lyon? Nothing works", "outage lyon"));
	assert_false(said(KB_LANG_EN, "My bill is wrong", "outage"));
}

static void case_accents_plurals_and_shorthand_fold(void **state)
{
	(void)state;
	assert_true(said(KB_LANG_FR, "les coupures a Lyon continuent", "coupure lyon"));
	assert_true(said(KB_LANG_FR, "encore une COUPURE réseau", "coupures réseau"));
	assert_true(said(KB_LANG_FR, "gros pb de reseau", "problème réseau"));
	assert_true(said(KB_LANG_EN, "the outages again", "outage"));
}

static void nothing_is_mentioned_by_stop_words_or_bad_text(void **state)
{
	(void)state;
	assert_false(said(KB_LANG_FR, "le la les de", "le la"));
	assert_false(said(KB_LANG_EN, "", "outage"));
	assert_false(said(KB_LANG_EN, "out\xff\xfe" "age", "outage"));
	assert_false(kb_mentions(NULL, "outage", 6, "outage"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_word_of_the_phrase_is_needed),
		cmocka_unit_test(case_accents_plurals_and_shorthand_fold),
		cmocka_unit_test(nothing_is_mentioned_by_stop_words_or_bad_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
