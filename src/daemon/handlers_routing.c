/* Routing: skills, queues, agents' profiles and presence, and the moves of
 * contacts through queues (enqueue, accept, reject, wrap-up, escalate,
 * transfer, move, abandon). Changes run on the writer, where the router
 * (router.h) keeps the engine and writes its decisions in the same
 * transaction. */
#include "daemon/handlers.h"
#include "daemon/hub.h"
#include "daemon/router.h"
#include "daemon/server.h"
#include "daemon/writer.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

static struct router *router_of(struct request *r)
{
	return writer_router(r->worker->server->writer);
}

/* Answers a router error: field names the input involved. */
static int reply_router(struct request *r, struct store *db, int rc, const char *field)
{
	const char *msg = router_errmsg(router_of(r));
	if (*msg == '\0')
		return reply_store_error(r, db, rc, field);
	/* the router's message names the field it is about ("channel: ..."),
	 * or the queue the request names */
	char named[32];
	size_t n = strspn(msg, "abcdefghijklmnopqrstuvwxyz_");
	if (n > 0 && n < sizeof(named) && msg[n] == ':') {
		memcpy(named, msg, n);
		named[n] = '\0';
		field = named;
	} else if (strncmp(msg, "no queue ", 9) == 0) {
		field = "queue_id";
	}
	const struct gc_message *said = router_said(router_of(r)); /* for the pages to translate */
	switch (rc) {
	case GC_ENOTFOUND:
		return reply_error_said(r, 404, "not_found", field, msg, said);
	case GC_ESTATE:
		return reply_error_said(r, 422, "invalid_transition", field, msg, said);
	case GC_ECONFLICT:
		return reply_error_said(r, 409, "conflict", field, msg, said);
	case GC_EINVAL:
		return reply_error_said(r, 422, "invalid", field, msg, said);
	default:
		return reply_store_error(r, db, rc, field);
	}
}

/* --- skills --- */

int prepare_skill(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return name_input_decode(r->body, &r->in.password, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_skill_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_skill_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_skill_create(struct request *r, struct store *db)
{
	json_t *skill = NULL;
	int rc = store_skill_create(db, &r->scope, r->in.password, &skill);
	return rc < 0 ? reply_store_error(r, db, rc, "name") : reply(r, 201, skill);
}

int run_skill_rename(struct request *r, struct store *db)
{
	int rc = store_skill_rename(db, &r->scope, r->ids[0], r->in.password);
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_ENOTFOUND ? "skill" : "name")
		      : reply(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)r->ids[0], "name", r->in.password));
}

int run_skill_delete(struct request *r, struct store *db)
{
	int rc = store_skill_delete(db, &r->scope, r->ids[0]);
	return rc < 0 ? reply_store_error(r, db, rc, "skill") : reply(r, 204, NULL);
}

/* --- queues --- */

int prepare_queue_create(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return queue_input_decode(r->body, &r->in.queue, &err) < 0 || queue_hours_check(&r->in.queue, &err) < 0
		       ? reply_decode_error(r, &err)
		       : 0;
}

/* Stores and applies a queue's configuration (new when id is 0). */
static int save_queue(struct request *r, struct store *db, int64_t id, const struct queue_input *in)
{
	int rc = store_skill_exists(db, &r->scope, in->skill_id);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "invalid", "skill_id", "no skill %lld in this tenant", (long long)in->skill_id);
	json_t *config = queue_input_json(in);
	if (rc == GC_OK)
		rc = id ? store_queue_update(db, &r->scope, id, in->name, config)
			: store_queue_create(db, &r->scope, in->name, config, &id);
	json_decref(config);
	if (rc < 0)
		return reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "name" : "queue");
	if ((rc = router_queue_set(router_of(r), db, &r->scope, id, in->name, in)) < 0)
		return reply_router(r, db, rc, "overflow_to");
	json_t *q = NULL;
	rc = store_queue_get(db, &r->scope, id, &q);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, r->ids[0] ? 200 : 201, q);
}

int run_queue_create(struct request *r, struct store *db)
{
	return save_queue(r, db, 0, &r->in.queue);
}

