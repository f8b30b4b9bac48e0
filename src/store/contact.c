/* Contacts, their messages and notes, and their event timeline.
 *
 * Every change appends an event to contact_events in the same transaction
 * as the change itself (DESIGN.md principle 2): the timeline is the history
 * reports are built from, and it cannot disagree with the contact. */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int append_event(struct store *s, const struct store_scope *scope, int64_t contact_id,
			const char *type, json_t *data, int64_t now)
{
	char *text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (text == NULL)
		return GC_ENOMEM;
	sqlite3_stmt *st = store_stmt(s, "INSERT INTO contact_events(tenant_id, contact_id, type,"
					 " actor, data, at) VALUES (?,?,?,?,?,?)");
	int rc = GC_ESTORE;
	if (st) {
		sqlite3_bind_int64(st, 1, scope->tenant_id);
		sqlite3_bind_int64(st, 2, contact_id);
		bind_text(st, 3, type);
		bind_text(st, 4, scope->actor);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, now);
		rc = store_step_done(s, st);
	}
	free(text);
	return rc;
}

static int customer_exists(struct store *s, const struct store_scope *scope, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM customers WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st) == SQLITE_ROW ? GC_OK : GC_EINVAL;
	sqlite3_reset(st);
	if (rc < 0)
		snprintf(s->errmsg, sizeof(s->errmsg), "no customer %lld in this tenant", (long long)id);
	return rc;
}

static json_t *tags_json(const struct contact_input *in)
{
	json_t *tags = json_array();
	for (size_t i = 0; i < in->n_tags; i++)
		json_array_append_new(tags, json_string(in->tags[i]));
	return tags;
}

