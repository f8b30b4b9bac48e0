/* Staffing answers as JSON (answer.h). Key order is the one the issue and
 * docs/api.md show; asa is null for an unstable queue. */
#include "wfm/answer.h"
#include "guichet/error.h"
#include "guichet/wfm.h"

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
	if (q == WFM_Q_STAFF) {
		struct wfm_goal g = {in->sl, in->target, in->max_asa, in->max_occupancy, in->shrinkage};
		struct wfm_staffing s;
		int rc = wfm_staff_erlang_c(&t, &g, &s);
		if (rc < 0) {
			json_decref(out);
			return rc;
		}
		json_object_set_new(out, "agents", json_integer(s.agents));
		if (in->has_shrinkage)
			json_object_set_new(out, "staff", json_integer(s.staff));
		*ret_answer = erlang_c_json(out, &s.at);
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
