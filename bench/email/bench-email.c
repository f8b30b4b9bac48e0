/* The email channel's speed (bench/email/run drives it): a throwaway Dovecot
 * holding N messages of 2 KB to 200 KB (one in ten with a base64
 * attachment) and Postfix's smtp-sink, both on loopback.
 *
 *   curl_per_s    plain libcurl fetching every message once over one IMAP
 *                 connection (UID FETCH), the reference, in the same run;
 *   ingest_per_s  guichetd (the URL given, polling every second) taking the
 *                 same mailbox: fetched, parsed, threaded, committed, flagged,
 *                 from the mailbox's creation until its last UID is N;
 *   ratio         ingest_per_s / curl_per_s;
 *   send_per_s    R replies (one per contact) from their POST until
 *                 smtp-sink has them all, posted as agents do: from DESKS
 *                 desktops at once, each on its own kept-alive connection
 *                 (one desk sends its next reply when the last is answered).
 * Prints the figures, then one JSON line.
 *
 *   bench-email URL TOKEN N R [DESKS] */
#include "../../tests/integration/dovecot.h"
#include "../../tests/integration/smtpsink.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

static const char *base, *token;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct buf {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *grown = realloc(b->data, b->len + size * n + 1);
	if (grown == NULL)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, p, size * n);
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

/* One API call: the answer parsed (or NULL). One connection, kept alive,
 * as an agent's desktop keeps its own. */
static json_t *api(const char *method, const char *path, json_t *body)
{
	static CURL *curl;
	if (curl == NULL)
		curl = curl_easy_init();
	else
		curl_easy_reset(curl);
	char url[512], auth[300];
	snprintf(url, sizeof(url), "%s%s", base, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	struct curl_slist *h = curl_slist_append(NULL, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	char *text = body ? json_dumps(body, 0) : NULL;
	struct buf b = {0};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (text)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_perform(curl);
	curl_slist_free_all(h);
	free(text);
	json_decref(body);
	json_t *j = b.data ? json_loads(b.data, 0, NULL) : NULL;
	free(b.data);
	return j;
}

/* A reply POSTed by one desk. */
struct desk {
	CURL *curl;
	struct curl_slist *headers;
	struct buf answer;
	char url[512];
};

static const char REPLY[] = "{\"body\":\"Hello,\\nplease restart your router.\\nSupport\"}";

static void desk_post(struct desk *d, CURLM *multi, long long contact)
{
	snprintf(d->url, sizeof(d->url), "%s/api/v1/contacts/%lld/email-reply", base, contact);
	free(d->answer.data);
	d->answer = (struct buf){0};
	curl_multi_remove_handle(multi, d->curl);
	curl_easy_setopt(d->curl, CURLOPT_URL, d->url);
	curl_multi_add_handle(multi, d->curl);
}

/* Posts one reply to each contact (ids), from desks desktops at once;
 * answers how many were accepted (a message_id in the answer). */
static int post_replies(const long long *ids, int n, int desks)
{
	CURLM *multi = curl_multi_init();
	struct desk *d = calloc((size_t)desks, sizeof(*d));
	char auth[300];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	int next = 0, accepted = 0, running = 0;
	for (int i = 0; i < desks; i++) {
		d[i].curl = curl_easy_init();
		d[i].headers = curl_slist_append(curl_slist_append(NULL, auth), "Content-Type: application/json");
		curl_easy_setopt(d[i].curl, CURLOPT_HTTPHEADER, d[i].headers);
		curl_easy_setopt(d[i].curl, CURLOPT_POSTFIELDS, REPLY);
		curl_easy_setopt(d[i].curl, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(d[i].curl, CURLOPT_WRITEDATA, &d[i].answer);
		curl_easy_setopt(d[i].curl, CURLOPT_PRIVATE, &d[i]);
		if (next < n)
			desk_post(&d[i], multi, ids[next++]);
	}
	do {
		curl_multi_perform(multi, &running);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct desk *k = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&k);
			accepted += k->answer.data && strstr(k->answer.data, "\"message_id\"") != NULL;
			if (next < n) {
				desk_post(k, multi, ids[next++]);
				running++;
			}
		}
		if (running)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	} while (running);
	for (int i = 0; i < desks; i++) {
		curl_multi_remove_handle(multi, d[i].curl);
		curl_easy_cleanup(d[i].curl);
		curl_slist_free_all(d[i].headers);
		free(d[i].answer.data);
	}
	free(d);
	curl_multi_cleanup(multi);
	return accepted;
}

/* A message of about size bytes; with an attachment when attach. */
static char *message(int i, size_t size, int attach)
{
	size_t cap = size * 2 + 4096;
	char *m = malloc(cap);
	int n = snprintf(m, cap, "From: Customer %d <c%d@customer.example>\r\nTo: support@brand.example\r\n"
			 "Subject: Question %d\r\nMessage-ID: <bench-%d@customer.example>\r\n"
			 "Date: Tue, 01 Dec 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n", i, i % 500, i, i);
	if (attach)
		n += snprintf(m + n, cap - (size_t)n, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n"
			      "Content-Type: text/plain; charset=utf-8\r\n\r\n", i, i);
	else
		n += snprintf(m + n, cap - (size_t)n, "Content-Type: text/plain; charset=utf-8\r\n\r\n");
	size_t text = attach ? size / 4 : size;
	for (size_t k = 0; (size_t)n + 80 < cap && k < text; k += 64)
		n += snprintf(m + n, cap - (size_t)n, "My router blinks red since this morning, what should I do %04zu?\r\n",
			      k % 10000);
	if (attach) {
		n += snprintf(m + n, cap - (size_t)n, "\r\n--b%d\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\n"
			      "Content-Transfer-Encoding: base64\r\n\r\n", i);
		for (size_t k = 0; (size_t)n + 80 < cap && k < size * 3 / 4; k += 76)
			n += snprintf(m + n, cap - (size_t)n, "%.76s\r\n",
				      "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURlY29kZT4+CnN0cmVh");
		n += snprintf(m + n, cap - (size_t)n, "--b%d--\r\n", i);
	}
	return m;
}

static double curl_reference(const struct dovecot *dc, int n)
{
	CURL *curl = curl_easy_init();
	double t0 = now_s();
	for (int uid = 1; uid <= n; uid++) {
		char url[128];
		snprintf(url, sizeof(url), "%s/INBOX;UID=%d", dc->url, uid);
		struct buf b = {0};
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_USERNAME, "ref");
		curl_easy_setopt(curl, CURLOPT_PASSWORD, "pw");
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
		if (curl_easy_perform(curl) != CURLE_OK)
			fprintf(stderr, "curl: UID %d failed\n", uid);
		free(b.data);
	}
	double t = now_s() - t0;
	curl_easy_cleanup(curl);
	return n / t;
}

