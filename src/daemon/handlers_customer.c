/* Customers: list, read, create, update, and CSV import. What a role may
 * see of a customer is decided in the store (src/store/customer.c). A
 * phone is kept as ops_phone_key makes it, read in the tenant's country
 * (its calendar's), and searched so. */
#include "daemon/handlers.h"
#include "daemon/ops.h"
#include "guichet/error.h"

#include <stdio.h>
#include <string.h>

int run_customer_list(struct request *r, struct store *db)
{
	int64_t after = 0, limit = 0;
	if (query_int(r, "cursor", 1, INT64_MAX, 0, &after) < 0 ||
	    query_int(r, "limit", 1, STORE_MAX_PAGE, 50, &limit) < 0)
		return GC_EINVAL;
	struct store_customer_filter f = {.external_id = query_get(r, "external_id"),
		.email = query_get(r, "email"), .phone = query_get(r, "phone"),
		.after_id = after, .limit = (int)limit};
	/* the number searched as numbers are kept; leniently: a search refuses nothing a key can be */
	char key[OPS_PHONE_KEY_LEN];
	struct ops_error err = {0};
	if (f.phone && ops_tenant_phone_key(db, r->scope.tenant_id, f.phone, true, "phone", key, sizeof(key), &err) < 0)
		return reply_input_error(r, db, &err);
	if (f.phone)
		f.phone = key;
	json_t *page = NULL;
	int rc = store_customer_list(db, &r->scope, &f, &page);
	if (rc == GC_EFORBIDDEN)
		return reply_error(r, 403, "forbidden", f.email ? "email" : "phone",
				   "your role may not search by personal data");
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, page);
}

int run_customer_get(struct request *r, struct store *db)
{
	json_t *c = NULL;
	int rc = store_customer_get(db, &r->scope, r->ids[0], &c);
	return rc < 0 ? reply_store_error(r, db, rc, "customer") : reply(r, 200, c);
}

/* The customer's phone as numbers are kept (ops_phone_key, in the tenant's
 * country), held by r->work until the request ends; 400 naming "phone" for
 * a number libphonenumber cannot read. */
static int customer_phone(struct request *r, struct store *db)
{
	char key[OPS_PHONE_KEY_LEN];
	struct ops_error err = {0};
	if (r->in.customer.phone == NULL)
		return 0;
	if (ops_tenant_phone_key(db, r->scope.tenant_id, r->in.customer.phone, false, "phone", key, sizeof(key), &err) < 0)
		return reply_input_error(r, db, &err);
	json_decref(r->work);
	if ((r->work = json_string(key)) == NULL)
		return reply_store_error(r, db, GC_ENOMEM, NULL);
	r->in.customer.phone = json_string_value(r->work);
	return 0;
}

int prepare_customer_create(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return customer_input_decode(r->body, false, &r->in.customer, &err) < 0
		       ? reply_decode_error(r, &err) : customer_phone(r, db);
}

/* A refusal of the store: an attribute's class (the tenant's policy) or
 * a value above what the role sees names its field "attributes.KEY". */
static int customer_error(struct request *r, struct store *db, int rc, const char *what)
{
	const char *msg = store_errmsg(db), *colon = strstr(msg, ": ");
	if (rc == GC_EFORBIDDEN && strncmp(msg, "attributes.", 11) == 0 && colon) {
		char field[96];
		snprintf(field, sizeof(field), "%.*s", (int)(colon - msg), msg);
		return reply_error(r, 403, "forbidden", field, "%s", colon + 2);
	}
	return reply_store_error(r, db, rc, what);
}

int run_customer_create(struct request *r, struct store *db)
{
	json_t *c = NULL;
	int rc = store_customer_create(db, &r->scope, &r->in.customer, &c);
	if (rc == GC_ECONFLICT)
		return reply_error(r, 409, "conflict", "external_id",
				   "a customer with this external_id exists");
	return rc < 0 ? customer_error(r, db, rc, NULL) : reply(r, 201, c);
}

int prepare_customer_update(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return customer_input_decode(r->body, true, &r->in.customer, &err) < 0
		       ? reply_decode_error(r, &err) : customer_phone(r, db);
}

