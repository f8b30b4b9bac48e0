/* Acknowledgements (ack.h): the estimate, its words, the loop guards, the
 * templates, and the acknowledgement queued with the contact it answers. */
#include "channel/email/ack.h"
#include "guichet/message.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"
#include "guichet/text.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOUR_MS (3600LL * 1000)
#define DAY_MS (24 * HOUR_MS)
#define REPLY_CAP_MS 1000000000000000LL /* 10^15 ms: a huge backlog stays in range */

int64_t ack_expected_reply_ms(const struct router_load *load)
{
	if (load->agents == 0 || load->slots == 0)
		return -1;
	int64_t wait = router_load_wait_ms(load, ACK_DEFAULT_HANDLE_MS);
	int64_t handle = load->handle_ms > 0 ? load->handle_ms : ACK_DEFAULT_HANDLE_MS;
	return wait < 0 ? -1 : wait > REPLY_CAP_MS - handle ? REPLY_CAP_MS : wait + handle;
}

void ack_wait_words(int64_t ms, const char *language, char *ret, size_t len)
{
	static const int minutes[] = {15, 30, 60, 120, 180, 240, 360, 480, 720, 1440};
	bool fr = language && strcmp(language, "fr") == 0;
	if (ms < 0 || ms > ACK_MAX_DAYS * DAY_MS) {
		snprintf(ret, len, "%s", fr ? "dès que possible" : "as soon as possible");
		return;
	}
	for (size_t i = 0; i < sizeof(minutes) / sizeof(minutes[0]); i++) {
		int m = minutes[i];
		if (ms > (int64_t)m * 60000)
			continue;
		if (m < 60)
			snprintf(ret, len, fr ? "sous %d minutes" : "within %d minutes", m);
		else if (m == 60)
			snprintf(ret, len, "%s", fr ? "sous une heure" : "within an hour");
		else
			snprintf(ret, len, fr ? "sous %d heures" : "within %d hours", m / 60);
		return;
	}
	snprintf(ret, len, fr ? "sous %lld jours" : "within %lld days", (long long)((ms + DAY_MS - 1) / DAY_MS));
}

/* The first word of a header's value (up to a space, ';' or ','), compared without case. */
static bool first_word_is(const char *value, const char *word)
{
	while (*value == ' ' || *value == '\t')
		value++;
	size_t n = strcspn(value, " \t;,");
	return n == strlen(word) && strncasecmp(value, word, n) == 0;
}

