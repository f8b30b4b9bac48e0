/* Tenants' trunks registering to their providers (trunkreg.h): one libre
 * sipreg per tenant whose trunk registers, on the telephony thread. The
 * table is written on that thread only, under the lock, so that the API's
 * threads read a registration's state (trunkreg_state) while it changes.
 *
 * A registration (struct treg) is a libre memory object: the table holds
 * one reference, and its sipreg's digest handler another (aref), which
 * libre lets go only once the sipreg is truly gone, its unregistration
 * answered. So the object outlives its place in the table for as long as
 * it may still be asked for the credentials, and its destructor tells a
 * stop that one more registrar has answered. */
#include "channel/voice/trunkreg.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/secrets.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

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
#include <re_sipreg.h>

#define DEFAULT_EXPIRES 600    /* a row without its expiry (the API always writes one) */
#define RESTART_MS 60000       /* a registration libre could not even start is tried again after this */

struct trunkreg;

struct treg {
	struct trunkreg *t;
	int64_t tenant_id, updated_ms;
	struct sipreg *reg;        /* NULL: could not start (retried at restart_at) */
	uint64_t restart_at;       /* tmr_jiffies() */
	char *user, *pass;         /* the digest's credentials (malloc'd; the password wiped) */
	bool asked;                /* the credentials were given since the last final answer */
	bool gone;                 /* out of the table: libre may still be unregistering */
	uint64_t seen;             /* the last sync that found its row */
	struct voice_trunk_state st; /* under t->lock */
	UT_hash_handle hh;
};

struct trunkreg {
	struct sip *sip;
	struct store *store;
	struct secrets *secrets;
	struct trunkreg_counters *counters;
	pthread_mutex_t lock;      /* the table, for the API's readers */
	struct treg *regs;         /* by tenant */
	struct tmr poll, stop_tmr;
	uint64_t gen;
	bool read_failed;          /* the last read of the trunks failed (logged once) */
	bool stopping, closed;
	size_t pending;            /* a stop waits for these registrations' ends */
	void (*done)(void *arg);
	void *done_arg;
};

static const char *state_name(enum voice_trunk_reg s)
{
	return s == VOICE_TRUNK_REGISTERED ? "registered" : s == VOICE_TRUNK_REGISTERING ? "registering"
	       : s == VOICE_TRUNK_FAILING ? "failing" : "off";
}

static atomic_int_fast64_t *gauge(struct trunkreg *t, enum voice_trunk_reg s)
{
	return s == VOICE_TRUNK_REGISTERED ? &t->counters->registered : s == VOICE_TRUNK_REGISTERING
	       ? &t->counters->registering : s == VOICE_TRUNK_FAILING ? &t->counters->failing : NULL;
}

/* The registration's new state: kept for the API, counted, and logged when it changes. */
static void set_state(struct treg *e, enum voice_trunk_reg s, int status, const char *error, uint32_t expires)
{
	struct trunkreg *t = e->t;
	pthread_mutex_lock(&t->lock);
	enum voice_trunk_reg old = e->st.state;
	bool changed = old != s || e->st.sip_status != status;
	e->st = (struct voice_trunk_state){.state = s, .sip_status = status, .at_ms = gc_now_ms(), .expires_s = expires};
	snprintf(e->st.error, sizeof(e->st.error), "%s", error ? error : "");
	pthread_mutex_unlock(&t->lock);
	if (old != s && gauge(t, old))
		atomic_fetch_sub(gauge(t, old), 1);
	if (old != s && gauge(t, s))
		atomic_fetch_add(gauge(t, s), 1);
	if (s == VOICE_TRUNK_FAILING)
		atomic_fetch_add(&t->counters->failures, 1);
	if (!changed)
		return;
	char tenant[24], sc[8];
	snprintf(tenant, sizeof(tenant), "%lld", (long long)e->tenant_id);
	snprintf(sc, sizeof(sc), "%d", status);
	if (s == VOICE_TRUNK_FAILING)
		log_error("trunk registration failing", "tenant", tenant, "status", sc, "error", error && *error ? error
			  : "refused");
	else
		log_info("trunk registration", "tenant", tenant, "state", state_name(s), "status", sc);
}

