/* guichet calendar | contacts due | report same-day: the tenant's business
 * calendar, the contacts whose first response is overdue or nearly due, and
 * the share answered the same business day, through the HTTP API. */
#include "cli/cli.h"
#include "guichet/text.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int calendar(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "show";
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", "/api/v1/calendar", NULL);
	if (strcmp(sub, "set") != 0 || a->n_pos < 3) {
		fprintf(stderr, strcmp(sub, "set") == 0 ? "guichet calendar set: name the calendar's JSON file\n"
							: "guichet calendar: unknown subcommand '%s'\n", sub);
		return 2;
	}
	json_t *body = cli_load_json("guichet calendar set", a->pos[2], "object");
	if (body == NULL)
		return 2;
	return cli_simple(cli, "PUT", "/api/v1/calendar", body);
}

static int contacts_due(const struct cli *cli, const struct args *a)
{
	char path[256] = "/api/v1/contacts/due";
	cli_query_add(path, sizeof(path), "within", args_get(a, "within"));
	cli_query_add(path, sizeof(path), "queue", args_get(a, "queue"));
	cli_query_add(path, sizeof(path), "limit", args_get(a, "limit"));
	return cli_list(cli, path, "id due_at late_s overdue state entry_queue_id queue subject");
}

/* The report's rows, then its totals per queue, as two tables. */
static int report_same_day(const struct cli *cli, const struct args *a)
{
	const char *from = args_need(a, "from", "report same-day"), *to = args_need(a, "to", "report same-day");
	if (from == NULL || to == NULL)
		return 2;
	char path[256] = "/api/v1/reports/same-day";
	cli_query_add(path, sizeof(path), "from", from);
	cli_query_add(path, sizeof(path), "to", to);
	cli_query_add(path, sizeof(path), "queue", args_get(a, "queue"));
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	if (status != 200 || cli->json) {
		int rc = output_answer(cli, status, answer);
		json_decref(answer);
		return rc;
	}
	static const char columns[] = "queue_id queue received answered_same_day share answered_late unanswered";
	json_t *rows = json_pack("{s:O}", "items", json_object_get(answer, "rows"));
	json_t *totals = json_pack("{s:O}", "items", json_object_get(answer, "queues"));
	output_list(cli, status, rows, "day queue_id queue received answered_same_day share answered_late unanswered");
	printf("\ntotal %s to %s (%s)\n", from, to, json_string_value(json_object_get(answer, "zone")));
	output_list(cli, status, totals, columns);
	json_decref(rows);
	json_decref(totals);
	json_decref(answer);
	return 0;
}

int cmd_hours(const struct cli *cli, const struct args *a)
{
	if (strcmp(a->pos[0], "calendar") == 0)
		return calendar(cli, a);
	if (strcmp(a->pos[0], "contacts") == 0)
		return contacts_due(cli, a);
	if (a->n_pos > 1 && strcmp(a->pos[1], "same-day") == 0)
		return report_same_day(cli, a);
	if (a->n_pos > 1 && strcmp(a->pos[1], "intervals") == 0)
		return cmd_report_intervals(cli, a);
	if (a->n_pos > 1 && strcmp(a->pos[1], "barometer") == 0)
		return cmd_report_barometer(cli, a);
	fprintf(stderr, "guichet report: unknown report '%s' (same-day, intervals, summary, callbacks, gestures, barometer)\n",
		a->n_pos > 1 ? a->pos[1] : "");
	return 2;
}
