/* Typing mistakes by symmetric deletions (guichet/kb_typo.h).
 *
 * Two open-addressing tables of 64-bit hashes: the words themselves (hash
 * -> id, for exact lookups and deduplication) and the deletion variants
 * (hash -> id, many per hash). A hash collision only adds a candidate that
 * the distance check then drops. */
#include "guichet/kb_typo.h"
#include "guichet/array.h"
#include "guichet/error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define MAX_CHARS 64

struct slot {
	uint64_t hash;              /* 0: empty */
	uint32_t id;
};

struct table {
	struct slot *slots;
	size_t cap, n;              /* cap a power of two */
};

struct kb_lexicon {
	size_t min_len;
	char **words;
	uint32_t n_words, cap_words;
	struct table exact, variants;
};

/* FNV-1a over code points, never 0. */
static uint64_t hash_chars(const int32_t *c, size_t n, size_t skip)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		if (i == skip)
			continue;
		for (int b = 0; b < 4; b++) {
			h ^= (uint64_t)((uint32_t)c[i] >> (8 * b) & 0xff);
			h *= 0x100000001b3ULL;
		}
	}
	return h ? h : 1;
}

static int table_grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct slot *slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return GC_ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slots[i].hash == 0)
			continue;
		size_t j = t->slots[i].hash & (cap - 1);
		while (slots[j].hash)
			j = (j + 1) & (cap - 1);
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return GC_OK;
}

/* Adds (hash, id) unless that very pair is there. */
static int table_put(struct table *t, uint64_t hash, uint32_t id)
{
	if ((t->n + 1) * 4 > t->cap * 3 && table_grow(t) < 0)
		return GC_ENOMEM;
	size_t j = hash & (t->cap - 1);
	for (; t->slots[j].hash; j = (j + 1) & (t->cap - 1))
		if (t->slots[j].hash == hash && t->slots[j].id == id)
			return GC_OK;
	t->slots[j] = (struct slot){hash, id};
	t->n++;
	return GC_OK;
}

/* Decodes UTF-8 into at most MAX_CHARS code points; -1 when invalid. */
static int decode(const char *s, size_t len, int32_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n < MAX_CHARS;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &c);
		if (k <= 0)
			return -1;
		out[n++] = c;
		i += (size_t)k;
	}
	return (int)n;
}

struct kb_lexicon *kb_lexicon_new(size_t min_len)
{
	struct kb_lexicon *l = calloc(1, sizeof(*l));
	if (l)
		l->min_len = min_len;
	return l;
}

void kb_lexicon_free(struct kb_lexicon *l)
{
	if (l == NULL)
		return;
	for (uint32_t i = 0; i < l->n_words; i++)
		free(l->words[i]);
	free(l->words);
	free(l->exact.slots);
	free(l->variants.slots);
	free(l);
}

int kb_lexicon_find(const struct kb_lexicon *l, const char *word, size_t len, uint32_t *ret_id)
{
	int32_t c[MAX_CHARS];
	int n = decode(word, len, c);
	if (n <= 0 || l->exact.cap == 0)
		return GC_ENOTFOUND;
	uint64_t h = hash_chars(c, (size_t)n, SIZE_MAX);
	for (size_t j = h & (l->exact.cap - 1); l->exact.slots[j].hash; j = (j + 1) & (l->exact.cap - 1)) {
		const char *w = l->words[l->exact.slots[j].id];
		if (l->exact.slots[j].hash == h && strlen(w) == len && memcmp(w, word, len) == 0) {
			*ret_id = l->exact.slots[j].id;
			return GC_OK;
		}
	}
	return GC_ENOTFOUND;
}

int kb_lexicon_add(struct kb_lexicon *l, const char *word, size_t len, uint32_t *ret_id)
{
	int32_t c[MAX_CHARS];
	int n = decode(word, len, c);
	if (n <= 0)
		return GC_EINVAL;
	if (kb_lexicon_find(l, word, len, ret_id) == GC_OK)
		return GC_OK;
	if (gc_grow((void **)&l->words, &l->cap_words, sizeof(char *), l->n_words + 1) < 0)
		return GC_ENOMEM;
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return GC_ENOMEM;
	memcpy(copy, word, len);
	copy[len] = '\0';
	uint32_t id = l->n_words;
	int rc = table_put(&l->exact, hash_chars(c, (size_t)n, SIZE_MAX), id);
	if ((size_t)n >= l->min_len) /* its one-character deletions */
		for (int i = 0; rc == GC_OK && i < n; i++)
			rc = table_put(&l->variants, hash_chars(c, (size_t)n, (size_t)i), id);
	if (rc < 0) {
		free(copy);
		return rc; /* what was put stays harmless: ids past n_words are never given out */
	}
	l->words[l->n_words++] = copy;
	*ret_id = id;
	return GC_OK;
}

