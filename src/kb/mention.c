/* Whether a customer's words mention a phrase (kb_mention.h): the phrase's
 * words, stemmed as the knowledge engine stems them, all among the text's. */
#include "guichet/kb_mention.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

#define MENTION_MAX_TEXT 8192 /* the first bytes of a message say what it is about */
#define MENTION_MAX_TERMS 512

struct terms {
	char term[MENTION_MAX_TERMS][KB_MAX_WORD + 1];
	size_t n;
	bool all_found; /* while reading the phrase */
	size_t wanted;  /* its words that are not stop words */
	const struct terms *in;
};

static bool has(const struct terms *t, const char *term, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (strncmp(t->term[i], term, len) == 0 && t->term[i][len] == '\0')
			return true;
	return false;
}

static int keep(const struct kb_term *k, void *arg)
{
	struct terms *t = arg;
	if (k->stop || t->n == MENTION_MAX_TERMS || has(t, k->term, k->term_len))
		return 0;
	size_t len = k->term_len > KB_MAX_WORD ? KB_MAX_WORD : k->term_len;
	memcpy(t->term[t->n], k->term, len);
	t->term[t->n++][len] = '\0';
	return 0;
}

static int find(const struct kb_term *k, void *arg)
{
	struct terms *t = arg;
	if (k->stop)
		return 0;
	t->wanted++;
	if (!has(t->in, k->term, k->term_len > KB_MAX_WORD ? KB_MAX_WORD : k->term_len))
		t->all_found = false;
	return 0;
}

bool kb_mentions(struct kb_analyzer *a, const char *text, size_t len, const char *phrase)
{
	if (a == NULL || text == NULL || phrase == NULL)
		return false;
	enum kb_lang lang = kb_analyzer_lang(a);
	size_t cut = len > MENTION_MAX_TEXT ? MENTION_MAX_TEXT : len;
	while (cut > 0 && cut < len && ((unsigned char)text[cut] & 0xC0) == 0x80)
		cut--; /* not inside a character */
	char *expanded = malloc(2 * MENTION_MAX_TEXT + 1);
	struct terms *seen = calloc(1, sizeof(*seen)), *wanted = calloc(1, sizeof(*wanted));
	size_t n = 0;
	bool found = false;
	const char *words = text; /* with shorthand read as its words, when it fits */
	if (expanded && kb_shorthand_expand(lang, text, cut, expanded, 2 * MENTION_MAX_TEXT + 1, &n) == GC_OK)
		words = expanded;
	else
		n = cut;
	if (seen && wanted && kb_analyze(a, words, n, keep, seen) == GC_OK) {
		wanted->in = seen;
		wanted->all_found = true;
		found = kb_analyze(a, phrase, strlen(phrase), find, wanted) == GC_OK && wanted->wanted > 0 &&
			wanted->all_found;
	}
	free(expanded);
	free(seen);
	free(wanted);
	return found;
}
