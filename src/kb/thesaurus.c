/* The MyThes thesaurus format (guichet/kb_thesaurus.h). Debian's libmythes
 * is a C++ class that looks up one word at a time through the .idx file;
 * seeding a thesaurus needs every entry once, which is this loop over the
 * .dat lines. */
#include "guichet/kb_thesaurus.h"
#include "guichet/error.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

struct cursor {
	const char *p, *end;
	size_t line;
};

/* The next line (without its end of line); false at the end. */
static bool next_line(struct cursor *c, const char **ret, size_t *ret_len)
{
	if (c->p >= c->end)
		return false;
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	const char *stop = nl ? nl : c->end;
	*ret = c->p;
	*ret_len = (size_t)(stop - c->p);
	if (*ret_len && (*ret)[*ret_len - 1] == '\r')
		(*ret_len)--;
	c->p = nl ? nl + 1 : c->end;
	c->line++;
	return true;
}

static bool valid_utf8(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return false;
		i += (size_t)n;
	}
	return true;
}

/* One meaning line "(pos)|syn|syn (generic term)|...": its synonyms to fn. */
static int meaning(const char *word, size_t word_len, const char *line, size_t len, kb_thesaurus_fn fn, void *arg)
{
	const char *p = memchr(line, '|', len), *end = line + len;
	if (p == NULL)
		return GC_EINVAL;
	for (p++; p < end;) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		const char *stop = bar ? bar : end;
		size_t n = (size_t)(stop - p);
		bool related = false;
		if (n > 2 && p[n - 1] == ')') { /* "city (generic term)" */
			const char *open = NULL;
			for (const char *q = p; q < p + n; q++)
				if (*q == '(')
					open = q;
			if (open && open > p && open[-1] == ' ') {
				related = true;
				n = (size_t)(open - 1 - p);
			}
		}
		if (n > 0) {
			int rc = fn(word, word_len, p, n, related, arg);
			if (rc < 0)
				return rc;
		}
		p = stop + 1;
	}
	return GC_OK;
}

int kb_thesaurus_parse(const char *data, size_t len, kb_thesaurus_fn fn, void *arg, size_t *ret_line)
{
	struct cursor c = {data, data + len, 0};
	const char *line;
	size_t n;
	*ret_line = 0;
	if (!next_line(&c, &line, &n) || n != 5 || memcmp(line, "UTF-8", 5) != 0) {
		*ret_line = 1;
		return GC_EINVAL; /* the first line names the encoding */
	}
	while (next_line(&c, &line, &n)) {
		if (n == 0)
			continue;
		const char *bar = memchr(line, '|', n);
		size_t count = 0, digits = 0;
		for (const char *q = bar ? bar + 1 : line + n; q < line + n && digits < 6; q++, digits++) {
			if (*q < '0' || *q > '9')
				break;
			count = count * 10 + (size_t)(*q - '0');
		}
		if (bar == NULL || bar == line || digits == 0 || bar + 1 + digits != line + n || !valid_utf8(line, n)) {
			*ret_line = c.line;
			return GC_EINVAL;
		}
		const char *word = line;
		size_t word_len = (size_t)(bar - line);
		for (size_t k = 0; k < count; k++) {
			const char *m;
			size_t mlen;
			if (!next_line(&c, &m, &mlen)) {
				*ret_line = c.line + 1; /* the file ended where a meaning was due */
				return GC_EINVAL;
			}
			if (mlen == 0 || m[0] != '(' || !valid_utf8(m, mlen)) {
				*ret_line = c.line;
				return GC_EINVAL;
			}
			int rc = meaning(word, word_len, m, mlen, fn, arg);
			if (rc < 0) {
				*ret_line = c.line;
				return rc;
			}
		}
	}
	return GC_OK;
}
