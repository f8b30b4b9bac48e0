/* Local times in named time zones with ICU's calendars (see guichet/tz.h).
 * Each call opens its own calendar, so threads never share state. */
#include "guichet/tz.h"
#include "guichet/error.h"

#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

/* Opens a Gregorian calendar in zone; NULL for an unknown zone. */
static UCalendar *open_zone(const char *zone)
{
	UChar id[GC_TZ_NAME_MAX], canonical[GC_TZ_NAME_MAX];
	UErrorCode status = U_ZERO_ERROR;
	UBool system_id = 0;
	if (zone == NULL || strlen(zone) >= GC_TZ_NAME_MAX)
		return NULL;
	u_uastrcpy(id, zone);
	ucal_getCanonicalTimeZoneID(id, -1, canonical, GC_TZ_NAME_MAX, &system_id, &status);
	if (U_FAILURE(status) || !system_id)
		return NULL;
	UCalendar *cal = ucal_open(id, -1, "en_US_POSIX", UCAL_GREGORIAN, &status);
	if (U_FAILURE(status)) {
		if (cal != NULL)
			ucal_close(cal);
		return NULL;
	}
	return cal;
}

bool gc_tz_valid(const char *name)
{
	UCalendar *cal = open_zone(name);
	if (cal != NULL)
		ucal_close(cal);
	return cal != NULL;
}

int gc_tz_local(const char *zone, int64_t ms, struct gc_local_time *ret)
{
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal = open_zone(zone);
	if (cal == NULL)
		return GC_EINVAL;
	ucal_setMillis(cal, (UDate)ms, &status);
	ret->year = ucal_get(cal, UCAL_YEAR, &status);
	if (ucal_get(cal, UCAL_ERA, &status) == 0)
		ret->year = 1 - ret->year;
	ret->month = ucal_get(cal, UCAL_MONTH, &status) + 1;
	ret->day = ucal_get(cal, UCAL_DATE, &status);
	ret->hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &status);
	ret->minute = ucal_get(cal, UCAL_MINUTE, &status);
	ret->second = ucal_get(cal, UCAL_SECOND, &status);
	ret->wday = ucal_get(cal, UCAL_DAY_OF_WEEK, &status) - UCAL_SUNDAY;
	ucal_close(cal);
	return U_FAILURE(status) ? GC_EINVAL : GC_OK;
}

int gc_tz_utc(const char *zone, const struct gc_local_time *lt, int64_t *ret_ms)
{
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal = open_zone(zone);
	if (cal == NULL)
		return GC_EINVAL;
	/* a wall time in a DST gap moves forward by the gap's length; the
	 * repeated hour resolves to its first (daylight) occurrence */
	ucal_setAttribute(cal, UCAL_LENIENT, 1);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_clear(cal);
	ucal_setDateTime(cal, lt->year, lt->month - 1, lt->day, lt->hour, lt->minute, lt->second, &status);
	UDate ms = ucal_getMillis(cal, &status);
	ucal_close(cal);
	if (U_FAILURE(status))
		return GC_EINVAL;
	*ret_ms = (int64_t)ms;
	return GC_OK;
}

int gc_tz_day(const char *zone, int64_t ms, struct gc_local_time *ret_date, int64_t *ret_start, int64_t *ret_end)
{
	struct gc_local_time date, next;
	int64_t start, end;
	int rc = gc_tz_local(zone, ms, &date);
	if (rc < 0)
		return rc;
	date.hour = date.minute = date.second = 0;
	next = date;
	next.day++; /* gc_tz_utc is lenient: the 32nd is the next month's 1st */
	if ((rc = gc_tz_utc(zone, &date, &start)) < 0 || (rc = gc_tz_utc(zone, &next, &end)) < 0)
		return rc;
	if (start > ms) /* a midnight skipped by a change moved forward past ms: ms is in the day's first hour */
		start = ms;
	*ret_date = date;
	*ret_start = start;
	*ret_end = end;
	return GC_OK;
}

int gc_tz_offset(const char *zone, int64_t ms, int64_t *ret_offset_ms)
{
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal = open_zone(zone);
	if (cal == NULL)
		return GC_EINVAL;
	ucal_setMillis(cal, (UDate)ms, &status);
	int64_t offset = (int64_t)ucal_get(cal, UCAL_ZONE_OFFSET, &status) + ucal_get(cal, UCAL_DST_OFFSET, &status);
	ucal_close(cal);
	if (U_FAILURE(status))
		return GC_EINVAL;
	*ret_offset_ms = offset;
	return GC_OK;
}
