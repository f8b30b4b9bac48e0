/* A throwaway NATS server for the cluster tests: Debian's nats-server on
 * 127.0.0.1 and a port it picks, its log in a temporary folder. It dies
 * with the test process however that ends (PR_SET_PDEATHSIG). */
#ifndef GUICHET_TEST_NATSSERVER_H
#define GUICHET_TEST_NATSSERVER_H

#include <sys/types.h>

struct natsserver {
	char dir[64];
	char url[64];      /* nats://127.0.0.1:PORT */
	pid_t pid;
};

/* 0 once it listens, or -1 with the reason on stderr. */
int natsserver_start(struct natsserver *n);
/* A cut: the server stops (its clients lose their links) until
 * natsserver_resume starts it again on the same port (0, or -1). */
void natsserver_pause(struct natsserver *n);
int natsserver_resume(struct natsserver *n);
/* Stops it and removes its folder; accepts a server never started. */
void natsserver_stop(struct natsserver *n);

#endif