static void treg_destructor(void *arg)
{
	struct treg *e = arg;
	if (e->pass)
		sodium_memzero(e->pass, strlen(e->pass));
	free(e->pass);
	free(e->user);
	struct trunkreg *t = e->t;
	if (t && t->stopping && !t->closed && t->pending > 0 && --t->pending == 0 && t->done) {
		tmr_cancel(&t->stop_tmr);
		void (*done)(void *) = t->done;
		t->done = NULL;
		done(t->done_arg);
	}
}

/* The registrar's challenge: the credentials, once per attempt (a second
 * challenge in a row is a refusal of the first: EAUTH ends the attempt).
 * Copied for libre, which frees them. While unregistering (gone) libre's
 * own limit applies. */
static int on_auth(char **username, char **password, const char *realm, void *arg)
{
	struct treg *e = arg;
	(void)realm;
	if (e->user == NULL || e->pass == NULL || (e->asked && !e->gone))
		return EAUTH;
	e->asked = true;
	int err = str_dup(username, e->user);
	if (err == 0)
		err = str_dup(password, e->pass);
	return err;
}

/* Why a REGISTER got no answer, for the API (err from libre's request,
 * which resolves the registrar's host name first: RFC 3263). */
static const char *no_answer_why(int err)
{
	switch (err) {
	case ETIMEDOUT:
		return "no answer";
	case EDESTADDRREQ: /* no NAPTR, SRV nor A record: the name does not exist, or has no address */
		return "the registrar's host name does not resolve";
	case EPROTONOSUPPORT: /* its NAPTR or SRV records name only transports guichet does not run */
		return "the registrar's DNS records name no transport guichet runs (UDP, TCP)";
	default:
		return strerror(err);
	}
}

/* A final answer to a REGISTER, or none (err: a time-out, the network, a name that does not resolve). */
static void on_response(int err, const struct sip_msg *msg, void *arg)
{
	struct treg *e = arg;
	e->asked = false;
	if (e->gone)
		return;
	int sc = msg ? msg->scode : 0;
	if (err == 0 && sc >= 200 && sc < 300) {
		set_state(e, VOICE_TRUNK_REGISTERED, sc, NULL, sipreg_proxy_expires(e->reg));
		return;
	}
	char why[80] = "";
	if (err)
		snprintf(why, sizeof(why), "%s", no_answer_why(err));
	else if (sc == 401 || sc == 407)
		snprintf(why, sizeof(why), "the credentials were refused");
	set_state(e, VOICE_TRUNK_FAILING, sc, why, 0);
}

/* The REGISTER's Request-URI (the registrar) and the address of record
 * (sip:USERNAME@HOST) from the trunk's row: its registrar when it names
 * one, else the trunk's own host and port. */
static int addresses(const json_t *row, const char *user, char *reg_uri, size_t reg_len, char *aor, size_t aor_len)
{
	const char *registrar = json_string_value(json_object_get(row, "registrar"));
	const char *uri = json_string_value(json_object_get(row, "uri"));
	const char *host = NULL;
	if (registrar && strncmp(registrar, "sip:", 4) == 0) {
		host = registrar + 4;
		snprintf(reg_uri, reg_len, "%s", registrar);
	} else {
		host = uri ? strchr(uri, '@') : NULL;
		if (host == NULL)
			return GC_EINVAL;
		host++;
		snprintf(reg_uri, reg_len, "sip:%s", host);
	}
	int n = snprintf(aor, aor_len, "sip:%s@%.*s", user, (int)strcspn(host, ":;"), host);
	return n < 0 || (size_t)n >= aor_len ? GC_EINVAL : GC_OK;
}

