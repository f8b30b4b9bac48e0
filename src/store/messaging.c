/* SMS and social messages (schema migration 19): the tenants' messaging
 * channels, whose provider secret is stored sealed and never comes back in
 * a row meant for the API, and every message in or out through them. An
 * inbound message is taken once per provider id and channel; an outbound
 * one is queued in the transaction of the agent's reply (ops_message_add),
 * then marked sending, sent, retried, delivered or failed by the sender
 * (channel/messaging/send.h) and the provider's receipts. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANNEL_COLUMNS "id, name, provider, kind, public_key, webhook_url, api_url, account, address, queue_id," \
			" created_at, updated_at, tenant_id FROM messaging_channels"

static json_t *channel_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "name",
			 column_string(st, 1), "provider", column_string(st, 2), "kind", column_string(st, 3),
			 "public_key", column_string(st, 4), "webhook_url", column_string(st, 5), "api_url",
			 column_string(st, 6), "account", column_string(st, 7), "address", column_string(st, 8),
			 "queue_id", column_int(st, 9), "created_at", column_time(st, 10), "updated_at",
			 column_time(st, 11));
}

int store_messaging_channel_create(struct store *s, const struct store_scope *scope,
				   const struct store_messaging_channel *in, int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO messaging_channels(tenant_id, name, provider, kind, public_key,"
					 " webhook_url, api_url, account, address, sealed_secret, queue_id, created_at,"
					 " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?12,?12) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, in->name);
	bind_text(st, 3, in->provider);
	bind_text(st, 4, in->kind);
	bind_text(st, 5, in->public_key);
	bind_text(st, 6, in->webhook_url);
	bind_text(st, 7, in->api_url);
	bind_text(st, 8, in->account);
	bind_text(st, 9, in->address);
	db_bind_blob(st, 10, in->sealed, in->sealed_len);
	bind_id(st, 11, in->queue_id);
	db_bind_int64(st, 12, gc_now_ms());
	int rc = store_insert_id(s, st, ret_id);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a messaging channel named '%.100s' exists", in->name);
	return rc;
}

int store_messaging_channel_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " CHANNEL_COLUMNS " WHERE tenant_id = ? AND id = ? AND deleted = 0",
			  scope->tenant_id, id, channel_row, ret);
}

int store_messaging_channel_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT " CHANNEL_COLUMNS " WHERE tenant_id = ? AND deleted = 0 ORDER BY id",
			   scope->tenant_id, channel_row, ret_list);
}

int store_messaging_channel_update(struct store *s, const struct store_scope *scope, int64_t id,
				   const struct store_messaging_channel *in)
{
	struct db_stmt *st = store_stmt(s, "UPDATE messaging_channels SET name = COALESCE(?3, name),"
					 " webhook_url = COALESCE(?4, webhook_url), api_url = COALESCE(?5, api_url),"
					 " account = COALESCE(?6, account), address = COALESCE(?7, address),"
					 " sealed_secret = COALESCE(?8, sealed_secret),"
					 " queue_id = CASE WHEN ?9 < 0 THEN queue_id WHEN ?9 = 0 THEN NULL ELSE ?9 END,"
					 " updated_at = ?10 WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	bind_text(st, 3, in->name);
	bind_text(st, 4, in->webhook_url);
	bind_text(st, 5, in->api_url);
	bind_text(st, 6, in->account);
	bind_text(st, 7, in->address);
	if (in->sealed)
		db_bind_blob(st, 8, in->sealed, in->sealed_len);
	else
		db_bind_null(st, 8);
	db_bind_int64(st, 9, in->queue_id);
	db_bind_int64(st, 10, gc_now_ms());
	int rc = store_step_done(s, st);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "a messaging channel named '%.100s' exists", in->name);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_messaging_channel_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE messaging_channels SET deleted = 1, updated_at = ?3"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

/* The sealed secret of the row st stands on (column i), copied. */
static int copy_blob(struct db_stmt *st, int i, unsigned char **ret, size_t *ret_len)
{
	size_t len = (size_t)db_column_bytes(st, i);
	unsigned char *copy = malloc(len ? len : 1);
	if (copy == NULL)
		return GC_ENOMEM;
	memcpy(copy, db_column_blob(st, i), len);
	*ret = copy;
	*ret_len = len;
	return GC_OK;
}

