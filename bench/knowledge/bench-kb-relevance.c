/* Knowledge engine relevance, through the running daemon, on one relevance
 * set: its articles (NAME.en.jsonl, NAME.fr.jsonl when there is one)
 * imported and published, then the labelled queries of NAME-queries.jsonl
 * searched; each entry's queries are split into a learning part (where
 * weights are tuned) and a test part (never tuned on). Reported per
 * language on the test part: top-1, top-3, top-5 and mean reciprocal rank
 * (over the first 10 results), for guichet and for plain SQLite FTS5 (OR of
 * the query's words, bm25; the porter stemmer for English, unicode61 with
 * remove_diacritics 2 and no stemmer for French, FTS5 having none) on the
 * same content in the same run; guichet again after the learning part is
 * fed as resolved contacts (POST /api/v1/kb/learn). The learning part is fed
 * in two halves: after the first, its second half is searched (the tuning
 * figure of learning: other words for the same need); after both, the test
 * part. With TUNE_REVERSE set in the environment, the halves swap (each
 * entry's second learning query fed first, its first searched): a second
 * tuning figure on other questions, the test part's the same. Then typing
 * mistakes: one edit (a letter missing, added, swapped
 * with the next, or wrong) in one word of five letters or more of each test
 * query. Prints figures, then one JSON line.
 *
 *     bench-kb-relevance URL TOKEN DATA_DIR NAME */
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-kb.h"

#define TOP 10

static const char *base, *data_dir;
static char auth[1200];
static CURL *curl;

struct buf {
	char *p;
	size_t n;
};

static size_t keep(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->n + size * n + 1);
	if (p == NULL)
		return 0;
	memcpy(p + b->n, data, size * n);
	b->p = p;
	b->n += size * n;
	b->p[b->n] = '\0';
	return size * n;
}

/* The response's JSON; exits on a transport error or an unexpected status. */
static json_t *call(const char *method, const char *path, const char *type, const char *body, size_t len)
{
	char url[4096], ctype[128];
	struct buf out = {0};
	struct curl_slist *h = curl_slist_append(NULL, auth);
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", type ? type : "application/json");
	h = curl_slist_append(h, ctype);
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (rc != CURLE_OK || status != 200) {
		fprintf(stderr, "bench-kb-relevance: %s %s: %s %ld %s\n", method, path, curl_easy_strerror(rc), status,
			out.p ? out.p : "");
		exit(1);
	}
	json_t *j = json_loads(out.p, 0, NULL);
	free(out.p);
	return j;
}

/* A file of the data directory; exits when it cannot be read. */
static char *read_all(const char *name, size_t *len)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	char *data = read_file(path, len);
	if (data == NULL) {
		fprintf(stderr, "bench-kb-relevance: cannot read %s\n", path);
		exit(1);
	}
	return data;
}

/* --- the baseline: plain FTS5 --- */

static sqlite3 *fts;
static sqlite3_stmt *fts_select[2]; /* English (porter), French (no stemmer) */

