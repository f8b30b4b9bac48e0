/* Contacts, their messages and notes, and their event timeline.
 *
 * Every change appends an event to contact_events in the same transaction
 * as the change itself (DESIGN.md principle 2): the timeline is the history
 * reports are built from, and it cannot disagree with the contact. */
#include "store/store_internal.h"
#include "store/dialect.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <yajl/yajl_gen.h>
#include <stdlib.h>
#include <string.h>

/* Appends to the contact's events; to_fold: the reports' fold has
 * something to do with it (report_contacts.c), else it is stored folded
 * already, and a batch of such events costs the fold nothing. */
static int append_event(struct store *s, const struct store_scope *scope, int64_t contact_id,
			const char *type, json_t *data, int64_t now, bool to_fold)
{
	char *text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (text == NULL)
		return GC_ENOMEM;
	struct db_stmt *st = store_stmt(s, "INSERT INTO contact_events(tenant_id, contact_id, type,"
					 " actor, data, at, to_fold) VALUES (?,?,?,?,?,?,?)");
	int rc = GC_ESTORE;
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		db_bind_int64(st, 2, contact_id);
		bind_text(st, 3, type);
		bind_text(st, 4, scope->actor);
		db_bind_text(st, 5, text, -1);
		db_bind_int64(st, 6, now);
		db_bind_int64(st, 7, to_fold);
		rc = store_append(s, st, APPEND_CHILD);
	}
	free(text);
	if (rc == GC_OK && to_fold)
		store_report_touch(s, scope->tenant_id);
	return rc;
}

int store_event_append(struct store *s, const struct store_scope *scope, int64_t contact_id, const char *type,
		       json_t *data, int64_t now)
{
	return append_event(s, scope, contact_id, type, data, now, store_report_folds(type));
}

static int customer_exists(struct store *s, const struct store_scope *scope, int64_t id)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT 1 FROM customers WHERE tenant_id = ? AND id = ?",
				      scope->tenant_id, id, &rc);
	if (st) {
		db_reset(st);
		return GC_OK;
	}
	if (rc != GC_ENOTFOUND)
		return rc;
	store_errorf(s, "no customer %lld in this tenant", (long long)id);
	return GC_EINVAL;
}

static json_t *tags_json(const struct contact_input *in)
{
	json_t *tags = json_array();
	for (size_t i = 0; i < in->n_tags; i++)
		json_array_append_new(tags, json_string(in->tags[i]));
	return tags;
}

/* Tags are stored one per line (decoding refuses control characters in a
 * tag), so answers can list them without parsing JSON. */
static char *tags_text(const struct contact_input *in)
{
	size_t len = 1;
	for (size_t i = 0; i < in->n_tags; i++)
		len += strlen(in->tags[i]) + 1;
	char *text = malloc(len), *p = text;
	if (text == NULL)
		return NULL;
	for (size_t i = 0; i < in->n_tags; i++)
		p += sprintf(p, "%s%s", i ? "\n" : "", in->tags[i]);
	*p = '\0';
	return text;
}

/* ordered: the id taken now, in the contact's commit order when the
 * transaction holds its row (store_next_message_id), else one reserved
 * ahead (a new contact's first message: nobody else sees it yet). */
static int insert_message(struct store *s, const struct store_scope *scope, int64_t contact_id,
			  const char *kind, const char *body, int64_t now, bool ordered, int64_t *ret_id)
{
	int64_t id = 0;
	int rc = ordered ? store_next_message_id(s, &id) : store_reserve_id(s, ID_MESSAGES, &id);
	struct db_stmt *st = rc < 0 ? NULL : store_stmt(s, "INSERT INTO messages(id, tenant_id, contact_id, kind, body,"
					 " author_id, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id");
	if (st == NULL)
		return rc < 0 ? rc : GC_ESTORE;
	bind_id(st, 1, id);
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, contact_id);
	bind_text(st, 4, kind);
	bind_text(st, 5, body);
	bind_id(st, 6, scope->user_id);
	db_bind_int64(st, 7, now);
	return store_insert_reserved(s, st, id, ret_id, APPEND_CHILD);
}

static int contact_answer(const struct contact_input *in, int64_t id, const char *tags_line, int64_t now,
			  int64_t message_id, int64_t author_id, char **ret_text, size_t *ret_len);

