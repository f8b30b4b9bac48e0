/* Request decoding: JSON bodies to domain structs, with every limit checked.
 *
 * The decoders are strict: an unknown field, a wrong type, a string over its
 * maximum or with control characters, or a value out of range is refused
 * with the offending field named. Strings in the structs point into the
 * json_t the caller parsed and must outlive. These are the functions behind
 * fuzz/fuzz-decode.c. */
#ifndef GUICHET_DECODE_H
#define GUICHET_DECODE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guichet/contact.h"
#include "guichet/message.h"
#include "guichet/role.h"

#define DECODE_MAX_TAGS 32
#define DECODE_MAX_ATTRS 64           /* attributes per customer */
#define DECODE_MAX_ATTR_KEY 64        /* bytes of an attribute's name */
#define DECODE_MAX_ATTR_VALUE 4096    /* bytes of an attribute's value */
#define DECODE_MAX_DEPTH 32           /* nesting of arrays and objects in a body */
#define DECODE_MAX_TEXT (64 * 1024) /* a message or a note body */

struct decode_error {
	int code;        /* GC_EINVAL, or GC_ETOOBIG for a value over its limit */
	char field[96];  /* the offending field, "" for the body as a whole */
	char message[192];
	/* message's template and values (decode_fail), for a client to
	 * translate; they hold while message is what decode_fail wrote
	 * (said_hash), whatever wrote message since. Declare it = {0}. */
	struct gc_message said;
	uint64_t said_hash;
};

/* err's template and values when its message is still decode_fail's; NULL
 * otherwise. */
const struct gc_message *decode_said(const struct decode_error *err);

