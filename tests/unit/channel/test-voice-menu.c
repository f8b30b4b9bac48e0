/* The voice menu (src/channel/voice/menu.c): a good menu passes, each kind
 * of bad one is refused naming the member at fault, and a checked menu is
 * walked by keys to its queues and nested menus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/voice/menu.h"
#include "guichet/error.h"

#include <stdbool.h>
#include <string.h>

static const char good[] =
	"{\"prompt\":\"Sales: 1. Support: 2.\",\"options\":{\"1\":{\"queue_id\":4},"
	"\"2\":{\"menu\":{\"prompt\":\"Internet: 1. Phone: 2.\",\"options\":{\"1\":{\"queue_id\":5},"
	"\"2\":{\"queue_id\":4}}}},\"#\":{\"queue_id\":6}},\"closed\":{\"prompt\":\"We are closed.\"}}";

static json_t *load(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);
	assert_non_null(v);
	return v;
}

/* text is refused with field named. */
static void refused(const char *text, const char *field)
{
	json_t *menu = load(text);
	char got[256] = "", message[256] = "";
	assert_int_equal(voice_menu_check(menu, "menu", got, sizeof(got), message, sizeof(message)), GC_EINVAL);
	assert_string_equal(got, field);
	assert_true(message[0] != '\0');
	json_decref(menu);
}

static void a_good_menu_passes(void **state)
{
	json_t *menu = load(good);
	char field[256], message[256];
	assert_int_equal(voice_menu_check(menu, "menu", field, sizeof(field), message, sizeof(message)), GC_OK);
	assert_string_equal(voice_menu_prompt(menu), "Sales: 1. Support: 2.");
	assert_string_equal(voice_menu_closed_prompt(menu), "We are closed.");
	json_decref(menu);
}

static void bad_menus_name_their_field(void **state)
{
	refused("[]", "menu");
	refused("{\"options\":{\"1\":{\"queue_id\":1}}}", "menu.prompt");
	refused("{\"prompt\":\"\",\"options\":{\"1\":{\"queue_id\":1}}}", "menu.prompt");
	refused("{\"prompt\":7,\"options\":{\"1\":{\"queue_id\":1}}}", "menu.prompt");
	refused("{\"prompt\":\"p\"}", "menu.options");
	refused("{\"prompt\":\"p\",\"options\":{}}", "menu.options");
	refused("{\"prompt\":\"p\",\"options\":{\"12\":{\"queue_id\":1}}}", "menu.options.12");
	refused("{\"prompt\":\"p\",\"options\":{\"a\":{\"queue_id\":1}}}", "menu.options.a");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":0}}}", "menu.options.1.queue_id");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":\"4\"}}}", "menu.options.1.queue_id");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{}}}", "menu.options.1");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":1,\"menu\":{}}}}", "menu.options.1");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue\":1}}}", "menu.options.1.queue");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"menu\":{\"prompt\":\"q\",\"options\":{\"9\":{}}}}}}",
		"menu.options.1.menu.options.9");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":1}},\"colour\":\"red\"}", "menu.colour");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":1}},\"closed\":{}}", "menu.closed");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":1}},\"closed\":{\"prompt\":\"\"}}",
		"menu.closed.prompt");
	/* closed is the top menu's only */
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"menu\":{\"prompt\":\"q\",\"options\":{\"1\":{\"queue_id\":1}},"
		"\"closed\":{\"prompt\":\"c\"}}}}}", "menu.options.1.menu.closed");
}

static void menus_nest_four_deep_at_most(void **state)
{
	const char *leaf = "{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":1}}}";
	char text[2048];
	strcpy(text, leaf);
	for (int depth = 2; depth <= VOICE_MENU_MAX_DEPTH + 1; depth++) {
		char outer[2048];
		int n = snprintf(outer, sizeof(outer), "{\"prompt\":\"p\",\"options\":{\"1\":{\"menu\":%s}}}", text);
		assert_true(n > 0 && (size_t)n < sizeof(outer));
		strcpy(text, outer);
		json_t *menu = load(text);
		char field[256], message[256];
		int rc = voice_menu_check(menu, "menu", field, sizeof(field), message, sizeof(message));
		assert_int_equal(rc, depth <= VOICE_MENU_MAX_DEPTH ? GC_OK : GC_EINVAL);
		json_decref(menu);
	}
	/* a long prompt is refused */
	char big[VOICE_MENU_MAX_PROMPT + 64];
	memset(big, 'a', sizeof(big));
	big[VOICE_MENU_MAX_PROMPT + 1] = '\0';
	json_t *menu = json_pack("{s:s,s:{s:{s:i}}}", "prompt", big, "options", "1", "queue_id", 1);
	char field[256], message[256];
	assert_int_equal(voice_menu_check(menu, "menu", field, sizeof(field), message, sizeof(message)), GC_EINVAL);
	assert_string_equal(field, "menu.prompt");
	json_decref(menu);
}