int store_contact_create(struct store *s, const struct store_scope *scope,
			 const struct contact_input *in, int64_t *ret_id)
{
	return store_contact_create_text(s, scope, in, ret_id, NULL, NULL);
}

int store_contact_create_text(struct store *s, const struct store_scope *scope, const struct contact_input *in,
			      int64_t *ret_id, char **ret_text, size_t *ret_len)
{
	int rc;
	if (in->customer_id && (rc = customer_exists(s, scope, in->customer_id)) < 0)
		return rc;
	json_t *tags = tags_json(in);
	char *tags_line = tags_text(in);
	int64_t now = gc_now_ms(), id = 0, message_id = 0;
	struct db_stmt *st = NULL;
	if ((rc = store_reserve_id(s, ID_CONTACTS, &id)) < 0 ||
	    (st = store_stmt(s, "INSERT INTO contacts(id, tenant_id, channel, customer_id, subject,"
		" reason, queue, priority, tags, state, created_by, created_at, updated_at)"
		" VALUES (?,?,?,?,?,?,?,?,?,'new',?,?,?11) RETURNING id")) == NULL || tags_line == NULL) {
		rc = rc < 0 ? rc : st ? GC_ENOMEM : GC_ESTORE;
		goto out;
	}
	bind_id(st, 1, id);
	db_bind_int64(st, 2, scope->tenant_id);
	bind_text(st, 3, contact_channel_name(in->channel));
	bind_id(st, 4, in->customer_id);
	bind_text(st, 5, in->subject);
	bind_text(st, 6, in->reason);
	bind_text(st, 7, in->queue);
	db_bind_int64(st, 8, in->priority);
	bind_text(st, 9, tags_line);
	bind_id(st, 10, scope->user_id);
	db_bind_int64(st, 11, now);
	if ((rc = store_insert_reserved(s, st, id, &id, APPEND_PARENT)) < 0)
		goto out;
	if (in->message && (rc = insert_message(s, scope, id, "inbound", in->message, now, false, &message_id)) < 0)
		goto out;
	/* a new contact marks repeats only with a customer and a reason; one
	 * given them later is folded with its "updated" event */
	bool to_fold = in->customer_id && in->reason && in->reason[0];
	rc = append_event(s, scope, id, "created",
		json_pack("{s:s,s:o,s:s?,s:s?,s:i,s:O}", "channel", contact_channel_name(in->channel),
			  "customer_id", in->customer_id ? json_integer(in->customer_id) : json_null(),
			  "subject", in->subject, "queue", in->queue, "priority", in->priority,
			  "tags", tags), now, to_fold);
	if (rc == GC_OK && ret_text)
		rc = contact_answer(in, id, tags_line, now, message_id, scope->user_id, ret_text, ret_len);
	if (rc == GC_OK)
		*ret_id = id;
out:
	free(tags_line);
	json_decref(tags);
	return rc;
}

/* A contact as JSON: the one definition of its shape, written with yajl's
 * streaming generator straight from the row (a GET is mostly this, and a
 * jansson tree, or SQLite's JSON functions, cost twice as much). */
#define CONTACT_COLUMNS "id, channel, customer_id, subject, reason, queue, priority, tags," \
	" state, disposition, version, created_at, updated_at, due_at, first_response_at"

