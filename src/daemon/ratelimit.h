/* Failed-login throttling: after too many failures for one account (or from
 * one address) within a window, logins answer 429 until the window ends. */
#ifndef GUICHET_DAEMON_RATELIMIT_H
#define GUICHET_DAEMON_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_WINDOW_MS (15 * 60 * 1000)

/* Sets the number of failures per account a window allows (per address: 10x). */
void ratelimit_init(int max_per_account);
/* Whether a login for email from ip may be tried now; else the seconds to wait. */
bool ratelimit_allows(const char *email, const char *ip, int64_t now_ms, int *ret_retry_after);
void ratelimit_failed(const char *email, const char *ip, int64_t now_ms);
/* A success clears the account's failures. */
void ratelimit_succeeded(const char *email);

#endif
