/* The CLI commands that talk to the HTTP API (see guichet --help). */
#include "cli/cli.h"
#include "guichet/customer_csv.h"
#include "guichet/text.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Sends obj (taken) as JSON. */
static int call_json(const struct cli *cli, const char *method, const char *path, json_t *obj,
		     json_t **ret)
{
	char *body = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	int status = client_call(cli, method, path, body, body ? strlen(body) : 0,
				 body ? "application/json" : NULL, ret);
	free(body);
	return status;
}

void cli_query_add(char *buf, size_t size, const char *name, const char *value)
{
	if (value == NULL)
		return;
	char *escaped = curl_easy_escape(NULL, value, 0);
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, "%c%s=%s", strchr(buf, '?') ? '&' : '?', name, escaped ? escaped : "");
	curl_free(escaped);
}

int cli_simple(const struct cli *cli, const char *method, const char *path, json_t *obj)
{
	json_t *answer = NULL;
	int status = call_json(cli, method, path, obj, &answer);
	int rc = output_answer(cli, status, answer);
	json_decref(answer);
	return rc;
}

int cli_list(const struct cli *cli, const char *path, const char *columns)
{
	json_t *answer = NULL;
	int status = call_json(cli, "GET", path, NULL, &answer);
	int rc = output_list(cli, status, answer, columns);
	json_decref(answer);
	return rc;
}

/* A positional id; prints an error naming what is missing. */
const char *need_id(const struct args *a, size_t i, const char *command)
{
	int64_t id;
	if (a->n_pos <= i || gc_parse_i64(a->pos[i], 1, INT64_MAX, &id) < 0) {
		fprintf(stderr, "guichet %s: expected a numeric ID%s%s\n", command,
			a->n_pos > i ? ", got " : "", a->n_pos > i ? a->pos[i] : "");
		return NULL;
	}
	return a->pos[i];
}

const char *need_only_id(const struct args *a, size_t i, const char *command)
{
	const char *id = need_id(a, i, command);
	if (id && a->n_pos > i + 1) {
		fprintf(stderr, "guichet %s: unexpected argument '%s' after the ID (one ID at a time)\n", command,
			a->pos[i + 1]);
		return NULL;
	}
	return id;
}

static int login(const struct cli *cli, const struct args *a)
{
	const char *email = args_need(a, "email", "login");
	const char *password = args_get(a, "password");
	if (password == NULL)
		password = getenv("GUICHET_PASSWORD");
	if (password == NULL && isatty(STDIN_FILENO))
		password = getpass("password: ");
	if (email == NULL || password == NULL) {
		if (password == NULL)
			fprintf(stderr, "guichet login: --password (or GUICHET_PASSWORD) is required\n");
		return 2;
	}
	json_t *answer = NULL;
	int status = call_json(cli, "POST", "/api/v1/auth/login",
			       json_pack("{s:s,s:s,s:s?}", "email", email, "password", password,
					 "tenant", args_get(a, "tenant")), &answer);
	const char *token = json_string_value(json_object_get(answer, "token"));
	int rc;
	if (status == 200 && token) {
		if (client_save_token(cli, token) < 0) {
			fprintf(stderr, "guichet login: cannot write %s\n", cli->token_file);
			json_decref(answer);
			return 1;
		}
		json_object_del(answer, "token"); /* never printed: it is in the token file */
		json_object_set_new(answer, "token_file", json_string(cli->token_file));
	}
	rc = output_answer(cli, status, answer);
	json_decref(answer);
	return rc;
}

/* A user's password: from --password-file (a file, or "-" for standard
 * input, which no other user of the machine can read in the process list)
 * or --password; NULL after a message naming both. Free it. */
static char *user_password(const struct args *a, const char *command)
{
	const char *file = args_get(a, "password-file"), *given = args_get(a, "password");
	if (file)
		return cli_read_secret(file, command, "--password-file");
	if (given)
		return strdup(given);
	fprintf(stderr, "%s: --password-file FILE (or --password) is required\n", command);
	return NULL;
}

