/* HTML to the text an agent reads, for mail that has no text/plain part. */
#ifndef GUICHET_CHANNEL_EMAIL_HTML_H
#define GUICHET_CHANNEL_EMAIL_HTML_H

#include <stddef.h>

/* Turns UTF-8 HTML into plain text with libxml2's forgiving HTML parser:
 * block elements become line breaks, script, style and head are dropped,
 * entities decoded, runs of white space collapsed to one space and blank
 * lines to one. Returns 0 with *ret_text (g_malloc'd, NUL-terminated), or
 * GC_ETOOBIG when len is over INT_MAX. Broken HTML still gives text. */
int email_html_to_text(const char *html, size_t len, char **ret_text);

#endif
