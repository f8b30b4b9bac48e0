/* The PostgreSQL groundwork on a real server: the throwaway cluster itself
 * (started, stopped, and stopped even when its test process dies), the
 * store's probe (version, durability settings refused), guichet admin init
 * on a postgresql:// --db, guichetd refusing a server it cannot reach with a
 * message that names it without its password, and the harness's PostgreSQL
 * side (testdb.c), which this program always uses: a fresh database per
 * daemon, its URL given to guichetd, and a server crash that keeps what was
 * committed. */
#include "harness.h"
#include "pgcluster.h"
#include "guichet/error.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct pgcluster cluster;

static int group_setup(void **state)
{
	return pgcluster_start(&cluster, NULL) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	pgcluster_stop(&cluster);
	return 0;
}

/* The postmaster's pid, from the first line of data/postmaster.pid. */
static pid_t postmaster_pid(const char *dir)
{
	char path[128], line[32] = "";
	snprintf(path, sizeof(path), "%s/data/postmaster.pid", dir);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	bool ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	return ok ? (pid_t)strtol(line, NULL, 10) : -1;
}

/* Whether pid runs: exists and is not a zombie waiting for init to reap it
 * (the postmaster's parent, pg_ctl, exits at once). */
static bool running(pid_t pid)
{
	char path[64], stat_line[256] = "";
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	bool ok = fgets(stat_line, sizeof(stat_line), f) != NULL;
	fclose(f);
	const char *paren = strrchr(stat_line, ')');
	return !ok || paren == NULL || (paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X');
}

/* Whether pid and dir are both gone within seconds. */
static bool gone_within(pid_t pid, const char *dir, int seconds)
{
	struct stat st;
	for (int i = 0; i < seconds * 10; i++) {
		if (!running(pid) && stat(dir, &st) < 0)
			return true;
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	return false;
}

static void test_probe_reads_version(void **state)
{
	char version[128] = "", errmsg[512] = "";
	assert_int_equal(store_pg_probe(pgcluster_url(&cluster), version, sizeof(version), errmsg,
					sizeof(errmsg)), GC_OK);
	assert_true(version[0] >= '1' && version[0] <= '9');
	assert_non_null(strchr(version, '.'));
}

static void test_probe_refuses_session_synchronous_commit_off(void **state)
{
	char url[256], version[128] = "", errmsg[512] = "";
	snprintf(url, sizeof(url), "%s?options=-c%%20synchronous_commit%%3Doff", pgcluster_url(&cluster));
	assert_int_equal(store_pg_probe(url, version, sizeof(version), errmsg, sizeof(errmsg)),
			 GC_EINVAL);
	assert_non_null(strstr(errmsg, "synchronous_commit=off"));
	assert_string_equal(version, ""); /* written only on success */
	/* "local" still flushes the local WAL before acknowledging */
	snprintf(url, sizeof(url), "%s?options=-c%%20synchronous_commit%%3Dlocal", pgcluster_url(&cluster));
	assert_int_equal(store_pg_probe(url, version, sizeof(version), errmsg, sizeof(errmsg)), GC_OK);
}

static void test_probe_refuses_fsync_off(void **state)
{
	struct pgcluster unsafe;
	assert_int_equal(pgcluster_start(&unsafe, "fsync = off", NULL), 0);
	char version[128] = "", errmsg[512] = "";
	int rc = store_pg_probe(pgcluster_url(&unsafe), version, sizeof(version), errmsg, sizeof(errmsg));
	pgcluster_stop(&unsafe);
	assert_int_equal(rc, GC_EINVAL);
	assert_non_null(strstr(errmsg, "fsync=off"));
}

static void test_probe_unreachable_and_password_hidden(void **state)
{
	char url[256], version[128] = "", errmsg[512] = "";
	/* a database that does not exist: the connection fails after the password */
	snprintf(url, sizeof(url), "postgresql://guichet:s3cret@127.0.0.1:%d/nosuchdb", cluster.port);
	assert_int_equal(store_pg_probe(url, version, sizeof(version), errmsg, sizeof(errmsg)), GC_EIO);
	assert_null(strstr(errmsg, "s3cret"));
	assert_non_null(strstr(errmsg, "guichet:***@127.0.0.1"));
	assert_non_null(strstr(errmsg, "nosuchdb"));
	assert_int_equal(store_pg_probe("/var/lib/guichet.db", version, sizeof(version), errmsg,
					sizeof(errmsg)), GC_EINVAL);
}

/* Runs a binary of this build with arguments (NULL-terminated), stderr
 * captured into err; returns the exit status. */
static int run_capture(char *err, size_t len, const char *name, ...)
{
	char bin[512], path[] = "/tmp/guichet-pg-err-XXXXXX";
	char *argv[16] = {(char *)harness_binary(name, bin, sizeof(bin))};
	int argc = 1;
	va_list ap;
	va_start(ap, name);
	for (char *arg; argc < 15 && (arg = va_arg(ap, char *)) != NULL;)
		argv[argc++] = arg;
	va_end(ap);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, 2);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	ssize_t n = pread(fd, err, len - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_guichetd_refuses_unreachable_url(void **state)
{
	char err[4096];
	int status = run_capture(err, sizeof(err), "guichetd", "--db",
				 "postgresql://guichet:s3cret@127.0.0.1:1/guichet", "--listen",
				 "127.0.0.1:0", "--threads", "1", NULL);
	assert_int_not_equal(status, 0);
	assert_true(status < 128); /* an exit, not a crash */
	if (strstr(err, "cannot connect to postgresql://guichet:***@127.0.0.1:1/guichet") == NULL)
		fail_msg("expected the redacted URL in: %s", err);
	assert_null(strstr(err, "s3cret"));
}

static void test_admin_init_on_url(void **state)
{
	char err[4096];
	const char *url = pgcluster_url(&cluster);
	int status = run_capture(err, sizeof(err), "guichet", "admin", "init", "--db", url, "--tenant",
				 "Brand A", "--admin-email", "admin@a.example", "--admin-password",
				 "a long enough password", NULL);
	if (status != 0)
		fail_msg("guichet admin init on %s exited %d: %s", url, status, err);
	struct stat st;
	assert_int_equal(stat("postgresql:", &st), -1); /* no file named after the URL */
	/* the schema is there, at this build's version, and a second open keeps it */
	struct store *s = NULL;
	assert_int_equal(store_open(url, STORE_READ_ONLY, &s), GC_OK);
	assert_int_equal(store_file_schema_version(s), store_schema_version());
	store_free(s);
}

static void test_stop_leaves_nothing(void **state)
{
	struct pgcluster c;
	assert_int_equal(pgcluster_start(&c, NULL), 0);
	char dir[sizeof(c.dir)];
	snprintf(dir, sizeof(dir), "%s", c.dir);
	pid_t pid = postmaster_pid(dir);
	assert_true(pid > 0);
	assert_true(running(pid));
	pgcluster_stop(&c);
	assert_true(gone_within(pid, dir, 1)); /* stop waits for both */
	pgcluster_stop(&c);                    /* twice is harmless */
}

/* A test process that dies without stopping its cluster (a crash, a
 * timeout's SIGKILL) leaves nothing running either: the guard stops it. */
static void test_killed_test_leaves_nothing(void **state)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t child = fork();
	if (child == 0) {
		close(fds[0]);
		struct pgcluster c;
		if (pgcluster_start(&c, NULL) < 0)
			_exit(1);
		pid_t pid = postmaster_pid(c.dir);
		if (write(fds[1], &pid, sizeof(pid)) != sizeof(pid) ||
		    write(fds[1], c.dir, sizeof(c.dir)) != sizeof(c.dir))
			_exit(1);
		raise(SIGKILL);
	}
	close(fds[1]);
	pid_t pid = 0;
	char dir[sizeof(cluster.dir)] = "";
	assert_int_equal(read(fds[0], &pid, sizeof(pid)), sizeof(pid));
	assert_int_equal(read(fds[0], dir, sizeof(dir)), sizeof(dir));
	close(fds[0]);
	int status = 0;
	waitpid(child, &status, 0);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(pid > 0);
	assert_true(gone_within(pid, dir, 30));
}

static bool file_has(const char *path, const char *text)
{
	FILE *f = fopen(path, "r");
	char buf[16384];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return strstr(buf, text) != NULL;
}

static void test_harness_databases_are_fresh_and_apart(void **state)
{
	struct daemon a, b;
	char version[128], errmsg[512];
	assert_int_equal(daemon_prepare(&a), 0);
	assert_int_equal(daemon_prepare(&b), 0);
	assert_true(strncmp(a.db, "postgresql://guichet@127.0.0.1:", 31) == 0);
	assert_string_not_equal(a.db, b.db);
	assert_int_equal(store_pg_probe(a.db, version, sizeof(version), errmsg, sizeof(errmsg)), GC_OK);
	assert_int_equal(store_pg_probe(b.db, version, sizeof(version), errmsg, sizeof(errmsg)), GC_OK);
	/* empty, and apart: a table made in one is not in the other */
	assert_int_equal(testdb_exec(a.db, "CREATE TABLE probe (x int)"), 0);
	fprintf(stderr, "# an error about \"probe\" is expected:\n");
	assert_int_not_equal(testdb_exec(b.db, "SELECT x FROM probe"), 0);
	/* daemon_cleanup drops the database */
	char dropped[sizeof(a.db)];
	snprintf(dropped, sizeof(dropped), "%s", a.db);
	daemon_cleanup(&a);
	assert_int_equal(store_pg_probe(dropped, version, sizeof(version), errmsg, sizeof(errmsg)), GC_EIO);
	daemon_cleanup(&b);
}

/* guichetd and guichet admin are given the URL: daemon_init's tenant is
 * there, and the daemon serves it. */
static void test_harness_gives_guichetd_the_url(void **state)
{
	struct daemon d;
	assert_int_equal(daemon_init(&d, "Brand A", "admin@a.example", "a long enough password"), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	char *token = login(&d, "admin@a.example", "a long enough password");
	assert_int_equal(http_status(&d, "GET", "/api/v1/me", token, NULL), 200);
	free(token);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(testdb_exec(d.db, "DO $$ BEGIN IF (SELECT count(*) FROM tenants) <> 1"
					   " THEN RAISE 'not this database'; END IF; END $$"), 0);
	daemon_cleanup(&d);
}

/* daemon_crash's server side: an immediate stop (no checkpoint: the next
 * start recovers from the WAL), a restart on the same port, and what was
 * committed before is there. */
static void test_crash_server_keeps_commits(void **state)
{
	struct daemon d;
	assert_int_equal(daemon_prepare(&d), 0);
	assert_int_equal(testdb_exec(d.db, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"), 0);
	struct pgcluster *c = testdb_cluster();
	assert_non_null(c);
	int port = c->port;
	pid_t before = postmaster_pid(c->dir);
	assert_int_equal(daemon_crash(&d), 0);
	assert_int_equal(c->port, port);
	pid_t after = postmaster_pid(c->dir);
	assert_true(after > 0 && after != before && running(after));
	char log[128];
	snprintf(log, sizeof(log), "%s/server.log", c->dir);
	assert_true(file_has(log, "automatic recovery in progress"));
	assert_int_equal(testdb_exec(d.db, "DO $$ BEGIN IF (SELECT count(*) FROM kept WHERE x = 42) <> 1"
					   " THEN RAISE 'lost'; END IF; END $$"), 0);
	daemon_cleanup(&d);
}

/* The server crashes and comes back while guichetd keeps running: what
 * was acknowledged is there, the requests caught in the crash are answered
 * with an error (never a success that did not commit), and guichetd serves
 * again, reads and writes, on new connections, without a restart. */
static void test_guichetd_outlives_a_server_crash(void **state)
{
	struct daemon d;
	assert_int_equal(daemon_init(&d, "Brand A", "admin@a.example", "a long enough password"), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	char *admin = login(&d, "admin@a.example", "a long enough password");
	long long before = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s}", "channel", "email",
									   "subject", "before"));
	assert_int_equal(testdb_crash_server(), 0);
	/* the first requests may meet the dead connections: an error, never a lie */
	long long after = 0;
	for (int i = 0; i < 20 && after == 0; i++) {
		struct resp r;
		http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:s}", "channel", "email",
									   "subject", "after"), &r);
		assert_true(r.status == 201 || r.status >= 500);
		after = r.status == 201 ? resp_int(&r, "id") : 0;
		resp_clear(&r);
	}
	assert_true(after > before);
	char path[64];
	for (int i = 0; i < 2; i++) { /* each worker's read connection comes back too */
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld", i ? after : before);
		int status = 0;
		for (int tries = 0; tries < 5 && status != 200; tries++)
			status = http_status(&d, "GET", path, admin, NULL);
		assert_int_equal(status, 200);
	}
	free(admin);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* A database that cannot be reached answers 503 storage_unavailable, to
 * try again (a load balancer retries it), not 500 as a bug would; and
 * serves again once it is back. */
static void test_a_lost_database_is_unavailable(void **state)
{
	struct daemon d;
	assert_int_equal(daemon_init(&d, "Brand A", "admin@a.example", "a long enough password"), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	char *admin = login(&d, "admin@a.example", "a long enough password");
	long long id = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s}", "channel", "email", "subject", "x"));
	assert_int_equal(testdb_server_down(), 0);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", id);
	struct resp r;
	for (int i = 0; i < 2; i++) { /* a read, then a write */
		if (i == 0)
			http_json(&d, "GET", path, admin, NULL, &r);
		else
			http_json(&d, "POST", "/api/v1/contacts", admin, json_pack("{s:s,s:s}", "channel", "email", "subject",
				  "down"), &r);
		assert_int_equal(r.status, 503);
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "code")),
				    "storage_unavailable");
		resp_clear(&r);
	}
	assert_int_equal(testdb_server_up(), 0);
	int status = 0;
	for (int tries = 0; tries < 20 && status != 200; tries++) {
		status = http_status(&d, "GET", path, admin, NULL);
		if (status != 200)
			usleep(250 * 1000);
	}
	assert_int_equal(status, 200);
	free(admin);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

int main(void)
{
	setenv("GUICHET_TEST_ENGINE", "postgresql", 1); /* the harness's PostgreSQL side, whatever the run */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_reads_version),
		cmocka_unit_test(test_probe_refuses_session_synchronous_commit_off),
		cmocka_unit_test(test_probe_refuses_fsync_off),
		cmocka_unit_test(test_probe_unreachable_and_password_hidden),
		cmocka_unit_test(test_guichetd_refuses_unreachable_url),
		cmocka_unit_test(test_admin_init_on_url),
		cmocka_unit_test(test_stop_leaves_nothing),
		cmocka_unit_test(test_killed_test_leaves_nothing),
		cmocka_unit_test(test_harness_databases_are_fresh_and_apart),
		cmocka_unit_test(test_harness_gives_guichetd_the_url),
		cmocka_unit_test(test_crash_server_keeps_commits),
		cmocka_unit_test(test_guichetd_outlives_a_server_crash),
		cmocka_unit_test(test_a_lost_database_is_unavailable),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
