/* Each tenant's knowledge in memory for searches (kbsvc.h). */
#include "daemon/kbsvc.h"
#include "daemon/log.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

struct item {
	UT_hash_handle hh;         /* by id */
	UT_hash_handle hh_key;     /* by key */
	int64_t id;
	char key[72];
	char original[72];         /* the key of the article this one translates ("translation_of"), or "" */
	bool tree;
	enum kb_lang lang;
	int version;
	char *title, *body, *tags;
	char *indexed_with;        /* the original's title it was indexed with, NULL for none */
};

struct tenant {
	UT_hash_handle hh;
	int64_t id;
	pthread_rwlock_t lock;
	bool loaded;
	int64_t seq;
	struct kb_corpus *corpus[KB_LANG_N];
	struct item *items;
	struct item *by_key;
	size_t n_translations;     /* items with an original */
};

static struct tenant *tenants;
static pthread_mutex_t tenants_lock = PTHREAD_MUTEX_INITIALIZER;
static char thesaurus_dir[1024];
static struct kb_synonyms *seeds[KB_LANG_N];
static bool seeded[KB_LANG_N];
static pthread_mutex_t seed_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t analyzers_key;       /* each thread's analysers, freed when it ends */
static pthread_once_t analyzers_once = PTHREAD_ONCE_INIT;

static const char *const thesaurus_files[KB_LANG_N] = {"th_fr_FR_v2.dat", "th_en_US_v2.dat"};

void kbsvc_init(const char *dir)
{
	snprintf(thesaurus_dir, sizeof(thesaurus_dir), "%s", dir ? dir : "");
}

static void item_free(struct item *it)
{
	free(it->title);
	free(it->body);
	free(it->tags);
	free(it->indexed_with);
	free(it);
}

void kbsvc_free(void)
{
	struct tenant *t, *tmp;
	HASH_ITER(hh, tenants, t, tmp) {
		HASH_DEL(tenants, t);
		for (int l = 0; l < KB_LANG_N; l++)
			kb_corpus_free(t->corpus[l]);
		struct item *it, *itmp;
		HASH_CLEAR(hh_key, t->by_key);
		HASH_ITER(hh, t->items, it, itmp) {
			HASH_DEL(t->items, it);
			item_free(it);
		}
		pthread_rwlock_destroy(&t->lock);
		free(t);
	}
	for (int l = 0; l < KB_LANG_N; l++) {
		kb_synonyms_free(seeds[l]);
		seeds[l] = NULL;
		seeded[l] = false;
	}
}

static void analyzers_free(void *p)
{
	struct kb_analyzer **a = p;
	for (int l = 0; l < KB_LANG_N; l++)
		kb_analyzer_free(a[l]);
	free(a);
}

static void analyzers_key_make(void)
{
	pthread_key_create(&analyzers_key, analyzers_free);
}

struct kb_analyzer *kbsvc_analyzer(enum kb_lang lang)
{
	pthread_once(&analyzers_once, analyzers_key_make);
	struct kb_analyzer **a = pthread_getspecific(analyzers_key);
	if (a == NULL) {
		if ((a = calloc(KB_LANG_N, sizeof(*a))) == NULL)
			return NULL;
		pthread_setspecific(analyzers_key, a);
	}
	if (a[lang] == NULL)
		a[lang] = kb_analyzer_new(lang);
	return a[lang];
}

/* The language's thesaurus, read once (NULL when there is none). */
static const struct kb_synonyms *seed(enum kb_lang lang)
{
	pthread_mutex_lock(&seed_lock);
	if (!seeded[lang]) {
		seeded[lang] = true;
		char path[1200];
		snprintf(path, sizeof(path), "%s/%s", thesaurus_dir, thesaurus_files[lang]);
		FILE *f = thesaurus_dir[0] ? fopen(path, "rb") : NULL;
		char *data = NULL;
		long len = 0;
		if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
		    (data = malloc((size_t)len)) != NULL && fread(data, 1, (size_t)len, f) == (size_t)len) {
			struct kb_synonyms *s = kb_synonyms_new();
			size_t line = 0;
			int rc = s ? kb_synonyms_seed(s, kbsvc_analyzer(lang), data, (size_t)len, &line) : GC_ENOMEM;
			if (rc == GC_OK) {
				seeds[lang] = s;
				char pairs[32];
				snprintf(pairs, sizeof(pairs), "%zu", kb_synonyms_count(s));
				log_info("thesaurus read", "path", path, "pairs", pairs);
			} else {
				char at[32];
				snprintf(at, sizeof(at), "%zu", line);
				log_error("thesaurus unreadable", "path", path, "line", at);
				kb_synonyms_free(s);
			}
		} else if (thesaurus_dir[0]) {
			log_error("thesaurus missing: searches go without its synonyms", "path", path);
		}
		free(data);
		if (f)
			fclose(f);
	}
	pthread_mutex_unlock(&seed_lock);
	return seeds[lang];
}

