/* Passwords, sessions and API tokens.
 *
 * Passwords are argon2id hashes (libsodium, OWASP's m=19 MiB, t=2). Tokens
 * are 32 random bytes shown once as "gct_" + base64url; the store keeps only
 * their BLAKE2b hash, so a stolen database yields no usable token. A bearer
 * token is resolved to a store_scope on every request: its tenant (the
 * token's default, or the one the request names) and the role the user
 * holds there now, so a revoked token, a disabled membership or a changed
 * role takes effect on the next request. An API token also ends when its
 * creator's membership in its tenant is disabled or no longer covers its
 * role; a new password or a disabled membership revokes the user's tokens
 * outright (store_access_end_tokens). */
#include "store/access.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* argon2id at OWASP's cost: 19 MiB, 2 passes, 1 lane */
#define PWHASH_OPSLIMIT 2
#define PWHASH_MEMLIMIT (19u * 1024 * 1024)
#define TOKEN_PREFIX "gct_"

/* The cost of a new hash. A build made for the test suite (meson
 * -Dtest_hashes=true: scripts/run-tests' build-test, never the release
 * build nor the package) takes libsodium's least cost when the environment
 * says GUICHET_TEST_CHEAP_HASHES=1, as scripts/run-tests does: the suite
 * creates and logs in hundreds of accounts, and at OWASP's cost each
 * program spent seconds of CPU in argon2. A hash carries its parameters, so
 * checking a password runs the same code either way. */
static void password_cost(unsigned long long *ret_ops, size_t *ret_mem)
{
	*ret_ops = PWHASH_OPSLIMIT;
	*ret_mem = PWHASH_MEMLIMIT;
#ifdef GUICHET_TEST_HASHES
	const char *cheap = getenv("GUICHET_TEST_CHEAP_HASHES");
	if (cheap != NULL && strcmp(cheap, "1") == 0) {
		*ret_ops = crypto_pwhash_OPSLIMIT_MIN;
		*ret_mem = crypto_pwhash_MEMLIMIT_MIN;
	}
#endif
}

int store_password_hash(const char *password, char *ret_hash, size_t hash_len)
{
	if (hash_len < crypto_pwhash_STRBYTES)
		return GC_EINVAL;
	unsigned long long ops;
	size_t mem;
	password_cost(&ops, &mem);
	if (crypto_pwhash_str(ret_hash, password, strlen(password), ops, mem) != 0)
		return GC_ENOMEM;
	return GC_OK;
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
	store_password_hash("not a password of anyone", dummy_hash, sizeof(dummy_hash));
}

int store_login_check(struct store *s, const char *email, const char *password,
		      int64_t *ret_user_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, password_hash FROM users WHERE email = lower(?)");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, email);
	char hash[crypto_pwhash_STRBYTES] = "";
	int64_t user_id = 0;
	if (db_step(st) == DB_ROW) {
		user_id = db_column_int64(st, 0);
		snprintf(hash, sizeof(hash), "%s", db_column_text(st, 1));
	}
	db_reset(st);
	if (user_id == 0) {
		/* same work for an unknown email, so timing tells nothing */
		pthread_once(&dummy_once, make_dummy_hash);
		int same = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
		(void)same;
		return GC_EAUTH;
	}
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return GC_EAUTH;
	*ret_user_id = user_id;
	return GC_OK;
}

static int resolve_tenant(struct store *s, const char *hint, int64_t *ret_id)
{
	int64_t id = 0;
	if (gc_parse_i64(hint, 1, INT64_MAX, &id) == GC_OK) {
		*ret_id = id;
		return GC_OK;
	}
	return store_tenant_find(s, hint, ret_id);
}

