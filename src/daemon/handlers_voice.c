/* Voice numbers over HTTP (GET, POST /api/v1/channels/voice/numbers; GET,
 * PATCH, DELETE .../{id}): the tenant's telephone numbers, each with the
 * queue its callers wait in, its voice menu (channel/voice/menu.h, checked
 * strictly: 400 names the member at fault), its greeting and language. The
 * number is kept as ops_phone_key makes it (E.164, read in the tenant's
 * country; one libphonenumber cannot read is refused), so the telephony
 * thread (channel/voice/voice.h) finds it from a call's request URI. The
 * queues named (queue_id and the menu's leaves) must be the tenant's: 422,
 * as the recordings named (greeting_recording and the menus' recording).
 * A queue may carry waiting settings of its own (GET, PUT
 * /api/v1/channels/voice/queues/{id}), winning over its numbers'.
 *
 * PUT /api/v1/agents/{id}/sip sets the username and password the agent's
 * SIP phone registers with (channel/voice/registrar.h). The password is
 * kept only as the digest's HA1, MD5(username:realm:password): all a
 * registrar needs to check a digest, and nothing an operator or a stolen
 * database can turn back into the password the agent typed (a sealed
 * password, secrets.h, could be; a password hash like Argon2 could not
 * check a digest at all). The answer names the realm, never the password. */
#include "daemon/handlers.h"
#include "channel/voice/announce.h"
#include "channel/voice/menu.h"
#include "channel/voice/registrar.h"
#include "channel/voice/voice.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/secrets.h"
#include "daemon/server.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GREETING VOICE_MENU_MAX_PROMPT

struct number_body {
	struct store_voice_number in;
	char number[40];
	char *menu_text; /* malloc'd */
	char *waiting_text; /* malloc'd */
};

/* body's member name as a text (NULL or "" for null) into *ret; answered (true) when it is not. */
static bool bad_text(struct request *r, const char *name, size_t max, bool nullable, const char **ret)
{
	json_t *v = json_object_get(r->body, name);
	if (v == NULL)
		return false;
	if (json_is_null(v) && nullable) {
		*ret = "";
		return false;
	}
	const char *s = json_string_value(v);
	if (s == NULL || *s == '\0' || strlen(s) > max || !gc_text_is_clean(s, true)) {
		reply_error(r, 400, "invalid", name, "'%s' is a text of 1 to %zu bytes%s", name, max,
			    nullable ? " or null" : "");
		return true;
	}
	*ret = s;
	return false;
}

static bool unknown_member(struct request *r)
{
	static const char *const known[] = {"number", "queue_id", "menu", "greeting", "lang", "waiting",
					    "greeting_recording"};
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v) {
		size_t i = 0;
		while (i < sizeof(known) / sizeof(known[0]) && strcmp(key, known[i]) != 0)
			i++;
		if (i == sizeof(known) / sizeof(known[0]))
			return reply_error(r, 400, "invalid", key, "unknown member '%s'", key), true;
	}
	return false;
}

static bool bad_menu(struct request *r, struct number_body *b)
{
	json_t *menu = json_object_get(r->body, "menu");
	if (menu == NULL)
		return false;
	if (json_is_null(menu)) {
		b->in.menu = "";
		return false;
	}
	char field[256], message[256];
	if (voice_menu_check(menu, "menu", field, sizeof(field), message, sizeof(message)) < 0)
		return reply_error(r, 400, "invalid", field, "%s", message), true;
	b->menu_text = json_dumps(menu, JSON_COMPACT);
	if (b->menu_text == NULL)
		return reply_error(r, 503, "out_of_memory", NULL, "try again"), true;
	b->in.menu = b->menu_text;
	return false;
}

/* "waiting" (announce.h): checked strictly, null clears it. */
static bool bad_waiting(struct request *r, struct number_body *b)
{
	json_t *waiting = json_object_get(r->body, "waiting");
	if (waiting == NULL)
		return false;
	if (json_is_null(waiting)) {
		b->in.waiting = "";
		return false;
	}
	char field[128], message[256];
	if (voice_waiting_check(waiting, field, sizeof(field), message, sizeof(message)) < 0)
		return reply_error(r, 400, "invalid", field, "%s", message), true;
	b->waiting_text = json_dumps(waiting, JSON_COMPACT);
	if (b->waiting_text == NULL)
		return reply_error(r, 503, "out_of_memory", NULL, "try again"), true;
	b->in.waiting = b->waiting_text;
	return false;
}

