/* The daemon's request: what a handler gets and how it answers.
 *
 * Every route runs in two steps. prepare (optional) runs on the worker
 * thread that received the request, with that worker's read-only
 * connection: it decodes the body and does slow work that needs no write
 * (checking a password). run then executes either inline on the worker
 * (read routes) or on the writer thread inside a group-commit transaction
 * (routes flagged ROUTE_WRITE), isolated by a savepoint: run returns 0 to
 * keep what it wrote, negative to roll it back. Either way the answer is
 * sent by the worker, after the commit reached the disk. */
#ifndef GUICHET_DAEMON_HTTP_H
#define GUICHET_DAEMON_HTTP_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "daemon/conn.h"
#include "daemon/ops.h"

#include "guichet/message.h"
#include "guichet/decode.h"
#include "store/store.h"

/* A body's limit is its route's max_body, else by its kind; it is
 * refused from its Content-Length before it is read (conn.h). */
#define HTTP_MAX_JSON_BODY (1024 * 1024)
#define HTTP_MAX_CSV_BODY (8 * 1024 * 1024)  /* and JSON Lines */
#define HTTP_MAX_OTHER_BODY 4096             /* routes that read no body */
#define HTTP_MAX_KB_IMPORT_BODY (32 * 1024 * 1024)   /* 1,000 items of at most 512 KiB of text */
#define KB_MAX_LEARN_LINES 10000                      /* resolutions per learning file */
#define KB_MAX_LEARN_LINE 4096                        /* bytes of one resolution */
#define HTTP_MAX_KB_LEARN_BODY (KB_MAX_LEARN_LINES * (KB_MAX_LEARN_LINE + 1)) /* with their newlines */

/* Which listener a connection came from (conn_tag). */
enum listener_kind { LISTENER_API, LISTENER_METRICS };

struct worker;
struct request;

typedef int (*route_fn)(struct request *r, struct store *db);
/* A read that requests arriving together share: run for n of them at once
 * (each answered as run would), so that their statements go to the
 * database together (on PostgreSQL, one round trip). */
typedef void (*route_batch_fn)(struct request **rs, int n, struct store *db);
#define HTTP_READ_BATCH STORE_READ_BATCH /* requests of one route_batch_fn call, at most */

enum route_flags {
	ROUTE_PUBLIC = 1u << 0,   /* no token needed */
	ROUTE_WRITE = 1u << 1,    /* run on the writer, in a transaction */
	ROUTE_JSON = 1u << 2,     /* the body is a JSON object */
	ROUTE_CSV = 1u << 3,      /* the body is text/csv */
	ROUTE_PLATFORM = 1u << 4, /* platform admins only */
	ROUTE_TENANT = 1u << 5,   /* needs a tenant and a role in it */
	ROUTE_AUTHZ = 1u << 6,    /* changes who may do what (see authcache.h) */
	ROUTE_LINES = 1u << 7,    /* the body is JSON Lines (application/x-ndjson) */
	ROUTE_ROUTING = 1u << 8,  /* uses the tenant's routing engine: in a cluster, served by its node */
	ROUTE_MAIL = 1u << 9,     /* queues email: the sender is woken once it is committed (writer.h) */
	ROUTE_MAILBOX = 1u << 10, /* adds or removes a mailbox: the readers look again once committed (writer.h) */
	ROUTE_KB = 1u << 11,      /* changes the published knowledge or the thesaurus: the knowledge in
				     memory catches up once committed (writer.h, kbsvc_refresh) */
	ROUTE_CALL = 1u << 12,    /* holds or resumes a call: told to the streams once committed, undone
				     if the commit fails (call_change_settled, handlers.h) */
};

/* Work too slow for an HTTP worker (hashing a password): it runs on the
 * hashing pool (hashpool.h) with the pool thread's read connection, between
 * prepare and run; it may answer (then run is skipped). */
typedef void (*route_slow_fn)(void *request, struct store *db);

struct route {
	enum evhttp_cmd_type method;
	const char *pattern;      /* "/api/v1/contacts/{id}/state" */
	unsigned flags;
	unsigned perm;            /* enum permission bits the role needs, or 0 */
	route_fn prepare;         /* returns 0 to go on to run, 1 when it answered */
	route_slow_fn slow;       /* or NULL */
	route_fn busy;            /* answers when the hashing pool is full (NULL: a plain 503) */
	route_fn run;
	const char *label;        /* for metrics and logs: "GET /api/v1/contacts/{id}" */
	size_t max_body;          /* bytes; 0: the limit of the body's kind */
	route_batch_fn run_batch; /* or NULL; when set, run does the same for one request */
};


