/* guichet wfm: staffing mathematics on the command line, offline. The
 * arguments become the same JSON question the API takes, checked by the same
 * decoder (wfm_input_decode) and answered by the same code (wfm/answer.c);
 * each command prints one JSON object, and a bad argument is named. */
#include "cli/cli.h"
#include "cli/plan_output.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "wfm/answer.h"
#include "wfm/history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "--max-asa 30" into {"max_asa": 30}; false (after saying why) on a non-number. */
static bool to_json(const struct args *a, json_t *question)
{
	for (size_t i = 0; i < a->n_opts; i++) {
		char key[32], *end = NULL;
		snprintf(key, sizeof(key), "%s", a->names[i]);
		for (char *p = key; *p; p++)
			*p = *p == '-' ? '_' : *p;
		errno = 0;
		double v = strtod(a->values[i], &end);
		if (errno != 0 || end == a->values[i] || *end != '\0' || !isfinite(v)) {
			fprintf(stderr, "guichet wfm: --%s: '%s' is not a number\n", a->names[i], a->values[i]);
			return false;
		}
		json_object_set_new(question, key, v == floor(v) && fabs(v) < 1e15 ? json_integer((json_int_t)v)
										     : json_real(v));
	}
	return true;
}

/* --name as a number in [min, max] (min excluded when strict), def when absent. */
static bool option_number(const struct args *a, const char *name, double min, bool strict, double max,
			  double def, double *ret)
{
	const char *text = args_get(a, name);
	if (text == NULL) {
		*ret = def;
		return true;
	}
	if (gc_parse_number(text, min, strict, max, ret) == GC_OK)
		return true;
	fprintf(stderr, "guichet wfm: --%s: '%s' must be %s %g and at most %g\n", name, text,
		strict ? "above" : "at least", min, max);
	return false;
}

/* --sl, saying why above WFM_SL_MAX (80 for 80%, or 100%). */
static bool option_sl(const struct args *a, double *ret)
{
	const char *text = args_get(a, "sl");
	double v;
	if (text && gc_parse_number(text, 0, true, 1e300, &v) == GC_OK && v > WFM_SL_MAX) {
		fprintf(stderr, "guichet wfm: --sl: " WFM_SL_SAID "\n", v);
		return false;
	}
	return option_number(a, "sl", 0, true, WFM_SL_MAX, 0.8, ret);
}

/* A whole file; prints an error naming the command and the file. */
static char *read_file(const char *command, const char *path, size_t *ret_len)
{
	char name[64], *data;
	snprintf(name, sizeof(name), "guichet wfm %s", command);
	return cli_read_file(path, name, &data, ret_len) < 0 ? NULL : data;
}

/* The goal options shared by plan and overflow. */
static bool plan_goal(const struct args *a, struct wfm_plan_goal *g)
{
	return option_number(a, "interval", 0, true, 86400, 1800, &g->interval) &&
	       option_sl(a, &g->goal.service_level) &&
	       option_number(a, "target", 0, false, 86400, 20, &g->goal.target) &&
	       option_number(a, "shrinkage", 0, false, 0.95, 0, &g->goal.shrinkage) &&
	       option_number(a, "max-asa", 0, false, 86400, 0, &g->goal.max_asa) &&
	       option_number(a, "max-occupancy", 0, false, 1, 0, &g->goal.max_occupancy) &&
	       option_number(a, "max-abandon", 0, false, 1, 0, &g->max_abandon);
}

