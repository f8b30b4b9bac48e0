/* An uploaded WAV file read from memory and brought to 8 kHz mono
 * (wav.h). The RIFF chunks are walked one by one, each length checked
 * against what is left; "fmt " must come before "data"; other chunks
 * (LIST, fact, cue...) are skipped. */
#include "channel/voice/wav.h"
#include "channel/voice/prompt.h"
#include "guichet/error.h"

#include <speex/speex_resampler.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_PCM 1
#define FORMAT_EXTENSIBLE 0xFFFE

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static int refuse(const char **why, const char *text)
{
	*why = text;
	return GC_EINVAL;
}

/* The "fmt " chunk's body into w's rate and channels. */
static int read_format(const uint8_t *p, size_t len, struct voice_wav *w, const char **why)
{
	if (len < 16)
		return refuse(why, "the WAV file's format chunk is too short");
	uint16_t format = le16(p), channels = le16(p + 2), bits = le16(p + 14);
	uint32_t rate = le32(p + 4);
	if (format == FORMAT_EXTENSIBLE && len >= 26)
		format = le16(p + 24); /* the sub-format GUID's first two bytes */
	if (format != FORMAT_PCM || bits != 16)
		return refuse(why, "the WAV file is not 16-bit PCM");
	if (channels != 1 && channels != 2)
		return refuse(why, "the WAV file is neither mono nor stereo");
	if (rate < VOICE_WAV_MIN_RATE || rate > VOICE_WAV_MAX_RATE)
		return refuse(why, "the WAV file's rate is not 8,000 to 48,000 Hz");
	w->rate = (int)rate;
	w->channels = channels;
	return GC_OK;
}

int voice_wav_parse(const uint8_t *buf, size_t len, struct voice_wav *ret, const char **ret_why)
{
	if (len < 12 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0)
		return refuse(ret_why, "not a WAV file (RIFF, WAVE)");
	struct voice_wav w = {0};
	size_t at = 12;
	while (len - at >= 8) {
		const uint8_t *chunk = buf + at;
		size_t size = le32(chunk + 4), left = len - at - 8;
		if (memcmp(chunk, "data", 4) == 0) {
			if (w.rate == 0)
				return refuse(ret_why, "the WAV file's data comes before its format");
			if (size > left)
				size = left; /* a stream's header may not know its length: what came is taken */
			size_t frame = 2 * (size_t)w.channels;
			w.data = chunk + 8;
			w.data_len = size / frame * frame;
			if (w.data_len == 0)
				return refuse(ret_why, "the WAV file holds no samples");
			if (voice_wav_ms(&w) > VOICE_WAV_MAX_MS) {
				*ret_why = "the recording is longer than a minute";
				return GC_ETOOBIG;
			}
			*ret = w;
			return GC_OK;
		}
		if (size > left)
			return refuse(ret_why, "the WAV file is cut short");
		if (memcmp(chunk, "fmt ", 4) == 0) {
			int rc = read_format(chunk + 8, size, &w, ret_why);
			if (rc < 0)
				return rc;
		}
		at += 8 + size + (size & 1); /* chunks are padded to an even length */
		if (at > len)
			break;
	}
	return refuse(ret_why, "the WAV file has no data chunk");
}

int64_t voice_wav_ms(const struct voice_wav *w)
{
	int64_t frames = (int64_t)(w->data_len / (2 * (size_t)w->channels));
	return frames * 1000 / w->rate;
}

int voice_wav_to_8k(const struct voice_wav *w, int16_t **ret, size_t *ret_n)
{
	size_t frames = w->data_len / (2 * (size_t)w->channels);
	int16_t *mono = malloc((frames ? frames : 1) * sizeof(*mono));
	if (mono == NULL)
		return GC_ENOMEM;
	for (size_t i = 0; i < frames; i++) {
		const uint8_t *p = w->data + i * 2 * (size_t)w->channels;
		int32_t sum = (int16_t)le16(p);
		if (w->channels == 2)
			sum = (sum + (int16_t)le16(p + 2)) / 2;
		mono[i] = (int16_t)sum;
	}
	if (w->rate == PROMPT_RATE) {
		*ret = mono;
		*ret_n = frames;
		return frames ? GC_OK : GC_EINVAL;
	}
	int err = 0;
	SpeexResamplerState *st = speex_resampler_init(1, (spx_uint32_t)w->rate, PROMPT_RATE, 4, &err);
	size_t cap = frames * PROMPT_RATE / (size_t)w->rate + 64;
	int16_t *out = st ? malloc(cap * sizeof(*out)) : NULL;
	if (out == NULL) {
		if (st)
			speex_resampler_destroy(st);
		free(mono);
		return GC_ENOMEM;
	}
	spx_uint32_t in_len = (spx_uint32_t)frames, out_len = (spx_uint32_t)cap;
	speex_resampler_skip_zeros(st);
	speex_resampler_process_int(st, 0, mono, &in_len, out, &out_len);
	speex_resampler_destroy(st);
	free(mono);
	if (out_len == 0) {
		free(out);
		return GC_EINVAL;
	}
	*ret = out;
	*ret_n = out_len;
	return GC_OK;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void voice_wav_header(size_t n_samples, uint8_t ret[44])
{
	uint32_t data = (uint32_t)(n_samples * 2);
	memcpy(ret, "RIFF", 4);
	put32(ret + 4, 36 + data);
	memcpy(ret + 8, "WAVEfmt ", 8);
	put32(ret + 16, 16);
	put16(ret + 20, FORMAT_PCM);
	put16(ret + 22, 1);
	put32(ret + 24, PROMPT_RATE);
	put32(ret + 28, PROMPT_RATE * 2);
	put16(ret + 32, 2);
	put16(ret + 34, 16);
	memcpy(ret + 36, "data", 4);
	put32(ret + 40, data);
}
