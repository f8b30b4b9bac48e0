/* Customers: identifiers, classed attributes, redaction, and CSV import.
 *
 * Redaction happens here and nowhere else: an attribute is returned only
 * when its class is at or below the scope's visibility, and email and
 * phone are personal data. A scope may not change what it cannot see, and
 * may not search by a field it cannot see (that would reveal it).
 *
 * The class of an attribute is the tenant's policy (customer_attribute_classes:
 * key -> class, '*' for the keys not listed, personal without it), read when
 * a value is shown, so a change of policy changes what every role sees at
 * once. A writer never chooses a class: a class named in a write (JSON or a
 * CSV header) must be the policy's, or the write is refused. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool sees_personal(const struct store_scope *scope)
{
	return scope->sees >= SENS_PERSONAL;
}

/* The class of the attribute named by the SQL expression key, in tenant ?T. */
#define POLICY_CLASS(tenant, key) \
	"COALESCE((SELECT sensitivity FROM customer_attribute_classes WHERE tenant_id = " tenant \
	" AND key = " key "), (SELECT sensitivity FROM customer_attribute_classes" \
	" WHERE tenant_id = " tenant " AND key = '*'), 1)"

static int load_attributes(struct store *s, const struct store_scope *scope, int64_t id,
			   json_t *attrs)
{
	struct db_stmt *st = store_stmt(s, "SELECT key, value, cls FROM (SELECT a.key, a.value, "
					 POLICY_CLASS("?3", "a.key") " AS cls FROM customer_attributes a"
					 " WHERE a.customer_id = ?1) attrs WHERE cls <= ?2 ORDER BY key");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, scope->sees);
	db_bind_int64(st, 3, scope->tenant_id);
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_object_set_new(attrs, db_column_text(st, 0),
			json_pack("{s:o,s:s}", "value", column_string(st, 1), "class",
				  sensitivity_name((enum sensitivity)db_column_int(st, 2))));
	db_reset(st);
	return rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

int store_attr_class(struct store *s, int64_t tenant_id, const char *key, enum sensitivity *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " POLICY_CLASS("?1", "?2"));
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, key);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret = (enum sensitivity)db_column_int(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

/* The classes of the keys an import writes: one look-up per key, not per row. */
struct class_cache {
	const char *keys[DECODE_MAX_ATTRS * 2];
	enum sensitivity cls[DECODE_MAX_ATTRS * 2];
	size_t n;
};

static int class_of(struct store *s, int64_t tenant_id, struct class_cache *cache, const char *key,
		    enum sensitivity *ret)
{
	for (size_t i = 0; cache && i < cache->n; i++)
		if (strcmp(cache->keys[i], key) == 0) {
			*ret = cache->cls[i];
			return GC_OK;
		}
	int rc = store_attr_class(s, tenant_id, key, ret);
	if (rc == GC_OK && cache && cache->n < DECODE_MAX_ATTRS * 2) {
		cache->keys[cache->n] = key; /* the CSV header's column names outlive the import */
		cache->cls[cache->n++] = *ret;
	}
	return rc;
}

int store_attr_policy_get(struct store *s, const struct store_scope *scope, json_t **ret_policy)
{
	if (scope->sees < SENS_BASIC)
		return GC_EFORBIDDEN;
	struct db_stmt *st = store_stmt(s, "SELECT key, sensitivity FROM customer_attribute_classes"
					 " WHERE tenant_id = ? ORDER BY key");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	json_t *attrs = json_object();
	const char *def = sensitivity_name(SENS_PERSONAL);
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *key = db_column_text(st, 0);
		const char *cls = sensitivity_name((enum sensitivity)db_column_int(st, 1));
		if (strcmp(key, "*") == 0)
			def = cls;
		else
			json_object_set_new(attrs, key, json_string(cls));
	}
	db_reset(st);
	if (rc != DB_DONE) {
		json_decref(attrs);
		return store_fail(s, rc);
	}
	*ret_policy = json_pack("{s:s,s:o}", "default", def, "attributes", attrs);
	return GC_OK;
}

