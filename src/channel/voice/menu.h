/* A number's voice menu: what a caller hears and which keys lead where.
 *
 *   {"prompt": "For sales press 1, for support press 2",
 *    "options": {"1": {"queue_id": 4},
 *                "2": {"menu": {"prompt": "...", "options": {...}}}},
 *    "closed": {"prompt": "We are closed: our hours are ..."}}
 *
 * A menu, and "closed", may name a tenant's own recording of its prompt
 * ("recording": its id, store_voice_prompt_*), played instead of the
 * text; "prompt" is then optional, and said when the recording cannot be
 * played.
 *
 * Each option's key is one keypad key (0-9, * or #) and leads to a queue
 * (a leaf: the caller waits there) or to a nested menu, at most
 * VOICE_MENU_MAX_DEPTH deep. "closed" (top level only) is what plays outside
 * the tenant's business hours. Pure: no I/O, the queues' existence is the
 * caller's to check (voice_menu_queues). */
#ifndef GUICHET_CHANNEL_VOICE_MENU_H
#define GUICHET_CHANNEL_VOICE_MENU_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define VOICE_MENU_MAX_DEPTH 4
#define VOICE_MENU_MAX_PROMPT 1000 /* bytes of a prompt's text */
#define VOICE_MENU_MAX_QUEUES 64   /* leaves in one menu, nested ones included */
#define VOICE_MENU_MAX_RECORDINGS 64 /* recordings one menu names, nested ones included */

/* Checks menu strictly: GC_EINVAL with the member at fault in ret_field (a
 * path such as "menu.options.2.menu.prompt", from the caller's prefix) and
 * why in ret_message. */
int voice_menu_check(const json_t *menu, const char *prefix, char *ret_field, size_t field_len, char *ret_message,
		     size_t message_len);

/* The queues menu's leaves name (each once), into ret (room for
 * VOICE_MENU_MAX_QUEUES); *ret_n how many. menu is a checked one. */
void voice_menu_queues(const json_t *menu, int64_t *ret, size_t *ret_n);

/* What key leads to in a checked menu: a queue (*ret_queue_id > 0) or a
 * nested menu (*ret_menu); GC_ENOTFOUND for a key with no option. */
int voice_menu_choose(const json_t *menu, char key, int64_t *ret_queue_id, const json_t **ret_menu);

/* The prompt of menu (NULL when none) and of its "closed" member. */
const char *voice_menu_prompt(const json_t *menu);
const char *voice_menu_closed_prompt(const json_t *menu);
/* The recording a menu (or its "closed" member) names: its id, 0 when none. */
int64_t voice_menu_recording(const json_t *menu);
/* The recordings a checked menu names (each once), into ret (room for
 * VOICE_MENU_MAX_RECORDINGS); *ret_n how many. */
void voice_menu_recordings(const json_t *menu, int64_t *ret, size_t *ret_n);

#endif
