/* Spoken prompts (prompt.h): espeak-ng in synchronous mode hands its
 * samples (at its own rate, 22050 Hz) to a callback that gathers them;
 * speexdsp's resampler brings them to 8 kHz. The cache is a short list
 * kept in use order, newest first: a hit moves to the front, the tail goes
 * when the list or the samples are over their bounds. */
#include "channel/voice/prompt.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <re_types.h>
#include <re_mem.h>
#include <rem_au.h>
#include <rem_aufile.h>

#include <espeak-ng/espeak_ng.h>
#include <pthread.h>
#include <espeak-ng/speak_lib.h>
#include <speex/speex_resampler.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SYNTH_SAMPLES (22050 * 120) /* two minutes at espeak's rate: a prompt is shorter */

struct entry {
	char *text;
	char lang[3];
	struct prompt *prompt;
	struct entry *next;
};

struct prompt_cache {
	struct entry *head;
	size_t n, n_samples;
	uint64_t syntheses;
};

/* What the synthesis callback gathers. */
struct gather {
	int16_t *samples;
	size_t n, cap;
	bool failed;
};

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
	struct gather *g = events ? events->user_data : NULL;
	if (g == NULL || wav == NULL || n <= 0)
		return 0;
	if (g->n + (size_t)n > MAX_SYNTH_SAMPLES) {
		g->failed = true;
		return 1; /* stop */
	}
	if (g->n + (size_t)n > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16384;
		while (cap < g->n + (size_t)n)
			cap *= 2;
		int16_t *more = realloc(g->samples, cap * sizeof(*more));
		if (more == NULL) {
			g->failed = true;
			return 1;
		}
		g->samples = more;
		g->cap = cap;
	}
	memcpy(g->samples + g->n, wav, (size_t)n * sizeof(*wav));
	g->n += (size_t)n;
	return 0;
}

/* espeak-ng is one global state per process: initialised once, never
 * terminated. espeak_ng_Terminate waits for an event thread that Debian's
 * 1.51 starts even in synchronous mode, and that wait can hang for ever
 * (espeak-ng PR #573, "Fix termination test in event processing", not in
 * 1.51): test-voice-prompt hung in it now and then. */
static pthread_once_t espeak_once = PTHREAD_ONCE_INIT;
static bool espeak_ready;

static void espeak_start(void)
{
	espeak_ng_InitializePath(NULL);
	espeak_ready = espeak_ng_Initialize(NULL) == ENS_OK &&
		       espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL) == ENS_OK;
	if (espeak_ready)
		espeak_SetSynthCallback(on_samples);
}

int prompt_cache_new(struct prompt_cache **ret)
{
	pthread_once(&espeak_once, espeak_start);
	if (!espeak_ready)
		return GC_EIO;
	struct prompt_cache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return GC_ENOMEM;
	*ret = c;
	return GC_OK;
}

void prompt_release(struct prompt *p)
{
	if (p && --p->refs == 0) {
		free(p->samples);
		free(p);
	}
}

static void drop(struct prompt_cache *c, struct entry *e)
{
	c->n--;
	c->n_samples -= e->prompt->n_samples;
	prompt_release(e->prompt);
	free(e->text);
	free(e);
}

void prompt_cache_free(struct prompt_cache *c)
{
	if (c == NULL)
		return;
	while (c->head) {
		struct entry *e = c->head;
		c->head = e->next;
		drop(c, e);
	}
	free(c);
}

/* in (n samples at rate) to 8 kHz, into a new prompt. */
static int resample(const int16_t *in, size_t n, int rate, struct prompt **ret)
{
	int err = 0;
	SpeexResamplerState *st = speex_resampler_init(1, (spx_uint32_t)rate, PROMPT_RATE, 4, &err);
	if (st == NULL)
		return GC_ENOMEM;
	size_t cap = n * PROMPT_RATE / (size_t)rate + 64;
	struct prompt *p = calloc(1, sizeof(*p));
	int16_t *out = malloc(cap * sizeof(*out));
	if (p == NULL || out == NULL) {
		speex_resampler_destroy(st);
		free(p);
		free(out);
		return GC_ENOMEM;
	}
	spx_uint32_t in_len = (spx_uint32_t)n, out_len = (spx_uint32_t)cap;
	speex_resampler_skip_zeros(st);
	speex_resampler_process_int(st, 0, in, &in_len, out, &out_len);
	speex_resampler_destroy(st);
	*p = (struct prompt){.samples = out, .n_samples = out_len, .refs = 1};
	*ret = p;
	return GC_OK;
}

static int synthesise(const char *text, const char *lang, struct prompt **ret)
{
	if (espeak_ng_SetVoiceByName(lang) != ENS_OK)
		return GC_EIO;
	struct gather g = {0};
	espeak_ERROR rc = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &g);
	int out = rc != EE_OK || g.failed || g.n == 0 ? GC_EIO : resample(g.samples, g.n, espeak_ng_GetSampleRate(), ret);
	free(g.samples);
	return out;
}

/* Drops the least recently used while over the bounds (the newest stays). */
static void trim(struct prompt_cache *c)
{
	while (c->head && c->head->next && (c->n > PROMPT_CACHE_MAX || c->n_samples > PROMPT_CACHE_MAX_SAMPLES)) {
		struct entry **last = &c->head;
		while ((*last)->next)
			last = &(*last)->next;
		struct entry *e = *last;
		*last = NULL;
		drop(c, e);
	}
}

