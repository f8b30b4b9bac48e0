/* SIPp as the tests' caller (sipp.h). */
#include "sipp.h"
#include "srvguard.h"
#include "testport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef GUICHET_SOURCE_DIR
#error "GUICHET_SOURCE_DIR: the scenarios' folder is found from it"
#endif

bool sipp_available(void)
{
	return system("command -v sipp >/dev/null 2>&1") == 0;
}

/* Runs SIPp with args (after "sipp -sf <scenario>", ending with NULL) in a
 * folder of its own, its screen into a log there. */
static int spawn(struct sipp *s, const char *scenario, char *const args[])
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/guichet-sipp-XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		perror("sipp: mkdtemp");
		return -1;
	}
	char path[512], log[128];
	snprintf(path, sizeof(path), "%s/tests/integration/sipp/%s", GUICHET_SOURCE_DIR, scenario);
	snprintf(log, sizeof(log), "%s/sipp.log", s->dir);
	char *argv[64] = {"sipp", "-sf", path};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < sizeof(argv) / sizeof(argv[0]) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t parent = getpid();
	s->pid = fork();
	if (s->pid < 0) {
		perror("sipp: fork");
		return -1;
	}
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0 || chdir(s->dir) < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp("sipp", argv);
		_exit(127);
	}
	return 0;
}

int sipp_start_opts(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *caller,
		    bool tcp, bool echo)
{
	char remote[64], local_port[16], media_port[16];
	snprintf(remote, sizeof(remote), "127.0.0.1:%d", sip_port);
	snprintf(local_port, sizeof(local_port), "%d", testport_free());
	snprintf(media_port, sizeof(media_port), "%d", testport_free());
	char *args[] = {remote, "-s", (char *)service, "-key", "caller", (char *)caller, "-m", "1", "-i", "127.0.0.1",
			"-p", local_port, "-mp", media_port, "-nostdin", "-timeout", "30", "-timeout_error", "-trace_err",
			"-t", tcp ? "t1" : "u1", echo ? "-rtp_echo" : NULL, NULL};
	return spawn(s, scenario, args);
}

int sipp_start_listen(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *caller,
		      int rtp_port)
{
	char remote[64], local_port[16], media[16];
	snprintf(remote, sizeof(remote), "127.0.0.1:%d", sip_port);
	snprintf(local_port, sizeof(local_port), "%d", testport_free());
	snprintf(media, sizeof(media), "%d", rtp_port);
	char *args[] = {remote, "-s", (char *)service, "-key", "caller", (char *)caller, "-key", "rtp_port", media,
			"-m", "1", "-i", "127.0.0.1", "-p", local_port, "-nostdin", "-timeout", "30", "-timeout_error",
			"-trace_err", "-t", "u1", NULL};
	return spawn(s, scenario, args);
}

int sipp_tap_open(int *ret_port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("sipp: tap");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}

void sipp_tap_read(int fd, int ms, long *ret_packets, long *ret_sign_changes)
{
	long packets = 0, changes = 0;
	int last = -1;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = ms - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		unsigned char buf[2048];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 12 || ((buf[1] & 0x7f) != 0 && (buf[1] & 0x7f) != 8)) /* G.711 only: not a keypad event */
			continue;
		packets++;
		size_t head = 12 + 4 * (size_t)(buf[0] & 0x0f);
		for (size_t i = head; i < (size_t)n; i++) {
			int sign = buf[i] & 0x80; /* mu-law and A-law: the top bit set for a positive sample */
			if (last >= 0 && sign != last)
				changes++;
			last = sign;
		}
	}
	*ret_packets = packets;
	*ret_sign_changes = changes;
}

