/* guichet report reasons|satisfaction|knowledge: the reports folded from
 * the contacts' events (GET /api/v1/reports/reasons, /satisfaction,
 * /knowledge) as a table, JSON, CSV (fields quoted by libcsv) or an XLSX
 * workbook (libxlsxwriter). Each answer's "rows" are flat objects, so one
 * list of columns per report (and per cut) writes all three formats; a file
 * given by --output is written beside its place and renamed into it, as
 * the summary's is: whole or not at all. */
#include "cli/cli.h"
#include "guichet/error.h"

#include <csv.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define MAX_COLUMNS 16

struct columns {
	const char *names[MAX_COLUMNS];
	size_t n;
};

static void columns_of(const char *report, const char *by, struct columns *c)
{
	static const char *const reasons[] = {"period", "reason", "disposition", "contacts"};
	static const char *const sat[] = {"rated", "average", "satisfied_share", "score_1", "score_2", "score_3", "score_4",
		"score_5"};
	static const char *const kb[] = {"item_id", "key", "kind", "title", "uses", "resolved", "failed",
		"resolution_rate", "said_resolved", "said_no", "repeated", "self_service_solved", "self_service_unsolved",
		"self_service_rate"};
	c->n = 0;
	if (strcmp(report, "reasons") == 0) {
		for (size_t i = 0; i < 4; i++)
			c->names[c->n++] = reasons[i];
	} else if (strcmp(report, "knowledge") == 0) {
		for (size_t i = 0; i < sizeof(kb) / sizeof(kb[0]); i++)
			c->names[c->n++] = kb[i];
	} else {
		if (strcmp(by, "channel") == 0) {
			c->names[c->n++] = "channel";
		} else {
			c->names[c->n++] = strcmp(by, "agent") == 0 ? "agent_id"
					   : strcmp(by, "organisation") == 0 ? "organisation_id" : "queue_id";
			c->names[c->n++] = "name";
		}
		for (size_t i = 0; i < 8; i++)
			c->names[c->n++] = sat[i];
	}
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

static int write_csv(FILE *out, const json_t *answer, const struct columns *c)
{
	char buf[512];
	for (size_t k = 0; k < c->n; k++) {
		csv_fwrite(out, c->names[k], strlen(c->names[k]));
		fputc(k + 1 == c->n ? '\n' : ',', out);
	}
	size_t i;
	const json_t *row;
	json_array_foreach(json_object_get(answer, "rows"), i, row) {
		for (size_t k = 0; k < c->n; k++) {
			text_of(json_object_get(row, c->names[k]), buf, sizeof(buf));
			csv_fwrite(out, buf, strlen(buf));
			fputc(k + 1 == c->n ? '\n' : ',', out);
		}
	}
	return ferror(out) ? GC_EIO : GC_OK;
}

static int write_xlsx(const char *path, const char *report, const json_t *answer, const struct columns *c)
{
	lxw_workbook *wb = workbook_new(path);
	if (wb == NULL)
		return GC_EIO;
	lxw_worksheet *ws = workbook_add_worksheet(wb, report);
	lxw_format *bold = workbook_add_format(wb), *pct = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_num_format(pct, "0.0%");
	for (size_t k = 0; k < c->n; k++)
		worksheet_write_string(ws, 0, (lxw_col_t)k, c->names[k], bold);
	worksheet_freeze_panes(ws, 1, 0);
	size_t i;
	const json_t *row;
	json_array_foreach(json_object_get(answer, "rows"), i, row) {
		for (size_t k = 0; k < c->n; k++) {
			const json_t *v = json_object_get(row, c->names[k]);
			bool share = strstr(c->names[k], "rate") || strstr(c->names[k], "share");
			if (json_is_string(v))
				worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k, json_string_value(v), NULL);
			else if (json_is_number(v))
				worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)k, json_number_value(v),
						       share ? pct : NULL);
		}
	}
	return workbook_close(wb) == LXW_NO_ERROR ? GC_OK : GC_EIO;
}

/* Writes the answer in format to path through a temporary file beside it. */
static int write_file(const char *path, const char *format, const char *report, const json_t *answer,
		      const struct columns *c)
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
		rc = write_xlsx(tmp, report, answer, c);
	} else {
		rc = strcmp(format, "csv") == 0 ? write_csv(out, answer, c)
		     : json_dumpf(answer, out, JSON_INDENT(2)) == 0 ? GC_OK : GC_EIO;
		rc = fclose(out) == 0 ? rc : GC_EIO;
	}
	if (rc == GC_OK && rename(tmp, path) < 0)
		rc = GC_EIO;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static void print_table(const json_t *answer, const struct columns *c)
{
	char buf[64];
	printf("%s to %s\n", json_string_value(json_object_get(answer, "from")),
	       json_string_value(json_object_get(answer, "to")));
	for (size_t k = 0; k < c->n; k++) {
		fputs(k ? " " : "", stdout);
		output_cell(c->names[k], k ? 12 : 24, k == 0);
	}
	putchar('\n');
	size_t i;
	const json_t *row;
	json_array_foreach(json_object_get(answer, "rows"), i, row) {
		for (size_t k = 0; k < c->n; k++) {
			text_of(json_object_get(row, c->names[k]), buf, sizeof(buf));
			fputs(k ? " " : "", stdout);
			output_cell(buf[0] ? buf : "-", k ? 12 : 24, k == 0);
		}
		putchar('\n');
	}
}

int cmd_report_reasons(const struct cli *cli, const struct args *a)
{
	const char *report = a->pos[1], *format = args_get(a, "format"), *output = args_get(a, "output");
	const char *by = args_get(a, "by");
	if (format && strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "xlsx")) {
		fprintf(stderr, "guichet report %s: --format is csv, json or xlsx\n", report);
		return 2;
	}
	if (format && strcmp(format, "xlsx") == 0 && (output == NULL || *output == '\0')) {
		fprintf(stderr, "guichet report %s: --format xlsx needs --output FILE\n", report);
		return 2;
	}
	char path[1024];
	snprintf(path, sizeof(path), "/api/v1/reports/%s", report);
	static const char *const names[] = {"from", "to", "by", "queue", "limit"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cli_query_add(path, sizeof(path), names[i], args_get(a, names[i]));
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer), rc = 0;
	struct columns c;
	if (status == 200)
		columns_of(report, json_string_value(json_object_get(answer, "by")) ?: (by ? by : "queue"), &c);
	if (status != 200 || (cli->json && format == NULL && output == NULL)) {
		rc = output_answer(cli, status, answer);
	} else if (output) {
		if (write_file(output, format ? format : "csv", report, answer, &c) < 0) {
			fprintf(stderr, "guichet report %s: cannot write %s: %s\n", report, output, strerror(errno));
			rc = 1;
		}
	} else if (format && strcmp(format, "json") == 0) {
		json_dumpf(answer, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (format) {
		rc = write_csv(stdout, answer, &c) < 0;
	} else {
		print_table(answer, &c);
	}
	json_decref(answer);
	return rc;
}