static int policy_size(struct store *s, int64_t tenant_id, int *ret)
{
	int64_t n = 0;
	int rc = tenant_int(s, "SELECT count(*) FROM customer_attribute_classes WHERE tenant_id = ?", tenant_id, &n);
	*ret = (int)n;
	return rc;
}

int store_attr_policy_set(struct store *s, const struct store_scope *scope, const char *key,
			  enum sensitivity cls)
{
	if (scope->sees < SENS_CONFIDENTIAL || (scope->has_role && scope->role != ROLE_TENANT_ADMIN))
		return GC_EFORBIDDEN;
	if (key == NULL)
		key = "*";
	struct db_stmt *st;
	int rc, n;
	if (cls == SENS_NONE) {
		st = store_stmt(s, "DELETE FROM customer_attribute_classes WHERE tenant_id = ? AND key = ?");
		if (st == NULL)
			return GC_ESTORE;
		db_bind_int64(st, 1, scope->tenant_id);
		bind_text(st, 2, key);
		return store_step_done(s, st);
	}
	if ((rc = policy_size(s, scope->tenant_id, &n)) < 0)
		return rc;
	st = store_stmt(s, "INSERT INTO customer_attribute_classes(tenant_id, key, sensitivity)"
			   " SELECT ?1, ?2, ?3 WHERE ?4 <> 0 OR EXISTS (SELECT 1 FROM customer_attribute_classes"
			   " WHERE tenant_id = ?1 AND key = ?2)"
			   " ON CONFLICT (tenant_id, key) DO UPDATE SET sensitivity = excluded.sensitivity");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, key);
	db_bind_int64(st, 3, cls);
	db_bind_int64(st, 4, n < STORE_MAX_ATTR_POLICY);
	if ((rc = store_step_done(s, st)) < 0)
		return rc;
	if (db_changes(s->db) == 0) {
		store_errorf(s, "at most %d attributes in the policy",
			 STORE_MAX_ATTR_POLICY);
		return GC_ETOOBIG;
	}
	return GC_OK;
}

#define CUSTOMER_COLUMNS "id, external_id, email, phone, version, created_at, updated_at"

/* The current row of a CUSTOMER_COLUMNS query as the scope may see it. */
static json_t *customer_row(struct db_stmt *st, void *arg)
{
	const struct store_scope *scope = arg;
	json_t *c = json_pack("{s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0),
			      "external_id", column_string(st, 1), "version", column_int(st, 4),
			      "created_at", column_time(st, 5), "updated_at", column_time(st, 6));
	if (sees_personal(scope)) {
		json_object_set_new(c, "email", column_string(st, 2));
		json_object_set_new(c, "phone", column_string(st, 3));
	}
	return c;
}

int store_customer_get(struct store *s, const struct store_scope *scope, int64_t id,
		       json_t **ret_customer)
{
	if (scope->sees < SENS_BASIC)
		return GC_EFORBIDDEN;
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT " CUSTOMER_COLUMNS " FROM customers"
				      " WHERE tenant_id = ? AND id = ?", scope->tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	json_t *c = customer_row(st, (void *)scope);
	db_reset(st);
	json_t *attrs = json_object();
	json_object_set_new(c, "attributes", attrs);
	if ((rc = load_attributes(s, scope, id, attrs)) < 0) {
		json_decref(c);
		return rc;
	}
	*ret_customer = c;
	return GC_OK;
}

/* "INSERT INTO customer_attributes ... VALUES (?1,?2,?3,?4),(?1,?5,?6,?7)..."
 * for n rows, n from 1 to DECODE_MAX_ATTRS: one statement per customer
 * rather than one per attribute (a round trip each on PostgreSQL). Built
 * once; the addresses stay, so the statement cache knows them again. */
static char *attr_insert_sql[DECODE_MAX_ATTRS + 1];
static pthread_once_t attr_insert_once = PTHREAD_ONCE_INIT;

