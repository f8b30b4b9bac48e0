/* The real mail servers the email tests run against (dovecot.h,
 * smtpsink.h), proved with libcurl alone, no guichet code:
 *
 * - messages appended to a user's INBOX read back by IMAP byte for byte,
 *   over plain IMAP and over IMAPS with the server's self-signed certificate,
 *   and another user sees none of them;
 * - a wrong password is refused, for reading and for appending;
 * - 2,000 messages of about 5 KB put straight into a user's Maildir are
 *   numbered by Dovecot in the order given, bytes unchanged; 200 more by
 *   APPEND over one connection are all there; the times are printed as TAP
 *   comments;
 * - two messages sent by SMTP are kept by the receiver, each in a file, with
 *   their envelope and their bytes (a line starting with a dot included);
 * - a stop leaves no process of either server and no folder;
 * - so does a test process killed with SIGKILL while both run.
 * Needs dovecot-imapd, postfix (smtp-sink) and openssl: scripts/install-deps. */
#include "dovecot.h"
#include "smtpsink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MANY 2000
#define MANY_BYTES 5000

static const char *const users[] = {"alice:alice pass", "bob:bob pass", "carol@example.org:carol pass",
				    "dave:dave pass", NULL};
static struct dovecot imap;
static struct smtpsink sink;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int group_setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	double t0 = now_ms();
	if (dovecot_start(&imap, users) < 0)
		return -1;
	double t1 = now_ms();
	if (smtpsink_start(&sink) < 0) {
		dovecot_stop(&imap);
		return -1;
	}
	printf("# dovecot started in %.0f ms, smtp-sink in %.0f ms\n", t1 - t0, now_ms() - t1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	int rc = dovecot_stop(&imap) | smtpsink_stop(&sink);
	curl_global_cleanup();
	return rc == 0 ? 0 : -1;
}

struct buf {
	char *p;
	size_t len;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	char *more = realloc(b->p, b->len + size * nmemb + 1);
	if (more == NULL)
		return 0;
	memcpy(more + b->len, data, size * nmemb);
	b->p = more;
	b->len += size * nmemb;
	b->p[b->len] = '\0';
	return size * nmemb;
}

/* An IMAP request by URL (and a custom command, or NULL) as user: curl's
 * result, the answer in *out (free out->p). */
static CURLcode imap_get(const char *url, const char *command, const char *user, const char *password,
			 const char *ca_file, struct buf *out)
{
	CURL *curl = curl_easy_init();
	assert_non_null(curl);
	*out = (struct buf){0};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_USERNAME, user);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	if (command)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, command);
	if (ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
	CURLcode res = curl_easy_perform(curl);
	curl_easy_cleanup(curl);
	return res;
}

/* Message number i: a few headers, then a body of about len bytes, CRLF. */
static char *make_message(int i, size_t len)
{
	size_t cap = len + 512;
	char *m = malloc(cap);
	assert_non_null(m);
	int n = snprintf(m, cap,
			 "From: Customer %d <customer%d@example.net>\r\nTo: support@example.com\r\n"
			 "Subject: Question number %d\r\nMessage-ID: <%d.mailservers@example.net>\r\n"
			 "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=utf-8\r\n\r\n",
			 i, i, i, i);
	size_t used = (size_t)n;
	for (int line = 0; used + 80 < len; line++)
		used += (size_t)snprintf(m + used, cap - used, "Line %d of message %d: my router blinks red again.\r\n",
					 line, i);
	used += (size_t)snprintf(m + used, cap - used, ".a line starting with a dot\r\n");
	return m;
}

static long status_messages(const char *user, const char *password)
{
	struct buf out;
	char url[128];
	snprintf(url, sizeof(url), "%s/", imap.url);
	assert_int_equal(imap_get(url, "STATUS INBOX (MESSAGES)", user, password, NULL, &out), CURLE_OK);
	const char *at = out.p ? strstr(out.p, "MESSAGES ") : NULL;
	long n = at ? strtol(at + 9, NULL, 10) : -1;
	free(out.p);
	return n;
}