struct request {
	struct conn *conn;
	struct worker *worker;
	const struct route *route;
	size_t route_index;
	int64_t ids[2];           /* the {id}s of the path, in order */
	char key[72];             /* the {key} of the path (an article's or tree's id) */
	struct evkeyvalq query;
	json_t *body;             /* ROUTE_JSON */
	const char *raw;          /* the body bytes (JSON or CSV routes) */
	size_t raw_len;
	const char *idempotency_key; /* the Idempotency-Key header of a write */
	const char *token;        /* the bearer token, or the session cookie's */
	bool by_cookie;           /* authenticated by the session cookie (session.h) */
	char cookie_token[128];   /* the session cookie's token (SESSION_TOKEN_MAX) */
	struct store_scope scope;
	int64_t stash[2];         /* what prepare tells run (a user id, a tenant) */
	int stash_rc;
	json_t *work;             /* what prepare hands a slow step (freed at the end) */
	uint64_t start_ns;
	/* the answer */
	int status;
	json_t *resp;
	char *resp_text;          /* an answer already serialised, freed after sending */
	struct evbuffer *resp_body; /* or a binary answer of content_type, handed to the connection without a copy */
	const char *content_type;
	const char *cache_control; /* NULL: no-store */
	bool streaming;           /* run started a stream: the answer is already under way */
	bool checked_at_commit;   /* set by prepare: run's writes fail only if the database does,
				   * so the writer checks them at the commit (writer.c) */
	/* not zeroed at the start of a request: written by prepare before use */
	union decode_input in;
	char password_hash[128];  /* hashed by prepare, off the writer thread */
};

/* Answers status with obj (taken). Returns 0, so a handler can end with
 * "return reply(r, 200, obj);". */
int reply(struct request *r, int status, json_t *obj);
/* Answers {"error":{"code","message","field"}}; returns the negative code
 * that fits status, so run rolls back. */
int reply_error(struct request *r, int status, const char *code, const char *field,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same with the message made already, and its template and values
 * when it has them (said may be NULL). */
int reply_error_said(struct request *r, int status, const char *code, const char *field, const char *message,
		     const struct gc_message *said);
/* Answers a decoding failure (400, or 413 for a value over a limit). */
int reply_decode_error(struct request *r, const struct decode_error *err);
/* Answers a store error with its status; field names the input involved. */
int reply_store_error(struct request *r, struct store *db, int rc, const char *field);
/* GC_OK for the brand's own people; for a caller whose figures are an
 * outsourcer organisation's (store_report_viewer_organisation), answers 403
 * with why (what follows is the brand's whole) and returns its code. */
int brand_only(struct request *r, struct store *db, const char *why);
/* The core operations (ops.h) as a request of this route runs them, on the
 * writer with db; and the answer to their failure. */
struct ops request_ops(struct request *r, struct store *db);
int reply_ops_error(struct request *r, struct store *db, const struct ops_error *err);
/* The same for an ops error about the request's own input (a number the
 * tenant's country cannot read): GC_EINVAL answers 400 naming the field. */
int reply_input_error(struct request *r, struct store *db, const struct ops_error *err);
/* An ops error's template and values for reply_error_said: its own, the
 * store's refusal it passes on, or NULL. */
const struct gc_message *ops_said(struct store *db, const struct ops_error *err);

/* A query parameter, or NULL. */
const char *query_get(struct request *r, const char *name);
/* An integer query parameter in [min, max]; def when absent. Answers 400
 * and returns negative on a bad value. */
int query_int(struct request *r, const char *name, int64_t min, int64_t max, int64_t def,
	      int64_t *ret_value);
/* A time query parameter: a date (that day's midnight in zone, the
 * tenant's; NULL: UTC) or an RFC 3339 time; def when absent. Answers 400
 * and returns negative on a bad value. */
int query_time(struct request *r, const char *zone, const char *name, int64_t def, int64_t *ret_value);
/* A report's span from its from and to parameters (query_time in the
 * tenant's zone): the default_days before now by default, to after from
 * and at most max_days later. Answers 400 and returns negative otherwise. */
int query_span(struct request *r, struct store *db, int default_days, int max_days, int64_t *ret_from, int64_t *ret_to);
/* Sets a report's "from" and "to" (RFC 3339). */
void report_span(json_t *report, int64_t from, int64_t to);

/* Dispatches one request (conn_handler's dispatch; arg is the worker). */
void http_dispatch(void *worker, struct conn *c);
/* The most body bytes the route of method and path reads (conn_handler's
 * body_limit). */
size_t http_body_limit(void *worker, enum evhttp_cmd_type method, const char *path);
/* Whether address is a trusted proxy (conn_handler's trusted): exempt from
 * the connections-per-address cap, believed in X-Forwarded-For. */
bool http_trusted_proxy(void *worker, const char *address);
/* Adds a header to r's answer. */
void reply_header(struct request *r, const char *name, const char *value);
/* Sends r's answer, logs and counts it, and frees r. */
void http_finish(struct request *r);
/* Runs the reads waiting for the end of the worker's loop turn (the
 * worker's batch event: see server.h). */
void http_run_batch(evutil_socket_t fd, short what, void *worker);

/* The route table, for metrics. */
extern const struct route http_routes[];
extern const size_t http_n_routes;

#endif
