/* The level-2 export as an XLSX workbook (l2.h), with libxlsxwriter.
 *
 * One sheet a technical team can read top to bottom or filter: a title,
 * the column headings, then per category a bold header row ("Billing, 3
 * contacts") followed by its contacts, one row each. The customer's basic
 * attributes get one column per key found in the day's export (sorted), so
 * every row lines up. A second sheet counts the contacts per category. */
#include "report/l2.h"
#include "guichet/error.h"
#include "guichet/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

struct sheet {
	lxw_worksheet *ws;
	lxw_format *bold, *group, *wrap;
	const char *zone;
	json_t *keys;               /* the attribute keys, sorted: the columns after the fixed ones */
	lxw_row_t row;
};

enum { COL_ID, COL_RECEIVED, COL_SUBJECT, COL_CUSTOMER, COL_EXTERNAL, COL_ATTRS };

static int by_text(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Every attribute key of the export's customers, sorted. */
static json_t *attribute_keys(const json_t *categories)
{
	json_t *set = json_object(), *cat, *row, *v;
	size_t i, j;
	const char *key;
	json_array_foreach(categories, i, cat)
		json_array_foreach(json_object_get(cat, "contacts"), j, row)
			json_object_foreach(json_object_get(json_object_get(row, "customer"), "attributes"), key, v)
				json_object_set_new(set, key, json_true());
	size_t n = json_object_size(set), k = 0;
	json_t **list = calloc(n + 1, sizeof(*list));
	json_t *out = json_array();
	json_object_foreach(set, key, v)
		if (list)
			list[k++] = json_string(key);
	if (list) {
		qsort(list, k, sizeof(*list), by_text);
		for (size_t x = 0; x < k; x++)
			json_array_append_new(out, list[x]);
	}
	free(list);
	json_decref(set);
	return out;
}

static void headings(struct sheet *s)
{
	static const char *const fixed[] = {"Contact", "Received", "Subject", "Customer", "Customer reference"};
	lxw_col_t c = 0;
	for (; c < COL_ATTRS; c++)
		worksheet_write_string(s->ws, s->row, c, fixed[c], s->bold);
	size_t i;
	json_t *k;
	json_array_foreach(s->keys, i, k)
		worksheet_write_string(s->ws, s->row, c++, json_string_value(k), s->bold);
	worksheet_write_string(s->ws, s->row, c, "Escalation note", s->bold);
	worksheet_set_column(s->ws, COL_RECEIVED, COL_RECEIVED, 17, NULL);
	worksheet_set_column(s->ws, COL_SUBJECT, COL_SUBJECT, 40, s->wrap);
	worksheet_set_column(s->ws, COL_EXTERNAL, c - 1, 18, NULL);
	worksheet_set_column(s->ws, c, c, 60, s->wrap);
	s->row++;
}

static void text(struct sheet *s, lxw_col_t col, const json_t *v)
{
	if (json_is_string(v))
		worksheet_write_string(s->ws, s->row, col, json_string_value(v), NULL);
	else if (json_is_integer(v))
		worksheet_write_number(s->ws, s->row, col, (double)json_integer_value(v), NULL);
}

/* "YYYY-MM-DD HH:MM" in the export's zone, from the RFC 3339 UTC text the store answers. */
static void received(struct sheet *s, const json_t *v)
{
	const char *at = json_string_value(v);
	struct tm tm = {0};
	char buf[32];
	if (at == NULL || strptime(at, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return;
	int64_t ms = (int64_t)timegm(&tm) * 1000;
	struct gc_local_time lt;
	if (gc_tz_local(s->zone, ms, &lt) == GC_OK)
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d", lt.year % 10000, lt.month, lt.day, lt.hour,
			 lt.minute);
	else
		snprintf(buf, sizeof(buf), "%.16s", at);
	worksheet_write_string(s->ws, s->row, COL_RECEIVED, buf, NULL);
}

static void contact_row(struct sheet *s, const json_t *row)
{
	const json_t *cust = json_object_get(row, "customer");
	text(s, COL_ID, json_object_get(row, "contact_id"));
	received(s, json_object_get(row, "received_at"));
	text(s, COL_SUBJECT, json_object_get(row, "subject"));
	text(s, COL_CUSTOMER, json_object_get(cust, "id"));
	text(s, COL_EXTERNAL, json_object_get(cust, "external_id"));
	lxw_col_t c = COL_ATTRS;
	size_t i;
	json_t *k;
	json_array_foreach(s->keys, i, k)
		text(s, c++, json_object_get(json_object_get(cust, "attributes"), json_string_value(k)));
	text(s, c, json_object_get(row, "escalation_note"));
	s->row++;
}

static void summary(lxw_workbook *wb, const json_t *categories, lxw_format *bold)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Categories");
	worksheet_write_string(ws, 0, 0, "Category", bold);
	worksheet_write_string(ws, 0, 1, "Contacts", bold);
	worksheet_set_column(ws, 0, 0, 30, NULL);
	size_t i;
	json_t *cat;
	json_array_foreach(categories, i, cat) {
		worksheet_write_string(ws, (lxw_row_t)i + 1, 0, json_string_value(json_object_get(cat, "category")), NULL);
		worksheet_write_number(ws, (lxw_row_t)i + 1, 1, (double)json_integer_value(json_object_get(cat, "count")),
				       NULL);
	}
}

int l2_xlsx_write(const json_t *export, const char *path)
{
	const json_t *categories = json_object_get(export, "categories");
	const char *date = json_string_value(json_object_get(export, "date"));
	const char *zone = json_string_value(json_object_get(export, "time_zone"));
	lxw_workbook *wb = workbook_new(path);
	if (wb == NULL)
		return GC_EIO;
	struct sheet s = {.ws = workbook_add_worksheet(wb, "Level 2"), .bold = workbook_add_format(wb),
			  .group = workbook_add_format(wb), .wrap = workbook_add_format(wb),
			  .zone = zone ? zone : "UTC", .keys = attribute_keys(categories)};
	format_set_bold(s.bold);
	format_set_bold(s.group);
	format_set_bg_color(s.group, 0xDDEBF7);
	format_set_text_wrap(s.wrap);
	char title[160];
	snprintf(title, sizeof(title), "Level-2 contacts of %s (%s)", date ? date : "?", s.zone);
	worksheet_write_string(s.ws, s.row++, 0, title, s.bold);
	s.row++;
	headings(&s);
	worksheet_freeze_panes(s.ws, s.row, 0);
	size_t i, j;
	json_t *cat, *row;
	json_array_foreach(categories, i, cat) {
		char head[600];
		json_int_t n = json_integer_value(json_object_get(cat, "count"));
		snprintf(head, sizeof(head), "%s, %lld contact%s", json_string_value(json_object_get(cat, "category")),
			 (long long)n, n == 1 ? "" : "s");
		/* across every column, so the team sees where a category starts */
		worksheet_merge_range(s.ws, s.row, 0, s.row, (lxw_col_t)(COL_ATTRS + json_array_size(s.keys)), head, s.group);
		s.row++;
		json_array_foreach(json_object_get(cat, "contacts"), j, row)
			contact_row(&s, row);
	}
	if (json_array_size(categories) == 0)
		worksheet_write_string(s.ws, s.row, 0, "No contact went to level 2 that day.", NULL);
	summary(wb, categories, s.bold);
	json_decref(s.keys);
	return workbook_close(wb) == LXW_NO_ERROR ? GC_OK : GC_EIO;
}