/* Fills err (code, field, message) and answers code: for every decoder. */
int decode_fail(struct decode_error *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Refuses any key of obj not in the NULL-terminated list known (a typing
 * mistake in a key is said, never read as an absent field), naming it
 * after path ("queues[0]."). */
int decode_only_fields(const json_t *obj, const char *path, const char *const *known, struct decode_error *err);
/* Parses body as one JSON object (UTF-8, no duplicate keys, no NUL, at most
 * DECODE_MAX_DEPTH levels of arrays and objects: deeper is GC_ETOOBIG, found
 * by a scan before anything is allocated). */
int decode_body(const char *body, size_t len, json_t **ret_obj, struct decode_error *err);
/* Parses one JSON value of any type under the same rules (a JSON Lines line). */
int decode_json(const char *text, size_t len, json_t **ret, struct decode_error *err);
/* Whether text nests arrays and objects at most max_depth deep (strings skipped). */
bool decode_depth_ok(const char *text, size_t len, int max_depth);

struct login_input {
	const char *email, *password, *tenant; /* tenant may be NULL */
	int64_t tenant_id;                     /* "tenant_id", or 0; never with "tenant" */
	bool cookie;                           /* "session":"cookie": a browser session (session.h) */
};
int login_input_decode(const json_t *obj, struct login_input *ret, struct decode_error *err);

/* Which optional fields a PATCH carried. */
enum {
	HAS_CUSTOMER = 1u << 0, HAS_SUBJECT = 1u << 1, HAS_REASON = 1u << 2,
	HAS_QUEUE = 1u << 3, HAS_PRIORITY = 1u << 4, HAS_TAGS = 1u << 5,
	HAS_EXTERNAL_ID = 1u << 6, HAS_EMAIL = 1u << 7, HAS_PHONE = 1u << 8,
	HAS_ATTRS = 1u << 9, HAS_VERSION = 1u << 10,
};

struct contact_input {
	unsigned has;
	enum contact_channel channel;
	int64_t customer_id;        /* 0: none */
	const char *subject, *reason, *queue, *message;
	int priority;               /* 0 (lowest) to 9 */
	int64_t queue_id;           /* create: a routing queue to wait in, 0: none */
	const char *tags[DECODE_MAX_TAGS];
	size_t n_tags;
	int64_t expected_version;   /* with HAS_VERSION */
};
/* patch: every field optional and channel/message refused. */
int contact_input_decode(const json_t *obj, bool patch, struct contact_input *ret,
			 struct decode_error *err);

struct state_input {
	enum contact_state state;
	const char *disposition;    /* NULL unless given */
	int64_t expected_version;   /* -1 unless given */
};
int state_input_decode(const json_t *obj, struct state_input *ret, struct decode_error *err);

/* A tenant's disposition codes, {"items": [{"code", "label"}]} in the
 * order the desktop lists them: up to DECODE_MAX_DISPOSITIONS, each code
 * 1 to 64 of a-z, 0-9, '_' and '-', listed once, each label one line of up
 * to 100 bytes. An empty list: any text is a disposition. The strings
 * point into obj. */
#define DECODE_MAX_DISPOSITIONS 100
struct disposition_list {
	int n;
	struct {
		const char *code, *label;
	} items[DECODE_MAX_DISPOSITIONS];
};
int disposition_list_decode(const json_t *obj, struct disposition_list *ret, struct decode_error *err);

struct message_input {
	bool outbound;
	bool automatic;             /* sent by guichet itself (an acknowledgement): not a first response */
	const char *body;
};
/* note: a note has only a body (always internal). */
int message_input_decode(const json_t *obj, bool note, struct message_input *ret,
			 struct decode_error *err);

struct customer_attr {
	const char *key;
	const char *value;          /* NULL: remove the attribute (PATCH) */
	enum sensitivity sensitivity; /* the class the writer named, SENS_NONE when
				       * none: the tenant's attribute policy decides,
				       * and the store refuses a class that differs */
};

struct customer_input {
	unsigned has;
	const char *external_id, *email, *phone; /* NULL when absent or null */
	struct customer_attr attrs[DECODE_MAX_ATTRS];
	size_t n_attrs;
};
int customer_input_decode(const json_t *obj, bool patch, struct customer_input *ret,
			  struct decode_error *err);
/* Whether key may name a customer attribute: [a-z0-9_], 1 to 64 bytes. */
bool customer_attr_key_valid(const char *key);

/* PATCH /api/v1/customer-attributes: {"default": class, "attributes": {key:
 * class or null}}, at most DECODE_MAX_POLICY_CHANGES keys. */
#define DECODE_MAX_POLICY_CHANGES 128
struct attr_policy_input {
	enum sensitivity default_class;    /* SENS_NONE: unchanged */
	struct {
		const char *key;
		enum sensitivity cls;      /* SENS_NONE: back to the default */
	} changes[DECODE_MAX_POLICY_CHANGES];
	size_t n_changes;
};
int attr_policy_input_decode(const json_t *obj, struct attr_policy_input *ret, struct decode_error *err);

struct user_input {
	const char *email, *name, *password, *organisation; /* organisation may be NULL */
	enum role role;
};
int user_input_decode(const json_t *obj, struct user_input *ret, struct decode_error *err);

/* {"name": ..., "kind": "brand"|"outsourcer"} for organisations, or
 * {"name": ..., "organisation": ..., "admin": {"email","name","password"}}
 * for tenants: admin, optional, is the new tenant's first administrator
 * (has_admin; admin.role is ROLE_TENANT_ADMIN), its errors naming
 * "admin.email", "admin.name", "admin.password". */
struct named_input {
	const char *name, *kind, *organisation;
	bool has_admin;
	struct user_input admin;
};
int tenant_input_decode(const json_t *obj, struct named_input *ret, struct decode_error *err);
int organisation_input_decode(const json_t *obj, struct named_input *ret, struct decode_error *err);

struct token_input {
	const char *name;
	enum role role;
	int64_t expires_days;       /* 0: never */
};
int token_input_decode(const json_t *obj, struct token_input *ret, struct decode_error *err);

struct membership_input {
	const char *email, *tenant;
	enum role role;
};
int membership_input_decode(const json_t *obj, struct membership_input *ret,
			    struct decode_error *err);

/* Staffing questions (POST /api/v1/wfm/..., and guichet wfm). */
enum wfm_question { WFM_Q_ERLANG_C, WFM_Q_STAFF, WFM_Q_ERLANG_A };

struct wfm_input {
	double calls, interval, aht;       /* calls > 0, interval and aht > 0 */
	int agents;                        /* erlang-c, erlang-a: 1 .. 100,000 */
	double target;                     /* seconds >= 0 (erlang-a: 20 by default) */
	double sl;                         /* staff: in (0, WFM_SL_MAX] */
	double max_asa, max_occupancy;     /* staff: 0 when absent */
	double shrinkage;                  /* staff: [0, 0.95]; has_shrinkage when given */
	bool has_shrinkage;
	double patience;                   /* erlang-a: seconds > 0; staff: optional, Erlang A */
	double max_abandon;                /* staff with patience: in (0, 1]; 0 when absent */
};
/* Checks every field the question needs (and refuses the others); the
 * offered load calls * aht / interval must not exceed 50,000 Erlangs. */
int wfm_input_decode(const json_t *obj, enum wfm_question q, struct wfm_input *ret,
		     struct decode_error *err);

/* {"name": ...} (a skill). */
int name_input_decode(const json_t *obj, const char **ret_name, struct decode_error *err);
/* {"role": ...} or {"password": ...}: one field of the given name. */
int role_input_decode(const json_t *obj, enum role *ret_role, struct decode_error *err);
int password_input_decode(const json_t *obj, const char **ret_password, struct decode_error *err);

/* Any one decoded request body: the daemon keeps one per request. */
/* --- routing: skills, queues, agents' profiles, presence, contact moves --- */

#define DECODE_MAX_AGENT_SKILLS 16

/* A queue's configuration, the whole of it (a PATCH is merged over the stored
 * one, then decoded again). Times are in seconds. */
struct queue_input {
	const char *name;
	int64_t skill_id;
	enum contact_channel channel;
	int level;                  /* 1 or 2 (experts) */
	int strategy;               /* index in queue_strategy_name */
	double sl_target;           /* share to answer within sl_seconds: 0.8 */
	int sl_seconds;
	int offer_timeout_s, wrapup_s, max_wait_s, tier_delay_s, sticky_s;
	int64_t overflow_to;        /* a queue id, 0: none */
	bool has_hours;             /* false: always open */
	int utc_offset_min;
	int16_t hours[7][2][2];     /* per weekday (0 Monday), up to two [from, to) minute ranges */
	int when_closed;            /* 0 wait, 1 refuse, 2 overflow */
	int first_response_s;       /* first-response target in business seconds (calendar.h), 0: none */
};
int queue_input_decode(const json_t *obj, struct queue_input *ret, struct decode_error *err);
/* What a request may not ask but a stored queue of an older version may
 * hold (and still loads with): two ranges of one day that overlap. */
int queue_hours_check(const struct queue_input *in, struct decode_error *err);
/* The canonical JSON of a queue's configuration (without its name): what the
 * store keeps and the API shows. */
json_t *queue_input_json(const struct queue_input *in);
/* "longest_idle", "best_skill", ... "ring_all" (the order of route.h's enum). */
const char *queue_strategy_name(int strategy);

struct agent_skill_input {
	int64_t skill_id;
	int proficiency, tier;      /* 1..10, 1..3 */
};

struct agent_profile_input {
	int level;
	struct agent_skill_input skills[DECODE_MAX_AGENT_SKILLS];
	int n_skills;
	int capacity[CHANNEL_N];    /* contacts at once per channel */
	int max_total, max_missed;
};
int agent_profile_decode(const json_t *obj, struct agent_profile_input *ret, struct decode_error *err);
json_t *agent_profile_json(const struct agent_profile_input *in);

enum presence { PRESENCE_OFFLINE, PRESENCE_AVAILABLE, PRESENCE_PAUSED };
struct presence_input {
	enum presence presence;
	const char *reason;         /* paused: why (required), else NULL */
};
int presence_input_decode(const json_t *obj, struct presence_input *ret, struct decode_error *err);
const char *presence_name(enum presence p);
int presence_parse(const char *text, enum presence *ret);

/* What moves a contact: enqueue (queue_id, priority), escalate (queue_id,
 * reason), transfer (queue_id and/or agent_id, reason), move (queue_id;
 * supervisors), wrap-up (disposition, state). */
enum routing_action { ROUTING_ENQUEUE, ROUTING_ESCALATE, ROUTING_TRANSFER, ROUTING_MOVE, ROUTING_WRAPUP };
struct routing_input {
	int64_t queue_id, agent_id; /* 0 when absent */
	int priority;               /* -1 when absent */
	const char *reason, *disposition;
	enum contact_state state;   /* wrap-up: resolved (default) or waiting_on_customer */
};
int routing_input_decode(const json_t *obj, enum routing_action action, struct routing_input *ret,
			 struct decode_error *err);

/* A mailbox's "ack" object: {"enabled", "subject", "body", "language" ("en"
 * or "fr"), "max_per_hour" (1..1000)}, each optional (a PATCH changes what
 * it names). A subject or body given as null goes back to the language's
 * own; their {{variables}} are checked by the daemon (channel/email/ack.h). */
struct mailbox_ack_input {
	bool has_enabled, enabled;
	bool has_subject, has_body; /* present, maybe null (then subject or body is NULL) */
	const char *subject, *body;
	const char *language;       /* NULL: absent */
	int64_t max_per_hour;       /* 0: absent */
};

/* POST /api/v1/channels/email: a mailbox. The URLs' schemes and hosts are
 * checked by the daemon (imaps/smtps, or plain on loopback only). */
struct mailbox_input {
	const char *name, *address, *imap_url, *smtp_url, *username, *password;
	const char *from_name;     /* the name its mail goes out under; NULL: the tenant's */
	int64_t queue_id;          /* 0: none */
	bool has_ack;
	struct mailbox_ack_input ack;
};
int mailbox_input_decode(const json_t *obj, struct mailbox_input *ret, struct decode_error *err);
/* PATCH /api/v1/channels/email/{id}: {"ack"?: {...}, "from_name"?}, what can
 * be changed (at least one; from_name null: back to the tenant's name). */
struct mailbox_update_input {
	bool has_ack, has_from_name;
	struct mailbox_ack_input ack;
	const char *from_name;
};
int mailbox_update_input_decode(const json_t *obj, struct mailbox_update_input *ret, struct decode_error *err);

/* POST /api/v1/contacts/{id}/email-reply: {"body", "mailbox_id"?}. */
struct email_reply_input {
	const char *body;          /* or, instead, a canned reply: */
	const char *article;       /* a published article's key */
	const char *reply;         /* its reply's name (NULL: its first) */
	const char *reason;        /* also sets the contact's reason (NULL: unchanged) */
	int64_t mailbox_id;        /* 0: the mailbox the contact's mail came through */
};
int email_reply_input_decode(const json_t *obj, struct email_reply_input *ret, struct decode_error *err);

union decode_input {
	struct login_input login;
	struct contact_input contact;
	struct state_input state;
	struct message_input message;
	struct customer_input customer;
	struct attr_policy_input attr_policy;
	struct user_input user;
	struct named_input named;
	struct token_input token;
	struct membership_input membership;
	enum role role;
	const char *password;
	struct queue_input queue;
	struct agent_profile_input agent;
	struct presence_input presence;
	struct routing_input routing;
	struct mailbox_input mailbox;
	struct mailbox_update_input mailbox_update;
	struct email_reply_input email_reply;
};

#endif
