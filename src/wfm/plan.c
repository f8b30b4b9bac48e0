/* Staffing plans (plan.h): CSV rows parsed with libcsv, staffed one by one. */
#include "wfm/plan.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "wfm/history.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum column { START, CALLS, AHT, PATIENCE, INHOUSE, N_COLUMNS };
static const char *const column_names[N_COLUMNS] = {"start", "calls", "aht", "patience", "inhouse"};

struct parse {
	struct wfm_plan_row *rows;
	size_t n, cap;
	char fields[N_COLUMNS][64];
	int n_fields;
	int column[N_COLUMNS];  /* what each field is: as named by the header, else in this order */
	int n_columns;          /* the fields a row may have */
	bool too_long;
	size_t line, record_line;
	struct decode_error *err;
	int rc;
};

static int fail_line(struct parse *p, size_t line, const char *fmt, const char *what)
{
	p->err->code = GC_EINVAL;
	snprintf(p->err->field, sizeof(p->err->field), "line %zu", line);
	snprintf(p->err->message, sizeof(p->err->message), fmt, what);
	p->rc = GC_EINVAL;
	return GC_EINVAL;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct parse *p = arg;
	if (p->n_fields == 0)
		p->record_line = p->line;
	if (p->n_fields < N_COLUMNS) {
		if (len >= sizeof(p->fields[0]))
			p->too_long = true;
		snprintf(p->fields[p->n_fields], sizeof(p->fields[0]), "%.*s", (int)len, data ? (char *)data : "");
	}
	p->n_fields++;
}

static bool to_number(const char *text, double min, double max, double *ret)
{
	return gc_parse_number(text, min, false, max, ret) == GC_OK;
}

/* "start", "interval_start" or "interval" (forecast's and plan's own
 * output) and the other columns' names, in any order, case aside. */
static int column_named(const char *name)
{
	if (strcasecmp(name, "interval_start") == 0 || strcasecmp(name, "interval") == 0)
		return START;
	for (int c = 0; c < N_COLUMNS; c++)
		if (strcasecmp(name, column_names[c]) == 0)
			return c;
	return -1;
}

/* A first line whose calls field (the second, or wherever the header puts
 * it) is not a number: the columns by their names. */
static bool take_header(struct parse *p)
{
	if (strncmp(p->fields[0], "\xEF\xBB\xBF", 3) == 0) /* the byte-order mark of spreadsheets' "CSV UTF-8" */
		memmove(p->fields[0], p->fields[0] + 3, strlen(p->fields[0] + 3) + 1);
	double number;
	if (p->n_fields >= 2 && to_number(p->fields[1], -1e18, 1e18, &number))
		return false; /* the first row of data */
	bool seen[N_COLUMNS] = {false};
	if (p->n_fields > N_COLUMNS) {
		fail_line(p, p->record_line, "%s", "more than 5 columns: the columns are start, calls, aht, and "
			  "optionally patience and inhouse");
		return true;
	}
	for (int f = 0; f < p->n_fields; f++) {
		int c = column_named(p->fields[f]);
		if (c < 0 || seen[c]) {
			fail_line(p, p->record_line, c < 0 ? "unknown column '%.40s': the columns are start, calls, aht, "
					"and optionally patience and inhouse"
					: "the column '%.40s' is named twice", p->fields[f]);
			return true;
		}
		seen[c] = true;
		p->column[f] = c;
	}
	for (int c = START; c <= AHT; c++)
		if (!seen[c]) {
			fail_line(p, p->record_line, "the header has no column '%s': start, calls and aht are required",
				  column_names[c]);
			return true;
		}
	p->n_columns = p->n_fields;
	return true;
}

/* Whether the label is a time of day (9:00, 09:00, 09:00:00: day 0) or a
 * date and time; fills the day and the seconds into it. */
static bool start_time(const char *text, int64_t *ret_day, int *ret_seconds)
{
	if (wfm_datetime_parse(text, ret_day, ret_seconds))
		return true;
	const char *p = text;
	int part[3] = {0, 0, 0}, n = 0;
	while (n < 3) {
		int digits = 0;
		for (; isdigit((unsigned char)*p) && digits < 2; p++, digits++)
			part[n] = part[n] * 10 + (*p - '0');
		if (digits == 0 || (n > 0 && digits != 2))
			return false;
		n++;
		if (*p != ':')
			break;
		p++;
	}
	*ret_day = 0;
	*ret_seconds = part[0] * 3600 + part[1] * 60 + part[2];
	return *p == '\0' && n >= 2 && part[0] <= 23 && part[1] <= 59 && part[2] <= 59;
}

static bool is_start(const char *text)
{
	int64_t day;
	int seconds;
	return start_time(text, &day, &seconds);
}

