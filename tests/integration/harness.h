/* The integration test harness: starts the real guichetd on a temporary
 * database and a free loopback port, talks to it over HTTP with libcurl,
 * and runs the real guichet CLI. Every server is stopped by the test. */
#ifndef GUICHET_TEST_HARNESS_H
#define GUICHET_TEST_HARNESS_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testdb.h"

struct daemon {
	pid_t pid;
	int port;
	char dir[64];     /* temporary folder holding the log, and the database on SQLite */
	char db[128];     /* --db: a file in dir, or a PostgreSQL URL (testdb.h) */
	char url[64];
	char log[128];
	bool shares_db;   /* another daemon's database (daemon_prepare_shared): not dropped here */
	char key_dir[64]; /* the folder of its key file on PostgreSQL: dir, or the other daemon's */
};

struct resp {
	int status;
	json_t *json;     /* the parsed answer, or NULL */
	char *text;       /* the raw answer */
	char retry_after[16];
};

/* A binary of this build ("guichetd", "guichet"). */
const char *harness_binary(const char *name, char *buf, size_t len);

/* Makes d->dir, d->log and a new empty database d->db on the engine of the
 * run (GUICHET_TEST_ENGINE, testdb.h): 0 or -1. Every test that needs a
 * database of its own gets it here or from daemon_init. */
int daemon_prepare(struct daemon *d);
/* A folder and log of its own for d, on other's database and key file
 * (several nodes on one PostgreSQL database): 0 or -1. */
int daemon_prepare_shared(struct daemon *d, const struct daemon *other);
/* daemon_prepare, then "guichet admin init" on d->db; returns its exit status. */
int daemon_init(struct daemon *d, const char *tenant, const char *email, const char *password);
/* Runs "guichet admin init" again on the same database (another tenant). */
int daemon_add_tenant(struct daemon *d, const char *tenant, const char *email, const char *password);
/* Starts guichetd on d->db with extra "--option value" arguments (NULL-terminated). */
int daemon_start(struct daemon *d, ...);
/* Starts guichetd with exactly argv (argv[0] the binary), its stderr into
 * d->log when stderr_to_log; 0 once it says where it listens. */
int daemon_exec(struct daemon *d, char *const argv[], bool stderr_to_log);
/* SIGTERM, then waits; returns the exit status. */
int daemon_stop(struct daemon *d);
/* SIGKILL, then waits. */
void daemon_kill9(struct daemon *d);
/* A crash: SIGKILL of guichetd and, on PostgreSQL, of the database server
 * too (pg_ctl stop -m immediate, then a restart that replays its WAL). 0 or
 * -1 when the server did not come back. */
int daemon_crash(struct daemon *d);
/* Marks d's database as written by schema version (a newer guichet's). */
int daemon_set_schema_version(const struct daemon *d, int version);
/* Removes d->dir, and drops d's database on PostgreSQL (unless shared). */
void daemon_cleanup(struct daemon *d);

/* One request; body may be NULL. Fills ret (free with resp_clear). */
void http_raw(const struct daemon *d, const char *method, const char *path, const char *token,
	      const char *tenant, const char *content_type, const char *body, size_t len,
	      struct resp *ret);
/* One request with a JSON body text and extra header lines ("Name: value",
 * several separated by '\n'). */
void http_raw_headers(const struct daemon *d, const char *method, const char *path,
		      const char *token, const char *header, const char *json_body, struct resp *ret);
/* One request with a JSON body (taken; may be NULL). */
void http_json(const struct daemon *d, const char *method, const char *path, const char *token,
	       json_t *body, struct resp *ret);
void resp_clear(struct resp *r);
/* Status of a request, the answer dropped. */
int http_status(const struct daemon *d, const char *method, const char *path, const char *token,
		json_t *body);
/* POSTs body (taken), which must answer 201; the new resource's id. */
/* A request that must answer status (the answer printed when it does not);
 * path is a format. resp_clear the answer. */
void http_expect(const struct daemon *d, const char *method, const char *token, int status, json_t *body,
		 struct resp *r, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
long long post_id(const struct daemon *d, const char *token, const char *path, json_t *body);
/* Logs in and returns the token (malloc'd); fails the test if it cannot. */
char *login(const struct daemon *d, const char *email, const char *password);
/* Integer field of the answer (0 if absent). */
long long resp_int(const struct resp *r, const char *key);
/* One sample of d's /metrics, read with token: name as the line starts,
 * labels included ("guichet_x{state=\"failing\"}"); 0 when absent. */
long long daemon_metric(const struct daemon *d, const char *token, const char *name);
/* The error code of an error answer, or "". */
const char *resp_error(const struct resp *r);

/* A Server-Sent Event stream (GET /api/v1/events), read as it comes. */
struct sse {
	void *multi, *easy, *headers;
	char *buf;
	size_t len, cap;
	int status;
	bool ended;       /* the server closed it */
};
struct sse_event {
	long long id;     /* 0 when the event has none (queue statistics) */
	char type[32];
	json_t *data;     /* freed by the next sse_next or sse_close */
};
/* Opens the stream as token; last_event_id 0: from now on. Returns the HTTP
 * status once the headers came (200), or 0 when the connection failed. */
int sse_open(struct sse *s, const struct daemon *d, const char *token, long long last_event_id);
/* The next event of type (NULL: any but the per-second queue_stats and
 * agent_states) within timeout_ms;
 * false when none came. */
/* The same for another stream at path (a chat's); token may be NULL. */
int sse_open_path(struct sse *s, const struct daemon *d, const char *path, const char *token, long long last_event_id);
bool sse_next(struct sse *s, const char *type, int timeout_ms, struct sse_event *ret);
/* Whether the server closed s within timeout_ms (what it sent before stays
 * for sse_next). */
bool sse_ended(struct sse *s, int timeout_ms);
void sse_close(struct sse *s);

/* A thread's write load: it posts contacts with subjects "w<index>-<seq>"
 * (into queue_id, when not 0) until *stop or the daemon dies, and keeps
 * each one acknowledged with 201: acked_seq and acked_ids[0 .. n_acked). */
#define LOAD_MAX_WRITES 100000
struct load_writer {
	const struct daemon *d;
	const char *token;
	int index;
	long long queue_id;
	const atomic_bool *stop;
	atomic_int n_acked;
	int acked_seq[LOAD_MAX_WRITES];
	long long acked_ids[LOAD_MAX_WRITES];
};
/* Resets w and starts its thread (load_write_contacts) into *ret_thread. */
int load_writer_start(struct load_writer *w, const struct daemon *d, const char *token, int index,
		      long long queue_id, const atomic_bool *stop, pthread_t *ret_thread);
/* The thread's function; its argument is a struct load_writer. */
void *load_write_contacts(void *writer);
/* Reads back every contact d has, page by page, and marks each subject
 * "w<index>-<seq>" in seen[index][seq] (cleared first): each must be a
 * load writer's (index below n_writers) and appear once. How many. */
int load_read_back(const struct daemon *d, const char *token, int n_writers,
		   char seen[][LOAD_MAX_WRITES]);

/* Runs the CLI with GUICHET_URL=d and GUICHET_TOKEN_FILE=token_file; the
 * arguments are NULL-terminated. Captures stdout and stderr (malloc'd). */
int run_cli(const struct daemon *d, const char *token_file, char **ret_out, char **ret_err, ...);

/* The agents a queue of GET /api/v1/queues/stats (or a queue_stats frame)
 * counts, in every state. */
long long queue_agents_counted(const json_t *queue);

#endif
