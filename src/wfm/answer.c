/* Staffing answers as JSON (answer.h). Key order is the one the issue and
 * docs/api.md show; asa is null for an unstable queue. */
#include "wfm/answer.h"
#include "guichet/error.h"
#include "guichet/wfm.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *erlang_c_json(json_t *obj, const struct wfm_erlang_c *m)
{
	json_object_set_new(obj, "load", json_real(m->load));
	json_object_set_new(obj, "stable", json_boolean(m->stable));
	json_object_set_new(obj, "p_wait", json_real(m->p_wait));
	json_object_set_new(obj, "service_level", json_real(m->service_level));
	json_object_set_new(obj, "asa", m->stable ? json_real(m->asa) : json_null());
	json_object_set_new(obj, "occupancy", json_real(m->occupancy));
	return obj;
}

/* A new answer opening with the agents (and the staff, when shrinkage was asked). */
static json_t *staffing_json(const struct wfm_input *in, int agents, int staff)
{
	json_t *out = json_pack("{s:i}", "agents", agents);
	if (in->has_shrinkage)
		json_object_set_new(out, "staff", json_integer(staff));
	return out;
}

int wfm_answer(enum wfm_question q, const struct wfm_input *in, json_t **ret_answer)
{
	struct wfm_traffic t = {in->calls, in->interval, in->aht};
	json_t *out = json_object();
	if (q == WFM_Q_ERLANG_C) {
		struct wfm_erlang_c m;
		wfm_erlang_c(&t, in->agents, in->target, &m);
		*ret_answer = erlang_c_json(out, &m);
		return GC_OK;
	}
	if (q == WFM_Q_STAFF && in->patience > 0) { /* callers give up: Erlang A */
		struct wfm_goal_a g = {{in->sl, in->target, in->max_asa, in->max_occupancy, in->shrinkage},
				       in->patience, in->max_abandon};
		struct wfm_staffing_a s;
		int rc = wfm_staff_erlang_a(&t, &g, &s);
		json_decref(out);
		if (rc < 0)
			return rc;
		out = staffing_json(in, s.agents, s.staff);
		json_object_set_new(out, "model", json_string("erlang_a"));
		json_object_set_new(out, "load", json_real(s.at.load));
		json_object_set_new(out, "p_wait", json_real(s.at.p_wait));
		json_object_set_new(out, "p_abandon", json_real(s.at.p_abandon));
		json_object_set_new(out, "mean_wait", json_real(s.at.mean_wait));
		json_object_set_new(out, "service_level", json_real(s.at.service_level));
		json_object_set_new(out, "occupancy", json_real(s.at.occupancy));
		*ret_answer = out;
		return GC_OK;
	}
	if (q == WFM_Q_STAFF) {
		struct wfm_goal g = {in->sl, in->target, in->max_asa, in->max_occupancy, in->shrinkage};
		struct wfm_staffing s;
		int rc = wfm_staff_erlang_c(&t, &g, &s);
		json_decref(out);
		if (rc < 0)
			return rc;
		*ret_answer = erlang_c_json(staffing_json(in, s.agents, s.staff), &s.at);
		return GC_OK;
	}
	struct wfm_erlang_a a;
	int rc = wfm_erlang_a(&t, in->patience, in->agents, in->target, &a);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	json_object_set_new(out, "load", json_real(a.load));
	json_object_set_new(out, "p_wait", json_real(a.p_wait));
	json_object_set_new(out, "p_abandon", json_real(a.p_abandon));
	json_object_set_new(out, "mean_wait", json_real(a.mean_wait));
	json_object_set_new(out, "service_level", json_real(a.service_level));
	json_object_set_new(out, "target", json_real(in->target));
	json_object_set_new(out, "occupancy", json_real(a.occupancy));
	*ret_answer = out;
	return GC_OK;
}

