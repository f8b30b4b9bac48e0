/* guichet report intervals: the supervisor's day so far per half hour of
 * the tenant's local day, with the forecast and staffing beside it when
 * there is history to forecast from, through the HTTP API. */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "-" for null, else the number with its decimals (a share as a percentage). */
static void cell(char *buf, size_t len, const json_t *v, bool percent)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, percent ? "%.0f%%" : "%.1f", json_real_value(v) * (percent ? 100 : 1));
	else
		snprintf(buf, len, "-");
}

static void row(const char *label, const json_t *o)
{
	static const char *const keys[] = {"offered", "answered", "abandoned", "service_level", "avg_wait_s",
					   "avg_handle_s"};
	char c[8][24];
	for (size_t i = 0; i < 6; i++)
		cell(c[i], sizeof(c[i]), json_object_get(o, keys[i]), i == 3);
	const json_t *f = json_object_get(o, "forecast");
	cell(c[6], sizeof(c[6]), json_object_get(f, "offered"), false);
	cell(c[7], sizeof(c[7]), json_object_get(f, "staff"), false);
	printf("%-6s %7s %8s %9s %6s %9s %11s %8s %5s\n", label, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
}

int cmd_report_intervals(const struct cli *cli, const struct args *a)
{
	const char *date = args_need(a, "date", "report intervals"), *queue = args_get(a, "queue");
	if (date == NULL)
		return 2;
	char path[256];
	char *d = curl_easy_escape(NULL, date, 0), *q = queue ? curl_easy_escape(NULL, queue, 0) : NULL;
	snprintf(path, sizeof(path), "/api/v1/reports/intervals?date=%s%s%s", d ? d : "", q ? "&queue=" : "",
		 q ? q : "");
	curl_free(d);
	curl_free(q);
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	if (status != 200 || cli->json) {
		int rc = output_answer(cli, status, answer);
		json_decref(answer);
		return rc;
	}
	printf("%s (%s)\n%-6s %7s %8s %9s %6s %9s %11s %8s %5s\n", date,
	       json_string_value(json_object_get(answer, "zone")), "time", "offered", "answered", "abandoned", "sl",
	       "wait_s", "handle_s", "forecast", "staff");
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(answer, "intervals"), i, o)
		row(json_string_value(json_object_get(o, "time")), o);
	row("total", json_object_get(answer, "totals"));
	json_decref(answer);
	return 0;
}

/* One line of the barometer: the figure, ours, the barometer's. */
static void barometer_line(const char *label, const json_t *ours, const json_t *theirs)
{
	char a[24], b[24];
	cell(a, sizeof(a), ours, true);
	cell(b, sizeof(b), theirs, true);
	printf("%-46s %8s %10s\n", label, a, b);
}

/* guichet report barometer [--month YYYY-MM]: the tenant's month beside the
 * published barometer of merchant sites' accessibility. */
int cmd_report_barometer(const struct cli *cli, const struct args *a)
{
	char path[128] = "/api/v1/reports/barometer";
	cli_query_add(path, sizeof(path), "month", args_get(a, "month"));
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	if (status != 200 || cli->json) {
		int rc = output_answer(cli, status, answer);
		json_decref(answer);
		return rc;
	}
	const json_t *calls = json_object_get(answer, "calls"), *emails = json_object_get(answer, "emails");
	const json_t *help = json_object_get(answer, "help_centre"), *bar = json_object_get(calls, "barometer");
	printf("%s (%s)\n%-46s %8s %10s\n", json_string_value(json_object_get(answer, "month")),
	       json_string_value(json_object_get(answer, "zone")), "", "ours", "barometer");
	barometer_line("calls answered within 30 s", json_object_get(calls, "answered_30s_share"),
		       json_object_get(bar, "answered_30s_share"));
	barometer_line("calls that waited more than 2 minutes", json_object_get(calls, "waited_over_2min_share"),
		       json_object_get(bar, "waited_over_2min_share"));
	barometer_line("emails answered the same business day", json_object_get(emails, "share"),
		       json_object_get(emails, "barometer"));
	json_t *shows = json_real(json_is_true(json_object_get(help, "shows_a_way_to_reach_a_person")) ? 1 : 0);
	barometer_line("help centre shows a way to reach a person", shows, json_object_get(help, "barometer"));
	json_decref(shows);
	json_decref(answer);
	return 0;
}
