/* Emails' attachments from the parser to the store, on the run's engine:
 * src/store/attachment.c (chunks written and read back one at a time, the
 * tenant's scope, a missing chunk noticed, the limits) and
 * src/channel/email/attachment.c (the spool between email_parse_stream and
 * the store: the same bytes and SHA-256 back, an RFC 2231 UTF-8 name, a
 * forwarded message streamed too, and what is over the tenant's limits
 * dropped with a note on the contact while the email is still taken). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/email/attachment.h"
#include "channel/email/ingest.h"
#include "channel/email/parse.h"
#include "guichet/error.h"
#include "store/store.h"
#include "../daemon/opsfixture.h"

static int64_t new_contact(struct ops_fixture *f, const struct store_scope *sc)
{
	struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = "Files", .message = "See attached"};
	int64_t id = 0;
	assert_int_equal(store_contact_create(f->s, sc, &in, &id), GC_OK);
	return id;
}

struct collected {
	unsigned char *data;
	size_t len, calls;
};

static int collect(void *arg, const void *data, size_t len)
{
	struct collected *c = arg;
	assert_true(len <= STORE_ATTACHMENT_CHUNK);
	c->data = realloc(c->data, c->len + len + 1);
	memcpy(c->data + c->len, data, len);
	c->len += len;
	c->calls++;
	return 0;
}

static void sha256_hex(const void *data, size_t len, char ret[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(ret, 65, h, sizeof(h));
}

/* The store alone: chunks in, the same bytes out, only in the tenant. */
static void chunks_are_written_and_read_one_at_a_time(void **state)
{
	struct ops_fixture *f = *state;
	int64_t contact = new_contact(f, &f->a);
	size_t len = 2 * STORE_ATTACHMENT_CHUNK + 1000;
	unsigned char *bytes = malloc(len);
	randombytes_buf(bytes, len);
	char hex[65];
	sha256_hex(bytes, len, hex);
	struct store_attachment row = {.contact_id = contact, .filename = "a.bin", .content_type = "application/octet-stream",
				       .size = (int64_t)len, .sha256 = hex};
	int64_t id = 0;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_attachment_add(f->s, &f->a, &row, &id), GC_OK);
	for (int64_t seq = 0, at = 0; at < (int64_t)len; seq++, at += STORE_ATTACHMENT_CHUNK) {
		size_t n = len - (size_t)at < STORE_ATTACHMENT_CHUNK ? len - (size_t)at : STORE_ATTACHMENT_CHUNK;
		assert_int_equal(store_attachment_chunk(f->s, &f->a, id, seq, bytes + at, n), GC_OK);
	}
	/* a chunk over the size is refused */
	assert_int_equal(store_attachment_chunk(f->s, &f->a, id, 9, bytes, STORE_ATTACHMENT_CHUNK + 1), GC_EINVAL);
	assert_int_equal(store_commit(f->s), GC_OK);
	struct collected got = {0};
	assert_int_equal(store_attachment_read(f->s, &f->a, id, collect, &got), GC_OK);
	assert_int_equal(got.len, len);
	assert_int_equal(got.calls, 3);
	assert_memory_equal(got.data, bytes, len);
	free(got.data);
	json_t *list = NULL;
	assert_int_equal(store_attachment_list(f->s, &f->a, contact, &list), GC_OK);
	assert_int_equal(json_array_size(list), 1);
	json_t *one = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(one, "sha256")), hex);
	assert_int_equal(json_integer_value(json_object_get(one, "size")), len);
	json_decref(list);
	/* tenant B sees nothing of it */
	json_t *row_b = NULL;
	assert_int_equal(store_attachment_get(f->s, &f->b, id, &row_b), GC_ENOTFOUND);
	struct collected none = {0};
	assert_int_equal(store_attachment_read(f->s, &f->b, id, collect, &none), GC_ENOTFOUND);
	assert_int_equal(none.calls, 0);
	assert_int_equal(store_attachment_list(f->s, &f->b, contact, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	/* a chunk missing is an error, not a short file */
	int64_t broken = 0;
	row.size = 10;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_attachment_add(f->s, &f->a, &row, &broken), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	got = (struct collected){0};
	assert_int_equal(store_attachment_read(f->s, &f->a, broken, collect, &got), GC_ESTORE);
	free(got.data);
	free(bytes);
}

static void limits_have_defaults_and_bounds(void **state)
{
	struct ops_fixture *f = *state;
	struct store_attachment_limits l, want = STORE_ATTACHMENT_LIMITS_DEFAULT;
	assert_int_equal(store_attachment_limits_get(f->s, &f->a, &l), GC_OK);
	assert_int_equal(l.max_attachment, want.max_attachment);
	assert_int_equal(l.max_message, want.max_message);
	struct store_attachment_limits set = {1000, 5000}, bad = {-1, 5000}, huge = {1000, STORE_ATTACHMENT_LIMIT_MAX + 1};
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_attachment_limits_set(f->s, &f->a, &set), GC_OK);
	assert_int_equal(store_attachment_limits_set(f->s, &f->a, &bad), GC_EINVAL);
	assert_non_null(strstr(store_errmsg(f->s), "max_attachment"));
	assert_int_equal(store_attachment_limits_set(f->s, &f->a, &huge), GC_EINVAL);
	assert_non_null(strstr(store_errmsg(f->s), "max_message"));
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(store_attachment_limits_get(f->s, &f->a, &l), GC_OK);
	assert_int_equal(l.max_attachment, 1000);
	assert_int_equal(l.max_message, 5000);
	/* B keeps the defaults */
	assert_int_equal(store_attachment_limits_get(f->s, &f->b, &l), GC_OK);
	assert_int_equal(l.max_attachment, want.max_attachment);
}

