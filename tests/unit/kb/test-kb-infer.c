/* Unit tests of diagnosis that listens (src/kb/infer.c): choices heard by
 * label, synonyms and typing mistakes, yes/no questions from the words
 * said and negated, numbers with their unit, in French and English; and
 * every case where it must not answer: two choices, negation, a vague
 * choice, differing numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/kb_infer.h"

static struct kb_analyzer *fr, *en;

static int setup(void **state)
{
	(void)state;
	fr = kb_analyzer_new(KB_LANG_FR);
	en = kb_analyzer_new(KB_LANG_EN);
	return fr && en ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	kb_analyzer_free(fr);
	kb_analyzer_free(en);
	return 0;
}

static const char *light_fr = "{\"id\":\"light\",\"type\":\"choice\",\"text\":\"Quelle est la couleur du voyant de la box ?\","
			      "\"choices\":[{\"value\":\"white\",\"label\":\"Blanc\",\"next\":\"a\"},"
			      "{\"value\":\"red\",\"label\":\"Rouge\",\"next\":\"b\"},"
			      "{\"value\":\"off\",\"label\":\"Éteint\",\"next\":\"c\",\"synonyms\":[\"rien\",\"noir\"]},"
			      "{\"value\":\"other\",\"label\":\"Autre couleur\",\"next\":\"c\"}]}";

static const char *light_en = "{\"id\":\"light\",\"type\":\"choice\",\"text\":\"What colour is the router's light?\","
			      "\"choices\":[{\"value\":\"white\",\"label\":\"White\",\"next\":\"a\"},"
			      "{\"value\":\"red\",\"label\":\"Red\",\"next\":\"b\",\"synonyms\":[\"orange\"]},"
			      "{\"value\":\"off\",\"label\":\"Off\",\"next\":\"c\",\"synonyms\":[\"dark\",\"unlit\"]}]}";

/* What text answers to node (NULL when nothing is inferred); because into why. */
static const char *infer(struct kb_analyzer *a, const struct kb_synonyms *own, const char *node_json,
			 const char *text, char *why)
{
	static struct kb_inference got;
	json_error_t je;
	json_t *node = json_loads(node_json, 0, &je);
	if (node == NULL)
		fail_msg("bad JSON in the test: %s", je.text);
	assert_int_equal(kb_infer(a, own, node, NULL, text, strlen(text), &got), GC_OK);
	json_decref(node);
	if (why)
		strcpy(why, got.found ? got.because : "");
	return got.found ? got.answer : NULL;
}

static void colours_in_french(void **state)
{
	(void)state;
	char why[256];
	assert_string_equal(infer(fr, NULL, light_fr, "ma box clignote rouge, plus d'internet", why), "red");
	assert_string_equal(why, "rouge");
	assert_string_equal(infer(fr, NULL, light_fr, "LE VOYANT EST ROUGE", why), "red");
	assert_string_equal(infer(fr, NULL, light_fr, "voyant blanc fixe", why), "white");
	/* accents missing, the label's synonym, a typing mistake */
	assert_string_equal(infer(fr, NULL, light_fr, "la box est eteinte", why), "off");
	assert_string_equal(infer(fr, NULL, light_fr, "le voyant est noir", why), "off");
	assert_string_equal(infer(fr, NULL, light_fr, "voyant rogue depuis ce matin", why), "red");
	assert_string_equal(why, "rogue");
	assert_null(infer(fr, NULL, light_fr, "le voyant bouge", why)); /* another word, not a typing mistake */
	/* nothing said about the colour */
	assert_null(infer(fr, NULL, light_fr, "plus d'internet depuis ce matin", why));
}

static void colours_in_english(void **state)
{
	(void)state;
	char why[256];
	assert_string_equal(infer(en, NULL, light_en, "my router is blinking RED and no internet", why), "red");
	assert_string_equal(why, "RED");
	assert_string_equal(infer(en, NULL, light_en, "the light went orange", why), "red");
	assert_string_equal(infer(en, NULL, light_en, "the light is white", why), "white");
	assert_string_equal(infer(en, NULL, light_en, "the box is completely dark", why), "off");
	/* "off" is a stop word: too common to be heard ("log off", "off and on") */
	assert_null(infer(en, NULL, light_en, "I switched it off", why));
}

static void negation_never_gives_the_choice(void **state)
{
	(void)state;
	assert_null(infer(fr, NULL, light_fr, "le voyant n'est pas rouge", NULL));
	assert_null(infer(fr, NULL, light_fr, "pas rouge", NULL));
	assert_null(infer(en, NULL, light_en, "the light is not red", NULL));
	assert_null(infer(en, NULL, light_en, "it isn't red", NULL));
	/* said both ways: ask */
	assert_null(infer(fr, NULL, light_fr, "rouge, enfin non pas rouge", NULL));
	/* negated one, said the other: the other */
	assert_string_equal(infer(fr, NULL, light_fr, "pas blanc, rouge", NULL), "red");
	assert_string_equal(infer(en, NULL, light_en, "not white but red", NULL), "red");
}

