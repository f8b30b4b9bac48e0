/* Writing one email with GMime (compose.h). */
#include "channel/email/compose.h"
#include "channel/email/parse.h"
#include "guichet/error.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

/* One attachment as a MIME part, base64. */
static GMimeObject *attachment_part(const struct email_out_file *a)
{
	const char *type = a->content_type ? a->content_type : "application/octet-stream";
	const char *slash = strchr(type, '/');
	char *major = slash ? g_strndup(type, (gsize)(slash - type)) : g_strdup("application");
	GMimePart *part = g_mime_part_new_with_type(major, slash ? slash + 1 : "octet-stream");
	g_free(major);
	g_mime_part_set_filename(part, a->filename ? a->filename : "attachment");
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(a->data, a->len);
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(mem, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_object_unref(mem);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	return GMIME_OBJECT(part);
}

int email_compose(const struct email_out *o, char **ret, size_t *ret_len)
{
	email_init();
	GMimeMessage *msg = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, o->from_name, o->from_address);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, o->to_address);
	g_mime_message_set_subject(msg, o->subject ? o->subject : "", "utf-8");
	g_mime_message_set_message_id(msg, o->message_id);
	GDateTime *date = g_date_time_new_from_unix_utc(o->date_ms / 1000);
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	GMimeObject *top = GMIME_OBJECT(msg);
	if (o->in_reply_to) {
		char *v = g_strdup_printf("<%s>", o->in_reply_to);
		g_mime_object_set_header(top, "In-Reply-To", v, NULL);
		g_free(v);
	}
	if (o->n_references) {
		GString *refs = g_string_new(NULL);
		for (size_t i = 0; i < o->n_references; i++)
			g_string_append_printf(refs, "%s<%s>", i ? " " : "", o->references[i]);
		g_mime_object_set_header(top, "References", refs->str, NULL);
		g_string_free(refs, TRUE);
	}
	/* RFC 3834: an answer to a message (an acknowledgement) is auto-replied;
	 * what no message asked for (notices, digests, exports) auto-generated */
	if (o->automatic)
		g_mime_object_set_header(top, "Auto-Submitted", o->in_reply_to ? "auto-replied" : "auto-generated", NULL);
	/* the body's UTF-8 as it is: g_mime_text_part_set_text would recode
	 * text that fits in Latin-1, which the charset must then say */
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	const char *body = o->body ? o->body : "";
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(body, strlen(body));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_object_unref(stream);
	g_mime_part_set_content(GMIME_PART(part), content);
	g_object_unref(content);
	g_mime_text_part_set_charset(part, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(part),
					 g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
	if (o->n_attachments) {
		GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, GMIME_OBJECT(part));
		for (size_t i = 0; i < o->n_attachments; i++) {
			GMimeObject *a = attachment_part(&o->attachments[i]);
			g_mime_multipart_add(mixed, a);
			g_object_unref(a);
		}
		g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
		g_object_unref(mixed);
	} else {
		g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	}
	g_object_unref(part);
	GMimeFormatOptions *format = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
	char *text = g_mime_object_to_string(top, format);
	g_mime_format_options_free(format);
	g_object_unref(msg);
	if (text == NULL)
		return GC_ENOMEM;
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	if (copy)
		memcpy(copy, text, len + 1);
	g_free(text);
	if (copy == NULL)
		return GC_ENOMEM;
	*ret = copy;
	*ret_len = len;
	return GC_OK;
}
