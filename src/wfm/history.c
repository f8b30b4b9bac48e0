/* Contact history CSV (history.h), parsed with libcsv in two passes: the
 * first finds the span of days, the second fills the counts. */
#include "wfm/history.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "guichet/tz.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static bool valid_date(int y, int m, int d)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] &&
	       !(m == 2 && d == 29 && !leap);
}

/* Whether text matches pattern, where 'd' stands for a digit (sscanf's %d
 * alone would also take signs and spaces). */
static bool shaped(const char *text, const char *pattern)
{
	for (; *pattern; pattern++, text++)
		if (*pattern == 'd' ? !(*text >= '0' && *text <= '9') : *text != *pattern)
			return false;
	return true;
}

int wfm_date_parse(const char *text, int64_t *ret_day)
{
	int y, m, d, n = 0;
	if (!shaped(text, "dddd-dd-dd") || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || text[10] != '\0' ||
	    !valid_date(y, m, d))
		return GC_EINVAL;
	*ret_day = gc_days_from_civil(y, m, d);
	return GC_OK;
}

void wfm_datetime_format(int64_t day, int seconds, char *buf, size_t len)
{
	int y, m, d;
	gc_civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d", y % 10000, m % 100, d % 100, (seconds / 3600) % 100,
		 (seconds / 60) % 60);
}

int wfm_local_count_order(const void *a, const void *b)
{
	const struct wfm_local_count *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->seconds > y->seconds) - (x->seconds < y->seconds);
}

int wfm_history_localize(const char *zone, const int64_t (*utc)[2], size_t n, int interval,
			 struct wfm_local_count **ret, size_t *ret_n)
{
	if (!gc_tz_valid(zone) || interval <= 0 || 86400 % interval != 0)
		return GC_EINVAL;
	struct wfm_local_count *out = calloc(n ? n : 1, sizeof(*out));
	if (out == NULL)
		return GC_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct gc_local_time lt;
		int rc = gc_tz_local(zone, utc[i][0], &lt);
		if (rc < 0) {
			free(out);
			return rc;
		}
		int seconds = lt.hour * 3600 + lt.minute * 60 + lt.second;
		out[k++] = (struct wfm_local_count){gc_days_from_civil(lt.year, lt.month, lt.day),
						    seconds / interval * interval, utc[i][1]};
	}
	qsort(out, k, sizeof(*out), wfm_local_count_order); /* a repeated hour comes back before the next one */
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m > 0 && wfm_local_count_order(&out[m - 1], &out[i]) == 0)
			out[m - 1].calls += out[i].calls;
		else
			out[m++] = out[i];
	}
	*ret = out;
	*ret_n = m;
	return GC_OK;
}