static void ambiguity_asks(void **state)
{
	(void)state;
	assert_null(infer(fr, NULL, light_fr, "il passe du blanc au rouge", NULL));
	assert_null(infer(en, NULL, light_en, "it flashes white then red", NULL));
	/* a vague choice is never heard: "autre" is in many sentences */
	assert_null(infer(fr, NULL, light_fr, "une autre couleur peut-être", NULL));
}

static void tenant_synonyms_are_heard(void **state)
{
	(void)state;
	struct kb_synonyms *own = kb_synonyms_new();
	assert_int_equal(kb_synonyms_add(own, fr, "écarlate", strlen("écarlate"), "rouge", 5), GC_OK);
	char why[256];
	assert_string_equal(infer(fr, own, light_fr, "le voyant est ecarlate", why), "red");
	assert_string_equal(why, "ecarlate");
	assert_null(infer(fr, NULL, light_fr, "le voyant est ecarlate", why));
	kb_synonyms_free(own);
}

static const char *internet_fr = "{\"id\":\"net\",\"type\":\"yesno\",\"text\":\"Internet fonctionne ?\",\"yes\":\"a\",\"no\":\"b\"}";
static const char *devices_fr = "{\"id\":\"dev\",\"type\":\"yesno\",\"text\":\"Les autres appareils ont-ils internet ?\","
				"\"yes\":\"a\",\"no\":\"b\"}";
static const char *hour_fr = "{\"id\":\"outage\",\"type\":\"yesno\",\"text\":\"Le voyant est-il rouge depuis plus d'une heure ?\","
			     "\"yes\":\"a\",\"no\":\"b\"}";
static const char *wifi_en = "{\"id\":\"wifi\",\"type\":\"yesno\",\"text\":\"Does the wifi work?\",\"yes\":\"a\",\"no\":\"b\"}";

static void yes_and_no(void **state)
{
	(void)state;
	char why[256];
	assert_string_equal(infer(fr, NULL, internet_fr, "ma box clignote rouge, plus d'internet", why), "no");
	assert_string_equal(why, "plus d'internet");
	assert_string_equal(infer(fr, NULL, internet_fr, "j'ai pas internet", why), "no");
	assert_string_equal(infer(fr, NULL, internet_fr, "internet ok mais la télé non", why), "yes");
	assert_string_equal(infer(en, NULL, wifi_en, "the wifi doesn't work since yesterday", why), "no");
	assert_string_equal(why, "wifi doesn't work");
	assert_string_equal(infer(fr, NULL, internet_fr, "le voyant est rouge et internet ne marche plus", why), "no");
	assert_string_equal(why, "internet ne marche");
}

static void yes_and_no_conservative(void **state)
{
	(void)state;
	/* the other devices were not mentioned */
	assert_null(infer(fr, NULL, devices_fr, "ma box clignote rouge, plus d'internet", NULL));
	assert_string_equal(infer(fr, NULL, devices_fr, "les autres appareils n'ont plus internet", NULL), "no");
	/* "plus d'une heure" compares, and the hour was not said */
	assert_null(infer(fr, NULL, hour_fr, "ma box clignote rouge", NULL));
	/* said both ways */
	assert_null(infer(fr, NULL, internet_fr, "internet marche, enfin pas internet", NULL));
	/* a question that is negative itself is not listened for */
	assert_null(infer(fr, NULL, "{\"type\":\"yesno\",\"text\":\"Internet ne fonctionne pas ?\"}", "plus d'internet",
			  NULL));
	assert_null(infer(en, NULL, wifi_en, "my phone is slow", NULL));
}

/* How customers say that something is broken: the verb before its "pas"
 * (spoken French drops the "ne"), and words that mean broken ("HS", "en
 * panne", "coupé", "down"). Each once answered the opposite: "yes, it works". */