static void number_body_clear(struct number_body *b)
{
	free(b->menu_text);
	free(b->waiting_text);
	b->menu_text = b->waiting_text = NULL;
}

/* The body into b; answered (true) on a bad member. create: number is required. */
static bool decode_number(struct request *r, struct store *db, bool create, struct number_body *b)
{
	*b = (struct number_body){.in.queue_id = create ? 0 : -1, .in.greeting_recording = create ? 0 : -1};
	const char *number = NULL;
	if (unknown_member(r) || bad_text(r, "number", 32, false, &number) ||
	    bad_text(r, "greeting", MAX_GREETING, true, &b->in.greeting) || bad_text(r, "lang", 2, false, &b->in.lang))
		return true;
	struct ops_error err = {0};
	if (number && ops_tenant_phone_key(db, r->scope.tenant_id, number, false, "number", b->number, sizeof(b->number),
					   &err) < 0)
		return reply_input_error(r, db, &err), true;
	if (number)
		b->in.number = b->number;
	if (create && number == NULL)
		return reply_error(r, 400, "invalid", "number", "'number' is required"), true;
	if (b->in.lang && strcmp(b->in.lang, "en") != 0 && strcmp(b->in.lang, "fr") != 0)
		return reply_error(r, 400, "invalid", "lang", "'lang' is en or fr"), true;
	json_t *queue = json_object_get(r->body, "queue_id");
	if (json_is_null(queue))
		b->in.queue_id = 0;
	else if (queue && (!json_is_integer(queue) || json_integer_value(queue) < 1))
		return reply_error(r, 400, "invalid", "queue_id", "'queue_id' is a queue's id or null"), true;
	else if (queue)
		b->in.queue_id = json_integer_value(queue);
	json_t *rec = json_object_get(r->body, "greeting_recording");
	if (json_is_null(rec))
		b->in.greeting_recording = 0;
	else if (rec && (!json_is_integer(rec) || json_integer_value(rec) < 1))
		return reply_error(r, 400, "invalid", "greeting_recording", "'greeting_recording' is a recording's id"
				   " or null"), true;
	else if (rec)
		b->in.greeting_recording = json_integer_value(rec);
	return bad_menu(r, b) || bad_waiting(r, b);
}

int prepare_voice_number(struct request *r, struct store *db)
{
	struct number_body b;
	bool answered = decode_number(r, db, true, &b);
	number_body_clear(&b);
	return answered;
}

int prepare_voice_number_update(struct request *r, struct store *db)
{
	struct number_body b;
	bool answered = decode_number(r, db, false, &b);
	number_body_clear(&b);
	return answered;
}

int voice_menu_user(struct request *r, struct store *db, int64_t queue_id, char *ret, size_t len)
{
	json_t *list = NULL, *number;
	size_t i;
	*ret = '\0';
	int rc = store_voice_number_list(db, &r->scope, &list);
	json_array_foreach(rc == GC_OK ? list : NULL, i, number) {
		int64_t ids[VOICE_MENU_MAX_QUEUES];
		size_t n = 0;
		voice_menu_queues(json_object_get(number, "menu"), ids, &n);
		for (size_t k = 0; k < n && !*ret; k++)
			if (ids[k] == queue_id)
				snprintf(ret, len, "the phone number '%.40s' routes callers to this queue from its menu: "
					 "change its menu first", json_string_value(json_object_get(number, "number")));
	}
	json_decref(list);
	return rc;
}

/* One recording of the tenant (answered: false when it is not). */
static bool recording_ok(struct request *r, struct store *db, int64_t id, const char *field)
{
	json_t *rec = NULL;
	if (id <= 0 || store_voice_prompt_get(db, &r->scope, id, &rec) == GC_OK) {
		json_decref(rec);
		return true;
	}
	reply_error(r, 422, "invalid", field, "no recording %lld in this tenant", (long long)id);
	return false;
}

/* The number's queue and its menu's leaves are the tenant's queues, its
 * greeting's and its menu's recordings the tenant's recordings. */
