/* guichet incident list|add|end|remove: the incidents and announcements the
 * tenant publishes at the top of its self-service portal; and an incident's
 * broadcasts to the customers it affects: audience, templates, broadcast,
 * broadcasts, report. Through the HTTP API (the server checks every field
 * and names the wrong one). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --all | --attribute KEY=VALUE | --customers ID,ID,... */
static json_t *audience_body(const struct args *a)
{
	const char *attr = args_get(a, "attribute"), *list = args_get(a, "customers");
	if (args_get(a, "all") && !attr && !list)
		return json_pack("{s:b}", "all", 1);
	const char *eq = attr ? strchr(attr, '=') : NULL;
	if (attr && !list && eq && eq != attr)
		return json_pack("{s:{s:s%,s:s}}", "attribute", "key", attr, (size_t)(eq - attr), "value", eq + 1);
	if (list && !attr) {
		json_t *ids = json_array();
		for (const char *p = list; ids && *p;) {
			char *end = NULL;
			long long id = strtoll(p, &end, 10);
			if (end == p || id <= 0 || (*end && *end != ',')) {
				json_decref(ids);
				return NULL;
			}
			json_array_append_new(ids, json_integer(id));
			p = *end ? end + 1 : end;
		}
		return ids ? json_pack("{s:o}", "customers", ids) : NULL;
	}
	return NULL;
}

static int audience(const struct cli *cli, const struct args *a, const char *path)
{
	json_t *body = audience_body(a);
	if (body == NULL) {
		fprintf(stderr, "guichet incident audience: give one of --all, --attribute KEY=VALUE,"
				" --customers ID,ID,...\n");
		return 2;
	}
	return cli_simple(cli, "PUT", path, body);
}

static int templates(const struct cli *cli, const struct args *a, const char *path)
{
	if (a->n_pos < 4) {
		fprintf(stderr, "guichet incident templates: a FILE.json holding the templates is needed"
				" (see guichet incident templates --help)\n");
		return 2;
	}
	json_t *body = cli_load_json("guichet incident templates", a->pos[3], "object");
	if (body == NULL)
		return 2;
	return cli_simple(cli, "PUT", path, body);
}

static int broadcast(const struct cli *cli, const struct args *a, const char *path)
{
	if (a->n_pos < 4) {
		fprintf(stderr, "guichet incident broadcast: the kind is needed (declaration, update, resolution)\n");
		return 2;
	}
	json_t *body = json_pack("{s:s,s:s*}", "kind", a->pos[3], "text", args_get(a, "text"));
	if (args_get(a, "channel")) { /* in order of preference: the server checks them */
		json_t *channels = json_array();
		const char *c;
		for (size_t i = 0; (c = args_nth(a, "channel", i)) != NULL; i++)
			json_array_append_new(channels, json_string(c));
		json_object_set_new(body, "channels", channels);
	}
	const char *rate = args_get(a, "rate");
	if (rate) {
		char *end = NULL;
		long long n = strtoll(rate, &end, 10);
		if (end == rate || *end || n <= 0) {
			fprintf(stderr, "guichet incident broadcast: --rate is a number of messages a minute\n");
			json_decref(body);
			return 2;
		}
		json_object_set_new(body, "rate_per_minute", json_integer(n));
	}
	return cli_simple(cli, "POST", path, body);
}

/* The subcommands on one incident's broadcasts; -1 when sub is none of them. */
static int on_broadcasts(const struct cli *cli, const struct args *a, const char *sub)
{
	static const char *const subs[] = {"audience", "templates", "broadcast", "broadcasts", "report"};
	size_t i = 0;
	while (i < 5 && strcmp(sub, subs[i]) != 0)
		i++;
	if (i == 5)
		return -1;
	const char *id = need_id(a, 2, "incident");
	if (id == NULL)
		return 2;
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/incidents/%s/%s", id,
		 i == 3 || i == 2 ? "broadcasts" : subs[i]);
	if (i == 0)
		return audience(cli, a, path);
	if (i == 1)
		return templates(cli, a, path);
	if (i == 2)
		return broadcast(cli, a, path);
	return cli_simple(cli, "GET", path, NULL);
}

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
	if (args_get(a, "keyword")) { /* the server checks them */
		json_t *keywords = json_array();
		const char *k;
		for (size_t i = 0; (k = args_nth(a, "keyword", i)) != NULL; i++)
			json_array_append_new(keywords, json_string(k));
		json_object_set_new(in, "keywords", keywords);
	}
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
	int rc = on_broadcasts(cli, a, sub);
	if (rc >= 0)
		return rc;
	if (strcmp(sub, "end") != 0 && strcmp(sub, "remove") != 0) {
		fprintf(stderr, "guichet incident: unknown subcommand '%s' (list, add, end, remove, audience, templates,"
				" broadcast, broadcasts, report)\n", sub);
		return 2;
	}
	if ((id = need_only_id(a, 2, "incident")) == NULL)
		return 2;
	char path[128];
	bool end = strcmp(sub, "end") == 0;
	snprintf(path, sizeof(path), "/api/v1/incidents/%s%s", id, end ? "/end" : "");
	return cli_simple(cli, end ? "POST" : "DELETE", path, NULL);
}
