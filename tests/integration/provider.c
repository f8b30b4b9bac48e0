/* The messaging provider's stand-in (provider.h). */
#include "provider.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_header(struct evhttp_request *req, const char *name, char *to, size_t len)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), name);
	snprintf(to, len, "%s", v ? v : "");
}

/* The number a form body sends to (To=%2B1555...), decoded; "" for none. */
static const char *to_number(const char *body)
{
	static _Thread_local char number[64];
	const char *to = strstr(body, "To=");
	number[0] = '\0';
	if (to && (to == body || to[-1] == '&')) {
		size_t n = strcspn(to + 3, "&");
		char raw[64];
		snprintf(raw, sizeof(raw), "%.*s", (int)(n < sizeof(raw) ? n : sizeof(raw) - 1), to + 3);
		char *decoded = evhttp_uridecode(raw, 1, NULL);
		snprintf(number, sizeof(number), "%s", decoded ? decoded : "");
		free(decoded);
	}
	return number;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct provider *p = arg;
	struct provider_request r = {.at_ms = now_ms()};
	snprintf(r.path, sizeof(r.path), "%s", evhttp_request_get_uri(req));
	copy_header(req, "Authorization", r.authorization, sizeof(r.authorization));
	copy_header(req, "Content-Type", r.content_type, sizeof(r.content_type));
	copy_header(req, "X-Guichet-Timestamp", r.timestamp, sizeof(r.timestamp));
	copy_header(req, "X-Guichet-Signature", r.signature, sizeof(r.signature));
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	if (len >= sizeof(r.body))
		len = sizeof(r.body) - 1;
	evbuffer_copyout(in, r.body, len);
	r.body[len] = '\0';
	pthread_mutex_lock(&p->lock);
	r.status = p->next_script < p->n_script ? p->script[p->next_script++] : 201;
	snprintf(r.id, sizeof(r.id), "SM%d", p->n_requests + 1);
	if (p->n_requests < PROVIDER_MAX_REQUESTS)
		p->requests[p->n_requests++] = r;
	pthread_mutex_unlock(&p->lock);
	struct evbuffer *out = evbuffer_new();
	if (r.status == 201)
		evbuffer_add_printf(out, "{\"sid\":\"%s\",\"id\":\"%s\",\"status\":\"queued\"}", r.id, r.id);
	else
		evbuffer_add_printf(out, "{\"code\":21211,\"message\":\"stand-in refuses with %d: the 'To' number %s is "
				    "not a valid phone number\"}", r.status, to_number(r.body)); /* as Twilio names it */
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
	evhttp_send_reply(req, r.status, r.status == 201 ? "Created" : "Refused", out);
	evbuffer_free(out);
}

static void check_stop(evutil_socket_t fd, short what, void *arg)
{
	struct provider *p = arg;
	if (atomic_load(&p->stop))
		event_base_loopbreak(p->base);
}

static void *serve(void *arg)
{
	struct provider *p = arg;
	struct timeval tick = {0, 20000};
	struct event *timer = event_new(p->base, -1, EV_PERSIST, check_stop, p);
	event_add(timer, &tick);
	event_base_dispatch(p->base);
	event_free(timer);
	return NULL;
}

int provider_start(struct provider *p)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->base = event_base_new();
	p->http = p->base ? evhttp_new(p->base) : NULL;
	if (p->http == NULL)
		return -1;
	evhttp_set_gencb(p->http, on_request, p);
	struct evhttp_bound_socket *s = evhttp_bind_socket_with_handle(p->http, "127.0.0.1", 0);
	if (s == NULL)
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(evhttp_bound_socket_get_fd(s), (struct sockaddr *)&ss, &len) != 0)
		return -1;
	p->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%d", p->port);
	return pthread_create(&p->thread, NULL, serve, p) == 0 ? 0 : -1;
}

void provider_stop(struct provider *p)
{
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	evhttp_free(p->http);
	event_base_free(p->base);
	pthread_mutex_destroy(&p->lock);
}

void provider_script(struct provider *p, const int *statuses, int n)
{
	pthread_mutex_lock(&p->lock);
	p->n_script = 0;
	p->next_script = 0;
	for (int i = 0; i < n && i < PROVIDER_MAX_SCRIPT; i++)
		p->script[p->n_script++] = statuses[i];
	pthread_mutex_unlock(&p->lock);
}

int provider_count(struct provider *p)
{
	pthread_mutex_lock(&p->lock);
	int n = p->n_requests;
	pthread_mutex_unlock(&p->lock);
	return n;
}

bool provider_wait(struct provider *p, int n, int timeout_ms)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		if (provider_count(p) >= n)
			return true;
		nanosleep(&tick, NULL);
	}
	return provider_count(p) >= n;
}

struct provider_request provider_get(struct provider *p, int i)
{
	pthread_mutex_lock(&p->lock);
	struct provider_request r = i < p->n_requests ? p->requests[i] : (struct provider_request){0};
	pthread_mutex_unlock(&p->lock);
	return r;
}
