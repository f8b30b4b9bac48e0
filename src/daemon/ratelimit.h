/* Failed-login throttling: after too many failures for one account (or from
 * one address) within a window, logins answer 429 until the window ends. */
#ifndef GUICHET_DAEMON_RATELIMIT_H
#define GUICHET_DAEMON_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_WINDOW_MS (15 * 60 * 1000)

#define RATELIMIT_PUBLIC_WINDOW_MS (60 * 1000)

/* Sets the number of failures per account a window allows (per address:
 * 10x), and the self-service requests per address and minute. */
void ratelimit_init(int max_per_account, int public_per_minute);
/* Whether a login for email from ip may be tried now; else the seconds to wait. */
bool ratelimit_allows(const char *email, const char *ip, int64_t now_ms, int *ret_retry_after);
void ratelimit_failed(const char *email, const char *ip, int64_t now_ms);
/* A success clears the account's failures. */
void ratelimit_succeeded(const char *email);
/* Counts a self-service request from ip; false (and the seconds to wait)
 * when the address is over its minute's allowance. */
bool ratelimit_public(const char *ip, int64_t now_ms, int *ret_retry_after);

#endif
