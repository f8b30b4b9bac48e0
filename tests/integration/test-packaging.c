/* The Debian package's own files against this build's daemon (issue 20): the
 * configuration file it installs as /etc/guichet/guichetd.conf carries the
 * production values and is valid as shipped, commented examples included, and
 * guichetd creates its database from it at the first start; the systemd unit
 * reads that file, waits out the daemon's drain, and systemd-analyze verify
 * accepts it. scripts/check-deb (make deb) checks the built package itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define CONF GUICHET_SOURCE_DIR "/debian/guichetd.conf"
#define UNIT GUICHET_SOURCE_DIR "/debian/guichet.guichetd.service"

/* The whole file (malloc'd); fails the test if it cannot be read. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* The value of the setting "key = value" (or "key=value" in the unit) on a
 * line of its own, or NULL. */
static const char *setting(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	for (const char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		if (strncmp(line, key, klen) != 0)
			continue;
		const char *p = line + klen;
		p += strspn(p, " ");
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " ");
		snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
		return buf;
	}
	return NULL;
}

/* A "# key = value" line: a commented example of a setting. */
static bool is_example(const char *line)
{
	if (strncmp(line, "# ", 2) != 0)
		return false;
	size_t k = strspn(line + 2, "abcdefghijklmnopqrstuvwxyz-");
	return k > 0 && strncmp(line + 2 + k, " = ", 3) == 0;
}

/* Writes the packaged configuration into dir/guichetd.conf with only its
 * database and addresses moved into dir and onto free ports; with examples,
 * its commented settings are made active too. */
static void write_conf(const char *dir, bool examples, char *path, size_t path_len)
{
	char *text = slurp(CONF);
	snprintf(path, path_len, "%s/guichetd.conf", dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	for (char *line = text, *next; *line; line = next) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		if (examples && is_example(line))
			line += 2;
		if (strncmp(line, "db =", 4) == 0)
			fprintf(out, "db = %s/guichet.db\n", dir);
		else if (strncmp(line, "listen =", 8) == 0)
			fprintf(out, "listen = 127.0.0.1:0\n");
		else if (strncmp(line, "metrics-listen =", 16) == 0)
			fprintf(out, "metrics-listen = 127.0.0.1:0\n");
		else
			fprintf(out, "%s\n", line);
	}
	fclose(out);
	free(text);
}

/* Starts this build's guichetd with only --config path, as the unit does;
 * its stderr goes to d->log. 0 once it listens. */
static int start_with_config(struct daemon *d, const char *path)
{
	char bin[512];
	char *argv[] = {(char *)harness_binary("guichetd", bin, sizeof(bin)), "--config", (char *)path, NULL};
	return daemon_exec(d, argv, true);
}

static void make_dir(struct daemon *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/guichet-pkg-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->db, sizeof(d->db), "%s/guichet.db", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/guichetd.log", d->dir);
}

static void the_configuration_holds_the_production_values(void **state)
{
	char *text = slurp(CONF);
	char buf[256];
	assert_string_equal(setting(text, "db", buf, sizeof(buf)), "/var/lib/guichet/guichet.db");
	assert_string_equal(setting(text, "listen", buf, sizeof(buf)), "127.0.0.1:8080");
	assert_string_equal(setting(text, "log", buf, sizeof(buf)), ""); /* stderr: the journal */
	free(text);
}

/* The first start on the shipped file: nothing exists but the folder
 * StateDirectory= makes, and the daemon creates and migrates the database. */