static bool queues_ok(struct request *r, struct store *db, const struct number_body *b)
{
	if (!queue_serves(r, db, b->in.queue_id, CHANNEL_PHONE, "queue_id") ||
	    !recording_ok(r, db, b->in.greeting_recording, "greeting_recording"))
		return false;
	int64_t ids[VOICE_MENU_MAX_QUEUES];
	size_t n = 0;
	voice_menu_queues(json_object_get(r->body, "menu"), ids, &n);
	for (size_t i = 0; i < n; i++)
		if (!queue_serves(r, db, ids[i], CHANNEL_PHONE, "menu"))
			return false;
	int64_t recs[VOICE_MENU_MAX_RECORDINGS];
	voice_menu_recordings(json_object_get(r->body, "menu"), recs, &n);
	for (size_t i = 0; i < n; i++)
		if (!recording_ok(r, db, recs[i], "menu"))
			return false;
	return true;
}

int run_voice_number_create(struct request *r, struct store *db)
{
	struct number_body b;
	decode_number(r, db, true, &b); /* checked by prepare */
	if (!queues_ok(r, db, &b)) {
		number_body_clear(&b);
		return GC_EINVAL; /* answered */
	}
	int64_t id = 0;
	int rc = store_voice_number_create(db, &r->scope, &b.in, &id);
	number_body_clear(&b);
	json_t *row = NULL;
	if (rc == GC_OK)
		rc = store_voice_number_get(db, &r->scope, id, &row);
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "number" : NULL) : reply(r, 201, row);
}

int run_voice_number_update(struct request *r, struct store *db)
{
	struct number_body b;
	decode_number(r, db, false, &b);
	json_t *row = NULL;
	int rc = store_voice_number_get(db, &r->scope, r->ids[0], &row);
	json_decref(row);
	row = NULL;
	if (rc == GC_OK && !queues_ok(r, db, &b)) {
		number_body_clear(&b);
		return GC_EINVAL; /* answered */
	}
	if (rc == GC_OK)
		rc = store_voice_number_update(db, &r->scope, r->ids[0], &b.in);
	number_body_clear(&b);
	if (rc == GC_OK)
		rc = store_voice_number_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "number" : "voice number")
		      : reply(r, 200, row);
}

int run_voice_number_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_voice_number_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_voice_number_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_voice_number_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "voice number") : reply(r, 200, row);
}

int run_voice_number_delete(struct request *r, struct store *db)
{
	int rc = store_voice_number_delete(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "voice number");
	r->status = 204;
	return GC_OK;
}

#define SIP_USERNAME_MAX 64
#define SIP_PASSWORD_MIN 8
#define SIP_PASSWORD_MAX 128

/* A username a phone can send in a digest and a SIP URI unescaped. */
static bool username_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SIP_USERNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("._-+", s[i])))
			return false;
	return true;
}

/* The body's username and password; answered (true) when one is wrong. */
static bool decode_sip(struct request *r, const char **ret_username, const char **ret_password)
{
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "username") != 0 && strcmp(key, "password") != 0)
			return reply_error(r, 400, "invalid", key, "unknown member '%s'", key), true;
	}
	const char *username = json_string_value(json_object_get(r->body, "username"));
	const char *password = json_string_value(json_object_get(r->body, "password"));
	if (username == NULL || !username_ok(username))
		return reply_error(r, 400, "invalid", "username", "'username' is 1 to %d letters, digits or ._-+",
				   SIP_USERNAME_MAX), true;
	if (password == NULL || strlen(password) < SIP_PASSWORD_MIN || strlen(password) > SIP_PASSWORD_MAX ||
	    !gc_text_is_clean(password, false) || strchr(password, '"') || strchr(password, '\\'))
		return reply_error(r, 400, "invalid", "password", "'password' is a text of %d to %d bytes"
				   " (no quotes, backslashes or control characters)", SIP_PASSWORD_MIN,
				   SIP_PASSWORD_MAX), true;
	*ret_username = username;
	*ret_password = password;
	return false;
}

int prepare_voice_phone(struct request *r, struct store *db)
{
	const char *username, *password;
	return decode_sip(r, &username, &password);
}

int run_voice_phone(struct request *r, struct store *db)
{
	const char *username = NULL, *password = NULL;
	decode_sip(r, &username, &password); /* checked by prepare */
	char ha1[33], realm[32];
	voice_phone_ha1(r->scope.tenant_id, username, password, ha1);
	voice_realm(r->scope.tenant_id, realm, sizeof(realm));
	int rc = store_voice_phone_set(db, &r->scope, r->ids[0], username, ha1);
	if (rc < 0)
		return reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "username" : "agent");
	return reply(r, 200, json_pack("{s:I,s:s,s:s}", "agent_id", (json_int_t)r->ids[0], "username", username,
				       "realm", realm));
}

