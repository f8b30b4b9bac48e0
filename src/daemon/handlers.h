/* The route handlers, by area. Each prepare_* decodes on the worker; each
 * run_* does the work (on the writer for write routes). See http.h. */
#ifndef GUICHET_DAEMON_HANDLERS_H
#define GUICHET_DAEMON_HANDLERS_H

#include "daemon/chathub.h"
#include "daemon/http.h"
#include "guichet/kb_text.h"

/* handlers_auth.c: login, logout, me, API tokens, health, metrics */
int run_healthz(struct request *r, struct store *db);
int run_metrics(struct request *r, struct store *db);
/* A login in steps: login_precheck on the worker (decode, throttle: 400 or
 * 429 answered, non-zero returned); login_verify, the argon2id check, on
 * the hashing pool (its request as arg); run_login on the writer.
 * login_busy answers 503 when the pool is full and gives the throttle its
 * count back. */
int login_precheck(struct request *r, struct store *db);
void login_verify(void *request, struct store *db);
int login_busy(struct request *r, struct store *db);
int run_login(struct request *r, struct store *db);
int run_logout(struct request *r, struct store *db);
int run_me(struct request *r, struct store *db);
int prepare_token_create(struct request *r, struct store *db);
int run_token_create(struct request *r, struct store *db);
int run_token_list(struct request *r, struct store *db);
int run_token_revoke(struct request *r, struct store *db);

/* handlers_session.c: browser sessions (session.h). session_begin sets the
 * session's cookies for token on r's answer and adds "csrf_token" to answer;
 * session_end clears them; the switch moves a person's session to another
 * of their tenants: a new token, the old one revoked. */
int session_begin(struct request *r, const char *token, json_t *answer);
void session_end(struct request *r);
int prepare_session_switch(struct request *r, struct store *db);
int run_session_switch(struct request *r, struct store *db);

/* handlers_directory.c: tenants, organisations, users, memberships, audit */
int run_tenant_list(struct request *r, struct store *db);
int prepare_tenant_create(struct request *r, struct store *db);
int run_tenant_create(struct request *r, struct store *db);
int run_organisation_list(struct request *r, struct store *db);
int prepare_organisation_create(struct request *r, struct store *db);
int run_organisation_create(struct request *r, struct store *db);
int prepare_membership_grant(struct request *r, struct store *db);
int run_membership_grant(struct request *r, struct store *db);
int run_user_list(struct request *r, struct store *db);
int run_user_get(struct request *r, struct store *db);
int prepare_user_create(struct request *r, struct store *db);
/* The routes' slow parts (hashing pool): hash the password of a new user,
 * or a new password. */
void hash_user_password(void *request, struct store *db);
void hash_new_password(void *request, struct store *db);
void hash_tenant_admin_password(void *request, struct store *db);
int run_user_create(struct request *r, struct store *db);
int prepare_user_role(struct request *r, struct store *db);
int run_user_role(struct request *r, struct store *db);
int run_user_disable(struct request *r, struct store *db);
int run_user_enable(struct request *r, struct store *db);
int prepare_user_password(struct request *r, struct store *db);
int run_user_password(struct request *r, struct store *db);
int run_audit_list(struct request *r, struct store *db);

/* handlers_customer.c */
int run_customer_list(struct request *r, struct store *db);
int run_customer_get(struct request *r, struct store *db);
int prepare_customer_create(struct request *r, struct store *db);
int run_customer_create(struct request *r, struct store *db);
int prepare_customer_update(struct request *r, struct store *db);
int run_customer_update(struct request *r, struct store *db);
int prepare_customer_import(struct request *r, struct store *db);
int run_customer_import(struct request *r, struct store *db);
int run_attr_policy_get(struct request *r, struct store *db);
int prepare_attr_policy(struct request *r, struct store *db);
int run_attr_policy_patch(struct request *r, struct store *db);

