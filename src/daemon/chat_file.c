/* What a web chat's attachment may be (chat_file.h): the type by the
 * file's first bytes, the name made safe, a channel's limits. */
#include "daemon/chat_file.h"
#include "daemon/chat_text.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const chat_file_types[] = {"image/png", "image/jpeg", "image/gif", "image/webp",
				       "application/pdf", "text/plain", NULL};
#define ALL_TYPES ((1u << 6) - 1)

struct magic {
	const char *type;
	size_t offset, len;
	const char *bytes;
};

/* The signatures of the binary types (WHATWG MIME Sniffing, section 6). */
static const struct magic magics[] = {
	{"image/png", 0, 8, "\x89PNG\r\n\x1a\n"},
	{"image/jpeg", 0, 3, "\xff\xd8\xff"},
	{"image/gif", 0, 6, "GIF87a"},
	{"image/gif", 0, 6, "GIF89a"},
	{"application/pdf", 0, 5, "%PDF-"},
};

/* Whether head is UTF-8 text: valid sequences (the last one may be cut at
 * the head's end when more follows), no control character but \t \n \f \r. */
static bool is_text(const unsigned char *p, size_t len, bool cut)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 2 : (c & 0xf0) == 0xe0 ? 3
			 : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 4 : 0;
		if (n == 0 || (c < 0x20 && !strchr("\t\n\f\r", c)) || c == 0x7f)
			return false;
		if (i + n > len)
			return cut;
		for (size_t k = 1; k < n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0) || (c == 0xf0 && p[i + 1] < 0x90) ||
		    (c == 0xf4 && p[i + 1] >= 0x90))
			return false; /* overlong, surrogate or past U+10FFFF */
		if (c == 0xc2 && p[i + 1] < 0xa0)
			return false; /* C1 controls */
		i += n;
	}
	return true;
}

const char *chat_file_sniff(const void *head, size_t len, int64_t total)
{
	const unsigned char *p = head;
	if (len > CHAT_FILE_HEAD)
		len = CHAT_FILE_HEAD;
	if (len == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		const struct magic *m = &magics[i];
		if (len >= m->offset + m->len && memcmp(p + m->offset, m->bytes, m->len) == 0)
			return m->type;
	}
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	return is_text(p, len, total > (int64_t)len) ? "text/plain" : NULL;
}

int chat_file_type_index(const char *type)
{
	for (int i = 0; type && chat_file_types[i]; i++)
		if (strcmp(chat_file_types[i], type) == 0)
			return i;
	return -1;
}

int chat_file_limits_parse(const json_t *obj, struct chat_file_limits *ret, const char **ret_field)
{
	struct chat_file_limits l = {CHAT_FILE_DEFAULT_MAX, CHAT_FILE_DEFAULT_PER_CHAT, ALL_TYPES};
	const char *key;
	json_t *v;
	if (obj && !json_is_object(obj))
		return *ret_field = "attachments", GC_EINVAL;
	json_object_foreach((json_t *)obj, key, v) {
		if (strcmp(key, "max_bytes") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > CHAT_FILE_MAX)
				return *ret_field = "attachments.max_bytes", GC_EINVAL;
			l.max_bytes = json_integer_value(v);
		} else if (strcmp(key, "per_chat") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > CHAT_FILE_PER_CHAT_MAX)
				return *ret_field = "attachments.per_chat", GC_EINVAL;
			l.per_chat = (int)json_integer_value(v);
		} else if (strcmp(key, "types") == 0) {
			size_t i;
			json_t *t;
			if (!json_is_array(v))
				return *ret_field = "attachments.types", GC_EINVAL;
			l.types = 0;
			json_array_foreach(v, i, t) {
				int k = chat_file_type_index(json_string_value(t));
				if (k < 0)
					return *ret_field = "attachments.types", GC_EINVAL;
				l.types |= 1u << k;
			}
		} else {
			return *ret_field = "attachments", GC_EINVAL;
		}
	}
	*ret = l;
	return GC_OK;
}

json_t *chat_file_limits_json(const struct chat_file_limits *l)
{
	json_t *types = json_array();
	for (int i = 0; chat_file_types[i]; i++)
		if (l->types & (1u << i))
			json_array_append_new(types, json_string(chat_file_types[i]));
	return json_pack("{s:I,s:o,s:i}", "max_bytes", (json_int_t)l->max_bytes, "types", types, "per_chat",
			 l->per_chat);
}

void chat_file_name(const char *name, char *ret)
{
	size_t len = name ? strlen(name) : 0, out = 0;
	char *clean = len ? malloc(len + 1) : NULL;
	if (clean && chat_text_clean(name, len, len, clean, &out) == GC_OK) {
		for (size_t i = 0; i < out; i++)
			if (clean[i] == '/' || clean[i] == '\\' || clean[i] == '\n' || clean[i] == '\t')
				clean[i] = '_';
		if (out > CHAT_FILE_NAME_MAX) {
			out = CHAT_FILE_NAME_MAX;
			while (out > 0 && ((unsigned char)clean[out] & 0xc0) == 0x80)
				out--;
		}
		memcpy(ret, clean, out);
	} else {
		out = 0;
	}
	free(clean);
	ret[out] = '\0';
	if (strspn(ret, ". ") == out) /* nothing, or only dots: no relative name */
		snprintf(ret, CHAT_FILE_NAME_MAX + 1, "attachment");
}
