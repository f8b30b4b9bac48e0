/* guichet report summary: the reports kept current (GET
 * /api/v1/reports/summary) cut per interval, queue, agent, organisation or
 * channel, as a table, JSON, CSV (fields quoted by libcsv) or an XLSX
 * workbook (libxlsxwriter, with a chart of offered and answered). A file
 * given by --output is written beside its place and renamed into it: whole
 * or not at all. */
#include "cli/cli.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"

#include <csv.h>
#include <curl/curl.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static const char *const figures[] = {"offered", "answered", "answered_within", "abandoned", "avg_abandon_wait_s",
	"service_level", "avg_speed_of_answer_s", "handled", "avg_handle_s", "transfers", "escalations", "moved_away",
	"declined", "missed", "staffed_ms", "occupancy"};
#define N_FIGURES (sizeof(figures) / sizeof(figures[0]))

/* The key columns of a cut: the row's fields that name it. */
static size_t keys_of(const char *by, const char *ret_keys[2])
{
	if (strcmp(by, "interval") == 0 || strcmp(by, "channel") == 0) {
		ret_keys[0] = strcmp(by, "interval") == 0 ? "start" : "channel";
		return 1;
	}
	static const char *const ids[][2] = {{"queue", "queue_id"}, {"agent", "agent_id"},
					     {"organisation", "organisation_id"}};
	for (size_t i = 0; i < 3; i++)
		if (strcmp(by, ids[i][0]) == 0)
			ret_keys[0] = ids[i][1];
	ret_keys[1] = "name";
	return 2;
}

/* A value as text: "" for null, integers whole, others with 4 decimals. */
static void text_of(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.4f", json_real_value(v));
	else
		buf[0] = '\0';
}

static void csv_field(FILE *out, const char *text, bool last)
{
	csv_fwrite(out, text, strlen(text));
	fputc(last ? '\n' : ',', out);
}

static void csv_row(FILE *out, const json_t *row, const char *const *keys, size_t n_keys, const char *label)
{
	char buf[256];
	for (size_t k = 0; k < n_keys; k++) {
		text_of(json_object_get(row, keys[k]), buf, sizeof(buf));
		csv_field(out, label && k == 0 ? label : label ? "" : buf, false);
	}
	for (size_t i = 0; i < N_FIGURES; i++) {
		text_of(json_object_get(row, figures[i]), buf, sizeof(buf));
		csv_field(out, buf, i + 1 == N_FIGURES);
	}
}

static int write_csv(FILE *out, const json_t *answer)
{
	const char *keys[2];
	size_t n_keys = keys_of(json_string_value(json_object_get(answer, "by")), keys);
	for (size_t k = 0; k < n_keys; k++)
		csv_field(out, keys[k], false);
	for (size_t i = 0; i < N_FIGURES; i++)
		csv_field(out, figures[i], i + 1 == N_FIGURES);
	size_t i;
	const json_t *row;
	json_array_foreach(json_object_get(answer, "rows"), i, row) csv_row(out, row, keys, n_keys, NULL);
	csv_row(out, json_object_get(answer, "totals"), keys, n_keys, "total");
	return ferror(out) ? GC_EIO : GC_OK;
}

static void xlsx_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const json_t *v, lxw_format *pct)
{
	if (json_is_string(v))
		worksheet_write_string(ws, r, c, json_string_value(v), NULL);
	else if (json_is_number(v))
		worksheet_write_number(ws, r, c, json_number_value(v), pct);
}

