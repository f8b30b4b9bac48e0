/* A mailbox's IMAP server through libcurl (imap.h). */
#include "channel/email/imap.h"
#include "guichet/error.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct imap {
	CURL *curl;
	char base[600];            /* scheme://host[:port]/ */
	char mailbox[256];         /* INBOX */
	char error[CURL_ERROR_SIZE + 64];
};

struct buffer {
	char *data;
	size_t len, cap, max;
	CURL *curl; /* set for a message: its size, from the server's literal, sizes the buffer at once */
};

static size_t collect(char *ptr, size_t size, size_t n, void *arg)
{
	struct buffer *b = arg;
	size_t len = size * n;
	if (b->len + len + 1 > b->max)
		return 0; /* too big: the transfer fails */
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		curl_off_t known = -1;
		/* a message's size is known before its first byte: one buffer of that size, not a
		 * series of doublings that would each copy it and leave the last one up to half empty */
		if (b->cap == 0 && b->curl && curl_easy_getinfo(b->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &known) == CURLE_OK &&
		    known > 0 && (uint64_t)known < b->max)
			cap = (size_t)known + 1;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *grown = realloc(b->data, cap);
		if (grown == NULL)
			return 0;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

int imap_new(const char *url, const char *username, const char *password, struct imap **ret)
{
	struct imap *c = calloc(1, sizeof(*c));
	if (c == NULL || (c->curl = curl_easy_init()) == NULL) {
		free(c);
		return GC_ENOMEM;
	}
	const char *host = strstr(url, "://"), *path = host ? strchr(host + 3, '/') : NULL;
	size_t base_len = path ? (size_t)(path - url) + 1 : strlen(url);
	if (host == NULL || base_len + 1 >= sizeof(c->base)) {
		imap_free(c);
		return GC_EINVAL;
	}
	snprintf(c->base, sizeof(c->base), "%.*s%s", (int)base_len, url, path ? "" : "/");
	snprintf(c->mailbox, sizeof(c->mailbox), "%s", path && path[1] ? path + 1 : "INBOX");
	curl_easy_setopt(c->curl, CURLOPT_USERNAME, username);
	curl_easy_setopt(c->curl, CURLOPT_PASSWORD, password);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->error);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, collect);
	*ret = c;
	return GC_OK;
}

void imap_free(struct imap *c)
{
	if (c == NULL)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c);
}

const char *imap_errmsg(const struct imap *c)
{
	return c->error;
}

/* One call: url (a mailbox URL, or the server's), a custom command or NULL
 * (a plain fetch); the answer's text into b. */
static int perform(struct imap *c, const char *url, const char *command, struct buffer *b)
{
	c->error[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, command);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, b);
	CURLcode rc = curl_easy_perform(c->curl);
	if (rc == CURLE_OK)
		return GC_OK;
	if (c->error[0] == '\0')
		snprintf(c->error, sizeof(c->error), "%s", curl_easy_strerror(rc));
	return rc == CURLE_LOGIN_DENIED ? GC_EAUTH : GC_EIO;
}

int imap_status(struct imap *c, int64_t *ret_uidvalidity, int64_t *ret_uidnext)
{
	char command[300];
	snprintf(command, sizeof(command), "STATUS %s (UIDVALIDITY UIDNEXT)", c->mailbox);
	struct buffer b = {.max = 1 << 16};
	int rc = perform(c, c->base, command, &b);
	/* "* STATUS INBOX (UIDVALIDITY 1733083232 UIDNEXT 7)" */
	const char *v = rc == GC_OK && b.data ? strstr(b.data, "UIDVALIDITY ") : NULL;
	const char *n = rc == GC_OK && b.data ? strstr(b.data, "UIDNEXT ") : NULL;
	if (rc == GC_OK && (v == NULL || n == NULL)) {
		snprintf(c->error, sizeof(c->error), "the server's STATUS answer names no UIDVALIDITY or UIDNEXT");
		rc = GC_EIO;
	}
	if (rc == GC_OK) {
		*ret_uidvalidity = strtoll(v + 12, NULL, 10);
		*ret_uidnext = strtoll(n + 8, NULL, 10);
	}
	free(b.data);
	return rc;
}

static int compare_uid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int imap_uids_after(struct imap *c, int64_t after, size_t max, int64_t **ret, size_t *ret_n)
{
	char url[900], command[64];
	snprintf(url, sizeof(url), "%s%s", c->base, c->mailbox);
	snprintf(command, sizeof(command), "UID SEARCH UID %lld:*", (long long)after + 1);
	struct buffer b = {.max = 64 << 20};
	int rc = perform(c, url, command, &b);
	int64_t *uids = NULL;
	size_t n = 0, cap = 0;
	/* "* SEARCH 4 5 9": "N:*" names the last message even when its UID is
	 * not above after, so each is checked */
	for (const char *line = rc == GC_OK ? b.data : NULL; line && *line;) {
		const char *end = strchr(line, '\n');
		if (strncmp(line, "* SEARCH", 8) == 0) {
			for (const char *p = line + 8; p < (end ? end : line + strlen(line));) {
				char *next;
				long long uid = strtoll(p, &next, 10);
				if (next == p)
					break;
				p = next;
				if (uid <= after)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 256;
					int64_t *grown = realloc(uids, cap * sizeof(*grown));
					if (grown == NULL) {
						rc = GC_ENOMEM;
						break;
					}
					uids = grown;
				}
				uids[n++] = uid;
			}
		}
		line = end ? end + 1 : NULL;
	}
	free(b.data);
	if (rc < 0) {
		free(uids);
		return rc;
	}
	qsort(uids, n, sizeof(*uids), compare_uid);
	*ret = uids;
	*ret_n = n < max ? n : max;
	return GC_OK;
}

int imap_fetch(struct imap *c, int64_t uid, char **ret, size_t *ret_len)
{
	char url[900];
	snprintf(url, sizeof(url), "%s%s;UID=%lld", c->base, c->mailbox, (long long)uid);
	struct buffer b = {.max = 64u << 20, .curl = c->curl};
	int rc = perform(c, url, NULL, &b);
	if (rc < 0) {
		free(b.data);
		return rc;
	}
	*ret = b.data ? b.data : strdup("");
	*ret_len = b.len;
	return *ret ? GC_OK : GC_ENOMEM;
}

int imap_mark_seen(struct imap *c, const int64_t *uids, size_t n)
{
	if (n == 0)
		return GC_OK;
	char url[900], *command = malloc(n * 21 + 32);
	if (command == NULL)
		return GC_ENOMEM;
	size_t at = (size_t)sprintf(command, "UID STORE ");
	for (size_t i = 0; i < n; i++)
		at += (size_t)sprintf(command + at, "%s%lld", i ? "," : "", (long long)uids[i]);
	sprintf(command + at, " +FLAGS (\\Seen)");
	snprintf(url, sizeof(url), "%s%s", c->base, c->mailbox);
	struct buffer b = {.max = 1 << 20};
	int rc = perform(c, url, command, &b);
	free(b.data);
	free(command);
	return rc;
}
