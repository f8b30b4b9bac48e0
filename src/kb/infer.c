/* Diagnosis that listens (guichet/kb_infer.h). The customer's text is
 * analysed once into words that know their clause and whether a negation
 * reaches them; each question type then looks for itself in those words:
 * a choice's phrases, a yes/no question's meaningful words, a number with
 * one of the question's words after it. Any doubt answers nothing. */
#include "guichet/kb_infer.h"
#include "guichet/error.h"
#include "guichet/kb_typo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEGATION_REACH 3           /* words after a marker that it negates */
#define TYPO_MIN 5                 /* words this long or longer may carry one typing mistake */
#define MAX_PHRASE 8               /* words of a label, a synonym or a question kept */
#define MAX_SPAN 120               /* bytes of "because" taken as one passage of the text */

struct word {
	char stem[KB_MAX_WORD * 4], plain[KB_MAX_WORD * 4];
	size_t start, end;
	bool stop;
	bool breaks;               /* a clause starts here (punctuation or "mais"/"but" before it) */
	int negated_by;            /* the marker's index, -1 when said plainly */
	int negation_end;          /* the last word of the negation ("wifi doesn't work": "work") */
};

struct heard {
	enum kb_lang lang;
	const char *text;
	size_t len;
	struct word *w;
	size_t n, cap;
};

static bool in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

static const char *const clause_words[] = {"mais", "but", "however", "cependant", "sinon", "otherwise", NULL};

static int hear_word(const struct kb_term *t, void *arg)
{
	struct heard *h = arg;
	if (h->n == h->cap)
		return GC_OK;
	struct word *w = &h->w[h->n];
	memcpy(w->stem, t->term, t->term_len + 1);
	memcpy(w->plain, t->word, t->word_len + 1);
	w->start = t->start;
	w->end = t->end;
	w->stop = t->stop;
	w->negated_by = -1;
	w->breaks = h->n == 0 || in_list(w->plain, clause_words);
	size_t from = h->n ? h->w[h->n - 1].end : 0;
	for (size_t i = from; i < t->start && !w->breaks; i++)
		w->breaks = strchr(",.;:!?()\n", h->text[i]) != NULL;
	h->n++;
	return GC_OK;
}

static int hear(struct kb_analyzer *a, const char *text, size_t len, size_t cap, struct heard *h)
{
	*h = (struct heard){.lang = kb_analyzer_lang(a), .text = text, .len = len, .cap = cap};
	h->w = calloc(cap, sizeof(*h->w));
	if (h->w == NULL)
		return GC_ENOMEM;
	int rc = kb_analyze(a, text, len, hear_word, h);
	if (rc < 0) {
		free(h->w);
		h->w = NULL;
	}
	return rc;
}

/* --- numbers and negations --- */

static const char *const numbers_fr[] = {"zero", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit",
					 "neuf", "dix", "onze", "douze", NULL};
static const char *const numbers_en[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
					 "ten", "eleven", "twelve", NULL};

/* The number word i says (digits or spelled), -1 when none. */
static long number_at(const struct heard *h, size_t i)
{
	const char *p = h->w[i].plain;
	size_t n = strlen(p);
	if (n > 0 && n <= 9 && strspn(p, "0123456789") == n)
		return strtol(p, NULL, 10);
	const char *const *list = h->lang == KB_LANG_FR ? numbers_fr : numbers_en;
	for (long k = 0; list[k]; k++)
		if (strcmp(p, list[k]) == 0)
			return h->lang == KB_LANG_FR && k >= 2 ? k - 1 : k; /* "un" and "une" are both 1 */
	return -1;
}

static bool joined(const struct heard *h, size_t j)
{
	return j < h->n && !h->w[j].breaks;
}

/* "plus" as a comparison ("plus d'une heure", "plus que", "le plus"), not "ne ... plus". */
static bool comparative(const struct heard *h, size_t i)
{
	static const char *const before[] = {"le", "la", "les", "de", "en", "au", NULL};
	static const char *const of[] = {"de", "d", "du", "des", NULL};
	static const char *const than[] = {"que", "qu", NULL};
	if (i > 0 && !h->w[i].breaks && in_list(h->w[i - 1].plain, before))
		return true;
	size_t j = i + 1;
	if (joined(h, j) && in_list(h->w[j].plain, than))
		return true;
	if (joined(h, j) && in_list(h->w[j].plain, of))
		j++;
	return joined(h, j) && number_at(h, j) >= 0;
}