/* handlers_contact.c */
int run_contact_list(struct request *r, struct store *db);
int run_contact_get(struct request *r, struct store *db);
void run_contact_get_batch(struct request **rs, int n, struct store *db);
int run_contact_events(struct request *r, struct store *db);
int prepare_contact_create(struct request *r, struct store *db);
int run_contact_create(struct request *r, struct store *db);
int prepare_contact_update(struct request *r, struct store *db);
int run_contact_update(struct request *r, struct store *db);
int prepare_contact_state(struct request *r, struct store *db);
int run_contact_state(struct request *r, struct store *db);
int prepare_contact_message(struct request *r, struct store *db);
int run_contact_message(struct request *r, struct store *db);
int prepare_contact_note(struct request *r, struct store *db);
int run_contact_note(struct request *r, struct store *db);

/* handlers_routing.c: skills, queues, agents, and contacts through queues */
int prepare_skill(struct request *r, struct store *db);
int run_skill_list(struct request *r, struct store *db);
int run_skill_create(struct request *r, struct store *db);
int run_skill_rename(struct request *r, struct store *db);
int run_skill_delete(struct request *r, struct store *db);
int prepare_queue_create(struct request *r, struct store *db);
int run_queue_create(struct request *r, struct store *db);
int run_queue_update(struct request *r, struct store *db);
int run_queue_delete(struct request *r, struct store *db);
int run_queue_get(struct request *r, struct store *db);
int run_queue_list(struct request *r, struct store *db);
int run_queue_stats(struct request *r, struct store *db);
int run_agent_list(struct request *r, struct store *db);
int run_agent_get(struct request *r, struct store *db);
int run_agent_me(struct request *r, struct store *db);
int prepare_agent_profile(struct request *r, struct store *db);
int run_agent_profile(struct request *r, struct store *db);
int prepare_presence(struct request *r, struct store *db);
int run_presence_me(struct request *r, struct store *db);
int run_presence_force(struct request *r, struct store *db);
/* Whether queue_id (0 or less: none, which passes) is one of the tenant's
 * queues serving channel (CHANNEL_N: any); answers 422 naming field and
 * returns false otherwise. What channels and numbers send contacts to. */
bool queue_serves(struct request *r, struct store *db, int64_t queue_id, enum contact_channel channel,
		  const char *field);
/* Takes user_id out of scope's tenant's routing (offline, its pending offers
 * back in their queues) when it is disabled or its role no longer takes
 * contacts there; a user
 * with no routing profile has nothing to take out. Answers 409 naming user,
 * and returns negative, while it holds contacts. */
/* The phone number whose menu routes callers to queue_id, in words for a
 * 409, into ret ("" when none). 0, or a store error. */
int voice_menu_user(struct request *r, struct store *db, int64_t queue_id, char *ret, size_t len);
/* handlers_disposition.c: the tenant's disposition codes; and whether a
 * disposition a person gives (NULL: none) is one of them: answers 422
 * naming `disposition` and returns < 0 when it is not. */
int run_dispositions_get(struct request *r, struct store *db);
int run_dispositions_put(struct request *r, struct store *db);
int disposition_allowed(struct request *r, struct store *db, const char *code);

int agent_off_duty(struct request *r, struct store *db, const struct store_scope *scope, int64_t user_id);
/* The person of scope signed out of its tenant (logout, a switch to another
 * tenant): unless another of its sessions lands there, out of its routing
 * (router_signed_out). Answers and returns < 0 when that fails. */
