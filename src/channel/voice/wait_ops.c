/* A waiting caller's announcements, virtual hold and the current
 * incident's voice text, on the writer (wait_ops.h). */
#include "channel/voice/wait_ops.h"
#include "channel/voice/announce.h"
#include "daemon/broadcast.h"
#include "daemon/callback.h"
#include "daemon/router.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCIDENT_TEXT_MAX 600 /* bytes of an incident said before the menu */

static int event(const struct ops *o, const struct store_scope *scope, int64_t contact_id, const char *type,
		 json_t *data)
{
	int rc = data ? store_voice_event(o->db, scope, contact_id, type, data) : GC_ENOMEM;
	json_decref(data);
	return rc;
}

/* The contact's place while it waits in a queue: GC_ESTATE otherwise. */
static int place(const struct ops *o, const struct store_scope *scope, int64_t contact_id, int64_t *ret_queue,
		 int64_t *ret_position, int64_t *ret_expected_s)
{
	json_t *view = NULL;
	int rc = router_contact_view(o->router, scope, contact_id, &view);
	const char *state = json_string_value(json_object_get(view, "state"));
	if (rc == GC_OK && (state == NULL || strcmp(state, "waiting") != 0))
		rc = GC_ESTATE;
	if (rc == GC_OK) {
		const json_t *expected = json_object_get(view, "expected_wait_s");
		*ret_queue = json_integer_value(json_object_get(view, "queue_id"));
		*ret_position = json_integer_value(json_object_get(view, "position"));
		*ret_expected_s = json_is_integer(expected) ? json_integer_value(expected) : -1;
	}
	json_decref(view);
	return rc == GC_ENOTFOUND ? GC_ESTATE : rc;
}

int voice_wait_announce(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	int64_t queue = 0, position = 0, expected = -1;
	int rc = place(o, &scope, t->contact_id, &queue, &position, &expected);
	if (rc == GC_OK)
		rc = voice_announce_phrase(t->lang, position, expected, job->key, job->text, sizeof(job->text));
	if (rc < 0) {
		job->text[0] = '\0';
		return rc;
	}
	json_t *data = json_pack("{s:I,s:I,s:s}", "position", (json_int_t)position, "queue_id", (json_int_t)queue,
				 "text", job->text);
	if (data)
		json_object_set_new(data, "expected_wait_s", expected >= 0 ? json_integer(expected) : json_null());
	return event(o, &scope, t->contact_id, "call_position_announced", data);
}

int voice_wait_callback(struct voice_job *job, const struct ops *o)
{
	struct voice_ticket *t = job->ticket;
	struct store_scope scope = ops_channel_scope(t->tenant_id, "voice");
	int64_t queue = 0, position = 0, expected = -1;
	int rc = place(o, &scope, t->contact_id, &queue, &position, &expected);
	if (rc < 0)
		return rc;
	char context[128];
	snprintf(context, sizeof(context), "Asked by pressing %c while waiting in the queue (call #%lld).", job->key,
		 (long long)t->contact_id);
	/* the caller's key already (voice.c), perhaps the digits a trunk sent: lenient */
	struct callback_request in = {.phone = t->caller, .context = context, .source = "phone", .queue_id = queue,
				      .since = t->queued_at, .lenient = true};
	int64_t id = 0;
	bool existing = false;
	struct ops_error err = {0};
	if ((rc = callback_request(o, &scope, &in, &id, &existing, &err)) < 0)
		return rc;
	json_t *cb = NULL;
	if ((rc = store_callback_get(o->db, &scope, id, &cb)) < 0)
		return rc;
	int64_t cb_contact = json_integer_value(json_object_get(cb, "contact_id"));
	json_decref(cb);
	if ((rc = router_leave(o->router, o->db, &scope, t->contact_id, "callback_requested")) < 0)
		return rc;
	char key[2] = {job->key, '\0'};
	rc = event(o, &scope, t->contact_id, "call_callback_requested",
		   json_pack("{s:I,s:I,s:s,s:I,s:I}", "callback_id", (json_int_t)id, "callback_contact_id",
			     (json_int_t)cb_contact, "key", key, "queue_id", (json_int_t)queue, "waited_s",
			     (json_int_t)((gc_now_ms() - t->queued_at) / 1000)));
	if (rc == GC_OK)
		rc = event(o, &scope, cb_contact, "callback_from_call",
			   json_pack("{s:I}", "call_contact_id", (json_int_t)t->contact_id));
	if (rc == GC_OK)
		snprintf(job->text, sizeof(job->text), "%s", voice_announce_callback_confirmed(t->lang));
	return rc;
}

