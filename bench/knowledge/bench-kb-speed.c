/* Knowledge engine speed: a generated corpus of N articles (default
 * 100,000) of about 300 words, indexed by the pure core (src/kb) with the
 * English seed thesaurus loaded, as the daemon does; searches (plan, top
 * 10, a snippet for each) timed one by one for four kinds of queries:
 * very common words (each in most articles), words drawn as text is
 * written (Zipf), rare words, and Zipf words after three function words
 * ("phrased": titles hold function words, as real titles do, and guichet
 * searches a question's function words in titles). The same corpus and queries go to plain
 * SQLite FTS5 (porter tokenizer, OR of the words, bm25, top 10) in the same
 * run, the reference. Then one diagnosis step as the daemon takes it: the
 * tree parsed and validated from its JSON, the stored answers replayed, the
 * new one applied. Prints figures, then one JSON line.
 *
 *     bench-kb-speed [articles] [queries per kind] [thesaurus .dat]
 *
 * The words are the thesaurus's own headwords (real English words, so its
 * synonyms apply as they would on real text), ranked in a fixed random
 * order; without the file, made-up words and no synonyms. */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guichet/error.h"
#include "guichet/kb_search.h"
#include "guichet/kb_tree.h"

#include "bench-kb.h"

#define VOCAB 50000
#define BODY_WORDS 300
#define TITLE_WORDS 7
#define TAG_WORDS 3
#define TOP_K 10

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
	return xorshift(&rng);
}
static double uniform(void)
{
	return (next_random() >> 11) * (1.0 / 9007199254740992.0);
}

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kib = 0;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = atof(line + 6);
	if (f)
		fclose(f);
	return kib / 1024;
}

/* --- the words --- */

static char *vocab[VOCAB];
static double zipf_cdf[VOCAB];

/* The thesaurus's headwords of lowercase letters only (3 to 12), shuffled;
 * made-up words when there is no thesaurus. */
static void load_vocab(const char *data)
{
	size_t n = 0, cap = 1 << 16;
	char **all = malloc(cap * sizeof(*all));
	for (const char *p = data; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *bar = memchr(p, '|', len);
		size_t w = bar ? (size_t)(bar - p) : 0;
		bool ok = bar && w >= 3 && w <= 12 && bar[1] >= '1' && bar[1] <= '9';
		for (size_t i = 0; ok && i < w; i++)
			ok = p[i] >= 'a' && p[i] <= 'z';
		if (ok) {
			if (n == cap)
				all = realloc(all, (cap *= 2) * sizeof(*all));
			all[n++] = strndup(p, w);
		}
		p = end ? end + 1 : p + len;
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = next_random() % i;
		char *t = all[i - 1];
		all[i - 1] = all[j];
		all[j] = t;
	}
	for (size_t i = 0; i < VOCAB; i++) {
		if (i < n) {
			vocab[i] = all[i];
			continue;
		}
		char w[16];
		int len = 4 + (int)(next_random() % 6);
		for (int k = 0; k < len; k++)
			w[k] = (char)('a' + next_random() % 26);
		w[len] = '\0';
		vocab[i] = strdup(w);
	}
	for (size_t i = VOCAB; i < n; i++)
		free(all[i]);
	free(all);
	double sum = 0;
	for (size_t i = 0; i < VOCAB; i++)
		zipf_cdf[i] = (sum += 1.0 / (i + 1));
	for (size_t i = 0; i < VOCAB; i++)
		zipf_cdf[i] /= sum;
}

static size_t zipf_rank(void)
{
	double u = uniform();
	size_t lo = 0, hi = VOCAB - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* English text: about a third of the words are stop words, as in prose. */
static const char *const glue[] = {"the", "of", "and", "to", "a", "in", "is", "it", "for", "on",
				   "with", "that", "this", "as", "be", "your", "you", "can", "if", "or"};

static char *make_text(size_t words, bool prose)
{
	size_t cap = words * 14 + 1, len = 0;
	char *s = malloc(cap);
	for (size_t i = 0; i < words; i++) {
		const char *w = prose && uniform() < 0.35 ? glue[next_random() % (sizeof(glue) / sizeof(*glue))]
							  : vocab[zipf_rank()];
		len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? " " : "", w);
	}
	return s;
}

