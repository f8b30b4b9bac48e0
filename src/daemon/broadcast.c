/* Proactive incidents' broadcasts walked a batch at a time on the writer
 * (broadcast.h says how and why). */
#include "daemon/broadcast.h"
#include "daemon/log.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUE_AT_ONCE 16

/* What a template's variables read. */
struct fill {
	const json_t *update, *customer;
	char since[GC_TIME_LEN], expected_end[GC_TIME_LEN];
};

static const char *variable(const char *name, void *arg)
{
	const struct fill *f = arg;
	const char *v = NULL;
	if (strcmp(name, "customer.name") == 0)
		v = json_string_value(json_object_get(f->customer, "name"));
	else if (strcmp(name, "incident.title") == 0)
		v = json_string_value(json_object_get(f->update, "title"));
	else if (strcmp(name, "update.text") == 0)
		v = json_string_value(json_object_get(f->update, "text"));
	else if (strcmp(name, "incident.since") == 0)
		return f->since;
	else if (strcmp(name, "incident.expected_end") == 0)
		return f->expected_end;
	else
		return NULL;
	return v ? v : "";
}

/* The template of this kind in lang, else in the other language (broadcast.h). */
const json_t *broadcast_template_for(const json_t *templates, const char *kind, const char *lang)
{
	const json_t *t, *other = NULL;
	size_t i;
	json_array_foreach(templates, i, t) {
		if (strcmp(json_string_value(json_object_get(t, "kind")), kind) != 0)
			continue;
		if (strcmp(json_string_value(json_object_get(t, "lang")), lang) == 0)
			return t;
		other = t;
	}
	return other;
}

struct walk {
	const struct ops *o;
	struct store_scope scope;
	const json_t *update, *templates;
	int64_t mailbox_id;
	char from[256];
	int64_t sms_channel_id;    /* the tenant's SMS channel, 0: none */
	const char *channels;      /* "email", "sms", "social,sms,email"...: the first one a customer can take */
};

/* Where a customer's message goes on a messaging channel. */
struct peer {
	const char *channel; /* "sms", "social": the broadcast's and the contact's */
	int64_t channel_id;
	const char *address; /* a number in E.164, an account */
};

/* The template's subject filled for the customer (the SMS and the mail's subject). */
static char *filled(struct walk *w, const json_t *customer, const json_t *t, const char *member)
{
	struct fill f = {.update = w->update, .customer = customer};
	int64_t since = json_integer_value(json_object_get(w->update, "starts_at"));
	int64_t end = json_integer_value(json_object_get(w->update, "expected_end_at"));
	gc_time_format(since, f.since);
	if (end)
		gc_time_format(end, f.expected_end);
	return kb_fill(json_string_value(json_object_get(t, member)), variable, &f, NULL);
}

/* Queues the customer's mail; the row says it was. */
static int queue_mail(struct walk *w, const json_t *customer, const char *lang, struct store_broadcast_row *row)
{
	const char *kind = json_string_value(json_object_get(w->update, "kind"));
	const json_t *t = broadcast_template_for(w->templates, kind, lang);
	if (t == NULL)
		return GC_ESTATE; /* checked when planned; removed since */
	char *subject = filled(w, customer, t, "subject"), *body = filled(w, customer, t, "body");
	char message_id[400];
	const char *domain = strchr(w->from, '@');
	snprintf(message_id, sizeof(message_id), "guichet.incident.%lld.%lld.%lld.%lld@%s",
		 (long long)w->scope.tenant_id, (long long)row->incident_id, (long long)row->seq,
		 (long long)row->customer_id, domain ? domain + 1 : "guichet.invalid");
	struct store_outbox out = {.mailbox_id = w->mailbox_id, .message_id = message_id,
				   .to_address = json_string_value(json_object_get(customer, "email")),
				   .subject = subject, .body = body};
	int64_t id = 0;
	int rc = subject && body ? store_outbox_add(w->o->db, &w->scope, &out, &id) : GC_ENOMEM;
	if (rc == GC_OK)
		rc = store_broadcast_set_outbox(w->o->db, row, id);
	free(subject);
	free(body);
	return rc;
}

