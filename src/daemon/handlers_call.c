/* A call of a phone contact with its agent's phone, seen and controlled
 * from the API (GET /api/v1/contacts/{id}/call; POST .../call/hold,
 * resume, transfer, escalate): the state is the telephony thread's own
 * (channel/voice/voice.h: voice_call_state), not a guess from the
 * timeline, which a crash may leave without its call_ended; hold and
 * resume ask the telephony thread (voice_call_hold) and write call_held
 * and call_resumed on the contact's timeline; once the writer's batch has
 * committed, the streams are told (call_change_settled: a screen told
 * reads a timeline that has it), or the change undone if it could not
 * commit; transfer and escalate are
 * the contact's own routing operations (run_contact_transfer, _escalate),
 * so a call takes the one routing path; the telephony thread sees the
 * router's event, hangs up the agent's leg and puts the caller back to
 * the music until the next offer rings the next phone. 404: no such
 * contact in the tenant; 409: it has no bridged call (a phone ringing is
 * not bridged yet); 403: another agent's call (a supervisor may hold and
 * resume any). Each change of a call is also pushed to the live streams
 * of its agent and of the tenant's supervisors (call_state_frame, the
 * server's voice_call_changed_fn: stream.h), in GET's shape. */
#include "daemon/handlers.h"
#include "channel/voice/voice.h"
#include "daemon/server.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/role.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

json_t *call_state_json(int64_t contact_id, int64_t agent_id, const struct voice_call *call, int64_t now)
{
	json_t *out = json_pack("{s:I}", "contact_id", (json_int_t)contact_id);
	if (out == NULL)
		return NULL;
	if (call == NULL) {
		json_object_set_new(out, "state", json_string("none"));
		if (agent_id)
			json_object_set_new(out, "agent_id", json_integer(agent_id));
		return out;
	}
	json_object_set_new(out, "state", json_string(call->ringing ? "ringing" : call->held ? "held" : "bridged"));
	json_object_set_new(out, "agent_id", json_integer(call->agent_id));
	json_object_set_new(out, call->ringing ? "ringing_s" : "talk_s", json_integer((now - call->since_ms) / 1000));
	if (call->held)
		json_object_set_new(out, "held_s", json_integer((now - call->held_since_ms) / 1000));
	return out;
}

char *call_state_frame(int64_t contact_id, int64_t agent_id, const struct voice_call *call)
{
	json_t *data = call_state_json(contact_id, agent_id, call, gc_now_ms());
	char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	char *frame = NULL;
	if (text && asprintf(&frame, "event: call\ndata: %s\n\n", text) < 0)
		frame = NULL;
	free(text);
	return frame;
}

int run_call_get(struct request *r, struct store *db)
{
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "contact");
	struct voice_call call;
	bool found = voice_call_state(r->worker->server->voice, r->scope.tenant_id, r->ids[0], &call) == GC_OK;
	json_t *out = call_state_json(r->ids[0], 0, found ? &call : NULL, gc_now_ms());
	return out ? reply(r, 200, out) : GC_ENOMEM;
}

/* The contact's bridged call: answered (false) unless it exists, is
 * bridged and (mine) the scope's user is its agent or a supervisor. */
static bool bridged_call(struct request *r, struct store *db, bool mine, int64_t *ret_agent, bool *ret_held)
{
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "contact"), false;
	struct voice_call call;
	if (voice_call_state(r->worker->server->voice, r->scope.tenant_id, r->ids[0], &call) < 0 || call.ringing)
		return reply_error(r, 409, "no_call", "contact", "the contact has no bridged call"), false;
	if (mine && call.agent_id != r->scope.user_id && !role_can(r->scope.role, PERM_ROUTING_SUPERVISE))
		return reply_error(r, 403, "forbidden", "contact", "the call is another agent's"), false;
	*ret_agent = call.agent_id;
	*ret_held = call.held;
	return true;
}

static int hold(struct request *r, struct store *db, bool on)
{
	int64_t agent = 0, held_ms = 0;
	bool held = false;
	if (!bridged_call(r, db, true, &agent, &held))
		return GC_ESTATE;
	struct voice *v = r->worker->server->voice;
	int rc = voice_call_hold(v, r->scope.tenant_id, r->ids[0], on, &held_ms);
	if (rc == GC_ESTATE)
		return reply_error(r, 409, "conflict", "contact", on ? "the call is on hold already" : "the call is not on hold");
	if (rc < 0)
		return reply_error(r, 409, "no_call", "contact", "the contact has no bridged call");
	json_t *data = json_pack("{s:I}", "agent_id", (json_int_t)agent);
	if (data && !on)
		json_object_set_new(data, "held_s", json_integer(held_ms / 1000));
	rc = data ? store_voice_event(db, &r->scope, r->ids[0], on ? "call_held" : "call_resumed", data) : GC_ENOMEM;
	json_decref(data);
	if (rc < 0) {
		voice_call_hold(v, r->scope.tenant_id, r->ids[0], !on, NULL); /* as it was */
		return reply_store_error(r, db, rc, "contact");
	}
	json_t *out = json_pack("{s:I,s:I,s:b}", "contact_id", (json_int_t)r->ids[0], "agent_id", (json_int_t)agent,
				"held", on);
	if (out && !on)
		json_object_set_new(out, "held_s", json_integer(held_ms / 1000));
	return reply(r, 200, out);
}

void call_change_settled(struct request *r, bool committed)
{
	struct voice *v = r->worker->server->voice;
	if (committed)
		voice_call_tell(v, r->scope.tenant_id, r->ids[0]);
	else /* its event was not saved: as it was */
		voice_call_hold(v, r->scope.tenant_id, r->ids[0], !json_is_true(json_object_get(r->resp, "held")), NULL);
}

int run_call_hold(struct request *r, struct store *db)
{
	return hold(r, db, true);
}

int run_call_resume(struct request *r, struct store *db)
{
	return hold(r, db, false);
}

/* The target named (a queue, an agent) is the tenant's: answered (false) with 404 otherwise. */
static bool target_known(struct request *r, struct store *db)
{
	const struct routing_input *in = &r->in.routing;
	json_t *row = NULL;
	int rc = in->queue_id ? store_queue_get(db, &r->scope, in->queue_id, &row) : GC_OK;
	json_decref(row);
	row = NULL;
	if (rc < 0)
		return reply_store_error(r, db, rc, "queue_id"), false;
	rc = in->agent_id ? store_agent_get(db, &r->scope, in->agent_id, &row) : GC_OK;
	json_decref(row);
	if (rc < 0)
		return reply_store_error(r, db, rc, "agent_id"), false;
	return true;
}

int run_call_transfer(struct request *r, struct store *db)
{
	int64_t agent = 0;
	bool held = false;
	return target_known(r, db) && bridged_call(r, db, false, &agent, &held) ? run_contact_transfer(r, db)
										   : GC_ESTATE;
}

int run_call_escalate(struct request *r, struct store *db)
{
	int64_t agent = 0;
	bool held = false;
	return target_known(r, db) && bridged_call(r, db, false, &agent, &held) ? run_contact_escalate(r, db)
										   : GC_ESTATE;
}