/* --- a queue's own waiting settings and music: GET
 * /api/v1/channels/voice/queues, GET and PUT .../queues/{id}. The body
 * {"waiting"?: {...} | null, "music"?: ID | null}, at least one: waiting
 * the number's "waiting" member, checked the same (400 naming the member),
 * null giving the queue back to its numbers' settings; music one of the
 * tenant's recordings (422 naming "music" when it is not: another
 * tenant's or none), null the installation's --moh-file again. A member
 * left out keeps its value. The queue must be the tenant's (404). --- */

struct queue_body {
	char *waiting;             /* JSON text, "null" to clear (malloc'd); NULL: kept */
	int64_t music;             /* -1: kept, 0: cleared */
};

/* The body into *ret; answered (true) on a bad body. */
static bool decode_queue(struct request *r, struct queue_body *ret)
{
	*ret = (struct queue_body){.music = -1};
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "waiting") != 0 && strcmp(key, "music") != 0)
			return reply_error(r, 400, "invalid", key, "unknown member '%s'", key), true;
	}
	json_t *waiting = json_object_get(r->body, "waiting"), *music = json_object_get(r->body, "music");
	if (waiting == NULL && music == NULL)
		return reply_error(r, 400, "invalid", "waiting", "'waiting' or 'music' is required: an object or a"
				   " recording's id, or null for the numbers' settings and the installation's music"), true;
	if (json_is_null(music))
		ret->music = 0;
	else if (music && (!json_is_integer(music) || json_integer_value(music) < 1))
		return reply_error(r, 400, "invalid", "music", "'music' is a recording's id or null"), true;
	else if (music)
		ret->music = json_integer_value(music);
	char field[128], message[256];
	if (waiting && !json_is_null(waiting) &&
	    voice_waiting_check(waiting, field, sizeof(field), message, sizeof(message)) < 0)
		return reply_error(r, 400, "invalid", field, "%s", message), true;
	if (waiting && (ret->waiting = json_is_null(waiting) ? strdup("null") : json_dumps(waiting, JSON_COMPACT)) == NULL)
		return reply_error(r, 503, "out_of_memory", NULL, "try again"), true;
	return false;
}

int prepare_voice_queue(struct request *r, struct store *db)
{
	struct queue_body b;
	bool answered = decode_queue(r, &b);
	free(b.waiting);
	return answered;
}

/* The queue's settings as the API shows them: its own, or "waiting" and "music" null. */
static int queue_waiting(struct request *r, struct store *db, int64_t queue_id, json_t **ret)
{
	json_t *queue = NULL;
	int rc = store_queue_get(db, &r->scope, queue_id, &queue);
	json_decref(queue);
	if (rc == GC_OK && (rc = store_voice_queue_get(db, &r->scope, queue_id, ret)) == GC_ENOTFOUND) {
		*ret = json_pack("{s:I,s:n,s:n}", "queue_id", (json_int_t)queue_id, "waiting", "music");
		rc = *ret ? GC_OK : GC_ENOMEM;
	}
	return rc;
}

int run_voice_queue_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = queue_waiting(r, db, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "queue") : reply(r, 200, row);
}

int run_voice_queue_put(struct request *r, struct store *db)
{
	struct queue_body b;
	decode_queue(r, &b); /* checked by prepare */
	json_t *row = NULL;
	int rc = store_queue_get(db, &r->scope, r->ids[0], &row);
	json_decref(row);
	row = NULL;
	if (rc == GC_OK && b.music > 0 && store_voice_prompt_get(db, &r->scope, b.music, &row) != GC_OK) {
		free(b.waiting);
		return reply_error(r, 422, "invalid", "music", "no recording %lld in this tenant", (long long)b.music);
	}
	json_decref(row);
	row = NULL;
	if (rc == GC_OK)
		rc = store_voice_queue_set(db, &r->scope, r->ids[0], b.waiting, b.music);
	free(b.waiting);
	if (rc == GC_OK)
		rc = queue_waiting(r, db, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "queue") : reply(r, 200, row);
}