static void gen_key(yajl_gen g, const char *key)
{
	yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

/* A contact's fields as the answer shows them, from its row or from what
 * was just inserted (NULL strings and 0 ids are null). */
struct contact_fields {
	int64_t id, customer_id, priority, version, created_at, updated_at;
	int64_t due_at, first_response_at; /* 0: none */
	const char *channel, *subject, *reason, *queue, *tags_line, *state, *disposition;
};

struct message_fields {
	int64_t id, author_id, created_at;
	const char *kind, *body;
};

static void gen_string(yajl_gen g, const char *key, const char *value)
{
	gen_key(g, key);
	if (value)
		yajl_gen_string(g, (const unsigned char *)value, strlen(value));
	else
		yajl_gen_null(g);
}

static void gen_id(yajl_gen g, const char *key, int64_t id)
{
	gen_key(g, key);
	if (id)
		yajl_gen_integer(g, id);
	else
		yajl_gen_null(g);
}

static void gen_time(yajl_gen g, const char *key, int64_t ms)
{
	char when[GC_TIME_LEN];
	gc_time_format(ms, when);
	gen_string(g, key, when);
}

static void gen_time_or_null(yajl_gen g, const char *key, int64_t ms)
{
	if (ms)
		gen_time(g, key, ms);
	else
		gen_string(g, key, NULL);
}

/* Tags are stored one per line. */
static void gen_tags(yajl_gen g, const char *line)
{
	const unsigned char *tags = (const unsigned char *)line;
	gen_key(g, "tags");
	yajl_gen_array_open(g);
	while (tags && *tags) {
		const unsigned char *end = (const unsigned char *)strchr((const char *)tags, '\n');
		size_t len = end ? (size_t)(end - tags) : strlen((const char *)tags);
		yajl_gen_string(g, tags, len);
		tags += len + (end != NULL);
	}
	yajl_gen_array_close(g);
}

/* The contact's fields, into an open map: the one definition of its shape. */
static void gen_contact(yajl_gen g, const struct contact_fields *c)
{
	gen_id(g, "id", c->id);
	gen_string(g, "channel", c->channel);
	gen_id(g, "customer_id", c->customer_id);
	gen_string(g, "subject", c->subject);
	gen_string(g, "reason", c->reason);
	gen_string(g, "queue", c->queue);
	gen_key(g, "priority");
	yajl_gen_integer(g, c->priority);
	gen_tags(g, c->tags_line);
	gen_string(g, "state", c->state);
	gen_string(g, "disposition", c->disposition);
	gen_key(g, "version");
	yajl_gen_integer(g, c->version);
	gen_time(g, "created_at", c->created_at);
	gen_time(g, "updated_at", c->updated_at);
	gen_time_or_null(g, "due_at", c->due_at);
	gen_time_or_null(g, "first_response_at", c->first_response_at);
}

static void gen_message(yajl_gen g, const struct message_fields *m)
{
	yajl_gen_map_open(g);
	gen_id(g, "id", m->id);
	gen_string(g, "kind", m->kind);
	gen_string(g, "body", m->body);
	gen_id(g, "author_id", m->author_id);
	gen_time(g, "created_at", m->created_at);
	yajl_gen_map_close(g);
}

static const char *column_text_or_null(struct db_stmt *st, int i)
{
	return db_column_is_null(st, i) ? NULL : db_column_text(st, i);
}

static int64_t column_int_or_0(struct db_stmt *st, int i)
{
	return db_column_is_null(st, i) ? 0 : db_column_int64(st, i);
}

/* The fields of a CONTACT_COLUMNS row (valid while the row is). */
static struct contact_fields contact_of_row(struct db_stmt *st)
{
	return (struct contact_fields){
		.id = db_column_int64(st, 0), .channel = column_text_or_null(st, 1),
		.customer_id = column_int_or_0(st, 2), .subject = column_text_or_null(st, 3),
		.reason = column_text_or_null(st, 4), .queue = column_text_or_null(st, 5),
		.priority = db_column_int64(st, 6), .tags_line = column_text_or_null(st, 7),
		.state = column_text_or_null(st, 8), .disposition = column_text_or_null(st, 9),
		.version = db_column_int64(st, 10), .created_at = db_column_int64(st, 11),
		.updated_at = db_column_int64(st, 12), .due_at = column_int_or_0(st, 13),
		.first_response_at = column_int_or_0(st, 14)};
}

/* One contact's rows (dialect.h's CONTACT_ROWS_SQL). One statement: one
 * read transaction on SQLite (each costs file-lock calls), one statement
 * for PostgreSQL's executor to start and end. */
static const char contact_row_sql[] = CONTACT_ROWS_SQL("c.tenant_id = ?1 AND c.id = ?2",
						       "l.tenant_id = ?1 AND l.contact_id = ?2", "21, 16");
#define ROW_PART 20    /* contact_row_sql's 21st column: 0 the contact and a message, 1 an incident */
#define ROW_CONTACT 21 /* its last: the contact the row is of (DIALECT_CONTACTS_READ reads several) */

/* The messages of the contact's rows from the current row on, then its
 * incidents; the step's result after them: DB_ROW on the next contact's
 * first row, DB_DONE, or an error. */
static int gen_messages_incidents(yajl_gen g, struct db_stmt *st, int64_t contact)
{
	int rc = DB_ROW;
	gen_key(g, "messages");
	yajl_gen_array_open(g);
	for (; rc == DB_ROW && db_column_int64(st, ROW_PART) == 0 && db_column_int64(st, ROW_CONTACT) == contact;
	     rc = db_step(st)) {
		if (db_column_is_null(st, 15))
			continue; /* the contact's row when it has no message */
		struct message_fields m = {.id = db_column_int64(st, 15), .kind = column_text_or_null(st, 16),
					   .body = column_text_or_null(st, 17), .author_id = column_int_or_0(st, 18),
					   .created_at = db_column_int64(st, 19)};
		gen_message(g, &m);
	}
	yajl_gen_array_close(g);
	gen_key(g, "incidents");
	yajl_gen_array_open(g);
	for (; rc == DB_ROW && db_column_int64(st, ROW_CONTACT) == contact; rc = db_step(st)) {
		yajl_gen_map_open(g);
		gen_id(g, "id", db_column_int64(st, 15));
		gen_string(g, "title", column_text_or_null(st, 16));
		gen_string(g, "severity", column_text_or_null(st, 17));
		gen_time_or_null(g, "ended_at", column_int_or_0(st, 19));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	return rc;
}

/* Sends a contact's read ahead, as instance k of several read together:
 * on PostgreSQL it travels with the next statement stepped. */
static struct db_stmt *contact_send(struct store *s, int instance, int64_t tenant_id, int64_t id)
{
	struct db_stmt *st = store_stmt_instance(s, contact_row_sql, instance);
	if (st == NULL)
		return NULL;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, id);
	db_send(st);
	return st;
}

/* Copies the generator's text out as a NUL-terminated string. */
static int take_text(yajl_gen g, char **ret_text, size_t *ret_len)
{
	const unsigned char *buf;
	size_t len;
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return GC_ESTORE;
	char *text = malloc(len + 1);
	if (text == NULL)
		return GC_ENOMEM;
	memcpy(text, buf, len);
	text[len] = '\0';
	*ret_text = text;
	*ret_len = len;
	return GC_OK;
}

/* A new contact as store_contact_get_text shows it, from what was inserted:
 * no read back (on PostgreSQL, a round trip saved). */
static int contact_answer(const struct contact_input *in, int64_t id, const char *tags_line, int64_t now,
			  int64_t message_id, int64_t author_id, char **ret_text, size_t *ret_len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		return GC_ENOMEM;
	struct contact_fields c = {.id = id, .channel = contact_channel_name(in->channel), .customer_id = in->customer_id,
				   .subject = in->subject, .reason = in->reason, .queue = in->queue,
				   .priority = in->priority, .tags_line = tags_line, .state = "new", .version = 1,
				   .created_at = now, .updated_at = now};
	yajl_gen_map_open(g);
	gen_contact(g, &c);
	gen_key(g, "messages");
	yajl_gen_array_open(g);
	if (message_id) {
		struct message_fields m = {.id = message_id, .kind = "inbound", .body = in->message,
					   .author_id = author_id, .created_at = now};
		gen_message(g, &m);
	}
	yajl_gen_array_close(g);
	gen_key(g, "incidents"); /* linked after (ops_contact_create reads it back then) */
	yajl_gen_array_open(g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	int rc = take_text(g, ret_text, ret_len);
	yajl_gen_free(g);
	return rc;
}

/* One contact's answer from st's rows, st on the contact's first row (rc
 * DB_ROW) or past them all; *rc the step's result after its rows. */
static int contact_text(struct store *s, struct db_stmt *st, int *rc, char **ret_text, size_t *ret_len)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		return GC_ENOMEM;
	yajl_gen_map_open(g);
	struct contact_fields c = contact_of_row(st);
	gen_contact(g, &c);
	*rc = gen_messages_incidents(g, st, c.id);
	yajl_gen_map_close(g);
	int ret = *rc == DB_ROW || *rc == DB_DONE ? take_text(g, ret_text, ret_len) : store_fail(s, *rc);
	yajl_gen_free(g);
	return ret;
}

/* What contact_send sent, as store_contact_get_text answers it. */
static int contact_read(struct store *s, struct db_stmt *st, char **ret_text, size_t *ret_len)
{
	int rc = db_step(st);
	if (rc != DB_ROW || db_column_int64(st, ROW_PART) != 0) { /* no contact, so no incident either */
		db_reset(st);
		return rc == DB_DONE || rc == DB_ROW ? GC_ENOTFOUND : store_fail(s, rc);
	}
	int ret = contact_text(s, st, &rc, ret_text, ret_len);
	db_reset(st);
	return ret;
}

int store_contact_get_text(struct store *s, const struct store_scope *scope, int64_t id,
			   char **ret_text, size_t *ret_len)
{
	struct db_stmt *st = contact_send(s, 0, scope->tenant_id, id);
	return st ? contact_read(s, st, ret_text, ret_len) : GC_ESTORE;
}

/* The reads of tenant tenant_id among reads[0..n) whose contact is id get
 * text (taken: the first one) or a copy of it. */
static void give_text(struct store_contact_read *reads, int n, int64_t tenant_id, int64_t id, char *text, size_t len)
{
	bool given = false;
	for (int k = 0; k < n; k++) {
		if (reads[k].scope->tenant_id != tenant_id || reads[k].id != id)
			continue;
		reads[k].text = given ? strndup(text, len) : text;
		reads[k].len = len;
		reads[k].rc = reads[k].text ? GC_OK : GC_ENOMEM;
		given = true;
	}
	if (!given)
		free(text);
}

/* Reads as many contacts of one tenant as one statement (PostgreSQL's
 * executor started once for them all, not once each: a quarter of the
 * server's time per contact, and one array bound). sql is
 * DIALECT_CONTACTS_READ; contacts_collect reads its result. */
static struct db_stmt *contacts_send(struct store *s, const char *sql, int instance, int64_t tenant_id,
				     const struct store_contact_read *reads, int n)
{
	char ids[STORE_READ_BATCH * 21 + 3], *p = ids;
	*p++ = '{';
	for (int k = 0; k < n; k++)
		if (reads[k].scope->tenant_id == tenant_id)
			p += sprintf(p, "%s%lld", p == ids + 1 ? "" : ",", (long long)reads[k].id);
	*p++ = '}';
	*p = '\0';
	struct db_stmt *st = store_stmt_instance(s, sql, instance);
	if (st == NULL)
		return NULL;
	db_bind_int64(st, 1, tenant_id);
	db_bind_text(st, 2, ids, -1);
	db_send(st);
	return st;
}

/* The answers of contacts_send's statement, each to the reads of its
 * contact; the others of the tenant are not found, or fail with it. */
static void contacts_collect(struct store *s, struct db_stmt *st, int64_t tenant_id, struct store_contact_read *reads,
			     int n)
{
	int rc = DB_DONE, ret = st ? GC_OK : GC_ESTORE;
	if (st)
		rc = db_step(st);
	while (rc == DB_ROW && ret == GC_OK) {
		if (db_column_int64(st, ROW_PART) != 0) { /* an incident of a contact not there: none */
			rc = db_step(st);
			continue;
		}
		int64_t id = db_column_int64(st, 0);
		char *text = NULL;
		size_t len = 0;
		ret = contact_text(s, st, &rc, &text, &len);
		if (ret == GC_OK)
			give_text(reads, n, tenant_id, id, text, len);
	}
	if (st)
		db_reset(st);
	if (ret == GC_OK && rc != DB_DONE)
		ret = store_fail(s, rc);
	for (int k = 0; k < n; k++)
		if (reads[k].scope->tenant_id == tenant_id && reads[k].text == NULL && reads[k].rc != GC_ENOMEM)
			reads[k].rc = ret < 0 ? ret : GC_ENOTFOUND;
}

void store_contact_get_texts(struct store *s, struct store_contact_read *reads, int n)
{
	if (n > STORE_READ_BATCH) { /* one round trip per STORE_READ_BATCH */
		store_contact_get_texts(s, reads, STORE_READ_BATCH);
		store_contact_get_texts(s, reads + STORE_READ_BATCH, n - STORE_READ_BATCH);
		return;
	}
	struct db_stmt *st[STORE_READ_BATCH];
	for (int k = 0; k < n; k++) {
		reads[k].text = NULL;
		reads[k].rc = GC_OK;
	}
	const char *sql = dialect_sql(s->db, DIALECT_CONTACTS_READ);
	if (sql && n > 1) { /* a statement per tenant among them, sent together */
		int64_t tenants[STORE_READ_BATCH];
		int n_tenants = 0;
		for (int k = 0; k < n; k++) {
			int t = 0;
			while (t < n_tenants && tenants[t] != reads[k].scope->tenant_id)
				t++;
			if (t == n_tenants) {
				tenants[t] = reads[k].scope->tenant_id;
				st[n_tenants++] = contacts_send(s, sql, t, tenants[t], reads, n);
			}
		}
		for (int t = 0; t < n_tenants; t++)
			contacts_collect(s, st[t], tenants[t], reads, n);
		return;
	}
	for (int k = 0; k < n; k++) {
		st[k] = contact_send(s, k, reads[k].scope->tenant_id, reads[k].id);
		reads[k].rc = st[k] ? GC_OK : GC_ESTORE;
	}
	for (int k = 0; k < n; k++) {
		if (reads[k].rc == GC_OK)
			reads[k].rc = contact_read(s, st[k], &reads[k].text, &reads[k].len);
	}
}

int store_contact_head(struct store *s, const struct store_scope *scope, int64_t id, int64_t *ret_customer_id,
		       char *ret_subject, size_t subject_len)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT customer_id, subject FROM contacts WHERE tenant_id = ? AND id = ?",
				      scope->tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	*ret_customer_id = db_column_int64(st, 0);
	const char *subject = db_column_text(st, 1);
	snprintf(ret_subject, subject_len, "%s", subject ? subject : "");
	db_reset(st);
	return GC_OK;
}

