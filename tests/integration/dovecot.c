/* The throwaway Dovecot IMAP server (dovecot.h). */
#include "dovecot.h"
#include "testport.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TRIES 3        /* a free port may be taken before Dovecot binds it */
#define START_WAIT_MS 10000
#define APPEND_TIMEOUT_S 30L

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_nsec = ms * 1000000}, NULL);
}

/* A user's name may go in a path and a passwd-file; a password in a passwd-file. */
static int check_user(const char *spec)
{
	const char *colon = strchr(spec, ':');
	if (colon == NULL || colon == spec) {
		fprintf(stderr, "dovecot: user \"%s\" is not \"name:password\"\n", spec);
		return -1;
	}
	for (const char *p = spec; p < colon; p++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-", *p)) {
			fprintf(stderr, "dovecot: user \"%.*s\": a name of letters, digits and ._@- only\n",
				(int)(colon - spec), spec);
			return -1;
		}
	}
	if (strpbrk(colon + 1, ":\r\n")) {
		fprintf(stderr, "dovecot: user \"%.*s\": a password without ':' or line breaks\n",
			(int)(colon - spec), spec);
		return -1;
	}
	return 0;
}

static int write_users(const struct dovecot *d, const char *const users[], uid_t uid, gid_t gid)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/users", d->dir);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	for (size_t i = 0; users[i]; i++) {
		const char *colon = strchr(users[i], ':');
		fprintf(f, "%.*s:{PLAIN}%s:%u:%u::%s/mail/%.*s\n", (int)(colon - users[i]), users[i],
			colon + 1, (unsigned)uid, (unsigned)gid, d->dir, (int)(colon - users[i]), users[i]);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int write_conf(const struct dovecot *d, uid_t uid, gid_t gid)
{
	struct passwd *pw = getpwuid(uid);
	struct group *gr = getgrgid(gid);
	if (pw == NULL || gr == NULL) {
		fprintf(stderr, "dovecot: uid %u or gid %u has no name\n", (unsigned)uid, (unsigned)gid);
		return -1;
	}
	char path[128];
	snprintf(path, sizeof(path), "%s/dovecot.conf", d->dir);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
		"# written by tests/integration/dovecot.c for one test run\n"
		"base_dir = %1$s/run\nstate_dir = %1$s/state\nlog_path = %1$s/dovecot.log\n"
		"instance_name = guichet-test\nprotocols = imap\nlisten = 127.0.0.1\n"
		"default_login_user = %2$s\ndefault_internal_user = %2$s\ndefault_internal_group = %3$s\n"
		"first_valid_uid = 1\nlast_valid_uid = 0\nfirst_valid_gid = 1\n"
		"mail_location = maildir:~/Maildir\nmail_fsync = never\n"
		"ssl = yes\nssl_cert = <%1$s/cert.pem\nssl_key = <%1$s/key.pem\n"
		"disable_plaintext_auth = no\nauth_mechanisms = plain login\nauth_failure_delay = 0\n"
		"passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%%u %1$s/users\n}\n"
		"userdb {\n  driver = passwd-file\n  args = username_format=%%u %1$s/users\n}\n"
		/* no penalty of up to 15 s after failed logins: its socket closed */
		"service anvil {\n  chroot =\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n"
		"service imap-login {\n  chroot =\n"
		"  inet_listener imap {\n    address = 127.0.0.1\n    port = %4$d\n  }\n"
		"  inet_listener imaps {\n    address = 127.0.0.1\n    port = %5$d\n    ssl = yes\n  }\n}\n",
		d->dir, pw->pw_name, gr->gr_name, d->port, d->imaps_port);
	return fclose(f) == 0 ? 0 : -1;
}

/* A self-signed EC certificate for 127.0.0.1: a few milliseconds. */
static int make_cert(const struct dovecot *d)
{
	char key[128], log[128];
	snprintf(key, sizeof(key), "%s/key.pem", d->dir);
	snprintf(log, sizeof(log), "%s/openssl.log", d->dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execlp("openssl", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		       "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "2",
		       "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", d->ca_file,
		       (char *)NULL);
		_exit(127);
	}
	int status = 1;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "dovecot: openssl could not make a certificate: see %s\n", log);
		return -1;
	}
	return 0;
}