/* Reads the intervals of path and staffs each; the arrays are malloc'd. */
static int staff_file(const char *command, const char *path, const struct wfm_plan_goal *g,
		      struct wfm_plan_row **ret_rows, struct wfm_plan_result **ret_res, size_t *ret_n)
{
	size_t len = 0, n = 0;
	char *csv = read_file(command, path, &len);
	if (csv == NULL)
		return 1;
	struct wfm_plan_row *rows = NULL;
	struct decode_error err = {0};
	int rc = wfm_plan_parse(csv, len, &rows, &n, &err);
	free(csv);
	if (rc == GC_OK && (rc = wfm_plan_check_interval(rows, n, g->interval, &err)) < 0)
		free(rows);
	if (rc < 0) {
		bool option = strcmp(err.field, "interval") == 0; /* the option, not a line */
		fprintf(stderr, "guichet wfm %s: %s, %s%s: %s\n", command, path, option ? "--" : "", err.field, err.message);
		return 1;
	}
	struct wfm_plan_result *res = calloc(n, sizeof(*res));
	for (size_t i = 0; res && i < n; i++) {
		if (wfm_plan_staff(&rows[i], g, &res[i]) < 0) {
			fprintf(stderr, "guichet wfm %s: %s, line %zu: beyond 100,000 agents or 50,000 Erlangs\n",
				command, path, rows[i].line);
			free(res);
			res = NULL;
			break;
		}
	}
	if (res == NULL) {
		free(rows);
		return 1;
	}
	*ret_rows = rows;
	*ret_res = res;
	*ret_n = n;
	return 0;
}

#define GOAL_OPTIONS "interval= sl= target= shrinkage= max-asa= max-occupancy= max-abandon= "

/* guichet wfm plan FILE.csv: staffing per interval as CSV, or --xlsx OUT. */
static int plan(int argc, char **argv)
{
	struct args a;
	struct wfm_plan_goal g;
	if (args_parse(argc, argv, GOAL_OPTIONS "xlsx=", &a) < 0 || !plan_goal(&a, &g))
		return 2;
	if (a.n_pos != 1) {
		fprintf(stderr, "guichet wfm plan: expected one FILE.csv (columns start,calls,aht[,patience])\n");
		return 2;
	}
	struct wfm_plan_row *rows;
	struct wfm_plan_result *res;
	size_t n;
	int rc = staff_file("plan", a.pos[0], &g, &rows, &res, &n);
	if (rc != 0)
		return rc;
	const char *xlsx = args_get(&a, "xlsx");
	if (xlsx && plan_write_xlsx(xlsx, rows, res, n, &g) < 0) {
		fprintf(stderr, "guichet wfm plan: cannot write %s\n", xlsx);
		rc = 1;
	} else if (!xlsx) {
		plan_write_csv(stdout, rows, res, n);
	}
	free(res);
	free(rows);
	return rc;
}

/* guichet wfm overflow FILE.csv: positions to buy from an outsourcer. */
static int overflow(int argc, char **argv)
{
	struct args a;
	struct wfm_plan_goal g;
	double inhouse, price;
	if (args_parse(argc, argv, GOAL_OPTIONS "inhouse= price=", &a) < 0 || !plan_goal(&a, &g) ||
	    !option_number(&a, "inhouse", 0, false, WFM_MAX_AGENTS, 0, &inhouse) ||
	    !option_number(&a, "price", 0, false, 1e6, 0, &price))
		return 2;
	if (a.n_pos != 1) {
		fprintf(stderr, "guichet wfm overflow: expected one FILE.csv (start,calls,aht[,patience[,inhouse]])\n");
		return 2;
	}
	if (args_get(&a, "price") == NULL) {
		fprintf(stderr, "guichet wfm overflow: --price is required: what one position costs for one hour\n");
		return 2;
	}
	struct wfm_plan_row *rows;
	struct wfm_plan_result *res;
	size_t n;
	int rc = staff_file("overflow", a.pos[0], &g, &rows, &res, &n);
	if (rc != 0)
		return rc;
	json_t *out = wfm_overflow_answer(rows, res, n, &g, inhouse, price);
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	json_decref(out);
	free(res);
	free(rows);
	return 0;
}

/* Marks the --holiday and --campaign dates in h; false (said why) on a bad date. */
static bool mark_days(const struct args *a, struct wfm_history *h)
{
	static const char *const kinds[] = {"holiday", "campaign"};
	for (int k = 0; k < 2; k++) {
		const char *date;
		for (size_t i = 0; (date = args_nth(a, kinds[k], i)) != NULL; i++) {
			int64_t day;
			if (wfm_date_parse(date, &day) < 0) {
				fprintf(stderr, "guichet wfm: --%s: '%s' is not a date like 2026-12-25\n", kinds[k], date);
				return false;
			}
			if (day >= h->first_day && day < h->first_day + h->kind_days)
				h->kind[day - h->first_day] = k == 0 ? WFM_DAY_HOLIDAY : WFM_DAY_CAMPAIGN;
		}
	}
	return true;
}