json_t *wfm_plan_answer(const struct wfm_plan_row *rows, const struct wfm_plan_result *res, size_t n,
			double interval)
{
	json_t *intervals = json_array();
	double agent_hours = 0, staff_hours = 0;
	int peak = 0;
	for (size_t i = 0; i < n; i++) {
		const struct wfm_plan_result *r = &res[i];
		json_t *row = json_pack("{s:s,s:f,s:f,s:f,s:i,s:i,s:f,s:f,s:f,s:s}", "start", rows[i].start,
			"calls", rows[i].calls, "aht", rows[i].aht, "load", r->load, "agents", r->agents,
			"staff", r->staff, "service_level", r->service_level, r->erlang_a ? "mean_wait" : "asa",
			r->asa, "occupancy", r->occupancy, "model", r->erlang_a ? "erlang_a" : "erlang_c");
		if (r->erlang_a)
			json_object_set_new(row, "p_abandon", json_real(r->p_abandon));
		json_array_append_new(intervals, row);
		agent_hours += r->agents * interval / 3600;
		staff_hours += r->staff * interval / 3600;
		peak = r->agents > peak ? r->agents : peak;
	}
	return json_pack("{s:o,s:f,s:f,s:i}", "intervals", intervals, "agent_hours", agent_hours,
			 "staff_hours", staff_hours, "peak_agents", peak);
}


/* obj.name as a number in [min, max]; def when absent (required: error). */
static int number(const json_t *obj, const char *name, const char *path, bool required, double min,
		  double max, double def, double *ret, struct decode_error *err)
{
	const json_t *v = json_object_get(obj, name);
	char field[96];
	snprintf(field, sizeof(field), "%s%s", path, name);
	if (v == NULL) {
		if (required)
			return decode_fail(err, GC_EINVAL, field, "'%s' is required", field);
		*ret = def;
		return GC_OK;
	}
	if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max)
		return decode_fail(err, GC_EINVAL, field, "'%s' must be a number from %g to %g", field, min, max);
	*ret = json_number_value(v);
	return GC_OK;
}

static int find_queue(const struct sim_scenario *s, const char *name)
{
	for (int q = 0; q < s->n_queues; q++)
		if (strcmp(s->queues[q].name, name) == 0)
			return q;
	return -1;
}

static int name_of(const json_t *obj, const char *path, char *out, size_t len, struct decode_error *err)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	if (name == NULL || *name == '\0' || strlen(name) >= len)
		return decode_fail(err, GC_EINVAL, path, "'%sname' must be a string of 1 to %zu characters", path, len - 1);
	snprintf(out, len, "%s", name);
	return GC_OK;
}

static int decode_arrivals(const json_t *list, struct sim_queue *q, const char *path, struct decode_error *err)
{
	size_t n = json_array_size(list);
	if (!json_is_array(list) || n > 10000000)
		return decode_fail(err, GC_EINVAL, path, "'%sarrivals' must be an array of times in seconds", path);
	double *times = malloc((n ? n : 1) * sizeof(double));
	if (times == NULL)
		return GC_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_array_get(list, i);
		times[i] = json_number_value(v);
		if (!json_is_number(v) || times[i] < 0 || (i > 0 && times[i] < times[i - 1])) {
			free(times);
			return decode_fail(err, GC_EINVAL, path, "'%sarrivals' must be increasing times from 0 (element %zu)", path, i);
		}
	}
	q->replay = times;
	q->n_replay = n;
	return GC_OK;
}

static int decode_queue(const json_t *obj, struct sim_scenario *s, int i, struct decode_error *err)
{
	struct sim_queue *q = &s->queues[i];
	char path[48];
	snprintf(path, sizeof(path), "queues[%d].", i);
	double per_hour = 0;
	int rc;
	static const char *const known[] = {"name", "calls_per_hour", "aht", "patience", "cv", "handle", "arrivals",
					    "overflow", NULL};
	*q = (struct sim_queue){.overflow_to = -1, .handle = SIM_EXPONENTIAL};
	if (!json_is_object(obj))
		return decode_fail(err, GC_EINVAL, path, "each queue is an object");
	if ((rc = decode_only_fields(obj, path, known, err)) < 0)
		return rc;
	if ((rc = name_of(obj, path, q->name, sizeof(q->name), err)) < 0 ||
	    (rc = number(obj, "calls_per_hour", path, false, 0, 1e7, 0, &per_hour, err)) < 0 ||
	    (rc = number(obj, "aht", path, true, 1e-3, 86400, 0, &q->aht, err)) < 0 ||
	    (rc = number(obj, "patience", path, false, 0, 1e6, 0, &q->patience, err)) < 0 ||
	    (rc = number(obj, "cv", path, false, 0, 20, 0, &q->cv, err)) < 0)
		return rc;
	q->arrival_rate = per_hour / 3600;
	const char *handle = json_string_value(json_object_get(obj, "handle"));
	if (handle && strcmp(handle, "lognormal") == 0)
		q->handle = SIM_LOGNORMAL;
	else if (handle && strcmp(handle, "exponential") != 0)
		return decode_fail(err, GC_EINVAL, path, "'%shandle' is exponential or lognormal", path);
	if (q->handle == SIM_LOGNORMAL && q->cv <= 0)
		return decode_fail(err, GC_EINVAL, path, "'%scv' (standard deviation / mean) is needed for lognormal", path);
	const json_t *arrivals = json_object_get(obj, "arrivals");
	if (arrivals && (rc = decode_arrivals(arrivals, q, path, err)) < 0)
		return rc;
	if (!arrivals && per_hour <= 0)
		return decode_fail(err, GC_EINVAL, path, "'%scalls_per_hour' or '%sarrivals' is needed", path, path);
	return GC_OK;
}