static struct tenant *tenant_get(int64_t id)
{
	pthread_mutex_lock(&tenants_lock);
	struct tenant *t = NULL;
	HASH_FIND(hh, tenants, &id, sizeof(id), t);
	if (t == NULL && (t = calloc(1, sizeof(*t))) != NULL) {
		t->id = id;
		pthread_rwlock_init(&t->lock, NULL);
		HASH_ADD(hh, tenants, id, sizeof(t->id), t);
	}
	pthread_mutex_unlock(&tenants_lock);
	return t;
}

static struct kb_corpus *corpus(struct tenant *t, enum kb_lang lang)
{
	if (t->corpus[lang] == NULL)
		t->corpus[lang] = kb_corpus_new(lang, seed(lang));
	return t->corpus[lang];
}

/* --- following the store --- */

struct sync {
	struct tenant *t;
	struct store *db;
	bool dirty[KB_LANG_N];
	bool items_changed;        /* an item put or dropped: translations may need their original's title again */
};

static void drop_item(struct sync *s, int64_t id)
{
	struct item *it = NULL;
	HASH_FIND(hh, s->t->items, &id, sizeof(id), it);
	if (it == NULL)
		return;
	kb_corpus_drop(s->t->corpus[it->lang], (uint64_t)id);
	s->dirty[it->lang] = true;
	s->items_changed = true;
	HASH_DEL(s->t->items, it);
	HASH_DELETE(hh_key, s->t->by_key, it);
	if (it->original[0])
		s->t->n_translations--;
	item_free(it);
}

/* The title of the article it translates, when that one is here (NULL otherwise). */
static const char *original_title(struct tenant *t, const struct item *it)
{
	struct item *o = NULL;
	if (it->original[0])
		HASH_FIND(hh_key, t->by_key, it->original, strlen(it->original), o);
	return o && o != it ? o->title : NULL;
}

/* Indexes it in its language's corpus, with its original's title when it translates one. */
static int index_item(struct sync *s, struct item *it)
{
	struct kb_corpus *cp = corpus(s->t, it->lang);
	if (cp == NULL)
		return GC_ENOMEM;
	const char *with = original_title(s->t, it);
	char *copy = with ? strdup(with) : NULL;
	if (with && copy == NULL)
		return GC_ENOMEM;
	struct kb_doc_input d = {(uint64_t)it->id, it->tree, it->title, it->body, it->tags, strlen(it->title),
				 strlen(it->body), strlen(it->tags), with, with ? strlen(with) : 0};
	int rc = kb_corpus_put(cp, kbsvc_analyzer(it->lang), &d);
	if (rc < 0) {
		free(copy);
		return rc;
	}
	free(it->indexed_with);
	it->indexed_with = copy;
	s->dirty[it->lang] = true;
	return GC_OK;
}

/* After items changed: the translations whose original's title is not the
 * one they were indexed with (the original put after them, changed or gone)
 * indexed again. */
static int refresh_translations(struct sync *s)
{
	if (!s->items_changed || s->t->n_translations == 0)
		return GC_OK;
	struct item *it, *tmp;
	HASH_ITER(hh, s->t->items, it, tmp) {
		if (!it->original[0])
			continue;
		const char *with = original_title(s->t, it);
		bool same = with && it->indexed_with ? strcmp(with, it->indexed_with) == 0 : with == it->indexed_with;
		int rc = same ? GC_OK : index_item(s, it);
		if (rc < 0)
			return rc;
	}
	return GC_OK;
}

