/* The core operations on customers, contacts and messages (ops.h). */
#include "daemon/ops.h"
#include "guichet/kb_mention.h"
#include "daemon/router.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/phone.h"
#include "guichet/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int failed(struct ops_error *err, int rc, const char *field, const char *message)
{
	err->rc = rc;
	err->field = field;
	snprintf(err->message, sizeof(err->message), "%s", message ? message : "");
	err->said.template = NULL;
	return rc;
}

int ops_fail(struct ops_error *err, int rc, const char *field, const char *fmt, ...)
{
	err->rc = rc;
	err->field = field;
	va_list ap;
	va_start(ap, fmt);
	gc_message_format(err->message, sizeof(err->message), &err->said, fmt, ap);
	va_end(ap);
	return rc;
}

int ops_pass_on(struct ops_error *err, int rc, const char *field, const char *message, const struct gc_message *said)
{
	failed(err, rc, field, message);
	if (said)
		err->said = *said;
	return rc;
}

struct store_scope ops_channel_scope(int64_t tenant_id, const char *channel)
{
	struct store_scope sc = {.tenant_id = tenant_id, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = role_visibility(ROLE_TENANT_ADMIN)};
	snprintf(sc.actor, sizeof(sc.actor), "channel:%s", channel);
	return sc;
}

/* A number's digits after a '+', the key before E.164 (what a lenient key
 * falls back to): GC_EINVAL when fewer than 3 digits remain. */
static int digits_key(const char *phone, char *ret, size_t len)
{
	char key[OPS_PHONE_KEY_LEN];
	size_t n = 0, digits = 0;
	key[n++] = '+';
	for (const char *p = phone; *p && n + 1 < sizeof(key) && n + 1 < len; p++)
		if (isdigit((unsigned char)*p)) {
			key[n++] = *p;
			digits++;
		}
	key[n] = '\0';
	if (digits < 3)
		return GC_EINVAL;
	memcpy(ret, key, n + 1);
	return GC_OK;
}

int ops_phone_key(const char *phone, const char *country, bool lenient, char *ret, size_t len)
{
	char e164[PHONE_E164_LEN];
	if (phone == NULL || len < 2)
		return GC_EINVAL;
	int rc = phone_e164(phone, country, e164, sizeof(e164));
	if (rc == GC_OK && strlen(e164) < len) {
		memcpy(ret, e164, strlen(e164) + 1);
		return GC_OK;
	}
	if (rc == GC_ENOMEM)
		return rc;
	return lenient ? digits_key(phone, ret, len) : GC_EINVAL;
}

int ops_tenant_country(struct store *db, int64_t tenant_id, char ret[3], struct ops_error *err)
{
	struct calendar *c = malloc(sizeof(*c));
	if (c == NULL)
		return failed(err, GC_ENOMEM, NULL, "out of memory");
	int rc = ops_calendar_load(db, tenant_id, c, err);
	if (rc == GC_OK)
		memcpy(ret, c->country, sizeof(c->country));
	free(c);
	return rc;
}

int ops_tenant_phone_key(struct store *db, int64_t tenant_id, const char *phone, bool lenient, const char *field,
			 char *ret, size_t len, struct ops_error *err)
{
	char country[3];
	int rc = ops_tenant_country(db, tenant_id, country, err);
	if (rc < 0)
		return rc;
	if ((rc = ops_phone_key(phone, country, lenient, ret, len)) == GC_ENOMEM)
		return failed(err, rc, NULL, "out of memory");
	if (rc < 0) {
		err->rc = rc;
		err->field = field;
		if (lenient)
			snprintf(err->message, sizeof(err->message), "'%s' is a telephone number: at least 3 digits", field);
		else if (country[0])
			snprintf(err->message, sizeof(err->message), "'%s' is not a telephone number: write it with its country"
				 " code (+33 6 12 34 56 78) or as it is dialled in %s", field, country);
		else
			snprintf(err->message, sizeof(err->message), "'%s' is not a telephone number: write it with its country"
				 " code (+33 6 12 34 56 78); the tenant's calendar names no country to read it in", field);
	}
	return rc;
}

/* "+" and 3 or more digits: what ops_phone_key makes. */
static bool is_key(const char *phone)
{
	size_t n = strlen(phone);
	if (phone[0] != '+' || n < 4 || n >= OPS_PHONE_KEY_LEN)
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isdigit((unsigned char)phone[i]))
			return false;
	return true;
}