int store_messaging_channel_by_key(struct store *s, const char *public_key, json_t **ret, unsigned char **ret_sealed,
				   size_t *ret_sealed_len)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, name, provider, kind, public_key, webhook_url, api_url, account,"
					 " address, queue_id, created_at, updated_at, tenant_id, sealed_secret"
					 " FROM messaging_channels WHERE public_key = ? AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, public_key);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	json_t *row = channel_row(st, NULL);
	if (row)
		json_object_set_new(row, "tenant_id", column_int(st, 12));
	int out = row ? copy_blob(st, 13, ret_sealed, ret_sealed_len) : GC_ENOMEM;
	db_reset(st);
	if (out < 0) {
		json_decref(row);
		return out;
	}
	*ret = row;
	return GC_OK;
}

int store_messaging_channel_sealed(struct store *s, const struct store_scope *scope, int64_t id,
				   unsigned char **ret, size_t *ret_len)
{
	int rc = GC_OK;
	struct db_stmt *st = scoped_row(s, "SELECT sealed_secret FROM messaging_channels"
					 " WHERE tenant_id = ? AND id = ? AND deleted = 0", scope->tenant_id, id, &rc);
	if (st == NULL)
		return rc;
	rc = copy_blob(st, 0, ret, ret_len);
	db_reset(st);
	return rc;
}

