/* Calls' recordings (recorder.h): the window each recording fills on the
 * telephony thread, and the one thread that writes the chunks, completes
 * the files and reports them. A recording's window and clock belong to the
 * telephony thread; its file (fd, bytes written) to the recorder's thread,
 * which frees it after its close. */
#include "channel/voice/recorder.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <re_types.h>
#include <rem_g711.h>

#define CHANNELS 2
#define FRAME_BYTES (CHANNELS * 2)
#define WINDOW ((int64_t)RECORDER_RATE * RECORDER_WINDOW_MS / 1000)
#define LAG ((int64_t)RECORDER_RATE * RECORDER_LAG_MS / 1000)
#define MAX_FRAMES ((int64_t)RECORDER_RATE * RECORDER_MAX_MS / 1000)
#define WAV_HEADER 44

struct recording {
	struct recorder *r;
	struct recorder_info info;
	/* the telephony thread's */
	uint64_t start_ms;
	int16_t (*window)[CHANNELS]; /* frames [flushed, flushed + WINDOW), at index % WINDOW */
	int64_t flushed;           /* frames handed to the thread */
	int64_t high;              /* the end of the last sample placed */
	bool synced[CHANNELS];
	int64_t base[CHANNELS];    /* where the side's first timestamp sits */
	uint32_t ts0[CHANNELS];
	/* the recorder thread's */
	int fd;
	int64_t frames;            /* written */
	bool failed;
};

enum op_kind { OP_DATA, OP_CLOSE };
struct op {
	enum op_kind kind;
	struct recording *rec;
	int64_t n_frames;          /* DATA: frames in data */
	int16_t *data;
	struct op *next;
};

struct recorder {
	char dir[1024];
	recorder_done_fn done;
	void *arg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct op *head, *tail;
	bool stopping;
	atomic_uint_fast64_t seq;
};

static void submit(struct recorder *r, struct op *op)
{
	op->next = NULL;
	pthread_mutex_lock(&r->lock);
	if (r->tail)
		r->tail->next = op;
	else
		r->head = op;
	r->tail = op;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

/* --- the telephony thread --- */

struct recording *recording_open(struct recorder *r, const struct recorder_info *who, uint64_t now_ms)
{
	struct recording *rec = calloc(1, sizeof(*rec));
	if (rec == NULL || (rec->window = calloc((size_t)WINDOW, sizeof(*rec->window))) == NULL) {
		free(rec);
		return NULL;
	}
	rec->r = r;
	rec->info = *who;
	rec->info.started_at = gc_now_ms();
	snprintf(rec->info.path, sizeof(rec->info.path), "t%lld-c%lld-%lld-%llu.wav", (long long)who->tenant_id,
		 (long long)who->contact_id, (long long)rec->info.started_at,
		 (unsigned long long)atomic_fetch_add(&r->seq, 1));
	rec->start_ms = now_ms;
	rec->fd = -1;
	return rec;
}

/* Frames [flushed, upto) to the thread, their place in the window cleared. */
static void flush_to(struct recording *rec, int64_t upto)
{
	if (upto > MAX_FRAMES)
		upto = MAX_FRAMES;
	if (upto <= rec->flushed)
		return;
	int64_t n = upto - rec->flushed;
	struct op *op = calloc(1, sizeof(*op));
	int16_t *data = malloc((size_t)n * FRAME_BYTES);
	if (op == NULL || data == NULL) {
		free(op);
		free(data);
		rec->info.rc = GC_ENOMEM; /* a hole would lie about the call: the file is dropped */
	} else {
		*op = (struct op){.kind = OP_DATA, .rec = rec, .n_frames = n, .data = data};
	}
	for (int64_t i = 0; i < n; i++) {
		int16_t *frame = rec->window[(rec->flushed + i) % WINDOW];
		if (data) {
			data[2 * i] = frame[0];
			data[2 * i + 1] = frame[1];
		}
		frame[0] = frame[1] = 0;
	}
	rec->flushed = upto;
	if (op)
		submit(rec->r, op);
}

void recording_put(struct recording *rec, int side, uint32_t ts, uint64_t now_ms, const uint8_t *g711, size_t len,
		   int pt)
{
	if (rec == NULL || (side != 0 && side != 1) || len == 0 || len > (size_t)WINDOW / 2)
		return;
	int64_t now = (int64_t)(now_ms - rec->start_ms) * RECORDER_RATE / 1000;
	int64_t arrived = now - (int64_t)len > 0 ? now - (int64_t)len : 0; /* its start, had it just arrived */
	int64_t at = rec->base[side] + (int32_t)(ts - rec->ts0[side]);
	if (!rec->synced[side] || at < rec->flushed || at < arrived - WINDOW / 2 || at > arrived + WINDOW / 2) {
		rec->synced[side] = true; /* placed again where it arrives */
		rec->base[side] = at = arrived < rec->flushed ? rec->flushed : arrived;
		rec->ts0[side] = ts;
	}
	if (at + (int64_t)len > rec->flushed + WINDOW)
		flush_to(rec, at + (int64_t)len - WINDOW);
	for (size_t i = 0; i < len && at + (int64_t)i < MAX_FRAMES; i++)
		rec->window[(at + (int64_t)i) % WINDOW][side] = pt == 8 ? g711_alaw2pcm(g711[i]) : g711_ulaw2pcm(g711[i]);
	if (at + (int64_t)len > rec->high)
		rec->high = at + (int64_t)len;
	if (now - LAG > rec->flushed)
		flush_to(rec, now - LAG);
}

void recording_close(struct recording *rec, uint64_t now_ms)
{
	if (rec == NULL)
		return;
	int64_t now = (int64_t)(now_ms - rec->start_ms) * RECORDER_RATE / 1000;
	flush_to(rec, now > rec->high ? now : rec->high);
	free(rec->window);
	rec->window = NULL;
	struct op *op = calloc(1, sizeof(*op));
	if (op == NULL) {
		/* the thread cannot be told: the file stays a .part, swept at the next start */
		return;
	}
	*op = (struct op){.kind = OP_CLOSE, .rec = rec};
	submit(rec->r, op);
}

/* --- the recorder's thread --- */

static void put_le(uint8_t *at, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		at[i] = (uint8_t)(v >> (8 * i));
}

/* The RIFF/WAVE header of frames frames of 8 kHz 16-bit stereo. */
static void wav_header(uint8_t h[WAV_HEADER], int64_t frames)
{
	uint32_t data = (uint32_t)(frames * FRAME_BYTES);
	memcpy(h, "RIFF", 4);
	put_le(h + 4, 36 + data, 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le(h + 16, 16, 4);
	put_le(h + 20, 1, 2); /* PCM */
	put_le(h + 22, CHANNELS, 2);
	put_le(h + 24, RECORDER_RATE, 4);
	put_le(h + 28, RECORDER_RATE * FRAME_BYTES, 4);
	put_le(h + 32, FRAME_BYTES, 2);
	put_le(h + 34, 16, 2);
	memcpy(h + 36, "data", 4);
	put_le(h + 40, data, 4);
}

static bool write_all(int fd, const void *buf, size_t len, off_t at)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
		at += n;
	}
	return true;
}