/* Starts the registration e (its row read again, with its tenant's scope). */
static void treg_begin(struct trunkreg *t, struct treg *e)
{
	struct store_scope scope = ops_channel_scope(e->tenant_id, "voice");
	json_t *row = NULL;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char why[256] = "", reg_uri[320], aor[512], cuser[40];
	int err = 0;
	e->restart_at = 0;
	if (store_voice_trunk_dial(t->store, &scope, &row, &sealed, &sealed_len) < 0) {
		set_state(e, VOICE_TRUNK_FAILING, 0, "the trunk cannot be read", 0);
		goto out_restart;
	}
	const char *user = json_string_value(json_object_get(row, "username"));
	int64_t expires = json_integer_value(json_object_get(row, "register_expires"));
	free(e->user);
	e->user = user ? strdup(user) : NULL;
	if (e->pass == NULL && sealed &&
	    (t->secrets == NULL || secrets_unseal(t->secrets, sealed, sealed_len, &e->pass, why, sizeof(why)) < 0)) {
		set_state(e, VOICE_TRUNK_FAILING, 0, "the password cannot be opened (the key file changed?)", 0);
		goto out_restart;
	}
	if (e->user == NULL || e->pass == NULL || addresses(row, e->user, reg_uri, sizeof(reg_uri), aor, sizeof(aor)) < 0) {
		set_state(e, VOICE_TRUNK_FAILING, 0, "no credentials, or no registrar", 0);
		goto out_restart;
	}
	snprintf(cuser, sizeof(cuser), TRUNKREG_CONTACT_PREFIX "%lld", (long long)e->tenant_id);
	set_state(e, VOICE_TRUNK_REGISTERING, 0, NULL, 0);
	err = sipreg_register(&e->reg, t->sip, reg_uri, aor, NULL, aor, (uint32_t)(expires > 0 ? expires : DEFAULT_EXPIRES),
			      cuser, NULL, 0, 0, on_auth, e, true, on_response, e, NULL, NULL);
	if (err) {
		e->reg = NULL;
		snprintf(why, sizeof(why), "cannot send REGISTER: %s",
			 err == EINVAL ? "the registrar's host name cannot be resolved (no DNS server)" : strerror(err));
		set_state(e, VOICE_TRUNK_FAILING, 0, why, 0);
		goto out_restart;
	}
	goto out;
out_restart:
	e->restart_at = tmr_jiffies() + RESTART_MS;
out:
	free(sealed);
	json_decref(row);
}

/* Out of the table: unregistered (libre sends expires 0 when it was
 * registered), then freed once libre lets it go. */
static void treg_drop(struct trunkreg *t, struct treg *e)
{
	enum voice_trunk_reg old = e->st.state;
	pthread_mutex_lock(&t->lock);
	HASH_DEL(t->regs, e);
	pthread_mutex_unlock(&t->lock);
	e->gone = true;
	if (gauge(t, old))
		atomic_fetch_sub(gauge(t, old), 1);
	char tenant[24];
	snprintf(tenant, sizeof(tenant), "%lld", (long long)e->tenant_id);
	log_info("trunk registration", "tenant", tenant, "state", "off", "was", state_name(old));
	struct sipreg *reg = e->reg;
	e->reg = NULL;
	mem_deref(reg);
	mem_deref(e);
}

static void treg_add(struct trunkreg *t, int64_t tenant_id, int64_t updated_ms)
{
	struct treg *e = mem_zalloc(sizeof(*e), treg_destructor);
	if (e == NULL) {
		log_error("cannot register a trunk", "error", "out of memory");
		return;
	}
	e->t = t;
	e->tenant_id = tenant_id;
	e->updated_ms = updated_ms;
	e->seen = t->gen;
	pthread_mutex_lock(&t->lock);
	HASH_ADD(hh, t->regs, tenant_id, sizeof(e->tenant_id), e);
	pthread_mutex_unlock(&t->lock);
	treg_begin(t, e);
}

/* A registration whose REGISTER has had no answer for TRUNKREG_SILENT_MS. */
static void silent(struct treg *e)
{
	char why[96];
	snprintf(why, sizeof(why), "no answer in %d s from the registrar, or from the DNS server that finds it",
		 TRUNKREG_SILENT_MS / 1000);
	set_state(e, VOICE_TRUNK_FAILING, 0, why, 0);
}

/* The registrations in line with the rows: new ones started, changed ones
 * started again, gone ones dropped; those libre could not start tried again. */
