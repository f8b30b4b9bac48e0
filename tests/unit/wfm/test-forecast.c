/* Unit tests of forecasting (src/wfm/forecast.c, synth.c): on a synthetic
 * history whose true means are known, the day-ahead interval WAPE stays
 * within 1.15 times the Poisson noise floor and beats both baselines;
 * special days, trends, weekday shapes and a monthly cycle are handled; a
 * missing day and a deep dip are screened out of fit, baselines and score
 * (closed days kept);
 * on two real banks' histories (data/wfm/) the model beats the same-weekday
 * historical average by 10%; bad input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "guichet/clock.h"
#include "guichet/error.h"
#include "wfm/forecast.h"
#include "wfm/history.h"

#include <string.h>

#define MONDAY 20458 /* 2026-01-05 */
#define MAX_TEST_SLOTS 288
#define LEVEL_DAYS 6
#define LEVEL_SCALE 1.3

static void poisson_mad_is_right(void **state)
{
	/* E|X - 1| for Poisson(1) = 2/e; at 100 about sqrt(2 * 100 / pi) */
	assert_true(fabs(wfm_poisson_mad(1) - 2 / M_E) < 1e-12);
	assert_true(fabs(wfm_poisson_mad(100) / 100 - 0.0797) < 0.001);
	assert_int_equal(wfm_weekday(MONDAY), 0);
	assert_int_equal(wfm_weekday(0), 3); /* 1970-01-01, a Thursday */
}

static void day_ahead_forecasts_reach_the_noise_floor(void **state)
{
	int campaigns[] = {23, 45, 65};
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 10, .slots = 48, .peak = 100, .trend_per_year = 0.3,
			      .campaign_days = campaigns, .n_campaign_days = 3, .seed = 11};
	struct wfm_history h;
	double *mean = NULL;
	assert_int_equal(wfm_synth_history(&p, &h, &mean), GC_OK);
	struct wfm_backtest bt;
	assert_int_equal(wfm_backtest(&h, 14, &bt), GC_OK);
	double abs = 0, sum = 0;
	for (int d = h.days - 14; d < h.days; d++)
		for (int s = 0; s < h.slots; s++)
			abs += wfm_poisson_mad(mean[d * h.slots + s]), sum += mean[d * h.slots + s];
	double floor = abs / sum;
	fprintf(stderr, "# interval WAPE: model %.4f, floor %.4f (ratio %.3f), seasonal naive %.4f, "
		"historical average %.4f; model's own floor estimate %.4f\n", bt.model.wape_interval, floor,
		bt.model.wape_interval / floor, bt.seasonal_naive.wape_interval,
		bt.historical_average.wape_interval, bt.noise_floor);
	fprintf(stderr, "# daily WAPE: model %.4f, seasonal naive %.4f, historical average %.4f\n",
		bt.model.wape_day, bt.seasonal_naive.wape_day, bt.historical_average.wape_day);
	assert_true(bt.model.wape_interval <= 1.15 * floor);
	assert_true(bt.model.wape_interval < bt.seasonal_naive.wape_interval);
	assert_true(bt.model.wape_interval < bt.historical_average.wape_interval);
	assert_true(bt.model.wape_day < bt.seasonal_naive.wape_day);
	assert_true(bt.model.wape_day < bt.historical_average.wape_day);
	assert_true(fabs(bt.noise_floor - floor) < 0.01);
	free(bt.day_wape);
	free(mean);
	wfm_history_clear(&h);
}

static void forecasts_follow_the_calendar(void **state)
{
	int campaigns[] = {16, 30};
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 8, .slots = 96, .peak = 60, .trend_per_year = 0,
			      .campaign_days = campaigns, .n_campaign_days = 2, .seed = 5};
	struct wfm_history h;
	double *mean = NULL;
	assert_int_equal(wfm_synth_history(&p, &h, &mean), GC_OK);
	double true_monday = 0, true_saturday = 0; /* the first week's truth (no trend) */
	for (int s = 0; s < 96; s++)
		true_monday += mean[s], true_saturday += mean[5 * 96 + s];
	free(mean);
	/* the 14 days after the history: a campaign on the first Tuesday, a holiday on the Wednesday */
	uint8_t *kind = calloc((size_t)h.days + 14, 1);
	for (int d = 0; d < h.days; d++)
		kind[d] = h.kind[d];
	kind[h.days + 1] = WFM_DAY_CAMPAIGN;
	kind[h.days + 2] = WFM_DAY_HOLIDAY;
	free(h.kind);
	h.kind = kind;
	h.kind_days = h.days + 14;
	double calls[14 * 96], aht[14 * 96], total[14] = {0};
	assert_int_equal(wfm_forecast(&h, h.days, 14, calls, aht), GC_OK);
	for (int d = 0; d < 14; d++)
		for (int s = 0; s < 96; s++)
			total[d] += calls[d * 96 + s];
	/* Monday, campaign Tuesday (x1.8 seen twice before), holiday Wednesday (like a Sunday: closed) */
	assert_true(total[1] / total[8] > 1.6 && total[1] / total[8] < 2.0);
	assert_true(total[2] < 1e-9);
	assert_true(total[6] < 1e-9 && total[13] < 1e-9);          /* Sundays closed */
	assert_true(fabs(total[5] / total[0] - true_saturday / true_monday) < 0.03); /* Saturdays */
	assert_true(fabs(total[0] - true_monday) / true_monday < 0.05);
	for (int s = 0; s < 96; s++) {                            /* no calls at night, AHT near truth */
		double hour = (s + 0.5) / 4;
		if (hour < 8 || hour >= 20)
			assert_true(calls[s] < 1e-9);
		else
			assert_true(fabs(aht[s] - (240 + 40 * sin(2 * M_PI * hour / 24))) < 25);
	}
	wfm_history_clear(&h);
}

