/* One tenant's knowledge in one language (guichet/kb_search.h): synonyms,
 * the corpus of items, query plans, ranking with learned links and learned
 * associations, snippets.
 *
 * A synonym's key is a word, or a headword of several words of which one is
 * a function word ("get rid of", "mettre à jour": what they mean is not
 * their content words'), matched where the query has them in a row.
 *
 * What resolutions teach is kept as links: a stem a customer typed, the item
 * that resolved their need, how many times it did (and failed to). Three things
 * are read from them at search time:
 * - the link itself lifts its item, by how often the stem led there (less
 *   its failures) and how specific the stem is to it (link_specificity: the
 *   links of a word in most questions, "tor", "comment", count less); a
 *   synonym of a word typed lifts its items too, less (link_weight);
 * - an item resolutions led to comes a little ahead whatever the words
 *   (resolved_before), what the links of common words used to give the
 *   items learned with them only;
 * - an association of the stem with the item's own vocabulary (its title's
 *   stems) when the item does not contain the stem: the customer's word
 *   means those words. The stem then searches them too, weighted by the share
 *   of its resolutions whose item holds them and by how many resolutions
 *   agree, so that a question about the same thing in other words finds the
 *   items that use that vocabulary, not only the one item linked.
 *
 * A title's function words (stop words, left out everywhere else) are
 * indexed too, marked (FUNCTION_MARK) so that only the same word typed
 * matches them, and left out of the title's length: a question's phrasing
 * ("y a-t-il", "is there") matches the title that phrases it so, weakly.
 *
 * An item that translates another is indexed with the original's title as
 * tags (kb_doc_input.original_title): customers type the original's words
 * in their language ("vpn", "bridges", "logs" for "RPV", "pont", "journaux"). */
#include "guichet/kb_search.h"
#include "guichet/array.h"
#include "guichet/error.h"
#include "guichet/kb_index.h"
#include "guichet/kb_thesaurus.h"
#include "guichet/kb_typo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define KB_W_LINK 1.5            /* a learned link with one resolution: about a good title word */
#define KB_W_SYNONYM_LINK 0.3    /* a synonym's learned links, against a typed word's 1 */
#define KB_W_RESOLVED_BEFORE 3.0 /* an item resolutions led to: half at the first, bounded by it */
#define KB_LINK_SPECIFICITY 0.75 /* power of a stem's specificity to its items (link_specificity) */
#define KB_ASSOC_EVIDENCE 2.0    /* resolutions for an association's full weight */
#define KB_ASSOC_PER_WORD 3      /* associated stems a typed word searches at most */
#define TREE_COVERS 0.5          /* a tree at half the best score or more comes first */
#define TYPO_MIN_LEN 5
#define PART_WORD_MIN 6          /* letters of a word searched by its parts */
#define PART_HEAD_MIN 4
#define PART_TAIL_MIN 3
#define COMPOUND_PART_MIN 5      /* letters of a stem searched inside longer words */
#define COMPOUND_REST_MIN 3      /* letters the longer word has more */
#define KB_W_COMPOUND 0.35      /* a longer word the typed one is part of */
#define COMPOUND_MAX 3           /* longer words searched for one typed */
#define FUNCTION_MARK '~'        /* before a title's function word in the index: no stem starts so */
#define FUNCTION_WORD_MAX_SHARE 0.5 /* of the titles: a function word in more is not searched */
#define PHRASE_MAX_WORDS 4       /* words of a thesaurus headword matched as typed, stop words counted */

/* --- synonyms --- */

struct synonym {
	UT_hash_handle hh;
	char *word;                /* folded, accents stripped */
	char **phrases;            /* stems separated by spaces */
	uint32_t n, cap;
};

struct kb_synonyms {
	struct synonym *by_word;
	size_t pairs;
};

struct kb_synonyms *kb_synonyms_new(void)
{
	return calloc(1, sizeof(struct kb_synonyms));
}

void kb_synonyms_free(struct kb_synonyms *s)
{
	if (s == NULL)
		return;
	struct synonym *e, *tmp;
	HASH_ITER(hh, s->by_word, e, tmp) {
		HASH_DEL(s->by_word, e);
		for (uint32_t i = 0; i < e->n; i++)
			free(e->phrases[i]);
		free(e->phrases);
		free(e->word);
		free(e);
	}
	free(s);
}

size_t kb_synonyms_count(const struct kb_synonyms *s)
{
	return s ? s->pairs : 0;
}

struct words {
	char text[KB_MAX_WORD * 4 * 4]; /* stems or words separated by spaces */
	size_t len, n;
	bool words;                /* collect the folded words rather than the stems */
	bool stop_too;             /* and the stop words with them (a headword as typed) */
	size_t n_content;          /* of the words, those that are not stop words */
};

static int collect(const struct kb_term *t, void *arg)
{
	struct words *w = arg;
	if (t->stop && !w->stop_too)
		return GC_OK;
	w->n_content += !t->stop;
	const char *s = w->words ? t->word : t->term;
	size_t len = w->words ? t->word_len : t->term_len;
	if (w->len + len + 2 > sizeof(w->text))
		return GC_OK; /* a long phrase keeps its first words */
	if (w->n++)
		w->text[w->len++] = ' ';
	memcpy(w->text + w->len, s, len);
	w->len += len;
	w->text[w->len] = '\0';
	return GC_OK;
}

/* The word's folded form, or a headword's folded words with their stop
 * words ("get rid of", "mot de passe": matched as typed, see
 * add_phrase_synonyms), and the phrase's stems; false to skip. A headword
 * of words that are all searched anyway ("hard drive") is skipped: only a
 * turn with a function word means more than its words. */
static int pair_forms(struct kb_analyzer *a, const char *word, size_t word_len, const char *phrase,
		      size_t phrase_len, struct words *key, struct words *stems)
{
	*key = (struct words){.words = true, .stop_too = true};
	*stems = (struct words){0};
	int rc = kb_analyze(a, word, word_len, collect, key);
	if (rc == GC_OK)
		rc = kb_analyze(a, phrase, phrase_len, collect, stems);
	if (rc < 0)
		return rc;
	return key->n_content > 0 && (key->n == 1 || (key->n > key->n_content && key->n <= PHRASE_MAX_WORDS)) &&
	       stems->n > 0;
}

static struct synonym *synonym_find(const struct kb_synonyms *s, const char *word, size_t len)
{
	struct synonym *e = NULL;
	if (s)
		HASH_FIND(hh, s->by_word, word, len, e);
	return e;
}

bool kb_synonyms_has(const struct kb_synonyms *s, const char *word, const char *stems)
{
	const struct synonym *e = synonym_find(s, word, strlen(word));
	for (uint32_t i = 0; e && i < e->n; i++)
		if (strcmp(e->phrases[i], stems) == 0)
			return true;
	return false;
}