struct doc {
	char *title, *body, *tags;
};

/* --- timing searches --- */

struct kind {
	const char *name;
	size_t lo, hi;            /* the ranks its words come from (hi 0: as text is written) */
	size_t words;
	size_t glue;              /* function words before them */
};

static char *make_query(const struct kind *k)
{
	char q[256];
	size_t len = 0;
	for (size_t i = 0; i < k->glue; i++) /* a question's function words first: "can you ..." */
		len += (size_t)snprintf(q + len, sizeof(q) - len, "%s ", glue[next_random() % (sizeof(glue) / sizeof(*glue))]);
	for (size_t i = 0; i < k->words; i++) {
		size_t r = k->hi ? k->lo + next_random() % (k->hi - k->lo) : zipf_rank();
		len += (size_t)snprintf(q + len, sizeof(q) - len, "%s%s", i ? " " : "", vocab[r]);
	}
	return strdup(q);
}

struct figures {
	double p50, p99, mean;
};

static struct figures summarise(double *ms, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ms[i];
	struct figures f = {.mean = sum / n};
	f.p50 = percentile(ms, n, 0.50);
	f.p99 = percentile(ms, n, 0.99);
	return f;
}

static double spent[3]; /* seconds in planning, ranking, snippets */
static size_t planned;  /* terms searched, over the queries */

/* plan + top 10 + a snippet for each, as a search request does */
static double guichet_search(struct kb_corpus *c, struct kb_analyzer *a, const struct doc *docs, const char *q,
			     size_t *hits)
{
	static struct kb_plan plan;
	struct kb_result res[TOP_K];
	size_t n = 0;
	double t0 = now();
	if (kb_corpus_plan(c, a, q, strlen(q), &plan) != GC_OK)
		exit(1);
	double t1 = now();
	planned += plan.n;
	if (kb_corpus_search(c, &plan, TOP_K, res, &n) != GC_OK)
		exit(1);
	double t2 = now();
	for (size_t i = 0; i < n; i++) {
		struct kb_snippet s;
		const char *body = docs[res[i].item - 1].body;
		if (kb_snippet(a, &plan, body, strlen(body), 30, &s) != GC_OK)
			exit(1);
	}
	*hits += n;
	double t3 = now();
	spent[0] += t1 - t0, spent[1] += t2 - t1, spent[2] += t3 - t2;
	return (t3 - t0) * 1000;
}

static double fts_search(sqlite3_stmt *st, const char *q, size_t *hits)
{
	char match[512];
	size_t len = 0;
	for (const char *p = q; *p;) {
		size_t w = strcspn(p, " ");
		len += (size_t)snprintf(match + len, sizeof(match) - len, "%s\"%.*s\"", len ? " OR " : "", (int)w, p);
		p += w + (p[w] == ' ');
	}
	double t0 = now();
	sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		(*hits)++;
	sqlite3_reset(st);
	return (now() - t0) * 1000;
}

/* --- one diagnosis step --- */

/* A tree of a first choice, then `levels` levels of three questions each (choice, yes/no, or a
 * number in turn); every question leads on to the next level or ends on
 * an article. */
