/* A tenant's own recordings of its prompts over HTTP (permission
 * channels.manage): POST /api/v1/channels/voice/prompts?name=NAME with a
 * WAV file as the body (channel/voice/wav.h: 16-bit PCM, mono or stereo,
 * 8 to 48 kHz, a minute at most, VOICE_WAV_MAX_BYTES), kept at 8 kHz mono
 * in the store; GET the list, one, its audio (audio/wav, as the callers
 * hear it); DELETE one that no number's menu or greeting and no queue's music names
 * (409 naming "recording": refused rather than the reference cleared, so
 * that no queue loses its music unnoticed). A menu names a recording by its id ("recording", menu.h); the
 * id of another tenant's recording is no recording of this one (404 here,
 * 422 in a menu). The header is read on the worker (prepare), so a file
 * that is not one is refused before the writer sees it; the writer
 * resamples and stores it. */
#include "daemon/handlers.h"
#include "channel/voice/menu.h"
#include "channel/voice/wav.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROMPT_NAME_MAX 100

/* The body's bytes, contiguous (NULL when empty). */
static const uint8_t *body_bytes(struct request *r, size_t *ret_len)
{
	struct evbuffer *b = conn_body_buffer(r->conn);
	*ret_len = b ? evbuffer_get_length(b) : 0;
	return *ret_len ? evbuffer_pullup(b, -1) : NULL;
}

static bool wav_type(const char *type)
{
	static const char *const types[] = {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"};
	for (size_t i = 0; type && i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i]);
		if (strncasecmp(type, types[i], n) == 0 && (type[n] == '\0' || type[n] == ';' || type[n] == ' '))
			return true;
	}
	return false;
}

/* The upload checked: its name and WAV; answered (true) when it cannot be taken. */
static bool bad_upload(struct request *r, struct voice_wav *ret_wav)
{
	const char *name = query_get(r, "name");
	if (name == NULL || *name == '\0' || strlen(name) > PROMPT_NAME_MAX || !gc_text_is_clean(name, false))
		return reply_error(r, 400, "invalid", "name", "'name' (in the query) is a text of 1 to %d bytes",
				   PROMPT_NAME_MAX), true;
	if (!wav_type(conn_header(r->conn, "Content-Type")))
		return reply_error(r, 415, "unsupported_media_type", "Content-Type", "send the recording as audio/wav"),
		       true;
	size_t len = 0;
	const uint8_t *bytes = body_bytes(r, &len);
	const char *why = NULL;
	int rc = bytes ? voice_wav_parse(bytes, len, ret_wav, &why) : GC_EINVAL;
	if (rc == GC_ETOOBIG)
		return reply_error(r, 413, "too_large", "file", "%s", why), true;
	if (rc < 0)
		return reply_error(r, 400, "invalid", "file", "%s (16-bit PCM, mono or stereo, 8,000 to 48,000 Hz)",
				   why ? why : "send the WAV file as the request's body"), true;
	return false;
}

int prepare_voice_prompt(struct request *r, struct store *db)
{
	struct voice_wav wav;
	return bad_upload(r, &wav);
}

int run_voice_prompt_create(struct request *r, struct store *db)
{
	struct voice_wav wav;
	if (bad_upload(r, &wav)) /* checked by prepare: the same answer */
		return GC_EINVAL;
	int64_t n = 0;
	int rc = store_voice_prompt_count(db, &r->scope, &n);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (n >= STORE_VOICE_PROMPTS_MAX)
		return reply_error(r, 409, "conflict", "name", "a tenant keeps at most %d recordings: remove one first",
				   STORE_VOICE_PROMPTS_MAX);
	int16_t *samples = NULL;
	size_t n_samples = 0;
	if ((rc = voice_wav_to_8k(&wav, &samples, &n_samples)) < 0)
		return rc == GC_ENOMEM ? reply_error(r, 503, "out_of_memory", NULL, "try again")
				       : reply_error(r, 400, "invalid", "file", "the recording holds no sound");
	int64_t id = 0;
	rc = store_voice_prompt_create(db, &r->scope, query_get(r, "name"), samples, n_samples, &id);
	free(samples);
	json_t *row = NULL;
	if (rc == GC_OK)
		rc = store_voice_prompt_get(db, &r->scope, id, &row);
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "name" : NULL) : reply(r, 201, row);
}

int run_voice_prompt_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_voice_prompt_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_voice_prompt_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_voice_prompt_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "recording") : reply(r, 200, row);
}

int run_voice_prompt_audio(struct request *r, struct store *db)
{
	int16_t *samples = NULL;
	size_t n = 0;
	int rc = store_voice_prompt_audio(db, &r->scope, r->ids[0], &samples, &n);
	if (rc < 0)
		return reply_store_error(r, db, rc, "recording");
	struct evbuffer *body = evbuffer_new();
	uint8_t header[44];
	voice_wav_header(n, header);
	uint8_t *data = malloc(n * 2);
	if (body == NULL || data == NULL || evbuffer_add(body, header, sizeof(header)) != 0) {
		if (body)
			evbuffer_free(body);
		free(data);
		free(samples);
		return reply_error(r, 503, "out_of_memory", NULL, "try again");
	}
	for (size_t i = 0; i < n; i++) {
		data[2 * i] = (uint8_t)((uint16_t)samples[i] & 0xff);
		data[2 * i + 1] = (uint8_t)((uint16_t)samples[i] >> 8);
	}
	free(samples);
	rc = evbuffer_add(body, data, n * 2);
	free(data);
	if (rc != 0) {
		evbuffer_free(body);
		return reply_error(r, 503, "out_of_memory", NULL, "try again");
	}
	r->content_type = "audio/wav";
	r->status = 200;
	r->resp_body = body;
	return GC_OK;
}

/* The first of the tenant's numbers whose menu or greeting names the recording: its id, 0 when none. */
static int number_naming(struct store *db, const struct store_scope *scope, int64_t id, int64_t *ret)
{
	json_t *list = NULL;
	int rc = store_voice_number_list(db, scope, &list);
	if (rc < 0)
		return rc;
	*ret = 0;
	size_t i;
	json_t *number;
	json_array_foreach(list, i, number) {
		int64_t ids[VOICE_MENU_MAX_RECORDINGS];
		size_t n = 0;
		voice_menu_recordings(json_object_get(number, "menu"), ids, &n);
		for (size_t k = 0; k < n && *ret == 0; k++)
			if (ids[k] == id)
				*ret = json_integer_value(json_object_get(number, "id"));
		if (*ret == 0 && json_integer_value(json_object_get(number, "greeting_recording")) == id)
			*ret = json_integer_value(json_object_get(number, "id"));
	}
	json_decref(list);
	return GC_OK;
}

int run_voice_prompt_delete(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int64_t number = 0;
	int rc = store_voice_prompt_get(db, &r->scope, r->ids[0], &row);
	json_decref(row);
	if (rc == GC_OK)
		rc = number_naming(db, &r->scope, r->ids[0], &number);
	if (rc == GC_OK && number)
		return reply_error(r, 409, "conflict", "recording", "number %lld plays this recording (its menu or"
				   " greeting): change it first", (long long)number);
	int64_t queue = 0;
	if (rc == GC_OK)
		rc = store_voice_queue_music_user(db, &r->scope, r->ids[0], &queue);
	if (rc == GC_OK && queue)
		return reply_error(r, 409, "conflict", "recording", "queue %lld plays this recording as its music:"
				   " change it first", (long long)queue);
	if (rc == GC_OK)
		rc = store_voice_prompt_delete(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "recording");
	r->status = 204;
	return GC_OK;
}
