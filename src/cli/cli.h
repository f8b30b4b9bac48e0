/* The guichet CLI's shared parts: argument parsing, the HTTP client and
 * output. Every command's help text is in help.c. Commands live in cmd_admin.c (offline, on a database file),
 * cmd_api.c (through the HTTP API), cmd_routing.c (queues, skills, agents:
 * through the API too) and cmd_wfm.c (workforce maths, offline). */
#ifndef GUICHET_CLI_H
#define GUICHET_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ARGS_MAX 64

/* A command's arguments: options "--name value" or "--flag", and the rest. */
struct args {
	const char *names[ARGS_MAX], *values[ARGS_MAX];
	size_t n_opts;
	const char *pos[ARGS_MAX];
	size_t n_pos;
};

/* Parses argv against spec, a space-separated list of option names where a
 * trailing '=' means "takes a value" ("email= json"). Prints the offending
 * argument and returns -1 on an unknown option or a missing value. */
int args_parse(int argc, char **argv, const char *spec, struct args *ret);
/* The command whose line args_parse reads ("admin init"), named in its
 * messages with where its options are listed; main sets it. */
void args_command(const char *group, const char *sub);
/* The last value of an option (or "" for a flag), NULL when absent. */
const char *args_get(const struct args *a, const char *name);
/* The i-th value of a repeated option, NULL past the last. */
const char *args_nth(const struct args *a, const char *name, size_t i);
/* The value of a required option; prints an error naming it when absent. */
const char *args_need(const struct args *a, const char *name, const char *command);
/* The database: --db, else GUICHET_DB; NULL after a message naming both. */
const char *args_db(const struct args *a, const char *command);

/* Global settings of one run. */
struct cli {
	const char *server;       /* --server or GUICHET_URL */
	const char *tenant;       /* --tenant: sent as X-Guichet-Tenant */
	char token_file[1024];
	bool json;                /* --json */
	const char *group, *sub;  /* the command ("queue", "create"): errors name its options */
};

/* One API call: method, path (with query), an optional body with its
 * content type. Returns the HTTP status (0 when the server could not be
 * reached, with a message printed), and the parsed JSON answer if any. */
int client_call(const struct cli *cli, const char *method, const char *path, const char *body,
		size_t body_len, const char *content_type, json_t **ret_json);
/* The same, also returning the answer's raw text (malloc'd) for answers
 * that are not JSON (CSV). */
int client_call_text(const struct cli *cli, const char *method, const char *path, char **ret_text,
		     json_t **ret_json);
/* The token saved by login, or NULL. */
char *client_token(const struct cli *cli);
/* Saves a token with mode 0600. */
int client_save_token(const struct cli *cli, const char *token);

/* Prints an answer: JSON with --json, else a readable form. Returns the
 * exit status: 0 for 2xx, 1 otherwise (the error printed to stderr). */
int output_answer(const struct cli *cli, int status, json_t *answer);
/* Prints a list page as a table of the given columns ("id state subject"). */
int output_list(const struct cli *cli, int status, json_t *answer, const char *columns);
/* Prints text in a table's column width characters wide (UTF-8 characters,
 * not bytes: "problème réseau" is cut after a whole "é", and an accent
 * takes one place), padded on the right when left, else on the left. */
void output_cell(const char *text, int width, bool left);

/* Calls the API and prints the answer (cmd_api.c); the exit status. */
/* The headers every call of the API carries: the token (Authorization) and
 * the tenant chosen (X-Guichet-Tenant); free with curl_slist_free_all. */
struct curl_slist *client_headers(const struct cli *cli);
int cli_simple(const struct cli *cli, const char *method, const char *path, json_t *obj);
int cli_list(const struct cli *cli, const char *path, const char *columns);
/* Appends "name=value" (escaped) to the path and query in buf, with ? or &;
 * nothing when value is NULL. */
void cli_query_add(char *buf, size_t size, const char *name, const char *value);
/* The i-th positional argument as a numeric id; prints an error when it is not. */
const char *need_id(const struct args *a, size_t i, const char *command);
/* The same for a command whose ID is its last argument: one after it
 * (a second ID, as if several were handled) is refused by name. */
const char *need_only_id(const struct args *a, size_t i, const char *command);

/* Where the next record of a CSV starts after pos, and how many physical
 * lines (LF, CRLF or a lone CR) it spans; quoted line ends stay in it. */
size_t cli_csv_next_record(const char *data, size_t len, size_t pos, size_t *ret_lines);
/* "guichet users import FILE.csv" (cmd_users_import.c). */
int cmd_users_import(const struct cli *cli, const struct args *a);

/* Reads a whole file (malloc'd, NUL-terminated); prints an error naming it and returns -1. */
int cli_read_file(const char *path, const char *command, char **ret_data, size_t *ret_len);
/* The JSON document of the file at path ("-": standard input), which must
 * be a `kind` ("object", "array" or NULL for any value), duplicate keys
 * refused; NULL with the reason on stderr as "what: path: line L, column
 * C: why" (what: the command and its option, "guichet queue update --hours"). */
json_t *cli_load_json(const char *what, const char *path, const char *kind);
/* A secret's file (a password, a signing secret): its first line without
 * its newline ("-": standard input), malloc'd; NULL when it cannot be read
 * or is empty, said on stderr as "command: --option path: why". Secrets
 * come from files, never the command line, where any user of the machine
 * could read them in the process list. */