static int users(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id = NULL;
	char path[256];
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/users", "id email name role organisation disabled");
	if (strcmp(sub, "import") == 0)
		return cmd_users_import(cli, a);
	if (strcmp(sub, "create") == 0) {
		const char *email = args_need(a, "email", "users create"), *name = args_need(a, "name", "users create");
		const char *role = args_need(a, "role", "users create");
		char *password = email && name && role ? user_password(a, "guichet users create") : NULL;
		if (password == NULL)
			return 2;
		int rc = cli_simple(cli, "POST", "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s,s:s?}", "email", email,
			"name", name, "password", password, "role", role, "organisation", args_get(a, "organisation")));
		free(password);
		return rc;
	}
	if ((id = strcmp(sub, "role") == 0 ? need_id(a, 2, "users") : need_only_id(a, 2, "users")) == NULL)
		return 2;
	snprintf(path, sizeof(path), "/api/v1/users/%s", id);
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	if (strcmp(sub, "role") == 0 && a->n_pos > 3) {
		strcat(path, "/role");
		return cli_simple(cli, "POST", path, json_pack("{s:s}", "role", a->pos[3]));
	}
	if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
		snprintf(path, sizeof(path), "/api/v1/users/%s/%s", id, sub);
		return cli_simple(cli, "POST", path, NULL);
	}
	if (strcmp(sub, "password") == 0) {
		char *password = user_password(a, "guichet users password");
		if (password == NULL)
			return 2;
		strcat(path, "/password");
		int rc = cli_simple(cli, "POST", path, json_pack("{s:s}", "password", password));
		free(password);
		return rc;
	}
	fprintf(stderr, "guichet users: unknown subcommand '%s' (or missing ROLE)\n", sub);
	return 2;
}

/* "--attr key=value[:class]" into {"key": {"value","class"}}. */
static int customer_attrs(const struct args *a, json_t *body)
{
	const char *attr;
	json_t *attrs = json_object();
	for (size_t i = 0; (attr = args_nth(a, "attr", i)) != NULL; i++) {
		const char *eq = strchr(attr, '=');
		if (eq == NULL || eq == attr) {
			fprintf(stderr, "guichet customers: --attr '%s': expected KEY=VALUE[:CLASS]\n", attr);
			json_decref(attrs);
			return -1;
		}
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - attr), attr);
		const char *colon = strrchr(eq + 1, ':');
		const char *cls = colon && (strcmp(colon + 1, "basic") == 0 || strcmp(colon + 1, "personal") == 0 ||
					    strcmp(colon + 1, "confidential") == 0) ? colon + 1 : NULL;
		json_t *value = cls ? json_stringn(eq + 1, (size_t)(colon - eq - 1)) : json_string(eq + 1);
		json_object_set_new(attrs, key, cls ? json_pack("{s:o,s:s}", "value", value, "class", cls)
						    : value);
	}
	if (json_object_size(attrs))
		json_object_set_new(body, "attributes", attrs);
	else
		json_decref(attrs);
	return 0;
}

size_t cli_csv_next_record(const char *data, size_t len, size_t pos, size_t *ret_lines)
{
	bool quoted = false;
	size_t lines = 0;
	for (size_t i = pos; i < len; i++) {
		if (data[i] == '"')
			quoted = !quoted;
		else if (data[i] == '\n' || data[i] == '\r') {
			if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
				i++;
			lines++;
			if (!quoted) {
				*ret_lines = lines;
				return i + 1;
			}
		}
	}
	*ret_lines = lines + 1;
	return len;
}

/* One import's counts and rejects, summed over the parts sent. */
struct import_total {
	json_int_t inserted, updated, unchanged;
	json_t *rejected;
};

/* Sends header + data[from, to) whose first record is on physical line
 * first_line of the file; the server's line numbers are mapped back to the
 * file's. Returns the HTTP status; *ret_answer is the server's answer. */
static int import_part(const struct cli *cli, const char *path, const char *data, size_t header_len,
		       size_t header_lines, size_t from, size_t to, size_t first_line, struct import_total *t,
		       json_t **ret_answer)
{
	size_t len = header_len + (to - from);
	char *body = malloc(len + 1);
	if (body == NULL)
		return 0;
	memcpy(body, data, header_len);
	memcpy(body + header_len, data + from, to - from);
	int status = client_call(cli, "POST", path, body, len, "text/csv", ret_answer);
	free(body);
	json_t *answer = *ret_answer, *row;
	size_t i;
	json_array_foreach(json_object_get(answer, "rejected"), i, row) {
		json_int_t line = json_integer_value(json_object_get(row, "line"));
		json_object_set_new(row, "line", json_integer(line - (json_int_t)header_lines - 1 + (json_int_t)first_line));
		if (status == 200)
			json_array_append(t->rejected, row);
	}
	if (status == 200) {
		t->inserted += json_integer_value(json_object_get(answer, "inserted"));
		t->updated += json_integer_value(json_object_get(answer, "updated"));
		t->unchanged += json_integer_value(json_object_get(answer, "unchanged"));
	}
	return status;
}