/* Everything the server reads and writes belongs to the user it runs as. */
static int chown_tree(const char *dir, uid_t uid, gid_t gid)
{
	const char *entries[] = {"", "/run", "/state", "/mail", "/users", "/dovecot.conf",
				 "/cert.pem", "/key.pem"};
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s%s", dir, entries[i]);
		if (chown(path, uid, gid) < 0) {
			fprintf(stderr, "dovecot: chown %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void print_log(const struct dovecot *d)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "tail -20 '%s/dovecot.log' >&2", d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "dovecot: no log\n");
}

static void remove_dir(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "dovecot: cannot remove %s\n", dir);
}

/* The folder, its files, and the server until both ports answer. */
static int start_once(struct dovecot *d, const char *const users[], uid_t uid, gid_t gid, bool last)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/guichet-dovecot-XXXXXX");
	if (mkdtemp(d->dir) == NULL) {
		perror("dovecot: mkdtemp");
		return -1;
	}
	snprintf(d->ca_file, sizeof(d->ca_file), "%s/cert.pem", d->dir);
	d->port = testport_free();
	d->imaps_port = testport_free();
	char sub[96];
	int rc = d->port > 0 && d->imaps_port > 0 && d->imaps_port != d->port ? 0 : -1;
	const char *subdirs[] = {"run", "state", "mail"};
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", d->dir, subdirs[i]);
		rc = mkdir(sub, 0755);
	}
	d->uid = uid;
	d->gid = gid;
	if (rc == 0 && chmod(d->dir, 0755) == 0 && write_users(d, users, uid, gid) == 0 &&
	    write_conf(d, uid, gid) == 0 && make_cert(d) == 0 && chown_tree(d->dir, uid, gid) == 0) {
		char conf[128], log[128];
		snprintf(conf, sizeof(conf), "%s/dovecot.conf", d->dir);
		snprintf(log, sizeof(log), "%s/dovecot.log", d->dir);
		char *argv[] = {"dovecot", "-F", "-c", conf, NULL};
		rc = srvguard_start(&d->guard, d->dir, uid, gid, log, argv);
	} else {
		fprintf(stderr, "dovecot: cannot prepare %s\n", d->dir);
		rc = -1;
	}
	if (rc < 0) {
		remove_dir(d->dir);
		return -1;
	}
	for (int waited = 0; waited < START_WAIT_MS && srvguard_running(&d->guard); waited += 20) {
		if (srvguard_listening(d->port) && srvguard_listening(d->imaps_port)) {
			snprintf(d->url, sizeof(d->url), "imap://127.0.0.1:%d", d->port);
			snprintf(d->imaps_url, sizeof(d->imaps_url), "imaps://127.0.0.1:%d", d->imaps_port);
			return 0;
		}
		sleep_ms(20);
	}
	if (last) {
		fprintf(stderr, "dovecot: the server did not start (is dovecot-imapd installed?); its log:\n");
		print_log(d);
	}
	srvguard_stop(&d->guard);
	return -1;
}

int dovecot_start(struct dovecot *d, const char *const users[])
{
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; users[i]; i++)
		if (check_user(users[i]) < 0)
			return -1;
	uid_t uid;
	gid_t gid;
	if (srvguard_user(&uid, &gid) < 0)
		return -1;
	for (int i = 0; i < START_TRIES; i++)
		if (start_once(d, users, uid, gid, i == START_TRIES - 1) == 0)
			return 0;
	memset(d, 0, sizeof(*d));
	return -1;
}

int dovecot_stop(struct dovecot *d)
{
	int rc = srvguard_stop(&d->guard);
	d->url[0] = d->imaps_url[0] = '\0';
	return rc;
}

pid_t dovecot_pid(const struct dovecot *d)
{
	return d->guard.pid;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t read_upload(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems < u->left ? size * nitems : u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* CREATE "mailbox"; an existing one is no error, and a real failure shows
 * at the APPEND. Names with quotes, backslashes or controls are refused. */
static int create_mailbox(CURL *curl, const struct dovecot *d, const char *mailbox)
{
	for (const char *p = mailbox; *p; p++) {
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
			fprintf(stderr, "dovecot: mailbox \"%s\": no quote, backslash or control\n", mailbox);
			return -1;
		}
	}
	char cmd[512];
	if ((size_t)snprintf(cmd, sizeof(cmd), "CREATE \"%s\"", mailbox) >= sizeof(cmd)) {
		fprintf(stderr, "dovecot: mailbox name too long\n");
		return -1;
	}
	curl_easy_setopt(curl, CURLOPT_URL, d->url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, cmd);
	curl_easy_perform(curl);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL);
	return 0;
}

