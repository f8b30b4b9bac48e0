/* The search index (guichet/kb_index.h): postings per term, BM25F, top k by
 * MaxScore with block maxima (each term's postings are cut in blocks of
 * BLOCK, each knowing its best posting, so that runs of documents that
 * cannot reach the k best are skipped whole); a query whose lists cover most
 * documents, where nothing can be skipped, adds every posting in one pass. */
#include "guichet/kb_index.h"
#include "guichet/array.h"
#include "guichet/error.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define K1 1.2
#define BLOCK 64
/* title, body, tags; tuned on the relevance sets' learning parts (bench/knowledge/run): a title
 * weight of 8 and a title length normalisation of 0.8 (from 5 and 0.5) moved their MRR by +0.01 */
static const double field_weight[KB_FIELDS] = {8.0, 1.0, 2.0};
static const double field_b[KB_FIELDS] = {0.8, 0.75, 0.3};

struct posting {
	uint32_t doc;
	uint16_t tf[KB_FIELDS];
};

struct term {
	char *text;
	uint32_t len;
	struct posting *p;
	uint32_t n, cap;
	double idf, max_part;       /* after finish: idf, and the best tf~/(K1 + tf~) of its postings */
	double *block_max;          /* after finish: the best of each BLOCK postings */
	uint32_t blocked;           /* the postings block_max covers (those at the last finish) */
	uint32_t scratch_doc, scratch_at; /* while adding a document: its slot in that document's postings */
};

struct kb_index {
	struct term *terms;
	uint32_t n_terms, cap_terms;
	uint32_t *slots;            /* open addressing: term id + 1, 0 empty */
	size_t cap_slots;
	uint32_t *length[KB_FIELDS];
	double *scale[KB_FIELDS];   /* per document: the field's weight over its length normalisation */
	uint8_t *removed;
	uint32_t n_docs, cap_docs, cap_len[KB_FIELDS], cap_scale[KB_FIELDS], cap_removed;
	double avg[KB_FIELDS];
};

