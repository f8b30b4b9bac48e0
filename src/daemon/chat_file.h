/* What a web chat's attachment may be (docs/chat.md, "Attachments"): its
 * type told by its first bytes, never by its name or the type the sender
 * declares (a ".png" that is an executable is no image), its name made
 * safe to show and to store, and a channel's limits read from its
 * configuration. Pure: no I/O. */
#ifndef GUICHET_DAEMON_CHAT_FILE_H
#define GUICHET_DAEMON_CHAT_FILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAT_FILE_HEAD 4096                     /* bytes chat_file_sniff looks at */
#define CHAT_FILE_MAX (25LL * 1024 * 1024)      /* the most a channel may allow */
#define CHAT_FILE_DEFAULT_MAX (10LL * 1024 * 1024)
#define CHAT_FILE_DEFAULT_PER_CHAT 10
#define CHAT_FILE_PER_CHAT_MAX 100
#define CHAT_FILE_NAME_MAX 200                  /* bytes of a cleaned name */

/* The types a chat may carry, in the order a channel lists them by
 * default, NULL-terminated. */
extern const char *const chat_file_types[];

/* A channel's limits: max_bytes 0 refuses every attachment. */
struct chat_file_limits {
	int64_t max_bytes;
	int per_chat;
	unsigned types; /* bit i: chat_file_types[i] allowed */
};

/* The type of a file whose first len bytes (at most CHAT_FILE_HEAD are
 * looked at; len is the whole file when shorter) are head, total its whole
 * size: one of chat_file_types, or NULL when it is none of them. text/plain
 * is UTF-8 with no control character but tab, newline, carriage return and
 * form feed (a character cut at the end of the head is allowed). */
const char *chat_file_sniff(const void *head, size_t len, int64_t total);

/* The index of type in chat_file_types, or -1. */
int chat_file_type_index(const char *type);

/* The limits of a channel's "attachments" member ({"max_bytes", "types",
 * "per_chat"}, each optional; NULL: all defaults). GC_EINVAL with
 * ret_field naming the member ("attachments.types"...) when one is wrong. */
int chat_file_limits_parse(const json_t *obj, struct chat_file_limits *ret, const char **ret_field);
/* The limits as the channel's row shows them. */
json_t *chat_file_limits_json(const struct chat_file_limits *l);

/* A name to store and show: valid UTF-8 cleaned of control characters,
 * slashes and backslashes made '_', cut at CHAT_FILE_NAME_MAX bytes (at a
 * character's start); "attachment" when nothing is left. ret holds at
 * least CHAT_FILE_NAME_MAX + 1 bytes. */
void chat_file_name(const char *name, char *ret);

#endif