int run_voice_queue_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_voice_queue_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

/* --- a tenant's own trunk: GET, PUT, DELETE /api/v1/channels/voice/trunk.
 * {"uri": "sip:{number}@host[:port]", "username"?, "password"?}: where the
 * tenant's callbacks call their customers, winning over the installation's
 * --sip-trunk. Checked strictly: sip: (guichet has no TLS transport for
 * sips:), {number} as the user part, a host name (found by DNS, RFC 3263)
 * or an IPv4 address (host_ok; an IPv6 literal refused: guichet's SIP runs
 * over IPv4), an optional port; nothing else (no parameters, headers or spaces
 * that would change what guichet sends). The digest credentials, both or
 * neither, answer a provider that challenges the INVITE (401/407); the
 * password is sealed (secrets.h) as the channels' passwords are, and no
 * answer ever holds it. "register": true has guichet register to the
 * provider with them (channel/voice/trunkreg.h), at "registrar" (sip:HOST
 * [:PORT][;transport=udp|tcp]; the trunk's host and port when absent) for
 * "register_expires" seconds (60 to 3600, 600 when absent); the answers
 * carry the registration's state as the telephony thread has it. A PUT
 * replaces the trunk whole. --- */

#define TRUNK_URI_MAX 255
#define TRUNK_USERNAME_MAX 128
#define TRUNK_PASSWORD_MAX 128
#define TRUNK_EXPIRES_MIN 60
#define TRUNK_EXPIRES_MAX 3600
#define TRUNK_EXPIRES_DEFAULT 600

#define HOST_NAME_MAX_LEN 253
#define HOST_LABEL_MAX 63

/* Whether the n bytes at host are a host name as RFC 3261 writes one
 * (labels of letters, digits and inner dashes, up to 63 bytes each, the
 * last starting with a letter, an optional final dot) or an IPv4 address:
 * what libre resolves by DNS (RFC 3263) or sends to as it is. Digits and
 * dots alone must make an address ("1.2.3.4.5" is neither). */
