/* Emails' attachments over HTTP: a contact's list, one attachment's bytes,
 * and the tenant's limits on what the email channel keeps
 * (src/channel/email/attachment.h). Who may read an attachment is who may
 * read its contact: the contact's tenant, with contacts:read; another
 * tenant's id answers 404. The bytes come from the store a chunk at a time
 * into the answer's buffer, which the connection sends without another
 * copy (conn_reply_buffer). They are served as a download, never shown:
 * Content-Disposition: attachment with the name in RFC 6266 / RFC 8187
 * form, nosniff, and a sandboxing Content-Security-Policy; a type a
 * browser would run or style a page with (a script, a style sheet, HTML,
 * SVG, XML) as application/octet-stream, so that a customer's file can never
 * be loaded by a page of guichet's address as code. */
#include "daemon/handlers.h"
#include "guichet/error.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>

#define MAX_NAME 200 /* bytes of the filename put in the header */

int run_contact_attachments(struct request *r, struct store *db)
{
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	json_t *list = NULL;
	if (rc == GC_OK)
		rc = store_attachment_list(db, &r->scope, r->ids[0], &list);
	return rc < 0 ? reply_store_error(r, db, rc, "contact") : reply(r, 200, json_pack("{s:o}", "items", list));
}

/* A media type safe to send as it is: "type/subtype" of token characters. */
static bool plain_media_type(const char *t)
{
	static const char token[] = "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-";
	size_t type = t ? strspn(t, token) : 0;
	return type > 0 && t[type] == '/' && strspn(t + type + 1, token) > 0 &&
	       t[type + 1 + strspn(t + type + 1, token)] == '\0' && strlen(t) < 128;
}

/* A type a page could load as code or render as a document: JavaScript's
 * (WHATWG's list: text/javascript, application/ecmascript, text/jscript...),
 * CSS, HTML, XHTML, SVG and XML. */
static bool active_media_type(const char *t)
{
	static const char *const words[] = {"script", "css", "html", "svg", "xml"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(t, words[i]))
			return true;
	return false;
}

/* attr-char of RFC 8187: what a filename* value may carry unencoded. */
static bool attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c);
}

/* Content-Disposition: attachment; filename="ASCII"; filename*=UTF-8''PERCENT.
 * The ASCII form replaces what is not plain printable ASCII, quotes,
 * backslashes and slashes with '_'; both are cut at MAX_NAME bytes of the
 * name (at a character's start). */
static void disposition(const char *name, char *ret, size_t len)
{
	if (name == NULL || *name == '\0')
		name = "attachment";
	size_t n = strlen(name);
	if (n > MAX_NAME) {
		n = MAX_NAME;
		while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
			n--;
	}
	char ascii[MAX_NAME + 1], encoded[3 * MAX_NAME + 1];
	size_t a = 0, e = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if ((c & 0xC0) != 0x80) /* one '_' per character that is not kept */
			ascii[a++] = c >= 0x20 && c < 0x7F && !strchr("\"\\/%;", c) ? (char)c : '_';
		if (attr_char(c)) {
			encoded[e++] = (char)c;
		} else {
			snprintf(encoded + e, 4, "%%%02X", c);
			e += 3;
		}
	}
	ascii[a] = '\0';
	encoded[e] = '\0';
	snprintf(ret, len, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded);
}

static int add_chunk(void *arg, const void *data, size_t len)
{
	return evbuffer_add(arg, data, len) == 0 ? GC_OK : GC_ENOMEM;
}

int run_attachment_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_attachment_get(db, &r->scope, r->ids[0], &row);
	if (rc < 0)
		return reply_store_error(r, db, rc, "attachment");
	return attachment_reply(r, db, row);
}

int attachment_reply(struct request *r, struct store *db, json_t *row)
{
	int rc = GC_OK;
	int64_t id = json_integer_value(json_object_get(row, "id"));
	struct evbuffer *body = evbuffer_new();
	if (body == NULL || (rc = store_attachment_read(db, &r->scope, id, add_chunk, body)) < 0) {
		if (body)
			evbuffer_free(body);
		json_decref(row);
		return reply_store_error(r, db, rc < 0 ? rc : GC_ENOMEM, "attachment");
	}
	const char *type = json_string_value(json_object_get(row, "content_type"));
	char header[1024];
	disposition(json_string_value(json_object_get(row, "filename")), header, sizeof(header));
	reply_header(r, "Content-Disposition", header);
	reply_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
	r->content_type = plain_media_type(type) && !active_media_type(type) ? type : "application/octet-stream";
	/* row holds the type's text until the answer has left (r->work is freed after it) */
	json_decref(r->work);
	r->work = row;
	r->status = 200;
	r->resp_body = body;
	return GC_OK;
}

static json_t *limits_json(const struct store_attachment_limits *l)
{
	return json_pack("{s:I,s:I}", "max_attachment", (json_int_t)l->max_attachment, "max_message",
			 (json_int_t)l->max_message);
}

int run_attachment_limits_get(struct request *r, struct store *db)
{
	struct store_attachment_limits l;
	int rc = store_attachment_limits_get(db, &r->scope, &l);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, limits_json(&l));
}

/* PUT {"max_attachment": BYTES, "max_message": BYTES}: either may be left
 * out (it keeps its value). */
int run_attachment_limits_put(struct request *r, struct store *db)
{
	struct store_attachment_limits l;
	int rc = store_attachment_limits_get(db, &r->scope, &l);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	static const char *const fields[] = {"max_attachment", "max_message"};
	int64_t *values[] = {&l.max_attachment, &l.max_message};
	size_t known = 0;
	for (size_t i = 0; i < 2; i++) {
		const json_t *v = json_object_get(r->body, fields[i]);
		if (v == NULL)
			continue;
		known++;
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > STORE_ATTACHMENT_LIMIT_MAX)
			return reply_error(r, 400, "invalid", fields[i], "'%s' is a number of bytes from 0 to %lld",
					   fields[i], (long long)STORE_ATTACHMENT_LIMIT_MAX);
		*values[i] = json_integer_value(v);
	}
	if (known != json_object_size(r->body) || known == 0)
		return reply_error(r, 400, "invalid", NULL, "give 'max_attachment' and/or 'max_message', in bytes");
	rc = store_attachment_limits_set(db, &r->scope, &l);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, limits_json(&l));
}