int kb_synonyms_add(struct kb_synonyms *s, struct kb_analyzer *a, const char *word, size_t word_len,
		    const char *phrase, size_t phrase_len)
{
	struct words key, stems;
	int rc = pair_forms(a, word, word_len, phrase, phrase_len, &key, &stems);
	if (rc <= 0)
		return rc;
	struct synonym *e = synonym_find(s, key.text, key.len);
	if (e)
		for (uint32_t i = 0; i < e->n; i++)
			if (strcmp(e->phrases[i], stems.text) == 0)
				return GC_OK;
	char *copy = strdup(stems.text);
	if (copy == NULL)
		return GC_ENOMEM;
	if (e == NULL) {
		e = calloc(1, sizeof(*e));
		if (e == NULL || (e->word = strdup(key.text)) == NULL) {
			free(e);
			free(copy);
			return GC_ENOMEM;
		}
		HASH_ADD_KEYPTR(hh, s->by_word, e->word, key.len, e);
	}
	if (gc_grow((void **)&e->phrases, &e->cap, sizeof(char *), e->n + 1) < 0) {
		free(copy);
		return GC_ENOMEM;
	}
	e->phrases[e->n++] = copy;
	s->pairs++;
	return GC_OK;
}

int kb_synonyms_remove(struct kb_synonyms *s, struct kb_analyzer *a, const char *word, size_t word_len,
		       const char *phrase, size_t phrase_len)
{
	struct words key, stems;
	int rc = pair_forms(a, word, word_len, phrase, phrase_len, &key, &stems);
	if (rc < 0)
		return rc;
	struct synonym *e = rc ? synonym_find(s, key.text, key.len) : NULL;
	for (uint32_t i = 0; e && i < e->n; i++)
		if (strcmp(e->phrases[i], stems.text) == 0) {
			free(e->phrases[i]);
			e->phrases[i] = e->phrases[--e->n];
			s->pairs--;
			return GC_OK;
		}
	return GC_ENOTFOUND;
}

struct seed_ctx {
	struct kb_synonyms *s;
	struct kb_analyzer *a;
};

static int seed_pair(const char *word, size_t word_len, const char *synonym, size_t synonym_len, bool related,
		     void *arg)
{
	struct seed_ctx *ctx = arg;
	if (related || memchr(synonym, ' ', synonym_len))
		return GC_OK;
	int rc = kb_synonyms_add(ctx->s, ctx->a, word, word_len, synonym, synonym_len);
	return rc == GC_EINVAL ? GC_OK : rc; /* a word the analyser refuses is skipped */
}

int kb_synonyms_seed(struct kb_synonyms *s, struct kb_analyzer *a, const char *data, size_t len, size_t *ret_line)
{
	struct seed_ctx ctx = {s, a};
	return kb_thesaurus_parse(data, len, seed_pair, &ctx, ret_line);
}

/* --- the corpus --- */

struct item_doc {
	UT_hash_handle hh;
	uint64_t item;
	uint32_t doc;
	char *vocab;               /* its title's distinct stems, NUL-separated, ending with an empty one */
};

struct link_to {
	uint64_t item;
	int32_t ok, failed;
};

struct link {
	UT_hash_handle hh;
	char *stem;
	struct link_to *to;
	uint32_t n, cap;
};

/* An item resolutions led to: how many did, at least, less the failures
 * (the most evidence of any of its links, link_evidence). */
struct learned_item {
	UT_hash_handle hh;
	uint64_t item;
	double evidence;
};

struct kb_corpus {
	enum kb_lang lang;
	const struct kb_synonyms *seed;
	struct kb_synonyms *own;
	struct kb_index *ix;
	struct kb_lexicon *lex;
	char **stem_of;            /* by lexicon id */
	uint32_t cap_stem_of;
	struct item_doc *by_item;
	uint64_t *item_of;         /* by document */
	uint8_t *tree_of;
	uint32_t cap_item_of, cap_tree_of;
	struct link *links;
	size_t live;
	struct learned_item *learned;
	uint32_t n_learned;        /* items with resolutions */
};

struct kb_corpus *kb_corpus_new(enum kb_lang lang, const struct kb_synonyms *seed)
{
	struct kb_corpus *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->lang = lang;
	c->seed = seed;
	c->own = kb_synonyms_new();
	c->ix = kb_index_new();
	c->lex = kb_lexicon_new(TYPO_MIN_LEN);
	if (c->own == NULL || c->ix == NULL || c->lex == NULL) {
		kb_corpus_free(c);
		return NULL;
	}
	return c;
}

void kb_corpus_free(struct kb_corpus *c)
{
	if (c == NULL)
		return;
	kb_synonyms_free(c->own);
	kb_index_free(c->ix);
	for (uint32_t i = 0; c->lex && i < kb_lexicon_size(c->lex); i++)
		free(c->stem_of[i]);
	kb_lexicon_free(c->lex);
	free(c->stem_of);
	struct item_doc *d, *dtmp;
	HASH_ITER(hh, c->by_item, d, dtmp) {
		HASH_DEL(c->by_item, d);
		free(d->vocab);
		free(d);
	}
	struct learned_item *li, *litmp;
	HASH_ITER(hh, c->learned, li, litmp) {
		HASH_DEL(c->learned, li);
		free(li);
	}
	struct link *l, *ltmp;
	HASH_ITER(hh, c->links, l, ltmp) {
		HASH_DEL(c->links, l);
		free(l->stem);
		free(l->to);
		free(l);
	}
	free(c->item_of);
	free(c->tree_of);
	free(c);
}

enum kb_lang kb_corpus_lang(const struct kb_corpus *c)
{
	return c->lang;
}

struct kb_synonyms *kb_corpus_synonyms(struct kb_corpus *c)
{
	return c->own;
}

size_t kb_corpus_size(const struct kb_corpus *c)
{
	return c->live;
}

static struct item_doc *item_find(const struct kb_corpus *c, uint64_t item)
{
	struct item_doc *d = NULL;
	HASH_FIND(hh, c->by_item, &item, sizeof(item), d);
	return d;
}

bool kb_corpus_has(const struct kb_corpus *c, uint64_t item)
{
	return item_find(c, item) != NULL;
}

/* A document's terms while it is analysed: one growing list per field. */
struct doc_build {
	struct kb_corpus *c;
	char *buf;                 /* the stems, NUL-separated */
	size_t len, cap;
	size_t *off[KB_FIELDS], *lens[KB_FIELDS];
	uint32_t n[KB_FIELDS], cap_off[KB_FIELDS], cap_lens[KB_FIELDS];
	size_t *fn_off, *fn_lens;  /* the title's function words, as FUNCTION_MARK and the word */
	uint32_t n_fn, cap_fn_off, cap_fn_lens;
	int field;
};