static void the_daemon_starts_on_it_and_creates_its_database(void **state)
{
	struct daemon d;
	char conf[256];
	struct stat st;
	make_dir(&d);
	write_conf(d.dir, false, conf, sizeof(conf));
	assert_int_not_equal(stat(d.db, &st), 0);
	assert_int_equal(start_with_config(&d, conf), 0);
	assert_int_equal(http_status(&d, "GET", "/healthz", NULL, NULL), 200);
	assert_int_equal(stat(d.db, &st), 0);
	assert_int_equal(daemon_stop(&d), 0);
	/* and starts again on the database it made */
	assert_int_equal(start_with_config(&d, conf), 0);
	assert_int_equal(http_status(&d, "GET", "/healthz", NULL, NULL), 200);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* An administrator who uncomments an example gets a daemon that starts. */
static void its_commented_examples_are_valid_settings(void **state)
{
	struct daemon d;
	char conf[256];
	make_dir(&d);
	write_conf(d.dir, true, conf, sizeof(conf));
	char *text = slurp(conf);
	char buf[256];
	assert_non_null(setting(text, "trusted-proxy", buf, sizeof(buf))); /* the examples are active */
	assert_non_null(setting(text, "hash-queue", buf, sizeof(buf)));
	free(text);
	assert_int_equal(start_with_config(&d, conf), 0);
	assert_int_equal(http_status(&d, "GET", "/healthz", NULL, NULL), 200);
	assert_int_equal(daemon_stop(&d), 0);
	daemon_cleanup(&d);
}

/* systemd kills what is still running TimeoutStopSec after SIGTERM: that must
 * leave the daemon's drain (DRAIN_TIMEOUT_MS in server.c) time to finish. */
static void the_unit_waits_out_the_drain(void **state)
{
	char *unit = slurp(UNIT), *server = slurp(GUICHET_SOURCE_DIR "/src/daemon/server.c");
	char buf[256];
	assert_non_null(setting(unit, "TimeoutStopSec", buf, sizeof(buf)));
	long stop_s = strtol(buf, NULL, 10);
	const char *def = strstr(server, "#define DRAIN_TIMEOUT_MS ");
	assert_non_null(def);
	long drain_ms = strtol(def + strlen("#define DRAIN_TIMEOUT_MS "), NULL, 10);
	assert_true(drain_ms >= 1000);
	assert_true(stop_s * 1000 >= drain_ms + 10000);
	assert_string_equal(setting(unit, "KillSignal", buf, sizeof(buf)), "SIGTERM");
	/* the file the package installs is the one the unit reads, as the user
	 * the postinst creates, in the folder StateDirectory= makes */
	assert_string_equal(setting(unit, "ExecStart", buf, sizeof(buf)),
			    "/usr/sbin/guichetd --config /etc/guichet/guichetd.conf");
	assert_string_equal(setting(unit, "User", buf, sizeof(buf)), "guichet");
	assert_string_equal(setting(unit, "StateDirectory", buf, sizeof(buf)), "guichet");
	char *install = slurp(GUICHET_SOURCE_DIR "/debian/guichet.install");
	assert_non_null(strstr(install, "debian/guichetd.conf etc/guichet/\n"));
	/* and the built web desktop where guichetd of a /usr build looks by
	 * default (meson.build: prefix/datadir/guichet/web) */
	assert_non_null(strstr(install, "web/dist/* usr/share/guichet/web/\n"));
	char *postinst = slurp(GUICHET_SOURCE_DIR "/debian/guichet.postinst");
	assert_non_null(strstr(postinst, "--home /var/lib/guichet guichet\n"));
	free(postinst);
	free(install);
	free(server);
	free(unit);
}

/* systemd-analyze verify on the unit, its ExecStart pointed at this build's
 * daemon (the test machine has none in /usr/sbin). */
static void systemd_analyze_verifies_the_unit(void **state)
{
	const char *analyze = "/usr/bin/systemd-analyze";
	if (access(analyze, X_OK) != 0)
		skip(); /* Debian package systemd */
	struct daemon d;
	char bin[512], path[256], out[256];
	make_dir(&d);
	harness_binary("guichetd", bin, sizeof(bin));
	char *unit = slurp(UNIT);
	snprintf(path, sizeof(path), "%s/guichetd.service", d.dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	const char *exec = strstr(unit, "\nExecStart=/usr/sbin/guichetd ");
	assert_non_null(exec);
	fprintf(f, "%.*s\nExecStart=%s %s", (int)(exec - unit), unit, bin,
		exec + strlen("\nExecStart=/usr/sbin/guichetd "));
	fclose(f);
	snprintf(out, sizeof(out), "%s/verify.out", d.dir);
	pid_t pid = fork();
	if (pid == 0) {
		if (freopen(out, "w", stdout) == NULL || dup2(1, 2) < 0)
			_exit(126);
		execl(analyze, analyze, "verify", "--man=no", path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	char *said = slurp(out);
	bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0 && said[0] == '\0';
	if (!clean)
		print_error("systemd-analyze verify: %s\n", said);
	free(said); /* before the assertion, which leaves the function */
	free(unit);
	daemon_cleanup(&d);
	assert_true(clean);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_configuration_holds_the_production_values),
		cmocka_unit_test(the_daemon_starts_on_it_and_creates_its_database),
		cmocka_unit_test(its_commented_examples_are_valid_settings),
		cmocka_unit_test(the_unit_waits_out_the_drain),
		cmocka_unit_test(systemd_analyze_verifies_the_unit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