static void broken_is_a_no(void **state)
{
	(void)state;
	static const char *wifi_fr = "{\"id\":\"wifi\",\"type\":\"yesno\",\"text\":\"Le wifi fonctionne-t-il ?\"}";
	static const char *const said_fr[] = {"wifi HS", "wifi en panne", "le wifi est coupé", "wifi marche pas",
					      "le wifi fonctionne pas", "le wifi plante", "pb wifi", "problème de wifi",
					      "wifi fonctionne plus"};
	for (size_t i = 0; i < sizeof(said_fr) / sizeof(said_fr[0]); i++) {
		const char *got = infer(fr, NULL, wifi_fr, said_fr[i], NULL);
		if (got == NULL || strcmp(got, "no") != 0)
			fail_msg("'%s' answered %s", said_fr[i], got ? got : "nothing");
	}
	assert_string_equal(infer(fr, NULL, devices_fr, "voyant blanc, internet coupé sur les autres appareils aussi", NULL),
			    "no");
	static const char *devices_en = "{\"id\":\"dev\",\"type\":\"yesno\",\"text\":\"Do your other devices have internet?\"}";
	assert_string_equal(infer(en, NULL, devices_en, "internet broken on other devices", NULL), "no");
	assert_string_equal(infer(en, NULL, devices_en, "other devices internet down", NULL), "no");
	assert_string_equal(infer(en, NULL, wifi_en, "wifi is down", NULL), "no");
	/* a breakdown named before other words is not about them; "pas mal" is rather well */
	static const char *light_white_fr = "{\"id\":\"w\",\"type\":\"yesno\",\"text\":\"Le voyant est-il blanc ?\"}";
	assert_string_equal(infer(fr, NULL, light_white_fr, "j'ai un problème le voyant est blanc", NULL), "yes");
	assert_string_equal(infer(fr, NULL, wifi_fr, "le wifi marche pas mal", NULL), "yes");
	/* and what says it works still does */
	assert_string_equal(infer(fr, NULL, wifi_fr, "pas de problème avec le wifi", NULL), "yes");
	assert_string_equal(infer(fr, NULL, wifi_fr, "le wifi marche", NULL), "yes");
	/* a question that names the breakdown itself is not listened for */
	assert_null(infer(fr, NULL, "{\"type\":\"yesno\",\"text\":\"La box est-elle en panne ?\"}", "box en panne", NULL));
}

static const char *times_fr = "{\"id\":\"n\",\"type\":\"number\",\"text\":\"Combien de fois la box a-t-elle redémarré ?\","
			      "\"ranges\":[{\"max\":2,\"next\":\"a\"},{\"next\":\"b\"}]}";
static const char *days_en = "{\"id\":\"d\",\"type\":\"number\",\"text\":\"For how many days has it been down?\","
			     "\"ranges\":[{\"max\":2,\"next\":\"a\"},{\"next\":\"b\"}]}";

static void numbers(void **state)
{
	(void)state;
	char why[256];
	assert_string_equal(infer(fr, NULL, times_fr, "elle a redémarré 3 fois cette nuit", why), "3");
	assert_string_equal(why, "3 fois");
	assert_string_equal(infer(fr, NULL, times_fr, "deux fois déjà", why), "2");
	assert_string_equal(infer(en, NULL, days_en, "no internet since 2 days", why), "2");
	assert_string_equal(why, "2 days");
	assert_string_equal(infer(en, NULL, days_en, "down for three days now", why), "3");
	/* a number without the question's word, two numbers that differ, a negated one */
	assert_null(infer(fr, NULL, times_fr, "j'ai 2 box", NULL));
	assert_null(infer(en, NULL, days_en, "2 days, no, 3 days", NULL));
	assert_null(infer(fr, NULL, times_fr, "pas 3 fois", NULL));
	/* a range is not a number */
	assert_null(infer(fr, NULL, times_fr, "redémarré 3 ou 4 fois", NULL));
	assert_null(infer(en, NULL, days_en, "down for 2 or 3 days", NULL));
}

static void other_questions_and_bad_text(void **state)
{
	(void)state;
	assert_null(infer(fr, NULL, "{\"type\":\"text\",\"text\":\"Que dit l'écran ?\"}", "rouge", NULL));
	struct kb_inference got;
	json_t *node = json_loads(light_fr, 0, NULL);
	assert_int_equal(kb_infer(fr, NULL, node, NULL, "\xff\xfe", 2, &got), GC_EINVAL);
	assert_false(got.found);
	/* only the choices shown are heard */
	json_t *shown = json_pack("[{s:s,s:s}]", "value", "white", "label", "Blanc");
	assert_int_equal(kb_infer(fr, NULL, node, shown, "rouge", 5, &got), GC_OK);
	assert_false(got.found);
	json_decref(shown);
	json_decref(node);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colours_in_french),
		cmocka_unit_test(colours_in_english),
		cmocka_unit_test(negation_never_gives_the_choice),
		cmocka_unit_test(ambiguity_asks),
		cmocka_unit_test(tenant_synonyms_are_heard),
		cmocka_unit_test(yes_and_no),
		cmocka_unit_test(yes_and_no_conservative),
		cmocka_unit_test(broken_is_a_no),
		cmocka_unit_test(numbers),
		cmocka_unit_test(other_questions_and_bad_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