static int write_xlsx(const char *path, const json_t *answer)
{
	lxw_workbook *wb = workbook_new(path);
	if (wb == NULL)
		return GC_EIO;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Summary");
	lxw_format *bold = workbook_add_format(wb), *pct = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_num_format(pct, "0.0%");
	const char *keys[2];
	size_t n_keys = keys_of(json_string_value(json_object_get(answer, "by")), keys);
	for (size_t k = 0; k < n_keys; k++)
		worksheet_write_string(ws, 0, (lxw_col_t)k, keys[k], bold);
	for (size_t f = 0; f < N_FIGURES; f++)
		worksheet_write_string(ws, 0, (lxw_col_t)(n_keys + f), figures[f], bold);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(ws, 0, 0, 24, NULL);
	const json_t *rows = json_object_get(answer, "rows");
	size_t n = json_array_size(rows);
	for (size_t i = 0; i <= n; i++) {
		const json_t *row = i < n ? json_array_get(rows, i) : json_object_get(answer, "totals");
		lxw_row_t r = (lxw_row_t)(i + 1 + (i == n)); /* the totals a row below */
		for (size_t k = 0; k < n_keys && i < n; k++)
			xlsx_cell(ws, r, (lxw_col_t)k, json_object_get(row, keys[k]), NULL);
		if (i == n)
			worksheet_write_string(ws, r, 0, "total", bold);
		for (size_t f = 0; f < N_FIGURES; f++) {
			bool share = strcmp(figures[f], "service_level") == 0 || strcmp(figures[f], "occupancy") == 0;
			xlsx_cell(ws, r, (lxw_col_t)(n_keys + f), json_object_get(row, figures[f]), share ? pct : NULL);
		}
	}
	if (n > 0) {
		lxw_chart *chart = workbook_add_chart(wb, LXW_CHART_COLUMN);
		char categories[64], values[64];
		snprintf(categories, sizeof(categories), "=Summary!$A$2:$A$%zu", n + 1);
		for (int s = 0; s < 2; s++) {
			char col = (char)('A' + n_keys + (size_t)s);
			snprintf(values, sizeof(values), "=Summary!$%c$2:$%c$%zu", col, col, n + 1);
			chart_series_set_name(chart_add_series(chart, categories, values), figures[s]);
		}
		chart_title_set_name(chart, "Offered and answered");
		lxw_chart_options options = {.x_scale = 2.0, .y_scale = 1.5};
		worksheet_insert_chart_opt(ws, (lxw_row_t)n + 4, 0, chart, &options);
	}
	return workbook_close(wb) == LXW_NO_ERROR ? GC_OK : GC_EIO;
}

/* Writes the answer in format to path through a temporary file beside it. */
static int write_file(const char *path, const char *format, const json_t *answer)
{
	char tmp[4096], dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(tmp, sizeof(tmp), "%s/.guichet-report-XXXXXX", dirname(dir));
	int fd = mkstemp(tmp), rc = GC_EIO;
	if (fd < 0)
		return GC_EIO;
	FILE *out = fdopen(fd, "w");
	if (out == NULL) {
		close(fd);
	} else if (strcmp(format, "xlsx") == 0) {
		fclose(out);
		rc = write_xlsx(tmp, answer);
	} else {
		rc = strcmp(format, "csv") == 0 ? write_csv(out, answer)
		     : json_dumpf(answer, out, JSON_INDENT(2)) == 0 ? GC_OK : GC_EIO;
		rc = fclose(out) == 0 ? rc : GC_EIO;
	}
	if (rc == GC_OK && rename(tmp, path) < 0)
		rc = GC_EIO;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* A figure of the table as a person reads it: a share as a percentage
 * ("77%", as guichet report intervals and the web page write it), seconds
 * to the tenth, "-" for none. */
static void shown_of(const json_t *v, bool share, char *buf, size_t len)
{
	if (json_is_real(v))
		snprintf(buf, len, share ? "%.0f%%" : "%.1f", json_real_value(v) * (share ? 100 : 1));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "-");
}

/* An instant of the answer as the tenant's wall time ("2026-12-05 08:30" in
 * its zone, as the page and guichet report intervals show the half hours);
 * the instant as given when it cannot be read so. */
static void local_of(const json_t *answer, const char *iso, char *buf, size_t len)
{
	const char *zone = json_string_value(json_object_get(answer, "zone"));
	int64_t ms = 0;
	struct gc_local_time lt;
	if (iso && zone && gc_time_parse(iso, &ms) == GC_OK && gc_tz_local(zone, ms, &lt) == GC_OK)
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute);
	else
		snprintf(buf, len, "%s", iso ? iso : "");
}

