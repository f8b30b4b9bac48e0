/* IMAP IDLE end to end, on the run's engine, against a real Dovecot
 * (dovecot.c, which offers IDLE and tells a client in IDLE of a delivery at
 * once): guichetd polls only every 60 s here, so a message that becomes a
 * contact within 3 s came through the IDLE watcher (channel/email/idle.c)
 * waking the fetcher. The first message arrives just after its mailbox is
 * added, a second later (IDLE entered again after the first), another
 * tenant's mailbox is watched for that tenant only, a removed mailbox is
 * let go, a server whose certificate is not trusted gets no password, a
 * refused login is retried with a backoff, the daemon stops at once
 * with its connections in IDLE, and with --mail-idle off a message waits for
 * the poll (the control: without the watcher, 3 s are not enough), but a
 * mailbox added is read at once all the same. */
#include "harness.h"
#include "dovecot.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#define PASSWORD "email pass"
#define FAST_MS 3000 /* by IDLE; the poll would take up to 60 s */

static struct daemon d;
static struct dovecot dc;
static char *admin, *other_admin;
static long long queue, other_queue;

static int start(const char *idle)
{
	return daemon_start(&d, "--mail-poll", "60", "--mail-idle", idle, NULL);
}

static long long make_queue(const char *token)
{
	long long skill = post_id(&d, token, "/api/v1/skills", json_pack("{s:s}", "name", "mail"));
	return post_id(&d, token, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "mail", "skill_id",
		(json_int_t)skill, "channel", "email"));
}

static int setup(void **state)
{
	static const char *const users[] = {"idle:imap-pw", "other:imap-pw", "off:imap-pw", "tls:imap-pw", "wrong:imap-pw",
					     "late:imap-pw", NULL};
	if (dovecot_start(&dc, users) != 0)
		return -1;
	if (daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0 || start("on") != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	other_admin = login(&d, "admin@other.example", PASSWORD);
	if (admin == NULL || other_admin == NULL)
		return -1;
	queue = make_queue(admin);
	other_queue = make_queue(other_admin);
	return queue > 0 && other_queue > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	free(admin);
	free(other_admin);
	daemon_stop(&d);
	daemon_cleanup(&d);
	dovecot_stop(&dc);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

static long long add_mailbox_at(const char *token, const char *base_url, const char *user, const char *password,
				long long q)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/INBOX", base_url);
	return post_id(&d, token, "/api/v1/channels/email",
		       json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "name", user, "address", "support@brand.example", "imap_url", url,
				 "username", user, "password", password, "queue_id", (json_int_t)q));
}

static long long add_mailbox(const char *token, const char *user, long long q)
{
	return add_mailbox_at(token, dc.url, user, "imap-pw", q);
}

static void remove_mailbox(long long id)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%lld", id);
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 204);
}

/* Lines of a log holding both a and b. */
static int log_count(const char *path, const char *a, const char *b)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, a) && strstr(line, b);
	if (f)
		fclose(f);
	return n;
}

static int dovecot_log_count(const char *a, const char *b)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/dovecot.log", dc.dir);
	return log_count(path, a, b);
}

/* Whether the tenant has a contact with this subject. */
static bool has_contact(const char *token, const char *subject)
{
	struct resp r;
	http_json(&d, "GET", "/api/v1/contacts?limit=500", token, NULL, &r);
	bool found = false;
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "items"), i, item) {
		const char *s = json_string_value(json_object_get(item, "subject"));
		found |= s && strcmp(s, subject) == 0;
	}
	resp_clear(&r);
	return found;
}

/* Milliseconds until the subject is a contact, or -1 after limit_ms. */
static int64_t time_to_contact(const char *token, const char *subject, int64_t since, int limit_ms)
{
	while (now_ms() - since <= limit_ms) {
		if (has_contact(token, subject))
			return now_ms() - since;
		sleep_ms(50);
	}
	return -1;
}

/* Delivers one message to user's INBOX as a local delivery agent would. */
static void deliver(const char *user, const char *id, const char *subject)
{
	char *m = NULL;
	assert_true(asprintf(&m, "From: Ann <ann@customer.example>\r\nTo: support@brand.example\r\nSubject: %s\r\n"
				 "Message-ID: <%s>\r\nDate: Tue, 01 Dec 2026 09:00:00 +0100\r\n"
				 "Content-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n",
			 subject, id) > 0);
	struct iovec v = {m, strlen(m)};
	assert_int_equal(dovecot_deliver(&dc, user, "INBOX", &v, 1), 0);
	free(m);
}

static void mail_arrives_at_once(void **state)
{
	assert_true(add_mailbox(admin, "idle", queue) > 0);
	int64_t t0 = now_ms();
	deliver("idle", "i1@customer.example", "IDLE first");
	int64_t took = time_to_contact(admin, "IDLE first", t0, FAST_MS);
	fprintf(stderr, "first message a contact after %lld ms\n", (long long)took);
	assert_true(took >= 0);

	sleep_ms(1000); /* the watcher back in IDLE, well before the next poll */
	t0 = now_ms();
	deliver("idle", "i2@customer.example", "IDLE second");
	took = time_to_contact(admin, "IDLE second", t0, FAST_MS);
	fprintf(stderr, "second message a contact after %lld ms\n", (long long)took);
	assert_true(took >= 0);

	sleep_ms(500);
	t0 = now_ms();
	deliver("idle", "i3@customer.example", "IDLE third");
	assert_true(time_to_contact(admin, "IDLE third", t0, FAST_MS) >= 0);
}

