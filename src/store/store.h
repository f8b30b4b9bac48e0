/* The storage interface: everything guichet keeps, behind one set of calls.
 *
 * Handlers and the CLI see only this header. Today's engine is SQLite in WAL
 * mode (the other files of src/store); a PostgreSQL engine implements the same calls. Every
 * call that touches tenant data takes a store_scope and filters by its
 * tenant inside the query, and customer attributes above the scope's
 * visibility are removed here, before anything leaves the store.
 *
 * One struct store is one connection, used by one thread at a time. Reads
 * run outside transactions (each statement sees a consistent snapshot);
 * writes run between store_begin and store_commit, and a caller that batches
 * several requests in one transaction (group commit) isolates each with
 * store_savepoint / store_release / store_rollback_to.
 *
 * Records come back as jansson objects, the shape the API shows. */
#ifndef GUICHET_STORE_H
#define GUICHET_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "guichet/authz.h"
#include "guichet/customer_csv.h"
#include "guichet/decode.h"
#include "guichet/message.h"
#include "guichet/role.h"

struct store;

#define STORE_TOKEN_LEN 64      /* room for a token's text and its NUL */
#define STORE_MAX_PAGE 500      /* the most rows one list call returns */

/* Who is acting, and in which tenant. tenant_id 0: no tenant (platform). */
struct store_scope {
	int64_t tenant_id;
	int64_t user_id;            /* 0 for an API token */
	int64_t token_id;
	int64_t expires_at;         /* when the token expires (ms), 0 for never */
	enum role role;
	bool has_role;              /* false: a platform admin outside its tenants */
	bool platform_admin;
	enum sensitivity sees;      /* the most sensitive customer data shown */
	char actor[256];            /* the user's email, or "token:NAME" */
	char ip[64];
};

enum store_mode { STORE_READ_WRITE, STORE_READ_ONLY };

/* Opens (creating if needed) the database at path and brings its schema up
 * to date, or refuses one written by a newer guichet with GC_ESCHEMA.
 * synchronous_full: every commit reaches the disk before it returns. */
int store_open(const char *path, enum store_mode mode, struct store **ret_store);
void store_free(struct store *s);
/* Whether guichet checkpoints this engine's log itself (SQLite's WAL; the
 * PostgreSQL server checkpoints its own). */
bool store_checkpoints(const struct store *s);
/* This connection's commits no longer checkpoint (another connection
 * calls store_checkpoint); GC_OK and nothing on PostgreSQL. */
int store_defer_checkpoints(struct store *s);
/* A passive checkpoint: what the log holds copied into the database as far
 * as no reader needs it, never waiting for one; nothing on PostgreSQL. */
int store_checkpoint(struct store *s);
/* The last error's detail, for logs: "UNIQUE constraint failed: ...". */
const char *store_errmsg(const struct store *s);
/* The last error's template and values when the store wrote it from a fixed
 * text (a name taken, a version passed), for a client to translate; NULL
 * when it came from the database or elsewhere. */
const struct gc_message *store_error_said(const struct store *s);
/* The schema version a database opened to write had before this open
 * brought it to store_schema_version(); 0 when it was new or current. */
int store_upgraded_from(const struct store *s);
/* Whether the database server answered at the last call (false: it is
 * down or unreachable, and what failed may succeed later). SQLite: true. */
bool store_reachable(const struct store *s);
/* The schema version this build writes, and the one the file has. */
int store_schema_version(void);
int store_file_schema_version(struct store *s);
/* Size of the database in bytes. */
int64_t store_db_size(struct store *s);

/* --- PostgreSQL (pg.c): groundwork for the second engine --- */

/* Whether db names a PostgreSQL server (postgresql:// or postgres://)
 * rather than a SQLite file. Until that engine exists, store_open refuses
 * such a URL with GC_EINVAL, naming the version the server answered. */
bool store_url_is_pg(const char *db);
/* url with its password, if any, replaced by "***": fit for logs. */
void store_pg_url_redact(const char *url, char *ret_text, size_t len);
/* Connects to url and reads the server's version. Refuses (GC_EINVAL) a
 * server with fsync or synchronous_commit off, whose acknowledged commits
 * may not be on disk; GC_EIO when it cannot connect. On failure errmsg
 * says why (the URL's password never appears). */
int store_pg_probe(const char *url, char *ret_version, size_t version_len, char *errmsg,
		   size_t errmsg_len);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);
int store_savepoint(struct store *s);
void store_release(struct store *s);
void store_rollback_to(struct store *s);
/* Makes the errors of the request's writes known now: appends to logs
 * (events, audit) travel to PostgreSQL with the next statement, so the
 * writer calls this before it keeps a request (nothing on SQLite). */
int store_flush(struct store *s);
/* Sends the request's writes on their way without waiting for their
 * answers (PostgreSQL runs them while the writer runs the next request;
 * their errors come at the commit). */
void store_push(struct store *s);

/* --- accounts and tokens (auth.c) --- */

/* argon2id hash of a password (OWASP parameters), in crypto_pwhash_STRBYTES. */
int store_password_hash(const char *password, char *ret_hash, size_t hash_len);
/* Checks email and password; on success the user's id. Takes the same time
 * whether or not the email exists. GC_EAUTH for bad credentials or a
 * disabled user. */
int store_login_check(struct store *s, const char *email, const char *password,
		      int64_t *ret_user_id);
/* The tenant a login lands in: the named one (the user needs an enabled
 * membership there) or the user's first one; 0 for a platform admin with
 * none. */
int store_login_tenant(struct store *s, int64_t user_id, const char *tenant_name,
		       int64_t *ret_tenant_id);
/* A session token for user_id, valid until expires_at (ms). */
int store_session_create(struct store *s, int64_t user_id, int64_t tenant_id,
			 int64_t expires_at, char ret_token[STORE_TOKEN_LEN]);
/* A long-lived API token in the scope's tenant, with a role and a name;
 * only a person makes one, with a role within their own
 * (GC_EFORBIDDEN). It lives while its creator keeps an enabled membership
 * there with a role that covers the token's. */
int store_api_token_create(struct store *s, const struct store_scope *scope,
			   const struct token_input *in, json_t **ret_token);
int store_api_token_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_api_token_revoke(struct store *s, const struct store_scope *scope, int64_t token_id);
/* Revokes the token with this text (logout). */
int store_token_revoke_text(struct store *s, const char *token);
/* Whether user_id has a live session (not revoked, not expired) that lands
 * in tenant_id, other than the token except_token_id (0: none): signing out
 * of one leaves it at work while another is open. */
int store_session_live(struct store *s, int64_t user_id, int64_t tenant_id, int64_t except_token_id, bool *ret_live);
/* Resolves a bearer token to a scope. tenant_hint (a tenant name or id, or
 * NULL) picks a tenant other than the token's default. GC_EAUTH for an
 * unknown, expired or revoked token, or an API token whose creator lost
 * the membership or the role it was made with; GC_EFORBIDDEN when the user has no
 * enabled membership in the tenant asked for. */
int store_auth_token(struct store *s, const char *token, const char *tenant_hint, int64_t now,
		     struct store_scope *ret_scope);

/* --- organisations, tenants, users, memberships (directory.c) --- */

/* Asks the table of guichet/authz.h whether scope may do action on user_id
 * (0: no target user), giving new_role where the action gives one (else
 * ROLE_N): GC_OK, GC_EFORBIDDEN (the reason in store_errmsg) or
 * GC_ENOTFOUND. The user calls below ask it themselves; handlers ask it for
 * memberships and organisations, whose store calls also serve the offline CLI. */
/* user_id's role in the scope's tenant (ROLE_N for one this build does not
 * know) and whether that membership is disabled; GC_ENOTFOUND when it is no
 * member. */
int store_member_role(struct store *s, const struct store_scope *scope, int64_t user_id, enum role *ret,
		      bool *ret_disabled);
int store_authorize(struct store *s, const struct store_scope *scope, enum authz_action action,
		    int64_t user_id, enum role new_role);
/* The members of the scope's tenant whose routing scope manages
 * (AUTHZ_MANAGE_AGENT), when that is not all of them: for an outsourcer's
 * supervisor, *ret_some_only true and its own organisation's people's user
 * ids in increasing order (malloc'd, *ret_n of them; NULL for none); for
 * one who manages every agent (the brand's people, a tenant admin, a
 * platform admin, an API token) *ret_some_only false and no list. What a
 * live stream is cut to (stream.c). */
int store_managed_agents(struct store *s, const struct store_scope *scope, bool *ret_some_only, int64_t **ret_ids,
			 size_t *ret_n);

int store_organisation_create(struct store *s, const char *name, const char *kind,
			      int64_t *ret_id);
int store_organisation_list(struct store *s, json_t **ret_list);
/* A tenant of organisation (a new brand of the same name when NULL). */
int store_tenant_create(struct store *s, const char *name, const char *organisation,
			int64_t *ret_id);
int store_tenant_find(struct store *s, const char *name, int64_t *ret_id);
/* The tenant's name into ret; GC_ENOTFOUND when there is no such tenant. */
int store_tenant_name(struct store *s, int64_t tenant_id, char *ret, size_t len);
/* Tenants the scope may see: all for a platform admin, else its memberships. */
int store_tenant_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
/* A new user in organisation (the tenant's own when NULL), with role in the
 * scope's tenant. password_hash comes from store_password_hash
 * (in->password is not read). platform_admin only from the offline CLI.
 * GC_ENOTFOUND for an organisation the scope may not place people in
 * (unknown or unrelated to the tenant: the same answer); GC_ECONFLICT when
 * the email is taken, in this tenant or any other. The email is stored
 * lowercase. */
int store_user_create(struct store *s, const struct store_scope *scope,
		      const struct user_input *in, const char *password_hash, bool platform_admin,
		      int64_t *ret_id);
int store_user_get(struct store *s, const struct store_scope *scope, int64_t user_id,
		   json_t **ret_user);
int store_user_find(struct store *s, const char *email, int64_t *ret_id);
int store_user_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_user_set_role(struct store *s, const struct store_scope *scope, int64_t user_id,
			enum role role);
/* Enables or disables the user's membership in the scope's tenant.
 * Disabling ends every session of the user and the API tokens they made in
 * this tenant. */
int store_user_set_disabled(struct store *s, const struct store_scope *scope, int64_t user_id,
			    bool disabled);
/* Sets a new password and ends every session and API token of the user.
 * GC_EFORBIDDEN unless the scope is the user, a platform admin, or
 * administers every tenant the user is in (and the user is no platform
 * admin). */
int store_user_set_password(struct store *s, const struct store_scope *scope, int64_t user_id,
			    const char *password_hash);
/* Gives an existing user a role in a tenant (platform admin). */
int store_membership_grant(struct store *s, int64_t user_id, int64_t tenant_id, enum role role);
/* The user's memberships as [{"tenant_id","tenant","role","disabled"}]. */
int store_membership_list(struct store *s, int64_t user_id, json_t **ret_list);

/* --- customers (customer.c) --- */

struct store_customer_filter {
	const char *external_id, *email, *phone;
	int64_t after_id;           /* cursor: ids below this one; 0 for the first page */
	int limit;
};

int store_customer_create(struct store *s, const struct store_scope *scope,
			  const struct customer_input *in, json_t **ret_customer);
/* The same, answering only the new customer's id. */
int store_customer_create_id(struct store *s, const struct store_scope *scope, const struct customer_input *in,
			     int64_t *ret_id);
/* The tenant's oldest customer with this email address or this phone (either
 * may be NULL), as stored: GC_ENOTFOUND when none. */
int store_customer_find(struct store *s, const struct store_scope *scope, const char *email, const char *phone,
			int64_t *ret_id);
