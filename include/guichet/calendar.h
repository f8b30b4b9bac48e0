/* A tenant's business calendar: its time zone, its weekly opening hours
 * and its public holidays, and the business-time arithmetic built on them:
 * a first response due N business seconds after a contact arrives, the
 * business time between two instants, and "the end of the business day" a
 * contact belongs to (answered before it: answered the same business day).
 *
 * Business time is real time while open: an hour that a DST change skips
 * is not counted, one it repeats is counted twice. A day's hours are local
 * wall times [from, to) within the day (to may be 24:00); a holiday is
 * closed all day. A calendar without weekly hours is open all day every
 * day but its holidays; one whose weekly hours are all empty is refused
 * (nothing would ever be due). Pure: no I/O, no allocation; ICU through
 * guichet/tz.h for the zone.
 *
 * The calendar also names the tenant's country, where it is: the region a
 * telephone number typed without its international prefix is read in
 * (guichet/phone.h), so "06 12 34 56 78" is +33612345678 for a French
 * tenant. It lives here, with the zone, because it is the same kind of
 * setting and needs no table of its own. */
#ifndef GUICHET_CALENDAR_H
#define GUICHET_CALENDAR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "guichet/decode.h"
#include "guichet/tz.h"

#define CALENDAR_MAX_INTERVALS 4   /* per weekday */
#define CALENDAR_MAX_HOLIDAYS 400  /* a few years of public holidays */
#define CALENDAR_MAX_DUE_S (30 * 86400) /* the most business seconds calendar_due adds */
#define CALENDAR_DATE_LEN 11       /* "YYYY-MM-DD" and its NUL */

/* Minutes from local midnight, [from, to), 0 <= from < to <= 1440. */
struct calendar_interval {
	int16_t from, to;
};

/* "08:30-12:00" into minutes from midnight: NULL, or what is wrong with it
 * ("ends before it starts: ..."), to follow the text in a message. */
const char *calendar_interval_parse(const char *text, struct calendar_interval *ret);

struct calendar {
	char zone[GC_TZ_NAME_MAX];
	char country[3];           /* ISO 3166 alpha-2 ("FR"), phone_region_known; "" for none */
	bool always_open;          /* no weekly hours: open all day, but on holidays */
	uint8_t n_intervals[7];    /* by weekday, 0 Monday ... 6 Sunday */
	struct calendar_interval hours[7][CALENDAR_MAX_INTERVALS]; /* sorted, disjoint */
	uint32_t n_holidays;
	int32_t holidays[CALENDAR_MAX_HOLIDAYS]; /* local dates as day numbers, sorted, distinct */
};

/* A local date as days since 1970-01-01 (negative before). */
int32_t calendar_day_number(int year, int month, int day);
/* The date of a day number. */
void calendar_day_date(int32_t day, int *ret_year, int *ret_month, int *ret_day);
/* "YYYY-MM-DD" (a real date, years 1900-9999) into a day number; GC_EINVAL otherwise. */
int calendar_date_parse(const char *text, int32_t *ret_day);
void calendar_date_format(int32_t day, char buf[CALENDAR_DATE_LEN]);

/* An always-open calendar in UTC: what a tenant without one has. */
void calendar_init_default(struct calendar *c);

/* {"zone": "Europe/Paris", "country": "FR", "hours": {"mon": ["08:00-12:30",
 * "13:30-18:00"], ...}, "holidays": ["2026-12-25", ...]}. zone is required;
 * country is optional (absent or null: none; lower case is taken as upper
 * case; one libphonenumber has no plan for is refused); hours absent or null
 * is always open; a day not named in hours is closed. Errors name the field:
 * "zone", "country", "hours.mon", "holidays[3]". */
int calendar_decode(const json_t *obj, struct calendar *ret, struct decode_error *err);
/* The canonical JSON of a calendar (what the store keeps and the API shows). */
json_t *calendar_json(const struct calendar *c);

/* One local day as the calendar sees it. */
struct calendar_day {
	int32_t day;               /* its day number */
	int64_t start_ms, end_ms;  /* its local midnight and the next one, UTC */
	int64_t close_ms;          /* when it closes as a business day; 0 when closed all day */
	int64_t next_close_ms;     /* when the next business day after it closes */
};
int calendar_day_get(const struct calendar *c, int32_t day, struct calendar_day *ret);
/* The local day an instant falls on. */
int calendar_day_of(const struct calendar *c, int64_t ms, int32_t *ret_day);

/* Whether the calendar is open at ms. */
int calendar_is_open(const struct calendar *c, int64_t ms, bool *ret_open);
/* The instant business_s business seconds after from_ms (0 <= business_s <=
 * CALENDAR_MAX_DUE_S): at a closed time, counting starts at the next
 * opening, so a due time always falls in (or at the end of) open time. */
int calendar_due(const struct calendar *c, int64_t from_ms, int64_t business_s, int64_t *ret_ms);
/* Business seconds (rounded down) open between from_ms and to_ms; 0 when
 * to_ms <= from_ms. At most ten years apart, GC_EINVAL beyond. */
int calendar_elapsed(const struct calendar *c, int64_t from_ms, int64_t to_ms, int64_t *ret_s);
/* The end of the business day ms belongs to: the closing time of its own
 * day when that is a business day not yet closed at ms, else the closing
 * time of the next business day. */
int calendar_day_end(const struct calendar *c, int64_t ms, int64_t *ret_ms);

#endif
