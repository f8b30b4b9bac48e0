/* What the store files share, whichever the engine: the connection struct,
 * the prepared statement cache and small helpers to bind, step and turn rows
 * into JSON. The store files speak to the database through db.h only. */
#ifndef GUICHET_STORE_INTERNAL_H
#define GUICHET_STORE_INTERNAL_H

#include "store/db.h"

#include "store/store.h"

#define STORE_TOUCHED_MAX 16 /* tenants remembered one by one between two folds */
#define STMT_CACHE_SIZE 1024 /* a power of two, above the number of distinct statements */

struct stmt_slot {
	const char *sql;            /* identity: every statement is a string literal */
	int instance;               /* with it (store_stmt_instance) */
	struct db_stmt *stmt;
};

/* Tables whose new ids store_reserve_id takes ahead. */
enum reserved_ids { ID_CONTACTS, ID_MESSAGES, ID_KINDS };
#define STORE_RESERVED_IDS 64 /* taken at once: DIALECT_RESERVE_*_IDS */

#define STORE_KEYWORDS_KEPT 8 /* tenants per transaction */

struct store {
	struct db *db;
	int found_version;          /* the schema version the database had when opened (0: new) */
	struct stmt_slot cache[STMT_CACHE_SIZE];
	char errmsg[256];
	struct gc_message said;     /* errmsg's template and values (store_errorf) */
	char said_as[256];          /* errmsg as store_errorf wrote it: said holds while they agree */
	int savepoint_depth;
	int64_t reserved[ID_KINDS][STORE_RESERVED_IDS];
	int n_reserved[ID_KINDS];
	/* the tenants whose contact events this connection appended since the
	 * reports last folded them (report_contacts.c); all when it overflows */
	int64_t touched[STORE_TOUCHED_MAX];
	int n_touched;
	bool touched_all;
	/* tenants' current incident keywords read in this transaction
	 * (store_incident_keywords_current: every new contact asks), kept
	 * until the transaction ends or an incident changes */
	struct keywords_read {
		int64_t tenant_id;
		json_t *list;
	} keywords[STORE_KEYWORDS_KEPT];
	int n_keywords;
};
/* Forgets the incident keywords kept (store.keywords). */
void store_keywords_forget(struct store *s);
/* Whether the reports' fold counts a contact event of this type (the
 * others are appended folded already). */
bool store_report_folds(const char *type);
/* Marks the tenant's contact events for the next fold of the reports. */
void store_report_touch(struct store *s, int64_t tenant_id);

/* The cached prepared statement for sql, reset and unbound; NULL on error
 * (errmsg says why). sql is a string literal: its address is its identity. */
struct db_stmt *store_stmt(struct store *s, const char *sql);
/* The same for one of several requests read together (instance 0 is
 * store_stmt's): each instance is a statement of its own, so each holds
 * the result sent for its request (store_contact_get_texts). */
struct db_stmt *store_stmt_instance(struct store *s, const char *sql, int instance);
/* The error for a step that answered rc where it should not have (a GC_*
 * code, or GC_ESTORE for DB_ROW/DB_DONE), remembering the engine's message. */
int store_fail(struct store *s, int rc);
/* errmsg from a fixed text, kept with its template and values
 * (store_error_said). */
