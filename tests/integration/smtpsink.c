/* The SMTP receiver for tests: Postfix's smtp-sink (smtpsink.h). */
#include "smtpsink.h"
#include "testport.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define START_TRIES 3             /* a free port may be taken before smtp-sink binds it */
#define START_WAIT_MS 10000
#define MAX_MESSAGE_BYTES (64L << 20)
#define MAX_RCPT 1000

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){.tv_nsec = ms * 1000000}, NULL);
}

static void print_log(const struct smtpsink *s)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "tail -20 '%s/smtp-sink.log' >&2", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "smtpsink: no log\n");
}

static int start_once(struct smtpsink *s, uid_t uid, gid_t gid, bool last)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/guichet-smtpsink-XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		perror("smtpsink: mkdtemp");
		return -1;
	}
	snprintf(s->msg_dir, sizeof(s->msg_dir), "%s/msg", s->dir);
	s->port = testport_free();
	char template[128], listen[32], log[128];
	snprintf(template, sizeof(template), "%s/%%Y%%m%%d%%H%%M%%S.", s->msg_dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
	snprintf(log, sizeof(log), "%s/smtp-sink.log", s->dir);
	char *argv[] = {"smtp-sink", "-a", "-d", template, listen, "64", NULL}; /* -a: no AUTH offered, as a relay on loopback */
	if (s->port <= 0 || chmod(s->dir, 0755) < 0 || mkdir(s->msg_dir, 0755) < 0 ||
	    chown(s->dir, uid, gid) < 0 || chown(s->msg_dir, uid, gid) < 0 ||
	    srvguard_start(&s->guard, s->dir, uid, gid, log, argv) < 0) {
		fprintf(stderr, "smtpsink: cannot prepare %s: %s\n", s->dir, strerror(errno));
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "smtpsink: cannot remove %s\n", s->dir);
		return -1;
	}
	for (int waited = 0; waited < START_WAIT_MS && srvguard_running(&s->guard); waited += 10) {
		if (srvguard_listening(s->port)) {
			snprintf(s->url, sizeof(s->url), "smtp://127.0.0.1:%d", s->port);
			return 0;
		}
		sleep_ms(10);
	}
	if (last) {
		fprintf(stderr, "smtpsink: smtp-sink did not start (is postfix installed?); its log:\n");
		print_log(s);
	}
	srvguard_stop(&s->guard);
	return -1;
}

int smtpsink_start(struct smtpsink *s)
{
	memset(s, 0, sizeof(*s));
	uid_t uid;
	gid_t gid;
	if (srvguard_user(&uid, &gid) < 0)
		return -1;
	for (int i = 0; i < START_TRIES; i++)
		if (start_once(s, uid, gid, i == START_TRIES - 1) == 0)
			return 0;
	memset(s, 0, sizeof(*s));
	return -1;
}

int smtpsink_stop(struct smtpsink *s)
{
	int rc = srvguard_stop(&s->guard);
	s->url[0] = '\0';
	return rc;
}

pid_t smtpsink_pid(const struct smtpsink *s)
{
	return s->guard.pid;
}

struct entry {
	char *path;
	struct timespec mtime;
};

static int by_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void free_entries(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].path);
	free(e);
}

/* The message files, oldest first. */
static int list_files(const struct smtpsink *s, struct entry **ret, size_t *ret_n)
{
	DIR *dir = opendir(s->msg_dir);
	if (dir == NULL) {
		fprintf(stderr, "smtpsink: %s: %s\n", s->msg_dir, strerror(errno));
		return -1;
	}
	struct entry *e = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (struct dirent *de; rc == 0 && (de = readdir(dir)) != NULL;) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct entry *bigger = realloc(e, cap * sizeof(*e));
			if (bigger == NULL) {
				rc = -1;
				break;
			}
			e = bigger;
		}
		struct stat st;
		if (asprintf(&e[n].path, "%s/%s", s->msg_dir, de->d_name) < 0) {
			rc = -1;
			break;
		}
		if (stat(e[n].path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(e[n].path);
			continue;
		}
		e[n++].mtime = st.st_mtim;
	}
	closedir(dir);
	if (rc < 0) {
		fprintf(stderr, "smtpsink: out of memory listing %s\n", s->msg_dir);
		free_entries(e, n);
		return -1;
	}
	if (n > 1)
		qsort(e, n, sizeof(*e), by_time);
	*ret = e;
	*ret_n = n;
	return 0;
}

long smtpsink_count(const struct smtpsink *s)
{
	struct entry *e;
	size_t n;
	if (list_files(s, &e, &n) < 0)
		return -1;
	free_entries(e, n);
	return (long)n;
}

/* n messages kept whole (not one still being written): 1, 0, or -1. */
static int whole(const struct smtpsink *s, size_t n)
{
	struct smtpsink_message *m = NULL;
	size_t got = 0;
	if (smtpsink_messages(s, &m, &got) < 0)
		return -1;
	smtpsink_messages_free(m, got);
	return got >= n;
}

