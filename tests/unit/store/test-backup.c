/* Unit tests of backup and restore (src/store/backup.c) on real files: a
 * backup taken while another connection commits is one consistent
 * snapshot; a restore round-trips; every refusal (non-empty or held target,
 * not a guichet database, a newer schema, a corrupt file, PostgreSQL)
 * leaves the target as it was and no temporary file behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guichet/error.h"
#include "store/store.h"

struct fixture {
	char dir[64], db[96], backup[96], target[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/guichet-backup-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/live.db", f->dir);
	snprintf(f->backup, sizeof(f->backup), "%s/backup.db", f->dir);
	snprintf(f->target, sizeof(f->target), "%s/restored.db", f->dir);
	struct store *s = NULL;
	assert_int_equal(store_open(f->db, STORE_READ_WRITE, &s), GC_OK);
	int64_t tenant;
	assert_int_equal(store_tenant_create(s, "Brand A", NULL, &tenant), GC_OK);
	store_free(s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The files in the fixture's folder whose name starts with prefix. */
static int count_files(const struct fixture *f, const char *prefix)
{
	DIR *d = opendir(f->dir);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long len = ftell(fp);
	rewind(fp);
	char *data = malloc((size_t)len + 1);
	assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	*ret_len = (size_t)len;
	return data;
}

static bool has_tenant(const char *path, const char *name)
{
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_READ_WRITE, &s), GC_OK);
	int64_t id = 0;
	bool found = store_tenant_find(s, name, &id) == GC_OK;
	store_free(s);
	return found;
}

/* --- a backup under writes --- */

struct writer {
	const char *path;
	atomic_long committed;
	atomic_bool stop;
};

/* Commits (a row in t, the counter c.n one up) in one transaction, again and again. */
static void *write_pairs(void *arg)
{
	struct writer *w = arg;
	sqlite3 *db = raw_open(w->path);
	raw_exec(db, "PRAGMA synchronous = OFF");
	while (!atomic_load(&w->stop)) {
		raw_exec(db, "BEGIN IMMEDIATE; INSERT INTO t DEFAULT VALUES; UPDATE c SET n = n + 1; COMMIT");
		atomic_fetch_add(&w->committed, 1);
	}
	sqlite3_close(db);
	return NULL;
}

static void a_backup_under_writes_is_one_snapshot(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = raw_open(f->db);
	/* some 3 MB, so that the copy takes hundreds of steps */
	raw_exec(db, "CREATE TABLE pad(x BLOB); CREATE TABLE t(id INTEGER PRIMARY KEY); CREATE TABLE c(n INTEGER);"
		     "INSERT INTO c VALUES (0);"
		     "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3000) "
		     "INSERT INTO pad SELECT randomblob(1000) FROM k");
	sqlite3_close(db);
	struct writer w = {.path = f->db};
	pthread_t thread;
	pthread_create(&thread, NULL, write_pairs, &w);
	while (atomic_load(&w.committed) < 20)
		usleep(1000);
	long before = atomic_load(&w.committed);
	struct store_copy copy = {.step_pages = 4, .pause_ms = 1};
	int rc = store_backup(f->db, f->backup, &copy);
	long after = atomic_load(&w.committed);
	atomic_store(&w.stop, true);
	pthread_join(thread, NULL);
	assert_int_equal(rc, GC_OK);
	assert_true(copy.pages > 700);
	fprintf(stderr, "# %lld pages; commits: %ld before the backup, %ld when it ended\n", (long long)copy.pages,
		before, after);
	assert_true(after > before + 10); /* the writer was not held back */

	sqlite3 *b = raw_open(f->backup);
	int64_t n = raw_int(b, "SELECT n FROM c"), rows = raw_int(b, "SELECT count(*) FROM t");
	assert_int_equal(rows, n);          /* no transaction in part */
	assert_true(n >= before);           /* every commit before it began */
	assert_true(n < after);             /* and none made while it ran */
	assert_int_equal(raw_int(b, "SELECT count(*) FROM pad"), 3000);
	sqlite3_close(b);

	struct stat st;
	assert_int_equal(stat(f->backup, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600); /* it holds password hashes */
	assert_int_equal(count_files(f, "backup.db"), 1); /* one file: no WAL, no temporary left */
	assert_int_equal(copy.schema_version, store_schema_version());
	assert_true(has_tenant(f->backup, "Brand A"));
}

static void a_backup_refuses_an_existing_file_or_a_missing_database(void **state)
{
	struct fixture *f = *state;
	struct store_copy copy = {0};
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_OK);
	size_t len0, len1;
	char *old = slurp(f->backup, &len0);
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_ECONFLICT);
	assert_non_null(strstr(copy.errmsg, "--force"));
	char *now = slurp(f->backup, &len1);
	assert_true(len0 == len1 && memcmp(old, now, len0) == 0);
	free(now);
	free(old);
	copy.force = true;
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_OK);
	assert_int_equal(store_backup(f->db, f->db, &copy), GC_EINVAL); /* onto itself, even forced */

	char missing[128];
	snprintf(missing, sizeof(missing), "%s/missing.db", f->dir);
	assert_int_equal(store_backup(missing, f->target, &copy), GC_ENOTFOUND);
	assert_int_equal(access(missing, F_OK), -1); /* not created by the attempt */
	assert_int_equal(access(f->target, F_OK), -1);
	assert_int_equal(count_files(f, "restored.db"), 0);
}

