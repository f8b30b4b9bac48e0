/* Login and self-service throttling in fixed, keyed, set-associative tables
 * (ratelimit.h says what is counted and why).
 *
 * Each table is an array of buckets of WAYS entries plus one spill entry. A
 * key's keyed digest picks its bucket (64 bits) and names it in the bucket
 * (128 more bits). An entry is live until its `expires`; a bucket gives a new
 * key the expired entry that expired first, never a live one, except in the
 * table of known addresses, which only successful logins fill and where the
 * oldest success goes first. When no entry is free: pairs are not tracked
 * (their address pays), addresses, accounts and self-service counters share
 * the bucket's spill entry.
 *
 * Addresses and accounts count with a leaky counter held in one time,
 * `level`: the moment the count falls back to zero. Adding one pushes it a
 * leak period later; the count at t is ceil((level - t) / leak). */
#include "daemon/ratelimit.h"
#include "daemon/peer.h"
#include "guichet/error.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* A pair (account, address): free_failures (configuration) failures without
 * delay, then PAIR_BASE_DELAY_MS doubling with each failure, at most
 * PAIR_MAX_DELAY_MS (after 10 delayed failures): about 100 guesses a day.
 * A pair is forgotten PAIR_MEMORY_MS after its delay ended. */
#define PAIR_BASE_DELAY_MS 2000
#define PAIR_MAX_DELAY_MS (15 * 60 * 1000)
#define PAIR_MEMORY_MS (60 * 60 * 1000)
/* An address: the accounts it failed on, one forgiven each
 * ADDRESS_LEAK_MS; past ADDRESS_FREE_ACCOUNTS, accounts it never logged into
 * wait ADDRESS_BASE_DELAY_MS doubling per account, at most
 * ADDRESS_MAX_DELAY_MS after its last new failure (a sprayer tries about
 * 300 accounts a day; an office's typing mistakes leak away). */
#define ADDRESS_FREE_ACCOUNTS 10
#define ADDRESS_LEAK_MS (5 * 60 * 1000)
#define ADDRESS_BASE_DELAY_MS 1000
#define ADDRESS_MAX_DELAY_MS (5 * 60 * 1000)
/* An account: its failures from every address, one forgiven each
 * ACCOUNT_LEAK_MS; past ACCOUNT_FREE_FAILURES, addresses it never logged in
 * from wait ACCOUNT_BASE_DELAY_MS doubling per failure, never more than
 * ACCOUNT_MAX_DELAY_MS: slowed, never locked out. */
#define ACCOUNT_FREE_FAILURES 20
#define ACCOUNT_LEAK_MS (60 * 1000)
#define ACCOUNT_BASE_DELAY_MS 1000
#define ACCOUNT_MAX_DELAY_MS (30 * 1000)
/* How long a successful login makes its address known for the account. */
#define KNOWN_MEMORY_MS (30LL * 24 * 3600 * 1000)
/* A leaky count never goes above this (keeps the arithmetic far from overflow). */
#define LEAKY_MAX 100000

/* Table sizes (buckets are powers of two; 48 bytes an entry, 2.7 MB in all). */
#define WAYS 8
#define PAIR_BUCKETS 2048    /* 16,384 pairs */
#define KNOWN_BUCKETS 2048   /* 16,384 (account, address) that succeeded */
#define ADDRESS_BUCKETS 1024 /* 8,192 addresses */
#define ACCOUNT_BUCKETS 1024 /* 8,192 accounts */
#define PUBLIC_BUCKETS 1024  /* 8,192 self-service addresses */
#define KEYED_BUCKETS 16384  /* 131,072 web chat visitors and addresses a minute (ratelimit_keyed): a promotion's burst */

struct entry {
	uint8_t id[16];
	int64_t last;    /* last failure; known: last success; public: window start */
	int64_t level;   /* addresses, accounts: when the leaky count is back to zero */
	int64_t expires; /* 0 or past: free */
	int32_t n;       /* pair: failures; public: requests in the window */
	int32_t charged; /* pair: its address counts it among the accounts it failed on */
};

struct bucket {
	struct entry way[WAYS];
	struct entry spill;
};

enum when_full { FULL_UNTRACKED, FULL_SPILL, FULL_EVICT_OLDEST };

struct table {
	struct bucket *buckets;
	size_t n_buckets;
	enum when_full full;
};

