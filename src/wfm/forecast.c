/* The forecast model, its baselines and the backtest (forecast.h). */
#include "wfm/forecast.h"
#include "wfm/history.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HALF_LIFE_DAYS 56.0
#define ROUNDS 6
#define MAX_SLOTS 288
#define RECENT_DAYS 14
#define RECENT_CLIP 0.1
#define RECENT_DECAY 0.85
#define PROFILE_HALF_LIVES {7, 14, 28, 56, 112} /* days, tried for each weekday's profile */
#define PROFILE_CHECKS 8      /* last days of the weekday they are tried on */
#define PROFILE_MARGIN 0.02   /* how much better than HALF_LIFE_DAYS another must do */
#define RECENT_RUN 3          /* this many last days missing on one side: the level moved */
#define RECENT_RUN_CLIP 0.3
#define RECENT_RUN_DECAY 0.5
#define MONTH_WINDOW 3 /* a day of the month is estimated over the 7 around it */
#define TREND_DAMPING 0.75 /* share of the fitted slope kept: a slope read off a few weeks overshoots */

int wfm_weekday(int64_t day)
{
	int w = (int)((day + 3) % 7); /* 1970-01-01 was a Thursday */
	return w < 0 ? w + 7 : w;
}

struct model {
	double a, b;                 /* level(d) = a + b d */
	double factor[7];            /* weekday factors, mean 1 over weekdays with calls */
	int cluster[7];              /* weekdays sharing an intraday profile */
	double profile[7][MAX_SLOTS];/* by cluster: share of the day in each slot */
	double aht[7][MAX_SLOTS];
	double holiday_ratio, campaign_ratio; /* < 0: no past day of that kind */
	double catch_up_ratio;       /* a day after a screened one: past such days' actual over expected */
	double recent_ratio;         /* what the last days showed over what the model expected */
	double month_factor[32];     /* by day of the month (1-31): 1 where history shows no cycle */
};

/* Day of the month (1-31) of a day since 1970-01-01 (proleptic Gregorian). */
static int day_of_month(int64_t z)
{
	int y, m, d;
	gc_civil_from_days(z, &y, &m, &d);
	return d;
}

static double day_total(const struct wfm_history *h, int d)
{
	double sum = 0;
	for (int s = 0; s < h->slots; s++)
		sum += h->calls[(size_t)d * h->slots + s];
	return sum;
}

static bool normal_day(const struct wfm_history *h, int d)
{
	return d >= h->kind_days || h->kind[d] == WFM_DAY_NORMAL;
}

/* Whether the model and the baselines learn from day d: normal, not screened. */
static bool fitted_day(const struct wfm_history *h, const uint8_t *screen, int d)
{
	return normal_day(h, d) && (screen == NULL || screen[d] == WFM_SCREEN_KEPT);
}

/* Whether day d is the first open day after a screened one (a closure or an
 * outage: the calls it kept from its customers come the next open day). */