static void build_attr_insert_sql(void)
{
	static const char head[] = "INSERT INTO customer_attributes(customer_id, key, value, sensitivity) VALUES ";
	static const char tail[] = " ON CONFLICT (customer_id, key) DO UPDATE"
				   " SET value = excluded.value, sensitivity = excluded.sensitivity";
	for (int n = 1; n <= DECODE_MAX_ATTRS; n++) {
		size_t cap = sizeof(head) + sizeof(tail) + (size_t)n * 32;
		char *sql = malloc(cap);
		if (sql == NULL)
			return; /* that count answers GC_ENOMEM */
		size_t len = (size_t)snprintf(sql, cap, "%s", head);
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(sql + len, cap - len, "%s(?1,?%d,?%d,?%d)", i ? "," : "",
						2 + 3 * i, 3 + 3 * i, 4 + 3 * i);
		snprintf(sql + len, cap - len, "%s", tail);
		attr_insert_sql[n] = sql;
	}
}

/* Checks attribute a against the tenant's policy and the scope; its class. */
static int attribute_class(struct store *s, const struct store_scope *scope, const struct customer_attr *a,
			   struct class_cache *cache, enum sensitivity *ret_cls)
{
	enum sensitivity cls = SENS_PERSONAL;
	int rc = class_of(s, scope->tenant_id, cache, a->key, &cls);
	if (rc < 0)
		return rc;
	if (a->value && a->sensitivity != SENS_NONE && a->sensitivity != cls) {
		store_errorf(s, "attributes.%s: the tenant's policy classes it %s;"
			 " a tenant admin changes that (PATCH /api/v1/customer-attributes)", a->key,
			 sensitivity_name(cls));
		return GC_EFORBIDDEN;
	}
	if (cls > scope->sees) {
		store_errorf(s, "attributes.%s: a %s value is above what your role sees",
			 a->key, sensitivity_name(cls));
		return GC_EFORBIDDEN;
	}
	*ret_cls = cls;
	return GC_OK;
}

static int delete_attribute(struct store *s, int64_t id, const char *key)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM customer_attributes WHERE customer_id = ? AND key = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, id);
	bind_text(st, 2, key);
	return store_step_done(s, st);
}

/* Whether attribute i of in is set again by a later one (the last wins). */
static bool overridden(const struct customer_input *in, size_t i)
{
	for (size_t j = i + 1; j < in->n_attrs; j++)
		if (strcmp(in->attrs[j].key, in->attrs[i].key) == 0)
			return true;
	return false;
}

/* Sets in's attributes on customer id: those with a value in one
 * statement, those without deleted. */
static int set_attributes(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct customer_input *in, struct class_cache *cache)
{
	enum sensitivity classes[DECODE_MAX_ATTRS];
	int n = 0, rc;
	if (in->n_attrs > DECODE_MAX_ATTRS)
		return GC_EINVAL;
	for (size_t i = 0; i < in->n_attrs; i++) {
		const struct customer_attr *a = &in->attrs[i];
		if ((rc = attribute_class(s, scope, a, cache, &classes[i])) < 0)
			return rc;
		if (overridden(in, i))
			continue;
		if (a->value == NULL && (rc = delete_attribute(s, id, a->key)) < 0)
			return rc;
		n += a->value != NULL;
	}
	if (n == 0)
		return GC_OK;
	pthread_once(&attr_insert_once, build_attr_insert_sql);
	if (attr_insert_sql[n] == NULL)
		return GC_ENOMEM;
	struct db_stmt *st = store_stmt(s, attr_insert_sql[n]);
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, id);
	int param = 2;
	for (size_t i = 0; i < in->n_attrs; i++) {
		if (in->attrs[i].value == NULL || overridden(in, i))
			continue;
		bind_text(st, param++, in->attrs[i].key);
		bind_text(st, param++, in->attrs[i].value);
		db_bind_int64(st, param++, classes[i]); /* informative: reads take the policy's class */
	}
	return store_step_done(s, st);
}

