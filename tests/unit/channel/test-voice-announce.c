/* Waiting callers' announcements (src/channel/voice/announce.c): the
 * number's "waiting" settings checked strictly and read with their
 * defaults; waits rounded as a caller hears them (never "0 minutes", the
 * nearest minute, then 5 minutes, then "more than"), in English and French. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/voice/announce.h"
#include "guichet/error.h"

#include <string.h>

static void refused(const char *text, const char *field)
{
	json_t *w = json_loads(text, 0, NULL);
	assert_non_null(w);
	char got[128] = "", message[256] = "";
	assert_int_equal(voice_waiting_check(w, got, sizeof(got), message, sizeof(message)), GC_EINVAL);
	assert_string_equal(got, field);
	assert_true(strlen(message) > 0);
	json_decref(w);
}

static void settings_checked(void **state)
{
	(void)state;
	json_t *w = json_loads("{\"announce_every_s\":60,\"announce_first_s\":0,\"callback_key\":\"#\"}", 0, NULL);
	char field[128], message[256];
	assert_int_equal(voice_waiting_check(w, field, sizeof(field), message, sizeof(message)), GC_OK);
	json_decref(w);
	refused("[]", "waiting");
	refused("{\"announce_every_s\":-1}", "waiting.announce_every_s");
	refused("{\"announce_every_s\":4}", "waiting.announce_every_s");
	refused("{\"announce_every_s\":3601}", "waiting.announce_every_s");
	refused("{\"announce_every_s\":\"60\"}", "waiting.announce_every_s");
	refused("{\"announce_first_s\":4000}", "waiting.announce_first_s");
	refused("{\"callback_key\":\"12\"}", "waiting.callback_key");
	refused("{\"callback_key\":\"a\"}", "waiting.callback_key");
	refused("{\"callback_key\":1}", "waiting.callback_key");
	refused("{\"every\":60}", "waiting.every");
}

static void settings_read(void **state)
{
	(void)state;
	struct voice_waiting w;
	voice_waiting_read(NULL, &w);
	assert_int_equal(w.every_s, 0);
	assert_int_equal(w.callback_key, '\0');
	json_t *j = json_loads("{\"announce_every_s\":45}", 0, NULL);
	voice_waiting_read(j, &w);
	assert_int_equal(w.every_s, 45);
	assert_int_equal(w.first_s, VOICE_ANNOUNCE_DEFAULT_FIRST_S);
	assert_int_equal(w.callback_key, '1');
	json_decref(j);
	j = json_loads("{\"announce_first_s\":5,\"callback_key\":null}", 0, NULL);
	voice_waiting_read(j, &w);
	assert_int_equal(w.every_s, 0);
	assert_int_equal(w.first_s, 5);
	assert_int_equal(w.callback_key, '\0');
	json_decref(j);
}

static void minutes_rounded(void **state)
{
	(void)state;
	assert_int_equal(voice_announce_minutes(0), 0);
	assert_int_equal(voice_announce_minutes(59), 0);  /* never "0 minutes" */
	assert_int_equal(voice_announce_minutes(60), 1);
	assert_int_equal(voice_announce_minutes(89), 1);
	assert_int_equal(voice_announce_minutes(90), 2);
	assert_int_equal(voice_announce_minutes(240), 4);
	assert_int_equal(voice_announce_minutes(629), 10);
	assert_int_equal(voice_announce_minutes(12 * 60), 10); /* nearest 5 above 10 */
	assert_int_equal(voice_announce_minutes(13 * 60), 15);
	assert_int_equal(voice_announce_minutes(30 * 60), 30);
	assert_int_equal(voice_announce_minutes(33 * 60), -1); /* rounds to 35: over the bound */
	assert_int_equal(voice_announce_minutes(2 * 3600), -1);
}

static void said(const char *lang, int64_t position, int64_t expected_s, char key, const char *want)
{
	char got[VOICE_ANNOUNCE_PHRASE_MAX];
	assert_int_equal(voice_announce_phrase(lang, position, expected_s, key, got, sizeof(got)), GC_OK);
	assert_string_equal(got, want);
}

static void phrases_english(void **state)
{
	(void)state;
	said("en", 3, 240, '1', "You are number 3 in the queue. Your expected wait is about 4 minutes. "
				 "Press 1 to be called back, keeping your place.");
	said("en", 1, 20, '\0', "You are next in the queue. Your expected wait is less than a minute.");
	said("en", 2, 70, '\0', "You are number 2 in the queue. Your expected wait is about one minute.");
	said("en", 150, 7200, '#', "More than 99 callers are ahead of you. Your expected wait is more than 30 minutes. "
				   "Press hash to be called back, keeping your place.");
	said("en", 4, -1, '\0', "You are number 4 in the queue."); /* no agent: no estimate */
	said("xx", 0, 600, '\0', "Your expected wait is about 10 minutes.");
}

static void phrases_french(void **state)
{
	(void)state;
	said("fr", 3, 240, '1', "Vous êtes le numéro 3 dans la file d'attente. Votre attente est estimée à environ "
				 "4 minutes. Pour être rappelé sans perdre votre place, tapez 1.");
	said("fr", 1, 0, '\0', "Vous êtes le prochain dans la file d'attente. Votre attente est estimée à moins "
				"d'une minute.");
	said("fr", 9, 3600, '*', "Vous êtes le numéro 9 dans la file d'attente. Votre attente est estimée à plus "
				 "de 30 minutes. Pour être rappelé sans perdre votre place, tapez étoile.");
	assert_non_null(strstr(voice_announce_callback_confirmed("fr"), "rappelons"));
	assert_non_null(strstr(voice_announce_callback_confirmed("en"), "call you back"));
}

static void nothing_or_too_long(void **state)
{
	(void)state;
	char got[16];
	assert_int_equal(voice_announce_phrase("en", 0, -1, '\0', got, sizeof(got)), GC_ENOTFOUND);
	assert_int_equal(voice_announce_phrase("en", 3, 240, '1', got, sizeof(got)), GC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_checked), cmocka_unit_test(settings_read),
		cmocka_unit_test(minutes_rounded), cmocka_unit_test(phrases_english),
		cmocka_unit_test(phrases_french), cmocka_unit_test(nothing_or_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