static bool is_negator(const struct heard *h, size_t i)
{
	static const char *const fr[] = {"pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "ne", "n", "non",
					 "pa", NULL};
	static const char *const en[] = {"not", "no", "never", "without", "nothing", "none", "nor", "cannot", "dont",
					 "doesnt", "didnt", "isnt", "cant", "wont", "aint", "arent", "wasnt",
					 "havent", "hasnt", "nope", NULL};
	const char *p = h->w[i].plain;
	if (h->lang == KB_LANG_EN) {
		size_t n = strlen(p);
		return in_list(p, en) || (n > 3 && strcmp(p + n - 3, "n't") == 0);
	}
	if (strcmp(p, "plus") == 0)
		return !comparative(h, i);
	if (strcmp(p, "pas") == 0 && joined(h, i + 1) && strcmp(h->w[i + 1].plain, "mal") == 0)
		return false; /* "pas mal": rather well */
	return in_list(p, fr);
}

/* Verbs that say a thing works: negated, they negate their subject ("the
 * wifi doesn't work", "internet ne marche plus"). */
static const char *const working[] = {"fonctionne", "fonctionnent", "fonctionner", "marche", "marchent", "marcher",
				      "work", "works", "working", NULL};

/* Words that say a thing does not work, whatever comes around them ("wifi
 * HS", "box en panne", "internet coupé", "pb de wifi", "internet down"):
 * they negate their subject before them and what follows in their clause. */
static const char *const broken_fr[] = {"hs", "panne", "pannes", "coupe", "coupee", "coupes", "coupees", "coupé",
					"coupée", "coupés", "coupées", "coupure", "plante", "plantee", "planté", "plantée",
					"bug", "bugue", "beug", "probleme", "problème", "problemes", "problèmes", "pb", "pbs",
					"pbm", "prb", "prob",
					"mort", "morte", "cassé", "cassée", "casse", "cassee", NULL};
static const char *const broken_en[] = {"down", "broken", "dead", "outage", "problem", "problems", "issue", "issues",
					"failing", "failed", "crashed", "crashing", NULL};

static bool is_broken_word(const struct heard *h, size_t i)
{
	return in_list(h->w[i].plain, h->lang == KB_LANG_EN ? broken_en : broken_fr);
}

static void mark(struct heard *h, size_t j, size_t marker, size_t end)
{
	if (h->w[j].negated_by < 0) {
		h->w[j].negated_by = (int)marker;
		h->w[j].negation_end = (int)end;
	}
}

/* Marks, with marker i, the subject before word from (back to the clause's
 * start or an "and"). */
static void mark_subject(struct heard *h, size_t from, size_t i, size_t end)
{
	static const char *const and[] = {"et", "and", NULL};
	for (size_t j = from, back = 0; !h->w[j].breaks && j > 0 && back < NEGATION_REACH + 1; back++) {
		j--;
		if (in_list(h->w[j].plain, and))
			break;
		mark(h, j, i, end);
	}
}

/* Marks the words each negation reaches: the next words of its clause,
 * and the subject before it when the words after say "works", or when the
 * verb comes just before it, as spoken French drops the "ne" ("le wifi
 * marche pas"). A word that says broken ("HS", "down") negates its subject
 * and what follows it, unless a negation reaches it itself ("pas de
 * problème"). Whether there is any. */
static bool negate(struct heard *h)
{
	/* "no internet since 2 days": the time is not negated */
	static const char *const since[] = {"depuis", "pendant", "since", "for", "during", NULL};
	bool any = false;
	for (size_t i = 0; i < h->n; i++) {
		bool broken = is_broken_word(h, i) && h->w[i].negated_by < 0;
		if (!broken && !is_negator(h, i))
			continue;
		any = true;
		size_t verb = 0;
		/* what a breakdown names after it: what opens a clause names its subject ("pb wifi",
		 * "panne internet"), else only through a preposition ("panne de wifi", "coupé sur les
		 * autres appareils"), never what merely follows ("un problème, le voyant est blanc") */
		static const char *const of[] = {"de", "d", "du", "des", "avec", "sur", "au", "aux", "pour", "with",
						 "of", "on", "for", "in", NULL};
		bool names_after = !broken || h->w[i].breaks || (joined(h, i + 1) && in_list(h->w[i + 1].plain, of));
		/* a breakdown's duration is no negation: "down 5 days" */
		for (size_t j = i + 1; names_after && j <= i + NEGATION_REACH && joined(h, j) &&
				       !in_list(h->w[j].plain, since) && !(broken && number_at(h, j) >= 0); j++) {
			mark(h, j, i, j);
			if (verb == 0 && in_list(h->w[j].plain, working))
				verb = j;
		}
		if (broken)
			mark_subject(h, i, i, i);
		else if (verb)
			mark_subject(h, i, i, verb);
		else if (i > 0 && !h->w[i].breaks && in_list(h->w[i - 1].plain, working)) {
			mark(h, i - 1, i, i);
			mark_subject(h, i - 1, i, i);
		}
	}
	return any;
}

