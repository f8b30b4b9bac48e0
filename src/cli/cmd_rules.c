/* guichet rules list|add|show|remove: the tenant's categorisation rules
 * (a rule is a JSON file, see guichet/rules.h), and guichet contacts
 * suggest|reply: what to answer a contact, and answering it by email,
 * through the HTTP API. */
#include "cli/cli.h"
#include "guichet/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(const struct cli *cli, const struct args *a)
{
	if (a->n_pos < 3) {
		fprintf(stderr, "guichet rules add: a FILE.json holding the rule is needed (see guichet rules add --help)\n");
		return 2;
	}
	json_t *rule = cli_load_json("guichet rules add", a->pos[2], "object");
	if (rule == NULL)
		return 2;
	return cli_simple(cli, "POST", "/api/v1/rules", rule);
}

int cmd_rules(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/rules", "id position name reason level queue_id");
	if (strcmp(sub, "add") == 0)
		return add(cli, a);
	if (strcmp(sub, "show") != 0 && strcmp(sub, "remove") != 0) {
		fprintf(stderr, "guichet rules: unknown subcommand '%s' (list, add, show, remove)\n", sub);
		return 2;
	}
	if ((id = need_id(a, 2, "rules")) == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/rules/%s", id);
	return cli_simple(cli, strcmp(sub, "show") == 0 ? "GET" : "DELETE", path, NULL);
}

int cmd_contact_answer(const struct cli *cli, const struct args *a, const char *id)
{
	char path[256];
	if (strcmp(a->pos[1], "suggest") == 0) {
		const char *lang = args_get(a, "lang");
		snprintf(path, sizeof(path), "/api/v1/contacts/%s/suggestion%s%s", id, lang ? "?lang=" : "",
			 lang ? lang : "");
		return cli_simple(cli, "GET", path, NULL);
	}
	const char *body = args_get(a, "body"), *article = args_get(a, "article"), *mailbox = args_get(a, "mailbox");
	if ((body == NULL) == (article == NULL)) {
		fprintf(stderr, "guichet contacts reply: either --body TEXT or --article KEY is needed\n");
		return 2;
	}
	int64_t mailbox_id = 0;
	if (mailbox && gc_parse_i64(mailbox, 1, INT64_MAX, &mailbox_id) < 0) {
		fprintf(stderr, "guichet contacts reply: --mailbox: expected a mailbox ID, got '%s'\n", mailbox);
		return 2;
	}
	json_t *in = json_pack("{s:s?,s:s?,s:s?,s:s?}", "body", body, "article", article, "reply",
			       args_get(a, "reply"), "reason", args_get(a, "reason"));
	if (mailbox_id)
		json_object_set_new(in, "mailbox_id", json_integer(mailbox_id));
	snprintf(path, sizeof(path), "/api/v1/contacts/%s/email-reply", id);
	return cli_simple(cli, "POST", path, in);
}
