/* Staffing answers as JSON, shared by the CLI (guichet wfm) and the API
 * (POST /api/v1/wfm/...): the same question gets the same answer. */
#ifndef GUICHET_WFM_ANSWER_H
#define GUICHET_WFM_ANSWER_H

#include <jansson.h>

#include "guichet/decode.h"

/* Answers q about in (checked by wfm_input_decode) as a new JSON object.
 * GC_ETOOBIG when staffing needs more agents than the library allows, or the
 * Erlang A chain is too long. */
int wfm_answer(enum wfm_question q, const struct wfm_input *in, json_t **ret_answer);

#include "wfm/plan.h"

/* A staffed plan as {"intervals": [...], "agent_hours", "staff_hours",
 * "peak_agents"}. */
json_t *wfm_plan_answer(const struct wfm_plan_row *rows, const struct wfm_plan_result *res, size_t n,
			double interval);

/* Positions to buy from an outsourcer per interval of a staffed plan
 * (inhouse: the people of one's own in each interval a row does not name;
 * price: one position for one hour), with the goal the figures hold and
 * the totals (struct wfm_overflow), as JSON. */
json_t *wfm_overflow_answer(const struct wfm_plan_row *rows, const struct wfm_plan_result *res, size_t n,
			    const struct wfm_plan_goal *g, double inhouse, double price);

#include "wfm/history.h"

/* The days wfm_screen_days leaves out of the whole history, as a JSON array
 * of {day, reason ("absent" or "low"), calls, expected}; NULL when out of
 * memory. */
json_t *wfm_screened_days_json(const struct wfm_history *h);
/* A forecast of horizon days after h (calls and aht as wfm_forecast gives
 * them, interval seconds a slot) as [{"start", "calls", "aht"}], aht null
 * where the history had no handle time. */
json_t *wfm_forecast_answer(const struct wfm_history *h, int horizon, int interval, const double *calls,
			    const double *aht);

#include "wfm/sim.h"

/* A simulation scenario from JSON (see docs/api.md); replayed arrival times
 * are malloc'd: free them with wfm_scenario_clear. */
int wfm_scenario_decode(const json_t *obj, struct sim_scenario *ret, struct decode_error *err);
void wfm_scenario_clear(struct sim_scenario *s);
/* The results of sim_run as JSON. */
json_t *wfm_sim_answer(const struct sim_scenario *s, const struct sim_result *r);

#endif