/* Queues the customer's SMS or social message: the template's subject,
 * short as a text is, as an outbound message of the contact that holds
 * this incident's messages to the customer on that channel (made, resolved,
 * for the first); the row says it was. */
static int queue_message(struct walk *w, const json_t *customer, const char *lang, const struct peer *to,
			 struct store_broadcast_row *row)
{
	const char *kind = json_string_value(json_object_get(w->update, "kind"));
	const json_t *t = broadcast_template_for(w->templates, kind, lang);
	if (t == NULL)
		return GC_ESTATE;
	char *text = filled(w, customer, t, "subject");
	if (text == NULL)
		return GC_ENOMEM;
	struct store *db = w->o->db;
	int64_t contact = 0, messaging_id = 0;
	json_t *message = NULL, *made = NULL;
	int rc = store_broadcast_message_contact(db, w->scope.tenant_id, row->incident_id, row->customer_id, to->channel,
						 &contact);
	if (rc == GC_ENOTFOUND) {
		char subject[300];
		snprintf(subject, sizeof(subject), "Incident: %s", json_string_value(json_object_get(w->update, "title")));
		struct contact_input in = {.channel = strcmp(to->channel, "sms") == 0 ? CHANNEL_SMS : CHANNEL_SOCIAL,
					   .customer_id = row->customer_id, .subject = subject};
		struct state_input resolved = {.state = CONTACT_RESOLVED, .disposition = STORE_INCIDENT_NOTICE,
					       .expected_version = -1};
		int linked = 0;
		if ((rc = store_contact_create(db, &w->scope, &in, &contact)) == GC_OK &&
		    (rc = store_contact_set_state(db, &w->scope, contact, &resolved, &made)) == GC_OK)
			rc = store_incident_link(db, &w->scope, contact, row->customer_id, gc_now_ms(), &linked);
		json_decref(made);
	}
	struct message_input msg = {.body = text, .outbound = true};
	if (rc == GC_OK)
		rc = store_contact_add_message(db, &w->scope, contact, &msg, false, &message);
	struct store_messaging_message out = {
		.channel_id = to->channel_id, .contact_id = contact,
		.message_id = json_integer_value(json_object_get(message, "id")), .direction = "outbound",
		.peer = to->address, .body = text, .state = "queued"};
	if (rc == GC_OK)
		rc = store_messaging_add(db, &w->scope, &out, &messaging_id);
	if (rc == GC_OK)
		rc = store_broadcast_set_messaging(db, row, messaging_id);
	json_decref(message);
	free(text);
	return rc;
}

static bool opted_out(const json_t *customer)
{
	const char *v = json_string_value(json_object_get(customer, "incident_messages"));
	return v && (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0);
}

/* The next channel of a list ("social,sms,email"), or NULL after the last. */
static const char *next_channel(const char *c)
{
	const char *comma = strchr(c, ',');
	return comma ? comma + 1 : NULL;
}

/* One customer: a row (once), and the message when the row is new, on the
 * first of the broadcast's channels the customer has an address on. */
static int one(struct walk *w, const json_t *customer, int *ret_queued)
{
	const char *lang = json_string_value(json_object_get(customer, "lang"));
	const char *email = json_string_value(json_object_get(customer, "email"));
	const char *phone = json_string_value(json_object_get(customer, "phone"));
	struct store_broadcast_row row = {
		.incident_id = json_integer_value(json_object_get(w->update, "incident_id")),
		.seq = json_integer_value(json_object_get(w->update, "seq")),
		.customer_id = json_integer_value(json_object_get(customer, "id")),
		.lang = lang && strcmp(lang, "fr") == 0 ? "fr" : "en", .channel = "none"};
	struct peer to = {0};
	char account[256];
	bool inserted = false;
	int rc = GC_OK;
	row.state = opted_out(customer) ? "skipped_opt_out" : "skipped_no_address";
	for (const char *c = w->channels; !opted_out(customer) && rc == GC_OK && c && *c; c = next_channel(c)) {
		if (strncmp(c, "email", 5) == 0 && w->mailbox_id && email && email[0]) {
			row.channel = "email";
		} else if (strncmp(c, "sms", 3) == 0 && w->sms_channel_id && phone && phone[0]) {
			row.channel = to.channel = "sms", to.channel_id = w->sms_channel_id, to.address = phone;
		} else if (strncmp(c, "social", 6) == 0) {
			rc = store_broadcast_social_account(w->o->db, w->scope.tenant_id, row.customer_id, &to.channel_id,
							    account, sizeof(account));
			if (rc == GC_OK)
				row.channel = to.channel = "social", to.address = account;
			else if (rc == GC_ENOTFOUND)
				rc = GC_OK;
		}
		if (strcmp(row.channel, "none") != 0) {
			row.state = "queued";
			break;
		}
	}
	if (rc == GC_OK)
		rc = store_broadcast_record(w->o->db, w->scope.tenant_id, &row, &inserted);
	if (rc == GC_OK && inserted && strcmp(row.channel, "none") != 0 &&
	    (rc = strcmp(row.channel, "email") == 0 ? queue_mail(w, customer, row.lang, &row)
						      : queue_message(w, customer, row.lang, &to, &row)) == GC_OK)
		++*ret_queued;
	return rc;
}

