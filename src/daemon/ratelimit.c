/* Failed-login and self-service counters in a fixed table (ratelimit.h): memory stays
 * bounded whatever an attacker sends; a collision at worst forgets a count. */
#include "daemon/ratelimit.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define SLOTS 4096

struct slot {
	unsigned char key[16];
	int64_t window_start;
	int failures;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int max_account = 10;
static int max_public = 60;

void ratelimit_init(int max_per_account, int public_per_minute)
{
	max_account = max_per_account;
	max_public = public_per_minute;
}

static struct slot *find(const char *kind, const char *value)
{
	unsigned char key[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof(key));
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	for (const char *p = value; *p; p++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*p);
		crypto_generichash_update(&st, &c, 1);
	}
	crypto_generichash_final(&st, key, sizeof(key));
	struct slot *s = &slots[(key[0] | key[1] << 8) % SLOTS];
	if (memcmp(s->key, key, sizeof(key)) != 0) {
		memset(s, 0, sizeof(*s));
		memcpy(s->key, key, sizeof(key));
	}
	return s;
}

static bool over(struct slot *s, int max, int64_t now, int *ret_retry)
{
	if (now - s->window_start >= RATELIMIT_WINDOW_MS) {
		s->window_start = now;
		s->failures = 0;
	}
	if (s->failures < max)
		return false;
	*ret_retry = (int)((s->window_start + RATELIMIT_WINDOW_MS - now) / 1000) + 1;
	return true;
}

bool ratelimit_allows(const char *email, const char *ip, int64_t now, int *ret_retry_after)
{
	pthread_mutex_lock(&lock);
	bool blocked = over(find("account", email), max_account, now, ret_retry_after) ||
		       over(find("address", ip), max_account * 10, now, ret_retry_after);
	pthread_mutex_unlock(&lock);
	return !blocked;
}

void ratelimit_failed(const char *email, const char *ip, int64_t now)
{
	pthread_mutex_lock(&lock);
	struct slot *s = find("account", email);
	if (s->window_start == 0)
		s->window_start = now;
	s->failures++;
	s = find("address", ip);
	if (s->window_start == 0)
		s->window_start = now;
	s->failures++;
	pthread_mutex_unlock(&lock);
}

void ratelimit_succeeded(const char *email)
{
	pthread_mutex_lock(&lock);
	find("account", email)->failures = 0;
	pthread_mutex_unlock(&lock);
}

bool ratelimit_public(const char *ip, int64_t now, int *ret_retry_after)
{
	pthread_mutex_lock(&lock);
	struct slot *s = find("public", ip);
	if (now - s->window_start >= RATELIMIT_PUBLIC_WINDOW_MS) {
		s->window_start = now;
		s->failures = 0;
	}
	bool ok = s->failures < max_public;
	if (ok)
		s->failures++;
	else
		*ret_retry_after = (int)((s->window_start + RATELIMIT_PUBLIC_WINDOW_MS - now) / 1000) + 1;
	pthread_mutex_unlock(&lock);
	return ok;
}
