/* Staffing questions through the API: POST /api/v1/wfm/erlang-c, /staff,
 * /erlang-a. Pure computation: no store access, answered on the worker. */
#include "daemon/handlers.h"
#include "guichet/error.h"
#include "wfm/answer.h"

static int answer(struct request *r, enum wfm_question q)
{
	struct wfm_input in;
	struct decode_error err;
	if (wfm_input_decode(r->body, q, &in, &err) < 0)
		return reply_decode_error(r, &err);
	json_t *out = NULL;
	if (wfm_answer(q, &in, &out) < 0)
		return reply_error(r, 422, "too_large", NULL,
				   "beyond what can be computed: more than 100,000 agents, or a queue too long");
	return reply(r, 200, out);
}

int run_wfm_erlang_c(struct request *r, struct store *db)
{
	return answer(r, WFM_Q_ERLANG_C);
}

int run_wfm_staff(struct request *r, struct store *db)
{
	return answer(r, WFM_Q_STAFF);
}

int run_wfm_erlang_a(struct request *r, struct store *db)
{
	return answer(r, WFM_Q_ERLANG_A);
}