/* --- restore --- */

static void a_restore_round_trips(void **state)
{
	struct fixture *f = *state;
	struct store_copy copy = {0};
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_OK);
	assert_int_equal(store_restore(f->backup, f->target, &copy), GC_OK);
	assert_int_equal(copy.schema_version, store_schema_version());
	assert_true(has_tenant(f->target, "Brand A"));
	assert_int_equal(count_files(f, "restored.db.tmp-"), 0);
}

static void a_restore_replaces_a_non_empty_database_only_when_forced(void **state)
{
	struct fixture *f = *state;
	struct store_copy copy = {0};
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_OK);
	/* the target: another database, with a stale WAL beside it */
	struct store *s = NULL;
	assert_int_equal(store_open(f->target, STORE_READ_WRITE, &s), GC_OK);
	int64_t id;
	assert_int_equal(store_tenant_create(s, "Brand B", NULL, &id), GC_OK);
	store_free(s);
	size_t len0, len1;
	char *old = slurp(f->target, &len0);

	assert_int_equal(store_restore(f->backup, f->target, &copy), GC_ECONFLICT);
	assert_non_null(strstr(copy.errmsg, "--force"));
	char *now = slurp(f->target, &len1);
	assert_true(len0 == len1 && memcmp(old, now, len0) == 0);
	free(now);
	free(old);
	assert_int_equal(count_files(f, "restored.db.tmp-"), 0);

	char wal[128];
	snprintf(wal, sizeof(wal), "%s-wal", f->target);
	FILE *fp = fopen(wal, "w");
	fputs("a WAL of the database being replaced: never to be replayed into the new one", fp);
	fclose(fp);
	copy.force = true;
	assert_int_equal(chmod(f->target, 0640), 0);
	assert_int_equal(store_restore(f->backup, f->target, &copy), GC_OK);
	assert_int_equal(access(wal, F_OK), -1);
	struct stat st;
	assert_int_equal(stat(f->target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640); /* the replaced file's mode, not mkstemp's */
	assert_true(has_tenant(f->target, "Brand A"));
	assert_false(has_tenant(f->target, "Brand B"));
}

/* Restoring from from fails with code and a message holding word, and
 * leaves no target and no temporary file. */
static void refused(struct fixture *f, const char *from, int code, const char *word)
{
	struct store_copy copy = {.force = true};
	assert_int_equal(store_restore(from, f->target, &copy), code);
	if (strstr(copy.errmsg, word) == NULL)
		fail_msg("'%s' does not say '%s'", copy.errmsg, word);
	assert_int_equal(count_files(f, "restored.db"), 0);
}

