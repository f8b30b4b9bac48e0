/* guichet kb: knowledge through the HTTP API: search, import (JSON Lines
 * of articles and trees, or a JSON tree, or a JSON list), export, learning
 * from past resolutions, and the review steps. */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The snippet with its highlighted words in bold on a terminal, in [brackets] otherwise. */
static void print_snippet(const json_t *r)
{
	const char *text = json_string_value(json_object_get(r, "snippet"));
	bool tty = isatty(STDOUT_FILENO);
	size_t at = 0, i;
	json_t *h;
	fputs("   ", stdout);
	json_array_foreach(json_object_get(r, "highlights"), i, h) {
		size_t from = (size_t)json_integer_value(json_array_get(h, 0)), to = (size_t)json_integer_value(json_array_get(h, 1));
		if (from < at || to > strlen(text))
			break;
		printf("%.*s%s%.*s%s", (int)(from - at), text + at, tty ? "\033[1m" : "[", (int)(to - from), text + from,
		       tty ? "\033[0m" : "]");
		at = to;
	}
	printf("%s\n", text + at);
}

static int search(const struct cli *cli, const struct args *a)
{
	if (a->n_pos < 3) {
		fprintf(stderr, "guichet kb search: expected the words searched, in quotes\n");
		return 2;
	}
	char path[4096] = "/api/v1/kb/search";
	cli_query_add(path, sizeof(path), "q", a->pos[2]);
	cli_query_add(path, sizeof(path), "lang", args_get(a, "lang"));
	cli_query_add(path, sizeof(path), "limit", args_get(a, "limit"));
	if (args_get(a, "explain"))
		cli_query_add(path, sizeof(path), "explain", "1");
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	if (cli->json || status != 200) {
		int rc = output_answer(cli, status, answer);
		json_decref(answer);
		return rc;
	}
	size_t i;
	json_t *r;
	json_t *results = json_object_get(answer, "results");
	if (json_array_size(results) == 0)
		puts("nothing found");
	json_array_foreach(results, i, r) {
		printf("%zu. [%s] %s  (%s, score %.2f)\n", i + 1, json_string_value(json_object_get(r, "kind")),
		       json_string_value(json_object_get(r, "title")), json_string_value(json_object_get(r, "id")),
		       json_real_value(json_object_get(r, "score")));
		print_snippet(r);
		size_t k;
		json_t *w;
		json_array_foreach(json_object_get(r, "why"), k, w)
			printf("     %-8s %s (from '%s') %+.2f\n", json_string_value(json_object_get(w, "via")),
			       json_string_value(json_object_get(w, "term")), json_string_value(json_object_get(w, "from")),
			       json_real_value(json_object_get(w, "score")));
	}
	if (json_array_size(json_object_get(answer, "unmatched"))) {
		fputs("words that matched nothing:", stdout);
		json_array_foreach(json_object_get(answer, "unmatched"), i, r) printf(" %s", json_string_value(r));
		fputc('\n', stdout);
	}
	json_decref(answer);
	return 0;
}

/* The file as JSON Lines: a JSON object (a tree) or a list become lines;
 * anything else is sent as it is (the server reports its lines). */
static char *as_lines(char *data, size_t *len)
{
	json_t *whole = json_loadb(data, *len, 0, NULL);
	if (!json_is_object(whole) && !json_is_array(whole)) {
		json_decref(whole);
		return data;
	}
	if (json_is_object(whole))
		whole = json_pack("[o]", whole);
	size_t n = 0, i;
	json_t *item;
	char *out = NULL;
	json_array_foreach(whole, i, item) {
		char *line = json_dumps(item, JSON_COMPACT);
		size_t l = line ? strlen(line) : 0;
		char *grown = realloc(out, n + l + 2);
		if (line == NULL || grown == NULL) {
			free(line);
			free(grown ? grown : out);
			json_decref(whole);
			return data;
		}
		out = grown;
		memcpy(out + n, line, l);
		out[n + l] = '\n';
		n += l + 1;
		out[n] = '\0';
		free(line);
	}
	json_decref(whole);
	if (out == NULL)
		return data;
	free(data);
	*len = n;
	return out;
}