int store_contact_get(struct store *s, const struct store_scope *scope, int64_t id,
		      json_t **ret_contact)
{
	char *text = NULL;
	size_t len = 0;
	int rc = store_contact_get_text(s, scope, id, &text, &len);
	if (rc < 0)
		return rc;
	*ret_contact = json_loadb(text, len, 0, NULL);
	free(text);
	return *ret_contact ? GC_OK : GC_ENOMEM;
}

/* The contact's state and version, checking expected_version (-1: any). */
static int current_state(struct store *s, const struct store_scope *scope, int64_t id,
			 int64_t expected_version, enum contact_state *ret_state)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT state, version FROM contacts WHERE tenant_id = ? AND id = ?",
				      scope->tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	rc = contact_state_parse(db_column_text(st, 0), ret_state);
	if (rc == GC_OK && expected_version > 0 && db_column_int64(st, 1) != expected_version) {
		store_errorf(s, "the contact is at version %lld, not %lld",
			 (long long)db_column_int64(st, 1), (long long)expected_version);
		rc = GC_ECONFLICT;
	}
	db_reset(st);
	return rc;
}

int store_contact_update(struct store *s, const struct store_scope *scope, int64_t id,
			 const struct contact_input *in, json_t **ret_contact)
{
	enum contact_state state;
	int rc = current_state(s, scope, id, in->has & HAS_VERSION ? in->expected_version : -1, &state);
	if (rc < 0)
		return rc;
	if (state == CONTACT_CLOSED) {
		store_errorf(s, "the contact is closed");
		return GC_ESTATE;
	}
	if ((in->has & 63) == 0) /* nothing to change: no new version, which would fail others' expected_version */
		return store_contact_get(s, scope, id, ret_contact);
	if ((in->has & HAS_CUSTOMER) && in->customer_id && (rc = customer_exists(s, scope, in->customer_id)) < 0)
		return rc;
	json_t *tags = tags_json(in);
	char *tags_line = tags_text(in);
	int64_t now = gc_now_ms();
	struct db_stmt *st = store_stmt(s, "UPDATE contacts SET"
		" customer_id = CASE WHEN (?1 & 1) <> 0 THEN ?2 ELSE customer_id END,"
		" subject = CASE WHEN (?1 & 2) <> 0 THEN ?3 ELSE subject END,"
		" reason = CASE WHEN (?1 & 4) <> 0 THEN ?4 ELSE reason END,"
		" queue = CASE WHEN (?1 & 8) <> 0 THEN ?5 ELSE queue END,"
		" priority = CASE WHEN (?1 & 16) <> 0 THEN ?6 ELSE priority END,"
		" tags = CASE WHEN (?1 & 32) <> 0 THEN ?7 ELSE tags END,"
		" version = version + 1, updated_at = ?8 WHERE tenant_id = ?9 AND id = ?10");
	if (st == NULL || tags_line == NULL) {
		rc = st ? GC_ENOMEM : GC_ESTORE;
		goto out;
	}
	db_bind_int64(st, 1, (int)(in->has & 63));
	bind_id(st, 2, in->customer_id);
	bind_text(st, 3, in->subject);
	bind_text(st, 4, in->reason);
	bind_text(st, 5, in->queue);
	db_bind_int64(st, 6, in->priority);
	bind_text(st, 7, tags_line);
	db_bind_int64(st, 8, now);
	db_bind_int64(st, 9, scope->tenant_id);
	db_bind_int64(st, 10, id);
	if ((rc = store_step_done(s, st)) < 0)
		goto out;
	json_t *changes = json_pack("{s:o?,s:s?,s:s?,s:s?}", "customer_id",
		in->has & HAS_CUSTOMER ? (in->customer_id ? json_integer(in->customer_id) : json_null()) : NULL,
		"subject", in->subject, "reason", in->reason, "queue", in->queue);
	if (in->has & HAS_PRIORITY)
		json_object_set_new(changes, "priority", json_integer(in->priority));
	if (in->has & HAS_TAGS)
		json_object_set(changes, "tags", tags);
	if ((rc = append_event(s, scope, id, "updated", changes, now, true)) == GC_OK)
		rc = store_contact_get(s, scope, id, ret_contact);
out:
	free(tags_line);
	json_decref(tags);
	return rc;
}