/* The role of user_id in tenant_id; GC_ENOTFOUND without an enabled membership. */
static int membership_role(struct store *s, int64_t user_id, int64_t tenant_id, enum role *ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT role FROM memberships"
					 " WHERE tenant_id = ? AND user_id = ? AND disabled = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	db_bind_int64(st, 2, user_id);
	int rc = GC_ENOTFOUND;
	if (db_step(st) == DB_ROW)
		rc = role_parse(db_column_text(st, 0), ret) == GC_OK ? GC_OK : GC_ESTORE;
	db_reset(st);
	return rc;
}

static bool is_platform_admin(struct store *s, int64_t user_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT platform_admin FROM users WHERE id = ?");
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, user_id);
	bool admin = db_step(st) == DB_ROW && db_column_int(st, 0) == 1;
	db_reset(st);
	return admin;
}

int store_login_tenant(struct store *s, int64_t user_id, const char *tenant_name,
		       int64_t *ret_tenant_id)
{
	enum role role;
	int64_t tenant_id = 0;
	if (tenant_name) {
		int rc = resolve_tenant(s, tenant_name, &tenant_id);
		if (rc < 0 || membership_role(s, user_id, tenant_id, &role) < 0)
			return GC_EFORBIDDEN;
		*ret_tenant_id = tenant_id;
		return GC_OK;
	}
	struct db_stmt *st = store_stmt(s, "SELECT tenant_id FROM memberships"
					 " WHERE user_id = ? AND disabled = 0 ORDER BY tenant_id LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, user_id);
	if (db_step(st) == DB_ROW)
		tenant_id = db_column_int64(st, 0);
	db_reset(st);
	if (tenant_id == 0 && !is_platform_admin(s, user_id))
		return GC_EAUTH;
	*ret_tenant_id = tenant_id;
	return GC_OK;
}

static void token_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

static void token_new(char text[STORE_TOKEN_LEN], unsigned char hash[32])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	memcpy(text, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
	sodium_bin2base64(text + sizeof(TOKEN_PREFIX) - 1, STORE_TOKEN_LEN - sizeof(TOKEN_PREFIX) + 1,
			  raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	token_hash(text, hash);
}

static int token_insert(struct store *s, const char *kind, int64_t user_id, int64_t tenant_id,
			const char *role, const char *name, int64_t expires_at,
			char text[STORE_TOKEN_LEN], int64_t *ret_id)
{
	unsigned char hash[32];
	token_new(text, hash);
	struct db_stmt *st = store_stmt(s, "INSERT INTO tokens(hash, kind, user_id, tenant_id, role,"
					 " name, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_blob(st, 1, hash, sizeof(hash));
	bind_text(st, 2, kind);
	bind_id(st, 3, user_id);
	bind_id(st, 4, tenant_id);
	bind_text(st, 5, role);
	bind_text(st, 6, name);
	db_bind_int64(st, 7, gc_now_ms());
	bind_id(st, 8, expires_at);
	int64_t id;
	int rc = store_insert_id(s, st, &id);
	if (rc == GC_OK && ret_id)
		*ret_id = id;
	return rc;
}

int store_session_create(struct store *s, int64_t user_id, int64_t tenant_id, int64_t expires_at,
			 char ret_token[STORE_TOKEN_LEN])
{
	return token_insert(s, "session", user_id, tenant_id, NULL, NULL, expires_at, ret_token, NULL);
}

int store_api_token_create(struct store *s, const struct store_scope *scope,
			   const struct token_input *in, json_t **ret_token)
{
	int rc = store_authorize(s, scope, AUTHZ_CREATE_TOKEN, scope->user_id, in->role);
	if (rc < 0)
		return rc;
	char text[STORE_TOKEN_LEN];
	int64_t id = 0;
	int64_t expires = in->expires_days ? gc_now_ms() + in->expires_days * 86400000LL : 0;
	rc = token_insert(s, "api", scope->user_id, scope->tenant_id, role_name(in->role),
			      in->name, expires, text, &id);
	if (rc < 0)
		return rc;
	char when[GC_TIME_LEN];
	gc_time_format(expires, when);
	*ret_token = json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)id, "name", in->name,
			       "role", role_name(in->role), "token", text, "expires_at",
			       expires ? json_string(when) : json_null());
	return *ret_token ? GC_OK : GC_ENOMEM;
}

static json_t *token_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "name",
		column_string(st, 1), "role", column_string(st, 2), "created_at", column_time(st, 3),
		"expires_at", column_time(st, 4), "revoked_at", column_time(st, 5));
}