static int put_item(int64_t id, int version, const char *content, void *arg)
{
	struct sync *s = arg;
	json_t *c = json_loads(content, 0, NULL);
	enum kb_lang lang;
	if (c == NULL || kb_lang_parse(json_string_value(json_object_get(c, "lang")), &lang) < 0) {
		json_decref(c);
		return GC_OK; /* stored content was checked: nothing to index otherwise */
	}
	drop_item(s, id);
	struct item *it = calloc(1, sizeof(*it));
	int rc = it ? GC_OK : GC_ENOMEM;
	if (rc == GC_OK) {
		it->id = id;
		snprintf(it->key, sizeof(it->key), "%s", json_string_value(json_object_get(c, "id")));
		const char *original = json_string_value(json_object_get(c, "translation_of"));
		snprintf(it->original, sizeof(it->original), "%s", original ? original : "");
		it->tree = strcmp(kb_content_kind(c), "tree") == 0;
		it->lang = lang;
		it->version = version;
		it->title = strdup(json_string_value(json_object_get(c, "title")));
		it->body = kb_content_body(c);
		it->tags = kb_content_tags(c);
		if (it->title == NULL || it->body == NULL || it->tags == NULL)
			rc = GC_ENOMEM;
	}
	if (rc == GC_OK)
		rc = index_item(s, it);
	if (rc == GC_OK) {
		HASH_ADD(hh, s->t->items, id, sizeof(it->id), it);
		HASH_ADD(hh_key, s->t->by_key, key, strlen(it->key), it);
		if (it->original[0])
			s->t->n_translations++;
		s->items_changed = true;
	} else if (it) {
		item_free(it);
	}
	json_decref(c);
	return rc;
}

static int put_link(const char *code, const char *term, int64_t item, int ok, int failed, void *arg)
{
	struct sync *s = arg;
	enum kb_lang lang;
	if (kb_lang_parse(code, &lang) < 0 || corpus(s->t, lang) == NULL)
		return GC_OK;
	int32_t have_ok, have_failed;
	kb_corpus_link_get(s->t->corpus[lang], term, strlen(term), (uint64_t)item, &have_ok, &have_failed);
	return kb_corpus_link(s->t->corpus[lang], term, strlen(term), (uint64_t)item, ok - have_ok, failed - have_failed);
}

static int put_synonym(const char *code, const char *word, const char *phrase, void *arg)
{
	struct sync *s = arg;
	enum kb_lang lang;
	if (kb_lang_parse(code, &lang) < 0 || corpus(s->t, lang) == NULL)
		return GC_OK;
	return kb_synonyms_add(kb_corpus_synonyms(s->t->corpus[lang]), kbsvc_analyzer(lang), word, strlen(word),
			       phrase, strlen(phrase));
}

static int apply(const struct store_kb_change *c, void *arg)
{
	struct sync *s = arg;
	if (strcmp(c->kind, "item") == 0) {
		drop_item(s, c->item_id);
		return store_kb_each_published(s->db, s->t->id, c->item_id, put_item, s);
	}
	enum kb_lang lang;
	if (kb_lang_parse(c->lang, &lang) < 0 || corpus(s->t, lang) == NULL)
		return GC_OK;
	if (strcmp(c->kind, "link") == 0) {
		int ok, failed;
		int rc = store_kb_link_get(s->db, s->t->id, c->lang, c->term, c->item_id, &ok, &failed);
		return rc < 0 ? rc : put_link(c->lang, c->term, c->item_id, ok, failed, s);
	}
	bool exists;
	int rc = store_kb_synonym_exists(s->db, s->t->id, c->lang, c->term, c->phrase, &exists);
	if (rc < 0 || exists)
		return rc < 0 ? rc : put_synonym(c->lang, c->term, c->phrase, s);
	rc = kb_synonyms_remove(kb_corpus_synonyms(s->t->corpus[lang]), kbsvc_analyzer(lang), c->term,
				strlen(c->term), c->phrase, strlen(c->phrase));
	return rc == GC_ENOTFOUND ? GC_OK : rc;
}

/* Brings the tenant up to the store's last change; called with the write lock. */
static int catch_up(struct tenant *t, struct store *db, int64_t seq)
{
	struct sync s = {.t = t, .db = db};
	int rc;
	if (!t->loaded) {
		rc = store_kb_each_published(db, t->id, 0, put_item, &s);
		if (rc == GC_OK)
			rc = store_kb_each_link(db, t->id, put_link, &s);
		if (rc == GC_OK)
			rc = store_kb_each_synonym(db, t->id, put_synonym, &s);
	} else {
		rc = store_kb_changes(db, t->id, t->seq, seq, apply, &s);
	}
	if (rc == GC_OK)
		rc = refresh_translations(&s);
	for (int l = 0; l < KB_LANG_N; l++)
		if (s.dirty[l] && t->corpus[l])
			kb_corpus_finish(t->corpus[l]);
	if (rc == GC_OK) {
		/* a full load read the state at or after seq: the changes up to seq are in it */
		t->loaded = true;
		t->seq = seq;
	}
	return rc;
}