int store_contact_set_state(struct store *s, const struct store_scope *scope, int64_t id,
			    const struct state_input *in, json_t **ret_contact)
{
	enum contact_state from;
	int rc = current_state(s, scope, id, in->expected_version, &from);
	if (rc < 0)
		return rc;
	if (!contact_state_can_move(from, in->state)) {
		store_errorf(s, "a contact cannot go from %s to %s",
			 contact_state_name(from), contact_state_name(in->state));
		return GC_ESTATE;
	}
	if (contact_state_needs_disposition(in->state) != (in->disposition != NULL)) {
		store_errorf(s, in->disposition
			 ? "a disposition is given only when resolving"
			 : "resolving a contact needs a disposition code");
		return GC_EINVAL;
	}
	int64_t now = gc_now_ms();
	struct db_stmt *st = store_stmt(s, "UPDATE contacts SET state = ?, disposition ="
		" CASE WHEN ?2 IS NOT NULL THEN ?2 WHEN ?1 = 'closed' THEN disposition ELSE NULL END,"
		" version = version + 1, updated_at = ? WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, contact_state_name(in->state));
	bind_text(st, 2, in->disposition);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, scope->tenant_id);
	db_bind_int64(st, 5, id);
	if ((rc = store_step_done(s, st)) < 0)
		return rc;
	rc = append_event(s, scope, id, "state_changed",
		json_pack("{s:s,s:s,s:s?}", "from", contact_state_name(from), "to",
			  contact_state_name(in->state), "disposition", in->disposition), now, true);
	return rc < 0 || ret_contact == NULL ? rc : store_contact_get(s, scope, id, ret_contact);
}

