/* Unit tests of one tenant's search (src/kb/search.c): query plans with
 * typos, synonyms and everyday writing, learned links that lift an item and
 * can be taken back, a synonym's learned links followed, learned
 * associations that reach other items with the same vocabulary, trees
 * covering the intent first, explanations, snippets, items replaced or
 * dropped, a title's function words matching the same words typed, and
 * French elisions typed without their apostrophe and plurals in -x. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/kb_search.h"

struct fixture {
	struct kb_analyzer *a;
	struct kb_synonyms *seed;
	struct kb_corpus *c;
};

static void put(struct fixture *f, uint64_t item, bool tree, const char *title, const char *body, const char *tags)
{
	struct kb_doc_input d = {item, tree, title, body, tags, strlen(title), strlen(body), strlen(tags), NULL, 0};
	assert_int_equal(kb_corpus_put(f->c, f->a, &d), GC_OK);
}

static int setup_fr(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->a = kb_analyzer_new(KB_LANG_FR);
	f->seed = kb_synonyms_new();
	const char *thes = "UTF-8\nfacture|1\n(Nom)|note|addition|douloureuse\n"
			   "mettre fin à|1\n(Verbe)|résilier|finir\nnote salée|1\n(Nom)|forfait\n";
	size_t line;
	assert_int_equal(kb_synonyms_seed(f->seed, f->a, thes, strlen(thes), &line), GC_OK);
	f->c = kb_corpus_new(KB_LANG_FR, f->seed);
	put(f, 1, false, "Imprimante hors ligne", "Vérifiez le câble réseau de l'imprimante puis redémarrez-la.",
	    "imprimante réseau");
	put(f, 2, false, "Note de frais", "Comment déclarer une note de frais et joindre les justificatifs.", "frais");
	put(f, 3, false, "Changer de forfait", "Le changement de forfait prend effet au prochain cycle.", "forfait");
	put(f, 4, true, "Diagnostic imprimante", "L'imprimante affiche-t-elle un voyant rouge ? Le câble est-il branché ?",
	    "imprimante");
	put(f, 5, false, "Résilier son contrat", "La résiliation est gratuite après douze mois.", "contrat");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	kb_corpus_free(f->c);
	kb_synonyms_free(f->seed);
	kb_analyzer_free(f->a);
	free(f);
	return 0;
}

static size_t search(struct fixture *f, const char *q, struct kb_result *res, struct kb_plan *plan)
{
	size_t n;
	assert_int_equal(kb_corpus_plan(f->c, f->a, q, strlen(q), plan), GC_OK);
	assert_int_equal(kb_corpus_search(f->c, plan, 10, res, &n), GC_OK);
	return n;
}

static const struct kb_plan_term *plan_term(const struct kb_plan *p, const char *term)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->t[i].term, term) == 0)
			return &p->t[i];
	return NULL;
}

static void words_and_trees_first(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	size_t n = search(f, "mon IMPRIMANTE ne marche plus", res, &plan);
	assert_int_equal(n, 2);
	/* the tree covers the intent: it comes before the article */
	assert_int_equal(res[0].item, 4);
	assert_true(res[0].tree);
	assert_int_equal(res[1].item, 1);
	assert_int_equal(plan.n_unmatched, 2); /* "marche", "plus" */
	/* a tree far below the best article does not cover the intent */
	n = search(f, "imprimante hors ligne réseau redémarrer", res, &plan);
	assert_int_equal(res[0].item, 1);
	assert_int_equal(res[1].item, 4);
	assert_true(res[1].score < 0.5 * res[0].score);
}

static void typos_are_corrected(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	size_t n = search(f, "résiliation du contart", res, &plan); /* swapped letters */
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 5);
	const struct kb_plan_term *t = plan_term(&plan, "contrat");
	assert_non_null(t);
	assert_int_equal(t->via, KB_VIA_TYPO);
	assert_string_equal(t->from, "contart");
	/* a word of the corpus under five letters is matched only exactly */
	n = search(f, "moas", res, &plan);
	assert_int_equal(n, 0);
	assert_int_equal(plan.n_unmatched, 1);
	assert_string_equal(plan.unmatched[0], "moas");
}

