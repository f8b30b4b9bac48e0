/* A test server under a guard process (srvguard.h). */
#include "srvguard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GROUP_WAIT_MS 2000
#define CTL_FD 3
#define STATUS_FD 4

int srvguard_user(uid_t *ret_uid, gid_t *ret_gid)
{
	if (geteuid() != 0) {
		*ret_uid = geteuid();
		*ret_gid = getegid();
		return 0;
	}
	struct passwd *pw = getpwnam("nobody");
	if (pw == NULL || pw->pw_uid == 0) {
		fprintf(stderr, "srvguard: no user \"nobody\" to run a test server as\n");
		return -1;
	}
	*ret_uid = pw->pw_uid;
	*ret_gid = pw->pw_gid;
	return 0;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000}, NULL);
}

/* Whether the server has exited, without reaping it: while it is a zombie
 * its pid, and so its process group id, cannot be reused. */
static bool exited(pid_t pid)
{
	siginfo_t info = {0};
	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

static void server_main(pid_t guard, const char *dir, uid_t uid, gid_t gid, const char *log,
			char *const argv[])
{
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (geteuid() == 0 && uid != 0 &&
	    (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
		_exit(126);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* after setuid, which clears it */
	if (getppid() != guard)
		_exit(1); /* the guard died before the line above */
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(dir) < 0)
		_exit(126);
	close_range(3, ~0U, 0);
	execvp(argv[0], argv);
	char path[256];
	snprintf(path, sizeof(path), "/usr/sbin/%s", argv[0]);
	execv(path, argv);
	_exit(127);
}

/* Stops the server's process group at once: the server and its folder are
 * thrown away, nothing needs a clean shutdown (Dovecot's takes a second).
 * The guard is the subreaper of the server's descendants, so it reaps them
 * all here, rather than leave their zombies to init. */
static void stop_group(pid_t pid)
{
	kill(-pid, SIGKILL);
	for (int waited = 0; waited < GROUP_WAIT_MS;) {
		pid_t got = waitpid(-1, NULL, WNOHANG);
		if (got < 0 && errno == ECHILD)
			break;
		if (got <= 0) {
			sleep_ms(5);
			waited += 5;
		}
	}
}

static int remove_dir(const char *dir)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	int status = 1;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void guard_main(const char *dir, uid_t uid, gid_t gid, const char *log, char *const argv[],
		       int ctl, int status)
{
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* no other pipe end kept open here: another guard must see its EOF; nor
	 * the test's output, whose reader waits for its end */
	int high_ctl = fcntl(ctl, F_DUPFD, 10), high_status = fcntl(status, F_DUPFD, 10);
	int null = open("/dev/null", O_RDWR);
	if (high_ctl < 0 || high_status < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || dup2(high_ctl, CTL_FD) < 0 || dup2(high_status, STATUS_FD) < 0)
		_exit(1);
	close_range(STATUS_FD + 1, ~0U, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t guard = getpid();
	pid_t pid = fork();
	if (pid < 0)
		_exit(remove_dir(dir) < 0);
	if (pid == 0)
		server_main(guard, dir, uid, gid, log, argv);
	setpgid(pid, pid); /* either of us may do it first */
	if (write(STATUS_FD, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		_exit(1);
	bool status_open = true;
	for (;;) {
		struct pollfd p = {.fd = CTL_FD, .events = POLLIN};
		int n = poll(&p, 1, 100);
		if (n > 0) {
			char byte;
			ssize_t r = read(CTL_FD, &byte, 1);
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				break; /* the test stopped us, or ended */
		}
		if (status_open && exited(pid)) {
			close(STATUS_FD);
			status_open = false;
		}
	}
	stop_group(pid);
	_exit(remove_dir(dir) < 0);
}

int srvguard_start(struct srvguard *g, const char *dir, uid_t uid, gid_t gid, const char *log,
		   char *const argv[])
{
	memset(g, 0, sizeof(*g));
	g->ctl_fd = g->status_fd = -1;
	int ctl[2], status[2];
	if (pipe2(ctl, O_CLOEXEC) < 0)
		goto out_err;
	if (pipe2(status, O_CLOEXEC) < 0)
		goto out_close_ctl;
	pid_t pid = fork();
	if (pid < 0)
		goto out_close_status;
	if (pid == 0) {
		close(ctl[1]);
		close(status[0]);
		guard_main(dir, uid, gid, log, argv, ctl[0], status[1]);
	}
	close(ctl[0]);
	close(status[1]);
	g->guard = pid;
	g->ctl_fd = ctl[1];
	g->status_fd = status[0];
	ssize_t n;
	while ((n = read(g->status_fd, &g->pid, sizeof(g->pid))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(g->pid)) {
		fprintf(stderr, "srvguard: cannot start %s\n", argv[0]);
		srvguard_stop(g);
		return -1;
	}
	return 0;

out_close_status:
	close(status[0]);
	close(status[1]);
out_close_ctl:
	close(ctl[0]);
	close(ctl[1]);
out_err:
	fprintf(stderr, "srvguard: cannot start a guard for %s: %s\n", argv[0], strerror(errno));
	return -1;
}

bool srvguard_running(const struct srvguard *g)
{
	if (g->guard <= 0)
		return false;
	struct pollfd p = {.fd = g->status_fd, .events = POLLIN};
	return poll(&p, 1, 0) == 0;
}

int srvguard_stop(struct srvguard *g)
{
	if (g->guard <= 0)
		return 0;
	close(g->ctl_fd);
	int status = 0;
	while (waitpid(g->guard, &status, 0) < 0 && errno == EINTR)
		;
	close(g->status_fd);
	g->guard = 0;
	g->ctl_fd = g->status_fd = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "srvguard: the guard of process %d could not stop it or remove its folder\n",
			(int)g->pid);
		return -1;
	}
	return 0;
}

bool srvguard_listening(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}