static int batch_size(const json_t *update)
{
	json_int_t rate = json_integer_value(json_object_get(update, "rate_per_minute"));
	json_int_t n = rate / 60;
	return n < 1 ? 1 : n > BROADCAST_MAX_BATCH ? BROADCAST_MAX_BATCH : (int)n;
}

/* One batch of one broadcast, and its cursor moved on. */
static int walk_one(const struct ops *o, const json_t *update, int *ret_queued)
{
	struct walk w = {.o = o, .update = update,
			 .scope = ops_channel_scope(json_integer_value(json_object_get(update, "tenant_id")), "broadcast")};
	w.channels = json_string_value(json_object_get(update, "channels"));
	int64_t incident = json_integer_value(json_object_get(update, "incident_id"));
	json_t *setup = NULL, *members = NULL;
	int rc = store_broadcast_mailbox(o->db, w.scope.tenant_id, &w.mailbox_id, w.from, sizeof(w.from));
	if (rc == GC_ENOTFOUND)
		rc = GC_OK; /* its mailbox removed since: the customers get no mail, and the report says so */
	if (rc == GC_OK && (rc = store_broadcast_messaging_channel(o->db, w.scope.tenant_id, "sms", &w.sms_channel_id)) ==
			   GC_ENOTFOUND)
		rc = GC_OK; /* the same for its SMS channel */
	if (rc == GC_OK)
		rc = store_incident_setup(o->db, w.scope.tenant_id, incident, &setup);
	int limit = batch_size(update);
	int64_t cursor = json_integer_value(json_object_get(update, "cursor"));
	if (rc == GC_OK) {
		w.templates = json_object_get(setup, "templates");
		rc = store_broadcast_audience(o->db, w.scope.tenant_id, incident, cursor, limit, &members);
	}
	size_t i;
	const json_t *c;
	json_array_foreach(members, i, c) {
		if (rc < 0)
			break;
		rc = one(&w, c, ret_queued);
		cursor = json_integer_value(json_object_get(c, "id"));
	}
	if (rc == GC_OK)
		rc = store_broadcast_advance(o->db, json_integer_value(json_object_get(update, "id")), cursor,
					     json_array_size(members) < (size_t)limit);
	json_decref(setup);
	json_decref(members);
	return rc;
}

int broadcast_tick(const struct ops *o, int64_t now, int *ret_queued)
{
	(void)now;
	json_t *due = NULL;
	int queued = 0, rc = store_broadcast_due(o->db, DUE_AT_ONCE, &due);
	size_t i;
	const json_t *u;
	json_array_foreach(due, i, u) {
		if (rc < 0 || (rc = store_savepoint(o->db)) < 0)
			break;
		int before = queued, walked = walk_one(o, u, &queued);
		if (walked == GC_OK) {
			store_release(o->db);
			continue;
		}
		/* this broadcast alone waits for the next walk (its template removed...): the others go on */
		store_rollback_to(o->db);
		queued = before;
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(u, "incident_id")));
		log_error("an incident's broadcast could not walk on", "incident", id, "error", gc_error_name(walked));
	}
	json_decref(due);
	*ret_queued = queued;
	return rc;
}
