/* Forecast accuracy benchmark: day-ahead backtests over the last 14 days of
 * synthetic histories (10 weeks, 30-minute intervals, trend, campaigns) for
 * 20 seeds, against the Poisson noise floor of the true means and the two
 * baselines measured in the same run; then the real histories of data/wfm/
 * (README.md there), each scored on two parts: the later one (its last 60
 * days, never looked at when the model's constants were chosen) and the
 * earlier one (after four weeks, up to those 60 days, where they were
 * chosen). Prints figures, then one JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wfm/forecast.h"
#include "wfm/history.h"

#define TEST_DAYS 60

struct real_figures {
	struct wfm_backtest test, tune;
	int days, screened;
};

/* Backtests one real history on its two parts; false (said why) on failure. */
static bool real_backtests(const char *name, struct real_figures *ret)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/wfm/%s", GUICHET_SOURCE_ROOT, name);
	FILE *fp = fopen(path, "r");
	static char csv[1 << 22];
	size_t len = fp ? fread(csv, 1, sizeof(csv), fp) : 0;
	if (fp)
		fclose(fp);
	struct wfm_history h;
	struct decode_error err;
	if (len == 0 || wfm_history_parse(csv, len, 1800, 0, &h, &err) < 0) {
		fprintf(stderr, "bench-forecast: cannot read %s\n", path);
		return false;
	}
	uint8_t *screen = malloc((size_t)h.days);
	ret->days = h.days;
	ret->screened = screen ? wfm_screen_days(&h, h.days, screen, NULL) : 0;
	free(screen);
	bool ok = wfm_backtest(&h, TEST_DAYS, &ret->test) == 0;
	struct wfm_history earlier = h;
	earlier.days -= TEST_DAYS;
	ok = ok && wfm_backtest(&earlier, earlier.days - 28, &ret->tune) == 0;
	wfm_history_clear(&h);
	return ok;
}

/* The figures of one real history, for people. */
static void real_print(const char *name, const struct real_figures *r)
{
	const struct wfm_backtest *parts[] = {&r->tune, &r->test};
	const char *part_names[] = {"earlier part (constants chosen here)", "last 60 days (held out)"};
	printf("real: %s, %d days, %d screened out (absent or low)\n", name, r->days, r->screened);
	for (int i = 0; i < 2; i++)
		printf("  %s, %d days scored: day-ahead interval WAPE model %.4f, seasonal naive %.4f, "
		       "historical average %.4f (model %.1f%% under it), noise floor %.4f\n", part_names[i],
		       parts[i]->scored_days, parts[i]->model.wape_interval, parts[i]->seasonal_naive.wape_interval,
		       parts[i]->historical_average.wape_interval,
		       100 * (1 - parts[i]->model.wape_interval / parts[i]->historical_average.wape_interval),
		       parts[i]->noise_floor);
}

/* The same figures as JSON members (",\"key_...\":..."), into buf; returns
 * the length written (0 if it does not fit). */
static size_t real_json(const char *key, const struct real_figures *r, char *buf, size_t len)
{
	const struct wfm_backtest *t = &r->test, *u = &r->tune;
	int n = snprintf(buf, len,
			 ",\"%s_screened_days\":%d,\"%s_test_model_wape\":%.4f,\"%s_test_naive_wape\":%.4f,"
			 "\"%s_test_average_wape\":%.4f,\"%s_test_model_over_average\":%.3f,"
			 "\"%s_tune_model_wape\":%.4f,\"%s_tune_naive_wape\":%.4f,\"%s_tune_average_wape\":%.4f,"
			 "\"%s_tune_model_over_average\":%.3f",
			 key, r->screened, key, t->model.wape_interval, key, t->seasonal_naive.wape_interval, key,
			 t->historical_average.wape_interval, key,
			 t->model.wape_interval / t->historical_average.wape_interval, key, u->model.wape_interval, key,
			 u->seasonal_naive.wape_interval, key, u->historical_average.wape_interval, key,
			 u->model.wape_interval / u->historical_average.wape_interval);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

int main(void)
{
	int campaigns[] = {23, 45, 65};
	double ratio_sum = 0, ratio_max = 0, naive_sum = 0, average_sum = 0, seconds = 0;
	int seeds = 20, wins = 0;
	for (int seed = 1; seed <= seeds; seed++) {
		struct wfm_synth p = {.first_day = 20458, .weeks = 10, .slots = 48, .peak = 100, .trend_per_year = 0.3,
				      .campaign_days = campaigns, .n_campaign_days = 3, .seed = (uint64_t)seed};
		struct wfm_history h;
		double *mean;
		if (wfm_synth_history(&p, &h, &mean) < 0)
			return 1;
		struct timespec a, b;
		struct wfm_backtest bt;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (wfm_backtest(&h, 14, &bt) < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		seconds += (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		double abs = 0, sum = 0;
		for (int d = h.days - 14; d < h.days; d++)
			for (int s = 0; s < h.slots; s++)
				abs += wfm_poisson_mad(mean[d * h.slots + s]), sum += mean[d * h.slots + s];
		double floor = abs / sum, ratio = bt.model.wape_interval / floor;
		ratio_sum += ratio;
		ratio_max = ratio > ratio_max ? ratio : ratio_max;
		naive_sum += bt.seasonal_naive.wape_interval / floor;
		average_sum += bt.historical_average.wape_interval / floor;
		wins += bt.model.wape_interval < bt.seasonal_naive.wape_interval &&
			bt.model.wape_interval < bt.historical_average.wape_interval;
		free(bt.day_wape);
		free(mean);
		wfm_history_clear(&h);
	}
	printf("day-ahead interval WAPE over the Poisson floor, 20 synthetic histories: model %.3f on average "
	       "(worst %.3f), seasonal naive %.3f, historical average %.3f; model best in %d of %d\n",
	       ratio_sum / seeds, ratio_max, naive_sum / seeds, average_sum / seeds, wins, seeds);
	printf("one 14-day backtest (14 refits): %.1f ms\n", seconds / seeds * 1000);
	static const struct {
		const char *file, *key;
	} reals[] = {{"bank-calls-30min.csv", "bank"}, {"anonymous-bank-calls-30min.csv", "anonbank"}};
	static char json[2048];
	size_t used = 0;
	for (size_t r = 0; r < sizeof(reals) / sizeof(reals[0]); r++) {
		struct real_figures real;
		if (!real_backtests(reals[r].file, &real))
			return 1;
		real_print(reals[r].file, &real);
		used += real_json(reals[r].key, &real, json + used, sizeof(json) - used);
		free(real.test.day_wape);
		free(real.tune.day_wape);
	}
	printf("{\"forecast_wape_over_floor\":%.3f,\"forecast_worst_over_floor\":%.3f,\"naive_over_floor\":%.3f,"
	       "\"average_over_floor\":%.3f,\"forecast_wins\":%d,\"backtest_ms\":%.1f%s}\n", ratio_sum / seeds, ratio_max,
	       naive_sum / seeds, average_sum / seeds, wins, seconds / seeds * 1000, json);
	return 0;
}
