/* The voice of the customer's pure parts (voc.h): a contact's topics, ISO
 * weeks, and a week's top, rising and uncovered topics. */
#include "report/voc.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- a text's language and topics --- */

struct stop_count {
	int n;
};

static int count_stop(const struct kb_term *t, void *arg)
{
	struct stop_count *c = arg;
	if (t->stop)
		c->n++;
	return 0;
}

/* Whether text has a letter of French's accents (é è ê à â ç ù û î ô ë ï), in UTF-8: C3 then one of these. */
static bool has_french_letter(const char *text, size_t len)
{
	static const char second[] = "\xa9\xa8\xaa\xa0\xa2\xa7\xb9\xbb\xae\xb4\xab\xaf\x89\x88\x80\x87";
	for (size_t i = 0; i + 1 < len; i++)
		if ((unsigned char)text[i] == 0xC3 && text[i + 1] != '\0' && strchr(second, text[i + 1]))
			return true;
	return false;
}

enum kb_lang voc_guess_lang(struct kb_analyzer *fr, struct kb_analyzer *en, const char *text, size_t len)
{
	struct stop_count f = {0}, e = {0};
	kb_analyze(fr, text, len, count_stop, &f);
	kb_analyze(en, text, len, count_stop, &e);
	if (e.n != f.n)
		return e.n > f.n ? KB_LANG_EN : KB_LANG_FR;
	return has_french_letter(text, len) ? KB_LANG_FR : KB_LANG_EN;
}

/* The distinct topics of one text, in the order met. */
struct topics {
	char keys[VOC_MAX_TOPICS][VOC_MAX_TOPIC];
	char labels[VOC_MAX_TOPICS][VOC_MAX_TOPIC];
	size_t n;
	char prev_key[KB_MAX_WORD + 1], prev_word[KB_MAX_WORD + 1];
	bool has_prev;
	const char *text;
	size_t prev_end;
	enum kb_lang lang;
};

/* Whether punctuation or a line break stands between the previous word and this one. */
static bool broken(const struct topics *ts, const struct kb_term *t)
{
	for (size_t i = ts->prev_end; i < t->start; i++)
		if (strchr(".,;:!?()[]\"\n", ts->text[i]))
			return true;
	return false;
}

/* A word worth a topic: three bytes at least, not a number, not a courtesy
 * ("Bonjour", "Merci", "Cordialement", "Thanks": the words the knowledge's
 * queries drop, kb_shorthand_words, which open and close most emails and
 * would be every week's top topics). */
static bool worth(const struct topics *ts, const struct kb_term *t)
{
	if (t->stop || t->term_len < 3)
		return false;
	const char *said = kb_shorthand_words(ts->lang, t->word, t->word_len);
	if (said && *said == '\0')
		return false;
	for (size_t i = 0; i < t->term_len; i++)
		if (t->term[i] < '0' || t->term[i] > '9')
			return true;
	return false;
}

static void add_topic(struct topics *ts, const char *key, const char *label)
{
	for (size_t i = 0; i < ts->n; i++)
		if (strcmp(ts->keys[i], key) == 0)
			return;
	if (ts->n == VOC_MAX_TOPICS)
		return;
	snprintf(ts->keys[ts->n], VOC_MAX_TOPIC, "%s", key);
	snprintf(ts->labels[ts->n], VOC_MAX_TOPIC, "%s", label);
	ts->n++;
}

static int collect_topic(const struct kb_term *t, void *arg)
{
	struct topics *ts = arg;
	if (!worth(ts, t)) { /* a stop word, a number or a short word breaks a bigram */
		ts->has_prev = false;
		return 0;
	}
	char key[KB_MAX_WORD + 1], word[KB_MAX_WORD + 1];
	snprintf(key, sizeof(key), "%.*s", (int)t->term_len, t->term);
	snprintf(word, sizeof(word), "%.*s", (int)t->word_len, t->word);
	add_topic(ts, key, word);
	if (ts->has_prev && !broken(ts, t) && strcmp(ts->prev_key, key) != 0) {
		char bkey[VOC_MAX_TOPIC], blabel[VOC_MAX_TOPIC];
		snprintf(bkey, sizeof(bkey), "%s %s", ts->prev_key, key);
		snprintf(blabel, sizeof(blabel), "%s %s", ts->prev_word, word);
		add_topic(ts, bkey, blabel);
	}
	memcpy(ts->prev_key, key, sizeof(key));
	memcpy(ts->prev_word, word, sizeof(word));
	ts->has_prev = true;
	ts->prev_end = t->end;
	return 0;
}