/* Another tenant's mailbox is watched too, and its mail is its own. */
static void each_tenant_its_mail(void **state)
{
	assert_true(add_mailbox(other_admin, "other", other_queue) > 0);
	sleep_ms(2000); /* watched (the list is read every second), the fetcher's catch-up done */
	int64_t t0 = now_ms();
	deliver("other", "o1@customer.example", "IDLE other tenant");
	assert_true(time_to_contact(other_admin, "IDLE other tenant", t0, FAST_MS) >= 0);
	assert_false(has_contact(admin, "IDLE other tenant"));
	assert_false(has_contact(other_admin, "IDLE first"));
}

/* A removed mailbox is let go: its connection in IDLE closed, its mail no
 * longer taken. */
static void removed_mailbox_let_go(void **state)
{
	long long id = add_mailbox(admin, "off", queue);
	assert_true(id > 0);
	sleep_ms(2500);
	assert_int_equal(dovecot_log_count("imap(off)", "IDLE running"), 0);
	remove_mailbox(id);
	sleep_ms(2500); /* the list read again */
	assert_int_equal(dovecot_log_count("imap(off)", "IDLE running"), 1);
	deliver("off", "r1@customer.example", "IDLE removed");
	sleep_ms(FAST_MS);
	assert_false(has_contact(admin, "IDLE removed"));
}

/* imaps:// to a server whose certificate no authority signed (Dovecot's,
 * self-signed): refused before LOGIN, so the password never went there. */
static void certificate_checked_before_login(void **state)
{
	long long id = add_mailbox_at(admin, dc.imaps_url, "tls", "imap-pw", queue);
	assert_true(id > 0);
	sleep_ms(2500);
	assert_true(log_count(d.log, "cannot watch a mailbox", "certificate is refused") >= 1);
	assert_int_equal(dovecot_log_count("imap(tls)", ""), 0); /* never logged in */
	remove_mailbox(id);
}

/* A login refused: tried again after 1 s, then 2, 4..., not in a loop. */
static void refused_login_backs_off(void **state)
{
	long long id = add_mailbox_at(admin, dc.url, "wrong", "not the password", queue);
	assert_true(id > 0);
	sleep_ms(4500); /* listed within 1 s, then attempts at about +0, +1 and +3 s */
	int n = log_count(d.log, "cannot log in to a mailbox to watch it", "");
	fprintf(stderr, "%d refused logins in 4.5 s\n", n);
	assert_true(n >= 2 && n <= 4);
	remove_mailbox(id);
}

/* A server nobody answers: the watcher says so in words, as the poller does. */
static void an_unreachable_server_is_said_in_words(void **state)
{
	long long id = add_mailbox_at(admin, "imap://127.0.0.1:9", "nobody", "imap-pw", queue);
	assert_true(id > 0);
	int n = 0;
	for (int i = 0; i < 30 && n == 0; i++) {
		sleep_ms(100);
		n = log_count(d.log, "cannot connect to a mailbox's server to watch it", "couldn't connect");
	}
	assert_true(n >= 1);
	remove_mailbox(id);
}

/* SIGTERM with connections in IDLE: guichetd exits at once, cleanly. */
static void stops_promptly(void **state)
{
	int64_t t0 = now_ms();
	assert_int_equal(daemon_stop(&d), 0);
	int64_t took = now_ms() - t0;
	fprintf(stderr, "stopped in %lld ms\n", (long long)took);
	assert_true(took < 2000);
}

/* The control: without the watcher, a message waits for the next poll. */
static void without_idle_it_waits(void **state)
{
	assert_int_equal(start("off"), 0);
	sleep_ms(1500); /* the fetcher's first round, at start, done */
	int64_t t0 = now_ms();
	deliver("idle", "i4@customer.example", "IDLE off");
	assert_int_equal(time_to_contact(admin, "IDLE off", t0, FAST_MS), -1);
	assert_int_equal(daemon_stop(&d), 0);
	/* on again: taken at start, nothing lost */
	assert_int_equal(start("on"), 0);
	assert_true(time_to_contact(admin, "IDLE off", now_ms(), 5000) >= 0);
}

/* A mailbox added is read as soon as it is committed: not at the next poll,
 * 60 s away, even without the watcher. */
static void a_mailbox_added_is_read_at_once(void **state)
{
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(start("off"), 0);
	sleep_ms(1500); /* the fetcher's first round, at start, done */
	deliver("late", "l1@customer.example", "added late");
	int64_t t0 = now_ms();
	assert_true(add_mailbox(admin, "late", queue) > 0);
	int64_t took = time_to_contact(admin, "added late", t0, FAST_MS);
	fprintf(stderr, "a new mailbox's message a contact after %lld ms\n", (long long)took);
	assert_true(took >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mail_arrives_at_once),
		cmocka_unit_test(each_tenant_its_mail),
		cmocka_unit_test(removed_mailbox_let_go),
		cmocka_unit_test(certificate_checked_before_login),
		cmocka_unit_test(refused_login_backs_off),
		cmocka_unit_test(an_unreachable_server_is_said_in_words),
		cmocka_unit_test(stops_promptly),
		cmocka_unit_test(without_idle_it_waits),
		cmocka_unit_test(a_mailbox_added_is_read_at_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
