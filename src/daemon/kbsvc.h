/* The knowledge searches of the daemon: each tenant's published articles
 * and trees, per language, in memory (guichet/kb_search.h), following the
 * store's change log, so what a search sees is always what was committed.
 *
 * A tenant is loaded at its first search. Each search first reads the
 * tenant's last change number (one indexed read) and, when the memory is
 * behind, applies the changes since (items published or archived, learned
 * links, the tenant's synonyms) under the tenant's write lock; searches
 * share its read lock. The languages' thesauri (Debian's mythes) are read
 * at the first search in that language. Searches run on the workers with
 * their read-only connections; the writer never touches this memory. */
#ifndef GUICHET_DAEMON_KBSVC_H
#define GUICHET_DAEMON_KBSVC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guichet/kb_infer.h"
#include "guichet/kb_search.h"
#include "store/store.h"

void kbsvc_init(const char *thesaurus_dir);
void kbsvc_free(void);

struct kbsvc_query {
	const char *text;
	enum kb_lang lang;
	size_t limit;
	bool explain;              /* add why each result ranked where it did */
	bool customer;             /* self-service: titles and bodies only, no tags or owners */
	bool trees_only;
};

/* {"results":[{"id","kind","title","score","snippet","highlights",...}],
 * "unmatched":[words]} best first. GC_EINVAL for invalid UTF-8. */
int kbsvc_search(struct store *db, int64_t tenant_id, const struct kbsvc_query *q, json_t **ret);
/* Brings a tenant's knowledge in memory (loading it when it is not there)
 * up to what db has committed (the writer, after a commit that changed it:
 * what kbsvc_query_terms reads without catching up is then current). */
int kbsvc_refresh(struct store *db, int64_t tenant_id);

/* The thread's analyser for a language (kept for the thread's life). */
struct kb_analyzer *kbsvc_analyzer(enum kb_lang lang);

/* The stems of text's words (stop words left out), distinct, as a JSON
 * array of strings, and the words that matched nothing in the tenant's
 * knowledge (for learning). */
int kbsvc_query_terms(struct store *db, int64_t tenant_id, enum kb_lang lang, const char *text, json_t **ret_terms,
		      json_t **ret_unmatched);

/* What the customer's words answer at a question (guichet/kb_infer.h),
 * with the tenant's own synonyms in lang as they are in memory (without
 * catching up: the writer calls this). */
int kbsvc_infer(int64_t tenant_id, enum kb_lang lang, const json_t *node, const json_t *shown, const char *text,
		struct kb_inference *ret);

#endif