/* A PATCH is merged over the stored configuration, then checked whole. */
int run_queue_update(struct request *r, struct store *db)
{
	json_t *q = NULL;
	int rc = store_queue_get(db, &r->scope, r->ids[0], &q);
	if (rc < 0)
		return reply_store_error(r, db, rc, "queue");
	json_object_del(q, "id");
	json_object_del(q, "created_at");
	json_object_del(q, "updated_at");
	char was[16], users[256] = "";
	const char *stored = json_string_value(json_object_get(q, "channel"));
	snprintf(was, sizeof(was), "%s", stored ? stored : "");
	json_object_update(q, r->body);
	const char *now = json_string_value(json_object_get(r->body, "channel"));
	struct queue_input in;
	struct decode_error err = {0};
	if (queue_input_decode(q, &in, &err) < 0 ||
	    (json_object_get(r->body, "hours") && queue_hours_check(&in, &err) < 0))
		rc = reply_decode_error(r, &err);
	else if (now && strcmp(was, now) != 0 &&
		 (rc = store_queue_users(db, &r->scope, r->ids[0], false, users, sizeof(users))) < 0)
		rc = reply_store_error(r, db, rc, "channel");
	else if (*users) /* what sends it contacts of the old channel */
		rc = reply_error(r, 409, "conflict", "channel", "%s", users);
	else
		rc = save_queue(r, db, r->ids[0], &in);
	json_decref(q);
	return rc;
}

int run_queue_delete(struct request *r, struct store *db)
{
	json_t *q = NULL;
	int rc = store_queue_get(db, &r->scope, r->ids[0], &q);
	json_decref(q);
	if (rc < 0)
		return reply_store_error(r, db, rc, "queue");
	/* the store's refusal first (what uses it): a refused request never
	 * reaches the engine; a phone menu's leaves are read here, where menus are known */
	char menu_user[160];
	if ((rc = voice_menu_user(r, db, r->ids[0], menu_user, sizeof(menu_user))) < 0)
		return reply_store_error(r, db, rc, "queue");
	if (*menu_user)
		return reply_error(r, 409, "conflict", "queue", "%s", menu_user);
	if ((rc = store_queue_delete(db, &r->scope, r->ids[0])) < 0)
		return reply_store_error(r, db, rc, "queue");
	if ((rc = router_queue_delete(router_of(r), &r->scope, r->ids[0])) < 0)
		return reply_router(r, db, rc, "queue");
	return reply(r, 204, NULL);
}

int run_queue_get(struct request *r, struct store *db)
{
	json_t *q = NULL;
	int rc = store_queue_get(db, &r->scope, r->ids[0], &q);
	return rc < 0 ? reply_store_error(r, db, rc, "queue") : reply(r, 200, q);
}

int run_queue_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_queue_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_queue_stats(struct request *r, struct store *db)
{
	int64_t org = 0;
	int rc = store_report_viewer_organisation(db, &r->scope, &org);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	json_t *stats = router_queue_stats(router_of(r), r->scope.tenant_id, org);
	return stats ? reply(r, 200, stats) : reply_store_error(r, db, GC_EMOVED, NULL); /* NULL: not routed here */
}

/* --- agents --- */

/* A colleague's email and the contacts they hold are for those who
 * supervise: an agent choosing whom to hand a contact to sees names and
 * states (an outsourcer's agent, the brand's staff's names alone). */
static void colleague_as_seen(const struct request *r, json_t *agent)
{
	if (role_can(r->scope.role, PERM_ROUTING_SUPERVISE) ||
	    json_integer_value(json_object_get(agent, "user_id")) == r->scope.user_id)
		return;
	json_object_del(agent, "email");
	json_object_del(json_object_get(agent, "live"), "contacts");
}

/* An outsourcer's supervisor watches the agents it manages, its own
 * organisation's (as for forcing a presence, and as its live stream is cut:
 * store_managed_agents), not the brand's or another outsourcer's: their
 * states, the contacts they hold and their emails are not its to see, and
 * each of them was a Force button on its wallboard that could only answer
 * 403. One query of the tenant's members, whatever the brand's size. */
static int keep_managed(struct request *r, struct store *db, json_t *list)
{
	if (!role_can(r->scope.role, PERM_ROUTING_SUPERVISE))
		return GC_OK;
	bool some_only = false;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = store_managed_agents(db, &r->scope, &some_only, &ids, &n);
	if (rc < 0 || !some_only)
		return rc;
	struct hub_audience managed = {.managed_only = true, .managed = ids, .n_managed = n};
	for (size_t i = json_array_size(list); i-- > 0;)
		if (!hub_audience_sees(&managed, json_integer_value(json_object_get(json_array_get(list, i), "user_id"))))
			json_array_remove(list, i);
	free(ids);
	return GC_OK;
}

