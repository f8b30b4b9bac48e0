/* Settings from the command line, GUICHET_* variables and a config file. */
#include "daemon/config.h"
#include "daemon/hashpool.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

/* the installed front end; meson.build gives the real one */
#ifndef GUICHET_WEB_DIR
#define GUICHET_WEB_DIR "/usr/share/guichet/web"
#endif

static const char usage[] =
	"Usage: guichetd [OPTION]...\n"
	"Serve the guichet HTTP API.\n\n"
	"Options:\n"
	"  --db PATH|URL        SQLite database file, or postgresql://user@host:port/name\n"
	"                       (GUICHET_DB; default var/guichet.db); created and\n"
	"                       migrated at start\n"
	"  --listen HOST:PORT   address to serve on (GUICHET_LISTEN; default\n"
	"                       127.0.0.1:8080; port 0 picks a free port)\n"
	"  --threads N          HTTP worker threads (GUICHET_THREADS; default: one per CPU)\n"
	"  --log PATH           log file, reopened on SIGHUP (GUICHET_LOG; default stderr)\n"
	"  --access-log on|off  one log line per request (GUICHET_ACCESS_LOG; default on)\n"
	"  --session-ttl SECS   how long a login token lives (GUICHET_SESSION_TTL;\n"
	"                       default 43200, 12 hours)\n"
	"  --thesaurus-dir DIR    MyThes thesauri seeding searches' synonyms\n"
	"                         (default /usr/share/mythes; \"\" for none)\n"
	"  --web-dir DIR        the built front end served at / (GUICHET_WEB_DIR;\n"
	"                       default: web/dist of the source tree when run from its\n"
	"                       build folder, else " GUICHET_WEB_DIR "; \"\" for none)\n"
	"  --public-per-minute N  self-service requests per address and minute (60)\n"
	"  --max-failed-logins N  failed logins of one account from one address before\n"
	"                       each further try waits, 2 s doubling up to 15 min\n"
	"                       (GUICHET_MAX_FAILED_LOGINS; default 5)\n"
	"  --trusted-proxy LIST proxies whose X-Forwarded-For is believed: addresses or\n"
	"                       CIDRs, IPv4 or IPv6, separated by commas; repeatable\n"
	"                       (GUICHET_TRUSTED_PROXIES; default none)\n"
	"  --hash-threads N     password-hashing threads (GUICHET_HASH_THREADS; default 1)\n"
	"  --hash-queue N       logins waiting for them before answering 503\n"
	"                       (GUICHET_HASH_QUEUE; default 64)\n"
	"  --max-connections N  open connections in all (default 10000; never more\n"
	"                       than the descriptors allow)\n"
	"  --max-connections-per-address N  open connections from one address (4096:\n"
	"                       a site whose agents share one address, behind NAT,\n"
	"                       needs about 3 per agent; a trusted proxy has no cap)\n"
	"  --head-timeout SECS  time for a request's head to arrive, from its first\n"
	"                       byte (default 10)\n"
	"  --stream-backlog BYTES  unsent bytes a live stream may have before it is\n"
	"                       closed (its client resumes; default 1048576)\n"
	"  --desk-grace SECS    an agent whose desk (their own live event stream) was\n"
	"                       open and has been closed this long is signed out of\n"
	"                       the routing as at a logout, paused \"connection lost\"\n"
	"                       while holding contacts (GUICHET_DESK_GRACE; default 30;\n"
	"                       0: never; the same on every node of a cluster)\n"
	"  --metrics-listen HOST:PORT  serve /metrics and /healthz without a token on\n"
	"                       this address (keep it on loopback or a private network);\n"
	"                       on the API address /metrics needs a platform admin\n"
	"  --secret-key-file PATH  the key that seals channels' passwords in the database\n"
	"                       (GUICHET_SECRET_KEY_FILE; made at first use, its folder\n"
	"                       too; default: the database file's path plus .key; on\n"
	"                       PostgreSQL $STATE_DIRECTORY/guichet.key under systemd,\n"
	"                       else var/guichet.key)\n"
	"  --mail-poll SECS     seconds between two fetches of every mailbox\n"
	"                       (GUICHET_MAIL_POLL; default 30)\n"
	"  --mail-idle on|off   keep each mailbox whose server offers IMAP IDLE open\n"
	"                       and fetch a new message as soon as it arrives\n"
	"                       (GUICHET_MAIL_IDLE; default on; the others are polled)\n"
	"  --messaging-retry MS the wait before an SMS or social message that could not\n"
	"                       be sent is tried again, doubled at each try\n"
	"                       (GUICHET_MESSAGING_RETRY; default 30000)\n"
	"  --sip-listen HOST:PORT  take calls by SIP on this address, UDP and TCP\n"
	"                       (GUICHET_SIP_LISTEN; default: off)\n"
	"  --moh-file PATH      music on hold for callers waiting in a queue: a WAV\n"
	"                       file, 8 kHz mono 16-bit (GUICHET_MOH_FILE; default: silence)\n"
	"  --sip-trunk URI      where callbacks call customers: a SIP URI whose {number}\n"
	"                       is the customer's number: sip:{number}@sip.provider.example\n"
	"                       (its host found by DNS: --dns-server) or at an address,\n"
	"                       sip:{number}@203.0.113.5:5060\n"
	"                       (GUICHET_SIP_TRUNK; default: none, agents dial by hand)\n"
	"  --dns-server ADDR[:PORT]  a DNS server that finds the hosts of SIP trunks and\n"
	"                       registrars named by a host name (RFC 3263: NAPTR, SRV,\n"
	"                       A records): an IPv4 address, or [IPv6]:PORT; port 53 by\n"
	"                       default; several separated by commas; repeatable\n"
	"                       (GUICHET_DNS_SERVERS; default: those of /etc/resolv.conf)\n"
	"  --recordings-dir DIR where calls of recorded queues are written, one WAV file\n"
	"                       each (GUICHET_RECORDINGS_DIR; default: DB.recordings\n"
	"                       beside a SQLite database; none on PostgreSQL: calls\n"
	"                       are then not recorded)\n"
	"  --nats URL           join a cluster of guichetd on the same PostgreSQL\n"
	"                       database through this NATS server (GUICHET_NATS;\n"
	"                       nats://host:4222, several separated by commas);\n"
	"                       default: one node alone\n"
	"  --node NAME          this node's name in the cluster, unique among them\n"
	"                       (GUICHET_NODE; letters, digits, '-', '_'; default:\n"
	"                       the host name and the port)\n"
	"  --config PATH        read 'key = value' lines first (GUICHET_CONFIG); keys are\n"
	"                       the option names without dashes: db, listen, threads, ...\n"
	"  --help, --version\n\n"
	"Signals: SIGTERM or SIGINT drain requests in flight and exit; SIGHUP reopens\n"
	"the log file.\n";

