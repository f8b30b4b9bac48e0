/* Simulation benchmark: guichet's simulator on a large queue (about 500
 * agents, 1,700 calls an hour, patience), events per second on one core;
 * against a minimal event-heap M/M/N+M simulator written here for the
 * purpose, run on the same traffic in the same run. Prints figures, then
 * one JSON line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "guichet/error.h"
#include "wfm/sim.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- the reference: the least a heap-based simulator can do --- */

struct ev {
	double t;
	int kind; /* 0 arrival, 1 departure */
};

static struct ev *heap;
static size_t n_heap;

static void hpush(struct ev e)
{
	size_t i = n_heap++;
	while (i && heap[(i - 1) / 2].t > e.t) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = e;
}

static struct ev hpop(void)
{
	struct ev top = heap[0], last = heap[--n_heap];
	size_t i = 0;
	for (size_t c; (c = 2 * i + 1) < n_heap; i = c) {
		if (c + 1 < n_heap && heap[c + 1].t < heap[c].t)
			c++;
		if (heap[c].t >= last.t)
			break;
		heap[i] = heap[c];
	}
	if (n_heap)
		heap[i] = last;
	return top;
}

static double expo(double mean)
{
	return -mean * log((rand() + 1.0) / (RAND_MAX + 2.0));
}

/* M/M/N with a FIFO of arrival times; no patience, no measures beyond a count. */
static long long reference(double rate, double aht, int agents, double horizon)
{
	heap = malloc(sizeof(*heap) * (size_t)(agents + 16));
	double *fifo = malloc(sizeof(double) * 1000000);
	size_t head = 0, tail = 0;
	int free_agents = agents;
	long long events = 0;
	n_heap = 0;
	hpush((struct ev){expo(1 / rate), 0});
	while (n_heap) {
		struct ev e = hpop();
		events++;
		if (e.kind == 0) {
			if (e.t < horizon)
				hpush((struct ev){e.t + expo(1 / rate), 0});
			if (free_agents > 0) {
				free_agents--;
				hpush((struct ev){e.t + expo(aht), 1});
			} else {
				fifo[tail++ % 1000000] = e.t;
			}
		} else if (head < tail) {
			head++;
			hpush((struct ev){e.t + expo(aht), 1});
		} else {
			free_agents++;
		}
	}
	free(heap);
	free(fifo);
	return events;
}

int main(void)
{
	struct sim_scenario s = {.n_queues = 1, .n_groups = 1, .duration = 24 * 3600.0 * 20, .warmup = 3600,
				 .target = 20, .replications = 3, .seed = 1};
	s.queues[0] = (struct sim_queue){.name = "big", .arrival_rate = 1.6, .aht = 300, .patience = 0,
					 .overflow_to = -1};
	s.groups[0] = (struct sim_group){.name = "agents", .agents = 500, .skills = 1};
	struct sim_result r;
	double start = now();
	if (sim_run(&s, &r) != GC_OK)
		return 1;
	double secs = now() - start;
	double rate = r.events / secs;
	srand(1);
	start = now();
	long long ref_events = 0;
	for (int i = 0; i < 3; i++)
		ref_events += reference(1.6, 300, 500, s.duration + s.warmup);
	double ref_secs = now() - start, ref_rate = ref_events / ref_secs;
	printf("guichet simulator: %llu events in %.2f s: %.1f million events/s (SL %.3f, occupancy %.3f)\n",
	       (unsigned long long)r.events, secs, rate / 1e6, r.queues[0].service_level.mean, r.occupancy[0].mean);
	printf("minimal M/M/N heap simulator: %lld events in %.2f s: %.1f million events/s\n", ref_events,
	       ref_secs, ref_rate / 1e6);
	printf("{\"sim_events_per_s\":%.0f,\"reference_events_per_s\":%.0f,\"sim_ratio\":%.2f}\n", rate, ref_rate,
	       rate / ref_rate);
	return 0;
}
