/* Writing a staffing plan: CSV to a stream, or an XLSX workbook (with
 * libxlsxwriter) that a planner opens in a spreadsheet, with a chart of the
 * agents required per interval. */
#include "cli/plan_output.h"
#include "guichet/error.h"

#include <stdio.h>
#include <xlsxwriter.h>

void plan_write_csv(FILE *out, const struct wfm_plan_row *rows, const struct wfm_plan_result *res,
		    size_t n)
{
	/* Erlang C's ASA (answered callers) and Erlang A's mean wait (over all
	 * arrivals, abandoned ones too) are two measures: one column each */
	fputs("interval_start,calls,aht,load,agents,staff,service_level,asa,mean_wait,occupancy,p_abandon,model\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct wfm_plan_result *r = &res[i];
		fprintf(out, "%s,%g,%g,%.4f,%d,%d,%.4f,", rows[i].start, rows[i].calls, rows[i].aht, r->load, r->agents,
			r->staff, r->service_level);
		if (r->erlang_a)
			fprintf(out, ",%.2f,%.4f,%.4f,erlang_a\n", r->asa, r->occupancy, r->p_abandon);
		else
			fprintf(out, "%.2f,,%.4f,,erlang_c\n", r->asa, r->occupancy);
	}
}

static void write_goal(lxw_workbook *wb, const struct wfm_plan_goal *g, lxw_format *bold,
		       lxw_format *pct)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Goal");
	worksheet_set_column(ws, 0, 0, 34, NULL);
	worksheet_set_column(ws, 1, 1, 12, NULL);
	const char *labels[] = {"Service level target", "Answered within (s)", "Interval length (s)",
				"Shrinkage", "Maximum ASA (s, 0: none)", "Maximum occupancy (0: none)",
				"Maximum abandonment (0: none)"};
	double values[] = {g->goal.service_level, g->goal.target, g->interval, g->goal.shrinkage,
			   g->goal.max_asa, g->goal.max_occupancy, g->max_abandon};
	worksheet_write_string(ws, 0, 0, "Goal", bold);
	for (int i = 0; i < 7; i++) {
		worksheet_write_string(ws, (lxw_row_t)i + 1, 0, labels[i], NULL);
		worksheet_write_number(ws, (lxw_row_t)i + 1, 1, values[i],
				       i == 0 || i == 3 || i >= 5 ? pct : NULL);
	}
}

int plan_write_xlsx(const char *path, const struct wfm_plan_row *rows,
		    const struct wfm_plan_result *res, size_t n, const struct wfm_plan_goal *goal)
{
	lxw_workbook *wb = workbook_new(path);
	if (wb == NULL)
		return GC_EIO;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Staffing");
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_format *pct = workbook_add_format(wb);
	format_set_num_format(pct, "0.0%");
	lxw_format *one = workbook_add_format(wb);
	format_set_num_format(one, "0.0");
	static const char *const headers[] = {"Interval start", "Calls", "AHT (s)", "Load (Erlangs)",
		"Agents", "Staff", "Service level", "ASA or mean wait (s)", "Occupancy", "Abandonment", "Model"};
	for (lxw_col_t c = 0; c < 11; c++)
		worksheet_write_string(ws, 0, c, headers[c], bold);
	worksheet_set_column(ws, 0, 0, 20, NULL);
	worksheet_set_column(ws, 1, 10, 12, NULL);
	worksheet_freeze_panes(ws, 1, 0);
	for (size_t i = 0; i < n; i++) {
		lxw_row_t row = (lxw_row_t)i + 1;
		const struct wfm_plan_result *r = &res[i];
		worksheet_write_string(ws, row, 0, rows[i].start, NULL);
		worksheet_write_number(ws, row, 1, rows[i].calls, NULL);
		worksheet_write_number(ws, row, 2, rows[i].aht, NULL);
		worksheet_write_number(ws, row, 3, r->load, one);
		worksheet_write_number(ws, row, 4, r->agents, NULL);
		worksheet_write_number(ws, row, 5, r->staff, NULL);
		worksheet_write_number(ws, row, 6, r->service_level, pct);
		worksheet_write_number(ws, row, 7, r->asa, one);
		worksheet_write_number(ws, row, 8, r->occupancy, pct);
		if (r->erlang_a)
			worksheet_write_number(ws, row, 9, r->p_abandon, pct);
		worksheet_write_string(ws, row, 10, r->erlang_a ? "Erlang A" : "Erlang C", NULL);
	}
	/* totals under the table, as formulas so they follow edits */
	lxw_row_t total = (lxw_row_t)n + 2;
	char formula[128];
	worksheet_write_string(ws, total, 0, "Total calls", bold);
	snprintf(formula, sizeof(formula), "=SUM(B2:B%zu)", n + 1);
	worksheet_write_formula(ws, total, 1, formula, NULL);
	worksheet_write_string(ws, total + 1, 0, "Agent-hours", bold);
	snprintf(formula, sizeof(formula), "=SUM(E2:E%zu)*%g/3600", n + 1, goal->interval);
	worksheet_write_formula(ws, total + 1, 1, formula, one);
	worksheet_write_string(ws, total + 2, 0, "Staff-hours", bold);
	snprintf(formula, sizeof(formula), "=SUM(F2:F%zu)*%g/3600", n + 1, goal->interval);
	worksheet_write_formula(ws, total + 2, 1, formula, one);
	worksheet_write_string(ws, total + 3, 0, "Peak agents", bold);
	snprintf(formula, sizeof(formula), "=MAX(E2:E%zu)", n + 1);
	worksheet_write_formula(ws, total + 3, 1, formula, NULL);

	lxw_chart *chart = workbook_add_chart(wb, LXW_CHART_COLUMN);
	char categories[64], values[64];
	snprintf(categories, sizeof(categories), "=Staffing!$A$2:$A$%zu", n + 1);
	snprintf(values, sizeof(values), "=Staffing!$E$2:$E$%zu", n + 1);
	lxw_chart_series *agents = chart_add_series(chart, categories, values);
	chart_series_set_name(agents, "Agents required");
	snprintf(values, sizeof(values), "=Staffing!$F$2:$F$%zu", n + 1);
	lxw_chart_series *staff = chart_add_series(chart, categories, values);
	chart_series_set_name(staff, "Staff scheduled (with shrinkage)");
	chart_title_set_name(chart, "Agents required per interval");
	chart_axis_set_name(chart->y_axis, "Agents");
	chart_axis_set_name(chart->x_axis, "Interval start");
	lxw_chart_options options = {.x_scale = 2.0, .y_scale = 1.5};
	worksheet_insert_chart_opt(ws, 1, 12, chart, &options);
	write_goal(wb, goal, bold, pct);
	return workbook_close(wb) == LXW_NO_ERROR ? GC_OK : GC_EIO;
}