int agent_signed_out(struct request *r, struct store *db, const struct store_scope *scope);
/* Puts a contact in a queue (priority -1: the contact's own); answers only on error. */
int contact_enqueue(struct request *r, struct store *db, int64_t contact_id, int64_t queue_id, int priority);
int prepare_contact_enqueue(struct request *r, struct store *db);
int run_contact_enqueue(struct request *r, struct store *db);
int run_contact_accept(struct request *r, struct store *db);
int run_contact_reject(struct request *r, struct store *db);
int prepare_contact_wrapup(struct request *r, struct store *db);
int run_contact_wrapup(struct request *r, struct store *db);
int prepare_contact_escalate(struct request *r, struct store *db);
int run_contact_escalate(struct request *r, struct store *db);
int prepare_contact_transfer(struct request *r, struct store *db);
int run_contact_transfer(struct request *r, struct store *db);
int prepare_contact_move(struct request *r, struct store *db);
int run_contact_move(struct request *r, struct store *db);
int run_contact_abandon(struct request *r, struct store *db);
int run_contact_routing(struct request *r, struct store *db);

/* handlers_channel.c: the tenant's email mailboxes */
/* categorisation rules (handlers_rules.c) */
int prepare_rule(struct request *r, struct store *db);
int run_rule_create(struct request *r, struct store *db);
int run_rule_list(struct request *r, struct store *db);
int run_rule_get(struct request *r, struct store *db);
int run_rule_delete(struct request *r, struct store *db);
int run_contact_suggestion(struct request *r, struct store *db);
int prepare_mailbox(struct request *r, struct store *db);
int run_mailbox_create(struct request *r, struct store *db);
int run_mailbox_list(struct request *r, struct store *db);
int run_mailbox_get(struct request *r, struct store *db);
int run_mailbox_delete(struct request *r, struct store *db);
int prepare_mailbox_update(struct request *r, struct store *db);
int run_mailbox_update(struct request *r, struct store *db);
int prepare_mailbox_test(struct request *r, struct store *db);
void mailbox_login_test(void *request, struct store *db);
int run_mailbox_test(struct request *r, struct store *db);
int prepare_email_reply(struct request *r, struct store *db);
int run_email_reply(struct request *r, struct store *db);
int run_email_replies(struct request *r, struct store *db);

/* handlers_messaging.c: SMS and social messages' channels, the providers'
 * webhook, and a contact's messages through them */
int prepare_messaging_channel(struct request *r, struct store *db);
int run_messaging_channel_create(struct request *r, struct store *db);
int run_messaging_channel_list(struct request *r, struct store *db);
int run_messaging_channel_get(struct request *r, struct store *db);
int prepare_messaging_channel_update(struct request *r, struct store *db);
int run_messaging_channel_update(struct request *r, struct store *db);
int run_messaging_channel_delete(struct request *r, struct store *db);
int run_contact_messaging(struct request *r, struct store *db);
int prepare_messaging_hook(struct request *r, struct store *db);
int run_messaging_hook(struct request *r, struct store *db);
/* handlers_call.c: a phone contact's call with its agent's phone (ringing,
 * bridged, held), and a bridged call's hold, resume, transfer and escalation. */
int run_call_get(struct request *r, struct store *db);
int run_call_hold(struct request *r, struct store *db);
int run_call_resume(struct request *r, struct store *db);
int run_call_transfer(struct request *r, struct store *db);
int run_call_escalate(struct request *r, struct store *db);
/* After the writer's batch with a hold or resume answered 200 (ROUTE_CALL):
 * committed, the streams are told of the call as it is now; otherwise the
 * change is undone (its call_held or call_resumed was not saved). On the
 * writer thread. */
void call_change_settled(struct request *r, bool committed);
/* A call's state as GET .../call shows it (call NULL: "none", with agent_id
 * when not 0), its times counted at now (ms); and the same as a live
 * stream's "call" frame (malloc'd; NULL when out of memory). */
