/* A synthetic contact history (forecast.h), realistic enough to check a
 * forecast against: the true mean of every interval is known, so is the
 * Poisson noise no forecast can remove. */
#include "wfm/forecast.h"
#include "wfm/rng.h"
#include "guichet/error.h"

#include <math.h>
#include <stdlib.h>

static const double weekday_level[7] = {1.15, 1.05, 1.0, 0.98, 0.92, 0.5, 0};

/* The relative volume at hour (0-24) on weekday w: a morning and an
 * afternoon peak on weekdays, Saturday mornings only, Sunday closed. */
static double intraday(int w, double hour)
{
	if (w <= 4) {
		if (hour < 8 || hour >= 20)
			return 0;
		return 0.25 + exp(-pow((hour - 10.5) / 1.3, 2)) + 0.8 * exp(-pow((hour - 14.5) / 1.6, 2));
	}
	if (w == 5)
		return hour < 9 || hour >= 14 ? 0 : 0.3 + exp(-pow((hour - 11) / 1.5, 2));
	return 0;
}

/* Poisson(mu) exactly: a sum of Poisson(<= 10) drawn by multiplication. */
static double poisson(struct rng *r, double mu)
{
	double count = 0;
	while (mu > 0) {
		double part = mu > 10 ? 10 : mu, limit = exp(-part), p = rng_uniform(r);
		while (p > limit) {
			count++;
			p *= rng_uniform(r);
		}
		mu -= part;
	}
	return count;
}

int wfm_synth_history(const struct wfm_synth *p, struct wfm_history *h, double **ret_mean)
{
	if (p->weeks < 1 || p->slots < 1 || 86400 % p->slots != 0 || p->weeks * 7 > WFM_MAX_HISTORY_DAYS)
		return GC_EINVAL;
	int days = p->weeks * 7;
	size_t n = (size_t)days * p->slots;
	*h = (struct wfm_history){.first_day = p->first_day, .days = days, .slots = p->slots,
				  .kind_days = days};
	h->calls = malloc(n * sizeof(double));
	h->handle = malloc(n * sizeof(double));
	h->kind = calloc((size_t)days, 1);
	double *mean = malloc(n * sizeof(double));
	if (h->calls == NULL || h->handle == NULL || h->kind == NULL || mean == NULL) {
		free(mean);
		wfm_history_clear(h);
		return GC_ENOMEM;
	}
	for (int i = 0; i < p->n_campaign_days; i++)
		if (p->campaign_days[i] >= 0 && p->campaign_days[i] < days)
			h->kind[p->campaign_days[i]] = WFM_DAY_CAMPAIGN;
	/* scale so that the busiest weekday slot averages p->peak calls */
	double busiest = 0, step = 24.0 / p->slots;
	for (int s = 0; s < p->slots; s++)
		busiest = fmax(busiest, intraday(0, (s + 0.5) * step) * weekday_level[0]);
	struct rng r;
	rng_seed(&r, p->seed);
	for (int d = 0; d < days; d++) {
		int w = wfm_weekday(p->first_day + d);
		double day_factor = weekday_level[w] * (1 + p->trend_per_year * d / 365.0) *
				    (h->kind[d] == WFM_DAY_CAMPAIGN ? 1.8 : 1);
		for (int s = 0; s < p->slots; s++) {
			size_t i = (size_t)d * p->slots + s;
			double hour = (s + 0.5) * step;
			double aht = 240 + 40 * sin(2 * M_PI * hour / 24); /* longer calls late morning */
			mean[i] = p->peak * day_factor * intraday(w, hour) / busiest;
			h->calls[i] = poisson(&r, mean[i]);
			h->handle[i] = 0;
			for (double c = 0; c < h->calls[i]; c++)
				h->handle[i] += rng_exponential(&r, aht);
		}
	}
	if (ret_mean)
		*ret_mean = mean;
	else
		free(mean);
	return GC_OK;
}

void wfm_history_clear(struct wfm_history *h)
{
	free(h->calls);
	free(h->handle);
	free(h->handled);
	free(h->kind);
	h->calls = h->handle = h->handled = NULL;
	h->kind = NULL;
}
