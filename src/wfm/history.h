/* Contact history from CSV, and dates in the contact center's own clock.
 *
 * Two shapes, told apart by the header:
 *   interval_start,calls[,aht]   counts per interval (missing intervals: 0)
 *   timestamp[,handle_time]      one contact per line, counted here
 * Times are read as written ("2026-01-05T08:30", "2026-01-05 08:30:12", an
 * optional trailing Z), without time-zone conversion: intervals and days
 * are those of the clock the file was written in. */
#ifndef GUICHET_WFM_HISTORY_H
#define GUICHET_WFM_HISTORY_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "guichet/decode.h"
#include "wfm/forecast.h"

/* "YYYY-MM-DD" to days since 1970-01-01; GC_EINVAL otherwise. */
int wfm_date_parse(const char *text, int64_t *ret_day);
/* "YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z]" to a day and seconds into it. */
bool wfm_datetime_parse(const char *text, int64_t *ret_day, int *ret_seconds);
/* Writes day and seconds into the day as "YYYY-MM-DDTHH:MM" (buf of 20+). */
void wfm_datetime_format(int64_t day, int seconds, char *buf, size_t len);

/* Counts per local wall-time interval: the day (since 1970-01-01) and
 * the interval's first second on the clock of the zone. */
struct wfm_local_count {
	int64_t day;
	int seconds;
	int64_t calls;
};
/* The order of labels (day, then seconds into it), for qsort and bsearch. */
int wfm_local_count_order(const void *a, const void *b);

/* Moves counts per UTC slot (n pairs of [slot start ms, calls], in time
 * order, slots aligned on the zone's offsets: 900 s divides them) onto the
 * zone's wall clock, in intervals of interval seconds (dividing 86400),
 * in order. This is how a tenant's history is labelled: a day always has
 * 86400 / interval labels. On a spring-forward day the skipped hour's
 * labels get no call (Paris, 2026-03-29: 46 half hours carry calls, 02:00
 * and 02:30 none); on a fall-back day the repeated hour's calls add up
 * in its labels (2026-10-25: 50 real half hours in 48 labels, 02:00 and
 * 02:30 twice). The array is allocated (free it); GC_EINVAL for an
 * unknown zone. */
int wfm_history_localize(const char *zone, const int64_t (*utc)[2], size_t n, int interval,
			 struct wfm_local_count **ret, size_t *ret_n);

/* Parses csv into h with interval seconds per slot (dividing 86400); fails
 * whole, naming the line. h->kind is allocated for the history and extra_days
 * after it, all normal. Free with wfm_history_clear. */
int wfm_history_parse(const char *csv, size_t len, int interval, int extra_days, struct wfm_history *h,
		      struct decode_error *err);

#endif