char *cli_read_secret(const char *path, const char *command, const char *option);

/* Help (help.c), from one table of every command's text. guichet --help: */
void help_overview(FILE *out);
/* guichet --help-all: the overview and every command's text (help2man reads it for guichet(1)). */
void help_all(FILE *out);
/* guichet GROUP [SUB] --help: a group's subcommands, or one command and its
 * options. Returns 0, or 2 (said on stderr) for an unknown group or subcommand. */
int help_command(FILE *out, const char *group, const char *sub);
/* How the command's help names --option: 0 not at all, 1 as a flag, 2 with
 * a value; -1 for a command it does not know (the command refuses itself). */
int help_option_form(const char *group, const char *sub, const char *option);
/* Whether the help table knows the command: 1 yes, 0 a known group without
 * that subcommand, -1 an unknown group. */
int help_knows(const char *group, const char *sub);

int cmd_admin(int argc, char **argv);
/* guichet admin backup | restore (cmd_backup.c): a database file copied while guichetd serves it. */
int cmd_admin_backup(int argc, char **argv);
int cmd_admin_restore(int argc, char **argv);
/* guichet admin migrate (cmd_migrate.c): a SQLite file moved into PostgreSQL. */
int cmd_admin_migrate(int argc, char **argv);
/* guichet kb (cmd_kb.c): knowledge search, import, export, learning, review. */
int cmd_kb(const struct cli *cli, const struct args *a);
/* guichet queue | skills | agent (cmd_routing.c), with cmd_api's parsed arguments. */
int cmd_routing(const struct cli *cli, const struct args *a);
/* guichet rules ... and guichet contacts suggest|reply ID (cmd_rules.c). */
int cmd_rules(const struct cli *cli, const struct args *a);
/* guichet incident list|add|end|remove (cmd_incident.c). */
int cmd_incident(const struct cli *cli, const struct args *a);
int cmd_contact_answer(const struct cli *cli, const struct args *a, const char *id);
/* guichet calendar | contacts due | report same-day (cmd_hours.c), with cmd_api's parsed arguments. */
int cmd_hours(const struct cli *cli, const struct args *a);
/* The demo tenant's operations (demo.c): calendar, queues, agents, the
 * knowledge of kb_path (none when NULL), its n_customers first contacts
 * (some waiting in queues, some held by agents) and a day of history,
 * written in the caller's transaction. */
struct store;
struct store_scope;
struct demo_counts {
	int kb_items, waiting, held, history;
};
int demo_operations(struct store *s, const struct store_scope *scope, const int64_t *customers, int n_customers,
		    const char *kb_path, struct demo_counts *counts);
/* guichet report intervals (cmd_report.c): the day so far per half hour. */
int cmd_report_intervals(const struct cli *cli, const struct args *a);
/* guichet report barometer (cmd_report.c). */
int cmd_report_barometer(const struct cli *cli, const struct args *a);
/* guichet report voice [digest] (cmd_voc.c). */
int cmd_report_voice(const struct cli *cli, const struct args *a);
/* guichet report summary (cmd_summary.c) */
int cmd_report_summary(const struct cli *cli, const struct args *a);
/* guichet report reasons|satisfaction|knowledge (cmd_reasons.c). */
int cmd_report_reasons(const struct cli *cli, const struct args *a);
/* guichet channel email ... (cmd_channel.c), with cmd_api's parsed arguments. */
int cmd_channel(const struct cli *cli, const struct args *a);
/* guichet channel messaging ... (cmd_messaging.c): SMS and social channels. */
int cmd_channel_messaging(const struct cli *cli, const struct args *a);
/* guichet channel chat ... (cmd_chat.c). */
int cmd_chat(const struct cli *cli, const struct args *a);
/* guichet channel voice ... (cmd_voice.c): telephone numbers and their menus. */
int cmd_channel_voice(const struct cli *cli, const struct args *a);
/* guichet attachment get (cmd_attachment.c): an email's attachment into a file. */
int cmd_attachment(const struct cli *cli, const struct args *a);
/* GETs path into out, written whole (through a temporary file beside it)
 * or not at all; what names the command in messages. 0, 1 or 2. */
int cli_download(const struct cli *cli, const char *path, const char *out, const char *what);
/* "-o FILE" or "--output FILE", or NULL. */
const char *cli_output_path(const struct args *a);
/* guichet recording list|get|settings (cmd_recording.c): calls' recordings. */
int cmd_recording(const struct cli *cli, const struct args *a);
int cmd_wfm(int argc, char **argv);
/* guichet email (cmd_email.c): one message parsed, offline. */
int cmd_email(const struct cli *cli, int argc, char **argv);
int cmd_api(const struct cli *cli, int argc, char **argv);

/* guichet callback ... and guichet report callbacks (cmd_callback.c), with cmd_api's parsed arguments. */
int cmd_callback(const struct cli *cli, const struct args *a);
int cmd_report_callbacks(const struct cli *cli, const struct args *a);
/* guichet gesture ... and guichet report gestures (cmd_gesture.c). */
int cmd_gesture(const struct cli *cli, const struct args *a);
int cmd_report_gestures(const struct cli *cli, const struct args *a);

/* guichet export l2 ... (cmd_export.c), with cmd_api's parsed arguments. */
int cmd_export(const struct cli *cli, const struct args *a);

#endif