/* The fields of a CSV header line (delimiters outside quotes, plus one). */
static size_t count_fields(const char *data, size_t len)
{
	unsigned char delimiter = customer_csv_delimiter(data, len);
	size_t n = 1;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '"')
			quoted = !quoted;
		else if ((unsigned char)data[i] == delimiter && !quoted)
			n++;
	}
	return n;
}

/* Sends the file in parts of at most customer_csv_max_records records and
 * CUSTOMER_CSV_MAX_BYTES bytes, each with the header: the server refuses more in one request, so that no import
 * holds the single writer long. --all-or-nothing sends the file whole. */
static int import_in_parts(const struct cli *cli, const char *path, const char *data, size_t len,
			   json_t **ret_answer)
{
	size_t header_lines, pos = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	size_t header_len = cli_csv_next_record(data, len, pos, &header_lines);
	size_t per_part = customer_csv_max_records(count_fields(data + pos, header_len - pos));
	struct import_total t = {.rejected = json_array()};
	size_t line = 1 + header_lines, from = header_len;
	int status = 200;
	*ret_answer = NULL;
	do { /* once at least: a file of a header alone still has it checked */
		size_t to = from, first_line = line, n = 0, lines;
		while (to < len && n < per_part) {
			size_t next = cli_csv_next_record(data, len, to, &lines);
			if (n > 0 && header_len + (next - from) > CUSTOMER_CSV_MAX_BYTES)
				break; /* the next part starts with it */
			to = next;
			line += lines;
			n++;
		}
		json_decref(*ret_answer);
		*ret_answer = NULL;
		status = import_part(cli, path, data, header_len, header_lines, from, to, first_line, &t, ret_answer);
		if (status != 200 && from > header_len)
			fprintf(stderr, "guichet customers import: the records before line %zu were imported\n",
				first_line);
		from = to;
	} while (status == 200 && from < len);
	if (status == 200) {
		json_decref(*ret_answer);
		*ret_answer = json_pack("{s:I,s:I,s:I,s:o,s:b}", "inserted", t.inserted, "updated", t.updated,
					"unchanged", t.unchanged, "rejected", t.rejected, "all_or_nothing", 0);
	} else {
		json_decref(t.rejected);
	}
	return status;
}

static int import_customers(const struct cli *cli, const struct args *a)
{
	if (a->n_pos < 3) {
		fprintf(stderr, "guichet customers import: expected FILE.csv\n");
		return 2;
	}
	char *data = NULL;
	size_t len = 0;
	if (cli_read_file(a->pos[2], "guichet customers import", &data, &len) < 0)
		return 1;
	bool whole = args_get(a, "all-or-nothing") != NULL;
	json_t *answer = NULL;
	int status = whole ? client_call(cli, "POST", "/api/v1/customers/import?mode=all-or-nothing",
					 data ? data : "", len, "text/csv", &answer)
			   : import_in_parts(cli, "/api/v1/customers/import", data ? data : "", len, &answer);
	free(data);
	if (whole && status == 413)
		fprintf(stderr, "guichet customers import: --all-or-nothing sends the file in one request,"
			" (at most %d bytes, %d records, %d cells); without it the file is sent in parts\n",
			CUSTOMER_CSV_MAX_BYTES, CUSTOMER_CSV_MAX_ROWS, CUSTOMER_CSV_MAX_CELLS);
	int rc = output_answer(cli, status, answer);
	json_t *rejected = json_object_get(answer, "rejected");
	if (status == 200 && !cli->json) {
		size_t i;
		json_t *row;
		json_array_foreach(rejected, i, row)
			fprintf(stderr, "  line %lld: %s\n", (long long)json_integer_value(json_object_get(row, "line")),
				json_string_value(json_object_get(row, "reason")));
	}
	json_decref(answer);
	return rc;
}