static int insert_message(struct store *s, const struct store_scope *scope, int64_t contact_id,
			  const char *kind, const char *body, int64_t now, int64_t *ret_id)
{
	sqlite3_stmt *st = store_stmt(s, "INSERT INTO messages(tenant_id, contact_id, kind, body,"
					 " author_id, created_at) VALUES (?,?,?,?,?,?)");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	sqlite3_bind_int64(st, 2, contact_id);
	bind_text(st, 3, kind);
	bind_text(st, 4, body);
	bind_id(st, 5, scope->user_id);
	sqlite3_bind_int64(st, 6, now);
	int rc = store_step_done(s, st);
	if (rc == GC_OK)
		*ret_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_contact_create(struct store *s, const struct store_scope *scope,
			 const struct contact_input *in, json_t **ret_contact)
{
	int rc;
	if (in->customer_id && (rc = customer_exists(s, scope, in->customer_id)) < 0)
		return rc;
	json_t *tags = tags_json(in);
	char *tags_text = json_dumps(tags, JSON_COMPACT);
	int64_t now = gc_now_ms();
	sqlite3_stmt *st = store_stmt(s, "INSERT INTO contacts(tenant_id, channel, customer_id, subject,"
		" reason, queue, priority, tags, state, created_by, created_at, updated_at)"
		" VALUES (?,?,?,?,?,?,?,?,'new',?,?,?10)");
	if (st == NULL || tags_text == NULL) {
		rc = st ? GC_ENOMEM : GC_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, contact_channel_name(in->channel));
	bind_id(st, 3, in->customer_id);
	bind_text(st, 4, in->subject);
	bind_text(st, 5, in->reason);
	bind_text(st, 6, in->queue);
	sqlite3_bind_int(st, 7, in->priority);
	bind_text(st, 8, tags_text);
	bind_id(st, 9, scope->user_id);
	sqlite3_bind_int64(st, 10, now);
	if ((rc = store_step_done(s, st)) < 0)
		goto out;
	int64_t id = sqlite3_last_insert_rowid(s->db), message_id = 0;
	if (in->message && (rc = insert_message(s, scope, id, "inbound", in->message, now, &message_id)) < 0)
		goto out;
	rc = append_event(s, scope, id, "created",
		json_pack("{s:s,s:o,s:s?,s:s?,s:i,s:O}", "channel", contact_channel_name(in->channel),
			  "customer_id", in->customer_id ? json_integer(in->customer_id) : json_null(),
			  "subject", in->subject, "queue", in->queue, "priority", in->priority,
			  "tags", tags), now);
	if (rc == GC_OK)
		rc = store_contact_get(s, scope, id, ret_contact);
out:
	free(tags_text);
	json_decref(tags);
	return rc;
}

/* A contact and its messages as JSON, built by SQLite itself: the one
 * definition of their shape, and the fastest way to answer a GET (no
 * intermediate jansson tree). Times are RFC 3339 in UTC, to the millisecond. */
#define RFC3339(col) "strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"
#define CONTACT_JSON \
	"json_object('id', c.id, 'channel', c.channel, 'customer_id', c.customer_id," \
	" 'subject', c.subject, 'reason', c.reason, 'queue', c.queue, 'priority', c.priority," \
	" 'tags', json(c.tags), 'state', c.state, 'disposition', c.disposition," \
	" 'version', c.version, 'created_at', " RFC3339("c.created_at") "," \
	" 'updated_at', " RFC3339("c.updated_at")
#define MESSAGES_JSON \
	"json((SELECT json_group_array(json_object('id', m.id, 'kind', m.kind, 'body', m.body," \
	" 'author_id', m.author_id, 'created_at', " RFC3339("m.created_at") "))" \
	" FROM (SELECT * FROM messages WHERE contact_id = c.id ORDER BY id) m))"

int store_contact_get_text(struct store *s, const struct store_scope *scope, int64_t id,
			   char **ret_text, size_t *ret_len)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT " CONTACT_JSON ", 'messages', " MESSAGES_JSON ")"
					 " FROM contacts c WHERE c.tenant_id = ? AND c.id = ?");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	size_t len = (size_t)sqlite3_column_bytes(st, 0);
	char *text = malloc(len + 1);
	if (text)
		memcpy(text, sqlite3_column_text(st, 0), len + 1);
	sqlite3_reset(st);
	if (text == NULL)
		return GC_ENOMEM;
	*ret_text = text;
	*ret_len = len;
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
	sqlite3_stmt *st = store_stmt(s, "SELECT state, version FROM contacts"
					 " WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	sqlite3_bind_int64(st, 2, id);
	int rc = GC_ENOTFOUND;
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc = contact_state_parse((const char *)sqlite3_column_text(st, 0), ret_state);
		if (rc == GC_OK && expected_version > 0 && sqlite3_column_int64(st, 1) != expected_version) {
			snprintf(s->errmsg, sizeof(s->errmsg), "the contact is at version %lld, not %lld",
				 (long long)sqlite3_column_int64(st, 1), (long long)expected_version);
			rc = GC_ECONFLICT;
		}
	}
	sqlite3_reset(st);
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
		snprintf(s->errmsg, sizeof(s->errmsg), "the contact is closed");
		return GC_ESTATE;
	}
	if ((in->has & HAS_CUSTOMER) && in->customer_id && (rc = customer_exists(s, scope, in->customer_id)) < 0)
		return rc;
	json_t *tags = tags_json(in);
	char *tags_text = json_dumps(tags, JSON_COMPACT);
	int64_t now = gc_now_ms();
	sqlite3_stmt *st = store_stmt(s, "UPDATE contacts SET"
		" customer_id = CASE WHEN ?1 & 1 THEN ?2 ELSE customer_id END,"
		" subject = CASE WHEN ?1 & 2 THEN ?3 ELSE subject END,"
		" reason = CASE WHEN ?1 & 4 THEN ?4 ELSE reason END,"
		" queue = CASE WHEN ?1 & 8 THEN ?5 ELSE queue END,"
		" priority = CASE WHEN ?1 & 16 THEN ?6 ELSE priority END,"
		" tags = CASE WHEN ?1 & 32 THEN ?7 ELSE tags END,"
		" version = version + 1, updated_at = ?8 WHERE tenant_id = ?9 AND id = ?10");
	if (st == NULL || tags_text == NULL) {
		rc = st ? GC_ENOMEM : GC_ESTORE;
		goto out;
	}
	sqlite3_bind_int(st, 1, (int)(in->has & 63));
	bind_id(st, 2, in->customer_id);
	bind_text(st, 3, in->subject);
	bind_text(st, 4, in->reason);
	bind_text(st, 5, in->queue);
	sqlite3_bind_int(st, 6, in->priority);
	bind_text(st, 7, tags_text);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, scope->tenant_id);
	sqlite3_bind_int64(st, 10, id);
	if ((rc = store_step_done(s, st)) < 0)
		goto out;
	json_t *changes = json_pack("{s:o?,s:s?,s:s?,s:s?}", "customer_id",
		in->has & HAS_CUSTOMER ? (in->customer_id ? json_integer(in->customer_id) : json_null()) : NULL,
		"subject", in->subject, "reason", in->reason, "queue", in->queue);
	if (in->has & HAS_PRIORITY)
		json_object_set_new(changes, "priority", json_integer(in->priority));
	if (in->has & HAS_TAGS)
		json_object_set(changes, "tags", tags);
	if ((rc = append_event(s, scope, id, "updated", changes, now)) == GC_OK)
		rc = store_contact_get(s, scope, id, ret_contact);
