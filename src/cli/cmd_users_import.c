/* "guichet users import FILE.csv": a team's accounts from a spreadsheet,
 * as an outsourcer opening a site of hundreds of positions has them. One
 * POST /api/v1/users per record (the server checks and hashes each
 * password): a record the API refuses is printed with its line and the
 * API's message and the others are created; a person who already is one of
 * the tenant's users (GET /api/v1/users, read once first) is counted, not
 * sent, so the file can be run again once its bad lines are fixed. Exit 0 when every record was created
 * or already there, 1 when one was refused, 2 for a file that cannot be
 * read as users (its header names the problem).
 *
 * Columns, named by the header in any order, separated by ',' or ';'
 * (customer_csv_delimiter): email, name, role (required); organisation,
 * password (optional: without it, --password-file gives every new account
 * the same first password). Parsed by libcsv, record by record, so that
 * each refusal names the physical line where its record starts. */
#include "cli/cli.h"
#include "guichet/customer_csv.h"

#include <csv.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum column { C_EMAIL, C_NAME, C_ROLE, C_ORGANISATION, C_PASSWORD, N_COLUMNS };
static const char *const column_names[N_COLUMNS] = {"email", "name", "role", "organisation", "password"};

#define MAX_FIELDS 16

/* One record's fields, as libcsv hands them. */
struct fields {
	char *value[MAX_FIELDS];
	size_t n;
	bool too_many;
};

static void on_field(void *data, size_t len, void *arg)
{
	struct fields *f = arg;
	if (f->n == MAX_FIELDS) {
		f->too_many = true;
		return;
	}
	f->value[f->n] = strndup(data ? data : "", len);
	f->n++;
}

static void fields_clear(struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->value[i]);
	*f = (struct fields){0};
}

/* The fields of the record at data[from, to); false when it is not CSV. */
static bool parse_record(const char *data, size_t from, size_t to, unsigned char delimiter, struct fields *f)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0)
		return false;
	csv_set_delim(&p, delimiter);
	bool ok = csv_parse(&p, data + from, to - from, on_field, NULL, f) == to - from &&
		  csv_fini(&p, on_field, NULL, f) == 0;
	csv_free(&p);
	return ok && !f->too_many;
}

/* Where each column is in a record (-1: absent), from the header; 0, or -1
 * after naming the problem. */
static int read_header(const struct fields *h, int where[N_COLUMNS])
{
	for (int c = 0; c < N_COLUMNS; c++)
		where[c] = -1;
	for (size_t i = 0; i < h->n; i++) {
		int c = 0;
		while (c < N_COLUMNS && strcmp(h->value[i], column_names[c]) != 0)
			c++;
		if (c == N_COLUMNS) {
			fprintf(stderr, "guichet users import: line 1: unknown column '%s' (email, name, role,"
				" organisation, password)\n", h->value[i]);
			return -1;
		}
		if (where[c] >= 0) {
			fprintf(stderr, "guichet users import: line 1: column '%s' named twice\n", column_names[c]);
			return -1;
		}
		where[c] = (int)i;
	}
	for (int c = C_EMAIL; c <= C_ROLE; c++)
		if (where[c] < 0) {
			fprintf(stderr, "guichet users import: line 1: the column '%s' is required (email, name, role)\n",
				column_names[c]);
			return -1;
		}
	return 0;
}

static const char *cell(const struct fields *f, const int where[N_COLUMNS], enum column c)
{
	return where[c] >= 0 && (size_t)where[c] < f->n && f->value[where[c]][0] ? f->value[where[c]] : NULL;
}

struct counts {
	int created, existing, refused;
};

/* An email as the tenant's users are told apart (lower case). */
static void email_key(const char *email, char *key, size_t size)
{
	size_t i = 0;
	for (; email && email[i] && i + 1 < size; i++)
		key[i] = (char)tolower((unsigned char)email[i]);
	key[i] = '\0';
}

/* The tenant's users' emails, as a set (keys of an object); NULL after
 * printing why they cannot be read. */
static json_t *tenant_emails(const struct cli *cli)
{
	json_t *answer = NULL, *user;
	int status = client_call(cli, "GET", "/api/v1/users", NULL, 0, NULL, &answer);
	if (status != 200) {
		output_answer(cli, status, answer);
		json_decref(answer);
		return NULL;
	}
	json_t *set = json_object();
	size_t i;
	json_array_foreach(json_object_get(answer, "items"), i, user) {
		char key[512];
		email_key(json_string_value(json_object_get(user, "email")), key, sizeof(key));
		json_object_set_new(set, key, json_true());
	}
	json_decref(answer);
	return set;
}