int smtpsink_wait(const struct smtpsink *s, size_t n, int timeout_ms)
{
	for (int waited = 0;; waited += 20) {
		long count = smtpsink_count(s);
		int done = count >= 0 && (size_t)count >= n ? whole(s, n) : 0;
		if (done > 0)
			return 0;
		if (count < 0 || done < 0 || waited >= timeout_ms)
			return -1;
		sleep_ms(20);
	}
}

static char *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (len >= 0 && len <= MAX_MESSAGE_BYTES && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL) {
		if (fread(buf, 1, (size_t)len, f) == (size_t)len) {
			buf[len] = '\0';
			*ret_len = (size_t)len;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* The address inside the first <...> of an X-Mail-Args or X-Rcpt-Args value. */
static char *address(const char *value, const char *end)
{
	const char *open = memchr(value, '<', (size_t)(end - value));
	const char *close = open ? memchr(open, '>', (size_t)(end - open)) : NULL;
	if (close == NULL)
		return strndup(value, (size_t)(end - value));
	return strndup(open + 1, (size_t)(close - open - 1));
}

/* Splits smtp-sink's header lines (smtpsink.h) from the message; the message
 * is moved to the start of buf. */
static int parse_dump(struct smtpsink_message *m, char *buf, size_t len)
{
	char *p = buf, *end = buf + len;
	bool received = false;
	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			return -1;
		if (received && *p != ' ' && *p != '\t')
			break; /* past Received:'s continuation lines: the message */
		if (strncmp(p, "X-Mail-Args: ", 13) == 0) {
			if (m->mail_from || (m->mail_from = address(p + 13, eol)) == NULL)
				return -1;
		} else if (strncmp(p, "X-Rcpt-Args: ", 13) == 0) {
			if (m->n_rcpt == MAX_RCPT)
				return -1;
			char **more = realloc(m->rcpt, (m->n_rcpt + 1) * sizeof(*more));
			if (more == NULL)
				return -1;
			m->rcpt = more;
			if ((m->rcpt[m->n_rcpt] = address(p + 13, eol)) == NULL)
				return -1;
			m->n_rcpt++;
		} else if (strncmp(p, "Received: ", 10) == 0) {
			received = true;
		} else if (!received && strncmp(p, "X-", 2) != 0) {
			return -1;
		}
		p = eol + 1;
	}
	if (!received || m->mail_from == NULL)
		return -1;
	size_t n = (size_t)(end - p);
	if (n > 0 && p[n - 1] == '\n')
		n--; /* the empty line smtp-sink appends */
	memmove(buf, p, n);
	buf[n] = '\0';
	m->data = buf;
	m->len = n;
	return 0;
}

static void message_clear(struct smtpsink_message *m)
{
	free(m->path);
	free(m->mail_from);
	for (size_t i = 0; i < m->n_rcpt; i++)
		free(m->rcpt[i]);
	free(m->rcpt);
	free(m->data);
}

void smtpsink_messages_free(struct smtpsink_message *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++)
		message_clear(&m[i]);
	free(m);
}

/* smtp-sink writes a dump as its session goes: one that does not parse
 * yet, changed within this long, is still being written (left out of this
 * listing; the callers ask again). */
#define WRITING_MS 5000

static bool still_written(const struct timespec *mtime)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t age = (int64_t)(now.tv_sec - mtime->tv_sec) * 1000 + (now.tv_nsec - mtime->tv_nsec) / 1000000;
	return age < WRITING_MS;
}

int smtpsink_messages(const struct smtpsink *s, struct smtpsink_message **ret, size_t *ret_n)
{
	struct entry *e;
	size_t n;
	if (list_files(s, &e, &n) < 0)
		return -1;
	struct smtpsink_message *m = calloc(n ? n : 1, sizeof(*m));
	size_t kept = 0;
	for (size_t i = 0; m && i < n; i++) {
		size_t len = 0;
		char *buf = read_file(e[i].path, &len);
		struct smtpsink_message *one = &m[kept];
		one->path = e[i].path;
		e[i].path = NULL;
		if (buf != NULL && parse_dump(one, buf, len) == 0) {
			kept++;
			continue;
		}
		if (one->data == NULL)
			free(buf);
		if (still_written(&e[i].mtime)) {
			message_clear(one);
			memset(one, 0, sizeof(*one));
			continue;
		}
		fprintf(stderr, "smtpsink: %s: cannot read, or not a smtp-sink dump\n", one->path);
		smtpsink_messages_free(m, kept + 1);
		free_entries(e, n);
		return -1;
	}
	free_entries(e, n);
	if (m == NULL) {
		fprintf(stderr, "smtpsink: out of memory\n");
		return -1;
	}
	*ret = m;
	*ret_n = kept;
	return 0;
}