static int remember_word(struct kb_corpus *c, const struct kb_term *t)
{
	uint32_t id;
	if (kb_lexicon_find(c->lex, t->word, t->word_len, &id) == GC_OK)
		return GC_OK;
	int rc = kb_lexicon_add(c->lex, t->word, t->word_len, &id);
	if (rc == GC_EINVAL)
		return GC_OK;
	if (rc < 0)
		return rc;
	if (gc_grow((void **)&c->stem_of, &c->cap_stem_of, sizeof(char *), id + 1) < 0)
		return GC_ENOMEM;
	c->stem_of[id] = strndup(t->term, t->term_len);
	return c->stem_of[id] ? GC_OK : GC_ENOMEM;
}

/* Room in b's buffer for need bytes in all. */
static int reserve(struct doc_build *b, size_t need)
{
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < need)
			cap *= 2;
		char *buf = realloc(b->buf, cap);
		if (buf == NULL)
			return GC_ENOMEM;
		b->buf = buf;
		b->cap = cap;
	}
	return GC_OK;
}

/* A title's function word, kept apart: indexed as FUNCTION_MARK and the
 * word, so that it matches only the same word typed (see the end of kb_corpus_plan). */
static int add_function_word(struct doc_build *b, const struct kb_term *t)
{
	size_t need = b->len + t->word_len + 2;
	if (t->word_len == 0 || t->word_len + 1 >= KB_MAX_WORD * 4)
		return GC_OK;
	if (reserve(b, need) < 0 || gc_grow((void **)&b->fn_off, &b->cap_fn_off, sizeof(size_t), b->n_fn + 1) < 0 ||
	    gc_grow((void **)&b->fn_lens, &b->cap_fn_lens, sizeof(size_t), b->n_fn + 1) < 0)
		return GC_ENOMEM;
	b->buf[b->len] = FUNCTION_MARK;
	memcpy(b->buf + b->len + 1, t->word, t->word_len);
	b->buf[b->len + 1 + t->word_len] = '\0';
	b->fn_off[b->n_fn] = b->len;
	b->fn_lens[b->n_fn++] = t->word_len + 1;
	b->len = need;
	return GC_OK;
}

static int add_term(const struct kb_term *t, void *arg)
{
	struct doc_build *b = arg;
	if (t->stop && b->field == KB_FIELD_TITLE)
		return add_function_word(b, t);
	if (t->stop || t->term_len == 0)
		return GC_OK;
	int f = b->field, rc = remember_word(b->c, t);
	if (rc < 0)
		return rc;
	size_t need = b->len + t->term_len + 1;
	if (reserve(b, need) < 0)
		return GC_ENOMEM;
	if (gc_grow((void **)&b->off[f], &b->cap_off[f], sizeof(size_t), b->n[f] + 1) < 0 ||
	    gc_grow((void **)&b->lens[f], &b->cap_lens[f], sizeof(size_t), b->n[f] + 1) < 0)
		return GC_ENOMEM;
	memcpy(b->buf + b->len, t->term, t->term_len);
	b->buf[b->len + t->term_len] = '\0';
	b->off[f][b->n[f]] = b->len;
	b->lens[f][b->n[f]++] = t->term_len;
	b->len = need;
	return GC_OK;
}

/* The distinct stems of the title's terms, NUL-separated, ending with an empty one. */
static char *title_vocab(const struct doc_build *b)
{
	size_t len = 1;
	for (uint32_t i = 0; i < b->n[KB_FIELD_TITLE]; i++)
		len += b->lens[KB_FIELD_TITLE][i] + 1;
	char *v = malloc(len), *o = v;
	for (uint32_t i = 0; v && i < b->n[KB_FIELD_TITLE]; i++) {
		const char *t = b->buf + b->off[KB_FIELD_TITLE][i];
		size_t tl = b->lens[KB_FIELD_TITLE][i];
		bool seen = false;
		for (const char *p = v; p < o && !seen; p += strlen(p) + 1)
			seen = strlen(p) == tl && memcmp(p, t, tl) == 0;
		if (!seen) {
			memcpy(o, t, tl);
			o[tl] = '\0';
			o += tl + 1;
		}
	}
	if (v)
		*o = '\0';
	return v;
}

int kb_corpus_put(struct kb_corpus *c, struct kb_analyzer *a, const struct kb_doc_input *doc)
{
	struct doc_build b = {.c = c};
	const char *text[KB_FIELDS] = {doc->title, doc->body, doc->tags};
	size_t len[KB_FIELDS] = {doc->title_len, doc->body_len, doc->tags_len};
	const char **terms[KB_FIELDS] = {0};
	int rc = GC_OK;
	for (int f = 0; f < KB_FIELDS && rc == GC_OK; f++) {
		b.field = f;
		if (text[f])
			rc = kb_analyze(a, text[f], len[f], add_term, &b);
	}
	/* the original's title, as tags: its words the customer may type, weakly */
	b.field = KB_FIELD_TAGS;
	if (rc == GC_OK && doc->original_title)
		rc = kb_analyze(a, doc->original_title, doc->original_title_len, add_term, &b);
	/* the title's function words after its stems, out of its length */
	for (uint32_t i = 0; rc == GC_OK && i < b.n_fn; i++) {
		if (gc_grow((void **)&b.off[KB_FIELD_TITLE], &b.cap_off[KB_FIELD_TITLE], sizeof(size_t),
			    b.n[KB_FIELD_TITLE] + i + 1) < 0 ||
		    gc_grow((void **)&b.lens[KB_FIELD_TITLE], &b.cap_lens[KB_FIELD_TITLE], sizeof(size_t),
			    b.n[KB_FIELD_TITLE] + i + 1) < 0) {
			rc = GC_ENOMEM;
			break;
		}
		b.off[KB_FIELD_TITLE][b.n[KB_FIELD_TITLE] + i] = b.fn_off[i];
		b.lens[KB_FIELD_TITLE][b.n[KB_FIELD_TITLE] + i] = b.fn_lens[i];
	}
	uint32_t n_fn = rc == GC_OK ? b.n_fn : 0;
	for (int f = 0; f < KB_FIELDS && rc == GC_OK; f++) {
		uint32_t nf = b.n[f] + (f == KB_FIELD_TITLE ? n_fn : 0);
		terms[f] = malloc((nf ? nf : 1) * sizeof(char *));
		if (terms[f] == NULL)
			rc = GC_ENOMEM;
		for (uint32_t i = 0; rc == GC_OK && i < nf; i++)
			terms[f][i] = b.buf + b.off[f][i];
	}
	uint32_t d = 0;
	char *vocab = rc == GC_OK ? title_vocab(&b) : NULL;
	if (rc == GC_OK && vocab == NULL)
		rc = GC_ENOMEM;
	if (rc == GC_OK) {
		struct kb_doc_terms dt = {0};
		for (int f = 0; f < KB_FIELDS; f++) {
			dt.terms[f] = terms[f];
			dt.lens[f] = b.lens[f];
			dt.n[f] = b.n[f];
		}
		dt.n[KB_FIELD_TITLE] += n_fn;
		dt.n_uncounted[KB_FIELD_TITLE] = n_fn;
		rc = kb_index_add(c->ix, &dt, &d);
	}
	if (rc == GC_OK && (gc_grow((void **)&c->item_of, &c->cap_item_of, sizeof(uint64_t), d + 1) < 0 ||
			    gc_grow((void **)&c->tree_of, &c->cap_tree_of, 1, d + 1) < 0))
		rc = GC_ENOMEM;
	if (rc == GC_OK) {
		c->item_of[d] = doc->item;
		c->tree_of[d] = doc->tree;
		struct item_doc *e = item_find(c, doc->item);
		if (e) {
			kb_index_remove(c->ix, e->doc);
			e->doc = d;
			free(e->vocab);
			e->vocab = vocab;
			vocab = NULL;
		} else if ((e = malloc(sizeof(*e))) != NULL) {
			e->item = doc->item;
			e->doc = d;
			e->vocab = vocab;
			vocab = NULL;
			HASH_ADD(hh, c->by_item, item, sizeof(e->item), e);
			c->live++;
		} else {
			kb_index_remove(c->ix, d);
			rc = GC_ENOMEM;
		}
	}
	free(vocab);
	for (int f = 0; f < KB_FIELDS; f++) {
		free(terms[f]);
		free(b.off[f]);
		free(b.lens[f]);
	}
	free(b.fn_off);
	free(b.fn_lens);
	free(b.buf);
	return rc;
}

