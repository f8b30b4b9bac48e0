/* Attachments in web chats, both ways (docs/chat.md, "Attachments"): the
 * visitor's upload (POST /chat/v1/{key}/chats/{id}/attachments) and the
 * agent's (POST /api/v1/contacts/{id}/chat/attachments), and the visitor's
 * download; staff download with GET /api/v1/attachments/{id} like emails'.
 *
 * The file is the request's body, raw, kept by the connection in its
 * chains as it arrived and never made contiguous: the worker (prepare)
 * checks it against the channel's limits (size, the type its first bytes
 * say, chat_file.h) and hashes it chain by chain; the writer (run) checks
 * the count per chat, adds a message (its body the file's name) and the
 * attachment, and copies the bytes into the store a chunk at a time, in the
 * same transaction: an attachment is there whole, or not at all. The
 * message then reaches both sides' streams with its "attachment". */
#include "daemon/handlers.h"
#include "daemon/chat_file.h"
#include "guichet/error.h"

#include <event2/buffer.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Checks the body against limits (the channel's "attachments"), answering
 * 400, 403, 413 or 415 when it cannot be taken; r->work gets "file":
 * {"name","type","size","sha256","per_chat"}. */
static bool file_ok(struct request *r, const json_t *limits)
{
	struct chat_file_limits l;
	const char *field;
	if (chat_file_limits_parse(limits, &l, &field) < 0)
		chat_file_limits_parse(NULL, &l, &field);
	struct evbuffer *b = conn_body_buffer(r->conn);
	size_t size = b ? evbuffer_get_length(b) : 0;
	if (l.max_bytes == 0)
		return reply_error(r, 403, "attachments_off", "file", "this chat takes no attachments"), false;
	if (size == 0)
		return reply_error(r, 400, "invalid", "file", "send the file's bytes as the request's body"), false;
	if ((int64_t)size > l.max_bytes)
		return reply_error(r, 413, "too_large", "file", "the file is larger than this chat's %lld bytes",
				   (long long)l.max_bytes), false;
	unsigned char head[CHAT_FILE_HEAD];
	ev_ssize_t got = evbuffer_copyout(b, head, sizeof(head));
	const char *type = got > 0 ? chat_file_sniff(head, (size_t)got, (int64_t)size) : NULL;
	int k = chat_file_type_index(type);
	if (k < 0 || !(l.types & (1u << k)))
		return reply_error(r, 415, "unsupported_media_type", "file", "this chat takes only files of the types"
				   " its channel lists (told by their content, not their name)"), false;
	crypto_hash_sha256_state sha;
	crypto_hash_sha256_init(&sha);
	int n = evbuffer_peek(b, -1, NULL, NULL, 0);
	struct evbuffer_iovec *v = n > 0 ? calloc((size_t)n, sizeof(*v)) : NULL;
	if (v == NULL)
		return reply_error(r, 500, "internal", NULL, "out of memory"), false;
	evbuffer_peek(b, -1, NULL, v, n);
	for (int i = 0; i < n; i++)
		crypto_hash_sha256_update(&sha, v[i].iov_base, v[i].iov_len);
	free(v);
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1], name[CHAT_FILE_NAME_MAX + 1];
	crypto_hash_sha256_final(&sha, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	chat_file_name(query_get(r, "name"), name);
	json_object_set_new(r->work, "file", json_pack("{s:s,s:s,s:I,s:s,s:i}", "name", name, "type", type, "size",
						       (json_int_t)size, "sha256", hex, "per_chat", l.per_chat));
	return true;
}

/* The body into the attachment id, a chunk at a time (the body stays as it
 * is: nothing is drained). */
static int copy_chunks(struct request *r, struct store *db, int64_t id)
{
	struct evbuffer *b = conn_body_buffer(r->conn);
	char *chunk = malloc(STORE_ATTACHMENT_CHUNK);
	if (chunk == NULL)
		return GC_ENOMEM;
	struct evbuffer_ptr at;
	int rc = evbuffer_ptr_set(b, &at, 0, EVBUFFER_PTR_SET) == 0 ? GC_OK : GC_EINVAL;
	for (int64_t seq = 0; rc == GC_OK; seq++) {
		ev_ssize_t n = evbuffer_copyout_from(b, &at, chunk, STORE_ATTACHMENT_CHUNK);
		if (n <= 0)
			break;
		rc = store_attachment_chunk(db, &r->scope, id, seq, chunk, (size_t)n);
		if (rc == GC_OK && evbuffer_ptr_set(b, &at, (size_t)n, EVBUFFER_PTR_ADD) < 0)
			break; /* past the end: that was the last chunk */
	}
	free(chunk);
	return rc;
}