/* A copy of h with its own arrays. */
static void copy_history(const struct wfm_history *h, struct wfm_history *ret)
{
	size_t n = (size_t)h->days * h->slots;
	*ret = *h;
	ret->calls = malloc(n * sizeof(double));
	ret->handle = malloc(n * sizeof(double));
	ret->kind = malloc((size_t)h->kind_days);
	assert_non_null(ret->calls);
	assert_non_null(ret->handle);
	assert_non_null(ret->kind);
	memcpy(ret->calls, h->calls, n * sizeof(double));
	memcpy(ret->handle, h->handle, n * sizeof(double));
	memcpy(ret->kind, h->kind, (size_t)h->kind_days);
}

static void scale_day(struct wfm_history *h, int d, double factor)
{
	for (int s = 0; s < h->slots; s++) {
		h->calls[(size_t)d * h->slots + s] *= factor;
		h->handle[(size_t)d * h->slots + s] *= factor;
	}
}

static bool same_values(const double *x, const double *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fabs(x[i] - y[i]) > 1e-9 * (1 + fabs(x[i])))
			return false;
	return true;
}

enum { ABSENT_DAY = 36, LOW_DAY = 44, CLOSED_DAY = 38, SCORED_ABSENT_DAY = 66 };

static void missing_and_low_days_are_screened_out(void **state)
{
	/* 10 weeks from a Monday: a Tuesday missing from the file, a Wednesday at a
	 * fifth of its calls, a Thursday declared closed (no call), and a Thursday
	 * missing inside the 14 held-out days */
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 10, .slots = 48, .peak = 100, .trend_per_year = 0.1,
			      .seed = 7};
	struct wfm_history clean, gappy;
	assert_int_equal(wfm_synth_history(&p, &clean, NULL), GC_OK);
	scale_day(&clean, CLOSED_DAY, 0);
	clean.kind[CLOSED_DAY] = WFM_DAY_HOLIDAY;
	copy_history(&clean, &gappy);
	scale_day(&gappy, ABSENT_DAY, 0);
	scale_day(&gappy, LOW_DAY, 0.2);
	scale_day(&gappy, SCORED_ABSENT_DAY, 0);

	/* detected, with their reasons; nothing else (closed Sundays, the declared day) */
	uint8_t screen[70];
	double expected[70];
	assert_int_equal(wfm_screen_days(&gappy, gappy.days, screen, expected), 3);
	assert_int_equal(screen[ABSENT_DAY], WFM_SCREEN_ABSENT);
	assert_int_equal(screen[LOW_DAY], WFM_SCREEN_LOW);
	assert_int_equal(screen[SCORED_ABSENT_DAY], WFM_SCREEN_ABSENT);
	assert_int_equal(screen[CLOSED_DAY], WFM_SCREEN_KEPT);
	assert_true(expected[ABSENT_DAY] > 1000 && expected[6] == 0); /* a Tuesday's calls; Sundays none */
	assert_int_equal(wfm_screen_days(&clean, clean.days, screen, NULL), 0);

	/* out of the fit: the same forecasts as from the history where those days
	 * are declared special (which the fit of normal days never reads) */
	struct wfm_history declared;
	copy_history(&gappy, &declared);
	declared.kind[ABSENT_DAY] = declared.kind[LOW_DAY] = WFM_DAY_HOLIDAY;
	double f1[7 * 48], f2[7 * 48], aht[7 * 48];
	assert_int_equal(wfm_forecast(&gappy, 63, 3, f1, aht), GC_OK);
	assert_int_equal(wfm_forecast(&declared, 63, 3, f2, aht), GC_OK);
	assert_true(same_values(f1, f2, 3 * 48));
	/* baselines computed the same way: unaffected by the screened days */
	uint8_t screen_declared[70];
	double b1[48], b2[48];
	wfm_screen_days(&gappy, 43, screen, NULL); /* a Tuesday whose week before is the missing day */
	wfm_screen_days(&declared, 43, screen_declared, NULL);
	wfm_baseline_seasonal_naive(&gappy, 43, screen, b1);
	wfm_baseline_seasonal_naive(&declared, 43, screen_declared, b2);
	assert_true(same_values(b1, b2, 48));
	assert_true(same_values(b1, &clean.calls[29 * 48], 48)); /* the Tuesday before it */
	wfm_screen_days(&gappy, 51, screen, NULL);
	wfm_screen_days(&declared, 51, screen_declared, NULL);
	wfm_baseline_historical_average(&gappy, 51, screen, b1);
	wfm_baseline_historical_average(&declared, 51, screen_declared, b2);
	assert_true(same_values(b1, b2, 48));
	double mean[48] = {0}; /* Wednesdays 2, 9, ..., 44 less 44 */
	for (int d = 2; d < 44; d += 7)
		for (int s = 0; s < 48; s++)
			mean[s] += clean.calls[d * 48 + s] / 6;
	wfm_baseline_historical_average(&gappy, 51, screen, b1);
	assert_true(same_values(b1, mean, 48));
	/* without the screen, the missing Tuesday drags the seasonal naive to nothing */
	wfm_baseline_seasonal_naive(&gappy, 43, NULL, b1);
	assert_true(b1[20] == 0);

	/* out of the score: 13 of 14 days scored; until the missing one, each
	 * scores as in the clean history with the first two declared special */
	struct wfm_history clean_declared;
	copy_history(&clean, &clean_declared);
	clean_declared.kind[ABSENT_DAY] = clean_declared.kind[LOW_DAY] = WFM_DAY_HOLIDAY;
	struct wfm_backtest bt, bt_clean;
	assert_int_equal(wfm_backtest(&gappy, 14, &bt), GC_OK);
	assert_int_equal(wfm_backtest(&clean_declared, 14, &bt_clean), GC_OK);
	assert_int_equal(bt.scored_days, 13);
	assert_int_equal(bt_clean.scored_days, 14);
	for (int k = 0; k < 14; k++)
		if (56 + k < SCORED_ABSENT_DAY)
			assert_true(fabs(bt.day_wape[k] - bt_clean.day_wape[k]) < 1e-9);
		else if (56 + k == SCORED_ABSENT_DAY)
			assert_true(isnan(bt.day_wape[k]));
		else
			assert_false(isnan(bt.day_wape[k]));
	fprintf(stderr, "# with a missing and a low day: model %.4f, seasonal naive %.4f, historical average %.4f; "
		"clean: %.4f, %.4f, %.4f\n", bt.model.wape_interval, bt.seasonal_naive.wape_interval,
		bt.historical_average.wape_interval, bt_clean.model.wape_interval,
		bt_clean.seasonal_naive.wape_interval, bt_clean.historical_average.wape_interval);
	assert_true(fabs(bt.historical_average.wape_interval - bt_clean.historical_average.wape_interval) < 0.01);
	assert_true(bt.model.wape_interval < bt.historical_average.wape_interval);

	/* a closed day stays closed: a future holiday is forecast as the past one (no call) */
	struct wfm_history ahead;
	copy_history(&gappy, &ahead);
	free(ahead.kind);
	ahead.kind = calloc((size_t)ahead.days + 7, 1);
	assert_non_null(ahead.kind);
	memcpy(ahead.kind, gappy.kind, (size_t)gappy.days);
	ahead.kind_days = ahead.days + 7;
	ahead.kind[ahead.days + 3] = WFM_DAY_HOLIDAY; /* a Thursday */
	double week[7 * 48];
	assert_int_equal(wfm_forecast(&ahead, ahead.days, 7, week, aht), GC_OK);
	double thursday = 0, wednesday = 0;
	for (int s = 0; s < 48; s++)
		thursday += week[3 * 48 + s], wednesday += week[2 * 48 + s];
	assert_true(thursday < 1e-9 && wednesday > 1000);

	free(bt.day_wape);
	free(bt_clean.day_wape);
	wfm_history_clear(&ahead);
	wfm_history_clear(&clean_declared);
	wfm_history_clear(&declared);
	wfm_history_clear(&gappy);
	wfm_history_clear(&clean);
}

