/* The registrar (registrar.h): REGISTERs from agents' phones, checked by
 * digest against the HA1 the store keeps, bindings kept here in memory.
 * Everything runs on the telephony thread but voice_realm and
 * voice_phone_ha1, which any thread may call. */
#include "channel/voice/registrar.h"
#include "daemon/ratelimit.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_msg.h>
#include <re_uri.h>
#include <re_sip.h>
#include <re_md5.h>
#include <re_sys.h>
#include <re_httpauth.h>

#define NONCE_TTL_MS (5 * 60 * 1000)
#define NONCE_LEN (16 + 2 * MD5_SIZE)
#define REALM_SUFFIX ".guichet"

struct registrar {
	struct sip *sip;
	struct sip_lsnr *lsnr;
	struct store *store;
	struct registrar_counters *counters;
	uint8_t key[16];           /* the nonces' */
	struct registrar_binding *bindings;
	size_t n_bindings;
};

void voice_realm(int64_t tenant_id, char *buf, size_t len)
{
	snprintf(buf, len, "t%" PRId64 REALM_SUFFIX, tenant_id);
}

void voice_phone_ha1(int64_t tenant_id, const char *username, const char *password, char ret_ha1[33])
{
	char realm[32];
	uint8_t md[MD5_SIZE];
	voice_realm(tenant_id, realm, sizeof(realm));
	md5_printf(md, "%s:%s:%s", username, realm, password);
	for (size_t i = 0; i < MD5_SIZE; i++)
		snprintf(ret_ha1 + 2 * i, 3, "%02x", md[i]);
}

/* The tenant whose realm is host ("t42.guichet"): 0 when it is none. */
static int64_t realm_tenant(const struct pl *host)
{
	size_t suffix = strlen(REALM_SUFFIX);
	if (host->l < 2 + suffix || host->l > 20 + suffix || host->p[0] != 't' ||
	    pl_strcasecmp(&(struct pl){host->p + host->l - suffix, suffix}, REALM_SUFFIX) != 0)
		return 0;
	int64_t id = 0;
	for (size_t i = 1; i < host->l - suffix; i++) {
		char ch = host->p[i];
		if (ch < '0' || ch > '9' || id > (INT64_MAX - 9) / 10)
			return 0;
		id = id * 10 + (ch - '0');
	}
	return id;
}

/* The nonce for realm made at ms into out (NONCE_LEN + 1 bytes). */
static void nonce_make(const struct registrar *r, const char *realm, uint64_t ms, char *out)
{
	uint8_t md[MD5_SIZE];
	md5_printf(md, "%w:%016llx:%s", r->key, sizeof(r->key), (unsigned long long)ms, realm);
	snprintf(out, 17, "%016llx", (unsigned long long)ms);
	for (size_t i = 0; i < MD5_SIZE; i++)
		snprintf(out + 16 + 2 * i, 3, "%02x", md[i]);
}

/* Whether nonce is one of ours for realm; *ret_stale when it is but too old. */
static bool nonce_ok(const struct registrar *r, const char *realm, const struct pl *nonce, bool *ret_stale)
{
	char text[NONCE_LEN + 1], expect[NONCE_LEN + 1];
	*ret_stale = false;
	if (nonce->l != NONCE_LEN)
		return false;
	pl_strcpy(nonce, text, sizeof(text));
	char *end = NULL;
	char stamp[17];
	memcpy(stamp, text, 16);
	stamp[16] = '\0';
	unsigned long long ms = strtoull(stamp, &end, 16);
	if (end != stamp + 16)
		return false;
	nonce_make(r, realm, ms, expect);
	if (strcmp(text, expect) != 0)
		return false;
	uint64_t now = (uint64_t)gc_now_ms();
	*ret_stale = ms > now || now - ms > NONCE_TTL_MS;
	return !*ret_stale;
}

static void challenge(struct registrar *r, const struct sip_msg *msg, const char *realm, bool stale)
{
	char nonce[NONCE_LEN + 1];
	nonce_make(r, realm, (uint64_t)gc_now_ms(), nonce);
	atomic_fetch_add(&r->counters->challenged, 1);
	sip_treplyf(NULL, NULL, r->sip, msg, false, 401, "Unauthorized",
		    "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5%s\r\n"
		    "Content-Length: 0\r\n\r\n", realm, nonce, stale ? ", stale=true" : "");
}

