/* The tenants' email mailboxes: where their mail is fetched (IMAP) and
 * sent (SMTP), the queue it goes to, and how far fetching went. The
 * password is stored sealed (the daemon's secrets.c, with a key file kept
 * outside the database) and never comes back in a row meant for the API.
 * Each mailbox also holds its acknowledgements' settings (channel/email/ack.h). */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAILBOX_COLUMNS "id, name, address, imap_url, smtp_url, username, queue_id, uidvalidity, last_uid," \
			" created_at, updated_at, ack_enabled, ack_subject, ack_body, ack_language, ack_max_per_hour," \
			" from_name" \
			" FROM email_mailboxes"

static json_t *mailbox_row(struct db_stmt *st, void *arg)
{
	json_t *ack = json_pack("{s:b,s:o,s:o,s:o,s:o}", "enabled", db_column_int64(st, 11) != 0, "subject",
				column_string(st, 12), "body", column_string(st, 13), "language", column_string(st, 14),
				"max_per_hour", column_int(st, 15));
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o*}", "id", column_int(st, 0), "name",
			 column_string(st, 1), "from_name", column_string(st, 16), "address", column_string(st, 2),
			 "imap_url", column_string(st, 3),
			 "smtp_url", column_string(st, 4), "username", column_string(st, 5), "queue_id",
			 column_int(st, 6), "uidvalidity", column_int(st, 7), "last_uid", column_int(st, 8),
			 "created_at", column_time(st, 9), "updated_at", column_time(st, 10), "ack", ack);
}

/* Binds ack's five columns from idx on (a NULL language: the defaults). */
static void bind_ack(struct db_stmt *st, int idx, const struct store_mailbox_ack *ack)
{
	db_bind_int64(st, idx, ack->language && ack->enabled);
	bind_text(st, idx + 1, ack->language ? ack->subject : NULL);
	bind_text(st, idx + 2, ack->language ? ack->body : NULL);
	bind_text(st, idx + 3, ack->language ? ack->language : "en");
	db_bind_int64(st, idx + 4, ack->language ? ack->max_per_hour : 3);
}

int store_mailbox_create(struct store *s, const struct store_scope *scope, const struct store_mailbox *in,
			 int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO email_mailboxes(tenant_id, name, address, imap_url, smtp_url,"
					 " username, sealed_password, queue_id, created_at, updated_at, ack_enabled, ack_subject,"
					 " ack_body, ack_language, ack_max_per_hour, from_name)"
					 " VALUES (?,?,?,?,?,?,?,?,?,?9,?,?,?,?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, in->name);
	bind_text(st, 3, in->address);
	bind_text(st, 4, in->imap_url);
	bind_text(st, 5, in->smtp_url);
	bind_text(st, 6, in->username);
	db_bind_blob(st, 7, in->sealed, in->sealed_len);
	bind_id(st, 8, in->queue_id);
	db_bind_int64(st, 9, gc_now_ms());
	bind_ack(st, 10, &in->ack);
	bind_text(st, 15, in->from_name);
	int rc = store_insert_id(s, st, ret_id);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a mailbox named '%.100s' exists", in->name);
	return rc;
}

int store_mailbox_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " MAILBOX_COLUMNS " WHERE tenant_id = ? AND id = ? AND deleted = 0",
			  scope->tenant_id, id, mailbox_row, ret);
}

int store_mailbox_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT " MAILBOX_COLUMNS " WHERE tenant_id = ? AND deleted = 0 ORDER BY id",
			   scope->tenant_id, mailbox_row, ret_list);
}

int store_mailbox_set_ack(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct store_mailbox_ack *ack)
{
	struct db_stmt *st = store_stmt(s, "UPDATE email_mailboxes SET ack_enabled = ?3, ack_subject = ?4, ack_body = ?5,"
					 " ack_language = ?6, ack_max_per_hour = ?7, updated_at = ?8"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	bind_ack(st, 3, ack);
	db_bind_int64(st, 8, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_mailbox_set_from_name(struct store *s, const struct store_scope *scope, int64_t id, const char *from_name)
{
	struct db_stmt *st = store_stmt(s, "UPDATE email_mailboxes SET from_name = ?3, updated_at = ?4"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	bind_text(st, 3, from_name);
	db_bind_int64(st, 4, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_mailbox_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE email_mailboxes SET deleted = 1, updated_at = ?3"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_mailbox_sealed(struct store *s, const struct store_scope *scope, int64_t id, unsigned char **ret,
			 size_t *ret_len)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT sealed_password FROM email_mailboxes"
					 " WHERE tenant_id = ? AND id = ? AND deleted = 0", scope->tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	size_t len = (size_t)db_column_bytes(st, 0);
	unsigned char *copy = malloc(len ? len : 1);
	if (copy)
		memcpy(copy, db_column_blob(st, 0), len);
	db_reset(st);
	if (copy == NULL)
		return GC_ENOMEM;
	*ret = copy;
	*ret_len = len;
	return GC_OK;
}

static json_t *mailbox_all_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "tenant_id", column_int(st, 0), "id", column_int(st, 1),
			 "imap_url", column_string(st, 2), "username", column_string(st, 3), "queue_id",
			 column_int(st, 4), "uidvalidity", column_int(st, 5), "last_uid", column_int(st, 6));
}

int store_mailbox_all(struct store *s, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT tenant_id, id, imap_url, username, queue_id, uidvalidity, last_uid"
					 " FROM email_mailboxes WHERE deleted = 0 ORDER BY tenant_id, id");
	return st ? collect_rows(s, st, mailbox_all_row, NULL, ret_list) : GC_ESTORE;
}