static int customers(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id;
	char path[1024] = "/api/v1/customers";
	if (strcmp(sub, "list") == 0) {
		cli_query_add(path, sizeof(path), "external_id", args_get(a, "external-id"));
		cli_query_add(path, sizeof(path), "email", args_get(a, "email"));
		cli_query_add(path, sizeof(path), "phone", args_get(a, "phone"));
		cli_query_add(path, sizeof(path), "limit", args_get(a, "limit"));
		cli_query_add(path, sizeof(path), "cursor", args_get(a, "cursor"));
		return cli_list(cli, path, "id external_id email phone attributes");
	}
	if (strcmp(sub, "import") == 0)
		return import_customers(cli, a);
	if (strcmp(sub, "create") == 0) {
		json_t *body = json_pack("{s:s?,s:s?,s:s?}", "external_id", args_get(a, "external-id"),
					 "email", args_get(a, "email"), "phone", args_get(a, "phone"));
		if (customer_attrs(a, body) < 0) {
			json_decref(body);
			return 2;
		}
		return cli_simple(cli, "POST", path, body);
	}
	if (strcmp(sub, "show") == 0 && (id = need_only_id(a, 2, "customers show")) != NULL) {
		snprintf(path, sizeof(path), "/api/v1/customers/%s", id);
		return cli_simple(cli, "GET", path, NULL);
	}
	if (strcmp(sub, "show") != 0)
		fprintf(stderr, "guichet customers: unknown subcommand '%s'\n", sub);
	return 2;
}

static int contact_create(const struct cli *cli, const struct args *a)
{
	const char *channel = args_need(a, "channel", "contacts create");
	if (channel == NULL)
		return 2;
	json_t *body = json_pack("{s:s,s:s?,s:s?,s:s?,s:s?}", "channel", channel, "subject",
				 args_get(a, "subject"), "queue", args_get(a, "queue"), "reason",
				 args_get(a, "reason"), "message", args_get(a, "message"));
	int64_t n;
	const char *customer = args_get(a, "customer"), *priority = args_get(a, "priority"), *tag;
	const char *queue_id = args_get(a, "queue-id"), *label = args_get(a, "queue");
	if (label && queue_id == NULL && gc_parse_i64(label, 1, INT64_MAX, &n) == 0) {
		/* a number there is a queue meant, not a label: say which option routes */
		fprintf(stderr, "guichet contacts create: --queue is a label; to put the contact in queue %s, "
			"use --queue-id %s\n", label, label);
		json_decref(body);
		return 2;
	}
	if (queue_id && gc_parse_i64(queue_id, 1, INT64_MAX, &n) == 0) {
		json_object_set_new(body, "queue_id", json_integer(n));
	} else if (queue_id) {
		fprintf(stderr, "guichet contacts create: --queue-id: expected a numeric id (guichet queue list)\n");
		json_decref(body);
		return 2;
	}
	if (customer && gc_parse_i64(customer, 1, INT64_MAX, &n) == 0)
		json_object_set_new(body, "customer_id", json_integer(n));
	else if (customer)
		goto bad_customer;
	if (priority && gc_parse_i64(priority, 0, 9, &n) == 0)
		json_object_set_new(body, "priority", json_integer(n));
	else if (priority)
		goto bad_priority;
	json_t *tags = json_array();
	for (size_t i = 0; (tag = args_nth(a, "tag", i)) != NULL; i++)
		json_array_append_new(tags, json_string(tag));
	if (json_array_size(tags))
		json_object_set_new(body, "tags", tags);
	else
		json_decref(tags);
	return cli_simple(cli, "POST", "/api/v1/contacts", body);
bad_customer:
	fprintf(stderr, "guichet contacts create: --customer: expected a numeric id\n");
	json_decref(body);
	return 2;
bad_priority:
	fprintf(stderr, "guichet contacts create: --priority: expected 0 to 9\n");
	json_decref(body);
	return 2;
}

