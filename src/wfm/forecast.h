/* Forecasts of contacts per interval, with weekly and intraday seasonality,
 * a trend, and known special days (holidays, campaigns); backtesting against
 * two baselines; and a synthetic history to check it on. Pure.
 *
 * The model, refitted on every call:
 *   calls(day d, slot s) = level(d) * weekday_factor(w(d)) * month_factor(m(d))
 *                          * profile(c(w), s)
 * - level(d) = a + b d, fitted by weighted least squares on daily totals
 *   divided by their weekday factor, recent weeks weighing more (half-life
 *   8 weeks), the slope damped to three quarters; weekday factors are
 *   re-estimated in turn (a few rounds);
 * - a monthly cycle (pay days, statements) scales it: a factor per day of
 *   the month, the ratio of actual to expected totals over the days within
 *   3 of it, shrunk towards 1 by empirical Bayes (1 where the history shows
 *   no cycle beyond the days' scatter);
 * - the level the last days showed scales it: their gaps to the model
 *   beyond Poisson noise, clipped to 10%, mostly yesterday's; when the last
 *   three days or more all missed on one side, clipped to 30% and averaged
 *   over the run;
 * - the first day after a screened one (closed days between) is scaled by
 *   the catch-up past such days showed;
 * - intraday profiles are pooled across weekdays whose shapes a chi-square
 *   test does not tell apart (Monday to Friday usually share one), which
 *   cuts the noise of each slot's share several-fold; each weekday's days
 *   weigh in with the half-life (1 to 16 weeks) that best predicted its
 *   last 8 shapes, 8 weeks unless another did 2% better;
 * - special days are left out of the fit; a campaign day is forecast with
 *   the ratio past campaign days showed, a holiday with the ratio past
 *   holidays showed (without any: like that week's Sunday);
 * - days the history lacks or that fell far below their weekday's level
 *   (wfm_screen_days) are left out of the fit, of the baselines and of the
 *   backtest's score.
 * AHT per slot is the calls-weighted mean of the same pooled days. */
#ifndef GUICHET_WFM_FORECAST_H
#define GUICHET_WFM_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WFM_MAX_HISTORY_DAYS 1200

enum wfm_day_kind { WFM_DAY_NORMAL = 0, WFM_DAY_HOLIDAY = 1, WFM_DAY_CAMPAIGN = 2 };

/* Contacts per interval over whole days. day 0 is first_day (days since
 * 1970-01-01, in the contact center's own clock). */
struct wfm_history {
	int64_t first_day;
	int days, slots;       /* slots per day: 86400 / interval */
	double *calls;         /* [day * slots + slot] */
	double *handle;        /* total handle seconds, same layout */
	double *handled;       /* the calls whose handle time is known, same layout; NULL: every call */
	uint8_t *kind;         /* enum wfm_day_kind per day, for history and future alike */
	int kind_days;         /* entries in kind (history days + horizon) */
};

/* Monday = 0 ... Sunday = 6. */
int wfm_weekday(int64_t day);

/* Forecasts the horizon days that follow the first n_days of h (n_days <=
 * h->days); day kinds come from h->kind. ret_calls and ret_aht hold
 * horizon * slots values. GC_EINVAL without at least two weeks of history. */
int wfm_forecast(const struct wfm_history *h, int n_days, int horizon, double *ret_calls,
		 double *ret_aht);

/* Why a day of history is left out (never a day declared a holiday or a campaign). */
enum wfm_screen { WFM_SCREEN_KEPT = 0, WFM_SCREEN_ABSENT = 1, WFM_SCREEN_LOW = 2 };

#define WFM_SCREEN_WEEKS 4     /* same weekdays compared: this many weeks either side */
#define WFM_SCREEN_RATIO 0.5   /* a day under this share of their median is left out */

/* Screens the first n_days of h. A normal day is compared with the median
 * total of the same weekday's normal days with calls, WFM_SCREEN_WEEKS weeks
 * either side (inside the first n_days), when at least two such days exist:
 * with no call at all it is absent (a day missing from the file reads so),
 * under WFM_SCREEN_RATIO of that median it is low. A weekday whose median is
 * no call (a closed Sunday) is never screened. ret_screen[d] gets an enum
 * wfm_screen, ret_expected[d] (may be NULL) the median (0 without one).
 * Returns the number of days screened out. */
int wfm_screen_days(const struct wfm_history *h, int n_days, uint8_t *ret_screen, double *ret_expected);

/* The two baselines, one day ahead of the first n_days, over the days the
 * model fits on (normal and not screened; screen: wfm_screen_days of the
 * first n_days, NULL for none): the same slot on the last such day of the
 * same weekday, and the mean of the same slot over all of them. */
void wfm_baseline_seasonal_naive(const struct wfm_history *h, int n_days, const uint8_t *screen,
				 double *ret_calls);
void wfm_baseline_historical_average(const struct wfm_history *h, int n_days, const uint8_t *screen,
				     double *ret_calls);

struct wfm_accuracy {
	double wape_interval, mape_interval;  /* over intervals (MAPE skips those with no call) */
	double wape_day, mape_day;            /* over daily totals */
};

struct wfm_backtest {
	int holdout_days;
	struct wfm_accuracy model, seasonal_naive, historical_average;
	double noise_floor;    /* the WAPE a perfect model would still show: Poisson noise
	                        * around the model's own forecasts */
	double *day_wape;      /* the model's interval WAPE for each holdout day (malloc'd);
	                        * NAN for a day screened out of the score */
	int scored_days;       /* holdout days scored: those wfm_screen_days keeps over the whole history */
};

/* Day-ahead backtest over the last holdout days: each day is forecast from
 * the days before it only (screened on those days only); days screened out
 * over the whole history are not scored, for the model and the baselines
 * alike. GC_EINVAL when fewer than 14 days remain. */
int wfm_backtest(const struct wfm_history *h, int holdout, struct wfm_backtest *ret);

/* E|X - mu| / mu summed form: the mean absolute deviation of Poisson(mu). */
double wfm_poisson_mad(double mu);

struct wfm_synth {
	int64_t first_day;     /* a Monday */
	int weeks, slots;
	double peak;           /* mean calls in the busiest weekday slot */
	double trend_per_year; /* 0.1: +10% a year */
	const int *campaign_days; /* day indices with a campaign (x1.8) */
	int n_campaign_days;
	uint64_t seed;
};

/* Fills h (its arrays malloc'd: free with wfm_history_clear) with a realistic
 * history: open 8:00-20:00 on weekdays with a morning and an afternoon peak,
 * Saturday mornings, Sunday closed, a trend, campaign days, Poisson counts
 * and gamma-distributed handle times. ret_mean (days * slots, may be NULL)
 * receives the true means, for measuring the noise floor. */
int wfm_synth_history(const struct wfm_synth *p, struct wfm_history *h, double **ret_mean);
void wfm_history_clear(struct wfm_history *h);

#endif
