/* A guichet SQLite file read as one snapshot (snapshot.h): the read-only
 * connection, its read transaction, and the checks that it is a guichet
 * database this build knows. backup.c and migrate.c both start here, so
 * they accept and refuse the same files with the same words. */
#include "store/snapshot.h"
#include "store/store.h"
#include "guichet/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 10000
#define SHM_DMS_BYTE 128            /* unix VFS: the -shm byte every open connection read-locks */
#define SHARED_FIRST (0x40000000 + 2) /* unix VFS: the database file's shared-lock range */
#define SHARED_SIZE 510

/* The one integer a pragma or query answers; -1 on error. */
static int64_t query_int(sqlite3 *db, const char *sql, int *ret_sqlite_rc)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	*ret_sqlite_rc = rc;
	return v;
}

int snapshot_open(const char *path, sqlite3 **ret_db, char *errmsg, size_t errmsg_len)
{
	if (access(path, F_OK) != 0) {
		snprintf(errmsg, errmsg_len, "%s: %s", path, strerror(errno));
		return GC_ENOTFOUND;
	}
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	}
	int qrc = rc;
	if (rc == SQLITE_OK) /* the first read: the snapshot starts here */
		query_int(db, "SELECT count(*) FROM sqlite_schema", &qrc);
	if (qrc != SQLITE_OK) {
		snprintf(errmsg, errmsg_len, "%s is not a guichet database (%s)", path,
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(qrc));
		sqlite3_close(db);
		return qrc == SQLITE_NOTADB ? GC_EINVAL : GC_EIO;
	}
	*ret_db = db;
	return GC_OK;
}

int snapshot_check(sqlite3 *db, const char *path, int *ret_version, char *errmsg, size_t errmsg_len)
{
	int rc;
	int64_t tables = query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
				       "name IN ('tenants', 'users', 'contacts', 'contact_events')", &rc);
	int64_t version = rc == SQLITE_OK ? query_int(db, "PRAGMA user_version", &rc) : -1;
	if (rc != SQLITE_OK) {
		snprintf(errmsg, errmsg_len, "%s: %s", path, sqlite3_errmsg(db));
		return GC_EIO;
	}
	if (tables != 4 || version < 1) {
		snprintf(errmsg, errmsg_len, "%s is not a guichet database (an SQLite file without guichet's tables)",
			 path);
		return GC_EINVAL;
	}
	if (version > store_schema_version()) {
		snprintf(errmsg, errmsg_len, "%s has schema version %lld, newer than the %d this guichet knows: "
			 "use a newer guichet", path, (long long)version, store_schema_version());
		return GC_ESCHEMA;
	}
	*ret_version = (int)version;
	return GC_OK;
}

/* True when another process holds a POSIX lock that would conflict with a
 * write lock on [start, start + len) of path. */
static bool locked_by_other(const char *path, off_t start, off_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	bool held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

/* In WAL mode each connection keeps a read lock on the -shm file's DMS
 * byte, and a shared lock on the file itself. */
bool snapshot_held_by_process(const char *db_path)
{
	char shm[4096];
	if ((size_t)snprintf(shm, sizeof(shm), "%s-shm", db_path) >= sizeof(shm))
		return false;
	return locked_by_other(shm, SHM_DMS_BYTE, 1) || locked_by_other(db_path, SHARED_FIRST, SHARED_SIZE);
}

void snapshot_close(sqlite3 *db)
{
	if (db == NULL)
		return;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
}