int kb_corpus_drop(struct kb_corpus *c, uint64_t item)
{
	struct item_doc *e = item_find(c, item);
	if (e == NULL)
		return GC_ENOTFOUND;
	kb_index_remove(c->ix, e->doc);
	HASH_DEL(c->by_item, e);
	free(e->vocab);
	free(e);
	c->live--;
	return GC_OK;
}

int kb_corpus_finish(struct kb_corpus *c)
{
	return kb_index_finish(c->ix);
}

static struct link *link_find(const struct kb_corpus *c, const char *stem, size_t len)
{
	struct link *l = NULL;
	HASH_FIND(hh, c->links, stem, len, l);
	return l;
}

/* A link's resolutions, less its share of failures. */
static double link_evidence(const struct link_to *t)
{
	return t->ok > 0 ? (double)t->ok * t->ok / (t->ok + t->failed) : 0;
}

/* Keeps an item's evidence (the most of any of its links) after one of its
 * links' went from was to now. */
static int learned_update(struct kb_corpus *c, uint64_t item, double was, double now)
{
	struct learned_item *e = NULL;
	HASH_FIND(hh, c->learned, &item, sizeof(item), e);
	if (e == NULL) {
		if (now <= 0)
			return GC_OK;
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return GC_ENOMEM;
		e->item = item;
		HASH_ADD(hh, c->learned, item, sizeof(e->item), e);
		c->n_learned++;
	}
	if (now >= e->evidence) {
		e->evidence = now;
	} else if (was >= e->evidence) {
		/* the most may have gone down: read every link (failures and taking back are rare) */
		e->evidence = 0;
		struct link *l, *tmp;
		HASH_ITER(hh, c->links, l, tmp)
			for (uint32_t i = 0; i < l->n; i++)
				if (l->to[i].item == item)
					e->evidence = fmax(e->evidence, link_evidence(&l->to[i]));
	}
	if (e->evidence <= 0) {
		HASH_DEL(c->learned, e);
		free(e);
		c->n_learned--;
	}
	return GC_OK;
}

static double item_evidence(const struct kb_corpus *c, uint64_t item)
{
	struct learned_item *e = NULL;
	HASH_FIND(hh, c->learned, &item, sizeof(item), e);
	return e ? e->evidence : 0;
}

int kb_corpus_link(struct kb_corpus *c, const char *stem, size_t len, uint64_t item, int32_t ok, int32_t failed)
{
	struct link *l = link_find(c, stem, len);
	if (l == NULL) {
		if (ok <= 0 && failed <= 0)
			return GC_OK;
		l = calloc(1, sizeof(*l));
		if (l == NULL || (l->stem = strndup(stem, len)) == NULL) {
			free(l);
			return GC_ENOMEM;
		}
		HASH_ADD_KEYPTR(hh, c->links, l->stem, len, l);
	}
	uint32_t i = 0;
	while (i < l->n && l->to[i].item != item)
		i++;
	if (i == l->n) {
		if (gc_grow((void **)&l->to, &l->cap, sizeof(struct link_to), l->n + 1) < 0)
			return GC_ENOMEM;
		l->to[l->n++] = (struct link_to){.item = item};
	}
	struct link_to *t = &l->to[i];
	double was = link_evidence(t);
	t->ok = t->ok + ok > 0 ? t->ok + ok : 0;
	t->failed = t->failed + failed > 0 ? t->failed + failed : 0;
	double now = link_evidence(t);
	if (t->ok == 0 && t->failed == 0)
		l->to[i] = l->to[--l->n];
	if (l->n == 0) {
		HASH_DEL(c->links, l);
		free(l->stem);
		free(l->to);
		free(l);
	}
	return was != now ? learned_update(c, item, was, now) : GC_OK;
}

void kb_corpus_link_get(const struct kb_corpus *c, const char *stem, size_t len, uint64_t item, int32_t *ok,
			int32_t *failed)
{
	const struct link *l = link_find(c, stem, len);
	*ok = *failed = 0;
	for (uint32_t i = 0; l && i < l->n; i++)
		if (l->to[i].item == item) {
			*ok = l->to[i].ok;
			*failed = l->to[i].failed;
		}
}


/* The evidence of all the stem's links to items still in the corpus. */
static double link_total(const struct kb_corpus *c, const struct link *l)
{
	double total = 0;
	for (uint32_t i = 0; i < l->n; i++)
		if (item_find(c, l->to[i].item))
			total += link_evidence(&l->to[i]);
	return total;
}

/* How much a stem's links count by how specific it is to their items, as
 * IDF over links: fully for a stem linked to one item of those resolutions
 * led to, less for one linked to many ("tor", "navigateur", "comment" in
 * most questions), to the power KB_LINK_SPECIFICITY; 1 while one item at
 * most has resolutions. What the links of common words brought (every item
 * customers were resolved by a little ahead) is resolved_before's. */
static double link_specificity(const struct kb_corpus *c, const struct link *l)
{
	if (c->n_learned <= 1 || l->n == 0)
		return 1.0;
	double idf = log2(1.0 + (double)c->n_learned / l->n) / log2(1.0 + c->n_learned);
	return pow(fmin(1.0, idf), KB_LINK_SPECIFICITY);
}

/* What an item resolutions led to gets whatever the words typed: a prior
 * (what resolved contacts before is likely to resolve the next), half of
 * KB_W_RESOLVED_BEFORE at the first resolution, bounded by it; failures
 * take some back (evidence: item_evidence). */
static double resolved_before(double evidence)
{
	return evidence > 0 ? KB_W_RESOLVED_BEFORE * (1.0 - pow(2.0, -evidence)) : 0;
}

