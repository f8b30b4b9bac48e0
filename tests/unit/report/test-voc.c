/* The voice of the customer's pure parts (src/report/voc.c): a contact's
 * topics in English and in French (stems, bigrams, stop words out, each
 * topic once per contact); ISO weeks; hand-made weeks whose counts make a
 * rising topic, a steady one that does not rise, a rare one kept under the
 * noise floor, and an uncovered word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "report/voc.h"

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

/* The topics of a text, "key=label" joined by "|". */
struct seen {
	char buf[4096];
	size_t n;
};

static int note(const char *key, const char *label, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->buf);
	snprintf(s->buf + len, sizeof(s->buf) - len, "%s=%s|", key, label);
	s->n++;
	return 0;
}

static bool has(const struct seen *s, const char *topic)
{
	char pat[256];
	snprintf(pat, sizeof(pat), "%s=", topic);
	return strncmp(s->buf, pat, strlen(pat)) == 0 || (snprintf(pat, sizeof(pat), "|%s=", topic), strstr(s->buf, pat));
}

static void an_english_text_gives_stems_and_bigrams(void **state)
{
	(void)state;
	struct seen s = {0};
	enum kb_lang lang;
	const char *t = "My printer is not printing: the printer shows a paper jam again";
	assert_int_equal(voc_topics(fr, en, t, strlen(t), note, &s, &lang), GC_OK);
	assert_int_equal(lang, KB_LANG_EN);
	assert_true(has(&s, "printer"));
	assert_true(has(&s, "print"));
	assert_true(has(&s, "paper jam"));
	/* stop words are no topics, and "printer" said twice counts once */
	assert_false(has(&s, "the"));
	assert_false(has(&s, "not"));
	assert_non_null(strstr(s.buf, "printer="));
	assert_null(strstr(strstr(s.buf, "printer=") + 1, "|printer="));
	/* no stop word either way: English, unless a French accent says otherwise */
	assert_int_equal(voc_guess_lang(fr, en, "Paper jam", 9), KB_LANG_EN);
	assert_int_equal(voc_guess_lang(fr, en, "Bourrage papier répété", strlen("Bourrage papier répété")), KB_LANG_FR);
}

static void a_french_text_is_analysed_in_french(void **state)
{
	(void)state;
	struct seen s = {0};
	enum kb_lang lang;
	const char *t = "Ma carte SIM n'est pas reconnue par le téléphone, la carte est neuve";
	assert_int_equal(voc_topics(fr, en, t, strlen(t), note, &s, &lang), GC_OK);
	assert_int_equal(lang, KB_LANG_FR);
	assert_true(has(&s, "cart"));
	assert_true(has(&s, "telephon"));
	assert_true(has(&s, "cart sim"));
	assert_false(has(&s, "par"));
	assert_false(has(&s, "est"));
	/* invalid UTF-8 is refused, nothing called */
	struct seen none = {0};
	assert_int_equal(voc_topics(fr, en, "carte \xff", 7, note, &none, NULL), GC_EINVAL);
	assert_int_equal(none.n, 0);
}

/* A customer's courtesies are no topics: nearly every email opens with
 * "Bonjour" and closes with "Merci" or "Cordialement", which made them the
 * week's top topics; they also break a bigram, as a stop word does. */
static void courtesies_are_no_topics(void **state)
{
	(void)state;
	struct seen s = {0};
	const char *t = "Bonjour, ma commande n'est pas arrivée. Merci d'avance, cordialement, Claire";
	assert_int_equal(voc_topics(fr, en, t, strlen(t), note, &s, NULL), GC_OK);
	assert_true(has(&s, "command"));
	assert_false(has(&s, "bonjour"));
	assert_false(has(&s, "merci"));
	assert_false(has(&s, "cordial"));
	assert_false(has(&s, "cordialement"));
	struct seen e = {0};
	const char *u = "Hello, my parcel has not arrived yet. Thanks";
	assert_int_equal(voc_topics(fr, en, u, strlen(u), note, &e, NULL), GC_OK);
	assert_true(has(&e, "parcel"));
	assert_false(has(&e, "hello"));
	assert_false(has(&e, "thank"));
	assert_false(has(&e, "thanks"));
	/* "merci" between two words joins no bigram */
	struct seen b = {0};
	const char *v = "Ma livraison merci colis";
	assert_int_equal(voc_topics(fr, en, v, strlen(v), note, &b, NULL), GC_OK);
	assert_null(strstr(b.buf, " "));
}