int store_customer_get(struct store *s, const struct store_scope *scope, int64_t id,
		       json_t **ret_customer);
/* Applies a patch; attributes given are set (or removed when null). */
int store_customer_update(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct customer_input *in, json_t **ret_customer);
int store_customer_list(struct store *s, const struct store_scope *scope,
			const struct store_customer_filter *filter, json_t **ret_page);

/* The tenant's attribute policy: {"default": class, "attributes": {key: class}}.
 * A value written takes its key's class from here (or the default, personal
 * unless changed); a write naming another class is GC_EFORBIDDEN, and so is
 * writing a class above what the scope sees. Reads show a value only when its
 * key's class is at or below the scope's visibility. */
int store_attr_policy_get(struct store *s, const struct store_scope *scope, json_t **ret_policy);
/* Sets key's class (key NULL: the default); cls SENS_NONE removes key, which
 * then takes the default. Tenant admins only (who see confidential data);
 * at most STORE_MAX_ATTR_POLICY keys per tenant (GC_ETOOBIG). */
#define STORE_MAX_ATTR_POLICY 1000
int store_attr_policy_set(struct store *s, const struct store_scope *scope, const char *key,
			  enum sensitivity cls);

/* Imports CSV customers (guichet/customer_csv.h), upserting on external_id;
 * phones are read in country (the tenant's, "" or NULL for none).
 * The report: {"inserted","updated","unchanged","rejected":[{"line","reason"}]}.
 * all_or_nothing: with any rejected row, GC_EINVAL and nothing is kept (the
 * caller rolls back); the report still says why. */
int store_customer_import(struct store *s, const struct store_scope *scope, const char *csv,
			  size_t len, bool all_or_nothing, const char *country, json_t **ret_report,
			  struct decode_error *err);

/* --- contacts (contact.c) --- */

struct store_contact_filter {
	const char *state, *queue;
	int64_t customer_id;
	int64_t updated_since;      /* ms, 0 for none */
	int64_t after_id;
	int limit;
};

/* A new contact (state "new"); its id. Read it back with store_contact_get. */
int store_contact_create(struct store *s, const struct store_scope *scope,
			 const struct contact_input *in, int64_t *ret_id);
/* The same, with the new contact as store_contact_get_text shows it
 * (malloc'd), made from what was inserted rather than read back. */
int store_contact_create_text(struct store *s, const struct store_scope *scope, const struct contact_input *in,
			      int64_t *ret_id, char **ret_text, size_t *ret_len);
/* The contact with its messages and notes, as JSON text (malloc'd): the
 * fast path for answering a GET. */
int store_contact_get_text(struct store *s, const struct store_scope *scope, int64_t id,
			   char **ret_text, size_t *ret_len);
/* Several contacts' answers read together, as store_contact_get_text
 * answers each (requests that arrived at once: on PostgreSQL one round
 * trip for every STORE_READ_BATCH of them). For each read, rc is GC_OK
 * with text (malloc'd) and len, or that contact's error. */
#define STORE_READ_BATCH 16
struct store_contact_read {
	const struct store_scope *scope;
	int64_t id;
	char *text;
	size_t len;
	int rc;
};
void store_contact_get_texts(struct store *s, struct store_contact_read *reads, int n);
/* Several contacts' own rows of another table read together, as
 * store_contact_get_texts reads their contacts: their callbacks
 * (store_callback_of_contact), their web chats (store_chat_get). For each
 * read, rc is GC_OK with row (NULL when the contact has none), or an error. */
struct store_contact_extra {
	const struct store_scope *scope;
	int64_t contact_id;
	json_t *row;
	int rc;
};
void store_callbacks_of_contacts(struct store *s, struct store_contact_extra *reads, int n);
void store_chats_of_contacts(struct store *s, struct store_contact_extra *reads, int n);
/* Only the contact's customer (0 for none) and subject ("" for none; cut
 * to subject_len): what a reply needs, without the messages. */
int store_contact_head(struct store *s, const struct store_scope *scope, int64_t id, int64_t *ret_customer_id,
		       char *ret_subject, size_t subject_len);
/* The same as a JSON object. */
int store_contact_get(struct store *s, const struct store_scope *scope, int64_t id,
		      json_t **ret_contact);
int store_contact_update(struct store *s, const struct store_scope *scope, int64_t id,
			 const struct contact_input *in, json_t **ret_contact);
/* GC_ESTATE for a move the state machine refuses, GC_EINVAL for a missing
 * disposition, GC_ECONFLICT for a stale expected_version. ret_contact may be
 * NULL. */
int store_contact_set_state(struct store *s, const struct store_scope *scope, int64_t id,
			    const struct state_input *in, json_t **ret_contact);
int store_contact_add_message(struct store *s, const struct store_scope *scope, int64_t id,
			      const struct message_input *in, bool note, json_t **ret_message);
int store_contact_list(struct store *s, const struct store_scope *scope,
		       const struct store_contact_filter *filter, json_t **ret_page);
/* Contacts created per interval in [since_ms, until_ms) (in interval_s
 * slots from midnight UTC), as a JSON array of [slot start ms, count], in
 * time order, slots without contacts left out. For forecasts (reads every
 * contact of the tenant then). */
int store_contact_counts(struct store *s, const struct store_scope *scope, int64_t since_ms, int64_t until_ms,
			 int interval_s, json_t **ret_counts);
int store_contact_events(struct store *s, const struct store_scope *scope, int64_t id,
			 int64_t after_id, int limit, json_t **ret_page);

/* --- routing (routing.c): what the routing engine is rebuilt from --- */

int store_skill_create(struct store *s, const struct store_scope *scope, const char *name, json_t **ret);
int store_skill_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_skill_exists(struct store *s, const struct store_scope *scope, int64_t id);
int store_skill_rename(struct store *s, const struct store_scope *scope, int64_t id, const char *name);
/* GC_ECONFLICT while a queue or an agent's profile uses the skill. */
int store_skill_delete(struct store *s, const struct store_scope *scope, int64_t id);

/* A queue is {"id", "name", its configuration (queue_input_json), "created_at",
 * "updated_at"}; names are unique among a tenant's live queues. */
int store_queue_create(struct store *s, const struct store_scope *scope, const char *name,
		       const json_t *config, int64_t *ret_id);
int store_queue_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
int store_queue_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_queue_update(struct store *s, const struct store_scope *scope, int64_t id, const char *name,
		       const json_t *config);
/* Marks it deleted; GC_ECONFLICT while anything store_queue_users names uses it. */
int store_queue_delete(struct store *s, const struct store_scope *scope, int64_t id);
/* What still sends contacts to queue id (another queue overflowing to it, the
 * portal, a mailbox, channel or number, the callback settings, a scheduled
 * callback) or holds one taken from it, in words for a 409 ("the mailbox
 * 'Support' still uses this queue: ..."); "" when nothing does. Other
 * queues overflowing to it only when overflow is true. */
int store_queue_users(struct store *s, const struct store_scope *scope, int64_t id, bool overflow, char *ret,
		      size_t len);
/* Every live queue of the tenant (0: of every tenant), with its "tenant_id"
 * (the router's load). */
int store_queue_all(struct store *s, int64_t tenant_id, json_t **ret_list);

/* GC_ECONFLICT when user_id is not offline in another tenant than
 * tenant_id (an outsourced agent at work for another brand), with that
 * tenant's name in ret_tenant and the presence there ("available",
 * "paused") in ret_presence; GC_OK otherwise. */
int store_agent_at_work_elsewhere(struct store *s, int64_t user_id, int64_t tenant_id, char *ret_tenant, size_t len,
				  char *ret_presence, size_t presence_len);

/* An agent is a member of the tenant with a routing profile
 * (agent_profile_json) and a presence: {"user_id", "tenant_id", "name",
 * "email", "role", "presence", "reason", "presence_at", profile...}. */
int store_agent_set_profile(struct store *s, const struct store_scope *scope, int64_t user_id,
			    const json_t *profile);
int store_agent_get(struct store *s, const struct store_scope *scope, int64_t user_id, json_t **ret);
int store_agent_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
/* Every agent with an enabled membership in the tenant (0: in every tenant;
 * the router's load). */
int store_agent_all(struct store *s, int64_t tenant_id, json_t **ret_list);
/* The agents of tenant (0: of every tenant) who belong to another
 * organisation than the tenant's own (an outsourcer's), user_id's alone
 * when not 0: in *ret (malloc'd, *ret_n of them; NULL for none). What an
 * outsourcer's supervisor's queue figures count (the router). */
struct store_agent_org {
	int64_t tenant_id, user_id, organisation_id;
};
int store_agent_outsourced(struct store *s, int64_t tenant_id, int64_t user_id, struct store_agent_org **ret,
			   size_t *ret_n);
int store_agent_set_presence(struct store *s, int64_t tenant_id, int64_t user_id, const char *presence,
			     const char *reason, int64_t at);

/* A contact in a queue, as the engine last decided (one row per contact
 * waiting, offered or assigned; none once it is done). */
struct store_routing_row {
	int64_t contact_id, tenant_id, queue_id, agent_id;
	int priority;
	const char *state;          /* waiting, offered, assigned */
	bool named;                 /* waits for agent_id only (a transfer) */
	int64_t arrived, enqueued;  /* ms */
};
int store_routing_put(struct store *s, const struct store_routing_row *row);
int store_routing_delete(struct store *s, int64_t contact_id);
int store_routing_get(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret);
/* Every row of the tenant (0: of every tenant), oldest enqueued first (the
 * router's load). */
int store_routing_all(struct store *s, int64_t tenant_id, json_t **ret_list);

/* A routing event (its id orders them, and is the live stream's event id). */
struct store_event {
	int64_t id, tenant_id, at;
	const char *type;
	int64_t contact_id, agent_id, queue_id;
	const char *data;           /* a JSON object */
};
typedef void (*store_event_fn)(const struct store_event *ev, void *arg);
int store_routing_event(struct store *s, int64_t tenant_id, int64_t at, const char *type, int64_t contact_id,
			int64_t agent_id, int64_t queue_id, const char *data, int64_t *ret_id);
/* The tenant's events after after_id, in order, up to limit: how many. */
int store_routing_events_after(struct store *s, int64_t tenant_id, int64_t after_id, int limit,
			       store_event_fn fn, void *arg);
/* Every event since since_ms, newest first by time (the day's service level at start). */
int store_routing_events_since(struct store *s, int64_t since_ms, store_event_fn fn, void *arg);
/* The newest routing event of the tenant (0 for none): where a new live
 * stream starts. */
int store_routing_events_last(struct store *s, int64_t tenant_id, int64_t *ret_id);
/* Every event of the tenant at from_ms or later and before to_ms, in time
 * order (the supervisor's day so far; journey.c). */
int store_routing_events_between(struct store *s, int64_t tenant_id, int64_t from_ms, int64_t to_ms,
				 store_event_fn fn, void *arg);
/* The contact's journey (journey.c): its own events, its routing events
 * and its diagnosis sessions merged in time order, at most
 * STORE_JOURNEY_MAX of each; each item {"source" (contact, routing,
 * diagnosis), "type", "at", "data", and "actor" or "agent_id", "agent",
 * "queue_id", "queue"}. GC_ENOTFOUND for a contact of another tenant. */
#define STORE_JOURNEY_MAX 1000
int store_contact_journey(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list);
/* Moves what was written of the contact at or after from_ms (its events,
 * messages, creation time) to at_ms, and its last change to at_ms: the
 * demo's history (backdate.c), never the daemon. */
int store_contact_backdate(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t from_ms, int64_t at_ms);