struct voice_call;
json_t *call_state_json(int64_t contact_id, int64_t agent_id, const struct voice_call *call, int64_t now);
char *call_state_frame(int64_t contact_id, int64_t agent_id, const struct voice_call *call);
/* handlers_voice.c: the tenant's telephone numbers and their voice menus. */
int prepare_voice_number(struct request *r, struct store *db);
int run_voice_number_create(struct request *r, struct store *db);
int run_voice_number_list(struct request *r, struct store *db);
int run_voice_number_get(struct request *r, struct store *db);
int prepare_voice_number_update(struct request *r, struct store *db);
int run_voice_number_update(struct request *r, struct store *db);
int run_voice_number_delete(struct request *r, struct store *db);
/* PUT /api/v1/agents/{id}/sip: the agent's SIP phone's username and password (kept as HA1). */
/* A queue's own waiting settings (GET /api/v1/channels/voice/queues, GET
 * and PUT .../queues/{id}): they win over its numbers'. */
int prepare_voice_queue(struct request *r, struct store *db);
int run_voice_queue_list(struct request *r, struct store *db);
int run_voice_queue_get(struct request *r, struct store *db);
int run_voice_queue_put(struct request *r, struct store *db);
/* A tenant's own recordings of its prompts (handlers_voice_prompt.c):
 * POST /api/v1/channels/voice/prompts?name=N (a WAV body), GET the list,
 * GET and DELETE .../{id}, GET .../{id}/audio. */
int prepare_voice_prompt(struct request *r, struct store *db);
int run_voice_prompt_create(struct request *r, struct store *db);
int run_voice_prompt_list(struct request *r, struct store *db);
int run_voice_prompt_get(struct request *r, struct store *db);
int run_voice_prompt_audio(struct request *r, struct store *db);
int run_voice_prompt_delete(struct request *r, struct store *db);
/* A tenant's own trunk (GET, PUT, DELETE /api/v1/channels/voice/trunk). */
int prepare_voice_trunk(struct request *r, struct store *db);
int run_voice_trunk_get(struct request *r, struct store *db);
int run_voice_trunk_put(struct request *r, struct store *db);
int run_voice_trunk_delete(struct request *r, struct store *db);
int prepare_voice_phone(struct request *r, struct store *db);
int run_voice_phone(struct request *r, struct store *db);

/* handlers_recording.c: calls' recordings, their audio, the tenant's recording settings. */
int run_contact_recordings(struct request *r, struct store *db);
int run_recording_audio(struct request *r, struct store *db);
int run_recording_settings_get(struct request *r, struct store *db);
int run_recording_settings_put(struct request *r, struct store *db);

/* handlers_hours.c: the business calendar, due first responses, the same-day report */
/* The self-service portal (handlers_portal.c): incidents, settings, the public answer. */
int run_incident_list(struct request *r, struct store *db);
int run_incident_get(struct request *r, struct store *db);
int run_incident_create(struct request *r, struct store *db);
int run_incident_update(struct request *r, struct store *db);
int run_incident_end(struct request *r, struct store *db);
int run_incident_delete(struct request *r, struct store *db);
/* Proactive incidents (handlers_broadcast.c): audience, templates, broadcasts, report. */
int run_incident_audience_put(struct request *r, struct store *db);
int run_incident_templates_put(struct request *r, struct store *db);
int run_incident_broadcasts(struct request *r, struct store *db);
int run_incident_broadcast(struct request *r, struct store *db);
int run_incident_report(struct request *r, struct store *db);
int run_portal_get(struct request *r, struct store *db);
int run_portal_put(struct request *r, struct store *db);
int run_public_portal(struct request *r, struct store *db);
/* The tenant's portal settings, or the disabled default when it has none. */
int portal_settings(struct store *db, int64_t tenant_id, json_t **ret);
/* Whether the tenant's help centre is enabled: every public self-service
 * route (search, articles, diagnosis, feedback, escalation) serves only
 * then. Answers 404 "no such help centre" and returns false otherwise. */
bool portal_public(struct request *r, struct store *db, int64_t tenant_id);
/* Whether the self-service allowance of the caller's address has room;
 * answers 429 otherwise (handlers_kb_session.c). */
