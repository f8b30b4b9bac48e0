/* Emails' attachments end to end, on the run's engine, against a real
 * Dovecot (dovecot.c): a mail with a binary attachment and one named in
 * RFC 2231 UTF-8 becomes a contact whose attachments list and download
 * (API and CLI) as the same bytes, with a safe Content-Disposition; one
 * over the tenant's limit (set by its admin through the API) is dropped
 * with a note the agent reads, and the mail still becomes a contact;
 * another tenant gets 404; and a 40 MB message is taken with the daemon's
 * peak memory growing by less than twice its size (see the test). */
#include "harness.h"
#include "dovecot.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#define PASSWORD "attach pass"
#define BIG_BYTES (30u << 20) /* decoded: 40 MB of base64 */

static struct daemon d;
static struct dovecot dc;
static char *admin, *other, *agent;
static long long queue;

static int setup(void **state)
{
	static const char *const users[] = {"files:imap-pw", "limits:imap-pw", "big:imap-pw", "code:imap-pw", NULL};
	/* under AddressSanitizer, guichetd keeps no freed memory in quarantine, where it would
	 * count in its peak RSS as if still in use (a_large_message_is_taken_within_bounded_memory) */
	char asan[512];
	const char *given = getenv("ASAN_OPTIONS");
	snprintf(asan, sizeof(asan), "%s%squarantine_size_mb=0:thread_local_quarantine_size_kb=0", given ? given : "",
		 given && *given ? ":" : "");
	setenv("ASAN_OPTIONS", asan, 1);
	if (sodium_init() < 0 || dovecot_start(&dc, users) != 0)
		return -1;
	if (daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--mail-poll", "1", NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	other = login(&d, "admin@other.example", PASSWORD);
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@brand.example", "name", "A",
		"password", PASSWORD, "role", "agent"));
	agent = login(&d, "agent@brand.example", PASSWORD);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "mail"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "mail", "skill_id",
		(json_int_t)skill, "channel", "email"));
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other);
	free(agent);
	daemon_stop(&d);
	daemon_cleanup(&d);
	dovecot_stop(&dc);
	return 0;
}

static void add_mailbox(const char *user)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX", dc.url);
	post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "name", user, "address",
		"support@brand.example", "imap_url", url, "username", user, "password", "imap-pw", "queue_id",
		(json_int_t)queue));
}

/* The contact whose subject is subject, waited for; 0 when none came. */
static long long wait_contact(const char *subject, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		struct resp r;
		http_json(&d, "GET", "/api/v1/contacts?limit=100", admin, NULL, &r);
		size_t k;
		json_t *item;
		long long found = 0;
		json_array_foreach(json_object_get(r.json, "items"), k, item) {
			const char *s = json_string_value(json_object_get(item, "subject"));
			if (s && strcmp(s, subject) == 0)
				found = json_integer_value(json_object_get(item, "id"));
		}
		resp_clear(&r);
		if (found)
			return found;
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	return 0;
}

static char *base64_lines(const unsigned char *bin, size_t len)
{
	size_t b64_len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64_len);
	sodium_bin2base64(b64, b64_len, bin, len, sodium_base64_VARIANT_ORIGINAL);
	size_t n = strlen(b64);
	char *lines = malloc(n + n / 76 * 2 + 3), *o = lines;
	for (size_t i = 0; i < n; i += 76) {
		size_t k = n - i < 76 ? n - i : 76;
		memcpy(o, b64 + i, k);
		o += k;
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	free(b64);
	return lines;
}

/* A mail with subject, a binary attachment bin and a text file named
 * "facture été €.txt" in RFC 2231 UTF-8 (text: "Bonjour"). */
static char *mail(const char *id, const char *subject, const unsigned char *bin, size_t bin_len)
{
	char *lines = base64_lines(bin, bin_len), *m = NULL;
	assert_true(asprintf(&m,
		"From: Ann <ann@customer.example>\r\nTo: support@brand.example\r\nSubject: %s\r\n"
		"Message-ID: <%s@customer.example>\r\nDate: Tue, 01 Dec 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere are the files.\r\n"
		"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
		"Content-Disposition: attachment; filename=\"photo.bin\"\r\n\r\n%s"
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
		"Content-Disposition: attachment;\r\n filename*0*=UTF-8''facture%%20%%C3%%A9t%%C3%%A9;\r\n"
		" filename*1*=%%20%%E2%%82%%AC.txt\r\n\r\nBonjour\r\n"
		"--XX--\r\n", subject, id, lines) > 0);
	free(lines);
	return m;
}

struct download {
	unsigned char *data;
	size_t len;
	char disposition[1024], type[128];
	long status;
};