static bool host_ok(const char *host, size_t n)
{
	char text[HOST_NAME_MAX_LEN + 2];
	if (n == 0 || n > HOST_NAME_MAX_LEN + 1)
		return false;
	memcpy(text, host, n);
	text[n] = '\0';
	struct in_addr a;
	if (strspn(text, "0123456789.") == n)
		return inet_pton(AF_INET, text, &a) == 1;
	if (text[n - 1] == '.')
		text[--n] = '\0';
	const char *label = text;
	for (;;) {
		size_t len = strcspn(label, ".");
		if (len == 0 || len > HOST_LABEL_MAX || label[0] == '-' || label[len - 1] == '-' ||
		    strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") < len)
			return false;
		if (label[len] == '\0') /* the top label starts with a letter */
			return strchr("0123456789", label[0]) == NULL;
		label += len + 1;
	}
}

/* Past a host and an optional port (HOST[:PORT]): what follows, or NULL when there is none. */
static const char *host_port(const char *at)
{
	size_t host = strspn(at, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
	if (!host_ok(at, host))
		return NULL;
	at += host;
	if (*at == ':') {
		size_t digits = strspn(at + 1, "0123456789");
		if (digits == 0 || digits > 5 || strtol(at + 1, NULL, 10) > 65535)
			return NULL;
		at += 1 + digits;
	}
	return at;
}

/* An IPv6 literal ([2001:db8::1]) refused, for field: guichet's SIP
 * transports are bound to --sip-listen's address, an IPv4 one, and libre
 * sends only from a transport of the destination's family (and asks DNS
 * for A records alone). */
static bool refuse_ipv6(struct request *r, const char *field)
{
	reply_error(r, 400, "invalid", field, "'%s' names its host by a name or an IPv4 address: guichet's SIP runs"
		    " over IPv4, not IPv6", field);
	return true;
}

/* Whether uri is a trunk template guichet will dial. */
static bool trunk_ok(const char *uri)
{
	const char *at = strncmp(uri, "sip:", 4) == 0 ? uri + 4 : NULL; /* no sips: guichet has no TLS transport */
	if (at == NULL || strncmp(at, "{number}@", 9) != 0 || strlen(uri) > TRUNK_URI_MAX)
		return false;
	at = host_port(at + 9);
	return at && *at == '\0';
}

/* Whether uri is a registrar guichet will send REGISTER to:
 * sip:HOST[:PORT], with at most a transport guichet runs. */
static bool registrar_ok(const char *uri)
{
	const char *at = strncmp(uri, "sip:", 4) == 0 && strlen(uri) <= TRUNK_URI_MAX ? host_port(uri + 4) : NULL;
	return at && (*at == '\0' || strcmp(at, ";transport=udp") == 0 || strcmp(at, ";transport=tcp") == 0);
}

/* A credential a digest can carry: 1 to max bytes of clean text; the
 * username, quoted in the Authorization header, without quotes or backslashes. */
static bool credential_ok(const char *s, size_t max, bool quoted)
{
	return s && *s && strlen(s) <= max && gc_text_is_clean(s, false) &&
	       !(quoted && (strchr(s, '"') || strchr(s, '\\')));
}

/* "register", "registrar", "register_expires" into ret (its credentials already read). */
static bool bad_registration(struct request *r, struct store_voice_trunk *ret)
{
	json_t *reg = json_object_get(r->body, "register"), *registrar = json_object_get(r->body, "registrar");
	json_t *expires = json_object_get(r->body, "register_expires");
	if (reg && !json_is_boolean(reg))
		return reply_error(r, 400, "invalid", "register", "'register' is true or false"), true;
	ret->registers = json_is_true(reg);
	if (json_is_string(registrar) && strncmp(json_string_value(registrar), "sip:[", 5) == 0)
		return refuse_ipv6(r, "registrar");
	if (registrar && !json_is_null(registrar) &&
	    (!json_is_string(registrar) || !registrar_ok(json_string_value(registrar))))
		return reply_error(r, 400, "invalid", "registrar", "'registrar' is sip:HOST or sip:HOST:PORT, with at most"
				   " ;transport=udp or ;transport=tcp"), true;
	if (expires && !json_is_null(expires) &&
	    (!json_is_integer(expires) || json_integer_value(expires) < TRUNK_EXPIRES_MIN ||
	     json_integer_value(expires) > TRUNK_EXPIRES_MAX))
		return reply_error(r, 400, "invalid", "register_expires", "'register_expires' is a number of seconds"
				   " from %d to %d", TRUNK_EXPIRES_MIN, TRUNK_EXPIRES_MAX), true;
	if (!ret->registers && json_is_string(registrar))
		return reply_error(r, 400, "invalid", "registrar", "'%s' goes with 'register': true", "registrar"), true;
	if (!ret->registers && json_is_integer(expires))
		return reply_error(r, 400, "invalid", "register_expires", "'%s' goes with 'register': true",
				   "register_expires"), true;
	if (ret->registers && ret->username == NULL)
		return reply_error(r, 400, "invalid", "username", "registering needs 'username' and 'password'"), true;
	ret->registrar = json_string_value(registrar);
	ret->register_expires = json_is_integer(expires) ? json_integer_value(expires) : TRUNK_EXPIRES_DEFAULT;
	return false;
}

static bool bad_trunk(struct request *r, struct store_voice_trunk *ret, const char **ret_password)
{
	const char *key;
	json_t *v;
	static const char *const members[] = {"uri", "username", "password", "register", "registrar",
					      "register_expires"};
	json_object_foreach(r->body, key, v) {
		size_t i = 0;
		while (i < sizeof(members) / sizeof(members[0]) && strcmp(key, members[i]) != 0)
			i++;
		if (i == sizeof(members) / sizeof(members[0]))
			return reply_error(r, 400, "invalid", key, "unknown member '%s'", key), true;
	}
	const char *uri = json_string_value(json_object_get(r->body, "uri"));
	if (uri && strncmp(uri, "sip:{number}@[", 14) == 0)
		return refuse_ipv6(r, "uri");
	if (uri == NULL || !trunk_ok(uri))
		return reply_error(r, 400, "invalid", "uri", "'uri' is sip:{number}@HOST or sip:{number}@HOST:PORT,"
				   " {number} the customer's number"), true;
	json_t *user = json_object_get(r->body, "username"), *pass = json_object_get(r->body, "password");
	const char *username = json_string_value(user), *password = json_string_value(pass);
	if (user && !credential_ok(username, TRUNK_USERNAME_MAX, true))
		return reply_error(r, 400, "invalid", "username", "'username' is a text of 1 to %d bytes, no quotes,"
				   " backslashes or control characters", TRUNK_USERNAME_MAX), true;
	if (pass && !credential_ok(password, TRUNK_PASSWORD_MAX, false))
		return reply_error(r, 400, "invalid", "password", "'password' is a text of 1 to %d bytes, no control"
				   " characters", TRUNK_PASSWORD_MAX), true;
	if (user && pass == NULL)
		return reply_error(r, 400, "invalid", "password", "'password' goes with 'username'"), true;
	if (pass && user == NULL)
		return reply_error(r, 400, "invalid", "username", "'username' goes with 'password'"), true;
	*ret = (struct store_voice_trunk){.uri = uri, .username = username};
	*ret_password = password;
	return bad_registration(r, ret);
}

int prepare_voice_trunk(struct request *r, struct store *db)
{
	struct store_voice_trunk in;
	const char *password;
	return bad_trunk(r, &in, &password);
}

static const char *const reg_states[] = {"off", "registering", "registered", "failing"};

/* The trunk's registration as the telephony thread has it, into row's
 * "registration": {"state"} and, once an attempt ended, "sip_status" (null:
 * no answer), "at", "expires_s" (registered) or "error" (failing). */
static void registration_json(struct request *r, json_t *row, bool fresh)
{
	struct voice *v = r->worker->server->voice;
	struct voice_trunk_state st;
	voice_trunk_state(v, r->scope.tenant_id, &st);
	json_t *reg = json_object();
	if (reg == NULL)
		return;
	bool asked = json_is_true(json_object_get(row, "register"));
	if (asked && st.state == VOICE_TRUNK_OFF) /* not taken up yet (within a second), or no SIP stack */
		st.state = v ? VOICE_TRUNK_REGISTERING : VOICE_TRUNK_OFF;
	if (!asked || fresh) /* fresh: just set, taken up within a second */
		st = (struct voice_trunk_state){.state = asked && v ? VOICE_TRUNK_REGISTERING : VOICE_TRUNK_OFF};
	json_object_set_new(reg, "state", json_string(reg_states[st.state]));
	if (asked && v == NULL)
		json_object_set_new(reg, "error", json_string("guichetd runs without --sip-listen"));
	if (st.at_ms > 0 && st.state != VOICE_TRUNK_REGISTERING) {
		char at[GC_TIME_LEN];
		gc_time_format(st.at_ms, at);
		json_object_set_new(reg, "sip_status", st.sip_status ? json_integer(st.sip_status) : json_null());
		json_object_set_new(reg, "at", json_string(at));
	}
	if (st.state == VOICE_TRUNK_REGISTERED)
		json_object_set_new(reg, "expires_s", json_integer(st.expires_s));
	if (st.state == VOICE_TRUNK_FAILING && st.error[0])
		json_object_set_new(reg, "error", json_string(st.error));
	json_object_set_new(row, "registration", reg);
}

int run_voice_trunk_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_voice_trunk_get(db, &r->scope, &row);
	if (rc == GC_ENOTFOUND)
		return reply(r, 200, json_pack("{s:n,s:{s:s}}", "uri", "registration", "state", "off"));
	if (rc == GC_OK)
		registration_json(r, row, false);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, row);
}

int run_voice_trunk_put(struct request *r, struct store *db)
{
	struct store_voice_trunk in;
	const char *password = NULL;
	if (bad_trunk(r, &in, &password)) /* checked by prepare */
		return GC_EINVAL;
	unsigned char *sealed = NULL;
	char why[256] = "";
	if (password && secrets_seal(r->worker->server->secrets, password, &sealed, &in.sealed_len, why,
				     sizeof(why)) < 0) {
		log_error("cannot seal a trunk's password", "error", why);
		return reply_error(r, 500, "internal", NULL, "the password cannot be sealed: see the server's log");
	}
	in.sealed = sealed;
	int rc = store_voice_trunk_set(db, &r->scope, &in);
	free(sealed);
	json_t *row = NULL;
	if (rc == GC_OK)
		rc = store_voice_trunk_get(db, &r->scope, &row);
	if (rc == GC_OK)
		registration_json(r, row, true);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, row);
}

int run_voice_trunk_delete(struct request *r, struct store *db)
{
	int rc = store_voice_trunk_clear(db, &r->scope);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	r->status = 204;
	return GC_OK;
}
