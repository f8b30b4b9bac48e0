/* The web chat's visitor tokens and identity checks (src/daemon/visitor.c),
 * and the cleaning of chat bodies (src/daemon/chat_text.c): a token comes
 * back as it was made, and is refused once changed, under another key, for
 * another channel or expired; a brand's HMAC is checked; a body keeps its
 * newlines and tabs, loses its other control characters, and is refused
 * when it is not UTF-8, empty or too long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "daemon/chat_file.h"
#include "daemon/chat_text.h"
#include "daemon/visitor.h"
#include "guichet/error.h"

static unsigned char key[VISITOR_KEY_LEN], other_key[VISITOR_KEY_LEN];

static int setup(void **state)
{
	assert_true(sodium_init() >= 0);
	randombytes_buf(key, sizeof(key));
	randombytes_buf(other_key, sizeof(other_key));
	return 0;
}

static void a_token_comes_back_as_made(void **state)
{
	struct visitor v, got;
	char token[VISITOR_TOKEN_MAX];
	visitor_init(&v, 7, 42, 1000);
	visitor_token_make(key, &v, token);
	assert_int_equal(visitor_token_check(key, token, 7, 2000, &got), GC_OK);
	assert_int_equal(got.channel_id, 7);
	assert_int_equal(got.customer_id, 42);
	assert_int_equal(got.expires_at, 1000 + VISITOR_TTL_MS);
	assert_string_equal(got.id, v.id);
	struct visitor w;
	visitor_init(&w, 7, 0, 1000);
	assert_string_not_equal(w.id, v.id); /* each visitor is new */
}

static void a_bad_token_is_refused(void **state)
{
	struct visitor v, got;
	char token[VISITOR_TOKEN_MAX];
	visitor_init(&v, 7, 0, 1000);
	visitor_token_make(key, &v, token);
	assert_int_equal(visitor_token_check(other_key, token, 7, 2000, &got), GC_EAUTH);
	assert_int_equal(visitor_token_check(key, token, 8, 2000, &got), GC_EAUTH);
	assert_int_equal(visitor_token_check(key, token, 7, 1000 + VISITOR_TTL_MS, &got), GC_EAUTH);
	for (size_t i = 0; token[i]; i++) { /* any character changed */
		char forged[VISITOR_TOKEN_MAX];
		memcpy(forged, token, sizeof(forged));
		forged[i] = forged[i] == 'A' ? 'B' : 'A';
		assert_int_equal(visitor_token_check(key, forged, 7, 2000, &got), GC_EAUTH);
	}
	assert_int_equal(visitor_token_check(key, "", 7, 2000, &got), GC_EAUTH);
	assert_int_equal(visitor_token_check(key, NULL, 7, 2000, &got), GC_EAUTH);
	assert_int_equal(visitor_token_check(key, "not a token at all!", 7, 2000, &got), GC_EAUTH);
}

static void a_brand_identity_is_checked(void **state)
{
	/* HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style known answer */
	const char *mac = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
	assert_true(visitor_identity_ok("key", "The quick brown fox jumps over the lazy dog", mac));
	assert_true(visitor_identity_ok("key", "The quick brown fox jumps over the lazy dog",
					"F7BC83F430538424B13298E6AA6FB143EF4D59A14946175997479DBC2D1A3CD8"));
	assert_false(visitor_identity_ok("key", "The quick brown fox jumps over the lazy cat", mac));
	assert_false(visitor_identity_ok("kez", "The quick brown fox jumps over the lazy dog", mac));
	assert_false(visitor_identity_ok("key", "The quick brown fox jumps over the lazy dog", "f7bc"));
	assert_false(visitor_identity_ok("key", "x", NULL));
	char secret[VISITOR_SECRET_LEN + 1];
	visitor_secret_new(secret);
	assert_int_equal(strlen(secret), VISITOR_SECRET_LEN);
}

static int clean(const char *text, char *out)
{
	size_t len = 0;
	return chat_text_clean(text, strlen(text), CHAT_BODY_MAX, out, &len);
}

