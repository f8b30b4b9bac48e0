/* A tenant's uploaded WAV (src/channel/voice/wav.c): 8 kHz mono passes
 * through sample for sample, stereo is mixed down and other rates
 * resampled to 8 kHz, odd-sized chunks before the data are skipped, and
 * every file guichet does not take is refused with why: not RIFF, not
 * 16-bit PCM, three channels, a rate out of range, data before the format,
 * a chunk longer than the file, no data, longer than a minute (GC_ETOOBIG).
 * The header written for the API's download reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/voice/wav.h"
#include "guichet/error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct file {
	uint8_t *data;
	size_t len, cap;
};

static void put(struct file *f, const void *bytes, size_t n)
{
	if (f->len + n > f->cap) { /* doubling: a minute of samples is put two bytes at a time */
		f->cap = (f->len + n) * 2;
		f->data = realloc(f->data, f->cap);
		assert_non_null(f->data);
	}
	memcpy(f->data + f->len, bytes, n);
	f->len += n;
}

static void put32(struct file *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	put(f, b, 4);
}

static void put16(struct file *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	put(f, b, 2);
}

/* A WAV of frames frames (sample i of channel c: i * 10 + c), with an odd LIST chunk before the data when list. */
static struct file make(uint16_t format, uint16_t channels, uint32_t rate, uint16_t bits, size_t frames, bool list)
{
	struct file f = {0};
	size_t data = frames * channels * 2;
	put(&f, "RIFF", 4);
	put32(&f, (uint32_t)(4 + 24 + (list ? 12 : 0) + 8 + data));
	put(&f, "WAVEfmt ", 8);
	put32(&f, 16);
	put16(&f, format);
	put16(&f, channels);
	put32(&f, rate);
	put32(&f, rate * channels * bits / 8);
	put16(&f, (uint16_t)(channels * bits / 8));
	put16(&f, bits);
	if (list) {
		put(&f, "LIST", 4);
		put32(&f, 3);
		put(&f, "abc\0", 4); /* three bytes and the pad */
	}
	put(&f, "data", 4);
	put32(&f, (uint32_t)data);
	for (size_t i = 0; i < frames; i++)
		for (uint16_t c = 0; c < channels; c++)
			put16(&f, (uint16_t)(int16_t)(i * 10 + c));
	return f;
}

static void refused(struct file f, int rc, const char *why_part)
{
	struct voice_wav w;
	const char *why = NULL;
	assert_int_equal(voice_wav_parse(f.data, f.len, &w, &why), rc);
	assert_non_null(why);
	assert_non_null(strstr(why, why_part));
	free(f.data);
}

static void eight_khz_mono_passes_through(void **state)
{
	struct file f = make(1, 1, 8000, 16, 400, true);
	struct voice_wav w;
	const char *why = NULL;
	assert_int_equal(voice_wav_parse(f.data, f.len, &w, &why), GC_OK);
	assert_int_equal(w.rate, 8000);
	assert_int_equal(w.channels, 1);
	assert_int_equal(voice_wav_ms(&w), 50);
	int16_t *s = NULL;
	size_t n = 0;
	assert_int_equal(voice_wav_to_8k(&w, &s, &n), GC_OK);
	assert_int_equal(n, 400);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s[i], (int16_t)(i * 10));
	/* written back with the download's header, it reads the same */
	uint8_t header[44];
	voice_wav_header(n, header);
	struct file back = {0};
	put(&back, header, sizeof(header));
	put(&back, s, n * 2); /* little-endian host */
	assert_int_equal(voice_wav_parse(back.data, back.len, &w, &why), GC_OK);
	assert_int_equal(w.data_len, n * 2);
	assert_memory_equal(w.data, s, n * 2);
	free(back.data);
	free(s);
	free(f.data);
}

static void stereo_and_other_rates_come_to_8khz_mono(void **state)
{
	struct file f = make(1, 2, 16000, 16, 16000, false); /* a second */
	struct voice_wav w;
	const char *why = NULL;
	assert_int_equal(voice_wav_parse(f.data, f.len, &w, &why), GC_OK);
	assert_int_equal(voice_wav_ms(&w), 1000);
	int16_t *s = NULL;
	size_t n = 0;
	assert_int_equal(voice_wav_to_8k(&w, &s, &n), GC_OK);
	assert_true(n >= 7900 && n <= 8000); /* the resampler's delay skipped */
	free(s);
	free(f.data);
	f = make(1, 1, 44100, 16, 44100, false);
	assert_int_equal(voice_wav_parse(f.data, f.len, &w, &why), GC_OK);
	assert_int_equal(voice_wav_to_8k(&w, &s, &n), GC_OK);
	assert_true(n >= 7900 && n <= 8000);
	free(s);
	free(f.data);
}

static void files_guichet_does_not_take_are_refused(void **state)
{
	struct file f = make(1, 1, 8000, 16, 10, false);
	memcpy(f.data, "RIFX", 4);
	refused(f, GC_EINVAL, "not a WAV file");
	refused(make(3, 1, 8000, 16, 10, false), GC_EINVAL, "16-bit PCM"); /* float */
	refused(make(1, 1, 8000, 24, 10, false), GC_EINVAL, "16-bit PCM");
	refused(make(1, 3, 8000, 16, 10, false), GC_EINVAL, "mono nor stereo");
	refused(make(1, 1, 96000, 16, 10, false), GC_EINVAL, "rate");
	refused(make(1, 1, 4000, 16, 10, false), GC_EINVAL, "rate");
	refused(make(1, 1, 8000, 16, 8000 * 61, false), GC_ETOOBIG, "longer than a minute");
	/* a format chunk claiming more than the file holds */
	f = make(1, 1, 8000, 16, 10, false);
	f.data[16] = 0xff;
	f.data[17] = 0xff;
	refused(f, GC_EINVAL, "cut short");
	/* no data chunk at all */
	f = make(1, 1, 8000, 16, 10, false);
	f.len = 36;
	refused(f, GC_EINVAL, "no data");
	/* data before the format */
	struct file g = {0};
	put(&g, "RIFF\0\0\0\0WAVEdata", 16);
	put32(&g, 4);
	put32(&g, 0);
	refused(g, GC_EINVAL, "before its format");
	/* a data chunk with no whole frame */
	f = make(1, 2, 8000, 16, 10, false);
	f.len = 44 + 2;
	refused(f, GC_EINVAL, "no samples");
}

/* A data chunk that says more than came (a stream's header): what came is taken, whole frames only. */
static void a_data_chunk_longer_than_the_file_takes_what_came(void **state)
{
	struct file f = make(1, 2, 8000, 16, 10, false);
	f.len -= 3;
	struct voice_wav w;
	const char *why = NULL;
	assert_int_equal(voice_wav_parse(f.data, f.len, &w, &why), GC_OK);
	assert_int_equal(w.data_len, 9 * 4);
	free(f.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eight_khz_mono_passes_through),
		cmocka_unit_test(stereo_and_other_rates_come_to_8khz_mono),
		cmocka_unit_test(files_guichet_does_not_take_are_refused),
		cmocka_unit_test(a_data_chunk_longer_than_the_file_takes_what_came),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
