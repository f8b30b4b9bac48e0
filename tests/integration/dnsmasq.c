/* The tests' DNS server: dnsmasq (dnsmasq.h). */
#include "dnsmasq.h"
#include "testport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define START_TRIES 3             /* a free port may be taken before dnsmasq binds it */
#define START_WAIT_MS 10000
#define MAX_RECORDS 32

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_nsec = ms * 1000000}, NULL);
}

bool dnsmasq_available(void)
{
	return system("command -v dnsmasq >/dev/null 2>&1 || test -x /usr/sbin/dnsmasq") == 0;
}

static int start_once(struct dnsmasq *s, uid_t uid, gid_t gid, const char *local, const char *const *records,
		      size_t n, bool last)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/guichet-dnsmasq-XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		perror("dnsmasq: mkdtemp");
		return -1;
	}
	s->port = testport_free();
	char port[32], local_opt[160], log[128];
	snprintf(port, sizeof(port), "--port=%d", s->port);
	snprintf(local_opt, sizeof(local_opt), "--local=/%s/", local);
	snprintf(log, sizeof(log), "%s/dnsmasq.log", s->dir);
	/* in the foreground, on loopback alone, from its options alone: no
	 * config file, upstream, hosts file, pid file nor cache */
	char *argv[16 + MAX_RECORDS] = {"dnsmasq", "--keep-in-foreground", port, "--listen-address=127.0.0.1",
					"--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
					"--pid-file=", "--cache-size=0", "--log-queries", "--log-facility=-", local_opt};
	size_t argc = 13;
	for (size_t i = 0; i < n; i++)
		argv[argc++] = (char *)records[i];
	argv[argc] = NULL;
	if (s->port <= 0 || chmod(s->dir, 0755) < 0 || chown(s->dir, uid, gid) < 0 ||
	    srvguard_start(&s->guard, s->dir, uid, gid, log, argv) < 0) {
		fprintf(stderr, "dnsmasq: cannot prepare %s: %s\n", s->dir, strerror(errno));
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "dnsmasq: cannot remove %s\n", s->dir);
		return -1;
	}
	for (int waited = 0; waited < START_WAIT_MS && srvguard_running(&s->guard); waited += 10) {
		if (srvguard_listening(s->port)) /* its TCP side: the UDP one is bound before it */
			return 0;
		sleep_ms(10);
	}
	if (last) {
		char cmd[160];
		fprintf(stderr, "dnsmasq: it did not start (is dnsmasq-base installed?); its log:\n");
		snprintf(cmd, sizeof(cmd), "tail -20 '%s' >&2", log);
		if (system(cmd) != 0)
			fprintf(stderr, "dnsmasq: no log\n");
	}
	srvguard_stop(&s->guard);
	return -1;
}

int dnsmasq_start(struct dnsmasq *s, const char *local, const char *const *records, size_t n_records)
{
	memset(s, 0, sizeof(*s));
	uid_t uid;
	gid_t gid;
	if (n_records > MAX_RECORDS || srvguard_user(&uid, &gid) < 0)
		return -1;
	for (int i = 0; i < START_TRIES; i++)
		if (start_once(s, uid, gid, local, records, n_records, i == START_TRIES - 1) == 0)
			return 0;
	memset(s, 0, sizeof(*s));
	return -1;
}

int dnsmasq_stop(struct dnsmasq *s)
{
	return srvguard_stop(&s->guard);
}