static json_t *make_tree(int levels)
{
	json_t *nodes = json_array();
	json_array_append_new(nodes, json_pack("{s:s,s:s,s:s,s:[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]}", "id",
					       "start", "type", "choice", "text", "What is the request about?",
					       "choices", "value", "one", "label", "Billing", "next", "q0_0", "value",
					       "two", "label", "Equipment", "next", "q0_1", "value", "three", "label",
					       "Moving", "next", "q0_2"));
	for (int l = 0; l < levels; l++)
		for (int q = 0; q < 3; q++) {
			char id[32], next[3][32], out[32], art[32];
			snprintf(id, sizeof(id), "q%d_%d", l, q);
			snprintf(out, sizeof(out), "a%d_%d", l, q);
			snprintf(art, sizeof(art), "article-%d-%d", l, q);
			for (int k = 0; k < 3; k++)
				snprintf(next[k], sizeof(next[k]), l + 1 < levels ? "q%d_%d" : "a%d_%d", l + 1 < levels ? l + 1 : l,
					 k);
			json_t *n;
			if (q == 0)
				n = json_pack("{s:s,s:s,s:s,s:[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]}", "id", id,
					      "type", "choice", "text", "Which of these does the customer see?", "choices",
					      "value", "one", "label", "The first", "next", next[0], "value", "two", "label",
					      "The second", "next", next[1], "value", "three", "label", "The third", "next",
					      next[2], "value", "none", "label", "None of them", "next", out);
			else if (q == 1)
				n = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "type", "yesno", "text",
					      "Has the customer restarted it?", "yes", next[2], "no", out);
			else
				n = json_pack("{s:s,s:s,s:s,s:[{s:i,s:s},{s:s}]}", "id", id, "type", "number", "text",
					      "How many days has it lasted?", "ranges", "max", 3, "next", next[0], "next", out);
			json_array_append_new(nodes, n);
			json_array_append_new(nodes, json_pack("{s:s,s:s,s:s}", "id", out, "type", "article", "article", art));
		}
	return json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", "bench-tree", "title", "A long diagnosis", "lang", "en", "start",
			 "start", "nodes", nodes);
}

/* The answers of one walk through every level: the choice "two" (to the
 * next level's yes/no question), "yes" (to the next level's number), 2 (to
 * the next level's choice), and so on to the last level's article. */
static const char *walk_answer(const struct kb_walk *w)
{
	const char *id = kb_tree_node_id(kb_walk_tree(w), kb_walk_node(w));
	return strcmp(id, "start") == 0 ? "one" : id[strlen(id) - 1] == '0' ? "two" : id[strlen(id) - 1] == '1' ? "yes" : "2";
}