/* What a link adds: grows with resolutions, shrinks with the share of
 * failures. (Shrinking it too with the share of the stem's resolutions that
 * went to other items lowered the relevance sets' learning figures.) */
static double link_score(int32_t ok, int32_t failed)
{
	if (ok <= 0)
		return 0;
	return KB_W_LINK * log2(1.0 + ok) * ((double)ok / (ok + failed));
}

/* --- plans --- */

const char *kb_via_name(enum kb_via via)
{
	static const char *const names[] = {"word", "typo", "synonym", "tenant_synonym", "association", "part",
					    "function_word", "resolved_before"};
	return (unsigned)via < sizeof(names) / sizeof(names[0]) ? names[via] : "?";
}

struct planning {
	const struct kb_corpus *c;
	struct kb_plan *plan;
	struct {
		char word[KB_MAX_WORD * 4], stem[KB_MAX_WORD * 4];
	} typed[KB_MAX_PLAN];
	size_t n_typed;
	char function[KB_MAX_FUNCTION_WORDS][KB_MAX_WORD * 4]; /* FUNCTION_MARK and a function word typed */
	size_t n_function;
	struct {
		char word[KB_MAX_WORD * 4]; /* folded */
		size_t len;
		int typed;             /* its typed[] entry, -1 for a stop word */
	} seq[KB_MAX_PLAN];        /* every word in order, stop words too */
	size_t n_seq;
};

static void note_function_word(struct planning *p, const struct kb_term *t)
{
	if (p->n_function == KB_MAX_FUNCTION_WORDS || t->word_len == 0 || t->word_len + 1 >= KB_MAX_WORD * 4)
		return;
	char w[KB_MAX_WORD * 4];
	w[0] = FUNCTION_MARK;
	memcpy(w + 1, t->word, t->word_len + 1);
	for (size_t i = 0; i < p->n_function; i++)
		if (strcmp(p->function[i], w) == 0)
			return;
	memcpy(p->function[p->n_function++], w, t->word_len + 2);
}

/* Notes the word in p->seq, as typed[k] (-1: none). */
static void note_in_seq(struct planning *p, const struct kb_term *t, int k)
{
	if (p->n_seq == KB_MAX_PLAN || t->word_len == 0 || t->word_len >= sizeof(p->seq[0].word))
		return;
	memcpy(p->seq[p->n_seq].word, t->word, t->word_len + 1);
	p->seq[p->n_seq].len = t->word_len;
	p->seq[p->n_seq++].typed = k;
}

static int note_typed(const struct kb_term *t, void *arg)
{
	struct planning *p = arg;
	if (t->stop)
		note_function_word(p, t);
	if (t->stop || p->n_typed == KB_MAX_PLAN || t->term_len == 0) {
		note_in_seq(p, t, -1);
		return GC_OK;
	}
	for (size_t i = 0; i < p->n_typed; i++)
		if (strcmp(p->typed[i].word, t->word) == 0) {
			note_in_seq(p, t, (int)i);
			return GC_OK;
		}
	memcpy(p->typed[p->n_typed].word, t->word, t->word_len + 1);
	memcpy(p->typed[p->n_typed].stem, t->term, t->term_len + 1);
	note_in_seq(p, t, (int)p->n_typed);
	p->n_typed++;
	return GC_OK;
}

/* Adds a term to the plan once (the highest weight wins); true when the index knows it. */
static bool plan_add(struct planning *p, const char *stem, size_t len, const char *from, enum kb_via via,
		     double weight)
{
	if (kb_index_doc_freq(p->c->ix, stem, len) == 0)
		return false;
	struct kb_plan *plan = p->plan;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->t[i].len == len && memcmp(plan->t[i].term, stem, len) == 0) {
			if (weight > plan->t[i].weight) {
				plan->t[i].weight = weight;
				plan->t[i].via = via;
				snprintf(plan->t[i].from, sizeof(plan->t[i].from), "%s", from);
			}
			return true;
		}
	if (plan->n == KB_MAX_PLAN || len >= sizeof(plan->t[0].term))
		return true;
	struct kb_plan_term *t = &plan->t[plan->n++];
	memcpy(t->term, stem, len);
	t->term[len] = '\0';
	t->len = len;
	snprintf(t->from, sizeof(t->from), "%s", from);
	t->via = via;
	t->weight = weight;
	return true;
}

struct typo_ctx {
	struct planning *p;
	const char *from;
	bool found;
};

static int add_typo(uint32_t id, int distance, void *arg)
{
	struct typo_ctx *ctx = arg;
	const char *stem = ctx->p->c->stem_of[id];
	if (distance == 1 && plan_add(ctx->p, stem, strlen(stem), ctx->from, KB_VIA_TYPO, KB_W_TYPO))
		ctx->found = true;
	return GC_OK;
}

/* A word the corpus lacks, glued from parts it has ("freebsd", "chromebook",
 * "ransomware"): its longest head of PART_HEAD_MIN letters or more and half the
 * word at least, and its longest tail of PART_TAIL_MIN letters or more after a
 * head of as many, that are stems of the index, each as a typing mistake
 * would be. Cut between characters only. True when one is in the index. */
static bool add_parts(struct planning *p, const char *word)
{
	size_t len = strlen(word);
	bool found = false;
	if (len < PART_WORD_MIN)
		return false;
	for (size_t k = len - 1; k >= PART_HEAD_MIN && 2 * k >= len; k--)
		if (((unsigned char)word[k] & 0xC0) != 0x80 && plan_add(p, word, k, word, KB_VIA_PART, KB_W_TYPO)) {
			found = true;
			break;
		}
	for (size_t k = PART_TAIL_MIN; k + PART_TAIL_MIN <= len; k++)
		if (((unsigned char)word[k] & 0xC0) != 0x80 &&
		    plan_add(p, word + k, len - k, word, KB_VIA_PART, KB_W_TYPO)) {
			found = true;
			break;
		}
	return found;
}

/* A word the corpus lacks that is a part of words it has, glued to more
 * ("torrents" in "bittorrent", "virus" in "antivirus"): the stem typed, of
 * COMPOUND_PART_MIN letters or more, at the start or the end of a word of the
 * corpus COMPOUND_REST_MIN letters longer or more; that word's stem is
 * searched as a typing mistake would be, for the first COMPOUND_MAX such
 * words. Reads the whole lexicon: only for a word nothing else matched.
 * True when one is in the index. */
static bool add_compounds(struct planning *p, const char *stem, const char *word)
{
	const struct kb_corpus *c = p->c;
	size_t len = strlen(stem), found = 0;
	if (len < COMPOUND_PART_MIN)
		return false;
	uint32_t n = kb_lexicon_size(c->lex);
	for (uint32_t id = 0; id < n && found < COMPOUND_MAX; id++) {
		const char *w = kb_lexicon_word(c->lex, id);
		size_t wl = w ? strlen(w) : 0;
		if (wl < len + COMPOUND_REST_MIN || (memcmp(w, stem, len) != 0 && memcmp(w + wl - len, stem, len) != 0))
			continue;
		const char *s = c->stem_of[id];
		if (plan_add(p, s, strlen(s), word, KB_VIA_PART, KB_W_COMPOUND))
			found++;
	}
	return found > 0;
}