/* --- matching words --- */

/* Whether heard word k says the phrase word p (stem, typo, or the tenant's synonym). */
static bool says(const struct word *k, const struct word *p, const struct kb_synonyms *own)
{
	if (k->stop || p->stop)
		return false;
	if (strcmp(k->stem, p->stem) == 0)
		return true;
	/* a typing mistake, but not another word that starts differently ("bouge" is not "rouge") */
	size_t kl = strlen(k->plain), pl = strlen(p->plain);
	if (kl >= TYPO_MIN && pl >= TYPO_MIN && k->plain[0] == p->plain[0] &&
	    kb_edit_distance(k->plain, kl, p->plain, pl, 1) <= 1)
		return true;
	return own && kb_synonyms_has(own, k->plain, p->stem);
}

/* The passage of the text from word i to word j, or the two words when it is long. */
static void because(const struct heard *h, size_t i, size_t j, char *out, size_t size)
{
	if (i > j) {
		size_t t = i;
		i = j;
		j = t;
	}
	const struct word *a = &h->w[i], *b = &h->w[j];
	if (b->end - a->start <= MAX_SPAN)
		snprintf(out, size, "%.*s", (int)(b->end - a->start), h->text + a->start);
	else
		snprintf(out, size, "%.*s … %.*s", (int)(a->end - a->start), h->text + a->start,
			 (int)(b->end - b->start), h->text + b->start);
}

/* A phrase's meaningful words (a label, a synonym, a question). */
struct phrase {
	struct word w[MAX_PHRASE];
	size_t n;
	bool negative;             /* it carries a negation itself */
	char stems[MAX_PHRASE * KB_MAX_WORD * 4];
};

static int analyse_phrase(struct kb_analyzer *a, const char *text, struct phrase *p)
{
	struct heard h;
	int rc = hear(a, text, strlen(text), 64, &h);
	if (rc < 0)
		return rc;
	p->n = 0;
	p->stems[0] = '\0';
	p->negative = negate(&h);
	size_t len = 0;
	for (size_t i = 0; i < h.n && p->n < MAX_PHRASE; i++) {
		if (h.w[i].stop)
			continue;
		p->w[p->n++] = h.w[i];
		len += (size_t)snprintf(p->stems + len, sizeof(p->stems) - len, "%s%s", len ? " " : "", h.w[i].stem);
		if (len >= sizeof(p->stems))
			len = sizeof(p->stems) - 1;
	}
	free(h.w);
	return GC_OK;
}

/* --- choices --- */

static const char *const vague[] = {"autre", "autres", "aucun", "aucune", "inconnu", "sais", "sait", "other",
				    "another", "none", "unknown", "know", "else", NULL};

enum heard_as { NOT_HEARD, SAID, NEGATED, BOTH };

/* How the phrase was said: every word of it heard plainly (SAID), its
 * words heard under a negation (NEGATED), or both ways. *ret_i and *ret_j
 * span the words that said it. */
static enum heard_as phrase_heard(const struct heard *h, const struct phrase *p, const struct kb_synonyms *own,
				  size_t *ret_i, size_t *ret_j)
{
	if (p->n == 0)
		return NOT_HEARD; /* stop words only ("on", "off"): too common to be heard */
	/* one word the tenant says means the whole phrase */
	for (size_t k = 0; own && p->n > 1 && k < h->n; k++)
		if (!h->w[k].stop && kb_synonyms_has(own, h->w[k].plain, p->stems)) {
			*ret_i = *ret_j = k;
			return h->w[k].negated_by >= 0 ? NEGATED : SAID;
		}
	bool all_plain = true, any_neg = false, all_found = true;
	size_t first = SIZE_MAX, last = 0;
	for (size_t x = 0; x < p->n; x++) {
		bool plain = false, neg = false;
		for (size_t k = 0; k < h->n; k++) {
			if (!says(&h->w[k], &p->w[x], own))
				continue;
			if (h->w[k].negated_by >= 0) {
				neg = true;
			} else {
				plain = true;
				first = k < first ? k : first;
				last = k > last ? k : last;
			}
		}
		if (plain && neg)
			return BOTH;
		all_found = all_found && (plain || neg);
		all_plain = all_plain && plain;
		any_neg = any_neg || neg;
	}
	if (!all_found)
		return NOT_HEARD;
	if (all_plain) {
		*ret_i = first;
		*ret_j = last;
		return SAID;
	}
	return any_neg ? NEGATED : NOT_HEARD;
}