/* --- the current incident --- */

struct fill {
	const json_t *incident, *update;
};

static const char *variable(const char *name, void *arg)
{
	const struct fill *f = arg;
	const char *v = NULL;
	if (strcmp(name, "incident.title") == 0)
		v = json_string_value(json_object_get(f->incident, "title"));
	else if (strcmp(name, "update.text") == 0)
		v = json_string_value(json_object_get(f->update, "text"));
	else if (strcmp(name, "incident.since") == 0)
		v = json_string_value(json_object_get(f->incident, "starts_at"));
	else if (strcmp(name, "incident.expected_end") == 0)
		v = json_string_value(json_object_get(f->incident, "expected_end_at"));
	else if (strcmp(name, "customer.name") != 0)
		return NULL;
	return v ? v : "";
}

/* The latest update broadcast, or NULL. */
static const json_t *latest_update(const json_t *broadcasts)
{
	const json_t *b, *last = NULL;
	size_t i;
	json_array_foreach(broadcasts, i, b)
		if (strcmp(json_string_value(json_object_get(b, "kind")), "update") == 0)
			last = b;
	return last;
}

/* The incident's voice text into ret. */
static int say_incident(const struct ops *o, const struct store_scope *scope, int64_t id, const char *lang, char *ret,
			size_t len)
{
	json_t *incident = NULL, *setup = NULL, *broadcasts = NULL;
	int rc = store_incident_get(o->db, scope, id, &incident);
	if (rc == GC_OK)
		rc = store_incident_setup(o->db, scope->tenant_id, id, &setup);
	if (rc == GC_OK)
		rc = store_broadcast_list(o->db, scope->tenant_id, id, &broadcasts);
	if (rc == GC_OK) {
		struct fill f = {.incident = incident, .update = latest_update(broadcasts)};
		const json_t *templates = json_object_get(setup, "templates");
		const json_t *t = f.update ? broadcast_template_for(templates, "update", lang) : NULL;
		if (t == NULL)
			t = broadcast_template_for(templates, "declaration", lang);
		char *filled = t ? kb_fill(json_string_value(json_object_get(t, "subject")), variable, &f, NULL) : NULL;
		const char *update = json_string_value(json_object_get(f.update, "text"));
		if (filled)
			snprintf(ret, len, "%s", filled);
		else
			snprintf(ret, len, "%s%s%s", json_string_value(json_object_get(incident, "title")),
				 update ? ". " : "", update ? update : "");
		free(filled);
	}
	json_decref(incident);
	json_decref(setup);
	json_decref(broadcasts);
	return rc;
}

int voice_incident_text(const struct ops *o, const struct store_scope *scope, int64_t contact_id, const char *lang,
			char *ret, size_t len)
{
	ret[0] = '\0';
	json_t *contact = NULL;
	int rc = store_contact_get(o->db, scope, contact_id, &contact);
	if (rc < 0)
		return rc;
	const json_t *linked = NULL, *l;
	size_t i;
	json_array_foreach(json_object_get(contact, "incidents"), i, l)
		if (linked == NULL && json_is_null(json_object_get(l, "ended_at")))
			linked = l;
	int64_t id = json_integer_value(json_object_get(linked, "id"));
	json_decref(contact);
	if (id == 0)
		return GC_OK;
	char text[INCIDENT_TEXT_MAX];
	if ((rc = say_incident(o, scope, id, lang, text, len < sizeof(text) ? len : sizeof(text))) < 0)
		return rc;
	rc = event(o, scope, contact_id, "call_incident_announced",
		   json_pack("{s:I,s:s}", "incident_id", (json_int_t)id, "text", text));
	if (rc == GC_OK)
		snprintf(ret, len, "%s", text);
	return rc;
}
