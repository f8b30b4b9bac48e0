/* Help and manual pages, as a person and help2man read them: every guichet
 * command and subcommand answers --help with a usage line on stdout and exit
 * status 0, wherever --help stands on the line; guichet(1) names every
 * command and option the help texts name, and guichetd(8) every option that
 * guichetd --help lists. No daemon is started: help needs none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct daemon d; /* only its folder, for run_cli's output files */

/* Every command of guichet, as README.md and docs/api.md use them. */
static const char *const commands[][2] = {
	{"admin", "init"}, {"admin", "demo"}, {"admin", "backup"}, {"admin", "restore"}, {"admin", "migrate"},
	{"wfm", "erlang-c"}, {"wfm", "staff"}, {"wfm", "erlang-a"}, {"wfm", "plan"}, {"wfm", "overflow"},
	{"wfm", "simulate"}, {"wfm", "forecast"}, {"wfm", "backtest"}, {"wfm", "history"}, {"wfm", "synth"},
	{"email", "parse"},
	{"login", NULL}, {"logout", NULL}, {"me", NULL}, {"audit", NULL},
	{"tenants", "list"}, {"tenants", "create"}, {"organisations", "list"}, {"organisations", "create"},
	{"memberships", "grant"},
	{"users", "list"}, {"users", "show"}, {"users", "create"}, {"users", "role"}, {"users", "disable"},
	{"users", "enable"}, {"users", "password"},
	{"tokens", "list"}, {"tokens", "create"}, {"tokens", "revoke"},
	{"customers", "list"}, {"customers", "show"}, {"customers", "create"}, {"customers", "import"},
	{"contacts", "list"}, {"contacts", "show"}, {"contacts", "events"}, {"contacts", "journey"}, {"contacts", "create"},
	{"contacts", "message"}, {"contacts", "note"}, {"contacts", "state"}, {"contacts", "due"},
	{"calendar", "show"}, {"calendar", "set"}, {"report", "same-day"}, {"report", "intervals"},
	{"callback", "request"}, {"callback", "list"}, {"callback", "show"}, {"callback", "outcome"},
	{"callback", "cancel"}, {"callback", "settings"}, {"report", "callbacks"},
	{"skills", "list"}, {"skills", "create"}, {"skills", "rename"}, {"skills", "delete"},
	{"queue", "list"}, {"queue", "stats"}, {"queue", "show"}, {"queue", "delete"}, {"queue", "create"},
	{"queue", "update"}, {"queue", "enqueue"}, {"queue", "move"}, {"queue", "where"}, {"queue", "abandon"},
	{"agent", "list"}, {"agent", "me"}, {"agent", "show"}, {"agent", "set"}, {"agent", "presence"},
	{"agent", "accept"}, {"agent", "reject"}, {"agent", "wrapup"}, {"agent", "escalate"},
	{"agent", "transfer"}, {"agent", "events"},
	{"call", "hold"}, {"call", "resume"}, {"call", "transfer"}, {"call", "escalate"},
	{"kb", "search"}, {"kb", "import"}, {"kb", "export"}, {"kb", "learn"}, {"kb", "list"}, {"kb", "show"},
	{"kb", "gaps"}, {"kb", "submit"}, {"kb", "approve"}, {"kb", "reject"}, {"kb", "publish"},
	{"kb", "archive"}, {"kb", "flag"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int setup(void **state)
{
	snprintf(d.dir, sizeof(d.dir), "/tmp/guichet-help-XXXXXX");
	if (mkdtemp(d.dir) == NULL)
		return -1;
	snprintf(d.url, sizeof(d.url), "http://127.0.0.1:9"); /* never reached */
	return 0;
}

#define CLI(out, err, ...) run_cli(&d, "/nonexistent/token", &out, &err, __VA_ARGS__, NULL)

/* A whole file (malloc'd), with the man page's "\-" read as "-". */
static char *read_man(const char *name)
{
	char path[512];
	harness_binary(name, path, sizeof(path));
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s is missing: the build makes it with help2man", path);
	char *text = calloc(1, 1 << 20);
	size_t n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\\' && text[i + 1] == '-')
			continue;
		text[j++] = text[i];
	}
	text[j] = '\0';
	return text;
}

/* Whether text has option (like "--max-connections") as a whole word. */
static bool has_option(const char *text, const char *option)
{
	size_t len = strlen(option);
	for (const char *p = strstr(text, option); p; p = strstr(p + 1, option)) {
		char after = p[len];
		if (!isalnum((unsigned char)after) && after != '-' && (p == text || p[-1] != '-'))
			return true;
	}
	return false;
}

/* Calls check(option) for each "--name" in text; returns how many. */
static size_t each_option(const char *text, const char *man, const char *where)
{
	size_t n = 0;
	for (const char *p = strstr(text, "--"); p; p = strstr(p, "--")) {
		size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
		char option[64];
		snprintf(option, sizeof(option), "%.*s", (int)len, p);
		p += len;
		if (len == 2 || (p - len > text && !strchr(" [(\n,", p[-len - 1])))
			continue; /* not an option: "--" alone, or inside a word */
		if (!has_option(man, option))
			fail_msg("the man page lacks %s, listed by %s", option, where);
		n++;
	}
	return n;
}

/* What command i answers to --help (stdout), checked: a usage line, exit
 * status 0, nothing on stderr. Asked once (each run of the CLI costs): the
 * tests below read the same text. */
static char *help_of[N_COMMANDS];

static const char *command_help(size_t i)
{
	if (help_of[i])
		return help_of[i];
	const char *group = commands[i][0], *sub = commands[i][1];
	char *out, *err, usage[96];
	int rc = sub ? CLI(out, err, group, sub, "--help") : CLI(out, err, group, "--help");
	snprintf(usage, sizeof(usage), "Usage: guichet %s%s%s", group, sub ? " " : "", sub ? sub : "");
	if (rc != 0 || strncmp(out, usage, strlen(usage)) != 0 || *err)
		fail_msg("guichet %s %s --help: exit %d, stdout '%.80s', stderr '%s'", group, sub ? sub : "", rc, out,
			 err);
	free(err);
	return help_of[i] = out;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		free(help_of[i]);
	daemon_cleanup(&d);
	return 0;
}

static void every_command_answers_help(void **state)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		command_help(i);
}

