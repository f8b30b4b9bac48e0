/* guichet export l2: the day's level-2 contacts by category, through the
 * HTTP API, printed or written as the workbook guichetd mails
 * (report/l2.h: the same module writes both); and its daily schedule
 * (guichet export l2 schedule set|show|remove). */
#include "cli/cli.h"
#include "guichet/error.h"
#include "report/l2.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The export read, one line per contact under its category. */
static void print_export(const json_t *e)
{
	printf("%s (%s): %lld level-2 contacts\n", json_string_value(json_object_get(e, "date")),
	       json_string_value(json_object_get(e, "time_zone")),
	       (long long)json_integer_value(json_object_get(e, "count")));
	size_t i, j;
	json_t *cat, *row;
	json_array_foreach(json_object_get(e, "categories"), i, cat) {
		printf("\n%s (%lld)\n", json_string_value(json_object_get(cat, "category")),
		       (long long)json_integer_value(json_object_get(cat, "count")));
		json_array_foreach(json_object_get(cat, "contacts"), j, row) {
			const json_t *cust = json_object_get(row, "customer");
			const char *subject = json_string_value(json_object_get(row, "subject"));
			const char *note = json_string_value(json_object_get(row, "escalation_note"));
			char who[48] = "no customer";
			if (json_integer_value(json_object_get(cust, "id")) > 0)
				snprintf(who, sizeof(who), "customer %lld", (long long)json_integer_value(json_object_get(cust, "id")));
			printf("  #%lld  %s  %s  %s%s%s\n", (long long)json_integer_value(json_object_get(row, "contact_id")),
			       json_string_value(json_object_get(row, "received_at")), subject ? subject : "(no subject)", who,
			       note ? "  note: " : "", note ? note : "");
		}
	}
}

static int export_day(const struct cli *cli, const struct args *a)
{
	const char *date = args_need(a, "date", "export l2"), *xlsx = args_get(a, "xlsx");
	if (date == NULL)
		return 2;
	if (xlsx && *xlsx == '\0') {
		fprintf(stderr, "guichet export l2: --xlsx: name the workbook to write\n");
		return 2;
	}
	char path[128];
	char *escaped = curl_easy_escape(NULL, date, 0);
	snprintf(path, sizeof(path), "/api/v1/exports/l2?date=%.40s", escaped ? escaped : "");
	curl_free(escaped);
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	int rc;
	if (status != 200 || (cli->json && xlsx == NULL)) {
		rc = output_answer(cli, status, answer);
	} else if (xlsx == NULL) {
		print_export(answer);
		rc = 0;
	} else if (l2_xlsx_write(answer, xlsx) < 0) {
		fprintf(stderr, "guichet export l2: --xlsx %s: cannot write it\n", xlsx);
		rc = 1;
	} else {
		printf("%s: %lld level-2 contacts in %zu categories\n", xlsx,
		       (long long)json_integer_value(json_object_get(answer, "count")),
		       json_array_size(json_object_get(answer, "categories")));
		rc = 0;
	}
	json_decref(answer);
	return rc;
}

static int schedule(const struct cli *cli, const struct args *a)
{
	static const char path[] = "/api/v1/exports/l2/schedule";
	const char *sub = a->n_pos > 3 ? a->pos[3] : "show";
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	if (strcmp(sub, "remove") == 0)
		return cli_simple(cli, "DELETE", path, NULL);
	if (strcmp(sub, "set") != 0) {
		fprintf(stderr, "guichet export l2 schedule: unknown subcommand '%s' (set, show, remove)\n", sub);
		return 2;
	}
	const char *time = args_need(a, "time", "export l2 schedule set"), *to, *mailbox;
	if (time == NULL || (to = args_need(a, "to", "export l2 schedule set")) == NULL ||
	    (mailbox = args_need(a, "mailbox", "export l2 schedule set")) == NULL)
		return 2;
	char *end;
	long long id = strtoll(mailbox, &end, 10);
	if (*mailbox == '\0' || *end || id < 1) {
		fprintf(stderr, "guichet export l2 schedule set: --mailbox: expected a mailbox ID, got '%s'\n", mailbox);
		return 2;
	}
	return cli_simple(cli, "PUT", path, json_pack("{s:s,s:s,s:I}", "time", time, "to", to, "mailbox_id", (json_int_t)id));
}

int cmd_export(const struct cli *cli, const struct args *a)
{
	if (a->n_pos < 2 || strcmp(a->pos[1], "l2") != 0) {
		fprintf(stderr, "guichet export: expected 'l2' (guichet export l2 --help)\n");
		return 2;
	}
	if (a->n_pos > 2 && strcmp(a->pos[2], "schedule") == 0)
		return schedule(cli, a);
	if (a->n_pos > 2) {
		fprintf(stderr, "guichet export l2: unexpected '%s' (--date D [--xlsx FILE], or schedule)\n", a->pos[2]);
		return 2;
	}
	return export_day(cli, a);
}