/* a word the corpus lacks, glued from words it has, searches its known head and tail */
static void glued_words_search_their_parts(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	put(f, 6, false, "Le navigateur sous BSD", "Aucune version officielle pour BSD.", "bsd");
	put(f, 7, false, "Installer sur Chrome", "Le navigateur Chrome ne prend pas les extensions.", "chrome");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	size_t n = search(f, "navigateur pour freebsd", res, &plan);
	assert_true(n >= 2);
	assert_int_equal(res[0].item, 6); /* the tail "bsd" */
	const struct kb_plan_term *t = plan_term(&plan, "bsd");
	assert_non_null(t);
	assert_int_equal(t->via, KB_VIA_PART);
	assert_string_equal(t->from, "freebsd");
	assert_string_equal(kb_via_name(KB_VIA_PART), "part");
	n = search(f, "chromebook", res, &plan); /* the head "chrom" */
	assert_int_equal(n, 1);
	assert_int_equal(res[0].item, 7);
	/* a word the corpus lacks that is part of a longer one: "torrents" in "bittorrent" */
	put(f, 8, false, "Utiliser BitTorrent", "Déconseillé.", "");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	n = search(f, "torrents", res, &plan);
	assert_int_equal(n, 1);
	assert_int_equal(res[0].item, 8);
	t = plan_term(&plan, "bittorrent");
	assert_non_null(t);
	assert_int_equal(t->via, KB_VIA_PART);
	assert_string_equal(t->from, "torrents");
	assert_true(t->weight < KB_W_TYPO);
	assert_int_equal(plan.n_unmatched, 0);
	/* not for a short stem ("bit", 3 letters) */
	assert_int_equal(search(f, "bit", res, &plan), 0);
	/* a word the corpus has is searched as itself, not by parts */
	search(f, "imprimantes", res, &plan);
	for (size_t i = 0; i < plan.n; i++)
		assert_int_not_equal(plan.t[i].via, KB_VIA_PART);
	/* short words and words of unknown parts stay unmatched */
	assert_int_equal(search(f, "zorglub", res, &plan), 0);
	assert_int_equal(plan.n_unmatched, 1);
	assert_int_equal(search(f, "bsdx", res, &plan), 0);
}

/* the function words typed match the titles that phrase the question so, weakly, and nothing else */
static void function_words_match_titles(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	put(f, 6, false, "Y a-t-il une faille dans le logiciel ?", "Non, aucune.", "sécurité");
	put(f, 7, false, "Porte du bureau", "Y a une porte au fond.", "bureau"); /* "y a une" in its body only */
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	size_t n = search(f, "y a une backdoor ?", res, &plan);
	assert_int_equal(n, 1);
	assert_int_equal(res[0].item, 6);
	const struct kb_plan_term *t = plan_term(&plan, "~y");
	assert_non_null(t);
	assert_int_equal(t->via, KB_VIA_FUNCTION_WORD);
	assert_string_equal(t->from, "y");
	assert_true(t->weight == KB_W_FUNCTION_WORD);
	assert_string_equal(kb_via_name(KB_VIA_FUNCTION_WORD), "function_word");
	assert_int_equal(plan.n_unmatched, 1); /* "backdoor"; the function words are not counted */
	assert_int_equal(plan.n_words, 1);
	/* weakly: one word of the content outweighs them all */
	n = search(f, "y a une porte", res, &plan);
	assert_int_equal(n, 2);
	assert_int_equal(res[0].item, 7);
	assert_int_equal(res[1].item, 6);
	/* one in more than half the titles is not searched: "le" in 1 of 7 titles, then 7 of 13 */
	search(f, "le", res, &plan);
	assert_non_null(plan_term(&plan, "~le"));
	for (uint64_t item = 8; item <= 13; item++)
		put(f, item, false, "Le forfait", "Détails.", "");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	assert_int_equal(search(f, "le", res, &plan), 0);
	assert_null(plan_term(&plan, "~le"));
}