int run_agent_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_agent_list(db, &r->scope, &list);
	if (rc == GC_OK && (rc = keep_managed(r, db, list)) < 0)
		json_decref(list);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	/* with each one's live state where the routing knows it (as for one
	 * agent): a wallboard loads its agents in one request, then applies
	 * the digests numbered after seq */
	uint64_t seq = 0;
	router_agents_live(router_of(r), r->scope.tenant_id, list, &seq);
	size_t i;
	json_t *agent;
	json_array_foreach(list, i, agent)
		colleague_as_seen(r, agent);
	return reply(r, 200, json_pack("{s:o,s:I}", "items", list, "seq", (json_int_t)seq));
}

/* The agent's profile and presence from the store, and its live state. */
/* The agent's profile and live state; for the caller itself, also
 * whether another session of theirs lands in this brand (another window or
 * device), which keeps them at work when they sign out here. */
static int reply_agent(struct request *r, struct store *db, int64_t user_id)
{
	json_t *a = NULL, *live = NULL;
	bool me = user_id == r->scope.user_id, others = false;
	int rc = store_agent_get(db, &r->scope, user_id, &a);
	if (rc == GC_OK && me && (rc = store_session_live(db, user_id, r->scope.tenant_id, r->scope.token_id, &others)) < 0)
		json_decref(a);
	if (rc < 0)
		return reply_store_error(r, db, rc, "agent");
	if (router_agent_state(router_of(r), r->scope.tenant_id, user_id, &live) == GC_OK)
		json_object_set_new(a, "live", live);
	if (me)
		json_object_set_new(a, "other_sessions", json_boolean(others));
	colleague_as_seen(r, a);
	return reply(r, 200, a);
}

int run_agent_get(struct request *r, struct store *db)
{
	/* an outsourcer's supervisor reads the agents it manages (keep_managed) */
	if (role_can(r->scope.role, PERM_ROUTING_SUPERVISE) && r->ids[0] != r->scope.user_id) {
		int rc = store_authorize(db, &r->scope, AUTHZ_MANAGE_AGENT, r->ids[0], ROLE_N);
		if (rc == GC_EFORBIDDEN)
			return reply_error(r, 404, "not_found", "agent", "no agent %lld among those you manage",
					   (long long)r->ids[0]);
		if (rc < 0)
			return reply_store_error(r, db, rc, "agent");
	}
	return reply_agent(r, db, r->ids[0]);
}

int run_agent_me(struct request *r, struct store *db)
{
	return reply_agent(r, db, r->scope.user_id);
}