static void keys_lead_to_queues_and_menus(void **state)
{
	json_t *menu = load(good);
	int64_t queue = -1;
	const json_t *sub = NULL;
	assert_int_equal(voice_menu_choose(menu, '1', &queue, &sub), GC_OK);
	assert_int_equal(queue, 4);
	assert_null(sub);
	assert_int_equal(voice_menu_choose(menu, '2', &queue, &sub), GC_OK);
	assert_int_equal(queue, 0);
	assert_non_null(sub);
	assert_string_equal(voice_menu_prompt(sub), "Internet: 1. Phone: 2.");
	assert_int_equal(voice_menu_choose(sub, '1', &queue, &sub), GC_OK);
	assert_int_equal(queue, 5);
	assert_int_equal(voice_menu_choose(menu, '#', &queue, &sub), GC_OK);
	assert_int_equal(queue, 6);
	assert_int_equal(voice_menu_choose(menu, '7', &queue, &sub), GC_ENOTFOUND);
	int64_t ids[VOICE_MENU_MAX_QUEUES];
	size_t n = 0;
	voice_menu_queues(menu, ids, &n);
	assert_int_equal(n, 3); /* 4 once, though two keys lead to it */
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ids[i];
	assert_int_equal(sum, 4 + 5 + 6);
	voice_menu_queues(NULL, ids, &n);
	assert_int_equal(n, 0);
	json_decref(menu);
}

/* A tenant's recording of a prompt ("recording": its id) may stand with
 * the prompt or alone, in a menu and its "closed"; the ids are collected
 * once each for the caller's tenant check. */
static void recordings_stand_for_prompts(void **state)
{
	json_t *menu = load("{\"recording\":3,\"options\":{\"1\":{\"menu\":{\"prompt\":\"Press 1.\","
			    "\"recording\":7,\"options\":{\"1\":{\"queue_id\":5}}}},\"2\":{\"menu\":{"
			    "\"recording\":3,\"options\":{\"1\":{\"queue_id\":6}}}}},\"closed\":{\"recording\":9}}");
	char field[256] = "", message[256] = "";
	assert_int_equal(voice_menu_check(menu, "menu", field, sizeof(field), message, sizeof(message)), GC_OK);
	assert_null(voice_menu_prompt(menu));
	assert_int_equal(voice_menu_recording(menu), 3);
	assert_int_equal(voice_menu_recording(json_object_get(menu, "closed")), 9);
	int64_t ids[VOICE_MENU_MAX_RECORDINGS];
	size_t n = 0;
	voice_menu_recordings(menu, ids, &n);
	assert_int_equal(n, 3); /* 3, 9 and 7, 3 once */
	bool seen3 = false, seen7 = false, seen9 = false;
	for (size_t i = 0; i < n; i++) {
		seen3 |= ids[i] == 3;
		seen7 |= ids[i] == 7;
		seen9 |= ids[i] == 9;
	}
	assert_true(seen3 && seen7 && seen9);
	json_decref(menu);
	refused("{\"recording\":0,\"options\":{\"1\":{\"queue_id\":4}}}", "menu.recording");
	refused("{\"recording\":\"3\",\"options\":{\"1\":{\"queue_id\":4}}}", "menu.recording");
	refused("{\"options\":{\"1\":{\"queue_id\":4}}}", "menu.prompt");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":4}},\"closed\":{}}", "menu.closed");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"queue_id\":4}},\"closed\":{\"recording\":2,\"x\":1}}",
		"menu.closed.x");
	refused("{\"prompt\":\"p\",\"options\":{\"1\":{\"menu\":{\"recording\":-1,\"options\":{\"1\":{\"queue_id\":4}}}}}}",
		"menu.options.1.menu.recording");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_good_menu_passes),
		cmocka_unit_test(bad_menus_name_their_field),
		cmocka_unit_test(menus_nest_four_deep_at_most),
		cmocka_unit_test(keys_lead_to_queues_and_menus),
		cmocka_unit_test(recordings_stand_for_prompts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
