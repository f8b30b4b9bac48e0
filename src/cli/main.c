/* guichet: the command-line client. Global options, then a command; --help
 * anywhere after a command prints that command's help (help.c). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct cli cli = {.server = getenv("GUICHET_URL")};
	if (cli.server == NULL)
		cli.server = "http://127.0.0.1:8080";
	const char *file = getenv("GUICHET_TOKEN_FILE"), *home = getenv("HOME");
	if (file)
		snprintf(cli.token_file, sizeof(cli.token_file), "%s", file);
	else
		snprintf(cli.token_file, sizeof(cli.token_file), "%s/.config/guichet/token", home ? home : ".");
	/* --json is accepted anywhere ("guichet contacts list --json") */
	int kept = 1;
	for (int j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--json") == 0)
			cli.json = true;
		else
			argv[kept++] = argv[j];
	}
	argc = kept;
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli.json = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			help_overview(stdout);
			return 0;
		} else if (strcmp(argv[i], "--help-all") == 0) {
			help_all(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("guichet " GUICHET_VERSION);
			return 0;
		} else if ((strcmp(argv[i], "--server") == 0 || strcmp(argv[i], "--tenant") == 0) && i + 1 < argc) {
			if (argv[i][2] == 's')
				cli.server = argv[++i];
			else
				cli.tenant = argv[++i];
		} else {
			fprintf(stderr, "guichet: unknown or incomplete option '%s' (see guichet --help)\n", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		help_overview(stderr);
		return 2;
	}
	/* "channel email", "channel chat", "channel messaging" and "channel voice" are groups of two words */
	bool channel = strcmp(argv[i], "channel") == 0;
	bool chat = channel && i + 1 < argc && strcmp(argv[i + 1], "chat") == 0;
	bool messaging = channel && i + 1 < argc && strcmp(argv[i + 1], "messaging") == 0;
	bool voice = channel && i + 1 < argc && strcmp(argv[i + 1], "voice") == 0;
	const char *group = chat ? "channel chat" : messaging ? "channel messaging" : voice ? "channel voice" : channel ? "channel email" : argv[i];
	int sub = channel && i + 1 < argc && (chat || messaging || voice || strcmp(argv[i + 1], "email") == 0) ? i + 2 : i + 1;
	const char *sub_name = sub < argc && strncmp(argv[sub], "--", 2) != 0 ? argv[sub] : NULL;
	for (int j = i + 1; j < argc; j++)
		if (strcmp(argv[j], "--help") == 0)
			return help_command(stdout, group, sub_name);
	/* an option the command does not take: --server or --tenant given after
	 * it is the global one (else the work would go to the default tenant);
	 * any other is a mistake the command would not see */
	bool offline = strcmp(argv[i], "email") == 0 || strcmp(argv[i], "admin") == 0 ||
		       (strcmp(argv[i], "wfm") == 0 && !(i + 1 < argc && strcmp(argv[i + 1], "history") == 0));
	if (!offline && sub_name && help_knows(group, sub_name) == 0) {
		fprintf(stderr, "guichet %s: unknown subcommand '%s' (guichet %s --help lists them)\n", group, sub_name,
			group);
		return 2;
	}
	kept = i + 1;
	for (int j = i + 1; j < argc; j++) {
		const char *opt = argv[j];
		int form = offline || strncmp(opt, "--", 2) != 0 || opt[2] == '\0' ? -1
			   : help_option_form(group, sub_name, opt + 2);
		if (form != 0) {
			argv[kept++] = argv[j];
			if (form == 2 && j + 1 < argc) /* its value, whatever it starts with ("--- see below") */
				argv[kept++] = argv[++j];
		} else if ((strcmp(opt, "--server") == 0 || strcmp(opt, "--tenant") == 0) && j + 1 < argc) {
			if (opt[2] == 's')
				cli.server = argv[++j];
			else
				cli.tenant = argv[++j];
		} else {
			fprintf(stderr, "guichet %s%s%s: unknown option '%s' (see guichet %s%s%s --help)\n", group,
				sub_name ? " " : "", sub_name ? sub_name : "", opt, group, sub_name ? " " : "",
				sub_name ? sub_name : "");
			return 2;
		}
	}
	argc = kept;
	cli.group = group;
	cli.sub = sub_name;
	args_command(group, sub_name && help_knows(group, sub_name) == 1 ? sub_name : NULL);
	/* "http://host:8080/" as a browser shows it: the paths add their own slash */
	static char server[2048];
	size_t len = strlen(cli.server);
	while (len > 0 && cli.server[len - 1] == '/')
		len--;
	if (len < sizeof(server)) {
		memcpy(server, cli.server, len);
		server[len] = '\0';
		cli.server = server;
	}
	if (strcmp(argv[i], "email") == 0)
		return cmd_email(&cli, argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "admin") == 0)
		return cmd_admin(argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "wfm") == 0 && i + 1 < argc && strcmp(argv[i + 1], "history") == 0)
		return cmd_api(&cli, argc - i - 1, argv + i + 1); /* the one wfm command that needs the server */
	if (strcmp(argv[i], "wfm") == 0)
		return cmd_wfm(argc - i - 1, argv + i + 1);
	return cmd_api(&cli, argc - i, argv + i);
}