/* A mail with a binary attachment of bin_len random bytes (into *ret_bin),
 * a PDF named in RFC 2231 UTF-8 "résumé €.pdf" and a forwarded message. */
static char *mail_with_files(const char *id, size_t bin_len, unsigned char **ret_bin)
{
	unsigned char *bin = malloc(bin_len);
	randombytes_buf(bin, bin_len);
	size_t b64_len = sodium_base64_encoded_len(bin_len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64_len);
	sodium_bin2base64(b64, b64_len, bin, bin_len, sodium_base64_VARIANT_ORIGINAL);
	/* base64 in lines of 76 */
	size_t n = strlen(b64);
	char *lines = malloc(n + n / 76 * 2 + 3), *o = lines;
	for (size_t i = 0; i < n; i += 76) {
		size_t k = n - i < 76 ? n - i : 76;
		memcpy(o, b64 + i, k);
		o += k;
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	char *m = NULL;
	assert_true(asprintf(&m,
		"From: Ann <ann@customer.example>\r\nTo: support@brand.example\r\nSubject: Files %s\r\n"
		"Message-ID: <%s@customer.example>\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere are the files.\r\n"
		"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
		"Content-Disposition: attachment; filename=\"data.bin\"\r\n\r\n%s"
		"--XX\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
		"Content-Disposition: attachment; filename*=UTF-8''r%%C3%%A9sum%%C3%%A9%%20%%E2%%82%%AC.pdf\r\n\r\n"
		"JVBERi0xLjQKJcfsj6IK\r\n"
		"--XX\r\nContent-Type: message/rfc822\r\n\r\n"
		"From: bob@example.org\r\nSubject: forwarded\r\n\r\nThe original.\r\n"
		"--XX--\r\n", id, id, lines) > 0);
	free(lines);
	free(b64);
	*ret_bin = bin;
	return m;
}

/* Parses raw into a spool under lim, takes it into the scope's tenant, and
 * its attachments with it, in one transaction; the contact. */
static int64_t take_with_attachments(struct ops_fixture *f, const struct store_scope *sc, const char *raw,
				     const struct store_attachment_limits *lim)
{
	struct email_spool *sp = NULL;
	struct email *e = NULL;
	assert_int_equal(email_spool_new(lim, &sp), GC_OK);
	assert_int_equal(email_parse_stream(raw, strlen(raw), NULL, email_spool_write, sp, &e), GC_OK);
	struct email_in in = {.message_id = e->message_id, .from_address = e->from.address, .subject = e->subject,
			      .text = e->text};
	struct email_source src = {.uid = 1};
	int64_t contact = 0;
	enum ingest_outcome out;
	struct ops_error err;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(email_ingest(&f->o, sc, &src, &in, &contact, &out, &err), GC_OK);
	assert_int_equal(out, INGEST_NEW_CONTACT);
	int rc = email_attachments_take(&f->o, sc, contact, e, sp, &err);
	if (rc < 0)
		fprintf(stderr, "take: %s\n", err.message);
	assert_int_equal(rc, GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	email_spool_free(sp);
	email_free(e);
	return contact;
}

static json_t *find(json_t *list, const char *filename)
{
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		const char *name = json_string_value(json_object_get(a, "filename"));
		if ((name == NULL && filename == NULL) || (name && filename && strcmp(name, filename) == 0))
			return a;
	}
	return NULL;
}

static void attachments_come_back_identical(void **state)
{
	struct ops_fixture *f = *state;
	unsigned char *bin = NULL;
	size_t bin_len = 600 * 1000; /* three chunks */
	char *raw = mail_with_files("one", bin_len, &bin);
	struct store_attachment_limits lim = STORE_ATTACHMENT_LIMITS_DEFAULT;
	int64_t contact = take_with_attachments(f, &f->a, raw, &lim);
	json_t *list = NULL;
	assert_int_equal(store_attachment_list(f->s, &f->a, contact, &list), GC_OK);
	assert_int_equal(json_array_size(list), 3);
	json_t *data = find(list, "data.bin"), *pdf = find(list, "résumé €.pdf"), *fwd = find(list, NULL);
	assert_non_null(data);
	assert_non_null(pdf);
	assert_non_null(fwd);
	assert_string_equal(json_string_value(json_object_get(pdf, "content_type")), "application/pdf");
	assert_string_equal(json_string_value(json_object_get(fwd, "content_type")), "message/rfc822");
	assert_true(json_integer_value(json_object_get(data, "message_id")) > 0);
	char hex[65];
	sha256_hex(bin, bin_len, hex);
	assert_string_equal(json_string_value(json_object_get(data, "sha256")), hex);
	struct collected got = {0};
	assert_int_equal(store_attachment_read(f->s, &f->a, json_integer_value(json_object_get(data, "id")), collect, &got),
			 GC_OK);
	assert_int_equal(got.len, bin_len);
	assert_memory_equal(got.data, bin, bin_len);
	free(got.data);
	/* the PDF's bytes, and the forwarded message as it was written */
	got = (struct collected){0};
	assert_int_equal(store_attachment_read(f->s, &f->a, json_integer_value(json_object_get(pdf, "id")), collect, &got),
			 GC_OK);
	assert_int_equal(got.len, 15);
	assert_memory_equal(got.data, "%PDF-1.4\n%\xc7\xec\x8f\xa2\n", 15);
	free(got.data);
	got = (struct collected){0};
	assert_int_equal(store_attachment_read(f->s, &f->a, json_integer_value(json_object_get(fwd, "id")), collect, &got),
			 GC_OK);
	got.data[got.len] = '\0';
	assert_non_null(strstr((char *)got.data, "The original."));
	assert_int_equal(json_integer_value(json_object_get(fwd, "size")), got.len);
	free(got.data);
	/* no note: nothing was dropped */
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, contact, &c), GC_OK);
	assert_int_equal(json_array_size(json_object_get(c, "messages")), 1);
	json_decref(c);
	json_decref(list);
	free(raw);
	free(bin);
}