static void fts_load(const char *name, const char *lang)
{
	size_t len;
	char *data = read_all(name, &len);
	sqlite3_stmt *ins;
	sqlite3_prepare_v2(fts,
			   strcmp(lang, "fr") == 0 ? "INSERT INTO faq_fr(id, lang, title, body, tags) VALUES (?, ?, ?, ?, ?)"
						   : "INSERT INTO faq_en(id, lang, title, body, tags) VALUES (?, ?, ?, ?, ?)",
			   -1, &ins, NULL);
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *a = json_loads(line, 0, NULL);
		char *tags = json_dumps(json_object_get(a, "tags"), 0);
		sqlite3_bind_text(ins, 1, json_string_value(json_object_get(a, "id")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, lang, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, json_string_value(json_object_get(a, "title")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, json_string_value(json_object_get(a, "body")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, tags, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE)
			exit(1);
		sqlite3_reset(ins);
		free(tags);
		json_decref(a);
	}
	sqlite3_finalize(ins);
	free(data);
}

/* Rank (1 to TOP) of expect among FTS5's results for q, 0 when absent. */
static int fts_rank(const char *q, const char *lang, const char *expect)
{
	char match[4096];
	size_t len = 0;
	for (const char *p = q; *p;) {
		size_t skip = 0, w = 0;
		while (p[skip] && !((unsigned char)p[skip] >= 0x80 || (p[skip] >= '0' && p[skip] <= '9') ||
				    ((p[skip] | 0x20) >= 'a' && (p[skip] | 0x20) <= 'z')))
			skip++;
		p += skip;
		while (p[w] && ((unsigned char)p[w] >= 0x80 || (p[w] >= '0' && p[w] <= '9') ||
				((p[w] | 0x20) >= 'a' && (p[w] | 0x20) <= 'z')))
			w++;
		if (w)
			len += (size_t)snprintf(match + len, sizeof(match) - len, "%s\"%.*s\"", len ? " OR " : "", (int)w, p);
		p += w;
	}
	int rank = 0, at = 0;
	sqlite3_stmt *sel = fts_select[strcmp(lang, "fr") == 0];
	sqlite3_bind_text(sel, 1, match, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(sel, 2, lang, -1, SQLITE_STATIC);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		at++;
		if (rank == 0 && strcmp((const char *)sqlite3_column_text(sel, 0), expect) == 0)
			rank = at;
	}
	sqlite3_reset(sel);
	return rank;
}

/* --- guichet --- */

static double *http_ms;
static size_t n_http, cap_http;

static int guichet_rank(const char *q, const char *lang, const char *expect)
{
	char *e = curl_easy_escape(curl, q, 0), path[4096];
	snprintf(path, sizeof(path), "/api/v1/kb/search?lang=%s&limit=%d&q=%s", lang, TOP, e);
	curl_free(e);
	double t0 = now();
	json_t *r = call("GET", path, NULL, NULL, 0);
	if (n_http == cap_http)
		http_ms = realloc(http_ms, (cap_http = cap_http ? 2 * cap_http : 1024) * sizeof(*http_ms));
	http_ms[n_http++] = (now() - t0) * 1000;
	size_t i;
	json_t *res;
	int rank = 0;
	json_array_foreach(json_object_get(r, "results"), i, res) if (rank == 0 &&
								       strcmp(json_string_value(json_object_get(res, "id")),
									      expect) == 0) rank = (int)i + 1;
	json_decref(r);
	return rank;
}

/* --- the labelled queries --- */

struct query {
	char *text, *typo, lang[3], expect[96];
	int fts, before, after, typo_guichet, typo_fts;
};

struct scores {
	double top1, top3, top5, mrr;
};

/* The scores of the queries of one language (all when lang is NULL). */
static struct scores score(const struct query *q, size_t n, size_t offset, const char *lang)
{
	struct scores s = {0};
	size_t counted = 0;
	for (size_t i = 0; i < n; i++) {
		if (lang && strcmp(q[i].lang, lang) != 0)
			continue;
		int r = *(const int *)((const char *)&q[i] + offset);
		s.top1 += r == 1;
		s.top3 += r >= 1 && r <= 3;
		s.top5 += r >= 1 && r <= 5;
		s.mrr += r ? 1.0 / r : 0;
		counted++;
	}
	if (counted)
		s.top1 /= counted, s.top3 /= counted, s.top5 /= counted, s.mrr /= counted;
	return s;
}

static size_t count_lang(const struct query *q, size_t n, const char *lang)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += strcmp(q[i].lang, lang) == 0;
	return c;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next_random(void)
{
	return xorshift(&rng);
}

/* The characters' starts of s (UTF-8). */
static size_t char_starts(const char *s, size_t len, size_t *at)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			at[n++] = i;
	at[n] = len;
	return n;
}

/* q with one edit (kind 0 missing, 1 added, 2 swapped, 3 wrong) in one of
 * its words of five letters or more; NULL when it has none. */
static char *typo(const char *q, int kind)
{
	size_t words[32][2], n = 0, len = strlen(q);
	for (size_t i = 0; i < len && n < 32;) {
		while (i < len && q[i] == ' ')
			i++;
		size_t start = i, at[256];
		while (i < len && q[i] != ' ')
			i++;
		if (i > start && i - start < 200 && char_starts(q + start, i - start, at) >= 5)
			words[n][0] = start, words[n++][1] = i;
	}
	if (n == 0)
		return NULL;
	size_t w = next_random() % n, start = words[w][0], wlen = words[w][1] - start, at[256];
	size_t chars = char_starts(q + start, wlen, at), c = next_random() % chars;
	char *out = malloc(len + 8), letter = (char)('a' + next_random() % 26);
	size_t o = 0;
	memcpy(out, q, start + at[c]);
	o = start + at[c];
	const char *rest = q + start + at[c];
	size_t this_len = at[c + 1] - at[c];
	if (kind == 0) { /* missing */
		rest += this_len;
	} else if (kind == 1) { /* added */
		out[o++] = letter;
	} else if (kind == 2) { /* swapped with the next (or the previous at the end) */
		if (c + 1 == chars) {
			c--;
			o = start + at[c];
			rest = q + start + at[c];
			this_len = at[c + 1] - at[c];
		}
		size_t next_len = at[c + 2] - at[c + 1];
		memcpy(out + o, rest + this_len, next_len);
		memcpy(out + o + next_len, rest, this_len);
		o += next_len + this_len;
		rest += this_len + next_len;
	} else { /* wrong */
		if ((char)(*rest | 0x20) == letter)
			letter = letter == 'z' ? 'a' : (char)(letter + 1);
		out[o++] = letter;
		rest += this_len;
	}
	strcpy(out + o, rest);
	return out;
}

/* The learning part's queries, as resolved contacts. */
static void learn(const struct query *q, size_t n)
{
	char *lines = NULL;
	size_t lines_len = 0;
	FILE *mem = open_memstream(&lines, &lines_len);
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_pack("{s:s,s:s,s:b,s:s}", "query", q[i].text, "article", q[i].expect, "resolved", 1,
				      "lang", q[i].lang);
		char *s = json_dumps(l, JSON_COMPACT);
		fprintf(mem, "%s\n", s);
		free(s);
		json_decref(l);
	}
	fclose(mem);
	json_decref(call("POST", "/api/v1/kb/learn", "application/x-ndjson", lines, lines_len));
	free(lines);
}