/* A mailbox's acknowledgements (channel/email/ack.h): whether one goes to
 * each new contact, its templates (NULL: the language's own), its language
 * ("en" or "fr") and how many at most an address gets in an hour. */
struct store_mailbox_ack {
	bool enabled;
	const char *subject, *body, *language;
	int64_t max_per_hour;
};

/* The web chat's channels (chat.c): config is the JSON text of
 * {"origins","prechat","offline"}; the identity secret comes sealed
 * (secrets.c). For an update, NULL and 0 members keep what is stored. */
struct store_chat_channel {
	const char *name, *key, *config;
	const unsigned char *sealed;
	size_t sealed_len;
	int64_t queue_id;
};
int store_chat_channel_create(struct store *s, const struct store_scope *scope, const struct store_chat_channel *in,
			      int64_t *ret_id);
/* {"id","name","key","queue_id","origins","prechat","offline","created_at","updated_at"}; never the secret. */
int store_chat_channel_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
int store_chat_channel_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_chat_channel_update(struct store *s, const struct store_scope *scope, int64_t id,
			      const struct store_chat_channel *in);
int store_chat_channel_delete(struct store *s, const struct store_scope *scope, int64_t id);
/* The channel of a public key, whatever its tenant (its row with
 * "tenant_id" and "tenant_name"), and its sealed secret when ret_sealed is not NULL. */
int store_chat_channel_by_key(struct store *s, const char *key, json_t **ret, unsigned char **ret_sealed,
			      size_t *ret_sealed_len);
/* A chat: the contact it is, the channel, the visitor's random id, the
 * customer and whether the brand verified them. */
struct store_chat {
	int64_t contact_id, channel_id, customer_id;
	const char *visitor;
	bool verified;
};
int store_chat_create(struct store *s, int64_t tenant_id, const struct store_chat *in);
/* {"id","channel_id","visitor","customer_id","verified","rating","rating_comment","created_at","ended_at",
 * "contact_state"}; GC_ENOTFOUND when the contact is no chat of the tenant. */
int store_chat_get(struct store *s, int64_t tenant_id, int64_t contact_id, json_t **ret);
/* The open chats on the channel of a verified customer (customer_id > 0),
 * else of the unverified visitor. */
int store_chat_list_open(struct store *s, int64_t tenant_id, int64_t channel_id, const char *visitor,
			 int64_t customer_id, json_t **ret_list);
/* The customer an unverified visitor's earlier chat on the channel got. */
int store_chat_visitor_customer(struct store *s, int64_t tenant_id, int64_t channel_id, const char *visitor,
				int64_t *ret_customer_id);
/* The tenant's customer of this external id (a brand's own customer id). */
int store_customer_by_external(struct store *s, int64_t tenant_id, const char *external_id, int64_t *ret_id);
int store_chat_end(struct store *s, int64_t tenant_id, int64_t contact_id);
int store_chat_rate(struct store *s, int64_t tenant_id, int64_t contact_id, int score, const char *comment);
/* A chat's message as the chat shows it ({"id","kind","body","at","client_id"?,"author"?}) by the
 * visitor's client id; GC_ENOTFOUND when none. */
int store_chat_message_by_client(struct store *s, int64_t tenant_id, int64_t contact_id, const char *client_id,
				 json_t **ret);
/* The same by its id, when it is a chat's and no note; GC_ENOTFOUND otherwise. */
int store_chat_message_get(struct store *s, int64_t tenant_id, int64_t message_id, json_t **ret);
int store_chat_message_set_client(struct store *s, int64_t tenant_id, int64_t message_id, const char *client_id);
/* The chat's messages after after_id (notes never), oldest first, at most limit. */
int store_chat_messages_after(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t after_id, int limit,
			      json_t **ret_list);
/* Marks the messages of kind ("inbound" or "outbound") up to up_to as
 * delivered, or read (and delivered). */
int store_chat_mark(struct store *s, int64_t tenant_id, int64_t contact_id, const char *kind, int64_t up_to,
		    bool read);

/* The first name of the tenant's user (an agent as a visitor sees them). */
int store_chat_agent_name(struct store *s, int64_t tenant_id, int64_t user_id, char *ret, size_t len);
/* Where a chat is, from the store: "waiting" (offered included),
 * "assigned" with its agent, or "ended" (its place in the queue is the
 * routing engine's: router_contacts_load). */
struct store_chat_live {
	const char *state;          /* a literal */
	int64_t agent_id;           /* 0 when none */
	char agent[64];             /* the agent's first name, "" when none */
};
int store_chat_live(struct store *s, int64_t tenant_id, int64_t contact_id, struct store_chat_live *ret);
/* The newest message of kind marked delivered, and read (0: none). */
int store_chat_last_marks(struct store *s, int64_t tenant_id, int64_t contact_id, const char *kind,
			  int64_t *ret_delivered, int64_t *ret_read);

/* Email mailboxes (mailbox.c). The password comes sealed (secrets.c). */
struct store_mailbox {
	const char *name, *address, *imap_url, *smtp_url, *username;
	const char *from_name;      /* the name its mail goes out under; NULL: the tenant's */
	const unsigned char *sealed;
	size_t sealed_len;
	int64_t queue_id;           /* 0: none */
	struct store_mailbox_ack ack; /* language NULL: off, in English, 3 an hour */
};
int store_mailbox_create(struct store *s, const struct store_scope *scope, const struct store_mailbox *in,
			 int64_t *ret_id);
/* {"id","name","from_name","address","imap_url","smtp_url","username","queue_id","uidvalidity","last_uid",
 * "created_at","updated_at","ack":{"enabled","subject","body","language","max_per_hour"}}: never
 * the password. */
int store_mailbox_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
/* Replaces the mailbox's acknowledgement settings (every field). */
int store_mailbox_set_ack(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct store_mailbox_ack *ack);
int store_mailbox_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
/* Sets the name the mailbox's mail goes out under (NULL: the tenant's). */
int store_mailbox_set_from_name(struct store *s, const struct store_scope *scope, int64_t id, const char *from_name);
int store_mailbox_delete(struct store *s, const struct store_scope *scope, int64_t id);
/* Every tenant's mailboxes, for the fetcher: [{"tenant_id","id","imap_url",
 * "username","queue_id","uidvalidity","last_uid"}]. */
int store_mailbox_all(struct store *s, json_t **ret_list);
/* The sealed password (malloc'd), for the channel that logs in. */
int store_mailbox_sealed(struct store *s, const struct store_scope *scope, int64_t id, unsigned char **ret,
			 size_t *ret_len);

/* How far a mailbox was fetched: its UIDVALIDITY and the last UID taken,
 * written in the transaction of what that UID made. */
int store_mailbox_progress(struct store *s, const struct store_scope *scope, int64_t mailbox_id, int64_t uidvalidity,
			   int64_t last_uid);

/* Emails by Message-ID (email.c). */
struct store_email {
	const char *message_id;     /* without its angle brackets */
	int64_t contact_id, mailbox_id, uid; /* mailbox and uid 0 for one sent */
	bool outbound;
};
/* The contact an email of the tenant belongs to: GC_ENOTFOUND when it was
 * never taken nor sent. */
int store_email_contact(struct store *s, const struct store_scope *scope, const char *message_id,
			int64_t *ret_contact);
/* Records an email: GC_ECONFLICT when its Message-ID was recorded already. */
int store_email_record(struct store *s, const struct store_scope *scope, const struct store_email *e);
/* The customer's email contacts changed since since_ms, the latest first (at
 * most 50), to fn until it answers false. */
typedef bool (*store_recent_fn)(int64_t contact_id, const char *subject, const char *state, void *arg);
int store_email_recent_contacts(struct store *s, const struct store_scope *scope, int64_t customer_id,
				int64_t since_ms, store_recent_fn fn, void *arg);

/* The Message-IDs of the contact's emails, oldest first:
 * [{"message_id","direction","mailbox_id"}] (outbox.c). */
int store_email_thread(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list);

/* Replies by email (outbox.c). */
struct store_outbox {
	int64_t contact_id, mailbox_id; /* contact_id 0: guichet's own mail, of no contact */
	const char *message_id, *to_address, *subject, *body, *in_reply_to;
	const char *refs;           /* the References, space separated, without <> */
	bool automatic;             /* guichet's own automatic mail (an acknowledgement) */
};
int store_outbox_add(struct store *s, const struct store_scope *scope, const struct store_outbox *in, int64_t *ret_id);
/* The contact's replies: [{"id","contact_id","mailbox_id","message_id","to","subject","state","attempts",
 * "next_at","last_error","created_at","updated_at","automatic"}]. */
int store_outbox_list(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list);
/* How many automatic mails the tenant queued to to_address (lower case)
 * since since_ms, whatever their state. */
int store_outbox_count_automatic(struct store *s, const struct store_scope *scope, const char *to_address,
				 int64_t since_ms, int64_t *ret_n);
/* Every tenant's replies queued or sending and due at now, the oldest first,
 * with "tenant_id","body","in_reply_to","refs" too. */
int store_outbox_due(struct store *s, int64_t now, int limit, json_t **ret_list);
int store_outbox_mark(struct store *s, const struct store_scope *scope, int64_t id, const char *state, int64_t attempts,
		      int64_t next_at, const char *last_error);

/* Categorisation rules (rules.c), each its checked form (guichet/rules.h). */
/* GC_ECONFLICT when the tenant has a rule of that name. */
int store_rule_add(struct store *s, const struct store_scope *scope, const json_t *rule, int64_t *ret_id);
/* A rule as stored, with "id", "created_at", "updated_at". */
int store_rule_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
/* The tenant's rules in the order they are tried (position, then age). */
int store_rule_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_rule_delete(struct store *s, const struct store_scope *scope, int64_t id);

/* The self-service portal (incident.c): the tenant's incidents and
 * announcements, and the portal's settings. */
struct store_incident {
	const char *kind;          /* "incident" or "announcement" */
	const char *title, *body;  /* customer-facing plain text */
	const char *area;          /* free text ("Lyon"), or NULL */
	const char *severity;      /* an incident's ("minor", "major", "critical"), or NULL */
	int64_t starts_at;         /* ms */
	int64_t expected_end_at;   /* the expected fix (ms), 0 when unknown */
	bool published;
	const json_t *keywords;    /* an incident's phrases a contact's words may mention (an array), or NULL */
};
int store_incident_add(struct store *s, const struct store_scope *scope, const struct store_incident *in,
		       int64_t *ret_id);
/* Replaces every field of in; GC_ENOTFOUND outside the tenant. */
int store_incident_update(struct store *s, const struct store_scope *scope, int64_t id,
			  const struct store_incident *in);
int store_incident_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
/* The newest first (at most 500); with_ended false: those not ended. */
int store_incident_list(struct store *s, const struct store_scope *scope, bool with_ended, json_t **ret_list);
/* Ends it at at (ms); GC_ESTATE when it has ended already. */
int store_incident_end(struct store *s, const struct store_scope *scope, int64_t id, int64_t at);
int store_incident_delete(struct store *s, const struct store_scope *scope, int64_t id);
/* The tenant's incidents and announcements current at now (published,
 * started, not ended), announcements after incidents, with the fields a
 * customer may see: "id", "kind", "title", "body", "area", "severity",
 * "starts_at", "expected_end_at". For the portal and the voice channel. */
int store_incidents_current(struct store *s, int64_t tenant_id, int64_t now, json_t **ret_list);

/* Proactive incidents (broadcast.c): an incident's audience (every
 * customer, those whose attribute key has value, or a list of customers),
 * its templates per kind (declaration, update, resolution) and language
 * (en, fr), its broadcasts walked a batch at a time, and its report. */
