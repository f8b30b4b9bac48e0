/* Staffing plans (plan.h): CSV rows parsed with libcsv, staffed one by one. */
#include "wfm/plan.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parse {
	struct wfm_plan_row *rows;
	size_t n, cap;
	char fields[5][64];
	int n_fields;
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
	if (p->n_fields < 5) {
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

static void take_row(struct parse *p)
{
	struct wfm_plan_row row = {.line = p->record_line, .inhouse = -1};
	if (p->n_fields < 3 || p->n_fields > 5 || p->too_long) {
		fail_line(p, p->record_line, "%s", p->too_long ? "a field is longer than 63 characters"
					: "expected start,calls,aht[,patience[,inhouse]]");
		return;
	}
	if (!to_number(p->fields[1], 0, 1e9, &row.calls)) {
		if (p->n == 0 && p->record_line == 1)
			return; /* a header */
		fail_line(p, p->record_line, "calls: '%.60s' is not a number from 0", p->fields[1]);
		return;
	}
	if (!to_number(p->fields[2], 1e-9, 86400, &row.aht)) {
		fail_line(p, p->record_line, "aht: '%.60s' is not a positive number of seconds", p->fields[2]);
		return;
	}
	if (p->n_fields >= 4 && p->fields[3][0] && !to_number(p->fields[3], 1e-9, 1e6, &row.patience)) {
		fail_line(p, p->record_line, "patience: '%.60s' is not a positive number of seconds", p->fields[3]);
		return;
	}
	if (p->n_fields == 5 && p->fields[4][0] && !to_number(p->fields[4], 0, WFM_MAX_AGENTS, &row.inhouse)) {
		fail_line(p, p->record_line, "inhouse: '%.60s' is not a number of agents", p->fields[4]);
		return;
	}
	snprintf(row.start, sizeof(row.start), "%s", p->fields[0]);
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

int wfm_plan_parse(const char *csv, size_t len, struct wfm_plan_row **ret_rows, size_t *ret_n,
		   struct decode_error *err)
{
	struct parse p = {.err = err};
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

void wfm_overflow_add(struct wfm_overflow *o, int positions)
{
	o->position_hours += positions * o->interval_hours;
	o->cost_hourly = o->position_hours * o->price;
	o->span_hours += o->interval_hours;
	if (positions > o->peak_positions)
		o->peak_positions = positions;
	o->cost_fixed = o->peak_positions * o->span_hours * o->price;
}