int store_contact_add_message(struct store *s, const struct store_scope *scope, int64_t id,
			      const struct message_input *in, bool note, json_t **ret_message)
{
	enum contact_state state;
	int rc = current_state(s, scope, id, -1, &state);
	if (rc < 0)
		return rc;
	if (state == CONTACT_CLOSED) {
		store_errorf(s, "the contact is closed");
		return GC_ESTATE;
	}
	const char *kind = note ? "note" : in->outbound ? "outbound" : "inbound";
	int64_t now = gc_now_ms(), message_id = 0;
	/* the contact's row first: held until the commit, so that the id taken
	   next is above those of its messages committed before, on any node */
	struct db_stmt *st = store_stmt(s, "UPDATE contacts SET version = version + 1, updated_at = ?"
					 " WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, scope->tenant_id);
	db_bind_int64(st, 3, id);
	if ((rc = store_step_done(s, st)) < 0 || (rc = insert_message(s, scope, id, kind, in->body, now, true,
								     &message_id)) < 0)
		return rc;
	rc = append_event(s, scope, id, note ? "note_added" : "message_added",
			  json_pack("{s:I,s:s}", "message_id", (json_int_t)message_id, "kind", kind), now, false);
	if (rc < 0)
		return rc;
	char when[GC_TIME_LEN];
	gc_time_format(now, when);
	*ret_message = json_pack("{s:I,s:I,s:s,s:s,s:o,s:s}", "id", (json_int_t)message_id,
		"contact_id", (json_int_t)id, "kind", kind, "body", in->body,
		"author_id", scope->user_id ? json_integer(scope->user_id) : json_null(),
		"created_at", when);
	return *ret_message ? GC_OK : GC_ENOMEM;
}

/* One statement per leading filter, so SQLite walks the matching index. */
static const char *list_sql(const struct store_contact_filter *f)
{
#define LIST_HEAD "SELECT " CONTACT_COLUMNS " FROM contacts"
#define LIST_TAIL " AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR queue = ?3)" \
	" AND (?4 IS NULL OR customer_id = ?4) AND updated_at >= ?5 AND id < ?6" \
	" ORDER BY id DESC LIMIT ?7"
	if (f->customer_id)
		return LIST_HEAD " WHERE tenant_id = ?1 AND customer_id = ?4" LIST_TAIL;
	if (f->queue)
		return LIST_HEAD " WHERE tenant_id = ?1 AND queue = ?3" LIST_TAIL;
	if (f->state)
		return LIST_HEAD " WHERE tenant_id = ?1 AND state = ?2" LIST_TAIL;
	return LIST_HEAD " WHERE tenant_id = ?1" LIST_TAIL;
#undef LIST_HEAD
#undef LIST_TAIL
}

/* A CONTACT_COLUMNS row as a JSON object, through the generator arg. */
static json_t *contact_row(struct db_stmt *st, void *arg)
{
	yajl_gen g = arg;
	const unsigned char *buf;
	size_t len;
	yajl_gen_reset(g, NULL);
	yajl_gen_clear(g);
	yajl_gen_map_open(g);
	struct contact_fields c = contact_of_row(st);
	gen_contact(g, &c);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	return json_loadb((const char *)buf, len, 0, NULL);
}

int store_contact_list(struct store *s, const struct store_scope *scope,
		       const struct store_contact_filter *f, json_t **ret_page)
{
	int limit = page_limit(f->limit);
	struct db_stmt *st = store_stmt(s, list_sql(f));
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, f->state);
	bind_text(st, 3, f->queue);
	bind_id(st, 4, f->customer_id);
	db_bind_int64(st, 5, f->updated_since);
	db_bind_int64(st, 6, f->after_id ? f->after_id : INT64_MAX);
	db_bind_int64(st, 7, limit);
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		return GC_ENOMEM;
	int rc = collect_page(s, st, limit, contact_row, g, ret_page);
	yajl_gen_free(g);
	return rc;
}