/* ops_customer_find_or_create, creating only when create is set. */
static int find_customer(const struct ops *o, const struct store_scope *scope, const char *email, const char *phone,
			 bool create, int64_t *ret_id, bool *ret_created, struct ops_error *err)
{
	char address[320];
	*ret_created = false;
	if (email == NULL && phone == NULL)
		return ops_fail(err, GC_EINVAL, "email", "an email address or a phone is needed to find a customer");
	if (email) {
		size_t n = strlen(email);
		if (n >= sizeof(address))
			return ops_fail(err, GC_EINVAL, "email", "the email address is too long");
		for (size_t i = 0; i <= n; i++)
			address[i] = (char)tolower((unsigned char)email[i]);
		if (!gc_text_is_email(address))
			return ops_fail(err, GC_EINVAL, "email", "not an email address");
	}
	if (phone && !is_key(phone))
		return ops_fail(err, GC_EINVAL, "phone", "not a telephone number as ops_phone_key keeps it");
	int rc = store_customer_find(o->db, scope, email ? address : NULL, phone, ret_id);
	if (rc != GC_ENOTFOUND)
		return rc < 0 ? failed(err, rc, NULL, store_errmsg(o->db)) : GC_OK;
	if (!create) {
		*ret_id = 0;
		return GC_OK;
	}
	struct customer_input in = {.has = (email ? HAS_EMAIL : 0) | (phone ? HAS_PHONE : 0),
				    .email = email ? address : NULL, .phone = phone};
	if ((rc = store_customer_create_id(o->db, scope, &in, ret_id)) < 0)
		return failed(err, rc, "customer", store_errmsg(o->db));
	*ret_created = true;
	return GC_OK;
}

int ops_customer_find_or_create(const struct ops *o, const struct store_scope *scope, const char *email,
				const char *phone, int64_t *ret_id, bool *ret_created, struct ops_error *err)
{
	return find_customer(o, scope, email, phone, true, ret_id, ret_created, err);
}

int ops_customer_keep_name(const struct ops *o, const struct store_scope *scope, int64_t customer, const char *name,
			   const char *address, struct ops_error *err)
{
	size_t n = name ? strlen(name) : 0;
	if (customer == 0 || n == 0 || n > 200 || (address && strcasecmp(name, address) == 0))
		return GC_OK;
	json_t *c = NULL, *attrs;
	int rc = store_customer_get(o->db, scope, customer, &c);
	attrs = rc == GC_OK ? json_object_get(c, "attributes") : NULL;
	bool named = json_object_get(attrs, "name") || json_object_get(attrs, "first_name") ||
		     json_object_get(attrs, "last_name");
	json_decref(c);
	if (rc == GC_OK && !named) {
		struct customer_input in = {.n_attrs = 1};
		in.attrs[0] = (struct customer_attr){"name", name, SENS_NONE}; /* the tenant's policy classes it */
		json_t *updated = NULL;
		rc = store_customer_update(o->db, scope, customer, &in, &updated);
		json_decref(updated);
	}
	return rc < 0 ? failed(err, rc, "name", store_errmsg(o->db)) : GC_OK;
}

int ops_customer_find(const struct ops *o, const struct store_scope *scope, const char *email, const char *phone,
		      int64_t *ret_id, struct ops_error *err)
{
	bool created = false;
	return find_customer(o, scope, email, phone, false, ret_id, &created, err);
}

int ops_calendar_load(struct store *db, int64_t tenant_id, struct calendar *ret, struct ops_error *err)
{
	char *text = NULL;
	int rc = store_calendar_get(db, tenant_id, &text);
	if (rc == GC_ENOTFOUND) {
		calendar_init_default(ret);
		return GC_OK;
	}
	if (rc < 0)
		return failed(err, rc, NULL, store_errmsg(db));
	json_t *obj = json_loads(text, 0, NULL);
	free(text);
	struct decode_error derr = {0};
	rc = obj ? calendar_decode(obj, ret, &derr) : GC_EINVAL;
	json_decref(obj);
	/* stored checked: only a zone the system's ICU no longer knows fails */
	return rc < 0 ? ops_fail(err, GC_EINVAL, "calendar", "the tenant's calendar cannot be read: set it again") : GC_OK;
}

/* The queue's first-response target in business seconds, 0 for none. */
static int queue_target(const struct ops *o, const struct store_scope *scope, int64_t queue_id, int64_t *ret)
{
	json_t *q = NULL;
	int rc = store_queue_get(o->db, scope, queue_id, &q);
	if (rc == GC_OK)
		*ret = json_integer_value(json_object_get(q, "first_response_s"));
	json_decref(q);
	return rc;
}

