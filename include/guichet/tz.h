/* Local time in a named time zone ("Europe/Paris"), for what a tenant sees
 * as a day or an hour: business hours, due times, a daily export at 18:00.
 * Backed by ICU's time zone data; thread-safe (no process-wide TZ). Times
 * are guichet's milliseconds since the epoch, UTC. */
#ifndef GUICHET_TZ_H
#define GUICHET_TZ_H

#include <stdbool.h>
#include <stdint.h>

#define GC_TZ_NAME_MAX 64

/* A broken-down local time. month 1-12, wday 0 = Sunday ... 6 = Saturday. */
struct gc_local_time {
	int year, month, day, hour, minute, second, wday;
};

/* Whether name is a time zone ICU knows ("Europe/Paris", "UTC"). */
bool gc_tz_valid(const char *name);

/* The local time at ms in zone; GC_EINVAL for an unknown zone. */
int gc_tz_local(const char *zone, int64_t ms, struct gc_local_time *ret);

/* The UTC instant of a local wall time in zone (seconds and wday of lt are
 * ignored beyond second). A time skipped by a DST change moves forward by
 * the gap's length (02:30 becomes 03:30); a repeated one as its first occurrence. */
int gc_tz_utc(const char *zone, const struct gc_local_time *lt, int64_t *ret_ms);

/* The local day ms falls on in zone: its date (hour, minute and second 0)
 * and the UTC instants of its midnight and of the next one, so
 * [ret_start, ret_end) holds ms. A day is 23 or 25 hours long across a
 * DST change; a midnight a change skips starts at the first hour that
 * exists. What a tenant means by "today" and "since midnight". */
int gc_tz_day(const char *zone, int64_t ms, struct gc_local_time *ret_date, int64_t *ret_start, int64_t *ret_end);

/* Zone's offset from UTC at ms, daylight saving included (Europe/Paris:
 * 3600000 in winter, 7200000 in summer). */
int gc_tz_offset(const char *zone, int64_t ms, int64_t *ret_offset_ms);

#endif
