/* libFuzzer target: the workforce-management parsers: plan CSV, history CSV
 * (both shapes, two interval lengths), staffing questions and simulation
 * scenarios (JSON). None may crash, leak or read out of bounds; a parsed
 * history stays within its limits. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "wfm/answer.h"
#include "wfm/history.h"
#include "wfm/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct decode_error err;
	struct wfm_plan_row *rows = NULL;
	size_t n = 0;
	if (wfm_plan_parse(text, size, &rows, &n, &err) == 0) {
		assert(n > 0 && n <= WFM_PLAN_MAX_ROWS);
		free(rows);
	}
	static const int intervals[] = {1800, 900};
	for (int i = 0; i < 2; i++) {
		struct wfm_history h;
		if (wfm_history_parse(text, size, intervals[i], 7, &h, &err) == 0) {
			assert(h.days >= 1 && h.days <= WFM_MAX_HISTORY_DAYS && h.slots == 86400 / intervals[i]);
			wfm_history_clear(&h);
		}
	}
	json_t *obj = json_loadb(text, size, 0, NULL);
	if (obj) {
		struct wfm_input in;
		for (int q = 0; q < 3; q++)
			wfm_input_decode(obj, (enum wfm_question)q, &in, &err);
		struct sim_scenario s;
		if (wfm_scenario_decode(obj, &s, &err) == 0)
			wfm_scenario_clear(&s);
		json_decref(obj);
	}
	return 0;
}