static int contacts(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id;
	char path[1024] = "/api/v1/contacts";
	if (strcmp(sub, "list") == 0) {
		cli_query_add(path, sizeof(path), "state", args_get(a, "state"));
		cli_query_add(path, sizeof(path), "queue", args_get(a, "queue"));
		cli_query_add(path, sizeof(path), "customer_id", args_get(a, "customer"));
		cli_query_add(path, sizeof(path), "updated_since", args_get(a, "since"));
		cli_query_add(path, sizeof(path), "limit", args_get(a, "limit"));
		cli_query_add(path, sizeof(path), "cursor", args_get(a, "cursor"));
		return cli_list(cli, path, "id state channel queue priority customer_id subject updated_at");
	}
	if (strcmp(sub, "create") == 0)
		return contact_create(cli, a);
	if ((id = need_id(a, 2, "contacts")) == NULL)
		return 2;
	snprintf(path, sizeof(path), "/api/v1/contacts/%s", id);
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	if (strcmp(sub, "suggest") == 0 || strcmp(sub, "reply") == 0)
		return cmd_contact_answer(cli, a, id);
	if (strcmp(sub, "events") == 0) {
		strcat(path, "/events");
		return cli_list(cli, path, "id at type actor data");
	}
	if (strcmp(sub, "journey") == 0) {
		strcat(path, "/journey");
		return cli_list(cli, path, "at source type agent actor queue data");
	}
	if (strcmp(sub, "attachments") == 0) {
		strcat(path, "/attachments");
		return cli_list(cli, path, "id filename content_type size message_id sha256");
	}
	if (strcmp(sub, "message") == 0 || strcmp(sub, "note") == 0) {
		const char *body = args_need(a, "body", strcmp(sub, "note") == 0 ? "contacts note" : "contacts message");
		if (body == NULL)
			return 2;
		strcat(path, strcmp(sub, "note") == 0 ? "/notes" : "/messages");
		return cli_simple(cli, "POST", path, strcmp(sub, "note") == 0 ? json_pack("{s:s}", "body", body)
			: json_pack("{s:s,s:s}", "body", body, "direction",
				    args_get(a, "outbound") ? "outbound" : "inbound"));
	}
	if (strcmp(sub, "state") == 0 && a->n_pos > 3) {
		int64_t version = 0;
		const char *v = args_get(a, "expected-version");
		if (v && gc_parse_i64(v, 1, INT64_MAX, &version) < 0) {
			fprintf(stderr, "guichet contacts state: --expected-version: expected a number\n");
			return 2;
		}
		json_t *body = json_pack("{s:s,s:s?}", "state", a->pos[3], "disposition", args_get(a, "disposition"));
		if (version)
			json_object_set_new(body, "expected_version", json_integer(version));
		strcat(path, "/state");
		return cli_simple(cli, "POST", path, body);
	}
	fprintf(stderr, "guichet contacts: unknown subcommand '%s' (or missing STATE)\n", sub);
	return 2;
}

static int tokens(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id;
	char path[256];
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/api-tokens", "id name role created_at expires_at revoked_at");
	if (strcmp(sub, "create") == 0) {
		const char *name = args_need(a, "name", "tokens create"), *role = args_need(a, "role", "tokens create");
		const char *days = args_get(a, "expires-days");
		int64_t n = 0;
		if (!name || !role)
			return 2;
		if (days && gc_parse_i64(days, 1, 3650, &n) < 0) {
			fprintf(stderr, "guichet tokens create: --expires-days: 1 to 3650\n");
			return 2;
		}
		json_t *body = json_pack("{s:s,s:s}", "name", name, "role", role);
		if (n)
			json_object_set_new(body, "expires_days", json_integer(n));
		return cli_simple(cli, "POST", "/api/v1/api-tokens", body);
	}
	if (strcmp(sub, "revoke") == 0 && (id = need_only_id(a, 2, "tokens revoke")) != NULL) {
		snprintf(path, sizeof(path), "/api/v1/api-tokens/%s", id);
		return cli_simple(cli, "DELETE", path, NULL);
	}
	return 2;
}

static int directory(const struct cli *cli, const struct args *a)
{
	const char *what = a->pos[0], *sub = a->n_pos > 1 ? a->pos[1] : "list";
	bool tenants_cmd = strcmp(what, "tenants") == 0;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, tenants_cmd ? "/api/v1/tenants" : "/api/v1/organisations",
			    tenants_cmd ? "id name organisation created_at" : "id name kind created_at");
	if (strcmp(sub, "create") == 0 && a->n_pos > 2) {
		if (tenants_cmd) {
			json_t *body = json_pack("{s:s,s:s?}", "name", a->pos[2], "organisation", args_get(a, "organisation"));
			const char *admin = args_get(a, "admin-email");
			if (admin) { /* the brand and its first administrator, together or neither */
				const char *name = args_need(a, "admin-name", "tenants create");
				const char *file = name ? args_need(a, "admin-password-file", "tenants create") : NULL;
				char *password = file ? cli_read_secret(file, "guichet tenants create", "--admin-password-file")
						      : NULL;
				if (password == NULL) {
					json_decref(body);
					return 2;
				}
				json_object_set_new(body, "admin", json_pack("{s:s,s:s,s:s}", "email", admin, "name", name,
									      "password", password));
				free(password);
			}
			return cli_simple(cli, "POST", "/api/v1/tenants", body);
		}
		const char *kind = args_need(a, "kind", "organisations create");
		return kind ? cli_simple(cli, "POST", "/api/v1/organisations",
				     json_pack("{s:s,s:s}", "name", a->pos[2], "kind", kind)) : 2;
	}
	fprintf(stderr, "guichet %s: expected 'list' or 'create NAME'\n", what);
	return 2;
}