/* Overflow names queues, so it is read once every queue is known. */
static int decode_overflow(const json_t *obj, struct sim_scenario *s, int i, struct decode_error *err)
{
	const json_t *o = json_object_get(obj, "overflow");
	char path[48];
	snprintf(path, sizeof(path), "queues[%d].overflow", i);
	static const char *const known[] = {"to", "after", NULL};
	if (o == NULL)
		return GC_OK;
	char sub[56];
	snprintf(sub, sizeof(sub), "%s.", path);
	int rc = json_is_object(o) ? decode_only_fields(o, sub, known, err)
				   : decode_fail(err, GC_EINVAL, path, "'%s' is an object {\"to\", \"after\"}", path);
	if (rc < 0)
		return rc;
	const char *to = json_string_value(json_object_get(o, "to"));
	int target = to ? find_queue(s, to) : -1;
	if (target < 0 || target == i)
		return decode_fail(err, GC_EINVAL, path, "'%s.to' must name another queue", path);
	s->queues[i].overflow_to = target;
	return number(o, "after", path, true, 0, 86400, 0, &s->queues[i].overflow_after, err);
}

/* No chain of overflows comes back to where it started (a contact would go
 * round for ever, the simulation with it when "after" is 0), as routing
 * refuses it too. */
static int check_overflow_loops(const struct sim_scenario *s, struct decode_error *err)
{
	for (int i = 0; i < s->n_queues; i++)
		for (int k = s->queues[i].overflow_to, steps = 0; k >= 0 && steps <= s->n_queues;
		     k = s->queues[k].overflow_to, steps++)
			if (k == i)
				return decode_fail(err, GC_EINVAL, "queues", "queue '%s' overflows back to itself through "
						   "'%s': a contact would go round for ever", s->queues[i].name,
						   s->queues[s->queues[i].overflow_to].name);
	return GC_OK;
}

static int decode_group(const json_t *obj, struct sim_scenario *s, int i, struct decode_error *err)
{
	struct sim_group *g = &s->groups[i];
	char path[48];
	snprintf(path, sizeof(path), "groups[%d].", i);
	double agents;
	int rc;
	static const char *const known[] = {"name", "agents", "skills", NULL};
	if (!json_is_object(obj))
		return decode_fail(err, GC_EINVAL, path, "each group is an object");
	if ((rc = decode_only_fields(obj, path, known, err)) < 0 ||
	    (rc = name_of(obj, path, g->name, sizeof(g->name), err)) < 0 ||
	    (rc = number(obj, "agents", path, true, 0, 100000, 0, &agents, err)) < 0)
		return rc;
	if (agents != floor(agents)) /* 18.2 (26 people less 30% shrinkage) was simulated as 18 */
		return decode_fail(err, GC_EINVAL, path, "'%sagents' must be a whole number of agents on the phones "
				   "(%g given)", path, agents);
	g->agents = (int)agents;
	const json_t *skills = json_object_get(obj, "skills");
	size_t k;
	const json_t *skill;
	if (!json_is_array(skills) || json_array_size(skills) == 0)
		return decode_fail(err, GC_EINVAL, path, "'%sskills' must list the queues the group serves", path);
	json_array_foreach(skills, k, skill) {
		int q = json_is_string(skill) ? find_queue(s, json_string_value(skill)) : -1;
		if (q < 0)
			return decode_fail(err, GC_EINVAL, path, "'%sskills' names no queue '%s'", path,
				   json_is_string(skill) ? json_string_value(skill) : "?");
		g->skills |= 1u << q;
	}
	return GC_OK;
}