/* The checked file (file_ok) as a message of the chat r->ids[0], visitor's
 * (inbound) or agent's (outbound), with its attachment: 201 the message as
 * the chat shows it; 409 past the chat's count. */
static int add_file(struct request *r, struct store *db, bool outbound)
{
	const json_t *f = json_object_get(r->work, "file");
	int64_t n = 0;
	int rc = store_attachment_count(db, &r->scope, r->ids[0], &n);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (n >= json_integer_value(json_object_get(f, "per_chat")))
		return reply_error(r, 409, "too_many_attachments", "file", "this chat has its %lld attachments already",
				   (long long)json_integer_value(json_object_get(f, "per_chat")));
	struct message_input in = {.outbound = outbound, .body = json_string_value(json_object_get(f, "name"))};
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	json_t *added = NULL, *msg = NULL;
	if (ops_message_add(&o, &r->scope, r->ids[0], &in, false, &added, &err) < 0)
		return reply_ops_error(r, db, &err);
	int64_t message_id = json_integer_value(json_object_get(added, "id")), id = 0;
	json_decref(added);
	struct store_attachment a = {.contact_id = r->ids[0], .message_id = message_id, .filename = in.body,
				     .content_type = json_string_value(json_object_get(f, "type")),
				     .size = json_integer_value(json_object_get(f, "size")),
				     .sha256 = json_string_value(json_object_get(f, "sha256"))};
	if ((rc = store_attachment_add(db, &r->scope, &a, &id)) < 0 || (rc = copy_chunks(r, db, id)) < 0 ||
	    (rc = store_chat_message_get(db, r->scope.tenant_id, message_id, &msg)) < 0 ||
	    (rc = chat_stage(r, r->ids[0], CHAT_TO_BOTH, "message", message_id, json_incref(msg))) < 0) {
		json_decref(msg);
		return reply_store_error(r, db, rc, "file");
	}
	return reply(r, 201, msg);
}

int prepare_chat_attachment(struct request *r, struct store *db)
{
	if (prepare_chat_visitor(r, db) != 0 || !chat_message_allowed(r))
		return 1;
	return file_ok(r, json_object_get(json_object_get(r->work, "channel"), "attachments")) ? 0 : 1;
}

int run_chat_attachment(struct request *r, struct store *db)
{
	json_t *chat = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	if (rc < 0)
		return rc;
	bool ended = strcmp(chat_state(r, db, chat), "ended") == 0;
	json_decref(chat);
	if (ended)
		return reply_error(r, 409, "ended", NULL, "this chat has ended");
	return add_file(r, db, false);
}

int run_chat_attachment_get(struct request *r, struct store *db)
{
	json_t *chat = NULL, *row = NULL;
	int rc = chat_visitor_chat(r, db, &chat);
	json_decref(chat);
	if (rc < 0)
		return rc;
	rc = store_attachment_get(db, &r->scope, r->ids[1], &row);
	if (rc < 0 && rc != GC_ENOTFOUND)
		return reply_store_error(r, db, rc, NULL);
	if (rc == GC_ENOTFOUND || json_integer_value(json_object_get(row, "contact_id")) != r->ids[0]) {
		json_decref(row);
		return reply_error(r, 404, "not_found", NULL, "no such attachment in this chat");
	}
	return attachment_reply(r, db, row);
}

/* The staff's upload: the limits of the chat's channel (404 when the
 * contact is not the tenant's, 422 when it is no web chat); who may add to
 * it is run's check. */
int prepare_chat_agent_attachment(struct request *r, struct store *db)
{
	json_t *chat = NULL, *channel = NULL;
	int rc = store_chat_get(db, r->scope.tenant_id, r->ids[0], &chat);
	if (rc == GC_OK)
		rc = store_chat_channel_get(db, &r->scope, json_integer_value(json_object_get(chat, "channel_id")), &channel);
	json_decref(chat);
	if (rc == GC_ENOTFOUND && store_contact_exists(db, &r->scope, r->ids[0]) == GC_OK)
		return reply_error(r, 422, "not_a_chat", "contact", "contact %lld is no web chat: send files by its"
				   " own channel", (long long)r->ids[0]), 1;
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 404, "not_found", NULL, "no such chat in this tenant"), 1;
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL), 1;
	json_decref(r->work);
	r->work = json_object();
	bool ok = file_ok(r, json_object_get(channel, "attachments"));
	json_decref(channel);
	return ok ? 0 : 1;
}

int run_chat_agent_attachment(struct request *r, struct store *db)
{
	int rc = chat_agent_check(r, db);
	return rc < 0 ? rc : add_file(r, db, true);
}