static int memberships(const struct cli *cli, const struct args *a)
{
	const char *email = args_need(a, "email", "memberships grant"), *tenant = args_need(a, "tenant", "memberships grant");
	const char *role = args_need(a, "role", "memberships grant");
	if (a->n_pos < 2 || strcmp(a->pos[1], "grant") != 0 || !email || !tenant || !role)
		return 2;
	return cli_simple(cli, "POST", "/api/v1/memberships",
		      json_pack("{s:s,s:s,s:s}", "email", email, "tenant", tenant, "role", role));
}

/* guichet wfm history: the tenant's contacts per interval as CSV, from the server. */
static int wfm_history(const struct cli *cli, const struct args *a)
{
	char path[256] = "/api/v1/wfm/history";
	cli_query_add(path, sizeof(path), "interval", args_get(a, "interval"));
	cli_query_add(path, sizeof(path), "days", args_get(a, "days"));
	if (args_get(a, "today"))
		cli_query_add(path, sizeof(path), "today", "1");
	json_t *answer = NULL;
	char *text = NULL;
	int status = client_call_text(cli, "GET", path, &text, &answer);
	if (status == 200 && text) {
		fputs(text, stdout);
		free(text);
		return 0;
	}
	free(text);
	int rc = output_answer(cli, status, answer);
	json_decref(answer);
	return rc ? rc : 1;
}

static int audit(const struct cli *cli, const struct args *a)
{
	char path[256] = "/api/v1/audit";
	cli_query_add(path, sizeof(path), "limit", args_get(a, "limit"));
	cli_query_add(path, sizeof(path), "cursor", args_get(a, "cursor"));
	return cli_list(cli, path, "id at actor action target ip");
}

static int dispositions(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "show";
	if (strcmp(sub, "show") == 0)
		return cli_list(cli, "/api/v1/dispositions", "code label");
	if (strcmp(sub, "set") != 0 || a->n_pos < 3) {
		fprintf(stderr, strcmp(sub, "set") == 0 ? "guichet dispositions set: name the codes' JSON file\n"
							: "guichet dispositions: unknown subcommand '%s'\n", sub);
		return 2;
	}
	json_t *body = cli_load_json("guichet dispositions set", a->pos[2], "object");
	return body ? cli_simple(cli, "PUT", "/api/v1/dispositions", body) : 2;
}

static const char options_spec[] =
	"email= password= tenant= name= role= organisation= kind= external-id= phone= attr= admin-email= admin-name= "
	"admin-password-file= "
	"all-or-nothing state= queue= queue-id= customer= since= limit= cursor= channel= subject= reason= "
	"priority= tag= message= body= outbound disposition= expected-version= expires-days= interval= days= today "
	/* routing (cmd_routing.c) */
	"skill= level= strategy= sl-target= sl-seconds= offer-timeout= wrapup= max-wait= overflow-to= "
	"tier-delay= sticky= hours= capacity= max-total= max-missed= user= agent= last-event-id= "
	/* knowledge (cmd_kb.c) */
	"lang= publish drafts explain review-by= comment= "
	/* channels (cmd_channel.c) */
	"address= imap-url= smtp-url= username= password-file= from-name= ack= ack-subject= ack-body-file= ack-language= "
	"ack-max-per-hour= provider= public-url= api-url= account= secret-file= origin= prechat-name= prechat-email= topic= offline-message offline-callback attachment-max-bytes= attachment-type= attachments-per-chat= number= greeting= menu-file= "
	"announce-every= announce-first= callback-key= music= greeting-recording= register registrar= register-expires= "
	/* answers (cmd_rules.c) */
	"article= reply= mailbox= "
	/* exports (cmd_export.c) */
	"date= xlsx= time= to= "
	/* business hours (cmd_hours.c) */
	"within= from= first-response= "
	/* attachments (cmd_attachment.c) */
	"output= "
	/* reports (cmd_summary.c, cmd_report.c) */
	"by= format= month= "
	/* incidents (cmd_incident.c) */
	"title= kind= area= severity= all attribute= customers= text= rate= keyword= "
	/* callbacks (cmd_callback.c) */
	"context= note= window-from= window-to= contact= source= retry-after= max-attempts= "
	/* goodwill gestures (cmd_gesture.c) */
	"amount= currency= role-limit= "
	/* calls' recordings (cmd_recording.c) */
	"retention-days= queues= outsourcers-listen= "
	/* the voice of the customer (cmd_voc.c) */
	"week= barometer off";

