/* The customer CSV format: the subset of its customer base a brand shares.
 *
 * The first line names the columns: external_id (required), email and phone
 * (optional; a phone is kept in E.164, guichet/phone.h, read in the
 * tenant's country when it has no international prefix: a record whose
 * phone libphonenumber cannot read is rejected), then one column per attribute, written "key" or "key:class"
 * with class basic, personal or confidential. The tenant's attribute policy
 * decides each key's class; a class written here must be the policy's (the
 * store checks it). Each following record is one customer, matched on
 * external_id. An empty cell means "no
 * value". Parsing is RFC 4180 by libcsv; line numbers are the physical line
 * where a record starts, so a report points at the line a person sees. */
#ifndef GUICHET_CUSTOMER_CSV_H
#define GUICHET_CUSTOMER_CSV_H

#include <stddef.h>

#include "guichet/decode.h"

/* The limits of one file (one request), checked before memory is spent on
 * what is over them: a header of more columns is refused at line 1, a cell
 * over its limit makes its record a reject (libcsv is not allowed to grow a
 * field's buffer beyond CUSTOMER_CSV_MAX_FIELD), and the record after the
 * last allowed one fails the file with GC_ETOOBIG. A file is bounded in bytes,
 * records and cells (records x columns), which keeps one import's write short
 * on the single writer: in a release build 5,000 records of 10 columns took
 * 53 ms, 769 of 65 columns 63 ms, 4 MiB of long values about 0.1 s (49 MB
 * took 1.4 s); reading a phone column with libphonenumber (and reading its
 * E.164 form back, phone.h) adds about 27 us a record: 5,000 records of 10
 * columns with a phone took 160 ms, 23 ms without (through guichetd, on a
 * loaded machine). The CLI splits bigger files into several
 * requests (customer_csv_max_records says how many records each may hold). */
#define CUSTOMER_CSV_MAX_ATTRS DECODE_MAX_ATTRS   /* attribute columns */
#define CUSTOMER_CSV_MAX_COLUMNS (CUSTOMER_CSV_MAX_ATTRS + 3) /* with external_id, email, phone */
#define CUSTOMER_CSV_MAX_VALUE DECODE_MAX_ATTR_VALUE /* bytes of one cell */
#define CUSTOMER_CSV_MAX_FIELD (CUSTOMER_CSV_MAX_VALUE + 4096) /* libcsv's buffer for one field */
#define CUSTOMER_CSV_MAX_BYTES (4 * 1024 * 1024)  /* bytes per file */
#define CUSTOMER_CSV_MAX_ROWS 5000                /* records per file */
#define CUSTOMER_CSV_MAX_CELLS 50000              /* records x columns per file */

/* The most records a file whose header has n_columns may hold. */
size_t customer_csv_max_records(size_t n_columns);

/* The file's delimiter, read from its header line at data: ';' when that
 * line has more semicolons than commas outside quotes (spreadsheets in
 * locales whose decimal mark is a comma export so), else ','. */
unsigned char customer_csv_delimiter(const char *data, size_t len);

/* Called for each valid record; a negative return stops the parse with it. */
typedef int (*customer_csv_row_fn)(void *ctx, size_t line, const struct customer_input *in);
/* Called for each record that cannot become a customer, with the reason. */
typedef int (*customer_csv_reject_fn)(void *ctx, size_t line, const char *reason);

/* Parses data (comma or semicolon separated, customer_csv_delimiter);
 * region is where a phone without its country code is read
 * (phone_e164's; NULL or "": only international forms). Fails as a whole
 * (err names the line) when the header is invalid or the CSV is malformed
 * (an unterminated quote, say), or with the first negative return of a
 * callback. */
int customer_csv_parse(const char *data, size_t len, const char *region, customer_csv_row_fn on_row,
		       customer_csv_reject_fn on_reject, void *ctx, struct decode_error *err);

#endif
