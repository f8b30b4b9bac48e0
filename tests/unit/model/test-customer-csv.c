/* Unit tests of the customer CSV format (src/model/customer_csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/customer_csv.h"
#include "guichet/error.h"

struct seen {
	char rows[16][128];
	size_t row_lines[16], n_rows;
	char reasons[16][128];
	size_t reject_lines[16], n_rejects;
	size_t last_n_attrs;
	bool last_has_class;
};

static int on_row(void *arg, size_t line, const struct customer_input *in)
{
	struct seen *s = arg;
	if (s->n_rows >= 16) {
		s->n_rows++;
		return GC_OK;
	}
	snprintf(s->rows[s->n_rows], 128, "%s|%s|%s|%zu", in->external_id, in->email ? in->email : "-",
		 in->phone ? in->phone : "-", in->n_attrs);
	for (size_t i = 0; i < in->n_attrs; i++) {
		size_t len = strlen(s->rows[s->n_rows]);
		snprintf(s->rows[s->n_rows] + len, 128 - len, "|%s=%s/%d", in->attrs[i].key,
			 in->attrs[i].value, in->attrs[i].sensitivity);
	}
	s->last_n_attrs = in->n_attrs;
	s->last_has_class = in->n_attrs > 0 && in->attrs[0].sensitivity != SENS_NONE;
	if (s->n_rows < 16)
		s->row_lines[s->n_rows] = line;
	s->n_rows++;
	return GC_OK;
}

static int on_reject(void *arg, size_t line, const char *reason)
{
	struct seen *s = arg;
	if (s->n_rejects < 16) {
		snprintf(s->reasons[s->n_rejects], 128, "%s", reason);
		s->reject_lines[s->n_rejects] = line;
	}
	s->n_rejects++;
	return GC_OK;
}

static int parse(const char *csv, struct seen *s, struct decode_error *err)
{
	memset(s, 0, sizeof(*s));
	return customer_csv_parse(csv, strlen(csv), "FR", on_row, on_reject, s, err);
}

/* Phones in E.164, read in the tenant's country: one number, one form. */
static void phones_are_kept_in_e164(void **state)
{
	struct seen s;
	struct decode_error err;
	const char *csv = "external_id,phone\n"
			  "C1,06 12 34 56 78\n"
			  "C2,0033 6.12.34.56.78\n"
			  "C3,+44 20 7946 0018\n"
			  "C4,06 12 34\n"            /* line 5: too short to be a number */
			  "C5,\n";                   /* no phone */
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 4);
	assert_string_equal(s.rows[0], "C1|-|+33612345678|0");
	assert_string_equal(s.rows[1], "C2|-|+33612345678|0");
	assert_string_equal(s.rows[2], "C3|-|+442079460018|0");
	assert_string_equal(s.rows[3], "C5|-|-|0");
	assert_int_equal(s.n_rejects, 1);
	assert_int_equal(s.reject_lines[0], 5);
	assert_non_null(strstr(s.reasons[0], "phone"));
	/* without a country, only numbers with their country code */
	memset(&s, 0, sizeof(s));
	assert_int_equal(customer_csv_parse(csv, strlen(csv), NULL, on_row, on_reject, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 2);
	assert_string_equal(s.rows[0], "C3|-|+442079460018|0");
	assert_int_equal(s.n_rejects, 3);
	assert_non_null(strstr(s.reasons[0], "country code"));
}

static void rows_and_classes(void **state)
{
	struct seen s;
	struct decode_error err;
	const char *csv = "external_id,email,first_name:basic,iban:confidential,notes\n"
			  "C1,ana@x.fr,Ana,FR76,\"likes \"\"tea\"\"\"\r\n"
			  "C2,,Bob,,\n";
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 2);
	assert_string_equal(s.rows[0], "C1|ana@x.fr|-|3|first_name=Ana/0|iban=FR76/2|notes=likes \"tea\"/-1");
	assert_string_equal(s.rows[1], "C2|-|-|1|first_name=Bob/0");
	assert_int_equal(s.row_lines[0], 2);
	assert_int_equal(s.row_lines[1], 3);
}

static void rejected_rows_name_their_physical_line(void **state)
{
	struct seen s;
	struct decode_error err;
	const char *csv = "external_id,phone,address\n"
			  "C1,+33 1 23 45 67 89,\"1 rue de la Paix\nParis\"\n" /* two physical lines */
			  "C2,not a phone,x\n"                                 /* line 4 */
			  "C3,0123456789\n"                                    /* line 5: one field short */
			  "\n"                                                 /* blank: skipped */
			  ",0123456789,x\n"                                    /* line 7: no id */
			  "C5,0123456789,\xff\xfe\n";                          /* line 8: bad UTF-8 */
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 1);
	assert_int_equal(s.row_lines[0], 2);
	assert_int_equal(s.n_rejects, 4);
	assert_int_equal(s.reject_lines[0], 4);
	assert_non_null(strstr(s.reasons[0], "phone"));
	assert_int_equal(s.reject_lines[1], 5);
	assert_non_null(strstr(s.reasons[1], "2 fields where the header has 3"));
	assert_int_equal(s.reject_lines[2], 7);
	assert_int_equal(s.reject_lines[3], 8);
	assert_string_equal(s.reasons[3], "invalid UTF-8");
}