/* The disposition of the contact an incident's SMS or social notices to a
 * customer go on (made resolved): guichet's own, which the reports of what
 * customers did leave out. */
#define STORE_INCIDENT_NOTICE "incident_notice"
/* SQL: the contact whose disposition column is col is no such notice. */
#define NOT_A_NOTICE(col) "(" col " IS NULL OR " col " <> '" STORE_INCIDENT_NOTICE "')"
struct store_audience {
	const char *kind;            /* "all", "attribute", "customers" */
	const char *key, *value;     /* an attribute's */
	const int64_t *customers;    /* the list's */
	size_t n_customers;
};
/* GC_EINVAL with *ret_unknown for a customer that is not the tenant's. */
int store_incident_audience_set(struct store *s, const struct store_scope *scope, int64_t id,
				const struct store_audience *a, int64_t *ret_unknown);
int store_incident_template_clear(struct store *s, const struct store_scope *scope, int64_t id);
int store_incident_template_set(struct store *s, const struct store_scope *scope, int64_t id, const char *kind,
				const char *lang, const char *subject, const char *body);
/* {"audience", "templates": [{kind, lang, subject, body}], "broadcasts", "incident_kind", "ended"}. */
int store_incident_setup(struct store *s, int64_t tenant_id, int64_t id, json_t **ret);
/* The incident's broadcasts, each with how many customers it planned so far. */
int store_broadcast_list(struct store *s, int64_t tenant_id, int64_t incident_id, json_t **ret_list);
struct store_broadcast {
	const char *kind, *text, *channels; /* channels: comma-separated ("email") */
	int64_t rate_per_minute;
};
/* A new broadcast, numbered after the incident's last (*ret_seq). */
int store_broadcast_add(struct store *s, const struct store_scope *scope, int64_t incident_id,
			const struct store_broadcast *in, int64_t *ret_seq);
/* Broadcasts whose walk has not ended, every tenant's, oldest first. */
int store_broadcast_due(struct store *s, int limit, json_t **ret_list);
/* The next limit customers of the incident's audience after customer id
 * after: id, email, and the attributes lang, name, incident_messages. */
int store_broadcast_audience(struct store *s, int64_t tenant_id, int64_t incident_id, int64_t after, int limit,
			     json_t **ret_list);
struct store_broadcast_row {
	int64_t incident_id, seq, customer_id;
	const char *channel, *state, *lang;
};
/* *ret_inserted false: the customer had this broadcast already. */
int store_broadcast_record(struct store *s, int64_t tenant_id, const struct store_broadcast_row *row,
			   bool *ret_inserted);
int store_broadcast_set_outbox(struct store *s, const struct store_broadcast_row *row, int64_t outbox_id);
/* The SMS or social message queued for the row (messaging_messages' id). */
int store_broadcast_set_messaging(struct store *s, const struct store_broadcast_row *row, int64_t messaging_id);
/* The contact an earlier broadcast of the incident to the customer by this
 * channel ("sms", "social") went on (an incident's messages to a customer
 * on one channel share one): GC_ENOTFOUND for the first. */
int store_broadcast_message_contact(struct store *s, int64_t tenant_id, int64_t incident_id, int64_t customer_id,
				    const char *channel, int64_t *ret_contact_id);
/* The tenant's first messaging channel of this kind ("sms", "social"), the
 * one SMS broadcasts go out by; GC_ENOTFOUND when it has none. */
int store_broadcast_messaging_channel(struct store *s, int64_t tenant_id, const char *kind, int64_t *ret_id);
/* The customer's account on a social network: the sender of the newest
 * message they sent on one of the tenant's social channels still in use
 * (only an inbound message gives an account), and that channel;
 * GC_ENOTFOUND when they never wrote on one. */
int store_broadcast_social_account(struct store *s, int64_t tenant_id, int64_t customer_id, int64_t *ret_channel_id,
				   char *ret_account, size_t len);
int store_broadcast_advance(struct store *s, int64_t update_id, int64_t cursor, bool done);
/* The tenant's first mailbox, the one broadcasts go out from. */
int store_broadcast_mailbox(struct store *s, int64_t tenant_id, int64_t *ret_id, char *ret_address, size_t len);
/* The current incidents (published, started, not ended) with keywords:
 * [{"id", "keywords": [phrases]}]. Every new contact asks (ops.c), so in a
 * transaction a tenant's are read once, until it ends or an incident
 * changes through this store: one round trip a batch, not a contact. */
int store_incident_keywords_current(struct store *s, int64_t tenant_id, int64_t now, json_t **ret_list);
/* Links contact_id to incident_id (once); *ret_n: 1 when it was not. */
int store_incident_link_one(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t incident_id,
			    int64_t now, int *ret_n);
/* Links a new contact of customer_id to each current incident whose
 * audience holds the customer; *ret_n: how many. */
int store_incident_link(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t customer_id,
			int64_t now, int *ret_n);
/* Contacts linked, contacts during it against the same interval of the 4
 * weeks before, and the broadcasts per broadcast, channel and state. */
int store_incident_report(struct store *s, const struct store_scope *scope, int64_t id, int64_t now, json_t **ret);
/* The portal's settings as JSON text (malloc'd); GC_ENOTFOUND when none. */
int store_portal_get(struct store *s, int64_t tenant_id, char **ret_config);
int store_portal_put(struct store *s, const struct store_scope *scope, const char *config);

/* A message's attachments (outbox.c): stored whole with their message,
 * written in its transaction; at most STORE_MAX_ATTACHMENT bytes each. */
#define STORE_MAX_ATTACHMENT (16 * 1024 * 1024)
struct store_outbox_file {
	const char *filename, *content_type;
	const void *data;
	size_t len;
};
/* GC_ETOOBIG over the limit; GC_ENOTFOUND for another tenant's message. */
int store_outbox_attach(struct store *s, const struct store_scope *scope, int64_t outbox_id,
			const struct store_outbox_file *a);
/* The message's attachments, in the order attached: an array of n (each
 * field malloc'd with it; NULL and 0 for none), freed by store_outbox_files_free. */
int store_outbox_attachments(struct store *s, const struct store_scope *scope, int64_t outbox_id,
			     struct store_outbox_file **ret, size_t *ret_n);
void store_outbox_files_free(struct store_outbox_file *list, size_t n);

/* The daily level-2 export (l2.c). */
#define STORE_L2_MAX_CONTACTS 10000  /* contacts in one day's export */
/* The scope's contacts that went to level 2 in [from_ms, to_ms) (escalated,
 * or routed into a level-2 queue), in the order they went:
 * [{"contact_id","level2_at","escalation_note","subject","category" (the
 * contact's reason, or null),"queue","received_at","customer"}], the
 * customer {"id","external_id","attributes":{key: value}} with its basic
 * fields only, whatever the scope sees (or null). At most
 * STORE_L2_MAX_CONTACTS, *ret_truncated when there were more. */
int store_l2_contacts(struct store *s, const struct store_scope *scope, int64_t from_ms, int64_t to_ms,
		      json_t **ret_rows, bool *ret_truncated);
struct store_l2_schedule {
	int at_minute;              /* local time, minutes after midnight */
	const char *to_address;
	int64_t mailbox_id;         /* the tenant's mailbox that sends it */
};
/* Sets the scope's schedule (its creation time kept on a change);
 * GC_ENOTFOUND when the mailbox is not the tenant's. */
int store_l2_schedule_put(struct store *s, const struct store_scope *scope, const struct store_l2_schedule *in);
/* {"tenant_id","time":"HH:MM","to","mailbox_id","created_at","updated_at"}; GC_ENOTFOUND when none. */
int store_l2_schedule_get(struct store *s, const struct store_scope *scope, json_t **ret);
int store_l2_schedule_delete(struct store *s, const struct store_scope *scope);
/* Every tenant's schedule (the daemon's timer). */
int store_l2_schedule_all(struct store *s, json_t **ret_list);
/* Whether the scope's export of day (YYYY-MM-DD) was sent (queued). */
int store_l2_day_sent(struct store *s, const struct store_scope *scope, const char *day, bool *ret_sent);
/* Records day as sent with its outbox message: GC_ECONFLICT (or the
 * engine's unique violation) when it was already, by anyone. */
int store_l2_day_record(struct store *s, const struct store_scope *scope, const char *day, int64_t outbox_id,
			int64_t n_contacts);
/* The days sent, the latest first (at most 31), with their mail's state in
 * the outbox: [{"day","outbox_id","contacts","at","state","last_error"}]. */
int store_l2_days(struct store *s, const struct store_scope *scope, json_t **ret_list);

/* The voice of the customer (voc.c). Every tenant's id (the daemon's fold). */
int store_voc_tenants(struct store *s, json_t **ret_list);
/* The tenant's contacts past its fold's cursor created before before_ms, in
 * id order, at most limit: [{"id","created_at","subject","tags","body" (the
 * first inbound message, or null),"notice" (an incident's notice: guichet's
 * own words, not a customer's)}]; the cursor they follow in *ret_cursor. */
int store_voc_pending(struct store *s, int64_t tenant_id, int64_t before_ms, int limit, json_t **ret_rows,
		      int64_t *ret_cursor);
/* Adds counts ([{"week","tag","topic","label","n"}]) and weeks ({week: contacts})
 * and moves the cursor to to_cursor, unless it is no longer at from_cursor
 * (*ret_folded false: folded already). In the caller's transaction. */
int store_voc_fold(struct store *s, int64_t tenant_id, int64_t from_cursor, int64_t to_cursor, const json_t *counts,
		   const json_t *weeks, bool *ret_folded);
/* The week's topics under tag ('' for every contact), most frequent first:
 * [{"topic","label","n"}], at most limit. */
int store_voc_week_top(struct store *s, const struct store_scope *scope, const char *week, const char *tag,
		       int limit, json_t **ret_list);
/* One topic's count in a week under tag (0 when none). */
int store_voc_topic_count(struct store *s, const struct store_scope *scope, const char *week, const char *tag,
			  const char *topic, int64_t *ret_n);
/* The tags counted in a week, in order, at most limit. */
int store_voc_week_tags(struct store *s, const struct store_scope *scope, const char *week, int limit,
			json_t **ret_list);
/* The contacts counted in a week. */
int store_voc_week_contacts(struct store *s, const struct store_scope *scope, const char *week, int64_t *ret_n);
/* The ended knowledge sessions of the contacts created in [from_ms, to_ms):
 * [{"tags","item_id","title","kind","resolved"}] (the article ended on, else the tree). */
int store_voc_knowledge_outcomes(struct store *s, const struct store_scope *scope, int64_t from_ms, int64_t to_ms,
				 json_t **ret_rows);
struct store_voc_schedule {
	int at_minute;              /* local time on Mondays, minutes after midnight */
	const char *to_addresses;   /* one a line */
	const char *lang;           /* "en" or "fr" */
	int64_t mailbox_id;
	bool barometer;             /* the barometer's monthly report too */
};
/* Sets the scope's digest schedule; GC_ENOTFOUND when the mailbox is not the tenant's. */
int store_voc_schedule_put(struct store *s, const struct store_scope *scope, const struct store_voc_schedule *in);
/* {"tenant_id","time","to":[...],"lang","mailbox_id","barometer","created_at","updated_at"}; GC_ENOTFOUND when none. */
int store_voc_schedule_get(struct store *s, const struct store_scope *scope, json_t **ret);
int store_voc_schedule_delete(struct store *s, const struct store_scope *scope);
int store_voc_schedule_all(struct store *s, json_t **ret_list);
/* Whether the mailing kind ("voice", "barometer") of period was queued. */
int store_voc_mailing_sent(struct store *s, const struct store_scope *scope, const char *kind, const char *period,
			   bool *ret_sent);