const char *kb_lexicon_word(const struct kb_lexicon *l, uint32_t id)
{
	return id < l->n_words ? l->words[id] : NULL;
}

uint32_t kb_lexicon_size(const struct kb_lexicon *l)
{
	return l->n_words;
}

static int distance_chars(const int32_t *a, int n, const int32_t *b, int m, int max)
{
	if (abs(n - m) > max)
		return max + 1;
	int d[MAX_CHARS + 1][MAX_CHARS + 1];
	for (int i = 0; i <= n; i++)
		d[i][0] = i;
	for (int j = 0; j <= m; j++)
		d[0][j] = j;
	for (int i = 1; i <= n; i++) {
		int row_min = max + 1;
		for (int j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > max)
			return max + 1;
	}
	return d[n][m] > max ? max + 1 : d[n][m];
}

int kb_edit_distance(const char *a, size_t alen, const char *b, size_t blen, int max)
{
	int32_t ca[MAX_CHARS], cb[MAX_CHARS];
	int n = decode(a, alen, ca), m = decode(b, blen, cb);
	if (n < 0 || m < 0)
		return max + 1;
	return distance_chars(ca, n, cb, m, max);
}

/* Candidates whose hash is h in t: checked, reported once (seen). */
static int probe(const struct kb_lexicon *l, const struct table *t, uint64_t h, const int32_t *c, int n,
		 uint32_t *seen, size_t *n_seen, kb_near_fn fn, void *arg)
{
	if (t->cap == 0)
		return GC_OK;
	for (size_t j = h & (t->cap - 1); t->slots[j].hash; j = (j + 1) & (t->cap - 1)) {
		if (t->slots[j].hash != h || t->slots[j].id >= l->n_words)
			continue;
		uint32_t id = t->slots[j].id;
		bool dup = false;
		for (size_t k = 0; k < *n_seen && !dup; k++)
			dup = seen[k] == id;
		if (dup)
			continue;
		int32_t w[MAX_CHARS];
		const char *word = l->words[id];
		int m = decode(word, strlen(word), w);
		int d = distance_chars(c, n, w, m, 1);
		if (d > 1 || (d == 1 && (size_t)m < l->min_len))
			continue; /* short words match only exactly */
		if (*n_seen < 256)
			seen[(*n_seen)++] = id;
		int rc = fn(id, d, arg);
		if (rc < 0)
			return rc;
	}
	return GC_OK;
}

int kb_lexicon_near(const struct kb_lexicon *l, const char *word, size_t len, kb_near_fn fn, void *arg)
{
	int32_t c[MAX_CHARS];
	int n = decode(word, len, c);
	if (n <= 0)
		return GC_EINVAL;
	uint32_t seen[256];
	size_t n_seen = 0;
	uint64_t whole = hash_chars(c, (size_t)n, SIZE_MAX);
	int rc = probe(l, &l->exact, whole, c, n, seen, &n_seen, fn, arg);
	if ((size_t)n + 1 < l->min_len || rc < 0)
		return rc; /* not even a word of min_len with a letter missing */
	/* a letter added to a word: the word is one of our deletions;
	 * a letter missing: we are one of the word's deletions;
	 * wrong or swapped: a deletion of ours is one of the word's */
	for (int i = 0; rc == GC_OK && i < n; i++)
		rc = probe(l, &l->exact, hash_chars(c, (size_t)n, (size_t)i), c, n, seen, &n_seen, fn, arg);
	if (rc == GC_OK)
		rc = probe(l, &l->variants, whole, c, n, seen, &n_seen, fn, arg);
	for (int i = 0; rc == GC_OK && i < n; i++)
		rc = probe(l, &l->variants, hash_chars(c, (size_t)n, (size_t)i), c, n, seen, &n_seen, fn, arg);
	return rc;
}
