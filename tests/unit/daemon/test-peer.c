/* The client address behind proxies (src/daemon/peer.c): X-Forwarded-For is
 * believed only from a trusted peer, read from the right, and a forged or
 * malformed left part never chooses the address a throttle counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/peer.h"
#include "guichet/error.h"

static struct peer_net trusted[PEER_MAX_TRUSTED];
static size_t n_trusted;

static int setup(void **state)
{
	n_trusted = 0;
	assert_int_equal(peer_net_list_parse("127.0.0.1, 10.0.0.0/8 fd00::/8,::1", trusted,
					     PEER_MAX_TRUSTED, &n_trusted), GC_OK);
	assert_int_equal(n_trusted, 4);
	return 0;
}

/* The client for peer and the given X-Forwarded-For headers (NULL-ended). */
static const char *client(const char *peer, ...)
{
	static char ret[PEER_ADDR_LEN];
	const char *xff[8];
	size_t n = 0;
	va_list ap;
	va_start(ap, peer);
	for (const char *h; n < 8 && (h = va_arg(ap, const char *)) != NULL;)
		xff[n++] = h;
	va_end(ap);
	peer_client_address(peer, xff, n, trusted, n_trusted, ret, sizeof(ret));
	return ret;
}

static void untrusted_peer_is_the_client_whatever_it_says(void **state)
{
	/* the attack: a client names any address to dodge its own counters */
	assert_string_equal(client("192.0.2.7", "203.0.113.9", NULL), "192.0.2.7");
	assert_string_equal(client("192.0.2.7", "10.0.0.1", NULL), "192.0.2.7");
	assert_string_equal(client("2001:db8::5", "::1", NULL), "2001:db8::5");
	/* no list of trusted proxies: nobody is believed */
	char ret[PEER_ADDR_LEN];
	const char *xff[] = {"203.0.113.9"};
	peer_client_address("127.0.0.1", xff, 1, trusted, 0, ret, sizeof(ret));
	assert_string_equal(ret, "127.0.0.1");
}

static void trusted_peer_rightmost_untrusted_wins(void **state)
{
	assert_string_equal(client("127.0.0.1", "203.0.113.9", NULL), "203.0.113.9");
	/* the client wrote a forged left part; the proxies appended to the right */
	assert_string_equal(client("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3", NULL), "203.0.113.9");
	assert_string_equal(client("10.9.9.9", "  198.51.100.1 ,10.0.0.2,  10.0.0.3 ", NULL), "198.51.100.1");
	/* no header: the peer */
	assert_string_equal(client("127.0.0.1", NULL), "127.0.0.1");
	/* every hop trusted: the leftmost */
	assert_string_equal(client("127.0.0.1", "10.0.0.5, 10.0.0.6", NULL), "10.0.0.5");
}

static void several_headers_are_one_list(void **state)
{
	assert_string_equal(client("127.0.0.1", "1.2.3.4", "203.0.113.9", NULL), "203.0.113.9");
	assert_string_equal(client("127.0.0.1", "198.51.100.2", "10.0.0.1", "10.0.0.2, 10.0.0.3", NULL),
			    "198.51.100.2");
	assert_string_equal(client("127.0.0.1", "198.51.100.2, 10.0.0.1", "", NULL), "127.0.0.1");
}

static void malformed_elements_stop_the_walk(void **state)
{
	/* garbage the proxy appended after: the proxy is all we know */
	assert_string_equal(client("127.0.0.1", "203.0.113.9, unknown", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "203.0.113.9,", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "999.1.1.1", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "1.2.3.4.5", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "203.0.113.9, 10.0.0.1 10.0.0.2", NULL), "127.0.0.1");
	/* malformed left of a trusted hop: the last trusted hop read */
	assert_string_equal(client("127.0.0.1", "<script>, 10.0.0.7", NULL), "10.0.0.7");
	/* garbage left of the client does not matter */
	assert_string_equal(client("127.0.0.1", "%%%, 203.0.113.9", NULL), "203.0.113.9");
	/* an address that does not parse as a peer is copied as is */
	assert_string_equal(client("", "203.0.113.9", NULL), "");
	assert_string_equal(client(NULL, "203.0.113.9", NULL), "");
	/* a very long list is read only PEER_MAX_HOPS deep */
	char many[2048] = "203.0.113.9";
	for (int i = 0; i < 40; i++)
		strcat(many, ", 10.0.0.1");
	assert_string_equal(client("127.0.0.1", many, NULL), "10.0.0.1");
}

