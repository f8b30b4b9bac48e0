/* The server: worker threads that accept and answer HTTP, one writer thread
 * that commits, and the main thread that waits for signals.
 *
 *   main thread ── signals (SIGTERM, SIGINT: drain; SIGHUP: reopen the log)
 *   worker × N  ── HTTP connections (conn.h) on a shared listening socket;
 *                  a read connection to the database each
 *   writer      ── one write connection; batches of requests, one commit each
 *
 * Draining: the workers stop accepting, requests in flight finish (the
 * writer commits what it holds), then every thread exits. */
#ifndef GUICHET_DAEMON_SERVER_H
#define GUICHET_DAEMON_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "daemon/config.h"
#include "store/store.h"

struct authcache;
struct event;
struct request;
struct conn_guard;
struct conn_server;
struct hub;
struct streams;
struct writer;

struct worker {
	struct server *server;
	struct event_base *base;
	struct conn_server *api;     /* the API listener's connections */
	struct conn_server *metrics; /* the metrics listener's (one worker only) */
	struct store *db;           /* this worker's read connection */
	struct authcache *auth;     /* tokens this worker resolved recently */
	struct streams *streams;    /* the live event streams this worker serves */
	struct chatstreams *chat;   /* the web chat's streams it serves (chatstream.h) */
	/* reads that wait for the end of the loop's turn, to go to the
	 * database together (route_batch_fn; http.c), and the event that runs
	 * them, made active by the first */
	struct request *batch[STORE_READ_BATCH];
	int n_batch;
	struct event *batch_event;
	pthread_t thread;
};

struct server {
	const struct config *config;
	struct worker *workers;
	int n_workers;
	struct writer *writer;
	struct hashpool *hashpool;  /* password hashing, off the workers */
	struct hub *hub;            /* committed routing events, for the streams */
	struct desks *desks;        /* the agents' open desks (desks.h) */
	struct chathub *chathub;    /* the web chat's events, to the streams of each conversation (chathub.h) */
	struct cluster *cluster;    /* the other nodes (cluster.h); NULL alone */
	struct secrets *secrets;    /* the key sealing channels' passwords (secrets.h) */
	struct fetcher *fetcher;    /* the email fetcher (channel/email/fetch.h) */
	struct idle_watcher *idle;  /* wakes it on new mail (channel/email/idle.h); NULL with --mail-idle off */
	struct email_sender *sender; /* the email sender (channel/email/sender.h) */
	struct msg_sender *msg_sender; /* the SMS and social messages' sender (channel/messaging/sender.h) */
	struct voice *voice;        /* the telephony thread (channel/voice/voice.h); NULL without --sip-listen */
	char rec_dir[1024];         /* calls' recordings (recorder.h); "": none */
	struct conn_guard *guard;   /* connections and bodies, every worker together */
	atomic_int in_flight;
	atomic_ullong read_batches, batched_reads; /* route_batch_fn calls, and the requests they served */
	atomic_bool draining;
	int listen_fd;
	int port;                   /* the port bound (useful with port 0) */
	int metrics_fd;             /* until a worker takes it; -1 for none */
	int metrics_port;
	int db_lock_fd;             /* the SQLite file's lock, held until the process ends; -1 on PostgreSQL */
};

/* Opens the database, binds, and starts the threads. */
int server_start(struct server *srv, const struct config *config);
/* Waits for SIGTERM/SIGINT, drains, stops the threads and frees all. */
int server_run(struct server *srv);

#endif