static size_t on_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct download *dl = arg;
	dl->data = realloc(dl->data, dl->len + size * n + 1);
	memcpy(dl->data + dl->len, ptr, size * n);
	dl->len += size * n;
	return size * n;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct download *dl = arg;
	size_t len = size * n;
	if (len > 21 && strncasecmp(ptr, "Content-Disposition: ", 21) == 0)
		snprintf(dl->disposition, sizeof(dl->disposition), "%.*s", (int)(len - 21), ptr + 21);
	if (len > 14 && strncasecmp(ptr, "Content-Type: ", 14) == 0)
		snprintf(dl->type, sizeof(dl->type), "%.*s", (int)(len - 14), ptr + 14);
	dl->disposition[strcspn(dl->disposition, "\r\n")] = '\0';
	dl->type[strcspn(dl->type, "\r\n")] = '\0';
	return len;
}

static void download(long long id, const char *token, struct download *dl)
{
	*dl = (struct download){0};
	char url[160], auth[300];
	snprintf(url, sizeof(url), "%s/api/v1/attachments/%lld", d.url, id);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	CURL *curl = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, auth);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, dl);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, dl);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &dl->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
}

static void sha256_hex(const void *data, size_t len, char ret[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(ret, 65, h, sizeof(h));
}

static json_t *attachments(long long contact, const char *token, int *ret_status)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/attachments", contact);
	struct resp r;
	http_json(&d, "GET", path, token, NULL, &r);
	*ret_status = r.status;
	json_t *items = json_incref(json_object_get(r.json, "items"));
	resp_clear(&r);
	return items;
}

static json_t *named(json_t *list, const char *filename)
{
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		const char *name = json_string_value(json_object_get(a, "filename"));
		if (name && strcmp(name, filename) == 0)
			return a;
	}
	return NULL;
}

static void attachments_list_and_download_the_same_bytes(void **state)
{
	size_t bin_len = 700 * 1000; /* three chunks in the store */
	unsigned char *bin = malloc(bin_len);
	randombytes_buf(bin, bin_len);
	char *m = mail("a1", "A1 files", bin, bin_len);
	struct iovec v = {m, strlen(m)};
	assert_int_equal(dovecot_deliver(&dc, "files", "INBOX", &v, 1), 0);
	add_mailbox("files");
	long long contact = wait_contact("A1 files", 30);
	assert_true(contact > 0);
	int status = 0;
	json_t *list = attachments(contact, admin, &status);
	assert_int_equal(status, 200);
	assert_int_equal(json_array_size(list), 2);
	json_t *photo = named(list, "photo.bin"), *text = named(list, "facture été €.txt");
	assert_non_null(photo);
	assert_non_null(text);
	assert_int_equal(json_integer_value(json_object_get(photo, "size")), bin_len);
	assert_string_equal(json_string_value(json_object_get(text, "content_type")), "text/plain");
	assert_true(json_integer_value(json_object_get(photo, "message_id")) > 0);
	/* the binary: the same bytes, the same hash as listed */
	char want[65], got_hash[65];
	sha256_hex(bin, bin_len, want);
	assert_string_equal(json_string_value(json_object_get(photo, "sha256")), want);
	struct download dl;
	long long photo_id = json_integer_value(json_object_get(photo, "id"));
	download(photo_id, admin, &dl);
	assert_int_equal(dl.status, 200);
	assert_int_equal(dl.len, bin_len);
	sha256_hex(dl.data, dl.len, got_hash);
	assert_string_equal(got_hash, want);
	assert_string_equal(dl.type, "application/octet-stream");
	assert_string_equal(dl.disposition, "attachment; filename=\"photo.bin\"; filename*=UTF-8''photo.bin");
	free(dl.data);
	/* the UTF-8 name: a plain ASCII name and the exact one, percent-encoded */
	download(json_integer_value(json_object_get(text, "id")), admin, &dl);
	assert_int_equal(dl.status, 200);
	assert_int_equal(dl.len, 7); /* the line break before the boundary is the boundary's */
	assert_memory_equal(dl.data, "Bonjour", 7);
	assert_string_equal(dl.disposition,
			    "attachment; filename=\"facture _t_ _.txt\"; filename*=UTF-8''facture%20%C3%A9t%C3%A9%20%E2%82%AC.txt");
	free(dl.data);
	/* the CLI: the list, and the download into a file */
	char token_file[160], out_file[160], id_text[24], contact_text[24];
	snprintf(token_file, sizeof(token_file), "%s/token", d.dir);
	snprintf(out_file, sizeof(out_file), "%s/photo.bin", d.dir);
	snprintf(id_text, sizeof(id_text), "%lld", photo_id);
	snprintf(contact_text, sizeof(contact_text), "%lld", contact);
	FILE *t = fopen(token_file, "w");
	fprintf(t, "%s\n", admin);
	fclose(t);
	char *out = NULL, *err = NULL;
	assert_int_equal(run_cli(&d, token_file, &out, &err, "contacts", "attachments", contact_text, NULL), 0);
	assert_non_null(strstr(out, "photo.bin"));
	assert_non_null(strstr(out, "facture été €.txt"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "attachment", "get", id_text, "-o", out_file, NULL), 0);
	free(out);
	free(err);
	FILE *f = fopen(out_file, "rb");
	assert_non_null(f);
	unsigned char *back = malloc(bin_len + 1);
	assert_int_equal(fread(back, 1, bin_len + 1, f), bin_len);
	fclose(f);
	sha256_hex(back, bin_len, got_hash);
	assert_string_equal(got_hash, want);
	free(back);
	/* an agent of the tenant reads them as they read the contact */
	json_decref(attachments(contact, agent, &status));
	assert_int_equal(status, 200);
	download(photo_id, agent, &dl);
	assert_int_equal(dl.status, 200);
	assert_int_equal(dl.len, bin_len);
	free(dl.data);
	/* another tenant: 404 for the list and the download; nothing written by the CLI */
	json_decref(attachments(contact, other, &status));
	assert_int_equal(status, 404);
	download(photo_id, other, &dl);
	assert_int_equal(dl.status, 404);
	free(dl.data);
	FILE *o = fopen(token_file, "w");
	fprintf(o, "%s\n", other);
	fclose(o);
	remove(out_file);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "attachment", "get", id_text, "-o", out_file, NULL), 1);
	free(out);
	free(err);
	assert_null(fopen(out_file, "rb"));
	json_decref(list);
	free(m);
	free(bin);
}

