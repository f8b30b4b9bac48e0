/* A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a
 * temporary folder, a server on 127.0.0.1 and a free port, its socket in
 * that folder, fsync and synchronous_commit on, one database "guichet"
 * whose owner, the superuser "guichet", connects without a password from
 * loopback only.
 *
 * initdb refuses root, and CI and developers run as root: the cluster then
 * runs as the system user "postgres" (Debian's postgresql package creates
 * it), or GUICHET_PG_USER, or "nobody" when neither exists; as any other
 * user it runs as that user. The binaries come from GUICHET_PG_BINDIR,
 * else `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin.
 *
 * Nothing outlives the test: pgcluster_start forks a guard process that
 * holds one end of a pipe. When the test process ends, however it ends
 * (pgcluster_stop, exit, a failed assertion, abort, SIGKILL), the pipe
 * closes and the guard stops the server and removes the folder. */
#ifndef GUICHET_TEST_PGCLUSTER_H
#define GUICHET_TEST_PGCLUSTER_H

#include <stdbool.h>
#include <sys/types.h>

struct pgcluster {
	char dir[64];        /* the temporary folder: data/, the socket, server.log */
	char bindir[256];    /* initdb, pg_ctl, createdb */
	char url[128];       /* postgresql://guichet@127.0.0.1:PORT/guichet */
	int port;
	uid_t uid;           /* who runs initdb and the server */
	gid_t gid;
	pid_t guard;         /* stops the server when guard_fd closes */
	int guard_fd;
};

/* Makes a cluster and starts it, with extra postgresql.conf lines
 * ("name = value", NULL-terminated) after guichet's own. 0 or -1, with the
 * reason on stderr; on failure nothing is left running and c needs no stop. */
int pgcluster_start(struct pgcluster *c, ...);
/* Stops the server, removes the folder and waits for both; accepts a cluster
 * never started or already stopped. */
void pgcluster_stop(struct pgcluster *c);
/* The connection URL: postgresql://guichet@127.0.0.1:PORT/guichet. */
const char *pgcluster_url(const struct pgcluster *c);
/* A crash of the server, as a power cut would leave it: pg_ctl stop -m
 * immediate (no checkpoint, every backend killed), then a start on the same
 * data and port, which replays the WAL. What a commit acknowledged must be
 * there after. 0, or -1 with the reason on stderr (the guard still stops
 * whatever runs). */
int pgcluster_restart_immediate(struct pgcluster *c);
/* The same in two steps: the server stopped as by a crash, then started again. */
int pgcluster_down(struct pgcluster *c);
int pgcluster_up(struct pgcluster *c);

#endif
