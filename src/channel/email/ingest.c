/* Taking one email into its tenant, exactly once (ingest.h). */
#include "channel/email/ingest.h"
#include "guichet/message.h"
#include "channel/email/ack.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/rules.h"
#include "guichet/text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_WINDOW_MS (7LL * 86400 * 1000)

int64_t email_subject_token(const char *subject)
{
	for (const char *p = subject ? strstr(subject, "[#") : NULL; p; p = strstr(p + 2, "[#")) {
		char *end;
		long long id = strtoll(p + 2, &end, 10);
		if (end > p + 2 && *end == ']' && id > 0 && isdigit((unsigned char)p[2]))
			return id;
	}
	return 0;
}

/* Reply and forward prefixes in the languages guichet's users write:
 * Re, Fw, Fwd, Tr (French), Aw and Wg (German), Sv (Nordic), Rif (Italian),
 * Enc (Portuguese), R (Outlook's Italian), each maybe numbered "Re[2]:". */
static size_t prefix_length(const char *s)
{
	static const char *const prefixes[] = {"re", "fwd", "fw", "tr", "aw", "wg", "sv", "rif", "enc", "r"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncasecmp(s, prefixes[i], n) != 0)
			continue;
		const char *p = s + n;
		if (*p == '[') { /* Re[2]: */
			while (isdigit((unsigned char)*++p))
				;
			if (*p++ != ']')
				continue;
		}
		while (*p == ' ')
			p++;
		if (*p == ':')
			return (size_t)(p + 1 - s);
	}
	return 0;
}

bool email_subject_answers(const char *subject)
{
	static const char *const replies[] = {"re", "aw", "sv", "rif", "r"};
	const char *p = subject ? subject : "";
	while (*p == ' ' || *p == '\t')
		p++;
	if (prefix_length(p) == 0)
		return false;
	size_t word = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++)
		if (word == strlen(replies[i]) && strncasecmp(p, replies[i], word) == 0)
			return true;
	return false;
}

void email_subject_key(const char *subject, char *ret, size_t len)
{
	size_t n = 0;
	const char *p = subject ? subject : "";
	for (;;) { /* prefixes, tokens and spaces at the start, in any order */
		while (*p == ' ' || *p == '\t')
			p++;
		size_t skip = prefix_length(p);
		if (skip == 0 && p[0] == '[' && p[1] == '#') {
			const char *close = strchr(p, ']');
			skip = close ? (size_t)(close + 1 - p) : 0;
		}
		if (skip == 0)
			break;
		p += skip;
	}
	bool space = false;
	for (; *p && n + 1 < len; p++) {
		if (p[0] == '[' && p[1] == '#' && strchr(p, ']')) { /* a token later in the subject */
			p = strchr(p, ']');
			continue;
		}
		if (isspace((unsigned char)*p)) {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < len)
			ret[n++] = ' ';
		space = false;
		ret[n++] = (char)tolower((unsigned char)*p);
	}
	ret[n] = '\0';
}

/* The contact of a Message-ID the tenant took or sent, or 0. */
static int64_t by_message_id(const struct ops *o, const struct store_scope *scope, const char *id, int *rc)
{
	int64_t contact = 0;
	if (id == NULL || *id == '\0' || *rc < 0)
		return 0;
	int r = store_email_contact(o->db, scope, id, &contact);
	if (r < 0 && r != GC_ENOTFOUND)
		*rc = r;
	return r == GC_OK ? contact : 0;
}

struct same_subject {
	const char *key;
	int64_t found;
};

static bool match_subject(int64_t contact_id, const char *subject, const char *state, void *arg)
{
	struct same_subject *s = arg;
	char key[512];
	email_subject_key(subject, key, sizeof(key));
	if (strcmp(state, "closed") != 0 && key[0] && strcmp(key, s->key) == 0) {
		s->found = contact_id;
		return false;
	}
	return true;
}

/* The contact's customer and whether it is closed; GC_ENOTFOUND when the
 * tenant has no such contact. */
static int contact_facts(const struct ops *o, const struct store_scope *scope, int64_t id, int64_t *ret_customer,
			 bool *ret_closed)
{
	json_t *c = NULL;
	int rc = store_contact_get(o->db, scope, id, &c);
	if (rc < 0)
		return rc;
	*ret_customer = json_integer_value(json_object_get(c, "customer_id"));
	*ret_closed = strcmp(json_string_value(json_object_get(c, "state")), "closed") == 0;
	json_decref(c);
	return GC_OK;
}

