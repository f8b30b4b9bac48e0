/* Ports for the tests' servers (the daemon's listeners, PostgreSQL, Dovecot,
 * smtp-sink, SIPp): each picked from a range of its own that two programs run
 * at once by scripts/run-tests never share (their GUICHET_TEST_SLOT), below
 * the kernel's ephemeral range, where the ports that connect() and bind(0)
 * take come from, and guichetd's RTP ports. A port picked early and bound later
 * (a SIPp that answers minutes after the test's set-up) is then not taken
 * meanwhile by another program's socket. */
#ifndef GUICHET_TESTPORT_H
#define GUICHET_TESTPORT_H

/* A port on 127.0.0.1 free now for TCP and UDP, even, with its next five
 * free for UDP too (a SIPp's RTCP and video), none of them given out again by
 * this process before the slot's range comes round; or -1 when the whole
 * range is taken. */
int testport_free(void);

#endif