/* Records it with its (first) outbox mail; the key refuses a second. */
int store_voc_mailing_record(struct store *s, const struct store_scope *scope, const char *kind, const char *period,
			     int64_t outbox_id);
/* The latest mailings: [{"kind","period","outbox_id","at","state"}]. */
int store_voc_mailings(struct store *s, const struct store_scope *scope, json_t **ret_list);

/* Emails' and chats' attachments (attachment.c): a row per attachment, on its contact
 * and the message it came with, its bytes in chunks of at most
 * STORE_ATTACHMENT_CHUNK (seq 0, 1, ...), written one at a time and read
 * one at a time, so that no value of megabytes is bound or read whole. */
#define STORE_ATTACHMENT_CHUNK (256u * 1024)
struct store_attachment {
	int64_t contact_id, message_id; /* message_id 0: none */
	const char *filename;           /* or NULL */
	const char *content_type;
	int64_t size;                   /* decoded bytes */
	const char *sha256;             /* hex, of the bytes */
};
/* A new attachment, its bytes to come with store_attachment_chunk; its id. */
int store_attachment_add(struct store *s, const struct store_scope *scope, const struct store_attachment *in,
			 int64_t *ret_id);
/* Chunk seq of the attachment (at most STORE_ATTACHMENT_CHUNK bytes). */
int store_attachment_chunk(struct store *s, const struct store_scope *scope, int64_t attachment_id, int64_t seq,
			   const void *data, size_t len);
/* The contact's attachments, oldest first: [{"id","contact_id","message_id",
 * "filename","content_type","size","sha256","created_at"}]. */
int store_attachment_list(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list);
/* How many attachments the contact has. */
int store_attachment_count(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t *ret_n);
/* One attachment's row, as the list shows it: GC_ENOTFOUND in another tenant. */
int store_attachment_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
/* Hands the attachment's bytes to fn, a chunk at a time, in order (each
 * chunk valid during the call); a negative return of fn stops with it.
 * GC_ESTORE when the chunks do not add up to the attachment's size. */
typedef int store_bytes_fn(void *arg, const void *data, size_t len);
int store_attachment_read(struct store *s, const struct store_scope *scope, int64_t id, store_bytes_fn *fn,
			  void *arg);
/* The id of the contact's latest inbound message (the email just taken), 0 when none. */
int store_contact_last_inbound(struct store *s, const struct store_scope *scope, int64_t contact_id,
			       int64_t *ret_message_id);

/* What the tenant keeps of an email's attachments, in decoded bytes: an
 * attachment over max_attachment, or one that would take the message's
 * kept attachments over max_message, is dropped. */
struct store_attachment_limits {
	int64_t max_attachment, max_message;
};
#define STORE_ATTACHMENT_LIMITS_DEFAULT {25LL << 20, 50LL << 20}
#define STORE_ATTACHMENT_LIMIT_MAX (64LL << 20) /* what a message may be at all (parse.h) */
/* The tenant's limits, the defaults when it set none. */
int store_attachment_limits_get(struct store *s, const struct store_scope *scope,
				struct store_attachment_limits *ret);
/* Sets them (each 0 to STORE_ATTACHMENT_LIMIT_MAX, else GC_EINVAL), audited. */
int store_attachment_limits_set(struct store *s, const struct store_scope *scope,
				const struct store_attachment_limits *in);

/* Routing leases, for several nodes on one database (lease.c). */
struct store_lease {
	int64_t tenant_id, epoch, expires_at;
	char node[64];
};
/* Moves node's unexpired leases to until. */
int store_lease_renew(struct store *s, const char *node, int64_t now, int64_t until);
/* Tells the other nodes that node is alive until until (renewed with its
 * leases), and whether it takes calls. */
int store_lease_node_alive(struct store *s, const char *node, int64_t until, bool takes_calls);
/* A tenant's weight in the spreading: one plus its agents (LEASE_WEIGHT in
 * lease.c). */
struct store_lease_counts {
	int64_t weight, nodes, call_nodes, held; /* every tenant's weight; the nodes alive, those taking calls;
						    the weight of node's unexpired leases */
};
int store_lease_counts(struct store *s, const char *node, int64_t now, struct store_lease_counts *ret);
/* Takes, for node until until, leases of tenants with none or an expired
 * one (the epoch goes up by one), the heaviest first (then the lowest ids),
 * each while the weight taken before it is under weight. */
int store_lease_take(struct store *s, const char *node, int64_t now, int64_t until, int64_t weight);
/* Lets node's lightest unexpired leases (then the highest tenant ids)
 * expire now, at most max of them and as many as weigh together no more
 * than weight, for a node under its share to take; how many in *ret_given. */
int store_lease_give_back(struct store *s, const char *node, int64_t now, int64_t weight, int64_t max,
			  int64_t *ret_given);
/* Every lease, by tenant (free *ret). */
int store_lease_list(struct store *s, struct store_lease **ret, size_t *ret_n);
/* In the caller's transaction: GC_OK and the lease row locked until the
 * end of the transaction while node holds the tenant's lease under epoch,
 * unexpired; GC_EMOVED otherwise. */
int store_lease_fence(struct store *s, int64_t tenant_id, const char *node, int64_t epoch, int64_t now);
/* Lets node's leases expire now and takes its row out of the nodes alive
 * (a clean stop), for the others to take them. */
int store_lease_release(struct store *s, const char *node);

/* The agent who accepted the customer's latest contact (sticky agent), 0 if none. */
int store_customer_last_agent(struct store *s, int64_t tenant_id, int64_t customer_id, int64_t *ret_agent);
/* The contact's channel and customer (0 for none), for routing. */
int store_contact_brief(struct store *s, const struct store_scope *scope, int64_t contact_id,
			enum contact_channel *ret_channel, int64_t *ret_customer_id);
/* GC_OK when the contact is the scope's tenant's, else GC_ENOTFOUND. */
int store_contact_exists(struct store *s, const struct store_scope *scope, int64_t contact_id);
/* Sets the contact's queue label (the routing queue's name). */
int store_contact_set_queue(struct store *s, int64_t tenant_id, int64_t contact_id, const char *queue);

/* --- reports kept current (report.c) --- */

/* Folds the tenant's routing events written since its last fold, at most
 * limit of them (0: a default chunk), into the per half-hour rows, in the
 * caller's transaction: how many events were read (0: up to date). */
int store_report_fold(struct store *s, int64_t tenant_id, int limit);
/* Folds every tenant up to date, one transaction per chunk (start-up:
 * events written before migration 27, or offline by the demo). */
int store_report_catch_up(struct store *s);

/* How a summary is cut: one row per half hour (UTC start), queue, agent,
 * the agents' organisation, or channel. */
enum store_report_by { STORE_REPORT_INTERVAL, STORE_REPORT_QUEUE, STORE_REPORT_AGENT, STORE_REPORT_ORGANISATION,
	STORE_REPORT_CHANNEL };
struct store_report_query {
	int64_t from_ms, to_ms;     /* half hours starting in [from_ms, to_ms) */
	int64_t queue_id;           /* 0: every queue */
	int64_t organisation_id;    /* 0: every row; else its agents' rows only */
	enum store_report_by by;
};
/* The sums of the tenant's rows in the range, one object per group in the
 * group's order: its key ("start", "queue_id" and "name", "agent_id" and
 * "name", "organisation_id" and "name", or "channel") and offered,
 * answered, answered_within, answer_wait_ms, abandoned, abandon_wait_ms,
 * handled, handle_ms, transfers, escalations, staffed_ms. */
int store_report_summary(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			 json_t **ret_rows);
/* A contact is "once and done" when no contact of the same customer and
 * reason comes within this window after it. */
#define STORE_FCR_WINDOW_MS (7 * 24 * 3600 * 1000LL)
/* First-contact resolution of the contacts created in [from_ms, to_ms)
 * (that came in through queue_id, when not 0): those resolved or closed
 * with a customer and a reason (not abandoned or refused), and of them
 * those with no contact of the same customer and reason created in the 7
 * days after (by whatever way it came). */
int store_report_fcr(struct store *s, const struct store_scope *scope, int64_t from_ms, int64_t to_ms,
		     int64_t queue_id, int64_t *ret_resolved, int64_t *ret_once);
/* The organisation whose figures alone the caller may see: 0 for the
 * brand's own people, a platform admin and API tokens; the user's
 * organisation when it is not the tenant's (an outsourcer's). The reports'
 * rule, and the queues' live figures' (router_queue_stats, the streams). */
int store_report_viewer_organisation(struct store *s, const struct store_scope *scope, int64_t *ret_org);

/* --- reasons, satisfaction and knowledge kept current (report_contacts.c) --- */

/* Folds the tenant's contact events written since its last fold, at most
 * limit of them (0: a default chunk), into the reasons', satisfaction's and
 * knowledge's per half-hour rows, in the caller's transaction: how many
 * events were read (0: up to date). */
int store_report_contacts_fold(struct store *s, int64_t tenant_id, int limit);
/* Folds the tenants whose contact events this connection appended since
 * its last fold, each in a savepoint of the caller's transaction (a tenant
 * that fails keeps its cursor and is folded at its next batch); the first
 * error, after trying them all. */
int store_report_contacts_fold_touched(struct store *s);
/* Appends to the contact's events that the knowledge session id, on tree
 * (and the article it ended on, 0: none), resolved it or not: what the
 * knowledge report counts. */
int store_contact_kb_outcome(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t session_id,
			     int64_t tree_id, int64_t article_id, bool resolved);
/* Folds every tenant up to date, one transaction per chunk (start-up). */
int store_report_contacts_catch_up(struct store *s);
/* Resolutions per half hour (from_ms, to_ms, queue_id and organisation_id
 * of q; by is ignored): [{"start_ms","reason","disposition","contacts"}] in
 * time order; a contact without a reason has reason "". */
int store_report_reasons(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			 json_t **ret_rows);
/* Ratings cut by q->by (queue, agent, organisation or channel; GC_EINVAL
 * for interval): its key ("queue_id" and "name", ..., or "channel") and
 * rated, score_sum, score_1 ... score_5. */
int store_report_satisfaction(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			      json_t **ret_rows);
/* Knowledge items' outcomes in the range: [{"item_id","key","kind","title",
 * "resolved","said_no","repeated","self_service_solved",
 * "self_service_unsolved"}] (repeated: resolutions followed by a new
 * contact of the same customer and reason within 7 days; self_service_*:
 * the help centre's answers, none in an organisation's cut). */
int store_report_knowledge(struct store *s, const struct store_scope *scope, const struct store_report_query *q,
			   json_t **ret_rows);
/* A help centre customer's answer on an item at `at` (did it solve it, or
 * asked for a person), counted in its half hour. */
int store_report_self_service_add(struct store *s, int64_t tenant_id, int64_t at, int64_t item_id, bool solved);

/* --- business hours and first responses (hours.c) --- */

/* The tenant's business calendar as calendar.h's JSON text (malloc'd);
 * GC_ENOTFOUND when it has none. */
int store_calendar_get(struct store *s, int64_t tenant_id, char **ret_config);
/* The tenant's time zone, an ICU name: its business calendar's,
 * "UTC" when it has none. ret_zone holds GC_TZ_NAME_MAX. */
int store_tenant_zone(struct store *s, int64_t tenant_id, char *ret_zone);
/* Sets the tenant's calendar (checked JSON text). */
int store_calendar_put(struct store *s, const struct store_scope *scope, const char *config);
/* The contact's creation time and first-response due time (0: none). */
int store_contact_due_info(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t *ret_created,
			   int64_t *ret_due);
/* The contact entered queue_id: it becomes its entry queue and due_at (0:
 * none) its due time, each only when it has none yet. */
