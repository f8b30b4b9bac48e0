/* The daily level-2 export: a tenant's local day, the day's level-2
 * contacts grouped by category, and the workbook a brand's technical team
 * reads. Shared by guichetd (the API's answer and the scheduled mail) and
 * the CLI (guichet export l2 --xlsx), so both write the same workbook.
 *
 * Pure but for l2_xlsx_write, which writes its file (libxlsxwriter). */
#ifndef GUICHET_REPORT_L2_H
#define GUICHET_REPORT_L2_H

#include <jansson.h>
#include <stdint.h>

#define L2_UNCATEGORISED "Uncategorised"

/* The local day date ("YYYY-MM-DD", a real calendar day) of zone as
 * [*ret_from, *ret_to) in UTC milliseconds: 23 or 25 hours on the days the
 * clocks change. GC_EINVAL for a malformed date or an unknown zone. */
int l2_day_window(const char *zone, const char *date, int64_t *ret_from, int64_t *ret_to);

/* The local date of instant ms in zone, as "YYYY-MM-DD" into ret (11 bytes). */
int l2_local_date(const char *zone, int64_t ms, char *ret);

/* The date n days after (negative: before) date, "YYYY-MM-DD" into ret (11 bytes). */
int l2_date_add(const char *date, int n, char *ret);

/* The days a daily schedule at local time at_minute (minutes after
 * midnight) in zone owes by now: each local day from max_back days before
 * today to today whose time has passed, and none before the local day the
 * schedule was made (created_ms), oldest first, "YYYY-MM-DD" each into
 * ret_days (room for max_back + 1); their number in *ret_n. */
int l2_schedule_days(const char *zone, int at_minute, int64_t created_ms, int64_t now_ms, int max_back,
		     char (*ret_days)[11], int *ret_n);

/* Groups the rows of store_l2_contacts by their "category" (a missing or
 * empty one under L2_UNCATEGORISED): [{"category","count","contacts":[rows]}],
 * categories in alphabetical order with L2_UNCATEGORISED last, contacts in
 * the order given. rows is borrowed; NULL when out of memory. */
json_t *l2_group(const json_t *rows);

/* Writes the export (the API's answer: {"date","time_zone","categories":
 * l2_group(...)}) as an XLSX workbook at path: one sheet, a header row per
 * category, then its contacts (id, received, subject, the customer's basic
 * fields, the escalation note); a second sheet counts contacts per
 * category. Times are shown in the export's zone. GC_EIO when the file
 * cannot be written. */
int l2_xlsx_write(const json_t *export, const char *path);

#endif
