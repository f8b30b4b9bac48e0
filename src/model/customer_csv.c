/* Customer CSV parsing (guichet/customer_csv.h) on top of libcsv.
 *
 * The data is fed to libcsv one physical line at a time (ended by LF, CRLF
 * or a lone CR), so when a record starts we know its line number. Fields are collected as jansson strings,
 * which checks UTF-8 and owns the memory the customer_input points into.
 *
 * Limits (guichet/customer_csv.h) hold before memory is spent: at most
 * CUSTOMER_CSV_MAX_COLUMNS cells of a record are kept (the others are only
 * counted), libcsv's field buffer cannot grow past CUSTOMER_CSV_MAX_FIELD,
 * and the header is refused when it has more attribute columns than a
 * customer_input holds, so record_to_customer never writes past attrs[]. */
#include "guichet/customer_csv.h"
#include "guichet/error.h"
#include "guichet/phone.h"
#include "guichet/text.h"

#include <assert.h>
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum column_kind { COL_EXTERNAL_ID, COL_EMAIL, COL_PHONE, COL_ATTR };

struct column {
	enum column_kind kind;
	char key[DECODE_MAX_ATTR_KEY + 1];
	enum sensitivity sensitivity; /* from "key:class", else SENS_NONE */
};

struct parse {
	customer_csv_row_fn on_row;
	customer_csv_reject_fn on_reject;
	void *ctx;
	struct decode_error *err;
	struct column columns[CUSTOMER_CSV_MAX_COLUMNS];
	size_t n_columns;
	bool have_header;
	json_t *fields;        /* the current record's cells, at most CUSTOMER_CSV_MAX_COLUMNS */
	size_t n_fields;       /* the current record's cells, all of them */
	bool bad_utf8;
	size_t line;           /* the physical line being fed */
	size_t record_line;    /* where the current record started */
	size_t n_records;
	int rc;                /* first failure, stops everything */
	const char *region;    /* where a phone without its country code is read */
	char phone[PHONE_E164_LEN]; /* the current record's phone in E.164 */
};

size_t customer_csv_max_records(size_t n_columns)
{
	size_t by_cells = CUSTOMER_CSV_MAX_CELLS / (n_columns ? n_columns : 1);
	return by_cells < CUSTOMER_CSV_MAX_ROWS ? by_cells : CUSTOMER_CSV_MAX_ROWS;
}

static int header_fail(struct parse *p, const char *fmt, const char *what)
{
	p->err->code = GC_EINVAL;
	snprintf(p->err->field, sizeof(p->err->field), "line 1");
	snprintf(p->err->message, sizeof(p->err->message), fmt, what);
	return GC_EINVAL;
}

/* A header over a limit: 413, naming the line and the first column too many. */
static int header_too_big(struct parse *p, size_t column, const char *fmt, size_t n, size_t max)
{
	p->err->code = GC_ETOOBIG;
	snprintf(p->err->field, sizeof(p->err->field), "line 1, column %zu", column);
	snprintf(p->err->message, sizeof(p->err->message), fmt, n, max);
	return GC_ETOOBIG;
}

static int parse_column(struct parse *p, const char *name, struct column *col)
{
	*col = (struct column){.kind = COL_ATTR, .sensitivity = SENS_NONE};
	if (strcmp(name, "external_id") == 0)
		col->kind = COL_EXTERNAL_ID;
	else if (strcmp(name, "email") == 0)
		col->kind = COL_EMAIL;
	else if (strcmp(name, "phone") == 0)
		col->kind = COL_PHONE;
	if (col->kind != COL_ATTR)
		return GC_OK;
	const char *colon = strchr(name, ':');
	size_t key_len = colon ? (size_t)(colon - name) : strlen(name);
	if (key_len == 0 || key_len > DECODE_MAX_ATTR_KEY)
		return header_fail(p, "bad column name '%.64s': 1 to 64 bytes before the class", name);
	memcpy(col->key, name, key_len);
	col->key[key_len] = '\0';
	if (!customer_attr_key_valid(col->key))
		return header_fail(p, "column '%.64s': attribute names are of [a-z0-9_]", name);
	if (colon && sensitivity_parse(colon + 1, &col->sensitivity) < 0)
		return header_fail(p, "column '%.64s': class must be basic, personal or confidential", name);
	return GC_OK;
}

