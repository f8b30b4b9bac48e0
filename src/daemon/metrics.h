/* Request counters and latency histograms per route, shown at /metrics in
 * the Prometheus text format. Counting is lock-free (relaxed atomics). */
#ifndef GUICHET_DAEMON_METRICS_H
#define GUICHET_DAEMON_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct server;

/* Counts one answered request of route index (http_n_routes: unrouted). */
void metrics_count(size_t route, int status, uint64_t duration_ns);
/* Appends the exposition text. */
void metrics_render(struct evbuffer *out, struct server *srv, int64_t db_size);

#endif
