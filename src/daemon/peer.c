/* The client's address behind trusted proxies (peer.h): parsing addresses and
 * networks, and the right-to-left walk of X-Forwarded-For. No I/O. */
#include "daemon/peer.h"
#include "guichet/error.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool all_digits(const char *s, size_t len)
{
	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Parses exactly len bytes of a bare address (no brackets, no port). */
static int parse_bare(const char *s, size_t len, struct peer_addr *ret)
{
	char text[PEER_ADDR_LEN];
	if (len == 0 || len >= sizeof(text))
		return GC_EINVAL;
	memcpy(text, s, len);
	text[len] = '\0';
	struct peer_addr a = {0};
	if (inet_pton(AF_INET, text, a.bytes) == 1) {
		a.family = 4;
	} else if (inet_pton(AF_INET6, text, a.bytes) == 1) {
		a.family = 6;
		if (memcmp(a.bytes, v4_mapped, sizeof(v4_mapped)) == 0) {
			memmove(a.bytes, a.bytes + 12, 4);
			memset(a.bytes + 4, 0, 12);
			a.family = 4;
		}
	} else {
		return GC_EINVAL;
	}
	*ret = a;
	return GC_OK;
}

int peer_addr_parse(const char *s, size_t len, struct peer_addr *ret)
{
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (close == NULL)
			return GC_EINVAL;
		size_t rest = len - (size_t)(close + 1 - s);
		if (rest > 0 && (close[1] != ':' || !all_digits(close + 2, rest - 1)))
			return GC_EINVAL;
		struct peer_addr a;
		if (parse_bare(s + 1, (size_t)(close - s - 1), &a) < 0 || a.family != 6)
			return GC_EINVAL;
		*ret = a;
		return GC_OK;
	}
	const char *colon = memchr(s, ':', len);
	if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) == NULL) {
		/* one colon: IPv4 with a port */
		if (!all_digits(colon + 1, len - (size_t)(colon + 1 - s)))
			return GC_EINVAL;
		struct peer_addr a;
		if (parse_bare(s, (size_t)(colon - s), &a) < 0 || a.family != 4)
			return GC_EINVAL;
		*ret = a;
		return GC_OK;
	}
	return parse_bare(s, len, ret);
}

void peer_addr_format(const struct peer_addr *a, char *ret, size_t ret_len)
{
	char text[PEER_ADDR_LEN] = "";
	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, text, sizeof(text));
	snprintf(ret, ret_len, "%s", text);
}

int peer_net_parse(const char *text, struct peer_net *ret)
{
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	struct peer_net net;
	if (parse_bare(text, len, &net.addr) < 0)
		return GC_EINVAL;
	int max = net.addr.family == 4 ? 32 : 128;
	int prefix = max;
	if (slash) {
		if (!all_digits(slash + 1, strlen(slash + 1)))
			return GC_EINVAL;
		prefix = (int)strtol(slash + 1, NULL, 10);
		if (prefix > max)
			return GC_EINVAL;
		if (net.addr.family == 4 && strchr(text, ':')) /* ::ffff:10.0.0.0/104 and such */
			return GC_EINVAL;
	}
	net.prefix = (uint8_t)prefix;
	/* host bits set ("10.0.0.1/8") are most likely a typing mistake */
	for (int bit = prefix; bit < max; bit++)
		if (net.addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
			return GC_EINVAL;
	*ret = net;
	return GC_OK;
}

int peer_net_list_parse(const char *text, struct peer_net *nets, size_t max, size_t *n_nets)
{
	const char *p = text;
	for (;;) {
		p += strspn(p, ", \t");
		size_t len = strcspn(p, ", \t");
		if (len == 0)
			return GC_OK;
		char item[PEER_ADDR_LEN + 4];
		if (len >= sizeof(item))
			return GC_EINVAL;
		memcpy(item, p, len);
		item[len] = '\0';
		if (*n_nets >= max)
			return GC_ETOOBIG;
		if (peer_net_parse(item, &nets[*n_nets]) < 0)
			return GC_EINVAL;
		(*n_nets)++;
		p += len;
	}
}

bool peer_net_contains(const struct peer_net *net, const struct peer_addr *a)
{
	if (net->addr.family != a->family)
		return false;
	int full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr.bytes, a->bytes, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (net->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

static bool is_trusted(const struct peer_addr *a, const struct peer_net *trusted, size_t n_trusted)
{
	for (size_t i = 0; i < n_trusted; i++)
		if (peer_net_contains(&trusted[i], a))
			return true;
	return false;
}

void peer_client_address(const char *peer, const char *const *xff, size_t n_xff,
			 const struct peer_net *trusted, size_t n_trusted, char *ret, size_t ret_len)
{
	struct peer_addr cur;
	if (peer == NULL || peer_addr_parse(peer, strlen(peer), &cur) < 0 ||
	    !is_trusted(&cur, trusted, n_trusted)) {
		snprintf(ret, ret_len, "%s", peer ? peer : "");
		return;
	}
	size_t hops = 0;
	for (size_t h = n_xff; h-- > 0;) {
		const char *start = xff[h] ? xff[h] : "";
		const char *end = start + strlen(start);
		for (;;) {
			const char *comma = end;
			while (comma > start && comma[-1] != ',')
				comma--;
			struct peer_addr hop;
			if (++hops > PEER_MAX_HOPS || peer_addr_parse(comma, (size_t)(end - comma), &hop) < 0)
				goto out; /* what lies further left cannot be checked */
			cur = hop;
			if (!is_trusted(&cur, trusted, n_trusted))
				goto out;
			if (comma == start)
				break;
			end = comma - 1;
		}
	}
out:
	peer_addr_format(&cur, ret, ret_len);
}
