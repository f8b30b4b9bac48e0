/* Text analysis (guichet/kb_text.h): words, case folding, stop words,
 * Snowball stems, accents stripped. */
#include "guichet/kb_text.h"
#include "guichet/error.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The words last analysed, by their folded form: most text repeats its
 * words, and stemming and normalising are most of the analysis's time. */
#define CACHE_SLOTS 8192           /* a power of two */
#define CACHED_BYTES 24            /* longer words are not kept */
struct cached {
	uint8_t word_len, stem_len, plain_len; /* word_len 0: empty slot */
	bool stop;
	char word[CACHED_BYTES], stem[CACHED_BYTES], plain[CACHED_BYTES];
};

struct kb_analyzer {
	enum kb_lang lang;
	struct sb_stemmer *stemmer;
	struct cached *cache;
};

static const char *const lang_codes[KB_LANG_N] = {"fr", "en"};
static const char *const stemmers[KB_LANG_N] = {"french", "english"};

int kb_lang_parse(const char *code, enum kb_lang *ret)
{
	for (int i = 0; code && i < KB_LANG_N; i++)
		if (strcmp(code, lang_codes[i]) == 0) {
			*ret = (enum kb_lang)i;
			return GC_OK;
		}
	return GC_EINVAL;
}

const char *kb_lang_code(enum kb_lang lang)
{
	return (unsigned)lang < KB_LANG_N ? lang_codes[lang] : NULL;
}

struct kb_analyzer *kb_analyzer_new(enum kb_lang lang)
{
	if ((unsigned)lang >= KB_LANG_N)
		return NULL;
	struct kb_analyzer *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->lang = lang;
	a->stemmer = sb_stemmer_new(stemmers[lang], "UTF_8");
	a->cache = calloc(CACHE_SLOTS, sizeof(*a->cache));
	if (a->stemmer == NULL || a->cache == NULL) {
		if (a->stemmer)
			sb_stemmer_delete(a->stemmer);
		free(a->cache);
		free(a);
		return NULL;
	}
	return a;
}

void kb_analyzer_free(struct kb_analyzer *a)
{
	if (a == NULL)
		return;
	sb_stemmer_delete(a->stemmer);
	free(a->cache);
	free(a);
}

enum kb_lang kb_analyzer_lang(const struct kb_analyzer *a)
{
	return a->lang;
}

static bool is_word_char(utf8proc_int32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	utf8proc_category_t cat = utf8proc_category(c);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
	       (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) ||
	       (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

static bool is_apostrophe(utf8proc_int32_t c)
{
	return c == '\'' || c == 0x2019;
}

/* Maps len bytes of s with utf8proc options into out (size bytes, cut at a
 * character boundary); returns the length written, -1 on error. */
static int map(const char *s, size_t len, int options, char *out, size_t size)
{
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &mapped,
					  (utf8proc_option_t)(options | UTF8PROC_STABLE));
	if (n < 0)
		return -1;
	size_t keep = (size_t)n < size - 1 ? (size_t)n : size - 1;
	while (keep > 0 && keep < (size_t)n && (mapped[keep] & 0xC0) == 0x80)
		keep--; /* not inside a character */
	memcpy(out, mapped, keep);
	out[keep] = '\0';
	free(mapped);
	return (int)keep;
}

static bool is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* The word's case- and compatibility-folded form into folded (at most
 * KB_MAX_WORD bytes); its length, -1 on error. ASCII needs only lower case. */
static int fold(const char *s, size_t len, char *folded)
{
	if (is_ascii(s, len)) {
		size_t n = len < KB_MAX_WORD ? len : KB_MAX_WORD;
		for (size_t i = 0; i < n; i++)
			folded[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 'a' - 'A' : s[i]);
		folded[n] = '\0';
		return (int)n;
	}
	int flen = map(s, len, UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE, folded, KB_MAX_WORD + 1);
	/* a typographic apostrophe is the plain one, as in the stop lists */
	for (char *p; flen >= 0 && (p = strstr(folded, "\xe2\x80\x99")) != NULL; flen -= 2) {
		*p = '\'';
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	}
	/* the ligatures are their two letters, as keyboards without them type them ("noeud" is "nœud");
	 * both forms are two bytes, so the length stays */
	for (char *p = folded; flen >= 0 && (p = strchr(p, '\xc5')) != NULL && p[1]; p += 2)
		if (p[1] == '\x93')
			memcpy(p, "oe", 2);
	for (char *p = folded; flen >= 0 && (p = strchr(p, '\xc3')) != NULL && p[1]; p += 2)
		if (p[1] == '\xa6')
			memcpy(p, "ae", 2);
	return flen;
}