int cmd_api(const struct cli *cli, int argc, char **argv)
{
	struct args a;
	if (args_parse(argc, argv, options_spec, &a) < 0)
		return 2;
	const char *cmd = a.pos[0];
	if (strcmp(cmd, "login") == 0)
		return login(cli, &a);
	if (strcmp(cmd, "logout") == 0) {
		int rc = cli_simple(cli, "POST", "/api/v1/auth/logout", NULL);
		if (rc == 0)
			unlink(cli->token_file);
		return rc;
	}
	if (strcmp(cmd, "me") == 0)
		return cli_simple(cli, "GET", "/api/v1/me", NULL);
	if (strcmp(cmd, "tenants") == 0 || strcmp(cmd, "organisations") == 0)
		return directory(cli, &a);
	if (strcmp(cmd, "memberships") == 0)
		return memberships(cli, &a);
	if (strcmp(cmd, "users") == 0)
		return users(cli, &a);
	if (strcmp(cmd, "tokens") == 0)
		return tokens(cli, &a);
	if (strcmp(cmd, "customers") == 0)
		return customers(cli, &a);
	if (strcmp(cmd, "callback") == 0)
		return cmd_callback(cli, &a);
	if (strcmp(cmd, "report") == 0 && a.n_pos > 1 && strcmp(a.pos[1], "summary") == 0)
		return cmd_report_summary(cli, &a);
	if (strcmp(cmd, "report") == 0 && a.n_pos > 1 && (strcmp(a.pos[1], "reasons") == 0 ||
	    strcmp(a.pos[1], "satisfaction") == 0 || strcmp(a.pos[1], "knowledge") == 0))
		return cmd_report_reasons(cli, &a);
	if (strcmp(cmd, "report") == 0 && a.n_pos > 1 && strcmp(a.pos[1], "callbacks") == 0)
		return cmd_report_callbacks(cli, &a);
	if (strcmp(cmd, "gesture") == 0)
		return cmd_gesture(cli, &a);
	if (strcmp(cmd, "report") == 0 && a.n_pos > 1 && strcmp(a.pos[1], "voice") == 0)
		return cmd_report_voice(cli, &a);
	if (strcmp(cmd, "report") == 0 && a.n_pos > 1 && strcmp(a.pos[1], "gestures") == 0)
		return cmd_report_gestures(cli, &a);
	if (strcmp(cmd, "calendar") == 0 || strcmp(cmd, "report") == 0 ||
	    (strcmp(cmd, "contacts") == 0 && a.n_pos > 1 && strcmp(a.pos[1], "due") == 0))
		return cmd_hours(cli, &a);
	if (strcmp(cmd, "contacts") == 0)
		return contacts(cli, &a);
	if (strcmp(cmd, "audit") == 0)
		return audit(cli, &a);
	if (strcmp(cmd, "dispositions") == 0)
		return dispositions(cli, &a);
	if (strcmp(cmd, "kb") == 0)
		return cmd_kb(cli, &a);
	if (strcmp(cmd, "queue") == 0 || strcmp(cmd, "skills") == 0 || strcmp(cmd, "agent") == 0 ||
	    strcmp(cmd, "call") == 0)
		return cmd_routing(cli, &a);
	if (strcmp(cmd, "channel") == 0)
		return cmd_channel(cli, &a);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(cli, &a);
	if (strcmp(cmd, "incident") == 0)
		return cmd_incident(cli, &a);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(cli, &a);
	if (strcmp(cmd, "attachment") == 0)
		return cmd_attachment(cli, &a);
	if (strcmp(cmd, "recording") == 0)
		return cmd_recording(cli, &a);
	if (strcmp(cmd, "history") == 0) /* reached as "guichet wfm history" */
		return wfm_history(cli, &a);
	fprintf(stderr, "guichet: unknown command '%s' (see guichet --help)\n", cmd);
	return 2;
}