static void take_row(struct parse *p)
{
	struct wfm_plan_row row = {.line = p->record_line, .inhouse = -1};
	if (p->n == 0 && p->record_line == 1 && take_header(p))
		return;
	if (p->n_fields < 3 || p->n_fields > p->n_columns || p->too_long) {
		fail_line(p, p->record_line, "%s", p->too_long ? "a field is longer than 63 characters"
					: p->n_columns < N_COLUMNS ? "more or fewer fields than the header's columns"
					: "expected start,calls,aht[,patience[,inhouse]]");
		return;
	}
	const char *field[N_COLUMNS] = {"", "", "", "", ""};
	for (int f = 0; f < p->n_fields; f++)
		field[p->column[f]] = p->fields[f];
	if (!is_start(field[START])) {
		fail_line(p, p->record_line, "start: '%.60s' is not a time (09:00) nor a date and time (2026-11-23T09:00)",
			  field[START]);
		return;
	}
	if (!to_number(field[CALLS], 0, 1e9, &row.calls)) {
		fail_line(p, p->record_line, "calls: '%.60s' is not a number from 0", field[CALLS]);
		return;
	}
	if (field[AHT][0] == '\0') {
		fail_line(p, p->record_line, "%s", "aht: missing (a forecast of a history without handle times leaves it "
			  "blank): a number of seconds is needed");
		return;
	}
	if (!to_number(field[AHT], 1e-9, 86400, &row.aht)) {
		fail_line(p, p->record_line, "aht: '%.60s' is not a positive number of seconds", field[AHT]);
		return;
	}
	if (field[PATIENCE][0] && !to_number(field[PATIENCE], 1e-9, 1e6, &row.patience)) {
		fail_line(p, p->record_line, "patience: '%.60s' is not a positive number of seconds", field[PATIENCE]);
		return;
	}
	if (field[INHOUSE][0] && !to_number(field[INHOUSE], 0, WFM_MAX_AGENTS, &row.inhouse)) {
		fail_line(p, p->record_line, "inhouse: '%.60s' is not a number of agents", field[INHOUSE]);
		return;
	}
	snprintf(row.start, sizeof(row.start), "%s", field[START]);
	if (p->n == WFM_PLAN_MAX_ROWS) {
		fail_line(p, p->record_line, "more than %s intervals", "100000");
		return;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct wfm_plan_row *grown = realloc(p->rows, cap * sizeof(*grown));
		if (grown == NULL) {
			p->rc = GC_ENOMEM;
			return;
		}
		p->rows = grown;
		p->cap = cap;
	}
	p->rows[p->n++] = row;
}

static void on_record(int term, void *arg)
{
	struct parse *p = arg;
	bool blank = p->n_fields <= 1 && p->fields[0][0] == '\0';
	if (p->rc == GC_OK && !blank)
		take_row(p);
	p->n_fields = 0;
	p->too_long = false;
	p->fields[0][0] = '\0';
}

