/* Contacts: list, read, create, update, state changes, messages, notes, and
 * the event timeline. */
#include "daemon/handlers.h"
#include "daemon/handlers_callback.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <string.h>

int run_contact_list(struct request *r, struct store *db)
{
	int64_t after = 0, limit = 0, customer = 0, since = 0;
	enum contact_state state;
	const char *state_text = query_get(r, "state"), *since_text = query_get(r, "updated_since");
	if (query_int(r, "cursor", 1, INT64_MAX, 0, &after) < 0 ||
	    query_int(r, "limit", 1, STORE_MAX_PAGE, 50, &limit) < 0 ||
	    query_int(r, "customer_id", 1, INT64_MAX, 0, &customer) < 0)
		return GC_EINVAL;
	if (state_text && contact_state_parse(state_text, &state) < 0)
		return reply_error(r, 400, "invalid", "state", "unknown state '%.32s'", state_text);
	if (since_text && gc_time_parse(since_text, &since) < 0)
		return reply_error(r, 400, "invalid", "updated_since",
				   "updated_since is an RFC 3339 time like 2026-11-23T09:00:00Z");
	struct store_contact_filter f = {.state = state_text, .queue = query_get(r, "queue"),
		.customer_id = customer, .updated_since = since, .after_id = after, .limit = (int)limit};
	json_t *page = NULL;
	int rc = store_contact_list(db, &r->scope, &f, &page);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, page);
}

/* Whether a contact's answer (store_contact_get_text's) has member, such as
 * "channel":"phone" (a text inside a message has its quotes escaped). */
static bool contact_has(const struct store_contact_read *read, const char *member)
{
	return read->rc == GC_OK && memmem(read->text, read->len, member, strlen(member)) != NULL;
}

/* The read's answer with "key": shown (taken) added as its last member. */
static int splice(struct store_contact_read *read, const char *key, json_t *shown)
{
	char *extra = shown ? json_dumps(shown, JSON_COMPACT) : NULL;
	json_decref(shown);
	char *end = read->len > 0 ? memrchr(read->text, '}', read->len) : NULL;
	size_t size = read->len + strlen(key) + (extra ? strlen(extra) : 0) + 8;
	char *joined = extra && end ? malloc(size) : NULL;
	if (joined == NULL) {
		free(extra);
		return GC_ENOMEM;
	}
	int n = snprintf(joined, size, "%.*s,\"%s\":%s%s", (int)(end - read->text), read->text, key, extra, end);
	free(extra);
	free(read->text);
	read->text = joined;
	read->len = (size_t)n;
	return GC_OK;
}

/* The phone contacts' callbacks (a number and a window) and the chat
 * contacts' web chats spliced into their answers, each kind read together
 * for all the contacts read together (an email's answer reads nothing more). */
static void splice_extras(struct store *db, struct store_contact_read *reads, int n)
{
	struct store_contact_extra cbs[HTTP_READ_BATCH], chats[HTTP_READ_BATCH];
	int cb_of[HTTP_READ_BATCH], chat_of[HTTP_READ_BATCH], n_cbs = 0, n_chats = 0;
	for (int k = 0; k < n; k++) {
		struct store_contact_extra x = {.scope = reads[k].scope, .contact_id = reads[k].id};
		if (contact_has(&reads[k], "\"channel\":\"phone\"")) {
			cb_of[n_cbs] = k;
			cbs[n_cbs++] = x;
		} else if (contact_has(&reads[k], "\"channel\":\"chat\"")) {
			chat_of[n_chats] = k;
			chats[n_chats++] = x;
		}
	}
	if (n_cbs)
		store_callbacks_of_contacts(db, cbs, n_cbs);
	if (n_chats)
		store_chats_of_contacts(db, chats, n_chats);
	for (int i = 0; i < n_cbs; i++) {
		struct store_contact_read *read = &reads[cb_of[i]];
		read->rc = cbs[i].rc < 0 || cbs[i].row == NULL ? cbs[i].rc : splice(read, "callback", callback_shown(cbs[i].row));
		json_decref(cbs[i].row);
	}
	for (int i = 0; i < n_chats; i++) { /* a chat contact made through the API has no web chat */
		struct store_contact_read *read = &reads[chat_of[i]];
		read->rc = chats[i].rc < 0 || chats[i].row == NULL ? chats[i].rc : splice(read, "chat", chat_shown(chats[i].row));
		json_decref(chats[i].row);
	}
}

/* Requests that arrived together: their contacts read together. */
void run_contact_get_batch(struct request **rs, int n, struct store *db)
{
	struct store_contact_read reads[HTTP_READ_BATCH];
	for (int k = 0; k < n; k++)
		reads[k] = (struct store_contact_read){.scope = &rs[k]->scope, .id = rs[k]->ids[0]};
	store_contact_get_texts(db, reads, n);
	splice_extras(db, reads, n);
	for (int k = 0; k < n; k++) {
		rs[k]->resp_text = reads[k].text;
		if (reads[k].rc < 0) {
			reply_store_error(rs[k], db, reads[k].rc, "contact");
			continue;
		}
		rs[k]->status = 200;
		rs[k]->content_type = "application/json";
	}
}