static bool vague_phrase(const struct phrase *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (in_list(p->w[i].plain, vague))
			return true;
	return false;
}

/* How a choice was heard, through its label and its synonyms. */
static int choice_heard(struct kb_analyzer *a, const struct heard *h, const struct kb_synonyms *own,
			const json_t *choice, enum heard_as *ret, size_t *ret_i, size_t *ret_j)
{
	struct phrase *p = malloc(sizeof(*p));
	if (p == NULL)
		return GC_ENOMEM;
	bool said = false, negated = false;
	const char *label = json_string_value(json_object_get(choice, "label"));
	if (label == NULL)
		label = json_string_value(json_object_get(choice, "value"));
	size_t n_syn = json_array_size(json_object_get(choice, "synonyms"));
	int rc = GC_OK;
	for (size_t k = 0; k <= n_syn && rc == GC_OK; k++) {
		const char *text = k == 0 ? label : json_string_value(json_array_get(json_object_get(choice, "synonyms"), k - 1));
		if (text == NULL || (rc = analyse_phrase(a, text, p)) < 0)
			continue;
		if (p->negative || (k == 0 && vague_phrase(p)))
			continue; /* "Not lit", "Other": a label that listening cannot tell */
		size_t i = 0, j = 0;
		enum heard_as as = phrase_heard(h, p, own, &i, &j);
		if (as == BOTH)
			negated = said = true;
		else if (as == NEGATED)
			negated = true;
		else if (as == SAID && !said) {
			said = true;
			*ret_i = i;
			*ret_j = j;
		}
	}
	free(p);
	*ret = said && negated ? BOTH : said ? SAID : negated ? NEGATED : NOT_HEARD;
	return rc;
}

static const json_t *full_choice(const json_t *node, const char *value)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(node, "choices"), i, c) {
		const char *v = json_string_value(json_object_get(c, "value"));
		if (v && value && strcmp(v, value) == 0)
			return c;
	}
	return NULL;
}

static int infer_choice(struct kb_analyzer *a, const struct heard *h, const struct kb_synonyms *own,
			const json_t *node, const json_t *shown, struct kb_inference *ret)
{
	const json_t *list = shown ? shown : json_object_get(node, "choices");
	const json_t *pick = NULL;
	size_t i, at_i = 0, at_j = 0;
	const json_t *c;
	json_array_foreach(list, i, c) {
		const json_t *whole = full_choice(node, json_string_value(json_object_get(c, "value")));
		enum heard_as as;
		size_t ci = 0, cj = 0;
		int rc = choice_heard(a, h, own, whole ? whole : c, &as, &ci, &cj);
		if (rc < 0)
			return rc;
		if (as == BOTH)
			return GC_OK; /* "rouge, enfin pas rouge": ask */
		if (as != SAID)
			continue;
		if (pick)
			return GC_OK; /* two choices heard: ask */
		pick = c;
		at_i = ci;
		at_j = cj;
	}
	if (pick == NULL)
		return GC_OK;
	snprintf(ret->answer, sizeof(ret->answer), "%s", json_string_value(json_object_get(pick, "value")));
	because(h, at_i, at_j, ret->because, sizeof(ret->because));
	ret->found = true;
	return GC_OK;
}

/* --- yes/no and numbers: the question's own words --- */

static const char *const generic[] = {
	"fonctionne", "fonctionnent", "fonctionner", "fonctionnement", "marche", "marchent", "marcher", "bien",
	"correctement", "toujours", "encore", "actuellement", "normalement", "bon", "ok", "combien", "work", "works",
	"working", "worked", "properly", "correctly", "still", "okay", "fine", "currently", "normally", "well",
	"many", "much", "long", "right", "now", NULL};

/* The question's meaningful words into p; false when it cannot be listened for. */
static int question_words(struct kb_analyzer *a, const json_t *node, struct phrase *p)
{
	const char *text = json_string_value(json_object_get(node, "text"));
	if (text == NULL)
		return 0;
	int rc = analyse_phrase(a, text, p);
	if (rc < 0)
		return rc;
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		if (!in_list(p->w[i].plain, generic))
			p->w[n++] = p->w[i];
	p->n = n;
	return n > 0 && !p->negative;
}