/* Reads FILE.csv (positional) as a history with extra_days of calendar after it. */
static int load_history(const struct args *a, const char *command, int extra_days, int *ret_interval,
			struct wfm_history *h)
{
	double interval;
	if (a->n_pos != 1) {
		fprintf(stderr, "guichet wfm %s: expected one FILE.csv of history\n", command);
		return 2;
	}
	if (!option_number(a, "interval", 60, false, 86400, 1800, &interval))
		return 2;
	size_t len = 0;
	char *csv = read_file(command, a->pos[0], &len);
	if (csv == NULL)
		return 1;
	struct decode_error err = {0};
	int rc = wfm_history_parse(csv, len, (int)interval, extra_days, h, &err);
	free(csv);
	if (rc < 0) {
		fprintf(stderr, "guichet wfm %s: %s, %s: %s\n", command, a->pos[0], err.field, err.message);
		return 1;
	}
	if (!mark_days(a, h)) {
		wfm_history_clear(h);
		return 2;
	}
	*ret_interval = (int)interval;
	return 0;
}

/* guichet wfm forecast FILE.csv: calls and AHT per interval for the days after. */
static int forecast(int argc, char **argv)
{
	struct args a;
	double horizon;
	if (args_parse(argc, argv, "interval= horizon-days= holiday= campaign=", &a) < 0 ||
	    !option_number(&a, "horizon-days", 1, false, 366, 14, &horizon))
		return 2;
	struct wfm_history h;
	int interval, rc = load_history(&a, "forecast", (int)horizon, &interval, &h);
	if (rc != 0)
		return rc;
	size_t n = (size_t)horizon * h.slots;
	double *calls = malloc(n * sizeof(double)), *aht = malloc(n * sizeof(double));
	rc = calls && aht ? wfm_forecast(&h, h.days, (int)horizon, calls, aht) : GC_ENOMEM;
	json_t *screened = rc < 0 ? NULL : wfm_screened_days_json(&h);
	for (size_t i = 0; i < json_array_size(screened); i++) {
		json_t *day = json_array_get(screened, i);
		fprintf(stderr, "guichet wfm forecast: %s left out of the fit: %s (%.0f calls, %.0f expected; "
			"--holiday %s if it was closed)\n", json_string_value(json_object_get(day, "day")),
			strcmp(json_string_value(json_object_get(day, "reason")), "absent") == 0
				? "absent from the history" : "far below its weekday",
			json_real_value(json_object_get(day, "calls")), json_real_value(json_object_get(day, "expected")),
			json_string_value(json_object_get(day, "day")));
	}
	json_decref(screened);
	if (rc < 0) {
		fprintf(stderr, "guichet wfm forecast: %s\n", rc == GC_EINVAL
			? "at least two weeks of history are needed" : "out of memory");
	} else {
		puts("interval,calls,aht");
		if (n > 0 && aht[0] <= 0) /* every slot falls back on the same whole AHT: none was known */
			fprintf(stderr, "guichet wfm forecast: the history has no handle times: the aht column is left "
				"blank (plan needs one: an aht column in the history, or in the forecast)\n");
		for (size_t i = 0; i < n; i++) {
			char when[32];
			wfm_datetime_format(h.first_day + h.days + (int64_t)(i / h.slots), (int)(i % h.slots) * interval,
					    when, sizeof(when));
			if (aht[i] > 0)
				printf("%s,%.2f,%.1f\n", when, calls[i], aht[i]);
			else
				printf("%s,%.2f,\n", when, calls[i]);
		}
	}
	free(calls);
	free(aht);
	wfm_history_clear(&h);
	return rc < 0 ? 1 : 0;
}

static json_t *accuracy_json(const struct wfm_accuracy *x)
{
	return json_pack("{s:{s:f,s:f},s:{s:f,s:f}}", "interval", "wape", x->wape_interval, "mape",
			 x->mape_interval, "day", "wape", x->wape_day, "mape", x->mape_day);
}

