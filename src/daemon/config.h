/* guichetd's settings: defaults, then the config file, then environment
 * variables, then the command line, each overriding the one before. */
#ifndef GUICHET_DAEMON_CONFIG_H
#define GUICHET_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/voice/voice.h"
#include "daemon/peer.h"

struct config {
	char db[1024];
	char host[256];
	int port;
	int threads;
	char log[1024];           /* "" for stderr */
	int64_t session_ttl;      /* seconds */
	bool access_log;
	int max_failed_logins;    /* per account and address before delays start */
	char thesaurus_dir[1024]; /* MyThes files seeding searches' synonyms; "" for none */
	char web_dir[1024];       /* the built front end served at / (web.h); "" for none */
	int public_per_minute;    /* self-service requests per address and minute */
	int max_connections;      /* open connections in all */
	int max_connections_per_address;
	int head_timeout;         /* seconds for a request head, from its first byte */
	int64_t stream_backlog;   /* bytes unsent before a live stream is closed */
	int desk_grace;           /* seconds an agent's desk may be gone before it is signed out; 0: never (desks.h) */
	char metrics_host[256];   /* "" for no metrics listener */
	int metrics_port;
	/* proxies whose X-Forwarded-For is believed (peer.h) */
	struct peer_net trusted_proxies[PEER_MAX_TRUSTED];
	size_t n_trusted_proxies;
	int trusted_proxies_from; /* which source set the list (a later one replaces it) */
	int hash_threads;         /* password-hashing threads (hashpool.h) */
	int hash_queue;           /* logins waiting for them before 503 */
	char secret_key_file[1024]; /* the key sealing channels' passwords (secrets.h) */
	int mail_poll;            /* seconds between rounds of the email fetcher */
	bool mail_idle;           /* watch mailboxes with IMAP IDLE (channel/email/idle.h) */
	int messaging_retry;      /* ms an SMS or social message waits before its first retry (channel/messaging/send.h) */
	char sip_host[256];       /* SIP's address (UDP and TCP, channel/voice/voice.h); "" for no telephony */
	int sip_port;
	char moh_file[1024];      /* music on hold: a WAV file, 8 kHz mono 16-bit; "" for silence */
	char sip_trunk[512];      /* callbacks' outbound calls: a SIP URI with {number}; "" for none */
	char recordings_dir[1024]; /* calls' recordings (channel/voice/recorder.h); "": beside a SQLite file */
	/* where the SIP stack resolves trunks' host names; none: the system's resolver configuration */
	struct voice_dns_server dns_servers[VOICE_MAX_DNS_SERVERS];
	size_t n_dns_servers;
	int dns_servers_from;     /* which source set the list (a later one replaces it) */
	char nats[1024];          /* NATS server URL(s) of a cluster; "" for one node alone */
	char node[64];            /* this node's name in the cluster (letters, digits, - _) */
};

/* Fills config from argv, the environment and the config file. Returns 0,
 * 1 when --help or --version was answered, or negative after printing the
 * offending argument or line to stderr. */
int config_load(struct config *config, int argc, char **argv);

#endif
