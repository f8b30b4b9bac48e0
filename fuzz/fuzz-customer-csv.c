/* libFuzzer target: the customer CSV import, the path the daemon runs.
 *
 * Each input is parsed twice: by customer_csv_parse with checking callbacks
 * (line numbers increase and stay within the input's line count; no record
 * carries more attributes than a customer holds; a phone comes out in
 * E.164, libphonenumber reading it as in France), then by
 * store_customer_import on a temporary database, as POST
 * /api/v1/customers/import does, in a transaction rolled back afterwards.
 * The parse alone did not find the 65-attribute-column overflow of issue 12
 * because no record ever reached record_to_customer's full width; the corpus
 * now starts at the limits (fuzz/corpus/fuzz-customer-csv/limit-*). */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guichet/customer_csv.h"
#include "guichet/error.h"
#include "guichet/phone.h"
#include "store/store.h"

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
	assert(in->n_attrs <= CUSTOMER_CSV_MAX_ATTRS);
	for (size_t i = 0; i < in->n_attrs; i++)
		assert(strlen(in->attrs[i].value) <= CUSTOMER_CSV_MAX_VALUE);
	/* a phone comes out in E.164 (phone.h), whatever was written */
	assert(in->phone == NULL || (in->phone[0] == '+' && strspn(in->phone + 1, "0123456789") == strlen(in->phone) - 1 &&
				     strlen(in->phone) < PHONE_E164_LEN));
	return check_line(arg, line);
}

static int on_reject(void *arg, size_t line, const char *reason)
{
	assert(reason && *reason);
	return check_line(arg, line);
}

static struct store *db;
static struct store_scope scope;

/* One database for the whole run: a tenant and its admin's scope. */
static void open_store(void)
{
	char path[] = "/tmp/fuzz-customer-csv-XXXXXX";
	int fd = mkstemp(path);
	assert(fd >= 0);
	close(fd);
	unlink(path);
	int64_t tenant;
	if (store_open(path, STORE_READ_WRITE, &db) != GC_OK ||
	    store_tenant_create(db, "fuzz", NULL, &tenant) != GC_OK)
		abort();
	unlink(path); /* the open file lives on; nothing is left behind */
	scope = (struct store_scope){.tenant_id = tenant, .user_id = 1, .role = ROLE_TENANT_ADMIN,
				     .has_role = true, .sees = SENS_CONFIDENTIAL};
	snprintf(scope.actor, sizeof(scope.actor), "fuzz");
}

static void import(const uint8_t *data, size_t size, bool all_or_nothing)
{
	struct decode_error err;
	json_t *report = NULL;
	if (store_begin(db) != GC_OK)
		abort();
	int rc = store_customer_import(db, &scope, (const char *)data, size, all_or_nothing, "FR", &report, &err);
	assert(rc == GC_OK || rc == GC_EINVAL || rc == GC_ETOOBIG || rc == GC_EFORBIDDEN);
	assert(rc == GC_OK ? report != NULL : err.message[0] != '\0');
	json_decref(report);
	store_rollback(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (db == NULL)
		open_store();
	struct state s = {.last_line = 1, .max_line = 1};
	for (size_t i = 0; i < size; i++) /* lines end with LF, CRLF or a lone CR */
		s.max_line += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	struct decode_error err;
	customer_csv_parse((const char *)data, size, "FR", on_row, on_reject, &s, &err); /* phones read in France */
	import(data, size, size % 2 == 1);
	return 0;
}