const char *voc_customer_subject(const char *channel, const char *subject)
{
	if (subject == NULL || channel == NULL)
		return subject ? subject : "";
	if (strcmp(channel, "chat") == 0 && strncmp(subject, "Chat", 4) == 0 &&
	    (subject[4] == '\0' || strncmp(subject + 4, " with ", 6) == 0 || strncmp(subject + 4, ": ", 2) == 0)) {
		const char *topic = strstr(subject, ": "); /* handlers_chat.c: "Chat[ with NAME][: TOPIC]" */
		return topic ? topic + 2 : "";
	}
	if (strcmp(channel, "email") == 0 && strncmp(subject, "Message left on the chat", 24) == 0 &&
	    (subject[24] == '\0' || strncmp(subject + 24, " by ", 4) == 0))
		return "";
	if (strcmp(channel, "phone") == 0 && strcmp(subject, "Callback") == 0)
		return "";
	return subject;
}

/* len cut to at most VOC_MAX_TEXT, on the start of a UTF-8 character. */
static size_t cut(const char *text, size_t len)
{
	if (len <= VOC_MAX_TEXT)
		return len;
	len = VOC_MAX_TEXT;
	while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
		len--;
	return len;
}

int voc_topics(struct kb_analyzer *fr, struct kb_analyzer *en, const char *text, size_t len, voc_topic_fn fn,
	       void *arg, enum kb_lang *ret_lang)
{
	len = cut(text, len);
	struct topics *ts = calloc(1, sizeof(*ts));
	if (ts == NULL)
		return GC_ENOMEM;
	ts->text = text;
	enum kb_lang lang = voc_guess_lang(fr, en, text, len);
	ts->lang = lang;
	int rc = kb_analyze(lang == KB_LANG_EN ? en : fr, text, len, collect_topic, ts);
	for (size_t i = 0; rc == GC_OK && i < ts->n; i++)
		if ((rc = fn(ts->keys[i], ts->labels[i], arg)) > 0)
			rc = GC_OK;
	free(ts);
	if (rc == GC_OK && ret_lang)
		*ret_lang = lang;
	return rc;
}

/* --- ISO weeks --- */