int run_customer_update(struct request *r, struct store *db)
{
	json_t *c = NULL;
	int rc = store_customer_update(db, &r->scope, r->ids[0], &r->in.customer, &c);
	if (rc == GC_ECONFLICT)
		return reply_error(r, 409, "conflict", "external_id",
				   "a customer with this external_id exists");
	return rc < 0 ? customer_error(r, db, rc, "customer") : reply(r, 200, c);
}

static int count_row(void *arg, size_t line, const struct customer_input *in)
{
	return GC_OK;
}

static int count_reject(void *arg, size_t line, const char *reason)
{
	return GC_OK;
}

/* The file is read once here, on the worker, so that one whose header is
 * wrong or over a limit (columns, records, a field's size) is refused
 * without taking the writer's time. */
int prepare_customer_import(struct request *r, struct store *db)
{
	const char *mode = query_get(r, "mode");
	if (mode && strcmp(mode, "all-or-nothing") != 0 && strcmp(mode, "partial") != 0)
		return reply_error(r, 400, "invalid", "mode", "mode is partial or all-or-nothing");
	r->stash[0] = mode && strcmp(mode, "all-or-nothing") == 0;
	struct decode_error err = {0};
	/* no country: only the header and the limits matter here, not the rows' phones */
	int rc = customer_csv_parse(r->raw, r->raw_len, NULL, count_row, count_reject, NULL, &err);
	if (rc == GC_EINVAL || rc == GC_ETOOBIG) {
		reply_decode_error(r, &err);
		r->status = rc == GC_ETOOBIG ? 413 : 422;
		json_object_set_new(r->resp, "report", json_null());
		return 1;
	}
	if (rc < 0) {
		reply_error(r, 500, "internal", NULL, "internal error");
		return 1;
	}
	return 0;
}

int run_customer_import(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	json_t *report = NULL;
	char country[3];
	struct ops_error oerr = {0};
	int rc = ops_tenant_country(db, r->scope.tenant_id, country, &oerr);
	if (rc < 0)
		return reply_ops_error(r, db, &oerr);
	rc = store_customer_import(db, &r->scope, r->raw, r->raw_len, r->stash[0], country, &report, &err);
	if (rc == GC_EFORBIDDEN && err.code == GC_EFORBIDDEN) {
		json_decref(report);
		return reply_error(r, 403, "forbidden", err.field, "%s", err.message);
	}
	if (rc == GC_EINVAL || rc == GC_ETOOBIG) {
		reply_decode_error(r, &err);
		r->status = rc == GC_ETOOBIG ? 413 : 422;
		json_object_set_new(r->resp, "report", report ? report : json_null());
		return rc;
	}
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "customers_imported", NULL,
				 json_pack("{s:O,s:O,s:O,s:I}", "inserted", json_object_get(report, "inserted"),
					   "updated", json_object_get(report, "updated"),
					   "unchanged", json_object_get(report, "unchanged"),
					   "rejected", (json_int_t)json_array_size(json_object_get(report, "rejected"))));
	if (rc < 0) {
		json_decref(report);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 200, report);
}

/* --- the tenant's attribute policy: which class each attribute is --- */

int run_attr_policy_get(struct request *r, struct store *db)
{
	json_t *policy = NULL;
	int rc = store_attr_policy_get(db, &r->scope, &policy);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, policy);
}

int prepare_attr_policy(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return attr_policy_input_decode(r->body, &r->in.attr_policy, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_attr_policy_patch(struct request *r, struct store *db)
{
	const struct attr_policy_input *in = &r->in.attr_policy;
	int rc = GC_OK;
	if (in->default_class != SENS_NONE)
		rc = store_attr_policy_set(db, &r->scope, NULL, in->default_class);
	for (size_t i = 0; rc == GC_OK && i < in->n_changes; i++)
		rc = store_attr_policy_set(db, &r->scope, in->changes[i].key, in->changes[i].cls);
	if (rc == GC_OK)
		rc = store_audit(db, &r->scope, r->scope.tenant_id, "customer_attribute_policy_changed", NULL,
				 json_deep_copy(r->body));
	json_t *policy = NULL;
	if (rc == GC_OK)
		rc = store_attr_policy_get(db, &r->scope, &policy);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, policy);
}