static void print_table(const json_t *answer)
{
	const char *keys[2];
	size_t n_keys = keys_of(json_string_value(json_object_get(answer, "by")), keys);
	static const char *const shown[] = {"offered", "answered", "abandoned", "avg_abandon_wait_s", "service_level",
		"avg_speed_of_answer_s", "avg_handle_s", "transfers", "escalations", "moved_away", "declined", "missed",
		"occupancy"};
	/* the headers in full words, each column as wide as its own */
	static const char *const heading[] = {"offered", "answered", "abandoned", "avg abandon (s)", "service level",
		"avg answer (s)", "avg handle (s)", "transfers", "escalations", "moved away", "declined", "missed",
		"occupancy"};
#define N_SHOWN (sizeof(shown) / sizeof(shown[0]))
	int width[N_SHOWN];
	bool halves = strcmp(keys[0], "start") == 0;
	char from[64], to[64];
	local_of(answer, json_string_value(json_object_get(answer, "from")), from, sizeof(from));
	local_of(answer, json_string_value(json_object_get(answer, "to")), to, sizeof(to));
	printf("%s to %s (%s)\n%-24s", from, to, json_string_value(json_object_get(answer, "zone")) ?: "UTC",
	       halves ? "half hour" : keys[n_keys - 1]);
	for (size_t f = 0; f < N_SHOWN; f++) {
		width[f] = (int)strlen(heading[f]) > 9 ? (int)strlen(heading[f]) : 9;
		printf(" %*s", width[f], heading[f]);
	}
	putchar('\n');
	const json_t *rows = json_object_get(answer, "rows");
	size_t n = json_array_size(rows);
	for (size_t i = 0; i <= n; i++) {
		const json_t *row = i < n ? json_array_get(rows, i) : json_object_get(answer, "totals");
		char buf[64];
		text_of(i < n ? json_object_get(row, keys[n_keys - 1]) : NULL, buf, sizeof(buf));
		if (halves && i < n)
			local_of(answer, json_string_value(json_object_get(row, "start")), buf, sizeof(buf));
		output_cell(i < n ? buf : "total", 24, true);
		for (size_t f = 0; f < N_SHOWN; f++) {
			shown_of(json_object_get(row, shown[f]), strcmp(shown[f], "service_level") == 0 ||
				 strcmp(shown[f], "occupancy") == 0, buf, sizeof(buf));
			printf(" %*s", width[f], buf);
		}
		putchar('\n');
	}
	const json_t *fcr = json_object_get(answer, "first_contact_resolution");
	if (json_is_object(fcr)) { /* "24 of 29 resolved" read as 24 resolved: said as the web page says it */
		char rate[16];
		shown_of(json_object_get(fcr, "rate"), true, rate, sizeof(rate));
		printf("first-contact resolution: %lld of the %lld contacts resolved with a reason were once and done (%s)%s%s\n",
		       (long long)json_integer_value(json_object_get(fcr, "once_and_done")),
		       (long long)json_integer_value(json_object_get(fcr, "resolved")), rate,
		       json_is_true(json_object_get(fcr, "provisional")) ? ", provisional until " : "",
		       json_is_true(json_object_get(fcr, "provisional")) ? json_string_value(json_object_get(fcr, "final_at")) : "");
	}
}

/* The query string from the options, each escaped. */
static int summary_path(const struct args *a, char *path, size_t len)
{
	static const char *const names[] = {"date", "from", "to", "by", "queue"};
	int n = snprintf(path, len, "/api/v1/reports/summary?");
	for (size_t i = 0; i < 5; i++) {
		const char *v = args_get(a, names[i]);
		if (v == NULL)
			continue;
		char *e = curl_easy_escape(NULL, v, 0);
		n += snprintf(path + n, len - (size_t)n, "%s=%s&", names[i], e ? e : "");
		curl_free(e);
		if ((size_t)n >= len)
			return GC_EINVAL;
	}
	path[n - 1] = '\0';
	return GC_OK;
}

int cmd_report_summary(const struct cli *cli, const struct args *a)
{
	const char *format = args_get(a, "format"), *output = args_get(a, "output");
	if (format && strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "xlsx")) {
		fprintf(stderr, "guichet report summary: --format is csv, json or xlsx\n");
		return 2;
	}
	if (format && strcmp(format, "xlsx") == 0 && (output == NULL || *output == '\0')) {
		fprintf(stderr, "guichet report summary: --format xlsx needs --output FILE\n");
		return 2;
	}
	char path[1024];
	if (summary_path(a, path, sizeof(path)) < 0) {
		fprintf(stderr, "guichet report summary: the options are too long\n");
		return 2;
	}
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer), rc = 0;
	if (status != 200 || (cli->json && format == NULL && output == NULL)) {
		rc = output_answer(cli, status, answer);
	} else if (output) {
		if (write_file(output, format ? format : "csv", answer) < 0) {
			fprintf(stderr, "guichet report summary: cannot write %s: %s\n", output, strerror(errno));
			rc = 1;
		}
	} else if (format && strcmp(format, "json") == 0) {
		json_dumpf(answer, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (format) {
		rc = write_csv(stdout, answer) < 0;
	} else {
		print_table(answer);
	}
	json_decref(answer);
	return rc;
}