int store_contact_entered(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t queue_id, int64_t due_at);
/* The contact's first response came at at (kept when it has one already). */
int store_contact_first_response(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t at);
/* An agent took the call or chat at at: its first response, unless it is a
 * callback (answered when the customer is reached, not when the agent
 * takes it to dial). */
int store_contact_taken(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t at);
/* Open contacts (not resolved or closed) without a first response, due at
 * or before until, of entry queue queue_id (0: any), most urgent first, at
 * most limit: {id, subject, state, queue, entry_queue_id, customer_id,
 * created_at, due_at, overdue, late_s} with late_s = now - due_at in
 * seconds (negative: still early). */
int store_contacts_due(struct store *s, const struct store_scope *scope, int64_t now, int64_t until,
		       int64_t queue_id, int limit, json_t **ret_list);
/* fn for every contact created in [from, to) that entered a queue (of
 * entry queue queue_id, 0: any), oldest first; first_response_at is 0 for
 * none. A negative answer from fn stops and is returned. */
typedef int (*store_received_fn)(void *arg, int64_t entry_queue_id, int64_t created_at, int64_t first_response_at);
int store_contacts_received(struct store *s, const struct store_scope *scope, int64_t from, int64_t to,
			    int64_t queue_id, store_received_fn fn, void *arg);

/* --- disposition codes (disposition.c): what an agent chooses when finishing a contact --- */

/* The tenant's codes, [{"code", "label"}] in its order ([] for none). */
int store_dispositions_get(struct store *s, int64_t tenant_id, json_t **ret_items);
/* Replaces the scope's tenant's list (audited); an empty one takes any text. */
int store_dispositions_put(struct store *s, const struct store_scope *scope, const struct disposition_list *in);
/* GC_OK when code is one of the tenant's codes, or it has none; GC_EINVAL
 * otherwise, with the codes, comma-separated, in ret_codes (cut at len). */
int store_disposition_check(struct store *s, int64_t tenant_id, const char *code, char *ret_codes, size_t len);

/* --- goodwill gestures (gesture.c): credits, gifts and waivers on contacts --- */

/* A gesture to record: kind, state and role as model/gesture.h names them. */
struct store_gesture {
	int64_t contact_id, amount_cents;
	const char *kind, *currency, *reason, *note, *state, *role;
};
/* What deciding on a gesture needs to know of it. */
struct store_gesture_facts {
	int64_t contact_id, amount_cents, author_user;
	char state[16];
};
/* The tenant's settings as JSON text (GC_ENOTFOUND: none set, the defaults
 * apply); *ret_text is the caller's to free. */
int store_gesture_settings_get(struct store *s, int64_t tenant_id, char **ret_text);
int store_gesture_settings_put(struct store *s, const struct store_scope *scope, const char *config);
/* Records g on its contact (GC_ENOTFOUND: no such contact in the tenant),
 * by scope's user, with a "gesture_recorded" event on the contact. */
int store_gesture_create(struct store *s, const struct store_scope *scope, const struct store_gesture *g,
			 int64_t *ret_id);
/* One gesture as JSON (ret may be NULL) and its facts (may be NULL). */
int store_gesture_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret,
		      struct store_gesture_facts *ret_facts);
/* A pending gesture approved or refused (state) by scope's actor with an
 * optional note, with a "gesture_decided" event; GC_ECONFLICT when it is
 * no longer pending. */
int store_gesture_decide(struct store *s, const struct store_scope *scope, int64_t id, const char *state,
			 const char *note);
/* The tenant's gestures, newest first, optionally of one contact
 * (contact_id) or state, and (organisation_id, 0: all) those recorded by
 * that organisation's people, as a page. */
int store_gesture_list(struct store *s, const struct store_scope *scope, int64_t contact_id, const char *state,
		       int64_t organisation_id, int64_t after_id, int limit, json_t **ret_page);
/* Gestures recorded in [from, to): counts and values per reason, per agent
 * and in all ({"by_reason", "by_agent", "total"}). */
int store_gesture_report(struct store *s, const struct store_scope *scope, int64_t from, int64_t to, json_t **ret);

/* --- callbacks (callback.c): customers' requests to be called back --- */

/* A callback's state as stored: scheduled (waits for its window or its next
 * attempt), waiting (in its queue), done, missed or cancelled. A waiting one
 * is read as "offered" or "dialing" while its contact is offered to or held
 * by an agent (the routing row), so the store never lags the router, and as
 * "done" once its contact left the routing without an outcome. */

struct store_callback {
	int64_t contact_id, origin_contact_id, queue_id;
	const char *phone, *name, *source;  /* phone: ops_phone_key's form */
	int64_t window_from, window_to;     /* ms; 0: as soon as possible */
	int max_attempts;
	const char *state;                  /* scheduled or waiting */
	int64_t next_attempt_at, enqueued_at; /* ms; 0: none */
};
int store_callback_create(struct store *s, const struct store_scope *scope, const struct store_callback *in,
			  int64_t *ret_id);
/* {"id","contact_id","origin_contact_id","queue_id","phone","name","window":{"from","to"}|null,"source",
 * "state","attempts","max_attempts","next_attempt_at","outcome","missed_reason","created_at",
 * "reached_at","done_at"}; the phone masked but for its last two digits
 * for a scope that does not see personal data. */
int store_callback_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
/* The callback whose contact is contact_id (GC_ENOTFOUND: none). */
int store_callback_of_contact(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret);
/* Newest first; state (NULL: any) as read (offered and dialing included). */
int store_callback_list(struct store *s, const struct store_scope *scope, const char *state, int64_t after_id,
			int limit, json_t **ret_page);
/* The tenant's open callback for phone (scheduled, waiting, offered or
 * dialing), the oldest. */
int store_callback_open_for(struct store *s, int64_t tenant_id, const char *phone, int64_t *ret_id);

/* What the core operations decide on. */
struct store_callback_row {
	int64_t id, tenant_id, contact_id, queue_id;
	int64_t window_from, window_to, next_attempt_at, enqueued_at, created_at; /* 0: none */
	int64_t agent_id;           /* the agent offered or holding it, 0: none */
	int attempts, max_attempts;
	char state[16];             /* as read */
};
int store_callback_row(struct store *s, int64_t tenant_id, int64_t id, struct store_callback_row *ret);
/* Callbacks due at now: scheduled ones whose next attempt came (which is
 * before their window's end), and those still waiting in their queue, not
 * offered, when their window ended; at most max, oldest due first. */
int store_callbacks_due(struct store *s, int64_t now, struct store_callback_row *ret_rows, size_t max,
			size_t *ret_n);
/* A change of state; fields at 0 or NULL are kept. */
struct store_callback_change {
	const char *state, *outcome, *missed_reason;
	int attempts;               /* -1: kept */
	int64_t next_attempt_at, enqueued_at, reached_at, done_at;
};
int store_callback_update(struct store *s, int64_t tenant_id, int64_t id, const struct store_callback_change *c);

/* The tenant's settings: the queue public requests wait in (0: none),
 * seconds between attempts, attempts in all. GC_ENOTFOUND: never set. */
int store_callback_settings_get(struct store *s, int64_t tenant_id, int64_t *ret_queue_id, int *ret_retry_after_s,
				int *ret_max_attempts);
int store_callback_settings_put(struct store *s, const struct store_scope *scope, int64_t queue_id,
				int retry_after_s, int max_attempts);
/* Callbacks requested in [from, to): {"requested","reached","missed":{"total","attempts_exhausted",
 * "window_passed","wrong_number"},"cancelled","open","ended_without_outcome","mean_to_reach_s",
 * "missed_list":[{"id","contact_id","phone","window","attempts","reason"}]}. */
int store_callback_report(struct store *s, const struct store_scope *scope, int64_t from, int64_t to,
			  json_t **ret);

/* --- idempotency keys (idempotency.c) --- */

#define STORE_IDEMPOTENCY_TTL_MS (24LL * 3600 * 1000)

/* The answer recorded within the last 24 hours for key, sent by the scope's
 * caller (its user, or its token when it has none) in its tenant for
 * request ("POST /api/v1/contacts/8/notes": the method and the full path):
 * GC_OK with its status and text (malloc'd), GC_ENOTFOUND (also for the same
 * key from another caller or for another request), or GC_ECONFLICT when the
 * key was used with another body. */
int store_idempotency_get(struct store *s, const struct store_scope *scope, const char *key,
			  const char *request, const unsigned char body_hash[32], int *ret_status,
			  char **ret_answer);
/* Records the answer given for key, and forgets keys older than 24 hours. */
int store_idempotency_put(struct store *s, const struct store_scope *scope, const char *key,
			  const char *request, const unsigned char body_hash[32], int status,
			  const char *answer);

/* --- knowledge (kb.c, kb_session.c) --- */

/* Creates an item (a draft) or puts a new draft on it; content is a
 * canonical article or tree (guichet/kb_content.h). Content equal to the
 * item's draft changes nothing (its review and approvals go on):
 * *ret_unchanged when not NULL. GC_ECONFLICT when the id is an item of the
 * other kind. */
int store_kb_put(struct store *s, const struct store_scope *scope, const json_t *content, bool *ret_created,
		 bool *ret_unchanged);
/* The item with its draft ("draft"), state, approvals and open flags. */
int store_kb_get(struct store *s, const struct store_scope *scope, const char *key, json_t **ret);
/* What readers (agents, trainees) list: every item with a published
 * version that is not archived, a new draft under way or not, with the
 * published version's title and language and the state "published". */
int store_kb_list_published(struct store *s, const struct store_scope *scope, const char *kind, json_t **ret_list);
int store_kb_list(struct store *s, const struct store_scope *scope, const char *kind, const char *state,
		  json_t **ret_list);
/* submit (draft → review), approve (one reviewer's approval; approved when
 * the tenant's count is reached; not by the owner), reject (back to draft),
 * publish (approved → a new immutable version; force publishes a draft
 * directly), archive. GC_ESTATE when the state does not allow it. */
int store_kb_transition(struct store *s, const struct store_scope *scope, const char *key, const char *action,
			int64_t review_by, bool force);
/* reject with the reviewer's comment (NULL for none), kept on the item as
 * "review_comment" for its author until the next publication. */
int store_kb_reject(struct store *s, const struct store_scope *scope, const char *key, const char *comment);
int store_kb_approvals_needed(struct store *s, int64_t tenant_id, int *ret);
int store_kb_settings_set(struct store *s, const struct store_scope *scope, int approvals);
/* Sends published items whose review-by date passed back to review, at
 * most STORE_KB_REVIEW_BATCH at a time (their count in *ret_n). */
#define STORE_KB_REVIEW_BATCH 100
int store_kb_review_due(struct store *s, int64_t now, int *ret_n);
/* The published version of key (GC_ENOTFOUND when none, or archived). */
int store_kb_published(struct store *s, int64_t tenant_id, const char *key, int64_t *ret_item, int *ret_version,
		       json_t **ret_content);
int store_kb_version(struct store *s, int64_t tenant_id, int64_t item_id, int version, json_t **ret_content);
int store_kb_versions(struct store *s, const struct store_scope *scope, int64_t item_id, json_t **ret_list);
/* Each published item (or only one when only_item is not 0). */
int store_kb_each_published(struct store *s, int64_t tenant_id, int64_t only_item,
			    int (*fn)(int64_t item_id, int version, const char *content, void *arg), void *arg);
int store_kb_flag(struct store *s, const struct store_scope *scope, const char *key, const char *reason,
		  const char *comment, json_t **ret);