/* found by fuzz-customer-csv: libcsv ends a record at a lone CR, so line
 * numbers must count it as a line end too */
static void a_lone_cr_ends_a_line(void **state)
{
	struct seen s;
	struct decode_error err;
	assert_int_equal(parse("external_id,email\rC1,bad\rC2,x@y.fr\r\nC3,bad\n", &s, &err), GC_OK);
	assert_int_equal(s.n_rejects, 2);
	assert_int_equal(s.reject_lines[0], 2);
	assert_int_equal(s.reject_lines[1], 4);
	assert_int_equal(s.row_lines[0], 3);
}

static void broken_files_fail_whole(void **state)
{
	struct seen s;
	struct decode_error err;
	assert_int_equal(parse("", &s, &err), GC_EINVAL);
	assert_int_equal(parse("email,phone\na@b.co,123\n", &s, &err), GC_EINVAL);
	assert_non_null(strstr(err.message, "external_id"));
	assert_int_equal(parse("external_id,Bad Name\n", &s, &err), GC_EINVAL);
	assert_int_equal(parse("external_id,x:secret\n", &s, &err), GC_EINVAL);
	assert_int_equal(parse("external_id,a,a\n", &s, &err), GC_EINVAL);
	assert_non_null(strstr(err.message, "duplicate"));
	assert_int_equal(parse("external_id,a\nC1,\"open\nC2,x\n", &s, &err), GC_EINVAL);
	assert_string_equal(err.field, "line 3");
	assert_non_null(strstr(err.message, "quoted field is not closed")); /* not libcsv's "strict checking" */
	assert_int_equal(parse("external_id,a\nC1,x\"y\n", &s, &err), GC_EINVAL);
	assert_string_equal(err.field, "line 2");
	assert_int_equal(s.n_rows, 0);
}


/* A CSV text: header then one record, the columns built by the caller. */
struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

/* "external_id[,email,phone],a0..a{n-1}\nC1[,,],v0..v{n-1}\n" */
static char *wide_csv(size_t n_attrs, bool with_email_phone)
{
	struct text t = {0};
	char cell[32];
	put(&t, with_email_phone ? "external_id,email,phone" : "external_id");
	for (size_t i = 0; i < n_attrs; i++) {
		snprintf(cell, sizeof(cell), ",a%zu", i);
		put(&t, cell);
	}
	put(&t, with_email_phone ? "\nC1,ana@x.fr,0123456789" : "\nC1");
	for (size_t i = 0; i < n_attrs; i++) {
		snprintf(cell, sizeof(cell), ",v%zu", i);
		put(&t, cell);
	}
	put(&t, "\n");
	return t.buf;
}

/* issue 12, finding 2: external_id and 65 attribute columns overflowed the
 * customer's attrs[64] on the stack in record_to_customer (ASan: stack-buffer-overflow) */
static void sixty_five_attribute_columns_are_refused_at_the_header(void **state)
{
	struct seen s;
	struct decode_error err;
	char *csv = wide_csv(65, false);
	assert_int_equal(parse(csv, &s, &err), GC_ETOOBIG);
	assert_int_equal(s.n_rows + s.n_rejects, 0);
	assert_string_equal(err.field, "line 1, column 66");
	assert_string_equal(err.message, "line 1: 65 attribute columns, at most 64");
	free(csv);
	csv = wide_csv(66, false); /* 67 columns: accepted before the fix too */
	assert_int_equal(parse(csv, &s, &err), GC_ETOOBIG);
	assert_string_equal(err.message, "line 1: 66 attribute columns, at most 64");
	free(csv);
}

static void sixty_four_attribute_columns_are_the_maximum(void **state)
{
	struct seen s;
	struct decode_error err;
	char *csv = wide_csv(CUSTOMER_CSV_MAX_ATTRS, true); /* 67 columns */
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 1);
	assert_int_equal(s.last_n_attrs, 64);
	free(csv);
	csv = wide_csv(CUSTOMER_CSV_MAX_ATTRS + 1, true); /* 68 columns */
	assert_int_equal(parse(csv, &s, &err), GC_ETOOBIG);
	assert_string_equal(err.field, "line 1, column 68");
	assert_string_equal(err.message, "line 1: 68 columns, at most 67");
	free(csv);
}