/* The subjects guichet writes are no customer's words: every chat's
 * "Chat" was a topic of every week, beside the visitor's name */
static void guichet_s_own_subjects_are_left_out(void **state)
{
	(void)state;
	assert_string_equal(voc_customer_subject("chat", "Chat"), "");
	assert_string_equal(voc_customer_subject("chat", "Chat with Jean Dupont"), "");
	assert_string_equal(voc_customer_subject("chat", "Chat with Jean: Livraison"), "Livraison");
	assert_string_equal(voc_customer_subject("chat", "Chat: Remboursement"), "Remboursement");
	assert_string_equal(voc_customer_subject("email", "Message left on the chat by Jean"), "");
	assert_string_equal(voc_customer_subject("email", "Message left on the chat"), "");
	assert_string_equal(voc_customer_subject("phone", "Callback"), "");
	/* a customer's own subject stays whole, whatever its words */
	assert_string_equal(voc_customer_subject("email", "Chat with your team"), "Chat with your team");
	assert_string_equal(voc_customer_subject("chat", "Chatbot broken"), "Chatbot broken");
	assert_string_equal(voc_customer_subject("phone", "Callback please"), "Callback please");
	assert_string_equal(voc_customer_subject("email", NULL), "");
}

static void iso_weeks(void **state)
{
	(void)state;
	char w[9], d[11];
	assert_int_equal(voc_iso_week("2026-12-02", w), GC_OK);
	assert_string_equal(w, "2026-W49");
	/* the first days of January may belong to the year before's last week */
	assert_int_equal(voc_iso_week("2021-01-03", w), GC_OK);
	assert_string_equal(w, "2020-W53");
	assert_int_equal(voc_iso_week("2024-12-30", w), GC_OK);
	assert_string_equal(w, "2025-W01");
	assert_int_equal(voc_week_monday("2026-W49", d), GC_OK);
	assert_string_equal(d, "2026-11-30");
	assert_int_equal(voc_week_monday("2025-W01", d), GC_OK);
	assert_string_equal(d, "2024-12-30");
	assert_int_equal(voc_week_add("2026-W01", -1, w), GC_OK);
	assert_string_equal(w, "2025-W52");
	assert_int_equal(voc_week_add("2020-W52", 1, w), GC_OK);
	assert_string_equal(w, "2020-W53");
	/* 2026 starts on a Thursday: it has a week 53; 2025 has none; malformed weeks and dates are refused */
	assert_int_equal(voc_week_monday("2026-W53", d), GC_OK);
	assert_string_equal(d, "2026-12-28");
	assert_int_equal(voc_week_monday("2025-W53", d), GC_EINVAL);
	assert_int_equal(voc_week_monday("2026-W00", d), GC_EINVAL);
	assert_int_equal(voc_week_monday("2026W49", d), GC_EINVAL);
	assert_int_equal(voc_iso_week("2026-02-30", w), GC_EINVAL);
}

/* Counts a hand-made history: topic key -> contacts each week, oldest first. */
struct week_in {
	const char *key;
	int64_t weeks[5];          /* four previous weeks, then the week */
};

static json_t *figures_of(const struct week_in *in, size_t n, voc_covered_fn covered)
{
	struct voc_count counts[16];
	for (size_t i = 0; i < n; i++) {
		double sum = 0;
		for (int w = 0; w < 4; w++)
			sum += (double)in[i].weeks[w];
		counts[i] = (struct voc_count){.key = in[i].key, .label = in[i].key, .n = in[i].weeks[4],
					       .previous_mean = sum / 4};
	}
	struct voc_params p;
	voc_params_default(&p);
	return voc_week_figures(counts, n, &p, covered, NULL);
}

static bool in_list(const json_t *list, const char *key)
{
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
		if (strcmp(json_string_value(json_object_get(t, "key")), key) == 0)
			return true;
	return false;
}

/* The articles of the hand-made knowledge speak of printers and SIM cards. */
static bool covered(const char *key, const char *label, void *arg)
{
	(void)label;
	(void)arg;
	return strcmp(key, "printer") == 0 || strcmp(key, "cart") == 0 || strcmp(key, "sim") == 0;
}