int prepare_agent_profile(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return agent_profile_decode(r->body, &r->in.agent, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

/* An outsourcer's supervisor sets its own organisation's agents only; false
 * once answered (403, or the store's error). */
/* Whether the request may set user_id's routing (guichet/authz.h): a user
 * of another tenant is not found; an outsourcer's supervisor manages its
 * own organisation's agents only. */
static bool manages(struct request *r, struct store *db, int64_t user_id)
{
	int rc = store_authorize(db, &r->scope, AUTHZ_MANAGE_AGENT, user_id, ROLE_N);
	if (rc < 0)
		return reply_store_error(r, db, rc, "user"), false;
	return true;
}

/* Whether user_id may be routed contacts: an enabled member whose role
 * takes them; answers 422 naming user otherwise. */
static bool takes_contacts(struct request *r, struct store *db, int64_t user_id)
{
	enum role role = ROLE_N;
	bool disabled = false;
	int rc = store_member_role(db, &r->scope, user_id, &role, &disabled);
	if (rc < 0)
		return reply_store_error(r, db, rc, "user"), false;
	if (disabled)
		return reply_error(r, 422, "invalid", "user", "the user is disabled in this tenant: enable them first"),
		       false;
	if (role >= ROLE_N || !role_can(role, PERM_ROUTING_WORK))
		return reply_error(r, 422, "invalid", "user", "a %s takes no contacts: give the user a role that does "
				   "(agent, expert, supervisor) first", role < ROLE_N ? role_name(role) : "user of this role"),
		       false;
	return true;
}

int run_agent_profile(struct request *r, struct store *db)
{
	if (!manages(r, db, r->ids[0]) || !takes_contacts(r, db, r->ids[0]))
		return GC_EINVAL;
	const struct agent_profile_input *in = &r->in.agent;
	for (int i = 0; i < in->n_skills; i++)
		if (store_skill_exists(db, &r->scope, in->skills[i].skill_id) == GC_ENOTFOUND)
			return reply_error(r, 422, "invalid", "skills", "no skill %lld in this tenant",
					   (long long)in->skills[i].skill_id);
	json_t *profile = agent_profile_json(in);
	int rc = store_agent_set_profile(db, &r->scope, r->ids[0], profile);
	json_decref(profile);
	if (rc < 0)
		return reply_store_error(r, db, rc, "user");
	if ((rc = router_agent_set(router_of(r), db, &r->scope, r->ids[0], in)) < 0)
		return reply_router(r, db, rc, "capacity");
	return reply_agent(r, db, r->ids[0]);
}

int prepare_presence(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return presence_input_decode(r->body, &r->in.presence, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

/* Contacts come from one brand at a time: available here only while
 * offline in every other tenant (whose name only the agent is told, in
 * the message and as "tenant" and "presence" beside it: the desk says it
 * in the agent's language). Offline there needs the contacts held there
 * finished or transferred: said, or the agent met a second refusal. */
static int presence(struct request *r, struct store *db, int64_t user_id)
{
	char elsewhere[128], there[16];
	int rc = r->in.presence.presence == PRESENCE_AVAILABLE
			 ? store_agent_at_work_elsewhere(db, user_id, r->scope.tenant_id, elsewhere, sizeof(elsewhere), there,
							 sizeof(there))
			 : GC_OK;
	if (rc == GC_ECONFLICT && user_id != r->scope.user_id)
		return reply_error(r, 409, "conflict", "presence", "this agent is at work for another brand: "
				   "they go offline there first");
	if (rc == GC_ECONFLICT) {
		rc = reply_error(r, 409, "conflict", "presence", "you are at work for %s (%s): go offline there first, once "
				 "the contacts you hold there are finished or transferred (contacts come from one brand at "
				 "a time)", elsewhere, there);
		json_t *err = json_object_get(r->resp, "error");
		json_object_set_new(err, "tenant", json_string(elsewhere));
		json_object_set_new(err, "presence", json_string(there));
		return rc;
	}
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	rc = router_presence(router_of(r), db, &r->scope, user_id, &r->in.presence);
	return rc < 0 ? reply_router(r, db, rc, "presence") : reply_agent(r, db, user_id);
}

int run_presence_me(struct request *r, struct store *db)
{
	if (r->scope.user_id == 0)
		return reply_error(r, 403, "forbidden", NULL, "an API token is not an agent");
	return presence(r, db, r->scope.user_id);
}

bool queue_serves(struct request *r, struct store *db, int64_t queue_id, enum contact_channel channel,
		  const char *field)
{
	json_t *q = NULL;
	if (queue_id <= 0)
		return true;
	int rc = store_queue_get(db, &r->scope, queue_id, &q);
	if (rc == GC_ENOTFOUND) {
		reply_error(r, 422, "invalid", field, "no queue %lld in this tenant", (long long)queue_id);
		return false;
	}
	if (rc < 0) {
		reply_store_error(r, db, rc, field);
		return false;
	}
	enum contact_channel serves = CHANNEL_N;
	contact_channel_parse(json_string_value(json_object_get(q, "channel")), &serves);
	json_decref(q);
	if (channel == CHANNEL_N || serves == channel)
		return true;
	reply_error(r, 422, "invalid", field, "queue %lld serves %s; this sends it %s contacts", (long long)queue_id,
		    serves < CHANNEL_N ? contact_channel_name(serves) : "?", contact_channel_name(channel));
	return false;
}

int agent_off_duty(struct request *r, struct store *db, const struct store_scope *scope, int64_t user_id)
{
	int rc = router_off_duty(router_of(r), db, scope, user_id);
	if (rc == GC_ENOTFOUND)
		return GC_OK; /* no routing profile */
	if (rc == GC_ESTATE)
		return reply_error(r, 409, "conflict", "user", "the user holds contacts: transfer or finish them first, "
				   "then try again");
	return rc < 0 ? reply_router(r, db, rc, "user") : GC_OK;
}

int agent_signed_out(struct request *r, struct store *db, const struct store_scope *scope)
{
	bool live = false;
	if (scope->user_id == 0 || !scope->has_role || !role_can(scope->role, PERM_ROUTING_WORK))
		return GC_OK;
	int rc = store_session_live(db, scope->user_id, scope->tenant_id, scope->token_id, &live);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (live)
		return GC_OK; /* still at work in another window or device */
	rc = router_signed_out(router_of(r), db, scope, scope->user_id);
	if (rc == GC_ENOTFOUND)
		return GC_OK; /* no routing profile */
	return rc < 0 ? reply_router(r, db, rc, NULL) : GC_OK;
}

int run_presence_force(struct request *r, struct store *db)
{
	if (!manages(r, db, r->ids[0]) ||
	    (r->in.presence.presence != PRESENCE_OFFLINE && !takes_contacts(r, db, r->ids[0])))
		return GC_EINVAL;
	return presence(r, db, r->ids[0]);
}

/* --- contacts in queues --- */

/* Another tenant's contact is unknown here (answered 404). */
static bool contact_known(struct request *r, struct store *db)
{
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	if (rc < 0)
		reply_store_error(r, db, rc, "contact");
	return rc == GC_OK;
}

int prepare_contact_enqueue(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return routing_input_decode(r->body, ROUTING_ENQUEUE, &r->in.routing, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int contact_enqueue(struct request *r, struct store *db, int64_t contact_id, int64_t queue_id, int priority)
{
	struct ops o = request_ops(r, db);
	struct ops_error err = {0};
	return ops_enqueue(&o, &r->scope, contact_id, queue_id, priority, &err) < 0 ? reply_ops_error(r, db, &err)
										     : GC_OK;
}

int run_contact_enqueue(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	int rc = contact_enqueue(r, db, r->ids[0], r->in.routing.queue_id, r->in.routing.priority);
	return rc < 0 ? rc : run_contact_routing(r, db);
}

int run_contact_accept(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	int rc = router_accept(router_of(r), db, &r->scope, r->ids[0]);
	return rc < 0 ? reply_router(r, db, rc, "contact") : run_contact_get(r, db);
}

int run_contact_reject(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	int rc = router_reject(router_of(r), db, &r->scope, r->ids[0]);
	return rc < 0 ? reply_router(r, db, rc, "contact") : reply(r, 204, NULL);
}

int prepare_contact_wrapup(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return routing_input_decode(r->body, ROUTING_WRAPUP, &r->in.routing, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_contact_wrapup(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	int rc = disposition_allowed(r, db, r->in.routing.disposition);
	if (rc < 0)
		return rc;
	rc = router_wrapup(router_of(r), db, &r->scope, r->ids[0], &r->in.routing);
	return rc < 0 ? reply_router(r, db, rc, "contact") : run_contact_get(r, db);
}

int prepare_contact_escalate(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return routing_input_decode(r->body, ROUTING_ESCALATE, &r->in.routing, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_contact_escalate(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	int rc = router_escalate(router_of(r), db, &r->scope, r->ids[0], &r->in.routing);
	return rc < 0 ? reply_router(r, db, rc, "contact") : run_contact_routing(r, db);
}

int prepare_contact_transfer(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return routing_input_decode(r->body, ROUTING_TRANSFER, &r->in.routing, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_contact_transfer(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	int rc = router_transfer(router_of(r), db, &r->scope, r->ids[0], &r->in.routing);
	return rc < 0 ? reply_router(r, db, rc, "contact") : run_contact_routing(r, db);
}

int prepare_contact_move(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return routing_input_decode(r->body, ROUTING_MOVE, &r->in.routing, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_contact_move(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	/* a contact an agent holds moves only as that agent's supervisor could act on them */
	json_t *view = NULL;
	int64_t holder = 0;
	if (router_contact_view(router_of(r), &r->scope, r->ids[0], &view) == GC_OK)
		holder = json_integer_value(json_object_get(view, "agent_id"));
	json_decref(view);
	if (holder && !manages(r, db, holder))
		return GC_EFORBIDDEN;
	int rc = router_move(router_of(r), db, &r->scope, r->ids[0], &r->in.routing);
	return rc < 0 ? reply_router(r, db, rc, "contact") : run_contact_routing(r, db);
}

int run_contact_abandon(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	int rc = router_abandon(router_of(r), db, &r->scope, r->ids[0]);
	return rc < 0 ? reply_router(r, db, rc, "contact") : run_contact_get(r, db);
}

int run_contact_routing(struct request *r, struct store *db)
{
	if (!contact_known(r, db))
		return GC_ENOTFOUND;
	json_t *view = NULL;
	int rc = router_contact_view(router_of(r), &r->scope, r->ids[0], &view);
	return rc < 0 ? reply_router(r, db, rc, "contact") : reply(r, 200, view);
}
