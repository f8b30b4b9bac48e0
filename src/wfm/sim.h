/* A discrete-event simulation of a contact center: queues with Poisson
 * arrivals (or arrival times replayed from history), exponential or
 * lognormal handle times, exponential patience, agent groups with skills,
 * and overflow from one queue to another after a wait. Pure: the scenario
 * comes in as a struct, the results go out; the same seed gives the same
 * results. */
#ifndef GUICHET_WFM_SIM_H
#define GUICHET_WFM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_QUEUES 32
#define SIM_MAX_GROUPS 32
#define SIM_MAX_REPLICATIONS 1000

enum sim_handle { SIM_EXPONENTIAL, SIM_LOGNORMAL };

struct sim_queue {
	char name[32];
	double arrival_rate;       /* calls per second (Poisson), when no replay */
	const double *replay;      /* or arrival times (s, increasing), replayed in every replication */
	size_t n_replay;
	double aht;                /* mean handle time, s */
	enum sim_handle handle;
	double cv;                 /* lognormal: standard deviation / mean */
	double patience;           /* mean patience, s; 0: callers never give up */
	int overflow_to;           /* index of the queue a caller moves to, or -1 */
	double overflow_after;     /* seconds of waiting before it moves */
};

struct sim_group {
	char name[32];
	int agents;
	uint32_t skills;           /* bit q: serves queue q */
};

struct sim_scenario {
	struct sim_queue queues[SIM_MAX_QUEUES];
	int n_queues;
	struct sim_group groups[SIM_MAX_GROUPS];
	int n_groups;
	double duration;           /* s simulated per replication, after warmup */
	double warmup;             /* s simulated first and not measured */
	double target;             /* service level: answered within target s */
	int replications;
	uint64_t seed;
};

/* A measure over replications: mean and 95% confidence half-width. */
struct sim_measure {
	double mean, half_width;
};

struct sim_queue_result {
	struct sim_measure service_level; /* answered within target / arrivals */
	struct sim_measure asa;           /* mean wait of answered calls */
	struct sim_measure abandon;       /* abandoned / arrivals */
	double arrivals;                  /* mean per replication */
};

struct sim_result {
	struct sim_queue_result queues[SIM_MAX_QUEUES];
	struct sim_measure occupancy[SIM_MAX_GROUPS];
	struct sim_queue_result total;
	uint64_t events;                  /* over all replications */
};

/* Runs the scenario; GC_EINVAL when it is inconsistent (no agent serves a
 * queue with arrivals, say), GC_ENOMEM. */
int sim_run(const struct sim_scenario *s, struct sim_result *ret);

#endif
