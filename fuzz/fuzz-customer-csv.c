/* libFuzzer target: the customer CSV importer's parser. It must never
 * crash, and the line numbers it reports must increase and stay within the
 * input's line count. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "guichet/customer_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	size_t last_line, max_line;
};

static int check_line(struct state *s, size_t line)
{
	assert(line > s->last_line && line <= s->max_line);
	s->last_line = line;
	return 0;
}

static int on_row(void *arg, size_t line, const struct customer_input *in)
{
	assert(in->external_id && *in->external_id);
	assert(in->n_attrs <= DECODE_MAX_ATTRS);
	return check_line(arg, line);
}

static int on_reject(void *arg, size_t line, const char *reason)
{
	assert(reason && *reason);
	return check_line(arg, line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s = {.last_line = 1, .max_line = 1};
	for (size_t i = 0; i < size; i++) /* lines end with LF, CRLF or a lone CR */
		s.max_line += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	struct decode_error err;
	customer_csv_parse((const char *)data, size, on_row, on_reject, &s, &err);
	return 0;
}
