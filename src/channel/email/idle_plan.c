/* The IMAP IDLE watcher's pure decisions (idle_plan.h). */
#include "channel/email/idle_plan.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *why, size_t why_len, const char *text)
{
	snprintf(why, why_len, "%s", text);
	return GC_EINVAL;
}

static bool loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 || strcasecmp(host, "localhost") == 0;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The path after the host, percent-decoded into out; false when it holds a
 * control character (or a NUL once decoded) or is too long. */
static bool decode_mailbox(const char *path, char *out, size_t out_len)
{
	size_t n = 0;
	for (const char *p = path; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			int hi = hex(p[1]), lo = hi < 0 ? -1 : hex(p[2]);
			if (lo < 0)
				return false;
			c = hi * 16 + lo;
			p += 2;
		}
		if (c < 0x20 || c == 0x7f || n + 1 >= out_len)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}

/* host[:port] or [v6][:port], from authority (len bytes, no userinfo). */
static int parse_authority(const char *a, size_t len, struct idle_server *s, char *why, size_t why_len)
{
	const char *host = a, *end = a + len, *colon;
	size_t host_len;
	if (*a == '[') {
		const char *close = memchr(a, ']', len);
		if (close == NULL)
			return fail(why, why_len, "an IPv6 address without its closing ']'");
		host = a + 1;
		host_len = (size_t)(close - host);
		colon = close + 1 < end ? close + 1 : NULL;
		if (colon && *colon != ':')
			return fail(why, why_len, "something after the IPv6 address other than :PORT");
	} else {
		colon = memchr(a, ':', len);
		host_len = colon ? (size_t)(colon - a) : len;
	}
	if (host_len == 0 || host_len >= sizeof(s->host))
		return fail(why, why_len, "no host, or one too long");
	memcpy(s->host, host, host_len);
	s->host[host_len] = '\0';
	if (colon) {
		long port = 0;
		const char *p = colon + 1;
		if (p == end)
			return fail(why, why_len, "a ':' without a port");
		for (; p < end; p++) {
			if (*p < '0' || *p > '9' || (port = port * 10 + (*p - '0')) > 65535)
				return fail(why, why_len, "the port is not a number from 1 to 65535");
		}
		if (port == 0)
			return fail(why, why_len, "the port is not a number from 1 to 65535");
		s->port = (uint16_t)port;
	}
	return GC_OK;
}

int idle_server_parse(const char *url, struct idle_server *ret, char *why, size_t why_len)
{
	struct idle_server s = {0};
	const char *rest;
	if (strncasecmp(url, "imaps://", 8) == 0) {
		s.tls = true;
		s.port = 993;
		rest = url + 8;
	} else if (strncasecmp(url, "imap://", 7) == 0) {
		s.port = 143;
		rest = url + 7;
	} else {
		return fail(why, why_len, "the scheme is imaps:// (or imap:// on loopback)");
	}
	const char *slash = strchr(rest, '/');
	size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
	for (size_t i = len; i > 0; i--) /* user@ in the URL: passed over, the login is the mailbox's */
		if (rest[i - 1] == '@') {
			rest += i;
			len -= i;
			break;
		}
	int rc = parse_authority(rest, len, &s, why, why_len);
	if (rc < 0)
		return rc;
	if (!s.tls && !loopback(s.host))
		return fail(why, why_len, "imap:// sends the password in clear: only to a loopback address; use imaps://");
	if (!decode_mailbox(slash && slash[1] ? slash + 1 : "INBOX", s.mailbox, sizeof(s.mailbox)))
		return fail(why, why_len, "the mailbox's name holds a control character or is too long");
	*ret = s;
	return GC_OK;
}

int64_t idle_renew_at(int64_t since_ms)
{
	return since_ms + IDLE_RENEW_MS;
}

int64_t idle_backoff_ms(int n_failures, uint64_t seed)
{
	int64_t wait = IDLE_BACKOFF_FIRST_MS;
	for (int i = 1; i < n_failures && wait < IDLE_BACKOFF_MAX_MS; i++)
		wait *= 2;
	if (wait > IDLE_BACKOFF_MAX_MS)
		wait = IDLE_BACKOFF_MAX_MS;
	/* a multiplicative hash of the seed picks the spread, the same for a mailbox each time */
	uint64_t spread = (seed * 0x9E3779B97F4A7C15ULL) >> 32;
	return wait + (int64_t)(spread % (uint64_t)(wait / 10 + 1));
}

int idle_wait_ms(int64_t now_ms, int64_t deadline_ms, int cap_ms)
{
	if (deadline_ms <= now_ms)
		return 0;
	return deadline_ms - now_ms < cap_ms ? (int)(deadline_ms - now_ms) : cap_ms;
}