/* Rules 1 to 3 (ingest.h): the contact the email joins, or 0. */
static int thread(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
		  const struct email_in *m, int64_t customer, int64_t *ret)
{
	int rc = GC_OK;
	int64_t found = by_message_id(o, scope, m->in_reply_to, &rc);
	for (size_t i = m->n_references; found == 0 && i > 0; i--)
		found = by_message_id(o, scope, m->references[i - 1], &rc);
	int64_t token = found || rc < 0 ? 0 : email_subject_token(m->subject);
	if (token) {
		int64_t owner = 0;
		bool closed = false;
		int r = contact_facts(o, scope, token, &owner, &closed);
		if (r < 0 && r != GC_ENOTFOUND)
			return r;
		/* only the contact's own customer, or the mail system reporting on our email */
		if (r == GC_OK && ((customer && owner == customer) || m->bounce))
			found = token;
	}
	if (found == 0 && rc == GC_OK && customer && !m->bounce) {
		char key[512];
		email_subject_key(m->subject, key, sizeof(key));
		struct same_subject same = {key, 0};
		int64_t window = src->thread_window_ms > 0 ? src->thread_window_ms : DEFAULT_WINDOW_MS;
		if (key[0])
			rc = store_email_recent_contacts(o->db, scope, customer, gc_now_ms() - window, match_subject, &same);
		found = same.found;
	}
	if (rc == GC_OK && found) { /* a closed contact stays closed: the email makes a new one */
		int64_t owner = 0;
		bool closed = false;
		rc = contact_facts(o, scope, found, &owner, &closed);
		if (rc == GC_OK && closed)
			found = 0;
	}
	*ret = found;
	return rc;
}

static int record(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
		  const struct email_in *m, int64_t contact, struct ops_error *err)
{
	struct store_email e = {.message_id = m->message_id, .contact_id = contact, .mailbox_id = src->mailbox_id,
				.uid = src->uid};
	int rc = store_email_record(o->db, scope, &e);
	if (rc < 0) {
		snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
		err->rc = rc;
	}
	return rc;
}

/* A bounce: a note on the contact whose email did not arrive. */
static int ingest_bounce(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
			 const struct email_in *m, int64_t *ret_contact, enum ingest_outcome *ret_outcome,
			 struct ops_error *err)
{
	int64_t contact = 0;
	int rc = thread(o, scope, src, m, 0, &contact);
	if (rc < 0) {
		snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
		return err->rc = rc;
	}
	*ret_contact = contact;
	if (contact == 0) {
		*ret_outcome = INGEST_DROPPED;
		return GC_OK;
	}
	char said[1901], note[2048];
	/* its addresses masked: the note is read by whoever reads the contact,
	 * an outsourced agent too, and a bounce names the customer's address */
	gc_text_mask_in(m->text && *m->text ? m->text : "(nothing)", said, sizeof(said));
	snprintf(note, sizeof(note), SYSTEM_NOTE("An email to the customer was not delivered. The mail system said:\n%s"), said);
	struct message_input in = {.body = note};
	json_t *added = NULL;
	if ((rc = ops_message_add(o, scope, contact, &in, true, &added, err)) < 0)
		return rc;
	json_decref(added);
	*ret_outcome = INGEST_BOUNCE;
	return record(o, scope, src, m, contact, err);
}

/* A store failure as the caller's error. */
static int store_failed(const struct ops *o, struct ops_error *err, int rc)
{
	snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
	return err->rc = rc;
}

/* The tenant's first categorisation rule that matches the email gives the
 * new contact its reason, and its queue when it names one (a level-2 queue
 * for what the first level cannot answer). *ret_rule holds the strings
 * in points to. */
