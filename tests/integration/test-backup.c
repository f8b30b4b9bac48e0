/* Backup and restore with the real daemon and CLI: "guichet admin backup"
 * taken while threads post contacts, restored into a new file that a new
 * daemon serves with every contact acknowledged before the backup began;
 * the restored file passes integrity_check; restore refuses a non-empty
 * target without --force, a target a running daemon holds, and a file that
 * is not a guichet database. Then kill -9 of the daemon and of the backup
 * mid-copy: the source serves every acknowledged contact, and the backup's
 * file was never half-written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "backup pass"
#define EMAIL "admin@t.example"
#define WRITERS 4
#define MAX_PER_WRITER LOAD_MAX_WRITES

static struct daemon d;
static char *token;
static atomic_bool stop_writing;

static struct load_writer writers[WRITERS];

static pthread_t threads[WRITERS];

static void start_writers(void)
{
	atomic_store(&stop_writing, false);
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(load_writer_start(&writers[i], &d, token, i, 0, &stop_writing, &threads[i]), 0);
}

/* Stops the writers: how many contacts they saw acknowledged. */
static int stop_writers(void)
{
	atomic_store(&stop_writing, true);
	int acked = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		acked += atomic_load(&writers[i].n_acked);
	}
	return acked;
}

static int acked_now(int counts[WRITERS])
{
	int total = 0;
	for (int i = 0; i < WRITERS; i++)
		total += counts[i] = atomic_load(&writers[i].n_acked);
	return total;
}

static char seen[WRITERS][MAX_PER_WRITER];

/* Reads every contact server has (each subject at most once) into seen:
 * how many. */
static int read_contacts(const struct daemon *server, const char *tok)
{
	return load_read_back(server, tok, WRITERS, seen);
}

/* Every contact among the first counts[w] acknowledged by each writer is in seen. */
static void assert_all_seen(const int counts[WRITERS])
{
	for (int w = 0; w < WRITERS; w++)
		for (int k = 0; k < counts[w]; k++)
			if (!seen[w][writers[w].acked_seq[k]])
				fail_msg("contact w%d-%d, acknowledged, is missing", w, writers[w].acked_seq[k]);
}

/* Runs the CLI (which needs no server for admin commands); the exit status,
 * with what it printed in out and err (freed by the next call). */
static char *out, *err;
static int cli(const struct daemon *where, ...)
{
	free(out);
	free(err);
	char token_file[128];
	snprintf(token_file, sizeof(token_file), "%s/token", where->dir);
	va_list ap;
	va_start(ap, where);
	char *argv[16] = {0};
	for (int i = 0; i < 15 && (argv[i] = va_arg(ap, char *)) != NULL; i++)
		;
	va_end(ap);
	int rc = run_cli(where, token_file, &out, &err, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5],
			 argv[6], argv[7], argv[8], argv[9], argv[10], argv[11], argv[12], argv[13], argv[14], NULL);
	fprintf(stderr, "# guichet %s %s: %d %s%s", argv[0], argv[1], rc, out, err);
	return rc;
}

/* A second server's folder, for a restored database. */
static void second_daemon(struct daemon *other)
{
	assert_int_equal(daemon_prepare(other), 0);
}

/* SQLite by nature: the online backup API copies a file. On PostgreSQL the
 * CLI answers with pg_dump advice, which the first test checks. */
#define NOT_ON_PG "a backup copies a SQLite file; on PostgreSQL, pg_dump"