static int insert_customer(struct store *s, const struct store_scope *scope,
			   const struct customer_input *in, struct class_cache *cache, int64_t *ret_id)
{
	if (!sees_personal(scope) && (in->email || in->phone))
		return GC_EFORBIDDEN;
	struct db_stmt *st = store_stmt(s, "INSERT INTO customers(tenant_id, external_id, email, phone,"
					 " created_at, updated_at) VALUES (?,?,lower(?),?,?,?5) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, in->external_id);
	bind_text(st, 3, in->email);
	bind_text(st, 4, in->phone);
	db_bind_int64(st, 5, gc_now_ms());
	int rc = store_insert_id(s, st, ret_id);
	if (rc < 0)
		return rc;
	return set_attributes(s, scope, *ret_id, in, cache);
}

int store_customer_find(struct store *s, const struct store_scope *scope, const char *email, const char *phone,
			int64_t *ret_id)
{
	/* the indexes on (tenant, email) and (tenant, phone) answer both halves */
	struct db_stmt *st = store_stmt(s, "SELECT id FROM customers WHERE tenant_id = ?1 AND"
					 " ((?2 IS NOT NULL AND email = lower(?2)) OR (?3 IS NOT NULL AND phone = ?3))"
					 " ORDER BY id LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, email);
	bind_text(st, 3, phone);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_id = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_customer_create_id(struct store *s, const struct store_scope *scope, const struct customer_input *in,
			     int64_t *ret_id)
{
	return insert_customer(s, scope, in, NULL, ret_id);
}

int store_customer_create(struct store *s, const struct store_scope *scope,
			  const struct customer_input *in, json_t **ret_customer)
{
	int64_t id;
	int rc = insert_customer(s, scope, in, NULL, &id);
	return rc < 0 ? rc : store_customer_get(s, scope, id, ret_customer);
}

int store_customer_update(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct customer_input *in, json_t **ret_customer)
{
	json_t *before = NULL;
	int rc = store_customer_get(s, scope, id, &before);
	json_decref(before);
	if (rc < 0)
		return rc;
	if (!sees_personal(scope) && (in->has & (HAS_EMAIL | HAS_PHONE)))
		return GC_EFORBIDDEN;
	struct db_stmt *st = store_stmt(s,
		"UPDATE customers SET"
		" external_id = CASE WHEN ?1 <> 0 THEN ?2 ELSE external_id END,"
		" email = CASE WHEN ?3 <> 0 THEN lower(?4) ELSE email END,"
		" phone = CASE WHEN ?5 <> 0 THEN ?6 ELSE phone END,"
		" version = version + 1, updated_at = ?7 WHERE tenant_id = ?8 AND id = ?9");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, (in->has & HAS_EXTERNAL_ID) != 0);
	bind_text(st, 2, in->external_id);
	db_bind_int64(st, 3, (in->has & HAS_EMAIL) != 0);
	bind_text(st, 4, in->email);
	db_bind_int64(st, 5, (in->has & HAS_PHONE) != 0);
	bind_text(st, 6, in->phone);
	db_bind_int64(st, 7, gc_now_ms());
	db_bind_int64(st, 8, scope->tenant_id);
	db_bind_int64(st, 9, id);
	if ((rc = store_step_done(s, st)) < 0 || (rc = set_attributes(s, scope, id, in, NULL)) < 0)
		return rc;
	return store_customer_get(s, scope, id, ret_customer);
}

int store_customer_list(struct store *s, const struct store_scope *scope,
			const struct store_customer_filter *f, json_t **ret_page)
{
	if (scope->sees < SENS_BASIC || (!sees_personal(scope) && (f->email || f->phone)))
		return GC_EFORBIDDEN;
	int limit = page_limit(f->limit);
	struct db_stmt *st = store_stmt(s, "SELECT " CUSTOMER_COLUMNS " FROM customers"
		" WHERE tenant_id = ?1 AND (?2 IS NULL OR external_id = ?2)"
		" AND (?3 IS NULL OR email = lower(?3)) AND (?4 IS NULL OR phone = ?4)"
		" AND id < ?5 ORDER BY id DESC LIMIT ?6");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, f->external_id);
	bind_text(st, 3, f->email);
	bind_text(st, 4, f->phone);
	db_bind_int64(st, 5, f->after_id ? f->after_id : INT64_MAX);
	db_bind_int64(st, 6, limit);
	int rc = collect_page(s, st, limit, customer_row, (void *)scope, ret_page);
	json_t *items = rc == GC_OK ? json_object_get(*ret_page, "items") : NULL;
	for (size_t i = 0; rc == GC_OK && i < json_array_size(items); i++) {
		json_t *c = json_array_get(items, i);
		json_t *attrs = json_object();
		json_object_set_new(c, "attributes", attrs);
		rc = load_attributes(s, scope, json_integer_value(json_object_get(c, "id")), attrs);
	}
	if (rc < 0 && items)
		json_decref(*ret_page);
	return rc;
}

/* --- CSV import --- */

struct import {
	struct store *s;
	const struct store_scope *scope;
	struct class_cache classes;
	struct decode_error *err;
	json_int_t inserted, updated, unchanged;
	json_t *rejected;
	json_t *lines;              /* external_id -> the line that gave it */
};

static int reject(void *arg, size_t line, const char *reason)
{
	struct import *im = arg;
	if (json_array_size(im->rejected) < 10000)
		json_array_append_new(im->rejected, json_pack("{s:I,s:s}", "line", (json_int_t)line,
							      "reason", reason));
	return GC_OK;
}

/* Whether merging in (an import's line) into the stored customer id would
 * change nothing: each identifier and attribute the line gives is already
 * the stored one. */
static bool changes_nothing(struct store *s, int64_t id, const char *email, const char *phone,
			    const struct customer_input *in)
{
	if (((in->has & HAS_EMAIL) && (email == NULL || strcasecmp(email, in->email) != 0)) ||
	    ((in->has & HAS_PHONE) && (phone == NULL || strcmp(phone, in->phone) != 0)))
		return false;
	if (in->n_attrs == 0)
		return true;
	struct db_stmt *st = store_stmt(s, "SELECT key, value FROM customer_attributes WHERE customer_id = ?");
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	size_t same = 0;
	while (db_step(st) == DB_ROW)
		for (size_t i = 0; i < in->n_attrs; i++)
			same += strcmp(in->attrs[i].key, db_column_text(st, 0)) == 0 &&
				strcmp(in->attrs[i].value, db_column_text(st, 1)) == 0;
	db_reset(st);
	return same == in->n_attrs;
}

/* Merges an import's line into the stored customer id: what the line gives
 * is set, what it leaves out (a column the file lacks, a blank cell) kept. */
static int merge_customer(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct customer_input *in, struct class_cache *cache)
{
	struct db_stmt *st = store_stmt(s, "UPDATE customers SET"
					 " email = CASE WHEN ?1 <> 0 THEN lower(?2) ELSE email END,"
					 " phone = CASE WHEN ?3 <> 0 THEN ?4 ELSE phone END,"
					 " version = version + 1, updated_at = ?5 WHERE id = ?6");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, (in->has & HAS_EMAIL) != 0);
	bind_text(st, 2, in->email);
	db_bind_int64(st, 3, (in->has & HAS_PHONE) != 0);
	bind_text(st, 4, in->phone);
	db_bind_int64(st, 5, gc_now_ms());
	db_bind_int64(st, 6, id);
	int rc = store_step_done(s, st);
	return rc < 0 ? rc : set_attributes(s, scope, id, in, cache);
}