/* a record wider than the header is refused without keeping its extra cells */
static void a_wide_record_is_a_reject(void **state)
{
	struct seen s;
	struct decode_error err;
	struct text t = {0};
	put(&t, "external_id,a\nC1");
	for (int i = 0; i < 1000; i++)
		put(&t, ",x");
	put(&t, "\nC2,y\n");
	assert_int_equal(parse(t.buf, &s, &err), GC_OK);
	assert_int_equal(s.n_rejects, 1);
	assert_string_equal(s.reasons[0], "1001 fields where the header has 2");
	assert_int_equal(s.n_rows, 1);
	free(t.buf);
}

static char *value_csv(size_t len, bool quoted)
{
	struct text t = {0};
	put(&t, quoted ? "external_id,note\nC1,\"" : "external_id,note\nC1,");
	char *v = malloc(len + 1);
	memset(v, 'x', len);
	v[len] = '\0';
	put(&t, v);
	put(&t, quoted ? "\"\nC2,ok\n" : "\nC2,ok\n");
	free(v);
	return t.buf;
}

static void values_of_4096_bytes_are_the_maximum(void **state)
{
	struct seen s;
	struct decode_error err;
	char *csv = value_csv(CUSTOMER_CSV_MAX_VALUE, false);
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 2);
	assert_int_equal(s.n_rejects, 0);
	free(csv);
	csv = value_csv(CUSTOMER_CSV_MAX_VALUE + 1, true);
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 1);
	assert_int_equal(s.n_rejects, 1);
	assert_int_equal(s.reject_lines[0], 2);
	assert_string_equal(s.reasons[0], "column 2 'note': value over 4096 bytes");
	free(csv);
}

/* libcsv may not grow a field's buffer past CUSTOMER_CSV_MAX_FIELD: the file fails there */
static void a_huge_field_fails_the_file_before_it_is_buffered(void **state)
{
	struct seen s;
	struct decode_error err;
	char *csv = value_csv(1024 * 1024, true); /* under CUSTOMER_CSV_MAX_BYTES */
	assert_int_equal(parse(csv, &s, &err), GC_ETOOBIG);
	assert_string_equal(err.field, "line 2");
	assert_non_null(strstr(err.message, "a field over"));
	free(csv);
}

static void attribute_names_of_64_bytes_are_the_maximum(void **state)
{
	struct seen s;
	struct decode_error err;
	char key[80];
	char csv[200];
	memset(key, 'k', 64);
	key[64] = '\0';
	snprintf(csv, sizeof(csv), "external_id,%s:basic\nC1,v\n", key);
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 1);
	assert_true(s.last_has_class);
	snprintf(csv, sizeof(csv), "external_id,%sk\nC1,v\n", key);
	assert_int_equal(parse(csv, &s, &err), GC_EINVAL);
	assert_string_equal(err.field, "line 1");
}

