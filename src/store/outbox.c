/* Replies by email waiting to be sent, being sent, sent or failed, and the
 * thread of Message-IDs a reply answers (schema migration 12); guichet's own
 * automatic mail (acknowledgements) is marked, and counted per address
 * (migration 14); mail of no contact (the level-2 exports) and the
 * messages' attachments (migration 15). */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTBOX_COLUMNS "id, contact_id, mailbox_id, message_id, to_address, subject, state, attempts, next_at," \
		       " last_error, created_at, updated_at, tenant_id, body, in_reply_to, refs, automatic FROM email_outbox"

/* The row as the API shows it (no body: it is the contact's message); the
 * address is personal data, shown to a scope that sees it (arg; NULL: the
 * sender, which sees all). */
static json_t *outbox_row(struct db_stmt *st, void *arg)
{
	const struct store_scope *scope = arg;
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "id", column_int(st, 0), "contact_id",
			 column_int(st, 1), "mailbox_id", column_int(st, 2), "message_id", column_string(st, 3), "to",
			 column_string(st, 4), "subject", column_string(st, 5), "state", column_string(st, 6), "attempts",
			 column_int(st, 7), "next_at", column_time(st, 8), "last_error", column_string(st, 9), "created_at",
			 column_time(st, 10), "updated_at", column_time(st, 11), "automatic", db_column_int64(st, 16) != 0);
	if (o && scope && scope->sees < SENS_PERSONAL)
		json_object_del(o, "to");
	return o;
}

/* The whole row, for the sender. */
static json_t *outbox_due_row(struct db_stmt *st, void *arg)
{
	json_t *o = outbox_row(st, arg);
	if (o)
		json_object_update_new(o, json_pack("{s:o,s:o,s:o,s:o}", "tenant_id", column_int(st, 12), "body",
						    column_string(st, 13), "in_reply_to", column_string(st, 14), "refs",
						    column_string(st, 15)));
	return o;
}

