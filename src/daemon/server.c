/* Threads, sockets and signals (server.h). */
#include "daemon/server.h"
#include "daemon/authcache.h"
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_TIMEOUT_MS 30000

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

static int worker_start(struct server *srv, struct worker *w)
{
	w->server = srv;
	int rc = store_open(srv->config->db, STORE_READ_ONLY, &w->db);
	if (rc < 0) {
		log_error("cannot open the database", "error", store_errmsg(w->db));
		return rc;
	}
	w->auth = authcache_new();
	/* the changelist folds the epoll_ctl calls evhttp makes around each
	 * request (read off, write on, write off, read on) into at most one */
	struct event_config *cfg = event_config_new();
	if (cfg)
		event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	w->base = w->auth && cfg ? event_base_new_with_config(cfg) : NULL;
	event_config_free(cfg);
	w->http = w->base ? evhttp_new(w->base) : NULL;
	if (w->http == NULL)
		return GC_ENOMEM;
	w->streams = streams_new(w);
	if (w->streams == NULL)
		return GC_ENOMEM;
	evhttp_set_gencb(w->http, http_dispatch, w);
	evhttp_set_max_body_size(w->http, HTTP_MAX_CSV_BODY + 1);
	evhttp_set_max_headers_size(w->http, 16 * 1024);
	evhttp_set_timeout(w->http, 60);
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PATCH |
						    EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT | EVHTTP_REQ_HEAD);
	int fd = dup(srv->listen_fd); /* each listener closes its own copy */
	w->bound = fd >= 0 ? evhttp_accept_socket_with_handle(w->http, fd) : NULL;
	if (w->bound == NULL)
		return GC_EIO;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return GC_ENOMEM;
	return GC_OK;
}

int server_start(struct server *srv, const struct config *config)
{
	*srv = (struct server){.config = config, .listen_fd = -1};
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

	srv->hub = hub_new();
	if (srv->hub == NULL)
		return GC_ENOMEM;
	int rc = writer_new(config->db, srv->hub, &srv->writer);
	if (rc < 0)
		return rc;
	if ((rc = listen_on(config->host, config->port, &srv->listen_fd, &srv->port)) < 0) {
		char port[8];
		snprintf(port, sizeof(port), "%d", config->port);
		log_error("cannot listen", "host", config->host, "port", port, "error", strerror(errno));
		return rc;
	}
	srv->workers = calloc((size_t)config->threads, sizeof(*srv->workers));
	if (srv->workers == NULL)
		return GC_ENOMEM;
	for (int i = 0; i < config->threads; i++) {
		if ((rc = worker_start(srv, &srv->workers[i])) < 0)
			return rc;
		srv->n_workers++;
	}
	close(srv->listen_fd);
	srv->listen_fd = -1;
	char address[300];
	snprintf(address, sizeof(address), "http://%s:%d", config->host, srv->port);
	log_info("listening", "address", address, "database", config->db);
	printf("guichetd listening on %s\n", address);
	fflush(stdout);
	return GC_OK;
}

static void stop_accepting(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	if (w->bound)
		evhttp_del_accept_socket(w->http, w->bound);
	w->bound = NULL;
	streams_free(w->streams); /* live streams end: their clients reconnect elsewhere */
	w->streams = NULL;
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
	for (int i = 0; i < srv->n_workers; i++)
		event_base_loopexit(srv->workers[i].base, NULL);
	for (int i = 0; i < srv->n_workers; i++)
		pthread_join(srv->workers[i].thread, NULL);
	writer_free(srv->writer);
	for (int i = 0; i < srv->n_workers; i++) {
		streams_free(srv->workers[i].streams);
		evhttp_free(srv->workers[i].http);
		event_base_free(srv->workers[i].base);
		store_free(srv->workers[i].db);
		authcache_free(srv->workers[i].auth);
	}
	free(srv->workers);
	hub_free(srv->hub);
	kbsvc_free();
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