bool public_allowed(struct request *r);
/* Self-service's "did this solve it?" (handlers_kb_session.c). */
int run_public_session_end(struct request *r, struct store *db);
int run_public_feedback(struct request *r, struct store *db);
int run_public_escalate(struct request *r, struct store *db);
int run_public_article(struct request *r, struct store *db);
int run_calendar_get(struct request *r, struct store *db);
int prepare_calendar(struct request *r, struct store *db);
int run_calendar_put(struct request *r, struct store *db);
int run_contacts_due(struct request *r, struct store *db);
int run_report_same_day(struct request *r, struct store *db);
/* The same-day report of [from, to] (local dates; queue 0: every queue)
 * as GET /api/v1/reports/same-day answers it; on failure err says why
 * (reply_ops_error). */
/* GET /api/v1/reports/voice?week=YYYY-Www and the weekly digest's schedule
 * GET/PUT/DELETE /api/v1/reports/voice/digest (handlers_voc.c). */
int run_report_voice(struct request *r, struct store *db);
int prepare_voice_digest(struct request *r, struct store *db);
int run_voice_digest_put(struct request *r, struct store *db);
int run_voice_digest_get(struct request *r, struct store *db);
int run_voice_digest_delete(struct request *r, struct store *db);
/* GET /api/v1/reports/barometer?month=YYYY-MM (handlers_barometer.c). */
int run_report_barometer(struct request *r, struct store *db);
/* The scope's barometer of a month (the answer of GET /api/v1/reports/barometer), for the
 * API and the monthly mailing (daemon/voc.c). */
int barometer_month(struct store *db, const struct store_scope *scope, int year, int month, json_t **ret);
int same_day_report(struct store *db, const struct store_scope *scope, int32_t from, int32_t to, int64_t queue,
		    json_t **ret_answer, struct ops_error *err);
/* the contact's journey and the day so far per interval (handlers_report.c) */
int run_contact_journey(struct request *r, struct store *db);
int run_report_intervals(struct request *r, struct store *db);
/* handlers_summary.c: the reports kept current */
int run_report_summary(struct request *r, struct store *db);
/* handlers_reasons.c: reasons and dispositions over time, satisfaction, knowledge items */
int run_report_reasons(struct request *r, struct store *db);
int run_report_satisfaction(struct request *r, struct store *db);
int run_report_knowledge(struct request *r, struct store *db);
/* handlers_attachment.c: emails' attachments, and the tenant's limits on them */
int run_contact_attachments(struct request *r, struct store *db);
int run_attachment_get(struct request *r, struct store *db);
/* Answers the bytes of the attachment whose row is row (taken), as run_attachment_get does. */
int attachment_reply(struct request *r, struct store *db, json_t *row);
int run_attachment_limits_get(struct request *r, struct store *db);
int run_attachment_limits_put(struct request *r, struct store *db);

/* handlers_wfm.c: staffing questions */
int run_wfm_erlang_c(struct request *r, struct store *db);
int run_wfm_staff(struct request *r, struct store *db);
int run_wfm_erlang_a(struct request *r, struct store *db);
int run_wfm_plan(struct request *r, struct store *db);
int run_wfm_history(struct request *r, struct store *db);
int run_wfm_forecast(struct request *r, struct store *db);
int run_wfm_overflow(struct request *r, struct store *db);