/* Day of the month of day d of h, from its label. */
static int test_day_of_month(const struct wfm_history *h, int d)
{
	char label[32];
	wfm_datetime_format(h->first_day + d, 0, label, sizeof(label));
	return (label[8] - '0') * 10 + (label[9] - '0');
}

/* A history whose first three days of each month bring 40% more calls (pay
 * days): the model learns the cycle, forecasting the next 1st above the
 * same weekday two weeks later, and its day-ahead WAPE stays within 1.15
 * times the noise floor (without the cycle: 1.19 to 1.21 over seeds 1-5). */
static void a_monthly_cycle_is_learned(void **state)
{
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 26, .slots = 48, .peak = 60, .seed = 1};
	struct wfm_history h;
	double *mean = NULL;
	assert_int_equal(wfm_synth_history(&p, &h, &mean), GC_OK);
	for (int d = 0; d < h.days; d++) {
		if (test_day_of_month(&h, d) > 3)
			continue;
		for (int s = 0; s < h.slots; s++)
			h.calls[d * h.slots + s] = round(1.4 * h.calls[d * h.slots + s]), mean[d * h.slots + s] *= 1.4;
	}
	struct wfm_backtest bt;
	assert_int_equal(wfm_backtest(&h, 56, &bt), GC_OK);
	double abs = 0, sum = 0;
	for (int d = h.days - 56; d < h.days; d++)
		for (int s = 0; s < h.slots; s++)
			abs += wfm_poisson_mad(mean[d * h.slots + s]), sum += mean[d * h.slots + s];
	fprintf(stderr, "# monthly cycle: model %.4f, floor %.4f (ratio %.3f), seasonal naive %.4f, historical average %.4f\n",
		bt.model.wape_interval, abs / sum, bt.model.wape_interval / (abs / sum), bt.seasonal_naive.wape_interval,
		bt.historical_average.wape_interval);
	assert_true(bt.model.wape_interval <= 1.15 * abs / sum);
	assert_true(bt.model.wape_interval < bt.historical_average.wape_interval);
	free(bt.day_wape);
	free(mean);
	static double calls[49 * 48], aht[49 * 48];
	assert_int_equal(wfm_forecast(&h, h.days, 49, calls, aht), GC_OK);
	int first = 26; /* the history ends on Sunday 2026-07-05: the forecast's day 26 is Saturday 2026-08-01 */
	assert_int_equal(test_day_of_month(&h, h.days + first), 1);
	double on_first = 0, two_weeks_later = 0;
	for (int s = 0; s < h.slots; s++)
		on_first += calls[first * 48 + s], two_weeks_later += calls[(first + 14) * 48 + s];
	assert_true(on_first > 1.15 * two_weeks_later);
	wfm_history_clear(&h);
}

