/* A number's voice menu, checked and walked (menu.h). The check names the
 * first member at fault by its path, so an API answer can point at it. */
#include "channel/voice/menu.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct check {
	char *field, *message;
	size_t field_len, message_len;
	size_t n_queues, n_recordings;
};

static int fail(struct check *c, const char *path, const char *fmt, ...)
{
	snprintf(c->field, c->field_len, "%s", path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->message, c->message_len, fmt, ap);
	va_end(ap);
	return GC_EINVAL;
}

/* path.member into out (a path is cut, never overrun: depth and keys are bounded). */
static void join(char *out, size_t len, const char *path, const char *member)
{
	int n = snprintf(out, len, "%s.%.32s", path, member);
	if (n < 0)
		out[0] = '\0';
}

static bool is_key(const char *key)
{
	return key[0] != '\0' && key[1] == '\0' && strchr("0123456789*#", key[0]) != NULL;
}

/* "recording": a tenant's recording of the prompt (its id), played instead of the text. */
static int check_recording(struct check *c, const json_t *obj, const char *path)
{
	char where[256];
	join(where, sizeof(where), path, "recording");
	json_t *rec = json_object_get(obj, "recording");
	if (rec == NULL)
		return GC_OK;
	if (!json_is_integer(rec) || json_integer_value(rec) < 1)
		return fail(c, where, "'recording' is a recording's id");
	if (++c->n_recordings > VOICE_MENU_MAX_RECORDINGS)
		return fail(c, where, "a menu plays at most %d recordings", VOICE_MENU_MAX_RECORDINGS);
	return GC_OK;
}

static int check_prompt(struct check *c, const json_t *obj, const char *path, bool required)
{
	char where[256];
	int rc = check_recording(c, obj, path);
	if (rc < 0)
		return rc;
	join(where, sizeof(where), path, "prompt");
	json_t *prompt = json_object_get(obj, "prompt");
	if (prompt == NULL && json_object_get(obj, "recording"))
		return GC_OK; /* the recording alone */
	if (prompt == NULL)
		return required ? fail(c, where, "'prompt' (or 'recording') is required") : GC_OK;
	const char *text = json_string_value(prompt);
	if (text == NULL || *text == '\0' || strlen(text) > VOICE_MENU_MAX_PROMPT || !gc_text_is_clean(text, true))
		return fail(c, where, "'prompt' is a text of 1 to %d bytes", VOICE_MENU_MAX_PROMPT);
	return GC_OK;
}

static int check_menu(struct check *c, const json_t *menu, const char *path, int depth);

static int check_option(struct check *c, const json_t *option, const char *path, int depth)
{
	if (!json_is_object(option))
		return fail(c, path, "an option is {\"queue_id\"} or {\"menu\"}");
	json_t *queue = json_object_get(option, "queue_id"), *sub = json_object_get(option, "menu");
	const char *key;
	json_t *v;
	char where[256];
	json_object_foreach((json_t *)option, key, v) {
		if (strcmp(key, "queue_id") != 0 && strcmp(key, "menu") != 0) {
			join(where, sizeof(where), path, key);
			return fail(c, where, "unknown member '%.32s'", key);
		}
	}
	if ((queue == NULL) == (sub == NULL))
		return fail(c, path, "an option has either 'queue_id' or 'menu'");
	if (queue) {
		join(where, sizeof(where), path, "queue_id");
		if (!json_is_integer(queue) || json_integer_value(queue) < 1)
			return fail(c, where, "'queue_id' is a queue's id");
		if (++c->n_queues > VOICE_MENU_MAX_QUEUES)
			return fail(c, where, "a menu leads to at most %d queues", VOICE_MENU_MAX_QUEUES);
		return GC_OK;
	}
	join(where, sizeof(where), path, "menu");
	if (depth >= VOICE_MENU_MAX_DEPTH)
		return fail(c, where, "menus nest at most %d deep", VOICE_MENU_MAX_DEPTH);
	return check_menu(c, sub, where, depth + 1);
}

static int check_options(struct check *c, const json_t *options, const char *path, int depth)
{
	char where[256];
	join(where, sizeof(where), path, "options");
	if (!json_is_object(options) || json_object_size(options) == 0)
		return fail(c, where, "'options' maps keypad keys (0-9, *, #) to options");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)options, key, v) {
		char at[256];
		join(at, sizeof(at), where, key);
		if (!is_key(key))
			return fail(c, at, "'%.8s' is not a keypad key (0-9, *, #)", key);
		int rc = check_option(c, v, at, depth);
		if (rc < 0)
			return rc;
	}
	return GC_OK;
}

