/* guichet incident list|add|end|remove: the incidents and announcements the
 * tenant publishes at the top of its self-service portal, through the HTTP
 * API (the server checks every field and names the wrong one). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static int add(const struct cli *cli, const struct args *a)
{
	const char *title = args_need(a, "title", "guichet incident add");
	if (title == NULL)
		return 2;
	const char *kind = args_get(a, "kind");
	json_t *in = json_pack("{s:s,s:s,s:s*,s:s*,s:s*,s:s*,s:s*,s:b}", "kind", kind ? kind : "incident", "title", title,
			       "body", args_get(a, "body"), "area", args_get(a, "area"), "severity",
			       args_get(a, "severity"), "starts_at", args_get(a, "from"), "expected_end_at",
			       args_get(a, "to"), "published", args_get(a, "publish") != NULL);
	return cli_simple(cli, "POST", "/api/v1/incidents", in);
}

int cmd_incident(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, args_get(a, "all") ? "/api/v1/incidents?all=1" : "/api/v1/incidents",
				"id kind severity published starts_at expected_end_at ended_at area title");
	if (strcmp(sub, "add") == 0)
		return add(cli, a);
	if (strcmp(sub, "end") != 0 && strcmp(sub, "remove") != 0) {
		fprintf(stderr, "guichet incident: unknown subcommand '%s' (list, add, end, remove)\n", sub);
		return 2;
	}
	if ((id = need_id(a, 2, "incident")) == NULL)
		return 2;
	char path[128];
	bool end = strcmp(sub, "end") == 0;
	snprintf(path, sizeof(path), "/api/v1/incidents/%s%s", id, end ? "/end" : "");
	return cli_simple(cli, end ? "POST" : "DELETE", path, NULL);
}