int store_messaging_add(struct store *s, const struct store_scope *scope, const struct store_messaging_message *in,
			int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO messaging_messages(tenant_id, channel_id, contact_id, message_id,"
					 " direction, provider_id, peer, body, state, next_at, created_at, updated_at)"
					 " VALUES (?,?,?,?,?,?,?,?,?,?10,?10,?10) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, in->channel_id);
	db_bind_int64(st, 3, in->contact_id);
	bind_id(st, 4, in->message_id);
	bind_text(st, 5, in->direction);
	bind_text(st, 6, in->provider_id);
	bind_text(st, 7, in->peer);
	bind_text(st, 8, in->body);
	bind_text(st, 9, in->state);
	db_bind_int64(st, 10, gc_now_ms());
	return store_insert_id(s, st, ret_id);
}

int store_messaging_inbound_contact(struct store *s, const struct store_scope *scope, int64_t channel_id,
				    const char *provider_id, int64_t *ret_contact_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT contact_id FROM messaging_messages WHERE tenant_id = ? AND channel_id = ?"
					 " AND direction = 'inbound' AND provider_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, channel_id);
	bind_text(st, 3, provider_id);
	int rc = db_step(st);
	int64_t contact = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	*ret_contact_id = contact;
	return GC_OK;
}

int store_messaging_peer_contact(struct store *s, const struct store_scope *scope, int64_t channel_id,
				 const char *peer, bool open, int64_t *ret_contact_id, int64_t *ret_customer_id)
{
	struct db_stmt *st = store_stmt(s, open
		? "SELECT c.id, c.customer_id FROM messaging_messages m JOIN contacts c ON c.id = m.contact_id"
		  " WHERE m.tenant_id = ?1 AND m.channel_id = ?2 AND m.peer = ?3 AND c.tenant_id = ?1"
		  " AND c.state NOT IN ('resolved','closed') ORDER BY m.id DESC LIMIT 1"
		: "SELECT c.id, c.customer_id FROM messaging_messages m JOIN contacts c ON c.id = m.contact_id"
		  " WHERE m.tenant_id = ?1 AND m.channel_id = ?2 AND m.peer = ?3 AND c.tenant_id = ?1"
		  " ORDER BY m.id DESC LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, channel_id);
	bind_text(st, 3, peer);
	int rc = db_step(st);
	int64_t contact = rc == DB_ROW ? db_column_int64(st, 0) : 0, customer = rc == DB_ROW ? db_column_int64(st, 1) : 0;
	db_reset(st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	*ret_contact_id = contact;
	*ret_customer_id = customer;
	return GC_OK;
}

int store_messaging_queue_reply(struct store *s, const struct store_scope *scope, int64_t contact_id,
				int64_t message_id, const char *body)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO messaging_messages(tenant_id, channel_id, contact_id, message_id,"
					 " direction, peer, body, state, next_at, created_at, updated_at)"
					 " SELECT m.tenant_id, m.channel_id, m.contact_id, ?3, 'outbound', m.peer, ?4, 'queued',"
					 " ?5, ?5, ?5 FROM messaging_messages m WHERE m.tenant_id = ?1 AND m.contact_id = ?2"
					 " AND m.direction = 'inbound' ORDER BY m.id DESC LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	bind_id(st, 3, message_id);
	bind_text(st, 4, body);
	db_bind_int64(st, 5, gc_now_ms());
	return store_step_done(s, st);
}

static json_t *due_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "tenant_id", column_int(st, 1),
			 "channel_id", column_int(st, 2), "contact_id", column_int(st, 3), "peer", column_string(st, 4),
			 "body", column_string(st, 5), "attempts", column_int(st, 6));
}

int store_messaging_due(struct store *s, int64_t now, int limit, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, tenant_id, channel_id, contact_id, peer, body, attempts"
					 " FROM messaging_messages WHERE state IN ('queued','sending') AND next_at <= ?"
					 " AND direction = 'outbound' ORDER BY next_at, id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, limit);
	return collect_rows(s, st, due_row, NULL, ret_list);
}

int store_messaging_mark(struct store *s, const struct store_scope *scope, int64_t id, const char *state,
			 int64_t attempts, int64_t next_at, const char *provider_id, const char *last_error)
{
	struct db_stmt *st = store_stmt(s, "UPDATE messaging_messages SET state = ?3, attempts = ?4, next_at = ?5,"
					 " provider_id = COALESCE(?6, provider_id), last_error = ?7, updated_at = ?8"
					 " WHERE tenant_id = ?1 AND id = ?2");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	bind_text(st, 3, state);
	db_bind_int64(st, 4, attempts);
	db_bind_int64(st, 5, next_at);
	bind_text(st, 6, provider_id);
	bind_text(st, 7, last_error);
	db_bind_int64(st, 8, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_messaging_receipt(struct store *s, const struct store_scope *scope, int64_t channel_id,
			    const char *provider_id, const char *status, const char *error)
{
	struct db_stmt *st = store_stmt(s, "UPDATE messaging_messages SET state = ?4, last_error = COALESCE(?5, last_error),"
					 " updated_at = ?6 WHERE tenant_id = ?1 AND channel_id = ?2 AND provider_id = ?3"
					 " AND direction = 'outbound' AND state NOT IN ('delivered','undelivered','failed')");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, channel_id);
	bind_text(st, 3, provider_id);
	bind_text(st, 4, status);
	bind_text(st, 5, error);
	db_bind_int64(st, 6, gc_now_ms());
	return store_step_done(s, st);
}

static json_t *message_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "channel_id",
			 column_int(st, 1), "message_id", column_int(st, 2), "direction", column_string(st, 3),
			 "provider_id", column_string(st, 4), "peer", address_json(db_column_text(st, 5), arg), "state",
			 column_string(st, 6), "attempts", column_int(st, 7), "last_error", column_string(st, 8),
			 "created_at", column_time(st, 9), "updated_at", column_time(st, 10));
}

int store_messaging_list(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, channel_id, message_id, direction, provider_id, peer, state,"
					 " attempts, last_error, created_at, updated_at FROM messaging_messages"
					 " WHERE tenant_id = ? AND contact_id = ? ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, contact_id);
	return collect_rows(s, st, message_row, (void *)scope, ret_list); /* its peer as the scope may see it */
}
