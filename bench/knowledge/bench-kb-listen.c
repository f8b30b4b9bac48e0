/* Diagnosis that listens, on a labelled set (data/bench/diagnosis-listen.jsonl):
 * customers' sentences in French and English, each with a tree's question
 * and the answer a careful agent would take from it (or none). Reported: the
 * share of the sentences that carry an answer which guichet infers right
 * (answered), the share of all sentences where it infers a wrong answer or
 * one that is not there (wrong: the figure to keep near zero), per language
 * and together, and the time of one inference. The reference in the same
 * run is asking every question (0 answered, 0 wrong). Prints figures, then
 * one JSON line.
 *
 *     bench-kb-listen FILE */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guichet/kb_infer.h"

#define MAX_QUESTIONS 64
#define ROUNDS 200

struct question {
	char name[64];
	enum kb_lang lang;
	json_t *node;
};

struct tally {
	int cases, with_answer, answered, wrong;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct question *find(const struct question *q, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(q[i].name, name) == 0)
			return &q[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-kb-listen FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	struct kb_analyzer *an[KB_LANG_N] = {kb_analyzer_new(KB_LANG_FR), kb_analyzer_new(KB_LANG_EN)};
	struct question qs[MAX_QUESTIONS];
	size_t n_q = 0;
	json_t *cases = json_array();
	char line[8192];
	while (fgets(line, sizeof(line), f)) {
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);
		if (o == NULL) {
			fprintf(stderr, "%s: %s\n", argv[1], e.text);
			return 1;
		}
		if (json_object_get(o, "node") && n_q < MAX_QUESTIONS) {
			struct question *q = &qs[n_q++];
			snprintf(q->name, sizeof(q->name), "%s", json_string_value(json_object_get(o, "question")));
			if (kb_lang_parse(json_string_value(json_object_get(o, "lang")), &q->lang) < 0)
				return fprintf(stderr, "%s: bad lang for %s\n", argv[1], q->name), 1;
			q->node = json_incref(json_object_get(o, "node"));
			json_decref(o);
		} else {
			json_array_append_new(cases, o);
		}
	}
	fclose(f);

	struct tally by[KB_LANG_N] = {0}, all = {0};
	size_t i;
	json_t *c;
	double started = now_s();
	long inferences = 0;
	for (int round = 0; round < ROUNDS; round++) {
		json_array_foreach(cases, i, c) {
			const struct question *q = find(qs, n_q, json_string_value(json_object_get(c, "question")));
			if (q == NULL)
				return fprintf(stderr, "unknown question in case %zu\n", i + 1), 1;
			const char *text = json_string_value(json_object_get(c, "text"));
			const char *expect = json_string_value(json_object_get(c, "expect"));
			struct kb_inference got;
			if (kb_infer(an[q->lang], NULL, q->node, NULL, text, strlen(text), &got) < 0)
				return fprintf(stderr, "kb_infer failed on case %zu\n", i + 1), 1;
			inferences++;
			if (round > 0)
				continue;
			bool right = expect && got.found && strcmp(got.answer, expect) == 0;
			bool wrong = got.found && !right;
			for (struct tally *t = &by[q->lang]; t; t = t == &all ? NULL : &all) {
				t->cases++;
				t->with_answer += expect != NULL;
				t->answered += right;
				t->wrong += wrong;
			}
			if (wrong || (expect && !right))
				printf("  %-5s %-12s %-60s expected %-6s got %s\n", wrong ? "WRONG" : "miss", q->name, text,
				       expect ? expect : "-", got.found ? got.answer : "-");
		}
	}
	double per_us = (now_s() - started) / (double)inferences * 1e6;
	for (int l = 0; l < KB_LANG_N; l++)
		printf("listen %s: %d sentences, %d carry an answer: %d answered right (%.1f%%), %d wrong (%.1f%% of all)\n",
		       kb_lang_code((enum kb_lang)l), by[l].cases, by[l].with_answer, by[l].answered,
		       100.0 * by[l].answered / (by[l].with_answer ? by[l].with_answer : 1), by[l].wrong,
		       100.0 * by[l].wrong / (by[l].cases ? by[l].cases : 1));
	double answered = (double)all.answered / (all.with_answer ? all.with_answer : 1);
	double wrong = (double)all.wrong / (all.cases ? all.cases : 1);
	printf("listen: %.1f%% answered from the customer's words, %.1f%% wrongly; asking every question (the "
	       "reference): 0%% and 0%%; %.1f us per inference\n", 100 * answered, 100 * wrong, per_us);
	printf("{\"listen_cases\": %d, \"listen_answered_share\": %.3f, \"listen_wrong_share\": %.3f, "
	       "\"listen_us_per_inference\": %.1f}\n", all.cases, answered, wrong, per_us);
	for (size_t k = 0; k < n_q; k++)
		json_decref(qs[k].node);
	json_decref(cases);
	kb_analyzer_free(an[0]);
	kb_analyzer_free(an[1]);
	return 0;
}