static double forecast_total(const struct wfm_history *h, int n)
{
	static double calls[MAX_TEST_SLOTS], aht[MAX_TEST_SLOTS];
	double total = 0;
	assert_int_equal(wfm_forecast(h, n, 1, calls, aht), GC_OK);
	for (int s = 0; s < h->slots; s++)
		total += calls[s];
	return total;
}

/* Days after a closure bring back the calls it kept (here 40% more): once
 * the history has shown it a few times, the first open day after the next
 * closure is forecast above the same day after an open one. */
static void a_catch_up_after_a_closure_is_learned(void **state)
{
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 12, .slots = 48, .peak = 60, .seed = 3};
	struct wfm_history h;
	assert_int_equal(wfm_synth_history(&p, &h, NULL), GC_OK);
	for (int week = 2; week <= 8; week += 2) { /* Tuesdays absent, Wednesdays catching up */
		scale_day(&h, 7 * week + 1, 0);
		scale_day(&h, 7 * week + 2, 1.4);
	}
	int wednesday = 7 * 11 + 2;
	double after_open = forecast_total(&h, wednesday);
	scale_day(&h, wednesday - 1, 0);
	double after_closure = forecast_total(&h, wednesday);
	fprintf(stderr, "# catch-up: Wednesday after an open Tuesday %.0f, after a closed one %.0f\n", after_open,
		after_closure);
	assert_true(after_closure > 1.1 * after_open);
	/* over a longer horizon, the catch-up falls on the first open day: from
	 * an absent Saturday, past the closed Sunday, on Monday */
	int sunday = 7 * 10 + 6;
	static double calls[2 * 48], aht[2 * 48];
	double monday[2] = {0};
	for (int closed = 0; closed < 2; closed++) {
		if (closed)
			scale_day(&h, sunday - 1, 0);
		assert_int_equal(wfm_forecast(&h, sunday, 2, calls, aht), GC_OK);
		for (int s = 0; s < 48; s++)
			monday[closed] += calls[48 + s];
	}
	fprintf(stderr, "# catch-up: Monday after an open Saturday %.0f, after a closed one %.0f\n", monday[0],
		monday[1]);
	assert_true(monday[1] > 1.1 * monday[0]);
	wfm_history_clear(&h);
}

/* A weekday whose shape moves with the season (here Saturday, half a slot
 * later each week, as a weekend ending at nightfall does): its profile
 * follows the last weeks, not the mean of two months. */
static void a_moving_weekday_shape_is_followed(void **state)
{
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 20, .slots = 48, .peak = 60, .seed = 4};
	struct wfm_history h;
	assert_int_equal(wfm_synth_history(&p, &h, NULL), GC_OK);
	double last_centre = 0;
	for (int week = 0; week < p.weeks; week++) {
		double *day = &h.calls[(size_t)(7 * week + 5) * h.slots], moved[48] = {0}, sum = 0, centre = 0;
		for (int s = 0; s + week / 2 < 48; s++)
			moved[s + week / 2] = day[s];
		for (int s = 0; s < 48; s++)
			day[s] = moved[s], sum += moved[s], centre += s * moved[s];
		last_centre = centre / sum;
	}
	static double calls[7 * 48], aht[7 * 48];
	assert_int_equal(wfm_forecast(&h, h.days, 7, calls, aht), GC_OK);
	double sum = 0, centre = 0;
	for (int s = 0; s < 48; s++)
		sum += calls[5 * 48 + s], centre += s * calls[5 * 48 + s];
	fprintf(stderr, "# moving shape: last Saturday centred on slot %.2f, the next forecast on %.2f\n", last_centre,
		centre / sum);
	assert_true(fabs(centre / sum - last_centre) < 1.5);
	wfm_history_clear(&h);
}

/* When the last days all miss on the same side, the level has moved: after
 * three days 50% above the rest, the next is forecast well above what one
 * odd day (clipped to 10%) would give (1.23 times the forecast before). */
static void a_level_that_moved_is_followed(void **state)
{
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 10, .slots = 48, .peak = 100, .seed = 5};
	struct wfm_history h;
	assert_int_equal(wfm_synth_history(&p, &h, NULL), GC_OK);
	int n = 7 * 9 + 4; /* a Friday */
	double before = forecast_total(&h, n);
	for (int d = n - 3; d < n; d++)
		scale_day(&h, d, 1.5);
	double after = forecast_total(&h, n);
	fprintf(stderr, "# level moved: Friday forecast %.0f, %.0f after three days 50%% up\n", before, after);
	assert_true(after > 1.3 * before);
	wfm_history_clear(&h);
}