static void appended_messages_read_back_the_same(void **state)
{
	(void)state;
	char *msgs[3];
	for (int i = 0; i < 3; i++) {
		msgs[i] = make_message(i + 1, 300 * (size_t)(i + 1));
		assert_int_equal(dovecot_append(&imap, "alice", "alice pass", "INBOX", msgs[i], strlen(msgs[i])), 0);
	}
	for (int i = 0; i < 3; i++) {
		char url[128];
		struct buf out;
		snprintf(url, sizeof(url), "%s/INBOX;UID=%d", imap.url, i + 1);
		assert_int_equal(imap_get(url, NULL, "alice", "alice pass", NULL, &out), CURLE_OK);
		assert_int_equal(out.len, strlen(msgs[i]));
		assert_memory_equal(out.p, msgs[i], out.len);
		free(out.p);
		/* the same over TLS, the certificate checked against the server's own */
		snprintf(url, sizeof(url), "%s/INBOX;UID=%d", imap.imaps_url, i + 1);
		assert_int_equal(imap_get(url, NULL, "alice", "alice pass", imap.ca_file, &out), CURLE_OK);
		assert_int_equal(out.len, strlen(msgs[i]));
		assert_memory_equal(out.p, msgs[i], out.len);
		free(out.p);
		free(msgs[i]);
	}
	assert_int_equal(status_messages("alice", "alice pass"), 3);
	assert_int_equal(status_messages("bob", "bob pass"), 0);
	/* another mailbox is created on the first append */
	assert_int_equal(dovecot_append(&imap, "bob", "bob pass", "Done", "Subject: x\r\n\r\nx\r\n", 17), 0);
	struct buf out;
	char url[128];
	snprintf(url, sizeof(url), "%s/Done;UID=1", imap.url);
	assert_int_equal(imap_get(url, NULL, "bob", "bob pass", NULL, &out), CURLE_OK);
	assert_string_equal(out.p, "Subject: x\r\n\r\nx\r\n");
	free(out.p);
}

static void a_wrong_password_is_refused(void **state)
{
	(void)state;
	struct buf out;
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX;UID=1", imap.url);
	assert_int_equal(imap_get(url, NULL, "alice", "bob pass", NULL, &out), CURLE_LOGIN_DENIED);
	free(out.p);
	assert_int_equal(imap_get(url, NULL, "nobody-here", "alice pass", NULL, &out), CURLE_LOGIN_DENIED);
	free(out.p);
	assert_int_equal(dovecot_append(&imap, "alice", "wrong", "INBOX", "Subject: x\r\n\r\nx\r\n", 17), -1);
	assert_int_equal(status_messages("alice", "alice pass") >= 0, 1);
}

/* The message of UID uid in user's mailbox, NUL-terminated (free it). */
static char *fetch(const char *user, const char *password, const char *mailbox, int uid)
{
	char url[160];
	struct buf out;
	snprintf(url, sizeof(url), "%s/%s;UID=%d", imap.url, mailbox, uid);
	assert_int_equal(imap_get(url, NULL, user, password, NULL, &out), CURLE_OK);
	assert_non_null(out.p);
	return out.p;
}

