/* The web chat's storage: each tenant's chat channels (the widget's public
 * key, the brand's identity secret kept sealed, the queue, and the origins,
 * prechat form and offline options as one JSON text), and the chats: a
 * chat is a contact on the channel "chat" with a row here naming the
 * visitor who opened it, its customer and whether the brand verified them,
 * its rating and its end. The visitor's client ids and the delivered and
 * read marks live on the messages (migration 19).
 *
 * Every query is scoped by tenant, but one: store_chat_channel_by_key, the
 * public key being what names the tenant to a visitor. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANNEL_COLUMNS "id, name, public_key, queue_id, config, created_at, updated_at, tenant_id FROM chat_channels"

/* A CHANNEL_COLUMNS row: the config's members merged into the row. */
static json_t *channel_row(struct db_stmt *st, void *arg)
{
	json_t *row = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "name", column_string(st, 1),
				"key", column_string(st, 2), "queue_id", column_int(st, 3), "created_at",
				column_time(st, 5), "updated_at", column_time(st, 6));
	json_t *config = column_json(st, 4);
	if (row && json_is_object(config))
		json_object_update(row, config);
	if (row && arg) /* the public lookup also says whose channel it is */
		json_object_set_new(row, "tenant_id", column_int(st, 7));
	json_decref(config);
	return row;
}

int store_chat_channel_create(struct store *s, const struct store_scope *scope, const struct store_chat_channel *in,
			      int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO chat_channels(tenant_id, name, public_key, sealed_secret, queue_id,"
					 " config, created_at, updated_at) VALUES (?,?,?,?,?,?,?7,?7) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, in->name);
	bind_text(st, 3, in->key);
	db_bind_blob(st, 4, in->sealed, in->sealed_len);
	db_bind_int64(st, 5, in->queue_id);
	bind_text(st, 6, in->config);
	db_bind_int64(st, 7, gc_now_ms());
	int rc = store_insert_id(s, st, ret_id);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a chat channel named '%.100s' exists", in->name);
	return rc;
}

int store_chat_channel_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " CHANNEL_COLUMNS " WHERE tenant_id = ? AND id = ? AND deleted = 0",
			  scope->tenant_id, id, channel_row, ret);
}

int store_chat_channel_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT " CHANNEL_COLUMNS " WHERE tenant_id = ? AND deleted = 0 ORDER BY id",
			   scope->tenant_id, channel_row, ret_list);
}

int store_chat_channel_update(struct store *s, const struct store_scope *scope, int64_t id,
			      const struct store_chat_channel *in)
{
	struct db_stmt *st = store_stmt(s, "UPDATE chat_channels SET name = COALESCE(?3, name),"
					 " queue_id = COALESCE(?4, queue_id), config = COALESCE(?5, config),"
					 " sealed_secret = COALESCE(?6, sealed_secret), updated_at = ?7"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	bind_text(st, 3, in->name);
	bind_id(st, 4, in->queue_id);
	bind_text(st, 5, in->config);
	if (in->sealed)
		db_bind_blob(st, 6, in->sealed, in->sealed_len);
	else
		db_bind_null(st, 6);
	db_bind_int64(st, 7, gc_now_ms());
	int rc = store_step_done(s, st);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a chat channel named '%.100s' exists", in->name ? in->name : "");
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_chat_channel_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE chat_channels SET deleted = 1, updated_at = ?3"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_chat_channel_by_key(struct store *s, const char *key, json_t **ret, unsigned char **ret_sealed,
			      size_t *ret_sealed_len)
{
	struct db_stmt *st;
	st = store_stmt(s, "SELECT c.id, c.name, c.public_key, c.queue_id, c.config, c.created_at, c.updated_at,"
			" c.tenant_id, c.sealed_secret, t.name FROM chat_channels c JOIN tenants t ON t.id = c.tenant_id"
			" WHERE c.public_key = ? AND c.deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, key);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	json_t *row = channel_row(st, st);
	if (row)
		json_object_set_new(row, "tenant_name", column_string(st, 9));
	size_t len = (size_t)db_column_bytes(st, 8);
	unsigned char *sealed = ret_sealed ? malloc(len ? len : 1) : NULL;
	if (sealed)
		memcpy(sealed, db_column_blob(st, 8), len);
	db_reset(st);
	if (row == NULL || (ret_sealed && sealed == NULL)) {
		json_decref(row);
		free(sealed);
		return GC_ENOMEM;
	}
	*ret = row;
	if (ret_sealed) {
		*ret_sealed = sealed;
		*ret_sealed_len = len;
	}
	return GC_OK;
}

/* --- chats --- */

int store_chat_create(struct store *s, int64_t tenant_id, const struct store_chat *in)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO chats(contact_id, tenant_id, channel_id, visitor, customer_id,"
					 " verified, created_at) VALUES (?,?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, in->contact_id);
	db_bind_int64(st, 2, tenant_id);
	db_bind_int64(st, 3, in->channel_id);
	bind_text(st, 4, in->visitor);
	db_bind_int64(st, 5, in->customer_id);
	db_bind_int64(st, 6, in->verified);
	db_bind_int64(st, 7, gc_now_ms());
	return store_step_done(s, st);
}

static json_t *chat_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "channel_id",
			 column_int(st, 1), "visitor", column_string(st, 2), "customer_id", column_int(st, 3),
			 "verified", db_column_int64(st, 4) != 0, "rating", column_int(st, 5), "rating_comment",
			 column_string(st, 6), "created_at", column_time(st, 7), "ended_at", column_time(st, 8),
			 "contact_state", column_string(st, 9));
}