int store_api_token_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	struct db_stmt *st = store_stmt(s, "SELECT id, name, role, created_at, expires_at, revoked_at"
					 " FROM tokens WHERE tenant_id = ? AND kind = 'api' ORDER BY id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return collect_rows(s, st, token_row, NULL, ret_list);
}

/* Asks the table whether scope may revoke token_id: the token's facts are
 * its creator's, and whether it acts in the scope's tenant. */
static int may_revoke(struct store *s, const struct store_scope *scope, int64_t token_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT user_id FROM tokens WHERE id = ? AND tenant_id = ?"
					 " AND kind = 'api' AND revoked_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, token_id);
	db_bind_int64(st, 2, scope->tenant_id);
	bool found = db_step(st) == DB_ROW;
	int64_t creator = found ? db_column_int64(st, 0) : 0;
	db_reset(st);
	struct authz_actor a;
	struct authz_target t;
	int rc = store_access_load(s, scope, creator, &a, &t);
	if (rc < 0)
		return rc;
	t.token_in_tenant = found;
	return store_access_ask(s, &a, AUTHZ_REVOKE_TOKEN, &t);
}

int store_api_token_revoke(struct store *s, const struct store_scope *scope, int64_t token_id)
{
	int rc = may_revoke(s, scope, token_id);
	if (rc < 0)
		return rc;
	struct db_stmt *st = store_stmt(s, "UPDATE tokens SET revoked_at = ? WHERE id = ?"
					 " AND tenant_id = ? AND kind = 'api' AND revoked_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, gc_now_ms());
	db_bind_int64(st, 2, token_id);
	db_bind_int64(st, 3, scope->tenant_id);
	rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	return rc;
}

int store_access_end_tokens(struct store *s, int64_t user_id, bool sessions, int64_t tenant_id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE tokens SET revoked_at = ?1 WHERE user_id = ?2"
					 " AND revoked_at IS NULL AND (?4 = 0 OR tenant_id = ?4)"
					 " AND (kind = 'api' OR ?3 <> 0)");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, gc_now_ms());
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, sessions);
	db_bind_int64(st, 4, tenant_id);
	return store_step_done(s, st);
}