static void a_restore_refuses_what_is_not_a_sound_guichet_database(void **state)
{
	struct fixture *f = *state;
	char path[128];
	snprintf(path, sizeof(path), "%s/notes.txt", f->dir);
	FILE *fp = fopen(path, "w");
	for (int i = 0; i < 200; i++)
		fputs("this is not a database at all\n", fp);
	fclose(fp);
	refused(f, path, GC_EINVAL, "not a guichet database");

	snprintf(path, sizeof(path), "%s/other.db", f->dir); /* SQLite, but not guichet's */
	sqlite3 *db = raw_open(path);
	raw_exec(db, "CREATE TABLE tenants(x); PRAGMA user_version = 3");
	sqlite3_close(db);
	refused(f, path, GC_EINVAL, "not a guichet database");

	struct store_copy copy = {0};
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_OK);
	db = raw_open(f->backup);
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", store_schema_version() + 1);
	raw_exec(db, pragma);
	sqlite3_close(db);
	refused(f, f->backup, GC_ESCHEMA, "newer");

	/* a guichet database with one page of an index zeroed */
	assert_int_equal(unlink(f->backup), 0);
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_OK);
	db = raw_open(f->backup);
	raw_exec(db, "CREATE TABLE junk(a TEXT); CREATE INDEX junk_a ON junk(a);"
		     "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2000) "
		     "INSERT INTO junk SELECT hex(randomblob(20)) FROM k");
	int64_t page = raw_int(db, "SELECT rootpage FROM sqlite_schema WHERE name = 'junk_a'");
	int64_t size = raw_int(db, "PRAGMA page_size");
	sqlite3_close(db);
	fp = fopen(f->backup, "r+b");
	char *zeros = calloc(1, (size_t)size);
	fseek(fp, (long)((page - 1) * size), SEEK_SET);
	fwrite(zeros, 1, (size_t)size, fp);
	fclose(fp);
	free(zeros);
	refused(f, f->backup, GC_EINVAL, "integrity check");

	snprintf(path, sizeof(path), "%s/missing.db", f->dir);
	refused(f, path, GC_ENOTFOUND, "missing.db");
}

static void a_restore_refuses_a_database_another_process_holds(void **state)
{
	struct fixture *f = *state;
	struct store_copy copy = {0};
	assert_int_equal(store_backup(f->db, f->backup, &copy), GC_OK);
	int ready[2], hold[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid_t pid = fork();
	if (pid == 0) { /* a daemon's stand-in: the database open until the pipe closes */
		struct store *s = NULL;
		char c = store_open(f->db, STORE_READ_WRITE, &s) == GC_OK ? 'y' : 'n';
		close(hold[1]);
		if (write(ready[1], &c, 1) != 1 || read(hold[0], &c, 1) < 0)
			_exit(1);
		store_free(s);
		_exit(0);
	}
	close(hold[0]);
	char c = 0;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	size_t len0, len1;
	char *old = slurp(f->db, &len0);
	copy.force = true; /* even forced */
	assert_int_equal(store_restore(f->backup, f->db, &copy), GC_EBUSY);
	assert_non_null(strstr(copy.errmsg, "running process"));
	char *now = slurp(f->db, &len1);
	assert_true(len0 == len1 && memcmp(old, now, len0) == 0);
	free(now);
	free(old);
	close(hold[1]);
	int status = 0;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]);
	close(ready[1]);
	assert_int_equal(store_restore(f->backup, f->db, &copy), GC_OK); /* once it is closed */
}

static void postgresql_urls_get_pg_dump_advice(void **state)
{
	struct fixture *f = *state;
	struct store_copy copy = {0};
	assert_int_equal(store_backup("postgresql://guichet@db.example:5432/guichet", f->backup, &copy), GC_EINVAL);
	assert_non_null(strstr(copy.errmsg, "pg_dump"));
	assert_int_equal(store_restore(f->db, "postgres://guichet@db.example/guichet", &copy), GC_EINVAL);
	assert_non_null(strstr(copy.errmsg, "pg_restore"));
	assert_int_equal(access(f->backup, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_backup_under_writes_is_one_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(a_backup_refuses_an_existing_file_or_a_missing_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_restore_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(a_restore_replaces_a_non_empty_database_only_when_forced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_restore_refuses_what_is_not_a_sound_guichet_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_restore_refuses_a_database_another_process_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(postgresql_urls_get_pg_dump_advice, setup, teardown),
	};
	return cmocka_run_group_tests_name("backup", tests, NULL, NULL);
}