static int by_start(const void *a, const void *b)
{
	const struct wfm_plan_row *x = *(const struct wfm_plan_row *const *)a, *y = *(const struct wfm_plan_row *const *)b;
	int c = strcmp(x->start, y->start);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Each interval once: a second row for one (an export given twice) fails,
 * naming both lines. */
static void refuse_repeated_starts(struct parse *p)
{
	const struct wfm_plan_row **order = malloc(p->n * sizeof(*order));
	if (order == NULL) {
		p->rc = GC_ENOMEM;
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		order[i] = &p->rows[i];
	qsort(order, p->n, sizeof(*order), by_start);
	for (size_t i = 1; i < p->n; i++)
		if (strcmp(order[i - 1]->start, order[i]->start) == 0) {
			char first[32];
			snprintf(first, sizeof(first), "%zu", order[i - 1]->line);
			fail_line(p, order[i]->line, "start: this interval is already on line %s", first);
			break;
		}
	free(order);
}

int wfm_plan_parse(const char *csv, size_t len, struct wfm_plan_row **ret_rows, size_t *ret_n,
		   struct decode_error *err)
{
	struct parse p = {.err = err, .column = {START, CALLS, AHT, PATIENCE, INHOUSE}, .n_columns = N_COLUMNS};
	struct csv_parser parser;
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return GC_ENOMEM;
	size_t pos = 0;
	while (pos < len && p.rc == GC_OK) {
		size_t end = pos;
		while (end < len && csv[end] != '\n')
			end++;
		size_t chunk = end - pos + (end < len);
		p.line++;
		if (csv_parse(&parser, csv + pos, chunk, on_field, on_record, &p) != chunk) {
			fail_line(&p, p.line, "malformed CSV: %s", gc_csv_problem(csv_error(&parser)));
			break;
		}
		pos += chunk;
	}
	if (p.rc == GC_OK && csv_fini(&parser, on_field, on_record, &p) != 0)
		fail_line(&p, p.line, "malformed CSV: %s", gc_csv_problem(csv_error(&parser)));
	csv_free(&parser);
	if (p.rc == GC_OK && p.n > 1)
		refuse_repeated_starts(&p);
	if (p.rc == GC_OK && p.n == 0)
		fail_line(&p, 1, "%s", "no intervals: expected lines of start,calls,aht[,patience]");
	if (p.rc < 0) {
		free(p.rows);
		return p.rc;
	}
	*ret_rows = p.rows;
	*ret_n = p.n;
	return GC_OK;
}

int wfm_plan_staff(const struct wfm_plan_row *row, const struct wfm_plan_goal *goal,
		   struct wfm_plan_result *ret)
{
	struct wfm_traffic t = {row->calls, goal->interval, row->aht};
	struct wfm_plan_result r = {.load = wfm_load(&t), .erlang_a = row->patience > 0};
	if (r.load > WFM_MAX_LOAD)
		return GC_ETOOBIG;
	int rc;
	if (r.erlang_a) {
		struct wfm_goal_a ga = {goal->goal, row->patience, goal->max_abandon};
		struct wfm_staffing_a s;
		if ((rc = wfm_staff_erlang_a(&t, &ga, &s)) < 0)
			return rc;
		r.agents = s.agents;
		r.staff = s.staff;
		r.service_level = s.at.service_level;
		r.occupancy = s.at.occupancy;
		r.asa = s.at.mean_wait;
		r.p_abandon = s.at.p_abandon;
		r.stable = true;
	} else {
		struct wfm_staffing s;
		if ((rc = wfm_staff_erlang_c(&t, &goal->goal, &s)) < 0)
			return rc;
		r.agents = s.agents;
		r.staff = s.staff;
		r.service_level = s.at.service_level;
		r.occupancy = s.at.occupancy;
		r.asa = s.at.asa;
		r.stable = s.at.stable;
	}
	*ret = r;
	return GC_OK;
}

int wfm_overflow_positions(const struct wfm_plan_row *row, const struct wfm_plan_result *r,
			   double default_inhouse)
{
	double inhouse = row->inhouse >= 0 ? row->inhouse : default_inhouse;
	double missing = r->staff - floor(inhouse);
	return missing > 0 ? (int)missing : 0;
}

void wfm_overflow_add(struct wfm_overflow *o, int positions, bool open)
{
	o->position_hours += positions * o->interval_hours;
	o->cost_hourly = o->position_hours * o->price;
	o->span_hours += open ? o->interval_hours : 0;
	if (positions > o->peak_positions)
		o->peak_positions = positions;
	o->cost_fixed = o->peak_positions * o->span_hours * o->price;
}

/* err's field "interval" and a message (plan.c does without decode_fail,
 * which is in the model's library). */
static int fail_interval(struct decode_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err->code = GC_EINVAL;
	snprintf(err->field, sizeof(err->field), "interval");
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return GC_EINVAL;
}

static int by_time(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return (x[0] > y[0]) - (x[0] < y[0]);
}

int wfm_plan_check_interval(const struct wfm_plan_row *rows, size_t n, double interval, struct decode_error *err)
{
	/* each row's start in seconds, with its index, sorted by time */
	int64_t (*at)[2] = malloc((n ? n : 1) * sizeof(*at));
	if (at == NULL)
		return GC_ENOMEM;
	int64_t step = 0; /* the greatest common divisor of the starts' seconds into their day */
	for (size_t i = 0; i < n; i++) {
		int64_t day;
		int seconds;
		start_time(rows[i].start, &day, &seconds);
		at[i][0] = day * 86400 + seconds;
		at[i][1] = (int64_t)i;
		for (int64_t a = step, b = seconds; ; ) {
			if (b == 0) {
				step = a;
				break;
			}
			int64_t t = a % b;
			a = b;
			b = t;
		}
	}
	qsort(at, n, sizeof(*at), by_time);
	int rc = GC_OK;
	for (size_t i = 1; i < n && rc == GC_OK; i++) {
		int64_t gap = at[i][0] - at[i - 1][0];
		if (gap > 0 && gap < interval) { /* the rows overlap: each would be staffed for a longer interval */
			const struct wfm_plan_row *a = &rows[at[i - 1][1]], *b = &rows[at[i][1]];
			rc = fail_interval(err, "line %zu (%s) starts %lld seconds after line %zu (%s): "
					 "the rows are intervals shorter than %g seconds; give the interval they count "
					 "(%lld)", b->line, b->start, (long long)gap, a->line, a->start, interval,
					 (long long)gap);
		}
	}
	/* every start on a boundary of twice the interval or more: longer intervals
	 * (hours read as half hours would double each one's load) */
	if (step == 0)
		step = 86400;
	if (rc == GC_OK && n >= 8 && interval < 86400 && interval == floor(interval) &&
	    step % (2 * (int64_t)interval) == 0)
		rc = fail_interval(err, "every start is on a %lld-second boundary: the rows are "
				 "intervals longer than %g seconds; give the interval they count (%lld)", (long long)step,
				 interval, (long long)step);
	free(at);
	return rc;
}