/* Accents stripped (nothing to do for ASCII). */
static int strip_marks(const char *s, size_t len, char *out, size_t size)
{
	if (!is_ascii(s, len))
		return map(s, len, UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK, out, size);
	size_t n = len < size - 1 ? len : size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return (int)n;
}

static struct cached *cache_slot(struct kb_analyzer *a, const char *word, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)word[i]) * 16777619u;
	return &a->cache[h & (CACHE_SLOTS - 1)];
}

/* One word [start, end) of text: fold, check, stem, strip accents. */
static int emit_word(struct kb_analyzer *a, const char *text, size_t start, size_t end, uint32_t position,
		     kb_term_fn fn, void *arg)
{
	char folded[KB_MAX_WORD * 4], plain[KB_MAX_WORD * 4], stem[KB_MAX_WORD * 4];
	int flen = fold(text + start, end - start, folded);
	if (flen < 0)
		return GC_EINVAL;
	struct kb_term t = {.term = stem, .word = plain, .start = start, .end = end, .position = position};
	struct cached *c = cache_slot(a, folded, (size_t)flen);
	if (c->word_len == flen && memcmp(c->word, folded, (size_t)flen) == 0) {
		t = (struct kb_term){.term = c->stem, .term_len = c->stem_len, .word = c->plain,
				     .word_len = c->plain_len, .start = start, .end = end, .position = position,
				     .stop = c->stop};
		return fn(&t, arg);
	}
	t.stop = kb_is_stop_word(a->lang, folded, (size_t)flen);
	const sb_symbol *stemmed = sb_stemmer_stem(a->stemmer, (const sb_symbol *)folded, flen);
	if (stemmed == NULL)
		return GC_ENOMEM;
	int slen = strip_marks((const char *)stemmed, (size_t)sb_stemmer_length(a->stemmer), stem, sizeof(stem));
	int plen = strip_marks(folded, (size_t)flen, plain, sizeof(plain));
	if (slen < 0 || plen < 0)
		return GC_EINVAL;
	t.term_len = (size_t)slen;
	t.word_len = (size_t)plen;
	if (flen > 0 && flen < CACHED_BYTES && slen < CACHED_BYTES && plen < CACHED_BYTES) {
		*c = (struct cached){.word_len = (uint8_t)flen, .stem_len = (uint8_t)slen, .plain_len = (uint8_t)plen,
				     .stop = t.stop};
		memcpy(c->word, folded, (size_t)flen);
		memcpy(c->stem, stem, (size_t)slen + 1);
		memcpy(c->plain, plain, (size_t)plen + 1);
	}
	return fn(&t, arg);
}

/* The character at text[i] into *c; its length in bytes, <= 0 when invalid. */
static utf8proc_ssize_t next_char(const char *text, size_t i, size_t len, utf8proc_int32_t *c)
{
	if ((unsigned char)text[i] < 0x80) {
		*c = (unsigned char)text[i];
		return 1;
	}
	return utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i), c);
}

int kb_analyze(struct kb_analyzer *a, const char *text, size_t len, kb_term_fn fn, void *arg)
{
	/* check the whole text first, so that nothing is called for a bad one */
	for (size_t i = 0; i < len;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = next_char(text, i, len, &c);
		if (n <= 0)
			return GC_EINVAL;
		i += (size_t)n;
	}
	size_t i = 0, start = 0;
	bool in_word = false;
	uint32_t position = 0;
	while (i <= len) {
		utf8proc_int32_t c = 0, next = 0;
		utf8proc_ssize_t n = 1;
		if (i < len)
			n = next_char(text, i, len, &c);
		bool word = i < len && is_word_char(c);
		if (!word && in_word && i < len && a->lang == KB_LANG_EN && is_apostrophe(c) && i + (size_t)n < len &&
		    next_char(text, i + (size_t)n, len, &next) > 0 && is_word_char(next))
			word = true; /* "don't", "customer's" */
		if (word && !in_word) {
			start = i;
			in_word = true;
		} else if (!word && in_word) {
			int rc = emit_word(a, text, start, i, position++, fn, arg);
			if (rc < 0)
				return rc;
			in_word = false;
		}
		i += (size_t)n;
	}
	return GC_OK;
}