/* The first term of a word analysed alone: its stem, and whether it is a stop word. */
struct first_term {
	char stem[KB_MAX_WORD * 4];
	bool stop, seen;
};

static int note_first_term(const struct kb_term *t, void *arg)
{
	struct first_term *e = arg;
	if (!e->seen && t->term_len < sizeof(e->stem)) {
		memcpy(e->stem, t->term, t->term_len);
		e->stem[t->term_len] = '\0';
		e->stop = t->stop;
		e->seen = true;
	}
	return GC_OK;
}

/* A French word the corpus lacks that is an elided word glued to the next,
 * its apostrophe not typed ("jaccelere", "lordinateur", "darriver", "jai",
 * "quil"): c, d, j, l, m, n, s, t or qu before a vowel or h, then a word. The
 * rest searches as typed when the index has it; a function word ("jai":
 * "ai") is searched as one. True when the word is understood so. */
static bool add_elided(struct planning *p, struct kb_analyzer *a, const char *word)
{
	size_t head = strncmp(word, "qu", 2) == 0 ? 2 : strchr("cdjlmnst", word[0]) && word[0] ? 1 : 0;
	if (head == 0 || strlen(word) < head + 2 || !strchr("aeiouyh", word[head]))
		return false;
	struct first_term e = {0};
	const char *rest = word + head;
	if (kb_analyze(a, rest, strlen(rest), note_first_term, &e) < 0 || !e.seen)
		return false;
	if (e.stop) {
		char w[KB_MAX_WORD * 4];
		snprintf(w, sizeof(w), "%c%s", FUNCTION_MARK, rest);
		plan_add(p, w, strlen(w), word, KB_VIA_FUNCTION_WORD, KB_W_FUNCTION_WORD);
		return true;
	}
	return plan_add(p, e.stem, strlen(e.stem), word, KB_VIA_WORD, 1.0);
}

/* French plurals in -aux the stemmer splits from their singular: Snowball
 * reads every "-aux" as the plural of "-al" ("noyaux" stems as "noyal",
 * "noyau" as "noyau"; "travaux" as "traval", "travail" as "travail"). A
 * French word typed in one form searches the other's stem too, as typed,
 * when the index has it. True when it does. ("-eux" is left alone: "peu"
 * and "peux" are two words, and so are most adjectives in -eux.) */
static bool add_plural(struct planning *p, struct kb_analyzer *a, const char *word, const char *stem)
{
	static const char *const forms[][2] = {{"aux", "au"}, {"aux", "ail"}, {"au", "aux"}, {"ail", "aux"}};
	size_t len = strlen(word);
	bool found = false;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t from = strlen(forms[i][0]), to = strlen(forms[i][1]);
		if (len <= from + 1 || len - from + to >= KB_MAX_WORD * 4 || strcmp(word + len - from, forms[i][0]) != 0)
			continue;
		char other[KB_MAX_WORD * 4];
		snprintf(other, sizeof(other), "%.*s%s", (int)(len - from), word, forms[i][1]);
		struct first_term e = {0};
		if (kb_analyze(a, other, strlen(other), note_first_term, &e) < 0 || !e.seen || e.stop ||
		    strcmp(e.stem, stem) == 0)
			continue;
		found |= plan_add(p, e.stem, strlen(e.stem), word, KB_VIA_WORD, 1.0);
	}
	return found;
}

/* Adds the stems of word's synonyms in s; true when one is in the index. */
static bool add_synonyms(struct planning *p, const struct kb_synonyms *s, const char *word, enum kb_via via,
			 double weight)
{
	const struct synonym *e = synonym_find(s, word, strlen(word));
	bool found = false;
	for (uint32_t i = 0; e && i < e->n; i++) {
		const char *phrase = e->phrases[i];
		size_t n = 1;
		for (const char *q = phrase; *q; q++)
			n += *q == ' ';
		for (const char *q = phrase; *q;) {
			size_t len = strcspn(q, " ");
			if (plan_add(p, q, len, word, via, weight / (double)n))
				found = true;
			q += len + (q[len] == ' ');
		}
	}
	return found;
}

/* Adds the synonyms of the thesaurus's headwords of several words typed
 * as they are ("get rid of" means "remove", "mettre à jour" "actualiser"),
 * in s; marks their typed words matched when one is in the index. */
static void add_phrase_synonyms(struct planning *p, const struct kb_synonyms *s, enum kb_via via, double weight,
				bool *matched)
{
	for (size_t i = 0; s && i + 1 < p->n_seq; i++) {
		char key[KB_MAX_WORD * 4 * PHRASE_MAX_WORDS];
		size_t len = 0;
		for (size_t n = 1; n <= PHRASE_MAX_WORDS && i + n <= p->n_seq; n++) {
			if (len + p->seq[i + n - 1].len + 1 >= sizeof(key))
				break;
			if (n > 1)
				key[len++] = ' ';
			memcpy(key + len, p->seq[i + n - 1].word, p->seq[i + n - 1].len);
			len += p->seq[i + n - 1].len;
			key[len] = '\0';
			if (n == 1 || !add_synonyms(p, s, key, via, weight))
				continue;
			for (size_t k = i; k < i + n; k++)
				if (p->seq[k].typed >= 0)
					matched[p->seq[k].typed] = true;
		}
	}
}

/* A stem an item's vocabulary associates with a typed word, and the evidence. */
struct association {
	const char *stem;
	double evidence;
};

static int by_evidence(const void *a, const void *b)
{
	const struct association *x = a, *y = b;
	return x->evidence != y->evidence ? (x->evidence < y->evidence ? 1 : -1) : strcmp(x->stem, y->stem);
}

/* Adds what the typed stem's resolutions associate it with: the title stems
 * of the items it led to, when they do not contain it (see the top). */
static void add_associations(struct planning *p, const char *stem, const char *word)
{
	const struct kb_corpus *c = p->c;
	const struct link *l = link_find(c, stem, strlen(stem));
	if (l == NULL)
		return;
	struct association found[KB_MAX_PLAN];
	size_t n = 0;
	double total = link_total(c, l);
	struct kb_query_term q = {stem, strlen(stem), 1.0};
	for (uint32_t i = 0; i < l->n; i++) {
		const struct item_doc *e = item_find(c, l->to[i].item);
		double ev = link_evidence(&l->to[i]);
		if (e == NULL || ev <= 0 || kb_index_score(c->ix, &q, 1, e->doc) > 0)
			continue;
		for (const char *t = e->vocab; *t; t += strlen(t) + 1) {
			size_t j = 0;
			while (j < n && strcmp(found[j].stem, t) != 0)
				j++;
			if (j == n && n < KB_MAX_PLAN)
				found[n++] = (struct association){t, 0};
			if (j < n)
				found[j].evidence += ev;
		}
	}
	qsort(found, n, sizeof(*found), by_evidence);
	for (size_t i = 0; i < n && i < KB_ASSOC_PER_WORD; i++) {
		double share = found[i].evidence / total, agree = fmin(1.0, found[i].evidence / KB_ASSOC_EVIDENCE);
		plan_add(p, found[i].stem, strlen(found[i].stem), word, KB_VIA_ASSOCIATION, KB_W_ASSOC * share * agree);
	}
}

