/* A staffing plan: one row per interval (start, calls, AHT, and optionally
 * patience), read from CSV, each staffed to one goal: Erlang C, or Erlang A
 * for rows with a patience. Pure: text in, numbers out. */
#ifndef GUICHET_WFM_PLAN_H
#define GUICHET_WFM_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "guichet/decode.h"
#include "guichet/wfm.h"

#define WFM_PLAN_MAX_ROWS 100000

struct wfm_plan_row {
	char start[64];        /* the interval's label as written ("2026-11-23T09:00", "09:00") */
	double calls, aht;
	double patience;       /* 0: none (Erlang C) */
	double inhouse;        /* in-house agents on the phones then; -1: not given */
	size_t line;
};

struct wfm_plan_goal {
	double interval;       /* seconds per row */
	struct wfm_goal goal;
	double max_abandon;    /* Erlang A rows; 0 for no limit */
};

struct wfm_plan_result {
	int agents, staff;
	double load, service_level, occupancy;
	double asa;            /* Erlang C: ASA; Erlang A: mean wait over all arrivals */
	double p_abandon;      /* Erlang A rows */
	bool erlang_a, stable;
};

/* Parses the CSV: columns start, calls, aht, and optionally patience and
 * inhouse (agents available in-house, for overflow planning), in this
 * order, or in the order a header names them (a first line whose second
 * field is not a number; "interval_start" or "interval" may name start).
 * A start is a time of day (09:00) or a date and time, each once. Fails
 * whole, naming the line, on an unknown column, a malformed or
 * out-of-range value. *ret_rows is malloc'd. */
int wfm_plan_parse(const char *csv, size_t len, struct wfm_plan_row **ret_rows, size_t *ret_n,
		   struct decode_error *err);

/* Whether the rows' starts keep to interval seconds: refused (GC_EINVAL,
 * err's field "interval") when two starts are closer than the interval
 * (quarter hours staffed as half hours: each row's load halved, too few
 * agents), or when at least 8 rows all start on a boundary of twice the
 * interval or more (hours staffed as half hours: twice too many). */
int wfm_plan_check_interval(const struct wfm_plan_row *rows, size_t n, double interval, struct decode_error *err);

/* Staffs one row; GC_ETOOBIG beyond 100,000 agents. */
int wfm_plan_staff(const struct wfm_plan_row *row, const struct wfm_plan_goal *goal,
		   struct wfm_plan_result *ret);

struct wfm_overflow {
	double interval_hours;
	double price;          /* per outsourced position-hour */
	/* results */
	double position_hours; /* positions bought, interval by interval */
	double cost_hourly;    /* position_hours * price */
	int peak_positions;    /* the most positions needed at once */
	double cost_fixed;     /* peak_positions for the hours open, when seats are bought whole */
	double span_hours;     /* the hours open: of the intervals with calls */
};

/* Positions to buy from an outsourcer in one interval: the staff the goal
 * needs (its agents grossed up by the shrinkage) beyond the in-house people
 * scheduled (row->inhouse, or default_inhouse when the row has none). */
int wfm_overflow_positions(const struct wfm_plan_row *row, const struct wfm_plan_result *r,
			   double default_inhouse);
/* Adds one interval's purchase to the totals; open: the interval has
 * calls (the centre works then), and fixed seats are paid for those hours
 * only, not for nights and closed days. */
void wfm_overflow_add(struct wfm_overflow *o, int positions, bool open);

#endif
