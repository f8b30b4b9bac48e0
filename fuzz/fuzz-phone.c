/* libFuzzer target: telephone numbers into E.164 (src/common/phone.cc, over
 * libphonenumber). The input's first byte picks the region it is read in
 * (none, FR, GB, US, an unknown one), the rest is the number. No input may
 * crash, leak or let an exception out; a number accepted comes out as "+"
 * and at most 15 digits, and reading that again, with no region, gives it
 * back unchanged: the key every channel keeps is a fixed point, which the
 * lenient paths (ops_phone_key) rely on. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = {NULL, "FR", "GB", "US", "DE", "XX"};
	if (size == 0)
		return 0;
	const char *region = regions[data[0] % (sizeof(regions) / sizeof(regions[0]))];
	char *typed = malloc(size);
	if (typed == NULL)
		return 0;
	memcpy(typed, data + 1, size - 1);
	typed[size - 1] = '\0';
	char out[PHONE_E164_LEN], again[PHONE_E164_LEN];
	int rc = phone_e164(typed, region, out, sizeof(out));
	assert(rc == GC_OK || rc == GC_EINVAL || rc == GC_ENOMEM);
	if (rc == GC_OK) {
		size_t n = strlen(out);
		assert(n >= 2 && n <= 16 && out[0] == '+' && strspn(out + 1, "0123456789") == n - 1);
		assert(phone_e164(out, NULL, again, sizeof(again)) == GC_OK && strcmp(again, out) == 0);
	}
	free(typed);
	return 0;
}
