/* A test server that cannot outlive its test: the server runs as the child
 * of a guard process, which the test starts and holds by one end of a pipe.
 * When the test process ends, however it ends (srvguard_stop, exit, a failed
 * assertion, abort, SIGKILL), the pipe closes and the guard kills the
 * server's whole process group (SIGKILL: a throwaway server needs no clean
 * shutdown) and removes the server's folder. The guard runs in a session of its own, so a Ctrl-C or a
 * test runner's signal to the test's process group leaves it to finish; the
 * server dies with the guard too (PR_SET_PDEATHSIG) should the guard itself
 * be killed. Used by dovecot.c and smtpsink.c; pgcluster.c has its own, as
 * pg_ctl, not a child, runs PostgreSQL.
 *
 * The guard's child runs the server as the given uid and gid (an
 * unprivileged user when the test runs as root), in a process group of its
 * own, its standard output and error appended to a log file. */
#ifndef GUICHET_TEST_SRVGUARD_H
#define GUICHET_TEST_SRVGUARD_H

#include <stdbool.h>
#include <sys/types.h>

struct srvguard {
	pid_t guard;      /* our child; stops the server when ctl_fd closes */
	pid_t pid;        /* the server: the guard's child, leader of its process group */
	int ctl_fd;       /* closing it tells the guard to stop */
	int status_fd;    /* reads EOF once the server has exited */
};

/* The user to run a server as: ourselves, or "nobody" when we are root.
 * 0, or -1 with the reason on stderr. */
int srvguard_user(uid_t *ret_uid, gid_t *ret_gid);

/* Starts argv (argv[0] looked up in PATH, then in /usr/sbin) as uid/gid in
 * dir, its output appended to log, under a guard that removes dir when it
 * stops. 0 once the server is forked (the caller waits until it serves), or
 * -1 with the reason on stderr: then dir may remain, for the caller to remove. */
int srvguard_start(struct srvguard *g, const char *dir, uid_t uid, gid_t gid, const char *log,
		   char *const argv[]);
/* Whether the server still runs. */
bool srvguard_running(const struct srvguard *g);
/* Stops the server, removes the folder and waits for the guard: 0, or -1
 * when the guard could not (with the reason on stderr). Accepts a guard never
 * started or already stopped (then 0). */
int srvguard_stop(struct srvguard *g);

/* Whether something accepts connections on 127.0.0.1:port. */
bool srvguard_listening(int port);

#endif