/* French elisions typed without their apostrophe: the word after it searches as typed */
/* An item that translates another is found by the original title's words,
 * as customers type them in their language ("vpn" in French), weakly. */
static void original_titles_are_searched(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	assert_int_equal(search(f, "utiliser un vpn", res, &plan), 0);
	const char *original = "Can I use a VPN with Tor?";
	struct kb_doc_input d = {6,	 false, "Puis-je utiliser un RPV avec Tor ?", "En général, non.", "",
				 strlen("Puis-je utiliser un RPV avec Tor ?"), strlen("En général, non."), 0, original,
				 strlen(original)};
	assert_int_equal(kb_corpus_put(f->c, f->a, &d), GC_OK);
	put(f, 7, false, "Utiliser Tor", "Utiliser un pont.", "");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	size_t n = search(f, "utiliser un vpn", res, &plan);
	assert_true(n >= 2);
	assert_int_equal(res[0].item, 6);
	/* as a tag: a word of the item's own title outweighs it */
	n = search(f, "vpn tor", res, &plan);
	assert_int_equal(res[0].item, 6);
	/* put again without it: gone */
	d.original_title = NULL;
	d.original_title_len = 0;
	assert_int_equal(kb_corpus_put(f->c, f->a, &d), GC_OK);
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	n = search(f, "vpn", res, &plan);
	assert_int_equal(n, 0);
}

static void elided_words_glued(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	put(f, 6, false, "Accélérer le navigateur", "Fermez les onglets inutiles.", "navigateur");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	size_t n = search(f, "jaccelere", res, &plan); /* "accelere", not in the corpus, stems as "accélérer" */
	assert_int_equal(n, 1);
	assert_int_equal(res[0].item, 6);
	const struct kb_plan_term *t = plan_term(&plan, "acceler");
	assert_non_null(t);
	assert_int_equal(t->via, KB_VIA_WORD);
	assert_string_equal(t->from, "jaccelere");
	assert_int_equal(plan.n_unmatched, 0);
	/* an elided function word is understood, not unmatched: "jai" is "j'ai" */
	search(f, "jai", res, &plan);
	assert_int_equal(plan.n_unmatched, 0);
	/* no elision without a vowel after it, nor with an unknown rest */
	search(f, "lorglub jzorglub", res, &plan);
	assert_int_equal(plan.n_unmatched, 2);
}

/* a French plural in -x and its singular find each other, which Snowball's stems do not */
static void french_plurals_in_x(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	put(f, 6, false, "Construire des noyaux personnalisés", "Avec make-kpkg.", "noyaux");
	put(f, 7, false, "Les gros travaux", "Prévoir un budget.", "");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	size_t n = search(f, "compiler mon noyau", res, &plan); /* "noyaux" stems as "noyal" */
	assert_int_equal(n, 1);
	assert_int_equal(res[0].item, 6);
	const struct kb_plan_term *t = plan_term(&plan, "noyal");
	assert_non_null(t);
	assert_int_equal(t->via, KB_VIA_WORD);
	assert_string_equal(t->from, "noyau");
	assert_int_equal(search(f, "travail", res, &plan), 1);
	assert_int_equal(res[0].item, 7);
	/* a word without such a form searches its own stem only */
	search(f, "forfait", res, &plan);
	assert_int_equal(plan.n, 1);
}

static void synonyms_from_seed_and_tenant(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	/* "facture" is not in the corpus; the seed says it means "note" */
	size_t n = search(f, "facture", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 2);
	assert_int_equal(plan_term(&plan, "not")->via, KB_VIA_SYNONYM);
	/* the tenant's own entry: "abonnement" means "forfait" */
	n = search(f, "abonnement", res, &plan);
	assert_int_equal(n, 0);
	assert_string_equal(plan.unmatched[0], "abonnement");
	const char *w = "abonnement", *s = "forfait";
	assert_int_equal(kb_synonyms_add(kb_corpus_synonyms(f->c), f->a, w, strlen(w), s, strlen(s)), GC_OK);
	n = search(f, "abonnement", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 3);
	assert_int_equal(plan_term(&plan, "forf")->via, KB_VIA_TENANT_SYNONYM);
	assert_int_equal(kb_synonyms_remove(kb_corpus_synonyms(f->c), f->a, w, strlen(w), s, strlen(s)), GC_OK);
	assert_int_equal(kb_synonyms_remove(kb_corpus_synonyms(f->c), f->a, w, strlen(w), s, strlen(s)),
			 GC_ENOTFOUND);
	assert_int_equal(search(f, "abonnement", res, &plan), 0);
}