/* The cached prompt of text in lang, moved to the front (a reference for the caller), or NULL. */
static struct prompt *lookup(struct prompt_cache *c, const char *text, const char *lang)
{
	for (struct entry **at = &c->head; *at; at = &(*at)->next) {
		struct entry *e = *at;
		if (strcmp(e->lang, lang) == 0 && strcmp(e->text, text) == 0) {
			*at = e->next; /* to the front */
			e->next = c->head;
			c->head = e;
			e->prompt->refs++;
			return e->prompt;
		}
	}
	return NULL;
}

/* p kept under text and lang (the cache takes a reference of its own); nothing when out of memory. */
static void insert(struct prompt_cache *c, const char *text, const char *lang, struct prompt *p)
{
	struct entry *e = calloc(1, sizeof(*e));
	char *copy = strdup(text);
	if (e == NULL || copy == NULL) {
		free(e);
		free(copy);
		return;
	}
	*e = (struct entry){.text = copy, .prompt = p, .next = c->head};
	snprintf(e->lang, sizeof(e->lang), "%s", lang);
	c->head = e;
	c->n++;
	c->n_samples += p->n_samples;
	p->refs++;
	trim(c);
}

#define RECORDING_LANG "*" /* a recording's entries: no language */

int prompt_cache_find(struct prompt_cache *c, const char *key, struct prompt **ret)
{
	struct prompt *p = lookup(c, key, RECORDING_LANG);
	if (p == NULL)
		return GC_ENOTFOUND;
	*ret = p;
	return GC_OK;
}

void prompt_cache_add(struct prompt_cache *c, const char *key, struct prompt *p)
{
	insert(c, key, RECORDING_LANG, p);
}

int prompt_from_samples(int16_t *samples, size_t n, struct prompt **ret)
{
	struct prompt *p = n ? malloc(sizeof(*p)) : NULL;
	if (p == NULL)
		return n ? GC_ENOMEM : GC_EINVAL;
	*p = (struct prompt){.samples = samples, .n_samples = n, .refs = 1};
	*ret = p;
	return GC_OK;
}

int prompt_join(const struct prompt *a, const struct prompt *b, struct prompt **ret)
{
	int16_t *samples = malloc((a->n_samples + b->n_samples) * sizeof(*samples));
	if (samples == NULL)
		return GC_ENOMEM;
	memcpy(samples, a->samples, a->n_samples * sizeof(*samples));
	memcpy(samples + a->n_samples, b->samples, b->n_samples * sizeof(*samples));
	int rc = prompt_from_samples(samples, a->n_samples + b->n_samples, ret);
	if (rc < 0)
		free(samples);
	return rc;
}

int prompt_get(struct prompt_cache *c, const char *text, const char *lang, struct prompt **ret)
{
	if (text == NULL || *text == '\0' || strlen(text) > PROMPT_MAX_TEXT || !gc_text_is_clean(text, true) ||
	    lang == NULL || (strcmp(lang, "en") != 0 && strcmp(lang, "fr") != 0))
		return GC_EINVAL;
	struct prompt *hit = lookup(c, text, lang);
	if (hit) {
		*ret = hit;
		return GC_OK;
	}
	struct prompt *p = NULL;
	int rc = synthesise(text, lang, &p);
	if (rc < 0)
		return rc;
	c->syntheses++;
	insert(c, text, lang, p); /* out of memory: spoken, not cached */
	*ret = p;
	return GC_OK;
}

void prompt_cache_stats(const struct prompt_cache *c, uint64_t *ret_syntheses, size_t *ret_cached)
{
	*ret_syntheses = c->syntheses;
	*ret_cached = c->n;
}

int prompt_load_wav(const char *path, size_t max_samples, struct prompt **ret)
{
	struct aufile *af = NULL;
	struct aufile_prm prm = {0};
	if (aufile_open(&af, &prm, path, AUFILE_READ) != 0)
		return GC_EINVAL;
	int rc = prm.srate == PROMPT_RATE && prm.channels == 1 && prm.fmt == AUFMT_S16LE ? GC_OK : GC_EINVAL;
	int16_t *samples = NULL;
	size_t n = 0, cap = 0;
	while (rc == GC_OK) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			int16_t *more = realloc(samples, cap * sizeof(*more));
			if (more == NULL) {
				rc = GC_ENOMEM;
				break;
			}
			samples = more;
		}
		size_t sz = 4096 * sizeof(int16_t);
		if (aufile_read(af, (uint8_t *)(samples + n), &sz) != 0 || sz == 0)
			break;
		n += sz / sizeof(int16_t);
		if (n > max_samples)
			rc = GC_ETOOBIG;
	}
	mem_deref(af);
	struct prompt *p = rc == GC_OK && n > 0 ? malloc(sizeof(*p)) : NULL;
	if (p == NULL) {
		free(samples);
		return rc < 0 ? rc : n == 0 ? GC_EINVAL : GC_ENOMEM;
	}
	*p = (struct prompt){.samples = samples, .n_samples = n, .refs = 1};
	*ret = p;
	return GC_OK;
}
