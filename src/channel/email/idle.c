/* The IMAP IDLE watcher (idle.h), through libetpan. */
#include "channel/email/idle.h"
#include "channel/email/fetch.h"
#include "channel/email/idle_plan.h"
#include "daemon/cluster.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/secrets.h"
#include "guichet/error.h"
#include "store/store.h"

#include <libetpan/libetpan.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIST_MS 1000          /* the mailboxes read again this often: one small query */
#define NETWORK_TIMEOUT_S 10  /* any one network step */
#define MAX_WATCHES 100000    /* connections in all: a descriptor each */

enum watch_state { DOWN, IDLING };

struct watch {
	int64_t tenant_id, mailbox_id;
	char *url, *username;     /* what it was opened with: a change opens it again */
	mailimap *imap;           /* NULL when DOWN */
	enum watch_state state;
	int n_failures;
	int64_t retry_at;         /* DOWN: the next attempt */
	int64_t renew_at;         /* IDLING: the next DONE and IDLE */
	bool listed;              /* seen in the last list */
};

struct idle_watcher {
	struct idle_watcher_deps deps;
	struct store *db;
	pthread_t thread;
	int wake[2];              /* a byte written by idle_watcher_stop and idle_watcher_relist */
	atomic_bool stopping;
	atomic_bool relist;       /* idle_watcher_relist: the list read again at once */
	struct watch *watches;
	size_t n_watches, cap_watches;
	int64_t list_at;
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void log_watch(const char *msg, const struct watch *w, const char *error)
{
	char t[24], m[24];
	snprintf(t, sizeof(t), "%lld", (long long)w->tenant_id);
	snprintf(m, sizeof(m), "%lld", (long long)w->mailbox_id);
	log_error(msg, "tenant", t, "mailbox", m, "error", error);
}

/* --- one connection --- */

static void watch_close(struct watch *w)
{
	if (w->imap && w->imap->imap_stream) {
		/* closed without LOGOUT, which mailimap_free would send and wait for: a server
		 * ends a session in IDLE on its own, and a dead one would hold the thread */
		mailstream_close(w->imap->imap_stream);
		w->imap->imap_stream = NULL;
	}
	if (w->imap)
		mailimap_free(w->imap);
	w->imap = NULL;
	w->state = DOWN;
}

/* Down until the backoff for one more failure in a row has passed. */
static void watch_fail(struct watch *w, const char *msg, const char *error)
{
	watch_close(w);
	w->n_failures++;
	int64_t wait = idle_backoff_ms(w->n_failures, (uint64_t)w->mailbox_id);
	w->retry_at = now_ms() + wait;
	char why[600];
	size_t len = strlen(error);
	while (len && (error[len - 1] == ' ' || error[len - 1] == '\n'))
		len--; /* GnuTLS's status text ends in spaces */
	snprintf(why, sizeof(why), "%.*s (attempt %d, next in %lld s)", (int)len, error, w->n_failures,
		 (long long)(wait + 500) / 1000);
	log_watch(msg, w, why);
}

/* The library's error in words (the poller's, libcurl's, say "Couldn't connect"). */
static const char *imap_error_text(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_CONNECTION_REFUSED: return "couldn't connect";
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION: return "the server does not accept the connection";
	case MAILIMAP_ERROR_STREAM: return "the connection was lost";
	case MAILIMAP_ERROR_FATAL: return "the server ended the connection";
	case MAILIMAP_ERROR_PARSE: return "the server's answer cannot be read";
	case MAILIMAP_ERROR_PROTOCOL: return "the server broke the protocol";
	case MAILIMAP_ERROR_LOGIN: return "the login was refused";
	case MAILIMAP_ERROR_STARTTLS: return "STARTTLS failed";
	case MAILIMAP_ERROR_SSL: return "the TLS handshake failed";
	case MAILIMAP_ERROR_MEMORY: return "out of memory";
	default: return NULL;
	}
}