int run_contact_get(struct request *r, struct store *db)
{
	run_contact_get_batch(&r, 1, db);
	return GC_OK;
}

int run_contact_events(struct request *r, struct store *db)
{
	int64_t after = 0, limit = 0;
	if (query_int(r, "cursor", 1, INT64_MAX, 0, &after) < 0 ||
	    query_int(r, "limit", 1, STORE_MAX_PAGE, 100, &limit) < 0)
		return GC_EINVAL;
	json_t *page = NULL;
	int rc = store_contact_events(db, &r->scope, r->ids[0], after, (int)limit, &page);
	return rc < 0 ? reply_store_error(r, db, rc, "contact") : reply(r, 200, page);
}

int prepare_contact_create(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	if (contact_input_decode(r->body, false, &r->in.contact, &err) < 0)
		return reply_decode_error(r, &err);
	/* with no customer to check and no queue, what is left can fail only if
	 * the database does: the writer checks it at the commit (writer.c) */
	r->checked_at_commit = r->in.contact.customer_id == 0 && r->in.contact.queue_id == 0;
	return 0;
}

int run_contact_create(struct request *r, struct store *db)
{
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	int64_t id = 0;
	if (ops_contact_create(&o, &r->scope, &r->in.contact, &id, &r->resp_text, &err) < 0)
		return reply_ops_error(r, db, &err);
	r->status = 201;
	r->content_type = "application/json";
	return GC_OK;
}

int prepare_contact_update(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return contact_input_decode(r->body, true, &r->in.contact, &err) < 0
		       ? reply_decode_error(r, &err) : 0;
}

int run_contact_update(struct request *r, struct store *db)
{
	json_t *c = NULL;
	int rc = store_contact_update(db, &r->scope, r->ids[0], &r->in.contact, &c);
	if (rc == GC_ENOTFOUND)
		return reply_store_error(r, db, rc, "contact");
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_EINVAL ? "customer_id" : "expected_version")
		      : reply(r, 200, c);
}

int prepare_contact_state(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return state_input_decode(r->body, &r->in.state, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

/* A contact in a queue moves through the routing calls; an agent holding
 * one may still mark it in progress or waiting on the customer. */
static int routed_elsewhere(struct request *r, struct store *db)
{
	json_t *row = NULL;
	if (store_routing_get(db, &r->scope, r->ids[0], &row) < 0)
		return GC_OK;
	const char *state = json_string_value(json_object_get(row, "state"));
	bool held = strcmp(state, "assigned") == 0;
	int rc = GC_OK;
	if (!held || (r->in.state.state != CONTACT_IN_PROGRESS && r->in.state.state != CONTACT_WAITING_ON_CUSTOMER))
		rc = reply_error(r, 409, "conflict", "state", held
			? "the contact is held by an agent: use wrapup, escalate or transfer"
			: "the contact is %s in a queue: use accept, move or abandon", state);
	json_decref(row);
	return rc;
}

int run_contact_state(struct request *r, struct store *db)
{
	json_t *c = NULL;
	if (routed_elsewhere(r, db) < 0)
		return GC_ECONFLICT;
	int rc = disposition_allowed(r, db, r->in.state.disposition);
	if (rc < 0)
		return rc;
	rc = store_contact_set_state(db, &r->scope, r->ids[0], &r->in.state, &c);
	if (rc == GC_ENOTFOUND)
		return reply_store_error(r, db, rc, "contact");
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_EINVAL ? "disposition"
					  : rc == GC_ECONFLICT ? "expected_version" : "state")
		      : reply(r, 200, c);
}

int prepare_contact_message(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return message_input_decode(r->body, false, &r->in.message, &err) < 0
		       ? reply_decode_error(r, &err) : 0;
}

static int add_message(struct request *r, struct store *db, bool note)
{
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	json_t *m = NULL;
	if (ops_message_add(&o, &r->scope, r->ids[0], &r->in.message, note, &m, &err) < 0)
		return reply_store_error(r, db, err.rc, err.field);
	int rc = note ? GC_OK : chat_message_staged(r, db, r->ids[0], json_integer_value(json_object_get(m, "id")));
	if (rc < 0) {
		json_decref(m);
		return reply_store_error(r, db, rc, NULL);
	}
	return reply(r, 201, m);
}

int run_contact_message(struct request *r, struct store *db)
{
	return add_message(r, db, false);
}

int prepare_contact_note(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return message_input_decode(r->body, true, &r->in.message, &err) < 0
		       ? reply_decode_error(r, &err) : 0;
}

int run_contact_note(struct request *r, struct store *db)
{
	return add_message(r, db, true);
}
