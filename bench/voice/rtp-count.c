/* rtp-count CALLER_PORT PHONE_PORT: the voice bench's packet counts
 * (bench/voice/run), on the wire and at the callers' ear.
 *
 * The callers' SDP names CALLER_PORT on 127.0.0.1 (SIPp's [media_port+4],
 * which SIPp leaves free) and SIPp plays its speech from it (g711a.pcap: 30
 * ms packets of 240 bytes of PCMA); the agents' phones (SIPp -rtp_echo)
 * take and echo media on PHONE_PORT. SIPp 3.6 keeps no count of what it
 * plays or echoes that it reports, so this counts the speech packets (RTP
 * of 252 bytes: guichet's own prompts and music are 172, keypad events
 * smaller) on the loopback interface as they pass, by direction:
 *   from_caller  CALLER_PORT -> anywhere but PHONE_PORT (guichet's port)
 *   to_phone     anything but CALLER_PORT -> PHONE_PORT (guichet's relay)
 *   from_phone   PHONE_PORT -> anywhere but CALLER_PORT
 *   to_caller    anything but PHONE_PORT -> CALLER_PORT
 *   direct       CALLER_PORT -> PHONE_PORT and back (no guichet between)
 * and binds CALLER_PORT itself (the callers' ear: a port nobody reads would
 * answer with ICMP errors) counting what it receives there (ear). A packet
 * socket needs root, as SIPp's pcap play does. The kernel's count of the
 * packets the packet socket itself missed is printed too (missed: the
 * figures are void when it is not 0). On SIGTERM or SIGINT it prints one
 * line "from_caller N to_phone N from_phone N to_caller N direct_out N
 * direct_back N ear N missed N" and exits. */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SPEECH_LEN (12 + 240) /* an RTP header and 30 ms of G.711 */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void big_buffer(int fd)
{
	int size = 32 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static bool is_speech(const unsigned char *rtp, size_t len)
{
	return len == SPEECH_LEN && (rtp[0] >> 6) == 2 && (rtp[1] & 0x7f) == 8;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: rtp-count CALLER_PORT PHONE_PORT\n");
		return 2;
	}
	uint16_t caller = (uint16_t)strtol(argv[1], NULL, 10), phone = (uint16_t)strtol(argv[2], NULL, 10);
	int ear = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(caller)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ear < 0 || bind(ear, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("rtp-count: the callers' port");
		return 1;
	}
	big_buffer(ear);
	int wire = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = (int)if_nametoindex("lo")};
	if (wire < 0 || bind(wire, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		perror("rtp-count: a packet socket on lo (root)");
		return 1;
	}
	big_buffer(wire);
	struct sigaction act = {.sa_handler = on_signal}; /* no SA_RESTART: poll returns */
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	printf("listening\n");
	fflush(stdout);
	unsigned long long from_caller = 0, to_phone = 0, from_phone = 0, to_caller = 0, direct_out = 0,
			   direct_back = 0, heard = 0, missed = 0;
	unsigned char buf[2048];
	struct pollfd fds[2] = {{.fd = ear, .events = POLLIN}, {.fd = wire, .events = POLLIN}};
	while (!stop) {
		if (poll(fds, 2, 200) <= 0)
			continue;
		ssize_t n;
		while ((n = recv(ear, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			heard += is_speech(buf, (size_t)n);
		struct sockaddr_ll from;
		socklen_t from_len = sizeof(from);
		while ((n = recvfrom(wire, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &from_len)) > 0) {
			from_len = sizeof(from);
			if (from.sll_pkttype == PACKET_OUTGOING) /* lo shows each packet twice */
				continue;
			struct iphdr *ip = (struct iphdr *)buf;
			size_t ihl = (size_t)ip->ihl * 4;
			if (n < (ssize_t)(ihl + 8) || ip->protocol != IPPROTO_UDP)
				continue;
			struct udphdr *udp = (struct udphdr *)(buf + ihl);
			if (!is_speech(buf + ihl + 8, (size_t)n - ihl - 8))
				continue;
			uint16_t src = ntohs(udp->source), dst = ntohs(udp->dest);
			if (src == caller)
				dst == phone ? direct_out++ : from_caller++;
			else if (src == phone)
				dst == caller ? direct_back++ : from_phone++;
			else if (dst == phone)
				to_phone++;
			else if (dst == caller)
				to_caller++;
		}
	}
	struct tpacket_stats st;
	socklen_t st_len = sizeof(st);
	if (getsockopt(wire, SOL_PACKET, PACKET_STATISTICS, &st, &st_len) == 0)
		missed = st.tp_drops;
	printf("from_caller %llu to_phone %llu from_phone %llu to_caller %llu direct_out %llu direct_back %llu ear %llu "
	       "missed %llu\n", from_caller, to_phone, from_phone, to_caller, direct_out, direct_back, heard, missed);
	return 0;
}