/* The server's last words, or the library's error. */
static const char *imap_why(const struct watch *w, int r)
{
	static _Thread_local char why[300];
	const char *said = w->imap && w->imap->imap_response ? w->imap->imap_response : "";
	const char *text = imap_error_text(r);
	if (text)
		snprintf(why, sizeof(why), "%s (libetpan error %d)%s%s", text, r, *said ? ": " : "", said);
	else
		snprintf(why, sizeof(why), "libetpan error %d%s%s", r, *said ? ": " : "", said);
	return why;
}

static void set_server_name(struct mailstream_ssl_context *ctx, void *host)
{
	mailstream_ssl_set_server_name(ctx, host); /* SNI: the server picks the certificate for this name */
}

/* Debian's libetpan (GnuTLS) checks no certificate: the server's chain is
 * verified here against the system's authorities and the host's name, as
 * libcurl does for the fetcher, before the password is sent. */
static int verify_certificate(struct watch *w, const char *host, char *why, size_t why_len)
{
	carray *chain = mailstream_get_certificate_chain(w->imap->imap_stream);
	unsigned n = chain ? carray_count(chain) : 0, imported = 0, status = 0;
	gnutls_x509_crt_t *crts = n ? calloc(n, sizeof(*crts)) : NULL;
	gnutls_x509_trust_list_t trust = NULL;
	int rc = GC_EIO;
	snprintf(why, why_len, "the server sent no certificate");
	for (; crts && imported < n; imported++) {
		MMAPString *der = carray_get(chain, imported);
		gnutls_datum_t d = {.data = (unsigned char *)der->str, .size = (unsigned)der->len};
		if (gnutls_x509_crt_init(&crts[imported]) < 0)
			goto out;
		if (gnutls_x509_crt_import(crts[imported], &d, GNUTLS_X509_FMT_DER) < 0) {
			imported++;
			snprintf(why, why_len, "the server's certificate cannot be read");
			goto out;
		}
	}
	if (n == 0 || gnutls_x509_trust_list_init(&trust, 0) < 0 || gnutls_x509_trust_list_add_system_trust(trust, 0, 0) < 0)
		goto out;
	gnutls_typed_vdata_st name = {.type = GNUTLS_DT_DNS_HOSTNAME, .data = (unsigned char *)host};
	if (gnutls_x509_trust_list_verify_crt2(trust, crts, n, &name, 1, 0, &status, NULL) < 0 || status != 0) {
		gnutls_datum_t text = {0};
		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0) {
			snprintf(why, why_len, "the server's certificate is refused: %s", text.data);
			gnutls_free(text.data);
		} else {
			snprintf(why, why_len, "the server's certificate is refused");
		}
		goto out;
	}
	rc = GC_OK;
out:
	if (trust)
		gnutls_x509_trust_list_deinit(trust, 1);
	for (unsigned i = 0; i < imported; i++)
		gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	if (chain)
		mailstream_certificate_chain_free(chain);
	return rc;
}

/* The mailbox's password, unsealed (malloc'd); NULL when it cannot be. */
static char *password_of(struct idle_watcher *iw, const struct watch *w, char *why, size_t why_len)
{
	struct store_scope scope = ops_channel_scope(w->tenant_id, "email");
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char *password = NULL;
	if (store_mailbox_sealed(iw->db, &scope, w->mailbox_id, &sealed, &sealed_len) < 0) {
		snprintf(why, why_len, "the mailbox's password cannot be read: %s", store_errmsg(iw->db));
		return NULL;
	}
	if (secrets_unseal(iw->deps.secrets, sealed, sealed_len, &password, why, why_len) < 0)
		password = NULL;
	free(sealed);
	return password;
}

/* Connected, the certificate verified (imaps), logged in; false after
 * watch_fail. */