static struct bucket pair_buckets[PAIR_BUCKETS], known_buckets[KNOWN_BUCKETS],
	address_buckets[ADDRESS_BUCKETS], account_buckets[ACCOUNT_BUCKETS], public_buckets[PUBLIC_BUCKETS],
	keyed_buckets[KEYED_BUCKETS];
static struct table pairs = {pair_buckets, PAIR_BUCKETS, FULL_UNTRACKED};
static struct table known = {known_buckets, KNOWN_BUCKETS, FULL_EVICT_OLDEST};
static struct table addresses = {address_buckets, ADDRESS_BUCKETS, FULL_SPILL};
static struct table accounts = {account_buckets, ACCOUNT_BUCKETS, FULL_SPILL};
static struct table publics = {public_buckets, PUBLIC_BUCKETS, FULL_SPILL};
static struct table keyed = {keyed_buckets, KEYED_BUCKETS, FULL_SPILL};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char secret[RATELIMIT_KEY_LEN];
static int free_failures = 5;
static int max_public = 60;

/* A key's digest: bytes 0-7 choose the bucket, 8-23 name the key. */
struct digest {
	uint8_t bytes[24];
};

void ratelimit_init_key(const unsigned char key[RATELIMIT_KEY_LEN], int free_pair_failures,
			int public_per_minute)
{
	pthread_mutex_lock(&lock);
	memcpy(secret, key, sizeof(secret));
	free_failures = free_pair_failures;
	max_public = public_per_minute;
	memset(pair_buckets, 0, sizeof(pair_buckets));
	memset(known_buckets, 0, sizeof(known_buckets));
	memset(address_buckets, 0, sizeof(address_buckets));
	memset(account_buckets, 0, sizeof(account_buckets));
	memset(public_buckets, 0, sizeof(public_buckets));
	memset(keyed_buckets, 0, sizeof(keyed_buckets));
	pthread_mutex_unlock(&lock);
}

void ratelimit_init(int free_pair_failures, int public_per_minute)
{
	unsigned char key[RATELIMIT_KEY_LEN];
	if (sodium_init() < 0)
		abort(); /* no randomness: a predictable key would undo the point */
	randombytes_buf(key, sizeof(key));
	ratelimit_init_key(key, free_pair_failures, public_per_minute);
	sodium_memzero(key, sizeof(key));
}

/* The bytes an address is counted by: IPv4 whole, IPv6 its /64, anything
 * unparsable (no connection) as its text. */
static size_t address_key(const char *address, uint8_t ret[64])
{
	struct peer_addr a;
	size_t len = strlen(address);
	if (peer_addr_parse(address, len, &a) == GC_OK) {
		ret[0] = a.family;
		memcpy(ret + 1, a.bytes, a.family == 4 ? 4 : 8);
		return a.family == 4 ? 5 : 9;
	}
	ret[0] = 0;
	len = len > 62 ? 62 : len;
	memcpy(ret + 1, address, len);
	return len + 1;
}

/* Keyed digest of kind, the address's key (or none) and the email in lower case (or none). */
static void digest(char kind, const char *address, const char *email, struct digest *ret)
{
	crypto_generichash_state st;
	uint8_t head[2] = {(uint8_t)kind, 0}, addr[64];
	size_t addr_len = address ? address_key(address, addr) : 0;
	head[1] = (uint8_t)addr_len;
	crypto_generichash_init(&st, secret, sizeof(secret), sizeof(ret->bytes));
	crypto_generichash_update(&st, head, sizeof(head));
	crypto_generichash_update(&st, addr, addr_len);
	for (const char *p = email ? email : ""; *p;) {
		uint8_t chunk[64];
		size_t n = 0;
		for (; *p && n < sizeof(chunk); p++)
			chunk[n++] = (uint8_t)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
		crypto_generichash_update(&st, chunk, n);
	}
	crypto_generichash_final(&st, ret->bytes, sizeof(ret->bytes));
}

static struct bucket *bucket_of(const struct table *t, const struct digest *d)
{
	uint64_t index;
	memcpy(&index, d->bytes, sizeof(index));
	return &t->buckets[index & (t->n_buckets - 1)];
}

/* The key's live entry in b, or NULL. */
static struct entry *find_live(struct bucket *b, const struct digest *d, int64_t now)
{
	for (int i = 0; i < WAYS; i++)
		if (b->way[i].expires > now && memcmp(b->way[i].id, d->bytes + 8, 16) == 0)
			return &b->way[i];
	return NULL;
}