int store_outbox_add(struct store *s, const struct store_scope *scope, const struct store_outbox *in, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO email_outbox(tenant_id, contact_id, mailbox_id, message_id,"
					 " to_address, subject, body, in_reply_to, refs, state, next_at, created_at, updated_at,"
					 " automatic) VALUES (?,?,?,?,?,?,?,?,?,'queued',?10,?10,?10,?11) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_id(st, 2, in->contact_id);
	db_bind_int64(st, 3, in->mailbox_id);
	bind_text(st, 4, in->message_id);
	bind_text(st, 5, in->to_address);
	bind_text(st, 6, in->subject);
	bind_text(st, 7, in->body);
	bind_text(st, 8, in->in_reply_to);
	bind_text(st, 9, in->refs ? in->refs : "");
	db_bind_int64(st, 10, gc_now_ms());
	db_bind_int64(st, 11, in->automatic);
	return store_insert_id(s, st, ret_id);
}

int store_outbox_count_automatic(struct store *s, const struct store_scope *scope, const char *to_address,
				 int64_t since_ms, int64_t *ret_n)
{
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM email_outbox WHERE tenant_id = ? AND automatic = 1"
					 " AND to_address = ? AND created_at >= ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, to_address);
	db_bind_int64(st, 3, since_ms);
	int rc = db_step(st);
	int64_t n = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	if (rc != DB_ROW)
		return store_fail(s, rc);
	*ret_n = n;
	return GC_OK;
}

int store_outbox_list(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " OUTBOX_COLUMNS " WHERE tenant_id = ? AND contact_id = ? ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	return collect_rows(s, st, outbox_row, (void *)scope, ret_list);
}

int store_outbox_due(struct store *s, int64_t now, int limit, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " OUTBOX_COLUMNS " WHERE state IN ('queued','sending') AND next_at <= ?"
					 " ORDER BY next_at, id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, limit);
	return collect_rows(s, st, outbox_due_row, NULL, ret_list);
}

int store_outbox_mark(struct store *s, const struct store_scope *scope, int64_t id, const char *state, int64_t attempts,
		      int64_t next_at, const char *last_error)
{
	struct db_stmt *st = store_stmt(s, "UPDATE email_outbox SET state = ?3, attempts = ?4, next_at = ?5, last_error = ?6,"
					 " updated_at = ?7 WHERE tenant_id = ?1 AND id = ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	bind_text(st, 3, state);
	db_bind_int64(st, 4, attempts);
	db_bind_int64(st, 5, next_at);
	bind_text(st, 6, last_error);
	db_bind_int64(st, 7, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_email_thread(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT message_id, direction, mailbox_id FROM email_messages"
					 " WHERE tenant_id = ? AND contact_id = ? ORDER BY at, message_id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	json_t *list = json_array();
	int rc;
	while (list && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(list, json_pack("{s:o,s:o,s:o}", "message_id", column_string(st, 0), "direction",
						      column_string(st, 1), "mailbox_id", column_int(st, 2)));
	db_reset(st);
	if (list == NULL)
		return GC_ENOMEM;
	if (rc != DB_DONE) {
		json_decref(list);
		return store_fail(s, rc);
	}
	*ret_list = list;
	return GC_OK;
}

int store_outbox_attach(struct store *s, const struct store_scope *scope, int64_t outbox_id,
			const struct store_outbox_file *a)
{
	if (a->len > STORE_MAX_ATTACHMENT) {
		store_errorf(s, "an attachment holds at most %d bytes", STORE_MAX_ATTACHMENT);
		return GC_ETOOBIG;
	}
	int64_t n = 0;
	struct db_stmt *st = store_stmt(s, "SELECT count(*) FROM email_outbox WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, outbox_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		n = db_column_int64(st, 0);
	db_reset(st);
	if (rc != DB_ROW)
		return store_fail(s, rc);
	if (n == 0)
		return GC_ENOTFOUND;
	st = store_stmt(s, "INSERT INTO email_outbox_attachments(tenant_id, outbox_id, filename, content_type, data)"
			   " VALUES (?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, outbox_id);
	bind_text(st, 3, a->filename);
	bind_text(st, 4, a->content_type);
	db_bind_blob(st, 5, a->data, a->len);
	return store_step_done(s, st);
}

void store_outbox_files_free(struct store_outbox_file *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++) {
		free((char *)list[i].filename);
		free((char *)list[i].content_type);
		free((void *)list[i].data);
	}
	free(list);
}

static char *dup_bytes(const void *data, size_t len)
{
	char *copy = malloc(len + 1);
	if (copy) {
		if (len)
			memcpy(copy, data, len);
		copy[len] = '\0';
	}
	return copy;
}

int store_outbox_attachments(struct store *s, const struct store_scope *scope, int64_t outbox_id,
			     struct store_outbox_file **ret, size_t *ret_n)
{
	struct db_stmt *st = store_stmt(s, "SELECT filename, content_type, data FROM email_outbox_attachments"
					 " WHERE tenant_id = ? AND outbox_id = ? ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, outbox_id);
	struct store_outbox_file *list = NULL;
	size_t n = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_outbox_file *more = realloc(list, (n + 1) * sizeof(*list));
		if (more == NULL) {
			rc = GC_ENOMEM;
			break;
		}
		list = more;
		const char *name = db_column_text(st, 0), *type = db_column_text(st, 1);
		size_t len = db_column_bytes(st, 2);
		list[n] = (struct store_outbox_file){.filename = dup_bytes(name, strlen(name)),
						    .content_type = dup_bytes(type, strlen(type)),
						    .data = dup_bytes(db_column_blob(st, 2), len), .len = len};
		n++;
		if (list[n - 1].filename == NULL || list[n - 1].content_type == NULL || list[n - 1].data == NULL) {
			rc = GC_ENOMEM;
			break;
		}
	}
	db_reset(st);
	if (rc != DB_DONE) {
		store_outbox_files_free(list, n);
		return rc == GC_ENOMEM ? rc : store_fail(s, rc);
	}
	*ret = list;
	*ret_n = n;
	return GC_OK;
}
