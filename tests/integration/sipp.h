/* SIPp (Debian's sip-tester) as the tests' caller or agent's phone, on loopback: one run of
 * a scenario of tests/integration/sipp/ against guichetd's SIP address.
 * SIPp runs as the test's own user (its play_dtmf sends RFC 4733 events
 * through a raw socket: root, as in CI), in a process group of its own,
 * and dies with the test (PR_SET_PDEATHSIG), so it cannot outlive it, as
 * srvguard.h's servers cannot; its screen and errors go to a log in a
 * temporary folder, printed when a run fails. */
#ifndef GUICHET_TEST_SIPP_H
#define GUICHET_TEST_SIPP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sipp {
	pid_t pid;
	char dir[64];     /* its folder: the log and SIPp's error files */
};

/* Whether sipp is installed. */
bool sipp_available(void);
/* Starts one call of scenario (a file name in tests/integration/sipp/) to
 * service (the number dialled) at 127.0.0.1:sip_port, over UDP or (tcp)
 * TCP, from caller (the From user); SIPp echoes the media it hears
 * (-rtp_echo). 0, or -1 with the reason on stderr. */
int sipp_start(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *caller, bool tcp);
/* The same, echoing the media it hears or not (a caller that talks to an
 * agent's phone which echoes must not echo back: the packets would loop). */
int sipp_start_opts(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *caller,
		    bool tcp, bool echo);
/* A caller (scenario listen.xml) whose offer names rtp_port on 127.0.0.1
 * for its media: guichet's RTP goes to the test's own socket (sipp_tap). */
int sipp_start_listen(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *caller,
		      int rtp_port);
/* A UDP socket on 127.0.0.1 for a caller's media: its descriptor (port in
 * *ret_port), or -1. */
int sipp_tap_open(int *ret_port);
/* The G.711 packets (PCMU or PCMA) arriving on the tap for ms: how many, and how
 * often their samples change sign (a tone of f Hz: 2f a second; silence:
 * none), for telling what a caller hears. */
void sipp_tap_read(int fd, int ms, long *ret_packets, long *ret_sign_changes);
/* A WAV file in memory (malloc'd, *ret_len bytes; NULL: out of memory):
 * seconds of an 8 kHz mono 16-bit square wave of hz, as a tenant uploads
 * its recordings. */
char *sipp_square_wav(int hz, int seconds, size_t *ret_len);
/* SIPp as an agent's phone (user-agent server) on 127.0.0.1:port over UDP,
 * for calls calls of scenario, echoing the media it hears (-rtp_echo). */
int sipp_serve(struct sipp *s, const char *scenario, int port, int calls);
/* SIPp as a provider (user-agent server, scenario) on 127.0.0.1:port over
 * UDP, for one call, with the scenario's key set to value ([key]). */
int sipp_serve_keyed(struct sipp *s, const char *scenario, int port, const char *key, const char *value);
/* One call of scenario to service at 127.0.0.1:sip_port over UDP, with the
 * scenario's key set to value. */
int sipp_start_keyed(struct sipp *s, const char *scenario, int sip_port, const char *service, const char *key,
		     const char *value);
/* Waits for the call to end (at most timeout_ms, then SIPp is killed):
 * SIPp's exit status (0: the scenario passed, 1: it failed), or -1; the
 * log is printed when it is not 0. The folder goes. */
int sipp_wait(struct sipp *s, int timeout_ms);

#endif
