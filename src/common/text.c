/* Bounded integer parsing, identifier shape checks and CSV errors in plain words (include/guichet/text.h). */
#include "guichet/text.h"
#include "guichet/error.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gc_parse_i64(const char *text, int64_t min, int64_t max, int64_t *ret_value)
{
	if (text == NULL || *text == '\0' || strlen(text) > 20)
		return GC_EINVAL;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return GC_EINVAL;
	*ret_value = v;
	return GC_OK;
}

int gc_parse_number(const char *text, double min, bool min_excluded, double max, double *ret_value)
{
	if (text == NULL || *text == '\0')
		return GC_EINVAL;
	char *end = NULL;
	errno = 0;
	double v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || (min_excluded && v == min) || v > max)
		return GC_EINVAL;
	*ret_value = v;
	return GC_OK;
}

bool gc_text_is_email(const char *text)
{
	size_t len = strlen(text);
	const char *at = strchr(text, '@');
	if (len < 3 || len > 254 || at == NULL || at == text || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0')
		return false;
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
			return false;
	return true;
}

bool gc_text_is_phone(const char *text)
{
	int digits = 0;
	for (const char *p = text; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '+' && p == text)
			continue;
		else if (!strchr(" .-()", *p))
			return false;
	}
	return digits >= 3 && digits <= 20;
}

bool gc_text_is_clean(const char *text, bool multiline)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == 0x7f || (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t' || *p == '\r'))))
			return false;
	}
	return true;
}

const char *gc_csv_problem(int csv_error)
{
	switch (csv_error) {
	case CSV_EPARSE:
		return "a quoted field is not closed, or text follows its closing quote (a quote inside a "
		       "quoted field is written twice: \"\")";
	case CSV_ENOMEM:
	case CSV_ETOOBIG:
		return "a field is too big";
	default:
		return csv_strerror(csv_error);
	}
}

static bool address_char(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' && strchr(".-_+%=", c) != NULL) || ((unsigned char)c & 0x80);
}

/* The length of a phone number at p (0: none). */
static size_t phone_at(const char *p)
{
	size_t n = 0, digits = 0, end = 0;
	bool plus = *p == '+';
	if (plus)
		n = 1;
	for (; p[n] && (isdigit((unsigned char)p[n]) || (digits && strchr(" .-", p[n]))); n++)
		if (isdigit((unsigned char)p[n])) {
			digits++;
			end = n + 1; /* never ends on a separator */
		} else if (!plus) {
			break; /* without '+', one run of digits */
		}
	return digits >= (plus ? 6u : 9u) ? end : 0;
}

static void mask_word(const char *start, size_t n, char *out, size_t len, size_t *at)
{
	char word[320], masked[320];
	snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1), start);
	gc_text_mask(word, masked, sizeof(masked));
	size_t m = strlen(masked);
	if (*at + m < len) {
		memcpy(out + *at, masked, m);
		*at += m;
	}
}

void gc_text_mask_in(const char *text, char *out, size_t len)
{
	size_t at = 0;
	for (const char *p = text; *p && at + 1 < len;) {
		bool word_start = p == text || !address_char(p[-1]);
		size_t phone = word_start ? phone_at(p) : 0;
		if (phone) {
			mask_word(p, phone, out, len, &at);
			p += phone;
			continue;
		}
		const char *end = p;
		while (address_char(*end) || (*end == '@' && end > p))
			end++;
		const char *sign = end > p ? memchr(p, '@', (size_t)(end - p)) : NULL;
		if (sign && sign + 1 < end && word_start) {
			mask_word(p, (size_t)(end - p), out, len, &at);
			p = end;
			continue;
		}
		/* one character, whole (UTF-8's continuation bytes with it) */
		size_t bytes = 1;
		while (((unsigned char)p[bytes] & 0xC0) == 0x80)
			bytes++;
		if (at + bytes >= len)
			break;
		memcpy(out + at, p, bytes);
		at += bytes;
		p += bytes;
	}
	if (len > 0)
		out[at] = '\0';
}

void gc_text_mask(const char *text, char *out, size_t len)
{
	/* by characters, not bytes: an address may be any UTF-8 ("élodie") */
	size_t n = 0, i = 0, at = 0;
	for (const char *p = text; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	for (const char *p = text; *p;) {
		size_t bytes = 1;
		while (((unsigned char)p[bytes] & 0xC0) == 0x80)
			bytes++;
		bool kept = i == 0 || i + 2 >= n;
		size_t need = kept ? bytes : 1;
		if (at + need + 1 > len)
			break;
		if (kept)
			memcpy(out + at, p, bytes);
		else
			out[at] = '*';
		at += need;
		p += bytes;
		i++;
	}
	if (len > 0)
		out[at] = '\0';
}