static bool open_session(struct idle_watcher *iw, struct watch *w, const struct idle_server *server)
{
	char why[600] = "";
	if ((w->imap = mailimap_new(0, NULL)) == NULL) {
		watch_fail(w, "cannot watch a mailbox", "out of memory");
		return false;
	}
	mailimap_set_timeout(w->imap, NETWORK_TIMEOUT_S);
	char *host = (char *)server->host; /* libetpan's callback takes it as void * */
	int r = server->tls ? mailimap_ssl_connect_with_callback(w->imap, host, server->port, set_server_name, host)
			    : mailimap_socket_connect(w->imap, host, server->port);
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		watch_fail(w, "cannot connect to a mailbox's server to watch it", imap_why(w, r));
		return false;
	}
	if (server->tls && verify_certificate(w, host, why, sizeof(why)) < 0) {
		watch_fail(w, "cannot watch a mailbox", why);
		return false;
	}
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED)
		return true; /* PREAUTH */
	char *password = password_of(iw, w, why, sizeof(why));
	if (password == NULL) {
		watch_fail(w, "cannot watch a mailbox", why);
		return false;
	}
	r = mailimap_login(w->imap, w->username, password);
	explicit_bzero(password, strlen(password));
	free(password);
	if (r != MAILIMAP_NO_ERROR) {
		watch_fail(w, "cannot log in to a mailbox to watch it", imap_why(w, r));
		return false;
	}
	return true;
}

/* DOWN to IDLING: a session, EXAMINE, IDLE; or DOWN again, with the
 * backoff, or for an hour when the server offers no IDLE. */
static void watch_connect(struct idle_watcher *iw, struct watch *w)
{
	struct idle_server server;
	char why[600] = "";
	if (idle_server_parse(w->url, &server, why, sizeof(why)) < 0) {
		watch_fail(w, "cannot watch a mailbox: its URL", why);
		return;
	}
	if (!open_session(iw, w, &server))
		return;
	struct mailimap_capability_data *caps = NULL;
	int r = mailimap_capability(w->imap, &caps); /* those after the login */
	if (r != MAILIMAP_NO_ERROR) {
		watch_fail(w, "cannot read a mailbox server's capabilities", imap_why(w, r));
		return;
	}
	mailimap_capability_data_free(caps);
	if (!mailimap_has_idle(w->imap)) {
		watch_close(w); /* left to the fetcher's polling */
		w->n_failures = 0;
		w->retry_at = now_ms() + IDLE_NO_IDLE_RECHECK_MS;
		char t[24], m[24];
		snprintf(t, sizeof(t), "%lld", (long long)w->tenant_id);
		snprintf(m, sizeof(m), "%lld", (long long)w->mailbox_id);
		log_info("a mailbox's server offers no IDLE: it is polled", "tenant", t, "mailbox", m);
		return;
	}
	if ((r = mailimap_examine(w->imap, server.mailbox)) != MAILIMAP_NO_ERROR) {
		watch_fail(w, "cannot open a mailbox to watch it", imap_why(w, r));
		return;
	}
	if ((r = mailimap_idle(w->imap)) != MAILIMAP_NO_ERROR) {
		watch_fail(w, "cannot watch a mailbox: IDLE refused", imap_why(w, r));
		return;
	}
	w->state = IDLING;
	w->renew_at = idle_renew_at(now_ms());
	w->n_failures = 0;
	fetcher_kick(iw->deps.fetcher); /* what came while nobody watched */
}

/* IDLE ended with DONE (the server's reports meanwhile parsed) and entered
 * again; *ret_new_mail when one was EXISTS. false when the connection failed. */
static bool idle_again(struct watch *w, bool *ret_new_mail)
{
	int r = mailimap_idle_done(w->imap);
	if (r == MAILIMAP_NO_ERROR) {
		*ret_new_mail = w->imap->imap_selection_info && w->imap->imap_selection_info->sel_has_exists;
		r = mailimap_idle(w->imap); /* clears sel_has_exists */
	}
	if (r != MAILIMAP_NO_ERROR) {
		watch_fail(w, "lost a watched mailbox's connection", imap_why(w, r));
		return false;
	}
	w->renew_at = idle_renew_at(now_ms());
	return true;
}

/* The server said something while in IDLE (a new message: EXISTS; a flag
 * changed, an expunge, a keep-alive, a goodbye), or the IDLE is due for
 * renewal: DONE, the fetcher kicked on EXISTS, and IDLE again. */