static void a_body_is_cleaned(void **state)
{
	char out[CHAT_BODY_MAX + 16];
	assert_int_equal(clean("hello\n\tthere", out), GC_OK);
	assert_string_equal(out, "hello\n\tthere");
	assert_int_equal(clean("a\x01" "b\x1b[31mc\x7f\r", out), GC_OK);
	assert_string_equal(out, "ab[31mc");
	assert_int_equal(clean("caf\xc3\xa9 \xc2\x85!", out), GC_OK); /* é kept, the C1 NEL dropped */
	assert_string_equal(out, "caf\xc3\xa9 !");
	assert_int_equal(clean("\x01\x02", out), GC_EINVAL);        /* nothing left */
	assert_int_equal(clean("", out), GC_EINVAL);
	assert_int_equal(clean("bad \xc3", out), GC_EINVAL);        /* cut short */
	assert_int_equal(clean("\xc0\xaf", out), GC_EINVAL);        /* overlong */
	assert_int_equal(clean("\xed\xa0\x80", out), GC_EINVAL);    /* a surrogate */
	char big[CHAT_BODY_MAX + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(clean(big, out), GC_EINVAL);
	big[CHAT_BODY_MAX] = '\0';
	assert_int_equal(clean(big, out), GC_OK);
}

/* A file's type comes from its bytes: an executable named .png is none. */
static void a_file_type_comes_from_its_bytes(void **state)
{
	(void)state;
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
	assert_string_equal(chat_file_sniff(png, sizeof(png), sizeof(png)), "image/png");
	assert_string_equal(chat_file_sniff("\xff\xd8\xff\xe0", 4, 4), "image/jpeg");
	assert_string_equal(chat_file_sniff("GIF89a..", 8, 8), "image/gif");
	assert_string_equal(chat_file_sniff("RIFF\x10\0\0\0WEBPVP8 ", 16, 16), "image/webp");
	assert_string_equal(chat_file_sniff("%PDF-1.7\n", 9, 9), "application/pdf");
	assert_string_equal(chat_file_sniff("bonjour, \xc3\xa7" "a va\n", 16, 16), "text/plain");
	assert_null(chat_file_sniff("\x7f" "ELF\2\1\1\0", 8, 8));  /* an ELF executable */
	assert_null(chat_file_sniff("MZ\x90\0\3\0", 6, 6));         /* a Windows one */
	assert_null(chat_file_sniff("text\x01", 5, 5));                 /* a control character */
	assert_null(chat_file_sniff("\xc3", 1, 1));                     /* a cut character at the end */
	assert_string_equal(chat_file_sniff("ab\xc3", 3, 10), "text/plain"); /* ... of a head only */
	assert_null(chat_file_sniff("\xc0\xaf", 2, 2));                 /* overlong */
	assert_null(chat_file_sniff("", 0, 0));
}

static void a_channel_limits_are_checked(void **state)
{
	(void)state;
	struct chat_file_limits l;
	const char *field = NULL;
	assert_int_equal(chat_file_limits_parse(NULL, &l, &field), GC_OK);
	assert_int_equal(l.max_bytes, CHAT_FILE_DEFAULT_MAX);
	assert_int_equal(l.per_chat, CHAT_FILE_DEFAULT_PER_CHAT);
	json_t *in = json_pack("{s:I,s:[s,s],s:i}", "max_bytes", (json_int_t)1000, "types", "image/png", "text/plain",
			       "per_chat", 2);
	assert_int_equal(chat_file_limits_parse(in, &l, &field), GC_OK);
	assert_int_equal(l.max_bytes, 1000);
	assert_int_equal(l.per_chat, 2);
	assert_int_equal(l.types, 1u << 0 | 1u << 5);
	json_t *out = chat_file_limits_json(&l);
	assert_true(json_equal(in, out));
	json_decref(out);
	json_object_set_new(in, "types", json_pack("[s]", "application/x-msdownload"));
	assert_int_equal(chat_file_limits_parse(in, &l, &field), GC_EINVAL);
	assert_string_equal(field, "attachments.types");
	json_object_set_new(in, "types", json_array());
	json_object_set_new(in, "max_bytes", json_integer(CHAT_FILE_MAX + 1));
	assert_int_equal(chat_file_limits_parse(in, &l, &field), GC_EINVAL);
	assert_string_equal(field, "attachments.max_bytes");
	json_decref(in);
}

static void a_file_name_is_made_safe(void **state)
{
	(void)state;
	char name[CHAT_FILE_NAME_MAX + 1];
	chat_file_name("../../etc/passwd", name);
	assert_string_equal(name, ".._.._etc_passwd");
	chat_file_name("re\x01\xc3\xa7u.pdf", name);
	assert_string_equal(name, "re\xc3\xa7u.pdf");
	chat_file_name("..", name);
	assert_string_equal(name, "attachment");
	chat_file_name(NULL, name);
	assert_string_equal(name, "attachment");
	chat_file_name("bad\xff", name);
	assert_string_equal(name, "attachment");
	char longer[300];
	memset(longer, 'a', sizeof(longer) - 3);
	memcpy(longer + sizeof(longer) - 3, "\xc3\xa7", 2); /* a 2-byte character across the cut is not split */
	longer[sizeof(longer) - 1] = '\0';
	longer[CHAT_FILE_NAME_MAX - 1] = '\xc3';
	longer[CHAT_FILE_NAME_MAX] = '\xa7';
	chat_file_name(longer, name);
	assert_int_equal(strlen(name), CHAT_FILE_NAME_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_token_comes_back_as_made),
		cmocka_unit_test(a_bad_token_is_refused),
		cmocka_unit_test(a_brand_identity_is_checked),
		cmocka_unit_test(a_body_is_cleaned),
		cmocka_unit_test(a_file_type_comes_from_its_bytes),
		cmocka_unit_test(a_channel_limits_are_checked),
		cmocka_unit_test(a_file_name_is_made_safe),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
