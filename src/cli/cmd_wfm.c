/* guichet wfm: staffing mathematics on the command line, offline. The
 * arguments become the same JSON question the API takes, checked by the same
 * decoder (wfm_input_decode) and answered by the same code (wfm/answer.c);
 * each command prints one JSON object, and a bad argument is named. */
#include "cli/cli.h"
#include "cli/plan_output.h"
#include "guichet/error.h"
#include "wfm/answer.h"

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
	char *end = NULL;
	if (text == NULL) {
		*ret = def;
		return true;
	}
	errno = 0;
	double v = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v < min || (strict && v == min) ||
	    v > max) {
		fprintf(stderr, "guichet wfm plan: --%s: '%s' must be %s %g and at most %g\n", name, text,
			strict ? "above" : "at least", min, max);
		return false;
	}
	*ret = v;
	return true;
}

static char *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *data = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[65536];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *grown = realloc(data, cap);
			if (grown == NULL) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = grown;
		}
		memcpy(data + len, chunk, n);
		len += n;
	}
	fclose(f);
	*ret_len = len;
	return data ? data : calloc(1, 1);
}

/* guichet wfm plan FILE.csv: staffing per interval as CSV, or --xlsx OUT. */
static int plan(int argc, char **argv)
{
	struct args a;
	if (args_parse(argc, argv, "interval= sl= target= shrinkage= max-asa= max-occupancy= max-abandon= xlsx=",
		       &a) < 0)
		return 2;
	if (a.n_pos != 1) {
		fprintf(stderr, "guichet wfm plan: expected one FILE.csv (columns start,calls,aht[,patience])\n");
		return 2;
	}
	struct wfm_plan_goal g;
	if (!option_number(&a, "interval", 0, true, 86400, 1800, &g.interval) ||
	    !option_number(&a, "sl", 0, true, 1, 0.8, &g.goal.service_level) ||
	    !option_number(&a, "target", 0, false, 86400, 20, &g.goal.target) ||
	    !option_number(&a, "shrinkage", 0, false, 0.95, 0, &g.goal.shrinkage) ||
	    !option_number(&a, "max-asa", 0, false, 86400, 0, &g.goal.max_asa) ||
	    !option_number(&a, "max-occupancy", 0, false, 1, 0, &g.goal.max_occupancy) ||
	    !option_number(&a, "max-abandon", 0, false, 1, 0, &g.max_abandon))
		return 2;
	size_t len = 0, n = 0;
	char *csv = read_file(a.pos[0], &len);
	if (csv == NULL) {
		fprintf(stderr, "guichet wfm plan: cannot read %s\n", a.pos[0]);
		return 1;
	}
	struct wfm_plan_row *rows = NULL;
	struct decode_error err;
	int rc = wfm_plan_parse(csv, len, &rows, &n, &err);
	free(csv);
	if (rc < 0) {
		fprintf(stderr, "guichet wfm plan: %s, %s: %s\n", a.pos[0], err.field, err.message);
		return 1;
	}
	struct wfm_plan_result *res = calloc(n, sizeof(*res));
	for (size_t i = 0; res && i < n; i++) {
		if (wfm_plan_staff(&rows[i], &g, &res[i]) < 0) {
			fprintf(stderr, "guichet wfm plan: %s, line %zu: beyond 100,000 agents or 50,000 Erlangs\n",
				a.pos[0], rows[i].line);
			free(res);
			free(rows);
			return 1;
		}
	}
	const char *xlsx = args_get(&a, "xlsx");
	rc = 0;
	if (res == NULL)
		rc = 1;
	else if (xlsx && plan_write_xlsx(xlsx, rows, res, n, &g) < 0) {
		fprintf(stderr, "guichet wfm plan: cannot write %s\n", xlsx);
		rc = 1;
	} else if (!xlsx)
		plan_write_csv(stdout, rows, res, n);
	free(res);
	free(rows);
	return rc;
}

/* guichet wfm simulate SCENARIO.json: the simulation's results as JSON. */
static int simulate(int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "guichet wfm simulate: expected one SCENARIO.json\n");
		return 2;
	}
	json_error_t jerr;
	json_t *doc = json_load_file(argv[0], JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		fprintf(stderr, "guichet wfm simulate: %s, line %d: %s\n", argv[0], jerr.line, jerr.text);
		return 1;
	}
	struct sim_scenario s;
	struct sim_result r;
	struct decode_error err;
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
	static const char *const names[] = {"erlang-c", "staff", "erlang-a"};
	int q = -1;
	for (int i = 0; argc >= 1 && i < 3; i++)
		if (strcmp(argv[0], names[i]) == 0)
			q = i;
	if (q < 0) {
		fprintf(stderr, "guichet wfm: expected erlang-c, staff, erlang-a, plan or simulate (see guichet --help)\n");
		return 2;
	}
	struct args a;
	if (args_parse(argc - 1, argv + 1,
		       "calls= interval= aht= agents= target= sl= max-asa= max-occupancy= shrinkage= patience=",
		       &a) < 0)
		return 2;
	if (a.n_pos > 0) {
		fprintf(stderr, "guichet wfm %s: unexpected argument '%s'\n", argv[0], a.pos[0]);
		return 2;
	}
	json_t *question = json_object(), *answer = NULL;
	struct wfm_input in;
	struct decode_error err;
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