/* A slope read off the history is damped (a quarter of it dropped): on a
 * noiseless history rising 1% a day, the next day is forecast below the
 * fitted line's extrapolation, by about a quarter of the rise since the
 * days' weighted mean (a few weeks back), not more. */
static void a_trend_is_damped(void **state)
{
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 8, .slots = 48, .peak = 100, .seed = 6};
	struct wfm_history h;
	double *mean = NULL;
	assert_int_equal(wfm_synth_history(&p, &h, &mean), GC_OK);
	for (int d = 0; d < h.days; d++)
		for (int s = 0; s < h.slots; s++)
			h.calls[d * h.slots + s] = mean[d * h.slots + s] * (1 + 0.01 * d);
	int n = h.days; /* a Monday follows */
	double forecast = forecast_total(&h, n), week_before = 0, extrapolated;
	for (int s = 0; s < h.slots; s++)
		week_before += h.calls[(n - 7) * h.slots + s];
	extrapolated = week_before * (1 + 0.01 * n) / (1 + 0.01 * (n - 7));
	fprintf(stderr, "# damped trend: Monday a week before %.0f, the line %.0f, forecast %.0f\n", week_before,
		extrapolated, forecast);
	assert_true(forecast > 0.9 * extrapolated);
	assert_true(forecast < 0.98 * extrapolated);
	free(mean);
	wfm_history_clear(&h);
}

/* Reads data/wfm/name (README.md there) in 30-minute intervals. */
static void read_real_history(const char *name, struct wfm_history *h)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/wfm/%s", GUICHET_SOURCE_ROOT, name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	static char csv[1 << 20];
	size_t len = fread(csv, 1, sizeof(csv), fp);
	assert_true(len < sizeof(csv));
	fclose(fp);
	struct decode_error err;
	assert_int_equal(wfm_history_parse(csv, len, 1800, 0, h, &err), GC_OK);
}

/* A real bank's 30-minute counts (data/wfm/README.md): the days missing from
 * the file are found, and over the last 60 days (the part the model's
 * constants were not chosen on) the day-ahead interval WAPE is at least 10%
 * under the same-weekday historical average's. Deterministic: same data,
 * same figures. */
static void a_real_history_beats_the_historical_average(void **state)
{
	struct wfm_history h;
	read_real_history("bank-calls-30min.csv", &h);
	uint8_t screen[WFM_MAX_HISTORY_DAYS];
	assert_int_equal(wfm_screen_days(&h, h.days, screen, NULL), 6);
	static const char *const missing[] = {"2003-04-04", "2003-04-07", "2003-05-26", "2003-07-04", "2003-09-01",
					      "2003-10-14"};
	for (size_t i = 0; i < 6; i++) {
		int64_t day;
		assert_int_equal(wfm_date_parse(missing[i], &day), GC_OK);
		assert_int_equal(screen[day - h.first_day], WFM_SCREEN_ABSENT);
	}
	struct wfm_backtest bt;
	assert_int_equal(wfm_backtest(&h, 60, &bt), GC_OK);
	fprintf(stderr, "# bank, last 60 days (%d scored): model %.4f, seasonal naive %.4f, historical average %.4f "
		"(model / average %.3f), floor %.4f\n", bt.scored_days, bt.model.wape_interval,
		bt.seasonal_naive.wape_interval, bt.historical_average.wape_interval,
		bt.model.wape_interval / bt.historical_average.wape_interval, bt.noise_floor);
	assert_int_equal(bt.scored_days, 58); /* closed weekends count, with no call */
	assert_true(bt.model.wape_interval <= 0.9 * bt.historical_average.wape_interval);
	assert_true(bt.model.wape_interval < bt.seasonal_naive.wape_interval);
	free(bt.day_wape);
	wfm_history_clear(&h);
}

/* The second real history: the Technion's "Anonymous Bank" (Israel, 1999,
 * data/wfm/README.md), open every day of the week with a short Friday and a
 * Saturday evening. Its holidays and eves (Passover, Memorial and
 * Independence Days, Shavuot, Rosh Hashana, Yom Kippur, Sukkot) and two odd
 * days are screened out as low, none in the last 60 days; over those, held
 * out from every choice of the model's constants, the day-ahead interval
 * WAPE is at least 10% under the same-weekday historical average's; on the
 * earlier part too (day 28 to 60 days before the end). */