/* handlers_kb.c: knowledge search, items, review, import/export, learning */
int kb_search_answer(struct request *r, struct store *db, int64_t tenant_id, bool customer);
/* Links a query's words to an item (resolved or not); unmatched words of a resolved one become proposals. */
int kb_learn(struct store *db, int64_t tenant_id, enum kb_lang lang, const char *query, int64_t item_id, bool resolved);
int run_kb_search(struct request *r, struct store *db);
int run_kb_list(struct request *r, struct store *db);
int run_kb_get(struct request *r, struct store *db);
/* Reads If-None-Match (create-only) on the worker; run_kb_put creates or puts a new draft. */
int prepare_kb_put(struct request *r, struct store *db);
int run_kb_put(struct request *r, struct store *db);
/* Reads and checks a JSON Lines import on the worker (limits, content); run_kb_import writes it. */
int prepare_kb_import(struct request *r, struct store *db);
int run_kb_version(struct request *r, struct store *db);
int run_kb_submit(struct request *r, struct store *db);
int run_kb_approve(struct request *r, struct store *db);
int run_kb_reject(struct request *r, struct store *db);
int run_kb_publish(struct request *r, struct store *db);
int run_kb_archive(struct request *r, struct store *db);
int run_kb_flag(struct request *r, struct store *db);
int run_kb_flags(struct request *r, struct store *db);
int run_kb_flag_resolve(struct request *r, struct store *db);
int run_kb_settings(struct request *r, struct store *db);
int run_kb_import(struct request *r, struct store *db);
int run_kb_export(struct request *r, struct store *db);
int run_kb_learn(struct request *r, struct store *db);
int run_kb_links(struct request *r, struct store *db);
int run_kb_link_remove(struct request *r, struct store *db);
int run_kb_thesaurus(struct request *r, struct store *db);
int run_kb_synonym_add(struct request *r, struct store *db);
int run_kb_synonym_remove(struct request *r, struct store *db);
int run_kb_proposal_refuse(struct request *r, struct store *db);
int run_kb_gaps(struct request *r, struct store *db);

/* handlers_kb_session.c: diagnosis sessions, training, self-service */
int prepare_kb_session_start(struct request *r, struct store *db);
int run_kb_session_start(struct request *r, struct store *db);
int run_kb_session_get(struct request *r, struct store *db);
int run_kb_session_answer(struct request *r, struct store *db);
int run_kb_session_back(struct request *r, struct store *db);
int run_kb_session_undo(struct request *r, struct store *db);
int run_kb_session_end(struct request *r, struct store *db);
int run_contact_diagnosis(struct request *r, struct store *db);
/* Redacts the steps of a stored path answered from a context value above
 * sees (every such step when ctx is NULL), as the session's reader sees it. */
void kb_path_shown_to(json_t *path, const json_t *ctx, enum sensitivity sees);
int prepare_kb_training(struct request *r, struct store *db);
int run_kb_training(struct request *r, struct store *db);
int run_kb_training_scenarios(struct request *r, struct store *db);
int run_kb_training_progress(struct request *r, struct store *db);
int run_public_search(struct request *r, struct store *db);
int prepare_public_session(struct request *r, struct store *db);
int run_public_session_start(struct request *r, struct store *db);
int prepare_public_step(struct request *r, struct store *db);
int prepare_public_feedback(struct request *r, struct store *db);
int run_public_session_answer(struct request *r, struct store *db);
int run_public_session_back(struct request *r, struct store *db);
int run_public_session_escalate(struct request *r, struct store *db);

/* handlers_chat.c: the web chat's channels (staff) and its visitors'
 * routes (public, /chat/v1/{key}/...: docs/chat.md) */
#define CHAT_MAX_ORIGINS 16     /* a channel's origins */
#define CHAT_MAX_ORIGIN_LEN 200 /* bytes of one */
/* Shared by handlers_chat*.c: answers 400 naming the first member of obj
 * not in known (prefix before its name) and returns false; a string member
 * of 1 to max bytes on one clean line into *ret (NULL when absent; false
 * after a 400 when required and absent, or not such a string). */
bool chat_only_fields(struct request *r, const json_t *obj, const char *const known[], const char *prefix);
bool chat_text_field(struct request *r, const json_t *obj, const char *name, const char *field, bool required,
		     size_t max, const char **ret);