/* The entry of b that stopped mattering first, or NULL when all are live. */
static struct entry *vacancy(struct bucket *b, int64_t now)
{
	struct entry *best = NULL;
	for (int i = 0; i < WAYS; i++)
		if (b->way[i].expires <= now && (best == NULL || b->way[i].expires < best->expires))
			best = &b->way[i];
	return best;
}

static struct entry *spill_of(struct bucket *b, int64_t now)
{
	if (b->spill.expires <= now)
		memset(&b->spill, 0, sizeof(b->spill));
	return &b->spill;
}

/* The entry counting the key now, to read: its own, the spill when its
 * bucket is full (it was counted there), or NULL (nothing counted). */
static struct entry *lookup(const struct table *t, const struct digest *d, int64_t now)
{
	struct bucket *b = bucket_of(t, d);
	struct entry *e = find_live(b, d, now);
	if (e == NULL && t->full == FULL_SPILL && vacancy(b, now) == NULL)
		e = spill_of(b, now);
	return e;
}

/* The entry to count the key in: its own, a new one (zeroed, *ret_new set),
 * or what the table does when the bucket is full (spill, evict the oldest,
 * or NULL: untracked). */
static struct entry *claim(const struct table *t, const struct digest *d, int64_t now, bool *ret_new)
{
	struct bucket *b = bucket_of(t, d);
	struct entry *e = find_live(b, d, now);
	if (e)
		return e;
	e = vacancy(b, now);
	if (e == NULL && t->full == FULL_SPILL)
		return spill_of(b, now);
	if (e == NULL && t->full == FULL_EVICT_OLDEST) {
		e = &b->way[0];
		for (int i = 1; i < WAYS; i++)
			if (b->way[i].last < e->last)
				e = &b->way[i];
	}
	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	memcpy(e->id, d->bytes + 8, 16);
	if (ret_new)
		*ret_new = true;
	return e;
}

static int64_t doubling(int64_t base, int64_t steps, int64_t max)
{
	if (steps > 30)
		return max;
	int64_t delay = base << steps;
	return delay < max ? delay : max;
}

static int64_t pair_delay(int32_t failures)
{
	return failures < free_failures ? 0 : doubling(PAIR_BASE_DELAY_MS, failures - free_failures, PAIR_MAX_DELAY_MS);
}

static int64_t leaky_count(const struct entry *e, int64_t leak, int64_t now)
{
	return e->level > now ? (e->level - now + leak - 1) / leak : 0;
}

static void leaky_add(struct entry *e, int64_t leak, int64_t now)
{
	if (leaky_count(e, leak, now) < LEAKY_MAX)
		e->level = (e->level > now ? e->level : now) + leak;
	e->last = now;
	e->expires = e->level;
}

static void leaky_remove(struct entry *e, int64_t leak, int64_t now)
{
	if (e->level > now)
		e->level = e->level - leak > now ? e->level - leak : now;
	e->expires = e->level;
}

/* How long e must still wait: count past free, doubling from base up to max. */
static int64_t leaky_wait(const struct entry *e, int64_t leak, int64_t free_count, int64_t base,
			  int64_t max, int64_t now)
{
	if (e == NULL)
		return 0;
	int64_t over = leaky_count(e, leak, now) - free_count;
	if (over <= 0)
		return 0;
	int64_t until = e->last + doubling(base, over - 1, max);
	return until > now ? until - now : 0;
}

/* The time the pair, the address or the account still has to wait. */
static int64_t login_wait(const struct digest *pd, const struct digest *kd, const struct digest *ad,
			  const struct digest *cd, int64_t now)
{
	bool is_known = find_live(bucket_of(&known, kd), kd, now) != NULL;
	struct bucket *pb = bucket_of(&pairs, pd);
	struct entry *pair = find_live(pb, pd, now);
	bool untracked = pair == NULL && vacancy(pb, now) == NULL;
	int64_t wait = 0;
	if (pair && pair->last + pair_delay(pair->n) > now)
		wait = pair->last + pair_delay(pair->n) - now;
	if (!is_known || untracked) {
		int64_t w = leaky_wait(lookup(&addresses, ad, now), ADDRESS_LEAK_MS, ADDRESS_FREE_ACCOUNTS,
				       ADDRESS_BASE_DELAY_MS, ADDRESS_MAX_DELAY_MS, now);
		wait = w > wait ? w : wait;
	}
	if (!is_known) {
		int64_t w = leaky_wait(lookup(&accounts, cd, now), ACCOUNT_LEAK_MS, ACCOUNT_FREE_FAILURES,
				       ACCOUNT_BASE_DELAY_MS, ACCOUNT_MAX_DELAY_MS, now);
		wait = w > wait ? w : wait;
	}
	return wait;
}