/* The last message or note of the contact. */
static char *last_body(long long contact)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld", contact);
	struct resp r;
	http_json(&d, "GET", path, admin, NULL, &r);
	json_t *msgs = json_object_get(r.json, "messages");
	char *body = strdup(json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1), "body")));
	resp_clear(&r);
	return body;
}

/* A customer's file a browser would run or render (a script, a page, SVG)
 * is listed with the type it came with and served as bytes only. */
static void active_types_are_served_as_bytes(void **state)
{
	static const char *const types[] = {"text/javascript", "text/html", "image/svg+xml", "text/css"};
	char *m = NULL;
	assert_true(asprintf(&m,
		"From: Ann <ann@customer.example>\r\nTo: support@brand.example\r\nSubject: A3 code\r\n"
		"Message-ID: <a3@customer.example>\r\nDate: Tue, 01 Dec 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
		"--XX\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n"
		"--XX\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"f0\"\r\n\r\nalert(1)\r\n"
		"--XX\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"f1\"\r\n\r\n<script>alert(1)</script>\r\n"
		"--XX\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"f2\"\r\n\r\n<svg/>\r\n"
		"--XX\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"f3\"\r\n\r\nbody{}\r\n"
		"--XX--\r\n", types[0], types[1], types[2], types[3]) > 0);
	struct iovec v = {m, strlen(m)};
	assert_int_equal(dovecot_deliver(&dc, "code", "INBOX", &v, 1), 0);
	add_mailbox("code");
	long long contact = wait_contact("A3 code", 30);
	assert_true(contact > 0);
	int status = 0;
	json_t *list = attachments(contact, admin, &status);
	assert_int_equal(status, 200);
	assert_int_equal(json_array_size(list), 4);
	for (int i = 0; i < 4; i++) {
		char name[4];
		snprintf(name, sizeof(name), "f%d", i);
		json_t *a = named(list, name);
		assert_non_null(a);
		assert_string_equal(json_string_value(json_object_get(a, "content_type")), types[i]);
		struct download dl;
		download(json_integer_value(json_object_get(a, "id")), admin, &dl);
		assert_int_equal(dl.status, 200);
		assert_string_equal(dl.type, "application/octet-stream");
		free(dl.data);
	}
	json_decref(list);
	free(m);
}