/* 32 hex digits into 16 bytes. */
static bool hex_decode(const char *hex, uint8_t out[MD5_SIZE])
{
	for (size_t i = 0; i < MD5_SIZE; i++) {
		unsigned int byte = 0;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return false;
		out[i] = (uint8_t)byte;
	}
	return true;
}

static void deny(struct registrar *r, const struct sip_msg *msg)
{
	atomic_fetch_add(&r->counters->denied, 1);
	sip_treply(NULL, r->sip, msg, 403, "Forbidden");
}

static struct registrar_binding *binding_of(struct registrar *r, int64_t tenant_id, int64_t user_id)
{
	for (size_t i = 0; i < r->n_bindings; i++)
		if (r->bindings[i].tenant_id == tenant_id && r->bindings[i].user_id == user_id)
			return &r->bindings[i];
	return NULL;
}

static void binding_drop(struct registrar *r, struct registrar_binding *b)
{
	*b = r->bindings[--r->n_bindings];
	atomic_store(&r->counters->bindings, (int_fast64_t)r->n_bindings);
}

/* Drops the bindings that lapsed. */
static void sweep(struct registrar *r)
{
	uint64_t now = tmr_jiffies();
	for (size_t i = r->n_bindings; i-- > 0;)
		if (r->bindings[i].expires <= now)
			binding_drop(r, &r->bindings[i]);
}

/* The seconds the phone asks for: the Contact's expires, else the Expires
 * header, else the longest; -1 when neither parses. */
static int asked_expires(const struct sip_msg *msg, const struct sip_addr *contact)
{
	struct pl val = PL_INIT;
	if (contact == NULL || msg_param_decode(&contact->params, "expires", &val) != 0)
		val = msg->expires;
	if (!pl_isset(&val))
		return REGISTRAR_MAX_EXPIRES;
	for (size_t i = 0; i < val.l; i++)
		if (val.p[i] < '0' || val.p[i] > '9')
			return -1;
	return val.l > 9 ? REGISTRAR_MAX_EXPIRES : (int)pl_u32(&val); /* longer than the longest anyway */
}

/* An authenticated agent's REGISTER: its binding kept, renewed or removed. */
static void bind_agent(struct registrar *r, const struct sip_msg *msg, int64_t tenant_id, int64_t user_id,
		       const char *username)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_CONTACT);
	struct sip_addr addr;
	bool star = hdr && pl_strcmp(&hdr->val, "*") == 0;
	bool have = hdr && !star && sip_addr_decode(&addr, &hdr->val) == 0;
	int expires = asked_expires(msg, have ? &addr : NULL);
	if ((hdr && !star && !have) || expires < 0 || (have && addr.auri.l >= sizeof(r->bindings->contact))) {
		sip_treply(NULL, r->sip, msg, 400, "Bad Contact or Expires");
		return;
	}
	sweep(r);
	struct registrar_binding *b = binding_of(r, tenant_id, user_id);
	if (hdr == NULL) { /* a query: what is bound */
		atomic_fetch_add(&r->counters->registered, 1);
		sip_treplyf(NULL, NULL, r->sip, msg, false, 200, "OK", "%s%s%s%sContent-Length: 0\r\n\r\n",
			    b ? "Contact: <" : "", b ? b->contact : "", b ? ">" : "", b ? "\r\n" : "");
		return;
	}
	if (expires == 0 || star) {
		if (b)
			binding_drop(r, b);
		atomic_fetch_add(&r->counters->registered, 1);
		sip_treply(NULL, r->sip, msg, 200, "OK");
		return;
	}
	if (expires < REGISTRAR_MIN_EXPIRES)
		expires = REGISTRAR_MIN_EXPIRES;
	if (expires > REGISTRAR_MAX_EXPIRES)
		expires = REGISTRAR_MAX_EXPIRES;
	if (b == NULL && r->n_bindings == REGISTRAR_MAX_BINDINGS) {
		sip_treply(NULL, r->sip, msg, 503, "Too Many Phones");
		return;
	}
	if (b == NULL) {
		b = &r->bindings[r->n_bindings++];
		atomic_store(&r->counters->bindings, (int_fast64_t)r->n_bindings);
	}
	*b = (struct registrar_binding){.tenant_id = tenant_id, .user_id = user_id,
					.expires = tmr_jiffies() + (uint64_t)expires * 1000};
	pl_strcpy(&addr.auri, b->contact, sizeof(b->contact));
	snprintf(b->username, sizeof(b->username), "%s", username);
	atomic_fetch_add(&r->counters->registered, 1);
	sip_treplyf(NULL, NULL, r->sip, msg, false, 200, "OK", "Contact: <%s>;expires=%d\r\nContent-Length: 0\r\n\r\n",
		    b->contact, expires);
}