/* Counts the attempt as a failure of the pair and the account. The
 * address counts a new account when its password is found wrong
 * (ratelimit_login_failed): a shift's logins starting together from a
 * clean office address are not failures. But an address that failed
 * lately, or a pair that cannot be tracked, is charged now, so that a
 * sprayer's parallel guesses get one burst (the hashing pool's queue) and
 * then one account per wait, as before. */
static void login_charge(const struct digest *pd, const struct digest *ad, const struct digest *cd,
			 int64_t now)
{
	bool fresh = false;
	struct entry *pair = claim(&pairs, pd, now, &fresh), *address = lookup(&addresses, ad, now);
	bool failed_lately = address && leaky_count(address, ADDRESS_LEAK_MS, now) > 0;
	if (pair == NULL || (fresh && failed_lately)) {
		leaky_add(claim(&addresses, ad, now, NULL), ADDRESS_LEAK_MS, now);
		if (pair)
			pair->charged = 1;
	}
	if (pair) {
		if (pair->n < INT32_MAX)
			pair->n++;
		pair->last = now;
		pair->expires = now + pair_delay(pair->n) + PAIR_MEMORY_MS;
	}
	leaky_add(claim(&accounts, cd, now, NULL), ACCOUNT_LEAK_MS, now);
}

int ratelimit_login_begin(const char *email, const char *address, int64_t now, int *ret_retry_after)
{
	struct digest pd, kd, ad, cd;
	digest('p', address, email, &pd);
	digest('k', address, email, &kd);
	digest('a', address, NULL, &ad);
	digest('c', NULL, email, &cd);
	pthread_mutex_lock(&lock);
	int64_t wait = login_wait(&pd, &kd, &ad, &cd, now);
	if (wait == 0)
		login_charge(&pd, &ad, &cd, now);
	pthread_mutex_unlock(&lock);
	if (wait == 0)
		return GC_OK;
	*ret_retry_after = (int)((wait + 999) / 1000);
	return GC_EBUSY;
}

/* Gives back what login_charge counted; forget: the pair is cleared. */
static void login_give_back(const char *email, const char *address, int64_t now, bool forget)
{
	struct digest pd, ad, cd;
	digest('p', address, email, &pd);
	digest('a', address, NULL, &ad);
	digest('c', NULL, email, &cd);
	struct entry *pair = find_live(bucket_of(&pairs, &pd), &pd, now);
	if (pair == NULL || (pair->charged && pair->n <= 1)) { /* the address was charged at the start */
		struct entry *a = lookup(&addresses, &ad, now);
		if (a)
			leaky_remove(a, ADDRESS_LEAK_MS, now);
	}
	if (pair && (forget || pair->n <= 1))
		memset(pair, 0, sizeof(*pair));
	else if (pair)
		pair->n--;
	struct entry *c = lookup(&accounts, &cd, now);
	if (c)
		leaky_remove(c, ACCOUNT_LEAK_MS, now);
}

/* Remembers address as one email logs in from. Under the lock. */
static void remember_known(const char *email, const char *address, int64_t now)
{
	struct digest kd;
	digest('k', address, email, &kd);
	struct entry *k = claim(&known, &kd, now, NULL);
	k->last = now;
	k->expires = now + KNOWN_MEMORY_MS;
}

void ratelimit_login_succeeded(const char *email, const char *address, int64_t now)
{
	pthread_mutex_lock(&lock);
	login_give_back(email, address, now, true);
	remember_known(email, address, now);
	pthread_mutex_unlock(&lock);
}

/* The pair's password was found wrong: its address counts the account,
 * once. Under the lock. */
static void login_failed(const struct digest *pd, const struct digest *ad, int64_t now)
{
	struct entry *pair = find_live(bucket_of(&pairs, pd), pd, now);
	if (pair && !pair->charged) { /* a new account the address failed on */
		leaky_add(claim(&addresses, ad, now, NULL), ADDRESS_LEAK_MS, now);
		pair->charged = 1;
	}
}

void ratelimit_login_failed(const char *email, const char *address, int64_t now)
{
	struct digest pd, ad;
	digest('p', address, email, &pd);
	digest('a', address, NULL, &ad);
	pthread_mutex_lock(&lock);
	login_failed(&pd, &ad, now);
	pthread_mutex_unlock(&lock);
}

