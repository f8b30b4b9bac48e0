/* guichet callback request|list|show|outcome|cancel|settings and guichet
 * report callbacks: customers' requests to be called back, through the
 * HTTP API (docs/callbacks.md). */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An id option into body as an integer; false (said) when it is not one. */
static bool id_option(const struct args *a, const char *option, json_t *body, const char *field)
{
	const char *v = args_get(a, option);
	if (v == NULL)
		return true;
	char *end = NULL;
	long long id = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || id < 1) {
		fprintf(stderr, "guichet callback: --%s takes a positive integer, not '%s'\n", option, v);
		return false;
	}
	json_object_set_new(body, field, json_integer(id));
	return true;
}

static int request(const struct cli *cli, const struct args *a)
{
	const char *phone = args_need(a, "phone", "callback request");
	const char *from = args_get(a, "window-from"), *to = args_get(a, "window-to");
	if (phone == NULL)
		return 2;
	if ((from == NULL) != (to == NULL)) {
		fprintf(stderr, "guichet callback request: a window needs --window-from and --window-to\n");
		return 2;
	}
	json_t *body = json_pack("{s:s}", "phone", phone);
	const char *name = args_get(a, "name"), *context = args_get(a, "context"), *source = args_get(a, "source");
	if (name)
		json_object_set_new(body, "name", json_string(name));
	if (context)
		json_object_set_new(body, "context", json_string(context));
	if (source)
		json_object_set_new(body, "source", json_string(source));
	if (from)
		json_object_set_new(body, "window", json_pack("{s:s,s:s}", "from", from, "to", to));
	if (!id_option(a, "queue", body, "queue_id") || !id_option(a, "contact", body, "contact_id")) {
		json_decref(body);
		return 2;
	}
	return cli_simple(cli, "POST", "/api/v1/callbacks", body);
}

static int settings(const struct cli *cli, const struct args *a)
{
	const char *retry = args_get(a, "retry-after"), *max = args_get(a, "max-attempts");
	if (args_get(a, "queue") == NULL && retry == NULL && max == NULL)
		return cli_simple(cli, "GET", "/api/v1/callbacks/settings", NULL);
	json_t *body = json_object();
	if (!id_option(a, "queue", body, "queue_id") || !id_option(a, "retry-after", body, "retry_after_s") ||
	    !id_option(a, "max-attempts", body, "max_attempts")) {
		json_decref(body);
		return 2;
	}
	return cli_simple(cli, "PUT", "/api/v1/callbacks/settings", body);
}

static int one(const struct cli *cli, const struct args *a, const char *sub)
{
	const char *id = need_id(a, 2, "callback");
	if (id == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/callbacks/%s", id);
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	if (strcmp(sub, "cancel") == 0) {
		strcat(path, "/cancel");
		return cli_simple(cli, "POST", path, NULL);
	}
	if (a->n_pos < 4) {
		fprintf(stderr, "guichet callback outcome: name the outcome (reached, no_answer, busy, voicemail, "
			"wrong_number)\n");
		return 2;
	}
	json_t *body = json_pack("{s:s}", "outcome", a->pos[3]);
	if (args_get(a, "note"))
		json_object_set_new(body, "note", json_string(args_get(a, "note")));
	strcat(path, "/outcome");
	return cli_simple(cli, "POST", path, body);
}

int cmd_callback(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list";
	if (strcmp(sub, "request") == 0)
		return request(cli, a);
	if (strcmp(sub, "settings") == 0)
		return settings(cli, a);
	if (strcmp(sub, "list") == 0) {
		char path[256] = "/api/v1/callbacks";
		cli_query_add(path, sizeof(path), "state", args_get(a, "state"));
		cli_query_add(path, sizeof(path), "limit", args_get(a, "limit"));
		cli_query_add(path, sizeof(path), "cursor", args_get(a, "cursor"));
		return cli_list(cli, path, "id state phone name attempts max_attempts contact_id source created_at");
	}
	if (strcmp(sub, "show") == 0 || strcmp(sub, "cancel") == 0 || strcmp(sub, "outcome") == 0)
		return one(cli, a, sub);
	fprintf(stderr, "guichet callback: unknown subcommand '%s'\n", sub);
	return 2;
}

int cmd_report_callbacks(const struct cli *cli, const struct args *a)
{
	char path[256] = "/api/v1/reports/callbacks";
	cli_query_add(path, sizeof(path), "from", args_get(a, "from"));
	cli_query_add(path, sizeof(path), "to", args_get(a, "to"));
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	if (status != 200 || cli->json) {
		int rc = output_answer(cli, status, answer);
		json_decref(answer);
		return rc;
	}
	json_t *missed = json_object_get(answer, "missed");
	json_t *mean = json_object_get(answer, "mean_to_reach_s");
	printf("from %s to %s\nrequested %lld, reached %lld, ended without outcome %lld, cancelled %lld, open %lld\n"
	       "missed %lld (attempts_exhausted %lld, window_passed %lld, wrong_number %lld)\n",
	       json_string_value(json_object_get(answer, "from")), json_string_value(json_object_get(answer, "to")),
	       json_integer_value(json_object_get(answer, "requested")), json_integer_value(json_object_get(answer, "reached")),
	       json_integer_value(json_object_get(answer, "ended_without_outcome")),
	       json_integer_value(json_object_get(answer, "cancelled")), json_integer_value(json_object_get(answer, "open")),
	       json_integer_value(json_object_get(missed, "total")),
	       json_integer_value(json_object_get(missed, "attempts_exhausted")),
	       json_integer_value(json_object_get(missed, "window_passed")),
	       json_integer_value(json_object_get(missed, "wrong_number")));
	if (json_is_integer(mean))
		printf("mean time to reach %llds\n", (long long)json_integer_value(mean));
	json_t *rows = json_pack("{s:O}", "items", json_object_get(answer, "missed_list"));
	if (json_array_size(json_object_get(answer, "missed_list")) > 0) {
		printf("\n");
		output_list(cli, status, rows, "id phone attempts reason window contact_id");
	}
	json_decref(rows);
	json_decref(answer);
	return 0;
}
