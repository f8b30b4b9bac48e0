/* guichet email: the email channel's offline commands. "email parse FILE"
 * prints what guichet understands of one message (src/channel/email/):
 * the JSON of email_to_json with --json, else a short summary. For a person
 * debugging a strange mail, and for the tests. */
#include "channel/email/parse.h"
#include "cli/cli.h"
#include "guichet/error.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_address(const char *label, const struct email_address *a)
{
	if (a->name && a->address)
		printf("%s: %s <%s>\n", label, a->name, a->address);
	else if (a->name || a->address)
		printf("%s: %s\n", label, a->name ? a->name : a->address);
}

static void print_summary(const struct email *e)
{
	printf("message-id: %s%s\n", e->message_id, e->message_id_derived ? " (derived)" : "");
	if (e->in_reply_to)
		printf("in-reply-to: %s\n", e->in_reply_to);
	print_address("from", &e->from);
	for (size_t i = 0; i < e->n_to; i++)
		print_address("to", &e->to[i]);
	for (size_t i = 0; i < e->n_cc; i++)
		print_address("cc", &e->cc[i]);
	printf("subject: %s\n", e->subject ? e->subject : "");
	printf("date: %s\n", e->date ? e->date : "(none)");
	if (e->auto_submitted || e->precedence || e->x_autoreply || e->x_auto_response_suppress)
		printf("automatic: yes\n");
	if (e->is_bounce)
		printf("bounce: delivery-status report\n");
	for (size_t i = 0; i < e->n_attachments; i++)
		printf("attachment: %s (%s, %zu bytes)\n", e->attachments[i].filename ? e->attachments[i].filename : "-",
		       e->attachments[i].content_type, e->attachments[i].size);
	for (size_t i = 0; i < e->n_defects; i++)
		printf("defect: %s\n", e->defects[i]);
	printf("\n%s\n", e->text);
}

/* The file mapped read-only (the parser borrows the bytes, so a large message
 * is in memory once), or read whole when it cannot be mapped (a pipe). */
static int email_parse_file(const struct cli *cli, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	GMappedFile *map = g_mapped_file_new(path, FALSE, NULL);
	if (map == NULL && cli_read_file(path, "guichet email parse", &data, &len) < 0)
		return 1;
	const char *raw = map ? g_mapped_file_get_contents(map) : data;
	if (map)
		len = g_mapped_file_get_length(map);
	struct email *e = NULL;
	int rc = email_parse(raw, len, NULL, &e);
	if (map)
		g_mapped_file_unref(map);
	free(data);
	if (rc < 0) {
		fprintf(stderr, "guichet email parse: %s: %s\n", path,
			rc == GC_ETOOBIG ? "larger than the 64 MiB a message may have" : gc_error_name(rc));
		return 1;
	}
	if (cli->json) {
		json_t *obj = email_to_json(e);
		json_dumpf(obj, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(obj);
	} else {
		print_summary(e);
	}
	email_free(e);
	return 0;
}

int cmd_email(const struct cli *cli, int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "guichet email: a subcommand is needed (see guichet email --help)\n");
		return 2;
	}
	if (strcmp(argv[0], "parse") != 0) {
		fprintf(stderr, "guichet email: unknown subcommand '%s' (see guichet email --help)\n", argv[0]);
		return 2;
	}
	struct args a;
	if (args_parse(argc - 1, argv + 1, "", &a) < 0)
		return 2;
	if (a.n_pos != 1) {
		fprintf(stderr, "guichet email parse: one FILE is needed (see guichet email parse --help)\n");
		return 2;
	}
	return email_parse_file(cli, a.pos[0]);
}