/* guichet wfm backtest FILE.csv: day-ahead accuracy over the last days, with baselines. */
static int backtest(int argc, char **argv)
{
	struct args a;
	double holdout;
	if (args_parse(argc, argv, "interval= holdout-days= holiday= campaign=", &a) < 0 ||
	    !option_number(&a, "holdout-days", 1, false, 365, 14, &holdout))
		return 2;
	struct wfm_history h;
	int interval, rc = load_history(&a, "backtest", 0, &interval, &h);
	if (rc != 0)
		return rc;
	struct wfm_backtest bt;
	rc = wfm_backtest(&h, (int)holdout, &bt);
	if (rc < 0) {
		fprintf(stderr, "guichet wfm backtest: %s\n", rc == GC_EINVAL
			? "the history needs two weeks before the held-out days" : "out of memory");
		wfm_history_clear(&h);
		return 1;
	}
	json_t *days = json_array(), *screened = wfm_screened_days_json(&h);
	for (int k = 0; k < bt.holdout_days; k++) {
		char when[32];
		wfm_datetime_format(h.first_day + h.days - bt.holdout_days + k, 0, when, sizeof(when));
		when[10] = '\0';
		json_array_append_new(days, isnan(bt.day_wape[k]) ? json_pack("{s:s,s:b}", "day", when, "screened", 1)
			: json_pack("{s:s,s:f}", "day", when, "interval_wape", bt.day_wape[k]));
	}
	json_t *out = json_pack("{s:i,s:i,s:i,s:s,s:o,s:o,s:o,s:f,s:o*,s:o}", "interval_seconds", interval,
		"holdout_days", bt.holdout_days, "scored_days", bt.scored_days, "method",
		"day-ahead, refitted each day; screened days left out of fit and score",
		"model", accuracy_json(&bt.model), "seasonal_naive", accuracy_json(&bt.seasonal_naive),
		"historical_average", accuracy_json(&bt.historical_average), "noise_floor_wape", bt.noise_floor,
		"screened_days", screened, "days", days);
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(5));
	fputc('\n', stdout);
	json_decref(out);
	free(bt.day_wape);
	wfm_history_clear(&h);
	return 0;
}

/* guichet wfm synth: a synthetic history, as CSV, to try forecasts on. */
static int synth(int argc, char **argv)
{
	struct args a;
	double weeks, interval, seed, peak, trend;
	const char *start = NULL;
	int64_t first_day = 20458; /* 2026-01-05, a Monday */
	if (args_parse(argc, argv, "weeks= interval= seed= start= peak= trend= campaign=", &a) < 0 ||
	    !option_number(&a, "weeks", 1, false, 150, 10, &weeks) ||
	    !option_number(&a, "interval", 60, false, 86400, 1800, &interval) ||
	    !option_number(&a, "seed", 0, false, 1e15, 1, &seed) ||
	    !option_number(&a, "peak", 0, true, 1e5, 100, &peak) ||
	    !option_number(&a, "trend", -0.9, false, 10, 0.1, &trend))
		return 2;
	if ((start = args_get(&a, "start")) != NULL &&
	    (wfm_date_parse(start, &first_day) < 0 || wfm_weekday(first_day) != 0)) {
		fprintf(stderr, "guichet wfm synth: --start: '%s' is not a Monday like 2026-01-05\n", start);
		return 2;
	}
	if (86400 % (int)interval != 0 || interval != floor(interval)) {
		fprintf(stderr, "guichet wfm synth: --interval must divide a day (900, 1800, 3600 ...)\n");
		return 2;
	}
	int campaigns[64], n_campaigns = 0;
	const char *date;
	for (size_t i = 0; (date = args_nth(&a, "campaign", i)) != NULL && n_campaigns < 64; i++) {
		int64_t day;
		if (wfm_date_parse(date, &day) < 0) {
			fprintf(stderr, "guichet wfm synth: --campaign: '%s' is not a date\n", date);
			return 2;
		}
		campaigns[n_campaigns++] = (int)(day - first_day);
	}
	struct wfm_synth p = {first_day, (int)weeks, 86400 / (int)interval, peak, trend, campaigns, n_campaigns,
			      (uint64_t)seed};
	struct wfm_history h;
	if (wfm_synth_history(&p, &h, NULL) < 0)
		return 1;
	puts("interval_start,calls,aht");
	for (int d = 0; d < h.days; d++) {
		for (int s = 0; s < h.slots; s++) {
			char when[32];
			size_t i = (size_t)d * h.slots + s;
			wfm_datetime_format(h.first_day + d, s * (int)interval, when, sizeof(when));
			if (h.calls[i] > 0)
				printf("%s,%.0f,%.1f\n", when, h.calls[i], h.handle[i] / h.calls[i]);
			else
				printf("%s,0,\n", when);
		}
	}
	wfm_history_clear(&h);
	return 0;
}