static void an_english_week_has_a_rising_topic_and_a_steady_one(void **state)
{
	(void)state;
	/* contacts about printers are steady; the firmware update came this week */
	const struct week_in week[] = {
		{"printer", {40, 38, 42, 40, 41}},
		{"firmwar", {1, 0, 2, 1, 17}},
		{"firmwar updat", {0, 0, 1, 0, 12}},
		{"toner", {0, 0, 0, 0, 3}},           /* new, but under the noise floor */
	};
	json_t *f = figures_of(week, 4, covered);
	assert_non_null(f);
	json_t *top = json_object_get(f, "topics"), *rising = json_object_get(f, "rising");
	assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "key")), "printer");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(top, 0), "count")), 41);
	assert_true(in_list(rising, "firmwar"));
	assert_true(in_list(rising, "firmwar updat"));
	assert_false(in_list(rising, "printer"));
	assert_false(in_list(rising, "toner"));
	/* "firmwar" is the frequent word no article covers; bigrams and covered words are not listed */
	json_t *unc = json_object_get(f, "uncovered");
	assert_true(in_list(unc, "firmwar"));
	assert_true(in_list(unc, "toner"));
	assert_false(in_list(unc, "printer"));
	assert_false(in_list(unc, "firmwar updat"));
	json_decref(f);
}

static void a_french_week_from_texts(void **state)
{
	(void)state;
	/* contacts' texts counted into a week the way the daemon does, topic once per contact */
	const char *previous[] = {"Ma carte SIM ne marche pas", "Carte SIM bloquée", "Problème de carte SIM",
				  "Ma facture est fausse"};
	const char *week[] = {"Ma carte SIM ne marche pas", "La box redémarre sans arrêt", "Ma box redémarre",
			      "Box : redémarrage en boucle", "Ma box redémarre toute la nuit",
			      "La box redémarre encore", "Carte SIM bloquée", "Problème de carte SIM"};
	json_t *prev = json_object(), *now = json_object();
	struct seen s;
	for (size_t t = 0; t < 2; t++) {
		const char **texts = t ? week : previous;
		size_t n = t ? sizeof(week) / sizeof(*week) : sizeof(previous) / sizeof(*previous);
		json_t *into = t ? now : prev;
		for (size_t i = 0; i < n; i++) {
			memset(&s, 0, sizeof(s));
			assert_int_equal(voc_topics(fr, en, texts[i], strlen(texts[i]), note, &s, NULL), GC_OK);
			for (char *p = s.buf, *eq; (eq = strchr(p, '=')) != NULL; p = strchr(eq, '|') + 1) {
				char key[VOC_MAX_TOPIC];
				snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
				json_object_set_new(into, key,
						    json_integer(json_integer_value(json_object_get(into, key)) + 1));
			}
		}
	}
	struct voc_count counts[128];
	size_t n = 0;
	const char *key;
	json_t *v;
	json_object_foreach(now, key, v) {
		assert_true(n < 128);
		/* the previous week only, as the mean of one week */
		counts[n++] = (struct voc_count){.key = key, .label = key, .n = json_integer_value(v),
						 .previous_mean = (double)json_integer_value(json_object_get(prev, key))};
	}
	struct voc_params p;
	voc_params_default(&p);
	json_t *f = voc_week_figures(counts, n, &p, covered, NULL);
	json_t *rising = json_object_get(f, "rising");
	/* "box" comes in five contacts this week, none before: rising; "redémarre" in four (the fifth
	 * says "redémarrage", another stem) stays under the noise floor; the SIM card stays at three */
	assert_true(in_list(rising, "box"));
	assert_false(in_list(rising, "redemarr"));
	assert_true(in_list(json_object_get(f, "topics"), "redemarr"));
	assert_false(in_list(rising, "cart"));
	assert_false(in_list(rising, "cart sim"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(f, "topics"), 0), "key")),
			    "box");
	assert_true(in_list(json_object_get(f, "uncovered"), "box"));
	assert_false(in_list(json_object_get(f, "uncovered"), "cart"));
	json_decref(f);
	json_decref(prev);
	json_decref(now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_english_text_gives_stems_and_bigrams),
		cmocka_unit_test(a_french_text_is_analysed_in_french),
		cmocka_unit_test(courtesies_are_no_topics),
		cmocka_unit_test(guichet_s_own_subjects_are_left_out),
		cmocka_unit_test(iso_weeks),
		cmocka_unit_test(an_english_week_has_a_rising_topic_and_a_steady_one),
		cmocka_unit_test(a_french_week_from_texts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