static int check_menu(struct check *c, const json_t *menu, const char *path, int depth)
{
	if (!json_is_object(menu))
		return fail(c, path, "a menu is an object {\"prompt\",\"options\"}");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)menu, key, v) {
		bool known = strcmp(key, "prompt") == 0 || strcmp(key, "options") == 0 ||
			     strcmp(key, "recording") == 0 || (depth == 1 && strcmp(key, "closed") == 0);
		if (!known) {
			char where[256];
			join(where, sizeof(where), path, key);
			return fail(c, where, "unknown member '%.32s'", key);
		}
	}
	int rc = check_prompt(c, menu, path, true);
	if (rc == GC_OK)
		rc = check_options(c, json_object_get(menu, "options"), path, depth);
	json_t *closed = json_object_get(menu, "closed");
	if (rc == GC_OK && closed) {
		char where[256];
		join(where, sizeof(where), path, "closed");
		if (!json_is_object(closed) || json_object_size(closed) == 0)
			return fail(c, where, "'closed' is {\"prompt\", \"recording\"}");
		const char *key2;
		json_t *v2;
		json_object_foreach(closed, key2, v2) {
			if (strcmp(key2, "prompt") != 0 && strcmp(key2, "recording") != 0) {
				char at[256];
				join(at, sizeof(at), where, key2);
				return fail(c, at, "unknown member '%.32s'", key2);
			}
		}
		rc = check_prompt(c, closed, where, true);
	}
	return rc;
}

int voice_menu_check(const json_t *menu, const char *prefix, char *ret_field, size_t field_len, char *ret_message,
		     size_t message_len)
{
	struct check c = {.field = ret_field, .message = ret_message, .field_len = field_len,
			  .message_len = message_len};
	return check_menu(&c, menu, prefix, 1);
}

static void collect(const json_t *menu, int64_t *ret, size_t *n)
{
	const char *key;
	json_t *option;
	json_object_foreach(json_object_get(menu, "options"), key, option) {
		json_t *sub = json_object_get(option, "menu");
		if (sub) {
			collect(sub, ret, n);
			continue;
		}
		int64_t id = json_integer_value(json_object_get(option, "queue_id"));
		size_t i = 0;
		while (i < *n && ret[i] != id)
			i++;
		if (i == *n && *n < VOICE_MENU_MAX_QUEUES)
			ret[(*n)++] = id;
	}
}

void voice_menu_queues(const json_t *menu, int64_t *ret, size_t *ret_n)
{
	*ret_n = 0;
	if (json_is_object(menu))
		collect(menu, ret, ret_n);
}

int voice_menu_choose(const json_t *menu, char key, int64_t *ret_queue_id, const json_t **ret_menu)
{
	char name[2] = {key, '\0'};
	json_t *option = json_object_get(json_object_get(menu, "options"), name);
	if (!json_is_object(option))
		return GC_ENOTFOUND;
	json_t *sub = json_object_get(option, "menu");
	*ret_queue_id = sub ? 0 : json_integer_value(json_object_get(option, "queue_id"));
	*ret_menu = sub;
	return GC_OK;
}

const char *voice_menu_prompt(const json_t *menu)
{
	return json_string_value(json_object_get(menu, "prompt"));
}

const char *voice_menu_closed_prompt(const json_t *menu)
{
	return json_string_value(json_object_get(json_object_get(menu, "closed"), "prompt"));
}

int64_t voice_menu_recording(const json_t *menu)
{
	return json_integer_value(json_object_get(menu, "recording"));
}

static void add_id(int64_t id, int64_t *ret, size_t *n, size_t max)
{
	size_t i = 0;
	while (i < *n && ret[i] != id)
		i++;
	if (id > 0 && i == *n && *n < max)
		ret[(*n)++] = id;
}

static void collect_recordings(const json_t *menu, int64_t *ret, size_t *n)
{
	add_id(voice_menu_recording(menu), ret, n, VOICE_MENU_MAX_RECORDINGS);
	add_id(voice_menu_recording(json_object_get(menu, "closed")), ret, n, VOICE_MENU_MAX_RECORDINGS);
	const char *key;
	json_t *option;
	json_object_foreach(json_object_get(menu, "options"), key, option) {
		json_t *sub = json_object_get(option, "menu");
		if (sub)
			collect_recordings(sub, ret, n);
	}
}

void voice_menu_recordings(const json_t *menu, int64_t *ret, size_t *ret_n)
{
	*ret_n = 0;
	if (json_is_object(menu))
		collect_recordings(menu, ret, ret_n);
}
