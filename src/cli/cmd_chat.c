/* guichet channel chat add|list|show|set|secret|remove: the tenant's web
 * chat channels through the HTTP API (docs/chat.md). The identity secret
 * is printed by add and secret only: the server never shows it again. */
#include "cli/cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A --queue ID; 0 after a message when it is not one. */
static long long queue_id(const char *v, const char *command)
{
	char *end;
	long long q = strtoll(v, &end, 10);
	if (*v == '\0' || *end || q < 1) {
		fprintf(stderr, "guichet channel chat %s: --queue: expected a queue ID, got '%s'\n", command, v);
		return 0;
	}
	return q;
}

/* A --attachment-max-bytes or --attachments-per-chat count into *ret (the
 * server checks its range); false after a message naming the option. */
static bool count_option(const struct args *a, const char *option, const char *command, long long *ret)
{
	const char *v = args_get(a, option);
	char *end;
	*ret = v ? strtoll(v, &end, 10) : -1;
	if (v && (*v == '\0' || *end || *ret < 0)) {
		fprintf(stderr, "guichet channel chat %s: --%s: expected a count, got '%s'\n", command, option, v);
		return false;
	}
	return true;
}

/* The "attachments" member from --attachment-max-bytes, --attachment-type
 * and --attachments-per-chat (given together or not: it is replaced whole,
 * the ones not given at their defaults); 2 on a bad count. */
static int attachment_settings(const struct args *a, json_t *body, const char *command)
{
	long long max_bytes, per_chat;
	if (!count_option(a, "attachment-max-bytes", command, &max_bytes) ||
	    !count_option(a, "attachments-per-chat", command, &per_chat))
		return 2;
	if (max_bytes < 0 && per_chat < 0 && args_get(a, "attachment-type") == NULL)
		return 0;
	json_t *files = json_object();
	if (max_bytes >= 0)
		json_object_set_new(files, "max_bytes", json_integer(max_bytes));
	if (per_chat >= 0)
		json_object_set_new(files, "per_chat", json_integer(per_chat));
	if (args_get(a, "attachment-type")) {
		json_t *types = json_array();
		const char *v;
		for (size_t i = 0; (v = args_nth(a, "attachment-type", i)) != NULL; i++)
			json_array_append_new(types, json_string(v));
		json_object_set_new(files, "types", types);
	}
	json_object_set_new(body, "attachments", files);
	return 0;
}

/* The members the options give (--origin, --prechat-name, --prechat-email,
 * --topic, --offline-message, --offline-callback, the attachments' limits)
 * into body; 2 on a bad one. */
static int settings(const struct args *a, json_t *body, const char *command)
{
	const char *v;
	if (args_get(a, "origin")) {
		json_t *origins = json_array();
		for (size_t i = 0; (v = args_nth(a, "origin", i)) != NULL; i++)
			json_array_append_new(origins, json_string(v));
		json_object_set_new(body, "origins", origins);
	}
	if (args_get(a, "prechat-name") || args_get(a, "prechat-email") || args_get(a, "topic")) {
		json_t *prechat = json_object(), *topics = json_array();
		if ((v = args_get(a, "prechat-name")))
			json_object_set_new(prechat, "name", json_string(v));
		if ((v = args_get(a, "prechat-email")))
			json_object_set_new(prechat, "email", json_string(v));
		for (size_t i = 0; (v = args_nth(a, "topic", i)) != NULL; i++)
			json_array_append_new(topics, json_string(v));
		json_object_set_new(prechat, "topics", topics);
		json_object_set_new(body, "prechat", prechat);
	}
	if (args_get(a, "offline-message") || args_get(a, "offline-callback"))
		json_object_set_new(body, "offline", json_pack("{s:b,s:b}", "message", args_get(a, "offline-message") != NULL,
							       "callback", args_get(a, "offline-callback") != NULL));
	if ((v = args_get(a, "name")))
		json_object_set_new(body, "name", json_string(v));
	if ((v = args_get(a, "queue"))) {
		long long q = queue_id(v, command);
		if (q == 0)
			return 2;
		json_object_set_new(body, "queue_id", json_integer(q));
	}
	return attachment_settings(a, body, command);
}

static int add(const struct cli *cli, const struct args *a)
{
	if (args_need(a, "name", "channel chat add") == NULL || args_need(a, "queue", "channel chat add") == NULL ||
	    args_need(a, "origin", "channel chat add") == NULL)
		return 2;
	json_t *body = json_object();
	if (settings(a, body, "add") != 0) {
		json_decref(body);
		return 2;
	}
	return cli_simple(cli, "POST", "/api/v1/channels/chat", body);
}

int cmd_chat(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 2 ? a->pos[2] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/channels/chat", "id name key queue_id origins");
	if (strcmp(sub, "add") == 0)
		return add(cli, a);
	if (strcmp(sub, "show") != 0 && strcmp(sub, "set") != 0 && strcmp(sub, "secret") != 0 &&
	    strcmp(sub, "remove") != 0) {
		fprintf(stderr, "guichet channel chat: unknown subcommand '%s' (add, list, show, set, secret, remove)\n", sub);
		return 2;
	}
	if ((id = need_only_id(a, 3, "channel chat")) == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/chat/%s%s", id, strcmp(sub, "secret") == 0 ? "/secret" : "");
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	if (strcmp(sub, "secret") == 0)
		return cli_simple(cli, "POST", path, NULL);
	if (strcmp(sub, "remove") == 0)
		return cli_simple(cli, "DELETE", path, NULL);
	json_t *body = json_object();
	if (settings(a, body, "set") != 0 || json_object_size(body) == 0) {
		if (json_object_size(body) == 0)
			fprintf(stderr, "guichet channel chat set: nothing to change (--name, --queue, --origin, --prechat-name,"
					" --prechat-email, --topic, --offline-message, --offline-callback, --attachment-max-bytes,"
					" --attachment-type, --attachments-per-chat)\n");
		json_decref(body);
		return 2;
	}
	return cli_simple(cli, "PATCH", path, body);
}