static void watch_activity(struct idle_watcher *iw, struct watch *w)
{
	bool new_mail = false;
	if (idle_again(w, &new_mail) && new_mail)
		fetcher_kick(iw->deps.fetcher);
}

/* Bytes read from the socket but not yet parsed: poll() would not report them. */
static bool buffered(const struct watch *w)
{
	return w->state == IDLING && w->imap->imap_stream && w->imap->imap_stream->read_buffer_len > 0;
}

/* --- the list of mailboxes --- */

static void watch_clear(struct watch *w)
{
	watch_close(w);
	free(w->url);
	free(w->username);
}

static struct watch *find(struct idle_watcher *iw, int64_t mailbox_id)
{
	for (size_t i = 0; i < iw->n_watches; i++)
		if (iw->watches[i].mailbox_id == mailbox_id)
			return &iw->watches[i];
	return NULL;
}

static void add_watch(struct idle_watcher *iw, int64_t tenant, int64_t id, const char *url, const char *username)
{
	if (iw->n_watches == iw->cap_watches) {
		size_t cap = iw->cap_watches ? iw->cap_watches * 2 : 16;
		struct watch *grown = cap <= MAX_WATCHES ? realloc(iw->watches, cap * sizeof(*grown)) : NULL;
		if (grown == NULL)
			return; /* left to the polling, tried again at the next list */
		iw->watches = grown;
		iw->cap_watches = cap;
	}
	struct watch w = {.tenant_id = tenant, .mailbox_id = id, .url = strdup(url), .username = strdup(username),
			  .state = DOWN, .retry_at = now_ms(), .listed = true};
	if (w.url == NULL || w.username == NULL) {
		watch_clear(&w);
		return;
	}
	iw->watches[iw->n_watches++] = w;
}

/* The mailboxes of the tenants this node routes: new ones watched, those
 * gone (or changed) let go. */
static void list_mailboxes(struct idle_watcher *iw)
{
	json_t *list = NULL;
	if (store_mailbox_all(iw->db, &list) < 0) {
		log_error("cannot list the mailboxes to watch", "error", store_errmsg(iw->db));
		return; /* the watches stay as they are */
	}
	for (size_t i = 0; i < iw->n_watches; i++)
		iw->watches[i].listed = false;
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row) {
		int64_t tenant = json_integer_value(json_object_get(row, "tenant_id"));
		int64_t id = json_integer_value(json_object_get(row, "id"));
		const char *url = json_string_value(json_object_get(row, "imap_url"));
		const char *username = json_string_value(json_object_get(row, "username"));
		if (url == NULL || username == NULL || (iw->deps.cluster && !cluster_routes(iw->deps.cluster, tenant)))
			continue;
		struct watch *w = find(iw, id);
		if (w && (strcmp(w->url, url) != 0 || strcmp(w->username, username) != 0))
			continue; /* changed: let go below, opened again at the next list */
		if (w)
			w->listed = true;
		else
			add_watch(iw, tenant, id, url, username);
	}
	json_decref(list);
	for (size_t k = 0; k < iw->n_watches;) {
		if (iw->watches[k].listed) {
			k++;
			continue;
		}
		watch_clear(&iw->watches[k]);
		iw->watches[k] = iw->watches[--iw->n_watches];
	}
}

/* --- the thread --- */

/* Each watch's due step (connect, renew, or bytes already buffered); the
 * earliest deadline after them. */
static int64_t due_steps(struct idle_watcher *iw)
{
	int64_t next = iw->list_at;
	for (size_t i = 0; i < iw->n_watches && !atomic_load(&iw->stopping); i++) {
		struct watch *w = &iw->watches[i];
		int64_t now = now_ms();
		if (w->state == DOWN && now >= w->retry_at)
			watch_connect(iw, w);
		else if (w->state == IDLING && now >= w->renew_at)
			watch_activity(iw, w); /* renewed */
		while (buffered(w) && !atomic_load(&iw->stopping))
			watch_activity(iw, w);
		int64_t deadline = w->state == DOWN ? w->retry_at : w->renew_at;
		if (deadline < next)
			next = deadline;
	}
	return next;
}