static void add_query(struct query *q, size_t *n, const char *text, const char *lang, const char *expect)
{
	q[*n].text = strdup(text);
	snprintf(q[*n].lang, sizeof(q[*n].lang), "%s", lang);
	snprintf(q[*n].expect, sizeof(q[*n].expect), "%s", expect);
	(*n)++;
}

/* The JSON key prefix of the set and language: "debian_faq_en_". */
static const char *key(const char *set, const char *lang)
{
	static char k[128];
	size_t n = 0;
	for (const char *p = set; *p && n < 100; p++)
		k[n++] = *p == '-' ? '_' : *p;
	snprintf(k + n, sizeof(k) - n, "_%s_", lang);
	return k;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 5)
		return fprintf(stderr, "usage: bench-kb-relevance URL TOKEN DATA_DIR NAME\n"), 2;
	base = argv[1];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[2]);
	data_dir = argv[3];
	const char *set = argv[4];
	curl_global_init(CURL_GLOBAL_ALL);
	curl = curl_easy_init();

	sqlite3_open(":memory:", &fts);
	if (sqlite3_exec(fts, "CREATE VIRTUAL TABLE faq_en USING fts5(id UNINDEXED, lang UNINDEXED, title, body, tags, "
			      "tokenize='porter unicode61 remove_diacritics 2');"
			      "CREATE VIRTUAL TABLE faq_fr USING fts5(id UNINDEXED, lang UNINDEXED, title, body, tags, "
			      "tokenize='unicode61 remove_diacritics 2')", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(fts, "SELECT id FROM faq_en WHERE faq_en MATCH ?1 AND lang = ?2 ORDER BY rank LIMIT 10",
			       -1, &fts_select[0], NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(fts, "SELECT id FROM faq_fr WHERE faq_fr MATCH ?1 AND lang = ?2 ORDER BY rank LIMIT 10",
			       -1, &fts_select[1], NULL) != SQLITE_OK)
		return fprintf(stderr, "bench-kb-relevance: %s\n", sqlite3_errmsg(fts)), 1;
	const char *langs[2] = {"en", "fr"};
	bool has[2] = {false, false};
	size_t articles = 0;
	for (int f = 0; f < 2; f++) {
		char name[512], path[2048];
		snprintf(name, sizeof(name), "%s.%s.jsonl", set, langs[f]);
		snprintf(path, sizeof(path), "%s/%s", data_dir, name);
		FILE *probe = fopen(path, "r");
		if (probe == NULL)
			continue;
		fclose(probe);
		has[f] = true;
		size_t len;
		char *data = read_all(name, &len);
		json_t *r = call("POST", "/api/v1/kb/import?publish=1", "application/x-ndjson", data, len);
		articles += (size_t)json_integer_value(json_object_get(r, "created"));
		json_decref(r);
		free(data);
		fts_load(name, langs[f]);
	}

	size_t len, n_test = 0, n_first = 0, n_second = 0;
	char name[512];
	snprintf(name, sizeof(name), "%s-queries.jsonl", set);
	char *data = read_all(name, &len);
	struct query *test = calloc(len / 20 + 1, sizeof(*test)), *first = calloc(len / 20 + 1, sizeof(*first)),
		     *second = calloc(len / 20 + 1, sizeof(*second));
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *e = json_loads(line, 0, NULL), *q;
		const char *lang = json_string_value(json_object_get(e, "lang"));
		const char *expect = json_string_value(json_object_get(e, "expect"));
		size_t i;
		json_array_foreach(json_object_get(e, "learn"), i, q) {
			if (i % 2 == (getenv("TUNE_REVERSE") ? 1u : 0u))
				add_query(first, &n_first, json_string_value(q), lang, expect);
			else
				add_query(second, &n_second, json_string_value(q), lang, expect);
		}
		json_array_foreach(json_object_get(e, "test"), i, q) {
			add_query(test, &n_test, json_string_value(q), lang, expect);
			test[n_test - 1].typo = typo(test[n_test - 1].text, (int)((n_test - 1) % 4));
		}
		json_decref(e);
	}
	free(data);

	for (size_t i = 0; i < n_test; i++) {
		test[i].fts = fts_rank(test[i].text, test[i].lang, test[i].expect);
		test[i].before = guichet_rank(test[i].text, test[i].lang, test[i].expect);
		if (test[i].typo) {
			test[i].typo_fts = fts_rank(test[i].typo, test[i].lang, test[i].expect);
			test[i].typo_guichet = guichet_rank(test[i].typo, test[i].lang, test[i].expect);
		}
	}
	/* the learning part is where the weights are tuned: before learning, then its second half after its first */
	struct query *halves[2] = {first, second};
	size_t n_half[2] = {n_first, n_second};
	for (int h = 0; h < 2; h++)
		for (size_t k = 0; k < n_half[h]; k++) {
			struct query *q = &halves[h][k];
			q->fts = fts_rank(q->text, q->lang, q->expect);
			q->before = guichet_rank(q->text, q->lang, q->expect);
		}
	learn(first, n_first);
	for (size_t k = 0; k < n_second; k++)
		second[k].after = guichet_rank(second[k].text, second[k].lang, second[k].expect);
	learn(second, n_second);
	for (size_t k = 0; k < n_test; k++)
		test[k].after = guichet_rank(test[k].text, test[k].lang, test[k].expect);

	printf("relevance set %s: %zu articles; %zu test queries, %zu learning queries\n", set, articles, n_test,
	       n_first + n_second);
	char json[8192];
	size_t jl = (size_t)snprintf(json, sizeof(json), "{\"%sarticles\":%zu", key(set, "all") , articles);
	for (int l = 0; l < 2; l++) {
		const char *lang = langs[l];
		size_t nt = count_lang(test, n_test, lang);
		if (!has[l] || nt == 0)
			continue;
		struct scores f = score(test, n_test, offsetof(struct query, fts), lang);
		struct scores b = score(test, n_test, offsetof(struct query, before), lang);
		struct scores a = score(test, n_test, offsetof(struct query, after), lang);
		printf("%s, test part (%zu queries)     %6s %6s %6s %6s\n", lang, nt, "top-1", "top-3", "top-5", "MRR");
		printf("%-30s %6.3f %6.3f %6.3f %6.3f\n", strcmp(lang, "fr") ? "FTS5 bm25 (porter, OR)" :
			      "FTS5 bm25 (unicode61, OR)", f.top1, f.top3, f.top5, f.mrr);
		printf("%-30s %6.3f %6.3f %6.3f %6.3f\n", "guichet, before learning", b.top1, b.top3, b.top5, b.mrr);
		printf("%-30s %6.3f %6.3f %6.3f %6.3f\n", "guichet, after learning", a.top1, a.top3, a.top5, a.mrr);
		struct scores tf = score(first, n_first, offsetof(struct query, fts), lang);
		struct scores tb = score(first, n_first, offsetof(struct query, before), lang);
		struct scores sf = score(second, n_second, offsetof(struct query, fts), lang);
		struct scores sb = score(second, n_second, offsetof(struct query, before), lang);
		struct scores sa = score(second, n_second, offsetof(struct query, after), lang);
		size_t nl = count_lang(first, n_first, lang) + count_lang(second, n_second, lang);
		printf("%s, learning part (%zu queries, where weights are tuned): MRR FTS5 %.3f, guichet before "
		       "learning %.3f; its second half after learning the first: FTS5 %.3f, before %.3f, after %.3f\n",
		       lang, nl, (tf.mrr + sf.mrr) / 2, (tb.mrr + sb.mrr) / 2, sf.mrr, sb.mrr, sa.mrr);
		const char *k = key(set, lang);
		jl += (size_t)snprintf(json + jl, sizeof(json) - jl,
				       ",\"%stest_queries\":%zu,\"%sfts5_mrr\":%.3f,\"%sbefore_top1\":%.3f,\"%sbefore_mrr\":%.3f,"
				       "\"%safter_top1\":%.3f,\"%safter_mrr\":%.3f,\"%stune_fts5_mrr\":%.3f,"
				       "\"%stune_before_mrr\":%.3f,\"%stune_second_after_mrr\":%.3f",
				       k, nt, k, f.mrr, k, b.top1, k, b.mrr, k, a.top1, k, a.mrr, k, (tf.mrr + sf.mrr) / 2,
				       k, (tb.mrr + sb.mrr) / 2, k, sa.mrr);
	}
	for (size_t k = 0; k < n_test; k++)
		if (getenv("VERBOSE"))
			printf("  %s %-12s fts %2d before %2d after %2d typo %2d | %s | %s\n", test[k].lang, test[k].expect,
			       test[k].fts, test[k].before, test[k].after, test[k].typo_guichet, test[k].text,
			       test[k].typo ? test[k].typo : "");
	for (int h = 0; h < 2; h++)
		for (size_t k = 0; k < n_half[h] && getenv("VERBOSE_TUNE"); k++)
			printf("  tune%d %s %-12s fts %2d before %2d after %2d | %s\n", h + 1, halves[h][k].lang,
			       halves[h][k].expect, halves[h][k].fts, halves[h][k].before, halves[h][k].after,
			       halves[h][k].text);

	/* typing mistakes: of the queries whose entry is in the top 5 as typed, how many keep it there */
	size_t typos = 0, kept = 0, in5 = 0, typo_top5 = 0, fts_kept = 0, fts_in = 0;
	for (size_t k = 0; k < n_test; k++) {
		if (!test[k].typo)
			continue;
		typos++;
		typo_top5 += test[k].typo_guichet >= 1 && test[k].typo_guichet <= 5;
		if (test[k].before >= 1 && test[k].before <= 5)
			kept += test[k].typo_guichet >= 1 && test[k].typo_guichet <= 5, in5++;
		if (test[k].fts >= 1 && test[k].fts <= 5)
			fts_kept += test[k].typo_fts >= 1 && test[k].typo_fts <= 5, fts_in++;
	}
	printf("typing mistakes: %zu test queries with one edit; entry still in the top 5: guichet %.3f (%zu of %zu "
	       "found in the top 5 as typed), FTS5 %.3f (%zu of %zu); top 5 over all edited queries: guichet %.3f\n",
	       typos, in5 ? (double)kept / in5 : 0, kept, in5, fts_in ? (double)fts_kept / fts_in : 0, fts_kept, fts_in,
	       typos ? (double)typo_top5 / typos : 0);
	double http_p50 = percentile(http_ms, n_http, 0.50), http_p99 = percentile(http_ms, n_http, 0.99);
	printf("searches through the daemon (HTTP on loopback): %zu, p50 %.2f ms, p99 %.2f ms\n", n_http, http_p50,
	       http_p99);
	const char *k = key(set, "all");
	printf("%s,\"%stypo_top5_kept\":%.3f,\"%styping_top5\":%.3f,\"%sfts5_typo_top5_kept\":%.3f,"
	       "\"%shttp_search_p50_ms\":%.2f}\n",
	       json, k, in5 ? (double)kept / in5 : 0, k, typos ? (double)typo_top5 / typos : 0, k,
	       fts_in ? (double)fts_kept / fts_in : 0, k, http_p50);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	return 0;
}
