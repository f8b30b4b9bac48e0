/* Forecast accuracy benchmark: day-ahead backtests over the last 14 days of
 * synthetic histories (10 weeks, 30-minute intervals, trend, campaigns) for
 * 20 seeds, against the Poisson noise floor of the true means and the two
 * baselines measured in the same run. Prints figures, then one JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wfm/forecast.h"

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
	printf("{\"forecast_wape_over_floor\":%.3f,\"forecast_worst_over_floor\":%.3f,\"naive_over_floor\":%.3f,"
	       "\"average_over_floor\":%.3f,\"forecast_wins\":%d,\"backtest_ms\":%.1f}\n", ratio_sum / seeds,
	       ratio_max, naive_sum / seeds, average_sum / seeds, wins, seconds / seeds * 1000);
	return 0;
}
