/* guichet channel email add|list|show|set|test|remove: the tenant's
 * mailboxes and their acknowledgements through the HTTP API. A password is
 * read from a file (--password-file, "-" for standard input), never from
 * the command line, where any user of the machine could read it in the
 * process list; an acknowledgement's body from a file too (--ack-body-file),
 * being several lines. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole of path ("-": standard input), at most 64 KiB, or NULL. */
static char *read_text(const char *path, const char *option)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "guichet channel email: --%s %s: cannot read it\n", option, path);
		return NULL;
	}
	size_t cap = 64u << 10, n;
	char *text = malloc(cap + 1);
	n = text ? fread(text, 1, cap + 1, f) : 0;
	if (f != stdin)
		fclose(f);
	if (text && n > cap) {
		fprintf(stderr, "guichet channel email: --%s %s: longer than 64 KiB\n", option, path);
		free(text);
		return NULL;
	}
	if (text)
		text[n] = '\0';
	return text;
}

/* The "ack" object the --ack* options make into *ret (NULL when none is
 * given); 2 after saying which option is wrong. */
static int ack_options(const struct args *a, const char *command, json_t **ret)
{
	const char *on = args_get(a, "ack"), *subject = args_get(a, "ack-subject"),
		   *body_file = args_get(a, "ack-body-file"), *language = args_get(a, "ack-language"),
		   *max = args_get(a, "ack-max-per-hour");
	*ret = NULL;
	if (!on && !subject && !body_file && !language && !max)
		return 0;
	json_t *ack = json_object();
	if (on && strcmp(on, "on") != 0 && strcmp(on, "off") != 0) {
		fprintf(stderr, "guichet channel email %s: --ack: expected on or off, got '%s'\n", command, on);
		goto out_invalid;
	}
	if (on)
		json_object_set_new(ack, "enabled", json_boolean(strcmp(on, "on") == 0));
	if (subject) /* "" goes back to the language's own */
		json_object_set_new(ack, "subject", *subject ? json_string(subject) : json_null());
	if (language)
		json_object_set_new(ack, "language", json_string(language));
	if (max) {
		char *end;
		long long n = strtoll(max, &end, 10);
		if (*max == '\0' || *end || n < 1) {
			fprintf(stderr, "guichet channel email %s: --ack-max-per-hour: expected a number from 1, got '%s'\n",
				command, max);
			goto out_invalid;
		}
		json_object_set_new(ack, "max_per_hour", json_integer(n));
	}
	if (body_file) {
		char *body = read_text(body_file, "ack-body-file");
		if (body == NULL)
			goto out_invalid;
		json_object_set_new(ack, "body", *body ? json_string(body) : json_null());
		free(body);
	}
	*ret = ack;
	return 0;
out_invalid:
	json_decref(ack);
	return 2;
}

static int set(const struct cli *cli, const struct args *a, const char *id)
{
	json_t *ack = NULL;
	if (ack_options(a, "set", &ack) != 0)
		return 2;
	const char *from_name = args_get(a, "from-name");
	if (ack == NULL && from_name == NULL) {
		fprintf(stderr, "guichet channel email set: nothing to change (--from-name, --ack, --ack-subject,"
				" --ack-body-file, --ack-language, --ack-max-per-hour)\n");
		return 2;
	}
	json_t *body = json_object();
	if (ack)
		json_object_set_new(body, "ack", ack);
	if (from_name)
		json_object_set_new(body, "from_name", *from_name ? json_string(from_name) : json_null());
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%s", id);
	return cli_simple(cli, "PATCH", path, body);
}

static int add(const struct cli *cli, const struct args *a)
{
	static const char *const required[] = {"name", "address", "imap-url", "username", "password-file"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (args_get(a, required[i]) == NULL) {
			fprintf(stderr, "guichet channel email add: --%s is required\n", required[i]);
			return 2;
		}
	char *password = cli_read_secret(args_get(a, "password-file"), "guichet channel email", "--password-file");
	if (password == NULL)
		return 2;
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", args_get(a, "name"), "address",
				 args_get(a, "address"), "imap_url", args_get(a, "imap-url"), "username",
				 args_get(a, "username"), "password", password);
	free(password);
	const char *v;
	if ((v = args_get(a, "smtp-url")))
		json_object_set_new(body, "smtp_url", json_string(v));
	if ((v = args_get(a, "from-name")) && *v)
		json_object_set_new(body, "from_name", json_string(v));
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
	json_t *ack = NULL;
	if (ack_options(a, "add", &ack) != 0) {
		json_decref(body);
		return 2;
	}
	if (ack)
		json_object_set_new(body, "ack", ack);
	return cli_simple(cli, "POST", "/api/v1/channels/email", body);
}

int cmd_channel(const struct cli *cli, const struct args *a)
{
	if (a->n_pos >= 2 && strcmp(a->pos[1], "messaging") == 0)
		return cmd_channel_messaging(cli, a);
	if (a->n_pos >= 2 && strcmp(a->pos[1], "chat") == 0)
		return cmd_chat(cli, a);
	if (a->n_pos >= 2 && strcmp(a->pos[1], "voice") == 0)
		return cmd_channel_voice(cli, a);
	if (a->n_pos < 2 || strcmp(a->pos[1], "email") != 0) {
		fprintf(stderr, "guichet channel: expected 'email', 'chat', 'messaging' or 'voice' (guichet channel email --help)\n");
		return 2;
	}
	const char *sub = a->n_pos > 2 ? a->pos[2] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/channels/email", "id name address imap_url queue_id last_uid");
	if (strcmp(sub, "add") == 0)
		return add(cli, a);
	if (strcmp(sub, "show") != 0 && strcmp(sub, "test") != 0 && strcmp(sub, "remove") != 0 &&
	    strcmp(sub, "set") != 0) {
		fprintf(stderr, "guichet channel email: unknown subcommand '%s' (add, list, show, set, test, remove)\n",
			sub);
		return 2;
	}
	if ((id = need_only_id(a, 3, "channel email")) == NULL)
		return 2;
	if (strcmp(sub, "set") == 0)
		return set(cli, a, id);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%s%s", id, strcmp(sub, "test") == 0 ? "/test" : "");
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	return cli_simple(cli, strcmp(sub, "test") == 0 ? "POST" : "DELETE", path, NULL);
}
