/* Spoken prompts (src/channel/voice/prompt.c): espeak-ng's speech comes out
 * at 8 kHz with a plausible length and is not silence; the same text and
 * language is synthesised once (a cache hit is the same prompt), another
 * language or text is another prompt; bad input is refused; a prompt held
 * outlives the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/voice/prompt.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(speech_is_8khz_and_cached),
		cmocka_unit_test(bad_input_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
