/* An error message's values, each formatted alone (message_args.h). glibc's
 * parse_printf_format says what type each conversion takes; the conversion's
 * own text is found here so that each value is shown as in the message. */
#include "daemon/message_args.h"

#include <printf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_VALUES 16

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

/* One value of type (parse_printf_format's) formatted by spec; false when
 * the type is not one the messages use. */
static bool format_value(char *out, size_t size, const char *spec, int type, va_list *ap)
{
	switch (type & ~PA_FLAG_MASK) {
	case PA_INT:
		if (type & PA_FLAG_LONG_LONG)
			snprintf(out, size, spec, va_arg(*ap, long long));
		else if (type & PA_FLAG_LONG)
			snprintf(out, size, spec, va_arg(*ap, long));
		else
			snprintf(out, size, spec, va_arg(*ap, int));
		return true;
	case PA_CHAR:
		snprintf(out, size, spec, va_arg(*ap, int));
		return true;
	case PA_STRING:
		snprintf(out, size, spec, va_arg(*ap, const char *));
		return true;
	case PA_DOUBLE:
		if (type & PA_FLAG_LONG_DOUBLE)
			return false;
		snprintf(out, size, spec, va_arg(*ap, double));
		return true;
	default:
		return false;
	}
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* each spec is cut from a checked format */
json_t *message_args(const char *fmt, va_list ap)
{
	int types[MAX_VALUES];
	size_t n = parse_printf_format(fmt, MAX_VALUES, types);
	if (n > MAX_VALUES || strchr(fmt, '$') || strchr(fmt, '*'))
		return NULL;
	json_t *args = json_array();
	const char *p = fmt;
	va_list copy;
	va_copy(copy, ap);
	for (size_t i = 0; args && i < n; i++) {
		size_t len = 0;
		char spec[32], value[512];
		p = next_conversion(p, &len);
		if (p == NULL || len >= sizeof(spec)) {
			json_decref(args);
			args = NULL;
			break;
		}
		memcpy(spec, p, len);
		spec[len] = '\0';
		p += len;
		if (!format_value(value, sizeof(value), spec, types[i], &copy) ||
		    json_array_append_new(args, json_string(value)) < 0) {
			json_decref(args);
			args = NULL;
		}
	}
	va_end(copy);
	return args;
}
#pragma GCC diagnostic pop