int store_kb_flags(struct store *s, const struct store_scope *scope, bool mine, bool open_only, json_t **ret_list);
/* Resolves an open flag with the owner's note (NULL for none), kept as its "resolution". */
int store_kb_flag_resolve(struct store *s, const struct store_scope *scope, int64_t id, const char *note);
/* Learning: adds resolutions (ok) and failures to the link of a stem to an item. */
int store_kb_link_add(struct store *s, int64_t tenant_id, const char *lang, const char *term, int64_t item_id,
		      int ok, int failed);
int store_kb_link_remove(struct store *s, const struct store_scope *scope, const char *lang, const char *term,
			 int64_t item_id);
int store_kb_link_get(struct store *s, int64_t tenant_id, const char *lang, const char *term, int64_t item_id,
		      int *ret_ok, int *ret_failed);
int store_kb_each_link(struct store *s, int64_t tenant_id,
		       int (*fn)(const char *lang, const char *term, int64_t item_id, int ok, int failed, void *arg),
		       void *arg);
/* Learned links, of one item or (item_id 0) all. */
int store_kb_links(struct store *s, const struct store_scope *scope, int64_t item_id, json_t **ret_list);
/* A word of a resolved query that matched nothing: a thesaurus proposal. */
int store_kb_unmatched_add(struct store *s, int64_t tenant_id, const char *lang, const char *word, int64_t item_id);
int store_kb_proposals(struct store *s, const struct store_scope *scope, json_t **ret_list);
/* Refuses a proposal: forgets the word's unmatched counts (GC_ENOTFOUND when
 * none); it is proposed again if customers use it again. */
int store_kb_proposal_refuse(struct store *s, const struct store_scope *scope, const char *lang, const char *word);
/* Adds (or removes: GC_ENOTFOUND when absent) a tenant's synonym. */
int store_kb_synonym_put(struct store *s, const struct store_scope *scope, const char *lang, const char *word,
			 const char *phrase, bool add);
int store_kb_synonym_exists(struct store *s, int64_t tenant_id, const char *lang, const char *word,
			    const char *phrase, bool *ret);
int store_kb_synonyms(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_kb_each_synonym(struct store *s, int64_t tenant_id,
			  int (*fn)(const char *lang, const char *word, const char *phrase, void *arg), void *arg);
/* The change log searches follow: the last sequence number, and the changes in (after, upto]. */
struct store_kb_change {
	int64_t seq, item_id;
	char kind[16], lang[8], term[256], phrase[256];
};
int store_kb_seq(struct store *s, int64_t tenant_id, int64_t *ret);
int store_kb_changes(struct store *s, int64_t tenant_id, int64_t after, int64_t upto,
		     int (*fn)(const struct store_kb_change *c, void *arg), void *arg);

struct store_kb_session {
	const char *mode;           /* agent, training, public */
	int64_t user_id, contact_id, tree_id;
	int tree_version;
	const char *query, *lang, *context, *scenario, *secret;
};
int store_kb_session_create(struct store *s, int64_t tenant_id, const struct store_kb_session *in, int64_t *ret_id);
/* The session as JSON (context, answers, path and scenario parsed; its secret included). */
int store_kb_session_get(struct store *s, int64_t tenant_id, int64_t id, json_t **ret);
int store_kb_session_walk(struct store *s, int64_t tenant_id, int64_t id, const json_t *answers, const json_t *path,
			  const char *outcome, const char *outcome_node, int64_t article_id, int article_version);
/* GC_ESTATE when it has ended already. score -1: none. */
int store_kb_session_end(struct store *s, int64_t tenant_id, int64_t id, bool resolved, const char *feedback,
			 int score);
int store_kb_sessions_of_contact(struct store *s, const struct store_scope *scope, int64_t contact_id,
				 json_t **ret_list);
/* GC_OK when user holds the contact (of the scope's tenant) or held it once
 * (accepted it from a queue), else GC_ENOTFOUND: who may read its diagnosis
 * sessions. */
int store_contact_handled_by(struct store *s, const struct store_scope *scope, int64_t contact_id, int64_t user_id);
/* Ties a session to the contact it became (a self-service escalation). */
int store_kb_sessions_attach(struct store *s, int64_t tenant_id, int64_t id, int64_t contact_id);
/* GC_OK when the tenant exists (self-service addresses tenants by id). */
int store_tenant_exists(struct store *s, int64_t tenant_id);
/* Records that a contact used a published version. */
int store_kb_use(struct store *s, int64_t tenant_id, int64_t contact_id, int64_t item_id, int version,
		 int64_t session_id);
int store_kb_uses_of_contact(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list);
/* Training sessions per agent and tree (user_id 0: every agent). */
int store_kb_training_progress(struct store *s, const struct store_scope *scope, int64_t user_id, json_t **ret_list);
/* {"trees_failing", "articles_unused", "queries_failing"}. */
int store_kb_gaps(struct store *s, const struct store_scope *scope, json_t **ret);

/* --- the audit log (audit.c) --- */

/* Appends who did what. tenant_id 0: platform-level. detail may be NULL. */
int store_audit(struct store *s, const struct store_scope *scope, int64_t tenant_id,
		const char *action, const char *target, json_t *detail);
int store_audit_list(struct store *s, const struct store_scope *scope, int64_t after_id,
		     int limit, json_t **ret_page);
/* Records a failed login for email in each tenant where it has a membership. */
int store_audit_failed_login(struct store *s, const char *email, const char *ip);

/* --- backup and restore of a database file (backup.c) --- */

/* One copy: its settings, what it copied, and why it failed. */
struct store_copy {
	int step_pages;             /* pages copied per step (0: 256) */
	int pause_ms;               /* pause between steps, to spare a busy disk */
	bool force;                 /* replace a target that is not empty */
	int schema_version;         /* out: the copy's schema version */
	int64_t pages;              /* out: pages copied */
	char errmsg[512];           /* out: on failure, what went wrong, naming the file or option */
};
/* Copies the database at db_path, which a daemon may be serving and
 * writing meanwhile, into a new file to_path: a consistent snapshot of what
 * was committed when it began, in one file (no WAL), mode 0600 (a replaced
 * file's owner and mode are kept). The copy is
 * written beside to_path and renamed into place once on disk: to_path is
 * never half-written. GC_ECONFLICT when to_path exists (unless force),
 * GC_EBUSY when a process has it open, GC_EINVAL for a PostgreSQL URL (use
 * pg_dump) or a file that is not a guichet database, GC_ESCHEMA for a newer
 * one, GC_ENOTFOUND when db_path is absent, GC_EIO. */
int store_backup(const char *db_path, const char *to_path, struct store_copy *copy);
/* Replaces the database at db_path with the backup from_path, written the
 * same way (a replaced file's owner and mode are kept). Refuses (before writing anything) a db_path a process has open
 * (GC_EBUSY, even with force), one that is not empty (GC_ECONFLICT, unless
 * force), a from_path that is not a guichet database or fails PRAGMA
 * integrity_check (GC_EINVAL), or has a schema newer than this build's
 * (GC_ESCHEMA). An older schema is restored as it is; guichetd migrates
 * it at start. Both look for other processes' POSIX locks on the target, so
 * they are for a process that has no connection to it (the CLI): closing
 * the file descriptor used for that look would drop this process's own. */
int store_restore(const char *from_path, const char *db_path, struct store_copy *copy);

/* --- moving a SQLite installation to PostgreSQL (migrate.c) --- */

#define STORE_MIGRATE_MAX_TABLES 128 /* the schema had more than 64 from migration 30 */
#define STORE_MIGRATE_HASH_LEN 16   /* BLAKE2b-128 */

/* One table moved: counted and checksummed on both sides. The checksum
 * hashes the table's rows in primary-key order, each in PostgreSQL's COPY
 * text form (tab-separated, \N for NULL, bytea as \\x and hex): the file
 * side over what was sent, the server side over what it sends back. */
struct store_migrate_table {
	char name[64];
	int64_t rows, target_rows;
	unsigned char checksum[STORE_MIGRATE_HASH_LEN], target_checksum[STORE_MIGRATE_HASH_LEN];
	bool ok;                    /* same count, same checksum */
};

/* One migration: what it did, and why it failed. */
struct store_migration {
	/* called as each table is copied (may be NULL): progress for people */
	void (*on_copied)(const struct store_migrate_table *t, void *arg);
	void *arg;
	int schema_version;         /* out: the file's (this build's) */
	bool source_in_use;         /* out: another process had the file open (guichetd?) */
	size_t n_tables;            /* out: tables compared, in copy order */
	struct store_migrate_table tables[STORE_MIGRATE_MAX_TABLES];
	bool committed;             /* out: the server kept the copy */
	char errmsg[512];           /* out: on failure, what went wrong, naming FILE or the URL */
};
/* Copies every table of the guichet database at from_path (a snapshot, as
 * store_backup reads it, so a daemon may still be writing the file: what
 * it writes after the start is not moved) into the PostgreSQL database at
 * to_url: the baseline schema is created there (store_open), then every
 * row is copied, parents before children, identity sequences are set past
 * the largest id, and each table's count and checksum are compared, all in
 * one transaction that commits only when every table matches. On any
 * failure nothing of the copy is committed (the target may keep the empty
 * schema). GC_EINVAL for a to_url that is not postgresql:// or a file that
 * is not a guichet database, GC_ENOTFOUND when from_path is absent,
 * GC_ESCHEMA for a file at another schema version than this build's,
 * GC_ECONFLICT for a target that holds guichet rows or a guichet schema at
 * another version, GC_EIO when the server cannot be reached, GC_ESTORE when
 * the copy fails or a table differs (m->tables says which). */
int store_migrate(const char *from_path, const char *to_url, struct store_migration *m);

/* --- SMS and social messages (messaging.c, schema migration 19) --- */

/* A messaging channel as written: every string but account set on create;
 * on update, NULL (or sealed NULL, queue_id -1) keeps what is stored. */
struct store_messaging_channel {
	const char *name, *provider, *kind, *public_key, *webhook_url, *api_url, *account, *address;
	const unsigned char *sealed; /* the provider's secret, sealed (daemon/secrets.h) */
	size_t sealed_len;
	int64_t queue_id;            /* 0: none */
};
int store_messaging_channel_create(struct store *s, const struct store_scope *scope,
				   const struct store_messaging_channel *in, int64_t *ret_id);
/* {"id","name","provider","kind","public_key","webhook_url","api_url","account","address",
 * "queue_id","created_at","updated_at"}: never the secret. */
int store_messaging_channel_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
int store_messaging_channel_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_messaging_channel_update(struct store *s, const struct store_scope *scope, int64_t id,
				   const struct store_messaging_channel *in);
int store_messaging_channel_delete(struct store *s, const struct store_scope *scope, int64_t id);
/* The channel whose webhook has this public key, any tenant's (the row with
 * "tenant_id"), and its sealed secret (malloc'd): GC_ENOTFOUND when none. */
int store_messaging_channel_by_key(struct store *s, const char *public_key, json_t **ret, unsigned char **ret_sealed,
				   size_t *ret_sealed_len);
int store_messaging_channel_sealed(struct store *s, const struct store_scope *scope, int64_t id,
				   unsigned char **ret, size_t *ret_len);

/* A message in or out through a channel. */
struct store_messaging_message {
	int64_t channel_id, contact_id, message_id; /* message_id 0: none */
	const char *direction, *provider_id, *peer, *body, *state;
};
int store_messaging_add(struct store *s, const struct store_scope *scope, const struct store_messaging_message *in,
			int64_t *ret_id);
/* The contact an inbound message of this provider id on the channel joined:
 * GC_ENOTFOUND when it was never taken. */
int store_messaging_inbound_contact(struct store *s, const struct store_scope *scope, int64_t channel_id,
				    const char *provider_id, int64_t *ret_contact_id);
/* The newest contact of peer on the channel, and its customer; open: only
 * one that is not resolved or closed. GC_ENOTFOUND when none. */
int store_messaging_peer_contact(struct store *s, const struct store_scope *scope, int64_t channel_id,
				 const char *peer, bool open, int64_t *ret_contact_id, int64_t *ret_customer_id);
/* The hook of ops_message_add: an outbound message on a contact that came
 * through a messaging channel is queued to its peer, on the channel of the
 * contact's last inbound message; nothing for any other contact. */
int store_messaging_queue_reply(struct store *s, const struct store_scope *scope, int64_t contact_id,
				int64_t message_id, const char *body);
/* Outbound messages due to be sent (queued, or sending past next_at), any
 * tenant's: [{"id","tenant_id","channel_id","contact_id","peer","body","attempts"}]. */
int store_messaging_due(struct store *s, int64_t now, int limit, json_t **ret_list);
/* An outbound message's new state and last error (NULL: none); provider_id NULL keeps its own. */
int store_messaging_mark(struct store *s, const struct store_scope *scope, int64_t id, const char *state,
			 int64_t attempts, int64_t next_at, const char *provider_id, const char *last_error);
/* A delivery receipt: the outbound message of this provider id on the
 * channel moves to status (sent, delivered, undelivered, failed) unless it
 * is already delivered, undelivered or failed; error NULL keeps its last
 * error. A receipt of no message of the channel changes nothing. */
int store_messaging_receipt(struct store *s, const struct store_scope *scope, int64_t channel_id,
			    const char *provider_id, const char *status, const char *error);
/* The contact's messages through channels, oldest first: [{"id","channel_id","message_id",
 * "direction","provider_id","peer","state","attempts","last_error","created_at","updated_at"}]. */
int store_messaging_list(struct store *s, const struct store_scope *scope, int64_t contact_id, json_t **ret_list);

/* --- voice (voice.c, schema migration 20) --- */

/* A telephone number as written: number (ops_phone_key's form) and lang
 * set on create; on update NULL keeps what is stored, "" clears menu and
 * greeting, queue_id -1 keeps it (0: none). menu is JSON text, checked by
 * the caller (channel/voice/menu.h). */
struct store_voice_number {
	const char *number, *menu, *greeting, *lang;
	const char *waiting;       /* JSON (channel/voice/announce.h), as menu: NULL keeps, "" clears */
	int64_t queue_id;
	/* the greeting as one of the tenant's recordings (schema migration 42,
	 * checked by the caller): as queue_id, -1 keeps (update), 0 none */
	int64_t greeting_recording;
};
/* GC_ECONFLICT when the number is live in any tenant. */
int store_voice_number_create(struct store *s, const struct store_scope *scope, const struct store_voice_number *in,
			      int64_t *ret_id);
/* {"id","number","queue_id","menu","greeting","lang","created_at","updated_at","waiting","greeting_recording"}. */
int store_voice_number_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
int store_voice_number_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_voice_number_update(struct store *s, const struct store_scope *scope, int64_t id,
			      const struct store_voice_number *in);
int store_voice_number_delete(struct store *s, const struct store_scope *scope, int64_t id);
/* The live number, any tenant's (the row with "tenant_id"): the telephony
 * thread's look-up of a call's tenant. GC_ENOTFOUND when none. */
int store_voice_number_find(struct store *s, const char *number, json_t **ret);
/* Appends a call's event (answered, menu choice, ended) to the contact's
 * timeline as the scope's actor. GC_ENOTFOUND for a contact not in the tenant. */
int store_voice_event(struct store *s, const struct store_scope *scope, int64_t contact_id, const char *type,
		      const json_t *data);
/* The calls answered since then (ms) whose call never ended on the
 * timeline: [{"tenant_id", "contact_id", "answered_at"}, ...], oldest
 * first. What guichetd stopped without ending (a crash) is recorded as
 * interrupted at its next start (src/channel/voice/calls.c). */
int store_voice_calls_unended(struct store *s, int64_t since, json_t **ret_list);
/* Agents' SIP phones (schema migration 24): sets the username and digest
 * HA1 (32 hex digits) the agent user_id's phone registers with.
 * GC_ENOTFOUND when user_id is not an agent of the tenant, GC_ECONFLICT
 * when another agent of the tenant has the username. */
int store_voice_phone_set(struct store *s, const struct store_scope *scope, int64_t user_id, const char *username,
			  const char *ha1);
/* The agent whose phone registers as username in the tenant, and its HA1
 * (33 bytes with the NUL): the registrar's look-up. GC_ENOTFOUND when none,
 * or when the user is disabled in the tenant. */
int store_voice_phone_find(struct store *s, int64_t tenant_id, const char *username, int64_t *ret_user_id,
			   char ret_ha1[33]);

/* A queue's own waiting settings (schema migration 36) and music on hold
 * (41): waiting is the JSON of a number's "waiting" (channel/voice/
 * announce.h, checked by the caller), winning over the number's for the
 * callers waiting in that queue; music the id of one of the tenant's
 * recordings (checked by the caller) played to them instead of --moh-file.
 * set: waiting NULL keeps it, "null" gives it back to the numbers; music
 * -1 keeps it, 0 clears it; a queue left with neither has no row.
 * GC_ENOTFOUND when the queue is not the tenant's. */
int store_voice_queue_set(struct store *s, const struct store_scope *scope, int64_t queue_id, const char *waiting,
			  int64_t music);
/* {"queue_id","waiting","music","updated_at"} (waiting null: the numbers';
 * music null: --moh-file); GC_ENOTFOUND when the queue has neither of its own. */
int store_voice_queue_get(struct store *s, const struct store_scope *scope, int64_t queue_id, json_t **ret);
/* Every queue of the tenant with settings of its own, by id. */
int store_voice_queue_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
/* The first live queue whose music is the recording, into *ret_queue_id (0: none). */
int store_voice_queue_music_user(struct store *s, const struct store_scope *scope, int64_t recording_id,
				 int64_t *ret_queue_id);

/* A tenant's own recordings of its prompts (schema migration 34): 8 kHz
 * mono 16-bit samples (channel/voice/wav.h made them), kept in the row.
 * GC_ECONFLICT when the tenant has a recording of that name. */
#define STORE_VOICE_PROMPT_RATE 8000
#define STORE_VOICE_PROMPTS_MAX 50 /* a tenant's recordings */
int store_voice_prompt_create(struct store *s, const struct store_scope *scope, const char *name,
			      const int16_t *samples, size_t n, int64_t *ret_id);
/* {"id","name","duration_ms","bytes","created_at"}. */
int store_voice_prompt_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret);
int store_voice_prompt_list(struct store *s, const struct store_scope *scope, json_t **ret_list);
int store_voice_prompt_count(struct store *s, const struct store_scope *scope, int64_t *ret);
/* The recording's samples (malloc'd, *ret_n of them): GC_ENOTFOUND when it
 * is not the tenant's. */