static void over_the_limit_is_dropped_with_a_note(void **state)
{
	struct resp r;
	/* the defaults, then the tenant admin's limit; bad values refused */
	http_json(&d, "GET", "/api/v1/channels/email/attachment-limits", admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "max_attachment"), 25 << 20);
	assert_int_equal(resp_int(&r, "max_message"), 50 << 20);
	resp_clear(&r);
	http_json(&d, "PUT", "/api/v1/channels/email/attachment-limits", admin,
		  json_pack("{s:I}", "max_attachment", (json_int_t)-1), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")),
			    "max_attachment");
	resp_clear(&r);
	http_json(&d, "PUT", "/api/v1/channels/email/attachment-limits", admin,
		  json_pack("{s:I}", "max_attachment", (json_int_t)100000), &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(resp_int(&r, "max_attachment"), 100000);
	assert_int_equal(resp_int(&r, "max_message"), 50 << 20);
	resp_clear(&r);
	/* only the tenant admin sets them */
	assert_int_equal(http_status(&d, "PUT", "/api/v1/channels/email/attachment-limits", agent,
				     json_pack("{s:I}", "max_attachment", (json_int_t)1)), 403);
	assert_int_equal(http_status(&d, "PUT", "/api/v1/channels/email/attachment-limits", admin,
				     json_pack("{s:I}", "max_size", (json_int_t)1)), 400);
	/* another tenant's limits are its own */
	http_json(&d, "GET", "/api/v1/channels/email/attachment-limits", other, NULL, &r);
	assert_int_equal(resp_int(&r, "max_attachment"), 25 << 20);
	resp_clear(&r);
	size_t bin_len = 300 * 1000;
	unsigned char *bin = malloc(bin_len);
	randombytes_buf(bin, bin_len);
	char *m = mail("l1", "L1 too big", bin, bin_len);
	struct iovec v = {m, strlen(m)};
	assert_int_equal(dovecot_deliver(&dc, "limits", "INBOX", &v, 1), 0);
	add_mailbox("limits");
	long long contact = wait_contact("L1 too big", 30);
	assert_true(contact > 0);
	int status = 0;
	json_t *list = NULL;
	for (int i = 0; i < 50; i++) { /* the note is written in the same transaction: no wait, but be sure */
		json_decref(list);
		list = attachments(contact, admin, &status);
		if (json_array_size(list) == 1)
			break;
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	assert_int_equal(json_array_size(list), 1); /* the small text file is kept */
	assert_non_null(named(list, "facture été €.txt"));
	json_decref(list);
	char *note = last_body(contact);
	assert_non_null(strstr(note, "photo.bin"));
	assert_non_null(strstr(note, "per attachment"));
	free(note);
	http_json(&d, "PUT", "/api/v1/channels/email/attachment-limits", admin,
		  json_pack("{s:I}", "max_attachment", (json_int_t)(25 << 20)), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	free(m);
	free(bin);
}

/* The daemon's resident memory (field "VmRSS:"), or its peak so far ("VmHWM:"), in bytes. */
static long long rss(pid_t pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0 && sscanf(line + strlen(field), "%lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

/* A 40 MB message (30 MB decoded): taken, its attachment kept whole, and
 * the daemon's peak memory grows by less than twice the raw message. What
 * must be in memory: the raw message once (libcurl's buffer, which the
 * parser borrows), plus what its growth by doubling leaves behind (under
 * AddressSanitizer, the freed smaller buffers wait in quarantine: up to
 * the same size again); the decoded 30 MB goes to the spool file and the
 * store a chunk at a time. Holding the decoded attachment, or a second copy
 * of the message, would pass the bound. */
static void a_large_message_is_taken_within_bounded_memory(void **state)
{
	unsigned char *bin = malloc(BIG_BYTES);
	randombytes_buf(bin, BIG_BYTES);
	char *m = mail("b1", "B1 large", bin, BIG_BYTES);
	size_t raw_len = strlen(m);
	struct iovec v = {m, raw_len};
	assert_int_equal(dovecot_deliver(&dc, "big", "INBOX", &v, 1), 0);
	struct resp r;
	http_json(&d, "PUT", "/api/v1/channels/email/attachment-limits", admin,
		  json_pack("{s:I}", "max_attachment", (json_int_t)(40 << 20)), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	long long before = rss(d.pid, "VmRSS:");
	add_mailbox("big");
	long long contact = wait_contact("B1 large", 120);
	assert_true(contact > 0);
	long long after = rss(d.pid, "VmHWM:");
	fprintf(stderr, "a %zu-byte message: the daemon's RSS was %lld MB, its peak since %lld MB (+%lld MB)\n", raw_len,
		before >> 20, after >> 20, (after - before) >> 20);
	int status = 0;
	json_t *list = attachments(contact, admin, &status);
	json_t *photo = named(list, "photo.bin");
	assert_non_null(photo);
	char want[65];
	sha256_hex(bin, BIG_BYTES, want);
	assert_string_equal(json_string_value(json_object_get(photo, "sha256")), want);
	json_decref(list);
	assert_true(after - before < 3 * (long long)raw_len / 2);
	http_json(&d, "PUT", "/api/v1/channels/email/attachment-limits", admin,
		  json_pack("{s:I}", "max_attachment", (json_int_t)(25 << 20)), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	free(m);
	free(bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_large_message_is_taken_within_bounded_memory),
		cmocka_unit_test(attachments_list_and_download_the_same_bytes),
		cmocka_unit_test(over_the_limit_is_dropped_with_a_note),
		cmocka_unit_test(active_types_are_served_as_bytes),
	};
	const char *only = getenv("TEST_ONLY"); /* one test by name, to measure a build (see the report) */
	if (only)
		cmocka_set_test_filter(only);
	return cmocka_run_group_tests(tests, setup, teardown);
}