static uint64_t hash_text(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct kb_index *kb_index_new(void)
{
	return calloc(1, sizeof(struct kb_index));
}

void kb_index_free(struct kb_index *ix)
{
	if (ix == NULL)
		return;
	for (uint32_t i = 0; i < ix->n_terms; i++) {
		free(ix->terms[i].text);
		free(ix->terms[i].p);
		free(ix->terms[i].block_max);
	}
	free(ix->terms);
	free(ix->slots);
	for (int f = 0; f < KB_FIELDS; f++)
		free(ix->length[f]), free(ix->scale[f]);
	free(ix->removed);
	free(ix);
}

static int64_t find_term(const struct kb_index *ix, const char *text, size_t len)
{
	if (ix->cap_slots == 0)
		return -1;
	for (size_t j = hash_text(text, len) & (ix->cap_slots - 1); ix->slots[j]; j = (j + 1) & (ix->cap_slots - 1)) {
		const struct term *t = &ix->terms[ix->slots[j] - 1];
		if (t->len == len && memcmp(t->text, text, len) == 0)
			return ix->slots[j] - 1;
	}
	return -1;
}

static int grow_slots(struct kb_index *ix)
{
	size_t cap = ix->cap_slots ? ix->cap_slots * 2 : 4096;
	uint32_t *slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return GC_ENOMEM;
	for (uint32_t i = 0; i < ix->n_terms; i++) {
		size_t j = hash_text(ix->terms[i].text, ix->terms[i].len) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = i + 1;
	}
	free(ix->slots);
	ix->slots = slots;
	ix->cap_slots = cap;
	return GC_OK;
}

/* The term's id, created when new. */
static int term_id(struct kb_index *ix, const char *text, size_t len, uint32_t *ret)
{
	int64_t found = find_term(ix, text, len);
	if (found >= 0) {
		*ret = (uint32_t)found;
		return GC_OK;
	}
	if (((size_t)ix->n_terms + 1) * 2 > ix->cap_slots && grow_slots(ix) < 0)
		return GC_ENOMEM;
	if (gc_grow((void **)&ix->terms, &ix->cap_terms, sizeof(struct term), ix->n_terms + 1) < 0)
		return GC_ENOMEM;
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return GC_ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	uint32_t id = ix->n_terms++;
	ix->terms[id] = (struct term){.text = copy, .len = (uint32_t)len, .scratch_doc = UINT32_MAX};
	size_t j = hash_text(text, len) & (ix->cap_slots - 1);
	while (ix->slots[j])
		j = (j + 1) & (ix->cap_slots - 1);
	ix->slots[j] = id + 1;
	*ret = id;
	return GC_OK;
}

/* The field's weight over document d's length normalisation in it. */
static double scale(const struct kb_index *ix, int f, uint32_t d)
{
	return field_weight[f] / (1 - field_b[f] + field_b[f] * (ix->avg[f] > 0 ? ix->length[f][d] / ix->avg[f] : 1));
}

int kb_index_add(struct kb_index *ix, const struct kb_doc_terms *doc, uint32_t *ret_doc)
{
	uint32_t d = ix->n_docs;
	for (int f = 0; f < KB_FIELDS; f++)
		if (gc_grow((void **)&ix->length[f], &ix->cap_len[f], sizeof(uint32_t), d + 1) < 0 ||
		    gc_grow((void **)&ix->scale[f], &ix->cap_scale[f], sizeof(double), d + 1) < 0)
			return GC_ENOMEM;
	if (gc_grow((void **)&ix->removed, &ix->cap_removed, 1, d + 1) < 0)
		return GC_ENOMEM;
	for (int f = 0; f < KB_FIELDS; f++) {
		ix->length[f][d] = (uint32_t)(doc->n[f] - doc->n_uncounted[f]);
		ix->scale[f][d] = scale(ix, f, d);
		for (size_t i = 0; i < doc->n[f]; i++) {
			uint32_t id;
			int rc = term_id(ix, doc->terms[f][i], doc->lens[f][i], &id);
			if (rc < 0)
				return rc;
			struct term *t = &ix->terms[id];
			if (t->scratch_doc != d) { /* its first time in this document */
				if (gc_grow((void **)&t->p, &t->cap, sizeof(struct posting), t->n + 1) < 0)
					return GC_ENOMEM;
				t->p[t->n] = (struct posting){.doc = d};
				t->scratch_doc = d;
				t->scratch_at = t->n++;
			}
			uint16_t *tf = &t->p[t->scratch_at].tf[f];
			if (*tf < UINT16_MAX)
				(*tf)++;
		}
	}
	ix->removed[d] = 0;
	ix->n_docs++;
	*ret_doc = d;
	return GC_OK;
}

int kb_index_remove(struct kb_index *ix, uint32_t doc)
{
	if (doc >= ix->n_docs)
		return GC_ENOTFOUND;
	ix->removed[doc] = 1;
	return GC_OK;
}

uint32_t kb_index_size(const struct kb_index *ix)
{
	return ix->n_docs;
}

uint32_t kb_index_doc_freq(const struct kb_index *ix, const char *term, size_t len)
{
	int64_t id = find_term(ix, term, len);
	return id < 0 ? 0 : ix->terms[id].n;
}

/* tf~ / (K1 + tf~) for one posting. */
static double part(const struct kb_index *ix, const struct posting *p)
{
	double tf = 0;
	for (int f = 0; f < KB_FIELDS; f++)
		tf += p->tf[f] * ix->scale[f][p->doc];
	return tf / (K1 + tf);
}

int kb_index_finish(struct kb_index *ix)
{
	for (int f = 0; f < KB_FIELDS; f++) {
		double sum = 0;
		for (uint32_t d = 0; d < ix->n_docs; d++)
			sum += ix->length[f][d];
		ix->avg[f] = ix->n_docs ? sum / ix->n_docs : 0;
		for (uint32_t d = 0; d < ix->n_docs; d++)
			ix->scale[f][d] = scale(ix, f, d);
	}
	for (uint32_t i = 0; i < ix->n_terms; i++) {
		struct term *t = &ix->terms[i];
		t->idf = log(1 + (ix->n_docs - t->n + 0.5) / (t->n + 0.5));
		t->max_part = 0;
		free(t->block_max);
		t->block_max = calloc(t->n / BLOCK + 1, sizeof(double));
		if (t->block_max == NULL)
			return GC_ENOMEM;
		for (uint32_t k = 0; k < t->n; k++) {
			double x = part(ix, &t->p[k]);
			if (x > t->max_part)
				t->max_part = x;
			if (x > t->block_max[k / BLOCK])
				t->block_max[k / BLOCK] = x;
		}
		t->blocked = t->n;
	}
	return GC_OK;
}

/* --- search --- */

struct list {
	const struct term *t;
	double weight, ub;          /* ub: the most this term adds to a score */
	uint32_t at;                /* cursor in t->p */
};

/* The query's terms found in the index, duplicates merged. */
static size_t resolve(const struct kb_index *ix, const struct kb_query_term *q, size_t n, struct list *lists)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t id = find_term(ix, q[i].term, q[i].len);
		if (id < 0 || q[i].weight <= 0)
			continue;
		size_t j = 0;
		while (j < m && lists[j].t != &ix->terms[id])
			j++;
		if (j == m)
			lists[m++] = (struct list){.t = &ix->terms[id]};
		lists[j].weight += q[i].weight;
	}
	for (size_t j = 0; j < m; j++)
		lists[j].ub = lists[j].t->idf * lists[j].weight * lists[j].t->max_part;
	return m;
}