int store_voice_prompt_audio(struct store *s, const struct store_scope *scope, int64_t id, int16_t **ret,
			     size_t *ret_n);
int store_voice_prompt_delete(struct store *s, const struct store_scope *scope, int64_t id);

/* A tenant's own trunk (schema migration 38): the SIP URI template its
 * callbacks' customers are called through ({number}), checked by the
 * caller, with the digest credentials answering the provider's challenges
 * (40; username NULL: none), and whether guichet registers to the provider
 * (48: the registrar's URI, NULL for the trunk's host; the expiry asked,
 * 0 for the default; both kept only when it registers). The password
 * comes sealed (daemon/secrets.h) and set replaces the row whole. get:
 * {"uri","username","updated_at","register","registrar",
 * "register_expires"}, never the password; GC_ENOTFOUND when the tenant
 * has none (the installation's --sip-trunk applies). */
struct store_voice_trunk {
	const char *uri;
	const char *username;      /* NULL: no credentials */
	const unsigned char *sealed; /* the password, sealed */
	size_t sealed_len;
	bool registers;            /* guichet registers to the provider */
	const char *registrar;     /* NULL: the trunk's own host and port */
	int64_t register_expires;  /* seconds; 0: the default */
};
int store_voice_trunk_set(struct store *s, const struct store_scope *scope, const struct store_voice_trunk *in);
int store_voice_trunk_clear(struct store *s, const struct store_scope *scope);
int store_voice_trunk_get(struct store *s, const struct store_scope *scope, json_t **ret);
/* The same row and the sealed password (malloc'd; NULL when none), for the
 * telephony thread that dials and registers through the trunk. */
int store_voice_trunk_dial(struct store *s, const struct store_scope *scope, json_t **ret, unsigned char **ret_sealed,
			   size_t *ret_sealed_len);
/* Every tenant's trunk that registers, [{"tenant_id","updated_ms"}] by
 * tenant: not scoped, for the telephony thread alone, which registers for
 * every tenant and reads each trunk then with its tenant's scope (as a
 * call's number is found before its tenant is known). */
int store_voice_trunks_registering(struct store *s, json_t **ret_list);

/* --- calls' recordings (recording.c, schema migration 29) --- */

#define STORE_RECORDING_RETENTION_DAYS 90 /* a tenant's retention without a setting */
#define STORE_RECORDING_MAX_DAYS 3650

/* A recording whose file is whole: path is its name in the recordings
 * folder; queue_id and agent_id 0 when unknown. */
struct store_recording {
	int64_t contact_id, queue_id, agent_id;
	int64_t started_at, duration_ms, bytes;
	const char *path;
};
/* The row and the contact's call_recorded event {"recording_id",
 * "duration_ms","bytes"}. GC_ENOTFOUND for a contact not in the tenant. */
int store_recording_add(struct store *s, const struct store_scope *scope, const struct store_recording *in,
			int64_t *ret_id);
/* A contact's recordings: [{"id","contact_id","queue_id","agent_id","started_at","duration_ms","bytes",
 * "created_at"}], oldest first; organisation_id not 0: only those of calls
 * that organisation's agents took. */
int store_recording_list(struct store *s, const struct store_scope *scope, int64_t contact_id,
			 int64_t organisation_id, json_t **ret_list);
/* One recording of the tenant (and, organisation_id not 0, of a call that
 * organisation's agents took), with its "path" too. GC_ENOTFOUND when none. */
int store_recording_get(struct store *s, const struct store_scope *scope, int64_t id, int64_t organisation_id,
			json_t **ret);
/* Whether a row names the file path (the sweep of orphans at start). */
int store_recording_known(struct store *s, const char *path, bool *ret_known);
/* Deletes at most max rows past their tenant's retention at now, oldest
 * first: [{"id","tenant_id","contact_id","path"}], whose files the caller
 * removes once this is committed. */
int store_recordings_expire(struct store *s, int64_t now, int max, json_t **ret_removed);
/* Whether the tenant's queue records its calls (the telephony thread's look-up). */
int store_recording_queue_on(struct store *s, int64_t tenant_id, int64_t queue_id, bool *ret_on);
/* {"retention_days","queues":[id...],"outsourcers_listen":bool}. */
int store_recording_settings_get(struct store *s, const struct store_scope *scope, json_t **ret);
/* A change of the settings: what is left unset keeps its value. */
struct store_recording_settings {
	int64_t retention_days;    /* > 0 sets it */
	int outsourcers_listen;    /* 0 or 1 sets it (schema migration 39); -1 leaves it */
	bool set_queues;           /* the recorded queues become queues[0 .. n_queues) */
	const int64_t *queues;
	size_t n_queues;
};
/* GC_EINVAL (the message names it) for a queue not the tenant's. */
int store_recording_settings_put(struct store *s, const struct store_scope *scope,
				 const struct store_recording_settings *in);

#endif
