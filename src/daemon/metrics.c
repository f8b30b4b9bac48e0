/* Prometheus metrics (metrics.h). */
#include "daemon/metrics.h"
#include "daemon/cluster.h"
#include "channel/voice/voice.h"
#include "daemon/http.h"
#include "daemon/conn.h"
#include "daemon/router.h"
#include "daemon/server.h"
#include "daemon/writer.h"

#include <event2/buffer.h>
#include <stdatomic.h>

#define MAX_ROUTES 64
static const int status_codes[] = {200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415,
				   422, 429, 500, 503, 0 /* other */};
#define N_STATUS (sizeof(status_codes) / sizeof(status_codes[0]))
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				 0.25, 0.5, 1, 2.5};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct route_metrics {
	atomic_uint_fast64_t by_status[N_STATUS];
	atomic_uint_fast64_t le[N_BUCKETS + 1]; /* last: +Inf */
	atomic_uint_fast64_t sum_ns;
};

static struct route_metrics routes[MAX_ROUTES + 1];

void metrics_count(size_t route, int status, uint64_t duration_ns)
{
	struct route_metrics *m = &routes[route < MAX_ROUTES ? route : MAX_ROUTES];
	size_t s = 0;
	while (status_codes[s] != 0 && status_codes[s] != status)
		s++;
	atomic_fetch_add_explicit(&m->by_status[s], 1, memory_order_relaxed);
	double secs = (double)duration_ns / 1e9;
	size_t b = 0;
	while (b < N_BUCKETS && secs > buckets[b])
		b++;
	atomic_fetch_add_explicit(&m->le[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_ns, duration_ns, memory_order_relaxed);
}

static void render_route(struct evbuffer *out, const char *label, struct route_metrics *m)
{
	uint64_t total = 0;
	for (size_t s = 0; s < N_STATUS; s++) {
		uint64_t n = atomic_load_explicit(&m->by_status[s], memory_order_relaxed);
		if (n == 0)
			continue;
		if (status_codes[s])
			evbuffer_add_printf(out, "guichet_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
					    label, status_codes[s], (unsigned long long)n);
		else
			evbuffer_add_printf(out, "guichet_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
					    label, (unsigned long long)n);
		total += n;
	}
	if (total == 0)
		return;
	uint64_t cumulative = 0;
	for (size_t b = 0; b <= N_BUCKETS; b++) {
		cumulative += atomic_load_explicit(&m->le[b], memory_order_relaxed);
		if (b < N_BUCKETS)
			evbuffer_add_printf(out, "guichet_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
					    label, buckets[b], (unsigned long long)cumulative);
		else
			evbuffer_add_printf(out, "guichet_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
					    label, (unsigned long long)cumulative);
	}
	evbuffer_add_printf(out, "guichet_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
			    label, (double)atomic_load(&m->sum_ns) / 1e9);
	evbuffer_add_printf(out, "guichet_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
			    label, (unsigned long long)cumulative);
}

void metrics_render(struct evbuffer *out, struct server *srv, int64_t db_size)
{
	evbuffer_add_printf(out, "# HELP guichet_http_requests_total Requests answered, by route and status.\n"
				 "# TYPE guichet_http_requests_total counter\n"
				 "# HELP guichet_http_request_duration_seconds Time from arrival to answer.\n"
				 "# TYPE guichet_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < http_n_routes && i < MAX_ROUTES; i++)
		render_route(out, http_routes[i].label, &routes[i]);
	render_route(out, "unrouted", &routes[MAX_ROUTES]);
	uint64_t batches, jobs;
	writer_stats(srv->writer, &batches, &jobs);
	evbuffer_add_printf(out,
		"# HELP guichet_db_size_bytes Size of the database file.\n"
		"# TYPE guichet_db_size_bytes gauge\nguichet_db_size_bytes %lld\n"
		"# HELP guichet_commits_total Transactions committed by the writer (group commits).\n"
		"# TYPE guichet_commits_total counter\nguichet_commits_total %llu\n"
		"# HELP guichet_committed_requests_total Write requests committed.\n"
		"# TYPE guichet_committed_requests_total counter\nguichet_committed_requests_total %llu\n"
		"# HELP guichet_requests_in_flight Requests being handled.\n"
		"# TYPE guichet_requests_in_flight gauge\nguichet_requests_in_flight %d\n"
		"# HELP guichet_read_batches_total Reads sent to the database together (requests that arrived at once).\n"
		"# TYPE guichet_read_batches_total counter\nguichet_read_batches_total %llu\n"
		"# HELP guichet_batched_reads_total Requests served by those batches.\n"
		"# TYPE guichet_batched_reads_total counter\nguichet_batched_reads_total %llu\n",
		(long long)db_size, (unsigned long long)batches, (unsigned long long)jobs,
		atomic_load(&srv->in_flight), (unsigned long long)atomic_load(&srv->read_batches),
		(unsigned long long)atomic_load(&srv->batched_reads));
	int open = 0;
	uint64_t refused = 0;
	conn_guard_stats(srv->guard, &open, &refused);
	evbuffer_add_printf(out,
		"# HELP guichet_connections_open HTTP connections open.\n"
		"# TYPE guichet_connections_open gauge\nguichet_connections_open %d\n"
		"# HELP guichet_connections_refused_total Connections refused: too many in all or from one address.\n"
		"# TYPE guichet_connections_refused_total counter\nguichet_connections_refused_total %llu\n"
		"# HELP guichet_routing_rebuilds_total Tenants' routing engines rebuilt from the store.\n"
		"# TYPE guichet_routing_rebuilds_total counter\nguichet_routing_rebuilds_total %llu\n",
		open, (unsigned long long)refused,
		(unsigned long long)router_rebuilds(writer_router(srv->writer)));
	if (srv->cluster)
		evbuffer_add_printf(out,
			"# HELP guichet_routing_leases Tenants this node routes (a cluster spreads them over its nodes).\n"
			"# TYPE guichet_routing_leases gauge\nguichet_routing_leases %zu\n",
			cluster_leases_held(srv->cluster));
	struct voice_stats vs;
	voice_stats(srv->voice, &vs);
	evbuffer_add_printf(out,
		"# HELP guichet_voice_calls_total Calls answered (channel/voice).\n"
		"# TYPE guichet_voice_calls_total counter\nguichet_voice_calls_total %llu\n"
		"# HELP guichet_voice_calls_active Calls now.\n"
		"# TYPE guichet_voice_calls_active gauge\nguichet_voice_calls_active %lld\n"
		"# HELP guichet_voice_unknown_total Calls refused: no such number (404).\n"
		"# TYPE guichet_voice_unknown_total counter\nguichet_voice_unknown_total %llu\n"
		"# HELP guichet_voice_malformed_total INVITEs refused: no offer, or one that is not SDP (488).\n"
		"# TYPE guichet_voice_malformed_total counter\nguichet_voice_malformed_total %llu\n"
		"# HELP guichet_voice_rtp_sent_total RTP packets sent to callers.\n"
		"# TYPE guichet_voice_rtp_sent_total counter\nguichet_voice_rtp_sent_total %llu\n"
		"# HELP guichet_voice_rtp_received_total RTP packets taken from callers' media addresses.\n"
		"# TYPE guichet_voice_rtp_received_total counter\nguichet_voice_rtp_received_total %llu\n"
		"# HELP guichet_voice_keys_total Keypad events (RFC 4733) taken.\n"
		"# TYPE guichet_voice_keys_total counter\nguichet_voice_keys_total %llu\n",
		(unsigned long long)vs.calls, (long long)vs.active, (unsigned long long)vs.unknown,
		(unsigned long long)vs.malformed, (unsigned long long)vs.rtp_sent, (unsigned long long)vs.rtp_received,
		(unsigned long long)vs.keys);
	evbuffer_add_printf(out,
		"# HELP guichet_voice_registers_total Agents' phones' REGISTERs, by answer.\n"
		"# TYPE guichet_voice_registers_total counter\n"
		"guichet_voice_registers_total{result=\"ok\"} %llu\n"
		"guichet_voice_registers_total{result=\"challenged\"} %llu\n"
		"guichet_voice_registers_total{result=\"denied\"} %llu\n"
		"guichet_voice_registers_total{result=\"throttled\"} %llu\n"
		"# HELP guichet_voice_phones_registered Agents' phones registered now.\n"
		"# TYPE guichet_voice_phones_registered gauge\nguichet_voice_phones_registered %lld\n",
		(unsigned long long)vs.phones_registered, (unsigned long long)vs.phones_challenged,
		(unsigned long long)vs.phones_denied, (unsigned long long)vs.phones_throttled,
		(long long)vs.phones_bound);
	evbuffer_add_printf(out,
		"# HELP guichet_voice_trunk_registrations Tenants' trunks' registrations to their providers, by state.\n"
		"# TYPE guichet_voice_trunk_registrations gauge\n"
		"guichet_voice_trunk_registrations{state=\"registering\"} %lld\n"
		"guichet_voice_trunk_registrations{state=\"registered\"} %lld\n"
		"guichet_voice_trunk_registrations{state=\"failing\"} %lld\n"
		"# HELP guichet_voice_trunk_register_failures_total Trunks' registration attempts that failed.\n"
		"# TYPE guichet_voice_trunk_register_failures_total counter\n"
		"guichet_voice_trunk_register_failures_total %llu\n",
		(long long)vs.trunks_registering, (long long)vs.trunks_registered, (long long)vs.trunks_failing,
		(unsigned long long)vs.trunk_failures);
	evbuffer_add_printf(out,
		"# HELP guichet_voice_agent_rings_total Agents' phones rung for offers, by outcome.\n"
		"# TYPE guichet_voice_agent_rings_total counter\n"
		"guichet_voice_agent_rings_total{result=\"rung\"} %llu\n"
		"guichet_voice_agent_rings_total{result=\"answered\"} %llu\n"
		"guichet_voice_agent_rings_total{result=\"unanswered\"} %llu\n"
		"# HELP guichet_voice_rtp_relayed_total RTP packets relayed between callers and agents' phones.\n"
		"# TYPE guichet_voice_rtp_relayed_total counter\n"
		"guichet_voice_rtp_relayed_total{to=\"agent\"} %llu\n"
		"guichet_voice_rtp_relayed_total{to=\"caller\"} %llu\n"
		"# HELP guichet_voice_rtp_dropped_total RTP packets dropped: another address or payload type.\n"
		"# TYPE guichet_voice_rtp_dropped_total counter\nguichet_voice_rtp_dropped_total %llu\n",
		(unsigned long long)vs.rings, (unsigned long long)vs.bridged, (unsigned long long)vs.unanswered,
		(unsigned long long)vs.rtp_to_agent, (unsigned long long)vs.rtp_to_caller,
		(unsigned long long)vs.rtp_dropped);
	evbuffer_add_printf(out,
		"# HELP guichet_voice_calls_moved_total Bridged calls transferred, escalated or moved: the agent's leg hung up.\n"
		"# TYPE guichet_voice_calls_moved_total counter\nguichet_voice_calls_moved_total %llu\n",
		(unsigned long long)vs.moved);
}
