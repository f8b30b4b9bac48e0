/* Login throttling that an attacker can neither steer nor turn against the
 * users, and the self-service allowance per address.
 *
 * What is counted, and what it costs (the numbers are in ratelimit.c):
 *   - a pair (account, address): after free_failures failed logins, each
 *     further attempt of that pair waits 2 s, 4 s, 8 s... up to 15 min after
 *     the last failure. A success clears the pair. The pair's owner is the
 *     only one it slows.
 *   - an address: the accounts it failed on, leaking one every 5 min. Past
 *     10, it waits a growing delay (up to 5 min) before trying an account it
 *     has not logged into successfully in the last 30 days; the users who
 *     did log in from it (an office behind one NAT) are not slowed.
 *   - an account: its failures from anywhere, leaking one a minute. Past 20,
 *     addresses that never logged into it wait a growing delay that stops at
 *     30 s (no lockout anyone can trigger); an address where the account
 *     succeeded in the last 30 days is never slowed by it.
 * An attempt is counted as a failure of its pair and account when it begins
 * (ratelimit_login_begin), so parallel guesses at one account are counted
 * before the slow password check ends; ratelimit_login_succeeded (or
 * _refund) gives it back. A clean address counts an account once its
 * password was found wrong (ratelimit_login_failed): a shift of new hires
 * logging in at once behind one office's address is not a spray. An
 * address that failed lately counts a new account when its attempt begins,
 * so a sprayer's parallel guesses get one burst (the hashing pool's queue,
 * 64) and then, as before, one account per wait.
 *
 * Addresses are counted by network: an IPv4 address, an IPv6 /64 (one
 * subscriber's prefix). Counters live in fixed tables indexed by a keyed
 * BLAKE2b of the key with a random 256-bit key drawn at start, so nobody can
 * compute which keys share a bucket; each key is told apart by 128 more bits
 * of that digest. A bucket gives a new key only an empty or expired entry:
 * a live counter is never dropped for a newcomer. When an address or account
 * bucket is full of live entries, newcomers share the bucket's spill entry
 * (slowed together, and still never the addresses a user succeeded from);
 * when a pair bucket is full, the attempt is charged to its address, which
 * then slows even accounts it knew. Memory is fixed whatever is sent.
 *
 * Thread-safe: one mutex around tables. Times are milliseconds given by the
 * caller (the tests drive the clock). */
#ifndef GUICHET_DAEMON_RATELIMIT_H
#define GUICHET_DAEMON_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_KEY_LEN 32
#define RATELIMIT_PUBLIC_WINDOW_MS (60 * 1000)

/* Clears every counter, draws a new random key, and sets the failed logins
 * a pair may make before delays start and the self-service requests per
 * address and minute. Call before the threads start. */
void ratelimit_init(int free_failures, int public_per_minute);
/* Same with a given key (tests: a known key makes runs repeatable; the
 * key stays secret in the daemon). */
void ratelimit_init_key(const unsigned char key[RATELIMIT_KEY_LEN], int free_failures,
			int public_per_minute);

/* Whether email may try a password from address now. 0: go on, the
 * attempt is already counted as a failure; GC_EBUSY: not now, try again in
 * *ret_retry_after seconds (at least 1), nothing was counted and no
 * password should be checked. */
int ratelimit_login_begin(const char *email, const char *address, int64_t now_ms,
			  int *ret_retry_after);
/* The password was right: clears the pair, gives back the account's and the
 * address's count, and remembers address as one email logs in from. */
void ratelimit_login_succeeded(const char *email, const char *address, int64_t now_ms);
/* The attempt begun was never judged (the hashing pool was full, the store
 * failed): gives its count back without remembering anything. */
void ratelimit_login_refund(const char *email, const char *address, int64_t now_ms);
/* The attempt's password was wrong: its address counts the account. */
void ratelimit_login_failed(const char *email, const char *address, int64_t now_ms);

/* What another node of a cluster judged (cluster.c passes the nodes'
 * outcomes on), so that an attacker spreading guesses over the nodes
 * behind a load balancer is counted as one: a wrong password counts here
 * as a failure begun and judged here; a right one clears the pair and
 * remembers the address as the account's, giving back nothing (nothing was
 * counted here for that attempt). */
void ratelimit_login_failed_elsewhere(const char *email, const char *address, int64_t now_ms);
void ratelimit_login_succeeded_elsewhere(const char *email, const char *address, int64_t now_ms);

/* Counts a self-service request from address; false (and the seconds to
 * wait) when the address is over its minute's allowance. */
bool ratelimit_public(const char *address, int64_t now_ms, int *ret_retry_after);
/* The self-service allowance per address and minute (ratelimit_init). */
int ratelimit_public_max(void);

/* The web chat's allowances, in the same fixed-memory tables: what kind
 * names (a letter: 'c' chats opened, 'm' messages...) counted per key (a
 * visitor's id; NULL: none) and per address, at most max_per_key and
 * max_per_address a minute. false (and the seconds to wait) when either is
 * spent; a refused request is not counted by the key. */
bool ratelimit_keyed(char kind, const char *key, int max_per_key, const char *address, int max_per_address,
		     int64_t now_ms, int *ret_retry_after);

/* A request another node of a cluster let through (cluster.c passes them
 * on), counted here too and never refused, so that a client spreading its
 * requests over the nodes gets one allowance, not one per node: kind 's' a
 * self-service request by address (key NULL), any other a web chat's kind
 * by key (NULL: none) and address, as ratelimit_keyed counts them. */
void ratelimit_counted_elsewhere(char kind, const char *key, const char *address, int64_t now_ms);

#endif