/* "HOST:PORT" (the last colon separates the port, for IPv6 addresses). */
static int parse_listen(const char *value, char *host, size_t host_len, int *ret_port)
{
	int64_t n;
	const char *colon = strrchr(value, ':');
	if (colon == NULL || colon == value || (size_t)(colon - value) >= host_len ||
	    gc_parse_i64(colon + 1, 0, 65535, &n) < 0)
		return GC_EINVAL;
	snprintf(host, host_len, "%.*s", (int)(colon - value), value);
	*ret_port = (int)n;
	return GC_OK;
}

/* One DNS server: "IPV4", "IPV4:PORT", "IPV6" or "[IPV6]:PORT" (port 53 when none). */
static int parse_dns_server(const char *item, struct voice_dns_server *ret)
{
	char addr[sizeof(ret->addr)];
	const char *port = NULL, *end = item + strlen(item);
	if (item[0] == '[') {
		const char *close = strchr(item, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return GC_EINVAL;
		port = close[1] == ':' ? close + 2 : NULL;
		end = close;
		item++;
	} else if (strchr(item, ':') == strrchr(item, ':') && strchr(item, ':')) { /* one colon: IPv4 and port */
		end = strchr(item, ':');
		port = end + 1;
	}
	if ((size_t)(end - item) >= sizeof(addr))
		return GC_EINVAL;
	snprintf(addr, sizeof(addr), "%.*s", (int)(end - item), item);
	unsigned char bytes[16];
	bool v6 = strchr(addr, ':') != NULL;
	int64_t n = 53;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bytes) != 1 ||
	    (port && gc_parse_i64(port, 1, 65535, &n) < 0))
		return GC_EINVAL;
	snprintf(ret->addr, sizeof(ret->addr), "%s", addr);
	ret->port = (int)n;
	return GC_OK;
}

/* Which source set() is reading (a list set by one source replaces, not
 * extends, the list of the sources before it). */
