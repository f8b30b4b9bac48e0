/* An email's attachments from the parser to the store (attachment.h). */
#include "channel/email/attachment.h"
#include "guichet/error.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOTE_MAX 4000
#define WHY_MAX 160

/* One attachment in the spool: its bytes are [offset, offset + size) of the
 * file while it is kept. */
struct entry {
	int64_t offset, size;
	bool seen, dropped, hashed;
	char why[WHY_MAX];
	crypto_hash_sha256_state hash;
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
};

struct email_spool {
	struct store_attachment_limits lim;
	int fd;                  /* -1 until the first byte kept */
	int64_t end;             /* bytes kept in the file: the kept attachments, one after the other */
	struct entry *entries;
	size_t n;
	size_t current;          /* the attachment being written (the parser gives them in order) */
};

int email_spool_new(const struct store_attachment_limits *lim, struct email_spool **ret)
{
	struct email_spool *sp = calloc(1, sizeof(*sp));
	if (sp == NULL)
		return GC_ENOMEM;
	sp->lim = *lim;
	sp->fd = -1;
	sp->current = SIZE_MAX;
	*ret = sp;
	return GC_OK;
}

void email_spool_free(struct email_spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->entries);
	free(sp);
}

/* An unlinked file in $TMPDIR (else /tmp): gone with its descriptor. */
static int spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	char path[4096];
	snprintf(path, sizeof(path), "%s/guichet-spool-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int grow(struct email_spool *sp, size_t index)
{
	if (index < sp->n)
		return GC_OK;
	if (index >= 1u << 20)
		return GC_ETOOBIG;
	struct entry *e = realloc(sp->entries, (index + 1) * sizeof(*e));
	if (e == NULL)
		return GC_ENOMEM;
	memset(e + sp->n, 0, (index + 1 - sp->n) * sizeof(*e));
	sp->entries = e;
	sp->n = index + 1;
	return GC_OK;
}

static void size_text(int64_t bytes, char *ret, size_t len)
{
	if (bytes < 1024 * 1024)
		snprintf(ret, len, "%lld KB", (long long)((bytes + 1023) / 1024));
	else
		snprintf(ret, len, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

/* Drops e: its bytes so far are cut off the file. */
static int drop(struct email_spool *sp, struct entry *e, const char *what, int64_t limit)
{
	char shown[32];
	size_text(limit, shown, sizeof(shown));
	snprintf(e->why, sizeof(e->why), "over this tenant's limit of %s %s", shown, what);
	e->dropped = true;
	sp->end = e->offset;
	if (sp->fd >= 0 && ftruncate(sp->fd, sp->end) < 0)
		return GC_EIO;
	return GC_OK;
}

static int write_all(int fd, const void *data, size_t len, int64_t at)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return GC_EIO;
		p += n;
		at += n;
		len -= (size_t)n;
	}
	return GC_OK;
}

int email_spool_write(void *ctx, size_t index, const void *data, size_t len)
{
	struct email_spool *sp = ctx;
	int rc = grow(sp, index);
	if (rc < 0)
		return rc;
	struct entry *e = &sp->entries[index];
	if (!e->seen) { /* a new attachment starts where the kept ones end */
		e->seen = true;
		e->offset = sp->end;
		crypto_hash_sha256_init(&e->hash);
		sp->current = index;
	}
	if (index != sp->current || e->hashed)
		return GC_EINVAL; /* the parser gives each attachment's bytes in one run */
	int64_t size = e->size + (int64_t)len;
	e->size = size;
	if (e->dropped)
		return GC_OK;
	if (size > sp->lim.max_attachment)
		return drop(sp, e, "per attachment", sp->lim.max_attachment);
	if (sp->end + (int64_t)len > sp->lim.max_message)
		return drop(sp, e, "for the attachments of one message", sp->lim.max_message);
	if (sp->fd < 0 && (sp->fd = spool_open()) < 0)
		return GC_EIO;
	if ((rc = write_all(sp->fd, data, len, sp->end)) < 0)
		return rc;
	sp->end += (int64_t)len;
	crypto_hash_sha256_update(&e->hash, data, len);
	return GC_OK;
}

/* The entry of attachment i, its hash finished; an empty attachment (no
 * byte came) gets one here. NULL when out of memory. */
static struct entry *finished(struct email_spool *sp, size_t i)
{
	if (grow(sp, i) < 0)
		return NULL;
	struct entry *e = &sp->entries[i];
	if (!e->seen) {
		e->seen = true;
		e->offset = sp->end;
		crypto_hash_sha256_init(&e->hash);
	}
	if (!e->hashed && !e->dropped) {
		unsigned char digest[crypto_hash_sha256_BYTES];
		crypto_hash_sha256_final(&e->hash, digest);
		sodium_bin2hex(e->hex, sizeof(e->hex), digest, sizeof(digest));
		e->hashed = true;
	}
	return e;
}

static int store_failed(const struct ops *o, int rc, struct ops_error *err)
{
	err->rc = rc;
	snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
	return rc;
}

/* Copies one kept attachment from the spool into the store, a chunk at a time. */
static int keep(const struct ops *o, const struct store_scope *scope, const struct store_attachment *row,
		const struct email_spool *sp, const struct entry *e, unsigned char *buf, struct ops_error *err)
{
	int64_t id = 0;
	int rc = store_attachment_add(o->db, scope, row, &id);
	if (rc < 0)
		return store_failed(o, rc, err);
	for (int64_t done = 0, seq = 0; done < e->size; seq++) {
		size_t want = e->size - done < STORE_ATTACHMENT_CHUNK ? (size_t)(e->size - done) : STORE_ATTACHMENT_CHUNK;
		for (size_t got = 0; got < want;) {
			ssize_t n = pread(sp->fd, buf + got, want - got, e->offset + done + (int64_t)got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err->rc = GC_EIO;
				snprintf(err->message, sizeof(err->message), "cannot read the attachments' spool");
				return GC_EIO;
			}
			got += (size_t)n;
		}
		if ((rc = store_attachment_chunk(o->db, scope, id, seq, buf, want)) < 0)
			return store_failed(o, rc, err);
		done += (int64_t)want;
	}
	return GC_OK;
}

/* Adds a line about a dropped attachment to note (at most NOTE_MAX bytes). */
static void note_line(char *note, size_t *len, size_t *n_cut, const struct email_attachment *a, int64_t size,
		      const char *why)
{
	char shown[32], line[512];
	size_text(size, shown, sizeof(shown));
	int n = snprintf(line, sizeof(line), "\n- %.200s (%.60s, %s): %s", a->filename ? a->filename : "(no name)",
			 a->content_type ? a->content_type : "application/octet-stream", shown, why);
	if (n < 0 || *len + (size_t)n >= NOTE_MAX) {
		(*n_cut)++;
		return;
	}
	memcpy(note + *len, line, (size_t)n + 1);
	*len += (size_t)n;
}

int email_attachments_take(const struct ops *o, const struct store_scope *scope, int64_t contact_id,
			   const struct email *e, const struct email_spool *csp, struct ops_error *err)
{
	*err = (struct ops_error){0};
	if (e->n_attachments == 0)
		return GC_OK;
	struct email_spool *sp = (struct email_spool *)csp; /* hashes are finished here, once */
	int64_t message_id = 0;
	int rc = store_contact_last_inbound(o->db, scope, contact_id, &message_id);
	if (rc < 0)
		return store_failed(o, rc, err);
	unsigned char *buf = malloc(STORE_ATTACHMENT_CHUNK);
	char note[NOTE_MAX] = "Attachments not kept:";
	size_t note_len = strlen(note), n_dropped = 0, n_cut = 0;
	if (buf == NULL)
		return err->rc = GC_ENOMEM;
	for (size_t i = 0; rc == GC_OK && i < e->n_attachments; i++) {
		const struct email_attachment *a = &e->attachments[i];
		struct entry *en = sp ? finished(sp, i) : NULL;
		if (sp && en == NULL) {
			rc = err->rc = GC_ENOMEM;
			break;
		}
		if (en == NULL || en->dropped) {
			note_line(note, &note_len, &n_cut, a, en ? en->size : (int64_t)a->size,
				  en ? en->why : "the mail thread could not spool it");
			n_dropped++;
			continue;
		}
		struct store_attachment row = {.contact_id = contact_id, .message_id = message_id, .filename = a->filename,
					       .content_type = a->content_type ? a->content_type : "application/octet-stream",
					       .size = en->size, .sha256 = en->hex};
		/* in a savepoint of its own: one the spool cannot give back is noted, not half kept */
		if ((rc = store_savepoint(o->db)) < 0) {
			store_failed(o, rc, err);
			break;
		}
		rc = keep(o, scope, &row, sp, en, buf, err);
		if (rc == GC_OK) {
			store_release(o->db);
			continue;
		}
		store_rollback_to(o->db);
		if (rc == GC_EIO) {
			note_line(note, &note_len, &n_cut, a, en->size, "the mail thread could not read it back from its spool");
			n_dropped++;
			*err = (struct ops_error){0};
			rc = GC_OK;
		}
	}
	free(buf);
	if (rc < 0 || n_dropped == 0)
		return rc;
	if (n_cut > 0)
		snprintf(note + note_len, sizeof(note) - note_len, "\n- and %zu more", n_cut);
	struct message_input in = {.body = note};
	json_t *added = NULL;
	if ((rc = ops_message_add(o, scope, contact_id, &in, true, &added, err)) < 0)
		return rc;
	json_decref(added);
	return GC_OK;
}