static void part_path(const struct recorder *r, const struct recording *rec, char *ret, size_t len, bool part)
{
	snprintf(ret, len, "%s/%s%s", r->dir, rec->info.path, part ? ".part" : "");
}

static void write_data(struct recorder *r, struct recording *rec, const int16_t *data, int64_t n)
{
	if (rec->failed)
		return;
	if (rec->fd < 0) {
		char path[1200];
		part_path(r, rec, path, sizeof(path), true);
		rec->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		uint8_t h[WAV_HEADER];
		wav_header(h, 0);
		if (rec->fd < 0 || !write_all(rec->fd, h, sizeof(h), 0)) {
			rec->failed = true;
			return;
		}
	}
	uint8_t buf[8192];
	for (int64_t done = 0; done < n;) { /* little-endian on any host */
		int64_t k = n - done < (int64_t)sizeof(buf) / FRAME_BYTES ? n - done : (int64_t)sizeof(buf) / FRAME_BYTES;
		for (int64_t i = 0; i < k * CHANNELS; i++)
			put_le(buf + 2 * i, (uint16_t)data[done * CHANNELS + i], 2);
		if (!write_all(rec->fd, buf, (size_t)(k * FRAME_BYTES), WAV_HEADER + (rec->frames + done) * FRAME_BYTES)) {
			rec->failed = true;
			return;
		}
		done += k;
	}
	rec->frames += n;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The header completed, the file made durable under its name, reported. */
static void finish(struct recorder *r, struct recording *rec)
{
	char part[1200], path[1200];
	part_path(r, rec, part, sizeof(part), true);
	part_path(r, rec, path, sizeof(path), false);
	if (rec->fd < 0 && !rec->failed && rec->info.rc == 0)
		write_data(r, rec, NULL, 0); /* nothing heard: an empty recording still says so */
	uint8_t h[WAV_HEADER];
	wav_header(h, rec->frames);
	bool ok = !rec->failed && rec->info.rc == 0 && rec->fd >= 0 && write_all(rec->fd, h, sizeof(h), 0) &&
		  fsync(rec->fd) == 0;
	if (rec->fd >= 0)
		close(rec->fd);
	ok = ok && rename(part, path) == 0 && fsync_dir(r->dir) == 0;
	if (!ok) {
		unlink(part);
		unlink(path);
		if (rec->info.rc == 0)
			rec->info.rc = GC_EIO;
	}
	rec->info.duration_ms = rec->frames * 1000 / RECORDER_RATE;
	rec->info.bytes = ok ? WAV_HEADER + rec->frames * FRAME_BYTES : 0;
	r->done(&rec->info, r->arg);
	free(rec);
}

static void *recorder_main(void *arg)
{
	struct recorder *r = arg;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->head == NULL && !r->stopping)
			pthread_cond_wait(&r->wake, &r->lock);
		struct op *op = r->head;
		if (op == NULL)
			break;
		r->head = op->next;
		if (r->head == NULL)
			r->tail = NULL;
		pthread_mutex_unlock(&r->lock);
		if (op->kind == OP_DATA)
			write_data(r, op->rec, op->data, op->n_frames);
		else
			finish(r, op->rec);
		free(op->data);
		free(op);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int recorder_start(const char *dir, recorder_done_fn done, void *arg, struct recorder **ret)
{
	struct recorder *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return GC_ENOMEM;
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	r->done = done;
	r->arg = arg;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pthread_create(&r->thread, NULL, recorder_main, r) != 0) {
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return GC_ENOMEM;
	}
	*ret = r;
	return GC_OK;
}

void recorder_stop(struct recorder *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

int recorder_sweep(const char *dir, struct store *db)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return GC_EIO;
	int n = 0, rc = GC_OK;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		bool known = true;
		if (ends_with(e->d_name, ".part"))
			known = false;
		else if (ends_with(e->d_name, ".wav") && (rc = store_recording_known(db, e->d_name, &known)) < 0)
			break;
		if (known)
			continue;
		char path[1400];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	return rc < 0 ? rc : n;
}
