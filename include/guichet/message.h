/* A message as its template and its values: the format string it was made
 * from and each value formatted alone, as the message shows it, so that a
 * client can put them in the template translated (docs/api.md, "Errors").
 * Pure: no I/O, no allocation. */
#ifndef GUICHET_MESSAGE_H
#define GUICHET_MESSAGE_H

#include <stdarg.h>
#include <stddef.h>

#define GC_MESSAGE_VALUES 16    /* values a template takes at most */
#define GC_MESSAGE_PACKED 320   /* bytes of the values, each ended by '\0' */

struct gc_message {
	const char *template;   /* the format string (a literal); NULL: none to give */
	unsigned n;             /* values in packed, in order */
	char packed[GC_MESSAGE_PACKED];
};

/* A note guichet writes on a contact (an escalation, a failed send), or a
 * subject it gives one ("Callback", "Call from ..."): its format string,
 * marked so that web/scripts/server-messages.mjs lists it with the errors'
 * templates, for the pages to say it in their language
 * (web/src/i18n/errors.js, localNote and localSubject). */
#define SYSTEM_NOTE(fmt) fmt

/* m from fmt and its values in ap (read from a copy). m->template is NULL
 * when fmt is "%s" (it says nothing) or one this cannot split: a '*' width,
 * positional arguments, more or longer values than m holds. */
void gc_message_split(struct gc_message *m, const char *fmt, va_list ap);

/* The message fmt makes with ap, into out (size bytes, cut as snprintf
 * cuts), and m as gc_message_split gives it: what every error writer does. */
void gc_message_format(char *out, size_t size, struct gc_message *m, const char *fmt, va_list ap);

/* The i-th value of m (i < m->n). */
const char *gc_message_value(const struct gc_message *m, unsigned i);

#endif
