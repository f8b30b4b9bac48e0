/* Unit tests of the email parser (src/channel/email/): each sample message in
 * tests/data/email/ with the fields it must give, the two GMime 3.2.13 bugs
 * worked around, the limits, the attachment callback, HTML to text, and every
 * prefix of a multipart message parsed without a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/email/html.h"
#include "channel/email/parse.h"
#include "guichet/error.h"

#include <glib.h>

static char *read_sample(const char *name, size_t *ret_len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", EMAIL_DATA_DIR, name);
	gchar *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, NULL))
		fail_msg("cannot read %s", path);
	*ret_len = len;
	return data;
}

/* Parses a sample with the default limits, checking the bytes are left as they were. */
static struct email *parse_sample(const char *name)
{
	size_t len = 0;
	char *raw = read_sample(name, &len);
	char *copy = g_memdup2(raw, len);
	struct email *e = NULL;
	assert_int_equal(email_parse(raw, len, NULL, &e), 0);
	assert_non_null(e);
	assert_memory_equal(raw, copy, len);
	g_free(copy);
	g_free(raw);
	assert_non_null(e->message_id);
	assert_non_null(e->text);
	return e;
}

static bool has_defect(const struct email *e, const char *prefix)
{
	for (size_t i = 0; i < e->n_defects; i++)
		if (strncmp(e->defects[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static void test_plain(void **state)
{
	struct email *e = parse_sample("plain.eml");
	assert_string_equal(e->message_id, "abc123@example.com");
	assert_false(e->message_id_derived);
	assert_string_equal(e->in_reply_to, "prev1@shop.example");
	assert_int_equal(e->n_references, 2);
	assert_string_equal(e->references[0], "root0@shop.example");
	assert_string_equal(e->references[1], "prev1@shop.example");
	assert_string_equal(e->from.name, "Alice Martin");
	assert_string_equal(e->from.address, "alice@example.com");
	assert_int_equal(e->n_to, 2);
	assert_string_equal(e->to[0].name, "Support");
	assert_string_equal(e->to[0].address, "support@shop.example");
	assert_null(e->to[1].name);
	assert_string_equal(e->to[1].address, "bob@example.com");
	assert_int_equal(e->n_cc, 1);
	assert_string_equal(e->cc[0].name, "Carol, Sales");
	assert_string_equal(e->subject, "Router blinks red");
	assert_string_equal(e->date, "2026-12-01T20:15:00Z"); /* +0100 to UTC */
	assert_string_equal(e->text, "Hello,\n\nmy router blinks red since this morning.\n\nAlice");
	assert_string_equal(e->return_path, "alice@example.com");
	assert_null(e->auto_submitted);
	assert_null(e->precedence);
	assert_false(e->is_bounce);
	assert_int_equal(e->n_attachments, 0);
	assert_int_equal(e->n_defects, 0);
	email_free(e);
}

static void test_html_only(void **state)
{
	struct email *e = parse_sample("alternative-html.eml");
	/* title, style and script dropped; &nbsp; &amp; &egrave; and QP decoded; blocks are lines */
	assert_string_equal(e->text, "Hello Alice,\n\nYour order #42 has shipped.\n\nCafé & crème\nLine two");
	assert_int_equal(e->n_defects, 0);
	email_free(e);
}

static int count_bytes(void *ctx, size_t index, const void *data, size_t len)
{
	size_t *seen = ctx;
	const unsigned char *b = data;
	assert_int_equal(index, 0);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(b[i], (seen[0] + i) % 256); /* the sample's bytes are 0..255, four times */
	seen[0] += len;
	return 0;
}

static void test_nested_attachment(void **state)
{
	struct email *e = parse_sample("nested-attachment.eml");
	assert_string_equal(e->text, "Please find the invoice."); /* text/plain preferred to the HTML */
	assert_int_equal(e->n_attachments, 1);
	assert_string_equal(e->attachments[0].filename, "invoice.pdf");
	assert_string_equal(e->attachments[0].content_type, "application/pdf");
	assert_int_equal(e->attachments[0].size, 1024);
	email_free(e);

	/* the same bytes streamed to the callback */
	size_t len = 0, seen = 0;
	char *raw = read_sample("nested-attachment.eml", &len);
	assert_int_equal(email_parse_stream(raw, len, NULL, count_bytes, &seen, &e), 0);
	assert_int_equal(seen, 1024);
	email_free(e);
	g_free(raw);
}

static int refuse(void *ctx, size_t index, const void *data, size_t len)
{
	return GC_ETOOBIG;
}

static void test_callback_stops(void **state)
{
	size_t len = 0;
	char *raw = read_sample("nested-attachment.eml", &len);
	struct email *e = NULL;
	assert_int_equal(email_parse_stream(raw, len, NULL, refuse, NULL, &e), GC_ETOOBIG);
	assert_null(e); /* written only on success */
	g_free(raw);
}

static void test_charsets(void **state)
{
	struct email *e = parse_sample("latin1.eml");
	assert_string_equal(e->text, "Café crème brûlée");
	assert_int_equal(e->n_defects, 0);
	email_free(e);

	e = parse_sample("cp1252.eml");
	assert_string_equal(e->text, "It\u2019s 10 \u20ac, \u201cquoted\u201d");
	assert_int_equal(e->n_defects, 0);
	email_free(e);

	/* labelled UTF-8, written in Latin-1 */
	e = parse_sample("wrong-charset.eml");
	assert_string_equal(e->text, "déjà vu");
	assert_true(has_defect(e, "text not valid in its charset utf-8"));
	email_free(e);

	e = parse_sample("unknown-charset.eml");
	assert_string_equal(e->text, "plain words é");
	assert_true(has_defect(e, "unknown charset x-no-such-charset"));
	email_free(e);
}

/* GMime 3.2.13 gives "R?" for this subject: the é is split across two base64 words */
static void test_subject_adjacent_words(void **state)
{
	struct email *e = parse_sample("subject-2047.eml");
	assert_string_equal(e->subject, "Réservation confirmée ✓");
	email_free(e);

	e = parse_sample("subject-mixed.eml");
	assert_string_equal(e->subject, "Café and crème brûlée");
	email_free(e);
}

/* GMime 3.2.13 stops at the first padding and gives "Hello" */
static void test_base64_padding_mid_stream(void **state)
{
	struct email *e = parse_sample("base64-padding.eml");
	assert_string_equal(e->text, "Hellowörld, all fine");
	email_free(e);
}

static void test_rfc2231_filename(void **state)
{
	struct email *e = parse_sample("rfc2231.eml");
	assert_string_equal(e->text, "See attached.");
	assert_int_equal(e->n_attachments, 1);
	assert_string_equal(e->attachments[0].filename, "Facture n° 42 de décembre.txt");
	assert_int_equal(e->attachments[0].size, 11);
	email_free(e);
}

static void test_no_message_id(void **state)
{
	struct email *e = parse_sample("no-message-id.eml"), *again = parse_sample("no-message-id.eml");
	assert_true(e->message_id_derived);
	assert_true(g_str_has_prefix(e->message_id, "blake2b-"));
	assert_true(g_str_has_suffix(e->message_id, "@guichet.invalid"));
	assert_int_equal(strlen(e->message_id), strlen("blake2b-@guichet.invalid") + 64);
	assert_string_equal(e->message_id, again->message_id); /* stable */
	assert_true(has_defect(e, "missing header: Message-ID"));
	assert_string_equal(e->text, "No Message-ID here.");
	email_free(again);

	struct email *other = parse_sample("no-headers.eml");
	assert_string_not_equal(e->message_id, other->message_id);
	email_free(other);
	email_free(e);
}

static void test_no_headers(void **state)
{
	struct email *e = parse_sample("no-headers.eml");
	assert_true(e->message_id_derived);
	assert_string_equal(e->text, "just some words\nwithout any header at all");
	assert_null(e->subject);
	assert_null(e->from.address);
	assert_null(e->date);
	assert_true(e->n_defects > 0);
	email_free(e);
}

static void test_broken_boundary(void **state)
{
	struct email *e = parse_sample("broken-boundary.eml");
	assert_non_null(strstr(e->text, "First part text."));
	assert_true(has_defect(e, "broken boundary"));
	assert_string_equal(e->subject, "Broken");
	email_free(e);
}

static void test_8bit_header(void **state)
{
	struct email *e = parse_sample("8bit-header.eml");
	assert_string_equal(e->subject, "Crème brûlée"); /* raw Latin-1 in the header */
	assert_string_equal(e->from.name, "René");
	assert_true(has_defect(e, "8-bit header: Subject"));
	email_free(e);
}

static void test_long_line(void **state)
{
	struct email *e = parse_sample("long-line.eml");
	assert_int_equal(strlen(e->text), 300000 + strlen("\nend"));
	assert_true(g_str_has_suffix(e->text, "x\nend"));
	email_free(e);

	/* a smaller text limit cuts it, and says so */
	size_t len = 0;
	char *raw = read_sample("long-line.eml", &len);
	struct email_limits lim = EMAIL_LIMITS_DEFAULT;
	lim.max_text = 1000;
	assert_int_equal(email_parse(raw, len, &lim, &e), 0);
	assert_int_equal(strlen(e->text), 1000);
	assert_true(has_defect(e, "text cut at 1000 bytes"));
	email_free(e);
	g_free(raw);
}

static void test_bounce(void **state)
{
	struct email *e = parse_sample("bounce.eml");
	assert_true(e->is_bounce);
	assert_string_equal(e->return_path, ""); /* the null sender <> */
	assert_string_equal(e->auto_submitted, "auto-replied");
	assert_string_equal(e->from.address, "MAILER-DAEMON@mx.example.com");
	assert_string_equal(e->text, "I'm sorry to have to inform you that your message could not be delivered.");
	assert_int_equal(e->n_attachments, 2);
	assert_string_equal(e->attachments[0].content_type, "message/delivery-status");
	assert_string_equal(e->attachments[1].content_type, "message/rfc822");
	assert_true(e->attachments[1].size > 0);
	email_free(e);
}

static void test_auto_reply(void **state)
{
	struct email *e = parse_sample("auto-reply.eml");
	assert_string_equal(e->auto_submitted, "auto-replied");
	assert_string_equal(e->precedence, "bulk");
	assert_string_equal(e->x_autoreply, "yes");
	assert_string_equal(e->x_auto_response_suppress, "All");
	assert_string_equal(e->return_path, "dave@example.com");
	assert_false(e->is_bounce);
	email_free(e);
}

static void test_limits(void **state)
{
	struct email *e = NULL;
	struct email_limits lim = EMAIL_LIMITS_DEFAULT;
	lim.max_bytes = 10;
	assert_int_equal(email_parse("From: a@b\r\n\r\nhello", 18, &lim, &e), GC_ETOOBIG);
	assert_int_equal(email_parse(NULL, 5, NULL, &e), GC_EINVAL);
	assert_null(e);
	/* nothing at all still gives an email */
	assert_int_equal(email_parse(NULL, 0, NULL, &e), 0);
	assert_true(e->message_id_derived);
	assert_string_equal(e->text, "");
	email_free(e);
	email_free(NULL);

	/* too many addresses and defects are capped, and said */
	GString *raw = g_string_new("Message-ID: <x@y>\r\nTo: ");
	for (int i = 0; i < 50; i++)
		g_string_append_printf(raw, "%su%d@example.com", i ? ", " : "", i);
	g_string_append(raw, "\r\n\r\nbody\r\n");
	lim = (struct email_limits)EMAIL_LIMITS_DEFAULT;
	lim.max_addresses = 10;
	lim.max_defects = 2;
	assert_int_equal(email_parse(raw->str, raw->len, &lim, &e), 0);
	assert_int_equal(e->n_to, 10);
	assert_int_equal(e->n_defects, 3);
	assert_string_equal(e->defects[2], "more defects left out");
	email_free(e);
	g_string_free(raw, TRUE);
}

static void test_json(void **state)
{
	struct email *e = parse_sample("plain.eml");
	json_t *obj = email_to_json(e);
	assert_non_null(obj);
	assert_string_equal(json_string_value(json_object_get(obj, "message_id")), "abc123@example.com");
	assert_string_equal(json_string_value(json_object_get(json_object_get(obj, "from"), "name")), "Alice Martin");
	assert_int_equal(json_array_size(json_object_get(obj, "to")), 2);
	assert_true(json_is_null(json_object_get(obj, "auto_submitted")));
	assert_true(json_is_array(json_object_get(obj, "defects")));
	assert_true(json_is_false(json_object_get(obj, "is_bounce")));
	json_decref(obj);
	email_free(e);
}

static void test_html_to_text(void **state)
{
	char *text = NULL;
	const char *html = "<p>a&lt;b</p><ul><li>one</li><li>two</li></ul><style>x{}</style>  tail  &#x263A;";
	assert_int_equal(email_html_to_text(html, strlen(html), &text), 0);
	/* libxml2 nests the list in the paragraph, as HTML 4 parsers do */
	assert_string_equal(text, "a<b\none\ntwo\n\ntail \u263a");
	g_free(text);
	/* nesting far deeper than any recursion could take: no crash (libxml2
	 * stops reading at its depth limit, 256); within it, the text is kept */
	for (int levels = 100; levels <= 20000; levels += 19900) {
		GString *deep = g_string_new(NULL);
		for (int i = 0; i < levels; i++)
			g_string_append(deep, "<div><span>");
		g_string_append(deep, "deep");
		assert_int_equal(email_html_to_text(deep->str, deep->len, &text), 0);
		if (levels == 100)
			assert_string_equal(text, "deep");
		g_free(text);
		g_string_free(deep, TRUE);
	}
	assert_int_equal(email_html_to_text("", 0, &text), 0);
	assert_string_equal(text, "");
	g_free(text);
	/* the history a reply quotes is marked as quoted, each line, as deep as it is */
	html = "<div>Still broken.</div><blockquote><div>On Monday, Acme wrote:</div><div>Restart it.<br>Bye"
	       "</div><blockquote>My box blinks.</blockquote></blockquote><p>Thanks</p>";
	assert_int_equal(email_html_to_text(html, strlen(html), &text), 0);
	assert_string_equal(text, "Still broken.\n\n> On Monday, Acme wrote:\n> Restart it.\n> Bye\n\n>> My box blinks."
				  "\n\nThanks");
	g_free(text);
}

/* Every sample parsed from a read-only mapping: the parser borrows the
 * bytes without copying them and never writes to them (a write would fault). */
static void test_read_only_bytes(void **state)
{
	GDir *dir = g_dir_open(EMAIL_DATA_DIR, 0, NULL);
	assert_non_null(dir);
	const char *name;
	int n = 0;
	while ((name = g_dir_read_name(dir)) != NULL) {
		char *path = g_build_filename(EMAIL_DATA_DIR, name, NULL);
		GMappedFile *map = g_mapped_file_new(path, FALSE, NULL);
		assert_non_null(map);
		struct email *e = NULL;
		assert_int_equal(email_parse(g_mapped_file_get_contents(map), g_mapped_file_get_length(map), NULL, &e), 0);
		email_free(e);
		g_mapped_file_unref(map);
		g_free(path);
		n++;
	}
	g_dir_close(dir);
	assert_true(n >= 18);
}

/* Every prefix of a multipart message (a message cut anywhere) gives an email. */
static void test_every_prefix(void **state)
{
	size_t len = 0;
	char *raw = read_sample("nested-attachment.eml", &len);
	for (size_t n = 0; n <= len; n++) {
		char *cut = g_memdup2(raw, n); /* exactly n bytes, so ASan sees any read past them */
		struct email *e = NULL;
		assert_int_equal(email_parse(cut, n, NULL, &e), 0);
		assert_non_null(e->text);
		email_free(e);
		g_free(cut);
	}
	g_free(raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_nested_attachment),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_subject_adjacent_words),
		cmocka_unit_test(test_base64_padding_mid_stream),
		cmocka_unit_test(test_rfc2231_filename),
		cmocka_unit_test(test_no_message_id),
		cmocka_unit_test(test_no_headers),
		cmocka_unit_test(test_broken_boundary),
		cmocka_unit_test(test_8bit_header),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_bounce),
		cmocka_unit_test(test_auto_reply),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_read_only_bytes),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