static void a_backup_under_load_restores_every_acknowledged_contact(void **state)
{
	char backup[160], text[160], check[160];
	testdb_skip_unless_sqlite(NOT_ON_PG);
	assert_int_equal(daemon_init(&d, "t", EMAIL, PASSWORD), 0);
	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	token = login(&d, EMAIL, PASSWORD);
	snprintf(backup, sizeof(backup), "%s/backup.db", d.dir);
	start_writers();
	usleep(1000 * 1000);
	int before[WRITERS], during[WRITERS];
	int n_before = acked_now(before);
	assert_int_equal(cli(&d, "admin", "backup", "--db", d.db, "--to", backup, "--step-pages", "8",
			     "--pause-ms", "2", NULL), 0);
	assert_non_null(strstr(out, "written to"));
	int n_during = acked_now(during);
	usleep(300 * 1000);
	int acked = stop_writers();
	fprintf(stderr, "# acknowledged: %d before the backup, %d when it ended, %d in all\n", n_before,
		n_during, acked);
	assert_true(n_before > 50);
	assert_true(n_during > n_before); /* the daemon kept writing while the backup ran */
	assert_int_equal(daemon_stop(&d), 0);

	struct daemon restored;
	second_daemon(&restored);
	assert_int_equal(cli(&d, "admin", "restore", "--from", backup, "--db", restored.db, NULL), 0);
	assert_non_null(strstr(out, "integrity ok"));
	assert_int_equal(daemon_start(&restored, "--access-log", "off", NULL), 0);
	char *tok = login(&restored, EMAIL, PASSWORD);
	int stored = read_contacts(&restored, tok);
	fprintf(stderr, "# %d contacts in the restored database\n", stored);
	assert_all_seen(before);
	assert_true(stored >= n_before && stored < acked); /* a snapshot: not what came after */

	/* the restored database passes integrity_check (restore checks its source) */
	snprintf(check, sizeof(check), "%s/check.db", restored.dir);
	/* ... but not while a daemon holds it as a target, even with --force */
	assert_int_equal(cli(&d, "admin", "restore", "--from", backup, "--db", restored.db, "--force", NULL), 1);
	assert_non_null(strstr(err, "running process"));
	assert_int_equal(daemon_stop(&restored), 0);
	assert_int_equal(cli(&d, "admin", "restore", "--from", restored.db, "--db", check, NULL), 0);
	assert_non_null(strstr(out, "integrity ok"));

	/* a non-empty target needs --force */
	assert_int_equal(cli(&d, "admin", "restore", "--from", backup, "--db", d.db, NULL), 1);
	assert_non_null(strstr(err, "--force"));
	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	assert_int_equal(read_contacts(&d, token), acked); /* untouched */
	assert_int_equal(daemon_stop(&d), 0);

	/* not a guichet database */
	snprintf(text, sizeof(text), "%s/notes.txt", d.dir);
	FILE *fp = fopen(text, "w");
	for (int i = 0; i < 100; i++)
		fputs("minutes of the meeting, not a database\n", fp);
	fclose(fp);
	assert_int_equal(cli(&d, "admin", "restore", "--from", text, "--db", check, "--force", NULL), 1);
	assert_non_null(strstr(err, "not a guichet database"));
	assert_int_equal(cli(&d, "admin", "restore", "--from", d.db, "--db", check, "--force", NULL), 0);

	/* PostgreSQL: advice, not an attempt */
	assert_int_equal(cli(&d, "admin", "backup", "--db", "postgresql://guichet@127.0.0.1/guichet", "--to", text,
			     "--force", NULL), 1);
	assert_non_null(strstr(err, "pg_dump"));
	assert_int_equal(cli(&d, "admin", "restore", "--from", backup, "--db", "postgresql://guichet@127.0.0.1/g",
			     NULL), 1);
	assert_non_null(strstr(err, "pg_restore"));
	assert_int_equal(cli(&d, "admin", "backup", NULL), 2); /* --to is required */
	assert_non_null(strstr(err, "--to"));

	free(tok);
	free(token);
	daemon_cleanup(&restored);
	daemon_cleanup(&d);
}

/* The files of dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix)
{
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	int n = 0;
	for (struct dirent *e; (e = readdir(dp)) != NULL;)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(dp);
	return n;
}

static void kill_9_during_a_backup_leaves_the_source_intact(void **state)
{
	char backup[160], check[160], bin[512];
	testdb_skip_unless_sqlite(NOT_ON_PG);
	assert_int_equal(daemon_init(&d, "t", EMAIL, PASSWORD), 0);
	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	token = login(&d, EMAIL, PASSWORD);
	snprintf(backup, sizeof(backup), "%s/backup.db", d.dir);
	start_writers();
	usleep(1500 * 1000);
	/* a slow backup: one page per step, 10 ms apart */
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execl(harness_binary("guichet", bin, sizeof(bin)), "guichet", "admin", "backup", "--db", d.db, "--to",
		      backup, "--step-pages", "1", "--pause-ms", "10", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && count_files(d.dir, "backup.db.tmp-") == 0; i++)
		usleep(10 * 1000);
	usleep(200 * 1000);
	daemon_kill9(&d);
	kill(pid, SIGKILL);
	int status = 0;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status)); /* killed mid-copy, not finished */
	int acked = stop_writers(), all[WRITERS];
	acked_now(all);
	assert_true(acked > 50);
	assert_true(count_files(d.dir, "backup.db.tmp-") >= 1); /* the partial copy (and its journal), beside */
	assert_int_equal(access(backup, F_OK), -1);                 /* never where it is looked for */

	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	int stored = read_contacts(&d, token);
	fprintf(stderr, "# %d acknowledged before kill -9, %d stored\n", acked, stored);
	assert_all_seen(all);
	assert_true(stored <= acked + WRITERS); /* at most the requests in flight */
	/* a backup taken now, while it serves, completes */
	assert_int_equal(cli(&d, "admin", "backup", "--db", d.db, "--to", backup, NULL), 0);
	assert_int_equal(daemon_stop(&d), 0);
	snprintf(check, sizeof(check), "%s/check.db", d.dir);
	assert_int_equal(cli(&d, "admin", "restore", "--from", d.db, "--db", check, NULL), 0);
	assert_non_null(strstr(out, "integrity ok"));
	free(token);
	daemon_cleanup(&d);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_backup_under_load_restores_every_acknowledged_contact),
		cmocka_unit_test(kill_9_during_a_backup_leaves_the_source_intact),
	};
	int rc = cmocka_run_group_tests_name("backup", tests, NULL, NULL);
	free(out);
	free(err);
	curl_global_cleanup();
	return rc;
}