static bool unmatched(const struct kb_plan *p, const char *word)
{
	for (size_t i = 0; i < p->n_unmatched; i++)
		if (strcmp(p->unmatched[i], word) == 0)
			return true;
	return false;
}

/* A headword of several words with a function word, typed as it is: its
 * synonyms, the seed's and the tenant's (setup_fr's seed: "mettre fin à"
 * means "résilier"; "note salée" has none and is skipped). */
static void phrases_typed_as_headwords(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	size_t n = search(f, "je veux mettre fin à tout ça", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 5);
	assert_int_equal(plan_term(&plan, "resili")->via, KB_VIA_SYNONYM);
	assert_string_equal(plan_term(&plan, "resili")->from, "mettre fin a");
	assert_false(unmatched(&plan, "mettre"));
	assert_false(unmatched(&plan, "fin"));
	/* its words apart are not the phrase */
	search(f, "mettre un point final à la fin", res, &plan);
	assert_null(plan_term(&plan, "resili"));
	/* content words only: each is searched as itself, the headword is not kept */
	search(f, "une note salée", res, &plan);
	assert_null(plan_term(&plan, "forf"));
	/* the tenant's own: "en panne" means "imprimante" */
	assert_int_equal(search(f, "tout est en panne", res, &plan), 0);
	const char *w = "en panne", *syn = "imprimante";
	assert_int_equal(kb_synonyms_add(kb_corpus_synonyms(f->c), f->a, w, strlen(w), syn, strlen(syn)), GC_OK);
	n = search(f, "tout est en panne", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(plan_term(&plan, "imprim")->via, KB_VIA_TENANT_SYNONYM);
	assert_false(unmatched(&plan, "panne"));
}

struct why {
	int words, learned, before;
	double sum, links;
};

static int count_why(const struct kb_plan_term *t, bool learned, double score, int32_t ok, int32_t failed, void *arg)
{
	struct why *w = arg;
	if (t->via == KB_VIA_RESOLVED_BEFORE) {
		assert_true(learned);
		w->before++;
	} else if (learned) {
		w->learned++;
		w->links += score;
		assert_true(ok > 0);
	} else {
		w->words++;
	}
	w->sum += score;
	return GC_OK;
}

static void learned_links_lift_and_go(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	/* "cycle" is in the forfait article only; customers say "prélèvement" for a cancellation */
	size_t n = search(f, "prélèvement contrat", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 5);
	n = search(f, "prélèvement forfait", res, &plan);
	assert_int_equal(res[0].item, 3);
	assert_string_equal(plan.unmatched[0], "prelevement");
	/* three resolutions link "prélèvement" to the contract article */
	const char *stem = "prelev"; /* the stem of "prélèvement" */
	assert_int_equal(kb_corpus_link(f->c, stem, strlen(stem), 5, 3, 0), GC_OK);
	n = search(f, "prélèvement forfait", res, &plan);
	assert_int_equal(plan.n_unmatched, 0);
	assert_int_equal(res[0].item, 5);
	assert_true(res[0].learned > 0);
	struct why w = {0};
	assert_int_equal(kb_corpus_explain(f->c, &plan, 5, count_why, &w), GC_OK);
	assert_int_equal(w.learned, 1);
	assert_int_equal(w.before, 1); /* resolved before: a prior too */
	assert_true(w.sum > res[0].score - 1e-9 && w.sum < res[0].score + 1e-9);
	/* failures weaken it; taking the link back restores the first ranking */
	int32_t ok, failed;
	assert_int_equal(kb_corpus_link(f->c, stem, strlen(stem), 5, 0, 30), GC_OK);
	kb_corpus_link_get(f->c, stem, strlen(stem), 5, &ok, &failed);
	assert_int_equal(ok, 3);
	assert_int_equal(failed, 30);
	n = search(f, "prélèvement forfait", res, &plan);
	assert_int_equal(res[0].item, 3);
	assert_int_equal(kb_corpus_link(f->c, stem, strlen(stem), 5, -3, -30), GC_OK);
	kb_corpus_link_get(f->c, stem, strlen(stem), 5, &ok, &failed);
	assert_int_equal(ok + failed, 0);
	n = search(f, "prélèvement forfait", res, &plan);
	assert_int_equal(res[0].item, 3);
	assert_int_equal(res[0].learned, 0);
}

/* An item resolutions led to comes a little ahead whatever the words; a
 * word's links count less the more items they spread over. */
static void resolutions_lift_and_common_words_less(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	put(f, 6, false, "Panne de box", "Redémarrez la box.", "box");
	put(f, 7, false, "Panne de box", "Redémarrez la box.", "box");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	size_t n = search(f, "panne box", res, &plan);
	assert_true(n >= 2);
	assert_int_equal(res[0].item, 6); /* a tie: the lower id */
	/* a resolution by other words */
	const char *other = "coupur";
	assert_int_equal(kb_corpus_link(f->c, other, strlen(other), 7, 1, 0), GC_OK);
	n = search(f, "panne box", res, &plan);
	assert_int_equal(res[0].item, 7);
	assert_true(res[0].learned > 0);
	struct why w = {0};
	assert_int_equal(kb_corpus_explain(f->c, &plan, 7, count_why, &w), GC_OK);
	assert_int_equal(w.before, 1);
	assert_int_equal(w.learned, 0);
	assert_true(w.sum > res[0].score - 1e-9 && w.sum < res[0].score + 1e-9);
	assert_string_equal(kb_via_name(KB_VIA_RESOLVED_BEFORE), "resolved_before");
	/* "marche" led to five items, "coupure" to one: each of its links counts less */
	const char *common = "march";
	for (uint64_t item = 1; item <= 5; item++)
		assert_int_equal(kb_corpus_link(f->c, common, strlen(common), item, 1, 0), GC_OK);
	search(f, "marche", res, &plan);
	struct why wc = {0}, wo = {0};
	assert_int_equal(kb_corpus_explain(f->c, &plan, 1, count_why, &wc), GC_OK);
	search(f, "coupure", res, &plan);
	assert_int_equal(res[0].item, 7);
	assert_int_equal(kb_corpus_explain(f->c, &plan, 7, count_why, &wo), GC_OK);
	assert_int_equal(wc.learned, 1);
	assert_int_equal(wo.learned, 1);
	assert_true(wc.links < wo.links);
	/* taking the resolution back takes the prior back */
	assert_int_equal(kb_corpus_link(f->c, other, strlen(other), 7, -1, 0), GC_OK);
	n = search(f, "panne box", res, &plan);
	assert_int_equal(res[0].item, 6);
	assert_true(res[0].learned == 0);
}

/* what customers taught with a word helps the one who types its synonym */
static void synonyms_follow_learned_links(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	/* "facture" means "note" (the seed): the "Note de frais" article first, the contract nowhere */
	size_t n = search(f, "facture", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 2);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(res[i].item, 5);
	/* customers who typed "note" were resolved by the contract article */
	const char *stem = "not";
	assert_int_equal(kb_corpus_link(f->c, stem, strlen(stem), 5, 3, 0), GC_OK);
	n = search(f, "facture", res, &plan);
	assert_true(n >= 2);
	assert_int_equal(res[0].item, 5);
	assert_true(res[0].learned > 0);
	/* less than the customer typing "note" would get */
	struct kb_result typed[10];
	static struct kb_plan typed_plan;
	search(f, "note", typed, &typed_plan);
	size_t at = 0;
	while (typed[at].item != 5)
		at++;
	assert_true(res[0].learned < typed[at].learned);
	/* the explanation says so, and adds up to the score */
	struct why w = {0};
	assert_int_equal(kb_corpus_explain(f->c, &plan, 5, count_why, &w), GC_OK);
	assert_int_equal(w.learned, 1);
	assert_int_equal(w.before, 1);
	assert_true(w.sum > res[0].score - 1e-9 && w.sum < res[0].score + 1e-9);
	/* a typing mistake's stem is not a word the customer meant: its links are not followed */
	const char *imp = "imprim";
	assert_int_equal(kb_corpus_link(f->c, imp, strlen(imp), 3, 3, 0), GC_OK);
	n = search(f, "imprimente", res, &plan);
	assert_int_equal(plan_term(&plan, "imprim")->via, KB_VIA_TYPO);
	for (size_t i = 0; i < n; i++) {
		struct why wi = {0};
		assert_int_equal(kb_corpus_explain(f->c, &plan, res[i].item, count_why, &wi), GC_OK);
		assert_int_equal(wi.learned, 0);
	}
}

static void associations_generalise(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	/* another article with the contract article's vocabulary, never linked */
	put(f, 6, false, "Résilier la box", "Renvoyez la box dans son carton.", "box");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	assert_int_equal(search(f, "prélèvement", res, &plan), 0);
	/* one resolution: "prélèvement" led to "Résilier son contrat", which does not say it */
	const char *stem = "prelev";
	assert_int_equal(kb_corpus_link(f->c, stem, strlen(stem), 5, 1, 0), GC_OK);
	size_t n = search(f, "prélèvement", res, &plan);
	const struct kb_plan_term *t = plan_term(&plan, "resili");
	assert_non_null(t);
	assert_int_equal(t->via, KB_VIA_ASSOCIATION);
	assert_string_equal(t->from, "prelevement");
	assert_string_equal(kb_via_name(t->via), "association");
	double one = t->weight;
	assert_true(one > 0 && one < KB_W_ASSOC);
	/* the item linked first, and the other article on the same thing found too, by the association alone */
	assert_true(n >= 2);
	assert_int_equal(res[0].item, 5);
	size_t at = 1;
	while (at < n && res[at].item != 6)
		at++;
	assert_true(at < n);
	assert_true(res[at].score > 0);
	assert_true(res[at].learned == 0);
	/* a second resolution agreeing gives the full weight */
	assert_int_equal(kb_corpus_link(f->c, stem, strlen(stem), 5, 1, 0), GC_OK);
	search(f, "prélèvement", res, &plan);
	assert_true(plan_term(&plan, "resili")->weight > one);
	assert_true(plan_term(&plan, "resili")->weight <= KB_W_ASSOC + 1e-9);
	/* resolutions split between two items share the weight by evidence */
	assert_int_equal(kb_corpus_link(f->c, stem, strlen(stem), 3, 2, 0), GC_OK);
	search(f, "prélèvement", res, &plan);
	const struct kb_plan_term *forf = plan_term(&plan, "forf");
	assert_non_null(forf);
	assert_int_equal(forf->via, KB_VIA_ASSOCIATION);
	assert_true(forf->weight > 0.5 * KB_W_ASSOC - 1e-9 && forf->weight < 0.5 * KB_W_ASSOC + 1e-9);
	/* a word the item already says teaches no association */
	const char *said = "contrat";
	assert_int_equal(kb_corpus_link(f->c, said, strlen(said), 5, 5, 0), GC_OK);
	search(f, "contrat", res, &plan);
	for (size_t i = 0; i < plan.n; i++)
		assert_int_not_equal(plan.t[i].via, KB_VIA_ASSOCIATION);
	/* a dropped item teaches nothing any more */
	assert_int_equal(kb_corpus_drop(f->c, 5), GC_OK);
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	search(f, "prélèvement", res, &plan);
	assert_null(plan_term(&plan, "resili"));
}

static void everyday_writing(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	put(f, 7, false, "Mot de passe oublié", "Un problème de mot de passe se règle depuis l'espace client.", "compte");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	size_t n = search(f, "pb de MDP stp", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 7);
	assert_int_equal(plan.n_unmatched, 0);
	assert_non_null(plan_term(&plan, "mot"));
	assert_non_null(plan_term(&plan, "problem"));
	/* accents left out: the stemmer cuts "securite" otherwise than "sécurité", the content's stem is used */
	put(f, 8, false, "Sécurité du compte", "Activez la double authentification.", "compte");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	n = search(f, "securite", res, &plan);
	assert_true(n >= 1);
	assert_int_equal(res[0].item, 8);
	assert_int_equal(plan.n_unmatched, 0);
	assert_int_equal(plan.t[0].via, KB_VIA_WORD);
}

static void replaced_and_dropped(void **state)
{
	struct fixture *f = *state;
	struct kb_result res[10];
	static struct kb_plan plan;
	put(f, 3, false, "Changer d'offre", "Une nouvelle offre prend effet au prochain cycle.", "offre");
	assert_int_equal(kb_corpus_finish(f->c), GC_OK);
	assert_int_equal(kb_corpus_size(f->c), 5);
	assert_int_equal(search(f, "forfait", res, &plan), 0);
	size_t n = search(f, "offre", res, &plan);
	assert_int_equal(n, 1);
	assert_int_equal(res[0].item, 3);
	assert_int_equal(kb_corpus_drop(f->c, 3), GC_OK);
	assert_int_equal(kb_corpus_drop(f->c, 3), GC_ENOTFOUND);
	assert_int_equal(search(f, "offre", res, &plan), 0);
	assert_false(kb_corpus_has(f->c, 3));
	assert_int_equal(kb_corpus_size(f->c), 4);
}

static void snippets_mark_the_words(void **state)
{
	struct fixture *f = *state;
	static struct kb_plan plan;
	const char *q = "cable reseau";
	assert_int_equal(kb_corpus_plan(f->c, f->a, q, strlen(q), &plan), GC_OK);
	const char *body = "Un texte d'introduction assez long qui ne parle de rien de précis avant le sujet. "
			   "Vérifiez le câble réseau de l'imprimante puis redémarrez-la. Fin.";
	struct kb_snippet s;
	assert_int_equal(kb_snippet(f->a, &plan, body, strlen(body), 8, &s), GC_OK);
	assert_int_equal(s.n_marks, 2);
	assert_memory_equal(body + s.mark[0][0], "câble", strlen("câble"));
	assert_memory_equal(body + s.mark[1][0], "réseau", strlen("réseau"));
	assert_true(s.start > 0 && s.start <= s.mark[0][0]);
	assert_true(s.end >= s.mark[1][1] && s.end < strlen(body));
	/* nothing matches: the start of the text */
	q = "forfait";
	assert_int_equal(kb_corpus_plan(f->c, f->a, q, strlen(q), &plan), GC_OK);
	assert_int_equal(kb_snippet(f->a, &plan, body, strlen(body), 5, &s), GC_OK);
	assert_int_equal(s.start, 0);
	assert_int_equal(s.n_marks, 0);
	assert_memory_equal(body + s.end - 5, "assez", 5);
	/* invalid UTF-8 is refused */
	assert_int_equal(kb_corpus_plan(f->c, f->a, "\xff", 1, &plan), GC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(words_and_trees_first, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(typos_are_corrected, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(glued_words_search_their_parts, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(function_words_match_titles, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(original_titles_are_searched, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(elided_words_glued, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(french_plurals_in_x, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(synonyms_from_seed_and_tenant, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(phrases_typed_as_headwords, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(learned_links_lift_and_go, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(synonyms_follow_learned_links, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(resolutions_lift_and_common_words_less, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(associations_generalise, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(everyday_writing, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(replaced_and_dropped, setup_fr, teardown),
		cmocka_unit_test_setup_teardown(snippets_mark_the_words, setup_fr, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
