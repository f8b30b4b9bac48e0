/* Time as guichet stores it: integer milliseconds since the Unix epoch, UTC,
 * shown to people and APIs as RFC 3339 ("2026-11-23T09:30:00.000Z"). */
#ifndef GUICHET_CLOCK_H
#define GUICHET_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define GC_TIME_LEN 32 /* room for a formatted timestamp and its NUL */

/* Wall-clock time in milliseconds since the epoch. */
int64_t gc_now_ms(void);

/* Monotonic time in nanoseconds, for durations. */
uint64_t gc_monotonic_ns(void);

/* Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (GC_TIME_LEN bytes). */
void gc_time_format(int64_t ms, char buf[GC_TIME_LEN]);

/* Parses an RFC 3339 UTC timestamp ("...Z", optional fraction) or a date
 * "YYYY-MM-DD"; GC_EINVAL when it is anything else. */
int gc_time_parse(const char *text, int64_t *ret_ms);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's days_from_civil and civil_from_days): the one calendar
 * arithmetic the modules share. */
int64_t gc_days_from_civil(int64_t year, int month, int day);
void gc_civil_from_days(int64_t days, int *ret_year, int *ret_month, int *ret_day);

#endif