bool wfm_datetime_parse(const char *text, int64_t *ret_day, int *ret_seconds)
{
	int y, mo, d, h, mi, s = 0, n = 0;
	char sep;
	if ((!shaped(text, "dddd-dd-ddTdd:dd") && !shaped(text, "dddd-dd-dd dd:dd")) || sscanf(text, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 || n != 16 ||
	    (sep != 'T' && sep != ' ') || !valid_date(y, mo, d) || h > 23 || mi > 59)
		return false;
	const char *rest = text + 16;
	if (*rest == ':') {
		if (!shaped(rest, ":dd") || sscanf(rest, ":%2d%n", &s, &n) != 1 || n != 3 || s > 59)
			return false;
		rest += 3;
		if (*rest == '.')
			for (rest++; *rest >= '0' && *rest <= '9'; rest++)
				;
	}
	if (*rest == 'Z')
		rest++;
	if (*rest != '\0')
		return false;
	*ret_day = gc_days_from_civil(y, mo, d);
	*ret_seconds = h * 3600 + mi * 60 + s;
	return true;
}

enum shape { UNKNOWN, COUNTS, EVENTS };

struct pass {
	enum shape shape;
	int n_fields;
	char fields[3][64];
	bool too_long;
	size_t line, record_line;
	int interval;
	int64_t first, last;     /* days seen (pass 1) */
	int step;                /* pass 1, counts: the greatest common divisor of the rows' seconds into their day */
	size_t rows;
	struct wfm_history *h;   /* pass 2 */
	uint32_t *line_of;       /* pass 2, counts: the line that gave each interval, 0 before
				  * (REPEATED once a second row added to it) */
	int64_t back_day;        /* pass 2: the day whose hour came twice, its first and last */
	int back_lo, back_hi;    /* repeated intervals' seconds (back_day -1: none yet) */
	struct decode_error *err;
	int rc;
};

static void fail(struct pass *p, const char *fmt, const char *what)
{
	if (p->rc != GC_OK)
		return;
	p->err->code = GC_EINVAL;
	snprintf(p->err->field, sizeof(p->err->field), "line %zu", p->record_line);
	snprintf(p->err->message, sizeof(p->err->message), fmt, what);
	p->rc = GC_EINVAL;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct pass *p = arg;
	if (p->n_fields == 0)
		p->record_line = p->line;
	if (p->n_fields < 3) {
		p->too_long |= len >= sizeof(p->fields[0]);
		snprintf(p->fields[p->n_fields], sizeof(p->fields[0]), "%.*s", (int)len, data ? (char *)data : "");
	}
	p->n_fields++;
}

static bool number(const char *text, double max, double *ret)
{
	return gc_parse_number(text, 0, false, max, ret) == GC_OK;
}

static void take_header(struct pass *p)
{
	if (strncmp(p->fields[0], "\xEF\xBB\xBF", 3) == 0) /* the byte-order mark of spreadsheets' "CSV UTF-8" */
		memmove(p->fields[0], p->fields[0] + 3, strlen(p->fields[0] + 3) + 1);
	if (strcmp(p->fields[0], "interval_start") == 0 && p->n_fields >= 2 && p->n_fields <= 3 &&
	    strcmp(p->fields[1], "calls") == 0 && (p->n_fields == 2 || strcmp(p->fields[2], "aht") == 0))
		p->shape = COUNTS;
	else if (strcmp(p->fields[0], "timestamp") == 0 && p->n_fields <= 2 &&
		 (p->n_fields == 1 || strcmp(p->fields[1], "handle_time") == 0))
		p->shape = EVENTS;
	else
		fail(p, "%s", "the header must be interval_start,calls[,aht] or timestamp[,handle_time]");
}

/* Why the current row cannot be read, or NULL; fills day, seconds, calls,
 * aht and whether the row gives a handle time (a blank one is unknown, not 0). */
static const char *read_row(struct pass *p, int64_t *day, int *seconds, double *calls, double *aht, bool *timed)
{
	int expected = p->shape == COUNTS ? 2 : 1;
	*calls = 1;
	*aht = 0;
	if (p->too_long || p->n_fields < expected || p->n_fields > expected + 1)
		return p->shape == COUNTS ? "expected interval_start,calls[,aht]" : "expected timestamp[,handle_time]";
	if (!wfm_datetime_parse(p->fields[0], day, seconds))
		return "the time is not like 2026-01-05T08:30";
	if (p->shape == COUNTS && *seconds % p->interval != 0)
		return "the time does not start an interval";
	if (p->shape == COUNTS && !number(p->fields[1], 1e7, calls))
		return "calls is not a count";
	*timed = p->n_fields == expected + 1 && p->fields[expected][0];
	if (*timed && !number(p->fields[expected], 86400, aht))
		return "the handle time is not a number of seconds";
	return NULL;
}

#define REPEATED 0x80000000u

/* Whether a second row for an interval is the hour a clock went back (the
 * end of summer time: Europe's 02:00 to 03:00, America's 01:00 to 02:00,
 * on a Sunday night), as an export on local wall time lists it: each
 * interval of at most one hour of a Sunday between midnight and 4:00 given
 * twice, not three times. Its calls then add up in its labels, as
 * wfm_history_localize labels guichet's own history. Anything else
 * repeated is a mistake (an export appended twice). */
static bool clock_went_back(struct pass *p, size_t i, int64_t day, int seconds)
{
	bool sunday = (day % 7 + 7 + 3) % 7 == 6; /* 1970-01-01 was a Thursday; Monday is 0 */
	if (!sunday || seconds >= 4 * 3600 || (p->line_of[i] & REPEATED))
		return false;
	int lo = p->back_day == day && p->back_lo < seconds ? p->back_lo : seconds;
	int hi = p->back_day == day && p->back_hi > seconds ? p->back_hi : seconds;
	if (hi + p->interval - lo > 3600)
		return false;
	p->back_day = day;
	p->back_lo = lo;
	p->back_hi = hi;
	return true;
}

static void take_row(struct pass *p)
{
	int64_t day;
	int seconds;
	double calls, aht;
	bool timed;
	const char *why = read_row(p, &day, &seconds, &calls, &aht, &timed);
	if (why) {
		fail(p, "%s", why);
	} else if (p->h == NULL) { /* first pass: the span of days */
		p->first = day < p->first ? day : p->first;
		p->last = day > p->last ? day : p->last;
		for (int a = p->step, b = seconds; ; ) { /* the step the rows' times keep to */
			if (b == 0) {
				p->step = a;
				break;
			}
			int t = a % b;
			a = b;
			b = t;
		}
		p->rows++;
	} else {
		size_t i = (size_t)(day - p->h->first_day) * p->h->slots + (size_t)(seconds / p->interval);
		if (p->line_of && p->line_of[i] && !clock_went_back(p, i, day, seconds)) {
			/* counts per interval: a second row for one is a mistake */
			char twice[96];
			snprintf(twice, sizeof(twice), "this interval is already on line %u (an export given twice?)",
				 (unsigned)(p->line_of[i] & ~REPEATED));
			fail(p, "%s", twice);
			return;
		}
		if (p->line_of)
			p->line_of[i] = p->line_of[i] ? p->line_of[i] | REPEATED : (uint32_t)p->record_line;
		p->h->calls[i] += calls;
		if (timed) {
			p->h->handle[i] += calls * aht;
			p->h->handled[i] += calls;
		}
	}
}

static void on_record(int term, void *arg)
{
	struct pass *p = arg;
	if (p->rc == GC_OK && !(p->n_fields <= 1 && p->fields[0][0] == '\0')) {
		if (p->shape == UNKNOWN)
			take_header(p);
		else
			take_row(p);
	}
	p->n_fields = 0;
	p->too_long = false;
	p->fields[0][0] = '\0';
}

static int run_pass(const char *csv, size_t len, struct pass *p)
{
	struct csv_parser parser;
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return GC_ENOMEM;
	for (size_t pos = 0; pos < len && p->rc == GC_OK;) {
		size_t end = pos;
		while (end < len && csv[end] != '\n')
			end++;
		size_t chunk = end - pos + (end < len);
		p->line++;
		if (csv_parse(&parser, csv + pos, chunk, on_field, on_record, p) != chunk) {
			p->record_line = p->line;
			fail(p, "malformed CSV: %s", gc_csv_problem(csv_error(&parser)));
		}
		pos += chunk;
	}
	if (p->rc == GC_OK && csv_fini(&parser, on_field, on_record, p) != 0) {
		p->record_line = p->line;
		fail(p, "malformed CSV: %s", gc_csv_problem(csv_error(&parser)));
	}
	csv_free(&parser);
	return p->rc;
}

int wfm_history_parse(const char *csv, size_t len, int interval, int extra_days, struct wfm_history *h,
		      struct decode_error *err)
{
	struct pass p = {.interval = interval, .first = INT64_MAX, .last = INT64_MIN, .err = err};
	if (interval < 60 || interval > 86400 || 86400 % interval != 0) {
		err->code = GC_EINVAL;
		snprintf(err->field, sizeof(err->field), "interval");
		snprintf(err->message, sizeof(err->message), "the interval must divide a day (900, 1800, 3600 ...)");
		return GC_EINVAL;
	}
	int rc = run_pass(csv, len, &p);
	if (rc == GC_OK && p.first == INT64_MAX) {
		p.record_line = 1;
		fail(&p, "%s", "no contacts: the file has a header and nothing else");
	}
	if (p.rc == GC_OK && p.last - p.first + 1 > WFM_MAX_HISTORY_DAYS) {
		p.record_line = 1;
		fail(&p, "%s", "more than 1,200 days of history");
	}
	/* counts of longer intervals read as shorter ones would leave every other interval empty */
	int step = p.step ? p.step : 86400; /* every row at midnight: days */
	if (p.rc == GC_OK && p.shape == COUNTS && p.rows >= 48 && interval < 86400 && step % (2 * interval) == 0) {
		err->code = GC_EINVAL;
		snprintf(err->field, sizeof(err->field), "interval");
		snprintf(err->message, sizeof(err->message), "every time in the file is on a %d-second boundary: its "
			 "intervals are longer than %d seconds; give the interval it counts", step, interval);
		return GC_EINVAL;
	}
	if (p.rc < 0)
		return p.rc;
	int days = (int)(p.last - p.first + 1), slots = 86400 / interval;
	size_t n = (size_t)days * slots;
	*h = (struct wfm_history){.first_day = p.first, .days = days, .slots = slots,
				  .kind_days = days + extra_days};
	h->calls = calloc(n, sizeof(double));
	h->handle = calloc(n, sizeof(double));
	h->handled = calloc(n, sizeof(double));
	h->kind = calloc((size_t)h->kind_days, 1);
	if (h->calls == NULL || h->handle == NULL || h->handled == NULL || h->kind == NULL) {
		wfm_history_clear(h);
		return GC_ENOMEM;
	}
	struct pass fill = {.interval = interval, .h = h, .err = err, .back_day = -1};
	if (p.shape == COUNTS && (fill.line_of = calloc(n, sizeof(uint32_t))) == NULL) {
		wfm_history_clear(h);
		return GC_ENOMEM;
	}
	if ((rc = run_pass(csv, len, &fill)) < 0)
		wfm_history_clear(h);
	free(fill.line_of);
	return rc;
}