static void time_steps(int levels, int walks, double *step_ms, size_t *n_steps, double *answer_ms, size_t *nodes)
{
	json_t *json = make_tree(levels);
	*nodes = json_array_size(json_object_get(json, "nodes"));
	char answers[KB_WALK_MAX_STEPS][16];
	*n_steps = 0;
	for (int w = 0; w < walks; w++) {
		size_t given = 0;
		for (;;) {
			/* one step as the daemon takes it: parse, replay, answer */
			double t0 = now();
			struct kb_tree_errors e;
			struct kb_tree *t = kb_tree_parse(json, &e);
			static struct kb_walk walk;
			char why[128];
			if (t == NULL) {
				for (size_t i = 0; i < e.n; i++)
					fprintf(stderr, "bench-kb-speed: tree: node %s, %s: %s\n", e.e[i].node, e.e[i].field,
						e.e[i].message);
				exit(1);
			}
			if (kb_walk_start(&walk, t, NULL, NULL, NULL) != GC_OK)
				exit(1);
			for (size_t i = 0; i < given; i++)
				if (kb_walk_answer(&walk, answers[i], why, sizeof(why)) != GC_OK)
					exit(1);
			bool done = kb_walk_done(&walk);
			double t1 = now();
			if (!done) {
				snprintf(answers[given], sizeof(answers[given]), "%s", walk_answer(&walk));
				if (kb_walk_answer(&walk, answers[given++], why, sizeof(why)) != GC_OK) {
					fprintf(stderr, "bench-kb-speed: walk: %s\n", why);
					exit(1);
				}
			}
			double t2 = now();
			kb_tree_free(t);
			if (done)
				break;
			answer_ms[*n_steps] = (t2 - t1) * 1000;
			step_ms[(*n_steps)++] = (now() - t0) * 1000;
		}
	}
	json_decref(json);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	size_t n_docs = argc > 1 ? (size_t)atol(argv[1]) : 100000;
	size_t per_kind = argc > 2 ? (size_t)atol(argv[2]) : 1000;
	const char *thesaurus = argc > 3 ? argv[3] : "/usr/share/mythes/th_en_US_v2.dat";
	size_t th_len = 0;
	char *th = read_file(thesaurus, &th_len);
	load_vocab(th);

	struct kb_analyzer *a = kb_analyzer_new(KB_LANG_EN);
	double t0 = now();
	struct kb_synonyms *seed = kb_synonyms_new();
	size_t line = 0;
	if (th && kb_synonyms_seed(seed, a, th, th_len, &line) != GC_OK)
		return fprintf(stderr, "bench-kb-speed: %s: line %zu is malformed\n", thesaurus, line), 1;
	double seed_s = now() - t0;
	free(th);

	struct doc *docs = malloc(n_docs * sizeof(*docs));
	size_t text_bytes = 0;
	for (size_t i = 0; i < n_docs; i++) {
		docs[i] = (struct doc){make_text(TITLE_WORDS, true), make_text(BODY_WORDS, true), make_text(TAG_WORDS, false)};
		text_bytes += strlen(docs[i].title) + strlen(docs[i].body) + strlen(docs[i].tags);
	}
	printf("corpus: %zu articles, %zu words each (%.0f MiB of text), %zu distinct words, seed thesaurus %zu pairs "
	       "read in %.2f s\n",
	       n_docs, (size_t)(BODY_WORDS + TITLE_WORDS + TAG_WORDS), text_bytes / 1048576.0, (size_t)VOCAB,
	       kb_synonyms_count(seed), seed_s);

	double rss0 = rss_mib();
	t0 = now();
	struct kb_corpus *c = kb_corpus_new(KB_LANG_EN, seed);
	for (size_t i = 0; i < n_docs; i++) {
		struct kb_doc_input d = {i + 1, false, docs[i].title, docs[i].body, docs[i].tags,
					 strlen(docs[i].title), strlen(docs[i].body), strlen(docs[i].tags), NULL, 0};
		if (kb_corpus_put(c, a, &d) != GC_OK)
			return 1;
	}
	if (kb_corpus_finish(c) != GC_OK)
		return 1;
	double index_s = now() - t0, index_rss = rss_mib() - rss0;

	sqlite3 *db;
	sqlite3_stmt *ins, *sel;
	rss0 = rss_mib();
	t0 = now();
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE d USING fts5(title, body, tags, tokenize='porter unicode61 "
			     "remove_diacritics 2'); BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO d(rowid, title, body, tags) VALUES (?, ?, ?, ?)", -1, &ins, NULL) !=
		    SQLITE_OK)
		return fprintf(stderr, "bench-kb-speed: %s\n", sqlite3_errmsg(db)), 1;
	for (size_t i = 0; i < n_docs; i++) {
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(ins, 2, docs[i].title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, docs[i].body, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, docs[i].tags, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return fprintf(stderr, "bench-kb-speed: %s\n", sqlite3_errmsg(db)), 1;
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	double fts_index_s = now() - t0, fts_rss = rss_mib() - rss0;
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM d WHERE d MATCH ? ORDER BY rank LIMIT 10", -1, &sel, NULL) !=
	    SQLITE_OK)
		return fprintf(stderr, "bench-kb-speed: %s\n", sqlite3_errmsg(db)), 1;
	printf("index: guichet %.1f s, %.0f MiB; FTS5 (in memory) %.1f s, %.0f MiB\n", index_s, index_rss,
	       fts_index_s, fts_rss);

	/* very common: ranks 0-29, each word in most articles; as written: Zipf; rare: ranks 2,000-20,000 */
	const struct kind kinds[] = {{"common", 0, 30, 3, 0}, {"zipf", 0, 0, 3, 0}, {"rare", 2000, 20000, 2, 0},
				     {"phrased", 0, 0, 3, 3}};
	size_t n_kinds = sizeof(kinds) / sizeof(*kinds), total = n_kinds * per_kind;
	double *all = malloc(total * sizeof(*all)), *ms = malloc(per_kind * sizeof(*ms));
	double *fts_ms = malloc(per_kind * sizeof(*fts_ms));
	struct figures g[4], f[4];
	size_t hits = 0, fts_hits = 0;
	for (size_t k = 0; k < n_kinds; k++) {
		char **qs = malloc(per_kind * sizeof(*qs));
		for (size_t i = 0; i < per_kind; i++)
			qs[i] = make_query(&kinds[k]);
		for (size_t i = 0; i < 20 && i < per_kind; i++) /* warm the caches */
			guichet_search(c, a, docs, qs[i], &hits), fts_search(sel, qs[i], &fts_hits);
		spent[0] = spent[1] = spent[2] = 0;
		planned = 0;
		for (size_t i = 0; i < per_kind; i++)
			ms[i] = all[k * per_kind + i] = guichet_search(c, a, docs, qs[i], &hits);
		double sum = spent[0] + spent[1] + spent[2];
		for (size_t i = 0; i < per_kind; i++)
			fts_ms[i] = fts_search(sel, qs[i], &fts_hits);
		g[k] = summarise(ms, per_kind);
		f[k] = summarise(fts_ms, per_kind);
		printf("search %-6s (%zu queries of %zu words, e.g. \"%s\"): guichet p50 %.3f ms, p99 %.3f ms; FTS5 p50 "
		       "%.3f ms, p99 %.3f ms (%.0fx at p50); guichet's time: plan %.0f%%, rank %.0f%%, snippets %.0f%%; %.1f terms searched a query\n",
		       kinds[k].name, per_kind, kinds[k].words, qs[0], g[k].p50, g[k].p99, f[k].p50, f[k].p99,
		       f[k].p50 / g[k].p50, 100 * spent[0] / sum, 100 * spent[1] / sum, 100 * spent[2] / sum, (double)planned / per_kind);
		for (size_t i = 0; i < per_kind; i++)
			free(qs[i]);
		free(qs);
	}
	struct figures overall = summarise(all, total);
	printf("search all: p50 %.3f ms, p99 %.3f ms (plan, top %d, a snippet each)\n", overall.p50, overall.p99, TOP_K);

	size_t cap = 20000 * 40, n_steps = 0, nodes = 0;
	double *step_ms = malloc(cap * sizeof(*step_ms)), *answer_ms = malloc(cap * sizeof(*answer_ms));
	time_steps(10, 2000, step_ms, &n_steps, answer_ms, &nodes);
	struct figures step = summarise(step_ms, n_steps), answer = summarise(answer_ms, n_steps);
	printf("diagnosis: %zu steps on a tree of %zu nodes, 10 levels deep: one step (parse, validate, replay, "
	       "answer) p50 %.4f ms, p99 %.4f ms; the answer alone p99 %.5f ms\n",
	       n_steps, nodes, step.p50, step.p99, answer.p99);

	printf("{\"articles\":%zu,\"words_per_article\":%d,\"index_s\":%.2f,\"rss_mib\":%.0f,\"seed_s\":%.2f,"
	       "\"search_p50_ms\":%.3f,\"search_p99_ms\":%.3f,\"common_p50_ms\":%.3f,\"common_p99_ms\":%.3f,"
	       "\"zipf_p50_ms\":%.3f,\"zipf_p99_ms\":%.3f,\"rare_p50_ms\":%.3f,\"rare_p99_ms\":%.3f,"
	       "\"fts5_index_s\":%.2f,\"fts5_rss_mib\":%.0f,\"fts5_common_p50_ms\":%.3f,\"fts5_common_p99_ms\":%.3f,"
	       "\"fts5_zipf_p50_ms\":%.3f,\"fts5_rare_p50_ms\":%.3f,\"phrased_p50_ms\":%.3f,\"phrased_p99_ms\":%.3f,"
	       "\"fts5_phrased_p50_ms\":%.3f,\"step_p50_ms\":%.4f,\"step_p99_ms\":%.4f,\"tree_nodes\":%zu}\n",
	       n_docs, BODY_WORDS + TITLE_WORDS + TAG_WORDS, index_s, index_rss, seed_s, overall.p50, overall.p99,
	       g[0].p50, g[0].p99, g[1].p50, g[1].p99, g[2].p50, g[2].p99, fts_index_s, fts_rss, f[0].p50, f[0].p99,
	       f[1].p50, f[2].p50, g[3].p50, g[3].p99, f[3].p50, step.p50, step.p99, nodes);
	sqlite3_finalize(sel);
	sqlite3_close(db);
	kb_corpus_free(c);
	kb_synonyms_free(seed);
	kb_analyzer_free(a);
	return hits == 0 || fts_hits == 0;
}