int main(int argc, char **argv)
{
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: bench-email URL TOKEN MESSAGES REPLIES [DESKS]\n");
		return 2;
	}
	base = argv[1];
	token = argv[2];
	int n = atoi(argv[3]), replies = atoi(argv[4]), desks = argc > 5 ? atoi(argv[5]) : 8;
	static const char *const users[] = {"ref:pw", "support:pw", NULL};
	struct dovecot dc;
	struct smtpsink sink;
	if (dovecot_start(&dc, users) != 0 || smtpsink_start(&sink) != 0)
		return 1;
	struct iovec *v = calloc((size_t)n, sizeof(*v));
	size_t bytes = 0;
	srand(7);
	for (int i = 0; i < n; i++) {
		size_t size = 2048 + (size_t)(rand() % 100) * (size_t)(rand() % 100) * 20; /* 2 KB to ~200 KB, mostly small */
		v[i].iov_base = message(i, size, i % 10 == 0);
		v[i].iov_len = strlen(v[i].iov_base);
		bytes += v[i].iov_len;
	}
	if (dovecot_deliver(&dc, "ref", "INBOX", v, (size_t)n) != 0 || dovecot_deliver(&dc, "support", "INBOX", v, (size_t)n) != 0)
		return 1;
	printf("%d messages, %.1f MB, %.1f KB on average\n", n, (double)bytes / 1e6, (double)bytes / n / 1e3);
	double curl_rate = curl_reference(&dc, n);
	printf("plain curl, one IMAP connection: %.0f messages/s\n", curl_rate);

	json_t *q = api("POST", "/api/v1/skills", json_pack("{s:s}", "name", "bench mail"));
	json_int_t skill = json_integer_value(json_object_get(q, "id"));
	json_decref(q);
	q = api("POST", "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "bench mail", "skill_id", skill, "channel", "email"));
	json_int_t queue = json_integer_value(json_object_get(q, "id"));
	json_decref(q);
	char imap[128];
	snprintf(imap, sizeof(imap), "%s/INBOX", dc.url);
	double t0 = now_s();
	json_t *mb = api("POST", "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "name", "bench",
		"address", "support@brand.example", "imap_url", imap, "smtp_url", sink.url, "username", "support",
		"password", "pw", "queue_id", queue));
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%lld", (long long)json_integer_value(json_object_get(mb, "id")));
	json_decref(mb);
	for (;;) {
		json_t *m = api("GET", path, NULL);
		long long last = json_integer_value(json_object_get(m, "last_uid"));
		json_decref(m);
		if (last >= n)
			break;
		struct timespec tick = {0, 20000000};
		nanosleep(&tick, NULL);
		if (now_s() - t0 > 600) {
			fprintf(stderr, "ingest did not finish in 10 minutes\n");
			return 1;
		}
	}
	double ingest = n / (now_s() - t0);
	printf("guichetd ingest (fetched, parsed, threaded, committed, flagged): %.0f messages/s, %.2fx curl\n", ingest,
	       ingest / curl_rate);

	/* replies: one per contact, posted, until the receiver has them all */
	json_t *page = api("GET", "/api/v1/contacts?limit=500", NULL);
	json_t *items = json_object_get(page, "items");
	int wanted = replies < (int)json_array_size(items) ? replies : (int)json_array_size(items);
	long long *ids = calloc((size_t)wanted + 1, sizeof(*ids));
	for (int i = 0; i < wanted; i++)
		ids[i] = json_integer_value(json_object_get(json_array_get(items, (size_t)i), "id"));
	json_decref(page);
	double t1 = now_s();
	int posted = post_replies(ids, wanted, desks);
	free(ids);
	double posted_at = now_s();
	if (smtpsink_wait(&sink, (size_t)posted, 300000) != 0)
		fprintf(stderr, "smtp-sink has %ld of %d replies\n", smtpsink_count(&sink), posted);
	double send = posted / (now_s() - t1);
	printf("replies: %d posted from %d desktops at once and received by smtp-sink: %.0f replies/s (the POSTs took "
	       "%.2f s, the rest %.2f s)\n", posted, desks, send, posted_at - t1, now_s() - posted_at);
	printf("{\"messages\":%d,\"avg_kb\":%.1f,\"curl_per_s\":%.0f,\"ingest_per_s\":%.0f,\"ratio\":%.2f,\"replies\":%d,"
	       "\"desks\":%d,\"send_per_s\":%.0f}\n", n, (double)bytes / n / 1e3, curl_rate, ingest, ingest / curl_rate, posted,
	       desks, send);
	for (int i = 0; i < n; i++)
		free(v[i].iov_base);
	free(v);
	dovecot_stop(&dc);
	smtpsink_stop(&sink);
	return 0;
}
