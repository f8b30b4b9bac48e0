/* Waiting callers' announcements (announce.h): the number's "waiting"
 * settings checked and read, and the phrase of a position and a wait
 * rounded as a caller can take it in ("less than a minute", "about 4
 * minutes", "more than 30 minutes"), in English or French. */
#include "channel/voice/announce.h"
#include "guichet/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int bad(char *field, size_t field_len, char *message, size_t message_len, const char *name, const char *why)
{
	snprintf(field, field_len, "waiting%s%s", name ? "." : "", name ? name : "");
	snprintf(message, message_len, "%s", why);
	return GC_EINVAL;
}

static bool bad_seconds(const json_t *v, int max)
{
	return v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max);
}

int voice_waiting_check(const json_t *waiting, char *ret_field, size_t field_len, char *ret_message,
			size_t message_len)
{
	if (!json_is_object(waiting))
		return bad(ret_field, field_len, ret_message, message_len, NULL,
			   "'waiting' is an object {\"announce_every_s\", \"announce_first_s\", \"callback_key\"} or null");
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)waiting, key, v) {
		if (strcmp(key, "announce_every_s") == 0) {
			if (bad_seconds(v, VOICE_ANNOUNCE_MAX_EVERY_S) || (json_integer_value(v) > 0 && json_integer_value(v) < 5))
				return bad(ret_field, field_len, ret_message, message_len, key,
					   "'announce_every_s' is 0 (no announcements) or 5 to 3600 seconds");
		} else if (strcmp(key, "announce_first_s") == 0) {
			if (bad_seconds(v, VOICE_ANNOUNCE_MAX_FIRST_S))
				return bad(ret_field, field_len, ret_message, message_len, key,
					   "'announce_first_s' is 0 to 3600 seconds");
		} else if (strcmp(key, "callback_key") == 0) {
			const char *k = json_string_value(v);
			if (!json_is_null(v) && (k == NULL || strlen(k) != 1 || strchr("0123456789*#", k[0]) == NULL))
				return bad(ret_field, field_len, ret_message, message_len, key,
					   "'callback_key' is one keypad key (0-9, * or #) or null");
		} else {
			char why[128];
			snprintf(why, sizeof(why), "unknown member '%.64s'", key);
			return bad(ret_field, field_len, ret_message, message_len, key, why);
		}
	}
	return GC_OK;
}

void voice_waiting_read(const json_t *waiting, struct voice_waiting *ret)
{
	*ret = (struct voice_waiting){.first_s = VOICE_ANNOUNCE_DEFAULT_FIRST_S};
	if (!json_is_object(waiting))
		return;
	ret->every_s = (int)json_integer_value(json_object_get(waiting, "announce_every_s"));
	const json_t *first = json_object_get(waiting, "announce_first_s");
	if (json_is_integer(first))
		ret->first_s = (int)json_integer_value(first);
	const json_t *key = json_object_get(waiting, "callback_key");
	if (key == NULL)
		ret->callback_key = '1';
	else if (json_string_value(key))
		ret->callback_key = json_string_value(key)[0];
}

int voice_announce_minutes(int64_t expected_s)
{
	if (expected_s < 60)
		return 0;
	int64_t minutes = (expected_s + 30) / 60;
	if (minutes > 10)
		minutes = (minutes + 2) / 5 * 5;
	return minutes > VOICE_ANNOUNCE_MAX_MINUTES ? -1 : (int)minutes;
}

/* Appends to ret (at *at), false when it does not fit. */
static bool add(char *ret, size_t len, size_t *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool add(char *ret, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(ret + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *at)
		return false;
	*at += (size_t)n;
	return true;
}

static const char *key_name(char key, bool fr)
{
	static char digit[2];
	if (key == '*')
		return fr ? "étoile" : "star";
	if (key == '#')
		return fr ? "dièse" : "hash";
	digit[0] = key;
	digit[1] = '\0';
	return digit;
}

static bool position_phrase(bool fr, int64_t position, char *ret, size_t len, size_t *at)
{
	if (position <= 0)
		return true;
	if (position == 1)
		return add(ret, len, at, "%s", fr ? "Vous êtes le prochain dans la file d'attente. "
						: "You are next in the queue. ");
	if (position > VOICE_ANNOUNCE_MAX_POSITION)
		return add(ret, len, at, fr ? "Plus de %d personnes attendent avant vous. "
					    : "More than %d callers are ahead of you. ", VOICE_ANNOUNCE_MAX_POSITION);
	return add(ret, len, at, fr ? "Vous êtes le numéro %lld dans la file d'attente. "
				    : "You are number %lld in the queue. ", (long long)position);
}

static bool wait_phrase(bool fr, int64_t expected_s, char *ret, size_t len, size_t *at)
{
	if (expected_s < 0)
		return true;
	int minutes = voice_announce_minutes(expected_s);
	if (minutes == 0)
		return add(ret, len, at, "%s", fr ? "Votre attente est estimée à moins d'une minute. "
						: "Your expected wait is less than a minute. ");
	if (minutes < 0)
		return add(ret, len, at, fr ? "Votre attente est estimée à plus de %d minutes. "
					    : "Your expected wait is more than %d minutes. ", VOICE_ANNOUNCE_MAX_MINUTES);
	if (minutes == 1)
		return add(ret, len, at, "%s", fr ? "Votre attente est estimée à environ une minute. "
						: "Your expected wait is about one minute. ");
	return add(ret, len, at, fr ? "Votre attente est estimée à environ %d minutes. "
				    : "Your expected wait is about %d minutes. ", minutes);
}

int voice_announce_phrase(const char *lang, int64_t position, int64_t expected_s, char key, char *ret,
			  size_t len)
{
	bool fr = lang && strcmp(lang, "fr") == 0;
	size_t at = 0;
	if (len == 0)
		return GC_EINVAL;
	ret[0] = '\0';
	if (!position_phrase(fr, position, ret, len, &at) || !wait_phrase(fr, expected_s, ret, len, &at))
		return GC_EINVAL;
	if (key && !add(ret, len, &at, fr ? "Pour être rappelé sans perdre votre place, tapez %s."
					  : "Press %s to be called back, keeping your place.", key_name(key, fr)))
		return GC_EINVAL;
	while (at > 0 && ret[at - 1] == ' ')
		ret[--at] = '\0';
	return at == 0 ? GC_ENOTFOUND : GC_OK;
}

const char *voice_announce_callback_confirmed(const char *lang)
{
	return lang && strcmp(lang, "fr") == 0
		       ? "C'est noté : nous vous rappelons à ce numéro, à votre place dans la file. Au revoir."
		       : "Thank you: we will call you back at this number, keeping your place in the queue. Goodbye.";
}
