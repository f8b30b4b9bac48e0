/* The throwaway PostgreSQL cluster (pgcluster.h). */
#include "pgcluster.h"
#include "testport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#define PG_ROLE "guichet"
#define PG_DB "guichet"
#define PG_START_TRIES 5   /* a free port may be taken before the server binds it */

static bool is_exec(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, X_OK) == 0;
}

/* GUICHET_PG_BINDIR, pg_config --bindir, or the newest /usr/lib/postgresql/N/bin. */
static int find_bindir(char *buf, size_t len)
{
	const char *env = getenv("GUICHET_PG_BINDIR");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return is_exec(buf, "initdb") ? 0 : -1;
	}
	FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
	if (p) {
		bool ok = fgets(buf, (int)len, p) != NULL;
		pclose(p);
		buf[strcspn(buf, "\n")] = '\0';
		if (ok && is_exec(buf, "initdb"))
			return 0;
	}
	glob_t g;
	int rc = -1;
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0) {
		/* glob sorts; the last is the newest for one-digit-width majors */
		snprintf(buf, len, "%.*s", (int)(strlen(g.gl_pathv[g.gl_pathc - 1]) - 7),
			 g.gl_pathv[g.gl_pathc - 1]);
		rc = 0;
	}
	globfree(&g);
	return rc;
}

/* Who runs the server: ourselves, or an unprivileged user when we are root. */
static int choose_user(struct pgcluster *c)
{
	c->uid = geteuid();
	c->gid = getegid();
	if (c->uid != 0)
		return 0;
	const char *names[] = {getenv("GUICHET_PG_USER"), "postgres", "nobody"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct passwd *pw = names[i] && *names[i] ? getpwnam(names[i]) : NULL;
		if (pw && pw->pw_uid != 0) {
			c->uid = pw->pw_uid;
			c->gid = pw->pw_gid;
			return 0;
		}
	}
	fprintf(stderr, "pgcluster: no unprivileged user to run PostgreSQL as\n");
	return -1;
}

/* Runs argv as the cluster's user in its folder, output to server.log;
 * returns the exit status. */
static int run_as(const struct pgcluster *c, char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char log[128];
		snprintf(log, sizeof(log), "%s/setup.log", c->dir);
		if (geteuid() == 0 && (setgroups(1, &c->gid) < 0 || setgid(c->gid) < 0 ||
				       setuid(c->uid) < 0))
			_exit(126);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDONLY);
		if (fd < 0 || null < 0 || chdir(c->dir) < 0)
			_exit(126);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int pg_tool(const struct pgcluster *c, const char *tool, char *argv[])
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", c->bindir, tool);
	argv[0] = path;
	return run_as(c, argv);
}

/* The guard: waits for the pipe to close, then stops the server and removes
 * the folder. In its own session, so a Ctrl-C or a test runner's signal to
 * the test's process group leaves it to finish its work. */
static void guard_main(const struct pgcluster *c, int fd)
{
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* no other pipe end kept open here: another cluster's guard must see EOF;
	 * nor the test's output, whose reader waits for its end */
	int null = open("/dev/null", O_RDWR);
	if (dup2(fd, 3) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	char byte;
	ssize_t n;
	do
		n = read(3, &byte, 1); /* nobody writes: returns at EOF */
	while (n != 0 && !(n < 0 && errno != EINTR));
	char data[128], pidfile[160];
	snprintf(data, sizeof(data), "%s/data", c->dir);
	snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", data);
	int rc = 0;
	if (access(pidfile, F_OK) == 0) {
		char *fast[] = {NULL, "stop", "-D", data, "-m", "fast", "-w", "-t", "30", NULL};
		char *now[] = {NULL, "stop", "-D", data, "-m", "immediate", "-w", "-t", "30", NULL};
		if (pg_tool(c, "pg_ctl", fast) != 0 && pg_tool(c, "pg_ctl", now) != 0)
			rc = 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", c->dir, (char *)NULL);
		_exit(127);
	}
	int status = 1;
	waitpid(pid, &status, 0);
	_exit(rc || !WIFEXITED(status) || WEXITSTATUS(status) != 0);
}

static int guard_start(struct pgcluster *c)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[1]);
		guard_main(c, fds[0]);
	}
	close(fds[0]);
	c->guard = pid;
	c->guard_fd = fds[1];
	return 0;
}

/* Appends guichet's settings, then the caller's, to postgresql.conf. */
static int configure(const struct pgcluster *c, va_list ap)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/data/postgresql.conf", c->dir);
	FILE *f = fopen(path, "a");
	if (f == NULL)
		return -1;
	fprintf(f, "\n# pgcluster (tests/integration/pgcluster.c)\n"
		   "listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"
		   "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
		   "max_connections = 100\nlogging_collector = off\n",
		c->port, c->dir);
	for (const char *line; (line = va_arg(ap, const char *)) != NULL;)
		fprintf(f, "%s\n", line);
	return fclose(f) == 0 ? 0 : -1;
}

/* pg_ctl start on c->port; its exit status. */
static int server_start(const struct pgcluster *c)
{
	char data[128], log[128], port_opt[32];
	snprintf(data, sizeof(data), "%s/data", c->dir);
	snprintf(log, sizeof(log), "%s/server.log", c->dir);
	snprintf(port_opt, sizeof(port_opt), "-p %d", c->port); /* overrides the file on retries */
	char *start[] = {NULL, "start", "-D", data, "-l", log, "-o", port_opt, "-w", "-t", "60", NULL};
	return pg_tool(c, "pg_ctl", start);
}

