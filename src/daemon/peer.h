/* Who is the client: the peer's address, or the one a trusted proxy put in
 * X-Forwarded-For. Pure: parsing and comparing addresses, no I/O.
 *
 * A proxy appends the address it received the request from to the right of
 * X-Forwarded-For; anything further left was written by whoever sent the
 * request and proves nothing. So the header is believed only when the TCP
 * peer is a configured trusted proxy, and it is read from the right: trusted
 * proxies are skipped, the first address that is not one of them is the
 * client. A malformed element stops the walk (what lies to its left cannot be
 * checked): the client is then the last hop read, a trusted proxy. */
#ifndef GUICHET_DAEMON_PEER_H
#define GUICHET_DAEMON_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PEER_ADDR_LEN 46      /* INET6_ADDRSTRLEN: the longest text form, with its NUL */
#define PEER_MAX_TRUSTED 32   /* trusted proxy entries in the configuration */
#define PEER_MAX_HOPS 32      /* X-Forwarded-For elements read, from the right */

/* An IPv4 (family 4, bytes[0..3]) or IPv6 (family 6) address. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is stored as the IPv4 one. */
struct peer_addr {
	uint8_t family;
	uint8_t bytes[16];
};

/* An address and a prefix length: "10.0.0.0/8", "fd00::/8", "::1" (/128). */
struct peer_net {
	struct peer_addr addr;
	uint8_t prefix;
};

/* Parses "192.0.2.1", "2001:db8::1", "[2001:db8::1]", and with a port
 * "192.0.2.1:443" or "[2001:db8::1]:443" (some proxies write one), spaces
 * around allowed. GC_EINVAL otherwise. */
int peer_addr_parse(const char *text, size_t len, struct peer_addr *ret);
/* The canonical text of an address (inet_ntop), at least PEER_ADDR_LEN bytes. */
void peer_addr_format(const struct peer_addr *a, char *ret, size_t ret_len);
/* Parses "ADDRESS" or "ADDRESS/PREFIX"; the bits past the prefix must be zero. */
int peer_net_parse(const char *text, struct peer_net *ret);
/* Parses a list of networks separated by commas or spaces into nets (up to
 * max, counted in *n_nets, which the caller sets first: entries append).
 * GC_EINVAL names nothing: the caller prints the value; GC_ETOOBIG past max. */
int peer_net_list_parse(const char *text, struct peer_net *nets, size_t max, size_t *n_nets);
bool peer_net_contains(const struct peer_net *net, const struct peer_addr *a);

/* The client's address, in canonical text, into ret (PEER_ADDR_LEN bytes):
 * peer is the TCP peer's address text; xff holds the X-Forwarded-For
 * header values in the order received (n_xff of them; several headers are
 * one list, as RFC 9110 says); trusted the proxies to believe. When peer is
 * not trusted or does not parse, the answer is peer itself (copied as is
 * when it does not parse, e.g. "" without a connection). */
void peer_client_address(const char *peer, const char *const *xff, size_t n_xff,
			 const struct peer_net *trusted, size_t n_trusted, char *ret, size_t ret_len);

#endif
