/* Knowledge content (guichet/kb_content.h): article checks, canonical
 * forms, the text a search indexes, canned replies' variables.
 *
 * Limits are checked first, by one walk over the JSON that allocates
 * nothing, so an oversized tree is never parsed nor indexed. */
#include "guichet/kb_content.h"
#include "guichet/error.h"
#include "guichet/kb_text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The content's own mistakes name no node. */
#define err(e, field, code, ...) kb_error_add(e, NULL, field, code, __VA_ARGS__)
#define var kb_error_var
#define var_n kb_error_var_n

struct limits {
	size_t total;              /* bytes of strings and keys so far */
	struct kb_tree_errors *e;
};

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* The limit of a string found under key name at depth (1: the content's own fields). */
static bool string_ok(const char *name, int depth, const json_t *v, struct limits *l)
{
	size_t len = json_string_length(v);
	if (depth == 1 && strcmp(name, "title") == 0 && utf8_chars(json_string_value(v), len) > KB_MAX_TITLE_CHARS)
		return var_n(err(l->e, "title", "title_long", "'title' is over %d characters", KB_MAX_TITLE_CHARS), "max",
			     KB_MAX_TITLE_CHARS), false;
	size_t max = depth == 1 && strcmp(name, "body") == 0 ? KB_MAX_BODY
		   : depth == 1 && strcmp(name, "internal") == 0 ? KB_MAX_INTERNAL : KB_MAX_STRING;
	if (len > max)
		return var_n(err(l->e, name, "too_long", "'%s' is over %zu bytes", name, max), "max", (long long)max), false;
	return true;
}

/* Walks v, found under name (the nearest field name above it). */
static bool walk_limits(const char *name, const json_t *v, int depth, struct limits *l)
{
	if (depth > KB_MAX_DEPTH)
		return var_n(err(l->e, name, "too_deep", "'%s' nests deeper than %d levels", name, KB_MAX_DEPTH), "max",
			     KB_MAX_DEPTH), false;
	if (json_is_string(v)) {
		l->total += json_string_length(v);
		return string_ok(name, depth, v, l);
	}
	if (json_is_array(v)) {
		size_t max = depth == 1 && strcmp(name, "nodes") == 0 ? KB_MAX_NODES : KB_MAX_LIST;
		if (json_array_size(v) > max)
			return var_n(err(l->e, name, "too_many", "'%s' has more than %zu entries", name, max), "max",
				     (long long)max), false;
		size_t i;
		const json_t *x;
		json_array_foreach(v, i, x) if (!walk_limits(name, x, depth + 1, l)) return false;
	} else if (json_is_object(v)) {
		if (json_object_size(v) > KB_MAX_NODES) /* a scenario's answers: one per node at most */
			return var_n(err(l->e, name, "too_many", "'%s' has more than %d fields", name, KB_MAX_NODES), "max",
				     KB_MAX_NODES), false;
		const char *key;
		const json_t *x;
		json_object_foreach((json_t *)v, key, x) {
			l->total += strlen(key);
			if (!walk_limits(key, x, depth + 1, l))
				return false;
		}
	}
	if (l->total > KB_MAX_TOTAL)
		return var_n(err(l->e, name, "too_big", "the content is over %d bytes of text", KB_MAX_TOTAL), "max",
			     KB_MAX_TOTAL), false;
	return true;
}

int kb_content_limits(const json_t *content, struct kb_tree_errors *e)
{
	struct limits l = {.e = e};
	e->n = 0;
	if (!json_is_object(content))
		return GC_OK; /* kb_content_check says what it must be */
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)content, key, v) {
		l.total += strlen(key);
		if (!walk_limits(key, v, 1, &l))
			return GC_ETOOBIG;
	}
	return GC_OK;
}

const char *kb_content_kind(const json_t *content)
{
	const char *kind = json_string_value(json_object_get(content, "kind"));
	if (kind)
		return kind;
	return json_object_get(content, "nodes") ? "tree" : "article";
}

static bool id_ok(const char *s)
{
	size_t n = 0;
	for (; s && s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && !strchr("._-", s[n]))
			return false;
	return n >= 1 && n <= 64;
}