static const char chat_of_contact_sql[] = "SELECT h.contact_id, h.channel_id, h.visitor, h.customer_id, h.verified,"
	" h.rating, h.rating_comment, h.created_at, h.ended_at, c.state FROM chats h"
	" JOIN contacts c ON c.id = h.contact_id AND c.tenant_id = h.tenant_id"
	" WHERE h.tenant_id = ? AND h.contact_id = ?";

int store_chat_get(struct store *s, int64_t tenant_id, int64_t contact_id, json_t **ret)
{
	return scoped_get(s, chat_of_contact_sql, tenant_id, contact_id, chat_row, ret);
}

void store_chats_of_contacts(struct store *s, struct store_contact_extra *reads, int n)
{
	rows_of_contacts(s, chat_of_contact_sql, chat_row, reads, n);
}

int store_chat_list_open(struct store *s, int64_t tenant_id, int64_t channel_id, const char *visitor,
			 int64_t customer_id, json_t **ret_list)
{
	/* a verified customer's chats on the channel, else the visitor's own */
	struct db_stmt *st = store_stmt(s, "SELECT h.contact_id, h.channel_id, h.visitor, h.customer_id, h.verified,"
					 " h.rating, h.rating_comment, h.created_at, h.ended_at, c.state FROM chats h"
					 " JOIN contacts c ON c.id = h.contact_id AND c.tenant_id = h.tenant_id"
					 " WHERE h.tenant_id = ?1 AND h.channel_id = ?2 AND h.ended_at IS NULL"
					 " AND c.state <> 'closed'"
					 /* a chat is routed from its start: out of the routing, it was wrapped up (store_chat_live) */
					 " AND EXISTS (SELECT 1 FROM routing r WHERE r.contact_id = h.contact_id"
					 " AND r.tenant_id = h.tenant_id)"
					 " AND ((?4 > 0 AND h.customer_id = ?4 AND h.verified = 1)"
					 "   OR (?4 = 0 AND h.visitor = ?3 AND h.verified = 0))"
					 " ORDER BY h.contact_id LIMIT 20");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, channel_id);
	bind_text(st, 3, visitor);
	db_bind_int64(st, 4, customer_id);
	return collect_rows(s, st, chat_row, NULL, ret_list);
}

