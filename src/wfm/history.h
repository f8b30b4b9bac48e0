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
#include <stdint.h>

#include "guichet/decode.h"
#include "wfm/forecast.h"

/* "YYYY-MM-DD" to days since 1970-01-01; GC_EINVAL otherwise. */
int wfm_date_parse(const char *text, int64_t *ret_day);
/* Writes day and seconds into the day as "YYYY-MM-DDTHH:MM" (buf of 20+). */
void wfm_datetime_format(int64_t day, int seconds, char *buf, size_t len);

/* Parses csv into h with interval seconds per slot (dividing 86400); fails
 * whole, naming the line. h->kind is allocated for the history and extra_days
 * after it, all normal. Free with wfm_history_clear. */
int wfm_history_parse(const char *csv, size_t len, int interval, int extra_days, struct wfm_history *h,
		      struct decode_error *err);

#endif