static int take_header(struct parse *p)
{
	size_t n = p->n_fields, n_attrs = 0;
	bool has_id = false;
	if (n > CUSTOMER_CSV_MAX_COLUMNS)
		return header_too_big(p, CUSTOMER_CSV_MAX_COLUMNS + 1,
				      "line 1: %zu columns, at most %zu", n, CUSTOMER_CSV_MAX_COLUMNS);
	for (size_t i = 0; i < n; i++) {
		const char *name = json_string_value(json_array_get(p->fields, i));
		int rc = parse_column(p, name, &p->columns[i]);
		if (rc < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (p->columns[j].kind == p->columns[i].kind &&
			    strcmp(p->columns[j].key, p->columns[i].key) == 0)
				return header_fail(p, "duplicate column '%.64s'", name);
		has_id |= p->columns[i].kind == COL_EXTERNAL_ID;
		n_attrs += p->columns[i].kind == COL_ATTR;
	}
	if (n_attrs > CUSTOMER_CSV_MAX_ATTRS) {
		size_t column = 0; /* the first attribute column over the limit */
		for (size_t i = 0, k = 0; i < n && column == 0; i++)
			if (p->columns[i].kind == COL_ATTR && ++k > CUSTOMER_CSV_MAX_ATTRS)
				column = i + 1;
		return header_too_big(p, column, "line 1: %zu attribute columns, at most %zu", n_attrs,
				      CUSTOMER_CSV_MAX_ATTRS);
	}
	if (!has_id)
		return header_fail(p, "the header needs an %s column", "external_id");
	p->n_columns = n;
	p->have_header = true;
	return GC_OK;
}

/* Turns the current record into a customer, or says why it cannot be one. */
static const char *record_to_customer(struct parse *p, struct customer_input *in, char *why,
				      size_t why_len)
{
	/* a blank cell, like a column the file lacks, changes nothing */
	*in = (struct customer_input){.has = HAS_EXTERNAL_ID | HAS_ATTRS};
	if (p->bad_utf8)
		return "invalid UTF-8";
	if (p->n_fields != p->n_columns) {
		snprintf(why, why_len, "%zu fields where the header has %zu", p->n_fields, p->n_columns);
		return why;
	}
	for (size_t i = 0; i < p->n_columns; i++) {
		const json_t *cell = json_array_get(p->fields, i);
		const char *v = json_string_value(cell);
		const struct column *col = &p->columns[i];
		const char *name = col->kind == COL_ATTR ? col->key : col->kind == COL_EMAIL ? "email"
								  : col->kind == COL_PHONE ? "phone" : "external_id";
		if (json_string_length(cell) > CUSTOMER_CSV_MAX_VALUE) {
			snprintf(why, why_len, "column %zu '%s': value over %d bytes", i + 1, name,
				 CUSTOMER_CSV_MAX_VALUE);
			return why;
		}
		if (!gc_text_is_clean(v, col->kind == COL_ATTR)) {
			snprintf(why, why_len, "column %zu '%s': control characters in the value", i + 1, name);
			return why;
		}
		if (*v == '\0')
			continue;
		if (col->kind == COL_EXTERNAL_ID)
			in->external_id = json_string_length(cell) <= 128 ? v : NULL;
		else if (col->kind == COL_EMAIL && !gc_text_is_email(v))
			return "email is not an email address";
		else if (col->kind == COL_EMAIL)
			in->email = v, in->has |= HAS_EMAIL;
		else if (col->kind == COL_PHONE && (!gc_text_is_phone(v) || phone_e164(v, p->region, p->phone,
										     sizeof(p->phone)) < 0))
			return p->region && *p->region ? "phone is not a phone number (write it with its country code,"
							 " or as dialled in the tenant's country)"
						       : "phone is not a phone number (write it with its country code:"
							 " the tenant's calendar names no country)";
		else if (col->kind == COL_PHONE)
			in->phone = p->phone, in->has |= HAS_PHONE;
		else {
			/* take_header allowed at most CUSTOMER_CSV_MAX_ATTRS attribute columns */
			assert(in->n_attrs < CUSTOMER_CSV_MAX_ATTRS);
			if (in->n_attrs == CUSTOMER_CSV_MAX_ATTRS)
				return "too many attributes";
			in->attrs[in->n_attrs++] = (struct customer_attr){col->key, v, col->sensitivity};
		}
	}
	if (in->external_id == NULL)
		return "external_id is empty or longer than 128 bytes";
	return NULL;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct parse *p = arg;
	if (p->n_fields == 0 && !p->bad_utf8)
		p->record_line = p->line;
	if (++p->n_fields > CUSTOMER_CSV_MAX_COLUMNS)
		return; /* counted, not kept: the record is refused for its width */
	json_t *s = json_stringn(data ? data : "", data ? len : 0);
	if (s == NULL || memchr(data ? data : "", '\0', data ? len : 0)) {
		p->bad_utf8 = true;
		json_decref(s);
		s = json_string("");
	}
	json_array_append_new(p->fields, s);
}

static void on_record(int term, void *arg)
{
	struct parse *p = arg;
	struct customer_input in;
	char why[128];
	(void)term;
	if (p->n_fields == 0)
		p->record_line = p->line;
	bool blank = p->n_fields == 1 &&
		     json_string_length(json_array_get(p->fields, 0)) == 0 && !p->bad_utf8;
	if (p->rc == GC_OK && !blank) {
		if (!p->have_header) {
			p->rc = take_header(p);
		} else if (++p->n_records > customer_csv_max_records(p->n_columns)) {
			p->err->code = GC_ETOOBIG;
			snprintf(p->err->field, sizeof(p->err->field), "line %zu", p->record_line);
			snprintf(p->err->message, sizeof(p->err->message),
				 "line %zu: more than %zu records of %zu columns in one file (at most %d,"
				 " and %d cells; guichet customers import splits bigger files)", p->record_line,
				 customer_csv_max_records(p->n_columns), p->n_columns, CUSTOMER_CSV_MAX_ROWS,
				 CUSTOMER_CSV_MAX_CELLS);
			p->rc = GC_ETOOBIG;
		} else {
			const char *reason = record_to_customer(p, &in, why, sizeof(why));
			p->rc = reason ? p->on_reject(p->ctx, p->record_line, reason)
				       : p->on_row(p->ctx, p->record_line, &in);
		}
	}
	json_array_clear(p->fields);
	p->n_fields = 0;
	p->bad_utf8 = false;
}

static int malformed(struct parse *p, struct csv_parser *csv)
{
	bool big = csv_error(csv) == CSV_ENOMEM || csv_error(csv) == CSV_ETOOBIG;
	p->err->code = big ? GC_ETOOBIG : GC_EINVAL;
	snprintf(p->err->field, sizeof(p->err->field), "line %zu", p->line);
	if (big)
		snprintf(p->err->message, sizeof(p->err->message),
			 "line %zu: a field over %d bytes", p->line, CUSTOMER_CSV_MAX_FIELD);
	else
		snprintf(p->err->message, sizeof(p->err->message), "malformed CSV at line %zu: %s",
			 p->line, gc_csv_problem(csv_error(csv)));
	return p->err->code;
}

/* libcsv's allocator: a field's buffer never grows past CUSTOMER_CSV_MAX_FIELD
 * (libcsv then stops with CSV_ENOMEM, reported as a field too big). */
static void *bounded_realloc(void *ptr, size_t size)
{
	return size > CUSTOMER_CSV_MAX_FIELD ? NULL : realloc(ptr, size);
}

/* The length of the physical line at data, its end included: "\n", "\r\n" or a
 * lone "\r" (libcsv ends a record at each of them). */
static size_t line_length(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n')
			return i + 1;
		if (data[i] == '\r')
			return i + 1 < len && data[i + 1] == '\n' ? i + 2 : i + 1;
	}
	return len;
}

