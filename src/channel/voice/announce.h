/* What a caller waiting in a queue hears and can do, as Asterisk's
 * app_queue does it: its position and expected wait said at an interval
 * (the first after a delay), and a key that asks to be called back while
 * keeping its place (virtual hold). A number's settings, its "waiting"
 * member:
 *
 *   {"announce_every_s": 60, "announce_first_s": 30, "callback_key": "1"}
 *
 * announce_every_s 0 (or absent) says nothing; callback_key null offers no
 * callback. Pure: the phrases are built from the routing's values (the
 * caller's position and router_contact_view's expected_wait_s) given as
 * arguments, in English or French. */
#ifndef GUICHET_CHANNEL_VOICE_ANNOUNCE_H
#define GUICHET_CHANNEL_VOICE_ANNOUNCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VOICE_ANNOUNCE_MAX_EVERY_S 3600   /* the longest interval between announcements */
#define VOICE_ANNOUNCE_MAX_FIRST_S 3600   /* the longest delay before the first */
#define VOICE_ANNOUNCE_DEFAULT_FIRST_S 30
#define VOICE_ANNOUNCE_MAX_MINUTES 30     /* a longer wait is "more than 30 minutes" */
#define VOICE_ANNOUNCE_MAX_POSITION 99    /* further back: "more than 99 callers ahead" */
#define VOICE_ANNOUNCE_PHRASE_MAX 400

struct voice_waiting {
	int every_s;               /* 0: no announcements */
	int first_s;               /* after entering the queue, before the first */
	char callback_key;         /* '\0': no callback offered */
};

/* Checks a "waiting" member strictly (an object; null is checked by the
 * caller): GC_EINVAL with the member at fault in ret_field ("waiting.
 * callback_key") and why in ret_message. */
int voice_waiting_check(const json_t *waiting, char *ret_field, size_t field_len, char *ret_message,
			size_t message_len);

/* A checked member (or NULL: nothing) into *ret, defaults filled: no
 * announcements, the first after VOICE_ANNOUNCE_DEFAULT_FIRST_S, key '1'
 * when the object names none (null: none). */
void voice_waiting_read(const json_t *waiting, struct voice_waiting *ret);

/* How a wait of expected_s seconds is said, in whole minutes: 0 for "less
 * than a minute" (under 60 s: never "0 minutes"), the nearest minute up to
 * 10, the nearest 5 minutes above, -1 for "more than
 * VOICE_ANNOUNCE_MAX_MINUTES minutes". */
int voice_announce_minutes(int64_t expected_s);

/* The announcement in lang ("en" or "fr"; anything else is English):
 * "You are number 3 in the queue. Your expected wait is about 4 minutes.
 * Press 1 to be called back, keeping your place." position 0 or less
 * leaves the position out, expected_s below 0 (no agent serves the queue,
 * so no estimate) the wait, key '\0' the callback. GC_EINVAL when len is
 * too small; GC_ENOTFOUND when there is nothing to say. */
int voice_announce_phrase(const char *lang, int64_t position, int64_t expected_s, char key, char *ret,
			  size_t len);

/* The confirmation of a callback asked by the keypad, said before hanging up. */
const char *voice_announce_callback_confirmed(const char *lang);

#endif
