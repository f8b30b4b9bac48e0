/* An error message's values, each as the message shows it, so that a client
 * can put them in the message's template translated (docs/api.md, "Errors";
 * the web pages do for French). Pure: no I/O. */
#ifndef GUICHET_DAEMON_MESSAGE_ARGS_H
#define GUICHET_DAEMON_MESSAGE_ARGS_H

#include <jansson.h>
#include <stdarg.h>

/* The values fmt's conversions take from ap, each formatted by its own
 * conversion ("%.1f" gives "2.5"), as a JSON array of strings; NULL when fmt
 * is one the function cannot split (a '*' width, positional arguments, a
 * value that is not UTF-8) or memory runs out. ap is read from a copy. */
json_t *message_args(const char *fmt, va_list ap);

#endif