static void sync(struct trunkreg *t, const json_t *list)
{
	t->gen++;
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row) {
		int64_t tenant = json_integer_value(json_object_get(row, "tenant_id"));
		int64_t updated = json_integer_value(json_object_get(row, "updated_ms"));
		struct treg *e = NULL;
		HASH_FIND(hh, t->regs, &tenant, sizeof(tenant), e);
		if (e && e->updated_ms != updated) {
			treg_drop(t, e);
			e = NULL;
		}
		if (e == NULL) {
			treg_add(t, tenant, updated);
			continue;
		}
		e->seen = t->gen;
		if (e->reg == NULL && e->restart_at && tmr_jiffies() >= e->restart_at)
			treg_begin(t, e);
		else if (e->reg && e->st.state == VOICE_TRUNK_REGISTERING &&
			 gc_now_ms() - e->st.at_ms >= TRUNKREG_SILENT_MS)
			silent(e);
	}
	struct treg *e, *tmp;
	HASH_ITER(hh, t->regs, e, tmp) {
		if (e->seen != t->gen)
			treg_drop(t, e);
	}
}

static void on_poll(void *arg)
{
	struct trunkreg *t = arg;
	json_t *list = NULL;
	int rc = store_voice_trunks_registering(t->store, &list);
	if (rc == GC_OK) {
		t->read_failed = false;
		sync(t, list);
	} else if (!t->read_failed) {
		t->read_failed = true; /* the registrations go on as they are */
		log_error("cannot read the trunks that register", "error", store_errmsg(t->store));
	}
	json_decref(list);
	tmr_start(&t->poll, TRUNKREG_POLL_MS, on_poll, t);
}

int trunkreg_new(struct sip *sip, struct store *store, struct secrets *secrets, struct trunkreg_counters *counters,
		 struct trunkreg **ret)
{
	struct trunkreg *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return GC_ENOMEM;
	*t = (struct trunkreg){.sip = sip, .store = store, .secrets = secrets, .counters = counters};
	pthread_mutex_init(&t->lock, NULL);
	tmr_init(&t->poll);
	tmr_init(&t->stop_tmr);
	tmr_start(&t->poll, 0, on_poll, t);
	*ret = t;
	return GC_OK;
}

static void stop_timeout(void *arg)
{
	struct trunkreg *t = arg;
	void (*done)(void *) = t->done;
	t->done = NULL;
	if (done)
		done(t->done_arg);
}

void trunkreg_stop(struct trunkreg *t, void (*done)(void *arg), void *arg)
{
	if (t == NULL || t->stopping) {
		if (done)
			done(arg);
		return;
	}
	tmr_cancel(&t->poll);
	t->stopping = true;
	t->done = done;
	t->done_arg = arg;
	t->pending = 1; /* this call's own, so that no drop below ends the stop */
	struct treg *e, *tmp;
	HASH_ITER(hh, t->regs, e, tmp) {
		t->pending++;
		treg_drop(t, e);
	}
	if (--t->pending == 0) {
		stop_timeout(t);
		return;
	}
	tmr_start(&t->stop_tmr, TRUNKREG_STOP_MS, stop_timeout, t);
}

void trunkreg_close(struct trunkreg *t)
{
	if (t == NULL)
		return;
	tmr_cancel(&t->poll);
	tmr_cancel(&t->stop_tmr);
	t->done = NULL;
	struct treg *e, *tmp;
	HASH_ITER(hh, t->regs, e, tmp)
		treg_drop(t, e);
	t->closed = true; /* what libre frees later tells no one */
}

void trunkreg_free(struct trunkreg *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int64_t trunkreg_tenant_of(const struct trunkreg *t, const char *user)
{
	size_t n = strlen(TRUNKREG_CONTACT_PREFIX);
	if (t == NULL || strncmp(user, TRUNKREG_CONTACT_PREFIX, n) != 0 || user[n] < '1' || user[n] > '9' ||
	    strspn(user + n, "0123456789") != strlen(user + n) || strlen(user + n) > 18)
		return 0;
	int64_t tenant = strtoll(user + n, NULL, 10);
	struct treg *e = NULL;
	HASH_FIND(hh, t->regs, &tenant, sizeof(tenant), e);
	return e ? tenant : 0;
}

void trunkreg_state(struct trunkreg *t, int64_t tenant_id, struct voice_trunk_state *ret)
{
	*ret = (struct voice_trunk_state){.state = VOICE_TRUNK_OFF};
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	struct treg *e = NULL;
	HASH_FIND(hh, t->regs, &tenant_id, sizeof(tenant_id), e);
	if (e)
		*ret = e->st;
	pthread_mutex_unlock(&t->lock);
}
