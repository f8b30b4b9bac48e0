/* libFuzzer target: what the messaging channel parses itself
 * (src/channel/messaging/twilio.c, generic.c). The input is a webhook's
 * body, tried as Twilio's form and as the generic provider's JSON. Neither
 * may crash or read out of bounds; a form that parses has names that are
 * not empty and signs to a Base64 digest; a generic event that parses has
 * its id, and a message its sender and text. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/messaging/generic.h"
#include "channel/messaging/twilio.h"
#include "guichet/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_form f;
	if (msg_form_parse((const char *)data, size, &f) == GC_OK) {
		for (size_t i = 0; i < f.n_params; i++)
			assert(f.params[i].name[0] != '\0');
		char sig[TWILIO_SIGNATURE_LEN];
		if (twilio_signature("token", "https://h.example/hooks/v1/messaging/k", &f, sig) == GC_OK)
			assert(strlen(sig) == TWILIO_SIGNATURE_LEN - 1);
		msg_form_clear(&f);
	}
	struct generic_event e;
	const char *field = NULL;
	if (generic_event_parse((const char *)data, size, &e, &field) == GC_OK) {
		assert(e.id != NULL);
		assert(e.receipt ? e.status != NULL : e.from != NULL && e.text != NULL);
		generic_event_clear(&e);
	}
	return 0;
}