/* A class named in the header must be the policy's: else the whole import
 * is refused (every row would be), naming the column. */
static int check_classes(struct import *im, const struct customer_input *in)
{
	for (size_t i = 0; i < in->n_attrs; i++) {
		enum sensitivity cls = SENS_PERSONAL;
		int rc = class_of(im->s, im->scope->tenant_id, &im->classes, in->attrs[i].key, &cls);
		if (rc < 0)
			return rc;
		if (in->attrs[i].sensitivity != SENS_NONE && in->attrs[i].sensitivity != cls) {
			im->err->code = GC_EFORBIDDEN;
			snprintf(im->err->field, sizeof(im->err->field), "line 1");
			snprintf(im->err->message, sizeof(im->err->message),
				 "column '%s:%s': the tenant's policy classes '%s' %s; leave the class out"
				 " or ask a tenant admin to change the policy", in->attrs[i].key,
				 sensitivity_name(in->attrs[i].sensitivity), in->attrs[i].key,
				 sensitivity_name(cls));
			return GC_EFORBIDDEN;
		}
	}
	return GC_OK;
}

static int upsert_row(void *arg, size_t line, const struct customer_input *in)
{
	struct import *im = arg;
	struct store *s = im->s;
	int rc = check_classes(im, in);
	if (rc < 0)
		return rc;
	json_t *first = json_object_get(im->lines, in->external_id);
	if (first) {
		char why[200];
		snprintf(why, sizeof(why), "external_id '%.64s' is on line %lld already: one line per customer",
			 in->external_id, (long long)json_integer_value(first));
		return reject(im, line, why);
	}
	struct db_stmt *st = store_stmt(s, "SELECT id, email, phone FROM customers"
					 " WHERE tenant_id = ? AND external_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, im->scope->tenant_id);
	bind_text(st, 2, in->external_id);
	int64_t id = 0;
	char email[256] = "", phone[64] = "";
	bool has_email = false, has_phone = false;
	if (db_step(st) == DB_ROW) {
		id = db_column_int64(st, 0);
		if ((has_email = !db_column_is_null(st, 1)))
			snprintf(email, sizeof(email), "%s", db_column_text(st, 1));
		if ((has_phone = !db_column_is_null(st, 2)))
			snprintf(phone, sizeof(phone), "%s", db_column_text(st, 2));
	}
	db_reset(st);
	/* a refused row leaves the import going on */
	if ((rc = store_attempt_begin(s)) < 0)
		return rc;
	if (id == 0) {
		rc = insert_customer(s, im->scope, in, &im->classes, &id);
		im->inserted += rc == GC_OK;
	} else if (changes_nothing(s, id, has_email ? email : NULL, has_phone ? phone : NULL, in)) {
		rc = GC_OK;
		im->unchanged++;
	} else {
		rc = merge_customer(s, im->scope, id, in, &im->classes);
		im->updated += rc == GC_OK;
	}
	rc = store_attempt_end(s, rc);
	if (rc == GC_EFORBIDDEN || rc == GC_ECONFLICT)
		return reject(im, line, rc == GC_EFORBIDDEN ? s->errmsg : "conflicts with another customer");
	/* kept: a later line of the same customer is the mistake (a rejected one is not "already" here) */
	if (rc == GC_OK && json_object_set_new(im->lines, in->external_id, json_integer((json_int_t)line)) < 0)
		return GC_ENOMEM;
	return rc;
}

int store_customer_import(struct store *s, const struct store_scope *scope, const char *csv,
			  size_t len, bool all_or_nothing, const char *country, json_t **ret_report,
			  struct decode_error *err)
{
	struct import im = {.s = s, .scope = scope, .rejected = json_array(), .lines = json_object(), .err = err};
	int rc = customer_csv_parse(csv, len, country, upsert_row, reject, &im, err);
	json_decref(im.lines);
	if (rc == GC_OK && all_or_nothing && json_array_size(im.rejected) > 0) {
		im.inserted = im.updated = im.unchanged = 0;
		rc = GC_EINVAL;
		err->code = GC_EINVAL;
		snprintf(err->field, sizeof(err->field), "line %lld",
			 (long long)json_integer_value(json_object_get(json_array_get(im.rejected, 0), "line")));
		snprintf(err->message, sizeof(err->message),
			 "%zu rows rejected: nothing was imported (all-or-nothing)",
			 json_array_size(im.rejected));
	}
	if (rc < 0 && rc != GC_EINVAL) {
		json_decref(im.rejected);
		return rc;
	}
	*ret_report = json_pack("{s:I,s:I,s:I,s:o,s:b}", "inserted", im.inserted, "updated",
				im.updated, "unchanged", im.unchanged, "rejected", im.rejected,
				"all_or_nothing", all_or_nothing);
	return rc;
}