static bool catch_up_day(const uint8_t *screen, const double *totals, int d)
{
	int e = d - 1;
	while (e >= 0 && screen[e] == WFM_SCREEN_KEPT && totals[e] <= 0) /* closed: a weekend */
		e--;
	return e >= 0 && screen[e] != WFM_SCREEN_KEPT;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int wfm_screen_days(const struct wfm_history *h, int n, uint8_t *ret_screen, double *ret_expected)
{
	int screened = 0;
	double totals[WFM_MAX_HISTORY_DAYS]; /* each day's total, summed once */
	for (int d = 0; d < n && d < WFM_MAX_HISTORY_DAYS; d++)
		totals[d] = day_total(h, d);
#define TOTAL(d) ((d) < WFM_MAX_HISTORY_DAYS ? totals[d] : day_total(h, d))
	for (int d = 0; d < n; d++) {
		double around[2 * WFM_SCREEN_WEEKS], total = TOTAL(d);
		int count = 0;
		for (int k = -WFM_SCREEN_WEEKS; k <= WFM_SCREEN_WEEKS; k++) {
			int e = d + 7 * k;
			double t;
			if (k != 0 && e >= 0 && e < n && normal_day(h, e) && (t = TOTAL(e)) > 0)
				around[count++] = t;
		}
		double median = 0;
		if (count >= 2) {
			qsort(around, (size_t)count, sizeof(double), compare_doubles);
			median = count % 2 ? around[count / 2] : (around[count / 2 - 1] + around[count / 2]) / 2;
		}
		uint8_t verdict = WFM_SCREEN_KEPT;
		if (normal_day(h, d) && median > 0 && total <= 0)
			verdict = WFM_SCREEN_ABSENT;
		else if (normal_day(h, d) && median > 0 && total < WFM_SCREEN_RATIO * median)
			verdict = WFM_SCREEN_LOW;
		ret_screen[d] = verdict;
		if (ret_expected)
			ret_expected[d] = median;
		screened += verdict != WFM_SCREEN_KEPT;
	}
#undef TOTAL
	return screened;
}

/* Level and weekday factors, alternately, on normal days before n. */
static void fit_level(const struct wfm_history *h, int n, const uint8_t *screen, const double *totals,
		      struct model *m)
{
	for (int w = 0; w < 7; w++)
		m->factor[w] = 1;
	for (int round = 0; round < ROUNDS; round++) {
		double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
		for (int d = 0; d < n; d++) {
			double f = m->factor[wfm_weekday(h->first_day + d)];
			if (!fitted_day(h, screen, d) || f <= 0)
				continue;
			double wt = pow(0.5, (n - 1 - d) / HALF_LIFE_DAYS) * f * f, y = totals[d] / f;
			sw += wt, sx += wt * d, sy += wt * y, sxx += wt * d * d, sxy += wt * d * y;
		}
		double den = sw * sxx - sx * sx;
		/* damped: the line still passes through the weighted mean of the days */
		m->b = den > 1e-12 ? TREND_DAMPING * (sw * sxy - sx * sy) / den : 0;
		m->a = sw > 0 ? (sy - m->b * sx) / sw : 0;
		double num[7] = {0}, dem[7] = {0}, mean = 0;
		int present = 0;
		for (int d = 0; d < n; d++) {
			if (!fitted_day(h, screen, d))
				continue;
			int w = wfm_weekday(h->first_day + d);
			double wt = pow(0.5, (n - 1 - d) / HALF_LIFE_DAYS), level = m->a + m->b * d;
			num[w] += wt * totals[d];
			dem[w] += wt * (level > 0 ? level : 0);
		}
		for (int w = 0; w < 7; w++) {
			m->factor[w] = dem[w] > 0 ? num[w] / dem[w] : 0;
			if (m->factor[w] > 0)
				mean += m->factor[w], present++;
		}
		for (int w = 0; present && w < 7; w++)
			m->factor[w] *= present / mean;
	}
}

/* Whether two count vectors share one shape (two-sample chi-square). */
static bool same_shape(const double *x, const double *y, int slots)
{
	double X = 0, Y = 0, chi = 0;
	int cells = 0;
	for (int s = 0; s < slots; s++)
		X += x[s], Y += y[s];
	if (X <= 0 || Y <= 0)
		return X <= 0 && Y <= 0;
	for (int s = 0; s < slots; s++) {
		double p = (x[s] + y[s]) / (X + Y);
		if (p <= 0)
			continue;
		chi += (x[s] - X * p) * (x[s] - X * p) / (X * p) + (y[s] - Y * p) * (y[s] - Y * p) / (Y * p);
		cells++;
	}
	double dof = cells > 1 ? cells - 1 : 1;
	return chi < dof + 4 * sqrt(2 * dof);
}

/* For weekday w, the half-life (days) of its intraday profile: among
 * PROFILE_HALF_LIVES, the one whose profiles, each fitted on the weekday's
 * earlier days only, best matched its last PROFILE_CHECKS fitted days (the
 * day's own total given); HALF_LIFE_DAYS unless another beats it by
 * PROFILE_MARGIN. A shape that moves with the seasons (a weekend that ends
 * at nightfall) follows the last weeks; a steady one keeps the long memory. */
static double choose_profile_half_life(const struct wfm_history *h, int n, const uint8_t *screen, int w)
{
	static const double half_lives[] = PROFILE_HALF_LIVES;
	enum { N_HALF_LIVES = sizeof(half_lives) / sizeof(half_lives[0]) };
	int days[WFM_MAX_HISTORY_DAYS], n_days = 0;
	for (int d = 0; d < n && n_days < WFM_MAX_HISTORY_DAYS; d++)
		if (wfm_weekday(h->first_day + d) == w && fitted_day(h, screen, d))
			days[n_days++] = d;
	int first = n_days - PROFILE_CHECKS < 2 ? 2 : n_days - PROFILE_CHECKS;
	double error[N_HALF_LIVES] = {0}, chosen = HALF_LIFE_DAYS, chosen_error = -1;
	if (first >= n_days)
		return HALF_LIFE_DAYS;
	for (int c = 0; c < N_HALF_LIVES; c++) {
		for (int i = first; i < n_days; i++) {
			const double *actual = &h->calls[(size_t)days[i] * h->slots];
			double shape[MAX_SLOTS] = {0}, sum = 0, total = 0;
			for (int j = 0; j < i; j++) {
				double wt = pow(0.5, (days[i] - 1 - days[j]) / half_lives[c]);
				for (int s = 0; s < h->slots; s++)
					shape[s] += wt * h->calls[(size_t)days[j] * h->slots + s];
			}
			for (int s = 0; s < h->slots; s++)
				sum += shape[s], total += actual[s];
			for (int s = 0; sum > 0 && s < h->slots; s++)
				error[c] += fabs(shape[s] / sum * total - actual[s]);
		}
		if (half_lives[c] == HALF_LIFE_DAYS)
			chosen_error = error[c];
	}
	for (int c = 0; c < N_HALF_LIVES && chosen_error >= 0; c++)
		if (error[c] < chosen_error * (1 - PROFILE_MARGIN))
			chosen = half_lives[c], chosen_error = error[c];
	return chosen;
}

/* Pools weekdays into clusters of one intraday shape; fills profiles and AHT. */
static void fit_profiles(const struct wfm_history *h, int n, const uint8_t *screen, struct model *m)
{
	static double counts[7][MAX_SLOTS], weighted[7][MAX_SLOTS], handle[7][MAX_SLOTS], timed[7][MAX_SLOTS];
	memset(counts, 0, sizeof(counts));
	memset(timed, 0, sizeof(timed));
	memset(weighted, 0, sizeof(weighted));
	memset(handle, 0, sizeof(handle));
	double half_life[7];
	for (int w = 0; w < 7; w++)
		half_life[w] = choose_profile_half_life(h, n, screen, w);
	for (int d = 0; d < n; d++) {
		if (!fitted_day(h, screen, d))
			continue;
		int w = wfm_weekday(h->first_day + d);
		double wt = pow(0.5, (n - 1 - d) / half_life[w]);
		for (int s = 0; s < h->slots; s++) {
			size_t i = (size_t)d * h->slots + s;
			counts[w][s] += h->calls[i];
			weighted[w][s] += wt * h->calls[i];
			handle[w][s] += wt * (h->handle ? h->handle[i] : 0);
			timed[w][s] += wt * (h->handled ? h->handled[i] : h->calls[i]);
		}
	}
	static double pooled[7][MAX_SLOTS], pooled_w[7][MAX_SLOTS], pooled_h[7][MAX_SLOTS], pooled_t[7][MAX_SLOTS];
	int n_clusters = 0;
	for (int w = 0; w < 7; w++) {
		int c = 0;
		while (c < n_clusters && !same_shape(counts[w], pooled[c], h->slots))
			c++;
		if (c == n_clusters) {
			memset(pooled[c], 0, sizeof(pooled[c]));
			memset(pooled_w[c], 0, sizeof(pooled_w[c]));
			memset(pooled_h[c], 0, sizeof(pooled_h[c]));
			memset(pooled_t[c], 0, sizeof(pooled_t[c]));
			n_clusters++;
		}
		m->cluster[w] = c;
		for (int s = 0; s < h->slots; s++) {
			pooled[c][s] += counts[w][s];
			pooled_w[c][s] += weighted[w][s];
			pooled_h[c][s] += handle[w][s];
			pooled_t[c][s] += timed[w][s];
		}
	}
	/* AHT over the calls whose handle time is known (a blank one is not 0 s) */
	double all_timed = 0, all_handle = 0;
	for (int c = 0; c < n_clusters; c++)
		for (int s = 0; s < h->slots; s++)
			all_timed += pooled_t[c][s], all_handle += pooled_h[c][s];
	double fallback_aht = all_timed > 0 ? all_handle / all_timed : 0;
	for (int c = 0; c < n_clusters; c++) {
		double total = 0;
		for (int s = 0; s < h->slots; s++)
			total += pooled_w[c][s];
		for (int s = 0; s < h->slots; s++) {
			m->profile[c][s] = total > 0 ? pooled_w[c][s] / total : 0;
			m->aht[c][s] = pooled_t[c][s] > 0 ? pooled_h[c][s] / pooled_t[c][s] : fallback_aht;
		}
	}
}

/* What a normal day d would total under the fitted model. */
static double expected_total(const struct wfm_history *h, const struct model *m, int d, int weekday)
{
	double level = m->a + m->b * d;
	return (level > 0 ? level : 0) * m->factor[weekday] * m->month_factor[day_of_month(h->first_day + d)];
}

/* The monthly cycle (pay days, statements): for each day of the month, the
 * ratio of actual to expected totals over the fitted days within
 * MONTH_WINDOW days of it in the month, shrunk towards 1 by how much of its
 * spread the days' own scatter explains (empirical Bayes: a ratio moves by
 * tau2 / (tau2 + its variance), tau2 the spread of the ratios beyond their
 * variances). A history with no cycle, or too short to show one, keeps 1. */
static void fit_month(const struct wfm_history *h, int n, const uint8_t *screen, const double *totals,
		      struct model *m)
{
	double actual[32] = {0}, expected[32] = {0}, days[32] = {0}, sum = 0, sum2 = 0, count = 0;
	for (int d = 0; d < n; d++) {
		double e = expected_total(h, m, d, wfm_weekday(h->first_day + d)), r;
		if (!fitted_day(h, screen, d) || e <= 0)
			continue;
		int k = day_of_month(h->first_day + d);
		actual[k] += totals[d], expected[k] += e, days[k]++;
		r = totals[d] / e, sum += r, sum2 += r * r, count++;
	}
	double scatter = count > 1 ? (sum2 - sum * sum / count) / (count - 1) : 0; /* of one day's ratio */
	double ratio[32], variance[32], spread = 0;
	int seen = 0;
	for (int k = 1; k <= 31; k++) {
		double a = 0, e = 0, c = 0;
		for (int j = k - MONTH_WINDOW; j <= k + MONTH_WINDOW; j++)
			if (j >= 1 && j <= 31)
				a += actual[j], e += expected[j], c += days[j];
		ratio[k] = e > 0 ? a / e : 1;
		variance[k] = c > 0 ? scatter / c : 0;
		if (e > 0)
			spread += (ratio[k] - 1) * (ratio[k] - 1) - variance[k], seen++;
	}
	double tau2 = seen ? spread / seen : 0;
	for (int k = 1; k <= 31 && tau2 > 0; k++)
		m->month_factor[k] = 1 + (ratio[k] - 1) * tau2 / (tau2 + variance[k]);
}

static void fit_special(const struct wfm_history *h, int n, const double *totals, struct model *m)
{
	double actual[3] = {0}, expected[3] = {0};
	for (int d = 0; d < n && d < h->kind_days; d++) {
		int k = h->kind[d];
		if (k == WFM_DAY_NORMAL)
			continue;
		actual[k] += totals[d];
		expected[k] += expected_total(h, m, d, wfm_weekday(h->first_day + d));
	}
	m->holiday_ratio = expected[WFM_DAY_HOLIDAY] > 0 ? actual[WFM_DAY_HOLIDAY] / expected[WFM_DAY_HOLIDAY] : -1;
	m->campaign_ratio = expected[WFM_DAY_CAMPAIGN] > 0 ? actual[WFM_DAY_CAMPAIGN] / expected[WFM_DAY_CAMPAIGN] : -1;
}

/* The catch-up after a screened day: the ratio of actual to expected totals
 * over the past fitted days that followed one, shrunk towards 1 as if one
 * more day had shown none (k / (k + 1)); 1 with fewer than two such days. */
static void fit_catch_up(const struct wfm_history *h, int n, const uint8_t *screen, const double *totals,
			 struct model *m)
{
	double actual = 0, expected = 0;
	int k = 0;
	for (int d = 1; d < n; d++) {
		double e = expected_total(h, m, d, wfm_weekday(h->first_day + d));
		if (!fitted_day(h, screen, d) || e <= 0 || !catch_up_day(screen, totals, d))
			continue;
		actual += totals[d], expected += e, k++;
	}
	m->catch_up_ratio = k >= 2 ? 1 + (actual / expected - 1) * k / (k + 1.0) : 1;
}

/* The level the last days showed against the model's: their ratios of actual
 * to expected totals, each clipped to 1 +- RECENT_CLIP (one odd day moves the
 * level little), averaged with weights falling by RECENT_DECAY per day back,
 * over the fitted days of the last RECENT_DAYS. When the last RECENT_RUN
 * fitted days or more all missed on the same side, the level has moved, not
 * one day: the clip widens to RECENT_RUN_CLIP and the weights fall by
 * RECENT_RUN_DECAY, so the days of the run count more evenly. */
static void fit_recent(const struct wfm_history *h, int n, const uint8_t *screen, const double *totals,
		       struct model *m)
{
	double gaps[RECENT_DAYS];
	int n_gaps = 0;
	for (int d = n - 1; d >= 0 && d >= n - RECENT_DAYS; d--) {
		double expected = expected_total(h, m, d, wfm_weekday(h->first_day + d));
		if (!fitted_day(h, screen, d) || expected <= 0)
			continue;
		/* the part of the gap Poisson noise alone would not explain */
		double gap = totals[d] / expected - 1, noise = 2 / sqrt(expected);
		gaps[n_gaps++] = gap > noise ? gap - noise : gap < -noise ? gap + noise : 0;
	}
	int run = 0; /* latest days missing on the same side, most recent first */
	while (run < n_gaps && gaps[run] != 0 && (gaps[run] > 0) == (gaps[0] > 0))
		run++;
	double clip = run >= RECENT_RUN ? RECENT_RUN_CLIP : RECENT_CLIP;
	double decay = run >= RECENT_RUN ? RECENT_RUN_DECAY : RECENT_DECAY;
	double sum = 0, weights = 0, weight = 1;
	for (int i = 0; i < n_gaps; i++) {
		sum += weight * (1 + (gaps[i] < -clip ? -clip : gaps[i] > clip ? clip : gaps[i]));
		weights += weight;
		weight *= 1 - decay;
	}
	m->recent_ratio = weights > 0 ? sum / weights : 1;
}

int wfm_forecast(const struct wfm_history *h, int n, int horizon, double *ret_calls, double *ret_aht)
{
	if (n < 14 || n > h->days || h->slots < 1 || h->slots > MAX_SLOTS || horizon < 1)
		return GC_EINVAL;
	double *totals = malloc((size_t)n * sizeof(double));
	uint8_t *screen = malloc((size_t)n);
	struct model *m = calloc(1, sizeof(*m));
	if (totals == NULL || screen == NULL || m == NULL) {
		free(totals);
		free(screen);
		free(m);
		return GC_ENOMEM;
	}
	for (int d = 0; d < n; d++)
		totals[d] = day_total(h, d);
	for (int k = 0; k < 32; k++)
		m->month_factor[k] = 1;
	wfm_screen_days(h, n, screen, NULL);
	fit_level(h, n, screen, totals, m);
	fit_profiles(h, n, screen, m);
	fit_month(h, n, screen, totals, m);
	fit_special(h, n, totals, m);
	fit_catch_up(h, n, screen, totals, m);
	fit_recent(h, n, screen, totals, m);
	bool catching_up = catch_up_day(screen, totals, n); /* until the first open normal day */
	for (int k = 0; k < horizon; k++) {
		int d = n + k, w = wfm_weekday(h->first_day + d);
		int kind = d < h->kind_days ? h->kind[d] : WFM_DAY_NORMAL;
		double total = expected_total(h, m, d, w) * m->recent_ratio;
		if (catching_up && kind == WFM_DAY_NORMAL && total > 0)
			total *= m->catch_up_ratio, catching_up = false;
		int shape = w;
		if (kind == WFM_DAY_CAMPAIGN)
			total *= m->campaign_ratio >= 0 ? m->campaign_ratio : 1;
		else if (kind == WFM_DAY_HOLIDAY && m->holiday_ratio >= 0)
			total *= m->holiday_ratio;
		else if (kind == WFM_DAY_HOLIDAY) /* never seen one: like a Sunday */
			total = expected_total(h, m, d, 6), shape = 6;
		for (int s = 0; s < h->slots; s++) {
			size_t i = (size_t)k * h->slots + s;
			ret_calls[i] = total * m->profile[m->cluster[shape]][s];
			ret_aht[i] = m->aht[m->cluster[shape]][s];
		}
	}
	free(totals);
	free(screen);
	free(m);
	return GC_OK;
}

void wfm_baseline_seasonal_naive(const struct wfm_history *h, int n, const uint8_t *screen, double *ret)
{
	int d = n - 7;
	while (d >= 0 && !fitted_day(h, screen, d))
		d -= 7;
	for (int s = 0; s < h->slots; s++)
		ret[s] = d >= 0 ? h->calls[(size_t)d * h->slots + s] : 0;
}

void wfm_baseline_historical_average(const struct wfm_history *h, int n, const uint8_t *screen, double *ret)
{
	int count = 0;
	memset(ret, 0, (size_t)h->slots * sizeof(double));
	for (int d = n - 7; d >= 0; d -= 7) { /* every earlier day of the same weekday */
		if (!fitted_day(h, screen, d))
			continue;
		for (int s = 0; s < h->slots; s++)
			ret[s] += h->calls[(size_t)d * h->slots + s];
		count++;
	}
	for (int s = 0; count && s < h->slots; s++)
		ret[s] /= count;
}

double wfm_poisson_mad(double mu)
{
	if (mu <= 0)
		return 0;
	/* E|X - mu| = 2 e^-mu mu^(k+1) / k!, k = floor(mu) */
	double k = floor(mu);
	return 2 * exp(-mu + (k + 1) * log(mu) - lgamma(k + 1));
}

struct errors {
	double abs, actual, ape, day_abs, day_actual, day_ape;
	int n_ape, n_day_ape;
};

static void add_day(struct errors *e, const double *f, const double *a, int slots)
{
	double ft = 0, at = 0;
	for (int s = 0; s < slots; s++) {
		e->abs += fabs(f[s] - a[s]);
		e->actual += a[s];
		if (a[s] > 0)
			e->ape += fabs(f[s] - a[s]) / a[s], e->n_ape++;
		ft += f[s], at += a[s];
	}
	e->day_abs += fabs(ft - at);
	e->day_actual += at;
	if (at > 0)
		e->day_ape += fabs(ft - at) / at, e->n_day_ape++;
}

static struct wfm_accuracy accuracy(const struct errors *e)
{
	return (struct wfm_accuracy){
		e->actual > 0 ? e->abs / e->actual : 0, e->n_ape ? e->ape / e->n_ape : 0,
		e->day_actual > 0 ? e->day_abs / e->day_actual : 0, e->n_day_ape ? e->day_ape / e->n_day_ape : 0};
}

int wfm_backtest(const struct wfm_history *h, int holdout, struct wfm_backtest *ret)
{
	int first = h->days - holdout;
	if (holdout < 1 || first < 14)
		return GC_EINVAL;
	size_t slots = (size_t)h->slots;
	double *f = malloc(slots * sizeof(double)), *aht = malloc(slots * sizeof(double));
	double *b = malloc(slots * sizeof(double)), *day_wape = calloc((size_t)holdout, sizeof(double));
	uint8_t *scored = malloc((size_t)h->days), *seen = malloc((size_t)h->days);
	struct errors model = {0}, naive = {0}, average = {0};
	double floor_abs = 0, floor_mu = 0;
	int scored_days = 0, rc = f && aht && b && day_wape && scored && seen ? GC_OK : GC_ENOMEM;
	if (rc == GC_OK)
		wfm_screen_days(h, h->days, scored, NULL);
	for (int k = 0; rc == GC_OK && k < holdout; k++) {
		int d = first + k;
		const double *actual = &h->calls[(size_t)d * slots];
		if (scored[d] != WFM_SCREEN_KEPT) {
			day_wape[k] = NAN;
			continue;
		}
		if ((rc = wfm_forecast(h, d, 1, f, aht)) < 0)
			break;
		struct errors one = {0};
		add_day(&one, f, actual, h->slots);
		add_day(&model, f, actual, h->slots);
		day_wape[k] = accuracy(&one).wape_interval;
		for (size_t s = 0; s < slots; s++)
			floor_abs += wfm_poisson_mad(f[s]), floor_mu += f[s];
		wfm_screen_days(h, d, seen, NULL); /* what the model saw of the days before */
		wfm_baseline_seasonal_naive(h, d, seen, b);
		add_day(&naive, b, actual, h->slots);
		wfm_baseline_historical_average(h, d, seen, b);
		add_day(&average, b, actual, h->slots);
		scored_days++;
	}
	free(f);
	free(aht);
	free(b);
	free(scored);
	free(seen);
	if (rc < 0) {
		free(day_wape);
		return rc;
	}
	*ret = (struct wfm_backtest){.holdout_days = holdout, .model = accuracy(&model),
		.seasonal_naive = accuracy(&naive), .historical_average = accuracy(&average),
		.noise_floor = floor_mu > 0 ? floor_abs / floor_mu : 0, .day_wape = day_wape,
		.scored_days = scored_days};
	return GC_OK;
}
