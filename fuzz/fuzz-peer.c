/* libFuzzer target: the client address behind proxies (src/daemon/peer.c).
 * The input is lines: the peer's address, then X-Forwarded-For header
 * values. None may crash or read out of bounds; the answer is the peer when
 * the peer is not trusted, and otherwise an address that parses again. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/peer.h"
#include "guichet/error.h"

#define MAX_LINES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct peer_net trusted[PEER_MAX_TRUSTED];
	static size_t n_trusted;
	if (n_trusted == 0)
		assert(peer_net_list_parse("127.0.0.1 10.0.0.0/8 fd00::/8 ::1 192.168.0.0/16", trusted,
					   PEER_MAX_TRUSTED, &n_trusted) == GC_OK);
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	const char *lines[MAX_LINES];
	size_t n = 0;
	for (char *p = text; n < MAX_LINES && p;) {
		lines[n++] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	char ret[PEER_ADDR_LEN];
	peer_client_address(lines[0], lines + 1, n - 1, trusted, n_trusted, ret, sizeof(ret));
	struct peer_addr peer, client;
	bool trusted_peer = false;
	if (peer_addr_parse(lines[0], strlen(lines[0]), &peer) == GC_OK)
		for (size_t i = 0; i < n_trusted; i++)
			trusted_peer |= peer_net_contains(&trusted[i], &peer);
	if (!trusted_peer)
		assert(strncmp(ret, lines[0], sizeof(ret) - 1) == 0);
	else
		assert(peer_addr_parse(ret, strlen(ret), &client) == GC_OK);
	struct peer_net net;
	if (peer_net_parse(lines[0], &net) == GC_OK)
		assert(net.prefix <= (net.addr.family == 4 ? 32 : 128));
	free(text);
	return 0;
}