static void a_second_real_history_beats_the_historical_average(void **state)
{
	struct wfm_history h;
	read_real_history("anonymous-bank-calls-30min.csv", &h);
	assert_int_equal(h.days, 365);
	uint8_t screen[WFM_MAX_HISTORY_DAYS];
	assert_int_equal(wfm_screen_days(&h, h.days, screen, NULL), 15);
	static const char *const holidays[] = {"1999-04-01", "1999-04-07", "1999-04-21", "1999-05-21",
					       "1999-09-11", "1999-09-20", "1999-09-25"};
	for (size_t i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++) {
		int64_t day;
		assert_int_equal(wfm_date_parse(holidays[i], &day), GC_OK);
		assert_int_equal(screen[day - h.first_day], WFM_SCREEN_LOW);
	}
	struct wfm_backtest bt;
	assert_int_equal(wfm_backtest(&h, 60, &bt), GC_OK);
	fprintf(stderr, "# anonymous bank, last 60 days (%d scored): model %.4f, seasonal naive %.4f, "
		"historical average %.4f (model / average %.3f), floor %.4f\n", bt.scored_days, bt.model.wape_interval,
		bt.seasonal_naive.wape_interval, bt.historical_average.wape_interval,
		bt.model.wape_interval / bt.historical_average.wape_interval, bt.noise_floor);
	assert_int_equal(bt.scored_days, 60);
	assert_true(bt.model.wape_interval <= 0.9 * bt.historical_average.wape_interval);
	assert_true(bt.model.wape_interval < bt.seasonal_naive.wape_interval);
	free(bt.day_wape);
	/* the earlier part too, where the constants were chosen (issue 19's
	 * third round brought it from 8.2% to 10.2% under the average) */
	struct wfm_history earlier = h;
	earlier.days -= 60;
	assert_int_equal(wfm_backtest(&earlier, earlier.days - 28, &bt), GC_OK);
	fprintf(stderr, "# anonymous bank, earlier part (%d scored): model %.4f, historical average %.4f (model / "
		"average %.3f)\n", bt.scored_days, bt.model.wape_interval, bt.historical_average.wape_interval,
		bt.model.wape_interval / bt.historical_average.wape_interval);
	assert_int_equal(bt.scored_days, 262);
	assert_true(bt.model.wape_interval <= 0.9 * bt.historical_average.wape_interval);
	free(bt.day_wape);
	wfm_history_clear(&h);
}

static void too_little_history_is_refused(void **state)
{
	struct wfm_synth p = {.first_day = MONDAY, .weeks = 1, .slots = 48, .peak = 10, .seed = 1};
	struct wfm_history h;
	assert_int_equal(wfm_synth_history(&p, &h, NULL), GC_OK);
	double calls[48], aht[48];
	assert_int_equal(wfm_forecast(&h, 7, 1, calls, aht), GC_EINVAL);
	struct wfm_backtest bt;
	assert_int_equal(wfm_backtest(&h, 3, &bt), GC_EINVAL);
	wfm_history_clear(&h);
	p.slots = 7; /* 86400 / 7 is not whole seconds */
	assert_int_equal(wfm_synth_history(&p, &h, NULL), GC_EINVAL);
}

/* Telephony exports leave the handle time of abandoned calls blank: the
 * AHT forecast is that of the calls that have one, not pulled towards 0. */
static void blank_handle_times_are_unknown(void **state)
{
	size_t cap = 64 * 1024, len = 0;
	char *csv = malloc(cap);
	assert_non_null(csv);
	len += (size_t)snprintf(csv + len, cap - len, "interval_start,calls,aht\n");
	for (int d = 0; d < 28; d++) {
		char day[32];
		wfm_datetime_format(MONDAY + d, 9 * 3600, day, sizeof(day));
		len += (size_t)snprintf(csv + len, cap - len, "%s,10,300\n", day);
		wfm_datetime_format(MONDAY + d, 9 * 3600 + 1800, day, sizeof(day));
		len += (size_t)snprintf(csv + len, cap - len, d % 2 ? "%s,5,\n" : "%s,5,300\n", day);
	}
	struct wfm_history h;
	struct decode_error err;
	assert_int_equal(wfm_history_parse(csv, len, 1800, 7, &h, &err), GC_OK);
	double calls[48 * 7], aht[48 * 7];
	assert_int_equal(wfm_forecast(&h, h.days, 7, calls, aht), GC_OK);
	assert_true(fabs(aht[18] - 300) < 1e-6 && fabs(aht[19] - 300) < 1e-6);
	wfm_history_clear(&h);
	free(csv);
}

