/* Spoken prompts: a text in English or French synthesised by espeak-ng,
 * resampled to 8 kHz mono by speexdsp (what G.711 carries), and kept in a
 * cache by text and language, so a greeting heard by many callers is
 * synthesised once. The cache holds at most PROMPT_CACHE_MAX prompts and
 * PROMPT_CACHE_MAX_SAMPLES samples in all; past either, the least recently
 * used go. A prompt handed out stays valid until prompt_release (a
 * reference count), however the cache changes meanwhile.
 *
 * espeak-ng keeps global state: one thread only (the telephony thread)
 * uses a cache. */
#ifndef GUICHET_CHANNEL_VOICE_PROMPT_H
#define GUICHET_CHANNEL_VOICE_PROMPT_H

#include <stddef.h>
#include <stdint.h>

#define PROMPT_RATE 8000
#define PROMPT_CACHE_MAX 128
#define PROMPT_CACHE_MAX_SAMPLES (PROMPT_RATE * 60 * 30) /* half an hour of speech */
#define PROMPT_MAX_TEXT 1000

struct prompt {
	int16_t *samples;  /* 8 kHz mono, linear */
	size_t n_samples;
	int refs;          /* the cache's and each holder's */
};

struct prompt_cache;

/* espeak-ng is initialised here; GC_EIO when its data cannot be found. */
int prompt_cache_new(struct prompt_cache **ret);
void prompt_cache_free(struct prompt_cache *c);
/* The prompt for text in lang ("en" or "fr"), synthesised unless cached;
 * the caller holds a reference (prompt_release). GC_EINVAL for an empty or
 * too long text or another language. */
int prompt_get(struct prompt_cache *c, const char *text, const char *lang, struct prompt **ret);
void prompt_release(struct prompt *p);
/* A recording as a prompt (music on hold, a tenant's own greeting): a WAV
 * file of 8 kHz mono 16-bit samples, read whole with librem's aufile, at
 * most max_samples long. GC_EINVAL for a file that cannot be read or is in
 * another format, GC_ETOOBIG past max_samples. Held by the caller. */
int prompt_load_wav(const char *path, size_t max_samples, struct prompt **ret);

/* A tenant's recording kept in the cache under key (what names its
 * version: "rec:TENANT:ID:CREATED"), beside the synthesised prompts and
 * under the same bounds. find: GC_ENOTFOUND when it is not cached, else a
 * reference for the caller; add: the cache takes a reference of its own. */
int prompt_cache_find(struct prompt_cache *c, const char *key, struct prompt **ret);
void prompt_cache_add(struct prompt_cache *c, const char *key, struct prompt *p);
/* samples (malloc'd, taken on success) as a prompt held by the caller. */
int prompt_from_samples(int16_t *samples, size_t n, struct prompt **ret);
/* a then b as one new prompt (an incident's text before a recorded menu). */
int prompt_join(const struct prompt *a, const struct prompt *b, struct prompt **ret);

/* Syntheses done since the start (each a cache miss), and prompts cached now. */
void prompt_cache_stats(const struct prompt_cache *c, uint64_t *ret_syntheses, size_t *ret_cached);

#endif