/* Waits until next or activity on a connection or the wake pipe. */
static void wait_for_activity(struct idle_watcher *iw, int64_t next)
{
	struct pollfd *fds = calloc(iw->n_watches + 1, sizeof(*fds));
	size_t *which = calloc(iw->n_watches + 1, sizeof(*which));
	size_t n = 0;
	if (fds && which) {
		fds[n++] = (struct pollfd){.fd = iw->wake[0], .events = POLLIN};
		for (size_t i = 0; i < iw->n_watches; i++)
			if (iw->watches[i].state == IDLING) {
				which[n] = i;
				fds[n++] = (struct pollfd){.fd = mailimap_idle_get_fd(iw->watches[i].imap), .events = POLLIN};
			}
	}
	int timeout = idle_wait_ms(now_ms(), next, LIST_MS);
	if (n == 0) { /* out of memory: wait, then try again */
		nanosleep(&(struct timespec){.tv_sec = timeout / 1000, .tv_nsec = (timeout % 1000) * 1000000L}, NULL);
	} else if (poll(fds, n, timeout) > 0) {
		char drain[64];
		if (fds[0].revents)
			while (read(iw->wake[0], drain, sizeof(drain)) > 0)
				;
		for (size_t k = 1; k < n && !atomic_load(&iw->stopping); k++)
			if (fds[k].revents)
				watch_activity(iw, &iw->watches[which[k]]);
	}
	free(fds);
	free(which);
}

static void *watcher_main(void *arg)
{
	struct idle_watcher *iw = arg;
	while (!atomic_load(&iw->stopping)) {
		if (atomic_exchange(&iw->relist, false) || now_ms() >= iw->list_at) {
			list_mailboxes(iw);
			iw->list_at = now_ms() + LIST_MS;
		}
		int64_t next = due_steps(iw);
		if (!atomic_load(&iw->stopping))
			wait_for_activity(iw, next);
	}
	for (size_t i = 0; i < iw->n_watches; i++)
		watch_clear(&iw->watches[i]);
	free(iw->watches);
	return NULL;
}

int idle_watcher_start(const struct idle_watcher_deps *deps, struct idle_watcher **ret)
{
	struct idle_watcher *iw = calloc(1, sizeof(*iw));
	if (iw == NULL)
		return GC_ENOMEM;
	iw->deps = *deps;
	iw->wake[0] = iw->wake[1] = -1;
	int rc = store_open(deps->db, STORE_READ_ONLY, &iw->db);
	if (rc == GC_OK && pipe2(iw->wake, O_CLOEXEC | O_NONBLOCK) != 0)
		rc = GC_EIO;
	if (rc == GC_OK && pthread_create(&iw->thread, NULL, watcher_main, iw) != 0)
		rc = GC_ENOMEM;
	if (rc < 0) {
		if (iw->wake[0] >= 0) {
			close(iw->wake[0]);
			close(iw->wake[1]);
		}
		store_free(iw->db);
		free(iw);
		return rc;
	}
	*ret = iw;
	return GC_OK;
}

/* Ends the watcher's wait (wait_for_activity) at once. */
static void wake_watcher(struct idle_watcher *iw)
{
	ssize_t written = write(iw->wake[1], "x", 1);
	(void)written; /* the pipe full: a byte is already there */
}

void idle_watcher_relist(struct idle_watcher *iw)
{
	if (iw == NULL)
		return;
	atomic_store(&iw->relist, true);
	wake_watcher(iw);
}

void idle_watcher_stop(struct idle_watcher *iw)
{
	if (iw == NULL)
		return;
	atomic_store(&iw->stopping, true);
	wake_watcher(iw);
	pthread_join(iw->thread, NULL);
	close(iw->wake[0]);
	close(iw->wake[1]);
	store_free(iw->db);
	free(iw);
}