/* The tenant, current, with its read lock held. */
static int tenant_read(struct store *db, int64_t tenant_id, struct tenant **ret)
{
	struct tenant *t = tenant_get(tenant_id);
	int64_t seq;
	if (t == NULL)
		return GC_ENOMEM;
	int rc = store_kb_seq(db, tenant_id, &seq);
	if (rc < 0)
		return rc;
	pthread_rwlock_rdlock(&t->lock);
	if (!t->loaded || t->seq < seq) {
		pthread_rwlock_unlock(&t->lock);
		pthread_rwlock_wrlock(&t->lock);
		if (!t->loaded || t->seq < seq)
			rc = catch_up(t, db, seq);
		pthread_rwlock_unlock(&t->lock);
		if (rc < 0)
			return rc;
		pthread_rwlock_rdlock(&t->lock);
	}
	*ret = t;
	return GC_OK;
}

int kbsvc_refresh(struct store *db, int64_t tenant_id)
{
	struct tenant *t = NULL;
	int rc = tenant_read(db, tenant_id, &t); /* loaded if it was not: what kbsvc_query_terms reads */
	if (rc == GC_OK)
		pthread_rwlock_unlock(&t->lock);
	return rc;
}

/* --- searches --- */

static struct item *item_find(struct tenant *t, int64_t id)
{
	struct item *it = NULL;
	HASH_FIND(hh, t->items, &id, sizeof(id), it);
	return it;
}

static int add_why(const struct kb_plan_term *pt, bool learned, double score, int32_t ok, int32_t failed, void *arg)
{
	json_t *why = arg;
	json_t *o = json_pack("{s:s,s:s,s:s,s:f}", "term", pt->term, "from", pt->from, "via",
			      learned && pt->via != KB_VIA_RESOLVED_BEFORE ? "learned" : kb_via_name(pt->via), "score",
			      score);
	if (o && learned) {
		json_object_set_new(o, "resolved", json_integer(ok));
		json_object_set_new(o, "failed", json_integer(failed));
	}
	return json_array_append_new(why, o) == 0 ? GC_OK : GC_ENOMEM;
}

static json_t *snippet(struct kb_analyzer *a, const struct kb_plan *plan, const char *body)
{
	struct kb_snippet s;
	if (kb_snippet(a, plan, body, strlen(body), 30, &s) < 0)
		return NULL;
	json_t *marks = json_array();
	for (size_t i = 0; i < s.n_marks; i++)
		json_array_append_new(marks, json_pack("[I,I]", (json_int_t)(s.mark[i][0] - s.start),
						       (json_int_t)(s.mark[i][1] - s.start)));
	/* the passage with line breaks as spaces */
	char *text = strndup(body + s.start, s.end - s.start);
	for (char *p = text; p && *p; p++)
		if (*p == '\n')
			*p = ' ';
	json_t *out = json_pack("{s:s?,s:o,s:b,s:b}", "text", text, "highlights", marks, "cut_before", s.start > 0,
				"cut_after", s.end < strlen(body));
	free(text);
	return out;
}