enum { FROM_DEFAULT, FROM_FILE, FROM_ENV, FROM_COMMAND_LINE };
static int loading = FROM_DEFAULT;

/* Sets the option name to value; prints what is wrong with where. */
static int set(struct config *c, const char *name, const char *value, const char *where)
{
	int64_t n;
	if (strcmp(name, "db") == 0) {
		snprintf(c->db, sizeof(c->db), "%s", value);
	} else if (strcmp(name, "listen") == 0) {
		if (parse_listen(value, c->host, sizeof(c->host), &c->port) < 0)
			goto bad;
	} else if (strcmp(name, "metrics-listen") == 0 || strcmp(name, "metrics_listen") == 0) {
		if (*value && parse_listen(value, c->metrics_host, sizeof(c->metrics_host), &c->metrics_port) < 0)
			goto bad;
		if (*value == '\0')
			c->metrics_host[0] = '\0';
	} else if (strcmp(name, "max-connections") == 0 || strcmp(name, "max_connections") == 0) {
		if (gc_parse_i64(value, 1, 1000000, &n) < 0)
			goto bad;
		c->max_connections = (int)n;
	} else if (strcmp(name, "max-connections-per-address") == 0 ||
		   strcmp(name, "max_connections_per_address") == 0) {
		if (gc_parse_i64(value, 1, 1000000, &n) < 0)
			goto bad;
		c->max_connections_per_address = (int)n;
	} else if (strcmp(name, "stream-backlog") == 0 || strcmp(name, "stream_backlog") == 0) {
		if (gc_parse_i64(value, 4096, 1024LL * 1024 * 1024, &n) < 0)
			goto bad;
		c->stream_backlog = n;
	} else if (strcmp(name, "desk-grace") == 0 || strcmp(name, "desk_grace") == 0) {
		if (gc_parse_i64(value, 0, 86400, &n) < 0)
			goto bad;
		c->desk_grace = (int)n;
	} else if (strcmp(name, "head-timeout") == 0 || strcmp(name, "head_timeout") == 0) {
		if (gc_parse_i64(value, 1, 300, &n) < 0)
			goto bad;
		c->head_timeout = (int)n;
	} else if (strcmp(name, "threads") == 0) {
		if (gc_parse_i64(value, 1, 256, &n) < 0)
			goto bad;
		c->threads = (int)n;
	} else if (strcmp(name, "log") == 0) {
		snprintf(c->log, sizeof(c->log), "%s", value);
	} else if (strcmp(name, "access-log") == 0 || strcmp(name, "access_log") == 0) {
		if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
			goto bad;
		c->access_log = strcmp(value, "on") == 0;
	} else if (strcmp(name, "session-ttl") == 0 || strcmp(name, "session_ttl") == 0) {
		if (gc_parse_i64(value, 60, 90LL * 86400, &n) < 0)
			goto bad;
		c->session_ttl = n;
	} else if (strcmp(name, "max-failed-logins") == 0 || strcmp(name, "max_failed_logins") == 0) {
		if (gc_parse_i64(value, 1, 1000000, &n) < 0)
			goto bad;
		c->max_failed_logins = (int)n;
	} else if (strcmp(name, "thesaurus-dir") == 0 || strcmp(name, "thesaurus_dir") == 0) {
		snprintf(c->thesaurus_dir, sizeof(c->thesaurus_dir), "%s", value);
	} else if (strcmp(name, "web-dir") == 0 || strcmp(name, "web_dir") == 0) {
		snprintf(c->web_dir, sizeof(c->web_dir), "%s", value);
	} else if (strcmp(name, "public-per-minute") == 0 || strcmp(name, "public_per_minute") == 0) {
		if (gc_parse_i64(value, 1, 1000000, &n) < 0)
			goto bad;
		c->public_per_minute = (int)n;
	} else if (strcmp(name, "trusted-proxy") == 0 || strcmp(name, "trusted_proxy") == 0 ||
		   strcmp(name, "trusted-proxies") == 0 || strcmp(name, "trusted_proxies") == 0) {
		if (c->trusted_proxies_from != loading) /* the file's list gives way to the command line's */
			c->n_trusted_proxies = 0;
		c->trusted_proxies_from = loading;
		int rc = peer_net_list_parse(value, c->trusted_proxies, PEER_MAX_TRUSTED, &c->n_trusted_proxies);
		if (rc == GC_ETOOBIG) {
			fprintf(stderr, "guichetd: %s: more than %d trusted proxies\n", where, PEER_MAX_TRUSTED);
			return GC_EINVAL;
		}
		if (rc < 0)
			goto bad;
	} else if (strcmp(name, "hash-threads") == 0 || strcmp(name, "hash_threads") == 0) {
		if (gc_parse_i64(value, 1, HASHPOOL_MAX_THREADS, &n) < 0)
			goto bad;
		c->hash_threads = (int)n;
	} else if (strcmp(name, "hash-queue") == 0 || strcmp(name, "hash_queue") == 0) {
		if (gc_parse_i64(value, 1, HASHPOOL_MAX_QUEUE, &n) < 0)
			goto bad;
		c->hash_queue = (int)n;
	} else if (strcmp(name, "mail-poll") == 0 || strcmp(name, "mail_poll") == 0) {
		if (gc_parse_i64(value, 1, 86400, &n) < 0)
			goto bad;
		c->mail_poll = (int)n;
	} else if (strcmp(name, "messaging-retry") == 0 || strcmp(name, "messaging_retry") == 0) {
		if (gc_parse_i64(value, 10, 3600000, &n) < 0)
			goto bad;
		c->messaging_retry = (int)n;
	} else if (strcmp(name, "sip-listen") == 0 || strcmp(name, "sip_listen") == 0) {
		if (*value == '\0')
			c->sip_host[0] = '\0';
		else if (parse_listen(value, c->sip_host, sizeof(c->sip_host), &c->sip_port) < 0 || c->sip_port == 0)
			goto bad;
	} else if (strcmp(name, "recordings-dir") == 0 || strcmp(name, "recordings_dir") == 0) {
		snprintf(c->recordings_dir, sizeof(c->recordings_dir), "%s", value);
	} else if (strcmp(name, "moh-file") == 0 || strcmp(name, "moh_file") == 0) {
		snprintf(c->moh_file, sizeof(c->moh_file), "%s", value);
	} else if (strcmp(name, "sip-trunk") == 0 || strcmp(name, "sip_trunk") == 0) {
		if (*value && (strncmp(value, "sip:", 4) != 0 || strstr(value, "{number}") == NULL ||
			       strlen(value) >= sizeof(c->sip_trunk)))
			goto bad;
		snprintf(c->sip_trunk, sizeof(c->sip_trunk), "%s", value);
	} else if (strcmp(name, "dns-server") == 0 || strcmp(name, "dns_server") == 0 ||
		   strcmp(name, "dns-servers") == 0 || strcmp(name, "dns_servers") == 0) {
		if (c->dns_servers_from != loading) /* the file's list gives way to the command line's */
			c->n_dns_servers = 0;
		c->dns_servers_from = loading;
		for (const char *p = value + strspn(value, ", \t"); *p; p += strspn(p, ", \t")) {
			char item[64];
			size_t len = strcspn(p, ", \t");
			if (c->n_dns_servers == VOICE_MAX_DNS_SERVERS) {
				fprintf(stderr, "guichetd: %s: more than %d DNS servers\n", where, VOICE_MAX_DNS_SERVERS);
				return GC_EINVAL;
			}
			if (len >= sizeof(item))
				goto bad;
			snprintf(item, sizeof(item), "%.*s", (int)len, p);
			if (parse_dns_server(item, &c->dns_servers[c->n_dns_servers]) < 0)
				goto bad;
			c->n_dns_servers++;
			p += len;
		}
	} else if (strcmp(name, "mail-idle") == 0 || strcmp(name, "mail_idle") == 0) {
		if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
			goto bad;
		c->mail_idle = strcmp(value, "on") == 0;
	} else if (strcmp(name, "secret-key-file") == 0 || strcmp(name, "secret_key_file") == 0) {
		snprintf(c->secret_key_file, sizeof(c->secret_key_file), "%s", value);
	} else if (strcmp(name, "nats") == 0) {
		if (strncmp(value, "nats://", 7) != 0 && strncmp(value, "tls://", 6) != 0 && *value)
			goto bad;
		snprintf(c->nats, sizeof(c->nats), "%s", value);
	} else if (strcmp(name, "node") == 0) {
		size_t len = strlen(value);
		if (len == 0 || len >= sizeof(c->node) || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
								 "0123456789-_") != len)
			goto bad;
		snprintf(c->node, sizeof(c->node), "%s", value);
	} else {
		fprintf(stderr, "guichetd: %s: unknown setting '%s'\n", where, name);
		return GC_EINVAL;
	}
	return GC_OK;