static int categorise(const struct ops *o, const struct store_scope *scope, const struct email_in *m,
		      struct contact_input *in, json_t **ret_rule)
{
	json_t *rules = NULL;
	int rc = store_rule_list(o->db, scope, &rules);
	if (rc < 0)
		return rc;
	struct rule_subject what = {.from = m->from_address, .subject = m->subject, .body = m->text};
	int i = rules_match(rules, &what);
	if (i >= 0) {
		*ret_rule = json_incref(json_array_get(rules, (size_t)i));
		in->reason = json_string_value(json_object_get(*ret_rule, "reason"));
		int64_t queue_id = json_integer_value(json_object_get(*ret_rule, "queue_id"));
		json_t *queue = NULL;
		if (queue_id > 0 && store_queue_get(o->db, scope, queue_id, &queue) == GC_OK)
			in->queue_id = queue_id; /* a queue deleted since leaves the mailbox's */
		json_decref(queue);
	}
	json_decref(rules);
	return GC_OK;
}

int email_ingest(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
		 const struct email_in *m, int64_t *ret_contact, enum ingest_outcome *ret_outcome,
		 struct ops_error *err)
{
	*err = (struct ops_error){0};
	if (m->message_id == NULL || *m->message_id == '\0') {
		err->rc = GC_EINVAL;
		err->field = "message_id";
		snprintf(err->message, sizeof(err->message), "an email needs a Message-ID (the parser derives one)");
		return GC_EINVAL;
	}
	int rc = store_email_contact(o->db, scope, m->message_id, ret_contact);
	if (rc == GC_OK) {
		*ret_outcome = INGEST_DUPLICATE;
		return GC_OK;
	}
	if (rc != GC_ENOTFOUND) {
		snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
		return err->rc = rc;
	}
	int64_t customer = 0, contact = 0;
	bool created = false;
	if (m->bounce) /* the mail system is nobody's customer */
		return ingest_bounce(o, scope, src, m, ret_contact, ret_outcome, err);
	struct ack_mail guards = ack_mail_of(m);
	bool automatic = ack_automatic(&guards), auto_reply = ack_auto_reply(&guards);
	if (m->from_address && auto_reply) /* an out-of-office makes nobody a customer */
		rc = ops_customer_find(o, scope, m->from_address, NULL, &customer, err);
	else if (m->from_address)
		rc = ops_customer_find_or_create(o, scope, m->from_address, NULL, &customer, &created, err);
	if (m->from_address && rc < 0) {
		if (rc != GC_EINVAL)
			return rc;
		customer = 0; /* an unusable From leaves the contact without a customer */
		*err = (struct ops_error){0};
	}
	if ((rc = ops_customer_keep_name(o, scope, customer, m->from_name, m->from_address, err)) < 0)
		return rc;
	if ((rc = thread(o, scope, src, m, customer, &contact)) < 0) {
		snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
		return err->rc = rc;
	}
	const char *text = m->text && *m->text ? m->text : "(no text)";
	if (contact == 0 && auto_reply) { /* it answers nothing of ours: no contact for anyone to open */
		*ret_contact = 0;
		*ret_outcome = INGEST_AUTO_REPLY;
		return GC_OK;
	}
	if (contact) {
		/* a machine's mail (an out-of-office) is kept with the contact but
		 * does not bring it back to a queue: nobody answered anything */
		struct message_input in = {.outbound = false, .body = text};
		json_t *added = NULL;
		if ((rc = automatic ? ops_message_add(o, scope, contact, &in, false, &added, err)
				    : ops_customer_wrote(o, scope, contact, &in, &added, err)) < 0)
			return rc;
		json_decref(added);
		*ret_outcome = INGEST_THREADED;
	} else {
		struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = m->subject, .customer_id = customer,
					   .queue_id = src->queue_id, .priority = 0, .message = text};
		json_t *rule = NULL;
		if ((rc = categorise(o, scope, m, &in, &rule)) == GC_OK)
			rc = ops_contact_create(o, scope, &in, &contact, NULL, err);
		json_decref(rule);
		if (rc < 0)
			return err->rc ? rc : store_failed(o, err, rc);
		*ret_outcome = INGEST_NEW_CONTACT;
	}
	*ret_contact = contact;
	if ((rc = record(o, scope, src, m, contact, err)) < 0 || *ret_outcome != INGEST_NEW_CONTACT)
		return rc;
	enum ack_outcome acked; /* a new contact may be acknowledged (ack.h), in this transaction */
	return email_ack_new_contact(o, scope, src, m, contact, &acked, err);
}