int kb_corpus_plan(const struct kb_corpus *c, struct kb_analyzer *a, const char *text, size_t len,
		   struct kb_plan *plan)
{
	struct planning p = {.c = c, .plan = plan};
	plan->n = plan->n_unmatched = 0;
	/* everyday writing first: "pb de mdp" searches "problème de mot de passe" */
	size_t size = len * 8 + 1, expanded_len = 0;
	char *expanded = len <= KB_MAX_QUERY ? malloc(size) : NULL;
	if (expanded && kb_shorthand_expand(c->lang, text, len, expanded, size, &expanded_len) == GC_OK) {
		text = expanded;
		len = expanded_len;
	}
	int rc = kb_analyze(a, text, len, note_typed, &p);
	free(expanded);
	if (rc < 0)
		return rc;
	plan->n_words = p.n_typed;
	bool matched[KB_MAX_PLAN] = {0};
	for (size_t i = 0; i < p.n_typed; i++) {
		const char *stem = p.typed[i].stem, *word = p.typed[i].word;
		matched[i] = plan_add(&p, stem, strlen(stem), word, KB_VIA_WORD, 1.0);
		uint32_t id;
		bool known = !matched[i] && kb_lexicon_find(c->lex, word, strlen(word), &id) == GC_OK;
		/* a word typed without its accents is stemmed otherwise ("securite": "securit", "sécurité":
		 * "secur"): the content's own stem of the same letters is the word typed */
		if (known)
			matched[i] = plan_add(&p, c->stem_of[id], strlen(c->stem_of[id]), word, KB_VIA_WORD, 1.0);
		if (c->lang == KB_LANG_FR && add_plural(&p, a, word, stem))
			matched[i] = true;
		if (!matched[i] && !known) {
			struct typo_ctx ctx = {&p, word, false};
			kb_lexicon_near(c->lex, word, strlen(word), add_typo, &ctx);
			matched[i] = ctx.found || (c->lang == KB_LANG_FR && add_elided(&p, a, word)) ||
				     add_parts(&p, word) || add_compounds(&p, stem, word);
		}
	}
	for (size_t i = 0; i < p.n_typed; i++)
		if (add_synonyms(&p, c->own, p.typed[i].word, KB_VIA_TENANT_SYNONYM, KB_W_TENANT))
			matched[i] = true;
	for (size_t i = 0; i < p.n_typed; i++)
		if (add_synonyms(&p, c->seed, p.typed[i].word, KB_VIA_SYNONYM, KB_W_SEED))
			matched[i] = true;
	add_phrase_synonyms(&p, c->own, KB_VIA_TENANT_SYNONYM, KB_W_TENANT, matched);
	add_phrase_synonyms(&p, c->seed, KB_VIA_SYNONYM, KB_W_SEED, matched);
	for (size_t i = 0; i < p.n_typed; i++)
		add_associations(&p, p.typed[i].stem, p.typed[i].word);
	for (size_t i = 0; i < p.n_typed; i++) {
		/* a word with a learned link matched something too */
		if (!matched[i] && link_find(c, p.typed[i].stem, strlen(p.typed[i].stem)))
			matched[i] = true;
		if (!matched[i] && plan->n_unmatched < KB_MAX_UNMATCHED)
			snprintf(plan->unmatched[plan->n_unmatched++], sizeof(plan->unmatched[0]), "%s",
				 p.typed[i].word);
	}
	/* learned links are looked up by the stems typed, even when the index lacks them */
	for (size_t i = 0; i < p.n_typed; i++) {
		const char *stem = p.typed[i].stem;
		size_t slen = strlen(stem);
		bool present = false;
		for (size_t j = 0; j < plan->n && !present; j++)
			present = plan->t[j].len == slen && memcmp(plan->t[j].term, stem, slen) == 0;
		if (!present && plan->n < KB_MAX_PLAN && link_find(c, stem, slen)) {
			struct kb_plan_term *t = &plan->t[plan->n++];
			snprintf(t->term, sizeof(t->term), "%s", stem);
			t->len = slen;
			snprintf(t->from, sizeof(t->from), "%s", p.typed[i].word);
			t->via = KB_VIA_WORD;
			t->weight = 1.0;
		}
	}
	/* last, so that they never crowd out a word: the function words typed, as titles phrase questions;
	 * one in most titles tells nothing and would make the search read most postings */
	uint32_t n_docs = kb_index_size(c->ix);
	for (size_t i = 0; i < p.n_function; i++) {
		const char *w = p.function[i];
		if ((double)kb_index_doc_freq(c->ix, w, strlen(w)) <= FUNCTION_WORD_MAX_SHARE * n_docs)
			plan_add(&p, w, strlen(w), w + 1, KB_VIA_FUNCTION_WORD, KB_W_FUNCTION_WORD);
	}
	return GC_OK;
}

/* --- search --- */

static void plan_terms(const struct kb_plan *plan, struct kb_query_term *q)
{
	for (size_t i = 0; i < plan->n; i++)
		q[i] = (struct kb_query_term){plan->t[i].term, plan->t[i].len, plan->t[i].weight};
}

/* How much a plan term's learned links count: fully for a word typed; at
 * KB_W_SYNONYM_LINK for a synonym of one, so that what customers taught
 * with "remove" helps the one who types "delete" (the synonym's own weight
 * in the text, KB_W_SEED, is kept low because the content's use of a
 * thesaurus word is a weak sign; a customer's resolution is a strong one);
 * not for typos', glued parts' or associations' stems, which the customer
 * did not mean as words of their own. */
static double link_weight(const struct kb_plan_term *t)
{
	switch (t->via) {
	case KB_VIA_WORD:
		return t->weight;
	case KB_VIA_SYNONYM:
	case KB_VIA_TENANT_SYNONYM:
		return KB_W_SYNONYM_LINK;
	default:
		return 0;
	}
}

static bool result_better(const struct kb_result *a, const struct kb_result *b)
{
	return a->score != b->score ? a->score > b->score : a->item < b->item;
}

static int by_score(const void *a, const void *b)
{
	return result_better(a, b) ? -1 : result_better(b, a) ? 1 : 0;
}