/* initdb into data: --no-sync, its files need not reach the disk, the
 * cluster is thrown away; the server itself runs with fsync on. */
static int initdb(const struct pgcluster *c, const char *data)
{
	char *argv[] = {NULL, "-D", (char *)data, "-U", PG_ROLE, "--auth=trust", "-E", "UTF8",
			"--no-locale", "--no-sync", NULL};
	return pg_tool(c, "initdb", argv);
}

/* The cluster's files: a copy of GUICHET_PG_TEMPLATE's when it is set (a
 * folder scripts/run-tests gives all the programs of a run; the first to
 * need it makes it by initdb, in a folder of its own renamed into place, so
 * that a program never copies half of one), otherwise initdb's own. A copy
 * costs a twentieth of initdb's CPU, which the hundred clusters of a run add
 * up to. */
static int make_data(const struct pgcluster *c, const char *data)
{
	const char *template = getenv("GUICHET_PG_TEMPLATE");
	if (template == NULL || *template == '\0')
		return initdb(c, data);
	char made[192], copy[256];
	snprintf(made, sizeof(made), "%s/template", c->dir);
	snprintf(copy, sizeof(copy), "%s/.", template);
	if (access(template, F_OK) != 0 &&
	    (initdb(c, made) != 0 || (rename(made, template) != 0 && errno != EEXIST && errno != ENOTEMPTY)))
		return -1;
	char *cp[] = {"/bin/cp", "-a", copy, (char *)data, NULL};
	return mkdir(data, 0700) == 0 && chown(data, c->uid, c->gid) == 0 && run_as(c, cp) == 0 ? 0 : -1;
}

static int init_and_start(struct pgcluster *c, va_list ap)
{
	char data[128];
	snprintf(data, sizeof(data), "%s/data", c->dir);
	if (make_data(c, data) != 0)
		return -1;
	for (int i = 0; i < PG_START_TRIES; i++) {
		va_list again;
		va_copy(again, ap);
		c->port = testport_free();
		int rc = c->port > 0 && i == 0 ? configure(c, again) : 0;
		va_end(again);
		if (c->port <= 0 || rc < 0)
			return -1;
		if (server_start(c) == 0)
			return 0;
	}
	return -1;
}

int pgcluster_start(struct pgcluster *c, ...)
{
	memset(c, 0, sizeof(*c));
	c->guard_fd = -1;
	if (find_bindir(c->bindir, sizeof(c->bindir)) < 0) {
		fprintf(stderr, "pgcluster: no initdb found: install postgresql or set GUICHET_PG_BINDIR\n");
		return -1;
	}
	if (choose_user(c) < 0)
		return -1;
	snprintf(c->dir, sizeof(c->dir), "/tmp/guichet-pg-XXXXXX");
	if (mkdtemp(c->dir) == NULL || chown(c->dir, c->uid, c->gid) < 0) {
		fprintf(stderr, "pgcluster: cannot make %s: %s\n", c->dir, strerror(errno));
		return -1;
	}
	if (guard_start(c) < 0) {
		rmdir(c->dir);
		return -1;
	}
	va_list ap;
	va_start(ap, c);
	int rc = init_and_start(c, ap);
	va_end(ap);
	char port[16];
	snprintf(port, sizeof(port), "%d", c->port);
	char *createdb[] = {NULL, "-h", "127.0.0.1", "-p", port, "-U", PG_ROLE, PG_DB, NULL};
	if (rc == 0 && pg_tool(c, "createdb", createdb) != 0)
		rc = -1;
	if (rc < 0) {
		fprintf(stderr, "pgcluster: cannot start a cluster in %s: see %s/setup.log and "
				"%s/server.log below\n", c->dir, c->dir, c->dir);
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "cat '%s/setup.log' '%s/server.log' >&2", c->dir, c->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "pgcluster: no log\n");
		pgcluster_stop(c);
		return -1;
	}
	snprintf(c->url, sizeof(c->url), "postgresql://%s@127.0.0.1:%d/%s", PG_ROLE, c->port, PG_DB);
	return 0;
}

void pgcluster_stop(struct pgcluster *c)
{
	if (c->guard <= 0)
		return;
	close(c->guard_fd);
	int status = 0;
	while (waitpid(c->guard, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "pgcluster: stopping the cluster in %s failed\n", c->dir);
	c->guard = 0;
	c->guard_fd = -1;
	c->url[0] = '\0';
}

const char *pgcluster_url(const struct pgcluster *c)
{
	return c->url;
}

int pgcluster_down(struct pgcluster *c)
{
	if (c->guard <= 0)
		return -1;
	char data[128];
	snprintf(data, sizeof(data), "%s/data", c->dir);
	char *stop[] = {NULL, "stop", "-D", data, "-m", "immediate", "-w", "-t", "30", NULL};
	if (pg_tool(c, "pg_ctl", stop) != 0) {
		fprintf(stderr, "pgcluster: pg_ctl stop -m immediate failed: see %s/setup.log\n", c->dir);
		return -1;
	}
	return 0;
}

int pgcluster_up(struct pgcluster *c)
{
	if (c->guard <= 0)
		return -1;
	if (server_start(c) != 0) {
		fprintf(stderr, "pgcluster: no restart on port %d: see %s/server.log\n", c->port, c->dir);
		return -1;
	}
	return 0;
}

int pgcluster_restart_immediate(struct pgcluster *c)
{
	return pgcluster_down(c) == 0 ? pgcluster_up(c) : -1;
}