static void every_group_lists_its_subcommands(void **state)
{
	char *overview, *err;
	assert_int_equal(CLI(overview, err, "--help"), 0);
	free(err);
	char *group_help = NULL;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *group = commands[i][0], *sub = commands[i][1];
		char usage[96], line[64];
		if (i == 0 || strcmp(group, commands[i - 1][0]) != 0) { /* each group's help read once */
			free(group_help);
			assert_int_equal(CLI(group_help, err, group, "--help"), 0);
			free(err);
			snprintf(usage, sizeof(usage), "Usage: guichet %s", group);
			assert_memory_equal(group_help, usage, strlen(usage));
			/* the overview lists the group */
			snprintf(line, sizeof(line), "\n  %s ", group);
			if (strstr(overview, line) == NULL)
				fail_msg("guichet --help does not list %s", group);
		}
		snprintf(line, sizeof(line), "\n  %s ", sub ? sub : "");
		if (sub && strstr(group_help, line) == NULL)
			fail_msg("guichet %s --help does not list %s", group, sub);
	}
	free(group_help);
	free(overview);
}

/* The example, and --help after arguments or with global options. */
static void help_wins_wherever_it_stands(void **state)
{
	char *out, *err;
	assert_int_equal(CLI(out, err, "wfm", "backtest", "--help"), 0);
	assert_non_null(strstr(out, "--holdout-days"));
	free(out);
	free(err);
	assert_int_equal(CLI(out, err, "wfm", "backtest", "/nonexistent.csv", "--holdout-days", "7", "--help"), 0);
	assert_memory_equal(out, "Usage: guichet wfm backtest", 27);
	free(out);
	free(err);
	assert_int_equal(CLI(out, err, "--server", "http://127.0.0.1:9", "contacts", "state", "41", "resolved", "--help"), 0);
	assert_memory_equal(out, "Usage: guichet contacts state", 29);
	free(out);
	free(err);
	assert_int_equal(CLI(out, err, "--json", "kb", "search", "box rouge", "--help"), 0);
	assert_memory_equal(out, "Usage: guichet kb search", 24);
	free(out);
	free(err);
}