int prepare_chat_channel(struct request *r, struct store *db);
int prepare_chat_channel_update(struct request *r, struct store *db);
int run_chat_channel_create(struct request *r, struct store *db);
int run_chat_channel_list(struct request *r, struct store *db);
int run_chat_channel_get(struct request *r, struct store *db);
int run_chat_channel_update(struct request *r, struct store *db);
int run_chat_channel_delete(struct request *r, struct store *db);
int run_chat_channel_secret(struct request *r, struct store *db);
int prepare_chat_public(struct request *r, struct store *db);
int prepare_chat_visitor(struct request *r, struct store *db);
int run_chat_config(struct request *r, struct store *db);
int prepare_chat_visitor_new(struct request *r, struct store *db);
int run_chat_visitor_new(struct request *r, struct store *db);
int run_chat_list(struct request *r, struct store *db);
int prepare_chat_create(struct request *r, struct store *db);
int run_chat_create(struct request *r, struct store *db);
int prepare_chat_message(struct request *r, struct store *db);
int run_chat_message(struct request *r, struct store *db);
int run_chat_stream(struct request *r, struct store *db);
int prepare_chat_typing(struct request *r, struct store *db);
int run_chat_typing(struct request *r, struct store *db);
int prepare_chat_read(struct request *r, struct store *db);
int run_chat_read(struct request *r, struct store *db);
int run_chat_agent_stream(struct request *r, struct store *db);
int run_chat_agent_typing(struct request *r, struct store *db);
int run_chat_agent_read(struct request *r, struct store *db);
int run_chat_end(struct request *r, struct store *db);
int prepare_chat_rating(struct request *r, struct store *db);
int run_chat_rating(struct request *r, struct store *db);
int prepare_chat_transcript(struct request *r, struct store *db);
int run_chat_transcript(struct request *r, struct store *db);
int prepare_chat_leave(struct request *r, struct store *db);
int run_chat_leave(struct request *r, struct store *db);
/* What a contact's GET shows of its web chat (store_chat_get's): its "chat"
 * object, {"channel_id", "verified", "ended_at", "rating"?}. */
json_t *chat_shown(const json_t *chat);
int prepare_chat_file(struct request *r, struct store *db);
/* Shared by handlers_chat*.c: the visitor's chat r->ids[0] (404 answered
 * when it is not theirs); its state as the visitor sees it; an event staged
 * for its streams (data taken); the staff's holder rule (404, 403 answered);
 * the visitor's and its address's allowance of messages (429 answered). */
int chat_visitor_chat(struct request *r, struct store *db, json_t **ret);
const char *chat_state(struct request *r, struct store *db, const json_t *chat);
int chat_stage(struct request *r, int64_t contact_id, enum chat_to to, const char *type, int64_t id, json_t *data);
int chat_agent_check(struct request *r, struct store *db);
bool chat_allowed(struct request *r, char kind, int per_visitor, int per_address);
bool chat_message_allowed(struct request *r);
/* handlers_chat_file.c: attachments in chats, both ways (docs/chat.md) */
int prepare_chat_attachment(struct request *r, struct store *db);
int run_chat_attachment(struct request *r, struct store *db);
int run_chat_attachment_get(struct request *r, struct store *db);
int prepare_chat_agent_attachment(struct request *r, struct store *db);
int run_chat_agent_attachment(struct request *r, struct store *db);
int run_chat_launcher(struct request *r, struct store *db);
int run_chat_frame(struct request *r, struct store *db);
/* A message just added to the contact (on the writer), sent to its chat's
 * streams once committed when the contact is a chat (a note never is). */
int chat_message_staged(struct request *r, struct store *db, int64_t contact_id, int64_t message_id);

/* handlers_export.c: the daily level-2 export and its schedule */
int run_export_l2(struct request *r, struct store *db);
int prepare_export_schedule(struct request *r, struct store *db);
int run_export_schedule_put(struct request *r, struct store *db);
int run_export_schedule_get(struct request *r, struct store *db);
int run_export_schedule_delete(struct request *r, struct store *db);

#endif
