/* Emails in the store: each one taken in or sent, by its Message-ID unique
 * in its tenant (so one is taken once, whoever fetches it again), the
 * contact it belongs to, and how far each mailbox was fetched. Recorded in
 * the same transaction as the contact and the message it made. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <string.h>

int store_email_contact(struct store *s, const struct store_scope *scope, const char *message_id,
			int64_t *ret_contact)
{
	struct db_stmt *st = store_stmt(s, "SELECT contact_id FROM email_messages WHERE tenant_id = ? AND message_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, message_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_contact = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_email_record(struct store *s, const struct store_scope *scope, const struct store_email *e)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO email_messages(tenant_id, message_id, contact_id, mailbox_id, uid,"
					 " direction, at) VALUES (?,?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, e->message_id);
	db_bind_int64(st, 3, e->contact_id);
	bind_id(st, 4, e->mailbox_id);
	bind_id(st, 5, e->uid);
	bind_text(st, 6, e->outbound ? "outbound" : "inbound");
	db_bind_int64(st, 7, gc_now_ms());
	int rc = store_step_done(s, st);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "the email %.200s was taken already", e->message_id);
	return rc;
}

int store_email_recent_contacts(struct store *s, const struct store_scope *scope, int64_t customer_id,
				int64_t since_ms, store_recent_fn fn, void *arg)
{
	/* by the customer's index: "+updated_at" keeps SQLite from walking the
	 * tenant's every contact of the window by contacts_updated instead, one
	 * email after the other (valid SQL on both engines) */
	struct db_stmt *st = store_stmt(s, "SELECT id, subject, state FROM contacts WHERE tenant_id = ? AND customer_id = ?"
					 " AND channel = 'email' AND +updated_at >= ? ORDER BY +updated_at DESC, id DESC"
					 " LIMIT 50");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, customer_id);
	db_bind_int64(st, 3, since_ms);
	int rc;
	bool more = true;
	while (more && (rc = db_step(st)) == DB_ROW)
		more = fn(db_column_int64(st, 0), db_column_is_null(st, 1) ? "" : db_column_text(st, 1),
			  db_column_text(st, 2), arg);
	if (!more)
		rc = DB_DONE;
	db_reset(st);
	return rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

int store_mailbox_progress(struct store *s, const struct store_scope *scope, int64_t mailbox_id, int64_t uidvalidity,
			   int64_t last_uid)
{
	struct db_stmt *st = store_stmt(s, "UPDATE email_mailboxes SET uidvalidity = ?3, last_uid = ?4, updated_at = ?5"
					 " WHERE tenant_id = ?1 AND id = ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, mailbox_id);
	db_bind_int64(st, 3, uidvalidity);
	db_bind_int64(st, 4, last_uid);
	db_bind_int64(st, 5, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}