static void two_thousand_messages_fill_a_mailbox(void **state)
{
	(void)state;
	struct iovec *msgs = calloc(MANY, sizeof(*msgs));
	assert_non_null(msgs);
	for (int i = 0; i < MANY; i++) {
		msgs[i].iov_base = make_message(i, MANY_BYTES);
		msgs[i].iov_len = strlen(msgs[i].iov_base);
	}
	/* straight into the Maildir, then the first look at the mailbox */
	double t0 = now_ms();
	assert_int_equal(dovecot_deliver(&imap, "dave", "INBOX", msgs, MANY), 0);
	double t1 = now_ms();
	assert_int_equal(status_messages("dave", "dave pass"), MANY);
	double t2 = now_ms();
	/* numbered in the order given, bytes unchanged */
	for (int uid = 1; uid <= MANY; uid += MANY - 1) {
		char *got = fetch("dave", "dave pass", "INBOX", uid);
		assert_string_equal(got, msgs[uid - 1].iov_base);
		free(got);
	}
	/* by IMAP APPEND over one connection: a tenth as many */
	double t3 = now_ms();
	assert_int_equal(dovecot_append_n(&imap, "carol@example.org", "carol pass", "INBOX", msgs, MANY / 10), 0);
	double t4 = now_ms();
	printf("# %d messages of %zu bytes: delivered into the Maildir in %.0f ms, then indexed by Dovecot "
	       "in %.0f ms; by APPEND over one connection %.2f ms each\n",
	       MANY, msgs[0].iov_len, t1 - t0, t2 - t1, (t4 - t3) / (MANY / 10));
	assert_int_equal(status_messages("carol@example.org", "carol pass"), MANY / 10);
	/* another mailbox, made on delivery */
	assert_int_equal(dovecot_deliver(&imap, "dave", "Archive", msgs, 1), 0);
	char *got = fetch("dave", "dave pass", "Archive", 1);
	assert_string_equal(got, msgs[0].iov_base);
	free(got);
	for (int i = 0; i < MANY; i++)
		free(msgs[i].iov_base);
	free(msgs);
}

static CURLcode smtp_send(const char *from, const char *to1, const char *to2, const char *raw)
{
	CURL *curl = curl_easy_init();
	assert_non_null(curl);
	struct curl_slist *rcpt = curl_slist_append(NULL, to1);
	rcpt = curl_slist_append(rcpt, to2);
	FILE *f = fmemopen((void *)raw, strlen(raw), "r");
	assert_non_null(f);
	curl_easy_setopt(curl, CURLOPT_URL, sink.url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READDATA, f);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	CURLcode res = curl_easy_perform(curl);
	fclose(f);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	return res;
}