bad:
	fprintf(stderr, "guichetd: %s: invalid value '%s' for %s\n", where, value, name);
	return GC_EINVAL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

static int read_file(struct config *c, const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "guichetd: --config: cannot read %s: %s\n", path, strerror(errno));
		return GC_EIO;
	}
	char line[2048], where[1100];
	int rc = GC_OK;
	for (int n = 1; rc == GC_OK && fgets(line, sizeof(line), f); n++) {
		char *text = trim(line), *eq = strchr(text, '=');
		snprintf(where, sizeof(where), "%s line %d", path, n);
		if (*text == '\0' || *text == '#')
			continue;
		if (eq == NULL) {
			fprintf(stderr, "guichetd: %s: expected 'key = value'\n", where);
			rc = GC_EINVAL;
			break;
		}
		*eq = '\0';
		rc = set(c, trim(text), trim(eq + 1), where);
	}
	fclose(f);
	return rc;
}

static int read_env(struct config *c)
{
	static const char *const vars[][2] = {
		{"GUICHET_DB", "db"}, {"GUICHET_LISTEN", "listen"}, {"GUICHET_THREADS", "threads"},
		{"GUICHET_LOG", "log"}, {"GUICHET_ACCESS_LOG", "access-log"},
		{"GUICHET_SESSION_TTL", "session-ttl"}, {"GUICHET_MAX_FAILED_LOGINS", "max-failed-logins"},
		{"GUICHET_THESAURUS_DIR", "thesaurus-dir"}, {"GUICHET_WEB_DIR", "web-dir"}, {"GUICHET_PUBLIC_PER_MINUTE", "public-per-minute"},
		{"GUICHET_METRICS_LISTEN", "metrics-listen"},
		{"GUICHET_TRUSTED_PROXIES", "trusted-proxy"}, {"GUICHET_HASH_THREADS", "hash-threads"},
		{"GUICHET_HASH_QUEUE", "hash-queue"}, {"GUICHET_NATS", "nats"}, {"GUICHET_NODE", "node"},
		{"GUICHET_SECRET_KEY_FILE", "secret-key-file"}, {"GUICHET_MAIL_POLL", "mail-poll"},
		{"GUICHET_MAIL_IDLE", "mail-idle"}, {"GUICHET_MESSAGING_RETRY", "messaging-retry"},
		{"GUICHET_SIP_LISTEN", "sip-listen"}, {"GUICHET_MOH_FILE", "moh-file"}, {"GUICHET_SIP_TRUNK", "sip-trunk"},
		{"GUICHET_RECORDINGS_DIR", "recordings-dir"}, {"GUICHET_DESK_GRACE", "desk-grace"},
		{"GUICHET_DNS_SERVERS", "dns-server"},
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i][0]);
		if (v && set(c, vars[i][1], v, vars[i][0]) < 0)
			return GC_EINVAL;
	}
	return GC_OK;
}

