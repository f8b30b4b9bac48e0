/* A messaging provider's stand-in for the integration tests: a real HTTP
 * server (libevent's evhttp) on a loopback port, in a thread of the test.
 * It records every request guichetd makes (path, headers of interest,
 * body, when) and answers the statuses the test scripted, in order, then
 * 201 with {"sid":"SM<n>","id":"P<n>"}. */
#ifndef GUICHET_TEST_PROVIDER_H
#define GUICHET_TEST_PROVIDER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define PROVIDER_MAX_REQUESTS 64
#define PROVIDER_MAX_SCRIPT 16

struct provider_request {
	char path[256];
	char authorization[256];
	char content_type[128];
	char timestamp[32];       /* X-Guichet-Timestamp */
	char signature[96];       /* X-Guichet-Signature */
	char body[4096];
	int status;               /* what it was answered */
	char id[32];              /* the id answered with a 201 */
	int64_t at_ms;
};

struct provider {
	struct event_base *base;
	struct evhttp *http;
	pthread_t thread;
	atomic_bool stop;
	int port;
	char url[64];             /* http://127.0.0.1:port */
	pthread_mutex_t lock;
	int script[PROVIDER_MAX_SCRIPT];
	int n_script, next_script;
	struct provider_request requests[PROVIDER_MAX_REQUESTS];
	int n_requests;
};

int provider_start(struct provider *p);
void provider_stop(struct provider *p);
/* The next requests are answered these statuses, in order (then 201). */
void provider_script(struct provider *p, const int *statuses, int n);
/* Waits until at least n requests came (timeout_ms): true when they did. */
bool provider_wait(struct provider *p, int n, int timeout_ms);
/* A copy of request i. */
struct provider_request provider_get(struct provider *p, int i);
int provider_count(struct provider *p);

#endif