/* Creates the record's user unless the tenant has them; its outcome
 * counted, a refusal printed. */
static void import_one(const struct cli *cli, const struct fields *f, const int where[N_COLUMNS],
		       const char *password, json_t *emails, size_t line, struct counts *n)
{
	char key[512];
	email_key(cell(f, where, C_EMAIL), key, sizeof(key));
	if (key[0] && json_object_get(emails, key)) {
		n->existing++;
		return;
	}
	const char *own = cell(f, where, C_PASSWORD);
	json_t *body = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?}", "email", cell(f, where, C_EMAIL), "name",
				 cell(f, where, C_NAME), "role", cell(f, where, C_ROLE), "organisation",
				 cell(f, where, C_ORGANISATION), "password", own ? own : password);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	json_t *answer = NULL;
	int status = text ? client_call(cli, "POST", "/api/v1/users", text, strlen(text), "application/json", &answer)
			  : 0;
	free(text);
	json_t *error = json_object_get(answer, "error");
	const char *message = json_string_value(json_object_get(error, "message"));
	const char *field = json_string_value(json_object_get(error, "field"));
	if (status == 201) {
		n->created++;
		json_object_set_new(emails, key, json_true()); /* named twice in the file: there now */
	} else {
		n->refused++;
		fprintf(stderr, "guichet users import: line %zu: %s%s%s\n", line, field ? field : "",
			field ? ": " : "", message ? message : status ? "refused" : "the server could not be reached");
	}
	json_decref(answer);
}

int cmd_users_import(const struct cli *cli, const struct args *a)
{
	if (a->n_pos < 3 || a->n_pos > 3) {
		fprintf(stderr, "guichet users import: expected FILE.csv (one file)\n");
		return 2;
	}
	char *data = NULL, *password = NULL;
	size_t len = 0, pos = 0, lines = 0;
	if (cli_read_file(a->pos[2], "guichet users import", &data, &len) < 0)
		return 2;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* a spreadsheet's byte order mark */
	unsigned char delimiter = customer_csv_delimiter(data + pos, len - pos);
	struct fields header = {0};
	int where[N_COLUMNS], rc = 2;
	size_t end = cli_csv_next_record(data, len, pos, &lines);
	if (!parse_record(data, pos, end, delimiter, &header)) {
		fprintf(stderr, "guichet users import: line 1: the header is not CSV\n");
		goto done;
	}
	if (read_header(&header, where) < 0)
		goto done;
	const char *password_file = args_get(a, "password-file");
	if (where[C_PASSWORD] < 0 && password_file == NULL) {
		fprintf(stderr, "guichet users import: without a password column, --password-file FILE gives every"
			" new account its first password\n");
		goto done;
	}
	if (password_file &&
	    (password = cli_read_secret(password_file, "guichet users import", "--password-file")) == NULL)
		goto done;
	json_t *emails = tenant_emails(cli);
	if (emails == NULL) {
		rc = 1;
		goto done;
	}
	struct counts n = {0};
	size_t line = 1 + lines;
	for (pos = end; pos < len; pos = end, line += lines) {
		end = cli_csv_next_record(data, len, pos, &lines);
		struct fields f = {0};
		bool blank = strspn(data + pos, "\r\n") >= end - pos;
		if (blank) {
			continue;
		} else if (!parse_record(data, pos, end, delimiter, &f)) {
			n.refused++;
			fprintf(stderr, "guichet users import: line %zu: not a CSV record (a quote not closed,"
				" or more than %d fields)\n", line, MAX_FIELDS);
		} else {
			import_one(cli, &f, where, password, emails, line, &n);
		}
		fields_clear(&f);
	}
	if (cli->json)
		printf("{\"created\":%d,\"existing\":%d,\"refused\":%d}\n", n.created, n.existing, n.refused);
	else
		printf("%d created, %d already there, %d refused\n", n.created, n.existing, n.refused);
	json_decref(emails);
	rc = n.refused ? 1 : 0;
done:
	fields_clear(&header);
	free(password);
	free(data);
	return rc;
}