char *sipp_square_wav(int hz, int seconds, size_t *ret_len)
{
	uint32_t frames = (uint32_t)(8000 * seconds), data = frames * 2, riff = 36 + data, fmt_len = 16;
	uint32_t rate = 8000, byte_rate = 16000;
	uint16_t pcm = 1, ch = 1, align = 2, bits = 16;
	size_t len = 44 + data;
	uint8_t *w = malloc(len), *p = w;
	if (w == NULL)
		return NULL;
	memcpy(p, "RIFF", 4), p += 4;
	memcpy(p, &riff, 4), p += 4;
	memcpy(p, "WAVEfmt ", 8), p += 8;
	memcpy(p, &fmt_len, 4), p += 4;
	memcpy(p, &pcm, 2), p += 2;
	memcpy(p, &ch, 2), p += 2;
	memcpy(p, &rate, 4), p += 4;
	memcpy(p, &byte_rate, 4), p += 4;
	memcpy(p, &align, 2), p += 2;
	memcpy(p, &bits, 2), p += 2;
	memcpy(p, "data", 4), p += 4;
	memcpy(p, &data, 4), p += 4;
	for (uint32_t i = 0; i < frames; i++) {
		int16_t v = (i * 2 * (uint32_t)hz / 8000) % 2 ? -8000 : 8000;
		memcpy(p + 2 * i, &v, 2);
	}
	*ret_len = len;
	return (char *)w;
}

int sipp_start(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *caller, bool tcp)
{
	return sipp_start_opts(s, scenario, sip_port, service, caller, tcp, true);
}

int sipp_serve(struct sipp *s, const char *scenario, int port, int calls)
{
	char local_port[16], media_port[16], n[16];
	snprintf(local_port, sizeof(local_port), "%d", port);
	snprintf(media_port, sizeof(media_port), "%d", testport_free());
	snprintf(n, sizeof(n), "%d", calls);
	char *args[] = {"-m", n, "-i", "127.0.0.1", "-p", local_port, "-mp", media_port, "-rtp_echo", "-nostdin",
			"-timeout", "40", "-timeout_error", "-trace_err", "-t", "u1", NULL};
	return spawn(s, scenario, args);
}

int sipp_serve_keyed(struct sipp *s, const char *scenario, int port, const char *key, const char *value)
{
	char local_port[16], media_port[16];
	snprintf(local_port, sizeof(local_port), "%d", port);
	snprintf(media_port, sizeof(media_port), "%d", testport_free());
	char *args[] = {"-m", "1", "-i", "127.0.0.1", "-p", local_port, "-mp", media_port, "-key", (char *)key,
			(char *)value, "-rtp_echo", "-nostdin", "-timeout", "60", "-timeout_error", "-trace_err", "-t",
			"u1", NULL};
	return spawn(s, scenario, args);
}

int sipp_start_keyed(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *key,
		     const char *value)
{
	char remote[64], local_port[16], media_port[16];
	snprintf(remote, sizeof(remote), "127.0.0.1:%d", sip_port);
	snprintf(local_port, sizeof(local_port), "%d", testport_free());
	snprintf(media_port, sizeof(media_port), "%d", testport_free());
	char *args[] = {remote, "-s", (char *)service, "-key", (char *)key, (char *)value, "-m", "1", "-i", "127.0.0.1",
			"-p", local_port, "-mp", media_port, "-nostdin", "-timeout", "30", "-timeout_error", "-trace_err",
			"-t", "u1", NULL};
	return spawn(s, scenario, args);
}

int sipp_wait(struct sipp *s, int timeout_ms)
{
	int status = 0, rc = -1;
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		pid_t got = waitpid(s->pid, &status, WNOHANG);
		if (got == s->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			break;
		}
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	if (rc == -1 && waitpid(s->pid, &status, WNOHANG) == 0) {
		fprintf(stderr, "sipp: still running after %d ms: killed\n", timeout_ms);
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
	}
	char cmd[256];
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "tail -30 %s/sipp.log >&2; cat %s/*errors.log >&2 2>/dev/null; echo >&2", s->dir,
			 s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "sipp: no log\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "sipp: cannot remove %s\n", s->dir);
	s->pid = 0;
	return rc;
}