/* guichet wfm simulate SCENARIO.json: the simulation's results as JSON. */
static int simulate(int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "guichet wfm simulate: expected one SCENARIO.json\n");
		return 2;
	}
	json_t *doc = cli_load_json("guichet wfm simulate", argv[0], NULL);
	if (doc == NULL)
		return 1;
	struct sim_scenario s;
	struct sim_result r;
	struct decode_error err = {0};
	int rc = wfm_scenario_decode(doc, &s, &err);
	json_decref(doc);
	if (rc < 0) {
		fprintf(stderr, "guichet wfm simulate: %s: %s\n", argv[0], err.message);
		return 1;
	}
	rc = sim_run(&s, &r);
	if (rc < 0) {
		fprintf(stderr, "guichet wfm simulate: %s\n", rc == GC_EINVAL
			? "the scenario is inconsistent: every queue needs a group with agents that serves it"
			: "out of memory");
		wfm_scenario_clear(&s);
		return 1;
	}
	json_t *answer = wfm_sim_answer(&s, &r);
	wfm_scenario_clear(&s);
	json_dumpf(answer, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	fputc('\n', stdout);
	json_decref(answer);
	return 0;
}

int cmd_wfm(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "plan") == 0)
		return plan(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "simulate") == 0)
		return simulate(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "forecast") == 0)
		return forecast(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "backtest") == 0)
		return backtest(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "synth") == 0)
		return synth(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "overflow") == 0)
		return overflow(argc - 1, argv + 1);
	static const char *const names[] = {"erlang-c", "staff", "erlang-a"};
	int q = -1;
	for (int i = 0; argc >= 1 && i < 3; i++)
		if (strcmp(argv[0], names[i]) == 0)
			q = i;
	if (q < 0) {
		fprintf(stderr, "guichet wfm: expected erlang-c, staff, erlang-a, plan, overflow, simulate, forecast, backtest, history or synth (see guichet wfm --help)\n");
		return 2;
	}
	struct args a;
	if (args_parse(argc - 1, argv + 1,
		       "calls= interval= aht= agents= target= sl= max-asa= max-occupancy= shrinkage= patience= max-abandon=",
		       &a) < 0)
		return 2;
	if (a.n_pos > 0) {
		fprintf(stderr, "guichet wfm %s: unexpected argument '%s'\n", argv[0], a.pos[0]);
		return 2;
	}
	json_t *question = json_object(), *answer = NULL;
	struct wfm_input in;
	struct decode_error err = {0};
	int rc = 2;
	if (!to_json(&a, question))
		goto out;
	if (wfm_input_decode(question, (enum wfm_question)q, &in, &err) < 0) {
		for (char *p = err.field; *p; p++)
			*p = *p == '_' ? '-' : *p;
		/* the decoder names JSON fields; here they are options */
		fprintf(stderr, "guichet wfm %s: --%s: %s\n", argv[0], err.field, err.message);
		goto out;
	}
	if (wfm_answer((enum wfm_question)q, &in, &answer) < 0) {
		fprintf(stderr, "guichet wfm %s: beyond what can be computed (more than 100,000 agents, "
			"or a queue too long)\n", argv[0]);
		rc = 1;
		goto out;
	}
	json_dumpf(answer, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
	rc = 0;
out:
	json_decref(question);
	json_decref(answer);
	return rc;
}
