/* Writing a staffing plan as CSV or as an XLSX workbook with a chart. */
#ifndef GUICHET_CLI_PLAN_OUTPUT_H
#define GUICHET_CLI_PLAN_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "wfm/plan.h"

void plan_write_csv(FILE *out, const struct wfm_plan_row *rows, const struct wfm_plan_result *res,
		    size_t n);
/* GC_EIO when the file cannot be written. */
int plan_write_xlsx(const char *path, const struct wfm_plan_row *rows,
		    const struct wfm_plan_result *res, size_t n, const struct wfm_plan_goal *goal);

#endif