/* The credentials of a REGISTER in realm (the tenant's): the agent, or a reply sent. */
static void check_credentials(struct registrar *r, const struct sip_msg *msg, int64_t tenant_id, const char *realm,
			      const struct sip_hdr *auth)
{
	struct httpauth_digest_resp resp;
	bool stale = false;
	if (httpauth_digest_response_decode(&resp, &auth->val) != 0 || pl_strcmp(&resp.realm, realm) != 0 ||
	    resp.username.l == 0 || resp.username.l > 64) {
		deny(r, msg);
		return;
	}
	if (!nonce_ok(r, realm, &resp.nonce, &stale)) {
		if (stale)
			challenge(r, msg, realm, true);
		else
			deny(r, msg);
		return;
	}
	char username[65], ha1_hex[33];
	uint8_t ha1[MD5_SIZE];
	int64_t user_id = 0;
	pl_strcpy(&resp.username, username, sizeof(username));
	if (store_voice_phone_find(r->store, tenant_id, username, &user_id, ha1_hex) < 0 ||
	    !hex_decode(ha1_hex, ha1) ||
	    httpauth_digest_response_auth(&resp, &msg->met, ha1) != 0) {
		deny(r, msg);
		return;
	}
	bind_agent(r, msg, tenant_id, user_id, username);
}

static bool on_request(const struct sip_msg *msg, void *arg)
{
	struct registrar *r = arg;
	if (pl_strcmp(&msg->met, "REGISTER") != 0)
		return false;
	char address[64];
	int retry = 0;
	if (sa_ntop(&msg->src, address, sizeof(address)) != 0)
		address[0] = '\0';
	if (!ratelimit_keyed('p', NULL, 0, address, REGISTRAR_PER_MINUTE, gc_now_ms(), &retry)) {
		atomic_fetch_add(&r->counters->throttled, 1);
		sip_treplyf(NULL, NULL, r->sip, msg, false, 503, "Slow Down",
			    "Retry-After: %d\r\nContent-Length: 0\r\n\r\n", retry);
		return true;
	}
	int64_t tenant_id = realm_tenant(&msg->to.uri.host);
	if (tenant_id <= 0) {
		deny(r, msg);
		return true;
	}
	char realm[32];
	voice_realm(tenant_id, realm, sizeof(realm));
	const struct sip_hdr *auth = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
	if (auth == NULL)
		challenge(r, msg, realm, false);
	else
		check_credentials(r, msg, tenant_id, realm, auth);
	return true;
}

int registrar_new(struct sip *sip, struct store *store, struct registrar_counters *counters,
		  struct registrar **ret)
{
	struct registrar *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return GC_ENOMEM;
	r->bindings = calloc(REGISTRAR_MAX_BINDINGS, sizeof(*r->bindings));
	if (r->bindings == NULL) {
		free(r);
		return GC_ENOMEM;
	}
	r->sip = sip;
	r->store = store;
	r->counters = counters;
	rand_bytes(r->key, sizeof(r->key));
	if (sip_listen(&r->lsnr, sip, true, on_request, r) != 0) {
		registrar_free(r);
		return GC_ENOMEM;
	}
	*ret = r;
	return GC_OK;
}

void registrar_free(struct registrar *r)
{
	if (r == NULL)
		return;
	mem_deref(r->lsnr);
	atomic_store(&r->counters->bindings, 0);
	free(r->bindings);
	free(r);
}

const struct registrar_binding *registrar_find(struct registrar *r, int64_t tenant_id, int64_t user_id)
{
	struct registrar_binding *b = binding_of(r, tenant_id, user_id);
	if (b && b->expires <= tmr_jiffies()) {
		binding_drop(r, b);
		b = NULL;
	}
	return b;
}
