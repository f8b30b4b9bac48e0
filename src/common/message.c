/* A message's template and values (guichet/message.h). glibc's
 * parse_printf_format says what type each conversion takes; the conversion's
 * own text is found here, so that each value is shown as in the message. */
#include "guichet/message.h"

#include <printf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The next conversion of p (past "%%"), and its length; NULL when none. */
static const char *next_conversion(const char *p, size_t *ret_len)
{
	while ((p = strchr(p, '%')) != NULL) {
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		size_t n = strcspn(p + 1, "diouxXeEfFgGaAcsp");
		if (p[1 + n] == '\0')
			return NULL;
		*ret_len = n + 2;
		return p;
	}
	return NULL;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* each spec is cut from a checked format */
/* One value of type (parse_printf_format's) formatted by spec into out;
 * its length, or -1 when the type is not one messages use. */
static int format_value(char *out, size_t size, const char *spec, int type, va_list *ap)
{
	switch (type & ~PA_FLAG_MASK) {
	case PA_INT:
		if (type & PA_FLAG_LONG_LONG)
			return snprintf(out, size, spec, va_arg(*ap, long long));
		if (type & PA_FLAG_LONG)
			return snprintf(out, size, spec, va_arg(*ap, long));
		return snprintf(out, size, spec, va_arg(*ap, int));
	case PA_CHAR:
		return snprintf(out, size, spec, va_arg(*ap, int));
	case PA_STRING:
		return snprintf(out, size, spec, va_arg(*ap, const char *));
	case PA_DOUBLE:
		if (type & PA_FLAG_LONG_DOUBLE)
			return -1;
		return snprintf(out, size, spec, va_arg(*ap, double));
	default:
		return -1;
	}
}
#pragma GCC diagnostic pop

void gc_message_split(struct gc_message *m, const char *fmt, va_list ap)
{
	int types[GC_MESSAGE_VALUES];
	m->template = NULL;
	m->n = 0;
	if (fmt == NULL || strcmp(fmt, "%s") == 0 || strchr(fmt, '$') || strchr(fmt, '*'))
		return;
	size_t n = parse_printf_format(fmt, GC_MESSAGE_VALUES, types);
	if (n > GC_MESSAGE_VALUES)
		return;
	va_list copy;
	va_copy(copy, ap);
	const char *p = fmt;
	size_t used = 0;
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		size_t len = 0;
		char spec[32];
		p = next_conversion(p, &len);
		if (p == NULL || len >= sizeof(spec)) {
			ok = false;
			break;
		}
		memcpy(spec, p, len);
		spec[len] = '\0';
		p += len;
		int w = format_value(m->packed + used, sizeof(m->packed) - used, spec, types[i], &copy);
		ok = w >= 0 && used + (size_t)w + 1 <= sizeof(m->packed);
		used += (size_t)w + 1;
	}
	va_end(copy);
	if (ok) {
		m->template = fmt;
		m->n = (unsigned)n;
	}
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* fmt is the caller's, checked by its format attribute */
void gc_message_format(char *out, size_t size, struct gc_message *m, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	vsnprintf(out, size, fmt, copy);
	va_end(copy);
	gc_message_split(m, fmt, ap);
}
#pragma GCC diagnostic pop

const char *gc_message_value(const struct gc_message *m, unsigned i)
{
	const char *v = m->packed;
	while (i-- > 0)
		v += strlen(v) + 1;
	return v;
}