static void top_level_help_version_and_mistakes(void **state)
{
	char *out, *err;
	assert_int_equal(CLI(out, err, "--help"), 0);
	assert_memory_equal(out, "Usage: guichet ", 15);
	assert_non_null(strstr(out, "GUICHET_TOKEN_FILE"));
	free(out);
	free(err);
	assert_int_equal(CLI(out, err, "--version"), 0);
	assert_memory_equal(out, "guichet ", 8);
	free(out);
	free(err);
	assert_int_equal(CLI(out, err, "--help-all"), 0);
	assert_non_null(strstr(out, "guichet queue create --name N"));
	free(out);
	free(err);
	/* no command: the overview, on stderr, and exit 2 */
	assert_int_equal(run_cli(&d, "/nonexistent/token", &out, &err, NULL), 2);
	assert_string_equal(out, "");
	assert_memory_equal(err, "Usage: guichet ", 15);
	free(out);
	free(err);
	assert_int_equal(CLI(out, err, "contacts", "bogus", "--help"), 2);
	assert_non_null(strstr(err, "unknown subcommand 'bogus'"));
	free(out);
	free(err);
	assert_int_equal(CLI(out, err, "bogus", "--help"), 2);
	assert_non_null(strstr(err, "unknown command 'bogus'"));
	free(out);
	free(err);
}

/* guichet(1) holds every command, and every option of every command's --help. */
static void guichet_man_page_has_every_command(void **state)
{
	char *man = read_man("man/guichet.1");
	assert_non_null(strstr(man, ".TH GUICHET \"1\""));
	size_t n_options = 0;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *group = commands[i][0], *sub = commands[i][1];
		char words[96], where[128];
		snprintf(words, sizeof(words), "guichet %s%s%s", group, sub ? " " : "", sub ? sub : "");
		if (strstr(man, words) == NULL)
			fail_msg("guichet.1 lacks '%s'", words);
		snprintf(where, sizeof(where), "%s --help", words);
		n_options += each_option(command_help(i), man, where);
	}
	char *out, *err;
	assert_int_equal(CLI(out, err, "--help"), 0);
	n_options += each_option(out, man, "guichet --help");
	free(out);
	free(err);
	assert_true(n_options > 150);
	free(man);
}

/* guichetd(8) holds every option guichetd --help lists. */
static void guichetd_man_page_has_every_option(void **state)
{
	char bin[512], out_path[160];
	snprintf(out_path, sizeof(out_path), "%s/guichetd-help", d.dir);
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "'%s' --help > '%s'", harness_binary("guichetd", bin, sizeof(bin)), out_path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(out_path, "r");
	assert_non_null(f);
	char *help = calloc(1, 1 << 16);
	size_t n = fread(help, 1, (1 << 16) - 1, f);
	fclose(f);
	help[n] = '\0';
	assert_memory_equal(help, "Usage: guichetd", 15);
	char *man = read_man("man/guichetd.8");
	assert_non_null(strstr(man, ".TH GUICHETD \"8\""));
	assert_true(each_option(help, man, "guichetd --help") >= 20);
	/* and the check can fail: an option the page does not have */
	assert_false(has_option(man, "--no-such-option"));
	assert_false(has_option(man, "--max-connections-per")); /* a prefix is not the option */
	free(help);
	free(man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_command_answers_help),
		cmocka_unit_test(every_group_lists_its_subcommands),
		cmocka_unit_test(help_wins_wherever_it_stands),
		cmocka_unit_test(top_level_help_version_and_mistakes),
		cmocka_unit_test(guichet_man_page_has_every_command),
		cmocka_unit_test(guichetd_man_page_has_every_option),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