/* raw with its CRLF line ends made LF, as smtp-sink writes it. */
static char *lf(const char *raw)
{
	char *out = strdup(raw), *w = out;
	assert_non_null(out);
	for (const char *r = raw; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
	return out;
}

static void sent_messages_are_kept_by_the_receiver(void **state)
{
	(void)state;
	long before = smtpsink_count(&sink);
	assert_int_equal(before, 0);
	char *first = make_message(100, 1000), *second = make_message(101, 3000);
	assert_int_equal(smtp_send("<support@example.com>", "<a@example.net>", "<b@example.net>", first), CURLE_OK);
	assert_int_equal(smtp_send("<>", "<c@example.net>", "<d@example.net>", second), CURLE_OK);
	assert_int_equal(smtpsink_wait(&sink, 2, 5000), 0);
	struct smtpsink_message *m;
	size_t n;
	assert_int_equal(smtpsink_messages(&sink, &m, &n), 0);
	assert_int_equal(n, 2);
	const char *raw[] = {first, second};
	const char *from[] = {"support@example.com", ""};
	const char *rcpt[][2] = {{"a@example.net", "b@example.net"}, {"c@example.net", "d@example.net"}};
	for (size_t i = 0; i < 2; i++) {
		/* both may have the same file time: found by their Message-ID, not their rank */
		size_t k = strstr(m[0].data, i == 0 ? "<100.mailservers@" : "<101.mailservers@") ? 0 : 1;
		char *want = lf(raw[i]);
		assert_string_equal(m[k].mail_from, from[i]);
		assert_int_equal(m[k].n_rcpt, 2);
		assert_string_equal(m[k].rcpt[0], rcpt[i][0]);
		assert_string_equal(m[k].rcpt[1], rcpt[i][1]);
		assert_int_equal(m[k].len, strlen(want));
		assert_string_equal(m[k].data, want);
		assert_int_equal(strncmp(m[k].path, sink.msg_dir, strlen(sink.msg_dir)), 0);
		free(want);
	}
	smtpsink_messages_free(m, n);
	free(first);
	free(second);
}

/* Whether a live (not zombie) process belongs to process group pgid. */
static bool group_alive(pid_t pgid)
{
	DIR *proc = opendir("/proc");
	assert_non_null(proc);
	bool alive = false;
	for (struct dirent *de; !alive && (de = readdir(proc)) != NULL;) {
		char path[300], line[512] = "";
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		bool ok = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		char *paren = ok ? strrchr(line, ')') : NULL;
		char state;
		int ppid, pgrp;
		if (paren && sscanf(paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
		    state != 'Z' && state != 'X')
			alive = true;
	}
	closedir(proc);
	return alive;
}

/* Whether both servers' processes and folders are gone within seconds. */
static bool gone_within(pid_t a, const char *dir_a, pid_t b, const char *dir_b, int seconds)
{
	struct stat st;
	for (int i = 0; i < seconds * 20; i++) {
		if (!group_alive(a) && !group_alive(b) && stat(dir_a, &st) < 0 && stat(dir_b, &st) < 0)
			return true;
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	return false;
}

static void a_stop_leaves_nothing(void **state)
{
	(void)state;
	struct dovecot d;
	struct smtpsink s;
	assert_int_equal(dovecot_start(&d, users), 0);
	assert_int_equal(smtpsink_start(&s), 0);
	pid_t dpid = dovecot_pid(&d), spid = smtpsink_pid(&s);
	char ddir[64], sdir[64];
	snprintf(ddir, sizeof(ddir), "%s", d.dir);
	snprintf(sdir, sizeof(sdir), "%s", s.dir);
	assert_true(group_alive(dpid) && group_alive(spid));
	assert_int_equal(dovecot_append(&d, "alice", "alice pass", "INBOX", "Subject: x\r\n\r\nx\r\n", 17), 0);
	double t0 = now_ms();
	assert_int_equal(dovecot_stop(&d), 0);
	double t1 = now_ms();
	assert_int_equal(smtpsink_stop(&s), 0);
	printf("# dovecot stopped in %.0f ms, smtp-sink in %.0f ms\n", t1 - t0, now_ms() - t1);
	assert_true(gone_within(dpid, ddir, spid, sdir, 1));
	assert_int_equal(dovecot_stop(&d), 0); /* a second stop is harmless */
	assert_int_equal(smtpsink_stop(&s), 0);
}

static void a_killed_test_leaves_nothing(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* the "test process": starts both servers, says where, and waits */
		struct dovecot d;
		struct smtpsink s;
		close(fds[0]);
		if (dovecot_start(&d, users) < 0 || smtpsink_start(&s) < 0)
			_exit(1);
		pid_t pids[2] = {dovecot_pid(&d), smtpsink_pid(&s)};
		if (write(fds[1], pids, sizeof(pids)) != (ssize_t)sizeof(pids) ||
		    write(fds[1], d.dir, sizeof(d.dir)) != (ssize_t)sizeof(d.dir) ||
		    write(fds[1], s.dir, sizeof(s.dir)) != (ssize_t)sizeof(s.dir))
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	pid_t pids[2];
	char ddir[64], sdir[64];
	FILE *f = fdopen(fds[0], "r");
	assert_non_null(f);
	assert_int_equal(fread(pids, sizeof(pids), 1, f), 1);
	assert_int_equal(fread(ddir, sizeof(ddir), 1, f), 1);
	assert_int_equal(fread(sdir, sizeof(sdir), 1, f), 1);
	fclose(f);
	struct stat st;
	assert_true(group_alive(pids[0]) && group_alive(pids[1]));
	assert_int_equal(stat(ddir, &st), 0);
	assert_int_equal(stat(sdir, &st), 0);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_true(gone_within(pids[0], ddir, pids[1], sdir, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(appended_messages_read_back_the_same),
		cmocka_unit_test(a_wrong_password_is_refused),
		cmocka_unit_test(two_thousand_messages_fill_a_mailbox),
		cmocka_unit_test(sent_messages_are_kept_by_the_receiver),
		cmocka_unit_test(a_stop_leaves_nothing),
		cmocka_unit_test(a_killed_test_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
