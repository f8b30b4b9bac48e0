/* Categorisation rules: checking one, and finding the first that matches
 * an arriving contact (see guichet/rules.h). */
#include "guichet/rules.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int fail(struct decode_error *err, const char *field, const char *message)
{
	err->code = GC_EINVAL;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	snprintf(err->message, sizeof(err->message), "%s", message);
	return GC_EINVAL;
}

char *rules_fold(const char *text, size_t max_in)
{
	size_t len = strnlen(text, max_in);
	while (len > 0 && len < strlen(text) && ((unsigned char)text[len] & 0xC0) == 0x80)
		len--; /* never cut a character in two */
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &mapped,
					  UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
						  UTF8PROC_STRIPMARK | UTF8PROC_COMPAT);
	if (n < 0) { /* invalid UTF-8: compare the bytes, ASCII folded */
		mapped = malloc(len + 1);
		if (mapped == NULL)
			return NULL;
		for (size_t i = 0; i < len; i++)
			mapped[i] = (utf8proc_uint8_t)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
		n = (utf8proc_ssize_t)len;
	}
	char *out = malloc((size_t)n + 3), *o = out;
	if (out == NULL) {
		free(mapped);
		return NULL;
	}
	*o++ = ' ';
	for (utf8proc_ssize_t i = 0; i < n;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t step = utf8proc_iterate(mapped + i, n - i, &cp);
		if (step <= 0) {
			cp = -1;
			step = 1;
		}
		utf8proc_category_t cat = cp >= 0 ? utf8proc_category(cp) : UTF8PROC_CATEGORY_CN;
		bool word = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
			    (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
		if (word) {
			memcpy(o, mapped + i, (size_t)step);
			o += step;
		} else if (o[-1] != ' ') {
			*o++ = ' ';
		}
		i += step;
	}
	if (o[-1] != ' ')
		*o++ = ' ';
	*o = '\0';
	free(mapped);
	return out;
}

/* A list of strings (at most RULES_MAX_TERMS, each 1 to RULES_MAX_TERM
 * bytes, with at least a letter or digit), or absent. */
static int check_terms(const json_t *obj, const char *name, bool address, struct decode_error *err)
{
	const json_t *list = json_object_get(obj, name);
	if (list == NULL || json_is_null(list))
		return GC_OK;
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > RULES_MAX_TERMS)
		return fail(err, name, "a list of 1 to 50 strings is needed");
	size_t i;
	const json_t *v;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL || *s == '\0' || strlen(s) > RULES_MAX_TERM)
			return fail(err, name, "each entry is a string of 1 to 200 bytes");
		if (address ? strchr(s, '@') == NULL || strchr(s, ' ') != NULL : false)
			return fail(err, name, "each entry is an address (alice@example.org) or a domain (@example.org)");
		if (!address) {
			char *folded = rules_fold(s, RULES_MAX_TERM);
			bool empty = folded == NULL || strcmp(folded, " ") == 0;
			free(folded);
			if (empty)
				return fail(err, name, "each entry needs a letter or a digit");
		}
	}
	return GC_OK;
}