int wfm_scenario_decode(const json_t *obj, struct sim_scenario *ret, struct decode_error *err)
{
	struct sim_scenario s = {.target = 20, .replications = 30, .seed = 1};
	double replications = 30, seed = 1;
	const json_t *queues = json_object_get(obj, "queues"), *groups = json_object_get(obj, "groups");
	int rc;
	static const char *const known[] = {"duration", "warmup", "target", "replications", "seed", "queues", "groups",
					    NULL};
	if (!json_is_object(obj))
		return decode_fail(err, GC_EINVAL, "", "the scenario is a JSON object");
	if ((rc = decode_only_fields(obj, "", known, err)) < 0)
		return rc;
	if ((rc = number(obj, "duration", "", true, 1, 365 * 86400.0, 0, &s.duration, err)) < 0 ||
	    (rc = number(obj, "warmup", "", false, 0, 86400, 0, &s.warmup, err)) < 0 ||
	    (rc = number(obj, "target", "", false, 0, 86400, 20, &s.target, err)) < 0 ||
	    (rc = number(obj, "replications", "", false, 1, SIM_MAX_REPLICATIONS, 30, &replications, err)) < 0 ||
	    (rc = number(obj, "seed", "", false, 0, 9007199254740991.0, 1, &seed, err)) < 0)
		return rc;
	if (replications != floor(replications))
		return decode_fail(err, GC_EINVAL, "replications", "'replications' must be a whole number (%g given)",
				   replications);
	s.replications = (int)replications;
	s.seed = (uint64_t)seed;
	if (!json_is_array(queues) || json_array_size(queues) < 1 || json_array_size(queues) > SIM_MAX_QUEUES)
		return decode_fail(err, GC_EINVAL, "queues", "'queues' must list 1 to %d queues", SIM_MAX_QUEUES);
	if (!json_is_array(groups) || json_array_size(groups) < 1 || json_array_size(groups) > SIM_MAX_GROUPS)
		return decode_fail(err, GC_EINVAL, "groups", "'groups' must list 1 to %d agent groups", SIM_MAX_GROUPS);
	s.n_queues = (int)json_array_size(queues);
	s.n_groups = (int)json_array_size(groups);
	for (int i = 0; i < s.n_queues && rc == GC_OK; i++)
		rc = decode_queue(json_array_get(queues, (size_t)i), &s, i, err);
	for (int i = 0; i < s.n_queues && rc == GC_OK; i++)
		rc = decode_overflow(json_array_get(queues, (size_t)i), &s, i, err);
	if (rc == GC_OK)
		rc = check_overflow_loops(&s, err);
	for (int i = 0; i < s.n_groups && rc == GC_OK; i++)
		rc = decode_group(json_array_get(groups, (size_t)i), &s, i, err);
	if (rc < 0) {
		wfm_scenario_clear(&s);
		return rc;
	}
	*ret = s;
	return GC_OK;
}

void wfm_scenario_clear(struct sim_scenario *s)
{
	for (int q = 0; q < s->n_queues; q++) {
		free((double *)s->queues[q].replay);
		s->queues[q].replay = NULL;
	}
}

static json_t *measure(struct sim_measure m)
{
	return json_pack("{s:f,s:f}", "mean", m.mean, "ci95", m.half_width);
}

static json_t *queue_json(const char *name, const struct sim_queue_result *r)
{
	return json_pack("{s:s?,s:f,s:o,s:o,s:o}", "name", name, "arrivals", r->arrivals,
			 "service_level", measure(r->service_level), "asa", measure(r->asa),
			 "abandon", measure(r->abandon));
}

json_t *wfm_sim_answer(const struct sim_scenario *s, const struct sim_result *r)
{
	json_t *queues = json_array(), *groups = json_array();
	for (int q = 0; q < s->n_queues; q++)
		json_array_append_new(queues, queue_json(s->queues[q].name, &r->queues[q]));
	for (int g = 0; g < s->n_groups; g++)
		json_array_append_new(groups, json_pack("{s:s,s:i,s:o}", "name", s->groups[g].name, "agents",
							s->groups[g].agents, "occupancy", measure(r->occupancy[g])));
	json_t *total = queue_json(NULL, &r->total);
	json_object_del(total, "name");
	/* the measured span beside the figures: arrivals are per replication, over
	 * duration seconds after the warmup */
	return json_pack("{s:i,s:f,s:f,s:I,s:f,s:o,s:o,s:o}", "replications", s->replications, "duration",
			 s->duration, "warmup", s->warmup, "events", (json_int_t)r->events, "target", s->target,
			 "queues", queues, "groups", groups, "total", total);
}