static bool string_list(const json_t *o, const char *name, bool required, struct kb_tree_errors *e)
{
	const json_t *v = json_object_get(o, name);
	if (v == NULL)
		return !required || (err(e, name, "required", "'%s' is required", name), false);
	bool ok = json_is_array(v);
	size_t i;
	const json_t *x;
	json_array_foreach(v, i, x) ok = ok && json_is_string(x) && json_string_length(x) > 0;
	if (!ok)
		err(e, name, "words", "'%s' must be a list of non-empty strings", name);
	return ok;
}

static const char *text(const json_t *o, const char *name, bool required, struct kb_tree_errors *e)
{
	const json_t *v = json_object_get(o, name);
	if (v == NULL && !required)
		return NULL;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		err(e, name, "required", "'%s' must be a non-empty string", name);
		return NULL;
	}
	return json_string_value(v);
}

static void check_article(const json_t *a, struct kb_tree_errors *e)
{
	static const char *const known[] = {"id", "kind", "type", "title", "body", "lang", "tags", "products",
					    "steps", "internal", "replies", "translation_of", NULL};
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)a, key, v) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (known[i] == NULL)
			err(e, key, "unknown_field", "unknown field '%s'", key);
	}
	const char *id = text(a, "id", true, e);
	if (id && !id_ok(id))
		err(e, "id", "id", "'id' must be 1 to 64 letters, digits, '.', '_' or '-'");
	const char *original = text(a, "translation_of", false, e);
	if (original && !id_ok(original))
		err(e, "translation_of", "id",
		    "'translation_of' must be the id of an article: 1 to 64 letters, digits, "
					 "'.', '_' or '-'");
	text(a, "title", true, e);
	text(a, "body", true, e);
	text(a, "internal", false, e);
	enum kb_lang lang;
	const char *code = text(a, "lang", true, e);
	if (code && kb_lang_parse(code, &lang) < 0)
		err(e, "lang", "lang", "'lang' must be 'fr' or 'en'");
	string_list(a, "tags", false, e);
	string_list(a, "products", false, e);
	const char *type = text(a, "type", false, e);
	if (type && strcmp(type, "answer") && strcmp(type, "recommendation") && strcmp(type, "procedure"))
		err(e, "type", "article_type", "'type' must be answer, recommendation or procedure");
	if (type && strcmp(type, "procedure") == 0)
		string_list(a, "steps", true, e);
	else if (json_object_get(a, "steps"))
		string_list(a, "steps", false, e);
	const json_t *replies = json_object_get(a, "replies");
	size_t i;
	const json_t *r;
	if (replies && !json_is_array(replies))
		err(e, "replies", "replies", "'replies' must be a list of {\"name\", \"text\"}");
	json_array_foreach(replies, i, r) {
		if (!json_is_object(r) || !json_is_string(json_object_get(r, "name")) ||
		    !json_is_string(json_object_get(r, "text")))
			var_n(err(e, "replies", "reply", "reply %zu needs a 'name' and a 'text'", i + 1), "n", (long long)i + 1);
	}
}

bool kb_content_check(const json_t *content, struct kb_tree_errors *e, json_t **ret_canonical)
{
	e->n = 0;
	*ret_canonical = NULL;
	if (!json_is_object(content)) {
		err(e, "", "object", "an article or a tree is a JSON object");
		return false;
	}
	if (kb_content_limits(content, e) < 0)
		return false;
	const char *kind = kb_content_kind(content);
	if (strcmp(kind, "tree") == 0) {
		struct kb_tree *t = kb_tree_parse(content, e);
		if (t == NULL)
			return false;
		enum kb_lang lang;
		if (kb_lang_parse(kb_tree_lang(t), &lang) < 0) {
			err(e, "lang", "lang", "'lang' must be 'fr' or 'en'");
			kb_tree_free(t);
			return false;
		}
		kb_tree_free(t);
	} else if (strcmp(kind, "article") == 0) {
		check_article(content, e);
	} else {
		err(e, "kind", "kind", "'kind' must be article or tree");
	}
	if (e->n)
		return false;
	json_t *c = json_deep_copy(content);
	json_object_set_new(c, "kind", json_string(kind));
	if (strcmp(kind, "article") == 0 && !json_object_get(c, "type"))
		json_object_set_new(c, "type", json_string("answer"));
	if (!json_object_get(c, "tags"))
		json_object_set_new(c, "tags", json_array());
	*ret_canonical = c;
	return true;
}