static void histories_read_both_shapes(void **state)
{
	const char *counts = "interval_start,calls,aht\n2026-01-05T08:00,10,200\n2026-01-05T08:30,4,\n"
			     "2026-01-07T23:30,1,100\n";
	struct wfm_history h;
	struct decode_error err;
	assert_int_equal(wfm_history_parse(counts, strlen(counts), 1800, 5, &h, &err), GC_OK);
	assert_int_equal(h.days, 3);
	assert_int_equal(h.kind_days, 8);
	assert_true(h.first_day == MONDAY);
	assert_true(h.calls[16] == 10 && h.calls[17] == 4 && h.handle[16] == 2000);
	assert_true(h.handled[16] == 10 && h.handled[17] == 0); /* a blank handle time is unknown, not 0 s */
	assert_true(h.calls[2 * 48 + 47] == 1);
	wfm_history_clear(&h);
	const char *events = "timestamp,handle_time\n2026-01-05 08:03:12,300\n2026-01-05T08:29:59Z,100\n"
			     "2026-01-06T00:00,50\n";
	assert_int_equal(wfm_history_parse(events, strlen(events), 900, 0, &h, &err), GC_OK);
	assert_int_equal(h.days, 2);
	assert_true(h.calls[32] == 1 && h.calls[33] == 1 && h.handle[32] == 300 && h.calls[96] == 1);
	wfm_history_clear(&h);
	const char *bad[][2] = {
		{"when,calls\n2026-01-05T08:00,1\n", "line 1"},
		{"interval_start,calls\n2026-01-05T08:00,1\n2026-01-05T08:10,1\n", "line 3"},
		{"interval_start,calls\n2026-02-30T08:00,1\n", "line 2"},
		{"interval_start,calls\n2026-01-05T08:00,-1\n", "line 2"},
		{"timestamp\nyesterday\n", "line 2"},
		{"timestamp\n", "line 1"},
		/* found by fuzz-wfm: sscanf took "-8" for an hour, and the slot index went negative */
		{"timestamp,handle_time\n2026-01-05 -8:03:12,300\n", "line 2"},
		{"timestamp\n2026-01-05T08: 3\n", "line 2"},
		{"interval_start,calls\n+2026-01-05T08:00,1\n", "line 2"},
		/* one interval twice: an export appended again */
		{"interval_start,calls\n2026-01-05T08:00,1\n2026-01-05T08:30,1\n2026-01-05T08:00,1\n", "line 4"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(wfm_history_parse(bad[i][0], strlen(bad[i][0]), 1800, 0, &h, &err), GC_EINVAL);
		assert_string_equal(err.field, bad[i][1]);
	}
	assert_non_null(strstr(err.message, "already on line 2"));
	assert_int_equal(wfm_history_parse(counts, strlen(counts), 7 * 60, 0, &h, &err), GC_EINVAL);
	/* half hours read as quarter hours: every other interval would be empty */
	char halves[8192] = "interval_start,calls\n";
	for (int k = 0; k < 48; k++) {
		char when[32];
		wfm_datetime_format(MONDAY, k * 1800, when, sizeof(when));
		snprintf(halves + strlen(halves), sizeof(halves) - strlen(halves), "%s,%d\n", when, k);
	}
	assert_int_equal(wfm_history_parse(halves, strlen(halves), 900, 0, &h, &err), GC_EINVAL);
	assert_string_equal(err.field, "interval");
	assert_int_equal(wfm_history_parse(halves, strlen(halves), 1800, 0, &h, &err), GC_OK);
	wfm_history_clear(&h);
	/* a spreadsheet's "CSV UTF-8" starts with a byte-order mark */
	const char *bom = "\xEF\xBB\xBFtimestamp,handle_time\n2026-01-05T08:00,60\n";
	assert_int_equal(wfm_history_parse(bom, strlen(bom), 1800, 0, &h, &err), GC_OK);
	wfm_history_clear(&h);
	int64_t day;
	assert_int_equal(wfm_date_parse("2026-01-05", &day), GC_OK);
	assert_true(day == MONDAY);
	assert_int_equal(wfm_date_parse("2026-13-01", &day), GC_EINVAL);
	char buf[32];
	wfm_datetime_format(MONDAY + 59, 9 * 3600 + 30 * 60, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-05T09:30");
}

/* One call in each UTC slot of slot_s seconds in [from, to), labelled on zone's clock. */
static size_t localize_day(const char *zone, const char *from, const char *to, int slot_s, int interval,
			   struct wfm_local_count **ret)
{
	int64_t a, b, (*utc)[2] = calloc(200, sizeof(*utc));
	size_t n = 0, n_local = 0;
	assert_int_equal(gc_time_parse(from, &a), GC_OK);
	assert_int_equal(gc_time_parse(to, &b), GC_OK);
	for (int64_t t = a; t < b; t += slot_s * 1000LL, n++) {
		assert_true(n < 200);
		utc[n][0] = t;
		utc[n][1] = 1;
	}
	assert_int_equal(wfm_history_localize(zone, (const int64_t (*)[2])utc, n, interval, ret, &n_local), GC_OK);
	free(utc);
	return n_local;
}

/* The label of local[i], "YYYY-MM-DDTHH:MM". */
static const char *label(const struct wfm_local_count *c, char buf[32])
{
	wfm_datetime_format(c->day, c->seconds, buf, 32);
	return buf;
}

static void histories_follow_dst_changes(void **state)
{
	(void)state;
	struct wfm_local_count *c = NULL;
	char buf[32];
	/* Paris, 2026-03-29: 23 hours, 46 half hours; 02:00 and 02:30 never happen */
	size_t n = localize_day("Europe/Paris", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 900, 1800, &c);
	assert_int_equal(n, 46);
	assert_string_equal(label(&c[0], buf), "2026-03-29T00:00");
	assert_string_equal(label(&c[3], buf), "2026-03-29T01:30");
	assert_string_equal(label(&c[4], buf), "2026-03-29T03:00");
	assert_string_equal(label(&c[45], buf), "2026-03-29T23:30");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(c[i].calls, 2); /* two quarter hours each */
	/* read back as a history, the day has 48 intervals, the skipped two empty */
	char csv[4096] = "interval_start,calls\n";
	size_t len = strlen(csv);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(csv + len, sizeof(csv) - len, "%s,%lld\n", label(&c[i], buf), (long long)c[i].calls);
	free(c);
	struct wfm_history h;
	struct decode_error err;
	assert_int_equal(wfm_history_parse(csv, len, 1800, 0, &h, &err), GC_OK);
	assert_int_equal(h.days, 1);
	assert_int_equal(h.slots, 48);
	assert_true(h.calls[3] == 2 && h.calls[4] == 0 && h.calls[5] == 0 && h.calls[6] == 2);
	wfm_history_clear(&h);
	/* Paris, 2026-10-25: 25 hours, 50 half hours in 48 labels; 02:00 and 02:30 twice */
	n = localize_day("Europe/Paris", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 1800, 1800, &c);
	assert_int_equal(n, 48);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(c[i].calls, i == 4 || i == 5 ? 2 : 1);
	assert_string_equal(label(&c[4], buf), "2026-10-25T02:00");
	free(c);
	/* New York, 2026-11-01 in quarter hours: 100 real ones, 01:00-01:45 twice */
	n = localize_day("America/New_York", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 900, 900, &c);
	assert_int_equal(n, 96);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(c[i].calls, i >= 4 && i < 8 ? 2 : 1);
	assert_string_equal(label(&c[4], buf), "2026-11-01T01:00");
	free(c);
	/* and its spring day, 2026-03-08: 23 hours of hourly labels, no 02:00 */
	n = localize_day("America/New_York", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 900, 3600, &c);
	assert_int_equal(n, 23);
	assert_string_equal(label(&c[2], buf), "2026-03-08T03:00");
	free(c);
	assert_int_equal(wfm_history_localize("Mars/Olympus", NULL, 0, 1800, &c, &n), GC_EINVAL);
}

/* Another tool's export on local wall time lists the hour the clock went
 * back twice (Paris, 2026-10-25: 01:30, 02:00, 02:30, 02:00, 02:30, 03:00):
 * read as guichet's own history labels it, the calls added, not refused as
 * an export given twice; anything else repeated still is. */
static void an_export_on_wall_time_keeps_the_repeated_hour(void **state)
{
	(void)state;
	const char *paris = "interval_start,calls,aht\n2026-10-25 01:30:00,1,100\n2026-10-25 02:00:00,2,100\n"
			    "2026-10-25 02:30:00,3,100\n2026-10-25 02:00:00,4,400\n2026-10-25 02:30:00,5,\n"
			    "2026-10-25 03:00:00,6,100\n";
	struct wfm_history h;
	struct decode_error err;
	assert_int_equal(wfm_history_parse(paris, strlen(paris), 1800, 0, &h, &err), GC_OK);
	assert_true(h.calls[3] == 1 && h.calls[4] == 6 && h.calls[5] == 8 && h.calls[6] == 6);
	assert_true(h.handle[4] == 2 * 100 + 4 * 400 && h.handled[4] == 6 && h.handled[5] == 3);
	wfm_history_clear(&h);
	/* New York, 2026-11-01, in the order of the labels: 01:00 to 01:45 twice */
	char ny[1024] = "interval_start,calls\n";
	for (int q = 0; q < 4; q++)
		snprintf(ny + strlen(ny), sizeof(ny) - strlen(ny), "2026-11-01T01:%02d,1\n2026-11-01T01:%02d,1\n",
			 q * 15, q * 15);
	assert_int_equal(wfm_history_parse(ny, strlen(ny), 900, 0, &h, &err), GC_OK);
	assert_true(h.calls[4] == 2 && h.calls[7] == 2);
	wfm_history_clear(&h);
	const char *bad[][2] = {
		/* a Sunday's hour three times */
		{"interval_start,calls\n2026-10-25T02:00,1\n2026-10-25T02:00,1\n2026-10-25T02:00,1\n", "line 4"},
		/* more than an hour of a Sunday night twice */
		{"interval_start,calls\n2026-10-25T01:30,1\n2026-10-25T02:00,1\n2026-10-25T02:30,1\n"
		 "2026-10-25T01:30,1\n2026-10-25T02:00,1\n2026-10-25T02:30,1\n", "line 7"},
		/* a Sunday's morning, or a Saturday's night, twice */
		{"interval_start,calls\n2026-10-25T09:00,1\n2026-10-25T09:00,1\n", "line 3"},
		{"interval_start,calls\n2026-10-24T02:00,1\n2026-10-24T02:00,1\n", "line 3"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(wfm_history_parse(bad[i][0], strlen(bad[i][0]), 1800, 0, &h, &err), GC_EINVAL);
		assert_string_equal(err.field, bad[i][1]);
		assert_non_null(strstr(err.message, "an export given twice"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(poisson_mad_is_right),
		cmocka_unit_test(day_ahead_forecasts_reach_the_noise_floor),
		cmocka_unit_test(forecasts_follow_the_calendar),
		cmocka_unit_test(missing_and_low_days_are_screened_out),
		cmocka_unit_test(a_monthly_cycle_is_learned),
		cmocka_unit_test(a_catch_up_after_a_closure_is_learned),
		cmocka_unit_test(a_moving_weekday_shape_is_followed),
		cmocka_unit_test(a_level_that_moved_is_followed),
		cmocka_unit_test(a_trend_is_damped),
		cmocka_unit_test(a_real_history_beats_the_historical_average),
		cmocka_unit_test(a_second_real_history_beats_the_historical_average),
		cmocka_unit_test(too_little_history_is_refused),
		cmocka_unit_test(histories_read_both_shapes),
		cmocka_unit_test(blank_handle_times_are_unknown),
		cmocka_unit_test(histories_follow_dst_changes),
		cmocka_unit_test(an_export_on_wall_time_keeps_the_repeated_hour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
