/* Unit tests of the customer CSV format (src/model/customer_csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "guichet/customer_csv.h"
#include "guichet/error.h"

struct seen {
	char rows[16][128];
	size_t row_lines[16], n_rows;
	char reasons[16][128];
	size_t reject_lines[16], n_rejects;
};

static int on_row(void *arg, size_t line, const struct customer_input *in)
{
	struct seen *s = arg;
	snprintf(s->rows[s->n_rows], 128, "%s|%s|%s|%zu", in->external_id, in->email ? in->email : "-",
		 in->phone ? in->phone : "-", in->n_attrs);
	for (size_t i = 0; i < in->n_attrs; i++) {
		size_t len = strlen(s->rows[s->n_rows]);
		snprintf(s->rows[s->n_rows] + len, 128 - len, "|%s=%s/%d", in->attrs[i].key,
			 in->attrs[i].value, in->attrs[i].sensitivity);
	}
	s->row_lines[s->n_rows++] = line;
	return GC_OK;
}

static int on_reject(void *arg, size_t line, const char *reason)
{
	struct seen *s = arg;
	snprintf(s->reasons[s->n_rejects], 128, "%s", reason);
	s->reject_lines[s->n_rejects++] = line;
	return GC_OK;
}

static int parse(const char *csv, struct seen *s, struct decode_error *err)
{
	memset(s, 0, sizeof(*s));
	return customer_csv_parse(csv, strlen(csv), on_row, on_reject, s, err);
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
	assert_string_equal(s.rows[0], "C1|ana@x.fr|-|3|first_name=Ana/0|iban=FR76/2|notes=likes \"tea\"/1");
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
	assert_int_equal(parse("external_id,a\nC1,x\"y\n", &s, &err), GC_EINVAL);
	assert_string_equal(err.field, "line 2");
	assert_int_equal(s.n_rows, 0);
}

static int stop_at_second(void *arg, size_t line, const struct customer_input *in)
{
	return line == 3 ? GC_ESTORE : GC_OK;
}

static void a_callback_failure_stops_the_parse(void **state)
{
	struct decode_error err;
	const char *csv = "external_id\nA\nB\nC\n";
	assert_int_equal(customer_csv_parse(csv, strlen(csv), stop_at_second, on_reject, NULL, &err), GC_ESTORE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_and_classes),
		cmocka_unit_test(rejected_rows_name_their_physical_line),
		cmocka_unit_test(a_lone_cr_ends_a_line),
		cmocka_unit_test(broken_files_fail_whole),
		cmocka_unit_test(a_callback_failure_stops_the_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
