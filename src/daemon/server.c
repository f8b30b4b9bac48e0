/* Threads, sockets and signals (server.h). */
#include "daemon/server.h"
#include "daemon/cluster.h"
#include "daemon/desks.h"
#include "daemon/secrets.h"
#include "daemon/chatstream.h"
#include "channel/email/fetch.h"
#include "channel/email/idle.h"
#include "channel/email/sender.h"
#include "channel/messaging/sender.h"
#include "channel/voice/recorder.h"
#include "channel/voice/voice.h"

#include <curl/curl.h>
#include "daemon/authcache.h"
#include "daemon/conn.h"
#include "daemon/handlers.h"
#include "daemon/hashpool.h"
#include "daemon/http.h"
#include "daemon/hub.h"
#include "daemon/log.h"
#include "daemon/kbsvc.h"
#include "daemon/ratelimit.h"
#include "daemon/stream.h"
#include "daemon/writer.h"
#include "guichet/error.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_TIMEOUT_MS 30000
#define SPARE_DESCRIPTORS 256       /* kept for logs, listeners and the like */
#define DESCRIPTORS_PER_THREAD 8    /* a database connection (file, WAL, shm), epoll, wake-ups */

/* What one client may make the daemon hold (conn.h). */
static const struct conn_limits default_limits = {
	.max_head = 16 * 1024,
	.body_budget = 256u * 1024 * 1024,
	.idle_timeout_ms = 60 * 1000,
	.body_timeout_ms = 60 * 1000,
	.write_timeout_ms = 60 * 1000,
};

/* Raises the descriptor limit to its maximum; the connections allowed in
 * all stay below it, so the daemon never runs out (and /healthz answers). */
static int connection_cap(int wanted, int threads)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return wanted;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	long spare = SPARE_DESCRIPTORS + (long)DESCRIPTORS_PER_THREAD * threads;
	long room = rl.rlim_cur == RLIM_INFINITY ? wanted : (long)rl.rlim_cur - spare;
	if (room < 16)
		room = 16;
	return wanted < room ? wanted : (int)room;
}

static int listen_on(const char *host, int port, int *ret_fd, int *ret_port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res = NULL;
	char service[8];
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &res) != 0 || res == NULL)
		return GC_EINVAL;
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 4096) < 0) {
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return GC_EIO;
	}
	freeaddrinfo(res);
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	getsockname(fd, (struct sockaddr *)&addr, &len);
	*ret_port = ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
						      : ((struct sockaddr_in *)&addr)->sin_port);
	*ret_fd = fd;
	return GC_OK;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static int worker_start(struct server *srv, struct worker *w, bool serves_metrics)
{
	w->server = srv;
	int rc = store_open(srv->config->db, STORE_READ_ONLY, &w->db);
	if (rc < 0) {
		log_error("cannot open the database", "error", store_errmsg(w->db));
		return rc;
	}
	w->auth = authcache_new();
	/* the changelist folds the epoll_ctl calls made around each request
	 * (read off, write on, write off, read on) into at most one */
	struct event_config *cfg = event_config_new();
	if (cfg)
		event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	w->base = w->auth && cfg ? event_base_new_with_config(cfg) : NULL;
	event_config_free(cfg);
	if (w->base == NULL)
		return GC_ENOMEM;
	w->streams = streams_new(w);
	w->chat = w->streams ? chatstreams_new(w) : NULL;
	w->batch_event = event_new(w->base, -1, 0, http_run_batch, w);
	if (w->streams == NULL || w->chat == NULL || w->batch_event == NULL)
		return GC_ENOMEM;
	struct conn_handler handler = {.trusted = http_trusted_proxy, .body_limit = http_body_limit,
				       .dispatch = http_dispatch, .arg = w};
	int fd = dup(srv->listen_fd); /* each listener closes its own copy */
	w->api = fd >= 0 ? conn_server_new(w->base, fd, srv->guard, &handler, LISTENER_API) : NULL;
	if (w->api == NULL)
		return GC_EIO;
	if (serves_metrics) {
		w->metrics = conn_server_new(w->base, srv->metrics_fd, srv->guard, &handler, LISTENER_METRICS);
		if (w->metrics == NULL)
			return GC_EIO;
		srv->metrics_fd = -1; /* the listener owns it */
	}
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return GC_ENOMEM;
	return GC_OK;
}

/* flag: the option that gave the address (--listen, --metrics-listen), named in the error */
static int listen_or_log(const char *flag, const char *host, int port, int *ret_fd, int *ret_port)
{
	int rc = listen_on(host, port, ret_fd, ret_port);
	if (rc < 0) {
		char text[8];
		snprintf(text, sizeof(text), "%d", port);
		log_error("cannot listen", "option", flag, "host", host, "port", text, "error", strerror(errno));
	}
	return rc;
}