int kb_corpus_search(const struct kb_corpus *c, const struct kb_plan *plan, size_t k, struct kb_result *res,
		     size_t *ret_n)
{
	*ret_n = 0;
	if (k == 0 || plan->n == 0)
		return GC_OK;
	struct kb_query_term q[KB_MAX_PLAN];
	plan_terms(plan, q);
	/* the text's k best are enough: an item a learned link lifts is scored on its own below */
	size_t want = k, n_hits = 0;
	uint32_t n = 0, cap = (uint32_t)want;
	struct kb_hit *hits = malloc(want * sizeof(*hits));
	struct kb_result *all = malloc(cap * sizeof(*all));
	int rc = hits && all ? kb_index_search(c->ix, q, plan->n, want, hits, &n_hits) : GC_ENOMEM;
	for (size_t i = 0; rc == GC_OK && i < n_hits; i++)
		all[n++] = (struct kb_result){c->item_of[hits[i].doc], c->tree_of[hits[i].doc], hits[i].score, 0};
	for (size_t i = 0; rc == GC_OK && i < plan->n; i++) {
		double lw = link_weight(&plan->t[i]);
		const struct link *l = lw > 0 ? link_find(c, plan->t[i].term, plan->t[i].len) : NULL;
		if (l)
			lw *= link_specificity(c, l);
		for (uint32_t j = 0; l && j < l->n && rc == GC_OK; j++) {
			const struct item_doc *e = item_find(c, l->to[j].item);
			double add = lw * link_score(l->to[j].ok, l->to[j].failed);
			if (e == NULL || add <= 0)
				continue;
			size_t at = 0;
			while (at < n && all[at].item != l->to[j].item)
				at++;
			if (at == n) {
				if (gc_grow((void **)&all, &cap, sizeof(*all), n + 1) < 0) {
					rc = GC_ENOMEM;
					break;
				}
				all[n++] = (struct kb_result){l->to[j].item, c->tree_of[e->doc],
							      kb_index_score(c->ix, q, plan->n, e->doc), 0};
			}
			all[at].score += add;
			all[at].learned += add;
		}
	}
	/* each item resolutions led to before, a little ahead (the links above weigh less for it) */
	for (uint32_t i = 0; rc == GC_OK && i < n; i++) {
		double add = resolved_before(item_evidence(c, all[i].item));
		all[i].score += add;
		all[i].learned += add;
	}
	if (rc == GC_OK) {
		qsort(all, n, sizeof(*all), by_score);
		if (n > k)
			n = (uint32_t)k;
		/* trees covering the intent first, each group keeping its order */
		double best = n ? all[0].score : 0;
		size_t out = 0;
		for (size_t i = 0; i < n; i++)
			if (all[i].tree && all[i].score >= TREE_COVERS * best)
				res[out++] = all[i];
		for (size_t i = 0; i < n; i++)
			if (!(all[i].tree && all[i].score >= TREE_COVERS * best))
				res[out++] = all[i];
		*ret_n = out;
	}
	free(hits);
	free(all);
	return rc;
}

int kb_corpus_explain(const struct kb_corpus *c, const struct kb_plan *plan, uint64_t item, kb_why_fn fn,
		      void *arg)
{
	const struct item_doc *e = item_find(c, item);
	if (e == NULL)
		return GC_ENOTFOUND;
	for (size_t i = 0; i < plan->n; i++) {
		struct kb_query_term q = {plan->t[i].term, plan->t[i].len, plan->t[i].weight};
		double s = kb_index_score(c->ix, &q, 1, e->doc);
		int rc = s > 0 ? fn(&plan->t[i], false, s, 0, 0, arg) : GC_OK;
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < plan->n; i++) {
		int32_t ok, failed;
		double lw = link_weight(&plan->t[i]);
		const struct link *l = lw > 0 ? link_find(c, plan->t[i].term, plan->t[i].len) : NULL;
		if (l == NULL)
			continue;
		kb_corpus_link_get(c, plan->t[i].term, plan->t[i].len, item, &ok, &failed);
		double s = lw * link_specificity(c, l) * link_score(ok, failed);
		int rc = ok || failed ? fn(&plan->t[i], true, s, ok, failed, arg) : GC_OK;
		if (rc < 0)
			return rc;
	}
	double evidence = item_evidence(c, item);
	if (evidence > 0) {
		/* its resolutions and failures: those of the link with the most evidence */
		static const struct kb_plan_term before = {.via = KB_VIA_RESOLVED_BEFORE};
		int32_t ok = 0, failed = 0;
		const struct link *l, *tmp;
		HASH_ITER(hh, c->links, l, tmp)
			for (uint32_t i = 0; i < l->n; i++)
				if (l->to[i].item == item && link_evidence(&l->to[i]) >= evidence) {
					ok = l->to[i].ok;
					failed = l->to[i].failed;
				}
		return fn(&before, true, resolved_before(evidence), ok, failed, arg);
	}
	return GC_OK;
}

/* --- snippets --- */

struct snip_word {
	size_t start, end;
	int term;                  /* the plan term it matches, -1 none */
};

struct snipping {
	const struct kb_plan *plan;
	struct snip_word *w;
	uint32_t n, cap;
};

static int snip_word(const struct kb_term *t, void *arg)
{
	struct snipping *s = arg;
	if (gc_grow((void **)&s->w, &s->cap, sizeof(*s->w), s->n + 1) < 0)
		return GC_ENOMEM;
	int term = -1;
	for (size_t i = 0; !t->stop && i < s->plan->n && term < 0; i++)
		if (s->plan->t[i].len == t->term_len && memcmp(s->plan->t[i].term, t->term, t->term_len) == 0)
			term = (int)i;
	s->w[s->n++] = (struct snip_word){t->start, t->end, term};
	return GC_OK;
}

#define SNIP_LEAD 3                /* words shown before the first match */

int kb_snippet(struct kb_analyzer *a, const struct kb_plan *plan, const char *text, size_t len, size_t max_words,
	       struct kb_snippet *out)
{
	struct snipping s = {.plan = plan};
	*out = (struct kb_snippet){0};
	int rc = kb_analyze(a, text, len, snip_word, &s);
	if (rc < 0 || s.n == 0 || max_words == 0) {
		free(s.w);
		return rc;
	}
	size_t best_at = 0, best_count = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.w[i].term < 0)
			continue;
		size_t from = i > SNIP_LEAD ? i - SNIP_LEAD : 0, count = 0;
		uint64_t seen = 0;
		for (size_t j = from; j < s.n && j < from + max_words; j++)
			if (s.w[j].term >= 0 && !(seen & (1ull << s.w[j].term))) {
				seen |= 1ull << s.w[j].term;
				count++;
			}
		if (count > best_count) {
			best_count = count;
			best_at = from;
		}
	}
	size_t last = best_at + max_words < s.n ? best_at + max_words : s.n;
	out->start = best_at ? s.w[best_at].start : 0;
	out->end = last == s.n ? len : s.w[last - 1].end;
	for (size_t j = best_at; j < last; j++)
		if (s.w[j].term >= 0 && out->n_marks < KB_MAX_MARKS) {
			out->mark[out->n_marks][0] = s.w[j].start;
			out->mark[out->n_marks++][1] = s.w[j].end;
		}
	free(s.w);
	return GC_OK;
}
