/* A parsed email as JSON (email_to_json in parse.h): the one form that
 * `guichet email parse --json` prints and the tests read. Absent values are
 * null, lists are always arrays. */
#include "channel/email/parse.h"

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *address_json(const struct email_address *a)
{
	return json_pack("{s:o, s:o}", "name", string_or_null(a->name), "address", string_or_null(a->address));
}

static json_t *addresses_json(const struct email_address *a, size_t n)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, address_json(&a[i]));
	return list;
}

static json_t *strings_json(char *const *s, size_t n)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++)
		json_array_append_new(list, json_string(s[i]));
	return list;
}

static json_t *attachments_json(const struct email *e)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < e->n_attachments; i++) {
		const struct email_attachment *a = &e->attachments[i];
		json_array_append_new(list, json_pack("{s:o, s:o, s:I}", "filename", string_or_null(a->filename),
						      "content_type", string_or_null(a->content_type), "size",
						      (json_int_t)a->size));
	}
	return list;
}

json_t *email_to_json(const struct email *e)
{
	json_t *from = e->from.name || e->from.address ? address_json(&e->from) : json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
			 "message_id", string_or_null(e->message_id),
			 "in_reply_to", string_or_null(e->in_reply_to),
			 "references", strings_json(e->references, e->n_references),
			 "from", from,
			 "to", addresses_json(e->to, e->n_to),
			 "cc", addresses_json(e->cc, e->n_cc),
			 "subject", string_or_null(e->subject),
			 "date", string_or_null(e->date),
			 "text", string_or_null(e->text),
			 "attachments", attachments_json(e),
			 "auto_submitted", string_or_null(e->auto_submitted),
			 "precedence", string_or_null(e->precedence),
			 "x_autoreply", string_or_null(e->x_autoreply),
			 "x_auto_response_suppress", string_or_null(e->x_auto_response_suppress),
			 "return_path", string_or_null(e->return_path),
			 "defects", strings_json(e->defects, e->n_defects),
			 "is_bounce", e->is_bounce,
			 "message_id_derived", json_boolean(e->message_id_derived));
}
