/* Backup and restore of a SQLite database file, while a daemon may serve it.
 *
 * The copy is SQLite's online backup (sqlite3_backup_init/step/finish), a
 * bounded number of pages per step. The idea that makes it a snapshot: the
 * source connection opens one read transaction before the first step and
 * keeps it to the last. In WAL mode a reader never blocks the daemon's
 * writer, and a transaction that stays open sees one state of the file, so
 * no step ever restarts and the copy holds exactly what was committed when
 * the backup began (the WAL grows meanwhile; the daemon's next checkpoint
 * after the backup catches up).
 *
 * Either copy is written the same way, so bad input or a crash leaves
 * nothing half-written where the caller looks:
 *   checks ─▶ copy into "TARGET.tmp-XXXXXX" (same folder, mode 0600)
 *          ─▶ fsync ─▶ stale TARGET-wal/-shm removed ─▶ rename ─▶ fsync folder
 * (write_copy). A new file has mode 0600 (it holds password hashes); one
 * that replaces a file keeps that file's owner and mode. A kill -9 before the rename leaves the target as it was and
 * at most a .tmp- file beside it; the source is only ever read.
 *
 * A restore refuses a target that a process has open (snapshot_held_by_process: the
 * locks every SQLite connection in WAL mode keeps), one that is not empty
 * unless forced, and a source that is not a guichet database of a schema
 * version this build knows or that fails PRAGMA integrity_check
 * (snapshot.c, and check_integrity). */
#include "guichet/error.h"
#include "store/snapshot.h"
#include "store/store.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_STEP_PAGES 256
#define BUSY_LIMIT_MS 30000         /* how long a step may keep answering "busy" */

static int fail(struct store_copy *c, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

static bool is_postgres_url(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

/* False when path is absent, or empty with no WAL beside it. */
static bool has_content(const char *path)
{
	char wal[4096];
	struct stat st;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	return (stat(path, &st) == 0 && st.st_size > 0) || (stat(wal, &st) == 0 && st.st_size > 0);
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* PRAGMA integrity_check answers the single row "ok", or its first problem. */
static int check_integrity(struct store_copy *c, sqlite3 *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *answer = (const char *)sqlite3_column_text(st, 0);
		rc = answer && strcmp(answer, "ok") == 0
			     ? GC_OK
			     : fail(c, GC_EINVAL, "%s fails the integrity check: %s", path, answer ? answer : "?");
	} else {
		rc = fail(c, GC_EINVAL, "%s fails the integrity check: %s", path, sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return rc;
}

/* Copies src into the empty file at tmp, step_pages at a time. */
static int copy_pages(struct store_copy *c, sqlite3 *src, const char *tmp)
{
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(c, GC_EIO, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto out_close;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		rc = fail(c, GC_ESTORE, "backup: %s", sqlite3_errmsg(dst));
		goto out_close;
	}
	int step = c->step_pages > 0 ? c->step_pages : DEFAULT_STEP_PAGES, busy_ms = 0;
	do {
		rc = sqlite3_backup_step(b, step);
		if (rc == SQLITE_OK && c->pause_ms > 0)
			sqlite3_sleep(c->pause_ms);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			busy_ms += sqlite3_sleep(10);
	} while ((rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && busy_ms < BUSY_LIMIT_MS);
	c->pages = sqlite3_backup_pagecount(b);
	int frc = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE || frc != SQLITE_OK) {
		rc = fail(c, rc == SQLITE_BUSY ? GC_EBUSY : GC_EIO, "copy into %s: %s", tmp,
			  sqlite3_errstr(rc == SQLITE_DONE ? frc : rc));
		goto out_close;
	}
	/* one self-contained file: the copy took the source's WAL flag */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) == SQLITE_OK
		     ? GC_OK
		     : fail(c, GC_EIO, "%s: %s", tmp, sqlite3_errmsg(dst));
out_close:
	if (sqlite3_close(dst) != SQLITE_OK && rc == GC_OK)
		rc = fail(c, GC_EIO, "%s: cannot close", tmp);
	return rc;
}

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Puts the finished copy tmp in target's place: on disk first, then the
 * target's stale WAL and shared memory away (a WAL left beside the new file
 * would be replayed into it), then the rename, then the folder on disk. */
static int install(struct store_copy *c, const char *tmp, const char *target)
{
	struct stat old;
	if (stat(target, &old) == 0) { /* the daemon's user must still be able to open it */
		if (chmod(tmp, old.st_mode & 07777) < 0 ||
		    ((old.st_uid != geteuid() || old.st_gid != getegid()) && chown(tmp, old.st_uid, old.st_gid) < 0))
			return fail(c, GC_EIO, "cannot give the copy the owner and mode of %s: %s", target,
				    strerror(errno));
	}
	if (fsync_path(tmp, O_RDONLY) < 0)
		return fail(c, GC_EIO, "%s: %s", tmp, strerror(errno));
	char side[4096], dir[4096];
	for (int i = 0; i < 2; i++) {
		snprintf(side, sizeof(side), "%s%s", target, i ? "-shm" : "-wal");
		if (unlink(side) < 0 && errno != ENOENT)
			return fail(c, GC_EIO, "%s: %s", side, strerror(errno));
	}
	if (rename(tmp, target) < 0)
		return fail(c, GC_EIO, "%s: %s", target, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", target);
	if (fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY) < 0)
		return fail(c, GC_EIO, "%s: %s", dir, strerror(errno));
	return GC_OK;
}

/* Removes a failed copy and whatever SQLite kept beside it. */
static void remove_files(const char *tmp)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	char path[4096 + 16];
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", tmp, suffixes[i]);
		unlink(path);
	}
}

