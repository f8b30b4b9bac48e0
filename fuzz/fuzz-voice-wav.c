/* libFuzzer target: a tenant's uploaded WAV (src/channel/voice/wav.c).
 * Whatever the bytes, the parse may not crash nor read past them; a file it
 * takes points inside the input, holds whole frames, lasts at most
 * VOICE_WAV_MAX_MS, and converts to 8 kHz mono without overrunning. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "channel/voice/wav.h"
#include "guichet/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct voice_wav w;
	const char *why = NULL;
	int rc = voice_wav_parse(data, size, &w, &why);
	if (rc != GC_OK) {
		assert(why != NULL);
		return 0;
	}
	assert(w.data >= data && w.data + w.data_len <= data + size);
	assert(w.channels == 1 || w.channels == 2);
	assert(w.data_len > 0 && w.data_len % (2 * (size_t)w.channels) == 0);
	assert(voice_wav_ms(&w) <= VOICE_WAV_MAX_MS);
	int16_t *samples = NULL;
	size_t n = 0;
	if (voice_wav_to_8k(&w, &samples, &n) == GC_OK)
		assert(n > 0);
	free(samples);
	return 0;
}
