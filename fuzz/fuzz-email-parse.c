/* libFuzzer target: one email's bytes through the email parser
 * (src/channel/email/), with the default limits and with tiny ones. Every
 * input must give an email (never an error below the size limit), with a
 * Message-ID, a text, valid UTF-8 everywhere (the JSON encoder refuses
 * anything else), lists within their limits, and attachment bytes streamed
 * to the callback exactly as the sizes counted (forwarded messages too). */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/email/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, size_t index, const void *chunk, size_t len)
{
	size_t *streamed = ctx;
	assert(chunk != NULL && len > 0);
	*streamed += len;
	return 0;
}

static void check(const char *raw, size_t size, const struct email_limits *lim)
{
	struct email *e = NULL;
	size_t streamed = 0, counted = 0;
	int rc = email_parse_stream(raw, size, lim, count, &streamed, &e);
	assert(rc == 0 && e != NULL);
	assert(e->message_id && e->message_id[0] && g_utf8_validate(e->message_id, -1, NULL));
	assert(e->text && g_utf8_validate(e->text, -1, NULL));
	assert(e->n_to <= lim->max_addresses && e->n_cc <= lim->max_addresses);
	assert(e->n_references <= lim->max_references);
	assert(e->n_defects <= lim->max_defects + 1);
	for (size_t i = 0; i < e->n_attachments; i++)
		counted += e->attachments[i].size;
	assert(streamed == counted);
	json_t *obj = email_to_json(e);
	assert(obj != NULL);
	char *text = json_dumps(obj, 0);
	assert(text != NULL); /* fails on any string that is not valid UTF-8 */
	free(text);
	json_decref(obj);
	email_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct email_limits defaults = EMAIL_LIMITS_DEFAULT;
	static const struct email_limits tiny = {1 << 20, 16, 2, 2, 2, 3};
	/* exactly size bytes, so that a read past them is caught */
	char *raw = malloc(size ? size : 1);
	assert(raw != NULL);
	memcpy(raw, data, size);
	check(raw, size, &defaults);
	check(raw, size, &tiny);
	assert(memcmp(raw, data, size) == 0); /* the parser borrows the bytes, never writes them */
	free(raw);
	return 0;
}
