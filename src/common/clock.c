/* Wall and monotonic clocks, and RFC 3339 formatting and parsing in UTC. */
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

int64_t gc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t gc_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Writes n as width digits, zero-padded. */
static char *digits(char *out, unsigned n, int width)
{
	for (int i = width - 1; i >= 0; i--, n /= 10)
		out[i] = (char)('0' + n % 10);
	return out + width;
}

void gc_time_format(int64_t ms, char buf[GC_TIME_LEN])
{
	time_t secs = (time_t)(ms / 1000);
	int frac = (int)(ms % 1000);
	if (frac < 0) {
		frac += 1000;
		secs -= 1;
	}
	struct tm tm;
	gmtime_r(&secs, &tm);
	/* by hand: this runs for every timestamp of every answer, and
	 * snprintf was a tenth of the cost of a GET */
	char *p = digits(buf, (unsigned)(tm.tm_year + 1900) % 10000u, 4);
	*p++ = '-';
	p = digits(p, (unsigned)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = digits(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = digits(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = digits(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = digits(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = digits(p, (unsigned)frac, 3);
	*p++ = 'Z';
	*p = '\0';
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* Whether text starts with pattern, 'd' standing for a digit: sscanf's %d
 * alone would also accept signs and spaces. */
static bool shaped(const char *text, const char *pattern)
{
	for (; *pattern; pattern++, text++)
		if (*pattern == 'd' ? !(*text >= '0' && *text <= '9') : *text != *pattern)
			return false;
	return true;
}

int gc_time_parse(const char *text, int64_t *ret_ms)
{
	if (!shaped(text, "dddd-dd-dd") || (text[10] == 'T' && !shaped(text + 10, "Tdd:dd:dd")))
		return GC_EINVAL;
	int year, month, day, hour = 0, min = 0, sec = 0, used = 0;
	int millis = 0;
	if (sscanf(text, "%4d-%2d-%2d%n", &year, &month, &day, &used) != 3 || used != 10)
		return GC_EINVAL;
	const char *rest = text + used;
	if (*rest == 'T') {
		int n = 0;
		if (sscanf(rest, "T%2d:%2d:%2d%n", &hour, &min, &sec, &n) != 3 || n != 9)
			return GC_EINVAL;
		rest += n;
		if (*rest == '.') {
			int digits = 0;
			for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
				if (digits < 3)
					millis = millis * 10 + (*rest - '0');
			if (digits == 0)
				return GC_EINVAL;
			for (; digits < 3; digits++)
				millis *= 10;
		}
		if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0)
			return GC_EINVAL;
	} else if (*rest != '\0') {
		return GC_EINVAL;
	}
	if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || min > 59 || sec > 60)
		return GC_EINVAL;
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
			.tm_hour = hour, .tm_min = min, .tm_sec = sec};
	*ret_ms = (int64_t)timegm(&tm) * 1000 + millis;
	return GC_OK;
}

int64_t gc_days_from_civil(int64_t year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void gc_civil_from_days(int64_t days, int *ret_year, int *ret_month, int *ret_day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ret_day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*ret_month = m;
	*ret_year = (int)(yoe + era * 400 + (m <= 2));
}
