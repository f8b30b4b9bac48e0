/* Emails' attachments in the store (schema migration 17), so that every
 * node of a cluster serves them: a row per attachment with its name, type,
 * size and SHA-256, and its bytes in chunks of STORE_ATTACHMENT_CHUNK, each
 * written and read by a statement of its own. A chunk is the most any call
 * here holds: a 25 MB attachment is a hundred rows, never one value that
 * SQLite or libpq would bind, send or hand back whole (PostgreSQL returns a
 * bytea as hex text, twice its size). And each tenant's limits on what is
 * kept. Every query is scoped by the tenant. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <string.h>

int store_attachment_add(struct store *s, const struct store_scope *scope, const struct store_attachment *in,
			 int64_t *ret_id)
{
	if (in->size < 0 || in->content_type == NULL || in->sha256 == NULL) {
		store_errorf(s, "an attachment needs a size, a content type and a hash");
		return GC_EINVAL;
	}
	struct db_stmt *st = store_stmt(s, "INSERT INTO email_attachments(tenant_id, contact_id, message_id, filename,"
					 " content_type, size, sha256, created_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->contact_id);
	bind_id(st, 3, in->message_id);
	bind_text(st, 4, in->filename);
	bind_text(st, 5, in->content_type);
	db_bind_int64(st, 6, in->size);
	bind_text(st, 7, in->sha256);
	db_bind_int64(st, 8, gc_now_ms());
	return store_insert_id(s, st, ret_id);
}

int store_attachment_chunk(struct store *s, const struct store_scope *scope, int64_t attachment_id, int64_t seq,
			   const void *data, size_t len)
{
	if (len > STORE_ATTACHMENT_CHUNK || seq < 0) {
		store_errorf(s, "an attachment's chunk is at most %u bytes", STORE_ATTACHMENT_CHUNK);
		return GC_EINVAL;
	}
	struct db_stmt *st = store_stmt(s, "INSERT INTO email_attachment_chunks(tenant_id, attachment_id, seq, bytes)"
					 " VALUES (?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, attachment_id);
	db_bind_int64(st, 3, seq);
	db_bind_blob(st, 4, data, len);
	return store_step_done(s, st);
}

#define ATTACHMENT_COLUMNS "id, contact_id, message_id, filename, content_type, size, sha256, created_at" \
			   " FROM email_attachments"

static json_t *attachment_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "contact_id", column_int(st, 1),
			 "message_id", column_int(st, 2), "filename", column_string(st, 3), "content_type",
			 column_string(st, 4), "size", column_int(st, 5), "sha256", column_string(st, 6), "created_at",
			 column_time(st, 7));
}

int store_attachment_list(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " ATTACHMENT_COLUMNS " WHERE tenant_id = ? AND contact_id = ? ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	return collect_rows(s, st, attachment_row, NULL, ret_list);
}

int store_attachment_count(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t *ret_n)
{
	struct db_stmt *st = store_stmt(s, "SELECT COUNT(*) FROM email_attachments WHERE tenant_id = ? AND contact_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_n = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_attachment_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " ATTACHMENT_COLUMNS " WHERE tenant_id = ? AND id = ?", scope->tenant_id, id,
			  attachment_row, ret);
}

/* Chunk seq's bytes to fn: GC_ENOTFOUND past the last chunk. */
static int read_chunk(struct store *s, const struct store_scope *scope, int64_t id, int64_t seq, store_bytes_fn *fn,
		      void *arg, size_t *ret_len)
{
	struct db_stmt *st = store_stmt(s, "SELECT bytes FROM email_attachment_chunks"
					 " WHERE tenant_id = ? AND attachment_id = ? AND seq = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, seq);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	const void *data = db_column_blob(st, 0); /* the blob first, then its length (SQLite's advice) */
	size_t len = db_column_bytes(st, 0);
	if (len == 0)
		data = "";
	rc = data ? fn(arg, data, len) : GC_ENOMEM;
	db_reset(st);
	*ret_len = len;
	return rc < 0 ? rc : GC_OK;
}

int store_attachment_read(struct store *s, const struct store_scope *scope, int64_t id, store_bytes_fn *fn,
			  void *arg)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT size FROM email_attachments WHERE tenant_id = ? AND id = ?",
					scope->tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	int64_t size = db_column_int64(st, 0), total = 0;
	db_reset(st);
	for (int64_t seq = 0; total < size; seq++) {
		size_t len = 0;
		if ((rc = read_chunk(s, scope, id, seq, fn, arg, &len)) < 0)
			break;
		total += (int64_t)len;
	}
	if (rc == GC_ENOTFOUND || (rc == GC_OK && total != size)) {
		store_errorf(s, "attachment %lld: its chunks hold %lld bytes of %lld",
			 (long long)id, (long long)total, (long long)size);
		return GC_ESTORE;
	}
	return rc;
}

int store_contact_last_inbound(struct store *s, const struct store_scope *scope, int64_t contact_id,
			       int64_t *ret_message_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT MAX(id) FROM messages WHERE tenant_id = ? AND contact_id = ?"
					 " AND kind = 'inbound'");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_message_id = db_column_is_null(st, 0) ? 0 : db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}

int store_attachment_limits_get(struct store *s, const struct store_scope *scope,
				struct store_attachment_limits *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT max_attachment, max_message FROM email_attachment_limits"
					 " WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret = (struct store_attachment_limits){db_column_int64(st, 0), db_column_int64(st, 1)};
	else if (rc == DB_DONE)
		*ret = (struct store_attachment_limits)STORE_ATTACHMENT_LIMITS_DEFAULT;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

int store_attachment_limits_set(struct store *s, const struct store_scope *scope,
				const struct store_attachment_limits *in)
{
	if (in->max_attachment < 0 || in->max_attachment > STORE_ATTACHMENT_LIMIT_MAX || in->max_message < 0 ||
	    in->max_message > STORE_ATTACHMENT_LIMIT_MAX) {
		store_errorf(s, "%s is 0 to %lld bytes",
			 in->max_attachment < 0 || in->max_attachment > STORE_ATTACHMENT_LIMIT_MAX ? "max_attachment"
												    : "max_message",
			 (long long)STORE_ATTACHMENT_LIMIT_MAX);
		return GC_EINVAL;
	}
	struct db_stmt *st = store_stmt(s, "INSERT INTO email_attachment_limits(tenant_id, max_attachment, max_message)"
					 " VALUES (?,?,?) ON CONFLICT(tenant_id) DO UPDATE SET"
					 " max_attachment = excluded.max_attachment, max_message = excluded.max_message");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->max_attachment);
	db_bind_int64(st, 3, in->max_message);
	int rc = store_step_done(s, st);
	return rc < 0 ? rc : store_audit(s, scope, scope->tenant_id, "email_attachment_limits", "limits",
					 json_pack("{s:I,s:I}", "max_attachment", (json_int_t)in->max_attachment,
						   "max_message", (json_int_t)in->max_message));
}