int store_token_revoke_text(struct store *s, const char *token)
{
	unsigned char hash[32];
	token_hash(token, hash);
	struct db_stmt *st = store_stmt(s, "UPDATE tokens SET revoked_at = ? WHERE hash = ?"
					 " AND revoked_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, gc_now_ms());
	db_bind_blob(st, 2, hash, sizeof(hash));
	return store_step_done(s, st);
}

int store_session_live(struct store *s, int64_t user_id, int64_t tenant_id, int64_t except_token_id, bool *ret_live)
{
	struct db_stmt *st = store_stmt(s, "SELECT 1 FROM tokens WHERE user_id = ? AND tenant_id = ?"
					 " AND kind = 'session' AND revoked_at IS NULL AND expires_at > ? AND id <> ? LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, tenant_id);
	db_bind_int64(st, 3, gc_now_ms());
	db_bind_int64(st, 4, except_token_id);
	int rc = db_step(st);
	db_reset(st);
	if (rc < 0)
		return store_fail(s, rc);
	*ret_live = rc == DB_ROW;
	return GC_OK;
}

struct token_row {
	int64_t id, user_id, tenant_id, expires_at;
	bool api, platform_admin;
	enum role role;
	char actor[256];
};

/* Whether an API token's creator still holds, in the token's tenant, an
 * enabled membership whose role covers the token's (columns 9 and 10 of
 * token_lookup's row). A token without a creator predates this rule. */
static bool creator_still_covers(struct db_stmt *st, enum role token_role)
{
	if (db_column_is_null(st, 2))
		return true;
	enum role creator_role;
	return !db_column_is_null(st, 9) && db_column_int(st, 10) == 0 &&
	       role_parse(db_column_text(st, 9), &creator_role) == GC_OK &&
	       authz_role_within(token_role, creator_role);
}

static int token_lookup(struct store *s, const char *token, struct token_row *row)
{
	unsigned char hash[32];
	if (strncmp(token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1) != 0 || strlen(token) >= STORE_TOKEN_LEN)
		return GC_EAUTH;
	token_hash(token, hash);
	struct db_stmt *st = store_stmt(s,
		"SELECT t.id, t.kind = 'api', t.user_id, t.tenant_id, t.role, t.name, t.expires_at,"
		" u.email, u.platform_admin, cm.role, cm.disabled FROM tokens t LEFT JOIN users u ON u.id = t.user_id"
		" LEFT JOIN memberships cm ON cm.tenant_id = t.tenant_id AND cm.user_id = t.user_id"
		" WHERE t.hash = ? AND t.revoked_at IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_blob(st, 1, hash, sizeof(hash));
	int step = db_step(st);
	if (step != DB_ROW) {
		db_reset(st);
		/* no such token is a 401; a database that did not answer is not */
		return step == DB_DONE ? GC_EAUTH : store_fail(s, step);
	}
	*row = (struct token_row){
		.id = db_column_int64(st, 0), .api = db_column_int(st, 1) == 1,
		.user_id = db_column_int64(st, 2), .tenant_id = db_column_int64(st, 3),
		.expires_at = db_column_int64(st, 6),
	};
	int rc = GC_OK;
	if (row->api) {
		if (role_parse(db_column_text(st, 4), &row->role) < 0 ||
		    !creator_still_covers(st, row->role))
			rc = GC_EAUTH;
		snprintf(row->actor, sizeof(row->actor), "token:%s", db_column_text(st, 5));
	} else {
		row->platform_admin = db_column_int(st, 8) == 1;
		snprintf(row->actor, sizeof(row->actor), "%s", db_column_text(st, 7));
	}
	db_reset(st);
	return rc;
}

int store_auth_token(struct store *s, const char *token, const char *tenant_hint, int64_t now,
		     struct store_scope *ret_scope)
{
	struct token_row row;
	int rc = token_lookup(s, token, &row);
	if (rc < 0)
		return rc;
	if (row.expires_at && row.expires_at <= now)
		return GC_EAUTH;
	struct store_scope scope = {.token_id = row.id, .expires_at = row.expires_at,
				    .platform_admin = row.platform_admin, .sees = SENS_NONE};
	snprintf(scope.actor, sizeof(scope.actor), "%s", row.actor);
	int64_t tenant_id = row.tenant_id;
	if (tenant_hint && resolve_tenant(s, tenant_hint, &tenant_id) < 0)
		return GC_EFORBIDDEN;
	if (row.api) {
		if (tenant_id != row.tenant_id)
			return GC_EFORBIDDEN;
		scope.role = row.role;
		scope.has_role = true;
	} else {
		scope.user_id = row.user_id;
		rc = tenant_id ? membership_role(s, row.user_id, tenant_id, &scope.role) : GC_ENOTFOUND;
		if (rc == GC_ESTORE)
			return rc;
		scope.has_role = rc == GC_OK;
		if (!scope.has_role && (tenant_hint || !row.platform_admin))
			return GC_EFORBIDDEN;
	}
	scope.tenant_id = scope.has_role ? tenant_id : 0;
	if (scope.has_role)
		scope.sees = role_visibility(scope.role);
	*ret_scope = scope;
	return GC_OK;
}
