/* libFuzzer target: what a web chat's visitor sends that guichetd parses
 * itself (src/daemon/visitor.c, chat_text.c). The first byte chooses:
 *   0: a visitor token: refused (nothing forged passes), never a crash;
 *   1: a message body: cleaned, it is valid UTF-8 without control
 *      characters but newlines and tabs, within the limit, and cleaning it
 *      again changes nothing;
 *   2: a token made from the input's fields comes back as it was made;
 *   3: a brand's "id\nhmac": checked without a crash. */
#include <assert.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/chat_text.h"
#include "daemon/visitor.h"
#include "guichet/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[VISITOR_KEY_LEN] = "fuzzing key, 32 bytes long.....";

static void body(const char *text, size_t len)
{
	char *out = malloc(len + 1), *again = malloc(len + 1);
	size_t out_len = 0, again_len = 0;
	if (out && again && chat_text_clean(text, len, CHAT_BODY_MAX, out, &out_len) == GC_OK) {
		assert(out_len >= 1 && out_len <= CHAT_BODY_MAX && out_len == strlen(out));
		for (size_t i = 0; i < out_len; i++) {
			unsigned char c = (unsigned char)out[i];
			assert(c >= 0x20 || c == '\n' || c == '\t');
			assert(c != 0x7f);
		}
		assert(chat_text_clean(out, out_len, CHAT_BODY_MAX, again, &again_len) == GC_OK);
		assert(again_len == out_len && memcmp(out, again, out_len) == 0);
	}
	free(out);
	free(again);
}

static void round_trip(const uint8_t *data, size_t size)
{
	int64_t fields[3] = {0, 0, 0};
	memcpy(fields, data, size < sizeof(fields) ? size : sizeof(fields));
	if (fields[0] <= 0 || fields[1] < 0 || fields[2] <= INT64_MIN + VISITOR_TTL_MS || fields[2] > INT64_MAX - VISITOR_TTL_MS)
		return;
	struct visitor v, got;
	visitor_init(&v, fields[0], fields[1], fields[2]);
	char token[VISITOR_TOKEN_MAX];
	visitor_token_make(key, &v, token);
	assert(visitor_token_check(key, token, fields[0], fields[2], &got) == GC_OK);
	assert(got.channel_id == v.channel_id && got.customer_id == v.customer_id && got.expires_at == v.expires_at);
	assert(strcmp(got.id, v.id) == 0);
	assert(visitor_token_check(key, token, fields[0], v.expires_at, &got) == GC_EAUTH);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready)
		ready = sodium_init() >= 0;
	if (size < 1)
		return 0;
	char *text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	struct visitor v;
	switch (data[0] % 4) {
	case 0:
		assert(visitor_token_check(key, text, 1, 0, &v) == GC_EAUTH);
		break;
	case 1:
		body((const char *)data + 1, size - 1);
		break;
	case 2:
		round_trip(data + 1, size - 1);
		break;
	default: {
		char *hmac = strchr(text, '\n');
		if (hmac)
			*hmac++ = '\0';
		visitor_identity_ok("secret", text, hmac);
	}
	}
	free(text);
	return 0;
}
