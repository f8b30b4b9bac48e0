/* Cleaning chat messages' bodies (chat_text.h). */
#include "daemon/chat_text.h"
#include "guichet/error.h"

#include <stdint.h>

/* The length of the UTF-8 sequence at p (n bytes left) and its code point,
 * or 0 when it is not a valid one. */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *ret_cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	uint32_t cp = len == 1 ? p[0] : p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return len;
}

static int is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp <= 0x9f);
}

int chat_text_clean(const char *text, size_t len, size_t max, char *ret, size_t *ret_len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t out = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_next(p + i, len - i, &cp);
		if (n == 0)
			return GC_EINVAL;
		if (!is_control(cp)) {
			for (size_t k = 0; k < n; k++)
				ret[out++] = (char)p[i + k];
		}
		i += n;
	}
	ret[out] = '\0';
	if (out == 0 || out > max)
		return GC_EINVAL;
	*ret_len = out;
	return GC_OK;
}
