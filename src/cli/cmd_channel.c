/* guichet channel email add|list|show|test|remove: the tenant's mailboxes
 * through the HTTP API. A password is read from a file (--password-file,
 * "-" for standard input), never from the command line, where any user of
 * the machine could read it in the process list. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first line of path ("-": standard input), without its newline. */
static char *read_password(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "guichet channel email: --password-file %s: cannot read it\n", path);
		return NULL;
	}
	char line[1100];
	char *got = fgets(line, sizeof(line), f);
	if (f != stdin)
		fclose(f);
	if (got == NULL) {
		fprintf(stderr, "guichet channel email: --password-file %s: empty\n", path);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return strdup(line);
}

static int add(const struct cli *cli, const struct args *a)
{
	static const char *const required[] = {"name", "address", "imap-url", "username", "password-file"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (args_get(a, required[i]) == NULL) {
			fprintf(stderr, "guichet channel email add: --%s is required\n", required[i]);
			return 2;
		}
	char *password = read_password(args_get(a, "password-file"));
	if (password == NULL)
		return 2;
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", args_get(a, "name"), "address",
				 args_get(a, "address"), "imap_url", args_get(a, "imap-url"), "username",
				 args_get(a, "username"), "password", password);
	free(password);
	const char *v;
	if ((v = args_get(a, "smtp-url")))
		json_object_set_new(body, "smtp_url", json_string(v));
	if ((v = args_get(a, "queue"))) {
		char *end;
		long long q = strtoll(v, &end, 10);
		if (*v == '\0' || *end || q < 1) {
			fprintf(stderr, "guichet channel email add: --queue: expected a queue ID, got '%s'\n", v);
			json_decref(body);
			return 2;
		}
		json_object_set_new(body, "queue_id", json_integer(q));
	}
	return cli_simple(cli, "POST", "/api/v1/channels/email", body);
}

int cmd_channel(const struct cli *cli, const struct args *a)
{
	if (a->n_pos < 2 || strcmp(a->pos[1], "email") != 0) {
		fprintf(stderr, "guichet channel: expected 'email' (guichet channel email --help)\n");
		return 2;
	}
	const char *sub = a->n_pos > 2 ? a->pos[2] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/channels/email", "id name address imap_url queue_id last_uid");
	if (strcmp(sub, "add") == 0)
		return add(cli, a);
	if (strcmp(sub, "show") != 0 && strcmp(sub, "test") != 0 && strcmp(sub, "remove") != 0) {
		fprintf(stderr, "guichet channel email: unknown subcommand '%s' (add, list, show, test, remove)\n", sub);
		return 2;
	}
	if ((id = need_id(a, 3, "channel email")) == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%s%s", id, strcmp(sub, "test") == 0 ? "/test" : "");
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	return cli_simple(cli, strcmp(sub, "test") == 0 ? "POST" : "DELETE", path, NULL);
}