void ratelimit_login_failed_elsewhere(const char *email, const char *address, int64_t now)
{
	struct digest pd, ad, cd;
	digest('p', address, email, &pd);
	digest('a', address, NULL, &ad);
	digest('c', NULL, email, &cd);
	pthread_mutex_lock(&lock);
	login_charge(&pd, &ad, &cd, now);
	login_failed(&pd, &ad, now);
	pthread_mutex_unlock(&lock);
}

void ratelimit_login_succeeded_elsewhere(const char *email, const char *address, int64_t now)
{
	struct digest pd;
	digest('p', address, email, &pd);
	pthread_mutex_lock(&lock);
	struct entry *pair = find_live(bucket_of(&pairs, &pd), &pd, now);
	if (pair)
		memset(pair, 0, sizeof(*pair));
	remember_known(email, address, now);
	pthread_mutex_unlock(&lock);
}

void ratelimit_login_refund(const char *email, const char *address, int64_t now)
{
	pthread_mutex_lock(&lock);
	login_give_back(email, address, now, false);
	pthread_mutex_unlock(&lock);
}

/* Starts e's minute window afresh once the last one is over. Under the lock. */
static void window_start(struct entry *e, int64_t now)
{
	if (now - e->last >= RATELIMIT_PUBLIC_WINDOW_MS || e->expires == 0) {
		e->last = now;
		e->n = 0;
		e->expires = now + RATELIMIT_PUBLIC_WINDOW_MS;
	}
}

/* Counts one in e's minute window: false (and the seconds to wait) past max. Under the lock. */
static bool window_count(struct entry *e, int64_t max, int64_t now, int *ret_retry_after)
{
	window_start(e, now);
	bool ok = e->n < max;
	if (ok)
		e->n++;
	else
		*ret_retry_after = (int)((e->last + RATELIMIT_PUBLIC_WINDOW_MS - now) / 1000) + 1;
	return ok;
}

/* Counts one in e's minute window whatever it holds (another node let it through). Under the lock. */
static void window_add(struct entry *e, int64_t now)
{
	window_start(e, now);
	if (e->n < INT32_MAX)
		e->n++;
}

bool ratelimit_public(const char *address, int64_t now, int *ret_retry_after)
{
	struct digest d;
	digest('s', address, NULL, &d);
	pthread_mutex_lock(&lock);
	bool ok = window_count(claim(&publics, &d, now, NULL), max_public, now, ret_retry_after);
	pthread_mutex_unlock(&lock);
	return ok;
}

bool ratelimit_keyed(char kind, const char *key, int max_per_key, const char *address, int max_per_address,
		     int64_t now, int *ret_retry_after)
{
	struct digest kd, ad;
	if (key)
		digest(kind, NULL, key, &kd);
	digest((char)(kind ^ 0x20), address, NULL, &ad); /* the address's own count: the kind in the other case */
	pthread_mutex_lock(&lock);
	struct entry *k = key ? claim(&keyed, &kd, now, NULL) : NULL;
	/* checked before either is counted: a refused request costs neither */
	bool key_ok = k == NULL || k->n < max_per_key || now - k->last >= RATELIMIT_PUBLIC_WINDOW_MS || k->expires == 0;
	bool ok = key_ok && window_count(claim(&keyed, &ad, now, NULL), max_per_address, now, ret_retry_after);
	if (ok && k)
		ok = window_count(k, max_per_key, now, ret_retry_after);
	else if (!key_ok)
		*ret_retry_after = (int)((k->last + RATELIMIT_PUBLIC_WINDOW_MS - now) / 1000) + 1;
	pthread_mutex_unlock(&lock);
	return ok;
}

void ratelimit_counted_elsewhere(char kind, const char *key, const char *address, int64_t now)
{
	struct digest kd, ad;
	bool keyed_kind = kind != 's';
	if (keyed_kind && key)
		digest(kind, NULL, key, &kd);
	digest(keyed_kind ? (char)(kind ^ 0x20) : 's', address, NULL, &ad);
	pthread_mutex_lock(&lock);
	if (keyed_kind && key)
		window_add(claim(&keyed, &kd, now, NULL), now);
	window_add(claim(keyed_kind ? &keyed : &publics, &ad, now, NULL), now);
	pthread_mutex_unlock(&lock);
}

int ratelimit_public_max(void)
{
	pthread_mutex_lock(&lock);
	int max = max_public;
	pthread_mutex_unlock(&lock);
	return max;
}