/* The body of the contact's last message or note. */
static char *last_text(struct ops_fixture *f, int64_t contact)
{
	json_t *c = NULL;
	assert_int_equal(store_contact_get(f->s, &f->a, contact, &c), GC_OK);
	json_t *msgs = json_object_get(c, "messages");
	char *text = strdup(json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1), "body")));
	json_decref(c);
	return text;
}

static void what_is_over_the_limits_is_dropped_with_a_note(void **state)
{
	struct ops_fixture *f = *state;
	unsigned char *bin = NULL;
	char *raw = mail_with_files("per", 300 * 1000, &bin);
	/* per attachment: the binary goes, the PDF and the forwarded message stay */
	struct store_attachment_limits per = {100 * 1000, 50LL << 20};
	int64_t contact = take_with_attachments(f, &f->a, raw, &per);
	json_t *list = NULL;
	assert_int_equal(store_attachment_list(f->s, &f->a, contact, &list), GC_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_null(find(list, "data.bin"));
	json_decref(list);
	char *note = last_text(f, contact);
	assert_non_null(strstr(note, "data.bin"));
	assert_non_null(strstr(note, "per attachment"));
	assert_non_null(strstr(note, "293 KB")); /* its real size, counted though not kept */
	free(note);
	/* per message: the binary fits alone, what comes after it does not */
	struct store_attachment_limits whole = {50LL << 20, 300 * 1000 + 5};
	free(raw);
	free(bin);
	raw = mail_with_files("whole", 300 * 1000, &bin);
	int64_t second = take_with_attachments(f, &f->a, raw, &whole);
	assert_int_equal(store_attachment_list(f->s, &f->a, second, &list), GC_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_non_null(find(list, "data.bin"));
	json_decref(list);
	note = last_text(f, second);
	assert_non_null(strstr(note, "résumé €.pdf"));
	assert_non_null(strstr(note, "one message"));
	free(note);
	/* nothing kept at all: 0 */
	struct store_attachment_limits nothing = {0, 0};
	free(raw);
	free(bin);
	raw = mail_with_files("none", 1000, &bin);
	int64_t third = take_with_attachments(f, &f->a, raw, &nothing);
	assert_int_equal(store_attachment_list(f->s, &f->a, third, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	note = last_text(f, third);
	assert_non_null(strstr(note, "data.bin"));
	assert_non_null(strstr(note, "résumé €.pdf"));
	free(note);
	free(raw);
	free(bin);
}

/* The mail thread could not spool (a full disk): the email is taken, each attachment noted. */
static void without_a_spool_each_attachment_is_noted(void **state)
{
	struct ops_fixture *f = *state;
	unsigned char *bin = NULL;
	char *raw = mail_with_files("nospool", 1000, &bin);
	struct email *e = NULL;
	assert_int_equal(email_parse(raw, strlen(raw), NULL, &e), GC_OK);
	struct email_in in = {.message_id = e->message_id, .from_address = e->from.address, .subject = e->subject,
			      .text = e->text};
	struct email_source src = {.uid = 1};
	int64_t contact = 0;
	enum ingest_outcome out;
	struct ops_error err;
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(email_ingest(&f->o, &f->a, &src, &in, &contact, &out, &err), GC_OK);
	assert_int_equal(email_attachments_take(&f->o, &f->a, contact, e, NULL, &err), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	json_t *list = NULL;
	assert_int_equal(store_attachment_list(f->s, &f->a, contact, &list), GC_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	char *note = last_text(f, contact);
	assert_non_null(strstr(note, "data.bin"));
	assert_non_null(strstr(note, "could not spool"));
	free(note);
	email_free(e);
	free(raw);
	free(bin);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(chunks_are_written_and_read_one_at_a_time, ops_fixture_setup,
						ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(limits_have_defaults_and_bounds, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(attachments_come_back_identical, ops_fixture_setup, ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(what_is_over_the_limits_is_dropped_with_a_note, ops_fixture_setup,
						ops_fixture_teardown),
		cmocka_unit_test_setup_teardown(without_a_spool_each_attachment_is_noted, ops_fixture_setup,
						ops_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