/* Copies the open source into target by way of a temporary file beside it. */
static int write_copy(struct store_copy *c, sqlite3 *src, const char *target)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", target) >= sizeof(tmp))
		return fail(c, GC_EINVAL, "%s: path too long", target);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return fail(c, GC_EIO, "cannot create a file beside %s: %s", target, strerror(errno));
	close(fd);
	int rc = copy_pages(c, src, tmp);
	if (rc == GC_OK)
		rc = install(c, tmp, target);
	if (rc < 0)
		remove_files(tmp);
	return rc;
}

/* The checks both directions share on paths, before anything is opened. */
static int check_paths(struct store_copy *c, const char *from, const char *to, const char *to_option)
{
	if (is_postgres_url(from) || is_postgres_url(to))
		return fail(c, GC_EINVAL, "a PostgreSQL database is backed up with pg_dump and restored with "
			    "pg_restore (pg_dump -Fc -f FILE.dump URL; pg_restore --no-owner -d URL FILE.dump); "
			    "guichet admin backup and restore copy SQLite files");
	if (same_file(from, to))
		return fail(c, GC_EINVAL, "%s: the same file as the source", to_option);
	if (snapshot_held_by_process(to))
		return fail(c, GC_EBUSY, "%s: %s is open in a running process (guichetd?): stop it first",
			    to_option, to);
	if (has_content(to) && !c->force)
		return fail(c, GC_ECONFLICT, "%s: %s exists and is not empty: pass --force to replace it",
			    to_option, to);
	return GC_OK;
}

int store_backup(const char *db_path, const char *to_path, struct store_copy *c)
{
	c->errmsg[0] = '\0';
	int rc = check_paths(c, db_path, to_path, "--to");
	if (rc < 0)
		return rc;
	sqlite3 *src = NULL;
	if ((rc = snapshot_open(db_path, &src, c->errmsg, sizeof(c->errmsg))) < 0)
		return rc;
	if ((rc = snapshot_check(src, db_path, &c->schema_version, c->errmsg, sizeof(c->errmsg))) == GC_OK)
		rc = write_copy(c, src, to_path);
	snapshot_close(src);
	return rc;
}

int store_restore(const char *from_path, const char *db_path, struct store_copy *c)
{
	c->errmsg[0] = '\0';
	int rc = check_paths(c, from_path, db_path, "--db");
	if (rc < 0)
		return rc;
	sqlite3 *src = NULL;
	if ((rc = snapshot_open(from_path, &src, c->errmsg, sizeof(c->errmsg))) < 0)
		return rc;
	if ((rc = snapshot_check(src, from_path, &c->schema_version, c->errmsg, sizeof(c->errmsg))) == GC_OK &&
	    (rc = check_integrity(c, src, from_path)) == GC_OK)
		rc = write_copy(c, src, db_path);
	snapshot_close(src);
	return rc;
}
