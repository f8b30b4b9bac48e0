/* Spoken prompts (src/channel/voice/prompt.c): espeak-ng's speech comes out
 * at 8 kHz with a plausible length and is not silence; the same text and
 * language is synthesised once (a cache hit is the same prompt), another
 * language or text is another prompt; bad input is refused; a prompt held
 * outlives the cache; music on hold is read from an 8 kHz mono WAV file,
 * other formats and files too long refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/voice/prompt.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void speech_is_8khz_and_cached(void **state)
{
	struct prompt_cache *c = NULL;
	assert_int_equal(prompt_cache_new(&c), GC_OK);
	struct prompt *a = NULL, *b = NULL, *fr = NULL, *other = NULL;
	assert_int_equal(prompt_get(c, "Welcome to the brand. Please hold.", "en", &a), GC_OK);
	/* a few words: between half a second and ten seconds at 8 kHz */
	assert_true(a->n_samples > PROMPT_RATE / 2 && a->n_samples < PROMPT_RATE * 10);
	int peak = 0;
	for (size_t i = 0; i < a->n_samples; i++)
		if (abs(a->samples[i]) > peak)
			peak = abs(a->samples[i]);
	assert_true(peak > 1000);
	assert_int_equal(prompt_get(c, "Welcome to the brand. Please hold.", "en", &b), GC_OK);
	assert_ptr_equal(a, b);
	assert_int_equal(prompt_get(c, "Welcome to the brand. Please hold.", "fr", &fr), GC_OK);
	assert_ptr_not_equal(a, fr);
	assert_int_equal(prompt_get(c, "Bonjour.", "fr", &other), GC_OK);
	assert_true(other->n_samples < a->n_samples);
	uint64_t syntheses = 0;
	size_t cached = 0;
	prompt_cache_stats(c, &syntheses, &cached);
	assert_int_equal(syntheses, 3);
	assert_int_equal(cached, 3);
	prompt_release(b);
	prompt_release(fr);
	prompt_release(other);
	prompt_cache_free(c); /* a is still held */
	assert_true(a->n_samples > 0 && a->samples[a->n_samples / 2] == a->samples[a->n_samples / 2]);
	prompt_release(a);
}

static void bad_input_is_refused(void **state)
{
	struct prompt_cache *c = NULL;
	assert_int_equal(prompt_cache_new(&c), GC_OK);
	struct prompt *p = NULL;
	assert_int_equal(prompt_get(c, "", "en", &p), GC_EINVAL);
	assert_int_equal(prompt_get(c, "Hello", "de", &p), GC_EINVAL);
	assert_int_equal(prompt_get(c, "Hello", NULL, &p), GC_EINVAL);
	char big[PROMPT_MAX_TEXT + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(prompt_get(c, big, "en", &p), GC_EINVAL);
	assert_null(p);
	prompt_cache_free(c);
}

/* A WAV file of n samples (a ramp) at rate, channels, 16-bit. */
static void write_wav(const char *path, uint32_t rate, uint16_t channels, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint32_t data = (uint32_t)(n * channels * 2), riff = 36 + data, fmt_len = 16, byte_rate = rate * channels * 2;
	uint16_t pcm = 1, align = (uint16_t)(channels * 2), bits = 16;
	fwrite("RIFF", 1, 4, f);
	fwrite(&riff, 4, 1, f);
	fwrite("WAVEfmt ", 1, 8, f);
	fwrite(&fmt_len, 4, 1, f);
	fwrite(&pcm, 2, 1, f);
	fwrite(&channels, 2, 1, f);
	fwrite(&rate, 4, 1, f);
	fwrite(&byte_rate, 4, 1, f);
	fwrite(&align, 2, 1, f);
	fwrite(&bits, 2, 1, f);
	fwrite("data", 1, 4, f);
	fwrite(&data, 4, 1, f);
	for (size_t i = 0; i < n * channels; i++) {
		int16_t v = (int16_t)(i % 2000) - 1000;
		fwrite(&v, 2, 1, f);
	}
	fclose(f);
}

static void music_is_read_from_an_8khz_wav(void **state)
{
	char dir[] = "/tmp/guichet-prompt-XXXXXX", good[64], fast[64], stereo[64], missing[64];
	assert_non_null(mkdtemp(dir));
	snprintf(good, sizeof(good), "%s/good.wav", dir);
	snprintf(fast, sizeof(fast), "%s/fast.wav", dir);
	snprintf(stereo, sizeof(stereo), "%s/stereo.wav", dir);
	snprintf(missing, sizeof(missing), "%s/missing.wav", dir);
	write_wav(good, 8000, 1, 12000);
	write_wav(fast, 16000, 1, 1000);
	write_wav(stereo, 8000, 2, 1000);
	struct prompt *p = NULL;
	assert_int_equal(prompt_load_wav(good, 100000, &p), GC_OK);
	assert_int_equal(p->n_samples, 12000);
	assert_int_equal(p->samples[0], -1000);
	assert_int_equal(p->samples[1999], 999);
	assert_int_equal(p->samples[11999], (int16_t)(11999 % 2000) - 1000);
	prompt_release(p);
	p = NULL;
	assert_int_equal(prompt_load_wav(good, 5000, &p), GC_ETOOBIG);
	assert_int_equal(prompt_load_wav(fast, 100000, &p), GC_EINVAL);
	assert_int_equal(prompt_load_wav(stereo, 100000, &p), GC_EINVAL);
	assert_int_equal(prompt_load_wav(missing, 100000, &p), GC_EINVAL);
	assert_null(p);
	unlink(good);
	unlink(fast);
	unlink(stereo);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(speech_is_8khz_and_cached),
		cmocka_unit_test(bad_input_is_refused),
		cmocka_unit_test(music_is_read_from_an_8khz_wav),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
