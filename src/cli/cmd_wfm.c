/* guichet wfm: staffing mathematics on the command line, offline. The
 * arguments become the same JSON question the API takes, checked by the same
 * decoder (wfm_input_decode) and answered by the same code (wfm/answer.c);
 * each command prints one JSON object, and a bad argument is named. */
#include "cli/cli.h"
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

int cmd_wfm(int argc, char **argv)
{
	static const char *const names[] = {"erlang-c", "staff", "erlang-a"};
	int q = -1;
	for (int i = 0; argc >= 1 && i < 3; i++)
		if (strcmp(argv[0], names[i]) == 0)
			q = i;
	if (q < 0) {
		fprintf(stderr, "guichet wfm: expected erlang-c, staff or erlang-a (see guichet --help)\n");
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
