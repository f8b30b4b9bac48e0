/* A real DNS server for the tests: Debian's dnsmasq (package dnsmasq-base,
 * the binary alone, no service) on a free port of 127.0.0.1, answering
 * only from the records it is given (no upstream, no /etc/hosts), so that
 * guichet's SIP stack resolves a trunk's host name (RFC 3263: NAPTR, SRV,
 * A) against real DNS and nothing here speaks DNS by hand.
 *
 * It runs as ourselves, or as "nobody" when we are root, logs each query
 * to its folder's dnsmasq.log (printed when it does not start), and dies
 * with the test however it ends (srvguard.h). */
#ifndef GUICHET_TEST_DNSMASQ_H
#define GUICHET_TEST_DNSMASQ_H

#include "srvguard.h"

struct dnsmasq {
	char dir[64];         /* the temporary folder (dnsmasq.log) */
	int port;             /* UDP and TCP on 127.0.0.1 */
	struct srvguard guard;
};

/* Whether dnsmasq is installed. */
bool dnsmasq_available(void);
/* Starts it with records, each one of dnsmasq's own options, such as
 * "--address=/trunk.test/127.0.0.1" (A records for a domain and its
 * subdomains; "--address=/invalid/" for NXDOMAIN) or
 * "--srv-host=_sip._udp.trunk.test,sip.trunk.test,5070", names under
 * local (a domain, such as "test") answered by it alone: 0 once it
 * answers, or -1 with the reason on stderr, nothing left running. */
int dnsmasq_start(struct dnsmasq *s, const char *local, const char *const *records, size_t n_records);
/* Stops it and removes its folder: 0, or -1. Accepts one never started. */
int dnsmasq_stop(struct dnsmasq *s);

#endif
