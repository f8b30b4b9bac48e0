/* A tenant's own recording of a prompt, as uploaded: a WAV file (RIFF,
 * WAVE, PCM 16-bit, mono or stereo, 8 to 48 kHz) read from memory and
 * brought to what the telephony thread plays, 8 kHz mono 16-bit
 * (PROMPT_RATE): stereo mixed down, other rates resampled by speexdsp as
 * prompt.c resamples espeak-ng's speech. Pure: no I/O; every length read
 * from the file is checked against the bytes given, so a truncated or
 * lying header is refused, never followed. */
#ifndef GUICHET_CHANNEL_VOICE_WAV_H
#define GUICHET_CHANNEL_VOICE_WAV_H

#include <stddef.h>
#include <stdint.h>

#define VOICE_WAV_MIN_RATE 8000
#define VOICE_WAV_MAX_RATE 48000
#define VOICE_WAV_MAX_MS 60000        /* a prompt's recording: a minute at most */
#define VOICE_WAV_MAX_BYTES (8 << 20) /* an upload: a minute of 48 kHz stereo fits */

/* A parsed WAV: its format and its samples' bytes (inside the buffer parsed). */
struct voice_wav {
	int rate;                  /* samples a second */
	int channels;              /* 1 or 2 */
	const uint8_t *data;       /* interleaved little-endian 16-bit samples */
	size_t data_len;           /* bytes, a whole number of frames */
};

/* Reads buf as a WAV file: GC_EINVAL with why (a static text) when it is
 * not one guichet takes, GC_ETOOBIG when it is longer than
 * VOICE_WAV_MAX_MS, GC_OK with *ret pointing into buf. */
int voice_wav_parse(const uint8_t *buf, size_t len, struct voice_wav *ret, const char **ret_why);

/* Its length in milliseconds. */
int64_t voice_wav_ms(const struct voice_wav *w);

/* The samples at 8 kHz mono into a new array (malloc'd, *ret_n samples).
 * GC_ENOMEM; GC_EINVAL when nothing comes out. */
int voice_wav_to_8k(const struct voice_wav *w, int16_t **ret, size_t *ret_n);

/* A WAV file's 44-byte header for n_samples of 8 kHz mono 16-bit audio. */
void voice_wav_header(size_t n_samples, uint8_t ret[44]);

#endif
