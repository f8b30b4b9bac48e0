/* guichet channel messaging add|list|show|remove: the tenant's SMS and
 * social channels (a Twilio number, or a generic JSON provider) through the
 * HTTP API. The provider's secret (Twilio's auth token, the generic HMAC
 * secret) is read from a file (--secret-file, "-" for standard input),
 * never from the command line, where the process list would show it. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(const struct cli *cli, const struct args *a)
{
	static const char *const required[] = {"name", "provider", "public-url", "address", "secret-file"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (args_get(a, required[i]) == NULL) {
			fprintf(stderr, "guichet channel messaging add: --%s is required\n", required[i]);
			return 2;
		}
	char *secret = cli_read_secret(args_get(a, "secret-file"), "guichet channel messaging", "--secret-file");
	if (secret == NULL)
		return 2;
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", args_get(a, "name"), "provider",
				 args_get(a, "provider"), "public_url", args_get(a, "public-url"), "address",
				 args_get(a, "address"), "secret", secret);
	free(secret);
	static const char *const optional[][2] = {{"kind", "kind"}, {"api-url", "api_url"}, {"account", "account"}};
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		if (args_get(a, optional[i][0]))
			json_object_set_new(body, optional[i][1], json_string(args_get(a, optional[i][0])));
	const char *v = args_get(a, "queue");
	if (v) {
		char *end;
		long long q = strtoll(v, &end, 10);
		if (*v == '\0' || *end || q < 1) {
			fprintf(stderr, "guichet channel messaging add: --queue: expected a queue ID, got '%s'\n", v);
			json_decref(body);
			return 2;
		}
		json_object_set_new(body, "queue_id", json_integer(q));
	}
	return cli_simple(cli, "POST", "/api/v1/channels/messaging", body);
}

int cmd_channel_messaging(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 2 ? a->pos[2] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/channels/messaging", "id name provider kind address queue_id webhook_url");
	if (strcmp(sub, "add") == 0)
		return add(cli, a);
	if (strcmp(sub, "show") != 0 && strcmp(sub, "remove") != 0) {
		fprintf(stderr, "guichet channel messaging: unknown subcommand '%s' (add, list, show, remove)\n", sub);
		return 2;
	}
	if ((id = need_only_id(a, 3, "channel messaging")) == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/messaging/%s", id);
	return cli_simple(cli, strcmp(sub, "show") == 0 ? "GET" : "DELETE", path, NULL);
}