static void rows_are_bounded_per_file(void **state)
{
	struct seen s;
	struct decode_error err;
	struct text t = {0};
	char line[32];
	put(&t, "external_id\n");
	for (int i = 1; i <= CUSTOMER_CSV_MAX_ROWS; i++) {
		snprintf(line, sizeof(line), "C%d\n", i);
		put(&t, line);
	}
	assert_int_equal(parse(t.buf, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, CUSTOMER_CSV_MAX_ROWS);
	put(&t, "one-too-many\n");
	assert_int_equal(parse(t.buf, &s, &err), GC_ETOOBIG);
	snprintf(line, sizeof(line), "line %d", CUSTOMER_CSV_MAX_ROWS + 2);
	assert_string_equal(err.field, line);
	assert_int_equal(s.n_rows, CUSTOMER_CSV_MAX_ROWS);
	free(t.buf);
}

/* records x columns is bounded too: 746 records of 67 columns, not 747 */
static void cells_are_bounded_per_file(void **state)
{
	struct seen s;
	struct decode_error err;
	assert_int_equal(customer_csv_max_records(1), CUSTOMER_CSV_MAX_ROWS);
	assert_int_equal(customer_csv_max_records(67), 746);
	struct text t = {0};
	char *one = wide_csv(64, true);
	char *record = strchr(one, '\n') + 1;
	put(&t, one);
	for (int i = 2; i <= 746; i++)
		put(&t, record); /* the same external_id: the parse does not care */
	assert_int_equal(parse(t.buf, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 746);
	put(&t, record);
	assert_int_equal(parse(t.buf, &s, &err), GC_ETOOBIG);
	assert_string_equal(err.field, "line 748");
	free(t.buf);
	free(one);
}

static void bytes_are_bounded_per_file(void **state)
{
	struct seen s;
	struct decode_error err;
	struct text t = {0};
	char *value = malloc(4001);
	memset(value, 'n', 4000);
	value[4000] = '\0';
	put(&t, "external_id,note\n");
	for (int i = 0; t.len + 4100 < CUSTOMER_CSV_MAX_BYTES; i++) {
		char id[32];
		snprintf(id, sizeof(id), "N%d,", i);
		put(&t, id);
		put(&t, value);
		put(&t, "\n");
	}
	put(&t, "LAST,");
	while (t.len < CUSTOMER_CSV_MAX_BYTES - 1)
		put(&t, "x");
	put(&t, "\n"); /* the last record ends at exactly the maximum */
	assert_int_equal(t.len, CUSTOMER_CSV_MAX_BYTES);
	assert_int_equal(parse(t.buf, &s, &err), GC_OK);
	assert_int_equal(s.n_rejects, 0);
	put(&t, "\n");
	assert_int_equal(parse(t.buf, &s, &err), GC_ETOOBIG);
	assert_int_equal(s.n_rows, 0); /* refused before any record */
	free(t.buf);
	free(value);
}

/* A spreadsheet set to French exports with semicolons, its decimals with a
 * comma: read as it is, a comma inside a cell is data. */
static void semicolon_files_from_spreadsheets(void **state)
{
	struct seen s;
	struct decode_error err;
	const char *csv = "\xEF\xBB\xBF" "external_id;email;balance;notes\r\n"
			  "C1;ana@x.fr;12,50;\"a;b, c\"\r\n"
			  "C2;;0,00;\r\n";
	assert_int_equal(customer_csv_delimiter(csv + 3, strlen(csv) - 3), ';');
	assert_int_equal(parse(csv, &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 2);
	assert_string_equal(s.rows[0], "C1|ana@x.fr|-|2|balance=12,50/-1|notes=a;b, c/-1");
	assert_string_equal(s.rows[1], "C2|-|-|1|balance=0,00/-1");
	/* a comma file whose header quotes a semicolon stays a comma file */
	assert_int_equal(customer_csv_delimiter("external_id,\"a;b;c\"\n", 20), ',');
	assert_int_equal(parse("external_id,city\nC1,\"Paris; 75\"\n", &s, &err), GC_OK);
	assert_string_equal(s.rows[0], "C1|-|-|1|city=Paris; 75/-1");
}

static void a_byte_order_mark_and_quoted_newlines(void **state)
{
	struct seen s;
	struct decode_error err;
	assert_int_equal(parse("\xEF\xBB\xBF" "external_id,address\r\nC1,\"1 rue\nParis\"\r\nC2,x\r\n", &s, &err), GC_OK);
	assert_int_equal(s.n_rows, 2);
	assert_string_equal(s.rows[0], "C1|-|-|1|address=1 rue\nParis/-1");
	assert_false(s.last_has_class);
	assert_int_equal(s.row_lines[1], 4);
	assert_int_equal(parse("\xEF\xBB\xBF", &s, &err), GC_EINVAL); /* empty but for the mark */
	assert_string_equal(err.field, "line 1");
}

static int stop_at_second(void *arg, size_t line, const struct customer_input *in)
{
	return line == 3 ? GC_ESTORE : GC_OK;
}

static void a_callback_failure_stops_the_parse(void **state)
{
	struct decode_error err;
	const char *csv = "external_id\nA\nB\nC\n";
	assert_int_equal(customer_csv_parse(csv, strlen(csv), "FR", stop_at_second, on_reject, NULL, &err), GC_ESTORE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_and_classes),
		cmocka_unit_test(phones_are_kept_in_e164),
		cmocka_unit_test(rejected_rows_name_their_physical_line),
		cmocka_unit_test(a_lone_cr_ends_a_line),
		cmocka_unit_test(broken_files_fail_whole),
		cmocka_unit_test(a_callback_failure_stops_the_parse),
		cmocka_unit_test(sixty_five_attribute_columns_are_refused_at_the_header),
		cmocka_unit_test(sixty_four_attribute_columns_are_the_maximum),
		cmocka_unit_test(a_wide_record_is_a_reject),
		cmocka_unit_test(values_of_4096_bytes_are_the_maximum),
		cmocka_unit_test(a_huge_field_fails_the_file_before_it_is_buffered),
		cmocka_unit_test(attribute_names_of_64_bytes_are_the_maximum),
		cmocka_unit_test(rows_are_bounded_per_file),
		cmocka_unit_test(cells_are_bounded_per_file),
		cmocka_unit_test(bytes_are_bounded_per_file),
		cmocka_unit_test(a_byte_order_mark_and_quoted_newlines),
		cmocka_unit_test(semicolon_files_from_spreadsheets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