static json_t *event_row(struct db_stmt *st, void *arg)
{
	json_t *data = json_loads(db_column_text(st, 3), 0, NULL);
	event_data_as_seen(data, arg);
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "type", column_string(st, 1),
			 "actor", column_string(st, 2), "data", data ? data : json_object(),
			 "at", column_time(st, 4));
}

int store_contact_events(struct store *s, const struct store_scope *scope, int64_t id,
			 int64_t after_id, int limit, json_t **ret_page)
{
	enum contact_state state;
	int rc = current_state(s, scope, id, -1, &state);
	if (rc < 0)
		return rc;
	limit = page_limit(limit);
	struct db_stmt *st = store_stmt(s, "SELECT id, type, actor, data, at FROM contact_events"
		" WHERE tenant_id = ? AND contact_id = ? AND id > ? ORDER BY id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, after_id);
	db_bind_int64(st, 4, limit);
	return collect_page(s, st, limit, event_row, (void *)scope, ret_page);
}

static json_t *count_row(struct db_stmt *st, void *arg)
{
	return json_pack("[I,I]", (json_int_t)db_column_int64(st, 0), (json_int_t)db_column_int64(st, 1));
}

int store_contact_counts(struct store *s, const struct store_scope *scope, int64_t since_ms, int64_t until_ms,
			 int interval_s, json_t **ret_counts)
{
	struct db_stmt *st = store_stmt(s, "SELECT created_at / ?3 * ?3 AS slot, count(*) FROM contacts"
					 " WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?4"
					 " GROUP BY slot ORDER BY slot");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, since_ms);
	db_bind_int64(st, 3, (int64_t)interval_s * 1000);
	db_bind_int64(st, 4, until_ms);
	return collect_rows(s, st, count_row, NULL, ret_counts);
}