static int infer_yesno(struct kb_analyzer *a, const struct heard *h, const struct kb_synonyms *own,
		       const json_t *node, struct kb_inference *ret)
{
	struct phrase *p = malloc(sizeof(*p));
	if (p == NULL)
		return GC_ENOMEM;
	int rc = question_words(a, node, p);
	bool any_neg = false, ok = rc > 0;
	size_t first = SIZE_MAX, last = 0;
	for (size_t x = 0; ok && x < p->n; x++) {
		bool plain = false, neg = false;
		for (size_t k = 0; k < h->n; k++) {
			if (!says(&h->w[k], &p->w[x], own))
				continue;
			size_t from = k, to = k;
			if (h->w[k].negated_by >= 0) {
				size_t m = (size_t)h->w[k].negated_by, e = (size_t)h->w[k].negation_end;
				from = m < k ? m : k;
				to = e > k ? e : k;
			}
			neg = neg || h->w[k].negated_by >= 0;
			plain = plain || h->w[k].negated_by < 0;
			first = from < first ? from : first;
			last = to > last ? to : last;
		}
		ok = (plain || neg) && !(plain && neg);
		any_neg = any_neg || neg;
	}
	free(p);
	if (rc < 0 || !ok)
		return rc < 0 ? rc : GC_OK;
	snprintf(ret->answer, sizeof(ret->answer), "%s", any_neg ? "no" : "yes");
	because(h, first, last, ret->because, sizeof(ret->because));
	ret->found = true;
	return GC_OK;
}

/* What a number question counts: the word after "combien de" or "how
 * many" ("fois", "days"); 0 when the question does not say. */
static int question_unit(struct kb_analyzer *a, const json_t *node, struct word *ret)
{
	static const char *const of[] = {"de", "d", NULL};
	static const char *const many[] = {"many", "much", NULL};
	const char *text = json_string_value(json_object_get(node, "text"));
	struct heard q;
	if (text == NULL)
		return 0;
	int rc = hear(a, text, strlen(text), 64, &q);
	if (rc < 0)
		return rc;
	int found = 0;
	for (size_t i = 0; i + 1 < q.n && !found; i++) {
		size_t j = i + 1;
		if (strcmp(q.w[i].plain, "combien") == 0 && in_list(q.w[j].plain, of))
			j++;
		else if (!(strcmp(q.w[i].plain, "how") == 0 && in_list(q.w[j].plain, many)))
			continue;
		else
			j++;
		if (j < q.n && !q.w[j].stop) {
			*ret = q.w[j];
			found = 1;
		}
	}
	free(q.w);
	return found;
}

static const char *const range_words[] = {"ou", "or", "a", "to", NULL};

static int infer_number(struct kb_analyzer *a, const struct heard *h, const struct kb_synonyms *own,
			const json_t *node, struct kb_inference *ret)
{
	struct word *unit = malloc(sizeof(*unit));
	if (unit == NULL)
		return GC_ENOMEM;
	int rc = question_unit(a, node, unit);
	long value = -1;
	bool ambiguous = false;
	size_t at = 0;
	for (size_t k = 0; rc > 0 && k + 1 < h->n && !ambiguous; k++) {
		long v = number_at(h, k);
		if (v < 0 || h->w[k].negated_by >= 0 || !joined(h, k + 1) || !says(&h->w[k + 1], unit, own))
			continue;
		if (k >= 2 && in_list(h->w[k - 1].plain, range_words) && number_at(h, k - 2) >= 0)
			ambiguous = true; /* "3 ou 4 fois", "2 or 3 days": a range, not a number */
		if (value >= 0 && v != value)
			ambiguous = true;
		if (value < 0)
			at = k;
		value = v;
	}
	free(unit);
	if (rc < 0 || value < 0 || ambiguous)
		return rc < 0 ? rc : GC_OK;
	snprintf(ret->answer, sizeof(ret->answer), "%ld", value);
	because(h, at, at + 1, ret->because, sizeof(ret->because));
	ret->found = true;
	return GC_OK;
}

int kb_infer(struct kb_analyzer *a, const struct kb_synonyms *own, const json_t *node, const json_t *shown,
	     const char *text, size_t len, struct kb_inference *ret)
{
	*ret = (struct kb_inference){0};
	const char *type = json_string_value(json_object_get(node, "type"));
	if (type == NULL || text == NULL)
		return GC_OK;
	struct heard h;
	int rc = hear(a, text, len, KB_INFER_MAX_WORDS, &h);
	if (rc < 0)
		return rc;
	negate(&h);
	if (strcmp(type, "choice") == 0)
		rc = infer_choice(a, &h, own, node, shown, ret);
	else if (strcmp(type, "yesno") == 0)
		rc = infer_yesno(a, &h, own, node, ret);
	else if (strcmp(type, "number") == 0)
		rc = infer_number(a, &h, own, node, ret);
	free(h.w);
	if (rc < 0)
		*ret = (struct kb_inference){0};
	return rc;
}