static void add_line(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || *buf == NULL)
		return;
	if (*len + n + 2 > *cap) {
		*cap = (*len + n + 2) * 2;
		char *b = realloc(*buf, *cap);
		if (b == NULL) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = b;
	}
	memcpy(*buf + *len, s, n);
	(*buf)[*len + n] = '\n';
	*len += n + 1;
	(*buf)[*len] = '\0';
}

char *kb_content_body(const json_t *c)
{
	if (strcmp(kb_content_kind(c), "tree") == 0) {
		struct kb_tree_errors e;
		struct kb_tree *t = kb_tree_parse(c, &e);
		char *out = t ? kb_tree_text(t) : strdup("");
		kb_tree_free(t);
		char *text = out ? kb_drop_variables(out) : NULL;
		free(out);
		return text;
	}
	size_t len = 0, cap = 256;
	char *buf = calloc(cap, 1);
	add_line(&buf, &len, &cap, json_string_value(json_object_get(c, "body")));
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(c, "steps"), i, x) add_line(&buf, &len, &cap, json_string_value(x));
	char *text = buf ? kb_drop_variables(buf) : NULL;
	free(buf);
	return text;
}

char *kb_content_tags(const json_t *c)
{
	size_t len = 0, cap = 64;
	char *buf = calloc(cap, 1);
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(c, "tags"), i, x) add_line(&buf, &len, &cap, json_string_value(x));
	json_array_foreach(json_object_get(c, "products"), i, x) add_line(&buf, &len, &cap, json_string_value(x));
	return buf;
}

char *kb_drop_variables(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (const char *p = text; *p;) {
		const char *close = p[0] == '{' && p[1] == '{' ? strstr(p + 2, "}}") : NULL;
		if (close == NULL) {
			*o++ = *p++;
			continue;
		}
		p = close + 2;
		if (o > out && o[-1] == ' ' && (*p == '\0' || strchr(",.;:!?) \n", *p)))
			o--; /* "Bonjour {{x}}, ..." is "Bonjour, ..." */
	}
	*o = '\0';
	return out;
}

char *kb_fill(const char *text, kb_var_fn fn, void *arg, json_t **ret_missing)
{
	size_t cap = strlen(text) + 64, len = 0;
	char *out = malloc(cap);
	if (ret_missing)
		*ret_missing = json_array();
	for (const char *p = text; out && *p;) {
		const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
		size_t plain = close ? (size_t)(open - p) : strlen(p);
		const char *value = NULL;
		char name[128] = "";
		if (close) {
			const char *a = open + 2, *b = close;
			while (a < b && isspace((unsigned char)*a))
				a++;
			while (b > a && isspace((unsigned char)b[-1]))
				b--;
			snprintf(name, sizeof(name), "%.*s", (int)(b - a), a);
			value = fn(name, arg);
			if (value == NULL) {
				plain += (size_t)(close + 2 - open); /* left as it is */
				if (ret_missing && *ret_missing)
					json_array_append_new(*ret_missing, json_string(name));
			}
		}
		size_t vlen = value ? strlen(value) : 0;
		if (len + plain + vlen + 1 > cap) {
			cap = (len + plain + vlen + 1) * 2;
			char *b = realloc(out, cap);
			if (b == NULL) {
				free(out);
				return NULL;
			}
			out = b;
		}
		memcpy(out + len, p, plain);
		len += plain;
		memcpy(out + len, value ? value : "", vlen);
		len += vlen;
		p += plain + (value ? (size_t)(close + 2 - open) : 0);
	}
	if (out)
		out[len] = '\0';
	return out;
}
