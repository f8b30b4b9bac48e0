/* Request dispatch: route matching, authentication, permissions, body
 * decoding, the hand-off to the writer, and the answer (http.h). */
#include "daemon/http.h"
#include "channel/voice/wav.h"
#include "daemon/chat_file.h"
#include "daemon/authcache.h"
#include "daemon/cluster.h"
#include "daemon/handlers.h"
#include "daemon/handlers_callback.h"
#include "daemon/handlers_gesture.h"
#include "daemon/hashpool.h"
#include "daemon/log.h"
#include "daemon/peer.h"
#include "daemon/metrics.h"
#include "daemon/server.h"
#include "daemon/session.h"
#include "daemon/stream.h"
#include "daemon/web.h"
#include "daemon/writer.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/message.h"
#include "guichet/text.h"
#include "guichet/tz.h"

#include <assert.h>
#include <event2/buffer.h>
#include <event2/http_struct.h>
#include <sys/queue.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GET EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define PATCH EVHTTP_REQ_PATCH
#define DELETE EVHTTP_REQ_DELETE
#define PUT EVHTTP_REQ_PUT
#define W ROUTE_WRITE
#define J ROUTE_JSON
#define T ROUTE_TENANT
#define A ROUTE_AUTHZ
#define RT ROUTE_ROUTING
#define M ROUTE_MAIL
#define MB ROUTE_MAILBOX
#define R(method, pattern, flags, perm, prepare, run) \
	{method, pattern, flags, perm, prepare, NULL, NULL, run, #method " " pattern, 0, NULL}
/* a route whose body may be larger than its kind's limit (imports) */
#define RB(method, pattern, flags, perm, prepare, run, max_body) \
	{method, pattern, flags, perm, prepare, NULL, NULL, run, #method " " pattern, max_body, NULL}
/* a read that requests arriving together share (route_batch_fn) */
#define RR(method, pattern, flags, perm, run, run_batch) \
	{method, pattern, flags, perm, NULL, NULL, NULL, run, #method " " pattern, 0, run_batch}
/* a route whose slow part runs on the hashing pool */
#define RS(method, pattern, flags, perm, prepare, slow, busy, run) \
	{method, pattern, flags, perm, prepare, slow, busy, run, #method " " pattern, 0, NULL}

const struct route http_routes[] = {
	R(GET, "/healthz", ROUTE_PUBLIC, 0, NULL, run_healthz),
	R(GET, "/metrics", ROUTE_PLATFORM, 0, NULL, run_metrics), /* public on the metrics listener */
	RS(POST, "/api/v1/auth/login", ROUTE_PUBLIC | W | J, 0, login_precheck, login_verify, login_busy, run_login),
	R(POST, "/api/v1/auth/logout", W | A | RT, 0, NULL, run_logout),
	R(POST, "/api/v1/auth/switch", W | J | A | RT, 0, prepare_session_switch, run_session_switch),
	R(GET, "/api/v1/me", 0, 0, NULL, run_me),
	R(GET, "/api/v1/tenants", 0, 0, NULL, run_tenant_list),
	RS(POST, "/api/v1/tenants", ROUTE_PLATFORM | W | J, 0, prepare_tenant_create, hash_tenant_admin_password,
	   NULL, run_tenant_create),
	R(GET, "/api/v1/organisations", ROUTE_PLATFORM, 0, NULL, run_organisation_list),
	R(POST, "/api/v1/organisations", ROUTE_PLATFORM | W | J, 0, prepare_organisation_create,
	  run_organisation_create),
	R(POST, "/api/v1/memberships", ROUTE_PLATFORM | W | J | A | RT, 0, prepare_membership_grant,
	  run_membership_grant),
	R(GET, "/api/v1/users", T, PERM_USERS_READ, NULL, run_user_list),
	/* A: a new user is one more agent an outsourcer's supervisor manages (its live stream, stream.c) */
	RS(POST, "/api/v1/users", T | W | J | A, PERM_USERS_MANAGE, prepare_user_create, hash_user_password, NULL,
	   run_user_create),
	R(GET, "/api/v1/users/{id}", T, PERM_USERS_READ, NULL, run_user_get),
	R(POST, "/api/v1/users/{id}/role", T | W | J | A | RT, PERM_USERS_MANAGE, prepare_user_role, run_user_role),
	R(POST, "/api/v1/users/{id}/disable", T | W | A | RT, PERM_USERS_MANAGE, NULL, run_user_disable),
	R(POST, "/api/v1/users/{id}/enable", T | W | A, PERM_USERS_MANAGE, NULL, run_user_enable),
	RS(POST, "/api/v1/users/{id}/password", T | W | J | A, PERM_USERS_MANAGE, prepare_user_password,
	   hash_new_password, NULL, run_user_password),
	R(GET, "/api/v1/api-tokens", T, PERM_TOKENS_MANAGE, NULL, run_token_list),
	R(POST, "/api/v1/api-tokens", T | W | J, PERM_TOKENS_MANAGE, prepare_token_create, run_token_create),
	R(DELETE, "/api/v1/api-tokens/{id}", T | W | A, PERM_TOKENS_MANAGE, NULL, run_token_revoke),
	R(GET, "/api/v1/customers", T, PERM_CUSTOMERS_READ, NULL, run_customer_list),
	R(POST, "/api/v1/customers", T | W | J, PERM_CUSTOMERS_WRITE, prepare_customer_create,
	  run_customer_create),
	RB(POST, "/api/v1/customers/import", T | W | ROUTE_CSV, PERM_CUSTOMERS_IMPORT,
	   prepare_customer_import, run_customer_import, CUSTOMER_CSV_MAX_BYTES),
	R(GET, "/api/v1/customers/{id}", T, PERM_CUSTOMERS_READ, NULL, run_customer_get),
	R(GET, "/api/v1/customer-attributes", T, PERM_CUSTOMERS_READ, NULL, run_attr_policy_get),
	R(PATCH, "/api/v1/customer-attributes", T | W | J, PERM_USERS_MANAGE, prepare_attr_policy,
	  run_attr_policy_patch),
	R(PATCH, "/api/v1/customers/{id}", T | W | J, PERM_CUSTOMERS_WRITE, prepare_customer_update,
	  run_customer_update),
	R(GET, "/api/v1/contacts", T, PERM_CONTACTS_READ, NULL, run_contact_list),
	R(POST, "/api/v1/contacts", T | W | J | RT, PERM_CONTACTS_WRITE, prepare_contact_create,
	  run_contact_create),
	R(GET, "/api/v1/contacts/due", T, PERM_ROUTING_SUPERVISE, NULL, run_contacts_due),
	RR(GET, "/api/v1/contacts/{id}", T, PERM_CONTACTS_READ, run_contact_get, run_contact_get_batch),
	R(PATCH, "/api/v1/contacts/{id}", T | W | J, PERM_CONTACTS_WRITE, prepare_contact_update,
	  run_contact_update),
	R(POST, "/api/v1/contacts/{id}/state", T | W | J, PERM_CONTACTS_WRITE, prepare_contact_state,
	  run_contact_state),
	R(POST, "/api/v1/contacts/{id}/messages", T | W | J | M, PERM_CONTACTS_WRITE,
	  prepare_contact_message, run_contact_message),
	R(POST, "/api/v1/contacts/{id}/notes", T | W | J, PERM_CONTACTS_WRITE, prepare_contact_note,
	  run_contact_note),
	R(GET, "/api/v1/contacts/{id}/events", T, PERM_CONTACTS_READ, NULL, run_contact_events),
	R(GET, "/api/v1/contacts/{id}/journey", T, PERM_CONTACTS_READ, NULL, run_contact_journey),
	R(POST, "/api/v1/contacts/{id}/enqueue", T | W | J | RT, PERM_ROUTING_WORK, prepare_contact_enqueue,
	  run_contact_enqueue),
	R(POST, "/api/v1/contacts/{id}/accept", T | W | RT, PERM_ROUTING_WORK, NULL, run_contact_accept),
	R(POST, "/api/v1/contacts/{id}/reject", T | W | RT, PERM_ROUTING_WORK, NULL, run_contact_reject),
	R(POST, "/api/v1/contacts/{id}/wrapup", T | W | J | RT, PERM_ROUTING_WORK, prepare_contact_wrapup,
	  run_contact_wrapup),
	R(POST, "/api/v1/contacts/{id}/escalate", T | W | J | RT, PERM_ROUTING_WORK, prepare_contact_escalate,
	  run_contact_escalate),
	R(POST, "/api/v1/contacts/{id}/transfer", T | W | J | RT, PERM_ROUTING_WORK, prepare_contact_transfer,
	  run_contact_transfer),
	R(POST, "/api/v1/contacts/{id}/move", T | W | J | RT, PERM_ROUTING_SUPERVISE, prepare_contact_move,
	  run_contact_move),
	R(GET, "/api/v1/contacts/{id}/call", T | RT, PERM_CONTACTS_READ, NULL, run_call_get),
	R(POST, "/api/v1/contacts/{id}/call/hold", T | W | RT | ROUTE_CALL, PERM_ROUTING_WORK, NULL, run_call_hold),
	R(POST, "/api/v1/contacts/{id}/call/resume", T | W | RT | ROUTE_CALL, PERM_ROUTING_WORK, NULL, run_call_resume),
	R(POST, "/api/v1/contacts/{id}/call/transfer", T | W | J | RT, PERM_ROUTING_WORK, prepare_contact_transfer,
	  run_call_transfer),
	R(POST, "/api/v1/contacts/{id}/call/escalate", T | W | J | RT, PERM_ROUTING_WORK, prepare_contact_escalate,
	  run_call_escalate),
	R(POST, "/api/v1/contacts/{id}/abandon", T | W | RT, PERM_ROUTING_SUPERVISE, NULL, run_contact_abandon),
	R(GET, "/api/v1/contacts/{id}/routing", T | W | RT, PERM_ROUTING_READ, NULL, run_contact_routing),
	R(GET, "/api/v1/skills", T, PERM_ROUTING_READ, NULL, run_skill_list),
	R(POST, "/api/v1/skills", T | W | J, PERM_ROUTING_MANAGE, prepare_skill, run_skill_create),
	R(PATCH, "/api/v1/skills/{id}", T | W | J, PERM_ROUTING_MANAGE, prepare_skill, run_skill_rename),
	R(DELETE, "/api/v1/skills/{id}", T | W, PERM_ROUTING_MANAGE, NULL, run_skill_delete),
	R(GET, "/api/v1/queues", T, PERM_ROUTING_READ, NULL, run_queue_list),
	R(POST, "/api/v1/queues", T | W | J | RT, PERM_ROUTING_MANAGE, prepare_queue_create, run_queue_create),
	R(GET, "/api/v1/queues/stats", T | W | RT, PERM_ROUTING_READ, NULL, run_queue_stats),
	R(GET, "/api/v1/queues/{id}", T, PERM_ROUTING_READ, NULL, run_queue_get),
	R(PATCH, "/api/v1/queues/{id}", T | W | J | RT, PERM_ROUTING_MANAGE, NULL, run_queue_update),
	R(DELETE, "/api/v1/queues/{id}", T | W | RT, PERM_ROUTING_MANAGE, NULL, run_queue_delete),
	R(GET, "/api/v1/agents", T | W | RT, PERM_ROUTING_READ, NULL, run_agent_list),
	R(GET, "/api/v1/agents/me", T | W | RT, PERM_ROUTING_WORK, NULL, run_agent_me),
	R(POST, "/api/v1/agents/me/presence", T | W | J | RT, PERM_ROUTING_WORK, prepare_presence, run_presence_me),
	R(GET, "/api/v1/agents/{id}", T | W | RT, PERM_ROUTING_READ, NULL, run_agent_get),
	R(PUT, "/api/v1/agents/{id}", T | W | J | RT, PERM_ROUTING_MANAGE, prepare_agent_profile, run_agent_profile),
	R(POST, "/api/v1/agents/{id}/presence", T | W | J | RT, PERM_ROUTING_SUPERVISE, prepare_presence,
	  run_presence_force),
	R(GET, "/api/v1/events", T, PERM_ROUTING_WORK, NULL, run_events),
	R(GET, "/api/v1/rules", T, PERM_ROUTING_READ, NULL, run_rule_list),
	R(POST, "/api/v1/rules", T | W | J, PERM_ROUTING_MANAGE, prepare_rule, run_rule_create),
	R(GET, "/api/v1/rules/{id}", T, PERM_ROUTING_READ, NULL, run_rule_get),
	R(DELETE, "/api/v1/rules/{id}", T | W, PERM_ROUTING_MANAGE, NULL, run_rule_delete),
	R(GET, "/api/v1/channels/email", T, PERM_CHANNELS_MANAGE, NULL, run_mailbox_list),
	R(POST, "/api/v1/channels/email", T | W | J | MB, PERM_CHANNELS_MANAGE, prepare_mailbox, run_mailbox_create),
	R(GET, "/api/v1/channels/email/{id}", T, PERM_CHANNELS_MANAGE, NULL, run_mailbox_get),
	R(PATCH, "/api/v1/channels/email/{id}", T | W | J, PERM_CHANNELS_MANAGE, prepare_mailbox_update,
	  run_mailbox_update),
	R(DELETE, "/api/v1/channels/email/{id}", T | W | MB, PERM_CHANNELS_MANAGE, NULL, run_mailbox_delete),
	R(GET, "/api/v1/channels/messaging", T, PERM_CHANNELS_MANAGE, NULL, run_messaging_channel_list),
	R(POST, "/api/v1/channels/messaging", T | W | J, PERM_CHANNELS_MANAGE, prepare_messaging_channel,
	  run_messaging_channel_create),
	R(GET, "/api/v1/channels/messaging/{id}", T, PERM_CHANNELS_MANAGE, NULL, run_messaging_channel_get),
	R(PATCH, "/api/v1/channels/messaging/{id}", T | W | J, PERM_CHANNELS_MANAGE, prepare_messaging_channel_update,
	  run_messaging_channel_update),
	R(DELETE, "/api/v1/channels/messaging/{id}", T | W, PERM_CHANNELS_MANAGE, NULL, run_messaging_channel_delete),
	R(GET, "/api/v1/contacts/{id}/messaging", T, PERM_CONTACTS_READ, NULL, run_contact_messaging),
	R(GET, "/api/v1/channels/voice/numbers", T, PERM_CHANNELS_MANAGE, NULL, run_voice_number_list),
	R(POST, "/api/v1/channels/voice/numbers", T | W | J, PERM_CHANNELS_MANAGE, prepare_voice_number,
	  run_voice_number_create),
	R(GET, "/api/v1/channels/voice/numbers/{id}", T, PERM_CHANNELS_MANAGE, NULL, run_voice_number_get),
	R(PATCH, "/api/v1/channels/voice/numbers/{id}", T | W | J, PERM_CHANNELS_MANAGE, prepare_voice_number_update,
	  run_voice_number_update),
	R(DELETE, "/api/v1/channels/voice/numbers/{id}", T | W, PERM_CHANNELS_MANAGE, NULL, run_voice_number_delete),
	R(GET, "/api/v1/channels/voice/queues", T, PERM_CHANNELS_MANAGE, NULL, run_voice_queue_list),
	R(GET, "/api/v1/channels/voice/queues/{id}", T, PERM_CHANNELS_MANAGE, NULL, run_voice_queue_get),
	R(PUT, "/api/v1/channels/voice/queues/{id}", T | W | J, PERM_CHANNELS_MANAGE, prepare_voice_queue,
	  run_voice_queue_put),
	R(GET, "/api/v1/channels/voice/prompts", T, PERM_CHANNELS_MANAGE, NULL, run_voice_prompt_list),
	RB(POST, "/api/v1/channels/voice/prompts", T | W, PERM_CHANNELS_MANAGE, prepare_voice_prompt,
	   run_voice_prompt_create, VOICE_WAV_MAX_BYTES),
	R(GET, "/api/v1/channels/voice/prompts/{id}", T, PERM_CHANNELS_MANAGE, NULL, run_voice_prompt_get),
	R(GET, "/api/v1/channels/voice/prompts/{id}/audio", T, PERM_CHANNELS_MANAGE, NULL, run_voice_prompt_audio),
	R(DELETE, "/api/v1/channels/voice/prompts/{id}", T | W, PERM_CHANNELS_MANAGE, NULL, run_voice_prompt_delete),
	R(GET, "/api/v1/channels/voice/trunk", T, PERM_CHANNELS_MANAGE, NULL, run_voice_trunk_get),
	R(PUT, "/api/v1/channels/voice/trunk", T | W | J, PERM_CHANNELS_MANAGE, prepare_voice_trunk, run_voice_trunk_put),
	R(DELETE, "/api/v1/channels/voice/trunk", T | W, PERM_CHANNELS_MANAGE, NULL, run_voice_trunk_delete),
	R(PUT, "/api/v1/agents/{id}/sip", T | W | J, PERM_CHANNELS_MANAGE, prepare_voice_phone, run_voice_phone),
	R(GET, "/api/v1/contacts/{id}/recordings", T, PERM_RECORDINGS_LISTEN, NULL, run_contact_recordings),
	R(GET, "/api/v1/recordings/{id}/audio", T, PERM_RECORDINGS_LISTEN, NULL, run_recording_audio),
	R(GET, "/api/v1/recordings/settings", T, PERM_CHANNELS_MANAGE, NULL, run_recording_settings_get),
	R(PUT, "/api/v1/recordings/settings", T | W | J, PERM_CHANNELS_MANAGE, NULL, run_recording_settings_put),
	/* the providers' webhook: public, trusted by the channel's signature (handlers_messaging.c) */
	RB(POST, "/hooks/v1/messaging/{key}", ROUTE_PUBLIC | W | RT, 0, prepare_messaging_hook, run_messaging_hook,
	   64 * 1024),
	R(GET, "/api/v1/channels/chat", T, PERM_CHANNELS_MANAGE, NULL, run_chat_channel_list),
	R(POST, "/api/v1/channels/chat", T | W | J, PERM_CHANNELS_MANAGE, prepare_chat_channel, run_chat_channel_create),
	R(GET, "/api/v1/channels/chat/{id}", T, PERM_CHANNELS_MANAGE, NULL, run_chat_channel_get),
	R(PATCH, "/api/v1/channels/chat/{id}", T | W | J, PERM_CHANNELS_MANAGE, prepare_chat_channel_update,
	  run_chat_channel_update),
	R(DELETE, "/api/v1/channels/chat/{id}", T | W, PERM_CHANNELS_MANAGE, NULL, run_chat_channel_delete),
	R(POST, "/api/v1/channels/chat/{id}/secret", T | W, PERM_CHANNELS_MANAGE, NULL, run_chat_channel_secret),
	R(GET, "/api/v1/contacts/{id}/chat/stream", T, PERM_CONTACTS_READ, NULL, run_chat_agent_stream),
	R(POST, "/api/v1/contacts/{id}/chat/typing", T | J, PERM_CONTACTS_WRITE, NULL, run_chat_agent_typing),
	R(POST, "/api/v1/contacts/{id}/chat/read", T | W | J, PERM_CONTACTS_WRITE, NULL, run_chat_agent_read),
	RB(POST, "/api/v1/contacts/{id}/chat/attachments", T | W, PERM_CONTACTS_WRITE, prepare_chat_agent_attachment,
	   run_chat_agent_attachment, CHAT_FILE_MAX),
	R(POST, "/api/v1/contacts/{id}/email-reply", T | W | J | M, PERM_CONTACTS_WRITE, prepare_email_reply, run_email_reply),
	R(GET, "/api/v1/contacts/{id}/email-replies", T, PERM_CONTACTS_READ, NULL, run_email_replies),
	R(GET, "/api/v1/contacts/{id}/suggestion", T, PERM_CONTACTS_READ, NULL, run_contact_suggestion),
	R(GET, "/api/v1/contacts/{id}/attachments", T, PERM_CONTACTS_READ, NULL, run_contact_attachments),
	R(GET, "/api/v1/attachments/{id}", T, PERM_CONTACTS_READ, NULL, run_attachment_get),
	R(GET, "/api/v1/channels/email/attachment-limits", T, PERM_CHANNELS_MANAGE, NULL, run_attachment_limits_get),
	R(PUT, "/api/v1/channels/email/attachment-limits", T | W | J, PERM_CHANNELS_MANAGE, NULL,
	  run_attachment_limits_put),
	RS(POST, "/api/v1/channels/email/{id}/test", T, PERM_CHANNELS_MANAGE, prepare_mailbox_test, mailbox_login_test,
	   NULL, run_mailbox_test),
	R(GET, "/api/v1/exports/l2", T, PERM_ROUTING_SUPERVISE, NULL, run_export_l2),
	R(GET, "/api/v1/exports/l2/schedule", T, PERM_ROUTING_SUPERVISE, NULL, run_export_schedule_get),
	R(PUT, "/api/v1/exports/l2/schedule", T | W | J, PERM_ROUTING_SUPERVISE, prepare_export_schedule,
	  run_export_schedule_put),
	R(DELETE, "/api/v1/exports/l2/schedule", T | W, PERM_ROUTING_SUPERVISE, NULL, run_export_schedule_delete),
	R(GET, "/api/v1/calendar", T, PERM_ROUTING_SUPERVISE, NULL, run_calendar_get),
	R(PUT, "/api/v1/calendar", T | W | J, PERM_USERS_MANAGE, prepare_calendar, run_calendar_put),
	R(GET, "/api/v1/reports/same-day", T, PERM_ROUTING_SUPERVISE, NULL, run_report_same_day),
	R(GET, "/api/v1/reports/intervals", T, PERM_ROUTING_SUPERVISE, NULL, run_report_intervals),
	R(GET, "/api/v1/reports/summary", T, PERM_ROUTING_SUPERVISE, NULL, run_report_summary),
	R(POST, "/api/v1/callbacks", T | W | J | RT, PERM_CONTACTS_WRITE, NULL, run_callback_create),
	R(GET, "/api/v1/callbacks", T, PERM_CONTACTS_READ, NULL, run_callback_list),
	R(GET, "/api/v1/callbacks/settings", T, PERM_ROUTING_READ, NULL, run_callback_settings_get),
	R(PUT, "/api/v1/callbacks/settings", T | W | J, PERM_ROUTING_MANAGE, NULL, run_callback_settings_put),
	R(GET, "/api/v1/callbacks/{id}", T, PERM_CONTACTS_READ, NULL, run_callback_get),
	R(POST, "/api/v1/callbacks/{id}/cancel", T | W | RT, PERM_CONTACTS_WRITE, NULL, run_callback_cancel),
	R(POST, "/api/v1/callbacks/{id}/outcome", T | W | J | RT, PERM_ROUTING_WORK, NULL, run_callback_outcome),
	R(GET, "/api/v1/reports/callbacks", T, PERM_ROUTING_SUPERVISE, NULL, run_report_callbacks),
	R(POST, "/api/v1/contacts/{id}/gestures", T | W | J, PERM_CONTACTS_WRITE, NULL, run_gesture_create),
	R(GET, "/api/v1/contacts/{id}/gestures", T, PERM_CONTACTS_READ, NULL, run_contact_gestures),
	R(GET, "/api/v1/gestures", T, PERM_ROUTING_SUPERVISE, NULL, run_gesture_list),
	R(GET, "/api/v1/dispositions", T, PERM_CONTACTS_READ, NULL, run_dispositions_get),
	R(PUT, "/api/v1/dispositions", T | W | J, PERM_USERS_MANAGE, NULL, run_dispositions_put),
	R(GET, "/api/v1/gestures/settings", T, PERM_CONTACTS_READ, NULL, run_gesture_settings_get),
	R(PUT, "/api/v1/gestures/settings", T | W | J, PERM_USERS_MANAGE, NULL, run_gesture_settings_put),
	R(GET, "/api/v1/gestures/{id}", T, PERM_CONTACTS_READ, NULL, run_gesture_get),
	R(POST, "/api/v1/gestures/{id}/approve", T | W | J, PERM_ROUTING_SUPERVISE, NULL, run_gesture_approve),
	R(POST, "/api/v1/gestures/{id}/refuse", T | W | J, PERM_ROUTING_SUPERVISE, NULL, run_gesture_refuse),
	R(GET, "/api/v1/reports/gestures", T, PERM_ROUTING_SUPERVISE, NULL, run_report_gestures),
	R(GET, "/api/v1/reports/barometer", T, PERM_ROUTING_SUPERVISE, NULL, run_report_barometer),
	R(GET, "/api/v1/reports/reasons", T, PERM_ROUTING_SUPERVISE, NULL, run_report_reasons),
	R(GET, "/api/v1/reports/satisfaction", T, PERM_ROUTING_SUPERVISE, NULL, run_report_satisfaction),
	R(GET, "/api/v1/reports/knowledge", T, PERM_ROUTING_SUPERVISE, NULL, run_report_knowledge),
	R(GET, "/api/v1/reports/voice", T, PERM_ROUTING_SUPERVISE, NULL, run_report_voice),
	R(GET, "/api/v1/reports/voice/digest", T, PERM_ROUTING_SUPERVISE, NULL, run_voice_digest_get),
	R(PUT, "/api/v1/reports/voice/digest", T | W | J, PERM_ROUTING_SUPERVISE, prepare_voice_digest,
	  run_voice_digest_put),
	R(DELETE, "/api/v1/reports/voice/digest", T | W, PERM_ROUTING_SUPERVISE, NULL, run_voice_digest_delete),
	R(POST, "/public/v1/tenants/{id}/callbacks", ROUTE_PUBLIC | W | J | RT, 0, prepare_public_callback,
	  run_public_callback),
	R(GET, "/api/v1/audit", T, PERM_AUDIT_READ, NULL, run_audit_list),
	R(GET, "/api/v1/kb/search", T, PERM_KB_READ, NULL, run_kb_search),
	R(GET, "/api/v1/kb/items", T, PERM_KB_READ, NULL, run_kb_list),
	R(GET, "/api/v1/kb/items/{key}", T, PERM_KB_READ, NULL, run_kb_get),
	R(PUT, "/api/v1/kb/items/{key}", T | W | J, PERM_KB_WRITE, prepare_kb_put, run_kb_put),
	R(GET, "/api/v1/kb/items/{key}/versions/{id}", T, PERM_KB_WRITE, NULL, run_kb_version),
	R(POST, "/api/v1/kb/items/{key}/submit", T | W, PERM_KB_WRITE, NULL, run_kb_submit),
	R(POST, "/api/v1/kb/items/{key}/approve", T | W, PERM_KB_REVIEW, NULL, run_kb_approve),
	R(POST, "/api/v1/kb/items/{key}/reject", T | W, PERM_KB_REVIEW, NULL, run_kb_reject),
	R(POST, "/api/v1/kb/items/{key}/publish", T | W | ROUTE_KB, PERM_KB_REVIEW, NULL, run_kb_publish),
	R(POST, "/api/v1/kb/items/{key}/archive", T | W | ROUTE_KB, PERM_KB_REVIEW, NULL, run_kb_archive),
	R(POST, "/api/v1/kb/items/{key}/flag", T | W | J, PERM_KB_READ, NULL, run_kb_flag),
	R(GET, "/api/v1/kb/flags", T, PERM_KB_WRITE, NULL, run_kb_flags),
	R(POST, "/api/v1/kb/flags/{id}/resolve", T | W, PERM_KB_WRITE, NULL, run_kb_flag_resolve),
	R(PUT, "/api/v1/kb/settings", T | W | J, PERM_KB_REVIEW, NULL, run_kb_settings),
	RB(POST, "/api/v1/kb/import", T | W | ROUTE_LINES | ROUTE_KB, PERM_KB_WRITE, prepare_kb_import, run_kb_import,
	   HTTP_MAX_KB_IMPORT_BODY),
	R(GET, "/api/v1/kb/export", T, PERM_KB_READ, NULL, run_kb_export),
	RB(POST, "/api/v1/kb/learn", T | W | ROUTE_LINES, PERM_KB_WRITE, NULL, run_kb_learn, HTTP_MAX_KB_LEARN_BODY),
	R(GET, "/api/v1/kb/links", T, PERM_KB_WRITE, NULL, run_kb_links),
	R(DELETE, "/api/v1/kb/links", T | W, PERM_KB_WRITE, NULL, run_kb_link_remove),
	R(GET, "/api/v1/kb/thesaurus", T, PERM_KB_WRITE, NULL, run_kb_thesaurus),
	R(POST, "/api/v1/kb/thesaurus", T | W | J | ROUTE_KB, PERM_KB_WRITE, NULL, run_kb_synonym_add),
	R(DELETE, "/api/v1/kb/thesaurus", T | W | ROUTE_KB, PERM_KB_WRITE, NULL, run_kb_synonym_remove),
	R(DELETE, "/api/v1/kb/thesaurus/proposals", T | W, PERM_KB_WRITE, NULL, run_kb_proposal_refuse),
	R(GET, "/api/v1/kb/gaps", T, PERM_KB_WRITE, NULL, run_kb_gaps),
	R(POST, "/api/v1/kb/sessions", T | W | J, PERM_KB_READ, prepare_kb_session_start, run_kb_session_start),
	R(GET, "/api/v1/kb/sessions/{id}", T, PERM_KB_READ, NULL, run_kb_session_get),
	R(POST, "/api/v1/kb/sessions/{id}/answer", T | W | J | RT, PERM_KB_READ, NULL, run_kb_session_answer),
	R(POST, "/api/v1/kb/sessions/{id}/back", T | W, PERM_KB_READ, NULL, run_kb_session_back),
	R(POST, "/api/v1/kb/sessions/{id}/undo", T | W | J, PERM_KB_READ, NULL, run_kb_session_undo),
	R(POST, "/api/v1/kb/sessions/{id}/end", T | W | J | RT, PERM_KB_READ, NULL, run_kb_session_end),
	R(POST, "/api/v1/kb/training", T | W | J, PERM_KB_READ, prepare_kb_training, run_kb_training),
	R(GET, "/api/v1/kb/training/scenarios", T, PERM_KB_READ, NULL, run_kb_training_scenarios),
	R(GET, "/api/v1/kb/training/progress", T, PERM_KB_READ, NULL, run_kb_training_progress),
	R(GET, "/api/v1/contacts/{id}/diagnosis", T, PERM_CONTACTS_READ, NULL, run_contact_diagnosis),
	R(GET, "/public/v1/tenants/{id}/kb/search", ROUTE_PUBLIC, 0, NULL, run_public_search),
	R(POST, "/public/v1/tenants/{id}/kb/sessions", ROUTE_PUBLIC | W | J, 0, prepare_public_session,
	  run_public_session_start),
	R(POST, "/public/v1/tenants/{id}/kb/sessions/{id}/answer", ROUTE_PUBLIC | W | J, 0, prepare_public_step,
	  run_public_session_answer),
	R(POST, "/public/v1/tenants/{id}/kb/sessions/{id}/back", ROUTE_PUBLIC | W | J, 0, prepare_public_step,
	  run_public_session_back),
	R(POST, "/public/v1/tenants/{id}/kb/sessions/{id}/escalate", ROUTE_PUBLIC | W | J, 0, prepare_public_step,
	  run_public_session_escalate),
	R(POST, "/public/v1/tenants/{id}/kb/sessions/{id}/end", ROUTE_PUBLIC | W | J, 0, prepare_public_step,
	  run_public_session_end),
	R(POST, "/public/v1/tenants/{id}/kb/feedback", ROUTE_PUBLIC | W | J, 0, prepare_public_feedback,
	  run_public_feedback),
	R(POST, "/public/v1/tenants/{id}/escalate", ROUTE_PUBLIC | W | J | RT, 0, prepare_public_step,
	  run_public_escalate),
	R(GET, "/public/v1/tenants/{id}/portal", ROUTE_PUBLIC, 0, NULL, run_public_portal),
	R(GET, "/public/v1/tenants/{id}/kb/articles/{key}", ROUTE_PUBLIC, 0, NULL, run_public_article),
	/* incidents: agents read what is current; supervisors and tenant admins, who run the floor, publish */
	R(GET, "/api/v1/incidents", T, PERM_CONTACTS_READ, NULL, run_incident_list),
	R(POST, "/api/v1/incidents", T | W | J, PERM_ROUTING_SUPERVISE, NULL, run_incident_create),
	R(GET, "/api/v1/incidents/{id}", T, PERM_CONTACTS_READ, NULL, run_incident_get),
	R(PATCH, "/api/v1/incidents/{id}", T | W | J, PERM_ROUTING_SUPERVISE, NULL, run_incident_update),
	R(DELETE, "/api/v1/incidents/{id}", T | W, PERM_ROUTING_SUPERVISE, NULL, run_incident_delete),
	R(POST, "/api/v1/incidents/{id}/end", T | W, PERM_ROUTING_SUPERVISE, NULL, run_incident_end),
	/* proactive incidents: the audience, templates, broadcasts and report (handlers_broadcast.c) */
	R(PUT, "/api/v1/incidents/{id}/audience", T | W | J, PERM_ROUTING_SUPERVISE, NULL, run_incident_audience_put),
	R(PUT, "/api/v1/incidents/{id}/templates", T | W | J, PERM_ROUTING_SUPERVISE, NULL, run_incident_templates_put),
	R(GET, "/api/v1/incidents/{id}/broadcasts", T, PERM_ROUTING_SUPERVISE, NULL, run_incident_broadcasts),
	R(POST, "/api/v1/incidents/{id}/broadcasts", T | W | J, PERM_ROUTING_SUPERVISE, NULL, run_incident_broadcast),
	R(GET, "/api/v1/incidents/{id}/report", T, PERM_ROUTING_SUPERVISE, NULL, run_incident_report),
	/* the portal is a customer channel: its settings are the tenant admin's, as mailboxes are */
	R(GET, "/api/v1/portal", T, PERM_CHANNELS_MANAGE, NULL, run_portal_get),
	R(PUT, "/api/v1/portal", T | W | J, PERM_CHANNELS_MANAGE, NULL, run_portal_put),
	/* the web chat's visitors: public, each checks its channel's key and the visitor's token (handlers_chat.c) */
	R(GET, "/chat/v1/{key}/launcher.js", ROUTE_PUBLIC, 0, prepare_chat_file, run_chat_launcher),
	R(GET, "/chat/v1/{key}/frame", ROUTE_PUBLIC, 0, prepare_chat_file, run_chat_frame),
	R(GET, "/chat/v1/{key}/config", ROUTE_PUBLIC | W | RT, 0, prepare_chat_public, run_chat_config),
	R(POST, "/chat/v1/{key}/visitors", ROUTE_PUBLIC | W | J, 0, prepare_chat_visitor_new, run_chat_visitor_new),
	R(GET, "/chat/v1/{key}/chats", ROUTE_PUBLIC | W | RT, 0, prepare_chat_visitor, run_chat_list),
	R(POST, "/chat/v1/{key}/chats", ROUTE_PUBLIC | W | J | RT, 0, prepare_chat_create, run_chat_create),
	R(POST, "/chat/v1/{key}/chats/{id}/messages", ROUTE_PUBLIC | W | J, 0, prepare_chat_message, run_chat_message),
	R(POST, "/chat/v1/{key}/chats/{id}/end", ROUTE_PUBLIC | W | RT, 0, prepare_chat_visitor, run_chat_end),
	R(POST, "/chat/v1/{key}/chats/{id}/rating", ROUTE_PUBLIC | W | J, 0, prepare_chat_rating, run_chat_rating),
	R(POST, "/chat/v1/{key}/chats/{id}/transcript", ROUTE_PUBLIC | W | J | M, 0, prepare_chat_transcript,
	  run_chat_transcript),
	R(POST, "/chat/v1/{key}/messages", ROUTE_PUBLIC | W | J | RT, 0, prepare_chat_leave, run_chat_leave),
	R(GET, "/chat/v1/{key}/chats/{id}/stream", ROUTE_PUBLIC, 0, prepare_chat_visitor, run_chat_stream),
	R(POST, "/chat/v1/{key}/chats/{id}/typing", ROUTE_PUBLIC | J, 0, prepare_chat_typing, run_chat_typing),
	R(POST, "/chat/v1/{key}/chats/{id}/read", ROUTE_PUBLIC | W | J, 0, prepare_chat_read, run_chat_read),
	RB(POST, "/chat/v1/{key}/chats/{id}/attachments", ROUTE_PUBLIC | W, 0, prepare_chat_attachment, run_chat_attachment,
	   CHAT_FILE_MAX),
	R(GET, "/chat/v1/{key}/chats/{id}/attachments/{id}", ROUTE_PUBLIC, 0, prepare_chat_visitor, run_chat_attachment_get),
	R(POST, "/api/v1/wfm/erlang-c", T | J, PERM_WFM, NULL, run_wfm_erlang_c),
	R(POST, "/api/v1/wfm/staff", T | J, PERM_WFM, NULL, run_wfm_staff),
	R(POST, "/api/v1/wfm/erlang-a", T | J, PERM_WFM, NULL, run_wfm_erlang_a),
	R(POST, "/api/v1/wfm/plan", T | ROUTE_CSV, PERM_WFM, NULL, run_wfm_plan),
	R(POST, "/api/v1/wfm/overflow", T | ROUTE_CSV, PERM_WFM, NULL, run_wfm_overflow),
	R(GET, "/api/v1/wfm/history", T, PERM_WFM, NULL, run_wfm_history),
	R(GET, "/api/v1/wfm/forecast", T, PERM_WFM, NULL, run_wfm_forecast),
};
const size_t http_n_routes = sizeof(http_routes) / sizeof(http_routes[0]);

int reply(struct request *r, int status, json_t *obj)
{
	free(r->resp_text); /* an answer already written gives way (an error found at the flush) */
	r->resp_text = NULL;
	if (r->resp_body)
		evbuffer_free(r->resp_body);
	r->resp_body = NULL;
	json_decref(r->resp);
	r->status = status;
	r->resp = obj;
	return GC_OK;
}

static int status_code(int status)
{
	switch (status) {
	case 400: return GC_EINVAL;
	case 401: return GC_EAUTH;
	case 403: return GC_EFORBIDDEN;
	case 404: return GC_ENOTFOUND;
	case 409: return GC_ECONFLICT;
	case 412: return GC_ECONFLICT;
	case 413: return GC_ETOOBIG;
	case 422: return GC_ESTATE;
	case 429: return GC_EBUSY;
	default: return GC_ESTORE;
	}
}

/* The error's template and values, for a client to translate (docs/api.md). */
static void add_said(json_t *err, const struct gc_message *said)
{
	if (said == NULL || said->template == NULL)
		return;
	json_t *args = json_array();
	for (unsigned i = 0; i < said->n; i++)
		if (json_array_append_new(args, json_string(gc_message_value(said, i))) < 0) {
			json_decref(args); /* a value that is not UTF-8: the message alone */
			return;
		}
	json_object_set_new(err, "template", json_string(said->template));
	json_object_set_new(err, "args", args);
}

int reply_error_said(struct request *r, int status, const char *code, const char *field, const char *message,
		     const struct gc_message *said)
{
	json_t *err = json_pack("{s:s,s:s}", "code", code, "message", message);
	if (field && *field)
		json_object_set_new(err, "field", json_string(field));
	add_said(err, said);
	reply(r, status, json_pack("{s:o}", "error", err));
	return status_code(status);
}

int reply_error(struct request *r, int status, const char *code, const char *field,
		const char *fmt, ...)
{
	char message[512];
	struct gc_message said;
	va_list ap;
	va_start(ap, fmt);
	gc_message_format(message, sizeof(message), &said, fmt, ap);
	va_end(ap);
	return reply_error_said(r, status, code, field, message, &said);
}

int reply_decode_error(struct request *r, const struct decode_error *err)
{
	bool big = err->code == GC_ETOOBIG;
	return reply_error_said(r, big ? 413 : 400, big ? "too_large" : "invalid", err->field, err->message,
				decode_said(err));
}

int brand_only(struct request *r, struct store *db, const char *why)
{
	int64_t org = 0;
	int rc = store_report_viewer_organisation(db, &r->scope, &org);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	return org == 0 ? GC_OK : reply_error(r, 403, "forbidden", NULL, "%s", why);
}

int reply_store_error(struct request *r, struct store *db, int rc, const char *field)
{
	switch (rc) {
	case GC_ENOTFOUND:
		return reply_error(r, 404, "not_found", NULL, "no such %s in this tenant",
				   field ? field : "resource");
	case GC_ECONFLICT:
		if (*store_errmsg(db) == '\0')
			return reply_error(r, 409, "conflict", field, "conflicting update");
		return reply_error_said(r, 409, "conflict", field, store_errmsg(db), store_error_said(db));
	case GC_EFORBIDDEN:
		return reply_error(r, 403, "forbidden", field, "your role does not allow this%s%s",
				   *store_errmsg(db) ? ": " : "", store_errmsg(db));
	case GC_ESTATE:
		return reply_error_said(r, 422, "invalid_transition", field, store_errmsg(db), store_error_said(db));
	case GC_EINVAL:
		return reply_error_said(r, 422, "invalid", field, store_errmsg(db), store_error_said(db));
	case GC_ETOOBIG:
		return reply_error_said(r, 413, "too_large", field, store_errmsg(db), store_error_said(db));
	case GC_EMOVED: /* several nodes: the tenant's routing moved (cluster.h) */
		reply_header(r, "Retry-After", "1");
		return reply_error(r, 503, "routing_moved", NULL, "another node routes this tenant now: try again");
	default:
		log_error("storage error", "route", r->route ? r->route->label : "", "error",
			  store_errmsg(db));
		if (rc == GC_EIO || !store_reachable(db)) { /* the database is down: worth trying again */
			reply_header(r, "Retry-After", "5");
			return reply_error(r, 503, "storage_unavailable", NULL, "the database cannot be reached: try again");
		}
		return reply_error(r, 500, "internal", NULL, "internal error");
	}
}

struct ops request_ops(struct request *r, struct store *db)
{
	return (struct ops){.db = db, .router = writer_router(r->worker->server->writer)};
}

/* An ops error's template and values: the store's when its message is the
 * store's last refusal passed on (ops_fail(..., "%s", store_errmsg(db))),
 * otherwise its own (ops_fail), or none. */
const struct gc_message *ops_said(struct store *db, const struct ops_error *err)
{
	if (strcmp(err->message, store_errmsg(db)) == 0)
		return store_error_said(db);
	return err->said.template ? &err->said : NULL;
}

int reply_ops_error(struct request *r, struct store *db, const struct ops_error *err)
{
	if (err->message[0] == '\0' || err->rc == GC_ENOTFOUND)
		return reply_store_error(r, db, err->rc, err->field);
	switch (err->rc) {
	case GC_ESTATE:
		return reply_error_said(r, 422, "invalid_transition", err->field, err->message, ops_said(db, err));
	case GC_ECONFLICT:
		return reply_error_said(r, 409, "conflict", err->field, err->message, ops_said(db, err));
	case GC_EINVAL:
		return reply_error_said(r, 422, "invalid", err->field, err->message, ops_said(db, err));
	default:
		return reply_store_error(r, db, err->rc, err->field);
	}
}

int reply_input_error(struct request *r, struct store *db, const struct ops_error *err)
{
	if (err->rc == GC_EINVAL)
		return reply_error_said(r, 400, "invalid", err->field, err->message, ops_said(db, err));
	return reply_ops_error(r, db, err);
}

const char *query_get(struct request *r, const char *name)
{
	return evhttp_find_header(&r->query, name);
}

int query_int(struct request *r, const char *name, int64_t min, int64_t max, int64_t def,
	      int64_t *ret_value)
{
	const char *v = query_get(r, name);
	if (v == NULL) {
		*ret_value = def;
		return GC_OK;
	}
	if (gc_parse_i64(v, min, max, ret_value) < 0)
		return reply_error(r, 400, "invalid", name, "'%s' must be an integer from %lld to %lld",
				   name, (long long)min, (long long)max);
	return GC_OK;
}

int query_time(struct request *r, const char *zone, const char *name, int64_t def, int64_t *ret_value)
{
	const char *v = query_get(r, name);
	int32_t day;
	*ret_value = def;
	if (v == NULL)
		return GC_OK;
	if (strlen(v) == 10 && calendar_date_parse(v, &day) == GC_OK) {
		struct gc_local_time lt = {0};
		calendar_day_date(day, &lt.year, &lt.month, &lt.day);
		if (gc_tz_utc(zone ? zone : "UTC", &lt, ret_value) == GC_OK)
			return GC_OK;
	} else if (strlen(v) != 10 && gc_time_parse(v, ret_value) == GC_OK) {
		return GC_OK;
	}
	return reply_error(r, 400, "invalid", name, "'%s' is a date (YYYY-MM-DD, the tenant's day) or an RFC 3339 time",
			   name);
}

int query_span(struct request *r, struct store *db, int default_days, int max_days, int64_t *ret_from, int64_t *ret_to)
{
	int64_t now = gc_now_ms();
	char zone[GC_TZ_NAME_MAX];
	int rc = store_tenant_zone(db, r->scope.tenant_id, zone);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if ((rc = query_time(r, zone, "from", now - default_days * 86400000LL, ret_from)) < 0 ||
	    (rc = query_time(r, zone, "to", now + 1, ret_to)) < 0)
		return rc;
	if (*ret_from >= *ret_to || *ret_to - *ret_from > max_days * 86400000LL)
		return reply_error(r, 400, "invalid", "to", "to comes after from, at most %d days later", max_days);
	return GC_OK;
}

void report_span(json_t *report, int64_t from, int64_t to)
{
	char a[GC_TIME_LEN], b[GC_TIME_LEN];
	gc_time_format(from, a);
	gc_time_format(to, b);
	json_object_set_new(report, "from", json_string(a));
	json_object_set_new(report, "to", json_string(b));
}

void reply_header(struct request *r, const char *name, const char *value)
{
	conn_add_header(r->conn, name, value);
}

static void send_answer(struct request *r)
{
	struct conn *c = r->conn;
	conn_add_header(c, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
	conn_add_header(c, "X-Content-Type-Options", "nosniff");
	if (r->resp_body) {
		conn_reply_buffer(c, r->status, r->content_type ? r->content_type : "application/octet-stream",
				  r->resp_body);
	} else if (r->resp_text) {
		size_t len = strlen(r->resp_text);
		bool json = r->content_type && strcmp(r->content_type, "application/json") == 0;
		if (json) {
			char *text = realloc(r->resp_text, len + 2); /* the same final newline as other answers */
			if (text) {
				r->resp_text = text;
				text[len++] = '\n';
				text[len] = '\0';
			}
		}
		conn_reply(c, r->status, r->content_type ? r->content_type : "text/plain", r->resp_text, len);
	} else if (r->resp) {
		/* into one buffer first: jansson writes many small pieces */
		static _Thread_local char text[64 * 1024];
		size_t len = json_dumpb(r->resp, text, sizeof(text) - 1, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (len > 0 && len < sizeof(text) - 1) {
			text[len++] = '\n';
			conn_reply(c, r->status, "application/json", text, len);
		} else {
			char *big = json_dumps(r->resp, JSON_COMPACT | JSON_REAL_PRECISION(15));
			size_t big_len = big ? strlen(big) : 0;
			char *answer = big ? realloc(big, big_len + 2) : NULL;
			if (answer == NULL) {
				free(big);
				static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";
				conn_reply(c, 500, "application/json", oom, sizeof(oom) - 1);
				return;
			}
			answer[big_len++] = '\n';
			conn_reply(c, r->status, "application/json", answer, big_len);
			free(answer);
		}
	} else {
		conn_reply(c, r->status, NULL, NULL, 0);
	}
}

void http_finish(struct request *r)
{
	struct server *srv = r->worker->server;
	if (r->status == 0)
		reply_error(r, 500, "internal", NULL, "no answer");
	uint64_t ns = gc_monotonic_ns() - r->start_ns;
	metrics_count(r->route ? r->route_index : http_n_routes, r->status, ns);
	if (srv->config->access_log) {
		const char *path = conn_path(r->conn);
		log_request(r->route ? r->route->label : "unrouted", path ? path : "", r->status,
			    (double)ns / 1e6, r->scope.tenant_id, r->scope.actor[0] ? r->scope.actor : NULL);
	}
	if (!r->streaming)
		send_answer(r); /* after this, the connection may be gone */
	evhttp_clear_headers(&r->query);
	json_decref(r->body);
	json_decref(r->resp);
	json_decref(r->work);
	free(r->resp_text);
	if (r->resp_body)
		evbuffer_free(r->resp_body);
	free(r);
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* Matches path against pattern, collecting {id} segments into ids. */
/* An id of knowledge: 1 to 64 letters, digits, '.', '_' or '-'. */
static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static bool match(const char *pattern, const char *path, int64_t ids[2], char key[72])
{
	int n_ids = 0;
	while (*pattern && *path) {
		if (*pattern == '{' && strncmp(pattern, "{key}", 5) == 0) {
			size_t len = 0;
			while (key_char(path[len]))
				len++;
			if (len == 0 || len > 64 || (path[len] && path[len] != '/'))
				return false;
			memcpy(key, path, len);
			key[len] = '\0';
			pattern += 5;
			path += len;
		} else if (*pattern == '{' && strncmp(pattern, "{id}", 4) == 0) {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			char digits[21];
			if (len == 0 || len >= sizeof(digits) || n_ids == 2)
				return false;
			memcpy(digits, path, len);
			digits[len] = '\0';
			if (gc_parse_i64(digits, 1, INT64_MAX, &ids[n_ids++]) < 0)
				return false;
			pattern += 4;
			path += len;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

/* Finds the route; answers 404 or 405 and returns false when there is none. */
static bool find_route(struct request *r, const char *path)
{
	bool path_known = false;
	enum evhttp_cmd_type method = conn_method(r->conn);
	for (size_t i = 0; i < http_n_routes; i++) {
		if (!match(http_routes[i].pattern, path, r->ids, r->key))
			continue;
		path_known = true;
		if (http_routes[i].method == method) {
			r->route = &http_routes[i];
			r->route_index = i;
			return true;
		}
	}
	if (path_known)
		reply_error(r, 405, "method_not_allowed", NULL, "this method is not allowed here");
	else
		reply_error(r, 404, "not_found", NULL, "no such endpoint");
	return false;
}

/* The session cookie as the request's token, when there is no
 * Authorization header: a method other than GET or HEAD must carry the
 * session's CSRF token (session.h). */
static bool cookie_token(struct request *r)
{
	const char *cookies = conn_header(r->conn, "Cookie");
	if (session_cookie_get(cookies, SESSION_COOKIE, r->cookie_token, sizeof(r->cookie_token)) < 0) {
		reply_error(r, 401, "unauthorized", NULL,
			    "this call needs 'Authorization: Bearer TOKEN' or a session cookie");
		return false;
	}
	enum evhttp_cmd_type method = conn_method(r->conn);
	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD &&
	    !session_csrf_ok(r->cookie_token, conn_header(r->conn, SESSION_CSRF_HEADER))) {
		reply_error(r, 403, "csrf", SESSION_CSRF_HEADER,
			    "a request with the session cookie needs its CSRF token in " SESSION_CSRF_HEADER);
		return false;
	}
	r->token = r->cookie_token;
	r->by_cookie = true;
	return true;
}

static bool authenticate(struct request *r)
{
	const char *auth = conn_header(r->conn, "Authorization");
	if (auth == NULL) {
		if (!cookie_token(r))
			return false;
	} else if (strncasecmp(auth, "Bearer ", 7) != 0) {
		reply_error(r, 401, "unauthorized", NULL, "this call needs 'Authorization: Bearer TOKEN'");
		return false;
	} else {
		r->token = auth + 7;
	}
	char ip[64];
	snprintf(ip, sizeof(ip), "%s", r->scope.ip);
	const char *hint = conn_header(r->conn, "X-Guichet-Tenant");
	int64_t now = gc_now_ms();
	int rc = authcache_get(r->worker->auth, r->token, hint, now, &r->scope);
	if (rc == GC_ENOTFOUND) {
		uint64_t generation = authcache_generation(); /* before the lookup: see authcache.h */
		rc = store_auth_token(r->worker->db, r->token, hint, now, &r->scope);
		if (rc == GC_OK)
			authcache_put(r->worker->auth, r->token, hint, generation, &r->scope);
	}
	snprintf(r->scope.ip, sizeof(r->scope.ip), "%s", ip);
	if (rc == GC_EAUTH) {
		reply_error(r, 401, "unauthorized", NULL, "the token is unknown, expired or revoked");
		return false;
	}
	if (rc == GC_EFORBIDDEN) {
		reply_error(r, 403, "forbidden", "X-Guichet-Tenant", "you have no role in this tenant");
		return false;
	}
	if (rc < 0) {
		reply_store_error(r, r->worker->db, rc, NULL);
		return false;
	}
	return true;
}

static bool authorize(struct request *r)
{
	const struct route *rt = r->route;
	if ((rt->flags & ROUTE_PLATFORM) && !r->scope.platform_admin) {
		reply_error(r, 403, "forbidden", NULL, "only a platform admin may do this");
		return false;
	}
	if ((rt->flags & ROUTE_TENANT) && (r->scope.tenant_id == 0 || !r->scope.has_role)) {
		reply_error(r, 403, "forbidden", "X-Guichet-Tenant",
			    "choose a tenant where you have a role (X-Guichet-Tenant)");
		return false;
	}
	if (rt->perm && !role_can(r->scope.role, (enum permission)rt->perm)) {
		reply_error(r, 403, "forbidden", NULL, "the role %s does not allow this",
			    role_name(r->scope.role));
		return false;
	}
	return true;
}

static bool media_type_is(const char *content_type, const char *want)
{
	size_t len = strlen(want);
	return content_type && strncasecmp(content_type, want, len) == 0 &&
	       (content_type[len] == '\0' || content_type[len] == ';' || content_type[len] == ' ');
}

/* The most body bytes rt reads. */
static size_t route_max_body(const struct route *rt)
{
	if (rt->max_body)
		return rt->max_body;
	if (rt->flags & (ROUTE_CSV | ROUTE_LINES))
		return HTTP_MAX_CSV_BODY;
	return rt->flags & ROUTE_JSON ? HTTP_MAX_JSON_BODY : HTTP_MAX_OTHER_BODY;
}

static bool read_body(struct request *r)
{
	size_t len = 0;
	bool lines = r->route->flags & ROUTE_LINES;
	bool csv = (r->route->flags & ROUTE_CSV) || lines; /* both raw text, up to the larger limit */
	const char *type = conn_header(r->conn, "Content-Type");
	if (!(r->route->flags & (ROUTE_JSON | ROUTE_CSV | ROUTE_LINES)))
		return true; /* an upload's bytes stay in their chains (conn_body_buffer) */
	const char *data = conn_body(r->conn, &len);
	const char *want = lines ? "application/x-ndjson" : csv ? "text/csv" : "application/json";
	if (!media_type_is(type, want) && !(lines && media_type_is(type, "application/jsonl"))) {
		reply_error(r, 415, "unsupported_media_type", "Content-Type", "send %s", want);
		return false;
	}
	assert(len <= route_max_body(r->route)); /* conn.c refused a larger one before reading it */
	r->raw = data;
	r->raw_len = len;
	if (csv)
		return true;
	struct decode_error err = {0};
	if (decode_body(data, len, &r->body, &err) < 0) {
		reply_decode_error(r, &err);
		return false;
	}
	return true;
}

/* Reads the Idempotency-Key header of a write; answers 400 and returns
 * false when it is malformed. */
static bool idempotency_key(struct request *r)
{
	const char *key = conn_header(r->conn, "Idempotency-Key");
	if (key == NULL || (r->route->flags & ROUTE_PUBLIC))
		return true;
	size_t len = strlen(key);
	if (len == 0 || len > 128 || !gc_text_is_clean(key, false)) {
		reply_error(r, 400, "invalid", "Idempotency-Key", "an Idempotency-Key is 1 to 128 printable characters");
		return false;
	}
	r->idempotency_key = key;
	return true;
}

/* The route of method and path, or NULL. */
static const struct route *route_of(enum evhttp_cmd_type method, const char *path)
{
	int64_t ids[2];
	char key[72];
	for (size_t i = 0; i < http_n_routes; i++) {
		if (http_routes[i].method == method && match(http_routes[i].pattern, path, ids, key))
			return &http_routes[i];
	}
	return NULL;
}

size_t http_body_limit(void *worker, enum evhttp_cmd_type method, const char *path)
{
	if (method != EVHTTP_REQ_POST && method != EVHTTP_REQ_PUT && method != EVHTTP_REQ_PATCH)
		return HTTP_MAX_OTHER_BODY; /* no route reads a body there: GETs skip the route search */
	const struct route *rt = route_of(method, path);
	if (rt == NULL)
		return HTTP_MAX_OTHER_BODY;
	return route_max_body(rt);
}

/* The metrics listener serves /metrics and /healthz to anyone who reaches
 * it, and nothing else. */
static bool metrics_listener_allows(struct request *r)
{
	if (conn_tag(r->conn) != LISTENER_METRICS)
		return false;
	if (r->route->run != run_metrics && r->route->run != run_healthz) {
		reply_error(r, 404, "not_found", NULL, "this address serves /metrics and /healthz only");
		r->route = NULL;
		return false;
	}
	return true;
}

/* The client's address into r->scope.ip: the peer, or from X-Forwarded-For
 * when the peer is a trusted proxy (peer.h). */
static void client_address(struct request *r)
{
	const struct config *c = r->worker->server->config;
	const char *xff[PEER_MAX_HOPS];
	size_t n_xff = 0;
	if (conn_relayed(r->conn)) { /* another node of the cluster named the client */
		const char *client = conn_header(r->conn, "X-Forwarded-For");
		snprintf(r->scope.ip, sizeof(r->scope.ip), "%s", client ? client : "cluster");
		return;
	}
	if (c->n_trusted_proxies > 0) {
		for (const char *v; n_xff < PEER_MAX_HOPS && (v = conn_header_nth(r->conn, "X-Forwarded-For", (int)n_xff));)
			xff[n_xff++] = v;
	}
	peer_client_address(conn_peer(r->conn), xff, n_xff, c->trusted_proxies, c->n_trusted_proxies, r->scope.ip,
			    sizeof(r->scope.ip));
}

bool http_trusted_proxy(void *worker, const char *address)
{
	const struct config *c = ((struct worker *)worker)->server->config;
	struct peer_addr a;
	if (c->n_trusted_proxies == 0 || peer_addr_parse(address, strlen(address), &a) < 0)
		return false;
	for (size_t i = 0; i < c->n_trusted_proxies; i++) {
		if (peer_net_contains(&c->trusted_proxies[i], &a))
			return true;
	}
	return false;
}

static void finish_on_worker(evutil_socket_t fd, short what, void *arg)
{
	http_finish(arg);
}

static void run_on_worker(evutil_socket_t fd, short what, void *arg)
{
	struct request *r = arg;
	r->route->run(r, r->worker->db);
	http_finish(r);
}

/* After the slow part, on the pool thread: on to the writer, or back to
 * the worker that owns the connection. */
static void slow_done(void *arg)
{
	struct request *r = arg;
	if (r->status == 0 && (r->route->flags & ROUTE_WRITE))
		writer_submit(r->worker->server->writer, r);
	else
		event_base_once(r->worker->base, -1, EV_TIMEOUT, r->status ? finish_on_worker : run_on_worker, r, NULL);
}

/* The tenant of a public route that uses the routing engine, into
 * r->scope: /public/v1/tenants/{id}/... names it, /chat/v1/{key}/... names
 * its chat channel, /hooks/v1/messaging/{key} its SMS or social channel.
 * False when there is none (prepare answers 404). */
static bool public_tenant(struct request *r)
{
	if (r->key[0] == '\0') {
		r->scope.tenant_id = r->ids[0];
		return true;
	}
	json_t *channel = NULL;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int rc = strncmp(r->route->pattern, "/hooks/", 7) == 0
			 ? store_messaging_channel_by_key(r->worker->db, r->key, &channel, &sealed, &sealed_len)
			 : store_chat_channel_by_key(r->worker->db, r->key, &channel, NULL, NULL);
	free(sealed);
	if (rc < 0)
		return false;
	r->scope.tenant_id = json_integer_value(json_object_get(channel, "tenant_id"));
	json_decref(channel);
	return true;
}

/* The tenant a platform request acting on a tenant's routing names in its
 * body's "tenant" (a membership granted there takes its user out of that
 * tenant's routing): false when it names none that exists, which its
 * handler answers. */
static bool named_tenant(struct request *r, int64_t *ret_tenant)
{
	const char *name = json_string_value(json_object_get(r->body, "tenant"));
	return name && store_tenant_find(r->worker->db, name, ret_tenant) == GC_OK;
}

/* Reads of a route_batch_fn wait for the end of the loop's turn: the
 * requests that arrived in the same turn (the connections epoll found
 * ready together) go to the database together. The batch event, made
 * active by the first, runs after the callbacks already due; a batch that
 * is full, or a read of another route, runs the waiting ones first. */
static void run_batch(struct worker *w)
{
	int n = w->n_batch;
	if (n == 0)
		return;
	struct request *rs[HTTP_READ_BATCH];
	memcpy(rs, w->batch, (size_t)n * sizeof(*rs));
	w->n_batch = 0;
	atomic_fetch_add(&w->server->read_batches, 1);
	atomic_fetch_add(&w->server->batched_reads, (unsigned long long)n);
	rs[0]->route->run_batch(rs, n, w->db);
	for (int k = 0; k < n; k++)
		http_finish(rs[k]);
}

void http_run_batch(evutil_socket_t fd, short what, void *worker)
{
	run_batch(worker);
}

static void batch_add(struct worker *w, struct request *r)
{
	if (w->n_batch == HTTP_READ_BATCH || (w->n_batch > 0 && w->batch[0]->route != r->route))
		run_batch(w);
	w->batch[w->n_batch++] = r;
	if (w->n_batch == 1)
		event_active(w->batch_event, EV_TIMEOUT, 1);
}

/* Runs the route once its request is authorized and decoded; false when
 * the answer is ready to be sent now. */
static bool run_route(struct request *r)
{
	struct worker *worker = r->worker;
	const struct route *rt = r->route;
	bool handed = (rt->flags & ROUTE_ROUTING) && worker->server->cluster;
	if (handed && (rt->flags & ROUTE_PUBLIC))
		handed = public_tenant(r); /* that tenant's node serves it */
	int64_t tenant = r->scope.tenant_id;
	if (handed && (rt->flags & ROUTE_PLATFORM))
		handed = named_tenant(r, &tenant); /* the node routing the tenant it names serves it */
	int where = handed && tenant != 0 ? cluster_route(worker->server->cluster, r, tenant) : 0;
	if (where != 0)
		return where > 0; /* handed to the node that routes the tenant, or answered */
	if (rt->prepare && rt->prepare(r, worker->db) != 0)
		return false; /* prepare answered */
	if ((rt->flags & ROUTE_WRITE) && !idempotency_key(r))
		return false; /* a malformed key was answered */
	if (rt->slow) {
		if (hashpool_submit(worker->server->hashpool, rt->slow, slow_done, r) == GC_OK)
			return true;
		if (rt->busy == NULL || rt->busy(r, worker->db) == 0) {
			reply_header(r, "Retry-After", "1");
			reply_error(r, 503, "busy", NULL, "too many requests of this kind at once: try again in a second");
		}
		return false;
	}
	if (rt->flags & ROUTE_WRITE) {
		writer_submit(worker->server->writer, r);
		return true;
	}
	if (rt->run_batch) {
		batch_add(worker, r);
		return true;
	}
	rt->run(r, worker->db);
	return false;
}

/* Whether the request is a GET of the front end (web.h) on the API's listener. */
static bool web_path_claimed(struct request *r, const char *path)
{
	enum evhttp_cmd_type method = conn_method(r->conn);
	return (method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD) && conn_tag(r->conn) == LISTENER_API &&
	       web_claims(path);
}

void http_dispatch(void *arg, struct conn *c)
{
	struct worker *worker = arg;
	/* the decoded input (r->in) is written by prepare before it is read:
	 * zeroing only what comes before it saves a third of the struct */
	struct request *r = malloc(sizeof(*r));
	if (r == NULL) {
		static const char oom[] = "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"try again\"}}\n";
		conn_reply(c, 503, "application/json", oom, sizeof(oom) - 1);
		return;
	}
	atomic_fetch_add(&worker->server->in_flight, 1);
	memset(r, 0, offsetof(struct request, in));
	r->conn = c;
	r->worker = worker;
	r->start_ns = gc_monotonic_ns();
	TAILQ_INIT(&r->query);
	client_address(r);
	const char *path = conn_path(c), *query = conn_query(c);
	if (atomic_load(&worker->server->draining)) {
		reply_error(r, 503, "shutting_down", NULL, "the server is shutting down");
	} else if (path && web_path_claimed(r, path)) {
		web_serve(r, worker->server->config->web_dir, path);
	} else if (query && evhttp_parse_query_str(query, &r->query) < 0) {
		reply_error(r, 400, "invalid", NULL, "malformed query string");
	} else if (path && find_route(r, path) &&
		   (metrics_listener_allows(r) || (r->route && ((r->route->flags & ROUTE_PUBLIC) ||
							       (authenticate(r) && authorize(r))))) &&
		   read_body(r)) {
		if (run_route(r))
			return; /* answered later, by the writer or the hashing pool */
	} else if (path == NULL && r->status == 0) {
		reply_error(r, 400, "invalid", NULL, "no path");
	}
	http_finish(r);
}