int kbsvc_search(struct store *db, int64_t tenant_id, const struct kbsvc_query *q, json_t **ret)
{
	struct tenant *t;
	struct kb_analyzer *a = kbsvc_analyzer(q->lang);
	if (a == NULL)
		return GC_ENOMEM;
	int rc = tenant_read(db, tenant_id, &t);
	if (rc < 0)
		return rc;
	struct kb_plan *plan = malloc(sizeof(*plan));
	size_t k = q->limit ? q->limit : 10, n = 0;
	struct kb_result *res = malloc((k + 1) * sizeof(*res));
	json_t *results = json_array(), *unmatched = json_array();
	struct kb_corpus *c = t->corpus[q->lang];
	rc = plan && res && results && unmatched ? GC_OK : GC_ENOMEM;
	if (rc == GC_OK && c)
		rc = kb_corpus_plan(c, a, q->text, strlen(q->text), plan);
	if (rc == GC_OK && c)
		rc = kb_corpus_search(c, plan, k, res, &n);
	for (size_t i = 0; rc == GC_OK && i < n; i++) {
		const struct item *it = item_find(t, (int64_t)res[i].item);
		if (it == NULL || (q->trees_only && !it->tree))
			continue;
		json_t *snip = snippet(a, plan, it->body), *marks = json_object_get(snip, "highlights");
		const char *text = json_string_value(json_object_get(snip, "text"));
		json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:s,s:O,s:i}", "id", it->key, "kind", it->tree ? "tree" : "article",
				      "title", it->title, "score", res[i].score, "snippet", text ? text : "",
				      "highlights", marks ? marks : json_null(), "version", it->version);
		json_decref(snip);
		if (o && !q->customer && res[i].learned > 0)
			json_object_set_new(o, "learned", json_real(res[i].learned));
		if (o && q->explain && !q->customer) {
			json_t *why = json_array();
			kb_corpus_explain(c, plan, res[i].item, add_why, why);
			json_object_set_new(o, "why", why);
		}
		if (o == NULL || json_array_append_new(results, o) < 0)
			rc = GC_ENOMEM;
	}
	for (size_t i = 0; rc == GC_OK && c && i < plan->n_unmatched; i++)
		json_array_append_new(unmatched, json_string(plan->unmatched[i]));
	pthread_rwlock_unlock(&t->lock);
	free(plan);
	free(res);
	if (rc == GC_OK) {
		*ret = json_pack("{s:o,s:o}", "results", results, "unmatched", unmatched);
		return *ret ? GC_OK : GC_ENOMEM;
	}
	json_decref(results);
	json_decref(unmatched);
	return rc;
}

static int collect_stem(const struct kb_term *term, void *arg)
{
	json_t *terms = arg;
	if (term->stop || term->term_len == 0)
		return GC_OK;
	size_t i;
	json_t *v;
	json_array_foreach(terms, i, v) if (strlen(json_string_value(v)) == term->term_len &&
					    memcmp(json_string_value(v), term->term, term->term_len) == 0) return GC_OK;
	return json_array_append_new(terms, json_stringn(term->term, term->term_len)) == 0 ? GC_OK : GC_ENOMEM;
}

int kbsvc_query_terms(struct store *db, int64_t tenant_id, enum kb_lang lang, const char *text, json_t **ret_terms,
		      json_t **ret_unmatched)
{
	struct kb_analyzer *a = kbsvc_analyzer(lang);
	json_t *terms = json_array(), *unmatched = json_array();
	/* the stems the search plans: everyday writing rewritten first ("pb" links as "problème") */
	size_t len = strlen(text), size = len * 8 + 1, words_len = len;
	char *expanded = len <= KB_MAX_QUERY ? malloc(size) : NULL;
	const char *words = text;
	if (expanded && kb_shorthand_expand(lang, text, len, expanded, size, &words_len) == GC_OK)
		words = expanded;
	int rc = a && terms && unmatched ? kb_analyze(a, words, words_len, collect_stem, terms) : GC_ENOMEM;
	free(expanded);
	/* what is in memory, without catching up: the writer calls this, and
	 * its connection may see what is not committed yet */
	struct tenant *t = rc == GC_OK && ret_unmatched ? tenant_get(tenant_id) : NULL;
	if (t)
		pthread_rwlock_rdlock(&t->lock);
	if (t) {
		struct kb_plan *plan = malloc(sizeof(*plan));
		if (plan && t->corpus[lang] && kb_corpus_plan(t->corpus[lang], a, text, strlen(text), plan) == GC_OK)
			for (size_t i = 0; i < plan->n_unmatched; i++)
				json_array_append_new(unmatched, json_string(plan->unmatched[i]));
		pthread_rwlock_unlock(&t->lock);
		free(plan);
	}
	if (rc < 0) {
		json_decref(terms);
		json_decref(unmatched);
		return rc;
	}
	*ret_terms = terms;
	if (ret_unmatched)
		*ret_unmatched = unmatched;
	else
		json_decref(unmatched);
	return GC_OK;
}

int kbsvc_infer(int64_t tenant_id, enum kb_lang lang, const json_t *node, const json_t *shown, const char *text,
		struct kb_inference *ret)
{
	struct kb_analyzer *a = kbsvc_analyzer(lang);
	struct tenant *t = a ? tenant_get(tenant_id) : NULL;
	if (t == NULL)
		return GC_ENOMEM;
	pthread_rwlock_rdlock(&t->lock);
	const struct kb_synonyms *own = t->corpus[lang] ? kb_corpus_synonyms(t->corpus[lang]) : NULL;
	int rc = kb_infer(a, own, node, shown, text, strlen(text), ret);
	pthread_rwlock_unlock(&t->lock);
	return rc;
}
