/* A throwaway NATS server for tests (natsserver.h). */
#include "natsserver.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LISTENING "Listening for client connections on "

/* The port from the server's log line saying where it listens, or 0. */
static int read_port(const char *log)
{
	FILE *f = fopen(log, "r");
	char line[512];
	int port = 0;
	while (f && port == 0 && fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, LISTENING), *colon = at ? strrchr(at, ':') : NULL;
		if (colon)
			port = atoi(colon + 1);
	}
	if (f)
		fclose(f);
	return port;
}

/* Runs nats-server on port (-1: one it picks) in n->dir: 0 once it listens. */
static int spawn(struct natsserver *n, int port)
{
	char log[128], port_text[16];
	snprintf(log, sizeof(log), "%s/nats.log", n->dir);
	snprintf(port_text, sizeof(port_text), "%d", port);
	unlink(log);
	pid_t parent = getpid();
	n->pid = fork();
	if (n->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1); /* the test died before the line above */
		execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", port_text, "-l", log, (char *)NULL);
		execl("/usr/sbin/nats-server", "nats-server", "-a", "127.0.0.1", "-p", port_text, "-l", log, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && n->pid > 0; i++) {
		int listening = read_port(log), status;
		if (listening > 0) {
			snprintf(n->url, sizeof(n->url), "nats://127.0.0.1:%d", listening);
			return 0;
		}
		if (waitpid(n->pid, &status, WNOHANG) == n->pid) {
			n->pid = 0;
			break;
		}
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	fprintf(stderr, "natsserver: nats-server did not start (is the nats-server package installed?); its log: %s\n", log);
	return -1;
}

int natsserver_start(struct natsserver *n)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->dir, sizeof(n->dir), "/tmp/guichet-nats-XXXXXX");
	if (mkdtemp(n->dir) == NULL) {
		perror("natsserver: mkdtemp");
		return -1;
	}
	if (spawn(n, -1) < 0) {
		natsserver_stop(n);
		return -1;
	}
	return 0;
}

void natsserver_pause(struct natsserver *n)
{
	if (n->pid > 0) {
		kill(n->pid, SIGTERM);
		waitpid(n->pid, NULL, 0);
		n->pid = 0;
	}
}

int natsserver_resume(struct natsserver *n)
{
	const char *colon = strrchr(n->url, ':');
	return colon ? spawn(n, atoi(colon + 1)) : -1;
}

void natsserver_stop(struct natsserver *n)
{
	if (n->pid > 0) {
		kill(n->pid, SIGTERM);
		waitpid(n->pid, NULL, 0);
		n->pid = 0;
	}
	if (n->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", n->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "natsserver: cannot remove %s\n", n->dir);
		n->dir[0] = '\0';
	}
}