static const char *screen_reason(int screen)
{
	return screen == WFM_SCREEN_ABSENT ? "absent" : "low";
}

json_t *wfm_screened_days_json(const struct wfm_history *h)
{
	uint8_t *screen = malloc((size_t)h->days);
	double *expected = malloc((size_t)h->days * sizeof(double));
	json_t *list = screen && expected ? json_array() : NULL;
	if (list)
		wfm_screen_days(h, h->days, screen, expected);
	for (int d = 0; list && d < h->days; d++) {
		if (screen[d] == WFM_SCREEN_KEPT)
			continue;
		char when[32];
		double calls = 0;
		for (int s = 0; s < h->slots; s++)
			calls += h->calls[(size_t)d * h->slots + s];
		wfm_datetime_format(h->first_day + d, 0, when, sizeof(when));
		when[10] = '\0';
		json_array_append_new(list, json_pack("{s:s,s:s,s:f,s:f}", "day", when, "reason",
			screen_reason(screen[d]), "calls", calls, "expected", expected[d]));
	}
	free(screen);
	free(expected);
	return list;
}

json_t *wfm_forecast_answer(const struct wfm_history *h, int horizon, int interval, const double *calls,
			    const double *aht)
{
	json_t *list = json_array();
	size_t n = (size_t)horizon * (size_t)h->slots;
	for (size_t i = 0; list && i < n; i++) {
		char when[32];
		wfm_datetime_format(h->first_day + h->days + (int64_t)(i / (size_t)h->slots),
				    (int)(i % (size_t)h->slots) * interval, when, sizeof(when));
		json_array_append_new(list, json_pack("{s:s,s:f,s:o}", "start", when, "calls", round(calls[i] * 100) / 100,
			"aht", aht[i] > 0 ? json_real(round(aht[i] * 10) / 10) : json_null()));
	}
	return list;
}

json_t *wfm_overflow_answer(const struct wfm_plan_row *rows, const struct wfm_plan_result *res, size_t n,
			    const struct wfm_plan_goal *g, double inhouse, double price)
{
	struct wfm_overflow o = {.interval_hours = g->interval / 3600, .price = price};
	json_t *intervals = json_array();
	for (size_t i = 0; i < n; i++) {
		int buy = wfm_overflow_positions(&rows[i], &res[i], inhouse);
		wfm_overflow_add(&o, buy, rows[i].calls > 0);
		json_array_append_new(intervals, json_pack("{s:s,s:f,s:i,s:i,s:f,s:i,s:f}", "start", rows[i].start,
			"calls", rows[i].calls, "agents", res[i].agents, "staff", res[i].staff, "inhouse",
			rows[i].inhouse >= 0 ? rows[i].inhouse : inhouse, "to_buy", buy,
			"cost", buy * o.interval_hours * price));
	}
	/* what the figures assume, said beside them: a planner reading the
	 * positions needs the goal, the interval and the shrinkage they hold */
	json_t *goal = json_pack("{s:f,s:f,s:f,s:f}", "interval_seconds", g->interval, "service_level",
				 g->goal.service_level, "target_seconds", g->goal.target, "shrinkage", g->goal.shrinkage);
	if (g->goal.max_asa > 0)
		json_object_set_new(goal, "max_asa", json_real(g->goal.max_asa));
	if (g->goal.max_occupancy > 0)
		json_object_set_new(goal, "max_occupancy", json_real(g->goal.max_occupancy));
	if (g->max_abandon > 0)
		json_object_set_new(goal, "max_abandon", json_real(g->max_abandon));
	return json_pack("{s:o,s:o,s:f,s:f,s:f,s:i,s:f,s:f}", "goal", goal, "intervals", intervals,
			 "price_per_position_hour", price, "position_hours", o.position_hours, "cost_hourly_billing",
			 o.cost_hourly, "peak_positions", o.peak_positions, "span_hours", o.span_hours,
			 "cost_fixed_positions", o.cost_fixed);
}