void store_errorf(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs a statement with no result rows; GC_OK or a mapped error. */
int store_step_done(struct store *s, struct db_stmt *st);
/* The same for an append nobody reads back in this request (an event, an
 * audit line): on PostgreSQL it goes with the next statement; its error is
 * then that statement's, or store_flush's. */
int store_step_later(struct store *s, struct db_stmt *st);
/* Runs SQL text with no parameters (schema, pragmas). */
int store_exec(struct store *s, const char *sql);
/* Around a write that may fail on a constraint while the caller goes on
 * (a refused row of an import, an email taken): on PostgreSQL a failed
 * statement aborts the whole transaction unless it ran in a savepoint, so
 * store_attempt_begin opens one there (nothing on SQLite, where a failed
 * statement undoes only itself) and store_attempt_end releases it, or rolls
 * back to it when rc is an error; it answers rc. */
int store_attempt_begin(struct store *s);
int store_attempt_end(struct store *s, int rc);
/* A new id of the table, taken ahead (PostgreSQL: from its sequence, 64 at
 * a time, one round trip for them all); 0 on SQLite, where the insert
 * assigns it at no cost. Bind it with bind_id (0: NULL) as the id of an
 * "INSERT ... (id, ...) ... RETURNING id" and run that with
 * store_insert_reserved. */
int store_reserve_id(struct store *s, enum reserved_ids kind, int64_t *ret_id);
/* A new message id taken now, not ahead (PostgreSQL; 0 on SQLite, whose
 * one writer commits in id order): with the contact's row held until the
 * commit, its messages' ids follow their commits across nodes, which a
 * chat's stream resuming after its last id needs (chatstream.c). */
int store_next_message_id(struct store *s, int64_t *ret_id);
/* The ranks of store_append: a row may reference rows of a lower rank
 * appended before it (a contact's message and events, the contact). */
enum append_rank { APPEND_PARENT = 0, APPEND_CHILD = 1 };
/* Appends the row of a one-row INSERT nobody reads back (db_append): on
 * PostgreSQL it may wait to go with others as one multi-row INSERT; its
 * error comes with a later statement, or store_flush. */
int store_append(struct store *s, struct db_stmt *st, enum append_rank rank);
/* With a reserved id, the insert is appended at rank (it waits for
 * nothing: store_append); without one (0), it runs now and answers its
 * id. */
int store_insert_reserved(struct store *s, struct db_stmt *st, int64_t id, int64_t *ret_id, enum append_rank rank);
/* Steps an INSERT ... RETURNING id and answers the id (when ret_id is not
 * NULL); resets it. */
int store_insert_id(struct store *s, struct db_stmt *st, int64_t *ret_id);

/* Runs sql, whose parameters are (tenant_id, id), and returns it positioned
 * on its first row; NULL with *ret_rc GC_ENOTFOUND (no row: no such thing in
 * this tenant) or a store error. The caller resets the statement. */
struct db_stmt *scoped_row(struct store *s, const char *sql, int64_t tenant_id, int64_t id,
			 int *ret_rc);

/* Binds text, or NULL when text is NULL. */
void bind_text(struct db_stmt *st, int idx, const char *text);
/* Binds an id, or NULL when it is 0. */
void bind_id(struct db_stmt *st, int idx, int64_t id);
/* Column i as a JSON string (null when NULL). */
json_t *column_string(struct db_stmt *st, int i);
/* Column i (milliseconds) as an RFC 3339 JSON string (null when NULL). */
json_t *column_time(struct db_stmt *st, int i);
/* Column i as a JSON integer (null when NULL). */
json_t *column_int(struct db_stmt *st, int i);

/* The class the tenant's policy gives a customer attribute's key. */
int store_attr_class(struct store *s, int64_t tenant_id, const char *key, enum sensitivity *ret);

/* A customer's phone number or messaging address as the scope may see it:
 * whole, or (below personal data) its first character and last two. */
json_t *address_json(const char *address, const struct store_scope *scope);

/* A contact event's data as the scope may see it: the caller's number of a
 * call ("caller") masked below personal data. Changes data in place. */
void event_data_as_seen(json_t *data, const struct store_scope *scope);

/* Column i, JSON text, parsed (null when NULL or unreadable). */
json_t *column_json(struct db_stmt *st, int i);
/* Turns the current row of a statement into JSON. */
typedef json_t *(*row_fn)(struct db_stmt *st, void *arg);
/* Steps st to the end, collecting row(st, arg) for each row into an array. */
int collect_rows(struct store *s, struct db_stmt *st, row_fn row, void *arg, json_t **ret_list);
/* The same as a page: {"items", "next_cursor"}, where the cursor is the
 * first column of the last row when the page is full (limit rows), else null. */
int collect_page(struct store *s, struct db_stmt *st, int limit, row_fn row, void *arg,
		 json_t **ret_page);
/* scoped_row's row as JSON by row(st, NULL): GC_ENOTFOUND, GC_ESTORE when
 * row fails, or GC_OK. */
int scoped_get(struct store *s, const char *sql, int64_t tenant_id, int64_t id, row_fn row, json_t **ret);
/* Steps a bound statement once: row(st, arg) for its row, GC_ENOTFOUND when
 * there is none, or a store error; resets it. */
int one_row(struct store *s, struct db_stmt *st, row_fn row, void *arg, json_t **ret);
/* Each read's row(st, its scope) of sql (?1 the tenant, ?2 the contact; one
 * row at most), sent together: store_callbacks_of_contacts and its kind. */
void rows_of_contacts(struct store *s, const char *sql, row_fn row, struct store_contact_extra *reads, int n);
/* Every row of sql, whose one parameter is the tenant, as an array. */
int tenant_rows(struct store *s, const char *sql, int64_t tenant_id, row_fn row, json_t **ret_list);
/* The integer sql answers (a count, a maximum), whose one parameter is the tenant. */
int tenant_int(struct store *s, const char *sql, int64_t tenant_id, int64_t *ret);
/* Appends an event of type with data (taken) to contact_id's timeline, by
 * scope's actor, at now (contact.c). */
int store_event_append(struct store *s, const struct store_scope *scope, int64_t contact_id, const char *type,
		       json_t *data, int64_t now);
/* A limit clamped to 1..STORE_MAX_PAGE (50 when 0). */
int page_limit(int limit);

/* True when the scope acts in a tenant with a role allowing perm. */
bool scope_can(const struct store_scope *scope, enum permission perm);

#endif