/* The contact entered queue_id: its entry queue when it had none, and its
 * due time when it had none and the queue has a target. */
static int entered(const struct ops *o, const struct store_scope *scope, int64_t contact_id, int64_t queue_id,
		   struct ops_error *err)
{
	int64_t created = 0, due = 0, target = 0;
	int rc = queue_target(o, scope, queue_id, &target);
	if (rc == GC_OK && target > 0) /* without a target, nothing to compute */
		rc = store_contact_due_info(o->db, scope->tenant_id, contact_id, &created, &due);
	if (rc < 0)
		return failed(err, rc, "contact", store_errmsg(o->db));
	if (due == 0 && target > 0) {
		struct calendar *cal = malloc(sizeof(*cal));
		if (cal == NULL)
			return failed(err, GC_ENOMEM, NULL, "out of memory");
		rc = ops_calendar_load(o->db, scope->tenant_id, cal, err);
		if (rc == GC_OK && calendar_due(cal, created, target, &due) < 0)
			rc = ops_fail(err, GC_EINVAL, "queue_id", "the queue's first-response target is more than ten "
				      "years of the tenant's business hours away");
		free(cal);
		if (rc < 0)
			return rc;
	}
	if ((rc = store_contact_entered(o->db, scope->tenant_id, contact_id, queue_id, due)) < 0)
		return failed(err, rc, "contact", store_errmsg(o->db));
	return GC_OK;
}

int ops_enqueue(const struct ops *o, const struct store_scope *scope, int64_t contact_id, int64_t queue_id,
		int priority, struct ops_error *err)
{
	if (priority < 0) { /* the contact's own */
		json_t *c = NULL;
		int rc = store_contact_get(o->db, scope, contact_id, &c);
		if (rc < 0)
			return failed(err, rc, "contact", store_errmsg(o->db));
		priority = (int)json_integer_value(json_object_get(c, "priority"));
		json_decref(c);
	}
	int rc = router_enqueue(o->router, o->db, scope, contact_id, queue_id, priority);
	const char *why = router_errmsg(o->router);
	const struct gc_message *said = router_said(o->router);
	if ((rc == GC_ENOTFOUND && strncmp(why, "no queue", 8) == 0) || rc == GC_EINVAL)
		return ops_pass_on(err, GC_EINVAL, "queue_id", why, said);
	return rc < 0 ? ops_pass_on(err, rc, "contact", why, said) : entered(o, scope, contact_id, queue_id, err);
}

/* Whether the contact's subject or first message mentions one of the
 * phrases, read in French or in English. */
static bool mentions_one(struct kb_analyzer *const a[2], const struct contact_input *in, const json_t *phrases)
{
	size_t i;
	const json_t *p;
	json_array_foreach(phrases, i, p) {
		for (int l = 0; l < 2; l++) {
			const char *texts[] = {in->subject, in->message};
			for (int t = 0; t < 2; t++)
				if (texts[t] && kb_mentions(a[l], texts[t], strlen(texts[t]), json_string_value(p)))
					return true;
		}
	}
	return false;
}

/* Links a new contact to each current incident whose keywords its words
 * mention; *linked +1 for each. Analysers are made only when the tenant
 * has such an incident (rarely), so a contact costs one query otherwise. */
static int link_mentions(const struct ops *o, const struct store_scope *scope, int64_t contact_id,
			 const struct contact_input *in, int *linked)
{
	if ((in->subject == NULL || !in->subject[0]) && (in->message == NULL || !in->message[0]))
		return GC_OK;
	json_t *incidents = NULL;
	int64_t now = gc_now_ms();
	int rc = store_incident_keywords_current(o->db, scope->tenant_id, now, &incidents);
	if (rc < 0 || json_array_size(incidents) == 0) {
		json_decref(incidents);
		return rc;
	}
	struct kb_analyzer *a[2] = {kb_analyzer_new(KB_LANG_FR), kb_analyzer_new(KB_LANG_EN)};
	size_t i;
	const json_t *incident;
	if (a[0] == NULL || a[1] == NULL)
		rc = GC_ENOMEM;
	json_array_foreach(incidents, i, incident) {
		int n = 0;
		if (rc == GC_OK && mentions_one(a, in, json_object_get(incident, "keywords")) &&
		    (rc = store_incident_link_one(o->db, scope, contact_id,
						  json_integer_value(json_object_get(incident, "id")), now, &n)) == GC_OK)
			*linked += n;
	}
	kb_analyzer_free(a[0]);
	kb_analyzer_free(a[1]);
	json_decref(incidents);
	return rc;
}