/* The front end's folder: what make built in the source tree when this
 * guichetd is the one of that tree's build folder, else the installed one. */
static void default_web_dir(char *dir, size_t len)
{
	snprintf(dir, len, "%s", GUICHET_WEB_DIR);
#if defined(GUICHET_BUILD_ROOT) && defined(GUICHET_SOURCE_ROOT)
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t root_len = strlen(GUICHET_BUILD_ROOT);
	if (n > 0 && (size_t)n > root_len && strncmp(exe, GUICHET_BUILD_ROOT, root_len) == 0 && exe[root_len] == '/')
		snprintf(dir, len, "%s", GUICHET_SOURCE_ROOT "/web/dist");
#endif
}

int config_load(struct config *c, int argc, char **argv)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 0}, {"listen", required_argument, NULL, 0},
		{"threads", required_argument, NULL, 0}, {"log", required_argument, NULL, 0},
		{"access-log", required_argument, NULL, 0}, {"session-ttl", required_argument, NULL, 0},
		{"max-failed-logins", required_argument, NULL, 0}, {"thesaurus-dir", required_argument, NULL, 0},
		{"public-per-minute", required_argument, NULL, 0}, {"web-dir", required_argument, NULL, 0},
		{"max-connections", required_argument, NULL, 0},
		{"max-connections-per-address", required_argument, NULL, 0},
		{"head-timeout", required_argument, NULL, 0}, {"metrics-listen", required_argument, NULL, 0},
		{"stream-backlog", required_argument, NULL, 0}, {"desk-grace", required_argument, NULL, 0},
		{"trusted-proxy", required_argument, NULL, 0},
		{"hash-threads", required_argument, NULL, 0}, {"hash-queue", required_argument, NULL, 0},
		{"nats", required_argument, NULL, 0}, {"node", required_argument, NULL, 0},
		{"secret-key-file", required_argument, NULL, 0}, {"mail-poll", required_argument, NULL, 0},
		{"mail-idle", required_argument, NULL, 0}, {"messaging-retry", required_argument, NULL, 0},
		{"sip-listen", required_argument, NULL, 0}, {"moh-file", required_argument, NULL, 0},
		{"sip-trunk", required_argument, NULL, 0}, {"dns-server", required_argument, NULL, 0},
		{"recordings-dir", required_argument, NULL, 0},
		{"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0},
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	*c = (struct config){.port = 8080, .threads = cpus > 0 ? (int)cpus : 2,
			     .session_ttl = 43200, .access_log = true, .max_failed_logins = 5,
			     .thesaurus_dir = "/usr/share/mythes", .public_per_minute = 60,
			     .max_connections = 10000, .max_connections_per_address = 4096, .head_timeout = 10,
			     .stream_backlog = 1024 * 1024, .desk_grace = 30, .hash_threads = 1, .hash_queue = 64, .mail_poll = 30,
			     .mail_idle = true, .messaging_retry = 30000};
	default_web_dir(c->web_dir, sizeof(c->web_dir));
	snprintf(c->db, sizeof(c->db), "var/guichet.db");
	snprintf(c->host, sizeof(c->host), "127.0.0.1");

	const char *file = getenv("GUICHET_CONFIG");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			file = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			file = argv[i] + 9;
	}
	loading = FROM_FILE;
	if (file && read_file(c, file) < 0)
		return GC_EINVAL;
	loading = FROM_ENV;
	if (read_env(c) < 0)
		return GC_EINVAL;
	loading = FROM_COMMAND_LINE;
	int index = 0, opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", options, &index)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (opt == 'V') {
			puts("guichetd " GUICHET_VERSION);
			return 1;
		}
		if (opt == '?') {
			fprintf(stderr, "guichetd: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage);
			return GC_EINVAL;
		}
		if (opt == 0 && set(c, options[index].name, optarg, "command line") < 0)
			return GC_EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "guichetd: unexpected argument '%s'\n", argv[optind]);
		return GC_EINVAL;
	}
	bool on_pg = strncmp(c->db, "postgresql://", 13) == 0 || strncmp(c->db, "postgres://", 11) == 0;
	if (c->secret_key_file[0] == '\0') { /* beside a SQLite file; on PostgreSQL in systemd's state folder, else var/ */
		size_t n = strlen(c->db);
		const char *state = getenv("STATE_DIRECTORY"); /* StateDirectory=: one or more folders, ':' between */
		if ((on_pg || n + 5 > sizeof(c->secret_key_file)) && state && state[0] == '/')
			snprintf(c->secret_key_file, sizeof(c->secret_key_file), "%.*s/guichet.key",
				 (int)strcspn(state, ":"), state);
		else if (on_pg || n + 5 > sizeof(c->secret_key_file))
			snprintf(c->secret_key_file, sizeof(c->secret_key_file), "var/guichet.key");
		else
			memcpy(stpcpy(c->secret_key_file, c->db), ".key", 5);
	}
	if (c->nats[0] && strncmp(c->db, "postgresql://", 13) != 0 && strncmp(c->db, "postgres://", 11) != 0) {
		fprintf(stderr, "guichetd: --nats: several nodes share one PostgreSQL database: give --db postgresql://...\n");
		return GC_EINVAL;
	}
	if (c->node[0] && c->nats[0] == '\0') {
		fprintf(stderr, "guichetd: --node names this node among several: give --nats too, or no --node\n");
		return GC_EINVAL;
	}
	if (c->nats[0] && c->node[0] == '\0') { /* the host name and the port, in the names' alphabet */
		char host[40] = "";
		gethostname(host, sizeof(host) - 1);
		snprintf(c->node, sizeof(c->node), "%s-%d", host, c->port);
		for (char *p = c->node; *p; p++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p))
				*p = '_';
	}
	return GC_OK;
}
