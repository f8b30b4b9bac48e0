/* Calls' recordings: the bridged conversation written to a WAV file beside
 * the store, 8 kHz, 16-bit, two channels (left the caller, right the
 * agent). Two channels rather than one mixed track: each voice stays whole
 * (no clipping where both speak, no gain to choose), a listener can mute
 * either, and the caller's channel is exactly the relayed audio decoded.
 *
 * The telephony thread places each relayed packet's samples (G.711
 * decoded) in the recording's window of RECORDER_WINDOW_MS, at its place
 * on the recording's clock (its RTP timestamp from the side's first
 * packet, which sits where it arrived; a side whose timestamps leap or go
 * back is placed again where it arrives). What is older than
 * RECORDER_LAG_MS is final: handed as a chunk to the recorder's one thread,
 * which writes it; no disk write is ever on the 20 ms path.
 *
 * A file is written as NAME.part, then at its close its header completed,
 * fsynced, renamed NAME and its folder fsynced: only then is done called,
 * which commits its row (calls.h). A crash leaves .part files or whole
 * files no row names: recorder_sweep removes both at the next start. */
#ifndef GUICHET_CHANNEL_VOICE_RECORDER_H
#define GUICHET_CHANNEL_VOICE_RECORDER_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct recorder;
struct recording;

#define RECORDER_RATE 8000
#define RECORDER_WINDOW_MS 2000
#define RECORDER_LAG_MS 500
#define RECORDER_MAX_MS (4LL * 3600 * 1000) /* a call longer than 4 hours is cut there */
#define RECORDER_PATH_MAX 96

/* Who a recording is of, and (in done) what was written. */
struct recorder_info {
	int64_t tenant_id, contact_id, queue_id, agent_id;
	int64_t started_at;        /* ms since the epoch */
	int64_t duration_ms, bytes;
	char path[RECORDER_PATH_MAX]; /* the file's name in the folder */
	int rc;                    /* 0, or the error that lost the file (nothing is kept then) */
};
/* Called on the recorder's thread once a file is whole (or lost). */
typedef void (*recorder_done_fn)(const struct recorder_info *info, void *arg);

/* The thread that writes into dir (which exists). */
int recorder_start(const char *dir, recorder_done_fn done, void *arg, struct recorder **ret);
/* Writes and closes what was closed, then stops and frees. NULL is fine. */
void recorder_stop(struct recorder *r);

/* A new recording (the telephony thread): its clock starts at now_ms (any
 * monotonic milliseconds). NULL when out of memory. */
struct recording *recording_open(struct recorder *r, const struct recorder_info *who, uint64_t now_ms);
/* One packet of side (0 the caller, 1 the agent): G.711 (pt 0 PCMU, 8 PCMA)
 * with its RTP timestamp, arrived at now_ms. */
void recording_put(struct recording *rec, int side, uint32_t ts, uint64_t now_ms, const uint8_t *g711, size_t len,
		   int pt);
/* The end: the file is completed on the recorder's thread; rec is gone. */
void recording_close(struct recording *rec, uint64_t now_ms);

/* Removes from dir the .part files and the .wav files no row names (at
 * start, before any call): how many went, or a negative code. */
int recorder_sweep(const char *dir, struct store *db);

#endif