int rule_decode(const json_t *obj, json_t **ret_canonical, struct decode_error *err)
{
	static const char *const known[] = {"name", "reason", "level", "from", "subject", "body",
					    "queue_id", "reply", "position", NULL};
	*err = (struct decode_error){0};
	if (!json_is_object(obj))
		return fail(err, NULL, "a rule is a JSON object");
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)obj, key, value) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (known[i] == NULL) {
			fail(err, key, "unknown field");
			snprintf(err->message, sizeof(err->message), "unknown field '%s'", key);
			return GC_EINVAL;
		}
	}
	const char *name = json_string_value(json_object_get(obj, "name"));
	const char *reason = json_string_value(json_object_get(obj, "reason"));
	if (name == NULL || *name == '\0' || strlen(name) > 100 || strchr(name, '\n'))
		return fail(err, "name", "a name of 1 to 100 bytes on one line is needed");
	if (reason == NULL || *reason == '\0' || strlen(reason) > 100 || strchr(reason, '\n'))
		return fail(err, "reason", "a reason of 1 to 100 bytes on one line is needed");
	const json_t *level = json_object_get(obj, "level");
	json_int_t lvl = level ? json_integer_value(level) : 1;
	if (level && (!json_is_integer(level) || lvl < 1 || lvl > 2))
		return fail(err, "level", "the level is 1 (first level) or 2 (experts)");
	int rc;
	if ((rc = check_terms(obj, "from", true, err)) < 0 || (rc = check_terms(obj, "subject", false, err)) < 0 ||
	    (rc = check_terms(obj, "body", false, err)) < 0)
		return rc;
	if (!json_object_get(obj, "from") && !json_object_get(obj, "subject") && !json_object_get(obj, "body"))
		return fail(err, "subject", "a rule needs at least one condition: from, subject or body");
	const json_t *queue = json_object_get(obj, "queue_id");
	if (queue && !json_is_null(queue) && (!json_is_integer(queue) || json_integer_value(queue) < 1))
		return fail(err, "queue_id", "a queue's id is a positive integer");
	const json_t *position = json_object_get(obj, "position");
	json_int_t pos = position ? json_integer_value(position) : 100;
	if (position && (!json_is_integer(position) || pos < 0 || pos > 1000000))
		return fail(err, "position", "the position is an integer from 0 to 1000000");
	const json_t *reply = json_object_get(obj, "reply");
	if (reply && !json_is_null(reply)) {
		const char *article = json_string_value(json_object_get(reply, "article"));
		const json_t *rname = json_object_get(reply, "name");
		if (!json_is_object(reply) || article == NULL || *article == '\0' || strlen(article) > 128 ||
		    (rname && (!json_is_string(rname) || json_string_length(rname) > 100)) ||
		    json_object_size(reply) > (rname ? 2u : 1u))
			return fail(err, "reply", "a reply is {\"article\": KEY, \"name\": REPLY} (name optional)");
		if (lvl == 2)
			return fail(err, "reply", "a level-2 rule has no canned reply: experts answer it");
	}
	json_t *out = json_pack("{s:s,s:s,s:I,s:I}", "name", name, "reason", reason, "level", lvl, "position", pos);
	static const char *const lists[] = {"from", "subject", "body", NULL};
	for (size_t i = 0; lists[i]; i++)
		if (json_is_array(json_object_get(obj, lists[i])))
			json_object_set(out, lists[i], json_object_get(obj, lists[i]));
	if (queue && json_is_integer(queue))
		json_object_set_new(out, "queue_id", json_integer(json_integer_value(queue)));
	if (reply && json_is_object(reply))
		json_object_set_new(out, "reply", json_deep_copy(reply));
	*ret_canonical = out;
	return GC_OK;
}

/* Whether the sender is one of the addresses or in one of the domains. */
static bool from_matches(const json_t *list, const char *from)
{
	if (from == NULL)
		return false;
	size_t i, flen = strlen(from);
	const json_t *v;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		size_t slen = strlen(s);
		if (s[0] == '@' ? flen > slen && strcasecmp(from + flen - slen, s) == 0 : strcasecmp(from, s) == 0)
			return true;
	}
	return false;
}

/* Whether one of the words or phrases is in the folded text. */
static bool words_match(const json_t *list, const char *folded)
{
	size_t i;
	const json_t *v;
	json_array_foreach(list, i, v) {
		char *term = rules_fold(json_string_value(v), RULES_MAX_TERM);
		bool found = term && folded && strstr(folded, term) != NULL;
		free(term);
		if (found)
			return true;
	}
	return false;
}

int rules_match(const json_t *rules, const struct rule_subject *in)
{
	char *subject = NULL, *body = NULL;
	int found = -1;
	size_t i;
	const json_t *rule;
	json_array_foreach(rules, i, rule) {
		const json_t *from = json_object_get(rule, "from"), *subj = json_object_get(rule, "subject"),
			     *words = json_object_get(rule, "body");
		if (subj && subject == NULL && in->subject)
			subject = rules_fold(in->subject, RULES_BODY_SCAN);
		if (words && body == NULL && in->body)
			body = rules_fold(in->body, RULES_BODY_SCAN);
		if ((from || subj || words) && (!from || from_matches(from, in->from)) &&
		    (!subj || words_match(subj, subject)) && (!words || words_match(words, body))) {
			found = (int)i;
			break;
		}
	}
	free(subject);
	free(body);
	return found;
}