static void ipv6_and_ports(void **state)
{
	assert_string_equal(client("::1", "2001:DB8:0:0::1", NULL), "2001:db8::1");
	assert_string_equal(client("::1", "[2001:db8::1]:443", NULL), "2001:db8::1");
	assert_string_equal(client("::1", "203.0.113.9:61000", NULL), "203.0.113.9");
	assert_string_equal(client("127.0.0.1", "2001:db8::1, fd12::3", NULL), "2001:db8::1");
	/* an IPv4-mapped peer is the IPv4 address (a dual-stack listener) */
	assert_string_equal(client("::ffff:127.0.0.1", "203.0.113.9", NULL), "203.0.113.9");
	assert_string_equal(client("::1", "::ffff:203.0.113.9", NULL), "203.0.113.9");
	assert_string_equal(client("::1", "[2001:db8::1", NULL), "::1");
	assert_string_equal(client("::1", "[203.0.113.9]", NULL), "::1");
	assert_string_equal(client("::1", "2001:db8::1:443x", NULL), "::1");
	assert_string_equal(client("::1", "fe80::1%eth0", NULL), "::1");
}

static void networks(void **state)
{
	struct peer_net net;
	struct peer_addr a;
	assert_int_equal(peer_net_parse("10.0.0.0/8", &net), GC_OK);
	assert_int_equal(peer_addr_parse("10.255.1.2", 10, &a), GC_OK);
	assert_true(peer_net_contains(&net, &a));
	assert_int_equal(peer_addr_parse("11.0.0.1", 8, &a), GC_OK);
	assert_false(peer_net_contains(&net, &a));
	assert_int_equal(peer_net_parse("192.168.4.0/22", &net), GC_OK);
	assert_int_equal(peer_addr_parse("192.168.7.255", 13, &a), GC_OK);
	assert_true(peer_net_contains(&net, &a));
	assert_int_equal(peer_addr_parse("192.168.8.0", 11, &a), GC_OK);
	assert_false(peer_net_contains(&net, &a));
	assert_int_equal(peer_net_parse("2001:db8::/32", &net), GC_OK);
	assert_int_equal(peer_addr_parse("2001:db8:ffff::1", 16, &a), GC_OK);
	assert_true(peer_net_contains(&net, &a));
	assert_int_equal(peer_addr_parse("10.0.0.1", 8, &a), GC_OK);
	assert_false(peer_net_contains(&net, &a)); /* families never match */
	assert_int_equal(peer_net_parse("0.0.0.0/0", &net), GC_OK);
	assert_true(peer_net_contains(&net, &a));
	/* refused: host bits set, prefix too long, garbage */
	assert_int_equal(peer_net_parse("10.0.0.1/8", &net), GC_EINVAL);
	assert_int_equal(peer_net_parse("10.0.0.0/33", &net), GC_EINVAL);
	assert_int_equal(peer_net_parse("::/129", &net), GC_EINVAL);
	assert_int_equal(peer_net_parse("10.0.0.0/", &net), GC_EINVAL);
	assert_int_equal(peer_net_parse("10.0.0.0/-1", &net), GC_EINVAL);
	assert_int_equal(peer_net_parse("proxy.example", &net), GC_EINVAL);
	size_t n = 0;
	struct peer_net list[2];
	assert_int_equal(peer_net_list_parse("10.0.0.1, 10.0.0.2, 10.0.0.3", list, 2, &n), GC_ETOOBIG);
	n = 0;
	assert_int_equal(peer_net_list_parse("10.0.0.1,nope", list, 2, &n), GC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(untrusted_peer_is_the_client_whatever_it_says, setup),
		cmocka_unit_test_setup(trusted_peer_rightmost_untrusted_wins, setup),
		cmocka_unit_test_setup(several_headers_are_one_list, setup),
		cmocka_unit_test_setup(malformed_elements_stop_the_walk, setup),
		cmocka_unit_test_setup(ipv6_and_ports, setup),
		cmocka_unit_test(networks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