unsigned char customer_csv_delimiter(const char *data, size_t len)
{
	size_t commas = 0, semicolons = 0;
	bool quoted = false;
	for (size_t i = 0; i < len && data[i] != '\n' && data[i] != '\r'; i++) {
		if (data[i] == '"')
			quoted = !quoted;
		else if (!quoted && data[i] == ',')
			commas++;
		else if (!quoted && data[i] == ';')
			semicolons++;
	}
	return semicolons > commas ? ';' : ',';
}

int customer_csv_parse(const char *data, size_t len, const char *region, customer_csv_row_fn on_row,
		       customer_csv_reject_fn on_reject, void *ctx, struct decode_error *err)
{
	if (len > CUSTOMER_CSV_MAX_BYTES) {
		err->code = GC_ETOOBIG;
		snprintf(err->field, sizeof(err->field), "%s", "");
		snprintf(err->message, sizeof(err->message), "the file is over %d bytes (guichet customers"
			 " import splits bigger files)", CUSTOMER_CSV_MAX_BYTES);
		return GC_ETOOBIG;
	}
	struct parse p = {.on_row = on_row, .on_reject = on_reject, .ctx = ctx, .err = err,
			  .fields = json_array(), .region = region};
	struct csv_parser csv;
	if (p.fields == NULL || csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) {
		json_decref(p.fields);
		return GC_ENOMEM;
	}
	csv_set_realloc_func(&csv, bounded_realloc);
	size_t pos = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* a UTF-8 byte order mark, as spreadsheets write */
	csv_set_delim(&csv, customer_csv_delimiter(data + pos, len - pos));
	while (pos < len && p.rc == GC_OK) {
		size_t chunk = line_length(data + pos, len - pos);
		p.line++;
		if (csv_parse(&csv, data + pos, chunk, on_field, on_record, &p) != chunk) {
			p.rc = malformed(&p, &csv);
			break;
		}
		pos += chunk;
	}
	if (p.rc == GC_OK && csv_fini(&csv, on_field, on_record, &p) != 0)
		p.rc = malformed(&p, &csv);
	if (p.rc == GC_OK && !p.have_header) {
		p.line = 1;
		p.rc = header_fail(&p, "%s", "the file is empty: it needs a header line");
	}
	csv_free(&csv);
	json_decref(p.fields);
	return p.rc;
}
