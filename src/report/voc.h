/* The voice of the customer: what customers talk about, week by week.
 *
 * A contact's words (its subject and first customer message) become
 * topics: each stem the knowledge engine's analysis gives (guichet/kb_text.h:
 * case, accents and stop words of the language folded away, the Snowball
 * stemmer), and each pair of neighbouring stems (a bigram: "carte sim";
 * a stop word, a number, punctuation or a line break between two words
 * makes none).
 * A contact counts once per topic, whatever it repeats. The language of a
 * text is the one whose stop words it uses most; on a tie (a short subject:
 * "Paper jam"), French when it has a French accented letter, else English.
 *
 * A week's counts, beside the mean of the weeks before, give the week's
 * top topics, the rising ones (at least rise_min contacts and rise_ratio
 * times the previous mean, so that noise does not rise) and the uncovered
 * ones: frequent words that no published article matches (the caller says
 * which, from its index). Pure: no I/O; the week's counts are kept by the
 * daemon as contacts arrive (store/voc.c), never recounted here. */
#ifndef GUICHET_REPORT_VOC_H
#define GUICHET_REPORT_VOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guichet/kb_text.h"

#define VOC_MAX_TOPIC 160          /* bytes of a topic's key or label, NUL included */
#define VOC_MAX_TOPICS 256         /* distinct topics kept from one contact */
#define VOC_MAX_TEXT 8192          /* bytes of a contact's text analysed */

/* One topic of a text: key is the stem or "stem stem", label the folded
 * word or words (for people to read). */
typedef int (*voc_topic_fn)(const char *key, const char *label, void *arg);

/* The language of text: the one of fr and en whose stop words it uses most. */
enum kb_lang voc_guess_lang(struct kb_analyzer *fr, struct kb_analyzer *en, const char *text, size_t len);

/* Calls fn once for each distinct topic of text (len bytes of UTF-8, cut at
 * VOC_MAX_TEXT on a character boundary), analysed in its language (fr or
 * en: one analyser each); *ret_lang says which. GC_EINVAL for invalid
 * UTF-8, else GC_OK or fn's negative value. */
int voc_topics(struct kb_analyzer *fr, struct kb_analyzer *en, const char *text, size_t len, voc_topic_fn fn,
	       void *arg, enum kb_lang *ret_lang);

/* The customer's own words in a contact's subject (channel as stored:
 * "chat", "email", "phone"...): guichet writes the subject of a chat ("Chat",
 * "Chat with NAME", then ": TOPIC" when the visitor chose one), of a
 * message left on a closed chat ("Message left on the chat by NAME") and of
 * a callback ("Callback"); of these only the chat's topic is the
 * customer's. The rest of subject otherwise, or "" (never NULL). */
const char *voc_customer_subject(const char *channel, const char *subject);

/* "YYYY-Www", the ISO 8601 week of a calendar date, into ret (9 bytes). */
int voc_iso_week(const char *date, char *ret);
/* The Monday ("YYYY-MM-DD", 11 bytes) of an ISO week "YYYY-Www"; GC_EINVAL
 * for a malformed week or one the year does not have (W53). */
int voc_week_monday(const char *week, char *ret);
/* The week n weeks after (negative: before) week, into ret (9 bytes). */
int voc_week_add(const char *week, int n, char *ret);

/* One topic's count in a week, and in each of the previous weeks. */
struct voc_count {
	const char *key, *label;
	int64_t n;                 /* contacts of the week that spoke of it */
	double previous_mean;      /* mean per week over the previous weeks (0 when none) */
};

struct voc_params {
	size_t top;                /* topics listed, most frequent first */
	int64_t rise_min;          /* a rising topic has at least this many contacts */
	double rise_ratio;         /* and at least this many times its previous mean */
	int64_t uncovered_min;     /* an uncovered word has at least this many contacts */
	size_t max_uncovered;
};

/* Sensible defaults: top 10, rising from 5 contacts and twice the mean,
 * uncovered from 3 contacts, 10 listed. */
void voc_params_default(struct voc_params *ret);

/* Whether a word (a one-word topic's label) is covered by published content. */
typedef bool (*voc_covered_fn)(const char *key, const char *label, void *arg);

/* Whether count rises against its previous mean under p. */
bool voc_rises(const struct voc_params *p, int64_t n, double previous_mean);

/* The week's figures from its counts (any order; borrowed):
 * {"topics":[{"topic","key","count","previous_mean"}] most frequent first,
 *  "rising":[same, with "ratio" (null when new)] steepest first,
 *  "uncovered":[same] for one-word topics covered() says no to}.
 * covered may be NULL (nothing listed as uncovered). NULL without memory. */
json_t *voc_week_figures(const struct voc_count *counts, size_t n, const struct voc_params *p,
			 voc_covered_fn covered, void *arg);

#endif