int ops_contact_create(const struct ops *o, const struct store_scope *scope, const struct contact_input *in,
		       int64_t *ret_id, char **ret_text, struct ops_error *err)
{
	bool routed = in->queue_id != 0;
	size_t len;
	/* unrouted, the answer is what was inserted; routed, it is read back
	 * once the router changed the contact */
	int rc = store_contact_create_text(o->db, scope, in, ret_id, routed ? NULL : ret_text, &len);
	if (rc < 0)
		return failed(err, rc, "customer_id", store_errmsg(o->db));
	if (routed && (rc = ops_enqueue(o, scope, *ret_id, in->queue_id, in->priority, err)) < 0)
		return rc;
	/* a contact of a customer an incident affects is linked to it */
	int linked = 0;
	if (in->customer_id &&
	    (rc = store_incident_link(o->db, scope, *ret_id, in->customer_id, gc_now_ms(), &linked)) < 0)
		return failed(err, rc, "contact", store_errmsg(o->db));
	/* and one whose words mention an incident's keywords, whoever the customer */
	if ((rc = link_mentions(o, scope, *ret_id, in, &linked)) < 0)
		return failed(err, rc, "contact", store_errmsg(o->db));
	bool read_back = routed;
	if (!routed && linked && ret_text) { /* the answer made before shows none */
		free(*ret_text);
		*ret_text = NULL;
		read_back = true;
	}
	if (read_back && ret_text && (rc = store_contact_get_text(o->db, scope, *ret_id, ret_text, &len)) < 0)
		return failed(err, rc, "contact", store_errmsg(o->db));
	return GC_OK;
}

int ops_message_add(const struct ops *o, const struct store_scope *scope, int64_t contact_id,
		    const struct message_input *in, bool note, json_t **ret, struct ops_error *err)
{
	int rc = store_contact_add_message(o->db, scope, contact_id, in, note, ret);
	if (rc < 0)
		return failed(err, rc, rc == GC_ENOTFOUND ? "contact" : "state", store_errmsg(o->db));
	/* a reply on a contact that came by SMS or a social network goes out
	 * through its channel: queued in this transaction (store_messaging_queue_reply) */
	if (!note && in->outbound &&
	    (rc = store_messaging_queue_reply(o->db, scope, contact_id, json_integer_value(json_object_get(*ret, "id")),
					      in->body)) < 0) {
		json_decref(*ret);
		*ret = NULL;
		return failed(err, rc, "contact", store_errmsg(o->db));
	}
	if (!note && in->outbound && !in->automatic &&
	    (rc = store_contact_first_response(o->db, scope->tenant_id, contact_id, gc_now_ms())) < 0) {
		json_decref(*ret);
		*ret = NULL;
		return failed(err, rc, "contact", store_errmsg(o->db));
	}
	return GC_OK;
}

/* The id of the tenant's queue named name, 0 when none is. */
static int queue_named(const struct ops *o, const struct store_scope *scope, const char *name, int64_t *ret)
{
	json_t *queues = NULL;
	int rc = store_queue_list(o->db, scope, &queues);
	*ret = 0;
	size_t i;
	const json_t *q;
	json_array_foreach(queues, i, q)
		if (*ret == 0 && strcmp(json_string_value(json_object_get(q, "name")), name) == 0)
			*ret = json_integer_value(json_object_get(q, "id"));
	json_decref(queues);
	return rc;
}

int ops_customer_wrote(const struct ops *o, const struct store_scope *scope, int64_t contact_id,
		       const struct message_input *in, json_t **ret, struct ops_error *err)
{
	int rc = ops_message_add(o, scope, contact_id, in, false, ret, err);
	if (rc < 0)
		return rc;
	json_t *c = NULL;
	if ((rc = store_contact_get(o->db, scope, contact_id, &c)) < 0)
		return failed(err, rc, "contact", store_errmsg(o->db));
	const char *state = json_string_value(json_object_get(c, "state"));
	const char *queue = json_string_value(json_object_get(c, "queue"));
	int64_t queue_id = 0;
	if (state && (strcmp(state, "waiting_on_customer") == 0 || strcmp(state, "resolved") == 0) && queue && *queue &&
	    (rc = queue_named(o, scope, queue, &queue_id)) < 0)
		rc = failed(err, rc, "contact", store_errmsg(o->db));
	json_decref(c);
	if (rc == GC_OK && queue_id) /* a queue deleted since: the contact waits as it is */
		rc = ops_enqueue(o, scope, contact_id, queue_id, -1, err);
	if (rc < 0) {
		json_decref(*ret);
		*ret = NULL;
	}
	return rc;
}