bool ack_robot_address(const char *address)
{
	static const char *const exact[] = {"postmaster", "listserv", "majordomo", "nobody", "root"};
	static const char *const starts[] = {"mailer-daemon", "mailerdaemon", "noreply", "no-reply", "no_reply",
					     "donotreply", "do-not-reply", "do_not_reply", "bounce", "owner-"};
	static const char *const ends[] = {"-request", "-bounces", "-owner"};
	const char *at = address ? strrchr(address, '@') : NULL;
	if (at == NULL)
		return false;
	char local[128];
	size_t n = (size_t)(at - address);
	if (n >= sizeof(local))
		return false;
	for (size_t i = 0; i < n; i++)
		local[i] = (char)tolower((unsigned char)address[i]);
	local[n] = '\0';
	local[strcspn(local, "+")] = '\0'; /* noreply+tag@ */
	n = strlen(local);
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(local, exact[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (strncmp(local, starts[i], strlen(starts[i])) == 0)
			return true;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (n > strlen(ends[i]) && strcmp(local + n - strlen(ends[i]), ends[i]) == 0)
			return true;
	return false;
}

struct ack_mail ack_mail_of(const struct email_in *m)
{
	return (struct ack_mail){.from_address = m->from_address, .auto_submitted = m->auto_submitted,
				 .precedence = m->precedence, .x_autoreply = m->x_autoreply,
				 .x_auto_response_suppress = m->x_auto_response_suppress,
				 .return_path = m->return_path, .bounce = m->bounce};
}

bool ack_automatic(const struct ack_mail *m)
{
	return (m->auto_submitted && !first_word_is(m->auto_submitted, "no")) ||
	       (m->precedence && (first_word_is(m->precedence, "bulk") || first_word_is(m->precedence, "junk") ||
				  first_word_is(m->precedence, "list"))) ||
	       (m->x_autoreply && !first_word_is(m->x_autoreply, "no")) ||
	       (m->x_auto_response_suppress && !first_word_is(m->x_auto_response_suppress, "none"));
}

bool ack_auto_reply(const struct ack_mail *m)
{
	return (m->auto_submitted && first_word_is(m->auto_submitted, "auto-replied")) ||
	       (m->x_autoreply && !first_word_is(m->x_autoreply, "no"));
}

const char *ack_refusal(const struct ack_mail *m, const char *const *own, size_t n_own)
{
	if (ack_automatic(m))
		return "automatic";
	if (m->bounce || (m->return_path && m->return_path[0] == '\0'))
		return "bounce";
	if (m->from_address == NULL || strchr(m->from_address, '@') == NULL)
		return "no address";
	for (size_t i = 0; i < n_own; i++)
		if (own[i] && strcasecmp(own[i], m->from_address) == 0)
			return "own address";
	return ack_robot_address(m->from_address) ? "robot address" : NULL;
}

/* --- templates --- */

const char *ack_default_subject(const char *language)
{
	return "Re: {{subject}} {{token}}";
}

const char *ack_default_body(const char *language)
{
	if (language && strcmp(language, "fr") == 0)
		return "Bonjour,\n\n"
		       "Nous avons bien reçu votre message et vous répondrons {{expected_reply}}.\n"
		       "Sa référence est {{token}} : gardez-la dans l'objet si vous nous écrivez à ce sujet.\n\n"
		       "Ce message est envoyé automatiquement : inutile d'y répondre.\n";
	return "Hello,\n\n"
	       "We have received your message and will reply {{expected_reply}}.\n"
	       "Its reference is {{token}}: please keep it in the subject if you write to us about it.\n\n"
	       "This message was sent automatically: there is no need to answer it.\n";
}

struct fill {
	const struct ack_vars *v;
	char id[24], token[32];
};

static const char *variable(const char *name, void *arg)
{
	struct fill *f = arg;
	if (strcmp(name, "contact.id") == 0)
		return f->id;
	if (strcmp(name, "token") == 0)
		return f->token;
	if (strcmp(name, "expected_reply") == 0)
		return f->v->expected_reply ? f->v->expected_reply : "";
	if (strcmp(name, "subject") == 0)
		return f->v->subject ? f->v->subject : "";
	return NULL;
}

int ack_render(const char *template, const struct ack_vars *v, char **ret, char *unknown, size_t unknown_len)
{
	struct fill f = {.v = v};
	snprintf(f.id, sizeof(f.id), "%lld", (long long)v->contact_id);
	snprintf(f.token, sizeof(f.token), "[#%lld]", (long long)v->contact_id);
	json_t *missing = NULL;
	char *text = kb_fill(template, variable, &f, &missing);
	if (text == NULL || missing == NULL) {
		free(text);
		json_decref(missing);
		return GC_ENOMEM;
	}
	if (json_array_size(missing)) {
		snprintf(unknown, unknown_len, "%s", json_string_value(json_array_get(missing, 0)));
		free(text);
		json_decref(missing);
		return GC_EINVAL;
	}
	json_decref(missing);
	*ret = text;
	return GC_OK;
}

/* --- the acknowledgement of a new contact --- */

static int store_failed(const struct ops *o, struct ops_error *err, int rc)
{
	err->rc = rc;
	snprintf(err->message, sizeof(err->message), "%s", store_errmsg(o->db));
	return rc;
}

/* Whether the guards let m be acknowledged: the tenant's mailboxes' addresses read. */
static int refused(const struct ops *o, const struct store_scope *scope, const struct email_in *m, bool *ret)
{
	json_t *all = NULL;
	int rc = store_mailbox_list(o->db, scope, &all);
	if (rc < 0)
		return rc;
	size_t n = json_array_size(all), i;
	const char **own = calloc(n ? n : 1, sizeof(*own));
	if (own == NULL) {
		json_decref(all);
		return GC_ENOMEM;
	}
	json_t *row;
	json_array_foreach(all, i, row) own[i] = json_string_value(json_object_get(row, "address"));
	struct ack_mail am = ack_mail_of(m);
	*ret = ack_refusal(&am, own, n) != NULL;
	free(own);
	json_decref(all);
	return GC_OK;
}

/* The subject and body, filled; the subject on one line, with the token. */
static int compose_texts(const json_t *ack, const struct ack_vars *v, char **ret_subject, char **ret_body)
{
	const char *language = json_string_value(json_object_get(ack, "language"));
	const char *subject = json_string_value(json_object_get(ack, "subject"));
	const char *body = json_string_value(json_object_get(ack, "body"));
	char unknown[128];
	/* the templates were checked when saved; one that fails gives way to the language's own,
	 * which answers "Re: x" with "Re: x", not "Re: Re: x" */
	const char *own = email_subject_answers(v->subject) ? "{{subject}} {{token}}" : ack_default_subject(language);
	if (subject == NULL || ack_render(subject, v, ret_subject, unknown, sizeof(unknown)) < 0)
		if (ack_render(own, v, ret_subject, unknown, sizeof(unknown)) < 0)
			return GC_ENOMEM;
	if (body == NULL || ack_render(body, v, ret_body, unknown, sizeof(unknown)) < 0)
		if (ack_render(ack_default_body(language), v, ret_body, unknown, sizeof(unknown)) < 0) {
			free(*ret_subject);
			return GC_ENOMEM;
		}
	for (char *p = *ret_subject; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	if (email_subject_token(*ret_subject) != v->contact_id) {
		size_t n = strlen(*ret_subject);
		char *longer = realloc(*ret_subject, n + 32);
		if (longer == NULL) {
			free(*ret_body);
			free(*ret_subject);
			return GC_ENOMEM;
		}
		snprintf(longer + n, 32, " [#%lld]", (long long)v->contact_id);
		*ret_subject = longer;
	}
	return GC_OK;
}

/* Queues the acknowledgement: recorded for threading, in the outbox, and a note. */
static int queue_ack(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
		     const struct email_in *m, int64_t contact_id, const char *address, const char *to,
		     const char *subject, const char *body, struct ops_error *err)
{
	unsigned char random[8];
	char hex[17], message_id[400];
	randombytes_buf(random, sizeof(random));
	sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
	const char *domain = strchr(address, '@');
	snprintf(message_id, sizeof(message_id), "guichet.%lld.%lld.%s@%s", (long long)scope->tenant_id,
		 (long long)contact_id, hex, domain ? domain + 1 : "guichet.invalid");
	struct store_email sent = {.message_id = message_id, .contact_id = contact_id, .mailbox_id = src->mailbox_id,
				   .outbound = true};
	struct store_outbox out = {.contact_id = contact_id, .mailbox_id = src->mailbox_id, .message_id = message_id,
				   .to_address = to, .subject = subject, .body = body, .in_reply_to = m->message_id,
				   .refs = m->message_id, .automatic = true};
	int64_t id = 0;
	int rc = store_email_record(o->db, scope, &sent);
	if (rc == GC_OK)
		rc = store_outbox_add(o->db, scope, &out, &id);
	if (rc < 0)
		return store_failed(o, err, rc);
	char *note = NULL;
	/* the note is read by whoever reads the contact, an outsourced agent
	 * too, who may not see the customer's address (the reply's own row
	 * shows it to those who may: GET .../email-replies) */
	if (asprintf(&note, SYSTEM_NOTE("Acknowledgement sent automatically to the customer: \"%s\"\n\n%.4000s"), subject, body) < 0)
		return err->rc = GC_ENOMEM;
	struct message_input in = {.body = note};
	json_t *added = NULL;
	rc = ops_message_add(o, scope, contact_id, &in, true, &added, err);
	json_decref(added);
	free(note);
	return rc;
}

/* The working time ms (the estimate: agents work while the tenant is open)
 * as time from now on the tenant's calendar: an email on Friday evening is
 * answered after the weekend, not "within 2 hours". -1 (as soon as
 * possible) when ms is, or the calendar cannot be read. */
static int64_t from_now_in_business_hours(const struct ops *o, const struct store_scope *scope, int64_t ms)
{
	struct calendar *cal = ms >= 0 ? malloc(sizeof(*cal)) : NULL;
	struct ops_error ignored = {0};
	int64_t now = gc_now_ms(), due = 0;
	bool known = cal && ops_calendar_load(o->db, scope->tenant_id, cal, &ignored) == GC_OK &&
		     calendar_due(cal, now, (ms + 999) / 1000, &due) == GC_OK;
	free(cal);
	return known ? due - now : -1;
}

int email_ack_new_contact(const struct ops *o, const struct store_scope *scope, const struct email_source *src,
			  const struct email_in *m, int64_t contact_id, enum ack_outcome *ret_outcome,
			  struct ops_error *err)
{
	json_t *mailbox = NULL;
	*ret_outcome = ACK_OFF;
	int rc = src->mailbox_id ? store_mailbox_get(o->db, scope, src->mailbox_id, &mailbox) : GC_ENOTFOUND;
	if (rc < 0)
		return rc == GC_ENOTFOUND ? GC_OK : store_failed(o, err, rc);
	json_t *ack = json_object_get(mailbox, "ack");
	const char *address = json_string_value(json_object_get(mailbox, "address"));
	bool no = false;
	if (!json_is_true(json_object_get(ack, "enabled")) || !json_string_value(json_object_get(mailbox, "smtp_url")) ||
	    address == NULL)
		goto out;
	if ((rc = refused(o, scope, m, &no)) < 0 || no) {
		*ret_outcome = ACK_REFUSED;
		goto out_failed;
	}
	char to[320];
	size_t n = strlen(m->from_address);
	if (n >= sizeof(to)) {
		*ret_outcome = ACK_REFUSED;
		goto out;
	}
	for (size_t i = 0; i <= n; i++)
		to[i] = (char)tolower((unsigned char)m->from_address[i]);
	if (!gc_text_is_email(to)) { /* what no customer was made from either */
		*ret_outcome = ACK_REFUSED;
		goto out;
	}
	int64_t sent = 0;
	if ((rc = store_outbox_count_automatic(o->db, scope, to, gc_now_ms() - HOUR_MS, &sent)) < 0)
		goto out_failed;
	if (sent >= json_integer_value(json_object_get(ack, "max_per_hour"))) {
		*ret_outcome = ACK_LIMITED;
		goto out;
	}
	struct router_load load;
	int64_t ms = router_contact_load(o->router, scope, contact_id, &load) == GC_OK ? ack_expected_reply_ms(&load) : -1;
	ms = from_now_in_business_hours(o, scope, ms);
	char words[64];
	ack_wait_words(ms, json_string_value(json_object_get(ack, "language")), words, sizeof(words));
	const char *language = json_string_value(json_object_get(ack, "language"));
	const char *none = language && strcmp(language, "fr") == 0 ? "(sans objet)" : "(no subject)";
	struct ack_vars v = {.contact_id = contact_id, .expected_reply = words,
			     .subject = m->subject && *m->subject ? m->subject : none};
	char *subject = NULL, *body = NULL;
	if ((rc = compose_texts(ack, &v, &subject, &body)) < 0) {
		err->rc = rc;
		goto out;
	}
	rc = queue_ack(o, scope, src, m, contact_id, address, to, subject, body, err);
	free(subject);
	free(body);
	if (rc == GC_OK)
		*ret_outcome = ACK_QUEUED;
	goto out;
out_failed:
	if (rc < 0)
		store_failed(o, err, rc);
out:
	json_decref(mailbox);
	return rc < 0 ? rc : GC_OK;
}