/* Whether hit a ranks before b: higher score, then smaller id. */
static bool better(const struct kb_hit *a, const struct kb_hit *b)
{
	return a->score != b->score ? a->score > b->score : a->doc < b->doc;
}

/* A min-heap of the k best (its root the worst of them). */
static void heap_offer(struct kb_hit *heap, size_t *n, size_t k, struct kb_hit h)
{
	if (*n < k) {
		size_t i = (*n)++;
		while (i > 0 && better(&heap[(i - 1) / 2], &h)) {
			heap[i] = heap[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		heap[i] = h;
		return;
	}
	if (!better(&h, &heap[0]))
		return;
	size_t i = 0;
	for (size_t c; (c = 2 * i + 1) < *n; i = c) {
		if (c + 1 < *n && better(&heap[c], &heap[c + 1]))
			c++;
		if (better(&heap[c], &h))
			break;
		heap[i] = heap[c];
	}
	heap[i] = h;
}

static int by_rank(const void *a, const void *b)
{
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

static int by_ub(const void *a, const void *b)
{
	const struct list *x = a, *y = b;
	return x->ub < y->ub ? -1 : x->ub > y->ub;
}

/* Moves the cursor to the first posting >= doc (galloping, then binary). */
static void seek(struct list *l, uint32_t doc)
{
	const struct posting *p = l->t->p;
	uint32_t n = l->t->n, lo = l->at, step = 1, hi;
	if (lo >= n || p[lo].doc >= doc)
		return;
	while (lo + step < n && p[lo + step].doc < doc)
		step *= 2;
	hi = lo + step < n ? lo + step : n;
	lo += step / 2;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	l->at = lo;
}

#define MAX_QUERY_TERMS 64

/* Every posting of every list added into one score per document, then the
 * k best: for queries whose lists cover most documents, where MaxScore
 * cannot skip and a tight loop over the postings is faster. */
static int score_all(const struct kb_index *ix, const struct list *lists, size_t m, size_t k, struct kb_hit *hits,
		     size_t *ret_n)
{
	*ret_n = 0;
	double *scores = calloc(ix->n_docs ? ix->n_docs : 1, sizeof(double));
	if (scores == NULL)
		return GC_ENOMEM;
	for (size_t i = 0; i < m; i++) {
		double w = lists[i].t->idf * lists[i].weight;
		for (uint32_t j = 0; j < lists[i].t->n; j++)
			scores[lists[i].t->p[j].doc] += w * part(ix, &lists[i].t->p[j]);
	}
	size_t n = 0;
	for (uint32_t d = 0; d < ix->n_docs; d++)
		if (scores[d] > 0 && !ix->removed[d] && k > 0)
			heap_offer(hits, &n, k, (struct kb_hit){d, scores[d]});
	free(scores);
	qsort(hits, n, sizeof(hits[0]), by_rank);
	*ret_n = n;
	return GC_OK;
}

/* When no document up to the end of the essential lists' current blocks can
 * beat threshold (their blocks' maxima plus all the other lists' bounds do
 * not reach it), moves those lists past them and says so. */
static bool skip_blocks(struct list *lists, size_t m, size_t essential, const double *prefix, double threshold)
{
	double bound = essential ? prefix[essential - 1] : 0;
	uint32_t upto = UINT32_MAX;
	for (size_t i = essential; i < m; i++) {
		const struct term *t = lists[i].t;
		if (lists[i].at >= t->n)
			continue;
		uint32_t b = lists[i].at / BLOCK, end = (b + 1) * BLOCK < t->n ? (b + 1) * BLOCK : t->n;
		if (end > t->blocked)
			return false; /* a block with postings added since the last finish */
		bound += t->idf * lists[i].weight * t->block_max[b];
		if (t->p[end - 1].doc < upto)
			upto = t->p[end - 1].doc;
	}
	if (bound > threshold || upto == UINT32_MAX)
		return false;
	for (size_t i = essential; i < m; i++)
		seek(&lists[i], upto + 1);
	return true;
}

int kb_index_search(const struct kb_index *ix, const struct kb_query_term *q, size_t n_terms, size_t k,
		    struct kb_hit *hits, size_t *ret_n)
{
	struct list lists[MAX_QUERY_TERMS];
	double prefix[MAX_QUERY_TERMS];
	*ret_n = 0;
	if (k == 0)
		return GC_OK;
	size_t m = resolve(ix, q, n_terms < MAX_QUERY_TERMS ? n_terms : MAX_QUERY_TERMS, lists);
	uint64_t postings = 0;
	for (size_t i = 0; i < m; i++)
		postings += lists[i].t->n;
	if (postings >= ix->n_docs / 2)
		return score_all(ix, lists, m, k, hits, ret_n);
	qsort(lists, m, sizeof(lists[0]), by_ub);
	for (size_t i = 0; i < m; i++)
		prefix[i] = (i ? prefix[i - 1] : 0) + lists[i].ub;
	size_t n = 0, essential = 0; /* lists[essential..m) drive; the others only complete a score */
	double threshold = 0;
	for (;;) {
		uint32_t d = UINT32_MAX;
		for (size_t i = essential; i < m; i++)
			if (lists[i].at < lists[i].t->n && lists[i].t->p[lists[i].at].doc < d)
				d = lists[i].t->p[lists[i].at].doc;
		if (d == UINT32_MAX)
			break;
		if (n == k && skip_blocks(lists, m, essential, prefix, threshold))
			continue;
		double score = 0;
		for (size_t i = essential; i < m; i++) {
			struct list *l = &lists[i];
			if (l->at < l->t->n && l->t->p[l->at].doc == d) {
				score += l->t->idf * l->weight * part(ix, &l->t->p[l->at]);
				l->at++;
			}
		}
		for (size_t i = essential; i-- > 0;) {
			if (n == k && score + prefix[i] <= threshold)
				break; /* the rest cannot lift it into the k best */
			seek(&lists[i], d);
			if (lists[i].at < lists[i].t->n && lists[i].t->p[lists[i].at].doc == d)
				score += lists[i].t->idf * lists[i].weight * part(ix, &lists[i].t->p[lists[i].at]);
		}
		if (ix->removed[d] || score <= 0)
			continue;
		heap_offer(hits, &n, k, (struct kb_hit){d, score});
		if (n == k) {
			threshold = hits[0].score;
			while (essential < m && prefix[essential] <= threshold)
				essential++;
		}
	}
	qsort(hits, n, sizeof(hits[0]), by_rank);
	*ret_n = n;
	return GC_OK;
}

double kb_index_score(const struct kb_index *ix, const struct kb_query_term *q, size_t n_terms, uint32_t doc)
{
	if (doc >= ix->n_docs || ix->removed[doc])
		return 0;
	double score = 0;
	for (size_t i = 0; i < n_terms; i++) {
		int64_t id = find_term(ix, q[i].term, q[i].len);
		if (id < 0 || q[i].weight <= 0)
			continue;
		struct list l = {.t = &ix->terms[id]};
		seek(&l, doc);
		if (l.at < l.t->n && l.t->p[l.at].doc == doc)
			score += l.t->idf * q[i].weight * part(ix, &l.t->p[l.at]);
	}
	return score;
}

int kb_index_search_exhaustive(const struct kb_index *ix, const struct kb_query_term *q, size_t n_terms,
			       size_t k, struct kb_hit *hits, size_t *ret_n)
{
	struct list lists[MAX_QUERY_TERMS];
	size_t m = resolve(ix, q, n_terms < MAX_QUERY_TERMS ? n_terms : MAX_QUERY_TERMS, lists);
	return score_all(ix, lists, m, k, hits, ret_n);
}