/* After a batch that queued mail or added a message: both senders look. */
static void kick_senders(void *arg)
{
	struct server *srv = arg;
	email_sender_kick(srv->sender);
	msg_sender_kick(srv->msg_sender);
}

/* After a commit that added or removed a mailbox: the readers look at once. */
/* The telephony thread's calls, to the live streams (stream.h). */
static void call_changed(void *arg, int64_t tenant_id, int64_t contact_id, int64_t agent_id,
			 const struct voice_call *call)
{
	struct server *srv = arg;
	hub_publish_call(srv->hub, tenant_id, agent_id, call_state_frame(contact_id, agent_id, call));
}

static void mailboxes_changed(void *arg)
{
	struct server *srv = arg;
	idle_watcher_relist(srv->idle);
	fetcher_kick(srv->fetcher);
}

/* The recordings' folder (--recordings-dir, or DB.recordings beside a
 * SQLite file) made if missing, and swept of the files no row names
 * (recorder.h): GC_OK with it in ret, or an error (logged) and no
 * recording. Before the telephony thread starts: nothing is being written. */
static int prepare_recordings(const struct config *config, char *ret, size_t len)
{
	ret[0] = '\0';
	int written;
	if (config->recordings_dir[0])
		written = snprintf(ret, len, "%s", config->recordings_dir);
	else if (!store_url_is_pg(config->db))
		written = snprintf(ret, len, "%s.recordings", config->db);
	else
		return GC_ENOTFOUND; /* PostgreSQL has no folder of its own: off until one is named */
	if (written < 0 || (size_t)written >= len) {
		log_error("the recordings' folder's path is too long: calls are not recorded", "db", config->db);
		ret[0] = '\0';
		return GC_EINVAL;
	}
	struct stat st;
	if (config->sip_host[0] == '\0' && stat(ret, &st) < 0) {
		ret[0] = '\0'; /* no calls and no recordings kept: nothing to serve or expire */
		return GC_ENOTFOUND;
	}
	if (mkdir(ret, 0750) < 0 && errno != EEXIST) {
		log_error("cannot make the recordings' folder: calls are not recorded", "dir", ret, "error",
			  strerror(errno));
		ret[0] = '\0';
		return GC_EIO;
	}
	struct store *db = NULL;
	int rc = store_open(config->db, STORE_READ_ONLY, &db);
	int n = rc == GC_OK ? recorder_sweep(ret, db) : rc;
	store_free(db);
	if (n < 0) {
		log_error("cannot sweep the recordings' folder: calls are not recorded", "dir", ret, "error",
			  gc_error_name(n));
		ret[0] = '\0';
		return n;
	}
	if (n > 0) {
		char count[16];
		snprintf(count, sizeof(count), "%d", n);
		log_info("recordings' files no row names removed", "dir", ret, "files", count);
	}
	return GC_OK;
}

/* One guichetd per SQLite file: two would each route the contacts they
 * were given (a contact one enqueues, the other never offers). The lock is
 * DB.lock beside the file, taken with flock (which SQLite's own fcntl locks
 * do not see) and kept until the process ends, kill -9 included. Several
 * nodes share a PostgreSQL database by design (cluster.c). */
static int hold_database(const char *db, int *ret_fd)
{
	*ret_fd = -1;
	if (store_url_is_pg(db))
		return GC_OK;
	/* beside the file itself, however it is named: a symbolic link to it
	 * (or a path through one) takes the same lock */
	char path[4096], *real = realpath(db, NULL);
	int n = snprintf(path, sizeof(path), "%s.lock", real ? real : db);
	free(real);
	if (n < 0 || (size_t)n >= sizeof(path))
		return GC_EINVAL;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("cannot open the database's lock file", "path", path, "error", strerror(errno));
		return GC_EIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			log_error("another guichetd serves this database: stop it first, or give this one another --db",
				  "db", db, "lock", path);
			return GC_EBUSY;
		}
		log_error("cannot lock the database's lock file", "path", path, "error", strerror(e));
		return GC_EIO;
	}
	*ret_fd = fd;
	return GC_OK;
}

