/* The customer CSV format: the subset of its customer base a brand shares.
 *
 * The first line names the columns: external_id (required), email and phone
 * (optional), then one column per attribute, written "key" (personal) or
 * "key:class" with class basic, personal or confidential. Each following
 * record is one customer, matched on external_id. An empty cell means "no
 * value". Parsing is RFC 4180 by libcsv; line numbers are the physical line
 * where a record starts, so a report points at the line a person sees. */
#ifndef GUICHET_CUSTOMER_CSV_H
#define GUICHET_CUSTOMER_CSV_H

#include <stddef.h>

#include "guichet/decode.h"

#define CUSTOMER_CSV_MAX_ROWS 2000000

/* Called for each valid record; a negative return stops the parse with it. */
typedef int (*customer_csv_row_fn)(void *ctx, size_t line, const struct customer_input *in);
/* Called for each record that cannot become a customer, with the reason. */
typedef int (*customer_csv_reject_fn)(void *ctx, size_t line, const char *reason);

/* Parses data. Fails as a whole (err names the line) when the header is
 * invalid or the CSV is malformed (an unterminated quote, say), or with the
 * first negative return of a callback. */
int customer_csv_parse(const char *data, size_t len, customer_csv_row_fn on_row,
		       customer_csv_reject_fn on_reject, void *ctx, struct decode_error *err);

#endif