out:
	free(tags_text);
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
		snprintf(s->errmsg, sizeof(s->errmsg), "a contact cannot go from %s to %s",
			 contact_state_name(from), contact_state_name(in->state));
		return GC_ESTATE;
	}
	if (contact_state_needs_disposition(in->state) != (in->disposition != NULL)) {
		snprintf(s->errmsg, sizeof(s->errmsg), in->disposition
			 ? "a disposition is given only when resolving"
			 : "resolving a contact needs a disposition code");
		return GC_EINVAL;
	}
	int64_t now = gc_now_ms();
	sqlite3_stmt *st = store_stmt(s, "UPDATE contacts SET state = ?, disposition ="
		" CASE WHEN ?2 IS NOT NULL THEN ?2 WHEN ?1 = 'closed' THEN disposition ELSE NULL END,"
		" version = version + 1, updated_at = ? WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, contact_state_name(in->state));
	bind_text(st, 2, in->disposition);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, scope->tenant_id);
	sqlite3_bind_int64(st, 5, id);
	if ((rc = store_step_done(s, st)) < 0)
		return rc;
	rc = append_event(s, scope, id, "state_changed",
		json_pack("{s:s,s:s,s:s?}", "from", contact_state_name(from), "to",
			  contact_state_name(in->state), "disposition", in->disposition), now);
	return rc < 0 ? rc : store_contact_get(s, scope, id, ret_contact);
}

int store_contact_add_message(struct store *s, const struct store_scope *scope, int64_t id,
			      const struct message_input *in, bool note, json_t **ret_message)
{
	enum contact_state state;
	int rc = current_state(s, scope, id, -1, &state);
	if (rc < 0)
		return rc;
	if (state == CONTACT_CLOSED) {
		snprintf(s->errmsg, sizeof(s->errmsg), "the contact is closed");
		return GC_ESTATE;
	}
	const char *kind = note ? "note" : in->outbound ? "outbound" : "inbound";
	int64_t now = gc_now_ms(), message_id = 0;
	if ((rc = insert_message(s, scope, id, kind, in->body, now, &message_id)) < 0)
		return rc;
	sqlite3_stmt *st = store_stmt(s, "UPDATE contacts SET version = version + 1, updated_at = ?"
					 " WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, scope->tenant_id);
	sqlite3_bind_int64(st, 3, id);
	if ((rc = store_step_done(s, st)) < 0)
		return rc;
	rc = append_event(s, scope, id, note ? "note_added" : "message_added",
			  json_pack("{s:I,s:s}", "message_id", (json_int_t)message_id, "kind", kind), now);
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
#define LIST_HEAD "SELECT c.id, " CONTACT_JSON ") FROM contacts c"
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

int store_contact_list(struct store *s, const struct store_scope *scope,
		       const struct store_contact_filter *f, json_t **ret_page)
{
	int limit = page_limit(f->limit);
	sqlite3_stmt *st = store_stmt(s, list_sql(f));
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, f->state);
	bind_text(st, 3, f->queue);
	bind_id(st, 4, f->customer_id);
	sqlite3_bind_int64(st, 5, f->updated_since);
	sqlite3_bind_int64(st, 6, f->after_id ? f->after_id : INT64_MAX);
	sqlite3_bind_int(st, 7, limit);
	json_t *items = json_array();
	int64_t last = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		json_array_append_new(items, json_loadb((const char *)sqlite3_column_text(st, 1),
							(size_t)sqlite3_column_bytes(st, 1), 0, NULL));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(items);
		return store_fail(s, rc);
	}
	*ret_page = page_of(items, limit, last);
	return GC_OK;
}

int store_contact_events(struct store *s, const struct store_scope *scope, int64_t id,
			 int64_t after_id, int limit, json_t **ret_page)
{
	enum contact_state state;
	int rc = current_state(s, scope, id, -1, &state);
	if (rc < 0)
		return rc;
	limit = page_limit(limit);
	sqlite3_stmt *st = store_stmt(s, "SELECT id, type, actor, data, at FROM contact_events"
		" WHERE tenant_id = ? AND contact_id = ? AND id > ? ORDER BY id LIMIT ?");
	if (st == NULL)
		return GC_ESTORE;
	sqlite3_bind_int64(st, 1, scope->tenant_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, after_id);
	sqlite3_bind_int(st, 4, limit);
	json_t *items = json_array();
	int64_t last = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		json_t *data = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
		json_array_append_new(items, json_pack("{s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0),
			"type", column_string(st, 1), "actor", column_string(st, 2),
			"data", data ? data : json_object(), "at", column_time(st, 4)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(items);
		return store_fail(s, rc);
	}
	*ret_page = page_of(items, limit, last);
	return GC_OK;
}
