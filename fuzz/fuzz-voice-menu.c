/* libFuzzer target: the voice menu a tenant sends (src/channel/voice/menu.c).
 * The input is JSON; whatever it is, the check may not crash, and names a
 * field on refusal; a menu it accepts is walked by every key: each leads to
 * a queue id above 0 or to a menu that passes the check too, and its queues
 * (voice_menu_queues) are all above 0 and at most VOICE_MENU_MAX_QUEUES. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/voice/menu.h"
#include "guichet/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const json_t *menu, int depth)
{
	assert(depth <= VOICE_MENU_MAX_DEPTH);
	assert(voice_menu_prompt(menu) != NULL || voice_menu_recording(menu) > 0);
	static const char keys[] = "0123456789*#a";
	for (const char *k = keys; *k; k++) {
		int64_t queue = -1;
		const json_t *sub = NULL;
		if (voice_menu_choose(menu, *k, &queue, &sub) != GC_OK)
			continue;
		assert(*k != 'a');
		if (sub)
			walk(sub, depth + 1);
		else
			assert(queue > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *menu = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (menu == NULL)
		return 0;
	char field[256], message[256];
	if (voice_menu_check(menu, "menu", field, sizeof(field), message, sizeof(message)) == GC_OK) {
		walk(menu, 1);
		int64_t ids[VOICE_MENU_MAX_QUEUES];
		size_t n = 0;
		voice_menu_queues(menu, ids, &n);
		assert(n >= 1 && n <= VOICE_MENU_MAX_QUEUES);
		for (size_t i = 0; i < n; i++)
			assert(ids[i] > 0);
	} else {
		assert(strncmp(field, "menu", 4) == 0 && message[0] != '\0');
	}
	json_decref(menu);
	return 0;
}