/* 0 for Monday .. 6 for Sunday (1970-01-01 was a Thursday). */
static int weekday(int64_t days)
{
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

/* The Monday of ISO week 1 of year y, in days. */
static int64_t week1_monday(int y)
{
	int64_t jan4 = gc_days_from_civil(y, 1, 4);
	return jan4 - weekday(jan4);
}

static int parse_date(const char *date, int *y, int *m, int *d)
{
	char extra;
	if (date == NULL || strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%c", y, m, d, &extra) != 3 ||
	    date[4] != '-' || date[7] != '-' || *m < 1 || *m > 12 || *d < 1 || *d > 31)
		return GC_EINVAL;
	int ry, rm, rd;
	gc_civil_from_days(gc_days_from_civil(*y, *m, *d), &ry, &rm, &rd);
	return ry == *y && rm == *m && rd == *d ? GC_OK : GC_EINVAL;
}

static void format_week(int64_t monday, char *ret)
{
	int y, m, d;
	gc_civil_from_days(monday + 3, &y, &m, &d); /* the Thursday's year is the week's */
	int64_t w = (monday - week1_monday(y)) / 7 + 1;
	char text[48];
	snprintf(text, sizeof(text), "%04d-W%02d", y % 10000, (int)(w % 100));
	memcpy(ret, text, 9);
}

int voc_iso_week(const char *date, char *ret)
{
	int y, m, d;
	if (parse_date(date, &y, &m, &d) < 0)
		return GC_EINVAL;
	int64_t days = gc_days_from_civil(y, m, d);
	format_week(days - weekday(days), ret);
	return GC_OK;
}

static int parse_week(const char *week, int64_t *ret_monday)
{
	int y, w;
	char extra;
	if (week == NULL || strlen(week) != 8 || week[4] != '-' || week[5] != 'W' ||
	    sscanf(week, "%4d-W%2d%c", &y, &w, &extra) != 2 || y < 1 || w < 1 || w > 53)
		return GC_EINVAL;
	int64_t monday = week1_monday(y) + (int64_t)(w - 1) * 7;
	if (w == 53 && week1_monday(y + 1) <= monday)
		return GC_EINVAL;
	*ret_monday = monday;
	return GC_OK;
}

int voc_week_monday(const char *week, char *ret)
{
	int64_t monday;
	if (parse_week(week, &monday) < 0)
		return GC_EINVAL;
	int y, m, d;
	gc_civil_from_days(monday, &y, &m, &d);
	char text[48];
	snprintf(text, sizeof(text), "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	memcpy(ret, text, 11);
	return GC_OK;
}

int voc_week_add(const char *week, int n, char *ret)
{
	int64_t monday;
	if (parse_week(week, &monday) < 0)
		return GC_EINVAL;
	format_week(monday + (int64_t)n * 7, ret);
	return GC_OK;
}

/* --- a week's figures --- */

void voc_params_default(struct voc_params *ret)
{
	*ret = (struct voc_params){.top = 10, .rise_min = 5, .rise_ratio = 2.0, .uncovered_min = 3,
				   .max_uncovered = 10};
}

bool voc_rises(const struct voc_params *p, int64_t n, double previous_mean)
{
	return n >= p->rise_min && (double)n >= p->rise_ratio * previous_mean && (double)n > previous_mean;
}

static int by_count(const void *a, const void *b)
{
	const struct voc_count *x = *(const struct voc_count *const *)a, *y = *(const struct voc_count *const *)b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Steepest first: the ratio to the previous mean (new topics, with none,
 * first), then the count. */
static int by_rise(const void *a, const void *b)
{
	const struct voc_count *x = *(const struct voc_count *const *)a, *y = *(const struct voc_count *const *)b;
	double rx = x->previous_mean > 0 ? (double)x->n / x->previous_mean : 1e300;
	double ry = y->previous_mean > 0 ? (double)y->n / y->previous_mean : 1e300;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return by_count(a, b);
}

static json_t *topic_json(const struct voc_count *c, bool with_ratio)
{
	json_t *o = json_pack("{s:s,s:s,s:I,s:f}", "topic", c->label, "key", c->key, "count", (json_int_t)c->n,
			      "previous_mean", c->previous_mean);
	if (o && with_ratio)
		json_object_set_new(o, "ratio", c->previous_mean > 0 ? json_real((double)c->n / c->previous_mean)
								     : json_null());
	return o;
}

json_t *voc_week_figures(const struct voc_count *counts, size_t n, const struct voc_params *p,
			 voc_covered_fn covered, void *arg)
{
	const struct voc_count **order = calloc(n ? n : 1, sizeof(*order));
	json_t *topics = json_array(), *rising = json_array(), *uncovered = json_array();
	json_t *out = order && topics && rising && uncovered
			      ? json_pack("{s:o,s:o,s:o}", "topics", topics, "rising", rising, "uncovered", uncovered)
			      : NULL;
	if (out == NULL) {
		free(order);
		json_decref(topics);
		json_decref(rising);
		json_decref(uncovered);
		return NULL;
	}
	size_t n_rise = 0;
	for (size_t i = 0; i < n; i++)
		if (counts[i].n > 0)
			order[n_rise++] = &counts[i];
	size_t n_live = n_rise;
	qsort(order, n_live, sizeof(*order), by_count);
	for (size_t i = 0; i < n_live && i < p->top; i++)
		json_array_append_new(topics, topic_json(order[i], false));
	for (size_t i = 0; i < n_live && json_array_size(uncovered) < p->max_uncovered; i++)
		if (covered && order[i]->n >= p->uncovered_min && strchr(order[i]->key, ' ') == NULL &&
		    !covered(order[i]->key, order[i]->label, arg))
			json_array_append_new(uncovered, topic_json(order[i], false));
	n_rise = 0;
	for (size_t i = 0; i < n_live; i++)
		if (voc_rises(p, order[i]->n, order[i]->previous_mean))
			order[n_rise++] = order[i];
	qsort(order, n_rise, sizeof(*order), by_rise);
	for (size_t i = 0; i < n_rise && i < p->top; i++)
		json_array_append_new(rising, topic_json(order[i], true));
	free(order);
	return out;
}