static int send_lines(const struct cli *cli, const struct args *a, const char *command, const char *path)
{
	if (a->n_pos < 3) {
		fprintf(stderr, "%s: expected FILE\n", command);
		return 2;
	}
	char *data;
	size_t len;
	if (cli_read_file(a->pos[2], command, &data, &len) < 0)
		return 1;
	data = as_lines(data, &len);
	json_t *answer = NULL;
	int status = client_call(cli, "POST", path, data, len, "application/x-ndjson", &answer);
	free(data);
	int rc = output_answer(cli, status, answer);
	json_decref(answer);
	return rc;
}

static int export(const struct cli *cli, const struct args *a)
{
	char *text = NULL;
	json_t *answer = NULL;
	int status = client_call_text(cli, "GET", args_get(a, "drafts") ? "/api/v1/kb/export?drafts=1" : "/api/v1/kb/export",
				      &text, &answer);
	int rc = status == 200 ? 0 : output_answer(cli, status, answer);
	if (status == 200 && text)
		fputs(text, stdout);
	free(text);
	json_decref(answer);
	return rc;
}

static int step(const struct cli *cli, const struct args *a, const char *action)
{
	if (a->n_pos < 3) {
		fprintf(stderr, "guichet kb %s: expected an article's or a tree's id\n", action);
		return 2;
	}
	char path[512];
	char *escaped = curl_easy_escape(NULL, a->pos[2], 0);
	snprintf(path, sizeof(path), "/api/v1/kb/items/%s/%s", escaped ? escaped : "", action);
	curl_free(escaped);
	cli_query_add(path, sizeof(path), "review_by", args_get(a, "review-by"));
	if (strcmp(action, "reject") == 0) /* why, for the author */
		cli_query_add(path, sizeof(path), "comment", args_get(a, "comment"));
	json_t *body = json_object();
	if (strcmp(action, "flag") == 0) {
		json_object_set_new(body, "reason", json_string(args_get(a, "reason") ? args_get(a, "reason") : ""));
		if (args_get(a, "comment"))
			json_object_set_new(body, "comment", json_string(args_get(a, "comment")));
	}
	int rc = cli_simple(cli, "POST", path, strcmp(action, "flag") == 0 ? body : NULL);
	json_decref(body);
	return rc;
}

int cmd_kb(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "";
	if (strcmp(sub, "search") == 0)
		return search(cli, a);
	if (strcmp(sub, "import") == 0)
		return send_lines(cli, a, "guichet kb import",
				  args_get(a, "publish") ? "/api/v1/kb/import?publish=1" : "/api/v1/kb/import");
	if (strcmp(sub, "learn") == 0)
		return send_lines(cli, a, "guichet kb learn", "/api/v1/kb/learn");
	if (strcmp(sub, "export") == 0)
		return export(cli, a);
	if (strcmp(sub, "list") == 0) {
		char path[512] = "/api/v1/kb/items";
		cli_query_add(path, sizeof(path), "state", args_get(a, "state"));
		cli_query_add(path, sizeof(path), "kind", args_get(a, "kind"));
		return cli_simple(cli, "GET", path, NULL);
	}
	if (strcmp(sub, "show") == 0 && a->n_pos > 2) {
		char path[512];
		char *escaped = curl_easy_escape(NULL, a->pos[2], 0);
		snprintf(path, sizeof(path), "/api/v1/kb/items/%s", escaped ? escaped : "");
		curl_free(escaped);
		return cli_simple(cli, "GET", path, NULL);
	}
	if (strcmp(sub, "gaps") == 0)
		return cli_simple(cli, "GET", "/api/v1/kb/gaps", NULL);
	const char *steps[] = {"submit", "approve", "reject", "publish", "archive", "flag"};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(sub, steps[i]) == 0)
			return step(cli, a, sub);
	fprintf(stderr, "guichet kb: unknown command '%s' (search, import, export, learn, list, show, gaps, "
			"submit, approve, reject, publish, archive, flag)\n", sub);
	return 2;
}
