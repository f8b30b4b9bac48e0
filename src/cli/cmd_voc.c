/* guichet report voice: the voice of the customer of a week (top, rising
 * and uncovered topics, per tag, the knowledge that failed) as a table,
 * CSV or JSON, and its weekly digest's schedule, through the HTTP API. */
#include "cli/cli.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void csv_cell(const char *s, bool last)
{
	csv_fwrite(stdout, s ? s : "", s ? strlen(s) : 0);
	fputc(last ? '\n' : ',', stdout);
}

/* One CSV line per topic: section, tag, topic, count, previous mean. */
static void csv_topics(const char *section, const char *tag, const json_t *list)
{
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t) {
		char n[24], mean[32];
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(json_object_get(t, "count")));
		snprintf(mean, sizeof(mean), "%.2f", json_real_value(json_object_get(t, "previous_mean")));
		csv_cell(section, false);
		csv_cell(tag, false);
		csv_cell(json_string_value(json_object_get(t, "topic")), false);
		csv_cell(n, false);
		csv_cell(mean, true);
	}
}

static void print_csv(const json_t *answer)
{
	printf("section,tag,topic,count,previous_mean\n");
	csv_topics("top", "", json_object_get(answer, "topics"));
	csv_topics("rising", "", json_object_get(answer, "rising"));
	csv_topics("uncovered", "", json_object_get(answer, "uncovered"));
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(answer, "by_tag"), i, t) {
		csv_topics("top", json_string_value(json_object_get(t, "tag")), json_object_get(t, "topics"));
		csv_topics("rising", json_string_value(json_object_get(t, "tag")), json_object_get(t, "rising"));
	}
	json_array_foreach(json_object_get(answer, "failing_knowledge"), i, t) {
		char n[24], total[24];
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(json_object_get(t, "failed")));
		snprintf(total, sizeof(total), "%lld", (long long)json_integer_value(json_object_get(t, "total")));
		csv_cell("failing_knowledge", false);
		csv_cell(json_string_value(json_object_get(t, "tag")), false);
		csv_cell(json_string_value(json_object_get(t, "title")), false);
		csv_cell(n, false);
		csv_cell(total, true);
	}
}

static void print_table(const char *title, const json_t *list)
{
	printf("\n%s\n", title);
	size_t i;
	json_t *t;
	if (json_array_size(list) == 0)
		printf("  (none)\n");
	json_array_foreach(list, i, t)
		printf("  %-40s %6lld  (previous weeks: %.1f)\n", json_string_value(json_object_get(t, "topic")),
		       (long long)json_integer_value(json_object_get(t, "count")),
		       json_real_value(json_object_get(t, "previous_mean")));
}

static int digest(const struct cli *cli, const struct args *a)
{
	const char *path = "/api/v1/reports/voice/digest";
	if (args_get(a, "off"))
		return cli_simple(cli, "DELETE", path, NULL);
	if (args_get(a, "time") == NULL && args_nth(a, "to", 0) == NULL && args_get(a, "mailbox") == NULL)
		return cli_simple(cli, "GET", path, NULL);
	const char *time = args_need(a, "time", "report voice digest"), *mailbox = args_need(a, "mailbox", "report voice digest");
	if (time == NULL || mailbox == NULL)
		return 2;
	char *end = NULL;
	long long id = strtoll(mailbox, &end, 10);
	if (*mailbox == '\0' || *end != '\0' || id < 1) {
		fprintf(stderr, "guichet report voice digest: --mailbox is a mailbox ID, not '%s'\n", mailbox);
		return 2;
	}
	json_t *to = json_array();
	for (size_t i = 0; args_nth(a, "to", i); i++)
		json_array_append_new(to, json_string(args_nth(a, "to", i)));
	if (json_array_size(to) == 0) {
		json_decref(to);
		fprintf(stderr, "guichet report voice digest: --to ADDRESS is needed (repeat it for more)\n");
		return 2;
	}
	json_t *body = json_pack("{s:s,s:o,s:I,s:b}", "time", time, "to", to, "mailbox_id", (json_int_t)id, "barometer",
				 args_get(a, "barometer") != NULL);
	if (args_get(a, "lang"))
		json_object_set_new(body, "lang", json_string(args_get(a, "lang")));
	int rc = cli_simple(cli, "PUT", path, body);
	json_decref(body);
	return rc;
}

int cmd_report_voice(const struct cli *cli, const struct args *a)
{
	if (a->n_pos > 2 && strcmp(a->pos[2], "digest") == 0)
		return digest(cli, a);
	if (a->n_pos > 2) {
		fprintf(stderr, "guichet report voice: unknown argument '%s' (digest)\n", a->pos[2]);
		return 2;
	}
	const char *format = args_get(a, "format");
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "guichet report voice: --format is csv or json, not '%s'\n", format);
		return 2;
	}
	char path[128] = "/api/v1/reports/voice";
	cli_query_add(path, sizeof(path), "week", args_get(a, "week"));
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	if (status != 200 || cli->json || (format && strcmp(format, "json") == 0)) {
		int rc = status == 200 && !cli->json ? (json_dumpf(answer, stdout, JSON_INDENT(2)), putchar('\n'), 0)
						     : output_answer(cli, status, answer);
		json_decref(answer);
		return rc;
	}
	if (format) {
		print_csv(answer);
		json_decref(answer);
		return 0;
	}
	printf("week %s (%s): %lld contacts\n", json_string_value(json_object_get(answer, "week")),
	       json_string_value(json_object_get(answer, "time_zone")),
	       (long long)json_integer_value(json_object_get(answer, "contacts")));
	print_table("top topics", json_object_get(answer, "topics"));
	print_table("rising topics", json_object_get(answer, "rising"));
	print_table("words no article covers", json_object_get(answer, "uncovered"));
	size_t i;
	json_t *k;
	if (json_object_get(answer, "failing_knowledge"))
		printf("\nknowledge that did not resolve\n");
	json_array_foreach(json_object_get(answer, "failing_knowledge"), i, k)
		printf("  %-40s %-16s %lld of %lld failed\n", json_string_value(json_object_get(k, "title")),
		       json_string_value(json_object_get(k, "tag")),
		       (long long)json_integer_value(json_object_get(k, "failed")),
		       (long long)json_integer_value(json_object_get(k, "total")));
	json_decref(answer);
	return 0;
}