int store_chat_visitor_customer(struct store *s, int64_t tenant_id, int64_t channel_id, const char *visitor,
				int64_t *ret_customer_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT customer_id FROM chats WHERE tenant_id = ? AND channel_id = ?"
					 " AND visitor = ? AND verified = 0 ORDER BY contact_id LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, channel_id);
	bind_text(st, 3, visitor);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_customer_id = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_customer_by_external(struct store *s, int64_t tenant_id, const char *external_id, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT id FROM customers WHERE tenant_id = ? AND external_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, external_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*ret_id = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_chat_end(struct store *s, int64_t tenant_id, int64_t contact_id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE chats SET ended_at = ?3 WHERE tenant_id = ?1 AND contact_id = ?2"
					 " AND ended_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	db_bind_int64(st, 3, gc_now_ms());
	return store_step_done(s, st);
}

int store_chat_rate(struct store *s, int64_t tenant_id, int64_t contact_id, int score, const char *comment)
{
	/* the score it replaces, for the reports' event (report_contacts.c) */
	struct db_stmt *st = store_stmt(s, "SELECT coalesce(rating, 0) FROM chats WHERE tenant_id = ? AND contact_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	int rc = db_step(st);
	int64_t previous = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	if (rc == DB_DONE)
		return GC_ENOTFOUND;
	if (rc != DB_ROW)
		return store_fail(s, rc);
	st = store_stmt(s, "UPDATE chats SET rating = ?3, rating_comment = ?4 WHERE tenant_id = ?1 AND contact_id = ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	db_bind_int64(st, 3, score);
	bind_text(st, 4, comment);
	if ((rc = store_step_done(s, st)) < 0)
		return rc;
	struct store_scope visitor = {.tenant_id = tenant_id};
	snprintf(visitor.actor, sizeof(visitor.actor), "visitor");
	json_t *data = json_pack("{s:i}", "score", score);
	if (previous)
		json_object_set_new(data, "previous", json_integer(previous));
	return store_event_append(s, &visitor, contact_id, "rated", data, gc_now_ms());
}

/* --- the chat's messages --- */

/* A message as the chat shows it: {"id","kind","body","at","client_id"?,"author"?,
 * "attachment"?: {"id","filename","content_type","size"}}. */
static json_t *message_row(struct db_stmt *st, void *arg)
{
	json_t *m = json_pack("{s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "kind", column_string(st, 1), "body",
			      column_string(st, 2), "at", column_time(st, 3));
	if (m && !db_column_is_null(st, 4))
		json_object_set_new(m, "client_id", column_string(st, 4));
	if (m && !db_column_is_null(st, 5)) { /* the agent's first name only */
		const char *name = db_column_text(st, 5);
		size_t len = strcspn(name, " ");
		json_object_set_new(m, "author", json_stringn(name, len));
	}
	if (m && !db_column_is_null(st, 6))
		json_object_set_new(m, "attachment", json_pack("{s:o,s:o,s:o,s:o}", "id", column_int(st, 6), "filename",
							       column_string(st, 7), "content_type", column_string(st, 8),
							       "size", column_int(st, 9)));
	return m;
}

/* A chat's message carries at most one attachment (handlers_chat_file.c). */
#define MESSAGE_COLUMNS "m.id, m.kind, m.body, m.created_at, m.client_id, u.name, a.id, a.filename," \
	" a.content_type, a.size FROM messages m LEFT JOIN users u ON u.id = m.author_id" \
	" LEFT JOIN email_attachments a ON a.tenant_id = m.tenant_id AND a.contact_id = m.contact_id" \
	" AND a.message_id = m.id"

int store_chat_message_by_client(struct store *s, int64_t tenant_id, int64_t contact_id, const char *client_id,
				 json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " MESSAGE_COLUMNS " WHERE m.tenant_id = ? AND m.contact_id = ?"
					 " AND m.client_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	bind_text(st, 3, client_id);
	return one_row(s, st, message_row, NULL, ret);
}

int store_chat_message_get(struct store *s, int64_t tenant_id, int64_t message_id, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " MESSAGE_COLUMNS " JOIN chats h ON h.contact_id = m.contact_id"
					 " AND h.tenant_id = m.tenant_id WHERE m.tenant_id = ? AND m.id = ? AND m.kind <> 'note'");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, message_id);
	return one_row(s, st, message_row, NULL, ret);
}

int store_chat_message_set_client(struct store *s, int64_t tenant_id, int64_t message_id, const char *client_id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE messages SET client_id = ?3 WHERE tenant_id = ?1 AND id = ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, message_id);
	bind_text(st, 3, client_id);
	return store_step_done(s, st);
}

int store_chat_messages_after(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t after_id, int limit,
			      json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT " MESSAGE_COLUMNS " WHERE m.tenant_id = ? AND m.contact_id = ?"
					 " AND m.id > ? AND m.kind <> 'note' ORDER BY m.id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	db_bind_int64(st, 3, after_id);
	db_bind_int64(st, 4, page_limit(limit));
	return collect_rows(s, st, message_row, NULL, ret_list);
}

int store_chat_mark(struct store *s, int64_t tenant_id, int64_t contact_id, const char *kind, int64_t up_to,
		    bool read)
{
	/* kind: the side whose messages the other side received or read */
	struct db_stmt *st = read ? store_stmt(s, "UPDATE messages SET read_at = ?5, delivered_at = COALESCE(delivered_at, ?5)"
					       " WHERE tenant_id = ?1 AND contact_id = ?2 AND kind = ?3 AND id <= ?4"
					       " AND read_at IS NULL")
				  : store_stmt(s, "UPDATE messages SET delivered_at = ?5"
					       " WHERE tenant_id = ?1 AND contact_id = ?2 AND kind = ?3 AND id <= ?4"
					       " AND delivered_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	bind_text(st, 3, kind);
	db_bind_int64(st, 4, up_to);
	db_bind_int64(st, 5, gc_now_ms());
	return store_step_done(s, st);
}

/* --- what a chat's stream says on connect --- */

/* The first word of a name into ret. */
static void first_name(const char *name, char *ret, size_t len)
{
	size_t n = name ? strcspn(name, " ") : 0;
	if (n >= len)
		n = len - 1;
	if (n)
		memcpy(ret, name, n);
	ret[n] = '\0';
}

int store_chat_agent_name(struct store *s, int64_t tenant_id, int64_t user_id, char *ret, size_t len)
{
	/* only a member of the tenant: a name never crosses tenants */
	struct db_stmt *st = store_stmt(s, "SELECT u.name FROM users u JOIN memberships m ON m.user_id = u.id"
					 " WHERE m.tenant_id = ? AND u.id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, user_id);
	int rc = db_step(st);
	if (rc == DB_ROW)
		first_name(db_column_text(st, 0), ret, len);
	db_reset(st);
	return rc == DB_ROW ? GC_OK : rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
}

int store_chat_live(struct store *s, int64_t tenant_id, int64_t contact_id, struct store_chat_live *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT h.ended_at, c.state, r.state, r.agent_id"
					 " FROM chats h JOIN contacts c ON c.id = h.contact_id AND c.tenant_id = h.tenant_id"
					 " LEFT JOIN routing r ON r.contact_id = h.contact_id AND r.tenant_id = h.tenant_id"
					 " WHERE h.tenant_id = ? AND h.contact_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	struct store_chat_live l = {.state = "waiting"};
	const char *contact = db_column_text(st, 1), *routing = db_column_is_null(st, 2) ? NULL : db_column_text(st, 2);
	if (!db_column_is_null(st, 0) || (contact && strcmp(contact, "closed") == 0))
		l.state = "ended";
	else if (routing && strcmp(routing, "assigned") == 0)
		l.state = "assigned";
	else if (routing == NULL)
		l.state = "ended"; /* a chat is routed from its start: out of routing, it was wrapped up or abandoned */
	l.agent_id = db_column_is_null(st, 3) ? 0 : db_column_int64(st, 3);
	db_reset(st);
	if (strcmp(l.state, "assigned") == 0 && l.agent_id)
		store_chat_agent_name(s, tenant_id, l.agent_id, l.agent, sizeof(l.agent));
	*ret = l;
	return GC_OK;
}

int store_chat_last_marks(struct store *s, int64_t tenant_id, int64_t contact_id, const char *kind,
			  int64_t *ret_delivered, int64_t *ret_read)
{
	struct db_stmt *st = store_stmt(s, "SELECT MAX(CASE WHEN delivered_at IS NOT NULL THEN id END),"
					 " MAX(CASE WHEN read_at IS NOT NULL THEN id END) FROM messages"
					 " WHERE tenant_id = ? AND contact_id = ? AND kind = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, contact_id);
	bind_text(st, 3, kind);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_delivered = db_column_is_null(st, 0) ? 0 : db_column_int64(st, 0);
		*ret_read = db_column_is_null(st, 1) ? 0 : db_column_int64(st, 1);
	}
	db_reset(st);
	return rc == DB_ROW ? GC_OK : store_fail(s, rc);
}
