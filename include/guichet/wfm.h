/* Workforce mathematics: Erlang C and Erlang A, and staffing to a target.
 *
 * A pure library: numbers in, numbers out, no I/O, no allocation. Times are
 * in seconds. Every result is finite: an unstable queue (agents <= load for
 * Erlang C) is reported as such, never as a NaN.
 *
 * Exactness: Erlang B comes from its stable recursion, started at n = floor(A)
 * from the series 1/B(n, A) = sum_k n!/((n-k)! A^k), whose terms never exceed
 * 1 there; Erlang A sums the birth-death chain of M/M/N+M in log space, and
 * its service level uses the exact distribution of the wait (see erlang_a.c). */
#ifndef GUICHET_WFM_H
#define GUICHET_WFM_H

#include <stdbool.h>

#define WFM_MAX_AGENTS 100000
/* The highest service level asked for: 100% is reached by no finite number of agents. */
#define WFM_SL_MAX 0.9999
/* Why a service level above WFM_SL_MAX is refused (printf, the value given):
 * a planner's 80 for 80%, or a goal of 100%. */
#define WFM_SL_SAID "'sl' is a share of the calls, 0.8 for 80%%, at most 0.9999 (%g given; no number of " \
	"agents answers every call within the target)"
#define WFM_MAX_LOAD 50000.0

/* One interval's traffic: calls in interval seconds, each taking aht seconds. */
struct wfm_traffic {
	double calls, interval, aht;
};

/* Offered load in Erlangs: calls * aht / interval. */
double wfm_load(const struct wfm_traffic *t);

/* Erlang B: the blocking probability of agents servers with load A. */
double wfm_erlang_b(double load, int agents);

struct wfm_erlang_c {
	double load;           /* Erlangs */
	bool stable;           /* agents > load */
	double p_wait;         /* probability that a call waits (1 when unstable) */
	double service_level;  /* share answered within the target time (0 when unstable) */
	double asa;            /* average speed of answer, s; meaningful only when stable */
	double occupancy;      /* load / agents, at most 1 */
};

/* Erlang C (M/M/N) for agents on traffic t, with target seconds (>= 0). */
void wfm_erlang_c(const struct wfm_traffic *t, int agents, double target,
		  struct wfm_erlang_c *ret);

struct wfm_goal {
	double service_level;  /* share to answer within target, in (0, 1] */
	double target;         /* seconds (>= 0) */
	double max_asa;        /* seconds; 0 for no limit */
	double max_occupancy;  /* in (0, 1]; 0 for no limit */
	double shrinkage;      /* share of paid time not on calls, in [0, 1) */
};

struct wfm_staffing {
	int agents;            /* the fewest agents meeting every goal */
	int staff;             /* agents / (1 - shrinkage), rounded up */
	struct wfm_erlang_c at;/* the metrics with that many agents */
};

/* The fewest agents meeting goal under Erlang C. 0 calls need 0 agents.
 * GC_ETOOBIG when more than WFM_MAX_AGENTS would be needed. */
int wfm_staff_erlang_c(const struct wfm_traffic *t, const struct wfm_goal *goal,
		       struct wfm_staffing *ret);

struct wfm_erlang_a {
	double load;
	double p_wait;         /* all agents busy on arrival */
	double p_abandon;      /* share of callers who give up */
	double mean_wait;      /* time in queue, averaged over all arrivals, s */
	double service_level;  /* share of ALL arrivals answered within target (an
	                        * abandoned call, early or late, counts as missed) */
	double occupancy;      /* mean busy agents / agents */
};

/* Erlang A (M/M/N+M) with exponential patience of mean patience seconds.
 * GC_ETOOBIG when the chain would need more than 10 million queue states. */
int wfm_erlang_a(const struct wfm_traffic *t, double patience, int agents, double target,
		 struct wfm_erlang_a *ret);

struct wfm_goal_a {
	struct wfm_goal base;  /* service level (Erlang A's definition), max ASA
	                        * (applied to mean_wait), max occupancy, shrinkage */
	double patience;       /* mean patience, seconds */
	double max_abandon;    /* in (0, 1); 0 for no limit */
};

struct wfm_staffing_a {
	int agents, staff;
	struct wfm_erlang_a at;
};

/* The fewest agents meeting goal under Erlang A (exponential then binary
 * search: every measure improves with agents). */
int wfm_staff_erlang_a(const struct wfm_traffic *t, const struct wfm_goal_a *goal,
		       struct wfm_staffing_a *ret);

#endif
