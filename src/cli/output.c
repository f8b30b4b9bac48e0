/* Printing answers: JSON with --json, else key/value lines and tables. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void output_cell(const char *text, int width, bool left)
{
	size_t len = 0;
	int chars = 0;
	for (; text[len] && chars <= width; len++) /* up to the first byte of the character after the column */
		if (((unsigned char)text[len] & 0xC0) != 0x80 && ++chars > width)
			break;
	int pad = width - (chars > width ? width : chars);
	printf("%*s%.*s%*s", left ? 0 : pad, "", (int)len, text, left ? pad : 0, "");
}

/* A real as a person reads it: at most four decimals, no trailing zeros
 * (0.833333333333333 is 0.8333, 0.8 is 0.8). --json keeps every digit. */
static void print_real(FILE *out, double x)
{
	char text[64];
	snprintf(text, sizeof(text), "%.4f", x);
	char *end = text + strlen(text);
	while (end > text && end[-1] == '0')
		*--end = '\0';
	if (end > text && end[-1] == '.')
		*--end = '\0';
	fputs(strcmp(text, "-0") == 0 ? "0" : text, out);
}

static void print_value(FILE *out, const json_t *v)
{
	if (json_is_string(v)) {
		fputs(json_string_value(v), out);
	} else if (json_is_null(v) || v == NULL) {
		fputs("-", out);
	} else if (json_is_real(v)) {
		print_real(out, json_real_value(v));
	} else {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
		fputs(text ? text : "?", out);
		free(text);
	}
}

static int print_error(const struct cli *cli, int status, json_t *answer)
{
	if (status == 0)
		return 1;
	json_t *err = json_object_get(answer, "error");
	if (cli->json && answer) {
		json_dumpf(answer, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
	}
	const char *message = json_string_value(json_object_get(err, "message"));
	const char *field = json_string_value(json_object_get(err, "field"));
	/* the API's field as the command's option when it has one: queue_id is --queue-id */
	char option[64] = "";
	if (field && cli->group && strlen(field) + 1 < sizeof(option)) {
		snprintf(option, sizeof(option), "%s", field);
		for (char *c = option; *c; c++)
			*c = *c == '_' ? '-' : *c;
		if (help_option_form(cli->group, cli->sub, option) <= 0)
			option[0] = '\0';
	}
	if (option[0])
		fprintf(stderr, "guichet %s%s%s: %s (HTTP %d), option --%s\n", cli->group, cli->sub ? " " : "",
			cli->sub ? cli->sub : "", message ? message : "request failed", status, option);
	else
		fprintf(stderr, "guichet: %s (HTTP %d)%s%s\n", message ? message : "request failed", status,
			field ? ", field: " : "", field ? field : "");
	/* a call the token did not open (not a login refused): say how to get one */
	if (status == 401 && message && (strstr(message, "Authorization") || strstr(message, "token is unknown"))) {
		char *token = client_token(cli);
		fprintf(stderr, token ? "guichet: the token saved in %s is no longer valid: log in again "
					"(guichet login --email EMAIL)\n"
				      : "guichet: not logged in (no token in %s): guichet login --email EMAIL\n",
			cli->token_file);
		free(token);
	}
	json_t *report = json_object_get(answer, "report");
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(report, "rejected"), i, row)
		fprintf(stderr, "  line %lld: %s\n", (long long)json_integer_value(json_object_get(row, "line")),
			json_string_value(json_object_get(row, "reason")));
	/* knowledge imports: each error with its line, node and field */
	json_array_foreach(json_object_get(err, "errors"), i, row) {
		const char *node = json_string_value(json_object_get(row, "node"));
		const char *f = json_string_value(json_object_get(row, "field"));
		json_int_t line = json_integer_value(json_object_get(row, "line"));
		fputs(" ", stderr);
		if (line)
			fprintf(stderr, " line %lld:", (long long)line);
		if (node)
			fprintf(stderr, " node '%s':", node);
		if (f)
			fprintf(stderr, " field '%s':", f);
		fprintf(stderr, " %s\n", json_string_value(json_object_get(row, "message")));
	}
	return 1;
}

int output_answer(const struct cli *cli, int status, json_t *answer)
{
	if (status < 200 || status >= 300)
		return print_error(cli, status, answer);
	if (cli->json) {
		if (answer) {
			json_dumpf(answer, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
			fputc('\n', stdout);
		}
		return 0;
	}
	if (answer == NULL) {
		puts("ok");
		return 0;
	}
	const char *key;
	json_t *v;
	json_object_foreach(answer, key, v) {
		if (json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0))) {
			printf("%s:\n", key);
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item) {
				fputs("  -", stdout);
				const char *k;
				json_t *x;
				json_object_foreach(item, k, x) {
					printf(" %s=", k);
					print_value(stdout, x);
				}
				fputc('\n', stdout);
			}
			continue;
		}
		printf("%s: ", key);
		print_value(stdout, v);
		fputc('\n', stdout);
	}
	return 0;
}

int output_list(const struct cli *cli, int status, json_t *answer, const char *columns)
{
	if (status < 200 || status >= 300 || cli->json)
		return output_answer(cli, status, answer);
	char names[256];
	snprintf(names, sizeof(names), "%s", columns);
	const char *cols[16];
	size_t n = 0;
	for (char *save = NULL, *c = strtok_r(names, " ", &save); c && n < 16; c = strtok_r(NULL, " ", &save))
		cols[n++] = c;
	for (size_t c = 0; c < n; c++)
		printf("%s%s", c ? "\t" : "", cols[c]);
	fputc('\n', stdout);
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(answer, "items"), i, item) {
		for (size_t c = 0; c < n; c++) {
			if (c)
				fputc('\t', stdout);
			print_value(stdout, json_object_get(item, cols[c]));
		}
		fputc('\n', stdout);
	}
	const char *next = json_string_value(json_object_get(answer, "next_cursor"));
	if (next)
		fprintf(stderr, "(more: --cursor %s)\n", next);
	return 0;
}