int dovecot_append_n(const struct dovecot *d, const char *user, const char *password,
		     const char *mailbox, const struct iovec msgs[], size_t n)
{
	CURL *curl = curl_easy_init();
	char *escaped = curl ? curl_easy_escape(curl, mailbox, 0) : NULL;
	char url[600];
	int rc = -1;
	if (escaped == NULL || (size_t)snprintf(url, sizeof(url), "%s/%s", d->url, escaped) >= sizeof(url)) {
		fprintf(stderr, "dovecot: append to \"%s\": out of memory or name too long\n", mailbox);
		goto out_free;
	}
	curl_easy_setopt(curl, CURLOPT_USERNAME, user);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, APPEND_TIMEOUT_S);
	if (strcasecmp(mailbox, "INBOX") != 0 && create_mailbox(curl, d, mailbox) < 0)
		goto out_free;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
	for (size_t i = 0; i < n; i++) {
		struct upload u = {.p = msgs[i].iov_base, .left = msgs[i].iov_len};
		curl_easy_setopt(curl, CURLOPT_READDATA, &u);
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msgs[i].iov_len);
		CURLcode res = curl_easy_perform(curl);
		if (res != CURLE_OK) {
			fprintf(stderr, "dovecot: append of message %zu to %s as %s: %s\n", i, url, user,
				curl_easy_strerror(res));
			goto out_free;
		}
	}
	rc = 0;
out_free:
	curl_free(escaped);
	curl_easy_cleanup(curl);
	return rc;
}

int dovecot_append(const struct dovecot *d, const char *user, const char *password,
		   const char *mailbox, const char *raw, size_t len)
{
	struct iovec msg = {.iov_base = (void *)raw, .iov_len = len};
	return dovecot_append_n(d, user, password, mailbox, &msg, 1);
}

/* mkdir owned by the server's user; an existing folder is fine. */
static int make_dir(const struct dovecot *d, const char *path)
{
	if (mkdir(path, 0700) < 0)
		return errno == EEXIST ? 0 : -1;
	return chown(path, d->uid, d->gid);
}

/* mail/USER/Maildir[/.MAILBOX] with its tmp, new and cur, into maildir. */
static int make_maildir(const struct dovecot *d, const char *user, const char *mailbox, char *maildir,
			size_t len)
{
	const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	if (user[0] == '\0' || user[0] == '.' || strchr(user, '/') || mailbox[0] == '\0' ||
	    mailbox[strspn(mailbox, ok)] != '\0') {
		fprintf(stderr, "dovecot: deliver to user \"%s\", mailbox \"%s\": bad name\n", user, mailbox);
		return -1;
	}
	bool inbox = strcasecmp(mailbox, "INBOX") == 0;
	char path[512];
	snprintf(path, sizeof(path), "%s/mail/%s", d->dir, user);
	if (make_dir(d, path) < 0)
		goto out_err;
	snprintf(path, sizeof(path), "%s/mail/%s/Maildir", d->dir, user);
	if (make_dir(d, path) < 0)
		goto out_err;
	if ((size_t)snprintf(maildir, len, "%s/mail/%s/Maildir%s%s", d->dir, user, inbox ? "" : "/.",
			     inbox ? "" : mailbox) >= len)
		goto out_err;
	const char *subs[] = {"", "/tmp", "/new", "/cur"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", maildir, subs[i]);
		if (make_dir(d, path) < 0)
			goto out_err;
	}
	return 0;
out_err:
	fprintf(stderr, "dovecot: cannot make the Maildir of %s/%s: %s\n", user, mailbox, strerror(errno));
	return -1;
}

/* A Maildir file name whose time, to the microsecond, only grows: Dovecot
 * numbers new files by that time. */
static void next_name(char *buf, size_t len, size_t i)
{
	static long long last_us;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	if (us <= last_us)
		us = last_us + 1;
	last_us = us;
	snprintf(buf, len, "%lld.M%06lldP%dQ%zu.guichet-test", us / 1000000, us % 1000000, (int)getpid(), i);
}

static int deliver_one(const struct dovecot *d, const char *maildir, const struct iovec *msg, size_t i)
{
	char name[128], tmp[700], new[700];
	next_name(name, sizeof(name), i);
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", maildir, name);
	snprintf(new, sizeof(new), "%s/new/%s", maildir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	const char *p = msg->iov_base;
	size_t left = msg->iov_len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	bool ok = left == 0 && fchown(fd, d->uid, d->gid) == 0;
	if (close(fd) < 0 || !ok) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, new);
}

int dovecot_deliver(const struct dovecot *d, const char *user, const char *mailbox,
		    const struct iovec msgs[], size_t n)
{
	char maildir[512];
	if (make_maildir(d, user, mailbox, maildir, sizeof(maildir)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (deliver_one(d, maildir, &msgs[i], i) < 0) {
			fprintf(stderr, "dovecot: deliver message %zu into %s: %s\n", i, maildir, strerror(errno));
			return -1;
		}
	}
	return 0;
}
