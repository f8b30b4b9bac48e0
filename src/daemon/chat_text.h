/* What a chat message's body may be: valid UTF-8, its control characters
 * removed but newlines and tabs (C0, DEL and C1: a visitor's text reaches
 * agents' screens and transcripts), then 1 to CHAT_BODY_MAX bytes. */
#ifndef GUICHET_DAEMON_CHAT_TEXT_H
#define GUICHET_DAEMON_CHAT_TEXT_H

#include <stddef.h>

#define CHAT_BODY_MAX 4000

/* Cleans text (len bytes) into ret (at least len + 1 bytes, NUL-terminated):
 * GC_EINVAL when text is not valid UTF-8 (overlong forms and surrogates
 * refused), or is empty or longer than max bytes once cleaned. */
int chat_text_clean(const char *text, size_t len, size_t max, char *ret, size_t *ret_len);

#endif