int server_start(struct server *srv, const struct config *config)
{
	*srv = (struct server){.config = config, .listen_fd = -1, .metrics_fd = -1, .db_lock_fd = -1};
	int rc = hold_database(config->db, &srv->db_lock_fd);
	if (rc < 0)
		return rc;
	evthread_use_pthreads();
	ratelimit_init(config->max_failed_logins, config->public_per_minute);
	kbsvc_init(config->thesaurus_dir);
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit it; main waits with sigwait */

	curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread uses libcurl (a mailbox's test) */
	srv->hub = hub_new();
	srv->chathub = chathub_new();
	srv->desks = desks_new();
	srv->secrets = secrets_new(config->secret_key_file);
	if (srv->hub == NULL || srv->chathub == NULL || srv->desks == NULL || srv->secrets == NULL)
		return GC_ENOMEM;
	rc = config->nats[0] ? cluster_new(srv, &srv->cluster) : GC_OK;
	if (rc == GC_OK)
		rc = writer_new(config->db, srv->hub, srv->chathub, srv->cluster, srv->desks,
				config->desk_grace * 1000LL, &srv->writer);
	if (rc < 0) {
		/* a --db that cannot be opened exits cleanly, leak checkers included */
		cluster_free(srv->cluster);
		srv->cluster = NULL;
		hub_free(srv->hub);
		srv->hub = NULL;
		chathub_free(srv->chathub);
		srv->chathub = NULL;
		desks_free(srv->desks);
		srv->desks = NULL;
		return rc;
	}
	if ((rc = hashpool_new(config->db, config->hash_threads, config->hash_queue, &srv->hashpool)) < 0) {
		log_error("cannot start the password-hashing pool", "error", gc_error_name(rc));
		return rc;
	}
	struct email_sender_deps out = {.db = config->db, .writer = srv->writer, .secrets = srv->secrets,
					.cluster = srv->cluster, .poll_ms = config->mail_poll * 1000};
	if ((rc = email_sender_start(&out, &srv->sender)) < 0) {
		log_error("cannot start the email sender", "error", gc_error_name(rc));
		return rc;
	}
	struct msg_sender_deps sms = {.db = config->db, .writer = srv->writer, .secrets = srv->secrets,
				      .cluster = srv->cluster, .retry_ms = config->messaging_retry};
	if ((rc = msg_sender_start(&sms, &srv->msg_sender)) < 0) {
		log_error("cannot start the messaging sender", "error", gc_error_name(rc));
		return rc;
	}
	writer_on_mail(srv->writer, kick_senders, srv); /* before any request */
	if ((rc = listen_or_log("--listen", config->host, config->port, &srv->listen_fd, &srv->port)) < 0)
		return rc;
	if (config->metrics_host[0] &&
	    (rc = listen_or_log("--metrics-listen", config->metrics_host, config->metrics_port, &srv->metrics_fd,
				&srv->metrics_port)) < 0)
		return rc;
	struct conn_limits limits = default_limits;
	limits.max_total = connection_cap(config->max_connections, config->threads + config->hash_threads + 1);
	limits.max_per_address = config->max_connections_per_address;
	limits.head_timeout_ms = config->head_timeout * 1000;
	limits.max_stream_backlog = (size_t)config->stream_backlog;
	srv->guard = conn_guard_new(&limits);
	srv->workers = calloc((size_t)config->threads, sizeof(*srv->workers));
	if (srv->guard == NULL || srv->workers == NULL)
		return GC_ENOMEM;
	for (int i = 0; i < config->threads; i++) {
		if ((rc = worker_start(srv, &srv->workers[i], i == 0 && srv->metrics_fd >= 0)) < 0)
			return rc;
		srv->n_workers++;
	}
	if (srv->cluster && (rc = cluster_serve(srv->cluster)) < 0)
		return rc;
	struct fetcher_deps mail = {.db = config->db, .writer = srv->writer, .secrets = srv->secrets,
				    .cluster = srv->cluster, .sender = srv->sender, .poll_ms = config->mail_poll * 1000};
	if ((rc = fetcher_start(&mail, &srv->fetcher)) < 0) {
		log_error("cannot start the email fetcher", "error", gc_error_name(rc));
		return rc;
	}
	struct idle_watcher_deps watch = {.db = config->db, .secrets = srv->secrets, .cluster = srv->cluster,
					  .fetcher = srv->fetcher};
	if (config->mail_idle && (rc = idle_watcher_start(&watch, &srv->idle)) < 0) {
		log_error("cannot start the mailboxes' IDLE watcher", "error", gc_error_name(rc));
		return rc;
	}
	writer_on_mailboxes(srv->writer, mailboxes_changed, srv);
	if (prepare_recordings(config, srv->rec_dir, sizeof(srv->rec_dir)) == GC_OK)
		writer_set_recordings(srv->writer, srv->rec_dir);
	struct voice_deps phone = {.db = config->db, .writer = srv->writer, .host = config->sip_host,
				   .port = config->sip_port, .moh_file = config->moh_file, .trunk = config->sip_trunk,
				   .recordings_dir = srv->rec_dir, .call_changed = call_changed, .call_changed_arg = srv,
				   .secrets = srv->secrets, .dns_servers = config->dns_servers,
				   .n_dns_servers = config->n_dns_servers};
	if (config->sip_host[0] && (rc = voice_start(&phone, &srv->voice)) < 0) {
		char port[8];
		snprintf(port, sizeof(port), "%d", config->sip_port);
		log_error("cannot start the telephony thread", "host", config->sip_host, "port", port, "moh_file",
			  config->moh_file, "error", gc_error_name(rc));
		return rc;
	}
	if (srv->voice) {
		char sip[300];
		snprintf(sip, sizeof(sip), "sip:%s:%d", config->sip_host, config->sip_port);
		log_info("taking calls", "address", sip);
	}
	close(srv->listen_fd);
	srv->listen_fd = -1;
	char address[300];
	snprintf(address, sizeof(address), "http://%s:%d", config->host, srv->port);
	char database[1024];
	store_pg_url_redact(config->db, database, sizeof(database));
	log_info("listening", "address", address, "database", database);
	if (config->metrics_host[0]) {
		char metrics[300];
		snprintf(metrics, sizeof(metrics), "http://%s:%d/metrics", config->metrics_host, srv->metrics_port);
		log_info("metrics", "address", metrics);
	}
	printf("guichetd listening on %s\n", address);
	fflush(stdout);
	return GC_OK;
}

static void stop_accepting(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	conn_server_stop(w->api);
	conn_server_stop(w->metrics);
	/* live streams end (their clients reconnect elsewhere); the streams'
	 * events stay until stop(): the hub wakes them until the writer stops */
	streams_end_all(w->streams);
	chatstreams_end_all(w->chat);
}

static void drain(struct server *srv)
{
	atomic_store(&srv->draining, true);
	for (int i = 0; i < srv->n_workers; i++)
		event_base_once(srv->workers[i].base, -1, EV_TIMEOUT, stop_accepting, &srv->workers[i], NULL);
	struct timespec tick = {0, 10 * 1000 * 1000};
	for (int waited = 0; atomic_load(&srv->in_flight) > 0 && waited < DRAIN_TIMEOUT_MS; waited += 10)
		nanosleep(&tick, NULL);
}

static void stop(struct server *srv)
{
	voice_stop(srv->voice); /* calls end, their steps recorded: before the writer stops */
	if (srv->writer)
		writer_on_mailboxes(srv->writer, NULL, NULL); /* no kick reaches the readers once they stop */
	idle_watcher_stop(srv->idle); /* it kicks the fetcher: first */
	fetcher_stop(srv->fetcher); /* they wait on the writer: before the writer stops */
	if (srv->writer)
		writer_on_mail(srv->writer, NULL, NULL); /* its clock kicks no sender once they stop */
	email_sender_stop(srv->sender);
	msg_sender_stop(srv->msg_sender);
	cluster_stop_serving(srv->cluster);
	for (int i = 0; i < srv->n_workers; i++)
		event_base_loopexit(srv->workers[i].base, NULL);
	for (int i = 0; i < srv->n_workers; i++)
		pthread_join(srv->workers[i].thread, NULL);
	hashpool_free(srv->hashpool); /* its last jobs go on to the writer */
	writer_free(srv->writer); /* lets this node's leases go */
	cluster_free(srv->cluster);
	for (int i = 0; i < srv->n_workers; i++) {
		streams_free(srv->workers[i].streams);
		chatstreams_free(srv->workers[i].chat);
		conn_server_free(srv->workers[i].api);
		conn_server_free(srv->workers[i].metrics);
		if (srv->workers[i].batch_event)
			event_free(srv->workers[i].batch_event);
		event_base_free(srv->workers[i].base);
		store_free(srv->workers[i].db);
		authcache_free(srv->workers[i].auth);
	}
	free(srv->workers);
	conn_guard_free(srv->guard);
	if (srv->metrics_fd >= 0)
		close(srv->metrics_fd);
	hub_free(srv->hub);
	chathub_free(srv->chathub);
	desks_free(srv->desks);
	secrets_free(srv->secrets);
	curl_global_cleanup();
	kbsvc_free();
	if (srv->db_lock_fd >= 0)
		close(srv->db_lock_fd); /* last: every connection to the file is closed */
}

int server_run(struct server *srv)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		struct timespec second = {1, 0};
		int sig = sigtimedwait(&set, NULL, &second);
		log_flush(); /* access lines are buffered: at most a second old on disk */
		if (sig < 0)
			continue;
		if (sig == SIGHUP) {
			if (log_reopen() < 0)
				log_error("cannot reopen the log file");
			else
				log_info("log reopened");
			continue;
		}
		log_info("draining", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	}
	drain(srv);
	stop(srv);
	log_info("stopped");
	return GC_OK;
}
